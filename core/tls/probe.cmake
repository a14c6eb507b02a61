# SPDX-License-Identifier: GPL-3.0-or-later
# Endpoint probing: TLS handshake to host:port, the served chain, compared with the disk bundle.
target_sources(opsdeck_core PRIVATE
    tls/endpointprobe.cpp tls/endpointprobe.h
)
