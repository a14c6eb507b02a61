// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// The sandbox's TLS demo: a certificate directory in the Kubernetes layout that rotates on a
// timer, and a loopback TLS endpoint that reloads it only on every second rotation. A user of
// the console sees CHANGED on disk, then SERVED matching, then "rotated on disk, not reloaded by
// the service", and so on.
//
//   DIR/tls.crt -> ..data/tls.crt     DIR/..data -> ..2026_11_23_18_00_00.123000001
//   DIR/tls.key -> ..data/tls.key     DIR/..2026_11_23_18_00_00.123000001/{tls.crt,tls.key,ca.crt}
//   DIR/ca.crt  -> ..data/ca.crt
//
// Rotation is Kubernetes' AtomicWriter: write a new timestamped directory, point ..data_tmp at
// it, rename ..data_tmp over ..data, remove the old directory. Every leaf is signed by a private
// demo CA made at start (DIR/ca.crt); leaves carry DNS:<hostName> and IP:127.0.0.1, and each one's
// notBefore is later than the one before. Nothing secret is ever printed.

#include "certfactory.h"
#include "common/result.h"

#include <QByteArray>
#include <QDateTime>
#include <QObject>
#include <QString>
#include <QTimer>
#include <memory>

class QSslServer;
class QTemporaryDir;

namespace opsdeck::test {

class TlsDemo : public QObject
{
    Q_OBJECT
public:
    struct Options
    {
        QString directory;            // the bundle directory (created); empty: a temporary one
        int rotateIntervalMs = 20000; // 0: only rotate() rotates
        int reloadEvery = 2;          // the endpoint reloads on every Nth rotation (1: always)
        quint16 port = 0;             // 0: any free port on 127.0.0.1
        QString hostName = QStringLiteral("localhost"); // CN and DNS SAN of the leaves
    };

    explicit TlsDemo(QObject *parent = nullptr);
    ~TlsDemo() override;

    // Makes the CA and the first leaf, writes the layout, loads the endpoint from the visible
    // files and listens on 127.0.0.1. The directory must not hold another demo's files.
    Result<void> start(const Options &options);
    // Stops the timer and the endpoint (open connections are closed). The files stay.
    void stop();

    bool isRunning() const;
    QString directory() const { return m_dir; }
    quint16 port() const;
    QString endpoint() const; // "127.0.0.1:PORT"
    QString caFile() const;   // DIR/ca.crt (the demo CA, a trust anchor for probes)
    QString hostName() const { return m_options.hostName; }
    int rotations() const { return m_rotations; }
    QString servedFingerprint() const { return m_servedSha256; } // lowercase hex SHA-256
    QString diskFingerprint() const { return m_diskSha256; }

    // Writes a new leaf the Kubernetes way; reloads the endpoint on every reloadEvery-th call.
    // Emits rotated() and, when it reloaded, reloaded().
    Result<void> rotate();

Q_SIGNALS:
    void rotated(const QString &newFingerprint);
    void reloaded(const QString &fingerprint);
    void failed(const QString &message); // a timer rotation failed

private:
    Result<void> writeGeneration(const QByteArray &certPem, const QByteArray &keyPem);
    Result<void> reloadFromDisk();
    Result<QByteArray> issueLeaf(QByteArray *keyPem, QString *sha256);

    Options m_options;
    QString m_dir;
    std::unique_ptr<QTemporaryDir> m_tempDir;
    QSslServer *m_server = nullptr;
    QTimer m_timer;
    CertKey m_ca; // its key stays in memory only; never written or printed
    QDateTime m_lastNotBefore;
    QString m_currentGeneration; // "..<timestamp>" directory name
    QString m_servedSha256;
    QString m_diskSha256;
    int m_rotations = 0;
    quint64 m_generationCounter = 0;
};

} // namespace opsdeck::test
