#!/bin/sh
# mk/cross.sh ARCH [BUILD_DIR] - build the unit tests with a cross compiler and
# run them under qemu-user, so byte order, 32-bit sizes and alignment of the
# routers tlsmgr targets are tested on a PC.
#
#   ARCH       mipsel (MIPS32 little-endian, the typical router), mips
#              (MIPS32 big-endian) or aarch64
#   BUILD_DIR  where the objects and test binaries go (default
#              build/cross-ARCH under the repository top)
#
# Prints each test program's "ok - NAME" / "not ok - NAME: ..." lines on
# standard output unchanged (a failed build or crash becomes one "not ok"
# line of its own); build chatter goes to BUILD_DIR/build.log.  Exits non-zero
# if anything failed.
#
# Needs gcc-TRIPLET, the target's libc6-dev-DEBARCH-cross, qemu-user-static
# (or qemu-user) and dpkg-dev (cross_pkgs in mk/lib.sh): as root it installs
# what is missing with apt-get, otherwise it prints the command.
# Static mbedTLS and LMDB libraries for ARCH are built once into
# .cache/cross-ARCH/{include,lib} from Debian 12 (bookworm)'s "mbedtls"
# (2.28 LTS) and "lmdb" source packages, fetched once into .cache/cross-src
# with a private apt configuration (the system's apt state is not touched),
# or from the unpacked trees CROSS_MBEDTLS_SRC and CROSS_LMDB_SRC name.
# Test binaries are linked statically, so qemu needs no target root file
# system; QEMU_LD_PREFIX points at the cross libc for what glibc loads at run
# time (NSS modules for getpwnam/getgrnam).
set -u

prog=tlsmgr

if [ $# -lt 1 ] || [ $# -gt 2 ] || [ -z "$1" ]; then
	echo "usage: $0 mipsel|mips|aarch64 [BUILD_DIR]" >&2
	exit 2
fi
arch=$1
top=$(cd "$(dirname "$0")/.." && pwd) || exit 2
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$top/mk/lib.sh"
if ! cross_arch "$arch"; then
	echo "$prog: unknown ARCH '$arch' ($cross_archs)" >&2
	exit 2
fi
triplet=$cross_triplet
self=$top/mk/$(basename "$0")
build=${2:-$top/build/cross-$arch}
case $build in /*) ;; *) build=$PWD/$build ;; esac
cache=$top/.cache/cross-$arch
srccache=$top/.cache/cross-src
jobs=$(nproc 2>/dev/null) || jobs=2
cc=$triplet-gcc
ar=$triplet-ar

# --- dependencies ----------------------------------------------------------
# shellcheck disable=SC2046 # word splitting of the package list is intended
deb_need "cross-test dependencies" $(cross_pkgs "$arch") >&2 || exit 1
qemu=
for q in "qemu-$arch-static" "qemu-$arch"; do
	if command -v "$q" >/dev/null 2>&1; then
		qemu=$q
		break
	fi
done
for c in "$cc" "$ar" make; do
	command -v "$c" >/dev/null 2>&1 || {
		echo "$prog: $c not found" >&2
		exit 1
	}
done
[ -n "$qemu" ] || {
	echo "$prog: qemu-$arch-static (qemu-user-static) not found" >&2
	exit 1
}

mkdir -p "$build" "$srccache" "$cache" || exit 1
log=$build/build.log
: >"$log" || exit 1

tmp=$(mktemp -d "${TMPDIR:-/tmp}/tlsmgr-cross.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' HUP TERM

note() {
	echo "== $*" >>"$log"
}

# A failure before any test ran: one "not ok" line, the log's tail on stderr.
fail() {
	echo "not ok - cross-build: $*"
	echo "$prog: cross build for $arch failed: $*; last 20 lines of $log:" >&2
	tail -n 20 "$log" >&2
	exit 1
}

# --- sources (once for every ARCH) -----------------------------------------
have_src() {
	[ -f "$srccache/.stamp" ] &&
		[ -f "$srccache/mbedtls/library/Makefile" ] &&
		[ -f "$srccache/lmdb/libraries/liblmdb/mdb.c" ]
}

# Download bookworm's mbedtls and lmdb source packages and unpack them.
fetch_src() {
	keyring=/usr/share/keyrings/debian-archive-bookworm-automatic.gpg
	[ -r "$keyring" ] || fail "$keyring not found (install debian-archive-keyring)"
	deb_fetch "$tmp" bookworm "$keyring" mbedtls lmdb
	case $? in
	1) fail "apt-get update of bookworm sources (network?)" ;;
	2)
		[ "$(id -u)" -eq 0 ] || echo "$prog: or run as root: sudo $self $arch" >&2
		fail "apt-get source mbedtls lmdb"
		;;
	esac
	for pkg in mbedtls lmdb; do
		set -- "$tmp"/dl/"$pkg"_*.dsc
		[ -f "$1" ] || fail "apt-get source fetched no $pkg .dsc"
		deb_unpack "$1" "$tmp/src/$pkg"
	done
}

get_src() {
	have_src && return 0
	rm -rf "$tmp/src"
	mkdir -p "$tmp/src" || exit 1
	if [ -n "${CROSS_MBEDTLS_SRC:-}" ] && [ -n "${CROSS_LMDB_SRC:-}" ]; then
		copy_tree "$CROSS_MBEDTLS_SRC" "$tmp/src/mbedtls"
		copy_tree "$CROSS_LMDB_SRC" "$tmp/src/lmdb"
	else
		echo "$prog: fetching the mbedTLS 2.28 and LMDB sources into $srccache (once)" >&2
		fetch_src
	fi
	[ -f "$tmp/src/mbedtls/library/Makefile" ] || fail "not an mbedTLS tree"
	[ -f "$tmp/src/lmdb/libraries/liblmdb/mdb.c" ] || fail "not an LMDB tree"
	rm -f "$srccache/.stamp"
	rm -rf "${srccache:?}/mbedtls" "${srccache:?}/lmdb"
	mv "$tmp/src/mbedtls" "$tmp/src/lmdb" "$srccache/" || fail "filling $srccache"
	date -u '+%Y-%m-%dT%H:%M:%SZ' >"$srccache/.stamp" || exit 1
}

# --- static libraries for ARCH (once) --------------------------------------
have_libs() {
	[ -f "$cache/.stamp" ] &&
		[ -f "$cache/lib/libmbedtls.a" ] && [ -f "$cache/lib/libmbedx509.a" ] &&
		[ -f "$cache/lib/libmbedcrypto.a" ] && [ -f "$cache/lib/liblmdb.a" ] &&
		[ -f "$cache/include/mbedtls/version.h" ] && [ -f "$cache/include/lmdb.h" ]
}

build_libs() {
	echo "$prog: building mbedTLS and LMDB for $arch into $cache (once)" >&2
	# The sources are shared by every ARCH: one fetch at a time.
	if command -v flock >/dev/null 2>&1; then
		(
			flock 8
			get_src
		) 8>"$srccache/.lock" || exit 1
	else
		get_src
	fi
	have_src || fail "no sources in $srccache"
	src=$tmp/build
	copy_tree "$srccache/mbedtls" "$src/mbedtls"
	copy_tree "$srccache/lmdb/libraries/liblmdb" "$src/lmdb"
	# Upstream default configuration plus threading, as Debian's and the 3.6
	# build (mk/mbedtls36.sh) have it: libtlsmgr is used by threaded servers.
	mbedtls_threading "$src/mbedtls" "$src/mbedtls/include/mbedtls/config.h"
	# Keep a calling make's variables and jobserver out of the library builds.
	(
		unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES GNUMAKEFLAGS CFLAGS \
			LDFLAGS CPPFLAGS WARNING_CFLAGS DEBUG SHARED GEN_FILES WINDOWS \
			WINDOWS_BUILD APPLE_BUILD
		note "make -C library -j$jobs static CC=$cc AR=$ar CFLAGS=-O2"
		make -C "$src/mbedtls/library" -j"$jobs" static CC="$cc" AR="$ar" \
			CFLAGS=-O2 >>"$log" 2>&1
	) || fail "mbedTLS (make -C library static)"
	note "$cc -O2 -pthread -c mdb.c midl.c; $ar rcs liblmdb.a"
	(cd "$src/lmdb" && "$cc" -O2 -pthread -c mdb.c midl.c &&
		"$ar" rcs liblmdb.a mdb.o midl.o) >>"$log" 2>&1 || fail "LMDB (liblmdb.a)"
	rm -f "$cache/.stamp"
	rm -rf "${cache:?}/include" "${cache:?}/lib"
	mkdir -p "$cache/include" "$cache/lib" || exit 1
	for d in mbedtls psa; do
		[ ! -d "$src/mbedtls/include/$d" ] ||
			cp -R "$src/mbedtls/include/$d" "$cache/include/" || fail "installing"
	done
	cp "$src/mbedtls/library/libmbedtls.a" "$src/mbedtls/library/libmbedx509.a" \
		"$src/mbedtls/library/libmbedcrypto.a" "$src/lmdb/liblmdb.a" \
		"$cache/lib/" || fail "installing the libraries"
	cp "$src/lmdb/lmdb.h" "$cache/include/" || fail "installing lmdb.h"
	sed -n 's/^#define MBEDTLS_VERSION_STRING[[:space:]]*"\(.*\)".*/mbedtls \1/p' \
		"$cache/include/mbedtls/version.h" >"$cache/.stamp.tmp" &&
		mv "$cache/.stamp.tmp" "$cache/.stamp" || exit 1
	rm -rf "$src"
}

if ! have_libs; then
	if command -v flock >/dev/null 2>&1; then
		exec 9>"$cache/.lock"
		flock 9
	fi
	have_libs || build_libs
	have_libs || fail "libraries incomplete in $cache"
fi

# --- unit tests -------------------------------------------------------------
note "make unit-tests CC=$cc BUILD=$build MBEDTLS_DIR=$cache"
make -C "$top" --no-print-directory -j"$jobs" CC="$cc" AR="$ar" BUILD="$build" \
	MBEDTLS_DIR="$cache" CPPFLAGS="-I$cache/include" \
	LDFLAGS="-L$cache/lib -static" PKG_CONFIG=false unit-tests >>"$log" 2>&1 ||
	fail "make unit-tests"

# Should static glibc load a shared piece at run time (NSS modules, iconv),
# it finds the target's, not the host's.
QEMU_LD_PREFIX=/usr/$triplet
export QEMU_LD_PREFIX
status=0
ran=0
# One binary per tests/unit/test_*.c (a stale binary of a removed test is not run).
for c in "$top"/tests/unit/test_*.c; do
	[ -f "$c" ] || continue
	name=${c##*/}
	name=${name%.c}
	t=$build/tests/$name
	ran=$((ran + 1))
	if command -v timeout >/dev/null 2>&1; then
		timeout 300 "$qemu" "$t" >"$build/$name.out"
	else
		"$qemu" "$t" >"$build/$name.out"
	fi
	rc=$?
	# Case names carry the test program's name, as in the native phases.
	sed -E "s/^(not ok|ok|skip) - /\1 - $name\//" "$build/$name.out"
	if [ "$rc" -ne 0 ]; then
		status=1
		echo "$prog: $name under $qemu exited with status $rc" >&2
		# 1 is "some case failed" (its lines are out); anything else is a crash
		# (128+signal) or the timeout (124): a case of its own.
		[ "$rc" -eq 1 ] || echo "not ok - $name: exited with status $rc under $qemu"
	fi
done
if [ "$ran" -eq 0 ]; then
	echo "not ok - cross-run: no test binaries in $build/tests"
	exit 1
fi
exit "$status"
