// SPDX-License-Identifier: GPL-3.0-or-later
#include "activitylogmodel.h"
#include "activitylogpanel.h"
#include "common/activitylog.h"
#include "common/historystore.h"
#include "connectionspanel.h"
#include "mainwindow.h"
#include "screenshot.h"
#include "testmain.h"

#include <QAbstractButton>
#include <QAbstractItemModelTester>
#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QDockWidget>
#include <QLabel>
#include <QLayout>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QSemaphore>
#include <QStatusBar>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QThreadPool>
#include <QTreeWidget>
#include <memory>

using namespace opsdeck;

namespace {

Profile demoProfile(const QString &name, const QString &zk)
{
    Profile p;
    p.name = name;
    p.rest.url = QStringLiteral("https://flink-jm.demo.internal:8081");
    p.rest.caFile = QStringLiteral("/etc/opsdeck/demo-ca.pem");
    p.rest.token = SecretRef::fromEnv(QStringLiteral("OPSDECK_DEMO_TOKEN"));
    p.zookeeper.connectString = zk;
    p.zookeeper.sessionTimeoutMs = 2000;
    p.bundles.append(BundleConfig{QStringLiteral("/etc/ssl/solr/keystore.p12"),
                                  SecretRef::fromFile(QStringLiteral("/run/secrets/solr-ks")),
                                  QStringLiteral("solr1.demo.internal"),
                                  QStringLiteral("solr1.demo.internal:8983")});
    p.bundles.append(BundleConfig{QStringLiteral("/etc/ssl/flink/"), SecretRef{},
                                  QStringLiteral("flink-jm.demo.internal"), QString()});
    return p;
}

QString labelText(QWidget *root, const QString &name)
{
    auto *label = root->findChild<QLabel *>(name);
    return label ? label->text() : QStringLiteral("<no label %1>").arg(name);
}

// All text a user could see in a widget tree.
QStringList visibleTexts(QWidget *root)
{
    QStringList texts{root->windowTitle()};
    const auto widgets = root->findChildren<QWidget *>();
    for (QWidget *w : widgets) {
        texts << w->toolTip() << w->windowTitle();
        if (auto *label = qobject_cast<QLabel *>(w))
            texts << label->text();
        if (auto *edit = qobject_cast<QLineEdit *>(w))
            texts << edit->text();
        if (auto *button = qobject_cast<QAbstractButton *>(w))
            texts << button->text();
        if (auto *tree = qobject_cast<QTreeWidget *>(w)) {
            for (int i = 0; i < tree->topLevelItemCount(); ++i)
                for (int c = 0; c < tree->columnCount(); ++c)
                    texts << tree->topLevelItem(i)->text(c);
        }
    }
    return texts;
}

quint16 closedPort()
{
    QTcpServer server;
    if (!server.listen(QHostAddress::LocalHost, 0))
        return 1;
    const quint16 port = server.serverPort();
    server.close();
    return port;
}

} // namespace

class TestMainWindow : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    int m_windows = 0;

    MainWindowSetup baseSetup(ActivityLog *log)
    {
        MainWindowSetup setup;
        setup.log = log;
        setup.configPath = m_dir.filePath(QStringLiteral("profiles.json"));
        setup.historyError = QStringLiteral("history not opened in this test");
        setup.settingsPath = m_dir.filePath(QStringLiteral("layout-%1.ini").arg(++m_windows));
        return setup;
    }

private Q_SLOTS:
    void docks_haveStableNamesAndViewToggles()
    {
        ActivityLog log;
        MainWindow window(baseSetup(&log));
        QStringList names;
        for (QDockWidget *dock : window.docks())
            names << dock->objectName();
        names.sort();
        QCOMPARE(names,
                 QStringList({QStringLiteral("activityDock"), QStringLiteral("certificatesDock"),
                              QStringLiteral("connectionsDock"), QStringLiteral("electionDock"),
                              QStringLiteral("healthDock"), QStringLiteral("jobsDock"),
                              QStringLiteral("nodeRolesDock"), QStringLiteral("operationsDock"),
                              QStringLiteral("reloadEventsDock"), QStringLiteral("rolloutDock")}));

        auto *viewMenu = window.findChild<QMenu *>(QStringLiteral("viewMenu"));
        QVERIFY(viewMenu);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        for (QDockWidget *dock : window.docks()) {
            QVERIFY2(viewMenu->actions().contains(dock->toggleViewAction()),
                     qPrintable(dock->objectName()));
            QVERIFY(!dock->widget()->layout() || dock->widget()->layout()->count() > 0);
            QVERIFY(dock->isVisible());
            dock->toggleViewAction()->trigger();
            QVERIFY(!dock->isVisible());
            dock->toggleViewAction()->trigger();
            QVERIFY(dock->isVisible());
        }
        QVERIFY(window.findChild<QAction *>(QStringLiteral("restoreDefaultLayout")));
        QVERIFY(window.findChild<QAction *>(QStringLiteral("aboutOpsdeck")));
        QVERIFY(window.findChild<QAction *>(QStringLiteral("editProfiles")));
    }

    void statusBar_saysHistoryDisabledWithReason()
    {
        ActivityLog log;
        MainWindowSetup setup = baseSetup(&log);
        setup.historyError = QStringLiteral("/x/history.sqlite: database disk image is malformed");
        MainWindow window(setup);
        const QString text = labelText(window.statusBar(), QStringLiteral("statusHistory"));
        QVERIFY2(text.contains(QStringLiteral("history: disabled")), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("database disk image is malformed")),
                 qPrintable(text));
        QVERIFY(labelText(&window, QStringLiteral("connectionsHistory"))
                    .contains(QStringLiteral("/x/history.sqlite")));
    }

    void statusBar_saysHistoryOnWhenOpen()
    {
        ActivityLog log;
        HistoryStore history;
        QVERIFY(history.open(m_dir.filePath(QStringLiteral("history.sqlite"))));
        MainWindowSetup setup = baseSetup(&log);
        setup.history = &history;
        setup.historyError.clear();
        MainWindow window(setup);
        QCOMPARE(labelText(window.statusBar(), QStringLiteral("statusHistory")),
                 QStringLiteral("history: on"));
    }

    void statusBar_showsConfigError()
    {
        ActivityLog log;
        MainWindowSetup setup = baseSetup(&log);
        setup.configError = QStringLiteral("/etc/x.json: invalid JSON at line 3, column 1");
        MainWindow window(setup);
        QVERIFY(labelText(window.statusBar(), QStringLiteral("statusConfig"))
                    .contains(QStringLiteral("invalid JSON at line 3")));
    }

    void profileMenu_switchesProfile()
    {
        ActivityLog log;
        MainWindowSetup setup = baseSetup(&log);
        setup.profiles.profiles << demoProfile(QStringLiteral("alpha"), QString())
                                << demoProfile(QStringLiteral("beta"), QString());
        setup.profiles.profiles[1].rest.url = QStringLiteral("https://beta.example:8081");
        setup.activeProfile = QStringLiteral("alpha");
        MainWindow window(setup);
        QCOMPARE(window.activeProfile(), QStringLiteral("alpha"));
        QVERIFY(labelText(window.statusBar(), QStringLiteral("statusProfile"))
                    .contains(QStringLiteral("alpha")));

        auto *menu = window.findChild<QMenu *>(QStringLiteral("profileMenu"));
        QAction *beta = nullptr;
        for (QAction *a : menu->actions()) {
            if (a->data().toString() == QLatin1String("beta"))
                beta = a;
        }
        QVERIFY(beta);
        QVERIFY(beta->actionGroup() && beta->actionGroup()->isExclusive());
        beta->trigger();
        QCOMPARE(window.activeProfile(), QStringLiteral("beta"));
        QVERIFY(beta->isChecked());
        QVERIFY(labelText(window.statusBar(), QStringLiteral("statusProfile"))
                    .contains(QStringLiteral("beta")));
        QCOMPARE(labelText(&window, QStringLiteral("connectionsRestUrl")),
                 QStringLiteral("https://beta.example:8081"));
    }

    void insecureProfile_isRedInTheStatusBar()
    {
        ActivityLog log;
        MainWindowSetup setup = baseSetup(&log);
        setup.profiles.profiles << demoProfile(QStringLiteral("safe"), QString())
                                << demoProfile(QStringLiteral("lab"), QString());
        setup.profiles.profiles[0].rest.url = QStringLiteral("https://safe.example:8081");
        setup.profiles.profiles[1].rest.url = QStringLiteral("https://lab.example:8081");
        setup.profiles.profiles[1].rest.insecure = true;
        setup.activeProfile = QStringLiteral("lab");
        MainWindow window(setup);
        window.show();
        auto *label = window.statusBar()->findChild<QLabel *>(QStringLiteral("statusInsecure"));
        QVERIFY(label);
        QVERIFY(label->isVisible());
        QVERIFY(label->text().contains(QStringLiteral("INSECURE")));
        QVERIFY(label->toolTip().contains(QStringLiteral("https://lab.example:8081")));
        QCOMPARE(label->palette().color(label->foregroundRole()), QColor(0xc6, 0x28, 0x28));
        // Another profile that verifies: the warning goes.
        window.setActiveProfile(QStringLiteral("safe"));
        QVERIFY(!label->isVisible());
    }

    void unknownProfile_isLoggedAndNoneSelected()
    {
        ActivityLog log;
        MainWindowSetup setup = baseSetup(&log);
        setup.profiles.profiles << demoProfile(QStringLiteral("alpha"), QString());
        setup.activeProfile = QStringLiteral("gamma");
        MainWindow window(setup);
        QVERIFY(window.activeProfile().isEmpty());
        bool logged = false;
        for (const ActivityEntry &e : log.entries())
            logged |= e.severity == Severity::Error &&
                      e.message.contains(QStringLiteral("'gamma'")) &&
                      e.message.contains(QStringLiteral("alpha"));
        QVERIFY(logged);
    }

    void connections_secretReferenceShownNeverResolved()
    {
        const QByteArray canary = "canary-7d41c0-main";
        qputenv("OPSDECK_TST_MAIN_TOKEN", canary);
        ActivityLog log;
        MainWindowSetup setup = baseSetup(&log);
        Profile p = demoProfile(QStringLiteral("alpha"), QString());
        p.rest.token = SecretRef::fromEnv(QStringLiteral("OPSDECK_TST_MAIN_TOKEN"));
        setup.profiles.profiles << p;
        setup.activeProfile = QStringLiteral("alpha");
        MainWindow window(setup);
        const QStringList texts = visibleTexts(&window);
        QVERIFY(texts.contains(QStringLiteral("env:OPSDECK_TST_MAIN_TOKEN")));
        for (const QString &t : texts)
            QVERIFY2(!t.contains(QString::fromLatin1(canary)), qPrintable(t));
    }

    void connections_showsZooKeeperErrorForClosedPort()
    {
        ActivityLog log;
        const quint16 port = closedPort();
        const QString connect = QStringLiteral("127.0.0.1:%1").arg(port);
        MainWindowSetup setup = baseSetup(&log);
        setup.profiles.profiles << demoProfile(QStringLiteral("closed"), connect);
        setup.activeProfile = QStringLiteral("closed");
        MainWindow window(setup);
        ConnectionsPanel *panel = window.connectionsPanel();
        // The real probe, on a worker thread: the GUI thread keeps spinning meanwhile.
        QTRY_COMPARE_WITH_TIMEOUT(panel->zkState(), ZkState::Unreachable, 30000);
        const QString error = labelText(&window, QStringLiteral("connectionsZkError"));
        QVERIFY2(!error.isEmpty(), "no error text shown");
        QCOMPARE(error, panel->zkError());
        QVERIFY2(error.contains(QString::number(port)), qPrintable(error));
        QVERIFY(labelText(&window, QStringLiteral("connectionsZkState"))
                    .contains(QStringLiteral("unreachable")));
        QVERIFY(labelText(window.statusBar(), QStringLiteral("statusZooKeeper"))
                    .contains(QStringLiteral("unreachable")));
        QVERIFY(labelText(&window, QStringLiteral("connectionsZkChecked")) !=
                QStringLiteral("never"));
        bool logged = false;
        for (const ActivityEntry &e : log.entries())
            logged |= e.severity == Severity::Error && e.source == QLatin1String("zk");
        QVERIFY(logged);
    }

    void connections_dropsResultOfSupersededProbe()
    {
        ActivityLog log;
        ConnectionsPanel panel(&log);
        QSemaphore releaseSlow;
        panel.setProbeFunction([&releaseSlow](const ZooKeeperConfig &config,
                                              int) -> Result<ZkProbeResult> {
            if (config.connectString.startsWith(QLatin1String("slow"))) {
                releaseSlow.acquire();
                ZkProbeResult r;
                r.connectString = config.connectString;
                r.server = QStringLiteral("slow:2181");
                return r;
            }
            return makeError(ErrorCode::Network, QStringLiteral("refused"), config.connectString);
        });
        Profile slow = demoProfile(QStringLiteral("slow"), QStringLiteral("slow:2181"));
        Profile fast = demoProfile(QStringLiteral("fast"), QStringLiteral("fast:2181"));
        panel.setProfile(slow);
        QCOMPARE(panel.zkState(), ZkState::Checking);
        panel.setProfile(fast);
        QTRY_COMPARE(panel.zkState(), ZkState::Unreachable);
        QSignalSpy spy(&panel, &ConnectionsPanel::zkStateChanged);
        releaseSlow.release();
        // The slow probe's success belongs to the old profile: it must not show up.
        QThreadPool::globalInstance()->waitForDone(5000);
        QCoreApplication::processEvents();
        QCOMPARE(panel.zkState(), ZkState::Unreachable);
        QCOMPARE(spy.count(), 0);
        QVERIFY(panel.zkError().contains(QStringLiteral("fast:2181")));
    }

    void screenshot_mainWindow()
    {
        ActivityLog log;
        HistoryStore history;
        QVERIFY(history.open(m_dir.filePath(QStringLiteral("shot-history.sqlite"))));
        MainWindowSetup setup = baseSetup(&log);
        setup.history = &history;
        setup.historyError.clear();
        Profile demo =
            demoProfile(QStringLiteral("demo"),
                        QStringLiteral("zk1.demo.internal:2181,zk2.demo.internal:2181/solr"));
        demo.zookeeper.digestAuth = SecretRef::fromFile(QStringLiteral("/run/secrets/zk-digest"));
        setup.profiles.profiles << demo << demoProfile(QStringLiteral("staging"), QString());
        setup.profiles.defaultProfile = QStringLiteral("demo");
        setup.activeProfile = QStringLiteral("demo");
        log.info(QStringLiteral("app"),
                 QStringLiteral("opsdeck %1 started").arg(QStringLiteral(OPSDECK_VERSION)));
        log.info(QStringLiteral("profiles"),
                 QStringLiteral("loaded 2 profiles from ~/.config/opsdeck/profiles.json"));
        log.info(QStringLiteral("tls"),
                 QStringLiteral("/etc/ssl/solr/keystore.p12: certificate reloaded (serial "
                                "4F:2A:91, valid until 2026-03-01)"));
        log.warning(QStringLiteral("tls"),
                    QStringLiteral("/etc/ssl/flink/: leaf expires in 12 days"));
        log.error(
            QStringLiteral("jobs"),
            QStringLiteral(
                "https://flink-jm.demo.internal:8081/jobs/overview: HTTP 503 Service Unavailable"));
        MainWindow window(setup);
        // A canned probe result: the screenshot shows a connected ensemble without needing one.
        window.connectionsPanel()->setProbeFunction(
            [](const ZooKeeperConfig &config, int) -> Result<ZkProbeResult> {
                ZkProbeResult r;
                r.connectString = config.connectString;
                r.server = QStringLiteral("zk1.demo.internal:2181");
                r.chroot = QStringLiteral("/solr");
                r.chrootExists = true;
                r.latencyMs = 4;
                return r;
            });
        window.connectionsPanel()->probeNow();
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QTRY_COMPARE(window.connectionsPanel()->zkState(), ZkState::Connected);
        QTRY_VERIFY(window.activityPanel()->model()->rowCount() >= 6);
        const QString path = opsdeck::test::saveScreenshot(&window, QStringLiteral("mainwindow"));
        QVERIFY(!path.isEmpty());
        QVERIFY(QFile::exists(path));
        qInfo("screenshot: %s", qPrintable(path));
    }
};

OPSDECK_TEST_GUI_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
