// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/profile.h"
#include "jobs/jobexecutor.h"

#include <QObject>
#include <memory>
#include <optional>

namespace opsdeck {

class ActivityLog;
class HistoryStore;

namespace jobs {
class AuditTrail;
class RestClient;
} // namespace jobs

// The Job control module of the active profile: one RestClient, JobExecutor and AuditTrail, built
// from the profile's rest section and rebuilt when the profile (or its rest section) changes.
// After a rebuild it calls resumePending() so operations left in progress by an earlier run are
// followed again. Forwards the executor's signals (so views connect once), and writes mutating
// results and finished operations to the Activity log. Lives on the GUI thread.
class JobsController : public QObject
{
    Q_OBJECT
public:
    struct Options
    {
        QString auditPath; // empty: AuditTrail::defaultPath()
        // Poll back-off bounds of asynchronous operations (0: the executor's defaults).
        int pollFirstMs = 0;
        int pollMaxMs = 0;
    };

    JobsController(const Options &options, ActivityLog *log, HistoryStore *history,
                   QObject *parent = nullptr);
    ~JobsController() override;

    // Tears the executor down and builds one for the profile's REST endpoint (none: unavailable).
    // Does nothing when the profile's name and rest section did not change.
    void setProfile(const std::optional<Profile> &profile);

    // Null when there is no profile, the profile has no rest.url or configure() failed.
    jobs::JobExecutor *executor() const { return m_executor.get(); }
    jobs::RestClient *client() const { return m_client.get(); }
    HistoryStore *history() const { return m_history; }
    QString profileName() const { return m_profile ? m_profile->name : QString(); }
    QString endpointLabel() const;
    QString auditPath() const;
    // Why executor() is null, for people ("profile demo has no rest.url ..."); empty otherwise.
    QString unavailableReason() const { return m_reason; }

    // The Activity log line of a statement's result (mutating statements only).
    void logResult(const jobs::StatementResult &result);
    // The Activity log line of a statement the user declined to run.
    void logDeclined(const jobs::Statement &statement);

Q_SIGNALS:
    // After every rebuild (executor() may be null now).
    void executorChanged();
    void operationChanged(const opsdeck::jobs::JobOperation &operation);
    void jobsListed(const QList<opsdeck::jobs::JobOverview> &jobs);

private:
    void teardown();
    void onOperation(const jobs::JobOperation &operation);

    Options m_options;
    ActivityLog *m_log;
    HistoryStore *m_history;
    std::optional<Profile> m_profile;
    bool m_applied = false;
    QString m_reason;
    std::unique_ptr<jobs::AuditTrail> m_audit;
    std::unique_ptr<jobs::RestClient> m_client;
    std::unique_ptr<jobs::JobExecutor> m_executor;
};

} // namespace opsdeck
