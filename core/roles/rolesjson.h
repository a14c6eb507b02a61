// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "roles/findings.h"
#include "roles/rolesnapshot.h"
#include "roles/solrwatcher.h"

#include <QJsonArray>
#include <QJsonObject>

// The JSON shapes of `opsdeck roles` (and the GUI's copy actions): one vocabulary everywhere.
namespace opsdeck::roles {

QJsonObject nodeToJson(const NodeInfo &node, const QList<Finding> &findings);
QJsonArray electionToJson(const QList<ElectionCandidate> &election);
QJsonObject leaderToJson(const LeaderInfo &leader);
QJsonObject findingToJson(const Finding &finding);
QJsonArray findingsToJson(const QList<Finding> &findings);
QJsonObject zookeeperToJson(const ZkStatus &status, const QString &connectString);
QJsonObject whatIfToJson(const WhatIf &whatIf);

// {"nodes","election","leader","findings","zookeeper","what_if"}
QJsonObject snapshotToJson(const RolesSnapshot &snapshot, const QList<Finding> &findings,
                           const ZkStatus &status, const QString &connectString);

// For a one-shot check: since when the leader has (at least) been non-preferred while a
// preferred node is live, from the znodes' own times (the later of the leader znode's mtime and
// the first preferred live node's ctime). Invalid when the condition does not hold.
QDateTime nonPreferredSinceFromTree(const RolesSnapshot &snapshot, const SolrTree &tree);

} // namespace opsdeck::roles
