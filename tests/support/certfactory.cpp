// SPDX-License-Identifier: GPL-3.0-or-later
#include "certfactory.h"

#include <QDir>
#include <QFile>
#include <QTimeZone>
#include <ctime>
#include <memory>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/provider.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace opsdeck::test {

namespace {

template<auto Free> struct Deleter
{
    template<typename T> void operator()(T *pointer) const { Free(pointer); }
};
using BioPtr = std::unique_ptr<BIO, Deleter<BIO_free_all>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509_free>>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using ExtPtr = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION_free>>;
using Pkcs12Ptr = std::unique_ptr<PKCS12, Deleter<PKCS12_free>>;
using LibCtxPtr = std::unique_ptr<OSSL_LIB_CTX, Deleter<OSSL_LIB_CTX_free>>;

void freeX509Stack(STACK_OF(X509) * stack)
{
    sk_X509_pop_free(stack, X509_free);
}
using X509StackPtr = std::unique_ptr<STACK_OF(X509), Deleter<freeX509Stack>>;

// The OpenSSL error queue as text (and cleared), for messages.
QString sslErrors()
{
    QStringList parts;
    unsigned long code = 0;
    while ((code = ERR_get_error()) != 0) {
        char buffer[256];
        ERR_error_string_n(code, buffer, sizeof buffer);
        parts << QString::fromLatin1(buffer);
    }
    return parts.isEmpty() ? QStringLiteral("unknown OpenSSL error")
                           : parts.join(QLatin1String("; "));
}

Error sslError(const QString &what)
{
    return makeError(ErrorCode::Internal, QStringLiteral("%1: %2").arg(what, sslErrors()));
}

QByteArray bioBytes(BIO *bio)
{
    char *data = nullptr;
    const long size = BIO_ctrl(bio, BIO_CTRL_INFO, 0, static_cast<void *>(&data));
    return size > 0 && data ? QByteArray(data, static_cast<qsizetype>(size)) : QByteArray();
}

BioPtr memoryBio()
{
    return BioPtr(BIO_new(BIO_s_mem()));
}

BioPtr readBio(const QByteArray &bytes)
{
    return BioPtr(BIO_new_mem_buf(bytes.constData(), static_cast<int>(bytes.size())));
}

X509Ptr parseCert(const QByteArray &pem)
{
    BioPtr bio = readBio(pem);
    return X509Ptr(bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr);
}

PkeyPtr parseKey(const QByteArray &pem)
{
    BioPtr bio = readBio(pem);
    return PkeyPtr(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr);
}

PkeyPtr generateKey(KeyType type)
{
    switch (type) {
    case KeyType::EcP256:
        return PkeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
    case KeyType::EcP384:
        return PkeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384"));
    case KeyType::Rsa2048:
        return PkeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(2048)));
    case KeyType::Rsa3072:
        return PkeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(3072)));
    }
    return {};
}

QDateTime fromAsn1(const ASN1_TIME *time)
{
    struct tm parts = {};
    if (!time || ASN1_TIME_to_tm(time, &parts) != 1)
        return {};
    return QDateTime(QDate(parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday),
                     QTime(parts.tm_hour, parts.tm_min, parts.tm_sec), QTimeZone::utc());
}

QString nameText(const X509_NAME *name)
{
    BioPtr bio = memoryBio();
    if (!bio || !name)
        return {};
    X509_NAME_print_ex(bio.get(), name, 0,
                       XN_FLAG_SEP_CPLUS_SPC | XN_FLAG_DN_REV | ASN1_STRFLGS_UTF8_CONVERT |
                           ASN1_STRFLGS_ESC_CTRL);
    return QString::fromUtf8(bioBytes(bio.get()));
}

Result<QByteArray> certPemOf(X509 *cert)
{
    BioPtr bio = memoryBio();
    if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1)
        return sslError(QStringLiteral("cannot write the certificate as PEM"));
    return bioBytes(bio.get());
}

QByteArray certDerOf(X509 *cert)
{
    const int size = i2d_X509(cert, nullptr);
    if (size <= 0)
        return {};
    QByteArray der(size, Qt::Uninitialized);
    auto *out = reinterpret_cast<unsigned char *>(der.data());
    i2d_X509(cert, &out);
    return der;
}

// Fills everything but the chain fields.
Result<CertKey> describe(X509 *cert, EVP_PKEY *key)
{
    CertKey result;
    auto pem = certPemOf(cert);
    if (!pem)
        return pem.error();
    result.certPem = pem.value();
    result.certDer = certDerOf(cert);
    if (result.certDer.isEmpty())
        return sslError(QStringLiteral("cannot encode the certificate as DER"));
    if (key) {
        BioPtr bio = memoryBio();
        if (!bio || PEM_write_bio_PKCS8PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr,
                                                  nullptr) != 1)
            return sslError(QStringLiteral("cannot write the private key as PEM"));
        result.keyPem = bioBytes(bio.get());
    }
    result.sha256Hex = CertFactory::sha256Hex(result.certDer);
    result.subject = nameText(X509_get_subject_name(cert));
    result.issuer = nameText(X509_get_issuer_name(cert));
    result.notBefore = fromAsn1(X509_get0_notBefore(cert));
    result.notAfter = fromAsn1(X509_get0_notAfter(cert));
    result.selfSigned = X509_self_signed(cert, 0) == 1;
    return result;
}

Result<void> addExtension(X509 *cert, X509V3_CTX *context, int nid, const QString &value)
{
    const QByteArray text = value.toLatin1();
    ExtPtr extension(X509V3_EXT_conf_nid(nullptr, context, nid, text.constData()));
    if (!extension || X509_add_ext(cert, extension.get(), -1) != 1)
        return sslError(QStringLiteral("cannot add extension %1 = %2")
                            .arg(QString::fromLatin1(OBJ_nid2sn(nid)), value));
    return {};
}

Result<void> addNameEntry(X509_NAME *name, const char *field, const QString &value)
{
    if (value.isEmpty())
        return {};
    const QByteArray utf8 = value.toUtf8();
    if (X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char *>(utf8.constData()), -1,
                                   -1, 0) != 1)
        return sslError(QStringLiteral("cannot set %1=%2").arg(QLatin1String(field), value));
    return {};
}

quint64 randomSerial()
{
    quint64 serial = 0;
    if (RAND_bytes(reinterpret_cast<unsigned char *>(&serial), sizeof serial) != 1)
        serial = static_cast<quint64>(QDateTime::currentMSecsSinceEpoch());
    serial &= 0x7fffffffffffffffULL; // positive, at most 63 bits
    return serial == 0 ? 1 : serial;
}

// Builds and signs one certificate. issuerCert/issuerKey null: self-signed.
Result<CertKey> build(const CertSpec &spec, X509 *issuerCert, EVP_PKEY *issuerKey)
{
    PkeyPtr key = generateKey(spec.keyType);
    if (!key)
        return sslError(QStringLiteral("cannot generate a key"));
    X509Ptr cert(X509_new());
    if (!cert)
        return sslError(QStringLiteral("cannot allocate a certificate"));

    const QDateTime now = QDateTime::currentDateTimeUtc();
    const QDateTime notBefore = spec.notBefore.isValid() ? spec.notBefore : now.addSecs(-3600);
    const QDateTime notAfter = spec.notAfter.isValid() ? spec.notAfter : now.addDays(365);

    if (X509_set_version(cert.get(), X509_VERSION_3) != 1 ||
        ASN1_INTEGER_set_uint64(X509_get_serialNumber(cert.get()),
                                spec.serial ? spec.serial : randomSerial()) != 1 ||
        !ASN1_TIME_set(X509_getm_notBefore(cert.get()),
                       static_cast<time_t>(notBefore.toSecsSinceEpoch())) ||
        !ASN1_TIME_set(X509_getm_notAfter(cert.get()),
                       static_cast<time_t>(notAfter.toSecsSinceEpoch())) ||
        X509_set_pubkey(cert.get(), key.get()) != 1)
        return sslError(QStringLiteral("cannot fill the certificate"));

    X509_NAME *subject = X509_get_subject_name(cert.get());
    if (auto added = addNameEntry(subject, "O", spec.organization); !added)
        return added.error();
    if (auto added = addNameEntry(subject, "CN", spec.commonName); !added)
        return added.error();
    const X509_NAME *issuerName = issuerCert ? X509_get_subject_name(issuerCert) : subject;
    if (X509_set_issuer_name(cert.get(), issuerName) != 1)
        return sslError(QStringLiteral("cannot set the issuer"));

    X509V3_CTX context;
    X509V3_set_ctx(&context, issuerCert ? issuerCert : cert.get(), cert.get(), nullptr, nullptr, 0);

    const auto add = [&](int nid, const QString &value) {
        return addExtension(cert.get(), &context, nid, value);
    };
    QString basic =
        spec.isCa ? QStringLiteral("critical,CA:TRUE") : QStringLiteral("critical,CA:FALSE");
    if (spec.isCa && spec.pathLength >= 0)
        basic += QStringLiteral(",pathlen:%1").arg(spec.pathLength);
    if (auto r = add(NID_basic_constraints, basic); !r)
        return r.error();
    const bool rsa = spec.keyType == KeyType::Rsa2048 || spec.keyType == KeyType::Rsa3072;
    const QString usage = spec.isCa
                              ? QStringLiteral("critical,keyCertSign,cRLSign,digitalSignature")
                          : rsa ? QStringLiteral("critical,digitalSignature,keyEncipherment")
                                : QStringLiteral("critical,digitalSignature");
    if (auto r = add(NID_key_usage, usage); !r)
        return r.error();
    if (!spec.isCa && (spec.serverAuth || spec.clientAuth)) {
        QStringList purposes;
        if (spec.serverAuth)
            purposes << QStringLiteral("serverAuth");
        if (spec.clientAuth)
            purposes << QStringLiteral("clientAuth");
        if (auto r = add(NID_ext_key_usage, purposes.join(QLatin1Char(','))); !r)
            return r.error();
    }
    if (auto r = add(NID_subject_key_identifier, QStringLiteral("hash")); !r)
        return r.error();
    if (auto r = add(NID_authority_key_identifier, QStringLiteral("keyid:always")); !r)
        return r.error();
    QStringList altNames;
    for (const QString &dns : spec.dnsNames)
        altNames << QStringLiteral("DNS:") + dns;
    for (const QString &ip : spec.ipAddresses)
        altNames << QStringLiteral("IP:") + ip;
    if (!altNames.isEmpty()) {
        if (auto r = add(NID_subject_alt_name, altNames.join(QLatin1Char(','))); !r)
            return r.error();
    }

    if (X509_sign(cert.get(), issuerKey ? issuerKey : key.get(), EVP_sha256()) <= 0)
        return sslError(QStringLiteral("cannot sign the certificate"));
    return describe(cert.get(), key.get());
}

// A library context with the legacy and default providers, for legacy PKCS#12 ciphers. Created
// once, released at exit.
struct LegacyContext
{
    LibCtxPtr context;
    OSSL_PROVIDER *legacy = nullptr;
    OSSL_PROVIDER *base = nullptr;

    LegacyContext()
        : context(OSSL_LIB_CTX_new())
    {
        if (!context)
            return;
        legacy = OSSL_PROVIDER_load(context.get(), "legacy");
        base = OSSL_PROVIDER_load(context.get(), "default");
        ERR_clear_error();
    }
    ~LegacyContext()
    {
        if (legacy)
            OSSL_PROVIDER_unload(legacy);
        if (base)
            OSSL_PROVIDER_unload(base);
    }
    LegacyContext(const LegacyContext &) = delete;
    LegacyContext &operator=(const LegacyContext &) = delete;

    bool usable() const
    {
        if (!context || !legacy || !base)
            return false;
        EVP_CIPHER *rc2 = EVP_CIPHER_fetch(context.get(), "RC2-40-CBC", nullptr);
        const bool ok = rc2 != nullptr;
        EVP_CIPHER_free(rc2);
        ERR_clear_error();
        return ok;
    }
};

LegacyContext &legacyContext()
{
    static LegacyContext instance;
    return instance;
}

} // namespace

// --- CertSpec --------------------------------------------------------------------------------

CertSpec CertSpec::rootCa(const QString &commonName)
{
    CertSpec spec;
    spec.commonName = commonName;
    spec.isCa = true;
    spec.serverAuth = false;
    spec.notAfter = QDateTime::currentDateTimeUtc().addDays(3650);
    return spec;
}

CertSpec CertSpec::intermediateCa(const QString &commonName)
{
    CertSpec spec = rootCa(commonName);
    spec.pathLength = 0;
    spec.notAfter = QDateTime::currentDateTimeUtc().addDays(1825);
    return spec;
}

CertSpec CertSpec::server(const QString &commonName, const QStringList &moreDnsNames,
                          const QStringList &ipAddresses)
{
    CertSpec spec;
    spec.commonName = commonName;
    spec.dnsNames = QStringList{commonName} + moreDnsNames;
    spec.ipAddresses = ipAddresses;
    return spec;
}

CertSpec CertSpec::client(const QString &commonName)
{
    CertSpec spec;
    spec.commonName = commonName;
    spec.serverAuth = false;
    spec.clientAuth = true;
    return spec;
}

CertSpec &CertSpec::validFor(qint64 days)
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    notBefore = now.addSecs(-3600);
    notAfter = now.addDays(days);
    return *this;
}

CertSpec &CertSpec::expired(qint64 daysAgo)
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    notBefore = now.addDays(-daysAgo - 365);
    notAfter = now.addDays(-daysAgo);
    return *this;
}

CertSpec &CertSpec::notYetValid(qint64 daysFromNow)
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    notBefore = now.addDays(daysFromNow);
    notAfter = now.addDays(daysFromNow + 365);
    return *this;
}

CertSpec &CertSpec::expiringIn(qint64 seconds)
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    notBefore = now.addSecs(-3600);
    notAfter = now.addSecs(seconds);
    return *this;
}

CertSpec &CertSpec::withKey(KeyType type)
{
    keyType = type;
    return *this;
}

// --- CertKey / CertChain ---------------------------------------------------------------------

QByteArray CertKey::sha256Colons() const
{
    return CertFactory::sha256Hex(certDer, true);
}

const CertKey &CertChain::issuerOfLeaf() const
{
    return intermediates.isEmpty() ? root : intermediates.constLast();
}

// --- CertFactory -----------------------------------------------------------------------------

namespace CertFactory {

Result<CertKey> selfSigned(const CertSpec &spec)
{
    auto result = build(spec, nullptr, nullptr);
    if (!result)
        return result;
    CertKey value = std::move(result).value();
    value.chainPem = value.certPem;
    value.fullChainPem = value.certPem;
    return value;
}

Result<CertKey> issue(const CertSpec &spec, const CertKey &issuer)
{
    X509Ptr issuerCert = parseCert(issuer.certPem);
    if (!issuerCert)
        return sslError(QStringLiteral("cannot read the issuer certificate"));
    PkeyPtr issuerKey = parseKey(issuer.keyPem);
    if (!issuerKey)
        return sslError(QStringLiteral("cannot read the issuer key"));
    auto result = build(spec, issuerCert.get(), issuerKey.get());
    if (!result)
        return result;
    CertKey value = std::move(result).value();
    const QByteArray issuerChain = issuer.chainPem.isEmpty() ? issuer.certPem : issuer.chainPem;
    value.chainPem = value.certPem + (issuer.selfSigned ? QByteArray() : issuerChain);
    value.fullChainPem =
        value.certPem + (issuer.fullChainPem.isEmpty() ? issuer.certPem : issuer.fullChainPem);
    return value;
}

Result<CertChain> chain(const CertSpec &leafSpec, int intermediates)
{
    CertChain result;
    auto root = selfSigned(CertSpec::rootCa());
    if (!root)
        return root.error();
    result.root = root.value();
    for (int i = 0; i < intermediates; ++i) {
        CertSpec spec =
            CertSpec::intermediateCa(QStringLiteral("opsdeck Test Intermediate CA %1").arg(i + 1));
        spec.pathLength = intermediates - 1 - i;
        auto intermediate = issue(spec, result.issuerOfLeaf());
        if (!intermediate)
            return intermediate.error();
        result.intermediates << intermediate.value();
    }
    auto leaf = issue(leafSpec, result.issuerOfLeaf());
    if (!leaf)
        return leaf.error();
    result.leaf = leaf.value();
    return result;
}

Result<QByteArray> encryptedKeyPem(const CertKey &certKey, const QByteArray &password)
{
    PkeyPtr key = parseKey(certKey.keyPem);
    if (!key)
        return sslError(QStringLiteral("cannot read the private key"));
    BioPtr bio = memoryBio();
    if (!bio ||
        PEM_write_bio_PKCS8PrivateKey(bio.get(), key.get(), EVP_aes_256_cbc(), password.constData(),
                                      static_cast<int>(password.size()), nullptr, nullptr) != 1)
        return sslError(QStringLiteral("cannot encrypt the private key"));
    return bioBytes(bio.get());
}

bool legacyPkcs12Available()
{
    return legacyContext().usable();
}

Result<QByteArray> pkcs12(const CertKey &certKey, const QByteArray &password,
                          const QList<CertKey> &extraCerts, Pkcs12Cipher cipher,
                          const QString &friendlyName)
{
    X509Ptr cert = parseCert(certKey.certPem);
    PkeyPtr key = parseKey(certKey.keyPem);
    if (!cert || !key)
        return sslError(QStringLiteral("cannot read the certificate or key"));
    X509StackPtr others(sk_X509_new_null());
    if (!others)
        return sslError(QStringLiteral("cannot allocate a certificate list"));
    for (const CertKey &extra : extraCerts) {
        X509Ptr parsed = parseCert(extra.certPem);
        if (!parsed || sk_X509_push(others.get(), parsed.get()) <= 0)
            return sslError(QStringLiteral("cannot add %1").arg(extra.subject));
        parsed.release(); // owned by the stack now
    }

    const QByteArray name = friendlyName.toUtf8();
    Pkcs12Ptr p12;
    if (cipher == Pkcs12Cipher::Modern) {
        // AES-256-CBC with PBKDF2 for both bags; then an HMAC-SHA256 MAC, as `openssl pkcs12`.
        p12.reset(PKCS12_create_ex(password.constData(), name.constData(), key.get(), cert.get(),
                                   others.get(), NID_aes_256_cbc, NID_aes_256_cbc, 2048, -1, 0,
                                   nullptr, nullptr));
        if (p12 &&
            PKCS12_set_mac(p12.get(), password.constData(), static_cast<int>(password.size()),
                           nullptr, 0, 2048, EVP_sha256()) != 1)
            return sslError(QStringLiteral("cannot add the PKCS#12 MAC"));
    } else {
        LegacyContext &legacy = legacyContext();
        if (!legacy.usable())
            return makeError(ErrorCode::Unsupported,
                             QStringLiteral("the OpenSSL legacy provider is not available; "
                                            "legacy PKCS#12 (RC2/3DES) cannot be written"));
        p12.reset(PKCS12_create_ex(password.constData(), name.constData(), key.get(), cert.get(),
                                   others.get(), NID_pbe_WithSHA1And3_Key_TripleDES_CBC,
                                   NID_pbe_WithSHA1And40BitRC2_CBC, 2048, 1, 0,
                                   legacy.context.get(), nullptr));
    }
    if (!p12)
        return sslError(QStringLiteral("cannot create the PKCS#12 store"));
    const int size = i2d_PKCS12(p12.get(), nullptr);
    if (size <= 0)
        return sslError(QStringLiteral("cannot encode the PKCS#12 store"));
    QByteArray der(size, Qt::Uninitialized);
    auto *out = reinterpret_cast<unsigned char *>(der.data());
    i2d_PKCS12(p12.get(), &out);
    return der;
}

Result<CertKey> readPkcs12(const QByteArray &der, const QByteArray &password)
{
    const auto *in = reinterpret_cast<const unsigned char *>(der.constData());
    Pkcs12Ptr p12(d2i_PKCS12(nullptr, &in, static_cast<long>(der.size())));
    if (!p12)
        return makeError(ErrorCode::Parse,
                         QStringLiteral("not a PKCS#12 store: %1").arg(sslErrors()));
    EVP_PKEY *rawKey = nullptr;
    X509 *rawCert = nullptr;
    STACK_OF(X509) *rawOthers = nullptr;
    if (PKCS12_parse(p12.get(), password.constData(), &rawKey, &rawCert, &rawOthers) != 1)
        return makeError(
            ErrorCode::PermissionDenied,
            QStringLiteral("cannot open the PKCS#12 store (wrong password?): %1").arg(sslErrors()));
    PkeyPtr key(rawKey);
    X509Ptr cert(rawCert);
    X509StackPtr others(rawOthers);
    if (!cert)
        return makeError(ErrorCode::NotFound,
                         QStringLiteral("the PKCS#12 store has no certificate"));
    auto result = describe(cert.get(), key.get());
    if (!result)
        return result;
    CertKey value = std::move(result).value();
    value.chainPem = value.certPem;
    for (int i = 0; others && i < sk_X509_num(others.get()); ++i) {
        auto pem = certPemOf(sk_X509_value(others.get(), i));
        if (!pem)
            return pem.error();
        value.chainPem += pem.value();
    }
    value.fullChainPem = value.chainPem;
    return value;
}

QByteArray sha256Hex(const QByteArray &bytes, bool colons)
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    size_t size = 0;
    if (EVP_Q_digest(nullptr, "SHA256", nullptr, bytes.constData(),
                     static_cast<size_t>(bytes.size()), digest, &size) != 1)
        return {};
    const QByteArray raw(reinterpret_cast<const char *>(digest), static_cast<qsizetype>(size));
    return colons ? raw.toHex(':').toUpper() : raw.toHex();
}

Result<QByteArray> pemToDer(const QByteArray &certPem)
{
    X509Ptr cert = parseCert(certPem);
    if (!cert)
        return makeError(ErrorCode::Parse,
                         QStringLiteral("no PEM certificate found: %1").arg(sslErrors()));
    return certDerOf(cert.get());
}

Result<QString> writeFile(const QString &dir, const QString &name, const QByteArray &bytes)
{
    if (!QDir().mkpath(dir))
        return makeError(ErrorCode::Io, QStringLiteral("cannot create the directory"), dir);
    const QString path = QDir(dir).absoluteFilePath(name);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return makeError(ErrorCode::Io, file.errorString(), path);
    if (file.write(bytes) != bytes.size())
        return makeError(ErrorCode::Io, file.errorString(), path);
    const bool secret = name.endsWith(QLatin1String(".key")) ||
                        name.endsWith(QLatin1String(".p12")) ||
                        name.endsWith(QLatin1String(".pfx"));
    file.setPermissions(
        secret ? (QFile::ReadOwner | QFile::WriteOwner)
               : (QFile::ReadOwner | QFile::WriteOwner | QFile::ReadGroup | QFile::ReadOther));
    return path;
}

Result<WrittenFiles> writeAll(const QString &dir, const QString &baseName, const CertKey &certKey)
{
    WrittenFiles files;
    const struct
    {
        QString *target;
        QString name;
        const QByteArray *bytes;
    } items[] = {
        {&files.cert, baseName + QStringLiteral(".crt"), &certKey.certPem},
        {&files.der, baseName + QStringLiteral(".der"), &certKey.certDer},
        {&files.key, baseName + QStringLiteral(".key"), &certKey.keyPem},
        {&files.chain, baseName + QStringLiteral("-chain.pem"), &certKey.chainPem},
        {&files.fullChain, baseName + QStringLiteral("-fullchain.pem"), &certKey.fullChainPem},
    };
    for (const auto &item : items) {
        auto written = writeFile(dir, item.name, *item.bytes);
        if (!written)
            return written.error();
        *item.target = written.value();
    }
    return files;
}

} // namespace CertFactory

} // namespace opsdeck::test
