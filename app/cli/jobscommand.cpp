// SPDX-License-Identifier: GPL-3.0-or-later
#include "jobscommand.h"

#include "cli.h"
#include "common/historystore.h"
#include "jobs/audittrail.h"
#include "jobs/jobexecutor.h"
#include "jobs/restclient.h"
#include "jobs/statement.h"
#include "output.h"

#include <QCommandLineParser>
#include <QDir>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonObject>
#include <QTextStream>
#include <cstdio>

namespace opsdeck::cli {

using namespace opsdeck::jobs;

namespace {

constexpr int NotExecutedExit = 3;
constexpr int FailedExit = 2;
constexpr int DefaultWaitSeconds = 120;

QJsonObject notExecutedJson(const QString &statement, const QString &kind, const QString &message)
{
    return QJsonObject{
        {QStringLiteral("statement"), statement},
        {QStringLiteral("columns"), QJsonArray()},
        {QStringLiteral("rows"), QJsonArray()},
        {QStringLiteral("status"), QStringLiteral("not_executed")},
        {QStringLiteral("trigger_id"), QJsonValue()},
        {QStringLiteral("error"), QJsonObject{{QStringLiteral("kind"), kind},
                                              {QStringLiteral("http_status"), QJsonValue()},
                                              {QStringLiteral("message"), message}}},
    };
}

void printResultTable(QTextStream &out, QTextStream &err, const StatementResult &r)
{
    out << "-- " << r.statement.canonicalText() << '\n';
    if (!r.columns.isEmpty() && (!r.rows.isEmpty() || r.status == ExecStatus::Ok)) {
        QStringList headers;
        for (const ResultColumn &c : r.columns)
            headers << c.name;
        QList<QStringList> rows;
        rows.reserve(r.rows.size());
        for (const QVariantList &row : r.rows) {
            QStringList cells;
            for (qsizetype i = 0; i < row.size() && i < r.columns.size(); ++i)
                cells << formatCell(r.columns.at(i).type, row.at(i));
            rows << cells;
        }
        printTable(out, headers, rows);
        out << '(' << r.rows.size() << (r.rows.size() == 1 ? " row" : " rows") << ")\n";
    }
    out << "status: " << execStatusName(r.status);
    if (!r.triggerId.isEmpty())
        out << ", trigger id " << r.triggerId;
    out << '\n';
    if (!r.info.isEmpty())
        out << "note: " << r.info << '\n';
    out.flush();
    if (r.error) {
        err << "opsdeck jobs: " << r.statement.canonicalText() << ": " << r.error->kind;
        if (r.error->httpStatus > 0)
            err << " (HTTP " << r.error->httpStatus << ')';
        err << ": " << r.error->message << '\n';
        err.flush();
    }
}

} // namespace

QString jobsUsageText()
{
    return QStringLiteral(
        "Usage: opsdeck jobs [--profile NAME | --endpoint URL [options]]\n"
        "                    (-e STATEMENT | -f FILE | -) [--yes] [--wait SECONDS | --detach]\n"
        "                    [--format table|json]\n"
        "\n"
        "Statements (several separated by ';', '--' comments):\n"
        "  SHOW JOBS\n"
        "  DESCRIBE JOB <id>\n"
        "  STOP JOB <id> [WITH SAVEPOINT [WITH DRAIN]]\n"
        "  CREATE SAVEPOINT FOR JOB <id> [TO '<directory>'] [FORMAT CANONICAL|NATIVE]\n"
        "  SHOW SAVEPOINTS FOR JOB <id>\n"
        "  DROP SAVEPOINT '<path>'\n"
        "\n"
        "Options:\n"
        "  --profile NAME        profile whose rest settings to use\n"
        "  --config FILE         profiles file\n"
        "  --endpoint URL        http(s)://host:port instead of a profile\n"
        "  --ca-file FILE        PEM CA bundle for the endpoint\n"
        "  --client-cert FILE    client certificate (PEM or PKCS#12)\n"
        "  --client-key FILE     client key (PEM)\n"
        "  --key-password REF    env:VAR or file:PATH\n"
        "  --token REF           bearer token, env:VAR or file:PATH\n"
        "  --header NAME=REF     extra header, value from env:VAR or file:PATH (repeatable)\n"
        "  --pin-sha256 HEX      pin the server certificate's SHA-256\n"
        "  --connect-timeout MS  (default 5000)    --read-timeout MS (default 30000)\n"
        "  --yes                 confirm STOP, DROP and CREATE ... TO (required to run them)\n"
        "  --wait SECONDS        wait for savepoints this long (default 120), then report\n"
        "                        in_progress with the trigger id\n"
        "  --detach              report in_progress as soon as the trigger is accepted\n"
        "  --format table|json   output (json: one object per statement per line)\n"
        "\n"
        "Exit codes: 0 success (or in progress), 2 the cluster refused or the operation\n"
        "failed, 3 not executed (syntax error, unreachable, not confirmed, usage).\n");
}

int runJobsCommand(const QStringList &args)
{
    QTextStream out(stdout);
    QTextStream err(stderr);
    QCommandLineParser parser;
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    const QCommandLineOption profileOpt(QStringLiteral("profile"), QString(),
                                        QStringLiteral("NAME"));
    const QCommandLineOption configOpt(QStringLiteral("config"), QString(), QStringLiteral("FILE"));
    const QCommandLineOption endpointOpt(QStringLiteral("endpoint"), QString(),
                                         QStringLiteral("URL"));
    const QCommandLineOption caOpt(QStringLiteral("ca-file"), QString(), QStringLiteral("FILE"));
    const QCommandLineOption certOpt(QStringLiteral("client-cert"), QString(),
                                     QStringLiteral("FILE"));
    const QCommandLineOption keyOpt(QStringLiteral("client-key"), QString(),
                                    QStringLiteral("FILE"));
    const QCommandLineOption keyPassOpt(QStringLiteral("key-password"), QString(),
                                        QStringLiteral("REF"));
    const QCommandLineOption tokenOpt(QStringLiteral("token"), QString(), QStringLiteral("REF"));
    const QCommandLineOption headerOpt(QStringLiteral("header"), QString(),
                                       QStringLiteral("NAME=REF"));
    const QCommandLineOption pinOpt(QStringLiteral("pin-sha256"), QString(), QStringLiteral("HEX"));
    const QCommandLineOption connectOpt(QStringLiteral("connect-timeout"), QString(),
                                        QStringLiteral("MS"));
    const QCommandLineOption readOpt(QStringLiteral("read-timeout"), QString(),
                                     QStringLiteral("MS"));
    const QCommandLineOption execOpt(QStringList{QStringLiteral("e"), QStringLiteral("execute")},
                                     QString(), QStringLiteral("STATEMENT"));
    const QCommandLineOption fileOpt(QStringList{QStringLiteral("f"), QStringLiteral("file")},
                                     QString(), QStringLiteral("FILE"));
    const QCommandLineOption yesOpt(QStringList{QStringLiteral("y"), QStringLiteral("yes")});
    const QCommandLineOption waitOpt(QStringLiteral("wait"), QString(), QStringLiteral("SECONDS"));
    const QCommandLineOption detachOpt(QStringLiteral("detach"));
    const QCommandLineOption formatOpt(QStringLiteral("format"), QString(),
                                       QStringLiteral("FORMAT"), QStringLiteral("table"));
    const QCommandLineOption helpOpt(QStringList{QStringLiteral("h"), QStringLiteral("help")});
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsCompactedShortOptions);
    parser.addOptions({profileOpt, configOpt, endpointOpt, caOpt, certOpt, keyOpt, keyPassOpt,
                       tokenOpt, headerOpt, pinOpt, connectOpt, readOpt, execOpt, fileOpt, yesOpt,
                       waitOpt, detachOpt, formatOpt, helpOpt});
    const auto usage = [&](const QString &message) {
        err << "opsdeck jobs: " << message << "\n\n" << jobsUsageText();
        return NotExecutedExit;
    };
    if (!parser.parse(QStringList{QStringLiteral("opsdeck-jobs")} + args))
        return usage(parser.errorText());
    if (parser.isSet(helpOpt)) {
        out << jobsUsageText();
        return 0;
    }
    QString format;
    QString formatError;
    if (!parseFormat(parser.value(formatOpt), {QStringLiteral("table"), QStringLiteral("json")},
                     &format, &formatError))
        return usage(formatError);
    const bool json = format == QLatin1String("json");

    // The script: exactly one of -e, -f, -.
    const QStringList positional = parser.positionalArguments();
    const bool fromStdin = positional == QStringList{QStringLiteral("-")};
    if (!positional.isEmpty() && !fromStdin)
        return usage(QStringLiteral("unexpected argument '%1'").arg(positional.first()));
    const int sources =
        (parser.isSet(execOpt) ? 1 : 0) + (parser.isSet(fileOpt) ? 1 : 0) + (fromStdin ? 1 : 0);
    if (sources != 1)
        return usage(QStringLiteral("give exactly one of -e STATEMENT, -f FILE or - (stdin)"));
    QString script;
    QString scriptName = QStringLiteral("-e");
    if (parser.isSet(execOpt)) {
        script = parser.values(execOpt).join(QLatin1Char('\n'));
    } else if (parser.isSet(fileOpt)) {
        scriptName = parser.value(fileOpt);
        QFile file(scriptName);
        if (!file.open(QIODevice::ReadOnly))
            return usage(QStringLiteral("cannot read %1: %2").arg(scriptName, file.errorString()));
        script = QString::fromUtf8(file.read(4 * 1024 * 1024));
    } else {
        scriptName = QStringLiteral("stdin");
        QFile in;
        if (!in.open(stdin, QIODevice::ReadOnly))
            return usage(QStringLiteral("cannot read standard input"));
        script = QString::fromUtf8(in.read(4 * 1024 * 1024));
    }

    int waitMs = DefaultWaitSeconds * 1000;
    if (parser.isSet(waitOpt) && parser.isSet(detachOpt))
        return usage(QStringLiteral("--wait and --detach exclude each other"));
    if (parser.isSet(waitOpt)) {
        bool ok = false;
        const double seconds = parser.value(waitOpt).toDouble(&ok);
        if (!ok || seconds < 0 || seconds > 86400)
            return usage(QStringLiteral("--wait must be a number of seconds from 0 to 86400"));
        waitMs = static_cast<int>(seconds * 1000);
    }
    if (parser.isSet(detachOpt))
        waitMs = 0;

    ParseError parseError;
    auto parsed = parseScript(script, &parseError);
    if (!parsed) {
        if (json)
            printJson(out, notExecutedJson(
                               QString(), QStringLiteral("syntax"),
                               QStringLiteral("%1: %2").arg(scriptName, parseError.message())));
        err << "opsdeck jobs: syntax error in " << scriptName << ", " << parseError.message()
            << '\n'
            << parseError.caret << '\n';
        return NotExecutedExit;
    }
    const QList<Statement> statements = parsed.value();
    if (statements.isEmpty())
        return usage(QStringLiteral("the script holds no statement"));

    // Where to send them.
    RestEndpointConfig endpoint;
    QString profileName;
    if (parser.isSet(endpointOpt)) {
        if (parser.isSet(profileOpt))
            return usage(QStringLiteral("--endpoint and --profile exclude each other"));
        endpoint.url = parser.value(endpointOpt);
        profileName = QStringLiteral("(command line)");
    } else {
        const auto selected =
            profileForCommand(QStringLiteral("jobs"), parser.value(configOpt),
                              parser.value(profileOpt), QStringLiteral("--endpoint URL"));
        if (!selected) {
            err << "opsdeck jobs: " << selected.error().toString() << '\n';
            return NotExecutedExit;
        }
        endpoint = selected->rest;
        profileName = selected->name;
        if (!endpoint.isSet()) {
            err << "opsdeck jobs: profile '" << profileName
                << "' has no REST endpoint (rest.url); pass --endpoint URL\n";
            return NotExecutedExit;
        }
    }
    if (parser.isSet(caOpt))
        endpoint.caFile = parser.value(caOpt);
    if (parser.isSet(certOpt))
        endpoint.clientCertFile = parser.value(certOpt);
    if (parser.isSet(keyOpt))
        endpoint.clientKeyFile = parser.value(keyOpt);
    if (parser.isSet(keyPassOpt))
        endpoint.clientKeyPassword = SecretRef::parse(parser.value(keyPassOpt));
    if (parser.isSet(tokenOpt))
        endpoint.token = SecretRef::parse(parser.value(tokenOpt));
    if (parser.isSet(pinOpt))
        endpoint.pinSha256 = parser.value(pinOpt);
    for (const QString &header : parser.values(headerOpt)) {
        const qsizetype eq = header.indexOf(QLatin1Char('='));
        if (eq <= 0)
            return usage(QStringLiteral("--header wants NAME=REF, not '%1'")
                             .arg(header.left(eq < 0 ? 40 : eq)));
        const SecretRef ref = SecretRef::parse(header.mid(eq + 1));
        if (ref.isInline())
            return usage(QStringLiteral("--header %1: the value must be a reference (env:VAR or "
                                        "file:PATH), so it never shows in the process list")
                             .arg(header.left(eq)));
        endpoint.headers.insert(header.left(eq), ref);
    }
    for (const auto &[opt, target] : {std::pair{&connectOpt, &endpoint.connectTimeoutMs},
                                      std::pair{&readOpt, &endpoint.readTimeoutMs}}) {
        if (!parser.isSet(*opt))
            continue;
        bool ok = false;
        const int ms = parser.value(*opt).toInt(&ok);
        if (!ok || ms < 50 || ms > 600000)
            return usage(QStringLiteral("--%1 must be milliseconds from 50 to 600000")
                             .arg(opt->names().first()));
        *target = ms;
    }
    if (endpoint.token.isInline() || endpoint.clientKeyPassword.isInline())
        return usage(QStringLiteral("secrets are given as references (env:VAR or file:PATH), "
                                    "never inline on the command line"));

    if (endpoint.insecure)
        err << "opsdeck jobs: INSECURE: TLS verification is switched off for " << endpoint.url
            << " (rest.insecure in profile '" << profileName
            << "'): anyone on the path can read and change the requests\n";
    RestClient client;
    if (const auto configured = client.configure(endpoint); !configured) {
        Error e = configured.error();
        // The URL came from the command line, not from a profile's rest.url.
        if (parser.isSet(endpointOpt) && e.where == QLatin1String("rest.url"))
            e.where = QStringLiteral("--endpoint");
        err << "opsdeck jobs: " << e.toString() << '\n';
        if (json)
            printJson(out, notExecutedJson(statements.first().canonicalText(),
                                           QStringLiteral("configuration"), e.toString()));
        return NotExecutedExit;
    }

    HistoryStore history;
    const QString historyPath = HistoryStore::defaultPath();
    QDir().mkpath(QFileInfo(historyPath).absolutePath());
    if (const auto opened = history.open(historyPath); !opened)
        err << "opsdeck jobs: WARNING: history disabled, savepoints triggered now are not "
               "recorded in the ledger: "
            << opened.error().toString() << '\n';
    AuditTrail audit(&history, AuditTrail::defaultPath());
    JobExecutor executor(&client, &history, &audit, profileName);

    for (const Statement &statement : statements) {
        if (statement.needsConfirmation() && !parser.isSet(yesOpt)) {
            executor.recordDeclined(statement,
                                    QStringLiteral("not_executed: not confirmed (no --yes)"));
            const QString message =
                QStringLiteral("%1 changes the cluster; run again with --yes to confirm (nothing "
                               "was changed)")
                    .arg(statement.canonicalText());
            if (json)
                printJson(out, notExecutedJson(statement.canonicalText(),
                                               QStringLiteral("not_confirmed"), message));
            else
                out << "-- " << statement.canonicalText() << "\nstatus: not_executed\n";
            out.flush();
            err << "opsdeck jobs: " << message << '\n';
            return NotExecutedExit;
        }
        if (history.isOpen())
            (void)history.appendStatement(profileName, statement.canonicalText());
        QEventLoop loop;
        StatementResult result;
        executor.execute(statement, waitMs, [&](const StatementResult &r) {
            result = r;
            loop.quit();
        });
        loop.exec();
        if (json) {
            QJsonObject object = result.toJson();
            if (endpoint.insecure)
                object.insert(QStringLiteral("insecure"), true);
            printJson(out, object);
            out.flush();
            if (result.error)
                err << "opsdeck jobs: " << result.error->toString() << '\n';
        } else {
            printResultTable(out, err, result);
        }
        if (result.status == ExecStatus::NotExecuted)
            return NotExecutedExit;
        if (result.status == ExecStatus::Failed)
            return FailedExit;
        // In progress (wait limit, --detach, or a result the cluster no longer has) is not a
        // failure: exit 0 with the trigger id; the ledger and SHOW SAVEPOINTS follow it up.
    }
    return 0;
}

} // namespace opsdeck::cli
