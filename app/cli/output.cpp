// SPDX-License-Identifier: GPL-3.0-or-later
#include "output.h"

#include "common/activitylog.h"

#include <QJsonDocument>
#include <algorithm>

namespace opsdeck::cli {

bool parseFormat(const QString &text, const QStringList &accepted, QString *normalized,
                 QString *error)
{
    const QString lower = text.toLower();
    if (accepted.contains(lower)) {
        *normalized = lower;
        return true;
    }
    *error = QStringLiteral("--format must be one of %1, not '%2'")
                 .arg(accepted.join(QStringLiteral(", ")), text);
    return false;
}

void printTable(QTextStream &out, const QStringList &headers, const QList<QStringList> &rows)
{
    QList<qsizetype> widths;
    for (const QString &h : headers)
        widths << h.size();
    for (const QStringList &row : rows) {
        for (qsizetype c = 0; c < row.size() && c < widths.size(); ++c)
            widths[c] = std::max(widths[c], row.at(c).size());
    }
    auto printRow = [&](const QStringList &row) {
        QString line;
        for (qsizetype c = 0; c < headers.size(); ++c) {
            const QString cell = c < row.size() ? row.at(c) : QString();
            line += c + 1 < headers.size() ? cell.leftJustified(widths[c] + 2) : cell;
        }
        // Only trailing blanks go: an empty first cell must keep its column.
        qsizetype end = line.size();
        while (end > 0 && line.at(end - 1).isSpace())
            --end;
        out << QStringView(line).left(end) << '\n';
    };
    QStringList upper;
    for (const QString &h : headers)
        upper << h.toUpper();
    printRow(upper);
    for (const QStringList &row : rows)
        printRow(row);
}

void printJson(QTextStream &out, const QJsonObject &object)
{
    out << QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact)) << '\n';
}

void mirrorActivityToStderr(ActivityLog &log)
{
    QObject::connect(
        &log, &ActivityLog::entryAdded, &log,
        [](const ActivityEntry &entry) {
            QTextStream err(stderr);
            err << '[' << entry.timestamp.toLocalTime().toString(QStringLiteral("HH:mm:ss.zzz"))
                << "] " << severityName(entry.severity) << ' ' << entry.source << ": "
                << entry.message << '\n';
        },
        Qt::DirectConnection);
}

} // namespace opsdeck::cli
