// SPDX-License-Identifier: GPL-3.0-or-later
#include "roles/rolesnapshot.h"

#include "roles/findings.h"
#include "roles/rolespec.h"
#include "roles/solrnames.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <algorithm>

namespace opsdeck::roles {

bool NodeInfo::isOverseerDesignate() const
{
    return mode(role::overseer()) == mode::preferred() ||
           rolesJsonOverseer.contains(role::overseer());
}

QString severityName(Finding::Severity severity)
{
    switch (severity) {
    case Finding::Info:
        return QStringLiteral("info");
    case Finding::Warning:
        return QStringLiteral("warning");
    case Finding::Critical:
        return QStringLiteral("critical");
    }
    return QStringLiteral("info");
}

int findingsExitCode(const QList<Finding> &findings)
{
    int code = 0;
    for (const Finding &f : findings) {
        if (f.severity == Finding::Critical)
            return 2;
        if (f.severity == Finding::Warning)
            code = 1;
    }
    return code;
}

bool isCoordinatorSyntheticCollection(const QString &collection)
{
    return collection.startsWith(QLatin1String(".sys.COORDINATOR-COLL-"));
}

const NodeInfo *RolesSnapshot::node(const QString &name) const
{
    const auto it = std::lower_bound(
        nodes.cbegin(), nodes.cend(), name,
        [](const NodeInfo &n, const QString &key) { return javaStringCompare(n.name, key) < 0; });
    if (it != nodes.cend() && it->name == name)
        return &*it;
    return nullptr;
}

QList<const ElectionCandidate *> RolesSnapshot::candidatesOf(const QString &nodeName) const
{
    QList<const ElectionCandidate *> out;
    for (const ElectionCandidate &c : election)
        if (c.parsed && c.node == nodeName)
            out.append(&c);
    return out;
}

RolesSnapshot buildSnapshot(const SolrTree &tree, const QDateTime &builtAt)
{
    RolesSnapshot s;
    s.builtAt = builtAt.isValid() ? builtAt : QDateTime::currentDateTimeUtc();
    s.chroot = tree.chroot;
    s.liveNodesExists = tree.liveNodesExists;
    s.nodeRolesExists = tree.nodeRolesExists;
    s.electionExists = tree.electionExists;
    s.overseerQueueSizes = tree.overseerQueueSizes;
    s.securityJsonExists = tree.securityJsonExists;
    s.securityJsonSize = tree.securityJsonSize;
    s.readProblems = tree.readProblems;
    s.sessionId = tree.sessionId;

    QMap<QString, NodeInfo> nodes; // keyed by name; sorted by Java order at the end
    auto nodeFor = [&nodes](const QString &name) -> NodeInfo & {
        auto it = nodes.find(name);
        if (it == nodes.end()) {
            NodeInfo n;
            n.name = name;
            const NodeName parsed = parseNodeName(name);
            n.host = parsed.host;
            n.port = parsed.port;
            n.context = parsed.context;
            n.nameOk = parsed.ok;
            n.nameError = parsed.error;
            it = nodes.insert(name, n);
        }
        return it.value();
    };

    // live nodes
    for (const ZnodeChild &c : tree.liveNodes) {
        NodeInfo &n = nodeFor(c.name);
        n.live = true;
        n.liveSession = c.ephemeralOwner;
        const QByteArray data = tree.liveNodeData.value(c.name);
        if (!data.trimmed().isEmpty()) {
            const QJsonDocument doc = QJsonDocument::fromJson(data);
            if (doc.isObject()) {
                const QJsonObject o = doc.object();
                n.solrVersion = o.value(QLatin1String("solrVersion")).toString();
                const QJsonObject r = o.value(QLatin1String("roles")).toObject();
                for (auto it = r.begin(); it != r.end(); ++it)
                    n.liveDataRoles.insert(it.key(), it.value().toString());
            }
        }
    }

    // role leaves
    for (auto r = tree.roleLeaves.cbegin(); r != tree.roleLeaves.cend(); ++r) {
        if (!isKnownRole(r.key()))
            s.unknownRoleDirectories.append(r.key());
        for (auto m = r.value().cbegin(); m != r.value().cend(); ++m) {
            for (const ZnodeChild &leaf : m.value()) {
                NodeInfo &n = nodeFor(leaf.name);
                if (n.roles.contains(r.key()) && n.roles.value(r.key()) != m.key()) {
                    QStringList &all = n.conflictingRoles[r.key()];
                    if (all.isEmpty())
                        all.append(n.roles.value(r.key()));
                    all.append(m.key());
                }
                n.roles.insert(r.key(), m.key()); // like Solr's V2 API: the last one iterated wins
            }
        }
    }

    // legacy /roles.json
    s.rolesJsonExists = tree.rolesJsonExists;
    if (tree.rolesJsonExists) {
        const QByteArray raw = tree.rolesJson.trimmed();
        if (raw.isEmpty() || raw == "null") {
            s.rolesJsonParsed = true;
        } else {
            QJsonParseError err;
            const QJsonDocument doc = QJsonDocument::fromJson(raw, &err);
            if (!doc.isObject()) {
                s.rolesJsonError = err.error != QJsonParseError::NoError
                                       ? err.errorString()
                                       : QStringLiteral("not a JSON object");
            } else {
                s.rolesJsonParsed = true;
                const QJsonObject o = doc.object();
                for (auto it = o.begin(); it != o.end(); ++it) {
                    QStringList names;
                    for (const QJsonValue &v : it.value().toArray())
                        if (v.isString())
                            names.append(v.toString());
                    s.rolesJson.insert(it.key(), names);
                    for (const QString &name : names) {
                        NodeInfo &n = nodeFor(name);
                        if (!n.rolesJsonOverseer.contains(it.key()))
                            n.rolesJsonOverseer.append(it.key());
                    }
                }
            }
        }
    }

    // replicas
    for (const ReplicaInfo &r : tree.replicas) {
        if (r.node.isEmpty())
            continue;
        NodeInfo &n = nodeFor(r.node);
        n.replicas.append(r);
        ++n.replicaCount;
        if (!n.collections.contains(r.collection))
            n.collections.append(r.collection);
    }

    // election
    QList<ElectionName> names;
    QHash<QString, ZnodeChild> children;
    for (const ZnodeChild &c : tree.electionChildren) {
        names.append(parseElectionName(c.name));
        children.insert(c.name, c);
    }
    std::stable_sort(names.begin(), names.end(), [](const ElectionName &a, const ElectionName &b) {
        return electionLess(a, b);
    });
    for (int i = 0; i < names.size(); ++i) {
        const ElectionName &e = names.at(i);
        ElectionCandidate c;
        c.position = i;
        c.znode = e.name;
        c.sessionId = e.sessionId;
        c.node = e.nodeName;
        c.sequence = e.sequence;
        c.watches = i > 0 ? names.at(i - 1).name : QString();
        c.parsed = e.ok;
        c.parseError = e.error;
        c.solrMisreads = e.solrMisreads;
        c.solrReadsNodeAs = e.solrReadsNodeAs;
        c.solrProblem = e.solrProblem;
        c.ephemeralOwner = children.value(e.name).ephemeralOwner;
        c.ctimeMs = children.value(e.name).ctimeMs;
        if (e.ok)
            ++nodeFor(e.nodeName).candidateCount;
        s.election.append(c);
    }

    // leader
    LeaderInfo &l = s.leader;
    l.exists = tree.leaderExists;
    l.ephemeralOwner = tree.leaderEphemeralOwner;
    l.mtimeMs = tree.leaderMtimeMs;
    if (l.exists) {
        QJsonParseError err;
        const QJsonDocument doc = QJsonDocument::fromJson(tree.leaderData, &err);
        const QJsonValue id =
            doc.isObject() ? doc.object().value(QLatin1String("id")) : QJsonValue();
        if (!doc.isObject()) {
            l.error = tree.leaderData.trimmed().isEmpty()
                          ? QStringLiteral("the leader znode has no data")
                          : QStringLiteral("the leader znode is not a JSON object (%1)")
                                .arg(err.error != QJsonParseError::NoError
                                         ? err.errorString()
                                         : QStringLiteral("other JSON value"));
        } else if (!id.isString() || id.toString().isEmpty()) {
            l.error = QStringLiteral("the leader JSON has no \"id\" string");
        } else {
            l.znode = id.toString();
            const ElectionName e = parseElectionName(l.znode);
            if (!e.ok) {
                l.error = e.error;
            } else {
                l.parsable = true;
                l.node = e.nodeName;
                l.session = e.sessionId;
                nodeFor(e.nodeName); // the leader's node is shown even if nothing else names it
            }
            l.inQueue = children.contains(l.znode);
            l.isHead = !s.election.isEmpty() && s.election.first().znode == l.znode;
        }
    }

    s.nodes = nodes.values();
    std::sort(s.nodes.begin(), s.nodes.end(), [](const NodeInfo &a, const NodeInfo &b) {
        return javaStringCompare(a.name, b.name) < 0;
    });
    for (NodeInfo &n : s.nodes)
        std::sort(n.collections.begin(), n.collections.end());

    FindingContext ctx;
    ctx.now = s.builtAt;
    s.findings = evaluateFindings(s, ctx);
    return s;
}

} // namespace opsdeck::roles
