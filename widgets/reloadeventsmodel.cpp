// SPDX-License-Identifier: GPL-3.0-or-later
#include "reloadeventsmodel.h"

#include <QBrush>
#include <QFont>
#include <QJsonArray>

namespace opsdeck {

namespace {

constexpr tls::ReloadEventKind AllKinds[] = {
    tls::ReloadEventKind::Snapshot,
    tls::ReloadEventKind::Ready,
    tls::ReloadEventKind::Changed,
    tls::ReloadEventKind::Pending,
    tls::ReloadEventKind::Invalid,
    tls::ReloadEventKind::Recovered,
    tls::ReloadEventKind::SourceUnavailable,
    tls::ReloadEventKind::Status,
    tls::ReloadEventKind::Served,
    tls::ReloadEventKind::WatchDegraded,
    tls::ReloadEventKind::Stats,
};

QString shortFp(const QString &fp)
{
    return fp.isEmpty() ? QStringLiteral("—") : fp.left(12);
}

QString stringOf(const QJsonObject &o, const char *key)
{
    return o.value(QLatin1String(key)).toString();
}

QStringList stringsOf(const QJsonObject &o, const char *key)
{
    QStringList out;
    const QJsonArray array = o.value(QLatin1String(key)).toArray();
    for (const QJsonValue &v : array)
        out << v.toString();
    return out;
}

} // namespace

std::optional<tls::ReloadEventKind> reloadEventKindFromName(const QString &name)
{
    for (tls::ReloadEventKind kind : AllKinds) {
        if (tls::reloadEventKindName(kind) == name)
            return kind;
    }
    return std::nullopt;
}

std::optional<tls::ReloadEvent> reloadEventFromJson(const QJsonObject &o)
{
    const auto kind = reloadEventKindFromName(stringOf(o, "event"));
    const QDateTime ts = QDateTime::fromString(stringOf(o, "ts"), Qt::ISODateWithMs);
    if (!kind || !ts.isValid())
        return std::nullopt;
    tls::ReloadEvent e;
    e.kind = *kind;
    e.ts = ts.toUTC();
    e.bundle = stringOf(o, "bundle");
    e.oldFingerprint = stringOf(o, "old_fingerprint");
    e.newFingerprint = stringOf(o, "new_fingerprint");
    e.status = stringOf(o, "status");
    e.manifest = stringOf(o, "manifest");
    e.reason = stringOf(o, "reason");
    e.detail = stringOf(o, "detail");
    e.fingerprint = stringOf(o, "fingerprint");
    e.endpoint = stringOf(o, "endpoint");
    const QJsonValue matches = o.value(QStringLiteral("matches_disk"));
    if (matches.isBool())
        e.matchesDisk = matches.toBool();
    e.watch = stringOf(o, "watch");
    if (o.contains(QStringLiteral("not_after")))
        e.notAfter = QDateTime::fromString(stringOf(o, "not_after"), Qt::ISODate).toUTC();
    e.files = stringsOf(o, "files");
    e.warnings = stringsOf(o, "warnings");
    if (o.contains(QStringLiteral("bundles")))
        e.bundles = o.value(QStringLiteral("bundles")).toInt(-1);
    return e;
}

CertLevel reloadEventLevel(const tls::ReloadEvent &e)
{
    using K = tls::ReloadEventKind;
    switch (e.kind) {
    case K::Invalid:
    case K::SourceUnavailable:
        return CertLevel::Error;
    case K::Pending:
        return CertLevel::Pending;
    case K::WatchDegraded:
        return CertLevel::Warning;
    case K::Changed:
    case K::Recovered:
        return CertLevel::Ok;
    case K::Served:
        if (!e.matchesDisk.has_value())
            return CertLevel::Warning;
        return *e.matchesDisk ? CertLevel::Ok : CertLevel::Error;
    case K::Status:
    case K::Snapshot:
        if (e.status.isEmpty() || e.status == QLatin1String("ok"))
            return e.kind == K::Status ? CertLevel::Ok : CertLevel::Neutral;
        return CertLevel::Error;
    case K::Ready:
    case K::Stats:
        break;
    }
    return CertLevel::Neutral;
}

ReloadEventsModel::ReloadEventsModel(int capacity, QObject *parent)
    : QAbstractTableModel(parent)
    , m_capacity(std::max(1, capacity))
{}

QStringList ReloadEventsModel::bundles() const
{
    QStringList out(m_bundles.cbegin(), m_bundles.cend());
    out.sort();
    return out;
}

void ReloadEventsModel::addEvent(const tls::ReloadEvent &event)
{
    if (int(m_events.size()) >= m_capacity) {
        const int last = int(m_events.size()) - 1;
        const int first = m_capacity - 1;
        beginRemoveRows({}, first, last);
        m_events.erase(m_events.begin() + first, m_events.end());
        endRemoveRows();
    }
    beginInsertRows({}, 0, 0);
    m_events.push_front(event);
    endInsertRows();
    if (!m_bundles.contains(event.bundle)) {
        m_bundles.insert(event.bundle);
        emit bundleSeen(event.bundle);
    }
}

void ReloadEventsModel::setEvents(const QList<tls::ReloadEvent> &newestFirst)
{
    beginResetModel();
    m_events.clear();
    m_bundles.clear();
    for (const tls::ReloadEvent &e : newestFirst) {
        if (int(m_events.size()) >= m_capacity)
            break;
        m_events.push_back(e);
        m_bundles.insert(e.bundle);
    }
    endResetModel();
    for (const QString &b : bundles())
        emit bundleSeen(b);
}

void ReloadEventsModel::clear()
{
    beginResetModel();
    m_events.clear();
    endResetModel();
}

QString ReloadEventsModel::detailText(const tls::ReloadEvent &e)
{
    using K = tls::ReloadEventKind;
    QStringList parts;
    switch (e.kind) {
    case K::Changed:
        parts << tr("%1 → %2").arg(shortFp(e.oldFingerprint), shortFp(e.newFingerprint));
        if (!e.status.isEmpty())
            parts << e.status;
        if (e.notAfter.isValid())
            parts << tr("valid until %1")
                         .arg(e.notAfter.toLocalTime().toString(QStringLiteral("yyyy-MM-dd")));
        break;
    case K::Served:
        parts << e.endpoint;
        if (!e.fingerprint.isEmpty())
            parts << tr("serves %1").arg(shortFp(e.fingerprint));
        if (e.matchesDisk.has_value())
            parts << (*e.matchesDisk ? tr("matches disk")
                                     : tr("rotated on disk, not reloaded by the service"));
        if (!e.detail.isEmpty() && !(e.matchesDisk.has_value()))
            parts << e.detail;
        return parts.join(QStringLiteral(" · "));
    case K::Pending:
    case K::Invalid:
    case K::SourceUnavailable:
        if (!e.reason.isEmpty())
            parts << e.reason;
        if (!e.fingerprint.isEmpty())
            parts << tr("keeping %1").arg(shortFp(e.fingerprint));
        break;
    case K::Snapshot:
        if (!e.status.isEmpty())
            parts << e.status;
        if (!e.fingerprint.isEmpty())
            parts << shortFp(e.fingerprint);
        if (!e.files.isEmpty())
            parts << tr("%n file(s)", nullptr, int(e.files.size()));
        if (!e.watch.isEmpty())
            parts << e.watch;
        if (!e.reason.isEmpty())
            parts << e.reason;
        break;
    case K::WatchDegraded:
        parts << tr("poll only");
        if (!e.reason.isEmpty())
            parts << e.reason;
        break;
    case K::Ready:
        if (e.bundles >= 0)
            parts << tr("%n bundle(s)", nullptr, e.bundles);
        break;
    case K::Recovered:
    case K::Status:
    case K::Stats:
        if (!e.status.isEmpty())
            parts << e.status;
        if (!e.reason.isEmpty())
            parts << e.reason;
        if (!e.fingerprint.isEmpty())
            parts << shortFp(e.fingerprint);
        break;
    }
    if (!e.detail.isEmpty())
        parts << e.detail;
    return parts.join(QStringLiteral(" · "));
}

int ReloadEventsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_events.size());
}

int ReloadEventsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ReloadEventsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const tls::ReloadEvent &e = m_events.at(size_t(index.row()));
    switch (role) {
    case KindRole:
        return tls::reloadEventKindName(e.kind);
    case BundleRole:
        return e.bundle;
    case TimestampRole:
        return e.ts;
    case LevelRole:
        return int(reloadEventLevel(e));
    default:
        break;
    }
    switch (index.column()) {
    case TimeColumn:
        if (role == Qt::DisplayRole)
            return e.ts.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz"));
        if (role == Qt::ToolTipRole)
            return tls::isoUtcMs(e.ts);
        break;
    case BundleColumn:
        if (role == Qt::DisplayRole || role == Qt::ToolTipRole)
            return e.bundle;
        break;
    case EventColumn:
        if (role == Qt::DisplayRole)
            return tls::reloadEventKindName(e.kind);
        if (role == Qt::ForegroundRole)
            return QBrush(certLevelColor(reloadEventLevel(e)));
        if (role == Qt::DecorationRole)
            return certLevelIcon(reloadEventLevel(e));
        if (role == Qt::FontRole) {
            QFont font;
            font.setBold(reloadEventLevel(e) == CertLevel::Error);
            return font;
        }
        break;
    case DetailColumn:
        if (role == Qt::DisplayRole)
            return detailText(e);
        if (role == Qt::ToolTipRole)
            return e.toTableLine();
        break;
    default:
        break;
    }
    return {};
}

QVariant ReloadEventsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case TimeColumn:
        return tr("Time");
    case BundleColumn:
        return tr("Bundle");
    case EventColumn:
        return tr("Event");
    case DetailColumn:
        return tr("Detail");
    default:
        break;
    }
    return {};
}

ReloadEventsFilter::ReloadEventsFilter(QObject *parent)
    : QSortFilterProxyModel(parent)
{}

void ReloadEventsFilter::setBundle(const QString &bundle)
{
    if (bundle == m_bundle)
        return;
    m_bundle = bundle;
    invalidateFilter();
}

void ReloadEventsFilter::setKind(const QString &kind)
{
    if (kind == m_kind)
        return;
    m_kind = kind;
    invalidateFilter();
}

bool ReloadEventsFilter::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    const QModelIndex index = sourceModel()->index(sourceRow, 0, sourceParent);
    if (!m_bundle.isEmpty() && index.data(ReloadEventsModel::BundleRole).toString() != m_bundle)
        return false;
    if (!m_kind.isEmpty() && index.data(ReloadEventsModel::KindRole).toString() != m_kind)
        return false;
    return true;
}

} // namespace opsdeck
