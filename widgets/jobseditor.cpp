// SPDX-License-Identifier: GPL-3.0-or-later
#include "jobseditor.h"

#include <QAbstractItemView>
#include <QCompleter>
#include <QFontDatabase>
#include <QKeyEvent>
#include <QScrollBar>
#include <QStandardItemModel>
#include <QTextBlock>

namespace opsdeck {

namespace {

constexpr int InsertRole = Qt::UserRole + 1;
constexpr int MinPrefix = 2;

bool isWordChar(QChar c)
{
    return c.isLetterOrNumber() || c == QLatin1Char('_');
}

bool isHex(const QString &word)
{
    if (word.size() != 32)
        return false;
    for (QChar c : word) {
        if (!((c >= QLatin1Char('0') && c <= QLatin1Char('9')) ||
              (c >= QLatin1Char('a') && c <= QLatin1Char('f')) ||
              (c >= QLatin1Char('A') && c <= QLatin1Char('F'))))
            return false;
    }
    return true;
}

QTextCharFormat makeFormat(const QColor &color, bool bold = false, bool italic = false)
{
    QTextCharFormat f;
    f.setForeground(color);
    if (bold)
        f.setFontWeight(QFont::Bold);
    f.setFontItalic(italic);
    return f;
}

} // namespace

JobsHighlighter::JobsHighlighter(QTextDocument *document)
    : QSyntaxHighlighter(document)
    , m_keyword(makeFormat(QColor(0x1f, 0x4e, 0xa6), true))
    , m_string(makeFormat(QColor(0x2e, 0x7d, 0x32)))
    , m_jobId(makeFormat(QColor(0x8e, 0x24, 0xaa)))
    , m_comment(makeFormat(QColor(0x75, 0x75, 0x75), false, true))
{}

const QStringList &JobsHighlighter::keywords()
{
    static const QStringList words = {
        QStringLiteral("SHOW"),     QStringLiteral("JOBS"),      QStringLiteral("JOB"),
        QStringLiteral("DESCRIBE"), QStringLiteral("DESC"),      QStringLiteral("STOP"),
        QStringLiteral("WITH"),     QStringLiteral("SAVEPOINT"), QStringLiteral("SAVEPOINTS"),
        QStringLiteral("DRAIN"),    QStringLiteral("CREATE"),    QStringLiteral("FOR"),
        QStringLiteral("TO"),       QStringLiteral("FORMAT"),    QStringLiteral("CANONICAL"),
        QStringLiteral("NATIVE"),   QStringLiteral("DROP"),
    };
    return words;
}

QList<JobsHighlighter::Span> JobsHighlighter::spans(const QString &line)
{
    QList<Span> out;
    const int n = int(line.size());
    int i = 0;
    while (i < n) {
        const QChar c = line.at(i);
        if (c == QLatin1Char('-') && i + 1 < n && line.at(i + 1) == QLatin1Char('-')) {
            out.append(Span{i, n - i, Token::Comment});
            break;
        }
        if (c == QLatin1Char('\'')) {
            int j = i + 1;
            while (j < n) {
                if (line.at(j) == QLatin1Char('\'')) {
                    if (j + 1 < n && line.at(j + 1) == QLatin1Char('\'')) {
                        j += 2;
                        continue;
                    }
                    ++j;
                    break;
                }
                ++j;
            }
            // A quoted id is still an id.
            const QString inner = line.mid(i + 1, j - i - 2);
            out.append(Span{i, j - i, isHex(inner) ? Token::JobId : Token::String});
            i = j;
            continue;
        }
        if (isWordChar(c)) {
            int j = i;
            while (j < n && isWordChar(line.at(j)))
                ++j;
            const QString word = line.mid(i, j - i);
            if (isHex(word))
                out.append(Span{i, j - i, Token::JobId});
            else if (keywords().contains(word, Qt::CaseInsensitive))
                out.append(Span{i, j - i, Token::Keyword});
            i = j;
            continue;
        }
        ++i;
    }
    return out;
}

void JobsHighlighter::highlightBlock(const QString &text)
{
    const auto list = spans(text);
    for (const Span &s : list) {
        switch (s.token) {
        case Token::Keyword:
            setFormat(s.start, s.length, m_keyword);
            break;
        case Token::String:
            setFormat(s.start, s.length, m_string);
            break;
        case Token::JobId:
            setFormat(s.start, s.length, m_jobId);
            break;
        case Token::Comment:
            setFormat(s.start, s.length, m_comment);
            break;
        }
    }
}

JobsEditor::JobsEditor(QWidget *parent)
    : QPlainTextEdit(parent)
    , m_highlighter(new JobsHighlighter(document()))
    , m_completer(new QCompleter(this))
    , m_completions(new QStandardItemModel(this))
{
    setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    setTabChangesFocus(true);
    setLineWrapMode(QPlainTextEdit::NoWrap);
    setPlaceholderText(tr("SHOW JOBS   — Ctrl+Enter runs; Up/Down recall earlier statements"));

    m_completer->setModel(m_completions);
    m_completer->setWidget(this);
    m_completer->setCompletionMode(QCompleter::PopupCompletion);
    m_completer->setCaseSensitivity(Qt::CaseInsensitive);
    m_completer->setModelSorting(QCompleter::UnsortedModel);
    m_completer->setFilterMode(Qt::MatchStartsWith);
    m_completer->setMaxVisibleItems(12);
    connect(m_completer, qOverload<const QModelIndex &>(&QCompleter::activated), this,
            &JobsEditor::insertCompletion);
    updateCompletions();
}

void JobsEditor::setHistory(const QStringList &newestFirst)
{
    m_history = newestFirst;
    m_historyPos = -1;
    m_draft.clear();
}

void JobsEditor::addToHistory(const QString &statement)
{
    if (statement.isEmpty())
        return;
    if (m_history.isEmpty() || m_history.first() != statement)
        m_history.prepend(statement);
    m_historyPos = -1;
    m_draft.clear();
}

void JobsEditor::setJobs(const QList<JobEntry> &jobs)
{
    m_jobs = jobs;
    updateCompletions();
}

QStringList JobsEditor::completionEntries() const
{
    QStringList out;
    for (int r = 0; r < m_completions->rowCount(); ++r) {
        const QModelIndex i = m_completions->index(r, 0);
        out << i.data().toString() + QStringLiteral(" -> ") + i.data(InsertRole).toString();
    }
    return out;
}

void JobsEditor::updateCompletions()
{
    m_completions->clear();
    auto add = [this](const QString &display, const QString &insert, const QString &tip) {
        auto *item = new QStandardItem(display);
        item->setData(insert, InsertRole);
        if (!tip.isEmpty())
            item->setToolTip(tip);
        item->setEditable(false);
        m_completions->appendRow(item);
    };
    for (const QString &k : JobsHighlighter::keywords())
        add(k, k, {});
    for (const JobEntry &job : std::as_const(m_jobs))
        add(job.id, job.id, job.name);
    for (const JobEntry &job : std::as_const(m_jobs)) {
        if (!job.name.isEmpty())
            add(QStringLiteral("%1 — %2").arg(job.name, job.id), job.id, tr("inserts the job id"));
    }
}

QString JobsEditor::wordBeforeCursor() const
{
    const QTextCursor cursor = textCursor();
    const QString text = cursor.block().text();
    int end = cursor.positionInBlock();
    int start = end;
    while (start > 0 && (isWordChar(text.at(start - 1)) || text.at(start - 1) == QLatin1Char('-') ||
                         text.at(start - 1) == QLatin1Char('.')))
        --start;
    // `--` begins a comment, not a word.
    QString word = text.mid(start, end - start);
    while (word.startsWith(QLatin1Char('-')) || word.startsWith(QLatin1Char('.')))
        word.remove(0, 1);
    return word;
}

void JobsEditor::showCompleter(bool force)
{
    const QString prefix = wordBeforeCursor();
    if (!force && prefix.size() < MinPrefix) {
        m_completer->popup()->hide();
        return;
    }
    if (prefix != m_completer->completionPrefix())
        m_completer->setCompletionPrefix(prefix);
    if (m_completer->completionCount() == 0 ||
        (m_completer->completionCount() == 1 &&
         m_completer->currentCompletion().compare(prefix, Qt::CaseInsensitive) == 0 && !force)) {
        m_completer->popup()->hide();
        return;
    }
    m_completer->popup()->setCurrentIndex(m_completer->completionModel()->index(0, 0));
    QRect rect = cursorRect();
    rect.setWidth(m_completer->popup()->sizeHintForColumn(0) +
                  m_completer->popup()->verticalScrollBar()->sizeHint().width());
    m_completer->complete(rect);
}

void JobsEditor::insertCompletion(const QModelIndex &index)
{
    const QString insert = index.data(InsertRole).toString();
    if (insert.isEmpty())
        return;
    QTextCursor cursor = textCursor();
    const int prefix = int(wordBeforeCursor().size());
    cursor.movePosition(QTextCursor::Left, QTextCursor::KeepAnchor, prefix);
    cursor.insertText(insert);
    setTextCursor(cursor);
}

void JobsEditor::moveCursorTo(int line, int column)
{
    const QTextBlock block = document()->findBlockByNumber(std::max(0, line - 1));
    if (!block.isValid())
        return;
    QTextCursor cursor(block);
    cursor.movePosition(QTextCursor::Right, QTextCursor::MoveAnchor,
                        std::clamp(column - 1, 0, int(block.length()) - 1));
    setTextCursor(cursor);
    ensureCursorVisible();
}

void JobsEditor::historyStep(int delta)
{
    const int next = m_historyPos + delta;
    if (next < -1 || next >= m_history.size())
        return;
    if (m_historyPos == -1)
        m_draft = toPlainText();
    m_historyPos = next;
    setPlainText(next == -1 ? m_draft : m_history.at(next));
    moveCursor(QTextCursor::End);
}

void JobsEditor::keyPressEvent(QKeyEvent *event)
{
    const bool popup = m_completer->popup()->isVisible();
    const int key = event->key();
    const bool enter = key == Qt::Key_Return || key == Qt::Key_Enter;
    const Qt::KeyboardModifiers mods =
        event->modifiers() & ~(Qt::KeypadModifier | Qt::ShiftModifier);
    if (enter && mods == Qt::ControlModifier) {
        m_completer->popup()->hide();
        emit runRequested();
        return;
    }
    if (popup && (enter || key == Qt::Key_Escape || key == Qt::Key_Tab || key == Qt::Key_Backtab)) {
        event->ignore(); // the completer takes it
        return;
    }
    if (key == Qt::Key_Space && mods == Qt::ControlModifier) {
        showCompleter(true);
        return;
    }
    if (!popup && mods == Qt::NoModifier && !(event->modifiers() & Qt::ShiftModifier)) {
        const QTextCursor cursor = textCursor();
        if (key == Qt::Key_Up && cursor.block() == document()->firstBlock()) {
            historyStep(+1);
            return;
        }
        if (key == Qt::Key_Down && cursor.block() == document()->lastBlock()) {
            historyStep(-1);
            return;
        }
    }
    QPlainTextEdit::keyPressEvent(event);
    const QString typed = event->text();
    if (!typed.isEmpty() && isWordChar(typed.at(0)) && mods == Qt::NoModifier)
        showCompleter(false);
    else if (popup && (typed.isEmpty() || !isWordChar(typed.at(0))) && key != Qt::Key_Backspace)
        m_completer->popup()->hide();
    else if (popup && key == Qt::Key_Backspace)
        showCompleter(false);
}

void JobsEditor::focusInEvent(QFocusEvent *event)
{
    m_completer->setWidget(this);
    QPlainTextEdit::focusInEvent(event);
}

} // namespace opsdeck
