// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>
#include <QStringList>

namespace opsdeck::cli {

// opsdeck check [--profile NAME] [--config FILE] [--only certs,jobs,roles,fleet]
//               [--format nagios|json|prometheus] [--output FILE] [--warn-days N]
//               [--critical-days N] [--timeout MS] [--failed-within S] [--stuck-after S]
//               [--fleet-bundle PATH] [--concurrency N]
// Runs every check the profile configures (core/health HealthChecker) and exits 0/1/2/3 by the
// worst result. --output writes the formatted result atomically (temp file + rename), for
// node_exporter's textfile collector.
int runCheckCommand(const QStringList &args);

QString checkUsageText();

} // namespace opsdeck::cli
