// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Test helpers for the endpoint probe: a real `openssl s_server` on 127.0.0.1, free ports, the
// openssl CLI's own fingerprint, and small in-process TCP servers that misbehave on purpose
// (silent, plain HTTP). No fixed sleeps: readiness is a bounded TCP-connect poll.

#include <QByteArray>
#include <QList>
#include <QPointer>
#include <QProcess>
#include <QString>
#include <QStringList>
#include <QTcpServer>
#include <QTcpSocket>
#include <memory>

namespace opsdeck::test {

// A port that was free a moment ago on 127.0.0.1 (bind :0, read, close).
quint16 freeLoopbackPort();

// True when something accepts TCP on 127.0.0.1:port within timeoutMs (bounded poll).
bool waitForLoopbackPort(quint16 port, int timeoutMs, const QProcess *alive = nullptr);

// `openssl x509 -noout -fingerprint -sha256 -in certPath` as lowercase hex without colons; empty
// on failure.
QString opensslFingerprint(const QString &certPath);

struct SServerOptions
{
    QString cert;      // PEM leaf
    QString key;       // PEM key
    QString certChain; // optional: extra chain certificates (-cert_chain)
    QString sniName;   // optional: -servername, served with cert2/key2
    QString cert2;
    QString key2;
};

// `openssl s_server -www` on 127.0.0.1:<free port>. Stopped (killed and reaped) by stop() or the
// destructor.
class OpenSslServer
{
public:
    OpenSslServer() = default;
    ~OpenSslServer();
    OpenSslServer(const OpenSslServer &) = delete;
    OpenSslServer &operator=(const OpenSslServer &) = delete;

    // Starts and waits (bounded) until it accepts TCP. Keeps the port of a previous start when
    // `port` is 0 and it was started before (a restart on the same endpoint).
    bool start(const SServerOptions &options, quint16 port = 0);
    void stop();
    bool isRunning() const;
    quint16 port() const { return m_port; }
    QString lastError() const { return m_error; }

private:
    std::unique_ptr<QProcess> m_process;
    quint16 m_port = 0;
    QString m_error;
};

// Accepts TCP connections and never says a word (holds them open until destroyed).
class SilentServer
{
public:
    bool listen();
    quint16 port() const { return m_server.serverPort(); }
    int accepted() const { return int(m_sockets.size()); }

private:
    QTcpServer m_server;
    QList<QPointer<QTcpSocket>> m_sockets;
};

// A plain-HTTP server: answers the first bytes it receives with an HTTP 400 and closes.
class PlainHttpServer
{
public:
    bool listen();
    quint16 port() const { return m_server.serverPort(); }

private:
    QTcpServer m_server;
};

} // namespace opsdeck::test
