// SPDX-License-Identifier: GPL-3.0-or-later
#include "rolescontroller.h"

#include "common/activitylog.h"

#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcRolesController, "opsdeck.widgets.roles")

namespace opsdeck {

namespace {

const QString Source = QStringLiteral("roles");

QString findingKey(const roles::Finding &f)
{
    return f.code + QLatin1Char('\x1f') + f.node;
}

QString findingLine(const roles::Finding &f)
{
    return f.node.isEmpty() ? QStringLiteral("%1: %2").arg(f.code, f.message)
                            : QStringLiteral("%1 [%2]: %3").arg(f.code, f.node, f.message);
}

Severity logSeverity(roles::Finding::Severity severity)
{
    switch (severity) {
    case roles::Finding::Critical:
        return Severity::Error;
    case roles::Finding::Warning:
        return Severity::Warning;
    case roles::Finding::Info:
        break;
    }
    return Severity::Info;
}

} // namespace

RolesController::RolesController(ActivityLog *log, QObject *parent)
    : RolesController(Options{}, log, parent)
{}

RolesController::RolesController(const Options &options, ActivityLog *log, QObject *parent)
    : QObject(parent)
    , m_options(options)
    , m_log(log)
    , m_tracker(options.preferredGraceSeconds)
{
    qRegisterMetaType<opsdeck::roles::ZkStatus>();
    qRegisterMetaType<opsdeck::roles::SolrTree>();
    m_reason = tr("No profile selected: choose one in the Profile menu.");
    m_graceTimer.setSingleShot(true);
    connect(&m_graceTimer, &QTimer::timeout, this, [this] {
        if (m_hasSnapshot)
            evaluate();
    });
}

RolesController::~RolesController()
{
    teardown();
}

roles::ZkStatus RolesController::status() const
{
    return m_watcher ? m_watcher->status() : roles::ZkStatus{};
}

QString RolesController::stateLabel(const roles::ZkStatus &status)
{
    switch (status.state) {
    case roles::ZkSessionState::Connected:
        return tr("connected");
    case roles::ZkSessionState::Connecting:
        return tr("connecting…");
    case roles::ZkSessionState::Reconnecting:
        return tr("reconnecting (stale)");
    case roles::ZkSessionState::Expired:
        return tr("expired (stale)");
    case roles::ZkSessionState::AuthFailed:
        return tr("auth failed");
    case roles::ZkSessionState::Closed:
        break;
    }
    return tr("closed");
}

QString RolesController::stateColor(roles::ZkSessionState state)
{
    switch (state) {
    case roles::ZkSessionState::Connected:
        return QStringLiteral("#15803d");
    case roles::ZkSessionState::Connecting:
    case roles::ZkSessionState::Reconnecting:
    case roles::ZkSessionState::Expired:
        return QStringLiteral("#b45309");
    case roles::ZkSessionState::AuthFailed:
        return QStringLiteral("#c62828");
    case roles::ZkSessionState::Closed:
        break;
    }
    return QStringLiteral("#6b7280");
}

void RolesController::teardown()
{
    m_graceTimer.stop();
    if (m_watcher) {
        m_watcher->disconnect(this);
        m_watcher->stop();
        m_watcher.reset();
    }
    m_snapshot = {};
    m_hasSnapshot = false;
    m_findings.clear();
    m_logged.clear();
    m_tracker = roles::FindingTracker(m_options.preferredGraceSeconds);
    m_lastState = roles::ZkSessionState::Closed;
}

void RolesController::setProfile(const std::optional<Profile> &profile)
{
    const bool same = m_applied && profile.has_value() == m_profile.has_value() &&
                      (!profile || (profile->name == m_profile->name &&
                                    profile->zookeeper == m_profile->zookeeper));
    if (same)
        return;
    m_applied = true;
    teardown();
    m_profile = profile;
    m_reason.clear();
    if (!profile) {
        m_reason = tr("No profile selected: choose one in the Profile menu.");
    } else if (!profile->zookeeper.isSet()) {
        m_reason = tr("Profile %1 has no ZooKeeper ensemble (zookeeper.connect): add one with "
                      "Profile ▸ Edit profiles… to see the SolrCloud node roles and the Overseer "
                      "election.")
                       .arg(profile->name);
    } else {
        auto watcher = std::make_unique<roles::SolrWatcher>(profile->zookeeper);
        if (m_options.queuePollMs > 0)
            watcher->setQueuePollMs(m_options.queuePollMs);
        connect(watcher.get(), &roles::SolrWatcher::statusChanged, this,
                &RolesController::onStatus);
        connect(watcher.get(), &roles::SolrWatcher::treeChanged, this, &RolesController::onTree);
        const Result<void> started = watcher->start();
        if (!started) {
            m_reason = tr("The ZooKeeper ensemble of profile %1 cannot be watched: %2")
                           .arg(profile->name, started.error().toString());
            m_log->error(Source, m_reason);
        } else {
            m_watcher = std::move(watcher);
            m_log->info(
                Source,
                tr("watching the SolrCloud tree at %1").arg(profile->zookeeper.connectString));
            qCDebug(lcRolesController) << "watching" << profile->zookeeper.connectString;
        }
    }
    emit watcherChanged();
    if (m_watcher)
        emit statusChanged(m_watcher->status());
}

void RolesController::onStatus(const roles::ZkStatus &status)
{
    const roles::ZkSessionState previous = m_lastState;
    m_lastState = status.state;
    if (previous != status.state) {
        const QString where = connectString();
        switch (status.state) {
        case roles::ZkSessionState::Reconnecting:
            if (previous == roles::ZkSessionState::Connected)
                m_log->warning(Source, tr("%1: connection lost, the node roles view is stale until "
                                          "it is back")
                                           .arg(where));
            break;
        case roles::ZkSessionState::Expired:
            m_log->warning(
                Source,
                tr("%1: session expired, opening a new one (then a full reload)").arg(where));
            break;
        case roles::ZkSessionState::AuthFailed:
            m_log->error(Source, tr("%1: authentication failed%2")
                                     .arg(where, status.error.isEmpty()
                                                     ? QString()
                                                     : QStringLiteral(" — ") + status.error));
            break;
        case roles::ZkSessionState::Connected:
            if (previous == roles::ZkSessionState::Reconnecting ||
                previous == roles::ZkSessionState::Expired)
                m_log->info(Source, tr("%1: connected again").arg(where));
            break;
        case roles::ZkSessionState::Connecting:
        case roles::ZkSessionState::Closed:
            break;
        }
    }
    emit statusChanged(status);
}

void RolesController::onTree(const roles::SolrTree &tree)
{
    m_snapshot = roles::buildSnapshot(tree, QDateTime::currentDateTimeUtc());
    m_hasSnapshot = true;
    evaluate();
}

void RolesController::evaluate()
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const QList<roles::Finding> findings = m_tracker.update(m_snapshot, now);
    m_findings = findings;
    // The grace period may run out without another change of the tree.
    m_graceTimer.stop();
    const QDateTime since = m_tracker.nonPreferredLeaderSince();
    if (since.isValid()) {
        const qint64 due = now.msecsTo(since.addSecs(m_options.preferredGraceSeconds));
        if (due >= 0)
            m_graceTimer.start(static_cast<int>(std::min<qint64>(due + 50, 24 * 3600 * 1000)));
    }
    logFindingChanges(findings);
    emit snapshotChanged(m_snapshot, m_findings);
}

void RolesController::logFindingChanges(const QList<roles::Finding> &findings)
{
    QHash<QString, roles::Finding> current;
    for (const roles::Finding &f : findings)
        current.insert(findingKey(f), f);
    for (auto it = m_logged.cbegin(); it != m_logged.cend(); ++it) {
        if (!current.contains(it.key()))
            m_log->info(Source, tr("resolved: %1").arg(findingLine(it.value())));
    }
    for (const roles::Finding &f : findings) {
        const auto old = m_logged.constFind(findingKey(f));
        // A message that only restates the same finding (counts...) is not a new one; a changed
        // severity is.
        if (old != m_logged.cend() && old->severity == f.severity)
            continue;
        m_log->add(logSeverity(f.severity), Source, findingLine(f));
    }
    m_logged = current;
}

} // namespace opsdeck
