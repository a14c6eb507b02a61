// SPDX-License-Identifier: GPL-3.0-or-later
// Watcher benchmarks. Prints "BENCH <name> <value> <unit>" lines; asserts nothing about time.
//   warm rescan of 10 000 unchanged files (goal <= 100 ms, 0 parses)
//   cold scan of 10 000 PEM chain files vs a serial in-process OpenSSL loop and vs
//     `openssl x509` per file (sampled on 100 files, extrapolated)
//   rotation detection latency over 200 swaps (p50/p99 vs the quiet period)
//   parses during a 100 000-event burst
//   CPU time while idle with 1 000 watched files (OPSDECK_BENCH_IDLE_S, default 60)
// Sizes: OPSDECK_BENCH_FILES (10000), OPSDECK_BENCH_SWAPS (200).

#include "certfactory.h"
#include "tls/bundlemonitor.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTimer>
#include <algorithm>
#include <cstdio>
#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/opensslv.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sys/resource.h>
#include <thread>
#include <unistd.h>
#include <vector>

using namespace opsdeck;
using namespace opsdeck::tls;
using namespace opsdeck::test;

namespace {

int envInt(const char *name, int fallback)
{
    bool ok = false;
    const int v = qEnvironmentVariableIntValue(name, &ok);
    return ok && v > 0 ? v : fallback;
}

void bench(const char *name, double value, const char *unit)
{
    std::printf("BENCH %s %.3f %s\n", name, value, unit);
    std::fflush(stdout);
}

bool writeFile(const QString &path, const QByteArray &bytes)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(bytes) == bytes.size();
}

// Waits (event loop running) until pred() or the bound passes.
template<typename P> bool spin(P pred, int timeoutMs)
{
    QElapsedTimer t;
    t.start();
    while (!pred() && t.elapsed() < timeoutMs)
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents, 5);
    return pred();
}

void settleRacy()
{
    // Let freshly written files age past the timestamp-granularity margin (see bundlemonitor).
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < 200)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
}

double cpuMs()
{
    struct rusage ru
    {
    };
    ::getrusage(RUSAGE_SELF, &ru);
    return (double(ru.ru_utime.tv_sec) + double(ru.ru_stime.tv_sec)) * 1000.0 +
           (double(ru.ru_utime.tv_usec) + double(ru.ru_stime.tv_usec)) / 1000.0;
}

// Distinct files with the same certificates: a comment line makes every file's bytes (and
// hash) unique, so every file is really parsed.
QByteArray variant(const QByteArray &pem, int i)
{
    return QByteArray("# file ") + QByteArray::number(i) + '\n' + pem;
}

void scans(const CertChain &chain, int files)
{
    QTemporaryDir tmp;
    const QString dir = tmp.filePath(QStringLiteral("many"));
    QDir().mkpath(dir);
    // The bundle must be consistent for the scan to be meaningful: one key, its chain, the root;
    // the other files are more copies of the chain (distinct bytes).
    writeFile(dir + QStringLiteral("/tls.key"), chain.leaf.keyPem);
    writeFile(dir + QStringLiteral("/ca.crt"), chain.root.certPem);
    for (int i = 0; i < files - 2; ++i)
        writeFile(dir + QStringLiteral("/chain%1.pem").arg(i, 5, 10, QLatin1Char('0')),
                  variant(chain.leaf.chainPem, i));
    settleRacy();

    MonitorOptions o;
    o.pollIntervalS = 3600;
    double coldPipelineMs = 0;
    BundleMonitor m(o);
    m.addBundle({dir, {}, false, {}, 30});
    QElapsedTimer t;
    t.start();
    m.start();
    const double coldMs = double(t.nsecsElapsed()) / 1e6;
    const WatchStats cold = m.stats();
    bench("cold_scan_monitor_total", coldMs, "ms");
    bench("cold_scan_files", files, "files");
    bench("cold_scan_parses", double(cold.parses), "parses");
    bench("cold_scan_verdict_ok", m.states().first().lastGood.verdict == Verdict::Ok ? 1 : 0,
          "bool");

    {
        // The watcher's own pipeline (stat, read, hash, parse on all cores) without the bundle
        // evaluation, whose cost grows with the number of certificates in one bundle.
        MonitorOptions po = o;
        po.evaluate = [](const QList<FileInspection> &fs, const EvaluateOptions &) {
            BundleEvaluation e;
            e.manifest = manifestHash(fs);
            return e;
        };
        BundleMonitor pm(po);
        pm.addBundle({dir, {}, false, {}, 30});
        QElapsedTimer pt;
        pt.start();
        pm.start();
        const double pipelineMs = double(pt.nsecsElapsed()) / 1e6;
        bench("cold_scan_hash_parse", pipelineMs, "ms");
        bench("cold_scan_evaluate_share", coldMs - pipelineMs, "ms");
        coldPipelineMs = pipelineMs;
    }

    double best = 1e9;
    for (int round = 0; round < 3; ++round) {
        t.restart();
        m.rescanAll();
        best = std::min(best, double(t.nsecsElapsed()) / 1e6);
    }
    bench("warm_rescan_10k", best, "ms");
    bench("warm_rescan_parses", double(m.stats().parses - cold.parses), "parses");
    bench("warm_rescan_hash_reads", double(m.stats().hashReads - cold.hashReads), "reads");

    // Serial in-process OpenSSL: read every file, PEM_read_bio_X509 every certificate.
    const QStringList names = QDir(dir).entryList(QDir::Files, QDir::Name);
    t.restart();
    int certs = 0;
    for (const QString &n : names) {
        QFile f(dir + QLatin1Char('/') + n);
        if (!f.open(QIODevice::ReadOnly))
            continue;
        const QByteArray bytes = f.readAll();
        BIO *bio = BIO_new_mem_buf(bytes.constData(), int(bytes.size()));
        while (X509 *x = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)) {
            ++certs;
            X509_free(x);
        }
        BIO_free(bio);
    }
    const double serialMs = double(t.nsecsElapsed()) / 1e6;
    bench("cold_scan_serial_openssl_loop", serialMs, "ms");
    bench("cold_scan_serial_openssl_certs", certs, "certs");
    bench("ratio_monitor_vs_serial_loop", coldMs / serialMs, "x");
    bench("ratio_hash_parse_vs_serial_loop", coldPipelineMs / serialMs, "x");

    // `openssl x509` per file, on a sample, extrapolated.
    const int sample = std::min(100, int(names.size()));
    t.restart();
    for (int i = 0; i < sample; ++i) {
        QProcess p;
        p.start(QStringLiteral("openssl"),
                {QStringLiteral("x509"), QStringLiteral("-noout"), QStringLiteral("-fingerprint"),
                 QStringLiteral("-sha256"), QStringLiteral("-in"),
                 dir + QLatin1Char('/') + names.at(names.size() - 1 - i)});
        p.waitForFinished(10000);
    }
    const double perFile = double(t.nsecsElapsed()) / 1e6 / std::max(1, sample);
    bench("openssl_cli_per_file", perFile, "ms");
    bench("openssl_cli_extrapolated", perFile * files, "ms");
    bench("ratio_openssl_cli_vs_monitor", perFile * files / coldMs, "x");
}

void latency(const CertChain &chain, int swaps)
{
    QTemporaryDir tmp;
    const QString dir = tmp.filePath(QStringLiteral("rot"));
    QDir().mkpath(dir);
    writeFile(dir + QStringLiteral("/tls.key"), chain.leaf.keyPem);
    writeFile(dir + QStringLiteral("/ca.crt"), chain.root.certPem);
    writeFile(dir + QStringLiteral("/tls.crt"), chain.leaf.chainPem);
    const int quiet = envInt("OPSDECK_BENCH_QUIET_MS", 50);
    MonitorOptions o;
    o.quietPeriodMs = quiet;
    o.pollIntervalS = 3600;
    BundleMonitor m(o);
    int changed = 0;
    QElapsedTimer since;
    std::vector<double> lat;
    QObject::connect(&m, &BundleMonitor::event, &m, [&](const ReloadEvent &e) {
        if (e.kind == ReloadEventKind::Changed) {
            ++changed;
            lat.push_back(double(since.nsecsElapsed()) / 1e6);
        }
    });
    m.addBundle({dir, {}, false, {}, 30});
    m.start();
    const QString crt = dir + QStringLiteral("/tls.crt");
    for (int i = 0; i < swaps; ++i) {
        writeFile(crt + QStringLiteral(".tmp"), variant(chain.leaf.chainPem, i));
        since.start();
        ::rename(QFile::encodeName(crt + QStringLiteral(".tmp")).constData(),
                 QFile::encodeName(crt).constData());
        if (!spin([&] { return changed > i; }, 10 * quiet + 2000))
            break;
    }
    std::sort(lat.begin(), lat.end());
    auto pct = [&](double p) {
        return lat.empty() ? -1.0 : lat[std::min(lat.size() - 1, size_t(p * double(lat.size())))];
    };
    bench("rotation_swaps", double(lat.size()), "swaps");
    bench("rotation_quiet_period", quiet, "ms");
    bench("rotation_latency_p50", pct(0.50), "ms");
    bench("rotation_latency_p99", pct(0.99), "ms");
    bench("rotation_latency_p50_over_quiet", pct(0.50) - quiet, "ms");
}

void burst(const CertChain &chain)
{
    QTemporaryDir tmp;
    const QString dir = tmp.filePath(QStringLiteral("burst"));
    QDir().mkpath(dir);
    writeFile(dir + QStringLiteral("/tls.key"), chain.leaf.keyPem);
    writeFile(dir + QStringLiteral("/ca.crt"), chain.root.certPem);
    writeFile(dir + QStringLiteral("/tls.crt"), chain.leaf.chainPem);
    MonitorOptions o;
    o.quietPeriodMs = 100;
    o.pollIntervalS = 3600;
    BundleMonitor m(o);
    int changed = 0;
    QObject::connect(&m, &BundleMonitor::event, &m,
                     [&](const ReloadEvent &e) { changed += e.kind == ReloadEventKind::Changed; });
    m.addBundle({dir, {}, false, {}, 30});
    m.start();
    const WatchStats before = m.stats();
    const QByteArray path = QFile::encodeName(dir + QStringLiteral("/tls.crt"));
    const int fd = ::open(path.constData(), O_WRONLY | O_CLOEXEC);
    QElapsedTimer t;
    t.start();
    for (int i = 0; i < 100000; ++i) {
        if (::pwrite(fd, chain.leaf.chainPem.constData(), size_t(chain.leaf.chainPem.size()), 0) <
            0)
            break;
        if (i % 1000 == 0)
            QCoreApplication::processEvents(); // the watcher reads while the writer writes
    }
    ::close(fd);
    writeFile(dir + QStringLiteral("/tls.crt"), variant(chain.leaf.chainPem, 1));
    spin([&] { return changed > 0; }, 10000);
    spin([] { return false; }, 500);
    const WatchStats after = m.stats();
    bench("burst_writes", 100000, "writes");
    bench("burst_fs_events", double(after.fsEvents - before.fsEvents), "events");
    bench("burst_parses", double(after.parses - before.parses), "parses");
    bench("burst_hash_reads", double(after.hashReads - before.hashReads), "reads");
    bench("burst_changed_events", changed, "events");
}

void idle(const CertChain &chain)
{
    QTemporaryDir tmp;
    const QString dir = tmp.filePath(QStringLiteral("idle"));
    QDir().mkpath(dir);
    writeFile(dir + QStringLiteral("/tls.key"), chain.leaf.keyPem);
    writeFile(dir + QStringLiteral("/ca.crt"), chain.root.certPem);
    for (int i = 0; i < 998; ++i)
        writeFile(dir + QStringLiteral("/c%1.pem").arg(i), variant(chain.leaf.chainPem, i));
    settleRacy();
    const int seconds = envInt("OPSDECK_BENCH_IDLE_S", 60);
    MonitorOptions o; // defaults: 2 s quiet, 30 s safety poll
    BundleMonitor m(o);
    m.addBundle({dir, {}, false, {}, 30});
    m.start();
    const WatchStats before = m.stats();
    const double cpu0 = cpuMs();
    QElapsedTimer t;
    t.start();
    QEventLoop loop;
    QTimer::singleShot(seconds * 1000, &loop, &QEventLoop::quit);
    loop.exec();
    const double cpu = cpuMs() - cpu0;
    bench("idle_seconds", seconds, "s");
    bench("idle_watched_files", 1000, "files");
    bench("idle_cpu", cpu, "ms");
    bench("idle_cpu_percent", 100.0 * cpu / double(t.elapsed()), "%");
    bench("idle_polls", double(m.stats().polls - before.polls), "polls");
    bench("idle_parses", double(m.stats().parses - before.parses), "parses");
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    std::printf("# %s, Qt %s, %u cores\n", OpenSSL_version(OPENSSL_VERSION), qVersion(),
                std::max(1u, std::thread::hardware_concurrency()));
    auto chain = CertFactory::chain(CertSpec::server(), 1);
    if (!chain.ok()) {
        std::fprintf(stderr, "certificate factory: %s\n", qPrintable(chain.error().toString()));
        return 1;
    }
    scans(chain.value(), envInt("OPSDECK_BENCH_FILES", 10000));
    latency(chain.value(), envInt("OPSDECK_BENCH_SWAPS", 200));
    burst(chain.value());
    idle(chain.value());
    return 0;
}
