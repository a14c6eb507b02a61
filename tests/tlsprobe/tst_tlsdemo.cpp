// SPDX-License-Identifier: GPL-3.0-or-later
// The sandbox's TLS demo: Kubernetes layout on rotation, an endpoint that reloads only on every
// second rotation (checked with the EndpointProber), no leaked descriptors or processes.

#include "testmain.h"
#include "tls/bundlereader.h"
#include "tls/endpointprobe.h"
#include "tls/inspector.h"
#include "tlsdemo.h"

#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>
#include <QSignalSpy>
#include <unistd.h>

using namespace opsdeck;
using namespace opsdeck::test;
using opsdeck::tls::EndpointProber;
using opsdeck::tls::ProbeResult;

namespace {

// The link's own text (not resolved), like readlink(1).
QString readLink(const QString &path)
{
    char buffer[4096];
    const ssize_t n = ::readlink(QFile::encodeName(path).constData(), buffer, sizeof buffer);
    return n < 0 ? QString() : QFile::decodeName(QByteArray(buffer, qsizetype(n)));
}

QStringList generationDirs(const QString &dir)
{
    return QDir(dir).entryList(QStringList{QStringLiteral("..2*")},
                               QDir::Dirs | QDir::Hidden | QDir::NoSymLinks);
}

int openDescriptors()
{
    return int(QDir(QStringLiteral("/proc/self/fd"))
                   .entryList(QDir::NoDotAndDotDot | QDir::System)
                   .size());
}

QStringList childProcesses()
{
    QStringList children;
    const QDir tasks(QStringLiteral("/proc/self/task"));
    for (const QString &task : tasks.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        QFile f(tasks.filePath(task + QStringLiteral("/children")));
        if (f.open(QIODevice::ReadOnly))
            children
                << QString::fromLatin1(f.readAll()).split(QLatin1Char(' '), Qt::SkipEmptyParts);
    }
    return children;
}

ProbeResult probeDemo(EndpointProber &prober, const TlsDemo &demo)
{
    tls::ProbeRequest r;
    r.host = QStringLiteral("127.0.0.1");
    r.port = demo.port();
    r.serverName = demo.hostName();
    r.caFile = demo.caFile();
    r.timeoutMs = 5000;
    QSignalSpy spy(&prober, &EndpointProber::finished);
    prober.probe(r);
    if (!spy.wait(15000))
        return {};
    return spy.at(0).at(0).value<ProbeResult>();
}

std::optional<tls::CertificateInfo> diskLeaf(const QString &dir, tls::Verdict *verdict)
{
    const auto files = tls::readBundle(tls::listBundle(dir), tls::InspectOptions{});
    tls::EvaluateOptions options;
    options.now = QDateTime::currentDateTimeUtc();
    options.expectedHostname = QStringLiteral("localhost");
    const auto evaluation = tls::evaluateBundle(files, options);
    *verdict = evaluation.verdict;
    return evaluation.leaf;
}

} // namespace

class TestTlsDemo : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void kubernetesLayout()
    {
        TlsDemo demo;
        TlsDemo::Options o;
        o.rotateIntervalMs = 0;
        auto started = demo.start(o);
        QVERIFY2(started, started ? "" : qPrintable(started.error().toString()));
        const QString dir = demo.directory();
        const QRegularExpression generation(
            QStringLiteral("^\\.\\.\\d{4}_\\d\\d_\\d\\d_\\d\\d_\\d\\d_\\d\\d\\.\\d{9}$"));

        for (const QString &name :
             {QStringLiteral("tls.crt"), QStringLiteral("tls.key"), QStringLiteral("ca.crt")}) {
            QVERIFY(QFileInfo(QDir(dir).filePath(name)).isSymLink());
            QCOMPARE(readLink(QDir(dir).filePath(name)), QStringLiteral("..data/") + name);
        }
        const QString first = readLink(QDir(dir).filePath(QStringLiteral("..data")));
        QVERIFY2(generation.match(first).hasMatch(), qPrintable(first));
        QCOMPARE(generationDirs(dir), QStringList{first});
        QVERIFY(!QFileInfo::exists(QDir(dir).filePath(QStringLiteral("..data_tmp"))));
        QCOMPARE(QFileInfo(QDir(dir).filePath(first + QStringLiteral("/tls.key"))).permissions() &
                     (QFile::ReadGroup | QFile::ReadOther),
                 QFileDevice::Permissions());

        tls::Verdict verdict = tls::Verdict::Invalid;
        auto leaf = diskLeaf(dir, &verdict);
        QVERIFY(leaf);
        QCOMPARE(verdict, tls::Verdict::Ok); // key matches, chain builds to ca.crt, hostname ok
        QCOMPARE(leaf->sha256, demo.diskFingerprint());
        QCOMPARE(demo.servedFingerprint(), demo.diskFingerprint());
        const QByteArray caBefore = [&] {
            QFile f(demo.caFile());
            return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
        }();

        QSignalSpy rotated(&demo, &TlsDemo::rotated);
        auto r = demo.rotate();
        QVERIFY2(r, r ? "" : qPrintable(r.error().toString()));
        QCOMPARE(rotated.size(), 1);
        const QString second = readLink(QDir(dir).filePath(QStringLiteral("..data")));
        QVERIFY2(generation.match(second).hasMatch(), qPrintable(second));
        QVERIFY(second != first);
        QCOMPARE(generationDirs(dir), QStringList{second}); // the old generation is gone
        QCOMPARE(readLink(QDir(dir).filePath(QStringLiteral("tls.crt"))),
                 QStringLiteral("..data/tls.crt"));
        leaf = diskLeaf(dir, &verdict);
        QVERIFY(leaf);
        QCOMPARE(verdict, tls::Verdict::Ok);
        QCOMPARE(leaf->sha256, rotated.at(0).at(0).toString());
        QCOMPARE(demo.diskFingerprint(), leaf->sha256);
        QFile ca(demo.caFile());
        QVERIFY(ca.open(QIODevice::ReadOnly));
        QCOMPARE(ca.readAll(), caBefore); // same CA across rotations
    }

    void servedChangesOnEverySecondRotation()
    {
        TlsDemo demo;
        TlsDemo::Options o;
        o.rotateIntervalMs = 0;
        auto started = demo.start(o);
        QVERIFY2(started, started ? "" : qPrintable(started.error().toString()));
        QSignalSpy reloaded(&demo, &TlsDemo::reloaded);
        EndpointProber prober;
        tls::Verdict verdict = tls::Verdict::Invalid;

        ProbeResult p = probeDemo(prober, demo);
        QVERIFY2(p.ok(), qPrintable(p.errorMessage));
        QVERIFY2(p.verified, qPrintable(p.verifyReason)); // the demo CA, hostname localhost
        QCOMPARE(p.leafSha256, demo.servedFingerprint());
        QCOMPARE(tls::compareWithDisk(p, *diskLeaf(demo.directory(), &verdict)).match,
                 tls::DiskMatch::Matches);

        QStringList served{p.leafSha256};
        for (int rotation = 1; rotation <= 4; ++rotation) {
            const QString before = demo.servedFingerprint();
            QVERIFY(demo.rotate());
            p = probeDemo(prober, demo);
            QVERIFY2(p.ok(), qPrintable(p.errorMessage));
            const auto leaf = diskLeaf(demo.directory(), &verdict);
            QVERIFY(leaf);
            const auto cmp = tls::compareWithDisk(p, *leaf);
            if (rotation % 2 == 1) {
                QCOMPARE(p.leafSha256, before); // not reloaded
                QCOMPARE(cmp.match, tls::DiskMatch::NotReloaded);
                QCOMPARE(cmp.message,
                         QStringLiteral("rotated on disk, not reloaded by the service"));
                QCOMPARE(reloaded.size(), rotation / 2);
            } else {
                QCOMPARE(p.leafSha256, demo.diskFingerprint()); // reloaded
                QCOMPARE(cmp.match, tls::DiskMatch::Matches);
                QCOMPARE(reloaded.size(), rotation / 2);
                QCOMPARE(reloaded.last().at(0).toString(), p.leafSha256);
            }
            QCOMPARE(p.leafSha256, demo.servedFingerprint());
            served << p.leafSha256;
        }
        // Served: A, A, C, C, E.
        QCOMPARE(served.at(0), served.at(1));
        QVERIFY(served.at(2) != served.at(1));
        QCOMPARE(served.at(2), served.at(3));
        QVERIFY(served.at(4) != served.at(3));
    }

    void rotatesOnItsTimer()
    {
        TlsDemo demo;
        TlsDemo::Options o;
        o.rotateIntervalMs = 150;
        QVERIFY(demo.start(o));
        QSignalSpy rotated(&demo, &TlsDemo::rotated);
        QSignalSpy reloaded(&demo, &TlsDemo::reloaded);
        QSignalSpy failed(&demo, &TlsDemo::failed);
        QTRY_VERIFY_WITH_TIMEOUT(rotated.size() >= 4, 15000);
        QVERIFY(reloaded.size() >= 1);
        QCOMPARE(failed.size(), 0);
        demo.stop();
        QVERIFY(!demo.isRunning());
        const auto count = rotated.size();
        QVERIFY(!rotated.wait(450)); // the timer is stopped: nothing more comes
        QCOMPARE(rotated.size(), count);
    }

    void explicitDirectoryMustBeFresh()
    {
        QTemporaryDir base;
        TlsDemo::Options o;
        o.rotateIntervalMs = 0;
        o.directory = base.filePath(QStringLiteral("tls"));
        {
            TlsDemo demo;
            QVERIFY(demo.start(o));
            QCOMPARE(demo.directory(), o.directory);
        }
        QVERIFY(QFileInfo(base.filePath(QStringLiteral("tls/tls.crt"))).isSymLink()); // kept
        TlsDemo again;
        const auto r = again.start(o);
        QVERIFY(!r);
        QCOMPARE(r.error().code, ErrorCode::InvalidArgument);
    }

    void noLeaks()
    {
        auto cycle = [] {
            TlsDemo demo;
            TlsDemo::Options o;
            o.rotateIntervalMs = 0;
            if (!demo.start(o))
                return false;
            EndpointProber prober;
            bool ok = true;
            for (int i = 0; i < 3 && ok; ++i) {
                ok = probeDemo(prober, demo).ok() && bool(demo.rotate());
            }
            return ok;
        };
        QVERIFY(cycle()); // warm-up: Qt and OpenSSL open what they keep for the process
        QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
        const int fdsBefore = openDescriptors();
        QVERIFY(cycle());
        QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
        QTRY_COMPARE_WITH_TIMEOUT(openDescriptors(), fdsBefore, 5000);
        QCOMPARE(childProcesses(), QStringList());
    }
};

OPSDECK_TEST_GUILESS_MAIN(TestTlsDemo)
#include "tst_tlsdemo.moc"
