#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# tests/bench/footprint.sh [BUILD] - what tlsmgr costs a device, measured on whatever the tree
# builds now, beside the peers installed on this machine:
#   size    tlsmgr and libtlsmgr.so built with the release flags (CFLAGS="-Os -flto"
#           LDFLAGS=-flto, see the README), for this host and for each cross target whose
#           compiler is installed (mipsel, mips, aarch64) and whose libraries mk/cross.sh
#           has built into .cache/cross-ARCH: bytes once stripped, bytes after xz -9 (what a
#           squashfs image pays), size(1) text, data and bss. The cross builds link against
#           stand-ins of the shared mbedTLS and LMDB libraries (the cache holds static ones):
#           the same imported names and sonames, so the binaries are the ones a target's
#           shared libraries would give. Peers: Postfix's tlsmgr and rngd (rng-tools5).
#   memory  RssAnon of the daemon after start-up with an empty cache, and after its start-up
#           scan of a cache of 100k entries; the same for Postfix's tlsmgr (a private
#           instance, as tests/integration/postfix.sh runs it) and rngd, as root.
#   boards  wake-ups per simulated day and flash writes per simulated month at each board
#           preset's defaults (tests/bench/sim_board.c on the test port's virtual clock).
# Every figure ends in a "bench NAME: ours X, peer Y, ratio R" line (tests/bench/bench.h).
set -u
cd "$(dirname "$0")/../.." || exit 2
top=$PWD
build=${1:-build}
out=$build/bench
jobs=$(nproc 2>/dev/null || echo 2)
release=(CFLAGS="-Os -flto")
tmp=$(mktemp -d "$([ -d /dev/shm ] && echo /dev/shm || echo /tmp)/bench_footprint.XXXXXX") || exit 1
chmod 0755 "$tmp"
pids=()
cleanup() {
    local p
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
    [ -z "${pf:-}" ] || postfix -c "$pf/etc" stop >/dev/null 2>&1
    wait 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
status=0

mk() { make --no-print-directory -s -j"$jobs" "$@" >"$tmp/make.log" 2>&1 || {
    echo "footprint: make $* failed:" >&2
    tail -n 15 "$tmp/make.log" >&2
    return 1
}; }

# --- sizes ---------------------------------------------------------------------------------

# stub_libs PREFIX TRIPLET CACHE: PREFIX/lib holds shared stand-ins of CACHE/lib's static
# mbedTLS and LMDB libraries: each defined function as an empty one, each data object with its
# size, under Debian's sonames.
stub_libs() {
    local prefix=$1 t=$2 cache=$3 lib so
    mkdir -p "$prefix/lib" || return 1
    ln -sfn "$top/$cache/include" "$prefix/include"
    for lib in mbedcrypto:7 mbedx509:1 mbedtls:14 lmdb:0; do
        so=lib${lib%:*}.so
        "$t-nm" -P -t d -g --defined-only "$cache/lib/lib${lib%:*}.a" | awk '
            $2 ~ /^[TW]$/ { print "void " $1 "(void) {}" }
            $2 ~ /^[DBRGSV]$/ { print "char " $1 "[" ($4 > 0 ? $4 : 1) "];" }' |
            sort -u >"$prefix/${lib%:*}.c"
        "$t-gcc" -shared -fPIC -nostdlib -w -Wl,-soname,"$so.${lib#*:}" \
            -o "$prefix/lib/$so.${lib#*:}" "$prefix/${lib%:*}.c" || return 1
        ln -sfn "$so.${lib#*:}" "$prefix/lib/$so"
    done
}

# measure ARCH FILE TOOLPREFIX: one table row, and the figures in s_bytes, s_xz.
measure() {
    local arch=$1 f=$2 tp=$3 st
    st=$tmp/$(basename "$f").$arch
    "${tp}strip" --strip-all -o "$st" "$f" || return 1
    s_bytes=$(stat -c %s "$st")
    s_xz=$(xz -9 -c "$st" | wc -c)
    read -r text data bss _ < <("${tp}size" "$f" | tail -n 1)
    printf '  %-8s %-14s %9d %9d %9d %7d %7d\n' "$arch" "$(basename "$f")" "$s_bytes" "$s_xz" \
        "$text" "$data" "$bss"
}

echo "footprint: release flags CFLAGS=\"-Os -flto\" LDFLAGS=-flto; strip --strip-all; xz -9; size(1)"
printf '  %-8s %-14s %9s %9s %9s %7s %7s\n' target file stripped xz text data bss
host=$(uname -m)
if mk BUILD="$out/release-$host" "${release[@]}" LDFLAGS=-flto "$out/release-$host/tlsmgr" \
    "$out/release-$host/libtlsmgr.so"; then
    measure "$host" "$out/release-$host/tlsmgr" "" && d_bytes=$s_bytes d_xz=$s_xz
    measure "$host" "$out/release-$host/libtlsmgr.so" "" && l_bytes=$s_bytes l_xz=$s_xz
else
    status=1
fi
sizes=()
for arch in mipsel mips aarch64; do
    case $arch in
    mipsel) t=mipsel-linux-gnu ;;
    mips) t=mips-linux-gnu ;;
    aarch64) t=aarch64-linux-gnu ;;
    esac
    cache=.cache/cross-$arch
    if ! command -v "$t-gcc" >/dev/null 2>&1; then
        echo "  $arch: no $t-gcc installed: not measured"
        continue
    fi
    if [ ! -f "$cache/.stamp" ]; then
        echo "  $arch: no libraries in $cache: not measured (sh mk/cross.sh $arch, part of make check, builds them)"
        continue
    fi
    stub=$out/stub-$arch
    dir=$out/release-$arch
    if stub_libs "$stub" "$t" "$cache" &&
        mk BUILD="$dir" CC="$t-gcc" AR="$t-ar" MBEDTLS_DIR="$top/$stub" PKG_CONFIG=false \
            CPPFLAGS="-I$top/$stub/include" "${release[@]}" LDFLAGS="-flto -L$top/$stub/lib" \
            "$dir/tlsmgr" "$dir/libtlsmgr.so"; then
        measure "$arch" "$dir/tlsmgr" "$t-" && sizes+=("tlsmgr_$arch $s_bytes $s_xz")
        measure "$arch" "$dir/libtlsmgr.so" "$t-" && sizes+=("libtlsmgr_$arch $s_bytes $s_xz")
    else
        status=1
    fi
done

# The peers as Debian ships them (stripped already); Postfix's tlsmgr also needs its own
# libpostfix-*.so, shown beside.
peer_size() {
    local f=$1 name=$2 xz
    [ -f "$f" ] || return 1
    xz=$(xz -9 -c "$f" | wc -c)
    read -r text data bss _ < <(size "$f" | tail -n 1)
    printf '  %-8s %-14s %9d %9d %9d %7d %7d  (peer)\n' "$host" "$name" "$(stat -c %s "$f")" \
        "$xz" "$text" "$data" "$bss"
    p_bytes=$(stat -c %s "$f")
    p_xz=$xz
}
pf_bin=/usr/lib/postfix/sbin/tlsmgr
pf_libs=0
if peer_size "$pf_bin" "postfix-tlsmgr"; then
    pf_bytes=$p_bytes pf_xz=$p_xz
    for l in $(ldd "$pf_bin" 2>/dev/null | awk '$3 ~ /libpostfix-/ { print $3 }'); do
        pf_libs=$((pf_libs + $(stat -c %s "$l")))
    done
fi
if peer_size "$(command -v rngd 2>/dev/null || echo /usr/sbin/rngd)" rngd; then
    rn_bytes=$p_bytes rn_xz=$p_xz
fi

line() { echo "bench $1: ours $2, peer $3, ratio $4"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
if [ -n "${d_bytes:-}" ]; then
    if [ -n "${pf_bytes:-}" ]; then
        line "size_daemon_$host" "$d_bytes B (xz $d_xz B)" \
            "$pf_bytes B (xz $pf_xz B) (Postfix tlsmgr; plus $pf_libs B of libpostfix-*.so it needs)" \
            "$(ratio "$d_bytes" "$pf_bytes")"
    else
        line "size_daemon_$host" "$d_bytes B (xz $d_xz B)" "n/a (postfix is not installed)" n/a
    fi
    if [ -n "${rn_bytes:-}" ]; then
        line "size_daemon_vs_rngd_$host" "$d_bytes B (xz $d_xz B)" "$rn_bytes B (xz $rn_xz B) (rngd)" \
            "$(ratio "$d_bytes" "$rn_bytes")"
    fi
    line "size_libtlsmgr_$host" "$l_bytes B (xz $l_xz B)" n/a n/a
fi
for s in "${sizes[@]}"; do
    read -r name bytes xz <<<"$s"
    line "size_$name" "$bytes B (xz $xz B)" n/a n/a
done

# --- memory --------------------------------------------------------------------------------

# rss PID FIELD: a field of /proc/PID/status in kB.
rss() { awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status" 2>/dev/null; }

# tlsmgr_user and tlsmgr_group as the integration tests choose them (nobody as root).
# shellcheck source=tests/integration/lib.sh
. tests/integration/lib.sh
itest_user_group
daemon=$out/release-$host/tlsmgr
conf=$tmp/tlsmgr.conf
printf '%s\n' "state_directory = $tmp/state" "tls_random_seed_file = $tmp/seed/seed" \
    "tlsmgr_user = $user" "tlsmgr_group = $group" "tls_session_cache_max_entries = 200000" \
    "tls_session_cache_map_size = 128m" >"$conf"

# start_ours: the release daemon on $conf; sets ours (its pid) once it has started.
start_ours() {
    "$daemon" -f -c "$conf" >>"$tmp/daemon.log" 2>&1 &
    ours=$!
    pids+=("$ours")
    for _ in $(seq 100); do
        grep -q ' started ' "$tmp/daemon.log" 2>/dev/null && return 0
        sleep 0.05
    done
    echo "footprint: the daemon did not start: $(tail -n 3 "$tmp/daemon.log")" >&2
    return 1
}
stop_ours() {
    kill "$ours" 2>/dev/null
    wait "$ours" 2>/dev/null
    : >"$tmp/daemon.log"
}

if [ -x "$daemon" ] && start_ours; then
    sleep 1
    empty_anon=$(rss "$ours" RssAnon) empty_rss=$(rss "$ours" VmRSS)
    # 100k live entries and 1000 expired, stored as TLS servers store them; a restart makes
    # the daemon scan every one of them (its start-up check) and delete the expired.
    if "$build/tests/bench_fill" "$conf" 101000 1000; then
        stop_ours
        if start_ours; then
            for _ in $(seq 200); do
                "$daemon" -s -c "$conf" 2>/dev/null | grep -q '^expired: 1000$' && break
                sleep 0.05
            done
            sleep 0.5
            full_anon=$(rss "$ours" RssAnon) full_rss=$(rss "$ours" VmRSS)
            full_shm=$(rss "$ours" RssShmem)
            full_file=$(rss "$ours" RssFile)
            echo "  tlsmgr ($host release): empty cache RssAnon $empty_anon kB, VmRSS $empty_rss kB;" \
                "after scanning 101k entries RssAnon $full_anon kB, VmRSS $full_rss kB (the env's" \
                "map: RssShmem $full_shm kB, RssFile $full_file kB, shared with the TLS servers)"
        fi
    else
        status=1
    fi
    stop_ours
else
    status=1
fi

# Peers, as root (rngd feeds the kernel; Postfix's master runs as root).
rn_anon='' pf_anon='' pf_why="needs root and postfix"
if [ "$(id -u)" -eq 0 ] && command -v rngd >/dev/null 2>&1; then
    # Its input is /dev/urandom: this machine has no hardware RNG to spare.
    rngd -f -r /dev/urandom -p "$tmp/rngd.pid" >"$tmp/rngd.log" 2>&1 &
    rn=$!
    pids+=("$rn")
    sleep 1
    rn_anon=$(rss "$rn" RssAnon)
    kill "$rn" 2>/dev/null
fi
if [ "$(id -u)" -eq 0 ] && [ -x "$pf_bin" ] && command -v postfix >/dev/null 2>&1 &&
    id postfix >/dev/null 2>&1; then
    pf=$tmp/postfix
    mkdir -p "$pf/etc" "$pf/queue" "$pf/data"
    chown postfix "$pf/data"
    printf '%s\n' "compatibility_level = 3.6" "queue_directory = $pf/queue" \
        "data_directory = $pf/data" "mail_owner = postfix" "setgid_group = postdrop" \
        "inet_interfaces = loopback-only" "inet_protocols = ipv4" "maillog_file_prefixes = $pf" \
        "maillog_file = $pf/maillog" >"$pf/etc/main.cf"
    # tlsmgr woken every second by master, so that it starts without a TLS client.
    printf '%s\n' "tlsmgr    unix  -       -       n       1       1       tlsmgr" \
        "postlog   unix-dgram n  -       n       -       1       postlogd" >"$pf/etc/master.cf"
    postfix -c "$pf/etc" start-fg >"$tmp/postfix.log" 2>&1 &
    pids+=("$!")
    for _ in $(seq 100); do
        master=$({ tr -d ' ' <"$pf/queue/pid/master.pid"; } 2>/dev/null)
        pt=$([ -n "$master" ] && pgrep -x -P "$master" tlsmgr | head -1)
        [ -n "$pt" ] && break
        sleep 0.1
    done
    if [ -n "$pt" ]; then
        sleep 1
        pf_anon=$(rss "$pt" RssAnon)
    else
        pf_why="its tlsmgr did not start"
        echo "footprint: Postfix's tlsmgr did not start: $(tail -n 3 "$tmp/postfix.log")" >&2
    fi
    postfix -c "$pf/etc" stop >/dev/null 2>&1
fi
if [ -n "${empty_anon:-}" ]; then
    if [ -n "$pf_anon" ]; then
        line rss_anon_kb "$empty_anon kB" "$pf_anon kB (Postfix tlsmgr, no cache)" \
            "$(ratio "$empty_anon" "$pf_anon")"
    else
        line rss_anon_kb "$empty_anon kB" "n/a (Postfix tlsmgr: $pf_why)" n/a
    fi
    if [ -n "$rn_anon" ]; then
        line rss_anon_vs_rngd_kb "$empty_anon kB" "$rn_anon kB (rngd)" \
            "$(ratio "$empty_anon" "$rn_anon")"
    fi
    [ -z "${full_anon:-}" ] || line rss_anon_100k_kb "$full_anon kB" \
        "$empty_anon kB (the same daemon, empty cache)" "$(ratio "$full_anon" "$empty_anon")"
fi

# --- boards --------------------------------------------------------------------------------
for b in board/*/board.h; do
    b=${b#board/}
    b=${b%/board.h}
    [ "$b" != test ] || continue
    dir=$out/sim-$b
    if mk BUILD="$dir" UNIT_BOARD="$b" "$dir/tests/sim_board"; then
        "$dir/tests/sim_board" || status=1
    else
        status=1
    fi
done
exit $status
