# SPDX-License-Identifier: BSD-2-Clause
# tests/package/lib.sh - sourced by the packaging checks: the repository top, a private
# temporary directory removed at exit, and one "ok - NAME" / "not ok - NAME: why" line per
# check (status becomes 1 on a failure; the script ends with exit "$status").
# shellcheck shell=sh disable=SC2034 # top and status are for the scripts that source this
top=$(cd "$(dirname "$0")/../.." && pwd) || exit 2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tlsmgr-package.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
status=0

ok() { echo "ok - $1"; }
not_ok() {
	echo "not ok - $1: $2"
	status=1
}
