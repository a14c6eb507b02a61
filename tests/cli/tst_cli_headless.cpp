// SPDX-License-Identifier: GPL-3.0-or-later
#include "certfactory.h"
#include "common/historystore.h"
#include "common/profilestore.h"
#include "opsdeckprocess.h"
#include "testmain.h"
#include "zookeeperserver.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>

using namespace opsdeck;
using namespace opsdeck::test;

namespace {} // namespace

// Runs the real opsdeck binary the way a monitoring system does: no display, no platform plugin
// chosen, private XDG directories, no stdin.
class TestCliHeadless : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_home;
    QString m_binary;

    // opsdeck as a monitoring system runs it, with private XDG directories.
    OpsdeckRun run(const QStringList &args)
    {
        QProcessEnvironment env;
        env.insert(QStringLiteral("HOME"), m_home.path());
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), m_home.filePath(QStringLiteral("config")));
        env.insert(QStringLiteral("XDG_DATA_HOME"), m_home.filePath(QStringLiteral("data")));
        return runOpsdeck(args, env);
    }

    QString writeConfig(const QString &name, const QByteArray &json)
    {
        const QString path = m_home.filePath(name);
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly))
            return {};
        f.write(json);
        f.close();
        QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        return path;
    }

    QString historyPath() const
    {
        return m_home.filePath(QStringLiteral("data/opsdeck/history.sqlite"));
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_home.isValid());
        m_binary = qEnvironmentVariable("OPSDECK_BUILD_DIR") + QStringLiteral("/bin/opsdeck");
        QVERIFY2(QFileInfo(m_binary).isExecutable(), qPrintable(m_binary));
    }

    void version_worksWithoutDisplay()
    {
        const OpsdeckRun r = run({QStringLiteral("--version")});
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.startsWith(QStringLiteral("opsdeck " OPSDECK_VERSION)), qPrintable(r.out));
        QVERIFY(r.err.isEmpty());
    }

    void help_listsCommandsAndExitCodes()
    {
        const OpsdeckRun r = run({QStringLiteral("--help")});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains(QStringLiteral("opsdeck status")));
        QVERIFY(r.out.contains(QStringLiteral("3 UNKNOWN")));
    }

    void subcommandHelp_printsUsageAndExits0_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("expected");
        QTest::newRow("status") << QStringList{QStringLiteral("status"), QStringLiteral("--help")}
                                << QStringLiteral("opsdeck status");
        QTest::newRow("certs scan") << QStringList{QStringLiteral("certs"), QStringLiteral("scan"),
                                                   QStringLiteral("--help")}
                                    << QStringLiteral("opsdeck certs scan");
        QTest::newRow("jobs") << QStringList{QStringLiteral("jobs"), QStringLiteral("--help")}
                              << QStringLiteral("DROP SAVEPOINT");
        QTest::newRow("roles") << QStringList{QStringLiteral("roles"), QStringLiteral("--help")}
                               << QStringLiteral("roles validate SPEC");
        QTest::newRow("roles validate")
            << QStringList{QStringLiteral("roles"), QStringLiteral("validate"),
                           QStringLiteral("--help")}
            << QStringLiteral("roles validate SPEC");
    }
    void subcommandHelp_printsUsageAndExits0()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, expected);
        const OpsdeckRun r = run(args);
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.contains(expected), qPrintable(r.out));
    }

    void unknownCommand_exits3WithUsage()
    {
        const OpsdeckRun r = run({QStringLiteral("nonsense")});
        QCOMPARE(r.exitCode, 3);
        QVERIFY(r.err.contains(QStringLiteral("unknown command 'nonsense'")));
        QVERIFY(r.err.contains(QStringLiteral("Usage:")));
        QVERIFY(r.out.isEmpty());
    }

    void guiWithoutDisplay_saysSoInsteadOfAborting()
    {
        const OpsdeckRun r = run({});
        QCOMPARE(r.exitCode, 3);
        QVERIFY2(r.err.contains(QStringLiteral("no display")), qPrintable(r.err));
    }

    void status_badOptionIsUsageError()
    {
        const OpsdeckRun r =
            run({QStringLiteral("status"), QStringLiteral("--format"), QStringLiteral("xml")});
        QCOMPARE(r.exitCode, 3);
        QVERIFY(r.err.contains(QStringLiteral("--format must be one of table, json")));
        const OpsdeckRun t = run({QStringLiteral("status"), QStringLiteral("--bogus")});
        QCOMPARE(t.exitCode, 3);
        QVERIFY(t.err.contains(QStringLiteral("bogus")));
    }

    void status_withoutProfiles_isUnknownWithHint()
    {
        const OpsdeckRun r = run({QStringLiteral("status")});
        QCOMPARE(r.exitCode, 3);
        QVERIFY(r.err.contains(QStringLiteral("no profiles configured")));
        QVERIFY(r.err.contains(m_home.filePath(QStringLiteral("config/opsdeck/profiles.json"))));
    }

    void status_badJsonNamesFileAndPosition()
    {
        const QString path =
            writeConfig(QStringLiteral("bad.json"), "{\"profiles\": [ {\"name\": }\n]}");
        const OpsdeckRun r = run({QStringLiteral("status"), QStringLiteral("--config"), path});
        QCOMPARE(r.exitCode, 3);
        QVERIFY2(r.err.contains(path + QStringLiteral(": invalid JSON at line 1")),
                 qPrintable(r.err));
    }

    void status_missingConfigFile()
    {
        const QString path = m_home.filePath(QStringLiteral("nope.json"));
        const OpsdeckRun r = run({QStringLiteral("status"), QStringLiteral("--config"), path});
        QCOMPARE(r.exitCode, 3);
        QVERIFY(r.err.contains(path + QStringLiteral(": config file does not exist")));
    }

    void status_unknownProfileListsKnownOnes()
    {
        const QString path =
            writeConfig(QStringLiteral("two.json"),
                        "{\"profiles\":[{\"name\":\"prod\"},{\"name\":\"stage\"}]}");
        const OpsdeckRun r = run({QStringLiteral("status"), QStringLiteral("--config"), path,
                                  QStringLiteral("--profile"), QStringLiteral("qa")});
        QCOMPARE(r.exitCode, 3);
        QVERIFY2(r.err.contains(QStringLiteral("unknown profile 'qa' (known: prod, stage)")),
                 qPrintable(r.err));
    }

    void status_jsonReportsEveryCheck_andBundleVerdicts()
    {
        // Three bundles: valid (OK), expired (CRITICAL), missing (UNKNOWN). A real problem
        // outranks a check that could not run, so the whole status is CRITICAL.
        QTemporaryDir certs;
        const auto chain = test::CertFactory::chain(test::CertSpec::server(), 1);
        QVERIFY(chain.ok());
        const auto expired =
            test::CertFactory::issue(test::CertSpec::server().expired(3), chain->issuerOfLeaf());
        QVERIFY(expired.ok());
        auto writeBundle = [&](const QString &name, const test::CertKey &leaf) {
            const QString dir = certs.filePath(name);
            QDir().mkpath(dir);
            QVERIFY(
                test::CertFactory::writeFile(dir, QStringLiteral("tls.crt"), leaf.chainPem).ok());
            QVERIFY(test::CertFactory::writeFile(dir, QStringLiteral("tls.key"), leaf.keyPem).ok());
            QVERIFY(test::CertFactory::writeFile(dir, QStringLiteral("ca.crt"), chain->root.certPem)
                        .ok());
        };
        writeBundle(QStringLiteral("good"), chain->leaf);
        writeBundle(QStringLiteral("old"), expired.value());
        const QByteArray json =
            QStringLiteral(
                "{\"default\":\"p\",\"profiles\":[{\"name\":\"p\",\"bundles\":["
                "{\"path\":\"%1/good\"},{\"path\":\"%1/old\"},{\"path\":\"%1/missing\"}]}]}")
                .arg(certs.path())
                .toUtf8();
        const QString path = writeConfig(QStringLiteral("bundles.json"), json);
        const OpsdeckRun r = run({QStringLiteral("status"), QStringLiteral("--config"), path,
                                  QStringLiteral("--format"), QStringLiteral("json")});
        QCOMPARE(r.exitCode, 2);
        const QJsonObject obj = QJsonDocument::fromJson(r.out.toUtf8()).object();
        QCOMPARE(obj.value(QStringLiteral("state")).toString(), QStringLiteral("CRITICAL"));
        QCOMPARE(obj.value(QStringLiteral("exit_code")).toInt(), 2);
        QCOMPARE(obj.value(QStringLiteral("profile")).toString(), QStringLiteral("p"));
        const QJsonArray checks = obj.value(QStringLiteral("checks")).toArray();
        QStringList seen;
        for (const QJsonValue &v : checks)
            seen << v.toObject().value(QStringLiteral("check")).toString() + QLatin1Char('=') +
                        v.toObject().value(QStringLiteral("state")).toString();
        QCOMPARE(seen, (QStringList{QStringLiteral("config=OK"), QStringLiteral("history=OK"),
                                    QStringLiteral("bundle=OK"), QStringLiteral("bundle=CRITICAL"),
                                    QStringLiteral("bundle=UNKNOWN")}));
        QVERIFY2(checks.at(3)
                     .toObject()
                     .value(QStringLiteral("detail"))
                     .toString()
                     .startsWith(QStringLiteral("expired")),
                 qPrintable(r.out));
    }

    void status_inlineSecretIsWarning_andNeverPrinted()
    {
        const QString path = writeConfig(QStringLiteral("inline.json"),
                                         "{\"profiles\":[{\"name\":\"p\",\"rest\":{\"url\":\"http:/"
                                         "/127.0.0.1:1\",\"token\":\"canary-token-123\"}}]}");
        QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::WriteOwner |
                                        QFileDevice::ReadOther);
        const OpsdeckRun r = run({QStringLiteral("status"), QStringLiteral("--config"), path,
                                  QStringLiteral("--verbose")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.out.contains(QStringLiteral("inline secret")), qPrintable(r.out));
        QVERIFY(r.out.contains(QStringLiteral("readable by group or others")));
        QVERIFY(!r.out.contains(QStringLiteral("canary-token-123")));
        QVERIFY(!r.err.contains(QStringLiteral("canary-token-123")));
    }

    void status_zooKeeperUpIsOk_downIsCritical()
    {
        ZooKeeperServer zk;
        const auto started = zk.start();
        QVERIFY2(started.ok(), qPrintable(started.ok() ? QString() : started.error().toString()));
        const QString path = writeConfig(
            QStringLiteral("zk.json"),
            QStringLiteral("{\"profiles\":[{\"name\":\"zk\",\"zookeeper\":{\"connect\":\"%1\"}}]}")
                .arg(zk.connectString())
                .toUtf8());
        const QStringList args{
            QStringLiteral("status"),   QStringLiteral("--config"), path,
            QStringLiteral("--format"), QStringLiteral("json"),     QStringLiteral("--timeout"),
            QStringLiteral("3000")};
        const OpsdeckRun up = run(args);
        QCOMPARE(up.exitCode, 0);
        QJsonObject zkCheck;
        for (const QJsonValue &v : QJsonDocument::fromJson(up.out.toUtf8())
                                       .object()
                                       .value(QStringLiteral("checks"))
                                       .toArray()) {
            if (v.toObject().value(QStringLiteral("check")).toString() ==
                QLatin1String("zookeeper"))
                zkCheck = v.toObject();
        }
        QCOMPARE(zkCheck.value(QStringLiteral("state")).toString(), QStringLiteral("OK"));
        QVERIFY2(zkCheck.value(QStringLiteral("detail")).toString().contains(zk.connectString()),
                 qPrintable(up.out));

        zk.stop();
        const OpsdeckRun down = run(args);
        QCOMPARE(down.exitCode, 2);
        QVERIFY2(down.out.contains(QStringLiteral("no ZooKeeper server answered within 3000 ms")),
                 qPrintable(down.out));
    }

    void status_corruptHistoryIsLoudWarning_notACrash()
    {
        QDir().mkpath(QFileInfo(historyPath()).absolutePath());
        {
            QFile f(historyPath());
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(QByteArray(4096, 'Z'));
        }
        const QString path =
            writeConfig(QStringLiteral("ok.json"), "{\"profiles\":[{\"name\":\"p\"}]}");
        const OpsdeckRun r = run({QStringLiteral("status"), QStringLiteral("--config"), path,
                                  QStringLiteral("--verbose")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.out.contains(QStringLiteral("history  WARNING")), qPrintable(r.out));
        QVERIFY(r.out.contains(QStringLiteral("corrupt")));
        QVERIFY2(r.err.contains(historyPath()), qPrintable(r.err)); // --verbose names the file
        QFile::remove(historyPath());
    }
};

OPSDECK_TEST_GUILESS_MAIN(TestCliHeadless)
#include "tst_cli_headless.moc"
