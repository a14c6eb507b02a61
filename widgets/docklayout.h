// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/result.h"

#include <QByteArray>
#include <QList>
#include <QSize>
#include <QStringList>

class QMainWindow;
class QSettings;

namespace opsdeck {

// Where the docks go by default, read from resources/layout/default-layout.json, and how a saved
// layout is stored and restored.
//
// A saved layout carries the layout version (QMainWindow::saveState(version)) and the set of dock
// objectNames it was saved with. On restore, another version or another dock set means the panel
// set changed since: the saved state is ignored and the default applied instead.
class DockLayout
{
public:
    struct Area
    {
        Qt::DockWidgetArea area = Qt::LeftDockWidgetArea;
        QStringList tabs; // dock objectNames, the first one raised
        int size = 0;     // width (left/right) or height (top/bottom) in pixels, 0: as Qt likes
    };

    static constexpr const char *DefaultResource = ":/opsdeck/layout/default-layout.json";

    static Result<DockLayout> fromJson(const QByteArray &json);
    // The layout shipped in the resources (a broken resource is a build bug: asserts in debug,
    // falls back to "every dock on the left" otherwise).
    static DockLayout defaultLayout();

    int version() const { return m_version; }
    QSize windowSize() const { return m_windowSize; }
    const QList<Area> &areas() const { return m_areas; }

    // Places every dock of the window as described and sizes the areas. Docks the file does not
    // name go to the right area, so a new panel is never lost.
    void apply(QMainWindow *window) const;

    // objectNames of the window's dock widgets, sorted.
    static QStringList dockNames(const QMainWindow *window);

    // Writes geometry, state (with version()) and the dock set to settings.
    void save(const QMainWindow *window, QSettings &settings) const;
    // Restores what save() wrote. Returns false (and applies the default) when nothing was saved,
    // the version differs, the dock set differs or Qt rejects the state.
    bool restore(QMainWindow *window, const QSettings &settings) const;

private:
    void place(QMainWindow *window) const;
    void resize(QMainWindow *window) const;

    int m_version = 1;
    QSize m_windowSize{1280, 800};
    QList<Area> m_areas;
};

} // namespace opsdeck
