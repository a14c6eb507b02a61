// SPDX-License-Identifier: GPL-3.0-or-later
#include "cli/cli.h"
#include "testmain.h"

using namespace opsdeck::cli;

class TestInvocation : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void parse_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("mode");
        QTest::addColumn<QString>("detail");
        using M = Invocation::Mode;
        QTest::addRow("no args") << QStringList() << int(M::Gui) << QString();
        QTest::addRow("version") << QStringList{QStringLiteral("--version")} << int(M::Version)
                                 << QString();
        QTest::addRow("-V") << QStringList{QStringLiteral("-V")} << int(M::Version) << QString();
        QTest::addRow("help") << QStringList{QStringLiteral("--help")} << int(M::Help) << QString();
        QTest::addRow("status") << QStringList{QStringLiteral("status"), QStringLiteral("--format"),
                                               QStringLiteral("json")}
                                << int(M::Headless) << QStringLiteral("status");
        QTest::addRow("gui profile")
            << QStringList{QStringLiteral("--profile"), QStringLiteral("prod")} << int(M::Gui)
            << QStringLiteral("prod");
        QTest::addRow("gui profile=") << QStringList{QStringLiteral("--profile=stage")}
                                      << int(M::Gui) << QStringLiteral("stage");
        QTest::addRow("unknown command")
            << QStringList{QStringLiteral("nonsense")} << int(M::UsageError)
            << QStringLiteral("unknown command 'nonsense'");
        QTest::addRow("unknown option")
            << QStringList{QStringLiteral("--frobnicate")} << int(M::UsageError)
            << QStringLiteral("unknown option '--frobnicate'");
        QTest::addRow("missing value") << QStringList{QStringLiteral("--profile")}
                                       << int(M::UsageError) << QStringLiteral("needs a value");
    }
    void parse()
    {
        QFETCH(QStringList, args);
        QFETCH(int, mode);
        QFETCH(QString, detail);
        const Invocation inv = parseInvocation(args);
        QCOMPARE(int(inv.mode), mode);
        switch (inv.mode) {
        case Invocation::Mode::Headless:
            QCOMPARE(inv.command, detail);
            QCOMPARE(inv.commandArgs, args.mid(1));
            break;
        case Invocation::Mode::UsageError:
            QVERIFY2(inv.error.contains(detail), qPrintable(inv.error));
            break;
        case Invocation::Mode::Gui:
            QCOMPARE(inv.profileName, detail);
            break;
        default:
            break;
        }
    }
    void exitCodes_worstWinsAndCriticalBeatsUnknown()
    {
        QCOMPARE(worse(ExitCode::Ok, ExitCode::Warning), ExitCode::Warning);
        QCOMPARE(worse(ExitCode::Critical, ExitCode::Unknown), ExitCode::Critical);
        QCOMPARE(worse(ExitCode::Unknown, ExitCode::Warning), ExitCode::Unknown);
        QCOMPARE(toInt(ExitCode::Unknown), 3);
    }
};

OPSDECK_TEST_GUILESS_MAIN(TestInvocation)
#include "tst_invocation.moc"
