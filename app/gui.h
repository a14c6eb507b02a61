// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

namespace opsdeck {

struct GuiOptions
{
    QString configPath;  // empty: the XDG default
    QString profileName; // empty: the file's default profile
};

// Creates the QApplication and the main window and runs the event loop.
int runGui(int &argc, char **argv, const GuiOptions &options);

} // namespace opsdeck
