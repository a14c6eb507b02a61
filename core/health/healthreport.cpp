// SPDX-License-Identifier: GPL-3.0-or-later
#include "healthreport.h"

#include "tls/reloadevent.h"

#include <QFile>
#include <QJsonArray>
#include <QSaveFile>
#include <algorithm>
#include <cmath>

namespace opsdeck::health {

QString stateName(State state)
{
    switch (state) {
    case State::Ok:
        return QStringLiteral("OK");
    case State::Warning:
        return QStringLiteral("WARNING");
    case State::Critical:
        return QStringLiteral("CRITICAL");
    case State::Unknown:
        break;
    }
    return QStringLiteral("UNKNOWN");
}

namespace {} // namespace

int severityRank(State s)
{
    switch (s) {
    case State::Ok:
        return 0;
    case State::Warning:
        return 1;
    case State::Unknown:
        return 2;
    case State::Critical:
        return 3;
    }
    return 2;
}

namespace {

QJsonValue isoOrNull(const QDateTime &ts)
{
    return ts.isValid() ? QJsonValue(tls::isoUtcMs(ts)) : QJsonValue(QJsonValue::Null);
}

// Perfdata label: quoted when it holds anything but [A-Za-z0-9_.-]; a quote doubled.
QString perfLabel(const QString &label)
{
    const bool plain = std::all_of(label.cbegin(), label.cend(), [](QChar c) {
        return c.isLetterOrNumber() || c == QLatin1Char('_') || c == QLatin1Char('.') ||
               c == QLatin1Char('-');
    });
    if (plain)
        return label;
    QString quoted = label;
    quoted.replace(QLatin1Char('\''), QStringLiteral("''"));
    return QLatin1Char('\'') + quoted + QLatin1Char('\'');
}

QString number(double v)
{
    if (std::isnan(v))
        return QStringLiteral("NaN");
    if (std::isinf(v))
        return v > 0 ? QStringLiteral("+Inf") : QStringLiteral("-Inf");
    if (v == std::floor(v) && std::fabs(v) < 1e15)
        return QString::number(qint64(v));
    return QString::number(v, 'g', 15);
}

struct Family
{
    const char *name;
    const char *help;
};

// HELP text of every metric family opsdeck writes; the type is always gauge.
constexpr Family Families[] = {
    {"opsdeck_check_status", "Result of a check module: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN."},
    {"opsdeck_check_duration_seconds", "Wall time of the opsdeck check run."},
    {"opsdeck_check_timestamp_seconds", "Unix time at which the opsdeck check run started."},
    {"opsdeck_certificate_not_after_seconds",
     "Unix time at which the bundle's leaf certificate expires."},
    {"opsdeck_bundle_valid", "1 when the bundle on disk is consistent and valid, else 0."},
    {"opsdeck_bundle_watch_polling",
     "1 when the bundle can only be polled (no inotify), with the reason as a label."},
    {"opsdeck_bundle_probe_success",
     "1 when the TLS handshake with the bundle's probe endpoint succeeded."},
    {"opsdeck_bundle_served_matches_disk",
     "1 when the probe endpoint serves the bundle's leaf on disk, 0 when it serves another."},
    {"opsdeck_rest_up", "1 when the Flink REST endpoint answered /jobs/overview."},
    {"opsdeck_job_state", "1 for the current state of every Flink job (state as a label)."},
    {"opsdeck_savepoints_in_progress", "Savepoints of the ledger still in progress."},
    {"opsdeck_savepoints_stuck", "Savepoints of the ledger in progress beyond the threshold."},
    {"opsdeck_zookeeper_connected", "1 when a ZooKeeper session was established and read."},
    {"opsdeck_solr_live_nodes", "Live Solr nodes in ZooKeeper."},
    {"opsdeck_solr_node_role", "1 for every role and mode a live Solr node has."},
    {"opsdeck_overseer_elected", "1 when /overseer_elect/leader names a live candidate."},
    {"opsdeck_overseer_eligible_live_nodes",
     "Live nodes whose overseer role is allowed or preferred."},
    {"opsdeck_role_findings", "Role findings by severity and code."},
    {"opsdeck_fleet_nodes", "Fleet targets probed (live Solr nodes and the HTTPS REST endpoint)."},
    {"opsdeck_fleet_nodes_matching", "Fleet targets serving the bundle's leaf on disk."},
    {"opsdeck_fleet_probe_success", "1 when the TLS handshake with the fleet target succeeded."},
    {"opsdeck_fleet_served_matches_disk",
     "1 when the fleet target serves the bundle's leaf on disk, 0 when it serves another."},
    {"opsdeck_fleet_certificate_not_after_seconds",
     "Unix time at which the certificate the fleet target serves expires."},
};

QString helpFor(const QString &metric)
{
    for (const Family &f : Families) {
        if (metric == QLatin1String(f.name))
            return QString::fromLatin1(f.help);
    }
    return QStringLiteral("opsdeck metric.");
}

QString labelSet(const QMap<QString, QString> &labels)
{
    if (labels.isEmpty())
        return {};
    QStringList parts;
    for (auto it = labels.cbegin(); it != labels.cend(); ++it)
        parts << QStringLiteral("%1=\"%2\"").arg(it.key(), escapeLabelValue(it.value()));
    return QLatin1Char('{') + parts.join(QLatin1Char(',')) + QLatin1Char('}');
}

} // namespace

State worse(State a, State b)
{
    return severityRank(a) >= severityRank(b) ? a : b;
}

int exitCode(State state)
{
    return int(state);
}

State HealthReport::overall() const
{
    bool any = false;
    State worst = State::Ok;
    for (const ModuleResult &m : modules) {
        if (!m.ran)
            continue;
        any = true;
        worst = worse(worst, m.state);
    }
    return any ? worst : State::Unknown;
}

const ModuleResult *HealthReport::module(const QString &name) const
{
    for (const ModuleResult &m : modules) {
        if (m.module == name)
            return &m;
    }
    return nullptr;
}

ModuleResult *HealthReport::module(const QString &name)
{
    for (ModuleResult &m : modules) {
        if (m.module == name)
            return &m;
    }
    return nullptr;
}

QList<CheckItem> HealthReport::itemsOf(const QString &name) const
{
    QList<CheckItem> out;
    for (const CheckItem &i : items) {
        if (i.module == name)
            out << i;
    }
    return out;
}

QString toNagios(const HealthReport &report)
{
    const State overall = report.overall();
    QStringList parts;
    for (const ModuleResult &m : report.modules) {
        if (!m.ran)
            continue;
        QString part = QStringLiteral("%1 %2").arg(m.module, stateName(m.state));
        if (!m.summary.isEmpty())
            part += QStringLiteral(" (%1)").arg(m.summary);
        parts << part;
    }
    QString summary =
        parts.isEmpty()
            ? QStringLiteral("no checks configured for profile '%1'").arg(report.profile)
            : parts.join(QStringLiteral(", "));
    // '|' separates perfdata; a summary must not contain one.
    summary.replace(QLatin1Char('|'), QLatin1Char('/'));

    QStringList perf;
    for (auto it = report.perfdata.cbegin(); it != report.perfdata.cend(); ++it) {
        QString thresholds;
        if (it.key() == QLatin1String("cert_days_left_min"))
            thresholds = QStringLiteral(";%1:;%2:")
                             .arg(number(report.perfdata.value(QStringLiteral("_warn_days"), 30)),
                                  number(report.perfdata.value(QStringLiteral("_crit_days"), 7)));
        else if (it.key() == QLatin1String("check_duration"))
            thresholds = QStringLiteral("s");
        if (it.key().startsWith(QLatin1Char('_')))
            continue;
        if (it.key() == QLatin1String("check_duration"))
            perf << QStringLiteral("%1=%2s;;;0").arg(perfLabel(it.key()), number(it.value()));
        else
            perf << QStringLiteral("%1=%2%3").arg(perfLabel(it.key()), number(it.value()),
                                                  thresholds.isEmpty() ? QStringLiteral(";;;0")
                                                                       : thresholds);
    }
    QString out = QStringLiteral("OPSDECK %1 - %2").arg(stateName(overall), summary);
    if (!perf.isEmpty())
        out += QStringLiteral(" | ") + perf.join(QLatin1Char(' '));
    out += QLatin1Char('\n');

    // Long output: the items, worst first, each on one line; a '|' would start perfdata.
    QList<CheckItem> items = report.items;
    std::stable_sort(items.begin(), items.end(), [](const CheckItem &a, const CheckItem &b) {
        return severityRank(a.state) > severityRank(b.state);
    });
    for (const CheckItem &i : std::as_const(items)) {
        QString line = QStringLiteral("%1 %2 %3").arg(stateName(i.state), i.module, i.code);
        if (!i.subject.isEmpty())
            line += QLatin1Char(' ') + i.subject;
        line += QStringLiteral(": ") + i.message;
        line.replace(QLatin1Char('|'), QLatin1Char('/'));
        line.replace(QLatin1Char('\n'), QLatin1Char(' '));
        out += line + QLatin1Char('\n');
    }
    return out;
}

QJsonObject toJson(const HealthReport &report)
{
    QJsonArray modules;
    for (const ModuleResult &m : report.modules) {
        modules.append(QJsonObject{
            {QStringLiteral("module"), m.module},
            {QStringLiteral("configured"), m.configured},
            {QStringLiteral("ran"), m.ran},
            {QStringLiteral("state"),
             m.ran ? QJsonValue(stateName(m.state)) : QJsonValue(QJsonValue::Null)},
            {QStringLiteral("summary"), m.summary},
        });
    }
    QJsonArray checks;
    for (const CheckItem &i : report.items) {
        checks.append(QJsonObject{
            {QStringLiteral("module"), i.module},
            {QStringLiteral("code"), i.code},
            {QStringLiteral("subject"), i.subject},
            {QStringLiteral("state"), stateName(i.state)},
            {QStringLiteral("message"), i.message},
            {QStringLiteral("detail"), i.detail},
        });
    }
    QJsonObject perf;
    for (auto it = report.perfdata.cbegin(); it != report.perfdata.cend(); ++it) {
        if (!it.key().startsWith(QLatin1Char('_')))
            perf.insert(it.key(), it.value());
    }
    const State overall = report.overall();
    return QJsonObject{
        {QStringLiteral("command"), QStringLiteral("check")},
        {QStringLiteral("profile"), report.profile},
        {QStringLiteral("state"), stateName(overall)},
        {QStringLiteral("exit_code"), exitCode(overall)},
        {QStringLiteral("started_at"), isoOrNull(report.startedAt)},
        {QStringLiteral("duration_ms"), report.durationMs},
        {QStringLiteral("modules"), modules},
        {QStringLiteral("checks"), checks},
        {QStringLiteral("fleet"),
         report.fleet ? QJsonValue(report.fleet->toJson()) : QJsonValue(QJsonValue::Null)},
        {QStringLiteral("metrics"), perf},
    };
}

QString escapeLabelValue(const QString &value)
{
    QString out;
    out.reserve(value.size());
    for (QChar c : value) {
        if (c == QLatin1Char('\\'))
            out += QStringLiteral("\\\\");
        else if (c == QLatin1Char('"'))
            out += QStringLiteral("\\\"");
        else if (c == QLatin1Char('\n'))
            out += QStringLiteral("\\n");
        else
            out += c;
    }
    return out;
}

QByteArray toPrometheus(const HealthReport &report)
{
    QList<Sample> samples = report.samples;
    std::stable_sort(samples.begin(), samples.end(), [](const Sample &a, const Sample &b) {
        if (a.metric != b.metric)
            return a.metric < b.metric;
        return a.labels.toStdMap() < b.labels.toStdMap();
    });
    QString out;
    QString family;
    QString lastLine;
    for (const Sample &s : std::as_const(samples)) {
        if (s.metric != family) {
            family = s.metric;
            out += QStringLiteral("# HELP %1 %2\n# TYPE %1 gauge\n").arg(family, helpFor(family));
        }
        const QString series = s.metric + labelSet(s.labels);
        if (series == lastLine)
            continue; // a duplicate series would make the whole file invalid
        lastLine = series;
        out += series + QLatin1Char(' ') + number(s.value) + QLatin1Char('\n');
    }
    return out.toUtf8();
}

Result<void> writeFileAtomically(const QString &path, const QByteArray &bytes)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return makeError(
            ErrorCode::Io,
            QStringLiteral("cannot create a temporary file next to it: %1").arg(file.errorString()),
            path);
    if (file.write(bytes) != bytes.size()) {
        const QString why = file.errorString();
        file.cancelWriting();
        return makeError(ErrorCode::Io, QStringLiteral("write failed: %1").arg(why), path);
    }
    file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadGroup |
                        QFileDevice::ReadOther);
    if (!file.commit())
        return makeError(ErrorCode::Io,
                         QStringLiteral("rename into place failed: %1").arg(file.errorString()),
                         path);
    return {};
}

} // namespace opsdeck::health
