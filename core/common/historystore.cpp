// SPDX-License-Identifier: GPL-3.0-or-later
#include "historystore.h"

#include "logging.h"

#include <QAtomicInteger>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QTimeZone>
#include <QVariant>

namespace opsdeck {

namespace {

QAtomicInteger<quint64> s_connectionCounter;

// Each step brings the schema from version (index) to version (index + 1).
const char *const Migrations[] = {
    // 0 -> 1
    "CREATE TABLE audit_log ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " ts_ms INTEGER NOT NULL,"
    " os_user TEXT NOT NULL, host TEXT NOT NULL, profile TEXT NOT NULL,"
    " endpoint TEXT NOT NULL, statement TEXT NOT NULL,"
    " trigger_id TEXT NOT NULL DEFAULT '', outcome TEXT NOT NULL);"
    "CREATE TABLE statement_history ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " ts_ms INTEGER NOT NULL, profile TEXT NOT NULL, statement TEXT NOT NULL);"
    "CREATE INDEX statement_history_profile ON statement_history(profile, id);",
    // 1 -> 2: the TLS module's reload timeline
    "CREATE TABLE reload_events ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " ts_ms INTEGER NOT NULL, bundle TEXT NOT NULL, kind TEXT NOT NULL, json BLOB NOT NULL);"
    "CREATE INDEX reload_events_bundle ON reload_events(bundle, id);",
    // 2 -> 3: the Job control module's savepoint ledger
    "CREATE TABLE savepoint_ledger ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " profile TEXT NOT NULL, endpoint TEXT NOT NULL, job_id TEXT NOT NULL,"
    " job_name TEXT NOT NULL, trigger_id TEXT NOT NULL UNIQUE, kind TEXT NOT NULL,"
    " target_directory TEXT NOT NULL, format TEXT NOT NULL,"
    " triggered_ms INTEGER NOT NULL, updated_ms INTEGER NOT NULL, completed_ms INTEGER,"
    " location TEXT NOT NULL, state TEXT NOT NULL, failure TEXT NOT NULL,"
    " disposal_trigger_id TEXT NOT NULL);"
    "CREATE INDEX savepoint_ledger_job ON savepoint_ledger(job_id, id);"
    "CREATE INDEX savepoint_ledger_location ON savepoint_ledger(location);",
};
static_assert(std::size(Migrations) == HistoryStore::SchemaVersion);

// Qt SQL binds a null QString as SQL NULL; our text columns are NOT NULL, so bind "" instead.
QVariant text(const QString &value)
{
    return value.isNull() ? QVariant(QStringLiteral("")) : QVariant(value);
}

bool looksCorrupt(const QSqlError &error)
{
    const QString text = error.databaseText() + error.driverText();
    return text.contains(QLatin1String("not a database")) ||
           text.contains(QLatin1String("malformed")) || text.contains(QLatin1String("corrupt"));
}

bool looksBusy(const QSqlError &error)
{
    const QString text = error.databaseText() + error.driverText();
    return text.contains(QLatin1String("locked")) || text.contains(QLatin1String("busy"));
}

} // namespace

HistoryStore::HistoryStore()
    : m_connection(
          QStringLiteral("opsdeck-history-%1").arg(s_connectionCounter.fetchAndAddRelaxed(1)))
{}

HistoryStore::~HistoryStore()
{
    close();
}

QString HistoryStore::defaultPath()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) +
           QStringLiteral("/history.sqlite");
}

Error HistoryStore::sqlError(const QString &what, const QString &detail) const
{
    return makeError(ErrorCode::Io, QStringLiteral("%1: %2").arg(what, detail), m_path);
}

Error HistoryStore::sqlError(const QString &what, const QSqlError &error) const
{
    // SQLITE_FULL (13): say it the way the operator knows it; SQLite's own text ("database or
    // disk is full") follows.
    if (error.nativeErrorCode() == QLatin1String("13") ||
        error.databaseText().contains(QLatin1String("disk is full")))
        return makeError(ErrorCode::Io,
                         QStringLiteral("%1: no space left on device (%2)").arg(what, error.text()),
                         m_path);
    return sqlError(what, error.text());
}

Result<void> HistoryStore::open(const QString &path)
{
    close();
    m_path = path;
    const QFileInfo info(path);
    if (info.exists() && !info.isFile())
        return makeError(ErrorCode::InvalidArgument,
                         QStringLiteral("history database path is not a regular file"), path);
    if (info.exists() && !info.isReadable())
        return makeError(ErrorCode::PermissionDenied,
                         QStringLiteral("history database is not readable (permission denied)"),
                         path);
    if (info.exists() && !info.isWritable())
        return makeError(ErrorCode::PermissionDenied,
                         QStringLiteral("history database is not writable (permission denied)"),
                         path);
    if (!QDir().mkpath(info.absolutePath()))
        return makeError(ErrorCode::Io, QStringLiteral("cannot create the data directory"), path);
    const bool created = !info.exists();

    Result<void> result = [&]() -> Result<void> {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connection);
        if (!db.isValid())
            return makeError(ErrorCode::Unsupported,
                             QStringLiteral("the Qt SQLite driver (QSQLITE) is not installed"),
                             path);
        db.setDatabaseName(path);
        db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=750"));
        if (!db.open())
            return makeError(
                ErrorCode::Io,
                QStringLiteral("cannot open history database: %1").arg(db.lastError().text()),
                path);
        if (created)
            QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::WriteOwner);

        QSqlQuery q(db);
        // The first statement that reads the file tells whether it is SQLite at all.
        if (!q.exec(QStringLiteral("PRAGMA journal_mode=WAL")) || !q.next()) {
            const QSqlError e = q.lastError();
            if (looksCorrupt(e))
                return makeError(ErrorCode::Corrupt,
                                 QStringLiteral("history database is corrupt or not an SQLite "
                                                "file (%1); move it away to start a new history")
                                     .arg(e.databaseText()),
                                 path);
            if (looksBusy(e))
                return makeError(ErrorCode::Busy,
                                 QStringLiteral("history database is locked by another process"),
                                 path);
            return sqlError(QStringLiteral("cannot set WAL mode"), e.text());
        }
        if (q.value(0).toString().compare(QLatin1String("wal"), Qt::CaseInsensitive) != 0)
            qCWarning(lcHistory) << "journal mode is" << q.value(0).toString() << "for" << path;
        q.exec(QStringLiteral("PRAGMA synchronous=NORMAL"));
        if (!q.exec(QStringLiteral("PRAGMA quick_check")) || !q.next()) {
            const QSqlError e = q.lastError();
            if (looksBusy(e))
                return makeError(ErrorCode::Busy,
                                 QStringLiteral("history database is locked by another process"),
                                 path);
            return makeError(ErrorCode::Corrupt,
                             QStringLiteral("history database is corrupt (%1); move it away to "
                                            "start a new history")
                                 .arg(e.databaseText()),
                             path);
        }
        const QString check = q.value(0).toString();
        if (check != QLatin1String("ok"))
            return makeError(ErrorCode::Corrupt,
                             QStringLiteral("history database failed its integrity check (%1); "
                                            "move it away to start a new history")
                                 .arg(check.left(200)),
                             path);
        return migrate();
    }();

    if (!result) {
        close();
        return result;
    }
    m_open = true;
    qCDebug(lcHistory) << "history store open at" << path << "schema" << schemaVersion();
    return {};
}

void HistoryStore::close()
{
    m_open = false;
    m_auditInsert.reset(); // queries must go before their connection
    if (QSqlDatabase::contains(m_connection)) {
        {
            QSqlDatabase db = QSqlDatabase::database(m_connection, false);
            db.close();
        }
        QSqlDatabase::removeDatabase(m_connection);
    }
}

int HistoryStore::schemaVersion() const
{
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    if (q.exec(QStringLiteral("PRAGMA user_version")) && q.next())
        return q.value(0).toInt();
    return -1;
}

Result<void> HistoryStore::migrate()
{
    QSqlDatabase db = QSqlDatabase::database(m_connection, false);
    const int current = schemaVersion();
    if (current < 0)
        return sqlError(QStringLiteral("cannot read the schema version"), db.lastError());
    if (current > SchemaVersion)
        return makeError(ErrorCode::Unsupported,
                         QStringLiteral("history database has schema version %1, newer than this "
                                        "opsdeck (%2); it is left untouched")
                             .arg(current)
                             .arg(SchemaVersion),
                         m_path);
    for (int version = current; version < SchemaVersion; ++version) {
        if (!db.transaction())
            return makeError(looksBusy(db.lastError()) ? ErrorCode::Busy : ErrorCode::Io,
                             QStringLiteral("cannot start the migration to schema %1: %2")
                                 .arg(version + 1)
                                 .arg(db.lastError().text()),
                             m_path);
        QSqlQuery q(db);
        const QStringList statements =
            QString::fromLatin1(Migrations[version]).split(QLatin1Char(';'), Qt::SkipEmptyParts);
        for (const QString &statement : statements) {
            if (!q.exec(statement)) {
                const QSqlError e = q.lastError();
                db.rollback();
                return makeError(looksBusy(e) ? ErrorCode::Busy : ErrorCode::Io,
                                 QStringLiteral("migration to schema %1 failed: %2")
                                     .arg(version + 1)
                                     .arg(e.text()),
                                 m_path);
            }
        }
        q.exec(QStringLiteral("PRAGMA user_version=%1").arg(version + 1));
        if (!db.commit()) {
            const QSqlError e = db.lastError();
            db.rollback();
            return makeError(
                looksBusy(e) ? ErrorCode::Busy : ErrorCode::Io,
                QStringLiteral("migration to schema %1 failed: %2").arg(version + 1).arg(e.text()),
                m_path);
        }
        qCInfo(lcHistory) << "history schema migrated to" << version + 1;
    }
    return {};
}

Result<qint64> HistoryStore::appendAudit(const AuditRecord &record)
{
    if (!m_open)
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("history store is not open"));
    if (!m_auditInsert) {
        m_auditInsert = std::make_unique<QSqlQuery>(QSqlDatabase::database(m_connection, false));
        if (!m_auditInsert->prepare(QStringLiteral(
                "INSERT INTO audit_log (ts_ms, os_user, host, profile, endpoint, statement, "
                "trigger_id, outcome) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"))) {
            const QString detail = m_auditInsert->lastError().text();
            m_auditInsert.reset();
            return sqlError(QStringLiteral("cannot prepare the audit insert"), detail);
        }
    }
    QSqlQuery &q = *m_auditInsert;
    q.addBindValue(record.timestamp.toMSecsSinceEpoch());
    q.addBindValue(text(record.user));
    q.addBindValue(text(record.host));
    q.addBindValue(text(record.profile));
    q.addBindValue(text(record.endpoint));
    q.addBindValue(text(record.statement));
    q.addBindValue(text(record.triggerId));
    q.addBindValue(text(record.outcome));
    if (!q.exec())
        return sqlError(QStringLiteral("cannot append to the audit log"), q.lastError());
    const qint64 id = q.lastInsertId().toLongLong();
    // Bound: the oldest rows beyond the limit go (checked every 100 inserts; audit.jsonl keeps
    // the complete record). As for reload events, a failed trim does not fail the append.
    if (id % 100 == 0 && id > m_limits.auditRows) {
        QSqlQuery trim(QSqlDatabase::database(m_connection, false));
        trim.prepare(QStringLiteral("DELETE FROM audit_log WHERE id <= ?"));
        trim.addBindValue(id - m_limits.auditRows);
        if (!trim.exec())
            qCWarning(lcHistory) << "cannot trim the audit rows:" << trim.lastError().text()
                                 << m_path;
    }
    return id;
}

Result<QList<AuditRecord>> HistoryStore::auditRecords(int limit) const
{
    if (!m_open)
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("history store is not open"));
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    q.prepare(QStringLiteral("SELECT id, ts_ms, os_user, host, profile, endpoint, statement, "
                             "trigger_id, outcome FROM audit_log ORDER BY id DESC LIMIT ?"));
    q.addBindValue(limit);
    if (!q.exec())
        return sqlError(QStringLiteral("cannot read the audit log"), q.lastError());
    QList<AuditRecord> records;
    while (q.next()) {
        AuditRecord r;
        r.id = q.value(0).toLongLong();
        r.timestamp = QDateTime::fromMSecsSinceEpoch(q.value(1).toLongLong());
        r.user = q.value(2).toString();
        r.host = q.value(3).toString();
        r.profile = q.value(4).toString();
        r.endpoint = q.value(5).toString();
        r.statement = q.value(6).toString();
        r.triggerId = q.value(7).toString();
        r.outcome = q.value(8).toString();
        records.append(r);
    }
    return records;
}

Result<void> HistoryStore::appendStatement(const QString &profile, const QString &statement)
{
    if (!m_open)
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("history store is not open"));
    QSqlDatabase db = QSqlDatabase::database(m_connection, false);
    QSqlQuery q(db);
    q.prepare(QStringLiteral("SELECT statement FROM statement_history WHERE profile = ? "
                             "ORDER BY id DESC LIMIT 1"));
    q.addBindValue(profile);
    if (q.exec() && q.next() && q.value(0).toString() == statement)
        return {};
    q.prepare(QStringLiteral(
        "INSERT INTO statement_history (ts_ms, profile, statement) VALUES (?, ?, ?)"));
    q.addBindValue(QDateTime::currentMSecsSinceEpoch());
    q.addBindValue(text(profile));
    q.addBindValue(text(statement));
    if (!q.exec())
        return sqlError(QStringLiteral("cannot store the statement"), q.lastError());
    // Bound: the newest MaxStatementHistory rows across all profiles.
    q.prepare(QStringLiteral("DELETE FROM statement_history WHERE id <= "
                             "(SELECT MAX(id) FROM statement_history) - ?"));
    q.addBindValue(MaxStatementHistory);
    if (!q.exec())
        return sqlError(QStringLiteral("cannot trim the statement history"), q.lastError());
    return {};
}

Result<QList<StatementHistoryEntry>> HistoryStore::recentStatements(const QString &profile,
                                                                    int limit) const
{
    if (!m_open)
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("history store is not open"));
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    q.prepare(QStringLiteral("SELECT id, ts_ms, profile, statement FROM statement_history "
                             "WHERE profile = ? ORDER BY id DESC LIMIT ?"));
    q.addBindValue(profile);
    q.addBindValue(limit);
    if (!q.exec())
        return sqlError(QStringLiteral("cannot read the statement history"), q.lastError());
    QList<StatementHistoryEntry> entries;
    while (q.next())
        entries.append({q.value(0).toLongLong(),
                        QDateTime::fromMSecsSinceEpoch(q.value(1).toLongLong()),
                        q.value(2).toString(), q.value(3).toString()});
    return entries;
}

Result<qint64> HistoryStore::appendReloadEvent(const StoredReloadEvent &event)
{
    if (!m_open)
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("history store is not open"));
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    q.prepare(QStringLiteral(
        "INSERT INTO reload_events (ts_ms, bundle, kind, json) VALUES (?, ?, ?, ?)"));
    q.addBindValue(event.timestamp.toMSecsSinceEpoch());
    q.addBindValue(text(event.bundle));
    q.addBindValue(text(event.kind));
    q.addBindValue(event.json.isNull() ? QByteArray("") : event.json);
    if (!q.exec())
        return sqlError(QStringLiteral("cannot store the reload event"), q.lastError());
    const qint64 id = q.lastInsertId().toLongLong();
    // Bound: evict the oldest rows beyond MaxReloadEvents (checked every 100 inserts).
    if (id % 100 == 0) {
        q.prepare(QStringLiteral("DELETE FROM reload_events WHERE id <= ?"));
        q.addBindValue(id - MaxReloadEvents);
        // The event is stored: a failed trim (e.g. a full disk) must not report the append as
        // failed, or a caller that retries would store it twice. The next trim catches up.
        if (!q.exec())
            qCWarning(lcHistory) << "cannot trim the reload events:" << q.lastError().text()
                                 << m_path;
    }
    return id;
}

Result<QList<StoredReloadEvent>> HistoryStore::reloadEvents(int limit, const QString &bundle) const
{
    if (!m_open)
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("history store is not open"));
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    if (bundle.isEmpty()) {
        q.prepare(QStringLiteral("SELECT id, ts_ms, bundle, kind, json FROM reload_events "
                                 "ORDER BY id DESC LIMIT ?"));
    } else {
        q.prepare(QStringLiteral("SELECT id, ts_ms, bundle, kind, json FROM reload_events "
                                 "WHERE bundle = ? ORDER BY id DESC LIMIT ?"));
        q.addBindValue(bundle);
    }
    q.addBindValue(limit);
    if (!q.exec())
        return sqlError(QStringLiteral("cannot read the reload events"), q.lastError());
    QList<StoredReloadEvent> events;
    while (q.next())
        events.append({q.value(0).toLongLong(),
                       QDateTime::fromMSecsSinceEpoch(q.value(1).toLongLong(), QTimeZone::utc()),
                       q.value(2).toString(), q.value(3).toString(), q.value(4).toByteArray()});
    return events;
}

namespace {

const char SavepointColumns[] =
    "id, profile, endpoint, job_id, job_name, trigger_id, kind, target_directory, format, "
    "triggered_ms, updated_ms, completed_ms, location, state, failure, disposal_trigger_id";

QVariant msOrNull(const QDateTime &time)
{
    return time.isValid() ? QVariant(time.toMSecsSinceEpoch())
                          : QVariant(QMetaType(QMetaType::LongLong));
}

QDateTime timeOrNull(const QVariant &value)
{
    return value.isNull() ? QDateTime() : QDateTime::fromMSecsSinceEpoch(value.toLongLong());
}

} // namespace

Result<qint64> HistoryStore::addSavepoint(const SavepointLedgerEntry &e)
{
    if (!m_open)
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("history store is not open"));
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    q.prepare(QStringLiteral("INSERT INTO savepoint_ledger (profile, endpoint, job_id, job_name, "
                             "trigger_id, kind, target_directory, format, triggered_ms, "
                             "updated_ms, completed_ms, location, state, failure, "
                             "disposal_trigger_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                             "?, ?)"));
    q.addBindValue(text(e.profile));
    q.addBindValue(text(e.endpoint));
    q.addBindValue(text(e.jobId));
    q.addBindValue(text(e.jobName));
    q.addBindValue(text(e.triggerId));
    q.addBindValue(text(e.kind));
    q.addBindValue(text(e.targetDirectory));
    q.addBindValue(text(e.format));
    q.addBindValue(e.triggeredAt.toMSecsSinceEpoch());
    q.addBindValue((e.updatedAt.isValid() ? e.updatedAt : e.triggeredAt).toMSecsSinceEpoch());
    q.addBindValue(msOrNull(e.completedAt));
    q.addBindValue(text(e.location));
    q.addBindValue(text(e.state));
    q.addBindValue(text(e.failure));
    q.addBindValue(text(e.disposalTriggerId));
    if (!q.exec())
        return sqlError(QStringLiteral("cannot add to the savepoint ledger"), q.lastError());
    const qint64 id = q.lastInsertId().toLongLong();
    // Bound: beyond the limit the oldest finished entries go, completed ones last; entries whose
    // outcome is still to be learned stay. A failed trim does not fail the add (no double entry
    // from a caller that retries).
    QSqlQuery trim(QSqlDatabase::database(m_connection, false));
    trim.prepare(QStringLiteral(
        "DELETE FROM savepoint_ledger WHERE id IN (SELECT id FROM savepoint_ledger WHERE state "
        "NOT IN ('in_progress', 'disposing') ORDER BY state = 'completed', id LIMIT max(0, "
        "(SELECT count(*) FROM savepoint_ledger) - ?))"));
    trim.addBindValue(m_limits.savepoints);
    if (!trim.exec())
        qCWarning(lcHistory) << "cannot trim the savepoint ledger:" << trim.lastError().text()
                             << m_path;
    return id;
}

Result<void> HistoryStore::updateSavepoint(const SavepointLedgerEntry &e)
{
    if (!m_open)
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("history store is not open"));
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    q.prepare(QStringLiteral("UPDATE savepoint_ledger SET trigger_id = ?, job_name = ?, "
                             "updated_ms = ?, completed_ms = ?, location = ?, state = ?, "
                             "failure = ?, disposal_trigger_id = ? WHERE id = ?"));
    q.addBindValue(text(e.triggerId));
    q.addBindValue(text(e.jobName));
    q.addBindValue((e.updatedAt.isValid() ? e.updatedAt : QDateTime::currentDateTimeUtc())
                       .toMSecsSinceEpoch());
    q.addBindValue(msOrNull(e.completedAt));
    q.addBindValue(text(e.location));
    q.addBindValue(text(e.state));
    q.addBindValue(text(e.failure));
    q.addBindValue(text(e.disposalTriggerId));
    q.addBindValue(e.id);
    if (!q.exec())
        return sqlError(QStringLiteral("cannot update the savepoint ledger"), q.lastError());
    if (q.numRowsAffected() != 1)
        return makeError(ErrorCode::NotFound,
                         QStringLiteral("no savepoint ledger entry %1").arg(e.id), m_path);
    return {};
}

Result<QList<SavepointLedgerEntry>> HistoryStore::querySavepoints(const QString &where,
                                                                  const QVariantList &binds) const
{
    if (!m_open)
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("history store is not open"));
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    q.prepare(QStringLiteral("SELECT %1 FROM savepoint_ledger %2 ORDER BY id DESC")
                  .arg(QLatin1String(SavepointColumns), where));
    for (const QVariant &b : binds)
        q.addBindValue(b);
    if (!q.exec())
        return sqlError(QStringLiteral("cannot read the savepoint ledger"), q.lastError());
    QList<SavepointLedgerEntry> out;
    while (q.next()) {
        SavepointLedgerEntry e;
        e.id = q.value(0).toLongLong();
        e.profile = q.value(1).toString();
        e.endpoint = q.value(2).toString();
        e.jobId = q.value(3).toString();
        e.jobName = q.value(4).toString();
        e.triggerId = q.value(5).toString();
        e.kind = q.value(6).toString();
        e.targetDirectory = q.value(7).toString();
        e.format = q.value(8).toString();
        e.triggeredAt = QDateTime::fromMSecsSinceEpoch(q.value(9).toLongLong());
        e.updatedAt = QDateTime::fromMSecsSinceEpoch(q.value(10).toLongLong());
        e.completedAt = timeOrNull(q.value(11));
        e.location = q.value(12).toString();
        e.state = q.value(13).toString();
        e.failure = q.value(14).toString();
        e.disposalTriggerId = q.value(15).toString();
        out.append(e);
    }
    return out;
}

Result<QList<SavepointLedgerEntry>> HistoryStore::savepoints(const QString &jobId) const
{
    if (jobId.isEmpty())
        return querySavepoints({}, {});
    return querySavepoints(QStringLiteral("WHERE job_id = ?"), QVariantList{jobId});
}

Result<std::optional<SavepointLedgerEntry>>
HistoryStore::savepointByTrigger(const QString &triggerId) const
{
    auto rows = querySavepoints(QStringLiteral("WHERE trigger_id = ?"), QVariantList{triggerId});
    if (!rows)
        return rows.error();
    if (rows->isEmpty())
        return std::optional<SavepointLedgerEntry>();
    return std::optional<SavepointLedgerEntry>(rows->first());
}

Result<std::optional<SavepointLedgerEntry>>
HistoryStore::savepointByLocation(const QString &path) const
{
    QString bare = path;
    if (bare.startsWith(QLatin1String("file:")))
        bare = bare.mid(5);
    auto rows = querySavepoints(QStringLiteral("WHERE location IN (?, ?, ?) AND location <> ''"),
                                QVariantList{path, bare, QString(QStringLiteral("file:") + bare)});
    if (!rows)
        return rows.error();
    if (rows->isEmpty())
        return std::optional<SavepointLedgerEntry>();
    return std::optional<SavepointLedgerEntry>(rows->first());
}

Result<QList<SavepointLedgerEntry>> HistoryStore::pendingSavepoints() const
{
    return querySavepoints(QStringLiteral("WHERE state IN ('in_progress', 'disposing')"), {});
}

} // namespace opsdeck
