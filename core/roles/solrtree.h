// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QMap>
#include <QString>

// The raw input of the node-roles logic: what the Solr reader found in ZooKeeper, as plain values.
// Nothing here talks to ZooKeeper; see solr-zookeeper-contract.md for the meaning of each znode.
namespace opsdeck::roles {

struct ZnodeChild
{
    QString name;
    qint64 ephemeralOwner = 0; // Stat.ephemeralOwner (0 for persistent znodes)
    qint64 ctimeMs = 0;
};

struct ReplicaInfo
{
    QString collection, shard, replica, core, node, state, type;
    bool leader = false;
};

struct SolrTree
{
    QString chroot;                          // for messages
    bool liveNodesExists = false;            // /live_nodes
    QList<ZnodeChild> liveNodes;             // children of /live_nodes (with ephemeral owner)
    QHash<QString, QByteArray> liveNodeData; // optional payloads (Solr 10 JSON); may be empty
    bool nodeRolesExists = false;            // /node_roles
    // /node_roles/<role>/<mode>/<node>: role -> mode -> leaves (with ephemeral owner)
    QMap<QString, QMap<QString, QList<ZnodeChild>>> roleLeaves;
    bool electionExists = false;        // /overseer_elect/election
    QList<ZnodeChild> electionChildren; // unsorted, as ZooKeeper lists them
    bool leaderExists = false;          // /overseer_elect/leader
    QByteArray leaderData;              // {"id":"<child name>"}
    qint64 leaderEphemeralOwner = 0;
    qint64 leaderMtimeMs = 0;
    bool rolesJsonExists = false; // legacy /roles.json
    QByteArray rolesJson;
    QList<ReplicaInfo> replicas; // from /collections/*/state.json (+ PRS children applied)
    QMap<QString, int> overseerQueueSizes; // "queue", "collection-queue-work", ... -> numChildren
    bool securityJsonExists = false;
    qint64 securityJsonSize = 0; // never the contents
    qint64 sessionId = 0;        // our own session (for display)
    // Znodes the reader could not use, one sentence each naming the znode and the reason
    // (not authorised, malformed JSON, ...). Never contains znode contents.
    QStringList readProblems;
};

} // namespace opsdeck::roles
