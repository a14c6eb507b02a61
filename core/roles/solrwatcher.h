// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/profile.h"
#include "common/result.h"
#include "roles/solrtree.h"

#include <QDateTime>
#include <QHash>
#include <QObject>
#include <QSet>
#include <QString>
#include <QTimer>
#include <memory>
#include <utility>

typedef struct _zhandle zhandle_t;

namespace opsdeck::roles {

enum class ZkSessionState
{
    Connecting,   // first connection of a session in progress
    Connected,    // live: the tree is current
    Reconnecting, // the session lost its server; the tree is stale until it is back
    Expired,      // the session expired; a new one is being opened (then a full reload)
    AuthFailed,   // the digest credentials were refused
    Closed,
};
QString zkSessionStateName(ZkSessionState state); // connecting, connected, ...

struct ZkStatus
{
    ZkSessionState state = ZkSessionState::Closed;
    QString server;          // host:port of the current server, when connected
    qint64 sessionId = 0;    // signed, as Solr prints it
    QDateTime lastConfirmed; // the last moment the tree was known to be current
    QString error;           // why the last failure happened, for people (never credentials)
    bool stale() const { return state != ZkSessionState::Connected; }
};

// Follows the Solr tree of one ZooKeeper ensemble (under its chroot) with the ZooKeeper C client
// (libzookeeper_mt), asynchronously. The completion and watcher callbacks run on the client's
// threads; they only copy what ZooKeeper answered into values and post them to this object's
// thread, where every decision is made. Watches are one-shot: each one is re-armed by the read it
// triggers, and a change re-reads only the part of the tree that changed. On (re)connection the
// whole tree is read again; on session expiry a new session is opened.
//
// `/security.json` is only ever stat()ed: its size, never its bytes.
class SolrWatcher : public QObject
{
    Q_OBJECT
public:
    explicit SolrWatcher(ZooKeeperConfig config, QObject *parent = nullptr);
    ~SolrWatcher() override;

    // Resolves the credentials and opens the session. Errors: a malformed connect string,
    // unreadable credentials (naming the reference, never the secret).
    Result<void> start();
    void stop();

    ZkStatus status() const { return m_status; }
    // The tree as last completely read; check isLoaded() first.
    const SolrTree &tree() const { return m_tree; }
    bool isLoaded() const { return m_loaded; }
    QString chroot() const { return m_chroot; }

    // Test seam: the current session's id and password, so a test can attach a second handle to
    // the session and close it (which expires this one). Never logged or shown.
    std::pair<qint64, QByteArray> sessionCredentialsForTest() const;

    // Benchmark seam: steady-clock nanoseconds at which the client thread received the latest
    // watch event (0 before any).
    qint64 lastWatchFiredNs() const { return m_lastWatchFiredNs; }

    // How often the overseer queue sizes are refreshed (they change too often to watch).
    void setQueuePollMs(int ms) { m_queuePoll.setInterval(ms); }

signals:
    void statusChanged(const opsdeck::roles::ZkStatus &status);
    // A complete, consistent tree: after the initial load and after every change (coalesced).
    void treeChanged(const opsdeck::roles::SolrTree &tree);

public:
    // Posted from the client threads (public for the C callbacks; not an API).
    struct Reply;
    void onSessionEvent(quintptr handle, int state);
    void onWatchEvent(quintptr handle, int type, const QString &path, qint64 firedNs);
    void onReply(quintptr handle, const std::shared_ptr<Reply> &reply);

    struct Bridge;

private:
    void openHandle();
    void closeHandle();
    void setState(ZkSessionState state, const QString &error = {});
    void reloadAll();
    void routeRead(const QString &relativePath);

    void readLiveNodes();
    void readRoleRoot();
    void readRole(const QString &role);
    void readMode(const QString &role, const QString &mode);
    void readElection();
    void readLeader();
    void readRolesJson();
    void readCollections();
    void readCollection(const QString &collection);
    void readQueues();
    void readSecurity();

    enum class Op
    {
        Children,
        Data,
        Exists,
    };
    void issue(Op op, const QString &relativePath, int tag, bool watch);
    void applyReply(const Reply &reply);
    void settle();
    void parseCollection(const QString &name);
    void assembleTree();

    QString abs(const QString &relativePath) const;

    ZooKeeperConfig m_config;
    QString m_servers;
    QString m_chroot;
    QByteArray m_credentials;
    std::shared_ptr<Bridge> m_bridge;
    zhandle_t *m_zh = nullptr;
    bool m_authPending = false;

    ZkStatus m_status;
    SolrTree m_tree;
    bool m_loaded = false;
    bool m_everConnected = false;
    int m_outstanding = 0;
    QTimer m_emitTimer;
    QTimer m_queuePoll;
    // Runs while the session is not live; when it fires, the status says for how long no server
    // of the ensemble gave a session (a server that accepts and never answers looks the same to
    // the client as a slow one: this is the only bound people get).
    QTimer m_noAnswerTimer;

    // Per-part state behind m_tree.
    QHash<QString, qint64> m_liveOwners;
    struct Collection
    {
        QByteArray json;             // state.json
        QStringList prs;             // its per-replica state children
        QList<ReplicaInfo> replicas; // parsed from both when either changes
        QString problem;             // why state.json could not be used
    };
    QHash<QString, Collection> m_collections;
    QHash<QString, QString> m_problems; // relative path -> why it could not be read
    qint64 m_lastWatchFiredNs = 0;
};

} // namespace opsdeck::roles

Q_DECLARE_METATYPE(opsdeck::roles::ZkStatus)
Q_DECLARE_METATYPE(opsdeck::roles::SolrTree)
