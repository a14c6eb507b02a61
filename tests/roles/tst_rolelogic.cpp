// SPDX-License-Identifier: GPL-3.0-or-later
#include "roles/findings.h"
#include "roles/rolesnapshot.h"
#include "roles/rolespec.h"
#include "roles/solrjson.h"
#include "roles/solrnames.h"
#include "testmain.h"

#include <algorithm>

using namespace opsdeck;
using namespace opsdeck::roles;

namespace {

QString s(const char *text)
{
    return QString::fromUtf8(text);
}

const QString kA = QStringLiteral("a:8983_solr");
const QString kB = QStringLiteral("b:8983_solr");
const QString kC = QStringLiteral("c:8983_solr");
const QString kD = QStringLiteral("d:8983_solr");

QString child(qint64 sid, const QString &node, qint32 seq)
{
    QString seqText = QString::number(seq);
    if (seq >= 0)
        seqText = seqText.rightJustified(10, u'0');
    return QString::number(sid) + u'-' + node + QLatin1String("-n_") + seqText;
}

void live(SolrTree &t, const QString &node, qint64 sid)
{
    t.liveNodesExists = true;
    t.liveNodes.append({node, sid, 0});
}

void leaf(SolrTree &t, const QString &role, const QString &mode, const QString &node, qint64 sid)
{
    t.nodeRolesExists = true;
    t.roleLeaves[role][mode].append({node, sid, 0});
}

// A node as Solr 9 writes it: live node + one leaf per role.
void solrNode(SolrTree &t, const QString &node, qint64 sid, const QString &data,
              const QString &overseer, const QString &coordinator = QStringLiteral("off"))
{
    live(t, node, sid);
    leaf(t, role::data(), data, node, sid);
    leaf(t, role::overseer(), overseer, node, sid);
    leaf(t, role::coordinator(), coordinator, node, sid);
}

QString candidate(SolrTree &t, qint64 sid, const QString &node, qint32 seq)
{
    t.electionExists = true;
    const QString name = child(sid, node, seq);
    t.electionChildren.append({name, sid, 0});
    return name;
}

void setLeader(SolrTree &t, const QString &id, qint64 owner)
{
    t.leaderExists = true;
    t.leaderData = QByteArray("{\"id\":\"") + id.toUtf8() + QByteArray("\"}");
    t.leaderEphemeralOwner = owner;
}

// Healthy: a and b data:on overseer:allowed, a leads.
SolrTree healthy()
{
    SolrTree t;
    solrNode(t, kA, 1, QStringLiteral("on"), QStringLiteral("allowed"));
    solrNode(t, kB, 2, QStringLiteral("on"), QStringLiteral("allowed"));
    const QString a = candidate(t, 1, kA, 1);
    candidate(t, 2, kB, 2);
    setLeader(t, a, 1);
    return t;
}

ReplicaInfo replica(const QString &collection, const QString &node)
{
    ReplicaInfo r;
    r.collection = collection;
    r.shard = QStringLiteral("shard1");
    r.replica = QStringLiteral("core_node1");
    r.core = collection + QStringLiteral("_shard1_replica_n1");
    r.node = node;
    r.state = QStringLiteral("active");
    r.type = QStringLiteral("NRT");
    return r;
}

SolrTree makeScenario(const QString &name)
{
    SolrTree t = healthy();
    if (name == u"no_eligible") {
        t = SolrTree();
        solrNode(t, kA, 1, QStringLiteral("on"), QStringLiteral("disallowed"));
        solrNode(t, kB, 2, QStringLiteral("on"), QStringLiteral("disallowed"));
        t.electionExists = true;
    } else if (name == u"no_leader_candidates") {
        t.leaderExists = false;
        t.leaderData.clear();
    } else if (name == u"leader_garbage") {
        t.leaderData = QByteArray("garbage{");
    } else if (name == u"leader_bad_id") {
        t.leaderData = QByteArray("{\"id\":\"nonsense\"}");
    } else if (name == u"leader_not_head") {
        setLeader(t, child(2, kB, 2), 2);
    } else if (name == u"leader_stale") {
        setLeader(t, child(99, kA, 0), 0);
    } else if (name == u"leader_disallowed") {
        solrNode(t, kC, 3, QStringLiteral("on"), QStringLiteral("disallowed"));
        setLeader(t, candidate(t, 3, kC, 0), 3);
    } else if (name == u"leader_session_mismatch") {
        t.leaderEphemeralOwner = 999;
    } else if (name == u"role_leaf_not_live") {
        leaf(t, role::data(), QStringLiteral("on"), kC, 3);
        leaf(t, role::overseer(), QStringLiteral("allowed"), kC, 3);
    } else if (name == u"live_without_roles") {
        live(t, kD, 4);
    } else if (name == u"data_off_replicas") {
        solrNode(t, kC, 3, QStringLiteral("off"), QStringLiteral("disallowed"));
        t.replicas.append(replica(QStringLiteral("books"), kC));
    } else if (name == u"coordinator_synthetic") {
        solrNode(t, kC, 3, QStringLiteral("off"), QStringLiteral("disallowed"),
                 QStringLiteral("on"));
        t.replicas.append(replica(QStringLiteral(".sys.COORDINATOR-COLL-_default"), kC));
    } else if (name == u"synthetic_not_coordinator") {
        solrNode(t, kC, 3, QStringLiteral("off"), QStringLiteral("disallowed"));
        t.replicas.append(replica(QStringLiteral(".sys.COORDINATOR-COLL-_default"), kC));
    } else if (name == u"duplicate") {
        candidate(t, 7, kA, 5);
    } else if (name == u"candidate_not_live_tail") {
        candidate(t, 5, kD, 9);
    } else if (name == u"candidate_not_live_head") {
        t = SolrTree();
        solrNode(t, kA, 1, QStringLiteral("on"), QStringLiteral("allowed"));
        setLeader(t, candidate(t, 5, kD, 0), 5);
        candidate(t, 1, kA, 1);
    } else if (name == u"unknown_role") {
        leaf(t, QStringLiteral("quantum"), QStringLiteral("on"), kA, 1);
    } else if (name == u"unknown_mode") {
        live(t, kD, 4);
        leaf(t, role::data(), QStringLiteral("on"), kD, 4);
        leaf(t, role::overseer(), QStringLiteral("disallowed"), kD, 4);
        leaf(t, role::coordinator(), QStringLiteral("maybe"), kD, 4);
    } else if (name == u"roles_json") {
        t.rolesJsonExists = true;
        t.rolesJson = QByteArray("{\"overseer\":[\"b:8983_solr\"]}");
    } else if (name == u"roles_json_garbage") {
        t.rolesJsonExists = true;
        t.rolesJson = QByteArray("{\"overseer\":");
    } else if (name == u"negative_sid") {
        t.electionChildren.removeLast();
        t.electionChildren.append({child(-72057594037927935LL, kB, 2), -72057594037927935LL, 0});
        t.liveNodes[1].ephemeralOwner = -72057594037927935LL;
    } else if (name == u"negative_seq") {
        candidate(t, 2, kB, -2147483647 - 1);
    } else if (name == u"garbage_child") {
        t.electionChildren.append({QStringLiteral("garbage"), 8, 0});
    }
    return t;
}

const Finding *findCode(const QList<Finding> &fs, const QString &code)
{
    for (const Finding &f : fs)
        if (f.code == code)
            return &f;
    return nullptr;
}

QStringList codes(const QList<Finding> &fs)
{
    QStringList out;
    for (const Finding &f : fs)
        out << f.code;
    return out;
}

QStringList order(const RolesSnapshot &snap)
{
    QStringList out;
    for (const ElectionCandidate &c : snap.election)
        out << c.znode;
    return out;
}

} // namespace

class TestRoleLogic : public QObject
{
    Q_OBJECT

private slots:
    void roleSpec_data();
    void roleSpec();
    void roleSpecExplained();
    void splitSmartTokens();
    void nodeName_data();
    void nodeName();
    void electionName_data();
    void electionName();
    void electionOrder_data();
    void electionOrder();
    void javaOrder();
    void snapshot();
    void healthyHasNoFindings();
    void findings_data();
    void findings();
    void preferredGrace();
    void tracker();
    void whatIf();
    void collectionState();
};

// ---- role specs ---------------------------------------------------------------------------------

void TestRoleLogic::roleSpec_data()
{
    QTest::addColumn<QString>("spec");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<QString>("effective"); // data,overseer,coordinator,zookeeper_quorum
    QTest::addColumn<int>("kind");
    QTest::addColumn<int>("position");
    QTest::addColumn<int>("item");
    QTest::addColumn<QString>("message");

    const int none = -1;
    QTest::newRow("null") << QString() << true << s("on,allowed,off,off") << none << 0 << 0
                          << QString();
    QTest::newRow("empty") << s("") << true << s("on,allowed,off,off") << none << 0 << 0
                           << QString();
    QTest::newRow("preferred alone") << s("overseer:preferred") << true
                                     << s("off,preferred,off,off") << none << 0 << 0 << QString();
    QTest::newRow("coordinator") << s("coordinator:on,data:off") << true
                                 << s("off,disallowed,on,off") << none << 0 << 0 << QString();
    QTest::newRow("last wins") << s("data:on,data:off") << true << s("off,disallowed,off,off")
                               << none << 0 << 0 << QString();
    QTest::newRow("trailing comma")
        << s("data:on,") << true << s("on,disallowed,off,off") << none << 0 << 0 << QString();
    QTest::newRow("extra token") << s("data:on:extra") << true << s("on,disallowed,off,off") << none
                                 << 0 << 0 << QString();
    QTest::newRow("zookeeper_quorum") << s("zookeeper_quorum:on,overseer:allowed") << true
                                      << s("off,allowed,off,on") << none << 0 << 0 << QString();
    QTest::newRow("no mode") << s("overseer") << false << QString()
                             << int(RoleSpecError::MissingMode) << 8 << 0 << QString();
    QTest::newRow("empty mode") << s("data:on,data:") << false << QString()
                                << int(RoleSpecError::MissingMode) << 13 << 1 << QString();
    QTest::newRow("empty item") << s("data:on,,overseer:allowed") << false << QString()
                                << int(RoleSpecError::EmptyItem) << 8 << 1 << QString();
    QTest::newRow("only comma") << s(",") << false << QString() << int(RoleSpecError::EmptyItem)
                                << 0 << 0 << QString();
    QTest::newRow("space after comma")
        << s("data:on, overseer:allowed") << false << QString() << int(RoleSpecError::UnknownRole)
        << 8 << 1 << s("Unknown role:  overseer");
    QTest::newRow("trailing space")
        << s("overseer:preferred ") << false << QString() << int(RoleSpecError::UnknownMode) << 9
        << 0 << s("Unknown role mode 'preferred ' for role 'overseer'");
    QTest::newRow("DATA") << s("DATA:on") << false << QString() << int(RoleSpecError::UnknownRole)
                          << 0 << 0 << s("Unknown role: DATA");
    QTest::newRow("ON") << s("data:ON") << false << QString() << int(RoleSpecError::UnknownMode)
                        << 5 << 0 << s("Unknown role mode 'ON' for role 'data'");
    QTest::newRow("whitespace") << s(" ") << false << QString() << int(RoleSpecError::UnknownRole)
                                << 0 << 0 << s("Unknown role:  ");
    QTest::newRow("unknown role before missing mode")
        << s("data:on,foo") << false << QString() << int(RoleSpecError::UnknownRole) << 8 << 1
        << s("Unknown role: foo");
    QTest::newRow("quoted comma not split")
        << s("data:'on,off'") << false << QString() << int(RoleSpecError::UnknownMode) << 5 << 0
        << s("Unknown role mode ''on,off'' for role 'data'");
    QTest::newRow("mode of another role")
        << s("data:allowed") << false << QString() << int(RoleSpecError::UnknownMode) << 5 << 0
        << s("Unknown role mode 'allowed' for role 'data'");
}

void TestRoleLogic::roleSpec()
{
    QFETCH(QString, spec);
    QFETCH(bool, ok);
    QFETCH(QString, effective);
    QFETCH(int, kind);
    QFETCH(int, position);
    QFETCH(int, item);
    QFETCH(QString, message);

    RoleSpecError err;
    err.position = -99;
    const Result<EffectiveRoles> r = validateRoleSpec(spec, &err);
    QCOMPARE(r.ok(), ok);
    if (ok) {
        const QStringList modes = effective.split(u',');
        QCOMPARE(r->modes.value(role::data()), modes.at(0));
        QCOMPARE(r->modes.value(role::overseer()), modes.at(1));
        QCOMPARE(r->modes.value(role::coordinator()), modes.at(2));
        QCOMPARE(r->modes.value(role::zookeeperQuorum()), modes.at(3));
        QCOMPARE(r->modes.size(), 4);
        QCOMPARE(r->usedDefault, spec.isEmpty());
        QCOMPARE(err.position, -99); // untouched on success
        return;
    }
    QCOMPARE(int(err.kind), kind);
    QCOMPARE(err.position, position);
    QCOMPARE(err.itemIndex, item);
    QCOMPARE(r.error().code, ErrorCode::InvalidArgument);
    QVERIFY(r.error().message.contains(QStringLiteral("position %1").arg(position)));
    if (!message.isEmpty()) {
        QCOMPARE(err.message, message);
        QVERIFY(err.solrBehaviour.contains(message));
    } else {
        QVERIFY(err.solrBehaviour.contains(QLatin1String("IndexOutOfBoundsException")));
        QVERIFY(!err.message.isEmpty());
    }
}

void TestRoleLogic::roleSpecExplained()
{
    const Result<EffectiveRoles> r = validateRoleSpec(QStringLiteral("overseer:preferred"));
    QVERIFY(r.ok());
    QCOMPARE(r->explicitRole.value(role::overseer()), true);
    QCOMPARE(r->explicitRole.value(role::data()), false);
    QVERIFY(r->explanation.contains(QLatin1String("data:off (not listed")));
    QVERIFY(r->explanation.contains(QLatin1String("overseer:preferred (item 0")));

    const Result<EffectiveRoles> d = validateRoleSpec(QString());
    QVERIFY(d.ok());
    QCOMPARE(d->explicitRole.value(role::data()), true); // from the default spec
    QCOMPARE(d->explicitRole.value(role::coordinator()), false);
    QVERIFY(d->explanation.contains(QLatin1String("default")));
}

void TestRoleLogic::splitSmartTokens()
{
    auto texts = [](const QList<SplitToken> &ts) {
        QStringList out;
        for (const SplitToken &t : ts)
            out << t.text + u'@' + QString::number(t.offset);
        return out;
    };
    QCOMPARE(texts(splitSmart(s("a,,b,"), u',')), (QStringList{s("a@0"), s("@2"), s("b@3")}));
    QCOMPARE(texts(splitSmart(s("a\\,b,c"), u',')), (QStringList{s("a\\,b@0"), s("c@5")}));
    QCOMPARE(texts(splitSmart(s("it's,x"), u',')), (QStringList{s("it's@0"), s("x@5")}));
    QCOMPARE(texts(splitSmart(s(""), u',')), QStringList());
    QCOMPARE(texts(splitSmart(s(","), u',')), QStringList{s("@0")});
}

// ---- names --------------------------------------------------------------------------------------

void TestRoleLogic::nodeName_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<QString>("host");
    QTest::addColumn<int>("port");
    QTest::addColumn<QString>("context");

    QTest::newRow("plain") << s("h:8983_solr") << true << s("h") << 8983 << s("solr");
    QTest::newRow("k8s") << s("solr-0.solr-headless.ns.svc.cluster.local:8983_solr") << true
                         << s("solr-0.solr-headless.ns.svc.cluster.local") << 8983 << s("solr");
    QTest::newRow("underscore host")
        << s("my_host:8983_solr") << true << s("my_host") << 8983 << s("solr");
    QTest::newRow("-n_ in host") << s("host-n_1:8983_solr") << true << s("host-n_1") << 8983
                                 << s("solr");
    QTest::newRow("ipv6") << s("0:0:0:0:0:0:0:1:8983_solr") << true << s("0:0:0:0:0:0:0:1") << 8983
                          << s("solr");
    QTest::newRow("root context") << s("h:8983_") << true << s("h") << 8983 << s("");
    QTest::newRow("encoded context")
        << s("h:8983_solr%2Fsub") << true << s("h") << 8983 << s("solr/sub");
    QTest::newRow("plus is space") << s("h:7574_my+solr") << true << s("h") << 7574 << s("my solr");
    QTest::newRow("underscore in context")
        << s("h:8983_so_lr") << true << s("h") << 8983 << s("so_lr");
    QTest::newRow("no colon") << s("garbage") << false << QString() << -1 << QString();
    QTest::newRow("no underscore") << s("h:8983") << false << s("h") << 8983 << QString();
    QTest::newRow("bad port") << s("h:89x3_solr") << false << s("h") << -1 << QString();
    QTest::newRow("port too big") << s("h:65536_solr") << false << s("h") << -1 << QString();
    QTest::newRow("empty host") << s(":8983_solr") << false << QString() << 8983 << QString();
    QTest::newRow("bad escape") << s("h:8983_solr%2") << false << s("h") << 8983 << QString();
}

void TestRoleLogic::nodeName()
{
    QFETCH(QString, name);
    QFETCH(bool, ok);
    QFETCH(QString, host);
    QFETCH(int, port);
    QFETCH(QString, context);
    const NodeName n = parseNodeName(name);
    QCOMPARE(n.ok, ok);
    QCOMPARE(n.error.isEmpty(), ok);
    QCOMPARE(n.host, host);
    QCOMPARE(n.port, port);
    if (ok)
        QCOMPARE(n.context, context);
}

void TestRoleLogic::electionName_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<qint64>("sid");
    QTest::addColumn<QString>("node");
    QTest::addColumn<int>("seq");
    QTest::addColumn<bool>("misreads");
    QTest::addColumn<QString>("solrNode");

    QTest::newRow("plain") << s("72057594037927935-h:8983_solr-n_0000000003") << true
                           << qint64(72057594037927935LL) << s("h:8983_solr") << 3 << false
                           << s("h:8983_solr");
    QTest::newRow("negative sid") << s("-72057594037927935-h:8983_solr-n_0000000003") << true
                                  << qint64(-72057594037927935LL) << s("h:8983_solr") << 3 << true
                                  << s("72057594037927935-h:8983_solr");
    QTest::newRow("min sid") << s("-9223372036854775808-h:8983_solr-n_0000000001") << true
                             << std::numeric_limits<qint64>::min() << s("h:8983_solr") << 1 << true
                             << s("9223372036854775808-h:8983_solr");
    QTest::newRow("seq max") << s("1-h:8983_solr-n_2147483647") << true << qint64(1)
                             << s("h:8983_solr") << 2147483647 << false << s("h:8983_solr");
    QTest::newRow("seq overflowed")
        << s("1-h:8983_solr-n_-2147483648") << true << qint64(1) << s("h:8983_solr")
        << int(-2147483647 - 1) << true << QString();
    QTest::newRow("k8s") << s("1-solr-0.solr-headless.ns.svc.cluster.local:8983_solr-n_0000000001")
                         << true << qint64(1)
                         << s("solr-0.solr-headless.ns.svc.cluster.local:8983_solr") << 1 << false
                         << s("solr-0.solr-headless.ns.svc.cluster.local:8983_solr");
    QTest::newRow("-n_ in host") << s("5-host-n_1:8983_solr-n_0000000005") << true << qint64(5)
                                 << s("host-n_1:8983_solr") << 5 << false
                                 << s("host-n_1:8983_solr");
    QTest::newRow("ipv6 node") << s("5-0:0:0:0:0:0:0:1:8983_solr-n_0000000007") << true << qint64(5)
                               << s("0:0:0:0:0:0:0:1:8983_solr") << 7 << false
                               << s("0:0:0:0:0:0:0:1:8983_solr");
    QTest::newRow("garbage") << s("garbage") << false << qint64(0) << QString() << 0 << false
                             << QString();
    QTest::newRow("letters seq") << s("1-h:8983_solr-n_abc") << false << qint64(0) << QString() << 0
                                 << false << QString();
    QTest::newRow("seq too big") << s("1-h:8983_solr-n_2147483648") << false << qint64(0)
                                 << QString() << 0 << false << s("h:8983_solr");
    QTest::newRow("no session") << s("h:8983_solr-n_0000000001") << false << qint64(0) << QString()
                                << 0 << false << QString();
    QTest::newRow("session not a number") << s("x-h:8983_solr-n_0000000001") << false << qint64(0)
                                          << QString() << 0 << false << s("h:8983_solr");
    QTest::newRow("empty node") << s("1--n_0000000001") << false << qint64(0) << QString() << 0
                                << false << QString();
}

void TestRoleLogic::electionName()
{
    QFETCH(QString, name);
    QFETCH(bool, ok);
    QFETCH(qint64, sid);
    QFETCH(QString, node);
    QFETCH(int, seq);
    QFETCH(bool, misreads);
    QFETCH(QString, solrNode);
    const ElectionName e = parseElectionName(name);
    QCOMPARE(e.ok, ok);
    QCOMPARE(e.error.isEmpty(), ok);
    QCOMPARE(e.solrReadsNodeAs, solrNode);
    if (!ok)
        return;
    QCOMPARE(e.sessionId, sid);
    QCOMPARE(e.nodeName, node);
    QCOMPARE(e.sequence, seq);
    QCOMPARE(e.solrMisreads, misreads);
    QCOMPARE(e.solrProblem.isEmpty(), !misreads);
}

void TestRoleLogic::electionOrder_data()
{
    QTest::addColumn<QStringList>("names"); // in the expected order

    QTest::newRow("by seq, not by name")
        << QStringList{s("9-z:8983_solr-n_0000000001"), s("1-a:8983_solr-n_0000000002"),
                       s("5-m:8983_solr-n_0000000010")};
    QTest::newRow("join at head: tie on session string") << QStringList{
        s("144115188075855872-b:8983_solr-n_0000000002"),
        s("72057594037927936-a:8983_solr-n_0000000002"), s("3-c:8983_solr-n_0000000003")};
    QTest::newRow("signed seq: overflowed first")
        << QStringList{s("1-o:8983_solr-n_-2147483648"), s("1-a:8983_solr-n_0000000000"),
                       s("1-m:8983_solr-n_2147483647")};
    QTest::newRow("negative sid tie")
        << QStringList{s("-5-a:8983_solr-n_0000000004"), s("-6-a:8983_solr-n_0000000004"),
                       s("4-a:8983_solr-n_0000000004")};
    QTest::newRow("unparsable last")
        << QStringList{s("2-a:8983_solr-n_0000000100"), s("aaa"), s("zzz-n_x")};
}

void TestRoleLogic::electionOrder()
{
    QFETCH(QStringList, names);
    for (int i = 0; i + 1 < names.size(); ++i) {
        QVERIFY2(electionLess(names.at(i), names.at(i + 1)), qPrintable(names.at(i)));
        QVERIFY2(!electionLess(names.at(i + 1), names.at(i)), qPrintable(names.at(i)));
    }
    // the snapshot sorts ZooKeeper's unordered list the same way, and chains the watches
    SolrTree t;
    QStringList shuffled = names;
    std::reverse(shuffled.begin(), shuffled.end());
    std::rotate(shuffled.begin(), shuffled.begin() + 1, shuffled.end());
    for (const QString &n : shuffled)
        t.electionChildren.append({n, 1, 0});
    const RolesSnapshot snap = buildSnapshot(t);
    QCOMPARE(order(snap), names);
    for (int i = 0; i < snap.election.size(); ++i) {
        QCOMPARE(snap.election.at(i).position, i);
        QCOMPARE(snap.election.at(i).watches, i == 0 ? QString() : names.at(i - 1));
    }
}

void TestRoleLogic::javaOrder()
{
    // UTF-16 code units: U+FFFF sorts after U+10000 (a surrogate pair starting 0xD800)
    const QString bmpHigh(QChar(0xFFFF));
    const QString astral = QString::fromUcs4(U"\U00010000");
    QVERIFY(javaStringCompare(astral, bmpHigh) < 0);
    QVERIFY(javaStringCompare(s("ab"), s("abc")) < 0);
    QVERIFY(javaStringCompare(s("B"), s("a")) < 0); // case-sensitive, code unit order
    QCOMPARE(javaStringCompare(s("x"), s("x")), 0);
}

// ---- snapshot -----------------------------------------------------------------------------------

void TestRoleLogic::snapshot()
{
    SolrTree t = healthy();
    t.chroot = QStringLiteral("/solr");
    // a node only named by a replica, one only in roles.json, one only as a candidate
    t.replicas.append(replica(QStringLiteral("books"), kA));
    t.replicas.append(replica(QStringLiteral("films"), kA));
    t.replicas.append(replica(QStringLiteral("books"), kC));
    t.rolesJsonExists = true;
    t.rolesJson = QByteArray("{\"overseer\":[\"e:8983_solr\"]}");
    candidate(t, 4, kD, 3);
    t.liveNodeData.insert(kA, QByteArray("{\"solrVersion\":\"10.0.0\",\"nodeName\":\"a:8983_solr\","
                                         "\"roles\":{\"data\":\"on\"}}"));
    t.overseerQueueSizes.insert(QStringLiteral("queue"), 3);
    t.securityJsonExists = true;
    t.securityJsonSize = 2;

    const RolesSnapshot snap = buildSnapshot(t, QDateTime(QDate(2025, 1, 1), QTime(0, 0), Qt::UTC));
    QStringList names;
    for (const NodeInfo &n : snap.nodes)
        names << n.name;
    QCOMPARE(names, (QStringList{kA, kB, kC, kD, s("e:8983_solr")}));

    const NodeInfo *a = snap.node(kA);
    QVERIFY(a);
    QVERIFY(a->live);
    QCOMPARE(a->liveSession, qint64(1));
    QCOMPARE(a->host, s("a"));
    QCOMPARE(a->port, 8983);
    QCOMPARE(a->context, s("solr"));
    QCOMPARE(a->mode(role::overseer()), s("allowed"));
    QCOMPARE(a->mode(role::zookeeperQuorum()), QString()); // no leaf = unknown
    QCOMPARE(a->replicaCount, 2);
    QCOMPARE(a->collections, (QStringList{s("books"), s("films")}));
    QCOMPARE(a->solrVersion, s("10.0.0"));
    QCOMPARE(a->liveDataRoles.value(role::data()), s("on"));
    QCOMPARE(a->candidateCount, 1);

    const NodeInfo *c = snap.node(kC);
    QVERIFY(c);
    QVERIFY(!c->live);
    QCOMPARE(c->replicaCount, 1);
    QVERIFY(!c->hasRoleLeaves());
    const NodeInfo *e = snap.node(s("e:8983_solr"));
    QVERIFY(e);
    QCOMPARE(e->rolesJsonOverseer, QStringList{role::overseer()});
    QVERIFY(e->isOverseerDesignate());
    QVERIFY(!snap.node(s("nope:1_x")));

    QCOMPARE(snap.election.size(), 3);
    QCOMPARE(snap.election.at(0).node, kA);
    QCOMPARE(snap.election.at(1).node, kB);
    QCOMPARE(snap.election.at(1).watches, child(1, kA, 1));
    QCOMPARE(snap.election.at(2).node, kD);
    QCOMPARE(snap.election.at(2).sequence, 3);
    QCOMPARE(snap.election.at(2).sessionId, qint64(4));
    QVERIFY(snap.leader.exists);
    QVERIFY(snap.leader.parsable);
    QVERIFY(snap.leader.isHead);
    QVERIFY(snap.leader.inQueue);
    QCOMPARE(snap.leader.node, kA);
    QCOMPARE(snap.leader.znode, child(1, kA, 1));
    QCOMPARE(snap.leader.session, qint64(1));
    QCOMPARE(snap.overseerQueueSizes.value(s("queue")), 3);
    QVERIFY(snap.securityJsonExists);
    QCOMPARE(snap.securityJsonSize, qint64(2));
    QCOMPARE(snap.builtAt, QDateTime(QDate(2025, 1, 1), QTime(0, 0), Qt::UTC));
    QCOMPARE(snap.candidatesOf(kD).size(), 1);
    // the chroot shows in messages
    const Finding *f = findCode(snap.findings, s("candidate_not_live"));
    QVERIFY(f);
    QVERIFY(f->message.contains(QLatin1String("/solr/overseer_elect/election/4-d:8983_solr")));
    QVERIFY(findCode(snap.findings, s("legacy_roles_json")));
}

void TestRoleLogic::healthyHasNoFindings()
{
    const RolesSnapshot snap = buildSnapshot(healthy());
    QVERIFY2(snap.findings.isEmpty(), qPrintable(codes(snap.findings).join(u',')));
    QCOMPARE(findingsExitCode(snap.findings), 0);
}

// ---- findings -----------------------------------------------------------------------------------

void TestRoleLogic::findings_data()
{
    QTest::addColumn<QString>("scenario");
    QTest::addColumn<QString>("code");
    QTest::addColumn<bool>("present");
    QTest::addColumn<int>("severity");
    QTest::addColumn<QString>("node");
    QTest::addColumn<QString>("mentions"); // a text the message must contain

    const int W = Finding::Warning, C = Finding::Critical, I = Finding::Info;
    QTest::newRow("no eligible") << s("no_eligible") << s("no_eligible_overseer") << true << C
                                 << QString() << s("/live_nodes");
    QTest::newRow("no leader, no candidates") << s("no_eligible") << s("no_leader") << true << C
                                              << QString() << s("/overseer_elect/leader");
    QTest::newRow("no leader, candidates") << s("no_leader_candidates") << s("no_leader") << true
                                           << C << kA << s("1-a:8983_solr-n_0000000001");
    QTest::newRow("leader garbage") << s("leader_garbage") << s("leader_unparsable") << true << C
                                    << QString() << s("/overseer_elect/leader");
    QTest::newRow("leader bad id")
        << s("leader_bad_id") << s("leader_unparsable") << true << C << QString() << s("nonsense");
    QTest::newRow("leader not head") << s("leader_not_head") << s("leader_not_head") << true << W
                                     << kB << s("2-b:8983_solr-n_0000000002");
    QTest::newRow("leader stale") << s("leader_stale") << s("leader_not_in_queue") << true << C
                                  << kA << s("99-a:8983_solr-n_0000000000");
    QTest::newRow("stale is not 'not head'")
        << s("leader_stale") << s("leader_not_head") << false << W << kA << QString();
    QTest::newRow("leader disallowed") << s("leader_disallowed") << s("leader_disallowed") << true
                                       << C << kC << s("/node_roles/overseer/disallowed/c");
    QTest::newRow("leader session") << s("leader_session_mismatch") << s("leader_session_mismatch")
                                    << true << W << kA << s("999");
    QTest::newRow("leaf not live") << s("role_leaf_not_live") << s("role_leaf_not_live") << true
                                   << W << kC << s("/live_nodes/c:8983_solr");
    QTest::newRow("live without roles") << s("live_without_roles") << s("live_without_roles")
                                        << true << W << kD << s("/node_roles");
    QTest::newRow("data off replicas") << s("data_off_replicas") << s("data_off_hosts_replicas")
                                       << true << W << kC << s("books/shard1/core_node1");
    QTest::newRow("coordinator synthetic ok")
        << s("coordinator_synthetic") << s("data_off_hosts_replicas") << false << W << kC
        << QString();
    QTest::newRow("synthetic without coordinator")
        << s("synthetic_not_coordinator") << s("data_off_hosts_replicas") << true << W << kC
        << s(".sys.COORDINATOR-COLL-_default");
    QTest::newRow("duplicate") << s("duplicate") << s("duplicate_candidates") << true << W << kA
                               << s("only 1-a:8983_solr-n_0000000001 matches");
    QTest::newRow("candidate not live, tail")
        << s("candidate_not_live_tail") << s("candidate_not_live") << true << I << kD
        << s("/live_nodes/d:8983_solr");
    QTest::newRow("candidate not live, head")
        << s("candidate_not_live_head") << s("candidate_not_live") << true << W << kD
        << s("5-d:8983_solr-n_0000000000");
    QTest::newRow("unknown role") << s("unknown_role") << s("unknown_role") << true << W << kA
                                  << s("/node_roles/quantum/on/a:8983_solr");
    QTest::newRow("unknown mode") << s("unknown_mode") << s("unknown_mode") << true << W << kD
                                  << s("maybe");
    QTest::newRow("roles.json") << s("roles_json") << s("legacy_roles_json") << true << W << kB
                                << s("-Dsolr.node.roles=overseer:preferred");
    QTest::newRow("roles.json garbage") << s("roles_json_garbage") << s("legacy_roles_json") << true
                                        << W << QString() << s("/roles.json");
    QTest::newRow("negative sid") << s("negative_sid") << s("solr_misparse") << true << W << kB
                                  << s("72057594037927935-b:8983_solr");
    QTest::newRow("negative seq") << s("negative_seq") << s("solr_misparse") << true << W << kB
                                  << s("IllegalStateException");
    QTest::newRow("garbage child") << s("garbage_child") << s("election_name_unparsable") << true
                                   << W << QString() << s("/overseer_elect/election/garbage");
}

void TestRoleLogic::findings()
{
    QFETCH(QString, scenario);
    QFETCH(QString, code);
    QFETCH(bool, present);
    QFETCH(int, severity);
    QFETCH(QString, node);
    QFETCH(QString, mentions);

    // the healthy cluster never has it: the scenario is what produces it
    QVERIFY(!findCode(buildSnapshot(healthy()).findings, code));

    const RolesSnapshot snap = buildSnapshot(makeScenario(scenario));
    const Finding *f = findCode(snap.findings, code);
    QVERIFY2(bool(f) == present, qPrintable(codes(snap.findings).join(u',')));
    if (!present)
        return;
    QCOMPARE(int(f->severity), severity);
    QCOMPARE(f->node, node);
    QVERIFY2(f->message.contains(mentions), qPrintable(f->message));
    QVERIFY(f->message.endsWith(u'.'));
    QCOMPARE(findingsExitCode(snap.findings) >= (severity == Finding::Critical  ? 2
                                                 : severity == Finding::Warning ? 1
                                                                                : 0),
             true);
    // critical findings come first
    QCOMPARE(snap.findings.first().severity >= f->severity, true);
}

void TestRoleLogic::preferredGrace()
{
    SolrTree t = healthy(); // a (allowed) leads, b allowed
    solrNode(t, kC, 3, QStringLiteral("on"), QStringLiteral("preferred"));
    candidate(t, 3, kC, 3);
    const QDateTime now(QDate(2025, 1, 1), QTime(12, 0), Qt::UTC);
    const RolesSnapshot snap = buildSnapshot(t, now);
    QVERIFY(nonPreferredLeaderCondition(snap));

    FindingContext ctx;
    ctx.now = now;
    ctx.preferredGraceSeconds = 60;
    QVERIFY(!findCode(evaluateFindings(snap, ctx), s("leader_not_preferred"))); // just now
    ctx.nonPreferredLeaderSince = now.addSecs(-30);
    QVERIFY(!findCode(evaluateFindings(snap, ctx), s("leader_not_preferred")));
    ctx.nonPreferredLeaderSince = now.addSecs(-61);
    const QList<Finding> fs = evaluateFindings(snap, ctx);
    const Finding *f = findCode(fs, s("leader_not_preferred"));
    QVERIFY(f);
    QCOMPARE(f->severity, Finding::Warning);
    QCOMPARE(f->node, kA);
    QVERIFY(f->message.contains(kC));
    QVERIFY(f->message.contains(QLatin1String("3-c:8983_solr-n_0000000003")));
    QCOMPARE(findingsExitCode(fs), 1);

    // a preferred node that is not live, or not in the queue, does not count
    SolrTree notLive = healthy();
    leaf(notLive, role::overseer(), mode::preferred(), kC, 3);
    candidate(notLive, 3, kC, 3);
    QVERIFY(!nonPreferredLeaderCondition(buildSnapshot(notLive, now)));
    SolrTree notQueued = healthy();
    solrNode(notQueued, kC, 3, QStringLiteral("on"), QStringLiteral("preferred"));
    QVERIFY(!nonPreferredLeaderCondition(buildSnapshot(notQueued, now)));
    // a legacy /roles.json designate counts (the prioritizer merges both)
    SolrTree legacy = healthy();
    legacy.rolesJsonExists = true;
    legacy.rolesJson = QByteArray("{\"overseer\":[\"b:8983_solr\"]}");
    QVERIFY(nonPreferredLeaderCondition(buildSnapshot(legacy, now)));
    // the preferred node leads: fine
    SolrTree leads = t;
    setLeader(leads, child(3, kC, 3), 3);
    QVERIFY(!nonPreferredLeaderCondition(buildSnapshot(leads, now)));
}

void TestRoleLogic::tracker()
{
    SolrTree t = healthy();
    solrNode(t, kC, 3, QStringLiteral("on"), QStringLiteral("preferred"));
    candidate(t, 3, kC, 3);
    const QDateTime t0(QDate(2025, 1, 1), QTime(12, 0), Qt::UTC);
    const RolesSnapshot bad = buildSnapshot(t, t0);

    FindingTracker tracker(60);
    QVERIFY(!findCode(tracker.update(bad, t0), s("leader_not_preferred")));
    QCOMPARE(tracker.nonPreferredLeaderSince(), t0);
    QVERIFY(!findCode(tracker.update(bad, t0.addSecs(59)), s("leader_not_preferred")));
    QVERIFY(findCode(tracker.update(bad, t0.addSecs(61)), s("leader_not_preferred")));
    QCOMPARE(tracker.nonPreferredLeaderSince(), t0); // not reset by repeated updates

    // the condition clears: the clock restarts
    SolrTree good = t;
    setLeader(good, child(3, kC, 3), 3);
    QVERIFY(!findCode(tracker.update(buildSnapshot(good, t0), t0.addSecs(62)),
                      s("leader_not_preferred")));
    QVERIFY(!tracker.nonPreferredLeaderSince().isValid());
    QVERIFY(!findCode(tracker.update(bad, t0.addSecs(100)), s("leader_not_preferred")));
    QCOMPARE(tracker.nonPreferredLeaderSince(), t0.addSecs(100));
}

// ---- what-if ------------------------------------------------------------------------------------

void TestRoleLogic::whatIf()
{
    // leader dies, next is allowed
    {
        const RolesSnapshot snap = buildSnapshot(healthy());
        const WhatIf w = whatIfDies(snap);
        QCOMPARE(w.failingNode, kA);
        QCOMPARE(w.successor, kB);
        QCOMPARE(w.successorMode, s("allowed"));
        QCOMPARE(w.eventualLeader, kB);
        QVERIFY(w.leaderChanges);
        QVERIFY(!w.prioritizerMoves);
        QVERIFY(!w.nobodyEligible);
        QVERIFY(w.explanation.contains(kB));
    }
    // leader dies, next is allowed but a preferred node sits further back: it ends up leader
    {
        SolrTree t = healthy();
        solrNode(t, kC, 3, QStringLiteral("on"), QStringLiteral("preferred"));
        candidate(t, 3, kC, 3);
        const WhatIf w = whatIfDies(buildSnapshot(t));
        QCOMPARE(w.successor, kB);
        QCOMPARE(w.successorMode, s("allowed"));
        QVERIFY(w.prioritizerMoves);
        QCOMPARE(w.eventualLeader, kC);
        QVERIFY(w.explanation.contains(kB));
        QVERIFY(w.explanation.contains(kC));
        QVERIFY(w.explanation.contains(QLatin1String("prioritizer")));
    }
    // leader dies, next is preferred
    {
        SolrTree t;
        solrNode(t, kA, 1, QStringLiteral("on"), QStringLiteral("allowed"));
        solrNode(t, kB, 2, QStringLiteral("off"), QStringLiteral("preferred"));
        setLeader(t, candidate(t, 1, kA, 1), 1);
        candidate(t, 2, kB, 2);
        const WhatIf w = whatIfDies(buildSnapshot(t));
        QCOMPARE(w.successor, kB);
        QCOMPARE(w.successorMode, s("preferred"));
        QCOMPARE(w.eventualLeader, kB);
        QVERIFY(!w.prioritizerMoves);
    }
    // nobody eligible: the leader is the only candidate
    {
        SolrTree t;
        solrNode(t, kA, 1, QStringLiteral("on"), QStringLiteral("allowed"));
        solrNode(t, kB, 2, QStringLiteral("on"), QStringLiteral("disallowed"));
        setLeader(t, candidate(t, 1, kA, 1), 1);
        const WhatIf w = whatIfDies(buildSnapshot(t));
        QCOMPARE(w.failingNode, kA);
        QVERIFY(w.nobodyEligible);
        QVERIFY(w.successor.isEmpty());
        QVERIFY(w.explanation.contains(QLatin1String("without an Overseer")));
    }
    // all candidates of the failing node go (duplicates)
    {
        SolrTree t = healthy();
        candidate(t, 7, kA, 0); // a second, older candidate of a at the head
        const WhatIf w = whatIfDies(buildSnapshot(t), kA);
        QCOMPARE(w.successor, kB);
        QVERIFY(!w.nobodyEligible);
    }
    // a node that is not the leader dies: the leader stays
    {
        SolrTree t = healthy();
        solrNode(t, kC, 3, QStringLiteral("on"), QStringLiteral("allowed"));
        candidate(t, 3, kC, 3);
        const WhatIf w = whatIfDies(buildSnapshot(t), kB);
        QCOMPARE(w.failingNode, kB);
        QVERIFY(!w.leaderChanges);
        QCOMPARE(w.successor, kA);
        QCOMPARE(w.eventualLeader, kA);
        QVERIFY(!w.nobodyEligible);
    }
    // no leader at all and an empty queue
    {
        const WhatIf w = whatIfDies(buildSnapshot(SolrTree()));
        QVERIFY(w.nobodyEligible);
    }
}

OPSDECK_TEST_GUILESS_MAIN(TestRoleLogic)
// ---- state.json ---------------------------------------------------------------------------------

void TestRoleLogic::collectionState()
{
    const QByteArray json = R"({"c1":{"shards":{"shard1":{"replicas":{
        "core_node1":{"core":"c1_n1","node_name":"h:8983_solr","state":"active","leader":"true"},
        "core_node2":{"core":"c1_n2","node_name":"h:8984_solr","state":"active"}}}}}})";
    const CollectionState c = decodeCollectionState(s("c1"), s("/solr/collections/c1/state.json"),
                                                    json, {s("core_node1:3:D"), s("x")});
    QVERIFY(c.problem.isEmpty());
    QCOMPARE(c.replicas.size(), 2);
    for (const ReplicaInfo &r : c.replicas) {
        QCOMPARE(r.collection, s("c1"));
        if (r.replica == s("core_node1")) {
            QCOMPARE(r.state, s("down")); // per-replica state wins, and it says not leader
            QVERIFY(!r.leader);
        } else {
            QCOMPARE(r.state, s("active"));
        }
    }
    QVERIFY(decodeCollectionState(s("c1"), s("w"), {}, {}).problem.isEmpty());

    // Found by fuzz_solrjson: "%N" in a collection name took the byte offset of the message.
    const CollectionState bad =
        decodeCollectionState(s("a%03b"), s("/collections/a%03b/state.json"), "{x", {});
    QVERIFY(bad.replicas.isEmpty());
    QVERIFY2(bad.problem.startsWith(s("/collections/a%03b/state.json is not a JSON object (")),
             qPrintable(bad.problem));
    QVERIFY2(bad.problem.contains(s(" at byte ")) && !bad.problem.contains(s("byte %")),
             qPrintable(bad.problem));
}

#include "tst_rolelogic.moc"
