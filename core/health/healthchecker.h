// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Runs every check a profile configures and produces one HealthReport:
//  - certs: every bundle scanned by a BundleMonitor (verdict, days left against the thresholds,
//    how it can be watched), and its probe endpoint's served leaf against disk;
//  - jobs: GET /jobs/overview through RestClient (reachable, TLS valid), jobs FAILING or
//    RESTARTING, FAILED within the window, and the ledger's savepoints in progress too long;
//  - roles: one SolrWatcher read (session, findings, an overseer elected and eligible);
//  - fleet: every live Solr node and the HTTPS REST endpoint probed, served leaf vs the bundle.
// Everything is asynchronous on the checker's thread; finished() is emitted exactly once. The
// checker may be moved to a worker thread before start() (the console does that); the report
// crosses threads as a value.

#include "common/profile.h"
#include "healthreport.h"
#include "tls/tlstypes.h"

#include <QObject>
#include <QSet>
#include <QString>
#include <memory>

namespace opsdeck::health {

struct CheckOptions
{
    QSet<QString> only;        // modules to run; empty: all
    int warnDays = 30;         // certificate days left: WARNING at or below
    int criticalDays = 7;      // CRITICAL at or below
    int timeoutMs = 5000;      // REST, ZooKeeper and probe bound (each)
    int failedWithinS = 3600;  // a FAILED job counts as "recent" if it ended within this
    int stuckAfterS = 900;     // a ledger savepoint in progress longer than this is stuck
    int fleetConcurrency = 16; // concurrent fleet handshakes
    QString historyPath;       // the history database (ledger); empty: the default path
    QString fleetBundle;       // bundle path compared in the fleet check; empty: the first
    QDateTime now;             // evaluation time; invalid: the current time
};

// A bundle's verdict as a monitoring state: expiring within warnDays WARNING; expired, invalid,
// mismatched, untrusted or within critDays CRITICAL; unreadable or missing UNKNOWN. (`certs scan`
// uses the same rule.)
State bundleVerdictState(const tls::BundleEvaluation &evaluation, int warnDays, int critDays);

class HealthChecker : public QObject
{
    Q_OBJECT
public:
    explicit HealthChecker(Profile profile, CheckOptions options, QObject *parent = nullptr);
    ~HealthChecker() override;

    // Starts the checks. Call once, on the checker's thread (QMetaObject::invokeMethod from
    // another thread).
    Q_INVOKABLE void start();
    // Aborts what is running; finished() still comes, with the unfinished parts UNKNOWN.
    Q_INVOKABLE void cancel();

Q_SIGNALS:
    void finished(const opsdeck::health::HealthReport &report);

private:
    struct Run;
    std::unique_ptr<Run> d;
};

} // namespace opsdeck::health
