// SPDX-License-Identifier: GPL-3.0-or-later
#include "certificatesmodel.h"

#include <QBrush>
#include <QFont>
#include <QHash>
#include <QPainter>
#include <QPixmap>

namespace opsdeck {

namespace {

constexpr int KeyShift = 20;
constexpr quint64 FileMask = (quint64(1) << KeyShift) - 1;

QString shortFingerprint(const QString &sha)
{
    return sha.isEmpty() ? QString() : sha.left(12) + QStringLiteral("…");
}

// "CN=solr-1,O=Example" -> "solr-1"; the whole subject when it has no CN.
QString commonName(const QString &subject)
{
    qsizetype start = 0;
    for (qsizetype i = 0; i <= subject.size(); ++i) {
        const bool end = i == subject.size();
        if (!end && (subject.at(i) != QLatin1Char(',') || (i > 0 && subject.at(i - 1) == u'\\')))
            continue;
        const QString part = subject.mid(start, i - start).trimmed();
        if (part.startsWith(QLatin1String("CN="), Qt::CaseInsensitive))
            return part.mid(3);
        start = i + 1;
    }
    return subject;
}

int levelRank(CertLevel level)
{
    switch (level) {
    case CertLevel::Error:
        return 4;
    case CertLevel::Warning:
        return 3;
    case CertLevel::Pending:
        return 2;
    case CertLevel::Ok:
        return 1;
    case CertLevel::Neutral:
        break;
    }
    return 0;
}

bool isLeafOf(const tls::CertificateInfo &cert, const tls::BundleEvaluation &eval)
{
    return eval.leaf && !cert.sha256.isEmpty() && eval.leaf->sha256 == cert.sha256;
}

QString certificateKind(const tls::CertificateInfo &cert, const tls::BundleEvaluation &eval)
{
    if (isLeafOf(cert, eval))
        return QObject::tr("leaf");
    if (cert.isCa)
        return cert.selfSigned ? QObject::tr("root CA") : QObject::tr("intermediate");
    if (cert.trustedEntry)
        return QObject::tr("trusted");
    return QObject::tr("certificate");
}

} // namespace

QColor certLevelColor(CertLevel level)
{
    switch (level) {
    case CertLevel::Ok:
        return QColor(0x15, 0x80, 0x3d);
    case CertLevel::Warning:
        return QColor(0xb4, 0x53, 0x09);
    case CertLevel::Error:
        return QColor(0xc6, 0x28, 0x28);
    case CertLevel::Pending:
        return QColor(0x4a, 0x6f, 0xa5);
    case CertLevel::Neutral:
        break;
    }
    return QColor(0x6b, 0x72, 0x80);
}

QIcon certLevelIcon(CertLevel level)
{
    static QHash<int, QIcon> cache;
    const int key = int(level);
    const auto it = cache.constFind(key);
    if (it != cache.cend())
        return *it;
    QPixmap pixmap(12, 12);
    pixmap.fill(Qt::transparent);
    {
        QPainter painter(&pixmap);
        painter.setRenderHint(QPainter::Antialiasing);
        painter.setPen(Qt::NoPen);
        painter.setBrush(certLevelColor(level));
        painter.drawEllipse(QRectF(1.5, 1.5, 9, 9));
    }
    QIcon icon(pixmap);
    cache.insert(key, icon);
    return icon;
}

CertificatesModel::CertificatesModel(QObject *parent)
    : QAbstractItemModel(parent)
{}

void CertificatesModel::setWarnDays(int days)
{
    m_warnDays = days;
    refreshTimes();
}

const tls::BundleEvaluation &CertificatesModel::shownEvaluation(const tls::BundleState &state)
{
    return state.haveLastGood ? state.lastGood : state.current;
}

const QList<tls::FileInspection> &CertificatesModel::shownFiles(const tls::BundleState &state)
{
    return state.haveLastGood ? state.lastGoodFiles : state.currentFiles;
}

int CertificatesModel::rowOfKey(quint64 key) const
{
    for (size_t i = 0; i < m_bundles.size(); ++i) {
        if (m_bundles[i].key == key)
            return int(i);
    }
    return -1;
}

int CertificatesModel::rowOfBundle(const QString &bundle) const
{
    for (size_t i = 0; i < m_bundles.size(); ++i) {
        if (m_bundles[i].state.bundle == bundle)
            return int(i);
    }
    return -1;
}

void CertificatesModel::setBundleState(const tls::BundleState &state)
{
    const int row = rowOfBundle(state.bundle);
    if (row < 0) {
        const int at = int(m_bundles.size());
        beginInsertRows({}, at, at);
        Bundle b;
        b.key = m_nextKey++;
        b.state = state;
        m_bundles.push_back(std::move(b));
        endInsertRows();
        return;
    }
    Bundle &b = m_bundles[size_t(row)];
    const QList<tls::FileInspection> &oldFiles = shownFiles(b.state);
    const QList<tls::FileInspection> &newFiles = shownFiles(state);
    bool sameShape = oldFiles.size() == newFiles.size();
    for (qsizetype i = 0; sameShape && i < oldFiles.size(); ++i)
        sameShape = oldFiles.at(i).certificates.size() == newFiles.at(i).certificates.size();
    if (sameShape) {
        // Same rows: replace the values and repaint (keeps the selection and expansion).
        b.state = state;
        emitBundleChanged(row, true);
        return;
    }
    const QModelIndex parent = index(row, 0);
    if (!oldFiles.isEmpty()) {
        beginRemoveRows(parent, 0, int(oldFiles.size()) - 1);
        b.state.lastGoodFiles.clear();
        b.state.currentFiles.clear();
        endRemoveRows();
    }
    // Insert with the new state in place but no files visible yet: set the whole state, then
    // announce its rows.
    const int count = int(newFiles.size());
    if (count > 0) {
        beginInsertRows(parent, 0, count - 1);
        b.state = state;
        endInsertRows();
    } else {
        b.state = state;
    }
    emitBundleChanged(row, false);
}

void CertificatesModel::noteEvent(const tls::ReloadEvent &event)
{
    m_lastEvents.insert(event.bundle, event);
    if (event.kind == tls::ReloadEventKind::Served) {
        ServedState s;
        s.ts = event.ts;
        s.endpoint = event.endpoint;
        s.fingerprint = event.fingerprint;
        s.matchesDisk = event.matchesDisk;
        s.detail = event.detail;
        m_served.insert(event.bundle, s);
    }
    const int row = rowOfBundle(event.bundle);
    if (row >= 0)
        emitBundleChanged(row, false);
}

void CertificatesModel::clear()
{
    m_lastEvents.clear();
    m_served.clear();
    if (m_bundles.empty())
        return;
    beginResetModel();
    m_bundles.clear();
    endResetModel();
}

void CertificatesModel::refreshTimes()
{
    for (size_t i = 0; i < m_bundles.size(); ++i)
        emitBundleChanged(int(i), true);
}

void CertificatesModel::emitBundleChanged(int row, bool children)
{
    emit dataChanged(index(row, 0), index(row, ColumnCount - 1));
    if (!children)
        return;
    const QModelIndex bundle = index(row, 0);
    const int files = rowCount(bundle);
    if (files == 0)
        return;
    emit dataChanged(index(0, 0, bundle), index(files - 1, ColumnCount - 1, bundle));
    for (int f = 0; f < files; ++f) {
        const QModelIndex file = index(f, 0, bundle);
        const int certs = rowCount(file);
        if (certs > 0)
            emit dataChanged(index(0, 0, file), index(certs - 1, ColumnCount - 1, file));
    }
}

QModelIndex CertificatesModel::bundleIndex(const QString &bundle, int column) const
{
    const int row = rowOfBundle(bundle);
    return row < 0 ? QModelIndex() : index(row, column);
}

QModelIndex CertificatesModel::index(int row, int column, const QModelIndex &parent) const
{
    if (!hasIndex(row, column, parent))
        return {};
    if (!parent.isValid())
        return createIndex(row, column, quintptr(0));
    const quint64 pid = parent.internalId();
    if (pid == 0) // parent is a bundle: a file row
        return createIndex(row, column, quintptr(m_bundles[size_t(parent.row())].key << KeyShift));
    // parent is a file: a certificate row
    return createIndex(row, column, quintptr(pid | quint64(parent.row() + 1)));
}

QModelIndex CertificatesModel::parent(const QModelIndex &child) const
{
    if (!child.isValid())
        return {};
    const quint64 id = child.internalId();
    if (id == 0)
        return {};
    const int bundleRow = rowOfKey(id >> KeyShift);
    if (bundleRow < 0)
        return {};
    const quint64 fileSlot = id & FileMask;
    if (fileSlot == 0)
        return createIndex(bundleRow, 0, quintptr(0));
    return createIndex(int(fileSlot) - 1, 0, quintptr(id & ~FileMask));
}

int CertificatesModel::rowCount(const QModelIndex &parent) const
{
    if (!parent.isValid())
        return int(m_bundles.size());
    if (parent.column() != 0)
        return 0;
    const quint64 id = parent.internalId();
    if (id == 0)
        return int(shownFiles(m_bundles[size_t(parent.row())].state).size());
    if ((id & FileMask) != 0)
        return 0; // certificate rows have no children
    const int bundleRow = rowOfKey(id >> KeyShift);
    if (bundleRow < 0)
        return 0;
    const auto &files = shownFiles(m_bundles[size_t(bundleRow)].state);
    if (parent.row() >= files.size())
        return 0;
    return int(files.at(parent.row()).certificates.size());
}

int CertificatesModel::columnCount(const QModelIndex &) const
{
    return ColumnCount;
}

CertificatesModel::NodeType CertificatesModel::nodeType(const QModelIndex &index) const
{
    const quint64 id = index.internalId();
    if (id == 0)
        return NodeType::Bundle;
    return (id & FileMask) == 0 ? NodeType::File : NodeType::Certificate;
}

const CertificatesModel::Bundle *CertificatesModel::bundleOf(const QModelIndex &index) const
{
    if (!index.isValid() || index.model() != this)
        return nullptr;
    const quint64 id = index.internalId();
    const int row = id == 0 ? index.row() : rowOfKey(id >> KeyShift);
    if (row < 0 || row >= int(m_bundles.size()))
        return nullptr;
    return &m_bundles[size_t(row)];
}

const tls::BundleState *CertificatesModel::bundleState(const QModelIndex &index) const
{
    const Bundle *b = bundleOf(index);
    return b ? &b->state : nullptr;
}

const tls::FileInspection *CertificatesModel::file(const QModelIndex &index) const
{
    const Bundle *b = bundleOf(index);
    if (!b || index.internalId() == 0)
        return nullptr;
    const quint64 slot = index.internalId() & FileMask;
    const int fileRow = slot == 0 ? index.row() : int(slot) - 1;
    const auto &files = shownFiles(b->state);
    return fileRow < files.size() ? &files.at(fileRow) : nullptr;
}

const tls::CertificateInfo *CertificatesModel::certificate(const QModelIndex &index) const
{
    if (!index.isValid() || nodeType(index) != NodeType::Certificate)
        return nullptr;
    const tls::FileInspection *f = file(index);
    if (!f || index.row() >= f->certificates.size())
        return nullptr;
    return &f->certificates.at(index.row());
}

std::optional<tls::ReloadEvent> CertificatesModel::lastEvent(const QModelIndex &index) const
{
    const Bundle *b = bundleOf(index);
    if (!b || !m_lastEvents.contains(b->state.bundle))
        return std::nullopt;
    return m_lastEvents.value(b->state.bundle);
}

std::optional<ServedState> CertificatesModel::served(const QModelIndex &index) const
{
    const Bundle *b = bundleOf(index);
    if (!b || !m_served.contains(b->state.bundle))
        return std::nullopt;
    return m_served.value(b->state.bundle);
}

QString CertificatesModel::bundleStatus(const tls::BundleState &state, CertLevel *level) const
{
    using Phase = tls::BundleState::Phase;
    switch (state.phase) {
    case Phase::Starting:
        *level = CertLevel::Pending;
        return tr("starting");
    case Phase::Pending:
        *level = CertLevel::Pending;
        return state.problemCode.isEmpty() ? tr("pending")
                                           : tr("pending (%1)").arg(state.problemCode);
    case Phase::Invalid:
        *level = CertLevel::Error;
        if (!state.haveLastGood)
            return state.current.verdict == tls::Verdict::Invalid && !state.problemCode.isEmpty()
                       ? state.problemCode
                       : tls::verdictName(state.current.verdict);
        return tr("invalid: %1").arg(state.problemCode);
    case Phase::Unavailable:
        *level = CertLevel::Error;
        return tr("unavailable");
    case Phase::Clean:
        break;
    }
    const tls::BundleEvaluation &eval = shownEvaluation(state);
    if (eval.verdict != tls::Verdict::Ok) {
        *level = CertLevel::Error;
        return tls::verdictName(eval.verdict);
    }
    if (eval.leaf && eval.leaf->daysLeft(QDateTime::currentDateTimeUtc()) <= m_warnDays) {
        *level = CertLevel::Warning;
        return tr("expiring");
    }
    *level = CertLevel::Ok;
    return tls::verdictName(tls::Verdict::Ok);
}

QString CertificatesModel::certificateStatus(const tls::CertificateInfo &cert,
                                             const tls::BundleState &state, CertLevel *level) const
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    if (cert.notAfter.isValid() && now > cert.notAfter) {
        *level = CertLevel::Error;
        return tls::verdictName(tls::Verdict::Expired);
    }
    if (cert.notBefore.isValid() && now < cert.notBefore) {
        *level = CertLevel::Error;
        return tls::verdictName(tls::Verdict::NotYetValid);
    }
    const tls::BundleEvaluation &eval = shownEvaluation(state);
    if (isLeafOf(cert, eval) && (eval.verdict == tls::Verdict::KeyMismatch ||
                                 eval.verdict == tls::Verdict::HostnameMismatch ||
                                 eval.verdict == tls::Verdict::UntrustedChain)) {
        *level = CertLevel::Error;
        return tls::verdictName(eval.verdict);
    }
    if (cert.daysLeft(now) <= m_warnDays) {
        *level = CertLevel::Warning;
        return tr("expiring");
    }
    *level = CertLevel::Ok;
    return tls::verdictName(tls::Verdict::Ok);
}

QStringList CertificatesModel::badgesOf(const Bundle &b) const
{
    QStringList out;
    if (b.state.watchMode == tls::WatchMode::Poll)
        out << QStringLiteral("poll_only");
    const auto served = m_served.constFind(b.state.bundle);
    if (served != m_served.cend() && served->matchesDisk.has_value() && !*served->matchesDisk)
        out << QStringLiteral("not_reloaded");
    if (b.state.phase == tls::BundleState::Phase::Pending)
        out << QStringLiteral("pending");
    return out;
}

QStringList CertificatesModel::badges(const QModelIndex &bundleIndex) const
{
    const Bundle *b = bundleOf(bundleIndex);
    return b ? badgesOf(*b) : QStringList();
}

QString CertificatesModel::badgeText(const QString &code)
{
    if (code == QLatin1String("poll_only"))
        return tr("poll only");
    if (code == QLatin1String("not_reloaded"))
        return tr("not reloaded");
    if (code == QLatin1String("pending"))
        return tr("pending");
    return code;
}

QVariant CertificatesModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    const Bundle *b = bundleOf(index);
    if (!b)
        return {};
    if (role == BundleRole)
        return b->state.bundle;
    if (role == NodeTypeRole)
        return QVariant::fromValue(nodeType(index));
    switch (nodeType(index)) {
    case NodeType::Bundle:
        return bundleData(*b, index.column(), role);
    case NodeType::File: {
        const tls::FileInspection *f = file(index);
        return f ? fileData(*b, *f, index.column(), role) : QVariant();
    }
    case NodeType::Certificate: {
        const tls::FileInspection *f = file(index);
        return f ? certData(*b, *f, index.row(), index.column(), role) : QVariant();
    }
    }
    return {};
}

QVariant CertificatesModel::bundleData(const Bundle &b, int column, int role) const
{
    const tls::BundleState &s = b.state;
    const tls::BundleEvaluation &eval = shownEvaluation(s);
    CertLevel level = CertLevel::Neutral;
    const QString status = bundleStatus(s, &level);
    const QDateTime now = QDateTime::currentDateTimeUtc();
    if (role == LevelRole)
        return int(level);
    if (role == VerdictRole)
        return status;
    if (role == FingerprintRole)
        return eval.leaf ? eval.leaf->sha256 : QString();
    if (role == BadgesRole)
        return badgesOf(b);
    if (role == Qt::FontRole && column == NameColumn) {
        QFont font;
        font.setBold(true);
        return font;
    }
    if (role == Qt::TextAlignmentRole && column == DaysLeftColumn)
        return int(Qt::AlignRight | Qt::AlignVCenter);
    switch (column) {
    case NameColumn:
        if (role == Qt::DisplayRole)
            return s.bundle;
        if (role == Qt::ToolTipRole)
            return tr("%1 — %2").arg(s.bundle, tls::bundlePhaseName(s.phase));
        break;
    case KindColumn:
        if (role == Qt::DisplayRole)
            return tr("%n file(s)", nullptr, int(shownFiles(s).size()));
        break;
    case StatusColumn:
        if (role == Qt::DisplayRole)
            return status;
        if (role == Qt::ForegroundRole)
            return QBrush(certLevelColor(level));
        if (role == Qt::DecorationRole)
            return certLevelIcon(level);
        if (role == Qt::ToolTipRole) {
            if (!s.problemDetail.isEmpty())
                return s.problemDetail;
            return eval.reason.isEmpty() ? status : eval.reason;
        }
        break;
    case DaysLeftColumn:
        if (role == Qt::DisplayRole && eval.leaf)
            return eval.leaf->daysLeft(now);
        if (role == Qt::ForegroundRole && eval.leaf)
            return QBrush(certLevelColor(eval.leaf->daysLeft(now) < 0 ? CertLevel::Error
                                         : eval.leaf->daysLeft(now) <= m_warnDays
                                             ? CertLevel::Warning
                                             : CertLevel::Ok));
        break;
    case NotAfterColumn:
        if (role == Qt::DisplayRole && eval.leaf)
            return eval.leaf->notAfter.toLocalTime().toString(QStringLiteral("yyyy-MM-dd"));
        if (role == Qt::ToolTipRole && eval.leaf)
            return eval.leaf->notAfter.toUTC().toString(Qt::ISODate);
        break;
    case Sha256Column:
        if (role == Qt::DisplayRole && eval.leaf)
            return shortFingerprint(eval.leaf->sha256);
        if (role == Qt::ToolTipRole && eval.leaf)
            return tr("leaf SHA-256 %1").arg(eval.leaf->sha256);
        break;
    case BadgesColumn: {
        const QStringList codes = badgesOf(b);
        if (role == Qt::DisplayRole) {
            if (codes.isEmpty())
                return tls::watchModeName(s.watchMode);
            QStringList texts;
            for (const QString &c : codes)
                texts << badgeText(c);
            return texts.join(QStringLiteral(" · "));
        }
        CertLevel worst = CertLevel::Neutral;
        for (const QString &c : codes) {
            const CertLevel l = c == QLatin1String("not_reloaded") ? CertLevel::Error
                                : c == QLatin1String("poll_only")  ? CertLevel::Warning
                                                                   : CertLevel::Pending;
            if (levelRank(l) > levelRank(worst))
                worst = l;
        }
        if (role == Qt::ForegroundRole)
            return QBrush(certLevelColor(worst));
        if (role == Qt::DecorationRole && !codes.isEmpty())
            return certLevelIcon(worst);
        if (role == Qt::ToolTipRole) {
            QStringList tips;
            if (s.watchMode == tls::WatchMode::Poll)
                tips << tr("watched by polling only (%1)").arg(s.degradedReason);
            else
                tips << tr("watched with inotify plus a safety poll");
            const auto served = m_served.constFind(s.bundle);
            if (served != m_served.cend())
                tips << tr("%1: %2").arg(served->endpoint, served->detail);
            return tips.join(QLatin1Char('\n'));
        }
        break;
    }
    default:
        break;
    }
    return {};
}

QVariant CertificatesModel::fileData(const Bundle &b, const tls::FileInspection &f, int column,
                                     int role) const
{
    const tls::BundleEvaluation &eval = shownEvaluation(b.state);
    CertLevel level = CertLevel::Ok;
    QString status = tls::verdictName(tls::Verdict::Ok);
    if (!f.isUsable()) {
        level = CertLevel::Error;
        status = tls::problemCode(f.problem);
    } else if (!f.keys.isEmpty() && eval.verdict == tls::Verdict::KeyMismatch) {
        level = CertLevel::Error;
        status = tls::verdictName(eval.verdict);
    } else {
        for (const tls::CertificateInfo &c : f.certificates) {
            CertLevel l = CertLevel::Neutral;
            const QString text = certificateStatus(c, b.state, &l);
            if (levelRank(l) > levelRank(level)) {
                level = l;
                status = text;
            }
        }
        if (level == CertLevel::Ok && !f.warnings.isEmpty()) {
            level = CertLevel::Warning;
            status = f.warnings.first();
        }
    }
    if (role == LevelRole)
        return int(level);
    if (role == VerdictRole)
        return status;
    if (role == FingerprintRole)
        return f.sha256;
    switch (column) {
    case NameColumn:
        if (role == Qt::DisplayRole)
            return f.name;
        if (role == Qt::ToolTipRole)
            return f.resolvedPath.isEmpty() || f.resolvedPath == f.path
                       ? f.path
                       : tr("%1 → %2").arg(f.path, f.resolvedPath);
        break;
    case KindColumn:
        if (role == Qt::DisplayRole) {
            QString kind = tls::fileKindName(f.kind);
            if (!f.keys.isEmpty() && f.kind == tls::FileKind::PrivateKey) {
                const tls::PrivateKeyInfo &k = f.keys.first();
                kind += QStringLiteral(" (%1 %2)").arg(k.keyType).arg(k.keyBits);
            }
            return kind;
        }
        break;
    case StatusColumn:
        if (role == Qt::DisplayRole)
            return status;
        if (role == Qt::ForegroundRole)
            return QBrush(certLevelColor(level));
        if (role == Qt::DecorationRole)
            return certLevelIcon(level);
        if (role == Qt::ToolTipRole) {
            QStringList tips;
            if (!f.problemDetail.isEmpty())
                tips << f.problemDetail;
            tips << f.warnings;
            return tips.join(QLatin1Char('\n'));
        }
        break;
    case Sha256Column:
        if (role == Qt::DisplayRole)
            return shortFingerprint(f.sha256);
        if (role == Qt::ToolTipRole && !f.sha256.isEmpty())
            return tr("file SHA-256 %1").arg(f.sha256);
        break;
    default:
        break;
    }
    return {};
}

QVariant CertificatesModel::certData(const Bundle &b, const tls::FileInspection &f, int certRow,
                                     int column, int role) const
{
    if (certRow < 0 || certRow >= f.certificates.size())
        return {};
    const tls::CertificateInfo &c = f.certificates.at(certRow);
    const tls::BundleEvaluation &eval = shownEvaluation(b.state);
    CertLevel level = CertLevel::Neutral;
    const QString status = certificateStatus(c, b.state, &level);
    const qint64 days = c.daysLeft(QDateTime::currentDateTimeUtc());
    if (role == LevelRole)
        return int(level);
    if (role == VerdictRole)
        return status;
    if (role == FingerprintRole)
        return c.sha256;
    if (role == Qt::TextAlignmentRole && column == DaysLeftColumn)
        return int(Qt::AlignRight | Qt::AlignVCenter);
    switch (column) {
    case NameColumn:
        if (role == Qt::DisplayRole)
            return commonName(c.subject);
        if (role == Qt::ToolTipRole)
            return c.subject;
        break;
    case KindColumn:
        if (role == Qt::DisplayRole)
            return certificateKind(c, eval);
        break;
    case StatusColumn:
        if (role == Qt::DisplayRole)
            return status;
        if (role == Qt::ForegroundRole)
            return QBrush(certLevelColor(level));
        if (role == Qt::DecorationRole)
            return certLevelIcon(level);
        if (role == Qt::ToolTipRole && isLeafOf(c, eval) && !eval.reason.isEmpty())
            return eval.reason;
        break;
    case DaysLeftColumn:
        if (role == Qt::DisplayRole)
            return days;
        if (role == Qt::ForegroundRole)
            return QBrush(certLevelColor(days < 0             ? CertLevel::Error
                                         : days <= m_warnDays ? CertLevel::Warning
                                                              : CertLevel::Ok));
        break;
    case NotAfterColumn:
        if (role == Qt::DisplayRole)
            return c.notAfter.toLocalTime().toString(QStringLiteral("yyyy-MM-dd"));
        if (role == Qt::ToolTipRole)
            return c.notAfter.toUTC().toString(Qt::ISODate);
        break;
    case Sha256Column:
        if (role == Qt::DisplayRole)
            return shortFingerprint(c.sha256);
        if (role == Qt::ToolTipRole)
            return tr("SHA-256 %1").arg(c.sha256);
        break;
    default:
        break;
    }
    return {};
}

QVariant CertificatesModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case NameColumn:
        return tr("Bundle / file / certificate");
    case KindColumn:
        return tr("Kind");
    case StatusColumn:
        return tr("Status");
    case DaysLeftColumn:
        return tr("Days left");
    case NotAfterColumn:
        return tr("Not after");
    case Sha256Column:
        return tr("SHA-256");
    case BadgesColumn:
        return tr("Watch");
    default:
        break;
    }
    return {};
}

} // namespace opsdeck
