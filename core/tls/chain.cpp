// SPDX-License-Identifier: GPL-3.0-or-later
// evaluateBundle: leaf choice, key match, chain building (X509_STORE at a fixed time), validity,
// hostname, warnings and the manifest.
#include "inspector.h"
#include "opensslutil.h"

#include <QSet>
#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>
#include <vector>

namespace opsdeck::tls {

using namespace detail;

namespace {

struct CertRef
{
    const CertificateInfo *info = nullptr;
    const FileInspection *file = nullptr;
    qsizetype index = 0; // position in its file
    X509 *x509 = nullptr;
};

bool isIoProblem(Problem p)
{
    return p == Problem::Missing || p == Problem::Unreadable || p == Problem::SymlinkLoop ||
           p == Problem::NotRegularFile || p == Problem::TooLarge;
}

QString quoted(const QString &s)
{
    return QLatin1Char('\'') + s + QLatin1Char('\'');
}

QString isoDate(const QDateTime &t)
{
    return t.toUTC().toString(Qt::ISODate);
}

bool isIpAddress(const QByteArray &host)
{
    unsigned char buf[16];
    return inet_pton(AF_INET, host.constData(), buf) == 1 ||
           inet_pton(AF_INET6, host.constData(), buf) == 1;
}

class Evaluator
{
public:
    Evaluator(const QList<FileInspection> &files, const EvaluateOptions &options)
        : m_files(files)
        , m_options(options)
        , m_now(options.now.isValid() ? options.now.toUTC() : QDateTime::currentDateTimeUtc())
    {}

    BundleEvaluation run();

private:
    void warn(const QString &w)
    {
        if (!m_ev.warnings.contains(w))
            m_ev.warnings << w;
    }
    // The first reason wins; later checks only add information (chain path, warnings).
    void judge(Verdict verdict, Problem problem, const QString &reason)
    {
        if (m_judged)
            return;
        m_judged = true;
        m_ev.verdict = verdict;
        m_ev.problem = problem;
        m_ev.reason = reason;
    }
    X509 *handleOf(const CertificateInfo &info);
    const CertRef *pickLeaf() const;
    void checkTrustOnly();
    void checkValidity(const CertificateInfo &leaf);
    void checkKey(const CertificateInfo &leaf);
    void checkChain(const CertRef &leaf);
    void checkHostname(X509 *leaf);
    CertificateInfo infoFor(X509 *x);

    const QList<FileInspection> &m_files;
    const EvaluateOptions &m_options;
    QDateTime m_now;
    BundleEvaluation m_ev;
    bool m_judged = false;
    std::vector<CertRef> m_certs;
    std::vector<const PrivateKeyInfo *> m_keys;
    std::vector<X509Ptr> m_owned; // certificates decoded here (infos without a shared handle)
};

X509 *Evaluator::handleOf(const CertificateInfo &info)
{
    if (info.x509)
        return info.x509.get();
    const auto *p = reinterpret_cast<const unsigned char *>(info.der.constData());
    X509Ptr x(d2i_X509(nullptr, &p, info.der.size()));
    if (!x) {
        ERR_clear_error();
        return nullptr;
    }
    m_owned.push_back(std::move(x));
    return m_owned.back().get();
}

CertificateInfo Evaluator::infoFor(X509 *x)
{
    for (const CertRef &ref : m_certs) {
        if (ref.x509 == x || X509_cmp(ref.x509, x) == 0)
            return *ref.info;
    }
    if (X509_up_ref(x) != 1)
        return {};
    return certificateInfo(X509Ptr(x)); // e.g. an anchor from the system store
}

const CertRef *Evaluator::pickLeaf() const
{
    // A leaf issued nothing else in the bundle. "c issued o" means o's issuer is c's subject and
    // o is not self-issued; collecting those issuers once keeps this linear in the bundle size
    // (a nested loop over all pairs took minutes for 20,000 certificates).
    QSet<QString> issuersOfOthers;
    issuersOfOthers.reserve(static_cast<qsizetype>(m_certs.size()));
    for (const CertRef &o : m_certs) {
        if (o.info->subject != o.info->issuer)
            issuersOfOthers.insert(o.info->issuer);
    }
    QSet<QByteArray> plainKeys;
    QSet<QString> encryptedAliases;
    for (const PrivateKeyInfo *k : m_keys) {
        if (!k->encrypted && !k->publicKeySha256.isEmpty())
            plainKeys.insert(k->publicKeySha256);
        else if (k->encrypted && !k->alias.isEmpty())
            encryptedAliases.insert(k->alias);
    }

    const CertRef *best = nullptr;
    int bestScore = -1;
    for (const CertRef &c : m_certs) {
        if (issuersOfOthers.contains(c.info->subject))
            continue;
        int score = 1;
        if (!c.info->isCa)
            score = 2;
        if (!c.info->trustedEntry && !c.info->selfSigned)
            score += 1;
        if (plainKeys.contains(c.info->publicKeySha256) && !c.info->publicKeySha256.isEmpty())
            score = 10;
        else if (encryptedAliases.contains(c.info->alias) && !c.info->alias.isEmpty())
            score = std::max(score, c.index == 0 ? 8 : 6);
        if (score > bestScore) {
            best = &c;
            bestScore = score;
        }
    }
    return best != nullptr ? best : (m_certs.empty() ? nullptr : &m_certs.front());
}

void Evaluator::checkTrustOnly()
{
    // Only CA certificates and no key: a truststore. Every certificate must be valid now.
    qint64 minDays = std::numeric_limits<qint64>::max();
    for (const CertRef &c : m_certs) {
        minDays = std::min(minDays, c.info->daysLeft(m_now));
        if (m_now > c.info->notAfter)
            judge(Verdict::Expired, Problem::Expired,
                  QStringLiteral("trusted certificate %1 expired on %2")
                      .arg(quoted(c.info->subject), isoDate(c.info->notAfter)));
        else if (m_now < c.info->notBefore)
            judge(Verdict::NotYetValid, Problem::NotYetValid,
                  QStringLiteral("trusted certificate %1 is not valid before %2")
                      .arg(quoted(c.info->subject), isoDate(c.info->notBefore)));
    }
    m_ev.daysLeft = minDays;
    if (minDays >= 0 && minDays <= m_options.warnDays)
        warn(QStringLiteral("expiring_soon"));
    judge(Verdict::Ok, Problem::None,
          QStringLiteral("trust bundle of %1 certificate(s), all valid").arg(m_certs.size()));
}

void Evaluator::checkValidity(const CertificateInfo &leaf)
{
    if (m_now > leaf.notAfter) {
        judge(Verdict::Expired, Problem::Expired,
              QStringLiteral("certificate %1 expired on %2")
                  .arg(quoted(leaf.subject), isoDate(leaf.notAfter)));
    } else if (m_now < leaf.notBefore) {
        judge(Verdict::NotYetValid, Problem::NotYetValid,
              QStringLiteral("certificate %1 is not valid before %2")
                  .arg(quoted(leaf.subject), isoDate(leaf.notBefore)));
    } else if (m_ev.daysLeft <= m_options.warnDays) {
        warn(QStringLiteral("expiring_soon"));
    }
}

void Evaluator::checkKey(const CertificateInfo &leaf)
{
    bool anyPlain = false;
    bool match = false;
    for (const PrivateKeyInfo *k : m_keys) {
        if (k->encrypted || k->publicKeySha256.isEmpty()) {
            warn(QStringLiteral("key_not_checked"));
            continue;
        }
        anyPlain = true;
        match = match || k->publicKeySha256 == leaf.publicKeySha256;
    }
    if (anyPlain && !match)
        judge(Verdict::KeyMismatch, Problem::KeyMismatch,
              QStringLiteral("the private key does not match certificate %1")
                  .arg(quoted(leaf.subject)));
}

void Evaluator::checkChain(const CertRef &leaf)
{
    X509StorePtr store(X509_STORE_new());
    X509StackPtr untrusted(sk_X509_new_null());
    X509StoreCtxPtr ctx(X509_STORE_CTX_new());
    if (!store || !untrusted || !ctx || leaf.x509 == nullptr) {
        judge(Verdict::Invalid, Problem::Parse, QStringLiteral("out of memory building the chain"));
        return;
    }
    for (const CertRef &c : m_certs) {
        if (c.x509 == nullptr)
            continue;
        if (c.info->selfSigned || c.info->trustedEntry) {
            X509_STORE_add_cert(store.get(), c.x509);
        } else if (c.x509 != leaf.x509 && X509_up_ref(c.x509) == 1) {
            if (sk_X509_push(untrusted.get(), c.x509) <= 0)
                X509_free(c.x509);
        }
    }
    for (const QByteArray &der : m_options.extraTrustAnchorsDer) {
        const auto *p = reinterpret_cast<const unsigned char *>(der.constData());
        X509Ptr x(d2i_X509(nullptr, &p, der.size()));
        if (x)
            X509_STORE_add_cert(store.get(), x.get()); // the store takes its own reference
        else
            warn(QStringLiteral("bad_extra_trust_anchor"));
    }
    if (m_options.useSystemTrustStore) {
        // The hashed directory is looked up lazily: only the issuers needed are read.
        if (X509_LOOKUP *dir = X509_STORE_add_lookup(store.get(), X509_LOOKUP_hash_dir()))
            X509_LOOKUP_add_dir(dir, X509_get_default_cert_dir(), X509_FILETYPE_PEM);
    }
    ERR_clear_error();

    if (X509_STORE_CTX_init(ctx.get(), store.get(), leaf.x509, untrusted.get()) != 1) {
        judge(Verdict::Invalid, Problem::Parse,
              QStringLiteral("cannot set up chain verification: ") + takeOpenSslError());
        return;
    }
    X509_VERIFY_PARAM *param = X509_STORE_CTX_get0_param(ctx.get());
    X509_VERIFY_PARAM_set_time(param, static_cast<time_t>(m_now.toSecsSinceEpoch()));
    // Trust files may hold intermediates as anchors (as OpenSSL's -partial_chain).
    X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_PARTIAL_CHAIN);
    const int ok = X509_verify_cert(ctx.get());

    X509StackPtr chain(X509_STORE_CTX_get1_chain(ctx.get()));
    for (int i = 0; i < sk_X509_num(chain.get()); ++i)
        m_ev.chainPath << infoFor(sk_X509_value(chain.get(), i));
    if (ok == 1) {
        ERR_clear_error();
        return;
    }
    const int error = X509_STORE_CTX_get_error(ctx.get());
    X509 *current = X509_STORE_CTX_get_current_cert(ctx.get());
    const QString subject =
        current != nullptr ? nameToString(X509_get_subject_name(current)) : leaf.info->subject;
    const QString issuer =
        current != nullptr ? nameToString(X509_get_issuer_name(current)) : leaf.info->issuer;
    ERR_clear_error();
    switch (error) {
    case X509_V_ERR_CERT_HAS_EXPIRED:
        judge(Verdict::Expired, Problem::Expired,
              QStringLiteral("certificate %1 in the chain has expired").arg(quoted(subject)));
        break;
    case X509_V_ERR_CERT_NOT_YET_VALID:
        judge(Verdict::NotYetValid, Problem::NotYetValid,
              QStringLiteral("certificate %1 in the chain is not yet valid").arg(quoted(subject)));
        break;
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
        judge(Verdict::UntrustedChain, Problem::UntrustedChain,
              QStringLiteral("issuer %1 of %2 not found").arg(quoted(issuer), quoted(subject)));
        break;
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
        judge(Verdict::UntrustedChain, Problem::UntrustedChain,
              QStringLiteral("self-signed certificate %1 is not a trust anchor")
                  .arg(quoted(subject)));
        break;
    default:
        judge(Verdict::UntrustedChain, Problem::UntrustedChain,
              QStringLiteral("chain verification failed at %1: %2")
                  .arg(quoted(subject), QString::fromLatin1(X509_verify_cert_error_string(error))));
        break;
    }
}

void Evaluator::checkHostname(X509 *leaf)
{
    const QString &name = m_options.expectedHostname;
    if (name.isEmpty() || leaf == nullptr)
        return;
    const QByteArray host = name.toUtf8();
    const bool ip = isIpAddress(host);
    const int rc =
        ip ? X509_check_ip_asc(leaf, host.constData(), 0)
           : X509_check_host(leaf, host.constData(), static_cast<size_t>(host.size()), 0, nullptr);
    ERR_clear_error();
    if (rc != 1)
        judge(Verdict::HostnameMismatch, Problem::HostnameMismatch,
              QStringLiteral("%1 %2 is not covered by certificate %3 (%4)")
                  .arg(ip ? QStringLiteral("address") : QStringLiteral("hostname"), quoted(name),
                       quoted(m_ev.leaf->subject),
                       m_ev.leaf->subjectAltNames.isEmpty()
                           ? QStringLiteral("no subjectAltName")
                           : m_ev.leaf->subjectAltNames.join(QStringLiteral(", "))));
}

BundleEvaluation Evaluator::run()
{
    m_ev.manifest = manifestHash(m_files);
    if (m_files.isEmpty()) {
        judge(Verdict::Unreadable, Problem::Missing, QStringLiteral("the bundle has no files"));
        return m_ev;
    }
    bool anyUsable = false;
    bool allBadAreIo = true;
    const FileInspection *firstBad = nullptr;
    for (const FileInspection &f : m_files) {
        for (const QString &w : f.warnings)
            warn(w);
        if (!f.isUsable()) {
            if (firstBad == nullptr)
                firstBad = &f;
            allBadAreIo = allBadAreIo && isIoProblem(f.problem);
            continue;
        }
        anyUsable = true;
        for (qsizetype i = 0; i < f.certificates.size(); ++i) {
            const CertificateInfo &c = f.certificates.at(i);
            m_certs.push_back({&c, &f, i, handleOf(c)});
        }
        for (const PrivateKeyInfo &k : f.keys)
            m_keys.push_back(&k);
    }
    if (firstBad != nullptr) {
        const QString label = firstBad->name.isEmpty() ? firstBad->path : firstBad->name;
        judge(!anyUsable && allBadAreIo ? Verdict::Unreadable : Verdict::Invalid, firstBad->problem,
              label + QStringLiteral(": ") + firstBad->problemDetail);
    }
    if (m_certs.empty()) {
        judge(Verdict::Invalid, Problem::NoCertificate,
              QStringLiteral("the bundle has no certificate"));
        return m_ev;
    }
    bool allCa = m_keys.empty();
    for (const CertRef &c : m_certs)
        allCa = allCa && c.info->isCa;
    if (allCa) {
        checkTrustOnly();
        return m_ev;
    }

    const CertRef *leaf = pickLeaf();
    m_ev.leaf = *leaf->info;
    m_ev.daysLeft = leaf->info->daysLeft(m_now);
    if (leaf->index > 0 && leaf->file->kind == FileKind::CertificateChain)
        warn(QStringLiteral("leaf_not_first"));
    checkValidity(*leaf->info);
    checkKey(*leaf->info);
    if (leaf->x509 == nullptr)
        judge(Verdict::Invalid, Problem::Parse,
              QStringLiteral("the leaf certificate is undecodable"));
    else
        checkChain(*leaf);
    checkHostname(leaf->x509);
    judge(Verdict::Ok, Problem::None,
          QStringLiteral("certificate %1 valid for %2 more day(s)")
              .arg(quoted(leaf->info->subject))
              .arg(m_ev.daysLeft));
    return m_ev;
}

} // namespace

BundleEvaluation evaluateBundle(const QList<FileInspection> &files, const EvaluateOptions &options)
{
    ensureProviders();
    ErrorQueueGuard guard;
    return Evaluator(files, options).run();
}

} // namespace opsdeck::tls
