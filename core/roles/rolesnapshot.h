// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "roles/solrtree.h"

#include <QDateTime>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

// An immutable picture of a SolrCloud cluster's nodes, roles and Overseer election, built from a
// SolrTree (solr-zookeeper-contract.md §8).
namespace opsdeck::roles {

struct NodeInfo
{
    QString name;
    QString host;
    int port = -1;
    QString context;
    bool nameOk = false; // the node name parsed (parseNodeName)
    QString nameError;
    bool live = false;
    qint64 liveSession = 0; // ephemeralOwner of /live_nodes/<name>, 0 when not live
    // role -> mode from the /node_roles leaves; a role without a leaf is absent ("unknown").
    // Unknown roles and modes are kept as written.
    QMap<QString, QString> roles;
    // role -> every mode with a leaf for this node, when there is more than one (should not happen)
    QMap<QString, QStringList> conflictingRoles;
    QMap<QString, QString> liveDataRoles; // Solr 10 live node JSON "roles", when present
    QString solrVersion;                  // Solr 10 live node JSON "solrVersion", when present
    QStringList rolesJsonOverseer; // legacy /roles.json roles naming this node (["overseer"])
    int replicaCount = 0;
    QStringList collections; // sorted, unique
    QList<ReplicaInfo> replicas;
    int candidateCount = 0; // election entries naming this node

    bool hasRoleLeaves() const { return !roles.isEmpty(); }
    // The mode of `role`, or an empty string when the node has no leaf for it.
    QString mode(const QString &role) const { return roles.value(role); }
    // overseer:preferred, or named in the legacy /roles.json (the prioritizer merges both).
    bool isOverseerDesignate() const;
};

struct ElectionCandidate
{
    int position = 0; // 0 = head (the would-be leader)
    QString znode;    // the child name
    qint64 sessionId = 0;
    QString node;
    qint32 sequence = 0;
    QString watches; // znode of the candidate before it in order, empty for the head
    bool parsed = false;
    QString parseError;
    bool solrMisreads = false;
    QString solrReadsNodeAs;
    QString solrProblem;
    qint64 ephemeralOwner = 0; // Stat.ephemeralOwner of the child
    qint64 ctimeMs = 0;
};

struct LeaderInfo
{
    bool exists = false;
    QString znode; // the id from the JSON (an election child name)
    QString node;
    bool isHead = false;
    bool inQueue = false; // a child with that name exists
    bool parsable = false;
    QString error;
    qint64 session = 0;        // session id parsed from the id
    qint64 ephemeralOwner = 0; // owner of /overseer_elect/leader
    qint64 mtimeMs = 0;
};

struct Finding
{
    enum Severity
    {
        Info,
        Warning,
        Critical,
    };
    Severity severity = Info;
    QString code; // stable snake_case
    QString node;
    QString message;

    bool operator==(const Finding &) const = default;
};

QString severityName(Finding::Severity severity); // "info", "warning", "critical"
// 0 no findings above info, 1 warnings, 2 critical (the `opsdeck roles` exit codes).
int findingsExitCode(const QList<Finding> &findings);

struct RolesSnapshot
{
    QString chroot;
    bool liveNodesExists = false;
    bool nodeRolesExists = false;
    bool electionExists = false;
    QList<NodeInfo> nodes;             // sorted by name
    QList<ElectionCandidate> election; // Solr order; unparsable names last
    LeaderInfo leader;
    bool rolesJsonExists = false;
    bool rolesJsonParsed = false;
    QString rolesJsonError;
    QMap<QString, QStringList> rolesJson; // role -> nodes, as in /roles.json
    QStringList unknownRoleDirectories;   // /node_roles/<role> dirs this console does not know
    QMap<QString, int> overseerQueueSizes;
    bool securityJsonExists = false;
    qint64 securityJsonSize = 0;
    QStringList readProblems; // from SolrTree::readProblems
    qint64 sessionId = 0;
    QList<Finding> findings; // evaluateFindings(*this, {builtAt}) — no grace tracking
    QDateTime builtAt;

    const NodeInfo *node(const QString &name) const;
    // Candidates naming `node`, in election order.
    QList<const ElectionCandidate *> candidatesOf(const QString &node) const;
    const ElectionCandidate *head() const
    {
        return election.isEmpty() ? nullptr : &election.first();
    }
};

// Builds a snapshot; `builtAt` invalid = now (UTC).
RolesSnapshot buildSnapshot(const SolrTree &tree, const QDateTime &builtAt = {});

// The synthetic collection a coordinator node used to publish (expected on coordinator:on nodes).
bool isCoordinatorSyntheticCollection(const QString &collection);

} // namespace opsdeck::roles
