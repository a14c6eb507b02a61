// SPDX-License-Identifier: GPL-3.0-or-later
// The monitoring formats of `opsdeck check`: the Nagios line parsed back with the
// monitoring-plugins grammar, the Prometheus exposition checked by promtool, the JSON shape, the
// state order, and the atomic write a textfile collector relies on.

#include "health/healthreport.h"
#include "testmain.h"

#include <QJsonArray>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>

using namespace opsdeck;
using namespace opsdeck::health;

namespace {

HealthReport sampleReport()
{
    HealthReport r;
    r.profile = QStringLiteral("prod");
    r.startedAt = QDateTime(QDate(2026, 12, 5), QTime(12, 0), Qt::UTC);
    r.durationMs = 420;
    for (const QString &m : moduleNames())
        r.modules << ModuleResult{m, true, true, State::Ok, m + QStringLiteral(" fine")};
    r.module(QStringLiteral("fleet"))->state = State::Warning;
    r.module(QStringLiteral("fleet"))->summary =
        QStringLiteral("4 of 6 nodes serve the new certificate");
    r.items << CheckItem{QStringLiteral("fleet"),
                         QStringLiteral("fleet_node"),
                         QStringLiteral("10.0.0.5:8983_solr"),
                         State::Warning,
                         QStringLiteral("serves abc | def"),
                         {}};
    r.items << CheckItem{QStringLiteral("certs"),    QStringLiteral("bundle_verdict"),
                         QStringLiteral("/etc/tls"), State::Ok,
                         QStringLiteral("ok"),       {}};
    r.perfdata.insert(QStringLiteral("cert_days_left_min"), 12);
    r.perfdata.insert(QStringLiteral("_warn_days"), 30);
    r.perfdata.insert(QStringLiteral("_crit_days"), 7);
    r.perfdata.insert(QStringLiteral("nodes_live"), 6);
    r.perfdata.insert(QStringLiteral("check_duration"), 0.42);
    r.perfdata.insert(QStringLiteral("fleet matching"), 4);
    r.samples << Sample{QStringLiteral("opsdeck_check_status"),
                        {{QStringLiteral("module"), QStringLiteral("fleet")}},
                        1};
    r.samples << Sample{QStringLiteral("opsdeck_check_status"),
                        {{QStringLiteral("module"), QStringLiteral("certs")}},
                        0};
    r.samples << Sample{QStringLiteral("opsdeck_fleet_served_matches_disk"),
                        {{QStringLiteral("node"), QStringLiteral("10.0.0.5:8983_solr")},
                         {QStringLiteral("endpoint"), QStringLiteral("10.0.0.5:8983")}},
                        0};
    r.samples << Sample{QStringLiteral("opsdeck_certificate_not_after_seconds"),
                        {{QStringLiteral("bundle"), QStringLiteral("/etc/tls \"prod\"\\x\ny")},
                         {QStringLiteral("subject"), QStringLiteral("CN=a,O=b")}},
                        1.8e9};
    r.samples << Sample{QStringLiteral("opsdeck_check_duration_seconds"), {}, 0.42};
    return r;
}

// One perfdata item per the monitoring-plugins guidelines:
// 'label'=value[UOM];[warn];[crit];[min];[max]
struct Perf
{
    QString label;
    double value = 0;
    QString uom;
    QStringList rest;
};

QList<Perf> parsePerfdata(const QString &text)
{
    QList<Perf> out;
    static const QRegularExpression item(
        QStringLiteral("\\s*('(?:[^']|'')+'|[^'= ]+)=(-?[0-9.]+)([a-zA-Z%]*)((?:;[^; ]*){0,4})"));
    int pos = 0;
    while (pos < text.size()) {
        const auto m = item.match(text, pos, QRegularExpression::NormalMatch,
                                  QRegularExpression::AnchorAtOffsetMatchOption);
        if (!m.hasMatch())
            break;
        Perf p;
        p.label = m.captured(1);
        if (p.label.startsWith(QLatin1Char('\'')))
            p.label = p.label.mid(1, p.label.size() - 2)
                          .replace(QStringLiteral("''"), QStringLiteral("'"));
        p.value = m.captured(2).toDouble();
        p.uom = m.captured(3);
        p.rest = m.captured(4).split(QLatin1Char(';'));
        p.rest.removeFirst();
        out << p;
        pos = int(m.capturedEnd());
    }
    if (pos < text.trimmed().size() + (text.size() - text.trimmed().size()))
        out << Perf{QStringLiteral("<unparsed:%1>").arg(text.mid(pos)), 0, {}, {}};
    return out;
}

} // namespace

class TestHealthReport : public QObject
{
    Q_OBJECT

private slots:
    void stateOrderAndExitCodes()
    {
        QCOMPARE(worse(State::Ok, State::Warning), State::Warning);
        QCOMPARE(worse(State::Warning, State::Unknown), State::Unknown);
        QCOMPARE(worse(State::Unknown, State::Critical), State::Critical);
        QCOMPARE(worse(State::Critical, State::Unknown), State::Critical);
        QCOMPARE(exitCode(State::Unknown), 3);
        HealthReport r = sampleReport();
        QCOMPARE(r.overall(), State::Warning);
        r.module(QStringLiteral("jobs"))->state = State::Unknown;
        QCOMPARE(r.overall(), State::Unknown);
        r.module(QStringLiteral("roles"))->state = State::Critical;
        QCOMPARE(r.overall(), State::Critical);
        // A module that did not run never counts; nothing ran at all is UNKNOWN.
        r.module(QStringLiteral("roles"))->ran = false;
        QCOMPARE(r.overall(), State::Unknown);
        for (ModuleResult &m : r.modules)
            m.ran = false;
        QCOMPARE(r.overall(), State::Unknown);
    }

    void nagiosLineParsesBack()
    {
        const QString text = toNagios(sampleReport());
        const QStringList lines = text.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QVERIFY(lines.size() >= 3);
        static const QRegularExpression first(
            QStringLiteral("^OPSDECK (OK|WARNING|CRITICAL|UNKNOWN) - ([^|]*) \\| (.*)$"));
        const auto m = first.match(lines.first());
        QVERIFY2(m.hasMatch(), qPrintable(lines.first()));
        QCOMPARE(m.captured(1), QStringLiteral("WARNING"));
        QVERIFY(m.captured(2).contains(
            QStringLiteral("fleet WARNING (4 of 6 nodes serve the new certificate)")));
        QVERIFY(m.captured(2).contains(QStringLiteral("certs OK")));

        const QList<Perf> perf = parsePerfdata(m.captured(3));
        QMap<QString, Perf> byLabel;
        for (const Perf &p : perf)
            byLabel.insert(p.label, p);
        QVERIFY2(!byLabel.contains(QStringLiteral("_warn_days")), "internal keys leak");
        for (const Perf &p : perf)
            QVERIFY2(!p.label.startsWith(QLatin1String("<unparsed")), qPrintable(p.label));
        QCOMPARE(byLabel.value(QStringLiteral("nodes_live")).value, 6.0);
        // Days left: WARNING below 30, CRITICAL below 7 in range syntax ("30:" alerts under 30).
        const Perf days = byLabel.value(QStringLiteral("cert_days_left_min"));
        QCOMPARE(days.value, 12.0);
        QCOMPARE(days.rest.value(0), QStringLiteral("30:"));
        QCOMPARE(days.rest.value(1), QStringLiteral("7:"));
        QCOMPARE(byLabel.value(QStringLiteral("check_duration")).uom, QStringLiteral("s"));
        QCOMPARE(byLabel.value(QStringLiteral("check_duration")).value, 0.42);
        // A label with a space is quoted and survives.
        QVERIFY(byLabel.contains(QStringLiteral("fleet matching")));
        QVERIFY(m.captured(3).contains(QStringLiteral("'fleet matching'=4")));

        // Long output: worst first; a '|' inside a message would start perfdata, so it is gone.
        QVERIFY(
            lines.at(1).startsWith(QStringLiteral("WARNING fleet fleet_node 10.0.0.5:8983_solr")));
        for (int i = 1; i < lines.size(); ++i)
            QVERIFY2(!lines.at(i).contains(QLatin1Char('|')), qPrintable(lines.at(i)));
    }

    void jsonShape()
    {
        const QJsonObject o = toJson(sampleReport());
        QCOMPARE(o.value(QStringLiteral("command")).toString(), QStringLiteral("check"));
        QCOMPARE(o.value(QStringLiteral("state")).toString(), QStringLiteral("WARNING"));
        QCOMPARE(o.value(QStringLiteral("exit_code")).toInt(), 1);
        QCOMPARE(o.value(QStringLiteral("started_at")).toString(),
                 QStringLiteral("2026-12-05T12:00:00.000Z"));
        QCOMPARE(o.value(QStringLiteral("modules")).toArray().size(), 4);
        QVERIFY(o.value(QStringLiteral("fleet")).isNull());
        const QJsonObject metrics = o.value(QStringLiteral("metrics")).toObject();
        QCOMPARE(metrics.value(QStringLiteral("nodes_live")).toDouble(), 6.0);
        QVERIFY(!metrics.contains(QStringLiteral("_crit_days")));
        const QJsonObject check = o.value(QStringLiteral("checks")).toArray().first().toObject();
        for (const char *key : {"module", "code", "subject", "state", "message", "detail"})
            QVERIFY2(check.contains(QLatin1String(key)), key);
    }

    void prometheusExposition()
    {
        const QString text = QString::fromUtf8(toPrometheus(sampleReport()));
        QCOMPARE(text.count(QStringLiteral("# TYPE opsdeck_check_status gauge")), 1);
        QCOMPARE(text.count(QStringLiteral("# HELP opsdeck_check_status ")), 1);
        // Label values escaped: backslash, quote and newline.
        QVERIFY2(text.contains(QStringLiteral("bundle=\"/etc/tls \\\"prod\\\"\\\\x\\ny\"")),
                 qPrintable(text));
        // Families sorted, samples of a family together and sorted by labels.
        QVERIFY(text.indexOf(QStringLiteral("module=\"certs\"")) <
                text.indexOf(QStringLiteral("module=\"fleet\"")));
        QVERIFY(text.indexOf(QStringLiteral("opsdeck_certificate_not_after_seconds{")) <
                text.indexOf(QStringLiteral("opsdeck_check_status{")));
        QVERIFY(text.contains(QStringLiteral("opsdeck_certificate_not_after_seconds{bundle=")));
        QVERIFY(text.contains(QStringLiteral("} 1800000000\n")));
        QVERIFY(text.endsWith(QLatin1Char('\n')));
        // A duplicate series would make the scrape fail: it is written once.
        HealthReport dup = sampleReport();
        dup.samples << dup.samples.first();
        QCOMPARE(QString::fromUtf8(toPrometheus(dup))
                     .count(QStringLiteral("opsdeck_check_status{module=\"fleet\"}")),
                 1);
    }

    void promtoolAcceptsIt()
    {
        const QString promtool = QStandardPaths::findExecutable(QStringLiteral("promtool"));
        QVERIFY2(!promtool.isEmpty(), "promtool (Debian package prometheus) is not installed; "
                                      "./opsdeck.sh deps installs it");
        QProcess p;
        p.start(promtool, {QStringLiteral("check"), QStringLiteral("metrics")});
        QVERIFY(p.waitForStarted());
        p.write(toPrometheus(sampleReport()));
        p.closeWriteChannel();
        QVERIFY(p.waitForFinished(20000));
        QVERIFY2(p.exitCode() == 0, qPrintable(QString::fromUtf8(p.readAllStandardOutput() +
                                                                 p.readAllStandardError())));

        // And promtool does catch what we must never write (the check itself is not vacuous).
        QProcess bad;
        bad.start(promtool, {QStringLiteral("check"), QStringLiteral("metrics")});
        QVERIFY(bad.waitForStarted());
        bad.write("# HELP opsdeck_x_total x\n# TYPE opsdeck_x_total gauge\nopsdeck_x_total 1\n");
        bad.closeWriteChannel();
        QVERIFY(bad.waitForFinished(20000));
        QVERIFY(bad.exitCode() != 0);
    }

    void atomicWriteReplacesWholeFiles()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("opsdeck.prom"));
        QVERIFY(writeFileAtomically(path, QByteArrayLiteral("old 1\n")).ok());
        QFile reader(path);
        QVERIFY(reader.open(QIODevice::ReadOnly));
        QVERIFY(writeFileAtomically(path, QByteArray(64 * 1024, 'n')).ok());
        // A reader that opened the old file still sees all of it: the new one was renamed in,
        // never written over the old bytes.
        QCOMPARE(reader.readAll(), QByteArrayLiteral("old 1\n"));
        QFile fresh(path);
        QVERIFY(fresh.open(QIODevice::ReadOnly));
        QCOMPARE(fresh.readAll().size(), 64 * 1024);
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden),
                 QStringList{QStringLiteral("opsdeck.prom")});
        QCOMPARE(QFileInfo(path).permissions() & (QFile::ReadOther | QFile::WriteOther),
                 QFile::ReadOther);

        const auto failed =
            writeFileAtomically(dir.filePath(QStringLiteral("missing/x.prom")), "x");
        QVERIFY(!failed.ok());
        QVERIFY(failed.error().toString().contains(QStringLiteral("missing/x.prom")));
    }
};

OPSDECK_TEST_GUILESS_MAIN(TestHealthReport)
#include "tst_healthreport.moc"
