# SPDX-License-Identifier: BSD-2-Clause
# mk/lib.sh - shell functions shared by the mk/ scripts (sourced, POSIX sh):
# Debian package checks, Debian source packages fetched with a private apt
# setup, and the steps common to the mbedTLS builds.
#
# The sourcing script sets prog (the name its messages start with) and, for
# all but deb_need, log (the build log) and defines note MESSAGE (appends a
# line to the log) and fail MESSAGE (reports and exits non-zero).  Variables
# used here start with deb_ or lib_, so they do not clobber the caller's;
# cross_arch sets cross_triplet and cross_debarch for the caller.
# shellcheck shell=sh disable=SC2154 # prog, log: set by the sourcing script

# deb_need WHAT PKG...: make sure the Debian packages PKG are installed; "a|b"
# is satisfied by either, a is the one installed when neither is.  One
# dpkg-query call: returns 0 silently when all are installed, or when there
# is no dpkg (the caller checks its commands itself).  Otherwise, as root,
# installs the missing ones with apt-get (its output on standard output) and
# returns apt-get's status; else prints the command to run as root and
# returns 1.  WHAT (e.g. "build dependencies") names them in the messages.
deb_need() {
	deb_what=$1
	shift
	command -v dpkg-query >/dev/null 2>&1 || return 0
	deb_names=$(printf '%s ' "$@" | tr '|' ' ')
	# shellcheck disable=SC2086 # word splitting of the package list is intended
	deb_installed=" $(dpkg-query -W -f='${Package} ${Status}\n' $deb_names 2>/dev/null |
		awk '$4 == "installed" { printf "%s ", $1 }')"
	deb_missing=
	for deb_p in "$@"; do
		deb_found=
		deb_rest=$deb_p
		while [ -n "$deb_rest" ]; do
			case $deb_installed in *" ${deb_rest%%|*} "*) deb_found=1 && break ;; esac
			case $deb_rest in *'|'*) deb_rest=${deb_rest#*|} ;; *) deb_rest= ;; esac
		done
		[ -n "$deb_found" ] || case "$deb_missing " in
		*" ${deb_p%%|*} "*) ;; # listed twice
		*) deb_missing="$deb_missing ${deb_p%%|*}" ;;
		esac
	done
	deb_missing=${deb_missing# }
	[ -z "$deb_missing" ] && return 0

	if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
		echo "$prog: installing missing $deb_what: $deb_missing" >&2
		apt-get update -qq >/dev/null ||
			echo "$prog: apt-get update failed; trying the install anyway" >&2
		# shellcheck disable=SC2086
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			--no-install-recommends -o DPkg::Lock::Timeout=120 $deb_missing
		return
	fi
	echo "$prog: missing $deb_what: $deb_missing" >&2
	echo "run as root: apt-get update && apt-get install -y $deb_missing" >&2
	return 1
}

# The ARCHs whose unit tests make check cross-builds and runs under qemu-user
# (tests/run, mk/cross.sh).
# shellcheck disable=SC2034 # used by the sourcing scripts
cross_archs='mipsel mips aarch64'

# cross_arch ARCH: sets cross_triplet (the GNU triplet) and cross_debarch
# (Debian's name of the architecture); returns 1 for an unknown ARCH.
cross_arch() {
	case $1 in
	mipsel) cross_triplet=mipsel-linux-gnu cross_debarch=mipsel ;;
	mips) cross_triplet=mips-linux-gnu cross_debarch=mips ;;
	aarch64) cross_triplet=aarch64-linux-gnu cross_debarch=arm64 ;;
	*) return 1 ;;
	esac
}

# cross_pkgs ARCH...: prints the Debian packages (deb_need's syntax) that
# mk/cross.sh needs for the ARCHs: per ARCH the cross compiler, its binutils
# and the target's C library headers and start files (libc6-dev-DEBARCH-cross:
# only a recommend of the compiler, which --no-install-recommends leaves out,
# and without it the compiler falls back on the host's /usr/include); once,
# qemu-user and what fetches and unpacks the library sources.  Returns 1 for
# an unknown ARCH.
cross_pkgs() {
	lib_pkgs='qemu-user-static|qemu-user dpkg-dev make xz-utils debian-archive-keyring'
	for lib_a in "$@"; do
		cross_arch "$lib_a" || return 1
		lib_pkgs="$lib_pkgs gcc-$cross_triplet binutils-$cross_triplet"
		lib_pkgs="$lib_pkgs libc6-dev-$cross_debarch-cross"
	done
	echo "$lib_pkgs"
}

# deb_fetch DIR SUITE KEYRING PKG...: download the source packages PKG of the
# Debian release SUITE (signed by KEYRING, which the caller checked) from
# deb.debian.org into DIR/dl.  apt-get gets a private sources list, lists and
# cache under DIR/apt: the system's apt configuration and state are not
# touched.  Commands are noted, their output goes to $log.  Returns 0; 1 if
# apt-get update failed; 2 if apt-get source did.
deb_fetch() {
	deb_dir=$1
	deb_suite=$2
	deb_keyring=$3
	shift 3
	deb_srcs=
	for deb_p in "$@"; do
		deb_srcs="$deb_srcs $deb_p/$deb_suite"
	done
	deb_apt=$deb_dir/apt
	mkdir -p "$deb_apt/parts" "$deb_apt/lists/partial" \
		"$deb_apt/cache/archives/partial" "$deb_dir/dl" || exit 1
	cat >"$deb_apt/$deb_suite-src.sources" <<EOF
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: $deb_suite
Components: main
Signed-By: $deb_keyring
EOF
	# As root apt downloads as user _apt: let it write into the download dir.
	if [ "$(id -u)" -eq 0 ] && id _apt >/dev/null 2>&1; then
		chmod 755 "$deb_dir" && chown _apt "$deb_dir/dl"
	fi
	set -- -q -o APT::Update::Error-Mode=any \
		-o "Dir::Etc::SourceList=$deb_apt/$deb_suite-src.sources" \
		-o "Dir::Etc::SourceParts=$deb_apt/parts" \
		-o "Dir::State::Lists=$deb_apt/lists" \
		-o "Dir::Cache=$deb_apt/cache"
	note "apt-get $* update"
	apt-get "$@" update >>"$log" 2>&1 || return 1
	note "apt-get source --download-only$deb_srcs"
	# shellcheck disable=SC2086 # one word per package
	(cd "$deb_dir/dl" && apt-get "$@" source --download-only $deb_srcs) \
		>>"$log" 2>&1 || return 2
	return 0
}

# deb_unpack DSC DEST: unpack the Debian source package DSC into DEST with
# dpkg-source; without dpkg-dev, its upstream tarball plus Debian's patches
# (when patch is there).  Calls fail on error.
deb_unpack() {
	lib_dest=$2
	if command -v dpkg-source >/dev/null 2>&1; then
		note "dpkg-source -x $1"
		dpkg-source -x "$1" "$lib_dest" >>"$log" 2>&1 ||
			fail "dpkg-source -x $1"
		return 0
	fi
	lib_dir=$(dirname "$1")
	set -- "$lib_dir"/*.orig.tar.*
	[ -f "$1" ] || fail "no .orig.tar.* next to the .dsc"
	note "tar -xf $1 (no dpkg-source)"
	if ! { mkdir -p "$lib_dest" &&
		tar -xf "$1" -C "$lib_dest" --strip-components=1 >>"$log" 2>&1; }; then
		fail "tar -xf $1"
	fi
	set -- "$lib_dir"/*.debian.tar.*
	if [ -f "$1" ] && command -v patch >/dev/null 2>&1; then
		tar -xf "$1" -C "$lib_dest" >>"$log" 2>&1 || fail "tar -xf $1"
		if [ -f "$lib_dest/debian/patches/series" ]; then
			grep -v '^[[:space:]]*\(#\|$\)' "$lib_dest/debian/patches/series" |
				while read -r lib_p _; do
					note "patch -p1 < debian/patches/$lib_p"
					patch -d "$lib_dest" -p1 <"$lib_dest/debian/patches/$lib_p" \
						>>"$log" 2>&1 || exit 1
				done || fail "applying debian/patches"
		fi
	fi
	return 0
}

# copy_tree FROM TO: copy an unpacked source tree without VCS data or build
# products (the build must neither touch FROM nor reuse its objects).
copy_tree() {
	note "copying $1"
	mkdir -p "$2" || exit 1
	(cd "$1" && tar -cf - --exclude=.git --exclude='*.o' --exclude='*.a' \
		--exclude='*.so*' .) | (cd "$2" && tar -xf -) || fail "copying $1"
}

# mbedtls_threading SRC CFG: turn on MBEDTLS_THREADING_C and
# MBEDTLS_THREADING_PTHREAD in the configuration header CFG of the mbedTLS
# tree SRC (libtlsmgr is used by threaded servers); scripts/config.py when
# python3 is there, else sed.  Calls fail if they are not on afterwards.
mbedtls_threading() {
	if command -v python3 >/dev/null 2>&1 && [ -f "$1/scripts/config.py" ] &&
		(cd "$1" && python3 scripts/config.py -f "$2" set MBEDTLS_THREADING_C &&
			python3 scripts/config.py -f "$2" set MBEDTLS_THREADING_PTHREAD) \
			>>"$log" 2>&1; then
		note "config.py set MBEDTLS_THREADING_C MBEDTLS_THREADING_PTHREAD"
	else
		note "sed: enable MBEDTLS_THREADING_C MBEDTLS_THREADING_PTHREAD"
		sed -i 's@^[[:space:]]*//[[:space:]]*\(#define MBEDTLS_THREADING_\(C\|PTHREAD\)\)\([[:space:]]\|$\)@\1\3@' \
			"$2" || fail "editing $2"
	fi
	for lib_opt in MBEDTLS_THREADING_C MBEDTLS_THREADING_PTHREAD; do
		grep -q "^#define $lib_opt\\([[:space:]]\\|\$\\)" "$2" ||
			fail "could not enable $lib_opt in $2"
	done
}
