// SPDX-License-Identifier: GPL-3.0-or-later
// Fleet reload status: one probe round over 200 simulated Solr nodes, each a real TLS listener on
// loopback serving the same bundle (TlsNodeFleet, in a child process so this process's memory is
// the prober's alone). Baselines from the same run, against the same listeners:
//  - a serial loop of blocking OpenSSL handshakes (SSL_connect + SHA-256 of the peer leaf);
//  - the same loop on 16 threads (the prober's default bound), each taking every 16th node.
// Measured: FleetRollout wall time per round at concurrency 1, 16 and 64 (median of 3 rounds),
// and the peak RSS growth of this process during the rounds (VmHWM after /proc/self/clear_refs).
// Prints "BENCH <name> <value> <unit>" lines; never asserts timings.
#include "health/fleet.h"
#include "tlsdemo.h"
#include "tlsnodes.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTextStream>
#include <QTimer>
#include <algorithm>
#include <arpa/inet.h>
#include <atomic>
#include <cerrno>
#include <fcntl.h>
#include <memory>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

using namespace opsdeck;
using namespace opsdeck::test;

namespace {

constexpr int Nodes = 200;
constexpr int Rounds = 3;

void report(const char *name, double value, const char *unit)
{
    QTextStream(stdout) << "BENCH " << name << ' ' << QString::number(value, 'f', 3) << ' ' << unit
                        << '\n';
}

qint64 statusKb(const char *field)
{
    QFile f(QStringLiteral("/proc/self/status"));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : f.readAll().split('\n')) {
        if (line.startsWith(field))
            return line.mid(int(qstrlen(field))).trimmed().split(' ').first().toLongLong();
    }
    return -1;
}

void resetPeakRss()
{
    QFile f(QStringLiteral("/proc/self/clear_refs"));
    if (f.open(QIODevice::WriteOnly))
        f.write("5");
}

// One blocking handshake; returns true when a leaf came back and was hashed.
bool opensslHandshake(SSL_CTX *ctx, quint16 port)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return false;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bool ok = false;
    if (::connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) == 0) {
        SSL *ssl = SSL_new(ctx);
        SSL_set_fd(ssl, fd);
        if (SSL_connect(ssl) == 1) {
            if (X509 *leaf = SSL_get1_peer_certificate(ssl)) {
                unsigned char md[EVP_MAX_MD_SIZE];
                unsigned int len = 0;
                ok = X509_digest(leaf, EVP_sha256(), md, &len) == 1 && len == 32;
                X509_free(leaf);
            }
            SSL_shutdown(ssl);
        }
        SSL_free(ssl);
    }
    ::close(fd);
    return ok;
}

int serve(const QString &dir)
{
    TlsNodeFleet fleet;
    TlsNodeFleetOptions options;
    options.pollIntervalMs = 0;
    options.httpReply = false;
    if (auto started = fleet.start(dir, Nodes, options); !started) {
        QTextStream(stderr) << "serve: " << started.error().toString() << '\n';
        return 1;
    }
    QStringList ports;
    for (int i = 0; i < fleet.count(); ++i)
        ports << QString::number(fleet.port(i));
    QTextStream(stdout) << "PORTS " << ports.join(QLatin1Char(',')) << Qt::endl;
    // Until the parent closes our stdin.
    QTimer poll;
    QObject::connect(&poll, &QTimer::timeout, [] {
        char c;
        const ssize_t n = ::read(STDIN_FILENO, &c, 1);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
            QCoreApplication::quit();
    });
    ::fcntl(STDIN_FILENO, F_SETFL, O_NONBLOCK);
    poll.start(200);
    return QCoreApplication::exec();
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    if (argc == 3 && qstrcmp(argv[1], "--serve") == 0)
        return serve(QString::fromLocal8Bit(argv[2]));

    QTemporaryDir tmp;
    TlsDemo bundle;
    TlsDemo::Options bo;
    bo.directory = tmp.filePath(QStringLiteral("tls"));
    bo.rotateIntervalMs = 0;
    if (auto started = bundle.start(bo); !started) {
        QTextStream(stderr) << started.error().toString() << '\n';
        return 1;
    }
    QProcess server;
    server.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    server.start(QCoreApplication::applicationFilePath(),
                 {QStringLiteral("--serve"), bundle.directory()});
    QList<quint16> ports;
    QElapsedTimer wait;
    wait.start();
    while (ports.isEmpty() && wait.elapsed() < 60000 && server.state() != QProcess::NotRunning) {
        server.waitForReadyRead(1000);
        const QByteArray line = server.readLine().trimmed();
        if (line.startsWith("PORTS "))
            for (const QByteArray &p : line.mid(6).split(','))
                ports << quint16(p.toUInt());
    }
    if (ports.size() != Nodes) {
        QTextStream(stderr) << "the listener process did not start\n";
        return 1;
    }

    // Baselines: blocking OpenSSL handshakes, serial and on 16 threads.
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
    QElapsedTimer t;
    t.start();
    int okSerial = 0;
    for (quint16 port : std::as_const(ports))
        okSerial += opensslHandshake(ctx, port) ? 1 : 0;
    const double serialMs = double(t.nsecsElapsed()) / 1e6;
    report("fleet_baseline_openssl_serial_ms", serialMs, "ms");
    report("fleet_baseline_openssl_serial_ok", okSerial, "nodes");
    t.restart();
    std::vector<std::thread> threads;
    std::atomic<int> okThreads{0};
    for (int w = 0; w < 16; ++w) {
        threads.emplace_back([&, w] {
            for (int i = w; i < ports.size(); i += 16)
                okThreads += opensslHandshake(ctx, ports.at(i)) ? 1 : 0;
        });
    }
    for (std::thread &th : threads)
        th.join();
    const double threadsMs = double(t.nsecsElapsed()) / 1e6;
    report("fleet_baseline_openssl_16threads_ms", threadsMs, "ms");
    SSL_CTX_free(ctx);

    QList<health::FleetTarget> targets;
    for (int i = 0; i < ports.size(); ++i)
        targets << health::FleetTarget{QStringLiteral("127.0.0.1:%1_solr").arg(ports.at(i)),
                                       QStringLiteral("solr"),
                                       QStringLiteral("127.0.0.1"),
                                       ports.at(i),
                                       {}};
    const qint64 rssBefore = statusKb("VmRSS:");
    resetPeakRss();
    double median16 = 0;
    for (int concurrency : {1, 16, 64}) {
        health::FleetOptions fo;
        fo.maxInFlight = concurrency;
        fo.refreshIntervalMs = 0;
        fo.probeTimeoutMs = 10000;
        std::vector<double> rounds;
        int matching = 0;
        for (int r = 0; r < Rounds; ++r) {
            health::FleetRollout rollout(fo);
            QEventLoop loop;
            QObject::connect(&rollout, &health::FleetRollout::roundFinished, &loop,
                             [&](const health::FleetStatus &s) {
                                 matching = s.total() - s.failed();
                                 loop.quit();
                             });
            t.restart();
            rollout.setTargets(targets);
            QTimer::singleShot(120000, &loop, &QEventLoop::quit);
            loop.exec();
            rounds.push_back(double(t.nsecsElapsed()) / 1e6);
        }
        std::sort(rounds.begin(), rounds.end());
        const double median = rounds[rounds.size() / 2];
        const QByteArray name = "fleet_probe_round_c" + QByteArray::number(concurrency) + "_ms";
        report(name.constData(), median, "ms");
        const QByteArray okName = "fleet_probe_round_c" + QByteArray::number(concurrency) + "_ok";
        report(okName.constData(), matching, "nodes");
        if (concurrency == 16)
            median16 = median;
    }
    // 20 of the nodes hang the handshake (accept, never answer) and probes time out after 1 s:
    // the bound keeps the others moving, so the round costs about one timeout, not twenty.
    {
        std::vector<std::unique_ptr<HangingTlsServer>> hanging;
        QList<health::FleetTarget> mixed = targets.mid(0, Nodes - 20);
        for (int i = 0; i < 20; ++i) {
            hanging.push_back(std::make_unique<HangingTlsServer>());
            if (!hanging.back()->start())
                return 1;
            mixed << health::FleetTarget{QStringLiteral("hang-%1").arg(i),
                                         QStringLiteral("solr"),
                                         QStringLiteral("127.0.0.1"),
                                         hanging.back()->port(),
                                         {}};
        }
        health::FleetOptions fo;
        fo.maxInFlight = 16;
        fo.refreshIntervalMs = 0;
        fo.probeTimeoutMs = 1000;
        health::FleetRollout rollout(fo);
        QEventLoop loop;
        int failed = 0;
        QObject::connect(&rollout, &health::FleetRollout::roundFinished, &loop,
                         [&](const health::FleetStatus &s) {
                             failed = s.failed();
                             loop.quit();
                         });
        t.restart();
        rollout.setTargets(mixed);
        QTimer::singleShot(120000, &loop, &QEventLoop::quit);
        loop.exec();
        report("fleet_probe_round_c16_20hanging_ms", double(t.nsecsElapsed()) / 1e6, "ms");
        report("fleet_probe_round_c16_20hanging_failed", failed, "nodes");
    }
    const qint64 peak = statusKb("VmHWM:");
    report("fleet_rss_before_kb", double(rssBefore), "KiB");
    report("fleet_rss_peak_kb", double(peak), "KiB");
    report("fleet_rss_peak_growth_kb", double(peak - rssBefore), "KiB");
    report("fleet_ratio_c16_vs_openssl_16threads", median16 / threadsMs, "x");
    report("fleet_ratio_c16_vs_openssl_serial", median16 / serialMs, "x");
    server.closeWriteChannel();
    if (!server.waitForFinished(5000))
        server.kill();
    return 0;
}
