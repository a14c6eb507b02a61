// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "roles/solrtree.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

// Decoding of the JSON znodes the Solr reader keeps per part (solr-zookeeper-contract.md).
namespace opsdeck::roles {

struct CollectionState
{
    QList<ReplicaInfo> replicas;
    QString problem; // why state.json could not be used; empty when it could
};

// Replicas of collection `name` from its /collections/<name>/state.json (`json`; empty: not read
// yet, no replicas and no problem) and, when per-replica state is on, its state children
// "<replica>:<version>:<A|D|R|F>[:L]" (`prs`), which are authoritative. `where` names the znode
// in the problem sentence.
CollectionState decodeCollectionState(const QString &name, const QString &where,
                                      const QByteArray &json, const QStringList &prs);

} // namespace opsdeck::roles
