#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# mk/dist.sh OUTDIR - `make dist`: the release tarball tlsmgr-VERSION.tar.gz of the committed
# tree (reproducible: git archive of HEAD, gzip without a timestamp), and ready-to-use copies
# of the OpenWrt and Buildroot packages with the tarball's sha256 in place of the marker that
# board/openwrt/Makefile and board/buildroot/tlsmgr.hash carry.
set -eu
out=$1
version=$(cat VERSION)
name=tlsmgr-$version
marker=@TLSMGR_TARBALL_SHA256@
if ! git rev-parse --verify -q HEAD >/dev/null; then
    echo "mk/dist.sh: not a git checkout with a commit: the tarball is made from HEAD" >&2
    exit 1
fi
if [ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ]; then
    echo "mk/dist.sh: note: uncommitted changes are not in the tarball (it is made from HEAD)" >&2
fi
rm -rf "$out"
mkdir -p "$out/openwrt" "$out/buildroot"
git archive --format=tar --prefix="$name/" HEAD | gzip -n -9 >"$out/$name.tar.gz"
sum=$(sha256sum "$out/$name.tar.gz" | cut -d' ' -f1)
cp -r board/openwrt/Makefile board/openwrt/files "$out/openwrt/"
sed "s/$marker/$sum/" board/openwrt/Makefile >"$out/openwrt/Makefile"
cp board/buildroot/Config.in board/buildroot/tlsmgr.mk board/buildroot/S45tlsmgr \
    board/buildroot/tlsmgr.service "$out/buildroot/"
sed "s/$marker/$sum/" board/buildroot/tlsmgr.hash >"$out/buildroot/tlsmgr.hash"
if grep -rq "$marker" "$out/openwrt" "$out/buildroot"; then
    echo "mk/dist.sh: a hash marker is left in $out" >&2
    exit 1
fi
echo "$out/$name.tar.gz  sha256 $sum"
echo "$out/openwrt/ and $out/buildroot/: packages for that tarball"
