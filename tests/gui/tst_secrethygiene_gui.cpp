// SPDX-License-Identifier: GPL-3.0-or-later
// Secret hygiene of the console: the whole MainWindow runs on a secured cluster with canary
// secrets (a private key, a PKCS#12 password, a wrong-password bundle whose "password" is another
// canary, a bearer token, ZooKeeper digest credentials and a /security.json body), every dock does
// its work, and then everything a user could see or a log could keep is searched: the text of
// every widget (labels, buttons, line and text edits, combo boxes, tooltips, window titles,
// actions), every cell, tooltip and header of every model behind every view (the "screenshot
// text", including docks that are not raised), the Activity log, every Qt log message of the run,
// the history database and the audit file. The screenshot is saved for a human to look at.

#include "common/activitylog.h"
#include "common/historystore.h"
#include "healthcontroller.h"
#include "jobspanel.h"
#include "jobsresultmodel.h"
#include "mainwindow.h"
#include "noderolesmodel.h"
#include "noderolespanel.h"
#include "screenshot.h"
#include "securedcluster.h"
#include "testmain.h"

#include <QAbstractButton>
#include <QAbstractItemView>
#include <QAction>
#include <QComboBox>
#include <QDirIterator>
#include <QDockWidget>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMutex>
#include <QPlainTextEdit>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QTextEdit>

using namespace opsdeck;
using namespace opsdeck::test;

namespace {

const QByteArray ZkPassword = "zk-canary-gui-51d0a7";
const QByteArray StorePassword = "p12-canary-gui-e27c94";
const QByteArray Token = "token-canary-gui-0b6f3d";
const QByteArray SecurityCanary = "security-json-canary-gui-8a1f";
constexpr int Timeout = 30000;

// Every Qt message of the run, as a log file would keep it.
QMutex g_messagesLock;
QStringList g_messages;
QtMessageHandler g_previousHandler = nullptr;

void captureMessage(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    {
        QMutexLocker lock(&g_messagesLock);
        g_messages << message;
    }
    if (g_previousHandler)
        g_previousHandler(type, context, message);
}

void collectModel(const QAbstractItemModel *model, const QModelIndex &parent, QStringList *out,
                  int depth = 0)
{
    if (model == nullptr || depth > 8)
        return;
    const int rows = model->rowCount(parent);
    const int columns = model->columnCount(parent);
    for (int r = 0; r < rows && r < 5000; ++r) {
        for (int c = 0; c < columns; ++c) {
            const QModelIndex index = model->index(r, c, parent);
            for (const int role : {int(Qt::DisplayRole), int(Qt::ToolTipRole),
                                   int(Qt::StatusTipRole), int(Qt::WhatsThisRole)})
                *out << index.data(role).toString();
            if (c == 0 && model->hasChildren(index))
                collectModel(model, index, out, depth + 1);
        }
    }
}

// What a user could read anywhere in the window, shown or one click away.
QStringList visibleText(QWidget *root)
{
    QStringList out;
    QList<QWidget *> widgets = root->findChildren<QWidget *>();
    widgets.prepend(root);
    for (QWidget *w : std::as_const(widgets)) {
        out << w->windowTitle() << w->toolTip() << w->statusTip() << w->whatsThis()
            << w->accessibleName() << w->accessibleDescription();
        if (auto *label = qobject_cast<QLabel *>(w))
            out << label->text();
        if (auto *button = qobject_cast<QAbstractButton *>(w))
            out << button->text();
        if (auto *line = qobject_cast<QLineEdit *>(w))
            out << line->text() << line->placeholderText();
        if (auto *text = qobject_cast<QTextEdit *>(w))
            out << text->toPlainText();
        if (auto *plain = qobject_cast<QPlainTextEdit *>(w))
            out << plain->toPlainText();
        if (auto *combo = qobject_cast<QComboBox *>(w)) {
            for (int i = 0; i < combo->count(); ++i)
                out << combo->itemText(i);
        }
        if (auto *bar = qobject_cast<QStatusBar *>(w))
            out << bar->currentMessage();
        if (auto *view = qobject_cast<QAbstractItemView *>(w)) {
            const QAbstractItemModel *model = view->model();
            collectModel(model, {}, &out);
            if (model != nullptr) {
                for (int c = 0; c < model->columnCount(); ++c)
                    out << model->headerData(c, Qt::Horizontal).toString()
                        << model->headerData(c, Qt::Horizontal, Qt::ToolTipRole).toString();
            }
        }
        for (QAction *a : w->actions())
            out << a->text() << a->toolTip() << a->statusTip();
    }
    out.removeAll(QString());
    return out;
}

} // namespace

class TestSecretHygieneGui : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    SecuredCluster m_cluster;
    QString m_wrongDir; // the PKCS#12 store again, opened with a wrong (canary) password
    Profile m_profile;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        qputenv("OPSDECK_GUI_ZK_AUTH", "solr:" + ZkPassword);
        qputenv("OPSDECK_GUI_STORE_PW", StorePassword);
        qputenv("OPSDECK_GUI_TOKEN", Token);
        // The wrong password of the third bundle is a canary too: its error must not echo it.
        qputenv("OPSDECK_GUI_WRONG_PW", ZkPassword);

        m_cluster.zkPassword = ZkPassword;
        m_cluster.storePassword = StorePassword;
        m_cluster.securityCanary = SecurityCanary;
        const QString started = m_cluster.start(m_dir.path(), QStringLiteral("orders-canary-job"));
        QVERIFY2(started.isEmpty(), qPrintable(started));
        m_wrongDir = m_dir.filePath(QStringLiteral("p12-wrong"));
        QVERIFY(CertFactory::writeFile(m_wrongDir, QStringLiteral("keystore.p12"), m_cluster.p12));

        m_profile.name = QStringLiteral("secure");
        m_profile.zookeeper.connectString = m_cluster.zkConnect();
        m_profile.zookeeper.digestAuth = SecretRef::fromEnv(QStringLiteral("OPSDECK_GUI_ZK_AUTH"));
        m_profile.rest.url = m_cluster.flinkUrl();
        m_profile.rest.caFile = m_cluster.caFile;
        m_profile.rest.token = SecretRef::fromEnv(QStringLiteral("OPSDECK_GUI_TOKEN"));
        BundleConfig pem;
        pem.path = m_cluster.pemDir;
        pem.probeEndpoint = m_cluster.flinkEndpoint();
        BundleConfig store;
        store.path = m_cluster.p12Dir;
        store.storePassword = SecretRef::fromEnv(QStringLiteral("OPSDECK_GUI_STORE_PW"));
        BundleConfig wrong;
        wrong.path = m_wrongDir;
        wrong.storePassword = SecretRef::fromEnv(QStringLiteral("OPSDECK_GUI_WRONG_PW"));
        m_profile.bundles << pem << store << wrong;

        g_previousHandler = qInstallMessageHandler(captureMessage);
    }

    void cleanupTestCase() { qInstallMessageHandler(g_previousHandler); }

    void noSecretInAnythingTheConsoleShows()
    {
        ActivityLog log;
        HistoryStore history;
        QVERIFY(history.open(m_dir.filePath(QStringLiteral("data/history.sqlite"))));
        MainWindowSetup setup;
        setup.log = &log;
        setup.history = &history;
        setup.configPath = m_dir.filePath(QStringLiteral("profiles.json"));
        setup.settingsPath = m_dir.filePath(QStringLiteral("layout.ini"));
        setup.useSystemTray = false;
        setup.jobs.auditPath = m_dir.filePath(QStringLiteral("data/audit.jsonl"));
        setup.jobs.pollFirstMs = 20;
        setup.jobs.pollMaxMs = 200;
        setup.health.firstRunDelayMs = 0;
        setup.health.intervalMs = 0;
        setup.profiles.profiles << m_profile;
        setup.activeProfile = m_profile.name;
        MainWindow window(setup);
        window.resize(1600, 1000);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));

        // Each module really used its secret: the digest-protected live nodes were read, the
        // PKCS#12 opened, the HTTPS endpoint with the token answered.
        NodeRolesPanel *roles = window.nodeRolesPanel();
        QTRY_VERIFY_WITH_TIMEOUT(roles->model()->rowCount() >= 1, Timeout);
        JobsPanel *jobs = window.jobsPanel();
        jobs->setConfirmHandler(
            [](const QString &, std::function<void(bool)> answer) { answer(true); });
        QSignalSpy scripts(jobs, &JobsPanel::scriptFinished);
        jobs->runScript(QStringLiteral("SHOW JOBS"));
        QTRY_COMPARE_WITH_TIMEOUT(scripts.size(), 1, Timeout);
        QCOMPARE(jobs->lastStatus(), QStringLiteral("ok"));
        QTRY_VERIFY_WITH_TIMEOUT(jobs->model()->rowCount() >= 1, Timeout);
        jobs->runScript(QStringLiteral("CREATE SAVEPOINT FOR JOB '%1'").arg(m_cluster.jobId));
        QTRY_COMPARE_WITH_TIMEOUT(scripts.size(), 2, Timeout);
        QCOMPARE(jobs->lastStatus(), QStringLiteral("ok"));
        HealthController *health = window.healthController();
        QTRY_VERIFY_WITH_TIMEOUT(health->hasReport(), Timeout);

        QStringList seen = visibleText(&window);
        for (const ActivityEntry &e : log.entries())
            seen << e.source << e.message;
        const QString screenshot = saveScreenshot(&window, QStringLiteral("secret-hygiene"));
        QVERIFY(!screenshot.isEmpty());
        qInfo("screenshot: %s; %d text items searched", qPrintable(screenshot), int(seen.size()));

        // The search covers every module: what each dock shows is found in the collected text.
        const QString all = seen.join(QLatin1Char('\n'));
        QVERIFY2(all.contains(QStringLiteral("orders-canary-job")), "the Jobs result is missing");
        QVERIFY2(all.contains(QStringLiteral("8983")), "the Node roles table is missing");
        QVERIFY2(all.contains(QStringLiteral("p12-wrong")), "the Certificates tree is missing");
        QVERIFY2(all.contains(QStringLiteral("savepoint"), Qt::CaseInsensitive),
                 "the Operations dock is missing");

        QStringList messages;
        {
            QMutexLocker lock(&g_messagesLock);
            messages = g_messages;
        }
        QList<QPair<QString, QByteArray>> artefacts{
            {QStringLiteral("window text"), all.toUtf8()},
            {QStringLiteral("Qt log messages"), messages.join(QLatin1Char('\n')).toUtf8()}};
        QDirIterator it(m_dir.filePath(QStringLiteral("data")), QDir::Files | QDir::Hidden,
                        QDirIterator::Subdirectories);
        int stores = 0;
        while (it.hasNext()) {
            const QString path = it.next();
            QFile f(path);
            QVERIFY(f.open(QIODevice::ReadOnly));
            artefacts << qMakePair(path, f.readAll());
            stores += path.endsWith(QLatin1String("audit.jsonl")) ||
                      path.endsWith(QLatin1String("history.sqlite"));
        }
        QCOMPARE(stores, 2);
        const QList<QPair<const char *, QByteArray>> canaries{
            {"ZooKeeper password", ZkPassword},
            {"keystore password", StorePassword},
            {"bearer token", Token},
            {"security.json body", SecurityCanary},
            {"private key bytes", m_cluster.keyCanary},
        };
        for (const auto &[where, bytes] : std::as_const(artefacts)) {
            for (const auto &[what, canary] : canaries)
                QVERIFY2(
                    !bytes.contains(canary),
                    qPrintable(QStringLiteral("%1 found in %2").arg(QLatin1String(what), where)));
        }
    }
};

OPSDECK_TEST_GUI_MAIN(TestSecretHygieneGui)
#include "tst_secrethygiene_gui.moc"
