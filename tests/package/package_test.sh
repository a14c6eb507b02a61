#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Packaging proof (ctest label "package"). From the build tree in OPSDECK_BUILD_DIR:
#   1. cpack builds the .deb and .tar.gz into a temporary directory;
#   2. lintian (if installed) reports no errors on the .deb;
#   3. apt-get installs the .deb; the installed /usr/bin/opsdeck prints its version, judges a freshly
#      generated certificate headless, its console starts offscreen and, on a virtual X display
#      (Xvfb), paints a window that is captured as a screenshot; the installed desktop
#      entry and AppStream metainfo validate;
#   4. apt-get purges it, and nothing of it is left under /usr;
#   5. the .tar.gz unpacks into a temporary prefix and its opsdeck runs from there.
# Exit 77 (ctest: skipped) when not root or when an opsdeck package is already installed.
set -euo pipefail

build="${OPSDECK_BUILD_DIR:?OPSDECK_BUILD_DIR must name the build tree}"
version="${OPSDECK_VERSION:?}"

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }
step() { printf '\n=== %s (%d s)\n' "$*" "$SECONDS"; }

[ "$(id -u)" -eq 0 ] || skip "the packaging test installs a .deb system-wide and needs root (it runs under ./opsdeck.sh test as root, e.g. in CI)"
for tool in cpack dpkg-shlibdeps apt-get dpkg openssl; do
    command -v "$tool" >/dev/null || skip "$tool is not installed (./opsdeck.sh deps installs it)"
done
if dpkg-query -W -f='${Status}' opsdeck 2>/dev/null | grep -q 'install ok installed'; then
    skip "an opsdeck package is already installed on this machine; not replacing it"
fi
[ -f "$build/CPackConfig.cmake" ] || fail "no CPackConfig.cmake in $build"

work="$(mktemp -d -t opsdeck-package.XXXXXX)"
chmod 755 "$work" # apt reads the local .deb as its sandbox user _apt
installed=0
cleanup() {
    local rc=$?
    if [ "$installed" -eq 1 ]; then
        apt-get remove -y -qq --purge -o DPkg::Lock::Timeout=120 opsdeck >/dev/null 2>&1 || true
    fi
    rm -rf "$work"
    exit "$rc"
}
trap cleanup EXIT
apt_opts=(-y -qq -o DPkg::Lock::Timeout=120)
export DEBIAN_FRONTEND=noninteractive

step "cpack (DEB, TGZ) from $build"
cpack --config "$build/CPackConfig.cmake" -G "DEB;TGZ" -B "$work/pkg" >"$work/cpack.log" 2>&1 ||
    { cat "$work/cpack.log"; fail "cpack failed"; }
debs=("$work"/pkg/opsdeck_"$version"_*.deb)
tgzs=("$work"/pkg/opsdeck-"$version"-*.tar.gz)
[ -f "${debs[0]}" ] || { cat "$work/cpack.log"; fail "cpack made no opsdeck_${version}_*.deb"; }
[ -f "${tgzs[0]}" ] || { cat "$work/cpack.log"; fail "cpack made no opsdeck-${version}-*.tar.gz"; }
deb="${debs[0]}"
tgz="${tgzs[0]}"
ls -l "$deb" "$tgz"
dpkg-deb --field "$deb" Package Version Section Priority Maintainer Homepage Depends
dpkg-deb --field "$deb" Depends | grep -q 'libqt6core6' || fail "Depends has no libqt6core6: dpkg-shlibdeps did not run"

step "lintian"
if command -v lintian >/dev/null; then
    # --fail-on error: warnings and infos are printed, only errors fail.
    lintian --fail-on error --tag-display-limit 0 "$deb" || fail "lintian reports errors"
    echo "lintian: no errors"
else
    echo "SKIP lintian check: lintian is not installed (./opsdeck.sh deps installs it)"
fi

step "apt-get install $deb"
installed=1
apt-get install "${apt_opts[@]}" "$deb" || fail "apt-get install failed"
dpkg -L opsdeck >"$work/files"
[ -x /usr/bin/opsdeck ] || fail "/usr/bin/opsdeck is missing"
for f in /usr/share/applications/opsdeck.desktop \
         /usr/share/metainfo/invalid.opsdeck.opsdeck.metainfo.xml \
         /usr/share/icons/hicolor/scalable/apps/opsdeck.svg \
         /usr/share/icons/hicolor/48x48/apps/opsdeck.png \
         /usr/share/man/man1/opsdeck.1.gz \
         /usr/share/doc/opsdeck/copyright /usr/share/doc/opsdeck/README.md \
         /usr/share/doc/opsdeck/examples/profiles.json \
         /usr/share/doc/opsdeck/examples/systemd/opsdeck-check.service \
         /usr/share/doc/opsdeck/examples/systemd/opsdeck-check.timer; do
    [ -f "$f" ] || fail "the package did not install $f"
done

step "the systemd examples for opsdeck check"
if command -v systemd-analyze >/dev/null; then
    # The man page reference is checked too (the package installs it); nothing may be reported.
    units=/usr/share/doc/opsdeck/examples/systemd
    analyze="$(systemd-analyze verify "$units/opsdeck-check.service" "$units/opsdeck-check.timer" 2>&1)" \
        || fail "systemd-analyze verify: $analyze"
    [ -z "$analyze" ] || fail "systemd-analyze verify reported: $analyze"
    grep -q -- '--format prometheus --output /var/lib/prometheus/node-exporter/opsdeck.prom' \
        "$units/opsdeck-check.service" || fail "the service does not write the textfile"
else
    echo "SKIP systemd-analyze verify: systemd is not installed"
fi

# A clean environment for the installed program: no display, its own home and XDG dirs.
home="$work/home"
mkdir -p "$home"
run() {
    env -i PATH=/usr/bin:/bin HOME="$home" XDG_CONFIG_HOME="$home/.config" \
        XDG_DATA_HOME="$home/.local/share" XDG_RUNTIME_DIR="$home/run" LANG=C.UTF-8 "$@"
}
# Starts the installed console in the background with run()'s environment and sets $gui to its
# pid. A simple command put in the background is exec'd by the forked child itself, so $gui is the
# console (through env), not a wrapping shell that a kill would leave the console orphaned behind.
start_console() {
    env -i PATH=/usr/bin:/bin HOME="$home" XDG_CONFIG_HOME="$home/.config" \
        XDG_DATA_HOME="$home/.local/share" XDG_RUNTIME_DIR="$home/run" LANG=C.UTF-8 "$@" &
    gui=$!
}
mkdir "$home/run" && chmod 700 "$home/run"
# Nothing this test started may outlive a step: every process with the test's HOME is one of ours.
no_console_left() {
    local left
    left="$(grep -lsz "^HOME=$home\$" /proc/[0-9]*/environ 2>/dev/null | head -n 1 || true)"
    [ -z "$left" ] || fail "a process started by this test still runs: $(tr '\0' ' ' <"${left%/environ}/cmdline" 2>/dev/null)"
}

step "installed opsdeck --version"
out="$(run /usr/bin/opsdeck --version)"
echo "$out"
[ "$out" = "${out#*"$version"}" ] && fail "--version does not print $version"

step "installed opsdeck certs scan (headless, no display)"
certs="$work/certs"
mkdir "$certs"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 90 \
    -subj /CN=opsdeck.test -addext subjectAltName=DNS:opsdeck.test \
    -keyout "$certs/tls.key" -out "$certs/tls.crt" 2>/dev/null
rc=0
run /usr/bin/opsdeck certs scan "$certs" --hostname opsdeck.test || rc=$?
[ "$rc" -eq 0 ] || fail "certs scan of a valid 90-day certificate exited $rc, expected 0 (OK)"
rc=0
run /usr/bin/opsdeck certs scan "$certs" --hostname opsdeck.test --warn-days 120 --format json >"$work/scan.json" || rc=$?
cat "$work/scan.json"
[ "$rc" -eq 1 ] || fail "certs scan with --warn-days 120 exited $rc, expected 1 (WARNING)"
grep -q '"command": *"certs scan"' "$work/scan.json" || fail "certs scan --format json printed no JSON report"

step "installed console, offscreen"
QT_PLATFORM_HELP="$(run QT_QPA_PLATFORM=offscreen /usr/bin/opsdeck --help)"
echo "$QT_PLATFORM_HELP" | head -3
start_console QT_QPA_PLATFORM=offscreen /usr/bin/opsdeck >"$work/gui.log" 2>&1
# The console opens its history database while it builds the main window: once the file exists
# and the process is still alive, it started with the installed Qt libraries and plugins.
db="$home/.local/share/opsdeck/history.sqlite"
for _ in $(seq 300); do
    [ -f "$db" ] && break
    kill -0 "$gui" 2>/dev/null || break
    sleep 0.1
done
kill -0 "$gui" 2>/dev/null || { cat "$work/gui.log"; fail "the console exited during start-up"; }
[ -f "$db" ] || { kill -KILL "$gui"; cat "$work/gui.log"; fail "the console did not open $db within 30 s"; }
kill -TERM "$gui"
wait "$gui" 2>/dev/null || true
! kill -0 "$gui" 2>/dev/null || fail "the console (pid $gui) still runs after SIGTERM"
no_console_left
echo "console started offscreen and opened $db"

step "installed console on a virtual X display, screenshot"
if command -v Xvfb >/dev/null && command -v xwd >/dev/null; then
    display=""
    for n in $(seq 90 140); do
        if [ ! -e "/tmp/.X$n-lock" ] && [ ! -e "/tmp/.X11-unix/X$n" ]; then display=":$n"; break; fi
    done
    [ -n "$display" ] || fail "no free X display number between :90 and :140"
    Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp >"$work/xvfb.log" 2>&1 &
    xvfb=$!
    for _ in $(seq 100); do
        [ -e "/tmp/.X11-unix/X${display#:}" ] && break
        sleep 0.1
    done
    [ -e "/tmp/.X11-unix/X${display#:}" ] || { kill "$xvfb"; fail "Xvfb did not start on $display"; }
    rm -f "$db" "$db-wal" "$db-shm" # a fresh history for this run
    start_console DISPLAY="$display" /usr/bin/opsdeck >"$work/gui-x.log" 2>&1
    for _ in $(seq 300); do
        [ -f "$db" ] && break
        kill -0 "$gui" 2>/dev/null || break
        sleep 0.1
    done
    kill -0 "$gui" 2>/dev/null || { kill "$xvfb"; cat "$work/gui-x.log"; fail "the console exited on $display"; }
    # The window is mapped right after the history opens; give the first paint a bounded wait.
    shot="$work/console.xwd"
    for _ in $(seq 50); do
        xwd -root -display "$display" -silent >"$shot" 2>/dev/null || true
        # A blank root window compresses to almost nothing; a painted console does not.
        if [ "$(gzip -c "$shot" | wc -c)" -gt 20000 ]; then break; fi
        sleep 0.1
    done
    kill -TERM "$gui"
    wait "$gui" 2>/dev/null || true
    ! kill -0 "$gui" 2>/dev/null || fail "the console (pid $gui) still runs after SIGTERM"
    no_console_left
    kill -TERM "$xvfb"
    wait "$xvfb" 2>/dev/null || true
    size="$(gzip -c "$shot" | wc -c)"
    [ "$size" -gt 20000 ] || fail "the screenshot of the installed console is blank ($size bytes compressed)"
    mkdir -p "$build/screenshots"
    if command -v convert >/dev/null && convert "xwd:$shot" "$build/screenshots/package-console.png" 2>/dev/null; then
        echo "screenshot: $build/screenshots/package-console.png"
    else
        cp "$shot" "$build/screenshots/package-console.xwd"
        echo "screenshot: $build/screenshots/package-console.xwd"
    fi
else
    echo "SKIP screenshot: Xvfb or xwd is not installed (./opsdeck.sh deps installs xvfb and x11-apps)"
fi

step "installed desktop entry and metainfo"
if command -v desktop-file-validate >/dev/null; then
    desktop-file-validate /usr/share/applications/opsdeck.desktop || fail "desktop-file-validate"
    echo "desktop-file-validate: ok"
else
    echo "SKIP desktop-file-validate: desktop-file-utils is not installed"
fi
if command -v appstreamcli >/dev/null; then
    appstreamcli validate --no-net /usr/share/metainfo/invalid.opsdeck.opsdeck.metainfo.xml ||
        fail "appstreamcli validate"
else
    echo "SKIP appstreamcli validate: appstream is not installed"
fi

step "apt-get remove --purge opsdeck"
apt-get remove "${apt_opts[@]}" --purge opsdeck || fail "apt-get remove failed"
installed=0
if dpkg-query -W -f='${Status}' opsdeck 2>/dev/null | grep -q 'installed'; then
    fail "dpkg still lists opsdeck after the purge"
fi
left=0
while IFS= read -r path; do
    if [ -f "$path" ] || [ -L "$path" ]; then echo "left behind: $path"; left=1; fi
done <"$work/files"
stray="$(find /usr -path /usr/local -prune -o -name '*opsdeck*' -print)"
[ -z "$stray" ] || { echo "$stray"; left=1; }
[ "$left" -eq 0 ] || fail "files of the package are left under /usr after the purge"
echo "nothing of opsdeck is left under /usr"

step "the .tar.gz in a temporary prefix"
prefix="$work/prefix"
mkdir "$prefix"
tar -xzf "$tgz" -C "$prefix" --strip-components=1
[ -x "$prefix/bin/opsdeck" ] || fail "no bin/opsdeck in $tgz"
[ -f "$prefix/share/man/man1/opsdeck.1.gz" ] || fail "no man page in $tgz"
[ -f "$prefix/share/doc/opsdeck/COPYING" ] || fail "no licence in $tgz"
out="$(run "$prefix/bin/opsdeck" --version)"
echo "$out"
[ "$out" = "${out#*"$version"}" ] && fail "the tarball's opsdeck --version does not print $version"
rc=0
run "$prefix/bin/opsdeck" certs scan "$certs" --hostname opsdeck.test >/dev/null || rc=$?
[ "$rc" -eq 0 ] || fail "the tarball's certs scan exited $rc"

step "packaging test passed"
