# SPDX-License-Identifier: GPL-3.0-or-later
# The Flink REST path under faults made by a proxy in front of the simulator (faultproxy.h):
# refused, reset mid-body, never answering, trickling, 5xx bursts, a 100 MB body, a TLS handshake
# that never starts; headless through the real binary and in the Jobs panel.
opsdeck_add_test(faults_rest LABEL faults
    SOURCES tst_faults_rest.cpp faultproxy.cpp faultproxy.h
    LIBS opsdeck_flinksim opsdeck_widgets
    TIMEOUT 240)
if(TARGET tst_faults_rest)
    add_dependencies(tst_faults_rest opsdeck)
endif()
