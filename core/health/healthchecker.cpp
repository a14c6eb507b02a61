// SPDX-License-Identifier: GPL-3.0-or-later
#include "healthchecker.h"

#include "common/historystore.h"
#include "jobs/flinkjson.h"
#include "jobs/restclient.h"
#include "roles/findings.h"
#include "roles/rolesjson.h"
#include "roles/rolesnapshot.h"
#include "roles/solrwatcher.h"
#include "tls/bundlemonitor.h"
#include "tls/endpointprobe.h"

#include <QElapsedTimer>
#include <QFileInfo>
#include <QPointer>
#include <QTimer>
#include <QUrl>

namespace opsdeck::health {

using tls::BundleState;
using tls::ProbeResult;

State bundleVerdictState(const tls::BundleEvaluation &evaluation, int warnDays, int critDays)
{
    using tls::Problem;
    using tls::Verdict;
    switch (evaluation.verdict) {
    case Verdict::Unreadable:
        return State::Unknown;
    case Verdict::Invalid:
        if (evaluation.problem == Problem::Unreadable || evaluation.problem == Problem::Missing ||
            evaluation.problem == Problem::SymlinkLoop)
            return State::Unknown;
        return State::Critical;
    case Verdict::Expired:
    case Verdict::NotYetValid:
    case Verdict::UntrustedChain:
    case Verdict::KeyMismatch:
    case Verdict::HostnameMismatch:
        return State::Critical;
    case Verdict::Ok:
        break;
    }
    if (evaluation.leaf && evaluation.daysLeft <= critDays)
        return State::Critical;
    if (evaluation.leaf && evaluation.daysLeft <= warnDays)
        return State::Warning;
    return State::Ok;
}

namespace {

double epochSeconds(const QDateTime &ts)
{
    return double(ts.toMSecsSinceEpoch()) / 1000.0;
}

QString shortFp(const QString &sha)
{
    return sha.isEmpty() ? QStringLiteral("-") : sha.left(16);
}

} // namespace

struct HealthChecker::Run
{
    HealthChecker *q = nullptr;
    Profile profile;
    CheckOptions opt;
    HealthReport report;
    QElapsedTimer clock;
    QDateTime now;
    bool started = false;
    bool done = false;

    // Parts still running: "certs", "probes", "jobs", "ledger", "roles", "fleet".
    QSet<QString> pending;

    std::unique_ptr<tls::BundleMonitor> monitor;
    tls::EndpointProber *prober = nullptr;
    QHash<quint64, int> probeBundle;                       // probe id -> bundle index
    QList<std::optional<tls::CertificateInfo>> diskLeaves; // by bundle index
    bool certsReady = false;

    std::unique_ptr<jobs::RestClient> rest;
    std::unique_ptr<roles::SolrWatcher> watcher;
    std::optional<roles::RolesSnapshot> snapshot;
    bool rolesDone = false;

    std::unique_ptr<FleetRollout> fleet;
    bool fleetDecided = false; // the fleet check started, or was found impossible
    // Created in start(), as a child of the checker: the checker may have been moved to a worker
    // thread after construction, and a timer must live on the thread that starts it.
    QTimer *deadline = nullptr;

    bool runs(const QString &module) const
    {
        const ModuleResult *m = report.module(module);
        return m && m->ran;
    }
    void add(const QString &module, const QString &code, const QString &subject, State state,
             const QString &message, const QJsonObject &detail = {})
    {
        // Parts run for another module's sake (the fleet needs the bundles and the live nodes)
        // report nothing of their own when their module was not asked for.
        if (!runs(module))
            return;
        report.items << CheckItem{module, code, subject, state, message, detail};
        if (ModuleResult *m = report.module(module))
            m->state = worse(m->state, state);
    }
    void sample(const QString &metric, const QMap<QString, QString> &labels, double value)
    {
        report.samples << Sample{metric, labels, value};
    }
    void partDone(const QString &part)
    {
        pending.remove(part);
        maybeFinish();
    }

    void startCerts();
    void onCertsReady();
    void onBundleProbe(const ProbeResult &result);
    void startJobs();
    void onOverview(const jobs::RestResponse &response);
    void checkLedger(const QString &endpoint);
    void startRoles();
    void onRolesLoaded();
    void rolesFailed(const QString &why);
    void maybeStartFleet();
    void onFleetDone(const FleetStatus &status);
    void cancel(const QString &why);
    void maybeFinish();
    void finish();
};

HealthChecker::HealthChecker(Profile profile, CheckOptions options, QObject *parent)
    : QObject(parent)
    , d(std::make_unique<Run>())
{
    qRegisterMetaType<opsdeck::health::HealthReport>();
    d->q = this;
    d->profile = std::move(profile);
    d->opt = std::move(options);
}

HealthChecker::~HealthChecker()
{
    if (d->fleet)
        d->fleet->stop();
    if (d->prober)
        d->prober->disconnect(this);
}

void HealthChecker::start()
{
    Run &r = *d;
    if (r.started)
        return;
    r.started = true;
    r.clock.start();
    r.now = r.opt.now.isValid() ? r.opt.now : QDateTime::currentDateTimeUtc();
    r.report.profile = r.profile.name;
    r.report.startedAt = QDateTime::currentDateTimeUtc();

    const bool haveBundles = !r.profile.bundles.isEmpty();
    const QMap<QString, bool> configured{
        {QStringLiteral("certs"), haveBundles},
        {QStringLiteral("jobs"), r.profile.rest.isSet()},
        {QStringLiteral("roles"), r.profile.zookeeper.isSet()},
        {QStringLiteral("fleet"), haveBundles && r.profile.zookeeper.isSet()},
    };
    for (const QString &name : moduleNames()) {
        ModuleResult m;
        m.module = name;
        m.configured = configured.value(name);
        m.ran = m.configured && (r.opt.only.isEmpty() || r.opt.only.contains(name));
        if (!m.configured)
            m.summary = name == QLatin1String("fleet")
                            ? QStringLiteral("not configured (needs a ZooKeeper ensemble and a "
                                             "certificate bundle)")
                            : QStringLiteral("not configured");
        else if (!m.ran)
            m.summary = QStringLiteral("not selected");
        r.report.modules << m;
    }
    r.report.perfdata.insert(QStringLiteral("_warn_days"), r.opt.warnDays);
    r.report.perfdata.insert(QStringLiteral("_crit_days"), r.opt.criticalDays);

    // Everything is bounded: each part has its own timeout; this catches what slips through.
    r.deadline = new QTimer(this);
    r.deadline->setSingleShot(true);
    r.deadline->setInterval(r.opt.timeoutMs * 3 + 2000);
    connect(r.deadline, &QTimer::timeout, this,
            [this] { d->cancel(QStringLiteral("the check did not finish in time")); });
    r.deadline->start();

    if (r.runs(QStringLiteral("certs")) || r.runs(QStringLiteral("fleet")))
        r.startCerts();
    if (r.runs(QStringLiteral("jobs")))
        r.startJobs();
    if (r.runs(QStringLiteral("roles")) || r.runs(QStringLiteral("fleet")))
        r.startRoles();
    r.maybeStartFleet();
    // finished() always comes from the event loop, never from inside start().
    QTimer::singleShot(0, this, [this] { d->maybeFinish(); });
}

void HealthChecker::cancel()
{
    d->cancel(QStringLiteral("cancelled"));
}

// --- certs ------------------------------------------------------------------------------------

void HealthChecker::Run::startCerts()
{
    pending.insert(QStringLiteral("certs"));
    tls::MonitorOptions mo;
    mo.quietPeriodMs = 0;
    mo.pollIntervalS = 3600;
    monitor = std::make_unique<tls::BundleMonitor>(mo);
    diskLeaves.resize(profile.bundles.size());
    QList<int> monitorIds;
    for (int i = 0; i < profile.bundles.size(); ++i) {
        const BundleConfig &b = profile.bundles.at(i);
        tls::BundleSpec spec;
        spec.path = b.path;
        spec.expectedHostname = b.expectedHostname;
        spec.warnDays = opt.warnDays;
        if (b.storePassword.isSet()) {
            auto password = b.storePassword.resolve();
            if (!password) {
                // The reference is named, never the secret.
                add(QStringLiteral("certs"), QStringLiteral("bundle_unreadable"), b.path,
                    State::Unknown,
                    QStringLiteral("store password: %1").arg(password.error().toString()));
                monitorIds << -1;
                continue;
            }
            spec.password = password.value();
            spec.havePassword = true;
            password.value().fill('\0');
        }
        monitorIds << monitor->addBundle(spec);
        spec.password.fill('\0');
    }
    monitor->start(); // the cold scan is synchronous; SNAPSHOTs are emitted inside
    const QList<BundleState> states = monitor->states();
    double minDays = 1e9;
    int valid = 0;
    for (int i = 0; i < profile.bundles.size(); ++i) {
        if (monitorIds.at(i) < 0)
            continue;
        const BundleConfig &cfg = profile.bundles.at(i);
        const BundleState st = monitor->state(monitorIds.at(i));
        const tls::BundleEvaluation &eval = st.haveLastGood ? st.lastGood : st.current;
        const QMap<QString, QString> bl{{QStringLiteral("bundle"), cfg.path}};
        if (eval.leaf)
            diskLeaves[i] = eval.leaf;
        if (st.phase == BundleState::Phase::Unavailable) {
            add(QStringLiteral("certs"), QStringLiteral("bundle_unreadable"), cfg.path,
                State::Unknown,
                st.problemDetail.isEmpty() ? QStringLiteral("the path is not there")
                                           : st.problemDetail);
            sample(QStringLiteral("opsdeck_bundle_valid"), bl, 0);
            continue;
        }
        State state = bundleVerdictState(eval, opt.warnDays, opt.criticalDays);
        QString message = tls::verdictName(eval.verdict);
        if (eval.leaf)
            message += QStringLiteral(", %1 days left (leaf %2, not after %3)")
                           .arg(eval.daysLeft)
                           .arg(shortFp(eval.leaf->sha256), tls::isoUtcMs(eval.leaf->notAfter));
        if (!eval.reason.isEmpty() && eval.verdict != tls::Verdict::Ok)
            message += QStringLiteral(": %1").arg(eval.reason);
        if (st.phase == BundleState::Phase::Invalid && st.haveLastGood) {
            state = worse(state, State::Critical);
            message +=
                QStringLiteral("; what is on disk now is inconsistent (%1)").arg(st.problemDetail);
        }
        QJsonObject detail{{QStringLiteral("verdict"), tls::verdictName(eval.verdict)}};
        if (eval.leaf) {
            detail.insert(QStringLiteral("days_left"), eval.daysLeft);
            detail.insert(QStringLiteral("leaf_sha256"), eval.leaf->sha256);
            detail.insert(QStringLiteral("not_after"), tls::isoUtcMs(eval.leaf->notAfter));
            minDays = std::min(minDays, double(eval.daysLeft));
            QMap<QString, QString> labels = bl;
            labels.insert(QStringLiteral("subject"), eval.leaf->subject);
            sample(QStringLiteral("opsdeck_certificate_not_after_seconds"), labels,
                   epochSeconds(eval.leaf->notAfter));
        }
        add(QStringLiteral("certs"), QStringLiteral("bundle_verdict"), cfg.path, state, message,
            detail);
        sample(QStringLiteral("opsdeck_bundle_valid"), bl,
               eval.verdict == tls::Verdict::Ok ? 1 : 0);
        if (eval.verdict == tls::Verdict::Ok)
            ++valid;

        // Watch health: a bundle the console can only poll sees rotations late.
        const bool polling = st.watchMode == tls::WatchMode::Poll;
        QMap<QString, QString> wl = bl;
        wl.insert(QStringLiteral("reason"), polling ? st.degradedReason : QString());
        sample(QStringLiteral("opsdeck_bundle_watch_polling"), wl, polling ? 1 : 0);
        if (polling) {
            const bool expected = st.degradedReason == QLatin1String("forced");
            add(QStringLiteral("certs"), QStringLiteral("bundle_watch"), cfg.path,
                expected ? State::Ok : State::Warning,
                QStringLiteral("watched by polling only (%1): rotations are seen late")
                    .arg(st.degradedReason));
        } else {
            add(QStringLiteral("certs"), QStringLiteral("bundle_watch"), cfg.path, State::Ok,
                QStringLiteral("watched with inotify"));
        }
    }
    if (minDays < 1e9)
        report.perfdata.insert(QStringLiteral("cert_days_left_min"), minDays);
    report.perfdata.insert(QStringLiteral("bundles_valid"), valid);

    // The probe endpoints: what each service really serves, against disk.
    if (runs(QStringLiteral("certs"))) {
        prober = new tls::EndpointProber(q);
        prober->setMaxInFlight(std::max(1, opt.fleetConcurrency));
        QObject::connect(prober, &tls::EndpointProber::finished, q,
                         [this](const ProbeResult &result) { onBundleProbe(result); });
        for (int i = 0; i < profile.bundles.size(); ++i) {
            const BundleConfig &cfg = profile.bundles.at(i);
            if (cfg.probeEndpoint.isEmpty())
                continue;
            const auto hp = parseHostPort(cfg.probeEndpoint);
            if (!hp) {
                add(QStringLiteral("certs"), QStringLiteral("bundle_served"), cfg.path,
                    State::Unknown,
                    QStringLiteral("probe endpoint '%1': %2")
                        .arg(cfg.probeEndpoint, hp.error().message));
                continue;
            }
            tls::ProbeRequest request;
            request.host = hp->host;
            request.port = hp->port;
            request.serverName = cfg.expectedHostname;
            request.timeoutMs = opt.timeoutMs;
            probeBundle.insert(prober->probe(request), i);
        }
        if (!probeBundle.isEmpty())
            pending.insert(QStringLiteral("probes"));
    }
    ModuleResult *m = report.module(QStringLiteral("certs"));
    if (m && m->ran)
        m->summary =
            minDays < 1e9
                ? QStringLiteral("%1 of %2 bundles valid, %3 days left at least")
                      .arg(valid)
                      .arg(profile.bundles.size())
                      .arg(minDays)
                : QStringLiteral("%1 of %2 bundles valid").arg(valid).arg(profile.bundles.size());
    certsReady = true;
    pending.remove(QStringLiteral("certs"));
}

void HealthChecker::Run::onBundleProbe(const ProbeResult &result)
{
    const auto it = probeBundle.constFind(result.id);
    if (it == probeBundle.constEnd())
        return;
    const int index = it.value();
    probeBundle.erase(it);
    const BundleConfig &cfg = profile.bundles.at(index);
    const QMap<QString, QString> labels{{QStringLiteral("bundle"), cfg.path},
                                        {QStringLiteral("endpoint"), result.endpoint}};
    sample(QStringLiteral("opsdeck_bundle_probe_success"), labels, result.ok() ? 1 : 0);
    if (!result.ok()) {
        add(QStringLiteral("certs"), QStringLiteral("bundle_served"), cfg.path, State::Critical,
            QStringLiteral("probe of %1 failed (%2): %3")
                .arg(result.endpoint, tls::probeErrorKindName(result.error), result.errorMessage),
            QJsonObject{{QStringLiteral("endpoint"), result.endpoint},
                        {QStringLiteral("error"), tls::probeErrorKindName(result.error)}});
    } else {
        const tls::DiskComparison cmp = diskLeaves.at(index)
                                            ? tls::compareWithDisk(result, *diskLeaves.at(index))
                                            : tls::compareWithDisk(result, QString());
        const State state = cmp.match == tls::DiskMatch::Matches   ? State::Ok
                            : cmp.match == tls::DiskMatch::Unknown ? State::Unknown
                                                                   : State::Warning;
        if (cmp.matchesDisk)
            sample(QStringLiteral("opsdeck_bundle_served_matches_disk"), labels,
                   *cmp.matchesDisk ? 1 : 0);
        add(QStringLiteral("certs"), QStringLiteral("bundle_served"), cfg.path, state,
            QStringLiteral("%1: %2 (served %3, disk %4)")
                .arg(result.endpoint, cmp.message, shortFp(cmp.servedSha256),
                     shortFp(cmp.diskSha256)),
            QJsonObject{{QStringLiteral("endpoint"), result.endpoint},
                        {QStringLiteral("match"), tls::diskMatchName(cmp.match)},
                        {QStringLiteral("served_sha256"), cmp.servedSha256}});
    }
    if (probeBundle.isEmpty())
        partDone(QStringLiteral("probes"));
}

// --- jobs -------------------------------------------------------------------------------------

void HealthChecker::Run::startJobs()
{
    rest = std::make_unique<jobs::RestClient>();
    RestEndpointConfig cfg = profile.rest;
    cfg.connectTimeoutMs = std::min(cfg.connectTimeoutMs, opt.timeoutMs);
    cfg.readTimeoutMs = std::min(cfg.readTimeoutMs, opt.timeoutMs);
    if (const auto configured = rest->configure(cfg); !configured) {
        add(QStringLiteral("jobs"), QStringLiteral("rest_reachable"), profile.rest.url,
            State::Unknown, configured.error().toString());
        report.module(QStringLiteral("jobs"))->summary =
            QStringLiteral("cannot configure the REST client");
        return;
    }
    if (cfg.insecure)
        add(QStringLiteral("jobs"), QStringLiteral("rest_tls"), rest->endpointLabel(),
            State::Warning, QStringLiteral("INSECURE: TLS verification is switched off"));
    pending.insert(QStringLiteral("jobs"));
    QPointer<HealthChecker> guard(q);
    rest->get(QStringLiteral("/jobs/overview"), [this, guard](const jobs::RestResponse &response) {
        if (guard.data() == nullptr || done)
            return;
        onOverview(response);
    });
}

void HealthChecker::Run::onOverview(const jobs::RestResponse &response)
{
    const QString endpoint = rest->endpointLabel();
    const QMap<QString, QString> el{{QStringLiteral("endpoint"), endpoint}};
    ModuleResult *m = report.module(QStringLiteral("jobs"));
    if (!response.ok()) {
        const jobs::RestError &e = *response.error;
        const bool tlsError = e.kind.startsWith(QLatin1String("tls_"));
        add(QStringLiteral("jobs"),
            tlsError ? QStringLiteral("rest_tls") : QStringLiteral("rest_reachable"), endpoint,
            State::Critical, e.toString(),
            QJsonObject{{QStringLiteral("error"), e.kind},
                        {QStringLiteral("http_status"), e.httpStatus}});
        sample(QStringLiteral("opsdeck_rest_up"), el, 0);
        m->summary = QStringLiteral("REST endpoint not usable: %1").arg(e.kind);
        checkLedger(endpoint);
        partDone(QStringLiteral("jobs"));
        return;
    }
    const auto decoded = jobs::decodeJobsOverview(response.body);
    if (!decoded) {
        add(QStringLiteral("jobs"), QStringLiteral("rest_reachable"), endpoint, State::Critical,
            QStringLiteral("/jobs/overview answered something that is not Flink's: %1")
                .arg(decoded.error().message));
        sample(QStringLiteral("opsdeck_rest_up"), el, 0);
        m->summary = QStringLiteral("REST endpoint answered garbage");
        checkLedger(endpoint);
        partDone(QStringLiteral("jobs"));
        return;
    }
    sample(QStringLiteral("opsdeck_rest_up"), el, 1);
    const QUrl url(profile.rest.url);
    add(QStringLiteral("jobs"), QStringLiteral("rest_reachable"), endpoint, State::Ok,
        url.scheme() == QLatin1String("https") && !profile.rest.insecure
            ? QStringLiteral("reachable, TLS verified")
            : QStringLiteral("reachable"));
    int running = 0, failing = 0, restarting = 0, failedRecently = 0;
    const qint64 nowMs = now.toMSecsSinceEpoch();
    for (const jobs::JobOverview &job : decoded.value()) {
        sample(QStringLiteral("opsdeck_job_state"),
               {{QStringLiteral("job"), job.id},
                {QStringLiteral("name"), job.name},
                {QStringLiteral("state"), job.state},
                {QStringLiteral("endpoint"), endpoint}},
               1);
        const QString label = QStringLiteral("'%1' (%2)").arg(job.name, job.id);
        const QJsonObject detail{{QStringLiteral("job"), job.id},
                                 {QStringLiteral("name"), job.name},
                                 {QStringLiteral("state"), job.state}};
        if (job.state == QLatin1String("RUNNING")) {
            ++running;
        } else if (job.state == QLatin1String("FAILING")) {
            ++failing;
            add(QStringLiteral("jobs"), QStringLiteral("job_failing"), job.id, State::Critical,
                QStringLiteral("job %1 is FAILING").arg(label), detail);
        } else if (job.state == QLatin1String("RESTARTING")) {
            ++restarting;
            add(QStringLiteral("jobs"), QStringLiteral("job_restarting"), job.id, State::Warning,
                QStringLiteral("job %1 is RESTARTING").arg(label), detail);
        } else if (job.state == QLatin1String("FAILED") && job.endTime > 0 &&
                   nowMs - job.endTime <= qint64(opt.failedWithinS) * 1000) {
            ++failedRecently;
            add(QStringLiteral("jobs"), QStringLiteral("job_failed_recently"), job.id,
                State::Critical,
                QStringLiteral("job %1 FAILED %2 min ago")
                    .arg(label)
                    .arg((nowMs - job.endTime) / 60000),
                detail);
        }
    }
    report.perfdata.insert(QStringLiteral("jobs_running"), running);
    report.perfdata.insert(QStringLiteral("jobs_failing"), failing + failedRecently);
    report.perfdata.insert(QStringLiteral("jobs_restarting"), restarting);
    QStringList parts{QStringLiteral("%1 jobs, %2 running").arg(decoded->size()).arg(running)};
    if (failing)
        parts << QStringLiteral("%1 failing").arg(failing);
    if (restarting)
        parts << QStringLiteral("%1 restarting").arg(restarting);
    if (failedRecently)
        parts << QStringLiteral("%1 failed recently").arg(failedRecently);
    m->summary = parts.join(QStringLiteral(", "));
    checkLedger(endpoint);
    partDone(QStringLiteral("jobs"));
}

void HealthChecker::Run::checkLedger(const QString &endpoint)
{
    const QString path = opt.historyPath.isEmpty() ? HistoryStore::defaultPath() : opt.historyPath;
    if (!QFileInfo::exists(path))
        return; // no history yet: nothing was ever triggered from this account
    HistoryStore store;
    if (const auto opened = store.open(path); !opened) {
        add(QStringLiteral("jobs"), QStringLiteral("ledger_unreadable"), path, State::Unknown,
            QStringLiteral("savepoint ledger not readable: %1").arg(opened.error().message));
        return;
    }
    const auto pendingList = store.pendingSavepoints();
    if (!pendingList) {
        add(QStringLiteral("jobs"), QStringLiteral("ledger_unreadable"), path, State::Unknown,
            QStringLiteral("savepoint ledger not readable: %1").arg(pendingList.error().message));
        return;
    }
    int inProgress = 0, stuck = 0;
    for (const SavepointLedgerEntry &e : pendingList.value()) {
        if (e.endpoint != endpoint || e.state != QLatin1String("in_progress"))
            continue;
        ++inProgress;
        const qint64 ageS = e.triggeredAt.secsTo(now);
        if (ageS > opt.stuckAfterS) {
            ++stuck;
            add(QStringLiteral("jobs"), QStringLiteral("savepoint_stuck"), e.jobId, State::Warning,
                QStringLiteral("%1 for job '%2' (%3), trigger %4, in progress for %5 min")
                    .arg(e.kind, e.jobName, e.jobId, e.triggerId)
                    .arg(ageS / 60),
                QJsonObject{{QStringLiteral("trigger_id"), e.triggerId},
                            {QStringLiteral("age_s"), ageS}});
        }
    }
    const QMap<QString, QString> el{{QStringLiteral("endpoint"), endpoint}};
    sample(QStringLiteral("opsdeck_savepoints_in_progress"), el, inProgress);
    sample(QStringLiteral("opsdeck_savepoints_stuck"), el, stuck);
    report.perfdata.insert(QStringLiteral("savepoints_stuck"), stuck);
}

// --- roles ------------------------------------------------------------------------------------

void HealthChecker::Run::startRoles()
{
    ZooKeeperConfig zk = profile.zookeeper;
    zk.sessionTimeoutMs = std::max(4000, std::min(zk.sessionTimeoutMs, opt.timeoutMs * 2));
    watcher = std::make_unique<roles::SolrWatcher>(zk);
    if (const auto opened = watcher->start(); !opened) {
        rolesFailed(opened.error().toString());
        return;
    }
    pending.insert(QStringLiteral("roles"));
    QObject::connect(watcher.get(), &roles::SolrWatcher::treeChanged, q, [this] {
        if (!rolesDone && watcher->isLoaded())
            onRolesLoaded();
    });
    QObject::connect(watcher.get(), &roles::SolrWatcher::statusChanged, q,
                     [this](const roles::ZkStatus &s) {
                         if (!rolesDone && s.state == roles::ZkSessionState::AuthFailed)
                             rolesFailed(s.error);
                     });
    auto *timer = new QTimer(q);
    timer->setSingleShot(true);
    QObject::connect(timer, &QTimer::timeout, q, [this] {
        if (rolesDone)
            return;
        const roles::ZkStatus s = watcher->status();
        rolesFailed(QStringLiteral("no ZooKeeper session within %1 ms (state %2)")
                        .arg(opt.timeoutMs)
                        .arg(roles::zkSessionStateName(s.state)));
    });
    timer->start(opt.timeoutMs);
}

void HealthChecker::Run::rolesFailed(const QString &why)
{
    if (rolesDone)
        return;
    rolesDone = true;
    const QString endpoint = profile.zookeeper.connectString;
    sample(QStringLiteral("opsdeck_zookeeper_connected"), {{QStringLiteral("endpoint"), endpoint}},
           0);
    if (runs(QStringLiteral("roles"))) {
        add(QStringLiteral("roles"), QStringLiteral("zk_session"), endpoint, State::Critical,
            QStringLiteral("%1: %2").arg(endpoint, why));
        report.module(QStringLiteral("roles"))->summary = QStringLiteral("ZooKeeper not reachable");
    }
    if (watcher)
        watcher->stop();
    maybeStartFleet();
    partDone(QStringLiteral("roles"));
}

void HealthChecker::Run::onRolesLoaded()
{
    const roles::SolrTree &tree = watcher->tree();
    const QString endpoint = profile.zookeeper.connectString;
    if (!tree.liveNodesExists) {
        rolesFailed(
            tree.readProblems.isEmpty()
                ? QStringLiteral("no SolrCloud cluster here: znode %1/live_nodes does not exist")
                      .arg(watcher->chroot())
                : tree.readProblems.join(QStringLiteral("; ")));
        return;
    }
    rolesDone = true;
    snapshot = roles::buildSnapshot(tree, now);
    const roles::ZkStatus status = watcher->status();
    roles::FindingContext ctx;
    ctx.now = now;
    ctx.nonPreferredLeaderSince = roles::nonPreferredSinceFromTree(*snapshot, tree);
    const QList<roles::Finding> findings = roles::evaluateFindings(*snapshot, ctx);
    watcher->stop();

    sample(QStringLiteral("opsdeck_zookeeper_connected"), {{QStringLiteral("endpoint"), endpoint}},
           1);
    int live = 0, eligible = 0;
    for (const roles::NodeInfo &n : snapshot->nodes) {
        if (!n.live)
            continue;
        ++live;
        const QString overseer = n.roles.value(QStringLiteral("overseer"));
        if (overseer == QLatin1String("allowed") || overseer == QLatin1String("preferred"))
            ++eligible;
        for (auto it = n.roles.cbegin(); it != n.roles.cend(); ++it)
            sample(QStringLiteral("opsdeck_solr_node_role"),
                   {{QStringLiteral("node"), n.name},
                    {QStringLiteral("role"), it.key()},
                    {QStringLiteral("mode"), it.value()}},
                   1);
    }
    sample(QStringLiteral("opsdeck_solr_live_nodes"), {}, live);
    sample(QStringLiteral("opsdeck_overseer_eligible_live_nodes"), {}, eligible);
    report.perfdata.insert(QStringLiteral("nodes_live"), live);
    report.perfdata.insert(QStringLiteral("overseer_eligible"), eligible);

    if (!runs(QStringLiteral("roles"))) {
        maybeStartFleet();
        partDone(QStringLiteral("roles"));
        return;
    }
    add(QStringLiteral("roles"), QStringLiteral("zk_session"), endpoint, State::Ok,
        QStringLiteral("connected to %1, session 0x%2")
            .arg(status.server, QString::number(quint64(status.sessionId), 16)));

    QMap<QPair<QString, QString>, int> bySeverityCode;
    for (const QString &sev : {QStringLiteral("warning"), QStringLiteral("critical")})
        bySeverityCode.insert({sev, QStringLiteral("none")}, 0);
    int warnings = 0, criticals = 0;
    bool noLeader = false, noEligible = false;
    for (const roles::Finding &f : findings) {
        bySeverityCode[{roles::severityName(f.severity), f.code}] += 1;
        if (f.severity == roles::Finding::Info)
            continue;
        const State state =
            f.severity == roles::Finding::Critical ? State::Critical : State::Warning;
        (state == State::Critical ? criticals : warnings) += 1;
        if (f.code == QLatin1String("no_leader") || f.code == QLatin1String("leader_unparsable")) {
            noLeader = true;
            add(QStringLiteral("roles"), QStringLiteral("overseer_elected"), f.node, state,
                f.message, QJsonObject{{QStringLiteral("finding"), f.code}});
            continue;
        }
        if (f.code == QLatin1String("no_eligible_overseer")) {
            noEligible = true;
            add(QStringLiteral("roles"), QStringLiteral("overseer_eligible"), f.node, state,
                f.message, QJsonObject{{QStringLiteral("finding"), f.code}});
            continue;
        }
        add(QStringLiteral("roles"), QStringLiteral("role_finding"), f.node, state, f.message,
            QJsonObject{{QStringLiteral("finding"), f.code},
                        {QStringLiteral("severity"), roles::severityName(f.severity)}});
    }
    for (auto it = bySeverityCode.cbegin(); it != bySeverityCode.cend(); ++it) {
        if (it.key().second == QLatin1String("none"))
            continue;
        sample(QStringLiteral("opsdeck_role_findings"),
               {{QStringLiteral("severity"), it.key().first},
                {QStringLiteral("code"), it.key().second}},
               it.value());
    }
    // One series per severity even without findings, so alerts can use "> 0".
    for (const QString &sev : {QStringLiteral("warning"), QStringLiteral("critical")}) {
        int total = 0;
        for (auto it = bySeverityCode.cbegin(); it != bySeverityCode.cend(); ++it) {
            if (it.key().first == sev && it.key().second != QLatin1String("none"))
                total += it.value();
        }
        sample(QStringLiteral("opsdeck_role_findings"),
               {{QStringLiteral("severity"), sev}, {QStringLiteral("code"), QStringLiteral("all")}},
               total);
    }
    report.perfdata.insert(QStringLiteral("findings_warning"), warnings);
    report.perfdata.insert(QStringLiteral("findings_critical"), criticals);

    const roles::LeaderInfo &leader = snapshot->leader;
    sample(QStringLiteral("opsdeck_overseer_elected"), {}, noLeader || !leader.exists ? 0 : 1);
    if (!noLeader)
        add(QStringLiteral("roles"), QStringLiteral("overseer_elected"), leader.node,
            leader.exists ? State::Ok : State::Critical,
            leader.exists ? QStringLiteral("overseer leader %1").arg(leader.node)
                          : QStringLiteral("no overseer leader"));
    if (!noEligible)
        add(QStringLiteral("roles"), QStringLiteral("overseer_eligible"), QString(),
            eligible > 0 ? State::Ok : State::Critical,
            QStringLiteral("%1 live nodes may become overseer").arg(eligible));
    report.module(QStringLiteral("roles"))->summary =
        QStringLiteral("%1 live nodes, overseer %2, %3 warnings, %4 critical")
            .arg(live)
            .arg(leader.exists ? leader.node : QStringLiteral("none"))
            .arg(warnings)
            .arg(criticals);
    maybeStartFleet();
    partDone(QStringLiteral("roles"));
}

// --- fleet ------------------------------------------------------------------------------------

void HealthChecker::Run::maybeStartFleet()
{
    if (!runs(QStringLiteral("fleet")) || fleetDecided || done || !certsReady || !rolesDone)
        return;
    fleetDecided = true;
    ModuleResult *m = report.module(QStringLiteral("fleet"));
    if (!snapshot) {
        add(QStringLiteral("fleet"), QStringLiteral("fleet_unconfigured"),
            profile.zookeeper.connectString, State::Unknown,
            QStringLiteral("no live node list: ZooKeeper could not be read"));
        m->summary = QStringLiteral("no live node list");
        return;
    }
    int index = 0;
    if (!opt.fleetBundle.isEmpty()) {
        index = -1;
        for (int i = 0; i < profile.bundles.size(); ++i) {
            if (profile.bundles.at(i).path == opt.fleetBundle)
                index = i;
        }
        if (index < 0) {
            add(QStringLiteral("fleet"), QStringLiteral("fleet_unconfigured"), opt.fleetBundle,
                State::Unknown,
                QStringLiteral("--fleet-bundle names no bundle of profile '%1'").arg(profile.name));
            m->summary = QStringLiteral("unknown fleet bundle");
            return;
        }
    }
    const QString bundle = profile.bundles.at(index).path;
    const std::optional<tls::CertificateInfo> leaf =
        index < diskLeaves.size() ? diskLeaves.at(index) : std::nullopt;
    if (!leaf) {
        add(QStringLiteral("fleet"), QStringLiteral("fleet_unconfigured"), bundle, State::Unknown,
            QStringLiteral("the bundle has no valid leaf to compare the nodes with"));
        m->summary = QStringLiteral("no disk leaf to compare with");
        return;
    }
    const QList<FleetTarget> targets = fleetTargets(*snapshot, profile.rest);
    if (targets.isEmpty()) {
        add(QStringLiteral("fleet"), QStringLiteral("fleet_node"), QString(), State::Unknown,
            QStringLiteral("no live Solr node to probe"));
        m->summary = QStringLiteral("no live nodes");
        return;
    }
    FleetOptions fo;
    fo.maxInFlight = opt.fleetConcurrency;
    fo.probeTimeoutMs = opt.timeoutMs;
    fo.refreshIntervalMs = 0;
    fleet = std::make_unique<FleetRollout>(fo);
    pending.insert(QStringLiteral("fleet"));
    QObject::connect(fleet.get(), &FleetRollout::roundFinished, q,
                     [this](const FleetStatus &s) { onFleetDone(s); });
    fleet->setDiskLeaf(bundle, leaf);
    fleet->setTargets(targets);
}

void HealthChecker::Run::onFleetDone(const FleetStatus &status)
{
    if (!pending.contains(QStringLiteral("fleet")))
        return;
    report.fleet = status;
    for (const FleetNodeStatus &n : status.nodes) {
        const QString endpoint = QStringLiteral("%1:%2").arg(n.target.host).arg(n.target.port);
        const QMap<QString, QString> labels{{QStringLiteral("node"), n.target.node},
                                            {QStringLiteral("endpoint"), endpoint}};
        const QString code = n.target.kind == QLatin1String("rest") ? QStringLiteral("fleet_rest")
                                                                    : QStringLiteral("fleet_node");
        sample(QStringLiteral("opsdeck_fleet_probe_success"), labels, n.error.isEmpty() ? 1 : 0);
        const QJsonObject detail = n.toJson();
        if (!n.error.isEmpty()) {
            add(QStringLiteral("fleet"), code, n.target.node, State::Critical,
                QStringLiteral("%1 unreachable (%2): %3").arg(endpoint, n.error, n.errorMessage),
                detail);
            continue;
        }
        sample(QStringLiteral("opsdeck_fleet_served_matches_disk"), labels, n.matches() ? 1 : 0);
        if (n.servedNotAfter.isValid())
            sample(QStringLiteral("opsdeck_fleet_certificate_not_after_seconds"), labels,
                   epochSeconds(n.servedNotAfter));
        const qint64 daysLeft =
            n.servedNotAfter.isValid() ? now.secsTo(n.servedNotAfter) / 86400 : 0;
        State state = State::Ok;
        QString message;
        if (n.matches()) {
            message = QStringLiteral("serves the disk certificate %1").arg(shortFp(n.servedSha256));
        } else {
            state = State::Warning;
            message = QStringLiteral("serves %1, disk has %2 (%3)")
                          .arg(shortFp(n.servedSha256), shortFp(status.diskSha256),
                               n.match == tls::DiskMatch::NotReloaded
                                   ? QStringLiteral("rotated on disk, not reloaded")
                                   : tls::diskMatchName(n.match));
        }
        if (n.servedNotAfter.isValid() && n.servedNotAfter <= now) {
            state = State::Critical;
            message += QStringLiteral("; the served certificate has expired");
        } else if (n.servedNotAfter.isValid() && daysLeft <= opt.criticalDays) {
            state = State::Critical;
            message += QStringLiteral("; the served certificate expires in %1 days").arg(daysLeft);
        } else if (n.servedNotAfter.isValid() && daysLeft <= opt.warnDays) {
            state = worse(state, State::Warning);
            message += QStringLiteral("; the served certificate expires in %1 days").arg(daysLeft);
        }
        add(QStringLiteral("fleet"), code, n.target.node, state, message, detail);
    }
    sample(QStringLiteral("opsdeck_fleet_nodes"), {}, status.total());
    sample(QStringLiteral("opsdeck_fleet_nodes_matching"), {}, status.matching());
    report.perfdata.insert(QStringLiteral("fleet_matching"), status.matching());
    report.perfdata.insert(QStringLiteral("fleet_total"), status.total());
    report.perfdata.insert(QStringLiteral("fleet_unreachable"), status.failed());
    report.module(QStringLiteral("fleet"))->summary = status.summary();
    partDone(QStringLiteral("fleet"));
}

// --- end --------------------------------------------------------------------------------------

void HealthChecker::Run::cancel(const QString &why)
{
    if (done)
        return;
    for (const QString &part : std::as_const(pending)) {
        const QString module = part == QLatin1String("probes") || part == QLatin1String("certs")
                                   ? QStringLiteral("certs")
                                   : part;
        add(module, QStringLiteral("incomplete"), QString(), State::Unknown,
            QStringLiteral("%1: %2 was still running").arg(why, part));
    }
    pending.clear();
    if (fleet)
        fleet->stop();
    if (prober)
        prober->abortAll();
    if (watcher)
        watcher->stop();
    finish();
}

void HealthChecker::Run::maybeFinish()
{
    if (!started || done || !pending.isEmpty())
        return;
    if (runs(QStringLiteral("fleet")) && !fleetDecided)
        return;
    finish();
}

// The module a metric family or perfdata label belongs to.
QString moduleOf(const QString &name)
{
    static const QList<QPair<QString, QString>> prefixes{
        {QStringLiteral("opsdeck_bundle_"), QStringLiteral("certs")},
        {QStringLiteral("opsdeck_certificate_"), QStringLiteral("certs")},
        {QStringLiteral("cert_"), QStringLiteral("certs")},
        {QStringLiteral("bundles_"), QStringLiteral("certs")},
        {QStringLiteral("opsdeck_rest_"), QStringLiteral("jobs")},
        {QStringLiteral("opsdeck_job_"), QStringLiteral("jobs")},
        {QStringLiteral("opsdeck_savepoints_"), QStringLiteral("jobs")},
        {QStringLiteral("jobs_"), QStringLiteral("jobs")},
        {QStringLiteral("savepoints_"), QStringLiteral("jobs")},
        {QStringLiteral("opsdeck_zookeeper_"), QStringLiteral("roles")},
        {QStringLiteral("opsdeck_solr_"), QStringLiteral("roles")},
        {QStringLiteral("opsdeck_overseer_"), QStringLiteral("roles")},
        {QStringLiteral("opsdeck_role_"), QStringLiteral("roles")},
        {QStringLiteral("nodes_live"), QStringLiteral("roles")},
        {QStringLiteral("overseer_"), QStringLiteral("roles")},
        {QStringLiteral("findings_"), QStringLiteral("roles")},
        {QStringLiteral("opsdeck_fleet_"), QStringLiteral("fleet")},
        {QStringLiteral("fleet_"), QStringLiteral("fleet")},
    };
    for (const auto &[prefix, module] : prefixes) {
        if (name.startsWith(prefix))
            return module;
    }
    return {};
}

void HealthChecker::Run::finish()
{
    if (done)
        return;
    done = true;
    // Only what was asked for: `--only fleet` reads the bundles and the live nodes, but reports
    // the fleet alone.
    report.samples.removeIf([this](const Sample &s) {
        const QString module = moduleOf(s.metric);
        return !module.isEmpty() && !runs(module);
    });
    report.perfdata.removeIf([this](const QMap<QString, double>::iterator &it) {
        const QString module = moduleOf(it.key());
        return !module.isEmpty() && !runs(module);
    });
    if (deadline)
        deadline->stop();
    report.durationMs = clock.elapsed();
    for (const ModuleResult &m : std::as_const(report.modules)) {
        if (m.ran)
            sample(QStringLiteral("opsdeck_check_status"), {{QStringLiteral("module"), m.module}},
                   exitCode(m.state));
    }
    sample(QStringLiteral("opsdeck_check_duration_seconds"), {},
           double(report.durationMs) / 1000.0);
    sample(QStringLiteral("opsdeck_check_timestamp_seconds"), {}, epochSeconds(report.startedAt));
    report.perfdata.insert(QStringLiteral("check_duration"), double(report.durationMs) / 1000.0);
    const HealthReport out = report;
    Q_EMIT q->finished(out);
}

} // namespace opsdeck::health
