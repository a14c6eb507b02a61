// SPDX-License-Identifier: GPL-3.0-or-later
// A process in which OpenSSL's legacy provider cannot be loaded (OPENSSL_MODULES points nowhere):
// a legacy PKCS#12 (RC2-40 certificate safe) must give unsupported_algorithm with a clear detail,
// while a wrong password is still bad_password and modern stores still read.

#include "testmain.h"
#include "tls/inspector.h"
#include "tlsfixture.h"

using namespace opsdeck::tls;
using opsdeck::tls::testing::Pki;

class TlsLegacyMissingTest : public QObject
{
    Q_OBJECT

private:
    Pki m_pki;

    static InspectOptions password(const QByteArray &pw)
    {
        InspectOptions o;
        o.havePassword = true;
        o.storePassword = pw;
        return o;
    }

private slots:
    void initTestCase()
    {
        Pki &p = m_pki;
        QVERIFY(p.isValid());
        const QStringList common = {QStringLiteral("-in"),      p.path(QStringLiteral("leaf.crt")),
                                    QStringLiteral("-inkey"),   p.path(QStringLiteral("leaf.key")),
                                    QStringLiteral("-passout"), QStringLiteral("pass:secret")};
        QVERIFY2(p.key(QStringLiteral("leaf.key"), QStringLiteral("ec:P-256")) &&
                     p.root(QStringLiteral("leaf.crt"), QStringLiteral("leaf.key"),
                            QStringLiteral("legacy test")) &&
                     p.openssl(QStringList{QStringLiteral("pkcs12"), QStringLiteral("-export"),
                                           QStringLiteral("-legacy"), QStringLiteral("-out"),
                                           p.path(QStringLiteral("legacy.p12"))} +
                               common) &&
                     p.openssl(QStringList{QStringLiteral("pkcs12"), QStringLiteral("-export"),
                                           QStringLiteral("-out"),
                                           p.path(QStringLiteral("modern.p12"))} +
                               common),
                 qPrintable(p.lastError()));
        // Before the first inspection call: the providers are loaded once, on first use.
        qputenv("OPENSSL_MODULES", "/nonexistent/ossl-modules");
    }

    void legacyStoreIsUnsupported()
    {
        QVERIFY(!legacyProviderAvailable());
        const FileInspection f =
            inspectFile(m_pki.path(QStringLiteral("legacy.p12")), password("secret"));
        QCOMPARE(problemCode(f.problem), problemCode(Problem::UnsupportedAlgorithm));
        QVERIFY2(f.problemDetail.contains(QStringLiteral("legacy provider")),
                 qPrintable(f.problemDetail));
        QVERIFY2(f.problemDetail.contains(QStringLiteral("RC2")), qPrintable(f.problemDetail));
    }

    void wrongPasswordIsStillBadPassword()
    {
        const FileInspection f =
            inspectFile(m_pki.path(QStringLiteral("legacy.p12")), password("not-it"));
        QCOMPARE(problemCode(f.problem), problemCode(Problem::BadPassword));
    }

    void modernStoreStillReads()
    {
        const FileInspection f =
            inspectFile(m_pki.path(QStringLiteral("modern.p12")), password("secret"));
        QCOMPARE(problemCode(f.problem), problemCode(Problem::None));
        QCOMPARE(f.certificates.size(), 1);
        QCOMPARE(f.keys.size(), 1);
    }
};

OPSDECK_TEST_GUILESS_MAIN(TlsLegacyMissingTest)
#include "tst_tlslegacymissing.moc"
