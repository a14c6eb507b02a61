// SPDX-License-Identifier: GPL-3.0-or-later
// The ZooKeeper test fixtures themselves: a real standalone server and a real 3-server ensemble.
#include "testmain.h"
#include "zookeeperserver.h"

#include <QElapsedTimer>
#include <memory>
#include <zookeeper/zookeeper.h>

using namespace opsdeck;
using namespace opsdeck::test;

class TestZooKeeperFixture : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void serverAnswersFourLetterWords();
    void createAndReadZnode();
    void restartKeepsDataAndPort();
    void ensembleSurvivesLeaderLoss();
    void stopClosesPort(); // last: stops the shared server

private:
    std::unique_ptr<ZooKeeperServer> m_server;
};

void TestZooKeeperFixture::initTestCase()
{
    m_server = std::make_unique<ZooKeeperServer>();
    QElapsedTimer timer;
    timer.start();
    const auto started = m_server->start();
    QVERIFY2(started.ok(), qPrintable(started.ok() ? QString() : started.error().toString()));
    qInfo("standalone ZooKeeper serving on %s after %lld ms", qPrintable(m_server->connectString()),
          timer.elapsed());
}

void TestZooKeeperFixture::cleanupTestCase()
{
    m_server.reset();
}

void TestZooKeeperFixture::serverAnswersFourLetterWords()
{
    QVERIFY(m_server->isRunning());
    QVERIFY(m_server->port() != 0);
    QCOMPARE(m_server->connectString(), QStringLiteral("127.0.0.1:%1").arg(m_server->port()));
    QVERIFY(ZooKeeperServer::answers(m_server->port()));
    QCOMPARE(m_server->mode(), QStringLiteral("standalone"));
    QVERIFY(!m_server->logTail().isEmpty());
}

void TestZooKeeperFixture::createAndReadZnode()
{
    ZkClient client;
    const auto connected = client.connect(m_server->connectString(), 10000);
    QVERIFY2(connected.ok(), qPrintable(connected.ok() ? QString() : connected.error().toString()));
    QVERIFY(client.sessionId() != 0);

    // Straight through the C client.
    zhandle_t *zh = client.handle();
    const QByteArray payload = QByteArrayLiteral("hello from opsdeck");
    int rc = zoo_create(zh, "/fixture", payload.constData(), static_cast<int>(payload.size()),
                        &ZOO_OPEN_ACL_UNSAFE, 0, nullptr, 0);
    QCOMPARE(rc, static_cast<int>(ZOK));
    char buffer[256];
    int length = sizeof buffer;
    struct Stat stat = {};
    rc = zoo_get(zh, "/fixture", 0, buffer, &length, &stat);
    QCOMPARE(rc, static_cast<int>(ZOK));
    QCOMPARE(QByteArray(buffer, length), payload);
    QCOMPARE(stat.dataLength, static_cast<int32_t>(payload.size()));

    // And through the helper.
    QVERIFY(client.ensurePath(QStringLiteral("/a/b/c")).ok());
    QCOMPARE(client.children(QStringLiteral("/a")).valueOr({}), QStringList{QStringLiteral("b")});
    QCOMPARE(client.exists(QStringLiteral("/a/b/c")).valueOr(false), true);
    QCOMPARE(client.exists(QStringLiteral("/nope")).valueOr(true), false);
    const auto missing = client.get(QStringLiteral("/nope"));
    QVERIFY(!missing.ok());
    QCOMPARE(missing.error().code, ErrorCode::NotFound);
}

void TestZooKeeperFixture::restartKeepsDataAndPort()
{
    const quint16 port = m_server->port();
    m_server->stop();
    QVERIFY(!m_server->isRunning());
    const auto restarted = m_server->start();
    QVERIFY2(restarted.ok(), qPrintable(restarted.ok() ? QString() : restarted.error().toString()));
    QCOMPARE(m_server->port(), port);

    ZkClient client;
    QVERIFY(client.connect(m_server->connectString()).ok());
    QCOMPARE(client.get(QStringLiteral("/fixture")).valueOr({}),
             QByteArrayLiteral("hello from opsdeck"));
}

void TestZooKeeperFixture::ensembleSurvivesLeaderLoss()
{
    QElapsedTimer timer;
    timer.start();
    ZooKeeperEnsemble ensemble(3);
    const auto started = ensemble.start();
    QVERIFY2(started.ok(), qPrintable(started.ok() ? QString() : started.error().toString()));
    qInfo("3-server ensemble serving after %lld ms: %s", timer.elapsed(),
          qPrintable(ensemble.connectString()));
    QCOMPARE(ensemble.connectString().count(QLatin1Char(',')), 2);

    int leader = -1;
    QTRY_VERIFY_WITH_TIMEOUT((leader = ensemble.leaderIndex()) >= 0, 10000);
    int followers = 0;
    for (int i = 0; i < ensemble.size(); ++i)
        followers += ensemble.server(i).mode() == QLatin1String("follower") ? 1 : 0;
    QCOMPARE(followers, 2);

    {
        ZkClient client;
        QVERIFY(client.connect(ensemble.connectString()).ok());
        QVERIFY(client.create(QStringLiteral("/survivor"), QByteArrayLiteral("still here")).ok());
    }

    timer.restart();
    ensemble.killServer(leader);
    QVERIFY(!ensemble.server(leader).isRunning());
    int newLeader = -1;
    QTRY_VERIFY_WITH_TIMEOUT((newLeader = ensemble.leaderIndex()) >= 0, 20000);
    QVERIFY(newLeader != leader);
    qInfo("new leader %d elected %lld ms after killing leader %d", newLeader, timer.elapsed(),
          leader);

    {
        ZkClient client;
        const auto connected = client.connect(ensemble.connectString(), 15000);
        QVERIFY2(connected.ok(),
                 qPrintable(connected.ok() ? QString() : connected.error().toString()));
        QCOMPARE(client.get(QStringLiteral("/survivor")).valueOr({}),
                 QByteArrayLiteral("still here"));
    }

    const auto rejoined = ensemble.startServer(leader);
    QVERIFY2(rejoined.ok(), qPrintable(rejoined.ok() ? QString() : rejoined.error().toString()));
    QCOMPARE(ensemble.server(leader).mode(), QStringLiteral("follower"));
    ensemble.stopAll();
    for (int i = 0; i < ensemble.size(); ++i)
        QVERIFY(!ZooKeeperServer::acceptsConnections(ensemble.server(i).port(), 500));
}

void TestZooKeeperFixture::stopClosesPort()
{
    const quint16 port = m_server->port();
    QVERIFY(ZooKeeperServer::acceptsConnections(port));
    m_server->stop();
    QVERIFY(!m_server->isRunning());
    QVERIFY(!ZooKeeperServer::acceptsConnections(port, 500));
    QVERIFY(!ZooKeeperServer::answers(port, 500));
}

OPSDECK_TEST_GUILESS_MAIN(TestZooKeeperFixture)
#include "tst_zookeeperfixture.moc"
