// SPDX-License-Identifier: GPL-3.0-or-later
// Java KeyStore (JKS, 0xFEEDFEED) and JCEKS (0xCECECECE), read-only for certificates. Layout
// (all big-endian, openjdk JavaKeyStore.engineLoad):
//   u32 magic, u32 version (1|2), u32 count, count x entry, 20-byte SHA-1 trailer
//   entry: u32 tag (1 key, 2 trusted cert, 3 JCEKS secret key), UTF alias, u64 date,
//     tag 1: u32 len + protected key, u32 chainLen, chainLen x ([UTF type] u32 len + DER)
//     tag 2: [UTF type] u32 len + DER
//   trailer = SHA-1(UTF-16BE(password) || "Mighty Aphrodite" || all preceding bytes)
// Every length is checked against the bytes left before anything is allocated or read.
#include "opensslutil.h"

#include <QCryptographicHash>
#include <cstdint>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <optional>
#include <utility>

namespace opsdeck::tls::detail {

namespace {

constexpr quint32 JceksMagic = 0xCECECECEu;
constexpr qsizetype TrailerSize = 20;

class Reader
{
public:
    explicit Reader(const QByteArray &bytes)
        : m_data(reinterpret_cast<const unsigned char *>(bytes.constData()))
        , m_size(bytes.size())
    {}

    qsizetype pos() const { return m_pos; }
    qsizetype remaining() const { return m_size - m_pos; }

    std::optional<quint32> u32()
    {
        if (remaining() < 4)
            return std::nullopt;
        const unsigned char *p = m_data + m_pos;
        m_pos += 4;
        return (quint32(p[0]) << 24) | (quint32(p[1]) << 16) | (quint32(p[2]) << 8) | quint32(p[3]);
    }
    std::optional<quint16> u16()
    {
        if (remaining() < 2)
            return std::nullopt;
        const unsigned char *p = m_data + m_pos;
        m_pos += 2;
        return static_cast<quint16>((p[0] << 8) | p[1]);
    }
    bool skip(qint64 n)
    {
        if (n < 0 || n > remaining())
            return false;
        m_pos += static_cast<qsizetype>(n);
        return true;
    }
    // n bytes as a view (no copy); nullopt when fewer remain.
    std::optional<QByteArrayView> bytes(qint64 n)
    {
        if (n < 0 || n > remaining())
            return std::nullopt;
        QByteArrayView v(m_data + m_pos, static_cast<qsizetype>(n));
        m_pos += static_cast<qsizetype>(n);
        return v;
    }
    // Java DataInput.readUTF: u16 length + modified UTF-8 (CESU-8 surrogates, C0 80 for NUL).
    std::optional<QString> utf()
    {
        const auto len = u16();
        if (!len)
            return std::nullopt;
        const auto raw = bytes(*len);
        if (!raw)
            return std::nullopt;
        QString s;
        s.reserve(raw->size());
        const auto *p = reinterpret_cast<const unsigned char *>(raw->data());
        const qsizetype n = raw->size();
        for (qsizetype i = 0; i < n;) {
            const unsigned c = p[i];
            if (c < 0x80 && c != 0) {
                s.append(QChar(char16_t(c)));
                i += 1;
            } else if ((c & 0xE0) == 0xC0 && i + 1 < n && (p[i + 1] & 0xC0) == 0x80) {
                s.append(QChar(char16_t(((c & 0x1F) << 6) | (p[i + 1] & 0x3F))));
                i += 2;
            } else if ((c & 0xF0) == 0xE0 && i + 2 < n && (p[i + 1] & 0xC0) == 0x80 &&
                       (p[i + 2] & 0xC0) == 0x80) {
                s.append(QChar(
                    char16_t(((c & 0x0F) << 12) | ((p[i + 1] & 0x3F) << 6) | (p[i + 2] & 0x3F))));
                i += 3;
            } else {
                return std::nullopt; // malformed modified UTF-8
            }
        }
        return s;
    }

private:
    const unsigned char *m_data;
    qsizetype m_size;
    qsizetype m_pos = 0;
};

struct JksError
{
    Problem problem = Problem::Parse;
    QString detail;
};

QString truncatedAt(const Reader &r, const QString &what)
{
    return QStringLiteral("truncated or malformed keystore: %1 at offset %2")
        .arg(what)
        .arg(r.pos());
}

// Reads one certificate ([UTF type] u32 len + DER). Non-X.509 types are skipped (nullopt info).
bool readCertificate(Reader &r, quint32 version, const QString &alias, FileInspection &out,
                     JksError &err)
{
    QString type = QStringLiteral("X.509");
    if (version == 2) {
        const auto t = r.utf();
        if (!t) {
            err.detail = truncatedAt(r, QStringLiteral("certificate type"));
            return false;
        }
        type = *t;
    }
    const auto len = r.u32();
    if (!len) {
        err.detail = truncatedAt(r, QStringLiteral("certificate length"));
        return false;
    }
    const auto der = r.bytes(*len);
    if (!der) {
        err.detail = truncatedAt(r, QStringLiteral("certificate of %1 bytes").arg(*len));
        return false;
    }
    if (type != QLatin1String("X.509")) {
        if (!out.warnings.contains(QStringLiteral("non_x509_certificate_skipped")))
            out.warnings << QStringLiteral("non_x509_certificate_skipped");
        return true;
    }
    const auto *p = reinterpret_cast<const unsigned char *>(der->data());
    X509Ptr cert(d2i_X509(nullptr, &p, der->size()));
    if (!cert || p - reinterpret_cast<const unsigned char *>(der->data()) != der->size()) {
        err.detail = QStringLiteral("entry '%1': undecodable certificate (%2)")
                         .arg(alias, takeOpenSslError(QStringLiteral("trailing bytes")));
        return false;
    }
    CertificateInfo info = certificateInfo(std::move(cert), der->toByteArray());
    info.alias = alias;
    out.certificates << info;
    return true;
}

bool readEntries(Reader &r, quint32 version, quint32 count, FileInspection &out, JksError &err)
{
    for (quint32 i = 0; i < count; ++i) {
        const auto tag = r.u32();
        if (!tag) {
            err.detail = truncatedAt(r, QStringLiteral("entry %1 of %2").arg(i + 1).arg(count));
            return false;
        }
        const auto alias = r.utf();
        if (!alias) {
            err.detail = truncatedAt(r, QStringLiteral("alias of entry %1").arg(i + 1));
            return false;
        }
        if (!r.skip(8)) { // creation date
            err.detail = truncatedAt(r, QStringLiteral("date of entry '%1'").arg(*alias));
            return false;
        }
        if (*tag == 1) {
            const auto keyLen = r.u32();
            if (!keyLen || !r.skip(*keyLen)) {
                err.detail = truncatedAt(r, QStringLiteral("protected key of '%1'").arg(*alias));
                return false;
            }
            const auto chainLen = r.u32();
            if (!chainLen) {
                err.detail = truncatedAt(r, QStringLiteral("chain length of '%1'").arg(*alias));
                return false;
            }
            const qsizetype firstCert = out.certificates.size();
            for (quint32 c = 0; c < *chainLen; ++c) {
                if (!readCertificate(r, version, *alias, out, err))
                    return false;
            }
            // The key stays encrypted (Sun KeyProtector); describe it from its certificate.
            PrivateKeyInfo key;
            key.encrypted = true;
            key.alias = *alias;
            if (out.certificates.size() > firstCert) {
                key.keyType = out.certificates.at(firstCert).keyType;
                key.keyBits = out.certificates.at(firstCert).keyBits;
            }
            out.keys << key;
        } else if (*tag == 2) {
            const qsizetype before = out.certificates.size();
            if (!readCertificate(r, version, *alias, out, err))
                return false;
            if (out.certificates.size() > before)
                out.certificates.last().trustedEntry = true;
        } else if (*tag == 3) {
            // JCEKS secret key: a Java-serialized SealedObject with no length prefix; the rest of
            // the store cannot be located without a Java deserializer.
            err.problem = Problem::UnsupportedAlgorithm;
            err.detail = QStringLiteral("entry '%1' is a JCEKS secret-key entry (Java serialized "
                                        "object), which is not supported")
                             .arg(*alias);
            return false;
        } else {
            err.detail = QStringLiteral("entry %1: unknown tag %2").arg(i + 1).arg(*tag);
            return false;
        }
    }
    return true;
}

QByteArray integrityDigest(const QByteArray &password, QByteArrayView signedPart)
{
    // Java hashes the password chars as UTF-16BE.
    QString pw = QString::fromUtf8(password);
    QByteArray utf16;
    utf16.reserve(pw.size() * 2);
    for (QChar ch : std::as_const(pw)) {
        utf16.append(static_cast<char>(ch.unicode() >> 8));
        utf16.append(static_cast<char>(ch.unicode() & 0xFF));
    }
    QCryptographicHash sha1(QCryptographicHash::Sha1);
    sha1.addData(utf16);
    sha1.addData(QByteArrayView("Mighty Aphrodite"));
    sha1.addData(signedPart);
    OPENSSL_cleanse(utf16.data(), static_cast<size_t>(utf16.size()));
    pw.fill(QChar(u'\0')); // wipe the copy (same size: no reallocation)
    return sha1.result();
}

} // namespace

void inspectJks(const QByteArray &bytes, const InspectOptions &options, FileInspection &out)
{
    ErrorQueueGuard guard;
    Reader r(bytes);
    const auto magic = r.u32();
    out.kind = magic && *magic == JceksMagic ? FileKind::Jceks : FileKind::Jks;
    const auto version = r.u32();
    const auto count = r.u32();
    JksError err;
    auto failWith = [&out](const JksError &e) {
        out.problem = e.problem;
        out.problemDetail = e.detail;
    };
    if (!magic || !version || !count) {
        failWith({Problem::Parse, truncatedAt(r, QStringLiteral("header"))});
        return;
    }
    if (*version != 1 && *version != 2) {
        failWith({Problem::Parse, QStringLiteral("unsupported keystore version %1").arg(*version)});
        return;
    }
    if (!readEntries(r, *version, *count, out, err)) {
        failWith(err);
        return;
    }
    const qsizetype signedEnd = r.pos();
    const auto trailer = r.bytes(TrailerSize);
    if (!trailer) {
        failWith({Problem::Parse, truncatedAt(r, QStringLiteral("integrity trailer"))});
        return;
    }
    if (r.remaining() > 0)
        out.warnings << QStringLiteral("trailing_data");
    if (options.havePassword) {
        const QByteArray expected =
            integrityDigest(options.storePassword, QByteArrayView(bytes.constData(), signedEnd));
        if (expected != trailer->toByteArray()) {
            failWith({Problem::IntegrityCheckFailed,
                      QStringLiteral("keystore integrity check failed: wrong password or "
                                     "tampered file")});
            return;
        }
    } else {
        out.warnings << QStringLiteral("integrity_not_verified");
    }
    if (out.certificates.isEmpty())
        failWith({Problem::NoCertificate, QStringLiteral("the keystore holds no certificate")});
}

} // namespace opsdeck::tls::detail
