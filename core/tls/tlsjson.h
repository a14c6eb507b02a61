// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "tlstypes.h"

#include <QDateTime>
#include <QJsonObject>

namespace opsdeck::tls {

// Stable JSON shapes shared by `certs scan`, `certs watch` snapshots and `opsdeck check`.
// Field names are snake_case; fingerprints lowercase hex; times ISO 8601 UTC.
QJsonObject toJson(const CertificateInfo &cert, const QDateTime &now);
QJsonObject toJson(const FileInspection &file, const QDateTime &now);
QJsonObject toJson(const BundleEvaluation &evaluation);

QString isoUtc(const QDateTime &time); // "2026-11-23T18:00:00.000Z"

} // namespace opsdeck::tls
