// SPDX-License-Identifier: GPL-3.0-or-later
#include "audittrail.h"

#include <QDir>
#include <QFileInfo>
#include <QHostInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStandardPaths>
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <pwd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
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

void AuditTrail::setRotation(qint64 maxFileBytes, int keptFiles)
{
    m_maxFileBytes = std::max<qint64>(1, maxFileBytes);
    m_keptFiles = std::max(0, keptFiles);
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

// Opens the audit file for appending with an exclusive flock(), and makes sure the locked file is
// still the one at `path` (another process may have rotated it while this one waited for the
// lock). -1 with errno set on failure.
int openLocked(const QByteArray &native, struct stat *st)
{
    for (int attempt = 0; attempt < 8; ++attempt) {
        const int fd = ::open(native.constData(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
        if (fd < 0)
            return -1;
        int locked = -1;
        do {
            locked = ::flock(fd, LOCK_EX);
        } while (locked != 0 && errno == EINTR);
        struct stat onDisk
        {
        };
        if (locked == 0 && ::fstat(fd, st) == 0 && ::stat(native.constData(), &onDisk) == 0 &&
            onDisk.st_ino == st->st_ino && onDisk.st_dev == st->st_dev)
            return fd;
        const int error = errno;
        ::close(fd);
        if (locked != 0) {
            errno = error;
            return -1;
        }
    }
    errno = EAGAIN;
    return -1;
}

// audit.jsonl -> .1 -> .2 ... -> .keep (the oldest beyond is replaced). Called with the lock held.
void rotate(const QString &path, int keep)
{
    const auto name = [&path](int i) {
        return QFile::encodeName(i == 0 ? path : path + QLatin1Char('.') + QString::number(i));
    };
    if (keep <= 0) {
        ::unlink(name(0).constData());
        return;
    }
    for (int i = keep - 1; i >= 0; --i)
        ::rename(name(i).constData(), name(i + 1).constData());
}

// Appends one whole line or nothing: a short write (the disk filled up mid-line) is cut off
// again, so the file never keeps half a JSON line that would glue onto the next record.
Result<void> appendLine(const QString &path, const QByteArray &bytes, qint64 maxFileBytes,
                        int keptFiles)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    // O_APPEND and the lock: concurrent opsdeck processes never interleave inside a line.
    const QByteArray native = QFile::encodeName(path);
    struct stat before
    {
    };
    int fd = openLocked(native, &before);
    if (fd >= 0 && before.st_size > 0 && before.st_size + bytes.size() > maxFileBytes) {
        rotate(path, keptFiles);
        ::close(fd); // releases the lock on the rotated file; the new one is locked next
        fd = openLocked(native, &before);
    }
    if (fd < 0)
        return makeError(ErrorCode::Io,
                         QStringLiteral("cannot open the audit file: %1")
                             .arg(QString::fromLocal8Bit(std::strerror(errno))),
                         path);
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
        // Take the partial line back (the lock keeps other opsdeck processes from appending in
        // between).
        bool cut = false;
        if (done > 0) {
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

namespace {

Result<void> enoughSpace(const QString &path, const QString &what)
{
    struct statvfs fs
    {
    };
    const QByteArray dir = QFile::encodeName(QFileInfo(path).absolutePath());
    if (::statvfs(dir.constData(), &fs) != 0)
        return {}; // the open (or the write) says what is wrong
    const qint64 free = qint64(fs.f_bavail) * qint64(fs.f_frsize);
    if (free < AuditTrail::MinFreeBytes)
        return makeError(
            ErrorCode::Io,
            QStringLiteral("no space left for the %1 (%2 bytes free)").arg(what).arg(free), path);
    return {};
}

} // namespace

Result<void> AuditTrail::checkWritable() const
{
    if (!m_path.isEmpty()) {
        QDir().mkpath(QFileInfo(m_path).absolutePath());
        const QByteArray native = QFile::encodeName(m_path);
        const int fd = ::open(native.constData(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
        if (fd < 0)
            return makeError(ErrorCode::Io,
                             QStringLiteral("cannot open the audit file: %1")
                                 .arg(QString::fromLocal8Bit(std::strerror(errno))),
                             m_path);
        ::close(fd);
        if (auto space = enoughSpace(m_path, QStringLiteral("audit file")); !space)
            return space;
    }
    if (m_store && m_store->isOpen()) {
        if (auto space = enoughSpace(m_store->path(), QStringLiteral("history database")); !space)
            return space;
    }
    return {};
}

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
        const Result<void> written = appendLine(m_path, bytes, m_maxFileBytes, m_keptFiles);
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
