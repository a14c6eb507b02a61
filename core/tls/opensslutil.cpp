// SPDX-License-Identifier: GPL-3.0-or-later
#include "opensslutil.h"

#include <QCryptographicHash>
#include <QDate>
#include <QTime>
#include <arpa/inet.h>
#include <atomic>
#include <ctime>
#include <mutex>
#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/provider.h>

namespace opsdeck::tls::detail {

namespace {

std::once_flag g_providersOnce;
std::atomic<bool> g_legacyLoaded{false};
EVP_MD *g_sha256 = nullptr; // fetched once; EVP_MD objects are safe to share between threads

QDateTime asn1TimeToUtc(const ASN1_TIME *time)
{
    if (time == nullptr)
        return {};
    std::tm tm{};
    if (ASN1_TIME_to_tm(time, &tm) != 1)
        return {};
    const QDate date(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
    const QTime clock(tm.tm_hour, tm.tm_min, tm.tm_sec);
    return QDateTime(date, clock, Qt::UTC);
}

QString ipToString(const ASN1_OCTET_STRING *ip)
{
    const int len = ASN1_STRING_length(ip);
    const unsigned char *data = ASN1_STRING_get0_data(ip);
    char text[INET6_ADDRSTRLEN] = {};
    if (len == 4 && inet_ntop(AF_INET, data, text, sizeof text) != nullptr)
        return QString::fromLatin1(text);
    if (len == 16 && inet_ntop(AF_INET6, data, text, sizeof text) != nullptr)
        return QString::fromLatin1(text);
    return QStringLiteral("<%1 bytes>").arg(len);
}

QString asn1StringToQString(const ASN1_STRING *s)
{
    return QString::fromUtf8(reinterpret_cast<const char *>(ASN1_STRING_get0_data(s)),
                             ASN1_STRING_length(s));
}

QStringList subjectAltNames(X509 *cert)
{
    QStringList out;
    GeneralNamesPtr names(static_cast<GENERAL_NAMES *>(
        X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr)));
    if (!names)
        return out;
    const int n = sk_GENERAL_NAME_num(names.get());
    for (int i = 0; i < n; ++i) {
        const GENERAL_NAME *gn = sk_GENERAL_NAME_value(names.get(), i);
        switch (gn->type) {
        case GEN_DNS:
            out << QStringLiteral("DNS:") + asn1StringToQString(gn->d.dNSName);
            break;
        case GEN_IPADD:
            out << QStringLiteral("IP:") + ipToString(gn->d.iPAddress);
            break;
        case GEN_EMAIL:
            out << QStringLiteral("email:") + asn1StringToQString(gn->d.rfc822Name);
            break;
        case GEN_URI:
            out << QStringLiteral("URI:") + asn1StringToQString(gn->d.uniformResourceIdentifier);
            break;
        case GEN_DIRNAME:
            out << QStringLiteral("DirName:") + nameToString(gn->d.directoryName);
            break;
        default:
            break;
        }
    }
    return out;
}

QString serialHex(const X509 *cert)
{
    const ASN1_INTEGER *serial = X509_get0_serialNumber(cert);
    BignumPtr bn(ASN1_INTEGER_to_BN(serial, nullptr));
    if (!bn)
        return {};
    char *hex = BN_bn2hex(bn.get());
    if (hex == nullptr)
        return {};
    QString s = QString::fromLatin1(hex).toLower();
    OPENSSL_free(hex);
    return s;
}

QString signatureAlgorithm(const X509 *cert)
{
    const int nid = X509_get_signature_nid(cert);
    if (nid != NID_undef) {
        if (const char *ln = OBJ_nid2ln(nid))
            return QString::fromLatin1(ln);
    }
    const X509_ALGOR *alg = nullptr;
    X509_get0_signature(nullptr, &alg, cert);
    if (alg == nullptr)
        return {};
    const ASN1_OBJECT *obj = nullptr;
    X509_ALGOR_get0(&obj, nullptr, nullptr, alg);
    char buf[128] = {};
    if (obj == nullptr || OBJ_obj2txt(buf, sizeof buf, obj, 1) <= 0)
        return {};
    return QString::fromLatin1(buf);
}

QByteArray spkiSha256(EVP_PKEY *key)
{
    if (key == nullptr)
        return {};
    unsigned char *der = nullptr;
    const int len = i2d_PUBKEY(key, &der);
    if (len <= 0) {
        ERR_clear_error();
        return {};
    }
    QByteArray digest =
        sha256Raw(QByteArray::fromRawData(reinterpret_cast<const char *>(der), len));
    OPENSSL_free(der);
    return digest;
}

} // namespace

void ensureProviders()
{
    std::call_once(g_providersOnce, [] {
        // Loading any provider explicitly switches off the implicit default one, so load both.
        // The handles are kept for the life of the process on purpose.
        OSSL_PROVIDER_load(nullptr, "default");
        const bool legacy = OSSL_PROVIDER_load(nullptr, "legacy") != nullptr;
        g_legacyLoaded.store(legacy);
        g_sha256 = EVP_MD_fetch(nullptr, "SHA2-256", nullptr);
        ERR_clear_error();
    });
}

bool legacyLoaded()
{
    ensureProviders();
    return g_legacyLoaded.load();
}

unsigned long peekOpenSslError()
{
    return ERR_peek_error();
}

QString takeOpenSslError(const QString &fallback)
{
    const unsigned long code = ERR_peek_error();
    QString text = fallback;
    if (code != 0) {
        const char *lib = ERR_lib_error_string(code);
        const char *reason = ERR_reason_error_string(code);
        if (reason != nullptr) {
            text = lib != nullptr ? QString::fromLatin1(lib) + QStringLiteral(": ") +
                                        QString::fromLatin1(reason)
                                  : QString::fromLatin1(reason);
        } else if (text.isEmpty()) {
            text = QStringLiteral("OpenSSL error %1").arg(code, 0, 16);
        }
    }
    ERR_clear_error();
    return text;
}

ErrorQueueGuard::~ErrorQueueGuard()
{
    ERR_clear_error();
}

int noPasswordCallback(char *, int, int, void *)
{
    return -1;
}

QByteArray sha256Raw(const QByteArray &bytes)
{
    ensureProviders();
    // OpenSSL's SHA-256 uses the CPU's SHA extensions; the pre-fetched EVP_MD avoids a lookup.
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (g_sha256 != nullptr && EVP_Digest(bytes.constData(), static_cast<size_t>(bytes.size()), md,
                                          &len, g_sha256, nullptr) == 1)
        return QByteArray(reinterpret_cast<const char *>(md), static_cast<qsizetype>(len));
    ERR_clear_error();
    return QCryptographicHash::hash(bytes, QCryptographicHash::Sha256);
}

QString nameToString(const X509_NAME *name)
{
    if (name == nullptr)
        return {};
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio)
        return {};
    constexpr unsigned long flags =
        (XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) | ASN1_STRFLGS_UTF8_CONVERT;
    if (X509_NAME_print_ex(bio.get(), name, 0, flags) < 0) {
        ERR_clear_error();
        return {};
    }
    char *data = nullptr;
    const long len = BIO_get_mem_data(bio.get(), &data);
    return QString::fromUtf8(data, static_cast<qsizetype>(len));
}

void describeKey(EVP_PKEY *key, QString *type, int *bits, QString *curve)
{
    if (key == nullptr)
        return;
    switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_RSA:
        *type = QStringLiteral("RSA");
        break;
    case EVP_PKEY_RSA_PSS:
        *type = QStringLiteral("RSA-PSS");
        break;
    case EVP_PKEY_EC:
        *type = QStringLiteral("EC");
        break;
    case EVP_PKEY_DSA:
        *type = QStringLiteral("DSA");
        break;
    case EVP_PKEY_ED25519:
        *type = QStringLiteral("ED25519");
        break;
    case EVP_PKEY_ED448:
        *type = QStringLiteral("ED448");
        break;
    default:
        if (const char *name = EVP_PKEY_get0_type_name(key))
            *type = QString::fromLatin1(name).toUpper();
        break;
    }
    *bits = EVP_PKEY_get_bits(key);
    if (curve != nullptr && EVP_PKEY_get_base_id(key) == EVP_PKEY_EC) {
        char group[80] = {};
        size_t len = 0;
        if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group,
                                           &len) == 1)
            *curve = QString::fromLatin1(group, static_cast<qsizetype>(len));
    }
    ERR_clear_error();
}

CertificateInfo certificateInfo(X509Ptr cert, QByteArray der)
{
    CertificateInfo info;
    X509 *x = cert.get();
    if (der.isEmpty()) {
        unsigned char *buf = nullptr;
        const int len = i2d_X509(x, &buf);
        if (len > 0) {
            der = QByteArray(reinterpret_cast<const char *>(buf), len);
            OPENSSL_free(buf);
        }
    }
    info.subject = nameToString(X509_get_subject_name(x));
    info.issuer = nameToString(X509_get_issuer_name(x));
    info.subjectAltNames = subjectAltNames(x);
    info.serialHex = serialHex(x);
    info.notBefore = asn1TimeToUtc(X509_get0_notBefore(x));
    info.notAfter = asn1TimeToUtc(X509_get0_notAfter(x));
    info.sha256 = QString::fromLatin1(sha256Raw(der).toHex());
    EVP_PKEY *pub = X509_get0_pubkey(x);
    describeKey(pub, &info.keyType, &info.keyBits, &info.curve);
    info.signatureAlgorithm = signatureAlgorithm(x);
    info.isCa = X509_check_ca(x) > 0;
    info.selfSigned = X509_self_signed(x, 0) == 1;
    if (const X509_PUBKEY *spki = X509_get_X509_PUBKEY(x)) {
        unsigned char *buf = nullptr;
        const int len = i2d_X509_PUBKEY(spki, &buf);
        if (len > 0) {
            info.publicKeySha256 =
                sha256Raw(QByteArray::fromRawData(reinterpret_cast<const char *>(buf), len));
            OPENSSL_free(buf);
        }
    }
    info.der = std::move(der);
    info.x509 = std::shared_ptr<X509>(cert.release(), X509_free);
    ERR_clear_error();
    return info;
}

PrivateKeyInfo privateKeyInfo(EVP_PKEY *key)
{
    PrivateKeyInfo info;
    describeKey(key, &info.keyType, &info.keyBits, nullptr);
    info.publicKeySha256 = spkiSha256(key);
    return info;
}

} // namespace opsdeck::tls::detail
