// SPDX-License-Identifier: GPL-3.0-or-later
#include "statuscommand.h"

#include "certscommand.h"
#include "cli.h"
#include "common/activitylog.h"
#include "common/historystore.h"
#include "common/profilestore.h"
#include "output.h"
#include "roles/zkprobe.h"

#include <QCommandLineParser>
#include <QFileInfo>
#include <QJsonArray>
#include <QTextStream>

namespace opsdeck::cli {

namespace {

const QString Source = QStringLiteral("status");

CheckResult checkHistory(ActivityLog &log)
{
    CheckResult r{QStringLiteral("history"), HistoryStore::defaultPath(), ExitCode::Ok, {}};
    if (!QFileInfo::exists(r.subject)) {
        r.detail = QStringLiteral("no history yet (created when the console first runs)");
        return r;
    }
    HistoryStore store;
    if (const auto opened = store.open(r.subject); !opened) {
        r.state = ExitCode::Warning;
        r.detail = QStringLiteral("disabled: %1").arg(opened.error().message);
        log.error(QStringLiteral("history"), opened.error().toString());
        return r;
    }
    r.detail = QStringLiteral("ok (schema %1)").arg(store.schemaVersion());
    return r;
}

CheckResult checkZooKeeper(const ZooKeeperConfig &zk, int timeoutMs, ActivityLog &log)
{
    CheckResult r{QStringLiteral("zookeeper"), zk.connectString, ExitCode::Ok, {}};
    log.info(QStringLiteral("zk"), QStringLiteral("probing %1").arg(zk.connectString));
    const auto probe = probeZooKeeper(zk, timeoutMs);
    if (!probe) {
        r.state = ExitCode::Critical;
        r.detail = probe.error().message;
        log.error(QStringLiteral("zk"), probe.error().toString());
        return r;
    }
    r.detail = QStringLiteral("connected to %1 in %2 ms, session 0x%3")
                   .arg(probe->server)
                   .arg(probe->latencyMs)
                   .arg(QString::number(static_cast<quint64>(probe->sessionId), 16));
    if (!probe->chroot.isEmpty())
        r.detail += QStringLiteral(", chroot %1 has %2 children")
                        .arg(probe->chroot)
                        .arg(probe->rootChildren);
    log.info(QStringLiteral("zk"), r.detail);
    return r;
}

// The bundle's verdict exactly as `certs scan` gives it (default 30/7 day thresholds).
CheckResult checkBundle(const BundleConfig &bundle, ActivityLog &log)
{
    CheckResult r{QStringLiteral("bundle"), bundle.path, ExitCode::Ok, {}};
    tls::InspectOptions inspect;
    if (bundle.storePassword.isSet()) {
        const auto password = bundle.storePassword.resolve();
        if (!password) {
            r.state = ExitCode::Unknown;
            r.detail = QStringLiteral("store password: %1").arg(password.error().toString());
            log.error(QStringLiteral("tls"), bundle.path + QStringLiteral(": ") + r.detail);
            return r;
        }
        inspect.storePassword = password.value();
        inspect.havePassword = true;
    }
    tls::EvaluateOptions evaluate;
    evaluate.now = QDateTime::currentDateTimeUtc();
    evaluate.expectedHostname = bundle.expectedHostname;
    const ScannedBundle scanned = scanBundle(bundle.path, inspect, evaluate, 7);
    inspect.storePassword.fill('\0');
    r.state = scanned.state;
    r.detail = tls::verdictName(scanned.evaluation.verdict);
    if (scanned.evaluation.leaf)
        r.detail += QStringLiteral(", %1 days left").arg(scanned.evaluation.daysLeft);
    if (!scanned.evaluation.reason.isEmpty() && scanned.evaluation.verdict != tls::Verdict::Ok)
        r.detail += QStringLiteral(" (%1)").arg(scanned.evaluation.reason);
    return r;
}

} // namespace

ExitCode StatusReport::overall() const
{
    ExitCode worst = ExitCode::Ok;
    for (const CheckResult &c : checks)
        worst = worse(worst, c.state);
    return worst;
}

QJsonObject StatusReport::toJson() const
{
    QJsonArray list;
    for (const CheckResult &c : checks) {
        list.append(QJsonObject{{QStringLiteral("check"), c.check},
                                {QStringLiteral("subject"), c.subject},
                                {QStringLiteral("state"), exitCodeName(c.state)},
                                {QStringLiteral("detail"), c.detail}});
    }
    const ExitCode worst = overall();
    return QJsonObject{{QStringLiteral("command"), QStringLiteral("status")},
                       {QStringLiteral("profile"), profile},
                       {QStringLiteral("config"), configPath},
                       {QStringLiteral("state"), exitCodeName(worst)},
                       {QStringLiteral("exit_code"), toInt(worst)},
                       {QStringLiteral("checks"), list}};
}

StatusReport collectStatus(const StatusOptions &options, ActivityLog &log)
{
    StatusReport report;
    const auto loaded = ProfileStore::loadConfig(options.configPath);
    if (!loaded) {
        report.configPath = loaded.error().where;
        report.checks << CheckResult{QStringLiteral("config"), loaded.error().where,
                                     ExitCode::Unknown, loaded.error().message};
        log.error(QStringLiteral("profiles"), loaded.error().toString());
        return report;
    }
    const ProfileSet &set = loaded.value();
    report.configPath = set.path;
    if (set.profiles.isEmpty() && options.configPath.isEmpty()) {
        report.checks << CheckResult{
            QStringLiteral("config"), set.path, ExitCode::Unknown,
            QStringLiteral("no profiles configured; create one in the console (Profile > Edit "
                           "profiles) or pass --config FILE")};
        return report;
    }
    const auto selected = ProfileStore::select(set, options.profileName);
    if (!selected) {
        report.checks << CheckResult{QStringLiteral("config"), set.path, ExitCode::Unknown,
                                     selected.error().message};
        log.error(QStringLiteral("profiles"), selected.error().toString());
        return report;
    }
    const Profile &profile = selected.value();
    report.profile = profile.name;

    CheckResult config{QStringLiteral("config"), set.path, ExitCode::Ok,
                       QStringLiteral("profile '%1' loaded").arg(profile.name)};
    if (!set.warnings.isEmpty()) {
        config.state = ExitCode::Warning;
        config.detail = set.warnings.join(QStringLiteral("; "));
        for (const QString &w : set.warnings)
            log.warning(QStringLiteral("profiles"), w);
    }
    report.checks << config;
    report.checks << checkHistory(log);
    if (profile.zookeeper.isSet())
        report.checks << checkZooKeeper(profile.zookeeper, options.timeoutMs, log);
    if (profile.rest.isSet()) {
        CheckResult rest{QStringLiteral("rest"), profile.rest.url, ExitCode::Ok,
                         QStringLiteral("configured")};
        if (profile.rest.insecure) {
            rest.state = ExitCode::Warning;
            rest.detail = QStringLiteral("INSECURE: TLS verification is switched off");
        }
        report.checks << rest;
    }
    for (const BundleConfig &bundle : profile.bundles)
        report.checks << checkBundle(bundle, log);
    return report;
}

ExitCode runStatusCommand(const QStringList &args)
{
    QTextStream out(stdout);
    QTextStream err(stderr);
    QCommandLineParser parser;
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    const QCommandLineOption profileOpt(QStringLiteral("profile"), QString(),
                                        QStringLiteral("NAME"));
    const QCommandLineOption configOpt(QStringLiteral("config"), QString(), QStringLiteral("FILE"));
    const QCommandLineOption formatOpt(QStringLiteral("format"), QString(),
                                       QStringLiteral("FORMAT"), QStringLiteral("table"));
    const QCommandLineOption timeoutOpt(QStringLiteral("timeout"), QString(), QStringLiteral("MS"),
                                        QStringLiteral("5000"));
    const QCommandLineOption verboseOpt(QStringLiteral("verbose"));
    parser.addOptions({profileOpt, configOpt, formatOpt, timeoutOpt, verboseOpt});
    if (!parser.parse(QStringList{QStringLiteral("opsdeck-status")} + args)) {
        err << "opsdeck status: " << parser.errorText() << "\n\n" << usageText();
        return ExitCode::Unknown;
    }
    if (!parser.positionalArguments().isEmpty()) {
        err << "opsdeck status: unexpected argument '" << parser.positionalArguments().first()
            << "'\n\n"
            << usageText();
        return ExitCode::Unknown;
    }
    QString format;
    QString formatError;
    if (!parseFormat(parser.value(formatOpt), {QStringLiteral("table"), QStringLiteral("json")},
                     &format, &formatError)) {
        err << "opsdeck status: " << formatError << '\n';
        return ExitCode::Unknown;
    }
    bool ok = false;
    const int timeoutMs = parser.value(timeoutOpt).toInt(&ok);
    if (!ok || timeoutMs < 100 || timeoutMs > 600000) {
        err << "opsdeck status: --timeout must be a number of milliseconds from 100 to 600000\n";
        return ExitCode::Unknown;
    }

    ActivityLog log;
    if (parser.isSet(verboseOpt))
        mirrorActivityToStderr(log);

    const StatusReport report = collectStatus(
        StatusOptions{parser.value(configOpt), parser.value(profileOpt), timeoutMs}, log);
    const ExitCode worst = report.overall();
    if (format == QLatin1String("json")) {
        printJson(out, report.toJson());
    } else {
        out << "opsdeck status: " << exitCodeName(worst);
        if (!report.profile.isEmpty())
            out << " - profile '" << report.profile << "'";
        out << " (" << report.configPath << ")\n";
        QList<QStringList> rows;
        for (const CheckResult &c : report.checks)
            rows << QStringList{c.check, exitCodeName(c.state), c.subject, c.detail};
        printTable(out,
                   {QStringLiteral("check"), QStringLiteral("state"), QStringLiteral("subject"),
                    QStringLiteral("detail")},
                   rows);
    }
    out.flush();
    // A check that could not run is also said on stderr, so scripts that only keep stderr see why.
    for (const CheckResult &c : report.checks) {
        if (c.state == ExitCode::Unknown)
            err << "opsdeck status: " << c.subject << ": " << c.detail << '\n';
    }
    return worst;
}

} // namespace opsdeck::cli
