// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QStringList>

namespace opsdeck::cli {

// opsdeck roles [--profile NAME | --zk CONNECT [--auth REF]] [--format table|json|jsonl]
//               [--watch [--max-events N]] [--timeout MS]
// opsdeck roles validate SPEC
// Exit codes: 0 no findings, 1 warnings, 2 critical, 3 cannot connect / no Solr cluster there.
// `validate`: 0 valid, 2 Solr would refuse to start with it, 3 usage.
int runRolesCommand(const QStringList &args);

} // namespace opsdeck::cli
