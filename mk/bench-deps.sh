#!/bin/sh
# mk/bench-deps.sh - what make bench needs beyond make run's build dependencies:
#   openssl      the certificate of the resumption benchmark's server
#   xz-utils     the compressed sizes of the footprint benchmark
#   binutils     strip and size (the cross toolchains bring their own)
#   procps       pgrep, to find the Postfix instance's tlsmgr
# and the peers it measures when they are installed (the footprint benchmark runs them as
# root only):
#   rng-tools5   rngd
#   postfix      Postfix's own tlsmgr(8), run as a private instance; left unconfigured as the
#                system's MTA
# As root, installs what is missing with apt-get; otherwise stops with the command for the
# tools, and only says which peers are missing.
set -u

prog=tlsmgr
here=$(dirname "$0")
sh "$here/deps.sh" run || exit 1
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"
tools='openssl xz-utils binutils procps'
peers='rng-tools5 postfix'

if [ "$(id -u)" -ne 0 ]; then
	# shellcheck disable=SC2086 # word splitting of the package list is intended
	deb_need "benchmark tools" $tools || exit 1
	# shellcheck disable=SC2086
	deb_need "benchmark peers (measured as root only)" $peers >/dev/null 2>&1 ||
		echo "$prog: make bench measures rngd and Postfix's tlsmgr as root, when installed" >&2
	exit 0
fi
# Installed for the benchmark, Postfix must not become this machine's mail server: debconf's
# "No configuration" leaves it without a main.cf, so nothing starts it.
if command -v debconf-set-selections >/dev/null 2>&1 &&
	! dpkg-query -W -f='${Status}' postfix 2>/dev/null | grep -q 'ok installed'; then
	echo 'postfix postfix/main_mailer_type select No configuration' | debconf-set-selections
fi
# shellcheck disable=SC2086
deb_need "benchmark tools and peers" $tools $peers
