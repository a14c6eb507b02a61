// SPDX-License-Identifier: GPL-3.0-or-later
#include "opsdeckprocess.h"

#include <QJsonDocument>
#include <QProcess>
#include <QSignalSpy>

namespace opsdeck::test {

QJsonObject OpsdeckRun::json() const
{
    return QJsonDocument::fromJson(out.toUtf8()).object();
}

QString opsdeckBinary()
{
    return qEnvironmentVariable("OPSDECK_BUILD_DIR") + QStringLiteral("/bin/opsdeck");
}

OpsdeckRun runOpsdeck(const QStringList &args, const QProcessEnvironment &extraEnv, int timeoutMs)
{
    OpsdeckRun run;
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("DISPLAY"));
    env.remove(QStringLiteral("WAYLAND_DISPLAY"));
    env.remove(QStringLiteral("QT_QPA_PLATFORM"));
    env.insert(extraEnv);
    p.setProcessEnvironment(env);
    p.setStandardInputFile(QProcess::nullDevice());
    p.setProgram(opsdeckBinary());
    p.setArguments(args);
    QSignalSpy finished(&p, &QProcess::finished);
    p.start();
    if (!p.waitForStarted(10000)) {
        run.err = p.errorString();
        return run;
    }
    if (!finished.wait(timeoutMs)) {
        p.kill();
        p.waitForFinished(5000);
        run.err = QStringLiteral("timed out after %1 ms").arg(timeoutMs);
        return run;
    }
    run.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2;
    run.out = QString::fromUtf8(p.readAllStandardOutput());
    run.err = QString::fromUtf8(p.readAllStandardError());
    return run;
}

} // namespace opsdeck::test
