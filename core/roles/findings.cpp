// SPDX-License-Identifier: GPL-3.0-or-later
#include "roles/findings.h"

#include "roles/rolespec.h"

#include <QSet>
#include <algorithm>

namespace opsdeck::roles {

namespace {

// A znode path under the snapshot's chroot, for messages.
QString zpath(const RolesSnapshot &s, const QString &path)
{
    QString root = s.chroot;
    while (root.endsWith(u'/'))
        root.chop(1);
    return root + path;
}

QString electionPath(const RolesSnapshot &s, const QString &child)
{
    return zpath(s, QStringLiteral("/overseer_elect/election/") + child);
}

QString overseerModeText(const NodeInfo *n)
{
    if (!n)
        return QStringLiteral("unknown");
    const QString m = n->mode(role::overseer());
    return m.isEmpty() ? QStringLiteral("unknown") : m;
}

// A live node that can be Overseer: overseer allowed|preferred, or no overseer leaf at all (pre-9
// node, older binary) but a candidate in the queue.
bool isEligible(const NodeInfo &n)
{
    if (!n.live)
        return false;
    const QString m = n.mode(role::overseer());
    if (!m.isEmpty())
        return isOverseerEligibleMode(m);
    return n.candidateCount > 0;
}

// The first candidate (in order) of a live designate, or nullptr.
const ElectionCandidate *firstLiveDesignateCandidate(const RolesSnapshot &s,
                                                     const QString &excludeNode = {})
{
    for (const ElectionCandidate &c : s.election) {
        if (!c.parsed || c.node == excludeNode)
            continue;
        const NodeInfo *n = s.node(c.node);
        if (n && n->live && n->isOverseerDesignate())
            return &c;
    }
    return nullptr;
}

QString leaderNodeName(const RolesSnapshot &s)
{
    if (s.leader.exists && s.leader.parsable)
        return s.leader.node;
    return {};
}

} // namespace

bool nonPreferredLeaderCondition(const RolesSnapshot &s)
{
    const QString leader = leaderNodeName(s);
    if (leader.isEmpty())
        return false;
    const NodeInfo *ln = s.node(leader);
    if (ln && ln->isOverseerDesignate())
        return false;
    return firstLiveDesignateCandidate(s) != nullptr;
}

QList<Finding> evaluateFindings(const RolesSnapshot &s, const FindingContext &ctx)
{
    QList<Finding> out;
    auto add = [&out](Finding::Severity sev, const char *code, const QString &node,
                      const QString &message) {
        out.append(Finding{sev, QString::fromLatin1(code), node, message});
    };

    // --- what could not be read ---------------------------------------------------------------
    for (const QString &problem : s.readProblems)
        add(Finding::Warning, "znode_unreadable", {}, problem);

    // --- eligibility --------------------------------------------------------------------------
    bool anyEligible = false;
    for (const NodeInfo &n : s.nodes)
        anyEligible = anyEligible || isEligible(n);
    if (!anyEligible) {
        add(Finding::Critical, "no_eligible_overseer", {},
            QStringLiteral("No live node under %1 has overseer:allowed or overseer:preferred "
                           "(see %2), so the cluster is left without an Overseer.")
                .arg(zpath(s, QStringLiteral("/live_nodes")),
                     zpath(s, QStringLiteral("/node_roles/overseer"))));
    }

    // --- leader -------------------------------------------------------------------------------
    const QString leaderZnode = zpath(s, QStringLiteral("/overseer_elect/leader"));
    const LeaderInfo &l = s.leader;
    if (!l.exists) {
        if (s.election.isEmpty()) {
            add(Finding::Critical, "no_leader", {},
                QStringLiteral("There is no Overseer: %1 does not exist and %2 has no candidates.")
                    .arg(leaderZnode, zpath(s, QStringLiteral("/overseer_elect/election"))));
        } else {
            const ElectionCandidate &h = s.election.first();
            add(Finding::Critical, "no_leader", h.node,
                QStringLiteral("There is no Overseer leader: %1 does not exist although %2 "
                               "candidate(s) wait, the head being %3 (%4).")
                    .arg(leaderZnode, QString::number(s.election.size()), h.node,
                         electionPath(s, h.znode)));
        }
    } else if (!l.parsable) {
        add(Finding::Critical, "leader_unparsable", l.node,
            QStringLiteral("The Overseer leader znode %1 cannot be read: %2.")
                .arg(leaderZnode, l.error));
    } else {
        if (!l.inQueue) {
            add(Finding::Critical, "leader_not_in_queue", l.node,
                QStringLiteral("The Overseer leader %1 names the election child %2, which does "
                               "not exist: the leader record is stale.")
                    .arg(leaderZnode, electionPath(s, l.znode)));
        } else if (!l.isHead) {
            const ElectionCandidate *h = s.head();
            add(Finding::Warning, "leader_not_head", l.node,
                QStringLiteral("The Overseer leader %1 (%2) is not the head of the election "
                               "queue, %3 (%4) is.")
                    .arg(l.node, electionPath(s, l.znode), h ? h->node : QString(),
                         h ? electionPath(s, h->znode) : QString()));
        }
        const NodeInfo *ln = s.node(l.node);
        if (ln && ln->mode(role::overseer()) == mode::disallowed()) {
            add(Finding::Critical, "leader_disallowed", l.node,
                QStringLiteral("The Overseer leader %1 has overseer:disallowed (%2) but leads "
                               "through %3.")
                    .arg(l.node,
                         zpath(s, QStringLiteral("/node_roles/overseer/disallowed/") + l.node),
                         electionPath(s, l.znode)));
        }
        if (l.ephemeralOwner != 0 && l.session != l.ephemeralOwner) {
            add(Finding::Warning, "leader_session_mismatch", l.node,
                QStringLiteral("The Overseer leader %1 names session %2 but is owned by session "
                               "%3.")
                    .arg(leaderZnode, QString::number(l.session),
                         QString::number(l.ephemeralOwner)));
        }
        if (nonPreferredLeaderCondition(s)) {
            const QDateTime since =
                ctx.nonPreferredLeaderSince.isValid() ? ctx.nonPreferredLeaderSince : ctx.now;
            const qint64 elapsed = since.isValid() && ctx.now.isValid() ? since.secsTo(ctx.now) : 0;
            if (elapsed >= ctx.preferredGraceSeconds) {
                const ElectionCandidate *d = firstLiveDesignateCandidate(s);
                add(Finding::Warning, "leader_not_preferred", l.node,
                    QStringLiteral("The Overseer leader %1 (overseer:%2) has not been a preferred "
                                   "node for %3 s although the preferred node %4 is live and "
                                   "in the queue as %5.")
                        .arg(l.node, overseerModeText(ln), QString::number(elapsed), d->node,
                             electionPath(s, d->znode)));
            }
        }
    }

    // --- election entries ---------------------------------------------------------------------
    QMap<QString, QList<const ElectionCandidate *>> byNode;
    for (const ElectionCandidate &c : s.election) {
        if (!c.parsed) {
            add(Finding::Warning, "election_name_unparsable", {},
                QStringLiteral("The election child %1 cannot be parsed: %2.")
                    .arg(electionPath(s, c.znode), c.parseError));
            continue;
        }
        byNode[c.node].append(&c);
        if (c.solrMisreads) {
            add(Finding::Warning, "solr_misparse", c.node,
                QStringLiteral("Solr's own parser mis-reads the election child %1 of %2: %3.")
                    .arg(electionPath(s, c.znode), c.node, c.solrProblem));
        }
        const NodeInfo *n = s.node(c.node);
        if (!n || !n->live) {
            const bool head = c.position == 0;
            add(head ? Finding::Warning : Finding::Info, "candidate_not_live", c.node,
                QStringLiteral("The election candidate %1 at position %2 belongs to %3, which has "
                               "no %4.")
                    .arg(electionPath(s, c.znode), QString::number(c.position), c.node,
                         zpath(s, QStringLiteral("/live_nodes/") + c.node)));
        }
    }
    for (auto it = byNode.cbegin(); it != byNode.cend(); ++it) {
        if (it.value().size() < 2)
            continue;
        const NodeInfo *n = s.node(it.key());
        QStringList znodes;
        QString matching;
        for (const ElectionCandidate *c : it.value()) {
            znodes.append(electionPath(s, c->znode));
            if (n && n->live && c->sessionId == n->liveSession)
                matching = c->znode;
        }
        const QString which = matching.isEmpty()
                                  ? QStringLiteral("none matches the session of its live node")
                                  : QStringLiteral("only %1 matches the live node's session %2")
                                        .arg(matching, QString::number(n->liveSession));
        add(Finding::Warning, "duplicate_candidates", it.key(),
            QStringLiteral("Node %1 has %2 election candidates (%3); %4.")
                .arg(it.key(), QString::number(it.value().size()), znodes.join(QLatin1String(", ")),
                     which));
    }

    // --- nodes and roles ----------------------------------------------------------------------
    for (const NodeInfo &n : s.nodes) {
        if (!n.live && n.hasRoleLeaves()) {
            QStringList leaves;
            for (auto it = n.roles.cbegin(); it != n.roles.cend(); ++it)
                leaves.append(zpath(
                    s, QStringLiteral("/node_roles/%1/%2/%3").arg(it.key(), it.value(), n.name)));
            add(Finding::Warning, "role_leaf_not_live", n.name,
                QStringLiteral("Node %1 has role leaves (%2) but no %3: it is shutting down or its "
                               "session is not yet expired.")
                    .arg(n.name, leaves.join(QLatin1String(", ")),
                         zpath(s, QStringLiteral("/live_nodes/") + n.name)));
        }
        if (n.live && !n.hasRoleLeaves()) {
            add(Finding::Warning, "live_without_roles", n.name,
                QStringLiteral("Live node %1 has no leaf under %2: a pre-9.0 node or a version "
                               "skew, its roles are unknown.")
                    .arg(n.name, zpath(s, QStringLiteral("/node_roles"))));
        }
        for (auto it = n.roles.cbegin(); it != n.roles.cend(); ++it) {
            const QString leaf =
                zpath(s, QStringLiteral("/node_roles/%1/%2/%3").arg(it.key(), it.value(), n.name));
            if (!isKnownRole(it.key())) {
                add(Finding::Warning, "unknown_role", n.name,
                    QStringLiteral("Node %1 has the role \"%2\" this console does not know (%3).")
                        .arg(n.name, it.key(), leaf));
            } else if (!isKnownMode(it.key(), it.value())) {
                add(Finding::Warning, "unknown_mode", n.name,
                    QStringLiteral("Node %1 has the unknown mode \"%2\" for role %3 (%4).")
                        .arg(n.name, it.value(), it.key(), leaf));
            }
        }
        if (n.mode(role::data()) == mode::off()) {
            const bool coordinator = n.mode(role::coordinator()) == mode::on();
            QStringList hosted;
            for (const ReplicaInfo &r : n.replicas) {
                if (coordinator && isCoordinatorSyntheticCollection(r.collection))
                    continue;
                const QString id = r.collection + u'/' + r.shard + u'/' + r.replica;
                if (!hosted.contains(id))
                    hosted.append(id);
            }
            if (!hosted.isEmpty()) {
                add(Finding::Warning, "data_off_hosts_replicas", n.name,
                    QStringLiteral("Node %1 has data:off (%2) but hosts %3 replica(s): %4.")
                        .arg(n.name, zpath(s, QStringLiteral("/node_roles/data/off/") + n.name),
                             QString::number(hosted.size()), hosted.join(QLatin1String(", "))));
            }
        }
    }

    // --- legacy /roles.json -------------------------------------------------------------------
    const QString rolesJson = zpath(s, QStringLiteral("/roles.json"));
    if (s.rolesJsonExists && !s.rolesJsonParsed) {
        add(Finding::Warning, "legacy_roles_json", {},
            QStringLiteral("The legacy %1 cannot be parsed (%2); it is deprecated, use "
                           "-Dsolr.node.roles=overseer:preferred instead.")
                .arg(rolesJson, s.rolesJsonError));
    }
    for (auto it = s.rolesJson.cbegin(); it != s.rolesJson.cend(); ++it) {
        for (const QString &name : it.value()) {
            add(Finding::Warning, "legacy_roles_json", name,
                QStringLiteral("Node %1 is listed as %2 in the deprecated %3 (ADDROLE); it is "
                               "shown merged with node roles, migrate with "
                               "-Dsolr.node.roles=overseer:preferred and REMOVEROLE.")
                    .arg(name, it.key(), rolesJson));
        }
    }

    std::stable_sort(out.begin(), out.end(), [](const Finding &a, const Finding &b) {
        if (a.severity != b.severity)
            return a.severity > b.severity;
        if (a.code != b.code)
            return a.code < b.code;
        return a.node < b.node;
    });
    return out;
}

QList<Finding> FindingTracker::update(const RolesSnapshot &snapshot, const QDateTime &now)
{
    if (nonPreferredLeaderCondition(snapshot)) {
        if (!m_since.isValid())
            m_since = now;
    } else {
        m_since = QDateTime();
    }
    FindingContext ctx;
    ctx.now = now;
    ctx.preferredGraceSeconds = m_grace;
    ctx.nonPreferredLeaderSince = m_since;
    return evaluateFindings(snapshot, ctx);
}

WhatIf whatIfDies(const RolesSnapshot &s, const QString &nodeName)
{
    WhatIf w;
    const ElectionCandidate *head = nullptr;
    for (const ElectionCandidate &c : s.election) {
        if (c.parsed) {
            head = &c;
            break;
        }
    }
    QString currentLeader = leaderNodeName(s);
    if (currentLeader.isEmpty() && head)
        currentLeader = head->node;
    w.failingNode = nodeName.isEmpty() ? currentLeader : nodeName;
    if (w.failingNode.isEmpty()) {
        w.nobodyEligible = true;
        w.explanation = QStringLiteral("There is no Overseer leader and no candidate in the "
                                       "election queue, so nobody can take over.");
        return w;
    }

    // the queue without the failing node's candidates (unparsable names cannot lead)
    QList<const ElectionCandidate *> remaining;
    for (const ElectionCandidate &c : s.election)
        if (c.parsed && c.node != w.failingNode)
            remaining.append(&c);

    w.leaderChanges = w.failingNode == currentLeader;
    if (remaining.isEmpty()) {
        w.nobodyEligible = true;
        w.explanation =
            QStringLiteral("If %1 dies, no candidate remains in the election queue: the cluster "
                           "is left without an Overseer until an overseer:allowed or "
                           "overseer:preferred node joins.")
                .arg(w.failingNode);
        return w;
    }
    const ElectionCandidate *next = remaining.first();
    w.successor = next->node;
    const NodeInfo *sn = s.node(w.successor);
    w.successorMode = overseerModeText(sn);
    w.eventualLeader = w.successor;

    if (!w.leaderChanges) {
        w.successor = currentLeader;
        w.successorMode = overseerModeText(s.node(currentLeader));
        w.eventualLeader = currentLeader;
        w.explanation = QStringLiteral("%1 is not the Overseer leader: if it dies, %2 "
                                       "(overseer:%3) stays leader and only the queue behind it "
                                       "shortens.")
                            .arg(w.failingNode, currentLeader, w.successorMode);
        return w;
    }

    QString text =
        QStringLiteral("If %1 dies, %2 (overseer:%3, %4) is next in the queue and "
                       "becomes Overseer leader.")
            .arg(w.failingNode, w.successor, w.successorMode, electionPath(s, next->znode));
    const bool successorDesignate = sn && sn->isOverseerDesignate();
    if (!successorDesignate) {
        const ElectionCandidate *d = nullptr;
        for (const ElectionCandidate *c : remaining) {
            const NodeInfo *n = s.node(c->node);
            if (n && n->live && n->isOverseerDesignate()) {
                d = c;
                break;
            }
        }
        if (d) {
            w.prioritizerMoves = true;
            w.eventualLeader = d->node;
            text += QStringLiteral(" Its Overseer then runs the prioritizer, which moves the "
                                   "preferred node %1 (%2) to the head and makes %3 quit, so %1 "
                                   "ends up leader.")
                        .arg(d->node, electionPath(s, d->znode), w.successor);
        }
    }
    if (!w.prioritizerMoves && w.successorMode == mode::disallowed())
        text += QStringLiteral(" That node has overseer:disallowed and should not be a candidate.");
    w.explanation = text;
    return w;
}

} // namespace opsdeck::roles
