// SPDX-License-Identifier: GPL-3.0-or-later
#include "healthmodel.h"

#include "certificatesmodel.h"

#include <QHash>
#include <QPainter>
#include <QPixmap>
#include <QSet>
#include <algorithm>

namespace opsdeck {

using health::State;

QColor healthLampColor(State state)
{
    switch (state) {
    case State::Ok:
        return QColor(0x16, 0xa3, 0x4a);
    case State::Warning:
        return QColor(0xf5, 0x9e, 0x0b);
    case State::Critical:
        return QColor(0xdc, 0x26, 0x26);
    case State::Unknown:
        break;
    }
    return QColor(0x9c, 0xa3, 0xaf);
}

QColor healthTextColor(State state)
{
    // The certificates' palette, so a state reads the same colour in every dock.
    switch (state) {
    case State::Ok:
        return certLevelColor(CertLevel::Ok);
    case State::Warning:
        return certLevelColor(CertLevel::Warning);
    case State::Critical:
        return certLevelColor(CertLevel::Error);
    case State::Unknown:
        break;
    }
    return certLevelColor(CertLevel::Neutral);
}

QIcon healthStateIcon(State state)
{
    static QHash<int, QIcon> cache;
    const int key = static_cast<int>(state);
    const auto it = cache.constFind(key);
    if (it != cache.cend())
        return *it;
    QPixmap pixmap(12, 12);
    pixmap.fill(Qt::transparent);
    {
        QPainter painter(&pixmap);
        painter.setRenderHint(QPainter::Antialiasing);
        painter.setPen(QPen(healthLampColor(state).darker(130), 1));
        painter.setBrush(healthLampColor(state));
        painter.drawEllipse(QRectF(1.5, 1.5, 9, 9));
    }
    const QIcon icon(pixmap);
    cache.insert(key, icon);
    return icon;
}

int healthSeverityRank(State state)
{
    return health::severityRank(state);
}

namespace {

int moduleOrder(const QString &module)
{
    const auto index = health::moduleNames().indexOf(module);
    return index < 0 ? int(health::moduleNames().size()) : int(index);
}

} // namespace

HealthModel::HealthModel(QObject *parent)
    : QAbstractTableModel(parent)
{}

QString HealthModel::keyOf(const health::CheckItem &item)
{
    return item.module + QLatin1Char('/') + item.code + QLatin1Char('/') + item.subject;
}

bool HealthModel::lessThan(const Row &a, const Row &b)
{
    const int ma = moduleOrder(a.item.module);
    const int mb = moduleOrder(b.item.module);
    if (ma != mb)
        return ma < mb;
    if (a.item.module != b.item.module)
        return a.item.module < b.item.module;
    if (a.item.subject != b.item.subject)
        return a.item.subject < b.item.subject;
    return a.item.code < b.item.code;
}

bool HealthModel::sameShown(const health::CheckItem &a, const health::CheckItem &b)
{
    return a.state == b.state && a.message == b.message && a.module == b.module &&
           a.subject == b.subject && a.code == b.code;
}

void HealthModel::setItems(const QList<health::CheckItem> &items)
{
    QList<Row> fresh;
    fresh.reserve(items.size());
    QSet<QString> keys;
    for (const health::CheckItem &item : items) {
        const QString key = keyOf(item);
        if (keys.contains(key))
            continue; // one row per key; the first one wins (the checker does not repeat keys)
        keys.insert(key);
        fresh << Row{item, key};
    }
    std::sort(fresh.begin(), fresh.end(), &HealthModel::lessThan);

    // Rows of items that are gone, from the back.
    for (int i = int(m_rows.size()) - 1; i >= 0; --i) {
        if (keys.contains(m_rows.at(i).key))
            continue;
        beginRemoveRows({}, i, i);
        m_rows.removeAt(i);
        endRemoveRows();
    }
    // Both lists are in the same order and m_rows is a subset of fresh: insert the new rows and
    // update the others in place.
    for (int i = 0; i < fresh.size(); ++i) {
        const Row &row = fresh.at(i);
        if (i < m_rows.size() && m_rows.at(i).key == row.key) {
            const bool changed = !sameShown(m_rows.at(i).item, row.item);
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

void HealthModel::clear()
{
    if (m_rows.isEmpty())
        return;
    beginResetModel();
    m_rows.clear();
    endResetModel();
}

int HealthModel::rowOf(const QString &module, const QString &code, const QString &subject) const
{
    health::CheckItem probe;
    probe.module = module;
    probe.code = code;
    probe.subject = subject;
    const QString key = keyOf(probe);
    for (int i = 0; i < m_rows.size(); ++i)
        if (m_rows.at(i).key == key)
            return i;
    return -1;
}

int HealthModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int HealthModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant HealthModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const health::CheckItem &item = m_rows.at(index.row()).item;
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case StateColumn:
            return health::stateName(item.state);
        case ModuleColumn:
            return item.module;
        case SubjectColumn:
            return item.subject.isEmpty() ? tr("(%1)").arg(item.module) : item.subject;
        case MessageColumn:
            return item.message;
        default:
            return {};
        }
    case Qt::ToolTipRole:
        switch (index.column()) {
        case StateColumn:
        case ModuleColumn:
            return tr("%1 %2 (%3)").arg(item.module, health::stateName(item.state), item.code);
        case SubjectColumn:
            return item.subject;
        case MessageColumn:
            return item.message;
        default:
            return {};
        }
    case Qt::DecorationRole:
        if (index.column() == StateColumn)
            return healthStateIcon(item.state);
        return {};
    case Qt::ForegroundRole:
        if (index.column() == StateColumn)
            return healthTextColor(item.state);
        return {};
    case SortRole:
        switch (index.column()) {
        case StateColumn:
            return healthSeverityRank(item.state);
        case ModuleColumn:
            return moduleOrder(item.module);
        case SubjectColumn:
            return item.subject;
        case MessageColumn:
            return item.message;
        default:
            return {};
        }
    case StateRole:
        return static_cast<int>(item.state);
    case CodeRole:
        return item.code;
    case KeyRole:
        return m_rows.at(index.row()).key;
    default:
        return {};
    }
}

QVariant HealthModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case StateColumn:
        return tr("State");
    case ModuleColumn:
        return tr("Module");
    case SubjectColumn:
        return tr("Subject");
    case MessageColumn:
        return tr("Message");
    default:
        return {};
    }
}

HealthSortModel::HealthSortModel(QObject *parent)
    : QSortFilterProxyModel(parent)
{
    setSortRole(HealthModel::SortRole);
}

bool HealthSortModel::lessThan(const QModelIndex &left, const QModelIndex &right) const
{
    const QVariant l = left.data(HealthModel::SortRole);
    const QVariant r = right.data(HealthModel::SortRole);
    if (l != r) {
        if (l.typeId() == QMetaType::Int && r.typeId() == QMetaType::Int)
            return l.toInt() < r.toInt();
        return QString::localeAwareCompare(l.toString(), r.toString()) < 0;
    }
    // Ties: module order, then subject, so equal states keep a readable order.
    const QModelIndex lm = left.siblingAtColumn(HealthModel::ModuleColumn);
    const QModelIndex rm = right.siblingAtColumn(HealthModel::ModuleColumn);
    const int a = lm.data(HealthModel::SortRole).toInt();
    const int b = rm.data(HealthModel::SortRole).toInt();
    if (a != b)
        return a < b;
    return left.siblingAtColumn(HealthModel::SubjectColumn).data().toString() <
           right.siblingAtColumn(HealthModel::SubjectColumn).data().toString();
}

} // namespace opsdeck
