// SPDX-License-Identifier: GPL-3.0-or-later
// Solr's znode names (core/roles/solrnames.h) and the /overseer_elect/leader payload, decoded by
// buildSnapshot (core/roles/rolesnapshot.h). The whole input is one node name, one election child
// name and the leader znode's data; its lines are also the election queue and the live nodes.
// Invariants: parsed names are consistent and rebuild into names that parse to the same parts;
// the election order is a strict weak order; the snapshot's election is sorted, its positions and
// watch chain are consistent and the leader fields agree with the queue.
#include "fuzzcheck.h"
#include "roles/rolesnapshot.h"
#include "roles/solrnames.h"

#include <QSet>

using namespace opsdeck;
using namespace opsdeck::roles;

namespace {

void checkNodeName(const QString &name)
{
    const NodeName n = parseNodeName(name);
    FUZZ_CHECK(n.name == name);
    FUZZ_CHECK(n.ok == n.error.isEmpty());
    if (!n.ok)
        return;
    FUZZ_CHECK(!n.host.isEmpty());
    FUZZ_CHECK(n.port >= 0 && n.port <= 65535);
    FUZZ_CHECK(name.startsWith(n.host + u':'));
    // host:port_context with a plain port and an unescaped context reads back the same parts
    // (when the context has no characters the decoder would change).
    if (!n.context.contains(u'%') && !n.context.contains(u'+') && !n.context.contains(u' ')) {
        const NodeName again =
            parseNodeName(n.host + u':' + QString::number(n.port) + u'_' + n.context);
        FUZZ_CHECK(again.ok);
        FUZZ_CHECK(again.host == n.host);
        FUZZ_CHECK(again.port == n.port);
        FUZZ_CHECK(again.context == n.context);
    }
}

ElectionName checkElectionName(const QString &name)
{
    const ElectionName e = parseElectionName(name);
    FUZZ_CHECK(e.name == name);
    FUZZ_CHECK(e.ok == e.error.isEmpty());
    FUZZ_CHECK(e.solrMisreads == !e.solrProblem.isEmpty());
    FUZZ_CHECK(!e.solrMisreads || e.ok);
    if (!e.ok)
        return e;
    FUZZ_CHECK(!e.nodeName.isEmpty());
    FUZZ_CHECK(name.contains(e.nodeName));
    FUZZ_CHECK(name.contains(QStringLiteral("-n_")));
    // <sid>-<node>-n_<seq> with the numbers in canonical form parses to the same parts.
    const QString canonical = QString::number(e.sessionId) + u'-' + e.nodeName +
                              QStringLiteral("-n_") + QString::number(e.sequence);
    const ElectionName again = parseElectionName(canonical);
    FUZZ_CHECK(again.ok);
    FUZZ_CHECK(again.sessionId == e.sessionId);
    FUZZ_CHECK(again.nodeName == e.nodeName);
    FUZZ_CHECK(again.sequence == e.sequence);
    if (e.sessionId >= 0 && e.sequence >= 0)
        FUZZ_CHECK(!again.solrMisreads);
    return e;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 1024)
        return 0; // names are short; keep the quadratic parts of the snapshot fast
    const QByteArray raw = fuzz::bytes(data, size);
    const QString whole = fuzz::utf8(data, size);
    checkNodeName(whole);
    checkElectionName(whole);

    const QStringList lines = whole.split(u'\n');
    QList<ElectionName> parsed;
    for (const QString &line : lines) {
        checkNodeName(line);
        parsed << checkElectionName(line);
    }

    // Solr's order is a strict weak order (irreflexive, asymmetric) and agrees with the strings.
    if (parsed.size() > 32)
        parsed.resize(32);
    for (const ElectionName &a : std::as_const(parsed)) {
        FUZZ_CHECK(!electionLess(a, a));
        FUZZ_CHECK(javaStringCompare(a.name, a.name) == 0);
        for (const ElectionName &b : std::as_const(parsed)) {
            FUZZ_CHECK(!(electionLess(a, b) && electionLess(b, a)));
            FUZZ_CHECK(javaStringCompare(a.name, b.name) == -javaStringCompare(b.name, a.name));
            FUZZ_CHECK((javaStringCompare(a.name, b.name) == 0) == (a.name == b.name));
        }
    }

    SolrTree tree;
    tree.chroot = QStringLiteral("/solr");
    tree.liveNodesExists = true;
    tree.electionExists = true;
    qint64 owner = 1;
    QSet<QString> distinct;
    for (const QString &line : lines) {
        if (distinct.contains(line))
            continue; // ZooKeeper children are unique
        distinct.insert(line);
        tree.electionChildren.append({line, owner, owner * 1000});
        const ElectionName e = parseElectionName(line);
        if (e.ok)
            tree.liveNodes.append({e.nodeName, owner, owner * 1000});
        ++owner;
    }
    tree.leaderExists = true;
    tree.leaderData = raw;
    tree.leaderEphemeralOwner = 1;
    const RolesSnapshot s = buildSnapshot(tree, QDateTime(QDate(2024, 1, 1), QTime(0, 0), Qt::UTC));

    FUZZ_CHECK(s.election.size() == tree.electionChildren.size());
    for (qsizetype i = 0; i < s.election.size(); ++i) {
        const ElectionCandidate &c = s.election.at(i);
        FUZZ_CHECK(c.position == i);
        FUZZ_CHECK(c.watches == (i > 0 ? s.election.at(i - 1).znode : QString()));
        FUZZ_CHECK(c.parsed == c.parseError.isEmpty());
        if (i > 0)
            FUZZ_CHECK(!electionLess(c.znode, s.election.at(i - 1).znode));
    }
    for (qsizetype i = 1; i < s.nodes.size(); ++i)
        FUZZ_CHECK(javaStringCompare(s.nodes.at(i - 1).name, s.nodes.at(i).name) < 0);

    const LeaderInfo &l = s.leader;
    FUZZ_CHECK(l.exists);
    FUZZ_CHECK(l.parsable == l.error.isEmpty());
    if (l.parsable) {
        const ElectionName e = parseElectionName(l.znode);
        FUZZ_CHECK(e.ok);
        FUZZ_CHECK(l.node == e.nodeName);
        FUZZ_CHECK(l.session == e.sessionId);
        FUZZ_CHECK(s.node(l.node) != nullptr);
    }
    FUZZ_CHECK(!l.isHead || (!s.election.isEmpty() && s.election.first().znode == l.znode));
    FUZZ_CHECK(l.inQueue == (!l.znode.isEmpty() && distinct.contains(l.znode)));
    for (const Finding &f : s.findings)
        FUZZ_CHECK(!f.code.isEmpty() && !f.message.isEmpty());
    return 0;
}
