#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# A monitoring-plugin wrapper (Nagios, Icinga, Checkmk local checks): opsdeck's exit codes already
# follow the convention (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN), so this only picks the paths.
exec opsdeck certs scan --warn-days 30 --crit-days 7 "${@:-/etc/ssl/private}"
