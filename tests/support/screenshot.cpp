// SPDX-License-Identifier: GPL-3.0-or-later
#include "screenshot.h"

#include <QCoreApplication>
#include <QDir>
#include <QPixmap>
#include <QWidget>
#include <QtDebug>

namespace opsdeck::test {

QString saveScreenshot(QWidget *widget, const QString &name)
{
    const QString base = qEnvironmentVariableIsEmpty("OPSDECK_BUILD_DIR")
                             ? QDir::currentPath()
                             : qEnvironmentVariable("OPSDECK_BUILD_DIR");
    const QString dir = base + QStringLiteral("/screenshots");
    if (!QDir().mkpath(dir)) {
        qWarning("saveScreenshot: cannot create %s", qPrintable(dir));
        return {};
    }
    // Let pending layouts and paints settle before grabbing.
    QCoreApplication::sendPostedEvents();
    QCoreApplication::processEvents();
    const QPixmap pixmap = widget->grab();
    const QString path = dir + QLatin1Char('/') + name + QStringLiteral(".png");
    if (pixmap.isNull() || !pixmap.save(path, "PNG")) {
        qWarning("saveScreenshot: cannot write %s", qPrintable(path));
        return {};
    }
    return path;
}

} // namespace opsdeck::test
