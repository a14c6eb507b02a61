// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "health/fleet.h"

#include <QAbstractTableModel>
#include <QColor>

namespace opsdeck {

// One row per fleet target (Solr node or HTTPS REST endpoint) of the last FleetStatus: the node,
// the leaf it serves (short fingerprint, the full one in the tooltip), whether that is the
// bundle's leaf on disk (✓ / ✗ not reloaded / ✗ differs / ? error), the served leaf's notAfter,
// when it was last probed and the probe error. A new status updates the rows in place (rows
// inserted/removed for targets that came or went, dataChanged for the changed cells), so a probe
// round never resets the view. Lives on the GUI thread.
class RolloutModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Columns
    {
        NodeColumn,
        FingerprintColumn,
        MatchColumn,
        NotAfterColumn,
        LastProbedColumn,
        ErrorColumn,
        ColumnCount
    };
    enum Roles
    {
        SortRole = Qt::UserRole + 1, // dates as dates, the match by severity
        MatchRole,                   // int tls::DiskMatch
        FullFingerprintRole,         // QString, lowercase hex SHA-256 of the served leaf
        NodeNameRole,                // QString target node
    };

    explicit RolloutModel(QObject *parent = nullptr);

    void setStatus(const health::FleetStatus &status);
    void clear();
    const health::FleetStatus &status() const { return m_status; }
    const health::FleetNodeStatus &nodeAt(int row) const { return m_status.nodes.at(row); }
    int rowOf(const QString &node) const;

    // "3f2a9c1b…e07d" for a SHA-256; "" for "".
    static QString shortFingerprint(const QString &sha256);
    // "✓", "✗ not reloaded", "✗ differs", "? error", "probing…", "" (not probed yet).
    static QString matchText(const health::FleetNodeStatus &node);
    static QColor matchColor(const health::FleetNodeStatus &node);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    static QString keyOf(const health::FleetNodeStatus &node);
    QVariant display(const health::FleetNodeStatus &node, int column) const;
    QStringList shown(const health::FleetNodeStatus &node) const; // every column's text

    health::FleetStatus m_status;
};

} // namespace opsdeck
