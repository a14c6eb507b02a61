// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "health/fleet.h"

#include <QWidget>

class QLabel;
class QProgressBar;
class QPushButton;
class QSortFilterProxyModel;
class QTableView;

namespace opsdeck {

class RolloutController;
class RolloutModel;

// The Rollout dock's content: did the bundle's current leaf reach every node? A progress line
// ("4 of 6 nodes serve the new certificate") with a progress bar, the disk leaf compared with,
// a "Probe now" button, and one row per node (served fingerprint, matches disk, not-after, last
// probed, error) in a sortable table. Follows a RolloutController.
class RolloutPanel : public QWidget
{
    Q_OBJECT
public:
    explicit RolloutPanel(RolloutController *controller, QWidget *parent = nullptr);

    RolloutModel *model() const { return m_model; }
    QSortFilterProxyModel *sortModel() const { return m_sort; }
    QTableView *view() const { return m_view; }
    QLabel *summaryLabel() const { return m_summary; }
    QLabel *diskLabel() const { return m_disk; }
    QProgressBar *progressBar() const { return m_progress; }
    QPushButton *probeButton() const { return m_probe; }

    // Normally driven by the controller; public for tests.
    void showStatus(const health::FleetStatus &status);
    void showUnavailable(const QString &reason);

private:
    void onRolloutChanged();

    RolloutController *m_controller;
    RolloutModel *m_model;
    QSortFilterProxyModel *m_sort;
    QLabel *m_summary;
    QLabel *m_disk;
    QProgressBar *m_progress;
    QPushButton *m_probe;
    QTableView *m_view;
    bool m_fitted = false;
};

} // namespace opsdeck
