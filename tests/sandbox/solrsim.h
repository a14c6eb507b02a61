// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/result.h"

#include <QList>
#include <QPair>
#include <QString>
#include <QStringList>
#include <memory>

namespace opsdeck::test {

// One simulated Solr node: what Solr derives its node name and roles from.
struct SolrNodeSpec
{
    QString host = QStringLiteral("127.0.0.1");
    int port = 8983;
    QString context = QStringLiteral("solr");
    QString rolesSpec; // the -Dsolr.node.roles value; empty = default data:on,overseer:allowed
    int sessionTimeoutMs = 10000; // the node's ZooKeeper session timeout (Solr's zkClientTimeout)
};

// A Solr-shaped cluster on a REAL ZooKeeper: every simulated node is its own ZooKeeper session
// that writes exactly what Solr 9 writes (shared/docs/solr-zookeeper-contract.md):
//  - bootstrap(): the persistent skeleton of ZkController.createClusterZkNodes plus the Overseer's
//    queues and the election directory (null data; /security.json = "{}"; /overseer = zero bytes);
//  - startNode(): joins the Overseer election (EPHEMERAL_SEQUENTIAL "<sid>-<node>-n_", null data)
//    when overseer is allowed|preferred, runs LeaderElector.checkIfIamLeader, then ONE multi()
//    creating /live_nodes/<node> and /node_roles/<role>/<mode>/<node> for every role (EPHEMERAL,
//    null data); a preferred node (or one named in /roles.json) then runs the prioritizer;
//  - the leader writes /overseer_elect/leader (EPHEMERAL, {"id":"<child>"}) and, like every new
//    Overseer, runs OverseerNodePrioritizer: the first designate in line is re-joined at the head
//    (non-sequential EPHEMERAL with the seq of index 1), the old index 1 re-joins at the tail, and
//    the leader quits (deletes the leader znode, re-joins at the tail);
//  - a candidate that is not first watches its predecessor (getData watch) and re-checks when it
//    goes.
//
// Threading: the ZooKeeper client threads only queue events; one worker thread of the sim runs
// the election logic. Every public call and every worker task is serialised by one mutex. Every
// ZooKeeper call is bounded (the C client fails a call when its session's connection is lost).
// Tests should wait for the asynchronous parts (a takeover after a kill) by polling (QTRY_*).
class SolrClusterSim
{
public:
    explicit SolrClusterSim(QString connectString /* may end with /chroot */);
    ~SolrClusterSim(); // closes every node's session and the sim's own
    SolrClusterSim(const SolrClusterSim &) = delete;
    SolrClusterSim &operator=(const SolrClusterSim &) = delete;

    // Creates the chroot (if any) and the persistent skeleton. Idempotent.
    Result<void> bootstrap();

    // Starts a node with a new session; returns its index. Fails without writing anything for a
    // role spec Solr would reject, and (like Solr) when a live node of the same name from an
    // older session does not vanish within 2x the session timeout.
    Result<int> startNode(const SolrNodeSpec &spec);
    // Graceful stop: deletes the live node first, then cancels the election (the leader deletes
    // /overseer_elect/leader, the candidate its election node) and closes the session; the role
    // leaves vanish with the session.
    void stopNode(int index);
    // First half of a graceful stop only: the live node is gone, the session (role leaves,
    // election candidate, leader znode) stays until stopNode/killNode. Shows the window Solr has
    // between preClose() and the session close.
    Result<void> deleteLiveNode(int index);
    // A crash: the session is closed (zookeeper_close) without the graceful delete; ZooKeeper
    // removes the ephemerals at once.
    void killNode(int index);
    // Session expiry as the node sees it: a second client handle attaches to the node's session
    // (same id + password) and closes it, so ZooKeeper drops the ephemerals at once and the node's
    // own client gets SESSION_EXPIRED when it reconnects. (Not a server-side timeout: this C client
    // gives no way to stop the pings of a live handle.) The node counts as not running from now
    // on and does not reconnect by itself; restartNode gives it a new session.
    void expireNode(int index);
    // Starts the node again (same index, same spec) with a NEW session; a running node is stopped
    // gracefully first.
    Result<int> restartNode(int index);
    // One OVERSEEROP for a running candidate: op=rejoin (atHead false: delete the candidate, join
    // again at the tail) or op=rejoinAtHead (a non-sequential EPHEMERAL copying the seq of index 1,
    // so two candidates share a seq until the old index 1 re-joins). No prioritizer, no QUIT.
    Result<void> rejoinElection(int index, bool atHead);

    // Waits (bounded) until the worker has no queued or running election task: the follow-ups
    // of what happened so far (a new leader's prioritizer run, a predecessor re-check) are done.
    // False on timeout.
    bool waitForIdle(int timeoutMs);

    int nodeCount() const;
    QString nodeName(int index) const; // host:port_context (context URL-encoded as Solr does)
    qint64 sessionId(int index) const; // the current (or last) session; 0 if none
    bool isRunning(int index) const;
    // The node's current election child name ("" when not a candidate).
    QString electionNode(int index) const;
    int indexOfNode(const QString &nodeName) const; // -1 if unknown

    // /collections/<name>/state.json as Solr 9 writes it (noggit layout, indent 2). layout: shard
    // name -> node names of its replicas; the first replica of a shard is its leader. With
    // perReplicaState also the state.json children "<replica>:0:A[:L]" (the JSON then says
    // "state":"down" and carries no leader flag, as PRS leaves it).
    Result<void> addCollection(const QString &name,
                               const QList<QPair<QString, QList<QString>>> &layout,
                               bool perReplicaState = false);
    // Legacy /roles.json = {"overseer":[...]} in noggit's bytes (created or overwritten).
    Result<void> writeRolesJson(const QStringList &overseerNodes);

    QString leaderNode() const;        // node name from /overseer_elect/leader; "" if none
    QStringList electionOrder() const; // node names of the candidates in Solr's sort order

    // Helpers with Solr's exact rules.
    static QString makeNodeName(const QString &host, int port, const QString &context);
    // NodeRoles(String): role -> mode for every role (defaults filled); an error for a spec Solr
    // rejects.
    static Result<QList<QPair<QString, QString>>> effectiveRoles(const QString &spec);
    // Noggit JSONWriter output (indent 2) for {"id": id} and {"overseer": [nodes]}.
    static QByteArray leaderPayload(const QString &id);
    static QByteArray rolesJson(const QStringList &overseerNodes);

    struct Impl;

private:
    std::unique_ptr<Impl> d;
};

} // namespace opsdeck::test
