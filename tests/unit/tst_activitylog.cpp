// SPDX-License-Identifier: GPL-3.0-or-later
#include "common/activitylog.h"
#include "testmain.h"

#include <QSignalSpy>
#include <thread>
#include <vector>

using namespace opsdeck;

class TestActivityLog : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void add_assignsIncreasingIdsAndEmits()
    {
        ActivityLog log;
        QSignalSpy spy(&log, &ActivityLog::entryAdded);
        const auto a = log.info(QStringLiteral("zk"), QStringLiteral("connected"));
        const auto b = log.error(QStringLiteral("tls"), QStringLiteral("expired"));
        QVERIFY(b > a);
        QCOMPARE(spy.count(), 2);
        const auto entry = spy.at(1).at(0).value<ActivityEntry>();
        QCOMPARE(entry.id, b);
        QCOMPARE(entry.severity, Severity::Error);
        QCOMPARE(entry.source, QStringLiteral("tls"));
        QCOMPARE(entry.message, QStringLiteral("expired"));
        QVERIFY(entry.timestamp.isValid());
    }
    void capacity_dropsOldestAndCounts()
    {
        ActivityLog log(3);
        for (int i = 0; i < 5; ++i)
            log.info(QStringLiteral("t"), QString::number(i));
        const auto entries = log.entries();
        QCOMPARE(entries.size(), 3);
        QCOMPARE(entries.first().message, QStringLiteral("2"));
        QCOMPARE(entries.last().message, QStringLiteral("4"));
        QCOMPARE(log.droppedCount(), quint64(2));
    }
    void concurrentWriters_loseNothingWithinBound()
    {
        ActivityLog log(100000);
        constexpr int Threads = 4;
        constexpr int PerThread = 2000;
        std::vector<std::thread> threads;
        for (int t = 0; t < Threads; ++t)
            threads.emplace_back([&log, t] {
                for (int i = 0; i < PerThread; ++i)
                    log.warning(QStringLiteral("thread%1").arg(t), QString::number(i));
            });
        for (auto &th : threads)
            th.join();
        const auto entries = log.entries();
        QCOMPARE(entries.size(), Threads * PerThread);
        // ids are unique and strictly increasing in storage order
        for (qsizetype i = 1; i < entries.size(); ++i)
            QVERIFY(entries.at(i).id > entries.at(i - 1).id);
    }
    void crossThreadSignal_arrivesQueuedOnReceiverThread()
    {
        ActivityLog log;
        QObject receiver;
        QList<Qt::HANDLE> seenOn;
        connect(&log, &ActivityLog::entryAdded, &receiver,
                [&seenOn](const ActivityEntry &) { seenOn << QThread::currentThreadId(); });
        std::thread worker(
            [&log] { log.info(QStringLiteral("w"), QStringLiteral("from worker")); });
        worker.join();
        QTRY_COMPARE_WITH_TIMEOUT(seenOn.size(), 1, 5000);
        QCOMPARE(seenOn.first(), QThread::currentThreadId());
    }
};

OPSDECK_TEST_GUILESS_MAIN(TestActivityLog)
#include "tst_activitylog.moc"
