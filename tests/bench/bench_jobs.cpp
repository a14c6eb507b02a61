// SPDX-License-Identifier: GPL-3.0-or-later
// SHOW JOBS with 10,000 jobs on the Flink REST simulator, against baselines measured in the
// same run:
//  - reply bytes to a filled (and sorted) table model: JSON parse + decode + result rows +
//    JobsResultModel + the sorting proxy; goal <= 150 ms. Baseline: QJsonDocument::fromJson of
//    the same bytes alone (the floor any Qt JSON client pays).
//  - end to end (request, transfer, parse, model) vs `curl` fetching the same URL to /dev/null
//    (curl's own time_total, and its wall time including process start).
// Prints "BENCH <name> <value> <unit>" lines; never asserts timings.
#include "flinksim.h"
#include "jobs/jobexecutor.h"
#include "jobs/restclient.h"
#include "jobs/statement.h"
#include "jobsresultmodel.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QJsonDocument>
#include <QProcess>
#include <QTextStream>
#include <algorithm>
#include <optional>
#include <vector>

using namespace opsdeck;
using namespace opsdeck::jobs;

namespace {

void report(const char *name, double value, const char *unit)
{
    QTextStream(stdout) << "BENCH " << name << ' ' << QString::number(value, 'f', 3) << ' ' << unit
                        << '\n';
}

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v.empty() ? -1 : v[v.size() / 2];
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    constexpr int Jobs = 10000;
    constexpr int Rounds = 7;

    test::FlinkSimOptions options;
    options.jobCount = Jobs;
    test::FlinkSimulator sim(options);
    QString error;
    if (!sim.listen(0, &error)) {
        QTextStream(stderr) << "simulator: " << error << '\n';
        return 1;
    }
    const QUrl url = sim.baseUrl().resolved(QUrl(QStringLiteral("/jobs/overview")));

    RestClient client;
    RestEndpointConfig endpoint;
    endpoint.url = sim.baseUrl().toString();
    if (!client.configure(endpoint))
        return 1;
    JobExecutor executor(&client, nullptr, nullptr, QStringLiteral("bench"));
    const Statement showJobs = parseScript(QStringLiteral("SHOW JOBS"))->first();

    // The reply bytes, once.
    QByteArray bytes;
    {
        QEventLoop loop;
        client.get(QStringLiteral("/jobs/overview"), [&](const RestResponse &r) {
            bytes = r.body;
            loop.quit();
        });
        loop.exec();
    }
    report("jobs_overview_reply_bytes", static_cast<double>(bytes.size()), "bytes");

    std::vector<double> baseline;
    std::vector<double> toModel;
    std::vector<double> endToEnd;
    std::vector<double> curlTotal;
    std::vector<double> curlWall;
    int rows = 0;
    for (int round = 0; round < Rounds; ++round) {
        QElapsedTimer t;
        t.start();
        const QJsonDocument doc = QJsonDocument::fromJson(bytes);
        baseline.push_back(static_cast<double>(t.nsecsElapsed()) / 1e6);
        if (!doc.isObject())
            return 1;

        JobsResultModel model;
        JobsResultFilter proxy;
        proxy.setSourceModel(&model);
        proxy.sort(3, Qt::DescendingOrder);
        t.restart();
        const QJsonDocument parsed = QJsonDocument::fromJson(bytes);
        auto jobs = decodeJobsOverview(parsed.object());
        if (!jobs)
            return 1;
        model.setResult(jobsOverviewResult(showJobs, jobs.value()));
        rows = proxy.rowCount();
        toModel.push_back(static_cast<double>(t.nsecsElapsed()) / 1e6);

        JobsResultModel e2eModel;
        JobsResultFilter e2eProxy;
        e2eProxy.setSourceModel(&e2eModel);
        e2eProxy.sort(3, Qt::DescendingOrder);
        t.restart();
        QEventLoop loop;
        executor.execute(showJobs, 10000, [&](const StatementResult &r) {
            e2eModel.setResult(r);
            loop.quit();
        });
        loop.exec();
        endToEnd.push_back(static_cast<double>(t.nsecsElapsed()) / 1e6);
        if (e2eProxy.rowCount() != Jobs)
            return 1;

        // The simulator lives on this thread, so the event loop spins while curl runs (our own
        // request above is served the same way: both figures include the simulator's time).
        QProcess curl;
        t.restart();
        curl.start(QStringLiteral("curl"),
                   {QStringLiteral("-s"), QStringLiteral("-o"), QStringLiteral("/dev/null"),
                    QStringLiteral("-w"), QStringLiteral("%{time_total}"), url.toString()});
        QEventLoop curlLoop;
        QObject::connect(&curl, &QProcess::finished, &curlLoop, &QEventLoop::quit);
        QObject::connect(&curl, &QProcess::errorOccurred, &curlLoop, &QEventLoop::quit);
        if (curl.state() != QProcess::NotRunning || curl.waitForStarted(5000))
            curlLoop.exec();
        curlWall.push_back(static_cast<double>(t.nsecsElapsed()) / 1e6);
        curlTotal.push_back(QString::fromLatin1(curl.readAllStandardOutput()).toDouble() * 1000.0);
    }
    if (rows != Jobs)
        return 1;
    const double base = median(baseline);
    const double model = median(toModel);
    const double e2e = median(endToEnd);
    const double curlT = median(curlTotal);
    report("jobs_json_parse_baseline_ms", base, "ms");
    report("jobs_bytes_to_sorted_model_ms", model, "ms");
    report("jobs_bytes_to_model_vs_parse_ratio", model / base, "x");
    report("jobs_bytes_to_model_goal_150ms_met", model <= 150.0 ? 1 : 0, "bool");
    report("jobs_show_jobs_end_to_end_ms", e2e, "ms");
    report("jobs_curl_time_total_ms", curlT, "ms");
    report("jobs_curl_wall_ms", median(curlWall), "ms");
    report("jobs_end_to_end_vs_curl_ratio", curlT > 0 ? e2e / curlT : -1, "x");
    return 0;
}
