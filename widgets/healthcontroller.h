// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/profile.h"
#include "health/healthchecker.h"
#include "health/healthreport.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QTimer>
#include <optional>

class QThread;

namespace opsdeck {

namespace detail {

// Lives on a health check's worker thread and makes the HealthChecker there, as its child, so
// every QObject the checker holds (timers included) belongs to that thread; forwards its report.
class HealthCheckHost : public QObject
{
    Q_OBJECT
public:
    HealthCheckHost(Profile profile, health::CheckOptions options);

    Q_INVOKABLE void start();  // on the worker thread
    Q_INVOKABLE void cancel(); // on the worker thread

Q_SIGNALS:
    void finished(const opsdeck::health::HealthReport &report);

private:
    Profile m_profile;
    health::CheckOptions m_options;
    health::HealthChecker *m_checker = nullptr;
};

} // namespace detail

// Runs the health checks of the active profile for the Health dock: each run is one
// health::HealthChecker (exactly what `opsdeck check` runs) on its own worker QThread, made and
// started there by a queued call (a HealthCheckHost moved to the thread creates it, so none of
// the checker's own timers and sockets belong to the GUI thread); its finished(HealthReport)
// arrives here on the GUI thread, then the thread quits and host and checker are deleted on it
// as it ends (QThread::finished -> deleteLater), the thread itself afterwards on the GUI thread.
//
// Runs never overlap: checkNow() and the periodic timer do nothing while one runs. A new profile
// abandons the run in progress (its report is dropped) and schedules a fresh one. The destructor
// (window closed mid-run) cancels, quits and joins every worker for at most about a second; a
// worker that does not end in time is left to finish on its own and deletes itself.
class HealthController : public QObject
{
    Q_OBJECT
public:
    struct Options
    {
        health::CheckOptions check;
        int intervalMs = 60000;     // periodic runs (0: only checkNow())
        int firstRunDelayMs = 3000; // after a profile is set (-1: no automatic first run)
        int shutdownWaitMs = 1000;
    };

    explicit HealthController(QObject *parent = nullptr);
    explicit HealthController(const Options &options, QObject *parent = nullptr);
    ~HealthController() override;

    // The profile checked from now on (none: stops the periodic runs, clears the report).
    void setProfile(const std::optional<Profile> &profile);
    bool hasProfile() const { return m_profile.has_value(); }

    bool isRunning() const { return m_run.thread != nullptr; }
    bool hasReport() const { return m_report.has_value(); }
    const std::optional<health::HealthReport> &report() const { return m_report; }
    QDateTime lastFinished() const { return m_lastFinished; } // UTC, invalid before a run
    QDateTime nextRun() const; // UTC, invalid when no run is scheduled
    const Options &options() const { return m_options; }
    // Worker threads started and not yet ended (for tests: 0 once everything was cleaned up).
    int liveThreads() const;

public Q_SLOTS:
    // Starts a run now. Returns false (and does nothing) while one runs or without a profile.
    bool checkNow();

Q_SIGNALS:
    void started();
    void finished(const opsdeck::health::HealthReport &report);
    void profileChanged(); // the report is gone; hasProfile() says whether runs will come
    void runningChanged(bool running);

private:
    struct Run
    {
        QThread *thread = nullptr;
        QPointer<detail::HealthCheckHost> host;
        quint64 generation = 0;
    };
    void onFinished(quint64 generation, const health::HealthReport &report);
    void retire(Run &run, bool cancel);
    void scheduleNext(int delayMs);

    Options m_options;
    std::optional<Profile> m_profile;
    std::optional<health::HealthReport> m_report;
    QDateTime m_lastFinished;
    Run m_run;
    quint64 m_generation = 0;
    QList<QPointer<QThread>> m_retired; // quitting; deleted on their finished()
    QTimer m_timer;
};

} // namespace opsdeck
