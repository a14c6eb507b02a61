// SPDX-License-Identifier: GPL-3.0-or-later
#include "bundlereader.h"

#include <QFileInfo>
#include <algorithm>
#include <cerrno>
#include <dirent.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>

namespace opsdeck::tls {

BundleListing listBundle(const QString &path)
{
    BundleListing listing;
    listing.path = path;
    const QByteArray native = QFile::encodeName(path);
    struct stat st
    {
    };
    if (::stat(native.constData(), &st) != 0) {
        const int err = errno;
        listing.problem = problemForErrno(err);
        listing.problemDetail =
            listing.problem == Problem::Missing ? QStringLiteral("does not exist") : errnoText(err);
        return listing;
    }
    if (!S_ISDIR(st.st_mode)) {
        listing.files << path;
        listing.names << QFileInfo(path).fileName();
        listing.plain << false;
        return listing;
    }
    listing.isDirectory = true;
    DIR *dir = ::opendir(native.constData());
    if (dir == nullptr) {
        const int err = errno;
        listing.problem = problemForErrno(err);
        listing.problemDetail = errnoText(err);
        return listing;
    }
    char real[PATH_MAX];
    listing.realDir =
        ::realpath(native.constData(), real) != nullptr ? QFile::decodeName(real) : path;
    QList<QPair<QString, bool>> entries;
    int seen = 0;
    while (const struct dirent *e = ::readdir(dir)) {
        if (++seen > 1000000) // bounded: a directory is not a certificate bundle past this
            break;
        // Hidden names are not part of the bundle: "..data" and the timestamped directories of
        // the Kubernetes layout, editor and writer temp files.
        if (e->d_name[0] == '.' || e->d_type == DT_DIR)
            continue;
        entries.append({QFile::decodeName(e->d_name), e->d_type == DT_REG});
    }
    ::closedir(dir);
    std::sort(entries.begin(), entries.end());
    for (const auto &[name, regular] : std::as_const(entries)) {
        const QString full = path + QLatin1Char('/') + name;
        if (!regular) {
            // A link to a directory is skipped; a dangling link stays, so its file is reported
            // as missing.
            struct stat target
            {
            };
            if (::stat(QFile::encodeName(full).constData(), &target) == 0 &&
                S_ISDIR(target.st_mode))
                continue;
        }
        listing.files << full;
        listing.names << name;
        listing.plain << regular;
    }
    return listing;
}

bool holdsPrivateKey(const FileInspection &file)
{
    if (!file.keys.isEmpty())
        return true;
    return file.kind == FileKind::PrivateKey || file.kind == FileKind::Pkcs12;
}

void addPermissionWarnings(FileInspection &file)
{
    if (!holdsPrivateKey(file))
        return;
    const QString target = file.resolvedPath.isEmpty() ? file.path : file.resolvedPath;
    struct stat st
    {
    };
    if (::stat(QFile::encodeName(target).constData(), &st) != 0)
        return;
    const QString warning = QStringLiteral("key_readable_by_others");
    if ((st.st_mode & (S_IRGRP | S_IROTH)) != 0 && !file.warnings.contains(warning))
        file.warnings << warning;
}

QList<FileInspection> readBundle(const BundleListing &listing, const InspectOptions &options)
{
    QList<FileInspection> files;
    files.reserve(listing.files.size());
    for (const QString &path : listing.files) {
        FileInspection inspection = inspectFile(path, options);
        if (inspection.name.isEmpty())
            inspection.name = QFileInfo(path).fileName();
        addPermissionWarnings(inspection);
        files << std::move(inspection);
    }
    return files;
}

} // namespace opsdeck::tls
