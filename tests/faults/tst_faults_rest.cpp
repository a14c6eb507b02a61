// SPDX-License-Identifier: GPL-3.0-or-later
// Fault injection on the Flink REST path, made by the harness only: a misbehaving proxy
// (faultproxy.h) in front of the Flink simulator, or a port nobody listens on. Every fault is run
// headless (the real `opsdeck jobs` binary, JSON output, exit code, bounded time) and in the GUI
// (JobsController + JobsPanel in-process on the offscreen platform: what the user is shown, and
// the longest event-loop stall measured by StallMeter). Mutating statements (STOP JOB ... WITH
// SAVEPOINT, CREATE SAVEPOINT, DROP SAVEPOINT) under a reset, a 503 and a server that never
// answers must reach the server exactly once, and leave exactly one audit line (audit.jsonl and
// the history database) and one ledger entry with an outcome that matches what the cluster did.
#include "common/activitylog.h"
#include "common/historystore.h"
#include "faultproxy.h"
#include "flinksim.h"
#include "jobs/statement.h"
#include "jobscontroller.h"
#include "jobspanel.h"
#include "jobsresultmodel.h"
#include "opsdeckprocess.h"
#include "stallmeter.h"
#include "testmain.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QCheckBox>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QTemporaryDir>
#include <memory>
#include <sys/resource.h>

using namespace opsdeck;
using namespace opsdeck::jobs;
using namespace opsdeck::test;

namespace {

constexpr int ConnectTimeoutMs = 1000;
// Longer than the proxy's one byte per second, so only the overall deadline (connect + read
// timeout) can end a trickled answer.
constexpr int ReadTimeoutMs = 1500;
// The GUI thread must keep turning while the network misbehaves. Measured here at a few ms to a
// few tens of ms per fault (see the qInfo lines); 250 ms leaves room for a loaded CI machine and
// is still far below anything a user would notice as a hang.
constexpr qint64 StallBoundMs = 250;
// The 100 MB body: the proxy thread streaming it and Qt's network thread draining it compete with
// the GUI thread for this machine's two cores; measured 11-392 ms (most runs under 25 ms, the
// long ones with a load average of 6-16 from other builds), so the bound is wider there.
constexpr qint64 HugeBodyStallBoundMs = 500;
constexpr int GuiAnswerMs = 30000;
const char TokenVariable[] = "OPSDECK_FAULTS_REST_TOKEN";
const QByteArray TokenValue = "fault-token-5d1c0e9a77b4";
constexpr qint64 MiB = 1024 * 1024;

enum class Fault
{
    Refused,
    ResetMidBody,
    NeverAnswer,
    Trickle,
    Unavailable,
    HugeBody,
    TlsStall,
    CloseWithoutAnswer, // the request is forwarded, then the connection closes: no status line
};

QString faultName(Fault f)
{
    switch (f) {
    case Fault::Refused:
        return QStringLiteral("refused");
    case Fault::ResetMidBody:
        return QStringLiteral("reset_mid_body");
    case Fault::NeverAnswer:
        return QStringLiteral("never_answers");
    case Fault::Trickle:
        return QStringLiteral("trickle");
    case Fault::Unavailable:
        return QStringLiteral("503");
    case Fault::HugeBody:
        return QStringLiteral("100MB_body");
    case Fault::TlsStall:
        return QStringLiteral("tls_stall");
    case Fault::CloseWithoutAnswer:
        return QStringLiteral("close_without_answer");
    }
    return {};
}

// What a statement ended with, read from either front end.
struct Outcome
{
    QString status; // ok, failed, in_progress, not_executed
    QString kind;   // error kind, empty without an error
    int httpStatus = 0;
    QString message;
    QString triggerId;
    QJsonArray rows;
    int exitCode = -1;    // headless only
    qint64 elapsedMs = 0; // until the answer
    qint64 stallMs = -1;  // GUI only
    QString shown;        // everything a person sees: stdout + stderr, or the status line
};

QString canonicalOf(const QString &statement)
{
    const auto parsed = parseScript(statement);
    return parsed && !parsed.value().isEmpty() ? parsed.value().first().canonicalText() : QString();
}

QList<QJsonObject> jsonLines(const QByteArray &text)
{
    QList<QJsonObject> out;
    for (const QByteArray &line : text.split('\n')) {
        if (!line.trimmed().isEmpty())
            out << QJsonDocument::fromJson(line).object();
    }
    return out;
}

QList<QJsonObject> auditLinesFor(const QString &path, const QString &statement)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    QList<QJsonObject> out;
    for (const QJsonObject &o : jsonLines(f.readAll())) {
        if (o.value(QLatin1String("statement")).toString() == statement)
            out << o;
    }
    return out;
}

QList<AuditRecord> auditRowsFor(const HistoryStore &history, const QString &statement)
{
    QList<AuditRecord> out;
    const auto rows = history.auditRecords(1000);
    if (!rows)
        return out;
    for (const AuditRecord &r : rows.value()) {
        if (r.statement == statement)
            out << r;
    }
    return out;
}

// VmHWM of this process in KiB (the peak resident set since start or the last reset).
qint64 peakRssKib()
{
    QFile f(QStringLiteral("/proc/self/status"));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : f.readAll().split('\n')) {
        if (line.startsWith("VmHWM:"))
            return line.mid(6).trimmed().split(' ').first().toLongLong();
    }
    return -1;
}

qint64 currentRssKib()
{
    QFile f(QStringLiteral("/proc/self/status"));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : f.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').first().toLongLong();
    }
    return -1;
}

// Resets VmHWM to the current RSS (Linux >= 4.0); false when the kernel refuses.
bool resetPeakRss()
{
    QFile f(QStringLiteral("/proc/self/clear_refs"));
    return f.open(QIODevice::WriteOnly) && f.write("5") == 1;
}

// One test's world: a home directory, the simulator with one running job, the proxy in front.
struct World
{
    QTemporaryDir home;
    FlinkSimulator sim;
    FaultProxy proxy;
    QString job;
    // GUI side
    HistoryStore history;
    ActivityLog log;
    std::unique_ptr<JobsController> controller;
    std::unique_ptr<JobsPanel> panel;
    std::unique_ptr<QAbstractItemModelTester> tester;
    QString guiUrl;
    int readTimeoutMs = ReadTimeoutMs;

    World()
        : sim(simOptions(home.path()))
        , proxy(QUrl())
    {}

    static FlinkSimOptions simOptions(const QString &dir)
    {
        FlinkSimOptions o;
        o.jobCount = 0;
        o.asyncLatencyMs = 100;
        o.clusterSavepointDir = dir + QStringLiteral("/cluster-savepoints");
        return o;
    }

    bool start()
    {
        if (!home.isValid() || !sim.listen())
            return false;
        proxy.setUpstream(sim.baseUrl());
        if (!proxy.startListening())
            return false;
        job = sim.addJob(QStringLiteral("orders-enrichment"));
        return true;
    }

    QString cliAuditPath() const
    {
        return home.filePath(QStringLiteral("data/opsdeck/audit.jsonl"));
    }
    QString cliHistoryPath() const
    {
        return home.filePath(QStringLiteral("data/opsdeck/history.sqlite"));
    }
    QString guiAuditPath() const { return home.filePath(QStringLiteral("gui-audit.jsonl")); }

    // The real binary, as a script runs it.
    Outcome cli(const QString &statement, const QString &url)
    {
        QProcessEnvironment env;
        env.insert(QStringLiteral("HOME"), home.path());
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), home.filePath(QStringLiteral("config")));
        env.insert(QStringLiteral("XDG_DATA_HOME"), home.filePath(QStringLiteral("data")));
        env.insert(QString::fromLatin1(TokenVariable), QString::fromLatin1(TokenValue));
        const QStringList args{QStringLiteral("jobs"),
                               QStringLiteral("--endpoint"),
                               url,
                               QStringLiteral("--connect-timeout"),
                               QString::number(ConnectTimeoutMs),
                               QStringLiteral("--read-timeout"),
                               QString::number(readTimeoutMs),
                               QStringLiteral("--token"),
                               QStringLiteral("env:") + QLatin1String(TokenVariable),
                               QStringLiteral("--yes"),
                               QStringLiteral("--wait"),
                               QStringLiteral("20"),
                               QStringLiteral("--format"),
                               QStringLiteral("json"),
                               QStringLiteral("-e"),
                               statement};
        QElapsedTimer clock;
        clock.start();
        const OpsdeckRun run = runOpsdeck(args, env, 60000);
        Outcome o;
        o.elapsedMs = clock.elapsed();
        o.exitCode = run.exitCode;
        o.shown = run.out + run.err;
        const QList<QJsonObject> lines = jsonLines(run.out.toUtf8());
        if (lines.isEmpty())
            return o;
        const QJsonObject j = lines.first();
        o.status = j.value(QLatin1String("status")).toString();
        o.triggerId = j.value(QLatin1String("trigger_id")).toString();
        o.rows = j.value(QLatin1String("rows")).toArray();
        const QJsonObject e = j.value(QLatin1String("error")).toObject();
        o.kind = e.value(QLatin1String("kind")).toString();
        o.httpStatus = e.value(QLatin1String("http_status")).toInt();
        o.message = e.value(QLatin1String("message")).toString();
        return o;
    }

    // The Jobs panel of the console, in-process, pointed at `url`.
    bool ensureGui(const QString &url)
    {
        if (controller && guiUrl == url)
            return true;
        if (!history.isOpen() && !history.open(home.filePath(QStringLiteral("gui-history.sqlite"))))
            return false;
        panel.reset();
        tester.reset();
        JobsController::Options options;
        options.auditPath = guiAuditPath();
        options.pollFirstMs = 20;
        options.pollMaxMs = 100;
        controller = std::make_unique<JobsController>(options, &log, &history);
        Profile profile;
        profile.name = QStringLiteral("faults");
        profile.rest.url = url;
        profile.rest.connectTimeoutMs = ConnectTimeoutMs;
        profile.rest.readTimeoutMs = readTimeoutMs;
        profile.rest.token = SecretRef::fromEnv(QString::fromLatin1(TokenVariable));
        controller->setProfile(profile);
        if (!controller->executor())
            return false;
        panel = std::make_unique<JobsPanel>(controller.get());
        // No periodic SHOW JOBS: every request the proxy counts is one the test asked for.
        panel->autoRefreshBox()->setChecked(false);
        panel->setWaitMs(20000);
        panel->setConfirmHandler(
            [](const QString &, std::function<void(bool)> answer) { answer(true); });
        tester = std::make_unique<QAbstractItemModelTester>(
            panel->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        panel->show();
        guiUrl = url;
        return true;
    }

    Outcome gui(const QString &statement, const QString &url)
    {
        Outcome o;
        if (!ensureGui(url))
            return o;
        StallMeter meter;
        QSignalSpy finished(panel.get(), &JobsPanel::scriptFinished);
        meter.start();
        QElapsedTimer clock;
        clock.start();
        panel->runScript(statement);
        // Bounded: a panel that never answers fails the caller's checks with status "".
        if (finished.isEmpty() && !finished.wait(GuiAnswerMs))
            return o;
        o.elapsedMs = clock.elapsed();
        o.stallMs = meter.longestStallMs();
        meter.stop();
        o.status = panel->lastStatus();
        o.shown = panel->statusText();
        const StatementResult &r = panel->model()->result();
        if (r.statement.canonicalText() == canonicalOf(statement)) {
            o.triggerId = r.triggerId;
            for (const QVariantList &row : r.rows) {
                QJsonArray a;
                for (const QVariant &v : row)
                    a.append(v.toString());
                o.rows.append(a);
            }
            if (r.error) {
                o.kind = r.error->kind;
                o.httpStatus = r.error->httpStatus;
                o.message = r.error->message;
            }
        }
        return o;
    }

    Outcome runIn(const QString &mode, const QString &statement, const QString &url)
    {
        return mode == QLatin1String("cli") ? cli(statement, url) : gui(statement, url);
    }

    void applyFault(Fault fault, const QByteArray &method, const QString &pathPart)
    {
        switch (fault) {
        case Fault::ResetMidBody:
            proxy.setFault(ProxyFault::ResetMidBody, method, pathPart);
            break;
        case Fault::NeverAnswer:
            proxy.setFault(ProxyFault::NeverAnswer, method, pathPart);
            break;
        case Fault::Trickle:
            proxy.setFault(ProxyFault::Trickle, method, pathPart);
            break;
        case Fault::Unavailable:
            proxy.setFault(ProxyFault::ServiceUnavailable, method, pathPart);
            break;
        case Fault::HugeBody:
            proxy.setFault(ProxyFault::HugeBody, method, pathPart);
            break;
        case Fault::TlsStall:
            proxy.setSilentAccept(true);
            break;
        case Fault::CloseWithoutAnswer:
            proxy.setFault(ProxyFault::CloseWithoutAnswer, method, pathPart);
            break;
        case Fault::Refused:
            break;
        }
    }

    QString urlFor(Fault fault) const
    {
        if (fault == Fault::Refused)
            return QStringLiteral("http://127.0.0.1:%1").arg(FaultProxy::closedPort());
        if (fault == Fault::TlsStall)
            return proxy.url(QStringLiteral("https")).toString();
        return proxy.url().toString();
    }
};

} // namespace

Q_DECLARE_METATYPE(Fault)

class TestFaultsRest : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        qputenv(TokenVariable, TokenValue);
        QVERIFY2(QFile::exists(opsdeckBinary()), qPrintable(opsdeckBinary()));
    }

    // ---- transport faults on a read (SHOW JOBS), headless and in the GUI ----

    void readFaults_data()
    {
        QTest::addColumn<QString>("mode");
        QTest::addColumn<Fault>("fault");
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("status");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<qint64>("maxMs"); // time to the error
        for (const QString &mode : {QStringLiteral("cli"), QStringLiteral("gui")}) {
            const auto row = [&](Fault f, const char *kind, const char *status, int exit,
                                 qint64 maxMs) {
                QTest::addRow("%s/%s", qPrintable(mode), qPrintable(faultName(f)))
                    << mode << f << QString::fromLatin1(kind) << QString::fromLatin1(status) << exit
                    << maxMs;
            };
            // Bounds: the configured timeouts (connect 1 s, read 1.5 s) plus process start-up and
            // slack for a loaded machine; the trickle must end at the overall deadline (2.5 s),
            // not after the ~400 s the body would take at one byte per second.
            row(Fault::Refused, "connection_refused", "not_executed", 3, 5000);
            row(Fault::ResetMidBody, "truncated", "failed", 2, 5000);
            row(Fault::NeverAnswer, "timeout", "failed", 2, 6000);
            row(Fault::Trickle, "timeout", "failed", 2, 8000);
            row(Fault::Unavailable, "server_error", "failed", 2, 5000);
            row(Fault::HugeBody, "too_large", "failed", 2, 15000);
            row(Fault::TlsStall, "timeout", "not_executed", 3, 6000);
        }
    }

    void readFaults()
    {
        QFETCH(QString, mode);
        QFETCH(Fault, fault);
        QFETCH(QString, kind);
        QFETCH(QString, status);
        QFETCH(int, exitCode);
        QFETCH(qint64, maxMs);

        World w;
        QVERIFY(w.start());
        // 64 MiB must be able to arrive before the overall deadline on a loaded machine.
        if (fault == Fault::HugeBody)
            w.readTimeoutMs = 20000;
        w.applyFault(fault, "GET", QStringLiteral("/jobs/overview"));
        const QString url = w.urlFor(fault);
        const QString endpoint = url;

        const bool huge = fault == Fault::HugeBody;
        const bool peakReset = huge && mode == QLatin1String("gui") && resetPeakRss();
        const qint64 rssBefore = currentRssKib();
        if (huge && mode == QLatin1String("gui"))
            QVERIFY(w.ensureGui(url)); // built before the measurement starts

        const Outcome o = w.runIn(mode, QStringLiteral("SHOW JOBS"), url);
        qInfo("%s %s: %s %s after %lld ms, longest GUI stall %lld ms", qPrintable(mode),
              qPrintable(faultName(fault)), qPrintable(o.status), qPrintable(o.kind), o.elapsedMs,
              o.stallMs);

        QVERIFY2(o.status == status, qPrintable(o.status + QStringLiteral(" | ") + o.shown));
        QVERIFY2(o.kind == kind, qPrintable(o.kind + QStringLiteral(" | ") + o.shown));
        QVERIFY2(o.elapsedMs <= maxMs, qPrintable(QString::number(o.elapsedMs)));
        // The error names the endpoint (scheme, host and port) and never the token.
        if (fault != Fault::Unavailable)
            QVERIFY2(o.message.contains(endpoint), qPrintable(o.message));
        QVERIFY2(o.shown.contains(o.kind), qPrintable(o.shown));
        QVERIFY(!o.shown.contains(QString::fromLatin1(TokenValue)));
        if (mode == QLatin1String("cli")) {
            QCOMPARE(o.exitCode, exitCode);
        } else {
            QVERIFY2(o.stallMs >= 0 && o.stallMs <= (huge ? HugeBodyStallBoundMs : StallBoundMs),
                     qPrintable(QString::number(o.stallMs)));
            QVERIFY2(o.shown.contains(endpoint) || fault == Fault::Unavailable,
                     qPrintable(o.shown));
        }

        // A read may be retried only where the product says so; it says nothing is retried.
        switch (fault) {
        case Fault::Refused:
            break;
        case Fault::TlsStall:
            QCOMPARE(w.proxy.connectionsAccepted(), 1);
            QCOMPARE(w.proxy.requestCount({}), 0);
            QVERIFY2(o.message.contains(QLatin1String("1000 ms")), qPrintable(o.message));
            break;
        default:
            QCOMPARE(w.proxy.requestCount("GET", QStringLiteral("/jobs/overview")), 1);
            break;
        }
        if (fault == Fault::Unavailable) {
            QCOMPARE(o.httpStatus, 503);
            // Flink's errors[] first line, Java prefix stripped.
            QVERIFY2(o.message.startsWith(QLatin1String("Service temporarily unavailable")),
                     qPrintable(o.message));
        }
        if (fault == Fault::NeverAnswer || fault == Fault::Trickle)
            QVERIFY2(o.message.contains(QLatin1String("no complete reply")), qPrintable(o.message));
        if (fault == Fault::Trickle)
            QVERIFY2(o.message.contains(QLatin1String("2500 ms, the limit for a whole request")),
                     qPrintable(o.message));
        if (huge) {
            // Refused at the documented cap (RestClient::DefaultMaxBodyBytes, 64 MiB).
            QVERIFY2(o.message.contains(QLatin1String("64 MiB")), qPrintable(o.message));
            const qint64 written = w.proxy.hugeBytesWritten();
            qInfo("%s 100MB body: %lld MiB written before the client quit", qPrintable(mode),
                  written / MiB);
            // Not asserted: Qt's network thread keeps draining the socket until the abort from the
            // client's thread reaches it, so on a loaded machine the whole 100 MiB may have been
            // read (and dropped) by then (measured 69-100 MiB). What must stay bounded is the
            // memory, below.
            if (mode == QLatin1String("cli")) {
                rusage after{};
                getrusage(RUSAGE_CHILDREN, &after);
                // ru_maxrss of the children is the largest peak of any child reaped so far: an
                // upper bound for this one.
                qInfo("cli 100MB body: peak RSS of the opsdeck process <= %ld MiB",
                      after.ru_maxrss / 1024);
                QVERIFY2(after.ru_maxrss < 160 * 1024,
                         qPrintable(QString::number(after.ru_maxrss)));
            } else if (peakReset) {
                const qint64 grew = peakRssKib() - rssBefore;
                qInfo("gui 100MB body: peak RSS grew by %lld MiB", grew / 1024);
                QVERIFY2(grew < 100 * 1024, qPrintable(QString::number(grew)));
            } else {
                qInfo("gui 100MB body: /proc/self/clear_refs refused, peak RSS not measured");
            }
        }
    }

    // ---- 5xx bursts: each statement asks once; the answer after the burst is served ----

    void burstOf503ThenOk_data()
    {
        QTest::addColumn<QString>("mode");
        QTest::newRow("cli") << QStringLiteral("cli");
        QTest::newRow("gui") << QStringLiteral("gui");
    }

    void burstOf503ThenOk()
    {
        QFETCH(QString, mode);
        World w;
        QVERIFY(w.start());
        w.proxy.setFault(ProxyFault::ServiceUnavailable, "GET", QStringLiteral("/jobs/overview"),
                         2);
        const QString url = w.proxy.url().toString();
        for (int i = 1; i <= 2; ++i) {
            const Outcome o = w.runIn(mode, QStringLiteral("SHOW JOBS"), url);
            QCOMPARE(o.status, QStringLiteral("failed"));
            QCOMPARE(o.kind, QStringLiteral("server_error"));
            QCOMPARE(o.httpStatus, 503);
            if (mode == QLatin1String("cli"))
                QCOMPARE(o.exitCode, 2);
            else
                QVERIFY2(o.stallMs <= StallBoundMs, qPrintable(QString::number(o.stallMs)));
            // One request per statement: nothing retried the GET behind the user's back.
            QCOMPARE(w.proxy.requestCount("GET", QStringLiteral("/jobs/overview")), i);
        }
        const Outcome ok = w.runIn(mode, QStringLiteral("SHOW JOBS"), url);
        QCOMPARE(ok.status, QStringLiteral("ok"));
        QCOMPARE(ok.rows.size(), 1);
        QCOMPARE(ok.rows.first().toArray().first().toString(), w.job);
        QCOMPARE(w.proxy.requestCount("GET", QStringLiteral("/jobs/overview")), 3);
        if (mode == QLatin1String("cli"))
            QCOMPARE(ok.exitCode, 0);
    }

    // ---- non-idempotent statements are never repeated; audit and ledger stay exact ----

    void mutatingNeverRetried_data()
    {
        QTest::addColumn<QString>("mode");
        QTest::addColumn<QString>("what"); // stop, create, drop
        QTest::addColumn<Fault>("fault");
        for (const QString &mode : {QStringLiteral("cli"), QStringLiteral("gui")}) {
            for (const QString &what :
                 {QStringLiteral("stop"), QStringLiteral("create"), QStringLiteral("drop")}) {
                for (Fault f : {Fault::ResetMidBody, Fault::Unavailable, Fault::NeverAnswer,
                                Fault::CloseWithoutAnswer})
                    QTest::addRow("%s/%s/%s", qPrintable(mode), qPrintable(what),
                                  qPrintable(faultName(f)))
                        << mode << what << f;
            }
        }
    }

    void mutatingNeverRetried()
    {
        QFETCH(QString, mode);
        QFETCH(QString, what);
        QFETCH(Fault, fault);
        const bool cli = mode == QLatin1String("cli");

        World w;
        QVERIFY(w.start());
        const QString url = w.proxy.url().toString();

        // DROP needs a savepoint in the ledger: take one through the proxy, no fault yet.
        QString savepointPath;
        if (what == QLatin1String("drop")) {
            const Outcome taken =
                w.runIn(mode, QStringLiteral("CREATE SAVEPOINT FOR JOB '%1'").arg(w.job), url);
            QCOMPARE(taken.status, QStringLiteral("ok"));
            QVERIFY(!taken.rows.isEmpty());
            savepointPath = taken.rows.first().toArray().first().toString();
            QVERIFY2(savepointPath.contains(QLatin1String("savepoint-")),
                     qPrintable(savepointPath));
        }
        const int startedBefore = w.sim.savepointsStarted(w.job);

        QString statement;
        QString postPath;
        if (what == QLatin1String("stop")) {
            statement = QStringLiteral("STOP JOB '%1' WITH SAVEPOINT").arg(w.job);
            postPath = QStringLiteral("/jobs/%1/stop").arg(w.job);
        } else if (what == QLatin1String("create")) {
            statement = QStringLiteral("CREATE SAVEPOINT FOR JOB '%1'").arg(w.job);
            postPath = QStringLiteral("/jobs/%1/savepoints").arg(w.job);
        } else {
            statement = QStringLiteral("DROP SAVEPOINT '%1'").arg(savepointPath);
            postPath = QStringLiteral("/savepoint-disposal");
        }
        const QString canonical = canonicalOf(statement);
        const int postsBefore = w.proxy.requestCount("POST", postPath);
        w.applyFault(fault, "POST", postPath);

        const Outcome o = w.runIn(mode, statement, url);
        qInfo("%s %s under %s: %s %s after %lld ms, longest GUI stall %lld ms", qPrintable(mode),
              qPrintable(what), qPrintable(faultName(fault)), qPrintable(o.status),
              qPrintable(o.kind), o.elapsedMs, o.stallMs);
        QVERIFY2(!o.status.isEmpty(), qPrintable(o.shown));
        QVERIFY(!o.shown.contains(QString::fromLatin1(TokenValue)));
        if (!cli)
            QVERIFY2(o.stallMs >= 0 && o.stallMs <= StallBoundMs,
                     qPrintable(QString::number(o.stallMs)));

        // Exactly one POST reached the server, whatever went wrong, and nothing sent it again
        // later (the follow-up polls are GETs).
        QCOMPARE(w.proxy.requestCount("POST", postPath) - postsBefore, 1);
        w.proxy.clearFault();

        // What the cluster really did.
        // The proxy forwarded it (and then lost the answer) or kept it to itself.
        const bool reached = fault == Fault::ResetMidBody || fault == Fault::CloseWithoutAnswer;
        const int started = w.sim.savepointsStarted(w.job) - startedBefore;
        if (what != QLatin1String("drop"))
            QCOMPARE(started, reached ? 1 : 0);

        // The audit trail: one line for the statement, in the file and in the database, with the
        // same outcome, never "ok" unless the cluster really did it.
        const QString auditPath = cli ? w.cliAuditPath() : w.guiAuditPath();
        const QList<QJsonObject> lines = auditLinesFor(auditPath, canonical);
        QCOMPARE(lines.size(), 1);
        const QString outcome = lines.first().value(QLatin1String("outcome")).toString();
        HistoryStore cliHistory;
        if (cli)
            QVERIFY(cliHistory.open(w.cliHistoryPath()));
        const HistoryStore &history = cli ? cliHistory : w.history;
        const QList<AuditRecord> rows = auditRowsFor(history, canonical);
        QCOMPARE(rows.size(), 1);
        QCOMPARE(rows.first().outcome, outcome);
        QVERIFY(!outcome.contains(QString::fromLatin1(TokenValue)));
        qInfo("  audit outcome: %s", qPrintable(outcome));

        // The savepoint ledger.
        const auto ledger = history.savepoints(w.job);
        QVERIFY(ledger);
        if (what == QLatin1String("drop")) {
            // The one savepoint taken before; never marked disposed without Flink's word, and
            // when the answer was lost the ledger says the disposal's outcome is unknown.
            QCOMPARE(ledger.value().size(), 1);
            const SavepointLedgerEntry &e = ledger.value().first();
            QCOMPARE(e.location, savepointPath);
            QVERIFY2(e.state == QLatin1String("completed"), qPrintable(e.state));
            QVERIFY(!outcome.startsWith(QLatin1String("ok")));
            QCOMPARE(o.status, QStringLiteral("failed"));
            if (fault == Fault::Unavailable) {
                QVERIFY2(e.failure.contains(QLatin1String("refused")), qPrintable(e.failure));
                QVERIFY(w.sim.disposedPaths().isEmpty());
            } else {
                QVERIFY2(e.failure.contains(QLatin1String("unknown")), qPrintable(e.failure));
                QVERIFY2(!e.failure.contains(QLatin1String("refused")), qPrintable(e.failure));
            }
            if (cli)
                QCOMPARE(o.exitCode, 2);
            return;
        }
        QCOMPARE(ledger.value().size(), 1);
        const SavepointLedgerEntry &e = ledger.value().first();
        qInfo("  ledger: %s %s", qPrintable(e.state), qPrintable(e.failure));
        switch (fault) {
        case Fault::ResetMidBody:
        case Fault::CloseWithoutAnswer:
            // The cluster got it (for the reset, its 202 even arrived): the trigger is followed
            // to its real end instead of being written off as failed or sent again.
            QCOMPARE(e.state, QStringLiteral("completed"));
            QVERIFY2(!e.location.isEmpty(), qPrintable(e.failure));
            QVERIFY2(outcome.startsWith(QLatin1String("ok")), qPrintable(outcome));
            QCOMPARE(o.status, QStringLiteral("ok"));
            break;
        case Fault::Unavailable:
            QCOMPARE(e.state, QStringLiteral("failed"));
            QVERIFY2(e.failure.contains(QLatin1String("Service temporarily unavailable")),
                     qPrintable(e.failure));
            QVERIFY2(outcome.startsWith(QLatin1String("failed")), qPrintable(outcome));
            QCOMPARE(o.status, QStringLiteral("failed"));
            QCOMPARE(o.httpStatus, 503);
            if (cli)
                QCOMPARE(o.exitCode, 2);
            break;
        case Fault::NeverAnswer:
            // Sent, never answered, never seen by the cluster: unknown, not completed, not
            // silently "failed" either (it might have started).
            QCOMPARE(e.state, QStringLiteral("unknown"));
            QVERIFY2(!outcome.startsWith(QLatin1String("ok")), qPrintable(outcome));
            QVERIFY2(outcome.contains(QLatin1String("unknown")), qPrintable(outcome));
            QVERIFY(e.location.isEmpty());
            break;
        default:
            QFAIL("unexpected fault");
        }
        if (cli && reached)
            QCOMPARE(o.exitCode, 0);
        if (cli && fault == Fault::NeverAnswer) {
            // What the product documents for an outcome it cannot know: in_progress with the
            // trigger id and exit 0, the error kind saying result_unknown.
            QCOMPARE(o.status, QStringLiteral("in_progress"));
            QCOMPARE(o.kind, QStringLiteral("result_unknown"));
            QCOMPARE(o.exitCode, 0);
        }
    }
};

OPSDECK_TEST_GUI_MAIN(TestFaultsRest)
#include "tst_faults_rest.moc"
