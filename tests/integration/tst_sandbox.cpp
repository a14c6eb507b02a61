// SPDX-License-Identifier: GPL-3.0-or-later
// The built opsdeck-sandbox binary: READY line, a loadable profile, a reachable chroot, a clean
// SIGTERM shutdown, and no ZooKeeper left behind after a SIGKILL.
#include "common/profilestore.h"
#include "opsdeckprocess.h"
#include "roles/zkprobe.h"
#include "testmain.h"
#include "zookeeperserver.h"

#include <QJsonArray>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <memory>

using namespace opsdeck;
using namespace opsdeck::test;

namespace {

struct Sandbox
{
    std::unique_ptr<QProcess> process = std::make_unique<QProcess>();
    QByteArray output;
    QString readyLine;
    QString configPath;
    quint16 port = 0;
    QString tlsEndpoint;
    QString tlsDir;
    QString flinkUrl;

    ~Sandbox()
    {
        if (process->state() != QProcess::NotRunning) {
            process->kill();
            process->waitForFinished(5000);
        }
    }
};

QString sandboxBinary()
{
    return qEnvironmentVariable("OPSDECK_BUILD_DIR") + QStringLiteral("/bin/opsdeck-sandbox");
}

} // namespace

class TestSandbox : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void readyProbeAndTerminate();
    void killTakesZooKeeperAlong();
    void headlessCommandsWorkOnTheSandbox();

private:
    // Starts the sandbox and waits (bounded) for its READY line.
    void launch(Sandbox &sandbox, const QString &dir, const QString &readyFile = {});
};

void TestSandbox::initTestCase()
{
    QVERIFY2(!qEnvironmentVariableIsEmpty("OPSDECK_BUILD_DIR"),
             "OPSDECK_BUILD_DIR is not set (run through ctest)");
    QVERIFY2(QFile::exists(sandboxBinary()), qPrintable(sandboxBinary()));
}

void TestSandbox::launch(Sandbox &sandbox, const QString &dir, const QString &readyFile)
{
    QStringList args = {QStringLiteral("--dir"), dir};
    if (!readyFile.isEmpty())
        args << QStringLiteral("--ready-file") << readyFile;
    QProcess *process = sandbox.process.get();
    process->setProcessChannelMode(QProcess::ForwardedErrorChannel);
    QObject::connect(process, &QProcess::readyReadStandardOutput, process,
                     [&sandbox] { sandbox.output += sandbox.process->readAllStandardOutput(); });
    process->start(sandboxBinary(), args);
    QVERIFY2(process->waitForStarted(10000), qPrintable(process->errorString()));
    QTRY_VERIFY2_WITH_TIMEOUT(sandbox.output.contains('\n') ||
                                  process->state() == QProcess::NotRunning,
                              sandbox.output.constData(), 30000);
    QCOMPARE(process->state(), QProcess::Running);

    sandbox.readyLine = QString::fromUtf8(sandbox.output.left(sandbox.output.indexOf('\n')));
    static const QRegularExpression pattern(QStringLiteral(
        "^SANDBOX READY config=(\\S+) zookeeper=127\\.0\\.0\\.1:(\\d+) "
        "tls=(127\\.0\\.0\\.1:\\d+) tlsdir=(\\S+) flink=(http://127\\.0\\.0\\.1:\\d+)$"));
    const auto match = pattern.match(sandbox.readyLine);
    QVERIFY2(match.hasMatch(), qPrintable(sandbox.readyLine));
    sandbox.configPath = match.captured(1);
    sandbox.port = static_cast<quint16>(match.captured(2).toUInt());
    sandbox.tlsEndpoint = match.captured(3);
    sandbox.tlsDir = match.captured(4);
    sandbox.flinkUrl = match.captured(5);
    QCOMPARE(sandbox.configPath, QDir(dir).filePath(QStringLiteral("profiles.json")));
    QVERIFY(sandbox.port != 0);
}

void TestSandbox::readyProbeAndTerminate()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString readyFile = dir.filePath(QStringLiteral("ready.txt"));
    Sandbox sandbox;
    launch(sandbox, dir.path(), readyFile);
    if (QTest::currentTestFailed())
        return;

    QFile ready(readyFile);
    QVERIFY(ready.open(QIODevice::ReadOnly));
    QCOMPARE(QString::fromUtf8(ready.readAll()).trimmed(), sandbox.readyLine);

    const auto set = ProfileStore::load(sandbox.configPath);
    QVERIFY2(set.ok(), qPrintable(set.ok() ? QString() : set.error().toString()));
    const auto profile = ProfileStore::select(set.value(), {});
    QVERIFY2(profile.ok(), qPrintable(profile.ok() ? QString() : profile.error().toString()));
    QCOMPARE(profile->name, QStringLiteral("demo"));
    QCOMPARE(profile->zookeeper.connectString,
             QStringLiteral("127.0.0.1:%1/solr").arg(sandbox.port));

    const auto probe = probeZooKeeper(profile->zookeeper, 5000);
    QVERIFY2(probe.ok(), qPrintable(probe.ok() ? QString() : probe.error().toString()));
    QCOMPARE(probe->chroot, QStringLiteral("/solr"));
    QVERIFY(probe->chrootExists);

    sandbox.process->terminate(); // SIGTERM
    QVERIFY(sandbox.process->waitForFinished(20000));
    QCOMPARE(sandbox.process->exitStatus(), QProcess::NormalExit);
    QCOMPARE(sandbox.process->exitCode(), 0);
    QVERIFY(!ZooKeeperServer::acceptsConnections(sandbox.port, 500));
}

void TestSandbox::killTakesZooKeeperAlong()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    Sandbox sandbox;
    launch(sandbox, dir.path());
    if (QTest::currentTestFailed())
        return;
    QVERIFY(ZooKeeperServer::answers(sandbox.port));

    sandbox.process->kill(); // SIGKILL: no cleanup code runs in the sandbox
    QVERIFY(sandbox.process->waitForFinished(10000));
    QTRY_VERIFY_WITH_TIMEOUT(!ZooKeeperServer::acceptsConnections(sandbox.port, 200), 10000);
}

// What `./opsdeck.sh run` does without a display, plus the certificate commands a new user tries
// next: every check is green on a fresh sandbox.
void TestSandbox::headlessCommandsWorkOnTheSandbox()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    Sandbox sandbox;
    launch(sandbox, dir.path());
    if (QTest::currentTestFailed())
        return;
    const auto set = ProfileStore::load(sandbox.configPath);
    QVERIFY(set.ok());
    QCOMPARE(set->profiles.first().bundles.size(), 1);
    QCOMPARE(set->profiles.first().bundles.first().path, sandbox.tlsDir);
    QCOMPARE(set->profiles.first().bundles.first().probeEndpoint, sandbox.tlsEndpoint);

    auto run = [](const QStringList &args, QString *out) {
        const OpsdeckRun r = runOpsdeck(args);
        *out = r.out + r.err;
        return r.exitCode;
    };
    QString out;
    QCOMPARE(run({QStringLiteral("status"), QStringLiteral("--config"), sandbox.configPath}, &out),
             0);
    QVERIFY2(out.contains(QStringLiteral("zookeeper  OK")), qPrintable(out));
    QCOMPARE(run({QStringLiteral("certs"), QStringLiteral("scan"), sandbox.tlsDir,
                  QStringLiteral("--hostname"), QStringLiteral("localhost")},
                 &out),
             0);
    QVERIFY2(out.contains(QStringLiteral(": OK - ok")), qPrintable(out));
    QCOMPARE(run({QStringLiteral("certs"), QStringLiteral("probe"), sandbox.tlsEndpoint,
                  QStringLiteral("--compare"), sandbox.tlsDir},
                 &out),
             0);
    QVERIFY2(out.contains(QStringLiteral("matches_disk: true")), qPrintable(out));

    // The demo profile points `opsdeck jobs` at the sandbox's Flink REST simulator.
    QCOMPARE(set->profiles.first().rest.url, sandbox.flinkUrl);
    QProcessEnvironment env;
    env.insert(QStringLiteral("XDG_DATA_HOME"), dir.filePath(QStringLiteral("data")));
    const OpsdeckRun jobs =
        runOpsdeck({QStringLiteral("jobs"), QStringLiteral("--config"), sandbox.configPath,
                    QStringLiteral("-e"), QStringLiteral("SHOW JOBS"), QStringLiteral("--format"),
                    QStringLiteral("json")},
                   env);
    QCOMPARE(jobs.exitCode, 0);
    QVERIFY2(jobs.json().value(QStringLiteral("rows")).toArray().size() >= 3, qPrintable(jobs.out));
}

OPSDECK_TEST_GUILESS_MAIN(TestSandbox)
#include "tst_sandbox.moc"
