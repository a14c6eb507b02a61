// SPDX-License-Identifier: GPL-3.0-or-later
#include "secretref.h"

#include <QFile>
#include <QFileInfo>
#include <cstring>

namespace opsdeck {

namespace {
constexpr qint64 MaxSecretFileSize = 64 * 1024;
}

SecretRef SecretRef::parse(const QString &text)
{
    SecretRef ref;
    if (text.isEmpty())
        return ref;
    if (text.startsWith(QLatin1String("env:")) && text.size() > 4) {
        ref.m_kind = Kind::Env;
        ref.m_target = text.mid(4);
    } else if (text.startsWith(QLatin1String("file:")) && text.size() > 5) {
        ref.m_kind = Kind::File;
        ref.m_target = text.mid(5);
    } else {
        ref.m_kind = Kind::Inline;
        ref.m_target = text;
    }
    return ref;
}

SecretRef SecretRef::fromEnv(const QString &variable)
{
    return parse(QStringLiteral("env:") + variable);
}

SecretRef SecretRef::fromFile(const QString &path)
{
    return parse(QStringLiteral("file:") + path);
}

QString SecretRef::storedForm() const
{
    switch (m_kind) {
    case Kind::None:
        return {};
    case Kind::Env:
        return QStringLiteral("env:") + m_target;
    case Kind::File:
        return QStringLiteral("file:") + m_target;
    case Kind::Inline:
        break;
    }
    return m_target;
}

QString SecretRef::displayString() const
{
    if (m_kind == Kind::Inline)
        return QStringLiteral("(inline secret)");
    return storedForm();
}

Result<QByteArray> SecretRef::resolve() const
{
    switch (m_kind) {
    case Kind::None:
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("no secret configured"));
    case Kind::Inline:
        return m_target.toUtf8();
    case Kind::Env: {
        if (!qEnvironmentVariableIsSet(m_target.toLocal8Bit().constData()))
            return makeError(ErrorCode::NotFound,
                             QStringLiteral("environment variable %1 is not set").arg(m_target),
                             displayString());
        return qgetenv(m_target.toLocal8Bit().constData());
    }
    case Kind::File:
        break;
    }
    const QFileInfo info(m_target);
    if (!info.exists())
        return makeError(ErrorCode::NotFound, QStringLiteral("secret file does not exist"),
                         m_target);
    if (!info.isFile())
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("secret path is not a file"),
                         m_target);
    if (info.size() > MaxSecretFileSize)
        return makeError(
            ErrorCode::InvalidArgument,
            QStringLiteral("secret file is larger than %1 bytes").arg(MaxSecretFileSize), m_target);
    QFile file(m_target);
    if (!file.open(QIODevice::ReadOnly))
        return makeError(file.error() == QFileDevice::PermissionsError ? ErrorCode::PermissionDenied
                                                                       : ErrorCode::Io,
                         QStringLiteral("cannot read secret file (%1)").arg(file.errorString()),
                         m_target);
    QByteArray bytes = file.read(MaxSecretFileSize + 1);
    if (bytes.endsWith('\n'))
        bytes.chop(1);
    if (bytes.endsWith('\r'))
        bytes.chop(1);
    return bytes;
}

void wipeBytes(QByteArray &bytes)
{
    if (bytes.isEmpty())
        return;
    if (!bytes.isDetached()) {
        bytes = QByteArray();
        return;
    }
    ::explicit_bzero(bytes.data(), static_cast<size_t>(bytes.size()));
}

} // namespace opsdeck
