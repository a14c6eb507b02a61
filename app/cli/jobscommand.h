// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "exitcode.h"

#include <QStringList>

namespace opsdeck::cli {

// opsdeck jobs [--profile NAME | --endpoint URL [TLS and header options]]
//              (-e STATEMENT | -f FILE | -) [--yes] [--wait SECONDS | --detach]
//              [--format table|json]
// Exit codes: 0 every statement succeeded (or is still in progress after --detach/--wait),
// 2 the cluster refused a statement or an operation failed, 3 nothing was executed (syntax
// error, unreachable, confirmation missing, usage).
int runJobsCommand(const QStringList &args);

QString jobsUsageText();

} // namespace opsdeck::cli
