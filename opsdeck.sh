#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# opsdeck's one entry point.
#
#   ./opsdeck.sh deps              install the Debian packages the build and tests need
#   ./opsdeck.sh build [PRESET]    configure and build (preset: dev, ci, asan, release)
#   ./opsdeck.sh run               deps + build + demo sandbox + the console on it
#   ./opsdeck.sh test [PRESET]     deps + build + every test (unit, integration, gui)
#   ./opsdeck.sh bench             deps + release build + the benchmarks in tests/bench
#   ./opsdeck.sh package           deps + release build + .deb and .tar.gz (CPack)
#   ./opsdeck.sh fuzz [SECONDS]    deps + fuzz build + every libFuzzer target for SECONDS (60)
#   ./opsdeck.sh sanitize          deps + asan build + unit and integration tests (ASan + UBSan)
#   ./opsdeck.sh fuzz-test         deps + fuzz build + each target briefly on its seeds (ctest)
#   ./opsdeck.sh soak [HOURS]      deps + release build + the console on the sandbox for HOURS (24)
#
# Set OPSDECK_JOBS to limit build parallelism (default: number of cores).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$ROOT"

# ccache hits across checkouts at different paths (CI clones afresh each run): hash paths relative
# to the checkout, and not the working directory that -g would otherwise fold in.
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$ROOT}"
export CCACHE_NOHASHDIR="${CCACHE_NOHASHDIR:-true}"

# Exactly what building, running and testing need on Debian 12.
PACKAGES=(
    cmake ninja-build g++ ccache pkg-config
    qt6-base-dev qt6-base-dev-tools libqt6sql6-sqlite libqt6svg6
    libssl-dev openssl libsqlite3-dev
    libzookeeper-mt-dev zookeeper
    qt6-httpserver-dev qt6-websockets-dev curl
    fonts-dejavu-core
    dpkg-dev file lintian desktop-file-utils appstream
    xvfb x11-apps
    prometheus prometheus-node-exporter
    clang-14 libclang-rt-14-dev
)

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'opsdeck.sh: %s\n' "$*" >&2; exit 1; }

jobs() { echo "${OPSDECK_JOBS:-$(nproc)}"; }

cmd_deps() {
    local missing=()
    local pkg
    for pkg in "${PACKAGES[@]}"; do
        if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
            missing+=("$pkg")
        fi
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    log "installing: ${missing[*]}"
    local sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null || die "need root (or sudo) to install: ${missing[*]}"
        sudo=(sudo)
    fi
    export DEBIAN_FRONTEND=noninteractive
    "${sudo[@]}" apt-get update -qq
    "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

cmd_build() {
    local preset="${1:-dev}"
    log "configure + build (preset $preset)"
    cmake --preset "$preset" >/dev/null
    cmake --build --preset "$preset" -j "$(jobs)"
}

build_dir() { echo "$ROOT/build/${1:-dev}"; }

cmd_test() {
    local preset="${1:-}"
    if [ -z "$preset" ]; then
        if [ -n "${CI:-}" ]; then preset=ci; else preset=dev; fi
    fi
    cmd_deps
    cmd_build "$preset"
    log "tests (preset $preset)"
    local started=$SECONDS
    ctest --preset "$preset" -j "$(jobs)"
    log "all tests passed in $((SECONDS - started)) s"
}

cmd_run() {
    cmd_deps
    cmd_build dev
    local bin
    bin="$(build_dir dev)/bin"
    local sandbox_dir
    sandbox_dir="$(mktemp -d -t opsdeck-sandbox.XXXXXX)"
    local ready="$sandbox_dir/ready"
    log "starting the demo sandbox in $sandbox_dir"
    "$bin/opsdeck-sandbox" --dir "$sandbox_dir" --ready-file "$ready" &
    local sandbox_pid=$!
    # shellcheck disable=SC2064
    trap "kill -TERM $sandbox_pid 2>/dev/null; wait $sandbox_pid 2>/dev/null; rm -rf '$sandbox_dir'" EXIT
    local waited=0
    until [ -s "$ready" ]; do
        kill -0 "$sandbox_pid" 2>/dev/null || die "the sandbox exited before it was ready"
        [ "$waited" -lt 600 ] || die "the sandbox was not ready within 60 s"
        sleep 0.1
        waited=$((waited + 1))
    done
    local config="$sandbox_dir/profiles.json"
    if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
        log "opening the console on the sandbox (close the window to stop)"
        "$bin/opsdeck" --config "$config"
    else
        log "no display (DISPLAY/WAYLAND_DISPLAY unset): running the headless checks instead"
        local rc=0
        "$bin/opsdeck" status --config "$config" || rc=$?
        log "headless status exited $rc (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN)"
        # The other two modules on the same sandbox; their own exit codes are only shown.
        local more=0
        "$bin/opsdeck" jobs --config "$config" -e "SHOW JOBS" || more=$?
        log "opsdeck jobs exited $more"
        more=0
        "$bin/opsdeck" roles --config "$config" || more=$?
        log "opsdeck roles exited $more (the demo cluster has warnings on purpose)"
        more=0
        "$bin/opsdeck" check --config "$config" || more=$?
        log "opsdeck check exited $more (all modules and the fleet's certificate rollout)"
        return "$rc"
    fi
}

# The soak test (tests/soak) at the sandbox's demo pace (a rotation every 20 s, Solr churn) for
# HOURS (decimals allowed): the console's resident memory must stay flat after warm-up. The samples
# are in build/release/soak/rss.csv. ctest runs the same test for 75 s at a faster pace.
cmd_soak() {
    local hours="$1" seconds
    [[ "$hours" =~ ^[0-9]+([.][0-9]+)?$ ]] || die "soak: HOURS must be a number, not '$hours'"
    seconds="$(awk -v h="$hours" 'BEGIN { printf "%d", h * 3600 }')"
    [ "$seconds" -ge 60 ] || die "soak: at least one minute (HOURS >= 0.017)"
    cmd_deps
    cmd_build release
    local dir
    dir="$(build_dir release)"
    log "soak: the console on the demo sandbox for $seconds s"
    # QtTest's watchdog ends a test function after 5 minutes unless told otherwise.
    OPSDECK_BUILD_DIR="$dir" OPSDECK_SOAK_SECONDS="$seconds" OPSDECK_SOAK_ROTATE_SECONDS=20 \
        QTEST_FUNCTION_TIMEOUT="$(((seconds + 600) * 1000))" QT_QPA_PLATFORM=offscreen \
        "$dir/tests/soak/tst_soak" || die "soak failed (samples: $dir/soak/rss.csv)"
    log "soak passed; samples in $dir/soak/rss.csv"
}

cmd_bench() {
    cmd_deps
    cmd_build release
    log "benchmarks"
    ctest --preset bench
}

# The .deb and .tar.gz of the release build, in build/release/packages/. CPack's DEB generator
# takes the dependencies from dpkg-shlibdeps (dpkg-dev) and needs `file`; lintian checks the .deb.
cmd_package() {
    cmd_deps
    cmd_build release
    local dir
    dir="$(build_dir release)"
    log "packages"
    rm -f "$dir/packages/"opsdeck[-_]*.{deb,tar.gz}
    (cd "$dir" && cpack -G "DEB;TGZ" >/dev/null) || die "cpack failed (run: cd $dir && cpack -G DEB --verbose)"
    local deb
    deb="$(ls -1 "$dir/packages/"opsdeck_*.deb)"
    log "lintian $(basename "$deb")"
    lintian --fail-on error "$deb" || die "lintian reports errors in $deb"
    ls -1 "$dir/packages/"*.{deb,tar.gz}
    log "install: sudo apt-get install $deb (see README, Install)"
}

# The unit and integration tests under AddressSanitizer + UndefinedBehaviorSanitizer (the asan
# preset: Debug, -fsanitize=address,undefined; UBSan halts on the first error). The gui and
# package labels are left to the normal build.
cmd_sanitize() {
    cmd_deps
    cmd_build asan
    log "unit and integration tests under ASan + UBSan"
    local started=$SECONDS
    ctest --preset asan -L 'unit|integration' -j "$(jobs)"
    log "sanitized tests passed in $((SECONDS - started)) s"
}

# Each fuzz target for a bounded time on its committed seeds (regression inputs included).
cmd_fuzz_test() {
    cmd_deps
    cmd_build fuzz
    log "fuzz targets on their seeds (bounded)"
    ctest --preset fuzz -j "$(jobs)"
}

# Every libFuzzer target of tests/fuzz for SECONDS each, on a working copy of its committed seeds
# in build/fuzz/corpus-work/<target> (new inputs accumulate there, the seeds are never touched).
# Crashing inputs go to build/fuzz/artifacts/. Fails when any target crashed.
cmd_fuzz() {
    local seconds="${1:-60}"
    [[ "$seconds" =~ ^[0-9]+$ ]] || die "fuzz: SECONDS must be a number, not '$seconds'"
    cmd_deps
    cmd_build fuzz
    local dir
    dir="$(build_dir fuzz)"
    mkdir -p "$dir/corpus-work" "$dir/artifacts"
    local failed=() target seeds work logfile rc execs speed
    for seeds in "$ROOT"/tests/fuzz/corpus/*/; do
        target="$(basename "$seeds")"
        work="$dir/corpus-work/$target"
        logfile="$dir/fuzz-$target.log"
        mkdir -p "$work"
        cp -n "$seeds"* "$work/" 2>/dev/null || true
        log "fuzz_$target for $seconds s"
        rc=0
        local supp="$ROOT/tests/fuzz/lsan-$target.supp" lsan=""
        [ -f "$supp" ] && lsan="suppressions=$supp"
        LSAN_OPTIONS="$lsan" "$dir/bin/fuzz_$target" -max_total_time="$seconds" -timeout=25 -print_final_stats=1 \
            -artifact_prefix="$dir/artifacts/$target-" "$work" >"$logfile" 2>&1 || rc=$?
        execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$logfile" | tail -n 1)"
        speed="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$logfile" | tail -n 1)"
        if [ "$rc" -eq 0 ]; then
            printf '%-18s %12s executions %8s exec/s  no crash\n' "fuzz_$target" "${execs:-?}" "${speed:-?}"
        else
            printf '%-18s %12s executions %8s exec/s  CRASHED (exit %s), see %s\n' "fuzz_$target" \
                "${execs:-?}" "${speed:-?}" "$rc" "$logfile"
            grep -h -m 3 -E 'ERROR: |runtime error|invariant violated|Test unit written' "$logfile" >&2 || true
            failed+=("$target")
        fi
    done
    [ ${#failed[@]} -eq 0 ] || die "fuzz targets crashed: ${failed[*]} (inputs in $dir/artifacts)"
    log "no fuzz target crashed"
}

case "${1:-}" in
    deps) cmd_deps ;;
    build) shift; cmd_deps; cmd_build "${1:-dev}" ;;
    run) cmd_run ;;
    test) shift; cmd_test "${1:-}" ;;
    bench) cmd_bench ;;
    package) cmd_package ;;
    fuzz) shift; cmd_fuzz "${1:-60}" ;;
    sanitize) cmd_sanitize ;;
    fuzz-test) cmd_fuzz_test ;;
    soak) shift; cmd_soak "${1:-24}" ;;
    ""|-h|--help|help) sed -n '3,16p' "$0" | sed 's/^# \{0,1\}//' ;;
    *) die "unknown command '$1' (try: deps, build, run, test, bench, package, fuzz, sanitize, fuzz-test, soak)" ;;
esac
