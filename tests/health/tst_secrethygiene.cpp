// SPDX-License-Identifier: GPL-3.0-or-later
// Secret hygiene across every headless command: canary secrets (a private key, a keystore
// password, a bearer token, ZooKeeper digest credentials and a /security.json body) are really
// used (each command succeeds with them), and then every output is searched for them: stdout and
// stderr of every command and format, the Prometheus textfile, the history database (with its
// WAL), the audit file and the profiles file. None may appear.

#include "common/profilestore.h"
#include "opsdeckprocess.h"
#include "securedcluster.h"
#include "testmain.h"

#include <QDirIterator>
#include <QTemporaryDir>

using namespace opsdeck;
using namespace opsdeck::test;

namespace {

const QByteArray ZkPassword = "zk-canary-7d41c0e2";
const QByteArray StorePassword = "p12-canary-93be11a5";
const QByteArray Token = "token-canary-5a0c6f3e";
const QByteArray SecurityCanary = "security-json-canary-c4e8d2";

} // namespace

class TestSecretHygiene : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    SecuredCluster m_cluster;
    QString m_config;
    QList<QPair<QString, QByteArray>> m_outputs; // what was produced, by where it came from

    OpsdeckRun run(const QStringList &args, const QString &label)
    {
        QProcessEnvironment env;
        env.insert(QStringLiteral("OPSDECK_ZK_AUTH"), QString::fromLatin1("solr:" + ZkPassword));
        env.insert(QStringLiteral("OPSDECK_STORE_PW"), QString::fromLatin1(StorePassword));
        env.insert(QStringLiteral("OPSDECK_TOKEN"), QString::fromLatin1(Token));
        env.insert(QStringLiteral("XDG_DATA_HOME"), m_dir.filePath(QStringLiteral("data")));
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), m_dir.filePath(QStringLiteral("config")));
        const OpsdeckRun r = runOpsdeck(args, env, 60000);
        m_outputs << qMakePair(label + QStringLiteral(" stdout"), r.out.toUtf8())
                  << qMakePair(label + QStringLiteral(" stderr"), r.err.toUtf8());
        return r;
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_cluster.zkPassword = ZkPassword;
        m_cluster.storePassword = StorePassword;
        m_cluster.securityCanary = SecurityCanary;
        const QString started = m_cluster.start(m_dir.path(), QStringLiteral("orders"));
        QVERIFY2(started.isEmpty(), qPrintable(started));

        Profile p;
        p.name = QStringLiteral("secure");
        p.zookeeper.connectString = m_cluster.zkConnect();
        p.zookeeper.digestAuth = SecretRef::fromEnv(QStringLiteral("OPSDECK_ZK_AUTH"));
        p.rest.url = m_cluster.flinkUrl();
        p.rest.caFile = m_cluster.caFile;
        p.rest.token = SecretRef::fromEnv(QStringLiteral("OPSDECK_TOKEN"));
        BundleConfig pem;
        pem.path = m_cluster.pemDir;
        pem.probeEndpoint = m_cluster.flinkEndpoint();
        BundleConfig store;
        store.path = m_cluster.p12Dir;
        store.storePassword = SecretRef::fromEnv(QStringLiteral("OPSDECK_STORE_PW"));
        p.bundles << pem << store;
        ProfileSet set;
        set.path = m_dir.filePath(QStringLiteral("profiles.json"));
        set.profiles << p;
        set.defaultProfile = p.name;
        QVERIFY(ProfileStore::save(set, set.path));
        m_config = set.path;
    }

    void everyCommandUsesTheSecrets()
    {
        // Each secret is exercised: a run that fails for want of it would prove nothing.
        OpsdeckRun r = run({QStringLiteral("status"), QStringLiteral("--config"), m_config,
                            QStringLiteral("--format"), QStringLiteral("json")},
                           QStringLiteral("status json"));
        QVERIFY2(r.exitCode == 0, qPrintable(r.out + r.err));
        run({QStringLiteral("status"), QStringLiteral("--config"), m_config,
             QStringLiteral("--verbose")},
            QStringLiteral("status table"));

        r = run({QStringLiteral("certs"), QStringLiteral("scan"), m_cluster.p12Dir,
                 QStringLiteral("--password"), QStringLiteral("env:OPSDECK_STORE_PW"),
                 QStringLiteral("--format"), QStringLiteral("json")},
                QStringLiteral("certs scan p12"));
        QVERIFY2(r.exitCode == 0, qPrintable(r.out + r.err));
        r = run({QStringLiteral("certs"), QStringLiteral("scan"), m_cluster.p12Dir,
                 QStringLiteral("--password"), QStringLiteral("env:OPSDECK_ZK_AUTH")},
                QStringLiteral("certs scan wrong password"));
        QVERIFY(r.exitCode != 0); // a wrong password is an error that must not echo it
        r = run({QStringLiteral("certs"), QStringLiteral("scan"), m_cluster.pemDir,
                 QStringLiteral("--format"), QStringLiteral("json")},
                QStringLiteral("certs scan pem"));
        QVERIFY2(r.exitCode == 0, qPrintable(r.out + r.err));

        r = run({QStringLiteral("jobs"), QStringLiteral("--config"), m_config,
                 QStringLiteral("--format"), QStringLiteral("json"), QStringLiteral("-e"),
                 QStringLiteral("SHOW JOBS")},
                QStringLiteral("jobs show"));
        QVERIFY2(r.exitCode == 0, qPrintable(r.out + r.err));
        r = run({QStringLiteral("jobs"), QStringLiteral("--config"), m_config,
                 QStringLiteral("--yes"), QStringLiteral("--wait"), QStringLiteral("10"),
                 QStringLiteral("-e"),
                 QStringLiteral("CREATE SAVEPOINT FOR JOB '%1'").arg(m_cluster.jobId)},
                QStringLiteral("jobs savepoint"));
        QVERIFY2(r.exitCode == 0, qPrintable(r.out + r.err));

        r = run({QStringLiteral("roles"), QStringLiteral("--config"), m_config,
                 QStringLiteral("--format"), QStringLiteral("json")},
                QStringLiteral("roles json"));
        QVERIFY2(r.exitCode >= 0 && r.exitCode <= 2, qPrintable(r.out + r.err));
        const QJsonObject roles = r.json();
        QCOMPARE(roles.value(QStringLiteral("security_json"))
                     .toObject()
                     .value(QStringLiteral("exists"))
                     .toBool(),
                 true);
        QVERIFY(roles.value(QStringLiteral("security_json"))
                    .toObject()
                    .value(QStringLiteral("size"))
                    .toInt() > 0);
        run({QStringLiteral("roles"), QStringLiteral("--config"), m_config},
            QStringLiteral("roles table"));

        const QString prom = m_dir.filePath(QStringLiteral("opsdeck.prom"));
        for (const QString &format : {QStringLiteral("nagios"), QStringLiteral("json")}) {
            r = run({QStringLiteral("check"), QStringLiteral("--config"), m_config,
                     QStringLiteral("--format"), format},
                    QStringLiteral("check ") + format);
            QVERIFY2(r.exitCode >= 0 && r.exitCode <= 2, qPrintable(r.out + r.err));
        }
        r = run({QStringLiteral("check"), QStringLiteral("--config"), m_config,
                 QStringLiteral("--format"), QStringLiteral("prometheus"),
                 QStringLiteral("--output"), prom},
                QStringLiteral("check prometheus"));
        QVERIFY(QFileInfo::exists(prom));
    }

    void literalSecretsAreRefusedOnTheCommandLine()
    {
        // opsdeck starts no child processes of its own (no QProcess, exec or system in core/,
        // app/ or widgets/), so its command line is the only one a secret could reach, and every
        // secret option takes a reference: a literal would be readable by every local user in
        // /proc/<pid>/cmdline. Each command refuses one, without running and without echoing it.
        const QString literal = QString::fromLatin1(Token);
        const QList<QPair<QString, QStringList>> cases{
            {QStringLiteral("certs scan --password"),
             {QStringLiteral("certs"), QStringLiteral("scan"), m_cluster.p12Dir,
              QStringLiteral("--password"), literal}},
            {QStringLiteral("certs watch --password"),
             {QStringLiteral("certs"), QStringLiteral("watch"), m_cluster.p12Dir,
              QStringLiteral("--password"), literal, QStringLiteral("--max-events"),
              QStringLiteral("1")}},
            {QStringLiteral("jobs --token"),
             {QStringLiteral("jobs"), QStringLiteral("--endpoint"), m_cluster.flinkUrl(),
              QStringLiteral("--token"), literal, QStringLiteral("-e"),
              QStringLiteral("SHOW JOBS")}},
            {QStringLiteral("jobs --header"),
             {QStringLiteral("jobs"), QStringLiteral("--endpoint"), m_cluster.flinkUrl(),
              QStringLiteral("--header"), QStringLiteral("X-Api-Key=") + literal,
              QStringLiteral("-e"), QStringLiteral("SHOW JOBS")}},
            {QStringLiteral("roles --auth"),
             {QStringLiteral("roles"), QStringLiteral("--zk"), m_cluster.zkConnect(),
              QStringLiteral("--auth"), QStringLiteral("solr:") + literal}},
        };
        const int before = m_cluster.flink->requestCount("GET");
        for (const auto &[label, args] : cases) {
            const OpsdeckRun r = run(args, QStringLiteral("literal ") + label);
            QVERIFY2(!r.err.contains(literal) && !r.out.contains(literal), qPrintable(label));
            QVERIFY2(r.exitCode != 0, qPrintable(label + QStringLiteral(": ") + r.out + r.err));
            QVERIFY2(r.err.contains(QStringLiteral("env:VAR")) ||
                         r.err.contains(QStringLiteral("reference")),
                     qPrintable(label + QStringLiteral(": ") + r.err));
        }
        QCOMPARE(m_cluster.flink->requestCount("GET"), before); // nothing was sent with a literal
    }

    void noSecretAppearsAnywhere()
    {
        QList<QPair<QString, QByteArray>> artefacts = m_outputs;
        QVERIFY(artefacts.size() >= 20);
        // Every file the runs left: the textfile, the history database and its WAL, the audit
        // file, the profiles file.
        QDirIterator it(m_dir.path(), QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
        int stores = 0;
        while (it.hasNext()) {
            const QString path = it.next();
            if (path.startsWith(m_cluster.pemDir) || path.startsWith(m_cluster.p12Dir) ||
                path.contains(QStringLiteral("/savepoints/")))
                continue; // the secrets' own homes
            QFile f(path);
            QVERIFY(f.open(QIODevice::ReadOnly));
            artefacts << qMakePair(path, f.readAll());
            if (path.endsWith(QLatin1String("history.sqlite")) ||
                path.endsWith(QLatin1String("audit.jsonl")))
                ++stores;
        }
        QVERIFY2(stores >= 2, "the history database and the audit file were not written");
        const QList<QPair<const char *, QByteArray>> canaries{
            {"ZooKeeper password", ZkPassword},
            {"keystore password", StorePassword},
            {"bearer token", Token},
            {"security.json body", SecurityCanary},
            {"private key bytes", m_cluster.keyCanary},
        };
        // The search itself works: the references (which may be shown) are found where they are.
        const bool referenceSeen =
            std::any_of(artefacts.cbegin(), artefacts.cend(),
                        [](const auto &a) { return a.second.contains("env:OPSDECK_TOKEN"); });
        QVERIFY(referenceSeen);
        for (const auto &[where, bytes] : std::as_const(artefacts)) {
            for (const auto &[what, canary] : canaries)
                QVERIFY2(
                    !bytes.contains(canary),
                    qPrintable(QStringLiteral("%1 found in %2").arg(QLatin1String(what), where)));
        }
    }
};

OPSDECK_TEST_GUILESS_MAIN(TestSecretHygiene)
#include "tst_secrethygiene.moc"
