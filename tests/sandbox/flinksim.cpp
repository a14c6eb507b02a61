// SPDX-License-Identifier: GPL-3.0-or-later
#include "flinksim.h"

#include <QAbstractHttpServer>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QHostAddress>
#include <QHttpServerRequest>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QPointer>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QSslCertificate>
#include <QSslCipher>
#include <QSslConfiguration>
#include <QSslKey>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>
#include <QUrlQuery>
#include <algorithm>
#include <functional>
#include <map>
#include <optional>

namespace opsdeck::test {

namespace {

constexpr auto kRestHandlerException = "org.apache.flink.runtime.rest.handler.RestHandlerException";
constexpr auto kNotFoundException = "org.apache.flink.runtime.rest.NotFoundException";
constexpr int kHistorySize = 10;
constexpr qint64 kCheckpointIntervalMs = 10000;

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

bool isHexId(const QString &value)
{
    static const QRegularExpression pattern(QStringLiteral("^[0-9a-fA-F]{32}$"));
    return pattern.match(value).hasMatch();
}

bool isTerminal(const QString &state)
{
    return state == QLatin1String("FINISHED") || state == QLatin1String("CANCELED") ||
           state == QLatin1String("FAILED");
}

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 202:
        return "Accepted";
    case 308:
        return "Permanent Redirect";
    case 400:
        return "Bad Request";
    case 404:
        return "Not Found";
    case 408:
        return "Request Timeout";
    case 409:
        return "Conflict";
    case 500:
        return "Internal Server Error";
    case 502:
        return "Bad Gateway";
    default:
        return "Unknown";
    }
}

// A fake but plausible Java stack trace below the first line.
QString javaTrace(const QString &javaClass, const QString &message)
{
    return javaClass + QStringLiteral(": ") + message +
           QStringLiteral("\n\tat org.apache.flink.runtime.rest.handler.AbstractRestHandler."
                          "respondToRequest(AbstractRestHandler.java:83)\n\tat "
                          "org.apache.flink.runtime.rest.handler.AbstractHandler."
                          "respondAsLeader(AbstractHandler.java:196)\n\tat "
                          "java.base/java.lang.Thread.run(Thread.java:840)\n");
}

QJsonObject failureCause(const QString &javaClass, const QString &message)
{
    // Java serialization stream magic + class name + message: opaque, like the real thing.
    QByteArray serialized("\xac\xed\x00\x05sr\x00", 7);
    serialized += javaClass.toUtf8() + '\0' + message.toUtf8();
    QJsonObject cause;
    cause.insert(QStringLiteral("class"), javaClass);
    cause.insert(QStringLiteral("stack-trace"), javaTrace(javaClass, message));
    cause.insert(QStringLiteral("serialized-throwable"),
                 QString::fromLatin1(serialized.toBase64()));
    return cause;
}

QString localPath(const QString &pathOrUri)
{
    QString path = pathOrUri;
    if (path.startsWith(QLatin1String("file://")))
        path = path.mid(7);
    else if (path.startsWith(QLatin1String("file:")))
        path = path.mid(5);
    while (path.startsWith(QLatin1String("//")))
        path = path.mid(1);
    return QDir::cleanPath(path);
}

struct Reply
{
    int status = 200;
    QByteArray contentType = "application/json; charset=UTF-8";
    QByteArray body;
};

Reply json(int status, const QJsonObject &object)
{
    return Reply{status, "application/json; charset=UTF-8",
                 QJsonDocument(object).toJson(QJsonDocument::Compact)};
}

Reply errors(int status, const QStringList &messages)
{
    QJsonObject object;
    object.insert(QStringLiteral("errors"), QJsonArray::fromStringList(messages));
    return json(status, object);
}

// A RestHandlerException (or subclass) as recent Flink sends it: one element, the stringified
// exception.
Reply handlerError(int status, const QString &message,
                   const QString &javaClass = QLatin1String(kRestHandlerException))
{
    return errors(status, {javaTrace(javaClass, message)});
}

Reply internalError(const QString &cause)
{
    return errors(500, {QStringLiteral("Internal server error."),
                        QStringLiteral("<Exception on server side:\n") +
                            javaTrace(QStringLiteral("java.lang.RuntimeException"), cause) +
                            QStringLiteral("\nEnd of exception on server side>")});
}

Reply badFormat(const QString &bodyClass)
{
    return handlerError(400,
                        QStringLiteral("Request did not match expected format %1.").arg(bodyClass));
}

Reply badPathParameter(const QString &name, const QString &value)
{
    return handlerError(
        400,
        QStringLiteral("Bad request, could not parse parameters: Cannot resolve path parameter "
                       "(%1) from value \"%2\".")
            .arg(name, value));
}

enum class FieldType
{
    String,
    Bool,
    FormatType,
    TriggerId,
};

// Strict Jackson-like parsing: empty body is {}, unknown fields or wrong types fail.
std::optional<QJsonObject> parseStrict(const QByteArray &body,
                                       const QList<std::pair<QString, FieldType>> &fields)
{
    if (body.trimmed().isEmpty())
        return QJsonObject();
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(body, &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        return std::nullopt;
    const QJsonObject object = document.object();
    for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
        const auto field = std::find_if(fields.cbegin(), fields.cend(),
                                        [&](const auto &f) { return f.first == it.key(); });
        if (field == fields.cend())
            return std::nullopt;
        const QJsonValue value = it.value();
        if (value.isNull())
            continue;
        switch (field->second) {
        case FieldType::String:
            if (!value.isString())
                return std::nullopt;
            break;
        case FieldType::Bool:
            if (!value.isBool())
                return std::nullopt;
            break;
        case FieldType::FormatType:
            if (value.toString() != QLatin1String("CANONICAL") &&
                value.toString() != QLatin1String("NATIVE"))
                return std::nullopt;
            break;
        case FieldType::TriggerId:
            if (!value.isString() || !isHexId(value.toString()))
                return std::nullopt;
            break;
        }
    }
    return object;
}

struct Vertex
{
    QString id;
    QString name;
};

struct Job
{
    QString id;
    QString name;
    QString state;
    bool checkpointing = true;
    bool streaming = true;
    qint64 startTime = 0;
    qint64 endTime = -1;
    qint64 lastModification = 0;
    int parallelism = 2;
    QList<Vertex> vertices;
    QMap<QString, qint64> timestamps; // JobStatus -> ms entered

    // Checkpoint statistics.
    QList<QJsonObject> history; // newest first, capped
    qint64 nextCheckpointId = 1;
    qint64 completedCount = 0;
    qint64 failedCount = 0;
    qint64 lastPeriodicCheckpoint = 0; // 0: no periodic checkpoints
    QJsonObject latestCompleted;
    QJsonObject latestSavepoint;
    QList<qint64> durations; // for the summary

    int savepointsStarted = 0;
    std::optional<std::pair<QString, QString>> nextSavepointFailure;
};

struct Operation
{
    enum class Kind
    {
        Savepoint,
        Stop,
        Disposal,
    } kind = Kind::Savepoint;
    QString jobId;
    QString triggerId;
    bool completed = false;
    qint64 completedAt = 0;
    QJsonObject operation;
};

class HttpServer : public QAbstractHttpServer
{
public:
    std::function<void(const QHttpServerRequest &, QTcpSocket *)> handler;

protected:
    bool handleRequest(const QHttpServerRequest &request, QTcpSocket *socket) override
    {
        handler(request, socket);
        return true;
    }
    void missingHandler(const QHttpServerRequest &, QTcpSocket *) override {}
};

QString methodName(QHttpServerRequest::Method method)
{
    switch (method) {
    case QHttpServerRequest::Method::Get:
        return QStringLiteral("GET");
    case QHttpServerRequest::Method::Put:
        return QStringLiteral("PUT");
    case QHttpServerRequest::Method::Delete:
        return QStringLiteral("DELETE");
    case QHttpServerRequest::Method::Post:
        return QStringLiteral("POST");
    case QHttpServerRequest::Method::Head:
        return QStringLiteral("HEAD");
    case QHttpServerRequest::Method::Options:
        return QStringLiteral("OPTIONS");
    case QHttpServerRequest::Method::Patch:
        return QStringLiteral("PATCH");
    default:
        return QStringLiteral("OTHER");
    }
}

} // namespace

struct FlinkSimulator::Private
{
    FlinkSimulator *q = nullptr;
    FlinkSimOptions options;
    HttpServer server;
    quint16 port = 0;
    quint32 faults = 0; // bit per FlinkFault
    int slowReplyMs = 1000;
    QRandomGenerator idGenerator{0x0f11a4u};
    QRandomGenerator triggerGenerator{0x5ca1ab1eu};

    QHash<QString, Job> jobs;
    QStringList jobOrder;
    std::map<QString, Operation> operations; // "<job>/<tid>" or "disposal/<tid>"
    QStringList disposed;
    QList<std::pair<QString, QString>> requests; // method, path

    QByteArray overviewCache;
    qint64 overviewBuiltAt = -1;
    bool overviewDirty = true;
    qint64 lastArchiveSweep = 0;

    QString newHex()
    {
        return QString::number(idGenerator.generate64(), 16).rightJustified(16, QLatin1Char('0')) +
               QString::number(idGenerator.generate64(), 16).rightJustified(16, QLatin1Char('0'));
    }
    QString newTriggerId()
    {
        return QString::number(triggerGenerator.generate64(), 16)
                   .rightJustified(16, QLatin1Char('0')) +
               QString::number(triggerGenerator.generate64(), 16)
                   .rightJustified(16, QLatin1Char('0'));
    }
    bool hasFault(FlinkFault fault) const { return (faults & (1u << unsigned(fault))) != 0; }
    QString discriminatorKey() const
    {
        return options.atClassDiscriminator ? QStringLiteral("@class")
                                            : QStringLiteral("className");
    }
    QString savepointDirKey() const
    {
        return options.flinkMajor >= 2 ? QStringLiteral("execution.checkpointing.savepoint-dir")
                                       : QStringLiteral("state.savepoints.dir");
    }

    Job &createJob(const QString &name, const QString &state, bool checkpointing, bool streaming,
                   qint64 startTime)
    {
        Job job;
        job.id = newHex();
        job.name = name;
        job.state = state;
        job.checkpointing = checkpointing && streaming;
        job.streaming = streaming;
        job.startTime = startTime;
        job.lastModification = startTime + 1500;
        job.timestamps.insert(QStringLiteral("INITIALIZING"), startTime);
        job.timestamps.insert(QStringLiteral("CREATED"), startTime + 20);
        job.timestamps.insert(QStringLiteral("RUNNING"), startTime + 400);
        job.vertices = {Vertex{newHex(), QStringLiteral("Source: %1 input").arg(name)},
                        Vertex{newHex(), QStringLiteral("Map -> Filter")},
                        Vertex{newHex(), QStringLiteral("Sink: %1 output").arg(name)}};
        if (isTerminal(state) || state == QLatin1String("CANCELLING")) {
            // Ended a while ago, but well within the archive period.
            const qint64 end = std::max(startTime + 1000,
                                        nowMs() - std::min<qint64>(60000, options.archiveMs / 2));
            if (isTerminal(state))
                job.endTime = end;
            job.lastModification = end;
            job.timestamps.insert(state, end);
        }
        jobs.insert(job.id, job);
        jobOrder << job.id;
        overviewDirty = true;
        return jobs[job.id];
    }

    void setState(Job &job, const QString &state)
    {
        const qint64 now = nowMs();
        job.state = state;
        job.lastModification = now;
        job.timestamps.insert(state, now);
        if (isTerminal(state))
            job.endTime = now;
        overviewDirty = true;
    }

    void sweepArchive()
    {
        const qint64 now = nowMs();
        if (now - lastArchiveSweep < 200)
            return;
        lastArchiveSweep = now;
        QStringList gone;
        for (const QString &id : std::as_const(jobOrder)) {
            const Job &job = jobs[id];
            if (isTerminal(job.state) && job.endTime >= 0 && now - job.endTime >= options.archiveMs)
                gone << id;
        }
        for (const QString &id : std::as_const(gone)) {
            jobs.remove(id);
            jobOrder.removeOne(id);
            overviewDirty = true;
        }
    }

    // ---- checkpoint statistics ----

    QJsonObject completedEntry(Job &job, const QString &type, qint64 trigger, qint64 duration,
                               const QString &externalPath, bool discarded)
    {
        const bool savepoint = type != QLatin1String("CHECKPOINT");
        const int subtasks = job.parallelism * int(job.vertices.size());
        const qint64 size = 1024 * 1024 + (job.nextCheckpointId * 7919) % 65536;
        QJsonObject entry;
        entry.insert(discriminatorKey(), QStringLiteral("completed"));
        entry.insert(QStringLiteral("id"), job.nextCheckpointId++);
        entry.insert(QStringLiteral("status"), QStringLiteral("COMPLETED"));
        entry.insert(QStringLiteral("is_savepoint"), savepoint);
        entry.insert(QStringLiteral("savepointFormat"),
                     savepoint ? QJsonValue(QStringLiteral("CANONICAL")) : QJsonValue());
        entry.insert(QStringLiteral("checkpoint_type"), type);
        entry.insert(QStringLiteral("trigger_timestamp"), trigger);
        entry.insert(QStringLiteral("latest_ack_timestamp"), trigger + duration);
        entry.insert(QStringLiteral("checkpointed_size"), size);
        entry.insert(QStringLiteral("state_size"), size);
        entry.insert(QStringLiteral("end_to_end_duration"), duration);
        entry.insert(QStringLiteral("alignment_buffered"), 0);
        entry.insert(QStringLiteral("processed_data"), 0);
        entry.insert(QStringLiteral("persisted_data"), 0);
        entry.insert(QStringLiteral("num_subtasks"), subtasks);
        entry.insert(QStringLiteral("num_acknowledged_subtasks"), subtasks);
        entry.insert(QStringLiteral("tasks"), QJsonObject());
        entry.insert(QStringLiteral("external_path"), externalPath);
        entry.insert(QStringLiteral("discarded"), discarded);
        return entry;
    }

    void addHistory(Job &job, const QJsonObject &entry)
    {
        job.history.prepend(entry);
        while (job.history.size() > kHistorySize)
            job.history.removeLast();
        ++job.completedCount;
        job.durations << entry.value(QStringLiteral("end_to_end_duration")).toInteger();
        job.latestCompleted = entry;
        if (entry.value(QStringLiteral("is_savepoint")).toBool())
            job.latestSavepoint = entry;
    }

    void addPeriodicCheckpoint(Job &job, qint64 trigger)
    {
        addHistory(job,
                   completedEntry(job, QStringLiteral("CHECKPOINT"), trigger,
                                  120 + (job.nextCheckpointId * 37) % 400,
                                  QStringLiteral("<checkpoint-not-externally-addressable>"), true));
    }

    void catchUpCheckpoints(Job &job)
    {
        if (!job.checkpointing || job.lastPeriodicCheckpoint <= 0 ||
            job.state != QLatin1String("RUNNING"))
            return;
        const qint64 now = nowMs();
        int added = 0;
        while (now - job.lastPeriodicCheckpoint >= kCheckpointIntervalMs && added < kHistorySize) {
            job.lastPeriodicCheckpoint += kCheckpointIntervalMs;
            addPeriodicCheckpoint(job, job.lastPeriodicCheckpoint);
            ++added;
        }
        if (now - job.lastPeriodicCheckpoint >= kCheckpointIntervalMs)
            job.lastPeriodicCheckpoint = now;
    }

    QJsonObject summaryOf(const QList<qint64> &values) const
    {
        QJsonObject summary;
        if (values.isEmpty()) {
            summary.insert(QStringLiteral("min"), 0);
            summary.insert(QStringLiteral("max"), 0);
            summary.insert(QStringLiteral("avg"), 0);
            for (const char *key : {"p50", "p90", "p95", "p99", "p999"})
                summary.insert(QLatin1String(key), QStringLiteral("NaN"));
            return summary;
        }
        QList<qint64> sorted = values;
        std::sort(sorted.begin(), sorted.end());
        qint64 sum = 0;
        for (qint64 v : sorted)
            sum += v;
        summary.insert(QStringLiteral("min"), sorted.first());
        summary.insert(QStringLiteral("max"), sorted.last());
        summary.insert(QStringLiteral("avg"), sum / sorted.size());
        const auto pct = [&](double p) {
            const auto index = qsizetype(p * double(sorted.size() - 1));
            return double(sorted.at(index));
        };
        summary.insert(QStringLiteral("p50"), pct(0.5));
        summary.insert(QStringLiteral("p90"), pct(0.9));
        summary.insert(QStringLiteral("p95"), pct(0.95));
        summary.insert(QStringLiteral("p99"), pct(0.99));
        summary.insert(QStringLiteral("p999"), pct(0.999));
        return summary;
    }

    QJsonObject checkpointStats(Job &job)
    {
        catchUpCheckpoints(job);
        QJsonObject counts;
        counts.insert(QStringLiteral("restored"), 0);
        counts.insert(QStringLiteral("total"), job.completedCount + job.failedCount);
        counts.insert(QStringLiteral("in_progress"), 0);
        counts.insert(QStringLiteral("completed"), job.completedCount);
        counts.insert(QStringLiteral("failed"), job.failedCount);

        QList<qint64> sizes;
        for (const QJsonObject &entry : std::as_const(job.history))
            sizes << entry.value(QStringLiteral("state_size")).toInteger();
        QList<qint64> zeros;
        for (qsizetype i = 0; i < sizes.size(); ++i)
            zeros << 0;
        QJsonObject summary;
        summary.insert(QStringLiteral("checkpointed_size"), summaryOf(sizes));
        summary.insert(QStringLiteral("state_size"), summaryOf(sizes));
        summary.insert(QStringLiteral("end_to_end_duration"), summaryOf(job.durations));
        summary.insert(QStringLiteral("alignment_buffered"), summaryOf(zeros));
        summary.insert(QStringLiteral("processed_data"), summaryOf(zeros));
        summary.insert(QStringLiteral("persisted_data"), summaryOf(zeros));

        QJsonObject latest;
        latest.insert(QStringLiteral("completed"), job.latestCompleted.isEmpty()
                                                       ? QJsonValue()
                                                       : QJsonValue(job.latestCompleted));
        latest.insert(QStringLiteral("savepoint"), job.latestSavepoint.isEmpty()
                                                       ? QJsonValue()
                                                       : QJsonValue(job.latestSavepoint));
        latest.insert(QStringLiteral("failed"), QJsonValue());
        latest.insert(QStringLiteral("restored"), QJsonValue());

        QJsonArray history;
        for (const QJsonObject &entry : std::as_const(job.history))
            history.append(entry);

        QJsonObject stats;
        stats.insert(QStringLiteral("counts"), counts);
        stats.insert(QStringLiteral("summary"), summary);
        stats.insert(QStringLiteral("latest"), latest);
        stats.insert(QStringLiteral("history"), history);
        return stats;
    }

    // ---- job views ----

    QString executionStateFor(const QString &jobState) const
    {
        if (jobState == QLatin1String("RUNNING"))
            return QStringLiteral("RUNNING");
        if (jobState == QLatin1String("FINISHED"))
            return QStringLiteral("FINISHED");
        if (jobState == QLatin1String("CANCELED"))
            return QStringLiteral("CANCELED");
        if (jobState == QLatin1String("CANCELLING"))
            return QStringLiteral("CANCELING");
        if (jobState == QLatin1String("FAILED"))
            return QStringLiteral("FAILED");
        if (jobState == QLatin1String("INITIALIZING"))
            return QStringLiteral("INITIALIZING");
        return QStringLiteral("CREATED");
    }

    static QStringList executionStates()
    {
        return {QStringLiteral("CREATED"),     QStringLiteral("SCHEDULED"),
                QStringLiteral("DEPLOYING"),   QStringLiteral("RUNNING"),
                QStringLiteral("FINISHED"),    QStringLiteral("CANCELING"),
                QStringLiteral("CANCELED"),    QStringLiteral("FAILED"),
                QStringLiteral("RECONCILING"), QStringLiteral("INITIALIZING")};
    }

    static QStringList jobStatuses()
    {
        return {QStringLiteral("INITIALIZING"), QStringLiteral("CREATED"),
                QStringLiteral("RUNNING"),      QStringLiteral("FAILING"),
                QStringLiteral("FAILED"),       QStringLiteral("CANCELLING"),
                QStringLiteral("CANCELED"),     QStringLiteral("FINISHED"),
                QStringLiteral("RESTARTING"),   QStringLiteral("SUSPENDED"),
                QStringLiteral("RECONCILING")};
    }

    qint64 durationOf(const Job &job, qint64 now) const
    {
        return (job.endTime >= 0 ? job.endTime : now) - job.startTime;
    }

    void appendOverviewEntry(QByteArray &out, const Job &job, qint64 now) const
    {
        const int total = job.parallelism * int(job.vertices.size());
        const QString taskState = executionStateFor(job.state).toLower();
        out += "{\"jid\":\"";
        out += job.id.toLatin1();
        out += "\",\"name\":";
        out += QJsonDocument(QJsonArray{job.name}).toJson(QJsonDocument::Compact).mid(1).chopped(1);
        out += ",\"state\":\"";
        out += job.state.toLatin1();
        out += "\",\"start-time\":" + QByteArray::number(job.startTime);
        out += ",\"end-time\":" + QByteArray::number(job.endTime);
        out += ",\"duration\":" + QByteArray::number(durationOf(job, now));
        out += ",\"last-modification\":" + QByteArray::number(job.lastModification);
        out += ",\"tasks\":{\"total\":" + QByteArray::number(total);
        for (const char *key : {"created", "scheduled", "deploying", "running", "finished",
                                "canceling", "canceled", "failed", "reconciling", "initializing"}) {
            out += ",\"";
            out += key;
            out += "\":";
            out += QByteArray::number(taskState == QLatin1String(key) ? total : 0);
        }
        out += '}';
        if (options.flinkMajor >= 2)
            out += ",\"pending-operators\":0";
        out += '}';
    }

    QByteArray overviewBytes()
    {
        const qint64 now = nowMs();
        if (!overviewDirty && overviewBuiltAt >= 0 && now - overviewBuiltAt < 1000)
            return overviewCache;
        QByteArray out;
        out.reserve(qsizetype(jobOrder.size()) * 420 + 16);
        out += "{\"jobs\":[";
        bool first = true;
        for (const QString &id : std::as_const(jobOrder)) {
            if (!first)
                out += ',';
            first = false;
            appendOverviewEntry(out, jobs[id], now);
        }
        out += "]}";
        overviewCache = out;
        overviewBuiltAt = now;
        overviewDirty = false;
        return out;
    }

    QJsonObject jobDetails(const Job &job) const
    {
        const qint64 now = nowMs();
        const QString taskState = executionStateFor(job.state);
        QJsonObject details;
        details.insert(QStringLiteral("jid"), job.id);
        details.insert(QStringLiteral("name"), job.name);
        details.insert(QStringLiteral("isStoppable"), false);
        details.insert(QStringLiteral("state"), job.state);
        details.insert(QStringLiteral("job-type"),
                       job.streaming ? QStringLiteral("STREAMING") : QStringLiteral("BATCH"));
        details.insert(QStringLiteral("start-time"), job.startTime);
        details.insert(QStringLiteral("end-time"), job.endTime);
        details.insert(QStringLiteral("duration"), durationOf(job, now));
        details.insert(QStringLiteral("maxParallelism"), -1);
        details.insert(QStringLiteral("now"), now);
        QJsonObject timestamps;
        for (const QString &status : jobStatuses())
            timestamps.insert(status, job.timestamps.value(status, 0));
        details.insert(QStringLiteral("timestamps"), timestamps);

        QJsonArray vertices;
        QJsonArray nodes;
        for (qsizetype i = 0; i < job.vertices.size(); ++i) {
            const Vertex &vertex = job.vertices.at(i);
            QJsonObject tasks;
            for (const QString &state : executionStates())
                tasks.insert(state, state == taskState ? job.parallelism : 0);
            QJsonObject metrics;
            for (const char *key : {"read-bytes", "write-bytes", "read-records", "write-records",
                                    "accumulated-backpressured-time", "accumulated-idle-time",
                                    "accumulated-busy-time"})
                metrics.insert(QLatin1String(key), 0);
            for (const char *key : {"read-bytes-complete", "write-bytes-complete",
                                    "read-records-complete", "write-records-complete"})
                metrics.insert(QLatin1String(key), true);
            QJsonObject v;
            v.insert(QStringLiteral("id"), vertex.id);
            v.insert(QStringLiteral("name"), vertex.name);
            v.insert(QStringLiteral("maxParallelism"), 128);
            v.insert(QStringLiteral("parallelism"), job.parallelism);
            v.insert(QStringLiteral("status"), taskState);
            v.insert(QStringLiteral("start-time"), job.startTime + 400);
            v.insert(QStringLiteral("end-time"), job.endTime);
            v.insert(QStringLiteral("duration"), durationOf(job, now) - 400);
            v.insert(QStringLiteral("tasks"), tasks);
            v.insert(QStringLiteral("metrics"), metrics);
            vertices.append(v);

            QJsonObject node;
            node.insert(QStringLiteral("id"), vertex.id);
            node.insert(QStringLiteral("parallelism"), job.parallelism);
            node.insert(QStringLiteral("operator"), QString());
            node.insert(QStringLiteral("operator_strategy"), QString());
            node.insert(QStringLiteral("description"), vertex.name);
            if (i > 0) {
                QJsonObject input;
                input.insert(QStringLiteral("num"), 0);
                input.insert(QStringLiteral("id"), job.vertices.at(i - 1).id);
                input.insert(QStringLiteral("ship_strategy"), QStringLiteral("HASH"));
                input.insert(QStringLiteral("exchange"), QStringLiteral("pipelined_bounded"));
                node.insert(QStringLiteral("inputs"), QJsonArray{input});
            }
            node.insert(QStringLiteral("optimizer_properties"), QJsonObject());
            nodes.append(node);
        }
        details.insert(QStringLiteral("vertices"), vertices);
        QJsonObject statusCounts;
        for (const QString &state : executionStates())
            statusCounts.insert(state, state == taskState ? int(job.vertices.size()) : 0);
        details.insert(QStringLiteral("status-counts"), statusCounts);
        QJsonObject plan;
        plan.insert(QStringLiteral("jid"), job.id);
        plan.insert(QStringLiteral("name"), job.name);
        plan.insert(QStringLiteral("type"),
                    job.streaming ? QStringLiteral("STREAMING") : QStringLiteral("BATCH"));
        plan.insert(QStringLiteral("nodes"), nodes);
        details.insert(QStringLiteral("plan"), plan);
        if (options.flinkMajor >= 2) {
            details.insert(QStringLiteral("pending-operators"), 0);
            details.insert(QStringLiteral("schedulerType"), QStringLiteral("Default"));
        }
        return details;
    }

    // ---- async operations ----

    bool expired(const Operation &op) const
    {
        return op.completed && nowMs() - op.completedAt >= options.resultExpiryMs;
    }

    void completeOperation(const QString &key)
    {
        auto it = operations.find(key);
        if (it == operations.end() || it->second.completed)
            return;
        Operation &op = it->second;
        op.completed = true;
        op.completedAt = nowMs();
        if (op.kind == Operation::Kind::Disposal)
            return; // result decided at trigger time
        if (op.operation.contains(QStringLiteral("failure-cause")))
            return; // failure decided at trigger time
        auto job = jobs.find(op.jobId);
        if (job == jobs.end()) {
            op.operation.insert(
                QStringLiteral("failure-cause"),
                failureCause(QStringLiteral("org.apache.flink.runtime.messages."
                                            "FlinkJobNotFoundException"),
                             QStringLiteral("Could not find Flink job (%1)").arg(op.jobId)));
            return;
        }
        // The directory was stashed in "location" at trigger time.
        const QString dir = localPath(op.operation.value(QStringLiteral("pending-dir")).toString());
        const bool cancelJob = op.operation.value(QStringLiteral("cancel")).toBool();
        op.operation = QJsonObject();
        const QString name =
            QStringLiteral("savepoint-%1-%2").arg(job->id.left(6), newTriggerId().left(12));
        const QString path = QDir(dir).filePath(name);
        QFile metadata(QDir(path).filePath(QStringLiteral("_metadata")));
        if (!QDir().mkpath(path) || !metadata.open(QIODevice::WriteOnly) ||
            metadata.write("FLINK-SIMULATOR-SAVEPOINT\n") < 0) {
            op.operation.insert(
                QStringLiteral("failure-cause"),
                failureCause(QStringLiteral("java.io.IOException"),
                             QStringLiteral("Could not create savepoint directory %1").arg(path)));
            return;
        }
        metadata.close();
        const QString location = QStringLiteral("file:") + path;
        op.operation.insert(QStringLiteral("location"), location);
        const qint64 now = nowMs();
        const bool stop = op.kind == Operation::Kind::Stop;
        addHistory(*job,
                   completedEntry(
                       *job, stop ? QStringLiteral("SYNC_SAVEPOINT") : QStringLiteral("SAVEPOINT"),
                       now - options.asyncLatencyMs, options.asyncLatencyMs, location, false));
        if (stop)
            setState(*job, QStringLiteral("FINISHED"));
        else if (cancelJob)
            setState(*job, QStringLiteral("CANCELED"));
    }

    void scheduleCompletion(const QString &key)
    {
        QTimer::singleShot(std::max(0, options.asyncLatencyMs), q,
                           [this, key] { completeOperation(key); });
    }

    Reply triggerSavepoint(const QString &rawJobId, const QHttpServerRequest &request, bool stop)
    {
        const QString bodyClass = stop ? QStringLiteral("StopWithSavepointRequestBody")
                                       : QStringLiteral("SavepointTriggerRequestBody");
        if (!isHexId(rawJobId))
            return badPathParameter(QStringLiteral("jobid"), rawJobId);
        const QString jobId = rawJobId.toLower();
        const QString dirField =
            stop ? QStringLiteral("targetDirectory") : QStringLiteral("target-directory");
        QList<std::pair<QString, FieldType>> fields = {
            {dirField, FieldType::String},
            {QStringLiteral("formatType"), FieldType::FormatType},
            {QStringLiteral("triggerId"), FieldType::TriggerId}};
        if (stop)
            fields.append({QStringLiteral("drain"), FieldType::Bool});
        else
            fields.append({QStringLiteral("cancel-job"), FieldType::Bool});
        const auto body = parseStrict(request.body(), fields);
        if (!body)
            return badFormat(bodyClass);
        QString dir = body->value(dirField).toString();
        if (dir.isEmpty())
            dir = options.clusterSavepointDir;
        if (dir.isEmpty())
            return handlerError(400, QStringLiteral("Config key [%1] is not set. Property [%2] "
                                                    "must be provided.")
                                         .arg(savepointDirKey(), dirField));
        QString triggerId = body->value(QStringLiteral("triggerId")).toString().toLower();
        const bool clientTrigger = !triggerId.isEmpty();
        if (!clientTrigger)
            triggerId = newTriggerId();
        const QString key = jobId + QLatin1Char('/') + triggerId;
        if (clientTrigger) {
            auto existing = operations.find(key);
            if (existing != operations.end() && !expired(existing->second)) {
                QJsonObject reply;
                reply.insert(QStringLiteral("request-id"), triggerId);
                return json(202, reply);
            }
        }
        if (hasFault(FlinkFault::SavepointSync500))
            return handlerError(500, QStringLiteral("Internal server error while triggering "
                                                    "savepoint operation with triggerId=%1 for "
                                                    "job %2.")
                                         .arg(triggerId, jobId));
        Operation op;
        op.kind = stop ? Operation::Kind::Stop : Operation::Kind::Savepoint;
        op.jobId = jobId;
        op.triggerId = triggerId;
        auto job = jobs.find(jobId);
        if (job != jobs.end()) {
            ++job->savepointsStarted;
            if (job->nextSavepointFailure) {
                op.operation.insert(QStringLiteral("failure-cause"),
                                    failureCause(job->nextSavepointFailure->first,
                                                 job->nextSavepointFailure->second));
                job->nextSavepointFailure.reset();
                ++job->failedCount;
            } else if (!job->checkpointing) {
                op.operation.insert(
                    QStringLiteral("failure-cause"),
                    failureCause(QStringLiteral("java.lang.IllegalStateException"),
                                 QStringLiteral("Checkpointing disabled. You can enable it via "
                                                "the execution environment of your job.")));
            } else if (job->state != QLatin1String("RUNNING")) {
                op.operation.insert(
                    QStringLiteral("failure-cause"),
                    failureCause(QStringLiteral("org.apache.flink.runtime.checkpoint."
                                                "CheckpointException"),
                                 QStringLiteral("Job %1 is not in state RUNNING but %2 instead. "
                                                "Aborting checkpoint.")
                                     .arg(jobId, job->state)));
            }
        }
        if (op.operation.isEmpty() && job != jobs.end()) {
            // Success path: remember the directory (and cancel-job) until completion.
            op.operation.insert(QStringLiteral("pending-dir"), dir);
            if (!stop && body->value(QStringLiteral("cancel-job")).toBool())
                op.operation.insert(QStringLiteral("cancel"), true);
        }
        operations[key] = op;
        scheduleCompletion(key);
        QJsonObject reply;
        reply.insert(QStringLiteral("request-id"), triggerId);
        return json(202, reply);
    }

    Reply savepointStatus(const QString &rawJobId, const QString &rawTriggerId)
    {
        if (!isHexId(rawJobId))
            return badPathParameter(QStringLiteral("jobid"), rawJobId);
        if (!isHexId(rawTriggerId))
            return badPathParameter(QStringLiteral("triggerid"), rawTriggerId);
        const QString jobId = rawJobId.toLower();
        const QString triggerId = rawTriggerId.toLower();
        const QString key = jobId + QLatin1Char('/') + triggerId;
        auto it = operations.find(key);
        if (it == operations.end() || expired(it->second)) {
            if (it != operations.end())
                operations.erase(it);
            return handlerError(404, QStringLiteral("There is no savepoint operation with "
                                                    "triggerId=%1 for job %2.")
                                         .arg(triggerId, jobId));
        }
        return operationReply(it->second);
    }

    Reply operationReply(const Operation &op) const
    {
        QJsonObject status;
        QJsonObject reply;
        if (!op.completed) {
            status.insert(QStringLiteral("id"), QStringLiteral("IN_PROGRESS"));
            reply.insert(QStringLiteral("status"), status);
            return json(200, reply);
        }
        status.insert(QStringLiteral("id"), QStringLiteral("COMPLETED"));
        reply.insert(QStringLiteral("status"), status);
        reply.insert(QStringLiteral("operation"), op.operation);
        return json(200, reply);
    }

    Reply triggerDisposal(const QHttpServerRequest &request)
    {
        const auto body =
            parseStrict(request.body(), {{QStringLiteral("savepoint-path"), FieldType::String}});
        if (!body)
            return badFormat(QStringLiteral("SavepointDisposalRequest"));
        const QString path = body->value(QStringLiteral("savepoint-path")).toString();
        Operation op;
        op.kind = Operation::Kind::Disposal;
        op.triggerId = newTriggerId();
        const QString local = localPath(path);
        if (path.isEmpty()) {
            op.operation.insert(QStringLiteral("failure-cause"),
                                failureCause(QStringLiteral("java.lang.NullPointerException"),
                                             QStringLiteral("Savepoint path must not be null.")));
        } else if (!QFileInfo(QDir(local).filePath(QStringLiteral("_metadata"))).isFile()) {
            op.operation.insert(
                QStringLiteral("failure-cause"),
                failureCause(QStringLiteral("java.io.FileNotFoundException"),
                             QStringLiteral("Cannot find meta data file '_metadata' in directory "
                                            "'%1'. Please try to load the checkpoint/savepoint "
                                            "directly from the metadata file instead of the "
                                            "directory.")
                                 .arg(path)));
        }
        const QString key = QStringLiteral("disposal/") + op.triggerId;
        const bool ok = op.operation.isEmpty();
        operations[key] = op;
        QTimer::singleShot(std::max(0, options.asyncLatencyMs), q, [this, key, local, ok, path] {
            if (ok) {
                QDir(local).removeRecursively();
                disposed << local;
                for (Job &job : jobs) {
                    for (QJsonObject &entry : job.history) {
                        if (entry.value(QStringLiteral("external_path")).toString() == path)
                            entry.insert(QStringLiteral("discarded"), true);
                    }
                }
            }
            completeOperation(key);
        });
        QJsonObject reply;
        reply.insert(QStringLiteral("request-id"), op.triggerId);
        return json(200, reply);
    }

    Reply disposalStatus(const QString &rawTriggerId)
    {
        if (!isHexId(rawTriggerId))
            return badPathParameter(QStringLiteral("triggerid"), rawTriggerId);
        const QString triggerId = rawTriggerId.toLower();
        auto it = operations.find(QStringLiteral("disposal/") + triggerId);
        if (it == operations.end() || expired(it->second)) {
            if (it != operations.end())
                operations.erase(it);
            return handlerError(404, QStringLiteral("Operation not found under key: "
                                                    "OperationKey{triggerId=%1}")
                                         .arg(triggerId));
        }
        return operationReply(it->second);
    }

    Reply cancel(const QString &rawJobId, const QHttpServerRequest &request)
    {
        if (!isHexId(rawJobId))
            return badPathParameter(QStringLiteral("jobid"), rawJobId);
        const QString mode = request.query().queryItemValue(QStringLiteral("mode"));
        if (!mode.isEmpty() && mode != QLatin1String("cancel") && mode != QLatin1String("stop"))
            return handlerError(400, QStringLiteral("Bad request, could not parse parameters: "
                                                    "Cannot resolve query parameter (mode) from "
                                                    "value \"%1\".")
                                         .arg(mode));
        if (!parseStrict(request.body(), {}))
            return badFormat(QStringLiteral("EmptyRequestBody"));
        if (mode == QLatin1String("stop"))
            return handlerError(308, QStringLiteral("The \"stop\" mode has been removed. For a "
                                                    "graceful shutdown, please use "
                                                    "`/jobs/:jobid/stop` instead."));
        const QString jobId = rawJobId.toLower();
        auto job = jobs.find(jobId);
        if (job == jobs.end())
            return handlerError(404, QStringLiteral("Job could not be found."));
        if (hasFault(FlinkFault::CancelTimeout))
            return handlerError(408, QStringLiteral("Job cancellation timed out."));
        if (job->state == QLatin1String("FINISHED") || job->state == QLatin1String("FAILED"))
            return handlerError(409, QStringLiteral("Job cancellation failed because the job has "
                                                    "already reached another terminal state "
                                                    "(%1).")
                                         .arg(job->state));
        if (!isTerminal(job->state) && job->state != QLatin1String("CANCELLING")) {
            setState(*job, QStringLiteral("CANCELLING"));
            QTimer::singleShot(std::max(0, options.cancelLatencyMs), q, [this, jobId] {
                auto j = jobs.find(jobId);
                if (j != jobs.end() && j->state == QLatin1String("CANCELLING"))
                    setState(*j, QStringLiteral("CANCELED"));
            });
        }
        return json(202, QJsonObject());
    }

    Reply config() const
    {
        QJsonObject features;
        features.insert(QStringLiteral("web-submit"), false);
        features.insert(QStringLiteral("web-cancel"), true);
        features.insert(QStringLiteral("web-rescale"), false);
        features.insert(QStringLiteral("web-history"), false);
        QJsonObject object;
        object.insert(QStringLiteral("refresh-interval"), 3000);
        object.insert(QStringLiteral("timezone-name"),
                      QStringLiteral("Coordinated Universal Time"));
        object.insert(QStringLiteral("timezone-offset"), 0);
        object.insert(QStringLiteral("flink-version"), flinkVersion());
        object.insert(QStringLiteral("flink-revision"),
                      QStringLiteral("0f11a4c @ 2025-01-01T00:00:00+01:00"));
        object.insert(QStringLiteral("features"), features);
        return json(200, object);
    }

    QString flinkVersion() const
    {
        return options.flinkMajor >= 2 ? QStringLiteral("2.1.0") : QStringLiteral("1.20.1");
    }

    Reply clusterOverview() const
    {
        int running = 0, finished = 0, cancelled = 0, failed = 0;
        for (const Job &job : jobs) {
            if (job.state == QLatin1String("FINISHED"))
                ++finished;
            else if (job.state == QLatin1String("CANCELED"))
                ++cancelled;
            else if (job.state == QLatin1String("FAILED"))
                ++failed;
            else
                ++running;
        }
        QJsonObject object;
        object.insert(QStringLiteral("taskmanagers"), 2);
        object.insert(QStringLiteral("slots-total"), 8);
        object.insert(QStringLiteral("slots-available"), 2);
        object.insert(QStringLiteral("jobs-running"), running);
        object.insert(QStringLiteral("jobs-finished"), finished);
        object.insert(QStringLiteral("jobs-cancelled"), cancelled);
        object.insert(QStringLiteral("jobs-failed"), failed);
        object.insert(QStringLiteral("flink-version"), flinkVersion());
        object.insert(QStringLiteral("flink-commit"), QStringLiteral("0f11a4c"));
        if (options.flinkMajor >= 2) {
            object.insert(QStringLiteral("slots-free-and-blocked"), 0);
            object.insert(QStringLiteral("taskmanagers-blocked"), 0);
        }
        return json(200, object);
    }

    Reply jobsList() const
    {
        QJsonArray list;
        for (const QString &id : jobOrder) {
            QJsonObject entry;
            entry.insert(QStringLiteral("id"), id);
            entry.insert(QStringLiteral("status"), jobs[id].state);
            list.append(entry);
        }
        QJsonObject object;
        object.insert(QStringLiteral("jobs"), list);
        return json(200, object);
    }

    Reply jobNotFound(const QString &jobId) const
    {
        return handlerError(404, QStringLiteral("Job %1 not found").arg(jobId),
                            QLatin1String(kNotFoundException));
    }

    // ---- routing ----

    Reply route(const QHttpServerRequest &request)
    {
        sweepArchive();
        const auto method = request.method();
        const bool get = method == QHttpServerRequest::Method::Get;
        const bool post = method == QHttpServerRequest::Method::Post;
        const bool patch = method == QHttpServerRequest::Method::Patch;
        QString path = request.url().path();
        if (path == QLatin1String("/v1") || path.startsWith(QLatin1String("/v1/")))
            path = path.mid(3);
        const QStringList s = path.split(QLatin1Char('/'), Qt::SkipEmptyParts);
        const qsizetype n = s.size();

        if (n == 1 && s[0] == QLatin1String("config") && get)
            return config();
        if (n == 1 && s[0] == QLatin1String("overview") && get)
            return clusterOverview();
        if (n == 1 && s[0] == QLatin1String("jobs") && get)
            return jobsList();
        if (n == 2 && s[0] == QLatin1String("jobs") && s[1] == QLatin1String("overview") && get)
            return Reply{200, "application/json; charset=UTF-8", overviewBytes()};
        if (n == 1 && s[0] == QLatin1String("savepoint-disposal") && post)
            return triggerDisposal(request);
        if (n == 2 && s[0] == QLatin1String("savepoint-disposal") && get)
            return disposalStatus(s[1]);
        if (n >= 2 && s[0] == QLatin1String("jobs")) {
            const QString &rawId = s[1];
            if (n == 2 && patch)
                return cancel(rawId, request);
            if (n == 3 && s[2] == QLatin1String("stop") && post)
                return triggerSavepoint(rawId, request, true);
            if (n == 3 && s[2] == QLatin1String("savepoints") && post)
                return triggerSavepoint(rawId, request, false);
            if (n == 4 && s[2] == QLatin1String("savepoints") && get)
                return savepointStatus(rawId, s[3]);
            const bool known =
                (n == 2 && get) ||
                (n == 3 && get &&
                 (s[2] == QLatin1String("status") || s[2] == QLatin1String("checkpoints")));
            if (known) {
                if (!isHexId(rawId))
                    return badPathParameter(QStringLiteral("jobid"), rawId);
                const QString jobId = rawId.toLower();
                auto job = jobs.find(jobId);
                if (job == jobs.end())
                    return jobNotFound(jobId);
                if (n == 2)
                    return json(200, jobDetails(*job));
                if (s[2] == QLatin1String("status")) {
                    QJsonObject status;
                    status.insert(QStringLiteral("status"), job->state);
                    return json(200, status);
                }
                if (!job->checkpointing)
                    return handlerError(404, QStringLiteral("Checkpointing has not been enabled."));
                return json(200, checkpointStats(*job));
            }
        }
        QString uri = request.url().path();
        if (request.url().hasQuery())
            uri += QLatin1Char('?') + request.url().query();
        return errors(404, {QStringLiteral("Not found: ") + uri});
    }

    void handle(const QHttpServerRequest &request, QTcpSocket *socket)
    {
        const QString method = methodName(request.method());
        requests.append({method, request.url().path()});

        Reply reply;
        if (hasFault(FlinkFault::HtmlErrorPage)) {
            reply = Reply{502, "text/html",
                          "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
                          "<center><h1>502 Bad Gateway</h1></center>\r\n"
                          "<hr><center>nginx/1.24.0</center>\r\n</body>\r\n</html>\r\n"};
        } else if (hasFault(FlinkFault::InternalError)) {
            reply = internalError(QStringLiteral("Simulated internal error"));
        } else {
            reply = route(request);
        }
        if (hasFault(FlinkFault::GarbageJson))
            reply = Reply{200, "application/json; charset=UTF-8",
                          "{\"jobs\":[{\"jid\":\"0f11a4\",\"name\":nope,]"};
        const bool truncate =
            hasFault(FlinkFault::TruncatedBody) && reply.contentType.startsWith("application/json");
        const QPointer<QTcpSocket> target(socket);
        if (hasFault(FlinkFault::SlowReplies) && slowReplyMs > 0) {
            QTimer::singleShot(slowReplyMs, socket,
                               [target, reply, truncate] { write(target, reply, truncate); });
            return;
        }
        write(target, reply, truncate);
    }

    static void write(const QPointer<QTcpSocket> &socket, const Reply &reply, bool truncate)
    {
        if (!socket || socket->state() != QAbstractSocket::ConnectedState)
            return;
        QByteArray out = "HTTP/1.1 " + QByteArray::number(reply.status) + ' ' +
                         reasonPhrase(reply.status) + "\r\n";
        out += "Content-Type: " + reply.contentType + "\r\n";
        out += "Content-Length: " + QByteArray::number(reply.body.size()) + "\r\n";
        out += "Access-Control-Allow-Origin: *\r\n";
        if (truncate)
            out += "Connection: close\r\n";
        out += "\r\n";
        out += truncate ? reply.body.left(reply.body.size() / 2) : reply.body;
        socket->write(out);
        if (truncate) {
            socket->flush();
            socket->disconnectFromHost();
        }
    }
};

FlinkSimulator::FlinkSimulator(FlinkSimOptions options, QObject *parent)
    : QObject(parent)
    , d(std::make_unique<Private>())
{
    d->q = this;
    d->options = std::move(options);
    d->server.handler = [this](const QHttpServerRequest &request, QTcpSocket *socket) {
        d->handle(request, socket);
    };
    static const char *const names[] = {
        "orders-enrichment", "clickstream-sessionizer", "fraud-scoring",  "inventory-sync",
        "nightly-billing",   "payments-audit",          "ad-impressions", "sensor-aggregates"};
    static const char *const states[] = {"RUNNING", "FINISHED", "CANCELED", "FAILED", "RUNNING"};
    const qint64 now = nowMs();
    for (int i = 0; i < d->options.jobCount; ++i) {
        const QString state = QLatin1String(states[i % 5]);
        // The fifth of every five is a batch job (no checkpointing); the rest stream.
        const bool batch = i % 5 == 4;
        QString name = QLatin1String(names[i % 8]);
        if (i >= 8)
            name += QStringLiteral("-%1").arg(i / 8);
        const qint64 start = now - 3600 * 1000 + qint64(i % 3600) * 500;
        Job &job =
            d->createJob(name, batch ? QStringLiteral("RUNNING") : state, true, !batch, start);
        if (job.checkpointing) {
            // 3..14 completed periodic checkpoints, so some histories hit the cap of 10.
            const int count = 3 + (i * 5) % 12;
            for (int c = count; c > 0; --c)
                d->addPeriodicCheckpoint(job, (job.endTime >= 0 ? job.endTime : now) -
                                                  qint64(c) * kCheckpointIntervalMs);
            if (job.state == QLatin1String("RUNNING"))
                job.lastPeriodicCheckpoint = now - kCheckpointIntervalMs;
        }
    }
}

FlinkSimulator::~FlinkSimulator() = default;

bool FlinkSimulator::listen(quint16 port, QString *error)
{
    if (d->options.tls != FlinkSimOptions::Tls::Off) {
        const auto chain = QSslCertificate::fromPath(d->options.certFile, QSsl::Pem);
        QFile keyFile(d->options.keyFile);
        if (chain.isEmpty() || !keyFile.open(QIODevice::ReadOnly)) {
            if (error)
                *error = QStringLiteral("cannot read the TLS certificate %1 or key %2")
                             .arg(d->options.certFile, d->options.keyFile);
            return false;
        }
        const QByteArray keyPem = keyFile.readAll();
        QSslKey key(keyPem, QSsl::Rsa, QSsl::Pem);
        if (key.isNull())
            key = QSslKey(keyPem, QSsl::Ec, QSsl::Pem);
        if (key.isNull()) {
            if (error)
                *error = QStringLiteral("cannot parse the TLS key %1").arg(d->options.keyFile);
            return false;
        }
        QSslConfiguration config = QSslConfiguration::defaultConfiguration();
        config.setLocalCertificateChain(chain);
        config.setPrivateKey(key);
        config.setPeerVerifyMode(QSslSocket::VerifyNone);
        if (d->options.tls == FlinkSimOptions::Tls::Mutual) {
            const auto cas = QSslCertificate::fromPath(d->options.clientCaFile, QSsl::Pem);
            if (cas.isEmpty()) {
                if (error)
                    *error =
                        QStringLiteral("cannot read the client CA %1").arg(d->options.clientCaFile);
                return false;
            }
            config.setCaCertificates(cas);
            config.setPeerVerifyMode(QSslSocket::VerifyPeer);
        }
        if (d->options.flinkDefaultCipherOnly) {
            config.setProtocol(QSsl::TlsV1_2);
            config.setCiphers({QSslCipher(QStringLiteral("AES128-SHA"))});
        }
        d->server.sslSetup(config);
    }
    const quint16 bound = d->server.listen(QHostAddress::LocalHost, port);
    if (bound == 0) {
        if (error)
            *error = QStringLiteral("cannot listen on 127.0.0.1:%1").arg(port);
        return false;
    }
    d->port = bound;
    return true;
}

quint16 FlinkSimulator::port() const
{
    return d->port;
}

QUrl FlinkSimulator::baseUrl() const
{
    QUrl url;
    url.setScheme(d->options.tls == FlinkSimOptions::Tls::Off ? QStringLiteral("http")
                                                              : QStringLiteral("https"));
    url.setHost(QStringLiteral("127.0.0.1"));
    url.setPort(d->port);
    return url;
}

void FlinkSimulator::setFault(FlinkFault fault, bool on)
{
    if (fault == FlinkFault::None) {
        if (on)
            d->faults = 0;
        return;
    }
    if (on)
        d->faults |= 1u << unsigned(fault);
    else
        d->faults &= ~(1u << unsigned(fault));
}

void FlinkSimulator::setSlowReplyMs(int ms)
{
    d->slowReplyMs = ms;
}

void FlinkSimulator::setAsyncLatencyMs(int ms)
{
    d->options.asyncLatencyMs = ms;
}

void FlinkSimulator::setResultExpiryMs(int ms)
{
    d->options.resultExpiryMs = ms;
}

QString FlinkSimulator::addJob(const QString &name, const QString &state, bool checkpointing)
{
    return d->createJob(name, state, checkpointing, true, nowMs() - 60000).id;
}

QList<FlinkSimulator::JobSpec> FlinkSimulator::jobs() const
{
    d->sweepArchive();
    QList<JobSpec> list;
    list.reserve(d->jobOrder.size());
    for (const QString &id : std::as_const(d->jobOrder)) {
        const Job &job = d->jobs[id];
        list.append(JobSpec{job.id, job.name, job.state, job.checkpointing, job.streaming});
    }
    return list;
}

QString FlinkSimulator::jobState(const QString &jobId) const
{
    d->sweepArchive();
    const auto it = d->jobs.constFind(jobId.toLower());
    return it == d->jobs.constEnd() ? QString() : it->state;
}

int FlinkSimulator::savepointsStarted(const QString &jobId) const
{
    const auto it = d->jobs.constFind(jobId.toLower());
    return it == d->jobs.constEnd() ? 0 : it->savepointsStarted;
}

int FlinkSimulator::requestCount(const QByteArray &method, const QString &pathPrefix) const
{
    const QString wanted = QString::fromLatin1(method).toUpper();
    int count = 0;
    for (const auto &[m, path] : std::as_const(d->requests)) {
        if ((wanted.isEmpty() || m == wanted) && path.startsWith(pathPrefix))
            ++count;
    }
    return count;
}

QStringList FlinkSimulator::disposedPaths() const
{
    return d->disposed;
}

void FlinkSimulator::setSavepointFailure(const QString &jobId, const QString &javaClass,
                                         const QString &message)
{
    auto it = d->jobs.find(jobId.toLower());
    if (it != d->jobs.end())
        it->nextSavepointFailure = std::make_pair(javaClass, message);
}

} // namespace opsdeck::test
