// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/result.h"

#include <QList>
#include <QString>
#include <optional>

// The statement language of the Job control module (parsing only, nothing is executed here):
//
//   SHOW JOBS
//   { DESCRIBE | DESC } JOB <id>
//   STOP JOB <id> [ WITH SAVEPOINT [ WITH DRAIN ] ]
//   CREATE SAVEPOINT FOR JOB <id> [ TO '<directory>' ] [ FORMAT { CANONICAL | NATIVE } ]
//   SHOW SAVEPOINTS FOR JOB <id>
//   DROP SAVEPOINT '<path>'
//
// Keywords are case-insensitive. <id> is 32 hexadecimal characters, bare or in single quotes, and
// is stored lowercase. `--` starts a comment that runs to the end of the line. A script is several
// statements separated by `;`; empty statements are ignored and a trailing `;` is fine. String
// literals use single quotes, '' is an escaped quote, and a literal must end on the line it starts
// on (a missing closing quote is reported there, not at the end of the script).
namespace opsdeck::jobs {

enum class StatementKind
{
    ShowJobs,
    DescribeJob,
    StopJob,
    CreateSavepoint,
    ShowSavepoints,
    DropSavepoint,
};

enum class SavepointFormat
{
    Canonical,
    Native,
};

struct Statement
{
    StatementKind kind = StatementKind::ShowJobs;
    QString jobId;              // 32 lowercase hex characters; empty for SHOW JOBS and DROP
    bool withSavepoint = false; // STOP ... WITH SAVEPOINT
    bool withDrain = false;     // STOP ... WITH SAVEPOINT WITH DRAIN
    std::optional<QString> targetDirectory; // CREATE SAVEPOINT ... TO '<directory>'
    std::optional<SavepointFormat> format;  // CREATE SAVEPOINT ... FORMAT ...
    QString savepointPath;                  // DROP SAVEPOINT '<path>'

    QString sourceText; // the statement as written, first token to last (no `;`)
    int line = 0;       // 1-based position of the first token
    int column = 0;

    // Normalized form for history and audit: uppercase keywords (DESC becomes DESCRIBE), the id
    // lowercase in single quotes, strings re-quoted with '' escapes, single spaces.
    QString canonicalText() const;
    // STOP, DROP SAVEPOINT and CREATE SAVEPOINT change something on the cluster.
    bool isMutating() const;
    // STOP, DROP SAVEPOINT and CREATE SAVEPOINT ... TO ask the user first.
    bool needsConfirmation() const;

    bool operator==(const Statement &) const = default;
};

// Everything about a syntax error. `expected` is the full description of what was wrong, e.g.
// "expected JOBS or SAVEPOINTS after SHOW" or "job id must be 32 hexadecimal characters".
struct ParseError
{
    int line = 0;   // 1-based
    int column = 0; // 1-based, in UTF-16 code units
    QString token;  // the offending token as written; empty at the end of input
    QString expected;
    // The source line, '\n', then spaces (tabs kept for alignment) and one '^' per character of
    // the token (a single '^' at the end of input).
    QString caret;

    // "line L, column C: <expected>"
    QString message() const;
};

// Parses a script. On failure the Error has code Parse and message ParseError::message(); pass
// `detail` to also receive the structured ParseError (line, column, token, expected, caret).
Result<QList<Statement>> parseScript(const QString &text, ParseError *detail = nullptr);

} // namespace opsdeck::jobs
