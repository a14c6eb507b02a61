// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "exitcode.h"
#include "tls/inspector.h"
#include "tls/tlstypes.h"

#include <QStringList>

namespace opsdeck::cli {

// `opsdeck certs scan|watch|probe ...` (args after "certs").
ExitCode runCertsCommand(const QStringList &args);

// `opsdeck certs scan PATH... [--password REF] [--hostname NAME] [--warn-days N] [--crit-days N]
// [--format table|json]`: inventory and verdicts, exit code by the worst bundle.
ExitCode runCertsScan(const QStringList &args);

// One bundle read and judged, as `certs scan` and `status` report it.
struct ScannedBundle
{
    QString path;
    QList<tls::FileInspection> files;
    tls::BundleEvaluation evaluation;
    ExitCode state = ExitCode::Ok;
};
ScannedBundle scanBundle(const QString &path, const tls::InspectOptions &inspectOptions,
                         const tls::EvaluateOptions &evaluateOptions, int critDays);

// The scan's exit code for one bundle: expiring within warn days = WARNING; expired, invalid,
// mismatched, untrusted or within crit days = CRITICAL; unreadable or missing = UNKNOWN.
ExitCode scanExitCode(const tls::BundleEvaluation &evaluation, int warnDays, int critDays);

} // namespace opsdeck::cli
