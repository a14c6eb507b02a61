// SPDX-License-Identifier: GPL-3.0-or-later
// The Certificates and Reload events docks against the real BundleMonitorThread, with real
// certificates written at test time.
#include "activitylogmodel.h"
#include "activitylogpanel.h"
#include "certfactory.h"
#include "certificatesmodel.h"
#include "certificatespanel.h"
#include "certnotifier.h"
#include "common/activitylog.h"
#include "common/historystore.h"
#include "mainwindow.h"
#include "reloadeventsmodel.h"
#include "reloadeventspanel.h"
#include "screenshot.h"
#include "testmain.h"

#include <QAbstractButton>
#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QDockWidget>
#include <QFile>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QSslConfiguration>
#include <QSslKey>
#include <QSslServer>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QTextBrowser>
#include <QTreeView>
#include <cstdio>
#include <memory>

using namespace opsdeck;
using namespace opsdeck::test;
using Condition = CertNotifier::Condition;

namespace {

// Writes path.tmp and renames it over path, as deployment tools do. Keys are 0600.
bool replaceFile(const QString &path, const QByteArray &bytes)
{
    const QString tmp = path + QStringLiteral(".tmp");
    QFile f(tmp);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) || f.write(bytes) != bytes.size())
        return false;
    f.close();
    if (path.endsWith(QLatin1String(".key")) &&
        !f.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner))
        return false;
    return std::rename(QFile::encodeName(tmp).constData(), QFile::encodeName(path).constData()) ==
           0;
}

// A bundle directory: tls.crt (leaf + intermediate), tls.key, ca.crt (the root).
struct TestBundle
{
    QString dir;
    CertChain chain;

    bool write() const
    {
        return replaceFile(dir + QStringLiteral("/tls.key"), chain.leaf.keyPem) &&
               replaceFile(dir + QStringLiteral("/tls.crt"), chain.leaf.chainPem) &&
               replaceFile(dir + QStringLiteral("/ca.crt"), chain.root.certPem);
    }
    QString leafSha() const { return QString::fromLatin1(chain.leaf.sha256Hex); }
};

std::optional<TestBundle> makeBundle(const QString &dir, const CertSpec &leafSpec)
{
    auto chain = CertFactory::chain(leafSpec, 1);
    if (!chain) {
        qWarning("cert factory: %s", qPrintable(chain.error().toString()));
        return std::nullopt;
    }
    if (!QDir().mkpath(dir))
        return std::nullopt;
    TestBundle b{dir, chain.value()};
    if (!b.write())
        return std::nullopt;
    return b;
}

// A new leaf from the same intermediate (a regular rotation).
bool rotate(TestBundle &b, const CertSpec &spec, bool writeKey = true)
{
    auto leaf = CertFactory::issue(spec, b.chain.intermediates.first());
    if (!leaf)
        return false;
    b.chain.leaf = leaf.value();
    if (writeKey)
        return b.write();
    // Key mismatch: the new certificate with the old key left in place.
    return replaceFile(b.dir + QStringLiteral("/tls.crt"), b.chain.leaf.chainPem);
}

BundleConfig bundleConfig(const QString &path)
{
    BundleConfig c;
    c.path = path;
    return c;
}

// Every text of a model (display + tooltip, all rows, recursively).
void modelTexts(const QAbstractItemModel *model, const QModelIndex &parent, QStringList &out)
{
    for (int r = 0; r < model->rowCount(parent); ++r) {
        for (int c = 0; c < model->columnCount(parent); ++c) {
            const QModelIndex i = model->index(r, c, parent);
            out << i.data(Qt::DisplayRole).toString() << i.data(Qt::ToolTipRole).toString();
        }
        modelTexts(model, model->index(r, 0, parent), out);
    }
}

QStringList visibleTexts(QWidget *root)
{
    QStringList texts{root->windowTitle()};
    const auto widgets = root->findChildren<QWidget *>();
    for (QWidget *w : widgets) {
        texts << w->toolTip() << w->windowTitle();
        if (auto *label = qobject_cast<QLabel *>(w))
            texts << label->text();
        if (auto *edit = qobject_cast<QLineEdit *>(w))
            texts << edit->text();
        if (auto *button = qobject_cast<QAbstractButton *>(w))
            texts << button->text();
        if (auto *browser = qobject_cast<QTextBrowser *>(w))
            texts << browser->toPlainText() << browser->toHtml();
        if (auto *combo = qobject_cast<QComboBox *>(w)) {
            for (int i = 0; i < combo->count(); ++i)
                texts << combo->itemText(i);
        }
        if (auto *view = qobject_cast<QAbstractItemView *>(w)) {
            if (view->model())
                modelTexts(view->model(), {}, texts);
        }
    }
    if (auto *mw = qobject_cast<QMainWindow *>(root))
        texts << mw->statusBar()->currentMessage();
    return texts;
}

int countEvents(const ReloadEventsModel *model, const QString &bundle, const QString &kind)
{
    int n = 0;
    for (int r = 0; r < model->rowCount(); ++r) {
        const QModelIndex i = model->index(r, 0);
        if ((bundle.isEmpty() || i.data(ReloadEventsModel::BundleRole).toString() == bundle) &&
            i.data(ReloadEventsModel::KindRole).toString() == kind)
            ++n;
    }
    return n;
}

int countNotifications(const QSignalSpy &spy, Condition condition, const QString &bundle)
{
    int n = 0;
    for (const QList<QVariant> &args : spy) {
        if (args.at(0).value<Condition>() == condition && args.at(1).toString() == bundle)
            ++n;
    }
    return n;
}

QModelIndex childNamed(const QAbstractItemModel *model, const QModelIndex &parent,
                       const QString &name)
{
    for (int r = 0; r < model->rowCount(parent); ++r) {
        const QModelIndex i = model->index(r, 0, parent);
        if (i.data().toString() == name)
            return i;
    }
    return {};
}

QString cellText(const QModelIndex &row, int column)
{
    return row.siblingAtColumn(column).data().toString();
}

} // namespace

class TestCertificates : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    int m_windows = 0;

    MainWindowSetup setupFor(ActivityLog *log, const QList<BundleConfig> &bundles,
                             HistoryStore *history = nullptr)
    {
        MainWindowSetup setup;
        setup.log = log;
        setup.configPath = m_dir.filePath(QStringLiteral("profiles.json"));
        setup.settingsPath = m_dir.filePath(QStringLiteral("layout-%1.ini").arg(++m_windows));
        setup.history = history;
        if (!history)
            setup.historyError = QStringLiteral("history not opened in this test");
        setup.useSystemTray = false;
        // Short timings: the real monitor, just quicker.
        setup.tls.monitor.quietPeriodMs = 150;
        setup.tls.monitor.pollIntervalMsOverride = 250;
        setup.tls.monitor.consistencyWindowS = 1;
        setup.tls.warnDays = 30;
        setup.tls.probeTimeoutMs = 2000;
        Profile p;
        p.name = QStringLiteral("certs");
        p.bundles = bundles;
        setup.profiles.profiles << p;
        setup.activeProfile = p.name;
        return setup;
    }

    QString bundleDir(const QString &name) const { return QDir::cleanPath(m_dir.filePath(name)); }

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void eventsModel_boundedNewestFirstAndJsonRoundTrip()
    {
        ReloadEventsModel model(3);
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy seen(&model, &ReloadEventsModel::bundleSeen);
        const QDateTime t0 = QDateTime::currentDateTimeUtc();
        for (int i = 0; i < 5; ++i) {
            tls::ReloadEvent e;
            e.kind = i % 2 ? tls::ReloadEventKind::Changed : tls::ReloadEventKind::Served;
            e.ts = t0.addMSecs(i);
            e.bundle = QStringLiteral("/b%1").arg(i % 2);
            e.oldFingerprint = QStringLiteral("aa%1").arg(i);
            e.newFingerprint = QStringLiteral("bb%1").arg(i);
            e.endpoint = QStringLiteral("h:%1").arg(443 + i);
            e.fingerprint = QStringLiteral("cc%1").arg(i);
            e.matchesDisk = i == 2;
            model.addEvent(e);
        }
        QCOMPARE(model.rowCount(), 3); // oldest evicted
        QCOMPARE(model.eventAt(0).ts, t0.addMSecs(4));
        QCOMPARE(model.eventAt(2).ts, t0.addMSecs(2));
        QCOMPARE(seen.count(), 2);
        QCOMPARE(model.bundles(), QStringList({QStringLiteral("/b0"), QStringLiteral("/b1")}));

        // What the history store keeps comes back as the same event.
        for (int r = 0; r < model.rowCount(); ++r) {
            const tls::ReloadEvent &e = model.eventAt(r);
            const auto back = reloadEventFromJson(e.toJson());
            QVERIFY(back);
            QCOMPARE(back->kind, e.kind);
            QCOMPARE(back->ts, e.ts);
            QCOMPARE(back->bundle, e.bundle);
            QCOMPARE(ReloadEventsModel::detailText(*back), ReloadEventsModel::detailText(e));
            QCOMPARE(back->toJson(), e.toJson());
        }
        QVERIFY(!reloadEventFromJson(QJsonObject{{QStringLiteral("event"), QStringLiteral("X")}}));
        QCOMPARE(ReloadEventsModel::detailText(model.eventAt(2)),
                 QStringLiteral("h:445 · serves cc2 · matches disk"));
    }

    void tree_showsBundlesFilesAndCertificatesWithVerdicts()
    {
        auto ok = makeBundle(bundleDir(QStringLiteral("tree-ok")),
                             CertSpec::server(QStringLiteral("ok.example")).validFor(200));
        auto expired = makeBundle(bundleDir(QStringLiteral("tree-expired")),
                                  CertSpec::server(QStringLiteral("old.example")).expired(3));
        QVERIFY(ok && expired);
        ActivityLog log;
        MainWindow window(setupFor(&log, {bundleConfig(ok->dir), bundleConfig(expired->dir)}));
        CertificatesModel *model = window.certificatesPanel()->model();
        QAbstractItemModelTester tester(model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));

        QTRY_COMPARE_WITH_TIMEOUT(model->bundleCount(), 2, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(model->bundleIndex(ok->dir).isValid() &&
                                     model->rowCount(model->bundleIndex(ok->dir)) == 3 &&
                                     model->rowCount(model->bundleIndex(expired->dir)) == 3,
                                 10000);

        // OK bundle: green, ~200 days, the leaf's fingerprint.
        const QModelIndex okRow = model->bundleIndex(ok->dir);
        QCOMPARE(okRow.data(CertificatesModel::VerdictRole).toString(), QStringLiteral("ok"));
        QCOMPARE(CertLevel(okRow.data(CertificatesModel::LevelRole).toInt()), CertLevel::Ok);
        QVERIFY(okRow.siblingAtColumn(CertificatesModel::StatusColumn)
                    .data(Qt::ForegroundRole)
                    .value<QBrush>()
                    .color() == certLevelColor(CertLevel::Ok));
        const qint64 okDays = cellText(okRow, CertificatesModel::DaysLeftColumn).toLongLong();
        QVERIFY2(okDays >= 199 && okDays <= 200, qPrintable(QString::number(okDays)));
        QCOMPARE(okRow.data(CertificatesModel::FingerprintRole).toString(), ok->leafSha());
        QCOMPARE(cellText(okRow, CertificatesModel::BadgesColumn), QStringLiteral("inotify"));

        // Files: ca.crt, tls.crt, tls.key; tls.crt holds leaf + intermediate.
        QStringList files;
        for (int r = 0; r < model->rowCount(okRow); ++r)
            files << model->index(r, 0, okRow).data().toString();
        QCOMPARE(files, QStringList({QStringLiteral("ca.crt"), QStringLiteral("tls.crt"),
                                     QStringLiteral("tls.key")}));
        const QModelIndex crt = childNamed(model, okRow, QStringLiteral("tls.crt"));
        QCOMPARE(cellText(crt, CertificatesModel::KindColumn), QStringLiteral("chain"));
        QCOMPARE(model->rowCount(crt), 2);
        const QModelIndex leaf = model->index(0, 0, crt);
        QCOMPARE(leaf.data().toString(), QStringLiteral("ok.example"));
        QCOMPARE(cellText(leaf, CertificatesModel::KindColumn), QStringLiteral("leaf"));
        QCOMPARE(cellText(leaf, CertificatesModel::StatusColumn), QStringLiteral("ok"));
        QCOMPARE(leaf.data(CertificatesModel::FingerprintRole).toString(), ok->leafSha());
        QCOMPARE(cellText(model->index(1, 0, crt), CertificatesModel::KindColumn),
                 QStringLiteral("intermediate"));
        const QModelIndex caFile = childNamed(model, okRow, QStringLiteral("ca.crt"));
        QCOMPARE(cellText(model->index(0, 0, caFile), CertificatesModel::KindColumn),
                 QStringLiteral("root CA"));

        // Expired bundle: red "expired", negative days, on the bundle and its leaf.
        const QModelIndex expRow = model->bundleIndex(expired->dir);
        QCOMPARE(expRow.data(CertificatesModel::VerdictRole).toString(), QStringLiteral("expired"));
        QCOMPARE(CertLevel(expRow.data(CertificatesModel::LevelRole).toInt()), CertLevel::Error);
        QVERIFY(cellText(expRow, CertificatesModel::DaysLeftColumn).toLongLong() < 0);
        const QModelIndex expLeaf =
            model->index(0, 0, childNamed(model, expRow, QStringLiteral("tls.crt")));
        QCOMPARE(cellText(expLeaf, CertificatesModel::StatusColumn), QStringLiteral("expired"));
        QCOMPARE(CertLevel(expLeaf.data(CertificatesModel::LevelRole).toInt()), CertLevel::Error);
        QVERIFY(cellText(expLeaf, CertificatesModel::DaysLeftColumn).toLongLong() <= -3);

        // The summary line counts them.
        const QString summary = window.certificatesPanel()->summaryLabel()->text();
        QVERIFY2(summary.contains(QStringLiteral("1 ok")) &&
                     summary.contains(QStringLiteral("1 invalid")),
                 qPrintable(summary));

        // Switching to a profile without bundles tears the monitor down and empties the tree.
        ProfileSet set = window.profiles();
        Profile other;
        other.name = QStringLiteral("empty");
        set.profiles << other;
        window.setProfiles(set);
        window.setActiveProfile(QStringLiteral("empty"));
        QCOMPARE(model->bundleCount(), 0);
        QVERIFY(!window.tlsController()->isRunning());
    }

    void rotation_addsChangedEventAndUpdatesTree_andTimelinePersists()
    {
        auto b = makeBundle(bundleDir(QStringLiteral("rotate")),
                            CertSpec::server(QStringLiteral("rotate.example")).validFor(90));
        QVERIFY(b);
        const QString historyPath = m_dir.filePath(QStringLiteral("rotate-history.sqlite"));
        const QString oldSha = b->leafSha();
        QString newSha;
        {
            HistoryStore history;
            QVERIFY(history.open(historyPath));
            ActivityLog log;
            MainWindow window(setupFor(&log, {bundleConfig(b->dir)}, &history));
            ReloadEventsModel *events = window.reloadEventsPanel()->model();
            CertificatesModel *certs = window.certificatesPanel()->model();
            QAbstractItemModelTester t1(events,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
            QAbstractItemModelTester t2(window.reloadEventsPanel()->filterModel(),
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
            QAbstractItemModelTester t3(certs,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
            QTRY_COMPARE_WITH_TIMEOUT(countEvents(events, b->dir, QStringLiteral("SNAPSHOT")), 1,
                                      10000);
            QCOMPARE(certs->bundleIndex(b->dir).data(CertificatesModel::FingerprintRole),
                     QVariant(oldSha));

            QVERIFY(rotate(*b, CertSpec::server(QStringLiteral("rotate.example")).validFor(120)));
            newSha = b->leafSha();
            QTRY_COMPARE_WITH_TIMEOUT(countEvents(events, b->dir, QStringLiteral("CHANGED")), 1,
                                      10000);
            // Newest first: the CHANGED row is on top, with old -> new in the detail.
            QCOMPARE(events->index(0, ReloadEventsModel::EventColumn).data().toString(),
                     QStringLiteral("CHANGED"));
            const QString detail =
                events->index(0, ReloadEventsModel::DetailColumn).data().toString();
            QVERIFY2(detail.contains(oldSha.left(12)) && detail.contains(newSha.left(12)),
                     qPrintable(detail));
            QCOMPARE(events->eventAt(0).newFingerprint, newSha);
            // The time column is local time with milliseconds.
            const QString time = events->index(0, ReloadEventsModel::TimeColumn).data().toString();
            QCOMPARE(time, events->eventAt(0).ts.toLocalTime().toString(
                               QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz")));
            // The tree follows the new leaf.
            QTRY_COMPARE(certs->bundleIndex(b->dir).data(CertificatesModel::FingerprintRole),
                         QVariant(newSha));
            const QModelIndex crt =
                childNamed(certs, certs->bundleIndex(b->dir), QStringLiteral("tls.crt"));
            QCOMPARE(certs->index(0, 0, crt).data(CertificatesModel::FingerprintRole).toString(),
                     newSha);
            // The Activity log says so (info).
            bool logged = false;
            for (const ActivityEntry &e : log.entries())
                logged |= e.source == QLatin1String("tls") && e.severity == Severity::Info &&
                          e.message.contains(QStringLiteral("certificate changed")) &&
                          e.message.contains(newSha.left(16));
            QVERIFY(logged);
            // And the store has it, as the event's JSON.
            const auto stored = history.reloadEvents(10, b->dir);
            QVERIFY(stored);
            QVERIFY(!stored->isEmpty());
            QCOMPARE(stored->first().kind, QStringLiteral("CHANGED"));
            const QJsonObject json = QJsonDocument::fromJson(stored->first().json).object();
            QCOMPARE(json.value(QStringLiteral("new_fingerprint")).toString(), newSha);
        }

        // A second window over the same history file, with no bundles: the timeline is back.
        HistoryStore history;
        QVERIFY(history.open(historyPath));
        ActivityLog log;
        MainWindow window(setupFor(&log, {}, &history));
        ReloadEventsModel *events = window.reloadEventsPanel()->model();
        QAbstractItemModelTester tester(events,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(!window.tlsController()->isRunning());
        QCOMPARE(countEvents(events, b->dir, QStringLiteral("CHANGED")), 1);
        QCOMPARE(countEvents(events, b->dir, QStringLiteral("SNAPSHOT")), 1);
        QCOMPARE(events->index(0, ReloadEventsModel::EventColumn).data().toString(),
                 QStringLiteral("CHANGED"));
        QCOMPARE(events->eventAt(0).oldFingerprint, oldSha);
        QCOMPARE(events->eventAt(0).newFingerprint, newSha);
        QVERIFY(window.reloadEventsPanel()->bundleCombo()->findData(b->dir) > 0);
    }

    void eventsFilter_byBundleAndKind()
    {
        auto a = makeBundle(bundleDir(QStringLiteral("filter-a")),
                            CertSpec::server(QStringLiteral("a.example")).validFor(100));
        auto b = makeBundle(bundleDir(QStringLiteral("filter-b")),
                            CertSpec::server(QStringLiteral("b.example")).validFor(100));
        QVERIFY(a && b);
        ActivityLog log;
        MainWindow window(setupFor(&log, {bundleConfig(a->dir), bundleConfig(b->dir)}));
        ReloadEventsPanel *panel = window.reloadEventsPanel();
        ReloadEventsFilter *filter = panel->filterModel();
        QAbstractItemModelTester t1(panel->model(),
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester t2(filter, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QTRY_COMPARE_WITH_TIMEOUT(countEvents(panel->model(), {}, QStringLiteral("SNAPSHOT")), 2,
                                  10000);
        QVERIFY(rotate(*a, CertSpec::server(QStringLiteral("a.example")).validFor(110)));
        QTRY_COMPARE_WITH_TIMEOUT(countEvents(panel->model(), a->dir, QStringLiteral("CHANGED")), 1,
                                  10000);

        // Bundle filter through the combo.
        QComboBox *bundles = panel->bundleCombo();
        QTRY_VERIFY(bundles->findData(a->dir) > 0 && bundles->findData(b->dir) > 0);
        bundles->setCurrentIndex(bundles->findData(b->dir));
        QCOMPARE(filter->bundle(), b->dir);
        QVERIFY(filter->rowCount() >= 1);
        for (int r = 0; r < filter->rowCount(); ++r)
            QCOMPARE(filter->index(r, 0).data(ReloadEventsModel::BundleRole).toString(), b->dir);
        QCOMPARE(countEvents(panel->model(), b->dir, QStringLiteral("CHANGED")), 0);

        // Kind filter on top: CHANGED of bundle b: none; of bundle a: the rotation.
        QComboBox *kinds = panel->kindCombo();
        kinds->setCurrentIndex(kinds->findData(QStringLiteral("CHANGED")));
        QCOMPARE(filter->kind(), QStringLiteral("CHANGED"));
        QCOMPARE(filter->rowCount(), 0);
        bundles->setCurrentIndex(bundles->findData(a->dir));
        QCOMPARE(filter->rowCount(), 1);
        QCOMPARE(filter->index(0, ReloadEventsModel::DetailColumn).data().toString(),
                 ReloadEventsModel::detailText(panel->model()->eventAt(0)));
        const QString count =
            window.findChild<QLabel *>(QStringLiteral("reloadEventsCount"))->text();
        QVERIFY2(count.startsWith(QStringLiteral("1 of ")), qPrintable(count));

        // Back to everything.
        bundles->setCurrentIndex(0);
        kinds->setCurrentIndex(0);
        QCOMPARE(filter->rowCount(), panel->model()->rowCount());
    }

    void notifier_firesOncePerConditionThroughTheFallback()
    {
        auto good = makeBundle(bundleDir(QStringLiteral("notify-good")),
                               CertSpec::server(QStringLiteral("good.example")).validFor(300));
        auto soon = makeBundle(bundleDir(QStringLiteral("notify-soon")),
                               CertSpec::server(QStringLiteral("soon.example")).validFor(10));
        QVERIFY(good && soon);
        ActivityLog log;
        MainWindow window(setupFor(&log, {bundleConfig(good->dir), bundleConfig(soon->dir)}));
        CertNotifier *notifier = window.certNotifier();
        QSignalSpy spy(notifier, &CertNotifier::notified);
        ReloadEventsModel *events = window.reloadEventsPanel()->model();
        QAbstractItemModelTester tester(window.certificatesPanel()->model(),
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(!notifier->usesTray()); // offscreen: no system tray

        // Expiry threshold: 10 days left, warning at 30.
        QTRY_COMPARE_WITH_TIMEOUT(countNotifications(spy, Condition::Expiring, soon->dir), 1,
                                  10000);
        QCOMPARE(spy.last().at(4).toBool(), false); // not via a tray
        QVERIFY2(window.statusBar()->currentMessage().contains(soon->dir),
                 qPrintable(window.statusBar()->currentMessage()));
        QVERIFY2(
            window.statusBar()->currentMessage().contains(QStringLiteral("expires in 10 days")) ||
                window.statusBar()->currentMessage().contains(QStringLiteral("expires in 9 days")),
            qPrintable(window.statusBar()->currentMessage()));
        QCOMPARE(countNotifications(spy, Condition::Expiring, good->dir), 0);
        QCOMPARE(window.certificatesPanel()
                     ->model()
                     ->bundleIndex(soon->dir)
                     .data(CertificatesModel::VerdictRole)
                     .toString(),
                 QStringLiteral("expiring"));

        // Another leaf that also expires within the threshold: still the same condition.
        QVERIFY(rotate(*soon, CertSpec::server(QStringLiteral("soon.example")).validFor(12)));
        QTRY_COMPARE_WITH_TIMEOUT(countEvents(events, soon->dir, QStringLiteral("CHANGED")), 1,
                                  10000);
        QCOMPARE(countNotifications(spy, Condition::Expiring, soon->dir), 1);

        // Key mismatch rotation: a new certificate with the old key -> PENDING -> INVALID.
        QVERIFY(
            rotate(*good, CertSpec::server(QStringLiteral("good.example")).validFor(300), false));
        QTRY_COMPARE_WITH_TIMEOUT(countEvents(events, good->dir, QStringLiteral("INVALID")), 1,
                                  10000);
        QTRY_COMPARE(countNotifications(spy, Condition::Invalid, good->dir), 1);
        QVERIFY(spy.last().at(3).toString().contains(QStringLiteral("key_mismatch")));
        // The fallback also writes the Activity log.
        bool logged = false;
        for (const ActivityEntry &e : log.entries())
            logged |= e.severity == Severity::Warning &&
                      e.message.startsWith(QStringLiteral("notification: ")) &&
                      e.message.contains(good->dir);
        QVERIFY(logged);
        // The tree keeps the last good leaf and says invalid.
        const QModelIndex goodRow = window.certificatesPanel()->model()->bundleIndex(good->dir);
        QCOMPARE(goodRow.data(CertificatesModel::VerdictRole).toString(),
                 QStringLiteral("invalid: key_mismatch"));

        // Another bad rotation while still invalid: a second INVALID event, no second
        // notification.
        QVERIFY(
            rotate(*good, CertSpec::server(QStringLiteral("good.example")).validFor(301), false));
        QTRY_COMPARE_WITH_TIMEOUT(countEvents(events, good->dir, QStringLiteral("INVALID")), 2,
                                  10000);
        QCOMPARE(countNotifications(spy, Condition::Invalid, good->dir), 1);
        QCOMPARE(countNotifications(spy, Condition::Expiring, soon->dir), 1);
        QCOMPARE(spy.count(), 2);
    }

    void servedEndpoint_notReloadedAfterRotation()
    {
        auto b = makeBundle(bundleDir(QStringLiteral("served")),
                            CertSpec::server(QStringLiteral("localhost")).validFor(100));
        QVERIFY(b);
        // The "service": serves the bundle's first leaf and never reloads.
        QSslServer server;
        QSslConfiguration tlsConfig = QSslConfiguration::defaultConfiguration();
        tlsConfig.setLocalCertificateChain(QSslCertificate::fromData(b->chain.leaf.chainPem));
        tlsConfig.setPrivateKey(QSslKey(b->chain.leaf.keyPem, QSsl::Ec));
        tlsConfig.setPeerVerifyMode(QSslSocket::VerifyNone);
        server.setSslConfiguration(tlsConfig);
        QVERIFY(server.listen(QHostAddress::LocalHost, 0));
        const QString servedSha = b->leafSha();

        BundleConfig config = bundleConfig(b->dir);
        config.probeEndpoint = QStringLiteral("127.0.0.1:%1").arg(server.serverPort());
        ActivityLog log;
        MainWindow window(setupFor(&log, {config}));
        QSignalSpy spy(window.certNotifier(), &CertNotifier::notified);
        ReloadEventsModel *events = window.reloadEventsPanel()->model();
        CertificatesModel *model = window.certificatesPanel()->model();
        QAbstractItemModelTester tester(model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);

        // After the snapshot: the endpoint serves the disk leaf.
        QTRY_COMPARE_WITH_TIMEOUT(countEvents(events, b->dir, QStringLiteral("SERVED")), 1, 15000);
        QCOMPARE(events->eventAt(0).fingerprint, servedSha);
        QCOMPARE(events->eventAt(0).matchesDisk, std::optional<bool>(true));
        window.certificatesPanel()->select(model->bundleIndex(b->dir));
        QVERIFY2(window.certificatesPanel()->detailText().contains(
                     QStringLiteral("served: matches disk")),
                 qPrintable(window.certificatesPanel()->detailText()));
        QVERIFY(
            !model->badges(model->bundleIndex(b->dir)).contains(QStringLiteral("not_reloaded")));

        // Rotated on disk (a later notBefore), the service keeps the old one.
        CertSpec next = CertSpec::server(QStringLiteral("localhost")).validFor(200);
        next.notBefore = QDateTime::currentDateTimeUtc().addSecs(-60);
        QVERIFY(rotate(*b, next));
        QTRY_COMPARE_WITH_TIMEOUT(countEvents(events, b->dir, QStringLiteral("SERVED")), 2, 15000);
        QCOMPARE(countEvents(events, b->dir, QStringLiteral("CHANGED")), 1);
        QCOMPARE(events->eventAt(0).matchesDisk, std::optional<bool>(false));
        QCOMPARE(events->eventAt(0).fingerprint, servedSha);
        const QModelIndex row = model->bundleIndex(b->dir);
        QVERIFY(model->badges(row).contains(QStringLiteral("not_reloaded")));
        QVERIFY(cellText(row, CertificatesModel::BadgesColumn)
                    .contains(QStringLiteral("not reloaded")));
        QTRY_VERIFY(window.certificatesPanel()->detailText().contains(
            QStringLiteral("rotated on disk, not reloaded by the service")));
        QTRY_COMPARE(countNotifications(spy, Condition::NotReloaded, b->dir), 1);

        // The periodic probe finds the same: no new SERVED row, no second notification.
        window.tlsController()->probeAll();
        QTRY_VERIFY(window.tlsController()->prober()->isIdle());
        QCOMPARE(countEvents(events, b->dir, QStringLiteral("SERVED")), 2);
        QCOMPARE(countNotifications(spy, Condition::NotReloaded, b->dir), 1);
    }

    void detailPane_showsEveryFieldOfTheSelectedCertificate()
    {
        CertSpec spec = CertSpec::server(QStringLiteral("detail.example"),
                                         {QStringLiteral("alt.detail.example")});
        spec.validFor(150).withKey(KeyType::Rsa2048);
        auto b = makeBundle(bundleDir(QStringLiteral("detail")), spec);
        QVERIFY(b);
        ActivityLog log;
        MainWindow window(setupFor(&log, {bundleConfig(b->dir)}));
        CertificatesPanel *panel = window.certificatesPanel();
        CertificatesModel *model = panel->model();
        QTRY_VERIFY_WITH_TIMEOUT(model->bundleIndex(b->dir).isValid() &&
                                     model->rowCount(model->bundleIndex(b->dir)) == 3,
                                 10000);
        const QModelIndex crt =
            childNamed(model, model->bundleIndex(b->dir), QStringLiteral("tls.crt"));
        const QModelIndex leaf = model->index(0, 0, crt);
        panel->select(leaf);
        QCOMPARE(panel->view()->currentIndex(), leaf);
        const tls::CertificateInfo *info = model->certificate(leaf);
        QVERIFY(info);
        const QString text = panel->detailText();
        const QStringList expectations{
            info->subject,
            info->issuer,
            QStringLiteral("DNS:detail.example"),
            QStringLiteral("DNS:alt.detail.example"),
            QStringLiteral("IP:127.0.0.1"),
            info->serialHex,
            QString(info->sha256.left(16) + QLatin1Char(' ') + info->sha256.mid(16, 16)),
            info->signatureAlgorithm,
            QStringLiteral("RSA 2048 bits"),
            info->notAfter.toUTC().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss 'UTC'")),
            QStringLiteral("Days left"),
            QStringLiteral("CA"),
            QStringLiteral("Chain path"),
            QStringLiteral(
                "detail.example → opsdeck Test Intermediate CA 1 → opsdeck Test Root CA"),
            QStringLiteral("Manifest"),
            QStringLiteral("Last event"),
            QStringLiteral("SNAPSHOT")};
        for (const QString &expected : expectations) {
            QVERIFY2(text.contains(expected),
                     qPrintable(QStringLiteral("'%1' not in:\n%2").arg(expected, text)));
        }
        QVERIFY(!info->signatureAlgorithm.isEmpty());
        QVERIFY(text.contains(QString::number(info->daysLeft(QDateTime::currentDateTimeUtc()))));

        // A file row shows the file; the bundle row the bundle and its leaf.
        panel->select(childNamed(model, model->bundleIndex(b->dir), QStringLiteral("tls.key")));
        QVERIFY(panel->detailText().contains(QStringLiteral("Private key")));
        panel->select(model->bundleIndex(b->dir));
        QVERIFY(panel->detailText().contains(b->dir));
        QVERIFY(panel->detailText().contains(info->serialHex));
    }

    void storePassword_neverShown_unresolvedReferenceNamed()
    {
        const QByteArray canary = "canary-pw-5e1f0a-certs";
        qputenv("OPSDECK_TST_CERTS_PW", canary);
        qunsetenv("OPSDECK_TST_CERTS_MISSING");
        auto chain = CertFactory::chain(CertSpec::server(QStringLiteral("store.example")), 1);
        QVERIFY(chain);
        auto p12 = CertFactory::pkcs12(chain->leaf, canary, {chain->intermediates.first()});
        QVERIFY(p12);
        const QString storeDir = bundleDir(QStringLiteral("store"));
        QVERIFY(CertFactory::writeFile(storeDir, QStringLiteral("keystore.p12"), p12.value()));
        QVERIFY(CertFactory::writeFile(storeDir, QStringLiteral("ca.crt"), chain->root.certPem));
        const QString missingDir = bundleDir(QStringLiteral("store-missing"));
        QVERIFY(CertFactory::writeFile(missingDir, QStringLiteral("keystore.p12"), p12.value()));

        BundleConfig withPassword = bundleConfig(storeDir);
        withPassword.storePassword = SecretRef::fromEnv(QStringLiteral("OPSDECK_TST_CERTS_PW"));
        BundleConfig unresolved = bundleConfig(missingDir);
        unresolved.storePassword = SecretRef::fromEnv(QStringLiteral("OPSDECK_TST_CERTS_MISSING"));
        ActivityLog log;
        MainWindow window(setupFor(&log, {withPassword, unresolved}));
        CertificatesModel *model = window.certificatesPanel()->model();
        QTRY_VERIFY_WITH_TIMEOUT(
            model->bundleCount() == 2 && model->rowCount(model->bundleIndex(storeDir)) == 2, 10000);
        // The password worked: the store's leaf is there and the bundle is fine.
        QCOMPARE(model->bundleIndex(storeDir).data(CertificatesModel::FingerprintRole).toString(),
                 QString::fromLatin1(chain->leaf.sha256Hex));
        QCOMPARE(model->bundleIndex(storeDir).data(CertificatesModel::VerdictRole).toString(),
                 QStringLiteral("ok"));
        // The unresolved reference is an error naming the reference.
        bool named = false;
        for (const ActivityEntry &e : log.entries())
            named |= e.severity == Severity::Error &&
                     e.message.contains(QStringLiteral("env:OPSDECK_TST_CERTS_MISSING"));
        QVERIFY(named);

        // Walk every row through the detail pane, then look at every text.
        CertificatesPanel *panel = window.certificatesPanel();
        QStringList texts;
        std::function<void(const QModelIndex &)> walk = [&](const QModelIndex &parent) {
            for (int r = 0; r < model->rowCount(parent); ++r) {
                const QModelIndex i = model->index(r, 0, parent);
                panel->select(i);
                texts << panel->detailText() << panel->detailBrowser()->toHtml();
                walk(i);
            }
        };
        walk({});
        texts << visibleTexts(&window);
        for (const ActivityEntry &e : log.entries())
            texts << e.message;
        for (const QString &t : std::as_const(texts))
            QVERIFY2(!t.contains(QString::fromLatin1(canary)), qPrintable(t));
    }

    void screenshot_mainWindowWithCertificates()
    {
        // Demo-like data: an OK bundle rotated on disk while its service still serves the old
        // leaf, one expiring soon, one broken by a key-mismatch rotation.
        auto ok = makeBundle(bundleDir(QStringLiteral("shot/solr")),
                             CertSpec::server(QStringLiteral("solr1.demo.internal")).validFor(240));
        auto soon =
            makeBundle(bundleDir(QStringLiteral("shot/flink")),
                       CertSpec::server(QStringLiteral("flink-jm.demo.internal")).validFor(12));
        auto bad = makeBundle(bundleDir(QStringLiteral("shot/zookeeper")),
                              CertSpec::server(QStringLiteral("zk1.demo.internal")).validFor(200));
        QVERIFY(ok && soon && bad);
        QSslServer server;
        QSslConfiguration tlsConfig = QSslConfiguration::defaultConfiguration();
        tlsConfig.setLocalCertificateChain(QSslCertificate::fromData(ok->chain.leaf.chainPem));
        tlsConfig.setPrivateKey(QSslKey(ok->chain.leaf.keyPem, QSsl::Ec));
        tlsConfig.setPeerVerifyMode(QSslSocket::VerifyNone);
        server.setSslConfiguration(tlsConfig);
        QVERIFY(server.listen(QHostAddress::LocalHost, 0));

        HistoryStore history;
        QVERIFY(history.open(m_dir.filePath(QStringLiteral("shot-history.sqlite"))));
        ActivityLog log;
        BundleConfig solr = bundleConfig(ok->dir);
        solr.probeEndpoint = QStringLiteral("127.0.0.1:%1").arg(server.serverPort());
        MainWindowSetup setup =
            setupFor(&log, {solr, bundleConfig(soon->dir), bundleConfig(bad->dir)}, &history);
        setup.profiles.profiles.first().name = QStringLiteral("demo");
        setup.activeProfile = QStringLiteral("demo");
        MainWindow window(setup);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        CertificatesModel *model = window.certificatesPanel()->model();
        ReloadEventsModel *events = window.reloadEventsPanel()->model();
        QTRY_COMPARE_WITH_TIMEOUT(countEvents(events, {}, QStringLiteral("SNAPSHOT")), 3, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(countEvents(events, ok->dir, QStringLiteral("SERVED")), 1, 15000);
        CertSpec next = CertSpec::server(QStringLiteral("solr1.demo.internal")).validFor(365);
        next.notBefore = QDateTime::currentDateTimeUtc().addSecs(-60);
        QVERIFY(rotate(*ok, next));
        QTRY_COMPARE_WITH_TIMEOUT(countEvents(events, ok->dir, QStringLiteral("SERVED")), 2, 15000);
        QVERIFY(rotate(*bad, CertSpec::server(QStringLiteral("zk1.demo.internal")).validFor(200),
                       false));
        QTRY_COMPARE_WITH_TIMEOUT(countEvents(events, bad->dir, QStringLiteral("INVALID")), 1,
                                  10000);
        const QModelIndex crt =
            childNamed(model, model->bundleIndex(ok->dir), QStringLiteral("tls.crt"));
        window.certificatesPanel()->select(model->index(0, 0, crt));
        QVERIFY(cellText(model->bundleIndex(ok->dir), CertificatesModel::BadgesColumn)
                    .contains(QStringLiteral("not reloaded")));
        QCoreApplication::processEvents();
        const QString path = saveScreenshot(&window, QStringLiteral("mainwindow-certificates"));
        QVERIFY(!path.isEmpty());
        qInfo("screenshot: %s", qPrintable(path));
    }
};

OPSDECK_TEST_GUI_MAIN(TestCertificates)
#include "tst_certificates.moc"
