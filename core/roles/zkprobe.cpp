// SPDX-License-Identifier: GPL-3.0-or-later
#include "zkprobe.h"

#include "common/logging.h"

#include <QElapsedTimer>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <memory>
#include <mutex>
#include <zookeeper/zookeeper.h>

namespace opsdeck {

namespace {

// Everything the client threads report back. The watcher and the completions only store values
// and notify; all decisions are made on the calling thread. The state outlives the handle
// (zookeeper_close joins the client threads and flushes pending completions before it returns).
struct ProbeState
{
    std::mutex mutex;
    std::condition_variable changed;
    int sessionState = 0; // last ZOO_SESSION_EVENT state, 0 before the first one

    struct Call
    {
        bool done = false;
        int rc = 0;
        int children = 0;
    };
    Call auth;
    Call exists;
    Call children;
};

struct CallContext
{
    ProbeState *state;
    ProbeState::Call *call;
};

void sessionWatcher(zhandle_t *, int type, int state, const char *, void *context)
{
    if (type != ZOO_SESSION_EVENT || !context)
        return;
    auto *probe = static_cast<ProbeState *>(context);
    {
        const std::lock_guard lock(probe->mutex);
        probe->sessionState = state;
    }
    probe->changed.notify_all();
}

void finish(const void *data, int rc, int children)
{
    const auto *context = static_cast<const CallContext *>(data);
    {
        const std::lock_guard lock(context->state->mutex);
        context->call->done = true;
        context->call->rc = rc;
        context->call->children = children;
    }
    context->state->changed.notify_all();
}

void voidCompletion(int rc, const void *data)
{
    finish(data, rc, 0);
}

void statCompletion(int rc, const struct Stat *, const void *data)
{
    finish(data, rc, 0);
}

void stringsCompletion(int rc, const struct String_vector *strings, const void *data)
{
    finish(data, rc, rc == ZOK && strings ? strings->count : 0);
}

// The client library logs connection attempts to stderr by default; a probe of an unreachable
// ensemble would print one line per retry. Per-handle callback: the global log level stays as is.
void discardLog(const char *) {}

struct HandleCloser
{
    void operator()(zhandle_t *handle) const { zookeeper_close(handle); }
};
using HandlePtr = std::unique_ptr<zhandle_t, HandleCloser>;

using Clock = std::chrono::steady_clock;

QString zkErrorText(int rc)
{
    return QString::fromLatin1(zerror(rc));
}

} // namespace

Result<ZkProbeResult> probeZooKeeper(const ZooKeeperConfig &config, int timeoutMs)
{
    const QString where = config.connectString;
    if (timeoutMs <= 0)
        return makeError(ErrorCode::InvalidArgument,
                         QStringLiteral("probe timeout must be positive, got %1 ms").arg(timeoutMs),
                         where);
    const auto parsed = parseZkConnectString(config.connectString);
    if (!parsed)
        return makeError(parsed.error().code, parsed.error().message, where);
    const ZkConnectString &zk = parsed.value();
    const QString serverList = zk.hosts.join(QLatin1Char(','));

    QByteArray credentials;
    if (config.digestAuth.isSet()) {
        auto secret = config.digestAuth.resolve();
        if (!secret)
            return makeError(secret.error().code,
                             QStringLiteral("digest credentials: %1").arg(secret.error().message),
                             where);
        credentials = std::move(secret).value();
        if (credentials.indexOf(':') <= 0)
            return makeError(ErrorCode::InvalidArgument,
                             QStringLiteral("digest credentials from %1 must have the form "
                                            "user:password")
                                 .arg(config.digestAuth.displayString()),
                             where);
    }

    ZkProbeResult result;
    result.connectString = config.connectString;
    result.chroot = zk.chroot;

    const auto deadline = Clock::now() + std::chrono::milliseconds(timeoutMs);
    QElapsedTimer elapsed;
    elapsed.start();

    // Declared before the handle: the state and the completion contexts must outlive
    // zookeeper_close, which may still deliver completions (ZCLOSING) of calls we gave up on.
    ProbeState state;
    CallContext authContext{&state, &state.auth};
    CallContext existsContext{&state, &state.exists};
    CallContext childrenContext{&state, &state.children};
    const QByteArray hostsUtf8 = serverList.toUtf8();
    const int sessionTimeout = config.sessionTimeoutMs > 0 ? config.sessionTimeoutMs : 15000;
    HandlePtr handle(zookeeper_init2(hostsUtf8.constData(), sessionWatcher, sessionTimeout, nullptr,
                                     &state, 0, discardLog));
    if (!handle) {
        const int err = errno;
        return makeError(ErrorCode::Network,
                         QStringLiteral("cannot start a ZooKeeper session for %1: %2")
                             .arg(serverList, QString::fromLocal8Bit(strerror(err))),
                         where);
    }
    zhandle_t *zh = handle.get();

    const auto timeoutError = [&](const QString &stage) {
        return makeError(
            ErrorCode::Timeout,
            QStringLiteral("no ZooKeeper server answered within %1 ms (servers: %2)%3")
                .arg(timeoutMs)
                .arg(serverList, stage.isEmpty() ? QString() : QStringLiteral("; ") + stage),
            where);
    };
    const auto authError = [&] {
        return makeError(
            ErrorCode::PermissionDenied,
            QStringLiteral("authentication rejected by %1 (digest credentials from %2)")
                .arg(serverList, config.digestAuth.displayString()),
            where);
    };

    // 1. Session.
    {
        std::unique_lock lock(state.mutex);
        const bool settled = state.changed.wait_until(lock, deadline, [&] {
            return state.sessionState == ZOO_CONNECTED_STATE ||
                   state.sessionState == ZOO_AUTH_FAILED_STATE ||
                   state.sessionState == ZOO_EXPIRED_SESSION_STATE;
        });
        if (!settled)
            return timeoutError({});
        if (state.sessionState == ZOO_AUTH_FAILED_STATE)
            return authError();
        if (state.sessionState == ZOO_EXPIRED_SESSION_STATE)
            return makeError(ErrorCode::Network,
                             QStringLiteral("the ZooKeeper session expired while connecting "
                                            "(servers: %1)")
                                 .arg(serverList),
                             where);
    }
    result.latencyMs = elapsed.elapsed();
    if (const clientid_t *id = zoo_client_id(zh))
        result.sessionId = id->client_id;
    if (const char *current = zoo_get_current_server(zh))
        result.server = QString::fromLatin1(current);
    if (result.server.isEmpty() || result.server == QLatin1String("[unknown]"))
        result.server = zk.hosts.value(0);

    // Runs one asynchronous call and waits for its completion, the deadline or a dead session.
    enum class Wait
    {
        Done,
        TimedOut,
        AuthFailed,
        Lost
    };
    const auto waitFor = [&](ProbeState::Call &call) {
        std::unique_lock lock(state.mutex);
        const bool settled = state.changed.wait_until(lock, deadline, [&] {
            return call.done || state.sessionState == ZOO_AUTH_FAILED_STATE ||
                   state.sessionState == ZOO_EXPIRED_SESSION_STATE;
        });
        if (call.done)
            return Wait::Done;
        if (!settled)
            return Wait::TimedOut;
        return state.sessionState == ZOO_AUTH_FAILED_STATE ? Wait::AuthFailed : Wait::Lost;
    };
    const auto waitError = [&](Wait outcome, const QString &stage) -> Error {
        switch (outcome) {
        case Wait::TimedOut:
            return timeoutError(stage);
        case Wait::AuthFailed:
            return authError();
        case Wait::Lost:
        case Wait::Done:
            break;
        }
        return makeError(ErrorCode::Network,
                         QStringLiteral("the ZooKeeper session ended while %1 (servers: %2)")
                             .arg(stage, serverList),
                         where);
    };

    // 2. Digest authentication.
    if (!credentials.isEmpty()) {
        const int rc =
            zoo_add_auth(zh, "digest", credentials.constData(),
                         static_cast<int>(credentials.size()), voidCompletion, &authContext);
        credentials.fill('\0');
        if (rc != ZOK)
            return makeError(
                ErrorCode::Network,
                QStringLiteral("cannot send the digest credentials: %1").arg(zkErrorText(rc)),
                where);
        const Wait outcome = waitFor(state.auth);
        if (outcome != Wait::Done)
            return waitError(outcome, QStringLiteral("authenticating"));
        if (state.auth.rc == ZAUTHFAILED)
            return authError();
        if (state.auth.rc != ZOK)
            return makeError(ErrorCode::Network,
                             QStringLiteral("authentication did not complete: %1")
                                 .arg(zkErrorText(state.auth.rc)),
                             where);
    }

    // 3. The chroot (the handle was opened without it, so a missing chroot is an answer).
    const QString root = zk.chroot.isEmpty() ? QStringLiteral("/") : zk.chroot;
    const QByteArray rootUtf8 = root.toUtf8();
    if (!zk.chroot.isEmpty()) {
        const int rc = zoo_aexists(zh, rootUtf8.constData(), 0, statCompletion, &existsContext);
        if (rc != ZOK)
            return makeError(
                ErrorCode::Network,
                QStringLiteral("cannot check chroot %1: %2").arg(root, zkErrorText(rc)), where);
        const Wait outcome = waitFor(state.exists);
        if (outcome != Wait::Done)
            return waitError(outcome, QStringLiteral("checking chroot %1").arg(root));
        if (state.exists.rc == ZNONODE)
            return makeError(ErrorCode::NotFound,
                             QStringLiteral("chroot %1 does not exist").arg(root), where);
        if (state.exists.rc == ZNOAUTH || state.exists.rc == ZAUTHFAILED)
            return makeError(
                ErrorCode::PermissionDenied,
                QStringLiteral("not allowed to see chroot %1 with these credentials").arg(root),
                where);
        if (state.exists.rc != ZOK)
            return makeError(ErrorCode::Network,
                             QStringLiteral("cannot check chroot %1: %2")
                                 .arg(root, zkErrorText(state.exists.rc)),
                             where);
    }
    result.chrootExists = !zk.chroot.isEmpty();

    // 4. Its children: proves read access with these credentials.
    {
        const int rc =
            zoo_aget_children(zh, rootUtf8.constData(), 0, stringsCompletion, &childrenContext);
        if (rc != ZOK)
            return makeError(ErrorCode::Network,
                             QStringLiteral("cannot list %1: %2").arg(root, zkErrorText(rc)),
                             where);
        const Wait outcome = waitFor(state.children);
        if (outcome != Wait::Done)
            return waitError(outcome, QStringLiteral("listing %1").arg(root));
        const int childRc = state.children.rc;
        if ((childRc == ZNOAUTH || childRc == ZAUTHFAILED) && config.digestAuth.isSet())
            return makeError(ErrorCode::PermissionDenied,
                             QStringLiteral("authentication rejected: not allowed to read %1 with "
                                            "the digest credentials from %2")
                                 .arg(root, config.digestAuth.displayString()),
                             where);
        if (childRc == ZNOAUTH || childRc == ZAUTHFAILED)
            return makeError(ErrorCode::PermissionDenied,
                             QStringLiteral("not allowed to read %1 without credentials: its ACL "
                                            "needs digest authentication (zookeeper.digestAuth)")
                                 .arg(root),
                             where);
        if (childRc == ZNONODE)
            return makeError(ErrorCode::NotFound,
                             QStringLiteral("chroot %1 does not exist").arg(root), where);
        if (childRc != ZOK)
            return makeError(ErrorCode::Network,
                             QStringLiteral("cannot list %1: %2").arg(root, zkErrorText(childRc)),
                             where);
        result.rootChildren = state.children.children;
    }

    qCDebug(lcZk) << "probe" << serverList << "connected to" << result.server << "in"
                  << result.latencyMs << "ms";
    return result;
}

} // namespace opsdeck
