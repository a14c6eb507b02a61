// SPDX-License-Identifier: GPL-3.0-or-later
#include "profilestore.h"

#include "logging.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>
#include <QSet>
#include <QStandardPaths>

namespace opsdeck {

namespace {

constexpr qint64 MaxConfigSize = 4 * 1024 * 1024;

// "line L, column C" of a byte offset, for JSON parse errors.
QString positionOf(const QByteArray &json, qsizetype offset)
{
    int line = 1;
    int column = 1;
    for (qsizetype i = 0; i < offset && i < json.size(); ++i) {
        if (json.at(i) == '\n') {
            ++line;
            column = 1;
        } else {
            ++column;
        }
    }
    return QStringLiteral("line %1, column %2").arg(line).arg(column);
}

// Reads the JSON into a profile, collecting type problems as "field: problem".
class Reader
{
public:
    QStringList problems;
    QStringList inlineSecrets;

    QString string(const QJsonObject &obj, const QString &key, const QString &field)
    {
        const QJsonValue v = obj.value(key);
        if (v.isUndefined() || v.isNull())
            return {};
        if (!v.isString()) {
            problems << QStringLiteral("%1.%2: expected a string").arg(field, key);
            return {};
        }
        return v.toString();
    }

    int integer(const QJsonObject &obj, const QString &key, const QString &field, int fallback)
    {
        const QJsonValue v = obj.value(key);
        if (v.isUndefined() || v.isNull())
            return fallback;
        if (!v.isDouble() || v.toDouble() != static_cast<double>(v.toInt())) {
            problems << QStringLiteral("%1.%2: expected a whole number").arg(field, key);
            return fallback;
        }
        return v.toInt();
    }

    bool boolean(const QJsonObject &obj, const QString &key, const QString &field)
    {
        const QJsonValue v = obj.value(key);
        if (v.isUndefined() || v.isNull())
            return false;
        if (!v.isBool()) {
            problems << QStringLiteral("%1.%2: expected true or false").arg(field, key);
            return false;
        }
        return v.toBool();
    }

    SecretRef secret(const QJsonObject &obj, const QString &key, const QString &field)
    {
        const SecretRef ref = SecretRef::parse(string(obj, key, field));
        if (ref.isInline())
            inlineSecrets << QStringLiteral("%1.%2").arg(field, key);
        return ref;
    }

    QJsonObject object(const QJsonObject &obj, const QString &key, const QString &field)
    {
        const QJsonValue v = obj.value(key);
        if (v.isUndefined() || v.isNull())
            return {};
        if (!v.isObject()) {
            problems << QStringLiteral("%1.%2: expected an object").arg(field, key);
            return {};
        }
        return v.toObject();
    }

    Profile profile(const QJsonObject &obj, const QString &field)
    {
        Profile p;
        p.name = string(obj, QStringLiteral("name"), field);

        const QString restField = field + QStringLiteral(".rest");
        const QJsonObject rest = object(obj, QStringLiteral("rest"), field);
        p.rest.url = string(rest, QStringLiteral("url"), restField);
        p.rest.caFile = string(rest, QStringLiteral("caFile"), restField);
        p.rest.clientCertFile = string(rest, QStringLiteral("clientCert"), restField);
        p.rest.clientKeyFile = string(rest, QStringLiteral("clientKey"), restField);
        p.rest.clientKeyPassword = secret(rest, QStringLiteral("clientKeyPassword"), restField);
        p.rest.token = secret(rest, QStringLiteral("token"), restField);
        p.rest.pinSha256 = string(rest, QStringLiteral("pinSha256"), restField);
        p.rest.insecure = boolean(rest, QStringLiteral("insecure"), restField);
        p.rest.connectTimeoutMs =
            integer(rest, QStringLiteral("connectTimeoutMs"), restField, p.rest.connectTimeoutMs);
        p.rest.readTimeoutMs =
            integer(rest, QStringLiteral("readTimeoutMs"), restField, p.rest.readTimeoutMs);
        const QJsonObject headers = object(rest, QStringLiteral("headers"), restField);
        for (auto it = headers.begin(); it != headers.end(); ++it)
            p.rest.headers.insert(
                it.key(), secret(headers, it.key(), restField + QStringLiteral(".headers")));

        const QString zkField = field + QStringLiteral(".zookeeper");
        const QJsonObject zk = object(obj, QStringLiteral("zookeeper"), field);
        p.zookeeper.connectString = string(zk, QStringLiteral("connect"), zkField);
        p.zookeeper.digestAuth = secret(zk, QStringLiteral("auth"), zkField);
        p.zookeeper.sessionTimeoutMs =
            integer(zk, QStringLiteral("sessionTimeoutMs"), zkField, p.zookeeper.sessionTimeoutMs);

        const QJsonValue bundles = obj.value(QStringLiteral("bundles"));
        if (!bundles.isUndefined() && !bundles.isNull() && !bundles.isArray())
            problems << field + QStringLiteral(".bundles: expected an array");
        const QJsonArray list = bundles.toArray();
        for (qsizetype i = 0; i < list.size(); ++i) {
            const QString bField = field + QStringLiteral(".bundles[%1]").arg(i);
            if (!list.at(i).isObject()) {
                problems << bField + QStringLiteral(": expected an object");
                continue;
            }
            const QJsonObject b = list.at(i).toObject();
            BundleConfig bundle;
            bundle.path = string(b, QStringLiteral("path"), bField);
            bundle.storePassword = secret(b, QStringLiteral("password"), bField);
            bundle.expectedHostname = string(b, QStringLiteral("hostname"), bField);
            bundle.probeEndpoint = string(b, QStringLiteral("probe"), bField);
            p.bundles.append(bundle);
        }
        return p;
    }
};

void putString(QJsonObject &obj, const QString &key, const QString &value)
{
    if (!value.isEmpty())
        obj.insert(key, value);
}

} // namespace

const Profile *ProfileSet::find(const QString &name) const
{
    for (const Profile &p : profiles) {
        if (p.name == name)
            return &p;
    }
    return nullptr;
}

QString ProfileStore::defaultConfigPath()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppConfigLocation) +
           QStringLiteral("/profiles.json");
}

Result<ProfileSet> ProfileStore::load(const QString &path)
{
    const QFileInfo info(path);
    if (!info.exists())
        return makeError(ErrorCode::NotFound, QStringLiteral("config file does not exist"), path);
    if (!info.isFile())
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("not a regular file"), path);
    if (info.size() > MaxConfigSize)
        return makeError(
            ErrorCode::InvalidArgument,
            QStringLiteral("config file is larger than %1 MiB").arg(MaxConfigSize / (1024 * 1024)),
            path);
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return makeError(file.error() == QFileDevice::PermissionsError ? ErrorCode::PermissionDenied
                                                                       : ErrorCode::Io,
                         QStringLiteral("cannot read config file (%1)").arg(file.errorString()),
                         path);
    auto set = fromJson(file.readAll(), path);
    if (!set)
        return set;
    ProfileSet result = std::move(set).value();
    // Inline secrets in a file others can read are a real exposure: say so loudly.
    const bool othersCanRead =
        info.permissions() & (QFileDevice::ReadGroup | QFileDevice::ReadOther);
    if (othersCanRead) {
        QStringList inlineWarnings;
        for (const QString &w : std::as_const(result.warnings)) {
            if (w.contains(QLatin1String("inline secret")))
                inlineWarnings << w;
        }
        if (!inlineWarnings.isEmpty())
            result.warnings << QStringLiteral(
                                   "%1 holds inline secrets and is readable by group or others; "
                                   "run chmod 600 on it and use env: or file: references")
                                   .arg(path);
    }
    return result;
}

Result<ProfileSet> ProfileStore::loadConfig(const QString &explicitPath)
{
    if (!explicitPath.isEmpty())
        return load(explicitPath);
    const QString path = defaultConfigPath();
    if (!QFileInfo::exists(path)) {
        ProfileSet empty;
        empty.path = path;
        return empty;
    }
    return load(path);
}

Result<ProfileSet> ProfileStore::fromJson(const QByteArray &json, const QString &path)
{
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return makeError(ErrorCode::Parse,
                         QStringLiteral("invalid JSON at %1: %2")
                             .arg(positionOf(json, parseError.offset), parseError.errorString()),
                         path);
    if (!doc.isObject())
        return makeError(ErrorCode::Parse,
                         QStringLiteral("expected a JSON object with a \"profiles\" array"), path);
    const QJsonObject root = doc.object();
    const int version = root.value(QStringLiteral("version")).toInt(FormatVersion);
    if (version > FormatVersion)
        return makeError(ErrorCode::Unsupported,
                         QStringLiteral("format version %1 is newer than this opsdeck understands "
                                        "(%2)")
                             .arg(version)
                             .arg(FormatVersion),
                         path);
    const QJsonValue profilesValue = root.value(QStringLiteral("profiles"));
    if (!profilesValue.isArray())
        return makeError(ErrorCode::Parse, QStringLiteral("\"profiles\" must be an array"), path);

    ProfileSet set;
    set.path = path;
    Reader reader;
    const QJsonArray profiles = profilesValue.toArray();
    QSet<QString> names;
    for (qsizetype i = 0; i < profiles.size(); ++i) {
        const QString field = QStringLiteral("profiles[%1]").arg(i);
        if (!profiles.at(i).isObject()) {
            reader.problems << field + QStringLiteral(": expected an object");
            continue;
        }
        Profile p = reader.profile(profiles.at(i).toObject(), field);
        for (const QString &problem : validateProfile(p))
            reader.problems << QStringLiteral("%1 (%2).%3")
                                   .arg(field, p.name.isEmpty() ? QStringLiteral("?") : p.name,
                                        problem);
        if (!p.name.isEmpty() && names.contains(p.name))
            reader.problems << QStringLiteral("%1: duplicate profile name '%2'").arg(field, p.name);
        names.insert(p.name);
        set.profiles.append(p);
    }
    if (!reader.problems.isEmpty())
        return makeError(ErrorCode::Parse, reader.problems.join(QStringLiteral("; ")), path);

    set.defaultProfile = root.value(QStringLiteral("default")).toString();
    if (!set.defaultProfile.isEmpty() && !names.contains(set.defaultProfile))
        return makeError(
            ErrorCode::Parse,
            QStringLiteral("default profile '%1' is not defined").arg(set.defaultProfile), path);
    for (const QString &field : std::as_const(reader.inlineSecrets))
        set.warnings << QStringLiteral("%1: %2 is an inline secret; use an env: or file: reference")
                            .arg(path, field);
    return set;
}

QByteArray ProfileStore::toJson(const ProfileSet &set)
{
    QJsonArray profiles;
    for (const Profile &p : set.profiles) {
        QJsonObject obj;
        obj.insert(QStringLiteral("name"), p.name);
        if (p.rest.isSet()) {
            QJsonObject rest;
            rest.insert(QStringLiteral("url"), p.rest.url);
            putString(rest, QStringLiteral("caFile"), p.rest.caFile);
            putString(rest, QStringLiteral("clientCert"), p.rest.clientCertFile);
            putString(rest, QStringLiteral("clientKey"), p.rest.clientKeyFile);
            putString(rest, QStringLiteral("clientKeyPassword"),
                      p.rest.clientKeyPassword.storedForm());
            putString(rest, QStringLiteral("token"), p.rest.token.storedForm());
            putString(rest, QStringLiteral("pinSha256"), p.rest.pinSha256);
            if (p.rest.insecure)
                rest.insert(QStringLiteral("insecure"), true);
            rest.insert(QStringLiteral("connectTimeoutMs"), p.rest.connectTimeoutMs);
            rest.insert(QStringLiteral("readTimeoutMs"), p.rest.readTimeoutMs);
            if (!p.rest.headers.isEmpty()) {
                QJsonObject headers;
                for (auto it = p.rest.headers.begin(); it != p.rest.headers.end(); ++it)
                    headers.insert(it.key(), it.value().storedForm());
                rest.insert(QStringLiteral("headers"), headers);
            }
            obj.insert(QStringLiteral("rest"), rest);
        }
        if (p.zookeeper.isSet()) {
            QJsonObject zk;
            zk.insert(QStringLiteral("connect"), p.zookeeper.connectString);
            putString(zk, QStringLiteral("auth"), p.zookeeper.digestAuth.storedForm());
            zk.insert(QStringLiteral("sessionTimeoutMs"), p.zookeeper.sessionTimeoutMs);
            obj.insert(QStringLiteral("zookeeper"), zk);
        }
        if (!p.bundles.isEmpty()) {
            QJsonArray bundles;
            for (const BundleConfig &b : p.bundles) {
                QJsonObject bo;
                bo.insert(QStringLiteral("path"), b.path);
                putString(bo, QStringLiteral("password"), b.storePassword.storedForm());
                putString(bo, QStringLiteral("hostname"), b.expectedHostname);
                putString(bo, QStringLiteral("probe"), b.probeEndpoint);
                bundles.append(bo);
            }
            obj.insert(QStringLiteral("bundles"), bundles);
        }
        profiles.append(obj);
    }
    QJsonObject root;
    root.insert(QStringLiteral("version"), FormatVersion);
    if (!set.defaultProfile.isEmpty())
        root.insert(QStringLiteral("default"), set.defaultProfile);
    root.insert(QStringLiteral("profiles"), profiles);
    return QJsonDocument(root).toJson(QJsonDocument::Indented);
}

Result<void> ProfileStore::save(const ProfileSet &set, const QString &path)
{
    QSet<QString> names;
    for (const Profile &p : set.profiles) {
        const QStringList problems = validateProfile(p);
        if (!problems.isEmpty())
            return makeError(ErrorCode::InvalidArgument,
                             QStringLiteral("profile '%1': %2").arg(p.name, problems.first()),
                             path);
        if (names.contains(p.name))
            return makeError(ErrorCode::InvalidArgument,
                             QStringLiteral("duplicate profile name '%1'").arg(p.name), path);
        names.insert(p.name);
        QStringList inlineFields;
        if (p.rest.token.isInline())
            inlineFields << QStringLiteral("rest.token");
        if (p.rest.clientKeyPassword.isInline())
            inlineFields << QStringLiteral("rest.clientKeyPassword");
        for (auto it = p.rest.headers.begin(); it != p.rest.headers.end(); ++it) {
            if (it.value().isInline())
                inlineFields << QStringLiteral("rest.headers.") + it.key();
        }
        if (p.zookeeper.digestAuth.isInline())
            inlineFields << QStringLiteral("zookeeper.auth");
        for (const BundleConfig &b : p.bundles) {
            if (b.storePassword.isInline())
                inlineFields << QStringLiteral("bundles[%1].password").arg(b.path);
        }
        if (!inlineFields.isEmpty())
            return makeError(ErrorCode::InvalidArgument,
                             QStringLiteral("profile '%1': %2 holds an inline secret; opsdeck only "
                                            "stores env: or file: references")
                                 .arg(p.name, inlineFields.join(QStringLiteral(", "))),
                             path);
    }
    if (!set.defaultProfile.isEmpty() && !names.contains(set.defaultProfile))
        return makeError(
            ErrorCode::InvalidArgument,
            QStringLiteral("default profile '%1' is not defined").arg(set.defaultProfile), path);

    if (!QDir().mkpath(QFileInfo(path).absolutePath()))
        return makeError(ErrorCode::Io, QStringLiteral("cannot create the config directory"), path);
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return makeError(ErrorCode::Io,
                         QStringLiteral("cannot write config file (%1)").arg(file.errorString()),
                         path);
    file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    file.write(toJson(set));
    if (!file.commit())
        return makeError(ErrorCode::Io,
                         QStringLiteral("cannot write config file (%1)").arg(file.errorString()),
                         path);
    qCDebug(lcProfiles) << "saved" << set.profiles.size() << "profiles to" << path;
    return {};
}

Result<Profile> ProfileStore::select(const ProfileSet &set, const QString &name)
{
    const QString wanted = name.isEmpty() ? set.defaultProfile : name;
    if (wanted.isEmpty()) {
        if (set.profiles.size() == 1)
            return set.profiles.first();
        if (set.profiles.isEmpty())
            return makeError(ErrorCode::NotFound, QStringLiteral("no profiles are defined"),
                             set.path);
        return makeError(ErrorCode::InvalidArgument,
                         QStringLiteral("several profiles and no default; choose one with "
                                        "--profile NAME"),
                         set.path);
    }
    if (const Profile *p = set.find(wanted))
        return *p;
    QStringList known;
    for (const Profile &p : set.profiles)
        known << p.name;
    return makeError(ErrorCode::NotFound,
                     QStringLiteral("unknown profile '%1' (known: %2)")
                         .arg(wanted, known.isEmpty() ? QStringLiteral("none")
                                                      : known.join(QStringLiteral(", "))),
                     set.path);
}

} // namespace opsdeck
