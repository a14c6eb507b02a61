// SPDX-License-Identifier: GPL-3.0-or-later
#include "certificatespanel.h"

#include "certificatesmodel.h"
#include "reloadeventsmodel.h"

#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QScrollBar>
#include <QSplitter>
#include <QTextBrowser>
#include <QTreeView>
#include <QVBoxLayout>

namespace opsdeck {

namespace {

QString esc(const QString &text)
{
    return text.toHtmlEscaped();
}

QString colored(const QString &text, CertLevel level, bool bold = true)
{
    return QStringLiteral("<span style=\"color:%1;%2\">%3</span>")
        .arg(certLevelColor(level).name(), bold ? QStringLiteral("font-weight:bold;") : QString(),
             esc(text));
}

QString utc(const QDateTime &t)
{
    return t.isValid() ? t.toUTC().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss 'UTC'"))
                       : QStringLiteral("—");
}

// Hex in groups of 16 digits, so a narrow pane wraps between groups, never inside one.
QString groupedHex(const QString &hex)
{
    QStringList groups;
    for (qsizetype i = 0; i < hex.size(); i += 16)
        groups << hex.mid(i, 16);
    return esc(groups.join(QLatin1Char(' ')));
}

class Table
{
public:
    void row(const QString &label, const QString &html)
    {
        m_html += QStringLiteral("<tr><td style=\"color:#6b7280; padding-right:10px;\" "
                                 "valign=\"top\">%1</td><td>%2</td></tr>")
                      .arg(esc(label), html.isEmpty() ? QStringLiteral("—") : html);
    }
    void text(const QString &label, const QString &value) { row(label, esc(value)); }
    QString html() const
    {
        return QStringLiteral("<table cellspacing=\"0\" cellpadding=\"1\">%1</table>").arg(m_html);
    }

private:
    QString m_html;
};

QString heading(const QString &text)
{
    return QStringLiteral("<h4 style=\"margin-top:8px; margin-bottom:3px;\">%1</h4>")
        .arg(esc(text));
}

QString commonNameOf(const QString &subject)
{
    const QStringList parts = subject.split(QLatin1Char(','));
    for (const QString &p : parts) {
        if (p.trimmed().startsWith(QLatin1String("CN="), Qt::CaseInsensitive))
            return p.trimmed().mid(3);
    }
    return subject;
}

QString certificateSection(const CertificatesModel *model, const tls::CertificateInfo &c,
                           const tls::BundleState &state)
{
    CertLevel level = CertLevel::Neutral;
    const QString status = model->certificateStatus(c, state, &level);
    const qint64 days = c.daysLeft(QDateTime::currentDateTimeUtc());
    Table t;
    t.row(QObject::tr("Status"), colored(status, level));
    t.text(QObject::tr("Subject"), c.subject);
    t.text(QObject::tr("Issuer"), c.issuer);
    t.text(QObject::tr("SANs"), c.subjectAltNames.join(QStringLiteral(", ")));
    t.text(QObject::tr("Serial"), c.serialHex);
    t.text(QObject::tr("Not before"), utc(c.notBefore));
    t.text(QObject::tr("Not after"), utc(c.notAfter));
    t.row(QObject::tr("Days left"),
          colored(QString::number(days), days < 0                    ? CertLevel::Error
                                         : days <= model->warnDays() ? CertLevel::Warning
                                                                     : CertLevel::Ok));
    t.row(QObject::tr("SHA-256"), QStringLiteral("<tt>%1</tt>").arg(groupedHex(c.sha256)));
    QString key = c.keyType;
    if (c.keyBits > 0)
        key += QStringLiteral(" %1 bits").arg(c.keyBits);
    if (!c.curve.isEmpty())
        key += QStringLiteral(" (%1)").arg(c.curve);
    t.text(QObject::tr("Key"), key);
    t.text(QObject::tr("Signature"), c.signatureAlgorithm);
    t.text(QObject::tr("CA"), c.isCa ? QObject::tr("yes") : QObject::tr("no"));
    t.text(QObject::tr("Self-signed"), c.selfSigned ? QObject::tr("yes") : QObject::tr("no"));
    if (!c.alias.isEmpty())
        t.text(QObject::tr("Alias"), c.alias);
    return heading(QObject::tr("Certificate %1").arg(commonNameOf(c.subject))) + t.html();
}

QString fileSection(const tls::FileInspection &f)
{
    Table t;
    t.text(QObject::tr("Path"), f.path);
    if (!f.resolvedPath.isEmpty() && f.resolvedPath != f.path)
        t.text(QObject::tr("Resolved"), f.resolvedPath);
    t.text(QObject::tr("Kind"), tls::fileKindName(f.kind));
    t.text(QObject::tr("Size"), QObject::tr("%1 bytes").arg(f.size));
    t.row(QObject::tr("SHA-256"), QStringLiteral("<tt>%1</tt>").arg(groupedHex(f.sha256)));
    if (!f.isUsable())
        t.row(QObject::tr("Problem"),
              colored(tls::problemCode(f.problem), CertLevel::Error) +
                  (f.problemDetail.isEmpty() ? QString()
                                             : QStringLiteral(" — ") + esc(f.problemDetail)));
    for (const tls::PrivateKeyInfo &k : f.keys)
        t.text(QObject::tr("Private key"),
               QStringLiteral("%1 %2 bits%3")
                   .arg(k.keyType)
                   .arg(k.keyBits)
                   .arg(k.encrypted ? QObject::tr(", encrypted") : QString()));
    t.text(QObject::tr("Certificates"), QString::number(f.certificates.size()));
    if (!f.warnings.isEmpty())
        t.row(QObject::tr("Warnings"),
              colored(f.warnings.join(QStringLiteral(", ")), CertLevel::Warning, false));
    return heading(QObject::tr("File %1").arg(f.name)) + t.html();
}

QString bundleSection(const CertificatesModel *model, const QModelIndex &index,
                      const tls::BundleState &s)
{
    CertLevel level = CertLevel::Neutral;
    const QString status = model->bundleStatus(s, &level);
    const tls::BundleEvaluation &eval = CertificatesModel::shownEvaluation(s);
    Table t;
    t.text(QObject::tr("Path"), s.bundle);
    t.row(QObject::tr("Status"), colored(status, level));
    t.text(QObject::tr("Phase"), tls::bundlePhaseName(s.phase));
    if (!s.problemDetail.isEmpty() || !s.problemCode.isEmpty())
        t.row(QObject::tr("Problem"),
              colored(s.problemCode, CertLevel::Error) +
                  (s.problemDetail.isEmpty() ? QString()
                                             : QStringLiteral(" — ") + esc(s.problemDetail)));
    if (!eval.reason.isEmpty() && eval.reason != s.problemDetail)
        t.text(QObject::tr("Reason"), eval.reason);
    if (!s.haveLastGood)
        t.row(QObject::tr("Last good"),
              colored(QObject::tr("none yet: showing what is on disk"), CertLevel::Warning, false));
    // Chain path: leaf -> ... -> anchor.
    QStringList chain;
    for (const tls::CertificateInfo &c : eval.chainPath)
        chain << esc(commonNameOf(c.subject));
    t.row(QObject::tr("Chain path"), chain.join(QStringLiteral(" → ")));
    t.row(QObject::tr("Manifest"), QStringLiteral("<tt>%1</tt>").arg(groupedHex(eval.manifest)));
    if (!eval.warnings.isEmpty())
        t.row(QObject::tr("Warnings"),
              colored(eval.warnings.join(QStringLiteral(", ")), CertLevel::Warning, false));
    QString watch = tls::watchModeName(s.watchMode);
    if (s.watchMode == tls::WatchMode::Poll)
        watch =
            colored(QObject::tr("poll only (%1)").arg(s.degradedReason), CertLevel::Warning, false);
    else
        watch = esc(QObject::tr("inotify + safety poll"));
    t.row(QObject::tr("Watch"), watch);
    if (s.lastChange.isValid())
        t.text(QObject::tr("Last change"), utc(s.lastChange));
    if (const auto e = model->lastEvent(index)) {
        t.row(QObject::tr("Last event"),
              colored(tls::reloadEventKindName(e->kind), reloadEventLevel(*e)) +
                  QStringLiteral(" %1 — %2")
                      .arg(esc(e->ts.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"))),
                           esc(ReloadEventsModel::detailText(*e))));
    }
    if (const auto served = model->served(index)) {
        QString text;
        if (!served->matchesDisk.has_value())
            text = colored(QObject::tr("unknown"), CertLevel::Warning) + QStringLiteral(" — ") +
                   esc(served->detail);
        else if (*served->matchesDisk)
            text = colored(QObject::tr("served: matches disk"), CertLevel::Ok);
        else
            text = colored(served->detail.isEmpty()
                               ? QObject::tr("rotated on disk, not reloaded by the service")
                               : served->detail,
                           CertLevel::Error);
        text += QStringLiteral("<br>%1 · %2 · %3")
                    .arg(esc(served->endpoint),
                         esc(served->fingerprint.isEmpty() ? QStringLiteral("—")
                                                           : served->fingerprint.left(16)),
                         esc(served->ts.toLocalTime().toString(QStringLiteral("HH:mm:ss"))));
        t.row(QObject::tr("Endpoint"), text);
    }
    return heading(QObject::tr("Bundle")) + t.html();
}

} // namespace

CertificatesPanel::CertificatesPanel(QWidget *parent)
    : QWidget(parent)
    , m_model(new CertificatesModel(this))
    , m_summary(new QLabel(this))
    , m_splitter(new QSplitter(Qt::Horizontal, this))
    , m_view(new QTreeView(m_splitter))
    , m_detail(new QTextBrowser(m_splitter))
{
    m_summary->setObjectName(QStringLiteral("certificatesSummary"));
    m_summary->setTextFormat(Qt::RichText);

    m_view->setObjectName(QStringLiteral("certificatesView"));
    m_view->setModel(m_model);
    m_view->setUniformRowHeights(true);
    m_view->setAlternatingRowColors(true);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->setTextElideMode(Qt::ElideMiddle);
    QHeaderView *header = m_view->header();
    // Every column as wide as its content; the last one (watch/badges) takes the slack.
    header->setStretchLastSection(true);
    header->setSectionResizeMode(QHeaderView::ResizeToContents);
    header->setMinimumSectionSize(40);

    m_detail->setObjectName(QStringLiteral("certificatesDetail"));
    m_detail->setOpenLinks(false);
    m_detail->setMinimumWidth(260);

    m_splitter->setChildrenCollapsible(false);
    m_splitter->setStretchFactor(0, 3);
    m_splitter->setStretchFactor(1, 2);
    m_splitter->setSizes({900, 370});

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(m_summary);
    layout->addWidget(m_splitter, 1);

    connect(m_view->selectionModel(), &QItemSelectionModel::currentChanged, this,
            &CertificatesPanel::updateDetail);
    connect(m_model, &QAbstractItemModel::dataChanged, this, [this] {
        updateDetail();
        updateSummary();
    });
    connect(m_model, &QAbstractItemModel::modelReset, this, [this] {
        updateDetail();
        updateSummary();
    });
    connect(m_model, &QAbstractItemModel::rowsInserted, this,
            [this](const QModelIndex &where, int first, int last) {
                // New bundles and files open fully: the tree is small and the point is seeing it.
                if (!where.isValid()) {
                    for (int r = first; r <= last; ++r)
                        m_view->expandRecursively(m_model->index(r, 0));
                } else {
                    m_view->expandRecursively(where);
                }
                if (!m_view->currentIndex().isValid() && m_model->rowCount() > 0)
                    select(m_model->index(0, 0));
                updateSummary();
            });
    connect(m_model, &QAbstractItemModel::rowsRemoved, this, [this] { updateDetail(); });
    updateSummary();
    updateDetail();
}

QString CertificatesPanel::detailText() const
{
    return m_detail->toPlainText();
}

void CertificatesPanel::select(const QModelIndex &index)
{
    m_view->setCurrentIndex(index);
    m_view->scrollTo(index);
    updateDetail();
}

void CertificatesPanel::updateDetail()
{
    const QString html = detailHtml(m_model, m_view->currentIndex());
    if (html == m_detail->property("opsdeckHtml").toString())
        return; // unchanged: keep the reader's scroll position
    const int scroll = m_detail->verticalScrollBar()->value();
    m_detail->setHtml(html);
    m_detail->setProperty("opsdeckHtml", html);
    m_detail->verticalScrollBar()->setValue(scroll);
}

void CertificatesPanel::updateSummary()
{
    const int bundles = m_model->rowCount();
    if (bundles == 0) {
        m_summary->setText(tr("No certificate bundles watched — add bundles to the profile "
                              "(Profile ▸ Edit profiles…)"));
        return;
    }
    int ok = 0;
    int warning = 0;
    int error = 0;
    int pending = 0;
    for (int r = 0; r < bundles; ++r) {
        switch (CertLevel(m_model->index(r, 0).data(CertificatesModel::LevelRole).toInt())) {
        case CertLevel::Ok:
            ++ok;
            break;
        case CertLevel::Warning:
            ++warning;
            break;
        case CertLevel::Error:
            ++error;
            break;
        case CertLevel::Pending:
        case CertLevel::Neutral:
            ++pending;
            break;
        }
    }
    QStringList parts;
    parts << tr("%n bundle(s)", nullptr, bundles);
    if (ok)
        parts << colored(tr("%1 ok").arg(ok), CertLevel::Ok);
    if (warning)
        parts << colored(tr("%1 expiring").arg(warning), CertLevel::Warning);
    if (error)
        parts << colored(tr("%1 invalid").arg(error), CertLevel::Error);
    if (pending)
        parts << colored(tr("%1 pending").arg(pending), CertLevel::Pending);
    m_summary->setText(parts.join(QStringLiteral(" · ")));
}

QString CertificatesPanel::detailHtml(const CertificatesModel *model, const QModelIndex &index)
{
    if (!index.isValid())
        return QStringLiteral("<p style=\"color:#6b7280\">%1</p>")
            .arg(esc(tr("Select a bundle, file or certificate to see its details.")));
    const tls::BundleState *state = model->bundleState(index);
    if (!state)
        return {};
    const QModelIndex row = index.siblingAtColumn(0);
    const QModelIndex bundleRow = model->bundleIndex(state->bundle);
    QString html;
    switch (model->nodeType(row)) {
    case CertificatesModel::NodeType::Certificate:
        if (const tls::CertificateInfo *c = model->certificate(row))
            html += certificateSection(model, *c, *state);
        if (const tls::FileInspection *f = model->file(row))
            html += fileSection(*f);
        break;
    case CertificatesModel::NodeType::File:
        if (const tls::FileInspection *f = model->file(row))
            html += fileSection(*f);
        break;
    case CertificatesModel::NodeType::Bundle: {
        const tls::BundleEvaluation &eval = CertificatesModel::shownEvaluation(*state);
        html += bundleSection(model, bundleRow, *state);
        if (eval.leaf)
            html += certificateSection(model, *eval.leaf, *state);
        return html;
    }
    }
    html += bundleSection(model, bundleRow, *state);
    return html;
}

} // namespace opsdeck
