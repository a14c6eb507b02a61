// SPDX-License-Identifier: GPL-3.0-or-later
#include "gui.h"

#include "mainwindow.h"

#include <QApplication>

namespace opsdeck {

int runGui(int &argc, char **argv, const GuiOptions &options)
{
    Q_UNUSED(options)
    QApplication app(argc, argv);
    MainWindow window;
    window.show();
    return app.exec();
}

} // namespace opsdeck
