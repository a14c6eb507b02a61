// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "result.h"

#include <QByteArray>
#include <QString>

namespace opsdeck {

// A reference to a secret, never the secret: "env:VAR" or "file:PATH".
//
// Profiles hold references. A hand-written file may still contain a literal (an "inline" secret);
// it is accepted with a warning, never written back by opsdeck, and never shown: every text form
// of a SecretRef names where the secret lives, not what it is.
class SecretRef
{
public:
    enum class Kind
    {
        None,
        Env,
        File,
        Inline
    };

    SecretRef() = default;
    static SecretRef parse(const QString &text);
    static SecretRef fromEnv(const QString &variable);
    static SecretRef fromFile(const QString &path);

    Kind kind() const { return m_kind; }
    bool isSet() const { return m_kind != Kind::None; }
    bool isInline() const { return m_kind == Kind::Inline; }

    // The form stored in profiles.json ("env:VAR", "file:PATH"); for an inline secret the literal,
    // which only ProfileStore may see (and refuses to save).
    QString storedForm() const;
    // Safe for logs, UI and JSON: "env:VAR", "file:PATH", "(inline secret)" or "".
    QString displayString() const;

    // Reads the secret. Errors name the variable or file, never any secret bytes. A trailing
    // newline of a secret file is dropped (files written with echo have one).
    Result<QByteArray> resolve() const;

    bool operator==(const SecretRef &other) const = default;

private:
    Kind m_kind = Kind::None;
    QString m_target; // variable name, file path, or the inline literal
};

// Overwrites secret bytes (a private key's PEM or DER, a password) with zeros before the memory
// goes back to the allocator, so no copy outlives its use in freed heap pages or a core dump.
// When this is the only reference, the bytes are zeroed in place and the size is kept; when the
// data is shared, only this reference is dropped (writing would detach and wipe a fresh copy,
// leaving the shared original as it was): the last holder wipes it.
void wipeBytes(QByteArray &bytes);

} // namespace opsdeck
