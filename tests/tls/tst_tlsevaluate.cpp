// SPDX-License-Identifier: GPL-3.0-or-later
// Bundle verdicts (ok, expired, not yet valid, untrusted chain with the missing issuer named, key
// mismatch, hostname incl. wildcard and IP SANs), warnings, and the manifest hash.

#include "testmain.h"
#include "tls/inspector.h"
#include "tlsfixture.h"

#include <QFile>

using namespace opsdeck::tls;
using opsdeck::tls::testing::Pki;

class TlsEvaluateTest : public QObject
{
    Q_OBJECT

private:
    Pki m_pki;
    QDateTime m_leafNotBefore;

    QList<FileInspection> load(const QStringList &names, const InspectOptions &o = {})
    {
        QList<FileInspection> files;
        for (const QString &n : names)
            files << inspectFile(m_pki.path(n), o);
        return files;
    }

private slots:
    void initTestCase();
    void verdicts_data();
    void verdicts();
    void chainPathAndLeaf();
    void extraAnchorsAndSystemStore();
    void keystoreBundles();
    void trustOnlyBundle();
    void manifest();
    void emptyAndUnreadableBundles();
    void evaluationTiming();
};

void TlsEvaluateTest::initTestCase()
{
    QVERIFY(m_pki.isValid());
    Pki &p = m_pki;
    const QString sans =
        QStringLiteral("DNS:leaf.example.test,DNS:*.apps.example.test,DNS:localhost,IP:127.0.0.1,"
                       "IP:::1");
    const bool ok =
        p.key(QStringLiteral("root.key"), QStringLiteral("rsa:2048")) &&
        p.root(QStringLiteral("root.crt"), QStringLiteral("root.key"),
               QStringLiteral("opsdeck Test Root CA")) &&
        p.key(QStringLiteral("other-root.key"), QStringLiteral("ec:P-256")) &&
        p.root(QStringLiteral("other-root.crt"), QStringLiteral("other-root.key"),
               QStringLiteral("Other Root CA")) &&
        p.key(QStringLiteral("int.key"), QStringLiteral("ec:P-256")) &&
        p.issue(QStringLiteral("int.crt"), QStringLiteral("int.key"),
                QStringLiteral("opsdeck Test Intermediate CA"), QStringLiteral("root.crt"),
                QStringLiteral("root.key"), true, QString(), 1825, QStringLiteral("0x1001")) &&
        p.key(QStringLiteral("leaf.key"), QStringLiteral("rsa:2048")) &&
        p.issue(QStringLiteral("leaf.crt"), QStringLiteral("leaf.key"),
                QStringLiteral("leaf.example.test"), QStringLiteral("int.crt"),
                QStringLiteral("int.key"), false, sans, 365, QStringLiteral("0x1234abcd")) &&
        p.key(QStringLiteral("short.key"), QStringLiteral("ec:P-256")) &&
        p.issue(QStringLiteral("short.crt"), QStringLiteral("short.key"),
                QStringLiteral("short.example.test"), QStringLiteral("int.crt"),
                QStringLiteral("int.key"), false, QStringLiteral("DNS:short.example.test"), 10,
                QStringLiteral("0x55")) &&
        p.key(QStringLiteral("wrong.key"), QStringLiteral("rsa:2048")) &&
        p.openssl({QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-new"),
                   QStringLiteral("-key"), p.path(QStringLiteral("wrong.key")),
                   QStringLiteral("-subj"), QStringLiteral("/CN=self.example.test"),
                   QStringLiteral("-days"), QStringLiteral("100"), QStringLiteral("-addext"),
                   QStringLiteral("subjectAltName=DNS:self.example.test"), QStringLiteral("-out"),
                   p.path(QStringLiteral("self.crt"))}) &&
        p.openssl({QStringLiteral("pkey"), QStringLiteral("-in"),
                   p.path(QStringLiteral("leaf.key")), QStringLiteral("-aes256"),
                   QStringLiteral("-passout"), QStringLiteral("pass:secret"),
                   QStringLiteral("-out"), p.path(QStringLiteral("leaf-enc.key"))}) &&
        p.concat(QStringLiteral("chain.pem"),
                 {QStringLiteral("leaf.crt"), QStringLiteral("int.crt")}) &&
        p.concat(QStringLiteral("int-first.pem"),
                 {QStringLiteral("int.crt"), QStringLiteral("leaf.crt")}) &&
        p.concat(QStringLiteral("short-chain.pem"),
                 {QStringLiteral("short.crt"), QStringLiteral("int.crt")}) &&
        p.concat(
            QStringLiteral("fullchain.pem"),
            {QStringLiteral("leaf.crt"), QStringLiteral("int.crt"), QStringLiteral("root.crt")}) &&
        p.concat(QStringLiteral("trust.pem"),
                 {QStringLiteral("root.crt"), QStringLiteral("other-root.crt")}) &&
        p.openssl({QStringLiteral("pkcs12"), QStringLiteral("-export"), QStringLiteral("-in"),
                   p.path(QStringLiteral("leaf.crt")), QStringLiteral("-inkey"),
                   p.path(QStringLiteral("leaf.key")), QStringLiteral("-certfile"),
                   p.path(QStringLiteral("int.crt")), QStringLiteral("-passout"),
                   QStringLiteral("pass:secret"), QStringLiteral("-out"),
                   p.path(QStringLiteral("leaf.p12"))});
    QVERIFY2(ok, qPrintable(p.lastError()));
    QFile::setPermissions(p.path(QStringLiteral("leaf.key")),
                          QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    m_leafNotBefore =
        inspectFile(p.path(QStringLiteral("leaf.crt")), {}).certificates.first().notBefore;
}

void TlsEvaluateTest::verdicts_data()
{
    QTest::addColumn<QStringList>("files");
    QTest::addColumn<int>("nowDays"); // evaluation time: the leaf's notBefore + this many days
    QTest::addColumn<QString>("hostname");
    QTest::addColumn<int>("verdict");
    QTest::addColumn<int>("problem");
    QTest::addColumn<QString>("reason");  // substring of the reason
    QTest::addColumn<QString>("warning"); // expected warning ("!x": must be absent)

    auto row = [](const char *tag, const QStringList &files, int nowDays, const char *host,
                  Verdict v, Problem p, const char *reason = "", const char *warning = "") {
        QTest::newRow(tag) << files << nowDays << QString::fromLatin1(host) << static_cast<int>(v)
                           << static_cast<int>(p) << QString::fromLatin1(reason)
                           << QString::fromLatin1(warning);
    };
    const QString chain = QStringLiteral("chain.pem");
    const QString key = QStringLiteral("leaf.key");
    const QString root = QStringLiteral("root.crt");
    using V = Verdict;
    using P = Problem;
    row("ok: chain + key + root", {chain, key, root}, 100, "", V::Ok, P::None, "",
        "!expiring_soon");
    row("ok: separate files", {QStringLiteral("leaf.crt"), QStringLiteral("int.crt"), key, root}, 1,
        "", V::Ok, P::None);
    row("ok: full chain, root self-signed tail", {QStringLiteral("fullchain.pem"), key}, 1, "",
        V::Ok, P::None);
    row("ok: trust bundle with two roots", {chain, key, QStringLiteral("trust.pem")}, 1, "", V::Ok,
        P::None);
    row("ok: no key (trust-only use of a chain)", {chain, root}, 1, "", V::Ok, P::None);
    row("ok: self-signed leaf with its key",
        {QStringLiteral("self.crt"), QStringLiteral("wrong.key")}, 1, "", V::Ok, P::None);
    row("expired", {chain, key, root}, 366, "", V::Expired, P::Expired, "expired on");
    row("expired wins over untrusted", {chain, key}, 400, "", V::Expired, P::Expired);
    row("not yet valid", {chain, key, root}, -2, "", V::NotYetValid, P::NotYetValid,
        "not valid before");
    row("untrusted: intermediate missing", {QStringLiteral("leaf.crt"), key, root}, 1, "",
        V::UntrustedChain, P::UntrustedChain,
        "issuer 'CN=opsdeck Test Intermediate CA,O=opsdeck tests' of "
        "'CN=leaf.example.test,O=opsdeck tests' not found");
    row("untrusted: root missing", {chain, key}, 1, "", V::UntrustedChain, P::UntrustedChain,
        "issuer 'CN=opsdeck Test Root CA,O=opsdeck tests' of 'CN=opsdeck Test Intermediate "
        "CA,O=opsdeck tests' not found");
    row("untrusted: wrong root", {chain, key, QStringLiteral("other-root.crt")}, 1, "",
        V::UntrustedChain, P::UntrustedChain, "CN=opsdeck Test Root CA");
    row("key mismatch", {chain, QStringLiteral("wrong.key"), root}, 1, "", V::KeyMismatch,
        P::KeyMismatch, "does not match");
    row("key encrypted", {chain, QStringLiteral("leaf-enc.key"), root}, 1, "", V::Invalid,
        P::KeyEncrypted, "leaf-enc.key: ");
    row("hostname exact", {chain, key, root}, 1, "leaf.example.test", V::Ok, P::None);
    row("hostname localhost", {chain, key, root}, 1, "localhost", V::Ok, P::None);
    row("hostname wildcard", {chain, key, root}, 1, "web.apps.example.test", V::Ok, P::None);
    row("hostname wildcard one label only", {chain, key, root}, 1, "a.b.apps.example.test",
        V::HostnameMismatch, P::HostnameMismatch, "a.b.apps.example.test");
    row("hostname wildcard not the apex", {chain, key, root}, 1, "apps.example.test",
        V::HostnameMismatch, P::HostnameMismatch);
    row("hostname other", {chain, key, root}, 1, "evil.example.test", V::HostnameMismatch,
        P::HostnameMismatch, "DNS:leaf.example.test");
    row("ip v4 match", {chain, key, root}, 1, "127.0.0.1", V::Ok, P::None);
    row("ip v6 match", {chain, key, root}, 1, "::1", V::Ok, P::None);
    row("ip mismatch", {chain, key, root}, 1, "10.0.0.1", V::HostnameMismatch, P::HostnameMismatch,
        "address '10.0.0.1'");
    row("leaf not first", {QStringLiteral("int-first.pem"), key, root}, 1, "", V::Ok, P::None, "",
        "leaf_not_first");
    row("expiring soon", {QStringLiteral("short-chain.pem"), QStringLiteral("short.key"), root}, 2,
        "", V::Ok, P::None, "", "expiring_soon");
    row("pkcs12 bundle + root", {QStringLiteral("leaf.p12"), root}, 1, "", V::Ok, P::None);
    row("missing file among others", {chain, key, QStringLiteral("nope.crt")}, 1, "", V::Invalid,
        P::Missing, "nope.crt");
}

void TlsEvaluateTest::verdicts()
{
    QFETCH(QStringList, files);
    QFETCH(int, nowDays);
    QFETCH(QString, hostname);
    QFETCH(int, verdict);
    QFETCH(int, problem);
    QFETCH(QString, reason);
    QFETCH(QString, warning);

    InspectOptions io;
    io.havePassword = true;
    io.storePassword = "secret";
    EvaluateOptions o;
    o.now = m_leafNotBefore.addDays(nowDays);
    o.expectedHostname = hostname;
    const BundleEvaluation e = evaluateBundle(load(files, io), o);
    QVERIFY2(verdictName(e.verdict) == verdictName(static_cast<Verdict>(verdict)),
             qPrintable(verdictName(e.verdict) + QStringLiteral(": ") + e.reason));
    QCOMPARE(problemCode(e.problem), problemCode(static_cast<Problem>(problem)));
    QVERIFY2(e.reason.contains(reason), qPrintable(e.reason));
    QVERIFY(!e.reason.isEmpty());
    if (warning.startsWith(QLatin1Char('!')))
        QVERIFY2(!e.warnings.contains(warning.mid(1)),
                 qPrintable(e.warnings.join(QLatin1Char(','))));
    else if (!warning.isEmpty())
        QVERIFY2(e.warnings.contains(warning), qPrintable(e.warnings.join(QLatin1Char(','))));
    QCOMPARE(e.consistent(), e.verdict == Verdict::Ok);
    QCOMPARE(e.manifest.size(), 64);
}

void TlsEvaluateTest::chainPathAndLeaf()
{
    EvaluateOptions o;
    o.now = m_leafNotBefore.addDays(65);
    // Order of files and of certificates inside them must not matter.
    const BundleEvaluation e =
        evaluateBundle(load({QStringLiteral("root.crt"), QStringLiteral("int-first.pem"),
                             QStringLiteral("leaf.key")}),
                       o);
    QCOMPARE(e.verdict, Verdict::Ok);
    QVERIFY(e.leaf.has_value());
    QCOMPARE(e.leaf->subject, QStringLiteral("CN=leaf.example.test,O=opsdeck tests"));
    QCOMPARE(e.daysLeft, 300);
    QCOMPARE(e.chainPath.size(), 3);
    QCOMPARE(e.chainPath.at(0).serialHex, QStringLiteral("1234abcd"));
    QCOMPARE(e.chainPath.at(1).subject,
             QStringLiteral("CN=opsdeck Test Intermediate CA,O=opsdeck tests"));
    QCOMPARE(e.chainPath.at(2).subject, QStringLiteral("CN=opsdeck Test Root CA,O=opsdeck tests"));
    QVERIFY(e.chainPath.at(2).selfSigned);

    // Infos that lost their shared X509 handle (e.g. rebuilt from JSON) are decoded from DER.
    QList<FileInspection> files =
        load({QStringLiteral("chain.pem"), QStringLiteral("root.crt"), QStringLiteral("leaf.key")});
    for (FileInspection &f : files) {
        for (CertificateInfo &c : f.certificates)
            c.x509.reset();
    }
    const BundleEvaluation again = evaluateBundle(files, o);
    QCOMPARE(again.verdict, Verdict::Ok);
    QCOMPARE(again.chainPath.size(), 3);
}

void TlsEvaluateTest::extraAnchorsAndSystemStore()
{
    EvaluateOptions o;
    o.now = m_leafNotBefore.addDays(1);
    const QList<FileInspection> files =
        load({QStringLiteral("chain.pem"), QStringLiteral("leaf.key")});
    QCOMPARE(evaluateBundle(files, o).verdict, Verdict::UntrustedChain);
    o.extraTrustAnchorsDer
        << inspectFile(m_pki.path(QStringLiteral("root.crt")), {}).certificates.first().der;
    QCOMPARE(evaluateBundle(files, o).verdict, Verdict::Ok);
    // The system store does not know our test root.
    EvaluateOptions s;
    s.now = o.now;
    s.useSystemTrustStore = true;
    const BundleEvaluation e = evaluateBundle(files, s);
    QCOMPARE(e.verdict, Verdict::UntrustedChain);
    QVERIFY2(e.reason.contains(QStringLiteral("CN=opsdeck Test Root CA")), qPrintable(e.reason));
    // A bad extra anchor is a warning, not a crash.
    o.extraTrustAnchorsDer << QByteArray("garbage");
    QVERIFY(evaluateBundle(files, o).warnings.contains(QStringLiteral("bad_extra_trust_anchor")));
}

void TlsEvaluateTest::keystoreBundles()
{
    if (Pki::keytool().isEmpty())
        QSKIP("Java keytool not installed");
    const QString pass = QStringLiteral("changeit");
    QVERIFY2(
        m_pki.run(Pki::keytool(),
                  {QStringLiteral("-genkeypair"), QStringLiteral("-alias"), QStringLiteral("svc"),
                   QStringLiteral("-keyalg"), QStringLiteral("EC"), QStringLiteral("-dname"),
                   QStringLiteral("CN=svc.example.test"), QStringLiteral("-ext"),
                   QStringLiteral("SAN=dns:svc.example.test"), QStringLiteral("-validity"),
                   QStringLiteral("90"), QStringLiteral("-storetype"), QStringLiteral("JKS"),
                   QStringLiteral("-keystore"), m_pki.path(QStringLiteral("svc.jks")),
                   QStringLiteral("-storepass"), pass, QStringLiteral("-keypass"), pass}),
        qPrintable(m_pki.lastError()));
    InspectOptions io;
    io.havePassword = true;
    io.storePassword = pass.toUtf8();
    EvaluateOptions o;
    o.expectedHostname = QStringLiteral("svc.example.test");
    const BundleEvaluation e = evaluateBundle(load({QStringLiteral("svc.jks")}, io), o);
    QVERIFY2(e.verdict == Verdict::Ok, qPrintable(e.reason));
    QVERIFY(e.warnings.contains(QStringLiteral("key_not_checked")));
    QCOMPARE(e.leaf->alias, QStringLiteral("svc"));
    QVERIFY(e.daysLeft >= 88 && e.daysLeft <= 90);
    // Without the password the certificates still evaluate, with the integrity warning carried.
    const BundleEvaluation n = evaluateBundle(load({QStringLiteral("svc.jks")}), o);
    QCOMPARE(n.verdict, Verdict::Ok);
    QVERIFY(n.warnings.contains(QStringLiteral("integrity_not_verified")));
    // Wrong password: the file is not usable.
    io.storePassword = "nope";
    const BundleEvaluation w = evaluateBundle(load({QStringLiteral("svc.jks")}, io), o);
    QCOMPARE(w.verdict, Verdict::Invalid);
    QCOMPARE(w.problem, Problem::IntegrityCheckFailed);
}

void TlsEvaluateTest::trustOnlyBundle()
{
    EvaluateOptions o;
    o.now = m_leafNotBefore.addDays(1);
    const BundleEvaluation e = evaluateBundle(load({QStringLiteral("trust.pem")}), o);
    QCOMPARE(e.verdict, Verdict::Ok);
    QVERIFY(!e.leaf.has_value());
    QVERIFY(e.daysLeft > 3000);
    o.now = m_leafNotBefore.addDays(4000);
    const BundleEvaluation x = evaluateBundle(load({QStringLiteral("trust.pem")}), o);
    QCOMPARE(x.verdict, Verdict::Expired);
    QVERIFY(x.reason.contains(QStringLiteral("Root CA")));
}

void TlsEvaluateTest::manifest()
{
    const QList<FileInspection> a =
        load({QStringLiteral("chain.pem"), QStringLiteral("leaf.key"), QStringLiteral("root.crt")});
    const QList<FileInspection> b =
        load({QStringLiteral("root.crt"), QStringLiteral("chain.pem"), QStringLiteral("leaf.key")});
    QCOMPARE(manifestHash(a), manifestHash(b));
    QCOMPARE(manifestHash(a).size(), 64);
    QCOMPARE(evaluateBundle(a, {}).manifest, manifestHash(a));

    // One byte more in one file changes the root hash.
    QByteArray root = m_pki.read(QStringLiteral("root.crt"));
    QVERIFY(m_pki.write(QStringLiteral("root-copy.crt"), root));
    QList<FileInspection> c = a;
    c[2] = inspectFile(m_pki.path(QStringLiteral("root-copy.crt")), {});
    c[2].name = a[2].name;
    QCOMPARE(manifestHash(c), manifestHash(a));
    QVERIFY(m_pki.write(QStringLiteral("root-copy.crt"), root + "\n"));
    c[2] = inspectFile(m_pki.path(QStringLiteral("root-copy.crt")), {});
    c[2].name = a[2].name;
    QVERIFY(manifestHash(c) != manifestHash(a));
    // A rename changes it too; an empty list has a stable hash.
    QList<FileInspection> d = a;
    d[0].name = QStringLiteral("tls.crt");
    QVERIFY(manifestHash(d) != manifestHash(a));
    QCOMPARE(manifestHash({}), manifestHash({}));
    QVERIFY(manifestHash({}) != manifestHash(a));
}

void TlsEvaluateTest::emptyAndUnreadableBundles()
{
    const BundleEvaluation none = evaluateBundle({}, {});
    QCOMPARE(none.verdict, Verdict::Unreadable);
    const BundleEvaluation gone = evaluateBundle(
        load({QStringLiteral("a-missing.crt"), QStringLiteral("b-missing.key")}), {});
    QCOMPARE(gone.verdict, Verdict::Unreadable);
    QCOMPARE(gone.problem, Problem::Missing);
    QVERIFY(!gone.leaf.has_value());
    QVERIFY(m_pki.write(QStringLiteral("empty.crt"), QByteArray()));
    const BundleEvaluation empty =
        evaluateBundle(load({QStringLiteral("empty.crt"), QStringLiteral("leaf.key")}), {});
    QCOMPARE(empty.verdict, Verdict::Invalid);
    QCOMPARE(empty.problem, Problem::Empty);
    const BundleEvaluation keyOnly = evaluateBundle(load({QStringLiteral("leaf.key")}), {});
    QCOMPARE(keyOnly.verdict, Verdict::Invalid);
    QCOMPARE(keyOnly.problem, Problem::NoCertificate);
}

void TlsEvaluateTest::evaluationTiming()
{
    // Informational only: inspection of the files is excluded, evaluation alone is measured.
    const QList<FileInspection> files =
        load({QStringLiteral("chain.pem"), QStringLiteral("leaf.key"), QStringLiteral("root.crt")});
    EvaluateOptions o;
    o.now = m_leafNotBefore.addDays(1);
    o.expectedHostname = QStringLiteral("leaf.example.test");
    constexpr int Rounds = 300;
    QElapsedTimer t;
    t.start();
    for (int i = 0; i < Rounds; ++i)
        QCOMPARE(evaluateBundle(files, o).verdict, Verdict::Ok);
    qInfo("evaluateBundle (leaf+int+root+key, hostname): %.1f us per bundle",
          double(t.nsecsElapsed()) / 1000.0 / Rounds);
}

OPSDECK_TEST_GUILESS_MAIN(TlsEvaluateTest)
#include "tst_tlsevaluate.moc"
