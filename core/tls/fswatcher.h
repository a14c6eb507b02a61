// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// One inotify instance for the whole program, read through a QSocketNotifier on the thread the
// watcher lives on. A "target" is a path (a bundle directory or a single file). For each target
// the watcher watches directories, never files:
//   - the target directory itself (all names),
//   - the parent of the target (its own name: a directory renamed over, deleted or recreated),
//   - the directory of every symlink hop (the link's name) and of every resolved file (its name),
//     e.g. tls.crt -> ..data/tls.crt -> ..2026_x/tls.crt (the Kubernetes AtomicWriter layout),
//   - while a path is missing: its nearest existing ancestor (the next component's name).
// Structural events (create/delete/move of symlinks and directories, *_SELF, IGNORED, UNMOUNT)
// make the watcher re-resolve the target's watch set. A mount or unmount anywhere (the mount
// table, /proc/self/mountinfo, signals a change) re-checks every watched directory: a path that
// now names another inode (a file system mounted over it, or lazily unmounted from under it,
// which inotify does not report while the old file system is still busy) gets a fresh watch, and
// every target is reported changed. Every event that concerns a target is
// reported as targetChanged(); the watcher never decides what changed (the monitor re-stats).
//
// Targets fall back to poll-only mode, reported by targetDegraded(), when inotify cannot serve
// them: network/FUSE/virtual file systems (statfs f_type), watch limit (ENOSPC or the
// maxWatches option), no inotify instance (EMFILE), or when forced.

#include "reloadevent.h"

#include <QHash>
#include <QObject>
#include <QSet>
#include <QString>

class QSocketNotifier;
class QTimer;

namespace opsdeck::tls {

class FsWatcher : public QObject
{
    Q_OBJECT
public:
    struct Options
    {
        bool forcePoll = false;   // every target poll-only ("forced")
        int maxWatches = -1;      // at most this many inotify watches (-1: kernel limit only);
                                  // going over it behaves exactly like ENOSPC
        int reresolveDelayMs = 0; // coalesce structural re-resolves (0: next event loop turn)
    };

    explicit FsWatcher(QObject *parent = nullptr);
    explicit FsWatcher(const Options &options, QObject *parent = nullptr);
    ~FsWatcher() override;

    // Starts watching path; returns the target id (> 0). May emit targetDegraded() before it
    // returns.
    int addTarget(const QString &path);
    void removeTarget(int id);

    WatchMode mode(int id) const;
    QString degradedReason(int id) const; // "forced", "network_filesystem", "watch_limit", ...
    QString degradedDetail(int id) const;

    bool inotifyAvailable() const { return m_fd >= 0; }
    int watchCount() const { return int(m_watchByDir.size()); }
    QStringList watchedDirectories() const; // sorted, for tests and diagnostics
    qint64 eventCount() const { return m_events; }
    qint64 mountChanges() const { return m_mountChanges; }

    // Reads pending inotify events now (tests; normally the socket notifier does it).
    void processPendingEvents();

    // statfs(2) magic numbers for which inotify sees no remote changes.
    static bool isPollOnlyFileSystem(long fsType, QString *name);

signals:
    void targetChanged(int id);
    void overflow(); // IN_Q_OVERFLOW: events were lost, everything must be rescanned
    void targetDegraded(int id, const QString &reason, const QString &detail);

private:
    struct Interest
    {
        bool all = false;
        QSet<QString> names;
    };
    struct Target
    {
        QString path;
        WatchMode mode = WatchMode::Inotify;
        QString reason;
        QString detail;
        QHash<QString, Interest> dirs; // real directory path -> names of interest
        bool reresolvePending = false;
    };
    struct Watch
    {
        int wd = -1;
        int refs = 0;
        quint64 dev = 0; // the inode the watch is on (a mount may hide it behind the path)
        quint64 ino = 0;
    };

    void readEvents();
    void onMountTableChanged();
    void dropStaleWatch(const QString &dir);
    void flushChanged();
    void handleEvent(int wd, quint32 mask, const QString &name);
    void resolveTarget(int id);
    void scheduleReresolve(int id);
    void degrade(int id, const QString &reason, const QString &detail);
    bool acquireWatch(const QString &dir, int *errnoOut);
    void releaseWatch(const QString &dir);
    void releaseAll(Target &t);
    void forgetWatch(int wd);

    Options m_options;
    int m_fd = -1;
    int m_initErrno = 0;
    QSocketNotifier *m_notifier = nullptr;
    int m_mountFd = -1; // /proc/self/mountinfo: POLLPRI when the mount table changes
    QSocketNotifier *m_mountNotifier = nullptr;
    qint64 m_mountChanges = 0;
    QTimer *m_reresolveTimer = nullptr;
    int m_nextId = 1;
    qint64 m_events = 0;
    QHash<int, Target> m_targets;
    QHash<QString, Watch> m_watchByDir;
    QHash<int, QStringList> m_dirByWd; // several paths may name one inode (bind mounts)
    QSet<int> m_batchChanged;
};

} // namespace opsdeck::tls
