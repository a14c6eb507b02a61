// SPDX-License-Identifier: GPL-3.0-or-later
// The Job control executor against the Flink REST simulator on loopback: every statement, every
// fault the simulator can produce, the savepoint ledger and the audit trail, and the transport's
// TLS modes (server-only, mutual, wrong CA, pinning).

#include "certfactory.h"
#include "common/historystore.h"
#include "flinksim.h"
#include "jobs/audittrail.h"
#include "jobs/jobexecutor.h"
#include "jobs/restclient.h"
#include "jobs/statement.h"
#include "testmain.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <memory>
#include <optional>

using namespace opsdeck;
using namespace opsdeck::jobs;
using namespace opsdeck::test;

namespace {

Statement parseOne(const QString &text)
{
    auto parsed = parseScript(text);
    if (!parsed || parsed->size() != 1)
        qFatal("test statement does not parse: %s", qPrintable(text));
    return parsed->first();
}

// One executor wired to a simulator, with its own history store and audit file.
struct Rig
{
    QTemporaryDir dir;
    HistoryStore history;
    std::unique_ptr<AuditTrail> audit;
    std::unique_ptr<RestClient> client;
    std::unique_ptr<JobExecutor> executor;

    bool setUp(const RestEndpointConfig &endpoint)
    {
        if (!dir.isValid() || !history.open(dir.filePath(QStringLiteral("history.sqlite"))))
            return false;
        audit = std::make_unique<AuditTrail>(&history, dir.filePath(QStringLiteral("audit.jsonl")));
        return rebuild(endpoint);
    }
    bool rebuild(const RestEndpointConfig &endpoint)
    {
        executor.reset();
        client = std::make_unique<RestClient>();
        if (!client->configure(endpoint))
            return false;
        executor = std::make_unique<JobExecutor>(client.get(), &history, audit.get(),
                                                 QStringLiteral("test"));
        return true;
    }

    std::optional<StatementResult> run(const QString &text, int waitMs = 10000)
    {
        std::optional<StatementResult> out;
        executor->execute(parseOne(text), waitMs, [&out](const StatementResult &r) { out = r; });
        (void)QTest::qWaitFor([&out] { return out.has_value(); },
                              15000); // callers QVERIFY the optional
        return out;
    }

    QList<QJsonObject> auditLines() const
    {
        QFile file(dir.filePath(QStringLiteral("audit.jsonl")));
        QList<QJsonObject> out;
        if (!file.open(QIODevice::ReadOnly))
            return out;
        for (const QByteArray &line : file.readAll().split('\n'))
            if (!line.isEmpty())
                out << QJsonDocument::fromJson(line).object();
        return out;
    }
};

RestEndpointConfig plain(const FlinkSimulator &sim)
{
    RestEndpointConfig c;
    c.url = sim.baseUrl().toString();
    c.connectTimeoutMs = 3000;
    c.readTimeoutMs = 5000;
    return c;
}

} // namespace

class TestJobExecutor : public QObject
{
    Q_OBJECT

private slots:
    void init()
    {
        m_spDir = std::make_unique<QTemporaryDir>();
        FlinkSimOptions options;
        options.jobCount = 0;
        options.asyncLatencyMs = 60;
        options.clusterSavepointDir = m_spDir->filePath(QStringLiteral("savepoints"));
        m_sim = std::make_unique<FlinkSimulator>(options);
        QString error;
        QVERIFY2(m_sim->listen(0, &error), qPrintable(error));
        m_job = m_sim->addJob(QStringLiteral("orders-enrichment"));
        m_finished = m_sim->addJob(QStringLiteral("nightly-backfill"), QStringLiteral("FINISHED"));
        m_noCheckpoints =
            m_sim->addJob(QStringLiteral("adhoc-query"), QStringLiteral("RUNNING"), false);
        m_rig = std::make_unique<Rig>();
        QVERIFY(m_rig->setUp(plain(*m_sim)));
    }

    void cleanup()
    {
        m_rig.reset(); // executor first, then client, store and temporary directory
        m_sim.reset();
    }

    void showJobsListsEveryJobWithFlinkSqlColumns()
    {
        const auto r = m_rig->run(QStringLiteral("SHOW JOBS"));
        QVERIFY(r);
        QCOMPARE(r->status, ExecStatus::Ok);
        QStringList names;
        for (const auto &c : r->columns)
            names << c.name;
        QCOMPARE(names, (QStringList{QStringLiteral("job id"), QStringLiteral("job name"),
                                     QStringLiteral("status"), QStringLiteral("start time"),
                                     QStringLiteral("end time"), QStringLiteral("duration"),
                                     QStringLiteral("tasks")}));
        QCOMPARE(r->rows.size(), 3);
        QStringList ids;
        for (const auto &row : r->rows)
            ids << row.at(0).toString();
        QVERIFY(ids.contains(m_job));
        QVERIFY(ids.contains(m_finished));
        // Times render in local time with milliseconds; a running job has no end time.
        for (const auto &row : r->rows) {
            if (row.at(0).toString() != m_job)
                continue;
            QCOMPARE(row.at(2).toString(), QStringLiteral("RUNNING"));
            QVERIFY(formatCell(ColumnType::Time, row.at(3))
                        .contains(QRegularExpression(QStringLiteral(
                            "^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3}$"))));
            QCOMPARE(formatCell(ColumnType::Time, row.at(4)), QString());
        }
        QCOMPARE(m_rig->executor->lastListing().size(), 3);
        // A read-only statement writes no audit line.
        QVERIFY(m_rig->auditLines().isEmpty());
    }

    void describeJobShowsVerticesAndUnknownJobIsNotFound()
    {
        auto r = m_rig->run(QStringLiteral("DESC JOB '%1'").arg(m_job.toUpper()));
        QVERIFY(r);
        QCOMPARE(r->status, ExecStatus::Ok);
        QVERIFY(r->rows.size() >= 2); // the job and at least one vertex
        QCOMPARE(r->rows.first().at(0).toString(), m_job);
        QVERIFY(!r->rows.at(1).last().toString().isEmpty());

        r = m_rig->run(QStringLiteral("DESCRIBE JOB 00000000000000000000000000000001"));
        QVERIFY(r);
        QCOMPARE(r->status, ExecStatus::Failed);
        QCOMPARE(r->error->kind, QStringLiteral("not_found"));
        QCOMPARE(r->error->httpStatus, 404);
        QVERIFY(r->error->message.contains(QLatin1String("00000000000000000000000000000001")));
    }

    void stopWithoutSavepointCancelsAndIsAudited()
    {
        const auto r = m_rig->run(QStringLiteral("STOP JOB %1").arg(m_job));
        QVERIFY(r);
        QCOMPARE(r->status, ExecStatus::Ok);
        QCOMPARE(m_sim->requestCount("PATCH"), 1);
        QTRY_COMPARE_WITH_TIMEOUT(m_sim->jobState(m_job), QStringLiteral("CANCELED"), 5000);
        const auto lines = m_rig->auditLines();
        QCOMPARE(lines.size(), 1);
        QCOMPARE(lines.first().value(QLatin1String("statement")).toString(),
                 QStringLiteral("STOP JOB '%1'").arg(m_job));
        QVERIFY(lines.first()
                    .value(QLatin1String("outcome"))
                    .toString()
                    .startsWith(QLatin1String("ok")));
        QCOMPARE(lines.first().value(QLatin1String("endpoint")).toString(),
                 m_sim->baseUrl().toString(QUrl::StripTrailingSlash));
        QVERIFY(!lines.first().value(QLatin1String("user")).toString().isEmpty());
        QCOMPARE(m_rig->history.auditRecords(10)->size(), 1);
    }

    void cancelOfFinishedJobIsConflictAndNotRetried()
    {
        const auto r = m_rig->run(QStringLiteral("STOP JOB %1").arg(m_finished));
        QVERIFY(r);
        QCOMPARE(r->status, ExecStatus::Failed);
        QCOMPARE(r->error->kind, QStringLiteral("conflict"));
        QCOMPARE(r->error->httpStatus, 409);
        QVERIFY2(!r->error->message.contains(QLatin1String("RestHandlerException")),
                 qPrintable(r->error->message));
        QVERIFY(!r->error->message.contains(QLatin1String("\tat ")));
        QCOMPARE(m_sim->requestCount("PATCH"), 1);
        QVERIFY(m_rig->auditLines()
                    .first()
                    .value(QLatin1String("outcome"))
                    .toString()
                    .startsWith(QLatin1String("failed")));
    }

    void createSavepointCompletesAndLandsInTheLedger()
    {
        const auto r = m_rig->run(QStringLiteral("CREATE SAVEPOINT FOR JOB %1").arg(m_job));
        QVERIFY(r);
        QCOMPARE(r->status, ExecStatus::Ok);
        QCOMPARE(r->columns.first().name, QStringLiteral("savepoint path"));
        const QString location = r->rows.first().first().toString();
        QVERIFY2(location.contains(QStringLiteral("savepoint-%1-").arg(m_job.left(6))),
                 qPrintable(location));
        QCOMPARE(r->triggerId.size(), 32);
        QCOMPARE(m_sim->savepointsStarted(m_job), 1);
        QCOMPARE(m_sim->requestCount("POST"), 1);

        const auto entry = m_rig->history.savepointByTrigger(r->triggerId);
        QVERIFY(entry && entry->has_value());
        QCOMPARE(entry->value().state, QStringLiteral("completed"));
        QCOMPARE(entry->value().location, location);
        QCOMPARE(entry->value().jobName, QStringLiteral("orders-enrichment"));
        QVERIFY(entry->value().completedAt.isValid());

        const auto lines = m_rig->auditLines();
        QCOMPARE(lines.size(), 1);
        QCOMPARE(lines.first().value(QLatin1String("trigger_id")).toString(), r->triggerId);
        QVERIFY(lines.first().value(QLatin1String("outcome")).toString().contains(location));
    }

    void createSavepointWithoutAnyDirectoryIsRefused()
    {
        FlinkSimOptions options;
        options.jobCount = 0;
        FlinkSimulator bare(options);
        QVERIFY(bare.listen());
        const QString job = bare.addJob(QStringLiteral("no-dir"));
        QVERIFY(m_rig->rebuild(plain(bare)));
        const auto r = m_rig->run(QStringLiteral("CREATE SAVEPOINT FOR JOB %1").arg(job));
        QVERIFY(r);
        QCOMPARE(r->status, ExecStatus::Failed);
        QCOMPARE(r->error->httpStatus, 400);
        QVERIFY2(r->error->message.contains(QLatin1String("target-directory")),
                 qPrintable(r->error->message));
        const auto entry = m_rig->history.savepointByTrigger(r->triggerId);
        QVERIFY(entry && entry->has_value());
        QCOMPARE(entry->value().state, QStringLiteral("failed"));
        QCOMPARE(bare.savepointsStarted(job), 0);
    }

    void createSavepointToDirectoryWithFormat()
    {
        const QString dir = m_spDir->filePath(QStringLiteral("elsewhere"));
        const auto r = m_rig->run(
            QStringLiteral("CREATE SAVEPOINT FOR JOB %1 TO '%2' FORMAT NATIVE").arg(m_job, dir));
        QVERIFY(r);
        QCOMPARE(r->status, ExecStatus::Ok);
        QVERIFY2(r->rows.first().first().toString().contains(dir),
                 qPrintable(r->rows.first().first().toString()));
        QCOMPARE(m_rig->history.savepointByTrigger(r->triggerId)->value().format,
                 QStringLiteral("NATIVE"));
    }

    void stopWithSavepointAndDrainFinishesTheJob()
    {
        const auto r =
            m_rig->run(QStringLiteral("STOP JOB %1 WITH SAVEPOINT WITH DRAIN").arg(m_job));
        QVERIFY(r);
        QCOMPARE(r->status, ExecStatus::Ok);
        QVERIFY(!r->rows.first().first().toString().isEmpty());
        QTRY_COMPARE_WITH_TIMEOUT(m_sim->jobState(m_job), QStringLiteral("FINISHED"), 5000);
        QCOMPARE(m_rig->history.savepointByTrigger(r->triggerId)->value().kind,
                 QStringLiteral("stop_drain"));
    }

    void savepointFailureShowsClassAndFirstLine()
    {
        m_sim->setSavepointFailure(
            m_job, QStringLiteral("org.apache.flink.runtime.checkpoint.CheckpointException"),
            QStringLiteral("Checkpoint expired before completing."));
        const auto r = m_rig->run(QStringLiteral("CREATE SAVEPOINT FOR JOB %1").arg(m_job));
        QVERIFY(r);
        QCOMPARE(r->status, ExecStatus::Failed);
        QCOMPARE(r->error->kind, QStringLiteral("operation_failed"));
        QVERIFY2(r->error->message.contains(QLatin1String("CheckpointException")),
                 qPrintable(r->error->message));
        QVERIFY(r->error->message.contains(QLatin1String("Checkpoint expired before completing.")));
        QVERIFY(!r->error->message.contains(QLatin1Char('\n')));
        QCOMPARE(m_rig->history.savepointByTrigger(r->triggerId)->value().state,
                 QStringLiteral("failed"));
    }

    void checkpointingDisabledIsAClearFailure()
    {
        auto r = m_rig->run(QStringLiteral("CREATE SAVEPOINT FOR JOB %1").arg(m_noCheckpoints));
        QVERIFY(r);
        QCOMPARE(r->status, ExecStatus::Failed);
        QVERIFY2(r->error->message.contains(QLatin1String("Checkpointing disabled")),
                 qPrintable(r->error->message));
        r = m_rig->run(QStringLiteral("SHOW SAVEPOINTS FOR JOB %1").arg(m_noCheckpoints));
        QVERIFY(r);
        QCOMPARE(r->status, ExecStatus::Ok);
        QVERIFY2(r->info.contains(QLatin1String("Checkpointing has not been enabled")),
                 qPrintable(r->info));
    }

    void waitLimitAnswersInProgressAndPollingGoesOn()
    {
        m_sim->setAsyncLatencyMs(1500);
        QSignalSpy changed(m_rig->executor.get(), &JobExecutor::operationChanged);
        const auto r = m_rig->run(QStringLiteral("CREATE SAVEPOINT FOR JOB %1").arg(m_job), 100);
        QVERIFY(r);
        QCOMPARE(r->status, ExecStatus::InProgress);
        QVERIFY(!r->error.has_value()); // a client-side limit is never a failure
        QCOMPARE(r->triggerId.size(), 32);
        QCOMPARE(m_rig->history.savepointByTrigger(r->triggerId)->value().state,
                 QStringLiteral("in_progress"));
        QCOMPARE(m_rig->executor->activeOperations(), 1);
        QTRY_COMPARE_WITH_TIMEOUT(m_rig->history.savepointByTrigger(r->triggerId)->value().state,
                                  QStringLiteral("completed"), 10000);
        QCOMPARE(m_rig->executor->activeOperations(), 0);
        QVERIFY(!changed.isEmpty());
        const auto last = changed.last().first().value<JobOperation>();
        QCOMPARE(last.state, JobOperation::State::Completed);
        QCOMPARE(m_sim->savepointsStarted(m_job), 1);
        QCOMPARE(m_sim->requestCount("POST"), 1);
        // The audit has the in-progress answer and the later outcome, both with the trigger id.
        const auto lines = m_rig->auditLines();
        QCOMPARE(lines.size(), 2);
        QVERIFY(lines.at(0)
                    .value(QLatin1String("outcome"))
                    .toString()
                    .startsWith(QLatin1String("in_progress")));
        QVERIFY(lines.at(1)
                    .value(QLatin1String("outcome"))
                    .toString()
                    .startsWith(QLatin1String("later completed")));
        QCOMPARE(lines.at(1).value(QLatin1String("trigger_id")).toString(), r->triggerId);
    }

    void pendingOperationsResumeAfterARestart()
    {
        m_sim->setAsyncLatencyMs(400);
        const auto r = m_rig->run(QStringLiteral("STOP JOB %1 WITH SAVEPOINT").arg(m_job), 0);
        QVERIFY(r);
        QCOMPARE(r->status, ExecStatus::InProgress);
        // "Restart": a new client and executor over the same history store.
        QVERIFY(m_rig->rebuild(plain(*m_sim)));
        QCOMPARE(m_rig->executor->activeOperations(), 0);
        m_rig->executor->resumePending();
        QCOMPARE(m_rig->executor->activeOperations(), 1);
        QTRY_COMPARE_WITH_TIMEOUT(m_rig->history.savepointByTrigger(r->triggerId)->value().state,
                                  QStringLiteral("completed"), 10000);
        QVERIFY(!m_rig->history.savepointByTrigger(r->triggerId)->value().location.isEmpty());
        QCOMPARE(m_sim->savepointsStarted(m_job), 1);
        QTRY_COMPARE_WITH_TIMEOUT(m_sim->jobState(m_job), QStringLiteral("FINISHED"), 5000);
    }

    void resumeLeavesOtherEndpointsEntriesAlone()
    {
        SavepointLedgerEntry foreign;
        foreign.profile = QStringLiteral("other");
        foreign.endpoint = QStringLiteral("https://other-cluster:8081");
        foreign.jobId = m_job;
        foreign.triggerId = JobExecutor::newTriggerId();
        foreign.kind = QStringLiteral("savepoint");
        foreign.triggeredAt = QDateTime::currentDateTimeUtc();
        foreign.state = QStringLiteral("in_progress");
        QVERIFY(m_rig->history.addSavepoint(foreign));
        m_rig->executor->resumePending();
        QCOMPARE(m_rig->executor->activeOperations(), 0);
        QCOMPARE(m_sim->requestCount("GET"), 0);
        QCOMPARE(m_rig->history.savepointByTrigger(foreign.triggerId)->value().state,
                 QStringLiteral("in_progress"));
    }

    void expiredResultBecomesUnknownNotFailed()
    {
        m_sim->setAsyncLatencyMs(1);
        m_sim->setResultExpiryMs(1);
        const auto r = m_rig->run(QStringLiteral("CREATE SAVEPOINT FOR JOB %1").arg(m_job), 0);
        QVERIFY(r);
        QVERIFY(m_rig->rebuild(plain(*m_sim)));
        m_rig->executor->setPollBackoff(100, 100); // first poll well after the 1 ms expiry
        m_rig->executor->resumePending();
        QTRY_COMPARE_WITH_TIMEOUT(m_rig->history.savepointByTrigger(r->triggerId)->value().state,
                                  QStringLiteral("unknown"), 10000);
        const auto entry = m_rig->history.savepointByTrigger(r->triggerId)->value();
        QVERIFY2(entry.failure.contains(QLatin1String("result expired")),
                 qPrintable(entry.failure));
    }

    void transientPollFailuresAreSurvived()
    {
        m_sim->setAsyncLatencyMs(800);
        QSignalSpy changed(m_rig->executor.get(), &JobExecutor::operationChanged);
        std::optional<StatementResult> result;
        m_rig->executor->execute(parseOne(QStringLiteral("CREATE SAVEPOINT FOR JOB %1").arg(m_job)),
                                 -1, [&result](const StatementResult &r) { result = r; });
        QTRY_VERIFY_WITH_TIMEOUT(
            m_sim->requestCount("GET", QStringLiteral("/jobs/%1/savepoints/").arg(m_job)) >= 1,
            5000);
        m_sim->setFault(FlinkFault::InternalError, true);
        QTRY_VERIFY_WITH_TIMEOUT(
            !changed.isEmpty() && changed.last().first().value<JobOperation>().transientErrors > 0,
            5000);
        m_sim->setFault(FlinkFault::InternalError, false);
        QTRY_VERIFY_WITH_TIMEOUT(result.has_value(), 10000);
        QCOMPARE(result->status, ExecStatus::Ok);
        QCOMPARE(m_sim->requestCount("POST"), 1);
    }

    void dropSavepointDisposesAndMarksTheLedger()
    {
        const auto created = m_rig->run(QStringLiteral("CREATE SAVEPOINT FOR JOB %1").arg(m_job));
        QVERIFY(created && created->status == ExecStatus::Ok);
        const QString location = created->rows.first().first().toString();
        const auto r = m_rig->run(QStringLiteral("DROP SAVEPOINT '%1'").arg(location));
        QVERIFY(r);
        QCOMPARE(r->status, ExecStatus::Ok);
        QCOMPARE(m_sim->disposedPaths().size(), 1);
        QVERIFY(location.endsWith(m_sim->disposedPaths().first()));
        QCOMPARE(m_rig->history.savepointByTrigger(created->triggerId)->value().state,
                 QStringLiteral("disposed"));
    }

    void dropFailureKeepsTheLedgerEntry()
    {
        const auto created = m_rig->run(QStringLiteral("CREATE SAVEPOINT FOR JOB %1").arg(m_job));
        QVERIFY(created && created->status == ExecStatus::Ok);
        const QString location = created->rows.first().first().toString();
        QString local = location;
        local.remove(QRegularExpression(QStringLiteral("^file:(//)?")));
        QVERIFY(QDir(local).removeRecursively()); // someone deleted it behind our back
        const auto r = m_rig->run(QStringLiteral("DROP SAVEPOINT '%1'").arg(location));
        QVERIFY(r);
        QCOMPARE(r->status, ExecStatus::Failed);
        QCOMPARE(r->error->kind, QStringLiteral("operation_failed"));
        const auto entry = m_rig->history.savepointByTrigger(created->triggerId)->value();
        QCOMPARE(entry.state, QStringLiteral("completed"));
        QVERIFY2(entry.failure.startsWith(QLatin1String("disposal failed")),
                 qPrintable(entry.failure));
    }

    void showSavepointsMergesLedgerAndCluster()
    {
        // One savepoint through this executor, one behind its back (another opsdeck, no ledger).
        const auto ours = m_rig->run(QStringLiteral("CREATE SAVEPOINT FOR JOB %1").arg(m_job));
        QVERIFY(ours && ours->status == ExecStatus::Ok);
        RestClient otherClient;
        QVERIFY(otherClient.configure(plain(*m_sim)));
        JobExecutor other(&otherClient, nullptr, nullptr, QStringLiteral("other"));
        std::optional<StatementResult> theirs;
        other.execute(parseOne(QStringLiteral("CREATE SAVEPOINT FOR JOB %1").arg(m_job)), 10000,
                      [&theirs](const StatementResult &r) { theirs = r; });
        QTRY_VERIFY_WITH_TIMEOUT(theirs.has_value(), 10000);
        QCOMPARE(theirs->status, ExecStatus::Ok);

        const auto r = m_rig->run(QStringLiteral("SHOW SAVEPOINTS FOR JOB %1").arg(m_job));
        QVERIFY(r);
        QCOMPARE(r->status, ExecStatus::Ok);
        QCOMPARE(r->rows.size(), 2);
        QHash<QString, QString> sourceByPath;
        for (const auto &row : r->rows)
            sourceByPath.insert(row.at(0).toString(), row.at(2).toString());
        QCOMPARE(sourceByPath.value(ours->rows.first().first().toString()),
                 QStringLiteral("ledger+cluster"));
        QCOMPARE(sourceByPath.value(theirs->rows.first().first().toString()),
                 QStringLiteral("cluster"));
    }

    void flink1xFieldSetAndAtClassAreAccepted()
    {
        FlinkSimOptions options;
        options.jobCount = 0;
        options.flinkMajor = 1;
        options.atClassDiscriminator = true;
        options.asyncLatencyMs = 20;
        options.clusterSavepointDir = m_spDir->filePath(QStringLiteral("old"));
        FlinkSimulator old(options);
        QVERIFY(old.listen());
        const QString job = old.addJob(QStringLiteral("legacy"));
        QVERIFY(m_rig->rebuild(plain(old)));
        auto r = m_rig->run(QStringLiteral("SHOW JOBS"));
        QVERIFY(r && r->status == ExecStatus::Ok);
        QCOMPARE(r->rows.size(), 1);
        r = m_rig->run(QStringLiteral("CREATE SAVEPOINT FOR JOB %1").arg(job));
        QVERIFY(r && r->status == ExecStatus::Ok);
        const QString location = r->rows.first().first().toString();
        // A second savepoint by someone else: only the "@class" history knows it.
        RestClient otherClient;
        QVERIFY(otherClient.configure(plain(old)));
        JobExecutor other(&otherClient, nullptr, nullptr, QStringLiteral("other"));
        std::optional<StatementResult> theirs;
        other.execute(parseOne(QStringLiteral("CREATE SAVEPOINT FOR JOB %1").arg(job)), 10000,
                      [&theirs](const StatementResult &res) { theirs = res; });
        QTRY_VERIFY_WITH_TIMEOUT(theirs.has_value(), 10000);
        r = m_rig->run(QStringLiteral("SHOW SAVEPOINTS FOR JOB %1").arg(job));
        QVERIFY(r && r->status == ExecStatus::Ok);
        QCOMPARE(r->rows.size(), 2);
        QStringList sources;
        for (const auto &row : r->rows)
            sources << row.at(2).toString();
        sources.sort();
        QCOMPARE(sources,
                 (QStringList{QStringLiteral("cluster"), QStringLiteral("ledger+cluster")}));
        for (const auto &row : r->rows)
            if (row.at(2).toString() == QLatin1String("ledger+cluster"))
                QCOMPARE(row.at(0).toString(), location);
    }

    void serverFaultsAreClassified_data()
    {
        QTest::addColumn<int>("fault");
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("messagePart");
        QTest::newRow("500") << int(FlinkFault::InternalError) << "server_error"
                             << "Internal server error";
        QTest::newRow("html") << int(FlinkFault::HtmlErrorPage) << "html_response"
                              << "HTML";
        QTest::newRow("truncated") << int(FlinkFault::TruncatedBody) << "truncated"
                                   << "cut off";
        QTest::newRow("garbage") << int(FlinkFault::GarbageJson) << "invalid_json"
                                 << "not valid JSON";
    }
    void serverFaultsAreClassified()
    {
        QFETCH(int, fault);
        QFETCH(QString, kind);
        QFETCH(QString, messagePart);
        m_sim->setFault(static_cast<FlinkFault>(fault), true);
        const auto r = m_rig->run(QStringLiteral("SHOW JOBS"));
        QVERIFY(r);
        QCOMPARE(r->status, ExecStatus::Failed);
        QVERIFY(r->error);
        QCOMPARE(r->error->kind, kind);
        QVERIFY2(r->error->message.contains(messagePart), qPrintable(r->error->message));
    }

    void synchronous500OnTriggerFailsWithoutRetry()
    {
        m_sim->setFault(FlinkFault::SavepointSync500, true);
        const auto r = m_rig->run(QStringLiteral("CREATE SAVEPOINT FOR JOB %1").arg(m_job));
        QVERIFY(r);
        QCOMPARE(r->status, ExecStatus::Failed);
        QCOMPARE(r->error->httpStatus, 500);
        QVERIFY2(r->error->message.contains(QLatin1String("triggering savepoint")),
                 qPrintable(r->error->message));
        QCOMPARE(m_sim->requestCount("POST"), 1);
        QCOMPARE(m_rig->history.savepointByTrigger(r->triggerId)->value().state,
                 QStringLiteral("failed"));
    }

    void cancelTimeoutIsReported()
    {
        m_sim->setFault(FlinkFault::CancelTimeout, true);
        const auto r = m_rig->run(QStringLiteral("STOP JOB %1").arg(m_job));
        QVERIFY(r);
        QCOMPARE(r->status, ExecStatus::Failed);
        QCOMPARE(r->error->httpStatus, 408);
        QCOMPARE(m_sim->requestCount("PATCH"), 1);
    }

    void slowEndpointTimesOut()
    {
        m_sim->setSlowReplyMs(3000);
        m_sim->setFault(FlinkFault::SlowReplies, true);
        RestEndpointConfig c = plain(*m_sim);
        c.readTimeoutMs = 300;
        QVERIFY(m_rig->rebuild(c));
        const auto r = m_rig->run(QStringLiteral("SHOW JOBS"));
        QVERIFY(r);
        QCOMPARE(r->error->kind, QStringLiteral("timeout"));
        QVERIFY(r->status != ExecStatus::Ok);
    }

    void oversizedBodyIsRefused()
    {
        m_rig->client->setMaxBodyBytes(64);
        const auto r = m_rig->run(QStringLiteral("SHOW JOBS"));
        QVERIFY(r);
        QCOMPARE(r->error->kind, QStringLiteral("too_large"));
    }

    void refusedConnectionIsNotExecuted()
    {
        const quint16 port = m_sim->port();
        m_sim.reset();
        RestEndpointConfig c;
        c.url = QStringLiteral("http://127.0.0.1:%1").arg(port);
        QVERIFY(m_rig->rebuild(c));
        const auto r = m_rig->run(QStringLiteral("SHOW JOBS"));
        QVERIFY(r);
        QCOMPARE(r->status, ExecStatus::NotExecuted);
        QCOMPARE(r->error->kind, QStringLiteral("connection_refused"));
    }

    void flinkErrorBodiesLoseTheirJavaPrefix()
    {
        QCOMPARE(RestClient::flinkErrorMessage(
                     "{\"errors\":[\"org.apache.flink.runtime.rest.handler.RestHandlerException: "
                     "Job could not be found.\\n\\tat org.apache.flink.Foo.bar(Foo.java:1)\"]}"),
                 QStringLiteral("Job could not be found."));
        QCOMPARE(RestClient::flinkErrorMessage("{\"errors\":[\"Not found: /jobz\"]}"),
                 QStringLiteral("Not found: /jobz"));
        QCOMPARE(RestClient::flinkErrorMessage("<html>"), QString());
    }

    void decodersAcceptOldAndNewFieldSets()
    {
        const QByteArray old =
            "{\"counts\":{},\"summary\":{\"state_size\":{\"p50\":\"NaN\"}},\"latest\":{"
            "\"savepoint\":null,"
            "\"restored\":{\"id\":3,\"restore_timestamp\":5,\"is_savepoint\":true,\"external_"
            "path\":\"file:/r\"}},"
            "\"history\":[{\"@class\":\"completed\",\"id\":9,\"status\":\"COMPLETED\",\"is_"
            "savepoint\":true,"
            "\"external_path\":\"file:/"
            "a\",\"trigger_timestamp\":\"NaN\",\"latest_ack_timestamp\":7},"
            "{\"@class\":\"completed\",\"id\":8,\"status\":\"COMPLETED\",\"is_savepoint\":false,"
            "\"external_path\":\"file:/cp\"}]}";
        const auto decoded = decodeRememberedSavepoints(QJsonDocument::fromJson(old).object());
        QVERIFY(decoded);
        QCOMPARE(decoded->size(), 2);
        QCOMPARE(decoded->at(0).path, QStringLiteral("file:/a"));
        QCOMPARE(decoded->at(0).triggerTime, qint64(-1));
        QCOMPARE(decoded->at(1).type, QStringLiteral("RESTORED"));
        QVERIFY(std::isnan(numberOrSpecial(QJsonValue(QStringLiteral("NaN")))));
        QCOMPARE(historyClass(QJsonObject{{QStringLiteral("className"), QStringLiteral("failed")}}),
                 QStringLiteral("failed"));
    }

    // Found by fuzz_flinkjson: a finite double outside qint64's range (1e300 as a timestamp) was
    // cast to qint64, which is undefined behaviour; it is the fallback like NaN and Infinity.
    void numbersOutsideQint64RangeAreTheFallback()
    {
        QCOMPARE(int64Or(QJsonValue(1e300), -1), qint64(-1));
        QCOMPARE(int64Or(QJsonValue(-1e300), -1), qint64(-1));
        QCOMPARE(int64Or(QJsonValue(9223372036854775808.0), -1), qint64(-1));
        QCOMPARE(int64Or(QJsonValue(-9223372036854775808.0), -1),
                 std::numeric_limits<qint64>::min());
        QCOMPARE(int64Or(QJsonValue(1717000000000.0), -1), qint64(1717000000000));
        const auto jobs = decodeJobsOverview(
            QByteArrayLiteral("{\"jobs\":[{\"jid\":\"a\",\"start-time\":1e300}]}"));
        QVERIFY(jobs);
        QCOMPARE(jobs->first().startTime, qint64(-1));
        // Also found by fuzz_flinkjson: the vertices' parallelism summed in an int overflowed.
        const auto details = decodeJobDetails(
            QJsonDocument::fromJson(
                QByteArrayLiteral("{\"jid\":\"a\",\"vertices\":[{\"parallelism\":2000000000},"
                                  "{\"parallelism\":2000000000}]}"))
                .object());
        QVERIFY(details);
        QCOMPARE(details->job.tasksTotal, std::numeric_limits<int>::max());
    }

    // --- TLS -------------------------------------------------------------------------------

    void tlsModes_data()
    {
        QTest::addColumn<QString>("mode");
        QTest::addColumn<QString>("expectedKind"); // empty: success
        QTest::newRow("server, CA given") << "server"
                                          << "";
        QTest::newRow("server, no CA") << "server-no-ca"
                                       << "tls_unknown_ca";
        QTest::newRow("server, wrong CA") << "server-wrong-ca"
                                          << "tls_unknown_ca";
        QTest::newRow("server, pin matches") << "pin-ok"
                                             << "";
        QTest::newRow("server, pin mismatch") << "pin-bad"
                                              << "tls_pin_mismatch";
        QTest::newRow("server, wrong hostname") << "hostname"
                                                << "tls_hostname_mismatch";
        QTest::newRow("server, expired") << "expired"
                                         << "tls_expired";
        QTest::newRow("flink default cipher") << "flink-cipher"
                                              << "";
        QTest::newRow("mutual, client cert") << "mutual"
                                             << "";
        QTest::newRow("mutual, client cert as PKCS#12") << "mutual-p12"
                                                        << "";
        QTest::newRow("mutual, no client cert") << "mutual-none"
                                                << "*";
    }
    void tlsModes()
    {
        QFETCH(QString, mode);
        QFETCH(QString, expectedKind);
        QTemporaryDir dir;
        auto ca = CertFactory::selfSigned(CertSpec::rootCa());
        QVERIFY(ca);
        CertSpec serverSpec = CertSpec::server(QStringLiteral("localhost"));
        if (mode == QLatin1String("hostname"))
            serverSpec = CertSpec::server(QStringLiteral("flink.example.org"), {}, {});
        if (mode == QLatin1String("expired"))
            serverSpec.expired(2);
        if (mode == QLatin1String("flink-cipher"))
            serverSpec.withKey(KeyType::Rsa2048);
        auto server = CertFactory::issue(serverSpec, ca.value());
        QVERIFY(server);
        auto files = CertFactory::writeAll(dir.path(), QStringLiteral("server"), server.value());
        QVERIFY(files);
        auto caFile = CertFactory::writeFile(dir.path(), QStringLiteral("ca.pem"), ca->certPem);
        QVERIFY(caFile);

        FlinkSimOptions options;
        options.jobCount = 2;
        options.tls = mode.startsWith(QLatin1String("mutual")) ? FlinkSimOptions::Tls::Mutual
                                                               : FlinkSimOptions::Tls::Server;
        options.certFile = files->chain;
        options.keyFile = files->key;
        options.clientCaFile = caFile.value();
        options.flinkDefaultCipherOnly = mode == QLatin1String("flink-cipher");
        FlinkSimulator sim(options);
        QString error;
        QVERIFY2(sim.listen(0, &error), qPrintable(error));

        RestEndpointConfig c;
        c.url = QStringLiteral("https://localhost:%1").arg(sim.port());
        c.caFile = caFile.value();
        if (mode == QLatin1String("server-no-ca"))
            c.caFile.clear();
        if (mode == QLatin1String("server-wrong-ca")) {
            auto other = CertFactory::selfSigned(CertSpec::rootCa(QStringLiteral("Other CA")));
            QVERIFY(other);
            c.caFile =
                CertFactory::writeFile(dir.path(), QStringLiteral("other.pem"), other->certPem)
                    .value();
        }
        if (mode == QLatin1String("pin-ok"))
            c.pinSha256 = QString::fromLatin1(server->sha256Colons());
        if (mode == QLatin1String("pin-bad"))
            c.pinSha256 = QString(64, QLatin1Char('a'));
        if (mode == QLatin1String("mutual") || mode == QLatin1String("mutual-p12")) {
            auto clientCert = CertFactory::issue(CertSpec::client(), ca.value());
            QVERIFY(clientCert);
            auto clientFiles =
                CertFactory::writeAll(dir.path(), QStringLiteral("client"), clientCert.value());
            QVERIFY(clientFiles);
            if (mode == QLatin1String("mutual")) {
                c.clientCertFile = clientFiles->cert;
                c.clientKeyFile = clientFiles->key;
            } else {
                auto p12 = CertFactory::pkcs12(clientCert.value(), "client-pass");
                QVERIFY(p12);
                c.clientCertFile =
                    CertFactory::writeFile(dir.path(), QStringLiteral("client.p12"), p12.value())
                        .value();
                qputenv("OPSDECK_TEST_P12_PASS", "client-pass");
                c.clientKeyPassword = SecretRef::fromEnv(QStringLiteral("OPSDECK_TEST_P12_PASS"));
            }
        }
        QVERIFY(m_rig->rebuild(c));
        const auto r = m_rig->run(QStringLiteral("SHOW JOBS"));
        QVERIFY(r);
        if (expectedKind.isEmpty()) {
            QVERIFY2(r->status == ExecStatus::Ok,
                     qPrintable(r->error ? r->error->toString() : QString()));
            QCOMPARE(r->rows.size(), 2);
            return;
        }
        QCOMPARE(r->status, ExecStatus::NotExecuted);
        QVERIFY(r->error);
        if (expectedKind == QLatin1String("*")) {
            // Refused before any HTTP: either the alert or a closed connection, never a success.
            QVERIFY2(r->error->kind.startsWith(QLatin1String("tls_")) ||
                         r->error->kind == QLatin1String("connection_closed"),
                     qPrintable(r->error->toString()));
        } else {
            QCOMPARE(r->error->kind, expectedKind);
        }
        if (mode == QLatin1String("pin-bad"))
            QCOMPARE(sim.requestCount("GET"), 0); // nothing was sent to a server we do not trust
        // No secret or key material in the message.
        QVERIFY(!r->error->message.contains(QLatin1String("PRIVATE KEY")));
    }

private:
    std::unique_ptr<QTemporaryDir> m_spDir;
    std::unique_ptr<FlinkSimulator> m_sim;
    std::unique_ptr<Rig> m_rig;
    QString m_job;
    QString m_finished;
    QString m_noCheckpoints;
};

OPSDECK_TEST_GUILESS_MAIN(TestJobExecutor)
#include "tst_jobexecutor.moc"
