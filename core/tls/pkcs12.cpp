// SPDX-License-Identifier: GPL-3.0-or-later
// PKCS#12: the MAC is checked first (wrong password vs. an unavailable MAC algorithm), then every
// safe bag is opened by hand, so a bag that cannot be decrypted with a verified password is told
// apart from a wrong password (legacy RC2/DES without the legacy provider: unsupported_algorithm).
#include "opensslutil.h"

#include <cstring>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pkcs12err.h>
#include <openssl/pkcs7.h>
#include <vector>

namespace opsdeck::tls::detail {

namespace {

// Oracle's "trusted key usage" attribute that keytool puts on trusted-certificate entries.
constexpr char OracleTrustedKeyUsage[] = "2.16.840.1.113894.746875.1.1";
constexpr int MaxBagDepth = 8;

// A NUL-terminated copy of the password that is wiped when it goes out of scope.
class SecretBuffer
{
public:
    explicit SecretBuffer(const QByteArray &bytes)
        : m_bytes(bytes.constData(), bytes.constData() + bytes.size())
    {
        m_bytes.push_back('\0');
    }
    SecretBuffer(const SecretBuffer &) = delete;
    SecretBuffer &operator=(const SecretBuffer &) = delete;
    ~SecretBuffer() { OPENSSL_cleanse(m_bytes.data(), m_bytes.size()); }
    const char *data() const { return m_bytes.data(); }
    int size() const { return static_cast<int>(m_bytes.size()) - 1; }

private:
    std::vector<char> m_bytes;
};

struct Password
{
    const char *pass = nullptr; // nullptr: "no password" (differs from "" in PKCS#12)
    int len = 0;
};

struct Walk
{
    Password password;
    bool macVerified = false;
    FileInspection *out = nullptr;
    bool failed = false;
};

void fail(Walk &walk, Problem problem, const QString &detail)
{
    if (!walk.failed) {
        walk.failed = true;
        walk.out->problem = problem;
        walk.out->problemDetail = detail;
    }
    ERR_clear_error();
}

QString algorithmName(const X509_ALGOR *alg)
{
    if (alg == nullptr)
        return QStringLiteral("unknown algorithm");
    const ASN1_OBJECT *obj = nullptr;
    X509_ALGOR_get0(&obj, nullptr, nullptr, alg);
    if (obj == nullptr)
        return QStringLiteral("unknown algorithm");
    const int nid = OBJ_obj2nid(obj);
    if (nid != NID_undef) {
        if (const char *ln = OBJ_nid2ln(nid))
            return QString::fromLatin1(ln);
    }
    char buf[128] = {};
    OBJ_obj2txt(buf, sizeof buf, obj, 1);
    return QString::fromLatin1(buf);
}

bool isLegacyPbe(const X509_ALGOR *alg)
{
    if (alg == nullptr)
        return false;
    const ASN1_OBJECT *obj = nullptr;
    X509_ALGOR_get0(&obj, nullptr, nullptr, alg);
    switch (OBJ_obj2nid(obj)) {
    case NID_pbe_WithSHA1And40BitRC2_CBC:
    case NID_pbe_WithSHA1And128BitRC2_CBC:
    case NID_pbe_WithSHA1And128BitRC4:
    case NID_pbe_WithSHA1And40BitRC4:
    case NID_pbeWithMD5AndDES_CBC:
    case NID_pbeWithSHA1AndDES_CBC:
    case NID_pbeWithMD5AndRC2_CBC:
    case NID_pbeWithSHA1AndRC2_CBC:
        return true;
    default:
        return false;
    }
}

// A bag or safe could not be decrypted: with a verified MAC the password is right, so the cipher
// is the problem; without a MAC we can only guess from the algorithm.
void decryptFailed(Walk &walk, const X509_ALGOR *alg, const QString &what)
{
    const QString error = takeOpenSslError();
    const QString algo = algorithmName(alg);
    const bool legacy = isLegacyPbe(alg);
    if (walk.macVerified || (legacy && !legacyLoaded())) {
        QString detail = QStringLiteral("cannot decrypt the %1 (%2)").arg(what, algo);
        if (legacy && !legacyLoaded())
            detail += QStringLiteral(": the OpenSSL legacy provider is not available");
        else if (!error.isEmpty())
            detail += QStringLiteral(": ") + error;
        fail(walk, Problem::UnsupportedAlgorithm, detail);
        return;
    }
    if (walk.password.pass == nullptr || walk.password.len == 0)
        fail(walk, Problem::PasswordRequired,
             QStringLiteral("the %1 is encrypted (%2) and no password is configured")
                 .arg(what, algo));
    else
        fail(walk, Problem::BadPassword,
             QStringLiteral("cannot decrypt the %1 (%2) with the configured password")
                 .arg(what, algo));
}

QString friendlyName(PKCS12_SAFEBAG *bag)
{
    char *name = PKCS12_get_friendlyname(bag);
    if (name == nullptr)
        return {};
    QString s = QString::fromUtf8(name);
    OPENSSL_free(name);
    return s;
}

bool hasTrustedKeyUsage(const PKCS12_SAFEBAG *bag)
{
    const STACK_OF(X509_ATTRIBUTE) *attrs = PKCS12_SAFEBAG_get0_attrs(bag);
    for (int i = 0; i < sk_X509_ATTRIBUTE_num(attrs); ++i) {
        const ASN1_OBJECT *obj = X509_ATTRIBUTE_get0_object(sk_X509_ATTRIBUTE_value(attrs, i));
        char buf[64] = {};
        if (obj != nullptr && OBJ_obj2txt(buf, sizeof buf, obj, 1) > 0 &&
            std::strcmp(buf, OracleTrustedKeyUsage) == 0)
            return true;
    }
    return false;
}

void addKey(Walk &walk, const PKCS8_PRIV_KEY_INFO *p8, const QString &alias)
{
    EvpPkeyPtr key(EVP_PKCS82PKEY(p8));
    if (!key) {
        fail(walk, Problem::Parse,
             QStringLiteral("undecodable private key: ") +
                 takeOpenSslError(QStringLiteral("unknown error")));
        return;
    }
    PrivateKeyInfo info = privateKeyInfo(key.get());
    info.alias = alias;
    walk.out->keys << info;
}

void walkBags(Walk &walk, const STACK_OF(PKCS12_SAFEBAG) * bags, int depth)
{
    if (depth > MaxBagDepth) {
        fail(walk, Problem::Parse, QStringLiteral("PKCS#12 safe contents nested too deeply"));
        return;
    }
    for (int i = 0; i < sk_PKCS12_SAFEBAG_num(bags) && !walk.failed; ++i) {
        PKCS12_SAFEBAG *bag = sk_PKCS12_SAFEBAG_value(bags, i);
        switch (PKCS12_SAFEBAG_get_nid(bag)) {
        case NID_certBag: {
            if (PKCS12_SAFEBAG_get_bag_nid(bag) != NID_x509Certificate)
                break; // SDSI certificates and the like: ignored
            X509Ptr cert(PKCS12_SAFEBAG_get1_cert(bag));
            if (!cert) {
                fail(walk, Problem::Parse,
                     QStringLiteral("undecodable certificate bag: ") +
                         takeOpenSslError(QStringLiteral("unknown error")));
                return;
            }
            CertificateInfo info = certificateInfo(std::move(cert));
            info.alias = friendlyName(bag);
            info.trustedEntry = hasTrustedKeyUsage(bag);
            walk.out->certificates << info;
            break;
        }
        case NID_keyBag:
            addKey(walk, PKCS12_SAFEBAG_get0_p8inf(bag), friendlyName(bag));
            break;
        case NID_pkcs8ShroudedKeyBag: {
            Pkcs8Ptr p8(PKCS12_decrypt_skey(bag, walk.password.pass, walk.password.len));
            if (!p8) {
                const X509_SIG *sig = PKCS12_SAFEBAG_get0_pkcs8(bag);
                const X509_ALGOR *alg = nullptr;
                if (sig != nullptr)
                    X509_SIG_get0(sig, &alg, nullptr);
                decryptFailed(walk, alg, QStringLiteral("private key"));
                return;
            }
            addKey(walk, p8.get(), friendlyName(bag));
            break;
        }
        case NID_safeContentsBag:
            walkBags(walk, PKCS12_SAFEBAG_get0_safes(bag), depth + 1);
            break;
        default:
            break; // CRL and secret bags: not ours
        }
    }
}

} // namespace

void inspectPkcs12(PKCS12 *p12, const InspectOptions &options, FileInspection &out)
{
    ensureProviders();
    ErrorQueueGuard guard;
    out.kind = FileKind::Pkcs12;
    SecretBuffer secret(options.storePassword);

    // Candidate passwords: the configured one; with none (or an empty one) both PKCS#12 spellings
    // of "no password" (absent and empty BMPString), as OpenSSL's own PKCS12_parse does.
    std::vector<Password> candidates;
    if (options.havePassword && secret.size() > 0)
        candidates.push_back({secret.data(), secret.size()});
    else
        candidates = {{nullptr, 0}, {"", 0}};

    Walk walk;
    walk.out = &out;
    if (PKCS12_mac_present(p12) == 1) {
        bool verified = false;
        for (const Password &pw : candidates) {
            ERR_clear_error();
            if (PKCS12_verify_mac(p12, pw.pass, pw.len) == 1) {
                walk.password = pw;
                verified = true;
                break;
            }
            if (ERR_GET_REASON(ERR_peek_error()) == PKCS12_R_MAC_GENERATION_ERROR) {
                const X509_ALGOR *macAlg = nullptr;
                PKCS12_get0_mac(nullptr, &macAlg, nullptr, nullptr, p12);
                fail(walk, Problem::UnsupportedAlgorithm,
                     QStringLiteral("cannot compute the PKCS#12 MAC (%1)")
                         .arg(macAlg != nullptr ? algorithmName(macAlg)
                                                : QStringLiteral("unknown algorithm")));
                return;
            }
        }
        if (!verified) {
            if (options.havePassword && secret.size() > 0)
                fail(walk, Problem::BadPassword,
                     QStringLiteral("PKCS#12 MAC verification failed: wrong password"));
            else
                fail(walk, Problem::PasswordRequired,
                     QStringLiteral("the PKCS#12 store is password protected (MAC) and no "
                                    "password is configured"));
            return;
        }
        walk.macVerified = true;
    } else {
        out.warnings << QStringLiteral("no_mac");
        walk.password = candidates.front();
    }

    Pkcs7StackPtr safes(PKCS12_unpack_authsafes(p12));
    if (!safes) {
        fail(walk, Problem::Parse,
             QStringLiteral("undecodable PKCS#12 contents: ") +
                 takeOpenSslError(QStringLiteral("unknown error")));
        return;
    }
    for (int i = 0; i < sk_PKCS7_num(safes.get()) && !walk.failed; ++i) {
        PKCS7 *p7 = sk_PKCS7_value(safes.get(), i);
        SafeBagStackPtr bags;
        const int nid = OBJ_obj2nid(p7->type);
        if (nid == NID_pkcs7_data) {
            bags.reset(PKCS12_unpack_p7data(p7));
        } else if (nid == NID_pkcs7_encrypted) {
            bags.reset(PKCS12_unpack_p7encdata(p7, walk.password.pass, walk.password.len));
            if (!bags) {
                const X509_ALGOR *alg = nullptr;
                if (p7->d.encrypted != nullptr && p7->d.encrypted->enc_data != nullptr)
                    alg = p7->d.encrypted->enc_data->algorithm;
                decryptFailed(walk, alg, QStringLiteral("certificate safe"));
                return;
            }
        } else {
            continue; // enveloped safes (public-key privacy mode): not supported, skipped
        }
        if (!bags) {
            fail(walk, Problem::Parse,
                 QStringLiteral("undecodable PKCS#12 safe: ") +
                     takeOpenSslError(QStringLiteral("unknown error")));
            return;
        }
        walkBags(walk, bags.get(), 0);
    }
    if (!walk.failed && out.certificates.isEmpty() && out.keys.isEmpty())
        fail(walk, Problem::NoCertificate,
             QStringLiteral("the PKCS#12 store holds no certificate"));
}

} // namespace opsdeck::tls::detail
