// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// The result of `opsdeck check` (and of the console's Health dock): one list of check items over
// the four modules (certs, jobs, roles, fleet), the metric samples behind them, and the three
// monitoring formats: Nagios plugin output, JSON, and the Prometheus text exposition format.
// Plain values; nothing here does I/O except writeFileAtomically.

#include "common/result.h"
#include "fleet.h"

#include <QByteArray>
#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QMetaType>
#include <QString>
#include <QStringList>

namespace opsdeck::health {

// Ordered by severity except Unknown, which the monitoring-plugins guidelines rank between
// WARNING and CRITICAL for exit codes but below CRITICAL for "worst of": worse() implements
// CRITICAL > UNKNOWN > WARNING > OK, and the exit code is the state's value.
enum class State
{
    Ok = 0,
    Warning = 1,
    Critical = 2,
    Unknown = 3,
};
QString stateName(State state); // "OK", "WARNING", "CRITICAL", "UNKNOWN"
State worse(State a, State b);
// The order worse() uses: OK 0, WARNING 1, UNKNOWN 2, CRITICAL 3 (for sorting worst first).
int severityRank(State state);
int exitCode(State state); // 0..3

inline const QStringList &moduleNames()
{
    static const QStringList names{QStringLiteral("certs"), QStringLiteral("jobs"),
                                   QStringLiteral("roles"), QStringLiteral("fleet")};
    return names;
}

// One thing checked. `code` is stable snake_case (documented in the README):
//  certs: bundle_verdict, bundle_expiry, bundle_watch, bundle_served, bundle_unreadable
//  jobs:  rest_reachable, rest_tls, job_failing, job_restarting, job_failed_recently,
//         savepoint_stuck, ledger_unreadable
//  roles: zk_session, overseer_elected, overseer_eligible, role_finding (finding code in detail)
//  fleet: fleet_node, fleet_rest, fleet_unconfigured
struct CheckItem
{
    QString module; // "certs", "jobs", "roles", "fleet"
    QString code;
    QString subject; // bundle path, endpoint, job id, node name, ... ("" for module-wide)
    State state = State::Ok;
    QString message;    // one line for people; never a secret
    QJsonObject detail; // extra fields for JSON (finding code, days_left, ...)
};

// One Prometheus sample. Names carry the opsdeck_ prefix and their unit.
struct Sample
{
    QString metric;
    QMap<QString, QString> labels;
    double value = 0;
};

struct ModuleResult
{
    QString module;
    bool configured = false; // the profile has something for this module
    bool ran = false;        // selected by --only (and configured)
    State state = State::Ok;
    QString summary; // "2 bundles ok, 41 days left", "not configured", ...
};

struct HealthReport
{
    QString profile;
    QDateTime startedAt; // UTC
    qint64 durationMs = 0;
    QList<ModuleResult> modules; // always the four, in moduleNames() order
    QList<CheckItem> items;
    QList<Sample> samples;
    std::optional<FleetStatus> fleet;
    QMap<QString, double> perfdata; // Nagios perfdata values by label (see toNagios)

    State overall() const; // worst of the modules that ran; UNKNOWN when none ran
    const ModuleResult *module(const QString &name) const;
    ModuleResult *module(const QString &name);
    QList<CheckItem> itemsOf(const QString &module) const;
};

// Nagios / monitoring-plugins output:
//   OPSDECK CRITICAL - fleet: 4 of 6 nodes serve the new certificate; certs OK; ... | perfdata
//   CRITICAL fleet 127.0.0.1:8985_solr: serves 3f2a..., disk has 9c1b... (not reloaded)
//   ...
// The first line's perfdata is 'label'=value[UOM];warn;crit;min;max (labels quoted when needed).
QString toNagios(const HealthReport &report);
// The JSON document: command, profile, state, exit_code, started_at, duration_ms, modules[],
// checks[], fleet (or null), metrics (perfdata map).
QJsonObject toJson(const HealthReport &report);
// Prometheus text exposition format 0.0.4: HELP and TYPE once per metric family, samples sorted,
// label values escaped, one trailing newline.
QByteArray toPrometheus(const HealthReport &report);

// Writes to `path` through a temporary file in the same directory and rename(2), so a reader
// (node_exporter's textfile collector) never sees half a file. Mode 0644.
Result<void> writeFileAtomically(const QString &path, const QByteArray &bytes);

// Escapes a Prometheus label value (backslash, double quote, newline).
QString escapeLabelValue(const QString &value);

} // namespace opsdeck::health

Q_DECLARE_METATYPE(opsdeck::health::HealthReport)
