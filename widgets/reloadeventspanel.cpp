// SPDX-License-Identifier: GPL-3.0-or-later
#include "reloadeventspanel.h"

#include "reloadeventsmodel.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QTableView>
#include <QVBoxLayout>

namespace opsdeck {

ReloadEventsPanel::ReloadEventsPanel(QWidget *parent)
    : QWidget(parent)
    , m_model(new ReloadEventsModel(ReloadEventsModel::DefaultCapacity, this))
    , m_filter(new ReloadEventsFilter(this))
    , m_bundle(new QComboBox(this))
    , m_kind(new QComboBox(this))
    , m_count(new QLabel(this))
    , m_view(new QTableView(this))
{
    m_filter->setSourceModel(m_model);

    m_bundle->setObjectName(QStringLiteral("reloadEventsBundleFilter"));
    m_bundle->addItem(tr("All bundles"), QString());
    m_bundle->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_bundle->setMinimumContentsLength(28);
    connect(m_bundle, &QComboBox::currentIndexChanged, this, [this](int index) {
        m_filter->setBundle(m_bundle->itemData(index).toString());
        updateCount();
    });

    m_kind->setObjectName(QStringLiteral("reloadEventsKindFilter"));
    m_kind->addItem(tr("All events"), QString());
    using K = tls::ReloadEventKind;
    for (K kind : {K::Changed, K::Pending, K::Invalid, K::Recovered, K::SourceUnavailable,
                   K::Status, K::Served, K::WatchDegraded, K::Snapshot}) {
        const QString name = tls::reloadEventKindName(kind);
        m_kind->addItem(name, name);
    }
    connect(m_kind, &QComboBox::currentIndexChanged, this, [this](int index) {
        m_filter->setKind(m_kind->itemData(index).toString());
        updateCount();
    });

    m_count->setObjectName(QStringLiteral("reloadEventsCount"));
    m_count->setStyleSheet(QStringLiteral("color: #6b7280;"));

    auto *toolbar = new QHBoxLayout;
    toolbar->setContentsMargins(0, 0, 0, 0);
    auto *bundleLabel = new QLabel(tr("Bundle:"), this);
    bundleLabel->setBuddy(m_bundle);
    auto *kindLabel = new QLabel(tr("Event:"), this);
    kindLabel->setBuddy(m_kind);
    toolbar->addWidget(bundleLabel);
    toolbar->addWidget(m_bundle);
    toolbar->addSpacing(8);
    toolbar->addWidget(kindLabel);
    toolbar->addWidget(m_kind);
    toolbar->addStretch(1);
    toolbar->addWidget(m_count);

    m_view->setObjectName(QStringLiteral("reloadEventsView"));
    m_view->setModel(m_filter);
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
    header->setSectionResizeMode(ReloadEventsModel::TimeColumn, QHeaderView::ResizeToContents);
    header->setSectionResizeMode(ReloadEventsModel::BundleColumn, QHeaderView::Interactive);
    header->setSectionResizeMode(ReloadEventsModel::EventColumn, QHeaderView::ResizeToContents);
    header->resizeSection(ReloadEventsModel::BundleColumn, 260);
    header->setStretchLastSection(true);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(toolbar);
    layout->addWidget(m_view, 1);

    connect(m_model, &ReloadEventsModel::bundleSeen, this, &ReloadEventsPanel::addBundle);
    connect(m_filter, &QAbstractItemModel::rowsInserted, this, &ReloadEventsPanel::updateCount);
    connect(m_filter, &QAbstractItemModel::rowsRemoved, this, &ReloadEventsPanel::updateCount);
    connect(m_filter, &QAbstractItemModel::modelReset, this, &ReloadEventsPanel::updateCount);
    updateCount();
}

void ReloadEventsPanel::addBundle(const QString &bundle)
{
    if (m_bundle->findData(bundle) >= 0)
        return;
    // Keep the paths sorted after "All bundles".
    int at = 1;
    while (at < m_bundle->count() && m_bundle->itemData(at).toString() < bundle)
        ++at;
    m_bundle->insertItem(at, bundle, bundle);
    m_bundle->setItemData(at, bundle, Qt::ToolTipRole);
}

void ReloadEventsPanel::updateCount()
{
    const int shown = m_filter->rowCount();
    const int total = m_model->rowCount();
    m_count->setText(shown == total ? tr("%n event(s)", nullptr, total)
                                    : tr("%1 of %n event(s)", nullptr, total).arg(shown));
}

} // namespace opsdeck
