// SPDX-License-Identifier: GPL-3.0-or-later
#include "flinkjson.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QRegularExpression>
#include <algorithm>
#include <cmath>
#include <limits>

namespace opsdeck::jobs {

namespace {

const QString Where = QStringLiteral("Flink REST reply");

QString firstLine(const QString &text)
{
    const qsizetype nl = text.indexOf(QLatin1Char('\n'));
    return (nl < 0 ? text : text.left(nl)).trimmed();
}

Error shapeError(const QString &what)
{
    return makeError(ErrorCode::Parse, what, Where);
}

int taskCount(const QJsonObject &tasks, QLatin1String lower, QLatin1String upper)
{
    const QJsonValue v = tasks.contains(lower) ? tasks.value(lower) : tasks.value(upper);
    return static_cast<int>(int64Or(v, 0));
}

JobOverview decodeOverviewEntry(const QJsonObject &o)
{
    JobOverview job;
    job.id = o.value(QLatin1String("jid")).toString().toLower();
    job.name = o.value(QLatin1String("name")).toString();
    job.state = o.value(QLatin1String("state")).toString();
    job.startTime = int64Or(o.value(QLatin1String("start-time")), -1);
    job.endTime = int64Or(o.value(QLatin1String("end-time")), -1);
    job.duration = int64Or(o.value(QLatin1String("duration")), -1);
    const QJsonObject tasks = o.value(QLatin1String("tasks")).toObject();
    job.tasksTotal = taskCount(tasks, QLatin1String("total"), QLatin1String("TOTAL"));
    job.tasksRunning = taskCount(tasks, QLatin1String("running"), QLatin1String("RUNNING"));
    return job;
}

} // namespace

double numberOrSpecial(const QJsonValue &value, double fallback)
{
    if (value.isDouble())
        return value.toDouble();
    if (value.isString()) {
        const QString s = value.toString().trimmed();
        if (s == QLatin1String("NaN"))
            return std::numeric_limits<double>::quiet_NaN();
        if (s == QLatin1String("Infinity"))
            return std::numeric_limits<double>::infinity();
        if (s == QLatin1String("-Infinity"))
            return -std::numeric_limits<double>::infinity();
        bool ok = false;
        const double d = s.toDouble(&ok);
        if (ok)
            return d;
    }
    return fallback;
}

qint64 int64Or(const QJsonValue &value, qint64 fallback)
{
    if (value.isDouble()) {
        // Only doubles in qint64's range convert (casting any other is undefined behaviour):
        // [-2^63, 2^63), which also excludes NaN and the infinities.
        const double d = value.toDouble();
        if (d >= -9223372036854775808.0 && d < 9223372036854775808.0)
            return static_cast<qint64>(d);
        return fallback;
    }
    if (value.isString()) {
        bool ok = false;
        const qint64 n = value.toString().toLongLong(&ok);
        return ok ? n : fallback;
    }
    return fallback;
}

QString historyClass(const QJsonObject &entry)
{
    const QJsonValue c = entry.value(QLatin1String("className"));
    if (c.isString())
        return c.toString();
    return entry.value(QLatin1String("@class")).toString();
}

Result<QList<JobOverview>> decodeJobsOverview(const QByteArray &body)
{
    QJsonParseError error{};
    const QJsonDocument doc = QJsonDocument::fromJson(body, &error);
    if (error.error != QJsonParseError::NoError)
        return shapeError(QStringLiteral("/jobs/overview is not valid JSON: %1 at byte %2")
                              .arg(error.errorString())
                              .arg(error.offset));
    return decodeJobsOverview(doc.object());
}

Result<QList<JobOverview>> decodeJobsOverview(const QJsonObject &root)
{
    const QJsonValue jobs = root.value(QLatin1String("jobs"));
    if (!jobs.isArray())
        return shapeError(QStringLiteral("/jobs/overview has no \"jobs\" array"));
    const QJsonArray array = jobs.toArray();
    QList<JobOverview> out;
    out.reserve(array.size());
    for (const QJsonValue &v : array) {
        if (!v.isObject())
            return shapeError(
                QStringLiteral("/jobs/overview: an entry of \"jobs\" is not an object"));
        out.append(decodeOverviewEntry(v.toObject()));
    }
    return out;
}

Result<JobDetails> decodeJobDetails(const QJsonObject &root)
{
    if (!root.value(QLatin1String("jid")).isString())
        return shapeError(QStringLiteral("/jobs/:id has no \"jid\""));
    JobDetails details;
    details.job = decodeOverviewEntry(root);
    details.jobType = root.value(QLatin1String("job-type")).toString();
    const QJsonArray vertices = root.value(QLatin1String("vertices")).toArray();
    qint64 total = 0; // of ints: cannot overflow, unlike an int (UB found by fuzz_flinkjson)
    qint64 running = 0;
    for (const QJsonValue &v : vertices) {
        const QJsonObject o = v.toObject();
        VertexInfo vertex;
        vertex.id = o.value(QLatin1String("id")).toString();
        vertex.name = o.value(QLatin1String("name")).toString();
        vertex.status = o.value(QLatin1String("status")).toString();
        vertex.parallelism = static_cast<int>(int64Or(o.value(QLatin1String("parallelism")), 0));
        vertex.running = taskCount(o.value(QLatin1String("tasks")).toObject(),
                                   QLatin1String("running"), QLatin1String("RUNNING"));
        vertex.startTime = int64Or(o.value(QLatin1String("start-time")), -1);
        vertex.endTime = int64Or(o.value(QLatin1String("end-time")), -1);
        vertex.duration = int64Or(o.value(QLatin1String("duration")), -1);
        total += vertex.parallelism;
        running += vertex.running;
        details.vertices.append(vertex);
    }
    // "status-counts" counts job vertices per state, not tasks: the task figures come from the
    // vertices themselves (parallelism and their running subtasks).
    if (details.job.tasksTotal == 0) {
        const auto toInt = [](qint64 n) {
            return static_cast<int>(std::clamp<qint64>(n, std::numeric_limits<int>::min(),
                                                       std::numeric_limits<int>::max()));
        };
        details.job.tasksTotal = toInt(total);
        details.job.tasksRunning = toInt(running);
    }
    return details;
}

Result<QList<RememberedSavepoint>> decodeRememberedSavepoints(const QJsonObject &root)
{
    if (!root.contains(QLatin1String("history")) && !root.contains(QLatin1String("latest")))
        return shapeError(QStringLiteral("/jobs/:id/checkpoints has neither \"history\" nor "
                                         "\"latest\""));
    QList<RememberedSavepoint> out;
    const auto add = [&out](RememberedSavepoint sp) {
        if (sp.path.isEmpty())
            return;
        for (const RememberedSavepoint &known : std::as_const(out))
            if (known.path == sp.path)
                return;
        out.append(std::move(sp));
    };
    const auto fromCompleted = [](const QJsonObject &o) {
        RememberedSavepoint sp;
        sp.checkpointId = int64Or(o.value(QLatin1String("id")), -1);
        sp.path = o.value(QLatin1String("external_path")).toString();
        sp.type = o.value(QLatin1String("checkpoint_type")).toString();
        if (sp.type.isEmpty())
            sp.type = QStringLiteral("SAVEPOINT");
        sp.format = o.value(QLatin1String("savepointFormat")).toString();
        sp.triggerTime = int64Or(o.value(QLatin1String("trigger_timestamp")), -1);
        sp.completedTime = int64Or(o.value(QLatin1String("latest_ack_timestamp")), -1);
        sp.discarded = o.value(QLatin1String("discarded")).toBool();
        return sp;
    };
    const QJsonArray history = root.value(QLatin1String("history")).toArray();
    for (const QJsonValue &v : history) {
        const QJsonObject o = v.toObject();
        if (!o.value(QLatin1String("is_savepoint")).toBool())
            continue;
        const QString cls = historyClass(o);
        const QString status = o.value(QLatin1String("status")).toString();
        if (cls != QLatin1String("completed") && status != QLatin1String("COMPLETED"))
            continue;
        add(fromCompleted(o));
    }
    const QJsonObject latest = root.value(QLatin1String("latest")).toObject();
    const QJsonValue latestSavepoint = latest.value(QLatin1String("savepoint"));
    if (latestSavepoint.isObject())
        add(fromCompleted(latestSavepoint.toObject()));
    const QJsonValue restored = latest.value(QLatin1String("restored"));
    if (restored.isObject()) {
        const QJsonObject o = restored.toObject();
        if (o.value(QLatin1String("is_savepoint")).toBool()) {
            RememberedSavepoint sp;
            sp.checkpointId = int64Or(o.value(QLatin1String("id")), -1);
            sp.path = o.value(QLatin1String("external_path")).toString();
            sp.type = QStringLiteral("RESTORED");
            sp.completedTime = int64Or(o.value(QLatin1String("restore_timestamp")), -1);
            add(sp);
        }
    }
    return out;
}

Result<AsyncStatus> decodeAsyncStatus(const QJsonObject &root)
{
    const QString id =
        root.value(QLatin1String("status")).toObject().value(QLatin1String("id")).toString();
    AsyncStatus status;
    if (id == QLatin1String("IN_PROGRESS"))
        return status;
    if (id != QLatin1String("COMPLETED"))
        return shapeError(QStringLiteral("an asynchronous operation status must be IN_PROGRESS "
                                         "or COMPLETED, not \"%1\"")
                              .arg(id));
    status.completed = true;
    const QJsonObject operation = root.value(QLatin1String("operation")).toObject();
    status.location = operation.value(QLatin1String("location")).toString();
    QJsonObject cause = operation.value(QLatin1String("failure-cause")).toObject();
    if (cause.isEmpty())
        cause = operation.value(QLatin1String("failureCause")).toObject();
    if (!cause.isEmpty()) {
        status.failureClass = cause.value(QLatin1String("class")).toString();
        QString line = firstLine(cause.value(QLatin1String("stack-trace")).toString());
        // "java.util.concurrent.CompletionException: org.apache...Exception: message"
        static const QRegularExpression prefix(QStringLiteral(
            "^(?:[a-zA-Z_$][\\w$]*\\.)+[A-Z][\\w$]*(?:Exception|Error|Throwable):\\s*"));
        for (int i = 0; i < 4; ++i) {
            const auto m = prefix.match(line);
            if (!m.hasMatch())
                break;
            line = line.mid(m.capturedLength());
        }
        status.failureMessage = line.isEmpty() ? QStringLiteral("(no message)") : line;
        if (status.failureClass.isEmpty())
            status.failureClass = QStringLiteral("(unknown class)");
    }
    return status;
}

Result<QString> decodeTriggerId(const QJsonObject &root)
{
    static const QRegularExpression hex32(QStringLiteral("^[0-9a-fA-F]{32}$"));
    const QString id = root.value(QLatin1String("request-id")).toString();
    if (!hex32.match(id).hasMatch())
        return shapeError(QStringLiteral("the trigger reply has no valid \"request-id\""));
    return id.toLower();
}

} // namespace opsdeck::jobs
