// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "exitcode.h"

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

namespace opsdeck {
class ActivityLog;
struct Profile;
} // namespace opsdeck

namespace opsdeck::cli {

// One line of `opsdeck status`.
struct CheckResult
{
    QString check;   // "config", "history", "zookeeper", "bundle", "rest"
    QString subject; // what was checked: a file, a connect string, a URL
    ExitCode state = ExitCode::Ok;
    QString detail;
};

struct StatusReport
{
    QString profile;
    QString configPath;
    QList<CheckResult> checks;

    ExitCode overall() const;
    QJsonObject toJson() const;
};

struct StatusOptions
{
    QString configPath;
    QString profileName;
    int timeoutMs = 5000;
};

// Gathers the report. Profile problems (bad JSON, unknown profile) are returned as a report with a
// single UNKNOWN "config" check whose detail names the file and the problem.
StatusReport collectStatus(const StatusOptions &options, ActivityLog &log);

// `opsdeck status [--profile NAME] [--config FILE] [--format table|json] [--timeout MS]
// [--verbose]`: prints the report, returns the worst state.
ExitCode runStatusCommand(const QStringList &args);

} // namespace opsdeck::cli
