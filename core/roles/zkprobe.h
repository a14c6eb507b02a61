// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/profile.h"
#include "common/result.h"

#include <QString>

namespace opsdeck {

// What one short ZooKeeper session saw: proof that the ensemble answers with these credentials.
struct ZkProbeResult
{
    QString connectString;  // as configured (credentials never part of it)
    QString server;         // "host:port" the session connected to
    qint64 sessionId = 0;
    QString chroot;         // "" or "/path"
    bool chrootExists = false;
    int rootChildren = 0;   // children of the chroot (or "/")
    qint64 latencyMs = 0;   // from init to the first answer
};

// Opens a session, authenticates (digest) when configured, checks the chroot and closes again.
// Blocking, bounded by timeoutMs: call it on a worker thread, never the GUI thread.
// Errors say which server list, and whether it was a timeout, refused auth or a missing chroot.
Result<ZkProbeResult> probeZooKeeper(const ZooKeeperConfig &config, int timeoutMs);

} // namespace opsdeck
