// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "inspector.h"
#include "tlstypes.h"

#include <QList>
#include <QString>
#include <QStringList>

namespace opsdeck::tls {

// The visible files of a bundle path. A directory's entries whose names do not start with '.'
// (so Kubernetes' ..data and ..<timestamp> directories are not files of their own: tls.crt ->
// ..data/tls.crt is read through its visible name), including symlinks; sub-directories are
// skipped. A single file path is a bundle of one. Sorted by name.
// `certs scan` and the watcher both list through here, so they always agree on a bundle's files.
struct BundleListing
{
    QString path;
    bool isDirectory = false;
    QStringList files; // full visible paths
    QStringList names; // their names (a single-file bundle: the file name)
    QList<bool> plain; // a regular file found by readdir: no symlink to resolve
    QString realDir;   // the directory without symlinks (directories only)
    Problem problem = Problem::None; // Missing, Unreadable, SymlinkLoop
    QString problemDetail;           // "does not exist", or the system's text
};
BundleListing listBundle(const QString &path);

// Reads and inspects every file of a listing (inspectFile), adding the "key_readable_by_others"
// warning to key and store files that group or others may read.
QList<FileInspection> readBundle(const BundleListing &listing, const InspectOptions &options);

// True for files that hold private keys (key files, PKCS#12, JKS/JCEKS key entries).
bool holdsPrivateKey(const FileInspection &file);

// Adds "key_readable_by_others" when `file` holds a private key and its resolved file has group
// or other read permission.
void addPermissionWarnings(FileInspection &file);

} // namespace opsdeck::tls
