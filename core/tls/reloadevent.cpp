// SPDX-License-Identifier: GPL-3.0-or-later
#include "reloadevent.h"

#include <QJsonArray>
#include <QJsonValue>

namespace opsdeck::tls {

QString reloadEventKindName(ReloadEventKind kind)
{
    switch (kind) {
    case ReloadEventKind::Snapshot:
        return QStringLiteral("SNAPSHOT");
    case ReloadEventKind::Ready:
        return QStringLiteral("READY");
    case ReloadEventKind::Changed:
        return QStringLiteral("CHANGED");
    case ReloadEventKind::Pending:
        return QStringLiteral("PENDING");
    case ReloadEventKind::Invalid:
        return QStringLiteral("INVALID");
    case ReloadEventKind::Recovered:
        return QStringLiteral("RECOVERED");
    case ReloadEventKind::SourceUnavailable:
        return QStringLiteral("SOURCE_UNAVAILABLE");
    case ReloadEventKind::Status:
        return QStringLiteral("STATUS");
    case ReloadEventKind::Served:
        return QStringLiteral("SERVED");
    case ReloadEventKind::WatchDegraded:
        return QStringLiteral("WATCH_DEGRADED");
    case ReloadEventKind::Stats:
        return QStringLiteral("STATS");
    }
    return QStringLiteral("UNKNOWN");
}

QString watchModeName(WatchMode mode)
{
    return mode == WatchMode::Poll ? QStringLiteral("poll") : QStringLiteral("inotify");
}

QString bundlePhaseName(BundleState::Phase phase)
{
    switch (phase) {
    case BundleState::Phase::Starting:
        return QStringLiteral("starting");
    case BundleState::Phase::Clean:
        return QStringLiteral("clean");
    case BundleState::Phase::Pending:
        return QStringLiteral("pending");
    case BundleState::Phase::Invalid:
        return QStringLiteral("invalid");
    case BundleState::Phase::Unavailable:
        return QStringLiteral("unavailable");
    }
    return QStringLiteral("unknown");
}

QString isoUtcMs(const QDateTime &ts)
{
    return ts.toUTC().toString(Qt::ISODateWithMs);
}

QString BundleState::lastGoodFingerprint() const
{
    return haveLastGood && lastGood.leaf ? lastGood.leaf->sha256 : QString();
}

QJsonObject WatchStats::toJson() const
{
    QJsonObject o;
    o.insert(QStringLiteral("fs_events"), fsEvents);
    o.insert(QStringLiteral("hash_reads"), hashReads);
    o.insert(QStringLiteral("parses"), parses);
    o.insert(QStringLiteral("commits"), commits);
    o.insert(QStringLiteral("rescans"), rescans);
    o.insert(QStringLiteral("polls"), polls);
    o.insert(QStringLiteral("overflows"), overflows);
    return o;
}

namespace {

QJsonValue stringOrNull(const QString &s)
{
    return s.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(s);
}

} // namespace

QJsonObject ReloadEvent::toJson() const
{
    QJsonObject o;
    o.insert(QStringLiteral("ts"), isoUtcMs(ts.isValid() ? ts : QDateTime::currentDateTimeUtc()));
    o.insert(QStringLiteral("event"), reloadEventKindName(kind));
    o.insert(QStringLiteral("bundle"), bundle);
    auto put = [&o](const char *key, const QString &value) {
        if (!value.isEmpty())
            o.insert(QLatin1String(key), value);
    };
    switch (kind) {
    case ReloadEventKind::Changed:
        // The four fields a consumer relies on are always present (null when unknown).
        o.insert(QStringLiteral("old_fingerprint"), stringOrNull(oldFingerprint));
        o.insert(QStringLiteral("new_fingerprint"), stringOrNull(newFingerprint));
        o.insert(QStringLiteral("status"), status);
        o.insert(QStringLiteral("manifest"), manifest);
        break;
    case ReloadEventKind::Served:
        o.insert(QStringLiteral("endpoint"), endpoint);
        o.insert(QStringLiteral("fingerprint"), stringOrNull(fingerprint));
        if (matchesDisk)
            o.insert(QStringLiteral("matches_disk"), *matchesDisk);
        else
            o.insert(QStringLiteral("matches_disk"), QJsonValue(QJsonValue::Null));
        break;
    case ReloadEventKind::Pending:
    case ReloadEventKind::Invalid:
    case ReloadEventKind::SourceUnavailable:
        o.insert(QStringLiteral("reason"), reason);
        put("status", status);
        put("manifest", manifest);
        put("fingerprint", fingerprint);
        break;
    default:
        put("status", status);
        put("fingerprint", fingerprint);
        put("manifest", manifest);
        put("reason", reason);
        break;
    }
    put("detail", detail);
    put("watch", watch);
    if (notAfter.isValid())
        o.insert(QStringLiteral("not_after"), notAfter.toUTC().toString(Qt::ISODate));
    if (kind == ReloadEventKind::Snapshot || kind == ReloadEventKind::Changed) {
        o.insert(QStringLiteral("files"), QJsonArray::fromStringList(files));
        if (!warnings.isEmpty())
            o.insert(QStringLiteral("warnings"), QJsonArray::fromStringList(warnings));
    }
    if (bundles >= 0)
        o.insert(QStringLiteral("bundles"), bundles);
    if (stats) {
        const QJsonObject s = stats->toJson();
        for (auto it = s.begin(); it != s.end(); ++it)
            o.insert(it.key(), it.value());
    }
    return o;
}

QString ReloadEvent::toTableLine() const
{
    const QDateTime t = (ts.isValid() ? ts : QDateTime::currentDateTimeUtc()).toUTC();
    QString line = t.toString(QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz")) + QLatin1Char(' ') +
                   reloadEventKindName(kind).leftJustified(18) + QLatin1Char(' ') + bundle;
    auto add = [&line](const char *key, const QString &value) {
        if (!value.isEmpty())
            line += QLatin1Char(' ') + QLatin1String(key) + QLatin1Char('=') + value;
    };
    auto shortFp = [](const QString &fp) {
        return fp.isEmpty() ? QStringLiteral("-") : fp.left(16);
    };
    if (kind == ReloadEventKind::Changed)
        line += QStringLiteral(" %1 -> %2").arg(shortFp(oldFingerprint), shortFp(newFingerprint));
    else if (!fingerprint.isEmpty())
        line += QLatin1Char(' ') + shortFp(fingerprint);
    add("status", status);
    add("reason", reason);
    add("endpoint", endpoint);
    if (matchesDisk)
        line +=
            *matchesDisk ? QStringLiteral(" matches_disk=yes") : QStringLiteral(" matches_disk=no");
    add("watch", watch);
    if (notAfter.isValid())
        add("not_after", notAfter.toUTC().toString(Qt::ISODate));
    if (bundles >= 0)
        line += QStringLiteral(" bundles=%1").arg(bundles);
    if (stats) {
        line +=
            QStringLiteral(" fs_events=%1 hash_reads=%2 parses=%3 commits=%4 rescans=%5 polls=%6")
                .arg(stats->fsEvents)
                .arg(stats->hashReads)
                .arg(stats->parses)
                .arg(stats->commits)
                .arg(stats->rescans)
                .arg(stats->polls);
    }
    if (!detail.isEmpty())
        line += QStringLiteral(" (%1)").arg(detail);
    return line;
}

} // namespace opsdeck::tls
