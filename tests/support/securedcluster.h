// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Header-only: the tests that include it link opsdeck_solrsim, opsdeck_flinksim and ZooKeeper::mt.
#include "certfactory.h"
#include "flinksim.h"
#include "solrsim.h"
#include "zookeeperserver.h"

#include <QDir>
#include <memory>
#include <zookeeper/zookeeper.h>

namespace opsdeck::test {

// The secret-hygiene set-up, each secret a canary: a real ZooKeeper whose /solr/live_nodes only
// the digest user "solr:<zkPassword>" may read and whose /solr/security.json holds
// securityCanary; one Solr node; a PEM bundle (its private key's base64 is keyCanary) and a
// PKCS#12 bundle locked with storePassword; an HTTPS Flink simulator serving that key with one
// job. Profiles reach the secrets through references the test puts in its environment.
struct SecuredCluster
{
    QByteArray zkPassword;
    QByteArray storePassword;
    QByteArray securityCanary;

    std::unique_ptr<ZooKeeperServer> zk;
    std::unique_ptr<SolrClusterSim> solr;
    std::unique_ptr<FlinkSimulator> flink;
    QByteArray keyCanary; // a full base64 line of the private key
    QByteArray p12;       // the PKCS#12 store's bytes
    QString pemDir;
    QString p12Dir;
    QString caFile;
    QString jobId;

    // Everything under `dir`; the error says what did not start ("" when all did).
    QString start(const QString &dir, const QString &jobName)
    {
        zk = std::make_unique<ZooKeeperServer>();
        if (auto s = zk->start(); !s)
            return s.error().toString();
        solr = std::make_unique<SolrClusterSim>(zk->connectString() + QStringLiteral("/solr"));
        if (auto b = solr->bootstrap(); !b)
            return b.error().toString();
        SolrNodeSpec spec;
        spec.port = 8983;
        if (auto n = solr->startNode(spec); !n)
            return n.error().toString();
        ZkClient admin;
        if (!admin.connect(zk->connectString()) || !admin.addDigestAuth("solr:" + zkPassword))
            return QStringLiteral("ZooKeeper admin session failed");
        if (zoo_set_acl(admin.handle(), "/solr/live_nodes", -1, &ZOO_CREATOR_ALL_ACL) != ZOK)
            return QStringLiteral("cannot restrict /solr/live_nodes");
        if (!admin.set(QStringLiteral("/solr/security.json"),
                       "{\"authentication\":{\"class\":\"solr.BasicAuthPlugin\",\"credentials\":{"
                       "\"solr\":\"" +
                           securityCanary + "\"}}}"))
            return QStringLiteral("cannot write /solr/security.json");

        const auto pki = CertFactory::chain(
            CertSpec::server(QStringLiteral("localhost"), {}, {QStringLiteral("127.0.0.1")}), 0);
        if (!pki)
            return QStringLiteral("cannot make the certificates");
        const QList<QByteArray> keyLines = pki->leaf.keyPem.split('\n');
        keyCanary = keyLines.value(2);
        if (keyCanary.size() < 40)
            return QStringLiteral("the key has no full base64 line");
        const QDir root(dir);
        pemDir = root.filePath(QStringLiteral("pem"));
        p12Dir = root.filePath(QStringLiteral("p12"));
        caFile = root.filePath(QStringLiteral("ca.crt"));
        const auto store = CertFactory::pkcs12(pki->leaf, storePassword, {pki->root});
        if (!store)
            return QStringLiteral("cannot make the PKCS#12 store");
        p12 = *store;
        if (!CertFactory::writeFile(pemDir, QStringLiteral("tls.crt"),
                                    pki->leaf.certPem + pki->root.certPem) ||
            !CertFactory::writeFile(pemDir, QStringLiteral("tls.key"), pki->leaf.keyPem) ||
            !CertFactory::writeFile(dir, QStringLiteral("ca.crt"), pki->root.certPem) ||
            !CertFactory::writeFile(p12Dir, QStringLiteral("keystore.p12"), p12))
            return QStringLiteral("cannot write the bundles under %1").arg(dir);

        FlinkSimOptions fo;
        fo.jobCount = 0;
        fo.tls = FlinkSimOptions::Tls::Server;
        fo.certFile = pemDir + QStringLiteral("/tls.crt");
        fo.keyFile = pemDir + QStringLiteral("/tls.key");
        fo.clusterSavepointDir = root.filePath(QStringLiteral("savepoints"));
        flink = std::make_unique<FlinkSimulator>(fo);
        QString error;
        if (!flink->listen(0, &error))
            return QStringLiteral("Flink simulator: %1").arg(error);
        jobId = flink->addJob(jobName);
        return {};
    }

    QString flinkUrl() const { return QStringLiteral("https://127.0.0.1:%1").arg(flink->port()); }
    QString flinkEndpoint() const { return QStringLiteral("127.0.0.1:%1").arg(flink->port()); }
    QString zkConnect() const { return zk->connectString() + QStringLiteral("/solr"); }
};

} // namespace opsdeck::test
