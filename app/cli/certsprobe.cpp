// SPDX-License-Identifier: GPL-3.0-or-later
#include "certsprobe.h"

#include "common/profile.h"
#include "output.h"
#include "tls/bundlereader.h"
#include "tls/endpointprobe.h"
#include "tls/inspector.h"
#include "tls/tlsjson.h"

#include <QCommandLineParser>
#include <QEventLoop>
#include <QJsonArray>
#include <QTextStream>
#include <optional>

namespace opsdeck::cli {

namespace {

const QString Command = QStringLiteral("opsdeck certs probe");

struct DiskSide
{
    QString path;
    tls::BundleEvaluation evaluation; // evaluation.leaf is the disk leaf
    tls::DiskComparison comparison;
};

// Reads the --compare bundle; an error text when it has no usable leaf.
std::optional<QString> readDisk(const QString &path, const QDateTime &now, DiskSide *disk)
{
    disk->path = path;
    const tls::BundleListing listing = tls::listBundle(path);
    if (listing.problem != tls::Problem::None)
        return QStringLiteral("--compare %1: %2 (%3)")
            .arg(path, tls::problemCode(listing.problem), listing.problemDetail);
    const QList<tls::FileInspection> files = tls::readBundle(listing, tls::InspectOptions{});
    tls::EvaluateOptions options;
    options.now = now;
    disk->evaluation = tls::evaluateBundle(files, options);
    if (!disk->evaluation.leaf)
        return QStringLiteral("--compare %1: no leaf certificate in the bundle (%2)")
            .arg(path, disk->evaluation.reason.isEmpty()
                           ? tls::verdictName(disk->evaluation.verdict)
                           : disk->evaluation.reason);
    return std::nullopt;
}

QString dateOf(const QDateTime &time)
{
    return time.isValid() ? time.toUTC().toString(QStringLiteral("yyyy-MM-dd HH:mm")) : QString();
}

} // namespace

ExitCode runCertsProbe(const QStringList &args)
{
    QTextStream out(stdout);
    QTextStream err(stderr);
    QCommandLineParser parser;
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    const QCommandLineOption serverNameOpt(QStringLiteral("servername"), QString(),
                                           QStringLiteral("NAME"));
    const QCommandLineOption caOpt(QStringLiteral("ca"), QString(), QStringLiteral("FILE"));
    const QCommandLineOption compareOpt(QStringLiteral("compare"), QString(),
                                        QStringLiteral("PATH"));
    const QCommandLineOption timeoutOpt(QStringLiteral("timeout"), QString(), QStringLiteral("MS"),
                                        QString::number(tls::DefaultProbeTimeoutMs));
    const QCommandLineOption warnOpt(QStringLiteral("warn-days"), QString(), QStringLiteral("N"),
                                     QStringLiteral("30"));
    const QCommandLineOption formatOpt(QStringLiteral("format"), QString(),
                                       QStringLiteral("FORMAT"), QStringLiteral("table"));
    parser.addOptions({serverNameOpt, caOpt, compareOpt, timeoutOpt, warnOpt, formatOpt});
    if (!parser.parse(QStringList{QStringLiteral("opsdeck-certs-probe")} + args)) {
        err << Command << ": " << parser.errorText() << '\n';
        return ExitCode::Unknown;
    }
    const QStringList positional = parser.positionalArguments();
    if (positional.size() != 1) {
        err << Command << ": give exactly one HOST:PORT (IPv6 as [addr]:port)\n";
        return ExitCode::Unknown;
    }
    const auto hostPort = parseHostPort(positional.first());
    if (!hostPort) {
        err << Command << ": " << hostPort.error().message << '\n';
        return ExitCode::Unknown;
    }
    QString format;
    QString formatError;
    if (!parseFormat(parser.value(formatOpt), {QStringLiteral("table"), QStringLiteral("json")},
                     &format, &formatError)) {
        err << Command << ": " << formatError << '\n';
        return ExitCode::Unknown;
    }
    bool timeoutOk = false;
    const int timeoutMs = parser.value(timeoutOpt).toInt(&timeoutOk);
    if (!timeoutOk || timeoutMs < 1 || timeoutMs > 600000) {
        err << Command << ": --timeout must be a number of milliseconds from 1 to 600000\n";
        return ExitCode::Unknown;
    }
    bool warnOk = false;
    const int warnDays = parser.value(warnOpt).toInt(&warnOk);
    if (!warnOk || warnDays < 0) {
        err << Command << ": --warn-days must be a whole number >= 0\n";
        return ExitCode::Unknown;
    }

    const QDateTime now = QDateTime::currentDateTimeUtc();
    std::optional<DiskSide> disk;
    if (parser.isSet(compareOpt)) {
        disk.emplace();
        if (const auto problem = readDisk(parser.value(compareOpt), now, &*disk)) {
            err << Command << ": " << *problem << '\n';
            return ExitCode::Unknown;
        }
    }

    tls::ProbeRequest request;
    request.host = hostPort->host;
    request.port = hostPort->port;
    request.serverName = parser.value(serverNameOpt);
    request.caFile = parser.value(caOpt);
    request.timeoutMs = timeoutMs;

    tls::ProbeResult result;
    {
        tls::EndpointProber prober;
        QEventLoop loop;
        QObject::connect(&prober, &tls::EndpointProber::finished, &loop,
                         [&result, &loop](const tls::ProbeResult &r) {
                             result = r;
                             loop.quit();
                         });
        prober.probe(request);
        loop.exec(); // bounded: the prober gives up after timeoutMs
    }

    // The state: the worst of what was found, with a reason per finding.
    ExitCode state = ExitCode::Ok;
    QStringList reasons;
    if (!result.ok()) {
        state = ExitCode::Unknown;
        reasons << tls::probeErrorKindName(result.error) + QStringLiteral(": ") +
                       result.errorMessage;
    } else {
        const tls::CertificateInfo &leaf = result.chain.first();
        const qint64 days = leaf.daysLeft(now);
        if (leaf.notAfter.isValid() && leaf.notAfter < now) {
            state = worse(state, ExitCode::Critical);
            reasons << QStringLiteral("served certificate expired %1").arg(dateOf(leaf.notAfter));
        } else if (leaf.notBefore.isValid() && leaf.notBefore > now) {
            state = worse(state, ExitCode::Critical);
            reasons << QStringLiteral("served certificate not valid before %1")
                           .arg(dateOf(leaf.notBefore));
        } else if (days <= warnDays) {
            state = worse(state, ExitCode::Warning);
            reasons << QStringLiteral("served certificate expires in %1 days").arg(days);
        }
        if (!request.caFile.isEmpty() && !result.verified) {
            state = worse(state, ExitCode::Critical);
            reasons << QStringLiteral("verification failed: ") + result.verifyReason;
        }
        if (disk) {
            disk->comparison = tls::compareWithDisk(result, *disk->evaluation.leaf);
            if (disk->comparison.matchesDisk == false) {
                state = worse(state, ExitCode::Critical);
                reasons << disk->comparison.message;
            }
        }
    }

    if (format == QLatin1String("json")) {
        QJsonObject o{{QStringLiteral("command"), QStringLiteral("certs probe")},
                      {QStringLiteral("endpoint"), result.endpoint},
                      {QStringLiteral("state"), exitCodeName(state)},
                      {QStringLiteral("exit_code"), toInt(state)},
                      {QStringLiteral("reasons"), QJsonArray::fromStringList(reasons)},
                      {QStringLiteral("probe"), result.toJson(now)}};
        if (disk) {
            QJsonObject c{
                {QStringLiteral("path"), disk->path},
                {QStringLiteral("disk_verdict"), tls::verdictName(disk->evaluation.verdict)},
                {QStringLiteral("disk_leaf_sha256"), disk->evaluation.leaf->sha256},
                {QStringLiteral("disk_leaf_subject"), disk->evaluation.leaf->subject},
                {QStringLiteral("disk_leaf_not_before"),
                 tls::isoUtc(disk->evaluation.leaf->notBefore)},
                {QStringLiteral("served_leaf_sha256"), result.leafSha256},
                {QStringLiteral("relation"), tls::diskMatchName(disk->comparison.match)},
                {QStringLiteral("message"), disk->comparison.message}};
            if (disk->comparison.matchesDisk) {
                c.insert(QStringLiteral("matches_disk"), *disk->comparison.matchesDisk);
                o.insert(QStringLiteral("matches_disk"), *disk->comparison.matchesDisk);
            } else {
                c.insert(QStringLiteral("matches_disk"), QJsonValue::Null);
                o.insert(QStringLiteral("matches_disk"), QJsonValue::Null);
            }
            o.insert(QStringLiteral("compare"), c);
        }
        printJson(out, o);
        return state;
    }

    out << result.endpoint;
    if (!result.serverName.isEmpty())
        out << " (SNI " << result.serverName << ')';
    out << ": " << exitCodeName(state);
    if (!reasons.isEmpty())
        out << " - " << reasons.join(QStringLiteral("; "));
    out << '\n';
    if (!result.ok())
        return state;

    out << "  protocol: " << result.protocol << ", cipher " << result.cipher << ", handshake "
        << result.handshakeMs << " ms";
    if (!result.peerAddress.isEmpty())
        out << " (" << result.peerAddress << ')';
    out << '\n';
    if (result.verified)
        out << "  verification: OK against " << request.caFile << " (hostname "
            << result.verifiedHostname << ")\n";
    else if (request.caFile.isEmpty())
        out << "  verification: not verified (" << result.verifyReason << ")\n";
    else
        out << "  verification: FAILED against " << request.caFile << ": "
            << result.verifyErrors.join(QStringLiteral("; ")) << '\n';

    QList<QStringList> rows;
    for (qsizetype i = 0; i < result.chain.size(); ++i) {
        const tls::CertificateInfo &c = result.chain.at(i);
        rows << QStringList{QString::number(i),
                            c.subject,
                            c.issuer,
                            c.notAfter.toUTC().toString(QStringLiteral("yyyy-MM-dd")),
                            QString::number(c.daysLeft(now)),
                            c.sha256.left(16)};
    }
    QString table;
    QTextStream ts(&table);
    printTable(ts,
               {QStringLiteral("#"), QStringLiteral("subject"), QStringLiteral("issuer"),
                QStringLiteral("not after"), QStringLiteral("days"), QStringLiteral("sha256")},
               rows);
    ts.flush();
    for (const QString &line : table.split(QLatin1Char('\n'), Qt::SkipEmptyParts))
        out << "  " << line << '\n';
    out << "  leaf sha256: " << result.leafSha256 << '\n';
    if (disk) {
        out << "  disk: " << disk->path << " leaf sha256: " << disk->evaluation.leaf->sha256
            << '\n';
        out << "  matches_disk: "
            << (disk->comparison.matchesDisk.value_or(false) ? "true" : "false");
        if (disk->comparison.matchesDisk == false)
            out << " - " << disk->comparison.message;
        out << '\n';
    }
    return state;
}

} // namespace opsdeck::cli
