// SPDX-License-Identifier: GPL-3.0-or-later
// PEM and DER decoding: all blocks of a PEM file (CRLF, text around blocks), DER certificates,
// DER keys, and the content-based classification of what was found.
#include "common/secretref.h"
#include "opensslutil.h"

#include <QScopeGuard>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs7.h>

namespace opsdeck::tls::detail {

namespace {

constexpr char BeginMarker[] = "-----BEGIN ";
constexpr qsizetype BeginMarkerLen = sizeof(BeginMarker) - 1;
constexpr qsizetype MaxLabelLen = 64;

bool isSpace(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

struct PemBody
{
    bool encrypted = false; // Proc-Type: 4,ENCRYPTED
    QByteArray base64;
};

// Splits RFC 1421 headers ("Proc-Type: 4,ENCRYPTED", "DEK-Info: ...") from the base64 body.
// The body may be a private key: it is read through views and copied once, whitespace dropped,
// into a buffer reserved up front (no reallocation leaves a stray copy), which the caller wipes.
PemBody splitBody(QByteArrayView body)
{
    PemBody out;
    qsizetype pos = 0;
    bool inHeaders = true;
    out.base64.reserve(body.size());
    while (pos < body.size()) {
        qsizetype eol = body.indexOf('\n', pos);
        if (eol < 0)
            eol = body.size();
        const QByteArrayView line = body.sliced(pos, eol - pos).trimmed();
        pos = eol + 1;
        if (inHeaders) {
            if (line.isEmpty())
                continue;
            if (line.contains(':')) {
                if (line.startsWith("Proc-Type:") && line.contains(QByteArrayView("ENCRYPTED")))
                    out.encrypted = true;
                continue;
            }
            inHeaders = false;
        }
        for (const char c : line) {
            if (!isSpace(c))
                out.base64.append(c);
        }
    }
    return out;
}

QString pemError(int index, const QByteArray &label, const QString &why)
{
    return QStringLiteral("PEM block %1 (%2): %3").arg(index).arg(QString::fromLatin1(label), why);
}

void setProblem(FileInspection &out, Problem problem, const QString &detail)
{
    if (out.problem == Problem::None) {
        out.problem = problem;
        out.problemDetail = detail;
    }
}

void addWarning(FileInspection &out, const QString &warning)
{
    if (!out.warnings.contains(warning))
        out.warnings << warning;
}

// Decodes the DER of one certificate; false on failure (error queue drained into *why).
bool addCertificateDer(const QByteArray &der, bool aux, FileInspection &out, QString *why)
{
    const auto *start = reinterpret_cast<const unsigned char *>(der.constData());
    const auto *p = start;
    X509Ptr cert(aux ? d2i_X509_AUX(nullptr, &p, der.size()) : d2i_X509(nullptr, &p, der.size()));
    if (!cert) {
        *why = takeOpenSslError(QStringLiteral("not a certificate"));
        return false;
    }
    // Only the bytes the certificate took: anything after it in the block is not part of its DER
    // (nor of its SHA-256).
    out.certificates << certificateInfo(std::move(cert), aux ? QByteArray() : der.left(p - start));
    return true;
}

int keyTypeForLabel(const QByteArray &label)
{
    if (label == "RSA PRIVATE KEY")
        return EVP_PKEY_RSA;
    if (label == "EC PRIVATE KEY")
        return EVP_PKEY_EC;
    if (label == "DSA PRIVATE KEY")
        return EVP_PKEY_DSA;
    return EVP_PKEY_NONE;
}

bool addPrivateKeyDer(const QByteArray &der, int type, FileInspection &out)
{
    const auto *p = reinterpret_cast<const unsigned char *>(der.constData());
    EvpPkeyPtr key(type == EVP_PKEY_NONE ? d2i_AutoPrivateKey(nullptr, &p, der.size())
                                         : d2i_PrivateKey(type, nullptr, &p, der.size()));
    if (!key)
        return false;
    out.keys << privateKeyInfo(key.get());
    return true;
}

void addEncryptedKey(const QString &type, FileInspection &out, const QString &detail)
{
    PrivateKeyInfo key;
    key.keyType = type;
    key.encrypted = true;
    out.keys << key;
    setProblem(out, Problem::KeyEncrypted, detail);
}

bool addPkcs7(const QByteArray &der, FileInspection &out)
{
    const auto *p = reinterpret_cast<const unsigned char *>(der.constData());
    OsslPtr<PKCS7, PKCS7_free> p7(d2i_PKCS7(nullptr, &p, der.size()));
    if (!p7)
        return false;
    STACK_OF(X509) *certs = nullptr;
    if (PKCS7_type_is_signed(p7.get()) && p7->d.sign != nullptr)
        certs = p7->d.sign->cert;
    else if (PKCS7_type_is_signedAndEnveloped(p7.get()) && p7->d.signed_and_enveloped != nullptr)
        certs = p7->d.signed_and_enveloped->cert;
    for (int i = 0; i < sk_X509_num(certs); ++i) {
        X509 *x = sk_X509_value(certs, i);
        if (X509_up_ref(x) == 1)
            out.certificates << certificateInfo(X509Ptr(x));
    }
    return true;
}

} // namespace

void inspectPem(const QByteArray &bytes, FileInspection &out)
{
    qsizetype pos = 0;
    int blocks = 0;
    bool ignored = false;
    while (true) {
        const qsizetype begin = bytes.indexOf(BeginMarker, pos);
        if (begin < 0)
            break;
        const qsizetype labelStart = begin + BeginMarkerLen;
        const qsizetype labelEnd = bytes.indexOf("-----", labelStart);
        if (labelEnd < 0 || labelEnd - labelStart > MaxLabelLen ||
            bytes.mid(labelStart, labelEnd - labelStart).contains('\n')) {
            if (labelEnd < 0) {
                setProblem(out, Problem::Parse,
                           QStringLiteral("truncated PEM: BEGIN line without its dashes"));
                break;
            }
            pos = labelStart; // not a real BEGIN line: text around blocks
            continue;
        }
        const QByteArray label = bytes.mid(labelStart, labelEnd - labelStart);
        const QByteArray endMarker = "-----END " + label + "-----";
        const qsizetype bodyStart = labelEnd + 5;
        const qsizetype end = bytes.indexOf(endMarker, bodyStart);
        ++blocks;
        if (end < 0) {
            setProblem(out, Problem::Parse,
                       pemError(blocks, label, QStringLiteral("truncated (no END line)")));
            break;
        }
        pos = end + endMarker.size();
        PemBody body = splitBody(QByteArrayView(bytes).sliced(bodyStart, end - bodyStart));
        auto decoded =
            QByteArray::fromBase64Encoding(body.base64, QByteArray::AbortOnBase64DecodingErrors);
        // A key block's base64 and DER are private key material: zeroed when this block is done.
        const auto wipe = qScopeGuard([&body, &decoded] {
            wipeBytes(body.base64);
            wipeBytes(decoded.decoded);
        });
        if (!decoded || decoded.decoded.isEmpty()) {
            setProblem(out, Problem::Parse, pemError(blocks, label, QStringLiteral("bad base64")));
            break;
        }
        const QByteArray &der = decoded.decoded;
        QString why;
        if (label == "CERTIFICATE" || label == "X509 CERTIFICATE" ||
            label == "TRUSTED CERTIFICATE") {
            if (!addCertificateDer(der, label == "TRUSTED CERTIFICATE", out, &why)) {
                setProblem(out, Problem::Parse, pemError(blocks, label, why));
                break;
            }
        } else if (label == "ENCRYPTED PRIVATE KEY") {
            const auto *p = reinterpret_cast<const unsigned char *>(der.constData());
            X509SigPtr sig(d2i_X509_SIG(nullptr, &p, der.size()));
            if (!sig) {
                setProblem(
                    out, Problem::Parse,
                    pemError(blocks, label, takeOpenSslError(QStringLiteral("undecodable"))));
                break;
            }
            addEncryptedKey(QString(), out,
                            QStringLiteral("private key (PEM block %1) is encrypted; it is never "
                                           "decrypted or prompted for")
                                .arg(blocks));
        } else if (label.endsWith("PRIVATE KEY")) {
            const int type = keyTypeForLabel(label);
            if (body.encrypted) {
                const QString name = label == "RSA PRIVATE KEY"   ? QStringLiteral("RSA")
                                     : label == "EC PRIVATE KEY"  ? QStringLiteral("EC")
                                     : label == "DSA PRIVATE KEY" ? QStringLiteral("DSA")
                                                                  : QString();
                addEncryptedKey(name, out,
                                QStringLiteral("private key (PEM block %1, Proc-Type ENCRYPTED) is "
                                               "encrypted; it is never decrypted or prompted for")
                                    .arg(blocks));
            } else if (!addPrivateKeyDer(der, type, out)) {
                setProblem(
                    out, Problem::Parse,
                    pemError(blocks, label, takeOpenSslError(QStringLiteral("undecodable"))));
                break;
            }
        } else if (label == "PKCS7") {
            if (!addPkcs7(der, out)) {
                setProblem(
                    out, Problem::Parse,
                    pemError(blocks, label, takeOpenSslError(QStringLiteral("undecodable"))));
                break;
            }
        } else if (label != "EC PARAMETERS") {
            ignored = true; // CRLs, CSRs, public keys, parameters: not ours to judge
        }
    }
    ERR_clear_error();
    if (ignored)
        addWarning(out, QStringLiteral("ignored_pem_blocks"));
    if (blocks == 0)
        setProblem(out, Problem::Parse, QStringLiteral("no PEM block found"));
    else if (out.certificates.isEmpty() && out.keys.isEmpty())
        setProblem(out, Problem::NoCertificate,
                   QStringLiteral("no certificate or private key in %1 PEM block(s)").arg(blocks));
    classifyDecoded(out);
}

bool inspectDer(const QByteArray &bytes, const InspectOptions &options, FileInspection &out)
{
    if (bytes.isEmpty() || static_cast<unsigned char>(bytes.at(0)) != 0x30)
        return false; // every DER structure we accept is a SEQUENCE
    const auto *start = reinterpret_cast<const unsigned char *>(bytes.constData());
    const auto *p = start;
    X509Ptr first(d2i_X509(nullptr, &p, bytes.size()));
    if (first) {
        // One certificate, or several concatenated DER certificates.
        qsizetype consumed = p - start;
        out.certificates << certificateInfo(std::move(first), bytes.left(consumed));
        while (consumed < bytes.size()) {
            const auto *q = start + consumed;
            if (*q != 0x30)
                break;
            X509Ptr next(d2i_X509(nullptr, &q, bytes.size() - consumed));
            if (!next)
                break;
            const qsizetype used = q - (start + consumed);
            out.certificates << certificateInfo(std::move(next), bytes.mid(consumed, used));
            consumed += used;
        }
        ERR_clear_error();
        for (qsizetype i = consumed; i < bytes.size(); ++i) {
            if (!isSpace(bytes.at(i)) && bytes.at(i) != '\0') {
                setProblem(out, Problem::Parse,
                           QStringLiteral("%1 bytes of trailing data after the DER certificate(s)")
                               .arg(bytes.size() - consumed));
                break;
            }
        }
        classifyDecoded(out);
        return true;
    }
    ERR_clear_error();

    p = start;
    Pkcs12Ptr p12(d2i_PKCS12(nullptr, &p, bytes.size()));
    if (p12) {
        inspectPkcs12(p12.get(), options, out);
        return true;
    }
    ERR_clear_error();

    p = start;
    X509SigPtr sig(d2i_X509_SIG(nullptr, &p, bytes.size()));
    if (sig && p - start == bytes.size()) {
        addEncryptedKey(QString(), out,
                        QStringLiteral("private key (DER PKCS#8) is encrypted; it is never "
                                       "decrypted or prompted for"));
        classifyDecoded(out);
        return true;
    }
    ERR_clear_error();

    if (addPrivateKeyDer(bytes, EVP_PKEY_NONE, out)) {
        classifyDecoded(out);
        return true;
    }
    ERR_clear_error();
    return false;
}

void classifyDecoded(FileInspection &out)
{
    QList<CertificateInfo> &certs = out.certificates;
    if (certs.isEmpty()) {
        out.kind = out.keys.isEmpty() ? FileKind::Unknown : FileKind::PrivateKey;
        return;
    }
    bool allCa = out.keys.isEmpty();
    for (const CertificateInfo &c : std::as_const(certs))
        allCa = allCa && c.isCa;
    if (allCa) {
        out.kind = FileKind::TrustBundle;
        for (CertificateInfo &c : certs)
            c.trustedEntry = true;
        return;
    }
    out.kind = FileKind::CertificateChain;
    // The leaf is the first certificate that issued no other certificate of the file.
    for (qsizetype i = 0; i < certs.size(); ++i) {
        bool issuedOther = false;
        for (qsizetype j = 0; j < certs.size() && !issuedOther; ++j)
            issuedOther = j != i && !certs[j].selfSigned && certs[j].issuer == certs[i].subject;
        if (!issuedOther) {
            if (i > 0)
                addWarning(out, QStringLiteral("leaf_not_first"));
            break;
        }
    }
}

} // namespace opsdeck::tls::detail
