// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>
#include <cassert>
#include <type_traits>
#include <utility>
#include <variant>

namespace opsdeck {

// What went wrong, in categories a caller can branch on. The message is for people.
enum class ErrorCode
{
    InvalidArgument, // the caller (or the user) asked for something malformed
    NotFound,        // a file, profile, znode or job that is not there
    PermissionDenied,
    Io,      // reading or writing failed
    Parse,   // bytes that do not decode as the expected format
    Corrupt, // a store whose structure is damaged
    Busy,    // locked by someone else, try later
    Timeout,
    Network,
    Unsupported,
    Internal,
};

QString errorCodeName(ErrorCode code);

// A typed error: a code, a message that says what was wrong, and where (a file, a URL, a znode).
struct Error
{
    ErrorCode code = ErrorCode::Internal;
    QString message;
    QString where;

    // "where: message", or the message alone when there is no place to name.
    QString toString() const;
};

inline Error makeError(ErrorCode code, QString message, QString where = {})
{
    return Error{code, std::move(message), std::move(where)};
}

// The value of a fallible core call. No exception crosses a core API boundary: failures are values.
template<typename T> class [[nodiscard]] Result
{
public:
    Result(T value)
        : m_state(std::in_place_index<0>, std::move(value))
    {}
    Result(Error error)
        : m_state(std::in_place_index<1>, std::move(error))
    {}

    bool ok() const { return m_state.index() == 0; }
    explicit operator bool() const { return ok(); }

    const T &value() const &
    {
        assert(ok());
        return std::get<0>(m_state);
    }
    T &value() &
    {
        assert(ok());
        return std::get<0>(m_state);
    }
    T &&value() &&
    {
        assert(ok());
        return std::get<0>(std::move(m_state));
    }
    const T *operator->() const { return &value(); }
    const T &operator*() const & { return value(); }

    const Error &error() const
    {
        assert(!ok());
        return std::get<1>(m_state);
    }

    T valueOr(T fallback) const { return ok() ? std::get<0>(m_state) : std::move(fallback); }

private:
    std::variant<T, Error> m_state;
};

template<> class [[nodiscard]] Result<void>
{
public:
    Result() = default;
    Result(Error error)
        : m_error(std::move(error))
        , m_failed(true)
    {}

    bool ok() const { return !m_failed; }
    explicit operator bool() const { return ok(); }
    const Error &error() const
    {
        assert(m_failed);
        return m_error;
    }

private:
    Error m_error;
    bool m_failed = false;
};

} // namespace opsdeck
