// SPDX-License-Identifier: GPL-3.0-or-later
// Node roles end to end: a real ZooKeeper server, a Solr-shaped cluster writing exactly what Solr
// writes, the SolrWatcher following it live (C client callbacks posted to this thread), snapshots
// and findings, and `opsdeck roles` as scripts run it.
#include "opsdeckprocess.h"
#include "roles/findings.h"
#include "roles/rolesnapshot.h"
#include "roles/solrwatcher.h"
#include "solrsim.h"
#include "testmain.h"
#include "zookeeperserver.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QSignalSpy>
#include <cstring>
#include <zookeeper/zookeeper.h>

using namespace opsdeck;
using namespace opsdeck::roles;
using namespace opsdeck::test;

namespace {

bool hasFinding(const QList<Finding> &findings, const QString &code, const QString &node = {})
{
    for (const Finding &f : findings)
        if (f.code == code && (node.isEmpty() || f.node == node))
            return true;
    return false;
}

void discardZkLog(const char *) {}

} // namespace

class TestRolesIntegration : public QObject
{
    Q_OBJECT
private:
    std::unique_ptr<ZooKeeperServer> m_zk;
    std::unique_ptr<SolrClusterSim> m_sim;
    QString m_connect;

    SolrNodeSpec spec(int port, const QString &roles = {})
    {
        SolrNodeSpec s;
        s.port = port;
        s.rolesSpec = roles;
        s.sessionTimeoutMs = 4000;
        return s;
    }
    RolesSnapshot snapshotOf(const SolrWatcher &w)
    {
        return buildSnapshot(w.tree(), QDateTime::currentDateTimeUtc());
    }

private slots:
    void init()
    {
        m_zk = std::make_unique<ZooKeeperServer>();
        const auto started = m_zk->start();
        QVERIFY2(started, started ? "" : qPrintable(started.error().toString()));
        m_connect = m_zk->connectString() + QStringLiteral("/solr");
        m_sim = std::make_unique<SolrClusterSim>(m_connect);
        const auto boot = m_sim->bootstrap();
        QVERIFY2(boot, boot ? "" : qPrintable(boot.error().toString()));
    }
    void cleanup()
    {
        m_sim.reset();
        m_zk.reset();
    }

    void followsRolesElectionAndLeaderLive()
    {
        QVERIFY(m_sim->startNode(spec(8983)));
        QVERIFY(m_sim->startNode(spec(8984, QStringLiteral("coordinator:on,data:off"))));
        ZooKeeperConfig config;
        config.connectString = m_connect;
        SolrWatcher watcher(config);
        QSignalSpy status(&watcher, &SolrWatcher::statusChanged);
        QVERIFY(watcher.start());
        QTRY_VERIFY_WITH_TIMEOUT(watcher.isLoaded(), 10000);
        QCOMPARE(watcher.status().state, ZkSessionState::Connected);
        QVERIFY(watcher.status().sessionId != 0);

        RolesSnapshot s = snapshotOf(watcher);
        QCOMPARE(s.nodes.size(), 2);
        const NodeInfo *a = s.node(m_sim->nodeName(0));
        const NodeInfo *c = s.node(m_sim->nodeName(1));
        QVERIFY(a && c);
        QVERIFY(a->live);
        QCOMPARE(a->mode(QStringLiteral("data")), QStringLiteral("on"));
        QCOMPARE(a->mode(QStringLiteral("overseer")), QStringLiteral("allowed"));
        QCOMPARE(c->mode(QStringLiteral("coordinator")), QStringLiteral("on"));
        QCOMPARE(c->mode(QStringLiteral("overseer")), QStringLiteral("disallowed"));
        QCOMPARE(a->liveSession, m_sim->sessionId(0));
        QCOMPARE(s.election.size(), 1); // the disallowed coordinator is no candidate
        QVERIFY(s.leader.exists);
        QCOMPARE(s.leader.node, m_sim->nodeName(0));
        QVERIFY(s.leader.isHead);

        // A preferred overseer joins: it is moved to the head and takes over, live.
        const auto b = m_sim->startNode(spec(8985, QStringLiteral("overseer:preferred")));
        QVERIFY(b);
        const QString bName = m_sim->nodeName(b.value());
        QTRY_COMPARE_WITH_TIMEOUT(snapshotOf(watcher).leader.node, bName, 10000);
        s = snapshotOf(watcher);
        QCOMPARE(s.election.first().node, bName);
        QCOMPARE(s.node(bName)->mode(QStringLiteral("data")), QStringLiteral("off"));
        // Every candidate but the head watches the one before it.
        for (int i = 1; i < s.election.size(); ++i)
            QCOMPARE(s.election.at(i).watches, s.election.at(i - 1).znode);

        // The leader's session dies: the next in line leads, and the snapshot follows.
        m_sim->killNode(b.value());
        QTRY_COMPARE_WITH_TIMEOUT(snapshotOf(watcher).leader.node, m_sim->nodeName(0), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(
            !snapshotOf(watcher).node(bName) || !snapshotOf(watcher).node(bName)->live, 10000);

        // Graceful stop: the live node goes; the role leaves go with the session.
        m_sim->stopNode(1);
        QTRY_VERIFY_WITH_TIMEOUT(!snapshotOf(watcher).node(m_sim->nodeName(1)), 10000);
    }

    void findingsFromTheLiveCluster()
    {
        const auto data = m_sim->startNode(spec(8983, QStringLiteral("data:off,overseer:allowed")));
        QVERIFY(data);
        QVERIFY(m_sim->startNode(spec(8984)));
        QVERIFY(m_sim->addCollection(
            QStringLiteral("orders"),
            {{QStringLiteral("shard1"), {m_sim->nodeName(0), m_sim->nodeName(1)}}}));
        QVERIFY(m_sim->writeRolesJson({m_sim->nodeName(1)}));
        ZooKeeperConfig config;
        config.connectString = m_connect;
        SolrWatcher watcher(config);
        QVERIFY(watcher.start());
        QTRY_VERIFY_WITH_TIMEOUT(watcher.isLoaded(), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(hasFinding(snapshotOf(watcher).findings,
                                            QStringLiteral("data_off_hosts_replicas"),
                                            m_sim->nodeName(0)),
                                 10000);
        const RolesSnapshot s = snapshotOf(watcher);
        QVERIFY(hasFinding(s.findings, QStringLiteral("legacy_roles_json")));
        QCOMPARE(s.node(m_sim->nodeName(0))->replicaCount, 1);
        QVERIFY(s.securityJsonExists);

        // The collection goes away: the finding clears, live.
        ZkClient client;
        QVERIFY(client.connect(m_zk->connectString()));
        QVERIFY(client.remove(QStringLiteral("/solr/collections/orders/state.json")));
        QVERIFY(client.remove(QStringLiteral("/solr/collections/orders")));
        QTRY_VERIFY_WITH_TIMEOUT(
            !hasFinding(snapshotOf(watcher).findings, QStringLiteral("data_off_hosts_replicas")),
            10000);
        QCOMPARE(snapshotOf(watcher).node(m_sim->nodeName(0))->replicaCount, 0);
    }

    void staleWhileZooKeeperIsDownThenLiveAgain()
    {
        QVERIFY(m_sim->startNode(spec(8983)));
        ZooKeeperConfig config;
        config.connectString = m_connect;
        config.sessionTimeoutMs = 30000;
        SolrWatcher watcher(config);
        QVERIFY(watcher.start());
        QTRY_VERIFY_WITH_TIMEOUT(watcher.isLoaded(), 10000);
        const QDateTime confirmed = watcher.status().lastConfirmed;
        QVERIFY(confirmed.isValid());
        m_zk->stop();
        QTRY_VERIFY_WITH_TIMEOUT(watcher.status().stale(), 15000);
        QVERIFY(watcher.status().lastConfirmed.isValid());
        QCOMPARE(watcher.tree().liveNodes.size(), 1); // the last snapshot is kept, marked stale
        QVERIFY(m_zk->start());
        QTRY_COMPARE_WITH_TIMEOUT(watcher.status().state, ZkSessionState::Connected, 30000);
        QTRY_VERIFY_WITH_TIMEOUT(watcher.status().lastConfirmed > confirmed, 10000);
    }

    void headlessRolesJsonAndExitCodes()
    {
        QVERIFY(m_sim->startNode(spec(8983)));
        QVERIFY(m_sim->startNode(spec(8984, QStringLiteral("data:on,overseer:disallowed"))));
        // A security.json with something secret-looking in it: only its size may show.
        ZkClient client;
        QVERIFY(client.connect(m_zk->connectString()));
        QVERIFY(client.set(
            QStringLiteral("/solr/security.json"),
            QByteArrayLiteral(
                "{\"authentication\":{\"credentials\":{\"solr\":\"TOPSECRET-hash\"}}}")));

        const auto r = runOpsdeck({QStringLiteral("roles"), QStringLiteral("--zk"), m_connect,
                                   QStringLiteral("--format"), QStringLiteral("json")});
        QCOMPARE(r.exitCode, 0);
        const QJsonObject o = r.json();
        QCOMPARE(o.value(QLatin1String("nodes")).toArray().size(), 2);
        QCOMPARE(o.value(QLatin1String("election")).toArray().size(), 1);
        const QJsonObject first = o.value(QLatin1String("election")).toArray().first().toObject();
        for (const char *key : {"position", "node", "session", "sequence", "znode", "watches"})
            QVERIFY2(first.contains(QLatin1String(key)), key);
        QCOMPARE(
            o.value(QLatin1String("leader")).toObject().value(QLatin1String("node")).toString(),
            m_sim->nodeName(0));
        QVERIFY(
            o.value(QLatin1String("leader")).toObject().value(QLatin1String("is_head")).toBool());
        QCOMPARE(
            o.value(QLatin1String("zookeeper")).toObject().value(QLatin1String("state")).toString(),
            QStringLiteral("connected"));
        QVERIFY(o.value(QLatin1String("findings")).toArray().isEmpty());
        QVERIFY(!r.out.contains(QLatin1String("TOPSECRET")));
        QVERIFY(o.value(QLatin1String("security_json"))
                    .toObject()
                    .value(QLatin1String("size"))
                    .toInt() > 10);

        // The only eligible node goes: nobody is eligible, no leader → critical (2).
        m_sim->killNode(0);
        QTRY_VERIFY_WITH_TIMEOUT(m_sim->leaderNode().isEmpty(), 10000);
        const auto critical =
            runOpsdeck({QStringLiteral("roles"), QStringLiteral("--zk"), m_connect});
        QCOMPARE(critical.exitCode, 2);
        QVERIFY2(critical.out.contains(QLatin1String("no_eligible_overseer")),
                 qPrintable(critical.out));

        // No Solr at that path: 3, naming the missing znode.
        const auto empty = runOpsdeck({QStringLiteral("roles"), QStringLiteral("--zk"),
                                       m_zk->connectString() + QStringLiteral("/nothing-here")});
        QCOMPARE(empty.exitCode, 3);
        QVERIFY2(empty.err.contains(QLatin1String("/nothing-here/live_nodes")),
                 qPrintable(empty.err));
    }

    void headlessWatchStreamsChanges()
    {
        QVERIFY(m_sim->startNode(spec(8983)));
        QVERIFY(m_sim->startNode(spec(8984)));
        QProcess watch;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove(QStringLiteral("DISPLAY"));
        watch.setProcessEnvironment(env);
        watch.start(opsdeckBinary(), {QStringLiteral("roles"), QStringLiteral("--zk"), m_connect,
                                      QStringLiteral("--watch"), QStringLiteral("--max-events"),
                                      QStringLiteral("3")});
        QVERIFY(watch.waitForStarted(5000));
        QTRY_VERIFY_WITH_TIMEOUT(
            watch.bytesAvailable() > 0 || watch.state() == QProcess::NotRunning, 15000);
        m_sim->killNode(0); // the leader goes: at least one change line follows
        QTRY_COMPARE_WITH_TIMEOUT(watch.state(), QProcess::NotRunning, 20000);
        const QList<QByteArray> lines = watch.readAllStandardOutput().split('\n');
        QList<QJsonObject> changes;
        for (const QByteArray &line : lines)
            if (!line.isEmpty())
                changes << QJsonDocument::fromJson(line).object();
        QVERIFY(changes.size() >= 3);
        QCOMPARE(changes.first().value(QLatin1String("event")).toString(),
                 QStringLiteral("snapshot"));
        QCOMPARE(changes.first()
                     .value(QLatin1String("leader"))
                     .toObject()
                     .value(QLatin1String("node"))
                     .toString(),
                 m_sim->nodeName(0));
        bool sawNewLeader = false;
        for (const QJsonObject &c : changes)
            sawNewLeader = sawNewLeader || c.value(QLatin1String("leader"))
                                                   .toObject()
                                                   .value(QLatin1String("node"))
                                                   .toString() == m_sim->nodeName(1);
        QVERIFY(sawNewLeader);
    }

    void digestAuthRightAndWrong()
    {
        QVERIFY(m_sim->startNode(spec(8983)));
        // Lock /solr/live_nodes to the "solr" digest user, as a secured cluster does.
        ZkClient admin;
        QVERIFY(admin.connect(m_zk->connectString()));
        QVERIFY(admin.addDigestAuth("solr:right-password"));
        QCOMPARE(zoo_set_acl(admin.handle(), "/solr/live_nodes", -1, &ZOO_CREATOR_ALL_ACL),
                 int(ZOK));

        qputenv("OPSDECK_TEST_ZK_RIGHT", "solr:right-password");
        qputenv("OPSDECK_TEST_ZK_WRONG", "solr:wrong-password");
        ZooKeeperConfig right;
        right.connectString = m_connect;
        right.digestAuth = SecretRef::fromEnv(QStringLiteral("OPSDECK_TEST_ZK_RIGHT"));
        SolrWatcher good(right);
        QVERIFY(good.start());
        QTRY_VERIFY_WITH_TIMEOUT(good.isLoaded(), 10000);
        QCOMPARE(good.tree().liveNodes.size(), 1);
        QVERIFY(good.tree().readProblems.isEmpty());

        ZooKeeperConfig wrong = right;
        wrong.digestAuth = SecretRef::fromEnv(QStringLiteral("OPSDECK_TEST_ZK_WRONG"));
        SolrWatcher bad(wrong);
        QVERIFY(bad.start());
        QTRY_VERIFY_WITH_TIMEOUT(bad.isLoaded(), 10000);
        QVERIFY(!bad.tree().liveNodesExists);
        QCOMPARE(bad.tree().readProblems.size(), 1);
        QVERIFY2(bad.tree().readProblems.first().contains(QLatin1String("/solr/live_nodes")),
                 qPrintable(bad.tree().readProblems.first()));

        QProcessEnvironment env;
        env.insert(QStringLiteral("ZKAUTH"), QStringLiteral("solr:wrong-password"));
        const auto r = runOpsdeck({QStringLiteral("roles"), QStringLiteral("--zk"), m_connect,
                                   QStringLiteral("--auth"), QStringLiteral("env:ZKAUTH")},
                                  env);
        QCOMPARE(r.exitCode, 3);
        QVERIFY2(r.err.contains(QLatin1String("NOAUTH")), qPrintable(r.err));
        QVERIFY(!r.err.contains(QLatin1String("wrong-password")));
        QVERIFY(!r.out.contains(QLatin1String("wrong-password")));
    }

    void electionAfterNodeSessionExpiry()
    {
        QVERIFY(m_sim->startNode(spec(8983)));
        QVERIFY(m_sim->startNode(spec(8984)));
        ZooKeeperConfig config;
        config.connectString = m_connect;
        SolrWatcher watcher(config);
        QVERIFY(watcher.start());
        QTRY_COMPARE_WITH_TIMEOUT(snapshotOf(watcher).election.size(), 2, 10000);
        m_sim->expireNode(0);
        QTRY_COMPARE_WITH_TIMEOUT(snapshotOf(watcher).leader.node, m_sim->nodeName(1), 10000);
        QCOMPARE(snapshotOf(watcher).election.size(), 1);
        QVERIFY(!snapshotOf(watcher).node(m_sim->nodeName(0)));
    }

    void ownSessionExpiryOpensANewSessionAndReloads()
    {
        QVERIFY(m_sim->startNode(spec(8983)));
        ZooKeeperConfig config;
        config.connectString = m_connect;
        SolrWatcher watcher(config);
        QSignalSpy status(&watcher, &SolrWatcher::statusChanged);
        QVERIFY(watcher.start());
        QTRY_VERIFY_WITH_TIMEOUT(watcher.isLoaded(), 10000);
        const qint64 first = watcher.status().sessionId;
        // Attach to our session from another handle and close it: ZooKeeper expires ours.
        const auto [id, password] = watcher.sessionCredentialsForTest();
        clientid_t cid{};
        cid.client_id = id;
        std::memcpy(cid.passwd, password.constData(), sizeof(cid.passwd));
        zhandle_t *thief = zookeeper_init2(m_zk->connectString().toUtf8().constData(), nullptr,
                                           10000, &cid, nullptr, 0, discardZkLog);
        QVERIFY(thief);
        QTRY_VERIFY_WITH_TIMEOUT(zoo_state(thief) == ZOO_CONNECTED_STATE, 10000);
        zookeeper_close(thief);
        bool sawExpired = false;
        QTRY_VERIFY_WITH_TIMEOUT(watcher.status().state == ZkSessionState::Connected &&
                                     watcher.status().sessionId != first,
                                 20000);
        for (const auto &args : std::as_const(status))
            sawExpired =
                sawExpired || args.first().value<ZkStatus>().state == ZkSessionState::Expired;
        QVERIFY(sawExpired);
        // The full reload under the new session sees the same cluster, and follows changes again.
        QTRY_COMPARE_WITH_TIMEOUT(watcher.tree().sessionId, watcher.status().sessionId, 10000);
        QVERIFY(m_sim->startNode(spec(8984)));
        QTRY_COMPARE_WITH_TIMEOUT(watcher.tree().liveNodes.size(), 2, 10000);
    }

    void garbageInTheLeaderZnodeAndStateJson()
    {
        QVERIFY(m_sim->startNode(spec(8983)));
        QVERIFY(m_sim->addCollection(QStringLiteral("orders"),
                                     {{QStringLiteral("shard1"), {m_sim->nodeName(0)}}}));
        ZooKeeperConfig config;
        config.connectString = m_connect;
        SolrWatcher watcher(config);
        QVERIFY(watcher.start());
        QTRY_VERIFY_WITH_TIMEOUT(watcher.isLoaded() && snapshotOf(watcher).leader.exists, 10000);
        ZkClient client;
        QVERIFY(client.connect(m_zk->connectString()));
        QVERIFY(client.set(QStringLiteral("/solr/collections/orders/state.json"),
                           QByteArrayLiteral("{\"orders\": [truncated")));
        QVERIFY(client.set(QStringLiteral("/solr/overseer_elect/leader"),
                           QByteArrayLiteral("\x01\x02 not json")));
        QTRY_VERIFY_WITH_TIMEOUT(
            hasFinding(snapshotOf(watcher).findings, QStringLiteral("leader_unparsable")), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(
            hasFinding(snapshotOf(watcher).findings, QStringLiteral("znode_unreadable")), 10000);
        const RolesSnapshot s = snapshotOf(watcher);
        bool named = false;
        for (const Finding &f : s.findings)
            named =
                named || (f.code == QLatin1String("znode_unreadable") &&
                          f.message.contains(QLatin1String("/solr/collections/orders/state.json")));
        QVERIFY(named);
        QCOMPARE(s.nodes.size(), 1); // the rest of the view is intact
    }

    void ensembleLeaderKilledWhileWatching()
    {
        ZooKeeperEnsemble ensemble(3);
        const auto started = ensemble.start();
        QVERIFY2(started, started ? "" : qPrintable(started.error().toString()));
        const QString connect = ensemble.connectString() + QStringLiteral("/solr");
        SolrClusterSim sim(connect);
        QVERIFY(sim.bootstrap());
        QVERIFY(sim.startNode(spec(8983)));
        QVERIFY(sim.startNode(spec(8984)));
        ZooKeeperConfig config;
        config.connectString = connect;
        config.sessionTimeoutMs = 20000;
        SolrWatcher watcher(config);
        QVERIFY(watcher.start());
        QTRY_COMPARE_WITH_TIMEOUT(buildSnapshot(watcher.tree()).election.size(), 2, 15000);
        const int zkLeader = ensemble.leaderIndex();
        QVERIFY(zkLeader >= 0);
        ensemble.killServer(zkLeader);
        // While the ensemble elects a new leader, the Solr leader's node dies.
        sim.killNode(0);
        QTRY_VERIFY_WITH_TIMEOUT(watcher.status().state == ZkSessionState::Connected &&
                                     buildSnapshot(watcher.tree()).leader.node == sim.nodeName(1) &&
                                     buildSnapshot(watcher.tree()).election.size() == 1,
                                 40000);
    }

    void validateSpecs()
    {
        auto r = runOpsdeck({QStringLiteral("roles"), QStringLiteral("validate"),
                             QStringLiteral("overseer:preferred")});
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.contains(QLatin1String("off")), qPrintable(r.out)); // data defaults to off
        r = runOpsdeck({QStringLiteral("roles"), QStringLiteral("validate"),
                        QStringLiteral("data:on,,overseer:allowed")});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains(QLatin1Char('^')), qPrintable(r.err));
    }
};

OPSDECK_TEST_GUILESS_MAIN(TestRolesIntegration)
#include "tst_rolesintegration.moc"
