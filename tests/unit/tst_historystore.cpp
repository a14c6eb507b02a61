// SPDX-License-Identifier: GPL-3.0-or-later
#include "common/historystore.h"
#include "testmain.h"

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTimeZone>
#include <unistd.h>

using namespace opsdeck;

namespace {

void writeBytes(const QString &path, const QByteArray &bytes)
{
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(bytes);
}

// A second, independent connection to the same file, as another process would hold.
class OtherConnection
{
public:
    explicit OtherConnection(const QString &path)
    {
        m_db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("other"));
        m_db.setDatabaseName(path);
        m_db.open();
    }
    ~OtherConnection()
    {
        m_db.close();
        m_db = QSqlDatabase();
        QSqlDatabase::removeDatabase(QStringLiteral("other"));
    }
    bool exec(const QString &sql)
    {
        QSqlQuery q(m_db);
        return q.exec(sql);
    }

private:
    QSqlDatabase m_db;
};

} // namespace

class TestHistoryStore : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void open_createsSchemaInWalModePrivately()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("data/history.sqlite"));
        HistoryStore store;
        const auto opened = store.open(path);
        QVERIFY2(opened.ok(), qPrintable(opened.ok() ? QString() : opened.error().toString()));
        QVERIFY(store.isOpen());
        QCOMPARE(store.schemaVersion(), HistoryStore::SchemaVersion);
        QCOMPARE(QFile::permissions(path) & (QFileDevice::ReadGroup | QFileDevice::ReadOther),
                 QFileDevice::Permissions());
        store.close();
        OtherConnection other(path);
        QSqlQuery q(QSqlDatabase::database(QStringLiteral("other")));
        QVERIFY(q.exec(QStringLiteral("PRAGMA journal_mode")) && q.next());
        QCOMPARE(q.value(0).toString(), QStringLiteral("wal"));
    }

    void audit_roundTripsAndSurvivesReopen()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("history.sqlite"));
        AuditRecord rec;
        rec.timestamp = QDateTime::fromMSecsSinceEpoch(1700000000123);
        rec.user = QStringLiteral("alice");
        rec.host = QStringLiteral("ops1");
        rec.profile = QStringLiteral("prod");
        rec.endpoint = QStringLiteral("https://flink:8081");
        rec.statement = QStringLiteral("STOP JOB 'abc'");
        rec.triggerId = QStringLiteral("t-1");
        rec.outcome = QStringLiteral("ok");
        {
            HistoryStore store;
            QVERIFY(store.open(path).ok());
            const auto id = store.appendAudit(rec);
            QVERIFY(id.ok());
            QVERIFY(id.value() > 0);
        }
        HistoryStore again;
        QVERIFY(again.open(path).ok());
        const auto records = again.auditRecords(10);
        QVERIFY(records.ok());
        QCOMPARE(records->size(), 1);
        const AuditRecord &r = records->first();
        QCOMPARE(r.timestamp, rec.timestamp);
        QCOMPARE(r.user, rec.user);
        QCOMPARE(r.statement, rec.statement);
        QCOMPARE(r.triggerId, rec.triggerId);
        QCOMPARE(r.outcome, rec.outcome);
    }

    void audit_acceptsEmptyOptionalFields()
    {
        // A STOP without a savepoint has no trigger id: the record must still be stored.
        QTemporaryDir dir;
        HistoryStore store;
        QVERIFY(store.open(dir.filePath(QStringLiteral("h.sqlite"))).ok());
        AuditRecord rec;
        rec.timestamp = QDateTime::currentDateTimeUtc();
        rec.statement = QStringLiteral("STOP JOB 'abc'");
        rec.outcome = QStringLiteral("ok");
        const auto id = store.appendAudit(rec);
        QVERIFY2(id.ok(), qPrintable(id.ok() ? QString() : id.error().toString()));
        const auto records = store.auditRecords(1);
        QVERIFY(records.ok());
        QCOMPARE(records->size(), 1);
        QCOMPARE(records->first().triggerId, QString());
        QCOMPARE(records->first().statement, rec.statement);
    }

    void statements_dedupeRepeatsAndStayBounded()
    {
        QTemporaryDir dir;
        HistoryStore store;
        QVERIFY(store.open(dir.filePath(QStringLiteral("h.sqlite"))).ok());
        QVERIFY(store.appendStatement(QStringLiteral("p"), QStringLiteral("SHOW JOBS")).ok());
        QVERIFY(store.appendStatement(QStringLiteral("p"), QStringLiteral("SHOW JOBS")).ok());
        QVERIFY(store.appendStatement(QStringLiteral("q"), QStringLiteral("SHOW JOBS")).ok());
        QCOMPARE(store.recentStatements(QStringLiteral("p"), 10)->size(), 1);
        QCOMPARE(store.recentStatements(QStringLiteral("q"), 10)->size(), 1);
        const int total = HistoryStore::MaxStatementHistory + 10;
        for (int i = 0; i < total; ++i)
            QVERIFY(store.appendStatement(QStringLiteral("p"), QStringLiteral("S %1").arg(i)).ok());
        const auto recent = store.recentStatements(QStringLiteral("p"), 5000);
        QVERIFY(recent.ok());
        QVERIFY(recent->size() <= HistoryStore::MaxStatementHistory);
        QCOMPARE(recent->first().statement, QStringLiteral("S %1").arg(total - 1));
    }

    void reloadEvents_filterByBundleAndStayBounded()
    {
        QTemporaryDir dir;
        HistoryStore store;
        QVERIFY(store.open(dir.filePath(QStringLiteral("h.sqlite"))).ok());
        const QDateTime t0 = QDateTime::fromMSecsSinceEpoch(1700000000000, QTimeZone::utc());
        for (int i = 0; i < HistoryStore::MaxReloadEvents + 250; ++i) {
            StoredReloadEvent e;
            e.timestamp = t0.addMSecs(i);
            e.bundle = (i % 2) ? QStringLiteral("/a") : QStringLiteral("/b");
            e.kind = QStringLiteral("CHANGED");
            e.json = QByteArray("{\"n\":") + QByteArray::number(i) + '}';
            QVERIFY(store.appendReloadEvent(e).ok());
        }
        const auto all = store.reloadEvents(100000);
        QVERIFY(all.ok());
        QVERIFY2(all->size() <= HistoryStore::MaxReloadEvents + 100,
                 qPrintable(QString::number(all->size())));
        QVERIFY(all->size() >= HistoryStore::MaxReloadEvents);
        const int last = HistoryStore::MaxReloadEvents + 249;
        QCOMPARE(all->first().json, QByteArray("{\"n\":") + QByteArray::number(last) + '}');
        QCOMPARE(all->first().timestamp, t0.addMSecs(last));
        const auto onlyA = store.reloadEvents(10, QStringLiteral("/a"));
        QVERIFY(onlyA.ok());
        QCOMPARE(onlyA->size(), 10);
        for (const StoredReloadEvent &e : onlyA.value())
            QCOMPARE(e.bundle, QStringLiteral("/a"));
    }

    void migration_fromSchema1_keepsDataAndAddsReloadEvents()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("h.sqlite"));
        {
            // A version-1 database as opsdeck 0.1 wrote it.
            OtherConnection v1(path);
            QVERIFY(v1.exec(QStringLiteral(
                "CREATE TABLE audit_log (id INTEGER PRIMARY KEY AUTOINCREMENT, ts_ms INTEGER NOT "
                "NULL, os_user TEXT NOT NULL, host TEXT NOT NULL, profile TEXT NOT NULL, endpoint "
                "TEXT NOT NULL, statement TEXT NOT NULL, trigger_id TEXT NOT NULL DEFAULT '', "
                "outcome TEXT NOT NULL)")));
            QVERIFY(v1.exec(QStringLiteral(
                "CREATE TABLE statement_history (id INTEGER PRIMARY KEY AUTOINCREMENT, ts_ms "
                "INTEGER NOT NULL, profile TEXT NOT NULL, statement TEXT NOT NULL)")));
            QVERIFY(v1.exec(QStringLiteral("INSERT INTO statement_history (ts_ms, profile, "
                                           "statement) VALUES (1, 'p', 'SHOW JOBS')")));
            QVERIFY(v1.exec(QStringLiteral("PRAGMA user_version=1")));
        }
        HistoryStore store;
        QVERIFY(store.open(path).ok());
        QCOMPARE(store.schemaVersion(), 3);
        QCOMPARE(store.recentStatements(QStringLiteral("p"), 5)->first().statement,
                 QStringLiteral("SHOW JOBS"));
        StoredReloadEvent e;
        e.timestamp = QDateTime::currentDateTimeUtc();
        e.bundle = QStringLiteral("/x");
        e.kind = QStringLiteral("SNAPSHOT");
        QVERIFY(store.appendReloadEvent(e).ok());
        // Schema 3 brought the savepoint ledger.
        SavepointLedgerEntry sp;
        sp.jobId = QStringLiteral("j");
        sp.triggerId = QStringLiteral("t");
        sp.triggeredAt = QDateTime::currentDateTimeUtc();
        sp.state = QStringLiteral("in_progress");
        QVERIFY(store.addSavepoint(sp).ok());
    }

    void auditRows_stayBoundedNewestKept()
    {
        QTemporaryDir dir;
        HistoryStore store;
        QVERIFY(store.open(dir.filePath(QStringLiteral("h.sqlite"))).ok());
        store.setLimits({/*auditRows*/ 300, HistoryStore::MaxSavepoints});
        for (int i = 0; i < 1000; ++i) {
            AuditRecord r;
            r.timestamp = QDateTime::fromMSecsSinceEpoch(1700000000000 + i, QTimeZone::utc());
            r.statement = QStringLiteral("STOP JOB %1").arg(i);
            r.outcome = QStringLiteral("ok");
            const auto id = store.appendAudit(r);
            QVERIFY(id.ok());
            QCOMPARE(id.value(), qint64(i + 1)); // every append stored exactly once
        }
        const auto rows = store.auditRecords(100000);
        QVERIFY(rows.ok());
        // Trimmed every 100 inserts: between the bound and the bound + 100.
        QVERIFY2(rows->size() >= 300 && rows->size() < 400,
                 qPrintable(QString::number(rows->size())));
        QCOMPARE(rows->first().statement, QStringLiteral("STOP JOB 999"));
    }

    void savepointLedger_evictsFinishedEntriesCompletedLastNeverPending()
    {
        QTemporaryDir dir;
        HistoryStore store;
        QVERIFY(store.open(dir.filePath(QStringLiteral("h.sqlite"))).ok());
        store.setLimits({HistoryStore::MaxAuditRows, /*savepoints*/ 10});
        const auto add = [&store](int i, const QString &state) {
            SavepointLedgerEntry e;
            e.jobId = QStringLiteral("job");
            e.triggerId = QStringLiteral("trigger-%1").arg(i);
            e.triggeredAt = QDateTime::fromMSecsSinceEpoch(1000 + i);
            e.state = state;
            return store.addSavepoint(e).ok();
        };
        // 4 pending, 6 completed, then 5 failed: 15 entries for a bound of 10.
        for (int i = 0; i < 4; ++i)
            QVERIFY(add(i, QStringLiteral("in_progress")));
        for (int i = 4; i < 10; ++i)
            QVERIFY(add(i, QStringLiteral("completed")));
        for (int i = 10; i < 15; ++i)
            QVERIFY(add(i, QStringLiteral("failed")));
        auto all = store.savepoints();
        QVERIFY(all.ok());
        QCOMPARE(all->size(), 10);
        int pending = 0, completed = 0, failed = 0;
        for (const SavepointLedgerEntry &e : all.value()) {
            pending += e.state == QLatin1String("in_progress");
            completed += e.state == QLatin1String("completed");
            failed += e.state == QLatin1String("failed");
        }
        // The failed ones went first (oldest first), the completed paths and pending stayed.
        QCOMPARE(pending, 4);
        QCOMPARE(completed, 6);
        QCOMPARE(failed, 0);
        QCOMPARE(all->first().triggerId, QStringLiteral("trigger-9"));
        // Only pending entries: nothing can go, the bound yields (their outcome is still due).
        for (int i = 15; i < 30; ++i)
            QVERIFY(add(i, QStringLiteral("in_progress")));
        all = store.savepoints();
        QCOMPARE(all->size(), 19); // 4 + 15 pending; all 6 completed were evicted, oldest first
        QCOMPARE(store.pendingSavepoints()->size(), 19);
    }

    void savepointLedger_roundTripsAndFindsByTriggerAndLocation()
    {
        QTemporaryDir dir;
        HistoryStore store;
        QVERIFY(store.open(dir.filePath(QStringLiteral("h.sqlite"))).ok());
        SavepointLedgerEntry e;
        e.profile = QStringLiteral("prod");
        e.endpoint = QStringLiteral("https://flink:8081");
        e.jobId = QStringLiteral("0123456789abcdef0123456789abcdef");
        e.jobName = QStringLiteral("orders");
        e.triggerId = QStringLiteral("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
        e.kind = QStringLiteral("savepoint");
        e.triggeredAt = QDateTime::fromMSecsSinceEpoch(1000);
        e.state = QStringLiteral("in_progress");
        const auto id = store.addSavepoint(e);
        QVERIFY(id.ok());
        e.id = id.value();
        QVERIFY(!store.addSavepoint(e).ok()); // the trigger id is unique
        QCOMPARE(store.pendingSavepoints()->size(), 1);

        e.state = QStringLiteral("completed");
        e.location = QStringLiteral("file:/sp/savepoint-012345-abcdefabcdef");
        e.completedAt = QDateTime::fromMSecsSinceEpoch(5000);
        QVERIFY(store.updateSavepoint(e).ok());
        QCOMPARE(store.pendingSavepoints()->size(), 0);
        const auto byTrigger = store.savepointByTrigger(e.triggerId);
        QVERIFY(byTrigger.ok() && byTrigger->has_value());
        QCOMPARE(byTrigger->value().location, e.location);
        QCOMPARE(byTrigger->value().completedAt, e.completedAt);
        QCOMPARE(byTrigger->value().jobName, QStringLiteral("orders"));
        // A path with or without its scheme finds the same entry.
        QVERIFY(store.savepointByLocation(QStringLiteral("/sp/savepoint-012345-abcdefabcdef"))
                    ->has_value());
        QVERIFY(store.savepointByLocation(e.location)->has_value());
        QVERIFY(!store.savepointByLocation(QStringLiteral("/elsewhere"))->has_value());
        QCOMPARE(store.savepoints(e.jobId)->size(), 1);
        QCOMPARE(store.savepoints(QStringLiteral("ffffffffffffffffffffffffffffffff"))->size(), 0);

        SavepointLedgerEntry missing = e;
        missing.id = 999;
        QCOMPARE(store.updateSavepoint(missing).error().code, ErrorCode::NotFound);
    }

    void corruptFile_isAClearErrorNamingTheFile()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("history.sqlite"));
        QByteArray garbage;
        for (int i = 0; i < 8192; ++i)
            garbage.append(char((i * 131 + 7) & 0xff));
        writeBytes(path, garbage);
        HistoryStore store;
        const auto opened = store.open(path);
        QVERIFY(!opened);
        QCOMPARE(opened.error().code, ErrorCode::Corrupt);
        QCOMPARE(opened.error().where, path);
        QVERIFY(opened.error().message.contains(QStringLiteral("corrupt")));
        QVERIFY(!store.isOpen());
        QVERIFY(!store.appendStatement(QStringLiteral("p"), QStringLiteral("x")).ok());
    }

    void truncatedDatabase_isCorrupt()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("history.sqlite"));
        {
            HistoryStore store;
            QVERIFY(store.open(path).ok());
            for (int i = 0; i < 200; ++i)
                QVERIFY(store
                            .appendStatement(QStringLiteral("p"),
                                             QString(200, QLatin1Char('x')) + QString::number(i))
                            .ok());
        }
        // Keep the header page, damage everything after it.
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadWrite));
        QVERIFY(f.size() > 8192);
        f.seek(4096);
        f.write(QByteArray(4096, '\xee'));
        f.close();
        HistoryStore store;
        const auto opened = store.open(path);
        QVERIFY(!opened);
        QCOMPARE(opened.error().code, ErrorCode::Corrupt);
    }

    void lockedByAnotherConnection_isBusy()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("history.sqlite"));
        {
            HistoryStore store;
            QVERIFY(store.open(path).ok());
        }
        OtherConnection other(path);
        QVERIFY(other.exec(QStringLiteral("PRAGMA locking_mode=EXCLUSIVE")));
        QVERIFY(other.exec(QStringLiteral("BEGIN EXCLUSIVE")));
        QVERIFY(other.exec(QStringLiteral(
            "INSERT INTO statement_history (ts_ms, profile, statement) VALUES (1, 'x', 'y')")));
        HistoryStore store;
        const auto opened = store.open(path);
        QVERIFY(!opened);
        QCOMPARE(opened.error().code, ErrorCode::Busy);
        QVERIFY(opened.error().message.contains(QStringLiteral("locked")));
        QVERIFY(other.exec(QStringLiteral("COMMIT")));
    }

    void newerSchema_isLeftUntouched()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("history.sqlite"));
        {
            OtherConnection other(path);
            QVERIFY(other.exec(QStringLiteral("PRAGMA user_version=99")));
        }
        HistoryStore store;
        const auto opened = store.open(path);
        QVERIFY(!opened);
        QCOMPARE(opened.error().code, ErrorCode::Unsupported);
        QVERIFY(opened.error().message.contains(QStringLiteral("99")));
        OtherConnection other(path);
        QSqlQuery q(QSqlDatabase::database(QStringLiteral("other")));
        QVERIFY(q.exec(QStringLiteral("PRAGMA user_version")) && q.next());
        QCOMPARE(q.value(0).toInt(), 99);
    }

    void directoryOrUnreadablePath_isClearError()
    {
        QTemporaryDir dir;
        HistoryStore store;
        const auto asDir = store.open(dir.path());
        QVERIFY(!asDir);
        QCOMPARE(asDir.error().code, ErrorCode::InvalidArgument);
        QCOMPARE(asDir.error().where, dir.path());

        const QString path = dir.filePath(QStringLiteral("history.sqlite"));
        {
            HistoryStore created;
            QVERIFY(created.open(path).ok());
        }
        QFile::setPermissions(path, QFileDevice::Permissions());
        if (::geteuid() == 0)
            QSKIP("root can read any file; permission errors cannot be provoked");
        const auto unreadable = store.open(path);
        QVERIFY(!unreadable);
        QCOMPARE(unreadable.error().code, ErrorCode::PermissionDenied);
    }
};

OPSDECK_TEST_GUILESS_MAIN(TestHistoryStore)
#include "tst_historystore.moc"
