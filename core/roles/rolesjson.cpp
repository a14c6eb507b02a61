// SPDX-License-Identifier: GPL-3.0-or-later
#include "rolesjson.h"

namespace opsdeck::roles {

namespace {

QJsonValue stringOrNull(const QString &s)
{
    return s.isEmpty() ? QJsonValue() : QJsonValue(s);
}

QString sessionText(qint64 session)
{
    return session == 0 ? QString() : QString::number(session);
}

} // namespace

QJsonObject nodeToJson(const NodeInfo &node, const QList<Finding> &findings)
{
    QJsonObject roles;
    for (auto it = node.roles.cbegin(); it != node.roles.cend(); ++it)
        roles.insert(it.key(), it.value());
    QJsonArray codes;
    for (const Finding &f : findings)
        if (f.node == node.name)
            codes.append(f.code);
    QJsonArray legacy;
    for (const QString &r : node.rolesJsonOverseer)
        legacy.append(r);
    return QJsonObject{
        {QStringLiteral("name"), node.name},
        {QStringLiteral("host"), node.host},
        {QStringLiteral("port"), node.port},
        {QStringLiteral("context"), node.context},
        {QStringLiteral("live"), node.live},
        {QStringLiteral("session"), stringOrNull(sessionText(node.liveSession))},
        {QStringLiteral("roles"), roles},
        {QStringLiteral("legacy_roles_json"), legacy},
        {QStringLiteral("replicas"), node.replicaCount},
        {QStringLiteral("candidates"), node.candidateCount},
        {QStringLiteral("findings"), codes},
    };
}

QJsonArray electionToJson(const QList<ElectionCandidate> &election)
{
    QJsonArray out;
    for (const ElectionCandidate &c : election) {
        QJsonObject o{
            {QStringLiteral("position"), c.position},
            {QStringLiteral("node"), c.node},
            {QStringLiteral("session"), stringOrNull(sessionText(c.sessionId))},
            {QStringLiteral("sequence"), c.sequence},
            {QStringLiteral("znode"), c.znode},
            {QStringLiteral("watches"), stringOrNull(c.watches)},
        };
        if (!c.parsed)
            o.insert(QStringLiteral("parse_error"), c.parseError);
        if (c.solrMisreads)
            o.insert(QStringLiteral("solr_reads_node_as"), c.solrReadsNodeAs);
        out.append(o);
    }
    return out;
}

QJsonObject leaderToJson(const LeaderInfo &leader)
{
    if (!leader.exists)
        return QJsonObject{{QStringLiteral("node"), QJsonValue()},
                           {QStringLiteral("znode"), QJsonValue()},
                           {QStringLiteral("is_head"), false},
                           {QStringLiteral("exists"), false}};
    QJsonObject o{
        {QStringLiteral("node"), stringOrNull(leader.node)},
        {QStringLiteral("znode"), stringOrNull(leader.znode)},
        {QStringLiteral("is_head"), leader.isHead},
        {QStringLiteral("exists"), true},
        {QStringLiteral("in_queue"), leader.inQueue},
    };
    if (!leader.parsable)
        o.insert(QStringLiteral("error"), leader.error);
    return o;
}

QJsonObject findingToJson(const Finding &f)
{
    return QJsonObject{{QStringLiteral("severity"), severityName(f.severity)},
                       {QStringLiteral("code"), f.code},
                       {QStringLiteral("node"), stringOrNull(f.node)},
                       {QStringLiteral("message"), f.message}};
}

QJsonArray findingsToJson(const QList<Finding> &findings)
{
    QJsonArray out;
    for (const Finding &f : findings)
        out.append(findingToJson(f));
    return out;
}

QJsonObject zookeeperToJson(const ZkStatus &status, const QString &connectString)
{
    return QJsonObject{
        {QStringLiteral("connect"), connectString},
        {QStringLiteral("state"), zkSessionStateName(status.state)},
        {QStringLiteral("server"), stringOrNull(status.server)},
        {QStringLiteral("session_id"), stringOrNull(sessionText(status.sessionId))},
        {QStringLiteral("last_confirmed"),
         status.lastConfirmed.isValid()
             ? QJsonValue(status.lastConfirmed.toUTC().toString(Qt::ISODateWithMs))
             : QJsonValue()},
        {QStringLiteral("stale"), status.stale()},
    };
}

QJsonObject whatIfToJson(const WhatIf &w)
{
    return QJsonObject{
        {QStringLiteral("failing_node"), stringOrNull(w.failingNode)},
        {QStringLiteral("successor"), stringOrNull(w.successor)},
        {QStringLiteral("successor_mode"), stringOrNull(w.successorMode)},
        {QStringLiteral("eventual_leader"), stringOrNull(w.eventualLeader)},
        {QStringLiteral("nobody_eligible"), w.nobodyEligible},
        {QStringLiteral("explanation"), w.explanation},
    };
}

QJsonObject snapshotToJson(const RolesSnapshot &snapshot, const QList<Finding> &findings,
                           const ZkStatus &status, const QString &connectString)
{
    QJsonArray nodes;
    for (const NodeInfo &n : snapshot.nodes)
        nodes.append(nodeToJson(n, findings));
    QJsonObject queues;
    for (auto it = snapshot.overseerQueueSizes.cbegin(); it != snapshot.overseerQueueSizes.cend();
         ++it)
        queues.insert(it.key(), it.value());
    return QJsonObject{
        {QStringLiteral("nodes"), nodes},
        {QStringLiteral("election"), electionToJson(snapshot.election)},
        {QStringLiteral("leader"), leaderToJson(snapshot.leader)},
        {QStringLiteral("findings"), findingsToJson(findings)},
        {QStringLiteral("zookeeper"), zookeeperToJson(status, connectString)},
        {QStringLiteral("what_if"), whatIfToJson(whatIfDies(snapshot))},
        {QStringLiteral("overseer_queues"), queues},
        {QStringLiteral("security_json"),
         QJsonObject{{QStringLiteral("exists"), snapshot.securityJsonExists},
                     {QStringLiteral("size"), snapshot.securityJsonSize}}},
    };
}

QDateTime nonPreferredSinceFromTree(const RolesSnapshot &snapshot, const SolrTree &tree)
{
    if (!nonPreferredLeaderCondition(snapshot))
        return {};
    qint64 firstPreferredLive = 0;
    for (const NodeInfo &n : snapshot.nodes) {
        if (!n.live || n.mode(QStringLiteral("overseer")) != QLatin1String("preferred"))
            continue;
        for (const ZnodeChild &c : tree.liveNodes)
            if (c.name == n.name && c.ctimeMs > 0 &&
                (firstPreferredLive == 0 || c.ctimeMs < firstPreferredLive))
                firstPreferredLive = c.ctimeMs;
    }
    const qint64 since = std::max(tree.leaderMtimeMs, firstPreferredLive);
    return since > 0 ? QDateTime::fromMSecsSinceEpoch(since) : QDateTime();
}

} // namespace opsdeck::roles
