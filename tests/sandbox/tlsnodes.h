// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// A fleet of loopback TLS listeners that serve one certificate bundle directory, for the
// sandbox's simulated Solr nodes (their live node names carry the real ports), tests and
// benchmarks of fleet-wide probing. Every node is one QSslServer on 127.0.0.1; handshakes are
// asynchronous, so many clients may handshake with many nodes at once. A node reads the bundle
// through the visible paths (DIR/tls.crt, DIR/tls.key: symlinks into ..data in the Kubernetes
// layout) at the moment it reloads, like a real service.
//
// A rotation converges one node at a time: when the fleet notices the bundle changed (polling
// the ..data target and the files' inode/mtime/size, or an explicit bundleChanged() call), node i
// reloads reloadDelayMs(i) later, by default (i + 1) * stepMs. A paused node never picks up a
// rotation until it is resumed; a stopped node does not listen until restartNode().
//
// HangingTlsServer accepts TCP connections and never sends a byte: "a node that hangs the TLS
// handshake".

#include "common/result.h"

#include <QList>
#include <QObject>
#include <QSslConfiguration>
#include <QString>
#include <QTimer>
#include <memory>
#include <vector>

class QSslServer;
class QTcpServer;

namespace opsdeck::test {

struct TlsNodeFleetOptions
{
    int stepMs = 1500;        // node i reloads (i + 1) * stepMs after a change is noticed
    int pollIntervalMs = 250; // 0: no polling; only bundleChanged() notices a change
    int handshakeTimeoutMs = 5000;
    bool httpReply = true; // answer a request with a one-line HTTP/1.0 text (for curl)
    QList<quint16> ports;  // fixed ports for the first nodes; 0 or missing: any free port
};

class TlsNodeFleet : public QObject
{
    Q_OBJECT
public:
    using Options = TlsNodeFleetOptions;

    explicit TlsNodeFleet(QObject *parent = nullptr);
    ~TlsNodeFleet() override;

    // Loads DIR/tls.crt (the leaf first, any further certificates are served as its chain) and
    // DIR/tls.key, and starts count listeners on 127.0.0.1 serving them. Fails (with nothing
    // left listening) when the bundle does not load or a port cannot be bound.
    Result<void> start(const QString &bundleDir, int count, const Options &options = {});
    Result<void> start(const QString &bundleDir, int count, int stepMs)
    {
        Options options;
        options.stepMs = stepMs;
        return start(bundleDir, count, options);
    }
    // Stops every listener (open connections are closed) and every pending reload.
    void stop();

    int count() const { return int(m_nodes.size()); }
    QString bundleDirectory() const { return m_dir; }
    quint16 port(int index) const;     // kept while a node is stopped; 0 for a bad index
    QString endpoint(int index) const; // "127.0.0.1:PORT"
    bool isListening(int index) const;
    // Lowercase hex SHA-256 of the DER of the leaf the node serves ("" for a bad index).
    QString servedFingerprint(int index) const;
    // The leaf of the bundle as the fleet last read it from disk (on start and on each noticed
    // change).
    QString diskFingerprint() const { return m_diskSha256; }
    // Nodes (listening or not) whose served leaf is the given one.
    int nodesServing(const QString &fingerprint) const;
    bool isReloadPending(int index) const;

    int reloadDelayMs(int index) const;
    // Overrides (i + 1) * stepMs for one node; a pending reload keeps its old deadline.
    void setReloadDelay(int index, int ms);
    // A paused node never picks up a rotation (a pending reload is cancelled). Resuming a node
    // that missed a change schedules its reload (after its delay) as if it had just noticed it.
    void pause(int index, bool paused);
    bool isPaused(int index) const;
    // Closes the node's listener and its open connections; the port stays reserved for it in
    // the fleet (not in the kernel).
    void stopNode(int index);
    // Listens again on the node's port and loads the bundle as it is on disk now (a restarted
    // service reads its files at boot).
    Result<void> restartNode(int index);

public Q_SLOTS:
    // "The bundle may have changed": checks the bundle now; when it did change since the last
    // check, every listening, unpaused node without a pending reload schedules its reload. Safe
    // to call together with polling (a change is acted on once). Connect TlsDemo::rotated here.
    void bundleChanged();

Q_SIGNALS:
    void changeNoticed(const QString &diskFingerprint);
    void nodeReloaded(int index, const QString &fingerprint);
    // A node's reload failed (it keeps serving what it served and retries a few times).
    void reloadFailed(int index, const QString &message);

private:
    struct Material
    {
        QSslConfiguration config;
        QString sha256;
        QByteArray certBytes; // what it was loaded from (to share one parse across the fleet)
        QByteArray keyDigest;
    };
    struct Node
    {
        QSslServer *server = nullptr;
        QTimer *reloadTimer = nullptr;
        quint16 port = 0;
        int delayMs = -1; // -1: (index + 1) * stepMs
        bool paused = false;
        int retries = 0;
        QString sha256;
        QString signature; // of the bundle the node last loaded
    };

    Result<Material> loadMaterial();
    QString currentSignature() const;
    Result<void> listen(int index);
    void reloadNode(int index);
    void scheduleReload(int index);
    void onPendingConnections(QSslServer *server, int index);

    QString m_dir;
    Options m_options;
    std::vector<std::unique_ptr<Node>> m_nodes;
    QTimer m_pollTimer;
    QString m_lastSignature;
    QString m_diskSha256;
    Material m_material; // the last material read (shared by nodes that load the same bytes)
};

// Accepts TCP connections on 127.0.0.1 and never answers: a TLS client waits for its handshake
// until it gives up. Incoming bytes are read and dropped; connections stay open until the client
// closes them or the server stops.
class HangingTlsServer : public QObject
{
    Q_OBJECT
public:
    explicit HangingTlsServer(QObject *parent = nullptr);
    ~HangingTlsServer() override;

    Result<void> start(quint16 port = 0);
    void stop();
    quint16 port() const;
    QString endpoint() const;                        // "127.0.0.1:PORT"
    int acceptedCount() const { return m_accepted; } // connections accepted since start
    int openCount() const;                           // connections still open

Q_SIGNALS:
    void accepted();

private:
    QTcpServer *m_server = nullptr;
    int m_accepted = 0;
};

} // namespace opsdeck::test
