// SPDX-License-Identifier: GPL-3.0-or-later
#include "common/activitylog.h"
#include "docklayout.h"
#include "mainwindow.h"
#include "testmain.h"

#include <QAction>
#include <QApplication>
#include <QDockWidget>
#include <QFile>
#include <QMainWindow>
#include <QSettings>
#include <QTemporaryDir>
#include <memory>

using namespace opsdeck;

namespace {

QDockWidget *dock(QMainWindow *window, const QString &name)
{
    return window->findChild<QDockWidget *>(name, Qt::FindDirectChildrenOnly);
}

Qt::DockWidgetArea defaultAreaOf(const QString &name)
{
    const DockLayout layout = DockLayout::defaultLayout();
    for (const DockLayout::Area &area : layout.areas()) {
        if (area.tabs.contains(name))
            return area.area;
    }
    return Qt::NoDockWidgetArea;
}

} // namespace

class TestDockLayout : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    ActivityLog m_log;

    std::unique_ptr<MainWindow> makeWindow(const QString &settings)
    {
        MainWindowSetup setup;
        setup.log = &m_log;
        setup.historyError = QStringLiteral("not opened in this test");
        setup.settingsPath = settings;
        auto window = std::make_unique<MainWindow>(setup);
        window->show();
        if (!QTest::qWaitForWindowExposed(window.get()))
            qWarning("window not exposed");
        return window;
    }

private Q_SLOTS:
    void defaultLayout_namesEveryDockOfTheMainWindow()
    {
        // The tests below move docks to the top (activity) and bottom (connections) area: that
        // must not be where the default puts them, or they would prove nothing.
        QVERIFY(defaultAreaOf(QStringLiteral("activityDock")) != Qt::TopDockWidgetArea);
        QVERIFY(defaultAreaOf(QStringLiteral("connectionsDock")) != Qt::BottomDockWidgetArea);
        const DockLayout layout = DockLayout::defaultLayout();
        QVERIFY(layout.version() > 0);
        QVERIFY(layout.windowSize().width() >= 800);
        QStringList named;
        for (const DockLayout::Area &area : layout.areas())
            named += area.tabs;
        named.sort();
        auto window = makeWindow(m_dir.filePath(QStringLiteral("names.ini")));
        QCOMPARE(named, DockLayout::dockNames(window.get()));
    }

    void fromJson_rejectsUnknownAreaAndMissingVersion()
    {
        QVERIFY(!DockLayout::fromJson(R"({"version":1,"areas":[{"area":"middle","tabs":["a"]}]})"));
        QVERIFY(!DockLayout::fromJson(R"({"areas":[]})"));
        QVERIFY(!DockLayout::fromJson("not json"));
        const auto ok = DockLayout::fromJson(
            R"({"version":3,"areas":[{"area":"top","tabs":["a","b"],"size":100}],"size":[900,700]})");
        QVERIFY(ok);
        QCOMPARE(ok->version(), 3);
        QCOMPARE(ok->windowSize(), QSize(900, 700));
        QCOMPARE(ok->areas().size(), 1);
        QCOMPARE(ok->areas().first().area, Qt::TopDockWidgetArea);
        QCOMPARE(ok->areas().first().tabs, QStringList({QStringLiteral("a"), QStringLiteral("b")}));
    }

    void apply_placesTabsAndUnnamedDocks()
    {
        QMainWindow window;
        QStringList names{QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c"),
                          QStringLiteral("extra")};
        for (const QString &name : names) {
            auto *d = new QDockWidget(name, &window);
            d->setObjectName(name);
            d->setWidget(new QWidget(d));
            window.addDockWidget(Qt::TopDockWidgetArea, d);
        }
        const auto layout = DockLayout::fromJson(
            R"({"version":1,"areas":[{"area":"left","tabs":["a"]},{"area":"bottom","tabs":["b","c"]}]})");
        QVERIFY(layout);
        layout->apply(&window);
        QCOMPARE(window.dockWidgetArea(dock(&window, QStringLiteral("a"))), Qt::LeftDockWidgetArea);
        QCOMPARE(window.dockWidgetArea(dock(&window, QStringLiteral("b"))),
                 Qt::BottomDockWidgetArea);
        QCOMPARE(window.dockWidgetArea(dock(&window, QStringLiteral("c"))),
                 Qt::BottomDockWidgetArea);
        QCOMPARE(window.tabifiedDockWidgets(dock(&window, QStringLiteral("b"))),
                 QList<QDockWidget *>{dock(&window, QStringLiteral("c"))});
        QCOMPARE(window.dockWidgetArea(dock(&window, QStringLiteral("extra"))),
                 Qt::RightDockWidgetArea);
    }

    void saveRestore_roundTripsAMovedDock()
    {
        const QString settings = m_dir.filePath(QStringLiteral("roundtrip.ini"));
        {
            auto window = makeWindow(settings);
            QDockWidget *activity = dock(window.get(), QStringLiteral("activityDock"));
            QCOMPARE(window->dockWidgetArea(activity),
                     defaultAreaOf(QStringLiteral("activityDock")));
            window->addDockWidget(Qt::TopDockWidgetArea, activity);
            window->close(); // saves
        }
        QVERIFY(QFile::exists(settings));
        auto window = makeWindow(settings);
        QCOMPARE(window->dockWidgetArea(dock(window.get(), QStringLiteral("activityDock"))),
                 Qt::TopDockWidgetArea);
        QCOMPARE(window->dockWidgetArea(dock(window.get(), QStringLiteral("connectionsDock"))),
                 defaultAreaOf(QStringLiteral("connectionsDock")));
    }

    void restore_otherVersionFallsBackToDefault()
    {
        const QString settings = m_dir.filePath(QStringLiteral("version.ini"));
        {
            auto window = makeWindow(settings);
            window->addDockWidget(Qt::TopDockWidgetArea,
                                  dock(window.get(), QStringLiteral("activityDock")));
            window->close();
            // What an older opsdeck with another panel set would have written.
            QSettings s(settings, QSettings::IniFormat);
            const int other = window->dockLayout().version() + 41;
            s.setValue(QStringLiteral("layout/state"), window->saveState(other));
            s.setValue(QStringLiteral("layout/version"), other);
        }
        auto window = makeWindow(settings);
        QCOMPARE(window->dockWidgetArea(dock(window.get(), QStringLiteral("activityDock"))),
                 defaultAreaOf(QStringLiteral("activityDock")));
        QCOMPARE(window->dockWidgetArea(dock(window.get(), QStringLiteral("connectionsDock"))),
                 defaultAreaOf(QStringLiteral("connectionsDock")));
    }

    void restore_otherDockSetFallsBackToDefault()
    {
        const QString settings = m_dir.filePath(QStringLiteral("docks.ini"));
        {
            auto window = makeWindow(settings);
            window->addDockWidget(Qt::TopDockWidgetArea,
                                  dock(window.get(), QStringLiteral("activityDock")));
            window->close();
            QSettings s(settings, QSettings::IniFormat);
            s.setValue(QStringLiteral("layout/docks"),
                       QStringList{QStringLiteral("activityDock"), QStringLiteral("removedDock")});
        }
        auto window = makeWindow(settings);
        QCOMPARE(window->dockWidgetArea(dock(window.get(), QStringLiteral("activityDock"))),
                 defaultAreaOf(QStringLiteral("activityDock")));
    }

    void restoreDefaultLayout_reappliesTheJson()
    {
        auto window = makeWindow(m_dir.filePath(QStringLiteral("reset.ini")));
        QDockWidget *activity = dock(window.get(), QStringLiteral("activityDock"));
        QDockWidget *connections = dock(window.get(), QStringLiteral("connectionsDock"));
        window->addDockWidget(Qt::TopDockWidgetArea, activity);
        window->addDockWidget(Qt::BottomDockWidgetArea, connections);
        connections->hide();
        auto *action = window->findChild<QAction *>(QStringLiteral("restoreDefaultLayout"));
        QVERIFY(action);
        action->trigger();
        QCOMPARE(window->dockWidgetArea(activity), defaultAreaOf(QStringLiteral("activityDock")));
        QCOMPARE(window->dockWidgetArea(connections),
                 defaultAreaOf(QStringLiteral("connectionsDock")));
        QVERIFY(connections->isVisible());
        // ...and the area sizes the JSON gives.
        for (const DockLayout::Area &area : window->dockLayout().areas()) {
            if (area.size <= 0 || area.area != Qt::LeftDockWidgetArea)
                continue;
            QDockWidget *first = dock(window.get(), area.tabs.first());
            QTRY_VERIFY2(qAbs(first->width() - area.size) <= 20,
                         qPrintable(QStringLiteral("%1 is %2 px wide, expected %3")
                                        .arg(area.tabs.first())
                                        .arg(first->width())
                                        .arg(area.size)));
        }
    }
};

OPSDECK_TEST_GUI_MAIN(TestDockLayout)
#include "tst_docklayout.moc"
