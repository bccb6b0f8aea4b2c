#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# tests/package/pkgconfig.sh DESTDIR - a program built with nothing but pkg-config against the
# tlsmgr installed under DESTDIR (make install DESTDIR=... PREFIX=/usr) links and runs, with
# the shared library and fully static; the installed library files are the usual set. Prints
# one "ok - NAME" / "not ok - NAME: why" line per check, exits non-zero if one failed.
set -u
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
dest=$1
cc=${CC:-cc}
pkg_config=${PKG_CONFIG:-pkg-config}
version=$(cat "$top/VERSION")
lib=$dest/usr/lib


# The library files: the real one named for the version, the soname and the link name.
so=libtlsmgr.so.$version
if [ -f "$lib/$so" ] && [ ! -L "$lib/$so" ] &&
	[ "$(readlink "$lib/libtlsmgr.so.${version%%.*}")" = "$so" ] &&
	[ "$(readlink "$lib/libtlsmgr.so")" = "libtlsmgr.so.${version%%.*}" ]; then
	ok "installed-so-links"
else
	not_ok "installed-so-links" "$(ls -l "$lib" 2>&1 | tr '\n' ' ')"
fi

# pkg-config sees the DESTDIR as the system root; the dependencies' own .pc files (LMDB's
# on Debian) stay where the system keeps them.
sys_pc=$("$pkg_config" --variable pc_path pkg-config 2>/dev/null)
PKG_CONFIG_SYSROOT_DIR=$dest
PKG_CONFIG_LIBDIR=$lib/pkgconfig${sys_pc:+:$sys_pc}
export PKG_CONFIG_SYSROOT_DIR PKG_CONFIG_LIBDIR

printf 'state_directory = %s/state\n' "$tmp" >"$tmp/tlsmgr.conf"

# build NAME PKG_CONFIG_ARGS CC_ARGS: compiles, links and runs use_tlsmgr.
build() {
	name=$1
	flags=$("$pkg_config" $2 tlsmgr 2>"$tmp/$name.err") || {
		not_ok "$name" "pkg-config $2 tlsmgr: $(cat "$tmp/$name.err")"
		return 1
	}
	# shellcheck disable=SC2086 # the flags are words
	if ! "$cc" $3 -o "$tmp/$name" "$top/tests/package/use_tlsmgr.c" $flags >"$tmp/$name.err" 2>&1; then
		not_ok "$name" "$cc $3 ... $flags: $(tail -n 3 "$tmp/$name.err" | tr '\n' ' ')"
		return 1
	fi
	if ! out=$(LD_LIBRARY_PATH=$lib "$tmp/$name" "$version" "$tmp/tlsmgr.conf" 2>&1); then
		not_ok "$name" "the program failed: $out"
		return 1
	fi
	return 0
}

if build dynamic "--cflags --libs" ""; then
	if LC_ALL=C readelf -d "$tmp/dynamic" | grep -q "NEEDED.*libtlsmgr\.so\.${version%%.*}"; then
		ok "pkg-config-dynamic"
	else
		not_ok "pkg-config-dynamic" "not linked with libtlsmgr.so.${version%%.*}"
	fi
fi
if build static "--static --cflags --libs" "-static"; then
	if LC_ALL=C readelf -d "$tmp/static" 2>&1 | grep -q NEEDED; then
		not_ok "pkg-config-static" "the program is not static"
	else
		ok "pkg-config-static"
	fi
fi
exit "$status"
