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
#include <sys/stat.h>
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

namespace {

// Appends one whole line or nothing: a short write (the disk filled up mid-line) is cut off
// again, so the file never keeps half a JSON line that would glue onto the next record.
Result<void> appendLine(const QString &path, const QByteArray &bytes)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    // O_APPEND: concurrent opsdeck processes never interleave inside a line (one write()).
    const QByteArray native = QFile::encodeName(path);
    const int fd = ::open(native.constData(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return makeError(ErrorCode::Io,
                         QStringLiteral("cannot open the audit file: %1")
                             .arg(QString::fromLocal8Bit(std::strerror(errno))),
                         path);
    struct stat before
    {
    };
    const bool haveSize = ::fstat(fd, &before) == 0;
    qsizetype done = 0;
    int writeErrno = 0;
    for (int rounds = 0; rounds < 64 && done < bytes.size(); ++rounds) {
        const ssize_t n = ::write(fd, bytes.constData() + done, size_t(bytes.size() - done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            writeErrno = n < 0 ? errno : EIO;
            break;
        }
        done += n;
    }
    if (done < bytes.size()) {
        // Take the partial line back (another process appending at this very moment is not
        // protected against; opsdeck writes one line per mutating statement).
        bool cut = false;
        if (done > 0 && haveSize) {
            struct stat now
            {
            };
            cut = ::fstat(fd, &now) == 0 && now.st_size == before.st_size + done &&
                  ::ftruncate(fd, before.st_size) == 0;
        }
        ::close(fd);
        QString message = QStringLiteral("cannot append to the audit file: %1")
                              .arg(QString::fromLocal8Bit(std::strerror(writeErrno)));
        if (done > 0 && !cut)
            message +=
                QStringLiteral(" (a partial line of %1 bytes could not be removed)").arg(done);
        return makeError(ErrorCode::Io, message, path);
    }
    const bool synced = ::fsync(fd) == 0;
    const int syncErrno = errno;
    ::close(fd);
    if (!synced)
        return makeError(ErrorCode::Io,
                         QStringLiteral("cannot sync the audit file: %1")
                             .arg(QString::fromLocal8Bit(std::strerror(syncErrno))),
                         path);
    return {};
}

} // namespace

Result<void> AuditTrail::append(const AuditRecord &record)
{
    QStringList failures;
    std::optional<Error> first;
    if (m_store && m_store->isOpen()) {
        auto added = m_store->appendAudit(record);
        if (!added) {
            first = added.error();
            failures << added.error().toString();
        }
    }
    if (!m_path.isEmpty()) {
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
        const Result<void> written = appendLine(m_path, bytes);
        if (!written) {
            if (!first)
                first = written.error();
            failures << written.error().toString();
        }
    }
    if (!first)
        return {};
    if (failures.size() > 1) // both sinks failed: name both files
        return makeError(first->code, failures.join(QStringLiteral("; ")));
    return *first;
}

} // namespace opsdeck::jobs
