// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// A misbehaving HTTP proxy for fault-injection tests of the Flink REST client: it listens on
// 127.0.0.1, reads each request in full, counts it, and either forwards it to the upstream (the
// Flink simulator) and relays the answer, or misbehaves: resets the connection half way through
// the answer, never answers, trickles the answer one byte per second, answers 503 with Flink's
// error body, streams a body of 100 MB, or closes without answering. In TLS-stall mode it accepts
// TCP connections and never says a word (no ServerHello). It runs on its own thread, so nothing
// it does shows up as a stall of the test's (GUI) thread, and it never buffers a large body: the
// 100 MB answer is generated chunk by chunk as the socket drains.
//
// No switch in the product is involved: the product only sees a server that behaves badly.

#include <QByteArray>
#include <QList>
#include <QMutex>
#include <QSemaphore>
#include <QString>
#include <QThread>
#include <QUrl>
#include <atomic>

namespace opsdeck::test {

enum class ProxyFault
{
    Pass,               // forward and relay the answer
    ResetMidBody,       // forward, relay the headers and half the body, then RST (SO_LINGER 0)
    NeverAnswer,        // read the request, never forward it, never answer, keep the connection
    Trickle,            // forward, relay the headers, then the body one byte per second
    ServiceUnavailable, // answer 503 {"errors":[...]} without forwarding
    HugeBody,           // answer 200 application/json with hugeBodyBytes, no Content-Length
    CloseWithoutAnswer, // forward, then close the connection without relaying anything
};

class FaultProxy : public QThread
{
public:
    struct Request
    {
        QByteArray method;
        QString path; // as sent, with the query
        bool faulted = false;
    };

    explicit FaultProxy(QUrl upstream = {}, QObject *parent = nullptr);
    ~FaultProxy() override;

    void setUpstream(const QUrl &upstream) { m_upstream = upstream; } // before startListening()
    // Starts the thread and listens on 127.0.0.1 (any free port). False when it cannot.
    bool startListening();
    quint16 port() const { return m_port.load(); }
    QUrl url(const QString &scheme = QStringLiteral("http")) const;

    // Requests whose method equals `method` (empty: any) and whose path contains `pathPart` (empty:
    // any) get `fault`, the first `times` of them (negative: all); every other request passes.
    void setFault(ProxyFault fault, const QByteArray &method = {}, const QString &pathPart = {},
                  int times = -1);
    void clearFault() { setFault(ProxyFault::Pass); }
    // TLS stall: every connection is accepted and left silent (no byte read or written).
    void setSilentAccept(bool on) { m_silent.store(on); }
    void setHugeBodyBytes(qint64 bytes) { m_hugeBytes.store(bytes); }

    // Complete requests that reached the proxy (the ones a server would have acted on).
    QList<Request> requests() const;
    int requestCount(const QByteArray &method, const QString &pathPart = {}) const;
    int connectionsAccepted() const { return m_accepted.load(); }
    int connectionsOpen() const { return m_open.load(); }
    // Body bytes of HugeBody answers written to sockets (what the client accepted before it quit).
    qint64 hugeBytesWritten() const { return m_hugeWritten.load(); }

    // A loopback port nobody listens on (connection refused).
    static quint16 closedPort();

protected:
    void run() override;

private:
    friend class FaultProxyConnection;
    // Called on the proxy thread for each complete request: the fault to apply (Pass when none).
    ProxyFault faultFor(const QByteArray &method, const QString &path);

    QUrl m_upstream;
    std::atomic<quint16> m_port{0};
    std::atomic<bool> m_silent{false};
    std::atomic<qint64> m_hugeBytes{100LL * 1024 * 1024};
    std::atomic<qint64> m_hugeWritten{0};
    std::atomic<int> m_accepted{0};
    std::atomic<int> m_open{0};
    std::atomic<bool> m_failed{false};
    QSemaphore m_started;

    mutable QMutex m_mutex;
    ProxyFault m_fault = ProxyFault::Pass;
    QByteArray m_faultMethod;
    QString m_faultPath;
    int m_faultTimes = -1;
    QList<Request> m_requests;
};

} // namespace opsdeck::test
