// SPDX-License-Identifier: GPL-3.0-or-later
#include "logging.h"

Q_LOGGING_CATEGORY(lcCommon, "opsdeck.common", QtInfoMsg)
Q_LOGGING_CATEGORY(lcProfiles, "opsdeck.common.profiles", QtInfoMsg)
Q_LOGGING_CATEGORY(lcHistory, "opsdeck.common.history", QtInfoMsg)
Q_LOGGING_CATEGORY(lcZk, "opsdeck.zk", QtInfoMsg)
Q_LOGGING_CATEGORY(lcTls, "opsdeck.tls", QtInfoMsg)
Q_LOGGING_CATEGORY(lcJobs, "opsdeck.jobs", QtInfoMsg)
Q_LOGGING_CATEGORY(lcRoles, "opsdeck.roles", QtInfoMsg)
