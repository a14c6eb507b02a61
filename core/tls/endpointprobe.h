// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// The endpoint probe: a TLS handshake to host:port (SNI, optional custom CA), the chain the
// endpoint serves, and how its leaf compares with the bundle's leaf on disk ("rotated on disk, not
// reloaded by the service" when the disk moved on and the endpoint did not).
//
// Asynchronous and event-driven (QSslSocket), so the GUI thread and the headless event loop use it
// alike; it never blocks. Results are plain values (registered metatypes).

#include "reloadevent.h"
#include "tlstypes.h"

#include <QByteArray>
#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QMetaType>
#include <QObject>
#include <QQueue>
#include <QString>
#include <QStringList>
#include <optional>

namespace opsdeck::tls {

inline constexpr int DefaultProbeTimeoutMs = 5000;
inline constexpr int DefaultProbesInFlight = 4;

// Why a probe produced no served chain. JSON uses the names (probeErrorKindName).
enum class ProbeErrorKind
{
    None,           // "none": the handshake completed
    InvalidRequest, // "invalid_request": no host, port 0, unreadable or empty CA file
    Dns,            // "dns": the host name does not resolve
    Refused,        // "refused": nothing listens (TCP RST)
    Timeout,        // "timeout": connect + handshake did not finish within the bound
    Closed,         // "closed": the peer closed the connection during the handshake
    NotTls,         // "not_tls": the peer answered with bytes that are not TLS (e.g. plain HTTP)
    TlsHandshake,   // "tls_handshake": TLS alert or protocol failure (no shared cipher, ...)
    Network,        // "network": any other socket error (unreachable, ...)
    Aborted,        // "aborted": the prober was cancelled or destroyed first
};
QString probeErrorKindName(ProbeErrorKind kind);

struct ProbeRequest
{
    quint64 id = 0; // 0: the prober assigns one (returned by probe())
    QString host;   // name or IP address; IPv6 without brackets
    quint16 port = 0;
    QString serverName; // SNI; empty: the host (Qt sends no SNI for IP addresses)
    // Trust anchors for verification. With neither set the chain is collected without trust and
    // the result says verified=false, reason "no CA given".
    QString caFile;                      // PEM (one or more certificates) or DER
    QList<QByteArray> caCertificatesDer; // anchors given as DER (added to caFile's)
    QString verifyHostname; // name checked against the leaf; empty: serverName, else host
    int timeoutMs = DefaultProbeTimeoutMs; // connect + handshake

    QString endpoint() const; // "host:port" ("[::1]:port" for IPv6)
};

struct ProbeResult
{
    quint64 id = 0;
    QString endpoint; // "host:port"
    QString host;
    quint16 port = 0;
    QString serverName;  // the SNI name sent ("" when none)
    QString peerAddress; // the address actually connected to, when connected

    ProbeErrorKind error = ProbeErrorKind::None;
    QString errorMessage; // human sentence; empty on success

    QList<CertificateInfo> chain; // as served, leaf first
    QString leafSha256;           // lowercase hex SHA-256 of the served leaf's DER
    QString protocol;             // "TLSv1.3", "TLSv1.2", ...
    QString cipher;               // OpenSSL name, e.g. "TLS_AES_256_GCM_SHA384"

    bool verified = false;         // the chain verified against the given CA (and hostname)
    QString verifyReason;          // "" when verified; "no CA given"; else the first error
    QStringList verifyErrors;      // every verification error, "code: text"
    QList<Problem> verifyProblems; // the same as stable codes (UntrustedChain, Expired, ...)
    QString verifiedHostname;      // the name the leaf was checked against

    qint64 connectMs = -1;   // TCP connect time; -1 when not connected
    qint64 handshakeMs = -1; // from the start of the probe to the finished handshake
    QDateTime probedAt;      // UTC, when the probe started

    bool ok() const { return error == ProbeErrorKind::None; }
    const CertificateInfo *leaf() const { return chain.isEmpty() ? nullptr : &chain.first(); }

    // JSON shape: id, endpoint, server_name, ok, error, error_message, protocol, cipher,
    // handshake_ms, connect_ms, leaf_sha256, verified, verify_reason, verify_errors,
    // verified_hostname, chain (tlsjson's certificate shape), probed_at.
    QJsonObject toJson(const QDateTime &now) const;
};

// How the served leaf relates to the bundle's leaf on disk.
enum class DiskMatch
{
    Unknown,     // "unknown": no served leaf (the probe failed) or no disk leaf
    Matches,     // "matches": the endpoint serves the disk leaf
    NotReloaded, // "not_reloaded": the disk leaf is newer: rotated on disk, not reloaded
    Differs,     // "differs": different certificates and the disk one is not newer (or unknown)
};
QString diskMatchName(DiskMatch match);

struct DiskComparison
{
    DiskMatch match = DiskMatch::Unknown;
    std::optional<bool> matchesDisk; // empty when Unknown
    QString servedSha256;
    QString diskSha256;
    QString message; // "served certificate matches disk", "rotated on disk, not reloaded by the
                     // service", "served certificate differs from disk", or why unknown
};

// Compares by fingerprint only: Matches or Differs (the direction needs the disk leaf's dates;
// use the CertificateInfo overload to get NotReloaded).
DiskComparison compareWithDisk(const ProbeResult &result, const QString &diskLeafSha256);
// Compares with the disk leaf: NotReloaded when the fingerprints differ and the disk leaf's
// notBefore is later than the served leaf's (same second: the later notAfter), Differs otherwise.
DiskComparison compareWithDisk(const ProbeResult &result, const CertificateInfo &diskLeaf);

// The SERVED event for a probe of `bundle`'s endpoint: the served leaf compared with the bundle's
// last good leaf (matches / "rotated on disk, not reloaded by the service" / differs); a failed
// probe gives matches_disk null, reason = the probe error kind and the message as detail.
ReloadEvent servedEvent(const QString &bundle, const ProbeResult &result,
                        const std::optional<CertificateInfo> &diskLeaf);

// Runs probes, at most maxInFlight() at a time; the rest wait in a FIFO queue. Lives on the thread
// that created it; probe() and every signal happen on that thread. Destroying the prober aborts
// what is running without emitting finished().
class EndpointProber : public QObject
{
    Q_OBJECT
public:
    explicit EndpointProber(QObject *parent = nullptr);
    ~EndpointProber() override;

    int maxInFlight() const { return m_maxInFlight; }
    void setMaxInFlight(int max); // at least 1; more probes start at once if raised

    // Queues a probe and returns its id (the request's, or a new one when it was 0). finished() is
    // always emitted later, from the event loop, never from inside probe().
    quint64 probe(ProbeRequest request);

    int inFlight() const { return int(m_running.size()); }
    int queued() const { return int(m_queue.size()); }
    bool isIdle() const { return m_running.isEmpty() && m_queue.isEmpty(); }

    // Aborts everything queued and running; each gets finished() with error Aborted.
    void abortAll();

Q_SIGNALS:
    void started(quint64 id); // the probe left the queue and is connecting
    void finished(const opsdeck::tls::ProbeResult &result);
    void idle(); // the last queued/running probe finished

private:
    class Job;
    void startQueued();
    void jobDone(Job *job, const ProbeResult &result);

    int m_maxInFlight = DefaultProbesInFlight;
    quint64 m_nextId = 1;
    QQueue<ProbeRequest> m_queue;
    QList<Job *> m_running;
};

} // namespace opsdeck::tls

Q_DECLARE_METATYPE(opsdeck::tls::ProbeResult)
Q_DECLARE_METATYPE(opsdeck::tls::ProbeRequest)
