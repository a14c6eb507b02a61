// SPDX-License-Identifier: GPL-3.0-or-later
#include "bundlemonitor.h"

#include "bundlereader.h"
#include "common/logging.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSet>
#include <QThread>
#include <QTimer>
#include <algorithm>
#include <atomic>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <thread>
#include <time.h>
#include <unistd.h>
#include <vector>

namespace opsdeck::tls {

namespace {

// A file whose mtime is this close to (or after) the moment it was hashed may have been written
// again within the file system's timestamp granularity: it is hashed again on the next scan.
constexpr qint64 RacyMarginNs = 100LL * 1000 * 1000;

qint64 realtimeNs()
{
    struct timespec ts
    {
    };
    ::clock_gettime(CLOCK_REALTIME, &ts);
    return qint64(ts.tv_sec) * 1000000000LL + ts.tv_nsec;
}

bool isKeyMaterial(FileKind kind)
{
    return kind == FileKind::PrivateKey || kind == FileKind::Pkcs12 || kind == FileKind::Jks ||
           kind == FileKind::Jceks;
}

// Runs f(i) for i in [0, n), on all cores when asked. Each call writes only its own slot.
template<typename F> void parallelFor(qsizetype n, bool parallel, F f)
{
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    if (!parallel || n < 2 || cores < 2) {
        for (qsizetype i = 0; i < n; ++i)
            f(i);
        return;
    }
    std::atomic<qsizetype> next{0};
    auto worker = [&] {
        for (qsizetype i = next.fetch_add(1); i < n; i = next.fetch_add(1))
            f(i);
    };
    const unsigned threads = std::min<unsigned>(std::min(cores, 8u), unsigned(n));
    std::vector<std::thread> pool;
    pool.reserve(threads - 1);
    for (unsigned t = 1; t < threads; ++t)
        pool.emplace_back(worker);
    worker();
    for (std::thread &t : pool)
        t.join();
}

struct ReadResult
{
    QByteArray bytes;
    Problem problem = Problem::None;
    QString detail;
};

// Reads a regular file without ever blocking on a FIFO or opening a device by accident: the
// caller stat()ed it already, O_NONBLOCK covers a race, fstat() confirms.
ReadResult readRegularFile(const QString &path)
{
    ReadResult r;
    const int fd =
        ::open(QFile::encodeName(path).constData(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        const int err = errno;
        r.problem = problemForErrno(err);
        r.detail = QStringLiteral("%1: %2").arg(path, errnoText(err));
        return r;
    }
    struct stat st
    {
    };
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        r.problem = Problem::NotRegularFile;
        r.detail = QStringLiteral("%1 is not a regular file").arg(path);
        return r;
    }
    if (st.st_size > MaxInspectedFileSize) {
        ::close(fd);
        r.problem = Problem::TooLarge;
        r.detail = QStringLiteral("%1 is larger than %2 bytes").arg(path).arg(MaxInspectedFileSize);
        return r;
    }
    r.bytes.reserve(qsizetype(st.st_size));
    char buf[64 * 1024];
    for (int rounds = 0; rounds < 1 + int(MaxInspectedFileSize / qint64(sizeof buf)) + 1;
         ++rounds) {
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            const int err = errno;
            r.problem = Problem::Unreadable;
            r.detail = QStringLiteral("%1: %2").arg(path, errnoText(err));
            r.bytes.clear();
            break;
        }
        if (n == 0)
            break;
        r.bytes.append(buf, n);
        if (r.bytes.size() > MaxInspectedFileSize) {
            r.problem = Problem::TooLarge;
            r.detail =
                QStringLiteral("%1 is larger than %2 bytes").arg(path).arg(MaxInspectedFileSize);
            r.bytes.clear();
            break;
        }
    }
    ::close(fd);
    return r;
}

} // namespace

struct BundleMonitor::FileRecord
{
    QString name;
    QString path;
    QString resolved;
    dev_t dev = 0;
    ino_t ino = 0;
    qint64 size = -1;
    qint64 mtimeNs = 0;
    mode_t mode = 0;
    Problem problem = Problem::None; // from stat: missing, loop, not regular, too large, ...
    QString problemDetail;
    QString sha256;
    qint64 hashedAtNs = 0;

    // The permission bits count: a chmod changes whether the file can be read at all (mtime
    // stays), so it must be read again.
    bool sameIdentity(const FileRecord &o) const
    {
        return resolved == o.resolved && dev == o.dev && ino == o.ino && size == o.size &&
               mtimeNs == o.mtimeNs && problem == o.problem && (mode & 07777) == (o.mode & 07777);
    }
    bool racy() const { return !sha256.isEmpty() && mtimeNs + RacyMarginNs >= hashedAtNs; }
};

struct BundleMonitor::Bundle
{
    int id = 0;
    int targetId = 0;
    BundleSpec spec;
    QHash<QString, FileRecord> files;
    QHash<QString, FileInspection> parseCache; // by sha256
    bool dirty = false;
    qint64 lastEventMs = 0;
    qint64 dirtySinceMs = 0;
    QString seenManifest;
    bool degradedReported = false;
    // Until this instant the last good state's verdict cannot change with time alone (see
    // nextValidityBoundary); invalid: evaluate on the next poll.
    QDateTime timeStableUntil;
    BundleState state;
};

namespace {

// The earliest future instant at which time alone can change a verdict of these files: a
// certificate's notBefore or notAfter, or its notAfter minus the warning days.
QDateTime nextValidityBoundary(const QList<FileInspection> &files, int warnDays,
                               const QDateTime &now)
{
    QDateTime next;
    auto consider = [&](const QDateTime &t) {
        if (t.isValid() && t > now && (!next.isValid() || t < next))
            next = t;
    };
    for (const FileInspection &f : files) {
        for (const CertificateInfo &c : f.certificates) {
            consider(c.notBefore);
            consider(c.notAfter);
            consider(c.notAfter.addDays(-warnDays));
        }
    }
    return next.isValid() ? next : now.addDays(1);
}

} // namespace

BundleMonitor::BundleMonitor(const MonitorOptions &options, QObject *parent)
    : QObject(parent)
    , m_options(options)
{
    if (!m_options.inspect)
        m_options.inspect = &inspectBytes;
    if (!m_options.evaluate)
        m_options.evaluate = &evaluateBundle;
    m_options.quietPeriodMs = std::max(0, m_options.quietPeriodMs);
    m_options.pollIntervalS = std::max(1, m_options.pollIntervalS);
    m_options.consistencyWindowS = std::max(0, m_options.consistencyWindowS);
    m_clock.start();

    FsWatcher::Options wo;
    wo.forcePoll = m_options.forcePoll;
    wo.maxWatches = m_options.maxWatches;
    m_watcher = new FsWatcher(wo, this);
    connect(m_watcher, &FsWatcher::targetChanged, this, &BundleMonitor::onTargetChanged);
    connect(m_watcher, &FsWatcher::overflow, this, &BundleMonitor::onOverflow);
    connect(m_watcher, &FsWatcher::targetDegraded, this, &BundleMonitor::onDegraded);

    m_quietTimer = new QTimer(this);
    m_quietTimer->setSingleShot(true);
    connect(m_quietTimer, &QTimer::timeout, this, &BundleMonitor::onQuietTimer);
    m_pollTimer = new QTimer(this);
    m_pollTimer->setTimerType(Qt::CoarseTimer);
    connect(m_pollTimer, &QTimer::timeout, this, &BundleMonitor::onPollTick);
    m_windowTimer = new QTimer(this);
    m_windowTimer->setSingleShot(true);
    connect(m_windowTimer, &QTimer::timeout, this, &BundleMonitor::onConsistencyTimer);
    m_expiryTimer = new QTimer(this);
    m_expiryTimer->setSingleShot(true);
    connect(m_expiryTimer, &QTimer::timeout, this, [this] {
        for (const auto &b : std::as_const(m_bundles))
            reevaluateTime(*b);
        armTimeTimers();
    });
}

BundleMonitor::~BundleMonitor() = default;

int BundleMonitor::pollIntervalMs() const
{
    return m_options.pollIntervalMsOverride > 0 ? m_options.pollIntervalMsOverride
                                                : m_options.pollIntervalS * 1000;
}

int BundleMonitor::addBundle(const BundleSpec &spec)
{
    auto b = std::make_shared<Bundle>();
    b->id = m_nextId++;
    b->spec = spec;
    b->spec.path = QDir::cleanPath(QDir::current().absoluteFilePath(spec.path));
    b->state.bundle = b->spec.path;
    m_bundles.insert(b->id, b);
    b->targetId = m_watcher->addTarget(b->spec.path); // may report degradation at once
    m_bundleByTarget.insert(b->targetId, b->id);
    if (m_watcher->mode(b->targetId) == WatchMode::Poll) {
        b->state.watchMode = WatchMode::Poll;
        b->state.degradedReason = m_watcher->degradedReason(b->targetId);
        b->state.problemDetail = m_watcher->degradedDetail(b->targetId);
    }
    if (m_started) {
        settle(*b, true);
        emitEvent(makeEvent(ReloadEventKind::Snapshot, *b));
        if (b->state.watchMode == WatchMode::Poll && !b->degradedReported) {
            b->degradedReported = true;
            ReloadEvent e = makeEvent(ReloadEventKind::WatchDegraded, *b);
            e.reason = b->state.degradedReason;
            e.detail = m_watcher->degradedDetail(b->targetId);
            emitEvent(e);
        }
        armTimeTimers();
    }
    return b->id;
}

void BundleMonitor::removeBundle(int id)
{
    const auto b = m_bundles.take(id);
    if (!b)
        return;
    m_bundleByTarget.remove(b->targetId);
    m_watcher->removeTarget(b->targetId);
}

void BundleMonitor::start()
{
    if (m_started)
        return;
    // Cold scan: every file is new, so hashing and parsing run on all cores.
    QList<int> ids = m_bundles.keys();
    std::sort(ids.begin(), ids.end());
    for (int id : std::as_const(ids))
        settle(*m_bundles.value(id), true);
    m_started = true;
    for (int id : std::as_const(ids))
        emitEvent(makeEvent(ReloadEventKind::Snapshot, *m_bundles.value(id)));
    ReloadEvent ready;
    ready.kind = ReloadEventKind::Ready;
    ready.bundle = QStringLiteral("*");
    ready.bundles = int(ids.size());
    emitEvent(ready);
    emit this->ready();
    for (int id : std::as_const(ids)) {
        const std::shared_ptr<Bundle> bundle = m_bundles.value(id);
        if (!bundle)
            continue;
        Bundle &b = *bundle;
        if (b.state.watchMode == WatchMode::Poll && !b.degradedReported) {
            b.degradedReported = true;
            ReloadEvent e = makeEvent(ReloadEventKind::WatchDegraded, b);
            e.reason = b.state.degradedReason;
            e.detail = m_watcher->degradedDetail(b.targetId);
            emitEvent(e);
        }
    }
    m_pollTimer->start(pollIntervalMs());
    armTimeTimers();
}

void BundleMonitor::rescanAll()
{
    for (const auto &b : std::as_const(m_bundles)) {
        b->dirty = false;
        settle(*b, !m_started);
    }
}

QList<BundleState> BundleMonitor::states() const
{
    QList<int> ids = m_bundles.keys();
    std::sort(ids.begin(), ids.end());
    QList<BundleState> out;
    for (int id : std::as_const(ids))
        out << m_bundles.value(id)->state;
    return out;
}

BundleState BundleMonitor::state(int id) const
{
    const auto b = m_bundles.value(id);
    return b ? b->state : BundleState{};
}

WatchStats BundleMonitor::stats() const
{
    WatchStats s = m_stats;
    s.fsEvents = m_watcher->eventCount();
    return s;
}

void BundleMonitor::reportServed(int id, const ProbeResult &result)
{
    const auto b = m_bundles.value(id);
    if (!b)
        return;
    const std::optional<CertificateInfo> leaf =
        b->state.haveLastGood ? b->state.lastGood.leaf : std::nullopt;
    emitEvent(servedEvent(b->state.bundle, result, leaf));
}

void BundleMonitor::onTargetChanged(int targetId)
{
    const auto b = m_bundles.value(m_bundleByTarget.value(targetId));
    if (b)
        markDirty(*b);
}

void BundleMonitor::onOverflow()
{
    ++m_stats.overflows;
    for (const auto &b : std::as_const(m_bundles))
        markDirty(*b);
}

void BundleMonitor::onDegraded(int targetId, const QString &reason, const QString &detail)
{
    const auto b = m_bundles.value(m_bundleByTarget.value(targetId));
    if (!b)
        return; // during addBundle: read back from the watcher there
    b->state.watchMode = WatchMode::Poll;
    b->state.degradedReason = reason;
    if (m_started && !b->degradedReported) {
        b->degradedReported = true;
        ReloadEvent e = makeEvent(ReloadEventKind::WatchDegraded, *b);
        e.reason = reason;
        e.detail = detail;
        emitEvent(e);
    }
}

void BundleMonitor::markDirty(Bundle &b)
{
    const qint64 now = m_clock.elapsed();
    if (!b.dirty) {
        b.dirty = true;
        b.dirtySinceMs = now;
    }
    b.lastEventMs = now;
    armQuietTimer();
}

void BundleMonitor::armQuietTimer()
{
    if (!m_quietTimer->isActive())
        m_quietTimer->start(m_options.quietPeriodMs);
}

void BundleMonitor::onQuietTimer()
{
    // Trailing debounce per bundle, capped so that a file written forever is still looked at.
    const qint64 maxDelay = std::max<qint64>(qint64(m_options.quietPeriodMs) * 10, 2000);
    const qint64 now = m_clock.elapsed();
    qint64 nextDue = LLONG_MAX;
    QList<int> ids = m_bundles.keys();
    std::sort(ids.begin(), ids.end());
    for (int id : std::as_const(ids)) {
        const auto b = m_bundles.value(id);
        if (!b || !b->dirty)
            continue;
        const qint64 due =
            std::min(b->lastEventMs + m_options.quietPeriodMs, b->dirtySinceMs + maxDelay);
        if (now >= due) {
            b->dirty = false;
            settle(*b, false);
        } else {
            nextDue = std::min(nextDue, due);
        }
    }
    if (nextDue != LLONG_MAX)
        m_quietTimer->start(int(std::max<qint64>(1, nextDue - m_clock.elapsed())));
}

void BundleMonitor::onPollTick()
{
    ++m_stats.polls;
    for (const auto &b : std::as_const(m_bundles)) {
        if (b->dirty)
            continue; // a settle is already due
        if (statChanged(*b))
            markDirty(*b);
        else
            reevaluateTime(*b);
    }
}

EvaluateOptions BundleMonitor::evalOptions(const Bundle &b) const
{
    EvaluateOptions o;
    o.now = QDateTime::currentDateTimeUtc();
    o.expectedHostname = b.spec.expectedHostname;
    o.warnDays = b.spec.warnDays;
    return o;
}

// plainIn: the real directory of a regular file found by readdir (one stat, no realpath).
static void statRecord(const QString &name, const QString &path, const QString &plainIn, auto &r)
{
    r.name = name;
    r.path = path;
    char resolved[PATH_MAX];
    if (!plainIn.isEmpty()) {
        const QByteArray full = QFile::encodeName(plainIn + QLatin1Char('/') + name);
        if (size_t(full.size()) >= sizeof resolved) {
            r.problem = Problem::Unreadable;
            r.problemDetail = QStringLiteral("%1: path too long").arg(path);
            return;
        }
        std::memcpy(resolved, full.constData(), size_t(full.size()) + 1);
    } else if (!::realpath(QFile::encodeName(path).constData(), resolved)) {
        const int err = errno;
        r.problem = problemForErrno(err);
        r.problemDetail = r.problem == Problem::SymlinkLoop
                              ? QStringLiteral("%1: symlink loop").arg(path)
                              : QStringLiteral("%1: %2").arg(path, errnoText(err));
        return;
    }
    r.resolved = QFile::decodeName(resolved);
    struct stat st
    {
    };
    if (::stat(resolved, &st) != 0) {
        const int err = errno;
        r.problem = problemForErrno(err);
        r.problemDetail = QStringLiteral("%1: %2").arg(path, errnoText(err));
        return;
    }
    r.dev = st.st_dev;
    r.ino = st.st_ino;
    r.size = st.st_size;
    r.mtimeNs = qint64(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec;
    r.mode = st.st_mode;
    if (!S_ISREG(st.st_mode)) {
        r.problem = Problem::NotRegularFile;
        r.problemDetail = QStringLiteral("%1 is not a regular file; not opened").arg(path);
    } else if (st.st_size > MaxInspectedFileSize) {
        r.problem = Problem::TooLarge;
        r.problemDetail = QStringLiteral("%1 is larger than %2 bytes; not read")
                              .arg(path)
                              .arg(MaxInspectedFileSize);
    }
    // Permission problems show when the file is read (open fails: Unreadable).
}

bool BundleMonitor::statChanged(Bundle &b)
{
    const BundleListing p = listBundle(b.spec.path);
    if (p.problem != Problem::None)
        return b.state.phase != BundleState::Phase::Unavailable;
    if (b.state.phase == BundleState::Phase::Unavailable)
        return true;
    if (p.names.size() != b.files.size())
        return true;
    for (qsizetype i = 0; i < p.names.size(); ++i) {
        const auto it = b.files.constFind(p.names.at(i));
        if (it == b.files.cend())
            return true;
        FileRecord r;
        statRecord(p.names.at(i), p.files.at(i), p.plain.at(i) ? p.realDir : QString(), r);
        if (!r.sameIdentity(*it) || it->racy())
            return true;
    }
    return false;
}

QList<FileInspection> BundleMonitor::collect(Bundle &b, bool *unavailable, QString *detail,
                                             Problem *problem)
{
    const BundleListing p = listBundle(b.spec.path);
    *unavailable = p.problem != Problem::None;
    *problem = p.problem;
    *detail = QStringLiteral("%1: %2").arg(b.spec.path, p.problemDetail);
    if (*unavailable)
        return {};

    // 1. stat: identities; hash only what changed (or was hashed too close to its mtime).
    QList<FileRecord> records(p.names.size());
    QList<qsizetype> toHash;
    for (qsizetype i = 0; i < p.names.size(); ++i) {
        FileRecord &r = records[i];
        statRecord(p.names.at(i), p.files.at(i), p.plain.at(i) ? p.realDir : QString(), r);
        const auto prev = b.files.constFind(r.name);
        if (r.problem != Problem::None)
            continue;
        if (prev != b.files.cend() && prev->sameIdentity(r) && !prev->racy() &&
            !prev->sha256.isEmpty()) {
            r.sha256 = prev->sha256;
            r.hashedAtNs = prev->hashedAtNs;
        } else {
            toHash << i;
        }
    }

    // 2. read + hash, in parallel on a cold scan or a big change.
    struct Hashed
    {
        QByteArray bytes;
        QString sha;
        Problem problem = Problem::None;
        QString detail;
        qint64 at = 0;
    };
    std::vector<Hashed> hashed(size_t(toHash.size()));
    const bool parallel = toHash.size() >= m_options.parallelThreshold;
    parallelFor(toHash.size(), parallel, [&](qsizetype k) {
        const FileRecord &r = records.at(toHash.at(k));
        Hashed &h = hashed[size_t(k)];
        h.at = realtimeNs();
        ReadResult rr = readRegularFile(r.resolved);
        h.problem = rr.problem;
        h.detail = rr.detail;
        if (rr.problem == Problem::None) {
            h.sha = QString::fromLatin1(
                QCryptographicHash::hash(rr.bytes, QCryptographicHash::Sha256).toHex());
            h.bytes = std::move(rr.bytes);
        }
    });
    m_stats.hashReads += toHash.size();

    // 3. parse only bytes never seen before (cache by content hash).
    QHash<QString, qsizetype> parseSlot; // sha -> index into toParse
    QList<qsizetype> toParse;            // indexes into hashed
    for (qsizetype k = 0; k < toHash.size(); ++k) {
        FileRecord &r = records[toHash.at(k)];
        Hashed &h = hashed[size_t(k)];
        if (h.problem != Problem::None) {
            r.problem = h.problem;
            r.problemDetail = h.detail;
            continue;
        }
        r.sha256 = h.sha;
        r.hashedAtNs = h.at;
        if (!b.parseCache.contains(h.sha) && !parseSlot.contains(h.sha)) {
            parseSlot.insert(h.sha, toParse.size());
            toParse << k;
        }
    }
    InspectOptions io;
    io.storePassword = b.spec.password;
    io.havePassword = b.spec.havePassword;
    std::vector<FileInspection> parsed(size_t(toParse.size()));
    const auto inspect = m_options.inspect;
    parallelFor(toParse.size(), toParse.size() >= 4 && parallel, [&](qsizetype j) {
        const qsizetype k = toParse.at(j);
        parsed[size_t(j)] = inspect(records.at(toHash.at(k)).name, hashed[size_t(k)].bytes, io);
    });
    m_stats.parses += toParse.size();
    for (qsizetype j = 0; j < toParse.size(); ++j)
        b.parseCache.insert(hashed[size_t(toParse.at(j))].sha, parsed[size_t(j)]);

    // 4. assemble the bundle's files as values.
    QList<FileInspection> files;
    QHash<QString, FileRecord> newRecords;
    QSet<QString> referenced;
    for (const FileRecord &r : std::as_const(records)) {
        newRecords.insert(r.name, r);
        FileInspection fi;
        if (r.problem == Problem::None) {
            fi = b.parseCache.value(r.sha256);
            referenced.insert(r.sha256);
        } else {
            fi.problem = r.problem;
            fi.problemDetail = r.problemDetail;
        }
        fi.name = r.name;
        fi.path = r.path;
        fi.resolvedPath = r.resolved;
        fi.size = std::max<qint64>(0, r.size);
        fi.sha256 = r.sha256;
        if (isKeyMaterial(fi.kind) && (r.mode & (S_IRGRP | S_IROTH)) &&
            !fi.warnings.contains(QLatin1String("key_readable_by_others")))
            fi.warnings << QStringLiteral("key_readable_by_others");
        files << fi;
    }
    b.files = newRecords;

    // Keep the cache bounded: what is on disk, the last good files, and a little history so
    // that flapping back to recent content costs no parse.
    if (b.parseCache.size() > 2 * files.size() + 64) {
        for (const FileInspection &f : std::as_const(b.state.lastGoodFiles))
            referenced.insert(f.sha256);
        for (auto it = b.parseCache.begin(); it != b.parseCache.end();) {
            if (referenced.contains(it.key()))
                ++it;
            else
                it = b.parseCache.erase(it);
        }
    }
    return files;
}

namespace {

QString reasonOf(const BundleEvaluation &e)
{
    if (e.problem != Problem::None)
        return problemCode(e.problem);
    return verdictName(e.verdict);
}

} // namespace

void BundleMonitor::commit(Bundle &b, const QList<FileInspection> &files,
                           const BundleEvaluation &eval)
{
    b.state.haveLastGood = true;
    b.state.lastGood = eval;
    b.state.lastGoodFiles = files;
    b.timeStableUntil = {};
    b.state.phase = BundleState::Phase::Clean;
    b.state.pendingSince = {};
    b.state.problemCode.clear();
    b.state.problemDetail.clear();
    b.state.lastChange = QDateTime::currentDateTimeUtc();
}

void BundleMonitor::settle(Bundle &b, bool initial)
{
    ++m_stats.rescans;
    bool unavailable = false;
    QString detail;
    Problem problem = Problem::None;
    const QList<FileInspection> files = collect(b, &unavailable, &detail, &problem);
    BundleState &s = b.state;
    if (unavailable) {
        // "missing" when the path is gone, "unreadable" (permission denied, I/O error) when it
        // is there but cannot be listed: the operator's fix differs.
        const QString code = problemCode(problem);
        if (s.phase == BundleState::Phase::Unavailable && s.problemCode == code)
            return;
        s.phase = BundleState::Phase::Unavailable;
        s.pendingSince = {};
        s.problemCode = code;
        s.problemDetail = detail;
        b.seenManifest.clear();
        if (!initial) {
            ReloadEvent e = makeEvent(ReloadEventKind::SourceUnavailable, b);
            e.reason = s.problemCode;
            e.detail = detail;
            emitEvent(e);
            armTimeTimers();
        }
        return;
    }
    const QString manifest = manifestHash(files);
    const bool wasUnavailable = s.phase == BundleState::Phase::Unavailable;
    if (initial) {
        const BundleEvaluation eval = m_options.evaluate(files, evalOptions(b));
        s.current = eval;
        s.currentFiles = files;
        b.seenManifest = manifest;
        if (eval.consistent()) {
            commit(b, files, eval);
        } else {
            s.phase = BundleState::Phase::Invalid;
            s.problemCode = reasonOf(eval);
            s.problemDetail = eval.reason;
        }
        return;
    }
    if (manifest == b.seenManifest && !wasUnavailable)
        return; // nothing new since the last settle
    b.seenManifest = manifest;

    if (s.haveLastGood && manifest == s.lastGood.manifest) {
        // Back to the committed bytes (after PENDING/INVALID or a vanished source).
        s.currentFiles = files;
        s.current = s.lastGood;
        if (s.phase != BundleState::Phase::Clean) {
            s.phase = BundleState::Phase::Clean;
            s.pendingSince = {};
            s.problemCode.clear();
            s.problemDetail.clear();
            ReloadEvent e = makeEvent(ReloadEventKind::Recovered, b);
            e.detail = wasUnavailable ? QStringLiteral("source is back with the last good content")
                                      : QStringLiteral("back to the last good content");
            emitEvent(e);
        }
        return;
    }

    const BundleEvaluation eval = m_options.evaluate(files, evalOptions(b));
    s.current = eval;
    s.currentFiles = files;
    if (eval.consistent()) {
        const QString oldFp = s.lastGoodFingerprint();
        commit(b, files, eval);
        ++m_stats.commits;
        ReloadEvent e = makeEvent(ReloadEventKind::Changed, b);
        e.oldFingerprint = oldFp;
        e.newFingerprint = s.lastGoodFingerprint();
        emitEvent(e);
        armTimeTimers();
        return;
    }
    const QString code = reasonOf(eval);
    if (s.phase == BundleState::Phase::Pending) {
        s.problemCode = code; // still within the window: no new event
        s.problemDetail = eval.reason;
        return;
    }
    s.phase = BundleState::Phase::Pending;
    s.pendingSince = QDateTime::currentDateTimeUtc();
    s.problemCode = code;
    s.problemDetail = eval.reason;
    ReloadEvent e = makeEvent(ReloadEventKind::Pending, b);
    emitEvent(e);
    armTimeTimers();
}

void BundleMonitor::reevaluateTime(Bundle &b)
{
    BundleState &s = b.state;
    if (s.phase == BundleState::Phase::Clean && s.haveLastGood) {
        // Re-judging a large bundle costs milliseconds; an idle poll only does it once a
        // validity boundary has passed (the days-left figures themselves are computed on display).
        const QDateTime now = QDateTime::currentDateTimeUtc();
        if (b.timeStableUntil.isValid() && now < b.timeStableUntil)
            return;
        b.timeStableUntil = nextValidityBoundary(s.lastGoodFiles, b.spec.warnDays, now);
        const BundleEvaluation eval = m_options.evaluate(s.lastGoodFiles, evalOptions(b));
        if (eval.verdict == s.lastGood.verdict && eval.problem == s.lastGood.problem)
            return;
        s.lastGood = eval;
        s.current = eval;
        s.lastChange = QDateTime::currentDateTimeUtc();
        ReloadEvent e = makeEvent(ReloadEventKind::Status, b);
        e.reason = eval.consistent() ? QString() : reasonOf(eval);
        e.detail = eval.reason;
        emitEvent(e);
        return;
    }
    if ((s.phase == BundleState::Phase::Pending || s.phase == BundleState::Phase::Invalid) &&
        !s.currentFiles.isEmpty()) {
        // A candidate may become consistent without new bytes (notBefore reached).
        const BundleEvaluation eval = m_options.evaluate(s.currentFiles, evalOptions(b));
        if (!eval.consistent())
            return;
        const QString oldFp = s.lastGoodFingerprint();
        commit(b, s.currentFiles, eval);
        s.current = eval;
        ++m_stats.commits;
        ReloadEvent e = makeEvent(ReloadEventKind::Changed, b);
        e.oldFingerprint = oldFp;
        e.newFingerprint = s.lastGoodFingerprint();
        emitEvent(e);
    }
}

void BundleMonitor::onConsistencyTimer()
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    QList<int> ids = m_bundles.keys();
    std::sort(ids.begin(), ids.end());
    for (int id : std::as_const(ids)) {
        const std::shared_ptr<Bundle> bundle = m_bundles.value(id);
        if (!bundle)
            continue;
        Bundle &b = *bundle;
        BundleState &s = b.state;
        if (s.phase != BundleState::Phase::Pending || !s.pendingSince.isValid())
            continue;
        if (s.pendingSince.msecsTo(now) < qint64(m_options.consistencyWindowS) * 1000)
            continue;
        const BundleEvaluation eval = m_options.evaluate(s.currentFiles, evalOptions(b));
        s.current = eval;
        if (eval.consistent()) {
            const QString oldFp = s.lastGoodFingerprint();
            commit(b, s.currentFiles, eval);
            ++m_stats.commits;
            ReloadEvent e = makeEvent(ReloadEventKind::Changed, b);
            e.oldFingerprint = oldFp;
            e.newFingerprint = s.lastGoodFingerprint();
            emitEvent(e);
            continue;
        }
        s.phase = BundleState::Phase::Invalid;
        s.problemCode = reasonOf(eval);
        s.problemDetail = eval.reason;
        emitEvent(makeEvent(ReloadEventKind::Invalid, b));
    }
    armTimeTimers();
}

void BundleMonitor::armTimeTimers()
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    qint64 window = LLONG_MAX;
    qint64 expiry = LLONG_MAX;
    for (const auto &b : std::as_const(m_bundles)) {
        const BundleState &s = b->state;
        if (s.phase == BundleState::Phase::Pending && s.pendingSince.isValid()) {
            const qint64 due =
                now.msecsTo(s.pendingSince.addMSecs(qint64(m_options.consistencyWindowS) * 1000));
            window = std::min(window, std::max<qint64>(0, due));
        }
        auto consider = [&](const std::optional<CertificateInfo> &leaf) {
            if (!leaf)
                return;
            for (const QDateTime &t : {leaf->notBefore, leaf->notAfter.addSecs(1)}) {
                if (!t.isValid())
                    continue;
                const qint64 ms = now.msecsTo(t);
                if (ms > 0)
                    expiry = std::min(expiry, ms + 5);
            }
        };
        if (s.haveLastGood)
            consider(s.lastGood.leaf);
        if (s.phase == BundleState::Phase::Pending || s.phase == BundleState::Phase::Invalid)
            consider(s.current.leaf);
    }
    if (window != LLONG_MAX)
        m_windowTimer->start(int(std::min<qint64>(window, INT_MAX)));
    else
        m_windowTimer->stop();
    // Beyond ~24 days a timer cannot be armed; the safety poll re-evaluates anyway.
    if (expiry != LLONG_MAX && expiry < qint64(INT_MAX))
        m_expiryTimer->start(int(expiry));
    else
        m_expiryTimer->stop();
}

ReloadEvent BundleMonitor::makeEvent(ReloadEventKind kind, const Bundle &b) const
{
    const BundleState &s = b.state;
    ReloadEvent e;
    e.kind = kind;
    e.bundle = b.spec.path;
    const bool problemPhase = s.phase == BundleState::Phase::Pending ||
                              s.phase == BundleState::Phase::Invalid ||
                              s.phase == BundleState::Phase::Unavailable;
    switch (kind) {
    case ReloadEventKind::Snapshot: {
        const bool good = s.haveLastGood;
        const BundleEvaluation &ev = good ? s.lastGood : s.current;
        e.status = s.phase == BundleState::Phase::Unavailable && !good
                       ? verdictName(Verdict::Unreadable)
                       : verdictName(ev.verdict);
        e.fingerprint = ev.leaf ? ev.leaf->sha256 : QString();
        e.manifest = ev.manifest;
        if (ev.leaf)
            e.notAfter = ev.leaf->notAfter;
        e.reason = problemPhase ? s.problemCode : QString();
        e.detail = problemPhase ? s.problemDetail : QString();
        for (const FileInspection &f : good ? s.lastGoodFiles : s.currentFiles)
            e.files << f.name;
        e.warnings = ev.warnings;
        e.watch = watchModeName(s.watchMode);
        break;
    }
    case ReloadEventKind::Changed:
        e.status = verdictName(s.lastGood.verdict);
        e.manifest = s.lastGood.manifest;
        if (s.lastGood.leaf)
            e.notAfter = s.lastGood.leaf->notAfter;
        for (const FileInspection &f : s.lastGoodFiles)
            e.files << f.name;
        e.warnings = s.lastGood.warnings;
        break;
    case ReloadEventKind::Pending:
    case ReloadEventKind::Invalid:
        e.status = verdictName(s.current.verdict);
        e.manifest = s.current.manifest;
        e.reason = s.problemCode;
        e.detail = s.problemDetail;
        e.fingerprint = s.lastGoodFingerprint();
        break;
    case ReloadEventKind::Recovered:
    case ReloadEventKind::Status:
        e.status = verdictName(s.lastGood.verdict);
        e.manifest = s.lastGood.manifest;
        e.fingerprint = s.lastGoodFingerprint();
        if (s.lastGood.leaf)
            e.notAfter = s.lastGood.leaf->notAfter;
        break;
    case ReloadEventKind::SourceUnavailable:
        e.fingerprint = s.lastGoodFingerprint();
        break;
    case ReloadEventKind::WatchDegraded:
        e.watch = watchModeName(WatchMode::Poll);
        break;
    default:
        break;
    }
    return e;
}

void BundleMonitor::emitEvent(ReloadEvent e)
{
    if (!e.ts.isValid())
        e.ts = QDateTime::currentDateTimeUtc();
    qCDebug(lcTls) << "event" << reloadEventKindName(e.kind) << e.bundle << e.reason;
    emit event(e);
    const auto it = std::find_if(m_bundles.cbegin(), m_bundles.cend(),
                                 [&e](const auto &b) { return b->spec.path == e.bundle; });
    if (it != m_bundles.cend())
        emit stateChanged((*it)->state);
}

// --- BundleMonitorThread --------------------------------------------------------------------

BundleMonitorThread::BundleMonitorThread(const MonitorOptions &options, QObject *parent)
    : QObject(parent)
{
    qRegisterMetaType<opsdeck::tls::ReloadEvent>();
    qRegisterMetaType<opsdeck::tls::BundleState>();
    m_thread = new QThread(this);
    m_thread->setObjectName(QStringLiteral("opsdeck-tls-monitor"));
    m_monitor = new BundleMonitor(options); // no parent: moved to the worker thread
    m_monitor->moveToThread(m_thread);
    connect(m_thread, &QThread::finished, m_monitor, &QObject::deleteLater);
    connect(m_monitor, &BundleMonitor::event, this, &BundleMonitorThread::event,
            Qt::QueuedConnection);
    connect(m_monitor, &BundleMonitor::stateChanged, this, &BundleMonitorThread::stateChanged,
            Qt::QueuedConnection);
    connect(m_monitor, &BundleMonitor::ready, this, &BundleMonitorThread::ready,
            Qt::QueuedConnection);
    m_thread->start();
}

BundleMonitorThread::~BundleMonitorThread()
{
    // finished -> deleteLater: the monitor is deleted on its own thread as the thread ends
    // (QThread processes deferred deletes after finished()).
    m_thread->quit();
    m_thread->wait();
}

void BundleMonitorThread::addBundle(const BundleSpec &spec)
{
    QMetaObject::invokeMethod(
        m_monitor, [m = m_monitor, spec] { m->addBundle(spec); }, Qt::QueuedConnection);
}

void BundleMonitorThread::start()
{
    QMetaObject::invokeMethod(
        m_monitor, [m = m_monitor] { m->start(); }, Qt::QueuedConnection);
}

void BundleMonitorThread::rescanAll()
{
    QMetaObject::invokeMethod(
        m_monitor, [m = m_monitor] { m->rescanAll(); }, Qt::QueuedConnection);
}

} // namespace opsdeck::tls
