// SPDX-License-Identifier: GPL-3.0-or-later
#include "roles/rolespec.h"

namespace opsdeck::roles {

const QList<RoleDefinition> &knownRoles()
{
    static const QList<RoleDefinition> roles = {
        {role::data(), {mode::on(), mode::off()}, mode::off()},
        {role::overseer(),
         {mode::allowed(), mode::preferred(), mode::disallowed()},
         mode::disallowed()},
        {role::coordinator(), {mode::on(), mode::off()}, mode::off()},
        {role::zookeeperQuorum(), {mode::on(), mode::off()}, mode::off()},
    };
    return roles;
}

const RoleDefinition *findRole(const QString &name)
{
    for (const RoleDefinition &r : knownRoles())
        if (r.name == name)
            return &r;
    return nullptr;
}

bool isKnownRole(const QString &name)
{
    return findRole(name) != nullptr;
}

bool isKnownMode(const QString &roleName, const QString &modeName)
{
    const RoleDefinition *r = findRole(roleName);
    return r && r->modes.contains(modeName);
}

bool isOverseerEligibleMode(const QString &overseerMode)
{
    return overseerMode == mode::allowed() || overseerMode == mode::preferred();
}

QString RoleSpecError::toString() const
{
    return QStringLiteral("position %1 (item %2): %3")
        .arg(QString::number(position), QString::number(itemIndex), message);
}

QList<SplitToken> splitSmart(const QString &s, QChar separator)
{
    QList<SplitToken> list;
    qsizetype pos = 0;
    qsizetype start = 0;
    const qsizetype end = s.size();
    QChar inString; // null: not in a string
    QChar ch;
    while (pos < end) {
        const QChar prevChar = ch;
        ch = s.at(pos++);
        if (ch == u'\\') {
            pos++; // skip the escaped char
        } else if (!inString.isNull() && ch == inString) {
            inString = QChar();
        } else if (ch == u'\'' || ch == u'"') {
            // Java's Character.isLetterOrDigit: letters and decimal digits (Nd)
            if (!(prevChar.isLetter() || prevChar.isDigit()))
                inString = ch;
        } else if (ch == separator && inString.isNull()) {
            list.append({s.mid(start, pos - 1 - start), static_cast<int>(start)});
            start = pos;
        }
    }
    if (start < end)
        list.append({s.mid(start, end - start), static_cast<int>(start)});
    return list;
}

Result<EffectiveRoles> validateRoleSpec(const QString &spec, RoleSpecError *detail)
{
    EffectiveRoles eff;
    eff.spec = spec;
    eff.usedDefault = spec.isEmpty(); // StrUtils.isNullOrEmpty: null or "", not whitespace
    const QString effective = eff.usedDefault ? defaultRoleSpec() : spec;

    auto fail = [&](RoleSpecError::Kind kind, int position, int itemIndex, const QString &item,
                    const QString &message, const QString &solr) -> Result<EffectiveRoles> {
        RoleSpecError e;
        e.kind = kind;
        e.position = position;
        e.itemIndex = itemIndex;
        e.item = item;
        e.message = message;
        e.solrBehaviour = solr;
        if (detail)
            *detail = e;
        return makeError(ErrorCode::InvalidArgument, e.toString(),
                         QStringLiteral("solr.node.roles"));
    };

    QMap<QString, QString> explicitModes;
    QMap<QString, int> explicitItem; // role -> index of the item that set it last
    const QList<SplitToken> items = splitSmart(effective, u',');
    for (int i = 0; i < items.size(); ++i) {
        const SplitToken &item = items.at(i);
        const QList<SplitToken> roleMode = splitSmart(item.text, u':');
        if (roleMode.isEmpty()) {
            return fail(
                RoleSpecError::EmptyItem, item.offset, i, item.text,
                QStringLiteral("empty item: expected role:mode"),
                QStringLiteral("Solr fails to start with java.lang.IndexOutOfBoundsException "
                               "(Index 0 out of bounds for length 0)"));
        }
        const QString roleName = roleMode.at(0).text;
        const RoleDefinition *def = findRole(roleName);
        if (!def) {
            const QString msg = QStringLiteral("Unknown role: ") + roleName;
            return fail(RoleSpecError::UnknownRole, item.offset + roleMode.at(0).offset, i,
                        item.text, msg,
                        QStringLiteral("Solr fails to start with SolrException: ") + msg);
        }
        if (roleMode.size() < 2) {
            return fail(
                RoleSpecError::MissingMode, item.offset + static_cast<int>(item.text.size()), i,
                item.text,
                QStringLiteral("role '%1' has no mode: expected %1:<%2>")
                    .arg(roleName, def->modes.join(u'|')),
                QStringLiteral("Solr fails to start with java.lang.IndexOutOfBoundsException "
                               "(Index 1 out of bounds for length 1)"));
        }
        const QString modeName = roleMode.at(1).text;
        if (!def->modes.contains(modeName)) {
            const QString msg =
                QStringLiteral("Unknown role mode '%1' for role '%2'").arg(modeName, roleName);
            return fail(RoleSpecError::UnknownMode, item.offset + roleMode.at(1).offset, i,
                        item.text, msg,
                        QStringLiteral("Solr fails to start with SolrException: ") + msg);
        }
        explicitModes.insert(roleName, modeName); // a later item wins
        explicitItem.insert(roleName, i);
    }

    QStringList lines;
    if (eff.usedDefault)
        lines
            << QStringLiteral("spec is empty: Solr uses the default \"%1\"").arg(defaultRoleSpec());
    for (const RoleDefinition &def : knownRoles()) {
        const bool isExplicit = explicitModes.contains(def.name);
        const QString m = isExplicit ? explicitModes.value(def.name) : def.absentMode;
        eff.modes.insert(def.name, m);
        eff.explicitRole.insert(def.name, isExplicit);
        if (isExplicit) {
            lines << QStringLiteral("%1:%2 (item %3 \"%4\")")
                         .arg(def.name, m, QString::number(explicitItem.value(def.name)),
                              items.at(explicitItem.value(def.name)).text);
        } else {
            lines << QStringLiteral("%1:%2 (not listed: the mode of an absent %1 role)")
                         .arg(def.name, m);
        }
    }
    const QString overseerMode = eff.modes.value(role::overseer());
    if (isOverseerEligibleMode(overseerMode)) {
        lines << (overseerMode == mode::preferred()
                      ? QStringLiteral("the node joins the Overseer election and the prioritizer "
                                       "moves it to the head")
                      : QStringLiteral("the node joins the Overseer election"));
    } else {
        lines << QStringLiteral("the node never joins the Overseer election");
    }
    if (eff.modes.value(role::data()) == mode::off())
        lines << QStringLiteral("no new replicas are placed on the node (data:off)");
    eff.explanation = lines.join(u'\n');
    return eff;
}

} // namespace opsdeck::roles
