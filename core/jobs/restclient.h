// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/profile.h"
#include "common/result.h"

#include <QByteArray>
#include <QJsonDocument>
#include <QList>
#include <QObject>
#include <QPair>
#include <QPointer>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QUrl>
#include <functional>

class QNetworkAccessManager;
class QNetworkReply;

namespace opsdeck::jobs {

// A failure talking to the REST endpoint, classified so scripts can branch on `kind` and people
// can read `message`. Messages never contain tokens, header values or key material.
struct RestError
{
    QString kind;       // connection_refused, host_not_found, timeout, tls_*, bad_request, ...
    int httpStatus = 0; // 0 when no HTTP status was received
    QString message;    // one line, for people
    bool requestSent = false; // the request may have reached the server (matters for POST/PATCH)

    QString toString() const;
};

// What came back: the HTTP status and the decoded JSON (an empty body decodes as an empty
// document), or an error.
struct RestResponse
{
    int httpStatus = 0;
    QJsonDocument json;
    QByteArray body; // raw bytes, kept for benchmarks and diagnostics
    std::optional<RestError> error;

    bool ok() const { return !error.has_value(); }
};

// The Flink REST transport: one QNetworkAccessManager per client, HTTP or HTTPS, a custom CA,
// a client certificate (PEM or PKCS#12), optional SHA-256 pinning of the server certificate, a
// bearer token and extra headers from secret references, connect and read timeouts, and a limit
// on body size (DefaultMaxBodyBytes, 64 MiB: a bigger reply is refused as too_large while it
// arrives, or at once when its Content-Length says so). The read timeout is the longest silence
// between two bytes; a whole request also has an overall deadline of connect timeout + read
// timeout, so a server that trickles its answer cannot hold a request for longer than that. Lives
// on the thread that created it (the GUI thread in the app); every call is asynchronous and the
// callback runs on that thread.
//
// Nothing is retried here. A caller that wants to retry a GET does so itself; POST and PATCH are
// never repeated automatically.
class RestClient : public QObject
{
    Q_OBJECT
public:
    static constexpr qint64 DefaultMaxBodyBytes = 64 * 1024 * 1024;

    explicit RestClient(QObject *parent = nullptr);
    ~RestClient() override;

    // Reads the CA file, the client certificate and key, the token and the header references.
    // Errors name the file or reference, never the secret.
    Result<void> configure(const RestEndpointConfig &config);
    const RestEndpointConfig &config() const { return m_config; }
    QUrl baseUrl() const { return m_base; }
    // The endpoint as shown to people and written to the audit log: scheme://host:port/path.
    QString endpointLabel() const;

    void setMaxBodyBytes(qint64 bytes) { m_maxBodyBytes = bytes; }

    using Callback = std::function<void(const RestResponse &)>;
    // `path` is relative to the base URL ("/jobs/overview"); it may carry a query.
    void get(const QString &path, Callback done);
    void post(const QString &path, const QJsonObject &body, Callback done);
    void patch(const QString &path, Callback done);

    // Requests in flight (for tests and for a clean shutdown).
    int pending() const { return m_pending; }

    // Decodes Flink's error body ({"errors":[...]}) to one line: the first element's first
    // line with a Java exception prefix stripped. For the two-element 500 body the server-side
    // exception's first line is appended. Returns an empty string when the body is not one.
    static QString flinkErrorMessage(const QByteArray &body);

private:
    // What the reply's signals told us before it finished.
    struct ReplyState
    {
        bool sent = false;         // the request left (requestSent) or an answer began
        bool connectTimed = false; // a connect timer ran (https, or a request with a body)
        bool timedOut = false;     // our connect timer or the overall deadline aborted it
        bool deadline = false;     // the overall deadline (connect + read timeout) aborted it
        bool pinFailed = false;    // the server certificate did not match the pin
        bool tooLarge = false;     // the body passed the size limit
        QList<QSslError> sslErrors;
    };
    void send(const QByteArray &verb, const QString &path, const QByteArray &body, Callback done);
    void finish(QNetworkReply *reply, const Callback &done, const ReplyState &state);

    QNetworkAccessManager *m_nam = nullptr;
    RestEndpointConfig m_config;
    QUrl m_base;
    QSslConfiguration m_ssl;
    QByteArray m_pin; // raw SHA-256 digest, empty when not pinned
    QList<QPair<QByteArray, QByteArray>> m_headers;
    bool m_haveClientCert = false;
    qint64 m_maxBodyBytes = DefaultMaxBodyBytes;
    int m_pending = 0;
};

} // namespace opsdeck::jobs
