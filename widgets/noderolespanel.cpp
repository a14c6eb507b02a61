// SPDX-License-Identifier: GPL-3.0-or-later
#include "noderolespanel.h"

#include "noderolesmodel.h"
#include "roles/rolespec.h"
#include "rolescontroller.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QSplitter>
#include <QStackedWidget>
#include <QTableView>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace opsdeck {

NodeRolesPanel::NodeRolesPanel(RolesController *controller, QWidget *parent)
    : QWidget(parent)
    , m_controller(controller)
    , m_model(new NodeRolesModel(this))
    , m_filter(new NodeRolesFilter(this))
    , m_summary(new QLabel(this))
    , m_roleCombo(new QComboBox(this))
    , m_modeCombo(new QComboBox(this))
    , m_group(new QCheckBox(tr("Group by role"), this))
    , m_stack(new QStackedWidget(this))
    , m_view(new QTableView(this))
    , m_tree(new QTreeWidget(this))
    , m_findings(new QTreeWidget(this))
{
    m_summary->setObjectName(QStringLiteral("nodeRolesSummary"));
    m_summary->setWordWrap(true);
    m_summary->setTextFormat(Qt::RichText);
    m_roleCombo->setObjectName(QStringLiteral("nodeRolesRoleFilter"));
    m_modeCombo->setObjectName(QStringLiteral("nodeRolesModeFilter"));
    m_group->setObjectName(QStringLiteral("nodeRolesGroupByRole"));
    m_view->setObjectName(QStringLiteral("nodeRolesView"));
    m_tree->setObjectName(QStringLiteral("nodeRolesGroupTree"));
    m_findings->setObjectName(QStringLiteral("nodeRolesFindings"));

    m_roleCombo->addItem(tr("any role"), QString());
    for (const QString &role :
         {roles::role::data(), roles::role::overseer(), roles::role::coordinator()})
        m_roleCombo->addItem(role, role);
    m_roleCombo->setToolTip(tr("Nodes with this role (on, allowed or preferred), or with the "
                               "mode chosen on the right for it"));
    m_modeCombo->addItem(tr("any mode"), QString());
    for (const QString &mode :
         {roles::mode::on(), roles::mode::off(), roles::mode::allowed(), roles::mode::preferred(),
          roles::mode::disallowed(), NodeRolesFilter::unknownMode()})
        m_modeCombo->addItem(mode, mode);
    m_modeCombo->setToolTip(tr("unknown: no /node_roles leaf for the role"));
    m_group->setToolTip(tr("role → mode → nodes, as Solr's /api/cluster/node-roles shows them"));

    m_filter->setSourceModel(m_model);
    m_view->setModel(m_filter);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(NodeRolesModel::NodeColumn, Qt::AscendingOrder);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_view->setAlternatingRowColors(true);
    m_view->setWordWrap(false);
    m_view->verticalHeader()->hide();
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 8);
    QHeaderView *header = m_view->horizontalHeader();
    header->setHighlightSections(false);
    header->setStretchLastSection(false);
    header->setSectionResizeMode(NodeRolesModel::FindingsColumn, QHeaderView::Stretch);
    const int em = m_view->fontMetrics().horizontalAdvance(QLatin1Char('M'));
    header->resizeSection(NodeRolesModel::NodeColumn, 17 * em);
    header->resizeSection(NodeRolesModel::LiveColumn, 4 * em);
    header->resizeSection(NodeRolesModel::DataColumn, 5 * em);
    header->resizeSection(NodeRolesModel::OverseerColumn, 12 * em);
    header->resizeSection(NodeRolesModel::CoordinatorColumn, 7 * em);
    header->resizeSection(NodeRolesModel::ReplicasColumn, 5 * em);
    header->resizeSection(NodeRolesModel::SessionColumn, 12 * em);

    m_tree->setColumnCount(2);
    m_tree->setHeaderLabels({tr("Role / mode / node"), tr("Nodes")});
    m_tree->header()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_tree->header()->setStretchLastSection(false);
    m_tree->header()->resizeSection(1, 6 * em);
    m_stack->addWidget(m_view);
    m_stack->addWidget(m_tree);

    m_findings->setColumnCount(4);
    m_findings->setHeaderLabels({tr("Severity"), tr("Code"), tr("Node"), tr("Message")});
    m_findings->setRootIsDecorated(false);
    m_findings->setAlternatingRowColors(true);
    m_findings->header()->resizeSection(0, 7 * em);
    m_findings->header()->resizeSection(1, 15 * em);
    m_findings->header()->resizeSection(2, 14 * em);
    m_findings->header()->setStretchLastSection(true);

    auto *filters = new QHBoxLayout;
    filters->addWidget(new QLabel(tr("Role:"), this));
    filters->addWidget(m_roleCombo);
    filters->addWidget(new QLabel(tr("Mode:"), this));
    filters->addWidget(m_modeCombo);
    filters->addSpacing(12);
    filters->addWidget(m_group);
    filters->addStretch(1);

    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->setObjectName(QStringLiteral("nodeRolesSplitter"));
    splitter->setChildrenCollapsible(false);
    splitter->addWidget(m_stack);
    splitter->addWidget(m_findings);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 1);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_summary);
    layout->addLayout(filters);
    layout->addWidget(splitter, 1);

    connect(m_roleCombo, &QComboBox::currentIndexChanged, this,
            [this] { m_filter->setRoleFilter(m_roleCombo->currentData().toString()); });
    connect(m_modeCombo, &QComboBox::currentIndexChanged, this,
            [this] { m_filter->setModeFilter(m_modeCombo->currentData().toString()); });
    connect(m_group, &QCheckBox::toggled, this, [this](bool on) {
        m_stack->setCurrentWidget(on ? static_cast<QWidget *>(m_tree) : m_view);
        if (on)
            rebuildTree();
    });

    if (m_controller) {
        connect(m_controller, &RolesController::watcherChanged, this,
                &NodeRolesPanel::onWatcherChanged);
        connect(m_controller, &RolesController::statusChanged, this, &NodeRolesPanel::showStatus);
        connect(m_controller, &RolesController::snapshotChanged, this,
                &NodeRolesPanel::showSnapshot);
        onWatcherChanged();
    } else {
        updateSummary();
    }
}

void NodeRolesPanel::onWatcherChanged()
{
    m_hasSnapshot = false;
    m_snapshot = {};
    m_findingList.clear();
    m_model->clear();
    m_findings->clear();
    m_tree->clear();
    m_status = m_controller->status();
    if (m_controller->hasSnapshot())
        showSnapshot(m_controller->snapshot(), m_controller->findings());
    updateSummary();
}

void NodeRolesPanel::showStatus(const roles::ZkStatus &status)
{
    m_status = status;
    m_model->setStatus(status);
    updateSummary();
}

void NodeRolesPanel::showSnapshot(const roles::RolesSnapshot &snapshot,
                                  const QList<roles::Finding> &findings)
{
    m_snapshot = snapshot;
    m_findingList = findings;
    m_hasSnapshot = true;
    const auto before = m_model->rowCount();
    m_model->setSnapshot(snapshot, findings);
    // Fit the columns to the names when the node set changed (not on every update, so a width
    // the user chose survives ordinary changes).
    if (before != m_model->rowCount()) {
        for (int c = 0; c < NodeRolesModel::ColumnCount; ++c)
            if (c != NodeRolesModel::FindingsColumn)
                m_view->resizeColumnToContents(c);
    }

    m_findings->clear();
    QList<roles::Finding> sorted = findings;
    std::stable_sort(
        sorted.begin(), sorted.end(),
        [](const roles::Finding &a, const roles::Finding &b) { return a.severity > b.severity; });
    for (const roles::Finding &f : std::as_const(sorted)) {
        auto *item = new QTreeWidgetItem(
            m_findings, {roles::severityName(f.severity), f.code, f.node, f.message});
        item->setIcon(0, findingSeverityIcon(f.severity));
        item->setForeground(0, findingSeverityColor(f.severity));
        item->setToolTip(3, f.message);
    }
    for (int c = 0; c < 3; ++c)
        m_findings->resizeColumnToContents(c);
    if (m_stack->currentWidget() == m_tree)
        rebuildTree();
    updateSummary();
}

void NodeRolesPanel::rebuildTree()
{
    // role -> mode -> nodes, from the /node_roles leaves only (what the V2 API answers).
    QMap<QString, QMap<QString, QStringList>> grouped;
    for (const QString &role :
         {roles::role::data(), roles::role::overseer(), roles::role::coordinator()})
        grouped[role];
    for (const roles::NodeInfo &node : std::as_const(m_snapshot.nodes)) {
        for (auto it = node.roles.cbegin(); it != node.roles.cend(); ++it)
            grouped[it.key()][it.value()] << node.name;
        for (auto it = node.conflictingRoles.cbegin(); it != node.conflictingRoles.cend(); ++it)
            for (const QString &mode : it.value())
                if (mode != node.mode(it.key()))
                    grouped[it.key()][mode] << node.name;
    }
    QSet<QString> expanded;
    for (int i = 0; i < m_tree->topLevelItemCount(); ++i) {
        QTreeWidgetItem *roleItem = m_tree->topLevelItem(i);
        for (int j = 0; j < roleItem->childCount(); ++j)
            if (!roleItem->child(j)->isExpanded())
                expanded.insert(roleItem->text(0) + QLatin1Char('/') + roleItem->child(j)->text(0));
    }
    m_tree->clear();
    // Solr's role order (data, overseer, coordinator), then roles this console does not know.
    QStringList order{roles::role::data(), roles::role::overseer(), roles::role::coordinator()};
    for (auto it = grouped.cbegin(); it != grouped.cend(); ++it)
        if (!order.contains(it.key()))
            order << it.key();
    for (const QString &roleName : std::as_const(order)) {
        const auto role = grouped.constFind(roleName);
        int total = 0;
        auto *roleItem = new QTreeWidgetItem(m_tree, {role.key()});
        QFont bold = roleItem->font(0);
        bold.setBold(true);
        roleItem->setFont(0, bold);
        const roles::RoleDefinition *definition = roles::findRole(role.key());
        QStringList modes = definition ? definition->modes : QStringList();
        for (auto mode = role->cbegin(); mode != role->cend(); ++mode)
            if (!modes.contains(mode.key()))
                modes << mode.key();
        for (const QString &mode : std::as_const(modes)) {
            QStringList nodes = role->value(mode);
            nodes.sort();
            auto *modeItem = new QTreeWidgetItem(roleItem, {mode, QString::number(nodes.size())});
            for (const QString &node : std::as_const(nodes))
                new QTreeWidgetItem(modeItem, {node});
            modeItem->setExpanded(!expanded.contains(role.key() + QLatin1Char('/') + mode) &&
                                  !nodes.isEmpty());
            total += static_cast<int>(nodes.size());
        }
        roleItem->setText(1, QString::number(total));
        roleItem->setExpanded(true);
    }
}

void NodeRolesPanel::updateSummary()
{
    if (m_controller && !m_controller->isActive()) {
        m_summary->setText(m_controller->unavailableReason().toHtmlEscaped());
        return;
    }
    QStringList parts;
    if (!m_hasSnapshot) {
        parts << tr("Reading the SolrCloud tree at %1 (%2)…")
                     .arg(m_controller ? m_controller->connectString().toHtmlEscaped() : QString(),
                          RolesController::stateLabel(m_status));
        // Why it takes so long (nobody answers, credentials refused...), once the watcher knows.
        if (!m_status.error.isEmpty())
            parts << tr("<span style=\"color:#b45309\">%1</span>")
                         .arg(m_status.error.toHtmlEscaped());
    } else {
        int live = 0;
        for (const roles::NodeInfo &n : std::as_const(m_snapshot.nodes))
            live += n.live ? 1 : 0;
        parts << tr("<b>%1</b> nodes (%2 live)").arg(m_snapshot.nodes.size()).arg(live);
        parts << (m_snapshot.leader.exists
                      ? tr("Overseer: <b>%1</b>").arg(m_snapshot.leader.node.toHtmlEscaped())
                      : tr("<span style=\"color:#c62828\">no Overseer leader</span>"));
        int critical = 0;
        int warnings = 0;
        for (const roles::Finding &f : std::as_const(m_findingList)) {
            critical += f.severity == roles::Finding::Critical ? 1 : 0;
            warnings += f.severity == roles::Finding::Warning ? 1 : 0;
        }
        parts << tr("findings: %1 critical, %2 warning(s), %3 in all")
                     .arg(critical)
                     .arg(warnings)
                     .arg(m_findingList.size());
        if (m_status.stale()) {
            const QString since = m_status.lastConfirmed.isValid()
                                      ? QLocale().toString(m_status.lastConfirmed.toLocalTime(),
                                                           QStringLiteral("HH:mm:ss"))
                                      : tr("never confirmed");
            parts << tr("<span style=\"color:#b45309\"><b>stale</b> since %1 (%2)</span>")
                         .arg(since, RolesController::stateLabel(m_status));
            if (!m_status.error.isEmpty())
                parts << tr("<span style=\"color:#b45309\">%1</span>")
                             .arg(m_status.error.toHtmlEscaped());
        }
    }
    m_summary->setText(parts.join(QStringLiteral(" · ")));
}

} // namespace opsdeck
