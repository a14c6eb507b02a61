# SPDX-License-Identifier: GPL-3.0-or-later
# TLS inspection: formats (PEM/DER, PKCS#12, JKS/JCEKS), certificate facts, bundle verdicts.
target_sources(opsdeck_core PRIVATE
    tls/tlstypes.h tls/tlstypes.cpp
    tls/inspector.h tls/inspector.cpp
    tls/opensslutil.h tls/opensslutil.cpp
    tls/pem.cpp
    tls/pkcs12.cpp
    tls/jks.cpp
    tls/chain.cpp
)
