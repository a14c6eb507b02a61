// SPDX-License-Identifier: GPL-3.0-or-later
// The certificate factory: chains that verify, validity windows, PKCS#12, fingerprints.
#include "certfactory.h"
#include "testmain.h"

#include <QProcess>
#include <QTemporaryDir>
#include <memory>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

using namespace opsdeck;
using namespace opsdeck::test;

namespace {

template<auto Free> struct Deleter
{
    template<typename T> void operator()(T *pointer) const { Free(pointer); }
};
using X509Ptr = std::unique_ptr<X509, Deleter<X509_free>>;
using StorePtr = std::unique_ptr<X509_STORE, Deleter<X509_STORE_free>>;
using StoreCtxPtr = std::unique_ptr<X509_STORE_CTX, Deleter<X509_STORE_CTX_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO_free_all>>;
void freeStack(STACK_OF(X509) * stack)
{
    sk_X509_pop_free(stack, X509_free);
}
using StackPtr = std::unique_ptr<STACK_OF(X509), Deleter<freeStack>>;

X509Ptr parse(const QByteArray &pem)
{
    BioPtr bio(BIO_new_mem_buf(pem.constData(), static_cast<int>(pem.size())));
    return X509Ptr(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
}

// X509_verify_cert of leaf against root, with the intermediates as untrusted certificates.
// Returns the verify error code (X509_V_OK on success).
int verify(const CertKey &leaf, const CertKey &root, const QList<CertKey> &intermediates,
           const QString &host = {})
{
    StorePtr store(X509_STORE_new());
    X509Ptr rootCert = parse(root.certPem);
    X509_STORE_add_cert(store.get(), rootCert.get());
    StackPtr untrusted(sk_X509_new_null());
    for (const CertKey &intermediate : intermediates)
        sk_X509_push(untrusted.get(), parse(intermediate.certPem).release());
    X509Ptr leafCert = parse(leaf.certPem);
    StoreCtxPtr ctx(X509_STORE_CTX_new());
    X509_STORE_CTX_init(ctx.get(), store.get(), leafCert.get(), untrusted.get());
    if (!host.isEmpty()) {
        const QByteArray name = host.toLatin1();
        X509_VERIFY_PARAM_set1_host(X509_STORE_CTX_get0_param(ctx.get()), name.constData(),
                                    static_cast<size_t>(name.size()));
    }
    const int ok = X509_verify_cert(ctx.get());
    const int error = X509_STORE_CTX_get_error(ctx.get());
    ERR_clear_error();
    return ok == 1 ? X509_V_OK : error;
}

QString errorText(int code)
{
    return QString::fromLatin1(X509_verify_cert_error_string(code));
}

template<typename T> QString describe(const Result<T> &result)
{
    return result.ok() ? QStringLiteral("ok") : result.error().toString();
}

} // namespace

class TestCertFactory : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void chainVerifies();
    void keyTypes_data();
    void keyTypes();
    void validityWindows();
    void subjectAltNames();
    void encryptedKey();
    void pkcs12RoundTrip();
    void pkcs12Legacy();
    void fingerprintMatchesOpenSsl();
    void writeAllFiles();

private:
    CertChain m_chain;
    QTemporaryDir m_dir;
    bool m_haveOpenSslCli = false;
};

void TestCertFactory::initTestCase()
{
    QVERIFY(m_dir.isValid());
    const auto made = CertFactory::chain(
        CertSpec::server(QStringLiteral("zk1.example.test"), {QStringLiteral("localhost")},
                         {QStringLiteral("127.0.0.1"), QStringLiteral("::1")}),
        2);
    QVERIFY2(made.ok(), qPrintable(describe(made)));
    m_chain = made.value();
    m_haveOpenSslCli = !QStandardPaths::findExecutable(QStringLiteral("openssl")).isEmpty();
}

void TestCertFactory::chainVerifies()
{
    QCOMPARE(m_chain.intermediates.size(), 2);
    QVERIFY(m_chain.root.selfSigned);
    QVERIFY(!m_chain.leaf.selfSigned);
    QCOMPARE(m_chain.leaf.issuer, m_chain.intermediates.at(1).subject);
    QVERIFY2(m_chain.leaf.subject.contains(QLatin1String("CN=zk1.example.test")),
             qPrintable(m_chain.leaf.subject));

    int rc = verify(m_chain.leaf, m_chain.root, m_chain.intermediates);
    QVERIFY2(rc == X509_V_OK, qPrintable(errorText(rc)));
    // Without the intermediates the chain is incomplete.
    rc = verify(m_chain.leaf, m_chain.root, {});
    QCOMPARE(rc, static_cast<int>(X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY));
    // Against another root it does not verify.
    const auto otherRoot = CertFactory::selfSigned(CertSpec::rootCa(QStringLiteral("Other")));
    QVERIFY(otherRoot.ok());
    QVERIFY(verify(m_chain.leaf, otherRoot.value(), m_chain.intermediates) != X509_V_OK);

    // chainPem: leaf + intermediates (no root); fullChainPem adds the root.
    QCOMPARE(m_chain.leaf.chainPem.count("BEGIN CERTIFICATE"), 3);
    QCOMPARE(m_chain.leaf.fullChainPem.count("BEGIN CERTIFICATE"), 4);
    QVERIFY(m_chain.leaf.chainPem.startsWith(m_chain.leaf.certPem));
    QVERIFY(m_chain.leaf.fullChainPem.endsWith(m_chain.root.certPem));
    QCOMPARE(m_chain.root.chainPem, m_chain.root.certPem);
}

void TestCertFactory::keyTypes_data()
{
    QTest::addColumn<KeyType>("type");
    QTest::addColumn<QByteArray>("keyName");
    QTest::newRow("EC P-256") << KeyType::EcP256 << QByteArrayLiteral("EC");
    QTest::newRow("EC P-384") << KeyType::EcP384 << QByteArrayLiteral("EC");
    QTest::newRow("RSA 2048") << KeyType::Rsa2048 << QByteArrayLiteral("RSA");
}

void TestCertFactory::keyTypes()
{
    QFETCH(KeyType, type);
    QFETCH(QByteArray, keyName);
    const auto leaf =
        CertFactory::issue(CertSpec::server().withKey(type), m_chain.intermediates.at(1));
    QVERIFY2(leaf.ok(), qPrintable(describe(leaf)));
    QVERIFY(leaf->keyPem.startsWith("-----BEGIN PRIVATE KEY-----"));
    const int rc = verify(leaf.value(), m_chain.root, m_chain.intermediates);
    QVERIFY2(rc == X509_V_OK, qPrintable(errorText(rc)));
    X509Ptr cert = parse(leaf->certPem);
    EVP_PKEY *key = X509_get0_pubkey(cert.get());
    QVERIFY(key);
    QVERIFY(EVP_PKEY_is_a(key, keyName.constData()));
}

void TestCertFactory::validityWindows()
{
    const CertKey &issuer = m_chain.intermediates.at(1);
    const QDateTime now = QDateTime::currentDateTimeUtc();

    const auto expired = CertFactory::issue(CertSpec::server().expired(3), issuer);
    QVERIFY(expired.ok());
    QVERIFY(expired->notAfter < now);
    QVERIFY(qAbs(expired->notAfter.daysTo(now) - 3) <= 1);
    QCOMPARE(verify(expired.value(), m_chain.root, m_chain.intermediates),
             static_cast<int>(X509_V_ERR_CERT_HAS_EXPIRED));

    const auto future = CertFactory::issue(CertSpec::server().notYetValid(2), issuer);
    QVERIFY(future.ok());
    QVERIFY(future->notBefore > now);
    QCOMPARE(verify(future.value(), m_chain.root, m_chain.intermediates),
             static_cast<int>(X509_V_ERR_CERT_NOT_YET_VALID));

    const auto soon = CertFactory::issue(CertSpec::server().expiringIn(3600), issuer);
    QVERIFY(soon.ok());
    QVERIFY(soon->notAfter > now);
    QVERIFY(soon->notAfter <= now.addSecs(3601));
    QCOMPARE(verify(soon.value(), m_chain.root, m_chain.intermediates),
             static_cast<int>(X509_V_OK));

    // Exact dates are kept (to the second).
    CertSpec exact = CertSpec::server();
    exact.notBefore = QDateTime(QDate(2030, 1, 2), QTime(3, 4, 5), QTimeZone::utc());
    exact.notAfter = QDateTime(QDate(2055, 6, 7), QTime(8, 9, 10), QTimeZone::utc());
    const auto dated = CertFactory::issue(exact, issuer);
    QVERIFY(dated.ok());
    QCOMPARE(dated->notBefore, exact.notBefore);
    QCOMPARE(dated->notAfter, exact.notAfter);
}

void TestCertFactory::subjectAltNames()
{
    const CertKey &leaf = m_chain.leaf;
    QCOMPARE(verify(leaf, m_chain.root, m_chain.intermediates, QStringLiteral("localhost")),
             static_cast<int>(X509_V_OK));
    QCOMPARE(verify(leaf, m_chain.root, m_chain.intermediates, QStringLiteral("zk1.example.test")),
             static_cast<int>(X509_V_OK));
    QCOMPARE(verify(leaf, m_chain.root, m_chain.intermediates, QStringLiteral("other.test")),
             static_cast<int>(X509_V_ERR_HOSTNAME_MISMATCH));

    X509Ptr cert = parse(leaf.certPem);
    QCOMPARE(X509_check_ip_asc(cert.get(), "127.0.0.1", 0), 1);
    QCOMPARE(X509_check_ip_asc(cert.get(), "::1", 0), 1);
    QCOMPARE(X509_check_ip_asc(cert.get(), "10.0.0.1", 0), 0);
}

void TestCertFactory::encryptedKey()
{
    const auto encrypted = CertFactory::encryptedKeyPem(m_chain.leaf, QByteArrayLiteral("pw-123"));
    QVERIFY2(encrypted.ok(), qPrintable(describe(encrypted)));
    QVERIFY(encrypted->startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----"));

    const auto load = [&](const char *password) {
        BioPtr bio(BIO_new_mem_buf(encrypted->constData(), static_cast<int>(encrypted->size())));
        EVP_PKEY *key =
            PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, const_cast<char *>(password));
        ERR_clear_error();
        const bool ok = key != nullptr;
        EVP_PKEY_free(key);
        return ok;
    };
    QVERIFY(load("pw-123"));
    QVERIFY(!load("wrong"));
}

void TestCertFactory::pkcs12RoundTrip()
{
    const QByteArray password = QByteArrayLiteral("p12-pass");
    const auto p12 = CertFactory::pkcs12(m_chain.leaf, password, m_chain.intermediates);
    QVERIFY2(p12.ok(), qPrintable(describe(p12)));

    const auto back = CertFactory::readPkcs12(p12.value(), password);
    QVERIFY2(back.ok(), qPrintable(describe(back)));
    QCOMPARE(back->certDer, m_chain.leaf.certDer);
    QCOMPARE(back->sha256Hex, m_chain.leaf.sha256Hex);
    QCOMPARE(back->keyPem, m_chain.leaf.keyPem);
    QCOMPARE(back->chainPem.count("BEGIN CERTIFICATE"), 3);

    const auto wrong = CertFactory::readPkcs12(p12.value(), QByteArrayLiteral("nope"));
    QVERIFY(!wrong.ok());
    QCOMPARE(wrong.error().code, ErrorCode::PermissionDenied);

    const auto garbage = CertFactory::readPkcs12(QByteArrayLiteral("not a store"), password);
    QVERIFY(!garbage.ok());
    QCOMPARE(garbage.error().code, ErrorCode::Parse);

    if (!m_haveOpenSslCli)
        return;
    // The stock tool reads it too (modern AES store: no -legacy needed).
    const auto path =
        CertFactory::writeFile(m_dir.path(), QStringLiteral("modern.p12"), p12.value());
    QVERIFY(path.ok());
    QProcess openssl;
    openssl.start(QStringLiteral("openssl"),
                  {QStringLiteral("pkcs12"), QStringLiteral("-in"), path.value(),
                   QStringLiteral("-passin"), QStringLiteral("pass:p12-pass"),
                   QStringLiteral("-nokeys"), QStringLiteral("-info")});
    QVERIFY(openssl.waitForFinished(15000));
    const QByteArray err = openssl.readAllStandardError();
    QVERIFY2(openssl.exitCode() == 0, err.constData());
    QVERIFY2(err.contains("AES-256-CBC"), err.constData());
    QVERIFY2(err.contains("sha256"), err.constData());
}

void TestCertFactory::pkcs12Legacy()
{
    if (!CertFactory::legacyPkcs12Available())
        QSKIP("OpenSSL legacy provider not available: legacy PKCS#12 cannot be written");
    const QByteArray password = QByteArrayLiteral("legacy-pass");
    const auto p12 =
        CertFactory::pkcs12(m_chain.leaf, password, {m_chain.root}, Pkcs12Cipher::Legacy);
    QVERIFY2(p12.ok(), qPrintable(describe(p12)));
    if (!m_haveOpenSslCli)
        QSKIP("no openssl command to read the legacy store back");
    const auto path =
        CertFactory::writeFile(m_dir.path(), QStringLiteral("legacy.p12"), p12.value());
    QVERIFY(path.ok());
    const auto run = [&](const QString &pass) {
        QProcess openssl;
        openssl.start(QStringLiteral("openssl"),
                      {QStringLiteral("pkcs12"), QStringLiteral("-legacy"), QStringLiteral("-in"),
                       path.value(), QStringLiteral("-passin"), QStringLiteral("pass:") + pass,
                       QStringLiteral("-nokeys"), QStringLiteral("-info")});
        openssl.waitForFinished(15000);
        return std::make_pair(openssl.exitCode(), openssl.readAllStandardError());
    };
    const auto [rc, info] = run(QStringLiteral("legacy-pass"));
    QVERIFY2(rc == 0, info.constData());
    QVERIFY2(info.contains("RC2") || info.contains("3DES") || info.contains("TripleDES"),
             info.constData());
    QVERIFY(run(QStringLiteral("wrong")).first != 0);
}

void TestCertFactory::fingerprintMatchesOpenSsl()
{
    if (!m_haveOpenSslCli)
        QSKIP("no openssl command");
    const auto files = CertFactory::writeAll(m_dir.path(), QStringLiteral("leaf"), m_chain.leaf);
    QVERIFY2(files.ok(), qPrintable(describe(files)));
    for (const QString &file : {files->cert, files->der}) {
        QProcess openssl;
        QStringList args = {QStringLiteral("x509"),         QStringLiteral("-noout"),
                            QStringLiteral("-fingerprint"), QStringLiteral("-sha256"),
                            QStringLiteral("-in"),          file};
        if (file.endsWith(QLatin1String(".der")))
            args << QStringLiteral("-inform") << QStringLiteral("DER");
        openssl.start(QStringLiteral("openssl"), args);
        QVERIFY(openssl.waitForFinished(15000));
        QCOMPARE(openssl.exitCode(), 0);
        // "sha256 Fingerprint=AB:CD:..." (the label's case differs between versions)
        const QByteArray out = openssl.readAllStandardOutput().trimmed();
        const QByteArray value = out.mid(out.indexOf('=') + 1);
        QCOMPARE(value, m_chain.leaf.sha256Colons());
        QCOMPARE(value.toLower().replace(':', QByteArray()), m_chain.leaf.sha256Hex);
    }
    QCOMPARE(CertFactory::sha256Hex(m_chain.leaf.certDer), m_chain.leaf.sha256Hex);
    QCOMPARE(m_chain.leaf.sha256Hex.size(), 64);
}

void TestCertFactory::writeAllFiles()
{
    const auto files = CertFactory::writeAll(m_dir.filePath(QStringLiteral("sub/dir")),
                                             QStringLiteral("server"), m_chain.leaf);
    QVERIFY2(files.ok(), qPrintable(describe(files)));
    const auto read = [](const QString &path) {
        QFile file(path);
        return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
    };
    QCOMPARE(read(files->cert), m_chain.leaf.certPem);
    QCOMPARE(read(files->der), m_chain.leaf.certDer);
    QCOMPARE(read(files->key), m_chain.leaf.keyPem);
    QCOMPARE(read(files->chain), m_chain.leaf.chainPem);
    QCOMPARE(read(files->fullChain), m_chain.leaf.fullChainPem);
    QCOMPARE(QFile::permissions(files->key) & (QFile::ReadGroup | QFile::ReadOther),
             QFile::Permissions());
    QCOMPARE(CertFactory::pemToDer(m_chain.leaf.certPem).valueOr({}), m_chain.leaf.certDer);
    QVERIFY(!CertFactory::pemToDer(QByteArrayLiteral("nothing")).ok());
}

OPSDECK_TEST_GUILESS_MAIN(TestCertFactory)
#include "tst_certfactory.moc"
