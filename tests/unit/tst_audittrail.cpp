// SPDX-License-Identifier: GPL-3.0-or-later
// The audit file's bound: rotation by size keeps at most KeptFiles old files, every line stays a
// whole JSON record, and concurrent writers (each with its own file descriptor, as separate
// opsdeck processes have) lose or duplicate nothing across rotations.
#include "jobs/audittrail.h"
#include "testmain.h"

#include <QDir>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QTemporaryDir>
#include <thread>
#include <vector>

using namespace opsdeck;
using namespace opsdeck::jobs;

namespace {

AuditRecord record(const QString &statement)
{
    AuditRecord r;
    r.timestamp = QDateTime::currentDateTimeUtc();
    r.user = QStringLiteral("ops");
    r.host = QStringLiteral("console");
    r.profile = QStringLiteral("prod");
    r.statement = statement;
    r.outcome = QStringLiteral("ok");
    return r;
}

// Every audit file (current first, then .1, .2 ...): their statements, each line parsed.
QStringList statements(const QString &path, int *files, qint64 *largest)
{
    QStringList out;
    *files = 0;
    *largest = 0;
    for (int i = 0; i < 100; ++i) {
        QFile f(i == 0 ? path : path + QLatin1Char('.') + QString::number(i));
        if (!f.exists())
            break;
        if (!f.open(QIODevice::ReadOnly))
            return {QStringLiteral("unreadable: ") + f.fileName()};
        ++*files;
        *largest = std::max(*largest, f.size());
        const QByteArray all = f.readAll();
        for (const QByteArray &line : all.split('\n')) {
            if (line.isEmpty())
                continue;
            QJsonParseError error{};
            const QJsonDocument doc = QJsonDocument::fromJson(line, &error);
            if (error.error != QJsonParseError::NoError)
                return {QStringLiteral("broken line in %1: %2")
                            .arg(f.fileName(), QString::fromUtf8(line))};
            out << doc.object().value(QStringLiteral("statement")).toString();
        }
    }
    return out;
}

} // namespace

class TestAuditTrail : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void rotation_boundsTheFilesAndKeepsTheNewest()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("audit.jsonl"));
        AuditTrail trail(nullptr, path);
        trail.setRotation(4096, 2);
        for (int i = 0; i < 500; ++i)
            QVERIFY(trail.append(record(QStringLiteral("STOP JOB %1").arg(i))).ok());
        int files = 0;
        qint64 largest = 0;
        const QStringList seen = statements(path, &files, &largest);
        QCOMPARE(files, 3); // the current file and two rotated ones
        QVERIFY2(largest <= 4096, qPrintable(QString::number(largest)));
        QVERIFY(!seen.isEmpty());
        QVERIFY2(!seen.first().startsWith(QLatin1String("broken")), qPrintable(seen.first()));
        QVERIFY(seen.contains(QStringLiteral("STOP JOB 499"))); // the newest is kept
        QVERIFY(!seen.contains(QStringLiteral("STOP JOB 0")));  // the oldest was evicted
        QFileInfo mode(path);
        QCOMPARE(mode.permissions() & (QFile::ReadGroup | QFile::ReadOther),
                 QFileDevice::Permissions());
    }

    void concurrentWriters_loseAndDuplicateNothingAcrossRotations()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("audit.jsonl"));
        constexpr int Writers = 4;
        constexpr int PerWriter = 150;
        std::vector<std::thread> threads;
        std::atomic<int> failures{0};
        for (int w = 0; w < Writers; ++w) {
            threads.emplace_back([&, w] {
                AuditTrail trail(nullptr, path); // its own descriptor per append
                trail.setRotation(2048, 1000);   // many rotations, nothing deleted
                for (int i = 0; i < PerWriter; ++i) {
                    if (!trail.append(record(QStringLiteral("w%1-%2").arg(w).arg(i))).ok())
                        ++failures;
                }
            });
        }
        for (std::thread &t : threads)
            t.join();
        QCOMPARE(failures.load(), 0);
        int files = 0;
        qint64 largest = 0;
        const QStringList seen = statements(path, &files, &largest);
        QVERIFY(files > 10);
        QVERIFY2(largest <= 2048, qPrintable(QString::number(largest)));
        QCOMPARE(seen.size(), Writers * PerWriter);
        QCOMPARE(QSet<QString>(seen.cbegin(), seen.cend()).size(), Writers * PerWriter);
    }
};

OPSDECK_TEST_GUILESS_MAIN(TestAuditTrail)
#include "tst_audittrail.moc"
