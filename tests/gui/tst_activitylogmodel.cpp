// SPDX-License-Identifier: GPL-3.0-or-later
#include "activitylogmodel.h"
#include "activitylogpanel.h"
#include "common/activitylog.h"
#include "testmain.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QComboBox>
#include <QScrollBar>
#include <QTableView>
#include <thread>
#include <vector>

using namespace opsdeck;

class TestActivityLogModel : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void model_hasFourColumnsWithHeaders()
    {
        ActivityLogModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(model.columnCount(), 4);
        QCOMPARE(int(ActivityLogModel::ColumnCount), 4);
        QCOMPARE(model.headerData(ActivityLogModel::TimeColumn, Qt::Horizontal).toString(),
                 QStringLiteral("Time"));
        QCOMPARE(model.headerData(ActivityLogModel::MessageColumn, Qt::Horizontal).toString(),
                 QStringLiteral("Message"));
    }

    void model_showsEntriesNewestLastWithColouredSeverity()
    {
        ActivityLog log;
        ActivityLogModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        log.info(QStringLiteral("profiles"), QStringLiteral("loaded before attach"));
        model.attach(&log);
        QCOMPARE(model.rowCount(), 1);
        log.warning(QStringLiteral("zk"), QStringLiteral("slow"));
        log.error(QStringLiteral("history"), QStringLiteral("disabled"));
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.index(0, ActivityLogModel::MessageColumn).data().toString(),
                 QStringLiteral("loaded before attach"));
        QCOMPARE(model.index(2, ActivityLogModel::MessageColumn).data().toString(),
                 QStringLiteral("disabled"));
        QCOMPARE(model.index(2, ActivityLogModel::SeverityColumn).data().toString(),
                 QStringLiteral("error"));
        QCOMPARE(model.index(2, ActivityLogModel::SourceColumn).data().toString(),
                 QStringLiteral("history"));
        QCOMPARE(model.index(2, ActivityLogModel::SeverityColumn)
                     .data(Qt::ForegroundRole)
                     .value<QColor>(),
                 ActivityLogModel::severityColor(Severity::Error));
        QCOMPARE(model.index(1, ActivityLogModel::SeverityColumn)
                     .data(Qt::ForegroundRole)
                     .value<QColor>(),
                 ActivityLogModel::severityColor(Severity::Warning));
        QVERIFY(ActivityLogModel::severityColor(Severity::Error) !=
                ActivityLogModel::severityColor(Severity::Info));
        const QDateTime ts = model.index(0, 0).data(ActivityLogModel::TimestampRole).toDateTime();
        QCOMPARE(model.index(0, ActivityLogModel::TimeColumn).data().toString(),
                 ts.toString(QStringLiteral("HH:mm:ss")));
    }

    void model_entriesFromWorkerThreadsArrive()
    {
        ActivityLog log;
        ActivityLogModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.attach(&log);
        constexpr int Threads = 4;
        constexpr int PerThread = 50;
        std::vector<std::thread> workers;
        for (int t = 0; t < Threads; ++t) {
            workers.emplace_back([&log, t] {
                for (int i = 0; i < PerThread; ++i)
                    log.info(QStringLiteral("worker"), QStringLiteral("t%1 #%2").arg(t).arg(i));
            });
        }
        for (auto &w : workers)
            w.join();
        // Delivered through queued connections: nothing is there until the GUI loop runs.
        QTRY_COMPARE(model.rowCount(), Threads * PerThread);
        // Every id once, no duplicates.
        QSet<quint64> ids;
        for (int row = 0; row < model.rowCount(); ++row)
            ids.insert(model.index(row, 0).data(ActivityLogModel::EntryIdRole).toULongLong());
        QCOMPARE(ids.size(), Threads * PerThread);
    }

    void model_isBoundedLikeTheLog()
    {
        ActivityLog log(3);
        ActivityLogModel model(log.capacity());
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.attach(&log);
        for (int i = 0; i < 5; ++i)
            log.info(QStringLiteral("t"), QStringLiteral("m%1").arg(i));
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.index(0, ActivityLogModel::MessageColumn).data().toString(),
                 QStringLiteral("m2"));
        QCOMPARE(model.index(2, ActivityLogModel::MessageColumn).data().toString(),
                 QStringLiteral("m4"));
    }

    void clearView_emptiesModelButNotLog()
    {
        ActivityLog log;
        ActivityLogModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.attach(&log);
        log.info(QStringLiteral("a"), QStringLiteral("one"));
        log.info(QStringLiteral("a"), QStringLiteral("two"));
        model.clear();
        QCOMPARE(model.rowCount(), 0);
        QCOMPARE(log.entries().size(), 2);
        log.info(QStringLiteral("a"), QStringLiteral("three"));
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.index(0, ActivityLogModel::MessageColumn).data().toString(),
                 QStringLiteral("three"));
    }

    void filter_showsOnlyAtOrAboveMinimumSeverity()
    {
        ActivityLog log;
        ActivityLogModel model;
        ActivitySeverityFilter proxy;
        proxy.setSourceModel(&model);
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester proxyTester(
            &proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.attach(&log);
        log.info(QStringLiteral("a"), QStringLiteral("i"));
        log.warning(QStringLiteral("a"), QStringLiteral("w"));
        log.error(QStringLiteral("a"), QStringLiteral("e"));
        QCOMPARE(proxy.rowCount(), 3);
        proxy.setMinimumSeverity(Severity::Warning);
        QCOMPARE(proxy.rowCount(), 2);
        proxy.setMinimumSeverity(Severity::Error);
        QCOMPARE(proxy.rowCount(), 1);
        QCOMPARE(proxy.index(0, ActivityLogModel::MessageColumn).data().toString(),
                 QStringLiteral("e"));
        log.info(QStringLiteral("a"), QStringLiteral("i2"));
        QCOMPARE(proxy.rowCount(), 1);
        log.error(QStringLiteral("a"), QStringLiteral("e2"));
        QCOMPARE(proxy.rowCount(), 2);
        proxy.setMinimumSeverity(Severity::Info);
        QCOMPARE(proxy.rowCount(), 5);
    }

    void panel_filterComboAndAutoscroll()
    {
        ActivityLog log;
        ActivityLogPanel panel(&log);
        QAbstractItemModelTester tester(panel.model(),
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester proxyTester(
            panel.filterModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        panel.resize(600, 200);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        for (int i = 0; i < 200; ++i)
            log.add(i % 10 == 0 ? Severity::Error : Severity::Info, QStringLiteral("t"),
                    QStringLiteral("entry %1").arg(i));
        QScrollBar *bar = panel.view()->verticalScrollBar();
        QTRY_VERIFY(bar->maximum() > 0);
        QTRY_COMPARE(bar->value(), bar->maximum()); // follows the newest entry

        // Scrolled up: a new entry does not yank the view down.
        bar->setValue(0);
        log.info(QStringLiteral("t"), QStringLiteral("late"));
        QCoreApplication::processEvents();
        QCOMPARE(bar->value(), 0);

        panel.severityCombo()->setCurrentIndex(2); // errors only
        QCOMPARE(panel.filterModel()->rowCount(), 20);
    }
};

OPSDECK_TEST_GUI_MAIN(TestActivityLogModel)
#include "tst_activitylogmodel.moc"
