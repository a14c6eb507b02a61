// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "jobs/jobexecutor.h"

#include <QAbstractTableModel>
#include <QSortFilterProxyModel>

namespace opsdeck {

// One statement's result as a table: the columns and rows of a jobs::StatementResult. Display
// text through jobs::formatCell; SortRole gives the raw value (qint64 epoch ms / ms for Time and
// Duration columns, so times sort by time and not by text). Lives on the GUI thread.
class JobsResultModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Roles
    {
        SortRole = Qt::UserRole + 1, // the raw value: qint64 for Time/Duration, QString otherwise
        ColumnTypeRole,              // jobs::ColumnType as int
    };
    // Cells longer than this get their full text as a tooltip.
    static constexpr int TooltipThreshold = 40;

    explicit JobsResultModel(QObject *parent = nullptr);

    void setResult(const jobs::StatementResult &result);
    void clear();

    const jobs::StatementResult &result() const { return m_result; }
    bool hasResult() const { return m_hasResult; }
    // The column named `name` (case-insensitive), or -1.
    int columnNamed(const QString &name) const;
    // A job id when the row is one of a job (SHOW JOBS / DESCRIBE JOB results), else empty.
    QString jobIdAt(int row) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    jobs::StatementResult m_result;
    bool m_hasResult = false;
};

// The result table's proxy: sorts by JobsResultModel::SortRole and filters rows on every column's
// display text, case-insensitive.
class JobsResultFilter : public QSortFilterProxyModel
{
    Q_OBJECT
public:
    explicit JobsResultFilter(QObject *parent = nullptr);

    // Shows rows where some column contains `text` (case-insensitive); empty: all rows.
    void setFilterText(const QString &text);
    QString filterText() const { return m_text; }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;
    bool lessThan(const QModelIndex &left, const QModelIndex &right) const override;

private:
    QString m_text;
};

} // namespace opsdeck
