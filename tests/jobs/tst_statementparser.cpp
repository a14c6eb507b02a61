// SPDX-License-Identifier: GPL-3.0-or-later
#include "jobs/statement.h"
#include "testmain.h"

using namespace opsdeck;
using namespace opsdeck::jobs;

Q_DECLARE_METATYPE(opsdeck::jobs::Statement)

namespace {

const QString kId = QStringLiteral("0123456789abcdef0123456789abcdef");
const QString kIdUpper = QStringLiteral("0123456789ABCDEF0123456789ABCDEF");
const QString kIdMixed = QStringLiteral("DeadBeef0123456789abcdefABCDEF00");
const QString kIdMixedLower = QStringLiteral("deadbeef0123456789abcdefabcdef00");

QString q(const QString &s)
{
    return u'\'' + s + u'\'';
}

Statement make(StatementKind kind, const QString &id, int line, int column, const QString &source)
{
    Statement s;
    s.kind = kind;
    s.jobId = id;
    s.line = line;
    s.column = column;
    s.sourceText = source;
    return s;
}

Statement stop(const QString &id, bool savepoint, bool drain, int line, int column,
               const QString &source)
{
    Statement s = make(StatementKind::StopJob, id, line, column, source);
    s.withSavepoint = savepoint;
    s.withDrain = drain;
    return s;
}

Statement create(const QString &id, std::optional<QString> dir,
                 std::optional<SavepointFormat> format, const QString &source)
{
    Statement s = make(StatementKind::CreateSavepoint, id, 1, 1, source);
    s.targetDirectory = std::move(dir);
    s.format = format;
    return s;
}

Statement drop(const QString &path, int line, int column, const QString &source)
{
    Statement s = make(StatementKind::DropSavepoint, QString(), line, column, source);
    s.savepointPath = path;
    return s;
}

// Spaces up to `column`, then `width` carets.
QString marks(int column, int width)
{
    return QString(column - 1, u' ') + QString(width, u'^');
}

} // namespace

class TestStatementParser : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void parse_validForms_data()
    {
        QTest::addColumn<QString>("script");
        QTest::addColumn<QList<Statement>>("expected");

        const auto one = [](const char *name, const QString &script, const Statement &s) {
            QTest::addRow("%s", name) << script << QList<Statement>{s};
        };

        // SHOW JOBS
        one("show jobs", QStringLiteral("SHOW JOBS"),
            make(StatementKind::ShowJobs, {}, 1, 1, QStringLiteral("SHOW JOBS")));
        one("show jobs lower", QStringLiteral("show jobs"),
            make(StatementKind::ShowJobs, {}, 1, 1, QStringLiteral("show jobs")));
        one("show jobs mixed trailing ;", QStringLiteral("Show jObS;"),
            make(StatementKind::ShowJobs, {}, 1, 1, QStringLiteral("Show jObS")));
        one("show jobs spaced and commented", QStringLiteral("  SHOW   JOBS  -- list them\n"),
            make(StatementKind::ShowJobs, {}, 1, 3, QStringLiteral("SHOW   JOBS")));
        one("show jobs after comment line", QStringLiteral("-- first\n\tSHOW JOBS ;"),
            make(StatementKind::ShowJobs, {}, 2, 2, QStringLiteral("SHOW JOBS")));
        one("show jobs leading semicolons", QStringLiteral(";; ;SHOW JOBS;;"),
            make(StatementKind::ShowJobs, {}, 1, 5, QStringLiteral("SHOW JOBS")));

        // DESCRIBE / DESC
        one("describe quoted", QStringLiteral("DESCRIBE JOB ") + q(kId),
            make(StatementKind::DescribeJob, kId, 1, 1, QStringLiteral("DESCRIBE JOB ") + q(kId)));
        one("describe bare upper id", QStringLiteral("describe job ") + kIdUpper,
            make(StatementKind::DescribeJob, kId, 1, 1,
                 QStringLiteral("describe job ") + kIdUpper));
        one("desc quoted mixed id", QStringLiteral("DESC JOB ") + q(kIdMixed),
            make(StatementKind::DescribeJob, kIdMixedLower, 1, 1,
                 QStringLiteral("DESC JOB ") + q(kIdMixed)));
        one("desc bare lower", QStringLiteral("desc Job ") + kId,
            make(StatementKind::DescribeJob, kId, 1, 1, QStringLiteral("desc Job ") + kId));

        // STOP
        one("stop plain", QStringLiteral("STOP JOB ") + q(kId),
            stop(kId, false, false, 1, 1, QStringLiteral("STOP JOB ") + q(kId)));
        one("stop bare upper", QStringLiteral("stop job ") + kIdUpper,
            stop(kId, false, false, 1, 1, QStringLiteral("stop job ") + kIdUpper));
        one("stop with savepoint",
            QStringLiteral("STOP JOB ") + kId + QStringLiteral(" WITH SAVEPOINT"),
            stop(kId, true, false, 1, 1,
                 QStringLiteral("STOP JOB ") + kId + QStringLiteral(" WITH SAVEPOINT")));
        one("stop with savepoint with drain",
            QStringLiteral("STOP JOB ") + q(kId) + QStringLiteral(" WITH SAVEPOINT WITH DRAIN;"),
            stop(kId, true, true, 1, 1,
                 QStringLiteral("STOP JOB ") + q(kId) +
                     QStringLiteral(" WITH SAVEPOINT WITH DRAIN")));
        one("stop lower drain multiline",
            QStringLiteral("  stop job ") + kIdMixed +
                QStringLiteral(" -- now\n  with savepoint\n  with drain\n"),
            stop(kIdMixedLower, true, true, 1, 3,
                 QStringLiteral("stop job ") + kIdMixed +
                     QStringLiteral(" -- now\n  with savepoint\n  with drain")));

        // CREATE SAVEPOINT
        const QString c = QStringLiteral("CREATE SAVEPOINT FOR JOB ") + q(kId);
        one("create plain", c, create(kId, std::nullopt, std::nullopt, c));
        one("create to", c + QStringLiteral(" TO '/savepoints/a'"),
            create(kId, QStringLiteral("/savepoints/a"), std::nullopt,
                   c + QStringLiteral(" TO '/savepoints/a'")));
        one("create format canonical", c + QStringLiteral(" FORMAT CANONICAL"),
            create(kId, std::nullopt, SavepointFormat::Canonical,
                   c + QStringLiteral(" FORMAT CANONICAL")));
        one("create format native lower", c + QStringLiteral(" format native"),
            create(kId, std::nullopt, SavepointFormat::Native,
                   c + QStringLiteral(" format native")));
        one("create to format native", c + QStringLiteral(" TO 's3://b/sp' FORMAT NATIVE"),
            create(kId, QStringLiteral("s3://b/sp"), SavepointFormat::Native,
                   c + QStringLiteral(" TO 's3://b/sp' FORMAT NATIVE")));
        one("create to format canonical escaped quote",
            c + QStringLiteral(" to '/tmp/it''s' Format Canonical;"),
            create(kId, QStringLiteral("/tmp/it's"), SavepointFormat::Canonical,
                   c + QStringLiteral(" to '/tmp/it''s' Format Canonical")));
        one("create lower bare upper id", QStringLiteral("create savepoint for job ") + kIdUpper,
            create(kId, std::nullopt, std::nullopt,
                   QStringLiteral("create savepoint for job ") + kIdUpper));

        // SHOW SAVEPOINTS
        one("show savepoints", QStringLiteral("SHOW SAVEPOINTS FOR JOB ") + q(kId),
            make(StatementKind::ShowSavepoints, kId, 1, 1,
                 QStringLiteral("SHOW SAVEPOINTS FOR JOB ") + q(kId)));
        one("show savepoints lower bare", QStringLiteral("show savepoints for job ") + kIdUpper,
            make(StatementKind::ShowSavepoints, kId, 1, 1,
                 QStringLiteral("show savepoints for job ") + kIdUpper));

        // DROP SAVEPOINT
        one("drop", QStringLiteral("DROP SAVEPOINT '/sp/savepoint-1'"),
            drop(QStringLiteral("/sp/savepoint-1"), 1, 1,
                 QStringLiteral("DROP SAVEPOINT '/sp/savepoint-1'")));
        one("drop lower escaped", QStringLiteral("drop savepoint 'a''b''''c' -- gone"),
            drop(QStringLiteral("a'b''c"), 1, 1, QStringLiteral("drop savepoint 'a''b''''c'")));
        one("drop comment marker inside string", QStringLiteral("DROP SAVEPOINT 'hdfs:///x--y;z'"),
            drop(QStringLiteral("hdfs:///x--y;z"), 1, 1,
                 QStringLiteral("DROP SAVEPOINT 'hdfs:///x--y;z'")));

        // Scripts
        QTest::addRow("empty") << QString() << QList<Statement>{};
        QTest::addRow("only comments and semicolons")
            << QStringLiteral("-- nothing\n ; ;\n-- more;\n") << QList<Statement>{};
        QTest::addRow("three statements")
            << (QStringLiteral("SHOW JOBS; desc job ") + kId +
                QStringLiteral(";;\n-- stop it\n  STOP JOB ") + q(kIdUpper) +
                QStringLiteral(" WITH SAVEPOINT;"))
            << QList<Statement>{
                   make(StatementKind::ShowJobs, {}, 1, 1, QStringLiteral("SHOW JOBS")),
                   make(StatementKind::DescribeJob, kId, 1, 12, QStringLiteral("desc job ") + kId),
                   stop(kId, true, false, 3, 3,
                        QStringLiteral("STOP JOB ") + q(kIdUpper) +
                            QStringLiteral(" WITH SAVEPOINT")),
               };
        QTest::addRow("every kind")
            << (QStringLiteral("show jobs;\nshow savepoints for job ") + kId +
                QStringLiteral(";\ncreate savepoint for job ") + kId +
                QStringLiteral(" to '/d';\ndrop savepoint '/d/sp-1'\n;\nSTOP JOB ") + kId)
            << QList<Statement>{
                   make(StatementKind::ShowJobs, {}, 1, 1, QStringLiteral("show jobs")),
                   make(StatementKind::ShowSavepoints, kId, 2, 1,
                        QStringLiteral("show savepoints for job ") + kId),
                   [] {
                       Statement s = create(kId, QStringLiteral("/d"), std::nullopt,
                                            QStringLiteral("create savepoint for job ") + kId +
                                                QStringLiteral(" to '/d'"));
                       s.line = 3;
                       return s;
                   }(),
                   drop(QStringLiteral("/d/sp-1"), 4, 1,
                        QStringLiteral("drop savepoint '/d/sp-1'")),
                   stop(kId, false, false, 6, 1, QStringLiteral("STOP JOB ") + kId),
               };
    }

    void parse_validForms()
    {
        QFETCH(QString, script);
        QFETCH(QList<Statement>, expected);
        ParseError detail;
        const auto result = parseScript(script, &detail);
        QVERIFY2(result.ok(), qPrintable(result.ok() ? QString() : result.error().message));
        QCOMPARE(result->size(), expected.size());
        for (qsizetype i = 0; i < expected.size(); ++i) {
            const Statement &got = result->at(i);
            const Statement &want = expected.at(i);
            QCOMPARE(got.kind, want.kind);
            QCOMPARE(got.jobId, want.jobId);
            QCOMPARE(got.withSavepoint, want.withSavepoint);
            QCOMPARE(got.withDrain, want.withDrain);
            QCOMPARE(got.targetDirectory.has_value(), want.targetDirectory.has_value());
            QCOMPARE(got.targetDirectory.value_or(QString()),
                     want.targetDirectory.value_or(QString()));
            QCOMPARE(got.format.has_value(), want.format.has_value());
            if (want.format)
                QCOMPARE(*got.format, *want.format);
            QCOMPARE(got.savepointPath, want.savepointPath);
            QCOMPARE(got.sourceText, want.sourceText);
            QCOMPARE(got.line, want.line);
            QCOMPARE(got.column, want.column);
            QCOMPARE(got, want);
        }
    }

    void canonicalAndFlags_data()
    {
        QTest::addColumn<QString>("script");
        QTest::addColumn<QString>("canonical");
        QTest::addColumn<bool>("mutating");
        QTest::addColumn<bool>("confirm");

        QTest::addRow("show jobs")
            << QStringLiteral("show   jobs") << QStringLiteral("SHOW JOBS") << false << false;
        QTest::addRow("desc") << (QStringLiteral("desc job ") + kIdUpper)
                              << (QStringLiteral("DESCRIBE JOB ") + q(kId)) << false << false;
        QTest::addRow("show savepoints")
            << (QStringLiteral("show savepoints\nfor job ") + kId)
            << (QStringLiteral("SHOW SAVEPOINTS FOR JOB ") + q(kId)) << false << false;
        QTest::addRow("stop") << (QStringLiteral("stop job ") + q(kIdMixed))
                              << (QStringLiteral("STOP JOB ") + q(kIdMixedLower)) << true << true;
        QTest::addRow("stop savepoint drain")
            << (QStringLiteral("stop job ") + kId +
                QStringLiteral(" with savepoint -- x\n with drain"))
            << (QStringLiteral("STOP JOB ") + q(kId) + QStringLiteral(" WITH SAVEPOINT WITH DRAIN"))
            << true << true;
        QTest::addRow("create plain")
            << (QStringLiteral("create savepoint for job ") + kId)
            << (QStringLiteral("CREATE SAVEPOINT FOR JOB ") + q(kId)) << true << false;
        QTest::addRow("create format") << (QStringLiteral("create savepoint for job ") + kId +
                                           QStringLiteral(" format native"))
                                       << (QStringLiteral("CREATE SAVEPOINT FOR JOB ") + q(kId) +
                                           QStringLiteral(" FORMAT NATIVE"))
                                       << true << false;
        QTest::addRow("create to format") << (QStringLiteral("create savepoint for job ") + kId +
                                              QStringLiteral(" to '/it''s' format canonical"))
                                          << (QStringLiteral("CREATE SAVEPOINT FOR JOB ") + q(kId) +
                                              QStringLiteral(" TO '/it''s' FORMAT CANONICAL"))
                                          << true << true;
        QTest::addRow("drop") << QStringLiteral("drop savepoint 'a''b'")
                              << QStringLiteral("DROP SAVEPOINT 'a''b'") << true << true;
    }

    void canonicalAndFlags()
    {
        QFETCH(QString, script);
        QFETCH(QString, canonical);
        QFETCH(bool, mutating);
        QFETCH(bool, confirm);
        const auto result = parseScript(script);
        QVERIFY(result.ok());
        QCOMPARE(result->size(), 1);
        const Statement &s = result->first();
        QCOMPARE(s.canonicalText(), canonical);
        QCOMPARE(s.isMutating(), mutating);
        QCOMPARE(s.needsConfirmation(), confirm);

        // The canonical text parses back to the same statement.
        const auto again = parseScript(canonical);
        QVERIFY(again.ok());
        QCOMPARE(again->size(), 1);
        Statement reparsed = again->first();
        reparsed.sourceText = s.sourceText;
        reparsed.line = s.line;
        reparsed.column = s.column;
        QCOMPARE(reparsed, s);
        QCOMPARE(again->first().sourceText, canonical);
    }

    void parse_errors_data()
    {
        QTest::addColumn<QString>("script");
        QTest::addColumn<int>("line");
        QTest::addColumn<int>("column");
        QTest::addColumn<QString>("token");
        QTest::addColumn<QString>("expected");
        QTest::addColumn<QString>("caret");

        const QString showExp = QStringLiteral("expected JOBS or SAVEPOINTS after SHOW");
        const QString startExp =
            QStringLiteral("expected SHOW, DESCRIBE, DESC, STOP, CREATE or DROP");
        const QString idExp = QStringLiteral("job id must be 32 hexadecimal characters");
        const QString endExp = QStringLiteral("expected ; or end of input");
        const QString drainExp = QStringLiteral("WITH DRAIN needs WITH SAVEPOINT first");

        QTest::addRow("show unknown")
            << QStringLiteral("SHOW FOO") << 1 << 6 << QStringLiteral("FOO") << showExp
            << QStringLiteral("SHOW FOO\n     ^^^");
        QTest::addRow("show at end") << QStringLiteral("SHOW") << 1 << 5 << QString() << showExp
                                     << QStringLiteral("SHOW\n    ^");
        QTest::addRow("show at end before comment line")
            << QStringLiteral("SHOW  -- what?\n-- nothing\n\n") << 1 << 5 << QString() << showExp
            << QStringLiteral("SHOW  -- what?\n    ^");
        QTest::addRow("show semicolon") << QStringLiteral("show;") << 1 << 5 << QStringLiteral(";")
                                        << showExp << QStringLiteral("show;\n    ^");
        QTest::addRow("show tab aligned")
            << QStringLiteral("\tSHOW X") << 1 << 7 << QStringLiteral("X") << showExp
            << QStringLiteral("\tSHOW X\n\t     ^");
        QTest::addRow("unknown verb")
            << QStringLiteral("FOO JOBS") << 1 << 1 << QStringLiteral("FOO") << startExp
            << QStringLiteral("FOO JOBS\n^^^");
        QTest::addRow("unexpected character")
            << QStringLiteral("SHOW JOBS; !") << 1 << 12 << QStringLiteral("!") << startExp
            << QStringLiteral("SHOW JOBS; !\n           ^");
        QTest::addRow("string as verb")
            << QStringLiteral("'SHOW' JOBS") << 1 << 1 << QStringLiteral("'SHOW'") << startExp
            << QStringLiteral("'SHOW' JOBS\n^^^^^^");
        QTest::addRow("describe jobs")
            << QStringLiteral("DESCRIBE JOBS x") << 1 << 10 << QStringLiteral("JOBS")
            << QStringLiteral("expected JOB after DESCRIBE")
            << QStringLiteral("DESCRIBE JOBS x\n         ^^^^");
        QTest::addRow("desc missing job")
            << QStringLiteral("desc ") << 1 << 5 << QString()
            << QStringLiteral("expected JOB after DESC") << QStringLiteral("desc \n    ^");
        QTest::addRow("desc job at end") << QStringLiteral("desc job") << 1 << 9 << QString()
                                         << QStringLiteral("expected a job id after JOB")
                                         << QStringLiteral("desc job\n        ^");
        QTest::addRow("id too short quoted")
            << QStringLiteral("STOP JOB 'abc'") << 1 << 10 << QStringLiteral("'abc'") << idExp
            << QStringLiteral("STOP JOB 'abc'\n         ^^^^^");
        const QString badHex = QStringLiteral("0123456789abcdef0123456789abcdeg");
        QTest::addRow("id non-hex bare")
            << (QStringLiteral("STOP JOB ") + badHex) << 1 << 10 << badHex << idExp
            << (QStringLiteral("STOP JOB ") + badHex + u'\n' + marks(10, 32));
        const QString longId = kId + QStringLiteral("0");
        QTest::addRow("id 33 quoted")
            << (QStringLiteral("desc job ") + q(longId)) << 1 << 10 << q(longId) << idExp
            << (QStringLiteral("desc job ") + q(longId) + u'\n' + marks(10, 35));
        QTest::addRow("id with escaped quote")
            << QStringLiteral("desc job 'ab''cd'") << 1 << 10 << QStringLiteral("'ab''cd'") << idExp
            << QStringLiteral("desc job 'ab''cd'\n         ^^^^^^^^");
        QTest::addRow("id empty string")
            << QStringLiteral("desc job ''") << 1 << 10 << QStringLiteral("''") << idExp
            << QStringLiteral("desc job ''\n         ^^");

        const QString st = QStringLiteral("STOP JOB ") + kId; // 41 characters
        QTest::addRow("drain without savepoint")
            << (st + QStringLiteral(" WITH DRAIN")) << 1 << 48 << QStringLiteral("DRAIN")
            << drainExp << (st + QStringLiteral(" WITH DRAIN\n") + marks(48, 5));
        QTest::addRow("drain before savepoint")
            << (st + QStringLiteral(" with drain with savepoint")) << 1 << 48
            << QStringLiteral("drain") << drainExp
            << (st + QStringLiteral(" with drain with savepoint\n") + marks(48, 5));
        QTest::addRow("with unknown")
            << (st + QStringLiteral(" WITH CHECKPOINT")) << 1 << 48 << QStringLiteral("CHECKPOINT")
            << QStringLiteral("expected SAVEPOINT after WITH")
            << (st + QStringLiteral(" WITH CHECKPOINT\n") + marks(48, 10));
        QTest::addRow("with at end") << (st + QStringLiteral(" WITH")) << 1 << 47 << QString()
                                     << QStringLiteral("expected SAVEPOINT after WITH")
                                     << (st + QStringLiteral(" WITH\n") + marks(47, 1));
        QTest::addRow("savepoint twice")
            << (st + QStringLiteral(" WITH SAVEPOINT WITH SAVEPOINT")) << 1 << 63
            << QStringLiteral("SAVEPOINT") << QStringLiteral("expected DRAIN after WITH")
            << (st + QStringLiteral(" WITH SAVEPOINT WITH SAVEPOINT\n") + marks(63, 9));
        QTest::addRow("stop trailing")
            << (st + QStringLiteral(" WITH SAVEPOINT now")) << 1 << 58 << QStringLiteral("now")
            << endExp << (st + QStringLiteral(" WITH SAVEPOINT now\n") + marks(58, 3));
        QTest::addRow("stop jobs")
            << QStringLiteral("STOP JOBS") << 1 << 6 << QStringLiteral("JOBS")
            << QStringLiteral("expected JOB after STOP") << QStringLiteral("STOP JOBS\n     ^^^^");

        QTest::addRow("create snapshot")
            << QStringLiteral("CREATE SNAPSHOT") << 1 << 8 << QStringLiteral("SNAPSHOT")
            << QStringLiteral("expected SAVEPOINT after CREATE")
            << QStringLiteral("CREATE SNAPSHOT\n       ^^^^^^^^");
        QTest::addRow("create missing for")
            << QStringLiteral("create savepoint job x") << 1 << 18 << QStringLiteral("job")
            << QStringLiteral("expected FOR after SAVEPOINT")
            << QStringLiteral("create savepoint job x\n                 ^^^");
        QTest::addRow("create missing job")
            << (QStringLiteral("create savepoint for ") + kId) << 1 << 22 << kId
            << QStringLiteral("expected JOB after FOR")
            << (QStringLiteral("create savepoint for ") + kId + u'\n' + marks(22, 32));
        const QString cr = QStringLiteral("CREATE SAVEPOINT FOR JOB ") + kId; // 57 characters
        QTest::addRow("create to bare")
            << (cr + QStringLiteral(" TO tmp")) << 1 << 62 << QStringLiteral("tmp")
            << QStringLiteral("expected a quoted directory after TO")
            << (cr + QStringLiteral(" TO tmp\n") + marks(62, 3));
        QTest::addRow("create to slash")
            << (cr + QStringLiteral(" TO /tmp")) << 1 << 62 << QStringLiteral("/")
            << QStringLiteral("expected a quoted directory after TO")
            << (cr + QStringLiteral(" TO /tmp\n") + marks(62, 1));
        QTest::addRow("create to empty")
            << (cr + QStringLiteral(" TO ''")) << 1 << 62 << QStringLiteral("''")
            << QStringLiteral("directory must not be empty")
            << (cr + QStringLiteral(" TO ''\n") + marks(62, 2));
        QTest::addRow("create format unknown")
            << (cr + QStringLiteral(" FORMAT json")) << 1 << 66 << QStringLiteral("json")
            << QStringLiteral("expected CANONICAL or NATIVE after FORMAT")
            << (cr + QStringLiteral(" FORMAT json\n") + marks(66, 4));
        QTest::addRow("create format before to")
            << (cr + QStringLiteral(" FORMAT NATIVE TO '/d'")) << 1 << 73 << QStringLiteral("TO")
            << endExp << (cr + QStringLiteral(" FORMAT NATIVE TO '/d'\n") + marks(73, 2));
        QTest::addRow("create to twice")
            << (cr + QStringLiteral(" TO '/a' TO '/b'")) << 1 << 67 << QStringLiteral("TO")
            << endExp << (cr + QStringLiteral(" TO '/a' TO '/b'\n") + marks(67, 2));

        QTest::addRow("show savepoints no for")
            << QStringLiteral("SHOW SAVEPOINTS JOB") << 1 << 17 << QStringLiteral("JOB")
            << QStringLiteral("expected FOR after SAVEPOINTS")
            << QStringLiteral("SHOW SAVEPOINTS JOB\n                ^^^");
        QTest::addRow("show savepoints id semicolon")
            << QStringLiteral("SHOW SAVEPOINTS FOR JOB;") << 1 << 24 << QStringLiteral(";")
            << QStringLiteral("expected a job id after JOB")
            << QStringLiteral("SHOW SAVEPOINTS FOR JOB;\n                       ^");

        QTest::addRow("drop job") << QStringLiteral("DROP JOB x") << 1 << 6 << QStringLiteral("JOB")
                                  << QStringLiteral("expected SAVEPOINT after DROP")
                                  << QStringLiteral("DROP JOB x\n     ^^^");
        QTest::addRow("drop at end")
            << QStringLiteral("DROP SAVEPOINT") << 1 << 15 << QString()
            << QStringLiteral("expected a quoted savepoint path after SAVEPOINT")
            << QStringLiteral("DROP SAVEPOINT\n              ^");
        QTest::addRow("drop empty")
            << QStringLiteral("DROP SAVEPOINT ''") << 1 << 16 << QStringLiteral("''")
            << QStringLiteral("savepoint path must not be empty")
            << QStringLiteral("DROP SAVEPOINT ''\n               ^^");
        QTest::addRow("drop unterminated")
            << QStringLiteral("DROP SAVEPOINT '/sp/a") << 1 << 16 << QStringLiteral("'/sp/a")
            << QStringLiteral("unterminated string literal")
            << QStringLiteral("DROP SAVEPOINT '/sp/a\n               ^^^^^^");
        QTest::addRow("drop unterminated escaped quote at end")
            << QStringLiteral("DROP SAVEPOINT 'it''s''\nSHOW JOBS") << 1 << 16
            << QStringLiteral("'it''s''") << QStringLiteral("unterminated string literal")
            << QStringLiteral("DROP SAVEPOINT 'it''s''\n               ^^^^^^^^");
        QTest::addRow("unterminated where a keyword belongs")
            << QStringLiteral("SHOW 'JOBS") << 1 << 6 << QStringLiteral("'JOBS")
            << QStringLiteral("unterminated string literal")
            << QStringLiteral("SHOW 'JOBS\n     ^^^^^");

        QTest::addRow("missing semicolon")
            << QStringLiteral("SHOW JOBS\nSHOW JOBS") << 2 << 1 << QStringLiteral("SHOW") << endExp
            << QStringLiteral("SHOW JOBS\n^^^^");
        QTest::addRow("error in second statement")
            << QStringLiteral("SHOW JOBS; SHOW JOB") << 1 << 17 << QStringLiteral("JOB") << showExp
            << QStringLiteral("SHOW JOBS; SHOW JOB\n                ^^^");
        QTest::addRow("error on third line")
            << QStringLiteral("SHOW JOBS;\n  -- comment\n  STOP JOB 'abc';") << 3 << 12
            << QStringLiteral("'abc'") << idExp
            << QStringLiteral("  STOP JOB 'abc';\n           ^^^^^");
        QTest::addRow("crlf lines")
            << QStringLiteral("SHOW JOBS;\r\nSHOW X\r\n") << 2 << 6 << QStringLiteral("X")
            << showExp << QStringLiteral("SHOW X\n     ^");
    }

    void parse_errors()
    {
        QFETCH(QString, script);
        QFETCH(int, line);
        QFETCH(int, column);
        QFETCH(QString, token);
        QFETCH(QString, expected);
        QFETCH(QString, caret);

        ParseError detail;
        const auto result = parseScript(script, &detail);
        QVERIFY(!result.ok());
        QCOMPARE(detail.line, line);
        QCOMPARE(detail.column, column);
        QCOMPARE(detail.token, token);
        QCOMPARE(detail.expected, expected);
        QCOMPARE(detail.caret, caret);
        const QString message =
            QStringLiteral("line %1, column %2: %3").arg(line).arg(column).arg(expected);
        QCOMPARE(detail.message(), message);
        QCOMPARE(result.error().code, ErrorCode::Parse);
        QCOMPARE(result.error().message, message);

        // Without the detail pointer the Error is the same.
        const auto plain = parseScript(script);
        QVERIFY(!plain.ok());
        QCOMPARE(plain.error().message, message);
    }
};

OPSDECK_TEST_GUILESS_MAIN(TestStatementParser)
#include "tst_statementparser.moc"
