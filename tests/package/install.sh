#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# tests/package/install.sh - make install into a DESTDIR installs the expected files, a
# reinstall keeps an edited tlsmgr.conf (installing the new example beside it), and make
# uninstall removes exactly what install added: an edited tlsmgr.conf stays, an unedited one
# goes, and so do the directories install made. Prints one "ok"/"not ok" line per check;
# exits non-zero if one failed. Uses the default build directory (built by make all).
set -u
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
version=$(cat "$top/VERSION")
dest=$tmp/root
mkdir "$dest" || exit 2
conf=$dest/etc/tlsmgr/tlsmgr.conf

mk() {
	make -C "$top" --no-print-directory -s "$@" DESTDIR="$dest" PREFIX=/usr >"$tmp/make.log" 2>&1 ||
		not_ok "make $*" "$(tail -n 5 "$tmp/make.log" | tr '\n' ' ')"
}
files() { (cd "$dest" && find . ! -type d | sort | tr '\n' ' '); }

mk install
expected="./etc/tlsmgr/tlsmgr.conf ./etc/tlsmgr/tlsmgr.conf.example ./usr/include/tlsmgr.h \
./usr/lib/libtlsmgr.a ./usr/lib/libtlsmgr.so ./usr/lib/libtlsmgr.so.${version%%.*} \
./usr/lib/libtlsmgr.so.$version ./usr/lib/pkgconfig/tlsmgr.pc ./usr/sbin/tlsmgr \
./usr/share/man/man3/libtlsmgr.3 ./usr/share/man/man5/tlsmgr.conf.5 ./usr/share/man/man8/tlsmgr.8 "
if [ "$(files)" = "$expected" ]; then
	ok installs-the-expected-files
else
	not_ok installs-the-expected-files "$(files)"
fi

echo "tls_random_bytes = 48 # local edit" >>"$conf"
mk install
if grep -q "local edit" "$conf" && cmp -s "$top/docs/tlsmgr.conf.example" "$conf.example"; then
	ok reinstall-keeps-an-edited-config
else
	not_ok reinstall-keeps-an-edited-config "the edit is gone or the example is not the new one"
fi

mk uninstall
if [ "$(files)" = "./etc/tlsmgr/tlsmgr.conf " ] && grep -q "local edit" "$conf" &&
	[ -z "$(cd "$dest" && find . -mindepth 1 -type d ! -path ./etc ! -path ./etc/tlsmgr)" ]; then
	ok uninstall-keeps-only-the-edited-config
else
	not_ok uninstall-keeps-only-the-edited-config "left: $(cd "$dest" && find . -mindepth 1 | tr '\n' ' ')"
fi

rm -f "$conf"
mk install
mk uninstall
if [ -z "$(cd "$dest" && find . -mindepth 1)" ]; then
	ok uninstall-removes-what-install-added
else
	not_ok uninstall-removes-what-install-added "left: $(cd "$dest" && find . -mindepth 1 | tr '\n' ' ')"
fi
exit "$status"
