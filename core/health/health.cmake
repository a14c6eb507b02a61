# SPDX-License-Identifier: GPL-3.0-or-later
# Health across the modules: `opsdeck check`, its monitoring formats, and fleet reload status.
target_sources(opsdeck_core PRIVATE
    health/fleet.cpp health/fleet.h
    health/healthreport.cpp health/healthreport.h
    health/healthchecker.cpp health/healthchecker.h
)
