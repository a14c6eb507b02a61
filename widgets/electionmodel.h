// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "roles/rolesnapshot.h"
#include "roles/solrwatcher.h"

#include <QAbstractTableModel>

namespace opsdeck {

// The Overseer election queue of the last snapshot, in Solr's order (sequence, then name;
// unparsable names last): position, node, session id, sequence, znode, the znode it watches and a
// note (the leader, a parse error, what Solr would mis-read). The leader's row is bold with a
// "leader" badge. Stale rows (ZooKeeper not live) are greyed and italic. Lives on the GUI thread.
class ElectionModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Columns
    {
        PositionColumn,
        NodeColumn,
        SessionColumn,
        SequenceColumn,
        ZnodeColumn,
        WatchesColumn,
        NoteColumn,
        ColumnCount
    };
    enum Roles
    {
        IsLeaderRole = Qt::UserRole + 1, // bool
        ZnodeRole,                       // QString
    };

    explicit ElectionModel(QObject *parent = nullptr);

    void setSnapshot(const roles::RolesSnapshot &snapshot);
    void setStatus(const roles::ZkStatus &status);
    void clear();

    const roles::ElectionCandidate &candidateAt(int row) const { return m_queue.at(row); }
    bool isLeaderRow(int row) const;
    int leaderRow() const; // -1 when no candidate is the leader

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    QString noteText(const roles::ElectionCandidate &c, bool leader) const;

    QList<roles::ElectionCandidate> m_queue;
    roles::LeaderInfo m_leader;
    bool m_stale = false;
    QDateTime m_lastConfirmed;
};

} // namespace opsdeck
