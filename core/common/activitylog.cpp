// SPDX-License-Identifier: GPL-3.0-or-later
#include "activitylog.h"

#include <QMutexLocker>
#include <algorithm>

namespace opsdeck {

QString severityName(Severity severity)
{
    switch (severity) {
    case Severity::Info:
        return QStringLiteral("info");
    case Severity::Warning:
        return QStringLiteral("warning");
    case Severity::Error:
        break;
    }
    return QStringLiteral("error");
}

ActivityLog::ActivityLog(int capacity, QObject *parent)
    : QObject(parent)
    , m_capacity(std::max(1, capacity))
{
    qRegisterMetaType<ActivityEntry>();
}

quint64 ActivityLog::add(Severity severity, const QString &source, const QString &message)
{
    ActivityEntry entry;
    entry.timestamp =
        QDateTime::currentDateTimeUtc(); // local-time conversion is slow; views convert
    entry.severity = severity;
    entry.source = source;
    entry.message = message;
    {
        QMutexLocker lock(&m_mutex);
        entry.id = m_nextId++;
        m_entries.push_back(entry);
        while (m_entries.size() > static_cast<size_t>(m_capacity)) {
            m_entries.pop_front();
            ++m_dropped;
        }
    }
    Q_EMIT entryAdded(entry);
    return entry.id;
}

QList<ActivityEntry> ActivityLog::entries() const
{
    QMutexLocker lock(&m_mutex);
    return QList<ActivityEntry>(m_entries.begin(), m_entries.end());
}

quint64 ActivityLog::droppedCount() const
{
    QMutexLocker lock(&m_mutex);
    return m_dropped;
}

} // namespace opsdeck
