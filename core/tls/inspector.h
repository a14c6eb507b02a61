// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "tlstypes.h"

#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QString>

namespace opsdeck::tls {

// Size limit for any file we read; larger files are refused with Problem::TooLarge.
inline constexpr qint64 MaxInspectedFileSize = 16 * 1024 * 1024;

struct InspectOptions
{
    QByteArray storePassword;   // PKCS#12 / JKS password (already resolved from its SecretRef)
    bool havePassword = false;  // distinguishes "no password" from "empty password"
};

// Decodes one file's bytes (already read by the caller). Thread-safe, never throws, never blocks
// on I/O. Classifies by content: PEM (chains, CRLF, text around blocks, DER inside .pem), DER,
// PKCS#12, JKS/JCEKS (certificates without a password; integrity checked when one is given),
// private keys (encrypted ones reported as KeyEncrypted, never prompted for).
// The caller fills name/path/size/sha256; this fills kind, certificates, keys, problem, warnings.
FileInspection inspectBytes(const QString &name, const QByteArray &bytes,
                            const InspectOptions &options);

// Reads and inspects one path: refuses non-regular files (FIFOs, devices: never opened),
// files over MaxInspectedFileSize, unreadable files; follows symlinks (loop -> SymlinkLoop).
FileInspection inspectFile(const QString &path, const InspectOptions &options);

// True when OpenSSL's "legacy" provider (RC2, 3DES-era PKCS#12) could be loaded. Loads the
// providers once on first use (thread-safe); every function here does that itself.
bool legacyProviderAvailable();

// Lowercase hex SHA-256.
QString sha256Hex(const QByteArray &bytes);

// Root hash over the sorted (name, sha256) pairs: two hosts' bundles compare by this one value.
QString manifestHash(const QList<FileInspection> &files);

struct EvaluateOptions
{
    QDateTime now;                 // evaluation time (UTC); tests pass fixed times
    QString expectedHostname;      // checked against the leaf's SANs (CN fallback) when set
    int warnDays = 30;             // "expiring_soon" warning threshold
    QList<QByteArray> extraTrustAnchorsDer; // anchors from elsewhere (e.g. a --ca file)
    bool useSystemTrustStore = false;
};

// Judges a bundle as a whole: picks the leaf (the certificate that issued nothing else in the
// bundle, preferring one whose key is present), checks the key matches it, builds the chain to the
// trust anchors found in the bundle (trust files, PKCS#12/JKS trusted entries, self-signed roots),
// validity at `now`, hostname. Files with problems make the verdict Invalid with that problem.
// Private key files readable by group/others give the "key_readable_by_others" warning (the
// caller puts it on the FileInspection; it is carried over).
BundleEvaluation evaluateBundle(const QList<FileInspection> &files, const EvaluateOptions &options);

} // namespace opsdeck::tls
