// SPDX-License-Identifier: GPL-3.0-or-later
// The Flink REST reply decoders (core/jobs/flinkjson.h) and RestClient::flinkErrorMessage. The
// same body goes through every decoder, as a real reply of the wrong kind could. Invariants: the
// byte and object overloads agree, decoded values are normalised as documented (lowercase ids,
// unique non-empty savepoint paths, failures only on completed operations) and errors carry a
// message.
#include "fuzzcheck.h"
#include "jobs/flinkjson.h"
#include "jobs/restclient.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QSet>
#include <cmath>

using namespace opsdeck;
using namespace opsdeck::jobs;

namespace {

template<typename T> void checkError(const Result<T> &r)
{
    if (!r.ok()) {
        FUZZ_CHECK(r.error().code == ErrorCode::Parse);
        FUZZ_CHECK(!r.error().message.isEmpty());
    }
}

bool isLowerHex32(const QString &id)
{
    if (id.size() != 32)
        return false;
    for (const QChar c : id)
        if (!((c >= u'0' && c <= u'9') || (c >= u'a' && c <= u'f')))
            return false;
    return true;
}

void checkOverview(const JobOverview &job)
{
    FUZZ_CHECK(job.id == job.id.toLower());
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray body = fuzz::bytes(data, size);
    QJsonParseError parseError{};
    const QJsonDocument doc = QJsonDocument::fromJson(body, &parseError);
    const QJsonObject root = doc.object();

    const auto overviewBytes = decodeJobsOverview(body);
    checkError(overviewBytes);
    const auto overview = decodeJobsOverview(root);
    checkError(overview);
    if (parseError.error != QJsonParseError::NoError) {
        FUZZ_CHECK(!overviewBytes.ok());
    } else {
        FUZZ_CHECK(overviewBytes.ok() == overview.ok());
        if (overview.ok()) {
            FUZZ_CHECK(overviewBytes->size() == overview->size());
            FUZZ_CHECK(overview->size() == root.value(QLatin1String("jobs")).toArray().size());
            for (qsizetype i = 0; i < overview->size(); ++i) {
                checkOverview(overview->at(i));
                FUZZ_CHECK(overview->at(i).id == overviewBytes->at(i).id);
                FUZZ_CHECK(overview->at(i).startTime == overviewBytes->at(i).startTime);
            }
        }
    }

    const auto details = decodeJobDetails(root);
    checkError(details);
    if (details.ok()) {
        FUZZ_CHECK(root.value(QLatin1String("jid")).isString());
        checkOverview(details->job);
        FUZZ_CHECK(details->vertices.size() ==
                   root.value(QLatin1String("vertices")).toArray().size());
    }

    const auto savepoints = decodeRememberedSavepoints(root);
    checkError(savepoints);
    if (savepoints.ok()) {
        QSet<QString> paths;
        for (const RememberedSavepoint &sp : *savepoints) {
            FUZZ_CHECK(!sp.path.isEmpty());
            FUZZ_CHECK(!paths.contains(sp.path));
            FUZZ_CHECK(!sp.type.isEmpty());
            paths.insert(sp.path);
        }
    }

    const auto status = decodeAsyncStatus(root);
    checkError(status);
    if (status.ok()) {
        FUZZ_CHECK(!status->failed() || status->completed);
        FUZZ_CHECK(status->failureClass.isEmpty() == status->failureMessage.isEmpty());
        FUZZ_CHECK(!status->failureMessage.contains(u'\n'));
    }

    const auto trigger = decodeTriggerId(root);
    checkError(trigger);
    if (trigger.ok())
        FUZZ_CHECK(isLowerHex32(*trigger));

    const QString message = RestClient::flinkErrorMessage(body);
    if (!doc.isObject())
        FUZZ_CHECK(message.isEmpty());
    FUZZ_CHECK(!message.contains(u'\n'));

    // The number helpers on every top-level value.
    for (auto it = root.begin(); it != root.end(); ++it) {
        const double d = numberOrSpecial(it.value(), 1.5);
        if (!it.value().isDouble() && !it.value().isString())
            FUZZ_CHECK(d == 1.5);
        const qint64 n = int64Or(it.value(), -7);
        if (!it.value().isDouble() && !it.value().isString())
            FUZZ_CHECK(n == -7);
        FUZZ_CHECK(!std::isnan(d) || it.value().isString() || std::isnan(it.value().toDouble()));
    }
    return 0;
}
