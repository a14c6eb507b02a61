// SPDX-License-Identifier: GPL-3.0-or-later
#include "jobs/statement.h"

#include <QStringList>
#include <utility>

namespace opsdeck::jobs {

namespace {

struct Token
{
    enum class Kind
    {
        Word,
        String,
        Semicolon,
        End,
        Invalid, // a character no token starts with, or an unterminated string (`error`)
    };
    Kind kind = Kind::End;
    QString text;  // as written
    QString value; // a string literal's content, quotes removed and '' unescaped
    QString error;
    qsizetype offset = 0;
    int line = 1;
    int column = 1;
};

bool isWordChar(QChar c)
{
    return c.isLetterOrNumber() || c == u'_';
}

class Lexer
{
public:
    explicit Lexer(const QString &text)
        : m_text(text)
    {}

    Token next()
    {
        skipSpaceAndComments();
        Token t;
        t.offset = m_pos;
        t.line = m_line;
        t.column = int(m_pos - m_lineStart) + 1;
        if (m_pos >= m_text.size()) {
            // Reported just after the last token, not on a trailing blank or comment line.
            t.kind = Token::Kind::End;
            t.offset = m_lastEnd;
            t.line = m_lastLine;
            t.column = m_lastColumn;
            return t;
        }
        const QChar c = m_text.at(m_pos);
        if (c == u';') {
            t.kind = Token::Kind::Semicolon;
            ++m_pos;
        } else if (c == u'\'') {
            lexString(t);
        } else if (isWordChar(c)) {
            t.kind = Token::Kind::Word;
            while (m_pos < m_text.size() && isWordChar(m_text.at(m_pos)))
                ++m_pos;
        } else {
            t.kind = Token::Kind::Invalid; // reported as whatever the parser expected here
            ++m_pos;
        }
        t.text = m_text.mid(t.offset, m_pos - t.offset);
        m_lastEnd = m_pos;
        m_lastLine = t.line;
        m_lastColumn = t.column + int(t.text.size());
        return t;
    }

private:
    void skipSpaceAndComments()
    {
        while (m_pos < m_text.size()) {
            const QChar c = m_text.at(m_pos);
            if (c == u'\n') {
                ++m_pos;
                ++m_line;
                m_lineStart = m_pos;
            } else if (c.isSpace()) {
                ++m_pos;
            } else if (c == u'-' && m_pos + 1 < m_text.size() && m_text.at(m_pos + 1) == u'-') {
                while (m_pos < m_text.size() && m_text.at(m_pos) != u'\n')
                    ++m_pos;
            } else {
                return;
            }
        }
    }

    void lexString(Token &t)
    {
        ++m_pos; // opening quote
        while (m_pos < m_text.size()) {
            const QChar c = m_text.at(m_pos);
            if (c == u'\n' || c == u'\r')
                break;
            ++m_pos;
            if (c == u'\'') {
                if (m_pos < m_text.size() && m_text.at(m_pos) == u'\'') {
                    t.value += u'\'';
                    ++m_pos;
                    continue;
                }
                t.kind = Token::Kind::String;
                return;
            }
            t.value += c;
        }
        t.kind = Token::Kind::Invalid;
        t.error = QStringLiteral("unterminated string literal");
    }

    const QString &m_text;
    qsizetype m_pos = 0;
    qsizetype m_lineStart = 0;
    int m_line = 1;
    qsizetype m_lastEnd = 0;
    int m_lastLine = 1;
    int m_lastColumn = 1;
};

QString renderCaret(const QString &text, const Token &t)
{
    const qsizetype start = t.offset - (t.column - 1);
    qsizetype end = text.indexOf(u'\n', start);
    if (end < 0)
        end = text.size();
    QString line = text.mid(start, end - start);
    while (line.endsWith(u'\r'))
        line.chop(1);
    QString marks;
    for (int i = 0; i < t.column - 1; ++i)
        marks += (i < line.size() && line.at(i) == u'\t') ? u'\t' : u' ';
    const qsizetype width = qMax<qsizetype>(1, qMin(t.text.size(), line.size() - (t.column - 1)));
    marks += QString(width, u'^');
    return line + u'\n' + marks;
}

QString quoted(const QString &s)
{
    QString escaped = s;
    escaped.replace(QStringLiteral("'"), QStringLiteral("''"));
    return u'\'' + escaped + u'\'';
}

class Parser
{
public:
    explicit Parser(const QString &text)
        : m_text(text)
        , m_lexer(text)
    {
        m_cur = m_lexer.next();
    }

    // Returns false and fills m_error on the first error.
    bool parseScript(QList<Statement> &out)
    {
        for (;;) {
            while (m_cur.kind == Token::Kind::Semicolon)
                advance();
            if (m_cur.kind == Token::Kind::End)
                return true;
            Statement st;
            if (!parseStatement(st))
                return false;
            st.sourceText = m_text.mid(m_stmtStart, m_lastEnd - m_stmtStart);
            out << st;
            if (m_cur.kind == Token::Kind::Semicolon)
                continue;
            if (m_cur.kind == Token::Kind::End)
                return true;
            return fail(QStringLiteral("expected ; or end of input"));
        }
    }

    ParseError error;

private:
    void advance()
    {
        m_lastEnd = m_cur.offset + m_cur.text.size();
        m_cur = m_lexer.next();
    }

    bool fail(const QString &what)
    {
        error.line = m_cur.line;
        error.column = m_cur.column;
        error.token = m_cur.text;
        error.expected = m_cur.error.isEmpty() ? what : m_cur.error;
        error.caret = renderCaret(m_text, m_cur);
        return false;
    }

    bool isKeyword(QLatin1String kw) const
    {
        return m_cur.kind == Token::Kind::Word && m_cur.text.compare(kw, Qt::CaseInsensitive) == 0;
    }

    // Consumes the keyword or fails with "expected <KW> after <after>".
    bool expectKeyword(QLatin1String kw, QLatin1String after)
    {
        if (!isKeyword(kw))
            return fail(QLatin1String("expected ") + kw + QLatin1String(" after ") + after);
        advance();
        return true;
    }

    bool parseJobId(QString &id)
    {
        if (m_cur.kind != Token::Kind::Word && m_cur.kind != Token::Kind::String)
            return fail(QStringLiteral("expected a job id after JOB"));
        const QString value = m_cur.kind == Token::Kind::String ? m_cur.value : m_cur.text;
        bool good = value.size() == 32;
        for (QChar c : value) {
            const char16_t u = c.unicode();
            good = good && ((u >= u'0' && u <= u'9') || (u >= u'a' && u <= u'f') ||
                            (u >= u'A' && u <= u'F'));
        }
        if (!good)
            return fail(QStringLiteral("job id must be 32 hexadecimal characters"));
        id = value.toLower();
        advance();
        return true;
    }

    bool parseString(QString &value, const QString &what, const QString &emptyWhat)
    {
        if (m_cur.kind != Token::Kind::String)
            return fail(what);
        if (m_cur.value.isEmpty())
            return fail(emptyWhat);
        value = m_cur.value;
        advance();
        return true;
    }

    bool parseForJob(Statement &st, QLatin1String after)
    {
        return expectKeyword(QLatin1String("FOR"), after) &&
               expectKeyword(QLatin1String("JOB"), QLatin1String("FOR")) && parseJobId(st.jobId);
    }

    bool parseStatement(Statement &st)
    {
        m_stmtStart = m_cur.offset;
        st.line = m_cur.line;
        st.column = m_cur.column;
        if (isKeyword(QLatin1String("SHOW"))) {
            advance();
            if (isKeyword(QLatin1String("JOBS"))) {
                advance();
                st.kind = StatementKind::ShowJobs;
                return true;
            }
            if (isKeyword(QLatin1String("SAVEPOINTS"))) {
                advance();
                st.kind = StatementKind::ShowSavepoints;
                return parseForJob(st, QLatin1String("SAVEPOINTS"));
            }
            return fail(QStringLiteral("expected JOBS or SAVEPOINTS after SHOW"));
        }
        if (isKeyword(QLatin1String("DESCRIBE")) || isKeyword(QLatin1String("DESC"))) {
            const bool shortForm = isKeyword(QLatin1String("DESC"));
            advance();
            st.kind = StatementKind::DescribeJob;
            return expectKeyword(QLatin1String("JOB"),
                                 shortForm ? QLatin1String("DESC") : QLatin1String("DESCRIBE")) &&
                   parseJobId(st.jobId);
        }
        if (isKeyword(QLatin1String("STOP"))) {
            advance();
            st.kind = StatementKind::StopJob;
            if (!expectKeyword(QLatin1String("JOB"), QLatin1String("STOP")) ||
                !parseJobId(st.jobId))
                return false;
            if (!isKeyword(QLatin1String("WITH")))
                return true;
            advance();
            if (isKeyword(QLatin1String("DRAIN")))
                return fail(QStringLiteral("WITH DRAIN needs WITH SAVEPOINT first"));
            if (!expectKeyword(QLatin1String("SAVEPOINT"), QLatin1String("WITH")))
                return false;
            st.withSavepoint = true;
            if (!isKeyword(QLatin1String("WITH")))
                return true;
            advance();
            if (!expectKeyword(QLatin1String("DRAIN"), QLatin1String("WITH")))
                return false;
            st.withDrain = true;
            return true;
        }
        if (isKeyword(QLatin1String("CREATE"))) {
            advance();
            st.kind = StatementKind::CreateSavepoint;
            if (!expectKeyword(QLatin1String("SAVEPOINT"), QLatin1String("CREATE")) ||
                !parseForJob(st, QLatin1String("SAVEPOINT")))
                return false;
            if (isKeyword(QLatin1String("TO"))) {
                advance();
                QString dir;
                if (!parseString(dir, QStringLiteral("expected a quoted directory after TO"),
                                 QStringLiteral("directory must not be empty")))
                    return false;
                st.targetDirectory = dir;
            }
            if (isKeyword(QLatin1String("FORMAT"))) {
                advance();
                if (isKeyword(QLatin1String("CANONICAL")))
                    st.format = SavepointFormat::Canonical;
                else if (isKeyword(QLatin1String("NATIVE")))
                    st.format = SavepointFormat::Native;
                else
                    return fail(QStringLiteral("expected CANONICAL or NATIVE after FORMAT"));
                advance();
            }
            return true;
        }
        if (isKeyword(QLatin1String("DROP"))) {
            advance();
            st.kind = StatementKind::DropSavepoint;
            return expectKeyword(QLatin1String("SAVEPOINT"), QLatin1String("DROP")) &&
                   parseString(st.savepointPath,
                               QStringLiteral("expected a quoted savepoint path after SAVEPOINT"),
                               QStringLiteral("savepoint path must not be empty"));
        }
        return fail(QStringLiteral("expected SHOW, DESCRIBE, DESC, STOP, CREATE or DROP"));
    }

    const QString &m_text;
    Lexer m_lexer;
    Token m_cur;
    qsizetype m_lastEnd = 0;
    qsizetype m_stmtStart = 0;
};

} // namespace

QString Statement::canonicalText() const
{
    const QString job = QStringLiteral("JOB ") + quoted(jobId);
    switch (kind) {
    case StatementKind::ShowJobs:
        return QStringLiteral("SHOW JOBS");
    case StatementKind::DescribeJob:
        return QStringLiteral("DESCRIBE ") + job;
    case StatementKind::StopJob: {
        QString s = QStringLiteral("STOP ") + job;
        if (withSavepoint)
            s += QStringLiteral(" WITH SAVEPOINT");
        if (withDrain)
            s += QStringLiteral(" WITH DRAIN");
        return s;
    }
    case StatementKind::CreateSavepoint: {
        QString s = QStringLiteral("CREATE SAVEPOINT FOR ") + job;
        if (targetDirectory)
            s += QStringLiteral(" TO ") + quoted(*targetDirectory);
        if (format)
            s += *format == SavepointFormat::Native ? QStringLiteral(" FORMAT NATIVE")
                                                    : QStringLiteral(" FORMAT CANONICAL");
        return s;
    }
    case StatementKind::ShowSavepoints:
        return QStringLiteral("SHOW SAVEPOINTS FOR ") + job;
    case StatementKind::DropSavepoint:
        return QStringLiteral("DROP SAVEPOINT ") + quoted(savepointPath);
    }
    return {};
}

bool Statement::isMutating() const
{
    return kind == StatementKind::StopJob || kind == StatementKind::DropSavepoint ||
           kind == StatementKind::CreateSavepoint;
}

bool Statement::needsConfirmation() const
{
    return kind == StatementKind::StopJob || kind == StatementKind::DropSavepoint ||
           (kind == StatementKind::CreateSavepoint && targetDirectory.has_value());
}

QString ParseError::message() const
{
    return QStringLiteral("line %1, column %2: %3").arg(line).arg(column).arg(expected);
}

Result<QList<Statement>> parseScript(const QString &text, ParseError *detail)
{
    Parser parser(text);
    QList<Statement> statements;
    if (parser.parseScript(statements))
        return statements;
    if (detail)
        *detail = parser.error;
    return makeError(ErrorCode::Parse, parser.error.message());
}

} // namespace opsdeck::jobs
