#!/bin/sh
# mk/deps.sh - check (and, as root, install) the build/test dependencies of
# the developer targets.
#
#   mk/deps.sh run     gcc, make, pkg-config, mbedTLS and LMDB headers
#   mk/deps.sh check   the above plus clang + libFuzzer/ASan runtime, the
#                      tools the tests drive, what mk/mbedtls36.sh needs, and
#                      the cross compilers, target C libraries and qemu-user
#                      of the cross phase
#
# Prints nothing and exits 0 when everything is installed (one dpkg-query
# call).  When something is missing: as root, installs it with apt-get and
# exits with apt-get's status; otherwise prints the apt-get command to run as
# root and exits 1.  On a system without dpkg it only checks for the commands.
set -u

prog=tlsmgr
mode=${1:-}

# Debian package names.  "a|b" means: satisfied if a or b is installed;
# a is the one installed when neither is.
pkgs_run='gcc libc6-dev make pkg-config|pkgconf libmbedtls-dev liblmdb-dev'
# clang + libclang-rt-dev: the default clang and its matching compiler-rt
# (libFuzzer, ASan/UBSan runtimes; libclang-rt-14-dev on Debian 12).
# mk/mbedtls36.sh (mbedTLS 3.6 built with the upstream Makefile; cmake is not
# needed) uses apt-get, debian-archive-keyring (trixie's key), dpkg-dev
# (dpkg-source), bzip2/xz-utils (source tarballs) and python3
# (scripts/config.py).
# postfix: tests/integration/postfix.sh runs Postfix's own tlsmgr against our
# EGD socket (a private instance; the system MTA is left unconfigured).
# lighttpd, lighttpd-mod-mbedtls, haproxy: tests/integration/export_*.sh run private
# instances of them with the ticket key files the daemon exports.
pkgs_check='clang libclang-rt-dev lmdb-utils openssl gnutls-bin curl python3 ent
rng-tools5 mandoc shellcheck clang-format dpkg-dev bzip2 xz-utils ca-certificates
debian-archive-keyring postfix lighttpd lighttpd-mod-mbedtls haproxy'

# Commands checked instead on a system without dpkg.
cmds_run='cc make pkg-config'
cmds_check='clang openssl gnutls-cli python3 mdb_stat ent mandoc lighttpd haproxy'

case $mode in
run)
	pkgs=$pkgs_run
	cmds=$cmds_run
	;;
check)
	pkgs="$pkgs_run $pkgs_check"
	cmds="$cmds_run $cmds_check"
	;;
*)
	echo "usage: $0 run|check" >&2
	exit 2
	;;
esac

# Not Debian-like: say what is needed, succeed only if the commands are there.
if ! command -v dpkg-query >/dev/null 2>&1; then
	absent=
	for c in $cmds; do
		command -v "$c" >/dev/null 2>&1 || absent="$absent $c"
	done
	if [ -n "$absent" ]; then
		echo "tlsmgr: 'make $mode' needs the commands: $cmds" >&2
		echo "tlsmgr: not found:$absent (install them with your package manager)" >&2
		exit 1
	fi
	echo "tlsmgr: no dpkg here; 'make $mode' needs: $cmds, mbedTLS and LMDB headers and libraries" >&2
	exit 0
fi

# Postfix installed by the tests must not become this machine's MTA: debconf's
# "No configuration" leaves it without main.cf, so nothing starts it.
if [ "$mode" = check ] && [ "$(id -u)" -eq 0 ] && command -v debconf-set-selections >/dev/null 2>&1 &&
	! dpkg-query -W -f='${Status}' postfix 2>/dev/null | grep -q 'ok installed'; then
	echo 'postfix postfix/main_mailer_type select No configuration' | debconf-set-selections
fi

# lighttpd and HAProxy installed for the tests must not start as this machine's services
# (port 80, a stats socket): while apt-get runs, a policy-rc.d (honoured by invoke-rc.d and
# deb-systemd-invoke) refuses to start them. One that exists already is left as it is.
rcd=/usr/sbin/policy-rc.d
made_rcd=
if [ "$mode" = check ] && [ "$(id -u)" -eq 0 ] && [ ! -e "$rcd" ] &&
	printf '#!/bin/sh\ncase $1 in lighttpd | haproxy) exit 101 ;; esac\nexit 0\n' >"$rcd" &&
	chmod 0755 "$rcd"; then
	made_rcd=yes
fi

# One dpkg-query call; as root installs what is missing (mk/lib.sh).
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

# make check also needs the cross phase's packages (cross_pkgs, mk/lib.sh), and
# ps (procps), with which the integration tests' cleanup finds every process
# they started.
if [ "$mode" = check ]; then
	# shellcheck disable=SC2086 # word splitting of the ARCH list is intended
	pkgs="$pkgs procps $(cross_pkgs $cross_archs)"
fi

# shellcheck disable=SC2086 # word splitting of the package list is intended
deb_need "build dependencies" $pkgs
status=$?
[ -z "$made_rcd" ] || rm -f "$rcd"
exit $status
