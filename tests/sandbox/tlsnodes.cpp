// SPDX-License-Identifier: GPL-3.0-or-later
#include "tlsnodes.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QHostAddress>
#include <QSslCertificate>
#include <QSslKey>
#include <QSslServer>
#include <QSslSocket>
#include <QTcpServer>
#include <QTcpSocket>
#include <sys/stat.h>
#include <unistd.h>

namespace opsdeck::test {

namespace {

constexpr int kMaxRetries = 5;
constexpr int kRetryDelayMs = 500;

QString sha256Hex(const QByteArray &bytes)
{
    return QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
}

QSslKey readKey(const QByteArray &pem)
{
    for (QSsl::KeyAlgorithm algorithm : {QSsl::Ec, QSsl::Rsa}) {
        QSslKey key(pem, algorithm, QSsl::Pem, QSsl::PrivateKey);
        if (!key.isNull())
            return key;
    }
    return {};
}

// inode, size and mtime (ns) of what a path resolves to; "-" when it does not resolve.
QString statSignature(const QString &path)
{
    struct stat st = {};
    if (::stat(QFile::encodeName(path).constData(), &st) != 0)
        return QStringLiteral("-");
    return QStringLiteral("%1/%2/%3.%4")
        .arg(quint64(st.st_ino))
        .arg(qint64(st.st_size))
        .arg(qint64(st.st_mtim.tv_sec))
        .arg(qint64(st.st_mtim.tv_nsec));
}

QString linkTarget(const QString &path)
{
    char buffer[4096];
    const ssize_t n = ::readlink(QFile::encodeName(path).constData(), buffer, sizeof buffer);
    return n > 0 ? QFile::decodeName(QByteArray(buffer, int(n))) : QString();
}

QString localEndpoint(quint16 port)
{
    return QStringLiteral("127.0.0.1:%1").arg(port);
}

} // namespace

TlsNodeFleet::TlsNodeFleet(QObject *parent)
    : QObject(parent)
{
    connect(&m_pollTimer, &QTimer::timeout, this, &TlsNodeFleet::bundleChanged);
}

TlsNodeFleet::~TlsNodeFleet()
{
    stop();
}

Result<void> TlsNodeFleet::start(const QString &bundleDir, int count, const Options &options)
{
    stop();
    if (count < 1)
        return makeError(
            ErrorCode::InvalidArgument,
            QStringLiteral("a fleet needs at least one node (asked for %1)").arg(count));
    m_dir = QDir(bundleDir).absolutePath();
    m_options = options;
    m_options.stepMs = qMax(0, options.stepMs);
    m_lastSignature = currentSignature();
    auto material = loadMaterial();
    if (!material)
        return material.error();
    m_diskSha256 = material->sha256;

    m_nodes.reserve(size_t(count));
    for (int i = 0; i < count; ++i) {
        auto node = std::make_unique<Node>();
        node->port = i < m_options.ports.size() ? m_options.ports.at(i) : quint16(0);
        node->reloadTimer = new QTimer(this);
        node->reloadTimer->setSingleShot(true);
        connect(node->reloadTimer, &QTimer::timeout, this, [this, i] { reloadNode(i); });
        m_nodes.push_back(std::move(node));
        if (auto listening = listen(i); !listening) {
            stop();
            return listening;
        }
        m_nodes.back()->sha256 = m_material.sha256;
        m_nodes.back()->signature = m_lastSignature;
    }
    if (m_options.pollIntervalMs > 0)
        m_pollTimer.start(m_options.pollIntervalMs);
    return {};
}

void TlsNodeFleet::stop()
{
    m_pollTimer.stop();
    for (auto &node : m_nodes) {
        delete node->reloadTimer;
        if (node->server) {
            node->server->close();
            delete node->server; // and its connections (children of the server)
        }
    }
    m_nodes.clear();
    m_material = {};
}

quint16 TlsNodeFleet::port(int index) const
{
    return index >= 0 && index < count() ? m_nodes[size_t(index)]->port : quint16(0);
}

QString TlsNodeFleet::endpoint(int index) const
{
    return localEndpoint(port(index));
}

bool TlsNodeFleet::isListening(int index) const
{
    return index >= 0 && index < count() && m_nodes[size_t(index)]->server &&
           m_nodes[size_t(index)]->server->isListening();
}

QString TlsNodeFleet::servedFingerprint(int index) const
{
    return index >= 0 && index < count() ? m_nodes[size_t(index)]->sha256 : QString();
}

int TlsNodeFleet::nodesServing(const QString &fingerprint) const
{
    int n = 0;
    for (const auto &node : m_nodes)
        n += node->sha256 == fingerprint ? 1 : 0;
    return n;
}

bool TlsNodeFleet::isReloadPending(int index) const
{
    return index >= 0 && index < count() && m_nodes[size_t(index)]->reloadTimer->isActive();
}

int TlsNodeFleet::reloadDelayMs(int index) const
{
    if (index < 0 || index >= count())
        return -1;
    const int delay = m_nodes[size_t(index)]->delayMs;
    return delay >= 0 ? delay : (index + 1) * m_options.stepMs;
}

void TlsNodeFleet::setReloadDelay(int index, int ms)
{
    if (index >= 0 && index < count())
        m_nodes[size_t(index)]->delayMs = qMax(0, ms);
}

void TlsNodeFleet::pause(int index, bool paused)
{
    if (index < 0 || index >= count())
        return;
    Node &node = *m_nodes[size_t(index)];
    if (node.paused == paused)
        return;
    node.paused = paused;
    if (paused) {
        node.reloadTimer->stop();
        return;
    }
    if (node.server && node.signature != currentSignature())
        scheduleReload(index);
}

bool TlsNodeFleet::isPaused(int index) const
{
    return index >= 0 && index < count() && m_nodes[size_t(index)]->paused;
}

void TlsNodeFleet::stopNode(int index)
{
    if (index < 0 || index >= count())
        return;
    Node &node = *m_nodes[size_t(index)];
    node.reloadTimer->stop();
    if (node.server) {
        node.server->close();
        delete node.server;
        node.server = nullptr;
    }
}

Result<void> TlsNodeFleet::restartNode(int index)
{
    if (index < 0 || index >= count())
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("no node %1").arg(index));
    stopNode(index);
    const QString signature = currentSignature();
    auto material = loadMaterial();
    if (!material)
        return material.error();
    if (auto listening = listen(index); !listening)
        return listening;
    Node &node = *m_nodes[size_t(index)];
    node.sha256 = material->sha256;
    node.signature = signature;
    node.retries = 0;
    return {};
}

void TlsNodeFleet::bundleChanged()
{
    if (m_nodes.empty())
        return;
    const QString signature = currentSignature();
    if (signature == m_lastSignature)
        return;
    m_lastSignature = signature;
    if (auto material = loadMaterial())
        m_diskSha256 = material->sha256;
    Q_EMIT changeNoticed(m_diskSha256);
    for (int i = 0; i < count(); ++i) {
        const Node &node = *m_nodes[size_t(i)];
        if (node.server && !node.paused && !node.reloadTimer->isActive() &&
            node.signature != signature)
            scheduleReload(i);
    }
}

void TlsNodeFleet::scheduleReload(int index)
{
    Node &node = *m_nodes[size_t(index)];
    node.retries = 0;
    node.reloadTimer->start(reloadDelayMs(index));
}

void TlsNodeFleet::reloadNode(int index)
{
    Node &node = *m_nodes[size_t(index)];
    if (!node.server || node.paused)
        return;
    const QString signature = currentSignature();
    auto material = loadMaterial();
    if (!material) {
        Q_EMIT reloadFailed(index, material.error().toString());
        if (node.retries++ < kMaxRetries)
            node.reloadTimer->start(kRetryDelayMs);
        return;
    }
    node.server->setSslConfiguration(material->config); // for connections accepted from now on
    node.sha256 = material->sha256;
    node.signature = signature;
    node.retries = 0;
    Q_EMIT nodeReloaded(index, node.sha256);
}

QString TlsNodeFleet::currentSignature() const
{
    const QDir dir(m_dir);
    return linkTarget(dir.filePath(QStringLiteral("..data"))) + QLatin1Char('|') +
           statSignature(dir.filePath(QStringLiteral("tls.crt"))) + QLatin1Char('|') +
           statSignature(dir.filePath(QStringLiteral("tls.key")));
}

Result<TlsNodeFleet::Material> TlsNodeFleet::loadMaterial()
{
    // The visible paths, resolved at read time: a ..data swap is followed.
    const QDir dir(m_dir);
    QFile certFile(dir.filePath(QStringLiteral("tls.crt")));
    QFile keyFile(dir.filePath(QStringLiteral("tls.key")));
    if (!certFile.open(QIODevice::ReadOnly))
        return makeError(ErrorCode::Io, certFile.errorString(), certFile.fileName());
    if (!keyFile.open(QIODevice::ReadOnly))
        return makeError(ErrorCode::Io, keyFile.errorString(), keyFile.fileName());
    const QByteArray certBytes = certFile.readAll();
    QByteArray keyBytes = keyFile.readAll();
    const QByteArray keyDigest = QCryptographicHash::hash(keyBytes, QCryptographicHash::Sha256);
    if (!m_material.sha256.isEmpty() && certBytes == m_material.certBytes &&
        keyDigest == m_material.keyDigest) {
        keyBytes.fill('\0');
        return m_material; // one parse per bundle generation, shared by the whole fleet
    }
    const QSslKey key = readKey(keyBytes);
    keyBytes.fill('\0');
    const QList<QSslCertificate> chain = QSslCertificate::fromData(certBytes, QSsl::Pem);
    if (chain.isEmpty() || chain.first().isNull())
        return makeError(ErrorCode::Parse, QStringLiteral("no certificate"), certFile.fileName());
    if (key.isNull())
        return makeError(ErrorCode::Parse, QStringLiteral("the private key does not load"),
                         keyFile.fileName());
    Material material;
    material.config = QSslConfiguration::defaultConfiguration();
    material.config.setLocalCertificateChain(chain);
    material.config.setPrivateKey(key);
    material.config.setPeerVerifyMode(QSslSocket::VerifyNone);
    material.sha256 = sha256Hex(chain.first().toDer());
    material.certBytes = certBytes;
    material.keyDigest = keyDigest;
    m_material = material;
    return material;
}

Result<void> TlsNodeFleet::listen(int index)
{
    Node &node = *m_nodes[size_t(index)];
    auto *server = new QSslServer(this);
    server->setHandshakeTimeout(m_options.handshakeTimeoutMs);
    server->setSslConfiguration(m_material.config);
    connect(server, &QTcpServer::pendingConnectionAvailable, this,
            [this, server, index] { onPendingConnections(server, index); });
    // A failed handshake (a plain-TCP client, a scanner) must not leave the socket behind.
    connect(server, &QSslServer::errorOccurred, this,
            [](QSslSocket *socket, QAbstractSocket::SocketError) {
                if (!socket->isEncrypted())
                    socket->deleteLater();
            });
    if (!server->listen(QHostAddress::LocalHost, node.port)) {
        const QString why = server->errorString();
        delete server;
        return makeError(ErrorCode::Network,
                         QStringLiteral("node %1 cannot listen: %2").arg(index).arg(why),
                         localEndpoint(node.port));
    }
    node.server = server;
    node.port = server->serverPort();
    return {};
}

void TlsNodeFleet::onPendingConnections(QSslServer *server, int index)
{
    while (QTcpSocket *socket = server->nextPendingConnection()) {
        connect(socket, &QAbstractSocket::disconnected, socket, &QObject::deleteLater);
        if (!m_options.httpReply)
            continue;
        connect(socket, &QIODevice::readyRead, socket, [this, socket, index] {
            socket->readAll();
            QByteArray body("opsdeck simulated Solr node ");
            body += QByteArray::number(index) + ", serving " + servedFingerprint(index).toLatin1() +
                    '\n';
            QByteArray reply("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n");
            reply += "Content-Length: " + QByteArray::number(body.size()) +
                     "\r\nConnection: close\r\n\r\n";
            reply += body;
            socket->write(reply);
            socket->disconnectFromHost();
        });
    }
}

HangingTlsServer::HangingTlsServer(QObject *parent)
    : QObject(parent)
{}

HangingTlsServer::~HangingTlsServer()
{
    stop();
}

Result<void> HangingTlsServer::start(quint16 port)
{
    stop();
    m_accepted = 0;
    m_server = new QTcpServer(this);
    connect(m_server, &QTcpServer::newConnection, this, [this] {
        while (QTcpSocket *socket = m_server->nextPendingConnection()) {
            ++m_accepted;
            // Read and drop the ClientHello (and anything else); never write.
            connect(socket, &QIODevice::readyRead, socket, [socket] { socket->readAll(); });
            connect(socket, &QAbstractSocket::disconnected, socket, &QObject::deleteLater);
            Q_EMIT accepted();
        }
    });
    if (!m_server->listen(QHostAddress::LocalHost, port)) {
        const QString why = m_server->errorString();
        stop();
        return makeError(ErrorCode::Network, QStringLiteral("cannot listen: %1").arg(why),
                         localEndpoint(port));
    }
    return {};
}

void HangingTlsServer::stop()
{
    if (m_server) {
        m_server->close();
        delete m_server; // and every held connection
        m_server = nullptr;
    }
}

quint16 HangingTlsServer::port() const
{
    return m_server ? m_server->serverPort() : quint16(0);
}

QString HangingTlsServer::endpoint() const
{
    return localEndpoint(port());
}

int HangingTlsServer::openCount() const
{
    return m_server ? int(m_server->findChildren<QTcpSocket *>().size()) : 0;
}

} // namespace opsdeck::test
