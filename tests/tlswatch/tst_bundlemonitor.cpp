// SPDX-License-Identifier: GPL-3.0-or-later
// BundleMonitor's reload semantics with a tiny fake inspector (deterministic, no OpenSSL), plus
// a few checks with the real inspector and real certificates.
//
// Fake file format, one line:
//   "CERT <fp> <key> [EXP <epoch-ms>]"  a leaf with fingerprint fp whose public key is key
//   "KEY <key>"                         a private key
//   anything else: Parse problem; empty: Empty problem.

#include "certfactory.h"
#include "testmain.h"
#include "tls/bundlemonitor.h"
#include "watchtestutil.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QThread>
#include <sys/stat.h>
#include <unistd.h>

using namespace opsdeck::tls;
using namespace opsdeck::test;

namespace {

constexpr int Quiet = 60;
constexpr int EventTimeoutMs = 4000;
constexpr int NoEventMs = Quiet * 5;

FileInspection fakeInspect(const QString &name, const QByteArray &bytes, const InspectOptions &)
{
    FileInspection f;
    f.name = name;
    const QList<QByteArray> parts = bytes.trimmed().split(' ');
    if (bytes.trimmed().isEmpty()) {
        f.problem = Problem::Empty;
    } else if (parts.value(0) == "CERT" && parts.size() >= 3) {
        f.kind = FileKind::CertificateChain;
        CertificateInfo c;
        c.sha256 = QString::fromLatin1(parts.at(1));
        c.publicKeySha256 = parts.at(2);
        c.notBefore = QDateTime::fromMSecsSinceEpoch(0, Qt::UTC);
        c.notAfter = parts.value(3) == "EXP"
                         ? QDateTime::fromMSecsSinceEpoch(parts.value(4).toLongLong(), Qt::UTC)
                         : QDateTime::currentDateTimeUtc().addYears(1);
        f.certificates << c;
    } else if (parts.value(0) == "KEY" && parts.size() == 2) {
        f.kind = FileKind::PrivateKey;
        PrivateKeyInfo k;
        k.publicKeySha256 = parts.at(1);
        f.keys << k;
    } else {
        f.problem = Problem::Parse;
        f.problemDetail = QStringLiteral("not fake PEM");
    }
    return f;
}

BundleEvaluation fakeEvaluate(const QList<FileInspection> &files, const EvaluateOptions &o)
{
    BundleEvaluation e;
    e.manifest = manifestHash(files);
    const CertificateInfo *leaf = nullptr;
    QByteArray key;
    for (const FileInspection &f : files) {
        if (!f.isUsable()) {
            e.verdict = Verdict::Invalid;
            e.problem = f.problem;
            e.reason = f.name + QStringLiteral(": ") + problemCode(f.problem);
            return e;
        }
        if (!f.certificates.isEmpty())
            leaf = &f.certificates.first();
        if (!f.keys.isEmpty())
            key = f.keys.first().publicKeySha256;
    }
    if (!leaf) {
        e.verdict = Verdict::Invalid;
        e.problem = Problem::NoCertificate;
        return e;
    }
    e.leaf = *leaf;
    if (!key.isEmpty() && key != leaf->publicKeySha256) {
        e.verdict = Verdict::KeyMismatch;
        e.problem = Problem::KeyMismatch;
        e.reason = QStringLiteral("key does not match");
        return e;
    }
    if (o.now > leaf->notAfter) {
        e.verdict = Verdict::Expired;
        e.problem = Problem::Expired;
        return e;
    }
    e.verdict = Verdict::Ok;
    return e;
}

MonitorOptions fakeOptions()
{
    MonitorOptions o;
    o.quietPeriodMs = Quiet;
    o.pollIntervalS = 30;
    o.consistencyWindowS = 1;
    o.inspect = &fakeInspect;
    o.evaluate = &fakeEvaluate;
    return o;
}

QStringList kinds(const QSignalSpy &spy)
{
    QStringList out;
    for (const QList<QVariant> &args : spy)
        out << reloadEventKindName(args.first().value<ReloadEvent>().kind);
    return out;
}

ReloadEvent eventAt(const QSignalSpy &spy, qsizetype i)
{
    return spy.at(i).first().value<ReloadEvent>();
}

struct Bundle
{
    QTemporaryDir tmp;
    QString dir;
    Bundle()
    {
        dir = tmp.filePath(QStringLiteral("b"));
        QDir().mkpath(dir);
    }
    QString path(const char *name) const { return dir + QLatin1Char('/') + QLatin1String(name); }
    bool put(const char *name, const QByteArray &bytes) const
    {
        return writeInPlace(path(name), bytes);
    }
};

} // namespace

class TestBundleMonitor : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { qRegisterMetaType<opsdeck::tls::ReloadEvent>(); }
    void snapshotThenReady();
    void inPlaceRotationIsOneChanged();
    void unchangedBytesNeverProduceEvents();
    void flappingBackWithinQuietPeriodIsSilent();
    void keyBeforeCertIsPendingThenChanged();
    void pendingBecomesInvalidAfterWindow();
    void vanishedSourceAndRecovery();
    void warmRescanHashesAndParsesNothing();
    void forcedPollDetectsChanges();
    void statusWhenExpiryPasses();
    void keyReadableByOthersWarning();
    void fifoAndSymlinkLoopAreProblemsNotHangs();
    void jsonFields();
    void workerThreadOwner();
    void realCertificatesRotate();
};

void TestBundleMonitor::snapshotThenReady()
{
    Bundle b;
    QVERIFY(b.put("tls.crt", "CERT aa k1"));
    QVERIFY(b.put("tls.key", "KEY k1"));
    BundleMonitor m(fakeOptions());
    QSignalSpy spy(&m, &BundleMonitor::event);
    m.addBundle({b.dir, {}, false, {}, 30});
    m.addBundle({b.tmp.filePath(QStringLiteral("missing")), {}, false, {}, 30});
    m.start();
    QCOMPARE(kinds(spy), (QStringList{QStringLiteral("SNAPSHOT"), QStringLiteral("SNAPSHOT"),
                                      QStringLiteral("READY")}));
    const ReloadEvent s = eventAt(spy, 0);
    QCOMPARE(s.status, QStringLiteral("ok"));
    QCOMPARE(s.fingerprint, QStringLiteral("aa"));
    QCOMPARE(s.files, (QStringList{QStringLiteral("tls.crt"), QStringLiteral("tls.key")}));
    const ReloadEvent missing = eventAt(spy, 1);
    QCOMPARE(missing.status, QStringLiteral("unreadable"));
    QCOMPARE(missing.reason, QStringLiteral("missing"));
    QCOMPARE(m.stats().parses, 2);
}

void TestBundleMonitor::inPlaceRotationIsOneChanged()
{
    Bundle b;
    QVERIFY(b.put("tls.crt", "CERT aa k1"));
    QVERIFY(b.put("tls.key", "KEY k1"));
    BundleMonitor m(fakeOptions());
    QSignalSpy spy(&m, &BundleMonitor::event);
    m.addBundle({b.dir, {}, false, {}, 30});
    m.start();
    spy.clear();
    QVERIFY(b.put("tls.key", "KEY k2"));
    QVERIFY(b.put("tls.crt", "CERT bb k2"));
    QTRY_COMPARE_WITH_TIMEOUT(spy.count(), 1, EventTimeoutMs);
    const ReloadEvent e = eventAt(spy, 0);
    QCOMPARE(e.kind, ReloadEventKind::Changed);
    QCOMPARE(e.oldFingerprint, QStringLiteral("aa"));
    QCOMPARE(e.newFingerprint, QStringLiteral("bb"));
    QCOMPARE(e.status, QStringLiteral("ok"));
    QVERIFY(!e.manifest.isEmpty());
    QTest::qWait(NoEventMs);
    QCOMPARE(spy.count(), 1);
    QCOMPARE(m.stats().commits, 1);
}

void TestBundleMonitor::unchangedBytesNeverProduceEvents()
{
    Bundle b;
    QVERIFY(b.put("tls.crt", "CERT aa k1"));
    QVERIFY(b.put("tls.key", "KEY k1"));
    BundleMonitor m(fakeOptions());
    QSignalSpy spy(&m, &BundleMonitor::event);
    m.addBundle({b.dir, {}, false, {}, 30});
    m.start();
    spy.clear();
    const qint64 parses = m.stats().parses;
    QVERIFY(::chmod(enc(b.path("tls.key")).constData(), 0600) == 0);
    QVERIFY(::utimensat(AT_FDCWD, enc(b.path("tls.crt")).constData(), nullptr, 0) == 0); // touch
    QVERIFY(b.put("tls.crt", "CERT aa k1")); // identical rewrite
    QVERIFY(writeAndRename(b.path("tls.key"), "KEY k1", QStringLiteral(".new"))); // identical swap
    const qint64 before = m.stats().rescans;
    QTRY_VERIFY_WITH_TIMEOUT(m.stats().rescans > before, EventTimeoutMs);
    QTest::qWait(NoEventMs);
    QCOMPARE(kinds(spy), QStringList());
    QCOMPARE(m.stats().parses, parses); // bytes were hashed again, never parsed again
}

void TestBundleMonitor::flappingBackWithinQuietPeriodIsSilent()
{
    Bundle b;
    QVERIFY(b.put("tls.crt", "CERT aa k1"));
    BundleMonitor m(fakeOptions());
    QSignalSpy spy(&m, &BundleMonitor::event);
    m.addBundle({b.dir, {}, false, {}, 30});
    m.start();
    spy.clear();
    QVERIFY(b.put("tls.crt", "CERT bb k1"));
    QVERIFY(b.put("tls.crt", "garbage"));
    QVERIFY(b.put("tls.crt", "CERT aa k1"));
    const qint64 before = m.stats().rescans;
    QTRY_VERIFY_WITH_TIMEOUT(m.stats().rescans > before, EventTimeoutMs);
    QTest::qWait(NoEventMs);
    QCOMPARE(kinds(spy), QStringList());
}

void TestBundleMonitor::keyBeforeCertIsPendingThenChanged()
{
    Bundle b;
    QVERIFY(b.put("tls.crt", "CERT aa k1"));
    QVERIFY(b.put("tls.key", "KEY k1"));
    MonitorOptions o = fakeOptions();
    o.consistencyWindowS = 5;
    BundleMonitor m(o);
    QSignalSpy spy(&m, &BundleMonitor::event);
    m.addBundle({b.dir, {}, false, {}, 30});
    m.start();
    spy.clear();
    QVERIFY(b.put("tls.key", "KEY k2"));
    QTRY_COMPARE_WITH_TIMEOUT(spy.count(), 1, EventTimeoutMs);
    QCOMPARE(eventAt(spy, 0).kind, ReloadEventKind::Pending);
    QCOMPARE(eventAt(spy, 0).reason, QStringLiteral("key_mismatch"));
    QCOMPARE(eventAt(spy, 0).fingerprint, QStringLiteral("aa")); // last good kept
    QCOMPARE(m.states().first().lastGoodFingerprint(), QStringLiteral("aa"));
    QVERIFY(b.put("tls.crt", "CERT bb k2"));
    QTRY_COMPARE_WITH_TIMEOUT(spy.count(), 2, EventTimeoutMs);
    QCOMPARE(kinds(spy), (QStringList{QStringLiteral("PENDING"), QStringLiteral("CHANGED")}));
    QCOMPARE(eventAt(spy, 1).oldFingerprint, QStringLiteral("aa"));
}

void TestBundleMonitor::pendingBecomesInvalidAfterWindow()
{
    Bundle b;
    QVERIFY(b.put("tls.crt", "CERT aa k1"));
    BundleMonitor m(fakeOptions()); // window 1 s
    QSignalSpy spy(&m, &BundleMonitor::event);
    m.addBundle({b.dir, {}, false, {}, 30});
    m.start();
    spy.clear();
    QVERIFY(b.put("tls.crt", "not a certificate"));
    QTRY_COMPARE_WITH_TIMEOUT(spy.count(), 2, EventTimeoutMs);
    QCOMPARE(kinds(spy), (QStringList{QStringLiteral("PENDING"), QStringLiteral("INVALID")}));
    QCOMPARE(eventAt(spy, 1).reason, QStringLiteral("parse"));
    QCOMPARE(eventAt(spy, 1).fingerprint, QStringLiteral("aa"));
    const BundleState s = m.states().first();
    QCOMPARE(s.phase, BundleState::Phase::Invalid);
    QCOMPARE(s.lastGoodFingerprint(), QStringLiteral("aa"));
    // Fixing it with the old bytes recovers.
    QVERIFY(b.put("tls.crt", "CERT aa k1"));
    QTRY_COMPARE_WITH_TIMEOUT(spy.count(), 3, EventTimeoutMs);
    QCOMPARE(eventAt(spy, 2).kind, ReloadEventKind::Recovered);
}

void TestBundleMonitor::vanishedSourceAndRecovery()
{
    Bundle b;
    QVERIFY(b.put("tls.crt", "CERT aa k1"));
    BundleMonitor m(fakeOptions());
    QSignalSpy spy(&m, &BundleMonitor::event);
    m.addBundle({b.dir, {}, false, {}, 30});
    m.start();
    spy.clear();
    QVERIFY(QDir(b.dir).removeRecursively());
    QTRY_COMPARE_WITH_TIMEOUT(spy.count(), 1, EventTimeoutMs);
    QCOMPARE(eventAt(spy, 0).kind, ReloadEventKind::SourceUnavailable);
    QCOMPARE(eventAt(spy, 0).fingerprint, QStringLiteral("aa"));
    QVERIFY(QDir().mkpath(b.dir));
    QVERIFY(b.put("tls.crt", "CERT aa k1"));
    QTRY_COMPARE_WITH_TIMEOUT(spy.count(), 2, EventTimeoutMs);
    QCOMPARE(eventAt(spy, 1).kind, ReloadEventKind::Recovered);
    QVERIFY(QDir(b.dir).removeRecursively());
    QTRY_COMPARE_WITH_TIMEOUT(spy.count(), 3, EventTimeoutMs);
    QVERIFY(QDir().mkpath(b.dir));
    QVERIFY(b.put("tls.crt", "CERT cc k1"));
    QTRY_COMPARE_WITH_TIMEOUT(spy.count(), 4, EventTimeoutMs);
    QCOMPARE(kinds(spy),
             (QStringList{QStringLiteral("SOURCE_UNAVAILABLE"), QStringLiteral("RECOVERED"),
                          QStringLiteral("SOURCE_UNAVAILABLE"), QStringLiteral("CHANGED")}));
    QCOMPARE(eventAt(spy, 3).newFingerprint, QStringLiteral("cc"));
}

void TestBundleMonitor::warmRescanHashesAndParsesNothing()
{
    Bundle b;
    for (int i = 0; i < 300; ++i)
        QVERIFY(writeInPlace(b.dir + QStringLiteral("/f%1.pem").arg(i),
                             QByteArray("CERT f") + QByteArray::number(i) + " k"));
    // Files written just now are "racy" (mtime within the timestamp granularity): wait that out.
    QTest::qWait(150);
    BundleMonitor m(fakeOptions());
    m.addBundle({b.dir, {}, false, {}, 30});
    m.start();
    const WatchStats cold = m.stats();
    QCOMPARE(cold.parses, 300);
    QCOMPARE(cold.hashReads, 300);
    m.rescanAll();
    m.rescanAll();
    QCOMPARE(m.stats().hashReads, cold.hashReads);
    QCOMPARE(m.stats().parses, cold.parses);
}

void TestBundleMonitor::forcedPollDetectsChanges()
{
    Bundle b;
    QVERIFY(b.put("tls.crt", "CERT aa k1"));
    MonitorOptions o = fakeOptions();
    o.forcePoll = true;
    o.pollIntervalMsOverride = 200;
    BundleMonitor m(o);
    QSignalSpy spy(&m, &BundleMonitor::event);
    m.addBundle({b.dir, {}, false, {}, 30});
    m.start();
    QCOMPARE(kinds(spy), (QStringList{QStringLiteral("SNAPSHOT"), QStringLiteral("READY"),
                                      QStringLiteral("WATCH_DEGRADED")}));
    QCOMPARE(eventAt(spy, 0).watch, QStringLiteral("poll"));
    QCOMPARE(eventAt(spy, 2).reason, QStringLiteral("forced"));
    spy.clear();
    QVERIFY(b.put("tls.crt", "CERT bb k1 "));
    QTRY_COMPARE_WITH_TIMEOUT(spy.count(), 1, EventTimeoutMs);
    QCOMPARE(eventAt(spy, 0).kind, ReloadEventKind::Changed);
    QCOMPARE(m.stats().fsEvents, 0);
}

void TestBundleMonitor::statusWhenExpiryPasses()
{
    Bundle b;
    const qint64 expiry = QDateTime::currentMSecsSinceEpoch() + 400;
    QVERIFY(b.put("tls.crt", QByteArray("CERT aa k1 EXP ") + QByteArray::number(expiry)));
    MonitorOptions o = fakeOptions();
    o.pollIntervalMsOverride = 200;
    BundleMonitor m(o);
    QSignalSpy spy(&m, &BundleMonitor::event);
    m.addBundle({b.dir, {}, false, {}, 30});
    m.start();
    spy.clear();
    QTRY_COMPARE_WITH_TIMEOUT(spy.count(), 1, EventTimeoutMs);
    QCOMPARE(eventAt(spy, 0).kind, ReloadEventKind::Status);
    QCOMPARE(eventAt(spy, 0).status, QStringLiteral("expired"));
    QCOMPARE(eventAt(spy, 0).fingerprint, QStringLiteral("aa"));
    QTest::qWait(NoEventMs);
    QCOMPARE(spy.count(), 1); // said once
}

void TestBundleMonitor::keyReadableByOthersWarning()
{
    Bundle b;
    QVERIFY(b.put("tls.crt", "CERT aa k1"));
    QVERIFY(b.put("tls.key", "KEY k1"));
    QVERIFY(::chmod(enc(b.path("tls.key")).constData(), 0644) == 0);
    BundleMonitor m(fakeOptions());
    m.addBundle({b.dir, {}, false, {}, 30});
    m.start();
    const auto files = m.states().first().lastGoodFiles;
    QCOMPARE(files.size(), 2);
    QVERIFY(files.at(1).warnings.contains(QStringLiteral("key_readable_by_others")));
    QVERIFY(!files.at(0).warnings.contains(QStringLiteral("key_readable_by_others")));
}

void TestBundleMonitor::fifoAndSymlinkLoopAreProblemsNotHangs()
{
    Bundle b;
    QVERIFY(b.put("tls.crt", "CERT aa k1"));
    QVERIFY(::mkfifo(enc(b.path("pipe.pem")).constData(), 0600) == 0);
    QVERIFY(::symlink("loop2", enc(b.path("loop1")).constData()) == 0);
    QVERIFY(::symlink("loop1", enc(b.path("loop2")).constData()) == 0);
    BundleMonitor m(fakeOptions());
    QSignalSpy spy(&m, &BundleMonitor::event);
    m.addBundle({b.dir, {}, false, {}, 30});
    m.start();
    const BundleState s = m.states().first();
    QCOMPARE(s.phase, BundleState::Phase::Invalid);
    QHash<QString, Problem> problems;
    for (const FileInspection &f : s.currentFiles)
        problems.insert(f.name, f.problem);
    QCOMPARE(problems.value(QStringLiteral("pipe.pem")), Problem::NotRegularFile);
    QCOMPARE(problems.value(QStringLiteral("loop1")), Problem::SymlinkLoop);
    QCOMPARE(problems.value(QStringLiteral("tls.crt")), Problem::None);
}

void TestBundleMonitor::jsonFields()
{
    ReloadEvent e;
    e.kind = ReloadEventKind::Changed;
    e.ts = QDateTime(QDate(2026, 1, 2), QTime(3, 4, 5, 678), Qt::UTC);
    e.bundle = QStringLiteral("/etc/tls");
    e.newFingerprint = QStringLiteral("ab");
    e.status = QStringLiteral("ok");
    e.manifest = QStringLiteral("cd");
    const QJsonObject o = e.toJson();
    QCOMPARE(o.value(QStringLiteral("ts")).toString(), QStringLiteral("2026-01-02T03:04:05.678Z"));
    QCOMPARE(o.value(QStringLiteral("event")).toString(), QStringLiteral("CHANGED"));
    QCOMPARE(o.value(QStringLiteral("bundle")).toString(), QStringLiteral("/etc/tls"));
    QVERIFY(o.value(QStringLiteral("old_fingerprint")).isNull());
    QCOMPARE(o.value(QStringLiteral("new_fingerprint")).toString(), QStringLiteral("ab"));
    QCOMPARE(o.value(QStringLiteral("status")).toString(), QStringLiteral("ok"));
    QCOMPARE(o.value(QStringLiteral("manifest")).toString(), QStringLiteral("cd"));

    ReloadEvent served;
    served.kind = ReloadEventKind::Served;
    served.bundle = QStringLiteral("/etc/tls");
    served.endpoint = QStringLiteral("127.0.0.1:8443");
    served.fingerprint = QStringLiteral("ab");
    served.matchesDisk = false;
    const QJsonObject s = served.toJson();
    QCOMPARE(s.value(QStringLiteral("endpoint")).toString(), QStringLiteral("127.0.0.1:8443"));
    QCOMPARE(s.value(QStringLiteral("matches_disk")).toBool(true), false);

    ReloadEvent stats;
    stats.kind = ReloadEventKind::Stats;
    stats.bundle = QStringLiteral("*");
    stats.stats = WatchStats{1, 2, 3, 4, 5, 6, 7};
    const QJsonObject st = stats.toJson();
    for (const char *key : {"fs_events", "hash_reads", "parses", "commits"})
        QVERIFY2(st.contains(QLatin1String(key)), key);
    QVERIFY(stats.toTableLine().contains(QStringLiteral("parses=3")));
}

void TestBundleMonitor::workerThreadOwner()
{
    Bundle b;
    QVERIFY(b.put("tls.crt", "CERT aa k1"));
    QSignalSpy *spy = nullptr;
    {
        BundleMonitorThread owner(fakeOptions());
        spy = new QSignalSpy(&owner, &BundleMonitorThread::event);
        QVERIFY(owner.workerThread()->isRunning());
        owner.addBundle({b.dir, {}, false, {}, 30});
        owner.start();
        QTRY_COMPARE_WITH_TIMEOUT(spy->count(), 2, EventTimeoutMs);
        QVERIFY(b.put("tls.crt", "CERT bb k1"));
        QTRY_COMPARE_WITH_TIMEOUT(spy->count(), 3, EventTimeoutMs);
        QCOMPARE(kinds(*spy), (QStringList{QStringLiteral("SNAPSHOT"), QStringLiteral("READY"),
                                           QStringLiteral("CHANGED")}));
    } // joins the worker thread
    delete spy;
}

void TestBundleMonitor::realCertificatesRotate()
{
    // The real inspector and evaluation: a chain rotation through the monitor.
    auto chain = CertFactory::chain(CertSpec::server(), 1);
    QVERIFY2(chain.ok(), qPrintable(chain.ok() ? QString() : chain.error().toString()));
    Bundle b;
    QVERIFY(b.put("tls.crt", chain->leaf.chainPem));
    QVERIFY(b.put("tls.key", chain->leaf.keyPem));
    QVERIFY(b.put("ca.crt", chain->root.certPem));
    MonitorOptions o;
    o.quietPeriodMs = Quiet;
    o.consistencyWindowS = 5;
    BundleMonitor m(o);
    QSignalSpy spy(&m, &BundleMonitor::event);
    m.addBundle({b.dir, {}, false, QStringLiteral("localhost"), 30});
    m.start();
    QCOMPARE(eventAt(spy, 0).status, QStringLiteral("ok"));
    QCOMPARE(eventAt(spy, 0).fingerprint, QString::fromLatin1(chain->leaf.sha256Hex));
    spy.clear();
    auto next = CertFactory::issue(CertSpec::server(), chain->intermediates.first());
    QVERIFY(next.ok());
    QVERIFY(b.put("tls.key", next->keyPem));
    QVERIFY(b.put("tls.crt", next->chainPem));
    QTRY_COMPARE_WITH_TIMEOUT(spy.count(), 1, EventTimeoutMs);
    const ReloadEvent e = eventAt(spy, 0);
    QCOMPARE(e.kind, ReloadEventKind::Changed);
    QCOMPARE(e.oldFingerprint, QString::fromLatin1(chain->leaf.sha256Hex));
    QCOMPARE(e.newFingerprint, QString::fromLatin1(next->sha256Hex));
}

OPSDECK_TEST_GUILESS_MAIN(TestBundleMonitor)
#include "tst_bundlemonitor.moc"
