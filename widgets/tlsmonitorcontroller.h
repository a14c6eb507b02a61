// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/historystore.h"
#include "common/profile.h"
#include "tls/bundlemonitor.h"
#include "tls/endpointprobe.h"

#include <QHash>
#include <QObject>
#include <memory>
#include <optional>

class QTimer;

namespace opsdeck {

class ActivityLog;
class CertNotifier;
class CertificatesModel;
class HistoryStore;
class ReloadEventsModel;

// Runs certificate monitoring for the active profile and feeds the views.
//
// - One BundleMonitorThread (the monitor on its own worker thread: watching, hashing and parsing
//   never touch the GUI thread) with a BundleSpec per profile bundle. Store passwords are
//   resolved here, on the GUI thread, when the profile is applied; an unresolved reference is an
//   Activity log error naming the reference.
// - An EndpointProber on the GUI thread (asynchronous) for bundles with a probe endpoint: after
//   the initial snapshot, after every CHANGED and every probeIntervalMs.
// - SERVED events are made here, not by the monitor: BundleMonitorThread offers no forwarding of
//   BundleMonitor::reportServed (and its bundle ids are not returned through the thread wrapper).
//   The comparison uses the last good leaf of the bundle's latest BundleState (the same one
//   reportServed compares with) through tls::compareWithDisk, which also tells "rotated on disk,
//   not reloaded" from "differs". A SERVED event is recorded when the outcome changes (served
//   leaf, match, probe error) or when the probe follows a CHANGED, not on every periodic probe.
// - Every event (monitor-made or SERVED) goes to the timeline model, the history store (GUI
//   thread: the store belongs to it), the certificates model, the notifier and the Activity log.
class TlsMonitorController : public QObject
{
    Q_OBJECT
public:
    struct Options
    {
        tls::MonitorOptions monitor; // quiet period, poll, consistency window
        int warnDays = 30;
        int probeIntervalMs = 60000;
        int probeTimeoutMs = tls::DefaultProbeTimeoutMs;
        // Events the history store refused (disk full, locked) are kept, in order, and written
        // again this often until the store takes them; at most MaxUnstoredEvents are kept.
        int storeRetryMs = 5000;
    };
    static constexpr int MaxUnstoredEvents = 1000;

    TlsMonitorController(const Options &options, ActivityLog *log, HistoryStore *history,
                         CertificatesModel *certificates, ReloadEventsModel *events,
                         CertNotifier *notifier, QObject *parent = nullptr);
    ~TlsMonitorController() override;

    // Tears the running monitor down and starts one for the profile's bundles (none: stopped).
    void setProfile(const std::optional<Profile> &profile);
    // Loads the stored timeline (newest first) into the events model. Returns the rows loaded.
    int loadStoredEvents();

    bool isRunning() const { return m_monitor != nullptr; }
    // Reload events waiting to be written to the history store.
    int unstoredEvents() const { return int(m_unstored.size()); }
    tls::BundleMonitorThread *monitorThread() const { return m_monitor.get(); }
    tls::EndpointProber *prober() const { return m_prober; }

public Q_SLOTS:
    // Probes every bundle with an endpoint now.
    void probeAll();

Q_SIGNALS:
    void eventRecorded(const opsdeck::tls::ReloadEvent &event);

private:
    struct Target
    {
        QString bundle; // the monitor's (absolute, clean) path
        QString endpoint;
        QString serverName;
    };
    struct PendingProbe
    {
        quint64 generation = 0;
        QString bundle;
        bool afterChange = false;
    };

    void stop();
    void onEvent(const tls::ReloadEvent &event);
    void onState(const tls::BundleState &state);
    void onProbeFinished(const tls::ProbeResult &result);
    void probe(const Target &target, bool afterChange);
    void record(const tls::ReloadEvent &event);
    void logEvent(const tls::ReloadEvent &event);
    void flushUnstored();

    Options m_options;
    ActivityLog *m_log;
    HistoryStore *m_history;
    CertificatesModel *m_certificates;
    ReloadEventsModel *m_events;
    CertNotifier *m_notifier;

    std::unique_ptr<tls::BundleMonitorThread> m_monitor;
    tls::EndpointProber *m_prober;
    QTimer *m_probeTimer;
    QTimer *m_clockTimer;
    quint64 m_generation = 0;
    QList<Target> m_targets;
    QHash<quint64, PendingProbe> m_probes;
    QHash<QString, tls::CertificateInfo> m_diskLeaf; // bundle -> last good leaf
    QHash<QString, QString> m_lastServedKey;         // bundle -> last recorded SERVED outcome
    bool m_storeErrorLogged = false;
    QList<StoredReloadEvent> m_unstored; // oldest first
    int m_droppedUnstored = 0;
    QTimer *m_storeRetryTimer;
};

} // namespace opsdeck
