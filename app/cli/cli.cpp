// SPDX-License-Identifier: GPL-3.0-or-later
#include "cli.h"

#include "certscommand.h"
#include "checkcommand.h"
#include "common/profilestore.h"
#include "jobscommand.h"
#include "rolescommand.h"
#include "statuscommand.h"

#include <QCoreApplication>
#include <QTextStream>
#include <cstdio>

namespace opsdeck::cli {

namespace {

const QStringList HeadlessCommands = {QStringLiteral("status"), QStringLiteral("certs"),
                                      QStringLiteral("jobs"), QStringLiteral("roles"),
                                      QStringLiteral("check")};

} // namespace

QString versionText()
{
    return QStringLiteral("opsdeck %1 (Qt %2)")
        .arg(QStringLiteral(OPSDECK_VERSION), QString::fromLatin1(qVersion()));
}

QString usageText()
{
    return QStringLiteral(
        "Usage:\n"
        "  opsdeck [--profile NAME] [--config FILE]   start the console (needs a display)\n"
        "  opsdeck status [options]                   headless status of a profile\n"
        "  opsdeck certs scan PATH... [options]       certificate inventory and verdicts\n"
        "  opsdeck certs watch PATH... [options]      stream reload events (JSON lines)\n"
        "  opsdeck certs probe HOST:PORT [options]    the certificate a live endpoint serves\n"
        "  opsdeck jobs (-e STMT | -f FILE | -) [...] run job and savepoint statements against\n"
        "                                             Flink's REST API (opsdeck jobs --help)\n"
        "  opsdeck roles [options]                    SolrCloud node roles and overseer election\n"
        "  opsdeck roles validate SPEC                check a solr.node.roles value\n"
        "  opsdeck check [options]                    one health check over certs, jobs, roles\n"
        "                                             and the fleet; Nagios, JSON or Prometheus\n"
        "                                             output (opsdeck check --help)\n"
        "  opsdeck --version | --help\n"
        "\n"
        "Headless options (status):\n"
        "  --profile NAME      profile to use (default: the config file's default)\n"
        "  --config FILE       profiles file (default: $XDG_CONFIG_HOME/opsdeck/profiles.json)\n"
        "  --format table|json output format (default: table)\n"
        "  --timeout MS        bound for each network check (default: 5000)\n"
        "  --verbose           print the activity log to stderr\n"
        "\n"
        "Exit codes (monitoring-plugin convention): 0 OK, 1 WARNING, 2 CRITICAL,\n"
        "3 UNKNOWN (could not check, or a usage error).\n");
}

Invocation parseInvocation(const QStringList &args)
{
    Invocation inv;
    if (args.isEmpty())
        return inv;
    const QString &first = args.first();
    if (first == QLatin1String("--version") || first == QLatin1String("-V") ||
        first == QLatin1String("version")) {
        inv.mode = Invocation::Mode::Version;
        return inv;
    }
    if (first == QLatin1String("--help") || first == QLatin1String("-h") ||
        first == QLatin1String("help")) {
        inv.mode = Invocation::Mode::Help;
        return inv;
    }
    if (HeadlessCommands.contains(first)) {
        inv.mode = Invocation::Mode::Headless;
        inv.command = first;
        inv.commandArgs = args.mid(1);
        return inv;
    }
    // Otherwise only GUI options may follow.
    for (qsizetype i = 0; i < args.size(); ++i) {
        const QString &arg = args.at(i);
        auto value = [&](QString *target) {
            if (i + 1 >= args.size() || args.at(i + 1).startsWith(QLatin1Char('-'))) {
                inv.mode = Invocation::Mode::UsageError;
                inv.error = QStringLiteral("option %1 needs a value").arg(arg);
                return false;
            }
            *target = args.at(++i);
            return true;
        };
        if (arg == QLatin1String("--profile")) {
            if (!value(&inv.profileName))
                return inv;
        } else if (arg == QLatin1String("--config")) {
            if (!value(&inv.configPath))
                return inv;
        } else if (arg.startsWith(QLatin1String("--profile="))) {
            inv.profileName = arg.mid(10);
        } else if (arg.startsWith(QLatin1String("--config="))) {
            inv.configPath = arg.mid(9);
        } else {
            inv.mode = Invocation::Mode::UsageError;
            inv.error = arg.startsWith(QLatin1Char('-'))
                            ? QStringLiteral("unknown option '%1'").arg(arg)
                            : QStringLiteral("unknown command '%1'").arg(arg);
            return inv;
        }
    }
    return inv;
}

bool guiPlatformAvailable()
{
    return !qEnvironmentVariableIsEmpty("DISPLAY") ||
           !qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY") ||
           !qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM");
}

Result<Profile> profileForCommand(const QString &command, const QString &configPath,
                                  const QString &profileName, const QString &instead)
{
    const auto loaded = ProfileStore::loadConfig(configPath);
    if (!loaded)
        return loaded.error();
    const ProfileSet &set = loaded.value();
    for (const QString &warning : set.warnings)
        QTextStream(stderr) << "opsdeck " << command << ": warning: " << warning << '\n';
    if (set.profiles.isEmpty())
        return makeError(ErrorCode::NotFound,
                         QStringLiteral("no profiles defined; create one in the console (Profile ▸ "
                                        "Edit profiles…), pass --config FILE, or pass %1")
                             .arg(instead),
                         set.path);
    return ProfileStore::select(set, profileName);
}

int runHeadless(int &argc, char **argv, const Invocation &invocation)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("opsdeck"));
    QCoreApplication::setApplicationVersion(QStringLiteral(OPSDECK_VERSION));
    // `status` and `certs` have no help of their own: --help anywhere shows the general usage.
    if ((invocation.command == QLatin1String("status") ||
         invocation.command == QLatin1String("certs")) &&
        (invocation.commandArgs.contains(QLatin1String("--help")) ||
         invocation.commandArgs.contains(QLatin1String("-h")))) {
        QTextStream(stdout) << usageText();
        return 0;
    }
    if (invocation.command == QLatin1String("status"))
        return toInt(runStatusCommand(invocation.commandArgs));
    if (invocation.command == QLatin1String("certs"))
        return toInt(runCertsCommand(invocation.commandArgs));
    if (invocation.command == QLatin1String("jobs"))
        return runJobsCommand(invocation.commandArgs);
    if (invocation.command == QLatin1String("roles"))
        return runRolesCommand(invocation.commandArgs);
    if (invocation.command == QLatin1String("check"))
        return runCheckCommand(invocation.commandArgs);
    QTextStream(stderr) << "opsdeck: unknown command '" << invocation.command << "'\n";
    return toInt(ExitCode::Unknown);
}

} // namespace opsdeck::cli
