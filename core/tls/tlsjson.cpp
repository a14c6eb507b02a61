// SPDX-License-Identifier: GPL-3.0-or-later
#include "tlsjson.h"

#include <QJsonArray>

namespace opsdeck::tls {

QString isoUtc(const QDateTime &time)
{
    if (!time.isValid())
        return {};
    return time.toUTC().toString(Qt::ISODateWithMs);
}

QJsonObject toJson(const CertificateInfo &cert, const QDateTime &now)
{
    QJsonObject o{{QStringLiteral("subject"), cert.subject},
                  {QStringLiteral("issuer"), cert.issuer},
                  {QStringLiteral("sans"), QJsonArray::fromStringList(cert.subjectAltNames)},
                  {QStringLiteral("serial"), cert.serialHex},
                  {QStringLiteral("not_before"), isoUtc(cert.notBefore)},
                  {QStringLiteral("not_after"), isoUtc(cert.notAfter)},
                  {QStringLiteral("days_left"), cert.daysLeft(now)},
                  {QStringLiteral("sha256"), cert.sha256},
                  {QStringLiteral("key_type"), cert.keyType},
                  {QStringLiteral("key_bits"), cert.keyBits},
                  {QStringLiteral("signature_algorithm"), cert.signatureAlgorithm},
                  {QStringLiteral("is_ca"), cert.isCa}};
    if (!cert.curve.isEmpty())
        o.insert(QStringLiteral("curve"), cert.curve);
    if (!cert.alias.isEmpty())
        o.insert(QStringLiteral("alias"), cert.alias);
    return o;
}

QJsonObject toJson(const FileInspection &file, const QDateTime &now)
{
    QJsonArray certs;
    for (const CertificateInfo &c : file.certificates)
        certs.append(toJson(c, now));
    QJsonArray keys;
    for (const PrivateKeyInfo &k : file.keys) {
        QJsonObject ko{{QStringLiteral("key_type"), k.keyType},
                       {QStringLiteral("key_bits"), k.keyBits},
                       {QStringLiteral("encrypted"), k.encrypted}};
        if (!k.alias.isEmpty())
            ko.insert(QStringLiteral("alias"), k.alias);
        keys.append(ko);
    }
    QJsonObject o{{QStringLiteral("name"), file.name},
                  {QStringLiteral("path"), file.path},
                  {QStringLiteral("kind"), fileKindName(file.kind)},
                  {QStringLiteral("size"), file.size},
                  {QStringLiteral("sha256"), file.sha256},
                  {QStringLiteral("certificates"), certs},
                  {QStringLiteral("keys"), keys},
                  {QStringLiteral("warnings"), QJsonArray::fromStringList(file.warnings)}};
    if (!file.isUsable()) {
        o.insert(QStringLiteral("problem"), problemCode(file.problem));
        o.insert(QStringLiteral("problem_detail"), file.problemDetail);
    }
    return o;
}

QJsonObject toJson(const BundleEvaluation &evaluation)
{
    QJsonArray chain;
    for (const CertificateInfo &c : evaluation.chainPath)
        chain.append(c.subject);
    QJsonObject o{{QStringLiteral("verdict"), verdictName(evaluation.verdict)},
                  {QStringLiteral("manifest"), evaluation.manifest},
                  {QStringLiteral("days_left"), evaluation.daysLeft},
                  {QStringLiteral("warnings"), QJsonArray::fromStringList(evaluation.warnings)},
                  {QStringLiteral("chain"), chain}};
    if (evaluation.leaf) {
        o.insert(QStringLiteral("leaf_fingerprint"), evaluation.leaf->sha256);
        o.insert(QStringLiteral("leaf_subject"), evaluation.leaf->subject);
        o.insert(QStringLiteral("not_after"), isoUtc(evaluation.leaf->notAfter));
    }
    if (evaluation.problem != Problem::None) {
        o.insert(QStringLiteral("problem"), problemCode(evaluation.problem));
        o.insert(QStringLiteral("reason"), evaluation.reason);
    }
    return o;
}

} // namespace opsdeck::tls
