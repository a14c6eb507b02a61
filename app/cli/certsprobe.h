// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "exitcode.h"

#include <QStringList>

namespace opsdeck::cli {

// `opsdeck certs probe HOST:PORT [--servername NAME] [--ca FILE] [--compare PATH] [--timeout MS]
// [--warn-days N] [--format table|json]`: TLS handshake to an endpoint, the served chain,
// verification and (with --compare) whether the served leaf is the bundle's leaf on disk. `args`
// are the arguments after "probe". Needs a QCoreApplication (runs a local event loop until the
// probe finished; bounded by --timeout, default 5000 ms).
// Exit codes (worst wins):
//   0 OK        handshake done, leaf valid for more than --warn-days (default 30), verified when
//               --ca was given, matches disk when --compare was given
//   1 WARNING   the served leaf expires within --warn-days
//   2 CRITICAL  served leaf expired / not yet valid, verification failed against --ca, or
//               matches_disk false ("rotated on disk, not reloaded by the service" when the disk
//               leaf's notBefore is later, else "served certificate differs from disk")
//   3 UNKNOWN   usage error, unreadable --ca or --compare bundle without a leaf, or no handshake
//               (refused, timeout, dns, not_tls, tls_handshake, closed)
ExitCode runCertsProbe(const QStringList &args);

} // namespace opsdeck::cli
