// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "certificatesmodel.h"
#include "tls/reloadevent.h"

#include <QAbstractTableModel>
#include <QJsonObject>
#include <QSet>
#include <QSortFilterProxyModel>
#include <deque>
#include <optional>

namespace opsdeck {

// "CHANGED" -> ReloadEventKind::Changed (the inverse of tls::reloadEventKindName).
std::optional<tls::ReloadEventKind> reloadEventKindFromName(const QString &name);
// Rebuilds an event from its JSON (ReloadEvent::toJson, as the history store keeps it). Returns
// nullopt when the object has no known "event" or no valid "ts".
std::optional<tls::ReloadEvent> reloadEventFromJson(const QJsonObject &object);
// How an event kind is coloured in the timeline.
CertLevel reloadEventLevel(const tls::ReloadEvent &event);

// The reload-event timeline: newest event in row 0. Bounded: past capacity() the oldest rows go.
// Lives on the GUI thread.
class ReloadEventsModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    static constexpr int DefaultCapacity = 5000;

    enum Columns
    {
        TimeColumn,   // local time with milliseconds
        BundleColumn, // the bundle path
        EventColumn,  // CHANGED, INVALID, ...
        DetailColumn, // old -> new fingerprint, reason, endpoint, ...
        ColumnCount
    };
    enum Roles
    {
        KindRole = Qt::UserRole + 1, // the event name ("CHANGED")
        BundleRole,                  // the bundle path
        TimestampRole,               // QDateTime (UTC)
        LevelRole,                   // CertLevel as int
    };

    explicit ReloadEventsModel(int capacity = DefaultCapacity, QObject *parent = nullptr);

    int capacity() const { return m_capacity; }
    const tls::ReloadEvent &eventAt(int row) const { return m_events.at(size_t(row)); }
    QStringList bundles() const; // distinct bundle paths, sorted

    // Replaces the timeline (newest first, as HistoryStore::reloadEvents returns them).
    void setEvents(const QList<tls::ReloadEvent> &newestFirst);
    void clear();

    // One line describing the event's own fields (the Detail column).
    static QString detailText(const tls::ReloadEvent &event);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

public Q_SLOTS:
    // Adds the newest event at the top.
    void addEvent(const opsdeck::tls::ReloadEvent &event);

Q_SIGNALS:
    void bundleSeen(const QString &bundle); // a bundle path not in the timeline before

private:
    const int m_capacity;
    std::deque<tls::ReloadEvent> m_events;
    QSet<QString> m_bundles;
};

// Filters the timeline by bundle and by event kind (empty: any).
class ReloadEventsFilter : public QSortFilterProxyModel
{
    Q_OBJECT
public:
    explicit ReloadEventsFilter(QObject *parent = nullptr);

    QString bundle() const { return m_bundle; }
    QString kind() const { return m_kind; }
    void setBundle(const QString &bundle);
    void setKind(const QString &kind);

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    QString m_bundle;
    QString m_kind;
};

} // namespace opsdeck
