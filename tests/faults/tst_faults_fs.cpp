// SPDX-License-Identifier: GPL-3.0-or-later
// Filesystem fault injection, made by the harness (no switches in the product):
//   - the watched directory's tmpfs is lazily unmounted (idle and busy), then mounted again;
//   - permissions of the key and of the bundle directory flip to 000 and back, seen by an
//     unprivileged watcher (the child `opsdeck certs watch` under setpriv, the GUI monitor's
//     worker thread with fsuid nobody);
//   - inotify instances of an unprivileged uid are exhausted by a helper process of that uid;
//   - the history database and audit.jsonl live on a tiny tmpfs that fills up.
// Each scenario checks the in-process GUI side (TlsMonitorController feeding the Certificates and
// Reload events panels, models under QAbstractItemModelTester) and/or the headless child, that
// nothing crashes, that the GUI thread never stalls beyond a measured bound, and recovery.
// Needs root (mount(2), chown, setpriv): skipped otherwise, with the reason.

#include "certfactory.h"
#include "certificatesmodel.h"
#include "certificatespanel.h"
#include "certnotifier.h"
#include "common/activitylog.h"
#include "common/historystore.h"
#include "flinksim.h"
#include "jobs/audittrail.h"
#include "opsdeckprocess.h"
#include "reloadeventsmodel.h"
#include "reloadeventspanel.h"
#include "stallmeter.h"
#include "testmain.h"
#include "tls/bundlemonitor.h"
#include "tlsmonitorcontroller.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QScopeGuard>
#include <QSet>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QThread>
#include <QtTest>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <functional>
#include <grp.h>
#include <pwd.h>
#include <sys/fsuid.h>
#include <sys/inotify.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

using namespace opsdeck;
using namespace opsdeck::test;

namespace {

constexpr int QuietMs = 100;
constexpr int DetectTimeoutMs = 8000; // far below the 30 s safety poll used where it matters
// Longest GUI-thread stall per scenario measured on the shared 2-core machine: 0-52 ms over
// three full runs (qInfo'd by every scenario); 150 ms leaves room for a loaded CI runner and still
// fails on any synchronous wait on the file system (the SQLite busy timeout alone is 750 ms).
constexpr qint64 StallBoundMs = 150;

QByteArray enc(const QString &path)
{
    return QFile::encodeName(path);
}

bool writeBytes(const QString &path, const QByteArray &bytes)
{
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return false;
    return f.write(bytes) == bytes.size();
}

// Every tmpfs this test mounted; cleanup() unmounts what a failed test left behind.
QStringList g_mounts;

bool mountTmpfs(const QString &dir, const QByteArray &options)
{
    if (!QDir().mkpath(dir))
        return false;
    if (::mount("tmpfs", enc(dir).constData(), "tmpfs", 0, options.constData()) != 0) {
        qWarning("mount tmpfs %s: %s", qPrintable(dir), std::strerror(errno));
        return false;
    }
    g_mounts << dir;
    return true;
}

bool unmountLazy(const QString &dir)
{
    const bool ok = ::umount2(enc(dir).constData(), MNT_DETACH) == 0;
    if (ok)
        g_mounts.removeAll(dir);
    return ok;
}

void unmountAll()
{
    while (!g_mounts.isEmpty()) {
        const QString dir = g_mounts.takeLast();
        if (::umount2(enc(dir).constData(), MNT_DETACH) != 0)
            qWarning("cleanup: umount %s: %s", qPrintable(dir), std::strerror(errno));
    }
}

// Runs the event loop until pred() holds; the elapsed ms, or -1 after timeoutMs.
qint64 waitUntil(const std::function<bool()> &pred, int timeoutMs)
{
    QElapsedTimer t;
    t.start();
    for (int round = 0; round < 100000; ++round) {
        if (pred())
            return t.elapsed();
        if (t.elapsed() > timeoutMs)
            return -1;
        QTest::qWait(5);
    }
    return -1;
}

// Runs the event loop until both hold (each may turn true first); the ms after which each did,
// from the same start (-1: not within timeoutMs).
struct Detected
{
    qint64 child = -1;
    qint64 gui = -1;
};
Detected detectBoth(const std::function<bool()> &child, const std::function<bool()> &gui,
                    int timeoutMs)
{
    Detected d;
    QElapsedTimer t;
    t.start();
    for (int round = 0; round < 100000; ++round) {
        if (d.child < 0 && child())
            d.child = t.elapsed();
        if (d.gui < 0 && gui())
            d.gui = t.elapsed();
        if ((d.child >= 0 && d.gui >= 0) || t.elapsed() > timeoutMs)
            break;
        QTest::qWait(5);
    }
    return d;
}

// Unmounts what a test function mounted before its QTemporaryDir goes (declare it after the
// QTemporaryDir), also when the test fails half-way.
struct MountGuard
{
    ~MountGuard() { unmountAll(); }
};

uid_t nobodyUid()
{
    const passwd *pw = ::getpwnam("nobody");
    return pw ? pw->pw_uid : uid_t(65534);
}

gid_t nogroupGid()
{
    const group *gr = ::getgrnam("nogroup");
    return gr ? gr->gr_gid : gid_t(65534);
}

QString setprivBinary()
{
    return QStandardPaths::findExecutable(QStringLiteral("setpriv"));
}

QStringList asNobody()
{
    return {QStringLiteral("--reuid=%1").arg(nobodyUid()),
            QStringLiteral("--regid=%1").arg(nogroupGid()), QStringLiteral("--clear-groups"),
            QStringLiteral("--")};
}

// A running `opsdeck certs watch`, read through the event loop (never blocking the GUI thread).
class WatchChild
{
public:
    QProcess process;
    QList<QJsonObject> events;
    int badLines = 0;

    ~WatchChild()
    {
        if (process.state() != QProcess::NotRunning) {
            process.kill();
            process.waitForFinished(3000);
        }
    }

    bool start(const QStringList &args, bool unprivileged, const QString &home)
    {
        QProcessEnvironment e = QProcessEnvironment::systemEnvironment();
        e.remove(QStringLiteral("DISPLAY"));
        e.remove(QStringLiteral("QT_QPA_PLATFORM"));
        e.remove(QStringLiteral("XDG_RUNTIME_DIR"));
        e.insert(QStringLiteral("HOME"), home);
        process.setProcessEnvironment(e);
        const QStringList watchArgs =
            QStringList{QStringLiteral("certs"), QStringLiteral("watch"),
                        QStringLiteral("--format"), QStringLiteral("jsonl")} +
            args;
        if (unprivileged) {
            process.setProgram(setprivBinary());
            process.setArguments(asNobody() + QStringList{opsdeckBinary()} + watchArgs);
        } else {
            process.setProgram(opsdeckBinary());
            process.setArguments(watchArgs);
        }
        process.setStandardInputFile(QProcess::nullDevice());
        QObject::connect(&process, &QProcess::readyReadStandardOutput, &process,
                         [this] { pump(); });
        process.start();
        if (!process.waitForStarted(5000))
            return false;
        return waitUntil([this] { return count(QStringLiteral("READY")) > 0 || !running(); },
                         10000) >= 0 &&
               count(QStringLiteral("READY")) > 0;
    }

    bool running() const { return process.state() == QProcess::Running; }

    void pump()
    {
        m_buffer += process.readAllStandardOutput();
        for (qsizetype nl = m_buffer.indexOf('\n'); nl >= 0; nl = m_buffer.indexOf('\n')) {
            const QByteArray line = m_buffer.left(nl);
            m_buffer.remove(0, nl + 1);
            const QJsonDocument doc = QJsonDocument::fromJson(line);
            if (!doc.isObject()) {
                qWarning() << "not a JSON object line:" << line;
                ++badLines;
                continue;
            }
            events << doc.object();
        }
    }

    int count(const QString &kind) const { return int(ofKind(kind).size()); }

    QList<QJsonObject> ofKind(const QString &kind) const
    {
        QList<QJsonObject> out;
        for (const QJsonObject &o : events) {
            if (o.value(QStringLiteral("event")).toString() == kind)
                out << o;
        }
        return out;
    }

    QJsonObject last(const QString &kind) const
    {
        const QList<QJsonObject> all = ofKind(kind);
        return all.isEmpty() ? QJsonObject() : all.last();
    }

    // Waits for the n-th event of a kind; the elapsed ms or -1.
    qint64 waitFor(const QString &kind, int n, int timeoutMs = DetectTimeoutMs)
    {
        return waitUntil([&] { return count(kind) >= n; }, timeoutMs);
    }

    // SIGTERM: true when it exits 0 with its STATS line (a clean, crash-free stop).
    bool stop()
    {
        if (!running())
            return false;
        ::kill(pid_t(process.processId()), SIGTERM);
        if (waitUntil([this] { return !running(); }, 5000) < 0)
            return false;
        pump();
        return process.exitStatus() == QProcess::NormalExit && process.exitCode() == 0 &&
               count(QStringLiteral("STATS")) == 1;
    }

    QString stderrText() { return QString::fromUtf8(process.readAllStandardError()); }

private:
    QByteArray m_buffer;
};

struct Pki
{
    CertChain chain;
    bool init()
    {
        auto c = CertFactory::chain(CertSpec::server(), 1);
        if (!c.ok())
            return false;
        chain = c.value();
        return true;
    }
    CertKey issue() const
    {
        auto leaf = CertFactory::issue(CertSpec::server(), chain.intermediates.first());
        return leaf.ok() ? leaf.value() : CertKey{};
    }
};

// tls.crt, tls.key (0600) and ca.crt; the key owned by `keyOwner` when given.
bool writeBundle(const QString &dir, const CertKey &leaf, const CertKey &root, uid_t keyOwner = 0,
                 gid_t keyGroup = 0)
{
    if (!QDir().mkpath(dir))
        return false;
    const QString key = dir + QStringLiteral("/tls.key");
    if (!writeBytes(key, leaf.keyPem) || ::chmod(enc(key).constData(), 0600) != 0 ||
        ::chown(enc(key).constData(), keyOwner, keyGroup) != 0)
        return false;
    return writeBytes(dir + QStringLiteral("/tls.crt"), leaf.chainPem) &&
           writeBytes(dir + QStringLiteral("/ca.crt"), root.certPem);
}

// The GUI side: the controller feeding the two panels, as the main window wires them.
struct GuiRig
{
    ActivityLog log;
    CertificatesPanel certificates;
    ReloadEventsPanel events;
    CertNotifier notifier{&log};
    std::unique_ptr<TlsMonitorController> controller;
    QAbstractItemModelTester certTester{certificates.model(),
                                        QAbstractItemModelTester::FailureReportingMode::QtTest};
    QAbstractItemModelTester eventsTester{events.model(),
                                          QAbstractItemModelTester::FailureReportingMode::QtTest};
    QList<tls::ReloadEvent> recorded;

    explicit GuiRig(HistoryStore *history = nullptr, int pollMs = 30000, int storeRetryMs = 5000)
    {
        TlsMonitorController::Options o;
        o.monitor.quietPeriodMs = QuietMs;
        o.monitor.pollIntervalMsOverride = pollMs;
        o.monitor.consistencyWindowS = 1;
        o.storeRetryMs = storeRetryMs;
        controller = std::make_unique<TlsMonitorController>(o, &log, history, certificates.model(),
                                                            events.model(), &notifier);
        QObject::connect(controller.get(), &TlsMonitorController::eventRecorded, controller.get(),
                         [this](const tls::ReloadEvent &e) { recorded << e; });
        certificates.show();
        events.show();
    }

    void watch(const QString &bundle)
    {
        Profile p;
        p.name = QStringLiteral("faults");
        BundleConfig b;
        b.path = bundle;
        p.bundles << b;
        controller->setProfile(p);
    }

    QString verdict(const QString &bundle) const
    {
        return certificates.model()
            ->bundleIndex(bundle)
            .data(CertificatesModel::VerdictRole)
            .toString();
    }
    QString fingerprint(const QString &bundle) const
    {
        return certificates.model()
            ->bundleIndex(bundle)
            .data(CertificatesModel::FingerprintRole)
            .toString();
    }
    QStringList badges(const QString &bundle) const
    {
        return certificates.model()
            ->bundleIndex(bundle)
            .data(CertificatesModel::BadgesRole)
            .toStringList();
    }
    QString detailText(const QString &bundle)
    {
        certificates.select(certificates.model()->bundleIndex(bundle));
        return certificates.detailText();
    }
    int recordedCount(tls::ReloadEventKind kind) const
    {
        int n = 0;
        for (const tls::ReloadEvent &e : recorded)
            n += e.kind == kind;
        return n;
    }
    const tls::ReloadEvent *lastRecorded(tls::ReloadEventKind kind) const
    {
        for (auto it = recorded.crbegin(); it != recorded.crend(); ++it) {
            if (it->kind == kind)
                return &*it;
        }
        return nullptr;
    }
    // The newest Activity log entry of that severity whose message contains every needle.
    bool logHas(Severity severity, const QStringList &needles) const
    {
        const QList<ActivityEntry> entries = log.entries();
        for (const ActivityEntry &e : entries) {
            if (e.severity != severity)
                continue;
            bool all = true;
            for (const QString &n : needles)
                all = all && e.message.contains(n, Qt::CaseInsensitive);
            if (all)
                return true;
        }
        return false;
    }

    // Runs f on the monitor's worker thread and waits for it.
    void onWorker(const std::function<void()> &f)
    {
        auto *ctx = new QObject;
        ctx->moveToThread(controller->monitorThread()->workerThread());
        QMetaObject::invokeMethod(ctx, f, Qt::BlockingQueuedConnection);
        ctx->deleteLater(); // on the worker thread
    }
};

// Fills a file system: writes `path` until ENOSPC. Returns the bytes written, -1 on another error.
qint64 fillUp(const QString &path)
{
    const int fd = ::open(enc(path).constData(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return -1;
    const QByteArray chunk(64 * 1024, 'F');
    qint64 total = 0;
    int err = 0;
    for (int round = 0; round < 100000; ++round) {
        const ssize_t n = ::write(fd, chunk.constData(), size_t(chunk.size()));
        if (n < 0) {
            err = errno;
            break;
        }
        total += n;
    }
    // Then byte by byte is not needed: tmpfs allocates whole pages; a page-sized write fills
    // the last one.
    for (int round = 0; round < 64 && err == ENOSPC; ++round) {
        const ssize_t n = ::write(fd, chunk.constData(), 4096);
        if (n <= 0)
            break;
        total += n;
    }
    ::close(fd);
    return err == ENOSPC ? total : -1;
}

// The lines of a JSON-lines file: every line must be a JSON object.
struct JsonLines
{
    QList<QJsonObject> objects;
    int bad = 0;
    bool endsWithNewline = true;
};
JsonLines readJsonLines(const QString &path)
{
    JsonLines out;
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return out;
    const QByteArray all = f.readAll();
    out.endsWithNewline = all.isEmpty() || all.endsWith('\n');
    const QList<QByteArray> lines = all.split('\n');
    for (const QByteArray &line : lines) {
        if (line.isEmpty())
            continue;
        const QJsonDocument doc = QJsonDocument::fromJson(line);
        if (doc.isObject())
            out.objects << doc.object();
        else
            ++out.bad;
    }
    return out;
}

// --hold-inotify: the helper (run as an unprivileged uid) takes every inotify instance that uid
// may have, says how many and why it stopped, and holds them until its stdin closes.
int holdInotify()
{
    struct rlimit rl
    {
    };
    if (::getrlimit(RLIMIT_NOFILE, &rl) == 0) {
        rl.rlim_cur = rl.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &rl);
    }
    int held = 0;
    int err = 0;
    for (int i = 0; i < 65536; ++i) {
        if (::inotify_init1(IN_CLOEXEC) < 0) {
            err = errno;
            break;
        }
        ++held;
    }
    std::printf("held %d errno %d\n", held, err);
    std::fflush(stdout);
    char buf[64];
    for (int round = 0; round < 1000000; ++round) {
        const ssize_t n = ::read(0, buf, sizeof buf);
        if (n == 0 || (n < 0 && errno != EINTR))
            break;
    }
    return 0;
}

} // namespace

class TestFaultsFs : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanup();
    void cleanupTestCase();

    void unmountedWatchDirectory_data();
    void unmountedWatchDirectory();
    void permissionFlips();
    void inotifyInstancesExhausted();
    void diskFullAuditTrailAndLedger();
    void diskFullReloadEventHistory();
    void diskFullRefusesDestructiveStatements();

private:
    Pki m_pki;
    QList<qint64> m_stalls;
};

void TestFaultsFs::initTestCase()
{
    if (::geteuid() != 0)
        QSKIP("filesystem fault injection needs root (mount(2), chown, setpriv); not root here");
    QTemporaryDir probe;
    QVERIFY(probe.isValid());
    if (::mount("tmpfs", enc(probe.path()).constData(), "tmpfs", 0, "size=64k") != 0)
        QSKIP(qPrintable(QStringLiteral("mount(2) of a tmpfs is not permitted here (%1): no "
                                        "CAP_SYS_ADMIN in this container?")
                             .arg(QString::fromLocal8Bit(std::strerror(errno)))));
    QVERIFY(::umount2(enc(probe.path()).constData(), MNT_DETACH) == 0);
    QVERIFY2(QFileInfo::exists(opsdeckBinary()),
             qPrintable(QStringLiteral("%1 is not built").arg(opsdeckBinary())));
    QVERIFY(m_pki.init());
}

void TestFaultsFs::cleanup()
{
    unmountAll();
}

void TestFaultsFs::cleanupTestCase()
{
    unmountAll();
    QString stalls;
    for (qint64 s : std::as_const(m_stalls))
        stalls += QString::number(s) + QLatin1Char(' ');
    qInfo("GUI thread stalls per scenario (ms): %s(bound %lld)", qPrintable(stalls), StallBoundMs);
}

void TestFaultsFs::unmountedWatchDirectory_data()
{
    QTest::addColumn<bool>("busy");
    QTest::newRow("idle") << false; // the kernel reports IN_UNMOUNT
    QTest::newRow("busy") << true;  // a file stays open: no inotify event at all
}

// The watched directory's file system goes away under the watchers (umount -l), then comes back
// with a new certificate. Both safety polls are 30 s: every detection below 8 s comes from the
// watcher itself (inotify, or the mount table's change notification).
void TestFaultsFs::unmountedWatchDirectory()
{
    QFETCH(bool, busy);
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    MountGuard unmountFirst;
    const QString mnt = tmp.path() + QStringLiteral("/mnt");
    const QString bundle = mnt + QStringLiteral("/tls");
    QVERIFY(mountTmpfs(mnt, "size=1m,mode=0755"));
    const CertKey first = m_pki.issue();
    QVERIFY(writeBundle(bundle, first, m_pki.chain.root));

    WatchChild child;
    QVERIFY(child.start({bundle, QStringLiteral("--quiet-period"), QString::number(QuietMs),
                         QStringLiteral("--poll-interval"), QStringLiteral("30"),
                         QStringLiteral("--consistency-window"), QStringLiteral("1")},
                        false, tmp.path()));
    QCOMPARE(child.last(QStringLiteral("SNAPSHOT")).value(QStringLiteral("status")).toString(),
             QStringLiteral("ok"));

    GuiRig gui;
    gui.watch(bundle);
    QVERIFY(waitUntil([&] { return gui.verdict(bundle) == QLatin1String("ok"); }, 10000) >= 0);
    QCOMPARE(gui.fingerprint(bundle), QString::fromLatin1(first.sha256Hex));

    StallMeter stall;
    stall.start();
    int held = -1;
    if (busy) {
        held = ::open(enc(bundle + QStringLiteral("/ca.crt")).constData(), O_RDONLY | O_CLOEXEC);
        QVERIFY(held >= 0);
    }
    QVERIFY(unmountLazy(mnt));
    const Detected d1 =
        detectBoth([&] { return child.count(QStringLiteral("SOURCE_UNAVAILABLE")) > 0; },
                   [&] { return gui.recordedCount(tls::ReloadEventKind::SourceUnavailable) > 0; },
                   DetectTimeoutMs);
    const qint64 childGone = d1.child;
    const qint64 guiGone = d1.gui;
    if (held >= 0)
        ::close(held);
    qInfo("%s unmount: child saw SOURCE_UNAVAILABLE after %lld ms, GUI after %lld ms",
          busy ? "busy" : "idle", childGone, guiGone);
    QVERIFY2(childGone >= 0, "the child did not report the unmounted bundle");
    QVERIFY2(guiGone >= 0, "the GUI did not report the unmounted bundle");

    // Headless: the bundle is gone (missing), the last good leaf is named as kept, not valid.
    const QJsonObject gone = child.last(QStringLiteral("SOURCE_UNAVAILABLE"));
    QCOMPARE(gone.value(QStringLiteral("bundle")).toString(), bundle);
    QCOMPARE(gone.value(QStringLiteral("reason")).toString(), QStringLiteral("missing"));
    QCOMPARE(gone.value(QStringLiteral("fingerprint")).toString(),
             QString::fromLatin1(first.sha256Hex));
    // GUI: the bundle row says unavailable (red), never a stale "ok"; the log says why.
    QCOMPARE(gui.verdict(bundle), QStringLiteral("unavailable"));
    QCOMPARE(
        gui.certificates.model()->bundleIndex(bundle).data(CertificatesModel::LevelRole).toInt(),
        int(CertLevel::Error));
    QVERIFY(gui.detailText(bundle).contains(QStringLiteral("unavailable")));
    QVERIFY(gui.logHas(Severity::Error, {bundle, QStringLiteral("source unavailable")}));

    // Remount with a new certificate: picked up without waiting for the 30 s poll.
    QVERIFY(mountTmpfs(mnt, "size=1m,mode=0755"));
    const CertKey second = m_pki.issue();
    QVERIFY(writeBundle(bundle, second, m_pki.chain.root));
    const Detected d2 =
        detectBoth([&] { return child.count(QStringLiteral("CHANGED")) > 0; },
                   [&] { return gui.fingerprint(bundle) == QString::fromLatin1(second.sha256Hex); },
                   DetectTimeoutMs);
    const qint64 childBack = d2.child;
    const qint64 guiBack = d2.gui;
    qInfo("remount + new bundle: child CHANGED after %lld ms, GUI after %lld ms", childBack,
          guiBack);
    QVERIFY2(childBack >= 0, "the child did not pick the remounted bundle up (watch not re-armed)");
    QVERIFY2(guiBack >= 0, "the GUI did not pick the remounted bundle up (watch not re-armed)");
    QCOMPARE(
        child.last(QStringLiteral("CHANGED")).value(QStringLiteral("new_fingerprint")).toString(),
        QString::fromLatin1(second.sha256Hex));
    QCOMPARE(gui.verdict(bundle), QStringLiteral("ok"));

    // The watches are on the new file system: an in-place rotation there is seen at once.
    const CertKey third = m_pki.issue();
    QVERIFY(writeBundle(bundle, third, m_pki.chain.root));
    QVERIFY(child.waitFor(QStringLiteral("CHANGED"), 2) >= 0);
    QCOMPARE(
        child.last(QStringLiteral("CHANGED")).value(QStringLiteral("new_fingerprint")).toString(),
        QString::fromLatin1(third.sha256Hex));
    QVERIFY(
        waitUntil([&] { return gui.fingerprint(bundle) == QString::fromLatin1(third.sha256Hex); },
                  DetectTimeoutMs) >= 0);

    stall.stop();
    qInfo("GUI thread longest stall: %lld ms over %lld ticks", stall.longestStallMs(),
          stall.ticks());
    m_stalls << stall.longestStallMs();
    QVERIFY2(stall.longestStallMs() < StallBoundMs, "the GUI thread froze");
    QCOMPARE(child.badLines, 0);
    QVERIFY2(child.stop(), qPrintable(child.stderrText()));
}

// The key, then the bundle directory, become unreadable (mode 000) for an unprivileged watcher
// and readable again. Root ignores modes, so the child runs as nobody (setpriv) and the GUI
// monitor's worker thread switches its fsuid to nobody (which drops its file capabilities).
void TestFaultsFs::permissionFlips()
{
    if (setprivBinary().isEmpty())
        QSKIP("setpriv (util-linux) is not installed: cannot run the watcher unprivileged");
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    QVERIFY(::chmod(enc(tmp.path()).constData(), 0755) == 0);
    const QString bundle = tmp.path() + QStringLiteral("/tls");
    const QString key = bundle + QStringLiteral("/tls.key");
    const CertKey leaf = m_pki.issue();
    QVERIFY(writeBundle(bundle, leaf, m_pki.chain.root, nobodyUid(), nogroupGid()));
    const QString home = tmp.path() + QStringLiteral("/home");
    QVERIFY(QDir().mkpath(home));
    QVERIFY(::chown(enc(home).constData(), nobodyUid(), nogroupGid()) == 0);

    WatchChild child;
    QVERIFY2(child.start({bundle, QStringLiteral("--quiet-period"), QString::number(QuietMs),
                          QStringLiteral("--poll-interval"), QStringLiteral("30"),
                          QStringLiteral("--consistency-window"), QStringLiteral("1")},
                         true, home),
             qPrintable(child.stderrText()));
    QCOMPARE(child.last(QStringLiteral("SNAPSHOT")).value(QStringLiteral("status")).toString(),
             QStringLiteral("ok"));

    GuiRig gui;
    gui.watch(bundle);
    QVERIFY(waitUntil([&] { return gui.verdict(bundle) == QLatin1String("ok"); }, 10000) >= 0);
    int fsuidWas = -1;
    gui.onWorker([&] {
        ::setfsgid(nogroupGid());
        fsuidWas = ::setfsuid(nobodyUid());
    });
    QCOMPARE(fsuidWas, 0);

    StallMeter stall;
    stall.start();

    // 1. The key: permission denied, naming the file; the last good state is kept, not "ok".
    QVERIFY(::chmod(enc(key).constData(), 0) == 0);
    const Detected d3 = detectBoth(
        [&] { return child.count(QStringLiteral("PENDING")) > 0; },
        [&] { return gui.recordedCount(tls::ReloadEventKind::Pending) > 0; }, DetectTimeoutMs);
    const qint64 childKey = d3.child;
    const qint64 guiKey = d3.gui;
    qInfo("key chmod 000: child PENDING after %lld ms, GUI after %lld ms", childKey, guiKey);
    QVERIFY2(childKey >= 0, "the child did not notice the unreadable key (chmod only)");
    QVERIFY2(guiKey >= 0, "the GUI did not notice the unreadable key (chmod only)");
    const QJsonObject pending = child.last(QStringLiteral("PENDING"));
    QCOMPARE(pending.value(QStringLiteral("reason")).toString(), QStringLiteral("unreadable"));
    const QString pendingDetail = pending.value(QStringLiteral("detail")).toString();
    QVERIFY2(pendingDetail.contains(QStringLiteral("tls.key")) &&
                 pendingDetail.contains(QStringLiteral("Permission denied")),
             qPrintable(pendingDetail));
    QCOMPARE(pending.value(QStringLiteral("fingerprint")).toString(),
             QString::fromLatin1(leaf.sha256Hex));
    // After the consistency window it is INVALID, in both.
    QVERIFY(child.waitFor(QStringLiteral("INVALID"), 1) >= 0);
    QVERIFY(waitUntil([&] { return gui.verdict(bundle) == QLatin1String("invalid: unreadable"); },
                      DetectTimeoutMs) >= 0);
    QVERIFY(gui.logHas(Severity::Error,
                       {bundle, QStringLiteral("tls.key"), QStringLiteral("Permission denied")}));

    // Restored: RECOVERED, ok again.
    QVERIFY(::chmod(enc(key).constData(), 0600) == 0);
    QVERIFY(child.waitFor(QStringLiteral("RECOVERED"), 1) >= 0);
    QVERIFY(waitUntil([&] { return gui.verdict(bundle) == QLatin1String("ok"); },
                      DetectTimeoutMs) >= 0);

    // 2. The directory: unreadable (not "missing"), naming the directory.
    QVERIFY(::chmod(enc(bundle).constData(), 0) == 0);
    const Detected d4 = detectBoth(
        [&] { return child.count(QStringLiteral("SOURCE_UNAVAILABLE")) > 0; },
        [&] { return gui.verdict(bundle) == QLatin1String("unavailable"); }, DetectTimeoutMs);
    const qint64 childDir = d4.child;
    const qint64 guiDir = d4.gui;
    qInfo("directory chmod 000: child SOURCE_UNAVAILABLE after %lld ms, GUI after %lld ms",
          childDir, guiDir);
    QVERIFY(childDir >= 0);
    QVERIFY(guiDir >= 0);
    const QJsonObject dirGone = child.last(QStringLiteral("SOURCE_UNAVAILABLE"));
    QCOMPARE(dirGone.value(QStringLiteral("reason")).toString(), QStringLiteral("unreadable"));
    QVERIFY2(dirGone.value(QStringLiteral("detail"))
                 .toString()
                 .contains(QStringLiteral("Permission denied")),
             qPrintable(dirGone.value(QStringLiteral("detail")).toString()));
    QVERIFY(gui.detailText(bundle).contains(QStringLiteral("unreadable")));
    QVERIFY(gui.logHas(Severity::Error, {bundle, QStringLiteral("unreadable"),
                                         QStringLiteral("Permission denied")}));

    QVERIFY(::chmod(enc(bundle).constData(), 0755) == 0);
    QVERIFY(child.waitFor(QStringLiteral("RECOVERED"), 2) >= 0);
    QVERIFY(waitUntil([&] { return gui.verdict(bundle) == QLatin1String("ok"); },
                      DetectTimeoutMs) >= 0);
    QCOMPARE(gui.fingerprint(bundle), QString::fromLatin1(leaf.sha256Hex));

    stall.stop();
    qInfo("GUI thread longest stall: %lld ms", stall.longestStallMs());
    m_stalls << stall.longestStallMs();
    QVERIFY2(stall.longestStallMs() < StallBoundMs, "the GUI thread froze");
    gui.onWorker([&] {
        ::setfsuid(0);
        ::setfsgid(0);
    });
    QCOMPARE(child.badLines, 0);
    QVERIFY2(child.stop(), qPrintable(child.stderrText()));
}

// Every inotify instance of uid nobody is taken by a helper of that uid: the child watcher (and
// the GUI monitor created with euid nobody on its thread) cannot get one. They must say that the
// bundle is polled only, and still notice a rotation.
void TestFaultsFs::inotifyInstancesExhausted()
{
    if (setprivBinary().isEmpty())
        QSKIP("setpriv (util-linux) is not installed: cannot exhaust an unprivileged uid's limit");
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    QVERIFY(::chmod(enc(tmp.path()).constData(), 0755) == 0);
    const QString bundle = tmp.path() + QStringLiteral("/tls");
    const CertKey first = m_pki.issue();
    QVERIFY(writeBundle(bundle, first, m_pki.chain.root, nobodyUid(), nogroupGid()));
    const QString home = tmp.path() + QStringLiteral("/home");
    QVERIFY(QDir().mkpath(home));
    QVERIFY(::chown(enc(home).constData(), nobodyUid(), nogroupGid()) == 0);

    QProcess helper;
    helper.setProgram(setprivBinary());
    helper.setArguments(asNobody() + QStringList{QCoreApplication::applicationFilePath(),
                                                 QStringLiteral("--hold-inotify")});
    helper.start();
    QVERIFY(helper.waitForStarted(5000));
    auto stopHelper = qScopeGuard([&] {
        helper.closeWriteChannel();
        if (!helper.waitForFinished(3000)) {
            helper.kill();
            helper.waitForFinished(3000);
        }
    });
    QVERIFY(waitUntil([&] { return helper.canReadLine(); }, 10000) >= 0);
    const QString said = QString::fromLatin1(helper.readLine()).trimmed();
    qInfo("helper (uid nobody): %s", qPrintable(said));
    QVERIFY2(said.endsWith(QStringLiteral("errno %1").arg(EMFILE)), qPrintable(said));

    WatchChild child;
    QVERIFY2(child.start({bundle, QStringLiteral("--quiet-period"), QString::number(QuietMs),
                          QStringLiteral("--poll-interval"), QStringLiteral("1"),
                          QStringLiteral("--consistency-window"), QStringLiteral("1")},
                         true, home),
             qPrintable(child.stderrText()));
    const QJsonObject snap = child.last(QStringLiteral("SNAPSHOT"));
    QCOMPARE(snap.value(QStringLiteral("status")).toString(), QStringLiteral("ok"));
    QCOMPARE(snap.value(QStringLiteral("watch")).toString(), QStringLiteral("poll"));
    QVERIFY(child.waitFor(QStringLiteral("WATCH_DEGRADED"), 1) >= 0);
    const QJsonObject degraded = child.last(QStringLiteral("WATCH_DEGRADED"));
    QCOMPARE(degraded.value(QStringLiteral("reason")).toString(),
             QStringLiteral("inotify_unavailable"));
    QVERIFY2(degraded.value(QStringLiteral("detail"))
                 .toString()
                 .contains(QStringLiteral("Too many open files")),
             qPrintable(degraded.value(QStringLiteral("detail")).toString()));

    // The GUI monitor: its watcher (and worker thread) are created while this thread's euid is
    // nobody, so its inotify_init1 is charged to the exhausted uid.
    GuiRig gui(nullptr, 500);
    QVERIFY(::syscall(SYS_setresuid, -1, nobodyUid(), -1) == 0);
    gui.watch(bundle);
    QVERIFY(::syscall(SYS_setresuid, -1, 0, -1) == 0);
    QCOMPARE(::geteuid(), uid_t(0));
    QVERIFY(waitUntil([&] { return gui.verdict(bundle) == QLatin1String("ok"); }, 10000) >= 0);
    QVERIFY(waitUntil([&] { return gui.recordedCount(tls::ReloadEventKind::WatchDegraded) > 0; },
                      DetectTimeoutMs) >= 0);
    QCOMPARE(gui.lastRecorded(tls::ReloadEventKind::WatchDegraded)->reason,
             QStringLiteral("inotify_unavailable"));
    QVERIFY(gui.badges(bundle).contains(QStringLiteral("poll_only")));
    QVERIFY(gui.logHas(Severity::Warning, {bundle, QStringLiteral("polling only"),
                                           QStringLiteral("inotify_unavailable")}));

    StallMeter stall;
    stall.start();
    const CertKey second = m_pki.issue();
    QVERIFY(writeBundle(bundle, second, m_pki.chain.root, nobodyUid(), nogroupGid()));
    const Detected d5 =
        detectBoth([&] { return child.count(QStringLiteral("CHANGED")) > 0; },
                   [&] { return gui.fingerprint(bundle) == QString::fromLatin1(second.sha256Hex); },
                   DetectTimeoutMs);
    const qint64 childSaw = d5.child;
    const qint64 guiSaw = d5.gui;
    qInfo("rotation while polled only: child CHANGED after %lld ms, GUI after %lld ms", childSaw,
          guiSaw);
    QVERIFY(childSaw >= 0);
    QVERIFY(guiSaw >= 0);
    QCOMPARE(
        child.last(QStringLiteral("CHANGED")).value(QStringLiteral("new_fingerprint")).toString(),
        QString::fromLatin1(second.sha256Hex));
    stall.stop();
    qInfo("GUI thread longest stall: %lld ms", stall.longestStallMs());
    m_stalls << stall.longestStallMs();
    QVERIFY2(stall.longestStallMs() < StallBoundMs, "the GUI thread froze");
    QCOMPARE(child.badLines, 0);
    QVERIFY2(child.stop(), qPrintable(child.stderrText()));
}

// audit.jsonl and the history database (audit rows, savepoint ledger) on a tmpfs that fills up.
void TestFaultsFs::diskFullAuditTrailAndLedger()
{
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    MountGuard unmountFirst;
    const QString mnt = tmp.path() + QStringLiteral("/data");
    QVERIFY(mountTmpfs(mnt, "size=512k,mode=0700"));
    const QString dbPath = mnt + QStringLiteral("/history.sqlite");
    const QString auditPath = mnt + QStringLiteral("/audit.jsonl");

    HistoryStore store;
    QVERIFY2(store.open(dbPath).ok(), "history store does not open on the tmpfs");
    jobs::AuditTrail audit(&store, auditPath);
    auto record = [](int i, int statementBytes = 0) {
        QString statement = QStringLiteral("STOP JOB 'job-%1' WITH SAVEPOINT").arg(i);
        if (statementBytes > 0)
            statement += QStringLiteral(" -- ") + QString(statementBytes, QLatin1Char('x'));
        return jobs::AuditTrail::makeRecord(QStringLiteral("faults"),
                                            QStringLiteral("http://127.0.0.1:1"), statement,
                                            QStringLiteral("t-%1").arg(i), QStringLiteral("ok"));
    };
    auto ledger = [](int i, int padding = 0) {
        SavepointLedgerEntry e;
        e.profile = QStringLiteral("faults");
        e.endpoint = QStringLiteral("http://127.0.0.1:1");
        e.jobId = QStringLiteral("job-%1").arg(i);
        e.jobName = QStringLiteral("name-%1").arg(i);
        e.triggerId = QStringLiteral("trigger-%1").arg(i);
        e.kind = QStringLiteral("savepoint");
        e.targetDirectory =
            QStringLiteral("file:///savepoints/") + QString(padding, QLatin1Char('d'));
        e.format = QStringLiteral("CANONICAL");
        e.triggeredAt = QDateTime::currentDateTimeUtc();
        e.state = QStringLiteral("in_progress");
        return e;
    };
    constexpr int Before = 5;
    for (int i = 0; i < Before; ++i) {
        QVERIFY(audit.append(record(i)).ok());
        QVERIFY(store.addSavepoint(ledger(i)).ok());
    }
    const QByteArray auditBefore = [&] {
        QFile f(auditPath);
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    }();
    QCOMPARE(readJsonLines(auditPath).objects.size(), Before);

    StallMeter stall;
    stall.start();
    const qint64 filled = fillUp(mnt + QStringLiteral("/filler"));
    QVERIFY2(filled >= 0, "could not fill the tmpfs up to ENOSPC");
    qInfo("tmpfs filled with %lld bytes", filled);

    // A record larger than the free rest of audit.jsonl's last page: the write runs out of space
    // in the middle of the line.
    QElapsedTimer t;
    t.start();
    const Result<void> failed = audit.append(record(100, 9000));
    qInfo("audit append on a full disk failed after %lld ms: %s", t.elapsed(),
          failed.ok() ? "(it did not fail)" : qPrintable(failed.error().toString()));
    QVERIFY2(!failed.ok(), "an audit append on a full disk reported success");
    const QString text = failed.error().toString();
    QVERIFY2(text.contains(QStringLiteral("no space left"), Qt::CaseInsensitive), qPrintable(text));
    QVERIFY2(text.contains(auditPath), qPrintable(text));
    QVERIFY2(text.contains(dbPath), qPrintable(text));

    // Nothing half-written, nothing lost.
    JsonLines lines = readJsonLines(auditPath);
    QCOMPARE(lines.bad, 0);
    QVERIFY(lines.endsWithNewline);
    QCOMPARE(lines.objects.size(), Before);
    {
        QFile f(auditPath);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(f.readAll(), auditBefore);
    }
    auto rows = store.auditRecords(1000);
    QVERIFY(rows.ok());
    QCOMPARE(rows->size(), Before);

    // The savepoint ledger: a new row and an update both fail loudly, naming the database.
    const auto added = store.addSavepoint(ledger(100, 9000));
    QVERIFY(!added.ok());
    QVERIFY2(
        added.error().toString().contains(QStringLiteral("no space left"), Qt::CaseInsensitive),
        qPrintable(added.error().toString()));
    QVERIFY(added.error().toString().contains(dbPath));
    auto existing = store.savepoints();
    QVERIFY(existing.ok());
    QCOMPARE(existing->size(), Before);
    SavepointLedgerEntry update = existing->first();
    update.state = QStringLiteral("failed");
    update.failure = QString(9000, QLatin1Char('f'));
    const auto updated = store.updateSavepoint(update);
    QVERIFY(!updated.ok());
    QVERIFY2(
        updated.error().toString().contains(QStringLiteral("no space left"), Qt::CaseInsensitive),
        qPrintable(updated.error().toString()));
    existing = store.savepoints();
    QVERIFY(existing.ok());
    QCOMPARE(existing->size(), Before);
    QCOMPARE(existing->first().state, QStringLiteral("in_progress"));

    // Space again: the next writes work, once each.
    QVERIFY(QFile::remove(mnt + QStringLiteral("/filler")));
    QVERIFY(audit.append(record(101)).ok());
    QVERIFY(store.addSavepoint(ledger(101)).ok());
    stall.stop();
    m_stalls << stall.longestStallMs();
    qInfo("GUI thread longest stall: %lld ms", stall.longestStallMs());
    QVERIFY2(stall.longestStallMs() < StallBoundMs, "the GUI thread froze");

    lines = readJsonLines(auditPath);
    QCOMPARE(lines.bad, 0);
    QCOMPARE(lines.objects.size(), Before + 1);
    QSet<QString> triggers;
    for (const QJsonObject &o : std::as_const(lines.objects))
        triggers.insert(o.value(QStringLiteral("trigger_id")).toString());
    QCOMPARE(triggers.size(), Before + 1);
    QVERIFY(triggers.contains(QStringLiteral("t-101")));
    QVERIFY(!triggers.contains(QStringLiteral("t-100")));

    // Reopened from disk: every row written before, during nothing, after one.
    store.close();
    QVERIFY(store.open(dbPath).ok());
    rows = store.auditRecords(1000);
    QVERIFY(rows.ok());
    QCOMPARE(rows->size(), Before + 1);
    QCOMPARE(rows->first().triggerId, QStringLiteral("t-101"));
    existing = store.savepoints();
    QVERIFY(existing.ok());
    QCOMPARE(existing->size(), Before + 1);
    QSet<QString> ledgerTriggers;
    for (const SavepointLedgerEntry &e : std::as_const(*existing))
        ledgerTriggers.insert(e.triggerId);
    QCOMPARE(ledgerTriggers.size(), Before + 1);
    store.close();
}

// Reload events (BundleMonitor -> TlsMonitorController -> HistoryStore) while the history
// database's file system is full: the GUI keeps showing events, says loudly that they are not
// stored, keeps them, and writes them (once) when space is back.
void TestFaultsFs::diskFullReloadEventHistory()
{
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    MountGuard unmountFirst;
    const QString mnt = tmp.path() + QStringLiteral("/data");
    QVERIFY(mountTmpfs(mnt, "size=512k,mode=0700"));
    const QString dbPath = mnt + QStringLiteral("/history.sqlite");
    const QString bundle = tmp.path() + QStringLiteral("/tls");
    const CertKey first = m_pki.issue();
    QVERIFY(writeBundle(bundle, first, m_pki.chain.root));

    HistoryStore store;
    QVERIFY(store.open(dbPath).ok());
    GuiRig gui(&store, 30000, 200);
    gui.watch(bundle);
    QVERIFY(waitUntil([&] { return gui.verdict(bundle) == QLatin1String("ok"); }, 10000) >= 0);
    auto storedKinds = [&] {
        QStringList out;
        const auto events = store.reloadEvents(1000);
        if (!events.ok())
            return QStringList{QStringLiteral("error: ") + events.error().toString()};
        for (auto it = events->crbegin(); it != events->crend(); ++it)
            out << it->kind + QLatin1Char(':') +
                       QJsonDocument::fromJson(it->json)
                           .object()
                           .value(QStringLiteral("new_fingerprint"))
                           .toString()
                           .left(8);
        return out;
    };
    const CertKey second = m_pki.issue();
    QVERIFY(writeBundle(bundle, second, m_pki.chain.root));
    QVERIFY(waitUntil([&] { return gui.recordedCount(tls::ReloadEventKind::Changed) >= 1; },
                      DetectTimeoutMs) >= 0);
    QCOMPARE(storedKinds().size(), 2); // SNAPSHOT, CHANGED

    StallMeter stall;
    stall.start();
    QVERIFY(fillUp(mnt + QStringLiteral("/filler")) >= 0);
    const CertKey third = m_pki.issue();
    const int rowsBefore = gui.events.model()->rowCount();
    QVERIFY(writeBundle(bundle, third, m_pki.chain.root));
    const qint64 shown =
        waitUntil([&] { return gui.fingerprint(bundle) == QString::fromLatin1(third.sha256Hex); },
                  DetectTimeoutMs);
    QVERIFY(shown >= 0);
    QCOMPARE(gui.events.model()->rowCount(), rowsBefore + 1); // the timeline still shows it
    const qint64 told = waitUntil(
        [&] {
            return gui.logHas(Severity::Error, {QStringLiteral("not being stored"), dbPath,
                                                QStringLiteral("no space left")});
        },
        DetectTimeoutMs);
    qInfo("disk full: CHANGED shown after %lld ms, store error in the log %lld ms later", shown,
          told);
    QVERIFY2(told >= 0, "no Activity log error naming the database and the full disk");
    QCOMPARE(gui.controller->unstoredEvents(), 1);
    QCOMPARE(storedKinds().size(), 2);

    // Space is back: the held-back event is written by the retry, once, in order.
    QVERIFY(QFile::remove(mnt + QStringLiteral("/filler")));
    const qint64 flushed =
        waitUntil([&] { return gui.controller->unstoredEvents() == 0; }, DetectTimeoutMs);
    qInfo("space freed: held-back reload event stored after %lld ms", flushed);
    QVERIFY(flushed >= 0);
    QVERIFY(gui.logHas(Severity::Info, {QStringLiteral("stored again")}));
    const CertKey fourth = m_pki.issue();
    QVERIFY(writeBundle(bundle, fourth, m_pki.chain.root));
    QVERIFY(waitUntil([&] { return storedKinds().size() == 4; }, DetectTimeoutMs) >= 0);
    stall.stop();
    m_stalls << stall.longestStallMs();
    qInfo("GUI thread longest stall: %lld ms", stall.longestStallMs());
    QVERIFY2(stall.longestStallMs() < StallBoundMs, "the GUI thread froze");

    const QStringList kinds = storedKinds();
    QCOMPARE(
        kinds,
        (QStringList{QStringLiteral("SNAPSHOT:"),
                     QStringLiteral("CHANGED:") + QString::fromLatin1(second.sha256Hex.left(8)),
                     QStringLiteral("CHANGED:") + QString::fromLatin1(third.sha256Hex.left(8)),
                     QStringLiteral("CHANGED:") + QString::fromLatin1(fourth.sha256Hex.left(8))}));
    gui.controller->setProfile(std::nullopt);
    store.close();
}

// `opsdeck jobs` with its audit file and history database on a full disk: a destructive
// statement is not sent (no record, no run), a read still works, and with space back the same
// statement runs and is recorded once.
void TestFaultsFs::diskFullRefusesDestructiveStatements()
{
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    MountGuard unmountFirst;
    const QString data = tmp.path() + QStringLiteral("/xdg-data");
    const QString mnt = data + QStringLiteral("/opsdeck"); // AppDataLocation of opsdeck
    QVERIFY(mountTmpfs(mnt, "size=512k,mode=0700"));
    FlinkSimOptions fo;
    fo.jobCount = 0;
    FlinkSimulator flink(fo);
    QVERIFY(flink.listen());
    const QString id = flink.addJob(QStringLiteral("orders"));
    QProcessEnvironment env;
    env.insert(QStringLiteral("XDG_DATA_HOME"), data);
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), tmp.path() + QStringLiteral("/xdg-config"));
    const QString url = flink.baseUrl().toString();
    const QStringList stop{QStringLiteral("jobs"),
                           QStringLiteral("--endpoint"),
                           url,
                           QStringLiteral("--yes"),
                           QStringLiteral("-e"),
                           QStringLiteral("STOP JOB '%1'").arg(id)};
    // The history database exists before the disk fills (as it would after any earlier run).
    OpsdeckRun r = runOpsdeck({QStringLiteral("jobs"), QStringLiteral("--endpoint"), url,
                               QStringLiteral("-e"), QStringLiteral("SHOW JOBS")},
                              env);
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(fillUp(mnt + QStringLiteral("/filler")) >= 0, "could not fill the tmpfs");

    r = runOpsdeck(stop, env);
    QVERIFY2(r.exitCode != 0, qPrintable(r.out + r.err));
    const QString said = r.out + r.err;
    QVERIFY2(said.contains(QStringLiteral("audit record cannot be written")), qPrintable(said));
    QVERIFY2(said.contains(QStringLiteral("no space left"), Qt::CaseInsensitive), qPrintable(said));
    QCOMPARE(flink.requestCount("PATCH"), 0); // nothing was sent
    QCOMPARE(flink.jobState(id), QStringLiteral("RUNNING"));
    // Reading is not blocked by the audit trail.
    r = runOpsdeck({QStringLiteral("jobs"), QStringLiteral("--endpoint"), url, QStringLiteral("-e"),
                    QStringLiteral("SHOW JOBS")},
                   env);
    QCOMPARE(r.exitCode, 0);

    // Space again: it runs, and is recorded exactly once.
    QVERIFY(QFile::remove(mnt + QStringLiteral("/filler")));
    r = runOpsdeck(stop, env);
    QVERIFY2(r.exitCode == 0, qPrintable(r.out + r.err));
    QCOMPARE(flink.requestCount("PATCH"), 1);
    const JsonLines lines = readJsonLines(mnt + QStringLiteral("/audit.jsonl"));
    QCOMPARE(lines.bad, 0);
    QCOMPARE(lines.objects.size(), 1);
    QVERIFY(lines.objects.first().value(QStringLiteral("statement")).toString().contains(id));
}

int main(int argc, char *argv[])
{
    if (argc > 1 && std::strcmp(argv[1], "--hold-inotify") == 0)
        return holdInotify();
    OPSDECK_TEST_PREAMBLE()
    QApplication app(argc, argv);
    app.setApplicationName(QStringLiteral("opsdeck"));
    TestFaultsFs tc;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&tc, argc, argv);
}

#include "tst_faults_fs.moc"
