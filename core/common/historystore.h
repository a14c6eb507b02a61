// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "result.h"

#include <QDateTime>
#include <QList>
#include <QString>
#include <QThread>
#include <memory>

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
    static constexpr int SchemaVersion = 2;
    static constexpr int MaxStatementHistory = 1000;
    static constexpr int MaxReloadEvents = 10000;

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

private:
    Result<void> migrate();
    Error sqlError(const QString &what, const QString &detail) const;

    std::unique_ptr<QSqlQuery> m_auditInsert; // prepared once: re-preparing doubles the cost
    QString m_connection;
    QString m_path;
    bool m_open = false;
};

} // namespace opsdeck
