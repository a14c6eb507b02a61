// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QPlainTextEdit>
#include <QStringList>
#include <QSyntaxHighlighter>
#include <QTextCharFormat>

class QCompleter;
class QStandardItemModel;

namespace opsdeck {

// Colours the job statement language: keywords, '...' strings (with '' escapes), 32-hex job ids
// and `--` comments (never inside a string).
class JobsHighlighter : public QSyntaxHighlighter
{
    Q_OBJECT
public:
    explicit JobsHighlighter(QTextDocument *document);

    static const QStringList &keywords();

    enum class Token
    {
        Keyword,
        String,
        JobId,
        Comment,
    };
    // What highlightBlock() would colour in one line: (start, length, token) spans.
    struct Span
    {
        int start = 0;
        int length = 0;
        Token token = Token::Keyword;
    };
    static QList<Span> spans(const QString &line);

protected:
    void highlightBlock(const QString &text) override;

private:
    QTextCharFormat m_keyword;
    QTextCharFormat m_string;
    QTextCharFormat m_jobId;
    QTextCharFormat m_comment;
};

// The statement editor: Ctrl+Enter asks to run, Up on the first line / Down on the last line walk
// the statement history, and a completer offers keywords and the job ids and names of the last
// listing (a name inserts its id). Ctrl+Space opens the completer.
class JobsEditor : public QPlainTextEdit
{
    Q_OBJECT
public:
    explicit JobsEditor(QWidget *parent = nullptr);

    // Newest first. Resets the position in the history.
    void setHistory(const QStringList &newestFirst);
    QStringList history() const { return m_history; }
    // Puts a statement at the front of the history (after it ran).
    void addToHistory(const QString &statement);

    struct JobEntry
    {
        QString id;
        QString name;
    };
    void setJobs(const QList<JobEntry> &jobs);
    QCompleter *completer() const { return m_completer; }
    // The completion entries (display text -> inserted text), for tests.
    QStringList completionEntries() const;

    // Moves the cursor to a 1-based line and column.
    void moveCursorTo(int line, int column);

Q_SIGNALS:
    void runRequested();

protected:
    void keyPressEvent(QKeyEvent *event) override;
    void focusInEvent(QFocusEvent *event) override;

private:
    QString wordBeforeCursor() const;
    void updateCompletions();
    void showCompleter(bool force);
    void insertCompletion(const QModelIndex &index);
    void historyStep(int delta);

    JobsHighlighter *m_highlighter;
    QCompleter *m_completer;
    QStandardItemModel *m_completions;
    QList<JobEntry> m_jobs;
    QStringList m_history; // newest first
    int m_historyPos = -1; // -1: the draft
    QString m_draft;
};

} // namespace opsdeck
