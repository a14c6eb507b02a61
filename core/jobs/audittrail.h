// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/historystore.h"
#include "common/result.h"

#include <QString>
#include <QStringList>

namespace opsdeck::jobs {

// The audit trail of mutating statements: one row in the history store and one line in an
// append-only JSON-lines file, flushed to disk before append() returns. Either sink may be
// missing (no history store, no file path); append() reports the first failure but always tries
// both.
class AuditTrail
{
public:
    AuditTrail(HistoryStore *store, QString jsonlPath);

    // AppDataLocation/audit.jsonl, next to the history database.
    static QString defaultPath();
    // A record with the time, the OS user and the host filled in.
    static AuditRecord makeRecord(const QString &profile, const QString &endpoint,
                                  const QString &statement, const QString &triggerId,
                                  const QString &outcome);

    Result<void> append(const AuditRecord &record);
    QString path() const { return m_path; }

    // Can a record be written now? The file opens for appending and its file system (and the
    // history database's) has at least MinFreeBytes free; a history store that was given but is
    // not open is not an error (the console runs on with history disabled, loudly). The job
    // executor asks before it sends a mutating statement, and refuses to send when the answer
    // is no: a destructive statement without its audit record is not run.
    static constexpr qint64 MinFreeBytes = 64 * 1024;
    Result<void> checkWritable() const;

    // Bound of the file: when a line would take it past MaxFileBytes, audit.jsonl becomes
    // audit.jsonl.1 (.1 becomes .2 and so on) and a new file is started; the oldest beyond
    // KeptFiles is deleted. So at most (KeptFiles + 1) x MaxFileBytes are kept (80 MiB, about
    // 250,000 records). Appends and rotation hold an exclusive flock() on the file, so opsdeck
    // processes sharing it (console and headless) never lose or split a line across a rotation.
    static constexpr qint64 MaxFileBytes = 16 * 1024 * 1024;
    static constexpr int KeptFiles = 4;
    void setRotation(qint64 maxFileBytes, int keptFiles); // tests shrink it

private:
    HistoryStore *m_store;
    QString m_path;
    qint64 m_maxFileBytes = MaxFileBytes;
    int m_keptFiles = KeptFiles;
};

} // namespace opsdeck::jobs
