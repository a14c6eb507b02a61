// SPDX-License-Identifier: GPL-3.0-or-later
#include "mainwindow.h"

#include "activitylogpanel.h"
#include "certificatespanel.h"
#include "certnotifier.h"
#include "common/activitylog.h"
#include "common/historystore.h"
#include "electionpanel.h"
#include "healthpanel.h"
#include "jobspanel.h"
#include "noderolespanel.h"
#include "operationsmodel.h"
#include "operationspanel.h"
#include "profileeditordialog.h"
#include "reloadeventspanel.h"
#include "rolloutcontroller.h"
#include "rolloutpanel.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QDockWidget>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QStandardPaths>
#include <QStatusBar>
#include <QSystemTrayIcon>

namespace opsdeck {

namespace {

const QString ProfilesSource = QStringLiteral("profiles");

} // namespace

MainWindow::MainWindow(MainWindowSetup setup, QWidget *parent)
    : QMainWindow(parent)
    , m_setup(std::move(setup))
    , m_profiles(m_setup.profiles)
    , m_layout(DockLayout::defaultLayout())
{
    Q_ASSERT(m_setup.log);
    setObjectName(QStringLiteral("mainWindow"));
    setWindowTitle(QStringLiteral("opsdeck"));
    setDockNestingEnabled(true);
    setDockOptions(dockOptions() | QMainWindow::AllowTabbedDocks | QMainWindow::GroupedDragging);

    m_settingsPath = m_setup.settingsPath.isEmpty()
                         ? QStandardPaths::writableLocation(QStandardPaths::AppConfigLocation) +
                               QStringLiteral("/layout.ini")
                         : m_setup.settingsPath;

    m_connections = new ConnectionsPanel(m_setup.log, this);
    connect(m_connections, &ConnectionsPanel::editProfilesRequested, this,
            &MainWindow::editProfiles);
    addPanel(QStringLiteral("connectionsDock"), tr("Connections"), m_connections);

    m_certificates = new CertificatesPanel(this);
    addPanel(QStringLiteral("certificatesDock"), tr("Certificates"), m_certificates);

    m_reloadEvents = new ReloadEventsPanel(this);
    addPanel(QStringLiteral("reloadEventsDock"), tr("Reload events"), m_reloadEvents);

    // Job control: the controller exists before the panels that show its state.
    m_jobsController = new JobsController(m_setup.jobs, m_setup.log, m_setup.history, this);
    m_jobs = new JobsPanel(m_jobsController, this);
    addPanel(QStringLiteral("jobsDock"), tr("Jobs"), m_jobs);
    m_operations = new OperationsPanel(this);
    addPanel(QStringLiteral("operationsDock"), tr("Operations"), m_operations);
    // A rebuilt executor no longer follows the old one's operations; its resumePending() brings
    // back those the ledger still has in progress.
    connect(m_jobsController, &JobsController::executorChanged, m_operations->model(),
            &OperationsModel::dropInProgress);
    connect(m_jobsController, &JobsController::operationChanged, m_operations->model(),
            &OperationsModel::updateOperation);

    // Node roles: one controller (the ZooKeeper watcher of the profile) behind both docks.
    m_rolesController = new RolesController(m_setup.roles, m_setup.log, this);
    m_nodeRoles = new NodeRolesPanel(m_rolesController, this);
    addPanel(QStringLiteral("nodeRolesDock"), tr("Node roles"), m_nodeRoles);
    m_election = new ElectionPanel(m_rolesController, this);
    addPanel(QStringLiteral("electionDock"), tr("Election"), m_election);

    // Health: the checks of `opsdeck check`, run on a worker thread by the controller.
    m_healthController = new HealthController(m_setup.health, this);
    m_health = new HealthPanel(m_healthController, this);
    addPanel(QStringLiteral("healthDock"), tr("Health"), m_health);

    m_activity = new ActivityLogPanel(m_setup.log, this);
    addPanel(QStringLiteral("activityDock"), tr("Activity log"), m_activity);

    createStatusBar();

    m_notifier = new CertNotifier(m_setup.log, this);
    m_notifier->setStatusBar(statusBar());
    if (m_setup.useSystemTray && QSystemTrayIcon::isSystemTrayAvailable()) {
        m_tray = new QSystemTrayIcon(QApplication::windowIcon(), this);
        m_tray->setToolTip(QStringLiteral("opsdeck"));
        m_tray->show();
        m_notifier->setTrayIcon(m_tray);
    }
    m_tls =
        new TlsMonitorController(m_setup.tls, m_setup.log, m_setup.history, m_certificates->model(),
                                 m_reloadEvents->model(), m_notifier, this);
    m_tls->loadStoredEvents();

    // Rollout: the fleet bundle's leaf (from the TLS monitor) against every live Solr node (from
    // the roles watcher) and the HTTPS REST endpoint. Its dock sits with the certificate docks.
    m_rolloutController = new RolloutController(m_setup.fleet, m_rolesController, m_tls, this);
    m_rollout = new RolloutPanel(m_rolloutController, this);
    addPanel(QStringLiteral("rolloutDock"), tr("Rollout"), m_rollout);
    // Listed in the View menu right after the other certificate docks.
    for (qsizetype i = 0; i < m_docks.size(); ++i) {
        if (m_docks.at(i)->objectName() == QLatin1String("reloadEventsDock")) {
            m_docks.move(m_docks.size() - 1, i + 1);
            break;
        }
    }
    createMenus();

    const bool historyOn = m_setup.history && m_setup.history->isOpen();
    m_connections->setHistoryState(historyOn,
                                   historyOn ? m_setup.history->path() : m_setup.historyError);

    QSettings settings(m_settingsPath, QSettings::IniFormat);
    m_layout.restore(this, settings);

    setActiveProfile(m_setup.activeProfile);
}

MainWindow::~MainWindow() = default;

QDockWidget *MainWindow::addPanel(const QString &objectName, const QString &title, QWidget *content)
{
    auto *dock = new QDockWidget(title, this);
    dock->setObjectName(objectName);
    dock->setWidget(content);
    dock->setFeatures(QDockWidget::DockWidgetClosable | QDockWidget::DockWidgetMovable |
                      QDockWidget::DockWidgetFloatable);
    addDockWidget(Qt::LeftDockWidgetArea, dock);
    m_docks << dock;
    return dock;
}

void MainWindow::createMenus()
{
    m_profileMenu = menuBar()->addMenu(tr("&Profile"));
    m_profileMenu->setObjectName(QStringLiteral("profileMenu"));
    m_profileGroup = new QActionGroup(this);
    m_profileGroup->setExclusive(true);
    rebuildProfileMenu();

    m_viewMenu = menuBar()->addMenu(tr("&View"));
    m_viewMenu->setObjectName(QStringLiteral("viewMenu"));
    for (QDockWidget *dock : std::as_const(m_docks)) {
        QAction *toggle = dock->toggleViewAction();
        toggle->setObjectName(dock->objectName() + QStringLiteral("Toggle"));
        m_viewMenu->addAction(toggle);
    }
    m_viewMenu->addSeparator();
    QAction *restore = m_viewMenu->addAction(tr("&Restore default layout"));
    restore->setObjectName(QStringLiteral("restoreDefaultLayout"));
    connect(restore, &QAction::triggered, this, &MainWindow::restoreDefaultLayout);

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->setObjectName(QStringLiteral("helpMenu"));
    QAction *about = help->addAction(tr("&About opsdeck"));
    about->setObjectName(QStringLiteral("aboutOpsdeck"));
    connect(about, &QAction::triggered, this, &MainWindow::showAbout);
    QAction *aboutQt = help->addAction(tr("About &Qt"));
    aboutQt->setObjectName(QStringLiteral("aboutQt"));
    connect(aboutQt, &QAction::triggered, qApp, &QApplication::aboutQt);
}

void MainWindow::rebuildProfileMenu()
{
    m_profileMenu->clear();
    const auto old = m_profileGroup->actions();
    for (QAction *action : old) {
        m_profileGroup->removeAction(action);
        action->deleteLater();
    }
    if (m_profiles.profiles.isEmpty()) {
        QAction *none = m_profileMenu->addAction(tr("No profiles defined"));
        none->setEnabled(false);
    }
    for (const Profile &p : std::as_const(m_profiles.profiles)) {
        auto *action = new QAction(p.name, m_profileGroup);
        action->setCheckable(true);
        action->setChecked(p.name == m_activeProfile);
        action->setData(p.name);
        if (p.name == m_profiles.defaultProfile)
            action->setText(tr("%1 (default)").arg(p.name));
        connect(action, &QAction::triggered, this,
                [this, name = p.name] { setActiveProfile(name); });
        m_profileMenu->addAction(action);
    }
    m_profileMenu->addSeparator();
    QAction *edit = m_profileMenu->addAction(tr("&Edit profiles…"));
    edit->setObjectName(QStringLiteral("editProfiles"));
    connect(edit, &QAction::triggered, this, &MainWindow::editProfiles);
    m_profileMenu->addSeparator();
    QAction *quit = m_profileMenu->addAction(tr("&Quit"));
    quit->setObjectName(QStringLiteral("quit"));
    quit->setShortcut(QKeySequence::Quit);
    connect(quit, &QAction::triggered, this, &QWidget::close);
}

void MainWindow::createStatusBar()
{
    auto makeLabel = [this](const QString &objectName) {
        auto *label = new QLabel(this);
        label->setObjectName(objectName);
        label->setContentsMargins(6, 0, 6, 0);
        statusBar()->addPermanentWidget(label);
        return label;
    };
    m_configStatus = new QLabel(this);
    m_configStatus->setObjectName(QStringLiteral("statusConfig"));
    m_configStatus->setStyleSheet(QStringLiteral("color: #c62828; font-weight: bold;"));
    m_configStatus->setContentsMargins(6, 0, 6, 0);
    statusBar()->addWidget(m_configStatus, 1);
    if (m_setup.configError.isEmpty()) {
        m_configStatus->hide();
    } else {
        m_configStatus->setText(tr("profiles not loaded — %1").arg(m_setup.configError));
        m_configStatus->setToolTip(m_setup.configError);
    }

    // Switching TLS verification off is never quiet: red in the status bar while it applies.
    m_insecureStatus = makeLabel(QStringLiteral("statusInsecure"));
    m_insecureStatus->setStyleSheet(QStringLiteral("color: #c62828; font-weight: bold;"));
    m_insecureStatus->hide();
    m_profileStatus = makeLabel(QStringLiteral("statusProfile"));
    m_zkStatus = makeLabel(QStringLiteral("statusZooKeeper"));
    m_historyStatus = makeLabel(QStringLiteral("statusHistory"));

    // The badge follows the Node roles watcher while it runs (its session is the live one) and
    // the Connections probe otherwise; the probe's "unreachable" is added while the watcher has
    // no live session.
    connect(m_connections, &ConnectionsPanel::zkStateChanged, this,
            [this](ZkState state, const QString &detail) {
                m_probeState = state;
                m_probeDetail = detail;
                updateZkBadge();
            });
    connect(m_rolesController, &RolesController::statusChanged, this, &MainWindow::updateZkBadge);
    connect(m_rolesController, &RolesController::watcherChanged, this, &MainWindow::updateZkBadge);
    updateZkBadge();

    const bool historyOn = m_setup.history && m_setup.history->isOpen();
    if (historyOn) {
        m_historyStatus->setText(tr("history: on"));
        m_historyStatus->setToolTip(m_setup.history->path());
    } else {
        const QString reason =
            m_setup.historyError.isEmpty() ? tr("not opened") : m_setup.historyError;
        m_historyStatus->setText(tr("history: disabled — %1").arg(reason));
        m_historyStatus->setToolTip(reason);
        m_historyStatus->setStyleSheet(QStringLiteral("color: #c62828; font-weight: bold;"));
    }
}

void MainWindow::updateZkBadge()
{
    if (!m_rolesController->isActive()) {
        m_zkStatus->setText(
            QStringLiteral("ZooKeeper: <b style=\"color:%1\">%2</b>")
                .arg(zkStateColor(m_probeState), zkStateName(m_probeState).toHtmlEscaped()));
        m_zkStatus->setToolTip(m_probeDetail);
        return;
    }
    const roles::ZkStatus status = m_rolesController->status();
    QString state = RolesController::stateLabel(status);
    QString color = RolesController::stateColor(status.state);
    if (status.stale() && m_probeState == ZkState::Unreachable) {
        state = QStringLiteral("%1 — %2").arg(zkStateName(m_probeState), state);
        color = zkStateColor(m_probeState);
    }
    m_zkStatus->setText(QStringLiteral("ZooKeeper: <b style=\"color:%1\">%2</b>")
                            .arg(color, state.toHtmlEscaped()));
    QStringList tip{m_rolesController->connectString()};
    if (!status.server.isEmpty())
        tip << tr("server %1, session 0x%2")
                   .arg(status.server, QString::number(static_cast<quint64>(status.sessionId), 16));
    if (status.stale() && status.lastConfirmed.isValid())
        tip << tr("stale since %1")
                   .arg(status.lastConfirmed.toLocalTime().toString(
                       QStringLiteral("yyyy-MM-dd HH:mm:ss")));
    if (!status.error.isEmpty())
        tip << status.error;
    if (!m_probeDetail.isEmpty())
        tip << tr("probe: %1").arg(m_probeDetail);
    m_zkStatus->setToolTip(tip.join(QLatin1Char('\n')));
}

void MainWindow::updateProfileStatus()
{
    m_profileStatus->setText(m_activeProfile.isEmpty()
                                 ? tr("profile: none")
                                 : tr("profile: <b>%1</b>").arg(m_activeProfile.toHtmlEscaped()));
    setWindowTitle(m_activeProfile.isEmpty() ? QStringLiteral("opsdeck")
                                             : QStringLiteral("%1 — opsdeck").arg(m_activeProfile));
    const auto actions = m_profileGroup->actions();
    for (QAction *action : actions)
        action->setChecked(action->data().toString() == m_activeProfile);
}

void MainWindow::setActiveProfile(const QString &name)
{
    const Profile *profile = name.isEmpty() ? nullptr : m_profiles.find(name);
    if (!name.isEmpty() && !profile) {
        QStringList names;
        for (const Profile &p : std::as_const(m_profiles.profiles))
            names << p.name;
        m_setup.log->error(
            ProfilesSource,
            tr("profile '%1' is not defined in %2 (defined: %3)")
                .arg(name, m_profiles.path.isEmpty() ? m_setup.configPath : m_profiles.path,
                     names.isEmpty() ? tr("none") : names.join(QStringLiteral(", "))));
    }
    const QString newName = profile ? profile->name : QString();
    const bool changed = newName != m_activeProfile || !m_connections->isVisibleTo(this);
    m_activeProfile = newName;
    m_connections->setProfile(profile ? std::optional<Profile>(*profile) : std::nullopt);
    updateProfileStatus();
    const bool insecure = profile && profile->rest.isSet() && profile->rest.insecure;
    m_insecureStatus->setVisible(insecure);
    m_insecureStatus->setText(insecure ? tr("INSECURE: TLS verification off") : QString());
    m_insecureStatus->setToolTip(
        insecure ? tr("Profile '%1' skips TLS verification for %2 (rest.insecure): anyone on the "
                      "path can read and change what is sent, including the token.")
                       .arg(profile->name, profile->rest.url)
                 : QString());
    if (profile && changed)
        m_setup.log->info(ProfilesSource, tr("active profile: %1").arg(profile->name));
    applyTlsProfile(profile);
    m_jobsController->setProfile(profile ? std::optional<Profile>(*profile) : std::nullopt);
    m_rolesController->setProfile(profile ? std::optional<Profile>(*profile) : std::nullopt);
    // After the TLS monitor got the profile: the rollout follows that monitor's bundle states.
    m_rolloutController->setProfile(profile ? std::optional<Profile>(*profile) : std::nullopt);
    m_healthController->setProfile(profile ? std::optional<Profile>(*profile) : std::nullopt);
}

void MainWindow::applyTlsProfile(const Profile *profile)
{
    // Rebuild the monitor only when what it watches changed (another profile, edited bundles).
    const bool same = profile ? (m_tlsProfile && m_tlsProfile->name == profile->name &&
                                 m_tlsProfile->bundles == profile->bundles)
                              : !m_tlsProfile.has_value();
    if (same && (m_tls->isRunning() || !profile || profile->bundles.isEmpty()))
        return;
    m_tlsProfile = profile ? std::optional<Profile>(*profile) : std::nullopt;
    m_tls->setProfile(m_tlsProfile);
}

void MainWindow::setProfiles(const ProfileSet &profiles)
{
    m_profiles = profiles;
    rebuildProfileMenu();
    QString active = m_activeProfile;
    if (!m_profiles.find(active))
        active = m_profiles.defaultProfile;
    if (active.isEmpty() && m_profiles.profiles.size() == 1)
        active = m_profiles.profiles.first().name;
    setActiveProfile(active);
    m_configStatus->hide();
}

void MainWindow::editProfiles()
{
    const QString path =
        m_setup.configPath.isEmpty() ? ProfileStore::defaultConfigPath() : m_setup.configPath;
    ProfileEditorDialog dialog(m_profiles, path, this);
    if (dialog.exec() != QDialog::Accepted)
        return;
    const ProfileSet edited = dialog.profileSet();
    m_setup.log->info(ProfilesSource, tr("saved %n profile(s) to %1", nullptr,
                                         static_cast<int>(edited.profiles.size()))
                                          .arg(path));
    setProfiles(edited);
}

void MainWindow::restoreDefaultLayout()
{
    m_layout.apply(this);
    m_setup.log->info(QStringLiteral("ui"), tr("default layout restored"));
}

void MainWindow::saveLayout()
{
    QSettings settings(m_settingsPath, QSettings::IniFormat);
    m_layout.save(this, settings);
    settings.sync();
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    saveLayout();
    QMainWindow::closeEvent(event);
}

void MainWindow::showAbout()
{
    QMessageBox::about(
        this, tr("About opsdeck"),
        tr("<h3>opsdeck %1</h3>"
           "<p>Operations console for TLS certificate reloads, Flink jobs and SolrCloud node "
           "roles.</p>"
           "<p>Built with Qt %2, running on Qt %3.</p>"
           "<p>License: GPL-3.0-or-later</p>")
            .arg(QStringLiteral(OPSDECK_VERSION), QStringLiteral(QT_VERSION_STR),
                 QString::fromLatin1(qVersion())));
}

} // namespace opsdeck
