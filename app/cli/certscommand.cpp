// SPDX-License-Identifier: GPL-3.0-or-later
#include "certscommand.h"

#include "certsprobe.h"
#include "certswatch.h"
#include "cli.h"
#include "common/secretref.h"
#include "health/healthchecker.h"
#include "output.h"
#include "tls/bundlereader.h"
#include "tls/inspector.h"
#include "tls/tlsjson.h"

#include <QCommandLineParser>
#include <QJsonArray>
#include <QTextStream>

namespace opsdeck::cli {

namespace {

QString shortFingerprint(const QString &sha256)
{
    return sha256.left(16);
}

} // namespace

ExitCode scanExitCode(const tls::BundleEvaluation &evaluation, int warnDays, int critDays)
{
    // One rule for `certs scan`, `status` and `check`.
    return static_cast<ExitCode>(
        health::exitCode(health::bundleVerdictState(evaluation, warnDays, critDays)));
}

ScannedBundle scanBundle(const QString &path, const tls::InspectOptions &inspectOptions,
                         const tls::EvaluateOptions &evaluateOptions, int critDays)
{
    ScannedBundle b;
    b.path = path;
    const tls::BundleListing listing = tls::listBundle(path);
    if (listing.problem != tls::Problem::None) {
        b.evaluation.verdict = tls::Verdict::Unreadable;
        b.evaluation.problem = listing.problem;
        b.evaluation.reason = listing.problemDetail;
    } else {
        b.files = tls::readBundle(listing, inspectOptions);
        b.evaluation = tls::evaluateBundle(b.files, evaluateOptions);
    }
    b.state = scanExitCode(b.evaluation, evaluateOptions.warnDays, critDays);
    return b;
}

ExitCode runCertsScan(const QStringList &args)
{
    QTextStream out(stdout);
    QTextStream err(stderr);
    QCommandLineParser parser;
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    const QCommandLineOption passwordOpt(QStringLiteral("password"), QString(),
                                         QStringLiteral("REF"));
    const QCommandLineOption hostnameOpt(QStringLiteral("hostname"), QString(),
                                         QStringLiteral("NAME"));
    const QCommandLineOption warnOpt(QStringLiteral("warn-days"), QString(), QStringLiteral("N"),
                                     QStringLiteral("30"));
    const QCommandLineOption critOpt(QStringLiteral("crit-days"), QString(), QStringLiteral("N"),
                                     QStringLiteral("7"));
    const QCommandLineOption formatOpt(QStringLiteral("format"), QString(),
                                       QStringLiteral("FORMAT"), QStringLiteral("table"));
    parser.addOptions({passwordOpt, hostnameOpt, warnOpt, critOpt, formatOpt});
    if (!parser.parse(QStringList{QStringLiteral("opsdeck-certs-scan")} + args)) {
        err << "opsdeck certs scan: " << parser.errorText() << '\n';
        return ExitCode::Unknown;
    }
    const QStringList paths = parser.positionalArguments();
    if (paths.isEmpty()) {
        err << "opsdeck certs scan: give at least one PATH (a certificate directory or file)\n";
        return ExitCode::Unknown;
    }
    QString format;
    QString formatError;
    if (!parseFormat(parser.value(formatOpt), {QStringLiteral("table"), QStringLiteral("json")},
                     &format, &formatError)) {
        err << "opsdeck certs scan: " << formatError << '\n';
        return ExitCode::Unknown;
    }
    bool warnOk = false;
    bool critOk = false;
    const int warnDays = parser.value(warnOpt).toInt(&warnOk);
    const int critDays = parser.value(critOpt).toInt(&critOk);
    if (!warnOk || !critOk || warnDays < 0 || critDays < 0 || critDays > warnDays) {
        err << "opsdeck certs scan: --warn-days and --crit-days must be whole numbers with "
               "0 <= crit-days <= warn-days\n";
        return ExitCode::Unknown;
    }

    tls::InspectOptions inspectOptions;
    if (parser.isSet(passwordOpt)) {
        const SecretRef ref = SecretRef::parse(parser.value(passwordOpt));
        if (ref.isInline()) {
            err << "opsdeck certs scan: --password takes a reference (env:VAR or file:PATH), not "
                   "the password itself\n";
            return ExitCode::Unknown;
        }
        const auto secret = ref.resolve();
        if (!secret) {
            err << "opsdeck certs scan: --password: " << secret.error().toString() << '\n';
            return ExitCode::Unknown;
        }
        inspectOptions.storePassword = secret.value();
        inspectOptions.havePassword = true;
    }

    const QDateTime now = QDateTime::currentDateTimeUtc();
    tls::EvaluateOptions evaluateOptions;
    evaluateOptions.now = now;
    evaluateOptions.expectedHostname = parser.value(hostnameOpt);
    evaluateOptions.warnDays = warnDays;

    QList<ScannedBundle> bundles;
    ExitCode worst = ExitCode::Ok;
    for (const QString &path : paths) {
        const ScannedBundle b = scanBundle(path, inspectOptions, evaluateOptions, critDays);
        worst = worse(worst, b.state);
        bundles << b;
    }
    inspectOptions.storePassword.fill('\0');

    if (format == QLatin1String("json")) {
        QJsonArray list;
        for (const ScannedBundle &b : bundles) {
            QJsonObject o = tls::toJson(b.evaluation);
            o.insert(QStringLiteral("path"), b.path);
            o.insert(QStringLiteral("state"), exitCodeName(b.state));
            QJsonArray files;
            for (const tls::FileInspection &f : b.files)
                files.append(tls::toJson(f, now));
            o.insert(QStringLiteral("files"), files);
            list.append(o);
        }
        printJson(out, QJsonObject{{QStringLiteral("command"), QStringLiteral("certs scan")},
                                   {QStringLiteral("state"), exitCodeName(worst)},
                                   {QStringLiteral("exit_code"), toInt(worst)},
                                   {QStringLiteral("bundles"), list}});
        return worst;
    }

    for (const ScannedBundle &b : bundles) {
        out << b.path << ": " << exitCodeName(b.state) << " - "
            << tls::verdictName(b.evaluation.verdict);
        if (b.evaluation.leaf)
            out << ", leaf " << b.evaluation.leaf->subject << ", " << b.evaluation.daysLeft
                << " days left";
        if (!b.evaluation.reason.isEmpty())
            out << " (" << b.evaluation.reason << ')';
        out << '\n';
        if (!b.evaluation.warnings.isEmpty())
            out << "  warnings: " << b.evaluation.warnings.join(QStringLiteral(", ")) << '\n';
        QList<QStringList> rows;
        for (const tls::FileInspection &f : b.files) {
            if (!f.isUsable()) {
                rows << QStringList{f.name,
                                    tls::fileKindName(f.kind),
                                    tls::problemCode(f.problem) + QStringLiteral(": ") +
                                        f.problemDetail,
                                    QString(),
                                    QString(),
                                    QString()};
                continue;
            }
            for (const tls::PrivateKeyInfo &k : f.keys)
                rows << QStringList{
                    f.name,
                    tls::fileKindName(f.kind),
                    QStringLiteral("%1 %2-bit private key%3")
                        .arg(k.keyType)
                        .arg(k.keyBits)
                        .arg(k.encrypted ? QStringLiteral(" (encrypted)") : QString()),
                    QString(),
                    QString(),
                    QString()};
            for (const tls::CertificateInfo &c : f.certificates)
                rows << QStringList{f.name,
                                    tls::fileKindName(f.kind),
                                    c.subject,
                                    c.notAfter.toUTC().toString(QStringLiteral("yyyy-MM-dd")),
                                    QString::number(c.daysLeft(now)),
                                    shortFingerprint(c.sha256)};
        }
        if (!rows.isEmpty()) {
            QString table;
            QTextStream ts(&table);
            printTable(ts,
                       {QStringLiteral("file"), QStringLiteral("kind"), QStringLiteral("subject"),
                        QStringLiteral("not after"), QStringLiteral("days"),
                        QStringLiteral("sha256")},
                       rows);
            ts.flush();
            for (const QString &line : table.split(QLatin1Char('\n'), Qt::SkipEmptyParts))
                out << "  " << line << '\n';
        }
    }
    return worst;
}

ExitCode runCertsCommand(const QStringList &args)
{
    const QString sub = args.value(0);
    if (sub == QLatin1String("scan"))
        return runCertsScan(args.mid(1));
    if (sub == QLatin1String("watch"))
        return runCertsWatch(args.mid(1));
    if (sub == QLatin1String("probe"))
        return runCertsProbe(args.mid(1));
    QTextStream(stderr) << "opsdeck certs: "
                        << (sub.isEmpty() ? QStringLiteral("missing subcommand")
                                          : QStringLiteral("unknown subcommand '%1'").arg(sub))
                        << " (expected scan, watch or probe)\n\n"
                        << usageText();
    return ExitCode::Unknown;
}

} // namespace opsdeck::cli
