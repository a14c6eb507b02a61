// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QJsonObject>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

namespace opsdeck::test {

// One finished run of the built opsdeck binary.
struct OpsdeckRun
{
    int exitCode = -1; // -1: did not finish in time (or did not start), -2: crashed
    QString out;
    QString err;

    QJsonObject json() const; // stdout as one JSON object
};

// $OPSDECK_BUILD_DIR/bin/opsdeck (set by ctest for every test).
QString opsdeckBinary();

// Runs opsdeck the way a script or monitoring system does: no display and no Qt platform chosen,
// stdin closed, `extraEnv` added on top of the test's environment. Waits with the event loop
// running (servers living in the test process keep answering), bounded by timeoutMs.
OpsdeckRun runOpsdeck(const QStringList &args, const QProcessEnvironment &extraEnv = {},
                      int timeoutMs = 30000);

} // namespace opsdeck::test
