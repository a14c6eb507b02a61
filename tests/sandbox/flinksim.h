// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// A Flink JobManager REST simulator for tests, benchmarks and the sandbox. It follows the contract
// in shared/docs/flink-rest.md: /config, /overview, /jobs, /jobs/overview, /jobs/:id,
// /jobs/:id/status, PATCH /jobs/:id (cancel), POST /jobs/:id/stop, POST /jobs/:id/savepoints,
// GET /jobs/:id/savepoints/:tid, GET /jobs/:id/checkpoints, POST /savepoint-disposal and
// GET /savepoint-disposal/:tid, with or without the /v1 prefix, over plain HTTP or TLS
// (server-only or mutual). It listens on 127.0.0.1 only.

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QUrl>
#include <memory>

namespace opsdeck::test {

struct FlinkSimOptions
{
    int jobCount = 5;                   // generated jobs (deterministic ids/names from a seed)
    int asyncLatencyMs = 150;           // how long async operations stay IN_PROGRESS
    int resultExpiryMs = 5 * 60 * 1000; // completed async results then 404
    int archiveMs = 60 * 60 * 1000;     // terminal jobs stay listed this long
    int cancelLatencyMs = 100;          // CANCELLING -> CANCELED
    QString clusterSavepointDir; // empty: not configured -> 400 when a trigger gives no directory
    bool atClassDiscriminator = false; // emit "@class" instead of "className"
    int flinkMajor = 2;                // 1: 1.x field set (no pending-operators), 2: 2.x
    enum class Tls
    {
        Off,
        Server,
        Mutual
    } tls = Tls::Off;
    QString certFile, keyFile; // server cert/key (PEM) for Server/Mutual
    QString clientCaFile;      // Mutual: CA the client cert must chain to
    // TLS 1.2 only + TLS_RSA_WITH_AES_128_CBC_SHA (OpenSSL name AES128-SHA); needs an RSA key.
    bool flinkDefaultCipherOnly = false;
};

enum class FlinkFault
{
    None = 0,
    SlowReplies,   // every reply delayed by slowReplyMs (timer based, the event loop keeps running)
    InternalError, // every request -> 500 two-element body
    // savepoint/stop triggers fail synchronously with 500 "Internal server error while triggering
    // savepoint operation with triggerId=<t> for job <j>."
    SavepointSync500,
    HtmlErrorPage, // every request -> 502 text/html proxy page
    // JSON replies cut in half with a Content-Length that promises more, then the connection closes
    TruncatedBody,
    GarbageJson,   // 200 with invalid JSON
    CancelTimeout, // cancel -> 408 "Job cancellation timed out."
};

class FlinkSimulator : public QObject
{
    Q_OBJECT
public:
    explicit FlinkSimulator(FlinkSimOptions options = {}, QObject *parent = nullptr);
    ~FlinkSimulator() override;

    bool listen(quint16 port = 0, QString *error = nullptr); // 127.0.0.1 only
    quint16 port() const;
    QUrl baseUrl() const; // http(s)://127.0.0.1:port

    void setFault(FlinkFault fault, bool on);
    void setSlowReplyMs(int ms);
    void setAsyncLatencyMs(int ms);
    void setResultExpiryMs(int ms);

    struct JobSpec
    {
        QString id;
        QString name;
        QString state;
        bool checkpointing = true;
        bool streaming = true;
    };
    // Adds a streaming job with an empty checkpoint history; returns its id.
    QString addJob(const QString &name, const QString &state = QStringLiteral("RUNNING"),
                   bool checkpointing = true);
    QList<JobSpec> jobs() const;
    QString jobState(const QString &jobId) const; // empty when unknown (or archived away)

    // Observability for tests:
    // distinct savepoint operations actually started (savepoint and stop triggers; idempotent
    // retries with a known triggerId do not count)
    int savepointsStarted(const QString &jobId) const;
    // requests received, by method ("GET", "POST", "PATCH", ...) and path prefix (as sent, /v1
    // included); an empty prefix counts all
    int requestCount(const QByteArray &method, const QString &pathPrefix = {}) const;
    QStringList disposedPaths() const; // local paths removed by successful disposals
    // The next savepoint (or stop) of that job completes with this failure-cause.
    void setSavepointFailure(const QString &jobId, const QString &javaClass,
                             const QString &message);

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace opsdeck::test
