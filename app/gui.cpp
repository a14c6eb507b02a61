// SPDX-License-Identifier: GPL-3.0-or-later
#include "gui.h"

#include "common/activitylog.h"
#include "common/historystore.h"
#include "common/profilestore.h"
#include "mainwindow.h"

#include <QApplication>
#include <QIcon>
#include <QSocketNotifier>
#include <csignal>
#include <fcntl.h>
#include <unistd.h>

namespace opsdeck {

namespace {

// SIGTERM (a session logout, systemd, `kill`) and SIGINT close the window the way its close
// button does: the layout is saved, worker threads are joined, the history store is closed, and
// the exit code is 0. The handler only writes a byte; the event loop does the rest.
int g_quitPipe[2] = {-1, -1};

void onQuitSignal(int)
{
    const char byte = 1;
    [[maybe_unused]] const ssize_t n = ::write(g_quitPipe[1], &byte, 1);
}

void closeOnQuitSignals(QMainWindow *window)
{
    if (::pipe2(g_quitPipe, O_NONBLOCK | O_CLOEXEC) != 0)
        return; // the default action (terminate) stays
    auto *notifier = new QSocketNotifier(g_quitPipe[0], QSocketNotifier::Read, window);
    QObject::connect(notifier, &QSocketNotifier::activated, window, [window] {
        char buffer[16];
        while (::read(g_quitPipe[0], buffer, sizeof buffer) > 0) {
        }
        window->close();
        QApplication::quit();
    });
    struct sigaction sa
    {
    };
    sa.sa_handler = onQuitSignal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    ::sigaction(SIGTERM, &sa, nullptr);
    ::sigaction(SIGINT, &sa, nullptr);
}

} // namespace

int runGui(int &argc, char **argv, const GuiOptions &options)
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("opsdeck"));
    QApplication::setOrganizationName(QString());
    QApplication::setApplicationVersion(QStringLiteral(OPSDECK_VERSION));
    QApplication::setApplicationDisplayName(QStringLiteral("opsdeck"));
    QApplication::setDesktopFileName(QStringLiteral("opsdeck"));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/opsdeck/icons/opsdeck.svg")));

    ActivityLog log;
    log.info(QStringLiteral("app"),
             QStringLiteral("opsdeck %1 started").arg(QStringLiteral(OPSDECK_VERSION)));

    MainWindowSetup setup;
    setup.log = &log;

    // Profiles, by the same rule as the headless commands (ProfileStore::loadConfig): a missing
    // default file just means none yet; a missing --config file or a broken file is an error the
    // window shows (no modal dialog: the window still opens).
    const QString profilesSource = QStringLiteral("profiles");
    auto loaded = ProfileStore::loadConfig(options.configPath);
    if (loaded) {
        setup.profiles = std::move(loaded).value();
        setup.configPath = setup.profiles.path;
        for (const QString &warning : std::as_const(setup.profiles.warnings))
            log.warning(profilesSource, warning);
        if (setup.profiles.profiles.isEmpty() && options.configPath.isEmpty())
            log.info(profilesSource, QStringLiteral("no profiles yet in %1: use Profile ▸ Edit "
                                                    "profiles… to create one")
                                         .arg(setup.configPath));
        else
            log.info(profilesSource, QStringLiteral("loaded %1 profile(s) from %2")
                                         .arg(setup.profiles.profiles.size())
                                         .arg(setup.configPath));
    } else {
        setup.configPath =
            options.configPath.isEmpty() ? ProfileStore::defaultConfigPath() : options.configPath;
        setup.profiles.path = setup.configPath;
        setup.configError = loaded.error().toString();
        log.error(profilesSource,
                  QStringLiteral("cannot load profiles: %1").arg(setup.configError));
    }

    // Which profile: --profile, else the file's default (or its only profile).
    if (!setup.profiles.profiles.isEmpty() || !options.profileName.isEmpty()) {
        if (!options.profileName.isEmpty() && !setup.profiles.find(options.profileName)) {
            setup.activeProfile = options.profileName; // MainWindow logs it as unknown
        } else {
            auto selected = ProfileStore::select(setup.profiles, options.profileName);
            if (selected)
                setup.activeProfile = selected->name;
            else
                log.warning(profilesSource, selected.error().toString());
        }
    }

    // History: failure is loud but not fatal.
    HistoryStore history;
    const QString historyPath = HistoryStore::defaultPath();
    const Result<void> opened = history.open(historyPath);
    if (!opened) {
        setup.historyError = opened.error().toString();
        log.error(QStringLiteral("history"),
                  QStringLiteral("history disabled: %1").arg(setup.historyError));
    }
    setup.history = &history;

    MainWindow window(std::move(setup));
    closeOnQuitSignals(&window);
    window.show();
    return QApplication::exec();
}

} // namespace opsdeck
