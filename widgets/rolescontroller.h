// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/profile.h"
#include "roles/findings.h"
#include "roles/rolesnapshot.h"
#include "roles/solrwatcher.h"

#include <QHash>
#include <QObject>
#include <QTimer>
#include <memory>
#include <optional>

namespace opsdeck {

class ActivityLog;

// The Node roles module of the active profile: one SolrWatcher on the profile's zookeeper
// section (rebuilt when the profile or that section changes) and a FindingTracker. Every complete
// tree becomes a RolesSnapshot (built here, on the GUI thread: it is cheap) with the live findings
// (preferred-leader grace period included). Findings that appear or go are written to the
// Activity log once per change (source "roles"). Lives on the GUI thread.
class RolesController : public QObject
{
    Q_OBJECT
public:
    struct Options
    {
        int preferredGraceSeconds = 60;
        int queuePollMs = 0; // 0: the watcher's default
    };

    explicit RolesController(ActivityLog *log, QObject *parent = nullptr);
    RolesController(const Options &options, ActivityLog *log, QObject *parent = nullptr);
    ~RolesController() override;

    // Tears the watcher down and starts one for the profile's ZooKeeper ensemble. Does nothing
    // when the profile's name and zookeeper section did not change.
    void setProfile(const std::optional<Profile> &profile);

    // True while a watcher runs (the profile has a usable zookeeper section).
    bool isActive() const { return m_watcher != nullptr; }
    roles::SolrWatcher *watcher() const { return m_watcher.get(); }
    QString connectString() const
    {
        return m_profile ? m_profile->zookeeper.connectString : QString();
    }
    // Why there is no watcher, for people; empty while one runs.
    QString unavailableReason() const { return m_reason; }

    bool hasSnapshot() const { return m_hasSnapshot; }
    const roles::RolesSnapshot &snapshot() const { return m_snapshot; }
    const QList<roles::Finding> &findings() const { return m_findings; }
    roles::ZkStatus status() const;

    // The badge text of a watcher state: connected, reconnecting (stale), expired, auth failed...
    static QString stateLabel(const roles::ZkStatus &status);
    static QString stateColor(roles::ZkSessionState state); // "#rrggbb"

Q_SIGNALS:
    // After every rebuild: the old snapshot is gone (isActive()/unavailableReason() say why).
    void watcherChanged();
    void statusChanged(const opsdeck::roles::ZkStatus &status);
    void snapshotChanged(const opsdeck::roles::RolesSnapshot &snapshot,
                         const QList<opsdeck::roles::Finding> &findings);

private:
    void teardown();
    void onTree(const roles::SolrTree &tree);
    void onStatus(const roles::ZkStatus &status);
    void evaluate();
    void logFindingChanges(const QList<roles::Finding> &findings);

    Options m_options;
    ActivityLog *m_log;
    std::optional<Profile> m_profile;
    bool m_applied = false;
    QString m_reason;
    std::unique_ptr<roles::SolrWatcher> m_watcher;
    roles::FindingTracker m_tracker;
    roles::RolesSnapshot m_snapshot;
    bool m_hasSnapshot = false;
    QList<roles::Finding> m_findings;
    QHash<QString, roles::Finding> m_logged; // code + node -> finding, as last logged
    roles::ZkSessionState m_lastState = roles::ZkSessionState::Closed;
    QTimer m_graceTimer; // re-evaluates when the preferred-leader grace period runs out
};

} // namespace opsdeck
