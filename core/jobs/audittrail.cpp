// SPDX-License-Identifier: GPL-3.0-or-later
#include "audittrail.h"

#include <QDir>
#include <QFileInfo>
#include <QHostInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStandardPaths>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <pwd.h>
#include <unistd.h>

namespace opsdeck::jobs {

AuditTrail::AuditTrail(HistoryStore *store, QString jsonlPath)
    : m_store(store)
    , m_path(std::move(jsonlPath))
{}

QString AuditTrail::defaultPath()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) +
           QStringLiteral("/audit.jsonl");
}

AuditRecord AuditTrail::makeRecord(const QString &profile, const QString &endpoint,
                                   const QString &statement, const QString &triggerId,
                                   const QString &outcome)
{
    AuditRecord r;
    r.timestamp = QDateTime::currentDateTimeUtc();
    // The account of the real uid, not $USER (which any caller can set).
    if (const passwd *pw = getpwuid(getuid()))
        r.user = QString::fromLocal8Bit(pw->pw_name);
    else
        r.user = QStringLiteral("uid-%1").arg(getuid());
    r.host = QHostInfo::localHostName();
    r.profile = profile;
    r.endpoint = endpoint;
    r.statement = statement;
    r.triggerId = triggerId;
    r.outcome = outcome;
    return r;
}

Result<void> AuditTrail::append(const AuditRecord &record)
{
    std::optional<Error> first;
    if (m_store && m_store->isOpen()) {
        auto added = m_store->appendAudit(record);
        if (!added)
            first = added.error();
    }
    if (!m_path.isEmpty()) {
        QDir().mkpath(QFileInfo(m_path).absolutePath());
        QJsonObject line{
            {QStringLiteral("time"), record.timestamp.toUTC().toString(Qt::ISODateWithMs)},
            {QStringLiteral("user"), record.user},
            {QStringLiteral("host"), record.host},
            {QStringLiteral("profile"), record.profile},
            {QStringLiteral("endpoint"), record.endpoint},
            {QStringLiteral("statement"), record.statement},
            {QStringLiteral("trigger_id"), record.triggerId},
            {QStringLiteral("outcome"), record.outcome},
        };
        QByteArray bytes = QJsonDocument(line).toJson(QJsonDocument::Compact);
        bytes.append('\n');
        // O_APPEND: concurrent opsdeck processes never interleave inside a line (one write()).
        const QByteArray native = QFile::encodeName(m_path);
        const int fd = ::open(native.constData(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
        if (fd < 0) {
            if (!first)
                first = makeError(ErrorCode::Io,
                                  QStringLiteral("cannot open the audit file: %1")
                                      .arg(QString::fromLocal8Bit(std::strerror(errno))),
                                  m_path);
        } else {
            const ssize_t written =
                ::write(fd, bytes.constData(), static_cast<size_t>(bytes.size()));
            const int writeErrno = errno;
            const bool synced = ::fsync(fd) == 0;
            ::close(fd);
            if ((written != bytes.size() || !synced) && !first)
                first = makeError(ErrorCode::Io,
                                  QStringLiteral("cannot append to the audit file: %1")
                                      .arg(QString::fromLocal8Bit(std::strerror(writeErrno))),
                                  m_path);
        }
    }
    if (first)
        return *first;
    return {};
}

} // namespace opsdeck::jobs
