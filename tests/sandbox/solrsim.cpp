// SPDX-License-Identifier: GPL-3.0-or-later
#include "solrsim.h"

#include "zookeeperserver.h"

#include <QDeadlineTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QUrl>
#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <limits>
#include <mutex>
#include <thread>
#include <vector>
#include <zookeeper/zookeeper.h>

namespace opsdeck::test {

namespace {

const QString kLiveNodes = QStringLiteral("/live_nodes");
const QString kNodeRoles = QStringLiteral("/node_roles");
const QString kElection = QStringLiteral("/overseer_elect/election");
const QString kLeader = QStringLiteral("/overseer_elect/leader");
const QString kRolesJson = QStringLiteral("/roles.json");
constexpr int kConnectTimeoutMs = 10000;

// NodeRoles.Role in enum order: name, supported modes, mode when absent from a non-empty spec.
struct RoleDef
{
    const char *name;
    QStringList modes;
    const char *absent;
};

const std::vector<RoleDef> &roleDefs()
{
    static const std::vector<RoleDef> defs = {
        {"data", {QStringLiteral("on"), QStringLiteral("off")}, "off"},
        {"overseer",
         {QStringLiteral("allowed"), QStringLiteral("preferred"), QStringLiteral("disallowed")},
         "disallowed"},
        {"coordinator", {QStringLiteral("on"), QStringLiteral("off")}, "off"},
    };
    return defs;
}

// --- noggit JSONWriter (indent 2): a line break + indent before each entry only when a map or
// list has more than one entry; ':' and ',' without spaces; no trailing newline.
struct JValue
{
    enum class Kind
    {
        String,
        Object,
        Array
    };
    Kind kind = Kind::String;
    QString text;
    std::vector<std::pair<QString, JValue>> members;
    std::vector<JValue> items;

    static JValue str(const QString &s)
    {
        JValue v;
        v.text = s;
        return v;
    }
    static JValue object() { return JValue{Kind::Object, {}, {}, {}}; }
    static JValue array() { return JValue{Kind::Array, {}, {}, {}}; }
    JValue &add(const QString &key, JValue value)
    {
        members.emplace_back(key, std::move(value));
        return members.back().second;
    }
};

void writeJsonString(QByteArray &out, const QString &s)
{
    out += '"';
    for (const QChar c : s) {
        const char16_t u = c.unicode();
        if (u == u'"' || u == u'\\') {
            out += '\\';
            out += static_cast<char>(u);
        } else if (u < 0x20) {
            char buffer[8];
            std::snprintf(buffer, sizeof buffer, "\\u%04x", static_cast<unsigned>(u));
            out += buffer;
        } else {
            out += QString(c).toUtf8();
        }
    }
    out += '"';
}

void writeJson(QByteArray &out, const JValue &value, int level)
{
    auto indent = [&out](int l) {
        out += '\n';
        out += QByteArray(2 * l, ' ');
    };
    switch (value.kind) {
    case JValue::Kind::String:
        writeJsonString(out, value.text);
        break;
    case JValue::Kind::Object: {
        out += '{';
        const bool breakLines = value.members.size() > 1;
        bool first = true;
        for (const auto &[key, member] : value.members) {
            if (!first)
                out += ',';
            first = false;
            if (breakLines)
                indent(level + 1);
            writeJsonString(out, key);
            out += ':';
            writeJson(out, member, level + 1);
        }
        out += '}';
        break;
    }
    case JValue::Kind::Array: {
        out += '[';
        const bool breakLines = value.items.size() > 1;
        bool first = true;
        for (const JValue &item : value.items) {
            if (!first)
                out += ',';
            first = false;
            if (breakLines)
                indent(level + 1);
            writeJson(out, item, level + 1);
        }
        out += ']';
        break;
    }
    }
}

QByteArray toNoggit(const JValue &value)
{
    QByteArray out;
    writeJson(out, value, 0);
    return out;
}

// java.net.URLEncoder.encode(s, UTF-8)
QString javaUrlEncode(const QString &s)
{
    QString out;
    for (const char byte : s.toUtf8()) {
        const auto c = static_cast<unsigned char>(byte);
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '.' || c == '-' || c == '*' || c == '_')
            out += QLatin1Char(static_cast<char>(c));
        else if (c == ' ')
            out += QLatin1Char('+');
        else
            out += QStringLiteral("%%1").arg(c, 2, 16, QLatin1Char('0')).toUpper();
    }
    return out;
}

// Solr's LEADER_SEQ: the digits after the final "-n_"; -1 when the name does not match.
qint64 electionSeq(const QString &child)
{
    const qsizetype at = child.lastIndexOf(QLatin1String("-n_"));
    if (at < 0)
        return -1;
    const QString digits = child.mid(at + 3);
    if (digits.isEmpty())
        return -1;
    for (const QChar c : digits) {
        if (c < QLatin1Char('0') || c > QLatin1Char('9'))
            return -1;
    }
    bool ok = false;
    const qint64 seq = digits.toLongLong(&ok);
    return ok ? seq : -1;
}

QString electionSeqText(const QString &child)
{
    return child.mid(child.lastIndexOf(QLatin1String("-n_")) + 3);
}

// "<sid>-<node>-n_<seq>" -> node (the sid ends at the first '-' that is not at index 0, so a
// negative session id parses too).
QString electionNodeName(const QString &child)
{
    const qsizetype at = child.lastIndexOf(QLatin1String("-n_"));
    if (at < 0)
        return {};
    const QString head = child.left(at);
    const qsizetype dash = head.indexOf(QLatin1Char('-'), 1);
    return dash < 0 ? QString() : head.mid(dash + 1);
}

// LeaderElector.sortSeqs: seq ascending, then the whole name (Java String order = UTF-16 units).
void sortElection(QStringList &children)
{
    std::sort(children.begin(), children.end(), [](const QString &a, const QString &b) {
        const qint64 sa = electionSeq(a);
        const qint64 sb = electionSeq(b);
        if (sa != sb)
            return sa < sb;
        return a < b;
    });
}

// CompositeIdRouter.partitionRange over the full 32-bit hash range, as hex "min-max".
QStringList hashRanges(int partitions)
{
    QStringList out;
    const qint64 min = std::numeric_limits<qint32>::min();
    const qint64 max = std::numeric_limits<qint32>::max();
    const qint64 step = std::max<qint64>(1, (max - min) / partitions);
    const bool round = step >= (qint64(1) << 16) * 16;
    qint64 start = min;
    qint64 end = start;
    while (end < max && out.size() < partitions) {
        end = start + step;
        if (out.size() == partitions - 1)
            end = max;
        else if (round)
            end = ((end + 1) & ~qint64(0xFFFF)) - 1;
        out << QStringLiteral("%1-%2").arg(
            QString::number(static_cast<quint32>(static_cast<qint32>(start)), 16),
            QString::number(static_cast<quint32>(static_cast<qint32>(end)), 16));
        start = end + 1;
    }
    return out;
}

void discardLog(const char *) {}

Error zkFailure(int rc, const QString &what, const QString &path)
{
    ErrorCode code = ErrorCode::Network;
    if (rc == ZNONODE)
        code = ErrorCode::NotFound;
    else if (rc == ZNOAUTH || rc == ZAUTHFAILED)
        code = ErrorCode::PermissionDenied;
    else if (rc == ZNODEEXISTS || rc == ZNOTEMPTY || rc == ZBADVERSION)
        code = ErrorCode::Busy;
    else if (rc == ZOPERATIONTIMEOUT)
        code = ErrorCode::Timeout;
    return makeError(code, QStringLiteral("%1: %2").arg(what, QString::fromLatin1(zerror(rc))),
                     path);
}

} // namespace

// --- Impl ----------------------------------------------------------------------------------------

struct WatchContext
{
    SolrClusterSim::Impl *impl = nullptr;
    int index = 0;
    quint64 generation = 0;
};

struct SimNode
{
    SolrNodeSpec spec;
    QString name;
    QList<QPair<QString, QString>> roles;
    bool candidate = false; // overseer allowed|preferred
    bool preferred = false;
    zhandle_t *zh = nullptr;
    std::unique_ptr<WatchContext> context; // outlives zh
    qint64 sessionId = 0;
    quint64 generation = 0;
    QString electionNode;
    bool running = false;
};

struct SolrClusterSim::Impl
{
    enum class TaskKind
    {
        Check,
        Prioritize,
        Expired
    };
    struct Task
    {
        TaskKind kind;
        int index;
        quint64 generation;
    };

    QString connectString;
    QString hosts;                // without the chroot
    QString chroot;               // "" or "/solr"
    std::recursive_mutex opMutex; // every public call and every worker task
    std::vector<SimNode> nodes;
    quint64 nextGeneration = 1;

    std::mutex adminMutex;
    ZkClient admin;

    std::mutex queueMutex;
    std::condition_variable queueChanged;
    std::deque<Task> queue;
    bool busy = false; // the worker is running a task
    std::condition_variable idleChanged;
    bool stopping = false;
    std::thread worker;

    explicit Impl(QString connect)
        : connectString(std::move(connect))
    {
        const qsizetype slash = connectString.indexOf(QLatin1Char('/'));
        hosts = slash < 0 ? connectString : connectString.left(slash);
        chroot = slash < 0 ? QString() : connectString.mid(slash);
        if (chroot == QLatin1String("/"))
            chroot.clear();
        worker = std::thread([this] { run(); });
    }

    ~Impl()
    {
        {
            const std::lock_guard lock(queueMutex);
            stopping = true;
        }
        queueChanged.notify_all();
        worker.join();
        const std::lock_guard lock(opMutex);
        for (SimNode &node : nodes)
            closeHandle(node);
        const std::lock_guard adminLock(adminMutex);
        admin.close();
    }

    // --- worker ----------------------------------------------------------------------------------

    void post(Task task)
    {
        {
            const std::lock_guard lock(queueMutex);
            if (stopping)
                return;
            queue.push_back(task);
        }
        queueChanged.notify_one();
    }

    void run()
    {
        for (;;) {
            Task task{};
            {
                std::unique_lock lock(queueMutex);
                queueChanged.wait(lock, [this] { return stopping || !queue.empty(); });
                if (stopping)
                    return;
                task = queue.front();
                queue.pop_front();
                busy = true;
            }
            // Idle again when this task is done, whichever way it leaves the loop body.
            struct Done
            {
                Impl *impl;
                ~Done()
                {
                    {
                        const std::lock_guard lock(impl->queueMutex);
                        impl->busy = false;
                    }
                    impl->idleChanged.notify_all();
                }
            } done{this};
            const std::lock_guard lock(opMutex);
            if (task.index < 0 || task.index >= static_cast<int>(nodes.size()))
                continue;
            SimNode &node = nodes.at(static_cast<size_t>(task.index));
            if (node.generation != task.generation || !node.running)
                continue;
            switch (task.kind) {
            case TaskKind::Check:
                checkIfIamLeader(task.index, 0);
                break;
            case TaskKind::Prioritize:
                prioritize(task.index);
                break;
            case TaskKind::Expired:
                // The server dropped the session; the sim does not reconnect (restartNode does).
                node.running = false;
                break;
            }
        }
    }

    static void watcher(zhandle_t *, int type, int state, const char *, void *data)
    {
        auto *context = static_cast<WatchContext *>(data);
        if (!context)
            return;
        if (type == ZOO_SESSION_EVENT) {
            if (state == ZOO_EXPIRED_SESSION_STATE)
                context->impl->post({TaskKind::Expired, context->index, context->generation});
            return;
        }
        // A node event of the predecessor watch (LeaderElector's ElectionWatcher re-checks).
        context->impl->post({TaskKind::Check, context->index, context->generation});
    }

    // --- admin session ---------------------------------------------------------------------------

    Result<void> ensureAdmin()
    {
        if (admin.isConnected())
            return {};
        return admin.connect(connectString, kConnectTimeoutMs);
    }

    // --- sessions --------------------------------------------------------------------------------

    void closeHandle(SimNode &node)
    {
        if (node.zh) {
            zookeeper_close(node.zh);
            node.zh = nullptr;
        }
        node.context.reset();
        node.running = false;
        node.electionNode.clear();
    }

    Result<void> openSession(SimNode &node, int index)
    {
        node.generation = nextGeneration++;
        node.context = std::make_unique<WatchContext>(WatchContext{this, index, node.generation});
        const QByteArray connect = connectString.toUtf8();
        node.zh = zookeeper_init2(connect.constData(), &Impl::watcher, node.spec.sessionTimeoutMs,
                                  nullptr, node.context.get(), 0, discardLog);
        if (!node.zh)
            return makeError(ErrorCode::Network, QStringLiteral("zookeeper_init failed"),
                             connectString);
        const QDeadlineTimer deadline(kConnectTimeoutMs);
        while (zoo_state(node.zh) != ZOO_CONNECTED_STATE) {
            if (deadline.hasExpired()) {
                closeHandle(node);
                return makeError(ErrorCode::Timeout,
                                 QStringLiteral("node %1: no ZooKeeper session within %2 ms")
                                     .arg(node.name)
                                     .arg(kConnectTimeoutMs),
                                 connectString);
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        const clientid_t *id = zoo_client_id(node.zh);
        node.sessionId = id ? id->client_id : 0;
        return {};
    }

    // --- small synchronous helpers on a node's handle
    // ---------------------------------------------

    static int sortedElection(zhandle_t *zh, QStringList *out)
    {
        String_vector strings = {};
        const QByteArray path = kElection.toUtf8();
        const int rc = zoo_get_children(zh, path.constData(), 0, &strings);
        if (rc != ZOK)
            return rc;
        out->clear();
        for (int i = 0; i < strings.count; ++i)
            *out << QString::fromUtf8(strings.data[i]);
        deallocate_String_vector(&strings);
        sortElection(*out);
        return ZOK;
    }

    static int getData(zhandle_t *zh, const QString &path, QByteArray *out, int *version = nullptr)
    {
        QByteArray buffer(256 * 1024, Qt::Uninitialized);
        int length = static_cast<int>(buffer.size());
        Stat stat = {};
        const QByteArray p = path.toUtf8();
        const int rc = zoo_get(zh, p.constData(), 0, buffer.data(), &length, &stat);
        if (rc != ZOK)
            return rc;
        buffer.truncate(std::max(0, length));
        *out = buffer;
        if (version)
            *version = stat.version;
        return ZOK;
    }

    static int deletePath(zhandle_t *zh, const QString &path, int version = -1)
    {
        const QByteArray p = path.toUtf8();
        return zoo_delete(zh, p.constData(), version);
    }

    static QString leaderIdFrom(const QByteArray &payload)
    {
        const QJsonDocument doc = QJsonDocument::fromJson(payload);
        return doc.isObject() ? doc.object().value(QStringLiteral("id")).toString() : QString();
    }

    int ownerOf(const QString &child) const
    {
        for (size_t i = 0; i < nodes.size(); ++i) {
            if (nodes[i].running && nodes[i].electionNode == child)
                return static_cast<int>(i);
        }
        return -1;
    }

    // --- the election (LeaderElector / OverseerElectionContext / OverseerNodePrioritizer)
    // ---------

    // joinElection(context, replacement, joinAtHead)
    int joinElection(SimNode &node, bool atHead)
    {
        const QString prefix =
            QStringLiteral("%1-%2-n_").arg(QString::number(node.sessionId), node.name);
        const QString base = kElection + QLatin1Char('/') + prefix;
        if (atHead) {
            QStringList sorted;
            if (const int rc = sortedElection(node.zh, &sorted); rc != ZOK)
                return rc;
            if (sorted.size() >= 2) {
                const QString path = base + electionSeqText(sorted.at(1));
                const QByteArray p = path.toUtf8();
                const int rc = zoo_create(node.zh, p.constData(), nullptr, -1, &ZOO_OPEN_ACL_UNSAFE,
                                          ZOO_EPHEMERAL, nullptr, 0);
                if (rc != ZOK)
                    return rc;
                node.electionNode = path.mid(kElection.size() + 1);
                return ZOK;
            }
        }
        const QByteArray p = base.toUtf8();
        QByteArray created(1024, '\0');
        const int rc =
            zoo_create(node.zh, p.constData(), nullptr, -1, &ZOO_OPEN_ACL_UNSAFE,
                       ZOO_EPHEMERAL_SEQUENTIAL, created.data(), static_cast<int>(created.size()));
        if (rc != ZOK)
            return rc;
        // The created path (the C client strips the chroot): keep the child name only.
        const QString createdPath = QString::fromUtf8(created.constData());
        node.electionNode = createdPath.mid(createdPath.lastIndexOf(QLatin1Char('/')) + 1);
        return ZOK;
    }

    // cancelElection + joinElection: delete my candidate, join again (tail or head), re-check.
    void rejoin(int index, bool atHead, int depth)
    {
        SimNode &node = nodes.at(static_cast<size_t>(index));
        if (!node.electionNode.isEmpty())
            deletePath(node.zh, kElection + QLatin1Char('/') + node.electionNode);
        node.electionNode.clear();
        if (joinElection(node, atHead) != ZOK)
            return;
        checkIfIamLeader(index, depth + 1);
    }

    void checkIfIamLeader(int index, int depth)
    {
        SimNode &node = nodes.at(static_cast<size_t>(index));
        if (!node.running || node.electionNode.isEmpty() || depth > 4)
            return;
        const QString myId =
            QStringLiteral("%1-%2-").arg(QString::number(node.sessionId), node.name);
        for (int attempt = 0; attempt < 10; ++attempt) {
            QStringList sorted;
            if (sortedElection(node.zh, &sorted) != ZOK)
                return;
            if (!sorted.contains(node.electionNode))
                return; // "no longer in line"
            // Duplicate registrations of this very session are removed.
            for (const QString &child : std::as_const(sorted)) {
                if (child != node.electionNode && child.startsWith(myId))
                    deletePath(node.zh, kElection + QLatin1Char('/') + child);
            }
            const qsizetype at = sorted.indexOf(node.electionNode);
            if (at == 0) {
                runLeaderProcess(index, depth);
                return;
            }
            // Watch the entry right before mine (getData with a watcher).
            const QByteArray path = (kElection + QLatin1Char('/') + sorted.at(at - 1)).toUtf8();
            char buffer[64];
            int length = sizeof buffer;
            Stat stat = {};
            const int rc = zoo_wget(node.zh, path.constData(), &Impl::watcher, node.context.get(),
                                    buffer, &length, &stat);
            if (rc != ZNONODE)
                return; // watching (or the session is in trouble: the watcher will tell)
        }
    }

    // OverseerElectionContext.runLeaderProcess: the leader znode, then the Overseer's start
    // (whose collection-task processor runs the prioritizer).
    void runLeaderProcess(int index, int depth)
    {
        SimNode &node = nodes.at(static_cast<size_t>(index));
        const QByteArray payload = SolrClusterSim::leaderPayload(node.electionNode);
        const QByteArray path = kLeader.toUtf8();
        const int rc = zoo_create(node.zh, path.constData(), payload.constData(),
                                  static_cast<int>(payload.size()), &ZOO_OPEN_ACL_UNSAFE,
                                  ZOO_EPHEMERAL, nullptr, 0);
        if (rc == ZNODEEXISTS) {
            // Somebody else's leader znode: retryElection -> re-join at the tail.
            rejoin(index, false, depth);
            return;
        }
        if (rc != ZOK)
            return;
        post({TaskKind::Prioritize, index, node.generation});
    }

    // Overseer exit while the session lives: delete my leader znode (version-checked), then
    // re-join at the tail (rejoinOverseerElection).
    void quitOverseer(int index)
    {
        SimNode &node = nodes.at(static_cast<size_t>(index));
        QByteArray payload;
        int version = -1;
        if (getData(node.zh, kLeader, &payload, &version) == ZOK &&
            leaderIdFrom(payload) == node.electionNode)
            deletePath(node.zh, kLeader, version);
        rejoin(index, false, 0);
    }

    // OverseerNodePrioritizer.prioritizeOverseerNodes, run by the leader at `index`.
    void prioritize(int index)
    {
        SimNode &leader = nodes.at(static_cast<size_t>(index));
        QByteArray payload;
        if (getData(leader.zh, kLeader, &payload) != ZOK ||
            leaderIdFrom(payload) != leader.electionNode)
            return; // not (or no longer) the Overseer
        QStringList designates;
        QByteArray roles;
        if (getData(leader.zh, kRolesJson, &roles) == ZOK) {
            const QJsonDocument doc = QJsonDocument::fromJson(roles);
            for (const auto &value : doc.object().value(QStringLiteral("overseer")).toArray())
                designates << value.toString();
        }
        {
            String_vector strings = {};
            const QByteArray path = (kNodeRoles + QStringLiteral("/overseer/preferred")).toUtf8();
            if (zoo_get_children(leader.zh, path.constData(), 0, &strings) == ZOK) {
                for (int i = 0; i < strings.count; ++i)
                    designates << QString::fromUtf8(strings.data[i]);
                deallocate_String_vector(&strings);
            }
        }
        if (designates.isEmpty() || designates.contains(leader.name))
            return;
        QStringList sorted;
        if (sortedElection(leader.zh, &sorted) != ZOK || sorted.size() < 2)
            return;
        QString designateChild;
        for (const QString &child : std::as_const(sorted)) {
            if (designates.contains(electionNodeName(child))) {
                designateChild = child;
                break;
            }
        }
        if (designateChild.isEmpty())
            return; // "No live overseer designate"
        if (sorted.indexOf(designateChild) != 1) {
            const QString oldSecond = sorted.at(1);
            const int designate = ownerOf(designateChild);
            const int second = ownerOf(oldSecond);
            if (designate >= 0) // OVERSEEROP op=rejoinAtHead
                rejoin(designate, true, 0);
            if (second >= 0 && second != designate && second != index) // op=rejoin
                rejoin(second, false, 0);
        }
        quitOverseer(index); // QUIT to the current leader
    }

    // --- nodes -----------------------------------------------------------------------------------

    Result<void> start(int index)
    {
        SimNode &node = nodes.at(static_cast<size_t>(index));
        if (auto opened = openSession(node, index); !opened)
            return opened;

        // Restart guard: an older session's live node must vanish (2x the session timeout).
        const QByteArray live = (kLiveNodes + QLatin1Char('/') + node.name).toUtf8();
        const QDeadlineTimer guard(2 * node.spec.sessionTimeoutMs);
        for (;;) {
            Stat stat = {};
            const int rc = zoo_exists(node.zh, live.constData(), 0, &stat);
            if (rc == ZNONODE)
                break;
            if (rc != ZOK) {
                closeHandle(node);
                return zkFailure(rc, QStringLiteral("exists"), QString::fromUtf8(live));
            }
            if (guard.hasExpired()) {
                closeHandle(node);
                return makeError(ErrorCode::Busy,
                                 QStringLiteral("A previous ephemeral live node still exists. "
                                                "Solr cannot continue."),
                                 QString::fromUtf8(live));
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        node.running = true;

        // The Overseer election first (ZkController.init), the live node after.
        if (node.candidate) {
            if (const int rc = joinElection(node, false); rc != ZOK) {
                closeHandle(node);
                return zkFailure(rc, QStringLiteral("join the overseer election"), kElection);
            }
            checkIfIamLeader(index, 0);
        }

        // createEphemeralLiveNode: one multi() with the live node and every role leaf.
        std::vector<QByteArray> paths;
        paths.push_back(live);
        for (const auto &[role, mode] : std::as_const(node.roles))
            paths.push_back(
                QStringLiteral("%1/%2/%3/%4").arg(kNodeRoles, role, mode, node.name).toUtf8());
        std::vector<zoo_op_t> ops(paths.size());
        std::vector<zoo_op_result_t> results(paths.size());
        for (size_t i = 0; i < paths.size(); ++i)
            zoo_create_op_init(&ops[i], paths[i].constData(), nullptr, -1, &ZOO_OPEN_ACL_UNSAFE,
                               ZOO_EPHEMERAL, nullptr, 0);
        const int rc = zoo_multi(node.zh, static_cast<int>(ops.size()), ops.data(), results.data());
        if (rc != ZOK) {
            closeHandle(node);
            return zkFailure(rc, QStringLiteral("create the live node and role leaves"),
                             QString::fromUtf8(live));
        }

        // A preferred node asks the Overseer to prioritize (setPreferredOverseer); so does a
        // node named in /roles.json (checkOverseerDesignate).
        bool designate = node.preferred;
        QByteArray roles;
        if (!designate && getData(node.zh, kRolesJson, &roles) == ZOK) {
            for (const auto &value : QJsonDocument::fromJson(roles)
                                         .object()
                                         .value(QStringLiteral("overseer"))
                                         .toArray())
                designate = designate || value.toString() == node.name;
        }
        if (designate) {
            QByteArray payload;
            if (getData(node.zh, kLeader, &payload) == ZOK) {
                const int leader = ownerOf(leaderIdFrom(payload));
                if (leader >= 0)
                    prioritize(leader);
            }
        }
        return {};
    }

    void stop(int index)
    {
        SimNode &node = nodes.at(static_cast<size_t>(index));
        if (node.running && node.zh) {
            // preClose(): the live node first.
            deletePath(node.zh, kLiveNodes + QLatin1Char('/') + node.name);
            // Overseer close / cancelElection: the leader znode (if mine), my candidate.
            if (!node.electionNode.isEmpty()) {
                QByteArray payload;
                int version = -1;
                if (getData(node.zh, kLeader, &payload, &version) == ZOK &&
                    leaderIdFrom(payload) == node.electionNode)
                    deletePath(node.zh, kLeader, version);
                deletePath(node.zh, kElection + QLatin1Char('/') + node.electionNode);
            }
        }
        closeHandle(node);
    }
};

// --- SolrClusterSim
// --------------------------------------------------------------------------------

SolrClusterSim::SolrClusterSim(QString connectString)
    : d(std::make_unique<Impl>(std::move(connectString)))
{}

SolrClusterSim::~SolrClusterSim() = default;

Result<void> SolrClusterSim::bootstrap()
{
    if (!d->chroot.isEmpty()) {
        ZkClient root;
        if (auto connected = root.connect(d->hosts, kConnectTimeoutMs); !connected)
            return connected;
        if (auto made = root.ensurePath(d->chroot); !made)
            return made;
    }
    const std::lock_guard adminLock(d->adminMutex);
    if (auto connected = d->ensureAdmin(); !connected)
        return connected;
    ZkClient &zk = d->admin;
    // ensureExists(path, data): create when absent; makePath creates parents with null data.
    auto ensure = [&zk](const QString &path, const QByteArray &data = {}) -> Result<void> {
        const QStringList parts = path.split(QLatin1Char('/'), Qt::SkipEmptyParts);
        QString current;
        for (qsizetype i = 0; i < parts.size(); ++i) {
            current += QLatin1Char('/') + parts.at(i);
            auto created = zk.create(current, i == parts.size() - 1 ? data : QByteArray());
            if (!created && created.error().code != ErrorCode::Busy)
                return created;
        }
        return {};
    };
    QList<QPair<QString, QByteArray>> skeleton;
    // ZkController.createClusterZkNodes
    skeleton << qMakePair(kLiveNodes, QByteArray()) << qMakePair(kNodeRoles, QByteArray());
    for (const RoleDef &role : roleDefs()) {
        const QString rolePath = kNodeRoles + QLatin1Char('/') + QLatin1String(role.name);
        skeleton << qMakePair(rolePath, QByteArray());
        for (const QString &mode : role.modes)
            skeleton << qMakePair(rolePath + QLatin1Char('/') + mode, QByteArray());
    }
    skeleton << qMakePair(QStringLiteral("/collections"), QByteArray())
             << qMakePair(QStringLiteral("/aliases.json"), QByteArray())
             << qMakePair(QStringLiteral("/security.json"), QByteArrayLiteral("{}"));
    // The Overseer: /overseer with zero-length data (createOverseerNode), its queues and maps
    // (ZkDistributedQueue / DistributedMap ensureExists, null), the election directory.
    skeleton << qMakePair(QStringLiteral("/overseer"), QByteArray(""));
    for (const char *child :
         {"queue", "queue-work", "collection-queue-work", "collection-map-running",
          "collection-map-completed", "collection-map-failure", "async_ids"})
        skeleton << qMakePair(QStringLiteral("/overseer/") + QLatin1String(child), QByteArray());
    skeleton << qMakePair(QStringLiteral("/overseer_elect"), QByteArray())
             << qMakePair(kElection, QByteArray());
    for (const auto &[path, data] : std::as_const(skeleton)) {
        if (auto made = ensure(path, data); !made)
            return made;
    }
    return {};
}

Result<int> SolrClusterSim::startNode(const SolrNodeSpec &spec)
{
    auto roles = effectiveRoles(spec.rolesSpec);
    if (!roles)
        return roles.error();
    const std::lock_guard lock(d->opMutex);
    SimNode node;
    node.spec = spec;
    node.name = makeNodeName(spec.host, spec.port, spec.context);
    node.roles = roles.value();
    for (const auto &[role, mode] : std::as_const(node.roles)) {
        if (role == QLatin1String("overseer")) {
            node.candidate = mode == QLatin1String("allowed") || mode == QLatin1String("preferred");
            node.preferred = mode == QLatin1String("preferred");
        }
    }
    d->nodes.push_back(std::move(node));
    const int index = static_cast<int>(d->nodes.size()) - 1;
    if (auto started = d->start(index); !started)
        return started.error(); // the slot stays, not running
    return index;
}

void SolrClusterSim::stopNode(int index)
{
    const std::lock_guard lock(d->opMutex);
    if (index < 0 || index >= nodeCount())
        return;
    d->stop(index);
}

Result<void> SolrClusterSim::deleteLiveNode(int index)
{
    const std::lock_guard lock(d->opMutex);
    if (index < 0 || index >= nodeCount() || !d->nodes[size_t(index)].running)
        return makeError(ErrorCode::InvalidArgument,
                         QStringLiteral("node %1 is not running").arg(index));
    const SimNode &node = d->nodes[size_t(index)];
    const QString path = kLiveNodes + QLatin1Char('/') + node.name;
    if (const int rc = Impl::deletePath(node.zh, path); rc != ZOK)
        return zkFailure(rc, QStringLiteral("delete"), path);
    return {};
}

void SolrClusterSim::killNode(int index)
{
    const std::lock_guard lock(d->opMutex);
    if (index < 0 || index >= nodeCount())
        return;
    d->closeHandle(d->nodes[size_t(index)]);
}

void SolrClusterSim::expireNode(int index)
{
    const std::lock_guard lock(d->opMutex);
    if (index < 0 || index >= nodeCount())
        return;
    SimNode &node = d->nodes[size_t(index)];
    if (!node.running || !node.zh)
        return;
    node.running = false;
    // A second handle with the node's session id and password takes the session over (the
    // server drops the node's connection) and closes it. The node's own client, reconnecting,
    // is told SESSION_EXPIRED. (zoo_set_servers to a dead port, which would let the server time
    // the session out, does not drop the live connection with this C client.)
    const clientid_t *id = zoo_client_id(node.zh);
    if (!id)
        return;
    const clientid_t copy = *id;
    const QByteArray connect = d->connectString.toUtf8();
    for (int attempt = 0; attempt < 3; ++attempt) {
        zhandle_t *thief = zookeeper_init2(connect.constData(), nullptr, node.spec.sessionTimeoutMs,
                                           &copy, nullptr, 0, discardLog);
        if (!thief)
            return;
        const QDeadlineTimer deadline(kConnectTimeoutMs);
        while (zoo_state(thief) != ZOO_CONNECTED_STATE &&
               zoo_state(thief) != ZOO_EXPIRED_SESSION_STATE && !deadline.hasExpired())
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        const bool expired = zoo_state(thief) == ZOO_EXPIRED_SESSION_STATE;
        zookeeper_close(thief); // closeSession for the node's session
        if (expired)
            return;
        // Verify the session is gone (the node's client may have won it back in between).
        Stat stat = {};
        const QByteArray live = (kLiveNodes + QLatin1Char('/') + node.name).toUtf8();
        const std::lock_guard adminLock(d->adminMutex);
        if (!d->ensureAdmin())
            return;
        const int rc = zoo_exists(d->admin.handle(), live.constData(), 0, &stat);
        if (rc != ZOK || stat.ephemeralOwner != copy.client_id)
            return;
    }
    // The handle stays open (its session is gone) until restartNode or the destructor.
}

Result<int> SolrClusterSim::restartNode(int index)
{
    const std::lock_guard lock(d->opMutex);
    if (index < 0 || index >= nodeCount())
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("no node %1").arg(index));
    SimNode &node = d->nodes[size_t(index)];
    if (node.running)
        d->stop(index);
    else
        d->closeHandle(node);
    if (auto started = d->start(index); !started)
        return started.error();
    return index;
}

bool SolrClusterSim::waitForIdle(int timeoutMs)
{
    std::unique_lock lock(d->queueMutex);
    return d->idleChanged.wait_for(lock, std::chrono::milliseconds(timeoutMs),
                                   [this] { return d->queue.empty() && !d->busy; });
}

int SolrClusterSim::nodeCount() const
{
    const std::lock_guard lock(d->opMutex);
    return static_cast<int>(d->nodes.size());
}

QString SolrClusterSim::nodeName(int index) const
{
    const std::lock_guard lock(d->opMutex);
    return index >= 0 && index < static_cast<int>(d->nodes.size()) ? d->nodes[size_t(index)].name
                                                                   : QString();
}

qint64 SolrClusterSim::sessionId(int index) const
{
    const std::lock_guard lock(d->opMutex);
    return index >= 0 && index < static_cast<int>(d->nodes.size())
               ? d->nodes[size_t(index)].sessionId
               : 0;
}

bool SolrClusterSim::isRunning(int index) const
{
    const std::lock_guard lock(d->opMutex);
    return index >= 0 && index < static_cast<int>(d->nodes.size()) &&
           d->nodes[size_t(index)].running;
}

QString SolrClusterSim::electionNode(int index) const
{
    const std::lock_guard lock(d->opMutex);
    return index >= 0 && index < static_cast<int>(d->nodes.size())
               ? d->nodes[size_t(index)].electionNode
               : QString();
}

int SolrClusterSim::indexOfNode(const QString &name) const
{
    const std::lock_guard lock(d->opMutex);
    for (size_t i = 0; i < d->nodes.size(); ++i) {
        if (d->nodes[i].name == name)
            return static_cast<int>(i);
    }
    return -1;
}

Result<void> SolrClusterSim::rejoinElection(int index, bool atHead)
{
    const std::lock_guard lock(d->opMutex);
    if (index < 0 || index >= nodeCount() || !d->nodes[size_t(index)].running ||
        !d->nodes[size_t(index)].candidate)
        return makeError(ErrorCode::InvalidArgument,
                         QStringLiteral("node %1 is not a running candidate").arg(index));
    d->rejoin(index, atHead, 0);
    return {};
}

Result<void> SolrClusterSim::addCollection(const QString &name,
                                           const QList<QPair<QString, QList<QString>>> &layout,
                                           bool perReplicaState)
{
    if (name.isEmpty() || name.contains(QLatin1Char('/')) || layout.isEmpty())
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("bad collection layout"), name);
    const QStringList ranges = hashRanges(static_cast<int>(layout.size()));
    int counter = 1;
    QStringList prsChildren;
    JValue shards = JValue::object();
    for (qsizetype s = 0; s < layout.size(); ++s) {
        const auto &[shardName, replicaNodes] = layout.at(s);
        JValue &shard = shards.add(shardName, JValue::object());
        shard.add(QStringLiteral("range"), JValue::str(ranges.value(s)));
        shard.add(QStringLiteral("state"), JValue::str(QStringLiteral("active")));
        JValue &replicas = shard.add(QStringLiteral("replicas"), JValue::object());
        for (qsizetype r = 0; r < replicaNodes.size(); ++r) {
            const QString &nodeName = replicaNodes.at(r);
            const QString core =
                QStringLiteral("%1_%2_replica_n%3").arg(name, shardName).arg(counter++);
            const QString coreNode = QStringLiteral("core_node%1").arg(counter++);
            // Utils.getBaseUrlForNodeName: host:port before the first '_' after the first ':'.
            const qsizetype colon = nodeName.indexOf(QLatin1Char(':'));
            const qsizetype underscore = nodeName.indexOf(QLatin1Char('_'), colon < 0 ? 0 : colon);
            const QString hostPort = underscore < 0 ? nodeName : nodeName.left(underscore);
            const QString context =
                underscore < 0
                    ? QString()
                    : QUrl::fromPercentEncoding(nodeName.mid(underscore + 1)
                                                    .replace(QLatin1Char('+'), QLatin1Char(' '))
                                                    .toUtf8());
            const QString baseUrl =
                QStringLiteral("http://") + hostPort +
                (context.isEmpty() ? QString() : QString(QLatin1Char('/') + context));
            JValue &replica = replicas.add(coreNode, JValue::object());
            replica.add(QStringLiteral("core"), JValue::str(core));
            replica.add(QStringLiteral("node_name"), JValue::str(nodeName));
            replica.add(QStringLiteral("base_url"), JValue::str(baseUrl));
            replica.add(
                QStringLiteral("state"),
                JValue::str(perReplicaState ? QStringLiteral("down") : QStringLiteral("active")));
            replica.add(QStringLiteral("type"), JValue::str(QStringLiteral("NRT")));
            replica.add(QStringLiteral("force_set_state"), JValue::str(QStringLiteral("false")));
            if (r == 0 && !perReplicaState)
                replica.add(QStringLiteral("leader"), JValue::str(QStringLiteral("true")));
            if (perReplicaState)
                prsChildren << QStringLiteral("%1:0:A%2")
                                   .arg(coreNode, r == 0 ? QStringLiteral(":L") : QString());
        }
    }
    const QString replicationFactor = QString::number(layout.first().second.size());
    JValue props = JValue::object();
    props.add(QStringLiteral("pullReplicas"), JValue::str(QStringLiteral("0")));
    props.add(QStringLiteral("configName"), JValue::str(QStringLiteral("_default")));
    props.add(QStringLiteral("replicationFactor"), JValue::str(replicationFactor));
    props.add(QStringLiteral("router"), JValue::object())
        .add(QStringLiteral("name"), JValue::str(QStringLiteral("compositeId")));
    props.add(QStringLiteral("nrtReplicas"), JValue::str(replicationFactor));
    props.add(QStringLiteral("tlogReplicas"), JValue::str(QStringLiteral("0")));
    if (perReplicaState)
        props.add(QStringLiteral("perReplicaState"), JValue::str(QStringLiteral("true")));
    props.add(QStringLiteral("shards"), std::move(shards));
    JValue root = JValue::object();
    root.add(name, std::move(props));
    const QByteArray json = toNoggit(root);

    const std::lock_guard adminLock(d->adminMutex);
    if (auto connected = d->ensureAdmin(); !connected)
        return connected;
    ZkClient &zk = d->admin;
    const QString collectionPath = QStringLiteral("/collections/") + name;
    const QString statePath = collectionPath + QStringLiteral("/state.json");
    if (auto made = zk.create(collectionPath); !made && made.error().code != ErrorCode::Busy)
        return made;
    auto created = zk.create(statePath, json);
    if (!created) {
        if (created.error().code != ErrorCode::Busy)
            return created;
        if (auto set = zk.set(statePath, json); !set)
            return set;
    }
    for (const QString &child : std::as_const(prsChildren)) {
        auto made = zk.create(statePath + QLatin1Char('/') + child);
        if (!made && made.error().code != ErrorCode::Busy)
            return made;
    }
    return {};
}

Result<void> SolrClusterSim::writeRolesJson(const QStringList &overseerNodes)
{
    const QByteArray json = rolesJson(overseerNodes);
    const std::lock_guard adminLock(d->adminMutex);
    if (auto connected = d->ensureAdmin(); !connected)
        return connected;
    auto created = d->admin.create(kRolesJson, json);
    if (!created && created.error().code == ErrorCode::Busy)
        return d->admin.set(kRolesJson, json);
    return created;
}

QString SolrClusterSim::leaderNode() const
{
    const std::lock_guard adminLock(d->adminMutex);
    if (!d->ensureAdmin())
        return {};
    auto payload = d->admin.get(kLeader);
    if (!payload)
        return {};
    return electionNodeName(Impl::leaderIdFrom(payload.value()));
}

QStringList SolrClusterSim::electionOrder() const
{
    const std::lock_guard adminLock(d->adminMutex);
    if (!d->ensureAdmin())
        return {};
    auto children = d->admin.children(kElection);
    if (!children)
        return {};
    QStringList sorted = children.value();
    sortElection(sorted);
    QStringList names;
    for (const QString &child : std::as_const(sorted))
        names << electionNodeName(child);
    return names;
}

QString SolrClusterSim::makeNodeName(const QString &host, int port, const QString &context)
{
    QString trimmed = context;
    while (trimmed.startsWith(QLatin1Char('/')))
        trimmed.remove(0, 1);
    while (trimmed.endsWith(QLatin1Char('/')))
        trimmed.chop(1);
    return QStringLiteral("%1:%2_%3").arg(host).arg(port).arg(javaUrlEncode(trimmed));
}

Result<QList<QPair<QString, QString>>> SolrClusterSim::effectiveRoles(const QString &spec)
{
    const QString effective = spec.isEmpty() ? QStringLiteral("data:on,overseer:allowed") : spec;
    QStringList items = effective.split(QLatin1Char(','));
    if (!items.isEmpty() && items.last().isEmpty())
        items.removeLast(); // splitSmart drops a trailing empty token
    QMap<QString, QString> chosen;
    for (const QString &item : std::as_const(items)) {
        const QStringList parts = item.split(QLatin1Char(':'));
        if (item.isEmpty())
            return makeError(ErrorCode::InvalidArgument, QStringLiteral("empty item in node roles"),
                             spec);
        if (parts.size() < 2)
            return makeError(ErrorCode::InvalidArgument,
                             QStringLiteral("role '%1' has no mode").arg(parts.first()), spec);
        const auto def = std::find_if(roleDefs().begin(), roleDefs().end(), [&](const RoleDef &r) {
            return parts.at(0) == QLatin1String(r.name);
        });
        if (def == roleDefs().end())
            return makeError(ErrorCode::InvalidArgument,
                             QStringLiteral("Unknown role: %1").arg(parts.at(0)), spec);
        if (!def->modes.contains(parts.at(1)))
            return makeError(ErrorCode::InvalidArgument,
                             QStringLiteral("Unknown role mode '%1' for role '%2'")
                                 .arg(parts.at(1), parts.at(0)),
                             spec);
        chosen.insert(parts.at(0), parts.at(1));
    }
    QList<QPair<QString, QString>> roles;
    for (const RoleDef &def : roleDefs()) {
        const QString name = QLatin1String(def.name);
        roles << qMakePair(name, chosen.value(name, QLatin1String(def.absent)));
    }
    return roles;
}

QByteArray SolrClusterSim::leaderPayload(const QString &id)
{
    JValue root = JValue::object();
    root.add(QStringLiteral("id"), JValue::str(id));
    return toNoggit(root);
}

QByteArray SolrClusterSim::rolesJson(const QStringList &overseerNodes)
{
    JValue list = JValue::array();
    for (const QString &node : overseerNodes)
        list.items.push_back(JValue::str(node));
    JValue root = JValue::object();
    root.add(QStringLiteral("overseer"), std::move(list));
    return toNoggit(root);
}

} // namespace opsdeck::test
