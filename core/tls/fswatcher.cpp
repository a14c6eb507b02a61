// SPDX-License-Identifier: GPL-3.0-or-later
#include "fswatcher.h"

#include "common/logging.h"

#include <QFile>
#include <QSocketNotifier>
#include <QTimer>
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

namespace opsdeck::tls {

namespace {

constexpr quint32 DirMask = IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_CLOSE_WRITE |
                            IN_MODIFY | IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR;
constexpr int MaxSymlinkHops = 40;

QString parentOf(const QString &path)
{
    const qsizetype slash = path.lastIndexOf(QLatin1Char('/'));
    return slash <= 0 ? QStringLiteral("/") : path.left(slash);
}

QString baseOf(const QString &path)
{
    return path.mid(path.lastIndexOf(QLatin1Char('/')) + 1);
}

QString joinPath(const QString &dir, const QString &name)
{
    if (dir == QLatin1String("/"))
        return QString(QLatin1Char('/') + name);
    return QString(dir + QLatin1Char('/') + name);
}

QStringList components(const QString &path)
{
    return path.split(QLatin1Char('/'), Qt::SkipEmptyParts);
}

QString readLink(const QString &path)
{
    QByteArray buf(4096, Qt::Uninitialized);
    const ssize_t n = ::readlink(QFile::encodeName(path).constData(), buf.data(),
                                 static_cast<size_t>(buf.size()));
    if (n < 0)
        return {};
    buf.truncate(n);
    return QFile::decodeName(buf);
}

struct WalkResult
{
    QString real; // empty when missing or looping
    bool loop = false;
};

} // namespace

// Walks an absolute path component by component. Every symlink met is recorded as an interest
// in its directory (its name); a missing component is recorded as an interest of the nearest
// existing ancestor. `cur` never contains a symlink, so ".." is applied to a real path.
static WalkResult walkPath(const QString &absPath, auto &dirs, int &hops)
{
    QStringList pending = components(absPath);
    QString cur = QStringLiteral("/");
    while (!pending.isEmpty()) {
        const QString c = pending.takeFirst();
        if (c.isEmpty() || c == QLatin1String("."))
            continue;
        if (c == QLatin1String("..")) {
            cur = parentOf(cur);
            continue;
        }
        const QString next = joinPath(cur, c);
        struct stat st
        {
        };
        if (::lstat(QFile::encodeName(next).constData(), &st) != 0) {
            dirs[cur].names.insert(c);
            return {};
        }
        if (S_ISLNK(st.st_mode)) {
            dirs[cur].names.insert(c);
            if (++hops > MaxSymlinkHops)
                return {QString(), true};
            const QString target = readLink(next);
            if (target.isEmpty())
                return {};
            if (target.startsWith(QLatin1Char('/')))
                cur = QStringLiteral("/");
            pending = components(target) + pending;
            continue;
        }
        cur = next;
    }
    return {cur, false};
}

FsWatcher::FsWatcher(QObject *parent)
    : FsWatcher(Options{}, parent)
{}

FsWatcher::FsWatcher(const Options &options, QObject *parent)
    : QObject(parent)
    , m_options(options)
{
    m_reresolveTimer = new QTimer(this);
    m_reresolveTimer->setSingleShot(true);
    m_reresolveTimer->setInterval(std::max(0, m_options.reresolveDelayMs));
    connect(m_reresolveTimer, &QTimer::timeout, this, [this] {
        const QList<int> ids = m_targets.keys();
        for (int id : ids) {
            auto it = m_targets.find(id);
            if (it != m_targets.end() && it->reresolvePending) {
                it->reresolvePending = false;
                resolveTarget(id);
            }
        }
    });
    if (m_options.forcePoll)
        return;
    m_fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (m_fd < 0) {
        m_initErrno = errno;
        qCWarning(lcTls) << "inotify_init1 failed:" << std::strerror(m_initErrno)
                         << "- every bundle is polled";
        return;
    }
    m_notifier = new QSocketNotifier(qintptr(m_fd), QSocketNotifier::Read, this);
    connect(m_notifier, &QSocketNotifier::activated, this, [this] { readEvents(); });
    // proc(5): a mount or unmount makes /proc/self/mountinfo report POLLPRI (an "exceptional
    // condition"); the kernel re-arms it on every poll, nothing needs to be read.
    m_mountFd = ::open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
    if (m_mountFd >= 0) {
        m_mountNotifier = new QSocketNotifier(qintptr(m_mountFd), QSocketNotifier::Exception, this);
        connect(m_mountNotifier, &QSocketNotifier::activated, this,
                [this] { onMountTableChanged(); });
    } else {
        qCInfo(lcTls) << "/proc/self/mountinfo:" << std::strerror(errno)
                      << "- mounts over watched directories are found by the safety poll only";
    }
}

FsWatcher::~FsWatcher()
{
    delete m_mountNotifier;
    if (m_mountFd >= 0)
        ::close(m_mountFd);
    if (m_fd >= 0)
        ::close(m_fd);
}

void FsWatcher::onMountTableChanged()
{
    ++m_mountChanges;
    // A watch is on an inode, not on a path: after a mount over (or an unmount from under) a
    // watched path, the path names another inode and the old watch sees nothing any more.
    const QStringList dirs = m_watchByDir.keys();
    for (const QString &dir : dirs) {
        const auto it = m_watchByDir.constFind(dir);
        if (it == m_watchByDir.cend())
            continue;
        struct stat st
        {
        };
        if (::stat(QFile::encodeName(dir).constData(), &st) != 0 || quint64(st.st_dev) != it->dev ||
            quint64(st.st_ino) != it->ino)
            dropStaleWatch(dir);
    }
    // Any target may have gained or lost files through the mount: let the monitor re-stat.
    for (auto it = m_targets.begin(); it != m_targets.end(); ++it) {
        if (it->mode == WatchMode::Poll)
            continue;
        m_batchChanged.insert(it.key());
        scheduleReresolve(it.key());
    }
    qCDebug(lcTls) << "mount table changed: re-resolving" << m_targets.size() << "target(s)";
    flushChanged();
}

void FsWatcher::dropStaleWatch(const QString &dir)
{
    const Watch w = m_watchByDir.take(dir);
    auto d = m_dirByWd.find(w.wd);
    if (d != m_dirByWd.end()) {
        d->removeAll(dir);
        if (d->isEmpty()) {
            m_dirByWd.erase(d);
            ::inotify_rm_watch(m_fd, w.wd);
        }
    }
    for (auto it = m_targets.begin(); it != m_targets.end(); ++it) {
        if (it->dirs.remove(dir)) {
            m_batchChanged.insert(it.key());
            scheduleReresolve(it.key());
        }
    }
}

void FsWatcher::flushChanged()
{
    const QSet<int> changed = std::exchange(m_batchChanged, {});
    for (int id : changed) {
        if (m_targets.contains(id))
            emit targetChanged(id);
    }
}

bool FsWatcher::isPollOnlyFileSystem(long fsType, QString *name)
{
    struct Fs
    {
        unsigned long magic;
        const char *name;
    };
    static constexpr Fs fileSystems[] = {
        {0x6969UL, "nfs"},       {0x517BUL, "smb"},        {0xFE534D42UL, "smb2"},
        {0xFF534D42UL, "cifs"},  {0x65735546UL, "fuse"},   {0x01021997UL, "9p"},
        {0x00C36400UL, "ceph"},  {0x5346414FUL, "afs"},    {0x6B414653UL, "afs"},
        {0x73757245UL, "coda"},  {0x0BD00BD0UL, "lustre"}, {0x01161970UL, "gfs2"},
        {0x564CUL, "ncp"},       {0x7461636FUL, "ocfs2"},  {0x47504653UL, "gpfs"},
        {0x19830326UL, "fhgfs"}, {0x013111A8UL, "ibrix"},  {0x6B417364UL, "kafs"},
    };
    const auto magic = static_cast<unsigned long>(fsType) & 0xFFFFFFFFUL;
    for (const Fs &fs : fileSystems) {
        if (fs.magic == magic) {
            if (name)
                *name = QString::fromLatin1(fs.name);
            return true;
        }
    }
    return false;
}

int FsWatcher::addTarget(const QString &path)
{
    const int id = m_nextId++;
    Target t;
    t.path = path;
    m_targets.insert(id, t);
    if (m_options.forcePoll) {
        degrade(id, QStringLiteral("forced"), QStringLiteral("poll-only mode was requested"));
    } else if (m_fd < 0) {
        degrade(id, QStringLiteral("inotify_unavailable"),
                QStringLiteral("inotify_init1: %1")
                    .arg(QString::fromLocal8Bit(std::strerror(m_initErrno))));
    } else {
        resolveTarget(id);
    }
    return id;
}

void FsWatcher::removeTarget(int id)
{
    auto it = m_targets.find(id);
    if (it == m_targets.end())
        return;
    releaseAll(*it);
    m_targets.erase(it);
}

WatchMode FsWatcher::mode(int id) const
{
    return m_targets.value(id).mode;
}

QString FsWatcher::degradedReason(int id) const
{
    return m_targets.value(id).reason;
}

QString FsWatcher::degradedDetail(int id) const
{
    return m_targets.value(id).detail;
}

QStringList FsWatcher::watchedDirectories() const
{
    QStringList dirs = m_watchByDir.keys();
    dirs.sort();
    return dirs;
}

bool FsWatcher::acquireWatch(const QString &dir, int *errnoOut)
{
    auto it = m_watchByDir.find(dir);
    if (it != m_watchByDir.end()) {
        ++it->refs;
        return true;
    }
    if (m_options.maxWatches >= 0 && m_watchByDir.size() >= m_options.maxWatches) {
        *errnoOut = ENOSPC;
        return false;
    }
    const int wd = ::inotify_add_watch(m_fd, QFile::encodeName(dir).constData(), DirMask);
    if (wd < 0) {
        *errnoOut = errno;
        return false;
    }
    struct stat st
    {
    };
    Watch w{wd, 1};
    if (::stat(QFile::encodeName(dir).constData(), &st) == 0) {
        w.dev = quint64(st.st_dev);
        w.ino = quint64(st.st_ino);
    }
    m_watchByDir.insert(dir, w);
    m_dirByWd[wd].append(dir);
    return true;
}

void FsWatcher::releaseWatch(const QString &dir)
{
    auto it = m_watchByDir.find(dir);
    if (it == m_watchByDir.end())
        return;
    if (--it->refs > 0)
        return;
    const int wd = it->wd;
    m_watchByDir.erase(it);
    auto w = m_dirByWd.find(wd);
    if (w == m_dirByWd.end())
        return;
    w->removeAll(dir);
    if (w->isEmpty()) {
        m_dirByWd.erase(w);
        ::inotify_rm_watch(m_fd, wd);
    }
}

void FsWatcher::releaseAll(Target &t)
{
    for (auto it = t.dirs.cbegin(); it != t.dirs.cend(); ++it)
        releaseWatch(it.key());
    t.dirs.clear();
}

void FsWatcher::forgetWatch(int wd)
{
    // The kernel dropped (or we detached) this watch: forget it everywhere, so that the next
    // resolve of the affected targets adds it again when the directory exists.
    const QStringList dirs = m_dirByWd.take(wd);
    for (const QString &dir : dirs) {
        m_watchByDir.remove(dir);
        for (auto it = m_targets.begin(); it != m_targets.end(); ++it) {
            if (it->dirs.remove(dir)) {
                m_batchChanged.insert(it.key());
                scheduleReresolve(it.key());
            }
        }
    }
}

void FsWatcher::degrade(int id, const QString &reason, const QString &detail)
{
    auto it = m_targets.find(id);
    if (it == m_targets.end() || it->mode == WatchMode::Poll)
        return;
    releaseAll(*it);
    it->mode = WatchMode::Poll;
    it->reason = reason;
    it->detail = detail;
    qCInfo(lcTls) << "poll-only:" << it->path << reason << detail;
    emit targetDegraded(id, reason, detail);
}

void FsWatcher::scheduleReresolve(int id)
{
    auto it = m_targets.find(id);
    if (it == m_targets.end() || it->mode == WatchMode::Poll)
        return;
    it->reresolvePending = true;
    if (!m_reresolveTimer->isActive())
        m_reresolveTimer->start();
}

void FsWatcher::resolveTarget(int id)
{
    auto tIt = m_targets.find(id);
    if (tIt == m_targets.end() || tIt->mode == WatchMode::Poll)
        return;
    QHash<QString, Interest> want;
    int hops = 0;
    const WalkResult top = walkPath(tIt->path, want, hops);
    if (!top.real.isEmpty()) {
        if (top.real != QLatin1String("/"))
            want[parentOf(top.real)].names.insert(baseOf(top.real));
        struct stat st
        {
        };
        if (::stat(QFile::encodeName(top.real).constData(), &st) == 0 && S_ISDIR(st.st_mode)) {
            want[top.real].all = true;
            // Symlinks in the bundle directory: watch every hop and every resolved directory.
            if (DIR *d = ::opendir(QFile::encodeName(top.real).constData())) {
                int entries = 0;
                while (struct dirent *e = ::readdir(d)) {
                    if (++entries > 1000000)
                        break;
                    if (e->d_type != DT_LNK && e->d_type != DT_UNKNOWN)
                        continue;
                    const QString name = QFile::decodeName(e->d_name);
                    if (name == QLatin1String(".") || name == QLatin1String(".."))
                        continue;
                    const QString entryPath = joinPath(top.real, name);
                    if (e->d_type == DT_UNKNOWN) {
                        struct stat lst
                        {
                        };
                        if (::lstat(QFile::encodeName(entryPath).constData(), &lst) != 0 ||
                            !S_ISLNK(lst.st_mode))
                            continue;
                    }
                    int entryHops = 0;
                    const WalkResult r = walkPath(entryPath, want, entryHops);
                    if (!r.real.isEmpty() && r.real != QLatin1String("/"))
                        want[parentOf(r.real)].names.insert(baseOf(r.real));
                }
                ::closedir(d);
            }
        }
    }

    // Network and FUSE file systems never report remote changes: poll those.
    for (auto it = want.cbegin(); it != want.cend(); ++it) {
        struct statfs sfs
        {
        };
        if (::statfs(QFile::encodeName(it.key()).constData(), &sfs) != 0)
            continue;
        QString fsName;
        if (isPollOnlyFileSystem(static_cast<long>(sfs.f_type), &fsName)) {
            degrade(id, QStringLiteral("network_filesystem"),
                    QStringLiteral("%1 is on %2: inotify does not see remote changes")
                        .arg(it.key(), fsName));
            return;
        }
    }

    Target &t = *tIt;
    const QHash<QString, Interest> old = t.dirs;
    QHash<QString, Interest> now;
    for (auto it = want.cbegin(); it != want.cend(); ++it) {
        if (old.contains(it.key())) {
            now.insert(it.key(), it.value());
            continue;
        }
        int err = 0;
        if (acquireWatch(it.key(), &err)) {
            now.insert(it.key(), it.value());
            continue;
        }
        if (err == ENOSPC || err == ENOMEM) {
            t.dirs = now;
            for (auto o = old.cbegin(); o != old.cend(); ++o) {
                if (!now.contains(o.key()))
                    releaseWatch(o.key());
            }
            degrade(id, QStringLiteral("watch_limit"),
                    m_options.maxWatches >= 0 && err == ENOSPC
                        ? QStringLiteral("watch limit of %1 reached").arg(m_options.maxWatches)
                        : QStringLiteral("inotify_add_watch(%1): %2 (fs.inotify.max_user_watches)")
                              .arg(it.key(), QString::fromLocal8Bit(std::strerror(err))));
            return;
        }
        // ENOENT/ENOTDIR: raced with a change; that change also produced an event on a watched
        // parent, which re-resolves. EACCES: not watchable; the safety poll still covers it.
        qCDebug(lcTls) << "inotify_add_watch" << it.key() << std::strerror(err);
    }
    for (auto o = old.cbegin(); o != old.cend(); ++o) {
        if (!now.contains(o.key()))
            releaseWatch(o.key());
    }
    t.dirs = now;
}

void FsWatcher::processPendingEvents()
{
    readEvents();
}

void FsWatcher::readEvents()
{
    if (m_fd < 0)
        return;
    alignas(struct inotify_event) char buf[64 * 1024];
    for (int round = 0; round < 64; ++round) {
        const ssize_t n = ::read(m_fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        const char *p = buf;
        const char *end = buf + n;
        while (p + sizeof(struct inotify_event) <= end) {
            struct inotify_event ev
            {
            };
            std::memcpy(&ev, p, sizeof ev);
            const char *namePtr = p + sizeof(struct inotify_event);
            const QString name =
                ev.len > 0 ? QFile::decodeName(QByteArray(namePtr, qstrnlen(namePtr, ev.len)))
                           : QString();
            ++m_events;
            handleEvent(ev.wd, ev.mask, name);
            p += sizeof(struct inotify_event) + ev.len;
        }
    }
    flushChanged();
}

void FsWatcher::handleEvent(int wd, quint32 mask, const QString &name)
{
    if (mask & IN_Q_OVERFLOW) {
        qCInfo(lcTls) << "inotify queue overflow: rescanning everything";
        for (auto it = m_targets.begin(); it != m_targets.end(); ++it)
            scheduleReresolve(it.key());
        emit overflow();
        return;
    }
    const auto wIt = m_dirByWd.constFind(wd);
    if (wIt == m_dirByWd.cend())
        return; // a watch we removed already
    const QStringList dirs = *wIt;
    const bool selfEvent = mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED | IN_UNMOUNT);
    if (selfEvent) {
        // The watched inode is gone or no longer at this path: drop the watch and re-resolve.
        if (!(mask & IN_IGNORED))
            ::inotify_rm_watch(m_fd, wd);
        for (auto it = m_targets.begin(); it != m_targets.end(); ++it) {
            for (const QString &dir : dirs) {
                if (it->dirs.contains(dir))
                    m_batchChanged.insert(it.key());
            }
        }
        forgetWatch(wd);
        return;
    }
    bool structural =
        (mask & IN_ISDIR) && (mask & (IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO));
    bool checkedLink = false;
    for (auto it = m_targets.begin(); it != m_targets.end(); ++it) {
        for (const QString &dir : dirs) {
            const auto iIt = it->dirs.constFind(dir);
            if (iIt == it->dirs.cend())
                continue;
            const bool named = iIt->names.contains(name);
            if (!iIt->all && !named)
                continue;
            m_batchChanged.insert(it.key());
            bool reresolve = structural;
            if (!reresolve && (mask & (IN_DELETE | IN_MOVED_FROM | IN_CREATE | IN_MOVED_TO)) &&
                named)
                reresolve = true; // a hop, a resolved file or the target itself moved
            if (!reresolve && (mask & (IN_CREATE | IN_MOVED_TO))) {
                // A new symlink (or one renamed into place, ln -sfn style) adds hops to watch.
                if (!checkedLink) {
                    checkedLink = true;
                    struct stat st
                    {
                    };
                    if (::lstat(QFile::encodeName(joinPath(dir, name)).constData(), &st) == 0 &&
                        (S_ISLNK(st.st_mode) || S_ISDIR(st.st_mode)))
                        structural = true;
                }
                reresolve = structural;
            }
            if (reresolve)
                scheduleReresolve(it.key());
        }
    }
}

} // namespace opsdeck::tls
