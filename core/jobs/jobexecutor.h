// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/historystore.h"
#include "jobs/flinkjson.h"
#include "jobs/restclient.h"
#include "jobs/statement.h"

#include <QDateTime>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QVariant>
#include <functional>
#include <optional>

namespace opsdeck {
class HistoryStore;
} // namespace opsdeck

namespace opsdeck::jobs {

class AuditTrail;

enum class ColumnType
{
    Text,
    Time,     // epoch ms (qint64); -1 or null shown empty
    Duration, // ms (qint64)
};

struct ResultColumn
{
    QString name;
    ColumnType type = ColumnType::Text;
    bool operator==(const ResultColumn &) const = default;
};

enum class ExecStatus
{
    Ok,
    Failed,      // the cluster refused, or the operation completed with a failure
    InProgress,  // an asynchronous operation is still running (wait limit or --detach)
    NotExecuted, // not sent: unreachable, TLS refused, declined
};
QString execStatusName(ExecStatus status); // ok, failed, in_progress, not_executed

struct StatementResult
{
    Statement statement;
    QList<ResultColumn> columns;
    QList<QVariantList> rows;
    ExecStatus status = ExecStatus::Ok;
    QString triggerId;
    std::optional<RestError> error;
    QString info; // one line for people: "job cancellation requested", warnings

    // {"statement","columns","rows","status","trigger_id","error":{kind,http_status,message}}
    QJsonObject toJson() const;
};

// The SHOW JOBS result for a decoded /jobs/overview: newest start time first, Flink SQL's
// columns plus end time, duration and tasks (running/total).
StatementResult jobsOverviewResult(const Statement &statement, const QList<JobOverview> &jobs);

// Local time with milliseconds ("2026-12-05 16:03:51.523"), durations as "1d 02:03:04".
QString formatCell(ColumnType type, const QVariant &value);

// A savepoint, stop-with-savepoint or disposal that opsdeck triggered and follows.
struct JobOperation
{
    enum class State
    {
        InProgress,
        Completed,
        Failed,
        Unknown, // the result expired on the server or was never seen
    };
    QString triggerId;
    QString kind; // savepoint, stop, stop_drain, disposal
    QString jobId;
    QString jobName;
    QString savepointPath; // disposal: the path being disposed
    QDateTime startedAt;
    QDateTime finishedAt;
    State state = State::InProgress;
    QString location; // savepoint path once completed
    QString failure;  // class: first line, or why it is unknown
    int transientErrors = 0;
};
QString operationStateName(JobOperation::State state);

// Runs statements against one Flink REST endpoint. Lives on the thread of its RestClient; every
// call returns at once and answers through a callback on that thread. Asynchronous operations
// are polled in the background with back-off (10 ms doubling to 2 s) until they finish, whatever
// the caller's wait limit: a wait limit answers InProgress with the trigger id and the polling
// goes on. Every trigger carries opsdeck's own triggerId, is recorded in the savepoint ledger
// before it is sent, and POST/PATCH are never repeated.
class JobExecutor : public QObject
{
    Q_OBJECT
public:
    // history and audit may be null (no ledger, no audit then). They must outlive the executor.
    JobExecutor(RestClient *client, HistoryStore *history, AuditTrail *audit, QString profile,
                QObject *parent = nullptr);
    ~JobExecutor() override;

    using Done = std::function<void(const StatementResult &)>;
    // waitMs: how long an asynchronous operation may run before the answer is InProgress; 0
    // answers as soon as the trigger was accepted (detach), negative waits without limit.
    void execute(const Statement &statement, int waitMs, Done done);

    // For confirmation prompts: "job <id> "<name>" (RUNNING)", or for DROP the path and what
    // the ledger knows about it. Errors (unknown job, unreachable) come back as the error.
    void describeTarget(const Statement &statement, std::function<void(Result<QString>)> done);

    // Writes the audit line of a statement that was not run because the user declined (or, in
    // headless mode, because --yes was missing: pass that as the outcome).
    void recordDeclined(const Statement &statement,
                        const QString &outcome = QStringLiteral("declined"));

    // Picks up ledger entries of this endpoint left in progress (by a previous run) and polls
    // them; entries of other endpoints wait for an executor of theirs.
    void resumePending();

    QList<JobOperation> operations() const;
    // Polls in flight (operations not finished).
    int activeOperations() const;
    // The job ids and names of the last listing, for completion.
    QList<JobOverview> lastListing() const { return m_lastListing; }

    // Test seam: the poll back-off bounds (defaults 10 ms and 2000 ms).
    void setPollBackoff(int firstMs, int maxMs);
    // Give up an operation after this long without any successful poll (default 10 min).
    void setPollGiveUpMs(int ms) { m_giveUpMs = ms; }

    static QString newTriggerId();

signals:
    void operationChanged(const opsdeck::jobs::JobOperation &operation);
    void jobsListed(const QList<opsdeck::jobs::JobOverview> &jobs);

private:
    struct Pending;
    void showJobs(const Statement &s, Done done);
    void describeJob(const Statement &s, Done done);
    void cancelJob(const Statement &s, Done done);
    void triggerSavepoint(const Statement &s, int waitMs, Done done, const QString &jobName);
    void showSavepoints(const Statement &s, Done done);
    void listSavepoints(const Statement &s, Done done, const QList<SavepointLedgerEntry> &ledger);
    void dropSavepoint(const Statement &s, int waitMs, Done done);

    void startOperation(JobOperation op, int waitMs, StatementResult partial, Done done);
    void schedulePoll(const QString &triggerId);
    void poll(const QString &triggerId);
    void finishOperation(const QString &triggerId);
    void answerWaiter(const QString &triggerId, bool final);
    void updateLedger(const JobOperation &op);
    Result<void> audit(const Statement &s, const QString &triggerId, const QString &outcome);

    RestClient *m_client;
    HistoryStore *m_history;
    AuditTrail *m_audit;
    QString m_profile;
    QHash<QString, Pending *> m_ops; // by trigger id
    QList<JobOverview> m_lastListing;
    int m_firstBackoffMs = 10;
    int m_maxBackoffMs = 2000;
    int m_giveUpMs = 10 * 60 * 1000;
};

} // namespace opsdeck::jobs

Q_DECLARE_METATYPE(opsdeck::jobs::JobOperation)
