// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/profile.h"
#include "health/fleet.h"
#include "tls/reloadevent.h"

#include <QObject>
#include <QPointer>
#include <QStringList>
#include <memory>
#include <optional>

namespace opsdeck {

class RolesController;
class TlsMonitorController;

namespace tls {
class BundleMonitorThread;
}

// Follows a certificate rotation across the fleet for the Rollout dock: one health::FleetRollout
// on the GUI thread whose
//  - targets are the live Solr nodes of the roles controller's snapshots (their names are the
//    addresses Solr serves on) plus the profile's REST endpoint when it is HTTPS;
//  - disk leaf is the last good leaf of the profile's first bundle (the fleet bundle), taken from
//    the TLS monitor controller's monitor on every state change of that bundle (every SNAPSHOT,
//    CHANGED, ... is followed by one).
// A new fingerprint on disk starts FleetRollout's converge loop (lagging nodes re-probed every
// 2 s). Either source may be null (tests): setLiveNodes() and setDiskLeaf() feed it directly.
class RolloutController : public QObject
{
    Q_OBJECT
public:
    RolloutController(const health::FleetOptions &options, RolesController *roles,
                      TlsMonitorController *tls, QObject *parent = nullptr);
    ~RolloutController() override;

    // Takes the profile's REST endpoint and first bundle. Call after the TLS monitor controller
    // got the profile (its monitor is then the one to follow). A different fleet bundle starts
    // over (no leaf until the monitor reports one); otherwise only the targets are updated.
    void setProfile(const std::optional<Profile> &profile);

    // The live Solr node names (normally from the roles controller).
    void setLiveNodes(const QStringList &names);
    // The fleet bundle's leaf (normally from the TLS monitor's state changes).
    void setDiskLeaf(const std::optional<tls::CertificateInfo> &leaf);

    bool isActive() const { return m_fleet != nullptr; }
    QString bundle() const { return m_bundle; } // absolute clean path, "" without a profile
    QStringList liveNodes() const { return m_live; }
    health::FleetStatus status() const;
    health::FleetRollout *rollout() const { return m_fleet.get(); }
    // Why nothing is followed, for people; empty while active.
    QString unavailableReason() const { return m_reason; }

public Q_SLOTS:
    void probeNow();

Q_SIGNALS:
    void statusChanged(const opsdeck::health::FleetStatus &status);
    void roundFinished(const opsdeck::health::FleetStatus &status);
    void rolloutChanged(); // a new FleetRollout (or none): the old status is gone

private:
    void attachMonitor();
    void onBundleState(const tls::BundleState &state);
    void onRolesSnapshot();
    void updateTargets();
    void rebuild();

    health::FleetOptions m_options;
    QPointer<RolesController> m_roles;
    QPointer<TlsMonitorController> m_tls;
    QPointer<tls::BundleMonitorThread> m_monitor;
    std::unique_ptr<health::FleetRollout> m_fleet;
    std::optional<Profile> m_profile;
    QString m_bundle;
    QString m_reason;
    RestEndpointConfig m_rest;
    QStringList m_live;
    bool m_haveLeaf = false;
    std::optional<tls::CertificateInfo> m_leaf;
};

} // namespace opsdeck
