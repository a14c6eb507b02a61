// SPDX-License-Identifier: GPL-3.0-or-later
#include "activitylogmodel.h"

#include <QColor>
#include <QFont>
#include <algorithm>

namespace opsdeck {

ActivityLogModel::ActivityLogModel(int capacity, QObject *parent)
    : QAbstractTableModel(parent)
    , m_capacity(std::max(1, capacity))
{}

void ActivityLogModel::attach(ActivityLog *log)
{
    // Connect first, then load the snapshot: entries racing in between arrive twice (in the
    // snapshot and queued) and are dropped by id in addEntry(). Only ids up to the snapshot's
    // last one can be such duplicates: signals from several threads arrive out of id order
    // (ActivityLog emits outside its lock), so "id <= the highest seen" would drop real entries.
    connect(log, &ActivityLog::entryAdded, this, &ActivityLogModel::addEntry);
    const QList<ActivityEntry> existing = log->entries();
    for (const ActivityEntry &entry : existing)
        addEntry(entry);
    if (!existing.isEmpty())
        m_lastId = std::max(m_lastId, existing.last().id);
}

int ActivityLogModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_entries.size());
}

int ActivityLogModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QColor ActivityLogModel::severityColor(Severity severity)
{
    switch (severity) {
    case Severity::Info:
        return QColor(0x1d, 0x4e, 0xd8);
    case Severity::Warning:
        return QColor(0xb4, 0x53, 0x09);
    case Severity::Error:
        break;
    }
    return QColor(0xc6, 0x28, 0x28);
}

QVariant ActivityLogModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const ActivityEntry &entry = m_entries.at(static_cast<size_t>(index.row()));
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case TimeColumn:
            return entry.timestamp.toString(QStringLiteral("HH:mm:ss"));
        case SeverityColumn:
            return severityName(entry.severity);
        case SourceColumn:
            return entry.source;
        case MessageColumn:
            return entry.message;
        default:
            return {};
        }
    case Qt::ToolTipRole:
        if (index.column() == TimeColumn)
            return entry.timestamp.toString(Qt::ISODateWithMs);
        if (index.column() == MessageColumn)
            return entry.message;
        return {};
    case Qt::ForegroundRole:
        if (index.column() == SeverityColumn || entry.severity == Severity::Error)
            return severityColor(entry.severity);
        return {};
    case Qt::FontRole:
        if (index.column() == SeverityColumn && entry.severity != Severity::Info) {
            QFont font;
            font.setBold(true);
            return font;
        }
        return {};
    case SeverityRole:
        return static_cast<int>(entry.severity);
    case EntryIdRole:
        return entry.id;
    case TimestampRole:
        return entry.timestamp;
    default:
        return {};
    }
}

QVariant ActivityLogModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case TimeColumn:
        return tr("Time");
    case SeverityColumn:
        return tr("Severity");
    case SourceColumn:
        return tr("Source");
    case MessageColumn:
        return tr("Message");
    default:
        return {};
    }
}

void ActivityLogModel::addEntry(const ActivityEntry &entry)
{
    if (entry.id != 0 && entry.id <= m_lastId)
        return; // already shown: in the snapshot attach() loaded
    const auto overflow = static_cast<int>(m_entries.size()) + 1 - m_capacity;
    if (overflow > 0) {
        beginRemoveRows({}, 0, overflow - 1);
        m_entries.erase(m_entries.begin(), m_entries.begin() + overflow);
        endRemoveRows();
    }
    const int row = static_cast<int>(m_entries.size());
    beginInsertRows({}, row, row);
    m_entries.push_back(entry);
    endInsertRows();
}

void ActivityLogModel::clear()
{
    if (m_entries.empty())
        return;
    beginResetModel();
    m_entries.clear();
    endResetModel();
}

ActivitySeverityFilter::ActivitySeverityFilter(QObject *parent)
    : QSortFilterProxyModel(parent)
{}

void ActivitySeverityFilter::setMinimumSeverity(Severity severity)
{
    if (severity == m_minimum)
        return;
    m_minimum = severity;
    invalidateFilter();
}

bool ActivitySeverityFilter::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    const QModelIndex index = sourceModel()->index(sourceRow, 0, sourceParent);
    const int severity = index.data(ActivityLogModel::SeverityRole).toInt();
    return severity >= static_cast<int>(m_minimum);
}

} // namespace opsdeck
