// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Values produced by the bundle monitor: reload events (one JSON line each in `certs watch`),
// bundle state snapshots and the monitor's counters. Plain values, copied across threads.

#include "tlstypes.h"

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QMetaType>
#include <QString>
#include <QStringList>
#include <optional>

namespace opsdeck::tls {

enum class ReloadEventKind
{
    Snapshot,          // "SNAPSHOT": the bundle's state when watching starts
    Ready,             // "READY": every bundle has its snapshot; events follow
    Changed,           // "CHANGED": new consistent bytes committed
    Pending,           // "PENDING": new bytes, not (yet) consistent; last good kept
    Invalid,           // "INVALID": still inconsistent after the consistency window
    Recovered,         // "RECOVERED": back to the last good content / the source is back
    SourceUnavailable, // "SOURCE_UNAVAILABLE": the watched path vanished; last good kept
    Status,            // "STATUS": validity changed without new bytes (e.g. expiry passed)
    Served,            // "SERVED": what an endpoint serves, compared with disk
    WatchDegraded,     // "WATCH_DEGRADED": the bundle is watched by polling only
    Stats,             // "STATS": counters, printed once on exit
};
QString reloadEventKindName(ReloadEventKind kind);

enum class WatchMode
{
    Inotify, // "inotify": kernel events plus the safety poll
    Poll,    // "poll": polling only (network/FUSE file system, watch limit, forced)
};
QString watchModeName(WatchMode mode);

// The monitor's counters. A warm rescan of unchanged files costs stat() only: hashReads and
// parses stay put.
struct WatchStats
{
    qint64 fsEvents = 0;  // inotify events read (all watches)
    qint64 hashReads = 0; // files read and hashed
    qint64 parses = 0;    // inspectBytes calls (bytes never seen before)
    qint64 commits = 0;   // new consistent states committed
    qint64 rescans = 0;   // settled bundle scans (after quiet period, poll, overflow)
    qint64 polls = 0;     // safety poll ticks
    qint64 overflows = 0; // IN_Q_OVERFLOW seen

    QJsonObject toJson() const; // fs_events, hash_reads, parses, commits, rescans, polls, overflows
};

struct ReloadEvent
{
    ReloadEventKind kind = ReloadEventKind::Snapshot;
    QDateTime ts;           // UTC
    QString bundle;         // the watched path; "*" for READY and STATS
    QString oldFingerprint; // CHANGED: leaf SHA-256 (lowercase hex of DER) before; may be empty
    QString newFingerprint; // CHANGED: after
    QString status;         // verdict name ("ok", "expired", ...)
    QString manifest;       // manifest hash of the files the event is about
    QString reason;         // problem code ("parse", "key_mismatch", "missing", ...)
    QString detail;         // human sentence; never secret material
    QString fingerprint; // SNAPSHOT/INVALID/RECOVERED/STATUS: last good leaf; SERVED: served leaf
    QString endpoint;    // SERVED: host:port
    std::optional<bool> matchesDisk; // SERVED
    QString watch;                   // SNAPSHOT / WATCH_DEGRADED: "inotify" or "poll"
    QDateTime notAfter;              // SNAPSHOT/CHANGED/STATUS: the leaf's notAfter when known
    QStringList files;               // SNAPSHOT/CHANGED: visible file names of the bundle
    QStringList warnings;            // SNAPSHOT/CHANGED: bundle warnings
    int bundles = -1;                // READY: number of bundles
    std::optional<WatchStats> stats; // STATS

    // One JSON object: ts (ISO-8601 UTC with ms), event, bundle, then the fields of the kind.
    QJsonObject toJson() const;
    // One human line: "HH:MM:SS.mmm EVENT bundle key=value ...".
    QString toTableLine() const;
};

// Where a bundle stands: the last good evaluation plus what is going on now.
struct BundleState
{
    enum class Phase
    {
        Starting,
        Clean,       // the committed state is what is on disk
        Pending,     // new bytes, not consistent yet (within the consistency window)
        Invalid,     // new bytes, inconsistent past the window (or since start)
        Unavailable, // the path is gone
    };
    QString bundle;
    Phase phase = Phase::Starting;
    bool haveLastGood = false;
    BundleEvaluation lastGood; // committed evaluation (re-evaluated for STATUS)
    QList<FileInspection> lastGoodFiles;
    BundleEvaluation current; // evaluation of what is on disk now (candidate)
    QList<FileInspection> currentFiles;
    QDateTime pendingSince; // Pending: when it started
    QString problemCode;    // Pending/Invalid/Unavailable: why
    QString problemDetail;
    WatchMode watchMode = WatchMode::Inotify;
    QString degradedReason; // Poll: "forced", "network_filesystem", "watch_limit", ...
    QDateTime lastChange;   // last CHANGED/RECOVERED/STATUS/...

    QString lastGoodFingerprint() const;
};
QString bundlePhaseName(BundleState::Phase phase); // "starting", "clean", "pending", ...

// "2026-01-02T03:04:05.678Z"
QString isoUtcMs(const QDateTime &ts);

} // namespace opsdeck::tls

Q_DECLARE_METATYPE(opsdeck::tls::ReloadEvent)
Q_DECLARE_METATYPE(opsdeck::tls::BundleState)
Q_DECLARE_METATYPE(opsdeck::tls::WatchStats)
