// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "health/healthreport.h"

#include <QAbstractTableModel>
#include <QColor>
#include <QIcon>
#include <QSortFilterProxyModel>

namespace opsdeck {

// The colours of a health state: the lamp fill (traffic light) and the text colour of the state
// name. OK green, WARNING amber, CRITICAL red, UNKNOWN grey.
QColor healthLampColor(health::State state);
QColor healthTextColor(health::State state);
QIcon healthStateIcon(health::State state); // a small dot in the lamp colour
// Severity for sorting and "worst": OK 0 < WARNING 1 < UNKNOWN 2 < CRITICAL 3 (as worse()).
int healthSeverityRank(health::State state);

// One row per check item of the last report. A new report updates the rows in place, keyed by
// module + code + subject (inserted/removed rows for items that came or went, dataChanged for
// changed ones), so the view keeps its selection and sort across the periodic runs. Rows are
// kept in module order (certs, jobs, roles, fleet), then by subject and code. Lives on the GUI
// thread.
class HealthModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Columns
    {
        StateColumn,
        ModuleColumn,
        SubjectColumn,
        MessageColumn,
        ColumnCount
    };
    enum Roles
    {
        SortRole = Qt::UserRole + 1, // state by severity, module by module order, else the text
        StateRole,                   // int health::State
        CodeRole,                    // QString check code
        KeyRole,                     // QString module/code/subject
    };

    explicit HealthModel(QObject *parent = nullptr);

    void setItems(const QList<health::CheckItem> &items);
    void clear();

    const health::CheckItem &itemAt(int row) const { return m_rows.at(row).item; }
    int rowOf(const QString &module, const QString &code, const QString &subject) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    struct Row
    {
        health::CheckItem item;
        QString key;
    };
    static QString keyOf(const health::CheckItem &item);
    static bool lessThan(const Row &a, const Row &b);
    static bool sameShown(const health::CheckItem &a, const health::CheckItem &b);

    QList<Row> m_rows;
};

// Sorts the health items by HealthModel::SortRole (ties by module order, then subject).
class HealthSortModel : public QSortFilterProxyModel
{
    Q_OBJECT
public:
    explicit HealthSortModel(QObject *parent = nullptr);

protected:
    bool lessThan(const QModelIndex &left, const QModelIndex &right) const override;
};

} // namespace opsdeck
