// SPDX-License-Identifier: GPL-3.0-or-later
#include "healthpanel.h"

#include "healthcontroller.h"
#include "healthmodel.h"

#include <QFrame>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QPainter>
#include <QPixmap>
#include <QPushButton>
#include <QTableView>
#include <QVBoxLayout>

namespace opsdeck {

using health::State;

namespace {

constexpr int LampSize = 22;
const QColor NotConfiguredColor(0xd1, 0xd5, 0xdb);

QString moduleTitle(const QString &module)
{
    if (module == QLatin1String("certs"))
        return HealthPanel::tr("Certificates");
    if (module == QLatin1String("jobs"))
        return HealthPanel::tr("Jobs");
    if (module == QLatin1String("roles"))
        return HealthPanel::tr("Node roles");
    if (module == QLatin1String("fleet"))
        return HealthPanel::tr("Fleet");
    return module;
}

QPixmap lampPixmap(const QColor &color, qreal dpr)
{
    QPixmap pixmap(QSize(LampSize, LampSize) * dpr);
    pixmap.setDevicePixelRatio(dpr);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setPen(QPen(color.darker(140), 1.2));
    QRadialGradient gradient(QPointF(LampSize * 0.38, LampSize * 0.35), LampSize * 0.6);
    gradient.setColorAt(0, color.lighter(135));
    gradient.setColorAt(1, color);
    painter.setBrush(gradient);
    painter.drawEllipse(QRectF(1.5, 1.5, LampSize - 3, LampSize - 3));
    return pixmap;
}

QString durationText(qint64 ms)
{
    if (ms < 0)
        return QString();
    if (ms < 1000)
        return HealthPanel::tr("%1 ms").arg(ms);
    return HealthPanel::tr("%1 s").arg(QLocale::c().toString(double(ms) / 1000.0, 'f', 1));
}

QString timeText(const QDateTime &utc)
{
    return utc.toLocalTime().toString(QStringLiteral("HH:mm:ss"));
}

} // namespace

// --- HealthLight ------------------------------------------------------------------------------

HealthLight::HealthLight(const QString &module, QWidget *parent)
    : QWidget(parent)
    , m_module(module)
    , m_lamp(new QLabel(this))
    , m_title(new QLabel(this))
    , m_summary(new QLabel(this))
{
    setObjectName(QStringLiteral("healthLight_") + module);
    m_lamp->setObjectName(QStringLiteral("healthLamp_") + module);
    m_lamp->setFixedSize(LampSize, LampSize);
    m_title->setObjectName(QStringLiteral("healthState_") + module);
    m_title->setTextFormat(Qt::RichText);
    m_summary->setObjectName(QStringLiteral("healthSummary_") + module);
    m_summary->setWordWrap(true);
    m_summary->setTextFormat(Qt::PlainText);
    m_summary->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    // Room for a wrapped second line in every light, so the row does not jump between runs.
    m_summary->setMinimumHeight(2 * m_summary->fontMetrics().lineSpacing());

    auto *text = new QVBoxLayout;
    text->setSpacing(2);
    text->addWidget(m_title);
    text->addWidget(m_summary, 1);
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(6, 4, 6, 4);
    layout->addWidget(m_lamp, 0, Qt::AlignTop);
    layout->addLayout(text, 1);
    setUnchecked(tr("not checked yet"));
}

void HealthLight::setResult(State state, bool configured, const QString &summary)
{
    const QString stateName = configured ? health::stateName(state) : tr("not configured");
    m_color = configured ? healthLampColor(state) : NotConfiguredColor;
    const QColor text = configured ? healthTextColor(state) : healthTextColor(State::Unknown);
    m_lamp->setPixmap(lampPixmap(m_color, devicePixelRatioF()));
    m_title->setText(
        QStringLiteral("<b>%1</b>&nbsp;&nbsp;<span style=\"color:%2\"><b>%3</b></span>")
            .arg(moduleTitle(m_module).toHtmlEscaped(), text.name(), stateName.toHtmlEscaped()));
    m_title->setProperty("stateText", stateName);
    QString line = summary;
    if (!configured) {
        // The state already says "not configured": keep only the reason ("needs a ZooKeeper
        // ensemble and a certificate bundle").
        const QString prefix = QStringLiteral("not configured");
        if (line.startsWith(prefix)) {
            line = line.mid(prefix.size()).trimmed();
            if (line.startsWith(QLatin1Char('(')) && line.endsWith(QLatin1Char(')')))
                line = line.mid(1, line.size() - 2);
        }
        if (line.isEmpty())
            line = tr("nothing to check in this profile");
    }
    m_summary->setText(line);
    m_summary->setToolTip(line);
    m_lamp->setToolTip(QStringLiteral("%1: %2").arg(moduleTitle(m_module), stateName));
}

void HealthLight::setUnchecked(const QString &summary)
{
    m_color = healthLampColor(State::Unknown);
    m_lamp->setPixmap(lampPixmap(m_color, devicePixelRatioF()));
    m_title->setText(QStringLiteral("<b>%1</b>").arg(moduleTitle(m_module).toHtmlEscaped()));
    m_title->setProperty("stateText", QString());
    m_summary->setText(summary);
    m_summary->setToolTip(summary);
    m_lamp->setToolTip(moduleTitle(m_module));
}

QString HealthLight::stateText() const
{
    return m_title->property("stateText").toString();
}

QString HealthLight::summaryText() const
{
    return m_summary->text();
}

// --- HealthPanel ------------------------------------------------------------------------------

HealthPanel::HealthPanel(HealthController *controller, QWidget *parent)
    : QWidget(parent)
    , m_controller(controller)
    , m_model(new HealthModel(this))
    , m_sort(new HealthSortModel(this))
    , m_overall(new QLabel(this))
    , m_run(new QLabel(this))
    , m_check(new QPushButton(tr("Check now"), this))
    , m_view(new QTableView(this))
{
    m_overall->setObjectName(QStringLiteral("healthOverall"));
    m_overall->setTextFormat(Qt::RichText);
    m_run->setObjectName(QStringLiteral("healthRunInfo"));
    m_run->setStyleSheet(QStringLiteral("color: #6b7280;"));
    m_check->setObjectName(QStringLiteral("healthCheckNow"));
    m_check->setToolTip(tr("Run every check of the profile now (the same checks as "
                           "`opsdeck check`); they also run every minute"));
    m_view->setObjectName(QStringLiteral("healthItems"));

    auto *top = new QHBoxLayout;
    top->addWidget(m_overall);
    top->addSpacing(12);
    top->addWidget(m_run, 1);
    top->addWidget(m_check);

    auto *lights = new QFrame(this);
    lights->setObjectName(QStringLiteral("healthLights"));
    lights->setFrameShape(QFrame::StyledPanel);
    auto *lightsLayout = new QHBoxLayout(lights);
    lightsLayout->setContentsMargins(4, 2, 4, 2);
    lightsLayout->setSpacing(8);
    for (const QString &module : health::moduleNames()) {
        auto *light = new HealthLight(module, lights);
        m_lights.insert(module, light);
        lightsLayout->addWidget(light, 1);
    }

    m_sort->setSourceModel(m_model);
    m_view->setModel(m_sort);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(HealthModel::StateColumn, Qt::DescendingOrder);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setAlternatingRowColors(true);
    m_view->setWordWrap(false);
    m_view->setTextElideMode(Qt::ElideMiddle);
    m_view->verticalHeader()->hide();
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 8);
    QHeaderView *header = m_view->horizontalHeader();
    header->setHighlightSections(false);
    header->setStretchLastSection(true);
    const int em = m_view->fontMetrics().horizontalAdvance(QLatin1Char('M'));
    header->resizeSection(HealthModel::StateColumn, 9 * em);
    header->resizeSection(HealthModel::ModuleColumn, 6 * em);
    header->resizeSection(HealthModel::SubjectColumn, 20 * em);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(lights);
    layout->addWidget(m_view, 1);

    if (m_controller) {
        connect(m_check, &QPushButton::clicked, m_controller, &HealthController::checkNow);
        connect(m_controller, &HealthController::runningChanged, this, &HealthPanel::setRunning);
        connect(m_controller, &HealthController::finished, this, &HealthPanel::showReport);
        connect(m_controller, &HealthController::profileChanged, this, [this] {
            showNoReport(m_controller->hasProfile() ? tr("not checked yet")
                                                    : tr("no profile selected"));
        });
        if (m_controller->report())
            showReport(*m_controller->report());
        else
            showNoReport(m_controller->hasProfile() ? tr("not checked yet")
                                                    : tr("no profile selected"));
        setRunning(m_controller->isRunning());
    } else {
        showNoReport(tr("not checked yet"));
    }
}

void HealthPanel::showReport(const health::HealthReport &report)
{
    m_report = report;
    for (HealthLight *light : std::as_const(m_lights)) {
        const health::ModuleResult *result = report.module(light->module());
        if (!result)
            light->setResult(State::Unknown, false, tr("not in the report"));
        else if (!result->configured || !result->ran)
            light->setResult(result->state, false,
                             result->summary.isEmpty() ? tr("not configured") : result->summary);
        else
            light->setResult(result->state, true, result->summary);
    }
    m_model->setItems(report.items);
    const State overall = report.overall();
    m_overall->setText(tr("Overall: <b style=\"color:%1\">%2</b>")
                           .arg(healthTextColor(overall).name(), health::stateName(overall)));
    m_overall->setToolTip(report.profile.isEmpty() ? QString()
                                                   : tr("profile %1").arg(report.profile));
    updateRunLabel();
}

void HealthPanel::showNoReport(const QString &why)
{
    m_report.reset();
    for (HealthLight *light : std::as_const(m_lights))
        light->setUnchecked(why);
    m_model->clear();
    m_overall->setText(
        tr("Overall: <b style=\"color:%1\">—</b>").arg(healthTextColor(State::Unknown).name()));
    m_overall->setToolTip(QString());
    m_check->setEnabled(!m_controller || m_controller->hasProfile());
    updateRunLabel();
}

void HealthPanel::setRunning(bool running)
{
    m_running = running;
    m_check->setEnabled(!running && (!m_controller || m_controller->hasProfile()));
    m_check->setText(running ? tr("Checking…") : tr("Check now"));
    if (running)
        m_runStarted = QDateTime::currentDateTimeUtc();
    updateRunLabel();
}

void HealthPanel::updateRunLabel()
{
    QStringList parts;
    if (m_report && m_report->startedAt.isValid())
        parts << tr("last run %1, took %2")
                     .arg(timeText(m_report->startedAt), durationText(m_report->durationMs));
    else
        parts << tr("no run yet");
    if (m_running) {
        parts << tr("checking since %1…").arg(timeText(m_runStarted));
    } else if (m_controller) {
        const QDateTime next = m_controller->nextRun();
        if (next.isValid())
            parts << tr("next at %1").arg(timeText(next));
    }
    m_run->setText(parts.join(QStringLiteral(" · ")));
}

} // namespace opsdeck
