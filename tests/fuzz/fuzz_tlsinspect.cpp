// SPDX-License-Identifier: GPL-3.0-or-later
// The certificate and keystore parsers behind inspectBytes (core/tls/inspector.h): PEM, DER,
// PKCS#12, JKS and JCEKS, then evaluateBundle on the result. The first input byte picks the file
// name (its extension only matters for warnings) and whether the fixed test password "changeit"
// is given, so the decryption and integrity paths run; the rest is the file.
// Invariants: every decoded certificate has consistent facts and its DER decodes again, alone, to
// the same certificate; problems carry a detail; an OK verdict has a leaf, or is a trust bundle
// (only CA certificates, no key).
#include "fuzzcheck.h"
#include "tls/inspector.h"

using namespace opsdeck;
using namespace opsdeck::tls;

namespace {

const char *const Names[] = {"tls.crt",      "tls.key",     "ca.pem",   "keystore.p12",
                             "keystore.jks", "store.jceks", "cert.der", "bundle"};

bool isLowerHex(const QString &s, qsizetype size)
{
    if (s.size() != size)
        return false;
    for (const QChar c : s)
        if (!((c >= u'0' && c <= u'9') || (c >= u'a' && c <= u'f')))
            return false;
    return true;
}

void checkCertificate(const CertificateInfo &c, bool recurse)
{
    FUZZ_CHECK(!c.der.isEmpty());
    FUZZ_CHECK(isLowerHex(c.sha256, 64));
    FUZZ_CHECK(c.sha256 == sha256Hex(c.der));
    FUZZ_CHECK(c.publicKeySha256.isEmpty() || c.publicKeySha256.size() == 32);
    FUZZ_CHECK(c.keyBits >= 0);
    if (!recurse)
        return;
    // The certificate's own DER is a one-certificate DER file.
    InspectOptions none;
    const FileInspection alone = inspectBytes(QStringLiteral("one.der"), c.der, none);
    if (alone.certificates.size() != 1)
        std::fprintf(
            stderr, "re-inspected DER: kind %s, %d certificates, problem %s: %s\n",
            qUtf8Printable(fileKindName(alone.kind)), static_cast<int>(alone.certificates.size()),
            qUtf8Printable(problemCode(alone.problem)), qUtf8Printable(alone.problemDetail));
    FUZZ_CHECK(alone.certificates.size() == 1);
    const CertificateInfo &again = alone.certificates.first();
    FUZZ_CHECK(again.sha256 == c.sha256);
    FUZZ_CHECK(again.subject == c.subject);
    FUZZ_CHECK(again.issuer == c.issuer);
    FUZZ_CHECK(again.serialHex == c.serialHex);
    FUZZ_CHECK(again.notAfter == c.notAfter);
    FUZZ_CHECK(again.publicKeySha256 == c.publicKeySha256);
    checkCertificate(again, false);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const uint8_t selector = data[0];
    const QString name = QString::fromLatin1(Names[selector & 7]);
    InspectOptions options;
    if (selector & 8) {
        options.havePassword = true;
        options.storePassword = QByteArrayLiteral("changeit");
    }
    const QByteArray file = fuzz::bytes(data + 1, size - 1);

    FileInspection f = inspectBytes(name, file, options);
    FUZZ_CHECK(f.name == name);
    FUZZ_CHECK(f.isUsable() == (f.problem == Problem::None));
    if (f.problem != Problem::None)
        FUZZ_CHECK(!f.problemDetail.isEmpty());
    FUZZ_CHECK(problemFromCode(problemCode(f.problem)) == f.problem);
    FUZZ_CHECK(fileKindFromName(fileKindName(f.kind)) == f.kind);
    if (f.problem == Problem::Empty)
        FUZZ_CHECK(f.certificates.isEmpty() && f.keys.isEmpty());
    for (const CertificateInfo &c : std::as_const(f.certificates))
        checkCertificate(c, true);
    for (const PrivateKeyInfo &k : std::as_const(f.keys)) {
        FUZZ_CHECK(k.keyBits >= 0);
        if (k.encrypted)
            FUZZ_CHECK(k.publicKeySha256.isEmpty());
        else
            FUZZ_CHECK(k.publicKeySha256.isEmpty() || k.publicKeySha256.size() == 32);
    }

    f.path = QStringLiteral("/bundle/") + name;
    f.size = file.size();
    f.sha256 = sha256Hex(file);
    EvaluateOptions eval;
    eval.now = QDateTime(QDate(2025, 6, 1), QTime(12, 0), Qt::UTC);
    eval.expectedHostname = QStringLiteral("localhost");
    const BundleEvaluation e = evaluateBundle({f}, eval);
    FUZZ_CHECK(verdictFromName(verdictName(e.verdict)) == e.verdict);
    FUZZ_CHECK(e.manifest == manifestHash({f}));
    if (e.verdict == Verdict::Ok) {
        FUZZ_CHECK(e.problem == Problem::None);
        FUZZ_CHECK(f.isUsable());
        if (e.leaf) {
            FUZZ_CHECK(!e.chainPath.isEmpty());
            FUZZ_CHECK(e.chainPath.first().sha256 == e.leaf->sha256);
        } else {
            // Only a trust bundle (CA certificates, no key) is OK without a leaf.
            FUZZ_CHECK(!f.certificates.isEmpty() && f.keys.isEmpty());
            for (const CertificateInfo &c : std::as_const(f.certificates))
                FUZZ_CHECK(c.isCa);
        }
    }
    if (!f.isUsable())
        FUZZ_CHECK(e.verdict == Verdict::Invalid);
    if (e.leaf)
        checkCertificate(*e.leaf, false);
    return 0;
}
