// SPDX-License-Identifier: GPL-3.0-or-later
#include "certswatch.h"

#include "common/profile.h"
#include "common/secretref.h"
#include "tls/bundlemonitor.h"
#include "tls/endpointprobe.h"
#include "tls/reloadevent.h"

#include <QCoreApplication>
#include <QHash>
#include <QJsonDocument>
#include <QSocketNotifier>
#include <QTextStream>
#include <QTimer>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <fcntl.h>
#include <unistd.h>
#include <vector>

namespace opsdeck::cli {

namespace {

// Self-pipe: the handler only write()s one byte (async-signal-safe); the event loop reads it.
int g_signalPipe[2] = {-1, -1};

extern "C" void onStopSignal(int signo)
{
    const int saved = errno;
    const char byte = static_cast<char>(signo);
    if (g_signalPipe[1] >= 0) {
        [[maybe_unused]] const ssize_t n = ::write(g_signalPipe[1], &byte, 1);
    }
    errno = saved;
}

QString usage()
{
    return QStringLiteral(
        "Usage: opsdeck certs watch PATH... [options]\n"
        "  PATH                      bundle directory (Kubernetes ..data layout understood) or "
        "file\n"
        "  --quiet-period MS         wait for events to stop this long (default 2000)\n"
        "  --poll-interval S         safety poll interval (default 30)\n"
        "  --consistency-window S    PENDING becomes INVALID after this long (default 30)\n"
        "  --password REF            store password as env:VAR or file:PATH\n"
        "  --hostname NAME           check the leaf against this name\n"
        "  --probe HOST:PORT         compare what an endpoint serves with disk (SERVED); one\n"
        "                            per PATH, paired in order (one PATH: several allowed)\n"
        "  --probe-interval S        re-probe this often besides after each change (default 60)\n"
        "  --format jsonl|table      output (default jsonl)\n"
        "  --warn-days N             expiring_soon threshold (default 30)\n"
        "  --force-poll              no inotify: poll only\n"
        "  --max-watches N           cap on inotify watches; over it bundles are polled\n"
        "Runs until SIGINT/SIGTERM, then prints a STATS line and exits 0.\n");
}

struct WatchArgs
{
    QStringList paths;
    tls::MonitorOptions monitor;
    QString passwordRef;
    QString hostname;
    QStringList probes;
    int probeIntervalS = 60;
    bool table = false;
    int warnDays = 30;
    bool help = false;
};

bool parseInt(const QString &text, int min, int max, int *out)
{
    bool ok = false;
    const int v = text.toInt(&ok);
    if (!ok || v < min || v > max)
        return false;
    *out = v;
    return true;
}

bool validEndpoint(const QString &text)
{
    return parseHostPort(text).ok(); // "host:port", IPv6 as "[::1]:port"
}

bool parseArgs(const QStringList &args, WatchArgs *w, QString *error)
{
    for (qsizetype i = 0; i < args.size(); ++i) {
        QString arg = args.at(i);
        QString inlineValue;
        bool hasInline = false;
        if (arg.startsWith(QLatin1String("--")) && arg.contains(QLatin1Char('='))) {
            const qsizetype eq = arg.indexOf(QLatin1Char('='));
            inlineValue = arg.mid(eq + 1);
            arg = arg.left(eq);
            hasInline = true;
        }
        auto value = [&](QString *out) {
            if (hasInline) {
                *out = inlineValue;
                return true;
            }
            if (i + 1 >= args.size()) {
                *error = QStringLiteral("option %1 needs a value").arg(arg);
                return false;
            }
            *out = args.at(++i);
            return true;
        };
        auto intValue = [&](int min, int max, int *out) {
            QString v;
            if (!value(&v))
                return false;
            if (!parseInt(v, min, max, out)) {
                *error = QStringLiteral("%1 must be an integer from %2 to %3, not '%4'")
                             .arg(arg)
                             .arg(min)
                             .arg(max)
                             .arg(v);
                return false;
            }
            return true;
        };
        if (arg == QLatin1String("--help") || arg == QLatin1String("-h")) {
            w->help = true;
        } else if (arg == QLatin1String("--quiet-period")) {
            if (!intValue(0, 3600 * 1000, &w->monitor.quietPeriodMs))
                return false;
        } else if (arg == QLatin1String("--poll-interval")) {
            if (!intValue(1, 24 * 3600, &w->monitor.pollIntervalS))
                return false;
        } else if (arg == QLatin1String("--consistency-window")) {
            if (!intValue(0, 7 * 24 * 3600, &w->monitor.consistencyWindowS))
                return false;
        } else if (arg == QLatin1String("--max-watches")) {
            if (!intValue(0, 100000000, &w->monitor.maxWatches))
                return false;
        } else if (arg == QLatin1String("--warn-days")) {
            if (!intValue(0, 100000, &w->warnDays))
                return false;
        } else if (arg == QLatin1String("--password")) {
            if (!value(&w->passwordRef))
                return false;
        } else if (arg == QLatin1String("--hostname")) {
            if (!value(&w->hostname))
                return false;
            if (w->hostname.isEmpty()) {
                *error = QStringLiteral("--hostname must not be empty");
                return false;
            }
        } else if (arg == QLatin1String("--probe")) {
            QString p;
            if (!value(&p))
                return false;
            if (!validEndpoint(p)) {
                *error = QStringLiteral("--probe must be HOST:PORT, not '%1'").arg(p);
                return false;
            }
            w->probes << p;
        } else if (arg == QLatin1String("--probe-interval")) {
            if (!intValue(1, 86400, &w->probeIntervalS))
                return false;
        } else if (arg == QLatin1String("--format")) {
            QString f;
            if (!value(&f))
                return false;
            f = f.toLower();
            if (f == QLatin1String("jsonl") || f == QLatin1String("json")) {
                w->table = false;
            } else if (f == QLatin1String("table")) {
                w->table = true;
            } else {
                *error = QStringLiteral("--format must be one of jsonl, table, not '%1'").arg(f);
                return false;
            }
        } else if (arg == QLatin1String("--force-poll")) {
            if (hasInline) {
                *error = QStringLiteral("--force-poll takes no value");
                return false;
            }
            w->monitor.forcePoll = true;
        } else if (arg == QLatin1String("--")) {
            for (++i; i < args.size(); ++i)
                w->paths << args.at(i);
        } else if (arg.startsWith(QLatin1Char('-')) && arg.size() > 1) {
            *error = QStringLiteral("unknown option '%1'").arg(arg);
            return false;
        } else {
            if (arg.isEmpty()) {
                *error = QStringLiteral("an empty PATH was given");
                return false;
            }
            w->paths << args.at(i);
        }
    }
    if (!w->help && w->paths.isEmpty()) {
        *error = QStringLiteral("no PATH given");
        return false;
    }
    if (w->paths.size() > 1 && !w->probes.isEmpty() && w->probes.size() != w->paths.size()) {
        *error = QStringLiteral("--probe pairs with PATH in order: give one per PATH (%1 PATHs, "
                                "%2 probes)")
                     .arg(w->paths.size())
                     .arg(w->probes.size());
        return false;
    }
    return true;
}

void writeLine(const QString &line)
{
    const QByteArray bytes = line.toUtf8() + '\n';
    std::fwrite(bytes.constData(), 1, size_t(bytes.size()), stdout);
    std::fflush(stdout);
}

void printEvent(const tls::ReloadEvent &e, bool table)
{
    if (table)
        writeLine(e.toTableLine());
    else
        writeLine(QString::fromUtf8(QJsonDocument(e.toJson()).toJson(QJsonDocument::Compact)));
}

} // namespace

ExitCode runCertsWatch(const QStringList &args)
{
    QTextStream err(stderr);
    WatchArgs w;
    QString error;
    if (!parseArgs(args, &w, &error)) {
        err << "opsdeck certs watch: " << error << "\n\n" << usage();
        return ExitCode::Unknown;
    }
    if (w.help) {
        QTextStream(stdout) << usage();
        return ExitCode::Ok;
    }

    QByteArray password;
    bool havePassword = false;
    if (!w.passwordRef.isEmpty()) {
        const SecretRef ref = SecretRef::parse(w.passwordRef);
        if (ref.isInline()) {
            // Like every other secret option: a literal would show in the process list.
            err << "opsdeck certs watch: --password takes a reference (env:VAR or file:PATH), not "
                   "the password itself\n";
            return ExitCode::Unknown;
        }
        const auto resolved = ref.resolve();
        if (!resolved) {
            // The error names the variable or file, never the secret.
            err << "opsdeck certs watch: --password " << ref.displayString() << ": "
                << resolved.error().message << '\n';
            return ExitCode::Unknown;
        }
        password = resolved.value();
        havePassword = true;
    }

    if (::pipe2(g_signalPipe, O_NONBLOCK | O_CLOEXEC) != 0) {
        err << "opsdeck certs watch: pipe2 failed\n";
        return ExitCode::Unknown;
    }
    struct sigaction sa
    {
    };
    sa.sa_handler = onStopSignal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    struct sigaction oldInt
    {
    };
    struct sigaction oldTerm
    {
    };
    ::sigaction(SIGINT, &sa, &oldInt);
    ::sigaction(SIGTERM, &sa, &oldTerm);

    int result = 0;
    {
        tls::BundleMonitor monitor(w.monitor);
        QList<int> bundleIds;
        const bool table = w.table;
        QObject::connect(&monitor, &tls::BundleMonitor::event, &monitor,
                         [table](const tls::ReloadEvent &e) { printEvent(e, table); });
        for (const QString &path : std::as_const(w.paths)) {
            tls::BundleSpec spec;
            spec.path = path;
            spec.password = password;
            spec.havePassword = havePassword;
            spec.expectedHostname = w.hostname;
            spec.warnDays = w.warnDays;
            bundleIds << monitor.addBundle(spec);
        }
        // SERVED: probe after READY, after every CHANGED/RECOVERED of a bundle, and every
        // --probe-interval seconds; a periodic probe that finds what the last one found prints
        // nothing (only news is an event).
        tls::EndpointProber prober;
        struct ProbeTarget
        {
            int bundleId = 0;
            QString bundle; // absolute path, as in the events
            tls::ProbeRequest request;
            QString lastKey;
            bool afterChange = true;
        };
        std::vector<ProbeTarget> targets;
        QHash<quint64, size_t> running; // probe id -> target index
        for (qsizetype i = 0; i < w.probes.size(); ++i) {
            const qsizetype pathIndex = w.paths.size() == 1 ? 0 : i;
            const auto hp = parseHostPort(w.probes.at(i));
            ProbeTarget t;
            t.bundleId = bundleIds.at(pathIndex);
            t.bundle = monitor.state(t.bundleId).bundle;
            t.request.host = hp->host;
            t.request.port = hp->port;
            t.request.serverName = w.hostname;
            targets.push_back(t);
        }
        auto probeTarget = [&](size_t index, bool afterChange) {
            targets[index].afterChange = targets[index].afterChange || afterChange;
            running.insert(prober.probe(targets[index].request), index);
        };
        QObject::connect(
            &prober, &tls::EndpointProber::finished, &monitor, [&](const tls::ProbeResult &probe) {
                const auto it = running.constFind(probe.id);
                if (it == running.cend())
                    return;
                ProbeTarget &t = targets[*it];
                running.erase(it);
                const tls::BundleState st = monitor.state(t.bundleId);
                const tls::ReloadEvent e = tls::servedEvent(
                    t.bundle, probe, st.haveLastGood ? st.lastGood.leaf : std::nullopt);
                const QString key =
                    e.fingerprint + QLatin1Char('|') + e.detail + QLatin1Char('|') + e.reason;
                if (!t.afterChange && key == t.lastKey)
                    return;
                t.lastKey = key;
                t.afterChange = false;
                monitor.reportServed(t.bundleId, probe);
            });
        QObject::connect(
            &monitor, &tls::BundleMonitor::event, &prober, [&](const tls::ReloadEvent &e) {
                using K = tls::ReloadEventKind;
                for (size_t i = 0; i < targets.size(); ++i) {
                    if (e.kind == K::Ready || ((e.kind == K::Changed || e.kind == K::Recovered) &&
                                               e.bundle == targets[i].bundle))
                        probeTarget(i, true);
                }
            });
        QTimer probeTimer;
        probeTimer.setInterval(w.probeIntervalS * 1000);
        QObject::connect(&probeTimer, &QTimer::timeout, &prober, [&] {
            for (size_t i = 0; i < targets.size(); ++i)
                probeTarget(i, false);
        });
        if (!targets.empty())
            probeTimer.start();

        QSocketNotifier stopNotifier{qintptr{g_signalPipe[0]}, QSocketNotifier::Read};
        QObject::connect(&stopNotifier, &QSocketNotifier::activated, &monitor, [&] {
            char buf[16];
            while (::read(g_signalPipe[0], buf, sizeof buf) > 0) {
            }
            QCoreApplication::quit();
        });
        monitor.start();
        result = QCoreApplication::exec();

        tls::ReloadEvent stats;
        stats.kind = tls::ReloadEventKind::Stats;
        stats.bundle = QStringLiteral("*");
        stats.stats = monitor.stats();
        printEvent(stats, w.table);
    }

    ::sigaction(SIGINT, &oldInt, nullptr);
    ::sigaction(SIGTERM, &oldTerm, nullptr);
    ::close(g_signalPipe[0]);
    ::close(g_signalPipe[1]);
    g_signalPipe[0] = g_signalPipe[1] = -1;
    return result == 0 ? ExitCode::Ok : ExitCode::Unknown;
}

} // namespace opsdeck::cli
