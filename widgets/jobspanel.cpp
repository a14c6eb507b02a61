// SPDX-License-Identifier: GPL-3.0-or-later
#include "jobspanel.h"

#include "common/historystore.h"
#include "jobscontroller.h"
#include "jobseditor.h"
#include "jobsresultmodel.h"

#include <QCheckBox>
#include <QClipboard>
#include <QFontDatabase>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLoggingCategory>
#include <QMenu>
#include <QMessageBox>
#include <QSpinBox>
#include <QSplitter>
#include <QTableView>
#include <QTextDocument>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>
#include <memory>

Q_LOGGING_CATEGORY(lcJobsPanel, "opsdeck.widgets.jobspanel")

namespace opsdeck {

using jobs::ExecStatus;
using jobs::Statement;
using jobs::StatementKind;
using jobs::StatementResult;

namespace {

constexpr int HistoryLoad = 200;
constexpr int MaxColumnWidth = 380;

QString statusColor(const QString &status)
{
    if (status == QLatin1String("ok"))
        return QStringLiteral("#2e7d32");
    if (status == QLatin1String("in_progress") || status == QLatin1String("running"))
        return QStringLiteral("#1565c0");
    if (status == QLatin1String("declined") || status == QLatin1String("not_executed") ||
        status == QLatin1String("unavailable"))
        return QStringLiteral("#b26a00");
    return QStringLiteral("#c62828");
}

} // namespace

JobsPanel::JobsPanel(JobsController *controller, QWidget *parent)
    : QWidget(parent)
    , m_controller(controller)
    , m_editor(new JobsEditor(this))
    , m_runButton(new QToolButton(this))
    , m_autoRefresh(new QCheckBox(tr("Auto-refresh"), this))
    , m_interval(new QSpinBox(this))
    , m_unavailable(new QLabel(this))
    , m_status(new QLabel(this))
    , m_caret(new QLabel(this))
    , m_filterEdit(new QLineEdit(this))
    , m_count(new QLabel(this))
    , m_model(new JobsResultModel(this))
    , m_filter(new JobsResultFilter(this))
    , m_view(new QTableView(this))
    , m_refreshTimer(new QTimer(this))
{
    m_confirm = [this](const QString &description, std::function<void(bool)> answer) {
        defaultConfirm(this, description, std::move(answer));
    };

    m_editor->setObjectName(QStringLiteral("jobsEditor"));
    connect(m_editor, &JobsEditor::runRequested, this, &JobsPanel::run);

    auto *runAction = new QAction(tr("Run"), this);
    runAction->setObjectName(QStringLiteral("jobsRun"));
    runAction->setToolTip(tr("Run the script, statement after statement (Ctrl+Enter)"));
    connect(runAction, &QAction::triggered, this, &JobsPanel::run);
    m_runButton->setDefaultAction(runAction);
    m_runButton->setToolButtonStyle(Qt::ToolButtonTextOnly);

    m_autoRefresh->setObjectName(QStringLiteral("jobsAutoRefresh"));
    m_autoRefresh->setChecked(true);
    m_autoRefresh->setToolTip(tr("Re-run SHOW JOBS periodically while its result is shown"));
    m_interval->setObjectName(QStringLiteral("jobsRefreshInterval"));
    m_interval->setRange(2, 3600);
    m_interval->setValue(DefaultRefreshSeconds);
    m_interval->setSuffix(tr(" s"));
    m_interval->setToolTip(tr("Refresh interval"));
    connect(m_autoRefresh, &QCheckBox::toggled, this, &JobsPanel::updateRefreshTimer);
    connect(m_interval, &QSpinBox::valueChanged, this, &JobsPanel::updateRefreshTimer);
    connect(m_refreshTimer, &QTimer::timeout, this, &JobsPanel::refresh);

    m_unavailable->setObjectName(QStringLiteral("jobsUnavailable"));
    m_unavailable->setWordWrap(true);
    m_unavailable->setStyleSheet(
        QStringLiteral("QLabel { background: #fff4e5; color: #8a4b00; border: 1px solid #f0c36d; "
                       "padding: 4px; }"));

    m_status->setObjectName(QStringLiteral("jobsStatus"));
    m_status->setTextFormat(Qt::RichText);
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_caret->setObjectName(QStringLiteral("jobsErrorCaret"));
    m_caret->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_caret->setTextFormat(Qt::PlainText);
    m_caret->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_caret->setStyleSheet(QStringLiteral("color: #c62828;"));
    m_caret->hide();

    m_filterEdit->setObjectName(QStringLiteral("jobsFilter"));
    m_filterEdit->setPlaceholderText(tr("Filter rows (any column)"));
    m_filterEdit->setClearButtonEnabled(true);
    connect(m_filterEdit, &QLineEdit::textChanged, this, [this](const QString &text) {
        m_filter->setFilterText(text.trimmed());
        updateCount();
    });
    m_count->setObjectName(QStringLiteral("jobsRowCount"));
    m_count->setStyleSheet(QStringLiteral("color: #6b7280;"));

    m_filter->setSourceModel(m_model);
    m_view->setObjectName(QStringLiteral("jobsResultView"));
    m_view->setModel(m_filter);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(-1, Qt::AscendingOrder); // the executor's order until a header is clicked
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->setAlternatingRowColors(true);
    m_view->setWordWrap(false);
    m_view->setTextElideMode(Qt::ElideMiddle);
    m_view->setContextMenuPolicy(Qt::CustomContextMenu);
    m_view->verticalHeader()->hide();
    m_view->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 6);
    m_view->horizontalHeader()->setHighlightSections(false);
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    connect(m_view, &QWidget::customContextMenuRequested, this, &JobsPanel::showContextMenu);
    auto *copyCell = new QAction(tr("Copy"), m_view);
    copyCell->setObjectName(QStringLiteral("jobsCopyCell"));
    copyCell->setShortcut(QKeySequence::Copy);
    copyCell->setShortcutContext(Qt::WidgetShortcut);
    connect(copyCell, &QAction::triggered, this, [this] {
        const QModelIndex current = m_view->currentIndex();
        if (current.isValid())
            QGuiApplication::clipboard()->setText(current.data().toString());
    });
    m_view->addAction(copyCell);
    // Double-clicking a job row describes the job.
    connect(m_view, &QAbstractItemView::doubleClicked, this, [this](const QModelIndex &index) {
        const QString jobId = m_model->jobIdAt(m_filter->mapToSource(index).row());
        if (!jobId.isEmpty() && !m_running)
            runStatementText(QStringLiteral("DESCRIBE JOB '%1'").arg(jobId), false);
    });

    auto *editorBar = new QHBoxLayout;
    editorBar->setContentsMargins(0, 0, 0, 0);
    editorBar->addWidget(m_runButton);
    auto *hint = new QLabel(tr("Ctrl+Enter runs · Ctrl+Space completes · Up/Down: history"), this);
    hint->setStyleSheet(QStringLiteral("color: #6b7280;"));
    editorBar->addWidget(hint);
    editorBar->addStretch(1);
    editorBar->addWidget(m_autoRefresh);
    editorBar->addWidget(m_interval);

    auto *top = new QWidget(this);
    auto *topLayout = new QVBoxLayout(top);
    topLayout->setContentsMargins(0, 0, 0, 0);
    topLayout->addWidget(m_unavailable);
    topLayout->addWidget(m_editor, 1);
    topLayout->addLayout(editorBar);

    auto *filterBar = new QHBoxLayout;
    filterBar->setContentsMargins(0, 0, 0, 0);
    filterBar->addWidget(m_filterEdit, 1);
    filterBar->addWidget(m_count);

    auto *bottom = new QWidget(this);
    auto *bottomLayout = new QVBoxLayout(bottom);
    bottomLayout->setContentsMargins(0, 0, 0, 0);
    bottomLayout->addWidget(m_status);
    bottomLayout->addWidget(m_caret);
    bottomLayout->addLayout(filterBar);
    bottomLayout->addWidget(m_view, 1);

    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->setObjectName(QStringLiteral("jobsSplitter"));
    splitter->setChildrenCollapsible(false);
    splitter->addWidget(top);
    splitter->addWidget(bottom);
    splitter->setStretchFactor(0, 0);
    splitter->setStretchFactor(1, 1);
    const int lines = m_editor->fontMetrics().lineSpacing();
    m_editor->setMinimumHeight(lines * 2 + 12);
    splitter->setSizes({lines * 5 + 40, 400});

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(splitter);

    connect(m_controller, &JobsController::executorChanged, this, &JobsPanel::onExecutorChanged);
    connect(m_controller, &JobsController::jobsListed, this,
            [this](const QList<jobs::JobOverview> &list) {
                QList<JobsEditor::JobEntry> entries;
                for (const jobs::JobOverview &job : list)
                    entries.append({job.id, job.name});
                m_editor->setJobs(entries);
            });
    connect(m_filter, &QAbstractItemModel::modelReset, this, &JobsPanel::updateCount);
    connect(m_filter, &QAbstractItemModel::rowsInserted, this, &JobsPanel::updateCount);
    connect(m_filter, &QAbstractItemModel::rowsRemoved, this, &JobsPanel::updateCount);
    onExecutorChanged();
    updateCount();
}

JobsPanel::~JobsPanel() = default;

void JobsPanel::setConfirmHandler(ConfirmHandler handler)
{
    if (handler) {
        m_confirm = std::move(handler);
    } else {
        m_confirm = [this](const QString &description, std::function<void(bool)> answer) {
            defaultConfirm(this, description, std::move(answer));
        };
    }
}

void JobsPanel::setRefreshSeconds(int seconds)
{
    m_interval->setValue(seconds);
}

int JobsPanel::refreshSeconds() const
{
    return m_interval->value();
}

void JobsPanel::defaultConfirm(QWidget *parent, const QString &description,
                               std::function<void(bool)> answer)
{
    auto *box = new QMessageBox(QMessageBox::Warning, tr("Confirm job statement"),
                                tr("This statement changes something on the cluster. Run it?"),
                                QMessageBox::Yes | QMessageBox::No, parent);
    box->setObjectName(QStringLiteral("jobsConfirmDialog"));
    box->setInformativeText(description);
    box->setDefaultButton(QMessageBox::No);
    box->setEscapeButton(QMessageBox::No);
    box->setAttribute(Qt::WA_DeleteOnClose);
    connect(box, &QMessageBox::finished, box,
            [answer](int result) { answer(result == QMessageBox::Yes); });
    box->open();
}

void JobsPanel::onExecutorChanged()
{
    // Whatever was running belonged to the previous executor: its answers will never come.
    ++m_generation;
    if (m_running || m_refreshing) {
        m_running = false;
        m_refreshing = false;
        showStatus(QStringLiteral("not_executed"),
                   tr("the profile changed while a statement was running; its outcome is in "
                      "the audit trail and the Operations dock"));
    }
    const QString reason = m_controller->unavailableReason();
    m_unavailable->setText(reason);
    m_unavailable->setVisible(!reason.isEmpty());
    m_runButton->setEnabled(m_controller->executor() != nullptr);
    m_model->clear();
    m_shownColumns.clear();
    m_editor->setJobs({});
    QStringList history;
    HistoryStore *store = m_controller->history();
    if (store && store->isOpen() && !m_controller->profileName().isEmpty()) {
        const auto recent = store->recentStatements(m_controller->profileName(), HistoryLoad);
        if (recent) {
            for (const StatementHistoryEntry &e : recent.value())
                history << e.statement;
        }
    }
    m_editor->setHistory(history);
    updateRefreshTimer();
}

void JobsPanel::run()
{
    runScript(m_editor->toPlainText());
}

void JobsPanel::runScript(const QString &text)
{
    if (m_running) {
        showStatus(m_lastStatus, tr("a statement is still running; wait for it to finish"));
        return;
    }
    jobs::ParseError detail;
    auto parsed = jobs::parseScript(text, &detail);
    if (!parsed) {
        showParseError(detail);
        return;
    }
    if (parsed->isEmpty()) {
        showStatus(QString(), tr("nothing to run: type a statement, e.g. SHOW JOBS"));
        return;
    }
    if (!m_controller->executor()) {
        showStatus(QStringLiteral("unavailable"), m_controller->unavailableReason());
        return;
    }
    remember(text.trimmed());
    Run r;
    r.statements = parsed.value();
    start(std::move(r));
}

void JobsPanel::runStatementText(const QString &text, bool forceConfirm)
{
    if (m_running) {
        showStatus(m_lastStatus, tr("a statement is still running; wait for it to finish"));
        return;
    }
    if (!m_controller->executor()) {
        showStatus(QStringLiteral("unavailable"), m_controller->unavailableReason());
        return;
    }
    auto parsed = jobs::parseScript(text);
    if (!parsed || parsed->isEmpty()) {
        qCWarning(lcJobsPanel) << "context menu statement does not parse:" << text;
        return;
    }
    remember(parsed->first().canonicalText());
    Run r;
    r.statements = parsed.value();
    r.forceConfirm = forceConfirm;
    start(std::move(r));
}

void JobsPanel::remember(const QString &text)
{
    m_editor->addToHistory(text);
    HistoryStore *store = m_controller->history();
    if (store && store->isOpen() && !m_controller->profileName().isEmpty()) {
        const auto stored = store->appendStatement(m_controller->profileName(), text);
        if (!stored)
            qCWarning(lcJobsPanel) << "statement history:" << stored.error().toString();
    }
}

void JobsPanel::refresh()
{
    if (m_running || m_refreshing || !m_controller->executor() || !m_model->hasResult() ||
        m_model->result().statement.kind != StatementKind::ShowJobs)
        return;
    Run r;
    r.statements = {m_model->result().statement};
    r.refresh = true;
    start(std::move(r));
}

void JobsPanel::start(Run run)
{
    // A user's run overtakes a refresh in flight (whose answer is then dropped).
    ++m_generation;
    m_run = std::move(run);
    m_refreshing = m_run.refresh;
    m_running = !m_run.refresh;
    m_caret->hide();
    runNext();
}

void JobsPanel::runNext()
{
    if (m_run.next >= m_run.statements.size()) {
        finish(m_lastStatus);
        return;
    }
    const Statement &s = m_run.statements.at(m_run.next);
    if (s.needsConfirmation() || m_run.forceConfirm)
        confirmThenExecute(s);
    else
        execute(s);
}

void JobsPanel::confirmThenExecute(const Statement &statement)
{
    jobs::JobExecutor *executor = m_controller->executor();
    const quint64 generation = m_generation;
    QPointer<JobsPanel> self(this);
    showStatus(QStringLiteral("running"),
               tr("looking up the target of %1…").arg(statement.canonicalText()));
    executor->describeTarget(statement, [self, generation, statement](Result<QString> target) {
        // One read of the guard: the panel may be gone by the time the answer arrives.
        JobsPanel *const panel = self.data();
        if (!panel || generation != panel->m_generation)
            return;
        if (!target) {
            StatementResult r;
            r.statement = statement;
            r.status = ExecStatus::NotExecuted;
            r.error = jobs::RestError{target.error().code == ErrorCode::NotFound
                                          ? QStringLiteral("not_found")
                                          : QStringLiteral("lookup_failed"),
                                      0, target.error().message, false};
            r.info = tr("not run: its target could not be looked up");
            panel->showResult(r, false);
            panel->finish(jobs::execStatusName(r.status));
            return;
        }
        const QString description =
            tr("%1\n\nTarget: %2").arg(statement.canonicalText(), target.value());
        panel->showStatus(QStringLiteral("running"),
                          tr("waiting for confirmation of %1").arg(statement.canonicalText()));
        // The first answer counts; a handler that answers twice does not run it twice.
        auto answered = std::make_shared<bool>(false);
        panel->m_confirm(description, [self, generation, statement, answered](bool yes) {
            JobsPanel *const asked = self.data();
            if (*answered || !asked || generation != asked->m_generation)
                return;
            *answered = true;
            if (yes) {
                asked->execute(statement);
                return;
            }
            if (jobs::JobExecutor *e = asked->m_controller->executor())
                e->recordDeclined(statement);
            asked->m_controller->logDeclined(statement);
            asked->showStatus(QStringLiteral("declined"),
                              tr("%1 — not run, declined").arg(statement.canonicalText()));
            asked->finish(QStringLiteral("declined"));
        });
    });
}

void JobsPanel::execute(const Statement &statement)
{
    const quint64 generation = m_generation;
    const bool refresh = m_run.refresh;
    QPointer<JobsPanel> self(this);
    if (!refresh)
        showStatus(QStringLiteral("running"), tr("running %1…").arg(statement.canonicalText()));
    m_controller->executor()->execute(statement, m_waitMs,
                                      [self, generation, refresh](const StatementResult &result) {
                                          JobsPanel *const panel = self.data();
                                          if (!panel || generation != panel->m_generation)
                                              return;
                                          panel->m_controller->logResult(result);
                                          panel->showResult(result, refresh);
                                          if (result.status != ExecStatus::Ok) {
                                              panel->finish(jobs::execStatusName(result.status));
                                              return;
                                          }
                                          ++panel->m_run.next;
                                          panel->runNext();
                                      });
}

void JobsPanel::finish(const QString &status)
{
    m_running = false;
    m_refreshing = false;
    m_run = {};
    updateRefreshTimer();
    emit scriptFinished(status);
}

void JobsPanel::showResult(const StatementResult &result, bool refresh)
{
    const QString status = jobs::execStatusName(result.status);
    QString text = result.statement.canonicalText();
    QString detail;
    if (result.error) {
        QString what = result.error->kind;
        if (result.error->httpStatus > 0)
            what += tr(" (HTTP %1)").arg(result.error->httpStatus);
        detail = QStringLiteral("%1: %2").arg(what, result.error->message);
    }
    if (refresh && result.status != ExecStatus::Ok) {
        // Keep the rows the user was looking at; say the refresh failed.
        showStatus(status, tr("refresh of %1 failed").arg(text), detail);
        return;
    }

    // Keep the selected job selected across refreshes.
    QString selectedJob;
    const QModelIndex current = m_view->currentIndex();
    if (current.isValid())
        selectedJob = m_model->jobIdAt(m_filter->mapToSource(current).row());

    m_model->setResult(result);
    if (result.columns != m_shownColumns) {
        m_shownColumns = result.columns;
        m_view->resizeColumnsToContents();
        QHeaderView *header = m_view->horizontalHeader();
        // The last section stretches to the view's edge: sizing it too would add a scroll bar.
        for (int c = 0; c + 1 < header->count(); ++c)
            header->resizeSection(c, std::min(header->sectionSize(c) + 12, MaxColumnWidth));
    }
    if (!selectedJob.isEmpty()) {
        for (int r = 0; r < m_filter->rowCount(); ++r) {
            if (m_model->jobIdAt(m_filter->mapToSource(m_filter->index(r, 0)).row()) ==
                selectedJob) {
                m_view->selectRow(r);
                break;
            }
        }
    }

    if (result.status == ExecStatus::Ok || result.status == ExecStatus::InProgress) {
        if (result.columns.isEmpty())
            text += tr(" — done");
        else
            text += tr(" — %n row(s)", nullptr, int(result.rows.size()));
        if (!result.triggerId.isEmpty())
            text += tr(" — trigger %1").arg(result.triggerId);
        if (refresh)
            text += tr(" — refreshed %1")
                        .arg(QDateTime::currentDateTime().toString(QStringLiteral("HH:mm:ss")));
    }
    if (!result.info.isEmpty())
        detail = detail.isEmpty() ? result.info : detail + QStringLiteral(" · ") + result.info;
    showStatus(status, text, detail);
}

void JobsPanel::showStatus(const QString &status, const QString &text, const QString &detail)
{
    if (status != QLatin1String("running"))
        m_lastStatus = status;
    m_caret->hide(); // showParseError() shows it again
    QString html;
    if (!status.isEmpty())
        html = QStringLiteral("<b style=\"color:%1\">%2</b> ")
                   .arg(statusColor(status), status.toHtmlEscaped());
    html += text.toHtmlEscaped();
    if (!detail.isEmpty())
        html += QStringLiteral("<br><span style=\"color:%1\">%2</span>")
                    .arg(status == QLatin1String("ok") ? QStringLiteral("#4b5563")
                                                       : statusColor(status),
                         detail.toHtmlEscaped());
    m_status->setText(html);
}

QString JobsPanel::statusText() const
{
    QTextDocument doc;
    doc.setHtml(m_status->text());
    QString text = doc.toPlainText();
    if (!m_caret->isHidden())
        text += QLatin1Char('\n') + m_caret->text();
    return text;
}

void JobsPanel::showParseError(const jobs::ParseError &error)
{
    showStatus(QStringLiteral("syntax_error"),
               tr("line %1, column %2: %3").arg(error.line).arg(error.column).arg(error.expected));
    m_caret->setText(error.caret);
    m_caret->show();
    m_editor->moveCursorTo(error.line, error.column);
    m_editor->setFocus();
}

void JobsPanel::updateCount()
{
    const int shown = m_filter->rowCount();
    const int total = m_model->rowCount();
    if (!m_model->hasResult())
        m_count->clear();
    else if (shown == total)
        m_count->setText(tr("%n row(s)", nullptr, total));
    else
        m_count->setText(tr("%1 of %n row(s)", nullptr, total).arg(shown));
}

void JobsPanel::updateRefreshTimer()
{
    const int ms = m_interval->value() * 1000;
    if (m_refreshTimer->interval() != ms)
        m_refreshTimer->setInterval(ms);
    const bool on = m_autoRefresh->isChecked() && m_controller->executor();
    if (on && !m_refreshTimer->isActive())
        m_refreshTimer->start();
    else if (!on)
        m_refreshTimer->stop();
}

QMenu *JobsPanel::jobMenu(const QString &jobId, QWidget *parent)
{
    auto *menu = new QMenu(parent);
    menu->setObjectName(QStringLiteral("jobsJobMenu"));
    const QString id = QStringLiteral("'%1'").arg(jobId);
    auto add = [this, menu](const QString &objectName, const QString &label,
                            const QString &statement, bool confirm) {
        QAction *action = menu->addAction(label);
        action->setObjectName(objectName);
        action->setToolTip(statement);
        action->setData(statement);
        connect(action, &QAction::triggered, this,
                [this, statement, confirm] { runStatementText(statement, confirm); });
        return action;
    };
    add(QStringLiteral("jobsStopWithSavepoint"), tr("Stop with savepoint…"),
        QStringLiteral("STOP JOB %1 WITH SAVEPOINT").arg(id), true);
    add(QStringLiteral("jobsSavepointNow"), tr("Savepoint now…"),
        QStringLiteral("CREATE SAVEPOINT FOR JOB %1").arg(id), true);
    add(QStringLiteral("jobsShowSavepoints"), tr("Show savepoints"),
        QStringLiteral("SHOW SAVEPOINTS FOR JOB %1").arg(id), false);
    menu->addSeparator();
    add(QStringLiteral("jobsCancelJob"), tr("Cancel job…"), QStringLiteral("STOP JOB %1").arg(id),
        true);
    const bool enabled = m_controller->executor() && !m_running;
    for (QAction *a : menu->actions())
        a->setEnabled(enabled);
    return menu;
}

void JobsPanel::showContextMenu(const QPoint &pos)
{
    const QModelIndex index = m_view->indexAt(pos);
    if (!index.isValid())
        return;
    const QString jobId = m_model->jobIdAt(m_filter->mapToSource(index).row());
    QMenu *menu = jobId.isEmpty() ? new QMenu(this) : jobMenu(jobId, this);
    menu->setAttribute(Qt::WA_DeleteOnClose);
    if (!menu->isEmpty())
        menu->addSeparator();
    const QString cell = index.data().toString();
    QAction *copy =
        menu->addAction(tr("Copy \"%1\"")
                            .arg(fontMetrics().elidedText(cell, Qt::ElideMiddle,
                                                          fontMetrics().averageCharWidth() * 40)));
    copy->setEnabled(!cell.isEmpty());
    connect(copy, &QAction::triggered, this,
            [cell] { QGuiApplication::clipboard()->setText(cell); });
    menu->popup(m_view->viewport()->mapToGlobal(pos));
}

} // namespace opsdeck
