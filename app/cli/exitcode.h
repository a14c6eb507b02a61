// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>
#include <algorithm>

namespace opsdeck::cli {

// The monitoring-plugin convention (Nagios, Icinga, Sensu): the worst result wins.
enum class ExitCode : int
{
    Ok = 0,
    Warning = 1,
    Critical = 2,
    Unknown = 3
};

inline ExitCode worse(ExitCode a, ExitCode b)
{
    // UNKNOWN ranks above CRITICAL as an exit code only when nothing was critical: a check that
    // found a real problem must not be masked by one that could not run.
    auto rank = [](ExitCode c) {
        switch (c) {
        case ExitCode::Ok:
            return 0;
        case ExitCode::Warning:
            return 1;
        case ExitCode::Unknown:
            return 2;
        case ExitCode::Critical:
            return 3;
        }
        return 3;
    };
    return rank(a) >= rank(b) ? a : b;
}

inline QString exitCodeName(ExitCode code)
{
    switch (code) {
    case ExitCode::Ok:
        return QStringLiteral("OK");
    case ExitCode::Warning:
        return QStringLiteral("WARNING");
    case ExitCode::Critical:
        return QStringLiteral("CRITICAL");
    case ExitCode::Unknown:
        break;
    }
    return QStringLiteral("UNKNOWN");
}

inline int toInt(ExitCode code)
{
    return static_cast<int>(code);
}

} // namespace opsdeck::cli
