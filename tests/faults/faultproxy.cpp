// SPDX-License-Identifier: GPL-3.0-or-later
#include "faultproxy.h"

#include <QHostAddress>
#include <QMutexLocker>
#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>
#include <algorithm>
#include <sys/socket.h>

namespace opsdeck::test {

namespace {

constexpr qint64 HugeChunk = 64 * 1024;
constexpr qint64 HugeHighWater = 256 * 1024; // never more than this queued in the socket
constexpr int ResetDelayMs = 200;            // the client reads the partial body, then the RST
constexpr int TrickleIntervalMs = 1000;

// "Name: value" header lines without any Connection header, plus "Connection: close": every
// connection of the proxy carries one request, so nothing is ever reused behind its back.
QByteArray withConnectionClose(const QByteArray &head)
{
    QList<QByteArray> lines = head.split('\n');
    QByteArray out;
    for (QByteArray line : lines) {
        if (line.endsWith('\r'))
            line.chop(1);
        if (line.isEmpty() || line.toLower().startsWith("connection:"))
            continue;
        out += line + "\r\n";
    }
    out += "Connection: close\r\n\r\n";
    return out;
}

qint64 contentLength(const QByteArray &head)
{
    for (QByteArray line : head.split('\n')) {
        line = line.trimmed();
        if (line.toLower().startsWith("content-length:"))
            return line.mid(15).trimmed().toLongLong();
    }
    return 0;
}

} // namespace

// One client connection on the proxy thread: one request, then the fault (or the relayed answer).
class FaultProxyConnection : public QObject
{
public:
    FaultProxyConnection(FaultProxy *proxy, QTcpSocket *client, QObject *parent)
        : QObject(parent)
        , m_proxy(proxy)
        , m_client(client)
    {
        client->setParent(this);
        connect(client, &QTcpSocket::readyRead, this, [this] { onClientData(); });
        connect(client, &QTcpSocket::disconnected, this, [this] { done(); });
        connect(client, &QTcpSocket::bytesWritten, this, [this](qint64 n) { onWritten(n); });
        m_trickle.setInterval(TrickleIntervalMs);
        connect(&m_trickle, &QTimer::timeout, this, [this] { trickleOne(); });
    }

private:
    void done()
    {
        if (m_finished)
            return;
        m_finished = true;
        m_trickle.stop();
        --m_proxy->m_open;
        deleteLater();
    }

    void onClientData()
    {
        m_in += m_client->readAll();
        if (m_busy)
            return;
        const qsizetype end = m_in.indexOf("\r\n\r\n");
        if (end < 0)
            return;
        const QByteArray head = m_in.left(end + 2);
        const qint64 length = contentLength(head);
        if (m_in.size() < end + 4 + length)
            return;
        const QByteArray body = m_in.mid(end + 4, length);
        m_in.remove(0, end + 4 + length);
        m_busy = true;

        const QByteArray requestLine = head.left(head.indexOf("\r\n"));
        const QList<QByteArray> parts = requestLine.split(' ');
        const QByteArray method = parts.value(0);
        const QString path = QString::fromLatin1(parts.value(1));
        m_fault = m_proxy->faultFor(method, path);

        switch (m_fault) {
        case ProxyFault::NeverAnswer:
            return; // the connection stays open and silent until the client gives up
        case ProxyFault::ServiceUnavailable: {
            const QByteArray json =
                "{\"errors\":[\"org.apache.flink.runtime.rest.handler.RestHandlerException: "
                "Service temporarily unavailable due to an ongoing leader election. Please "
                "refresh.\"]}";
            m_client->write("HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json; "
                            "charset=UTF-8\r\nContent-Length: " +
                            QByteArray::number(json.size()) + "\r\nConnection: close\r\n\r\n" +
                            json);
            m_client->disconnectFromHost();
            return;
        }
        case ProxyFault::HugeBody:
            m_hugeLeft = m_proxy->m_hugeBytes.load();
            m_client->write("HTTP/1.1 200 OK\r\nContent-Type: application/json; "
                            "charset=UTF-8\r\nConnection: close\r\n\r\n");
            pumpHuge();
            return;
        default:
            break;
        }
        forward(withConnectionClose(head) + body);
    }

    void forward(const QByteArray &request)
    {
        m_upstream = new QTcpSocket(this);
        connect(m_upstream, &QTcpSocket::connected, this,
                [this, request] { m_upstream->write(request); });
        connect(m_upstream, &QTcpSocket::readyRead, this, [this] { onUpstreamData(false); });
        connect(m_upstream, &QTcpSocket::disconnected, this, [this] { onUpstreamData(true); });
        connect(m_upstream, &QTcpSocket::errorOccurred, this, [this](QAbstractSocket::SocketError) {
            if (!m_answered && m_upstream->state() != QAbstractSocket::ConnectedState)
                onUpstreamData(true);
        });
        m_upstream->connectToHost(QHostAddress::LocalHost, quint16(m_proxy->m_upstream.port()));
    }

    void onUpstreamData(bool closed)
    {
        if (m_answered)
            return;
        m_response += m_upstream->readAll();
        const qsizetype end = m_response.indexOf("\r\n\r\n");
        if (end < 0 && !closed)
            return;
        if (end >= 0 && m_response.size() < end + 4 + contentLength(m_response.left(end + 2)) &&
            !closed)
            return;
        m_answered = true;
        m_upstream->abort();
        const QByteArray head = end >= 0 ? m_response.left(end + 2) : QByteArray();
        const QByteArray body = end >= 0 ? m_response.mid(end + 4) : QByteArray();
        const QByteArray rewritten = head.isEmpty() ? QByteArray() : withConnectionClose(head);
        switch (m_fault) {
        case ProxyFault::ResetMidBody:
            m_client->write(rewritten + body.left(body.size() / 2));
            m_resetPending = true;
            onWritten(0);
            return;
        case ProxyFault::Trickle:
            // The headers at once, the body one byte per second: every byte restarts a per-read
            // timeout, only an overall deadline ends it.
            m_client->write(rewritten);
            m_trickleBytes = body;
            trickleOne();
            m_trickle.start();
            return;
        case ProxyFault::CloseWithoutAnswer:
            m_client->disconnectFromHost();
            return;
        default:
            m_client->write(rewritten + body);
            m_client->disconnectFromHost();
            return;
        }
    }

    void onWritten(qint64 n)
    {
        if (m_hugeLeft >= 0 && m_fault == ProxyFault::HugeBody) {
            m_proxy->m_hugeWritten += n;
            pumpHuge();
        }
        if (m_resetPending && m_client->bytesToWrite() == 0) {
            m_resetPending = false;
            QPointer<QTcpSocket> client(m_client);
            QTimer::singleShot(ResetDelayMs, this, [client] {
                if (!client || client->state() != QAbstractSocket::ConnectedState)
                    return;
                const linger hard{1, 0};
                ::setsockopt(int(client->socketDescriptor()), SOL_SOCKET, SO_LINGER, &hard,
                             sizeof hard);
                client->abort(); // close() with SO_LINGER 0: an RST, not a FIN
            });
        }
    }

    void pumpHuge()
    {
        if (m_client->state() != QAbstractSocket::ConnectedState)
            return;
        while (m_hugeLeft > 0 && m_client->bytesToWrite() < HugeHighWater) {
            QByteArray chunk;
            if (!m_hugeStarted) {
                chunk = "{\"jobs\":[";
                m_hugeStarted = true;
            }
            chunk += QByteArray(int(std::min(HugeChunk, m_hugeLeft)) - int(chunk.size()), ' ');
            m_hugeLeft -= chunk.size();
            m_client->write(chunk);
        }
        if (m_hugeLeft <= 0 && !m_hugeClosed) {
            m_hugeClosed = true;
            m_client->write("]}");
            m_client->disconnectFromHost();
        }
    }

    void trickleOne()
    {
        if (m_client->state() != QAbstractSocket::ConnectedState || m_trickleBytes.isEmpty()) {
            m_trickle.stop();
            if (m_trickleBytes.isEmpty())
                m_client->disconnectFromHost();
            return;
        }
        m_client->write(m_trickleBytes.left(1));
        m_trickleBytes.remove(0, 1);
    }

    FaultProxy *m_proxy;
    QTcpSocket *m_client;
    QTcpSocket *m_upstream = nullptr;
    QByteArray m_in;
    QByteArray m_response;
    QByteArray m_trickleBytes;
    QTimer m_trickle;
    ProxyFault m_fault = ProxyFault::Pass;
    qint64 m_hugeLeft = -1;
    bool m_hugeStarted = false;
    bool m_hugeClosed = false;
    bool m_busy = false;
    bool m_answered = false;
    bool m_resetPending = false;
    bool m_finished = false;
};

FaultProxy::FaultProxy(QUrl upstream, QObject *parent)
    : QThread(parent)
    , m_upstream(std::move(upstream))
{}

FaultProxy::~FaultProxy()
{
    quit();
    wait();
}

bool FaultProxy::startListening()
{
    start();
    if (!m_started.tryAcquire(1, 10000))
        return false;
    return !m_failed.load();
}

QUrl FaultProxy::url(const QString &scheme) const
{
    QUrl u;
    u.setScheme(scheme);
    u.setHost(QStringLiteral("127.0.0.1"));
    u.setPort(port());
    return u;
}

void FaultProxy::setFault(ProxyFault fault, const QByteArray &method, const QString &pathPart,
                          int times)
{
    QMutexLocker lock(&m_mutex);
    m_fault = fault;
    m_faultMethod = method;
    m_faultPath = pathPart;
    m_faultTimes = times;
}

ProxyFault FaultProxy::faultFor(const QByteArray &method, const QString &path)
{
    QMutexLocker lock(&m_mutex);
    ProxyFault fault = ProxyFault::Pass;
    if (m_fault != ProxyFault::Pass && m_faultTimes != 0 &&
        (m_faultMethod.isEmpty() || m_faultMethod == method) &&
        (m_faultPath.isEmpty() || path.contains(m_faultPath))) {
        fault = m_fault;
        if (m_faultTimes > 0)
            --m_faultTimes;
    }
    m_requests.append({method, path, fault != ProxyFault::Pass});
    return fault;
}

QList<FaultProxy::Request> FaultProxy::requests() const
{
    QMutexLocker lock(&m_mutex);
    return m_requests;
}

int FaultProxy::requestCount(const QByteArray &method, const QString &pathPart) const
{
    QMutexLocker lock(&m_mutex);
    int n = 0;
    for (const Request &r : m_requests)
        n += (method.isEmpty() || r.method == method) && r.path.contains(pathPart) ? 1 : 0;
    return n;
}

quint16 FaultProxy::closedPort()
{
    QTcpServer server;
    if (!server.listen(QHostAddress::LocalHost, 0))
        return 0;
    const quint16 port = server.serverPort();
    server.close();
    return port;
}

void FaultProxy::run()
{
    {
        QTcpServer server;
        if (!server.listen(QHostAddress::LocalHost, 0)) {
            m_failed.store(true);
            m_started.release();
            return;
        }
        m_port.store(server.serverPort());
        QObject::connect(&server, &QTcpServer::newConnection, &server, [this, &server] {
            while (QTcpSocket *socket = server.nextPendingConnection()) {
                ++m_accepted;
                ++m_open;
                if (m_silent.load()) {
                    // Accept and say nothing: a TLS client waits for a ServerHello forever.
                    QObject::connect(socket, &QTcpSocket::disconnected, socket, [this, socket] {
                        --m_open;
                        socket->deleteLater();
                    });
                    continue;
                }
                new FaultProxyConnection(this, socket, &server);
            }
        });
        m_started.release();
        exec();
        // Connections still open (never-answer, silent) are children of the server and die with
        // it, on this thread.
    }
}

} // namespace opsdeck::test
