// SPDX-License-Identifier: GPL-3.0-or-later
#include "solrwatcher.h"

#include "roles/solrjson.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QMetaObject>
#include <QPointer>
#include <chrono>
#include <mutex>
#include <zookeeper/zookeeper.h>

namespace opsdeck::roles {

QString zkSessionStateName(ZkSessionState state)
{
    switch (state) {
    case ZkSessionState::Connecting:
        return QStringLiteral("connecting");
    case ZkSessionState::Connected:
        return QStringLiteral("connected");
    case ZkSessionState::Reconnecting:
        return QStringLiteral("reconnecting");
    case ZkSessionState::Expired:
        return QStringLiteral("expired");
    case ZkSessionState::AuthFailed:
        return QStringLiteral("auth_failed");
    case ZkSessionState::Closed:
        return QStringLiteral("closed");
    }
    return {};
}

// What the client threads hand over: plain values only.
struct SolrWatcher::Reply
{
    QString path; // relative to the chroot
    int tag = 0;
    int rc = 0;
    QStringList children;
    QByteArray data;
    qint64 owner = 0;
    qint64 mtimeMs = 0;
    qint64 ctimeMs = 0;
    int numChildren = 0;
    qint64 dataLength = 0;
};

// Lives as long as any handle: the C callbacks reach the watcher only through it, under its
// mutex, and the watcher unhooks itself before it closes its handle.
struct SolrWatcher::Bridge
{
    std::mutex mutex;
    SolrWatcher *receiver = nullptr;

    // Queues call(receiver) on the receiver's thread. Bound to the receiver: Qt drops the call if
    // the receiver is destroyed before it runs.
    template<typename F> void post(F &&call)
    {
        const std::lock_guard lock(mutex);
        SolrWatcher *r = receiver;
        if (!r)
            return;
        QMetaObject::invokeMethod(
            r, [r, fn = std::forward<F>(call)]() mutable { fn(r); }, Qt::QueuedConnection);
    }
};

namespace {

enum Tag
{
    TagNone = 0,
    TagLiveNodes,
    TagLiveOwner,
    TagRoleRoot,
    TagRole,
    TagMode,
    TagElection,
    TagLeader,
    TagRolesJson,
    TagCollections,
    TagCollectionState,
    TagCollectionPrs,
    TagQueue,
    TagSecurity,
    TagParentExists, // a missing directory: watch for its creation
};

struct OpContext
{
    std::shared_ptr<SolrWatcher::Bridge> bridge;
    quintptr handle = 0;
    std::shared_ptr<SolrWatcher::Reply> reply;
};

void deliver(OpContext *ctx)
{
    const std::shared_ptr<SolrWatcher::Bridge> bridge = ctx->bridge;
    const quintptr handle = ctx->handle;
    std::shared_ptr<SolrWatcher::Reply> reply = std::move(ctx->reply);
    delete ctx;
    bridge->post([handle, reply](SolrWatcher *w) { w->onReply(handle, reply); });
}

void fillStat(SolrWatcher::Reply &r, const Stat *stat)
{
    if (!stat)
        return;
    r.owner = static_cast<qint64>(stat->ephemeralOwner);
    r.mtimeMs = static_cast<qint64>(stat->mtime);
    r.ctimeMs = static_cast<qint64>(stat->ctime);
    r.numChildren = stat->numChildren;
    r.dataLength = stat->dataLength;
}

void childrenCompletion(int rc, const String_vector *strings, const Stat *stat, const void *data)
{
    auto *ctx = static_cast<OpContext *>(const_cast<void *>(data));
    ctx->reply->rc = rc;
    if (rc == ZOK && strings) {
        for (int i = 0; i < strings->count; ++i)
            ctx->reply->children.append(QString::fromUtf8(strings->data[i]));
    }
    fillStat(*ctx->reply, stat);
    deliver(ctx);
}

void dataCompletion(int rc, const char *value, int valueLength, const Stat *stat, const void *data)
{
    auto *ctx = static_cast<OpContext *>(const_cast<void *>(data));
    ctx->reply->rc = rc;
    if (rc == ZOK && value && valueLength > 0)
        ctx->reply->data = QByteArray(value, valueLength); // -1: null data, same as empty here
    fillStat(*ctx->reply, stat);
    deliver(ctx);
}

void statCompletion(int rc, const Stat *stat, const void *data)
{
    auto *ctx = static_cast<OpContext *>(const_cast<void *>(data));
    ctx->reply->rc = rc;
    fillStat(*ctx->reply, stat);
    deliver(ctx);
}

void authCompletion(int rc, const void *data)
{
    auto *ctx = static_cast<OpContext *>(const_cast<void *>(data));
    ctx->reply->rc = rc;
    deliver(ctx);
}

// The session watcher (default watcher of the handle) and the per-read watcher share this.
void watcherFn(zhandle_t *zh, int type, int state, const char *path, void *context)
{
    auto *bridge = static_cast<SolrWatcher::Bridge *>(context);
    if (!bridge)
        return;
    const quintptr handle = reinterpret_cast<quintptr>(zh);
    if (type == ZOO_SESSION_EVENT) {
        bridge->post([handle, state](SolrWatcher *w) { w->onSessionEvent(handle, state); });
        return;
    }
    const QString p = path ? QString::fromUtf8(path) : QString();
    const qint64 firedNs = std::chrono::duration_cast<std::chrono::nanoseconds>(
                               std::chrono::steady_clock::now().time_since_epoch())
                               .count();
    bridge->post(
        [handle, type, p, firedNs](SolrWatcher *w) { w->onWatchEvent(handle, type, p, firedNs); });
}

void discardLog(const char *) {}

// Replies that arrive together are coalesced by the outstanding-read count; the timer only moves
// the emission to the next event-loop turn.
constexpr int EmitDelayMs = 0;

} // namespace

SolrWatcher::SolrWatcher(ZooKeeperConfig config, QObject *parent)
    : QObject(parent)
    , m_config(std::move(config))
    , m_bridge(std::make_shared<Bridge>())
{
    qRegisterMetaType<ZkStatus>();
    qRegisterMetaType<SolrTree>();
    m_bridge->receiver = this;
    m_emitTimer.setSingleShot(true);
    m_emitTimer.setInterval(EmitDelayMs);
    connect(&m_emitTimer, &QTimer::timeout, this, [this] {
        if (m_outstanding > 0 || m_status.state != ZkSessionState::Connected)
            return;
        assembleTree();
        m_tree.sessionId = m_status.sessionId;
        m_loaded = true;
        m_status.lastConfirmed = QDateTime::currentDateTimeUtc();
        emit treeChanged(m_tree);
    });
    m_noAnswerTimer.setSingleShot(true);
    connect(&m_noAnswerTimer, &QTimer::timeout, this, [this] {
        if (!m_zh || m_status.state == ZkSessionState::Connected ||
            m_status.state == ZkSessionState::AuthFailed)
            return;
        const int ms = m_noAnswerTimer.interval();
        const QString why =
            m_status.state == ZkSessionState::Reconnecting
                ? QStringLiteral("lost the connection; no server of %1 has given the session "
                                 "back for %2 ms; still trying")
                : QStringLiteral("no ZooKeeper session from %1 within %2 ms (nobody answered); "
                                 "still trying");
        setState(m_status.state, why.arg(m_servers).arg(ms));
    });
    m_queuePoll.setInterval(5000);
    connect(&m_queuePoll, &QTimer::timeout, this, [this] {
        if (m_status.state == ZkSessionState::Connected)
            readQueues();
    });
}

SolrWatcher::~SolrWatcher()
{
    {
        const std::lock_guard lock(m_bridge->mutex);
        m_bridge->receiver = nullptr;
    }
    closeHandle();
}

Result<void> SolrWatcher::start()
{
    const auto parsed = parseZkConnectString(m_config.connectString);
    if (!parsed)
        return makeError(parsed.error().code, parsed.error().message, m_config.connectString);
    m_servers = parsed->hosts.join(QLatin1Char(','));
    m_chroot = parsed->chroot;
    m_tree.chroot = m_chroot;
    if (m_config.digestAuth.isSet()) {
        auto secret = m_config.digestAuth.resolve();
        if (!secret)
            return makeError(secret.error().code,
                             QStringLiteral("digest credentials: %1").arg(secret.error().message),
                             m_config.connectString);
        if (secret->indexOf(':') <= 0)
            return makeError(ErrorCode::InvalidArgument,
                             QStringLiteral("digest credentials from %1 must have the form "
                                            "user:password")
                                 .arg(m_config.digestAuth.displayString()),
                             m_config.connectString);
        m_credentials = std::move(secret).value();
    }
    openHandle();
    if (!m_zh)
        return makeError(ErrorCode::Network,
                         QStringLiteral("the ZooKeeper client refused the server list"),
                         m_config.connectString);
    return {};
}

std::pair<qint64, QByteArray> SolrWatcher::sessionCredentialsForTest() const
{
    if (!m_zh)
        return {0, {}};
    const clientid_t *id = zoo_client_id(m_zh);
    return {static_cast<qint64>(id->client_id), QByteArray(id->passwd, sizeof(id->passwd))};
}

void SolrWatcher::stop()
{
    m_noAnswerTimer.stop();
    m_queuePoll.stop();
    m_emitTimer.stop();
    closeHandle();
    setState(ZkSessionState::Closed);
}

QString SolrWatcher::abs(const QString &relativePath) const
{
    return m_chroot + relativePath;
}

void SolrWatcher::openHandle()
{
    const QByteArray hosts = m_servers.toUtf8();
    const int sessionTimeout = m_config.sessionTimeoutMs > 0 ? m_config.sessionTimeoutMs : 15000;
    m_zh = zookeeper_init2(hosts.constData(), watcherFn, sessionTimeout, nullptr, m_bridge.get(), 0,
                           discardLog);
    m_outstanding = 0;
    m_status.sessionId = 0;
    m_status.server.clear();
    setState(m_everConnected ? ZkSessionState::Expired : ZkSessionState::Connecting,
             m_status.state == ZkSessionState::Expired ? m_status.error : QString());
    m_noAnswerTimer.start(sessionTimeout);
}

void SolrWatcher::closeHandle()
{
    if (!m_zh)
        return;
    zhandle_t *zh = m_zh;
    m_zh = nullptr;
    m_outstanding = 0;
    // Joins the client threads; completions still queued are delivered (ZCLOSING) first. Their
    // posts are dropped by onReply() because the handle no longer matches.
    zookeeper_close(zh);
}

void SolrWatcher::setState(ZkSessionState state, const QString &error)
{
    if (m_status.state == ZkSessionState::Connected && state != ZkSessionState::Connected)
        m_status.lastConfirmed = QDateTime::currentDateTimeUtc();
    const bool changed = m_status.state != state || m_status.error != error;
    m_status.state = state;
    m_status.error = error;
    if (changed)
        emit statusChanged(m_status);
}

void SolrWatcher::onSessionEvent(quintptr handle, int state)
{
    if (!m_zh || handle != reinterpret_cast<quintptr>(m_zh))
        return;
    if (state == ZOO_CONNECTED_STATE) {
        m_noAnswerTimer.stop();
        m_everConnected = true;
        m_status.sessionId = static_cast<qint64>(zoo_client_id(m_zh)->client_id);
        m_tree.sessionId = m_status.sessionId;
        // The string belongs to the handle (a buffer of its own): copy it, never free it.
        if (const char *server = zoo_get_current_server(m_zh))
            m_status.server = QString::fromUtf8(server);
        if (!m_credentials.isEmpty()) {
            // Reads wait for the answer: with a refused credential nothing is read at all.
            auto *ctx = new OpContext{m_bridge, reinterpret_cast<quintptr>(m_zh),
                                      std::make_shared<Reply>()};
            ctx->reply->tag = -1;
            m_authPending = true;
            const int rc =
                zoo_add_auth(m_zh, "digest", m_credentials.constData(),
                             static_cast<int>(m_credentials.size()), authCompletion, ctx);
            if (rc != ZOK) {
                delete ctx;
                m_authPending = false;
                setState(ZkSessionState::AuthFailed,
                         QStringLiteral("cannot send the digest credentials: %1")
                             .arg(QString::fromLatin1(zerror(rc))));
            }
            return;
        }
        setState(ZkSessionState::Connected);
        reloadAll();
        return;
    }
    if (state == ZOO_CONNECTING_STATE || state == ZOO_ASSOCIATING_STATE) {
        if (m_status.state == ZkSessionState::Connected) {
            setState(ZkSessionState::Reconnecting,
                     QStringLiteral("lost the connection to %1; retrying").arg(m_status.server));
            m_noAnswerTimer.start(m_config.sessionTimeoutMs > 0 ? m_config.sessionTimeoutMs
                                                                : 15000);
        }
        return;
    }
    if (state == ZOO_EXPIRED_SESSION_STATE) {
        setState(ZkSessionState::Expired,
                 QStringLiteral("session 0x%1 expired; opening a new one")
                     .arg(static_cast<quint64>(m_status.sessionId), 0, 16));
        // Not from inside the event: closing joins the very threads that posted it.
        QTimer::singleShot(0, this, [this] {
            closeHandle();
            openHandle();
        });
        return;
    }
    if (state == ZOO_AUTH_FAILED_STATE) {
        setState(ZkSessionState::AuthFailed,
                 QStringLiteral("ZooKeeper refused the digest credentials from %1")
                     .arg(m_config.digestAuth.displayString()));
        return;
    }
}

void SolrWatcher::onWatchEvent(quintptr handle, int type, const QString &path, qint64 firedNs)
{
    if (!m_zh || handle != reinterpret_cast<quintptr>(m_zh) || path.isEmpty())
        return;
    m_lastWatchFiredNs = firedNs;
    Q_UNUSED(type);
    QString relative = path;
    if (!m_chroot.isEmpty()) {
        if (!relative.startsWith(m_chroot))
            return;
        relative = relative.mid(m_chroot.size());
        if (relative.isEmpty())
            relative = QStringLiteral("/");
    }
    routeRead(relative);
}

void SolrWatcher::routeRead(const QString &p)
{
    const QStringList parts = p.split(QLatin1Char('/'), Qt::SkipEmptyParts);
    if (parts.isEmpty())
        return;
    const QString &top = parts.first();
    if (top == QLatin1String("live_nodes")) {
        readLiveNodes();
    } else if (top == QLatin1String("node_roles")) {
        if (parts.size() == 1)
            readRoleRoot();
        else if (parts.size() == 2)
            readRole(parts.at(1));
        else
            readMode(parts.at(1), parts.at(2));
    } else if (top == QLatin1String("overseer_elect")) {
        if (parts.size() >= 2 && parts.at(1) == QLatin1String("leader"))
            readLeader();
        else
            readElection();
    } else if (top == QLatin1String("roles.json")) {
        readRolesJson();
    } else if (top == QLatin1String("collections")) {
        if (parts.size() >= 2)
            readCollection(parts.at(1));
        else
            readCollections();
    } else if (top == QLatin1String("security.json")) {
        readSecurity();
    }
}

void SolrWatcher::reloadAll()
{
    m_problems.clear();
    m_liveOwners.clear();
    m_collections.clear();
    SolrTree fresh;
    fresh.chroot = m_chroot;
    fresh.sessionId = m_status.sessionId;
    m_tree = fresh;
    readLiveNodes();
    readRoleRoot();
    readElection();
    readLeader();
    readRolesJson();
    readCollections();
    readQueues();
    readSecurity();
    m_queuePoll.start();
}

void SolrWatcher::issue(Op op, const QString &relativePath, int tag, bool watch)
{
    if (!m_zh)
        return;
    auto *ctx =
        new OpContext{m_bridge, reinterpret_cast<quintptr>(m_zh), std::make_shared<Reply>()};
    ctx->reply->path = relativePath;
    ctx->reply->tag = tag;
    const QByteArray path = abs(relativePath).toUtf8();
    watcher_fn w = watch ? watcherFn : nullptr;
    void *wctx = watch ? m_bridge.get() : nullptr;
    int rc = ZOK;
    switch (op) {
    case Op::Children:
        rc = watch ? zoo_awget_children2(m_zh, path.constData(), w, wctx, childrenCompletion, ctx)
                   : zoo_aget_children2(m_zh, path.constData(), 0, childrenCompletion, ctx);
        break;
    case Op::Data:
        rc = watch ? zoo_awget(m_zh, path.constData(), w, wctx, dataCompletion, ctx)
                   : zoo_aget(m_zh, path.constData(), 0, dataCompletion, ctx);
        break;
    case Op::Exists:
        rc = watch ? zoo_awexists(m_zh, path.constData(), w, wctx, statCompletion, ctx)
                   : zoo_aexists(m_zh, path.constData(), 0, statCompletion, ctx);
        break;
    }
    if (rc != ZOK) {
        // Not queued (connection gone): the next (re)connection reloads everything anyway.
        delete ctx;
        return;
    }
    ++m_outstanding;
}

void SolrWatcher::readLiveNodes()
{
    issue(Op::Children, QStringLiteral("/live_nodes"), TagLiveNodes, true);
}
void SolrWatcher::readRoleRoot()
{
    issue(Op::Children, QStringLiteral("/node_roles"), TagRoleRoot, true);
}
void SolrWatcher::readRole(const QString &role)
{
    issue(Op::Children, QStringLiteral("/node_roles/") + role, TagRole, true);
}
void SolrWatcher::readMode(const QString &role, const QString &mode)
{
    issue(Op::Children, QStringLiteral("/node_roles/%1/%2").arg(role, mode), TagMode, true);
}
void SolrWatcher::readElection()
{
    issue(Op::Children, QStringLiteral("/overseer_elect/election"), TagElection, true);
}
void SolrWatcher::readLeader()
{
    issue(Op::Data, QStringLiteral("/overseer_elect/leader"), TagLeader, true);
}
void SolrWatcher::readRolesJson()
{
    issue(Op::Data, QStringLiteral("/roles.json"), TagRolesJson, true);
}
void SolrWatcher::readCollections()
{
    issue(Op::Children, QStringLiteral("/collections"), TagCollections, true);
}
void SolrWatcher::readCollection(const QString &collection)
{
    const QString state = QStringLiteral("/collections/%1/state.json").arg(collection);
    issue(Op::Data, state, TagCollectionState, true);
    issue(Op::Children, state, TagCollectionPrs, true);
}
void SolrWatcher::readQueues()
{
    for (const char *queue : {"queue", "collection-queue-work", "queue-work"})
        issue(Op::Exists, QStringLiteral("/overseer/") + QLatin1String(queue), TagQueue, false);
}
void SolrWatcher::readSecurity()
{
    // Only the stat: the size, never the contents.
    issue(Op::Exists, QStringLiteral("/security.json"), TagSecurity, true);
}

void SolrWatcher::onReply(quintptr handle, const std::shared_ptr<Reply> &reply)
{
    if (!m_zh || handle != reinterpret_cast<quintptr>(m_zh) || !reply)
        return;
    if (reply->tag == -1) { // the digest answer
        m_authPending = false;
        if (reply->rc != ZOK) {
            setState(ZkSessionState::AuthFailed,
                     QStringLiteral("ZooKeeper refused the digest credentials from %1 (%2)")
                         .arg(m_config.digestAuth.displayString(),
                              QString::fromLatin1(zerror(reply->rc))));
            return;
        }
        setState(ZkSessionState::Connected);
        reloadAll();
        return;
    }
    --m_outstanding;
    applyReply(*reply);
    settle();
}

void SolrWatcher::settle()
{
    if (m_outstanding <= 0 && m_status.state == ZkSessionState::Connected)
        m_emitTimer.start();
}

void SolrWatcher::applyReply(const Reply &r)
{
    const bool missing = r.rc == ZNONODE;
    if (r.rc == ZNOAUTH) {
        m_problems.insert(r.path,
                          QStringLiteral("%1: ZooKeeper refuses to let this session read it "
                                         "(NOAUTH); check the digest credentials (--auth / "
                                         "zookeeper.auth)")
                              .arg(abs(r.path)));
        return;
    }
    if (r.rc != ZOK && !missing)
        return; // connection loss or closing: the reconnection reloads
    m_problems.remove(r.path);
    const QStringList parts = r.path.split(QLatin1Char('/'), Qt::SkipEmptyParts);
    switch (r.tag) {
    case TagLiveNodes: {
        m_tree.liveNodesExists = !missing;
        if (missing) {
            m_tree.liveNodes.clear();
            issue(Op::Exists, r.path, TagParentExists, true);
            return;
        }
        QList<ZnodeChild> nodes;
        for (const QString &name : r.children) {
            ZnodeChild c;
            c.name = name;
            c.ephemeralOwner = m_liveOwners.value(name);
            nodes.append(c);
            if (!m_liveOwners.contains(name))
                issue(Op::Exists, r.path + QLatin1Char('/') + name, TagLiveOwner, false);
        }
        // Forget owners of nodes that left (a restarted node comes back with a new session).
        for (auto it = m_liveOwners.begin(); it != m_liveOwners.end();) {
            if (!r.children.contains(it.key()))
                it = m_liveOwners.erase(it);
            else
                ++it;
        }
        m_tree.liveNodes = nodes;
        return;
    }
    case TagLiveOwner: {
        if (missing || parts.size() < 2)
            return;
        const QString &name = parts.last();
        m_liveOwners.insert(name, r.owner);
        for (ZnodeChild &c : m_tree.liveNodes)
            if (c.name == name) {
                c.ephemeralOwner = r.owner;
                c.ctimeMs = r.ctimeMs;
            }
        return;
    }
    case TagRoleRoot: {
        m_tree.nodeRolesExists = !missing;
        if (missing) {
            m_tree.roleLeaves.clear();
            issue(Op::Exists, r.path, TagParentExists, true);
            return;
        }
        for (auto it = m_tree.roleLeaves.begin(); it != m_tree.roleLeaves.end();) {
            if (!r.children.contains(it.key()))
                it = m_tree.roleLeaves.erase(it);
            else
                ++it;
        }
        for (const QString &role : r.children)
            readRole(role);
        return;
    }
    case TagRole: {
        if (parts.size() < 2)
            return;
        const QString &role = parts.at(1);
        if (missing) {
            m_tree.roleLeaves.remove(role);
            return;
        }
        auto &modes = m_tree.roleLeaves[role];
        for (auto it = modes.begin(); it != modes.end();) {
            if (!r.children.contains(it.key()))
                it = modes.erase(it);
            else
                ++it;
        }
        for (const QString &mode : r.children)
            readMode(role, mode);
        return;
    }
    case TagMode: {
        if (parts.size() < 3)
            return;
        if (missing) {
            m_tree.roleLeaves[parts.at(1)].remove(parts.at(2));
            return;
        }
        QList<ZnodeChild> leaves;
        for (const QString &name : r.children)
            leaves.append(ZnodeChild{name, 0, 0});
        m_tree.roleLeaves[parts.at(1)][parts.at(2)] = leaves;
        return;
    }
    case TagElection: {
        m_tree.electionExists = !missing;
        m_tree.electionChildren.clear();
        if (missing) {
            issue(Op::Exists, r.path, TagParentExists, true);
            return;
        }
        for (const QString &name : r.children)
            m_tree.electionChildren.append(ZnodeChild{name, 0, 0});
        return;
    }
    case TagLeader: {
        m_tree.leaderExists = !missing;
        m_tree.leaderData = missing ? QByteArray() : r.data;
        m_tree.leaderEphemeralOwner = missing ? 0 : r.owner;
        m_tree.leaderMtimeMs = missing ? 0 : r.mtimeMs;
        if (missing)
            issue(Op::Exists, r.path, TagParentExists, true); // notified when it is created
        return;
    }
    case TagRolesJson: {
        m_tree.rolesJsonExists = !missing;
        m_tree.rolesJson = missing ? QByteArray() : r.data;
        if (missing)
            issue(Op::Exists, r.path, TagParentExists, true);
        return;
    }
    case TagCollections: {
        if (missing) {
            m_collections.clear();
            issue(Op::Exists, r.path, TagParentExists, true);
            return;
        }
        for (auto it = m_collections.begin(); it != m_collections.end();) {
            if (!r.children.contains(it.key()))
                it = m_collections.erase(it);
            else
                ++it;
        }
        for (const QString &c : r.children)
            if (!m_collections.contains(c))
                readCollection(c);
        return;
    }
    case TagCollectionState:
    case TagCollectionPrs: {
        if (parts.size() < 2)
            return;
        const QString &name = parts.at(1);
        if (missing) {
            m_collections.remove(name);
            return;
        }
        if (r.tag == TagCollectionState)
            m_collections[name].json = r.data;
        else
            m_collections[name].prs = r.children;
        parseCollection(name);
        return;
    }
    case TagQueue: {
        if (parts.size() < 2)
            return;
        if (missing)
            m_tree.overseerQueueSizes.remove(parts.last());
        else
            m_tree.overseerQueueSizes.insert(parts.last(), r.numChildren);
        return;
    }
    case TagSecurity:
        m_tree.securityJsonExists = !missing;
        m_tree.securityJsonSize = missing ? 0 : r.dataLength;
        return;
    case TagParentExists:
        // The watch set here fires on creation; routeRead() then reads the path again.
        if (!missing)
            routeRead(r.path);
        return;
    default:
        return;
    }
}

// Replicas of one collection from its state.json and (when per-replica state is on) the state
// children "<replica>:<version>:<A|D|R|F>[:L]", which are authoritative. Runs once per change of
// that collection, not on every emission of the tree.
void SolrWatcher::parseCollection(const QString &name)
{
    Collection &c = m_collections[name];
    CollectionState decoded = decodeCollectionState(
        name, abs(QStringLiteral("/collections/%1/state.json").arg(name)), c.json, c.prs);
    c.replicas = std::move(decoded.replicas);
    c.problem = std::move(decoded.problem);
}

// The parts kept per collection and per unreadable znode, joined into the tree.
void SolrWatcher::assembleTree()
{
    QList<ReplicaInfo> replicas;
    QStringList problems = m_problems.values();
    for (const Collection &c : std::as_const(m_collections)) {
        replicas += c.replicas;
        if (!c.problem.isEmpty())
            problems << c.problem;
    }
    problems.sort();
    m_tree.replicas = replicas;
    m_tree.readProblems = problems;
}

} // namespace opsdeck::roles
