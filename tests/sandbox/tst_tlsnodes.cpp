// SPDX-License-Identifier: GPL-3.0-or-later
// The TLS node fleet of the sandbox's simulated Solr nodes, checked with real handshakes on
// 127.0.0.1: every node serves the bundle; a rotation converges one node at a time in the order
// of the reload delays (found by polling a Kubernetes ..data swap, a plain file replacement, or
// the bundleChanged() slot); a paused node keeps the old leaf; stopped nodes refuse and restart on
// their port; many nodes and parallel handshakes; and a server that hangs the handshake.
#include "certfactory.h"
#include "testmain.h"
#include "tlsdemo.h"
#include "tlsnodes.h"

#include <QCryptographicHash>
#include <QEventLoop>
#include <QSaveFile>
#include <QSignalSpy>
#include <QSslCertificate>
#include <QSslSocket>
#include <QTemporaryDir>
#include <QTimer>
#include <memory>

using namespace opsdeck;
using namespace opsdeck::test;

namespace {

constexpr int kWaitMs = 10000;

QString leafSha(const QSslSocket &socket)
{
    return QString::fromLatin1(socket.peerCertificate().digest(QCryptographicHash::Sha256).toHex());
}

// Handshakes with 127.0.0.1:port without verification; the SHA-256 (lowercase hex) of the leaf
// the server sent, or "" when there was no handshake (refused, failed, timed out).
QString servedLeaf(quint16 port, int timeoutMs = 5000)
{
    QSslSocket socket;
    socket.setPeerVerifyMode(QSslSocket::VerifyNone);
    QEventLoop loop;
    QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
    QObject::connect(&socket, &QSslSocket::encrypted, &loop, &QEventLoop::quit);
    QObject::connect(&socket, &QAbstractSocket::errorOccurred, &loop, &QEventLoop::quit);
    socket.connectToHostEncrypted(QStringLiteral("127.0.0.1"), port);
    loop.exec();
    return socket.isEncrypted() ? leafSha(socket) : QString();
}

QList<int> reloadOrder(const QSignalSpy &spy)
{
    QList<int> order;
    for (const QList<QVariant> &args : spy)
        order << args.at(0).toInt();
    return order;
}

bool writeBytes(const QString &path, const QByteArray &bytes)
{
    QSaveFile file(path); // a new inode, renamed over the old file
    return file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size() && file.commit();
}

} // namespace

class TestTlsNodes : public QObject
{
    Q_OBJECT

private:
    // A Kubernetes-layout bundle that rotates only when told to.
    std::unique_ptr<TlsDemo> makeDemo()
    {
        auto demo = std::make_unique<TlsDemo>();
        TlsDemo::Options options;
        options.rotateIntervalMs = 0;
        if (auto started = demo->start(options); !started) {
            qWarning("%s", qPrintable(started.error().toString()));
            return nullptr;
        }
        return demo;
    }

    static TlsNodeFleet::Options fastOptions(int stepMs, int pollMs = 0)
    {
        TlsNodeFleet::Options options;
        options.stepMs = stepMs;
        options.pollIntervalMs = pollMs;
        return options;
    }

private Q_SLOTS:
    void start_everyNodeServesTheBundleOnItsOwnPort()
    {
        auto demo = makeDemo();
        QVERIFY(demo);
        TlsNodeFleet fleet;
        const auto started = fleet.start(demo->directory(), 3, fastOptions(200));
        QVERIFY2(started, started ? "" : qPrintable(started.error().toString()));
        QCOMPARE(fleet.count(), 3);
        QCOMPARE(fleet.diskFingerprint(), demo->diskFingerprint());
        QSet<quint16> ports;
        for (int i = 0; i < 3; ++i) {
            QVERIFY(fleet.isListening(i));
            QVERIFY(fleet.port(i) != 0);
            QVERIFY(fleet.port(i) != demo->port());
            ports.insert(fleet.port(i));
            QCOMPARE(fleet.endpoint(i), QStringLiteral("127.0.0.1:%1").arg(fleet.port(i)));
            QCOMPARE(servedLeaf(fleet.port(i)), demo->diskFingerprint());
            QCOMPARE(fleet.servedFingerprint(i), demo->diskFingerprint());
            QCOMPARE(fleet.reloadDelayMs(i), (i + 1) * 200);
        }
        QCOMPARE(ports.size(), 3);
        QCOMPARE(fleet.nodesServing(demo->diskFingerprint()), 3);
    }

    void start_rejectsMissingBundlesNoNodesAndTakenPorts()
    {
        QTemporaryDir empty;
        QVERIFY(empty.isValid());
        TlsNodeFleet fleet;
        QVERIFY(!fleet.start(empty.path(), 2));
        QCOMPARE(fleet.count(), 0);

        auto demo = makeDemo();
        QVERIFY(demo);
        QVERIFY(!fleet.start(demo->directory(), 0));

        HangingTlsServer squatter;
        QVERIFY(squatter.start());
        TlsNodeFleet::Options options;
        options.ports = {0, squatter.port()};
        const auto started = fleet.start(demo->directory(), 3, options);
        QVERIFY(!started);
        QVERIFY(started.error().message.contains(QStringLiteral("node 1")));
        QCOMPARE(fleet.count(), 0); // the node that did listen was stopped again
    }

    void rotation_convergesOneNodeAtATimeInOrder()
    {
        auto demo = makeDemo();
        QVERIFY(demo);
        TlsNodeFleet fleet;
        QVERIFY(fleet.start(demo->directory(), 3, fastOptions(400)));
        connect(demo.get(), &TlsDemo::rotated, &fleet, &TlsNodeFleet::bundleChanged);
        QSignalSpy reloaded(&fleet, &TlsNodeFleet::nodeReloaded);
        const QString oldLeaf = demo->diskFingerprint();
        QCOMPARE(servedLeaf(fleet.port(2)), oldLeaf);

        QVERIFY(demo->rotate());
        const QString newLeaf = demo->diskFingerprint();
        QVERIFY(newLeaf != oldLeaf);
        QCOMPARE(fleet.diskFingerprint(), newLeaf);
        for (int i = 0; i < 3; ++i)
            QVERIFY(fleet.isReloadPending(i));

        // Node 0 picks it up first (after 400 ms) while node 2 (1200 ms) still serves the old one.
        QTRY_COMPARE_WITH_TIMEOUT(servedLeaf(fleet.port(0)), newLeaf, kWaitMs);
        QCOMPARE(servedLeaf(fleet.port(2)), oldLeaf);
        QCOMPARE(fleet.servedFingerprint(2), oldLeaf);

        QTRY_COMPARE_WITH_TIMEOUT(reloaded.count(), 3, kWaitMs);
        QCOMPARE(reloadOrder(reloaded), (QList<int>{0, 1, 2}));
        for (const QList<QVariant> &args : reloaded)
            QCOMPARE(args.at(1).toString(), newLeaf);
        for (int i = 0; i < 3; ++i) {
            QCOMPARE(servedLeaf(fleet.port(i)), newLeaf);
            QVERIFY(!fleet.isReloadPending(i));
        }
        QCOMPARE(fleet.nodesServing(newLeaf), 3);
    }

    void setReloadDelay_decidesTheOrder()
    {
        auto demo = makeDemo();
        QVERIFY(demo);
        TlsNodeFleet fleet;
        QVERIFY(fleet.start(demo->directory(), 3, fastOptions(100)));
        fleet.setReloadDelay(0, 600);
        fleet.setReloadDelay(2, 0);
        QCOMPARE(fleet.reloadDelayMs(0), 600);
        QCOMPARE(fleet.reloadDelayMs(1), 200);
        QCOMPARE(fleet.reloadDelayMs(2), 0);
        QSignalSpy reloaded(&fleet, &TlsNodeFleet::nodeReloaded);
        QVERIFY(demo->rotate());
        fleet.bundleChanged();
        QTRY_COMPARE_WITH_TIMEOUT(reloaded.count(), 3, kWaitMs);
        QCOMPARE(reloadOrder(reloaded), (QList<int>{2, 1, 0}));
    }

    void polling_followsTheKubernetesSwapAndActsOnceWithTheSlot()
    {
        auto demo = makeDemo();
        QVERIFY(demo);
        TlsNodeFleet fleet;
        QVERIFY(fleet.start(demo->directory(), 3, fastOptions(100, 50)));
        QSignalSpy noticed(&fleet, &TlsNodeFleet::changeNoticed);
        QSignalSpy reloaded(&fleet, &TlsNodeFleet::nodeReloaded);

        // Nobody calls bundleChanged(): only polling can see the ..data swap.
        QVERIFY(demo->rotate());
        const QString first = demo->diskFingerprint();
        QTRY_COMPARE_WITH_TIMEOUT(fleet.nodesServing(first), 3, kWaitMs);
        QCOMPARE(noticed.count(), 1);
        QCOMPARE(noticed.at(0).at(0).toString(), first);
        for (int i = 0; i < 3; ++i)
            QCOMPARE(servedLeaf(fleet.port(i)), first);

        // The slot and polling both see the next rotation: it is acted on once.
        connect(demo.get(), &TlsDemo::rotated, &fleet, &TlsNodeFleet::bundleChanged);
        QVERIFY(demo->rotate());
        const QString second = demo->diskFingerprint();
        QTRY_COMPARE_WITH_TIMEOUT(fleet.nodesServing(second), 3, kWaitMs);
        QTRY_COMPARE_WITH_TIMEOUT(noticed.count(), 2, kWaitMs);
        for (int i = 0; i < 3; ++i)
            QVERIFY(!fleet.isReloadPending(i));
        QCOMPARE(reloaded.count(), 6);
    }

    void polling_seesPlainFilesReplaced()
    {
        // Not the Kubernetes layout: tls.crt/tls.key replaced in place (new inode, mtime, size).
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        auto first = CertFactory::selfSigned(CertSpec::server());
        auto second = CertFactory::selfSigned(CertSpec::server().withKey(KeyType::Rsa2048));
        QVERIFY(first && second);
        QVERIFY(writeBytes(dir.filePath(QStringLiteral("tls.crt")), first->certPem));
        QVERIFY(writeBytes(dir.filePath(QStringLiteral("tls.key")), first->keyPem));

        TlsNodeFleet fleet;
        QVERIFY(fleet.start(dir.path(), 2, fastOptions(100, 50)));
        QCOMPARE(servedLeaf(fleet.port(1)), QString::fromLatin1(first->sha256Hex));

        QVERIFY(writeBytes(dir.filePath(QStringLiteral("tls.key")), second->keyPem));
        QVERIFY(writeBytes(dir.filePath(QStringLiteral("tls.crt")), second->certPem));
        const QString secondLeaf = QString::fromLatin1(second->sha256Hex);
        QTRY_COMPARE_WITH_TIMEOUT(fleet.nodesServing(secondLeaf), 2, kWaitMs);
        QCOMPARE(servedLeaf(fleet.port(0)), secondLeaf);
        QCOMPARE(servedLeaf(fleet.port(1)), secondLeaf);
    }

    void reload_brokenBundleKeepsTheOldLeafAndReportsIt()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        auto good = CertFactory::selfSigned(CertSpec::server());
        QVERIFY(good);
        QVERIFY(writeBytes(dir.filePath(QStringLiteral("tls.crt")), good->certPem));
        QVERIFY(writeBytes(dir.filePath(QStringLiteral("tls.key")), good->keyPem));
        TlsNodeFleet fleet;
        QVERIFY(fleet.start(dir.path(), 1, fastOptions(50)));
        QSignalSpy failed(&fleet, &TlsNodeFleet::reloadFailed);
        QSignalSpy reloaded(&fleet, &TlsNodeFleet::nodeReloaded);

        QVERIFY(writeBytes(dir.filePath(QStringLiteral("tls.crt")), "not a certificate\n"));
        fleet.bundleChanged();
        QTRY_VERIFY_WITH_TIMEOUT(failed.count() >= 1, kWaitMs);
        QCOMPARE(failed.at(0).at(0).toInt(), 0);
        QCOMPARE(reloaded.count(), 0);
        QCOMPARE(servedLeaf(fleet.port(0)), QString::fromLatin1(good->sha256Hex));
    }

    void pause_nodeKeepsTheOldLeafUntilResumed()
    {
        auto demo = makeDemo();
        QVERIFY(demo);
        TlsNodeFleet fleet;
        QVERIFY(fleet.start(demo->directory(), 3, fastOptions(150)));
        connect(demo.get(), &TlsDemo::rotated, &fleet, &TlsNodeFleet::bundleChanged);
        const QString oldLeaf = demo->diskFingerprint();
        fleet.pause(1, true);
        QVERIFY(fleet.isPaused(1));
        QSignalSpy reloaded(&fleet, &TlsNodeFleet::nodeReloaded);

        QVERIFY(demo->rotate());
        const QString newLeaf = demo->diskFingerprint();
        QVERIFY(!fleet.isReloadPending(1));
        // Node 2 reloads after node 1 would have: once it has, node 1 has really skipped it.
        QTRY_COMPARE_WITH_TIMEOUT(reloaded.count(), 2, kWaitMs);
        QCOMPARE(reloadOrder(reloaded), (QList<int>{0, 2}));
        QCOMPARE(servedLeaf(fleet.port(1)), oldLeaf);
        QCOMPARE(servedLeaf(fleet.port(2)), newLeaf);
        QCOMPARE(fleet.servedFingerprint(1), oldLeaf);

        // A second rotation does not reach it either; resuming it catches up with the disk.
        QVERIFY(demo->rotate());
        const QString newest = demo->diskFingerprint();
        QTRY_COMPARE_WITH_TIMEOUT(reloaded.count(), 4, kWaitMs);
        QCOMPARE(servedLeaf(fleet.port(1)), oldLeaf);
        fleet.pause(1, false);
        QVERIFY(fleet.isReloadPending(1));
        QTRY_COMPARE_WITH_TIMEOUT(servedLeaf(fleet.port(1)), newest, kWaitMs);
        QCOMPARE(fleet.nodesServing(newest), 3);
    }

    void pause_cancelsAPendingReload()
    {
        auto demo = makeDemo();
        QVERIFY(demo);
        TlsNodeFleet fleet;
        QVERIFY(fleet.start(demo->directory(), 3, fastOptions(150)));
        const QString oldLeaf = demo->diskFingerprint();
        QSignalSpy reloaded(&fleet, &TlsNodeFleet::nodeReloaded);
        QVERIFY(demo->rotate());
        fleet.bundleChanged();
        QVERIFY(fleet.isReloadPending(1));
        fleet.pause(1, true);
        QVERIFY(!fleet.isReloadPending(1));
        QTRY_COMPARE_WITH_TIMEOUT(reloaded.count(), 2, kWaitMs);
        QCOMPARE(reloadOrder(reloaded), (QList<int>{0, 2}));
        QCOMPARE(servedLeaf(fleet.port(1)), oldLeaf);
    }

    void stopNode_refusesAndRestartsOnItsPortWithTheCurrentBundle()
    {
        auto demo = makeDemo();
        QVERIFY(demo);
        TlsNodeFleet fleet;
        QVERIFY(fleet.start(demo->directory(), 3, fastOptions(100)));
        connect(demo.get(), &TlsDemo::rotated, &fleet, &TlsNodeFleet::bundleChanged);
        const quint16 port1 = fleet.port(1);
        fleet.stopNode(1);
        QVERIFY(!fleet.isListening(1));
        QCOMPARE(fleet.port(1), port1);
        QCOMPARE(servedLeaf(port1), QString()); // refused

        QSignalSpy reloaded(&fleet, &TlsNodeFleet::nodeReloaded);
        QVERIFY(demo->rotate());
        const QString newLeaf = demo->diskFingerprint();
        QVERIFY(!fleet.isReloadPending(1));
        QTRY_COMPARE_WITH_TIMEOUT(reloaded.count(), 2, kWaitMs);
        QCOMPARE(reloadOrder(reloaded), (QList<int>{0, 2}));

        const auto restarted = fleet.restartNode(1);
        QVERIFY2(restarted, restarted ? "" : qPrintable(restarted.error().toString()));
        QVERIFY(fleet.isListening(1));
        QCOMPARE(fleet.port(1), port1);
        QCOMPARE(fleet.servedFingerprint(1), newLeaf);
        QCOMPARE(servedLeaf(port1), newLeaf);
        QVERIFY(!fleet.isReloadPending(1));
    }

    void hangingServer_acceptsButNeverCompletesAHandshake()
    {
        HangingTlsServer hanging;
        QVERIFY(hanging.start());
        QVERIFY(hanging.port() != 0);

        QSslSocket socket;
        socket.setPeerVerifyMode(QSslSocket::VerifyNone);
        QSignalSpy encrypted(&socket, &QSslSocket::encrypted);
        QSignalSpy errors(&socket, &QAbstractSocket::errorOccurred);
        QSignalSpy accepted(&hanging, &HangingTlsServer::accepted);
        socket.connectToHostEncrypted(QStringLiteral("127.0.0.1"), hanging.port());
        QVERIFY(!encrypted.wait(500));
        // Connected at the TCP level, no handshake, no error, no close: it hangs.
        QCOMPARE(accepted.count(), 1);
        QCOMPARE(errors.count(), 0);
        QCOMPARE(socket.state(), QAbstractSocket::ConnectedState);
        QVERIFY(!socket.isEncrypted());
        QCOMPARE(hanging.openCount(), 1);

        // It still accepts while the first connection hangs.
        QSslSocket second;
        second.setPeerVerifyMode(QSslSocket::VerifyNone);
        second.connectToHostEncrypted(QStringLiteral("127.0.0.1"), hanging.port());
        QTRY_COMPARE_WITH_TIMEOUT(hanging.acceptedCount(), 2, kWaitMs);
        QTRY_COMPARE_WITH_TIMEOUT(second.state(), QAbstractSocket::ConnectedState, kWaitMs);
        QCOMPARE(hanging.openCount(), 2);
        QCOMPARE(servedLeaf(hanging.port(), 300), QString());

        // Connections go when their clients close them (servedLeaf's is gone already).
        QTRY_COMPARE_WITH_TIMEOUT(hanging.openCount(), 2, kWaitMs);
        socket.abort();
        QTRY_COMPARE_WITH_TIMEOUT(hanging.openCount(), 1, kWaitMs);
        hanging.stop();
        QCOMPARE(hanging.port(), quint16(0));
    }

    void fleet_manyNodesHandshakeInParallelAndStop_data()
    {
        QTest::addColumn<int>("nodes");
        QTest::addRow("50 nodes") << 50;
        QTest::addRow("200 nodes") << 200; // the fleet-probing benchmark's size
    }

    void fleet_manyNodesHandshakeInParallelAndStop()
    {
        QFETCH(int, nodes);
        auto demo = makeDemo();
        QVERIFY(demo);
        TlsNodeFleet fleet;
        const auto started = fleet.start(demo->directory(), nodes, fastOptions(1500, 250));
        QVERIFY2(started, started ? "" : qPrintable(started.error().toString()));
        QCOMPARE(fleet.count(), nodes);
        QSet<quint16> ports;
        for (int i = 0; i < nodes; ++i) {
            QVERIFY(fleet.isListening(i));
            ports.insert(fleet.port(i));
        }
        QCOMPARE(ports.size(), nodes);
        QVERIFY(!ports.contains(0));

        // One client per node plus ten more on node 0, all at once.
        const int clientCount = nodes + 10;
        std::vector<std::unique_ptr<QSslSocket>> clients;
        QStringList leaves;
        int failures = 0;
        for (int i = 0; i < clientCount; ++i) {
            auto socket = std::make_unique<QSslSocket>();
            socket->setPeerVerifyMode(QSslSocket::VerifyNone);
            QSslSocket *raw = socket.get();
            connect(raw, &QSslSocket::encrypted, this, [raw, &leaves] { leaves << leafSha(*raw); });
            connect(raw, &QAbstractSocket::errorOccurred, this, [&failures] { ++failures; });
            clients.push_back(std::move(socket));
        }
        for (int i = 0; i < clientCount; ++i)
            clients[size_t(i)]->connectToHostEncrypted(QStringLiteral("127.0.0.1"),
                                                       fleet.port(i < nodes ? i : 0));
        QTRY_COMPARE_WITH_TIMEOUT(leaves.size() + failures, clientCount, 60000);
        QCOMPARE(failures, 0);
        QCOMPARE(leaves.count(demo->diskFingerprint()), clientCount);
        clients.clear();

        const quint16 first = fleet.port(0);
        const quint16 last = fleet.port(nodes - 1);
        fleet.stop();
        QCOMPARE(fleet.count(), 0);
        QCOMPARE(servedLeaf(first), QString());
        QCOMPARE(servedLeaf(last), QString());
    }
};

OPSDECK_TEST_GUILESS_MAIN(TestTlsNodes)
#include "tst_tlsnodes.moc"
