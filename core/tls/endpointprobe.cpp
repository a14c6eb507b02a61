// SPDX-License-Identifier: GPL-3.0-or-later
#include "endpointprobe.h"

#include "inspector.h"
#include "tlsjson.h"

#include <QCryptographicHash>
#include <QElapsedTimer>
#include <QFile>
#include <QHostAddress>
#include <QJsonArray>
#include <QPointer>
#include <QSslCertificate>
#include <QSslCipher>
#include <QSslConfiguration>
#include <QSslSocket>
#include <QTimer>
#include <memory>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>
#include <utility>

namespace opsdeck::tls {

namespace {

// ---- OpenSSL verification against the given anchors only (never the system store) ----------

struct X509Free
{
    void operator()(X509 *p) const { X509_free(p); }
};
struct StoreFree
{
    void operator()(X509_STORE *p) const { X509_STORE_free(p); }
};
struct StoreCtxFree
{
    void operator()(X509_STORE_CTX *p) const { X509_STORE_CTX_free(p); }
};
struct StackFree
{
    void operator()(STACK_OF(X509) * p) const { sk_X509_pop_free(p, X509_free); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;

X509Ptr fromDer(const QByteArray &der)
{
    const auto *p = reinterpret_cast<const unsigned char *>(der.constData());
    return X509Ptr(d2i_X509(nullptr, &p, long(der.size())));
}

Problem problemForVerifyError(int code)
{
    switch (code) {
    case X509_V_ERR_CERT_HAS_EXPIRED:
        return Problem::Expired;
    case X509_V_ERR_CERT_NOT_YET_VALID:
        return Problem::NotYetValid;
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH:
        return Problem::HostnameMismatch;
    default:
        return Problem::UntrustedChain;
    }
}

QString rfc2253(const X509_NAME *name)
{
    BIO *bio = BIO_new(BIO_s_mem());
    if (!bio)
        return {};
    QString text;
    if (X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253) >= 0) {
        char *data = nullptr;
        const long size = BIO_get_mem_data(bio, &data);
        if (data && size > 0)
            text = QString::fromUtf8(data, qsizetype(size));
    }
    BIO_free(bio);
    return text;
}

struct VerifyCollector
{
    QList<QPair<int, int>> seen; // (error, depth)
    QStringList errors;
    QList<Problem> problems;
};

int collectingVerifyCallback(int ok, X509_STORE_CTX *ctx)
{
    if (ok)
        return 1;
    auto *collector = static_cast<VerifyCollector *>(X509_STORE_CTX_get_ex_data(ctx, 0));
    const int code = X509_STORE_CTX_get_error(ctx);
    const int depth = X509_STORE_CTX_get_error_depth(ctx);
    if (collector && !collector->seen.contains(qMakePair(code, depth))) {
        collector->seen.append(qMakePair(code, depth));
        const Problem problem = problemForVerifyError(code);
        QString subject;
        if (X509 *cert = X509_STORE_CTX_get_current_cert(ctx))
            subject = rfc2253(X509_get_subject_name(cert));
        QString text = QString::fromUtf8(X509_verify_cert_error_string(code));
        if (!subject.isEmpty() && problem != Problem::HostnameMismatch)
            text += QStringLiteral(" (depth %1, %2)").arg(depth).arg(subject);
        collector->errors.append(problemCode(problem) + QStringLiteral(": ") + text);
        if (!collector->problems.contains(problem))
            collector->problems.append(problem);
    }
    return 1; // keep going: report every error, like a browser's certificate viewer
}

void verifyServedChain(ProbeResult &result, const QList<QByteArray> &anchorsDer,
                       const QString &hostname)
{
    result.verifiedHostname = hostname;
    std::unique_ptr<X509_STORE, StoreFree> store(X509_STORE_new());
    std::unique_ptr<STACK_OF(X509), StackFree> untrusted(sk_X509_new_null());
    std::unique_ptr<X509_STORE_CTX, StoreCtxFree> ctx(X509_STORE_CTX_new());
    if (!store || !untrusted || !ctx) {
        result.verifyReason = QStringLiteral("out of memory while verifying");
        ERR_clear_error();
        return;
    }
    for (const QByteArray &der : anchorsDer) {
        X509Ptr anchor = fromDer(der);
        if (anchor)
            X509_STORE_add_cert(store.get(), anchor.get()); // takes its own reference
    }
    X509Ptr leaf = fromDer(result.chain.first().der);
    if (!leaf) {
        result.verifyReason = QStringLiteral("the served leaf certificate does not decode");
        result.verifyErrors << result.verifyReason;
        result.verifyProblems << Problem::Parse;
        ERR_clear_error();
        return;
    }
    for (qsizetype i = 1; i < result.chain.size(); ++i) {
        X509Ptr extra = fromDer(result.chain.at(i).der);
        if (extra && sk_X509_push(untrusted.get(), extra.get()) > 0)
            extra.release();
    }
    if (X509_STORE_CTX_init(ctx.get(), store.get(), leaf.get(), untrusted.get()) != 1) {
        result.verifyReason = QStringLiteral("cannot set up verification");
        ERR_clear_error();
        return;
    }
    X509_STORE_CTX_set_purpose(ctx.get(), X509_PURPOSE_SSL_SERVER);
    X509_VERIFY_PARAM *param = X509_STORE_CTX_get0_param(ctx.get());
    if (!hostname.isEmpty()) {
        const QByteArray name = hostname.toUtf8();
        if (QHostAddress address; address.setAddress(hostname))
            X509_VERIFY_PARAM_set1_ip_asc(param, name.constData());
        else
            X509_VERIFY_PARAM_set1_host(param, name.constData(), size_t(name.size()));
    }
    VerifyCollector collector;
    X509_STORE_CTX_set_ex_data(ctx.get(), 0, &collector);
    X509_STORE_CTX_set_verify_cb(ctx.get(), collectingVerifyCallback);
    const int rc = X509_verify_cert(ctx.get());
    ERR_clear_error();
    result.verifyErrors = collector.errors;
    result.verifyProblems = collector.problems;
    result.verified = rc == 1 && collector.errors.isEmpty();
    if (!result.verified && collector.errors.isEmpty()) {
        result.verifyErrors << problemCode(Problem::UntrustedChain) + QStringLiteral(": ") +
                                   QString::fromUtf8(X509_verify_cert_error_string(
                                       X509_STORE_CTX_get_error(ctx.get())));
        result.verifyProblems << Problem::UntrustedChain;
    }
    result.verifyReason = result.verified ? QString() : result.verifyErrors.value(0);
}

// ---- Served chain -> CertificateInfo ---------------------------------------------------------

QString sha256OfDer(const QByteArray &der)
{
    return QString::fromLatin1(QCryptographicHash::hash(der, QCryptographicHash::Sha256).toHex());
}

CertificateInfo infoFromServed(const QSslCertificate &cert, int index)
{
    const QByteArray der = cert.toDer();
    const FileInspection inspected =
        inspectBytes(QStringLiteral("served[%1]").arg(index), der, InspectOptions{});
    CertificateInfo info;
    if (!inspected.certificates.isEmpty()) {
        info = inspected.certificates.first();
    } else {
        // The inspector could not decode it: keep what Qt knows, so the chain is still shown.
        info.subject = cert.subjectDisplayName();
        info.issuer = cert.issuerDisplayName();
        info.notBefore = cert.effectiveDate().toUTC();
        info.notAfter = cert.expiryDate().toUTC();
        info.serialHex = QString::fromLatin1(cert.serialNumber()).remove(QLatin1Char(':'));
        info.selfSigned = cert.isSelfSigned();
    }
    if (info.der.isEmpty())
        info.der = der;
    if (info.sha256.isEmpty())
        info.sha256 = sha256OfDer(der);
    return info;
}

QString protocolName(const QSslSocket &socket)
{
    switch (socket.sessionProtocol()) {
    case QSsl::TlsV1_3:
        return QStringLiteral("TLSv1.3");
    case QSsl::TlsV1_2:
        return QStringLiteral("TLSv1.2");
    default:
        break;
    }
    const QString fromCipher = socket.sessionCipher().protocolString();
    return fromCipher.isEmpty() ? QStringLiteral("unknown") : fromCipher;
}

// Bytes that are not TLS make OpenSSL fail the record layer with one of these reasons.
bool looksLikeNotTls(const QString &message)
{
    static const char *const markers[] = {"wrong version number", "packet length too long",
                                          "http request",         "https proxy request",
                                          "unknown protocol",     "record layer failure",
                                          "record_layer_failure", "invalid record"};
    for (const char *marker : markers)
        if (message.contains(QLatin1String(marker), Qt::CaseInsensitive))
            return true;
    return false;
}

// Reads a CA file (PEM with one or more certificates, or one DER certificate) as DER list.
bool readAnchors(const QString &path, QList<QByteArray> *anchors, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read CA file %1: %2").arg(path, file.errorString());
        return false;
    }
    const QByteArray bytes = file.read(MaxInspectedFileSize + 1);
    if (bytes.size() > MaxInspectedFileSize) {
        *error = QStringLiteral("CA file %1 is larger than %2 bytes")
                     .arg(path)
                     .arg(MaxInspectedFileSize);
        return false;
    }
    QList<QSslCertificate> certs;
    if (bytes.contains("-----BEGIN"))
        certs = QSslCertificate::fromData(bytes, QSsl::Pem);
    else if (!bytes.isEmpty())
        certs = QSslCertificate::fromData(bytes, QSsl::Der);
    for (const QSslCertificate &cert : std::as_const(certs))
        if (!cert.isNull())
            anchors->append(cert.toDer());
    if (anchors->isEmpty()) {
        *error = QStringLiteral("CA file %1 holds no certificate").arg(path);
        return false;
    }
    return true;
}

QString endpointText(const QString &host, quint16 port)
{
    if (host.contains(QLatin1Char(':')))
        return QStringLiteral("[%1]:%2").arg(host).arg(port);
    return QStringLiteral("%1:%2").arg(host).arg(port);
}

} // namespace

// ---- Names and values -------------------------------------------------------------------------

QString probeErrorKindName(ProbeErrorKind kind)
{
    switch (kind) {
    case ProbeErrorKind::None:
        return QStringLiteral("none");
    case ProbeErrorKind::InvalidRequest:
        return QStringLiteral("invalid_request");
    case ProbeErrorKind::Dns:
        return QStringLiteral("dns");
    case ProbeErrorKind::Refused:
        return QStringLiteral("refused");
    case ProbeErrorKind::Timeout:
        return QStringLiteral("timeout");
    case ProbeErrorKind::Closed:
        return QStringLiteral("closed");
    case ProbeErrorKind::NotTls:
        return QStringLiteral("not_tls");
    case ProbeErrorKind::TlsHandshake:
        return QStringLiteral("tls_handshake");
    case ProbeErrorKind::Network:
        return QStringLiteral("network");
    case ProbeErrorKind::Aborted:
        return QStringLiteral("aborted");
    }
    return QStringLiteral("network");
}

QString ProbeRequest::endpoint() const
{
    return endpointText(host, port);
}

QJsonObject ProbeResult::toJson(const QDateTime &now) const
{
    QJsonArray certs;
    for (const CertificateInfo &c : chain)
        certs.append(tls::toJson(c, now));
    QJsonArray problems;
    for (Problem p : verifyProblems)
        problems.append(problemCode(p));
    QJsonObject o{{QStringLiteral("id"), QString::number(id)},
                  {QStringLiteral("endpoint"), endpoint},
                  {QStringLiteral("server_name"), serverName},
                  {QStringLiteral("ok"), ok()},
                  {QStringLiteral("error"), probeErrorKindName(error)},
                  {QStringLiteral("protocol"), protocol},
                  {QStringLiteral("cipher"), cipher},
                  {QStringLiteral("connect_ms"), connectMs},
                  {QStringLiteral("handshake_ms"), handshakeMs},
                  {QStringLiteral("leaf_sha256"), leafSha256},
                  {QStringLiteral("verified"), verified},
                  {QStringLiteral("verify_reason"), verifyReason},
                  {QStringLiteral("verify_errors"), QJsonArray::fromStringList(verifyErrors)},
                  {QStringLiteral("verify_problems"), problems},
                  {QStringLiteral("verified_hostname"), verifiedHostname},
                  {QStringLiteral("chain"), certs},
                  {QStringLiteral("probed_at"), isoUtc(probedAt)}};
    if (!errorMessage.isEmpty())
        o.insert(QStringLiteral("error_message"), errorMessage);
    if (!peerAddress.isEmpty())
        o.insert(QStringLiteral("peer_address"), peerAddress);
    return o;
}

QString diskMatchName(DiskMatch match)
{
    switch (match) {
    case DiskMatch::Unknown:
        return QStringLiteral("unknown");
    case DiskMatch::Matches:
        return QStringLiteral("matches");
    case DiskMatch::NotReloaded:
        return QStringLiteral("not_reloaded");
    case DiskMatch::Differs:
        return QStringLiteral("differs");
    }
    return QStringLiteral("unknown");
}

DiskComparison compareWithDisk(const ProbeResult &result, const QString &diskLeafSha256)
{
    DiskComparison c;
    c.servedSha256 = result.leafSha256;
    c.diskSha256 = diskLeafSha256.toLower();
    if (!result.ok() || result.leafSha256.isEmpty()) {
        c.message = QStringLiteral("no served certificate to compare (%1)")
                        .arg(result.errorMessage.isEmpty() ? probeErrorKindName(result.error)
                                                           : result.errorMessage);
        return c;
    }
    if (c.diskSha256.isEmpty()) {
        c.message = QStringLiteral("no certificate on disk to compare with");
        return c;
    }
    if (c.servedSha256 == c.diskSha256) {
        c.match = DiskMatch::Matches;
        c.matchesDisk = true;
        c.message = QStringLiteral("served certificate matches disk");
    } else {
        c.match = DiskMatch::Differs;
        c.matchesDisk = false;
        c.message = QStringLiteral("served certificate differs from disk");
    }
    return c;
}

DiskComparison compareWithDisk(const ProbeResult &result, const CertificateInfo &diskLeaf)
{
    DiskComparison c = compareWithDisk(result, diskLeaf.sha256);
    if (c.match != DiskMatch::Differs)
        return c;
    const CertificateInfo *served = result.leaf();
    // The disk leaf is the newer one when it was issued later; certificates issued within the
    // same second (notBefore has second precision) are ordered by their notAfter.
    const bool diskIsNewer =
        served && served->notBefore.isValid() && diskLeaf.notBefore.isValid() &&
        (diskLeaf.notBefore > served->notBefore ||
         (diskLeaf.notBefore == served->notBefore && diskLeaf.notAfter > served->notAfter));
    if (diskIsNewer) {
        c.match = DiskMatch::NotReloaded;
        c.message = QStringLiteral("rotated on disk, not reloaded by the service");
    }
    return c;
}

// ---- One probe ----------------------------------------------------------------------------------

class EndpointProber::Job : public QObject
{
public:
    Job(EndpointProber *prober, ProbeRequest request)
        : QObject(prober)
        , m_prober(prober)
        , m_request(std::move(request))
    {}

    quint64 id() const { return m_request.id; }

    void start()
    {
        m_clock.start();
        m_result.id = m_request.id;
        m_result.host = m_request.host;
        m_result.port = m_request.port;
        m_result.endpoint = m_request.endpoint();
        m_result.probedAt = QDateTime::currentDateTimeUtc();

        if (m_request.host.isEmpty() || m_request.port == 0) {
            failLater(ProbeErrorKind::InvalidRequest,
                      QStringLiteral("a host and a port from 1 to 65535 are required"));
            return;
        }
        m_anchors = m_request.caCertificatesDer;
        if (!m_request.caFile.isEmpty()) {
            QString error;
            if (!readAnchors(m_request.caFile, &m_anchors, &error)) {
                failLater(ProbeErrorKind::InvalidRequest, error);
                return;
            }
        }

        const bool hostIsAddress =
            QHostAddress(m_request.host).protocol() != QAbstractSocket::UnknownNetworkLayerProtocol;
        const QString peerName =
            m_request.serverName.isEmpty() ? m_request.host : m_request.serverName;
        // Qt sends SNI for the peer name unless it is an IP address.
        if (!m_request.serverName.isEmpty() || !hostIsAddress)
            m_result.serverName =
                QHostAddress(peerName).protocol() == QAbstractSocket::UnknownNetworkLayerProtocol
                    ? peerName
                    : QString();

        m_socket = new QSslSocket(this);
        QSslConfiguration config = QSslConfiguration::defaultConfiguration();
        // Collect whatever is served; verification is done afterwards against the given anchors.
        config.setPeerVerifyMode(QSslSocket::VerifyNone);
        config.setCaCertificates({});
        m_socket->setSslConfiguration(config);

        connect(m_socket, &QAbstractSocket::connected, this, [this] {
            m_result.connectMs = m_clock.elapsed();
            m_result.peerAddress = m_socket->peerAddress().toString();
        });
        connect(m_socket, &QSslSocket::encrypted, this, [this] { onEncrypted(); });
        connect(m_socket, &QAbstractSocket::errorOccurred, this,
                [this](QAbstractSocket::SocketError error) { onError(error); });
        connect(m_socket, &QAbstractSocket::disconnected, this, [this] {
            if (!m_done)
                fail(ProbeErrorKind::Closed,
                     QStringLiteral("the peer closed the connection during the TLS handshake"));
        });

        const int timeoutMs = m_request.timeoutMs > 0 ? m_request.timeoutMs : DefaultProbeTimeoutMs;
        m_timer.setSingleShot(true);
        connect(&m_timer, &QTimer::timeout, this, [this, timeoutMs] {
            if (m_result.connectMs >= 0)
                fail(ProbeErrorKind::Timeout,
                     QStringLiteral("TCP connected after %1 ms, but no TLS handshake within %2 ms "
                                    "(the peer does not answer the ClientHello)")
                         .arg(m_result.connectMs)
                         .arg(timeoutMs));
            else
                fail(ProbeErrorKind::Timeout,
                     QStringLiteral("no TCP connection within %1 ms").arg(timeoutMs));
        });
        m_timer.start(timeoutMs);
        m_socket->connectToHostEncrypted(m_request.host, m_request.port, peerName);
    }

    // Stops without reporting (the prober is going away).
    void cancelSilently()
    {
        m_done = true;
        m_timer.stop();
        if (m_socket) {
            m_socket->disconnect(this);
            m_socket->abort();
        }
    }

    void abort() { fail(ProbeErrorKind::Aborted, QStringLiteral("the probe was aborted")); }

private:
    void onEncrypted()
    {
        if (m_done)
            return;
        m_result.handshakeMs = m_clock.elapsed();
        const QList<QSslCertificate> served = m_socket->peerCertificateChain();
        for (int i = 0; i < served.size(); ++i)
            m_result.chain.append(infoFromServed(served.at(i), i));
        if (m_result.chain.isEmpty()) {
            fail(ProbeErrorKind::TlsHandshake,
                 QStringLiteral("the handshake completed but the peer sent no certificate"));
            return;
        }
        m_result.leafSha256 = sha256OfDer(m_result.chain.first().der);
        m_result.protocol = protocolName(*m_socket);
        m_result.cipher = m_socket->sessionCipher().name();
        if (m_anchors.isEmpty()) {
            m_result.verified = false;
            m_result.verifyReason = QStringLiteral("no CA given");
        } else {
            QString hostname = m_request.verifyHostname;
            if (hostname.isEmpty())
                hostname = m_request.serverName.isEmpty() ? m_request.host : m_request.serverName;
            verifyServedChain(m_result, m_anchors, hostname);
        }
        finish();
    }

    void onError(QAbstractSocket::SocketError error)
    {
        if (m_done)
            return;
        const QString text = m_socket->errorString();
        switch (error) {
        case QAbstractSocket::HostNotFoundError:
            fail(ProbeErrorKind::Dns,
                 QStringLiteral("host %1 not found: %2").arg(m_request.host, text));
            return;
        case QAbstractSocket::ConnectionRefusedError:
            fail(ProbeErrorKind::Refused,
                 QStringLiteral("connection to %1 refused").arg(m_result.endpoint));
            return;
        case QAbstractSocket::SocketTimeoutError:
            fail(ProbeErrorKind::Timeout, text);
            return;
        case QAbstractSocket::RemoteHostClosedError:
            if (looksLikeNotTls(text))
                fail(ProbeErrorKind::NotTls,
                     QStringLiteral("the peer does not speak TLS (%1)").arg(text));
            else
                fail(ProbeErrorKind::Closed,
                     QStringLiteral("the peer closed the connection during the TLS handshake"));
            return;
        case QAbstractSocket::SslHandshakeFailedError:
        case QAbstractSocket::SslInternalError:
        case QAbstractSocket::SslInvalidUserDataError:
            if (looksLikeNotTls(text))
                fail(ProbeErrorKind::NotTls,
                     QStringLiteral("the peer does not speak TLS (%1)").arg(text));
            else
                fail(ProbeErrorKind::TlsHandshake,
                     QStringLiteral("TLS handshake failed: %1").arg(text));
            return;
        default:
            fail(ProbeErrorKind::Network, text);
            return;
        }
    }

    void fail(ProbeErrorKind kind, const QString &message)
    {
        if (m_done)
            return;
        m_result.error = kind;
        m_result.errorMessage = message;
        m_result.chain.clear();
        m_result.leafSha256.clear();
        finish();
    }

    // Failures found before any I/O are still reported from the event loop.
    void failLater(ProbeErrorKind kind, const QString &message)
    {
        QTimer::singleShot(0, this, [this, kind, message] { fail(kind, message); });
    }

    void finish()
    {
        m_done = true;
        m_timer.stop();
        if (m_socket) {
            m_socket->disconnect(this);
            m_socket->abort();
        }
        m_prober->jobDone(this, m_result);
    }

    EndpointProber *m_prober;
    ProbeRequest m_request;
    ProbeResult m_result;
    QList<QByteArray> m_anchors;
    QSslSocket *m_socket = nullptr;
    QTimer m_timer;
    QElapsedTimer m_clock;
    bool m_done = false;
};

// ---- The prober ---------------------------------------------------------------------------------

EndpointProber::EndpointProber(QObject *parent)
    : QObject(parent)
{
    qRegisterMetaType<ProbeResult>();
    qRegisterMetaType<ProbeRequest>();
}

EndpointProber::~EndpointProber()
{
    m_queue.clear();
    const QList<Job *> running = m_running;
    m_running.clear();
    for (Job *job : running) {
        job->cancelSilently();
        delete job;
    }
}

void EndpointProber::setMaxInFlight(int max)
{
    m_maxInFlight = qMax(1, max);
    QTimer::singleShot(0, this, [this] { startQueued(); });
}

quint64 EndpointProber::probe(ProbeRequest request)
{
    if (request.id == 0)
        request.id = m_nextId++;
    const quint64 id = request.id;
    m_queue.enqueue(std::move(request));
    QTimer::singleShot(0, this, [this] { startQueued(); });
    return id;
}

void EndpointProber::abortAll()
{
    const QQueue<ProbeRequest> waiting = std::exchange(m_queue, {});
    QPointer<EndpointProber> self(this);
    for (const ProbeRequest &request : waiting) {
        ProbeResult r;
        r.id = request.id;
        r.host = request.host;
        r.port = request.port;
        r.endpoint = request.endpoint();
        r.probedAt = QDateTime::currentDateTimeUtc();
        r.error = ProbeErrorKind::Aborted;
        r.errorMessage = QStringLiteral("the probe was aborted before it started");
        Q_EMIT finished(r);
        if (!self)
            return;
    }
    const QList<Job *> running = m_running;
    for (Job *job : running) {
        if (!self)
            return;
        if (m_running.contains(job))
            job->abort();
    }
}

void EndpointProber::startQueued()
{
    while (m_running.size() < m_maxInFlight && !m_queue.isEmpty()) {
        auto *job = new Job(this, m_queue.dequeue());
        m_running.append(job);
        job->start(); // never reports synchronously
        Q_EMIT started(job->id());
    }
}

void EndpointProber::jobDone(Job *job, const ProbeResult &result)
{
    m_running.removeOne(job);
    job->deleteLater();
    QPointer<EndpointProber> self(this);
    Q_EMIT finished(result);
    if (!self)
        return;
    startQueued();
    if (m_running.isEmpty() && m_queue.isEmpty())
        Q_EMIT idle();
}

ReloadEvent servedEvent(const QString &bundle, const ProbeResult &result,
                        const std::optional<CertificateInfo> &diskLeaf)
{
    ReloadEvent e;
    e.kind = ReloadEventKind::Served;
    e.ts = QDateTime::currentDateTimeUtc();
    e.bundle = bundle;
    e.endpoint = result.endpoint;
    if (!result.ok()) {
        e.reason = probeErrorKindName(result.error);
        e.detail = QStringLiteral("probe failed: %1").arg(result.errorMessage);
        return e;
    }
    const DiskComparison cmp =
        diskLeaf ? compareWithDisk(result, *diskLeaf) : compareWithDisk(result, QString());
    e.fingerprint = result.leafSha256;
    e.matchesDisk = cmp.matchesDisk;
    e.detail = cmp.message;
    return e;
}

} // namespace opsdeck::tls
