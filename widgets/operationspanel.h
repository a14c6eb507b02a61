// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QWidget>

class QLabel;
class QTableView;

namespace opsdeck {

class OperationsModel;

// The Operations dock's content: the savepoint, stop and disposal operations opsdeck follows,
// newest first, with a count of those still in progress.
class OperationsPanel : public QWidget
{
    Q_OBJECT
public:
    explicit OperationsPanel(QWidget *parent = nullptr);

    OperationsModel *model() const { return m_model; }
    QTableView *view() const { return m_view; }

private:
    void updateSummary();

    OperationsModel *m_model;
    QLabel *m_summary;
    QTableView *m_view;
};

} // namespace opsdeck
