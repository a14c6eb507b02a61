// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "roles/rolesnapshot.h"
#include "roles/solrwatcher.h"

#include <QWidget>

class QComboBox;
class QLabel;
class QTableView;

namespace opsdeck {

class ElectionModel;
class RolesController;

// The Election dock's content: the Overseer leader in a line, the election queue in Solr's order
// (who watches whom, the leader marked) and the what-if: pick a node ("current leader" by default)
// and read who takes over if it dies.
class ElectionPanel : public QWidget
{
    Q_OBJECT
public:
    explicit ElectionPanel(RolesController *controller, QWidget *parent = nullptr);

    ElectionModel *model() const { return m_model; }
    QTableView *view() const { return m_view; }
    QComboBox *whatIfCombo() const { return m_whatIfNode; }
    QLabel *whatIfLabel() const { return m_whatIf; }
    QLabel *leaderLabel() const { return m_leader; }

    // Normally driven by the controller; public for tests.
    void showSnapshot(const roles::RolesSnapshot &snapshot);
    void showStatus(const roles::ZkStatus &status);

private:
    void onWatcherChanged();
    void updateWhatIf();
    void updateLeader();

    RolesController *m_controller;
    ElectionModel *m_model;
    QLabel *m_leader;
    QTableView *m_view;
    QComboBox *m_whatIfNode;
    QLabel *m_whatIf;
    roles::RolesSnapshot m_snapshot;
    roles::ZkStatus m_status;
    bool m_hasSnapshot = false;
};

} // namespace opsdeck
