// SPDX-License-Identifier: GPL-3.0-or-later
// The per-collection state.json decoder (core/roles/solrjson.h) and the legacy /roles.json
// decoder (in buildSnapshot, core/roles/rolesnapshot.h). Input: a first line with the collection
// name, a second line with per-replica state children separated by ',', then the JSON body,
// which is also given to buildSnapshot as /roles.json. Invariants: replicas belong to the
// collection, are exactly the entries of its shards' "replicas" objects, per-replica state wins
// over the JSON; /roles.json is parsed or has an error, never both, and every node it names
// carries that role in the snapshot.
#include "fuzzcheck.h"
#include "roles/rolesnapshot.h"
#include "roles/solrjson.h"
#include "roles/solrnames.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

using namespace opsdeck;
using namespace opsdeck::roles;

namespace {

void checkCollectionState(const QString &name, const QStringList &prs, const QByteArray &json)
{
    const QString where = QStringLiteral("/solr/collections/%1/state.json").arg(name);
    const CollectionState c = decodeCollectionState(name, where, json, prs);
    if (json.isEmpty()) {
        FUZZ_CHECK(c.replicas.isEmpty() && c.problem.isEmpty());
        return;
    }
    QJsonParseError error{};
    const QJsonDocument doc = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject()) {
        FUZZ_CHECK(c.replicas.isEmpty());
        FUZZ_CHECK(c.problem.startsWith(where));
        return;
    }
    if (!c.problem.isEmpty())
        FUZZ_CHECK(c.problem.startsWith(where));
    qsizetype expected = 0;
    const QJsonObject shards =
        doc.object().value(name).toObject().value(QLatin1String("shards")).toObject();
    for (auto sh = shards.begin(); sh != shards.end(); ++sh)
        expected += sh.value().toObject().value(QLatin1String("replicas")).toObject().size();
    FUZZ_CHECK(c.replicas.size() == expected);
    for (const ReplicaInfo &r : c.replicas) {
        FUZZ_CHECK(r.collection == name);
        const QJsonObject o = shards.value(r.shard)
                                  .toObject()
                                  .value(QLatin1String("replicas"))
                                  .toObject()
                                  .value(r.replica)
                                  .toObject();
        FUZZ_CHECK(r.node == o.value(QLatin1String("node_name")).toString());
        FUZZ_CHECK(r.core == o.value(QLatin1String("core")).toString());
        // The last per-replica child for this replica (with a state field) decides.
        QString prsState;
        bool prsLeader = false;
        bool havePrs = false;
        for (const QString &child : prs) {
            const QStringList f = child.split(u':');
            if (f.size() >= 3 && f.at(0) == r.replica) {
                havePrs = true;
                prsState = f.at(2);
                prsLeader = f.size() > 3 && f.at(3) == QLatin1String("L");
            }
        }
        if (havePrs) {
            if (prsState == QLatin1String("A"))
                FUZZ_CHECK(r.state == QLatin1String("active"));
            else if (prsState == QLatin1String("D"))
                FUZZ_CHECK(r.state == QLatin1String("down"));
            else if (prsState.size() > 1)
                FUZZ_CHECK(r.state == prsState);
            FUZZ_CHECK(r.leader == prsLeader);
        } else {
            FUZZ_CHECK(r.state == o.value(QLatin1String("state")).toString());
            FUZZ_CHECK(r.leader ==
                       (o.value(QLatin1String("leader")).toString() == QLatin1String("true")));
        }
    }
}

void checkRolesJson(const QByteArray &json)
{
    SolrTree tree;
    tree.chroot = QStringLiteral("/solr");
    tree.rolesJsonExists = true;
    tree.rolesJson = json;
    const RolesSnapshot s = buildSnapshot(tree, QDateTime(QDate(2024, 1, 1), QTime(0, 0), Qt::UTC));
    FUZZ_CHECK(s.rolesJsonExists);
    FUZZ_CHECK(s.rolesJsonParsed == s.rolesJsonError.isEmpty());
    if (!s.rolesJsonParsed)
        FUZZ_CHECK(s.rolesJson.isEmpty());
    for (auto it = s.rolesJson.cbegin(); it != s.rolesJson.cend(); ++it) {
        for (const QString &name : it.value()) {
            const NodeInfo *n = s.node(name);
            FUZZ_CHECK(n != nullptr);
            FUZZ_CHECK(n->rolesJsonOverseer.contains(it.key()));
            FUZZ_CHECK(!n->live);
        }
    }
    for (qsizetype i = 1; i < s.nodes.size(); ++i)
        FUZZ_CHECK(javaStringCompare(s.nodes.at(i - 1).name, s.nodes.at(i).name) < 0);
    for (const Finding &f : s.findings)
        FUZZ_CHECK(!f.code.isEmpty() && !f.message.isEmpty());
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray input = fuzz::bytes(data, size);
    const qsizetype first = input.indexOf('\n');
    const qsizetype second = first < 0 ? -1 : input.indexOf('\n', first + 1);
    QString name = QStringLiteral("c1");
    QStringList prs;
    QByteArray json = input;
    if (second >= 0) {
        name = QString::fromUtf8(input.left(first));
        prs = QString::fromUtf8(input.mid(first + 1, second - first - 1))
                  .split(u',', Qt::SkipEmptyParts);
        json = input.mid(second + 1);
    }
    checkCollectionState(name, prs, json);
    checkRolesJson(json);
    return 0;
}
