// SPDX-License-Identifier: GPL-3.0-or-later
// probeZooKeeper against a real ZooKeeper server: success, chroots, nobody listening, digest auth.
#include "roles/zkprobe.h"
#include "testmain.h"
#include "zookeeperserver.h"

#include <QElapsedTimer>
#include <memory>

using namespace opsdeck;
using namespace opsdeck::test;

namespace {

const QByteArray kPassword = QByteArrayLiteral("s3cr3t-Pa55word");
const QByteArray kWrongPassword = QByteArrayLiteral("wr0ng-Pa55word");

QString describe(const Result<ZkProbeResult> &result)
{
    return result.ok() ? QStringLiteral("ok") : result.error().toString();
}

} // namespace

class TestZkProbe : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void probeOk();
    void chrootExists();
    void chrootMissing();
    void invalidConnectString();
    void nothingListening();
    void digestAuth_data();
    void digestAuth();
    void digestCredentialsMalformed();

private:
    ZooKeeperConfig config(const QString &suffix = {}) const
    {
        ZooKeeperConfig cfg;
        cfg.connectString = m_server->connectString() + suffix;
        cfg.sessionTimeoutMs = 4000;
        return cfg;
    }

    std::unique_ptr<ZooKeeperServer> m_server;
};

void TestZkProbe::initTestCase()
{
    m_server = std::make_unique<ZooKeeperServer>();
    const auto started = m_server->start();
    QVERIFY2(started.ok(), qPrintable(started.ok() ? QString() : started.error().toString()));

    ZkClient admin;
    QVERIFY(admin.connect(m_server->connectString()).ok());
    QVERIFY(admin.ensurePath(QStringLiteral("/solr/live_nodes")).ok());
    QVERIFY(admin.ensurePath(QStringLiteral("/solr/collections")).ok());
    QVERIFY(admin.ensurePath(QStringLiteral("/solr/overseer")).ok());

    // A chroot only its creator (digest user "opsdeck") may read.
    ZkClient owner;
    QVERIFY(owner.connect(m_server->connectString()).ok());
    const auto authed = owner.addDigestAuth(QByteArrayLiteral("opsdeck:") + kPassword);
    QVERIFY2(authed.ok(), qPrintable(authed.ok() ? QString() : authed.error().toString()));
    const auto created = owner.create(QStringLiteral("/secure"), {}, /*creatorOnly=*/true);
    QVERIFY2(created.ok(), qPrintable(created.ok() ? QString() : created.error().toString()));
    QVERIFY(owner.create(QStringLiteral("/secure/child"), {}, true).ok());

    // Without credentials the ACL keeps us out.
    QCOMPARE(admin.children(QStringLiteral("/secure")).ok(), false);
}

void TestZkProbe::cleanupTestCase()
{
    m_server.reset();
}

void TestZkProbe::probeOk()
{
    QElapsedTimer timer;
    timer.start();
    const auto result = probeZooKeeper(config(), 5000);
    QVERIFY2(result.ok(), qPrintable(describe(result)));
    QVERIFY(timer.elapsed() < 5000);
    QCOMPARE(result->connectString, m_server->connectString());
    QVERIFY2(result->server.contains(QString::number(m_server->port())),
             qPrintable(result->server));
    QVERIFY(result->sessionId != 0);
    QVERIFY(result->latencyMs >= 0);
    QVERIFY(result->latencyMs <= timer.elapsed());
    QCOMPARE(result->chroot, QString());
    QCOMPARE(result->chrootExists, false);
    QVERIFY(result->rootChildren >= 3); // zookeeper, solr, secure
}

void TestZkProbe::chrootExists()
{
    const auto result = probeZooKeeper(config(QStringLiteral("/solr")), 5000);
    QVERIFY2(result.ok(), qPrintable(describe(result)));
    QCOMPARE(result->chroot, QStringLiteral("/solr"));
    QCOMPARE(result->chrootExists, true);
    QCOMPARE(result->rootChildren, 3);
}

void TestZkProbe::chrootMissing()
{
    QElapsedTimer timer;
    timer.start();
    const auto result = probeZooKeeper(config(QStringLiteral("/nosuchroot")), 5000);
    QVERIFY(!result.ok());
    QVERIFY(timer.elapsed() < 5000);
    QCOMPARE(result.error().code, ErrorCode::NotFound);
    QVERIFY2(result.error().message.contains(QLatin1String("chroot /nosuchroot does not exist")),
             qPrintable(result.error().toString()));
}

void TestZkProbe::invalidConnectString()
{
    ZooKeeperConfig cfg;
    cfg.connectString = QStringLiteral("127.0.0.1:notaport");
    const auto result = probeZooKeeper(cfg, 1000);
    QVERIFY(!result.ok());
    QCOMPARE(result.error().code, ErrorCode::InvalidArgument);

    const auto badTimeout = probeZooKeeper(config(), 0);
    QVERIFY(!badTimeout.ok());
    QCOMPARE(badTimeout.error().code, ErrorCode::InvalidArgument);
}

void TestZkProbe::nothingListening()
{
    const QList<quint16> ports = ZooKeeperServer::freePorts(2);
    QCOMPARE(ports.size(), 2);
    ZooKeeperConfig cfg;
    cfg.connectString =
        QStringLiteral("127.0.0.1:%1,127.0.0.1:%2/solr").arg(ports[0]).arg(ports[1]);
    QElapsedTimer timer;
    timer.start();
    const auto result = probeZooKeeper(cfg, 1500);
    const qint64 elapsed = timer.elapsed();
    QVERIFY(!result.ok());
    QVERIFY2(elapsed < 1500 + 2000, qPrintable(QString::number(elapsed)));
    QVERIFY(result.error().code == ErrorCode::Timeout || result.error().code == ErrorCode::Network);
    const QString message = result.error().message;
    qInfo("after %lld ms: %s", elapsed, qPrintable(result.error().toString()));
    QVERIFY2(message.contains(QLatin1String("1500 ms")), qPrintable(message));
    QVERIFY2(message.contains(QString::number(ports[0])) &&
                 message.contains(QString::number(ports[1])),
             qPrintable(message));
}

void TestZkProbe::digestAuth_data()
{
    QTest::addColumn<QByteArray>("credentials");
    QTest::addColumn<bool>("accepted");
    QTest::newRow("right password") << QByteArrayLiteral("opsdeck:") + kPassword << true;
    QTest::newRow("wrong password") << QByteArrayLiteral("opsdeck:") + kWrongPassword << false;
    QTest::newRow("other user") << QByteArrayLiteral("mallory:") + kPassword << false;
    QTest::newRow("no credentials") << QByteArray() << false;
}

void TestZkProbe::digestAuth()
{
    QFETCH(QByteArray, credentials);
    QFETCH(bool, accepted);

    ZooKeeperConfig cfg = config(QStringLiteral("/secure"));
    const QString variable = QStringLiteral("OPSDECK_TST_ZK_DIGEST");
    if (!credentials.isEmpty()) {
        qputenv("OPSDECK_TST_ZK_DIGEST", credentials);
        cfg.digestAuth = SecretRef::fromEnv(variable);
    }
    const auto result = probeZooKeeper(cfg, 5000);
    qunsetenv("OPSDECK_TST_ZK_DIGEST");

    if (accepted) {
        QVERIFY2(result.ok(), qPrintable(describe(result)));
        QCOMPARE(result->chrootExists, true);
        QCOMPARE(result->rootChildren, 1);
        return;
    }
    QVERIFY(!result.ok());
    QCOMPARE(result.error().code, ErrorCode::PermissionDenied);
    const QString text = result.error().toString();
    qInfo("%s", qPrintable(text));
    if (!credentials.isEmpty())
        QVERIFY2(text.contains(QLatin1String("authentication rejected")), qPrintable(text));
    else
        QVERIFY2(text.contains(QLatin1String("without credentials")), qPrintable(text));
    QVERIFY2(text.contains(QLatin1String("/secure")), qPrintable(text));
    // Never a secret in a message: neither password, nor the whole credential string.
    QVERIFY2(!text.contains(QString::fromLatin1(kPassword)), qPrintable(text));
    QVERIFY2(!text.contains(QString::fromLatin1(kWrongPassword)), qPrintable(text));
    if (!credentials.isEmpty())
        QVERIFY2(text.contains(variable), qPrintable(text)); // names where the secret lives
}

void TestZkProbe::digestCredentialsMalformed()
{
    ZooKeeperConfig cfg = config(QStringLiteral("/secure"));
    qputenv("OPSDECK_TST_ZK_DIGEST", kPassword); // no "user:" part
    cfg.digestAuth = SecretRef::fromEnv(QStringLiteral("OPSDECK_TST_ZK_DIGEST"));
    const auto result = probeZooKeeper(cfg, 5000);
    qunsetenv("OPSDECK_TST_ZK_DIGEST");
    QVERIFY(!result.ok());
    QCOMPARE(result.error().code, ErrorCode::InvalidArgument);
    QVERIFY(!result.error().toString().contains(QString::fromLatin1(kPassword)));

    cfg.digestAuth = SecretRef::fromEnv(QStringLiteral("OPSDECK_TST_ZK_DIGEST_UNSET"));
    const auto unset = probeZooKeeper(cfg, 5000);
    QVERIFY(!unset.ok());
    QVERIFY2(unset.error().toString().contains(QLatin1String("OPSDECK_TST_ZK_DIGEST_UNSET")),
             qPrintable(unset.error().toString()));
}

OPSDECK_TEST_GUILESS_MAIN(TestZkProbe)
#include "tst_zkprobe.moc"
