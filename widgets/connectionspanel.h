// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/profile.h"
#include "common/result.h"
#include "roles/zkprobe.h"

#include <QDateTime>
#include <QWidget>
#include <functional>
#include <optional>

class QLabel;
class QPushButton;
class QTimer;
class QTreeWidget;

namespace opsdeck {

class ActivityLog;

// What the Connections panel knows about the ZooKeeper ensemble of the active profile.
enum class ZkState
{
    NotConfigured,
    Checking,
    Connected,
    Unreachable
};
QString zkStateName(ZkState state);
QString zkStateColor(ZkState state); // "#rrggbb" for the state's text

// The Connections dock's content: the active profile's REST endpoint, its ZooKeeper ensemble with
// a live state (a periodic probe on a worker thread), its certificate bundles and the history
// store's state. Shows references to secrets (displayString()), never their values.
class ConnectionsPanel : public QWidget
{
    Q_OBJECT
public:
    using ProbeFunction = std::function<Result<ZkProbeResult>(const ZooKeeperConfig &, int)>;
    static constexpr int DefaultIntervalMs = 15000;
    static constexpr int MaxProbeTimeoutMs = 10000;

    explicit ConnectionsPanel(ActivityLog *log, QWidget *parent = nullptr);
    ~ConnectionsPanel() override;

    // The profile shown; nullopt: none selected. Starts a probe right away when ZooKeeper is set.
    void setProfile(const std::optional<Profile> &profile);
    // "on — path" or "disabled — reason".
    void setHistoryState(bool enabled, const QString &detail);

    // For tests and the sandbox: the blocking probe to run on the worker, and the period.
    void setProbeFunction(ProbeFunction probe);
    void setProbeInterval(int ms);

    ZkState zkState() const { return m_state; }
    QString zkError() const { return m_error; }

public Q_SLOTS:
    void probeNow();

Q_SIGNALS:
    void zkStateChanged(opsdeck::ZkState state, const QString &detail);
    void editProfilesRequested();

private:
    void applyProbeResult(quint64 generation, const Result<ZkProbeResult> &result);
    void setState(ZkState state, const QString &detail);
    void rebuildProfileSection();

    ActivityLog *m_log;
    std::optional<Profile> m_profile;
    ProbeFunction m_probe;
    QTimer *m_timer;
    quint64 m_generation = 0;
    bool m_probeRunning = false;
    ZkState m_state = ZkState::NotConfigured;
    QString m_error;
    ZkState m_lastOutcome = ZkState::NotConfigured; // of the last finished probe
    QString m_lastLoggedError;
    QDateTime m_lastChecked;

    QLabel *m_profileName;
    QPushButton *m_editButton;
    QWidget *m_details;
    QLabel *m_restUrl;
    QLabel *m_restTls;
    QLabel *m_restToken;
    QLabel *m_zkConnect;
    QLabel *m_zkAuth;
    QLabel *m_zkState;
    QLabel *m_zkServer;
    QLabel *m_zkLatency;
    QLabel *m_zkChecked;
    QLabel *m_zkError;
    QPushButton *m_probeButton;
    QTreeWidget *m_bundles;
    QLabel *m_noBundles;
    QLabel *m_history;
};

} // namespace opsdeck

Q_DECLARE_METATYPE(opsdeck::ZkState)
