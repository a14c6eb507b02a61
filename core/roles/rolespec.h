// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/result.h"

#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

// Solr node roles (SIP-15) and the `solr.node.roles` spec, validated with Solr's exact rules
// (NodeRoles(String) + StrUtils.splitSmart; solr-zookeeper-contract.md §1.2-§1.3).
namespace opsdeck::roles {

// Role and mode names as they appear in ZooKeeper (/node_roles/<role>/<mode>).
namespace role {
inline QString data()
{
    return QStringLiteral("data");
}
inline QString overseer()
{
    return QStringLiteral("overseer");
}
inline QString coordinator()
{
    return QStringLiteral("coordinator");
}
inline QString zookeeperQuorum()
{
    return QStringLiteral("zookeeper_quorum");
}
} // namespace role
namespace mode {
inline QString on()
{
    return QStringLiteral("on");
}
inline QString off()
{
    return QStringLiteral("off");
}
inline QString allowed()
{
    return QStringLiteral("allowed");
}
inline QString preferred()
{
    return QStringLiteral("preferred");
}
inline QString disallowed()
{
    return QStringLiteral("disallowed");
}
} // namespace mode

struct RoleDefinition
{
    QString name;       // "overseer"
    QStringList modes;  // "allowed", "preferred", "disallowed"
    QString absentMode; // the mode when a non-empty spec does not list the role
};

// data, overseer, coordinator, zookeeper_quorum (in Solr's enum order).
const QList<RoleDefinition> &knownRoles();
const RoleDefinition *findRole(const QString &name); // exact, case-sensitive; nullptr if unknown
bool isKnownRole(const QString &name);
bool isKnownMode(const QString &role, const QString &mode);
// overseer:allowed or overseer:preferred — the node joins the Overseer election.
bool isOverseerEligibleMode(const QString &overseerMode);

// Solr's default when solr.node.roles is unset or "" (not whitespace).
inline QString defaultRoleSpec()
{
    return QStringLiteral("data:on,overseer:allowed");
}

// The roles a spec gives a node.
struct EffectiveRoles
{
    QString spec;                     // as given
    bool usedDefault = false;         // spec was null/empty, Solr used defaultRoleSpec()
    QMap<QString, QString> modes;     // every known role -> its mode
    QMap<QString, bool> explicitRole; // role -> listed in the (effective) spec; false = absent mode
    QString explanation;              // several lines: one per role, how its mode came about
};

// Where and why a spec fails. Solr fails in two ways: a SolrException with a message (unknown
// role, unknown mode; `message` is then Solr's text exactly), or an IndexOutOfBoundsException (a
// role without a mode, an empty item; `message` is then ours).
struct RoleSpecError
{
    enum Kind
    {
        UnknownRole,
        UnknownMode,
        MissingMode, // Solr: IndexOutOfBoundsException (Index 1 out of bounds for length 1)
        EmptyItem,   // Solr: IndexOutOfBoundsException (Index 0 out of bounds for length 0)
    };
    Kind kind = UnknownRole;
    int position = 0;      // 0-based UTF-16 offset in the spec of the offending token
    int itemIndex = 0;     // 0-based index of the comma-separated item
    QString item;          // that item as written
    QString message;       // Solr's message for UnknownRole/UnknownMode, a clean one otherwise
    QString solrBehaviour; // what Solr does with this spec ("fails to start: ...")

    // "position P (item I): <message>"
    QString toString() const;
};

// Error code InvalidArgument, message RoleSpecError::toString(); pass `detail` for the structure.
Result<EffectiveRoles> validateRoleSpec(const QString &spec, RoleSpecError *detail = nullptr);

// StrUtils.splitSmart(String, char): no trimming, empty tokens kept between separators, a trailing
// empty token dropped, `\` skips the next char (kept in the token), no split inside '...'/"..."
// opened after a non-alphanumeric. Each token with its 0-based start offset in `s`.
struct SplitToken
{
    QString text;
    int offset = 0;
};
QList<SplitToken> splitSmart(const QString &s, QChar separator);

} // namespace opsdeck::roles
