// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "exitcode.h"

#include <QStringList>

namespace opsdeck::cli {

// `opsdeck certs watch PATH... [--quiet-period MS] [--poll-interval S] [--consistency-window S]
// [--password REF] [--hostname NAME] [--probe HOST:PORT] [--format jsonl|table] [--force-poll]
// [--max-watches N]`: watches certificate bundles and prints one line per reload event until
// SIGINT/SIGTERM. `args` are the arguments after "watch". Needs a QCoreApplication.
// Returns Ok after a clean signal stop, Unknown (3) for usage errors.
ExitCode runCertsWatch(const QStringList &args);

} // namespace opsdeck::cli
