// SPDX-License-Identifier: GPL-3.0-or-later
#include "electionmodel.h"

#include "noderolesmodel.h"

#include <QFont>
#include <QLocale>

namespace opsdeck {

namespace {

const QColor StaleColor(0x9c, 0xa3, 0xaf);
const QColor LeaderColor(0x15, 0x80, 0x3d);

} // namespace

ElectionModel::ElectionModel(QObject *parent)
    : QAbstractTableModel(parent)
{}

void ElectionModel::setSnapshot(const roles::RolesSnapshot &snapshot)
{
    // The queue is small (one candidate per overseer-eligible node) and reorders as a whole when
    // the leader changes: a reset is the honest update.
    beginResetModel();
    m_queue = snapshot.election;
    m_leader = snapshot.leader;
    endResetModel();
}

void ElectionModel::setStatus(const roles::ZkStatus &status)
{
    if (status.stale() == m_stale && status.lastConfirmed == m_lastConfirmed)
        return;
    m_stale = status.stale();
    m_lastConfirmed = status.lastConfirmed;
    if (!m_queue.isEmpty())
        emit dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
}

void ElectionModel::clear()
{
    beginResetModel();
    m_queue.clear();
    m_leader = {};
    endResetModel();
}

bool ElectionModel::isLeaderRow(int row) const
{
    return m_leader.exists && !m_leader.znode.isEmpty() && m_queue.at(row).znode == m_leader.znode;
}

int ElectionModel::leaderRow() const
{
    for (int i = 0; i < m_queue.size(); ++i)
        if (isLeaderRow(i))
            return i;
    return -1;
}

int ElectionModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_queue.size());
}

int ElectionModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString ElectionModel::noteText(const roles::ElectionCandidate &c, bool leader) const
{
    QStringList notes;
    if (leader)
        notes << tr("leader");
    else if (c.position == 0 && m_leader.exists)
        notes << tr("head, not the leader");
    else if (c.position == 0)
        notes << tr("head (no leader znode)");
    if (!c.parsed)
        notes << tr("unparsable: %1").arg(c.parseError);
    if (c.solrMisreads)
        notes << tr("Solr reads the node as %1: %2").arg(c.solrReadsNodeAs, c.solrProblem);
    return notes.join(QStringLiteral(" · "));
}

QVariant ElectionModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const roles::ElectionCandidate &c = m_queue.at(index.row());
    const bool leader = isLeaderRow(index.row());
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case PositionColumn:
            return c.position;
        case NodeColumn:
            return c.parsed ? c.node : QStringLiteral("—");
        case SessionColumn:
            return c.parsed ? QString::number(c.sessionId) : QStringLiteral("—");
        case SequenceColumn:
            return c.parsed ? QString::number(c.sequence) : QStringLiteral("—");
        case ZnodeColumn:
            return c.znode;
        case WatchesColumn:
            return c.watches.isEmpty() ? QStringLiteral("—") : c.watches;
        case NoteColumn:
            return noteText(c, leader);
        }
        return {};
    case IsLeaderRole:
        return leader;
    case ZnodeRole:
        return c.znode;
    case Qt::FontRole:
        if (leader || m_stale) {
            QFont font;
            font.setBold(leader);
            font.setItalic(m_stale);
            return font;
        }
        return {};
    case Qt::ForegroundRole:
        if (m_stale)
            return StaleColor;
        if (index.column() == NoteColumn) {
            if (!c.parsed || c.solrMisreads)
                return findingSeverityColor(roles::Finding::Warning);
            if (leader)
                return LeaderColor;
        }
        return {};
    case Qt::DecorationRole:
        if (index.column() == NoteColumn && (!c.parsed || c.solrMisreads))
            return findingSeverityIcon(roles::Finding::Warning);
        return {};
    case Qt::TextAlignmentRole:
        if (index.column() == PositionColumn || index.column() == SessionColumn ||
            index.column() == SequenceColumn)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case Qt::ToolTipRole: {
        QStringList lines;
        if (m_stale)
            lines << (m_lastConfirmed.isValid()
                          ? tr("stale since %1")
                                .arg(QLocale().toString(m_lastConfirmed.toLocalTime(),
                                                        QStringLiteral("yyyy-MM-dd HH:mm:ss")))
                          : tr("stale: never confirmed"));
        if (index.column() == ZnodeColumn)
            lines << c.znode;
        if (index.column() == WatchesColumn && !c.watches.isEmpty())
            lines
                << tr("watches its predecessor %1 and runs for leader when it goes").arg(c.watches);
        if (index.column() == SessionColumn && c.parsed)
            lines << tr("session 0x%1 (ephemeral owner 0x%2)")
                         .arg(QString::number(static_cast<quint64>(c.sessionId), 16),
                              QString::number(static_cast<quint64>(c.ephemeralOwner), 16));
        if (index.column() == NoteColumn) {
            const QString note = noteText(c, leader);
            if (!note.isEmpty())
                lines << note;
        }
        if (lines.isEmpty())
            return {};
        return lines.join(QLatin1Char('\n'));
    }
    default:
        return {};
    }
}

QVariant ElectionModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case PositionColumn:
        return tr("#");
    case NodeColumn:
        return tr("Node");
    case SessionColumn:
        return tr("Session");
    case SequenceColumn:
        return tr("Sequence");
    case ZnodeColumn:
        return tr("Znode");
    case WatchesColumn:
        return tr("Watches");
    case NoteColumn:
        return tr("Note");
    }
    return {};
}

} // namespace opsdeck
