// SPDX-License-Identifier: GPL-3.0-or-later
#include "profile.h"

#include <QRegularExpression>
#include <QSet>
#include <QUrl>

namespace opsdeck {

Result<HostPort> parseHostPort(const QString &text)
{
    const QString trimmed = text.trimmed();
    QString host;
    QString portText;
    if (trimmed.startsWith(QLatin1Char('['))) {
        const auto close = trimmed.indexOf(QLatin1Char(']'));
        if (close < 0 || close + 1 >= trimmed.size() || trimmed.at(close + 1) != QLatin1Char(':'))
            return makeError(ErrorCode::InvalidArgument,
                             QStringLiteral("expected [ipv6]:port, got '%1'").arg(trimmed));
        host = trimmed.mid(1, close - 1);
        portText = trimmed.mid(close + 2);
    } else {
        const auto colon = trimmed.lastIndexOf(QLatin1Char(':'));
        if (colon <= 0)
            return makeError(ErrorCode::InvalidArgument,
                             QStringLiteral("expected host:port, got '%1'").arg(trimmed));
        host = trimmed.left(colon);
        portText = trimmed.mid(colon + 1);
        if (host.contains(QLatin1Char(':')))
            return makeError(
                ErrorCode::InvalidArgument,
                QStringLiteral("IPv6 addresses need brackets: [%1]:%2").arg(host, portText));
    }
    bool ok = false;
    const uint port = portText.toUInt(&ok);
    if (!ok || port == 0 || port > 65535)
        return makeError(ErrorCode::InvalidArgument,
                         QStringLiteral("port '%1' is not a number from 1 to 65535").arg(portText));
    if (host.isEmpty())
        return makeError(ErrorCode::InvalidArgument,
                         QStringLiteral("empty host in '%1'").arg(trimmed));
    return HostPort{host, static_cast<quint16>(port)};
}

Result<ZkConnectString> parseZkConnectString(const QString &text)
{
    const QString trimmed = text.trimmed();
    if (trimmed.isEmpty())
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("connect string is empty"));
    ZkConnectString result;
    QString hostsPart = trimmed;
    // The chroot starts at the first '/' (hosts never contain one).
    const auto slash = trimmed.indexOf(QLatin1Char('/'));
    if (slash >= 0) {
        hostsPart = trimmed.left(slash);
        result.chroot = trimmed.mid(slash);
        if (result.chroot.size() > 1 && result.chroot.endsWith(QLatin1Char('/')))
            return makeError(
                ErrorCode::InvalidArgument,
                QStringLiteral("chroot '%1' must not end with '/'").arg(result.chroot));
        if (result.chroot.contains(QLatin1String("//")))
            return makeError(
                ErrorCode::InvalidArgument,
                QStringLiteral("chroot '%1' has an empty path element").arg(result.chroot));
        if (result.chroot == QLatin1String("/"))
            result.chroot.clear();
    }
    const QStringList hosts = hostsPart.split(QLatin1Char(','));
    for (const QString &entry : hosts) {
        const auto hp = parseHostPort(entry);
        if (!hp)
            return makeError(ErrorCode::InvalidArgument,
                             QStringLiteral("server '%1': %2").arg(entry, hp.error().message));
        result.hosts.append(entry.trimmed());
    }
    return result;
}

QStringList validateProfile(const Profile &profile)
{
    QStringList problems;
    if (profile.name.trimmed().isEmpty())
        problems << QStringLiteral("name: a profile needs a name");
    else if (profile.name != profile.name.trimmed())
        problems << QStringLiteral("name: no leading or trailing spaces");

    if (profile.rest.isSet()) {
        const QUrl url(profile.rest.url, QUrl::StrictMode);
        if (!url.isValid() || url.host().isEmpty())
            problems << QStringLiteral("rest.url: '%1' is not a valid URL").arg(profile.rest.url);
        else if (url.scheme() != QLatin1String("http") && url.scheme() != QLatin1String("https"))
            problems << QStringLiteral("rest.url: scheme must be http or https, not '%1'")
                            .arg(url.scheme());
        if (!profile.rest.pinSha256.isEmpty()) {
            QString pin = profile.rest.pinSha256;
            pin.remove(QLatin1Char(':'));
            static const QRegularExpression hex(QStringLiteral("^[0-9a-fA-F]{64}$"));
            if (!hex.match(pin).hasMatch())
                problems << QStringLiteral("rest.pinSha256: expected 64 hex digits (SHA-256)");
        }
        if (profile.rest.connectTimeoutMs <= 0 || profile.rest.readTimeoutMs <= 0)
            problems << QStringLiteral("rest: timeouts must be positive");
    }
    if (profile.zookeeper.isSet()) {
        const auto zk = parseZkConnectString(profile.zookeeper.connectString);
        if (!zk)
            problems << QStringLiteral("zookeeper.connect: %1").arg(zk.error().message);
        if (profile.zookeeper.sessionTimeoutMs < 1000)
            problems << QStringLiteral("zookeeper.sessionTimeoutMs: at least 1000 ms");
    }
    QSet<QString> paths;
    for (qsizetype i = 0; i < profile.bundles.size(); ++i) {
        const BundleConfig &bundle = profile.bundles.at(i);
        const QString field = QStringLiteral("bundles[%1]").arg(i);
        if (bundle.path.trimmed().isEmpty())
            problems << field + QStringLiteral(".path: a bundle needs a path");
        else if (paths.contains(bundle.path))
            problems << field + QStringLiteral(".path: '%1' is listed twice").arg(bundle.path);
        paths.insert(bundle.path);
        if (!bundle.probeEndpoint.isEmpty()) {
            const auto hp = parseHostPort(bundle.probeEndpoint);
            if (!hp)
                problems << field + QStringLiteral(".probe: ") + hp.error().message;
        }
    }
    return problems;
}

} // namespace opsdeck
