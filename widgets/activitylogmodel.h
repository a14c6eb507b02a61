// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/activitylog.h"

#include <QAbstractTableModel>
#include <QSortFilterProxyModel>
#include <deque>

namespace opsdeck {

// The Activity log as a table, newest entry in the last row. Lives on the GUI thread: feed it with
// addEntry() through a queued (or auto) connection from ActivityLog::entryAdded. Bounded like the
// log: past capacity() the oldest rows are removed.
class ActivityLogModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Columns
    {
        TimeColumn,
        SeverityColumn,
        SourceColumn,
        MessageColumn,
        ColumnCount
    };
    enum Roles
    {
        SeverityRole = Qt::UserRole + 1,
        EntryIdRole,
        TimestampRole
    };

    explicit ActivityLogModel(int capacity = ActivityLog::DefaultCapacity,
                              QObject *parent = nullptr);

    // Loads the log's current entries and follows it from now on (no duplicates, no gaps).
    void attach(ActivityLog *log);

    int capacity() const { return m_capacity; }
    ActivityEntry entryAt(int row) const { return m_entries.at(static_cast<size_t>(row)); }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    static QColor severityColor(Severity severity);

public Q_SLOTS:
    void addEntry(const opsdeck::ActivityEntry &entry);
    // Empties the view only; the ActivityLog keeps its entries.
    void clear();

private:
    const int m_capacity;
    std::deque<ActivityEntry> m_entries;
    quint64 m_lastId = 0; // the last id of the snapshot attach() loaded
};

// Shows entries at or above a minimum severity.
class ActivitySeverityFilter : public QSortFilterProxyModel
{
    Q_OBJECT
public:
    explicit ActivitySeverityFilter(QObject *parent = nullptr);

    Severity minimumSeverity() const { return m_minimum; }
    void setMinimumSeverity(Severity severity);

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    Severity m_minimum = Severity::Info;
};

} // namespace opsdeck
