// SPDX-License-Identifier: GPL-3.0-or-later
#include "bundlereader.h"

#include <QDir>
#include <QFileInfo>
#include <algorithm>
#include <cerrno>
#include <sys/stat.h>

namespace opsdeck::tls {

BundleListing listBundle(const QString &path)
{
    BundleListing listing;
    listing.path = path;
    struct stat st
    {
    };
    if (::stat(QFile::encodeName(path).constData(), &st) != 0) {
        const int err = errno;
        if (err == ELOOP) {
            listing.problem = Problem::SymlinkLoop;
            listing.problemDetail = QStringLiteral("symlink loop");
        } else if (err == EACCES) {
            listing.problem = Problem::Unreadable;
            listing.problemDetail = QStringLiteral("permission denied");
        } else {
            listing.problem = Problem::Missing;
            listing.problemDetail = QStringLiteral("does not exist");
        }
        return listing;
    }
    if (!S_ISDIR(st.st_mode)) {
        listing.files << path;
        return listing;
    }
    listing.isDirectory = true;
    QDir dir(path);
    if (!dir.isReadable()) {
        listing.problem = Problem::Unreadable;
        listing.problemDetail = QStringLiteral("directory is not readable");
        return listing;
    }
    // Hidden names are skipped on purpose: ..data, ..2026_01_01_00_00_00.1 and editor temp files.
    const QStringList names =
        dir.entryList(QDir::Files | QDir::System | QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name);
    for (const QString &name : names) {
        const QString full = dir.filePath(name);
        struct stat entry
        {
        };
        // stat follows symlinks: a link to a directory is skipped, a dangling link is kept so the
        // inspection reports it as missing.
        if (::stat(QFile::encodeName(full).constData(), &entry) == 0 && S_ISDIR(entry.st_mode))
            continue;
        listing.files << full;
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
