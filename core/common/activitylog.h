// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QDateTime>
#include <QList>
#include <QMetaType>
#include <QMutex>
#include <QObject>
#include <QString>
#include <deque>

namespace opsdeck {

enum class Severity
{
    Info,
    Warning,
    Error
};

QString severityName(Severity severity);

// One operator-facing message: what happened, where (module), when, how bad.
struct ActivityEntry
{
    quint64 id = 0;
    QDateTime timestamp;
    Severity severity = Severity::Info;
    QString source; // "profiles", "history", "zk", "tls", "jobs", "roles"
    QString message;
};

// The operator's log: bounded, thread-safe, a signal per entry.
//
// add() may be called from any thread. entryAdded is emitted on the calling thread; receivers on
// another thread get it queued (ActivityEntry is a registered metatype), so the GUI model only ever
// touches entries on the GUI thread. When the bound is reached the oldest entries are dropped and
// counted in droppedCount().
class ActivityLog : public QObject
{
    Q_OBJECT
public:
    static constexpr int DefaultCapacity = 5000;

    explicit ActivityLog(int capacity = DefaultCapacity, QObject *parent = nullptr);

    quint64 add(Severity severity, const QString &source, const QString &message);
    quint64 info(const QString &source, const QString &message)
    {
        return add(Severity::Info, source, message);
    }
    quint64 warning(const QString &source, const QString &message)
    {
        return add(Severity::Warning, source, message);
    }
    quint64 error(const QString &source, const QString &message)
    {
        return add(Severity::Error, source, message);
    }

    QList<ActivityEntry> entries() const;
    int capacity() const { return m_capacity; }
    quint64 droppedCount() const;

Q_SIGNALS:
    void entryAdded(const opsdeck::ActivityEntry &entry);

private:
    const int m_capacity;
    mutable QMutex m_mutex;
    std::deque<ActivityEntry> m_entries;
    quint64 m_nextId = 1;
    quint64 m_dropped = 0;
};

} // namespace opsdeck

Q_DECLARE_METATYPE(opsdeck::ActivityEntry)
