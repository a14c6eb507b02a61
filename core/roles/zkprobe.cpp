// SPDX-License-Identifier: GPL-3.0-or-later
#include "zkprobe.h"

namespace opsdeck {

Result<ZkProbeResult> probeZooKeeper(const ZooKeeperConfig &config, int timeoutMs)
{
    Q_UNUSED(timeoutMs)
    return makeError(ErrorCode::Unsupported, QStringLiteral("not implemented yet"),
                     config.connectString);
}

} // namespace opsdeck
