// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "tls/reloadevent.h"
#include "tls/tlstypes.h"

#include <QAbstractItemModel>
#include <QColor>
#include <QDateTime>
#include <QHash>
#include <QIcon>
#include <optional>
#include <vector>

namespace opsdeck {

// How bad something is, as the certificate views colour it.
enum class CertLevel
{
    Neutral, // nothing to say (file rows without certificates, inotify badge)
    Ok,      // green
    Warning, // amber: expiring soon, poll-only watch
    Error,   // red: invalid, expired, mismatch, not reloaded
    Pending, // grey-blue: new bytes not consistent yet, starting
};
QColor certLevelColor(CertLevel level);
QIcon certLevelIcon(CertLevel level); // a small filled dot in the level's colour

// What an endpoint was last seen serving for a bundle (from a SERVED event).
struct ServedState
{
    QDateTime ts;
    QString endpoint;
    QString fingerprint;             // served leaf; empty when the probe failed
    std::optional<bool> matchesDisk; // empty: unknown (probe failed, no disk leaf)
    QString detail;                  // "served certificate matches disk", "rotated on disk, ..."
};

// The Certificates dock's tree: bundle rows -> file rows -> certificate rows.
//
// Fed on the GUI thread with whole BundleState values (setBundleState) and with the bundle's
// events (noteEvent: the last event, and SERVED for the endpoint state). A bundle shows its last
// good state when it has one (the files the service should be using), else what is on disk.
// Days left are computed against the clock when asked (refreshTimes() tells views they moved).
class CertificatesModel : public QAbstractItemModel
{
    Q_OBJECT
public:
    enum Columns
    {
        NameColumn,     // bundle path / file name / certificate subject CN
        KindColumn,     // "bundle" / chain, key, pkcs12... / leaf, intermediate, root
        StatusColumn,   // verdict or problem code, coloured
        DaysLeftColumn, // of the leaf (bundle rows) or the certificate
        NotAfterColumn, // local date
        Sha256Column,   // short fingerprint
        BadgesColumn,   // watch mode and badges: "poll only", "not reloaded", "pending"
        ColumnCount
    };
    enum Roles
    {
        NodeTypeRole = Qt::UserRole + 1, // NodeType
        LevelRole,                       // CertLevel as int (StatusColumn's level)
        VerdictRole,                     // the status code text ("ok", "expired", "key_mismatch")
        FingerprintRole,                 // full SHA-256 (certificate rows: of the DER)
        BundleRole,                      // the bundle path of any row
        BadgesRole,                      // QStringList of badge codes
    };
    enum class NodeType
    {
        Bundle,
        File,
        Certificate
    };
    Q_ENUM(NodeType)

    explicit CertificatesModel(QObject *parent = nullptr);

    int warnDays() const { return m_warnDays; }
    void setWarnDays(int days);

    // Inserts or replaces one bundle's subtree.
    void setBundleState(const tls::BundleState &state);
    // Remembers the bundle's last event; SERVED events set the served-endpoint state.
    void noteEvent(const tls::ReloadEvent &event);
    // Removes every bundle (profile switch).
    void clear();
    // Days left and verdicts depend on the clock: tells the views to repaint those columns.
    void refreshTimes();

    int bundleCount() const { return int(m_bundles.size()); }
    QModelIndex bundleIndex(const QString &bundle, int column = 0) const;
    // What a row stands for (the detail pane reads these).
    NodeType nodeType(const QModelIndex &index) const;
    const tls::BundleState *bundleState(const QModelIndex &index) const;
    const tls::FileInspection *file(const QModelIndex &index) const; // file and cert rows
    const tls::CertificateInfo *certificate(const QModelIndex &index) const;
    std::optional<tls::ReloadEvent> lastEvent(const QModelIndex &index) const;
    std::optional<ServedState> served(const QModelIndex &index) const;
    // The evaluation and files the tree shows for a bundle (last good, else current).
    static const tls::BundleEvaluation &shownEvaluation(const tls::BundleState &state);
    static const QList<tls::FileInspection> &shownFiles(const tls::BundleState &state);

    // The bundle row's status text and level ("ok", "expiring", "pending", "invalid: parse"...).
    QString bundleStatus(const tls::BundleState &state, CertLevel *level) const;
    // A certificate's status within its bundle.
    QString certificateStatus(const tls::CertificateInfo &cert, const tls::BundleState &state,
                              CertLevel *level) const;
    // Badge codes of a bundle: "poll_only", "not_reloaded", "pending".
    QStringList badges(const QModelIndex &bundleIndex) const;
    static QString badgeText(const QString &code); // "poll only", "not reloaded", "pending"

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    struct Bundle
    {
        quint64 key = 0; // stable id, encoded in the children's internalId
        tls::BundleState state;
    };

    int rowOfKey(quint64 key) const;
    int rowOfBundle(const QString &bundle) const;
    const Bundle *bundleOf(const QModelIndex &index) const;
    QVariant bundleData(const Bundle &b, int column, int role) const;
    QVariant fileData(const Bundle &b, const tls::FileInspection &f, int column, int role) const;
    QVariant certData(const Bundle &b, const tls::FileInspection &f, int certRow, int column,
                      int role) const;
    QStringList badgesOf(const Bundle &b) const;
    void emitBundleChanged(int row, bool children);

    std::vector<Bundle> m_bundles;
    // By bundle path: an event may arrive before the bundle's first state (SNAPSHOT).
    QHash<QString, tls::ReloadEvent> m_lastEvents;
    QHash<QString, ServedState> m_served;
    quint64 m_nextKey = 1;
    int m_warnDays = 30;
};

} // namespace opsdeck
