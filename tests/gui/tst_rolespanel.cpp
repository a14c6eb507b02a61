// SPDX-License-Identifier: GPL-3.0-or-later
// The Node roles and Election docks: their models over hand-built trees (roles text, stale
// styling, in-place updates, filters, election order, what-if), then end to end with a real
// ZooKeeper and a Solr-shaped cluster driving the main window.
#include "activitylogpanel.h"
#include "common/activitylog.h"
#include "electionmodel.h"
#include "electionpanel.h"
#include "mainwindow.h"
#include "noderolesmodel.h"
#include "noderolespanel.h"
#include "roles/findings.h"
#include "roles/rolespec.h"
#include "rolescontroller.h"
#include "screenshot.h"
#include "solrsim.h"
#include "testmain.h"
#include "zookeeperserver.h"

#include <QAbstractItemModelTester>
#include <QCheckBox>
#include <QComboBox>
#include <QDockWidget>
#include <QFont>
#include <QItemSelectionModel>
#include <QLabel>
#include <QSignalSpy>
#include <QStatusBar>
#include <QTableView>
#include <QTemporaryDir>
#include <QTreeWidget>

using namespace opsdeck;
using namespace opsdeck::roles;
using namespace opsdeck::test;

namespace {

const QString kA = QStringLiteral("10.0.0.1:8983_solr");
const QString kB = QStringLiteral("10.0.0.2:8983_solr");
const QString kC = QStringLiteral("10.0.0.3:8983_solr");
const QString kD = QStringLiteral("10.0.0.4:8983_solr");

QString child(qint64 sid, const QString &node, qint32 seq)
{
    return QString::number(sid) + u'-' + node + QLatin1String("-n_") +
           QString::number(seq).rightJustified(10, u'0');
}

void live(SolrTree &t, const QString &node, qint64 sid)
{
    t.liveNodesExists = true;
    t.liveNodes.append({node, sid, 0});
}

void leaf(SolrTree &t, const QString &role, const QString &mode, const QString &node, qint64 sid)
{
    t.nodeRolesExists = true;
    t.roleLeaves[role][mode].append({node, sid, 0});
}

QString candidate(SolrTree &t, qint64 sid, const QString &node, qint32 seq)
{
    t.electionExists = true;
    const QString name = child(sid, node, seq);
    t.electionChildren.append({name, sid, 0});
    return name;
}

void setLeader(SolrTree &t, const QString &id, qint64 owner)
{
    t.leaderExists = true;
    t.leaderData = QByteArray("{\"id\":\"") + id.toUtf8() + QByteArray("\"}");
    t.leaderEphemeralOwner = owner;
}

// a: data:on overseer:preferred coordinator:off, leads; b: data:on overseer:allowed, no
// coordinator leaf, named in /roles.json; c: data:off overseer:disallowed coordinator:on.
SolrTree sampleTree()
{
    SolrTree t;
    live(t, kA, 101);
    leaf(t, role::data(), mode::on(), kA, 101);
    leaf(t, role::overseer(), mode::preferred(), kA, 101);
    leaf(t, role::coordinator(), mode::off(), kA, 101);
    live(t, kB, 102);
    leaf(t, role::data(), mode::on(), kB, 102);
    leaf(t, role::overseer(), mode::allowed(), kB, 102);
    live(t, kC, 103);
    leaf(t, role::data(), mode::off(), kC, 103);
    leaf(t, role::overseer(), mode::disallowed(), kC, 103);
    leaf(t, role::coordinator(), mode::on(), kC, 103);
    // Out of order on purpose: the model shows Solr's order.
    candidate(t, 102, kB, 7);
    const QString a = candidate(t, 101, kA, 3);
    setLeader(t, a, 101);
    t.rolesJsonExists = true;
    t.rolesJson = QByteArray("{\"overseer\":[\"") + kB.toUtf8() + QByteArray("\"]}");
    return t;
}

RolesSnapshot snap(const SolrTree &t)
{
    return buildSnapshot(t, QDateTime::currentDateTimeUtc());
}

QString cell(const QAbstractItemModel *m, int row, int column, int role = Qt::DisplayRole)
{
    return m->data(m->index(row, column), role).toString();
}

int rowOfNode(const QAbstractItemModel *m, const QString &node)
{
    for (int r = 0; r < m->rowCount(); ++r)
        if (cell(m, r, NodeRolesModel::NodeColumn) == node)
            return r;
    return -1;
}

ZkStatus connected()
{
    ZkStatus s;
    s.state = ZkSessionState::Connected;
    s.lastConfirmed = QDateTime::currentDateTimeUtc();
    return s;
}

bool logHas(const ActivityLog &log, Severity severity, const QString &text)
{
    const auto entries = log.entries();
    for (const ActivityEntry &e : entries)
        if (e.source == QLatin1String("roles") && e.severity == severity &&
            e.message.contains(text))
            return true;
    return false;
}

} // namespace

class TestRolesPanel : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;

private Q_SLOTS:
    void nodeRolesModel_showsRolesUnknownLeavesAndLegacyRolesJson()
    {
        NodeRolesModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        const RolesSnapshot s = snap(sampleTree());
        model.setSnapshot(s, evaluateFindings(s, {QDateTime::currentDateTimeUtc(), 60, {}}));
        QCOMPARE(model.rowCount(), 3);
        const int a = rowOfNode(&model, kA);
        const int b = rowOfNode(&model, kB);
        const int c = rowOfNode(&model, kC);
        QVERIFY(a >= 0 && b >= 0 && c >= 0);
        QCOMPARE(cell(&model, a, NodeRolesModel::LiveColumn), QStringLiteral("yes"));
        QCOMPARE(cell(&model, a, NodeRolesModel::DataColumn), QStringLiteral("on"));
        QCOMPARE(cell(&model, a, NodeRolesModel::OverseerColumn), QStringLiteral("preferred"));
        QCOMPARE(cell(&model, a, NodeRolesModel::CoordinatorColumn), QStringLiteral("off"));
        QCOMPARE(cell(&model, b, NodeRolesModel::CoordinatorColumn), QStringLiteral("?"));
        QCOMPARE(cell(&model, b, NodeRolesModel::OverseerColumn),
                 QStringLiteral("allowed (+roles.json)"));
        QCOMPARE(cell(&model, c, NodeRolesModel::CoordinatorColumn), QStringLiteral("on"));
        QCOMPARE(cell(&model, a, NodeRolesModel::SessionColumn), QStringLiteral("101"));
        // b has no coordinator leaf: a live_without_roles-style finding or at least the legacy
        // roles.json one shows as a badge with its severity colour.
        const QString bFindings = cell(&model, b, NodeRolesModel::FindingsColumn);
        QVERIFY2(bFindings.contains(QStringLiteral("legacy_roles_json")) || !bFindings.isEmpty(),
                 qPrintable(bFindings));
        QVERIFY(model.data(model.index(b, NodeRolesModel::FindingsColumn), Qt::DecorationRole)
                    .isValid());
        QVERIFY(model.data(model.index(b, NodeRolesModel::FindingsColumn), Qt::ForegroundRole)
                    .isValid());
        QVERIFY(!model.data(model.index(a, NodeRolesModel::NodeColumn), Qt::FontRole).isValid());
    }

    void nodeRolesModel_staleRowsAreGreyItalicWithSince()
    {
        NodeRolesModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setSnapshot(snap(sampleTree()), {});
        model.setStatus(connected());
        QVERIFY(!model.isStale());
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        ZkStatus stale;
        stale.state = ZkSessionState::Reconnecting;
        stale.lastConfirmed = QDateTime(QDate(2026, 3, 1), QTime(12, 34, 56), Qt::UTC);
        model.setStatus(stale);
        QVERIFY(model.isStale());
        QCOMPARE(changed.size(), 1);
        const QModelIndex i = model.index(0, NodeRolesModel::DataColumn);
        QVERIFY(model.data(i, Qt::FontRole).value<QFont>().italic());
        QCOMPARE(model.data(i, Qt::ForegroundRole).value<QColor>(), QColor(0x9c, 0xa3, 0xaf));
        const QString tip = model.data(i, Qt::ToolTipRole).toString();
        QVERIFY2(tip.startsWith(QStringLiteral("stale since ")), qPrintable(tip));
        QVERIFY2(
            tip.contains(stale.lastConfirmed.toLocalTime().toString(QStringLiteral("HH:mm:ss"))),
            qPrintable(tip));
        model.setStatus(connected());
        QVERIFY(!model.data(i, Qt::FontRole).isValid());
    }

    void nodeRolesModel_updatesInPlaceKeepingSelection()
    {
        NodeRolesModel model;
        NodeRolesFilter proxy;
        proxy.setSourceModel(&model);
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester proxyTester(
            &proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        proxy.sort(NodeRolesModel::NodeColumn);
        QTableView view;
        view.setModel(&proxy);
        view.setSelectionBehavior(QAbstractItemView::SelectRows);

        SolrTree t = sampleTree();
        model.setSnapshot(snap(t), {});
        QCOMPARE(model.rowCount(), 3);
        view.selectRow(rowOfNode(&proxy, kB));
        QCOMPARE(view.selectionModel()->selectedRows().size(), 1);

        QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);

        // Same tree again: nothing changes.
        model.setSnapshot(snap(t), {});
        QCOMPARE(changed.size(), 0);
        QCOMPARE(inserted.size() + removed.size() + resets.size(), 0);

        // d joins (sorted last), c leaves, b's coordinator leaf appears.
        live(t, kD, 104);
        leaf(t, role::data(), mode::on(), kD, 104);
        leaf(t, role::coordinator(), mode::off(), kB, 102);
        t.liveNodes.removeIf([](const ZnodeChild &z) { return z.name == kC; });
        for (auto &modes : t.roleLeaves)
            for (auto &leaves : modes)
                leaves.removeIf([](const ZnodeChild &z) { return z.name == kC; });
        model.setSnapshot(snap(t), {});
        QCOMPARE(resets.size(), 0);
        QCOMPARE(inserted.size(), 1);
        QCOMPARE(removed.size(), 1);
        QCOMPARE(model.rowCount(), 3);
        QVERIFY(changed.size() >= 1);
        const QModelIndexList selected = view.selectionModel()->selectedRows();
        QCOMPARE(selected.size(), 1);
        QCOMPARE(selected.first().data(NodeRolesModel::NodeNameRole).toString(), kB);
        QCOMPARE(cell(&model, model.rowOf(kB), NodeRolesModel::CoordinatorColumn),
                 QStringLiteral("off"));
        QCOMPARE(model.rowOf(kC), -1);
        QCOMPARE(cell(&model, model.rowOf(kD), NodeRolesModel::OverseerColumn),
                 QStringLiteral("?"));
    }

    void nodeRolesPanel_filtersByRoleAndModeAndGroupsByRole()
    {
        NodeRolesPanel panel(nullptr);
        QAbstractItemModelTester tester(panel.model(),
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester proxyTester(
            panel.filter(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        const RolesSnapshot s = snap(sampleTree());
        const QList<Finding> findings =
            evaluateFindings(s, {QDateTime::currentDateTimeUtc(), 60, {}});
        panel.showStatus(connected());
        panel.showSnapshot(s, findings);
        QAbstractItemModel *shown = panel.view()->model();
        QCOMPARE(shown->rowCount(), 3);

        auto choose = [](QComboBox *combo, const QString &value) {
            const int i = combo->findData(value);
            QVERIFY2(i >= 0, qPrintable(value));
            combo->setCurrentIndex(i);
        };
        choose(panel.roleCombo(), role::overseer());
        QCOMPARE(shown->rowCount(), 2); // preferred a, allowed b
        choose(panel.modeCombo(), mode::preferred());
        QCOMPARE(shown->rowCount(), 1);
        QCOMPARE(cell(shown, 0, NodeRolesModel::NodeColumn), kA);
        choose(panel.roleCombo(), role::coordinator());
        choose(panel.modeCombo(), NodeRolesFilter::unknownMode());
        QCOMPARE(shown->rowCount(), 1);
        QCOMPARE(cell(shown, 0, NodeRolesModel::NodeColumn), kB);
        choose(panel.roleCombo(), QString()); // any role
        choose(panel.modeCombo(), mode::off());
        QCOMPARE(shown->rowCount(), 2); // a coordinator:off, c data:off
        choose(panel.modeCombo(), QString());
        QCOMPARE(shown->rowCount(), 3);

        // The findings list: one line per finding, with its severity icon.
        QCOMPARE(panel.findingsList()->topLevelItemCount(), findings.size());
        QVERIFY(panel.findingsList()->topLevelItemCount() > 0);
        QVERIFY(!panel.findingsList()->topLevelItem(0)->icon(0).isNull());

        // Grouped as /api/cluster/node-roles: role -> mode -> nodes.
        panel.groupToggle()->setChecked(true);
        QTreeWidget *tree = panel.groupTree();
        QCOMPARE(tree->topLevelItemCount(), 3);
        QCOMPARE(tree->topLevelItem(0)->text(0), role::data());
        QTreeWidgetItem *overseer = nullptr;
        for (int i = 0; i < tree->topLevelItemCount(); ++i)
            if (tree->topLevelItem(i)->text(0) == role::overseer())
                overseer = tree->topLevelItem(i);
        QVERIFY(overseer);
        QStringList modes;
        for (int i = 0; i < overseer->childCount(); ++i)
            modes << overseer->child(i)->text(0) + QLatin1Char('=') +
                         QString::number(overseer->child(i)->childCount());
        QCOMPARE(modes, QStringList({QStringLiteral("allowed=1"), QStringLiteral("preferred=1"),
                                     QStringLiteral("disallowed=1")}));
        panel.resize(900, 520);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        QVERIFY(!saveScreenshot(&panel, QStringLiteral("roles-grouped")).isEmpty());
    }

    void electionModel_solrOrderLeaderMarkAndUnparsableNames()
    {
        ElectionModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        SolrTree t = sampleTree();
        t.electionChildren.append({QStringLiteral("not-a-candidate"), 5, 0});
        model.setSnapshot(snap(t));
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(cell(&model, 0, ElectionModel::NodeColumn), kA);
        QCOMPARE(cell(&model, 0, ElectionModel::SequenceColumn), QStringLiteral("3"));
        QCOMPARE(cell(&model, 0, ElectionModel::SessionColumn), QStringLiteral("101"));
        QCOMPARE(cell(&model, 0, ElectionModel::WatchesColumn), QStringLiteral("—"));
        QCOMPARE(cell(&model, 1, ElectionModel::NodeColumn), kB);
        QCOMPARE(cell(&model, 1, ElectionModel::ZnodeColumn), child(102, kB, 7));
        QCOMPARE(cell(&model, 1, ElectionModel::WatchesColumn), child(101, kA, 3));
        QCOMPARE(model.leaderRow(), 0);
        QVERIFY(model.data(model.index(0, 0), ElectionModel::IsLeaderRole).toBool());
        QVERIFY(model.data(model.index(0, 1), Qt::FontRole).value<QFont>().bold());
        QVERIFY(cell(&model, 0, ElectionModel::NoteColumn).startsWith(QStringLiteral("leader")));
        QVERIFY(!model.data(model.index(1, 1), ElectionModel::IsLeaderRole).toBool());
        // The unparsable name comes last, with its error.
        QCOMPARE(cell(&model, 2, ElectionModel::ZnodeColumn), QStringLiteral("not-a-candidate"));
        QVERIFY2(
            cell(&model, 2, ElectionModel::NoteColumn).startsWith(QStringLiteral("unparsable")),
            qPrintable(cell(&model, 2, ElectionModel::NoteColumn)));
    }

    void electionPanel_whatIfFollowsTheChosenNode()
    {
        ElectionPanel panel(nullptr);
        QAbstractItemModelTester tester(panel.model(),
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        const RolesSnapshot s = snap(sampleTree());
        panel.showSnapshot(s);
        QCOMPARE(panel.whatIfCombo()->currentText(), QStringLiteral("current leader"));
        const WhatIf leader = whatIfDies(s);
        QVERIFY(!leader.explanation.isEmpty());
        QVERIFY2(panel.whatIfLabel()->text().startsWith(leader.explanation),
                 qPrintable(panel.whatIfLabel()->text()));
        QVERIFY2(panel.whatIfLabel()->text().contains(leader.successor),
                 qPrintable(panel.whatIfLabel()->text()));
        QVERIFY(panel.leaderLabel()->text().contains(kA));

        panel.whatIfCombo()->setCurrentIndex(panel.whatIfCombo()->findData(kB));
        const WhatIf b = whatIfDies(s, kB);
        QVERIFY2(panel.whatIfLabel()->text().startsWith(b.explanation),
                 qPrintable(panel.whatIfLabel()->text()));
        // A new snapshot keeps the choice.
        panel.showSnapshot(s);
        QCOMPARE(panel.whatIfCombo()->currentData().toString(), kB);
    }

    void endToEnd_liveClusterFillsBothDocksAndFollowsTheLeader()
    {
        ZooKeeperServer zk;
        const auto started = zk.start();
        QVERIFY2(started, started ? "" : qPrintable(started.error().toString()));
        const QString connect = zk.connectString() + QStringLiteral("/solr");
        SolrClusterSim sim(connect);
        const auto boot = sim.bootstrap();
        QVERIFY2(boot, boot ? "" : qPrintable(boot.error().toString()));
        auto spec = [](const QString &host, int port, const QString &roles) {
            SolrNodeSpec s;
            s.host = host;
            s.port = port;
            s.rolesSpec = roles;
            s.sessionTimeoutMs = 4000;
            return s;
        };
        const auto n1 = sim.startNode(spec(QStringLiteral("solr-1.demo.internal"), 8983,
                                           QStringLiteral("data:on,overseer:preferred")));
        QVERIFY(n1);
        QVERIFY(sim.startNode(spec(QStringLiteral("solr-2.demo.internal"), 8983, {})));
        QVERIFY(sim.startNode(spec(QStringLiteral("solr-3.demo.internal"), 8983, {})));
        QVERIFY(sim.startNode(spec(QStringLiteral("solr-4.demo.internal"), 8983,
                                   QStringLiteral("data:on,overseer:disallowed"))));
        const auto coord = sim.startNode(spec(QStringLiteral("solr-coord.demo.internal"), 8983,
                                              QStringLiteral("coordinator:on,data:off")));
        QVERIFY(coord);
        QVERIFY(
            sim.addCollection(QStringLiteral("orders"),
                              {{QStringLiteral("shard1"), {sim.nodeName(1), sim.nodeName(2)}},
                               {QStringLiteral("shard2"), {sim.nodeName(2), sim.nodeName(3)}}}));
        QTRY_COMPARE_WITH_TIMEOUT(sim.leaderNode(), sim.nodeName(0), 15000);

        ActivityLog log;
        MainWindowSetup setup;
        setup.log = &log;
        setup.configPath = m_dir.filePath(QStringLiteral("profiles.json"));
        setup.historyError = QStringLiteral("history not opened in this test");
        setup.settingsPath = m_dir.filePath(QStringLiteral("layout-e2e.ini"));
        setup.jobs.auditPath = m_dir.filePath(QStringLiteral("audit.jsonl"));
        setup.useSystemTray = false;
        setup.roles.preferredGraceSeconds = 1;
        Profile p;
        p.name = QStringLiteral("solr-demo");
        p.zookeeper.connectString = connect;
        p.zookeeper.sessionTimeoutMs = 4000;
        setup.profiles.profiles << p;
        setup.activeProfile = p.name;
        MainWindow window(setup);
        NodeRolesPanel *roles = window.nodeRolesPanel();
        ElectionPanel *election = window.electionPanel();
        QVERIFY(roles && election);
        QAbstractItemModelTester t1(roles->model(),
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester t2(roles->filter(),
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester t3(election->model(),
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(window.rolesController()->isActive());

        QTRY_COMPARE_WITH_TIMEOUT(roles->model()->rowCount(), 5, 15000);
        QTRY_COMPARE_WITH_TIMEOUT(election->model()->rowCount(), 3,
                                  15000); // disallowed: no candidate
        QTRY_COMPARE_WITH_TIMEOUT(election->model()->leaderRow(), 0, 15000);
        QCOMPARE(election->model()->candidateAt(0).node, sim.nodeName(0));
        QTRY_VERIFY_WITH_TIMEOUT(window.statusBar()
                                     ->findChild<QLabel *>(QStringLiteral("statusZooKeeper"))
                                     ->text()
                                     .contains(QStringLiteral("connected")),
                                 10000);
        const int coordRow = roles->model()->rowOf(sim.nodeName(coord.value()));
        QVERIFY(coordRow >= 0);
        QCOMPARE(cell(roles->model(), coordRow, NodeRolesModel::CoordinatorColumn),
                 QStringLiteral("on"));
        QCOMPARE(cell(roles->model(), roles->model()->rowOf(sim.nodeName(2)),
                      NodeRolesModel::ReplicasColumn),
                 QStringLiteral("2"));

        // A finding appears: a data:off node gets a replica.
        QVERIFY(sim.addCollection(QStringLiteral("misplaced"),
                                  {{QStringLiteral("shard1"), {sim.nodeName(coord.value())}}}));
        QTRY_VERIFY_WITH_TIMEOUT(
            logHas(log, Severity::Warning, QStringLiteral("data_off_hosts_replicas")), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(cell(roles->model(), coordRow, NodeRolesModel::FindingsColumn)
                                     .contains(QStringLiteral("data_off_hosts_replicas")),
                                 10000);
        // ... once per change, not on every snapshot.
        QVERIFY(sim.addCollection(QStringLiteral("other"),
                                  {{QStringLiteral("shard1"), {sim.nodeName(1)}}}));
        QTRY_COMPARE_WITH_TIMEOUT(cell(roles->model(), roles->model()->rowOf(sim.nodeName(1)),
                                       NodeRolesModel::ReplicasColumn),
                                  QStringLiteral("2"), 10000);
        int logged = 0;
        for (const ActivityEntry &e : log.entries())
            logged += e.message.contains(QStringLiteral("data_off_hosts_replicas")) ? 1 : 0;
        QCOMPARE(logged, 1);

        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        auto dock = [&window](const QString &name) {
            return window.findChild<QDockWidget *>(name, Qt::FindDirectChildrenOnly);
        };
        QVERIFY(dock(QStringLiteral("nodeRolesDock")));
        QVERIFY(dock(QStringLiteral("electionDock")));
        dock(QStringLiteral("nodeRolesDock"))->raise();
        dock(QStringLiteral("activityDock"))->raise();
        QTest::qWait(50); // let the raised tabs paint (not a synchronisation)
        const QString rolesShot = saveScreenshot(&window, QStringLiteral("roles"));
        QVERIFY(!rolesShot.isEmpty());
        qInfo("screenshot: %s", qPrintable(rolesShot));

        // The leader dies: the next in line takes over and the Election dock follows.
        const QString oldLeader = sim.nodeName(n1.value());
        sim.killNode(n1.value());
        QTRY_VERIFY_WITH_TIMEOUT(election->model()->rowCount() == 2 &&
                                     election->model()->leaderRow() == 0 &&
                                     election->model()->candidateAt(0).node != oldLeader,
                                 15000);
        QCOMPARE(election->model()->candidateAt(0).node, sim.leaderNode());
        QTRY_VERIFY_WITH_TIMEOUT(election->leaderLabel()->text().contains(sim.leaderNode()), 10000);
        QTRY_COMPARE_WITH_TIMEOUT(roles->model()->rowCount(), 4, 10000);
        // What if the new leader dies too: the label answers for the current leader.
        QTRY_VERIFY_WITH_TIMEOUT(election->whatIfLabel()->text().startsWith(
                                     whatIfDies(window.rolesController()->snapshot()).explanation),
                                 10000);
        // The preferred node comes back: the prioritizer moves it to the head and it leads again.
        QVERIFY(sim.restartNode(n1.value()));
        QTRY_VERIFY_WITH_TIMEOUT(
            election->model()->rowCount() == 3 && election->model()->leaderRow() >= 0 &&
                election->model()->candidateAt(election->model()->leaderRow()).node == oldLeader,
            15000);
        QTRY_COMPARE_WITH_TIMEOUT(roles->model()->rowCount(), 5, 10000);
        election->whatIfCombo()->setCurrentIndex(
            election->whatIfCombo()->findData(sim.nodeName(2)));
        dock(QStringLiteral("electionDock"))->raise();
        QTest::qWait(50); // let the raised tab paint (not a synchronisation)
        const QString shot = saveScreenshot(&window, QStringLiteral("election"));
        QVERIFY(!shot.isEmpty());
        qInfo("screenshot: %s", qPrintable(shot));

        // ZooKeeper goes away: both docks turn stale (never shown as live), the badge says so;
        // when it is back the view is live again.
        auto *badge = window.statusBar()->findChild<QLabel *>(QStringLiteral("statusZooKeeper"));
        zk.stop();
        QTRY_VERIFY_WITH_TIMEOUT(roles->model()->isStale(), 15000);
        QTRY_VERIFY_WITH_TIMEOUT(badge->text().contains(QStringLiteral("stale")), 10000);
        const QString tip =
            roles->model()
                ->data(roles->model()->index(0, NodeRolesModel::DataColumn), Qt::ToolTipRole)
                .toString();
        QVERIFY2(tip.startsWith(QStringLiteral("stale since ")), qPrintable(tip));
        QVERIFY(election->model()
                    ->data(election->model()->index(0, ElectionModel::NodeColumn), Qt::FontRole)
                    .value<QFont>()
                    .italic());
        QVERIFY(roles->summaryLabel()->text().contains(QStringLiteral("stale")));
        const auto restarted = zk.start();
        QVERIFY2(restarted, restarted ? "" : qPrintable(restarted.error().toString()));
        QTRY_VERIFY_WITH_TIMEOUT(!roles->model()->isStale(), 20000);
        QTRY_VERIFY_WITH_TIMEOUT(badge->text().contains(QStringLiteral("connected")), 10000);
        QVERIFY(!badge->text().contains(QStringLiteral("stale")));
    }
};

OPSDECK_TEST_GUI_MAIN(TestRolesPanel)
#include "tst_rolespanel.moc"
