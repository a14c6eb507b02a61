// SPDX-License-Identifier: GPL-3.0-or-later
// The Health dock: its model and traffic lights over hand-built reports (colours, state texts,
// summaries, rows, sorting, in-place updates), then the controller with real HealthCheckers on
// worker threads: a run's report, no overlapping runs, and tearing down mid-run (controller and
// whole window) quickly and without leaking the worker.
#include "common/activitylog.h"
#include "healthcontroller.h"
#include "healthmodel.h"
#include "healthpanel.h"
#include "mainwindow.h"
#include "screenshot.h"
#include "testmain.h"
#include "tlsdemo.h"

#include <QAbstractItemModelTester>
#include <QDockWidget>
#include <QElapsedTimer>
#include <QImage>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableView>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QThread>

using namespace opsdeck;
using namespace opsdeck::health;
using namespace opsdeck::test;

namespace {

CheckItem item(const QString &module, const QString &code, const QString &subject, State state,
               const QString &message)
{
    CheckItem i;
    i.module = module;
    i.code = code;
    i.subject = subject;
    i.state = state;
    i.message = message;
    return i;
}

ModuleResult moduleResult(const QString &name, bool configured, State state, const QString &summary)
{
    ModuleResult m;
    m.module = name;
    m.configured = configured;
    m.ran = configured;
    m.state = state;
    m.summary = summary;
    return m;
}

// certs OK, jobs WARNING, roles CRITICAL, fleet not configured.
HealthReport sampleReport()
{
    HealthReport r;
    r.profile = QStringLiteral("demo");
    r.startedAt = QDateTime::currentDateTimeUtc();
    r.durationMs = 1234;
    r.modules << moduleResult(QStringLiteral("certs"), true, State::Ok,
                              QStringLiteral("2 bundles ok, 41 days left"))
              << moduleResult(QStringLiteral("jobs"), true, State::Warning,
                              QStringLiteral("5 jobs, 1 restarting"))
              << moduleResult(QStringLiteral("roles"), true, State::Critical,
                              QStringLiteral("no Overseer leader elected"))
              << moduleResult(QStringLiteral("fleet"), false, State::Ok,
                              QStringLiteral("not configured (needs a ZooKeeper ensemble and a "
                                             "certificate bundle)"));
    r.items << item(QStringLiteral("certs"), QStringLiteral("bundle_verdict"),
                    QStringLiteral("/etc/tls/solr"), State::Ok, QStringLiteral("ok"))
            << item(QStringLiteral("certs"), QStringLiteral("bundle_expiry"),
                    QStringLiteral("/etc/tls/solr"), State::Ok, QStringLiteral("41 days left"))
            << item(QStringLiteral("jobs"), QStringLiteral("job_restarting"),
                    QStringLiteral("a1b2c3"), State::Warning,
                    QStringLiteral("job 'clickstream' is RESTARTING"))
            << item(QStringLiteral("roles"), QStringLiteral("overseer_elected"), QString(),
                    State::Critical, QStringLiteral("no Overseer leader elected"))
            << item(QStringLiteral("roles"), QStringLiteral("zk_session"),
                    QStringLiteral("127.0.0.1:2181/solr"), State::Ok,
                    QStringLiteral("connected in 4 ms"));
    return r;
}

QString cell(const QAbstractItemModel *m, int row, int column, int role = Qt::DisplayRole)
{
    return m->data(m->index(row, column), role).toString();
}

// The colour in the middle of the lamp as it is drawn on screen.
QColor lampPixel(HealthLight *light)
{
    auto *lamp = light->findChild<QLabel *>(QStringLiteral("healthLamp_") + light->module());
    if (!lamp)
        return {};
    const QImage image = lamp->grab().toImage();
    return image.pixelColor(image.width() / 2, image.height() / 2 + image.height() / 5);
}

bool near(const QColor &a, const QColor &b)
{
    return std::abs(a.red() - b.red()) < 40 && std::abs(a.green() - b.green()) < 40 &&
           std::abs(a.blue() - b.blue()) < 40;
}

// A TCP server that accepts and never answers: an HTTP client waits for its reply until it gives
// up, so a health check against it is "in progress" for as long as its timeout.
class SilentServer : public QObject
{
public:
    SilentServer()
    {
        QObject::connect(&server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *s = server.nextPendingConnection()) {
                ++accepted;
                sockets << s;
                QObject::connect(s, &QTcpSocket::readyRead, s, [s] { s->readAll(); });
            }
        });
    }
    bool listen() { return server.listen(QHostAddress::LocalHost); }
    quint16 port() const { return server.serverPort(); }
    int open() const
    {
        int n = 0;
        for (const QPointer<QTcpSocket> &s : sockets)
            if (s && s->state() == QAbstractSocket::ConnectedState)
                ++n;
        return n;
    }
    QTcpServer server;
    QList<QPointer<QTcpSocket>> sockets;
    int accepted = 0;
};

Profile hangingRestProfile(quint16 port)
{
    Profile p;
    p.name = QStringLiteral("hanging");
    p.rest.url = QStringLiteral("http://127.0.0.1:%1").arg(port);
    p.rest.connectTimeoutMs = 20000;
    p.rest.readTimeoutMs = 20000;
    return p;
}

} // namespace

class TestHealthPanel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void healthModel_rowsInModuleOrderWithStateColours()
    {
        HealthModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        HealthSortModel sort;
        sort.setSourceModel(&model);
        QAbstractItemModelTester sortTester(&sort,
                                            QAbstractItemModelTester::FailureReportingMode::QtTest);

        model.setItems(sampleReport().items);
        QCOMPARE(model.rowCount(), 5);
        QCOMPARE(model.columnCount(), int(HealthModel::ColumnCount));
        // Module order (certs, jobs, roles), then subject, then code.
        QStringList order;
        for (int r = 0; r < model.rowCount(); ++r)
            order << cell(&model, r, HealthModel::ModuleColumn) + QLatin1Char('/') +
                         model.index(r, 0).data(HealthModel::CodeRole).toString();
        QCOMPARE(order, QStringList({QStringLiteral("certs/bundle_expiry"),
                                     QStringLiteral("certs/bundle_verdict"),
                                     QStringLiteral("jobs/job_restarting"),
                                     QStringLiteral("roles/overseer_elected"),
                                     QStringLiteral("roles/zk_session")}));
        const int overseer =
            model.rowOf(QStringLiteral("roles"), QStringLiteral("overseer_elected"), QString());
        QCOMPARE(overseer, 3); // module-wide items (no subject) first within their module
        QCOMPARE(cell(&model, overseer, HealthModel::StateColumn), QStringLiteral("CRITICAL"));
        QCOMPARE(cell(&model, overseer, HealthModel::SubjectColumn), QStringLiteral("(roles)"));
        QCOMPARE(cell(&model, overseer, HealthModel::MessageColumn),
                 QStringLiteral("no Overseer leader elected"));
        QCOMPARE(model.index(overseer, HealthModel::StateColumn)
                     .data(Qt::ForegroundRole)
                     .value<QColor>(),
                 healthTextColor(State::Critical));
        QVERIFY(!model.index(overseer, HealthModel::StateColumn)
                     .data(Qt::DecorationRole)
                     .value<QIcon>()
                     .isNull());
        const int restarting = model.rowOf(QStringLiteral("jobs"), QStringLiteral("job_restarting"),
                                           QStringLiteral("a1b2c3"));
        QCOMPARE(cell(&model, restarting, HealthModel::StateColumn), QStringLiteral("WARNING"));
        QCOMPARE(healthTextColor(State::Ok), QColor(0x15, 0x80, 0x3d));
        QCOMPARE(healthLampColor(State::Unknown), QColor(0x9c, 0xa3, 0xaf));

        // Sorting by state: the worst first (CRITICAL > UNKNOWN > WARNING > OK), ties by module.
        sort.sort(HealthModel::StateColumn, Qt::DescendingOrder);
        QCOMPARE(cell(&sort, 0, HealthModel::StateColumn), QStringLiteral("CRITICAL"));
        QCOMPARE(cell(&sort, 1, HealthModel::StateColumn), QStringLiteral("WARNING"));
        QCOMPARE(cell(&sort, 4, HealthModel::StateColumn), QStringLiteral("OK"));
        sort.sort(HealthModel::ModuleColumn, Qt::DescendingOrder);
        QCOMPARE(cell(&sort, 0, HealthModel::ModuleColumn), QStringLiteral("roles"));
        QCOMPARE(cell(&sort, 4, HealthModel::ModuleColumn), QStringLiteral("certs"));
        sort.sort(HealthModel::SubjectColumn, Qt::AscendingOrder);
        QCOMPARE(cell(&sort, 0, HealthModel::SubjectColumn), QStringLiteral("(roles)"));
    }

    void healthModel_nextReportUpdatesRowsInPlace()
    {
        HealthModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setItems(sampleReport().items);
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);

        // The same report again: nothing moves.
        model.setItems(sampleReport().items);
        QCOMPARE(changed.count() + inserted.count() + removed.count() + reset.count(), 0);

        // The overseer is back, the restarting job is gone, a bundle expires soon.
        QList<CheckItem> next = sampleReport().items;
        next.removeAt(2); // job_restarting
        next[2].state = State::Ok;
        next[2].message = QStringLiteral("overseer 10.0.0.1:8983_solr elected");
        next << item(QStringLiteral("certs"), QStringLiteral("bundle_expiry"),
                     QStringLiteral("/etc/tls/zk"), State::Warning, QStringLiteral("6 days left"));
        model.setItems(next);
        QCOMPARE(reset.count(), 0);
        QCOMPARE(removed.count(), 1);
        QCOMPARE(inserted.count(), 1);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(model.rowCount(), 5);
        const int overseer =
            model.rowOf(QStringLiteral("roles"), QStringLiteral("overseer_elected"), QString());
        QCOMPARE(cell(&model, overseer, HealthModel::StateColumn), QStringLiteral("OK"));
        QCOMPARE(model.rowOf(QStringLiteral("jobs"), QStringLiteral("job_restarting"),
                             QStringLiteral("a1b2c3")),
                 -1);
        QCOMPARE(cell(&model,
                      model.rowOf(QStringLiteral("certs"), QStringLiteral("bundle_expiry"),
                                  QStringLiteral("/etc/tls/zk")),
                      HealthModel::StateColumn),
                 QStringLiteral("WARNING"));

        model.clear();
        QCOMPARE(model.rowCount(), 0);
    }

    void healthPanel_lightsSummariesAndTable()
    {
        HealthPanel panel(nullptr);
        QAbstractItemModelTester tester(panel.model(),
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester sortTester(panel.sortModel(),
                                            QAbstractItemModelTester::FailureReportingMode::QtTest);
        panel.resize(1100, 420);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));

        // Before any run: four grey lights.
        for (const QString &module : moduleNames()) {
            QVERIFY(panel.light(module));
            QCOMPARE(panel.light(module)->lampColor(), healthLampColor(State::Unknown));
            QCOMPARE(panel.light(module)->summaryText(), QStringLiteral("not checked yet"));
        }
        QCOMPARE(panel.model()->rowCount(), 0);

        panel.showReport(sampleReport());
        struct Expect
        {
            QString module;
            QString state;
            QColor lamp;
            QString summary;
        };
        const QList<Expect> expected{
            {QStringLiteral("certs"), QStringLiteral("OK"), healthLampColor(State::Ok),
             QStringLiteral("2 bundles ok, 41 days left")},
            {QStringLiteral("jobs"), QStringLiteral("WARNING"), healthLampColor(State::Warning),
             QStringLiteral("5 jobs, 1 restarting")},
            {QStringLiteral("roles"), QStringLiteral("CRITICAL"), healthLampColor(State::Critical),
             QStringLiteral("no Overseer leader elected")},
            {QStringLiteral("fleet"), QStringLiteral("not configured"), QColor(0xd1, 0xd5, 0xdb),
             QStringLiteral("needs a ZooKeeper ensemble and a certificate bundle")},
        };
        for (const Expect &e : expected) {
            HealthLight *light = panel.light(e.module);
            QCOMPARE(light->stateText(), e.state);
            QCOMPARE(light->lampColor(), e.lamp);
            QCOMPARE(light->summaryText(), e.summary);
            // What is painted, not only what was asked for.
            const QColor painted = lampPixel(light);
            QVERIFY2(near(painted, e.lamp),
                     qPrintable(QStringLiteral("%1 lamp painted %2, expected about %3")
                                    .arg(e.module, painted.name(), e.lamp.name())));
        }
        QVERIFY(panel.overallLabel()->text().contains(QStringLiteral("CRITICAL")));
        QVERIFY2(panel.runLabel()->text().contains(QStringLiteral("took 1.2 s")),
                 qPrintable(panel.runLabel()->text()));

        // The table, as the view shows it: worst first.
        const QAbstractItemModel *shown = panel.view()->model();
        QCOMPARE(shown->rowCount(), 5);
        QCOMPARE(cell(shown, 0, HealthModel::StateColumn), QStringLiteral("CRITICAL"));
        QCOMPARE(cell(shown, 0, HealthModel::MessageColumn),
                 QStringLiteral("no Overseer leader elected"));
        QCOMPARE(cell(shown, 1, HealthModel::ModuleColumn), QStringLiteral("jobs"));
        // A click on the Module header sorts by module order.
        panel.view()->sortByColumn(HealthModel::ModuleColumn, Qt::AscendingOrder);
        QCOMPARE(cell(shown, 0, HealthModel::ModuleColumn), QStringLiteral("certs"));
        QCOMPARE(cell(shown, 4, HealthModel::ModuleColumn), QStringLiteral("roles"));
        panel.view()->sortByColumn(HealthModel::StateColumn, Qt::DescendingOrder);

        const QString shot = saveScreenshot(&panel, QStringLiteral("health-panel"));
        QVERIFY(!shot.isEmpty());
        qInfo("screenshot: %s", qPrintable(shot));
    }

    void healthController_runsTheCheckerOnAWorkerThread()
    {
        TlsDemo demo;
        TlsDemo::Options demoOptions;
        demoOptions.rotateIntervalMs = 0;
        QVERIFY(demo.start(demoOptions));
        Profile profile;
        profile.name = QStringLiteral("certs-only");
        BundleConfig bundle;
        bundle.path = demo.directory();
        profile.bundles << bundle;

        HealthController::Options options;
        options.firstRunDelayMs = -1;
        options.intervalMs = 60000;
        HealthController controller(options);
        HealthPanel panel(&controller);
        QAbstractItemModelTester tester(panel.model(),
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(!controller.checkNow()); // no profile yet
        QVERIFY(!panel.checkButton()->isEnabled());
        controller.setProfile(profile);
        QVERIFY(panel.checkButton()->isEnabled());

        QSignalSpy finished(&controller, &HealthController::finished);
        QSignalSpy started(&controller, &HealthController::started);
        panel.checkButton()->click();
        QCOMPARE(started.count(), 1);
        QVERIFY(controller.isRunning());
        QVERIFY(!panel.checkButton()->isEnabled());
        QCOMPARE(panel.checkButton()->text(), QStringLiteral("Checking…"));
        QPointer<QThread> worker(controller.findChild<QThread *>());
        QVERIFY(worker);
        QVERIFY(worker.data() != QThread::currentThread());
        QVERIFY(worker->isRunning());
        // Never two runs at once.
        QVERIFY(!controller.checkNow());
        QCOMPARE(started.count(), 1);

        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 20000);
        const auto report = finished.at(0).at(0).value<HealthReport>();
        QCOMPARE(report.profile, QStringLiteral("certs-only"));
        QVERIFY(!controller.isRunning());
        QVERIFY(panel.checkButton()->isEnabled());
        QVERIFY(controller.nextRun().isValid());
        QVERIFY(panel.runLabel()->text().contains(QStringLiteral("next at")));

        // The light shows the report the checker made (the same as `opsdeck check`).
        const ModuleResult *certs = report.module(QStringLiteral("certs"));
        QVERIFY(certs && certs->configured && certs->ran);
        QCOMPARE(panel.light(QStringLiteral("certs"))->stateText(), stateName(certs->state));
        QCOMPARE(panel.light(QStringLiteral("certs"))->summaryText(), certs->summary);
        QCOMPARE(certs->state, State::Ok);
        for (const QString &module :
             {QStringLiteral("jobs"), QStringLiteral("roles"), QStringLiteral("fleet")}) {
            QCOMPARE(panel.light(module)->stateText(), QStringLiteral("not configured"));
            QCOMPARE(panel.light(module)->lampColor(), QColor(0xd1, 0xd5, 0xdb));
        }
        QCOMPARE(panel.model()->rowCount(), report.items.size());
        QVERIFY(panel.model()->rowCount() > 0);

        // The worker thread and the checker are gone once the thread ended.
        QTRY_VERIFY(worker.isNull());
        QCOMPARE(controller.liveThreads(), 0);

        // A second run reuses nothing and replaces the rows in place.
        QSignalSpy reset(panel.model(), &QAbstractItemModel::modelReset);
        QVERIFY(controller.checkNow());
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 2, 20000);
        QCOMPARE(reset.count(), 0);
        QTRY_COMPARE(controller.liveThreads(), 0);
    }

    void healthController_destroyedMidRunDoesNotHangOrLeak()
    {
        SilentServer silent;
        QVERIFY(silent.listen());
        HealthController::Options options;
        options.firstRunDelayMs = 0; // the first run starts on its own
        options.check.timeoutMs = 20000;
        auto controller = std::make_unique<HealthController>(options);
        controller->setProfile(hangingRestProfile(silent.port()));
        QTRY_VERIFY(controller->isRunning());
        QTRY_VERIFY_WITH_TIMEOUT(silent.accepted > 0, 10000); // the checker waits for a reply
        QPointer<QThread> worker(controller->findChild<QThread *>());
        QVERIFY(worker);
        QVERIFY(worker->isRunning());

        QElapsedTimer clock;
        clock.start();
        controller.reset();
        const qint64 ms = clock.elapsed();
        QVERIFY2(ms < 1000, qPrintable(QStringLiteral("teardown took %1 ms").arg(ms)));
        QVERIFY(worker.isNull()); // joined and deleted, not left running
        // The checker was deleted on its thread: its connection is closed.
        QTRY_COMPARE(silent.open(), 0);
    }

    void healthController_newProfileAbandonsTheRunningCheck()
    {
        SilentServer silent;
        QVERIFY(silent.listen());
        HealthController::Options options;
        options.firstRunDelayMs = -1;
        options.check.timeoutMs = 20000;
        HealthController controller(options);
        QSignalSpy finished(&controller, &HealthController::finished);
        controller.setProfile(hangingRestProfile(silent.port()));
        QVERIFY(controller.checkNow());
        QTRY_VERIFY_WITH_TIMEOUT(silent.accepted > 0, 10000);

        Profile other;
        other.name = QStringLiteral("empty");
        controller.setProfile(other);
        QVERIFY(!controller.isRunning());
        QTRY_COMPARE(controller.liveThreads(), 0);
        QTRY_COMPARE(silent.open(), 0);
        QCOMPARE(finished.count(), 0); // the abandoned run reports nothing

        // The new profile's run is its own.
        QVERIFY(controller.checkNow());
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 20000);
        QCOMPARE(finished.at(0).at(0).value<HealthReport>().profile, QStringLiteral("empty"));
    }

    void mainWindow_closedMidRunTearsTheCheckDown()
    {
        SilentServer silent;
        QVERIFY(silent.listen());
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        ActivityLog log;
        MainWindowSetup setup;
        setup.log = &log;
        setup.configPath = dir.filePath(QStringLiteral("profiles.json"));
        setup.settingsPath = dir.filePath(QStringLiteral("layout.ini"));
        setup.historyError = QStringLiteral("history not opened in this test");
        setup.useSystemTray = false;
        setup.health.firstRunDelayMs = 0;
        setup.health.check.timeoutMs = 20000;
        setup.profiles.profiles << hangingRestProfile(silent.port());
        setup.activeProfile = QStringLiteral("hanging");
        auto window = std::make_unique<MainWindow>(setup);
        window->show();
        QVERIFY(QTest::qWaitForWindowExposed(window.get()));
        auto *dock = window->findChild<QDockWidget *>(QStringLiteral("healthDock"),
                                                      Qt::FindDirectChildrenOnly);
        QVERIFY(dock);
        QCOMPARE(dock->widget(), static_cast<QWidget *>(window->healthPanel()));
        QTRY_VERIFY(window->healthController()->isRunning());
        QTRY_VERIFY_WITH_TIMEOUT(silent.accepted > 0, 10000);
        QCOMPARE(window->healthPanel()->checkButton()->text(), QStringLiteral("Checking…"));
        QPointer<QThread> worker(window->healthController()->findChild<QThread *>());
        QVERIFY(worker);

        QElapsedTimer clock;
        clock.start();
        window->close();
        window.reset();
        const qint64 ms = clock.elapsed();
        QVERIFY2(ms < 1000, qPrintable(QStringLiteral("closing took %1 ms").arg(ms)));
        QVERIFY(worker.isNull());
        QTRY_COMPARE(silent.open(), 0);
    }
};

OPSDECK_TEST_GUI_MAIN(TestHealthPanel)
#include "tst_healthpanel.moc"
