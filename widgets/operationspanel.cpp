// SPDX-License-Identifier: GPL-3.0-or-later
#include "operationspanel.h"

#include "operationsmodel.h"

#include <QAction>
#include <QClipboard>
#include <QGuiApplication>
#include <QHeaderView>
#include <QLabel>
#include <QTableView>
#include <QVBoxLayout>

namespace opsdeck {

OperationsPanel::OperationsPanel(QWidget *parent)
    : QWidget(parent)
    , m_model(new OperationsModel(OperationsModel::DefaultCapacity, this))
    , m_summary(new QLabel(this))
    , m_view(new QTableView(this))
{
    m_summary->setObjectName(QStringLiteral("operationsSummary"));
    m_summary->setStyleSheet(QStringLiteral("color: #6b7280;"));

    m_view->setObjectName(QStringLiteral("operationsView"));
    m_view->setModel(m_model);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->setAlternatingRowColors(true);
    m_view->setWordWrap(false);
    m_view->setTextElideMode(Qt::ElideMiddle);
    m_view->verticalHeader()->hide();
    m_view->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 6);
    QHeaderView *header = m_view->horizontalHeader();
    header->setHighlightSections(false);
    header->setSectionResizeMode(QHeaderView::Interactive);
    const int digit = m_view->fontMetrics().horizontalAdvance(QLatin1Char('0'));
    header->resizeSection(OperationsModel::StartedColumn, digit * 21);
    header->resizeSection(OperationsModel::KindColumn, digit * 11);
    header->resizeSection(OperationsModel::JobColumn, digit * 22);
    header->resizeSection(OperationsModel::StateColumn, digit * 12);
    header->resizeSection(OperationsModel::ElapsedColumn, digit * 10);
    header->resizeSection(OperationsModel::ResultColumn, digit * 48);
    header->setStretchLastSection(true);

    // Copy what operators need next: the savepoint path (or failure) and the trigger id.
    auto copyColumn = [this](const QString &objectName, const QString &label, int column,
                             const QKeySequence &shortcut) {
        auto *action = new QAction(label, m_view);
        action->setObjectName(objectName);
        if (!shortcut.isEmpty()) {
            action->setShortcut(shortcut);
            action->setShortcutContext(Qt::WidgetShortcut);
        }
        connect(action, &QAction::triggered, this, [this, column] {
            const QModelIndex current = m_view->currentIndex();
            if (current.isValid())
                QGuiApplication::clipboard()->setText(
                    current.siblingAtColumn(column).data().toString());
        });
        m_view->addAction(action);
    };
    copyColumn(QStringLiteral("operationsCopyLocation"), tr("Copy location / failure"),
               OperationsModel::ResultColumn, QKeySequence::Copy);
    copyColumn(QStringLiteral("operationsCopyTrigger"), tr("Copy trigger id"),
               OperationsModel::TriggerColumn, {});
    m_view->setContextMenuPolicy(Qt::ActionsContextMenu);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(m_summary);
    layout->addWidget(m_view, 1);

    connect(m_model, &QAbstractItemModel::rowsInserted, this, &OperationsPanel::updateSummary);
    connect(m_model, &QAbstractItemModel::rowsRemoved, this, &OperationsPanel::updateSummary);
    connect(m_model, &QAbstractItemModel::modelReset, this, &OperationsPanel::updateSummary);
    connect(m_model, &QAbstractItemModel::dataChanged, this,
            [this](const QModelIndex &topLeft, const QModelIndex &bottomRight) {
                if (topLeft.column() <= OperationsModel::StateColumn &&
                    bottomRight.column() >= OperationsModel::StateColumn)
                    updateSummary();
            });
    updateSummary();
}

void OperationsPanel::updateSummary()
{
    const int total = m_model->rowCount();
    const int running = m_model->inProgressCount();
    if (total == 0)
        m_summary->setText(tr("No savepoint, stop or disposal operations yet."));
    else
        m_summary->setText(tr("%n operation(s)", nullptr, total) +
                           tr(", %n in progress", nullptr, running));
}

} // namespace opsdeck
