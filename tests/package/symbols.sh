#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# tests/package/symbols.sh BUILD_DIR - the libraries in BUILD_DIR export the public API of
# src/client/tlsmgr.h and nothing else (a server that links libtlsmgr.a statically must meet
# none of its internal names), and call nothing a TLS server does not need (privileges,
# signals, syslog). Prints one "ok"/"not ok" line per check; exits non-zero if one failed.
set -u
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
build=$1
nm=${NM:-nm}
readelf=${READELF:-readelf}

# Every function the public header declares.
grep -oE '^[a-z].*[ *]tlsmgr_[a-z_]+\(' "$top/src/client/tlsmgr.h" |
	grep -oE 'tlsmgr_[a-z_]+' | sort -u >"$tmp/api"
[ -s "$tmp/api" ] || {
	echo "not ok - symbols: no function found in tlsmgr.h"
	exit 1
}

# check NAME FILE: the defined global symbols listed in FILE are exactly the API.
check() {
	if cmp -s "$tmp/api" "$2"; then
		echo "ok - $1 ($(wc -l <"$2") symbols, all tlsmgr_*)"
	else
		echo "not ok - $1: $(diff "$tmp/api" "$2" | grep '^[<>]' | head -n 8 | tr '\n' ' ')"
		status=1
	fi
}

"$nm" -g --defined-only "$build/libtlsmgr.a" | awk 'NF == 3 { print $3 }' | sort -u >"$tmp/a"
check "static-library-exports-only-the-api" "$tmp/a"
if [ -f "$build/libtlsmgr.so" ]; then
	"$nm" -D --defined-only "$build/libtlsmgr.so" | awk 'NF == 3 && $3 !~ /^LIBTLSMGR/ { print $3 }' |
		sed 's/@.*//' | sort -u >"$tmp/so"
	check "shared-library-exports-only-the-api" "$tmp/so"
fi

# Daemon-only calls have no place in the library: no relocation of its code names one, and
# no port function that makes them (the port sends some to the kernel through syscall(), which
# no relocation names) is among its functions.
LC_ALL=C "$readelf" -rW "$build/libtlsmgr.a" | awk '$3 ~ /^R_/ && NF >= 5 { print $5 }' |
	sed 's/@.*//' | sort -u >"$tmp/calls"
"$nm" --defined-only "$build/libtlsmgr.a" | awk 'NF == 3 && $2 ~ /^[Tt]$/ { print $3 }' >>"$tmp/calls"
bad=$(grep -xE 'setuid|setgid|setgroups|seteuid|setegid|sigaction|openlog|syslog|getpwnam|getgrnam|ioctl|flock|listen|accept4?|port_(drop_privileges|unix_listen|accept|lock|user_lookup|group_lookup)' "$tmp/calls" | sort -u | tr '\n' ' ')
if [ ! -s "$tmp/calls" ]; then
	echo "not ok - library-calls-no-daemon-only-function: no relocation read"
	status=1
elif [ -z "$bad" ]; then
	echo "ok - library-calls-no-daemon-only-function"
else
	echo "not ok - library-calls-no-daemon-only-function: $bad"
	status=1
fi
exit "$status"
