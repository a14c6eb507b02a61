// SPDX-License-Identifier: GPL-3.0-or-later
#include "rolloutpanel.h"

#include "rolloutcontroller.h"
#include "rolloutmodel.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>

namespace opsdeck {

RolloutPanel::RolloutPanel(RolloutController *controller, QWidget *parent)
    : QWidget(parent)
    , m_controller(controller)
    , m_model(new RolloutModel(this))
    , m_sort(new QSortFilterProxyModel(this))
    , m_summary(new QLabel(this))
    , m_disk(new QLabel(this))
    , m_progress(new QProgressBar(this))
    , m_probe(new QPushButton(tr("Probe now"), this))
    , m_view(new QTableView(this))
{
    m_summary->setObjectName(QStringLiteral("rolloutSummary"));
    m_summary->setTextFormat(Qt::PlainText);
    QFont bold = m_summary->font();
    bold.setBold(true);
    m_summary->setFont(bold);
    m_disk->setObjectName(QStringLiteral("rolloutDiskLeaf"));
    m_disk->setTextFormat(Qt::PlainText);
    m_disk->setStyleSheet(QStringLiteral("color: #6b7280;"));
    m_disk->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_progress->setObjectName(QStringLiteral("rolloutProgress"));
    m_progress->setTextVisible(true);
    m_progress->setFormat(QStringLiteral("%v / %m"));
    m_progress->setMaximumWidth(260);
    m_progress->setRange(0, 1);
    m_progress->setValue(0);
    m_probe->setObjectName(QStringLiteral("rolloutProbeNow"));
    m_probe->setToolTip(tr("Probe every node now with a TLS handshake"));
    m_view->setObjectName(QStringLiteral("rolloutNodes"));

    m_sort->setSourceModel(m_model);
    m_sort->setSortRole(RolloutModel::SortRole);
    m_view->setModel(m_sort);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(RolloutModel::NodeColumn, Qt::AscendingOrder);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setAlternatingRowColors(true);
    m_view->setWordWrap(false);
    m_view->verticalHeader()->hide();
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 8);
    QHeaderView *header = m_view->horizontalHeader();
    header->setHighlightSections(false);
    header->setStretchLastSection(true);
    // Wide enough for what the cells can hold (not only what they hold now), so a later
    // "✗ not reloaded" or a fingerprint is never clipped.
    const QFontMetrics cellMetrics = m_view->fontMetrics();
    const QFontMetrics headerMetrics = header->fontMetrics();
    const int padding = 2 * cellMetrics.horizontalAdvance(QLatin1Char('M'));
    auto fit = [&](int column, const QString &sample) {
        const QString title = m_model->headerData(column, Qt::Horizontal).toString();
        header->resizeSection(column, std::max(cellMetrics.horizontalAdvance(sample),
                                               headerMetrics.horizontalAdvance(title)) +
                                          padding);
    };
    fit(RolloutModel::NodeColumn, QStringLiteral("127.0.0.1:65535_solr"));
    fit(RolloutModel::FingerprintColumn, RolloutModel::shortFingerprint(QString(64, u'8')));
    fit(RolloutModel::MatchColumn, tr("✗ not reloaded"));
    fit(RolloutModel::NotAfterColumn, QStringLiteral("2088-08-28 28:28"));
    fit(RolloutModel::LastProbedColumn, QStringLiteral("28:28:28"));

    auto *top = new QHBoxLayout;
    top->addWidget(m_summary, 1);
    top->addWidget(m_progress);
    top->addWidget(m_probe);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(m_disk);
    layout->addWidget(m_view, 1);

    if (m_controller) {
        connect(m_probe, &QPushButton::clicked, m_controller, &RolloutController::probeNow);
        connect(m_controller, &RolloutController::statusChanged, this, &RolloutPanel::showStatus);
        connect(m_controller, &RolloutController::rolloutChanged, this,
                &RolloutPanel::onRolloutChanged);
        onRolloutChanged();
    } else {
        showUnavailable(tr("no profile selected"));
    }
}

void RolloutPanel::onRolloutChanged()
{
    m_model->clear();
    m_fitted = false;
    if (!m_controller->isActive())
        showUnavailable(m_controller->unavailableReason());
    else
        showStatus(m_controller->status());
}

void RolloutPanel::showUnavailable(const QString &reason)
{
    m_model->clear();
    m_summary->setText(reason);
    m_disk->setText(QString());
    m_disk->hide();
    m_progress->setRange(0, 1);
    m_progress->setValue(0);
    m_progress->hide(); // "0 / 1" would claim a node that is not there
    m_probe->setEnabled(false);
}

void RolloutPanel::showStatus(const health::FleetStatus &status)
{
    if (m_controller && !m_controller->isActive()) {
        showUnavailable(m_controller->unavailableReason());
        return;
    }
    const int before = m_model->rowCount();
    m_model->setStatus(status);
    // Fit the node and error columns when the node set changed, not on every probe (a width the
    // user chose survives ordinary updates).
    if (!m_fitted || before != m_model->rowCount()) {
        const int width = m_view->horizontalHeader()->sectionSize(RolloutModel::NodeColumn);
        m_view->resizeColumnToContents(RolloutModel::NodeColumn);
        if (m_view->horizontalHeader()->sectionSize(RolloutModel::NodeColumn) < width)
            m_view->horizontalHeader()->resizeSection(RolloutModel::NodeColumn, width);
        m_fitted = m_model->rowCount() > 0;
    }

    QString summary = status.summary();
    if (status.converging)
        summary += tr(" — converging…");
    m_summary->setText(summary);
    m_summary->setToolTip(status.bundle);
    m_progress->setVisible(status.total() > 0);
    m_progress->setRange(0, std::max(1, status.total()));
    m_progress->setValue(status.total() > 0 ? status.matching() : 0);
    m_probe->setEnabled(status.total() > 0);

    if (status.diskSha256.isEmpty()) {
        m_disk->setText(status.bundle.isEmpty()
                            ? QString()
                            : tr("disk: %1 — no valid leaf yet").arg(status.bundle));
    } else {
        QString text = tr("disk: %1 — leaf %2")
                           .arg(status.bundle, RolloutModel::shortFingerprint(status.diskSha256));
        if (status.diskNotAfter.isValid())
            text += tr(", not after %1")
                        .arg(status.diskNotAfter.toUTC().toString(QStringLiteral("yyyy-MM-dd")));
        if (status.changedAt.isValid())
            text += tr(", changed at %1")
                        .arg(status.changedAt.toLocalTime().toString(QStringLiteral("HH:mm:ss")));
        m_disk->setText(text);
    }
    m_disk->setToolTip(status.diskSha256.isEmpty() ? QString()
                                                   : tr("SHA-256 %1").arg(status.diskSha256));
    m_disk->setVisible(!m_disk->text().isEmpty());
}

} // namespace opsdeck
