// SPDX-License-Identifier: GPL-3.0-or-later
#include "inspector.h"

#include "common/secretref.h"
#include "opensslutil.h"

#include <QCryptographicHash>
#include <QFile>
#include <QFileInfo>
#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>

namespace opsdeck::tls {

using namespace detail;

namespace {

bool onlyWhitespace(const QByteArray &bytes)
{
    return std::all_of(bytes.cbegin(), bytes.cend(), [](char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
    });
}

quint32 beU32(const QByteArray &bytes)
{
    const auto *p = reinterpret_cast<const unsigned char *>(bytes.constData());
    return (quint32(p[0]) << 24) | (quint32(p[1]) << 16) | (quint32(p[2]) << 8) | quint32(p[3]);
}

bool looksLikePemName(const QString &name)
{
    return name.endsWith(QLatin1String(".pem"), Qt::CaseInsensitive);
}

} // namespace

bool legacyProviderAvailable()
{
    return legacyLoaded();
}

QString sha256Hex(const QByteArray &bytes)
{
    return QString::fromLatin1(sha256Raw(bytes).toHex());
}

QString manifestHash(const QList<FileInspection> &files)
{
    QList<std::pair<QString, QString>> entries;
    entries.reserve(files.size());
    for (const FileInspection &f : files)
        entries.append({f.name, f.sha256});
    std::sort(entries.begin(), entries.end());
    QCryptographicHash hash(QCryptographicHash::Sha256);
    for (const auto &[name, sha] : std::as_const(entries)) {
        // "name NUL sha256 LF": names cannot contain NUL, so the encoding is unambiguous.
        hash.addData(name.toUtf8());
        hash.addData(QByteArrayView("\0", 1));
        hash.addData(sha.toLatin1());
        hash.addData(QByteArrayView("\n", 1));
    }
    return QString::fromLatin1(hash.result().toHex());
}

FileInspection inspectBytes(const QString &name, const QByteArray &bytes,
                            const InspectOptions &options)
{
    ensureProviders();
    ErrorQueueGuard guard;
    FileInspection out;
    out.name = name;
    if (bytes.isEmpty() || onlyWhitespace(bytes)) {
        out.problem = Problem::Empty;
        out.problemDetail = bytes.isEmpty() ? QStringLiteral("the file is empty")
                                            : QStringLiteral("the file holds only whitespace");
        return out;
    }
    if (bytes.size() > MaxInspectedFileSize) {
        out.problem = Problem::TooLarge;
        out.problemDetail = QStringLiteral("%1 bytes, over the limit of %2")
                                .arg(bytes.size())
                                .arg(MaxInspectedFileSize);
        return out;
    }
    if (bytes.size() >= 4) {
        const quint32 magic = beU32(bytes);
        if (magic == 0xFEEDFEEDu || magic == 0xCECECECEu) {
            inspectJks(bytes, options, out);
            return out;
        }
    }
    if (bytes.contains("-----BEGIN ")) {
        inspectPem(bytes, out);
        // A DER file whose fields hold "-----BEGIN " (say, in a subject) is still DER.
        FileInspection der;
        der.name = name;
        if (out.problem != Problem::Parse || !out.certificates.isEmpty() || !out.keys.isEmpty() ||
            !inspectDer(bytes, options, der))
            return out;
        out = der;
        if (looksLikePemName(name))
            out.warnings << QStringLiteral("der_in_pem");
        return out;
    }
    if (inspectDer(bytes, options, out)) {
        if (looksLikePemName(name))
            out.warnings << QStringLiteral("der_in_pem");
        return out;
    }
    out.problem = Problem::Parse;
    out.problemDetail = QStringLiteral("not a recognised format (PEM, DER certificate or key, "
                                       "PKCS#12, JKS, JCEKS)");
    return out;
}

FileInspection inspectFile(const QString &path, const InspectOptions &options)
{
    FileInspection out;
    out.path = path;
    out.name = QFileInfo(path).fileName();
    auto fail = [&out](Problem problem, const QString &detail) {
        out.problem = problem;
        out.problemDetail = detail;
        return out;
    };
    const QByteArray native = QFile::encodeName(path);
    if (native.isEmpty())
        return fail(Problem::Missing, QStringLiteral("empty path"));

    // stat() follows symlinks: a loop gives ELOOP, a dangling link or vanished directory ENOENT.
    struct stat st
    {
    };
    if (::stat(native.constData(), &st) != 0) {
        const int error = errno;
        return fail(problemForErrno(error), errnoText(error));
    }
    if (char *real = ::realpath(native.constData(), nullptr)) {
        out.resolvedPath = QFile::decodeName(real);
        std::free(real);
    }
    if (!S_ISREG(st.st_mode)) {
        // FIFOs, devices, sockets, directories: never opened (a FIFO would block).
        return fail(Problem::NotRegularFile,
                    S_ISDIR(st.st_mode) ? QStringLiteral("a directory, not a file")
                                        : QStringLiteral("not a regular file (FIFO, device or "
                                                         "socket): not opened"));
    }
    out.size = st.st_size;
    if (st.st_size > MaxInspectedFileSize) {
        return fail(Problem::TooLarge, QStringLiteral("%1 bytes, over the limit of %2: not read")
                                           .arg(st.st_size)
                                           .arg(MaxInspectedFileSize));
    }

    // O_NONBLOCK: if the path was swapped for a FIFO since stat(), open() still returns at once.
    const int fd = ::open(native.constData(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0) {
        const int error = errno;
        return fail(problemForErrno(error), errnoText(error));
    }
    struct stat fst
    {
    };
    if (::fstat(fd, &fst) != 0 || !S_ISREG(fst.st_mode)) {
        ::close(fd);
        return fail(Problem::NotRegularFile,
                    QStringLiteral("replaced by a non-regular file while opening"));
    }
    QByteArray bytes;
    bytes.resize(static_cast<qsizetype>(std::min<qint64>(fst.st_size, MaxInspectedFileSize) + 1));
    qsizetype got = 0;
    int readError = 0;
    while (got < bytes.size()) {
        const ssize_t n = ::read(fd, bytes.data() + got, static_cast<size_t>(bytes.size() - got));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            readError = errno;
            break;
        }
        if (n == 0)
            break;
        got += n;
        if (got == bytes.size() && got <= MaxInspectedFileSize)
            bytes.resize(std::min<qsizetype>(bytes.size() * 2, MaxInspectedFileSize + 1));
    }
    ::close(fd);
    if (readError != 0)
        return fail(Problem::Unreadable, errnoText(readError));
    if (got > MaxInspectedFileSize)
        return fail(Problem::TooLarge,
                    QStringLiteral("grew over the limit of %1 bytes while reading")
                        .arg(MaxInspectedFileSize));
    bytes.truncate(got);

    FileInspection decoded = inspectBytes(out.name, bytes, options);
    decoded.path = out.path;
    decoded.resolvedPath = out.resolvedPath;
    decoded.size = got;
    decoded.sha256 = sha256Hex(bytes);
    // PEM/DER key files only: keystores protect their keys with the store password.
    const bool keyFile = !decoded.keys.isEmpty() && decoded.kind != FileKind::Pkcs12 &&
                         decoded.kind != FileKind::Jks && decoded.kind != FileKind::Jceks;
    if (keyFile && (fst.st_mode & (S_IRGRP | S_IROTH)) != 0)
        decoded.warnings << QStringLiteral("key_readable_by_others");
    // The file may hold a private key: its bytes are not kept, so they are zeroed before the
    // buffer is freed (the parsed facts above hold no key material).
    wipeBytes(bytes);
    return decoded;
}

} // namespace opsdeck::tls
