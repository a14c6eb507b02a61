// SPDX-License-Identifier: GPL-3.0-or-later
#include "opensslserver.h"

#include <QDeadlineTimer>
#include <QHostAddress>
#include <QTest>

namespace opsdeck::test {

quint16 freeLoopbackPort()
{
    QTcpServer probe;
    if (!probe.listen(QHostAddress::LocalHost, 0))
        return 0;
    const quint16 port = probe.serverPort();
    probe.close();
    return port;
}

bool waitForLoopbackPort(quint16 port, int timeoutMs, const QProcess *alive)
{
    return QTest::qWaitFor(
               [&] {
                   if (alive && alive->state() == QProcess::NotRunning)
                       return true; // give up early; the caller checks the process
                   QTcpSocket socket;
                   socket.connectToHost(QHostAddress::LocalHost, port);
                   const bool ok = socket.waitForConnected(250);
                   socket.abort();
                   return ok;
               },
               timeoutMs) &&
           (!alive || alive->state() == QProcess::Running);
}

QString opensslFingerprint(const QString &certPath)
{
    QProcess p;
    p.start(QStringLiteral("openssl"),
            {QStringLiteral("x509"), QStringLiteral("-noout"), QStringLiteral("-fingerprint"),
             QStringLiteral("-sha256"), QStringLiteral("-in"), certPath});
    if (!p.waitForFinished(30000) || p.exitCode() != 0) {
        p.kill();
        p.waitForFinished(2000);
        return {};
    }
    // "sha256 Fingerprint=AB:CD:..." (the label's case differs between versions)
    const QString line = QString::fromLatin1(p.readAllStandardOutput()).trimmed();
    const auto eq = line.indexOf(QLatin1Char('='));
    if (eq < 0)
        return {};
    return line.mid(eq + 1).remove(QLatin1Char(':')).toLower();
}

OpenSslServer::~OpenSslServer()
{
    stop();
}

bool OpenSslServer::start(const SServerOptions &options, quint16 port)
{
    stop();
    if (port == 0 && m_port == 0)
        port = freeLoopbackPort();
    if (port != 0)
        m_port = port;
    if (m_port == 0) {
        m_error = QStringLiteral("no free port");
        return false;
    }
    QStringList args{QStringLiteral("s_server"),
                     QStringLiteral("-accept"),
                     QStringLiteral("127.0.0.1:%1").arg(m_port),
                     QStringLiteral("-cert"),
                     options.cert,
                     QStringLiteral("-key"),
                     options.key,
                     QStringLiteral("-www"),
                     QStringLiteral("-quiet")};
    if (!options.certChain.isEmpty())
        args << QStringLiteral("-cert_chain") << options.certChain;
    if (!options.sniName.isEmpty())
        args << QStringLiteral("-servername") << options.sniName << QStringLiteral("-cert2")
             << options.cert2 << QStringLiteral("-key2") << options.key2;
    m_process = std::make_unique<QProcess>();
    m_process->setProcessChannelMode(QProcess::MergedChannels);
    m_process->setStandardOutputFile(QProcess::nullDevice());
    m_process->start(QStringLiteral("openssl"), args);
    if (!m_process->waitForStarted(10000)) {
        m_error = QStringLiteral("openssl s_server did not start: ") + m_process->errorString();
        stop();
        return false;
    }
    // A restart on the same port can race with the old socket's release: the poll covers it.
    if (!waitForLoopbackPort(m_port, 15000, m_process.get())) {
        m_error = QStringLiteral("openssl s_server does not accept on 127.0.0.1:%1 (exit %2)")
                      .arg(m_port)
                      .arg(m_process->exitCode());
        stop();
        return false;
    }
    return true;
}

void OpenSslServer::stop()
{
    if (!m_process)
        return;
    if (m_process->state() != QProcess::NotRunning) {
        m_process->kill();
        m_process->waitForFinished(10000);
    }
    m_process.reset();
}

bool OpenSslServer::isRunning() const
{
    return m_process && m_process->state() == QProcess::Running;
}

bool SilentServer::listen()
{
    QObject::connect(&m_server, &QTcpServer::newConnection, &m_server, [this] {
        while (QTcpSocket *s = m_server.nextPendingConnection())
            m_sockets << s; // children of the server: closed when it goes
    });
    return m_server.listen(QHostAddress::LocalHost, 0);
}

bool PlainHttpServer::listen()
{
    QObject::connect(&m_server, &QTcpServer::newConnection, &m_server, [this] {
        while (QTcpSocket *s = m_server.nextPendingConnection()) {
            QObject::connect(s, &QTcpSocket::readyRead, s, [s] {
                s->readAll();
                s->write("HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\n"
                         "Content-Length: 12\r\nConnection: close\r\n\r\nbad request\n");
                s->disconnectFromHost();
            });
            QObject::connect(s, &QTcpSocket::disconnected, s, &QObject::deleteLater);
        }
    });
    return m_server.listen(QHostAddress::LocalHost, 0);
}

} // namespace opsdeck::test
