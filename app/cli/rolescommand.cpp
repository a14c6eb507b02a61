// SPDX-License-Identifier: GPL-3.0-or-later
#include "rolescommand.h"

#include "cli.h"
#include "output.h"
#include "roles/findings.h"
#include "roles/rolesjson.h"
#include "roles/rolesnapshot.h"
#include "roles/rolespec.h"
#include "roles/solrwatcher.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QEventLoop>
#include <QJsonArray>
#include <QSocketNotifier>
#include <QTextStream>
#include <QTimer>
#include <csignal>
#include <sys/socket.h>
#include <unistd.h>

namespace opsdeck::cli {

using namespace opsdeck::roles;

namespace {

constexpr int CannotCheck = 3;

QString usage()
{
    return QStringLiteral(
        "Usage: opsdeck roles [--profile NAME | --zk HOST:PORT[,HOST:PORT...][/chroot]\n"
        "                     [--auth REF]] [--config FILE] [--format table|json|jsonl]\n"
        "                     [--watch [--max-events N]] [--timeout MS]\n"
        "       opsdeck roles validate SPEC\n"
        "\n"
        "A SolrCloud cluster's node roles, overseer election order and leader, read live from\n"
        "ZooKeeper, with the role rules the cluster breaks. --watch streams one JSON line per\n"
        "change (election order, leader, findings added and removed).\n"
        "Exit codes: 0 no findings, 1 warnings, 2 critical (nobody eligible, disallowed or no\n"
        "leader), 3 cannot connect or no Solr cluster at that path.\n");
}

QString rolesCell(const NodeInfo &n, const QString &role)
{
    const QString mode = n.mode(role);
    return mode.isEmpty() ? QStringLiteral("?") : mode;
}

void printTableReport(QTextStream &out, const RolesSnapshot &s, const QList<Finding> &findings,
                      const ZkStatus &status, const QString &connect)
{
    out << "ZooKeeper " << connect << ": " << zkSessionStateName(status.state);
    if (!status.server.isEmpty())
        out << " via " << status.server;
    if (status.sessionId != 0)
        out << ", session 0x" << QString::number(static_cast<quint64>(status.sessionId), 16);
    out << '\n';
    QList<QStringList> rows;
    for (const NodeInfo &n : s.nodes) {
        QStringList codes;
        for (const Finding &f : findings)
            if (f.node == n.name && !codes.contains(f.code))
                codes << f.code;
        rows << QStringList{
            n.name,
            n.live ? QStringLiteral("yes") : QStringLiteral("no"),
            rolesCell(n, role::data()),
            rolesCell(n, role::overseer()) +
                (n.rolesJsonOverseer.isEmpty() ? QString() : QStringLiteral(" (+roles.json)")),
            rolesCell(n, role::coordinator()),
            QString::number(n.replicaCount),
            codes.join(QLatin1Char(','))};
    }
    printTable(out,
               {QStringLiteral("node"), QStringLiteral("live"), QStringLiteral("data"),
                QStringLiteral("overseer"), QStringLiteral("coordinator"),
                QStringLiteral("replicas"), QStringLiteral("findings")},
               rows);
    out << '\n';
    rows.clear();
    for (const ElectionCandidate &c : s.election) {
        const bool leader = s.leader.exists && c.znode == s.leader.znode;
        rows << QStringList{QString::number(c.position),
                            c.node + (leader ? QStringLiteral(" (leader)") : QString()),
                            QString::number(c.sessionId), QString::number(c.sequence),
                            c.watches.isEmpty() ? QStringLiteral("-") : c.watches};
    }
    out << "Overseer election (Solr's order):\n";
    printTable(out,
               {QStringLiteral("pos"), QStringLiteral("node"), QStringLiteral("session"),
                QStringLiteral("seq"), QStringLiteral("watches")},
               rows);
    if (s.leader.exists)
        out << "Leader: " << s.leader.node
            << (s.leader.isHead ? "" : " (NOT the head of the queue)") << '\n';
    else
        out << "Leader: none (/overseer_elect/leader is missing)\n";
    const WhatIf w = whatIfDies(s);
    if (!w.explanation.isEmpty())
        out << "If the leader dies: " << w.explanation << '\n';
    out << '\n';
    if (findings.isEmpty()) {
        out << "No findings.\n";
    } else {
        out << "Findings:\n";
        for (const Finding &f : findings)
            out << "  " << severityName(f.severity).toUpper() << ' ' << f.code << ": " << f.message
                << '\n';
    }
}

int runValidate(const QStringList &args, QTextStream &out, QTextStream &err)
{
    if (args.size() != 1) {
        err << "opsdeck roles validate: give exactly one SPEC (quote it), e.g. "
               "'data:off,overseer:preferred'\n";
        return CannotCheck;
    }
    RoleSpecError detail;
    const auto effective = validateRoleSpec(args.first(), &detail);
    if (!effective) {
        err << "opsdeck roles validate: " << detail.toString() << '\n'
            << "  " << args.first() << '\n'
            << "  " << QString(detail.position, QLatin1Char(' ')) << "^\n";
        if (!detail.solrBehaviour.isEmpty())
            err << "Solr: " << detail.solrBehaviour << '\n';
        return 2;
    }
    out << effective->explanation;
    if (!effective->explanation.endsWith(QLatin1Char('\n')))
        out << '\n';
    return 0;
}

// SIGINT/SIGTERM end --watch cleanly (a self-pipe: nothing async-signal-unsafe in the handler).
int s_signalPipe[2] = {-1, -1};
void onSignal(int)
{
    const char c = 1;
    [[maybe_unused]] const auto n = ::write(s_signalPipe[1], &c, 1);
}

} // namespace

int runRolesCommand(const QStringList &args)
{
    QTextStream out(stdout);
    QTextStream err(stderr);
    if (!args.isEmpty() && args.first() == QLatin1String("validate")) {
        if (args.size() == 2 &&
            (args.at(1) == QLatin1String("--help") || args.at(1) == QLatin1String("-h"))) {
            out << usage();
            return 0;
        }
        return runValidate(args.mid(1), out, err);
    }

    QCommandLineParser parser;
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    const QCommandLineOption profileOpt(QStringLiteral("profile"), QString(),
                                        QStringLiteral("NAME"));
    const QCommandLineOption configOpt(QStringLiteral("config"), QString(), QStringLiteral("FILE"));
    const QCommandLineOption zkOpt(QStringLiteral("zk"), QString(), QStringLiteral("CONNECT"));
    const QCommandLineOption authOpt(QStringLiteral("auth"), QString(), QStringLiteral("REF"));
    const QCommandLineOption formatOpt(QStringLiteral("format"), QString(),
                                       QStringLiteral("FORMAT"), QStringLiteral("table"));
    const QCommandLineOption watchOpt(QStringLiteral("watch"));
    const QCommandLineOption maxEventsOpt(QStringLiteral("max-events"), QString(),
                                          QStringLiteral("N"));
    const QCommandLineOption timeoutOpt(QStringLiteral("timeout"), QString(), QStringLiteral("MS"),
                                        QStringLiteral("10000"));
    const QCommandLineOption helpOpt(QStringList{QStringLiteral("h"), QStringLiteral("help")});
    parser.addOptions({profileOpt, configOpt, zkOpt, authOpt, formatOpt, watchOpt, maxEventsOpt,
                       timeoutOpt, helpOpt});
    const auto fail = [&](const QString &message) {
        err << "opsdeck roles: " << message << "\n\n" << usage();
        return CannotCheck;
    };
    if (!parser.parse(QStringList{QStringLiteral("opsdeck-roles")} + args))
        return fail(parser.errorText());
    if (parser.isSet(helpOpt)) {
        out << usage();
        return 0;
    }
    if (!parser.positionalArguments().isEmpty())
        return fail(
            QStringLiteral("unexpected argument '%1'").arg(parser.positionalArguments().first()));
    const bool watch = parser.isSet(watchOpt);
    QString format;
    QString formatError;
    if (!parseFormat(parser.value(formatOpt),
                     {QStringLiteral("table"), QStringLiteral("json"), QStringLiteral("jsonl")},
                     &format, &formatError))
        return fail(formatError);
    if (watch && format == QLatin1String("table"))
        format = QStringLiteral("jsonl");
    bool ok = false;
    const int timeoutMs = parser.value(timeoutOpt).toInt(&ok);
    if (!ok || timeoutMs < 100 || timeoutMs > 600000)
        return fail(QStringLiteral("--timeout must be milliseconds from 100 to 600000"));
    int maxEvents = -1;
    if (parser.isSet(maxEventsOpt)) {
        maxEvents = parser.value(maxEventsOpt).toInt(&ok);
        if (!ok || maxEvents < 1)
            return fail(QStringLiteral("--max-events must be a positive number"));
    }

    ZooKeeperConfig zk;
    if (parser.isSet(zkOpt)) {
        if (parser.isSet(profileOpt))
            return fail(QStringLiteral("--zk and --profile exclude each other"));
        zk.connectString = parser.value(zkOpt);
        if (parser.isSet(authOpt)) {
            zk.digestAuth = SecretRef::parse(parser.value(authOpt));
            if (zk.digestAuth.isInline())
                return fail(QStringLiteral("--auth takes a reference (env:VAR or file:PATH), "
                                           "never the credentials themselves"));
        }
    } else {
        const auto selected =
            profileForCommand(QStringLiteral("roles"), parser.value(configOpt),
                              parser.value(profileOpt), QStringLiteral("--zk HOST:PORT"));
        if (!selected) {
            err << "opsdeck roles: " << selected.error().toString() << '\n';
            return CannotCheck;
        }
        zk = selected->zookeeper;
        if (!zk.isSet()) {
            err << "opsdeck roles: profile '" << selected->name
                << "' has no ZooKeeper ensemble (zookeeper.connect); pass --zk\n";
            return CannotCheck;
        }
    }

    SolrWatcher watcher(zk);
    if (const auto started = watcher.start(); !started) {
        err << "opsdeck roles: " << started.error().toString() << '\n';
        return CannotCheck;
    }

    // One-shot: wait for the first complete tree (bounded), or a definite failure.
    {
        QEventLoop loop;
        QTimer deadline;
        deadline.setSingleShot(true);
        QObject::connect(&deadline, &QTimer::timeout, &loop, &QEventLoop::quit);
        QObject::connect(&watcher, &SolrWatcher::treeChanged, &loop, &QEventLoop::quit);
        QObject::connect(&watcher, &SolrWatcher::statusChanged, &loop, [&loop](const ZkStatus &s) {
            if (s.state == ZkSessionState::AuthFailed)
                loop.quit();
        });
        deadline.start(timeoutMs);
        loop.exec();
    }
    const ZkStatus status = watcher.status();
    if (!watcher.isLoaded()) {
        QString why = status.state == ZkSessionState::AuthFailed
                          ? status.error
                          : QStringLiteral("no ZooKeeper session within %1 ms (state %2)")
                                .arg(timeoutMs)
                                .arg(zkSessionStateName(status.state));
        err << "opsdeck roles: " << zk.connectString << ": " << why << '\n';
        if (format != QLatin1String("table"))
            printJson(out, QJsonObject{{QStringLiteral("zookeeper"),
                                        zookeeperToJson(status, zk.connectString)},
                                       {QStringLiteral("error"), why}});
        return CannotCheck;
    }
    const auto noCluster = [&](const SolrTree &tree) -> QString {
        if (!tree.liveNodesExists && !tree.readProblems.isEmpty())
            return tree.readProblems.join(QStringLiteral("; "));
        if (!tree.liveNodesExists)
            return QStringLiteral("no SolrCloud cluster at %1: znode %2/live_nodes does not exist")
                .arg(zk.connectString, watcher.chroot());
        return {};
    };
    if (const QString missing = noCluster(watcher.tree()); !missing.isEmpty()) {
        err << "opsdeck roles: " << missing << '\n';
        if (format != QLatin1String("table"))
            printJson(out, QJsonObject{{QStringLiteral("zookeeper"),
                                        zookeeperToJson(status, zk.connectString)},
                                       {QStringLiteral("error"), missing}});
        return CannotCheck;
    }

    if (!watch) {
        const RolesSnapshot snapshot =
            buildSnapshot(watcher.tree(), QDateTime::currentDateTimeUtc());
        FindingContext ctx;
        ctx.now = QDateTime::currentDateTimeUtc();
        ctx.nonPreferredLeaderSince = nonPreferredSinceFromTree(snapshot, watcher.tree());
        const QList<Finding> findings = evaluateFindings(snapshot, ctx);
        if (format == QLatin1String("table"))
            printTableReport(out, snapshot, findings, status, zk.connectString);
        else
            printJson(out, snapshotToJson(snapshot, findings, status, zk.connectString));
        out.flush();
        return findingsExitCode(findings);
    }

    // --watch: one JSON line for the first snapshot and one per change, until a signal (or
    // --max-events lines).
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, s_signalPipe) == 0) {
        std::signal(SIGINT, onSignal);
        std::signal(SIGTERM, onSignal);
    }
    QEventLoop loop;
    QSocketNotifier signalNotifier(s_signalPipe[0], QSocketNotifier::Read);
    QObject::connect(&signalNotifier, &QSocketNotifier::activated, &loop, &QEventLoop::quit);
    FindingTracker tracker;
    QList<Finding> previous;
    int events = 0;
    int worst = 0;
    const auto emitLine = [&](const SolrTree &tree, const QString &reason) {
        const RolesSnapshot snapshot = buildSnapshot(tree, QDateTime::currentDateTimeUtc());
        const QList<Finding> findings = tracker.update(snapshot, QDateTime::currentDateTimeUtc());
        QList<Finding> added;
        QList<Finding> removed;
        for (const Finding &f : findings)
            if (!previous.contains(f))
                added << f;
        for (const Finding &f : std::as_const(previous))
            if (!findings.contains(f))
                removed << f;
        previous = findings;
        worst = findingsExitCode(findings);
        QJsonObject line{
            {QStringLiteral("time"), QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs)},
            {QStringLiteral("event"), reason},
            {QStringLiteral("election"), electionToJson(snapshot.election)},
            {QStringLiteral("leader"), leaderToJson(snapshot.leader)},
            {QStringLiteral("findings"), findingsToJson(findings)},
            {QStringLiteral("findings_added"), findingsToJson(added)},
            {QStringLiteral("findings_removed"), findingsToJson(removed)},
            {QStringLiteral("zookeeper"), zookeeperToJson(watcher.status(), zk.connectString)},
        };
        printJson(out, line);
        out.flush();
        if (maxEvents > 0 && ++events >= maxEvents)
            loop.quit();
    };
    QObject::connect(&watcher, &SolrWatcher::treeChanged, &loop,
                     [&](const SolrTree &tree) { emitLine(tree, QStringLiteral("change")); });
    QObject::connect(&watcher, &SolrWatcher::statusChanged, &loop, [&](const ZkStatus &s) {
        // The last snapshot stays, marked stale with the time it was last confirmed.
        QJsonObject line{
            {QStringLiteral("time"), QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs)},
            {QStringLiteral("event"), QStringLiteral("zookeeper")},
            {QStringLiteral("zookeeper"), zookeeperToJson(s, zk.connectString)},
        };
        if (!s.error.isEmpty())
            line.insert(QStringLiteral("message"), s.error);
        printJson(out, line);
        out.flush();
    });
    emitLine(watcher.tree(), QStringLiteral("snapshot"));
    if (maxEvents < 0 || events < maxEvents)
        loop.exec();
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
    return worst;
}

} // namespace opsdeck::cli
