// SPDX-License-Identifier: GPL-3.0-or-later
#include "tlsdemo.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHostAddress>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslKey>
#include <QSslServer>
#include <QSslSocket>
#include <QTemporaryDir>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <unistd.h>

namespace opsdeck::test {

namespace {

const QString DataLink = QStringLiteral("..data");
const QString DataTmpLink = QStringLiteral("..data_tmp");
const QStringList VisibleFiles = {QStringLiteral("tls.crt"), QStringLiteral("tls.key"),
                                  QStringLiteral("ca.crt")};

QString errnoText()
{
    return QString::fromLocal8Bit(std::strerror(errno));
}

Error ioError(const QString &message, const QString &where)
{
    return makeError(ErrorCode::Io, message, where);
}

Result<void> makeSymlink(const QString &target, const QString &linkPath)
{
    const QByteArray t = QFile::encodeName(target);
    const QByteArray l = QFile::encodeName(linkPath);
    if (::symlink(t.constData(), l.constData()) != 0)
        return ioError(QStringLiteral("symlink to %1: %2").arg(target, errnoText()), linkPath);
    return {};
}

QString sha256Hex(const QByteArray &der)
{
    return QString::fromLatin1(QCryptographicHash::hash(der, QCryptographicHash::Sha256).toHex());
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

} // namespace

TlsDemo::TlsDemo(QObject *parent)
    : QObject(parent)
{
    connect(&m_timer, &QTimer::timeout, this, [this] {
        if (auto rotatedOk = rotate(); !rotatedOk)
            Q_EMIT failed(rotatedOk.error().toString());
    });
}

TlsDemo::~TlsDemo()
{
    stop();
}

Result<void> TlsDemo::start(const Options &options)
{
    stop();
    m_options = options;
    m_options.reloadEvery = qMax(1, options.reloadEvery);
    m_rotations = 0;
    if (m_options.directory.isEmpty()) {
        m_tempDir = std::make_unique<QTemporaryDir>();
        if (!m_tempDir->isValid())
            return ioError(QStringLiteral("cannot create a temporary directory"), QString());
        m_dir = m_tempDir->path();
    } else {
        m_dir = QDir(m_options.directory).absolutePath();
        if (!QDir().mkpath(m_dir))
            return ioError(QStringLiteral("cannot create the directory"), m_dir);
    }
    for (const QString &name : VisibleFiles + QStringList{DataLink, DataTmpLink}) {
        const QFileInfo info(QDir(m_dir).filePath(name));
        if (info.exists() || info.isSymLink())
            return makeError(
                ErrorCode::InvalidArgument,
                QStringLiteral("the directory already holds %1 (use an empty one)").arg(name),
                m_dir);
    }

    auto ca = CertFactory::selfSigned(CertSpec::rootCa(QStringLiteral("opsdeck demo CA")));
    if (!ca)
        return ca.error();
    m_ca = ca.value();
    m_lastNotBefore = {};

    QByteArray keyPem;
    auto certPem = issueLeaf(&keyPem, &m_diskSha256);
    if (!certPem)
        return certPem.error();
    if (auto written = writeGeneration(certPem.value(), keyPem); !written)
        return written;
    keyPem.fill('\0');

    m_server = new QSslServer(this);
    m_server->setHandshakeTimeout(5000);
    if (auto loaded = reloadFromDisk(); !loaded) {
        stop();
        return loaded;
    }
    connect(m_server, &QTcpServer::pendingConnectionAvailable, this, [this] {
        while (QTcpSocket *socket = m_server->nextPendingConnection()) {
            // A tiny HTTP answer for curl/browsers; probes just close after the handshake.
            connect(socket, &QIODevice::readyRead, socket, [this, socket] {
                socket->readAll();
                QByteArray body("opsdeck TLS demo, serving ");
                body += m_servedSha256.toLatin1() + '\n';
                QByteArray reply("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n");
                reply += "Content-Length: " + QByteArray::number(body.size()) +
                         "\r\nConnection: close\r\n\r\n";
                reply += body;
                socket->write(reply);
                socket->disconnectFromHost();
            });
            connect(socket, &QAbstractSocket::disconnected, socket, &QObject::deleteLater);
        }
    });
    if (!m_server->listen(QHostAddress::LocalHost, m_options.port)) {
        const QString why = m_server->errorString();
        stop();
        return makeError(ErrorCode::Network, QStringLiteral("cannot listen: %1").arg(why),
                         QStringLiteral("127.0.0.1:%1").arg(m_options.port));
    }
    if (m_options.rotateIntervalMs > 0)
        m_timer.start(m_options.rotateIntervalMs);
    return {};
}

void TlsDemo::stop()
{
    m_timer.stop();
    if (m_server) {
        m_server->close();
        delete m_server; // and every connection (children of the server)
        m_server = nullptr;
    }
}

bool TlsDemo::isRunning() const
{
    return m_server && m_server->isListening();
}

quint16 TlsDemo::port() const
{
    return m_server ? m_server->serverPort() : 0;
}

QString TlsDemo::endpoint() const
{
    return QStringLiteral("127.0.0.1:%1").arg(port());
}

QString TlsDemo::caFile() const
{
    return QDir(m_dir).filePath(QStringLiteral("ca.crt"));
}

Result<void> TlsDemo::rotate()
{
    if (!m_server)
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("the demo is not running"));
    QByteArray keyPem;
    QString sha;
    auto certPem = issueLeaf(&keyPem, &sha);
    if (!certPem)
        return certPem.error();
    auto written = writeGeneration(certPem.value(), keyPem);
    keyPem.fill('\0');
    if (!written)
        return written;
    m_diskSha256 = sha;
    ++m_rotations;
    Q_EMIT rotated(m_diskSha256);
    if (m_rotations % m_options.reloadEvery == 0) {
        if (auto loaded = reloadFromDisk(); !loaded)
            return loaded;
        Q_EMIT reloaded(m_servedSha256);
    }
    return {};
}

Result<QByteArray> TlsDemo::issueLeaf(QByteArray *keyPem, QString *sha256)
{
    CertSpec spec = CertSpec::server(m_options.hostName, {}, {QStringLiteral("127.0.0.1")});
    spec.validFor(90);
    // Each leaf starts later than the one before: the console tells "disk is newer" by notBefore.
    // (Whole seconds: that is what a certificate holds.)
    QDateTime notBefore =
        QDateTime::fromSecsSinceEpoch(QDateTime::currentSecsSinceEpoch() - 3600, Qt::UTC);
    if (m_lastNotBefore.isValid() && notBefore <= m_lastNotBefore)
        notBefore = m_lastNotBefore.addSecs(1);
    spec.notBefore = notBefore;
    auto leaf = CertFactory::issue(spec, m_ca);
    if (!leaf)
        return leaf.error();
    m_lastNotBefore = notBefore;
    *keyPem = leaf->keyPem;
    *sha256 = QString::fromLatin1(leaf->sha256Hex);
    return leaf->certPem;
}

Result<void> TlsDemo::writeGeneration(const QByteArray &certPem, const QByteArray &keyPem)
{
    const QDir dir(m_dir);
    // ..YYYY_MM_DD_HH_MM_SS.NNNNNNNNN, unique even for rotations within one millisecond.
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const QString generation =
        QStringLiteral("..") + now.toString(QStringLiteral("yyyy_MM_dd_HH_mm_ss")) +
        QStringLiteral(".%1").arg(qint64(now.time().msec()) * 1000000 +
                                      qint64(++m_generationCounter % 1000000),
                                  9, 10, QLatin1Char('0'));
    const QString generationPath = dir.filePath(generation);
    if (!dir.mkdir(generation))
        return ioError(QStringLiteral("cannot create the generation directory"), generationPath);
    for (const auto &[name, bytes] : {std::pair{QStringLiteral("tls.crt"), certPem},
                                      std::pair{QStringLiteral("tls.key"), keyPem},
                                      std::pair{QStringLiteral("ca.crt"), m_ca.certPem}}) {
        if (auto written = CertFactory::writeFile(generationPath, name, bytes); !written) {
            QDir(generationPath).removeRecursively();
            return written.error();
        }
    }
    // ..data_tmp -> new generation, then rename over ..data: one atomic switch for all files.
    const QString tmpLink = dir.filePath(DataTmpLink);
    ::unlink(QFile::encodeName(tmpLink).constData()); // a stale one from a crash
    if (auto linked = makeSymlink(generation, tmpLink); !linked) {
        QDir(generationPath).removeRecursively();
        return linked;
    }
    const QString dataLink = dir.filePath(DataLink);
    if (::rename(QFile::encodeName(tmpLink).constData(), QFile::encodeName(dataLink).constData()) !=
        0) {
        const Error e =
            ioError(QStringLiteral("rename ..data_tmp over ..data: %1").arg(errnoText()), dataLink);
        ::unlink(QFile::encodeName(tmpLink).constData());
        QDir(generationPath).removeRecursively();
        return e;
    }
    for (const QString &name : VisibleFiles) {
        const QString visible = dir.filePath(name);
        if (QFileInfo(visible).isSymLink())
            continue;
        if (auto linked = makeSymlink(DataLink + QLatin1Char('/') + name, visible); !linked)
            return linked;
    }
    if (!m_currentGeneration.isEmpty() && m_currentGeneration != generation)
        QDir(dir.filePath(m_currentGeneration)).removeRecursively();
    m_currentGeneration = generation;
    return {};
}

Result<void> TlsDemo::reloadFromDisk()
{
    // Like a real service: read the visible paths (through ..data) at reload time.
    const QDir dir(m_dir);
    QFile certFile(dir.filePath(QStringLiteral("tls.crt")));
    QFile keyFile(dir.filePath(QStringLiteral("tls.key")));
    if (!certFile.open(QIODevice::ReadOnly))
        return ioError(certFile.errorString(), certFile.fileName());
    if (!keyFile.open(QIODevice::ReadOnly))
        return ioError(keyFile.errorString(), keyFile.fileName());
    const QList<QSslCertificate> chain = QSslCertificate::fromData(certFile.readAll(), QSsl::Pem);
    QByteArray keyBytes = keyFile.readAll();
    const QSslKey key = readKey(keyBytes);
    keyBytes.fill('\0');
    if (chain.isEmpty() || chain.first().isNull())
        return makeError(ErrorCode::Parse, QStringLiteral("no certificate"), certFile.fileName());
    if (key.isNull())
        return makeError(ErrorCode::Parse, QStringLiteral("the private key does not load"),
                         keyFile.fileName());
    QSslConfiguration config = QSslConfiguration::defaultConfiguration();
    config.setLocalCertificateChain(chain);
    config.setPrivateKey(key);
    config.setPeerVerifyMode(QSslSocket::VerifyNone);
    m_server->setSslConfiguration(config); // applies to connections accepted from now on
    m_servedSha256 = sha256Hex(chain.first().toDer());
    return {};
}

} // namespace opsdeck::test
