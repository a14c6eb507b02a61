// SPDX-License-Identifier: GPL-3.0-or-later
#include "restclient.h"

#include <QCryptographicHash>
#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QJsonParseError>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QRegularExpression>
#include <QSslKey>
#include <QTimer>
#include <algorithm>
#include <cstring>

namespace opsdeck::jobs {

namespace {

// The body of a POST or PATCH as a device that can be read once and never rewound. Qt's HTTP
// layer silently sends a request again when the server closes the connection after reading it
// without answering; it can only do that by rewinding the body. This device refuses, so Qt fails
// the request (ContentReSendError) instead of repeating a non-idempotent statement.
class OneShotBody : public QIODevice
{
public:
    OneShotBody(QByteArray data, QObject *parent)
        : QIODevice(parent)
        , m_data(std::move(data))
    {
        open(QIODevice::ReadOnly);
    }
    bool isSequential() const override { return true; }
    qint64 bytesAvailable() const override
    {
        return m_data.size() - m_pos + QIODevice::bytesAvailable();
    }

protected:
    qint64 readData(char *out, qint64 max) override
    {
        const qint64 n = std::min(max, qint64(m_data.size()) - m_pos);
        if (n <= 0)
            return m_pos >= m_data.size() ? -1 : 0;
        std::memcpy(out, m_data.constData() + m_pos, size_t(n));
        m_pos += n;
        return n;
    }
    qint64 writeData(const char *, qint64) override { return -1; }

private:
    QByteArray m_data;
    qint64 m_pos = 0;
};

} // namespace

QString RestError::toString() const
{
    if (httpStatus > 0)
        return QStringLiteral("%1 (HTTP %2): %3").arg(kind).arg(httpStatus).arg(message);
    return QStringLiteral("%1: %2").arg(kind, message);
}

namespace {

Result<QByteArray> readSmallFile(const QString &path, const QString &what)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return makeError(ErrorCode::Io,
                         QStringLiteral("cannot read the %1: %2").arg(what, file.errorString()),
                         path);
    if (file.size() > 4 * 1024 * 1024)
        return makeError(ErrorCode::InvalidArgument,
                         QStringLiteral("the %1 is larger than 4 MiB").arg(what), path);
    return file.readAll();
}

// "AB:cd:..." or "abcd..." (64 hex digits) to 32 bytes.
Result<QByteArray> parsePin(const QString &text)
{
    QString hex = text.trimmed();
    hex.remove(QLatin1Char(':'));
    if (hex.startsWith(QLatin1String("sha256/"), Qt::CaseInsensitive)) {
        const QByteArray raw = QByteArray::fromBase64(hex.mid(7).toLatin1());
        if (raw.size() == 32)
            return raw;
    }
    static const QRegularExpression hex64(QStringLiteral("^[0-9a-fA-F]{64}$"));
    if (!hex64.match(hex).hasMatch())
        return makeError(ErrorCode::InvalidArgument,
                         QStringLiteral("the SHA-256 pin must be 64 hexadecimal digits (colons "
                                        "allowed) or sha256/<base64>"),
                         QStringLiteral("rest.pin_sha256"));
    return QByteArray::fromHex(hex.toLatin1());
}

QString firstLine(const QString &text)
{
    const qsizetype nl = text.indexOf(QLatin1Char('\n'));
    return (nl < 0 ? text : text.left(nl)).trimmed();
}

// "org.apache.flink.runtime.rest.handler.RestHandlerException: Job could not be found." →
// "Job could not be found."
QString stripJavaPrefix(const QString &line)
{
    static const QRegularExpression prefix(
        QStringLiteral("^(?:[a-zA-Z_$][\\w$]*\\.)+[A-Z][\\w$]*(?:Exception|Error|Throwable): "));
    QString out = line;
    // Nested "Caused by"-style prefixes: strip repeatedly.
    for (int i = 0; i < 3; ++i) {
        const auto m = prefix.match(out);
        if (!m.hasMatch())
            break;
        out = out.mid(m.capturedLength());
    }
    return out;
}

QString htmlTitle(const QByteArray &body)
{
    static const QRegularExpression title(QStringLiteral("<title>([^<]{0,200})</title>"),
                                          QRegularExpression::CaseInsensitiveOption);
    const auto m = title.match(QString::fromUtf8(body.left(8192)));
    return m.hasMatch() ? m.captured(1).simplified() : QString();
}

bool looksLikeHtml(const QByteArray &contentType, const QByteArray &body)
{
    if (contentType.toLower().contains("text/html"))
        return true;
    const QByteArray head = body.left(256).trimmed().toLower();
    return head.startsWith("<!doctype html") || head.startsWith("<html");
}

QString kindForStatus(int status)
{
    switch (status) {
    case 400:
        return QStringLiteral("bad_request");
    case 401:
        return QStringLiteral("unauthorized");
    case 403:
        return QStringLiteral("forbidden");
    case 404:
        return QStringLiteral("not_found");
    case 408:
        return QStringLiteral("server_timeout");
    case 409:
        return QStringLiteral("conflict");
    default:
        return status >= 500 ? QStringLiteral("server_error") : QStringLiteral("http_error");
    }
}

RestError tlsError(const QList<QSslError> &errors, const QString &qtMessage, bool haveClientCert)
{
    for (const QSslError &e : errors) {
        switch (e.error()) {
        case QSslError::CertificateExpired:
            return {QStringLiteral("tls_expired"), 0,
                    QStringLiteral("the server's certificate has expired (%1)")
                        .arg(e.certificate().expiryDate().toString(Qt::ISODate)),
                    false};
        case QSslError::HostNameMismatch:
            return {QStringLiteral("tls_hostname_mismatch"), 0,
                    QStringLiteral("the server's certificate does not name this host: %1")
                        .arg(e.errorString()),
                    false};
        case QSslError::UnableToGetLocalIssuerCertificate:
        case QSslError::UnableToGetIssuerCertificate:
        case QSslError::SelfSignedCertificate:
        case QSslError::SelfSignedCertificateInChain:
        case QSslError::UnableToVerifyFirstCertificate:
            return {QStringLiteral("tls_unknown_ca"), 0,
                    QStringLiteral("the server's certificate is not signed by a trusted CA (%1); "
                                   "set rest.ca_file to the CA that issued it")
                        .arg(e.errorString()),
                    false};
        default:
            break;
        }
    }
    if (!errors.isEmpty())
        return {QStringLiteral("tls_verify_failed"), 0,
                QStringLiteral("the server's certificate was refused: %1")
                    .arg(errors.first().errorString()),
                false};
    const QString lower = qtMessage.toLower();
    if (lower.contains(QLatin1String("certificate required")) ||
        (!haveClientCert && lower.contains(QLatin1String("alert handshake failure")) &&
         lower.contains(QLatin1String("certificate"))))
        return {QStringLiteral("tls_client_cert_required"), 0,
                QStringLiteral("the server requires a client certificate (mutual TLS); set "
                               "rest.client_cert and rest.client_key"),
                false};
    if (lower.contains(QLatin1String("no cipher")) || lower.contains(QLatin1String("no shared")) ||
        lower.contains(QLatin1String("unsupported protocol")) ||
        lower.contains(QLatin1String("wrong version")) ||
        lower.contains(QLatin1String("handshake failure")))
        return {QStringLiteral("tls_handshake"), 0,
                QStringLiteral("TLS handshake failed (%1). Flink's default REST TLS offers only "
                               "TLS 1.2 with TLS_RSA_WITH_AES_128_CBC_SHA; if the local crypto "
                               "policy refuses that suite, change security.ssl.algorithms on the "
                               "cluster or allow the suite locally")
                    .arg(qtMessage),
                false};
    return {QStringLiteral("tls_handshake"), 0,
            QStringLiteral("TLS handshake failed: %1").arg(qtMessage), false};
}

} // namespace

RestClient::RestClient(QObject *parent)
    : QObject(parent)
    , m_nam(new QNetworkAccessManager(this))
{
    m_nam->setRedirectPolicy(QNetworkRequest::ManualRedirectPolicy);
}

RestClient::~RestClient() = default;

QString RestClient::endpointLabel() const
{
    return m_base.toString(QUrl::RemoveUserInfo | QUrl::RemoveQuery | QUrl::RemoveFragment |
                           QUrl::StripTrailingSlash);
}

Result<void> RestClient::configure(const RestEndpointConfig &config)
{
    const QUrl url(config.url, QUrl::StrictMode);
    if (!url.isValid() ||
        (url.scheme() != QLatin1String("http") && url.scheme() != QLatin1String("https")) ||
        url.host().isEmpty())
        return makeError(ErrorCode::InvalidArgument,
                         QStringLiteral("the REST endpoint must be http://host:port or "
                                        "https://host:port, not \"%1\"")
                             .arg(url.toString(QUrl::RemoveUserInfo)),
                         QStringLiteral("rest.url"));
    if (!url.userInfo().isEmpty())
        return makeError(ErrorCode::InvalidArgument,
                         QStringLiteral("credentials in the REST URL are not accepted; use "
                                        "rest.token or rest.headers with a secret reference"),
                         QStringLiteral("rest.url"));

    QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
    if (!config.caFile.isEmpty()) {
        auto pem = readSmallFile(config.caFile, QStringLiteral("CA file"));
        if (!pem)
            return pem.error();
        auto cas = QSslCertificate::fromData(pem.value(), QSsl::Pem);
        if (cas.isEmpty())
            cas = QSslCertificate::fromData(pem.value(), QSsl::Der);
        if (cas.isEmpty())
            return makeError(ErrorCode::Parse, QStringLiteral("the CA file holds no certificate"),
                             config.caFile);
        ssl.setCaCertificates(cas);
    }
    bool haveClientCert = false;
    if (!config.clientCertFile.isEmpty()) {
        auto bytes = readSmallFile(config.clientCertFile, QStringLiteral("client certificate"));
        if (!bytes)
            return bytes.error();
        QByteArray password;
        if (config.clientKeyPassword.isSet()) {
            auto secret = config.clientKeyPassword.resolve();
            if (!secret)
                return secret.error();
            password = secret.value();
        }
        const QList<QSslCertificate> pemCerts = QSslCertificate::fromData(bytes.value(), QSsl::Pem);
        if (!pemCerts.isEmpty()) {
            QByteArray keyBytes = bytes.value();
            if (!config.clientKeyFile.isEmpty()) {
                auto key = readSmallFile(config.clientKeyFile, QStringLiteral("client key"));
                if (!key)
                    return key.error();
                keyBytes = key.value();
            }
            QSslKey key(keyBytes, QSsl::Rsa, QSsl::Pem, QSsl::PrivateKey, password);
            if (key.isNull())
                key = QSslKey(keyBytes, QSsl::Ec, QSsl::Pem, QSsl::PrivateKey, password);
            if (key.isNull())
                return makeError(ErrorCode::Parse,
                                 QStringLiteral("no usable private key (PEM, RSA or EC; a wrong "
                                                "password also ends here)"),
                                 config.clientKeyFile.isEmpty() ? config.clientCertFile
                                                                : config.clientKeyFile);
            ssl.setLocalCertificate(pemCerts.first());
            ssl.setPrivateKey(key);
            if (pemCerts.size() > 1)
                ssl.setLocalCertificateChain(pemCerts);
        } else {
            QFile p12(config.clientCertFile);
            if (!p12.open(QIODevice::ReadOnly))
                return makeError(ErrorCode::Io, p12.errorString(), config.clientCertFile);
            QSslKey key;
            QSslCertificate cert;
            QList<QSslCertificate> chain;
            if (!QSslCertificate::importPkcs12(&p12, &key, &cert, &chain, password))
                return makeError(ErrorCode::Parse,
                                 QStringLiteral("not a PEM certificate, and not a PKCS#12 store "
                                                "this password opens"),
                                 config.clientCertFile);
            ssl.setLocalCertificate(cert);
            ssl.setPrivateKey(key);
        }
        haveClientCert = true;
    }
    QByteArray pin;
    if (!config.pinSha256.isEmpty()) {
        auto parsed = parsePin(config.pinSha256);
        if (!parsed)
            return parsed.error();
        pin = parsed.value();
    }
    if (config.insecure)
        ssl.setPeerVerifyMode(QSslSocket::VerifyNone);

    QList<QPair<QByteArray, QByteArray>> headers;
    for (auto it = config.headers.cbegin(); it != config.headers.cend(); ++it) {
        auto value = it.value().resolve();
        if (!value)
            return makeError(value.error().code,
                             QStringLiteral("header %1: %2").arg(it.key(), value.error().message),
                             value.error().where);
        headers.append({it.key().toLatin1(), value.value()});
    }
    if (config.token.isSet()) {
        auto token = config.token.resolve();
        if (!token)
            return makeError(token.error().code,
                             QStringLiteral("REST token: %1").arg(token.error().message),
                             token.error().where);
        headers.append({QByteArrayLiteral("Authorization"), "Bearer " + token.value()});
    }

    m_config = config;
    m_base = url;
    m_ssl = ssl;
    m_pin = pin;
    m_headers = headers;
    m_haveClientCert = haveClientCert;
    return {};
}

void RestClient::get(const QString &path, Callback done)
{
    send(QByteArrayLiteral("GET"), path, {}, std::move(done));
}

void RestClient::post(const QString &path, const QJsonObject &body, Callback done)
{
    send(QByteArrayLiteral("POST"), path, QJsonDocument(body).toJson(QJsonDocument::Compact),
         std::move(done));
}

void RestClient::patch(const QString &path, Callback done)
{
    // Flink reads an empty body as "{}" anyway; a real one lets Qt report when the request left
    // and keeps it from being sent twice (see OneShotBody).
    send(QByteArrayLiteral("PATCH"), path, QByteArrayLiteral("{}"), std::move(done));
}

void RestClient::send(const QByteArray &verb, const QString &path, const QByteArray &body,
                      Callback done)
{
    QUrl url = m_base;
    QString basePath = url.path();
    if (basePath.endsWith(QLatin1Char('/')))
        basePath.chop(1);
    const qsizetype q = path.indexOf(QLatin1Char('?'));
    url.setPath(basePath + (q < 0 ? path : path.left(q)));
    if (q >= 0)
        url.setQuery(path.mid(q + 1));

    QNetworkRequest request(url);
    request.setRawHeader("Accept", "application/json");
    if (!body.isEmpty() || verb != "GET")
        request.setHeader(QNetworkRequest::ContentTypeHeader,
                          QByteArrayLiteral("application/json"));
    for (const auto &[name, value] : m_headers)
        request.setRawHeader(name, value);
    if (url.scheme() == QLatin1String("https"))
        request.setSslConfiguration(m_ssl);
    request.setTransferTimeout(m_config.readTimeoutMs > 0 ? m_config.readTimeoutMs : 0);
    request.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);

    QNetworkReply *reply = nullptr;
    if (body.isEmpty()) {
        // The QByteArray overload, as before: without a device Qt 6.4 reports requestSent for a
        // GET once it is written into a TLS 1.3 stream the server then refuses for want of a
        // client certificate, and that refusal would read as "sent".
        reply = m_nam->sendCustomRequest(request, verb, QByteArray());
    } else {
        // POST and PATCH: never repeated behind our back (see OneShotBody).
        request.setHeader(QNetworkRequest::ContentLengthHeader, body.size());
        request.setAttribute(QNetworkRequest::DoNotBufferUploadDataAttribute, true);
        auto *device = new OneShotBody(body, nullptr);
        reply = m_nam->sendCustomRequest(request, verb, device);
        device->setParent(reply);
    }
    ++m_pending;

    auto state = std::make_shared<ReplyState>();

    const int connectMs = m_config.connectTimeoutMs > 0 ? m_config.connectTimeoutMs : 5000;
    // Qt 6.4 emits requestSent only for a request with a body: a body-less request over plain
    // HTTP (GET, the cancel PATCH) has no moment to stop a connect timer at, and a timer would
    // cut off any answer slower than the connect timeout as "could not connect". Its connect
    // phase is covered by the transfer (read) timeout instead. Over HTTPS the end of the
    // handshake (encrypted) marks the connection.
    const bool https = url.scheme() == QLatin1String("https");
    auto *connectTimer = new QTimer(reply);
    connectTimer->setSingleShot(true);
    connectTimer->setInterval(connectMs);
    connect(connectTimer, &QTimer::timeout, reply, [reply, state] {
        state->timedOut = true;
        reply->abort();
    });
    if (https || !body.isEmpty()) {
        state->connectTimed = true;
        connectTimer->start();
    }
    if (https)
        connect(reply, &QNetworkReply::encrypted, connectTimer,
                [connectTimer] { connectTimer->stop(); });
    // An answer that begins means the request went out, whatever requestSent said.
    connect(reply, &QNetworkReply::metaDataChanged, connectTimer, [reply, connectTimer, state] {
        // Also emitted when a request fails: only a status line means an answer began.
        if (reply->error() == QNetworkReply::NoError &&
            reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() > 0) {
            state->sent = true;
            connectTimer->stop();
        }
    });
    // Qt's transfer timeout restarts with every byte that arrives: a server trickling one byte a
    // second would hold the request for as long as it likes. The whole request gets connect +
    // read timeout, then it is aborted.
    if (m_config.readTimeoutMs > 0) {
        auto *deadline = new QTimer(reply);
        deadline->setSingleShot(true);
        deadline->setInterval(connectMs + m_config.readTimeoutMs);
        connect(deadline, &QTimer::timeout, reply, [reply, state] {
            state->timedOut = true;
            state->deadline = true;
            reply->abort();
        });
        deadline->start();
    }
    connect(reply, &QNetworkReply::requestSent, connectTimer, [connectTimer, state] {
        state->sent = true;
        connectTimer->stop();
    });
    connect(reply, &QNetworkReply::sslErrors, reply,
            [state](const QList<QSslError> &errors) { state->sslErrors = errors; });
    if (!m_pin.isEmpty()) {
        // Emitted after the handshake and before any request bytes are written.
        connect(reply, &QNetworkReply::encrypted, reply, [reply, state, pin = m_pin] {
            const QSslCertificate peer = reply->sslConfiguration().peerCertificate();
            if (QCryptographicHash::hash(peer.toDer(), QCryptographicHash::Sha256) != pin) {
                state->pinFailed = true;
                reply->abort();
            }
        });
    }
    connect(reply, &QNetworkReply::downloadProgress, reply,
            [reply, state, connectTimer, limit = m_maxBodyBytes](qint64 received, qint64 total) {
                if (received > 0 && reply->error() == QNetworkReply::NoError) {
                    state->sent = true;
                    connectTimer->stop();
                }
                if (received > limit || total > limit) {
                    state->tooLarge = true;
                    reply->abort();
                }
            });
    connect(reply, &QNetworkReply::finished, this, [this, reply, state, done = std::move(done)] {
        --m_pending;
        finish(reply, done, *state);
        reply->deleteLater();
    });
}

QString RestClient::flinkErrorMessage(const QByteArray &body)
{
    QJsonParseError parseError{};
    const QJsonDocument doc = QJsonDocument::fromJson(body, &parseError);
    if (parseError.error != QJsonParseError::NoError || !doc.isObject())
        return {};
    const QJsonArray errors = doc.object().value(QLatin1String("errors")).toArray();
    if (errors.isEmpty())
        return {};
    QString message = stripJavaPrefix(firstLine(errors.at(0).toString()));
    if (errors.size() > 1) {
        // The 500 body: "Internal server error." + "<Exception on server side:\n<trace>...".
        QString detail = errors.at(1).toString();
        detail.remove(QStringLiteral("<Exception on server side:"));
        const QStringList lines = detail.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        for (const QString &line : lines) {
            const QString trimmed = line.trimmed();
            if (trimmed.isEmpty() || trimmed.startsWith(QLatin1String("at ")))
                continue;
            message += QLatin1Char(' ') + stripJavaPrefix(trimmed);
            break;
        }
    }
    return message;
}

void RestClient::finish(QNetworkReply *reply, const Callback &done, const ReplyState &state)
{
    const auto &[sent, connectTimed, timedOut, deadline, pinFailed, tooLarge, sslErrors] = state;
    RestResponse response;
    response.httpStatus = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QString where = endpointLabel();
    const auto fail = [&](QString kind, QString message) {
        response.error =
            RestError{std::move(kind), response.httpStatus, std::move(message), state.sent};
        done(response);
    };
    const auto failTls = [&](const QList<QSslError> &errors) {
        RestError e = tlsError(errors, reply->errorString(), m_haveClientCert);
        e.message = QStringLiteral("%1: %2").arg(where, e.message);
        response.error = e;
        done(response);
    };

    if (pinFailed) {
        response.httpStatus = 0;
        fail(QStringLiteral("tls_pin_mismatch"),
             QStringLiteral("the server's certificate does not match the configured SHA-256 pin "
                            "(%1); nothing was sent")
                 .arg(where));
        return;
    }
    if (tooLarge) {
        fail(QStringLiteral("too_large"),
             QStringLiteral("the reply from %1 is larger than the %2 MiB limit")
                 .arg(where)
                 .arg(m_maxBodyBytes / (1024 * 1024)));
        return;
    }
    const QNetworkReply::NetworkError netError = reply->error();
    // Our own aborts are handled above or flagged timedOut; any other cancellation is Qt's
    // transfer timeout (QNetworkRequest::setTransferTimeout aborts the reply).
    if (timedOut || netError == QNetworkReply::TimeoutError ||
        netError == QNetworkReply::OperationCanceledError) {
        const int connectMs = m_config.connectTimeoutMs > 0 ? m_config.connectTimeoutMs : 5000;
        if (timedOut && !deadline && !sent)
            fail(QStringLiteral("timeout"),
                 QStringLiteral("could not connect to %1 within %2 ms%3")
                     .arg(where)
                     .arg(connectMs)
                     .arg(m_base.scheme() == QLatin1String("https")
                              ? QStringLiteral(" (TCP connect and TLS handshake)")
                              : QString()));
        else if (!sent && !connectTimed) {
            // A body-less plain-HTTP request: Qt does not say whether it left, so it may have.
            response.error =
                RestError{QStringLiteral("timeout"), response.httpStatus,
                          QStringLiteral("no complete reply from %1 within %2 ms (the request "
                                         "may have been sent; it may still take effect)")
                              .arg(where)
                              .arg(m_config.readTimeoutMs),
                          true};
            done(response);
        } else if (deadline)
            fail(QStringLiteral("timeout"),
                 QStringLiteral("no complete reply from %1 within %2 ms, the limit for a whole "
                                "request (connect + read timeout; the request was sent; it may "
                                "still take effect)")
                     .arg(where)
                     .arg(connectMs + m_config.readTimeoutMs));
        else
            fail(QStringLiteral("timeout"),
                 QStringLiteral("no complete reply from %1 within %2 ms (the request was sent; "
                                "it may still take effect)")
                     .arg(where)
                     .arg(m_config.readTimeoutMs));
        return;
    }

    const QByteArray body = reply->isOpen() ? reply->readAll() : QByteArray();
    if (response.httpStatus == 0) {
        switch (netError) {
        case QNetworkReply::ConnectionRefusedError:
            fail(QStringLiteral("connection_refused"),
                 QStringLiteral("connection refused by %1 (is the JobManager running and is "
                                "rest.port right?)")
                     .arg(where));
            return;
        case QNetworkReply::HostNotFoundError:
            fail(QStringLiteral("host_not_found"),
                 QStringLiteral("host %1 not found (DNS)").arg(m_base.host()));
            return;
        case QNetworkReply::SslHandshakeFailedError:
            failTls(sslErrors);
            return;
        case QNetworkReply::ContentReSendError:
            // Qt wanted to send it again after the server hung up without answering; the body
            // device refused (OneShotBody). It did reach the server once.
            response.error = RestError{
                QStringLiteral("connection_closed"), 0,
                QStringLiteral("%1 closed the connection after the request was sent, without "
                               "answering; opsdeck does not send it again (the request may "
                               "still take effect)")
                    .arg(where),
                true};
            done(response);
            return;
        case QNetworkReply::RemoteHostClosedError:
            // After the request went out the TLS hints would mislead: the server read it and
            // hung up (a crash, a proxy timeout), and the request may have taken effect.
            fail(QStringLiteral("connection_closed"),
                 sent ? QStringLiteral("%1 closed the connection after the request was sent, "
                                       "without answering (the request may still take effect)")
                            .arg(where)
                      : QStringLiteral("%1 closed the connection before answering (TLS expected? "
                                       "a client certificate required?)")
                            .arg(where));
            return;
        default:
            if (!sslErrors.isEmpty() ||
                reply->errorString().contains(QLatin1String("certificate"), Qt::CaseInsensitive) ||
                reply->errorString().contains(QLatin1String("SSL"), Qt::CaseInsensitive) ||
                reply->errorString().contains(QLatin1String("TLS"))) {
                failTls(sslErrors);
                return;
            }
            fail(QStringLiteral("network"),
                 QStringLiteral("%1: %2").arg(where, reply->errorString()));
            return;
        }
    }

    // An HTTP status arrived. A body cut short shows as a network error with a status.
    const qint64 declared = reply->header(QNetworkRequest::ContentLengthHeader).toLongLong();
    if (netError == QNetworkReply::RemoteHostClosedError ||
        (declared > 0 && body.size() < declared && netError != QNetworkReply::NoError &&
         response.httpStatus < 400)) {
        fail(QStringLiteral("truncated"),
             QStringLiteral("the reply from %1 was cut off after %2 of %3 bytes")
                 .arg(where)
                 .arg(body.size())
                 .arg(declared > 0 ? QString::number(declared) : QStringLiteral("?")));
        return;
    }
    response.body = body;
    const QByteArray contentType = reply->header(QNetworkRequest::ContentTypeHeader).toByteArray();

    if (response.httpStatus >= 300) {
        if (looksLikeHtml(contentType, body)) {
            const QString title = htmlTitle(body);
            fail(QStringLiteral("html_response"),
                 QStringLiteral("HTTP %1 from %2 with an HTML page%3 — a proxy or load balancer "
                                "answered, not Flink")
                     .arg(response.httpStatus)
                     .arg(where)
                     .arg(title.isEmpty() ? QString() : QStringLiteral(" (\"%1\")").arg(title)));
            return;
        }
        QString message = flinkErrorMessage(body);
        if (message.isEmpty())
            message = body.isEmpty()
                          ? QStringLiteral("HTTP %1 %2")
                                .arg(response.httpStatus)
                                .arg(reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute)
                                         .toString())
                          : QStringLiteral("HTTP %1 with a body that is not Flink's error "
                                           "format: %2")
                                .arg(response.httpStatus)
                                .arg(QString::fromUtf8(body.left(120)).simplified());
        fail(kindForStatus(response.httpStatus), message);
        return;
    }
    if (looksLikeHtml(contentType, body)) {
        fail(QStringLiteral("html_response"),
             QStringLiteral("%1 answered with an HTML page instead of JSON (a proxy login page? "
                            "the web UI URL instead of the REST URL?)")
                 .arg(where));
        return;
    }
    if (!body.trimmed().isEmpty()) {
        QJsonParseError parseError{};
        response.json = QJsonDocument::fromJson(body, &parseError);
        if (parseError.error != QJsonParseError::NoError) {
            const bool atEnd = parseError.offset >= body.size() - 1;
            fail(atEnd ? QStringLiteral("truncated") : QStringLiteral("invalid_json"),
                 QStringLiteral("the reply from %1 is not valid JSON (%2 at byte %3 of %4)")
                     .arg(where, parseError.errorString())
                     .arg(parseError.offset)
                     .arg(body.size()));
            return;
        }
    }
    done(response);
}

} // namespace opsdeck::jobs
