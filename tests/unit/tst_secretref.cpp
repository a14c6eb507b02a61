// SPDX-License-Identifier: GPL-3.0-or-later
#include "common/secretref.h"
#include "testmain.h"

#include <QTemporaryDir>
#include <unistd.h>

using namespace opsdeck;

class TestSecretRef : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void wipeBytes_zeroesTheOnlyCopyInPlace()
    {
        QByteArray secret("-----BEGIN PRIVATE KEY-----MIGHAgEAMBMG");
        secret.detach();
        const char *storage = secret.constData();
        const qsizetype size = secret.size();
        opsdeck::wipeBytes(secret);
        // Same buffer (no detach, no reallocation), every byte zero.
        QCOMPARE(secret.constData(), storage);
        QCOMPARE(secret, QByteArray(size, '\0'));
    }

    void wipeBytes_leavesASharedCopyToItsLastHolder()
    {
        QByteArray holder("hunter2-password");
        QByteArray mine = holder; // shared
        opsdeck::wipeBytes(mine);
        QVERIFY(mine.isEmpty());
        QCOMPARE(holder, QByteArrayLiteral("hunter2-password"));
        // Read-only literal data is never written to.
        QByteArray literal = QByteArrayLiteral("static-secret");
        opsdeck::wipeBytes(literal);
        QVERIFY(literal.isEmpty());
        QByteArray empty;
        opsdeck::wipeBytes(empty);
        QVERIFY(empty.isEmpty());
    }

    void parse_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<int>("kind");
        QTest::addColumn<QString>("display");
        QTest::addRow("empty") << QString() << int(SecretRef::Kind::None) << QString();
        QTest::addRow("env") << QStringLiteral("env:TOKEN") << int(SecretRef::Kind::Env)
                             << QStringLiteral("env:TOKEN");
        QTest::addRow("file") << QStringLiteral("file:/run/secrets/zk")
                              << int(SecretRef::Kind::File)
                              << QStringLiteral("file:/run/secrets/zk");
        QTest::addRow("inline") << QStringLiteral("hunter2") << int(SecretRef::Kind::Inline)
                                << QStringLiteral("(inline secret)");
        QTest::addRow("bare env: prefix is inline")
            << QStringLiteral("env:") << int(SecretRef::Kind::Inline)
            << QStringLiteral("(inline secret)");
    }
    void parse()
    {
        QFETCH(QString, text);
        QFETCH(int, kind);
        QFETCH(QString, display);
        const SecretRef ref = SecretRef::parse(text);
        QCOMPARE(int(ref.kind()), kind);
        QCOMPARE(ref.displayString(), display);
        QCOMPARE(ref.storedForm(), text);
    }
    void resolve_env()
    {
        qputenv("OPSDECK_TEST_SECRET", "s3cr3t-canary");
        const auto v = SecretRef::fromEnv(QStringLiteral("OPSDECK_TEST_SECRET")).resolve();
        QVERIFY(v.ok());
        QCOMPARE(v.value(), QByteArray("s3cr3t-canary"));
    }
    void resolve_missingEnvNamesTheVariable()
    {
        qunsetenv("OPSDECK_NOT_SET_ANYWHERE");
        const auto v = SecretRef::fromEnv(QStringLiteral("OPSDECK_NOT_SET_ANYWHERE")).resolve();
        QVERIFY(!v);
        QCOMPARE(v.error().code, ErrorCode::NotFound);
        QVERIFY(v.error().toString().contains(QStringLiteral("OPSDECK_NOT_SET_ANYWHERE")));
    }
    void resolve_fileDropsTrailingNewline()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("pw"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("canary-pass\n");
        f.close();
        const auto v = SecretRef::fromFile(path).resolve();
        QVERIFY(v.ok());
        QCOMPARE(v.value(), QByteArray("canary-pass"));
    }
    void resolve_fileErrorsNeverContainTheSecret()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("pw"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("canary-unreadable");
        f.close();
        QFile::setPermissions(path, QFileDevice::Permissions());
        const auto v = SecretRef::fromFile(path).resolve();
        if (::geteuid() == 0)
            QSKIP("root reads files regardless of permissions");
        QVERIFY(!v);
        QCOMPARE(v.error().code, ErrorCode::PermissionDenied);
        QVERIFY(v.error().toString().contains(path));
        QVERIFY(!v.error().toString().contains(QStringLiteral("canary")));
    }
    void resolve_missingFileAndDirectory()
    {
        QTemporaryDir dir;
        auto missing = SecretRef::fromFile(dir.filePath(QStringLiteral("nope"))).resolve();
        QVERIFY(!missing);
        QCOMPARE(missing.error().code, ErrorCode::NotFound);
        auto directory = SecretRef::fromFile(dir.path()).resolve();
        QVERIFY(!directory);
        QCOMPARE(directory.error().code, ErrorCode::InvalidArgument);
    }
};

OPSDECK_TEST_GUILESS_MAIN(TestSecretRef)
#include "tst_secretref.moc"
