# SPDX-License-Identifier: GPL-3.0-or-later
# Filesystem faults (needs root: tmpfs mounts, chown, setpriv; skips otherwise): the watched
# directory unmounted, permission flips seen by an unprivileged watcher, an uid's inotify
# instances exhausted, the history database and audit.jsonl on a full tmpfs.
opsdeck_add_test(faults_fs LABEL faults SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/tst_faults_fs.cpp
    LIBS opsdeck_widgets opsdeck_flinksim TIMEOUT 180)
add_dependencies(tst_faults_fs opsdeck)
