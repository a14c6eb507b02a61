// SPDX-License-Identifier: GPL-3.0-or-later
#include "common/result.h"
#include "testmain.h"

using namespace opsdeck;

namespace {
Result<int> parsePositive(int v)
{
    if (v <= 0)
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("must be positive"),
                         QStringLiteral("arg"));
    return v;
}
} // namespace

class TestResult : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void value_isAvailableOnSuccess()
    {
        const auto r = parsePositive(7);
        QVERIFY(r.ok());
        QCOMPARE(r.value(), 7);
        QCOMPARE(r.valueOr(1), 7);
    }
    void error_carriesCodeMessageAndPlace()
    {
        const auto r = parsePositive(-1);
        QVERIFY(!r);
        QCOMPARE(r.error().code, ErrorCode::InvalidArgument);
        QCOMPARE(r.error().toString(), QStringLiteral("arg: must be positive"));
        QCOMPARE(r.valueOr(42), 42);
        QCOMPARE(errorCodeName(r.error().code), QStringLiteral("invalid_argument"));
    }
    void voidResult_defaultsToSuccess()
    {
        Result<void> ok;
        QVERIFY(ok.ok());
        Result<void> failed = makeError(ErrorCode::Io, QStringLiteral("disk full"));
        QVERIFY(!failed);
        QCOMPARE(failed.error().toString(), QStringLiteral("disk full"));
    }
    void moveOnlyValues_areSupported()
    {
        Result<std::unique_ptr<int>> r(std::make_unique<int>(5));
        QVERIFY(r.ok());
        std::unique_ptr<int> p = std::move(r).value();
        QCOMPARE(*p, 5);
    }
};

OPSDECK_TEST_GUILESS_MAIN(TestResult)
#include "tst_result.moc"
