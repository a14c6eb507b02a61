// SPDX-License-Identifier: GPL-3.0-or-later
// The Solr-shaped cluster simulator against a real ZooKeeper server, checked with a plain ZkClient:
// the skeleton, live nodes and role leaves (one multi, ephemeral, null data, owned by the node's
// session), the Overseer election (names, leader payload bytes, takeover, join-at-head), graceful
// stop vs kill vs expiry, collections' state.json and /roles.json bytes, chroots.
#include "solrsim.h"
#include "testmain.h"
#include "zookeeperserver.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <zookeeper/zookeeper.h>

using namespace opsdeck;
using namespace opsdeck::test;

namespace {

constexpr int kWaitMs = 15000;

struct RawNode
{
    int rc = ZNONODE;
    int dataLength = -2; // zoo_get's buffer_len: -1 for null data
    QByteArray data;
    qint64 ephemeralOwner = 0;
};

RawNode rawGet(ZkClient &zk, const QString &path)
{
    RawNode node;
    QByteArray buffer(64 * 1024, Qt::Uninitialized);
    int length = static_cast<int>(buffer.size());
    struct Stat stat = {};
    const QByteArray p = path.toUtf8();
    node.rc = zoo_get(zk.handle(), p.constData(), 0, buffer.data(), &length, &stat);
    if (node.rc == ZOK) {
        node.dataLength = length;
        node.data = buffer.left(std::max(0, length));
        node.ephemeralOwner = stat.ephemeralOwner;
    }
    return node;
}

SolrNodeSpec nodeSpec(int port, const QString &roles = {})
{
    SolrNodeSpec spec;
    spec.port = port;
    spec.rolesSpec = roles;
    return spec;
}

} // namespace

class TestSolrSim : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void nodeNamesAndPayloadBytes();
    void roleSpecs();
    void skeletonWithNullData();
    void chrootIsCreated();
    void threeNodesLiveNodesRolesAndElection();
    void killingTheLeaderMovesLeadership();
    void preferredNodeTakesOverViaJoinAtHead();
    void joinAtHeadSharesASequenceNumber();
    void gracefulStopRemovesLiveNodeFirst();
    void roleModesLandInTheirDirectories();
    void expiryAndRestartWithANewSession();
    void collectionsStateJson();
    void perReplicaStateChildren();
    void rolesJsonIsWritten();

private:
    // A fresh chroot per test keeps the tests independent on one server.
    QString chrootConnect(const QString &chroot) const
    {
        return m_server->connectString() + chroot;
    }

    std::unique_ptr<ZooKeeperServer> m_server;
    ZkClient m_zk; // at the real root
};

void TestSolrSim::initTestCase()
{
    m_server = std::make_unique<ZooKeeperServer>();
    auto started = m_server->start();
    if (!started && started.error().code == ErrorCode::NotFound)
        QSKIP(qPrintable(started.error().toString()));
    QVERIFY2(started.ok(), qPrintable(started.ok() ? QString() : started.error().toString()));
    auto connected = m_zk.connect(m_server->connectString());
    QVERIFY2(connected.ok(), qPrintable(connected.ok() ? QString() : connected.error().toString()));
}

void TestSolrSim::nodeNamesAndPayloadBytes()
{
    QCOMPARE(
        SolrClusterSim::makeNodeName(QStringLiteral("127.0.0.1"), 8983, QStringLiteral("solr")),
        QStringLiteral("127.0.0.1:8983_solr"));
    QCOMPARE(SolrClusterSim::makeNodeName(QStringLiteral("h"), 8983, QStringLiteral("/solr/sub/")),
             QStringLiteral("h:8983_solr%2Fsub"));
    QCOMPARE(SolrClusterSim::makeNodeName(QStringLiteral("h"), 8983, QStringLiteral("/")),
             QStringLiteral("h:8983_"));
    QCOMPARE(SolrClusterSim::makeNodeName(QStringLiteral("h"), 1, QStringLiteral("a b~")),
             QStringLiteral("h:1_a+b%7E"));
    QCOMPARE(SolrClusterSim::leaderPayload(QStringLiteral("72-h:8983_solr-n_0000000000")),
             QByteArray("{\"id\":\"72-h:8983_solr-n_0000000000\"}"));
    QCOMPARE(SolrClusterSim::rolesJson({QStringLiteral("a:8983_solr")}),
             QByteArray("{\"overseer\":[\"a:8983_solr\"]}"));
    QCOMPARE(SolrClusterSim::rolesJson({QStringLiteral("a:1_solr"), QStringLiteral("b:2_solr")}),
             QByteArray("{\"overseer\":[\n    \"a:1_solr\",\n    \"b:2_solr\"]}"));
}

void TestSolrSim::roleSpecs()
{
    using Roles = QList<QPair<QString, QString>>;
    auto roles = [](const QString &spec) { return SolrClusterSim::effectiveRoles(spec); };
    const auto p = [](const char *r, const char *m) {
        return qMakePair(QString::fromLatin1(r), QString::fromLatin1(m));
    };
    QCOMPARE(roles({}).value(),
             (Roles{p("data", "on"), p("overseer", "allowed"), p("coordinator", "off")}));
    QCOMPARE(roles(QStringLiteral("overseer:preferred")).value(),
             (Roles{p("data", "off"), p("overseer", "preferred"), p("coordinator", "off")}));
    QCOMPARE(roles(QStringLiteral("coordinator:on,data:off")).value(),
             (Roles{p("data", "off"), p("overseer", "disallowed"), p("coordinator", "on")}));
    QCOMPARE(roles(QStringLiteral("data:on,data:off,")).value().first(), p("data", "off"));
    QVERIFY(!roles(QStringLiteral("overseer")).ok());
    QVERIFY(!roles(QStringLiteral("data:on,,overseer:allowed")).ok());
    QVERIFY(!roles(QStringLiteral("DATA:on")).ok());
    QVERIFY(!roles(QStringLiteral("data:ON")).ok());
    QVERIFY(!roles(QStringLiteral("data:on, overseer:allowed")).ok());
}

void TestSolrSim::skeletonWithNullData()
{
    SolrClusterSim sim(chrootConnect(QStringLiteral("/skeleton")));
    auto booted = sim.bootstrap();
    QVERIFY2(booted.ok(), qPrintable(booted.ok() ? QString() : booted.error().toString()));
    QVERIFY(sim.bootstrap().ok()); // idempotent
    const QString root = QStringLiteral("/skeleton");
    const QStringList nullData = {
        QStringLiteral("/live_nodes"),
        QStringLiteral("/node_roles"),
        QStringLiteral("/node_roles/data"),
        QStringLiteral("/node_roles/data/on"),
        QStringLiteral("/node_roles/data/off"),
        QStringLiteral("/node_roles/overseer"),
        QStringLiteral("/node_roles/overseer/allowed"),
        QStringLiteral("/node_roles/overseer/preferred"),
        QStringLiteral("/node_roles/overseer/disallowed"),
        QStringLiteral("/node_roles/coordinator"),
        QStringLiteral("/node_roles/coordinator/on"),
        QStringLiteral("/node_roles/coordinator/off"),
        QStringLiteral("/collections"),
        QStringLiteral("/aliases.json"),
        QStringLiteral("/overseer/queue"),
        QStringLiteral("/overseer/queue-work"),
        QStringLiteral("/overseer/collection-queue-work"),
        QStringLiteral("/overseer/collection-map-running"),
        QStringLiteral("/overseer/collection-map-completed"),
        QStringLiteral("/overseer/collection-map-failure"),
        QStringLiteral("/overseer/async_ids"),
        QStringLiteral("/overseer_elect"),
        QStringLiteral("/overseer_elect/election"),
    };
    for (const QString &path : nullData) {
        const RawNode node = rawGet(m_zk, root + path);
        QVERIFY2(node.rc == ZOK, qPrintable(path));
        QVERIFY2(node.dataLength == -1, qPrintable(path));
        QCOMPARE(node.ephemeralOwner, 0);
    }
    QCOMPARE(rawGet(m_zk, root + QStringLiteral("/security.json")).data, QByteArray("{}"));
    QCOMPARE(rawGet(m_zk, root + QStringLiteral("/overseer")).dataLength, 0);
    QCOMPARE(m_zk.children(root + QStringLiteral("/node_roles")).value(),
             (QStringList{QStringLiteral("coordinator"), QStringLiteral("data"),
                          QStringLiteral("overseer")}));
    QVERIFY(m_zk.children(root + QStringLiteral("/overseer_elect/election"))->isEmpty());
    QVERIFY(sim.leaderNode().isEmpty());
    QVERIFY(sim.electionOrder().isEmpty());
}

void TestSolrSim::chrootIsCreated()
{
    SolrClusterSim sim(chrootConnect(QStringLiteral("/deep/chroot")));
    QVERIFY(sim.bootstrap().ok());
    auto started = sim.startNode(nodeSpec(8983));
    QVERIFY2(started.ok(), qPrintable(started.ok() ? QString() : started.error().toString()));
    QCOMPARE(m_zk.children(QStringLiteral("/deep/chroot/live_nodes")).value(),
             QStringList{QStringLiteral("127.0.0.1:8983_solr")});
    QVERIFY(!m_zk.exists(QStringLiteral("/live_nodes")).value());
    QCOMPARE(sim.leaderNode(), QStringLiteral("127.0.0.1:8983_solr"));
    const RawNode leader = rawGet(m_zk, QStringLiteral("/deep/chroot/overseer_elect/leader"));
    QCOMPARE(leader.data, SolrClusterSim::leaderPayload(sim.electionNode(0)));
}

void TestSolrSim::threeNodesLiveNodesRolesAndElection()
{
    const QString root = QStringLiteral("/three");
    SolrClusterSim sim(chrootConnect(root));
    QVERIFY(sim.bootstrap().ok());
    for (int i = 0; i < 3; ++i) {
        auto started = sim.startNode(nodeSpec(8983 + i));
        QVERIFY2(started.ok(), qPrintable(started.ok() ? QString() : started.error().toString()));
        QCOMPARE(started.value(), i);
        QVERIFY(sim.isRunning(i));
    }
    QStringList names;
    for (int i = 0; i < 3; ++i)
        names << sim.nodeName(i);
    QCOMPARE(names, (QStringList{QStringLiteral("127.0.0.1:8983_solr"),
                                 QStringLiteral("127.0.0.1:8984_solr"),
                                 QStringLiteral("127.0.0.1:8985_solr")}));
    QCOMPARE(m_zk.children(root + QStringLiteral("/live_nodes")).value(), names);

    // One leaf per role, in exactly one mode directory, owned by the node's session, null data.
    const QList<QPair<QString, QStringList>> modes = {
        {QStringLiteral("data"), {QStringLiteral("on"), QStringLiteral("off")}},
        {QStringLiteral("overseer"),
         {QStringLiteral("allowed"), QStringLiteral("preferred"), QStringLiteral("disallowed")}},
        {QStringLiteral("coordinator"), {QStringLiteral("on"), QStringLiteral("off")}},
    };
    const QStringList expected = {QStringLiteral("on"), QStringLiteral("allowed"),
                                  QStringLiteral("off")};
    for (int i = 0; i < 3; ++i) {
        const RawNode live = rawGet(m_zk, root + QStringLiteral("/live_nodes/") + names[i]);
        QCOMPARE(live.dataLength, -1);
        QCOMPARE(live.ephemeralOwner, sim.sessionId(i));
        for (qsizetype r = 0; r < modes.size(); ++r) {
            int found = 0;
            for (const QString &mode : modes[r].second) {
                const QString path = QStringLiteral("%1/node_roles/%2/%3/%4")
                                         .arg(root, modes[r].first, mode, names[i]);
                const RawNode leaf = rawGet(m_zk, path);
                if (leaf.rc != ZOK)
                    continue;
                ++found;
                QCOMPARE(mode, expected[r]);
                QCOMPARE(leaf.dataLength, -1);
                QCOMPARE(leaf.ephemeralOwner, sim.sessionId(i));
            }
            QCOMPARE(found, 1);
        }
    }

    // Election children: "<signed sid>-<node>-n_<10 digits>", EPHEMERAL of the node, null data.
    const QStringList children =
        m_zk.children(root + QStringLiteral("/overseer_elect/election")).value();
    QCOMPARE(children.size(), 3);
    static const QRegularExpression pattern(QStringLiteral("^(-?\\d+)-(.+)-n_(\\d{10})$"));
    for (int i = 0; i < 3; ++i) {
        const QString child = sim.electionNode(i);
        QVERIFY(children.contains(child));
        const auto match = pattern.match(child);
        QVERIFY2(match.hasMatch(), qPrintable(child));
        QCOMPARE(match.captured(1), QString::number(sim.sessionId(i)));
        QCOMPARE(match.captured(2), names[i]);
        const RawNode candidate =
            rawGet(m_zk, root + QStringLiteral("/overseer_elect/election/") + child);
        QCOMPARE(candidate.dataLength, -1);
        QCOMPARE(candidate.ephemeralOwner, sim.sessionId(i));
    }
    QCOMPARE(sim.electionOrder(), names);

    // The first node leads: the leader znode is its EPHEMERAL with exactly {"id":"<child>"}.
    QCOMPARE(sim.leaderNode(), names[0]);
    const RawNode leader = rawGet(m_zk, root + QStringLiteral("/overseer_elect/leader"));
    QCOMPARE(leader.data, QByteArray("{\"id\":\"") + sim.electionNode(0).toUtf8() + "\"}");
    QCOMPARE(leader.ephemeralOwner, sim.sessionId(0));
}

void TestSolrSim::killingTheLeaderMovesLeadership()
{
    const QString root = QStringLiteral("/kill");
    SolrClusterSim sim(chrootConnect(root));
    QVERIFY(sim.bootstrap().ok());
    for (int i = 0; i < 3; ++i)
        QVERIFY(sim.startNode(nodeSpec(8983 + i)).ok());
    QCOMPARE(sim.leaderNode(), sim.nodeName(0));

    sim.killNode(0);
    QVERIFY(!sim.isRunning(0));
    QTRY_COMPARE_WITH_TIMEOUT(sim.leaderNode(), sim.nodeName(1), kWaitMs);
    QCOMPARE(sim.electionOrder(), (QStringList{sim.nodeName(1), sim.nodeName(2)}));
    QCOMPARE(rawGet(m_zk, root + QStringLiteral("/overseer_elect/leader")).data,
             SolrClusterSim::leaderPayload(sim.electionNode(1)));
    QCOMPARE(m_zk.children(root + QStringLiteral("/live_nodes")).value(),
             (QStringList{sim.nodeName(1), sim.nodeName(2)}));
    QVERIFY(!m_zk.exists(root + QStringLiteral("/node_roles/data/on/") + sim.nodeName(0)).value());

    // Killed again: the last candidate takes over; the restarted node joins at the tail.
    sim.killNode(1);
    QTRY_COMPARE_WITH_TIMEOUT(sim.leaderNode(), sim.nodeName(2), kWaitMs);
    const qint64 oldSession = sim.sessionId(0);
    auto restarted = sim.restartNode(0);
    QVERIFY2(restarted.ok(), qPrintable(restarted.ok() ? QString() : restarted.error().toString()));
    QCOMPARE(restarted.value(), 0);
    QVERIFY(sim.sessionId(0) != oldSession);
    QCOMPARE(sim.electionOrder(), (QStringList{sim.nodeName(2), sim.nodeName(0)}));
    QCOMPARE(sim.leaderNode(), sim.nodeName(2));
    QCOMPARE(rawGet(m_zk, root + QStringLiteral("/live_nodes/") + sim.nodeName(0)).ephemeralOwner,
             sim.sessionId(0));
}

void TestSolrSim::preferredNodeTakesOverViaJoinAtHead()
{
    const QString root = QStringLiteral("/preferred");
    SolrClusterSim sim(chrootConnect(root));
    QVERIFY(sim.bootstrap().ok());
    QVERIFY(sim.startNode(nodeSpec(8983)).ok());
    QVERIFY(sim.startNode(nodeSpec(8984)).ok());
    const QString secondSeq = sim.electionNode(1).right(10);
    auto started = sim.startNode(nodeSpec(8985, QStringLiteral("overseer:preferred")));
    QVERIFY2(started.ok(), qPrintable(started.ok() ? QString() : started.error().toString()));
    const QString preferred = sim.nodeName(2);
    QVERIFY(
        m_zk.exists(root + QStringLiteral("/node_roles/overseer/preferred/") + preferred).value());
    QVERIFY(m_zk.exists(root + QStringLiteral("/node_roles/data/off/") + preferred).value());

    QTRY_COMPARE_WITH_TIMEOUT(sim.leaderNode(), preferred, kWaitMs);
    // It re-joined with the seq of the old second (a plain EPHEMERAL); the old second and the old
    // leader went to the tail in that order.
    QCOMPARE(sim.electionNode(2).right(10), secondSeq);
    QTRY_COMPARE_WITH_TIMEOUT(sim.electionOrder(),
                              (QStringList{preferred, sim.nodeName(1), sim.nodeName(0)}), kWaitMs);
    QCOMPARE(rawGet(m_zk, root + QStringLiteral("/overseer_elect/leader")).data,
             SolrClusterSim::leaderPayload(sim.electionNode(2)));

    // A second preferred node does not unseat a preferred leader.
    QVERIFY(sim.startNode(nodeSpec(8986, QStringLiteral("overseer:preferred"))).ok());
    QCOMPARE(sim.leaderNode(), preferred);

    // A non-preferred leader that takes over moves the waiting designate up and quits.
    sim.killNode(2);
    QTRY_COMPARE_WITH_TIMEOUT(sim.leaderNode(), sim.nodeName(3), kWaitMs);
}

void TestSolrSim::joinAtHeadSharesASequenceNumber()
{
    const QString root = QStringLiteral("/tie");
    SolrClusterSim sim(chrootConnect(root));
    QVERIFY(sim.bootstrap().ok());
    for (int i = 0; i < 3; ++i)
        QVERIFY(sim.startNode(nodeSpec(8983 + i)).ok());
    const QString secondSeq = sim.electionNode(1).right(10);
    QVERIFY(sim.rejoinElection(2, true).ok());
    QCOMPARE(sim.electionNode(2).right(10), secondSeq);
    const QStringList children =
        m_zk.children(root + QStringLiteral("/overseer_elect/election")).value();
    QCOMPARE(children.size(), 3);
    int sharing = 0;
    for (const QString &child : children)
        sharing += child.endsWith(QStringLiteral("-n_") + secondSeq) ? 1 : 0;
    QCOMPARE(sharing, 2);
    // The tie is broken by the whole name (the decimal session ids compare as strings).
    const bool secondFirst = sim.electionNode(1) < sim.electionNode(2);
    QCOMPARE(sim.electionOrder(), (QStringList{sim.nodeName(0), sim.nodeName(secondFirst ? 1 : 2),
                                               sim.nodeName(secondFirst ? 2 : 1)}));
    QCOMPARE(sim.leaderNode(), sim.nodeName(0));
    // The non-sequential candidate is still the node's EPHEMERAL.
    QCOMPARE(rawGet(m_zk, root + QStringLiteral("/overseer_elect/election/") + sim.electionNode(2))
                 .ephemeralOwner,
             sim.sessionId(2));
    QVERIFY(sim.rejoinElection(1, false).ok()); // op=rejoin: to the tail
    QCOMPARE(sim.electionOrder(), (QStringList{sim.nodeName(0), sim.nodeName(2), sim.nodeName(1)}));
}

void TestSolrSim::gracefulStopRemovesLiveNodeFirst()
{
    const QString root = QStringLiteral("/graceful");
    SolrClusterSim sim(chrootConnect(root));
    QVERIFY(sim.bootstrap().ok());
    for (int i = 0; i < 2; ++i)
        QVERIFY(sim.startNode(nodeSpec(8983 + i)).ok());
    const QString name = sim.nodeName(0);
    QVERIFY(sim.deleteLiveNode(0).ok());
    // The window between preClose() and the session close: role leaves, no live node.
    QVERIFY(!m_zk.exists(root + QStringLiteral("/live_nodes/") + name).value());
    QVERIFY(m_zk.exists(root + QStringLiteral("/node_roles/data/on/") + name).value());
    QVERIFY(m_zk.exists(root + QStringLiteral("/node_roles/overseer/allowed/") + name).value());
    QCOMPARE(sim.leaderNode(), name);

    sim.stopNode(0);
    QVERIFY(!sim.isRunning(0));
    QVERIFY(!m_zk.exists(root + QStringLiteral("/node_roles/data/on/") + name).value());
    QVERIFY(!m_zk.exists(root + QStringLiteral("/node_roles/coordinator/off/") + name).value());
    QCOMPARE(m_zk.children(root + QStringLiteral("/live_nodes")).value(),
             QStringList{sim.nodeName(1)});
    QTRY_COMPARE_WITH_TIMEOUT(sim.leaderNode(), sim.nodeName(1), kWaitMs);
    QCOMPARE(sim.electionOrder(), QStringList{sim.nodeName(1)});
}

void TestSolrSim::roleModesLandInTheirDirectories()
{
    const QString root = QStringLiteral("/modes");
    SolrClusterSim sim(chrootConnect(root));
    QVERIFY(sim.bootstrap().ok());
    QVERIFY(sim.startNode(nodeSpec(8983, QStringLiteral("coordinator:on,data:off"))).ok());
    QVERIFY(sim.startNode(nodeSpec(8984, QStringLiteral("data:off,overseer:allowed"))).ok());
    QVERIFY(sim.startNode(nodeSpec(8985, QStringLiteral("overseer:disallowed"))).ok());
    auto leaves = [&](const QString &dir) {
        return m_zk.children(root + QStringLiteral("/node_roles/") + dir).value();
    };
    QCOMPARE(leaves(QStringLiteral("coordinator/on")), QStringList{sim.nodeName(0)});
    QCOMPARE(leaves(QStringLiteral("coordinator/off")),
             (QStringList{sim.nodeName(1), sim.nodeName(2)}));
    QCOMPARE(leaves(QStringLiteral("data/off")),
             (QStringList{sim.nodeName(0), sim.nodeName(1), sim.nodeName(2)}));
    QVERIFY(leaves(QStringLiteral("data/on")).isEmpty());
    QCOMPARE(leaves(QStringLiteral("overseer/disallowed")),
             (QStringList{sim.nodeName(0), sim.nodeName(2)}));
    QCOMPARE(leaves(QStringLiteral("overseer/allowed")), QStringList{sim.nodeName(1)});
    // Disallowed nodes never stand for election.
    QCOMPARE(sim.electionOrder(), QStringList{sim.nodeName(1)});
    QVERIFY(sim.electionNode(0).isEmpty());
    QCOMPARE(sim.leaderNode(), sim.nodeName(1));

    // A spec Solr rejects starts nothing and writes nothing.
    QVERIFY(!sim.startNode(nodeSpec(8986, QStringLiteral("overseer"))).ok());
    QCOMPARE(m_zk.children(root + QStringLiteral("/live_nodes"))->size(), 3);
}

void TestSolrSim::expiryAndRestartWithANewSession()
{
    const QString root = QStringLiteral("/expiry");
    SolrClusterSim sim(chrootConnect(root));
    QVERIFY(sim.bootstrap().ok());
    SolrNodeSpec spec = nodeSpec(8983);
    spec.sessionTimeoutMs = 2000;
    QVERIFY(sim.startNode(spec).ok());
    QVERIFY(sim.startNode(nodeSpec(8984)).ok());
    const QString name = sim.nodeName(0);
    const qint64 oldSession = sim.sessionId(0);

    QCOMPARE(rawGet(m_zk, root + QStringLiteral("/live_nodes/") + name).ephemeralOwner, oldSession);
    // The session ends under the node: live node, role leaves and candidate go together.
    sim.expireNode(0);
    QVERIFY(!sim.isRunning(0));
    QTRY_VERIFY_WITH_TIMEOUT(!m_zk.exists(root + QStringLiteral("/live_nodes/") + name).value(),
                             kWaitMs);
    QVERIFY(!m_zk.exists(root + QStringLiteral("/node_roles/data/on/") + name).value());
    QTRY_COMPARE_WITH_TIMEOUT(sim.leaderNode(), sim.nodeName(1), kWaitMs);

    auto restarted = sim.restartNode(0);
    QVERIFY2(restarted.ok(), qPrintable(restarted.ok() ? QString() : restarted.error().toString()));
    QVERIFY(sim.isRunning(0));
    QVERIFY(sim.sessionId(0) != oldSession);
    QCOMPARE(rawGet(m_zk, root + QStringLiteral("/live_nodes/") + name).ephemeralOwner,
             sim.sessionId(0));
    QCOMPARE(sim.electionOrder(), (QStringList{sim.nodeName(1), name}));
}

void TestSolrSim::collectionsStateJson()
{
    const QString root = QStringLiteral("/coll");
    SolrClusterSim sim(chrootConnect(root));
    QVERIFY(sim.bootstrap().ok());
    const QString a = QStringLiteral("127.0.0.1:8983_solr");
    const QString b = QStringLiteral("127.0.0.1:8984_solr");
    auto added =
        sim.addCollection(QStringLiteral("products"),
                          {{QStringLiteral("shard1"), {a, b}}, {QStringLiteral("shard2"), {b, a}}});
    QVERIFY2(added.ok(), qPrintable(added.ok() ? QString() : added.error().toString()));
    const RawNode collection = rawGet(m_zk, root + QStringLiteral("/collections/products"));
    QCOMPARE(collection.rc, ZOK);
    const QByteArray bytes =
        rawGet(m_zk, root + QStringLiteral("/collections/products/state.json")).data;
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(bytes, &error);
    QVERIFY2(error.error == QJsonParseError::NoError, bytes.constData());
    QVERIFY(bytes.startsWith("{\"products\":{\n    \"")); // noggit, indent 2
    const QJsonObject props = doc.object().value(QStringLiteral("products")).toObject();
    QCOMPARE(
        props.value(QStringLiteral("router")).toObject().value(QStringLiteral("name")).toString(),
        QStringLiteral("compositeId"));
    const QJsonObject shards = props.value(QStringLiteral("shards")).toObject();
    QCOMPARE(shards.keys(), (QStringList{QStringLiteral("shard1"), QStringLiteral("shard2")}));
    QCOMPARE(
        shards.value(QStringLiteral("shard1")).toObject().value(QStringLiteral("range")).toString(),
        QStringLiteral("80000000-ffffffff"));
    QCOMPARE(
        shards.value(QStringLiteral("shard2")).toObject().value(QStringLiteral("range")).toString(),
        QStringLiteral("0-7fffffff"));
    const QJsonObject replicas = shards.value(QStringLiteral("shard1"))
                                     .toObject()
                                     .value(QStringLiteral("replicas"))
                                     .toObject();
    QCOMPARE(replicas.keys(),
             (QStringList{QStringLiteral("core_node2"), QStringLiteral("core_node4")}));
    const QJsonObject first = replicas.value(QStringLiteral("core_node2")).toObject();
    QCOMPARE(first.value(QStringLiteral("core")).toString(),
             QStringLiteral("products_shard1_replica_n1"));
    QCOMPARE(first.value(QStringLiteral("node_name")).toString(), a);
    QCOMPARE(first.value(QStringLiteral("base_url")).toString(),
             QStringLiteral("http://127.0.0.1:8983/solr"));
    QCOMPARE(first.value(QStringLiteral("state")).toString(), QStringLiteral("active"));
    QCOMPARE(first.value(QStringLiteral("type")).toString(), QStringLiteral("NRT"));
    QCOMPARE(first.value(QStringLiteral("leader")).toString(), QStringLiteral("true"));
    QVERIFY(!replicas.value(QStringLiteral("core_node4"))
                 .toObject()
                 .contains(QStringLiteral("leader")));
    QCOMPARE(replicas.value(QStringLiteral("core_node4"))
                 .toObject()
                 .value(QStringLiteral("node_name"))
                 .toString(),
             b);
    QVERIFY(m_zk.children(root + QStringLiteral("/collections/products/state.json"))->isEmpty());
    // Overwritable (a re-layout).
    QVERIFY(sim.addCollection(QStringLiteral("products"), {{QStringLiteral("shard1"), {a}}}).ok());
}

void TestSolrSim::perReplicaStateChildren()
{
    const QString root = QStringLiteral("/prs");
    SolrClusterSim sim(chrootConnect(root));
    QVERIFY(sim.bootstrap().ok());
    const QString a = QStringLiteral("127.0.0.1:8983_solr");
    const QString b = QStringLiteral("127.0.0.1:8984_solr");
    QVERIFY(
        sim.addCollection(QStringLiteral("logs"), {{QStringLiteral("shard1"), {a, b}}}, true).ok());
    const QString state = root + QStringLiteral("/collections/logs/state.json");
    QCOMPARE(m_zk.children(state).value(),
             (QStringList{QStringLiteral("core_node2:0:A:L"), QStringLiteral("core_node4:0:A")}));
    const QJsonObject props = QJsonDocument::fromJson(rawGet(m_zk, state).data)
                                  .object()
                                  .value(QStringLiteral("logs"))
                                  .toObject();
    QCOMPARE(props.value(QStringLiteral("perReplicaState")).toString(), QStringLiteral("true"));
}

void TestSolrSim::rolesJsonIsWritten()
{
    const QString root = QStringLiteral("/legacy");
    SolrClusterSim sim(chrootConnect(root));
    QVERIFY(sim.bootstrap().ok());
    QVERIFY(sim.startNode(nodeSpec(8983)).ok());
    QVERIFY(sim.startNode(nodeSpec(8984)).ok());
    // The new leader's prioritizer runs as its own task (as in Solr); written before that run,
    // /roles.json would already hand leadership to node 1.
    QTRY_COMPARE_WITH_TIMEOUT(sim.leaderNode(), sim.nodeName(0), kWaitMs);
    QVERIFY(sim.waitForIdle(kWaitMs));
    QVERIFY(sim.writeRolesJson({sim.nodeName(1)}).ok());
    QCOMPARE(rawGet(m_zk, root + QStringLiteral("/roles.json")).data,
             QByteArray("{\"overseer\":[\"127.0.0.1:8984_solr\"]}"));
    QVERIFY(sim.writeRolesJson({sim.nodeName(1), QStringLiteral("gone:1_solr")}).ok());
    QCOMPARE(rawGet(m_zk, root + QStringLiteral("/roles.json")).data,
             QByteArray("{\"overseer\":[\n    \"127.0.0.1:8984_solr\",\n    \"gone:1_solr\"]}"));
    // A node named in /roles.json is a designate too: when it (re)starts, the Overseer steps
    // aside for it (checkOverseerDesignate).
    QCOMPARE(sim.leaderNode(), sim.nodeName(0));
    QVERIFY(sim.restartNode(1).ok());
    QTRY_COMPARE_WITH_TIMEOUT(sim.leaderNode(), sim.nodeName(1), kWaitMs);
}

OPSDECK_TEST_GUILESS_MAIN(TestSolrSim)
#include "tst_solrsim.moc"
