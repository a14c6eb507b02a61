// SPDX-License-Identifier: GPL-3.0-or-later
#include "jobsresultmodel.h"

namespace opsdeck {

using jobs::ColumnType;
using jobs::StatementKind;

JobsResultModel::JobsResultModel(QObject *parent)
    : QAbstractTableModel(parent)
{}

void JobsResultModel::setResult(const jobs::StatementResult &result)
{
    beginResetModel();
    m_result = result;
    m_hasResult = true;
    endResetModel();
}

void JobsResultModel::clear()
{
    beginResetModel();
    m_result = {};
    m_hasResult = false;
    endResetModel();
}

int JobsResultModel::columnNamed(const QString &name) const
{
    for (qsizetype i = 0; i < m_result.columns.size(); ++i) {
        if (m_result.columns.at(i).name.compare(name, Qt::CaseInsensitive) == 0)
            return int(i);
    }
    return -1;
}

QString JobsResultModel::jobIdAt(int row) const
{
    if (!m_hasResult || row < 0 || row >= m_result.rows.size())
        return {};
    const StatementKind kind = m_result.statement.kind;
    if (kind != StatementKind::ShowJobs && kind != StatementKind::DescribeJob)
        return {};
    if (columnNamed(QStringLiteral("job id")) != 0 || m_result.rows.at(row).isEmpty())
        return {};
    return m_result.rows.at(row).first().toString();
}

int JobsResultModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_result.rows.size());
}

int JobsResultModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_result.columns.size());
}

QVariant JobsResultModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const QVariantList &row = m_result.rows.at(index.row());
    const ColumnType type = m_result.columns.at(index.column()).type;
    const QVariant value = index.column() < row.size() ? row.at(index.column()) : QVariant();
    switch (role) {
    case Qt::DisplayRole:
        return jobs::formatCell(type, value);
    case Qt::ToolTipRole: {
        const QString text = jobs::formatCell(type, value);
        return text.size() > TooltipThreshold ? QVariant(text) : QVariant();
    }
    case Qt::TextAlignmentRole:
        return type == ColumnType::Duration ? QVariant(int(Qt::AlignRight | Qt::AlignVCenter))
                                            : QVariant(int(Qt::AlignLeft | Qt::AlignVCenter));
    case SortRole:
        if (type == ColumnType::Text)
            return value.toString();
        return value.isValid() && !value.isNull() ? value.toLongLong() : qint64(-1);
    case ColumnTypeRole:
        return int(type);
    default:
        return {};
    }
}

QVariant JobsResultModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= m_result.columns.size())
        return QAbstractTableModel::headerData(section, orientation, role);
    if (role == Qt::DisplayRole)
        return m_result.columns.at(section).name;
    return {};
}

JobsResultFilter::JobsResultFilter(QObject *parent)
    : QSortFilterProxyModel(parent)
{
    setSortRole(JobsResultModel::SortRole);
    setSortCaseSensitivity(Qt::CaseInsensitive);
    setDynamicSortFilter(true);
}

void JobsResultFilter::setFilterText(const QString &text)
{
    if (text == m_text)
        return;
    m_text = text;
    invalidateRowsFilter();
}

bool JobsResultFilter::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    if (m_text.isEmpty())
        return true;
    const QAbstractItemModel *source = sourceModel();
    for (int c = 0; c < source->columnCount(sourceParent); ++c) {
        const QString text = source->index(sourceRow, c, sourceParent).data().toString();
        if (text.contains(m_text, Qt::CaseInsensitive))
            return true;
    }
    return false;
}

bool JobsResultFilter::lessThan(const QModelIndex &left, const QModelIndex &right) const
{
    const QVariant l = left.data(JobsResultModel::SortRole);
    const QVariant r = right.data(JobsResultModel::SortRole);
    if (l.typeId() == QMetaType::LongLong && r.typeId() == QMetaType::LongLong)
        return l.toLongLong() < r.toLongLong();
    return QString::localeAwareCompare(l.toString(), r.toString()) < 0;
}

} // namespace opsdeck
