// SPDX-License-Identifier: GPL-3.0-or-later
#include "jobscontroller.h"

#include "common/activitylog.h"
#include "common/historystore.h"
#include "jobs/audittrail.h"
#include "jobs/restclient.h"

#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcJobsController, "opsdeck.widgets.jobs")

namespace opsdeck {

namespace {

const QString Source = QStringLiteral("jobs");

} // namespace

JobsController::JobsController(const Options &options, ActivityLog *log, HistoryStore *history,
                               QObject *parent)
    : QObject(parent)
    , m_options(options)
    , m_log(log)
    , m_history(history)
{
    qRegisterMetaType<opsdeck::jobs::JobOperation>();
    m_reason = tr("No profile selected: choose one in the Profile menu.");
}

JobsController::~JobsController()
{
    teardown();
}

QString JobsController::auditPath() const
{
    return m_options.auditPath.isEmpty() ? jobs::AuditTrail::defaultPath() : m_options.auditPath;
}

QString JobsController::endpointLabel() const
{
    return m_client ? m_client->endpointLabel() : QString();
}

void JobsController::teardown()
{
    // The executor first: it borrows the client and the audit trail. Its pending callbacks are
    // dropped (they hold a guarded pointer to it), and the ledger keeps unfinished operations.
    m_executor.reset();
    m_client.reset();
    m_audit.reset();
}

void JobsController::setProfile(const std::optional<Profile> &profile)
{
    const bool same =
        m_applied && profile.has_value() == m_profile.has_value() &&
        (!profile || (profile->name == m_profile->name && profile->rest == m_profile->rest));
    if (same)
        return;
    m_applied = true;
    teardown();
    m_profile = profile;
    m_reason.clear();
    if (!profile) {
        m_reason = tr("No profile selected: choose one in the Profile menu.");
    } else if (!profile->rest.isSet()) {
        m_reason = tr("Profile %1 has no Flink REST endpoint (rest.url): add one with Profile ▸ "
                      "Edit profiles… to run job statements.")
                       .arg(profile->name);
    } else {
        auto client = std::make_unique<jobs::RestClient>();
        const Result<void> configured = client->configure(profile->rest);
        if (!configured) {
            m_reason = tr("The Flink REST endpoint of profile %1 cannot be used: %2")
                           .arg(profile->name, configured.error().toString());
            m_log->error(Source, m_reason);
        } else {
            m_client = std::move(client);
            m_audit = std::make_unique<jobs::AuditTrail>(m_history, auditPath());
            m_executor = std::make_unique<jobs::JobExecutor>(m_client.get(), m_history,
                                                             m_audit.get(), profile->name);
            if (m_options.pollFirstMs > 0)
                m_executor->setPollBackoff(m_options.pollFirstMs,
                                           std::max(m_options.pollFirstMs, m_options.pollMaxMs));
            connect(m_executor.get(), &jobs::JobExecutor::operationChanged, this,
                    &JobsController::onOperation);
            connect(m_executor.get(), &jobs::JobExecutor::jobsListed, this,
                    &JobsController::jobsListed);
            if (profile->rest.insecure)
                m_log->warning(Source, tr("%1: TLS verification is OFF for this endpoint "
                                          "(rest.insecure)")
                                           .arg(m_client->endpointLabel()));
            qCDebug(lcJobsController) << "jobs endpoint" << m_client->endpointLabel();
        }
    }
    emit executorChanged();
    if (m_executor)
        m_executor->resumePending();
}

void JobsController::onOperation(const jobs::JobOperation &op)
{
    emit operationChanged(op);
    const QString job =
        op.jobName.isEmpty() ? op.jobId : QStringLiteral("%1 (%2)").arg(op.jobName, op.jobId);
    switch (op.state) {
    case jobs::JobOperation::State::InProgress:
        return;
    case jobs::JobOperation::State::Completed:
        if (op.kind == QLatin1String("disposal"))
            m_log->info(Source, tr("savepoint %1 disposed").arg(op.savepointPath));
        else
            m_log->info(Source, tr("%1 of job %2 completed: %3").arg(op.kind, job, op.location));
        return;
    case jobs::JobOperation::State::Failed:
        m_log->error(Source, tr("%1 of %2 failed: %3")
                                 .arg(op.kind,
                                      op.kind == QLatin1String("disposal") ? op.savepointPath
                                                                           : tr("job %1").arg(job),
                                      op.failure));
        return;
    case jobs::JobOperation::State::Unknown:
        m_log->warning(Source,
                       tr("%1 of %2 (trigger %3): %4")
                           .arg(op.kind,
                                op.kind == QLatin1String("disposal") ? op.savepointPath
                                                                     : tr("job %1").arg(job),
                                op.triggerId, op.failure));
        return;
    }
}

void JobsController::logResult(const jobs::StatementResult &result)
{
    if (!result.statement.isMutating())
        return;
    const QString statement = result.statement.canonicalText();
    QString text = QStringLiteral("%1: %2").arg(statement, jobs::execStatusName(result.status));
    if (result.error)
        text += QStringLiteral(" — ") + result.error->toString();
    else if (!result.triggerId.isEmpty())
        text += tr(" (trigger %1)").arg(result.triggerId);
    switch (result.status) {
    case jobs::ExecStatus::Ok:
    case jobs::ExecStatus::InProgress:
        m_log->info(Source, text);
        return;
    case jobs::ExecStatus::Failed:
        m_log->error(Source, text);
        return;
    case jobs::ExecStatus::NotExecuted:
        m_log->warning(Source, text);
        return;
    }
}

void JobsController::logDeclined(const jobs::Statement &statement)
{
    m_log->info(Source, tr("%1: declined, not run").arg(statement.canonicalText()));
}

} // namespace opsdeck
