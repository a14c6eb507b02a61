// SPDX-License-Identifier: GPL-3.0-or-later
// The Jobs and Operations docks: the result and operations models on their own, then the Jobs
// panel against the Flink REST simulator on loopback (statements typed into the editor, the
// confirmation seam answered without a modal dialog), and a screenshot of the main window.
#include "common/activitylog.h"
#include "common/historystore.h"
#include "flinksim.h"
#include "jobs/statement.h"
#include "jobscontroller.h"
#include "jobseditor.h"
#include "jobspanel.h"
#include "jobsresultmodel.h"
#include "mainwindow.h"
#include "operationsmodel.h"
#include "operationspanel.h"
#include "screenshot.h"
#include "testmain.h"

#include <QAbstractButton>
#include <QAbstractItemModelTester>
#include <QAbstractItemView>
#include <QAction>
#include <QCheckBox>
#include <QClipboard>
#include <QCompleter>
#include <QDockWidget>
#include <QFile>
#include <QGuiApplication>
#include <QHeaderView>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>
#include <QTableView>
#include <QTemporaryDir>
#include <QTimer>
#include <memory>

using namespace opsdeck;
using namespace opsdeck::jobs;
using opsdeck::test::FlinkSimOptions;
using opsdeck::test::FlinkSimulator;

namespace {

constexpr int Timeout = 10000;

QStringList columnTexts(const QAbstractItemModel *model, int column)
{
    QStringList out;
    for (int r = 0; r < model->rowCount(); ++r)
        out << model->index(r, column).data().toString();
    return out;
}

QList<qint64> columnValues(const QAbstractItemModel *model, int column)
{
    QList<qint64> out;
    for (int r = 0; r < model->rowCount(); ++r)
        out << model->index(r, column).data(JobsResultModel::SortRole).toLongLong();
    return out;
}

QList<QJsonObject> auditLines(const QString &path)
{
    QList<QJsonObject> out;
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return out;
    const QList<QByteArray> lines = f.readAll().split('\n');
    for (const QByteArray &line : lines) {
        if (!line.trimmed().isEmpty())
            out << QJsonDocument::fromJson(line).object();
    }
    return out;
}

// A simulator, a history store, an audit file and a controller pointed at the simulator.
struct Fixture
{
    QTemporaryDir dir;
    FlinkSimulator sim;
    HistoryStore history;
    ActivityLog log;
    std::unique_ptr<JobsController> controller;
    QString auditPath;
    Profile profile;

    explicit Fixture(FlinkSimOptions options = defaults())
        : sim(withDir(options, dir.path()))
    {}

    static FlinkSimOptions defaults()
    {
        FlinkSimOptions o;
        o.jobCount = 4;
        o.asyncLatencyMs = 300;
        return o;
    }
    static FlinkSimOptions withDir(FlinkSimOptions o, const QString &dir)
    {
        o.clusterSavepointDir = dir + QStringLiteral("/cluster-savepoints");
        return o;
    }

    bool start()
    {
        if (!dir.isValid() || !sim.listen())
            return false;
        if (!history.open(dir.filePath(QStringLiteral("history.sqlite"))))
            return false;
        auditPath = dir.filePath(QStringLiteral("audit.jsonl"));
        JobsController::Options options;
        options.auditPath = auditPath;
        options.pollFirstMs = 20;
        options.pollMaxMs = 100;
        controller = std::make_unique<JobsController>(options, &log, &history);
        profile.name = QStringLiteral("sim");
        profile.rest.url = sim.baseUrl().toString();
        return true;
    }
};

} // namespace

class TestJobsPanel : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_home;

    // Runs SHOW JOBS typed into the editor and waits for the table.
    static void showJobs(JobsPanel &panel, int expectedRows)
    {
        panel.editor()->clear();
        QTest::keyClicks(panel.editor(), QStringLiteral("SHOW JOBS"));
        QTest::keyClick(panel.editor(), Qt::Key_Return, Qt::ControlModifier);
        QTRY_COMPARE_WITH_TIMEOUT(panel.model()->rowCount(), expectedRows, Timeout);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_home.isValid());
        for (const char *var : {"XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"}) {
            const QString path = m_home.filePath(QString::fromLatin1(var));
            QVERIFY(QDir().mkpath(path));
            qputenv(var, QFile::encodeName(path));
        }
    }

    void resultModel_sortsByRawValuesAndFilters()
    {
        StatementResult result;
        result.statement.kind = StatementKind::ShowJobs;
        result.columns = {{QStringLiteral("job id"), ColumnType::Text},
                          {QStringLiteral("job name"), ColumnType::Text},
                          {QStringLiteral("start time"), ColumnType::Time},
                          {QStringLiteral("duration"), ColumnType::Duration}};
        const qint64 t0 = QDateTime(QDate(2026, 12, 5), QTime(9, 0)).toMSecsSinceEpoch();
        // Durations whose text sorts differently from their value: "1d 00:00:00" < "23:00:00".
        result.rows = {
            {QStringLiteral("a1"), QStringLiteral("Orders-Enrich"), t0 + 5000, qint64(86400000)},
            {QStringLiteral("b2"), QStringLiteral("payments"), t0 - 3600000, qint64(82800000)},
            {QStringLiteral("c3"), QStringLiteral("clickstream"), qint64(-1), qint64(9000)},
            {QStringLiteral("d4"), QStringLiteral("orders-archive"), t0, qint64(-1)},
        };
        JobsResultModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        JobsResultFilter filter;
        QAbstractItemModelTester filterTester(
            &filter, QAbstractItemModelTester::FailureReportingMode::QtTest);
        filter.setSourceModel(&model);
        model.setResult(result);
        QCOMPARE(model.rowCount(), 4);
        QCOMPARE(model.columnCount(), 4);
        QCOMPARE(model.headerData(2, Qt::Horizontal).toString(), QStringLiteral("start time"));
        QCOMPARE(model.index(0, 2).data().toString(), formatCell(ColumnType::Time, t0 + 5000));
        QCOMPARE(model.index(0, 3).data().toString(), QStringLiteral("1d 00:00:00"));
        QCOMPARE(model.index(2, 2).data().toString(), QString());
        QCOMPARE(model.index(0, 2).data(JobsResultModel::SortRole).typeId(),
                 int(QMetaType::LongLong));
        QCOMPARE(model.index(0, 2).data(JobsResultModel::SortRole).toLongLong(), t0 + 5000);
        QCOMPARE(model.jobIdAt(1), QStringLiteral("b2"));

        filter.sort(2, Qt::AscendingOrder);
        QCOMPARE(columnTexts(&filter, 0),
                 QStringList({QStringLiteral("c3"), QStringLiteral("b2"), QStringLiteral("d4"),
                              QStringLiteral("a1")}));
        filter.sort(3, Qt::DescendingOrder);
        QCOMPARE(columnValues(&filter, 3), QList<qint64>({86400000, 82800000, 9000, -1}));
        // As text, "23:00:00" would come before "1d 00:00:00" in descending order.
        QCOMPARE(columnTexts(&filter, 0).first(), QStringLiteral("a1"));

        filter.setFilterText(QStringLiteral("ORDERS"));
        QCOMPARE(filter.rowCount(), 2);
        filter.setFilterText(QStringLiteral("c3"));
        QCOMPARE(columnTexts(&filter, 1), QStringList{QStringLiteral("clickstream")});
        filter.setFilterText(QString());
        QCOMPARE(filter.rowCount(), 4);

        // Long text gets a tooltip, short text none.
        result.rows[0][1] = QString(80, QLatin1Char('x'));
        model.setResult(result);
        QCOMPARE(model.index(0, 1).data(Qt::ToolTipRole).toString(), QString(80, QLatin1Char('x')));
        QVERIFY(!model.index(1, 1).data(Qt::ToolTipRole).isValid());
        // Savepoint listings have no job rows.
        result.statement.kind = StatementKind::ShowSavepoints;
        model.setResult(result);
        QCOMPARE(model.jobIdAt(0), QString());
        model.clear();
        QCOMPARE(model.rowCount(), 0);
    }

    void operationsModel_inProgressThenCompleted()
    {
        OperationsModel model(3);
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        JobOperation op;
        op.triggerId = QStringLiteral("t1");
        op.kind = QStringLiteral("savepoint");
        op.jobId = QString(32, QLatin1Char('a'));
        op.jobName = QStringLiteral("orders-enrich");
        op.startedAt = QDateTime::currentDateTimeUtc().addSecs(-2);
        model.updateOperation(op);
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.index(0, OperationsModel::StateColumn).data().toString(),
                 QStringLiteral("in_progress"));
        QCOMPARE(model.index(0, OperationsModel::JobColumn).data().toString(),
                 QStringLiteral("orders-enrich"));
        QVERIFY(model.isTicking());

        // The elapsed cell ticks, and only that column changes.
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        QTRY_VERIFY_WITH_TIMEOUT(changed.size() >= 1, 3000);
        for (const QList<QVariant> &args : std::as_const(changed)) {
            QCOMPARE(args.at(0).toModelIndex().column(), int(OperationsModel::ElapsedColumn));
            QCOMPARE(args.at(1).toModelIndex().column(), int(OperationsModel::ElapsedColumn));
        }
        QVERIFY(model.index(0, 0).data(OperationsModel::ElapsedMsRole).toLongLong() >= 2000);

        op.state = JobOperation::State::Completed;
        op.finishedAt = QDateTime::currentDateTimeUtc();
        op.location = QStringLiteral("file:/savepoints/savepoint-aaaaaa-0123456789ab");
        model.updateOperation(op);
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.index(0, OperationsModel::StateColumn).data().toString(),
                 QStringLiteral("completed"));
        QCOMPARE(model.index(0, OperationsModel::ResultColumn).data().toString(), op.location);
        QVERIFY(!model.isTicking());
        const qint64 elapsed = model.index(0, 0).data(OperationsModel::ElapsedMsRole).toLongLong();
        QTest::qWait(20);
        QCOMPARE(model.index(0, 0).data(OperationsModel::ElapsedMsRole).toLongLong(), elapsed);

        // Bounded: the oldest finished rows go, newest first; in-progress rows stay.
        for (int i = 2; i <= 5; ++i) {
            JobOperation next = op;
            next.triggerId = QStringLiteral("t%1").arg(i);
            next.state = i == 5 ? JobOperation::State::InProgress : JobOperation::State::Failed;
            next.failure = QStringLiteral("java.lang.Exception: no");
            model.updateOperation(next);
        }
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.index(0, 0).data(OperationsModel::TriggerIdRole).toString(),
                 QStringLiteral("t5"));
        QCOMPARE(model.rowOf(QStringLiteral("t1")), -1);
        QCOMPARE(model.inProgressCount(), 1);
        model.dropInProgress();
        QCOMPARE(model.rowCount(), 2);
        QVERIFY(!model.isTicking());
    }

    void highlighter_tokens()
    {
        const QString line =
            QStringLiteral("stop job 0123456789abcdef0123456789ABCDEF with savepoint -- it''s 'x'");
        const auto spans = JobsHighlighter::spans(line);
        QStringList kinds;
        for (const auto &s : spans)
            kinds << QStringLiteral("%1:%2").arg(int(s.token)).arg(line.mid(s.start, s.length));
        QCOMPARE(kinds, QStringList({QStringLiteral("0:stop"), QStringLiteral("0:job"),
                                     QStringLiteral("2:0123456789abcdef0123456789ABCDEF"),
                                     QStringLiteral("0:with"), QStringLiteral("0:savepoint"),
                                     QStringLiteral("3:-- it''s 'x'")}));
        const auto str = JobsHighlighter::spans(QStringLiteral("DROP SAVEPOINT 'a''--b' -- c"));
        QCOMPARE(str.size(), 4);
        QCOMPARE(str.at(2).token, JobsHighlighter::Token::String);
        QCOMPARE(str.at(2).length, 8); // 'a''--b'
        QCOMPARE(str.at(3).token, JobsHighlighter::Token::Comment);
    }

    void panel_showJobsTypedWithCtrlEnterFillsTable()
    {
        Fixture f;
        QVERIFY(f.start());
        JobsPanel panel(f.controller.get());
        QAbstractItemModelTester tester(panel.model(),
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester proxyTester(
            panel.filterModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(!panel.unavailableLabel()->isHidden()); // no profile yet
        f.controller->setProfile(f.profile);
        QVERIFY(panel.unavailableLabel()->isHidden());
        panel.resize(1000, 600);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));

        showJobs(panel, 4);
        if (QTest::currentTestFailed())
            return;
        QCOMPARE(panel.lastStatus(), QStringLiteral("ok"));
        QVERIFY2(panel.statusText().contains(QStringLiteral("SHOW JOBS")),
                 qPrintable(panel.statusText()));
        QCOMPARE(panel.model()->headerData(0, Qt::Horizontal).toString(), QStringLiteral("job id"));
        const QString firstId = panel.model()->jobIdAt(0);
        QCOMPARE(firstId.size(), 32);
        QCOMPARE(panel.view()->model(), panel.filterModel());
        QVERIFY(panel.view()->isSortingEnabled());

        // Sorting by the start time header orders by the raw epoch value.
        const int start = panel.model()->columnNamed(QStringLiteral("start time"));
        QVERIFY(start > 0);
        panel.view()->sortByColumn(start, Qt::AscendingOrder);
        const QList<qint64> times = columnValues(panel.filterModel(), start);
        QList<qint64> sorted = times;
        std::sort(sorted.begin(), sorted.end());
        QCOMPARE(times, sorted);

        // The filter line edit filters on every column, case-insensitive.
        const QString name = panel.model()->index(0, 1).data().toString();
        panel.filterEdit()->setText(name.toUpper());
        QVERIFY(panel.filterModel()->rowCount() >= 1);
        QVERIFY(panel.filterModel()->rowCount() < 4);
        panel.filterEdit()->clear();
        QCOMPARE(panel.filterModel()->rowCount(), 4);

        // Completion knows the listed jobs; a name inserts its id.
        const QStringList entries = panel.editor()->completionEntries();
        QVERIFY(entries.contains(firstId + QStringLiteral(" -> ") + firstId));
        QVERIFY(
            entries.contains(QStringLiteral("%1 — %2 -> %2").arg(name, panel.model()->jobIdAt(0))));
        QVERIFY(entries.contains(QStringLiteral("SAVEPOINT -> SAVEPOINT")));

        // The statement went to the history store and the editor's Up recalls it.
        const auto recent = f.history.recentStatements(f.profile.name, 10);
        QVERIFY(recent);
        QCOMPARE(recent->size(), 1);
        QCOMPARE(recent->first().statement, QStringLiteral("SHOW JOBS"));
        panel.editor()->setPlainText(QStringLiteral("DESC"));
        QTest::keyClick(panel.editor(), Qt::Key_Up);
        QCOMPARE(panel.editor()->toPlainText(), QStringLiteral("SHOW JOBS"));
        QTest::keyClick(panel.editor(), Qt::Key_Down);
        QCOMPARE(panel.editor()->toPlainText(), QStringLiteral("DESC"));

        // A new panel (a restart) loads the history of the profile.
        JobsPanel again(f.controller.get());
        f.controller->setProfile(std::nullopt);
        f.controller->setProfile(f.profile);
        QCOMPARE(again.editor()->history(), QStringList{QStringLiteral("SHOW JOBS")});

        // The context menu offers the job actions on job rows only.
        QMenu *menu = panel.jobMenu(firstId, &panel);
        QStringList labels;
        for (QAction *a : menu->actions()) {
            if (!a->isSeparator())
                labels << a->text();
        }
        QCOMPARE(
            labels,
            QStringList({QStringLiteral("Stop with savepoint…"), QStringLiteral("Savepoint now…"),
                         QStringLiteral("Show savepoints"), QStringLiteral("Cancel job…")}));
        delete menu;
    }

    void panel_syntaxErrorShowsLineColumnAndMovesCursor()
    {
        Fixture f;
        QVERIFY(f.start());
        f.controller->setProfile(f.profile);
        JobsPanel panel(f.controller.get());
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        const QString script = QStringLiteral("SHOW JOBS;\n-- then\nSTOP JOB 12345 WITH SAVEPOINT");
        ParseError expected;
        QVERIFY(!parseScript(script, &expected));
        QCOMPARE(expected.line, 3);

        panel.editor()->setPlainText(script);
        QTest::keyClick(panel.editor(), Qt::Key_Enter, Qt::ControlModifier | Qt::KeypadModifier);
        QCOMPARE(panel.lastStatus(), QStringLiteral("syntax_error"));
        const QString status = panel.statusText();
        QVERIFY2(status.contains(QStringLiteral("line 3, column %1").arg(expected.column)),
                 qPrintable(status));
        QVERIFY2(status.contains(expected.expected), qPrintable(status));
        QVERIFY(panel.caretLabel()->isVisible());
        QCOMPARE(panel.caretLabel()->text(), expected.caret);
        QVERIFY(panel.caretLabel()->text().contains(QLatin1Char('^')));
        const QTextCursor cursor = panel.editor()->textCursor();
        QCOMPARE(cursor.blockNumber() + 1, expected.line);
        QCOMPARE(cursor.positionInBlock() + 1, expected.column);
        // Nothing was sent.
        QCOMPARE(f.sim.requestCount("GET"), 0);
        QCOMPARE(panel.model()->rowCount(), 0);
    }

    void panel_scriptStopsAtFirstFailureAndShowsTheError()
    {
        Fixture f;
        QVERIFY(f.start());
        f.controller->setProfile(f.profile);
        JobsPanel panel(f.controller.get());
        QSignalSpy finished(&panel, &JobsPanel::scriptFinished);
        const QString unknown = QString(32, QLatin1Char('e'));
        panel.runScript(QStringLiteral("DESCRIBE JOB %1;\nSHOW JOBS;").arg(unknown));
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, Timeout);
        QCOMPARE(panel.lastStatus(), QStringLiteral("failed"));
        const QString status = panel.statusText();
        QVERIFY2(status.contains(QStringLiteral("failed")), qPrintable(status));
        QVERIFY2(status.contains(QStringLiteral("not_found")), qPrintable(status));
        QVERIFY2(status.contains(QStringLiteral("HTTP 404")), qPrintable(status));
        QVERIFY2(status.contains(unknown), qPrintable(status));
        // SHOW JOBS never ran.
        QCOMPARE(f.sim.requestCount("GET", QStringLiteral("/jobs/overview")), 0);

        // A job row double-clicked is described.
        panel.runScript(QStringLiteral("SHOW JOBS"));
        QTRY_COMPARE_WITH_TIMEOUT(panel.model()->rowCount(), 4, Timeout);
        QTRY_VERIFY_WITH_TIMEOUT(!panel.isRunning(), Timeout);
        const QString id = panel.model()->jobIdAt(0);
        // (what QAbstractItemView emits on a double click; QTest's synthetic double click does
        // not reach it on the offscreen platform)
        emit panel.view()->doubleClicked(panel.filterModel()->index(0, 1));
        QTRY_COMPARE_WITH_TIMEOUT(panel.model()->result().statement.kind,
                                  StatementKind::DescribeJob, Timeout);
        QCOMPARE(panel.model()->result().statement.jobId, id);
        QVERIFY(panel.model()->rowCount() > 1); // the job and its vertices
        QCOMPARE(panel.model()->jobIdAt(1), id);
    }

    void panel_stopDeclinedLeavesJobRunningAndAudits()
    {
        Fixture f;
        QVERIFY(f.start());
        f.controller->setProfile(f.profile);
        const QString id = f.sim.addJob(QStringLiteral("orders-enrich"));
        JobsPanel panel(f.controller.get());
        QStringList asked;
        panel.setConfirmHandler(
            [&asked](const QString &description, std::function<void(bool)> answer) {
                asked << description;
                answer(false);
            });
        QSignalSpy finished(&panel, &JobsPanel::scriptFinished);
        panel.editor()->setPlainText(QStringLiteral("STOP JOB %1").arg(id));
        QTest::keyClick(panel.editor(), Qt::Key_Return, Qt::ControlModifier);
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, Timeout);
        QCOMPARE(finished.first().first().toString(), QStringLiteral("declined"));
        QCOMPARE(panel.lastStatus(), QStringLiteral("declined"));
        QVERIFY2(panel.statusText().contains(QStringLiteral("declined")),
                 qPrintable(panel.statusText()));

        // The dialog named the job id, its name and its state.
        QCOMPARE(asked.size(), 1);
        QVERIFY2(asked.first().contains(id), qPrintable(asked.first()));
        QVERIFY2(asked.first().contains(QStringLiteral("orders-enrich")),
                 qPrintable(asked.first()));
        QVERIFY2(asked.first().contains(QStringLiteral("RUNNING")), qPrintable(asked.first()));

        QCOMPARE(f.sim.jobState(id), QStringLiteral("RUNNING"));
        QCOMPARE(f.sim.requestCount("PATCH"), 0);
        const auto lines = auditLines(f.auditPath);
        QCOMPARE(lines.size(), 1);
        QCOMPARE(lines.first().value(QStringLiteral("outcome")).toString(),
                 QStringLiteral("declined"));
        QCOMPARE(lines.first().value(QStringLiteral("statement")).toString(),
                 QStringLiteral("STOP JOB '%1'").arg(id));
        const auto records = f.history.auditRecords(10);
        QVERIFY(records);
        QCOMPARE(records->size(), 1);
        QCOMPARE(records->first().outcome, QStringLiteral("declined"));
        bool logged = false;
        for (const ActivityEntry &e : f.log.entries())
            logged = logged || (e.source == QLatin1String("jobs") &&
                                e.message.contains(QStringLiteral("declined")));
        QVERIFY(logged);
    }

    void panel_defaultConfirmationIsANonBlockingDialogWithNoAsDefault()
    {
        Fixture f;
        QVERIFY(f.start());
        f.controller->setProfile(f.profile);
        const QString id = f.sim.addJob(QStringLiteral("orders-enrich"));
        JobsPanel panel(f.controller.get());
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        QSignalSpy finished(&panel, &JobsPanel::scriptFinished);
        panel.runScript(QStringLiteral("STOP JOB %1").arg(id));
        QMessageBox *box = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT(
            (box = panel.findChild<QMessageBox *>(QStringLiteral("jobsConfirmDialog"))), Timeout);
        QVERIFY(box->isVisible());
        QCOMPARE(box->defaultButton(), box->button(QMessageBox::No));
        QVERIFY2(box->informativeText().contains(id), qPrintable(box->informativeText()));
        QVERIFY(box->informativeText().contains(QStringLiteral("orders-enrich")));
        QVERIFY(box->informativeText().contains(QStringLiteral("RUNNING")));
        QVERIFY(panel.isRunning());
        // The event loop kept running while the dialog is open (we are here), and nothing was
        // sent yet.
        QCOMPARE(f.sim.requestCount("PATCH"), 0);
        box->button(QMessageBox::No)->click();
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, Timeout);
        QCOMPARE(panel.lastStatus(), QStringLiteral("declined"));
        QCOMPARE(f.sim.jobState(id), QStringLiteral("RUNNING"));

        // Yes runs it.
        panel.runScript(QStringLiteral("STOP JOB %1").arg(id));
        QTRY_VERIFY_WITH_TIMEOUT(
            (box = panel.findChild<QMessageBox *>(QStringLiteral("jobsConfirmDialog"))) &&
                box->isVisible(),
            Timeout);
        box->button(QMessageBox::Yes)->click();
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 2, Timeout);
        QCOMPARE(panel.lastStatus(), QStringLiteral("ok"));
        QTRY_VERIFY_WITH_TIMEOUT(f.sim.jobState(id) != QLatin1String("RUNNING"), Timeout);
        QCOMPARE(f.sim.requestCount("PATCH"), 1);
    }

    void panel_profileChangeDropsTheRunningStatement()
    {
        Fixture f;
        QVERIFY(f.start());
        f.controller->setProfile(f.profile);
        JobsPanel panel(f.controller.get());
        f.sim.setFault(opsdeck::test::FlinkFault::SlowReplies, true);
        f.sim.setSlowReplyMs(2000);
        panel.runScript(QStringLiteral("SHOW JOBS"));
        QVERIFY(panel.isRunning());
        QTRY_COMPARE_WITH_TIMEOUT(f.sim.requestCount("GET", QStringLiteral("/jobs/overview")), 1,
                                  Timeout);
        Profile other = f.profile;
        other.name = QStringLiteral("other");
        f.controller->setProfile(other);
        QVERIFY(!panel.isRunning());
        QCOMPARE(panel.lastStatus(), QStringLiteral("not_executed"));
        QTest::qWait(2300); // the slow reply would have arrived by now: it must not show
        QCOMPARE(panel.model()->rowCount(), 0);
        f.sim.setFault(opsdeck::test::FlinkFault::SlowReplies, false);
        panel.runScript(QStringLiteral("SHOW JOBS"));
        QTRY_COMPARE_WITH_TIMEOUT(panel.model()->rowCount(), 4, Timeout);
    }

    void editor_completionInsertsTheIdOfANamedJob()
    {
        JobsEditor editor;
        editor.resize(600, 200);
        editor.show();
        QVERIFY(QTest::qWaitForWindowExposed(&editor));
        const QString id = QStringLiteral("0123456789abcdef0123456789abcdef");
        editor.setJobs({{id, QStringLiteral("orders-enrich")}});
        QTest::keyClicks(&editor, QStringLiteral("describe job orde"));
        QTRY_VERIFY(editor.completer()->popup()->isVisible());
        QCOMPARE(editor.completer()->completionCount(), 1);
        QTest::keyClick(editor.completer()->popup(), Qt::Key_Return);
        QCOMPARE(editor.toPlainText(), QStringLiteral("describe job ") + id);
        // Keywords complete too (uppercase).
        editor.clear();
        QTest::keyClicks(&editor, QStringLiteral("sho"));
        QTRY_VERIFY(editor.completer()->popup()->isVisible());
        QTest::keyClick(editor.completer()->popup(), Qt::Key_Tab);
        QCOMPARE(editor.toPlainText(), QStringLiteral("SHOW"));
    }

    void panel_savepointConfirmedCompletesWithLocation()
    {
        Fixture f;
        QVERIFY(f.start());
        f.controller->setProfile(f.profile);
        const QString id = f.sim.addJob(QStringLiteral("payments"));
        OperationsModel operations;
        QAbstractItemModelTester tester(&operations,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QObject::connect(f.controller.get(), &JobsController::operationChanged, &operations,
                         &OperationsModel::updateOperation);
        QSignalSpy changes(f.controller.get(), &JobsController::operationChanged);
        JobsPanel panel(f.controller.get());
        panel.setWaitMs(0); // answer at once; the Operations model follows the rest
        int asked = 0;
        panel.setConfirmHandler([&asked](const QString &, std::function<void(bool)> answer) {
            ++asked;
            // Answer later, from the event loop, as a dialog would.
            QTimer::singleShot(10, [answer] { answer(true); });
        });

        // A CREATE SAVEPOINT with a directory asks first.
        const QString target = f.dir.filePath(QStringLiteral("savepoints"));
        panel.runScript(QStringLiteral("CREATE SAVEPOINT FOR JOB %1 TO '%2'").arg(id, target));
        QTRY_COMPARE_WITH_TIMEOUT(operations.rowCount(), 1, Timeout);
        QCOMPARE(asked, 1);
        QTRY_COMPARE_WITH_TIMEOUT(panel.isRunning(), false, Timeout);
        QCOMPARE(panel.lastStatus(), QStringLiteral("in_progress"));
        QCOMPARE(operations.index(0, OperationsModel::StateColumn).data().toString(),
                 QStringLiteral("in_progress"));
        QTRY_COMPARE_WITH_TIMEOUT(
            operations.index(0, OperationsModel::StateColumn).data().toString(),
            QStringLiteral("completed"), Timeout);
        QVERIFY(
            operations.index(0, OperationsModel::ResultColumn).data().toString().contains(target));
        QCOMPARE(operations.index(0, OperationsModel::KindColumn).data().toString(),
                 QStringLiteral("savepoint"));
        QCOMPARE(operations.index(0, OperationsModel::JobColumn).data().toString(),
                 QStringLiteral("payments"));
        QCOMPARE(f.sim.savepointsStarted(id), 1);

        // "Savepoint now…" from the context menu asks too, and with the default wait the result
        // table shows the location.
        panel.setWaitMs(JobsPanel::DefaultWaitMs);
        QMenu *menu = panel.jobMenu(id, &panel);
        QAction *now = menu->findChild<QAction *>(QStringLiteral("jobsSavepointNow"));
        QVERIFY(now);
        QCOMPARE(now->data().toString(), QStringLiteral("CREATE SAVEPOINT FOR JOB '%1'").arg(id));
        now->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(panel.isRunning(), false, Timeout);
        QCOMPARE(asked, 2);
        QCOMPARE(panel.lastStatus(), QStringLiteral("ok"));
        QCOMPARE(operations.rowCount(), 2);
        QCOMPARE(operations.index(0, OperationsModel::StateColumn).data().toString(),
                 QStringLiteral("completed"));
        const QString location =
            operations.index(0, OperationsModel::ResultColumn).data().toString();
        QVERIFY(location.contains(QStringLiteral("cluster-savepoints")));
        QCOMPARE(panel.model()->rowCount(), 1);
        QCOMPARE(panel.model()->index(0, 0).data().toString(), location);
        delete menu;
        // Ctrl+C on the result table copies the cell.
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        panel.view()->setCurrentIndex(panel.filterModel()->index(0, 0));
        QAction *copy = panel.view()->findChild<QAction *>(QStringLiteral("jobsCopyCell"));
        QVERIFY(copy);
        copy->trigger();
        QCOMPARE(QGuiApplication::clipboard()->text(), location);

        // Both statements and both completions are in the Activity log.
        int completions = 0;
        for (const ActivityEntry &e : f.log.entries()) {
            if (e.source == QLatin1String("jobs") &&
                e.message.contains(QStringLiteral("completed")))
                ++completions;
        }
        QCOMPARE(completions, 2);
        const auto lines = auditLines(f.auditPath);
        QVERIFY(lines.size() >= 2);
    }

    void panel_autoRefreshRerunsShowJobsWithoutOverlap()
    {
        Fixture f;
        QVERIFY(f.start());
        f.controller->setProfile(f.profile);
        JobsPanel panel(f.controller.get());
        QVERIFY(panel.autoRefreshBox()->isChecked());
        QCOMPARE(panel.refreshSeconds(), JobsPanel::DefaultRefreshSeconds);
        panel.setRefreshSeconds(2);
        QCOMPARE(panel.refreshTimer()->interval(), 2000);
        QVERIFY(panel.refreshTimer()->isActive());

        // Nothing to refresh before a SHOW JOBS is shown.
        panel.refresh();
        QCOMPARE(f.sim.requestCount("GET", QStringLiteral("/jobs/overview")), 0);

        panel.runScript(QStringLiteral("SHOW JOBS"));
        QTRY_COMPARE_WITH_TIMEOUT(panel.model()->rowCount(), 4, Timeout);
        const QString added = f.sim.addJob(QStringLiteral("late-arrival"));
        QTRY_COMPARE_WITH_TIMEOUT(panel.model()->rowCount(), 5, Timeout);
        QVERIFY(f.sim.requestCount("GET", QStringLiteral("/jobs/overview")) >= 2);
        QVERIFY(panel.statusText().contains(QStringLiteral("refreshed")));
        // The history holds what the user ran, not the refreshes.
        QCOMPARE(f.history.recentStatements(f.profile.name, 10)->size(), 1);

        // A refresh while one is in flight sends nothing more.
        f.sim.setFault(opsdeck::test::FlinkFault::SlowReplies, true);
        f.sim.setSlowReplyMs(1500);
        const int before = f.sim.requestCount("GET", QStringLiteral("/jobs/overview"));
        panel.refresh();
        panel.refresh();
        panel.refresh();
        QTRY_COMPARE_WITH_TIMEOUT(f.sim.requestCount("GET", QStringLiteral("/jobs/overview")),
                                  before + 1, Timeout);
        QTest::qWait(300);
        QCOMPARE(f.sim.requestCount("GET", QStringLiteral("/jobs/overview")), before + 1);
        f.sim.setFault(opsdeck::test::FlinkFault::SlowReplies, false);

        // Another kind of result stops the refresh.
        panel.autoRefreshBox()->setChecked(false);
        QVERIFY(!panel.refreshTimer()->isActive());
        Q_UNUSED(added);
    }

    void panel_profileWithoutRestUrlSaysSo()
    {
        Fixture f;
        QVERIFY(f.start());
        JobsPanel panel(f.controller.get());
        Profile p;
        p.name = QStringLiteral("norest");
        f.controller->setProfile(p);
        QVERIFY(!f.controller->executor());
        QVERIFY(!panel.unavailableLabel()->isHidden());
        QVERIFY(panel.unavailableLabel()->text().contains(QStringLiteral("rest.url")));
        panel.runScript(QStringLiteral("SHOW JOBS"));
        QCOMPARE(panel.lastStatus(), QStringLiteral("unavailable"));

        p.rest.url = QStringLiteral("ftp://nowhere");
        f.controller->setProfile(p);
        QVERIFY(!f.controller->executor());
        QVERIFY(panel.unavailableLabel()->text().contains(QStringLiteral("cannot be used")));
    }

    void screenshot_mainWindowWithJobs()
    {
        Fixture f;
        QVERIFY(f.start());
        ActivityLog &log = f.log;
        MainWindowSetup setup;
        setup.log = &log;
        setup.history = &f.history;
        setup.configPath = f.dir.filePath(QStringLiteral("profiles.json"));
        setup.settingsPath = f.dir.filePath(QStringLiteral("layout.ini"));
        setup.useSystemTray = false;
        setup.jobs.auditPath = f.auditPath;
        setup.jobs.pollFirstMs = 20;
        setup.jobs.pollMaxMs = 100;
        Profile demo = f.profile;
        demo.name = QStringLiteral("demo");
        setup.profiles.profiles << demo;
        setup.activeProfile = demo.name;
        MainWindow window(setup);
        auto *jobsDock = window.findChild<QDockWidget *>(QStringLiteral("jobsDock"));
        auto *operationsDock = window.findChild<QDockWidget *>(QStringLiteral("operationsDock"));
        QVERIFY(jobsDock && operationsDock);
        QVERIFY(window.docks().contains(jobsDock));
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        jobsDock->raise();
        operationsDock->raise();

        JobsPanel *panel = window.jobsPanel();
        panel->setConfirmHandler(
            [](const QString &, std::function<void(bool)> answer) { answer(true); });
        showJobs(*panel, 4);
        if (QTest::currentTestFailed())
            return;
        QString id;
        const int status = panel->model()->columnNamed(QStringLiteral("status"));
        for (int r = 0; r < panel->model()->rowCount() && id.isEmpty(); ++r) {
            if (panel->model()->index(r, status).data().toString() == QLatin1String("RUNNING"))
                id = panel->model()->jobIdAt(r);
        }
        QVERIFY(!id.isEmpty());
        panel->runScript(QStringLiteral("CREATE SAVEPOINT FOR JOB %1").arg(id));
        QTRY_COMPARE_WITH_TIMEOUT(panel->isRunning(), false, Timeout);
        OperationsModel *ops = window.operationsPanel()->model();
        QTRY_COMPARE_WITH_TIMEOUT(ops->rowCount(), 1, Timeout);
        QTRY_COMPARE_WITH_TIMEOUT(ops->index(0, OperationsModel::StateColumn).data().toString(),
                                  QStringLiteral("completed"), Timeout);
        // A stop with savepoint (confirmed) and a savepoint still running, for the Operations dock.
        const QString stopped = f.sim.addJob(QStringLiteral("payments-ledger"));
        panel->runScript(QStringLiteral("STOP JOB %1 WITH SAVEPOINT").arg(stopped));
        QTRY_COMPARE_WITH_TIMEOUT(panel->isRunning(), false, Timeout);
        QTRY_COMPARE_WITH_TIMEOUT(ops->index(0, OperationsModel::StateColumn).data().toString(),
                                  QStringLiteral("completed"), Timeout);
        const QString slow = f.sim.addJob(QStringLiteral("sessionizer-v2"));
        f.sim.addJob(QStringLiteral("fraud-features"));
        f.sim.setAsyncLatencyMs(120000);
        panel->setWaitMs(0);
        panel->runScript(QStringLiteral("CREATE SAVEPOINT FOR JOB %1").arg(slow));
        QTRY_COMPARE_WITH_TIMEOUT(ops->rowCount(), 3, Timeout);
        QTRY_COMPARE_WITH_TIMEOUT(panel->isRunning(), false, Timeout);
        // The screenshot shows a SHOW JOBS result with the operations below.
        panel->editor()->setPlainText(QStringLiteral("-- jobs of the demo cluster\nSHOW JOBS"));
        panel->runScript(panel->editor()->toPlainText());
        QTRY_COMPARE_WITH_TIMEOUT(panel->model()->rowCount(), 7, Timeout);
        QTRY_COMPARE_WITH_TIMEOUT(panel->isRunning(), false, Timeout);
        QVERIFY(jobsDock->isVisible());
        const QString path = opsdeck::test::saveScreenshot(&window, QStringLiteral("jobs"));
        QVERIFY(!path.isEmpty());
        qInfo("screenshot: %s", qPrintable(path));
    }
};

OPSDECK_TEST_GUI_MAIN(TestJobsPanel)
#include "tst_jobspanel.moc"
