// SPDX-License-Identifier: GPL-3.0-or-later
#include "result.h"

namespace opsdeck {

QString errorCodeName(ErrorCode code)
{
    switch (code) {
    case ErrorCode::InvalidArgument:
        return QStringLiteral("invalid_argument");
    case ErrorCode::NotFound:
        return QStringLiteral("not_found");
    case ErrorCode::PermissionDenied:
        return QStringLiteral("permission_denied");
    case ErrorCode::Io:
        return QStringLiteral("io");
    case ErrorCode::Parse:
        return QStringLiteral("parse");
    case ErrorCode::Corrupt:
        return QStringLiteral("corrupt");
    case ErrorCode::Busy:
        return QStringLiteral("busy");
    case ErrorCode::Timeout:
        return QStringLiteral("timeout");
    case ErrorCode::Network:
        return QStringLiteral("network");
    case ErrorCode::Unsupported:
        return QStringLiteral("unsupported");
    case ErrorCode::Internal:
        break;
    }
    return QStringLiteral("internal");
}

QString Error::toString() const
{
    if (where.isEmpty())
        return message;
    return where + QStringLiteral(": ") + message;
}

} // namespace opsdeck
