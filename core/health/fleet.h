// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Fleet reload status: did a certificate rotation reach every node? The targets are the live Solr
// nodes (host and port from the live node name, which is the address Solr serves on) plus the
// Flink REST endpoint when it speaks HTTPS. Each one is probed with a real TLS handshake
// (EndpointProber: bounded concurrency, a timeout per probe) and its served leaf is compared with
// the bundle's leaf on disk.
//
// FleetRollout follows a rotation: after the bundle changes it probes every target, then keeps
// re-probing the ones that do not serve the new leaf yet, every convergeIntervalMs, until all do
// or convergeTimeoutMs passes; otherwise it probes every refreshIntervalMs. Lives on one thread
// (the GUI thread in the console, the main thread in `opsdeck check`); results are values.

#include "common/profile.h"
#include "tls/endpointprobe.h"
#include "tls/tlstypes.h"

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QMetaType>
#include <QObject>
#include <QString>
#include <QTimer>
#include <optional>

namespace opsdeck::roles {
struct RolesSnapshot;
}

namespace opsdeck::health {

struct FleetTarget
{
    QString node; // Solr node name ("127.0.0.1:8983_solr") or "flink-rest"
    QString kind; // "solr" or "rest"
    QString host; // as in the node name / URL
    quint16 port = 0;
    QString serverName; // SNI; empty: none for IP addresses, else the host
    bool operator==(const FleetTarget &) const = default;
};

struct FleetNodeStatus
{
    FleetTarget target;
    bool probed = false;      // at least one probe finished
    bool probing = false;     // a probe is queued or running now
    QString servedSha256;     // lowercase hex of the served leaf; empty when the probe failed
    QDateTime servedNotAfter; // the served leaf's notAfter
    tls::DiskMatch match = tls::DiskMatch::Unknown;
    QString error;        // probe error kind name ("timeout", "refused", ...); "" when ok
    QString errorMessage; // human sentence
    QDateTime lastProbed; // UTC, when the last finished probe started
    qint64 handshakeMs = -1;
    QDateTime matchingSince; // first probe that saw the current disk leaf (since the change)

    bool matches() const { return match == tls::DiskMatch::Matches; }
    QJsonObject toJson() const; // node, kind, endpoint, served_sha256, matches_disk (bool|null),
                                // match, not_after, last_probed, handshake_ms, error, error_message
};

struct FleetStatus
{
    QString bundle;     // the bundle path compared against
    QString diskSha256; // the bundle's last good leaf
    QDateTime diskNotAfter;
    QDateTime changedAt;          // when the disk leaf last changed (CHANGED), if seen
    QList<FleetNodeStatus> nodes; // in target order (Solr nodes sorted by name, then REST)
    bool converging = false;      // re-probing after a change

    int total() const { return int(nodes.size()); }
    int matching() const;
    int failed() const; // probes that ended in an error
    bool converged() const { return total() > 0 && matching() == total(); }
    // "4 of 6 nodes serve the new certificate" (+ ", 1 unreachable"); "no nodes to probe".
    QString summary() const;
    QJsonObject toJson() const; // bundle, disk_sha256, disk_not_after, matching, total, failed,
                                // summary, nodes[]
};

// The targets of a profile: every live Solr node with a parsable name (sorted by name) and the
// REST endpoint when its URL is https.
QList<FleetTarget> fleetTargets(const roles::RolesSnapshot &snapshot,
                                const RestEndpointConfig &rest);
// The same from plain live node names (the roles snapshot's live nodes in the GUI).
QList<FleetTarget> fleetTargets(const QStringList &liveNodeNames, const RestEndpointConfig &rest);

struct FleetOptions
{
    int maxInFlight = 16;           // concurrent handshakes
    int probeTimeoutMs = 3000;      // connect + handshake, per probe
    int convergeIntervalMs = 2000;  // re-probe lagging nodes this often after a change
    int convergeTimeoutMs = 300000; // give up converging after this long
    int refreshIntervalMs = 60000;  // otherwise probe everything this often (0: never)
    QString caFile;                 // trust anchors for the probes' verification (optional)
};

class FleetRollout : public QObject
{
    Q_OBJECT
public:
    explicit FleetRollout(const FleetOptions &options = {}, QObject *parent = nullptr);
    ~FleetRollout() override;

    const FleetOptions &options() const { return m_options; }
    // The targets to probe; nodes that left are dropped, new ones are probed at once.
    void setTargets(const QList<FleetTarget> &targets);
    // The bundle's current leaf. A different fingerprint than before counts as a change: every
    // node is probed and the converge loop starts.
    void setDiskLeaf(const QString &bundle, const std::optional<tls::CertificateInfo> &leaf);
    // Probes every target now (a "Probe now" button, a one-shot check).
    void probeAll();
    void stop(); // aborts probes and timers

    FleetStatus status() const { return m_status; }
    bool isIdle() const;

Q_SIGNALS:
    void updated(const opsdeck::health::FleetStatus &status);       // after every finished probe
    void roundFinished(const opsdeck::health::FleetStatus &status); // a round's last probe done

private:
    void probeTargets(const QList<int> &indexes);
    void onProbeFinished(const tls::ProbeResult &result);
    void onConvergeTick();
    void recompute(FleetNodeStatus &node, const tls::ProbeResult &result);

    FleetOptions m_options;
    FleetStatus m_status;
    std::optional<tls::CertificateInfo> m_diskLeaf;
    tls::EndpointProber *m_prober = nullptr;
    QHash<quint64, FleetTarget> m_inFlight; // probe id -> target
    QTimer m_convergeTimer;
    QTimer m_refreshTimer;
    QDateTime m_convergeStarted;
};

} // namespace opsdeck::health

Q_DECLARE_METATYPE(opsdeck::health::FleetStatus)
