// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "result.h"

#include <QDateTime>
#include <QList>
#include <QString>
#include <QThread>
#include <QVariantList>
#include <memory>
#include <optional>

class QSqlError;
class QSqlQuery;

namespace opsdeck {

// One line of the audit trail: who ran which mutating statement where, and how it ended.
struct AuditRecord
{
    qint64 id = 0;
    QDateTime timestamp;
    QString user;
    QString host;
    QString profile;
    QString endpoint;
    QString statement;
    QString triggerId;
    QString outcome;
};

// One stored reload event of the TLS module: when, which bundle, which kind, and the event's own
// JSON (the same object `opsdeck certs watch` prints).
struct StoredReloadEvent
{
    qint64 id = 0;
    QDateTime timestamp;
    QString bundle;
    QString kind;
    QByteArray json;
};

// One savepoint opsdeck triggered (CREATE SAVEPOINT or STOP JOB ... WITH SAVEPOINT), kept so a
// path is never lost: Flink itself remembers only its last 10 checkpoints.
struct SavepointLedgerEntry
{
    qint64 id = 0;
    QString profile;
    QString endpoint;
    QString jobId;
    QString jobName;
    QString triggerId; // ours, sent as "triggerId"; unique
    QString kind;      // "savepoint", "stop", "stop_drain"
    QString targetDirectory;
    QString format;
    QDateTime triggeredAt;
    QDateTime updatedAt;
    QDateTime completedAt;
    QString location;
    // in_progress, completed, failed, unknown (result expired or never seen), disposing, disposed
    QString state;
    QString failure;           // class and first message line, or the disposal error
    QString disposalTriggerId; // while disposing

    bool operator==(const SavepointLedgerEntry &) const = default;
};

struct StatementHistoryEntry
{
    qint64 id = 0;
    QDateTime timestamp;
    QString profile;
    QString statement;
};

// opsdeck's history on disk: SQLite through Qt SQL, WAL mode, schema versioned (PRAGMA
// user_version) and migrated forward one step at a time inside a transaction.
//
// open() never throws and never aborts the program: a corrupt, locked, unreadable or too-new
// database gives an Error naming the file and the problem, and the store stays disabled. The
// object belongs to the thread that created it (Qt SQL connections are per thread).
class HistoryStore
{
public:
    static constexpr int SchemaVersion = 3;
    static constexpr int MaxStatementHistory = 1000;
    static constexpr int MaxReloadEvents = 10000;
    // The audit rows behind the GUI's views (the complete record is audit.jsonl, see AuditTrail):
    // the oldest beyond this are evicted.
    static constexpr int MaxAuditRows = 100000;
    // Savepoint ledger entries: beyond this the oldest finished entries are evicted, disposed,
    // failed and unknown ones before completed ones; entries still in progress or disposing are
    // never evicted (opsdeck still has to learn their outcome).
    static constexpr int MaxSavepoints = 10000;

    // The bounds in force (tests shrink them to reach them quickly).
    struct Limits
    {
        int auditRows = MaxAuditRows;
        int savepoints = MaxSavepoints;
    };
    void setLimits(const Limits &limits) { m_limits = limits; }

    HistoryStore();
    ~HistoryStore();
    HistoryStore(const HistoryStore &) = delete;
    HistoryStore &operator=(const HistoryStore &) = delete;

    static QString defaultPath();

    Result<void> open(const QString &path);
    void close();

    bool isOpen() const { return m_open; }
    QString path() const { return m_path; }
    int schemaVersion() const;

    Result<qint64> appendAudit(const AuditRecord &record);
    Result<QList<AuditRecord>> auditRecords(int limit = 100) const;

    // Keeps the newest MaxStatementHistory entries; an immediate repeat of the last statement of
    // the same profile is not stored twice.
    Result<void> appendStatement(const QString &profile, const QString &statement);
    Result<QList<StatementHistoryEntry>> recentStatements(const QString &profile, int limit) const;

    // Keeps the newest MaxReloadEvents events (oldest evicted first).
    Result<qint64> appendReloadEvent(const StoredReloadEvent &event);
    // Newest first; an empty bundle means every bundle.
    Result<QList<StoredReloadEvent>> reloadEvents(int limit, const QString &bundle = {}) const;

    // The savepoint ledger. addSavepoint() fails on a duplicate trigger id and returns the row
    // id; updateSavepoint() rewrites the mutable fields (trigger id included) of row `entry.id`.
    Result<qint64> addSavepoint(const SavepointLedgerEntry &entry);
    Result<void> updateSavepoint(const SavepointLedgerEntry &entry);
    // Newest first; an empty job id means every job.
    Result<QList<SavepointLedgerEntry>> savepoints(const QString &jobId = {}) const;
    Result<std::optional<SavepointLedgerEntry>> savepointByTrigger(const QString &triggerId) const;
    // The newest entry with that location (a path may be given with or without "file:").
    Result<std::optional<SavepointLedgerEntry>> savepointByLocation(const QString &path) const;
    // Entries whose outcome opsdeck has not learned yet (in_progress, disposing).
    Result<QList<SavepointLedgerEntry>> pendingSavepoints() const;

private:
    Result<QList<SavepointLedgerEntry>> querySavepoints(const QString &where,
                                                        const QVariantList &binds) const;
    Result<void> migrate();
    Error sqlError(const QString &what, const QString &detail) const;
    Error sqlError(const QString &what, const QSqlError &error) const;

    std::unique_ptr<QSqlQuery> m_auditInsert; // prepared once: re-preparing doubles the cost
    QString m_connection;
    QString m_path;
    bool m_open = false;
    Limits m_limits;
};

} // namespace opsdeck
