// SPDX-License-Identifier: GPL-3.0-or-later
// Pure unit tests of the probe's values: names, the disk comparison, the JSON shape.

#include "testmain.h"
#include "tls/endpointprobe.h"

using namespace opsdeck::tls;

namespace {

CertificateInfo cert(const QString &sha, const QDateTime &notBefore)
{
    CertificateInfo c;
    c.sha256 = sha;
    c.notBefore = notBefore;
    c.notAfter = notBefore.addDays(90);
    c.subject = QStringLiteral("CN=x");
    return c;
}

ProbeResult served(const CertificateInfo &leaf)
{
    ProbeResult r;
    r.endpoint = QStringLiteral("127.0.0.1:1");
    r.chain = {leaf};
    r.leafSha256 = leaf.sha256;
    return r;
}

} // namespace

class TestProbeUnit : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void names()
    {
        QCOMPARE(probeErrorKindName(ProbeErrorKind::None), QStringLiteral("none"));
        QCOMPARE(probeErrorKindName(ProbeErrorKind::Refused), QStringLiteral("refused"));
        QCOMPARE(probeErrorKindName(ProbeErrorKind::Timeout), QStringLiteral("timeout"));
        QCOMPARE(probeErrorKindName(ProbeErrorKind::Dns), QStringLiteral("dns"));
        QCOMPARE(probeErrorKindName(ProbeErrorKind::NotTls), QStringLiteral("not_tls"));
        QCOMPARE(probeErrorKindName(ProbeErrorKind::TlsHandshake), QStringLiteral("tls_handshake"));
        QCOMPARE(diskMatchName(DiskMatch::NotReloaded), QStringLiteral("not_reloaded"));
        ProbeRequest r;
        r.host = QStringLiteral("::1");
        r.port = 8443;
        QCOMPARE(r.endpoint(), QStringLiteral("[::1]:8443"));
        r.host = QStringLiteral("solr-1");
        QCOMPARE(r.endpoint(), QStringLiteral("solr-1:8443"));
    }

    void compareByFingerprint()
    {
        const QDateTime t = QDateTime(QDate(2026, 1, 1), QTime(0, 0), Qt::UTC);
        const ProbeResult r = served(cert(QStringLiteral("aa"), t));
        auto c = compareWithDisk(r, QStringLiteral("AA")); // case-insensitive
        QCOMPARE(c.match, DiskMatch::Matches);
        QCOMPARE(c.matchesDisk, std::optional<bool>(true));
        c = compareWithDisk(r, QStringLiteral("bb"));
        QCOMPARE(c.match, DiskMatch::Differs);
        QCOMPARE(c.matchesDisk, std::optional<bool>(false));
        QCOMPARE(c.message, QStringLiteral("served certificate differs from disk"));
        c = compareWithDisk(r, QString());
        QCOMPARE(c.match, DiskMatch::Unknown);
        QVERIFY(!c.matchesDisk.has_value());
    }

    void compareWithDirection()
    {
        const QDateTime t = QDateTime(QDate(2026, 1, 1), QTime(0, 0), Qt::UTC);
        const ProbeResult r = served(cert(QStringLiteral("aa"), t));
        // Disk moved on (newer notBefore), endpoint did not.
        auto c = compareWithDisk(r, cert(QStringLiteral("bb"), t.addDays(30)));
        QCOMPARE(c.match, DiskMatch::NotReloaded);
        QCOMPARE(c.matchesDisk, std::optional<bool>(false));
        QCOMPARE(c.message, QStringLiteral("rotated on disk, not reloaded by the service"));
        // The endpoint serves something newer than disk (e.g. HAProxy's in-memory update).
        c = compareWithDisk(r, cert(QStringLiteral("bb"), t.addDays(-30)));
        QCOMPARE(c.match, DiskMatch::Differs);
        QCOMPARE(c.message, QStringLiteral("served certificate differs from disk"));
        c = compareWithDisk(r, cert(QStringLiteral("aa"), t));
        QCOMPARE(c.match, DiskMatch::Matches);
    }

    void failedProbeComparesUnknown()
    {
        ProbeResult r;
        r.error = ProbeErrorKind::Refused;
        r.errorMessage = QStringLiteral("connection to 127.0.0.1:1 refused");
        const auto c = compareWithDisk(r, QStringLiteral("aa"));
        QCOMPARE(c.match, DiskMatch::Unknown);
        QVERIFY(!c.matchesDisk);
        QVERIFY(c.message.contains(QLatin1String("refused")));
    }

    void jsonShape()
    {
        const QDateTime t = QDateTime(QDate(2026, 1, 1), QTime(0, 0), Qt::UTC);
        ProbeResult r = served(cert(QStringLiteral("aa"), t));
        r.id = 7;
        r.protocol = QStringLiteral("TLSv1.3");
        r.verifyReason = QStringLiteral("no CA given");
        const QJsonObject o = r.toJson(t);
        for (const char *key : {"id", "endpoint", "server_name", "ok", "error", "protocol",
                                "cipher", "handshake_ms", "connect_ms", "leaf_sha256", "verified",
                                "verify_reason", "verify_errors", "chain", "probed_at"})
            QVERIFY2(o.contains(QLatin1String(key)), key);
        QCOMPARE(o.value(QStringLiteral("ok")).toBool(), true);
        QCOMPARE(o.value(QStringLiteral("verified")).toBool(), false);
        QCOMPARE(o.value(QStringLiteral("id")).toString(), QStringLiteral("7"));
        QVERIFY(!o.contains(QStringLiteral("error_message")));
    }
};

OPSDECK_TEST_GUILESS_MAIN(TestProbeUnit)
#include "tst_probe_unit.moc"
