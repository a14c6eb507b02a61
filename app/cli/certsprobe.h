// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "exitcode.h"

#include <QStringList>

namespace opsdeck::cli {

// `opsdeck certs probe HOST:PORT [--servername NAME] [--ca FILE] [--compare PATH] [--timeout MS]
// [--format table|json]`: TLS handshake to an endpoint, the served chain, verification and (with
// --compare) whether the served leaf is the bundle's leaf on disk. `args` are the arguments after
// "probe". Needs a QCoreApplication (runs a local event loop until the probe finished).
ExitCode runCertsProbe(const QStringList &args);

} // namespace opsdeck::cli
