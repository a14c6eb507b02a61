// SPDX-License-Identifier: GPL-3.0-or-later
// The job statement parser (core/jobs/statement.h). Invariants: a script either parses or gives a
// positioned ParseError; every parsed statement's canonical text and its source text parse back
// to the same statement, the canonical form is a fixed point, and all statements joined again
// form a script with the same statements.
#include "fuzzcheck.h"
#include "jobs/statement.h"

using namespace opsdeck;
using namespace opsdeck::jobs;

namespace {

bool isLowerHex32(const QString &id)
{
    if (id.size() != 32)
        return false;
    for (const QChar c : id)
        if (!((c >= u'0' && c <= u'9') || (c >= u'a' && c <= u'f')))
            return false;
    return true;
}

// Everything but the position and the text as written.
bool sameMeaning(const Statement &a, const Statement &b)
{
    return a.kind == b.kind && a.jobId == b.jobId && a.withSavepoint == b.withSavepoint &&
           a.withDrain == b.withDrain && a.targetDirectory == b.targetDirectory &&
           a.format == b.format && a.savepointPath == b.savepointPath;
}

Statement parseOne(const QString &text)
{
    ParseError detail;
    const auto parsed = parseScript(text, &detail);
    if (!parsed.ok()) {
        std::fprintf(stderr, "does not parse again: %s\n  %s\n", qUtf8Printable(text),
                     qUtf8Printable(detail.message()));
        fuzz::fail("the text of a parsed statement parses", __FILE__, __LINE__);
    }
    FUZZ_CHECK(parsed->size() == 1);
    return parsed->first();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QString script = fuzz::utf8(data, size);
    ParseError detail;
    const auto parsed = parseScript(script, &detail);
    if (!parsed.ok()) {
        FUZZ_CHECK(parsed.error().code == ErrorCode::Parse);
        FUZZ_CHECK(parsed.error().message == detail.message());
        FUZZ_CHECK(detail.line >= 1);
        FUZZ_CHECK(detail.column >= 1);
        FUZZ_CHECK(!detail.expected.isEmpty());
        FUZZ_CHECK(detail.caret.contains(u'\n'));
        FUZZ_CHECK(detail.caret.endsWith(u'^'));
        return 0;
    }

    QStringList canonical;
    for (const Statement &s : *parsed) {
        FUZZ_CHECK(s.line >= 1 && s.column >= 1);
        FUZZ_CHECK(!s.sourceText.isEmpty());
        FUZZ_CHECK(script.contains(s.sourceText));
        FUZZ_CHECK(!s.withDrain || s.withSavepoint);
        FUZZ_CHECK(s.withSavepoint == false || s.kind == StatementKind::StopJob);
        FUZZ_CHECK(!s.targetDirectory.has_value() || s.kind == StatementKind::CreateSavepoint);
        FUZZ_CHECK(!s.format.has_value() || s.kind == StatementKind::CreateSavepoint);
        if (s.kind == StatementKind::ShowJobs || s.kind == StatementKind::DropSavepoint)
            FUZZ_CHECK(s.jobId.isEmpty());
        else
            FUZZ_CHECK(isLowerHex32(s.jobId));
        FUZZ_CHECK(s.isMutating() ==
                   (s.kind == StatementKind::StopJob || s.kind == StatementKind::CreateSavepoint ||
                    s.kind == StatementKind::DropSavepoint));

        const QString text = s.canonicalText();
        const Statement again = parseOne(text);
        FUZZ_CHECK(sameMeaning(s, again));
        FUZZ_CHECK(again.line == 1 && again.column == 1);
        FUZZ_CHECK(again.sourceText == text);
        FUZZ_CHECK(again.canonicalText() == text);
        FUZZ_CHECK(sameMeaning(s, parseOne(s.sourceText)));
        canonical << text;
    }

    const auto joined = parseScript(canonical.join(QStringLiteral(";\n")) + u';');
    FUZZ_CHECK(joined.ok());
    FUZZ_CHECK(joined->size() == parsed->size());
    for (qsizetype i = 0; i < joined->size(); ++i) {
        FUZZ_CHECK(sameMeaning(joined->at(i), parsed->at(i)));
        FUZZ_CHECK(joined->at(i).line == static_cast<int>(i) + 1);
    }
    return 0;
}
