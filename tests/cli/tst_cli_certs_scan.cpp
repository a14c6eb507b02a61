// SPDX-License-Identifier: GPL-3.0-or-later
#include "certfactory.h"
#include "opsdeckprocess.h"
#include "testmain.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>

using namespace opsdeck;
using namespace opsdeck::test;

namespace {

bool write(const QString &dir, const QString &name, const QByteArray &bytes)
{
    return CertFactory::writeFile(dir, name, bytes).ok();
}

QJsonObject firstBundle(const OpsdeckRun &r)
{
    return QJsonDocument::fromJson(r.out.toUtf8())
        .object()
        .value(QStringLiteral("bundles"))
        .toArray()
        .first()
        .toObject();
}

} // namespace

// `opsdeck certs scan` as scripts use it: verdicts, exit codes, JSON fields, secret handling.
class TestCliCertsScan : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    CertChain m_chain;

    // A bundle directory with the chain, key and CA of `leaf` (signed by m_chain's intermediate).
    QString makeBundle(const QString &name, const CertKey &leaf, const QByteArray &keyPem)
    {
        const QString dir = m_dir.filePath(name);
        QDir().mkpath(dir);
        write(dir, QStringLiteral("tls.crt"), leaf.chainPem);
        write(dir, QStringLiteral("tls.key"), keyPem);
        write(dir, QStringLiteral("ca.crt"), m_chain.root.certPem);
        return dir;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        auto chain =
            CertFactory::chain(CertSpec::server(QStringLiteral("solr-1")).validFor(200), 1);
        QVERIFY(chain.ok());
        m_chain = chain.value();
    }

    void validBundle_isOk_withFingerprintAndManifest()
    {
        const QString dir = makeBundle(QStringLiteral("ok"), m_chain.leaf, m_chain.leaf.keyPem);
        const OpsdeckRun r = runOpsdeck({QStringLiteral("certs"), QStringLiteral("scan"), dir,
                                         QStringLiteral("--hostname"), QStringLiteral("solr-1"),
                                         QStringLiteral("--format"), QStringLiteral("json")});
        QCOMPARE(r.exitCode, 0);
        const QJsonObject b = firstBundle(r);
        QCOMPARE(b.value(QStringLiteral("verdict")).toString(), QStringLiteral("ok"));
        QCOMPARE(b.value(QStringLiteral("leaf_fingerprint")).toString(),
                 QString::fromLatin1(m_chain.leaf.sha256Hex));
        QCOMPARE(b.value(QStringLiteral("manifest")).toString().size(), 64);
        QCOMPARE(b.value(QStringLiteral("chain")).toArray().size(), 3); // leaf, intermediate, root
        QCOMPARE(b.value(QStringLiteral("files")).toArray().size(), 3);
    }

    void verdicts_mapToExitCodes_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("verdict");
        QTest::addRow("expiring within warn days")
            << QStringLiteral("expiring") << 1 << QStringLiteral("ok");
        QTest::addRow("within crit days")
            << QStringLiteral("critical") << 2 << QStringLiteral("ok");
        QTest::addRow("expired") << QStringLiteral("expired") << 2 << QStringLiteral("expired");
        QTest::addRow("not yet valid")
            << QStringLiteral("future") << 2 << QStringLiteral("not_yet_valid");
        QTest::addRow("key mismatch")
            << QStringLiteral("mismatch") << 2 << QStringLiteral("key_mismatch");
        QTest::addRow("hostname mismatch")
            << QStringLiteral("hostname") << 2 << QStringLiteral("hostname_mismatch");
        QTest::addRow("missing intermediate")
            << QStringLiteral("untrusted") << 2 << QStringLiteral("untrusted_chain");
        QTest::addRow("garbage file")
            << QStringLiteral("garbage") << 2 << QStringLiteral("invalid");
    }
    void verdicts_mapToExitCodes()
    {
        QFETCH(QString, kind);
        QFETCH(int, exitCode);
        QFETCH(QString, verdict);
        const CertKey &issuer = m_chain.issuerOfLeaf();
        CertSpec spec = CertSpec::server(QStringLiteral("solr-1"));
        if (kind == QLatin1String("expiring"))
            spec.validFor(20);
        else if (kind == QLatin1String("critical"))
            spec.validFor(3);
        else if (kind == QLatin1String("expired"))
            spec.expired(2);
        else if (kind == QLatin1String("future"))
            spec.notYetValid(2);
        else
            spec.validFor(200);
        const auto leaf = CertFactory::issue(spec, issuer);
        QVERIFY(leaf.ok());
        QByteArray key = leaf->keyPem;
        if (kind == QLatin1String("mismatch"))
            key = m_chain.leaf.keyPem; // another certificate's key
        const QString dir = makeBundle(kind, leaf.value(), key);
        if (kind == QLatin1String("untrusted"))
            write(dir, QStringLiteral("tls.crt"), leaf->certPem); // leaf without its intermediate
        if (kind == QLatin1String("garbage"))
            write(dir, QStringLiteral("extra.pem"),
                  QByteArray("-----BEGIN CERTIFICATE-----\nnot base64 at all\n"));
        const QString hostname = kind == QLatin1String("hostname") ? QStringLiteral("other.example")
                                                                   : QStringLiteral("solr-1");
        const OpsdeckRun r =
            runOpsdeck({QStringLiteral("certs"), QStringLiteral("scan"), dir,
                        QStringLiteral("--hostname"), hostname, QStringLiteral("--warn-days"),
                        QStringLiteral("30"), QStringLiteral("--crit-days"), QStringLiteral("7"),
                        QStringLiteral("--format"), QStringLiteral("json")});
        QCOMPARE(r.exitCode, exitCode);
        const QJsonObject b = firstBundle(r);
        QCOMPARE(b.value(QStringLiteral("verdict")).toString(), verdict);
        if (kind == QLatin1String("untrusted"))
            QVERIFY2(b.value(QStringLiteral("reason"))
                         .toString()
                         .contains(
                             m_chain.intermediates.first().subject.section(QLatin1Char(','), 0, 0)),
                     qPrintable(b.value(QStringLiteral("reason")).toString()));
    }

    void worstBundleWins_andTableNamesEachBundle()
    {
        const QString good = makeBundle(QStringLiteral("good2"), m_chain.leaf, m_chain.leaf.keyPem);
        const QString missing = m_dir.filePath(QStringLiteral("does-not-exist"));
        const OpsdeckRun r =
            runOpsdeck({QStringLiteral("certs"), QStringLiteral("scan"), good, missing});
        QCOMPARE(r.exitCode, 3);
        QVERIFY2(r.out.contains(good + QStringLiteral(": OK - ok")), qPrintable(r.out));
        QVERIFY(
            r.out.contains(missing + QStringLiteral(": UNKNOWN - unreadable (does not exist)")));
    }

    void pkcs12_passwordFromEnvReference_andNeverPrinted()
    {
        const QByteArray password("canary-p12-password");
        const auto p12 = CertFactory::pkcs12(m_chain.leaf, password);
        QVERIFY(p12.ok());
        const QString dir = m_dir.filePath(QStringLiteral("p12"));
        QDir().mkpath(dir);
        write(dir, QStringLiteral("keystore.p12"), p12.value()); // leaf and key only
        write(dir, QStringLiteral("ca.crt"),
              m_chain.intermediates.first().certPem + m_chain.root.certPem);
        QProcessEnvironment env;
        env.insert(QStringLiteral("OPSDECK_TEST_P12"), QString::fromLatin1(password));
        const OpsdeckRun ok =
            runOpsdeck({QStringLiteral("certs"), QStringLiteral("scan"), dir,
                        QStringLiteral("--password"), QStringLiteral("env:OPSDECK_TEST_P12"),
                        QStringLiteral("--format"), QStringLiteral("json")},
                       env);
        QCOMPARE(firstBundle(ok).value(QStringLiteral("verdict")).toString(), QStringLiteral("ok"));
        QCOMPARE(ok.exitCode, 0);
        QVERIFY(!ok.out.contains(QString::fromLatin1(password)));

        env.insert(QStringLiteral("OPSDECK_TEST_P12"), QStringLiteral("wrong-canary"));
        const OpsdeckRun wrong =
            runOpsdeck({QStringLiteral("certs"), QStringLiteral("scan"), dir,
                        QStringLiteral("--password"), QStringLiteral("env:OPSDECK_TEST_P12"),
                        QStringLiteral("--format"), QStringLiteral("json")},
                       env);
        QCOMPARE(wrong.exitCode, 2);
        QVERIFY2(wrong.out.contains(QStringLiteral("bad_password")), qPrintable(wrong.out));
        QVERIFY(!wrong.out.contains(QStringLiteral("wrong-canary")));
        QVERIFY(!wrong.err.contains(QStringLiteral("wrong-canary")));
    }

    void usageErrors_exit3()
    {
        QCOMPARE(runOpsdeck({QStringLiteral("certs"), QStringLiteral("scan")}).exitCode, 3);
        const OpsdeckRun inlinePw =
            runOpsdeck({QStringLiteral("certs"), QStringLiteral("scan"), m_dir.path(),
                        QStringLiteral("--password"), QStringLiteral("hunter2")});
        QCOMPARE(inlinePw.exitCode, 3);
        QVERIFY(inlinePw.err.contains(QStringLiteral("reference")));
        QVERIFY(!inlinePw.err.contains(QStringLiteral("hunter2")));
        const OpsdeckRun days =
            runOpsdeck({QStringLiteral("certs"), QStringLiteral("scan"), m_dir.path(),
                        QStringLiteral("--warn-days"), QStringLiteral("5"),
                        QStringLiteral("--crit-days"), QStringLiteral("10")});
        QCOMPARE(days.exitCode, 3);
        const OpsdeckRun sub = runOpsdeck({QStringLiteral("certs"), QStringLiteral("frobnicate")});
        QCOMPARE(sub.exitCode, 3);
        QVERIFY(sub.err.contains(QStringLiteral("unknown subcommand 'frobnicate'")));
    }
};

OPSDECK_TEST_GUILESS_MAIN(TestCliCertsScan)
#include "tst_cli_certs_scan.moc"
