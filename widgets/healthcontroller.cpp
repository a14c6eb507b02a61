// SPDX-License-Identifier: GPL-3.0-or-later
#include "healthcontroller.h"

#include <QDeadlineTimer>
#include <QLoggingCategory>
#include <QThread>

Q_LOGGING_CATEGORY(lcHealth, "opsdeck.widgets.health")

namespace opsdeck {

namespace detail {

HealthCheckHost::HealthCheckHost(Profile profile, health::CheckOptions options)
    : m_profile(std::move(profile))
    , m_options(std::move(options))
{}

void HealthCheckHost::start()
{
    if (m_checker)
        return;
    m_checker = new health::HealthChecker(m_profile, m_options, this);
    connect(m_checker, &health::HealthChecker::finished, this, &HealthCheckHost::finished);
    m_checker->start();
}

void HealthCheckHost::cancel()
{
    if (m_checker)
        m_checker->cancel();
}

} // namespace detail

HealthController::HealthController(QObject *parent)
    : HealthController(Options{}, parent)
{}

HealthController::HealthController(const Options &options, QObject *parent)
    : QObject(parent)
    , m_options(options)
{
    qRegisterMetaType<opsdeck::health::HealthReport>();
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, [this] { checkNow(); });
}

HealthController::~HealthController()
{
    m_timer.stop();
    if (m_run.thread)
        retire(m_run, true);
    // Join every worker within one shared deadline: the checker is asynchronous, so quitting its
    // event loop ends the thread at once and the checker is deleted on it (its destructor aborts
    // what is in flight).
    QDeadlineTimer deadline(std::max(0, m_options.shutdownWaitMs));
    for (const QPointer<QThread> &thread : std::as_const(m_retired)) {
        if (!thread)
            continue;
        if (thread->wait(deadline)) {
            delete thread.data();
            continue;
        }
        // Not ended in time: never block the window's close on it and never destroy a running
        // QThread. Orphaned, it deletes itself when it ends.
        qCWarning(lcHealth) << "health check worker did not stop within" << m_options.shutdownWaitMs
                            << "ms; left to finish on its own";
        thread->setParent(nullptr);
        QObject::connect(thread.data(), &QThread::finished, thread.data(), &QObject::deleteLater);
    }
    m_retired.clear();
}

void HealthController::setProfile(const std::optional<Profile> &profile)
{
    if (profile == m_profile && (m_report || m_run.thread || m_timer.isActive()))
        return;
    m_profile = profile;
    m_timer.stop();
    const bool wasRunning = m_run.thread != nullptr;
    if (wasRunning)
        retire(m_run, true);
    m_report.reset();
    m_lastFinished = {};
    emit profileChanged();
    if (wasRunning)
        emit runningChanged(false);
    if (m_profile && m_options.firstRunDelayMs >= 0)
        scheduleNext(m_options.firstRunDelayMs);
}

QDateTime HealthController::nextRun() const
{
    if (!m_timer.isActive())
        return {};
    return QDateTime::currentDateTimeUtc().addMSecs(m_timer.remainingTime());
}

int HealthController::liveThreads() const
{
    int n = m_run.thread ? 1 : 0;
    for (const QPointer<QThread> &thread : m_retired)
        if (thread)
            ++n;
    return n;
}

bool HealthController::checkNow()
{
    if (!m_profile || m_run.thread)
        return false;
    m_timer.stop();

    const quint64 generation = ++m_generation;
    auto *thread = new QThread(this);
    thread->setObjectName(QStringLiteral("opsdeck-health"));
    auto *host = new detail::HealthCheckHost(*m_profile, m_options.check); // moved: no parent
    host->moveToThread(thread);
    // Deleted (with its checker) on its own thread as the thread ends (QThread processes
    // deferred deletes after finished()).
    connect(thread, &QThread::finished, host, &QObject::deleteLater);
    connect(
        host, &detail::HealthCheckHost::finished, this,
        [this, generation](const health::HealthReport &report) { onFinished(generation, report); });
    m_run = Run{thread, host, generation};
    thread->start();
    QMetaObject::invokeMethod(host, &detail::HealthCheckHost::start, Qt::QueuedConnection);
    emit started();
    emit runningChanged(true);
    return true;
}

void HealthController::onFinished(quint64 generation, const health::HealthReport &report)
{
    if (!m_run.thread || generation != m_run.generation)
        return; // an abandoned run (another profile since)
    retire(m_run, false);
    m_report = report;
    m_lastFinished = QDateTime::currentDateTimeUtc();
    if (m_options.intervalMs > 0)
        scheduleNext(m_options.intervalMs); // before the signals, so views see the next run
    emit runningChanged(false);
    emit finished(report);
}

void HealthController::retire(Run &run, bool cancel)
{
    QThread *thread = run.thread;
    if (run.host) {
        disconnect(run.host, nullptr, this, nullptr); // its report is no longer wanted
        if (cancel)
            QMetaObject::invokeMethod(run.host, &detail::HealthCheckHost::cancel,
                                      Qt::QueuedConnection);
    }
    run = Run{};
    if (!thread)
        return;
    // The thread object lives here; delete it once it ended (host and checker are gone by then:
    // finished() is emitted after the run, and the deferred deletes follow it on the thread, so
    // wait() returns at once). Deleted here rather than with deleteLater(), which only happens
    // once control returns to an outer event loop.
    connect(thread, &QThread::finished, this, [this, thread] {
        m_retired.removeAll(QPointer<QThread>(thread));
        m_retired.removeAll(QPointer<QThread>());
        thread->wait();
        delete thread;
    });
    m_retired << QPointer<QThread>(thread);
    thread->quit();
}

void HealthController::scheduleNext(int delayMs)
{
    m_timer.start(std::max(0, delayMs));
}

} // namespace opsdeck
