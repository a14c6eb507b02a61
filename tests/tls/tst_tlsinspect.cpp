// SPDX-License-Identifier: GPL-3.0-or-later
// Inspection of single files: every format, per-certificate facts checked against the openssl CLI,
// and bad input (empty, truncated, random, huge, FIFOs, devices, loops, fuzzed keystores).

#include "certfactory.h"
#include "testmain.h"
#include "tls/inspector.h"
#include "tlsfixture.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QRandomGenerator>
#include <atomic>
#include <sys/stat.h>
#include <sys/types.h>
#include <thread>
#include <unistd.h>
#include <vector>

using namespace opsdeck::tls;
using opsdeck::tls::testing::Pki;

namespace {
InspectOptions withPassword(const QByteArray &password)
{
    InspectOptions o;
    o.storePassword = password;
    o.havePassword = true;
    return o;
}
} // namespace

class TlsInspectTest : public QObject
{
    Q_OBJECT

private:
    Pki m_pki;
    bool m_haveKeytool = false;
    QString m_setupError;

    bool keytool(const QStringList &args) { return m_pki.run(Pki::keytool(), args); }
    bool makeKeystores();
    FileInspection inspect(const QString &name, const InspectOptions &o = {})
    {
        return inspectFile(m_pki.path(name), o);
    }

private slots:
    void initTestCase();
    void formats_data();
    void formats();
    void certificateFacts_data();
    void certificateFacts();
    void keyTypes_data();
    void keyTypes();
    void keystoreAliases();
    void badBytes_data();
    void badBytes();
    void tooLargeSparseFile();
    void derWithPemMarkerInsideIsDer();
    void fifoIsNeverOpened();
    void deviceFiles_data();
    void deviceFiles();
    void symlinks();
    void missingAndVanished();
    void unreadable();
    void keyPermissions();
    void jksTruncatedAtEveryOffset();
    void jksMutations();
    void pkcs12AndPemMutations();
    void concurrentParsing();
    void parseTiming();
};

bool TlsInspectTest::makeKeystores()
{
    const QString pass = QStringLiteral("changeit");
    auto genkey = [&](const QString &store, const QString &type) {
        return keytool({QStringLiteral("-genkeypair"), QStringLiteral("-alias"),
                        QStringLiteral("server"), QStringLiteral("-keyalg"), QStringLiteral("RSA"),
                        QStringLiteral("-keysize"), QStringLiteral("2048"),
                        QStringLiteral("-dname"), QStringLiteral("CN=jks.example.test"),
                        QStringLiteral("-validity"), QStringLiteral("365"),
                        QStringLiteral("-storetype"), type, QStringLiteral("-keystore"),
                        m_pki.path(store), QStringLiteral("-storepass"), pass,
                        QStringLiteral("-keypass"), pass});
    };
    auto import = [&](const QString &store, const QString &type, const QString &alias,
                      const QString &file) {
        return keytool({QStringLiteral("-importcert"), QStringLiteral("-noprompt"),
                        QStringLiteral("-alias"), alias, QStringLiteral("-file"), m_pki.path(file),
                        QStringLiteral("-storetype"), type, QStringLiteral("-keystore"),
                        m_pki.path(store), QStringLiteral("-storepass"), pass});
    };
    return genkey(QStringLiteral("ks.jks"), QStringLiteral("JKS")) &&
           import(QStringLiteral("ks.jks"), QStringLiteral("JKS"), QStringLiteral("root"),
                  QStringLiteral("root.crt")) &&
           import(QStringLiteral("trust.jks"), QStringLiteral("JKS"),
                  QStringLiteral("r\u00e9seau-root"), QStringLiteral("root.crt")) &&
           genkey(QStringLiteral("ks.jceks"), QStringLiteral("JCEKS")) &&
           import(QStringLiteral("ks.jceks"), QStringLiteral("JCEKS"), QStringLiteral("root"),
                  QStringLiteral("root.crt")) &&
           genkey(QStringLiteral("keytool.p12"), QStringLiteral("PKCS12"));
}

void TlsInspectTest::initTestCase()
{
    QVERIFY(m_pki.isValid());
    Pki &p = m_pki;
    const bool ok =
        p.key(QStringLiteral("root.key"), QStringLiteral("rsa:2048")) &&
        p.root(QStringLiteral("root.crt"), QStringLiteral("root.key"),
               QStringLiteral("opsdeck Test Root CA")) &&
        p.key(QStringLiteral("int.key"), QStringLiteral("ec:P-256")) &&
        p.issue(QStringLiteral("int.crt"), QStringLiteral("int.key"),
                QStringLiteral("opsdeck Test Intermediate CA"), QStringLiteral("root.crt"),
                QStringLiteral("root.key"), true, QString(), 1825, QStringLiteral("0x1001")) &&
        p.key(QStringLiteral("leaf.key"), QStringLiteral("rsa:2048")) &&
        p.issue(QStringLiteral("leaf.crt"), QStringLiteral("leaf.key"),
                QStringLiteral("leaf.example.test"), QStringLiteral("int.crt"),
                QStringLiteral("int.key"), false,
                QStringLiteral("DNS:leaf.example.test,DNS:localhost,IP:127.0.0.1,IP:::1"), 365,
                QStringLiteral("0x1234abcd")) &&
        p.key(QStringLiteral("ecleaf.key"), QStringLiteral("ec:P-384")) &&
        p.issue(QStringLiteral("ecleaf.crt"), QStringLiteral("ecleaf.key"),
                QStringLiteral("ec.example.test"), QStringLiteral("root.crt"),
                QStringLiteral("root.key"), false, QStringLiteral("DNS:ec.example.test"), 365,
                QStringLiteral("0x2002")) &&
        p.key(QStringLiteral("rsa3072.key"), QStringLiteral("rsa:3072")) &&
        p.issue(QStringLiteral("rsa3072.crt"), QStringLiteral("rsa3072.key"),
                QStringLiteral("big.example.test"), QStringLiteral("root.crt"),
                QStringLiteral("root.key"), false, QStringLiteral("DNS:big.example.test"), 365,
                QStringLiteral("0x3003")) &&
        p.concat(QStringLiteral("chain.pem"),
                 {QStringLiteral("leaf.crt"), QStringLiteral("int.crt")}) &&
        p.concat(QStringLiteral("int-first.pem"),
                 {QStringLiteral("int.crt"), QStringLiteral("leaf.crt")}) &&
        p.concat(
            QStringLiteral("combined.pem"),
            {QStringLiteral("leaf.crt"), QStringLiteral("int.crt"), QStringLiteral("leaf.key")}) &&
        p.openssl({QStringLiteral("x509"), QStringLiteral("-in"),
                   p.path(QStringLiteral("leaf.crt")), QStringLiteral("-outform"),
                   QStringLiteral("DER"), QStringLiteral("-out"),
                   p.path(QStringLiteral("leaf.der"))}) &&
        p.openssl({QStringLiteral("pkey"), QStringLiteral("-in"),
                   p.path(QStringLiteral("leaf.key")), QStringLiteral("-outform"),
                   QStringLiteral("DER"), QStringLiteral("-out"),
                   p.path(QStringLiteral("leaf-key.der"))}) &&
        p.openssl({QStringLiteral("pkey"), QStringLiteral("-in"),
                   p.path(QStringLiteral("leaf.key")), QStringLiteral("-aes256"),
                   QStringLiteral("-passout"), QStringLiteral("pass:secret"),
                   QStringLiteral("-out"), p.path(QStringLiteral("leaf-enc.key"))}) &&
        p.openssl({QStringLiteral("rsa"), QStringLiteral("-in"), p.path(QStringLiteral("leaf.key")),
                   QStringLiteral("-aes128"), QStringLiteral("-traditional"),
                   QStringLiteral("-passout"), QStringLiteral("pass:secret"),
                   QStringLiteral("-out"), p.path(QStringLiteral("leaf-trad-enc.key"))}) &&
        p.openssl({QStringLiteral("ec"), QStringLiteral("-in"),
                   p.path(QStringLiteral("ecleaf.key")), QStringLiteral("-out"),
                   p.path(QStringLiteral("ec-trad.key"))}) &&
        p.openssl({QStringLiteral("pkcs12"), QStringLiteral("-export"), QStringLiteral("-in"),
                   p.path(QStringLiteral("leaf.crt")), QStringLiteral("-inkey"),
                   p.path(QStringLiteral("leaf.key")), QStringLiteral("-certfile"),
                   p.path(QStringLiteral("int.crt")), QStringLiteral("-name"),
                   QStringLiteral("server"), QStringLiteral("-passout"),
                   QStringLiteral("pass:secret"), QStringLiteral("-out"),
                   p.path(QStringLiteral("leaf.p12"))}) &&
        p.openssl({QStringLiteral("pkcs12"), QStringLiteral("-export"), QStringLiteral("-legacy"),
                   QStringLiteral("-in"), p.path(QStringLiteral("leaf.crt")),
                   QStringLiteral("-inkey"), p.path(QStringLiteral("leaf.key")),
                   QStringLiteral("-certfile"), p.path(QStringLiteral("int.crt")),
                   QStringLiteral("-passout"), QStringLiteral("pass:secret"),
                   QStringLiteral("-out"), p.path(QStringLiteral("legacy.p12"))}) &&
        p.openssl({QStringLiteral("pkcs12"), QStringLiteral("-export"), QStringLiteral("-nokeys"),
                   QStringLiteral("-in"), p.path(QStringLiteral("root.crt")),
                   QStringLiteral("-nomac"), QStringLiteral("-certpbe"), QStringLiteral("NONE"),
                   QStringLiteral("-passout"), QStringLiteral("pass:"), QStringLiteral("-out"),
                   p.path(QStringLiteral("nomac.p12"))});
    QVERIFY2(ok, qPrintable(p.lastError()));

    QByteArray chain = p.read(QStringLiteral("chain.pem"));
    QVERIFY(p.write(QStringLiteral("chain-crlf.pem"), chain.replace("\n", "\r\n")));
    QVERIFY(p.write(QStringLiteral("text-around.pem"),
                    "Bag Attributes\n    friendlyName: server\nsubject=CN = leaf\n\n" +
                        p.read(QStringLiteral("leaf.crt")) + "\nsome commentary between\n" +
                        p.read(QStringLiteral("int.crt")) + "trailing text, no newline"));
    QVERIFY(p.write(QStringLiteral("der-inside.pem"), p.read(QStringLiteral("leaf.der"))));

    m_haveKeytool = !Pki::keytool().isEmpty();
    if (m_haveKeytool && !makeKeystores()) {
        m_setupError = m_pki.lastError();
        m_haveKeytool = false;
    }
}

void TlsInspectTest::formats_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<bool>("havePassword");
    QTest::addColumn<QByteArray>("password");
    QTest::addColumn<int>("kind");
    QTest::addColumn<int>("problem");
    QTest::addColumn<int>("certs");
    QTest::addColumn<int>("keys");
    QTest::addColumn<QString>("warning"); // expected warning, or "!x" for "x must be absent"
    QTest::addColumn<QString>("needs");   // "keytool", "legacy" or empty

    auto row = [](const char *tag, const char *file, bool havePw, const char *pw, FileKind kind,
                  Problem problem, int certs, int keys, const char *warning = "",
                  const char *needs = "") {
        QTest::newRow(tag) << QString::fromLatin1(file) << havePw << QByteArray(pw)
                           << static_cast<int>(kind) << static_cast<int>(problem) << certs << keys
                           << QString::fromLatin1(warning) << QString::fromLatin1(needs);
    };
    using K = FileKind;
    using P = Problem;
    row("pem single", "leaf.crt", false, "", K::CertificateChain, P::None, 1, 0, "!leaf_not_first");
    row("pem chain", "chain.pem", false, "", K::CertificateChain, P::None, 2, 0, "!leaf_not_first");
    row("pem chain crlf", "chain-crlf.pem", false, "", K::CertificateChain, P::None, 2, 0);
    row("pem text around blocks", "text-around.pem", false, "", K::CertificateChain, P::None, 2, 0);
    row("pem leaf not first", "int-first.pem", false, "", K::CertificateChain, P::None, 2, 0,
        "leaf_not_first");
    row("pem cert+key", "combined.pem", false, "", K::CertificateChain, P::None, 2, 1);
    row("pem trust (CA only)", "root.crt", false, "", K::TrustBundle, P::None, 1, 0);
    row("der inside .pem", "der-inside.pem", false, "", K::CertificateChain, P::None, 1, 0,
        "der_in_pem");
    row("der certificate", "leaf.der", false, "", K::CertificateChain, P::None, 1, 0,
        "!der_in_pem");
    row("der private key", "leaf-key.der", false, "", K::PrivateKey, P::None, 0, 1);
    row("pem pkcs8 key", "leaf.key", false, "", K::PrivateKey, P::None, 0, 1);
    row("pem traditional EC key", "ec-trad.key", false, "", K::PrivateKey, P::None, 0, 1);
    row("pem encrypted pkcs8 key", "leaf-enc.key", false, "", K::PrivateKey, P::KeyEncrypted, 0, 1);
    row("pem encrypted traditional key", "leaf-trad-enc.key", false, "", K::PrivateKey,
        P::KeyEncrypted, 0, 1);
    row("pkcs12 modern", "leaf.p12", true, "secret", K::Pkcs12, P::None, 2, 1, "!no_mac");
    row("pkcs12 modern without password", "leaf.p12", false, "", K::Pkcs12, P::PasswordRequired, 0,
        0);
    row("pkcs12 modern wrong password", "leaf.p12", true, "Wr0ngPw!", K::Pkcs12, P::BadPassword, 0,
        0);
    row("pkcs12 legacy", "legacy.p12", true, "secret", K::Pkcs12, P::None, 2, 1, "", "legacy");
    row("pkcs12 legacy wrong password", "legacy.p12", true, "nope", K::Pkcs12, P::BadPassword, 0,
        0);
    row("pkcs12 no mac, no password", "nomac.p12", false, "", K::Pkcs12, P::None, 1, 0, "no_mac");
    row("pkcs12 no mac, any password", "nomac.p12", true, "whatever", K::Pkcs12, P::None, 1, 0,
        "no_mac");
    row("jks without password", "ks.jks", false, "", K::Jks, P::None, 2, 1,
        "integrity_not_verified", "keytool");
    row("jks right password", "ks.jks", true, "changeit", K::Jks, P::None, 2, 1,
        "!integrity_not_verified", "keytool");
    row("jks wrong password", "ks.jks", true, "Wr0ngPw!", K::Jks, P::IntegrityCheckFailed, 2, 1, "",
        "keytool");
    row("jks truststore", "trust.jks", true, "changeit", K::Jks, P::None, 1, 0, "", "keytool");
    row("jceks without password", "ks.jceks", false, "", K::Jceks, P::None, 2, 1,
        "integrity_not_verified", "keytool");
    row("jceks right password", "ks.jceks", true, "changeit", K::Jceks, P::None, 2, 1, "",
        "keytool");
    row("jceks wrong password", "ks.jceks", true, "bad", K::Jceks, P::IntegrityCheckFailed, 2, 1,
        "", "keytool");
    row("keytool pkcs12", "keytool.p12", true, "changeit", K::Pkcs12, P::None, 1, 1, "", "keytool");
    row("keytool pkcs12 wrong password", "keytool.p12", true, "x", K::Pkcs12, P::BadPassword, 0, 0,
        "", "keytool");
}

void TlsInspectTest::formats()
{
    QFETCH(QString, file);
    QFETCH(bool, havePassword);
    QFETCH(QByteArray, password);
    QFETCH(int, kind);
    QFETCH(int, problem);
    QFETCH(int, certs);
    QFETCH(int, keys);
    QFETCH(QString, warning);
    QFETCH(QString, needs);
    if (needs == QLatin1String("keytool") && !m_haveKeytool)
        QSKIP(qPrintable(QStringLiteral("Java keytool unavailable or failed: ") + m_setupError));
    if (needs == QLatin1String("legacy") && !legacyProviderAvailable())
        QSKIP("OpenSSL legacy provider (legacy.so) not installed");

    InspectOptions o;
    o.havePassword = havePassword;
    o.storePassword = password;
    const FileInspection f = inspect(file, o);
    QCOMPARE(problemCode(f.problem), problemCode(static_cast<Problem>(problem)));
    QCOMPARE(fileKindName(f.kind), fileKindName(static_cast<FileKind>(kind)));
    QCOMPARE(f.certificates.size(), certs);
    QCOMPARE(f.keys.size(), keys);
    QCOMPARE(f.sha256, sha256Hex(m_pki.read(file)));
    QCOMPARE(f.size, m_pki.read(file).size());
    QCOMPARE(f.name, QFileInfo(file).fileName());
    if (warning.startsWith(QLatin1Char('!')))
        QVERIFY2(!f.warnings.contains(warning.mid(1)),
                 qPrintable(f.warnings.join(QLatin1Char(','))));
    else if (!warning.isEmpty())
        QVERIFY2(f.warnings.contains(warning), qPrintable(f.warnings.join(QLatin1Char(','))));
    if (!havePassword || password.isEmpty())
        return;
    // Secrets never leak into the texts we show.
    QVERIFY(!f.problemDetail.contains(QString::fromUtf8(password)));
    for (const QString &w : f.warnings)
        QVERIFY(!w.contains(QString::fromUtf8(password)));
}

void TlsInspectTest::certificateFacts_data()
{
    QTest::addColumn<QString>("file");
    QTest::newRow("rsa leaf") << QStringLiteral("leaf.crt");
    QTest::newRow("ec intermediate") << QStringLiteral("int.crt");
    QTest::newRow("rsa root") << QStringLiteral("root.crt");
    QTest::newRow("ec p384 leaf") << QStringLiteral("ecleaf.crt");
    QTest::newRow("rsa 3072 leaf") << QStringLiteral("rsa3072.crt");
}

void TlsInspectTest::certificateFacts()
{
    QFETCH(QString, file);
    const FileInspection f = inspect(file);
    QCOMPARE(f.problem, Problem::None);
    QCOMPARE(f.certificates.size(), 1);
    const CertificateInfo &c = f.certificates.first();

    QByteArray out;
    QVERIFY2(m_pki.openssl({QStringLiteral("x509"), QStringLiteral("-in"), m_pki.path(file),
                            QStringLiteral("-noout"), QStringLiteral("-fingerprint"),
                            QStringLiteral("-sha256"), QStringLiteral("-serial"),
                            QStringLiteral("-subject"), QStringLiteral("-issuer"),
                            QStringLiteral("-nameopt"), QStringLiteral("RFC2253")},
                           &out),
             qPrintable(m_pki.lastError()));
    QString fingerprint, serial, subject, issuer;
    for (const QByteArray &line : out.split('\n')) {
        const qsizetype eq = line.indexOf('=');
        const QString value = QString::fromUtf8(line.mid(eq + 1)).trimmed();
        if (line.contains("Fingerprint="))
            fingerprint = value.toLower().remove(QLatin1Char(':'));
        else if (line.startsWith("serial="))
            serial = value.toLower();
        else if (line.startsWith("subject="))
            subject = value;
        else if (line.startsWith("issuer="))
            issuer = value;
    }
    QCOMPARE(c.sha256, fingerprint);
    QCOMPARE(c.serialHex.rightJustified(serial.size(), QLatin1Char('0')), serial);
    QCOMPARE(c.subject, subject);
    QCOMPARE(c.issuer, issuer);
    QCOMPARE(c.der, m_pki.openssl({QStringLiteral("x509"), QStringLiteral("-in"), m_pki.path(file),
                                   QStringLiteral("-outform"), QStringLiteral("DER")},
                                  &out)
                        ? out
                        : QByteArray());
    QVERIFY(c.notBefore.isValid() && c.notAfter.isValid());
    QCOMPARE(c.notBefore.timeSpec(), Qt::UTC);
    QVERIFY(c.notBefore < c.notAfter);
    QCOMPARE(c.publicKeySha256.size(), 32);
    QVERIFY(c.x509 != nullptr);

    if (file == QLatin1String("leaf.crt")) {
        QCOMPARE(c.subject, QStringLiteral("CN=leaf.example.test,O=opsdeck tests"));
        QCOMPARE(c.issuer, QStringLiteral("CN=opsdeck Test Intermediate CA,O=opsdeck tests"));
        QCOMPARE(c.serialHex, QStringLiteral("1234abcd"));
        QCOMPARE(
            c.subjectAltNames,
            QStringList({QStringLiteral("DNS:leaf.example.test"), QStringLiteral("DNS:localhost"),
                         QStringLiteral("IP:127.0.0.1"), QStringLiteral("IP:::1")}));
        QCOMPARE(c.keyType, QStringLiteral("RSA"));
        QCOMPARE(c.keyBits, 2048);
        QCOMPARE(c.signatureAlgorithm, QStringLiteral("ecdsa-with-SHA256"));
        QVERIFY(!c.isCa);
        QVERIFY(!c.selfSigned);
        QCOMPARE(c.notBefore.daysTo(c.notAfter), 365);
        const QDateTime now = QDateTime::currentDateTimeUtc();
        QVERIFY(c.daysLeft(now) >= 363 && c.daysLeft(now) <= 365);
        QCOMPARE(c.daysLeft(c.notAfter.addSecs(3600)), -1);
        QCOMPARE(c.daysLeft(c.notAfter.addSecs(-3600)), 0);
    } else if (file == QLatin1String("int.crt")) {
        QCOMPARE(c.keyType, QStringLiteral("EC"));
        QCOMPARE(c.keyBits, 256);
        QCOMPARE(c.curve, QStringLiteral("prime256v1"));
        QCOMPARE(c.signatureAlgorithm, QStringLiteral("sha256WithRSAEncryption"));
        QVERIFY(c.isCa);
        QVERIFY(!c.selfSigned);
    } else if (file == QLatin1String("root.crt")) {
        QVERIFY(c.isCa);
        QVERIFY(c.selfSigned);
        QCOMPARE(c.serialHex, QStringLiteral("01"));
        QCOMPARE(c.subject, c.issuer);
    } else if (file == QLatin1String("ecleaf.crt")) {
        QCOMPARE(c.keyType, QStringLiteral("EC"));
        QCOMPARE(c.keyBits, 384);
        QCOMPARE(c.curve, QStringLiteral("secp384r1"));
    } else if (file == QLatin1String("rsa3072.crt")) {
        QCOMPARE(c.keyBits, 3072);
    }
}

void TlsInspectTest::keyTypes_data()
{
    QTest::addColumn<QString>("keyFile");
    QTest::addColumn<QString>("certFile");
    QTest::addColumn<QString>("type");
    QTest::addColumn<int>("bits");
    QTest::newRow("rsa 2048") << QStringLiteral("leaf.key") << QStringLiteral("leaf.crt")
                              << QStringLiteral("RSA") << 2048;
    QTest::newRow("rsa 3072") << QStringLiteral("rsa3072.key") << QStringLiteral("rsa3072.crt")
                              << QStringLiteral("RSA") << 3072;
    QTest::newRow("ec p256") << QStringLiteral("int.key") << QStringLiteral("int.crt")
                             << QStringLiteral("EC") << 256;
    QTest::newRow("ec p384 traditional")
        << QStringLiteral("ec-trad.key") << QStringLiteral("ecleaf.crt") << QStringLiteral("EC")
        << 384;
}

void TlsInspectTest::keyTypes()
{
    QFETCH(QString, keyFile);
    QFETCH(QString, certFile);
    QFETCH(QString, type);
    QFETCH(int, bits);
    const FileInspection k = inspect(keyFile);
    QCOMPARE(k.problem, Problem::None);
    QCOMPARE(k.keys.size(), 1);
    QCOMPARE(k.keys.first().keyType, type);
    QCOMPARE(k.keys.first().keyBits, bits);
    QVERIFY(!k.keys.first().encrypted);
    const FileInspection c = inspect(certFile);
    QCOMPARE(k.keys.first().publicKeySha256, c.certificates.first().publicKeySha256);
}

void TlsInspectTest::keystoreAliases()
{
    if (!m_haveKeytool)
        QSKIP(qPrintable(QStringLiteral("Java keytool unavailable: ") + m_setupError));
    const FileInspection t = inspect(QStringLiteral("trust.jks"));
    QCOMPARE(t.certificates.size(), 1);
    QCOMPARE(t.certificates.first().alias, QStringLiteral("r\u00e9seau-root")); // modified UTF-8
    QVERIFY(t.certificates.first().trustedEntry);
    const FileInspection ks = inspect(QStringLiteral("ks.jks"));
    QCOMPARE(ks.keys.size(), 1);
    QCOMPARE(ks.keys.first().alias, QStringLiteral("server"));
    QVERIFY(ks.keys.first().encrypted);
    QCOMPARE(ks.keys.first().keyType, QStringLiteral("RSA"));
    const FileInspection p12 = inspect(QStringLiteral("leaf.p12"), withPassword("secret"));
    QCOMPARE(p12.keys.first().alias, QStringLiteral("server"));
    QVERIFY(!p12.keys.first().encrypted);
    QCOMPARE(p12.keys.first().publicKeySha256,
             inspect(QStringLiteral("leaf.crt")).certificates.first().publicKeySha256);
}

void TlsInspectTest::badBytes_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<int>("problem");
    const QByteArray leaf = m_pki.read(QStringLiteral("leaf.crt"));
    const QByteArray der = m_pki.read(QStringLiteral("leaf.der"));
    QByteArray random(4096, Qt::Uninitialized);
    QRandomGenerator gen(42);
    for (char &c : random)
        c = static_cast<char>(gen.bounded(256));
    random[0] = 0x31; // not a SEQUENCE, not a keystore magic
    QByteArray lyingDer = der;
    lyingDer[2] = char(0x7f); // outer length says ~32 KB

    QTest::newRow("empty") << QByteArray() << int(Problem::Empty);
    QTest::newRow("whitespace") << QByteArray(" \r\n\t\n  ") << int(Problem::Empty);
    QTest::newRow("truncated pem (no END)") << leaf.left(leaf.size() / 2) << int(Problem::Parse);
    QTest::newRow("pem missing last lines")
        << leaf.left(leaf.size() - 80) + "\n-----END CERTIFICATE-----\n"
        << int(Problem::Parse);
    QTest::newRow("bad base64")
        << QByteArray("-----BEGIN CERTIFICATE-----\n!!!not base64***\n-----END CERTIFICATE-----\n")
        << int(Problem::Parse);
    QTest::newRow("begin without dashes") << QByteArray("-----BEGIN CERT") << int(Problem::Parse);
    QTest::newRow("only a CSR-like block")
        << QByteArray("-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n")
        << int(Problem::NoCertificate);
    QTest::newRow("random bytes") << random << int(Problem::Parse);
    QTest::newRow("truncated der") << der.left(der.size() - 10) << int(Problem::Parse);
    QTest::newRow("der lying length") << lyingDer << int(Problem::Parse);
    QTest::newRow("der with trailing junk") << der + "junkjunk" << int(Problem::Parse);
    QTest::newRow("jks magic only") << QByteArray("\xfe\xed\xfe\xed", 4) << int(Problem::Parse);
    QTest::newRow("jks huge count")
        << QByteArray("\xfe\xed\xfe\xed\x00\x00\x00\x02\x7f\xff\xff\xff", 12)
        << int(Problem::Parse);
    QTest::newRow("jks bad version")
        << QByteArray("\xce\xce\xce\xce\x00\x00\x00\x09\x00\x00\x00\x00", 12)
        << int(Problem::Parse);
    QTest::newRow("text") << QByteArray("hello, this is not a certificate\n")
                          << int(Problem::Parse);
}

void TlsInspectTest::badBytes()
{
    QFETCH(QByteArray, bytes);
    QFETCH(int, problem);
    const FileInspection f = inspectBytes(QStringLiteral("x.pem"), bytes, {});
    QCOMPARE(problemCode(f.problem), problemCode(static_cast<Problem>(problem)));
    QVERIFY(!f.problemDetail.isEmpty());
    QVERIFY(!f.isUsable());
}

void TlsInspectTest::tooLargeSparseFile()
{
    const QString path = m_pki.path(QStringLiteral("huge.pem"));
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    QVERIFY(f.resize(100LL * 1024 * 1024)); // sparse: no blocks written
    f.close();
    QElapsedTimer t;
    t.start();
    const FileInspection r = inspectFile(path, {});
    qInfo("100 MB sparse file refused in %lld us", static_cast<long long>(t.nsecsElapsed() / 1000));
    QCOMPARE(r.problem, Problem::TooLarge);
    QCOMPARE(r.size, 100LL * 1024 * 1024);
    QVERIFY(r.sha256.isEmpty()); // never read
    QFile::remove(path);
}

void TlsInspectTest::fifoIsNeverOpened()
{
    const QString path = m_pki.path(QStringLiteral("tls.crt.fifo"));
    QCOMPARE(::mkfifo(QFile::encodeName(path).constData(), 0600), 0);
    // Opening a FIFO without a writer would block forever; the test would time out.
    const FileInspection r = inspectFile(path, {});
    QCOMPARE(r.problem, Problem::NotRegularFile);
    // Behind a symlink too.
    const QString link = m_pki.path(QStringLiteral("fifo-link.pem"));
    QVERIFY(QFile::link(path, link));
    QCOMPARE(inspectFile(link, {}).problem, Problem::NotRegularFile);
}

void TlsInspectTest::deviceFiles_data()
{
    QTest::addColumn<QString>("path");
    QTest::newRow("/dev/zero") << QStringLiteral("/dev/zero");
    QTest::newRow("/dev/null") << QStringLiteral("/dev/null");
    QTest::newRow("/dev/urandom") << QStringLiteral("/dev/urandom");
    QTest::newRow("a directory") << QDir::tempPath();
}

void TlsInspectTest::deviceFiles()
{
    QFETCH(QString, path);
    if (!QFileInfo::exists(path))
        QSKIP("device not present");
    QCOMPARE(inspectFile(path, {}).problem, Problem::NotRegularFile);
}

void TlsInspectTest::symlinks()
{
    const QString a = m_pki.path(QStringLiteral("loop-a"));
    const QString b = m_pki.path(QStringLiteral("loop-b"));
    QVERIFY(QFile::link(b, a));
    QVERIFY(QFile::link(a, b));
    QCOMPARE(inspectFile(a, {}).problem, Problem::SymlinkLoop);

    const QString dangling = m_pki.path(QStringLiteral("dangling.crt"));
    QVERIFY(QFile::link(m_pki.path(QStringLiteral("nowhere.crt")), dangling));
    QCOMPARE(inspectFile(dangling, {}).problem, Problem::Missing);

    const QString good = m_pki.path(QStringLiteral("tls.crt"));
    QVERIFY(QFile::link(m_pki.path(QStringLiteral("chain.pem")), good));
    const FileInspection r = inspectFile(good, {});
    QCOMPARE(r.problem, Problem::None);
    QCOMPARE(r.name, QStringLiteral("tls.crt"));
    QCOMPARE(r.path, good);
    QCOMPARE(r.resolvedPath,
             QFileInfo(m_pki.path(QStringLiteral("chain.pem"))).canonicalFilePath());
}

void TlsInspectTest::missingAndVanished()
{
    QCOMPARE(inspectFile(m_pki.path(QStringLiteral("does-not-exist.crt")), {}).problem,
             Problem::Missing);
    QCOMPARE(inspectFile(m_pki.path(QStringLiteral("gone-dir/..data/tls.crt")), {}).problem,
             Problem::Missing);
    QDir(m_pki.path(QString())).mkdir(QStringLiteral("vanish"));
    QVERIFY(QFile::copy(m_pki.path(QStringLiteral("leaf.crt")),
                        m_pki.path(QStringLiteral("vanish/tls.crt"))));
    QVERIFY(QDir(m_pki.path(QStringLiteral("vanish"))).removeRecursively());
    QCOMPARE(inspectFile(m_pki.path(QStringLiteral("vanish/tls.crt")), {}).problem,
             Problem::Missing);
    // A path through a regular file as if it were a directory.
    QCOMPARE(inspectFile(m_pki.path(QStringLiteral("leaf.crt/x")), {}).problem, Problem::Missing);
    QCOMPARE(inspectFile(QString(), {}).problem, Problem::Missing);
}

void TlsInspectTest::unreadable()
{
    if (::geteuid() == 0)
        QSKIP("running as root: every file is readable, EACCES cannot be produced");
    const QString path = m_pki.path(QStringLiteral("secret.key"));
    QVERIFY(QFile::copy(m_pki.path(QStringLiteral("leaf.key")), path));
    QVERIFY(QFile::setPermissions(path, QFileDevice::Permissions()));
    QCOMPARE(inspectFile(path, {}).problem, Problem::Unreadable);
}

void TlsInspectTest::keyPermissions()
{
    const QString path = m_pki.path(QStringLiteral("perm.key"));
    QVERIFY(QFile::copy(m_pki.path(QStringLiteral("leaf.key")), path));
    const QByteArray native = QFile::encodeName(path);
    QCOMPARE(::chmod(native.constData(), 0644), 0);
    QVERIFY(inspectFile(path, {}).warnings.contains(QStringLiteral("key_readable_by_others")));
    QCOMPARE(::chmod(native.constData(), 0640), 0);
    QVERIFY(inspectFile(path, {}).warnings.contains(QStringLiteral("key_readable_by_others")));
    QCOMPARE(::chmod(native.constData(), 0600), 0);
    QVERIFY(!inspectFile(path, {}).warnings.contains(QStringLiteral("key_readable_by_others")));
    // A certificate is public: no warning whatever its mode.
    const QString crt = m_pki.path(QStringLiteral("perm.crt"));
    QVERIFY(QFile::copy(m_pki.path(QStringLiteral("leaf.crt")), crt));
    QCOMPARE(::chmod(QFile::encodeName(crt).constData(), 0644), 0);
    QVERIFY(!inspectFile(crt, {}).warnings.contains(QStringLiteral("key_readable_by_others")));
}

void TlsInspectTest::jksTruncatedAtEveryOffset()
{
    if (!m_haveKeytool)
        QSKIP(qPrintable(QStringLiteral("Java keytool unavailable: ") + m_setupError));
    for (const QString &name : {QStringLiteral("ks.jks"), QStringLiteral("ks.jceks")}) {
        const QByteArray store = m_pki.read(name);
        QVERIFY(store.size() > 100);
        for (qsizetype n = 0; n < store.size(); ++n) {
            const FileInspection f = inspectBytes(name, store.left(n), {});
            QVERIFY2(f.problem != Problem::None, qPrintable(QStringLiteral("offset %1").arg(n)));
            const FileInspection g = inspectBytes(name, store.left(n), withPassword("changeit"));
            QVERIFY2(g.problem != Problem::None, qPrintable(QStringLiteral("offset %1").arg(n)));
        }
        QCOMPARE(inspectBytes(name, store, withPassword("changeit")).problem, Problem::None);
    }
}

void TlsInspectTest::jksMutations()
{
    if (!m_haveKeytool)
        QSKIP(qPrintable(QStringLiteral("Java keytool unavailable: ") + m_setupError));
    const QByteArray store = m_pki.read(QStringLiteral("ks.jks"));
    QRandomGenerator gen(1234);
    int problems = 0;
    for (int round = 0; round < 3000; ++round) {
        QByteArray m = store;
        const int edits = 1 + gen.bounded(4);
        for (int e = 0; e < edits; ++e) {
            const qsizetype at = 4 + gen.bounded(static_cast<int>(m.size() - 4));
            switch (gen.bounded(3)) {
            case 0: // a lying length: 0xFF.. at a random place
                for (qsizetype i = at; i < std::min<qsizetype>(at + 4, m.size()); ++i)
                    m[i] = char(0xff);
                break;
            case 1:
                m[at] = static_cast<char>(gen.bounded(256));
                break;
            default:
                m.remove(at, 1 + gen.bounded(16));
                break;
            }
        }
        // With the password every mutation must be caught (integrity or structure).
        const FileInspection f =
            inspectBytes(QStringLiteral("ks.jks"), m, withPassword("changeit"));
        if (f.problem != Problem::None)
            ++problems;
        else
            QVERIFY2(m == store, qPrintable(QStringLiteral("round %1 went unnoticed").arg(round)));
        (void)inspectBytes(QStringLiteral("ks.jks"), m, {});
    }
    QVERIFY(problems > 2900);
}

void TlsInspectTest::pkcs12AndPemMutations()
{
    QRandomGenerator gen(99);
    for (const QString &name : {QStringLiteral("leaf.p12"), QStringLiteral("chain.pem"),
                                QStringLiteral("leaf.der"), QStringLiteral("leaf.key")}) {
        const QByteArray original = m_pki.read(name);
        for (qsizetype n = 0; n < original.size(); n += 1 + original.size() / 60) {
            const FileInspection f = inspectBytes(name, original.left(n), withPassword("secret"));
            QVERIFY2(f.problem != Problem::None,
                     qPrintable(name + QStringLiteral(" cut at %1").arg(n)));
        }
        for (int round = 0; round < 200; ++round) {
            QByteArray m = original;
            m[gen.bounded(static_cast<int>(m.size()))] = static_cast<char>(gen.bounded(256));
            (void)inspectBytes(name, m, withPassword("secret")); // must not crash
        }
    }
}

void TlsInspectTest::concurrentParsing()
{
    const QByteArray chain = m_pki.read(QStringLiteral("chain.pem"));
    const QByteArray p12 = m_pki.read(QStringLiteral("leaf.p12"));
    const QString expected =
        inspectBytes(QStringLiteral("chain.pem"), chain, {}).certificates.first().sha256;
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 60; ++i) {
                const FileInspection f = inspectBytes(QStringLiteral("chain.pem"), chain, {});
                if (f.problem != Problem::None || f.certificates.size() != 2 ||
                    f.certificates.first().sha256 != expected)
                    ++failures;
                if (t % 2 == 0 && i % 20 == 0) {
                    const FileInspection g =
                        inspectBytes(QStringLiteral("leaf.p12"), p12, withPassword("secret"));
                    if (g.problem != Problem::None)
                        ++failures;
                }
            }
        });
    }
    for (std::thread &th : threads)
        th.join();
    QCOMPARE(failures.load(), 0);
}

void TlsInspectTest::parseTiming()
{
    // Informational only (no timed assertion): single-thread cost of a leaf+intermediate PEM.
    const QByteArray chain = m_pki.read(QStringLiteral("chain.pem"));
    constexpr int Rounds = 500;
    QElapsedTimer t;
    t.start();
    for (int i = 0; i < Rounds; ++i)
        QCOMPARE(inspectBytes(QStringLiteral("chain.pem"), chain, {}).certificates.size(), 2);
    qInfo("PEM chain (2 certs, %lld bytes): %.1f us per file, single thread",
          static_cast<long long>(chain.size()), double(t.nsecsElapsed()) / 1000.0 / Rounds);
}

OPSDECK_TEST_GUILESS_MAIN(TlsInspectTest)
// Found by fuzz_tlsinspect: a DER certificate with "-----BEGIN " in its subject was read as a
// broken PEM file (Problem::Parse) instead of as the DER certificate it is.
void TlsInspectTest::derWithPemMarkerInsideIsDer()
{
    const auto cert = opsdeck::test::CertFactory::selfSigned(
        opsdeck::test::CertSpec::server(QStringLiteral("-----BEGIN CERTIFICATE-----")));
    QVERIFY(cert.ok());
    QVERIFY(cert->certDer.contains("-----BEGIN "));
    const FileInspection f = inspectBytes(QStringLiteral("tls.der"), cert->certDer, {});
    QCOMPARE(f.problem, Problem::None);
    QCOMPARE(f.certificates.size(), 1);
    QCOMPARE(f.certificates.first().sha256, QString::fromLatin1(cert->sha256Hex));
    const FileInspection pem = inspectBytes(QStringLiteral("tls.crt"), cert->certPem, {});
    QCOMPARE(pem.problem, Problem::None);
    QCOMPARE(pem.certificates.size(), 1);

    // Also found by fuzz_tlsinspect: bytes after the certificate inside a PEM block went into its
    // DER and SHA-256, so the same certificate had another fingerprint than in DER form.
    const QByteArray padded = "-----BEGIN CERTIFICATE-----\n" +
                              QByteArray(cert->certDer + "trailing").toBase64() +
                              "\n-----END CERTIFICATE-----\n";
    const FileInspection trailing = inspectBytes(QStringLiteral("tls.crt"), padded, {});
    QCOMPARE(trailing.certificates.size(), 1);
    QCOMPARE(trailing.certificates.first().sha256, QString::fromLatin1(cert->sha256Hex));
    QCOMPARE(trailing.certificates.first().der, cert->certDer);
}

#include "tst_tlsinspect.moc"
