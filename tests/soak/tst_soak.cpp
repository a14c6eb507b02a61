// SPDX-License-Identifier: GPL-3.0-or-later
// The soak: the demo sandbox (real ZooKeeper with churning Solr nodes, a certificate rotating every
// few seconds, the Flink simulator) and the real console on it, as a user runs them with
// `./opsdeck.sh run`, for a fixed time. The console's resident memory is sampled from /proc and
// must stay flat once it is warmed up; the work it did (reload events stored) is checked, so an
// idle console cannot pass. ctest runs it shortened (OPSDECK_SOAK_SECONDS, default 75 s, with a
// rotation every 3 s); `./opsdeck.sh soak [HOURS]` runs it for a day at the sandbox's demo pace.
//
// Environment: OPSDECK_SOAK_SECONDS (duration), OPSDECK_SOAK_ROTATE_SECONDS (the sandbox's
// rotation period), OPSDECK_SOAK_MAX_GROWTH_MB (the bound on growth after warm-up, default 16).
// The samples are written to $OPSDECK_BUILD_DIR/soak/rss.csv (seconds,rss_kb).

#include "common/historystore.h"
#include "testmain.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTimer>
#include <algorithm>
#include <csignal>
#include <sys/prctl.h>

using namespace opsdeck;

namespace {

int envInt(const char *name, int fallback)
{
    bool ok = false;
    const int value = qEnvironmentVariableIntValue(name, &ok);
    return ok && value > 0 ? value : fallback;
}

QString binary(const QString &name)
{
    return qEnvironmentVariable("OPSDECK_BUILD_DIR") + QStringLiteral("/bin/") + name;
}

// VmRSS of a process in kB, or -1 when it is gone.
qint64 residentKb(qint64 pid)
{
    QFile status(QStringLiteral("/proc/%1/status").arg(pid));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    const QList<QByteArray> lines = status.readAll().split('\n');
    for (const QByteArray &line : lines) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').value(0).toLongLong();
    }
    return -1;
}

qint64 median(QList<qint64> values)
{
    if (values.isEmpty())
        return 0;
    std::sort(values.begin(), values.end());
    return values.at(values.size() / 2);
}

// A child that dies with the test (SIGKILL when this thread ends), in its own output files.
void startChild(QProcess &p, const QString &program, const QStringList &args,
                const QProcessEnvironment &env, const QString &logPrefix)
{
    p.setProcessEnvironment(env);
    p.setStandardOutputFile(logPrefix + QStringLiteral(".out"));
    p.setStandardErrorFile(logPrefix + QStringLiteral(".err"));
    p.setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGKILL); });
    p.start(program, args);
}

} // namespace

class TestSoak : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void consoleMemoryStaysFlatOnTheSandbox()
    {
        const int seconds = envInt("OPSDECK_SOAK_SECONDS", 75);
        const int rotate = envInt("OPSDECK_SOAK_ROTATE_SECONDS", 3);
        const qint64 maxGrowthKb = envInt("OPSDECK_SOAK_MAX_GROWTH_MB", 16) * 1024LL;
        const int sampleMs = std::clamp(seconds * 1000 / 120, 500, 60000);

        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("XDG_DATA_HOME"), dir.filePath(QStringLiteral("data")));
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), dir.filePath(QStringLiteral("config")));
        env.insert(QStringLiteral("XDG_STATE_HOME"), dir.filePath(QStringLiteral("state")));
        env.insert(QStringLiteral("XDG_CACHE_HOME"), dir.filePath(QStringLiteral("cache")));

        QProcess sandbox;
        const QString ready = dir.filePath(QStringLiteral("ready"));
        startChild(sandbox, binary(QStringLiteral("opsdeck-sandbox")),
                   {QStringLiteral("--dir"), dir.path(), QStringLiteral("--ready-file"), ready,
                    QStringLiteral("--rotate-seconds"), QString::number(rotate)},
                   env, dir.filePath(QStringLiteral("sandbox")));
        QVERIFY2(sandbox.waitForStarted(10000), qPrintable(sandbox.errorString()));
        QTRY_VERIFY_WITH_TIMEOUT(
            QFileInfo(ready).size() > 0 || sandbox.state() == QProcess::NotRunning, 90000);
        QCOMPARE(sandbox.state(), QProcess::Running);

        QProcess console;
        QProcessEnvironment guiEnv = env;
        guiEnv.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        startChild(console, binary(QStringLiteral("opsdeck")),
                   {QStringLiteral("--config"), dir.filePath(QStringLiteral("profiles.json"))},
                   guiEnv, dir.filePath(QStringLiteral("console")));
        QVERIFY2(console.waitForStarted(10000), qPrintable(console.errorString()));
        const qint64 pid = console.processId();

        QList<QPair<qint64, qint64>> samples; // ms since start, kB
        QElapsedTimer clock;
        clock.start();
        QTimer sampler;
        sampler.setInterval(sampleMs);
        connect(&sampler, &QTimer::timeout, this,
                [&] { samples << qMakePair(clock.elapsed(), residentKb(pid)); });
        sampler.start();
        QTimer end;
        end.setSingleShot(true);
        QSignalSpy ended(&end, &QTimer::timeout);
        QSignalSpy consoleExited(&console, &QProcess::finished);
        end.start(seconds * 1000);
        // Wait for the end of the run, or the console's early death (a crash is a failure).
        QTRY_VERIFY_WITH_TIMEOUT(!ended.isEmpty() || !consoleExited.isEmpty(),
                                 seconds * 1000 + 30000);
        sampler.stop();
        QVERIFY2(consoleExited.isEmpty(),
                 qPrintable(QStringLiteral("the console exited during the soak (code %1)")
                                .arg(console.exitCode())));

        // Clean shutdown after the run, within a bound.
        console.terminate();
        QVERIFY(console.waitForFinished(15000));
        QCOMPARE(console.exitStatus(), QProcess::NormalExit);
        sandbox.terminate();
        QVERIFY(sandbox.waitForFinished(30000));

        // The console did the work: the rotations it saw are in its history.
        HistoryStore history;
        QVERIFY(history.open(dir.filePath(QStringLiteral("data/opsdeck/history.sqlite"))));
        const auto events = history.reloadEvents(HistoryStore::MaxReloadEvents);
        QVERIFY2(events, qPrintable(events ? QString() : events.error().toString()));
        // At least a fifth of the rotations: the monitor's quiet period and a loaded machine
        // merge some, an idle console would store none.
        const int expectedRotations = std::max(3, seconds / rotate / 5);
        const bool enoughWork = events.value().size() >= expectedRotations;

        // Memory: warm-up is the first 40 %; the baseline is the median of the next 10 %, the
        // end the median of the last 10 %.
        QList<qint64> rss;
        for (const auto &s : std::as_const(samples)) {
            QVERIFY(s.second > 0);
            rss << s.second;
        }
        QVERIFY2(rss.size() >= 20, "too few samples");
        const qsizetype n = rss.size();
        const qint64 baseline = median(rss.mid(n * 4 / 10, std::max<qsizetype>(1, n / 10)));
        const qint64 last = median(rss.mid(n - std::max<qsizetype>(1, n / 10)));
        const qint64 peak = *std::max_element(rss.cbegin(), rss.cend());
        const qint64 growth = last - baseline;

        const QString outDir = qEnvironmentVariable("OPSDECK_BUILD_DIR") + QStringLiteral("/soak");
        QDir().mkpath(outDir);
        QFile csv(outDir + QStringLiteral("/rss.csv"));
        if (csv.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
            csv.write("seconds,rss_kb\n");
            for (const auto &s : std::as_const(samples))
                csv.write(QByteArray::number(s.first / 1000.0, 'f', 1) + ',' +
                          QByteArray::number(s.second) + '\n');
        }
        qInfo("soak: %d s, rotation every %d s, %d reload events stored, %d samples; RSS "
              "baseline %lld kB, end %lld kB, growth %lld kB (bound %lld kB), peak %lld kB",
              seconds, rotate, int(events.value().size()), int(n), baseline, last, growth,
              maxGrowthKb, peak);
        QVERIFY2(enoughWork, qPrintable(QStringLiteral("only %1 reload events stored in %2 s")
                                            .arg(events.value().size())
                                            .arg(seconds)));
        QVERIFY2(growth < maxGrowthKb,
                 qPrintable(QStringLiteral("resident memory grew by %1 kB after warm-up (bound "
                                           "%2 kB); samples in %3")
                                .arg(growth)
                                .arg(maxGrowthKb)
                                .arg(csv.fileName())));
    }
};

OPSDECK_TEST_GUILESS_MAIN(TestSoak)
#include "tst_soak.moc"
