// SPDX-License-Identifier: GPL-3.0-or-later
#include "noderolesmodel.h"

#include "roles/rolespec.h"

#include <QFont>
#include <QHash>
#include <QLocale>
#include <QPainter>
#include <QPixmap>
#include <QSet>

namespace opsdeck {

namespace {

const QColor StaleColor(0x9c, 0xa3, 0xaf);

int worstSeverity(const QList<roles::Finding> &findings)
{
    int worst = -1;
    for (const roles::Finding &f : findings)
        worst = std::max(worst, static_cast<int>(f.severity));
    return worst;
}

QStringList findingCodes(const QList<roles::Finding> &findings)
{
    QStringList codes;
    for (const roles::Finding &f : findings)
        if (!codes.contains(f.code))
            codes << f.code;
    return codes;
}

} // namespace

QColor findingSeverityColor(roles::Finding::Severity severity)
{
    switch (severity) {
    case roles::Finding::Critical:
        return QColor(0xc6, 0x28, 0x28);
    case roles::Finding::Warning:
        return QColor(0xb4, 0x53, 0x09);
    case roles::Finding::Info:
        break;
    }
    return QColor(0x4a, 0x6f, 0xa5);
}

QIcon findingSeverityIcon(roles::Finding::Severity severity)
{
    static QHash<int, QIcon> cache;
    const int key = static_cast<int>(severity);
    const auto it = cache.constFind(key);
    if (it != cache.cend())
        return *it;
    QPixmap pixmap(12, 12);
    pixmap.fill(Qt::transparent);
    {
        QPainter painter(&pixmap);
        painter.setRenderHint(QPainter::Antialiasing);
        painter.setPen(Qt::NoPen);
        painter.setBrush(findingSeverityColor(severity));
        if (severity == roles::Finding::Critical)
            painter.drawRect(QRectF(1.5, 1.5, 9, 9));
        else
            painter.drawEllipse(QRectF(1.5, 1.5, 9, 9));
    }
    QIcon icon(pixmap);
    cache.insert(key, icon);
    return icon;
}

NodeRolesModel::NodeRolesModel(QObject *parent)
    : QAbstractTableModel(parent)
{}

QString NodeRolesModel::roleText(const roles::NodeInfo &node, const QString &role)
{
    QString text;
    const auto conflict = node.conflictingRoles.constFind(role);
    if (conflict != node.conflictingRoles.cend() && conflict->size() > 1)
        text = tr("%1 (conflict)").arg(conflict->join(QStringLiteral(" | ")));
    else if (node.roles.contains(role))
        text = node.mode(role);
    else
        text = QStringLiteral("?");
    if (role == roles::role::overseer() && !node.rolesJsonOverseer.isEmpty())
        text += tr(" (+roles.json)");
    return text;
}

QString NodeRolesModel::signatureOf(const Row &row)
{
    const roles::NodeInfo &n = row.node;
    QStringList parts{n.name,
                      n.live ? QStringLiteral("1") : QStringLiteral("0"),
                      roleText(n, roles::role::data()),
                      roleText(n, roles::role::overseer()),
                      roleText(n, roles::role::coordinator()),
                      QString::number(n.replicaCount),
                      n.collections.join(QLatin1Char(',')),
                      QString::number(n.liveSession),
                      n.nameError,
                      n.solrVersion};
    for (auto it = n.roles.cbegin(); it != n.roles.cend(); ++it)
        parts << it.key() + QLatin1Char(':') + it.value();
    for (const roles::Finding &f : row.findings)
        parts << QString::number(f.severity) + f.code + f.message;
    return parts.join(QLatin1Char('\x1f'));
}

int NodeRolesModel::rowOf(const QString &node) const
{
    for (int i = 0; i < m_rows.size(); ++i)
        if (m_rows.at(i).node.name == node)
            return i;
    return -1;
}

void NodeRolesModel::setSnapshot(const roles::RolesSnapshot &snapshot,
                                 const QList<roles::Finding> &findings)
{
    QList<Row> fresh;
    fresh.reserve(snapshot.nodes.size());
    QSet<QString> names;
    for (const roles::NodeInfo &node : snapshot.nodes) {
        Row row{node, {}, {}};
        for (const roles::Finding &f : findings)
            if (f.node == node.name)
                row.findings << f;
        row.signature = signatureOf(row);
        names.insert(node.name);
        fresh << row;
    }
    std::sort(fresh.begin(), fresh.end(),
              [](const Row &a, const Row &b) { return a.node.name < b.node.name; });

    // Rows of nodes that are gone, from the back.
    for (int i = static_cast<int>(m_rows.size()) - 1; i >= 0; --i) {
        if (names.contains(m_rows.at(i).node.name))
            continue;
        beginRemoveRows({}, i, i);
        m_rows.removeAt(i);
        endRemoveRows();
    }
    // Both lists are sorted by name now and m_rows is a subset of fresh: insert the new ones and
    // update the others in place.
    for (int i = 0; i < fresh.size(); ++i) {
        const Row &row = fresh.at(i);
        if (i < m_rows.size() && m_rows.at(i).node.name == row.node.name) {
            const bool changed = m_rows.at(i).signature != row.signature;
            m_rows[i] = row;
            if (changed)
                emit dataChanged(index(i, 0), index(i, ColumnCount - 1));
            continue;
        }
        beginInsertRows({}, i, i);
        m_rows.insert(i, row);
        endInsertRows();
    }
}

void NodeRolesModel::setStatus(const roles::ZkStatus &status)
{
    const bool stale = status.stale();
    if (stale == m_stale && status.lastConfirmed == m_lastConfirmed)
        return;
    m_stale = stale;
    m_lastConfirmed = status.lastConfirmed;
    if (!m_rows.isEmpty())
        emit dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
}

void NodeRolesModel::clear()
{
    if (m_rows.isEmpty())
        return;
    beginResetModel();
    m_rows.clear();
    endResetModel();
}

QString NodeRolesModel::staleText() const
{
    return m_lastConfirmed.isValid()
               ? tr("stale since %1")
                     .arg(QLocale().toString(m_lastConfirmed.toLocalTime(),
                                             QStringLiteral("yyyy-MM-dd HH:mm:ss")))
               : tr("stale: never confirmed");
}

int NodeRolesModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int NodeRolesModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant NodeRolesModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &row = m_rows.at(index.row());
    const roles::NodeInfo &n = row.node;
    const int worst = worstSeverity(row.findings);
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case NodeColumn:
            return n.name;
        case LiveColumn:
            return n.live ? tr("yes") : tr("no");
        case DataColumn:
            return roleText(n, roles::role::data());
        case OverseerColumn:
            return roleText(n, roles::role::overseer());
        case CoordinatorColumn:
            return roleText(n, roles::role::coordinator());
        case ReplicasColumn:
            return n.replicaCount;
        case FindingsColumn:
            return findingCodes(row.findings).join(QStringLiteral(", "));
        case SessionColumn:
            return n.live ? QString::number(n.liveSession) : QStringLiteral("—");
        }
        return {};
    case SortRole:
        switch (index.column()) {
        case ReplicasColumn:
            return n.replicaCount;
        case FindingsColumn:
            return worst * 1000 + static_cast<int>(row.findings.size());
        case SessionColumn:
            return n.liveSession;
        default:
            return data(index, Qt::DisplayRole);
        }
    case NodeNameRole:
        return n.name;
    case WorstSeverityRole:
        return worst;
    case FindingCodesRole:
        return findingCodes(row.findings);
    case Qt::DecorationRole:
        if (index.column() == FindingsColumn && worst >= 0)
            return findingSeverityIcon(static_cast<roles::Finding::Severity>(worst));
        return {};
    case Qt::ForegroundRole:
        if (m_stale)
            return StaleColor;
        if (index.column() == FindingsColumn && worst >= 0)
            return findingSeverityColor(static_cast<roles::Finding::Severity>(worst));
        if (index.column() == LiveColumn && !n.live)
            return findingSeverityColor(roles::Finding::Critical);
        if ((index.column() == DataColumn || index.column() == OverseerColumn ||
             index.column() == CoordinatorColumn) &&
            data(index, Qt::DisplayRole).toString() == QLatin1String("?"))
            return StaleColor;
        return {};
    case Qt::FontRole:
        if (m_stale) {
            QFont font;
            font.setItalic(true);
            return font;
        }
        return {};
    case Qt::TextAlignmentRole:
        if (index.column() == ReplicasColumn || index.column() == SessionColumn)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case Qt::ToolTipRole: {
        QStringList lines;
        if (m_stale)
            lines << staleText();
        switch (index.column()) {
        case NodeColumn:
            if (!n.nameOk)
                lines << tr("node name not parsable: %1").arg(n.nameError);
            else
                lines << tr("host %1, port %2, context %3").arg(n.host).arg(n.port).arg(n.context);
            if (!n.solrVersion.isEmpty())
                lines << tr("Solr %1").arg(n.solrVersion);
            for (auto it = n.roles.cbegin(); it != n.roles.cend(); ++it)
                if (!roles::isKnownRole(it.key()))
                    lines << tr("unknown role %1:%2").arg(it.key(), it.value());
            break;
        case LiveColumn:
            lines << (n.live ? tr("/live_nodes/%1 exists").arg(n.name)
                             : tr("no /live_nodes entry: role leaves of a node that is not live"));
            break;
        case DataColumn:
        case OverseerColumn:
        case CoordinatorColumn: {
            const QString roleName = index.column() == DataColumn ? roles::role::data()
                                     : index.column() == OverseerColumn
                                         ? roles::role::overseer()
                                         : roles::role::coordinator();
            if (!n.roles.contains(roleName))
                lines << tr("no /node_roles/%1/<mode>/%2 leaf").arg(roleName, n.name);
            if (roleName == roles::role::overseer() && !n.rolesJsonOverseer.isEmpty())
                lines << tr("also named in the legacy /roles.json (deprecated: use "
                            "-Dsolr.node.roles=overseer:preferred instead)");
            break;
        }
        case ReplicasColumn:
            if (!n.collections.isEmpty())
                lines << tr("collections: %1").arg(n.collections.join(QStringLiteral(", ")));
            break;
        case FindingsColumn:
            for (const roles::Finding &f : row.findings)
                lines << QStringLiteral("%1 %2: %3")
                             .arg(roles::severityName(f.severity), f.code, f.message);
            break;
        case SessionColumn:
            if (n.live)
                lines << tr("ephemeral owner 0x%1")
                             .arg(QString::number(static_cast<quint64>(n.liveSession), 16));
            break;
        }
        lines.removeAll(QString());
        if (lines.isEmpty())
            return {};
        return lines.join(QLatin1Char('\n'));
    }
    default:
        return {};
    }
}

QVariant NodeRolesModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case NodeColumn:
        return tr("Node");
    case LiveColumn:
        return tr("Live");
    case DataColumn:
        return tr("Data");
    case OverseerColumn:
        return tr("Overseer");
    case CoordinatorColumn:
        return tr("Coordinator");
    case ReplicasColumn:
        return tr("Replicas");
    case FindingsColumn:
        return tr("Findings");
    case SessionColumn:
        return tr("Session");
    }
    return {};
}

NodeRolesFilter::NodeRolesFilter(QObject *parent)
    : QSortFilterProxyModel(parent)
{
    setSortRole(NodeRolesModel::SortRole);
    setSortCaseSensitivity(Qt::CaseInsensitive);
}

void NodeRolesFilter::setRoleFilter(const QString &role)
{
    if (role == m_role)
        return;
    m_role = role;
    invalidateFilter();
}

void NodeRolesFilter::setModeFilter(const QString &mode)
{
    if (mode == m_mode)
        return;
    m_mode = mode;
    invalidateFilter();
}

bool NodeRolesFilter::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    if (m_role.isEmpty() && m_mode.isEmpty())
        return true;
    const auto *model = qobject_cast<const NodeRolesModel *>(sourceModel());
    if (!model || sourceParent.isValid())
        return true;
    const roles::NodeInfo &node = model->nodeAt(sourceRow);
    auto matches = [&](const QString &role) {
        const bool hasLeaf = node.roles.contains(role);
        const QString mode = node.mode(role);
        if (m_mode.isEmpty())
            return mode == roles::mode::on() || roles::isOverseerEligibleMode(mode);
        if (m_mode == unknownMode())
            return !hasLeaf;
        return hasLeaf && mode == m_mode;
    };
    if (!m_role.isEmpty())
        return matches(m_role);
    return matches(roles::role::data()) || matches(roles::role::overseer()) ||
           matches(roles::role::coordinator());
}

} // namespace opsdeck
