// SPDX-License-Identifier: GPL-3.0-or-later
#include "electionpanel.h"

#include "electionmodel.h"
#include "roles/findings.h"
#include "rolescontroller.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QTableView>
#include <QVBoxLayout>

namespace opsdeck {

ElectionPanel::ElectionPanel(RolesController *controller, QWidget *parent)
    : QWidget(parent)
    , m_controller(controller)
    , m_model(new ElectionModel(this))
    , m_leader(new QLabel(this))
    , m_view(new QTableView(this))
    , m_whatIfNode(new QComboBox(this))
    , m_whatIf(new QLabel(this))
{
    m_leader->setObjectName(QStringLiteral("electionLeader"));
    m_leader->setWordWrap(true);
    m_leader->setTextFormat(Qt::RichText);
    m_view->setObjectName(QStringLiteral("electionView"));
    m_whatIfNode->setObjectName(QStringLiteral("electionWhatIfNode"));
    m_whatIf->setObjectName(QStringLiteral("electionWhatIf"));
    m_whatIf->setWordWrap(true);
    m_whatIf->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_whatIf->setAlignment(Qt::AlignLeft | Qt::AlignTop);

    m_view->setModel(m_model);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setAlternatingRowColors(true);
    m_view->setWordWrap(false);
    m_view->verticalHeader()->hide();
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 8);
    QHeaderView *header = m_view->horizontalHeader();
    header->setHighlightSections(false);
    header->setStretchLastSection(true);
    const int em = m_view->fontMetrics().horizontalAdvance(QLatin1Char('M'));
    header->resizeSection(ElectionModel::PositionColumn, 2 * em);
    header->resizeSection(ElectionModel::NodeColumn, 14 * em);
    header->resizeSection(ElectionModel::SessionColumn, 11 * em);
    header->resizeSection(ElectionModel::SequenceColumn, 5 * em);
    header->resizeSection(ElectionModel::ZnodeColumn, 22 * em);
    header->resizeSection(ElectionModel::WatchesColumn, 22 * em);

    m_whatIfNode->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_whatIfNode->addItem(tr("current leader"), QString());

    // The queue keeps room for a few candidates; the what-if sits beside its node choice.
    m_view->setMinimumHeight(m_view->horizontalHeader()->sizeHint().height() +
                             3 * m_view->verticalHeader()->defaultSectionSize() + 4);
    m_view->setTextElideMode(Qt::ElideMiddle);
    m_whatIf->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    auto *whatIfRow = new QHBoxLayout;
    auto *whatIfChoice = new QVBoxLayout;
    whatIfChoice->addWidget(new QLabel(tr("What if this node dies:"), this));
    whatIfChoice->addWidget(m_whatIfNode);
    whatIfChoice->addStretch(1);
    whatIfRow->addLayout(whatIfChoice);
    whatIfRow->addSpacing(12);
    whatIfRow->addWidget(m_whatIf, 1);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 4, 6, 4);
    layout->addWidget(m_leader);
    layout->addWidget(m_view, 1);
    layout->addLayout(whatIfRow);

    connect(m_whatIfNode, &QComboBox::currentIndexChanged, this, &ElectionPanel::updateWhatIf);

    if (m_controller) {
        connect(m_controller, &RolesController::watcherChanged, this,
                &ElectionPanel::onWatcherChanged);
        connect(m_controller, &RolesController::statusChanged, this, &ElectionPanel::showStatus);
        connect(m_controller, &RolesController::snapshotChanged, this,
                [this](const roles::RolesSnapshot &snapshot, const QList<roles::Finding> &) {
                    showSnapshot(snapshot);
                });
        onWatcherChanged();
    } else {
        updateLeader();
        updateWhatIf();
    }
}

void ElectionPanel::onWatcherChanged()
{
    m_hasSnapshot = false;
    m_snapshot = {};
    m_model->clear();
    m_status = m_controller->status();
    if (m_controller->hasSnapshot()) {
        showSnapshot(m_controller->snapshot());
    } else {
        const QSignalBlocker blocker(m_whatIfNode);
        while (m_whatIfNode->count() > 1)
            m_whatIfNode->removeItem(1);
        updateLeader();
        updateWhatIf();
    }
}

void ElectionPanel::showStatus(const roles::ZkStatus &status)
{
    m_status = status;
    m_model->setStatus(status);
    updateLeader();
}

void ElectionPanel::showSnapshot(const roles::RolesSnapshot &snapshot)
{
    m_snapshot = snapshot;
    m_hasSnapshot = true;
    m_model->setSnapshot(snapshot);
    // Znode names are long: fit them up to a cap and elide in the middle (the session prefix and
    // the sequence suffix stay readable; the tooltip has the whole name).
    const int cap = 30 * m_view->fontMetrics().horizontalAdvance(QLatin1Char('M'));
    for (int c = 0; c < ElectionModel::NoteColumn; ++c) {
        m_view->resizeColumnToContents(c);
        if (c == ElectionModel::ZnodeColumn || c == ElectionModel::WatchesColumn)
            m_view->horizontalHeader()->resizeSection(
                c, std::min(cap, m_view->horizontalHeader()->sectionSize(c)));
    }

    // The what-if choices: every node, candidates first in election order; keep the choice.
    const QString chosen = m_whatIfNode->currentData().toString();
    QStringList nodes;
    for (const roles::ElectionCandidate &c : std::as_const(snapshot.election))
        if (c.parsed && !nodes.contains(c.node))
            nodes << c.node;
    for (const roles::NodeInfo &n : std::as_const(snapshot.nodes))
        if (!nodes.contains(n.name))
            nodes << n.name;
    {
        const QSignalBlocker blocker(m_whatIfNode);
        while (m_whatIfNode->count() > 1)
            m_whatIfNode->removeItem(1);
        for (const QString &node : std::as_const(nodes))
            m_whatIfNode->addItem(node, node);
        const int keep = m_whatIfNode->findData(chosen);
        m_whatIfNode->setCurrentIndex(keep >= 0 ? keep : 0);
    }
    updateLeader();
    updateWhatIf();
}

void ElectionPanel::updateLeader()
{
    if (m_controller && !m_controller->isActive()) {
        m_leader->setText(m_controller->unavailableReason().toHtmlEscaped());
        return;
    }
    if (!m_hasSnapshot) {
        QString text =
            tr("Reading the Overseer election (%1)…").arg(RolesController::stateLabel(m_status));
        if (!m_status.error.isEmpty())
            text += QStringLiteral(" · ") + m_status.error.toHtmlEscaped();
        m_leader->setText(text);
        return;
    }
    QString text;
    const roles::LeaderInfo &l = m_snapshot.leader;
    if (!l.exists) {
        text = tr("<span style=\"color:#c62828\"><b>No Overseer leader</b></span> "
                  "(/overseer_elect/leader is missing)");
    } else if (!l.parsable) {
        text = tr("<span style=\"color:#c62828\"><b>Leader znode unparsable</b>: %1</span>")
                   .arg(l.error.toHtmlEscaped());
    } else {
        text = tr("Overseer leader: <b>%1</b>").arg(l.node.toHtmlEscaped());
        if (l.isHead)
            text += tr(" (head of the queue)");
        else if (!l.inQueue)
            text += tr(" <span style=\"color:#c62828\">— not in the queue</span>");
        else
            text += tr(" <span style=\"color:#b45309\">— not the head of the queue</span>");
    }
    text += tr(" · %n candidate(s)", nullptr, static_cast<int>(m_snapshot.election.size()));
    if (m_status.stale())
        text += tr(" · <span style=\"color:#b45309\"><b>stale</b> (%1)</span>")
                    .arg(RolesController::stateLabel(m_status) +
                         (m_status.error.isEmpty()
                              ? QString()
                              : QStringLiteral(": ") + m_status.error.toHtmlEscaped()));
    m_leader->setText(text);
}

void ElectionPanel::updateWhatIf()
{
    if (!m_hasSnapshot) {
        m_whatIf->clear();
        return;
    }
    const roles::WhatIf w = roles::whatIfDies(m_snapshot, m_whatIfNode->currentData().toString());
    QStringList lines{w.explanation};
    if (w.nobodyEligible) {
        lines << tr("Successor: nobody — the cluster would have no Overseer.");
    } else if (!w.leaderChanges && !w.eventualLeader.isEmpty()) {
        lines << tr("Overseer leader afterwards: %1 (unchanged)").arg(w.eventualLeader);
    } else if (!w.successor.isEmpty()) {
        QString line = tr("Successor: %1 (overseer %2)").arg(w.successor, w.successorMode);
        if (!w.eventualLeader.isEmpty() && w.eventualLeader != w.successor)
            line += tr(", then %1 after the prioritizer").arg(w.eventualLeader);
        lines << line;
    }
    m_whatIf->setText(lines.join(QLatin1Char('\n')));
    m_whatIf->setStyleSheet(w.nobodyEligible ? QStringLiteral("color: #c62828;") : QString());
}

} // namespace opsdeck
