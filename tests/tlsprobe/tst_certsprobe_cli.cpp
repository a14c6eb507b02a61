// SPDX-License-Identifier: GPL-3.0-or-later
// `opsdeck certs probe` as scripts use it: the built executable against `openssl s_server` on
// 127.0.0.1, table and JSON output, exit codes 0/1/2/3.

#include "opensslserver.h"
#include "opsdeckprocess.h"
#include "probefixture.h"
#include "testmain.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QSignalSpy>

using namespace opsdeck::test;

namespace {

using CliRun = opsdeck::test::OpsdeckRun;

CliRun runCli(const QStringList &args, int timeoutMs = 30000)
{
    return opsdeck::test::runOpsdeck(
        QStringList{QStringLiteral("certs"), QStringLiteral("probe")} + args, {}, timeoutMs);
}

QString describe(const CliRun &r)
{
    return QStringLiteral("exit %1\nstdout: %2\nstderr: %3").arg(r.exitCode).arg(r.out, r.err);
}

} // namespace

class TestCertsProbeCli : public QObject
{
    Q_OBJECT

private:
    ProbePki m_pki;
    OpenSslServer m_server;
    QString m_endpoint;
    QString m_bundle; // a disk bundle holding the served leaf

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(QFileInfo(opsdeckBinary()).isExecutable(), qPrintable(opsdeckBinary()));
        QVERIFY2(m_pki.make(), qPrintable(m_pki.error));
        SServerOptions o;
        o.cert = m_pki.leafCert;
        o.key = m_pki.leafKey;
        o.certChain = m_pki.intermediateCert;
        QVERIFY2(m_server.start(o), qPrintable(m_server.lastError()));
        m_endpoint = QStringLiteral("127.0.0.1:%1").arg(m_server.port());
        m_bundle = m_pki.dir.filePath(QStringLiteral("bundle"));
        QVERIFY(
            CertFactory::writeFile(m_bundle, QStringLiteral("tls.crt"), m_pki.chain.leaf.chainPem));
        QVERIFY(
            CertFactory::writeFile(m_bundle, QStringLiteral("tls.key"), m_pki.chain.leaf.keyPem));
        QVERIFY(
            CertFactory::writeFile(m_bundle, QStringLiteral("ca.crt"), m_pki.chain.root.certPem));
    }

    void tableOutput()
    {
        const CliRun r = runCli({m_endpoint});
        QVERIFY2(r.exitCode == 0, qPrintable(describe(r)));
        const QString fp = opensslFingerprint(m_pki.leafCert);
        QVERIFY2(r.out.startsWith(m_endpoint + QStringLiteral(": OK")), qPrintable(r.out));
        QVERIFY2(r.out.contains(QStringLiteral("leaf sha256: ") + fp), qPrintable(r.out));
        QVERIFY(r.out.contains(QLatin1String("protocol: TLSv1.3, cipher TLS_")));
        QVERIFY(r.out.contains(QLatin1String("verification: not verified (no CA given)")));
        QVERIFY(r.out.contains(QLatin1String("SUBJECT")));
        QVERIFY(r.out.contains(QLatin1String("NOT AFTER")));
        QVERIFY(r.out.contains(QLatin1String("CN=localhost")));
        QVERIFY(r.out.contains(QLatin1String("opsdeck Test Intermediate CA")));
        QVERIFY(!r.out.contains(QLatin1String("PRIVATE KEY")));
    }

    void jsonOutput()
    {
        const CliRun r = runCli({m_endpoint, QStringLiteral("--format"), QStringLiteral("json")});
        QVERIFY2(r.exitCode == 0, qPrintable(describe(r)));
        const QJsonObject o = r.json();
        QCOMPARE(o.value(QStringLiteral("command")).toString(), QStringLiteral("certs probe"));
        QCOMPARE(o.value(QStringLiteral("state")).toString(), QStringLiteral("OK"));
        QCOMPARE(o.value(QStringLiteral("exit_code")).toInt(), 0);
        QCOMPARE(o.value(QStringLiteral("endpoint")).toString(), m_endpoint);
        const QJsonObject probe = o.value(QStringLiteral("probe")).toObject();
        QCOMPARE(probe.value(QStringLiteral("leaf_sha256")).toString(),
                 opensslFingerprint(m_pki.leafCert));
        QCOMPARE(probe.value(QStringLiteral("protocol")).toString(), QStringLiteral("TLSv1.3"));
        QCOMPARE(probe.value(QStringLiteral("verified")).toBool(), false);
        QCOMPARE(probe.value(QStringLiteral("verify_reason")).toString(),
                 QStringLiteral("no CA given"));
        const QJsonArray chain = probe.value(QStringLiteral("chain")).toArray();
        QCOMPARE(chain.size(), 2);
        const QJsonObject leaf = chain.at(0).toObject();
        for (const char *key : {"subject", "issuer", "not_after", "days_left", "sha256"})
            QVERIFY2(leaf.contains(QLatin1String(key)), key);
        QVERIFY(leaf.value(QStringLiteral("days_left")).toInt() > 300);
        QVERIFY(!o.contains(QStringLiteral("matches_disk"))); // only with --compare
    }

    void verificationWithCa()
    {
        CliRun r = runCli({m_endpoint, QStringLiteral("--ca"), m_pki.rootCert,
                           QStringLiteral("--servername"), QStringLiteral("localhost")});
        QVERIFY2(r.exitCode == 0, qPrintable(describe(r)));
        QVERIFY2(r.out.contains(QLatin1String("verification: OK")), qPrintable(r.out));
        QVERIFY(r.out.contains(QLatin1String("(SNI localhost)")));

        r = runCli({m_endpoint, QStringLiteral("--ca"), m_pki.otherRootCert,
                    QStringLiteral("--format"), QStringLiteral("json")});
        QVERIFY2(r.exitCode == 2, qPrintable(describe(r)));
        const QJsonObject o = r.json();
        QCOMPARE(o.value(QStringLiteral("state")).toString(), QStringLiteral("CRITICAL"));
        QCOMPARE(o.value(QStringLiteral("probe")).toObject().value(QStringLiteral("verified")),
                 QJsonValue(false));
        QVERIFY2(o.value(QStringLiteral("reasons"))
                     .toArray()
                     .at(0)
                     .toString()
                     .contains(QLatin1String("untrusted_chain")),
                 qPrintable(r.out));

        r = runCli({m_endpoint, QStringLiteral("--ca"), m_pki.rootCert,
                    QStringLiteral("--servername"), QStringLiteral("wrong.example")});
        QVERIFY2(r.exitCode == 2, qPrintable(describe(r)));
        QVERIFY2(r.out.contains(QLatin1String("hostname_mismatch")), qPrintable(r.out));
    }

    void compareWithDisk()
    {
        CliRun r = runCli({m_endpoint, QStringLiteral("--compare"), m_bundle,
                           QStringLiteral("--format"), QStringLiteral("json")});
        QVERIFY2(r.exitCode == 0, qPrintable(describe(r)));
        QJsonObject o = r.json();
        QCOMPARE(o.value(QStringLiteral("matches_disk")), QJsonValue(true));
        QCOMPARE(o.value(QStringLiteral("compare")).toObject().value(QStringLiteral("relation")),
                 QJsonValue(QStringLiteral("matches")));

        // The disk bundle rotates to a newer leaf; the server keeps the old one.
        const QString rotated = m_pki.dir.filePath(QStringLiteral("rotated"));
        CertKey next;
        QVERIFY2(m_pki.newLeaf(&next, 600), qPrintable(m_pki.error));
        QVERIFY(CertFactory::writeFile(rotated, QStringLiteral("tls.crt"), next.chainPem));
        QVERIFY(CertFactory::writeFile(rotated, QStringLiteral("tls.key"), next.keyPem));
        r = runCli({m_endpoint, QStringLiteral("--compare"), rotated});
        QVERIFY2(r.exitCode == 2, qPrintable(describe(r)));
        QVERIFY2(r.out.contains(QLatin1String(
                     "matches_disk: false - rotated on disk, not reloaded by the service")),
                 qPrintable(r.out));
        r = runCli({m_endpoint, QStringLiteral("--compare"), rotated, QStringLiteral("--format"),
                    QStringLiteral("json")});
        o = r.json();
        QCOMPARE(o.value(QStringLiteral("matches_disk")), QJsonValue(false));
        const QJsonObject cmp = o.value(QStringLiteral("compare")).toObject();
        QCOMPARE(cmp.value(QStringLiteral("relation")).toString(), QStringLiteral("not_reloaded"));
        QCOMPARE(cmp.value(QStringLiteral("disk_leaf_sha256")).toString(),
                 QString::fromLatin1(next.sha256Hex));

        // A disk leaf older than the served one: it just differs.
        const QString older = m_pki.dir.filePath(QStringLiteral("older"));
        CertKey old;
        QVERIFY2(m_pki.newLeaf(&old, 7200), qPrintable(m_pki.error));
        QVERIFY(CertFactory::writeFile(older, QStringLiteral("tls.crt"), old.chainPem));
        QVERIFY(CertFactory::writeFile(older, QStringLiteral("tls.key"), old.keyPem));
        r = runCli({m_endpoint, QStringLiteral("--compare"), older});
        QVERIFY2(r.exitCode == 2, qPrintable(describe(r)));
        QVERIFY2(r.out.contains(QLatin1String("served certificate differs from disk")),
                 qPrintable(r.out));

        // A compare path that is not there: UNKNOWN, and no probe is made.
        r = runCli({m_endpoint, QStringLiteral("--compare"),
                    m_pki.dir.filePath(QStringLiteral("missing"))});
        QVERIFY2(r.exitCode == 3, qPrintable(describe(r)));
        QVERIFY(r.err.contains(QLatin1String("--compare")));
    }

    void expiringAndExpired()
    {
        // Expiring within 30 days: WARNING (1). Expired: CRITICAL (2).
        auto soon = CertFactory::issue(CertSpec::server(QStringLiteral("localhost")).validFor(10),
                                       m_pki.chain.intermediates.first());
        auto gone = CertFactory::issue(CertSpec::server(QStringLiteral("localhost")).expired(2),
                                       m_pki.chain.intermediates.first());
        QVERIFY(soon && gone);
        QString soonCert, soonKey, goneCert, goneKey;
        QVERIFY(m_pki.write(&soonCert, QStringLiteral("soon.crt"), soon->certPem));
        QVERIFY(m_pki.write(&soonKey, QStringLiteral("soon.key"), soon->keyPem));
        QVERIFY(m_pki.write(&goneCert, QStringLiteral("gone.crt"), gone->certPem));
        QVERIFY(m_pki.write(&goneKey, QStringLiteral("gone.key"), gone->keyPem));
        OpenSslServer server;
        SServerOptions o;
        o.cert = soonCert;
        o.key = soonKey;
        QVERIFY2(server.start(o), qPrintable(server.lastError()));
        const QString endpoint = QStringLiteral("127.0.0.1:%1").arg(server.port());
        CliRun r = runCli({endpoint});
        QVERIFY2(r.exitCode == 1, qPrintable(describe(r)));
        QVERIFY2(r.out.contains(QLatin1String("WARNING - served certificate expires in")),
                 qPrintable(r.out));
        r = runCli({endpoint, QStringLiteral("--warn-days"), QStringLiteral("5")});
        QVERIFY2(r.exitCode == 0, qPrintable(describe(r)));

        o.cert = goneCert;
        o.key = goneKey;
        QVERIFY2(server.start(o, server.port()), qPrintable(server.lastError()));
        r = runCli({endpoint});
        QVERIFY2(r.exitCode == 2, qPrintable(describe(r)));
        QVERIFY2(r.out.contains(QLatin1String("served certificate expired")), qPrintable(r.out));
    }

    void cannotConnect()
    {
        const quint16 closed = freeLoopbackPort();
        CliRun r = runCli({QStringLiteral("127.0.0.1:%1").arg(closed), QStringLiteral("--format"),
                           QStringLiteral("json")});
        QVERIFY2(r.exitCode == 3, qPrintable(describe(r)));
        const QJsonObject o = r.json();
        QCOMPARE(o.value(QStringLiteral("state")).toString(), QStringLiteral("UNKNOWN"));
        QCOMPARE(o.value(QStringLiteral("probe")).toObject().value(QStringLiteral("error")),
                 QJsonValue(QStringLiteral("refused")));

        SilentServer silent;
        QVERIFY(silent.listen());
        QElapsedTimer clock;
        clock.start();
        r = runCli({QStringLiteral("127.0.0.1:%1").arg(silent.port()), QStringLiteral("--timeout"),
                    QStringLiteral("600")});
        QVERIFY2(r.exitCode == 3, qPrintable(describe(r)));
        QVERIFY2(r.out.contains(QLatin1String("UNKNOWN - timeout: ")), qPrintable(r.out));
        QVERIFY2(clock.elapsed() < 10000, qPrintable(QString::number(clock.elapsed())));

        PlainHttpServer http;
        QVERIFY(http.listen());
        r = runCli({QStringLiteral("127.0.0.1:%1").arg(http.port())});
        QVERIFY2(r.exitCode == 3, qPrintable(describe(r)));
        QVERIFY2(r.out.contains(QLatin1String("not_tls: ")), qPrintable(r.out));
    }

    void usageErrors()
    {
        const QList<QStringList> bad = {
            {},
            {QStringLiteral("localhost")},
            {QStringLiteral("localhost:0")},
            {m_endpoint, QStringLiteral("--format"), QStringLiteral("yaml")},
            {m_endpoint, QStringLiteral("--timeout"), QStringLiteral("soon")},
            {m_endpoint, QStringLiteral("--bogus")},
            {m_endpoint, m_endpoint},
        };
        for (const QStringList &args : bad) {
            const CliRun r = runCli(args);
            QVERIFY2(r.exitCode == 3, qPrintable(args.join(QLatin1Char(' ')) + describe(r)));
            QVERIFY2(r.err.startsWith(QLatin1String("opsdeck certs probe: ")), qPrintable(r.err));
        }
        // A CA file that cannot be read is an UNKNOWN too (no verification possible).
        const CliRun r = runCli(
            {m_endpoint, QStringLiteral("--ca"), m_pki.dir.filePath(QStringLiteral("nope.pem"))});
        QVERIFY2(r.exitCode == 3, qPrintable(describe(r)));
        QVERIFY2(r.out.contains(QLatin1String("invalid_request")), qPrintable(r.out));
    }
};

OPSDECK_TEST_GUILESS_MAIN(TestCertsProbeCli)
#include "tst_certsprobe_cli.moc"
