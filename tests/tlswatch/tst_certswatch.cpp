// SPDX-License-Identifier: GPL-3.0-or-later
// The real `opsdeck certs watch` process, driven through every rotation pattern of
// docs/tls-reload-background.md: the exact JSON-lines event sequence is asserted, the process is
// stopped with SIGTERM and its STATS line checked. Certificates come from CertFactory.

#include "certfactory.h"
#include "testmain.h"
#include "watchtestutil.h"

#include <QDir>
#include <QElapsedTimer>
#include <QHostAddress>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <csignal>
#include <cstdio>
#include <sys/stat.h>
#include <unistd.h>

using namespace opsdeck;
using namespace opsdeck::test;

namespace {

constexpr int EventTimeoutMs = 5000;
constexpr int QuietMs = 100;
// Quiet period x 5 plus one poll tick (1 s): long enough for a missed event to show.
constexpr int NoEventMs = 1300;

QString opsdeckBinary()
{
    const QString dir = qEnvironmentVariable("OPSDECK_BUILD_DIR");
    return dir + QStringLiteral("/bin/opsdeck");
}

class WatchProcess
{
public:
    QProcess process;
    QList<QJsonObject> events;

    ~WatchProcess()
    {
        if (process.state() != QProcess::NotRunning) {
            process.kill();
            process.waitForFinished(3000);
        }
    }

    bool start(const QStringList &extra, const QStringList &env = {})
    {
        QProcessEnvironment e = QProcessEnvironment::systemEnvironment();
        for (const QString &kv : env)
            e.insert(kv.section(QLatin1Char('='), 0, 0), kv.section(QLatin1Char('='), 1));
        process.setProcessEnvironment(e);
        process.setProgram(opsdeckBinary());
        process.setArguments(QStringList{QStringLiteral("certs"), QStringLiteral("watch"),
                                         QStringLiteral("--format"), QStringLiteral("jsonl"),
                                         QStringLiteral("--quiet-period"), QString::number(QuietMs),
                                         QStringLiteral("--poll-interval"), QStringLiteral("1"),
                                         QStringLiteral("--consistency-window"),
                                         QStringLiteral("2")} +
                             extra);
        process.start();
        if (!process.waitForStarted(5000))
            return false;
        return waitFor(QStringLiteral("READY"));
    }

    void pump()
    {
        m_buffer += process.readAllStandardOutput();
        for (qsizetype nl = m_buffer.indexOf('\n'); nl >= 0; nl = m_buffer.indexOf('\n')) {
            const QByteArray line = m_buffer.left(nl);
            m_buffer.remove(0, nl + 1);
            QJsonParseError err{};
            const QJsonDocument doc = QJsonDocument::fromJson(line, &err);
            if (!doc.isObject()) {
                qWarning() << "not a JSON object line:" << line;
                m_badLines++;
                continue;
            }
            events << doc.object();
        }
    }

    int count(const QString &kind) const
    {
        int n = 0;
        for (const QJsonObject &o : events)
            n += o.value(QStringLiteral("event")).toString() == kind;
        return n;
    }

    int countFor(const QString &kind, const QString &bundle) const
    {
        int n = 0;
        for (const QJsonObject &o : events)
            n += o.value(QStringLiteral("event")).toString() == kind &&
                 o.value(QStringLiteral("bundle")).toString() == bundle;
        return n;
    }

    bool waitFor(const QString &kind, int n = 1, int timeoutMs = EventTimeoutMs)
    {
        QElapsedTimer t;
        t.start();
        pump();
        while (count(kind) < n && t.elapsed() < timeoutMs && process.state() == QProcess::Running) {
            process.waitForReadyRead(50);
            pump();
        }
        return count(kind) >= n;
    }

    bool waitForBundle(const QString &kind, const QString &bundle, int timeoutMs = EventTimeoutMs)
    {
        QElapsedTimer t;
        t.start();
        pump();
        while (countFor(kind, bundle) < 1 && t.elapsed() < timeoutMs &&
               process.state() == QProcess::Running) {
            process.waitForReadyRead(50);
            pump();
        }
        return countFor(kind, bundle) >= 1;
    }

    // Reads for a bounded time: nothing is expected to arrive.
    void settle(int ms = NoEventMs)
    {
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < ms) {
            process.waitForReadyRead(50);
            pump();
        }
    }

    // The events after READY, by kind.
    QStringList kindsAfterReady() const
    {
        QStringList out;
        bool ready = false;
        for (const QJsonObject &o : events) {
            const QString kind = o.value(QStringLiteral("event")).toString();
            if (ready && kind != QLatin1String("STATS"))
                out << kind;
            ready = ready || kind == QLatin1String("READY");
        }
        return out;
    }

    QList<QJsonObject> ofKind(const QString &kind) const
    {
        QList<QJsonObject> out;
        for (const QJsonObject &o : events) {
            if (o.value(QStringLiteral("event")).toString() == kind)
                out << o;
        }
        return out;
    }

    // SIGTERM; returns the STATS line (empty object when the stop was not clean).
    QJsonObject stop()
    {
        ::kill(pid_t(process.processId()), SIGTERM);
        if (!process.waitForFinished(5000))
            return {};
        pump();
        if (process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0)
            return {};
        const QList<QJsonObject> stats = ofKind(QStringLiteral("STATS"));
        return stats.size() == 1 ? stats.first() : QJsonObject();
    }

    int badLines() const { return m_badLines; }

private:
    QByteArray m_buffer;
    int m_badLines = 0;
};

QString fp(const CertKey &ck)
{
    return QString::fromLatin1(ck.sha256Hex);
}

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
    CertKey issue(CertSpec spec = CertSpec::server()) const
    {
        auto leaf = CertFactory::issue(spec, chain.intermediates.first());
        return leaf.ok() ? leaf.value() : CertKey{};
    }
};

bool writeBundle(const QString &dir, const CertKey &leaf, const CertKey &root)
{
    return QDir().mkpath(dir) && writeInPlace(dir + QStringLiteral("/tls.key"), leaf.keyPem) &&
           writeInPlace(dir + QStringLiteral("/tls.crt"), leaf.chainPem) &&
           writeInPlace(dir + QStringLiteral("/ca.crt"), root.certPem);
}

qint64 stat(const QJsonObject &stats, const char *key)
{
    return stats.value(QLatin1String(key)).toInteger(-1);
}

} // namespace

class TestCertsWatch : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void inPlaceCopy();
    void slowWriter();
    void tempRenameRepeated();
    void kubernetesSwapRepeated();
    void symlinkRetarget();
    void deleteAndRecreateDirectory();
    void unchangedBytesProduceNoEvents();
    void keyBeforeCert();
    void truststoreAfterKeystore();
    void invalidReasons();
    void burstOfWrites();
    void queueOverflow();
    void forcedPoll();
    void watchLimit();
    void tableFormat();
    void servedBeforeAndAfterServerRestart();
    void keystoreFormats_data();
    void keystoreFormats();
    void usageErrors();

private:
    Pki m_pki;
};

void TestCertsWatch::initTestCase()
{
    QVERIFY2(QFileInfo::exists(opsdeckBinary()), qPrintable(opsdeckBinary()));
    QVERIFY(m_pki.init());
}

void TestCertsWatch::inPlaceCopy()
{
    QTemporaryDir tmp;
    const QString dir = tmp.filePath(QStringLiteral("tls"));
    const CertKey first = m_pki.issue();
    QVERIFY(writeBundle(dir, first, m_pki.chain.root));
    WatchProcess w;
    QVERIFY(w.start({dir}));
    QCOMPARE(
        w.ofKind(QStringLiteral("SNAPSHOT")).first().value(QStringLiteral("status")).toString(),
        QStringLiteral("ok"));
    QCOMPARE(w.ofKind(QStringLiteral("SNAPSHOT"))
                 .first()
                 .value(QStringLiteral("fingerprint"))
                 .toString(),
             fp(first));

    const CertKey next = m_pki.issue();
    QVERIFY(writeInPlace(dir + QStringLiteral("/tls.key"), next.keyPem));
    QVERIFY(writeInPlace(dir + QStringLiteral("/tls.crt"), next.chainPem));
    QVERIFY(w.waitFor(QStringLiteral("CHANGED")));
    w.settle(QuietMs * 5);
    QCOMPARE(w.kindsAfterReady(), QStringList{QStringLiteral("CHANGED")});
    const QJsonObject changed = w.ofKind(QStringLiteral("CHANGED")).first();
    QCOMPARE(changed.value(QStringLiteral("old_fingerprint")).toString(), fp(first));
    QCOMPARE(changed.value(QStringLiteral("new_fingerprint")).toString(), fp(next));
    QCOMPARE(changed.value(QStringLiteral("status")).toString(), QStringLiteral("ok"));
    QCOMPARE(changed.value(QStringLiteral("manifest")).toString().size(), 64);
    QVERIFY(changed.value(QStringLiteral("ts")).toString().endsWith(QLatin1Char('Z')));
    QCOMPARE(changed.value(QStringLiteral("bundle")).toString(), dir);
    const QJsonObject stats = w.stop();
    QVERIFY(!stats.isEmpty());
    QCOMPARE(stat(stats, "commits"), 1);
    QCOMPARE(stat(stats, "parses"), 5); // 3 cold + the new key and chain
    QVERIFY(stat(stats, "fs_events") > 0);
    QCOMPARE(w.badLines(), 0);
}

void TestCertsWatch::slowWriter()
{
    // truncate, write half, pause (shorter than the quiet period), write the rest.
    QTemporaryDir tmp;
    const QString dir = tmp.filePath(QStringLiteral("tls"));
    QVERIFY(writeBundle(dir, m_pki.issue(), m_pki.chain.root));
    WatchProcess w;
    QVERIFY(w.start({dir}));
    const CertKey next = m_pki.issue();
    QVERIFY(writeInPlace(dir + QStringLiteral("/tls.key"), next.keyPem));
    QFile f(dir + QStringLiteral("/tls.crt"));
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    const qsizetype half = next.chainPem.size() / 2;
    QVERIFY(f.write(next.chainPem.left(half)) == half);
    QVERIFY(f.flush());
    QTest::qWait(QuietMs / 3); // the writer is slow, but not slower than the quiet period
    QVERIFY(f.write(next.chainPem.mid(half)) == next.chainPem.size() - half);
    f.close();
    QVERIFY(w.waitFor(QStringLiteral("CHANGED")));
    w.settle(QuietMs * 5);
    QCOMPARE(w.kindsAfterReady(), QStringList{QStringLiteral("CHANGED")});
    QCOMPARE(w.ofKind(QStringLiteral("CHANGED"))
                 .first()
                 .value(QStringLiteral("new_fingerprint"))
                 .toString(),
             fp(next));
    QVERIFY(!w.stop().isEmpty());
}

void TestCertsWatch::tempRenameRepeated()
{
    QTemporaryDir tmp;
    const QString dir = tmp.filePath(QStringLiteral("tls"));
    QVERIFY(writeBundle(dir, m_pki.issue(), m_pki.chain.root));
    WatchProcess w;
    QVERIFY(w.start({dir}));
    QStringList fps;
    for (int i = 0; i < 3; ++i) {
        const CertKey next = m_pki.issue();
        fps << fp(next);
        QVERIFY(writeAndRename(dir + QStringLiteral("/tls.key"), next.keyPem));
        QVERIFY(writeAndRename(dir + QStringLiteral("/tls.crt"), next.chainPem));
        QVERIFY(w.waitFor(QStringLiteral("CHANGED"), i + 1));
    }
    w.settle(QuietMs * 5);
    QCOMPARE(w.kindsAfterReady(), QStringList(3, QStringLiteral("CHANGED")));
    const auto changed = w.ofKind(QStringLiteral("CHANGED"));
    for (int i = 0; i < 3; ++i)
        QCOMPARE(changed.at(i).value(QStringLiteral("new_fingerprint")).toString(), fps.at(i));
    const QJsonObject stats = w.stop();
    QCOMPARE(stat(stats, "commits"), 3);
}

void TestCertsWatch::kubernetesSwapRepeated()
{
    QTemporaryDir tmp;
    K8sVolume vol{tmp.filePath(QStringLiteral("secret")), 0, {}};
    QVERIFY(QDir().mkpath(vol.dir));
    auto files = [this](const CertKey &ck) {
        return QList<QPair<QString, QByteArray>>{
            {QStringLiteral("tls.crt"), ck.chainPem},
            {QStringLiteral("tls.key"), ck.keyPem},
            {QStringLiteral("ca.crt"), m_pki.chain.root.certPem}};
    };
    QVERIFY(vol.write(files(m_pki.issue())));
    WatchProcess w;
    QVERIFY(w.start({vol.dir}));
    // The hidden ..data and timestamped directories are not files of the bundle.
    const QJsonArray names =
        w.ofKind(QStringLiteral("SNAPSHOT")).first().value(QStringLiteral("files")).toArray();
    QCOMPARE(names.size(), 3);
    for (int i = 0; i < 3; ++i) {
        const CertKey next = m_pki.issue();
        QVERIFY(vol.write(files(next)));
        QVERIFY(w.waitFor(QStringLiteral("CHANGED"), i + 1));
        QCOMPARE(w.ofKind(QStringLiteral("CHANGED"))
                     .last()
                     .value(QStringLiteral("new_fingerprint"))
                     .toString(),
                 fp(next));
    }
    w.settle(QuietMs * 5);
    QCOMPARE(w.kindsAfterReady(), QStringList(3, QStringLiteral("CHANGED")));
    QCOMPARE(stat(w.stop(), "commits"), 3);
}

void TestCertsWatch::symlinkRetarget()
{
    // certbot layout: live/x.pem -> ../archive/xN.pem, all links retargeted ln -sfn style.
    QTemporaryDir tmp;
    const QString live = tmp.filePath(QStringLiteral("live"));
    const QString archive = tmp.filePath(QStringLiteral("archive"));
    QVERIFY(QDir().mkpath(live) && QDir().mkpath(archive));
    auto publish = [&](int n, const CertKey &ck) {
        const QString sn = QString::number(n);
        return writeInPlace(archive + QStringLiteral("/privkey%1.pem").arg(sn), ck.keyPem) &&
               writeInPlace(archive + QStringLiteral("/fullchain%1.pem").arg(sn), ck.chainPem) &&
               writeInPlace(archive + QStringLiteral("/ca%1.pem").arg(sn),
                            m_pki.chain.root.certPem) &&
               retargetSymlink(live + QStringLiteral("/privkey.pem"),
                               QStringLiteral("../archive/privkey%1.pem").arg(sn)) &&
               retargetSymlink(live + QStringLiteral("/fullchain.pem"),
                               QStringLiteral("../archive/fullchain%1.pem").arg(sn)) &&
               retargetSymlink(live + QStringLiteral("/ca.pem"),
                               QStringLiteral("../archive/ca%1.pem").arg(sn));
    };
    QVERIFY(publish(1, m_pki.issue()));
    WatchProcess w;
    QVERIFY(w.start({live}));
    QCOMPARE(
        w.ofKind(QStringLiteral("SNAPSHOT")).first().value(QStringLiteral("status")).toString(),
        QStringLiteral("ok"));
    const CertKey next = m_pki.issue();
    QVERIFY(publish(2, next));
    QVERIFY(w.waitFor(QStringLiteral("CHANGED")));
    w.settle(QuietMs * 5);
    QCOMPARE(w.kindsAfterReady(), QStringList{QStringLiteral("CHANGED")});
    QCOMPARE(w.ofKind(QStringLiteral("CHANGED"))
                 .first()
                 .value(QStringLiteral("new_fingerprint"))
                 .toString(),
             fp(next));
    QVERIFY(!w.stop().isEmpty());
}

void TestCertsWatch::deleteAndRecreateDirectory()
{
    QTemporaryDir tmp;
    const QString dir = tmp.filePath(QStringLiteral("tls"));
    const CertKey first = m_pki.issue();
    QVERIFY(writeBundle(dir, first, m_pki.chain.root));
    WatchProcess w;
    QVERIFY(w.start({dir}));
    QVERIFY(QDir(dir).removeRecursively());
    QVERIFY(w.waitFor(QStringLiteral("SOURCE_UNAVAILABLE")));
    QCOMPARE(w.ofKind(QStringLiteral("SOURCE_UNAVAILABLE"))
                 .first()
                 .value(QStringLiteral("reason"))
                 .toString(),
             QStringLiteral("missing"));
    QVERIFY(writeBundle(dir, first, m_pki.chain.root)); // same content back
    QVERIFY(w.waitFor(QStringLiteral("RECOVERED")));
    QVERIFY(QDir(dir).removeRecursively());
    QVERIFY(w.waitFor(QStringLiteral("SOURCE_UNAVAILABLE"), 2));
    const CertKey next = m_pki.issue();
    QVERIFY(writeBundle(dir, next, m_pki.chain.root)); // new content
    QVERIFY(w.waitFor(QStringLiteral("CHANGED")));
    w.settle(QuietMs * 5);
    QCOMPARE(w.kindsAfterReady(),
             (QStringList{QStringLiteral("SOURCE_UNAVAILABLE"), QStringLiteral("RECOVERED"),
                          QStringLiteral("SOURCE_UNAVAILABLE"), QStringLiteral("CHANGED")}));
    QCOMPARE(w.ofKind(QStringLiteral("CHANGED"))
                 .first()
                 .value(QStringLiteral("old_fingerprint"))
                 .toString(),
             fp(first));
    QVERIFY(!w.stop().isEmpty());
}

void TestCertsWatch::unchangedBytesProduceNoEvents()
{
    QTemporaryDir tmp;
    const QString dir = tmp.filePath(QStringLiteral("tls"));
    const CertKey leaf = m_pki.issue();
    QVERIFY(writeBundle(dir, leaf, m_pki.chain.root));
    K8sVolume vol{tmp.filePath(QStringLiteral("secret")), 0, {}};
    QVERIFY(QDir().mkpath(vol.dir));
    const QList<QPair<QString, QByteArray>> same{
        {QStringLiteral("tls.crt"), leaf.chainPem},
        {QStringLiteral("tls.key"), leaf.keyPem},
        {QStringLiteral("ca.crt"), m_pki.chain.root.certPem}};
    QVERIFY(vol.write(same));
    WatchProcess w;
    QVERIFY(w.start({dir, vol.dir}));
    QVERIFY(::chmod(enc(dir + QStringLiteral("/tls.key")).constData(), 0600) == 0);
    QVERIFY(::utimensat(AT_FDCWD, enc(dir + QStringLiteral("/tls.crt")).constData(), nullptr, 0) ==
            0);
    QVERIFY(writeInPlace(dir + QStringLiteral("/ca.crt"), m_pki.chain.root.certPem));
    QVERIFY(writeAndRename(dir + QStringLiteral("/tls.crt"), leaf.chainPem));
    QVERIFY(vol.write(same)); // identical Kubernetes swap
    w.settle();
    QCOMPARE(w.kindsAfterReady(), QStringList());
    const QJsonObject stats = w.stop();
    QVERIFY(!stats.isEmpty());
    QCOMPARE(stat(stats, "parses"), 6); // the cold scan of both bundles, nothing after
    QCOMPARE(stat(stats, "commits"), 0);
    QVERIFY(stat(stats, "hash_reads") > 6); // changed identities were hashed again
}

void TestCertsWatch::keyBeforeCert()
{
    QTemporaryDir tmp;
    const QString dir = tmp.filePath(QStringLiteral("tls"));
    QVERIFY(writeBundle(dir, m_pki.issue(), m_pki.chain.root));
    WatchProcess w;
    QVERIFY(w.start({dir}));
    const CertKey next = m_pki.issue();
    QVERIFY(writeAndRename(dir + QStringLiteral("/tls.key"), next.keyPem));
    QVERIFY(w.waitFor(QStringLiteral("PENDING")));
    QCOMPARE(w.ofKind(QStringLiteral("PENDING")).first().value(QStringLiteral("reason")).toString(),
             QStringLiteral("key_mismatch"));
    QVERIFY(writeAndRename(dir + QStringLiteral("/tls.crt"), next.chainPem));
    QVERIFY(w.waitFor(QStringLiteral("CHANGED")));
    w.settle(QuietMs * 5);
    QCOMPARE(w.kindsAfterReady(),
             (QStringList{QStringLiteral("PENDING"), QStringLiteral("CHANGED")}));
    QVERIFY(!w.stop().isEmpty());
}

void TestCertsWatch::truststoreAfterKeystore()
{
    // A PKCS#12 keystore from a new CA arrives first; the truststore with that CA follows.
    QTemporaryDir tmp;
    const QString dir = tmp.filePath(QStringLiteral("stores"));
    QVERIFY(QDir().mkpath(dir));
    const QByteArray pw = "changeit";
    auto p12 = CertFactory::pkcs12(m_pki.issue(), pw, m_pki.chain.intermediates);
    QVERIFY(p12.ok());
    QVERIFY(writeInPlace(dir + QStringLiteral("/keystore.p12"), p12.value()));
    QVERIFY(writeInPlace(dir + QStringLiteral("/truststore.pem"), m_pki.chain.root.certPem));
    WatchProcess w;
    QVERIFY(
        w.start({QStringLiteral("--password"), QStringLiteral("env:OPSDECK_TEST_STOREPASS"), dir},
                {QStringLiteral("OPSDECK_TEST_STOREPASS=changeit")}));
    QCOMPARE(
        w.ofKind(QStringLiteral("SNAPSHOT")).first().value(QStringLiteral("status")).toString(),
        QStringLiteral("ok"));
    Pki other;
    QVERIFY(other.init());
    const CertKey next = other.issue();
    auto p12b = CertFactory::pkcs12(next, pw, other.chain.intermediates);
    QVERIFY(p12b.ok());
    QVERIFY(writeAndRename(dir + QStringLiteral("/keystore.p12"), p12b.value()));
    QVERIFY(w.waitFor(QStringLiteral("PENDING")));
    QCOMPARE(w.ofKind(QStringLiteral("PENDING")).first().value(QStringLiteral("reason")).toString(),
             QStringLiteral("untrusted_chain"));
    QVERIFY(writeAndRename(dir + QStringLiteral("/truststore.pem"), other.chain.root.certPem));
    QVERIFY(w.waitFor(QStringLiteral("CHANGED")));
    w.settle(QuietMs * 5);
    QCOMPARE(w.kindsAfterReady(),
             (QStringList{QStringLiteral("PENDING"), QStringLiteral("CHANGED")}));
    QCOMPARE(w.ofKind(QStringLiteral("CHANGED"))
                 .first()
                 .value(QStringLiteral("new_fingerprint"))
                 .toString(),
             fp(next));
    QVERIFY(!w.stop().isEmpty());
    // The password never appears in the output.
    for (const QJsonObject &o : std::as_const(w.events))
        QVERIFY(!QJsonDocument(o).toJson().contains(pw));
}

void TestCertsWatch::invalidReasons()
{
    // Five bundles in one process, each rotated to something unusable: PENDING, then INVALID with
    // the reason after the consistency window (2 s), the last good fingerprint kept.
    QTemporaryDir tmp;
    const QByteArray pw = "changeit";
    struct Case
    {
        QString name;
        QString reason;
        QString dir;
        QString goodFp;
    };
    QList<Case> cases{{QStringLiteral("expired"), QStringLiteral("expired"), {}, {}},
                      {QStringLiteral("notyet"), QStringLiteral("not_yet_valid"), {}, {}},
                      {QStringLiteral("nointermediate"), QStringLiteral("untrusted_chain"), {}, {}},
                      {QStringLiteral("badpassword"), QStringLiteral("bad_password"), {}, {}},
                      {QStringLiteral("encryptedkey"), QStringLiteral("key_encrypted"), {}, {}}};
    QStringList args{QStringLiteral("--password"), QStringLiteral("env:OPSDECK_TEST_STOREPASS")};
    for (Case &c : cases) {
        c.dir = tmp.filePath(c.name);
        const CertKey good = m_pki.issue();
        c.goodFp = fp(good);
        if (c.name == QLatin1String("badpassword")) {
            QVERIFY(QDir().mkpath(c.dir));
            auto p12 = CertFactory::pkcs12(good, pw, m_pki.chain.intermediates);
            QVERIFY(p12.ok());
            QVERIFY(writeInPlace(c.dir + QStringLiteral("/keystore.p12"), p12.value()));
            QVERIFY(writeInPlace(c.dir + QStringLiteral("/ca.crt"), m_pki.chain.root.certPem));
        } else {
            QVERIFY(writeBundle(c.dir, good, m_pki.chain.root));
        }
        args << c.dir;
    }
    WatchProcess w;
    QVERIFY(w.start(args, {QStringLiteral("OPSDECK_TEST_STOREPASS=changeit")}));
    QCOMPARE(w.count(QStringLiteral("SNAPSHOT")), 5);
    for (const QJsonObject &s : w.ofKind(QStringLiteral("SNAPSHOT")))
        QVERIFY2(s.value(QStringLiteral("status")).toString() == QLatin1String("ok"),
                 qPrintable(QString::fromUtf8(QJsonDocument(s).toJson())));

    const CertKey expired = m_pki.issue(CertSpec::server().expired(2));
    const CertKey notYet = m_pki.issue(CertSpec::server().notYetValid(2));
    const CertKey plain = m_pki.issue();
    const CertKey forP12 = m_pki.issue();
    const CertKey forEnc = m_pki.issue();
    auto wrongP12 = CertFactory::pkcs12(forP12, "another-password", m_pki.chain.intermediates);
    auto encKey = CertFactory::encryptedKeyPem(forEnc, "keypass");
    QVERIFY(wrongP12.ok() && encKey.ok());
    QVERIFY(writeBundle(cases[0].dir, expired, m_pki.chain.root));
    QVERIFY(writeBundle(cases[1].dir, notYet, m_pki.chain.root));
    QVERIFY(writeInPlace(cases[2].dir + QStringLiteral("/tls.key"), plain.keyPem));
    QVERIFY(writeInPlace(cases[2].dir + QStringLiteral("/tls.crt"), plain.certPem)); // leaf only
    QVERIFY(writeAndRename(cases[3].dir + QStringLiteral("/keystore.p12"), wrongP12.value()));
    QVERIFY(writeInPlace(cases[4].dir + QStringLiteral("/tls.key"), encKey.value()));
    QVERIFY(writeInPlace(cases[4].dir + QStringLiteral("/tls.crt"), forEnc.chainPem));

    QVERIFY(w.waitFor(QStringLiteral("INVALID"), 5, 8000));
    w.settle(QuietMs * 5);
    for (const Case &c : std::as_const(cases)) {
        QStringList kinds;
        QJsonObject invalid;
        for (const QJsonObject &o : std::as_const(w.events)) {
            if (o.value(QStringLiteral("bundle")).toString() != c.dir ||
                o.value(QStringLiteral("event")).toString() == QLatin1String("SNAPSHOT"))
                continue;
            kinds << o.value(QStringLiteral("event")).toString();
            if (kinds.last() == QLatin1String("INVALID"))
                invalid = o;
        }
        QVERIFY2(kinds == (QStringList{QStringLiteral("PENDING"), QStringLiteral("INVALID")}),
                 qPrintable(c.name + QStringLiteral(": ") + kinds.join(QLatin1Char(','))));
        QVERIFY2(invalid.value(QStringLiteral("reason")).toString() == c.reason,
                 qPrintable(c.name + QStringLiteral(": ") +
                            QString::fromUtf8(QJsonDocument(invalid).toJson())));
        QCOMPARE(invalid.value(QStringLiteral("fingerprint")).toString(), c.goodFp);
    }
    QCOMPARE(stat(w.stop(), "commits"), 0);
}

void TestCertsWatch::burstOfWrites()
{
    // 100 000 rewrites of the same bytes (one fd, pwrite at offset 0: the file never looks
    // truncated), then the new content: exactly one CHANGED, at most 2 parses after the cold scan.
    QTemporaryDir tmp;
    const QString dir = tmp.filePath(QStringLiteral("tls"));
    const CertKey first = m_pki.issue();
    QVERIFY(writeBundle(dir, first, m_pki.chain.root));
    WatchProcess w;
    QVERIFY(w.start({dir}));
    const QByteArray path = enc(dir + QStringLiteral("/tls.crt"));
    const int fd = ::open(path.constData(), O_WRONLY | O_CLOEXEC);
    QVERIFY(fd >= 0);
    QElapsedTimer t;
    t.start();
    int writes = 0;
    for (; writes < 100000 && t.elapsed() < 20000; ++writes) {
        if (::pwrite(fd, first.chainPem.constData(), size_t(first.chainPem.size()), 0) !=
            first.chainPem.size())
            break;
    }
    ::close(fd);
    QCOMPARE(writes, 100000);
    const CertKey next = m_pki.issue();
    QVERIFY(writeInPlace(dir + QStringLiteral("/tls.key"), next.keyPem));
    QVERIFY(writeInPlace(dir + QStringLiteral("/tls.crt"), next.chainPem));
    QVERIFY(w.waitFor(QStringLiteral("CHANGED")));
    w.settle(QuietMs * 5);
    QCOMPARE(w.kindsAfterReady(), QStringList{QStringLiteral("CHANGED")});
    const QJsonObject stats = w.stop();
    QVERIFY(stat(stats, "parses") - 3 <= 2);
    qInfo() << "burst:" << writes << "writes in" << t.elapsed() << "ms; STATS" << stats;
}

void TestCertsWatch::queueOverflow()
{
    // The watcher is stopped (SIGSTOP) while more than max_queued_events distinct events happen
    // (hidden files: not part of the bundle), the certificate is rotated in between; after
    // SIGCONT the IN_Q_OVERFLOW forces a rescan that finds exactly the final state.
    QFile limitFile(QStringLiteral("/proc/sys/fs/inotify/max_queued_events"));
    QVERIFY(limitFile.open(QIODevice::ReadOnly));
    const int limit = limitFile.readAll().trimmed().toInt();
    if (limit <= 0 || limit > 100000)
        QSKIP("max_queued_events is not a small number here");
    QTemporaryDir tmp;
    const QString dir = tmp.filePath(QStringLiteral("tls"));
    QVERIFY(writeBundle(dir, m_pki.issue(), m_pki.chain.root));
    WatchProcess w;
    QVERIFY(w.start({dir}));
    const pid_t pid = pid_t(w.process.processId());
    QVERIFY(::kill(pid, SIGSTOP) == 0);
    const CertKey next = m_pki.issue();
    for (int i = 0; i < limit + 500; ++i) {
        if (i == limit / 2) {
            QVERIFY(writeAndRename(dir + QStringLiteral("/tls.key"), next.keyPem));
            QVERIFY(writeAndRename(dir + QStringLiteral("/tls.crt"), next.chainPem));
        }
        const int fd = ::open(enc(dir + QStringLiteral("/.junk%1").arg(i)).constData(),
                              O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
        QVERIFY(fd >= 0);
        ::close(fd);
    }
    QVERIFY(::kill(pid, SIGCONT) == 0);
    QVERIFY(w.waitFor(QStringLiteral("CHANGED")));
    w.settle(QuietMs * 5);
    QCOMPARE(w.kindsAfterReady(), QStringList{QStringLiteral("CHANGED")});
    QCOMPARE(w.ofKind(QStringLiteral("CHANGED"))
                 .first()
                 .value(QStringLiteral("new_fingerprint"))
                 .toString(),
             fp(next));
    const QJsonObject stats = w.stop();
    QVERIFY2(stat(stats, "overflows") >= 1,
             qPrintable(QString::fromUtf8(QJsonDocument(stats).toJson())));
}

void TestCertsWatch::forcedPoll()
{
    QTemporaryDir tmp;
    const QString dir = tmp.filePath(QStringLiteral("tls"));
    QVERIFY(writeBundle(dir, m_pki.issue(), m_pki.chain.root));
    WatchProcess w;
    QVERIFY(w.start({QStringLiteral("--force-poll"), dir}));
    QVERIFY(w.waitFor(QStringLiteral("WATCH_DEGRADED")));
    QCOMPARE(w.ofKind(QStringLiteral("SNAPSHOT")).first().value(QStringLiteral("watch")).toString(),
             QStringLiteral("poll"));
    QCOMPARE(w.ofKind(QStringLiteral("WATCH_DEGRADED"))
                 .first()
                 .value(QStringLiteral("reason"))
                 .toString(),
             QStringLiteral("forced"));
    const CertKey next = m_pki.issue();
    QVERIFY(writeAndRename(dir + QStringLiteral("/tls.key"), next.keyPem));
    QVERIFY(writeAndRename(dir + QStringLiteral("/tls.crt"), next.chainPem));
    QVERIFY(w.waitFor(QStringLiteral("CHANGED")));
    QCOMPARE(w.kindsAfterReady(),
             (QStringList{QStringLiteral("WATCH_DEGRADED"), QStringLiteral("CHANGED")}));
    const QJsonObject stats = w.stop();
    QCOMPARE(stat(stats, "fs_events"), 0);
    QVERIFY(stat(stats, "polls") >= 1);
}

void TestCertsWatch::watchLimit()
{
    QTemporaryDir tmp;
    const QString dir = tmp.filePath(QStringLiteral("tls"));
    QVERIFY(writeBundle(dir, m_pki.issue(), m_pki.chain.root));
    WatchProcess w;
    QVERIFY(w.start({QStringLiteral("--max-watches"), QStringLiteral("1"), dir}));
    QVERIFY(w.waitFor(QStringLiteral("WATCH_DEGRADED")));
    QCOMPARE(w.ofKind(QStringLiteral("WATCH_DEGRADED"))
                 .first()
                 .value(QStringLiteral("reason"))
                 .toString(),
             QStringLiteral("watch_limit"));
    const CertKey next = m_pki.issue();
    QVERIFY(writeInPlace(dir + QStringLiteral("/tls.key"), next.keyPem));
    QVERIFY(writeInPlace(dir + QStringLiteral("/tls.crt"), next.chainPem));
    QVERIFY(w.waitFor(QStringLiteral("CHANGED")));
    QVERIFY(!w.stop().isEmpty());
}

void TestCertsWatch::tableFormat()
{
    QTemporaryDir tmp;
    const QString dir = tmp.filePath(QStringLiteral("tls"));
    QVERIFY(writeBundle(dir, m_pki.issue(), m_pki.chain.root));
    QProcess p;
    p.start(opsdeckBinary(), {QStringLiteral("certs"), QStringLiteral("watch"),
                              QStringLiteral("--format"), QStringLiteral("table"), dir});
    QVERIFY(p.waitForStarted(5000));
    QByteArray out;
    QElapsedTimer t;
    t.start();
    while (!out.contains("READY") && t.elapsed() < EventTimeoutMs) {
        p.waitForReadyRead(50);
        out += p.readAllStandardOutput();
    }
    QVERIFY(out.contains("SNAPSHOT"));
    ::kill(pid_t(p.processId()), SIGINT);
    QVERIFY(p.waitForFinished(5000));
    out += p.readAllStandardOutput();
    QCOMPARE(p.exitCode(), 0);
    const QList<QByteArray> lines = out.trimmed().split('\n');
    QCOMPARE(lines.size(), 3);
    QVERIFY(lines.at(0).contains("SNAPSHOT") && lines.at(0).contains("status=ok"));
    QVERIFY(lines.at(2).contains("STATS") && lines.at(2).contains("parses=3"));
}

namespace {

// A real `openssl s_server` on 127.0.0.1 serving one certificate.
class SServer
{
public:
    QProcess process;
    ~SServer() { stop(); }
    bool start(quint16 port, const QString &cert, const QString &key)
    {
        process.start(QStringLiteral("openssl"),
                      {QStringLiteral("s_server"), QStringLiteral("-accept"),
                       QStringLiteral("127.0.0.1:%1").arg(port), QStringLiteral("-cert"), cert,
                       QStringLiteral("-key"), key, QStringLiteral("-quiet")});
        if (!process.waitForStarted(5000))
            return false;
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < 10000 && process.state() == QProcess::Running) {
            QTcpSocket probe;
            probe.connectToHost(QHostAddress::LocalHost, port);
            if (probe.waitForConnected(200))
                return true;
            process.waitForFinished(50);
        }
        return false;
    }
    void stop()
    {
        if (process.state() != QProcess::NotRunning) {
            process.kill();
            process.waitForFinished(3000);
        }
    }
};

quint16 freePort()
{
    QTcpServer s;
    return s.listen(QHostAddress::LocalHost, 0) ? s.serverPort() : 0;
}

} // namespace

void TestCertsWatch::servedBeforeAndAfterServerRestart()
{
    QTemporaryDir tmp;
    const QString dir = tmp.filePath(QStringLiteral("tls"));
    const QString served = tmp.filePath(QStringLiteral("served"));
    const CertKey first = m_pki.issue();
    QVERIFY(writeBundle(dir, first, m_pki.chain.root));
    QVERIFY(writeBundle(served, first, m_pki.chain.root));
    const quint16 port = freePort();
    QVERIFY(port != 0);
    SServer server;
    QVERIFY(server.start(port, served + QStringLiteral("/tls.crt"),
                         served + QStringLiteral("/tls.key")));

    WatchProcess w;
    QVERIFY(w.start({dir, QStringLiteral("--probe"), QStringLiteral("127.0.0.1:%1").arg(port),
                     QStringLiteral("--probe-interval"), QStringLiteral("1")}));
    QVERIFY(w.waitFor(QStringLiteral("SERVED")));
    QJsonObject s1 = w.ofKind(QStringLiteral("SERVED")).at(0);
    QCOMPARE(s1.value(QStringLiteral("endpoint")).toString(),
             QStringLiteral("127.0.0.1:%1").arg(port));
    QCOMPARE(s1.value(QStringLiteral("fingerprint")).toString(), fp(first));
    QCOMPARE(s1.value(QStringLiteral("matches_disk")).toBool(true), true);

    // Rotate on disk only: the service still serves the old certificate.
    const CertKey next = m_pki.issue(CertSpec::server().validFor(400));
    QVERIFY(writeBundle(dir, next, m_pki.chain.root));
    QVERIFY(w.waitFor(QStringLiteral("CHANGED")));
    QVERIFY(w.waitFor(QStringLiteral("SERVED"), 2));
    const QJsonObject s2 = w.ofKind(QStringLiteral("SERVED")).at(1);
    QCOMPARE(s2.value(QStringLiteral("fingerprint")).toString(), fp(first));
    QCOMPARE(s2.value(QStringLiteral("matches_disk")).toBool(true), false);
    QCOMPARE(s2.value(QStringLiteral("detail")).toString(),
             QStringLiteral("rotated on disk, not reloaded by the service"));

    // The periodic re-probe finds the same: no new event (only news is printed).
    w.settle(2500);
    QCOMPARE(w.count(QStringLiteral("SERVED")), 2);

    // Restart the service with the new material: the next periodic probe sees it.
    server.stop();
    QVERIFY(writeBundle(served, next, m_pki.chain.root));
    QVERIFY(server.start(port, served + QStringLiteral("/tls.crt"),
                         served + QStringLiteral("/tls.key")));
    QVERIFY(w.waitFor(QStringLiteral("SERVED"), 3, 10000));
    const QList<QJsonObject> all = w.ofKind(QStringLiteral("SERVED"));
    const QJsonObject last = all.last();
    QCOMPARE(last.value(QStringLiteral("fingerprint")).toString(), fp(next));
    QCOMPARE(last.value(QStringLiteral("matches_disk")).toBool(false), true);
    QVERIFY(!w.stop().isEmpty());
}

namespace {

bool runTool(const QString &program, const QStringList &args, const QStringList &env = {})
{
    QProcess p;
    QProcessEnvironment e = QProcessEnvironment::systemEnvironment();
    for (const QString &kv : env)
        e.insert(kv.section(QLatin1Char('='), 0, 0), kv.section(QLatin1Char('='), 1));
    p.setProcessEnvironment(e);
    p.start(program, args);
    if (!p.waitForFinished(60000)) {
        p.kill();
        p.waitForFinished();
        return false;
    }
    if (p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0)
        qWarning() << program << args << p.readAllStandardError();
    return p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
}

// Writes one keystore of `format` for `leaf` to `target` (via a temporary file + rename, as a
// deployment tool would). The store password comes from the environment, never a command line.
bool writeStore(const QString &format, const CertKey &leaf, const QString &work,
                const QString &target)
{
    const QString crt = work + QStringLiteral("/leaf.crt");
    const QString key = work + QStringLiteral("/leaf.key");
    if (!writeInPlace(crt, leaf.certPem) || !writeInPlace(key, leaf.keyPem))
        return false;
    const QString tmp = target + QStringLiteral(".tmp");
    const QStringList env{QStringLiteral("OPSDECK_TEST_STOREPW=store-pass")};
    bool ok = false;
    if (format == QLatin1String("jks")) {
        // keytool makes JKS from a PKCS#12 import; the leaf's own chain is imported with it.
        const QString p12 = work + QStringLiteral("/leaf.p12");
        QFile::remove(p12);
        ok = runTool(QStringLiteral("openssl"),
                     {QStringLiteral("pkcs12"), QStringLiteral("-export"), QStringLiteral("-in"),
                      crt, QStringLiteral("-inkey"), key, QStringLiteral("-name"),
                      QStringLiteral("server"), QStringLiteral("-passout"),
                      QStringLiteral("env:OPSDECK_TEST_STOREPW"), QStringLiteral("-out"), p12},
                     env) &&
             runTool(QStringLiteral("keytool"),
                     {QStringLiteral("-importkeystore"), QStringLiteral("-noprompt"),
                      QStringLiteral("-srckeystore"), p12, QStringLiteral("-srcstoretype"),
                      QStringLiteral("PKCS12"), QStringLiteral("-srcstorepass:env"),
                      QStringLiteral("OPSDECK_TEST_STOREPW"), QStringLiteral("-destkeystore"), tmp,
                      QStringLiteral("-deststoretype"), QStringLiteral("JKS"),
                      QStringLiteral("-deststorepass:env"), QStringLiteral("OPSDECK_TEST_STOREPW")},
                     env);
    } else {
        QStringList args{QStringLiteral("pkcs12"), QStringLiteral("-export"),
                         QStringLiteral("-in"),    crt,
                         QStringLiteral("-inkey"), key,
                         QStringLiteral("-out"),   tmp};
        if (format == QLatin1String("legacy-p12"))
            args << QStringLiteral("-legacy") << QStringLiteral("-passout")
                 << QStringLiteral("env:OPSDECK_TEST_STOREPW");
        else // no-MAC, unencrypted: a truststore-style PKCS#12
            args << QStringLiteral("-nomac") << QStringLiteral("-keypbe") << QStringLiteral("NONE")
                 << QStringLiteral("-certpbe") << QStringLiteral("NONE")
                 << QStringLiteral("-passout") << QStringLiteral("pass:");
        ok = runTool(QStringLiteral("openssl"), args, env);
    }
    return ok &&
           ::rename(QFile::encodeName(tmp).constData(), QFile::encodeName(target).constData()) == 0;
}

} // namespace

void TestCertsWatch::keystoreFormats_data()
{
    QTest::addColumn<QString>("format");
    QTest::addColumn<QString>("warning");
    QTest::addRow("jks without password")
        << QStringLiteral("jks") << QStringLiteral("integrity_not_verified");
    QTest::addRow("legacy pkcs12") << QStringLiteral("legacy-p12") << QString();
    QTest::addRow("no-mac pkcs12") << QStringLiteral("nomac-p12") << QStringLiteral("no_mac");
}

// Keystores rotate like PEM files: SNAPSHOT of the current store, then one CHANGED per new store.
void TestCertsWatch::keystoreFormats()
{
    QFETCH(QString, format);
    QFETCH(QString, warning);
    if (format == QLatin1String("jks") &&
        QStandardPaths::findExecutable(QStringLiteral("keytool")).isEmpty())
        QSKIP("keytool (a Java runtime) is not installed");
    QTemporaryDir tmp;
    const QString dir = tmp.filePath(QStringLiteral("store"));
    QVERIFY(QDir().mkpath(dir));
    // The self-signed leaf is its own anchor, so the store is a whole bundle on its own.
    const auto first = CertFactory::selfSigned(CertSpec::server(QStringLiteral("store-one")));
    QVERIFY(first.ok());
    const QString target = dir + QStringLiteral("/keystore");
    QVERIFY(writeStore(format, first.value(), tmp.path(), target));

    QStringList args{dir};
    QStringList env;
    if (format == QLatin1String("legacy-p12")) {
        args << QStringLiteral("--password") << QStringLiteral("env:OPSDECK_TEST_STOREPW");
        env << QStringLiteral("OPSDECK_TEST_STOREPW=store-pass");
    }
    WatchProcess w;
    QVERIFY(w.start(args, env));
    const QJsonObject snapshot = w.ofKind(QStringLiteral("SNAPSHOT")).first();
    QCOMPARE(snapshot.value(QStringLiteral("status")).toString(), QStringLiteral("ok"));
    QCOMPARE(snapshot.value(QStringLiteral("fingerprint")).toString(), fp(first.value()));
    if (!warning.isEmpty())
        QVERIFY2(QJsonDocument(snapshot).toJson().contains(warning.toUtf8()),
                 QJsonDocument(snapshot).toJson().constData());

    const auto second = CertFactory::selfSigned(CertSpec::server(QStringLiteral("store-two")));
    QVERIFY(second.ok());
    QVERIFY(writeStore(format, second.value(), tmp.path(), target));
    QVERIFY(w.waitFor(QStringLiteral("CHANGED")));
    const QJsonObject changed = w.ofKind(QStringLiteral("CHANGED")).first();
    QCOMPARE(changed.value(QStringLiteral("old_fingerprint")).toString(), fp(first.value()));
    QCOMPARE(changed.value(QStringLiteral("new_fingerprint")).toString(), fp(second.value()));
    w.settle(QuietMs * 5);
    QCOMPARE(w.kindsAfterReady(), QStringList{QStringLiteral("CHANGED")});
    const QJsonObject stats = w.stop();
    QVERIFY(!stats.isEmpty());
    QVERIFY(!QJsonDocument(stats).toJson().contains("store-pass"));
    for (const QJsonObject &e : std::as_const(w.events))
        QVERIFY(!QJsonDocument(e).toJson().contains("store-pass"));
}

void TestCertsWatch::usageErrors()
{
    const QList<QStringList> bad{
        {},
        {QStringLiteral("--quiet-period"), QStringLiteral("soon"), QStringLiteral("/tmp")},
        {QStringLiteral("--poll-interval"), QStringLiteral("0"), QStringLiteral("/tmp")},
        {QStringLiteral("--format"), QStringLiteral("xml"), QStringLiteral("/tmp")},
        {QStringLiteral("--probe"), QStringLiteral("nohostport"), QStringLiteral("/tmp")},
        {QStringLiteral("--bogus"), QStringLiteral("/tmp")},
        {QStringLiteral("--password"), QStringLiteral("env:OPSDECK_TEST_UNSET_VARIABLE"),
         QStringLiteral("/tmp")},
    };
    for (const QStringList &args : bad) {
        QProcess p;
        p.start(opsdeckBinary(),
                QStringList{QStringLiteral("certs"), QStringLiteral("watch")} + args);
        QVERIFY(p.waitForFinished(5000));
        QVERIFY2(p.exitCode() == 3, qPrintable(args.join(QLatin1Char(' '))));
        const QByteArray err = p.readAllStandardError();
        QVERIFY2(err.contains("opsdeck certs watch:"), err.constData());
        QVERIFY(p.readAllStandardOutput().isEmpty());
    }
}

OPSDECK_TEST_GUILESS_MAIN(TestCertsWatch)
#include "tst_certswatch.moc"
