// SPDX-License-Identifier: GPL-3.0-or-later
#include "roles/solrnames.h"

#include <QByteArray>
#include <QRegularExpression>
#include <limits>

namespace opsdeck::roles {

namespace {

bool isAsciiDigits(QStringView s)
{
    if (s.isEmpty())
        return false;
    for (QChar c : s)
        if (c < u'0' || c > u'9')
            return false;
    return true;
}

// A signed decimal ("-" optional, then ASCII digits) that fits in [min, max].
bool parseSigned(QStringView s, qint64 min, qint64 max, qint64 *out)
{
    const bool negative = s.startsWith(u'-');
    const QStringView digits = negative ? s.mid(1) : s;
    if (!isAsciiDigits(digits))
        return false;
    // accumulate as a negative number so that the minimum fits
    qint64 value = 0;
    for (QChar c : digits) {
        const int d = c.unicode() - u'0';
        if (value < (std::numeric_limits<qint64>::min() + d) / 10)
            return false;
        value = value * 10 - d;
    }
    if (!negative) {
        if (value == std::numeric_limits<qint64>::min())
            return false;
        value = -value;
    }
    if (value < min || value > max)
        return false;
    *out = value;
    return true;
}

int hexValue(QChar c)
{
    const char16_t u = c.unicode();
    if (u >= u'0' && u <= u'9')
        return u - u'0';
    if (u >= u'a' && u <= u'f')
        return u - u'a' + 10;
    if (u >= u'A' && u <= u'F')
        return u - u'A' + 10;
    return -1;
}

// java.net.URLDecoder.decode(s, UTF_8): '+' is a space, %XX sequences are UTF-8 bytes; a malformed
// escape is an error (Java throws IllegalArgumentException).
bool urlDecode(const QString &s, QString *out)
{
    QString result;
    int i = 0;
    while (i < s.size()) {
        const QChar c = s.at(i);
        if (c == u'+') {
            result += u' ';
            ++i;
        } else if (c == u'%') {
            QByteArray bytes;
            while (i < s.size() && s.at(i) == u'%') {
                if (i + 2 >= s.size())
                    return false;
                const int hi = hexValue(s.at(i + 1));
                const int lo = hexValue(s.at(i + 2));
                if (hi < 0 || lo < 0)
                    return false;
                bytes.append(static_cast<char>(hi * 16 + lo));
                i += 3;
            }
            result += QString::fromUtf8(bytes);
        } else {
            result += c;
            ++i;
        }
    }
    *out = result;
    return true;
}

} // namespace

NodeName parseNodeName(const QString &name)
{
    NodeName n;
    n.name = name;
    const qsizetype colon = name.indexOf(u':');
    if (colon < 0) {
        n.error =
            QStringLiteral("node name \"%1\" has no ':' (expected host:port_context)").arg(name);
        return n;
    }
    const qsizetype underscore = name.indexOf(u'_', colon + 1);
    const QString hostPort = underscore < 0 ? name : name.left(underscore);
    const qsizetype lastColon = hostPort.lastIndexOf(u':');
    n.host = hostPort.left(lastColon);
    const QStringView portText = QStringView(hostPort).mid(lastColon + 1);
    qint64 port = -1;
    if (parseSigned(portText, 0, 65535, &port) && !portText.startsWith(u'-'))
        n.port = static_cast<int>(port);
    if (n.host.isEmpty()) {
        n.error = QStringLiteral("node name \"%1\" has an empty host").arg(name);
        return n;
    }
    if (n.port < 0) {
        n.error = QStringLiteral("node name \"%1\" has no valid port after the last ':' of \"%2\"")
                      .arg(name, hostPort);
        return n;
    }
    if (underscore < 0) {
        n.error = QStringLiteral("node name \"%1\" has no '_' after host:port").arg(name);
        return n;
    }
    if (!urlDecode(name.mid(underscore + 1), &n.context)) {
        n.error =
            QStringLiteral("node name \"%1\" has a malformed %-escape in its context").arg(name);
        return n;
    }
    n.ok = true;
    return n;
}

namespace {

// The console's reading (contract §4.2): seq after the last "-n_", sid up to the first '-' that
// is not at index 0, the node name in between. Fills `e` and returns whether it parsed.
bool parseElectionParts(const QString &name, ElectionName &e, QStringView *seqTextOut)
{
    const QLatin1String marker("-n_");
    const qsizetype at = name.lastIndexOf(marker);
    if (at < 0) {
        e.error = QStringLiteral("election name \"%1\" has no \"-n_<sequence>\" suffix").arg(name);
        return false;
    }
    const QStringView seqText = QStringView(name).mid(at + marker.size());
    *seqTextOut = seqText;
    const QStringView head = QStringView(name).left(at);
    qint64 seq = 0;
    if (!parseSigned(seqText, std::numeric_limits<qint32>::min(),
                     std::numeric_limits<qint32>::max(), &seq)) {
        e.error = QStringLiteral("election name \"%1\": sequence \"%2\" is not a 32-bit number")
                      .arg(name, seqText.toString());
        return false;
    }
    const qsizetype dash = head.indexOf(u'-', 1);
    if (dash < 0) {
        e.error = QStringLiteral("election name \"%1\" has no \"<session>-<node>\" part").arg(name);
        return false;
    }
    qint64 sid = 0;
    if (!parseSigned(head.left(dash), std::numeric_limits<qint64>::min(),
                     std::numeric_limits<qint64>::max(), &sid)) {
        e.error = QStringLiteral("election name \"%1\": session id \"%2\" is not a 64-bit number")
                      .arg(name, head.left(dash).toString());
        return false;
    }
    e.nodeName = head.mid(dash + 1).toString();
    if (e.nodeName.isEmpty()) {
        e.error = QStringLiteral("election name \"%1\" has an empty node name").arg(name);
        return false;
    }
    e.sessionId = sid;
    e.sequence = static_cast<qint32>(seq);
    return true;
}

bool allAsciiDigits(QStringView s)
{
    if (s.isEmpty())
        return false;
    for (const QChar c : s)
        if (c < u'0' || c > u'9')
            return false;
    return true;
}

} // namespace

ElectionName parseElectionName(const QString &name)
{
    ElectionName e;
    e.name = name;
    QStringView seqText;
    e.ok = parseElectionParts(name, e, &seqText);

    // The common case needs no regex: a non-negative session id (no '-' before the first one
    // that ends it) and a plain digit sequence. Solr's patterns then provably read the same
    // sequence and node name as the console (the first "-n_<digits only to the end>" is the last
    // "-n_", and group 1 ends at the first '-').
    if (e.ok && e.sessionId >= 0 && allAsciiDigits(seqText)) {
        e.solrReadsNodeAs = e.nodeName;
        return e;
    }

    // Otherwise Solr's view (LeaderElector): full-string matches of LEADER_SEQ and NODE_NAME.
    static const QRegularExpression solrSeq(
        QRegularExpression::anchoredPattern(QStringLiteral(".*?/?.*?-n_(\\d+)")));
    static const QRegularExpression solrNode(
        QRegularExpression::anchoredPattern(QStringLiteral(".*?/?(.*?-)(.*?)-n_\\d+")));
    const QRegularExpressionMatch seqMatch = solrSeq.match(name);
    const QRegularExpressionMatch nodeMatch = solrNode.match(name);
    if (nodeMatch.hasMatch())
        e.solrReadsNodeAs = nodeMatch.captured(2);
    if (!e.ok)
        return e;

    qint64 solrSeqValue = 0;
    if (!seqMatch.hasMatch()) {
        e.solrMisreads = true;
        e.solrProblem = QStringLiteral("Solr's LeaderElector cannot read the sequence \"%1\" "
                                       "(no match of -n_<digits>) and throws "
                                       "IllegalStateException while sorting the election")
                            .arg(seqText.toString());
    } else if (!parseSigned(seqMatch.capturedView(1), std::numeric_limits<qint32>::min(),
                            std::numeric_limits<qint32>::max(), &solrSeqValue)) {
        e.solrMisreads = true;
        e.solrProblem = QStringLiteral("Solr's Integer.parseInt fails on the sequence \"%1\" "
                                       "(NumberFormatException)")
                            .arg(seqMatch.captured(1));
    } else if (e.solrReadsNodeAs != e.nodeName) {
        e.solrMisreads = true;
        e.solrProblem = QStringLiteral("Solr reads the node name as \"%1\" instead of \"%2\" "
                                       "(negative session id %3)")
                            .arg(e.solrReadsNodeAs, e.nodeName, QString::number(e.sessionId));
    }
    return e;
}

int javaStringCompare(const QString &a, const QString &b)
{
    const qsizetype n = qMin(a.size(), b.size());
    const ushort *pa = a.utf16();
    const ushort *pb = b.utf16();
    for (qsizetype i = 0; i < n; ++i) {
        if (pa[i] != pb[i])
            return pa[i] < pb[i] ? -1 : 1;
    }
    if (a.size() == b.size())
        return 0;
    return a.size() < b.size() ? -1 : 1;
}

bool electionLess(const ElectionName &a, const ElectionName &b)
{
    if (a.ok != b.ok)
        return a.ok; // parsable first
    if (a.ok && a.sequence != b.sequence)
        return a.sequence < b.sequence;
    return javaStringCompare(a.name, b.name) < 0;
}

bool electionLess(const QString &a, const QString &b)
{
    return electionLess(parseElectionName(a), parseElectionName(b));
}

} // namespace opsdeck::roles
