// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/result.h"

#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QString>
#include <QStringList>

namespace opsdeck::test {

enum class KeyType
{
    EcP256, // fast; the default
    EcP384,
    Rsa2048,
    Rsa3072,
};

// What a certificate should say. Start from one of the factory functions and adjust fields.
struct CertSpec
{
    QString commonName;
    QString organization = QStringLiteral("opsdeck tests");
    QStringList dnsNames;    // subjectAltName DNS entries
    QStringList ipAddresses; // subjectAltName IP entries ("127.0.0.1", "::1")
    KeyType keyType = KeyType::EcP256;
    QDateTime notBefore; // invalid: now - 1 hour
    QDateTime notAfter;  // invalid: now + 365 days
    bool isCa = false;
    int pathLength = -1; // CA only; -1: no limit
    bool serverAuth = true;
    bool clientAuth = false;
    quint64 serial = 0; // 0: random

    static CertSpec rootCa(const QString &commonName = QStringLiteral("opsdeck Test Root CA"));
    static CertSpec
    intermediateCa(const QString &commonName = QStringLiteral("opsdeck Test Intermediate CA"));
    // A TLS server leaf; the common name is also the first DNS SAN.
    static CertSpec server(const QString &commonName = QStringLiteral("localhost"),
                           const QStringList &moreDnsNames = {},
                           const QStringList &ipAddresses = {QStringLiteral("127.0.0.1")});
    static CertSpec client(const QString &commonName = QStringLiteral("opsdeck-client"));

    // Validity helpers (relative to now).
    CertSpec &validFor(qint64 days);               // notBefore now-1h, notAfter now+days
    CertSpec &expired(qint64 daysAgo = 1);         // ended daysAgo days ago
    CertSpec &notYetValid(qint64 daysFromNow = 1); // starts in daysFromNow days
    CertSpec &expiringIn(qint64 seconds);          // ends in that many seconds
    CertSpec &withKey(KeyType type);
};

// A certificate and its private key, as plain bytes. Copyable values; no OpenSSL types leak out.
struct CertKey
{
    QByteArray certPem;
    QByteArray certDer;
    QByteArray keyPem; // unencrypted PKCS#8 ("BEGIN PRIVATE KEY")
    // This certificate plus its issuers up to, not including, a self-signed root: what a TLS
    // server sends. For a self-signed certificate: the certificate itself.
    QByteArray chainPem;
    // chainPem plus the root.
    QByteArray fullChainPem;
    QByteArray sha256Hex; // lowercase hex of SHA-256 over the DER, no separators
    QString subject;      // one-line form, e.g. "CN=localhost, O=opsdeck tests"
    QString issuer;
    QDateTime notBefore;
    QDateTime notAfter;
    bool selfSigned = false;

    bool isNull() const { return certDer.isEmpty(); }
    // "AB:CD:..." as `openssl x509 -fingerprint -sha256` prints it.
    QByteArray sha256Colons() const;
};

// A root, N intermediates and a leaf issued by the last intermediate (or the root when N is 0).
struct CertChain
{
    CertKey root;
    QList<CertKey> intermediates; // root-most first
    CertKey leaf;

    const CertKey &issuerOfLeaf() const;
};

enum class Pkcs12Cipher
{
    Modern, // AES-256-CBC + PBKDF2, HMAC-SHA256 (OpenSSL 3 default)
    Legacy, // PBE-SHA1-3DES keys, PBE-SHA1-RC2-40 certs, SHA-1 MAC: needs the legacy provider
};

// Builds test PKI material with the OpenSSL 3 API. Every function returns a value or an Error;
// nothing throws, nothing leaks.
namespace CertFactory {

Result<CertKey> selfSigned(const CertSpec &spec);
Result<CertKey> issue(const CertSpec &spec, const CertKey &issuer);
Result<CertChain> chain(const CertSpec &leafSpec = CertSpec::server(), int intermediates = 1);

// PEM (PKCS#8) key encrypted with AES-256-CBC under password.
Result<QByteArray> encryptedKeyPem(const CertKey &certKey, const QByteArray &password);
// PKCS#12 with the key, the certificate and extra certificates (e.g. the chain).
Result<QByteArray> pkcs12(const CertKey &certKey, const QByteArray &password,
                          const QList<CertKey> &extraCerts = {},
                          Pkcs12Cipher cipher = Pkcs12Cipher::Modern,
                          const QString &friendlyName = QStringLiteral("opsdeck"));
// True when the legacy provider loads, so Pkcs12Cipher::Legacy can work (skip tests otherwise).
bool legacyPkcs12Available();
// Parses a PKCS#12: the certificate and key as a CertKey (chain fields hold the extra certs).
Result<CertKey> readPkcs12(const QByteArray &der, const QByteArray &password);

// Hex SHA-256 of any bytes (for a certificate: pass its DER). colons: "AB:CD:..." upper-case.
QByteArray sha256Hex(const QByteArray &bytes, bool colons = false);
// DER of the first certificate in a PEM text, or an error.
Result<QByteArray> pemToDer(const QByteArray &certPem);

// Writes bytes to dir/name (creating dir), mode 0600 for keys and stores, 0644 otherwise.
// Returns the path written.
Result<QString> writeFile(const QString &dir, const QString &name, const QByteArray &bytes);

// Files written by writeAll(): every path is absolute.
struct WrittenFiles
{
    QString cert;      // <base>.crt (PEM)
    QString der;       // <base>.der
    QString key;       // <base>.key (PEM, unencrypted)
    QString chain;     // <base>-chain.pem (chainPem)
    QString fullChain; // <base>-fullchain.pem
};
// Writes the usual set of files for one certificate into dir.
Result<WrittenFiles> writeAll(const QString &dir, const QString &baseName, const CertKey &certKey);

} // namespace CertFactory

} // namespace opsdeck::test
