// SPDX-License-Identifier: GPL-3.0-or-later
// FsWatcher against real inotify on temporary directories: every rotation pattern of
// docs/tls-reload-background.md must reach targetChanged(), and the watch set must follow
// symlink retargets, directory swaps and deletions.

#include "testmain.h"
#include "tls/fswatcher.h"
#include "watchtestutil.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <sys/stat.h>
#include <unistd.h>

using namespace opsdeck::tls;
using namespace opsdeck::test;

namespace {

constexpr int EventTimeoutMs = 3000;
constexpr int NoEventMs = 300;

bool writeFile(const QString &path, const QByteArray &bytes)
{
    return writeInPlace(path, bytes);
}

} // namespace

class TestFsWatcher : public QObject
{
    Q_OBJECT

private slots:
    void directoryEvents();
    void kubernetesDataSwap();
    void symlinkRetargetOfFileTarget();
    void deleteAndRecreateDirectory();
    void missingPathWatchesNearestAncestor();
    void watchLimitDegradesToPoll();
    void forcePoll();
    void queueOverflow();
    void pollOnlyFileSystems();
    void unrelatedSiblingIsIgnored();
};

void TestFsWatcher::directoryEvents()
{
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const QString dir = tmp.filePath(QStringLiteral("bundle"));
    QVERIFY(QDir().mkpath(dir));
    FsWatcher w;
    QVERIFY(w.inotifyAvailable());
    QSignalSpy changed(&w, &FsWatcher::targetChanged);
    const int id = w.addTarget(dir);
    QCOMPARE(w.mode(id), WatchMode::Inotify);
    QVERIFY(w.watchedDirectories().contains(dir));
    QVERIFY(w.watchedDirectories().contains(tmp.path()));

    const QString file = dir + QStringLiteral("/tls.crt");
    QVERIFY(writeFile(file, "one")); // create
    QTRY_VERIFY_WITH_TIMEOUT(changed.count() > 0, EventTimeoutMs);
    QCOMPARE(changed.first().first().toInt(), id);

    changed.clear();
    QVERIFY(writeFile(file, "two")); // in-place modify (a directory watch needs IN_MODIFY)
    QTRY_VERIFY_WITH_TIMEOUT(changed.count() > 0, EventTimeoutMs);

    changed.clear();
    QVERIFY(writeAndRename(file, "three")); // temp + rename
    QTRY_VERIFY_WITH_TIMEOUT(changed.count() > 0, EventTimeoutMs);

    changed.clear();
    QVERIFY(::chmod(enc(file).constData(), 0600) == 0); // attribute change is reported too
    QTRY_VERIFY_WITH_TIMEOUT(changed.count() > 0, EventTimeoutMs);

    changed.clear();
    QVERIFY(QFile::remove(file));
    QTRY_VERIFY_WITH_TIMEOUT(changed.count() > 0, EventTimeoutMs);
    QVERIFY(w.eventCount() > 0);
}

void TestFsWatcher::kubernetesDataSwap()
{
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    K8sVolume vol{tmp.filePath(QStringLiteral("secret")), 0, {}};
    QVERIFY(QDir().mkpath(vol.dir));
    QVERIFY(vol.write({{QStringLiteral("tls.crt"), "a"}, {QStringLiteral("tls.key"), "ka"}}));
    const QString firstTs = vol.dir + QLatin1Char('/') + vol.current;

    FsWatcher w;
    QSignalSpy changed(&w, &FsWatcher::targetChanged);
    w.addTarget(vol.dir);
    QVERIFY2(w.watchedDirectories().contains(firstTs),
             qPrintable(w.watchedDirectories().join(QLatin1Char(' '))));

    for (int round = 0; round < 3; ++round) {
        changed.clear();
        QVERIFY(vol.write({{QStringLiteral("tls.crt"), QByteArray("b") + QByteArray::number(round)},
                           {QStringLiteral("tls.key"), "kb"}}));
        QTRY_VERIFY_WITH_TIMEOUT(changed.count() > 0, EventTimeoutMs);
        const QString ts = vol.dir + QLatin1Char('/') + vol.current;
        // The watch set follows ..data to the new timestamped directory.
        QTRY_VERIFY_WITH_TIMEOUT(w.watchedDirectories().contains(ts), EventTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(!w.watchedDirectories().contains(firstTs), EventTimeoutMs);
    }

    // An in-place write inside the current timestamped directory (not how the kubelet writes,
    // but how a person debugging does) is seen through the resolved directory's watch.
    changed.clear();
    QVERIFY(writeFile(vol.dir + QLatin1Char('/') + vol.current + QStringLiteral("/tls.crt"), "x"));
    QTRY_VERIFY_WITH_TIMEOUT(changed.count() > 0, EventTimeoutMs);
}

void TestFsWatcher::symlinkRetargetOfFileTarget()
{
    // Let's Encrypt style: live/cert.pem -> ../archive/certN.pem, watched as a single file.
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const QString live = tmp.filePath(QStringLiteral("live"));
    const QString archive = tmp.filePath(QStringLiteral("archive"));
    QVERIFY(QDir().mkpath(live) && QDir().mkpath(archive));
    QVERIFY(writeFile(archive + QStringLiteral("/cert1.pem"), "1"));
    QVERIFY(writeFile(archive + QStringLiteral("/cert2.pem"), "2"));
    const QString link = live + QStringLiteral("/cert.pem");
    QVERIFY(::symlink("../archive/cert1.pem", enc(link).constData()) == 0);

    FsWatcher w;
    QSignalSpy changed(&w, &FsWatcher::targetChanged);
    w.addTarget(link);
    QVERIFY(w.watchedDirectories().contains(live));
    QVERIFY(w.watchedDirectories().contains(archive));

    QVERIFY(retargetSymlink(link, QStringLiteral("../archive/cert2.pem")));
    QTRY_VERIFY_WITH_TIMEOUT(changed.count() > 0, EventTimeoutMs);

    // cert2 is now the file: an in-place write to it is seen; a write to cert1 is not ours.
    QTest::qWait(50); // let the re-resolve run
    changed.clear();
    QVERIFY(writeFile(archive + QStringLiteral("/cert1.pem"), "1b"));
    QTest::qWait(NoEventMs);
    QCOMPARE(changed.count(), 0);
    QVERIFY(writeFile(archive + QStringLiteral("/cert2.pem"), "2b"));
    QTRY_VERIFY_WITH_TIMEOUT(changed.count() > 0, EventTimeoutMs);
}

void TestFsWatcher::deleteAndRecreateDirectory()
{
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const QString dir = tmp.filePath(QStringLiteral("bundle"));
    QVERIFY(QDir().mkpath(dir));
    QVERIFY(writeFile(dir + QStringLiteral("/tls.crt"), "a"));
    FsWatcher w;
    QSignalSpy changed(&w, &FsWatcher::targetChanged);
    w.addTarget(dir);

    QVERIFY(QDir(dir).removeRecursively());
    QTRY_VERIFY_WITH_TIMEOUT(changed.count() > 0, EventTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(!w.watchedDirectories().contains(dir), EventTimeoutMs);
    QVERIFY(w.watchedDirectories().contains(tmp.path()));

    changed.clear();
    QVERIFY(QDir().mkpath(dir));
    QTRY_VERIFY_WITH_TIMEOUT(changed.count() > 0, EventTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(w.watchedDirectories().contains(dir), EventTimeoutMs);

    changed.clear();
    QVERIFY(writeFile(dir + QStringLiteral("/tls.crt"), "b"));
    QTRY_VERIFY_WITH_TIMEOUT(changed.count() > 0, EventTimeoutMs);
}

void TestFsWatcher::missingPathWatchesNearestAncestor()
{
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const QString target = tmp.filePath(QStringLiteral("a/b/tls.crt"));
    FsWatcher w;
    QSignalSpy changed(&w, &FsWatcher::targetChanged);
    const int id = w.addTarget(target);
    QCOMPARE(w.mode(id), WatchMode::Inotify);
    QCOMPARE(w.watchedDirectories(), QStringList{tmp.path()});

    QVERIFY(QDir().mkpath(tmp.filePath(QStringLiteral("a"))));
    QTRY_VERIFY_WITH_TIMEOUT(w.watchedDirectories().contains(tmp.filePath(QStringLiteral("a"))),
                             EventTimeoutMs);
    QVERIFY(QDir().mkpath(tmp.filePath(QStringLiteral("a/b"))));
    QTRY_VERIFY_WITH_TIMEOUT(w.watchedDirectories().contains(tmp.filePath(QStringLiteral("a/b"))),
                             EventTimeoutMs);
    changed.clear();
    QVERIFY(writeFile(target, "x"));
    QTRY_VERIFY_WITH_TIMEOUT(changed.count() > 0, EventTimeoutMs);
}

void TestFsWatcher::watchLimitDegradesToPoll()
{
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const QString dir = tmp.filePath(QStringLiteral("bundle"));
    QVERIFY(QDir().mkpath(dir));
    FsWatcher::Options o;
    o.maxWatches = 1; // a directory target needs two (itself and its parent)
    FsWatcher w(o);
    QSignalSpy degraded(&w, &FsWatcher::targetDegraded);
    const int id = w.addTarget(dir);
    QCOMPARE(degraded.count(), 1);
    QCOMPARE(degraded.first().at(1).toString(), QStringLiteral("watch_limit"));
    QCOMPARE(w.mode(id), WatchMode::Poll);
    QCOMPARE(w.watchCount(), 0); // a polled target holds no watches
}

void TestFsWatcher::forcePoll()
{
    QTemporaryDir tmp;
    FsWatcher::Options o;
    o.forcePoll = true;
    FsWatcher w(o);
    QSignalSpy degraded(&w, &FsWatcher::targetDegraded);
    const int id = w.addTarget(tmp.path());
    QCOMPARE(w.mode(id), WatchMode::Poll);
    QCOMPARE(w.degradedReason(id), QStringLiteral("forced"));
    QCOMPARE(degraded.count(), 1);
    QVERIFY(!w.inotifyAvailable());
}

void TestFsWatcher::queueOverflow()
{
    // More distinct events than max_queued_events while nobody reads: the kernel queues one
    // IN_Q_OVERFLOW, which must reach overflow().
    QFile limitFile(QStringLiteral("/proc/sys/fs/inotify/max_queued_events"));
    QVERIFY(limitFile.open(QIODevice::ReadOnly));
    const int limit = limitFile.readAll().trimmed().toInt();
    if (limit <= 0 || limit > 100000)
        QSKIP("max_queued_events is not a small number here");
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    FsWatcher w;
    QSignalSpy overflow(&w, &FsWatcher::overflow);
    QSignalSpy changed(&w, &FsWatcher::targetChanged);
    w.addTarget(tmp.path());
    // No event loop runs while the files are created.
    for (int i = 0; i < limit + 200; ++i) {
        const QByteArray name = enc(tmp.filePath(QStringLiteral(".f%1").arg(i)));
        const int fd = ::open(name.constData(), O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
        QVERIFY(fd >= 0);
        ::close(fd);
    }
    QTRY_VERIFY_WITH_TIMEOUT(overflow.count() >= 1, EventTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(changed.count() > 0, EventTimeoutMs);
}

void TestFsWatcher::pollOnlyFileSystems()
{
    QString name;
    QVERIFY(FsWatcher::isPollOnlyFileSystem(0x6969, &name));
    QCOMPARE(name, QStringLiteral("nfs"));
    QVERIFY(FsWatcher::isPollOnlyFileSystem(0x65735546, &name));
    QCOMPARE(name, QStringLiteral("fuse"));
    QVERIFY(FsWatcher::isPollOnlyFileSystem(long(0xFF534D42UL), &name));
    QVERIFY(!FsWatcher::isPollOnlyFileSystem(0xEF53, &name));     // ext4
    QVERIFY(!FsWatcher::isPollOnlyFileSystem(0x01021994, &name)); // tmpfs
}

void TestFsWatcher::unrelatedSiblingIsIgnored()
{
    // The parent of a file target is watched for the file's name only.
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const QString file = tmp.filePath(QStringLiteral("tls.crt"));
    QVERIFY(writeFile(file, "a"));
    FsWatcher w;
    QSignalSpy changed(&w, &FsWatcher::targetChanged);
    w.addTarget(file);
    QVERIFY(writeFile(tmp.filePath(QStringLiteral("other.txt")), "noise"));
    QTest::qWait(NoEventMs);
    QCOMPARE(changed.count(), 0);
    QVERIFY(writeFile(file, "b"));
    QTRY_VERIFY_WITH_TIMEOUT(changed.count() > 0, EventTimeoutMs);
}

OPSDECK_TEST_GUILESS_MAIN(TestFsWatcher)
#include "tst_fswatcher.moc"
