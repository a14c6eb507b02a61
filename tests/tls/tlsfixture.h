// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Test PKI made at test time with the openssl CLI (and Java keytool for JKS/JCEKS), in a
// QTemporaryDir. Header-only and free of Q_OBJECT so it can be shared by several test files.

#include <QByteArray>
#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>
#include <QTest>

namespace opsdeck::tls::testing {

class Pki
{
public:
    Pki() { m_dir.setAutoRemove(true); }

    bool isValid() const { return m_dir.isValid(); }
    QString path(const QString &name) const { return m_dir.filePath(name); }
    QString lastError() const { return m_error; }

    // Runs a tool; false (with lastError) on a non-zero exit.
    bool run(const QString &program, const QStringList &args, QByteArray *output = nullptr)
    {
        QProcess p;
        p.setWorkingDirectory(m_dir.path());
        p.setProcessChannelMode(QProcess::SeparateChannels);
        p.start(program, args);
        if (!p.waitForStarted(20000) || !p.waitForFinished(120000)) {
            m_error = program + QStringLiteral(": did not run");
            p.kill();
            p.waitForFinished(2000);
            return false;
        }
        if (output != nullptr)
            *output = p.readAllStandardOutput();
        if (p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0) {
            m_error = program + QLatin1Char(' ') + args.join(QLatin1Char(' ')) +
                      QStringLiteral(": ") + QString::fromLocal8Bit(p.readAllStandardError());
            return false;
        }
        return true;
    }
    bool openssl(const QStringList &args, QByteArray *output = nullptr)
    {
        return run(QStringLiteral("openssl"), args, output);
    }

    // "rsa:2048", "rsa:3072", "ec:P-256", "ec:P-384"
    bool key(const QString &name, const QString &spec)
    {
        const QStringList parts = spec.split(QLatin1Char(':'));
        if (parts.value(0) == QLatin1String("rsa"))
            return openssl({QStringLiteral("genpkey"), QStringLiteral("-algorithm"),
                            QStringLiteral("RSA"), QStringLiteral("-pkeyopt"),
                            QStringLiteral("rsa_keygen_bits:") + parts.value(1),
                            QStringLiteral("-out"), path(name)});
        return openssl({QStringLiteral("genpkey"), QStringLiteral("-algorithm"),
                        QStringLiteral("EC"), QStringLiteral("-pkeyopt"),
                        QStringLiteral("ec_paramgen_curve:") + parts.value(1),
                        QStringLiteral("-out"), path(name)});
    }

    bool root(const QString &crt, const QString &keyName, const QString &cn, int days = 3650)
    {
        return openssl({QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-new"),
                        QStringLiteral("-key"), path(keyName), QStringLiteral("-subj"),
                        QStringLiteral("/O=opsdeck tests/CN=") + cn, QStringLiteral("-days"),
                        QString::number(days), QStringLiteral("-set_serial"),
                        QStringLiteral("0x01"), QStringLiteral("-addext"),
                        QStringLiteral("basicConstraints=critical,CA:TRUE"),
                        QStringLiteral("-addext"), QStringLiteral("keyUsage=keyCertSign,cRLSign"),
                        QStringLiteral("-out"), path(crt)});
    }

    // A certificate for keyName signed by issuer (crt/key). `sans` like "DNS:a,IP:127.0.0.1".
    bool issue(const QString &crt, const QString &keyName, const QString &cn,
               const QString &issuerCrt, const QString &issuerKey, bool ca, const QString &sans,
               int days, const QString &serial)
    {
        const QString csr = crt + QStringLiteral(".csr");
        const QString ext = crt + QStringLiteral(".ext");
        QByteArray extText = ca ? QByteArray("basicConstraints=critical,CA:TRUE\n"
                                             "keyUsage=keyCertSign,cRLSign\n")
                                : QByteArray("basicConstraints=CA:FALSE\n"
                                             "keyUsage=digitalSignature,keyEncipherment\n");
        if (!sans.isEmpty())
            extText += "subjectAltName=" + sans.toUtf8() + "\n";
        if (!write(ext, extText))
            return false;
        return openssl({QStringLiteral("req"), QStringLiteral("-new"), QStringLiteral("-key"),
                        path(keyName), QStringLiteral("-subj"),
                        QStringLiteral("/O=opsdeck tests/CN=") + cn, QStringLiteral("-out"),
                        path(csr)}) &&
               openssl({QStringLiteral("x509"), QStringLiteral("-req"), QStringLiteral("-in"),
                        path(csr), QStringLiteral("-CA"), path(issuerCrt), QStringLiteral("-CAkey"),
                        path(issuerKey), QStringLiteral("-set_serial"), serial,
                        QStringLiteral("-days"), QString::number(days), QStringLiteral("-extfile"),
                        path(ext), QStringLiteral("-out"), path(crt)});
    }

    bool write(const QString &name, const QByteArray &bytes)
    {
        QFile f(path(name));
        if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
            m_error = name + QStringLiteral(": cannot write");
            return false;
        }
        return f.write(bytes) == bytes.size();
    }
    QByteArray read(const QString &name) const
    {
        QFile f(path(name));
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    }
    bool concat(const QString &out, const QStringList &parts)
    {
        QByteArray all;
        for (const QString &p : parts)
            all += read(p);
        return write(out, all);
    }

    static QString keytool() { return QStandardPaths::findExecutable(QStringLiteral("keytool")); }

private:
    QTemporaryDir m_dir;
    QString m_error;
};

} // namespace opsdeck::tls::testing
