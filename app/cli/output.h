// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "exitcode.h"

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>
#include <QTextStream>

namespace opsdeck {
class ActivityLog;
}

namespace opsdeck::cli {

enum class Format
{
    Table,
    Json
};

// Parses --format; an error names the accepted values.
bool parseFormat(const QString &text, const QStringList &accepted, QString *normalized,
                 QString *error);

// Prints rows as aligned columns with a header row.
void printTable(QTextStream &out, const QStringList &headers, const QList<QStringList> &rows);

// Prints one JSON object on one line (JSON-lines friendly).
void printJson(QTextStream &out, const QJsonObject &object);

// Mirrors every activity entry to stderr as "[time] severity source: message" (for --verbose).
void mirrorActivityToStderr(ActivityLog &log);

} // namespace opsdeck::cli
