// SPDX-License-Identifier: GPL-3.0-or-later
#include "certnotifier.h"

#include "common/activitylog.h"

#include <QStatusBar>
#include <QSystemTrayIcon>

namespace opsdeck {

namespace {

const QString Source = QStringLiteral("tls");
constexpr int StatusBarTimeoutMs = 30000;

} // namespace

CertNotifier::CertNotifier(ActivityLog *log, QObject *parent)
    : QObject(parent)
    , m_log(log)
{}

void CertNotifier::setTrayIcon(QSystemTrayIcon *tray)
{
    m_tray = tray;
}

void CertNotifier::setStatusBar(QStatusBar *statusBar)
{
    m_statusBar = statusBar;
}

bool CertNotifier::usesTray() const
{
    return m_tray && m_tray->isVisible() && QSystemTrayIcon::isSystemTrayAvailable();
}

bool CertNotifier::isActive(const QString &bundle, Condition condition) const
{
    return m_active.value(bundle).contains(int(condition));
}

void CertNotifier::reset()
{
    m_active.clear();
    m_leafNotAfter.clear();
}

void CertNotifier::observeState(const tls::BundleState &state)
{
    using Phase = tls::BundleState::Phase;
    // Invalid: the bundle on disk is inconsistent past the window (or since start). A bundle
    // that never had a good state because its only leaf expired is the expiry notification's
    // business, not a second one.
    const bool expiredOnly =
        !state.haveLastGood && state.problemCode == tls::problemCode(tls::Problem::Expired);
    if (state.phase == Phase::Invalid && !expiredOnly) {
        setCondition(state.bundle, Condition::Invalid, true, tr("Certificate bundle invalid"),
                     tr("%1: %2%3")
                         .arg(state.bundle, state.problemCode,
                              state.problemDetail.isEmpty()
                                  ? QString()
                                  : QStringLiteral(" — ") + state.problemDetail));
    } else if (state.phase == Phase::Clean) {
        setCondition(state.bundle, Condition::Invalid, false, {}, {});
    }

    const tls::BundleEvaluation &shown = state.haveLastGood ? state.lastGood : state.current;
    const QDateTime notAfter = shown.leaf ? shown.leaf->notAfter : QDateTime();
    if (m_leafNotAfter.value(state.bundle) != notAfter || !m_leafNotAfter.contains(state.bundle)) {
        m_leafNotAfter.insert(state.bundle, notAfter);
        checkExpiry(state.bundle);
    }
}

void CertNotifier::observeEvent(const tls::ReloadEvent &event)
{
    if (event.kind == tls::ReloadEventKind::Served && event.matchesDisk.has_value()) {
        const bool notReloaded = !*event.matchesDisk;
        setCondition(event.bundle, Condition::NotReloaded, notReloaded,
                     tr("Certificate not reloaded"),
                     tr("%1 still serves the old certificate of %2: rotated on disk, not "
                        "reloaded by the service")
                         .arg(event.endpoint, event.bundle));
    }
}

void CertNotifier::recheckExpiry()
{
    const auto bundles = m_leafNotAfter.keys();
    for (const QString &bundle : bundles)
        checkExpiry(bundle);
}

void CertNotifier::checkExpiry(const QString &bundle)
{
    const QDateTime notAfter = m_leafNotAfter.value(bundle);
    if (!notAfter.isValid()) {
        setCondition(bundle, Condition::Expiring, false, {}, {});
        return;
    }
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const qint64 secs = now.secsTo(notAfter);
    const qint64 days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
    const bool within = days <= m_warnDays;
    QString message;
    if (within) {
        const qint64 n = secs < 0 ? -days : days;
        const QString span = n == 1 ? tr("1 day") : tr("%1 days").arg(n);
        message = secs < 0 ? tr("%1: the certificate expired %2 ago (%3)")
                                 .arg(bundle, span, notAfter.toUTC().toString(Qt::ISODate))
                           : tr("%1: the certificate expires in %2 (%3)")
                                 .arg(bundle, span, notAfter.toUTC().toString(Qt::ISODate));
    }
    setCondition(bundle, Condition::Expiring, within,
                 secs < 0 ? tr("Certificate expired") : tr("Certificate expiring soon"), message);
}

void CertNotifier::setCondition(const QString &bundle, Condition condition, bool active,
                                const QString &title, const QString &message)
{
    QSet<int> &set = m_active[bundle];
    if (!active) {
        set.remove(int(condition));
        return;
    }
    if (set.contains(int(condition)))
        return; // already told
    set.insert(int(condition));

    const bool tray = usesTray();
    if (tray) {
        m_tray->showMessage(title, message,
                            condition == Condition::Expiring ? QSystemTrayIcon::Warning
                                                             : QSystemTrayIcon::Critical);
    } else {
        if (m_statusBar)
            m_statusBar->showMessage(tr("%1: %2").arg(title, message), StatusBarTimeoutMs);
        if (m_log)
            m_log->warning(Source, tr("notification: %1 — %2").arg(title, message));
    }
    emit notified(condition, bundle, title, message, tray);
}

} // namespace opsdeck
