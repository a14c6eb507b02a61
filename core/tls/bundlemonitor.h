// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Watches certificate bundles and decides reload events:
//   event -> bundle dirty -> quiet period -> stat -> hash (identity changed) -> parse (bytes
//   changed) -> evaluate the whole bundle -> commit (CHANGED) or PENDING -> INVALID after the
//   consistency window, always keeping the last good state.
// Unchanged bytes never produce an event. A safety poll re-stats every bundle and re-evaluates
// validity (STATUS) without new bytes.
//
// The monitor is a QObject for one thread: in the GUI it lives on the worker thread of a
// BundleMonitorThread; the headless command runs it on the main thread. Results leave it as
// values through signals.

#include "endpointprobe.h"
#include "fswatcher.h"
#include "inspector.h"
#include "reloadevent.h"
#include "tlstypes.h"

#include <QByteArray>
#include <QDateTime>
#include <QElapsedTimer>
#include <QHash>
#include <QList>
#include <QObject>
#include <QString>
#include <functional>
#include <memory>

class QThread;
class QTimer;

namespace opsdeck::tls {

struct BundleSpec
{
    QString path;        // directory (k8s ..data layout understood) or single file
    QByteArray password; // store password, already resolved from its SecretRef
    bool havePassword = false;
    QString expectedHostname; // checked against the leaf when set
    int warnDays = 30;
};

struct MonitorOptions
{
    int quietPeriodMs = 2000;       // events must stop this long before a bundle is rescanned
    int pollIntervalS = 30;         // safety poll (and the poll-only mode's interval)
    int consistencyWindowS = 30;    // PENDING this long becomes INVALID
    bool forcePoll = false;         // no inotify at all: every bundle poll-only
    int maxWatches = -1;            // cap on inotify watches (-1: kernel limit); over it -> poll
    int parallelThreshold = 16;     // hash/parse on all cores when at least this many files changed
    int pollIntervalMsOverride = 0; // tests: poll interval in ms (0: use pollIntervalS)

    // Hooks for tests; the defaults are inspectBytes and evaluateBundle.
    std::function<FileInspection(const QString &, const QByteArray &, const InspectOptions &)>
        inspect;
    std::function<BundleEvaluation(const QList<FileInspection> &, const EvaluateOptions &)>
        evaluate;
};

class BundleMonitor : public QObject
{
    Q_OBJECT
public:
    explicit BundleMonitor(const MonitorOptions &options = {}, QObject *parent = nullptr);
    ~BundleMonitor() override;

    // Adds a bundle; before start() it is part of the initial SNAPSHOT/READY sequence, after it
    // a SNAPSHOT is emitted for it at once. Returns the bundle id.
    int addBundle(const BundleSpec &spec);
    void removeBundle(int id);

    // Scans every bundle (cold scan, parallel), emits one SNAPSHOT per bundle, then READY, then
    // WATCH_DEGRADED for bundles that are polled only; starts the timers.
    void start();

    // Forces a settled rescan of every bundle now (no quiet period).
    void rescanAll();

    QList<BundleState> states() const;
    BundleState state(int id) const;
    WatchStats stats() const;
    const MonitorOptions &options() const { return m_options; }
    FsWatcher *watcher() const { return m_watcher; }

    // Emits SERVED for an endpoint probe of bundle `id`, compared with its last good leaf
    // (servedEvent). The probe itself lives elsewhere (EndpointProber); it calls this.
    void reportServed(int id, const opsdeck::tls::ProbeResult &result);

signals:
    void event(const opsdeck::tls::ReloadEvent &event);
    void stateChanged(const opsdeck::tls::BundleState &state);
    void ready();

private:
    struct FileRecord;
    struct Bundle;

    void onTargetChanged(int targetId);
    void onOverflow();
    void onDegraded(int targetId, const QString &reason, const QString &detail);
    void markDirty(Bundle &b);
    void armQuietTimer();
    void onQuietTimer();
    void onPollTick();
    void onConsistencyTimer();
    void settle(Bundle &b, bool initial);
    bool statChanged(Bundle &b);
    void reevaluateTime(Bundle &b);
    void armTimeTimers();
    QList<FileInspection> collect(Bundle &b, bool *unavailable, QString *unavailableDetail,
                                  Problem *problem);
    void emitEvent(ReloadEvent e);
    ReloadEvent makeEvent(ReloadEventKind kind, const Bundle &b) const;
    void commit(Bundle &b, const QList<FileInspection> &files, const BundleEvaluation &eval);
    EvaluateOptions evalOptions(const Bundle &b) const;
    int pollIntervalMs() const;

    MonitorOptions m_options;
    FsWatcher *m_watcher = nullptr;
    QTimer *m_quietTimer = nullptr;
    QTimer *m_pollTimer = nullptr;
    QTimer *m_windowTimer = nullptr;
    QTimer *m_expiryTimer = nullptr;
    QElapsedTimer m_clock;
    bool m_started = false;
    int m_nextId = 1;
    QHash<int, std::shared_ptr<Bundle>> m_bundles;
    QHash<int, int> m_bundleByTarget;
    WatchStats m_stats;
};

// Owns a worker thread running a BundleMonitor (the GUI's way to use it). Calls are forwarded
// to the worker thread; signals arrive queued, as values, on the owner's thread. The destructor
// stops the thread and waits for it.
class BundleMonitorThread : public QObject
{
    Q_OBJECT
public:
    explicit BundleMonitorThread(const MonitorOptions &options = {}, QObject *parent = nullptr);
    ~BundleMonitorThread() override;

    void addBundle(const BundleSpec &spec);
    void start();
    void rescanAll();
    // The worker thread (for tests; never touch the monitor from another thread).
    QThread *workerThread() const { return m_thread; }

signals:
    void event(const opsdeck::tls::ReloadEvent &event);
    void stateChanged(const opsdeck::tls::BundleState &state);
    void ready();

private:
    QThread *m_thread = nullptr;
    BundleMonitor *m_monitor = nullptr;
};

} // namespace opsdeck::tls
