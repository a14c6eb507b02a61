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

private:
    HistoryStore *m_store;
    QString m_path;
};

} // namespace opsdeck::jobs
