// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "jobs/jobexecutor.h"

#include <QPointer>
#include <QWidget>
#include <functional>

class QCheckBox;
class QLabel;
class QLineEdit;
class QMenu;
class QSpinBox;
class QTableView;
class QTimer;
class QToolButton;

namespace opsdeck {

class JobsController;
class JobsEditor;
class JobsResultFilter;
class JobsResultModel;

// The Jobs dock's content: a statement editor (highlighting, completion, history, Ctrl+Enter runs
// the script), a status line, a filterable and sortable result table with a context menu on job
// rows, and an auto-refresh of SHOW JOBS results.
//
// Everything is asynchronous: a script runs one statement after the other through the
// controller's JobExecutor and stops at the first one that is not ok. Statements that need a
// confirmation first look their target up (JobExecutor::describeTarget) and then ask through the
// confirm handler (by default a non-blocking QMessageBox, No being the default); a "no" is written
// to the audit trail as declined. Results of a superseded run (another profile, a refresh overtaken
// by a user's statement) are dropped.
class JobsPanel : public QWidget
{
    Q_OBJECT
public:
    // Shows `description` (the statement and what it acts on) and calls `answer` once, with
    // true to run the statement.
    using ConfirmHandler =
        std::function<void(const QString &description, std::function<void(bool)> answer)>;

    static constexpr int DefaultRefreshSeconds = 10;
    static constexpr int DefaultWaitMs = 3000;

    explicit JobsPanel(JobsController *controller, QWidget *parent = nullptr);
    ~JobsPanel() override;

    void setConfirmHandler(ConfirmHandler handler);
    // How long an asynchronous operation may run before its statement answers in_progress (the
    // Operations dock keeps following it).
    void setWaitMs(int ms) { m_waitMs = ms; }
    void setRefreshSeconds(int seconds);
    int refreshSeconds() const;

    JobsEditor *editor() const { return m_editor; }
    QTableView *view() const { return m_view; }
    JobsResultModel *model() const { return m_model; }
    JobsResultFilter *filterModel() const { return m_filter; }
    QLineEdit *filterEdit() const { return m_filterEdit; }
    QLabel *statusLabel() const { return m_status; }
    QLabel *caretLabel() const { return m_caret; }
    QLabel *unavailableLabel() const { return m_unavailable; }
    QCheckBox *autoRefreshBox() const { return m_autoRefresh; }
    QTimer *refreshTimer() const { return m_refreshTimer; }

    // A user's script or statement is running (or waiting for a confirmation).
    bool isRunning() const { return m_running; }
    // ok, failed, in_progress, not_executed, declined, syntax_error, unavailable; "" before any.
    QString lastStatus() const { return m_lastStatus; }
    QString statusText() const; // the status line as plain text

    // Parses and runs a script (what Ctrl+Enter does with the editor's text).
    void runScript(const QString &text);
    // The context menu of a job row: stop with savepoint, savepoint now, show savepoints, cancel.
    QMenu *jobMenu(const QString &jobId, QWidget *parent);

public Q_SLOTS:
    void run(); // the editor's text
    // Re-runs SHOW JOBS when the last result shown is one and nothing is running.
    void refresh();

Q_SIGNALS:
    // A script (or refresh) finished: the last statement's result is shown.
    void scriptFinished(const QString &status);

private:
    struct Run
    {
        QList<jobs::Statement> statements;
        int next = 0;
        bool forceConfirm = false; // ask even for statements that do not need it
        bool refresh = false;      // the periodic SHOW JOBS: no history, keeps rows on failure
    };

    void onExecutorChanged();
    void start(Run run);
    void runNext();
    void confirmThenExecute(const jobs::Statement &statement);
    void execute(const jobs::Statement &statement);
    void finish(const QString &status);
    void showResult(const jobs::StatementResult &result, bool refresh);
    void showStatus(const QString &status, const QString &text, const QString &detail = {});
    void showParseError(const jobs::ParseError &error);
    void runStatementText(const QString &text, bool forceConfirm);
    void remember(const QString &text);
    void updateCount();
    void updateRefreshTimer();
    void showContextMenu(const QPoint &pos);
    static void defaultConfirm(QWidget *parent, const QString &description,
                               std::function<void(bool)> answer);

    JobsController *m_controller;
    ConfirmHandler m_confirm;
    int m_waitMs = DefaultWaitMs;

    JobsEditor *m_editor;
    QToolButton *m_runButton;
    QCheckBox *m_autoRefresh;
    QSpinBox *m_interval;
    QLabel *m_unavailable;
    QLabel *m_status;
    QLabel *m_caret;
    QLineEdit *m_filterEdit;
    QLabel *m_count;
    JobsResultModel *m_model;
    JobsResultFilter *m_filter;
    QTableView *m_view;
    QTimer *m_refreshTimer;

    Run m_run;
    bool m_running = false;    // a user's run
    bool m_refreshing = false; // a refresh in flight
    quint64 m_generation = 0;  // bumped when a run starts or the executor changes
    QString m_lastStatus;
    QList<jobs::ResultColumn> m_shownColumns;
};

} // namespace opsdeck
