// SPDX-License-Identifier: GPL-3.0-or-later
#include "gui.h"

#include "common/activitylog.h"
#include "common/historystore.h"
#include "common/profilestore.h"
#include "mainwindow.h"

#include <QApplication>
#include <QIcon>

namespace opsdeck {

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
            log.info(profilesSource,
                     QStringLiteral("no profiles yet in %1: use Profile ▸ Edit "
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
    window.show();
    return QApplication::exec();
}

} // namespace opsdeck
