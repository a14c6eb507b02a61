// SPDX-License-Identifier: GPL-3.0-or-later
// opsdeck-sandbox --dir DIR [--ready-file FILE] [--flink-jobs N] [--flink-port PORT]
//                 [--no-solr-churn]
//
// Starts a real ZooKeeper server on 127.0.0.1 (the same fixture the tests use), creates the Solr
// chroot /solr with a simulated 6-node SolrCloud in it (SolrClusterSim: mixed node roles, the
// Overseer election, collections, a legacy /roles.json; unless --no-solr-churn, a random
// non-preferred node is killed or stopped every 25 s and restarted 5 s later), makes a
// certificate directory in the Kubernetes layout that rotates every 20 s, served on a loopback TLS
// endpoint that reloads every second rotation, and gives every simulated Solr node a loopback TLS
// listener serving that directory (its live node name carries the real port; node i picks up a
// rotation (i + 1) * 1.5 s after it appears, so a rollout converges node by node; a churned node
// does not listen until it restarts), starts a Flink JobManager REST simulator with N demo jobs
// (default 5) and savepoints under DIR/flink-savepoints,
// writes DIR/profiles.json with a default profile "demo" pointing at them, prints
//   SANDBOX READY config=DIR/profiles.json zookeeper=127.0.0.1:PORT ... flink=http://127.0.0.1:PORT
// (also into FILE when given) and runs until SIGINT or SIGTERM. Then it stops ZooKeeper and exits
// 0. The ZooKeeper child dies with the sandbox even on SIGKILL (PR_SET_PDEATHSIG).
#include "common/profile.h"
#include "common/profilestore.h"
#include "flinksim.h"
#include "solrsim.h"
#include "tlsdemo.h"
#include "tlsnodes.h"
#include "zookeeperserver.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QRandomGenerator>
#include <QSaveFile>
#include <QSocketNotifier>
#include <QTimer>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <fcntl.h>
#include <memory>
#include <unistd.h>

using namespace opsdeck;
using namespace opsdeck::test;

namespace {

int g_signalPipe[2] = {-1, -1};

// Async-signal-safe: one byte into the self-pipe; the event loop does the rest.
void onSignal(int signalNumber)
{
    const int savedErrno = errno;
    const char byte = static_cast<char>(signalNumber);
    [[maybe_unused]] const ssize_t written = ::write(g_signalPipe[1], &byte, 1);
    errno = savedErrno;
}

bool installSignalHandlers()
{
    if (::pipe2(g_signalPipe, O_CLOEXEC | O_NONBLOCK) != 0)
        return false;
    struct sigaction action = {};
    action.sa_handler = onSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    return ::sigaction(SIGINT, &action, nullptr) == 0 &&
           ::sigaction(SIGTERM, &action, nullptr) == 0;
}

constexpr int kDemoSolrNodes = 6;

int fail(const QString &message)
{
    std::fprintf(stderr, "opsdeck-sandbox: %s\n", qPrintable(message));
    return 1;
}

// The demo SolrCloud under the chroot: two dedicated preferred Overseers (data:off; the second
// still hosts a replica, so the data:off finding shows), three default data nodes (the first one
// also named in a legacy /roles.json), one coordinator; collections with replicas, one with
// per-replica state, and the coordinator's synthetic collection. Node i listens on ports[i].
Result<void> startDemoSolr(SolrClusterSim &sim, const QList<quint16> &ports)
{
    if (auto booted = sim.bootstrap(); !booted)
        return booted;
    const QStringList roles = {
        QStringLiteral("overseer:preferred,data:off"),
        QStringLiteral("overseer:preferred,data:off"),
        QString(),
        QString(),
        QString(),
        QStringLiteral("coordinator:on,data:off"),
    };
    if (ports.size() != roles.size())
        return makeError(ErrorCode::Internal, QStringLiteral("one port per Solr node expected"));
    QStringList names;
    for (qsizetype i = 0; i < roles.size(); ++i)
        names << SolrClusterSim::makeNodeName(QStringLiteral("127.0.0.1"), ports.at(i),
                                              QStringLiteral("solr"));
    if (auto written = sim.writeRolesJson({names.at(2)}); !written)
        return written;
    for (qsizetype i = 0; i < roles.size(); ++i) {
        SolrNodeSpec spec;
        spec.port = ports.at(i);
        spec.rolesSpec = roles.at(i);
        if (auto started = sim.startNode(spec); !started)
            return started.error();
    }
    if (auto added = sim.addCollection(QStringLiteral("products"),
                                       {{QStringLiteral("shard1"), {names.at(2), names.at(3)}},
                                        {QStringLiteral("shard2"), {names.at(4), names.at(1)}}});
        !added)
        return added;
    if (auto added = sim.addCollection(
            QStringLiteral("logs"), {{QStringLiteral("shard1"), {names.at(3), names.at(4)}}}, true);
        !added)
        return added;
    return sim.addCollection(QStringLiteral(".sys.COORDINATOR-COLL-_default"),
                             {{QStringLiteral("shard1"), {names.at(5)}}});
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    app.setApplicationName(QStringLiteral("opsdeck-sandbox"));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Runs a real ZooKeeper server, a rotating TLS demo and a Flink REST simulator, and "
        "writes an opsdeck profile for them."));
    parser.addHelpOption();
    const QCommandLineOption dirOption(QStringLiteral("dir"),
                                       QStringLiteral("Directory for profiles.json."),
                                       QStringLiteral("DIR"));
    const QCommandLineOption readyOption(QStringLiteral("ready-file"),
                                         QStringLiteral("Also write the READY line to FILE."),
                                         QStringLiteral("FILE"));
    const QCommandLineOption rotateOption(
        QStringLiteral("rotate-seconds"),
        QStringLiteral("Rotate the demo certificate every N seconds (0: never; default 20)."),
        QStringLiteral("N"), QStringLiteral("20"));
    const QCommandLineOption flinkJobsOption(
        QStringLiteral("flink-jobs"),
        QStringLiteral("Demo jobs in the Flink REST simulator (default 5; up to 100000)."),
        QStringLiteral("N"), QStringLiteral("5"));
    const QCommandLineOption flinkPortOption(
        QStringLiteral("flink-port"),
        QStringLiteral("Port of the Flink REST simulator on 127.0.0.1 (default 0: any free)."),
        QStringLiteral("PORT"), QStringLiteral("0"));
    parser.addOption(dirOption);
    parser.addOption(readyOption);
    parser.addOption(rotateOption);
    parser.addOption(flinkJobsOption);
    const QCommandLineOption noChurnOption(
        QStringLiteral("no-solr-churn"),
        QStringLiteral("Do not kill and restart simulated Solr nodes now and then."));
    parser.addOption(flinkPortOption);
    parser.addOption(noChurnOption);
    parser.process(app);
    bool flinkJobsOk = false;
    const int flinkJobs = parser.value(flinkJobsOption).toInt(&flinkJobsOk);
    if (!flinkJobsOk || flinkJobs < 0 || flinkJobs > 100000)
        return fail(QStringLiteral("--flink-jobs takes a number from 0 to 100000"));
    bool flinkPortOk = false;
    const int flinkPort = parser.value(flinkPortOption).toInt(&flinkPortOk);
    if (!flinkPortOk || flinkPort < 0 || flinkPort > 65535)
        return fail(QStringLiteral("--flink-port takes a port number from 0 to 65535"));
    bool rotateOk = false;
    const int rotateSeconds = parser.value(rotateOption).toInt(&rotateOk);
    if (!rotateOk || rotateSeconds < 0 || rotateSeconds > 86400)
        return fail(QStringLiteral("--rotate-seconds takes a number of seconds from 0 to 86400"));
    if (!parser.isSet(dirOption))
        return fail(QStringLiteral("--dir DIR is required"));

    const QString dir = QDir(parser.value(dirOption)).absolutePath();
    if (!QDir().mkpath(dir))
        return fail(QStringLiteral("cannot create %1").arg(dir));

    // Before anything slow: a signal during startup is queued in the pipe and ends the loop at
    // once.
    if (!installSignalHandlers())
        return fail(QStringLiteral("cannot install signal handlers: %1")
                        .arg(QString::fromLocal8Bit(std::strerror(errno))));
    QSocketNotifier notifier(g_signalPipe[0], QSocketNotifier::Read);
    QObject::connect(&notifier, &QSocketNotifier::activated, &app, [&app] {
        char buffer[16];
        while (::read(g_signalPipe[0], buffer, sizeof buffer) > 0) {
        }
        app.quit();
    });

    ZooKeeperServer server;
    if (auto started = server.start(); !started)
        return fail(started.error().toString());

    {
        ZkClient client;
        auto connected = client.connect(server.connectString(), 10000);
        if (!connected)
            return fail(connected.error().toString());
        auto created = client.ensurePath(QStringLiteral("/solr"));
        if (!created)
            return fail(created.error().toString());
    }

    // A certificate directory in the Kubernetes layout that rotates on a timer, served on a
    // loopback TLS endpoint that reloads only every second rotation: CHANGED, SERVED matching
    // and "not reloaded" all show within a minute.
    TlsDemo tlsDemo;
    TlsDemo::Options tlsOptions;
    tlsOptions.directory = QDir(dir).filePath(QStringLiteral("tls"));
    tlsOptions.rotateIntervalMs = rotateSeconds * 1000;
    if (auto tlsStarted = tlsDemo.start(tlsOptions); !tlsStarted)
        return fail(tlsStarted.error().toString());
    QObject::connect(&tlsDemo, &TlsDemo::failed, &app, [](const QString &message) {
        std::fprintf(stderr, "opsdeck-sandbox: tls demo: %s\n", qPrintable(message));
    });

    // One loopback TLS listener per simulated Solr node, serving the same directory; node i picks
    // up a rotation (i + 1) * 1.5 s after it appears (found by polling, or told by the demo), so
    // a fleet-wide probe watches the rollout converge node by node.
    TlsNodeFleet solrTls;
    if (auto fleetStarted = solrTls.start(tlsDemo.directory(), kDemoSolrNodes); !fleetStarted)
        return fail(QStringLiteral("solr tls: %1").arg(fleetStarted.error().toString()));
    QObject::connect(&tlsDemo, &TlsDemo::rotated, &solrTls, &TlsNodeFleet::bundleChanged);
    QObject::connect(&solrTls, &TlsNodeFleet::reloadFailed, &app,
                     [](int index, const QString &message) {
                         std::fprintf(stderr, "opsdeck-sandbox: solr node %d tls reload: %s\n",
                                      index, qPrintable(message));
                     });
    QList<quint16> solrPorts;
    for (int i = 0; i < solrTls.count(); ++i)
        solrPorts << solrTls.port(i);

    // A simulated SolrCloud in the chroot; in demo mode a data node or the coordinator is killed
    // or stopped every 25 s and restarted 5 s later, so the election view moves.
    auto solr = std::make_unique<SolrClusterSim>(server.connectString() + QStringLiteral("/solr"));
    if (auto started = startDemoSolr(*solr, solrPorts); !started)
        return fail(QStringLiteral("solr simulator: %1").arg(started.error().toString()));
    QTimer churn;
    churn.setInterval(25000);
    QObject::connect(&churn, &QTimer::timeout, &app, [&solr, &solrTls, &app] {
        QList<int> candidates;
        for (int i = 2; i < solr->nodeCount(); ++i) {
            if (solr->isRunning(i))
                candidates << i;
        }
        if (candidates.isEmpty())
            return;
        const int victim =
            candidates.at(int(QRandomGenerator::global()->bounded(qint64(candidates.size()))));
        if (QRandomGenerator::global()->bounded(2) == 0)
            solr->killNode(victim);
        else
            solr->stopNode(victim);
        solrTls.stopNode(victim); // a dead node does not listen either
        QTimer::singleShot(5000, &app, [&solr, &solrTls, victim] {
            if (solr && !solr->isRunning(victim)) {
                // Listening again (on the same port, with the bundle as it is now) before the
                // live node reappears, as a real node does.
                if (auto listening = solrTls.restartNode(victim); !listening)
                    std::fprintf(stderr, "opsdeck-sandbox: solr node tls restart: %s\n",
                                 qPrintable(listening.error().toString()));
                if (auto restarted = solr->restartNode(victim); !restarted)
                    std::fprintf(stderr, "opsdeck-sandbox: solr node restart: %s\n",
                                 qPrintable(restarted.error().toString()));
            }
        });
    });
    if (!parser.isSet(noChurnOption))
        churn.start();

    // A Flink JobManager REST simulator: running, finished, cancelled, failed and batch jobs.
    FlinkSimOptions flinkOptions;
    flinkOptions.jobCount = flinkJobs;
    flinkOptions.clusterSavepointDir = QDir(dir).filePath(QStringLiteral("flink-savepoints"));
    if (!QDir().mkpath(flinkOptions.clusterSavepointDir))
        return fail(QStringLiteral("cannot create %1").arg(flinkOptions.clusterSavepointDir));
    FlinkSimulator flink(flinkOptions);
    if (QString flinkError; !flink.listen(quint16(flinkPort), &flinkError))
        return fail(flinkError);
    const QString flinkUrl = flink.baseUrl().toString();

    const QString configPath = QDir(dir).filePath(QStringLiteral("profiles.json"));
    ProfileSet set;
    set.path = configPath;
    Profile demo;
    demo.name = QStringLiteral("demo");
    demo.zookeeper.connectString = server.connectString() + QStringLiteral("/solr");
    demo.rest.url = flinkUrl;
    BundleConfig bundle;
    bundle.path = tlsDemo.directory();
    bundle.expectedHostname = tlsOptions.hostName;
    bundle.probeEndpoint = tlsDemo.endpoint();
    demo.bundles << bundle;
    set.profiles << demo;
    set.defaultProfile = demo.name;
    if (auto saved = ProfileStore::save(set, configPath); !saved)
        return fail(saved.error().toString());

    // (tests/integration/tst_sandbox matches this line exactly: a new field needs it updated.)
    const QString ready =
        QStringLiteral("SANDBOX READY config=%1 zookeeper=%2 tls=%3 tlsdir=%4 flink=%5")
            .arg(configPath, server.connectString(), tlsDemo.endpoint(), tlsDemo.directory(),
                 flinkUrl);
    std::printf("%s\n", qPrintable(ready));
    std::fflush(stdout);
    if (parser.isSet(readyOption)) {
        QSaveFile file(parser.value(readyOption));
        if (!file.open(QIODevice::WriteOnly) || file.write(ready.toUtf8() + '\n') < 0 ||
            !file.commit())
            return fail(QStringLiteral("cannot write %1").arg(parser.value(readyOption)));
    }

    app.exec();
    churn.stop();
    solr.reset(); // the simulated nodes close their sessions while ZooKeeper still runs
    std::fprintf(stderr, "opsdeck-sandbox: stopping ZooKeeper\n");
    server.stop();
    return 0;
}
