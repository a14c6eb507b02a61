// SPDX-License-Identifier: GPL-3.0-or-later
#include "activitylogpanel.h"

#include "activitylogmodel.h"
#include "common/activitylog.h"

#include <QAction>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QScrollBar>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

namespace opsdeck {

ActivityLogPanel::ActivityLogPanel(ActivityLog *log, QWidget *parent)
    : QWidget(parent)
    , m_model(new ActivityLogModel(log ? log->capacity() : ActivityLog::DefaultCapacity, this))
    , m_filter(new ActivitySeverityFilter(this))
    , m_view(new QTableView(this))
    , m_severity(new QComboBox(this))
{
    m_filter->setSourceModel(m_model);

    m_severity->setObjectName(QStringLiteral("activitySeverityFilter"));
    m_severity->addItem(tr("All entries"), static_cast<int>(Severity::Info));
    m_severity->addItem(tr("Warnings and errors"), static_cast<int>(Severity::Warning));
    m_severity->addItem(tr("Errors only"), static_cast<int>(Severity::Error));
    connect(m_severity, &QComboBox::currentIndexChanged, this, [this](int index) {
        m_filter->setMinimumSeverity(static_cast<Severity>(m_severity->itemData(index).toInt()));
        m_view->scrollToBottom();
    });

    auto *clearAction = new QAction(tr("Clear view"), this);
    clearAction->setObjectName(QStringLiteral("activityClearView"));
    clearAction->setToolTip(tr("Empty this view (the log itself keeps its entries)"));
    connect(clearAction, &QAction::triggered, m_model, &ActivityLogModel::clear);
    auto *clearButton = new QToolButton(this);
    clearButton->setDefaultAction(clearAction);

    auto *toolbar = new QHBoxLayout;
    toolbar->setContentsMargins(0, 0, 0, 0);
    auto *showLabel = new QLabel(tr("Show:"), this);
    showLabel->setBuddy(m_severity);
    toolbar->addWidget(showLabel);
    toolbar->addWidget(m_severity);
    toolbar->addStretch(1);
    toolbar->addWidget(clearButton);

    m_view->setObjectName(QStringLiteral("activityView"));
    m_view->setModel(m_filter);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->setAlternatingRowColors(true);
    m_view->setWordWrap(false);
    m_view->setTextElideMode(Qt::ElideRight);
    m_view->verticalHeader()->hide();
    m_view->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 6);
    QHeaderView *header = m_view->horizontalHeader();
    header->setHighlightSections(false);
    header->setSectionResizeMode(ActivityLogModel::TimeColumn, QHeaderView::ResizeToContents);
    header->setSectionResizeMode(ActivityLogModel::SeverityColumn, QHeaderView::ResizeToContents);
    header->setSectionResizeMode(ActivityLogModel::SourceColumn, QHeaderView::ResizeToContents);
    header->setStretchLastSection(true);

    // Follow new entries while the view is scrolled to the end; stay put when the operator
    // scrolled up to read something.
    QScrollBar *bar = m_view->verticalScrollBar();
    connect(bar, &QScrollBar::valueChanged, this,
            [this, bar](int value) { m_follow = value >= bar->maximum(); });
    connect(m_filter, &QAbstractItemModel::rowsAboutToBeInserted, this,
            [this, bar] { m_follow = bar->value() >= bar->maximum(); });
    connect(m_filter, &QAbstractItemModel::rowsInserted, this, [this] {
        if (m_follow)
            m_view->scrollToBottom();
    });

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(toolbar);
    layout->addWidget(m_view, 1);

    if (log)
        m_model->attach(log);
}

} // namespace opsdeck
