// SPDX-License-Identifier: GPL-3.0-or-later
#include "docklayout.h"

#include <QDockWidget>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QMainWindow>
#include <QSettings>
#include <QTimer>
#include <algorithm>
#include <optional>

Q_LOGGING_CATEGORY(lcLayout, "opsdeck.widgets.layout")

namespace opsdeck {

namespace {

const QString GeometryKey = QStringLiteral("layout/geometry");
const QString StateKey = QStringLiteral("layout/state");
const QString VersionKey = QStringLiteral("layout/version");
const QString DocksKey = QStringLiteral("layout/docks");

std::optional<Qt::DockWidgetArea> areaFromName(const QString &name)
{
    if (name == QLatin1String("left"))
        return Qt::LeftDockWidgetArea;
    if (name == QLatin1String("right"))
        return Qt::RightDockWidgetArea;
    if (name == QLatin1String("top"))
        return Qt::TopDockWidgetArea;
    if (name == QLatin1String("bottom"))
        return Qt::BottomDockWidgetArea;
    return std::nullopt;
}

} // namespace

Result<DockLayout> DockLayout::fromJson(const QByteArray &json)
{
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError || !doc.isObject())
        return makeError(
            ErrorCode::Parse,
            QStringLiteral("layout is not a JSON object: %1").arg(parseError.errorString()));
    const QJsonObject root = doc.object();
    DockLayout layout;
    layout.m_version = root.value(QStringLiteral("version")).toInt(0);
    if (layout.m_version <= 0)
        return makeError(ErrorCode::Parse, QStringLiteral("layout needs a positive \"version\""));
    const QJsonArray size = root.value(QStringLiteral("size")).toArray();
    if (size.size() == 2 && size.at(0).toInt() > 0 && size.at(1).toInt() > 0)
        layout.m_windowSize = QSize(size.at(0).toInt(), size.at(1).toInt());
    const QJsonArray areas = root.value(QStringLiteral("areas")).toArray();
    for (const QJsonValue &value : areas) {
        const QJsonObject obj = value.toObject();
        const QString areaName = obj.value(QStringLiteral("area")).toString();
        const auto area = areaFromName(areaName);
        if (!area)
            return makeError(
                ErrorCode::Parse,
                QStringLiteral("unknown dock area '%1' (left, right, top, bottom)").arg(areaName));
        Area entry;
        entry.area = *area;
        entry.size = obj.value(QStringLiteral("size")).toInt(0);
        const QJsonArray tabs = obj.value(QStringLiteral("tabs")).toArray();
        for (const QJsonValue &tab : tabs)
            entry.tabs << tab.toString();
        if (entry.tabs.isEmpty())
            return makeError(ErrorCode::Parse,
                             QStringLiteral("dock area '%1' lists no docks").arg(areaName));
        layout.m_areas << entry;
    }
    return layout;
}

DockLayout DockLayout::defaultLayout()
{
    QFile file(QString::fromLatin1(DefaultResource));
    if (file.open(QIODevice::ReadOnly)) {
        auto layout = fromJson(file.readAll());
        if (layout)
            return std::move(layout).value();
        qCWarning(lcLayout) << "default layout:" << layout.error().message;
    } else {
        qCWarning(lcLayout) << "default layout resource missing:" << file.errorString();
    }
    Q_ASSERT_X(false, "DockLayout::defaultLayout", "the shipped default layout must load");
    return DockLayout{};
}

QStringList DockLayout::dockNames(const QMainWindow *window)
{
    QStringList names;
    const auto docks = window->findChildren<QDockWidget *>(Qt::FindDirectChildrenOnly);
    for (const QDockWidget *dock : docks)
        names << dock->objectName();
    names.sort();
    return names;
}

void DockLayout::apply(QMainWindow *window) const
{
    place(window);
    resize(window);
    // Before the window is shown and laid out QMainWindow may ignore resizeDocks(): size again
    // once the event loop runs.
    if (!window->isVisible())
        QTimer::singleShot(0, window, [this_ = *this, window] { this_.resize(window); });
}

void DockLayout::resize(QMainWindow *window) const
{
    QList<QDockWidget *> widthDocks;
    QList<int> widths;
    QList<QDockWidget *> heightDocks;
    QList<int> heights;
    for (const Area &area : m_areas) {
        if (area.size <= 0 || area.tabs.isEmpty())
            continue;
        auto *dock =
            window->findChild<QDockWidget *>(area.tabs.first(), Qt::FindDirectChildrenOnly);
        if (!dock || window->dockWidgetArea(dock) != area.area)
            continue;
        if (area.area == Qt::LeftDockWidgetArea || area.area == Qt::RightDockWidgetArea) {
            widthDocks << dock;
            widths << area.size;
        } else {
            heightDocks << dock;
            heights << area.size;
        }
    }
    if (!widthDocks.isEmpty())
        window->resizeDocks(widthDocks, widths, Qt::Horizontal);
    if (!heightDocks.isEmpty())
        window->resizeDocks(heightDocks, heights, Qt::Vertical);
}

void DockLayout::place(QMainWindow *window) const
{
    const auto docks = window->findChildren<QDockWidget *>(Qt::FindDirectChildrenOnly);
    auto findDock = [&docks](const QString &name) -> QDockWidget * {
        for (QDockWidget *dock : docks) {
            if (dock->objectName() == name)
                return dock;
        }
        return nullptr;
    };
    QList<QDockWidget *> placed;
    for (const Area &area : m_areas) {
        QDockWidget *first = nullptr;
        for (const QString &name : area.tabs) {
            QDockWidget *dock = findDock(name);
            if (!dock || placed.contains(dock))
                continue;
            dock->setFloating(false);
            window->addDockWidget(area.area, dock);
            dock->show();
            if (first)
                window->tabifyDockWidget(first, dock);
            else
                first = dock;
            placed << dock;
        }
        if (!first)
            continue;
        first->raise();
    }
    for (QDockWidget *dock : docks) {
        if (placed.contains(dock))
            continue;
        dock->setFloating(false);
        window->addDockWidget(Qt::RightDockWidgetArea, dock);
        dock->show();
    }
}

void DockLayout::save(const QMainWindow *window, QSettings &settings) const
{
    settings.setValue(GeometryKey, window->saveGeometry());
    settings.setValue(StateKey, window->saveState(m_version));
    settings.setValue(VersionKey, m_version);
    settings.setValue(DocksKey, dockNames(window));
}

bool DockLayout::restore(QMainWindow *window, const QSettings &settings) const
{
    const QByteArray geometry = settings.value(GeometryKey).toByteArray();
    if (geometry.isEmpty() || !window->restoreGeometry(geometry))
        window->resize(m_windowSize);

    const QByteArray state = settings.value(StateKey).toByteArray();
    const int savedVersion = settings.value(VersionKey, -1).toInt();
    const QStringList savedDocks = settings.value(DocksKey).toStringList();
    bool restored = false;
    if (state.isEmpty()) {
        qCDebug(lcLayout) << "no saved layout, using the default";
    } else if (savedVersion != m_version) {
        qCInfo(lcLayout) << "saved layout has version" << savedVersion << "- using the default"
                         << m_version;
    } else if (savedDocks != dockNames(window)) {
        qCInfo(lcLayout) << "saved layout has another panel set" << savedDocks
                         << "- using the default";
    } else {
        place(window); // a known starting point, so docks the state does not mention are placed
        restored = window->restoreState(state, m_version);
        if (!restored)
            qCInfo(lcLayout) << "saved layout rejected, using the default";
    }
    if (!restored)
        apply(window);
    return restored;
}

} // namespace opsdeck
