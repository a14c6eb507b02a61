// SPDX-License-Identifier: GPL-3.0-or-later
#include "fleet.h"

#include "roles/rolesnapshot.h"
#include "roles/solrnames.h"
#include "tls/reloadevent.h"

#include <QHostAddress>
#include <QJsonArray>
#include <QUrl>
#include <algorithm>

namespace opsdeck::health {

namespace {

QJsonValue isoOrNull(const QDateTime &ts)
{
    return ts.isValid() ? QJsonValue(tls::isoUtcMs(ts)) : QJsonValue(QJsonValue::Null);
}

QString endpointOf(const FleetTarget &t)
{
    return t.host.contains(QLatin1Char(':')) ? QStringLiteral("[%1]:%2").arg(t.host).arg(t.port)
                                             : QStringLiteral("%1:%2").arg(t.host).arg(t.port);
}

std::optional<FleetTarget> restTarget(const RestEndpointConfig &rest)
{
    const QUrl url(rest.url);
    if (!rest.isSet() || url.scheme() != QLatin1String("https") || url.host().isEmpty())
        return std::nullopt;
    FleetTarget t;
    t.node = QStringLiteral("flink-rest");
    t.kind = QStringLiteral("rest");
    t.host = url.host();
    t.port = quint16(url.port(443));
    return t;
}

} // namespace

QJsonObject FleetNodeStatus::toJson() const
{
    QJsonValue matchesDisk = QJsonValue::Null;
    if (match == tls::DiskMatch::Matches)
        matchesDisk = true;
    else if (match != tls::DiskMatch::Unknown)
        matchesDisk = false;
    return QJsonObject{
        {QStringLiteral("node"), target.node},
        {QStringLiteral("kind"), target.kind},
        {QStringLiteral("endpoint"), endpointOf(target)},
        {QStringLiteral("served_sha256"),
         servedSha256.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(servedSha256)},
        {QStringLiteral("matches_disk"), matchesDisk},
        {QStringLiteral("match"), tls::diskMatchName(match)},
        {QStringLiteral("not_after"), isoOrNull(servedNotAfter)},
        {QStringLiteral("last_probed"), isoOrNull(lastProbed)},
        {QStringLiteral("handshake_ms"), handshakeMs},
        {QStringLiteral("error"),
         error.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(error)},
        {QStringLiteral("error_message"), errorMessage},
    };
}

int FleetStatus::matching() const
{
    return int(std::count_if(nodes.cbegin(), nodes.cend(),
                             [](const FleetNodeStatus &n) { return n.matches(); }));
}

int FleetStatus::failed() const
{
    return int(std::count_if(nodes.cbegin(), nodes.cend(), [](const FleetNodeStatus &n) {
        return n.probed && !n.error.isEmpty();
    }));
}

QString FleetStatus::summary() const
{
    if (nodes.isEmpty())
        return QStringLiteral("no nodes to probe");
    if (diskSha256.isEmpty())
        return QStringLiteral("%1 nodes; the bundle has no valid leaf to compare with")
            .arg(total());
    QString text = QStringLiteral("%1 of %2 nodes serve the %3 certificate")
                       .arg(matching())
                       .arg(total())
                       .arg(changedAt.isValid() ? QStringLiteral("new") : QStringLiteral("disk"));
    if (const int down = failed(); down > 0)
        text += QStringLiteral(", %1 unreachable").arg(down);
    return text;
}

QJsonObject FleetStatus::toJson() const
{
    QJsonArray list;
    for (const FleetNodeStatus &n : nodes)
        list.append(n.toJson());
    return QJsonObject{
        {QStringLiteral("bundle"), bundle},
        {QStringLiteral("disk_sha256"),
         diskSha256.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(diskSha256)},
        {QStringLiteral("disk_not_after"), isoOrNull(diskNotAfter)},
        {QStringLiteral("matching"), matching()},
        {QStringLiteral("total"), total()},
        {QStringLiteral("failed"), failed()},
        {QStringLiteral("summary"), summary()},
        {QStringLiteral("nodes"), list},
    };
}

QList<FleetTarget> fleetTargets(const QStringList &liveNodeNames, const RestEndpointConfig &rest)
{
    QStringList names = liveNodeNames;
    names.sort();
    names.removeDuplicates();
    QList<FleetTarget> targets;
    for (const QString &name : std::as_const(names)) {
        const roles::NodeName parsed = roles::parseNodeName(name);
        if (!parsed.ok || parsed.port <= 0 || parsed.port > 65535)
            continue;
        FleetTarget t;
        t.node = name;
        t.kind = QStringLiteral("solr");
        t.host = parsed.host;
        t.port = quint16(parsed.port);
        targets << t;
    }
    if (auto rt = restTarget(rest))
        targets << *rt;
    return targets;
}

QList<FleetTarget> fleetTargets(const roles::RolesSnapshot &snapshot,
                                const RestEndpointConfig &rest)
{
    QStringList live;
    for (const roles::NodeInfo &node : snapshot.nodes) {
        if (node.live)
            live << node.name;
    }
    return fleetTargets(live, rest);
}

// --- FleetRollout ---------------------------------------------------------------------------

FleetRollout::FleetRollout(const FleetOptions &options, QObject *parent)
    : QObject(parent)
    , m_options(options)
    , m_prober(new tls::EndpointProber(this))
{
    m_prober->setMaxInFlight(std::max(1, options.maxInFlight));
    connect(m_prober, &tls::EndpointProber::finished, this, &FleetRollout::onProbeFinished);
    m_convergeTimer.setInterval(std::max(50, options.convergeIntervalMs));
    m_convergeTimer.setSingleShot(true);
    connect(&m_convergeTimer, &QTimer::timeout, this, &FleetRollout::onConvergeTick);
    if (options.refreshIntervalMs > 0) {
        m_refreshTimer.setInterval(options.refreshIntervalMs);
        connect(&m_refreshTimer, &QTimer::timeout, this, &FleetRollout::probeAll);
        m_refreshTimer.start();
    }
}

FleetRollout::~FleetRollout()
{
    // The prober is a child; abort first so no finished() reaches a half-destroyed object.
    m_prober->disconnect(this);
    m_prober->abortAll();
}

bool FleetRollout::isIdle() const
{
    return m_inFlight.isEmpty();
}

void FleetRollout::setTargets(const QList<FleetTarget> &targets)
{
    QList<FleetNodeStatus> next;
    QList<int> fresh;
    next.reserve(targets.size());
    for (const FleetTarget &t : targets) {
        auto it = std::find_if(m_status.nodes.cbegin(), m_status.nodes.cend(),
                               [&t](const FleetNodeStatus &n) { return n.target == t; });
        if (it != m_status.nodes.cend()) {
            next << *it;
        } else {
            FleetNodeStatus n;
            n.target = t;
            fresh << int(next.size());
            next << n;
        }
    }
    const bool changed = next.size() != m_status.nodes.size() || !fresh.isEmpty();
    m_status.nodes = next;
    if (!fresh.isEmpty())
        probeTargets(fresh);
    if (changed)
        Q_EMIT updated(m_status);
}

void FleetRollout::setDiskLeaf(const QString &bundle,
                               const std::optional<tls::CertificateInfo> &leaf)
{
    const QString sha = leaf ? leaf->sha256 : QString();
    const bool changed = sha != m_status.diskSha256 || bundle != m_status.bundle;
    const bool first = m_status.diskSha256.isEmpty() && m_status.bundle.isEmpty();
    m_status.bundle = bundle;
    m_diskLeaf = leaf;
    if (!changed)
        return;
    m_status.diskSha256 = sha;
    m_status.diskNotAfter = leaf ? leaf->notAfter : QDateTime();
    if (!first && !sha.isEmpty())
        m_status.changedAt = QDateTime::currentDateTimeUtc();
    for (FleetNodeStatus &n : m_status.nodes) {
        n.matchingSince = {};
        // Re-judge what was already served against the new disk leaf until the next probe.
        if (!n.servedSha256.isEmpty())
            n.match = n.servedSha256 == sha ? tls::DiskMatch::Matches : tls::DiskMatch::NotReloaded;
    }
    m_convergeStarted = QDateTime::currentDateTimeUtc();
    m_status.converging = !first && !sha.isEmpty();
    probeAll();
}

void FleetRollout::probeAll()
{
    QList<int> all;
    for (int i = 0; i < m_status.nodes.size(); ++i)
        all << i;
    probeTargets(all);
}

void FleetRollout::stop()
{
    m_convergeTimer.stop();
    m_refreshTimer.stop();
    m_prober->abortAll();
}

void FleetRollout::probeTargets(const QList<int> &indexes)
{
    for (int i : indexes) {
        FleetNodeStatus &n = m_status.nodes[i];
        if (n.probing)
            continue;
        tls::ProbeRequest request;
        request.host = n.target.host;
        request.port = n.target.port;
        request.serverName = n.target.serverName;
        request.caFile = m_options.caFile;
        request.timeoutMs = m_options.probeTimeoutMs;
        const quint64 id = m_prober->probe(request);
        m_inFlight.insert(id, n.target);
        n.probing = true;
    }
}

void FleetRollout::recompute(FleetNodeStatus &n, const tls::ProbeResult &result)
{
    n.probed = true;
    n.lastProbed = result.probedAt;
    n.handshakeMs = result.handshakeMs;
    if (!result.ok()) {
        n.error = tls::probeErrorKindName(result.error);
        n.errorMessage = result.errorMessage;
        n.servedSha256.clear();
        n.servedNotAfter = {};
        n.match = tls::DiskMatch::Unknown;
        n.matchingSince = {};
        return;
    }
    n.error.clear();
    n.errorMessage.clear();
    n.servedSha256 = result.leafSha256;
    n.servedNotAfter = result.leaf() ? result.leaf()->notAfter : QDateTime();
    const tls::DiskComparison cmp = m_diskLeaf ? tls::compareWithDisk(result, *m_diskLeaf)
                                               : tls::compareWithDisk(result, QString());
    n.match = cmp.match;
    if (n.matches() && !n.matchingSince.isValid())
        n.matchingSince = result.probedAt;
    else if (!n.matches())
        n.matchingSince = {};
}

void FleetRollout::onProbeFinished(const tls::ProbeResult &result)
{
    const auto it = m_inFlight.constFind(result.id);
    if (it == m_inFlight.constEnd())
        return;
    const FleetTarget target = it.value();
    m_inFlight.erase(it);
    for (FleetNodeStatus &n : m_status.nodes) {
        if (n.target == target) {
            n.probing = false;
            if (result.error != tls::ProbeErrorKind::Aborted)
                recompute(n, result);
            break;
        }
    }
    Q_EMIT updated(m_status);
    if (!m_inFlight.isEmpty())
        return;
    // The round is over: keep converging while nodes lag behind the disk.
    if (m_status.converging) {
        const bool timedOut = m_convergeStarted.msecsTo(QDateTime::currentDateTimeUtc()) >
                              m_options.convergeTimeoutMs;
        if (m_status.converged() || timedOut)
            m_status.converging = false;
        else
            m_convergeTimer.start();
    }
    Q_EMIT roundFinished(m_status);
}

void FleetRollout::onConvergeTick()
{
    QList<int> lagging;
    for (int i = 0; i < m_status.nodes.size(); ++i) {
        if (!m_status.nodes.at(i).matches())
            lagging << i;
    }
    if (lagging.isEmpty()) {
        m_status.converging = false;
        Q_EMIT updated(m_status);
        return;
    }
    probeTargets(lagging);
}

} // namespace opsdeck::health
