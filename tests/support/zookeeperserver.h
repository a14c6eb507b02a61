// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/result.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>
#include <memory>
#include <vector>

class QProcess;
struct _zhandle; // zhandle_t of <zookeeper/zookeeper.h>

namespace opsdeck::test {

// How a ZooKeeperServer is configured. The defaults make a fast, disposable server for tests.
struct ZooKeeperServerOptions
{
    QString java = QStringLiteral("java");
    // zookeeper.jar carries the rest of its class path in its manifest; slf4j-simple (when
    // installed) makes the server log to the captured output, so logTail() has something to say.
    QStringList classPath = {QStringLiteral("/usr/share/java/zookeeper.jar"),
                             QStringLiteral("/usr/share/java/slf4j-simple.jar")};
    int tickTimeMs = 200;
    int minSessionTimeoutMs = 400; // small, so session-expiry tests are fast
    int maxSessionTimeoutMs = 60000;
    int startTimeoutMs = 30000; // bound for start(): process up and serving
    int stopTimeoutMs = 10000;  // SIGTERM, then SIGKILL after this
    quint16 clientPort = 0;     // 0: a free loopback port, chosen once and kept across restarts
    // Ensemble membership (set by ZooKeeperEnsemble): myid and the "server.N=..." lines.
    int myId = 0;
    QStringList quorumLines;
    QStringList extraConfig; // more "key=value" lines for zoo.cfg
};

// One real ZooKeeper 3.8 server (Debian's Java package) as a child process on 127.0.0.1.
//
// start() writes zoo.cfg into a private temporary directory, launches QuorumPeerMain and waits
// (bounded) until the server answers `ruok` and serves requests (`srvr` reports a Mode). The data
// directory and the port survive stop()/start(), so a restart brings back the same znodes at the
// same connect string. The child gets PR_SET_PDEATHSIG(SIGKILL): a crashed or killed test never
// leaves a Java server behind. The destructor stops the server. Not thread-safe: use it from the
// thread that created it (the death signal is tied to that thread).
class ZooKeeperServer
{
public:
    explicit ZooKeeperServer(ZooKeeperServerOptions options = {});
    ~ZooKeeperServer();
    ZooKeeperServer(const ZooKeeperServer &) = delete;
    ZooKeeperServer &operator=(const ZooKeeperServer &) = delete;

    // Starts and waits (bounded by startTimeoutMs) until the server answers `ruok` and `srvr`
    // reports a Mode. The error names the reason and ends with the tail of the server log.
    Result<void> start();
    Result<void> startProcess(); // launches only; pair with waitUntilServing()
    // Bounded wait for `imok` (and, with requireMode, a Mode line: a quorum member serves only
    // once a leader is elected). Fails at once when the process exits.
    Result<void> waitUntilServing(int timeoutMs, bool requireMode = true);
    void stop(); // SIGTERM, bounded wait, SIGKILL; no-op when not running
    void kill(); // SIGKILL now (a crash)
    bool isRunning() const;

    quint16 port() const { return m_port; }
    QString host() const { return QStringLiteral("127.0.0.1"); }
    QString connectString() const; // "127.0.0.1:port"
    QString dataDir() const;
    QString configPath() const;
    QString logPath() const;
    QString logTail(int lines = 40) const;
    // The Mode line of `srvr`: "standalone", "leader", "follower", or "" when not serving.
    QString mode(int timeoutMs = 2000) const;

    // Helpers usable on any port.
    // A four-letter word ("ruok", "srvr", "stat", "mntr"...): the reply, or "" when nobody answers.
    static QByteArray fourLetterWord(quint16 port, const QByteArray &word, int timeoutMs = 2000);
    static bool answers(quint16 port, int timeoutMs = 1000); // `ruok` gets `imok`
    static bool acceptsConnections(quint16 port, int timeoutMs = 1000);
    // Free loopback ports (all bound at once, so they are distinct), or an empty list.
    static QList<quint16> freePorts(int count);

private:
    Result<void> prepare();
    Error failure(const QString &message) const;

    ZooKeeperServerOptions m_options;
    QTemporaryDir m_dir;
    quint16 m_port = 0;
    std::unique_ptr<QProcess> m_process;
};

// A quorum of ZooKeeper servers on loopback (default 3), each a ZooKeeperServer with its own data
// directory, client port and peer/election ports. Startup (leader election) takes a few seconds.
class ZooKeeperEnsemble
{
public:
    explicit ZooKeeperEnsemble(int size = 3, ZooKeeperServerOptions options = {});
    ~ZooKeeperEnsemble();
    ZooKeeperEnsemble(const ZooKeeperEnsemble &) = delete;
    ZooKeeperEnsemble &operator=(const ZooKeeperEnsemble &) = delete;

    // Starts every member and waits until all of them serve (a leader was elected).
    Result<void> start();
    void stopAll();

    int size() const { return static_cast<int>(m_servers.size()); }
    ZooKeeperServer &server(int index) { return *m_servers.at(static_cast<size_t>(index)); }
    // "127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3"
    QString connectString() const;
    // Index (0-based) of the member whose `srvr` says "Mode: leader", or -1.
    int leaderIndex() const;

    void stopServer(int index);
    void killServer(int index);
    // Restarts one member and waits until it serves again (it rejoins the quorum).
    Result<void> startServer(int index);

private:
    ZooKeeperServerOptions m_options;
    std::vector<std::unique_ptr<ZooKeeperServer>> m_servers;
    QString m_setupError;
};

// A small synchronous ZooKeeper C client for test setup and checks (creating znodes, ACLs...).
// Every wait is bounded; the client library's log output is discarded. handle() gives the raw
// zhandle_t for direct C calls (link ZooKeeper::mt and include <zookeeper/zookeeper.h>).
class ZkClient
{
public:
    ZkClient();
    ~ZkClient(); // closes the session
    ZkClient(const ZkClient &) = delete;
    ZkClient &operator=(const ZkClient &) = delete;

    // Opens a session and waits (bounded) until it is connected.
    Result<void> connect(const QString &connectString, int timeoutMs = 10000,
                         int sessionTimeoutMs = 10000);
    void close();
    bool isConnected() const;
    qint64 sessionId() const;
    _zhandle *handle() const { return m_handle; }

    // zoo_add_auth("digest", "user:password") and waits for the answer.
    Result<void> addDigestAuth(const QByteArray &userPassword, int timeoutMs = 5000);
    // Creates one znode; creatorOnly: ZOO_CREATOR_ALL_ACL (needs auth first), else open ACL.
    Result<void> create(const QString &path, const QByteArray &data = {}, bool creatorOnly = false);
    // Creates path and missing parents (open ACL); existing nodes are fine.
    Result<void> ensurePath(const QString &path);
    Result<QByteArray> get(const QString &path);
    Result<void> set(const QString &path, const QByteArray &data);
    Result<bool> exists(const QString &path);
    Result<QStringList> children(const QString &path);
    Result<void> remove(const QString &path);

    struct State; // shared with the client threads

private:
    _zhandle *m_handle = nullptr;
    std::unique_ptr<State> m_state;
};

} // namespace opsdeck::test
