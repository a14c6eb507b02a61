// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

// Solr's znode names (solr-zookeeper-contract.md §3 and §4.2/§4.3), parsed so that what Solr itself
// gets wrong is still read correctly, and flagged.
namespace opsdeck::roles {

// A live node name `<host>:<port>_<URL-encoded context>`. Split at the first `_` after the first
// `:`; the port is the digits after the last `:` of `host:port` (IPv6 without brackets); the
// context is URL-decoded like Java's URLDecoder ('+' is a space). A root context gives `h:8983_`.
struct NodeName
{
    QString name;    // as given
    QString host;    // "solr-0.solr-headless.ns.svc.cluster.local", "0:0:0:0:0:0:0:1"
    int port = -1;   // -1 when it could not be read
    QString context; // decoded: "solr", "solr/sub", "" for the root context
    bool ok = false; // false: error says why (host/port may still be filled when found)
    QString error;
};

NodeName parseNodeName(const QString &name);

// An Overseer election child `<sid>-<nodeName>-n_<seq>`.
//
// Console rules: seq = text after the last `-n_` as a signed 32-bit decimal (ZooKeeper's counter
// overflows into `-n_-2147483648`); sid = the text before it up to the first `-` that is not at
// index 0, as a signed 64-bit decimal (server ids >= 128 give negative session ids); node = the
// rest.
//
// Solr's own regexes (LeaderElector) are emulated too: a negative session id makes Solr read the
// node name as `<digits>-<nodeName>`, a negative or out-of-range sequence makes it throw.
struct ElectionName
{
    QString name;         // as given
    qint64 sessionId = 0; // signed, as Java prints getSessionId()
    QString nodeName;     // "h:8983_solr"
    qint32 sequence = 0;  // signed, may be negative after overflow
    bool ok = false;      // false: error says why
    QString error;
    bool solrMisreads = false; // Solr's regexes would read a wrong node name or fail on the seq
    QString solrReadsNodeAs;   // the node name Solr's NODE_NAME regex yields (empty: no match)
    QString solrProblem;       // one sentence on what Solr does wrong, empty when !solrMisreads
};

ElectionName parseElectionName(const QString &name);

// Java's String.compareTo: UTF-16 code unit by code unit, then length. <0, 0, >0.
int javaStringCompare(const QString &a, const QString &b);

// Solr's election order (sortSeqs): sequence ascending as a signed int, then the whole child name
// in Java String natural order. Names this console cannot parse sort after all parsable ones (by
// name among themselves).
bool electionLess(const QString &a, const QString &b);
bool electionLess(const ElectionName &a, const ElectionName &b);

} // namespace opsdeck::roles
