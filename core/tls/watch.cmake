# SPDX-License-Identifier: GPL-3.0-or-later
# Watching and reload semantics of the TLS module (inotify, quiet period, consistency).
target_sources(opsdeck_core PRIVATE
    tls/fswatcher.cpp tls/fswatcher.h
    tls/bundlemonitor.cpp tls/bundlemonitor.h
    tls/reloadevent.cpp tls/reloadevent.h
)
