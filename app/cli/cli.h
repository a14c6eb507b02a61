// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/profile.h"
#include "common/result.h"
#include "exitcode.h"

#include <QString>
#include <QStringList>

namespace opsdeck::cli {

// What argv asks for, decided before any application object exists (a QApplication would abort
// without a display, so headless commands must never create one).
struct Invocation
{
    enum class Mode
    {
        Gui,
        Headless,
        Version,
        Help,
        UsageError
    };
    Mode mode = Mode::Gui;
    QString command;         // headless: "status", ...
    QStringList commandArgs; // headless: argv after the command name
    QString configPath;      // GUI: --config FILE
    QString profileName;     // GUI: --profile NAME
    QString error;           // UsageError: what was wrong
};

Invocation parseInvocation(const QStringList &args);

QString usageText();
QString versionText();

// True when a Qt GUI platform can start: a display is named or a platform plugin was chosen.
bool guiPlatformAvailable();

// The profile a headless command works on, chosen by --config/--profile as `status` does. The
// file's warnings (inline secrets, loose permissions) are said on stderr. `instead` names what
// avoids a profile altogether (e.g. "--endpoint URL"); an empty file says to create one or use it.
Result<Profile> profileForCommand(const QString &command, const QString &configPath,
                                  const QString &profileName, const QString &instead);

// Runs a headless command with a QCoreApplication; returns the process exit code.
int runHeadless(int &argc, char **argv, const Invocation &invocation);

} // namespace opsdeck::cli
