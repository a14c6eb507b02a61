// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "roles/rolesnapshot.h"

#include <QDateTime>
#include <QList>
#include <QString>

// Role-rule findings over a RolesSnapshot, and the what-if of a node dying.
//
// Codes (stable): no_eligible_overseer, no_leader, leader_unparsable, leader_not_head,
// leader_not_in_queue, leader_disallowed, leader_not_preferred, leader_session_mismatch,
// role_leaf_not_live, live_without_roles, data_off_hosts_replicas, duplicate_candidates,
// candidate_not_live, unknown_role, unknown_mode, legacy_roles_json, solr_misparse,
// election_name_unparsable. Critical: no_eligible_overseer, no_leader, leader_unparsable,
// leader_not_in_queue, leader_disallowed.
namespace opsdeck::roles {

struct FindingContext
{
    QDateTime now;
    int preferredGraceSeconds = 60;
    // When "leader not preferred while a preferred node is live and in the queue" started,
    // tracked by the caller; invalid = just now.
    QDateTime nonPreferredLeaderSince;
};

QList<Finding> evaluateFindings(const RolesSnapshot &snapshot, const FindingContext &ctx);

// The leader's node is not an Overseer designate while a live designate (overseer:preferred or
// legacy /roles.json) has a candidate in the queue — the condition the grace period applies to.
bool nonPreferredLeaderCondition(const RolesSnapshot &snapshot);

// Remembers since when nonPreferredLeaderCondition holds, across snapshots.
class FindingTracker
{
public:
    explicit FindingTracker(int preferredGraceSeconds = 60)
        : m_grace(preferredGraceSeconds)
    {}
    QList<Finding> update(const RolesSnapshot &snapshot, const QDateTime &now);
    QDateTime nonPreferredLeaderSince() const { return m_since; }

private:
    int m_grace;
    QDateTime m_since;
};

struct WhatIf
{
    QString failingNode;
    QString successor;      // the new head once the node's candidates are gone (empty: nobody)
    QString successorMode;  // its overseer mode: preferred|allowed|disallowed|... or "unknown"
    QString eventualLeader; // after the prioritizer (§4.6); equals successor when it does nothing
    bool prioritizerMoves = false; // a designate will be moved to the head and take over
    bool leaderChanges = false;    // the failing node holds the head / leadership
    bool nobodyEligible = false;   // no candidate remains: the cluster has no Overseer
    QString explanation;
};

// What happens to the Overseer if every candidate of `node` disappears (its session dies).
// `node` empty = the current leader (from /overseer_elect/leader, else the head of the queue).
WhatIf whatIfDies(const RolesSnapshot &snapshot, const QString &node = {});

} // namespace opsdeck::roles
