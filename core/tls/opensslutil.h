// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Internal to core/tls inspection: RAII holders for OpenSSL objects, one-time provider loading,
// error-queue draining, and the per-format decoders used by inspector.cpp.

#include "inspector.h"
#include "tlstypes.h"

#include <QByteArray>
#include <QString>
#include <memory>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

namespace opsdeck::tls::detail {

template<typename T, void (*Free)(T *)> struct OsslDeleter
{
    void operator()(T *p) const { Free(p); }
};
template<typename T, void (*Free)(T *)> using OsslPtr = std::unique_ptr<T, OsslDeleter<T, Free>>;

using X509Ptr = OsslPtr<X509, X509_free>;
using EvpPkeyPtr = OsslPtr<EVP_PKEY, EVP_PKEY_free>;
using BioPtr = OsslPtr<BIO, BIO_free_all>;
using Pkcs12Ptr = OsslPtr<PKCS12, PKCS12_free>;
using X509StorePtr = OsslPtr<X509_STORE, X509_STORE_free>;
using X509StoreCtxPtr = OsslPtr<X509_STORE_CTX, X509_STORE_CTX_free>;
using X509SigPtr = OsslPtr<X509_SIG, X509_SIG_free>;
using Pkcs8Ptr = OsslPtr<PKCS8_PRIV_KEY_INFO, PKCS8_PRIV_KEY_INFO_free>;
using GeneralNamesPtr = OsslPtr<GENERAL_NAMES, GENERAL_NAMES_free>;
using BignumPtr = OsslPtr<BIGNUM, BN_free>;

inline void freeX509Stack(STACK_OF(X509) * s)
{
    sk_X509_pop_free(s, X509_free);
}
using X509StackPtr = OsslPtr<STACK_OF(X509), freeX509Stack>;
inline void freePkcs7Stack(STACK_OF(PKCS7) * s)
{
    sk_PKCS7_pop_free(s, PKCS7_free);
}
using Pkcs7StackPtr = OsslPtr<STACK_OF(PKCS7), freePkcs7Stack>;
inline void freeSafeBagStack(STACK_OF(PKCS12_SAFEBAG) * s)
{
    sk_PKCS12_SAFEBAG_pop_free(s, PKCS12_SAFEBAG_free);
}
using SafeBagStackPtr = OsslPtr<STACK_OF(PKCS12_SAFEBAG), freeSafeBagStack>;

// Loads the "default" and (when installed) "legacy" providers exactly once, thread-safe.
void ensureProviders();
bool legacyLoaded();

// The earliest queued OpenSSL error as short text ("lib: reason"), then clears the thread's queue.
// Returns `fallback` when the queue is empty. OpenSSL never prints anything itself.
QString takeOpenSslError(const QString &fallback = {});
// The reason code of the earliest queued error (0 when none), without clearing.
unsigned long peekOpenSslError();

// Clears the thread's error queue on scope exit: every inspection leaves it empty.
struct ErrorQueueGuard
{
    ErrorQueueGuard() = default;
    ErrorQueueGuard(const ErrorQueueGuard &) = delete;
    ErrorQueueGuard &operator=(const ErrorQueueGuard &) = delete;
    ~ErrorQueueGuard();
};

// A password callback that never prompts: always "no password".
int noPasswordCallback(char *buf, int size, int rwflag, void *userdata);

// Builds the info of one parsed certificate; takes ownership of `cert`. `der` may be empty (then
// it is encoded from `cert`).
CertificateInfo certificateInfo(X509Ptr cert, QByteArray der = {});
PrivateKeyInfo privateKeyInfo(EVP_PKEY *key);
QString nameToString(const X509_NAME *name);
QByteArray sha256Raw(const QByteArray &bytes);
// Key type ("RSA", "EC", ...), size and curve of a public or private key.
void describeKey(EVP_PKEY *key, QString *type, int *bits, QString *curve);

// Per-format decoders. Each fills kind, certificates, keys, problem, problemDetail, warnings.
void inspectPem(const QByteArray &bytes, FileInspection &out);
bool inspectDer(const QByteArray &bytes, const InspectOptions &options, FileInspection &out);
void inspectPkcs12(PKCS12 *p12, const InspectOptions &options, FileInspection &out);
void inspectJks(const QByteArray &bytes, const InspectOptions &options, FileInspection &out);

// Sets kind (chain/trust/key) from the decoded content and the "leaf_not_first" warning.
void classifyDecoded(FileInspection &out);

} // namespace opsdeck::tls::detail
