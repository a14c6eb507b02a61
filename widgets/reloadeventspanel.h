// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QWidget>

class QComboBox;
class QLabel;
class QTableView;

namespace opsdeck {

class ReloadEventsFilter;
class ReloadEventsModel;

// The Reload events dock's content: bundle and event-kind filters over the timeline (newest
// first) and a count of what is shown.
class ReloadEventsPanel : public QWidget
{
    Q_OBJECT
public:
    explicit ReloadEventsPanel(QWidget *parent = nullptr);

    ReloadEventsModel *model() const { return m_model; }
    ReloadEventsFilter *filterModel() const { return m_filter; }
    QTableView *view() const { return m_view; }
    QComboBox *bundleCombo() const { return m_bundle; }
    QComboBox *kindCombo() const { return m_kind; }

private:
    void addBundle(const QString &bundle);
    void updateCount();

    ReloadEventsModel *m_model;
    ReloadEventsFilter *m_filter;
    QComboBox *m_bundle;
    QComboBox *m_kind;
    QLabel *m_count;
    QTableView *m_view;
};

} // namespace opsdeck
