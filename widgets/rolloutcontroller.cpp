// SPDX-License-Identifier: GPL-3.0-or-later
#include "rolloutcontroller.h"

#include "rolescontroller.h"
#include "tls/bundlemonitor.h"
#include "tlsmonitorcontroller.h"

#include <QDir>

namespace opsdeck {

RolloutController::RolloutController(const health::FleetOptions &options, RolesController *roles,
                                     TlsMonitorController *tls, QObject *parent)
    : QObject(parent)
    , m_options(options)
    , m_roles(roles)
    , m_tls(tls)
{
    qRegisterMetaType<opsdeck::health::FleetStatus>();
    m_reason = tr("no profile selected");
    if (m_roles) {
        connect(m_roles, &RolesController::snapshotChanged, this,
                &RolloutController::onRolesSnapshot);
        connect(m_roles, &RolesController::watcherChanged, this,
                &RolloutController::onRolesSnapshot);
    }
    if (m_tls) {
        // A rebuilt monitor announces itself with a SNAPSHOT; its state change follows it
        // (both are queued from the worker in that order), so attaching here misses nothing.
        connect(m_tls, &TlsMonitorController::eventRecorded, this,
                [this](const tls::ReloadEvent &) { attachMonitor(); });
    }
}

RolloutController::~RolloutController()
{
    if (m_fleet)
        m_fleet->stop();
}

void RolloutController::setProfile(const std::optional<Profile> &profile)
{
    QString bundle;
    if (profile && !profile->bundles.isEmpty())
        bundle = QDir::cleanPath(QDir::current().absoluteFilePath(profile->bundles.first().path));
    const RestEndpointConfig rest = profile ? profile->rest : RestEndpointConfig{};
    const bool sameBundle = m_fleet && bundle == m_bundle &&
                            (profile.has_value() == m_profile.has_value()) &&
                            (!profile || profile->name == m_profile->name);
    m_profile = profile;
    m_rest = rest;
    attachMonitor();
    if (sameBundle) {
        updateTargets();
        return;
    }
    if (bundle != m_bundle) { // the leaf we know belongs to another bundle
        m_haveLeaf = false;
        m_leaf.reset();
    }
    m_bundle = bundle;
    rebuild();
}

void RolloutController::rebuild()
{
    if (m_fleet) {
        m_fleet->stop();
        m_fleet.reset();
    }
    if (!m_profile) {
        m_reason = tr("no profile selected");
    } else if (m_bundle.isEmpty()) {
        m_reason = tr("profile %1 has no certificate bundle to compare with").arg(m_profile->name);
    } else {
        m_reason.clear();
        m_fleet = std::make_unique<health::FleetRollout>(m_options);
        connect(m_fleet.get(), &health::FleetRollout::updated, this,
                &RolloutController::statusChanged);
        connect(m_fleet.get(), &health::FleetRollout::roundFinished, this,
                [this](const health::FleetStatus &status) {
                    // The end of a round can end the converge loop: views hear of it too.
                    emit statusChanged(status);
                    emit roundFinished(status);
                });
        if (m_haveLeaf)
            m_fleet->setDiskLeaf(m_bundle, m_leaf);
        updateTargets();
    }
    emit rolloutChanged();
    emit statusChanged(status());
}

health::FleetStatus RolloutController::status() const
{
    if (m_fleet)
        return m_fleet->status();
    health::FleetStatus none;
    none.bundle = m_bundle;
    return none;
}

void RolloutController::setLiveNodes(const QStringList &names)
{
    QStringList sorted = names;
    sorted.sort();
    sorted.removeDuplicates();
    if (sorted == m_live)
        return;
    m_live = sorted;
    updateTargets();
}

void RolloutController::updateTargets()
{
    if (!m_fleet)
        return;
    m_fleet->setTargets(health::fleetTargets(m_live, m_rest));
}

void RolloutController::onRolesSnapshot()
{
    if (!m_roles)
        return;
    QStringList live;
    if (m_roles->isActive() && m_roles->hasSnapshot()) {
        for (const roles::NodeInfo &node : m_roles->snapshot().nodes)
            if (node.live)
                live << node.name;
    }
    // A watcher without a snapshot yet (or none at all) keeps no Solr targets: the REST
    // endpoint, if any, is still followed.
    setLiveNodes(live);
}

void RolloutController::setDiskLeaf(const std::optional<tls::CertificateInfo> &leaf)
{
    m_haveLeaf = true;
    m_leaf = leaf;
    if (m_fleet)
        m_fleet->setDiskLeaf(m_bundle, leaf);
}

void RolloutController::attachMonitor()
{
    if (!m_tls)
        return;
    tls::BundleMonitorThread *monitor = m_tls->monitorThread();
    if (monitor == m_monitor.data())
        return;
    if (m_monitor)
        disconnect(m_monitor, nullptr, this, nullptr);
    m_monitor = monitor;
    if (monitor)
        connect(monitor, &tls::BundleMonitorThread::stateChanged, this,
                &RolloutController::onBundleState);
}

void RolloutController::onBundleState(const tls::BundleState &state)
{
    if (m_bundle.isEmpty() || state.bundle != m_bundle)
        return;
    std::optional<tls::CertificateInfo> leaf;
    if (state.haveLastGood && state.lastGood.leaf)
        leaf = *state.lastGood.leaf;
    // FleetRollout ignores an unchanged fingerprint; a new one starts the converge loop.
    setDiskLeaf(leaf);
}

void RolloutController::probeNow()
{
    if (m_fleet)
        m_fleet->probeAll();
}

} // namespace opsdeck
