// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "profile.h"
#include "result.h"

#include <QList>
#include <QString>
#include <QStringList>

namespace opsdeck {

// The profiles of one config file, plus what loading it noticed (warnings never block).
struct ProfileSet
{
    QString path;
    QList<Profile> profiles;
    QString defaultProfile; // the one the GUI opens and headless commands use without --profile
    QStringList warnings;

    const Profile *find(const QString &name) const;
};

// profiles.json in the XDG config directory (or a file given with --config).
//
// Format: {"version": 1, "default": "name", "profiles": [ {"name": ..., "rest": {...},
// "zookeeper": {...}, "bundles": [...]}, ... ]}. Secrets are references ("env:VAR",
// "file:PATH"). Inline secrets are loaded with a warning (louder when the file is readable by group
// or others) and are never written back: save() refuses them.
class ProfileStore
{
public:
    static constexpr int FormatVersion = 1;

    static QString defaultConfigPath();

    static Result<ProfileSet> load(const QString &path);
    // What both front ends load: an explicit file (from --config) must exist; the default file
    // may be missing, which means "no profiles yet" (an empty set carrying the default path).
    static Result<ProfileSet> loadConfig(const QString &explicitPath);
    static Result<ProfileSet> fromJson(const QByteArray &json, const QString &pathForMessages);
    static QByteArray toJson(const ProfileSet &set);
    // Atomic write (temporary file + rename), mode 0600. Refuses inline secrets and invalid
    // profiles with an error naming the profile and field.
    static Result<void> save(const ProfileSet &set, const QString &path);

    // Picks the profile by name, or the default one when name is empty. The error lists the
    // profiles the file does have.
    static Result<Profile> select(const ProfileSet &set, const QString &name);
};

} // namespace opsdeck
