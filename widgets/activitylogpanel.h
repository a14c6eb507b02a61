// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QWidget>

class QComboBox;
class QTableView;
class QToolButton;

namespace opsdeck {

class ActivityLog;
class ActivityLogModel;
class ActivitySeverityFilter;

// The Activity log dock's content: a severity filter, "Clear view", and the table (newest at the
// bottom, follows new entries while scrolled to the end).
class ActivityLogPanel : public QWidget
{
    Q_OBJECT
public:
    explicit ActivityLogPanel(ActivityLog *log, QWidget *parent = nullptr);

    ActivityLogModel *model() const { return m_model; }
    ActivitySeverityFilter *filterModel() const { return m_filter; }
    QTableView *view() const { return m_view; }
    QComboBox *severityCombo() const { return m_severity; }

private:
    ActivityLogModel *m_model;
    ActivitySeverityFilter *m_filter;
    QTableView *m_view;
    QComboBox *m_severity;
    bool m_follow = true;
};

} // namespace opsdeck
