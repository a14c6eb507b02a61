// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "jobs/jobexecutor.h"

#include <QAbstractTableModel>
#include <deque>

class QTimer;

namespace opsdeck {

// The savepoint, stop and disposal operations opsdeck follows, newest in row 0, one row per
// trigger id. Fed from jobs::JobExecutor::operationChanged. While an operation is in progress a
// 1 s timer refreshes its Elapsed cell (dataChanged for that column only). Finished operations are
// kept up to capacity(); past it the oldest finished rows go. Lives on the GUI thread.
class OperationsModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    static constexpr int DefaultCapacity = 200;

    enum Columns
    {
        StartedColumn, // local time
        KindColumn,    // savepoint, stop, stop_drain, disposal
        JobColumn,     // job name (id in the tooltip), or the id
        StateColumn,   // in_progress, completed, failed, unknown
        ElapsedColumn, // ticking while in progress
        ResultColumn,  // location once completed, failure, or the path being disposed
        TriggerColumn, // trigger id
        ColumnCount
    };
    enum Roles
    {
        TriggerIdRole = Qt::UserRole + 1,
        StateRole, // JobOperation::State as int
        JobIdRole,
        ElapsedMsRole, // qint64
    };

    explicit OperationsModel(int capacity = DefaultCapacity, QObject *parent = nullptr);

    int capacity() const { return m_capacity; }
    const jobs::JobOperation &operationAt(int row) const { return m_ops.at(size_t(row)); }
    // The row of a trigger id, or -1.
    int rowOf(const QString &triggerId) const;
    int inProgressCount() const;
    bool isTicking() const;

    // Removes in-progress rows (their executor went away; the ledger keeps them and the next
    // executor's resumePending() brings them back).
    void dropInProgress();
    void clear();

    static QString elapsedText(qint64 ms);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

public Q_SLOTS:
    void updateOperation(const opsdeck::jobs::JobOperation &operation);

private:
    void tick();
    void trim();
    void updateTimer();
    qint64 elapsedMs(const jobs::JobOperation &op) const;

    const int m_capacity;
    std::deque<jobs::JobOperation> m_ops;
    QTimer *m_timer;
};

} // namespace opsdeck
