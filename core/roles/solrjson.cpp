// SPDX-License-Identifier: GPL-3.0-or-later
#include "roles/solrjson.h"

#include <QHash>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QPair>

namespace opsdeck::roles {

CollectionState decodeCollectionState(const QString &name, const QString &where,
                                      const QByteArray &json, const QStringList &prs)
{
    CollectionState c;
    if (json.isEmpty())
        return c; // not read yet, or a collection still being created
    QJsonParseError parseError{};
    const QJsonDocument doc = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError || !doc.isObject()) {
        // One arg() call: a second one would also substitute "%N" inside the collection name.
        c.problem =
            QStringLiteral("%1 is not a JSON object (%2 at byte %3); its replicas are not "
                           "counted")
                .arg(where,
                     parseError.error != QJsonParseError::NoError ? parseError.errorString()
                                                                  : QStringLiteral("not an object"),
                     QString::number(parseError.offset));
        return c;
    }
    const QJsonObject coll = doc.object().value(name).toObject();
    if (coll.isEmpty() && !json.trimmed().isEmpty() && json.trimmed() != "{}")
        c.problem = QStringLiteral("%1 has no \"%2\" object; its replicas are not counted")
                        .arg(where, name);
    static const QHash<QString, QString> states = {
        {QStringLiteral("A"), QStringLiteral("active")},
        {QStringLiteral("D"), QStringLiteral("down")},
        {QStringLiteral("R"), QStringLiteral("recovering")},
        {QStringLiteral("F"), QStringLiteral("recovery_failed")},
    };
    QHash<QString, QPair<QString, bool>> prsStates;
    for (const QString &child : prs) {
        const QStringList f = child.split(QLatin1Char(':'));
        if (f.size() >= 3)
            prsStates.insert(f.at(0), {states.value(f.at(2), f.at(2)),
                                       f.size() > 3 && f.at(3) == QLatin1String("L")});
    }
    const QJsonObject shards = coll.value(QLatin1String("shards")).toObject();
    for (auto sh = shards.constBegin(); sh != shards.constEnd(); ++sh) {
        const QJsonObject reps = sh.value().toObject().value(QLatin1String("replicas")).toObject();
        for (auto r = reps.constBegin(); r != reps.constEnd(); ++r) {
            const QJsonObject o = r.value().toObject();
            ReplicaInfo info;
            info.collection = name;
            info.shard = sh.key();
            info.replica = r.key();
            info.core = o.value(QLatin1String("core")).toString();
            info.node = o.value(QLatin1String("node_name")).toString();
            info.state = o.value(QLatin1String("state")).toString();
            info.type = o.value(QLatin1String("type")).toString();
            info.leader = o.value(QLatin1String("leader")).toString() == QLatin1String("true");
            if (const auto p = prsStates.constFind(r.key()); p != prsStates.cend()) {
                info.state = p->first;
                info.leader = p->second;
            }
            c.replicas.append(info);
        }
    }
    return c;
}

} // namespace opsdeck::roles
