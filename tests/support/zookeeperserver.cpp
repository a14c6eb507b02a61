// SPDX-License-Identifier: GPL-3.0-or-later
#include "zookeeperserver.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHostAddress>
#include <QProcess>
#include <QTcpServer>
#include <QTcpSocket>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <mutex>
#include <sys/prctl.h>
#include <unistd.h>
#include <zookeeper/zookeeper.h>

namespace opsdeck::test {

namespace {

const QLatin1String kMainClass("org.apache.zookeeper.server.quorum.QuorumPeerMain");

Result<void> writeText(const QString &path, const QString &text)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return makeError(ErrorCode::Io, file.errorString(), path);
    const QByteArray bytes = text.toUtf8();
    if (file.write(bytes) != bytes.size())
        return makeError(ErrorCode::Io, file.errorString(), path);
    return {};
}

} // namespace

// --- ZooKeeperServer -------------------------------------------------------------------------

ZooKeeperServer::ZooKeeperServer(ZooKeeperServerOptions options)
    : m_options(std::move(options))
    , m_dir(QDir::tempPath() + QStringLiteral("/opsdeck-zk-XXXXXX"))
    , m_port(m_options.clientPort)
{}

ZooKeeperServer::~ZooKeeperServer()
{
    stop();
}

QString ZooKeeperServer::connectString() const
{
    return QStringLiteral("127.0.0.1:%1").arg(m_port);
}

QString ZooKeeperServer::dataDir() const
{
    return m_dir.filePath(QStringLiteral("data"));
}

QString ZooKeeperServer::configPath() const
{
    return m_dir.filePath(QStringLiteral("zoo.cfg"));
}

QString ZooKeeperServer::logPath() const
{
    return m_dir.filePath(QStringLiteral("server.log"));
}

QString ZooKeeperServer::logTail(int lines) const
{
    QFile file(logPath());
    if (!file.open(QIODevice::ReadOnly))
        return QStringLiteral("(no server log at %1)").arg(logPath());
    constexpr qint64 maxBytes = 64 * 1024;
    if (file.size() > maxBytes)
        file.seek(file.size() - maxBytes);
    const QStringList all = QString::fromUtf8(file.readAll()).split(QLatin1Char('\n'));
    const qsizetype from = std::max<qsizetype>(0, all.size() - lines - 1);
    return all.mid(from).join(QLatin1Char('\n')).trimmed();
}

Error ZooKeeperServer::failure(const QString &message) const
{
    return makeError(
        ErrorCode::Internal,
        QStringLiteral("%1\n--- last lines of %2 ---\n%3").arg(message, logPath(), logTail()),
        QStringLiteral("ZooKeeper server 127.0.0.1:%1").arg(m_port));
}

Result<void> ZooKeeperServer::prepare()
{
    if (!m_dir.isValid())
        return makeError(
            ErrorCode::Io,
            QStringLiteral("cannot create a temporary directory: %1").arg(m_dir.errorString()));
    if (m_port == 0) {
        const QList<quint16> ports = freePorts(1);
        if (ports.isEmpty())
            return makeError(ErrorCode::Network,
                             QStringLiteral("no free loopback port for ZooKeeper"));
        m_port = ports.first();
    }
    if (!QDir().mkpath(dataDir()))
        return makeError(ErrorCode::Io, QStringLiteral("cannot create the data directory"),
                         dataDir());

    QStringList cfg = {
        QStringLiteral("tickTime=%1").arg(m_options.tickTimeMs),
        QStringLiteral("dataDir=%1").arg(dataDir()),
        QStringLiteral("clientPort=%1").arg(m_port),
        QStringLiteral("clientPortAddress=127.0.0.1"),
        QStringLiteral("admin.enableServer=false"),
        QStringLiteral("4lw.commands.whitelist=*"),
        QStringLiteral("minSessionTimeout=%1").arg(m_options.minSessionTimeoutMs),
        QStringLiteral("maxSessionTimeout=%1").arg(m_options.maxSessionTimeoutMs),
        QStringLiteral("maxClientCnxns=0"),
    };
    if (!m_options.quorumLines.isEmpty()) {
        cfg << QStringLiteral("initLimit=25") << QStringLiteral("syncLimit=10")
            << QStringLiteral("standaloneEnabled=false") << m_options.quorumLines;
        if (auto written = writeText(QDir(dataDir()).filePath(QStringLiteral("myid")),
                                     QString::number(m_options.myId) + QLatin1Char('\n'));
            !written)
            return written;
    }
    cfg << m_options.extraConfig;
    return writeText(configPath(), cfg.join(QLatin1Char('\n')) + QLatin1Char('\n'));
}

Result<void> ZooKeeperServer::startProcess()
{
    if (isRunning())
        return {};
    if (auto prepared = prepare(); !prepared)
        return prepared;

    QStringList classPath;
    for (const QString &jar : std::as_const(m_options.classPath)) {
        if (QFileInfo::exists(jar))
            classPath << jar;
    }
    if (classPath.isEmpty())
        return makeError(ErrorCode::NotFound,
                         QStringLiteral("ZooKeeper is not installed (none of %1 exists)")
                             .arg(m_options.classPath.join(QLatin1String(", "))));

    m_process = std::make_unique<QProcess>();
    m_process->setProgram(m_options.java);
    m_process->setArguments({QStringLiteral("-Xmx128m"), QStringLiteral("-XX:+UseSerialGC"),
                             QStringLiteral("-Djava.net.preferIPv4Stack=true"),
                             QStringLiteral("-cp"), classPath.join(QLatin1Char(':')), kMainClass,
                             configPath()});
    m_process->setWorkingDirectory(m_dir.path());
    m_process->setStandardInputFile(QProcess::nullDevice());
    m_process->setStandardOutputFile(logPath(), QIODevice::Append);
    m_process->setStandardErrorFile(logPath(), QIODevice::Append);
    // The server dies with us, even when the test crashes or is SIGKILLed. Runs in the child
    // between fork and exec: async-signal-safe calls only.
    const pid_t parent = ::getpid();
    m_process->setChildProcessModifier([parent] {
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (::getppid() != parent)
            ::_exit(127); // the parent died before prctl took effect
    });
    m_process->start();
    if (!m_process->waitForStarted(10000)) {
        const QString reason = m_process->errorString();
        m_process.reset();
        return failure(QStringLiteral("cannot launch %1: %2").arg(m_options.java, reason));
    }
    return {};
}

Result<void> ZooKeeperServer::waitUntilServing(int timeoutMs, bool requireMode)
{
    if (!m_process)
        return failure(QStringLiteral("the server was not started"));
    const QDeadlineTimer deadline(timeoutMs);
    while (!deadline.hasExpired()) {
        if (m_process->state() == QProcess::NotRunning)
            return failure(QStringLiteral("the server process exited (code %1) before it served")
                               .arg(m_process->exitCode()));
        if (answers(m_port, 500) && (!requireMode || !mode(1000).isEmpty()))
            return {};
        // Poll interval that returns at once when the process dies.
        m_process->waitForFinished(
            static_cast<int>(std::min<qint64>(100, std::max<qint64>(1, deadline.remainingTime()))));
    }
    return failure(QStringLiteral("the server did not serve within %1 ms").arg(timeoutMs));
}

Result<void> ZooKeeperServer::start()
{
    if (auto launched = startProcess(); !launched)
        return launched;
    return waitUntilServing(m_options.startTimeoutMs, true);
}

void ZooKeeperServer::stop()
{
    if (!m_process)
        return;
    if (m_process->state() != QProcess::NotRunning) {
        m_process->terminate();
        if (!m_process->waitForFinished(m_options.stopTimeoutMs)) {
            m_process->kill();
            m_process->waitForFinished(5000);
        }
    }
    m_process.reset();
}

void ZooKeeperServer::kill()
{
    if (!m_process)
        return;
    if (m_process->state() != QProcess::NotRunning) {
        m_process->kill();
        m_process->waitForFinished(5000);
    }
    m_process.reset();
}

bool ZooKeeperServer::isRunning() const
{
    if (!m_process || m_process->state() == QProcess::NotRunning)
        return false;
    // Reaps a child that exited while no event loop ran.
    return !m_process->waitForFinished(0) && m_process->state() != QProcess::NotRunning;
}

QString ZooKeeperServer::mode(int timeoutMs) const
{
    const QByteArray reply = fourLetterWord(m_port, QByteArrayLiteral("srvr"), timeoutMs);
    for (const QByteArray &line : reply.split('\n')) {
        if (line.startsWith("Mode: "))
            return QString::fromLatin1(line.mid(6).trimmed());
    }
    return {};
}

QByteArray ZooKeeperServer::fourLetterWord(quint16 port, const QByteArray &word, int timeoutMs)
{
    const QDeadlineTimer deadline(timeoutMs);
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    if (!socket.waitForConnected(static_cast<int>(deadline.remainingTime())))
        return {};
    socket.write(word);
    if (!socket.waitForBytesWritten(
            static_cast<int>(std::max<qint64>(1, deadline.remainingTime()))))
        return {};
    QByteArray reply;
    // The server answers and closes the connection.
    while (socket.state() == QAbstractSocket::ConnectedState && !deadline.hasExpired()) {
        if (socket.waitForReadyRead(
                static_cast<int>(std::max<qint64>(1, deadline.remainingTime()))))
            reply += socket.readAll();
    }
    reply += socket.readAll();
    return reply;
}

bool ZooKeeperServer::answers(quint16 port, int timeoutMs)
{
    return fourLetterWord(port, QByteArrayLiteral("ruok"), timeoutMs) == "imok";
}

bool ZooKeeperServer::acceptsConnections(quint16 port, int timeoutMs)
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    const bool connected = socket.waitForConnected(timeoutMs);
    socket.abort();
    return connected;
}

QList<quint16> ZooKeeperServer::freePorts(int count)
{
    std::vector<std::unique_ptr<QTcpServer>> held;
    QList<quint16> ports;
    for (int i = 0; i < count; ++i) {
        auto server = std::make_unique<QTcpServer>();
        if (!server->listen(QHostAddress::LocalHost, 0))
            return {};
        ports << server->serverPort();
        held.push_back(std::move(server));
    }
    return ports; // the servers close here; the ports are free again
}

// --- ZooKeeperEnsemble -----------------------------------------------------------------------

ZooKeeperEnsemble::ZooKeeperEnsemble(int size, ZooKeeperServerOptions options)
    : m_options(std::move(options))
{
    const QList<quint16> ports = ZooKeeperServer::freePorts(3 * size);
    if (ports.size() != 3 * size) {
        m_setupError = QStringLiteral("not enough free loopback ports for %1 servers").arg(size);
        return;
    }
    QStringList quorum;
    for (int i = 0; i < size; ++i)
        quorum << QStringLiteral("server.%1=127.0.0.1:%2:%3")
                      .arg(i + 1)
                      .arg(ports.at(3 * i + 1))
                      .arg(ports.at(3 * i + 2));
    for (int i = 0; i < size; ++i) {
        ZooKeeperServerOptions member = m_options;
        member.clientPort = ports.at(3 * i);
        member.myId = i + 1;
        member.quorumLines = quorum;
        m_servers.push_back(std::make_unique<ZooKeeperServer>(member));
    }
}

ZooKeeperEnsemble::~ZooKeeperEnsemble()
{
    stopAll();
}

Result<void> ZooKeeperEnsemble::start()
{
    if (!m_setupError.isEmpty())
        return makeError(ErrorCode::Network, m_setupError);
    for (auto &server : m_servers) {
        if (auto launched = server->startProcess(); !launched) {
            stopAll();
            return launched;
        }
    }
    // One deadline for the whole quorum: members serve only once a leader is elected.
    const QDeadlineTimer deadline(m_options.startTimeoutMs + 15000);
    for (auto &server : m_servers) {
        if (auto serving = server->waitUntilServing(
                static_cast<int>(std::max<qint64>(1, deadline.remainingTime())), true);
            !serving) {
            stopAll();
            return serving;
        }
    }
    return {};
}

void ZooKeeperEnsemble::stopAll()
{
    for (auto &server : m_servers)
        server->stop();
}

QString ZooKeeperEnsemble::connectString() const
{
    QStringList hosts;
    for (const auto &server : m_servers)
        hosts << server->connectString();
    return hosts.join(QLatin1Char(','));
}

int ZooKeeperEnsemble::leaderIndex() const
{
    for (int i = 0; i < size(); ++i) {
        const auto &server = m_servers.at(static_cast<size_t>(i));
        if (server->isRunning() && server->mode() == QLatin1String("leader"))
            return i;
    }
    return -1;
}

void ZooKeeperEnsemble::stopServer(int index)
{
    server(index).stop();
}

void ZooKeeperEnsemble::killServer(int index)
{
    server(index).kill();
}

Result<void> ZooKeeperEnsemble::startServer(int index)
{
    return server(index).start();
}

// --- ZkClient ----------------------------------------------------------------------------------

struct ZkClient::State
{
    std::mutex mutex;
    std::condition_variable changed;
    int sessionState = 0;
    bool authDone = false;
    int authRc = 0;
};

namespace {

void clientWatcher(zhandle_t *, int type, int state, const char *, void *context)
{
    if (type != ZOO_SESSION_EVENT || !context)
        return;
    auto *shared = static_cast<ZkClient::State *>(context);
    {
        const std::lock_guard lock(shared->mutex);
        shared->sessionState = state;
    }
    shared->changed.notify_all();
}

void clientAuthDone(int rc, const void *data)
{
    auto *shared = static_cast<ZkClient::State *>(const_cast<void *>(data));
    {
        const std::lock_guard lock(shared->mutex);
        shared->authDone = true;
        shared->authRc = rc;
    }
    shared->changed.notify_all();
}

void discardClientLog(const char *) {}

Error zkError(int rc, const QString &what, const QString &path)
{
    ErrorCode code = ErrorCode::Network;
    if (rc == ZNONODE)
        code = ErrorCode::NotFound;
    else if (rc == ZNOAUTH || rc == ZAUTHFAILED)
        code = ErrorCode::PermissionDenied;
    else if (rc == ZNODEEXISTS || rc == ZNOTEMPTY || rc == ZBADVERSION)
        code = ErrorCode::Busy;
    else if (rc == ZBADARGUMENTS || rc == ZNOCHILDRENFOREPHEMERALS)
        code = ErrorCode::InvalidArgument;
    return makeError(code, QStringLiteral("%1: %2").arg(what, QString::fromLatin1(zerror(rc))),
                     path);
}

} // namespace

ZkClient::ZkClient()
    : m_state(std::make_unique<State>())
{}

ZkClient::~ZkClient()
{
    close();
}

Result<void> ZkClient::connect(const QString &connectString, int timeoutMs, int sessionTimeoutMs)
{
    close();
    {
        const std::lock_guard lock(m_state->mutex);
        m_state->sessionState = 0;
    }
    const QByteArray hosts = connectString.toUtf8();
    m_handle = zookeeper_init2(hosts.constData(), clientWatcher, sessionTimeoutMs, nullptr,
                               m_state.get(), 0, discardClientLog);
    if (!m_handle)
        return makeError(ErrorCode::Network, QStringLiteral("zookeeper_init failed"),
                         connectString);
    std::unique_lock lock(m_state->mutex);
    const bool connected =
        m_state->changed.wait_for(lock, std::chrono::milliseconds(timeoutMs),
                                  [this] { return m_state->sessionState == ZOO_CONNECTED_STATE; });
    lock.unlock();
    if (!connected) {
        close();
        return makeError(ErrorCode::Timeout,
                         QStringLiteral("not connected within %1 ms").arg(timeoutMs),
                         connectString);
    }
    return {};
}

void ZkClient::close()
{
    if (m_handle) {
        zookeeper_close(m_handle);
        m_handle = nullptr;
    }
}

bool ZkClient::isConnected() const
{
    return m_handle && zoo_state(m_handle) == ZOO_CONNECTED_STATE;
}

qint64 ZkClient::sessionId() const
{
    const clientid_t *id = m_handle ? zoo_client_id(m_handle) : nullptr;
    return id ? id->client_id : 0;
}

Result<void> ZkClient::addDigestAuth(const QByteArray &userPassword, int timeoutMs)
{
    if (!m_handle)
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("not connected"));
    {
        const std::lock_guard lock(m_state->mutex);
        m_state->authDone = false;
    }
    const int rc =
        zoo_add_auth(m_handle, "digest", userPassword.constData(),
                     static_cast<int>(userPassword.size()), clientAuthDone, m_state.get());
    if (rc != ZOK)
        return zkError(rc, QStringLiteral("add_auth"), {});
    std::unique_lock lock(m_state->mutex);
    if (!m_state->changed.wait_for(lock, std::chrono::milliseconds(timeoutMs),
                                   [this] { return m_state->authDone; }))
        return makeError(ErrorCode::Timeout, QStringLiteral("no answer to add_auth"));
    if (m_state->authRc != ZOK)
        return zkError(m_state->authRc, QStringLiteral("add_auth"), {});
    return {};
}

Result<void> ZkClient::create(const QString &path, const QByteArray &data, bool creatorOnly)
{
    if (!m_handle)
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("not connected"), path);
    const QByteArray p = path.toUtf8();
    const int rc =
        zoo_create(m_handle, p.constData(), data.isNull() ? nullptr : data.constData(),
                   data.isNull() ? -1 : static_cast<int>(data.size()),
                   creatorOnly ? &ZOO_CREATOR_ALL_ACL : &ZOO_OPEN_ACL_UNSAFE, 0, nullptr, 0);
    if (rc != ZOK)
        return zkError(rc, QStringLiteral("create"), path);
    return {};
}

Result<void> ZkClient::ensurePath(const QString &path)
{
    const QStringList parts = path.split(QLatin1Char('/'), Qt::SkipEmptyParts);
    QString current;
    for (const QString &part : parts) {
        current += QLatin1Char('/') + part;
        auto created = create(current);
        if (!created && created.error().code != ErrorCode::Busy)
            return created;
    }
    return {};
}

Result<QByteArray> ZkClient::get(const QString &path)
{
    if (!m_handle)
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("not connected"), path);
    const QByteArray p = path.toUtf8();
    QByteArray buffer(1024 * 1024, Qt::Uninitialized);
    int length = static_cast<int>(buffer.size());
    struct Stat stat = {};
    const int rc = zoo_get(m_handle, p.constData(), 0, buffer.data(), &length, &stat);
    if (rc != ZOK)
        return zkError(rc, QStringLiteral("get"), path);
    buffer.truncate(length < 0 ? 0 : length);
    return buffer;
}

Result<void> ZkClient::set(const QString &path, const QByteArray &data)
{
    if (!m_handle)
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("not connected"), path);
    const QByteArray p = path.toUtf8();
    const int rc =
        zoo_set(m_handle, p.constData(), data.constData(), static_cast<int>(data.size()), -1);
    if (rc != ZOK)
        return zkError(rc, QStringLiteral("set"), path);
    return {};
}

Result<bool> ZkClient::exists(const QString &path)
{
    if (!m_handle)
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("not connected"), path);
    const QByteArray p = path.toUtf8();
    struct Stat stat = {};
    const int rc = zoo_exists(m_handle, p.constData(), 0, &stat);
    if (rc == ZNONODE)
        return false;
    if (rc != ZOK)
        return zkError(rc, QStringLiteral("exists"), path);
    return true;
}

Result<QStringList> ZkClient::children(const QString &path)
{
    if (!m_handle)
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("not connected"), path);
    const QByteArray p = path.toUtf8();
    struct String_vector strings = {};
    const int rc = zoo_get_children(m_handle, p.constData(), 0, &strings);
    if (rc != ZOK)
        return zkError(rc, QStringLiteral("get_children"), path);
    QStringList names;
    for (int i = 0; i < strings.count; ++i)
        names << QString::fromUtf8(strings.data[i]);
    deallocate_String_vector(&strings);
    names.sort();
    return names;
}

Result<void> ZkClient::remove(const QString &path)
{
    if (!m_handle)
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("not connected"), path);
    const QByteArray p = path.toUtf8();
    const int rc = zoo_delete(m_handle, p.constData(), -1);
    if (rc != ZOK)
        return zkError(rc, QStringLiteral("delete"), path);
    return {};
}

} // namespace opsdeck::test
