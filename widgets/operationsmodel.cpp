// SPDX-License-Identifier: GPL-3.0-or-later
#include "operationsmodel.h"

#include <QBrush>
#include <QColor>
#include <QTimer>

namespace opsdeck {

using State = jobs::JobOperation::State;

OperationsModel::OperationsModel(int capacity, QObject *parent)
    : QAbstractTableModel(parent)
    , m_capacity(std::max(1, capacity))
    , m_timer(new QTimer(this))
{
    m_timer->setInterval(1000);
    connect(m_timer, &QTimer::timeout, this, &OperationsModel::tick);
}

int OperationsModel::rowOf(const QString &triggerId) const
{
    for (size_t i = 0; i < m_ops.size(); ++i) {
        if (m_ops[i].triggerId == triggerId)
            return int(i);
    }
    return -1;
}

int OperationsModel::inProgressCount() const
{
    return int(std::count_if(m_ops.begin(), m_ops.end(), [](const jobs::JobOperation &op) {
        return op.state == State::InProgress;
    }));
}

bool OperationsModel::isTicking() const
{
    return m_timer->isActive();
}

void OperationsModel::updateOperation(const jobs::JobOperation &operation)
{
    const int row = rowOf(operation.triggerId);
    if (row >= 0) {
        m_ops[size_t(row)] = operation;
        emit dataChanged(index(row, 0), index(row, ColumnCount - 1));
    } else {
        beginInsertRows({}, 0, 0);
        m_ops.push_front(operation);
        endInsertRows();
        trim();
    }
    updateTimer();
}

void OperationsModel::trim()
{
    // Oldest finished rows first; in-progress rows are never dropped.
    while (int(m_ops.size()) > m_capacity) {
        int victim = -1;
        for (int r = int(m_ops.size()) - 1; r >= 0; --r) {
            if (m_ops[size_t(r)].state != State::InProgress) {
                victim = r;
                break;
            }
        }
        if (victim < 0)
            return;
        beginRemoveRows({}, victim, victim);
        m_ops.erase(m_ops.begin() + victim);
        endRemoveRows();
    }
}

void OperationsModel::dropInProgress()
{
    for (int r = int(m_ops.size()) - 1; r >= 0; --r) {
        if (m_ops[size_t(r)].state != State::InProgress)
            continue;
        beginRemoveRows({}, r, r);
        m_ops.erase(m_ops.begin() + r);
        endRemoveRows();
    }
    updateTimer();
}

void OperationsModel::clear()
{
    beginResetModel();
    m_ops.clear();
    endResetModel();
    updateTimer();
}

void OperationsModel::updateTimer()
{
    const bool active = inProgressCount() > 0;
    if (active && !m_timer->isActive())
        m_timer->start();
    else if (!active)
        m_timer->stop();
}

void OperationsModel::tick()
{
    int first = -1;
    int last = -1;
    for (int r = 0; r < int(m_ops.size()); ++r) {
        if (m_ops[size_t(r)].state != State::InProgress)
            continue;
        if (first < 0)
            first = r;
        last = r;
    }
    if (first < 0) {
        m_timer->stop();
        return;
    }
    emit dataChanged(index(first, ElapsedColumn), index(last, ElapsedColumn),
                     {Qt::DisplayRole, ElapsedMsRole});
}

qint64 OperationsModel::elapsedMs(const jobs::JobOperation &op) const
{
    if (!op.startedAt.isValid())
        return -1;
    const QDateTime end = op.state == State::InProgress || !op.finishedAt.isValid()
                              ? QDateTime::currentDateTimeUtc()
                              : op.finishedAt;
    return std::max<qint64>(0, op.startedAt.msecsTo(end));
}

QString OperationsModel::elapsedText(qint64 ms)
{
    if (ms < 0)
        return {};
    if (ms < 10000)
        return QStringLiteral("%1 s").arg(double(ms) / 1000.0, 0, 'f', 1);
    if (ms < 60000)
        return QStringLiteral("%1 s").arg(ms / 1000);
    return jobs::formatCell(jobs::ColumnType::Duration, ms);
}

int OperationsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_ops.size());
}

int OperationsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant OperationsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const jobs::JobOperation &op = m_ops.at(size_t(index.row()));
    const QString result = !op.location.isEmpty()  ? op.location
                           : !op.failure.isEmpty() ? op.failure
                                                   : op.savepointPath;
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case StartedColumn:
            return op.startedAt.isValid()
                       ? op.startedAt.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"))
                       : QString();
        case KindColumn:
            return op.kind;
        case JobColumn:
            return op.jobName.isEmpty() ? op.jobId : op.jobName;
        case StateColumn:
            return jobs::operationStateName(op.state);
        case ElapsedColumn:
            return elapsedText(elapsedMs(op));
        case ResultColumn:
            return result;
        case TriggerColumn:
            return op.triggerId;
        default:
            return {};
        }
    case Qt::ToolTipRole:
        switch (index.column()) {
        case JobColumn:
            return op.jobName.isEmpty() ? op.jobId
                                        : QStringLiteral("%1\n%2").arg(op.jobName, op.jobId);
        case ResultColumn:
            return result.isEmpty() ? QVariant() : QVariant(result);
        case StateColumn:
            return op.transientErrors > 0
                       ? QVariant(tr("%n poll(s) failed on the way", nullptr, op.transientErrors))
                       : QVariant();
        default:
            return {};
        }
    case Qt::ForegroundRole:
        if (index.column() != StateColumn)
            return {};
        switch (op.state) {
        case State::Completed:
            return QBrush(QColor(0x2e, 0x7d, 0x32));
        case State::Failed:
            return QBrush(QColor(0xc6, 0x28, 0x28));
        case State::Unknown:
            return QBrush(QColor(0xb2, 0x6a, 0x00));
        case State::InProgress:
            return QBrush(QColor(0x15, 0x65, 0xc0));
        }
        return {};
    case TriggerIdRole:
        return op.triggerId;
    case StateRole:
        return int(op.state);
    case JobIdRole:
        return op.jobId;
    case ElapsedMsRole:
        return elapsedMs(op);
    default:
        return {};
    }
}

QVariant OperationsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case StartedColumn:
        return tr("Started");
    case KindColumn:
        return tr("Kind");
    case JobColumn:
        return tr("Job");
    case StateColumn:
        return tr("State");
    case ElapsedColumn:
        return tr("Elapsed");
    case ResultColumn:
        return tr("Location / failure");
    case TriggerColumn:
        return tr("Trigger id");
    default:
        return {};
    }
}

} // namespace opsdeck
