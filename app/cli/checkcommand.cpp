// SPDX-License-Identifier: GPL-3.0-or-later
#include "checkcommand.h"

#include "cli.h"
#include "health/healthchecker.h"
#include "output.h"

#include <QCommandLineParser>
#include <QEventLoop>
#include <QJsonDocument>
#include <QTextStream>

namespace opsdeck::cli {

using health::HealthReport;
using health::State;

namespace {

constexpr int CannotCheck = 3;

// The report of a check that could not start (bad usage, no profile): one UNKNOWN item, so every
// format still says what happened (a Nagios line, a JSON object, a textfile that replaces the
// previous run's numbers).
HealthReport failedReport(const QString &profile, const QString &where, const QString &message)
{
    HealthReport report;
    report.profile = profile;
    report.startedAt = QDateTime::currentDateTimeUtc();
    health::ModuleResult config;
    config.module = QStringLiteral("config");
    config.configured = true;
    config.ran = true;
    config.state = State::Unknown;
    config.summary = message;
    report.modules << config;
    report.items << health::CheckItem{
        QStringLiteral("config"), QStringLiteral("config"), where, State::Unknown, message, {}};
    report.samples << health::Sample{QStringLiteral("opsdeck_check_status"),
                                     {{QStringLiteral("module"), QStringLiteral("config")}},
                                     3};
    report.samples << health::Sample{QStringLiteral("opsdeck_check_timestamp_seconds"),
                                     {},
                                     double(report.startedAt.toMSecsSinceEpoch()) / 1000.0};
    return report;
}

QByteArray render(const HealthReport &report, const QString &format)
{
    if (format == QLatin1String("json"))
        return QJsonDocument(health::toJson(report)).toJson(QJsonDocument::Indented);
    if (format == QLatin1String("prometheus"))
        return health::toPrometheus(report);
    return health::toNagios(report).toUtf8();
}

int emitReport(const HealthReport &report, const QString &format, const QString &output)
{
    const QByteArray bytes = render(report, format);
    const int code = health::exitCode(report.overall());
    if (output.isEmpty() || output == QLatin1String("-")) {
        QTextStream(stdout) << QString::fromUtf8(bytes);
        return code;
    }
    if (const auto written = health::writeFileAtomically(output, bytes); !written) {
        QTextStream(stderr) << "opsdeck check: --output " << written.error().toString() << '\n';
        return CannotCheck;
    }
    // The first line still goes to stdout, so a timer's journal says how the run went.
    QTextStream(stdout) << health::toNagios(report).section(QLatin1Char('\n'), 0, 0) << '\n';
    return code;
}

} // namespace

QString checkUsageText()
{
    return QStringLiteral(
        "Usage: opsdeck check [options]\n"
        "\n"
        "Runs every check the profile configures and exits by the worst result:\n"
        "0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (could not check, or a usage error).\n"
        "  certs   every bundle's verdict, days left, how it is watched, and what its probe\n"
        "          endpoint serves compared with disk\n"
        "  jobs    the Flink REST endpoint reachable and its TLS valid; jobs FAILING, RESTARTING\n"
        "          or FAILED recently; ledger savepoints stuck in progress\n"
        "  roles   the ZooKeeper session, the role findings, an overseer elected and eligible\n"
        "  fleet   every live Solr node (and the HTTPS REST endpoint) probed: does it serve the\n"
        "          bundle's leaf?\n"
        "\n"
        "Options:\n"
        "  --profile NAME          profile to use (default: the config file's default)\n"
        "  --config FILE           profiles file\n"
        "  --only LIST             comma-separated modules: certs,jobs,roles,fleet\n"
        "  --format FORMAT         nagios (default), json or prometheus\n"
        "  --output FILE           write the result to FILE atomically (temp + rename); the\n"
        "                          Nagios line still goes to stdout\n"
        "  --warn-days N           certificate days left for WARNING (default 30)\n"
        "  --critical-days N       certificate days left for CRITICAL (default 7; also\n"
        "                          --crit-days, as in certs scan)\n"
        "  --timeout MS            bound of each REST call, ZooKeeper session and probe\n"
        "                          (default 5000)\n"
        "  --failed-within S       a FAILED job is recent within S seconds (default 3600)\n"
        "  --stuck-after S         a savepoint in progress longer is stuck (default 900)\n"
        "  --fleet-bundle PATH     bundle compared in the fleet check (default: the first)\n"
        "  --concurrency N         concurrent TLS probes (default 16)\n");
}

int runCheckCommand(const QStringList &args)
{
    QTextStream err(stderr);
    QCommandLineParser parser;
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    const QCommandLineOption profileOpt(QStringLiteral("profile"), QString(),
                                        QStringLiteral("NAME"));
    const QCommandLineOption configOpt(QStringLiteral("config"), QString(), QStringLiteral("FILE"));
    const QCommandLineOption onlyOpt(QStringLiteral("only"), QString(), QStringLiteral("LIST"));
    const QCommandLineOption formatOpt(QStringLiteral("format"), QString(), QStringLiteral("F"),
                                       QStringLiteral("nagios"));
    const QCommandLineOption outputOpt(QStringLiteral("output"), QString(), QStringLiteral("FILE"));
    const QCommandLineOption warnOpt(QStringLiteral("warn-days"), QString(), QStringLiteral("N"),
                                     QStringLiteral("30"));
    const QCommandLineOption critOpt(
        QStringList{QStringLiteral("critical-days"), QStringLiteral("crit-days")}, QString(),
        QStringLiteral("N"), QStringLiteral("7"));
    const QCommandLineOption timeoutOpt(QStringLiteral("timeout"), QString(), QStringLiteral("MS"),
                                        QStringLiteral("5000"));
    const QCommandLineOption failedOpt(QStringLiteral("failed-within"), QString(),
                                       QStringLiteral("S"), QStringLiteral("3600"));
    const QCommandLineOption stuckOpt(QStringLiteral("stuck-after"), QString(), QStringLiteral("S"),
                                      QStringLiteral("900"));
    const QCommandLineOption fleetBundleOpt(QStringLiteral("fleet-bundle"), QString(),
                                            QStringLiteral("PATH"));
    const QCommandLineOption concurrencyOpt(QStringLiteral("concurrency"), QString(),
                                            QStringLiteral("N"), QStringLiteral("16"));
    const QCommandLineOption historyOpt(QStringLiteral("history"), QString(),
                                        QStringLiteral("FILE"));
    const QCommandLineOption helpOpt(QStringList{QStringLiteral("help"), QStringLiteral("h")});
    parser.addOptions({profileOpt, configOpt, onlyOpt, formatOpt, outputOpt, warnOpt, critOpt,
                       timeoutOpt, failedOpt, stuckOpt, fleetBundleOpt, concurrencyOpt, historyOpt,
                       helpOpt});

    const QString format = parser.parse(QStringList{QStringLiteral("opsdeck-check")} + args)
                               ? parser.value(formatOpt)
                               : QStringLiteral("nagios");
    const QString output = parser.value(outputOpt);
    const auto usage = [&](const QString &message) {
        err << "opsdeck check: " << message << "\n\n" << checkUsageText();
        return emitReport(
            failedReport(parser.value(profileOpt), QStringLiteral("command line"), message),
            format == QLatin1String("json") || format == QLatin1String("prometheus")
                ? format
                : QStringLiteral("nagios"),
            output);
    };
    if (!parser.errorText().isEmpty())
        return usage(parser.errorText());
    if (parser.isSet(helpOpt)) {
        QTextStream(stdout) << checkUsageText();
        return 0;
    }
    if (!parser.positionalArguments().isEmpty())
        return usage(
            QStringLiteral("unexpected argument '%1'").arg(parser.positionalArguments().first()));
    if (format != QLatin1String("nagios") && format != QLatin1String("json") &&
        format != QLatin1String("prometheus"))
        return usage(
            QStringLiteral("--format takes nagios, json or prometheus, not '%1'").arg(format));

    health::CheckOptions options;
    const auto intOption = [&](const QCommandLineOption &o, int min, int max, int *out) {
        bool ok = false;
        const int v = parser.value(o).toInt(&ok);
        if (!ok || v < min || v > max)
            return false;
        *out = v;
        return true;
    };
    if (!intOption(warnOpt, 0, 36500, &options.warnDays))
        return usage(QStringLiteral("--warn-days takes a number of days"));
    if (!intOption(critOpt, 0, 36500, &options.criticalDays))
        return usage(QStringLiteral("--critical-days takes a number of days"));
    if (options.criticalDays > options.warnDays)
        return usage(QStringLiteral("--critical-days (%1) must not be above --warn-days (%2)")
                         .arg(options.criticalDays)
                         .arg(options.warnDays));
    if (!intOption(timeoutOpt, 100, 600000, &options.timeoutMs))
        return usage(QStringLiteral("--timeout takes milliseconds from 100 to 600000"));
    if (!intOption(failedOpt, 0, 365 * 86400, &options.failedWithinS))
        return usage(QStringLiteral("--failed-within takes seconds"));
    if (!intOption(stuckOpt, 1, 365 * 86400, &options.stuckAfterS))
        return usage(QStringLiteral("--stuck-after takes seconds"));
    if (!intOption(concurrencyOpt, 1, 1024, &options.fleetConcurrency))
        return usage(QStringLiteral("--concurrency takes a number from 1 to 1024"));
    if (parser.isSet(onlyOpt)) {
        for (const QString &part :
             parser.value(onlyOpt).split(QLatin1Char(','), Qt::SkipEmptyParts)) {
            const QString name = part.trimmed();
            if (!health::moduleNames().contains(name))
                return usage(
                    QStringLiteral("--only: unknown module '%1' (certs, jobs, roles, fleet)")
                        .arg(name));
            options.only.insert(name);
        }
        if (options.only.isEmpty())
            return usage(QStringLiteral("--only needs at least one module"));
    }
    options.fleetBundle = parser.value(fleetBundleOpt);
    options.historyPath = parser.value(historyOpt);

    const auto profile =
        profileForCommand(QStringLiteral("check"), parser.value(configOpt),
                          parser.value(profileOpt), QStringLiteral("--config FILE"));
    if (!profile) {
        err << "opsdeck check: " << profile.error().toString() << '\n';
        return emitReport(
            failedReport(parser.value(profileOpt), profile.error().where, profile.error().message),
            format, output);
    }

    health::HealthChecker checker(profile.value(), options);
    std::optional<HealthReport> report;
    QEventLoop loop;
    QObject::connect(&checker, &health::HealthChecker::finished, &loop, [&](const HealthReport &r) {
        report = r;
        loop.quit();
    });
    checker.start();
    if (!report)
        loop.exec();
    return emitReport(*report, format, output);
}

} // namespace opsdeck::cli
