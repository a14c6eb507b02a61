// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "health/healthreport.h"

#include <QColor>
#include <QDateTime>
#include <QHash>
#include <QWidget>
#include <optional>

class QLabel;
class QPushButton;
class QTableView;

namespace opsdeck {

class HealthController;
class HealthModel;
class HealthSortModel;

// One traffic light of the Health dock: a lamp in the state's colour, the module's name and
// state, and its summary line underneath.
class HealthLight : public QWidget
{
    Q_OBJECT
public:
    explicit HealthLight(const QString &module, QWidget *parent = nullptr);

    QString module() const { return m_module; }
    // configured false: grey, "not configured" (whatever the state says).
    void setResult(health::State state, bool configured, const QString &summary);
    void setUnchecked(const QString &summary);

    QColor lampColor() const { return m_color; }
    QString stateText() const;
    QString summaryText() const;
    QLabel *summaryLabel() const { return m_summary; }

private:
    QString m_module;
    QColor m_color;
    QLabel *m_lamp;
    QLabel *m_title;
    QLabel *m_summary;
};

// The Health dock's content: four traffic lights (certs, jobs, roles, fleet: green OK, amber
// WARNING, red CRITICAL, grey UNKNOWN or not configured) with their summary lines, a sortable
// table of the check items (state, module, subject, message), a "Check now" button and the last
// run's time and duration. Follows a HealthController, which runs the same checks as
// `opsdeck check` every minute on a worker thread.
class HealthPanel : public QWidget
{
    Q_OBJECT
public:
    explicit HealthPanel(HealthController *controller, QWidget *parent = nullptr);

    HealthModel *model() const { return m_model; }
    HealthSortModel *sortModel() const { return m_sort; }
    QTableView *view() const { return m_view; }
    QPushButton *checkButton() const { return m_check; }
    QLabel *runLabel() const { return m_run; }
    QLabel *overallLabel() const { return m_overall; }
    HealthLight *light(const QString &module) const { return m_lights.value(module); }

    // Normally driven by the controller; public for tests.
    void showReport(const health::HealthReport &report);
    void showNoReport(const QString &why);
    void setRunning(bool running);

private:
    void updateRunLabel();

    HealthController *m_controller;
    HealthModel *m_model;
    HealthSortModel *m_sort;
    QHash<QString, HealthLight *> m_lights;
    QLabel *m_overall;
    QLabel *m_run;
    QPushButton *m_check;
    QTableView *m_view;
    QDateTime m_runStarted;
    std::optional<health::HealthReport> m_report;
    bool m_running = false;
};

} // namespace opsdeck
