// SPDX-License-Identifier: GPL-3.0-or-later
#include "connectionspanel.h"

#include "common/activitylog.h"

#include <QCoreApplication>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPointer>
#include <QPushButton>
#include <QThreadPool>
#include <QTimer>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <algorithm>

namespace opsdeck {

namespace {

const QString Source = QStringLiteral("zk");

QLabel *valueLabel(QWidget *parent, const QString &objectName)
{
    auto *label = new QLabel(parent);
    label->setObjectName(objectName);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    label->setWordWrap(true);
    label->setMinimumWidth(60);
    return label;
}

QString orNone(const QString &text, const QString &none)
{
    return text.isEmpty() ? none : text;
}

} // namespace

QString zkStateColor(ZkState state)
{
    switch (state) {
    case ZkState::Connected:
        return QStringLiteral("#15803d");
    case ZkState::Unreachable:
        return QStringLiteral("#c62828");
    case ZkState::Checking:
        return QStringLiteral("#b45309");
    case ZkState::NotConfigured:
        break;
    }
    return QStringLiteral("#6b7280");
}

QString zkStateName(ZkState state)
{
    switch (state) {
    case ZkState::NotConfigured:
        return QCoreApplication::translate("opsdeck", "not configured");
    case ZkState::Checking:
        return QCoreApplication::translate("opsdeck", "checking…");
    case ZkState::Connected:
        return QCoreApplication::translate("opsdeck", "connected");
    case ZkState::Unreachable:
        break;
    }
    return QCoreApplication::translate("opsdeck", "unreachable");
}

ConnectionsPanel::ConnectionsPanel(ActivityLog *log, QWidget *parent)
    : QWidget(parent)
    , m_log(log)
    , m_probe(&probeZooKeeper)
    , m_timer(new QTimer(this))
{
    qRegisterMetaType<ZkState>();

    m_profileName = valueLabel(this, QStringLiteral("connectionsProfile"));
    QFont bold = m_profileName->font();
    bold.setBold(true);
    bold.setPointSizeF(bold.pointSizeF() * 1.15);
    m_profileName->setFont(bold);
    m_editButton = new QPushButton(tr("Edit profiles…"), this);
    m_editButton->setObjectName(QStringLiteral("connectionsEditProfiles"));
    connect(m_editButton, &QPushButton::clicked, this, &ConnectionsPanel::editProfilesRequested);
    auto *header = new QHBoxLayout;
    header->addWidget(m_profileName, 1);
    header->addWidget(m_editButton, 0, Qt::AlignTop);

    m_details = new QWidget(this);
    auto *restBox = new QGroupBox(tr("Flink REST"), m_details);
    auto *restForm = new QFormLayout(restBox);
    m_restUrl = valueLabel(restBox, QStringLiteral("connectionsRestUrl"));
    m_restTls = valueLabel(restBox, QStringLiteral("connectionsRestTls"));
    m_restToken = valueLabel(restBox, QStringLiteral("connectionsRestToken"));
    restForm->addRow(tr("Endpoint:"), m_restUrl);
    restForm->addRow(tr("TLS:"), m_restTls);
    restForm->addRow(tr("Token:"), m_restToken);

    auto *zkBox = new QGroupBox(tr("ZooKeeper"), m_details);
    auto *zkForm = new QFormLayout(zkBox);
    m_zkConnect = valueLabel(zkBox, QStringLiteral("connectionsZkConnect"));
    m_zkAuth = valueLabel(zkBox, QStringLiteral("connectionsZkAuth"));
    m_zkState = valueLabel(zkBox, QStringLiteral("connectionsZkState"));
    m_zkServer = valueLabel(zkBox, QStringLiteral("connectionsZkServer"));
    m_zkLatency = valueLabel(zkBox, QStringLiteral("connectionsZkLatency"));
    m_zkChecked = valueLabel(zkBox, QStringLiteral("connectionsZkChecked"));
    m_zkError = valueLabel(zkBox, QStringLiteral("connectionsZkError"));
    m_zkError->setStyleSheet(QStringLiteral("color: #c62828;"));
    m_probeButton = new QPushButton(tr("Check now"), zkBox);
    m_probeButton->setObjectName(QStringLiteral("connectionsZkProbe"));
    connect(m_probeButton, &QPushButton::clicked, this, &ConnectionsPanel::probeNow);
    auto *stateRow = new QHBoxLayout;
    stateRow->addWidget(m_zkState, 1);
    stateRow->addWidget(m_probeButton);
    zkForm->addRow(tr("Connect:"), m_zkConnect);
    zkForm->addRow(tr("Auth:"), m_zkAuth);
    zkForm->addRow(tr("State:"), stateRow);
    zkForm->addRow(tr("Server:"), m_zkServer);
    zkForm->addRow(tr("Latency:"), m_zkLatency);
    zkForm->addRow(tr("Checked:"), m_zkChecked);
    zkForm->addRow(m_zkError);

    auto *bundleBox = new QGroupBox(tr("Certificate bundles"), m_details);
    auto *bundleLayout = new QVBoxLayout(bundleBox);
    m_bundles = new QTreeWidget(bundleBox);
    m_bundles->setObjectName(QStringLiteral("connectionsBundles"));
    m_bundles->setHeaderLabels({tr("Path"), tr("Hostname")});
    m_bundles->setRootIsDecorated(false);
    m_bundles->setUniformRowHeights(true);
    m_bundles->header()->setStretchLastSection(false);
    m_bundles->header()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_bundles->header()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    m_noBundles = new QLabel(tr("No bundles configured."), bundleBox);
    m_noBundles->setStyleSheet(QStringLiteral("color: #6b7280;"));
    bundleLayout->addWidget(m_bundles);
    bundleLayout->addWidget(m_noBundles);

    auto *detailsLayout = new QVBoxLayout(m_details);
    detailsLayout->setContentsMargins(0, 0, 0, 0);
    detailsLayout->addWidget(restBox);
    detailsLayout->addWidget(zkBox);
    detailsLayout->addWidget(bundleBox);

    auto *historyBox = new QGroupBox(tr("History store"), this);
    auto *historyLayout = new QVBoxLayout(historyBox);
    m_history = valueLabel(historyBox, QStringLiteral("connectionsHistory"));
    historyLayout->addWidget(m_history);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->addLayout(header);
    layout->addWidget(m_details);
    layout->addWidget(historyBox);
    layout->addStretch(1);

    m_timer->setInterval(DefaultIntervalMs);
    connect(m_timer, &QTimer::timeout, this, [this] {
        if (!m_probeRunning)
            probeNow();
    });

    setProfile(std::nullopt);
    setHistoryState(false, tr("not opened"));
}

ConnectionsPanel::~ConnectionsPanel() = default;

void ConnectionsPanel::setProbeFunction(ProbeFunction probe)
{
    m_probe = std::move(probe);
}

void ConnectionsPanel::setProbeInterval(int ms)
{
    m_timer->setInterval(ms);
}

void ConnectionsPanel::setHistoryState(bool enabled, const QString &detail)
{
    if (enabled) {
        m_history->setText(tr("on — %1").arg(detail));
        m_history->setStyleSheet(QString());
    } else {
        m_history->setText(tr("disabled — %1").arg(detail));
        m_history->setStyleSheet(QStringLiteral("color: #c62828; font-weight: bold;"));
    }
}

void ConnectionsPanel::setProfile(const std::optional<Profile> &profile)
{
    m_profile = profile;
    ++m_generation; // results of probes for the previous profile are dropped
    m_probeRunning = false;
    m_lastChecked = {};
    m_lastOutcome = ZkState::NotConfigured;
    m_lastLoggedError.clear();
    rebuildProfileSection();
    if (m_profile && m_profile->zookeeper.isSet()) {
        probeNow();
        m_timer->start();
    } else {
        m_timer->stop();
        setState(ZkState::NotConfigured, QString());
    }
}

void ConnectionsPanel::rebuildProfileSection()
{
    const QString none = tr("(not set)");
    if (!m_profile) {
        m_profileName->setText(tr("No profile selected"));
        m_editButton->setText(tr("Create or edit profiles…"));
        m_details->setVisible(false);
        return;
    }
    m_editButton->setText(tr("Edit profiles…"));
    m_details->setVisible(true);
    const Profile &p = *m_profile;
    m_profileName->setText(tr("Profile: %1").arg(p.name));

    m_restUrl->setText(orNone(p.rest.url, none));
    if (!p.rest.isSet()) {
        m_restTls->setText(QStringLiteral("—"));
        m_restTls->setStyleSheet(QString());
    } else if (p.rest.insecure) {
        m_restTls->setText(tr("verification OFF (insecure)"));
        m_restTls->setStyleSheet(QStringLiteral("color: #c62828; font-weight: bold;"));
    } else {
        QString tls =
            p.rest.caFile.isEmpty() ? tr("system trust store") : tr("CA %1").arg(p.rest.caFile);
        if (!p.rest.clientCertFile.isEmpty())
            tls += tr(", client cert %1").arg(p.rest.clientCertFile);
        m_restTls->setText(tls);
        m_restTls->setStyleSheet(QString());
    }
    m_restToken->setText(orNone(p.rest.token.displayString(), none));

    m_zkConnect->setText(orNone(p.zookeeper.connectString, none));
    m_zkAuth->setText(orNone(p.zookeeper.digestAuth.displayString(), tr("(none)")));
    m_probeButton->setEnabled(p.zookeeper.isSet());

    m_bundles->clear();
    for (const BundleConfig &bundle : p.bundles) {
        auto *item = new QTreeWidgetItem(m_bundles, {bundle.path, bundle.expectedHostname});
        const QString tip = bundle.probeEndpoint.isEmpty()
                                ? bundle.path
                                : tr("%1\nserved at %2").arg(bundle.path, bundle.probeEndpoint);
        item->setToolTip(0, tip);
        item->setToolTip(1, tip);
    }
    // As tall as its rows (up to a dozen, then it scrolls): no empty table filling the dock.
    const int rows = static_cast<int>(std::min<qsizetype>(p.bundles.size(), 12));
    const int rowHeight = m_bundles->fontMetrics().height() + 6;
    m_bundles->setFixedHeight(m_bundles->header()->sizeHint().height() + rows * rowHeight +
                              2 * m_bundles->frameWidth() + 4);
    m_bundles->setVisible(!p.bundles.isEmpty());
    m_noBundles->setVisible(p.bundles.isEmpty());
}

void ConnectionsPanel::probeNow()
{
    if (!m_profile || !m_profile->zookeeper.isSet()) {
        setState(ZkState::NotConfigured, QString());
        return;
    }
    const quint64 generation = ++m_generation;
    m_probeRunning = true;
    setState(ZkState::Checking, QString());

    const ZooKeeperConfig config = m_profile->zookeeper;
    const int timeoutMs = std::clamp(config.sessionTimeoutMs, 1000, MaxProbeTimeoutMs);
    QPointer<ConnectionsPanel> self(this);
    ProbeFunction probe = m_probe;
    // The probe blocks up to timeoutMs: run it on the pool and post the value back. The QPointer
    // is only dereferenced on the GUI thread; the generation drops results of superseded probes.
    QThreadPool::globalInstance()->start([self, probe, config, timeoutMs, generation] {
        Result<ZkProbeResult> result =
            makeError(ErrorCode::Internal, QStringLiteral("probe did not run"));
        try {
            result = probe(config, timeoutMs);
        } catch (const std::exception &e) {
            result = makeError(ErrorCode::Internal,
                               QStringLiteral("probe failed: %1").arg(QString::fromUtf8(e.what())));
        }
        QCoreApplication *app = QCoreApplication::instance();
        if (!app)
            return;
        QMetaObject::invokeMethod(
            app,
            [self, generation, result] {
                if (self)
                    self->applyProbeResult(generation, result);
            },
            Qt::QueuedConnection);
    });
}

void ConnectionsPanel::applyProbeResult(quint64 generation, const Result<ZkProbeResult> &result)
{
    if (generation != m_generation)
        return; // a newer probe (or another profile) superseded this one
    m_probeRunning = false;
    m_lastChecked = QDateTime::currentDateTime();
    m_zkChecked->setText(m_lastChecked.toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")));
    const ZkState previous = m_lastOutcome;
    if (result) {
        const ZkProbeResult &r = result.value();
        m_zkServer->setText(orNone(r.server, tr("(unknown)")));
        m_zkLatency->setText(tr("%1 ms").arg(r.latencyMs));
        QString detail = r.server;
        if (!r.chroot.isEmpty() && !r.chrootExists)
            detail = tr("%1, chroot %2 does not exist").arg(r.server, r.chroot);
        setState(ZkState::Connected, detail);
        m_lastOutcome = ZkState::Connected;
        m_lastLoggedError.clear();
        if (m_log && previous != ZkState::Connected)
            m_log->info(Source, tr("ZooKeeper %1: connected to %2 (%3 ms)")
                                    .arg(r.connectString, r.server)
                                    .arg(r.latencyMs));
    } else {
        m_zkServer->setText(QStringLiteral("—"));
        m_zkLatency->setText(QStringLiteral("—"));
        const QString error = result.error().toString();
        setState(ZkState::Unreachable, error);
        m_lastOutcome = ZkState::Unreachable;
        // Log a failure once, not every period; again when it changes.
        if (m_log && (previous != ZkState::Unreachable || error != m_lastLoggedError))
            m_log->error(Source, tr("ZooKeeper unreachable: %1").arg(error));
        m_lastLoggedError = error;
    }
}

void ConnectionsPanel::setState(ZkState state, const QString &detail)
{
    m_state = state;
    m_zkState->setText(QStringLiteral("<b style=\"color:%1\">%2</b>")
                           .arg(zkStateColor(state), zkStateName(state).toHtmlEscaped()));
    // While a new check runs the last error stays visible.
    if (state != ZkState::Checking) {
        m_error = state == ZkState::Unreachable ? detail : QString();
        m_zkError->setText(m_error);
        m_zkError->setVisible(!m_error.isEmpty());
    }
    if (state == ZkState::NotConfigured) {
        m_zkServer->setText(QStringLiteral("—"));
        m_zkLatency->setText(QStringLiteral("—"));
        m_zkChecked->setText(tr("never"));
    }
    Q_EMIT zkStateChanged(state, detail);
}

} // namespace opsdeck
