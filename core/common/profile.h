// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "result.h"
#include "secretref.h"

#include <QList>
#include <QMap>
#include <QMetaType>
#include <QString>
#include <QStringList>

namespace opsdeck {

// A Flink JobManager REST endpoint and how to talk to it.
struct RestEndpointConfig
{
    QString url;            // http://host:port or https://host:port, empty when unused
    QString caFile;         // PEM bundle trusted for this endpoint (empty: system store)
    QString clientCertFile; // PEM or PKCS#12
    QString clientKeyFile;
    SecretRef clientKeyPassword;
    SecretRef token;                  // sent as "Authorization: Bearer <token>"
    QMap<QString, SecretRef> headers; // extra headers; values are references too
    QString pinSha256;                // optional server certificate pin (hex)
    bool insecure = false;            // skip verification (shown loudly everywhere)
    int connectTimeoutMs = 5000;
    int readTimeoutMs = 30000;

    bool isSet() const { return !url.isEmpty(); }
    bool operator==(const RestEndpointConfig &) const = default;
};

// A ZooKeeper ensemble: "host:port[,host:port...][/chroot]" plus digest credentials.
struct ZooKeeperConfig
{
    QString connectString;
    SecretRef digestAuth; // resolves to "user:password"
    int sessionTimeoutMs = 15000;

    bool isSet() const { return !connectString.isEmpty(); }
    bool operator==(const ZooKeeperConfig &) const = default;
};

// One watched certificate path (directory or file).
struct BundleConfig
{
    QString path;
    SecretRef storePassword;  // PKCS#12 / JKS password
    QString expectedHostname; // checked against the leaf's SANs when set
    QString probeEndpoint;    // host:port serving this bundle, when set

    bool operator==(const BundleConfig &) const = default;
};

struct Profile
{
    QString name;
    RestEndpointConfig rest;
    ZooKeeperConfig zookeeper;
    QList<BundleConfig> bundles;

    bool operator==(const Profile &) const = default;
};

// Checks a profile on its own. Every problem is one human sentence naming the field.
QStringList validateProfile(const Profile &profile);

// Splits "h1:p1,h2:p2/chroot" into hosts and chroot; an error says what is wrong.
struct ZkConnectString
{
    QStringList hosts; // "host:port"
    QString chroot;    // "" or "/path"
};
Result<ZkConnectString> parseZkConnectString(const QString &text);

// Parses "host:port" (IPv6 as "[::1]:port").
struct HostPort
{
    QString host;
    quint16 port = 0;
};
Result<HostPort> parseHostPort(const QString &text);

} // namespace opsdeck

Q_DECLARE_METATYPE(opsdeck::Profile)
