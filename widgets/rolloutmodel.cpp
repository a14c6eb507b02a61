// SPDX-License-Identifier: GPL-3.0-or-later
#include "rolloutmodel.h"

#include <QSet>

namespace opsdeck {

using tls::DiskMatch;

namespace {

const QColor MatchGreen(0x15, 0x80, 0x3d);
const QColor MatchRed(0xc6, 0x28, 0x28);
const QColor MatchAmber(0xb4, 0x53, 0x09);
const QColor MatchGrey(0x6b, 0x72, 0x80);

// Sort rank of the match column: the ones needing attention first when sorted descending.
int matchRank(const health::FleetNodeStatus &n)
{
    if (!n.probed)
        return 0;
    if (!n.error.isEmpty())
        return 4;
    switch (n.match) {
    case DiskMatch::Matches:
        return 1;
    case DiskMatch::Unknown:
        return 2;
    case DiskMatch::Differs:
        return 3;
    case DiskMatch::NotReloaded:
        return 5;
    }
    return 2;
}

QString localTime(const QDateTime &utc)
{
    return utc.isValid() ? utc.toLocalTime().toString(QStringLiteral("HH:mm:ss")) : QString();
}

QString utcDate(const QDateTime &utc)
{
    return utc.isValid() ? utc.toUTC().toString(QStringLiteral("yyyy-MM-dd HH:mm")) : QString();
}

} // namespace

RolloutModel::RolloutModel(QObject *parent)
    : QAbstractTableModel(parent)
{}

QString RolloutModel::keyOf(const health::FleetNodeStatus &node)
{
    return node.target.kind + QLatin1Char('|') + node.target.node;
}

QString RolloutModel::shortFingerprint(const QString &sha256)
{
    if (sha256.size() <= 16)
        return sha256;
    return sha256.left(12) + QChar(0x2026) + sha256.right(4);
}

QString RolloutModel::matchText(const health::FleetNodeStatus &n)
{
    if (!n.probed)
        return n.probing ? tr("probing…") : QString();
    if (!n.error.isEmpty())
        return tr("? error");
    switch (n.match) {
    case DiskMatch::Matches:
        return QStringLiteral("✓");
    case DiskMatch::NotReloaded:
        return tr("✗ not reloaded");
    case DiskMatch::Differs:
        return tr("✗ differs");
    case DiskMatch::Unknown:
        break;
    }
    return tr("? no disk leaf");
}

QColor RolloutModel::matchColor(const health::FleetNodeStatus &n)
{
    if (!n.probed)
        return MatchGrey;
    if (!n.error.isEmpty())
        return MatchAmber;
    switch (n.match) {
    case DiskMatch::Matches:
        return MatchGreen;
    case DiskMatch::NotReloaded:
    case DiskMatch::Differs:
        return MatchRed;
    case DiskMatch::Unknown:
        break;
    }
    return MatchGrey;
}

QStringList RolloutModel::shown(const health::FleetNodeStatus &node) const
{
    QStringList texts;
    for (int c = 0; c < ColumnCount; ++c)
        texts << display(node, c).toString();
    // Tooltips carry more than the cells (full fingerprint, handshake time, error text).
    texts << node.servedSha256 << QString::number(node.handshakeMs) << node.errorMessage
          << QString::number(static_cast<int>(node.match));
    return texts;
}

void RolloutModel::setStatus(const health::FleetStatus &status)
{
    QSet<QString> keys;
    for (const health::FleetNodeStatus &n : status.nodes)
        keys.insert(keyOf(n));

    // The header fields first: no cell shows them.
    m_status.bundle = status.bundle;
    m_status.diskSha256 = status.diskSha256;
    m_status.diskNotAfter = status.diskNotAfter;
    m_status.changedAt = status.changedAt;
    m_status.converging = status.converging;

    // Rows of targets that are gone, from the back.
    for (int i = int(m_status.nodes.size()) - 1; i >= 0; --i) {
        if (keys.contains(keyOf(m_status.nodes.at(i))))
            continue;
        beginRemoveRows({}, i, i);
        m_status.nodes.removeAt(i);
        endRemoveRows();
    }
    // What is left must be in the new order (targets keep their order: Solr nodes by name, then
    // REST); otherwise the order changed and a reset is the honest update.
    {
        int j = 0;
        bool ordered = true;
        for (const health::FleetNodeStatus &n : m_status.nodes) {
            while (j < status.nodes.size() && keyOf(status.nodes.at(j)) != keyOf(n))
                ++j;
            if (j == status.nodes.size()) {
                ordered = false;
                break;
            }
            ++j;
        }
        if (!ordered) {
            beginResetModel();
            m_status.nodes = status.nodes;
            endResetModel();
            return;
        }
    }
    for (int i = 0; i < status.nodes.size(); ++i) {
        const health::FleetNodeStatus &n = status.nodes.at(i);
        if (i < m_status.nodes.size() && keyOf(m_status.nodes.at(i)) == keyOf(n)) {
            const QStringList before = shown(m_status.nodes.at(i));
            m_status.nodes[i] = n;
            const QStringList after = shown(n);
            if (before == after)
                continue;
            int first = ColumnCount;
            int last = -1;
            for (int c = 0; c < ColumnCount; ++c) {
                if (before.at(c) != after.at(c)) {
                    first = std::min(first, c);
                    last = c;
                }
            }
            if (last < 0) { // only a tooltip changed
                first = 0;
                last = ColumnCount - 1;
            }
            emit dataChanged(index(i, first), index(i, last));
            continue;
        }
        beginInsertRows({}, i, i);
        m_status.nodes.insert(i, n);
        endInsertRows();
    }
}

void RolloutModel::clear()
{
    if (m_status.nodes.isEmpty()) {
        m_status = {};
        return;
    }
    beginResetModel();
    m_status = {};
    endResetModel();
}

int RolloutModel::rowOf(const QString &node) const
{
    for (int i = 0; i < m_status.nodes.size(); ++i)
        if (m_status.nodes.at(i).target.node == node)
            return i;
    return -1;
}

int RolloutModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_status.nodes.size());
}

int RolloutModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant RolloutModel::display(const health::FleetNodeStatus &n, int column) const
{
    switch (column) {
    case NodeColumn:
        return n.target.node;
    case FingerprintColumn:
        return shortFingerprint(n.servedSha256);
    case MatchColumn:
        return matchText(n);
    case NotAfterColumn:
        return utcDate(n.servedNotAfter);
    case LastProbedColumn:
        return localTime(n.lastProbed);
    case ErrorColumn:
        return n.errorMessage.isEmpty() ? n.error : n.errorMessage;
    default:
        return {};
    }
}

QVariant RolloutModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const health::FleetNodeStatus &n = m_status.nodes.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        return display(n, index.column());
    case Qt::ToolTipRole:
        switch (index.column()) {
        case NodeColumn:
            return tr("%1 (%2, %3:%4)")
                .arg(n.target.node, n.target.kind, n.target.host)
                .arg(n.target.port);
        case FingerprintColumn:
            return n.servedSha256.isEmpty() ? QString() : tr("SHA-256 %1").arg(n.servedSha256);
        case MatchColumn:
            if (!n.servedSha256.isEmpty() && !m_status.diskSha256.isEmpty())
                return tr("serves %1\ndisk has %2")
                    .arg(shortFingerprint(n.servedSha256), shortFingerprint(m_status.diskSha256));
            return n.errorMessage;
        case NotAfterColumn:
            return n.servedNotAfter.isValid() ? n.servedNotAfter.toUTC().toString(Qt::ISODate)
                                              : QString();
        case LastProbedColumn:
            if (!n.lastProbed.isValid())
                return QString();
            return n.handshakeMs >= 0
                       ? tr("%1, handshake %2 ms")
                             .arg(n.lastProbed.toLocalTime().toString(
                                 QStringLiteral("yyyy-MM-dd HH:mm:ss")))
                             .arg(n.handshakeMs)
                       : n.lastProbed.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
        case ErrorColumn:
            return n.error.isEmpty() ? QString()
                                     : QStringLiteral("%1: %2").arg(n.error, n.errorMessage);
        default:
            return {};
        }
    case Qt::ForegroundRole:
        if (index.column() == MatchColumn)
            return matchColor(n);
        if (index.column() == ErrorColumn && !n.error.isEmpty())
            return MatchRed;
        return {};
    case Qt::TextAlignmentRole:
        if (index.column() == MatchColumn)
            return QVariant::fromValue(Qt::AlignLeft | Qt::AlignVCenter);
        return {};
    case SortRole:
        switch (index.column()) {
        case MatchColumn:
            return matchRank(n);
        case NotAfterColumn:
            return n.servedNotAfter;
        case LastProbedColumn:
            return n.lastProbed;
        case FingerprintColumn:
            return n.servedSha256;
        default:
            return display(n, index.column());
        }
    case MatchRole:
        return static_cast<int>(n.match);
    case FullFingerprintRole:
        return n.servedSha256;
    case NodeNameRole:
        return n.target.node;
    default:
        return {};
    }
}

QVariant RolloutModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case NodeColumn:
        return tr("Node");
    case FingerprintColumn:
        return tr("Served leaf");
    case MatchColumn:
        return tr("Matches disk");
    case NotAfterColumn:
        return tr("Not after (UTC)");
    case LastProbedColumn:
        return tr("Last probed");
    case ErrorColumn:
        return tr("Error");
    default:
        return {};
    }
}

} // namespace opsdeck
