// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/result.h"

#include <QByteArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QString>
#include <optional>

// Decoding Flink REST replies (1.x and 2.x field sets) into plain values. Every decoder accepts
// what real clusters send: numbers or "NaN"/"Infinity" strings, `className` or `@class`,
// missing optional keys.
namespace opsdeck::jobs {

struct JobOverview
{
    QString id;
    QString name;
    QString state;
    qint64 startTime = -1; // epoch ms, -1 unknown
    qint64 endTime = -1;   // -1 while not terminal
    qint64 duration = -1;  // ms
    int tasksTotal = 0;
    int tasksRunning = 0;
};

struct VertexInfo
{
    QString id;
    QString name;
    QString status;
    int parallelism = 0;
    int running = 0;
    qint64 startTime = -1;
    qint64 endTime = -1;
    qint64 duration = -1;
};

struct JobDetails
{
    JobOverview job;
    QString jobType; // BATCH / STREAMING, empty in old versions
    QList<VertexInfo> vertices;
};

// One entry Flink still remembers as a savepoint (from /jobs/:id/checkpoints).
struct RememberedSavepoint
{
    qint64 checkpointId = -1;
    QString path;   // external_path
    QString type;   // SAVEPOINT, SYNC_SAVEPOINT, RESTORED
    QString format; // CANONICAL / NATIVE / empty
    qint64 triggerTime = -1;
    qint64 completedTime = -1; // latest_ack_timestamp or restore_timestamp
    bool discarded = false;
};

// The result of an asynchronous operation poll.
struct AsyncStatus
{
    bool completed = false;
    QString location;       // savepoints: "operation.location"
    QString failureClass;   // "operation.failure-cause.class"
    QString failureMessage; // first line of the stack trace without the class prefix
    bool failed() const { return !failureClass.isEmpty() || !failureMessage.isEmpty(); }
};

// A JSON number, or one of the strings Flink writes for special doubles ("NaN", "Infinity",
// "-Infinity"), or a numeric string. Anything else gives `fallback`.
double numberOrSpecial(const QJsonValue &value, double fallback = 0.0);
qint64 int64Or(const QJsonValue &value, qint64 fallback);

// The checkpoint history discriminator: `className` (new) or `@class` (Flink <= 1.14).
QString historyClass(const QJsonObject &entry);

Result<QList<JobOverview>> decodeJobsOverview(const QByteArray &body);
Result<QList<JobOverview>> decodeJobsOverview(const QJsonObject &root);
Result<JobDetails> decodeJobDetails(const QJsonObject &root);
Result<QList<RememberedSavepoint>> decodeRememberedSavepoints(const QJsonObject &root);
Result<AsyncStatus> decodeAsyncStatus(const QJsonObject &root);
// {"request-id": "<32 hex>"}
Result<QString> decodeTriggerId(const QJsonObject &root);

} // namespace opsdeck::jobs
