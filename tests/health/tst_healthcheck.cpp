// SPDX-License-Identifier: GPL-3.0-or-later
// `opsdeck check` end to end on the sandbox pieces: a real ZooKeeper with a Solr-shaped cluster
// whose nodes serve a real certificate bundle over loopback TLS (TlsNodeFleet), the Flink REST
// simulator, and real rotations of a Kubernetes-layout bundle. Each check's states and exit codes
// through the built binary, a rollout converging node by node, a node that hangs the handshake,
// one listed live but unreachable, Prometheus through promtool and node_exporter, Nagios parsed
// back.

#include "common/historystore.h"
#include "common/profilestore.h"
#include "flinksim.h"
#include "health/fleet.h"
#include "health/healthchecker.h"
#include "opsdeckprocess.h"
#include "solrsim.h"
#include "testmain.h"
#include "tls/bundlemonitor.h"
#include "tlsdemo.h"
#include "tlsnodes.h"
#include "zookeeperserver.h"

#include <QJsonArray>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QRegularExpression>
#include <QTcpServer>
#include <QTemporaryDir>

using namespace opsdeck;
using namespace opsdeck::test;

namespace {

constexpr int kNodes = 3;

QJsonObject checkOf(const QJsonObject &report, const QString &code, const QString &subject = {})
{
    for (const QJsonValue &v : report.value(QStringLiteral("checks")).toArray()) {
        const QJsonObject c = v.toObject();
        if (c.value(QStringLiteral("code")).toString() == code &&
            (subject.isEmpty() || c.value(QStringLiteral("subject")).toString() == subject))
            return c;
    }
    return {};
}

QString moduleState(const QJsonObject &report, const QString &module)
{
    for (const QJsonValue &v : report.value(QStringLiteral("modules")).toArray()) {
        if (v.toObject().value(QStringLiteral("module")).toString() == module)
            return v.toObject().value(QStringLiteral("state")).toString();
    }
    return QStringLiteral("<absent>");
}

quint16 closedPort()
{
    QTcpServer s;
    s.listen(QHostAddress::LocalHost, 0);
    return s.serverPort(); // closed again when s goes
}

} // namespace

class TestHealthCheck : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<ZooKeeperServer> m_zk;
    std::unique_ptr<SolrClusterSim> m_solr;
    std::unique_ptr<TlsDemo> m_bundle;
    std::unique_ptr<TlsNodeFleet> m_fleet;
    std::unique_ptr<FlinkSimulator> m_flink;
    Profile m_profile;

    QString writeConfig(const Profile &profile, const QString &name = QStringLiteral("p.json"))
    {
        ProfileSet set;
        set.path = m_dir.filePath(name);
        set.profiles << profile;
        set.defaultProfile = profile.name;
        const auto saved = ProfileStore::save(set, set.path);
        return saved ? set.path : QString();
    }

    OpsdeckRun check(const QStringList &extra, const Profile &profile, int timeoutMs = 30000)
    {
        const QString config = writeConfig(profile);
        return runOpsdeck(QStringList{QStringLiteral("check"), QStringLiteral("--config"), config,
                                      QStringLiteral("--history"),
                                      m_dir.filePath(QStringLiteral("history.db"))} +
                              extra,
                          {}, timeoutMs);
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_zk = std::make_unique<ZooKeeperServer>();
        const auto zkStarted = m_zk->start();
        QVERIFY2(zkStarted, qPrintable(zkStarted ? QString() : zkStarted.error().toString()));

        // The bundle: a private CA and a leaf for localhost in the Kubernetes layout; its own
        // endpoint (the bundle's probe endpoint) reloads on every rotation.
        m_bundle = std::make_unique<TlsDemo>();
        TlsDemo::Options bo;
        bo.directory = m_dir.filePath(QStringLiteral("tls"));
        bo.rotateIntervalMs = 0;
        bo.reloadEvery = 1;
        const auto bundleStarted = m_bundle->start(bo);
        QVERIFY2(bundleStarted,
                 qPrintable(bundleStarted ? QString() : bundleStarted.error().toString()));

        // The Solr nodes' TLS listeners pick up a rotation one after the other.
        m_fleet = std::make_unique<TlsNodeFleet>();
        TlsNodeFleetOptions fo;
        fo.stepMs = 400;
        fo.pollIntervalMs = 0;
        QVERIFY(m_fleet->start(m_bundle->directory(), kNodes, fo));
        connect(m_bundle.get(), &TlsDemo::rotated, m_fleet.get(), &TlsNodeFleet::bundleChanged);

        m_solr = std::make_unique<SolrClusterSim>(m_zk->connectString() + QStringLiteral("/solr"));
        QVERIFY(m_solr->bootstrap());
        for (int i = 0; i < kNodes; ++i) {
            SolrNodeSpec spec;
            spec.port = m_fleet->port(i);
            const auto started = m_solr->startNode(spec);
            QVERIFY2(started, qPrintable(started ? QString() : started.error().toString()));
        }
        QTRY_VERIFY_WITH_TIMEOUT(!m_solr->leaderNode().isEmpty(), 15000);

        FlinkSimOptions flinkOptions;
        flinkOptions.jobCount = 0;
        m_flink = std::make_unique<FlinkSimulator>(flinkOptions);
        QVERIFY(m_flink->listen());
        m_flink->addJob(QStringLiteral("orders"));
        m_flink->addJob(QStringLiteral("payments"));

        m_profile.name = QStringLiteral("health");
        m_profile.zookeeper.connectString = m_zk->connectString() + QStringLiteral("/solr");
        m_profile.rest.url = m_flink->baseUrl().toString();
        BundleConfig bundle;
        bundle.path = m_bundle->directory();
        bundle.expectedHostname = m_bundle->hostName();
        bundle.probeEndpoint = m_bundle->endpoint();
        m_profile.bundles << bundle;
    }

    void cleanupTestCase()
    {
        m_solr.reset();
        m_fleet.reset();
        m_zk.reset();
    }

    void healthyClusterIsOk()
    {
        const OpsdeckRun run =
            check({QStringLiteral("--format"), QStringLiteral("json")}, m_profile);
        const QJsonObject r = run.json();
        QVERIFY2(run.exitCode == 0, qPrintable(run.out + run.err));
        QCOMPARE(r.value(QStringLiteral("state")).toString(), QStringLiteral("OK"));
        for (const QString &m : {QStringLiteral("certs"), QStringLiteral("jobs"),
                                 QStringLiteral("roles"), QStringLiteral("fleet")})
            QCOMPARE(moduleState(r, m), QStringLiteral("OK"));
        const QJsonObject fleet = r.value(QStringLiteral("fleet")).toObject();
        QCOMPARE(fleet.value(QStringLiteral("total")).toInt(), kNodes);
        QCOMPARE(fleet.value(QStringLiteral("matching")).toInt(), kNodes);
        QCOMPARE(fleet.value(QStringLiteral("disk_sha256")).toString(), m_fleet->diskFingerprint());
        const QJsonObject node0 = fleet.value(QStringLiteral("nodes")).toArray().first().toObject();
        QCOMPARE(node0.value(QStringLiteral("served_sha256")).toString(),
                 m_fleet->servedFingerprint(0));
        QVERIFY(node0.value(QStringLiteral("matches_disk")).toBool());
        QCOMPARE(
            checkOf(r, QStringLiteral("bundle_served")).value(QStringLiteral("state")).toString(),
            QStringLiteral("OK"));
        QCOMPARE(r.value(QStringLiteral("metrics"))
                     .toObject()
                     .value(QStringLiteral("nodes_live"))
                     .toInt(),
                 kNodes);
    }

    void certificateThresholds()
    {
        // The demo leaf is valid for about 90 days.
        OpsdeckRun run =
            check({QStringLiteral("--format"), QStringLiteral("json"), QStringLiteral("--only"),
                   QStringLiteral("certs"), QStringLiteral("--warn-days"), QStringLiteral("120")},
                  m_profile);
        QCOMPARE(run.exitCode, 1);
        QCOMPARE(checkOf(run.json(), QStringLiteral("bundle_verdict"))
                     .value(QStringLiteral("state"))
                     .toString(),
                 QStringLiteral("WARNING"));
        run =
            check({QStringLiteral("--only"), QStringLiteral("certs"), QStringLiteral("--warn-days"),
                   QStringLiteral("120"), QStringLiteral("--critical-days"), QStringLiteral("100")},
                  m_profile);
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.out.startsWith(QStringLiteral("OPSDECK CRITICAL - certs CRITICAL")),
                 qPrintable(run.out));

        // A corrupt bundle: the certificate file is garbage.
        const QString broken = m_dir.filePath(QStringLiteral("broken"));
        QVERIFY(QDir().mkpath(broken));
        QFile crt(broken + QStringLiteral("/tls.crt"));
        QVERIFY(crt.open(QIODevice::WriteOnly));
        crt.write("-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n");
        crt.close();
        Profile p = m_profile;
        p.bundles.first().path = broken;
        p.bundles.first().probeEndpoint.clear();
        run = check({QStringLiteral("--format"), QStringLiteral("json"), QStringLiteral("--only"),
                     QStringLiteral("certs")},
                    p);
        QCOMPARE(run.exitCode, 2);
        const QJsonObject verdict = checkOf(run.json(), QStringLiteral("bundle_verdict"));
        QCOMPARE(verdict.value(QStringLiteral("subject")).toString(), broken);
        QCOMPARE(verdict.value(QStringLiteral("state")).toString(), QStringLiteral("CRITICAL"));

        // The probe endpoint is down: the bundle is fine, what is served is unknown -> CRITICAL.
        p = m_profile;
        p.bundles.first().probeEndpoint = QStringLiteral("127.0.0.1:%1").arg(closedPort());
        run = check({QStringLiteral("--format"), QStringLiteral("json"), QStringLiteral("--only"),
                     QStringLiteral("certs")},
                    p);
        QCOMPARE(run.exitCode, 2);
        const QJsonObject served = checkOf(run.json(), QStringLiteral("bundle_served"));
        QCOMPARE(served.value(QStringLiteral("detail"))
                     .toObject()
                     .value(QStringLiteral("error"))
                     .toString(),
                 QStringLiteral("refused"));
    }

    void jobStatesAndStuckSavepoints()
    {
        Profile p = m_profile;
        OpsdeckRun run = check({QStringLiteral("--format"), QStringLiteral("json"),
                                QStringLiteral("--only"), QStringLiteral("jobs")},
                               p);
        QCOMPARE(run.exitCode, 0);

        // A savepoint our ledger started two hours ago and never saw finish.
        {
            HistoryStore store;
            QVERIFY(store.open(m_dir.filePath(QStringLiteral("history.db"))));
            SavepointLedgerEntry e;
            e.profile = p.name;
            e.endpoint = p.rest.url;
            e.jobId = m_flink->jobs().first().id;
            e.jobName = QStringLiteral("orders");
            e.triggerId = QStringLiteral("0f0e0d0c0b0a09080706050403020100");
            e.kind = QStringLiteral("savepoint");
            e.triggeredAt = QDateTime::currentDateTimeUtc().addSecs(-7200);
            e.updatedAt = e.triggeredAt;
            e.state = QStringLiteral("in_progress");
            QVERIFY(store.addSavepoint(e));
        }
        run = check({QStringLiteral("--format"), QStringLiteral("json"), QStringLiteral("--only"),
                     QStringLiteral("jobs")},
                    p);
        QCOMPARE(run.exitCode, 1);
        QJsonObject stuck = checkOf(run.json(), QStringLiteral("savepoint_stuck"));
        QCOMPARE(stuck.value(QStringLiteral("detail"))
                     .toObject()
                     .value(QStringLiteral("trigger_id"))
                     .toString(),
                 QStringLiteral("0f0e0d0c0b0a09080706050403020100"));
        // Under the threshold it is just in progress.
        run = check({QStringLiteral("--only"), QStringLiteral("jobs"),
                     QStringLiteral("--stuck-after"), QStringLiteral("86400")},
                    p);
        QCOMPARE(run.exitCode, 0);

        const QString restarting =
            m_flink->addJob(QStringLiteral("enricher"), QStringLiteral("RESTARTING"));
        run = check({QStringLiteral("--format"), QStringLiteral("json"), QStringLiteral("--only"),
                     QStringLiteral("jobs"), QStringLiteral("--stuck-after"),
                     QStringLiteral("86400")},
                    p);
        QCOMPARE(run.exitCode, 1);
        QCOMPARE(checkOf(run.json(), QStringLiteral("job_restarting"))
                     .value(QStringLiteral("subject"))
                     .toString(),
                 restarting);

        const QString failing = m_flink->addJob(QStringLiteral("fraud"), QStringLiteral("FAILING"));
        run = check({QStringLiteral("--format"), QStringLiteral("json"), QStringLiteral("--only"),
                     QStringLiteral("jobs")},
                    p);
        QCOMPARE(run.exitCode, 2);
        QCOMPARE(checkOf(run.json(), QStringLiteral("job_failing"))
                     .value(QStringLiteral("subject"))
                     .toString(),
                 failing);

        // The endpoint answers garbage, then nothing listens.
        m_flink->setFault(FlinkFault::GarbageJson, true);
        run = check({QStringLiteral("--format"), QStringLiteral("json"), QStringLiteral("--only"),
                     QStringLiteral("jobs")},
                    p);
        m_flink->setFault(FlinkFault::GarbageJson, false);
        QCOMPARE(run.exitCode, 2);
        QCOMPARE(checkOf(run.json(), QStringLiteral("rest_reachable"))
                     .value(QStringLiteral("state"))
                     .toString(),
                 QStringLiteral("CRITICAL"));
        p.rest.url = QStringLiteral("http://127.0.0.1:%1").arg(closedPort());
        run = check({QStringLiteral("--format"), QStringLiteral("json"), QStringLiteral("--only"),
                     QStringLiteral("jobs")},
                    p);
        QCOMPARE(run.exitCode, 2);
        const QJsonObject reach = checkOf(run.json(), QStringLiteral("rest_reachable"));
        QVERIFY2(
            reach.value(QStringLiteral("message")).toString().contains(QStringLiteral("127.0.0.1")),
            qPrintable(reach.value(QStringLiteral("message")).toString()));
    }

    void roleFindingsAndZooKeeperDown()
    {
        QVERIFY(m_solr->writeRolesJson({m_solr->nodeName(1)}));
        OpsdeckRun run = check({QStringLiteral("--format"), QStringLiteral("json"),
                                QStringLiteral("--only"), QStringLiteral("roles")},
                               m_profile);
        QCOMPARE(run.exitCode, 1);
        const QJsonObject finding = checkOf(run.json(), QStringLiteral("role_finding"));
        QCOMPARE(finding.value(QStringLiteral("detail"))
                     .toObject()
                     .value(QStringLiteral("finding"))
                     .toString(),
                 QStringLiteral("legacy_roles_json"));
        QCOMPARE(checkOf(run.json(), QStringLiteral("overseer_elected"))
                     .value(QStringLiteral("subject"))
                     .toString(),
                 m_solr->leaderNode());

        Profile p = m_profile;
        p.zookeeper.connectString = QStringLiteral("127.0.0.1:%1/solr").arg(closedPort());
        run = check({QStringLiteral("--format"), QStringLiteral("json"), QStringLiteral("--only"),
                     QStringLiteral("roles,fleet"), QStringLiteral("--timeout"),
                     QStringLiteral("1500")},
                    p);
        QCOMPARE(run.exitCode, 2);
        QCOMPARE(moduleState(run.json(), QStringLiteral("roles")), QStringLiteral("CRITICAL"));
        QCOMPARE(moduleState(run.json(), QStringLiteral("fleet")), QStringLiteral("UNKNOWN"));
    }

    void rolloutConvergesNodeByNode()
    {
        // The console's wiring: the bundle monitor's CHANGED feeds the rollout its new leaf.
        tls::MonitorOptions mo;
        mo.quietPeriodMs = 50;
        tls::BundleMonitor monitor(mo);
        const int id = monitor.addBundle(tls::BundleSpec{m_bundle->directory(), {}, false, {}, 30});
        health::FleetOptions fo;
        fo.convergeIntervalMs = 100;
        fo.refreshIntervalMs = 0;
        health::FleetRollout rollout(fo);
        connect(&monitor, &tls::BundleMonitor::stateChanged, &rollout,
                [&rollout](const tls::BundleState &s) {
                    if (s.haveLastGood)
                        rollout.setDiskLeaf(s.bundle, s.lastGood.leaf);
                });
        QList<int> matchingSeen;
        QStringList matchOrder;
        connect(&rollout, &health::FleetRollout::updated, this, [&](const health::FleetStatus &s) {
            if (!s.changedAt.isValid())
                return;
            if (matchingSeen.isEmpty() || matchingSeen.last() != s.matching())
                matchingSeen << s.matching();
            for (const health::FleetNodeStatus &n : s.nodes) {
                if (n.matches() && !matchOrder.contains(n.target.node))
                    matchOrder << n.target.node;
            }
        });
        monitor.start();
        QStringList live;
        for (int i = 0; i < kNodes; ++i)
            live << m_solr->nodeName(i);
        rollout.setTargets(health::fleetTargets(live, {}));
        QTRY_COMPARE_WITH_TIMEOUT(rollout.status().matching(), kNodes, 10000);
        QVERIFY(!rollout.status().changedAt.isValid());

        QVERIFY(m_bundle->rotate());
        QTRY_COMPARE_WITH_TIMEOUT(rollout.status().diskSha256, m_bundle->diskFingerprint(), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(rollout.status().converged(), 20000);
        QTRY_VERIFY_WITH_TIMEOUT(!rollout.status().converging, 5000);
        QVERIFY(rollout.status().changedAt.isValid());
        // Seen converging one node at a time, in the order the nodes reloaded (400 ms apart).
        QCOMPARE(matchingSeen.first(), 0);
        QCOMPARE(matchingSeen.last(), kNodes);
        for (int i = 1; i < matchingSeen.size(); ++i)
            QVERIFY(matchingSeen.at(i) > matchingSeen.at(i - 1));
        QVERIFY2(matchingSeen.size() >= 3, qPrintable(QString::number(matchingSeen.size())));
        QCOMPARE(matchOrder.first(), m_solr->nodeName(0));
        QCOMPARE(matchOrder.last(), m_solr->nodeName(kNodes - 1));
        QCOMPARE(rollout.status().summary(),
                 QStringLiteral("%1 of %1 nodes serve the new certificate").arg(kNodes));
        Q_UNUSED(id);
    }

    void headlessCheckSeesALaggingNode()
    {
        m_fleet->pause(kNodes - 1, true);
        QVERIFY(m_bundle->rotate());
        const QString fresh = m_bundle->diskFingerprint();
        QTRY_COMPARE_WITH_TIMEOUT(m_fleet->nodesServing(fresh), kNodes - 1, 10000);
        OpsdeckRun run = check({QStringLiteral("--format"), QStringLiteral("json"),
                                QStringLiteral("--only"), QStringLiteral("fleet")},
                               m_profile);
        QCOMPARE(run.exitCode, 1);
        // --only fleet reads the bundle and the live nodes but reports the fleet alone.
        QVERIFY(checkOf(run.json(), QStringLiteral("bundle_verdict")).isEmpty());
        QVERIFY(checkOf(run.json(), QStringLiteral("zk_session")).isEmpty());
        QCOMPARE(moduleState(run.json(), QStringLiteral("certs")), QString());
        const QJsonObject lag =
            checkOf(run.json(), QStringLiteral("fleet_node"), m_solr->nodeName(kNodes - 1));
        QCOMPARE(lag.value(QStringLiteral("state")).toString(), QStringLiteral("WARNING"));
        QCOMPARE(lag.value(QStringLiteral("detail"))
                     .toObject()
                     .value(QStringLiteral("match"))
                     .toString(),
                 QStringLiteral("not_reloaded"));
        QCOMPARE(run.json()
                     .value(QStringLiteral("fleet"))
                     .toObject()
                     .value(QStringLiteral("summary"))
                     .toString(),
                 QStringLiteral("%1 of %2 nodes serve the disk certificate")
                     .arg(kNodes - 1)
                     .arg(kNodes));

        m_fleet->pause(kNodes - 1, false);
        QTRY_COMPARE_WITH_TIMEOUT(m_fleet->nodesServing(fresh), kNodes, 10000);
        run = check({QStringLiteral("--only"), QStringLiteral("fleet")}, m_profile);
        QVERIFY2(run.exitCode == 0, qPrintable(run.out));
    }

    void hangingAndUnreachableNodes()
    {
        HangingTlsServer hanging;
        QVERIFY(hanging.start());
        const quint16 deadPort = closedPort();
        SolrNodeSpec hangSpec;
        hangSpec.port = hanging.port();
        SolrNodeSpec deadSpec;
        deadSpec.port = deadPort;
        const auto hangIndex = m_solr->startNode(hangSpec);
        const auto deadIndex = m_solr->startNode(deadSpec);
        QVERIFY(hangIndex && deadIndex);

        const OpsdeckRun run =
            check({QStringLiteral("--format"), QStringLiteral("json"), QStringLiteral("--only"),
                   QStringLiteral("fleet"), QStringLiteral("--timeout"), QStringLiteral("1000")},
                  m_profile, 20000);
        m_solr->stopNode(*hangIndex);
        m_solr->stopNode(*deadIndex);
        QCOMPARE(run.exitCode, 2);
        const QJsonObject r = run.json();
        const QJsonObject hung =
            checkOf(r, QStringLiteral("fleet_node"), m_solr->nodeName(*hangIndex));
        QCOMPARE(hung.value(QStringLiteral("state")).toString(), QStringLiteral("CRITICAL"));
        QCOMPARE(hung.value(QStringLiteral("detail"))
                     .toObject()
                     .value(QStringLiteral("error"))
                     .toString(),
                 QStringLiteral("timeout"));
        const QJsonObject dead =
            checkOf(r, QStringLiteral("fleet_node"), m_solr->nodeName(*deadIndex));
        QCOMPARE(dead.value(QStringLiteral("detail"))
                     .toObject()
                     .value(QStringLiteral("error"))
                     .toString(),
                 QStringLiteral("refused"));
        // The others were still probed and judged.
        const QJsonObject fleet = r.value(QStringLiteral("fleet")).toObject();
        QCOMPARE(fleet.value(QStringLiteral("total")).toInt(), kNodes + 2);
        QCOMPARE(fleet.value(QStringLiteral("matching")).toInt(), kNodes);
        QCOMPARE(fleet.value(QStringLiteral("failed")).toInt(), 2);
        QVERIFY(hanging.acceptedCount() >= 1);
    }

    void httpsRestEndpointJoinsTheFleetAndSecretsStayOut()
    {
        // A Flink REST endpoint serving the bundle's own certificate over HTTPS: it is a fleet
        // target too, and the REST check verifies it against the bundle's CA.
        FlinkSimOptions so;
        so.jobCount = 0;
        so.tls = FlinkSimOptions::Tls::Server;
        so.certFile = m_bundle->directory() + QStringLiteral("/tls.crt");
        so.keyFile = m_bundle->directory() + QStringLiteral("/tls.key");
        FlinkSimulator https(so);
        QVERIFY(https.listen());
        https.addJob(QStringLiteral("secure-job"));

        const QByteArray canary = "opsdeck-canary-token-4f1c9a";
        qputenv("OPSDECK_HEALTH_TOKEN", canary);
        Profile p = m_profile;
        p.rest.url = QStringLiteral("https://127.0.0.1:%1").arg(https.port());
        p.rest.caFile = m_bundle->caFile();
        p.rest.token = SecretRef::fromEnv(QStringLiteral("OPSDECK_HEALTH_TOKEN"));
        OpsdeckRun run = check({QStringLiteral("--format"), QStringLiteral("json"),
                                QStringLiteral("--only"), QStringLiteral("jobs,fleet")},
                               p);
        QVERIFY2(run.exitCode == 0, qPrintable(run.out + run.err));
        const QJsonObject r = run.json();
        QCOMPARE(checkOf(r, QStringLiteral("rest_reachable"))
                     .value(QStringLiteral("message"))
                     .toString(),
                 QStringLiteral("reachable, TLS verified"));
        const QJsonObject rest =
            checkOf(r, QStringLiteral("fleet_rest"), QStringLiteral("flink-rest"));
        QCOMPARE(rest.value(QStringLiteral("state")).toString(), QStringLiteral("OK"));
        QCOMPARE(rest.value(QStringLiteral("detail"))
                     .toObject()
                     .value(QStringLiteral("endpoint"))
                     .toString(),
                 QStringLiteral("127.0.0.1:%1").arg(https.port()));
        QCOMPARE(r.value(QStringLiteral("fleet")).toObject().value(QStringLiteral("total")).toInt(),
                 kNodes + 1);
        QVERIFY(!run.out.contains(QString::fromLatin1(canary)) &&
                !run.err.contains(QString::fromLatin1(canary)));

        for (const QString &format : {QStringLiteral("nagios"), QStringLiteral("prometheus")}) {
            run = check({QStringLiteral("--format"), format}, p);
            QVERIFY2(run.exitCode >= 0 && run.exitCode <= 3, qPrintable(run.err));
            QVERIFY2(!run.out.contains(QString::fromLatin1(canary)), qPrintable(format));
            QVERIFY2(!run.err.contains(QString::fromLatin1(canary)), qPrintable(format));
        }
        qunsetenv("OPSDECK_HEALTH_TOKEN");

        // Without the CA the endpoint's TLS is not valid: a TLS finding, not "unreachable".
        p.rest.caFile.clear();
        p.rest.token = {};
        run = check({QStringLiteral("--format"), QStringLiteral("json"), QStringLiteral("--only"),
                     QStringLiteral("jobs")},
                    p);
        QCOMPARE(run.exitCode, 2);
        const QJsonObject tlsCheck = checkOf(run.json(), QStringLiteral("rest_tls"));
        QCOMPARE(tlsCheck.value(QStringLiteral("state")).toString(), QStringLiteral("CRITICAL"));
        QCOMPARE(tlsCheck.value(QStringLiteral("detail"))
                     .toObject()
                     .value(QStringLiteral("error"))
                     .toString(),
                 QStringLiteral("tls_unknown_ca"));
    }

    void checkerRunsOnAWorkerThread()
    {
        // The console's way: the checker moved to a worker thread, the report back as a value.
        // Every object it uses must live on that thread ("cannot be started from another thread"
        // would mean a timer that never fires).
        QTest::failOnWarning(QRegularExpression(QStringLiteral("another thread|different thread")));
        QThread worker;
        worker.start();
        auto *checker = new health::HealthChecker(m_profile, {});
        checker->moveToThread(&worker);
        connect(&worker, &QThread::finished, checker, &QObject::deleteLater);
        QSignalSpy done(checker, &health::HealthChecker::finished);
        QMetaObject::invokeMethod(checker, "start", Qt::QueuedConnection);
        QVERIFY(done.wait(30000));
        const auto report = done.first().first().value<health::HealthReport>();
        worker.quit();
        QVERIFY(worker.wait(5000));
        QCOMPARE(report.fleet->total(), kNodes);
        QVERIFY(report.module(QStringLiteral("roles"))->ran);
        QCOMPARE(report.itemsOf(QStringLiteral("roles")).isEmpty(), false);
        QVERIFY(report.durationMs < 30000);
        QCOMPARE(report.overall(),
                 health::worse(
                     report.module(QStringLiteral("jobs"))->state,
                     health::worse(report.module(QStringLiteral("roles"))->state,
                                   health::worse(report.module(QStringLiteral("certs"))->state,
                                                 report.module(QStringLiteral("fleet"))->state))));
    }

    void prometheusThroughPromtoolAndNodeExporter()
    {
        const QString textDir = m_dir.filePath(QStringLiteral("textfile"));
        QVERIFY(QDir().mkpath(textDir));
        const QString prom = textDir + QStringLiteral("/opsdeck.prom");
        const OpsdeckRun run = check({QStringLiteral("--format"), QStringLiteral("prometheus"),
                                      QStringLiteral("--output"), prom},
                                     m_profile);
        // Left from the tests above: a legacy /roles.json (roles WARNING) and a FAILING job (jobs
        // CRITICAL).
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.out.startsWith(QStringLiteral("OPSDECK CRITICAL - ")), qPrintable(run.out));

        QProcess promtool;
        promtool.start(QStringLiteral("promtool"),
                       {QStringLiteral("check"), QStringLiteral("metrics")});
        QVERIFY2(promtool.waitForStarted(),
                 "promtool missing: ./opsdeck.sh deps installs prometheus");
        QFile file(prom);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray text = file.readAll();
        promtool.write(text);
        promtool.closeWriteChannel();
        QVERIFY(promtool.waitForFinished(20000));
        QVERIFY2(promtool.exitCode() == 0,
                 QByteArray(promtool.readAllStandardOutput() + promtool.readAllStandardError())
                     .constData());

        QProcess exporter;
        const quint16 port = closedPort();
        exporter.start(QStringLiteral("prometheus-node-exporter"),
                       {QStringLiteral("--collector.disable-defaults"),
                        QStringLiteral("--collector.textfile"),
                        QStringLiteral("--collector.textfile.directory=") + textDir,
                        QStringLiteral("--web.listen-address=127.0.0.1:%1").arg(port)});
        QVERIFY2(exporter.waitForStarted(), "prometheus-node-exporter missing");
        QNetworkAccessManager nam;
        QByteArray scraped;
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                QNetworkReply *reply = nam.get(
                    QNetworkRequest(QUrl(QStringLiteral("http://127.0.0.1:%1/metrics").arg(port))));
                QEventLoop loop;
                connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
                QTimer::singleShot(2000, &loop, &QEventLoop::quit);
                loop.exec();
                scraped = reply->isFinished() && reply->error() == QNetworkReply::NoError
                              ? reply->readAll()
                              : QByteArray();
                reply->deleteLater();
                return !scraped.isEmpty();
            }(),
            10000);
        exporter.terminate();
        exporter.waitForFinished(5000);
        const QString metrics = QString::fromUtf8(scraped);
        QVERIFY(metrics.contains(QStringLiteral("node_textfile_scrape_error 0")));
        QVERIFY(metrics.contains(QStringLiteral("opsdeck_fleet_nodes_matching %1").arg(kNodes)));
        QVERIFY(metrics.contains(QStringLiteral("opsdeck_check_status{module=\"roles\"} 1")));
        QVERIFY(metrics.contains(QStringLiteral("opsdeck_check_status{module=\"jobs\"} 2")));
        QVERIFY(metrics.contains(QStringLiteral(
            "opsdeck_role_findings{code=\"legacy_roles_json\",severity=\"warning\"} 1")));
        QVERIFY(metrics.contains(QStringLiteral("opsdeck_solr_live_nodes %1").arg(kNodes)));
        QVERIFY(metrics.contains(QStringLiteral("opsdeck_job_state{")));
    }

    void nagiosParsedBackAndUsageErrors()
    {
        OpsdeckRun run = check({}, m_profile);
        const QString first = run.out.section(QLatin1Char('\n'), 0, 0);
        static const QRegularExpression line(
            QStringLiteral("^OPSDECK (OK|WARNING|CRITICAL|UNKNOWN) - ([^|]+) \\| (.+)$"));
        const auto m = line.match(first);
        QVERIFY2(m.hasMatch(), qPrintable(first));
        const QStringList states{QStringLiteral("OK"), QStringLiteral("WARNING"),
                                 QStringLiteral("CRITICAL"), QStringLiteral("UNKNOWN")};
        QCOMPARE(run.exitCode, int(states.indexOf(m.captured(1))));
        QVERIFY(m.captured(3).contains(QStringLiteral("nodes_live=%1;;;0").arg(kNodes)));
        QVERIFY(m.captured(3).contains(QStringLiteral("fleet_matching=%1;;;0").arg(kNodes)));

        run = check({QStringLiteral("--only"), QStringLiteral("certs,bogus")}, m_profile);
        QCOMPARE(run.exitCode, 3);
        QVERIFY2(run.out.startsWith(QStringLiteral("OPSDECK UNKNOWN - ")), qPrintable(run.out));
        QVERIFY(run.err.contains(QStringLiteral("unknown module 'bogus'")));

        run = check({QStringLiteral("--profile"), QStringLiteral("nope"),
                     QStringLiteral("--format"), QStringLiteral("prometheus")},
                    m_profile);
        QCOMPARE(run.exitCode, 3);
        QVERIFY(run.out.contains(QStringLiteral("opsdeck_check_status{module=\"config\"} 3")));
    }
};

OPSDECK_TEST_GUILESS_MAIN(TestHealthCheck)
#include "tst_healthcheck.moc"
