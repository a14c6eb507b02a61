// SPDX-License-Identifier: GPL-3.0-or-later
// The Flink REST simulator against the contract in shared/docs/flink-rest.md, driven over loopback
// with QNetworkAccessManager: every endpoint, every status code, the async operations, faults and
// TLS (server-only, mutual, Flink's default cipher) with certificates made at test time.
#include "certfactory.h"
#include "flinksim.h"
#include "testmain.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QSslCipher>
#include <QSslConfiguration>
#include <QSslKey>
#include <QTemporaryDir>
#include <limits>
#include <memory>

using namespace opsdeck;
using namespace opsdeck::test;

namespace {

constexpr int kTimeoutMs = 10000;

struct Response
{
    int status = 0;
    QNetworkReply::NetworkError error = QNetworkReply::NoError;
    QByteArray body;
    QByteArray contentType;
    QSslConfiguration ssl;

    QJsonObject object() const { return QJsonDocument::fromJson(body).object(); }
    QJsonArray errors() const { return object().value(QStringLiteral("errors")).toArray(); }
    QString firstError() const { return errors().at(0).toString(); }
};

QString str(const QJsonObject &object, const char *key)
{
    return object.value(QLatin1String(key)).toString();
}

} // namespace

class TestFlinkSim : public QObject
{
    Q_OBJECT

private:
    QNetworkAccessManager m_nam;
    QTemporaryDir m_tmp;

    Response send(const QUrl &base, const QByteArray &method, const QString &path,
                  const QByteArray &body = {}, const QSslConfiguration *ssl = nullptr)
    {
        QUrl url = base;
        const qsizetype q = path.indexOf(QLatin1Char('?'));
        url.setPath(q < 0 ? path : path.left(q));
        if (q >= 0)
            url.setQuery(path.mid(q + 1));
        QNetworkRequest request(url);
        request.setTransferTimeout(kTimeoutMs);
        if (ssl)
            request.setSslConfiguration(*ssl);
        if (!body.isEmpty())
            request.setHeader(QNetworkRequest::ContentTypeHeader,
                              QByteArrayLiteral("application/json"));
        // TLS requests get a manager of their own: connections are cached per host and port, not
        // per TLS configuration.
        std::unique_ptr<QNetworkAccessManager> own;
        if (ssl)
            own = std::make_unique<QNetworkAccessManager>();
        QNetworkReply *reply = (own ? *own : m_nam).sendCustomRequest(request, method, body);
        QSignalSpy finished(reply, &QNetworkReply::finished);
        if (!reply->isFinished())
            finished.wait(kTimeoutMs);
        Response response;
        response.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        response.error = reply->error();
        response.body = reply->readAll();
        response.contentType = reply->header(QNetworkRequest::ContentTypeHeader).toByteArray();
        response.ssl = reply->sslConfiguration();
        delete reply;
        return response;
    }
    Response get(FlinkSimulator &sim, const QString &path)
    {
        return send(sim.baseUrl(), "GET", path);
    }
    Response post(FlinkSimulator &sim, const QString &path, const QByteArray &body = {})
    {
        return send(sim.baseUrl(), "POST", path, body);
    }
    Response patch(FlinkSimulator &sim, const QString &path, const QByteArray &body = {})
    {
        return send(sim.baseUrl(), "PATCH", path, body);
    }

    FlinkSimOptions options(int jobs = 0)
    {
        FlinkSimOptions o;
        o.jobCount = jobs;
        o.asyncLatencyMs = 150;
        o.cancelLatencyMs = 100;
        o.clusterSavepointDir = m_tmp.filePath(QStringLiteral("savepoints"));
        return o;
    }

    // Polls a status URL until COMPLETED; returns the final object.
    QJsonObject awaitCompleted(FlinkSimulator &sim, const QString &path, bool *sawInProgress)
    {
        QElapsedTimer timer;
        timer.start();
        while (timer.elapsed() < kTimeoutMs) {
            const Response r = get(sim, path);
            if (r.status != 200)
                return {};
            const QJsonObject o = r.object();
            const QString id =
                o.value(QStringLiteral("status")).toObject().value(QStringLiteral("id")).toString();
            if (id == QLatin1String("COMPLETED"))
                return o;
            if (id == QLatin1String("IN_PROGRESS")) {
                if (sawInProgress)
                    *sawInProgress = true;
                if (o.contains(QStringLiteral("operation")))
                    return {}; // IN_PROGRESS carries no operation
            }
            QTest::qWait(20); // polling interval, not a fixed wait for a result
        }
        return {};
    }

    QString triggerSavepoint(FlinkSimulator &sim, const QString &jobId, const QByteArray &body = {})
    {
        const Response r = post(sim, QStringLiteral("/jobs/%1/savepoints").arg(jobId), body);
        if (r.status != 202)
            return {};
        return str(r.object(), "request-id");
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_tmp.isValid()); }

    void readOnlyEndpoints()
    {
        FlinkSimulator sim(options(5));
        QString error;
        QVERIFY2(sim.listen(0, &error), qPrintable(error));
        QVERIFY(sim.port() != 0);
        QCOMPARE(sim.baseUrl().scheme(), QStringLiteral("http"));
        QCOMPARE(sim.baseUrl().host(), QStringLiteral("127.0.0.1"));

        const Response config = get(sim, QStringLiteral("/config"));
        QCOMPARE(config.status, 200);
        QVERIFY(config.contentType.startsWith("application/json"));
        QCOMPARE(str(config.object(), "flink-version").left(2), QStringLiteral("2."));
        for (const char *key :
             {"refresh-interval", "timezone-name", "timezone-offset", "flink-revision", "features"})
            QVERIFY2(config.object().contains(QLatin1String(key)), key);
        QVERIFY(config.object()
                    .value(QStringLiteral("features"))
                    .toObject()
                    .contains(QStringLiteral("web-cancel")));

        const QJsonObject overview = get(sim, QStringLiteral("/overview")).object();
        for (const char *key :
             {"taskmanagers", "slots-total", "slots-available", "jobs-running", "jobs-finished",
              "jobs-cancelled", "jobs-failed", "flink-version", "flink-commit"})
            QVERIFY2(overview.contains(QLatin1String(key)), key);
        QCOMPARE(overview.value(QStringLiteral("jobs-finished")).toInt(), 1);
        QCOMPARE(overview.value(QStringLiteral("jobs-cancelled")).toInt(), 1);
        QCOMPARE(overview.value(QStringLiteral("jobs-failed")).toInt(), 1);

        const QJsonArray list =
            get(sim, QStringLiteral("/jobs")).object().value(QStringLiteral("jobs")).toArray();
        QCOMPARE(list.size(), 5);
        QVERIFY(list.at(0).toObject().contains(QStringLiteral("id")));
        QVERIFY(list.at(0).toObject().contains(QStringLiteral("status")));

        const Response jobsOverview = get(sim, QStringLiteral("/jobs/overview"));
        QCOMPARE(jobsOverview.status, 200);
        // Flink's key order.
        QVERIFY(jobsOverview.body.startsWith("{\"jobs\":[{\"jid\":\""));
        const QJsonArray jobs = jobsOverview.object().value(QStringLiteral("jobs")).toArray();
        QCOMPARE(jobs.size(), 5);
        const QRegularExpression hex32(QStringLiteral("^[0-9a-f]{32}$"));
        QSet<QString> states;
        for (const QJsonValue &value : jobs) {
            const QJsonObject job = value.toObject();
            QVERIFY(hex32.match(str(job, "jid")).hasMatch());
            for (const char *key : {"name", "state", "start-time", "end-time", "duration",
                                    "last-modification", "tasks", "pending-operators"})
                QVERIFY2(job.contains(QLatin1String(key)), key);
            const QJsonObject tasks = job.value(QStringLiteral("tasks")).toObject();
            for (const char *key :
                 {"total", "created", "scheduled", "deploying", "running", "finished", "canceling",
                  "canceled", "failed", "reconciling", "initializing"})
                QVERIFY2(tasks.contains(QLatin1String(key)), key);
            states << str(job, "state");
            if (str(job, "state") == QLatin1String("RUNNING"))
                QCOMPARE(job.value(QStringLiteral("end-time")).toInteger(), -1);
            else
                QVERIFY(job.value(QStringLiteral("end-time")).toInteger() > 0);
        }
        QCOMPARE(states, (QSet<QString>{QStringLiteral("RUNNING"), QStringLiteral("FINISHED"),
                                        QStringLiteral("CANCELED"), QStringLiteral("FAILED")}));

        // /v1 prefix, unknown version, unknown route.
        QCOMPARE(get(sim, QStringLiteral("/v1/jobs/overview")).body, jobsOverview.body);
        const Response v2 = get(sim, QStringLiteral("/v2/jobs/overview"));
        QCOMPARE(v2.status, 404);
        QCOMPARE(v2.firstError(), QStringLiteral("Not found: /v2/jobs/overview"));
        const Response nope = get(sim, QStringLiteral("/nope?x=1"));
        QCOMPARE(nope.status, 404);
        QCOMPARE(nope.errors().size(), 1);
        QCOMPARE(nope.firstError(), QStringLiteral("Not found: /nope?x=1"));

        // Deterministic ids from the seed.
        FlinkSimulator again(options(5));
        QCOMPARE(again.jobs().at(0).id, sim.jobs().at(0).id);
        QCOMPARE(sim.jobs().size(), 5);
    }

    void jobDetails()
    {
        FlinkSimulator sim(options(5));
        QVERIFY(sim.listen());
        const FlinkSimulator::JobSpec job = sim.jobs().at(0);
        QCOMPARE(job.state, QStringLiteral("RUNNING"));
        const Response r = get(sim, QStringLiteral("/jobs/") + job.id);
        QCOMPARE(r.status, 200);
        const QJsonObject d = r.object();
        QCOMPARE(str(d, "jid"), job.id);
        QCOMPARE(str(d, "name"), job.name);
        QCOMPARE(str(d, "state"), QStringLiteral("RUNNING"));
        QCOMPARE(str(d, "job-type"), QStringLiteral("STREAMING"));
        for (const char *key :
             {"isStoppable", "start-time", "end-time", "duration", "maxParallelism", "now",
              "timestamps", "vertices", "status-counts", "plan", "pending-operators"})
            QVERIFY2(d.contains(QLatin1String(key)), key);
        const QJsonObject timestamps = d.value(QStringLiteral("timestamps")).toObject();
        QVERIFY(timestamps.value(QStringLiteral("RUNNING")).toInteger() > 0);
        QCOMPARE(timestamps.value(QStringLiteral("FINISHED")).toInteger(), 0);
        const QJsonArray vertices = d.value(QStringLiteral("vertices")).toArray();
        QVERIFY(!vertices.isEmpty());
        const QJsonObject vertex = vertices.at(0).toObject();
        for (const char *key : {"id", "name", "maxParallelism", "parallelism", "status",
                                "start-time", "end-time", "duration", "tasks", "metrics"})
            QVERIFY2(vertex.contains(QLatin1String(key)), key);
        QVERIFY(
            vertex.value(QStringLiteral("tasks")).toObject().contains(QStringLiteral("CANCELING")));
        QVERIFY(d.value(QStringLiteral("status-counts"))
                    .toObject()
                    .value(QStringLiteral("RUNNING"))
                    .toInt() > 0);
        QCOMPARE(d.value(QStringLiteral("plan"))
                     .toObject()
                     .value(QStringLiteral("nodes"))
                     .toArray()
                     .size(),
                 vertices.size());

        // Upper-case id accepted, output lower-case.
        QCOMPARE(str(get(sim, QStringLiteral("/jobs/") + job.id.toUpper()).object(), "jid"),
                 job.id);

        const Response status = get(sim, QStringLiteral("/jobs/%1/status").arg(job.id));
        QCOMPARE(status.status, 200);
        QCOMPARE(str(status.object(), "status"), QStringLiteral("RUNNING"));

        const QString unknown = QStringLiteral("0123456789abcdef0123456789abcdef");
        for (const QString &path : QStringList{
                 QStringLiteral("/jobs/") + unknown, QStringLiteral("/jobs/%1/status").arg(unknown),
                 QStringLiteral("/jobs/%1/checkpoints").arg(unknown)}) {
            const Response missing = get(sim, path);
            QCOMPARE(missing.status, 404);
            QCOMPARE(missing.errors().size(), 1);
            QVERIFY2(missing.firstError().startsWith(
                         QStringLiteral("org.apache.flink.runtime.rest.NotFoundException: Job ") +
                         unknown + QStringLiteral(" not found\n\tat ")),
                     qPrintable(missing.firstError()));
        }

        const Response bad = get(sim, QStringLiteral("/jobs/xyz"));
        QCOMPARE(bad.status, 400);
        QVERIFY2(bad.firstError().contains(
                     QStringLiteral("Bad request, could not parse parameters: Cannot resolve path "
                                    "parameter (jobid) from value \"xyz\".")),
                 qPrintable(bad.firstError()));
        QCOMPARE(get(sim, QStringLiteral("/jobs/%1/status").arg(job.id.left(31))).status, 400);

        // The batch job (fifth) and a job without checkpointing: 404 on /checkpoints.
        const FlinkSimulator::JobSpec batch = sim.jobs().at(4);
        QVERIFY(!batch.streaming);
        QCOMPARE(str(get(sim, QStringLiteral("/jobs/") + batch.id).object(), "job-type"),
                 QStringLiteral("BATCH"));
        const Response disabled = get(sim, QStringLiteral("/jobs/%1/checkpoints").arg(batch.id));
        QCOMPARE(disabled.status, 404);
        QVERIFY(disabled.firstError().startsWith(
            QStringLiteral("org.apache.flink.runtime.rest.handler.RestHandlerException: "
                           "Checkpointing has not been enabled.")));
    }

    void flink1FieldSet()
    {
        FlinkSimOptions o = options(2);
        o.flinkMajor = 1;
        FlinkSimulator sim(o);
        QVERIFY(sim.listen());
        QCOMPARE(str(get(sim, QStringLiteral("/config")).object(), "flink-version").left(2),
                 QStringLiteral("1."));
        const QJsonObject job = get(sim, QStringLiteral("/jobs/overview"))
                                    .object()
                                    .value(QStringLiteral("jobs"))
                                    .toArray()
                                    .at(0)
                                    .toObject();
        QVERIFY(job.contains(QStringLiteral("tasks")));
        QVERIFY(!job.contains(QStringLiteral("pending-operators")));
        QVERIFY(!get(sim, QStringLiteral("/jobs/") + sim.jobs().at(0).id)
                     .object()
                     .contains(QStringLiteral("pending-operators")));
        // 1.x names the older savepoint directory key.
        FlinkSimOptions noDir = o;
        noDir.clusterSavepointDir.clear();
        FlinkSimulator sim2(noDir);
        QVERIFY(sim2.listen());
        const Response r =
            post(sim2, QStringLiteral("/jobs/%1/savepoints").arg(sim2.jobs().at(0).id));
        QCOMPARE(r.status, 400);
        QVERIFY(r.firstError().contains(QStringLiteral("Config key [state.savepoints.dir]")));
    }

    void cancel()
    {
        FlinkSimOptions o = options(5);
        o.archiveMs = 3000;
        FlinkSimulator sim(o);
        QVERIFY(sim.listen());
        // FINISHED / FAILED: 409 (generated jobs 1 and 3, before the short archive drops them).
        for (int index : {1, 3}) {
            const FlinkSimulator::JobSpec job = sim.jobs().at(index);
            QVERIFY(job.state == QLatin1String("FINISHED") || job.state == QLatin1String("FAILED"));
            const Response conflict =
                patch(sim, QStringLiteral("/jobs/%1?mode=cancel").arg(job.id));
            QCOMPARE(conflict.status, 409);
            QVERIFY(conflict.firstError().contains(job.state));
        }
        const QString running = sim.addJob(QStringLiteral("to-cancel"));
        QCOMPARE(sim.jobState(running), QStringLiteral("RUNNING"));

        const Response r = patch(sim, QStringLiteral("/jobs/%1?mode=cancel").arg(running));
        QCOMPARE(r.status, 202);
        QCOMPARE(r.body, QByteArray("{}"));
        QCOMPARE(str(get(sim, QStringLiteral("/jobs/%1/status").arg(running)).object(), "status"),
                 QStringLiteral("CANCELLING"));
        QTRY_COMPARE_WITH_TIMEOUT(sim.jobState(running), QStringLiteral("CANCELED"), kTimeoutMs);
        QCOMPARE(str(get(sim, QStringLiteral("/jobs/%1/status").arg(running)).object(), "status"),
                 QStringLiteral("CANCELED"));
        const QJsonObject details = get(sim, QStringLiteral("/jobs/") + running).object();
        QVERIFY(details.value(QStringLiteral("end-time")).toInteger() > 0);

        // Idempotent on CANCELED; mode defaults to cancel.
        QCOMPARE(patch(sim, QStringLiteral("/jobs/") + running).status, 202);

        const Response unknown =
            patch(sim, QStringLiteral("/jobs/0123456789abcdef0123456789abcdef?mode=cancel"));
        QCOMPARE(unknown.status, 404);
        QCOMPARE(unknown.errors().size(), 1);
        QVERIFY2(unknown.firstError().startsWith(
                     QStringLiteral("org.apache.flink.runtime.rest.handler.RestHandlerException: "
                                    "Job could not be found.\n\tat ")),
                 qPrintable(unknown.firstError()));

        QCOMPARE(patch(sim, QStringLiteral("/jobs/%1?mode=bogus").arg(running)).status, 400);
        QCOMPARE(patch(sim, QStringLiteral("/jobs/%1?mode=stop").arg(running)).status, 308);
        const Response body = patch(sim, QStringLiteral("/jobs/") + running, "{\"x\":1}");
        QCOMPARE(body.status, 400);
        QVERIFY(body.firstError().contains(
            QStringLiteral("Request did not match expected format EmptyRequestBody.")));
        QCOMPARE(patch(sim, QStringLiteral("/jobs/nothex")).status, 400);

        const QString other = sim.addJob(QStringLiteral("times-out"));
        sim.setFault(FlinkFault::CancelTimeout, true);
        const Response timeout = patch(sim, QStringLiteral("/jobs/%1?mode=cancel").arg(other));
        QCOMPARE(timeout.status, 408);
        QVERIFY(timeout.firstError().contains(QStringLiteral("Job cancellation timed out.")));
        QCOMPARE(sim.jobState(other), QStringLiteral("RUNNING"));
        sim.setFault(FlinkFault::CancelTimeout, false);

        // Terminal jobs leave the listing after archiveMs.
        const auto listed = [&] {
            return get(sim, QStringLiteral("/jobs/overview"))
                .object()
                .value(QStringLiteral("jobs"))
                .toArray()
                .size();
        };
        QTRY_VERIFY_WITH_TIMEOUT(sim.jobState(running).isEmpty(), kTimeoutMs);
        QCOMPARE(listed(), 3);
        QCOMPARE(get(sim, QStringLiteral("/jobs/%1/status").arg(running)).status, 404);
        QCOMPARE(sim.jobState(other), QStringLiteral("RUNNING"));
        QCOMPARE(sim.requestCount("PATCH"), 10);
        QCOMPARE(sim.requestCount("PATCH", QStringLiteral("/jobs/") + other), 1);
    }

    void savepointLifecycle()
    {
        FlinkSimulator sim(options(0));
        QVERIFY(sim.listen());
        const QString job = sim.addJob(QStringLiteral("savepointed"));
        const QString tid = triggerSavepoint(sim, job);
        QVERIFY(QRegularExpression(QStringLiteral("^[0-9a-f]{32}$")).match(tid).hasMatch());
        const QString statusPath = QStringLiteral("/jobs/%1/savepoints/%2").arg(job, tid);
        bool sawInProgress = false;
        const QJsonObject done = awaitCompleted(sim, statusPath, &sawInProgress);
        QVERIFY(sawInProgress);
        const QString location = done.value(QStringLiteral("operation"))
                                     .toObject()
                                     .value(QStringLiteral("location"))
                                     .toString();
        const QString dir = options().clusterSavepointDir;
        QVERIFY2(QRegularExpression(QStringLiteral("^file:") + QRegularExpression::escape(dir) +
                                    QStringLiteral("/savepoint-") + job.left(6) +
                                    QStringLiteral("-[0-9a-f]{12}$"))
                     .match(location)
                     .hasMatch(),
                 qPrintable(location));
        QVERIFY(QFileInfo(location.mid(5) + QStringLiteral("/_metadata")).isFile());
        QCOMPARE(sim.savepointsStarted(job), 1);
        QCOMPARE(sim.jobState(job), QStringLiteral("RUNNING"));

        const QJsonObject stats =
            get(sim, QStringLiteral("/jobs/%1/checkpoints").arg(job)).object();
        const QJsonArray history = stats.value(QStringLiteral("history")).toArray();
        QCOMPARE(history.size(), 1);
        const QJsonObject entry = history.at(0).toObject();
        QCOMPARE(str(entry, "className"), QStringLiteral("completed"));
        QCOMPARE(str(entry, "status"), QStringLiteral("COMPLETED"));
        QCOMPARE(str(entry, "checkpoint_type"), QStringLiteral("SAVEPOINT"));
        QCOMPARE(entry.value(QStringLiteral("is_savepoint")).toBool(), true);
        QCOMPARE(str(entry, "external_path"), location);
        QCOMPARE(str(stats.value(QStringLiteral("latest"))
                         .toObject()
                         .value(QStringLiteral("savepoint"))
                         .toObject(),
                     "external_path"),
                 location);

        // Explicit directory in the body, with a scheme.
        const QString own = m_tmp.filePath(QStringLiteral("own"));
        const QString tid2 =
            triggerSavepoint(sim, job,
                             QByteArray("{\"target-directory\":\"file://") + own.toUtf8() +
                                 "\",\"cancel-job\":false,\"formatType\":\"CANONICAL\"}");
        QVERIFY(!tid2.isEmpty());
        const QString location2 = str(
            awaitCompleted(sim, QStringLiteral("/jobs/%1/savepoints/%2").arg(job, tid2), nullptr)
                .value(QStringLiteral("operation"))
                .toObject(),
            "location");
        QVERIFY2(
            location2.startsWith(QStringLiteral("file:") + own + QStringLiteral("/savepoint-")),
            qPrintable(location2));

        // Unknown trigger: 404.
        const Response unknown = get(
            sim, QStringLiteral("/jobs/%1/savepoints/0123456789abcdef0123456789abcdef").arg(job));
        QCOMPARE(unknown.status, 404);
        QVERIFY(unknown.firstError().contains(
            QStringLiteral("There is no savepoint operation with "
                           "triggerId=0123456789abcdef0123456789abcdef for job ") +
            job + QLatin1Char('.')));
        QCOMPARE(get(sim, QStringLiteral("/jobs/%1/savepoints/zz").arg(job)).status, 400);

        // Expiry: completed results vanish.
        sim.setResultExpiryMs(300);
        QTRY_COMPARE_WITH_TIMEOUT(get(sim, statusPath).status, 404, kTimeoutMs);
    }

    void savepointIdempotentTriggerId()
    {
        FlinkSimulator sim(options(0));
        QVERIFY(sim.listen());
        sim.setAsyncLatencyMs(400);
        const QString job = sim.addJob(QStringLiteral("idempotent"));
        const QByteArray body = "{\"triggerId\":\"00112233445566778899AABBCCDDEEFF\"}";
        const QString first = triggerSavepoint(sim, job, body);
        QCOMPARE(first, QStringLiteral("00112233445566778899aabbccddeeff"));
        QCOMPARE(triggerSavepoint(sim, job, body), first);
        QCOMPARE(sim.savepointsStarted(job), 1);
        awaitCompleted(sim, QStringLiteral("/jobs/%1/savepoints/%2").arg(job, first), nullptr);
        QCOMPARE(triggerSavepoint(sim, job, body), first); // still cached
        QCOMPARE(sim.savepointsStarted(job), 1);
        QCOMPARE(sim.requestCount("POST", QStringLiteral("/jobs/%1/savepoints").arg(job)), 3);
        // A different trigger id starts another.
        QVERIFY(!triggerSavepoint(sim, job).isEmpty());
        QCOMPARE(sim.savepointsStarted(job), 2);
    }

    void savepointFailures()
    {
        FlinkSimulator sim(options(5));
        QVERIFY(sim.listen());
        const auto failureOf = [&](const QString &job, const QString &tid) {
            return awaitCompleted(sim, QStringLiteral("/jobs/%1/savepoints/%2").arg(job, tid),
                                  nullptr)
                .value(QStringLiteral("operation"))
                .toObject()
                .value(QStringLiteral("failure-cause"))
                .toObject();
        };

        // Unknown job: 202, then a failure-cause.
        const QString unknown = QStringLiteral("fedcba9876543210fedcba9876543210");
        const QString tid = triggerSavepoint(sim, unknown);
        QVERIFY(!tid.isEmpty());
        const QJsonObject notFound = failureOf(unknown, tid);
        QCOMPARE(str(notFound, "class"),
                 QStringLiteral("org.apache.flink.runtime.messages.FlinkJobNotFoundException"));
        QVERIFY(str(notFound, "stack-trace").contains(unknown));
        QVERIFY(!str(notFound, "serialized-throwable").isEmpty());

        // A FINISHED job: failure-cause.
        const FlinkSimulator::JobSpec finished = sim.jobs().at(1);
        QCOMPARE(finished.state, QStringLiteral("FINISHED"));
        const QJsonObject notRunning = failureOf(finished.id, triggerSavepoint(sim, finished.id));
        QVERIFY(str(notRunning, "stack-trace").contains(QStringLiteral("is not in state RUNNING")));

        // Checkpointing disabled.
        const QString noCp =
            sim.addJob(QStringLiteral("no-checkpoints"), QStringLiteral("RUNNING"), false);
        const QJsonObject disabled = failureOf(noCp, triggerSavepoint(sim, noCp));
        QCOMPARE(str(disabled, "class"), QStringLiteral("java.lang.IllegalStateException"));
        QVERIFY(str(disabled, "stack-trace").contains(QStringLiteral("Checkpointing disabled")));
        QCOMPARE(get(sim, QStringLiteral("/jobs/%1/checkpoints").arg(noCp)).status, 404);

        // Injected failure for the next savepoint only.
        const QString job = sim.addJob(QStringLiteral("flaky"));
        sim.setSavepointFailure(job, QStringLiteral("java.util.concurrent.TimeoutException"),
                                QStringLiteral("Checkpoint expired before completing."));
        const QJsonObject injected = failureOf(job, triggerSavepoint(sim, job));
        QCOMPARE(str(injected, "class"), QStringLiteral("java.util.concurrent.TimeoutException"));
        QVERIFY(str(injected, "stack-trace").contains(QStringLiteral("Checkpoint expired")));
        const QJsonObject ok = awaitCompleted(
            sim, QStringLiteral("/jobs/%1/savepoints/%2").arg(job, triggerSavepoint(sim, job)),
            nullptr);
        QVERIFY(
            ok.value(QStringLiteral("operation")).toObject().contains(QStringLiteral("location")));

        // Synchronous 500.
        sim.setFault(FlinkFault::SavepointSync500, true);
        const Response sync = post(sim, QStringLiteral("/jobs/%1/savepoints").arg(job),
                                   "{\"triggerId\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}");
        QCOMPARE(sync.status, 500);
        QVERIFY2(sync.firstError().contains(
                     QStringLiteral("Internal server error while triggering savepoint operation "
                                    "with triggerId=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa for job ") +
                     job + QLatin1Char('.')),
                 qPrintable(sync.firstError()));
        QCOMPARE(post(sim, QStringLiteral("/jobs/%1/stop").arg(job)).status, 500);
        sim.setFault(FlinkFault::SavepointSync500, false);
        QCOMPARE(sim.jobState(job), QStringLiteral("RUNNING"));
    }

    void strictBodies()
    {
        FlinkSimOptions o = options(1);
        o.clusterSavepointDir.clear();
        FlinkSimulator sim(o);
        QVERIFY(sim.listen());
        const QString job = sim.jobs().at(0).id;
        const QString savepoints = QStringLiteral("/jobs/%1/savepoints").arg(job);
        const QString stop = QStringLiteral("/jobs/%1/stop").arg(job);

        const Response noDir = post(sim, savepoints);
        QCOMPARE(noDir.status, 400);
        QVERIFY2(noDir.firstError().contains(
                     QStringLiteral("Config key [execution.checkpointing.savepoint-dir] is not "
                                    "set. Property [target-directory] must be provided.")),
                 qPrintable(noDir.firstError()));
        const Response noDirStop = post(sim, stop, "{\"drain\":false}");
        QCOMPARE(noDirStop.status, 400);
        QVERIFY(noDirStop.firstError().contains(QStringLiteral("Property [targetDirectory]")));

        const QString sp = QStringLiteral("Request did not match expected format "
                                          "SavepointTriggerRequestBody.");
        const QString st = QStringLiteral("Request did not match expected format "
                                          "StopWithSavepointRequestBody.");
        struct Case
        {
            QString path;
            QByteArray body;
            QString message;
        };
        const QList<Case> cases = {
            {savepoints, "{\"targetDirectory\":\"/tmp\"}", sp}, // camelCase is the stop body's
            {savepoints, "{\"target-directory\":5}", sp},
            {savepoints, "{\"cancel-job\":\"yes\"}", sp},
            {savepoints, "{\"formatType\":\"WEIRD\"}", sp},
            {savepoints, "{\"triggerId\":\"1234\"}", sp},
            {savepoints, "not json", sp},
            {savepoints, "[1,2]", sp},
            {stop, "{\"target-directory\":\"/tmp\"}", st},
            {stop, "{\"drain\":\"true\"}", st},
            {QStringLiteral("/savepoint-disposal"), "{\"path\":\"/tmp\"}",
             QStringLiteral("Request did not match expected format SavepointDisposalRequest.")},
        };
        for (const Case &c : cases) {
            const Response r = post(sim, c.path, c.body);
            QCOMPARE(r.status, 400);
            QCOMPARE(r.errors().size(), 1);
            QVERIFY2(
                r.firstError().startsWith(QStringLiteral("org.apache.flink.runtime.rest.handler."
                                                         "RestHandlerException: ") +
                                          c.message),
                qPrintable(QString::fromUtf8(c.body) + QStringLiteral(" -> ") + r.firstError()));
        }
        const Response badId =
            post(sim, QStringLiteral("/jobs/1234/savepoints"), "{\"target-directory\":\"/tmp\"}");
        QCOMPARE(badId.status, 400);
        QVERIFY(badId.firstError().contains(
            QStringLiteral("Cannot resolve path parameter (jobid) from value \"1234\".")));
        QCOMPARE(sim.savepointsStarted(job), 0);
    }

    void stopWithSavepoint()
    {
        FlinkSimulator sim(options(0));
        QVERIFY(sim.listen());
        const QString job = sim.addJob(QStringLiteral("stopped"));
        const Response r = post(sim, QStringLiteral("/v1/jobs/%1/stop").arg(job),
                                "{\"drain\":true,\"formatType\":\"NATIVE\"}");
        QCOMPARE(r.status, 202);
        const QString tid = str(r.object(), "request-id");
        bool sawInProgress = false;
        const QJsonObject done = awaitCompleted(
            sim, QStringLiteral("/jobs/%1/savepoints/%2").arg(job, tid), &sawInProgress);
        QVERIFY(sawInProgress);
        const QString location =
            str(done.value(QStringLiteral("operation")).toObject(), "location");
        QVERIFY(location.startsWith(QStringLiteral("file:")));
        QCOMPARE(sim.jobState(job), QStringLiteral("FINISHED"));
        QCOMPARE(str(get(sim, QStringLiteral("/jobs/%1/status").arg(job)).object(), "status"),
                 QStringLiteral("FINISHED"));
        const QJsonObject entry = get(sim, QStringLiteral("/jobs/%1/checkpoints").arg(job))
                                      .object()
                                      .value(QStringLiteral("history"))
                                      .toArray()
                                      .at(0)
                                      .toObject();
        QCOMPARE(str(entry, "checkpoint_type"), QStringLiteral("SYNC_SAVEPOINT"));
        QCOMPARE(str(entry, "external_path"), location);
        QCOMPARE(sim.savepointsStarted(job), 1);
        // Cancel after a successful stop: the job is FINISHED, so 409.
        QCOMPARE(patch(sim, QStringLiteral("/jobs/%1?mode=cancel").arg(job)).status, 409);
    }

    void checkpointStatistics()
    {
        FlinkSimulator sim(options(5));
        QVERIFY(sim.listen());
        // Empty history: NaN strings in the summary percentiles.
        const QString fresh = sim.addJob(QStringLiteral("fresh"));
        const QJsonObject empty =
            get(sim, QStringLiteral("/jobs/%1/checkpoints").arg(fresh)).object();
        QCOMPARE(empty.value(QStringLiteral("history")).toArray().size(), 0);
        const QJsonObject counts = empty.value(QStringLiteral("counts")).toObject();
        for (const char *key : {"restored", "total", "in_progress", "completed", "failed"})
            QCOMPARE(counts.value(QLatin1String(key)).toInt(-1), 0);
        const QJsonObject summary = empty.value(QStringLiteral("summary")).toObject();
        for (const char *key : {"checkpointed_size", "state_size", "end_to_end_duration",
                                "alignment_buffered", "processed_data", "persisted_data"}) {
            const QJsonObject s = summary.value(QLatin1String(key)).toObject();
            QVERIFY2(s.contains(QStringLiteral("min")) && s.contains(QStringLiteral("avg")), key);
            for (const char *p : {"p50", "p90", "p95", "p99", "p999"})
                QCOMPARE(s.value(QLatin1String(p)).toString(), QStringLiteral("NaN"));
        }
        const QJsonObject latest = empty.value(QStringLiteral("latest")).toObject();
        for (const char *key : {"completed", "savepoint", "failed", "restored"}) {
            QVERIFY2(latest.contains(QLatin1String(key)), key);
            QVERIFY(latest.value(QLatin1String(key)).isNull());
        }

        // A generated job with more checkpoints than the history keeps.
        bool sawCapped = false;
        for (const FlinkSimulator::JobSpec &job : sim.jobs()) {
            if (!job.checkpointing || job.id == fresh)
                continue;
            const QJsonObject stats =
                get(sim, QStringLiteral("/jobs/%1/checkpoints").arg(job.id)).object();
            const QJsonArray history = stats.value(QStringLiteral("history")).toArray();
            QVERIFY(history.size() <= 10);
            QVERIFY(!history.isEmpty());
            qint64 previous = std::numeric_limits<qint64>::max();
            for (const QJsonValue &value : history) {
                const qint64 id = value.toObject().value(QStringLiteral("id")).toInteger();
                QVERIFY(id < previous); // newest first
                previous = id;
                QCOMPARE(str(value.toObject(), "checkpoint_type"), QStringLiteral("CHECKPOINT"));
                QVERIFY(value.toObject().value(QStringLiteral("savepointFormat")).isNull());
            }
            const qint64 total = stats.value(QStringLiteral("counts"))
                                     .toObject()
                                     .value(QStringLiteral("total"))
                                     .toInteger();
            if (total > 10 && history.size() == 10)
                sawCapped = true;
            QVERIFY(stats.value(QStringLiteral("summary"))
                        .toObject()
                        .value(QStringLiteral("state_size"))
                        .toObject()
                        .value(QStringLiteral("p50"))
                        .isDouble());
        }
        QVERIFY(sawCapped);

        // Savepoints push checkpoints out of the capped history, newest first.
        sim.setAsyncLatencyMs(0);
        const QString job = sim.jobs().at(0).id;
        QStringList locations;
        for (int i = 0; i < 11; ++i) {
            const QString tid = triggerSavepoint(sim, job);
            locations.prepend(str(
                awaitCompleted(sim, QStringLiteral("/jobs/%1/savepoints/%2").arg(job, tid), nullptr)
                    .value(QStringLiteral("operation"))
                    .toObject(),
                "location"));
        }
        const QJsonArray history = get(sim, QStringLiteral("/jobs/%1/checkpoints").arg(job))
                                       .object()
                                       .value(QStringLiteral("history"))
                                       .toArray();
        QCOMPARE(history.size(), 10);
        for (int i = 0; i < 10; ++i)
            QCOMPARE(str(history.at(i).toObject(), "external_path"), locations.at(i));

        // The @class discriminator option.
        FlinkSimOptions o = options(1);
        o.atClassDiscriminator = true;
        FlinkSimulator old(o);
        QVERIFY(old.listen());
        const QJsonObject entry =
            get(old, QStringLiteral("/jobs/%1/checkpoints").arg(old.jobs().at(0).id))
                .object()
                .value(QStringLiteral("history"))
                .toArray()
                .at(0)
                .toObject();
        QCOMPARE(str(entry, "@class"), QStringLiteral("completed"));
        QVERIFY(!entry.contains(QStringLiteral("className")));
    }

    void disposal()
    {
        FlinkSimulator sim(options(0));
        QVERIFY(sim.listen());
        const QString job = sim.addJob(QStringLiteral("disposable"));
        const QString location = str(
            awaitCompleted(
                sim, QStringLiteral("/jobs/%1/savepoints/%2").arg(job, triggerSavepoint(sim, job)),
                nullptr)
                .value(QStringLiteral("operation"))
                .toObject(),
            "location");
        const QString local = location.mid(5);
        QVERIFY(QFileInfo(local).isDir());

        const Response r =
            post(sim, QStringLiteral("/savepoint-disposal"),
                 QJsonDocument(QJsonObject{{QStringLiteral("savepoint-path"), location}})
                     .toJson(QJsonDocument::Compact));
        QCOMPARE(r.status, 200); // not 202
        const QString tid = str(r.object(), "request-id");
        QVERIFY(QRegularExpression(QStringLiteral("^[0-9a-f]{32}$")).match(tid).hasMatch());
        bool sawInProgress = false;
        const QJsonObject done =
            awaitCompleted(sim, QStringLiteral("/savepoint-disposal/") + tid, &sawInProgress);
        QVERIFY(sawInProgress);
        QVERIFY(done.contains(QStringLiteral("operation")));
        QVERIFY(done.value(QStringLiteral("operation")).toObject().isEmpty());
        QVERIFY(!QFileInfo::exists(local));
        QCOMPARE(sim.disposedPaths(), QStringList{local});
        const QJsonObject entry = get(sim, QStringLiteral("/jobs/%1/checkpoints").arg(job))
                                      .object()
                                      .value(QStringLiteral("history"))
                                      .toArray()
                                      .at(0)
                                      .toObject();
        QCOMPARE(entry.value(QStringLiteral("discarded")).toBool(), true);

        // Again: the path is gone now, so COMPLETED with a failure-cause.
        const Response again =
            post(sim, QStringLiteral("/v1/savepoint-disposal"),
                 QJsonDocument(QJsonObject{{QStringLiteral("savepoint-path"), location}})
                     .toJson(QJsonDocument::Compact));
        QCOMPARE(again.status, 200);
        const QJsonObject failed = awaitCompleted(
            sim, QStringLiteral("/savepoint-disposal/") + str(again.object(), "request-id"),
            nullptr);
        const QJsonObject cause = failed.value(QStringLiteral("operation"))
                                      .toObject()
                                      .value(QStringLiteral("failure-cause"))
                                      .toObject();
        QCOMPARE(str(cause, "class"), QStringLiteral("java.io.FileNotFoundException"));
        QCOMPARE(sim.disposedPaths().size(), 1);

        const Response unknown =
            get(sim, QStringLiteral("/savepoint-disposal/0123456789abcdef0123456789abcdef"));
        QCOMPARE(unknown.status, 404);
        QVERIFY(unknown.firstError().contains(QStringLiteral("Operation not found under key: ")));
        QCOMPARE(get(sim, QStringLiteral("/savepoint-disposal/xyz")).status, 400);

        sim.setResultExpiryMs(200);
        QTRY_COMPARE_WITH_TIMEOUT(get(sim, QStringLiteral("/savepoint-disposal/") + tid).status,
                                  404, kTimeoutMs);
    }

    void faults()
    {
        FlinkSimulator sim(options(3));
        QVERIFY(sim.listen());
        const QString overview = QStringLiteral("/jobs/overview");

        sim.setFault(FlinkFault::InternalError, true);
        const Response internal = get(sim, overview);
        QCOMPARE(internal.status, 500);
        QCOMPARE(internal.errors().size(), 2);
        QCOMPARE(internal.errors().at(0).toString(), QStringLiteral("Internal server error."));
        QVERIFY(internal.errors().at(1).toString().startsWith(
            QStringLiteral("<Exception on server side:\n")));
        QVERIFY(internal.errors().at(1).toString().endsWith(
            QStringLiteral("End of exception on server side>")));
        sim.setFault(FlinkFault::InternalError, false);

        sim.setFault(FlinkFault::HtmlErrorPage, true);
        const Response html = get(sim, overview);
        QCOMPARE(html.status, 502);
        QVERIFY(html.contentType.startsWith("text/html"));
        QVERIFY(html.body.contains("<html>"));
        sim.setFault(FlinkFault::HtmlErrorPage, false);

        sim.setFault(FlinkFault::GarbageJson, true);
        const Response garbage = get(sim, overview);
        QCOMPARE(garbage.status, 200);
        QJsonParseError parseError;
        QJsonDocument::fromJson(garbage.body, &parseError);
        QVERIFY(parseError.error != QJsonParseError::NoError);
        sim.setFault(FlinkFault::GarbageJson, false);

        sim.setFault(FlinkFault::TruncatedBody, true);
        const Response truncated = get(sim, overview);
        QVERIFY(truncated.error != QNetworkReply::NoError);
        QVERIFY(QJsonDocument::fromJson(truncated.body).isNull());
        sim.setFault(FlinkFault::TruncatedBody, false);

        // Slow replies do not block the server's event loop: a timer in this thread still fires
        // while the reply is held back.
        sim.setFault(FlinkFault::SlowReplies, true);
        sim.setSlowReplyMs(600);
        bool timerFired = false;
        QElapsedTimer firedAt;
        QTimer::singleShot(100, this, [&] {
            timerFired = true;
            firedAt.start();
        });
        QElapsedTimer elapsed;
        elapsed.start();
        const Response slow = get(sim, overview);
        QCOMPARE(slow.status, 200);
        QVERIFY(elapsed.elapsed() >= 550);
        QVERIFY(timerFired);
        QVERIFY(firedAt.elapsed() >= 300); // fired long before the reply arrived
        sim.setFault(FlinkFault::SlowReplies, false);

        // Everything back to normal; None clears all faults.
        sim.setFault(FlinkFault::InternalError, true);
        sim.setFault(FlinkFault::GarbageJson, true);
        sim.setFault(FlinkFault::None, true);
        QCOMPARE(get(sim, overview).status, 200);
        QCOMPARE(sim.requestCount("GET", overview), 6);
        QCOMPARE(sim.requestCount("GET"), 6);
        QCOMPARE(sim.requestCount("POST"), 0);
    }

    void manyJobs()
    {
        FlinkSimOptions o = options(10000);
        QElapsedTimer timer;
        timer.start();
        FlinkSimulator sim(o);
        QVERIFY(sim.listen());
        const Response r = get(sim, QStringLiteral("/jobs/overview"));
        QCOMPARE(r.status, 200);
        QCOMPARE(r.object().value(QStringLiteral("jobs")).toArray().size(), 10000);
        QElapsedTimer second;
        second.start();
        QCOMPARE(get(sim, QStringLiteral("/jobs/overview")).status, 200);
        qInfo("10,000 jobs: setup + first overview %lld ms, cached overview %lld ms",
              timer.elapsed(), second.elapsed());
        QVERIFY(second.elapsed() < 2000);
    }

    void tlsServerOnly()
    {
        auto pki = CertFactory::chain(CertSpec::server(), 0);
        QVERIFY(pki);
        const QString dir = m_tmp.filePath(QStringLiteral("tls-server"));
        auto files = CertFactory::writeAll(dir, QStringLiteral("server"), pki->leaf);
        QVERIFY(files);
        FlinkSimOptions o = options(2);
        o.tls = FlinkSimOptions::Tls::Server;
        o.certFile = files->chain;
        o.keyFile = files->key;
        FlinkSimulator sim(o);
        QString error;
        QVERIFY2(sim.listen(0, &error), qPrintable(error));
        QCOMPARE(sim.baseUrl().scheme(), QStringLiteral("https"));

        QSslConfiguration trusting = QSslConfiguration::defaultConfiguration();
        trusting.setCaCertificates(QSslCertificate::fromData(pki->root.certPem));
        const Response ok =
            send(sim.baseUrl(), "GET", QStringLiteral("/jobs/overview"), {}, &trusting);
        QCOMPARE(ok.error, QNetworkReply::NoError);
        QCOMPARE(ok.status, 200);
        QCOMPARE(ok.object().value(QStringLiteral("jobs")).toArray().size(), 2);

        QSslConfiguration untrusting = QSslConfiguration::defaultConfiguration();
        untrusting.setCaCertificates({});
        const Response refused =
            send(sim.baseUrl(), "GET", QStringLiteral("/jobs/overview"), {}, &untrusting);
        QCOMPARE(refused.error, QNetworkReply::SslHandshakeFailedError);
        // Plain HTTP against the TLS port gets nowhere.
        QUrl plain = sim.baseUrl();
        plain.setScheme(QStringLiteral("http"));
        QVERIFY(send(plain, "GET", QStringLiteral("/jobs/overview")).status != 200);
    }

    void tlsMutual()
    {
        auto pki = CertFactory::chain(CertSpec::server(), 0);
        QVERIFY(pki);
        auto clientCa = CertFactory::selfSigned(CertSpec::rootCa(QStringLiteral("client CA")));
        QVERIFY(clientCa);
        auto client = CertFactory::issue(CertSpec::client(), *clientCa);
        QVERIFY(client);
        auto stranger = CertFactory::selfSigned(CertSpec::client(QStringLiteral("stranger")));
        QVERIFY(stranger);
        const QString dir = m_tmp.filePath(QStringLiteral("tls-mutual"));
        auto files = CertFactory::writeAll(dir, QStringLiteral("server"), pki->leaf);
        QVERIFY(files);
        auto caFile =
            CertFactory::writeFile(dir, QStringLiteral("client-ca.crt"), clientCa->certPem);
        QVERIFY(caFile);
        FlinkSimOptions o = options(1);
        o.tls = FlinkSimOptions::Tls::Mutual;
        o.certFile = files->chain;
        o.keyFile = files->key;
        o.clientCaFile = *caFile;
        FlinkSimulator sim(o);
        QString error;
        QVERIFY2(sim.listen(0, &error), qPrintable(error));

        QSslConfiguration base = QSslConfiguration::defaultConfiguration();
        base.setCaCertificates(QSslCertificate::fromData(pki->root.certPem));
        const Response anonymous = send(sim.baseUrl(), "GET", QStringLiteral("/config"), {}, &base);
        QVERIFY(anonymous.error != QNetworkReply::NoError);
        QVERIFY(anonymous.status != 200);

        QSslConfiguration wrong = base;
        wrong.setLocalCertificate(QSslCertificate(stranger->certPem));
        wrong.setPrivateKey(QSslKey(stranger->keyPem, QSsl::Ec));
        const Response rejected = send(sim.baseUrl(), "GET", QStringLiteral("/config"), {}, &wrong);
        QVERIFY(rejected.error != QNetworkReply::NoError);

        QSslConfiguration withCert = base;
        withCert.setLocalCertificate(QSslCertificate(client->certPem));
        withCert.setPrivateKey(QSslKey(client->keyPem, QSsl::Ec));
        const Response ok = send(sim.baseUrl(), "GET", QStringLiteral("/config"), {}, &withCert);
        QCOMPARE(ok.error, QNetworkReply::NoError);
        QCOMPARE(ok.status, 200);
    }

    void tlsFlinkDefaultCipher()
    {
        auto pki = CertFactory::chain(CertSpec::server().withKey(KeyType::Rsa2048), 0);
        QVERIFY(pki);
        const QString dir = m_tmp.filePath(QStringLiteral("tls-cipher"));
        auto files = CertFactory::writeAll(dir, QStringLiteral("server"), pki->leaf);
        QVERIFY(files);
        FlinkSimOptions o = options(1);
        o.tls = FlinkSimOptions::Tls::Server;
        o.certFile = files->chain;
        o.keyFile = files->key;
        o.flinkDefaultCipherOnly = true;
        FlinkSimulator sim(o);
        QString error;
        QVERIFY2(sim.listen(0, &error), qPrintable(error));

        QSslConfiguration client = QSslConfiguration::defaultConfiguration();
        client.setCaCertificates(QSslCertificate::fromData(pki->root.certPem));
        const Response ok = send(sim.baseUrl(), "GET", QStringLiteral("/config"), {}, &client);
        if (ok.error == QNetworkReply::SslHandshakeFailedError)
            QSKIP(
                "this OpenSSL build or policy refuses TLS_RSA_WITH_AES_128_CBC_SHA on the client");
        QCOMPARE(ok.error, QNetworkReply::NoError);
        QCOMPARE(ok.ssl.sessionCipher().name(), QStringLiteral("AES128-SHA"));
        QCOMPARE(ok.ssl.sessionProtocol(), QSsl::TlsV1_2);

        // A client that insists on TLS 1.3 cannot talk to it.
        QSslConfiguration modern = client;
        modern.setProtocol(QSsl::TlsV1_3OrLater);
        QCOMPARE(send(sim.baseUrl(), "GET", QStringLiteral("/config"), {}, &modern).error,
                 QNetworkReply::SslHandshakeFailedError);
    }
};

OPSDECK_TEST_GUILESS_MAIN(TestFlinkSim)
#include "tst_flinksim.moc"
