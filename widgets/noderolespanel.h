// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "roles/rolesnapshot.h"
#include "roles/solrwatcher.h"

#include <QWidget>

class QCheckBox;
class QComboBox;
class QLabel;
class QStackedWidget;
class QTableView;
class QTreeWidget;

namespace opsdeck {

class NodeRolesFilter;
class NodeRolesModel;
class RolesController;

// The Node roles dock's content: one row per SolrCloud node (live, data, overseer, coordinator,
// replicas, finding badges, session) in a sortable table filtered by role and mode; a "group by
// role" view shaped like Solr's V2 API /api/cluster/node-roles (role → mode → nodes); and the
// findings of the snapshot below. Follows the controller's snapshots and ZooKeeper state.
class NodeRolesPanel : public QWidget
{
    Q_OBJECT
public:
    explicit NodeRolesPanel(RolesController *controller, QWidget *parent = nullptr);

    NodeRolesModel *model() const { return m_model; }
    NodeRolesFilter *filter() const { return m_filter; }
    QTableView *view() const { return m_view; }
    QComboBox *roleCombo() const { return m_roleCombo; }
    QComboBox *modeCombo() const { return m_modeCombo; }
    QCheckBox *groupToggle() const { return m_group; }
    QTreeWidget *groupTree() const { return m_tree; }
    QTreeWidget *findingsList() const { return m_findings; }
    QLabel *summaryLabel() const { return m_summary; }

    // Normally driven by the controller; public for tests.
    void showSnapshot(const roles::RolesSnapshot &snapshot, const QList<roles::Finding> &findings);
    void showStatus(const roles::ZkStatus &status);

private:
    void onWatcherChanged();
    void rebuildTree();
    void updateSummary();

    RolesController *m_controller;
    NodeRolesModel *m_model;
    NodeRolesFilter *m_filter;
    QLabel *m_summary;
    QComboBox *m_roleCombo;
    QComboBox *m_modeCombo;
    QCheckBox *m_group;
    QStackedWidget *m_stack;
    QTableView *m_view;
    QTreeWidget *m_tree;
    QTreeWidget *m_findings;
    roles::RolesSnapshot m_snapshot;
    QList<roles::Finding> m_findingList;
    roles::ZkStatus m_status;
    bool m_hasSnapshot = false;
};

} // namespace opsdeck
