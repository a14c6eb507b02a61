// SPDX-License-Identifier: GPL-3.0-or-later
#include "tlsmonitorcontroller.h"

#include "certificatesmodel.h"
#include "certnotifier.h"
#include "common/activitylog.h"
#include "common/historystore.h"
#include "reloadeventsmodel.h"

#include <QDir>
#include <QJsonDocument>
#include <QTimer>

namespace opsdeck {

namespace {

const QString Source = QStringLiteral("tls");
constexpr int ClockRefreshMs = 60000;

QString fp(const QString &fingerprint)
{
    return fingerprint.isEmpty() ? QStringLiteral("none") : fingerprint.left(16);
}

QString withDetail(const QString &text, const QString &detail)
{
    return detail.isEmpty() ? text : QStringLiteral("%1: %2").arg(text, detail);
}

} // namespace

TlsMonitorController::TlsMonitorController(const Options &options, ActivityLog *log,
                                           HistoryStore *history, CertificatesModel *certificates,
                                           ReloadEventsModel *events, CertNotifier *notifier,
                                           QObject *parent)
    : QObject(parent)
    , m_options(options)
    , m_log(log)
    , m_history(history)
    , m_certificates(certificates)
    , m_events(events)
    , m_notifier(notifier)
    , m_prober(new tls::EndpointProber(this))
    , m_probeTimer(new QTimer(this))
    , m_clockTimer(new QTimer(this))
    , m_storeRetryTimer(new QTimer(this))
{
    m_storeRetryTimer->setSingleShot(true);
    m_storeRetryTimer->setInterval(std::max(10, m_options.storeRetryMs));
    connect(m_storeRetryTimer, &QTimer::timeout, this, &TlsMonitorController::flushUnstored);
    qRegisterMetaType<opsdeck::tls::ReloadEvent>();
    m_certificates->setWarnDays(m_options.warnDays);
    m_notifier->setWarnDays(m_options.warnDays);
    connect(m_prober, &tls::EndpointProber::finished, this, &TlsMonitorController::onProbeFinished);
    m_probeTimer->setInterval(std::max(1000, m_options.probeIntervalMs));
    connect(m_probeTimer, &QTimer::timeout, this, &TlsMonitorController::probeAll);
    m_clockTimer->setInterval(ClockRefreshMs);
    connect(m_clockTimer, &QTimer::timeout, this, [this] {
        m_certificates->refreshTimes();
        m_notifier->recheckExpiry();
    });
}

TlsMonitorController::~TlsMonitorController()
{
    stop();
}

void TlsMonitorController::stop()
{
    ++m_generation; // results of probes still running belong to the old monitor
    m_probeTimer->stop();
    m_clockTimer->stop();
    m_probes.clear();
    m_prober->abortAll();
    // The thread wrapper's destructor quits and joins the worker; events it had queued for us
    // die with it.
    m_monitor.reset();
    m_targets.clear();
    m_diskLeaf.clear();
    m_lastServedKey.clear();
}

void TlsMonitorController::setProfile(const std::optional<Profile> &profile)
{
    stop();
    m_certificates->clear();
    m_notifier->reset();
    if (!profile || profile->bundles.isEmpty())
        return;

    m_monitor = std::make_unique<tls::BundleMonitorThread>(m_options.monitor);
    connect(m_monitor.get(), &tls::BundleMonitorThread::event, this,
            &TlsMonitorController::onEvent);
    connect(m_monitor.get(), &tls::BundleMonitorThread::stateChanged, this,
            &TlsMonitorController::onState);
    connect(m_monitor.get(), &tls::BundleMonitorThread::ready, this,
            &TlsMonitorController::probeAll);

    for (const BundleConfig &config : profile->bundles) {
        tls::BundleSpec spec;
        spec.path = config.path;
        spec.expectedHostname = config.expectedHostname;
        spec.warnDays = m_options.warnDays;
        // The monitor names bundles by their absolute clean path; so do the probe targets.
        const QString bundle = QDir::cleanPath(QDir::current().absoluteFilePath(config.path));
        if (config.storePassword.isSet()) {
            // Resolved here, on the GUI thread; the worker gets the bytes as a value.
            const Result<QByteArray> password = config.storePassword.resolve();
            if (password) {
                spec.password = password.value();
                spec.havePassword = true;
            } else {
                m_log->error(Source, tr("%1: store password %2 cannot be resolved (%3); watching "
                                        "without a password")
                                         .arg(bundle, config.storePassword.displayString(),
                                              password.error().toString()));
            }
        }
        m_monitor->addBundle(spec);
        if (!config.probeEndpoint.isEmpty()) {
            const Result<HostPort> hp = parseHostPort(config.probeEndpoint);
            if (hp) {
                m_targets.append(
                    Target{bundle, config.probeEndpoint.trimmed(), config.expectedHostname});
            } else {
                m_log->warning(Source,
                               tr("%1: probe endpoint '%2' ignored: %3")
                                   .arg(bundle, config.probeEndpoint, hp.error().toString()));
            }
        }
    }
    m_log->info(Source, tr("watching %n certificate bundle(s) of profile %1", nullptr,
                           int(profile->bundles.size()))
                            .arg(profile->name));
    m_monitor->start();
    if (!m_targets.isEmpty())
        m_probeTimer->start();
    m_clockTimer->start();
}

int TlsMonitorController::loadStoredEvents()
{
    if (!m_history || !m_history->isOpen())
        return 0;
    const auto stored = m_history->reloadEvents(m_events->capacity());
    if (!stored) {
        m_log->warning(Source,
                       tr("reload event timeline not loaded: %1").arg(stored.error().toString()));
        return 0;
    }
    QList<tls::ReloadEvent> events;
    int skipped = 0;
    for (const StoredReloadEvent &s : stored.value()) {
        const QJsonDocument doc = QJsonDocument::fromJson(s.json);
        const auto event = doc.isObject() ? reloadEventFromJson(doc.object()) : std::nullopt;
        if (event)
            events << *event;
        else
            ++skipped;
    }
    m_events->setEvents(events);
    if (skipped > 0)
        m_log->warning(Source, tr("%n stored reload event(s) could not be read and were skipped",
                                  nullptr, skipped));
    return int(events.size());
}

void TlsMonitorController::onState(const tls::BundleState &state)
{
    if (state.haveLastGood && state.lastGood.leaf)
        m_diskLeaf.insert(state.bundle, *state.lastGood.leaf);
    else
        m_diskLeaf.remove(state.bundle);
    m_certificates->setBundleState(state);
    m_notifier->observeState(state);
}

void TlsMonitorController::onEvent(const tls::ReloadEvent &event)
{
    if (event.kind == tls::ReloadEventKind::Ready || event.kind == tls::ReloadEventKind::Stats)
        return; // bookkeeping of the monitor, not part of any bundle's timeline
    record(event);
    if (event.kind == tls::ReloadEventKind::Changed) {
        for (const Target &t : std::as_const(m_targets)) {
            if (t.bundle == event.bundle)
                probe(t, true);
        }
    }
}

void TlsMonitorController::record(const tls::ReloadEvent &event)
{
    m_events->addEvent(event);
    m_certificates->noteEvent(event);
    m_notifier->observeEvent(event);
    logEvent(event);
    if (m_history && m_history->isOpen()) {
        StoredReloadEvent stored;
        stored.timestamp = event.ts;
        stored.bundle = event.bundle;
        stored.kind = tls::reloadEventKindName(event.kind);
        stored.json = QJsonDocument(event.toJson()).toJson(QJsonDocument::Compact);
        if (m_unstored.size() >= MaxUnstoredEvents) {
            m_unstored.removeFirst();
            ++m_droppedUnstored;
        }
        m_unstored.append(stored);
        flushUnstored();
    }
    emit eventRecorded(event);
}

void TlsMonitorController::flushUnstored()
{
    if (!m_history || !m_history->isOpen())
        return;
    int written = 0;
    while (!m_unstored.isEmpty()) {
        const auto appended = m_history->appendReloadEvent(m_unstored.first());
        if (!appended) {
            // Said once per outage, loudly; the events stay queued (in order) and are written
            // when the store takes them again, so the timeline on disk has no hole.
            if (!m_storeErrorLogged) {
                m_storeErrorLogged = true;
                m_log->error(Source, tr("reload events are not being stored: %1; they are kept "
                                        "and written when the history store works again")
                                         .arg(appended.error().toString()));
            }
            m_storeRetryTimer->start();
            return;
        }
        m_unstored.removeFirst();
        ++written;
    }
    if (m_storeErrorLogged) {
        m_storeErrorLogged = false;
        QString text = tr("reload events are stored again in %1 (%n held back event(s) written)",
                          nullptr, written)
                           .arg(m_history->path());
        if (m_droppedUnstored > 0)
            text +=
                tr("; %n older event(s) were dropped while it failed", nullptr, m_droppedUnstored);
        m_droppedUnstored = 0;
        m_log->info(Source, text);
    }
}

void TlsMonitorController::probeAll()
{
    for (const Target &t : std::as_const(m_targets))
        probe(t, false);
}

void TlsMonitorController::probe(const Target &target, bool afterChange)
{
    const Result<HostPort> hp = parseHostPort(target.endpoint);
    if (!hp)
        return;
    tls::ProbeRequest request;
    request.host = hp->host;
    request.port = hp->port;
    request.serverName = target.serverName;
    request.timeoutMs = m_options.probeTimeoutMs;
    const quint64 id = m_prober->probe(request);
    m_probes.insert(id, PendingProbe{m_generation, target.bundle, afterChange});
}

void TlsMonitorController::onProbeFinished(const tls::ProbeResult &result)
{
    const auto it = m_probes.constFind(result.id);
    if (it == m_probes.cend())
        return; // aborted or from a monitor that was torn down
    const PendingProbe pending = *it;
    m_probes.erase(it);
    if (pending.generation != m_generation)
        return;

    const auto leaf = m_diskLeaf.constFind(pending.bundle);
    const tls::ReloadEvent e = tls::servedEvent(
        pending.bundle, result,
        leaf != m_diskLeaf.cend() ? std::optional<tls::CertificateInfo>(*leaf) : std::nullopt);
    // Only news is recorded: a periodic probe that finds what the last one found adds nothing.
    const QString key = result.ok() ? QString(e.fingerprint + QLatin1Char('|') + e.detail)
                                    : QString(QStringLiteral("error:") + e.reason);
    if (!pending.afterChange && m_lastServedKey.value(pending.bundle) == key)
        return; // the same as last time: not news
    m_lastServedKey.insert(pending.bundle, key);
    record(e);
}

void TlsMonitorController::logEvent(const tls::ReloadEvent &e)
{
    using K = tls::ReloadEventKind;
    const QString &b = e.bundle;
    switch (e.kind) {
    case K::Snapshot: {
        const bool ok = e.status == QLatin1String("ok");
        QString text = tr("%1: watching (%2, %n file(s), leaf %3)", nullptr, int(e.files.size()))
                           .arg(b, e.status, fp(e.fingerprint));
        if (!e.reason.isEmpty())
            text = withDetail(text + QStringLiteral(" — ") + e.reason, e.detail);
        if (ok)
            m_log->info(Source, text);
        else
            m_log->warning(Source, text);
        break;
    }
    case K::Changed:
        m_log->info(
            Source,
            tr("%1: certificate changed %2 → %3 (%4%5)")
                .arg(b, fp(e.oldFingerprint), fp(e.newFingerprint), e.status,
                     e.notAfter.isValid()
                         ? tr(", valid until %1").arg(e.notAfter.toUTC().toString(Qt::ISODate))
                         : QString()));
        break;
    case K::Pending:
        m_log->info(
            Source,
            withDetail(
                tr("%1: new files pending (%2), keeping %3").arg(b, e.reason, fp(e.fingerprint)),
                e.detail));
        break;
    case K::Invalid:
        m_log->error(
            Source,
            withDetail(tr("%1: invalid (%2), keeping %3").arg(b, e.reason, fp(e.fingerprint)),
                       e.detail));
        break;
    case K::Recovered:
        m_log->info(Source, withDetail(tr("%1: recovered", "bundle").arg(b), e.detail));
        break;
    case K::SourceUnavailable:
        m_log->error(
            Source,
            withDetail(
                tr("%1: source unavailable (%2), keeping %3").arg(b, e.reason, fp(e.fingerprint)),
                e.detail));
        break;
    case K::Status:
        if (e.status == QLatin1String("ok"))
            m_log->info(Source, withDetail(tr("%1: status ok").arg(b), e.detail));
        else
            m_log->warning(Source, withDetail(tr("%1: status %2").arg(b, e.status), e.detail));
        break;
    case K::WatchDegraded:
        m_log->warning(
            Source, withDetail(tr("%1: watched by polling only (%2)").arg(b, e.reason), e.detail));
        break;
    case K::Served:
        if (!e.matchesDisk.has_value())
            m_log->warning(Source, tr("%1: %2: %3").arg(b, e.endpoint, e.detail));
        else if (*e.matchesDisk)
            m_log->info(Source,
                        tr("%1: %2 serves %3: matches disk").arg(b, e.endpoint, fp(e.fingerprint)));
        else
            m_log->warning(
                Source, tr("%1: %2 serves %3: %4").arg(b, e.endpoint, fp(e.fingerprint), e.detail));
        break;
    case K::Ready:
    case K::Stats:
        break;
    }
}

} // namespace opsdeck
