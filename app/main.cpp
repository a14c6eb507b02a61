// SPDX-License-Identifier: GPL-3.0-or-later
#include "cli/cli.h"
#include "gui.h"

#include <QStringList>
#include <QTextStream>
#include <cstdio>

using namespace opsdeck;

// Decides GUI or headless from argv before any application object exists: a QApplication aborts
// without a display, so --version, --help and every headless command must never create one.
int main(int argc, char **argv)
{
    QStringList args;
    for (int i = 1; i < argc; ++i)
        args << QString::fromLocal8Bit(argv[i]);
    const cli::Invocation inv = cli::parseInvocation(args);

    switch (inv.mode) {
    case cli::Invocation::Mode::Version:
        QTextStream(stdout) << cli::versionText() << '\n';
        return 0;
    case cli::Invocation::Mode::Help:
        QTextStream(stdout) << cli::usageText();
        return 0;
    case cli::Invocation::Mode::UsageError:
        QTextStream(stderr) << "opsdeck: " << inv.error << "\n\n" << cli::usageText();
        return cli::toInt(cli::ExitCode::Unknown);
    case cli::Invocation::Mode::Headless:
        return cli::runHeadless(argc, argv, inv);
    case cli::Invocation::Mode::Gui:
        break;
    }
    if (!cli::guiPlatformAvailable()) {
        QTextStream(stderr) << "opsdeck: no display (DISPLAY and WAYLAND_DISPLAY are not set), so "
                               "the console cannot open.\n"
                               "Use a headless command instead, e.g. 'opsdeck status', or set "
                               "QT_QPA_PLATFORM=offscreen.\n";
        return cli::toInt(cli::ExitCode::Unknown);
    }
    return runGui(argc, argv, GuiOptions{inv.configPath, inv.profileName});
}
