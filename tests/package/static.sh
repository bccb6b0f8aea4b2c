#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# tests/package/static.sh BUILD_DIR - a static-only build as Buildroot makes it under
# BR2_STATIC_LIBS (CFLAGS="-Os -static" LDFLAGS="-static" make BOARD=buildroot SHARED=0),
# here with SYSCONFDIR=/usr/local/etc: it builds, its unit tests pass, it installs no shared
# library, and the installed daemon is static and looks for its configuration where
# SYSCONFDIR put it. Prints one "ok"/"not ok" line per check (the unit tests' lines prefixed
# with unit/); exits non-zero if one failed.
set -u
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
build=$1
case $build in /*) ;; *) build=$top/$build ;; esac
jobs=${JOBS:-2}
etc=/usr/local/etc
dest=$tmp/root
mkdir "$dest" || exit 2


set -- BOARD=buildroot SHARED=0 SYSCONFDIR=$etc BUILD="$build" CFLAGS="-Os -static" LDFLAGS="-static"
if ! make -C "$top" --no-print-directory -j"$jobs" "$@" all unit-tests >"$build.log" 2>&1; then
	not_ok build "make SHARED=0 ... all unit-tests failed: $(tail -n 5 "$build.log" | tr '\n' ' ')"
	exit 1
fi
ok build
if [ -e "$build/libtlsmgr.so" ]; then
	not_ok no-shared-library "$build/libtlsmgr.so was built"
fi

# A static glibc program still loads the NSS modules nsswitch.conf names to look a user up,
# and the machine's own (libnss_systemd) crash it: unless the machine uses plain files only,
# the test that looks users up runs with a private nsswitch.conf of "files", in a mount
# namespace of its own where one can be made (root), and is skipped elsewhere.
printf 'passwd: files\ngroup: files\n' >"$tmp/nsswitch.conf"
private_nss() {
	unshare -m sh -c 'mount --bind "$1" /etc/nsswitch.conf && shift && exec "$@"' sh \
		"$tmp/nsswitch.conf" "$@"
}
plain_nss() { "$@"; }
if [ ! -f /etc/nsswitch.conf ] || ! awk '$1 == "passwd:" || $1 == "group:" {
	for (i = 2; i <= NF; i++) if ($i != "files" && $i != "compat") found = 1 }
	END { exit !found }' /etc/nsswitch.conf; then
	nss=plain_nss
elif private_nss true 2>/dev/null; then
	nss=private_nss
else
	nss=
fi

for t in "$build"/tests/test_*; do
	[ -x "$t" ] || continue
	name=${t##*/}
	if LC_ALL=C readelf -d "$t" 2>&1 | grep -q NEEDED; then
		not_ok "unit/$name" "not linked statically"
	fi
	if [ "$name" = test_privs ] && [ -z "$nss" ]; then
		echo "skip - unit/$name: needs a private nsswitch.conf (unshare -m, as root)"
		continue
	fi
	run=
	[ "$name" != test_privs ] || run=$nss
	(cd "$build" && $run "$t") >"$build/$name.out" 2>"$build/$name.err"
	rc=$?
	sed -n "s/^\(not ok\|ok\|skip\) - /\1 - unit\/$name\//p" "$build/$name.out"
	grep -q '^not ok' "$build/$name.out" && status=1
	[ "$rc" -eq 0 ] || not_ok "unit/$name" "exit status $rc"
done

if ! make -C "$top" --no-print-directory "$@" install DESTDIR="$dest" PREFIX=/usr >"$build.install.log" 2>&1; then
	not_ok install "$(tail -n 5 "$build.install.log" | tr '\n' ' ')"
	exit 1
fi
found=$(cd "$dest" && find . -name 'libtlsmgr.so*' | tr '\n' ' ')
if [ -z "$found" ] && [ -f "$dest/usr/lib/libtlsmgr.a" ] && [ -f "$dest/usr/lib/pkgconfig/tlsmgr.pc" ] &&
	[ -f "$dest$etc/tlsmgr/tlsmgr.conf" ]; then
	ok install-without-shared-library
else
	not_ok install-without-shared-library "shared: $found; $(cd "$dest" && find . -type f | tr '\n' ' ')"
fi
daemon=$dest/usr/sbin/tlsmgr
if LC_ALL=C readelf -d "$daemon" 2>&1 | grep -q NEEDED; then
	not_ok static-daemon "$daemon is linked dynamically"
elif ! "$daemon" --version >/dev/null 2>&1; then
	not_ok static-daemon "$daemon --version failed"
else
	ok static-daemon
fi
# The path compiled in is SYSCONFDIR's (the usage names it), and the file installed there is
# a valid configuration.
if "$daemon" -h 2>&1 | grep -q "default $etc/tlsmgr/tlsmgr.conf"; then
	ok default-config-follows-sysconfdir
else
	not_ok default-config-follows-sysconfdir "$("$daemon" -h 2>&1 | grep default)"
fi
if "$daemon" -n -c "$dest$etc/tlsmgr/tlsmgr.conf" >/dev/null 2>&1; then
	ok installed-config-is-valid
else
	not_ok installed-config-is-valid "$("$daemon" -n -c "$dest$etc/tlsmgr/tlsmgr.conf" 2>&1)"
fi
exit "$status"
