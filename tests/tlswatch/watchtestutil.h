// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Small file helpers for the watch tests: atomic swaps with the syscalls the real tools use.

#include <QByteArray>
#include <QDir>
#include <QFile>
#include <QString>
#include <QtTest>
#include <cerrno>
#include <cstdio>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace opsdeck::test {

inline QByteArray enc(const QString &path)
{
    return QFile::encodeName(path);
}

// Rewrites a file in place (same inode): truncate + write.
inline bool writeInPlace(const QString &path, const QByteArray &bytes)
{
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return false;
    return f.write(bytes) == bytes.size();
}

// Writes path.tmp and rename(2)s it over path (new inode).
inline bool writeAndRename(const QString &path, const QByteArray &bytes,
                           const QString &tmpSuffix = QStringLiteral(".tmp"))
{
    const QString tmp = path + tmpSuffix;
    if (!writeInPlace(tmp, bytes))
        return false;
    return ::rename(enc(tmp).constData(), enc(path).constData()) == 0;
}

// ln -sfn target link: a temporary symlink renamed over the link (atomic).
inline bool retargetSymlink(const QString &link, const QString &target)
{
    const QString tmp = link + QStringLiteral(".lntmp");
    ::unlink(enc(tmp).constData());
    if (::symlink(enc(target).constData(), enc(tmp).constData()) != 0)
        return false;
    return ::rename(enc(tmp).constData(), enc(link).constData()) == 0;
}

// The Kubernetes AtomicWriter layout: dir/..<ts>/<files>, dir/..data -> ..<ts>,
// dir/<name> -> ..data/<name>. swapK8s() writes a new timestamped directory, renames a
// ..data_tmp symlink over ..data and removes the old directory, exactly like the kubelet.
struct K8sVolume
{
    QString dir;
    int generation = 0;
    QString current; // name of the current timestamped dir

    bool write(const QList<QPair<QString, QByteArray>> &files)
    {
        ++generation;
        const QString ts = QStringLiteral("..2026_01_01_00_00_%1.%2")
                               .arg(generation, 2, 10, QLatin1Char('0'))
                               .arg(100000000 + generation);
        if (!QDir(dir).mkpath(ts))
            return false;
        for (const auto &f : files) {
            if (!writeInPlace(dir + QLatin1Char('/') + ts + QLatin1Char('/') + f.first, f.second))
                return false;
        }
        const QString tmp = dir + QStringLiteral("/..data_tmp");
        ::unlink(enc(tmp).constData());
        if (::symlink(enc(ts).constData(), enc(tmp).constData()) != 0)
            return false;
        if (::rename(enc(tmp).constData(), enc(dir + QStringLiteral("/..data")).constData()) != 0)
            return false;
        for (const auto &f : files) {
            const QString link = dir + QLatin1Char('/') + f.first;
            struct stat st
            {
            };
            if (::lstat(enc(link).constData(), &st) != 0 &&
                ::symlink(enc(QStringLiteral("..data/") + f.first).constData(),
                          enc(link).constData()) != 0)
                return false;
        }
        const QString old = current;
        current = ts;
        if (!old.isEmpty())
            return QDir(dir + QLatin1Char('/') + old).removeRecursively();
        return true;
    }
};

} // namespace opsdeck::test
