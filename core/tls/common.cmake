# SPDX-License-Identifier: GPL-3.0-or-later
# Shared by every front end of the TLS module: bundle listing/reading and the JSON shapes.
target_sources(opsdeck_core PRIVATE
    tls/bundlereader.cpp tls/bundlereader.h
    tls/tlsjson.cpp tls/tlsjson.h
)
