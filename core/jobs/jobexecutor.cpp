// SPDX-License-Identifier: GPL-3.0-or-later
#include "jobexecutor.h"

#include "audittrail.h"
#include "common/historystore.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QPointer>
#include <QRandomGenerator>
#include <QTimer>
#include <QUrl>
#include <algorithm>

namespace opsdeck::jobs {

namespace {

const QList<ResultColumn> JobColumns = {
    {QStringLiteral("job id"), ColumnType::Text},
    {QStringLiteral("job name"), ColumnType::Text},
    {QStringLiteral("status"), ColumnType::Text},
    {QStringLiteral("start time"), ColumnType::Time},
    {QStringLiteral("end time"), ColumnType::Time},
    {QStringLiteral("duration"), ColumnType::Duration},
    {QStringLiteral("tasks"), ColumnType::Text},
};

QVariantList jobRow(const JobOverview &job)
{
    return {job.id,
            job.name,
            job.state,
            job.startTime,
            job.endTime,
            job.duration,
            QStringLiteral("%1/%2").arg(job.tasksRunning).arg(job.tasksTotal)};
}

// Errors that mean "nothing reached the cluster" (or we cannot tell it did).
bool isTransport(const RestError &e)
{
    static const QStringList kinds = {
        QStringLiteral("connection_refused"),
        QStringLiteral("host_not_found"),
        QStringLiteral("timeout"),
        QStringLiteral("connection_closed"),
        QStringLiteral("network"),
        QStringLiteral("tls_pin_mismatch"),
    };
    return e.httpStatus == 0 &&
           (kinds.contains(e.kind) || e.kind.startsWith(QLatin1String("tls_")));
}

// Not sent because a record it needs cannot be written (kind: audit_unavailable,
// ledger_unavailable).
StatementResult notSent(const Statement &s, const QString &kind, const QString &message)
{
    StatementResult r;
    r.statement = s;
    r.status = ExecStatus::NotExecuted;
    r.error = RestError{kind, 0, message, false};
    return r;
}

StatementResult failedWith(const Statement &s, const RestError &e)
{
    StatementResult r;
    r.statement = s;
    r.status = isTransport(e) && !e.requestSent ? ExecStatus::NotExecuted : ExecStatus::Failed;
    r.error = e;
    // A 404 on a statement about one job means the job: say which.
    if (e.kind == QLatin1String("not_found") && !s.jobId.isEmpty())
        r.error->message =
            QStringLiteral("job %1 not found on the cluster (%2)").arg(s.jobId, e.message);
    return r;
}

QString stripScheme(const QString &path)
{
    if (path.startsWith(QLatin1String("file://")))
        return path.mid(7);
    if (path.startsWith(QLatin1String("file:")))
        return path.mid(5);
    return path;
}

QString jobPath(const QString &jobId, const QString &rest = {})
{
    return QStringLiteral("/jobs/") + jobId + rest;
}

enum class PollOutcome
{
    Pending,   // still IN_PROGRESS
    Final,     // op.state/location/failure now hold the outcome
    Transient, // no usable answer this time (network, 5xx, garbage): ask again later
};

// What one status poll (savepoint, stop or disposal) says about an operation.
PollOutcome readPoll(const RestResponse &r, JobOperation &op)
{
    if (!r.ok()) {
        if (r.error->kind != QLatin1String("not_found"))
            return PollOutcome::Transient;
        op.state = JobOperation::State::Unknown;
        op.failure = QStringLiteral("result expired — unknown: the cluster no longer has a result "
                                    "for trigger %1 (Flink keeps results for "
                                    "rest.async.store-duration, 5 minutes by default, and "
                                    "forgets them on a JobManager restart)")
                         .arg(op.triggerId);
        return PollOutcome::Final;
    }
    auto status = decodeAsyncStatus(r.json.object());
    if (!status)
        return PollOutcome::Transient;
    if (!status->completed)
        return PollOutcome::Pending;
    if (status->failed()) {
        op.state = JobOperation::State::Failed;
        op.failure = QStringLiteral("%1: %2").arg(status->failureClass, status->failureMessage);
    } else {
        op.state = JobOperation::State::Completed;
        op.location = status->location;
    }
    return PollOutcome::Final;
}

QString pollPath(const JobOperation &op)
{
    return op.kind == QLatin1String("disposal")
               ? QStringLiteral("/savepoint-disposal/") + op.triggerId
               : jobPath(op.jobId, QStringLiteral("/savepoints/") + op.triggerId);
}

} // namespace

StatementResult jobsOverviewResult(const Statement &statement, const QList<JobOverview> &jobs)
{
    QList<const JobOverview *> order;
    order.reserve(jobs.size());
    for (const JobOverview &job : jobs)
        order.append(&job);
    std::stable_sort(order.begin(), order.end(), [](const JobOverview *a, const JobOverview *b) {
        return a->startTime > b->startTime;
    });
    StatementResult result;
    result.statement = statement;
    result.columns = JobColumns;
    result.rows.reserve(order.size());
    for (const JobOverview *job : std::as_const(order))
        result.rows.append(jobRow(*job));
    return result;
}

QString execStatusName(ExecStatus status)
{
    switch (status) {
    case ExecStatus::Ok:
        return QStringLiteral("ok");
    case ExecStatus::Failed:
        return QStringLiteral("failed");
    case ExecStatus::InProgress:
        return QStringLiteral("in_progress");
    case ExecStatus::NotExecuted:
        return QStringLiteral("not_executed");
    }
    return {};
}

QString operationStateName(JobOperation::State state)
{
    switch (state) {
    case JobOperation::State::InProgress:
        return QStringLiteral("in_progress");
    case JobOperation::State::Completed:
        return QStringLiteral("completed");
    case JobOperation::State::Failed:
        return QStringLiteral("failed");
    case JobOperation::State::Unknown:
        return QStringLiteral("unknown");
    }
    return {};
}

QString formatCell(ColumnType type, const QVariant &value)
{
    if (!value.isValid() || value.isNull())
        return {};
    switch (type) {
    case ColumnType::Text:
        return value.toString();
    case ColumnType::Time: {
        const qint64 ms = value.toLongLong();
        if (ms <= 0)
            return {};
        return QDateTime::fromMSecsSinceEpoch(ms).toLocalTime().toString(
            QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz"));
    }
    case ColumnType::Duration: {
        qint64 ms = value.toLongLong();
        if (ms < 0)
            return {};
        const qint64 days = ms / 86400000;
        ms %= 86400000;
        const QString hms = QStringLiteral("%1:%2:%3")
                                .arg(ms / 3600000, 2, 10, QLatin1Char('0'))
                                .arg((ms / 60000) % 60, 2, 10, QLatin1Char('0'))
                                .arg((ms / 1000) % 60, 2, 10, QLatin1Char('0'));
        return days > 0 ? QStringLiteral("%1d %2").arg(days).arg(hms) : hms;
    }
    }
    return {};
}

QJsonObject StatementResult::toJson() const
{
    QJsonArray cols;
    for (const ResultColumn &c : columns)
        cols.append(c.name);
    QJsonArray jsonRows;
    for (const QVariantList &row : rows) {
        QJsonArray jr;
        for (qsizetype i = 0; i < row.size(); ++i) {
            const ColumnType type = i < columns.size() ? columns.at(i).type : ColumnType::Text;
            const QVariant &v = row.at(i);
            if (type == ColumnType::Text) {
                jr.append(v.toString());
            } else if (type == ColumnType::Time) {
                const qint64 ms = v.toLongLong();
                jr.append(ms > 0 ? QJsonValue(QDateTime::fromMSecsSinceEpoch(ms)
                                                  .toOffsetFromUtc(
                                                      QDateTime::currentDateTime().offsetFromUtc())
                                                  .toString(Qt::ISODateWithMs))
                                 : QJsonValue());
            } else {
                const qint64 ms = v.toLongLong();
                jr.append(ms >= 0 ? QJsonValue(ms) : QJsonValue());
            }
        }
        jsonRows.append(jr);
    }
    QJsonObject o{
        {QStringLiteral("statement"), statement.canonicalText()},
        {QStringLiteral("columns"), cols},
        {QStringLiteral("rows"), jsonRows},
        {QStringLiteral("status"), execStatusName(status)},
        {QStringLiteral("trigger_id"), triggerId.isEmpty() ? QJsonValue() : QJsonValue(triggerId)},
    };
    if (!info.isEmpty())
        o.insert(QStringLiteral("info"), info);
    if (error)
        o.insert(QStringLiteral("error"),
                 QJsonObject{{QStringLiteral("kind"), error->kind},
                             {QStringLiteral("http_status"),
                              error->httpStatus > 0 ? QJsonValue(error->httpStatus) : QJsonValue()},
                             {QStringLiteral("message"), error->message}});
    else
        o.insert(QStringLiteral("error"), QJsonValue());
    return o;
}

struct JobExecutor::Pending
{
    JobOperation op;
    std::optional<Statement> statement;
    StatementResult partial;
    Done done; // cleared once answered
    bool answered = false;
    QTimer waitTimer;
    QTimer pollTimer;
    int backoffMs = 10;
    QElapsedTimer sinceGoodPoll;
    std::optional<SavepointLedgerEntry> ledger;
    QString ledgerStateBefore; // disposal: restored when the disposal does not succeed
    bool answerLost = false;   // the trigger request was sent but its answer never arrived
    bool seen = false;         // a poll found the trigger on the cluster
};

JobExecutor::JobExecutor(RestClient *client, HistoryStore *history, AuditTrail *audit,
                         QString profile, QObject *parent)
    : QObject(parent)
    , m_client(client)
    , m_history(history)
    , m_audit(audit)
    , m_profile(std::move(profile))
{
    qRegisterMetaType<JobOperation>();
}

JobExecutor::~JobExecutor()
{
    qDeleteAll(m_ops);
}

QString JobExecutor::newTriggerId()
{
    quint32 words[4];
    QRandomGenerator::system()->fillRange(words);
    QByteArray bytes(reinterpret_cast<const char *>(words), sizeof(words));
    return QString::fromLatin1(bytes.toHex());
}

void JobExecutor::setPollBackoff(int firstMs, int maxMs)
{
    m_firstBackoffMs = std::max(1, firstMs);
    m_maxBackoffMs = std::max(m_firstBackoffMs, maxMs);
}

QList<JobOperation> JobExecutor::operations() const
{
    QList<JobOperation> out;
    for (const Pending *p : m_ops)
        out.append(p->op);
    std::sort(out.begin(), out.end(), [](const JobOperation &a, const JobOperation &b) {
        return a.startedAt < b.startedAt;
    });
    return out;
}

int JobExecutor::activeOperations() const
{
    return static_cast<int>(m_ops.size());
}

Result<void> JobExecutor::audit(const Statement &s, const QString &triggerId,
                                const QString &outcome)
{
    if (!m_audit)
        return {};
    const auto written = m_audit->append(AuditTrail::makeRecord(
        m_profile, m_client->endpointLabel(), s.canonicalText(), triggerId, outcome));
    if (!written)
        qWarning("audit: %s", qPrintable(written.error().toString()));
    return written;
}

void JobExecutor::recordDeclined(const Statement &statement, const QString &outcome)
{
    (void)audit(statement, {}, outcome); // a failure is logged; the statement was not run
}

void JobExecutor::execute(const Statement &statement, int waitMs, Done done)
{
    // Every mutating statement ends with exactly one audit line for its first answer (and one
    // more when a background operation finishes later).
    Done answer = done;
    if (statement.isMutating()) {
        // A destructive statement is not sent when its audit record could not be written.
        if (m_audit) {
            const Result<void> writable = m_audit->checkWritable();
            if (!writable) {
                qWarning("audit: %s", qPrintable(writable.error().toString()));
                // Answered from the event loop, like every other result (callers wait for it).
                const StatementResult refused =
                    notSent(statement, QStringLiteral("audit_unavailable"),
                            QStringLiteral("not sent: its audit record cannot be written (%1)")
                                .arg(writable.error().toString()));
                QMetaObject::invokeMethod(
                    this, [done, refused] { done(refused); }, Qt::QueuedConnection);
                return;
            }
        }
        answer = [this, done, statement](const StatementResult &r) {
            QString outcome = execStatusName(r.status);
            if (r.error)
                outcome += QStringLiteral(": ") + r.error->toString();
            else if (!r.rows.isEmpty() && !r.rows.first().isEmpty())
                outcome += QStringLiteral(": ") + r.rows.first().constLast().toString();
            const Result<void> written = audit(statement, r.triggerId, outcome);
            if (written) {
                done(r);
                return;
            }
            // It ran, but its record is missing: said with the result, never only in a log.
            StatementResult out = r;
            const QString missing = QStringLiteral("the audit record was NOT written: %1")
                                        .arg(written.error().toString());
            out.info = out.info.isEmpty() ? missing : out.info + QStringLiteral("; ") + missing;
            done(out);
        };
    }
    switch (statement.kind) {
    case StatementKind::ShowJobs:
        showJobs(statement, std::move(answer));
        return;
    case StatementKind::DescribeJob:
        describeJob(statement, std::move(answer));
        return;
    case StatementKind::StopJob:
        if (!statement.withSavepoint) {
            cancelJob(statement, std::move(answer));
            return;
        }
        [[fallthrough]];
    case StatementKind::CreateSavepoint: {
        // Learn the job's name first (for the ledger), and stop early on an unknown job.
        QPointer<JobExecutor> self(this);
        m_client->get(
            jobPath(statement.jobId), [self, statement, waitMs, answer](const RestResponse &r) {
                if (!self)
                    return;
                if (!r.ok()) {
                    answer(failedWith(statement, *r.error));
                    return;
                }
                const QString name = r.json.object().value(QLatin1String("name")).toString();
                self->triggerSavepoint(statement, waitMs, answer, name);
            });
        return;
    }
    case StatementKind::ShowSavepoints:
        showSavepoints(statement, std::move(answer));
        return;
    case StatementKind::DropSavepoint:
        dropSavepoint(statement, waitMs, std::move(answer));
        return;
    }
}

void JobExecutor::showJobs(const Statement &s, Done done)
{
    QPointer<JobExecutor> self(this);
    m_client->get(QStringLiteral("/jobs/overview"), [self, s, done](const RestResponse &r) {
        if (!self)
            return;
        if (!r.ok()) {
            done(failedWith(s, *r.error));
            return;
        }
        auto jobs = decodeJobsOverview(r.json.object());
        if (!jobs) {
            done(failedWith(s, RestError{QStringLiteral("invalid_response"), r.httpStatus,
                                         jobs.error().message, true}));
            return;
        }
        StatementResult result = jobsOverviewResult(s, jobs.value());
        self->m_lastListing = std::move(jobs).value();
        emit self->jobsListed(self->m_lastListing);
        done(result);
    });
}

void JobExecutor::describeJob(const Statement &s, Done done)
{
    QPointer<JobExecutor> self(this);
    m_client->get(jobPath(s.jobId), [self, s, done](const RestResponse &r) {
        if (!self)
            return;
        if (!r.ok()) {
            done(failedWith(s, *r.error));
            return;
        }
        auto details = decodeJobDetails(r.json.object());
        if (!details) {
            done(failedWith(s, RestError{QStringLiteral("invalid_response"), r.httpStatus,
                                         details.error().message, true}));
            return;
        }
        StatementResult result;
        result.statement = s;
        result.columns = JobColumns;
        result.columns.append({QStringLiteral("vertex"), ColumnType::Text});
        QVariantList row = jobRow(details->job);
        row.append(QString());
        result.rows.append(row);
        for (const VertexInfo &v : details->vertices) {
            result.rows.append(QVariantList{
                details->job.id, details->job.name, v.status, v.startTime, v.endTime, v.duration,
                QStringLiteral("%1/%2").arg(v.running).arg(v.parallelism), v.name});
        }
        if (!details->jobType.isEmpty())
            result.info = QStringLiteral("%1 job, %2 vertices")
                              .arg(details->jobType.toLower())
                              .arg(details->vertices.size());
        done(result);
    });
}

void JobExecutor::cancelJob(const Statement &s, Done done)
{
    QPointer<JobExecutor> self(this);
    m_client->patch(
        jobPath(s.jobId, QStringLiteral("?mode=cancel")), [self, s, done](const RestResponse &r) {
            if (!self)
                return;
            if (!r.ok()) {
                RestError e = *r.error;
                if (e.kind == QLatin1String("conflict"))
                    e.message =
                        QStringLiteral("job %1 cannot be cancelled: %2").arg(s.jobId, e.message);
                done(failedWith(s, e));
                return;
            }
            StatementResult result;
            result.statement = s;
            result.columns = {{QStringLiteral("job id"), ColumnType::Text},
                              {QStringLiteral("result"), ColumnType::Text}};
            result.rows.append(QVariantList{s.jobId, QStringLiteral("cancellation requested")});
            result.info =
                QStringLiteral("STOP JOB without WITH SAVEPOINT cancels the job, as in Flink");
            done(result);
        });
}

void JobExecutor::triggerSavepoint(const Statement &s, int waitMs, Done done,
                                   const QString &jobName)
{
    const bool stop = s.kind == StatementKind::StopJob;
    const QString triggerId = newTriggerId();
    QJsonObject body;
    if (stop) {
        body.insert(QStringLiteral("drain"), s.withDrain);
        body.insert(QStringLiteral("triggerId"), triggerId);
    } else {
        if (s.targetDirectory)
            body.insert(QStringLiteral("target-directory"), *s.targetDirectory);
        if (s.format)
            body.insert(QStringLiteral("formatType"), *s.format == SavepointFormat::Native
                                                          ? QStringLiteral("NATIVE")
                                                          : QStringLiteral("CANONICAL"));
        body.insert(QStringLiteral("triggerId"), triggerId);
    }

    JobOperation op;
    op.triggerId = triggerId;
    op.kind = stop ? (s.withDrain ? QStringLiteral("stop_drain") : QStringLiteral("stop"))
                   : QStringLiteral("savepoint");
    op.jobId = s.jobId;
    op.jobName = jobName;
    op.startedAt = QDateTime::currentDateTimeUtc();

    // The ledger entry exists before the request leaves, so a crash cannot lose the trigger id.
    std::optional<SavepointLedgerEntry> ledger;
    if (m_history && m_history->isOpen()) {
        SavepointLedgerEntry e;
        e.profile = m_profile;
        e.endpoint = m_client->endpointLabel();
        e.jobId = s.jobId;
        e.jobName = jobName;
        e.triggerId = triggerId;
        e.kind = op.kind;
        e.targetDirectory = s.targetDirectory.value_or(QString());
        e.format = s.format ? (*s.format == SavepointFormat::Native ? QStringLiteral("NATIVE")
                                                                    : QStringLiteral("CANONICAL"))
                            : QString();
        e.triggeredAt = op.startedAt;
        e.state = QStringLiteral("in_progress");
        auto id = m_history->addSavepoint(e);
        if (!id) {
            // Without its ledger entry the trigger id (and so the savepoint's path) could be
            // lost: the trigger is not sent.
            qWarning("savepoint ledger: %s", qPrintable(id.error().toString()));
            const StatementResult refused =
                notSent(s, QStringLiteral("ledger_unavailable"),
                        QStringLiteral("not sent: the savepoint ledger cannot record it (%1)")
                            .arg(id.error().toString()));
            QMetaObject::invokeMethod(
                this, [done, refused] { done(refused); }, Qt::QueuedConnection);
            return;
        }
        e.id = id.value();
        ledger = e;
    }

    StatementResult partial;
    partial.statement = s;
    partial.columns = {{QStringLiteral("savepoint path"), ColumnType::Text}};
    partial.triggerId = triggerId;

    QPointer<JobExecutor> self(this);
    const QString path = stop ? jobPath(s.jobId, QStringLiteral("/stop"))
                              : jobPath(s.jobId, QStringLiteral("/savepoints"));
    m_client->post(
        path, body, [self, s, waitMs, done, op, ledger, partial](const RestResponse &r) mutable {
            if (!self)
                return;
            if (!r.ok()) {
                const RestError &e = *r.error;
                // Sent, but no usable answer: no answer at all, or a 2xx whose body was cut off
                // or unreadable (the cluster accepted it). The cluster may have started it: find
                // out by polling the trigger id, never by sending it again.
                const bool accepted = e.httpStatus >= 200 && e.httpStatus < 300;
                if ((isTransport(e) && e.requestSent) || accepted) {
                    partial.info =
                        QStringLiteral("the trigger request got no %1answer (%2); following "
                                       "trigger %3 to learn whether it started")
                            .arg(accepted ? QStringLiteral("readable ") : QString(), e.message,
                                 op.triggerId);
                    self->startOperation(op, waitMs, partial, done);
                    if (auto *pending = self->m_ops.value(op.triggerId)) {
                        pending->ledger = ledger;
                        pending->answerLost = true;
                    }
                    return;
                }
                if (ledger && self->m_history) {
                    ledger->state =
                        isTransport(e) ? QStringLiteral("not_sent") : QStringLiteral("failed");
                    ledger->failure = e.message;
                    ledger->updatedAt = QDateTime::currentDateTimeUtc();
                    (void)self->m_history->updateSavepoint(*ledger);
                }
                StatementResult failed = failedWith(s, e);
                failed.columns = partial.columns;
                failed.triggerId = isTransport(e) ? QString() : op.triggerId;
                done(failed);
                return;
            }
            auto returned = decodeTriggerId(r.json.object());
            if (returned && returned.value() != op.triggerId) {
                // A cluster older than 1.15 ignores our triggerId and picks its own.
                op.triggerId = returned.value();
                partial.triggerId = op.triggerId;
                if (ledger) {
                    ledger->triggerId = op.triggerId;
                    (void)self->m_history->updateSavepoint(*ledger);
                }
            }
            self->startOperation(op, waitMs, partial, done);
            if (auto *pending = self->m_ops.value(op.triggerId))
                pending->ledger = ledger;
        });
}

void JobExecutor::startOperation(JobOperation op, int waitMs, StatementResult partial, Done done)
{
    auto *p = new Pending;
    p->op = std::move(op);
    p->statement = partial.statement;
    p->partial = std::move(partial);
    p->done = std::move(done);
    p->backoffMs = m_firstBackoffMs;
    p->sinceGoodPoll.start();
    p->pollTimer.setSingleShot(true);
    p->waitTimer.setSingleShot(true);
    const QString tid = p->op.triggerId;
    connect(&p->pollTimer, &QTimer::timeout, this, [this, tid] { poll(tid); });
    connect(&p->waitTimer, &QTimer::timeout, this, [this, tid] { answerWaiter(tid, false); });
    m_ops.insert(tid, p);
    emit operationChanged(p->op);
    if (waitMs == 0) {
        answerWaiter(tid, false);
    } else if (waitMs > 0) {
        p->waitTimer.start(waitMs);
    }
    if (m_ops.contains(tid))
        p->pollTimer.start(p->backoffMs);
}

void JobExecutor::poll(const QString &triggerId)
{
    const Pending *current = m_ops.value(triggerId);
    if (!current)
        return;
    QPointer<JobExecutor> self(this);
    m_client->get(pollPath(current->op), [self, triggerId](const RestResponse &r) {
        if (!self)
            return;
        Pending *p = self->m_ops.value(triggerId);
        if (!p)
            return;
        switch (readPoll(r, p->op)) {
        case PollOutcome::Final:
            if (p->op.state == JobOperation::State::Unknown && p->answerLost && !p->seen) {
                // Not an expired result: the cluster never had this trigger. The request went
                // out and its answer was lost; most likely it never arrived.
                p->op.failure =
                    QStringLiteral("outcome unknown: the trigger request got no answer and the "
                                   "cluster has no record of trigger %1, so it most likely never "
                                   "arrived (or the JobManager restarted); check SHOW JOBS and "
                                   "SHOW SAVEPOINTS before running it again")
                        .arg(triggerId);
            }
            self->finishOperation(triggerId);
            return;
        case PollOutcome::Pending:
            p->seen = true;
            p->sinceGoodPoll.restart();
            self->schedulePoll(triggerId);
            return;
        case PollOutcome::Transient:
            ++p->op.transientErrors;
            if (p->sinceGoodPoll.elapsed() > self->m_giveUpMs) {
                p->op.state = JobOperation::State::Unknown;
                p->op.failure =
                    QStringLiteral("outcome unknown: no successful poll for %1 s (last "
                                   "error: %2)")
                        .arg(p->sinceGoodPoll.elapsed() / 1000)
                        .arg(r.error ? r.error->message : QStringLiteral("an unreadable status"));
                self->finishOperation(triggerId);
                return;
            }
            emit self->operationChanged(p->op);
            self->schedulePoll(triggerId);
            return;
        }
    });
}

void JobExecutor::schedulePoll(const QString &triggerId)
{
    Pending *p = m_ops.value(triggerId);
    if (!p)
        return;
    p->backoffMs = std::min(p->backoffMs * 2, m_maxBackoffMs);
    p->pollTimer.start(p->backoffMs);
}

void JobExecutor::updateLedger(const JobOperation &op)
{
    Pending *p = m_ops.value(op.triggerId);
    if (!p || !p->ledger || !m_history)
        return;
    SavepointLedgerEntry &e = *p->ledger;
    e.updatedAt = QDateTime::currentDateTimeUtc();
    if (op.kind == QLatin1String("disposal")) {
        if (op.state == JobOperation::State::Completed) {
            e.state = QStringLiteral("disposed");
            e.failure.clear();
        } else {
            e.state =
                p->ledgerStateBefore.isEmpty() ? QStringLiteral("completed") : p->ledgerStateBefore;
            e.failure =
                QStringLiteral("disposal %1: %2").arg(operationStateName(op.state), op.failure);
        }
        e.disposalTriggerId.clear();
    } else {
        e.completedAt = op.finishedAt;
        e.state = operationStateName(op.state);
        e.location = op.location;
        e.failure = op.failure;
        if (!op.jobName.isEmpty())
            e.jobName = op.jobName;
    }
    const auto written = m_history->updateSavepoint(e);
    if (!written)
        qWarning("savepoint ledger: %s", qPrintable(written.error().toString()));
}

void JobExecutor::finishOperation(const QString &triggerId)
{
    Pending *p = m_ops.value(triggerId);
    if (!p)
        return;
    p->pollTimer.stop();
    p->waitTimer.stop();
    p->op.finishedAt = QDateTime::currentDateTimeUtc();
    updateLedger(p->op);
    emit operationChanged(p->op);
    const bool alreadyAnswered = p->answered;
    answerWaiter(triggerId, true);
    if (alreadyAnswered && p->statement) {
        QString outcome = operationStateName(p->op.state);
        if (!p->op.location.isEmpty())
            outcome += QStringLiteral(": ") + p->op.location;
        if (!p->op.failure.isEmpty())
            outcome += QStringLiteral(": ") + p->op.failure;
        (void)audit(*p->statement, triggerId,
                    QStringLiteral("later ") + outcome); // logged on failure
    }
    m_ops.remove(triggerId);
    delete p;
}

void JobExecutor::answerWaiter(const QString &triggerId, bool final)
{
    Pending *p = m_ops.value(triggerId);
    if (!p || p->answered || !p->done)
        return;
    p->answered = true;
    StatementResult r = p->partial;
    r.triggerId = p->op.triggerId;
    const bool disposal = p->op.kind == QLatin1String("disposal");
    if (!final) {
        r.status = ExecStatus::InProgress;
        r.info = QStringLiteral("still in progress (trigger %1); opsdeck keeps following it and "
                                "records the outcome in the savepoint ledger")
                     .arg(p->op.triggerId);
    } else {
        switch (p->op.state) {
        case JobOperation::State::Completed:
            r.status = ExecStatus::Ok;
            if (disposal)
                r.rows.append(QVariantList{p->op.savepointPath, QStringLiteral("disposed")});
            else
                r.rows.append(QVariantList{p->op.location});
            break;
        case JobOperation::State::Failed:
            r.status = ExecStatus::Failed;
            r.error = RestError{QStringLiteral("operation_failed"), 0, p->op.failure, true};
            break;
        case JobOperation::State::Unknown:
        case JobOperation::State::InProgress:
            r.status = ExecStatus::InProgress;
            r.error = RestError{QStringLiteral("result_unknown"), 0, p->op.failure, true};
            r.info = p->op.failure;
            break;
        }
    }
    Done done = std::move(p->done);
    p->done = nullptr;
    done(r);
}

void JobExecutor::showSavepoints(const Statement &s, Done done)
{
    QList<SavepointLedgerEntry> ledger;
    if (m_history && m_history->isOpen()) {
        auto rows = m_history->savepoints(s.jobId);
        if (rows)
            ledger = rows.value();
    }
    // Entries still in progress that nobody follows (a headless --detach, a console that was
    // closed): ask the cluster once for each, so the listing says what is known now.
    const QString endpoint = m_client->endpointLabel();
    auto remaining = std::make_shared<int>(0);
    auto fresh = std::make_shared<QList<SavepointLedgerEntry>>(ledger);
    QPointer<JobExecutor> self(this);
    const auto list = [self, s, done, fresh] {
        if (self)
            self->listSavepoints(s, done, *fresh);
    };
    for (qsizetype i = 0; i < ledger.size(); ++i) {
        const SavepointLedgerEntry &e = ledger.at(i);
        if (e.state != QLatin1String("in_progress") || e.endpoint != endpoint ||
            m_ops.contains(e.triggerId))
            continue;
        ++*remaining;
        JobOperation op;
        op.triggerId = e.triggerId;
        op.kind = e.kind;
        op.jobId = e.jobId;
        m_client->get(pollPath(op),
                      [self, op, i, fresh, remaining, list](const RestResponse &r) mutable {
                          if (!self)
                              return;
                          if (readPoll(r, op) == PollOutcome::Final) {
                              SavepointLedgerEntry &entry = (*fresh)[i];
                              entry.state = operationStateName(op.state);
                              entry.location = op.location;
                              entry.failure = op.failure;
                              entry.completedAt = QDateTime::currentDateTimeUtc();
                              entry.updatedAt = entry.completedAt;
                              if (self->m_history)
                                  (void)self->m_history->updateSavepoint(entry);
                          }
                          if (--*remaining == 0)
                              list();
                      });
    }
    if (*remaining == 0)
        list();
}

void JobExecutor::listSavepoints(const Statement &s, Done done,
                                 const QList<SavepointLedgerEntry> &ledger)
{
    QPointer<JobExecutor> self(this);
    m_client->get(jobPath(s.jobId, QStringLiteral("/checkpoints")), [self, s, done, ledger](
                                                                        const RestResponse &r) {
        if (!self)
            return;
        StatementResult result;
        result.statement = s;
        result.columns = {
            {QStringLiteral("savepoint path"), ColumnType::Text},
            {QStringLiteral("state"), ColumnType::Text},
            {QStringLiteral("source"), ColumnType::Text},
            {QStringLiteral("type"), ColumnType::Text},
            {QStringLiteral("trigger id"), ColumnType::Text},
            {QStringLiteral("triggered"), ColumnType::Time},
            {QStringLiteral("completed"), ColumnType::Time},
            {QStringLiteral("detail"), ColumnType::Text},
        };
        QList<RememberedSavepoint> remembered;
        if (r.ok()) {
            auto decoded = decodeRememberedSavepoints(r.json.object());
            if (decoded)
                remembered = decoded.value();
            else
                result.info = decoded.error().message;
        } else if (r.error->kind == QLatin1String("not_found")) {
            result.info = QStringLiteral("the cluster remembers nothing for this job: %1")
                              .arg(r.error->message);
        } else {
            result.error = r.error;
            result.status = ledger.isEmpty() ? (isTransport(*r.error) ? ExecStatus::NotExecuted
                                                                      : ExecStatus::Failed)
                                             : ExecStatus::Failed;
            result.info = QStringLiteral("showing the ledger only; the cluster did not answer");
        }
        QList<bool> matched(remembered.size(), false);
        for (const SavepointLedgerEntry &e : ledger) {
            if (e.state == QLatin1String("not_sent"))
                continue;
            QString source = QStringLiteral("ledger");
            QString type = e.kind == QLatin1String("savepoint") ? QStringLiteral("SAVEPOINT")
                                                                : QStringLiteral("SYNC_SAVEPOINT");
            for (qsizetype i = 0; i < remembered.size(); ++i) {
                if (!e.location.isEmpty() &&
                    stripScheme(remembered.at(i).path) == stripScheme(e.location)) {
                    matched[i] = true;
                    source = QStringLiteral("ledger+cluster");
                    type = remembered.at(i).type;
                }
            }
            result.rows.append(QVariantList{
                e.location, e.state, source, type, e.triggerId, e.triggeredAt.toMSecsSinceEpoch(),
                e.completedAt.isValid() ? e.completedAt.toMSecsSinceEpoch() : qint64(-1),
                e.failure});
        }
        for (qsizetype i = 0; i < remembered.size(); ++i) {
            if (matched.at(i))
                continue;
            const RememberedSavepoint &sp = remembered.at(i);
            result.rows.append(QVariantList{
                sp.path, sp.discarded ? QStringLiteral("discarded") : QStringLiteral("completed"),
                QStringLiteral("cluster"), sp.type, QString(), sp.triggerTime, sp.completedTime,
                sp.format.isEmpty() ? QString() : QStringLiteral("format ") + sp.format});
        }
        std::stable_sort(result.rows.begin(), result.rows.end(),
                         [](const QVariantList &a, const QVariantList &b) {
                             const qint64 ta = std::max(a.at(5).toLongLong(), a.at(6).toLongLong());
                             const qint64 tb = std::max(b.at(5).toLongLong(), b.at(6).toLongLong());
                             return ta > tb;
                         });
        done(result);
    });
}

void JobExecutor::dropSavepoint(const Statement &s, int waitMs, Done done)
{
    std::optional<SavepointLedgerEntry> ledger;
    if (m_history && m_history->isOpen()) {
        auto found = m_history->savepointByLocation(s.savepointPath);
        if (found && found.value())
            ledger = *found.value();
    }
    QPointer<JobExecutor> self(this);
    m_client->post(QStringLiteral("/savepoint-disposal"),
                   QJsonObject{{QStringLiteral("savepoint-path"), s.savepointPath}},
                   [self, s, waitMs, done, ledger](const RestResponse &r) mutable {
                       if (!self)
                           return;
                       StatementResult partial;
                       partial.statement = s;
                       partial.columns = {{QStringLiteral("savepoint path"), ColumnType::Text},
                                          {QStringLiteral("result"), ColumnType::Text}};
                       if (!r.ok()) {
                           StatementResult failed = failedWith(s, *r.error);
                           failed.columns = partial.columns;
                           if (ledger) {
                               // Refused only when the cluster said so; a request that went out
                               // and got no usable answer may have disposed it (Flink's disposal
                               // has no client trigger id to follow).
                               const bool refused =
                                   r.error->httpStatus >= 300 || !r.error->requestSent;
                               ledger->failure =
                                   (refused ? QStringLiteral("disposal refused: ")
                                            : QStringLiteral("disposal outcome unknown (the "
                                                             "request was sent, no usable "
                                                             "answer came back): ")) +
                                   r.error->message;
                               ledger->updatedAt = QDateTime::currentDateTimeUtc();
                               (void)self->m_history->updateSavepoint(*ledger);
                           }
                           done(failed);
                           return;
                       }
                       auto tid = decodeTriggerId(r.json.object());
                       if (!tid) {
                           done(failedWith(s, RestError{QStringLiteral("invalid_response"),
                                                        r.httpStatus, tid.error().message, true}));
                           return;
                       }
                       QString stateBefore;
                       if (ledger) {
                           stateBefore = ledger->state;
                           ledger->state = QStringLiteral("disposing");
                           ledger->disposalTriggerId = tid.value();
                           (void)self->m_history->updateSavepoint(*ledger);
                       }
                       JobOperation op;
                       op.triggerId = tid.value();
                       op.kind = QStringLiteral("disposal");
                       op.jobId = ledger ? ledger->jobId : QString();
                       op.jobName = ledger ? ledger->jobName : QString();
                       op.savepointPath = s.savepointPath;
                       op.startedAt = QDateTime::currentDateTimeUtc();
                       self->startOperation(op, waitMs, partial, done);
                       if (auto *p = self->m_ops.value(op.triggerId)) {
                           p->ledger = ledger;
                           p->ledgerStateBefore = stateBefore;
                       }
                   });
}

void JobExecutor::describeTarget(const Statement &statement,
                                 std::function<void(Result<QString>)> done)
{
    if (statement.kind == StatementKind::DropSavepoint) {
        QString text = QStringLiteral("savepoint %1").arg(statement.savepointPath);
        if (m_history && m_history->isOpen()) {
            auto found = m_history->savepointByLocation(statement.savepointPath);
            if (found && found.value()) {
                const SavepointLedgerEntry &e = *found.value();
                text += QStringLiteral(" of job %1 \"%2\" (taken %3)")
                            .arg(e.jobId, e.jobName,
                                 formatCell(ColumnType::Time, e.triggeredAt.toMSecsSinceEpoch()));
            } else {
                text += QStringLiteral(" (not in opsdeck's ledger)");
            }
        }
        done(text);
        return;
    }
    QPointer<JobExecutor> self(this);
    const QString id = statement.jobId;
    m_client->get(jobPath(id), [self, id, done](const RestResponse &r) {
        if (!self)
            return;
        if (!r.ok()) {
            done(makeError(r.error->kind == QLatin1String("not_found") ? ErrorCode::NotFound
                                                                       : ErrorCode::Network,
                           r.error->kind == QLatin1String("not_found")
                               ? QStringLiteral("job %1 not found on the cluster").arg(id)
                               : r.error->message,
                           self->m_client->endpointLabel()));
            return;
        }
        const QJsonObject o = r.json.object();
        done(QStringLiteral("job %1 \"%2\" (%3)")
                 .arg(id, o.value(QLatin1String("name")).toString(),
                      o.value(QLatin1String("state")).toString()));
    });
}

void JobExecutor::resumePending()
{
    if (!m_history || !m_history->isOpen())
        return;
    auto pending = m_history->pendingSavepoints();
    if (!pending)
        return;
    const QString endpoint = m_client->endpointLabel();
    for (const SavepointLedgerEntry &e : pending.value()) {
        if (m_ops.contains(e.triggerId) || m_ops.contains(e.disposalTriggerId))
            continue;
        // Only this cluster can answer for its triggers: asking another one would get a 404 and
        // wrongly turn the entry into "unknown".
        if (e.endpoint != endpoint)
            continue;
        JobOperation op;
        op.jobId = e.jobId;
        op.jobName = e.jobName;
        op.startedAt = e.triggeredAt;
        QString stateBefore;
        if (e.state == QLatin1String("disposing")) {
            if (e.disposalTriggerId.isEmpty())
                continue;
            op.kind = QStringLiteral("disposal");
            op.triggerId = e.disposalTriggerId;
            op.savepointPath = e.location;
            stateBefore = QStringLiteral("completed");
        } else {
            op.kind = e.kind;
            op.triggerId = e.triggerId;
        }
        StatementResult partial;
        startOperation(op, -1, partial, nullptr);
        if (Pending *p = m_ops.value(op.triggerId)) {
            p->ledger = e;
            p->ledgerStateBefore = stateBefore;
            p->statement.reset();
            p->answered = true;
        }
    }
}

} // namespace opsdeck::jobs
