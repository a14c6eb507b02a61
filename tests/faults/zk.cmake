# SPDX-License-Identifier: GPL-3.0-or-later
# ZooKeeper faults on real servers: the ensemble leader killed again and again, every server
# stopped, a session expired, a server that accepts and never answers. The in-process GUI side
# (RolesController + Node roles / Election panels) and a child `opsdeck roles --watch` both watch.
opsdeck_add_test(faults_zk LABEL faults SOURCES tst_faults_zk.cpp
    LIBS opsdeck_widgets opsdeck_solrsim ZooKeeper::mt TIMEOUT 240)
add_dependencies(tst_faults_zk opsdeck)
