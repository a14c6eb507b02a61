// SPDX-License-Identifier: GPL-3.0-or-later
#include "tlstypes.h"

#include <array>
#include <cerrno>
#include <cstring>
#include <utility>

namespace opsdeck::tls {

namespace {

template<typename E, std::size_t N>
std::optional<E> lookup(const std::array<std::pair<E, const char *>, N> &table, const QString &s)
{
    for (const auto &[value, name] : table) {
        if (s == QLatin1String(name))
            return value;
    }
    return std::nullopt;
}

template<typename E, std::size_t N>
QString nameOf(const std::array<std::pair<E, const char *>, N> &table, E value)
{
    for (const auto &[v, name] : table) {
        if (v == value)
            return QString::fromLatin1(name);
    }
    return QStringLiteral("unknown");
}

constexpr std::array<std::pair<FileKind, const char *>, 7> FileKinds{{
    {FileKind::Unknown, "unknown"},
    {FileKind::CertificateChain, "chain"},
    {FileKind::TrustBundle, "trust"},
    {FileKind::PrivateKey, "key"},
    {FileKind::Pkcs12, "pkcs12"},
    {FileKind::Jks, "jks"},
    {FileKind::Jceks, "jceks"},
}};

constexpr std::array<std::pair<Problem, const char *>, 19> Problems{{
    {Problem::None, "none"},
    {Problem::Empty, "empty"},
    {Problem::Parse, "parse"},
    {Problem::BadPassword, "bad_password"},
    {Problem::PasswordRequired, "password_required"},
    {Problem::KeyEncrypted, "key_encrypted"},
    {Problem::KeyMismatch, "key_mismatch"},
    {Problem::UnsupportedAlgorithm, "unsupported_algorithm"},
    {Problem::IntegrityCheckFailed, "integrity_check_failed"},
    {Problem::TooLarge, "too_large"},
    {Problem::NotRegularFile, "not_regular_file"},
    {Problem::Unreadable, "unreadable"},
    {Problem::Missing, "missing"},
    {Problem::SymlinkLoop, "symlink_loop"},
    {Problem::NoCertificate, "no_certificate"},
    {Problem::UntrustedChain, "untrusted_chain"},
    {Problem::Expired, "expired"},
    {Problem::NotYetValid, "not_yet_valid"},
    {Problem::HostnameMismatch, "hostname_mismatch"},
}};

constexpr std::array<std::pair<Verdict, const char *>, 8> Verdicts{{
    {Verdict::Ok, "ok"},
    {Verdict::Expired, "expired"},
    {Verdict::NotYetValid, "not_yet_valid"},
    {Verdict::UntrustedChain, "untrusted_chain"},
    {Verdict::KeyMismatch, "key_mismatch"},
    {Verdict::HostnameMismatch, "hostname_mismatch"},
    {Verdict::Invalid, "invalid"},
    {Verdict::Unreadable, "unreadable"},
}};

} // namespace

QString fileKindName(FileKind kind)
{
    return nameOf(FileKinds, kind);
}

std::optional<FileKind> fileKindFromName(const QString &name)
{
    return lookup(FileKinds, name);
}

QString problemCode(Problem problem)
{
    return nameOf(Problems, problem);
}

std::optional<Problem> problemFromCode(const QString &code)
{
    return lookup(Problems, code);
}

QString verdictName(Verdict verdict)
{
    return nameOf(Verdicts, verdict);
}

std::optional<Verdict> verdictFromName(const QString &name)
{
    return lookup(Verdicts, name);
}

qint64 CertificateInfo::daysLeft(const QDateTime &now) const
{
    if (!notAfter.isValid() || !now.isValid())
        return 0;
    const qint64 secs = now.secsTo(notAfter);
    constexpr qint64 Day = 24 * 60 * 60;
    // Floor division: 10 hours after expiry is day -1, 10 hours before it is day 0.
    return secs >= 0 ? secs / Day : -((-secs + Day - 1) / Day);
}

Problem problemForErrno(int error)
{
    switch (error) {
    case ENOENT:
    case ENOTDIR:
        return Problem::Missing;
    case ELOOP:
        return Problem::SymlinkLoop;
    default:
        return Problem::Unreadable;
    }
}

QString errnoText(int error)
{
    return QString::fromLocal8Bit(std::strerror(error));
}

} // namespace opsdeck::tls
