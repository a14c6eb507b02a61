// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "tls/reloadevent.h"

#include <QDateTime>
#include <QHash>
#include <QObject>
#include <QPointer>
#include <QSet>

class QStatusBar;
class QSystemTrayIcon;

namespace opsdeck {

class ActivityLog;

// Desktop notifications for certificate trouble: a bundle went INVALID, an endpoint still serves
// the old certificate after a rotation ("not reloaded"), a leaf is within the warning threshold
// (or expired).
//
// Each condition notifies once per bundle while it holds; it is re-armed when it clears (the
// bundle is clean again, the endpoint serves the disk leaf, a fresh leaf was committed). Shown as
// a tray balloon when a system tray is available, otherwise as a status bar message plus an
// Activity log warning. notified() is emitted either way.
class CertNotifier : public QObject
{
    Q_OBJECT
public:
    enum class Condition
    {
        Invalid,
        NotReloaded,
        Expiring,
    };
    Q_ENUM(Condition)

    explicit CertNotifier(ActivityLog *log, QObject *parent = nullptr);

    // Where notifications go. A tray that is null or not visible means the fallback is used.
    void setTrayIcon(QSystemTrayIcon *tray);
    void setStatusBar(QStatusBar *statusBar);
    bool usesTray() const;

    int warnDays() const { return m_warnDays; }
    void setWarnDays(int days) { m_warnDays = days; }

    // Feed: every state and event of the monitored bundles (GUI-made SERVED events included).
    void observeState(const tls::BundleState &state);
    void observeEvent(const tls::ReloadEvent &event);
    // Re-checks the expiry threshold against the clock (the leaf does not change while time
    // passes, so nothing else would).
    void recheckExpiry();
    // Forgets everything (profile switch).
    void reset();

    bool isActive(const QString &bundle, Condition condition) const;

Q_SIGNALS:
    void notified(opsdeck::CertNotifier::Condition condition, const QString &bundle,
                  const QString &title, const QString &message, bool viaTray);

private:
    void setCondition(const QString &bundle, Condition condition, bool active, const QString &title,
                      const QString &message);
    void checkExpiry(const QString &bundle);

    ActivityLog *m_log;
    QPointer<QSystemTrayIcon> m_tray;
    QPointer<QStatusBar> m_statusBar;
    int m_warnDays = 30;
    QHash<QString, QSet<int>> m_active;       // bundle -> active conditions
    QHash<QString, QDateTime> m_leafNotAfter; // bundle -> the shown leaf's notAfter
};

} // namespace opsdeck
