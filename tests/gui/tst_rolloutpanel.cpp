// SPDX-License-Identifier: GPL-3.0-or-later
// The Rollout dock: its model over hand-built FleetStatus values (cells, match marks, tooltips,
// sorting, in-place updates), the panel's summary line and progress bar, then end to end: a real
// TLS monitor on a rotating bundle directory, loopback TLS nodes picking the rotation up one by
// one, and the controller's FleetRollout going from "0 of N" to "N of N".
#include "certificatesmodel.h"
#include "certnotifier.h"
#include "common/activitylog.h"
#include "mainwindow.h"
#include "reloadeventsmodel.h"
#include "rolloutcontroller.h"
#include "rolloutmodel.h"
#include "rolloutpanel.h"
#include "screenshot.h"
#include "testmain.h"
#include "tlsdemo.h"
#include "tlsmonitorcontroller.h"
#include "tlsnodes.h"

#include <QAbstractItemModelTester>
#include <QDockWidget>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QTemporaryDir>

using namespace opsdeck;
using namespace opsdeck::health;
using namespace opsdeck::test;

namespace {

const QString kDisk =
    QStringLiteral("9c1b7e2a55d0c3f4a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f6a7b8");
const QString kOld =
    QStringLiteral("3f2a0d9e8c7b6a5948372615a4b3c2d1e0f9e8d7c6b5a49382716a5b4c3d2e1f");

FleetNodeStatus node(const QString &name, quint16 port)
{
    FleetNodeStatus n;
    n.target.node = name;
    n.target.kind = QStringLiteral("solr");
    n.target.host = QStringLiteral("127.0.0.1");
    n.target.port = port;
    return n;
}

void served(FleetNodeStatus &n, const QString &sha, tls::DiskMatch match)
{
    n.probed = true;
    n.servedSha256 = sha;
    n.servedNotAfter = QDateTime(QDate(2027, 3, 1), QTime(12, 0), Qt::UTC);
    n.match = match;
    n.lastProbed = QDateTime::currentDateTimeUtc();
    n.handshakeMs = 4;
}

void failed(FleetNodeStatus &n, const QString &kind, const QString &message)
{
    n.probed = true;
    n.error = kind;
    n.errorMessage = message;
    n.match = tls::DiskMatch::Unknown;
    n.lastProbed = QDateTime::currentDateTimeUtc();
}

// a serves the disk leaf, b still the old one, c is down; after a rotation (changedAt set).
FleetStatus sampleStatus()
{
    FleetStatus s;
    s.bundle = QStringLiteral("/etc/tls/solr");
    s.diskSha256 = kDisk;
    s.diskNotAfter = QDateTime(QDate(2027, 3, 1), QTime(12, 0), Qt::UTC);
    s.changedAt = QDateTime::currentDateTimeUtc();
    FleetNodeStatus a = node(QStringLiteral("127.0.0.1:8983_solr"), 8983);
    served(a, kDisk, tls::DiskMatch::Matches);
    FleetNodeStatus b = node(QStringLiteral("127.0.0.1:8984_solr"), 8984);
    served(b, kOld, tls::DiskMatch::NotReloaded);
    FleetNodeStatus c = node(QStringLiteral("127.0.0.1:8985_solr"), 8985);
    failed(c, QStringLiteral("refused"), QStringLiteral("connection refused"));
    s.nodes << a << b << c;
    return s;
}

QString cell(const QAbstractItemModel *m, int row, int column, int role = Qt::DisplayRole)
{
    return m->data(m->index(row, column), role).toString();
}

QStringList column(const QAbstractItemModel *m, int c)
{
    QStringList out;
    for (int r = 0; r < m->rowCount(); ++r)
        out << cell(m, r, c);
    return out;
}

} // namespace

class TestRolloutPanel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void rolloutModel_cellsMarksAndTooltips()
    {
        RolloutModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setStatus(sampleStatus());
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.columnCount(), int(RolloutModel::ColumnCount));
        QCOMPARE(column(&model, RolloutModel::NodeColumn),
                 QStringList({QStringLiteral("127.0.0.1:8983_solr"),
                              QStringLiteral("127.0.0.1:8984_solr"),
                              QStringLiteral("127.0.0.1:8985_solr")}));
        QCOMPARE(column(&model, RolloutModel::MatchColumn),
                 QStringList({QStringLiteral("✓"), QStringLiteral("✗ not reloaded"),
                              QStringLiteral("? error")}));
        // Short fingerprint in the cell, the full one in the tooltip and a role.
        QCOMPARE(cell(&model, 0, RolloutModel::FingerprintColumn),
                 QStringLiteral("9c1b7e2a55d0…a7b8"));
        QCOMPARE(cell(&model, 0, RolloutModel::FingerprintColumn, Qt::ToolTipRole),
                 QStringLiteral("SHA-256 ") + kDisk);
        QCOMPARE(
            cell(&model, 1, RolloutModel::FingerprintColumn, RolloutModel::FullFingerprintRole),
            kOld);
        QCOMPARE(cell(&model, 2, RolloutModel::FingerprintColumn), QString());
        QCOMPARE(cell(&model, 0, RolloutModel::NotAfterColumn), QStringLiteral("2027-03-01 12:00"));
        QVERIFY(!cell(&model, 0, RolloutModel::LastProbedColumn).isEmpty());
        QCOMPARE(cell(&model, 2, RolloutModel::ErrorColumn), QStringLiteral("connection refused"));
        QCOMPARE(cell(&model, 2, RolloutModel::ErrorColumn, Qt::ToolTipRole),
                 QStringLiteral("refused: connection refused"));
        QCOMPARE(model.index(0, RolloutModel::MatchColumn).data(Qt::ForegroundRole).value<QColor>(),
                 QColor(0x15, 0x80, 0x3d));
        QCOMPARE(model.index(1, RolloutModel::MatchColumn).data(Qt::ForegroundRole).value<QColor>(),
                 QColor(0xc6, 0x28, 0x28));
        QVERIFY(cell(&model, 1, RolloutModel::MatchColumn, Qt::ToolTipRole)
                    .contains(QStringLiteral("disk has 9c1b7e2a55d0…a7b8")));

        // Not probed yet / probing.
        FleetStatus fresh;
        FleetNodeStatus waiting = node(QStringLiteral("127.0.0.1:9000_solr"), 9000);
        waiting.probing = true;
        fresh.nodes << waiting;
        QCOMPARE(RolloutModel::matchText(fresh.nodes.first()), QStringLiteral("probing…"));
        waiting.probing = false;
        QCOMPARE(RolloutModel::matchText(waiting), QString());
        served(waiting, kOld, tls::DiskMatch::Differs);
        QCOMPARE(RolloutModel::matchText(waiting), QStringLiteral("✗ differs"));
    }

    void rolloutModel_updatesInPlaceAndSorts()
    {
        RolloutModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSortFilterProxyModel sort;
        sort.setSourceModel(&model);
        sort.setSortRole(RolloutModel::SortRole);
        QAbstractItemModelTester sortTester(&sort,
                                            QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setStatus(sampleStatus());

        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);

        // The same status: nothing.
        model.setStatus(sampleStatus());
        QCOMPARE(reset.count() + inserted.count() + removed.count() + changed.count(), 0);

        // b reloads: one row changes, only the cells that changed.
        FleetStatus next = sampleStatus();
        next.nodes[0].lastProbed = model.nodeAt(0).lastProbed;
        next.nodes[2].lastProbed = model.nodeAt(2).lastProbed;
        next.nodes[1].servedSha256 = kDisk;
        next.nodes[1].match = tls::DiskMatch::Matches;
        next.nodes[1].lastProbed = model.nodeAt(1).lastProbed;
        model.setStatus(next);
        QCOMPARE(reset.count(), 0);
        QCOMPARE(changed.count(), 1);
        const auto topLeft = changed.at(0).at(0).value<QModelIndex>();
        const auto bottomRight = changed.at(0).at(1).value<QModelIndex>();
        QCOMPARE(topLeft.row(), 1);
        QCOMPARE(bottomRight.row(), 1);
        QCOMPARE(topLeft.column(), int(RolloutModel::FingerprintColumn));
        QCOMPARE(bottomRight.column(), int(RolloutModel::MatchColumn));
        QCOMPARE(cell(&model, 1, RolloutModel::MatchColumn), QStringLiteral("✓"));

        // c leaves, d joins (and the REST endpoint, after the Solr nodes).
        FleetStatus moved = next;
        moved.nodes.removeAt(2);
        FleetNodeStatus d = node(QStringLiteral("127.0.0.1:8986_solr"), 8986);
        served(d, kOld, tls::DiskMatch::NotReloaded);
        FleetNodeStatus rest = node(QStringLiteral("flink-rest"), 8081);
        rest.target.kind = QStringLiteral("rest");
        served(rest, kDisk, tls::DiskMatch::Matches);
        moved.nodes << d << rest;
        model.setStatus(moved);
        QCOMPARE(reset.count(), 0);
        QCOMPARE(removed.count(), 1);
        QCOMPARE(inserted.count(), 2);
        QCOMPARE(column(&model, RolloutModel::NodeColumn),
                 QStringList(
                     {QStringLiteral("127.0.0.1:8983_solr"), QStringLiteral("127.0.0.1:8984_solr"),
                      QStringLiteral("127.0.0.1:8986_solr"), QStringLiteral("flink-rest")}));

        // Sorting by the match column puts the nodes that did not reload first (descending).
        sort.sort(RolloutModel::MatchColumn, Qt::DescendingOrder);
        QCOMPARE(cell(&sort, 0, RolloutModel::NodeColumn), QStringLiteral("127.0.0.1:8986_solr"));
        QCOMPARE(cell(&sort, 0, RolloutModel::MatchColumn), QStringLiteral("✗ not reloaded"));
        sort.sort(RolloutModel::NodeColumn, Qt::DescendingOrder);
        QCOMPARE(cell(&sort, 0, RolloutModel::NodeColumn), QStringLiteral("flink-rest"));

        model.clear();
        QCOMPARE(model.rowCount(), 0);
    }

    void rolloutPanel_summaryProgressAndRows()
    {
        RolloutPanel panel(nullptr);
        QAbstractItemModelTester tester(panel.model(),
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(panel.summaryLabel()->text(), QStringLiteral("no profile selected"));
        QVERIFY(!panel.probeButton()->isEnabled());
        QVERIFY(panel.progressBar()->isHidden());

        FleetStatus status = sampleStatus();
        status.nodes.removeLast();
        FleetNodeStatus more = node(QStringLiteral("127.0.0.1:8986_solr"), 8986);
        served(more, kDisk, tls::DiskMatch::Matches);
        status.nodes << more;
        for (quint16 port : {8987, 8988}) {
            FleetNodeStatus n = node(QStringLiteral("127.0.0.1:%1_solr").arg(port), port);
            served(n, kDisk, tls::DiskMatch::Matches);
            status.nodes << n;
        }
        FleetNodeStatus down = node(QStringLiteral("127.0.0.1:8989_solr"), 8989);
        failed(down, QStringLiteral("timeout"), QStringLiteral("no handshake within 3000 ms"));
        status.nodes << down;
        status.converging = true;
        panel.showStatus(status);

        QCOMPARE(panel.summaryLabel()->text(),
                 QStringLiteral("4 of 6 nodes serve the new certificate, 1 unreachable — "
                                "converging…"));
        QVERIFY(!panel.progressBar()->isHidden());
        QCOMPARE(panel.progressBar()->maximum(), 6);
        QCOMPARE(panel.progressBar()->value(), 4);
        QVERIFY(panel.diskLabel()->text().contains(QStringLiteral("9c1b7e2a55d0…a7b8")));
        QVERIFY(panel.diskLabel()->text().contains(QStringLiteral("not after 2027-03-01")));
        const QAbstractItemModel *shown = panel.view()->model();
        QCOMPARE(shown->rowCount(), 6);
        QCOMPARE(cell(shown, 1, RolloutModel::MatchColumn), QStringLiteral("✗ not reloaded"));
        QCOMPARE(cell(shown, 5, RolloutModel::MatchColumn), QStringLiteral("? error"));

        panel.resize(1000, 300);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        const QString shot = saveScreenshot(&panel, QStringLiteral("rollout-panel"));
        QVERIFY(!shot.isEmpty());
        qInfo("screenshot: %s", qPrintable(shot));
    }

    void rolloutController_followsARotationAcrossTheFleet()
    {
        TlsDemo demo;
        TlsDemo::Options demoOptions;
        demoOptions.rotateIntervalMs = 0;
        demoOptions.reloadEvery = 1000; // the demo's own endpoint is not part of this fleet
        QVERIFY(demo.start(demoOptions));

        QStringList liveNodes;
        constexpr int N = 3;
        TlsNodeFleet nodes;
        TlsNodeFleet::Options nodeOptions;
        nodeOptions.stepMs = 700;
        nodeOptions.pollIntervalMs = 100;
        QVERIFY(nodes.start(demo.directory(), N, nodeOptions));
        for (int i = 0; i < N; ++i)
            liveNodes << QStringLiteral("127.0.0.1:%1_solr").arg(nodes.port(i));

        ActivityLog log;
        CertificatesModel certificates;
        ReloadEventsModel events;
        CertNotifier notifier(&log);
        TlsMonitorController::Options tlsOptions;
        tlsOptions.monitor.quietPeriodMs = 100;
        tlsOptions.monitor.pollIntervalMsOverride = 500;
        TlsMonitorController tls(tlsOptions, &log, nullptr, &certificates, &events, &notifier);

        FleetOptions fleetOptions;
        fleetOptions.convergeIntervalMs = 200;
        fleetOptions.probeTimeoutMs = 3000;
        fleetOptions.refreshIntervalMs = 0;
        RolloutController controller(fleetOptions, nullptr, &tls);
        RolloutPanel panel(&controller);
        QAbstractItemModelTester tester(panel.model(),
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester sortTester(panel.sortModel(),
                                            QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(panel.summaryLabel()->text(), QStringLiteral("no profile selected"));

        Profile profile;
        profile.name = QStringLiteral("fleet");
        BundleConfig bundle;
        bundle.path = demo.directory();
        profile.bundles << bundle;
        tls.setProfile(profile);
        controller.setProfile(profile);
        QVERIFY(controller.isActive());
        controller.setLiveNodes(liveNodes);

        // Before any rotation every node serves what is on disk.
        const QString all = QStringLiteral("%1 of %1 nodes serve the disk certificate").arg(N);
        QTRY_COMPARE_WITH_TIMEOUT(panel.summaryLabel()->text(), all, 15000);
        QCOMPARE(panel.model()->rowCount(), N);
        QCOMPARE(panel.progressBar()->value(), N);
        const QString first = demo.diskFingerprint();
        QCOMPARE(controller.status().diskSha256, first);

        QSignalSpy reset(panel.model(), &QAbstractItemModel::modelReset);
        QSignalSpy inserted(panel.model(), &QAbstractItemModel::rowsInserted);
        QSignalSpy statuses(&controller, &RolloutController::statusChanged);

        // The services hold on to their old certificate until they are let go.
        for (int i = 0; i < N; ++i)
            nodes.pause(i, true);
        QVERIFY(demo.rotate());
        const QString rotated = demo.diskFingerprint();
        QVERIFY(rotated != first);
        const QString none = QStringLiteral("0 of %1 nodes serve the new certificate").arg(N);
        QTRY_COMPARE_WITH_TIMEOUT(panel.summaryLabel()->text().left(none.size()), none, 15000);
        QCOMPARE(controller.status().diskSha256, rotated);
        QTRY_COMPARE_WITH_TIMEOUT(
            panel.model()->index(0, RolloutModel::MatchColumn).data().toString(),
            QStringLiteral("✗ not reloaded"), 10000);
        QCOMPARE(panel.progressBar()->value(), 0);

        statuses.clear();
        for (int i = 0; i < N; ++i)
            nodes.pause(i, false); // node i reloads (i + 1) * 700 ms later
        const QString target = rotated;
        const QString done = QStringLiteral("%1 of %1 nodes serve the new certificate").arg(N);
        QTRY_COMPARE_WITH_TIMEOUT(panel.summaryLabel()->text(), done, 20000);
        QCOMPARE(panel.progressBar()->value(), N);
        for (int r = 0; r < N; ++r) {
            QCOMPARE(cell(panel.model(), r, RolloutModel::MatchColumn), QStringLiteral("✓"));
            QCOMPARE(cell(panel.model(), r, RolloutModel::FingerprintColumn,
                          RolloutModel::FullFingerprintRole),
                     target);
        }
        QList<int> matching;
        for (const QList<QVariant> &args : std::as_const(statuses))
            matching << args.at(0).value<FleetStatus>().matching();
        // Updated row by row, never reset; the count only went up.
        QCOMPARE(reset.count(), 0);
        QCOMPARE(inserted.count(), 0);
        QVERIFY(!matching.isEmpty());
        QVERIFY(std::is_sorted(matching.cbegin(), matching.cend()));
        // The nodes came one at a time, and the view showed it.
        QStringList seen;
        for (int m : std::as_const(matching))
            seen << QString::number(m);
        QVERIFY2(
            std::any_of(matching.cbegin(), matching.cend(), [](int m) { return m > 0 && m < N; }),
            qPrintable(QStringLiteral("matching counts seen: ") + seen.join(u',')));

        // "Probe now" probes every node again.
        const QDateTime before = controller.status().nodes.first().lastProbed;
        QSignalSpy round(&controller, &RolloutController::roundFinished);
        QVERIFY(panel.probeButton()->isEnabled());
        panel.probeButton()->click();
        QTRY_VERIFY_WITH_TIMEOUT(round.count() >= 1, 10000);
        QVERIFY(controller.status().nodes.first().lastProbed >= before);
        QCOMPARE(panel.summaryLabel()->text(), done);

        panel.resize(1000, 260);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        const QString shot = saveScreenshot(&panel, QStringLiteral("rollout-converged"));
        QVERIFY(!shot.isEmpty());
        qInfo("screenshot: %s", qPrintable(shot));
    }

    void mainWindow_hasTheRolloutDockNextToTheCertificateDocks()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        ActivityLog log;
        MainWindowSetup setup;
        setup.log = &log;
        setup.configPath = dir.filePath(QStringLiteral("profiles.json"));
        setup.settingsPath = dir.filePath(QStringLiteral("layout.ini"));
        setup.historyError = QStringLiteral("history not opened in this test");
        setup.useSystemTray = false;
        setup.health.firstRunDelayMs = -1;
        MainWindow window(setup);
        auto *rollout = window.findChild<QDockWidget *>(QStringLiteral("rolloutDock"),
                                                        Qt::FindDirectChildrenOnly);
        auto *events = window.findChild<QDockWidget *>(QStringLiteral("reloadEventsDock"),
                                                       Qt::FindDirectChildrenOnly);
        QVERIFY(rollout && events);
        QCOMPARE(rollout->widget(), static_cast<QWidget *>(window.rolloutPanel()));
        QCOMPARE(window.dockWidgetArea(rollout), window.dockWidgetArea(events));
        QVERIFY(window.tabifiedDockWidgets(events).contains(rollout));
        QVERIFY(window.findChild<QAction *>(QStringLiteral("rolloutDockToggle")));
        QVERIFY(window.findChild<QAction *>(QStringLiteral("healthDockToggle")));
        QCOMPARE(window.rolloutPanel()->summaryLabel()->text(),
                 QStringLiteral("no profile selected"));

        // Both new docks raised in the default layout: nothing clipped at the default size.
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        window.findChild<QDockWidget *>(QStringLiteral("healthDock"), Qt::FindDirectChildrenOnly)
            ->raise();
        rollout->raise();
        QTest::qWait(50); // let the raised tabs paint (not a synchronisation)
        const QString shot = saveScreenshot(&window, QStringLiteral("mainwindow-health-rollout"));
        QVERIFY(!shot.isEmpty());
        qInfo("screenshot: %s", qPrintable(shot));
    }
};

OPSDECK_TEST_GUI_MAIN(TestRolloutPanel)
#include "tst_rolloutpanel.moc"
