// SPDX-License-Identifier: GPL-3.0-or-later
#include "common/profilestore.h"
#include "testmain.h"

#include <QTemporaryDir>

using namespace opsdeck;

namespace {

Profile demoProfile(const QString &name)
{
    Profile p;
    p.name = name;
    p.rest.url = QStringLiteral("https://flink.example:8081");
    p.rest.caFile = QStringLiteral("/etc/ssl/flink-ca.pem");
    p.rest.token = SecretRef::fromEnv(QStringLiteral("FLINK_TOKEN"));
    p.rest.headers.insert(QStringLiteral("X-Tenant"),
                          SecretRef::fromFile(QStringLiteral("/run/t")));
    p.zookeeper.connectString = QStringLiteral("zk1:2181,zk2:2181/solr");
    p.zookeeper.digestAuth = SecretRef::fromFile(QStringLiteral("/run/secrets/zk"));
    BundleConfig b;
    b.path = QStringLiteral("/etc/solr/tls");
    b.storePassword = SecretRef::fromEnv(QStringLiteral("KS_PASS"));
    b.expectedHostname = QStringLiteral("solr.example");
    b.probeEndpoint = QStringLiteral("solr.example:8983");
    p.bundles << b;
    return p;
}

QByteArray writeAndRead(const QString &path, const QByteArray &bytes)
{
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        return {};
    f.write(bytes);
    return bytes;
}

} // namespace

class TestProfileStore : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { QVERIFY(QStandardPaths::isTestModeEnabled()); }

    void saveLoad_roundTripsEveryField()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("sub/profiles.json"));
        ProfileSet set;
        set.profiles << demoProfile(QStringLiteral("prod")) << demoProfile(QStringLiteral("stage"));
        set.defaultProfile = QStringLiteral("stage");
        QVERIFY(ProfileStore::save(set, path).ok());
        QCOMPARE(QFile::permissions(path) & (QFileDevice::ReadGroup | QFileDevice::ReadOther),
                 QFileDevice::Permissions());
        const auto loaded = ProfileStore::load(path);
        QVERIFY2(loaded.ok(), qPrintable(loaded.ok() ? QString() : loaded.error().toString()));
        QCOMPARE(loaded->profiles, set.profiles);
        QCOMPARE(loaded->defaultProfile, QStringLiteral("stage"));
        QVERIFY(loaded->warnings.isEmpty());
    }

    void load_badJsonNamesFileAndPosition()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("profiles.json"));
        writeAndRead(path, "{\n  \"profiles\": [\n    {\"name\": \"a\",,}\n  ]\n}\n");
        const auto loaded = ProfileStore::load(path);
        QVERIFY(!loaded);
        QCOMPARE(loaded.error().code, ErrorCode::Parse);
        QCOMPARE(loaded.error().where, path);
        QVERIFY2(loaded.error().message.contains(QStringLiteral("line 3")),
                 qPrintable(loaded.error().message));
    }

    void load_rejectsWrongTypesAndInvalidFields_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("expected");
        QTest::addRow("not an object") << QByteArray("[]") << QStringLiteral("JSON object");
        QTest::addRow("profiles missing") << QByteArray("{}") << QStringLiteral("\"profiles\"");
        QTest::addRow("name wrong type") << QByteArray("{\"profiles\":[{\"name\":3}]}")
                                         << QStringLiteral("profiles[0].name: expected a string");
        QTest::addRow("bad url")
            << QByteArray("{\"profiles\":[{\"name\":\"a\",\"rest\":{\"url\":\"ftp://x\"}}]}")
            << QStringLiteral("rest.url");
        QTest::addRow("bad zk")
            << QByteArray(
                   "{\"profiles\":[{\"name\":\"a\",\"zookeeper\":{\"connect\":\"zk1/solr\"}}]}")
            << QStringLiteral("zookeeper.connect");
        QTest::addRow("bad probe") << QByteArray("{\"profiles\":[{\"name\":\"a\",\"bundles\":[{"
                                                 "\"path\":\"/x\",\"probe\":\"h:99999\"}]}]}")
                                   << QStringLiteral("bundles[0].probe");
        QTest::addRow("duplicate")
            << QByteArray("{\"profiles\":[{\"name\":\"a\"},{\"name\":\"a\"}]}")
            << QStringLiteral("duplicate profile name 'a'");
        QTest::addRow("unknown default")
            << QByteArray("{\"default\":\"z\",\"profiles\":[{\"name\":\"a\"}]}")
            << QStringLiteral("default profile 'z'");
        QTest::addRow("newer version")
            << QByteArray("{\"version\":9,\"profiles\":[]}") << QStringLiteral("newer");
    }
    void load_rejectsWrongTypesAndInvalidFields()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, expected);
        const auto set = ProfileStore::fromJson(json, QStringLiteral("cfg.json"));
        QVERIFY(!set);
        QVERIFY2(set.error().message.contains(expected), qPrintable(set.error().message));
        QCOMPARE(set.error().where, QStringLiteral("cfg.json"));
    }

    void inlineSecret_warnsLoudlyWhenOthersCanRead_andIsNeverSaved()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("profiles.json"));
        writeAndRead(path, "{\"profiles\":[{\"name\":\"a\",\"zookeeper\":{\"connect\":\"h:1\","
                           "\"auth\":\"user:canary-pw\"}}]}");
        QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::WriteOwner |
                                        QFileDevice::ReadGroup | QFileDevice::ReadOther);
        const auto loaded = ProfileStore::load(path);
        QVERIFY(loaded.ok());
        const QString warnings = loaded->warnings.join(QLatin1Char('\n'));
        QVERIFY2(warnings.contains(QStringLiteral("zookeeper.auth is an inline secret")),
                 qPrintable(warnings));
        QVERIFY(warnings.contains(QStringLiteral("readable by group or others")));
        QVERIFY(!warnings.contains(QStringLiteral("canary-pw")));

        const auto saved =
            ProfileStore::save(loaded.value(), dir.filePath(QStringLiteral("out.json")));
        QVERIFY(!saved);
        QVERIFY(saved.error().message.contains(QStringLiteral("zookeeper.auth")));
        QVERIFY(!saved.error().toString().contains(QStringLiteral("canary-pw")));
        QVERIFY(!QFile::exists(dir.filePath(QStringLiteral("out.json"))));
    }

    void inlineSecret_privateFileWarnsOnlyOnce()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("profiles.json"));
        writeAndRead(path, "{\"profiles\":[{\"name\":\"a\",\"rest\":{\"url\":\"http://"
                           "h:1\",\"token\":\"abc\"}}]}");
        QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        const auto loaded = ProfileStore::load(path);
        QVERIFY(loaded.ok());
        QCOMPARE(loaded->warnings.size(), 1);
        QVERIFY(!loaded->warnings.first().contains(QStringLiteral("readable by group")));
    }

    void select_unknownProfileListsKnownOnes()
    {
        ProfileSet set;
        set.path = QStringLiteral("p.json");
        set.profiles << demoProfile(QStringLiteral("prod")) << demoProfile(QStringLiteral("stage"));
        const auto missing = ProfileStore::select(set, QStringLiteral("qa"));
        QVERIFY(!missing);
        QCOMPARE(missing.error().code, ErrorCode::NotFound);
        QVERIFY(missing.error().message.contains(QStringLiteral("unknown profile 'qa'")));
        QVERIFY(missing.error().message.contains(QStringLiteral("prod, stage")));
        QVERIFY(!ProfileStore::select(set, QString()).ok()); // two profiles, no default
        set.defaultProfile = QStringLiteral("prod");
        QCOMPARE(ProfileStore::select(set, QString())->name, QStringLiteral("prod"));
    }

    void loadConfig_missingDefaultIsEmpty_missingExplicitIsError()
    {
        const auto def = ProfileStore::loadConfig(QString());
        QVERIFY(def.ok());
        QVERIFY(def->profiles.isEmpty());
        QCOMPARE(def->path, ProfileStore::defaultConfigPath());
        QVERIFY(def->path.contains(QStringLiteral(".qttest"))); // test mode, never the real config
        const auto explicitMissing =
            ProfileStore::loadConfig(QStringLiteral("/nonexistent/p.json"));
        QVERIFY(!explicitMissing);
        QCOMPARE(explicitMissing.error().code, ErrorCode::NotFound);
        QCOMPARE(explicitMissing.error().where, QStringLiteral("/nonexistent/p.json"));
    }

    void parseZkConnectString_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("valid");
        QTest::addColumn<QString>("chroot");
        QTest::addColumn<int>("hosts");
        QTest::addRow("single") << QStringLiteral("127.0.0.1:2181") << true << QString() << 1;
        QTest::addRow("chroot") << QStringLiteral("a:1,b:2,c:3/solr/prod") << true
                                << QStringLiteral("/solr/prod") << 3;
        QTest::addRow("ipv6") << QStringLiteral("[::1]:2181/solr") << true
                              << QStringLiteral("/solr") << 1;
        QTest::addRow("root chroot") << QStringLiteral("a:1/") << true << QString() << 1;
        QTest::addRow("no port") << QStringLiteral("zk1") << false << QString() << 0;
        QTest::addRow("trailing slash") << QStringLiteral("a:1/solr/") << false << QString() << 0;
        QTest::addRow("empty element") << QStringLiteral("a:1,,b:2") << false << QString() << 0;
        QTest::addRow("bad port") << QStringLiteral("a:0") << false << QString() << 0;
        QTest::addRow("bare ipv6") << QStringLiteral("::1:2181") << false << QString() << 0;
    }
    void parseZkConnectString()
    {
        QFETCH(QString, text);
        QFETCH(bool, valid);
        QFETCH(QString, chroot);
        QFETCH(int, hosts);
        const auto r = opsdeck::parseZkConnectString(text);
        QCOMPARE(r.ok(), valid);
        if (valid) {
            QCOMPARE(r->chroot, chroot);
            QCOMPARE(r->hosts.size(), hosts);
        } else {
            QVERIFY(!r.error().message.isEmpty());
        }
    }
};

OPSDECK_TEST_GUILESS_MAIN(TestProfileStore)
#include "tst_profilestore.moc"
