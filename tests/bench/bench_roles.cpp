// SPDX-License-Identifier: GPL-3.0-or-later
// Node roles against a real ZooKeeper server, with baselines measured in the same run:
//  - loading a snapshot of 2,000 live nodes, their role leaves (3 each) and 2,000 election
//    candidates through SolrWatcher + buildSnapshot, vs a minimal C-client program doing the same
//    reads (pipelined asynchronous calls, no Qt); goal <= 1.3x;
//  - change propagation: a candidate's session closed -> snapshot rebuilt, measured from the
//    moment the client thread received the watch event; goal p99 <= 20 ms.
// Prints "BENCH <name> <value> <unit>" lines; never asserts timings.
#include "roles/rolesnapshot.h"
#include "roles/solrwatcher.h"
#include "zookeeperserver.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QTextStream>
#include <QTimer>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <vector>
#include <zookeeper/zookeeper.h>

using namespace opsdeck;
using namespace opsdeck::roles;
using namespace opsdeck::test;

namespace {

constexpr int Nodes = 2000;
constexpr int Rounds = 5;
constexpr int PropagationSamples = 50;

void report(const char *name, double value, const char *unit)
{
    QTextStream(stdout) << "BENCH " << name << ' ' << QString::number(value, 'f', 3) << ' ' << unit
                        << '\n';
}

double percentile(std::vector<double> v, double p)
{
    if (v.empty())
        return -1;
    std::sort(v.begin(), v.end());
    const size_t i = std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())));
    return v[i];
}

qint64 steadyNs()
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

void quietLog(const char *) {}

// A tiny synchronisation helper for the C callbacks.
struct Counter
{
    std::mutex mutex;
    std::condition_variable cv;
    int pending = 0;
    int failures = 0;
    bool connected = false;

    void add(int n = 1)
    {
        const std::lock_guard lock(mutex);
        pending += n;
    }
    void done(int rc)
    {
        {
            const std::lock_guard lock(mutex);
            --pending;
            if (rc != ZOK)
                ++failures;
        }
        cv.notify_all();
    }
    bool waitZero(int timeoutMs)
    {
        std::unique_lock lock(mutex);
        return cv.wait_for(lock, std::chrono::milliseconds(timeoutMs),
                           [this] { return pending == 0; });
    }
};

void sessionWatcher(zhandle_t *, int type, int state, const char *, void *ctx)
{
    if (type != ZOO_SESSION_EVENT)
        return;
    auto *c = static_cast<Counter *>(ctx);
    {
        const std::lock_guard lock(c->mutex);
        c->connected = state == ZOO_CONNECTED_STATE;
    }
    c->cv.notify_all();
}

zhandle_t *connectRaw(const QByteArray &hosts, Counter *counter)
{
    zhandle_t *zh =
        zookeeper_init2(hosts.constData(), sessionWatcher, 30000, nullptr, counter, 0, quietLog);
    std::unique_lock lock(counter->mutex);
    counter->cv.wait_for(lock, std::chrono::seconds(10), [counter] { return counter->connected; });
    return zh;
}

void createDone(int rc, const char *, const void *data)
{
    static_cast<Counter *>(const_cast<void *>(data))->done(rc == ZNODEEXISTS ? ZOK : rc);
}

// The baseline: the same reads SolrWatcher makes, with the bare C client.
struct Baseline
{
    Counter counter;
    zhandle_t *zh = nullptr;
    QByteArray root;
    std::atomic<int> ownerStats{0};
    std::atomic<int> leaves{0};
};

void statDone(int rc, const Stat *, const void *data)
{
    auto *b = static_cast<Baseline *>(const_cast<void *>(data));
    b->ownerStats.fetch_add(1);
    b->counter.done(rc == ZNONODE ? ZOK : rc);
}

void dataDone(int rc, const char *, int, const Stat *, const void *data)
{
    static_cast<Baseline *>(const_cast<void *>(data))->counter.done(rc == ZNONODE ? ZOK : rc);
}

void liveChildrenDone(int rc, const String_vector *names, const Stat *, const void *data)
{
    auto *b = static_cast<Baseline *>(const_cast<void *>(data));
    if (rc == ZOK && names) {
        b->counter.add(names->count);
        for (int i = 0; i < names->count; ++i) {
            const QByteArray path = b->root + "/live_nodes/" + names->data[i];
            zoo_aexists(b->zh, path.constData(), 0, statDone, b);
        }
    }
    b->counter.done(rc);
}

void leavesDone(int rc, const String_vector *names, const Stat *, const void *data)
{
    auto *b = static_cast<Baseline *>(const_cast<void *>(data));
    if (rc == ZOK && names)
        b->leaves.fetch_add(names->count);
    b->counter.done(rc);
}

struct ModeCtx
{
    Baseline *b;
    QByteArray rolePath;
};

void modesDone(int rc, const String_vector *names, const Stat *, const void *data)
{
    auto *ctx = static_cast<ModeCtx *>(const_cast<void *>(data));
    Baseline *b = ctx->b;
    if (rc == ZOK && names) {
        b->counter.add(names->count);
        for (int i = 0; i < names->count; ++i) {
            const QByteArray path = ctx->rolePath + '/' + names->data[i];
            zoo_awget_children2(b->zh, path.constData(), nullptr, nullptr, leavesDone, b);
        }
    }
    delete ctx;
    b->counter.done(rc);
}

void rolesDone(int rc, const String_vector *names, const Stat *, const void *data)
{
    auto *b = static_cast<Baseline *>(const_cast<void *>(data));
    if (rc == ZOK && names) {
        b->counter.add(names->count);
        for (int i = 0; i < names->count; ++i) {
            const QByteArray path = b->root + "/node_roles/" + names->data[i];
            zoo_awget_children2(b->zh, path.constData(), nullptr, nullptr, modesDone,
                                new ModeCtx{b, path});
        }
    }
    b->counter.done(rc);
}

void plainChildrenDone(int rc, const String_vector *, const Stat *, const void *data)
{
    static_cast<Baseline *>(const_cast<void *>(data))->counter.done(rc == ZNONODE ? ZOK : rc);
}

double runBaseline(const QByteArray &hosts, const QByteArray &root, int *ownersOut)
{
    Baseline b;
    b.root = root;
    QElapsedTimer t;
    t.start();
    b.zh = connectRaw(hosts, &b.counter);
    b.counter.add(11);
    zoo_awget_children2(b.zh, QByteArray(root + "/live_nodes").constData(), nullptr, nullptr,
                        liveChildrenDone, &b);
    zoo_awget_children2(b.zh, QByteArray(root + "/node_roles").constData(), nullptr, nullptr, rolesDone, &b);
    zoo_awget_children2(b.zh, QByteArray(root + "/overseer_elect/election").constData(), nullptr, nullptr,
                        plainChildrenDone, &b);
    zoo_awget(b.zh, QByteArray(root + "/overseer_elect/leader").constData(), nullptr, nullptr, dataDone, &b);
    zoo_awget(b.zh, QByteArray(root + "/roles.json").constData(), nullptr, nullptr, dataDone, &b);
    zoo_awget_children2(b.zh, QByteArray(root + "/collections").constData(), nullptr, nullptr,
                        plainChildrenDone, &b);
    zoo_aexists(b.zh, QByteArray(root + "/security.json").constData(), 0, statDone, &b);
    for (const char *q :
         {"/overseer/queue", "/overseer/collection-queue-work", "/overseer/queue-work"})
        zoo_aexists(b.zh, QByteArray(root + q).constData(), 0, statDone, &b);
    zoo_awget_children2(b.zh, QByteArray(root + "/overseer_elect").constData(), nullptr, nullptr,
                        plainChildrenDone, &b);
    b.counter.waitZero(30000);
    const double ms = static_cast<double>(t.nsecsElapsed()) / 1e6;
    *ownersOut = b.ownerStats.load();
    zookeeper_close(b.zh);
    return ms;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    ZooKeeperServer server;
    if (const auto started = server.start(); !started) {
        QTextStream(stderr) << started.error().toString() << '\n';
        return 1;
    }
    const QByteArray hosts = server.connectString().toUtf8();
    const QByteArray root = "/solr";

    // Populate: the skeleton, then 2,000 nodes' live node, 3 role leaves and election candidate,
    // all ephemeral of one setup session, created with pipelined asynchronous calls.
    Counter setup;
    zhandle_t *zh = connectRaw(hosts, &setup);
    const QList<QByteArray> dirs = {"",
                                    "/live_nodes",
                                    "/node_roles",
                                    "/node_roles/data",
                                    "/node_roles/data/on",
                                    "/node_roles/data/off",
                                    "/node_roles/overseer",
                                    "/node_roles/overseer/allowed",
                                    "/node_roles/overseer/preferred",
                                    "/node_roles/overseer/disallowed",
                                    "/node_roles/coordinator",
                                    "/node_roles/coordinator/on",
                                    "/node_roles/coordinator/off",
                                    "/overseer_elect",
                                    "/overseer_elect/election",
                                    "/collections",
                                    "/overseer",
                                    "/overseer/queue",
                                    "/overseer/collection-queue-work"};
    for (const QByteArray &d : dirs) {
        setup.add();
        zoo_acreate(zh, QByteArray(root + d).constData(), nullptr, -1, &ZOO_OPEN_ACL_UNSAFE, 0, createDone,
                    &setup);
        setup.waitZero(10000);
    }
    const qint64 sid = static_cast<qint64>(zoo_client_id(zh)->client_id);
    for (int i = 0; i < Nodes; ++i) {
        const QByteArray name =
            QStringLiteral("10.1.%1.%2:8983_solr").arg(i / 250).arg(i % 250).toUtf8();
        const QList<QByteArray> paths = {root + "/live_nodes/" + name,
                                         root + "/node_roles/data/on/" + name,
                                         root + "/node_roles/overseer/allowed/" + name,
                                         root + "/node_roles/coordinator/off/" + name};
        setup.add(5);
        for (const QByteArray &p : paths)
            zoo_acreate(zh, p.constData(), nullptr, -1, &ZOO_OPEN_ACL_UNSAFE, ZOO_EPHEMERAL,
                        createDone, &setup);
        const QByteArray candidate =
            root + "/overseer_elect/election/" + QByteArray::number(sid) + '-' + name + "-n_";
        zoo_acreate(zh, candidate.constData(), nullptr, -1, &ZOO_OPEN_ACL_UNSAFE,
                    ZOO_EPHEMERAL | ZOO_SEQUENCE, createDone, &setup);
        if (i % 200 == 199)
            setup.waitZero(30000);
    }
    setup.waitZero(30000);
    const QByteArray leaderId =
        "{\"id\":\"" + QByteArray::number(sid) + "-10.1.0.0:8983_solr-n_0000000000\"}";
    setup.add();
    zoo_acreate(zh, QByteArray(root + "/overseer_elect/leader").constData(), leaderId.constData(),
                static_cast<int>(leaderId.size()), &ZOO_OPEN_ACL_UNSAFE, ZOO_EPHEMERAL, createDone,
                &setup);
    setup.waitZero(10000);
    if (setup.failures > 0) {
        QTextStream(stderr) << "setup: " << setup.failures << " creates failed\n";
        return 1;
    }

    // Load: ours vs the bare C client, alternating.
    std::vector<double> ours;
    std::vector<double> baseline;
    int owners = 0;
    int nodesSeen = 0;
    int candidatesSeen = 0;
    ZooKeeperConfig config;
    config.connectString = server.connectString() + QStringLiteral("/solr");
    for (int round = 0; round < Rounds; ++round) {
        baseline.push_back(runBaseline(hosts, root, &owners));
        QElapsedTimer t;
        t.start();
        SolrWatcher watcher(config);
        QEventLoop loop;
        QObject::connect(&watcher, &SolrWatcher::treeChanged, &loop, &QEventLoop::quit);
        QTimer::singleShot(30000, &loop, &QEventLoop::quit);
        if (!watcher.start())
            return 1;
        loop.exec();
        const RolesSnapshot s = buildSnapshot(watcher.tree());
        ours.push_back(static_cast<double>(t.nsecsElapsed()) / 1e6);
        nodesSeen = static_cast<int>(s.nodes.size());
        candidatesSeen = static_cast<int>(s.election.size());
    }
    if (nodesSeen != Nodes || candidatesSeen != Nodes || owners < Nodes) {
        QTextStream(stderr) << "incomplete: nodes " << nodesSeen << " candidates " << candidatesSeen
                            << " owner stats " << owners << '\n';
        return 1;
    }
    const double oursMs = percentile(ours, 0.5);
    const double baseMs = percentile(baseline, 0.5);
    report("roles_load_2000_nodes_ms", oursMs, "ms");
    report("roles_load_c_client_baseline_ms", baseMs, "ms");
    report("roles_load_ratio_vs_c_client", oursMs / baseMs, "x");
    report("roles_load_goal_1_3x_met", oursMs / baseMs <= 1.3 ? 1 : 0, "bool");

    // Propagation: extra candidates, each with its own session, closed one by one.
    SolrWatcher watcher(config);
    QEventLoop ready;
    QObject::connect(&watcher, &SolrWatcher::treeChanged, &ready, &QEventLoop::quit);
    QTimer::singleShot(30000, &ready, &QEventLoop::quit);
    if (!watcher.start())
        return 1;
    ready.exec();
    {
        std::vector<double> build;
        for (int i = 0; i < Rounds; ++i) {
            QElapsedTimer t;
            t.start();
            const RolesSnapshot s = buildSnapshot(watcher.tree());
            build.push_back(static_cast<double>(t.nsecsElapsed()) / 1e6);
            if (s.nodes.size() != Nodes)
                return 1;
        }
        report("roles_build_snapshot_2000_nodes_ms", percentile(build, 0.5), "ms");
    }
    std::vector<Counter> sessions(PropagationSamples);
    std::vector<zhandle_t *> handles;
    for (int i = 0; i < PropagationSamples; ++i) {
        zhandle_t *h = connectRaw(hosts, &sessions[static_cast<size_t>(i)]);
        const QByteArray candidate =
            root + "/overseer_elect/election/" +
            QByteArray::number(static_cast<qint64>(zoo_client_id(h)->client_id)) + "-extra" +
            QByteArray::number(i) + ":8983_solr-n_";
        sessions[static_cast<size_t>(i)].add();
        zoo_acreate(h, candidate.constData(), nullptr, -1, &ZOO_OPEN_ACL_UNSAFE,
                    ZOO_EPHEMERAL | ZOO_SEQUENCE, createDone, &sessions[static_cast<size_t>(i)]);
        sessions[static_cast<size_t>(i)].waitZero(5000);
        handles.push_back(h);
    }
    // Wait until the watcher sees them all.
    QElapsedTimer settle;
    settle.start();
    while (watcher.tree().electionChildren.size() < Nodes + PropagationSamples &&
           settle.elapsed() < 20000)
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents, 50);
    std::vector<double> afterWatch;
    std::vector<double> afterClose;
    for (int i = 0; i < PropagationSamples; ++i) {
        const qsizetype expected = Nodes + PropagationSamples - i - 1;
        const qint64 closedAt = steadyNs();
        zookeeper_close(handles[static_cast<size_t>(i)]);
        QElapsedTimer bound;
        bound.start();
        qint64 snapshotAt = 0;
        while (bound.elapsed() < 5000) {
            QEventLoop loop;
            QObject::connect(&watcher, &SolrWatcher::treeChanged, &loop, &QEventLoop::quit);
            QTimer::singleShot(1000, &loop, &QEventLoop::quit);
            loop.exec();
            if (watcher.tree().electionChildren.size() == expected) {
                const RolesSnapshot s = buildSnapshot(watcher.tree());
                snapshotAt = steadyNs();
                if (s.election.size() != expected)
                    return 1;
                break;
            }
        }
        if (snapshotAt == 0)
            return 1;
        afterWatch.push_back(static_cast<double>(snapshotAt - watcher.lastWatchFiredNs()) / 1e6);
        afterClose.push_back(static_cast<double>(snapshotAt - closedAt) / 1e6);
    }
    report("roles_propagation_after_watch_p50_ms", percentile(afterWatch, 0.5), "ms");
    report("roles_propagation_after_watch_p99_ms", percentile(afterWatch, 0.99), "ms");
    report("roles_propagation_goal_p99_20ms_met", percentile(afterWatch, 0.99) <= 20.0 ? 1 : 0,
           "bool");
    report("roles_propagation_after_session_close_p50_ms", percentile(afterClose, 0.5), "ms");
    report("roles_propagation_after_session_close_p99_ms", percentile(afterClose, 0.99), "ms");
    zookeeper_close(zh);
    return 0;
}
