// SPDX-License-Identifier: GPL-3.0-or-later
// History store and activity log costs against baselines measured in the same run:
//  - HistoryStore::appendAudit (Qt SQL, WAL, one transaction per row) vs the same INSERT through
//    the sqlite3 C API with a prepared statement and identical pragmas;
//  - ActivityLog::add from 4 threads vs a bare mutex-protected std::deque push.
#include "common/activitylog.h"
#include "common/historystore.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QTextStream>
#include <deque>
#include <mutex>
#include <sqlite3.h>
#include <thread>
#include <vector>

using namespace opsdeck;

namespace {

void report(const char *name, double value, const char *unit)
{
    QTextStream(stdout) << "BENCH " << name << ' ' << QString::number(value, 'f', 3) << ' ' << unit
                        << '\n';
}

double benchHistoryStore(const QString &path, int rows)
{
    HistoryStore store;
    if (!store.open(path).ok())
        return -1;
    AuditRecord rec;
    rec.user = QStringLiteral("bench");
    rec.host = QStringLiteral("localhost");
    rec.profile = QStringLiteral("bench");
    rec.endpoint = QStringLiteral("http://127.0.0.1:8081");
    rec.outcome = QStringLiteral("ok");
    QElapsedTimer timer;
    timer.start();
    for (int i = 0; i < rows; ++i) {
        rec.timestamp = QDateTime::currentDateTimeUtc();
        rec.statement = QStringLiteral("STOP JOB '%1'").arg(i);
        if (const auto id = store.appendAudit(rec); !id) {
            QTextStream(stderr) << id.error().toString() << '\n';
            return -1;
        }
    }
    return static_cast<double>(timer.nsecsElapsed()) / 1e3 / rows;
}

double benchRawSqlite(const QByteArray &path, int rows)
{
    sqlite3 *db = nullptr;
    if (sqlite3_open(path.constData(), &db) != SQLITE_OK)
        return -1;
    sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", nullptr, nullptr,
                 nullptr);
    sqlite3_exec(db,
                 "CREATE TABLE audit_log (id INTEGER PRIMARY KEY AUTOINCREMENT, ts_ms INTEGER NOT "
                 "NULL, os_user TEXT NOT NULL, host TEXT NOT NULL, profile TEXT NOT NULL, endpoint "
                 "TEXT NOT NULL, statement TEXT NOT NULL, trigger_id TEXT NOT NULL DEFAULT '', "
                 "outcome TEXT NOT NULL)",
                 nullptr, nullptr, nullptr);
    sqlite3_stmt *stmt = nullptr;
    sqlite3_prepare_v2(db,
                       "INSERT INTO audit_log (ts_ms, os_user, host, profile, endpoint, statement, "
                       "trigger_id, outcome) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                       -1, &stmt, nullptr);
    QElapsedTimer timer;
    timer.start();
    for (int i = 0; i < rows; ++i) {
        const QByteArray statement = "STOP JOB '" + QByteArray::number(i) + "'";
        sqlite3_bind_int64(stmt, 1, QDateTime::currentMSecsSinceEpoch());
        sqlite3_bind_text(stmt, 2, "bench", -1, SQLITE_STATIC);
        sqlite3_bind_text(stmt, 3, "localhost", -1, SQLITE_STATIC);
        sqlite3_bind_text(stmt, 4, "bench", -1, SQLITE_STATIC);
        sqlite3_bind_text(stmt, 5, "http://127.0.0.1:8081", -1, SQLITE_STATIC);
        sqlite3_bind_text(stmt, 6, statement.constData(), -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(stmt, 7, "", -1, SQLITE_STATIC);
        sqlite3_bind_text(stmt, 8, "ok", -1, SQLITE_STATIC);
        sqlite3_step(stmt);
        sqlite3_reset(stmt);
    }
    const double perRow = static_cast<double>(timer.nsecsElapsed()) / 1e3 / rows;
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return perRow;
}

template<typename Fn> double timeThreads(int threads, Fn fn)
{
    QElapsedTimer timer;
    timer.start();
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t)
        pool.emplace_back(fn, t);
    for (auto &th : pool)
        th.join();
    return static_cast<double>(timer.nsecsElapsed()) / 1e6;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QTemporaryDir dir;
    constexpr int Rows = 20000;

    const double ours = benchHistoryStore(dir.filePath(QStringLiteral("ours.sqlite")), Rows);
    const double raw =
        benchRawSqlite(QFile::encodeName(dir.filePath(QStringLiteral("raw.sqlite"))), Rows);
    if (ours < 0 || raw < 0) {
        QTextStream(stderr) << "bench_history: could not open the databases\n";
        return 1;
    }
    report("history_append_us_per_row", ours, "us");
    report("sqlite3_c_api_append_us_per_row", raw, "us");
    report("history_append_ratio_vs_sqlite3", ours / raw, "x");

    constexpr int Threads = 4;
    constexpr int PerThread = 50000;
    ActivityLog log(Threads * PerThread);
    const double logMs = timeThreads(Threads, [&log](int t) {
        for (int i = 0; i < PerThread; ++i)
            log.add(Severity::Info, QStringLiteral("bench"),
                    QStringLiteral("entry %1/%2").arg(t).arg(i));
    });
    std::mutex mutex;
    std::deque<std::pair<quint64, QString>> baseline;
    const double baseMs = timeThreads(Threads, [&](int t) {
        for (int i = 0; i < PerThread; ++i) {
            QString message = QStringLiteral("entry %1/%2").arg(t).arg(i);
            std::lock_guard lock(mutex);
            baseline.emplace_back(static_cast<quint64>(i), std::move(message));
        }
    });
    report("activitylog_add_ms_200k_4threads", logMs, "ms");
    report("mutex_deque_baseline_ms_200k_4threads", baseMs, "ms");
    report("activitylog_ratio_vs_baseline", logMs / baseMs, "x");
    return 0;
}
