#!/bin/sh
# mk/mbedtls36.sh PREFIX - make a static mbedTLS 3.6 LTS installation under
# PREFIX (PREFIX/include/{mbedtls,psa}, PREFIX/lib/libmbed{tls,x509,crypto}.a),
# so tlsmgr can be built and tested against 3.6 as well as the system's 2.28.
#
# Source: Debian 13 (trixie)'s "mbedtls" source package, fetched with
# apt-get using a private sources list, list and cache directory (the
# system's apt configuration and state are not touched), or the tree, .dsc
# or tarball that $MBEDTLS36_SRC names.
# Build: the upstream Makefile, libraries only, static, -fPIC, upstream
# default configuration plus MBEDTLS_THREADING_C and MBEDTLS_THREADING_PTHREAD.
# $CC is respected (default cc).  Does nothing once PREFIX/.stamp exists.
set -u

prog=tlsmgr

if [ $# -ne 1 ] || [ -z "$1" ]; then
	echo "usage: $0 PREFIX" >&2
	exit 2
fi
PREFIX=$1

installed() {
	[ -f "$PREFIX/.stamp" ] &&
		[ -f "$PREFIX/lib/libmbedtls.a" ] &&
		[ -f "$PREFIX/lib/libmbedx509.a" ] &&
		[ -f "$PREFIX/lib/libmbedcrypto.a" ] &&
		[ -f "$PREFIX/include/mbedtls/version.h" ]
}

installed && exit 0

mkdir -p "$PREFIX" || exit 1
PREFIX=$(cd "$PREFIX" && pwd) || exit 1

# Two make jobs may ask for it at once: let one build, the other wait.
if command -v flock >/dev/null 2>&1; then
	exec 9>"$PREFIX/.lock"
	flock 9
	installed && exit 0
fi

self=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "${self%/*}/lib.sh"
log=$PREFIX/build.log
: >"$log" || exit 1

# Do not let a calling make's variables (e.g. CFLAGS=... given on its command
# line, which make also exports), its jobserver, or variables that the
# upstream library/Makefile reads leak into the mbedTLS build.
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES GNUMAKEFLAGS \
	CFLAGS LDFLAGS WARNING_CFLAGS MBEDTLS_PATH DEBUG SHARED GEN_FILES \
	WINDOWS WINDOWS_BUILD APPLE_BUILD
CC=${CC:-cc}
jobs=$(nproc 2>/dev/null) || jobs=2

tmp=$(mktemp -d "${TMPDIR:-/tmp}/tlsmgr-mbedtls36.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' HUP TERM

fail() {
	echo "$prog: mbedTLS 3.6 build failed: $*" >&2
	echo "$prog: last 20 lines of $log:" >&2
	tail -n 20 "$log" >&2
	exit 1
}

note() {
	echo "== $*" >>"$log"
}

echo "building mbedTLS 3.6 into $PREFIX (once)" >&2
note "$(date -u '+%Y-%m-%dT%H:%M:%SZ') $self $PREFIX (CC=$CC, $jobs jobs)"

src=$tmp/src

# Download trixie's mbedtls source package with a private apt setup.
fetch_debian() {
	how="unpack mbedTLS 3.6 yourself and run: MBEDTLS36_SRC=/path/to/mbedtls-3.6.x $self $PREFIX"
	command -v apt-get >/dev/null 2>&1 || {
		echo "$prog: apt-get not found: cannot fetch the mbedTLS 3.6 source;" >&2
		echo "  $how" >&2
		exit 1
	}
	keyring=/usr/share/keyrings/debian-archive-trixie-automatic.gpg
	[ -r "$keyring" ] || {
		echo "$prog: $keyring not found (install debian-archive-keyring);" >&2
		echo "  or $how" >&2
		exit 1
	}
	if deb_fetch "$tmp" trixie "$keyring" mbedtls; then
		set -- "$tmp"/dl/*.dsc
		[ -f "$1" ] || fail "apt-get source fetched no .dsc"
		deb_unpack "$1" "$src"
		return
	fi
	if [ "$(id -u)" -ne 0 ]; then
		echo "$prog: could not download the mbedTLS 3.6 source as $(id -un); last 20 lines of $log:" >&2
		tail -n 20 "$log" >&2
		echo "$prog: run as root:" >&2
		echo "  sudo $self $PREFIX && sudo chown -R $(id -un): $PREFIX" >&2
		echo "  or $how" >&2
		exit 1
	fi
	fail "could not download the source package (network? see $log)"
}

if [ -n "${MBEDTLS36_SRC:-}" ]; then
	if [ -d "$MBEDTLS36_SRC" ]; then
		copy_tree "$MBEDTLS36_SRC" "$src"
	elif [ -f "$MBEDTLS36_SRC" ]; then
		case $MBEDTLS36_SRC in
		*.dsc) deb_unpack "$MBEDTLS36_SRC" "$src" ;;
		*)
			note "tar -xf $MBEDTLS36_SRC"
			mkdir -p "$src" || exit 1
			tar -xf "$MBEDTLS36_SRC" -C "$src" --strip-components=1 \
				>>"$log" 2>&1 || fail "tar -xf $MBEDTLS36_SRC"
			;;
		esac
	else
		fail "MBEDTLS36_SRC=$MBEDTLS36_SRC: no such directory or file"
	fi
else
	fetch_debian
fi

if [ ! -f "$src/include/mbedtls/build_info.h" ] ||
	[ ! -f "$src/library/Makefile" ]; then
	fail "the source does not look like an mbedTLS 3.x tree"
fi
version=$(sed -n 's/^#define MBEDTLS_VERSION_STRING[[:space:]]*"\(.*\)".*/\1/p' \
	"$src/include/mbedtls/build_info.h")
note "mbedTLS version: $version"
case $version in
3.6.*) ;;
*) fail "expected mbedTLS 3.6.x, got '$version'" ;;
esac

# Configuration: upstream default + threading (pthread).
mbedtls_threading "$src" "$src/include/mbedtls/mbedtls_config.h"

command -v make >/dev/null 2>&1 || fail "make not found"
note "make -C library -j$jobs static CC=$CC CFLAGS=-O2 -fPIC"
make -C "$src/library" -j"$jobs" static CC="$CC" CFLAGS="-O2 -fPIC" \
	>>"$log" 2>&1 || fail "make (see $log)"

rm -f "$PREFIX/.stamp"
rm -rf "${PREFIX:?}/include" "${PREFIX:?}/lib"
if ! { mkdir -p "$PREFIX/include" "$PREFIX/lib" &&
	cp -R "$src/include/mbedtls" "$src/include/psa" "$PREFIX/include/" &&
	cp "$src/library/libmbedtls.a" "$src/library/libmbedx509.a" \
		"$src/library/libmbedcrypto.a" "$PREFIX/lib/"; }; then
	fail "installing into $PREFIX"
fi
if ! { printf '%s\n' "$version" >"$PREFIX/.stamp.tmp" &&
	mv "$PREFIX/.stamp.tmp" "$PREFIX/.stamp"; }; then
	fail "writing $PREFIX/.stamp"
fi
note "installed mbedTLS $version into $PREFIX"
installed || fail "installation incomplete"
exit 0
