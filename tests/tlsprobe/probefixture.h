// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Test PKI for the probe tests, made at test time with the CertFactory and written to a
// QTemporaryDir: a root CA, an intermediate, a "localhost"/127.0.0.1 leaf, a leaf for the SNI name
// "sni.test", and an unrelated root (the wrong CA). Header-only, no Q_OBJECT.

#include "certfactory.h"

#include <QDir>
#include <QTemporaryDir>

namespace opsdeck::test {

struct ProbePki
{
    QTemporaryDir dir;
    CertChain chain;   // root -> intermediate -> leaf (localhost, 127.0.0.1)
    CertKey sniLeaf;   // sni.test, issued by the intermediate
    CertKey otherRoot; // an unrelated CA
    QString leafCert, leafKey, intermediateCert, rootCert, sniCert, sniKey, otherRootCert;
    QString error;

    bool make()
    {
        if (!dir.isValid())
            return fail(QStringLiteral("no temporary directory"));
        auto c = CertFactory::chain(
            CertSpec::server(QStringLiteral("localhost"), {}, {QStringLiteral("127.0.0.1")}), 1);
        if (!c)
            return fail(c.error().toString());
        chain = c.value();
        auto sni = CertFactory::issue(CertSpec::server(QStringLiteral("sni.test"), {}, {}),
                                      chain.intermediates.first());
        if (!sni)
            return fail(sni.error().toString());
        sniLeaf = sni.value();
        auto other = CertFactory::selfSigned(CertSpec::rootCa(QStringLiteral("Other Root CA")));
        if (!other)
            return fail(other.error().toString());
        otherRoot = other.value();
        return write(&leafCert, QStringLiteral("leaf.crt"), chain.leaf.certPem) &&
               write(&leafKey, QStringLiteral("leaf.key"), chain.leaf.keyPem) &&
               write(&intermediateCert, QStringLiteral("intermediate.crt"),
                     chain.intermediates.first().certPem) &&
               write(&rootCert, QStringLiteral("root.crt"), chain.root.certPem) &&
               write(&sniCert, QStringLiteral("sni.crt"), sniLeaf.certPem) &&
               write(&sniKey, QStringLiteral("sni.key"), sniLeaf.keyPem) &&
               write(&otherRootCert, QStringLiteral("other-root.crt"), otherRoot.certPem);
    }

    // A fresh leaf for localhost issued by the same intermediate, with notBefore `ageSecs` ago.
    bool newLeaf(CertKey *out, qint64 ageSecs)
    {
        CertSpec spec =
            CertSpec::server(QStringLiteral("localhost"), {}, {QStringLiteral("127.0.0.1")});
        spec.notBefore = QDateTime::currentDateTimeUtc().addSecs(-ageSecs);
        auto leaf = CertFactory::issue(spec, chain.intermediates.first());
        if (!leaf)
            return fail(leaf.error().toString());
        *out = leaf.value();
        return true;
    }

    bool write(QString *path, const QString &name, const QByteArray &bytes)
    {
        auto written = CertFactory::writeFile(dir.path(), name, bytes);
        if (!written)
            return fail(written.error().toString());
        *path = written.value();
        return true;
    }

    bool fail(const QString &message)
    {
        error = message;
        return false;
    }
};

} // namespace opsdeck::test
