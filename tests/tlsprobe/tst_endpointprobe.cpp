// SPDX-License-Identifier: GPL-3.0-or-later
// EndpointProber against a real `openssl s_server` and misbehaving loopback servers. Everything
// runs on 127.0.0.1; certificates are made at test time.

#include "opensslserver.h"
#include "probefixture.h"
#include "testmain.h"
#include "tls/bundlereader.h"
#include "tls/endpointprobe.h"
#include "tls/inspector.h"

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QThread>

using namespace opsdeck;
using namespace opsdeck::test;
using opsdeck::tls::EndpointProber;
using opsdeck::tls::ProbeErrorKind;
using opsdeck::tls::ProbeRequest;
using opsdeck::tls::ProbeResult;

namespace {

ProbeRequest loopback(quint16 port, int timeoutMs = 5000)
{
    ProbeRequest r;
    r.host = QStringLiteral("127.0.0.1");
    r.port = port;
    r.timeoutMs = timeoutMs;
    return r;
}

// Runs one probe through the event loop (bounded by the probe's own timeout plus slack).
ProbeResult runProbe(EndpointProber &prober, const ProbeRequest &request)
{
    QSignalSpy spy(&prober, &EndpointProber::finished);
    const quint64 id = prober.probe(request);
    for (int round = 0; round < 4; ++round) {
        for (const QList<QVariant> &args : std::as_const(spy)) {
            const auto r = args.at(0).value<ProbeResult>();
            if (r.id == id)
                return r;
        }
        spy.wait(request.timeoutMs + 5000);
    }
    for (const QList<QVariant> &args : std::as_const(spy)) {
        const auto r = args.at(0).value<ProbeResult>();
        if (r.id == id)
            return r;
    }
    ProbeResult none;
    none.error = ProbeErrorKind::Aborted;
    none.errorMessage = QStringLiteral("test: no finished() for the probe");
    return none;
}

// The disk leaf of a bundle directory, the way `certs probe --compare` reads it.
std::optional<tls::CertificateInfo> diskLeaf(const QString &path)
{
    const auto listing = tls::listBundle(path);
    const auto files = tls::readBundle(listing, tls::InspectOptions{});
    tls::EvaluateOptions options;
    options.now = QDateTime::currentDateTimeUtc();
    return tls::evaluateBundle(files, options).leaf;
}

} // namespace

class TestEndpointProbe : public QObject
{
    Q_OBJECT

private:
    ProbePki m_pki;
    OpenSslServer m_server;

    SServerOptions defaultServer() const
    {
        SServerOptions o;
        o.cert = m_pki.leafCert;
        o.key = m_pki.leafKey;
        o.certChain = m_pki.intermediateCert;
        return o;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(m_pki.make(), qPrintable(m_pki.error));
        QVERIFY2(m_server.start(defaultServer()), qPrintable(m_server.lastError()));
    }

    void servedLeafFingerprintIsOpenSslFingerprint()
    {
        EndpointProber prober;
        const ProbeResult r = runProbe(prober, loopback(m_server.port()));
        QVERIFY2(r.ok(), qPrintable(r.errorMessage));
        const QString expected = opensslFingerprint(m_pki.leafCert);
        QVERIFY(!expected.isEmpty());
        QCOMPARE(r.leafSha256, expected);
        QCOMPARE(r.chain.size(), 2); // leaf + intermediate, as served
        QCOMPARE(r.chain.at(0).sha256, expected);
        QCOMPARE(r.chain.at(1).sha256, opensslFingerprint(m_pki.intermediateCert));
        QVERIFY2(r.chain.at(0).subject.contains(QLatin1String("CN=localhost")),
                 qPrintable(r.chain.at(0).subject));
        QVERIFY(r.chain.at(0).notAfter > QDateTime::currentDateTimeUtc());
        QCOMPARE(r.protocol, QStringLiteral("TLSv1.3"));
        QVERIFY(!r.cipher.isEmpty());
        QVERIFY(r.handshakeMs >= 0);
        QVERIFY(r.connectMs >= 0 && r.connectMs <= r.handshakeMs);
        QCOMPARE(r.endpoint, QStringLiteral("127.0.0.1:%1").arg(m_server.port()));
        QVERIFY(r.serverName.isEmpty()); // no SNI for an IP address
        QVERIFY(!r.verified);
        QCOMPARE(r.verifyReason, QStringLiteral("no CA given"));
        const QJsonObject json = r.toJson(QDateTime::currentDateTimeUtc());
        QCOMPARE(json.value(QStringLiteral("leaf_sha256")).toString(), expected);
        QCOMPARE(json.value(QStringLiteral("error")).toString(), QStringLiteral("none"));
        QCOMPARE(json.value(QStringLiteral("chain")).toArray().size(), 2);
    }

    void sniSelectsTheCertificate()
    {
        OpenSslServer sni;
        SServerOptions o = defaultServer();
        o.sniName = QStringLiteral("sni.test");
        o.cert2 = m_pki.sniCert;
        o.key2 = m_pki.sniKey;
        QVERIFY2(sni.start(o), qPrintable(sni.lastError()));

        EndpointProber prober;
        ProbeRequest withSni = loopback(sni.port());
        withSni.serverName = QStringLiteral("sni.test");
        const ProbeResult a = runProbe(prober, withSni);
        QVERIFY2(a.ok(), qPrintable(a.errorMessage));
        QCOMPARE(a.serverName, QStringLiteral("sni.test"));
        QCOMPARE(a.leafSha256, opensslFingerprint(m_pki.sniCert));

        ProbeRequest otherName = loopback(sni.port());
        otherName.serverName = QStringLiteral("localhost");
        const ProbeResult b = runProbe(prober, otherName);
        QVERIFY2(b.ok(), qPrintable(b.errorMessage));
        QCOMPARE(b.leafSha256, opensslFingerprint(m_pki.leafCert));
    }

    void verifiesAgainstTheRightCa()
    {
        EndpointProber prober;
        ProbeRequest byFile = loopback(m_server.port());
        byFile.caFile = m_pki.rootCert;
        byFile.serverName = QStringLiteral("localhost");
        const ProbeResult a = runProbe(prober, byFile);
        QVERIFY2(a.ok(), qPrintable(a.errorMessage));
        QVERIFY2(a.verified, qPrintable(a.verifyErrors.join(QLatin1Char('\n'))));
        QVERIFY(a.verifyReason.isEmpty());
        QCOMPARE(a.verifiedHostname, QStringLiteral("localhost"));

        // By DER and by IP address (the leaf has IP:127.0.0.1).
        ProbeRequest byIp = loopback(m_server.port());
        byIp.caCertificatesDer = {m_pki.chain.root.certDer};
        const ProbeResult b = runProbe(prober, byIp);
        QVERIFY2(b.verified, qPrintable(b.verifyErrors.join(QLatin1Char('\n'))));
        QCOMPARE(b.verifiedHostname, QStringLiteral("127.0.0.1"));
    }

    void wrongCaFailsAndSaysWhy()
    {
        EndpointProber prober;
        ProbeRequest r = loopback(m_server.port());
        r.caFile = m_pki.otherRootCert;
        r.serverName = QStringLiteral("localhost");
        const ProbeResult res = runProbe(prober, r);
        QVERIFY2(res.ok(), qPrintable(res.errorMessage)); // the chain is still collected
        QCOMPARE(res.leafSha256, opensslFingerprint(m_pki.leafCert));
        QVERIFY(!res.verified);
        QVERIFY(res.verifyProblems.contains(tls::Problem::UntrustedChain));
        QVERIFY2(res.verifyReason.startsWith(QLatin1String("untrusted_chain: ")),
                 qPrintable(res.verifyReason));
        QVERIFY2(res.verifyReason.contains(QLatin1String("issuer certificate")),
                 qPrintable(res.verifyReason));
    }

    void hostnameMismatchIsNamed()
    {
        EndpointProber prober;
        ProbeRequest r = loopback(m_server.port());
        r.caFile = m_pki.rootCert;
        r.serverName = QStringLiteral("wrong.example");
        const ProbeResult res = runProbe(prober, r);
        QVERIFY2(res.ok(), qPrintable(res.errorMessage));
        QVERIFY(!res.verified);
        QCOMPARE(res.verifyProblems, QList<tls::Problem>{tls::Problem::HostnameMismatch});
        QVERIFY2(res.verifyReason.startsWith(QLatin1String("hostname_mismatch: ")),
                 qPrintable(res.verifyReason));

        // verifyHostname overrides the SNI name for the check.
        r.serverName = QStringLiteral("localhost");
        r.verifyHostname = QStringLiteral("db.example");
        const ProbeResult res2 = runProbe(prober, r);
        QVERIFY(!res2.verified);
        QCOMPARE(res2.verifiedHostname, QStringLiteral("db.example"));
        QVERIFY(res2.verifyProblems.contains(tls::Problem::HostnameMismatch));
    }

    void servedBeforeAndAfterRestart()
    {
        // The disk bundle and the server start with the same leaf.
        QTemporaryDir bundle;
        QVERIFY(bundle.isValid());
        QVERIFY(CertFactory::writeFile(bundle.path(), QStringLiteral("tls.crt"),
                                       m_pki.chain.leaf.chainPem));
        QVERIFY(CertFactory::writeFile(bundle.path(), QStringLiteral("tls.key"),
                                       m_pki.chain.leaf.keyPem));
        QVERIFY(CertFactory::writeFile(bundle.path(), QStringLiteral("ca.crt"),
                                       m_pki.chain.root.certPem));
        OpenSslServer server;
        QVERIFY2(server.start(defaultServer()), qPrintable(server.lastError()));
        EndpointProber prober;

        auto leaf = diskLeaf(bundle.path());
        QVERIFY(leaf);
        ProbeResult r = runProbe(prober, loopback(server.port()));
        QVERIFY2(r.ok(), qPrintable(r.errorMessage));
        auto cmp = tls::compareWithDisk(r, *leaf);
        QCOMPARE(cmp.match, tls::DiskMatch::Matches);
        QCOMPARE(cmp.matchesDisk, std::optional<bool>(true));

        // Rotate on disk only: a newer leaf (notBefore 10 minutes ago, the old one 1 hour ago).
        CertKey next;
        QVERIFY2(m_pki.newLeaf(&next, 600), qPrintable(m_pki.error));
        QVERIFY(CertFactory::writeFile(bundle.path(), QStringLiteral("tls.crt"), next.chainPem));
        QVERIFY(CertFactory::writeFile(bundle.path(), QStringLiteral("tls.key"), next.keyPem));
        leaf = diskLeaf(bundle.path());
        QVERIFY(leaf);
        QCOMPARE(leaf->sha256, QString::fromLatin1(next.sha256Hex));
        r = runProbe(prober, loopback(server.port()));
        QVERIFY2(r.ok(), qPrintable(r.errorMessage));
        cmp = tls::compareWithDisk(r, *leaf);
        QCOMPARE(cmp.match, tls::DiskMatch::NotReloaded);
        QCOMPARE(cmp.matchesDisk, std::optional<bool>(false));
        QCOMPARE(cmp.message, QStringLiteral("rotated on disk, not reloaded by the service"));
        // The fingerprint-only comparison cannot tell the direction.
        QCOMPARE(tls::compareWithDisk(r, leaf->sha256).match, tls::DiskMatch::Differs);

        // "Reload" the service: restart s_server on the same port with the new files.
        const QString dir = bundle.path();
        SServerOptions o = defaultServer();
        o.cert = dir + QStringLiteral("/tls.crt");
        o.key = dir + QStringLiteral("/tls.key");
        QVERIFY2(server.start(o, server.port()), qPrintable(server.lastError()));
        r = runProbe(prober, loopback(server.port()));
        QVERIFY2(r.ok(), qPrintable(r.errorMessage));
        cmp = tls::compareWithDisk(r, *leaf);
        QCOMPARE(cmp.match, tls::DiskMatch::Matches);
        QCOMPARE(r.leafSha256, QString::fromLatin1(next.sha256Hex));
    }

    void refusedIsQuick()
    {
        const quint16 closed = freeLoopbackPort();
        QVERIFY(closed != 0);
        EndpointProber prober;
        QElapsedTimer clock;
        clock.start();
        const ProbeResult r = runProbe(prober, loopback(closed, 5000));
        QCOMPARE(r.error, ProbeErrorKind::Refused);
        QVERIFY2(clock.elapsed() < 2000, qPrintable(QString::number(clock.elapsed())));
        QVERIFY(r.chain.isEmpty());
        QVERIFY(r.leafSha256.isEmpty());
        QCOMPARE(tls::probeErrorKindName(r.error), QStringLiteral("refused"));
    }

    void silentServerTimesOutWithinTheBound()
    {
        SilentServer silent;
        QVERIFY(silent.listen());
        EndpointProber prober;
        QElapsedTimer clock;
        clock.start();
        const ProbeResult r = runProbe(prober, loopback(silent.port(), 800));
        const qint64 elapsed = clock.elapsed();
        QCOMPARE(r.error, ProbeErrorKind::Timeout);
        QVERIFY2(elapsed >= 700 && elapsed < 3000, qPrintable(QString::number(elapsed)));
        QVERIFY2(r.errorMessage.contains(QLatin1String("TCP connected")),
                 qPrintable(r.errorMessage));
        QVERIFY(silent.accepted() >= 1);
        QVERIFY(prober.isIdle());
    }

    void plainHttpIsNotTls()
    {
        PlainHttpServer http;
        QVERIFY(http.listen());
        EndpointProber prober;
        const ProbeResult r = runProbe(prober, loopback(http.port(), 3000));
        QCOMPARE(r.error, ProbeErrorKind::NotTls);
        QVERIFY2(r.errorMessage.contains(QLatin1String("does not speak TLS")),
                 qPrintable(r.errorMessage));
    }

    void concurrencyIsBounded()
    {
        EndpointProber prober;
        prober.setMaxInFlight(4);
        int inFlight = 0;
        int maxSeen = 0;
        int ok = 0;
        QSet<quint64> finishedIds;
        connect(&prober, &EndpointProber::started, this, [&](quint64) {
            ++inFlight;
            maxSeen = qMax(maxSeen, inFlight);
            QVERIFY(prober.inFlight() <= 4);
        });
        connect(&prober, &EndpointProber::finished, this, [&](const ProbeResult &r) {
            --inFlight;
            finishedIds.insert(r.id);
            if (r.ok() && r.leafSha256 == QString::fromLatin1(m_pki.chain.leaf.sha256Hex))
                ++ok;
        });
        QSignalSpy idle(&prober, &EndpointProber::idle);
        QSet<quint64> ids;
        for (int i = 0; i < 20; ++i)
            ids.insert(prober.probe(loopback(m_server.port())));
        QCOMPARE(ids.size(), 20);
        QCOMPARE(prober.inFlight(), 0); // nothing starts inside probe()
        QCOMPARE(prober.queued(), 20);
        QVERIFY(idle.wait(60000));
        QCOMPARE(finishedIds, ids);
        QCOMPARE(ok, 20);
        QCOMPARE(maxSeen, 4);
        QCOMPARE(inFlight, 0);
        QVERIFY(prober.isIdle());
    }

    void invalidRequestsAreReportedLater()
    {
        EndpointProber prober;
        QSignalSpy spy(&prober, &EndpointProber::finished);
        ProbeRequest r = loopback(m_server.port());
        r.caFile = m_pki.dir.filePath(QStringLiteral("does-not-exist.pem"));
        prober.probe(r);
        QCOMPARE(spy.size(), 0);
        QVERIFY(spy.wait(5000));
        auto res = spy.at(0).at(0).value<ProbeResult>();
        QCOMPARE(res.error, ProbeErrorKind::InvalidRequest);
        QVERIFY(res.errorMessage.contains(QLatin1String("does-not-exist.pem")));

        ProbeRequest noPort;
        noPort.host = QStringLiteral("127.0.0.1");
        prober.probe(noPort);
        QVERIFY(spy.wait(5000));
        res = spy.at(1).at(0).value<ProbeResult>();
        QCOMPARE(res.error, ProbeErrorKind::InvalidRequest);
    }

    void abortAllAndDestructionAreClean()
    {
        SilentServer silent;
        QVERIFY(silent.listen());
        auto *prober = new EndpointProber;
        prober->setMaxInFlight(2);
        QSignalSpy spy(prober, &EndpointProber::finished);
        for (int i = 0; i < 5; ++i)
            prober->probe(loopback(silent.port(), 30000));
        QTRY_COMPARE_WITH_TIMEOUT(prober->inFlight(), 2, 5000);
        prober->abortAll();
        QCOMPARE(spy.size(), 5);
        for (const QList<QVariant> &args : std::as_const(spy))
            QCOMPARE(args.at(0).value<ProbeResult>().error, ProbeErrorKind::Aborted);
        QVERIFY(prober->isIdle());

        // Destroyed while probes run: no finished(), no crash.
        for (int i = 0; i < 3; ++i)
            prober->probe(loopback(silent.port(), 30000));
        QTRY_COMPARE_WITH_TIMEOUT(prober->inFlight(), 2, 5000);
        const auto before = spy.size();
        delete prober;
        QCoreApplication::processEvents();
        QCOMPARE(spy.size(), before);
    }

    void hostNameIsSniAndVerifiedName()
    {
        // "localhost" resolves locally (/etc/hosts); s_server listens on 127.0.0.1 only, so an
        // IPv6-first answer also shows that every address is tried.
        EndpointProber prober;
        ProbeRequest r = loopback(m_server.port());
        r.host = QStringLiteral("localhost");
        r.caFile = m_pki.rootCert;
        const ProbeResult res = runProbe(prober, r);
        QVERIFY2(res.ok(), qPrintable(res.errorMessage));
        QCOMPARE(res.serverName, QStringLiteral("localhost"));
        QCOMPARE(res.endpoint, QStringLiteral("localhost:%1").arg(m_server.port()));
        QCOMPARE(res.peerAddress, QStringLiteral("127.0.0.1"));
        QVERIFY2(res.verified, qPrintable(res.verifyReason));
    }

    void worksOnAWorkerThread()
    {
        QThread worker;
        worker.start();
        auto *prober = new EndpointProber;
        prober->moveToThread(&worker);
        connect(&worker, &QThread::finished, prober, &QObject::deleteLater);
        // The context lives here: the result crosses as a value through a queued connection.
        QList<ProbeResult> results;
        bool onThisThread = false;
        connect(prober, &EndpointProber::finished, this, [&](const ProbeResult &r) {
            onThisThread = QThread::currentThread() == thread();
            results << r;
        });
        const ProbeRequest request = loopback(m_server.port());
        QMetaObject::invokeMethod(prober, [prober, request] { prober->probe(request); });
        QTRY_COMPARE_WITH_TIMEOUT(results.size(), 1, 15000);
        QVERIFY(onThisThread);
        QVERIFY2(results.first().ok(), qPrintable(results.first().errorMessage));
        QCOMPARE(results.first().leafSha256, QString::fromLatin1(m_pki.chain.leaf.sha256Hex));
        worker.quit();
        QVERIFY(worker.wait(10000));
    }

    void metatypeCrossesThreads()
    {
        QVERIFY(QMetaType::fromType<ProbeResult>().isValid());
        ProbeResult r;
        r.leafSha256 = QStringLiteral("ab");
        const QVariant v = QVariant::fromValue(r);
        QCOMPARE(v.value<ProbeResult>().leafSha256, QStringLiteral("ab"));
    }

    void cleanupTestCase() { m_server.stop(); }
};

OPSDECK_TEST_GUILESS_MAIN(TestEndpointProbe)
#include "tst_endpointprobe.moc"
