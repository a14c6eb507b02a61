// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/profilestore.h"
#include "connectionspanel.h"
#include "docklayout.h"
#include "health/fleet.h"
#include "healthcontroller.h"
#include "jobscontroller.h"
#include "rolescontroller.h"
#include "tlsmonitorcontroller.h"

#include <QMainWindow>

class QActionGroup;
class QDockWidget;
class QLabel;
class QMenu;
class QSystemTrayIcon;

namespace opsdeck {

class ActivityLog;
class ActivityLogPanel;
class CertNotifier;
class CertificatesPanel;
class ElectionPanel;
class HealthPanel;
class HistoryStore;
class JobsPanel;
class NodeRolesPanel;
class OperationsPanel;
class ReloadEventsPanel;
class RolloutController;
class RolloutPanel;

// What the main window is built from. The pointers are borrowed and must outlive the window.
struct MainWindowSetup
{
    ActivityLog *log = nullptr;      // required
    HistoryStore *history = nullptr; // may be null or not open: history disabled, shown loudly
    QString historyError;            // why it is not open ("<file>: <problem>")
    ProfileSet profiles;             // may be empty
    QString activeProfile;           // "" : none selected
    QString configPath;              // where the profile editor saves
    QString configError;             // loading the profiles failed: shown in the status bar
    // Where the window layout is kept; empty: AppConfigLocation/layout.ini.
    QString settingsPath;
    // Certificate monitoring of the active profile's bundles: monitor options (defaults: 2 s
    // quiet period, 30 s safety poll, 30 s consistency window), expiry warning threshold, endpoint
    // probe period. Tests shorten them.
    TlsMonitorController::Options tls;
    // The Job control module: the audit file (empty: AuditTrail::defaultPath()) and the poll
    // back-off of asynchronous operations. Tests point the audit file at a temporary directory.
    JobsController::Options jobs;
    // The Node roles module: the preferred-leader grace period of the findings and the overseer
    // queue poll. Tests shorten them.
    RolesController::Options roles;
    // The Health dock: the checks' options and thresholds, the period of the runs (60 s) and the
    // delay of the first run after a profile is selected (3 s). Tests shorten or disable them.
    HealthController::Options health;
    // The Rollout dock's fleet probing: concurrency, timeout, converge and refresh periods.
    health::FleetOptions fleet;
    // Desktop notifications through the system tray when one is available; false: always the
    // status bar + Activity log fallback.
    bool useSystemTray = true;
};

// The console: dockable panels (each with a stable objectName), the Profile/View/Help menus and a
// status bar with the active profile, the ZooKeeper state and the history store state.
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(MainWindowSetup setup, QWidget *parent = nullptr);
    ~MainWindow() override;

    QString activeProfile() const { return m_activeProfile; }
    const ProfileSet &profiles() const { return m_profiles; }
    QList<QDockWidget *> docks() const { return m_docks; }
    ConnectionsPanel *connectionsPanel() const { return m_connections; }
    ActivityLogPanel *activityPanel() const { return m_activity; }
    CertificatesPanel *certificatesPanel() const { return m_certificates; }
    ReloadEventsPanel *reloadEventsPanel() const { return m_reloadEvents; }
    CertNotifier *certNotifier() const { return m_notifier; }
    TlsMonitorController *tlsController() const { return m_tls; }
    JobsPanel *jobsPanel() const { return m_jobs; }
    OperationsPanel *operationsPanel() const { return m_operations; }
    JobsController *jobsController() const { return m_jobsController; }
    RolesController *rolesController() const { return m_rolesController; }
    NodeRolesPanel *nodeRolesPanel() const { return m_nodeRoles; }
    ElectionPanel *electionPanel() const { return m_election; }
    HealthController *healthController() const { return m_healthController; }
    HealthPanel *healthPanel() const { return m_health; }
    RolloutController *rolloutController() const { return m_rolloutController; }
    RolloutPanel *rolloutPanel() const { return m_rollout; }
    const DockLayout &dockLayout() const { return m_layout; }
    QString settingsPath() const { return m_settingsPath; }

    // Selects a profile by name ("" : none); unknown names are logged and select none.
    void setActiveProfile(const QString &name);
    // Replaces the profile set (after the editor saved), keeping the active one when it still
    // exists.
    void setProfiles(const ProfileSet &profiles);

public Q_SLOTS:
    void restoreDefaultLayout();
    void editProfiles();
    void saveLayout();

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    QDockWidget *addPanel(const QString &objectName, const QString &title, QWidget *content);
    void createMenus();
    void rebuildProfileMenu();
    void createStatusBar();
    void updateProfileStatus();
    void showAbout();
    void applyTlsProfile(const Profile *profile);
    void updateZkBadge();

    MainWindowSetup m_setup;
    ProfileSet m_profiles;
    QString m_activeProfile;
    QString m_settingsPath;
    DockLayout m_layout;
    QList<QDockWidget *> m_docks;
    ActivityLogPanel *m_activity = nullptr;
    ConnectionsPanel *m_connections = nullptr;
    CertificatesPanel *m_certificates = nullptr;
    ReloadEventsPanel *m_reloadEvents = nullptr;
    CertNotifier *m_notifier = nullptr;
    QSystemTrayIcon *m_tray = nullptr;
    TlsMonitorController *m_tls = nullptr;
    JobsController *m_jobsController = nullptr;
    JobsPanel *m_jobs = nullptr;
    OperationsPanel *m_operations = nullptr;
    RolesController *m_rolesController = nullptr;
    NodeRolesPanel *m_nodeRoles = nullptr;
    ElectionPanel *m_election = nullptr;
    HealthController *m_healthController = nullptr;
    HealthPanel *m_health = nullptr;
    RolloutController *m_rolloutController = nullptr;
    RolloutPanel *m_rollout = nullptr;
    ZkState m_probeState = ZkState::NotConfigured; // the Connections probe's last verdict
    QString m_probeDetail;
    std::optional<Profile> m_tlsProfile; // what the monitor was built from
    QMenu *m_profileMenu = nullptr;
    QMenu *m_viewMenu = nullptr;
    QActionGroup *m_profileGroup = nullptr;
    QLabel *m_profileStatus = nullptr;
    QLabel *m_zkStatus = nullptr;
    QLabel *m_historyStatus = nullptr;
    QLabel *m_insecureStatus = nullptr; // shown while the profile skips TLS verification
    QLabel *m_configStatus = nullptr;
};

} // namespace opsdeck
