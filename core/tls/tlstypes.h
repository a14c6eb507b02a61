// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Value types of the TLS module. Everything here is a plain value: built on worker threads,
// copied across threads (registered metatypes), shown by the GUI and printed by the CLI.

#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QMetaType>
#include <QString>
#include <QStringList>
#include <memory>
#include <optional>

struct x509_st; // OpenSSL's X509, only held opaquely (see CertificateInfo::x509)

namespace opsdeck::tls {

// What a file holds, decided by its content, never by its extension.
enum class FileKind
{
    Unknown,          // bytes that are none of the below (reported, not a crash)
    CertificateChain, // one or more certificates, a leaf first (PEM or DER)
    TrustBundle,      // CA certificates only (PEM or DER)
    PrivateKey,       // PEM/DER private key (maybe encrypted)
    Pkcs12,
    Jks,
    Jceks,
};
QString fileKindName(FileKind kind); // "chain", "trust", "key", "pkcs12", "jks", "jceks", "unknown"
std::optional<FileKind> fileKindFromName(const QString &name); // inverse of fileKindName

// Stable machine codes for why a file or bundle is not usable. JSON uses these strings.
enum class Problem
{
    None,
    Empty,                // "empty": zero bytes or only whitespace
    Parse,                // "parse": not decodable
    BadPassword,          // "bad_password": PKCS#12 MAC / decryption failed with the password
    PasswordRequired,     // "password_required": store needs a password and none was configured
    KeyEncrypted,         // "key_encrypted": private key is encrypted (never prompted for)
    KeyMismatch,          // "key_mismatch"
    UnsupportedAlgorithm, // "unsupported_algorithm": e.g. legacy PKCS#12 without the legacy
                          // provider
    IntegrityCheckFailed, // "integrity_check_failed": JKS trailer does not match the password
    TooLarge,             // "too_large": over the size limit, not read
    NotRegularFile,       // "not_regular_file": FIFO, device, socket: never opened
    Unreadable,           // "unreadable": EACCES and friends
    Missing,              // "missing": the path (or a symlink hop) is gone
    SymlinkLoop,          // "symlink_loop"
    NoCertificate,        // "no_certificate": the bundle has no leaf certificate
    UntrustedChain,       // "untrusted_chain"
    Expired,              // "expired"
    NotYetValid,          // "not_yet_valid"
    HostnameMismatch,     // "hostname_mismatch"
};
QString problemCode(Problem problem);
// For the code that reads files: the Problem an errno stands for (ENOENT/ENOTDIR: Missing,
// ELOOP: SymlinkLoop, anything else: Unreadable) and the system's text for it.
Problem problemForErrno(int error);
QString errnoText(int error);
std::optional<Problem> problemFromCode(const QString &code); // inverse of problemCode

struct CertificateInfo
{
    QString subject; // RFC 2253, e.g. "CN=solr-1,O=Example"
    QString issuer;
    QStringList subjectAltNames; // "DNS:host", "IP:127.0.0.1"
    QString serialHex;           // lowercase hex
    QDateTime notBefore;         // UTC
    QDateTime notAfter;          // UTC
    QString sha256;              // lowercase hex SHA-256 of the DER
    QString keyType;             // "RSA", "EC", "ED25519", ...
    int keyBits = 0;
    QString curve;              // EC only, e.g. "prime256v1"
    QString signatureAlgorithm; // e.g. "sha256WithRSAEncryption"
    bool isCa = false;
    bool selfSigned = false;
    QByteArray der;             // the certificate itself, for chain building and probing
    QByteArray publicKeySha256; // SHA-256 of the DER SubjectPublicKeyInfo (key matching)
    QString alias;              // keystore alias, when from a store
    bool trustedEntry = false;  // from a trust file or a keystore trusted-certificate entry
    // The parsed certificate, shared (refcounted, read-only) so evaluation does not decode the
    // DER again. Null when the info was built by other means; evaluation then decodes `der`.
    std::shared_ptr<x509_st> x509;

    qint64 daysLeft(const QDateTime &now) const; // negative when expired
};

struct PrivateKeyInfo
{
    QString keyType;
    int keyBits = 0;
    bool encrypted = false;     // encrypted and not decrypted: publicKeySha256 is empty
    QByteArray publicKeySha256; // SHA-256 of the DER SubjectPublicKeyInfo; empty when unknown
    QString alias;
};

// One file of a bundle as it was read: its identity, its content hash and what it contains.
struct FileInspection
{
    QString name;         // visible name inside the bundle (e.g. "tls.crt")
    QString path;         // the path as configured/visible (not the resolved target)
    QString resolvedPath; // after following symlinks
    qint64 size = 0;
    QString sha256; // lowercase hex of the bytes; empty when not read
    FileKind kind = FileKind::Unknown;
    QList<CertificateInfo> certificates; // in file order
    QList<PrivateKeyInfo> keys;
    Problem problem = Problem::None; // why the file is not usable (None: fine)
    QString problemDetail;           // human text; never secret material
    QStringList warnings;            // "leaf_not_first", "no_mac", "integrity_not_verified",
                                     // "key_readable_by_others", "der_in_pem", ...
    bool isUsable() const { return problem == Problem::None; }
};

enum class Verdict
{
    Ok,
    Expired,
    NotYetValid,
    UntrustedChain,
    KeyMismatch,
    HostnameMismatch,
    Invalid,    // a file could not be used (see problem)
    Unreadable, // the bundle could not be read at all
};
QString
verdictName(Verdict verdict); // "ok", "expired", "not_yet_valid", "untrusted_chain",
                              // "key_mismatch", "hostname_mismatch", "invalid", "unreadable"
std::optional<Verdict> verdictFromName(const QString &name); // inverse of verdictName

// The evaluation of a whole bundle at one moment.
struct BundleEvaluation
{
    Verdict verdict = Verdict::Invalid;
    Problem problem = Problem::None; // the first reason, as a stable code
    QString reason;                  // human sentence, e.g. "issuer 'CN=Int CA' not found"
    QStringList warnings;            // "expiring_soon", "leaf_not_first", ...
    std::optional<CertificateInfo> leaf;
    QList<CertificateInfo> chainPath; // leaf -> ... -> anchor, as built
    QString manifest;                 // root hash over sorted (name, sha256) entries
    qint64 daysLeft = 0;              // of the leaf (0 when no leaf)
    bool consistent() const { return verdict == Verdict::Ok; }
};

} // namespace opsdeck::tls

Q_DECLARE_METATYPE(opsdeck::tls::FileInspection)
Q_DECLARE_METATYPE(opsdeck::tls::BundleEvaluation)
