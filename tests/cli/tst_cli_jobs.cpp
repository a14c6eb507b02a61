// SPDX-License-Identifier: GPL-3.0-or-later
// `opsdeck jobs` as scripts run it: the real binary, no display, against the Flink REST
// simulator on loopback. Exit codes 0/2/3, one JSON object per statement, confirmation with
// --yes, the audit file and the savepoint ledger across runs, and no secret in any output.
#include "certfactory.h"
#include "common/historystore.h"
#include "flinksim.h"
#include "opsdeckprocess.h"
#include "testmain.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>

using namespace opsdeck;
using namespace opsdeck::test;

class TestCliJobs : public QObject
{
    Q_OBJECT
private:
    std::unique_ptr<QTemporaryDir> m_home;
    std::unique_ptr<FlinkSimulator> m_sim;
    QString m_running;
    QString m_finished;

    OpsdeckRun run(QStringList args, const QProcessEnvironment &more = {})
    {
        QProcessEnvironment env = more;
        env.insert(QStringLiteral("HOME"), m_home->path());
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), m_home->filePath(QStringLiteral("config")));
        env.insert(QStringLiteral("XDG_DATA_HOME"), m_home->filePath(QStringLiteral("data")));
        args.prepend(QStringLiteral("jobs"));
        return runOpsdeck(args, env, 60000);
    }
    QStringList endpoint() const
    {
        return {QStringLiteral("--endpoint"), m_sim->baseUrl().toString()};
    }
    QList<QJsonObject> jsonLines(const QString &text) const
    {
        QList<QJsonObject> out;
        for (const QString &line : text.split(QLatin1Char('\n'), Qt::SkipEmptyParts))
            out << QJsonDocument::fromJson(line.toUtf8()).object();
        return out;
    }
    QList<QJsonObject> auditLines() const
    {
        QFile f(m_home->filePath(QStringLiteral("data/opsdeck/audit.jsonl")));
        if (!f.open(QIODevice::ReadOnly))
            return {};
        return jsonLines(QString::fromUtf8(f.readAll()));
    }

private slots:
    void init()
    {
        m_home = std::make_unique<QTemporaryDir>();
        FlinkSimOptions options;
        options.jobCount = 0;
        options.asyncLatencyMs = 100;
        options.clusterSavepointDir = m_home->filePath(QStringLiteral("savepoints"));
        m_sim = std::make_unique<FlinkSimulator>(options);
        QVERIFY(m_sim->listen());
        m_running = m_sim->addJob(QStringLiteral("clickstream"));
        m_finished = m_sim->addJob(QStringLiteral("backfill"), QStringLiteral("FINISHED"));
    }
    void cleanup()
    {
        m_sim.reset();
        m_home.reset();
    }

    void showJobsAsJson()
    {
        const auto r = run(endpoint() << QStringLiteral("-e") << QStringLiteral("show jobs")
                                      << QStringLiteral("--format") << QStringLiteral("json"));
        QCOMPARE(r.exitCode, 0);
        const auto lines = jsonLines(r.out);
        QCOMPARE(lines.size(), 1);
        const QJsonObject o = lines.first();
        QCOMPARE(o.value(QLatin1String("statement")).toString(), QStringLiteral("SHOW JOBS"));
        QCOMPARE(o.value(QLatin1String("status")).toString(), QStringLiteral("ok"));
        QCOMPARE(o.value(QLatin1String("columns")).toArray().first().toString(),
                 QStringLiteral("job id"));
        QCOMPARE(o.value(QLatin1String("rows")).toArray().size(), 2);
        QVERIFY(o.value(QLatin1String("error")).isNull());
        QVERIFY(o.value(QLatin1String("trigger_id")).isNull());
    }

    void tableOutputHasHeaderAndRows()
    {
        const auto r = run(endpoint() << QStringLiteral("-e") << QStringLiteral("SHOW JOBS"));
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.contains(QLatin1String("JOB ID")), qPrintable(r.out));
        QVERIFY(r.out.contains(m_running));
        QVERIFY(r.out.contains(QLatin1String("(2 rows)")));
    }

    void syntaxErrorIsExit3WithPosition()
    {
        const auto r = run(endpoint() << QStringLiteral("-e") << QStringLiteral("SHOW JOBZ")
                                      << QStringLiteral("--format") << QStringLiteral("json"));
        QCOMPARE(r.exitCode, 3);
        QVERIFY2(r.err.contains(QLatin1String("line 1, column 6")), qPrintable(r.err));
        QVERIFY(r.err.contains(QLatin1String("^^^^")));
        QCOMPARE(jsonLines(r.out).first().value(QLatin1String("status")).toString(),
                 QStringLiteral("not_executed"));
        QCOMPARE(m_sim->requestCount("GET"), 0);
    }

    void stopWithoutYesChangesNothing()
    {
        const auto r =
            run(endpoint() << QStringLiteral("-e") << QStringLiteral("STOP JOB %1").arg(m_running));
        QCOMPARE(r.exitCode, 3);
        QVERIFY2(r.err.contains(QLatin1String("--yes")), qPrintable(r.err));
        QCOMPARE(m_sim->requestCount("PATCH"), 0);
        QCOMPARE(m_sim->jobState(m_running), QStringLiteral("RUNNING"));
        const auto audit = auditLines();
        QCOMPARE(audit.size(), 1);
        QVERIFY(audit.first()
                    .value(QLatin1String("outcome"))
                    .toString()
                    .contains(QLatin1String("not confirmed")));
    }

    void stopWithYesCancels()
    {
        const auto r = run(endpoint() << QStringLiteral("--yes") << QStringLiteral("-e")
                                      << QStringLiteral("STOP JOB '%1'").arg(m_running.toUpper()));
        QCOMPARE(r.exitCode, 0);
        QTRY_COMPARE_WITH_TIMEOUT(m_sim->jobState(m_running), QStringLiteral("CANCELED"), 5000);
        QVERIFY(auditLines()
                    .first()
                    .value(QLatin1String("outcome"))
                    .toString()
                    .startsWith(QLatin1String("ok")));
    }

    void refusedByTheClusterIsExit2()
    {
        const auto r = run(endpoint() << QStringLiteral("--yes") << QStringLiteral("-e")
                                      << QStringLiteral("STOP JOB %1").arg(m_finished)
                                      << QStringLiteral("--format") << QStringLiteral("json"));
        QCOMPARE(r.exitCode, 2);
        const QJsonObject o = jsonLines(r.out).first();
        QCOMPARE(o.value(QLatin1String("status")).toString(), QStringLiteral("failed"));
        const QJsonObject e = o.value(QLatin1String("error")).toObject();
        QCOMPARE(e.value(QLatin1String("kind")).toString(), QStringLiteral("conflict"));
        QCOMPARE(e.value(QLatin1String("http_status")).toInt(), 409);
    }

    void detachedSavepointIsFollowedUpByTheLedger()
    {
        m_sim->setAsyncLatencyMs(300);
        auto r = run(endpoint() << QStringLiteral("-e")
                                << QStringLiteral("CREATE SAVEPOINT FOR JOB %1").arg(m_running)
                                << QStringLiteral("--detach") << QStringLiteral("--format")
                                << QStringLiteral("json"));
        QCOMPARE(r.exitCode, 0);
        const QJsonObject o = jsonLines(r.out).first();
        QCOMPARE(o.value(QLatin1String("status")).toString(), QStringLiteral("in_progress"));
        const QString trigger = o.value(QLatin1String("trigger_id")).toString();
        QCOMPARE(trigger.size(), 32);

        // A later run lists it from the ledger, merged with what the cluster remembers.
        QTRY_COMPARE_WITH_TIMEOUT(m_sim->savepointsStarted(m_running), 1, 5000);
        r = run(endpoint() << QStringLiteral("-e")
                           << QStringLiteral("SHOW SAVEPOINTS FOR JOB %1").arg(m_running)
                           << QStringLiteral("--format") << QStringLiteral("json"));
        QCOMPARE(r.exitCode, 0);
        const QJsonArray rows = jsonLines(r.out).first().value(QLatin1String("rows")).toArray();
        bool found = false;
        for (const QJsonValue &row : rows)
            found = found || row.toArray().at(4).toString() == trigger;
        QVERIFY2(found, qPrintable(r.out));

        // Nobody follows the detached trigger, yet a later SHOW SAVEPOINTS asks the cluster and
        // records the outcome: completed, with the path, in the listing and in the ledger.
        const auto stateOf = [&](QString *location) {
            const auto again =
                run(endpoint() << QStringLiteral("-e")
                               << QStringLiteral("SHOW SAVEPOINTS FOR JOB %1").arg(m_running)
                               << QStringLiteral("--format") << QStringLiteral("json"));
            for (const QJsonValue &row :
                 jsonLines(again.out).first().value(QLatin1String("rows")).toArray()) {
                if (row.toArray().at(4).toString() == trigger) {
                    *location = row.toArray().at(0).toString();
                    return row.toArray().at(1).toString();
                }
            }
            return QString();
        };
        QString location;
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(&location), QStringLiteral("completed"), 10000);
        QVERIFY2(location.contains(QLatin1String("savepoint-")), qPrintable(location));
        HistoryStore history;
        QVERIFY(history.open(m_home->filePath(QStringLiteral("data/opsdeck/history.sqlite"))));
        QCOMPARE(history.savepointByTrigger(trigger)->value().state, QStringLiteral("completed"));
        QCOMPARE(history.savepointByTrigger(trigger)->value().location, location);
    }

    void scriptFileRunsInOrderAndStopsAtTheFirstFailure()
    {
        const QString path = m_home->filePath(QStringLiteral("script.sql"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QStringLiteral("-- nightly\nSHOW JOBS;\nDESCRIBE JOB %1;\nDESCRIBE JOB "
                               "ffffffffffffffffffffffffffffffff;\nSHOW JOBS;\n")
                    .arg(m_running)
                    .toUtf8());
        f.close();
        const auto r = run(endpoint() << QStringLiteral("-f") << path << QStringLiteral("--format")
                                      << QStringLiteral("json"));
        QCOMPARE(r.exitCode, 2);
        const auto lines = jsonLines(r.out);
        QCOMPARE(lines.size(), 3);
        QCOMPARE(lines.at(2)
                     .value(QLatin1String("error"))
                     .toObject()
                     .value(QLatin1String("kind"))
                     .toString(),
                 QStringLiteral("not_found"));
    }

    void profileFromConfigFile()
    {
        const QString path = m_home->filePath(QStringLiteral("profiles.json"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QStringLiteral("{\"default\":\"prod\",\"profiles\":[{\"name\":\"prod\",\"rest\":{"
                               "\"url\":\"%1\"}}]}")
                    .arg(m_sim->baseUrl().toString())
                    .toUtf8());
        f.close();
        QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        const auto r = run(
            {QStringLiteral("--config"), path, QStringLiteral("-e"), QStringLiteral("SHOW JOBS")});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains(m_running));
    }

    void insecureProfileIsSaidInEveryOutput()
    {
        const QString path = m_home->filePath(QStringLiteral("insecure.json"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QStringLiteral("{\"default\":\"lab\",\"profiles\":[{\"name\":\"lab\",\"rest\":{"
                               "\"url\":\"%1\",\"insecure\":true}}]}")
                    .arg(m_sim->baseUrl().toString())
                    .toUtf8());
        f.close();
        QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        auto r = run(
            {QStringLiteral("--config"), path, QStringLiteral("-e"), QStringLiteral("SHOW JOBS")});
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.err.contains(QStringLiteral("INSECURE: TLS verification is switched off")),
                 qPrintable(r.err));
        QVERIFY(r.err.contains(QStringLiteral("profile 'lab'")));
        r = run({QStringLiteral("--config"), path, QStringLiteral("--format"),
                 QStringLiteral("json"), QStringLiteral("-e"), QStringLiteral("SHOW JOBS")});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.json().value(QStringLiteral("insecure")).toBool(), true);
        // A verifying profile says nothing of the kind.
        r = run({QStringLiteral("--endpoint"), m_sim->baseUrl().toString(),
                 QStringLiteral("--format"), QStringLiteral("json"), QStringLiteral("-e"),
                 QStringLiteral("SHOW JOBS")});
        QVERIFY(!r.err.contains(QStringLiteral("INSECURE")));
        QVERIFY(!r.json().contains(QStringLiteral("insecure")));
    }

    void unreachableIsExit3AndTokenNeverShows()
    {
        const quint16 port = m_sim->port();
        m_sim.reset();
        QProcessEnvironment env;
        env.insert(QStringLiteral("FLINK_TOKEN"), QStringLiteral("s3cr3t-t0ken-value"));
        const auto r =
            run({QStringLiteral("--endpoint"), QStringLiteral("http://127.0.0.1:%1").arg(port),
                 QStringLiteral("--token"), QStringLiteral("env:FLINK_TOKEN"),
                 QStringLiteral("--header"), QStringLiteral("X-Api-Key=env:FLINK_TOKEN"),
                 QStringLiteral("-e"), QStringLiteral("SHOW JOBS"), QStringLiteral("--format"),
                 QStringLiteral("json")},
                env);
        QCOMPARE(r.exitCode, 3);
        QCOMPARE(jsonLines(r.out)
                     .first()
                     .value(QLatin1String("error"))
                     .toObject()
                     .value(QLatin1String("kind"))
                     .toString(),
                 QStringLiteral("connection_refused"));
        QVERIFY(!r.out.contains(QLatin1String("s3cr3t")));
        QVERIFY(!r.err.contains(QLatin1String("s3cr3t")));
    }

    void cryptoPolicyRefusingFlinksDefaultCipherIsExplained()
    {
        // A cluster on Flink's default REST TLS (TLS 1.2, TLS_RSA_WITH_AES_128_CBC_SHA only) and a
        // client whose OpenSSL policy forbids RSA key exchange, as hardened distributions do.
        auto ca = CertFactory::selfSigned(CertSpec::rootCa());
        QVERIFY(ca);
        auto server = CertFactory::issue(CertSpec::server().withKey(KeyType::Rsa2048), ca.value());
        QVERIFY(server);
        const QString dir = m_home->filePath(QStringLiteral("tls"));
        auto files = CertFactory::writeAll(dir, QStringLiteral("server"), server.value());
        QVERIFY(files);
        const QString caFile =
            CertFactory::writeFile(dir, QStringLiteral("ca.pem"), ca->certPem).value();
        FlinkSimOptions options;
        options.jobCount = 1;
        options.tls = FlinkSimOptions::Tls::Server;
        options.certFile = files->chain;
        options.keyFile = files->key;
        options.flinkDefaultCipherOnly = true;
        FlinkSimulator tlsSim(options);
        QVERIFY(tlsSim.listen());
        const QStringList args{
            QStringLiteral("--endpoint"), QStringLiteral("https://localhost:%1").arg(tlsSim.port()),
            QStringLiteral("--ca-file"),  caFile,
            QStringLiteral("-e"),         QStringLiteral("SHOW JOBS"),
            QStringLiteral("--format"),   QStringLiteral("json")};
        // The default policy here accepts the suite: it works.
        QCOMPARE(run(args).exitCode, 0);

        const QString conf = m_home->filePath(QStringLiteral("openssl-strict.cnf"));
        QFile f(conf);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("openssl_conf = default_conf\n[default_conf]\nssl_conf = ssl_sect\n[ssl_sect]\n"
                "system_default = system_default_sect\n[system_default_sect]\n"
                "CipherString = DEFAULT:!kRSA\nMinProtocol = TLSv1.2\n");
        f.close();
        QProcessEnvironment env;
        env.insert(QStringLiteral("OPENSSL_CONF"), conf);
        const auto r = run(args, env);
        QCOMPARE(r.exitCode, 3);
        const QJsonObject e = jsonLines(r.out).first().value(QLatin1String("error")).toObject();
        QVERIFY2(e.value(QLatin1String("kind")).toString().startsWith(QLatin1String("tls_")),
                 qPrintable(r.out));
        QVERIFY2(e.value(QLatin1String("message"))
                     .toString()
                     .contains(QLatin1String("TLS_RSA_WITH_AES_128_CBC_SHA")),
                 qPrintable(r.out));
    }

    void usageErrorsAreExit3()
    {
        QCOMPARE(run(endpoint()).exitCode, 3); // no statement source
        QCOMPARE(run(endpoint() << QStringLiteral("-e") << QStringLiteral("SHOW JOBS")
                                << QStringLiteral("--wait") << QStringLiteral("5")
                                << QStringLiteral("--detach"))
                     .exitCode,
                 3);
        const auto inlineHeader =
            run(endpoint() << QStringLiteral("-e") << QStringLiteral("SHOW JOBS")
                           << QStringLiteral("--header") << QStringLiteral("X-Key=plainsecret"));
        QCOMPARE(inlineHeader.exitCode, 3);
        QVERIFY(!inlineHeader.err.contains(QLatin1String("plainsecret")));
    }
};

OPSDECK_TEST_GUILESS_MAIN(TestCliJobs)
#include "tst_cli_jobs.moc"
