// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "roles/rolesnapshot.h"
#include "roles/solrwatcher.h"

#include <QAbstractTableModel>
#include <QColor>
#include <QIcon>
#include <QSortFilterProxyModel>

namespace opsdeck {

QColor findingSeverityColor(roles::Finding::Severity severity);
QIcon findingSeverityIcon(roles::Finding::Severity severity); // a small dot in that colour

// One row per SolrCloud node of the last snapshot, sorted by name. A new snapshot updates the
// rows in place (inserted/removed rows for a changed node set, dataChanged for changed rows), so
// views keep their selection. While the ZooKeeper session is not live every row is shown greyed
// and italic with "stale since <time>". Lives on the GUI thread.
class NodeRolesModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Columns
    {
        NodeColumn,
        LiveColumn,
        DataColumn,
        OverseerColumn,
        CoordinatorColumn,
        ReplicasColumn,
        FindingsColumn,
        SessionColumn,
        ColumnCount
    };
    enum Roles
    {
        NodeNameRole = Qt::UserRole + 1, // QString
        SortRole,                        // numbers as numbers
        WorstSeverityRole,               // int Finding::Severity, -1 without findings
        FindingCodesRole,                // QStringList
    };

    explicit NodeRolesModel(QObject *parent = nullptr);

    // The node's findings are those whose node is the node's name.
    void setSnapshot(const roles::RolesSnapshot &snapshot, const QList<roles::Finding> &findings);
    void setStatus(const roles::ZkStatus &status);
    void clear();

    bool isStale() const { return m_stale; }
    const roles::NodeInfo &nodeAt(int row) const { return m_rows.at(row).node; }
    const QList<roles::Finding> &findingsAt(int row) const { return m_rows.at(row).findings; }
    int rowOf(const QString &node) const;

    // "allowed", "?" without a leaf, "allowed (+roles.json)" when the legacy /roles.json also
    // names the node, "on | off (conflict)" when several leaves exist.
    static QString roleText(const roles::NodeInfo &node, const QString &role);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    struct Row
    {
        roles::NodeInfo node;
        QList<roles::Finding> findings;
        QString signature; // every shown text, to tell a changed row
    };
    static QString signatureOf(const Row &row);
    QString staleText() const;

    QList<Row> m_rows;
    bool m_stale = false;
    QDateTime m_lastConfirmed;
};

// Filters the node table by role and mode. role empty: any role; mode empty: any mode.
//  - role R, any mode: nodes for which R is on, allowed or preferred;
//  - role R, mode M: R's leaf is M ("unknown": no leaf for R);
//  - any role, mode M: some role (data, overseer, coordinator) is M ("unknown": one has no leaf).
class NodeRolesFilter : public QSortFilterProxyModel
{
    Q_OBJECT
public:
    explicit NodeRolesFilter(QObject *parent = nullptr);

    void setRoleFilter(const QString &role);
    void setModeFilter(const QString &mode);
    QString roleFilter() const { return m_role; }
    QString modeFilter() const { return m_mode; }

    static QString unknownMode() { return QStringLiteral("unknown"); }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    QString m_role;
    QString m_mode;
};

} // namespace opsdeck
