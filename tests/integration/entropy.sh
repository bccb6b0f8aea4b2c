#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# entropy.sh BUILD - the real daemon's entropy service: the exchange file (1024 bytes, 0644)
# and the persistent seed (1024 bytes, 0600, directory 0700) written at start-up, a line per
# source, statistics on SIGUSR1, a new seed at SIGTERM, the old seed consumed at the next
# start, and planted bad exchange files (symlink, FIFO, short) ignored and replaced.
set -u
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
itest_init entropy "${1:-}"
exch=$tmp/state/prng_exch
seed=$tmp/seed/seed
itest_base_conf "$tmp/tlsmgr.conf" "tls_random_egd_socket =" "tls_session_cache_database =" \
    "tls_random_source = getrandom, dev:/dev/urandom, hwrng:$tmp/no-hwrng"

# start LOG: runs the daemon until it has logged "started"
start() { itest_start_daemon "$tmp/tlsmgr.conf" "$1"; }

if ! start "$tmp/log1"; then
    itest_fail "entropy/start" "$(cat "$tmp/log1")"
    exit 1
fi
itest_ok "entropy/start"
m=$(stat -c '%s %a %U' "$exch" 2>/dev/null)
[ "$m" = "1024 644 $user" ] && itest_ok "entropy/exchange-file" ||
    itest_fail "entropy/exchange-file" "$m"
m=$(stat -c '%s %a %U' "$seed" 2>/dev/null)
[ "$m" = "1024 600 $user" ] && itest_ok "entropy/seed-file" || itest_fail "entropy/seed-file" "$m"
m=$(stat -c '%a %U' "$tmp/seed" 2>/dev/null)
[ "$m" = "700 $user" ] && itest_ok "entropy/seed-directory" ||
    itest_fail "entropy/seed-directory" "$m"
grep -q "exchange file $exch: wrote 1024 bytes, mode 0644" "$tmp/log1" &&
    grep -q "seed $seed: wrote 1024 bytes, mode 0600" "$tmp/log1" &&
    itest_ok "entropy/write-logged" || itest_fail "entropy/write-logged" "$(cat "$tmp/log1")"
grep -q "random source getrandom: ok" "$tmp/log1" &&
    grep -q "random source hwrng:$tmp/no-hwrng: failing" "$tmp/log1" &&
    itest_ok "entropy/source-states" || itest_fail "entropy/source-states" "$(cat "$tmp/log1")"
itest_usr1 "$tmp/log1" "entropy: reseeds"
# a random reseed or rewrite may already have come: only the seed count is fixed
grep -Eq "entropy: reseeds [1-9][0-9]*, source failures [1-9][0-9]*, health test failures 0, exchange writes [1-9][0-9]*, seed writes 1, credited bits 0, EGD requests 0" \
    "$tmp/log1" && itest_ok "entropy/statistics" ||
    itest_fail "entropy/statistics" "$(grep entropy: "$tmp/log1")"
before=$(sha256sum <"$seed")
if itest_stop_daemon; then
    itest_ok "entropy/exit-0"
else
    itest_fail "entropy/exit-0" "status $?"
fi
after=$(sha256sum <"$seed" 2>/dev/null)
[ -n "$after" ] && [ "$before" != "$after" ] && [ "$(stat -c %s "$seed")" = 1024 ] &&
    itest_ok "entropy/seed-at-sigterm" ||
    itest_fail "entropy/seed-at-sigterm" "seed not rewritten"
[ ! -e "$seed.tmp" ] && [ ! -e "$exch.tmp" ] && itest_ok "entropy/no-temp-left" ||
    itest_fail "entropy/no-temp-left" "$(ls -a "$tmp/seed" "$tmp/state")"

# bad exchange files planted before start: never followed, never blocked on, replaced
for kind in symlink fifo short; do
    rm -f "$exch"
    case $kind in
    symlink)
        head -c 1024 /dev/zero >"$tmp/target"
        ln -s "$tmp/target" "$exch"
        ;;
    fifo) mkfifo "$exch" ;;
    short) head -c 100 /dev/urandom >"$exch" ;;
    esac
    old=$(sha256sum <"$seed")
    if ! start "$tmp/log-$kind"; then
        itest_fail "entropy/bad-exchange-$kind" "did not start: $(cat "$tmp/log-$kind")"
        continue
    fi
    t=$(stat -c '%F %s' "$exch")
    if grep -q "ignored" "$tmp/log-$kind" && [ "$t" = "regular file 1024" ]; then
        itest_ok "entropy/bad-exchange-$kind"
    else
        itest_fail "entropy/bad-exchange-$kind" "$t: $(cat "$tmp/log-$kind")"
    fi
    [ "$kind" != symlink ] || cmp -s "$tmp/target" <(head -c 1024 /dev/zero) ||
        itest_fail "entropy/symlink-target-untouched" "target changed"
    grep -q "seed $seed: mixed" "$tmp/log-$kind" &&
        [ "$(sha256sum <"$seed")" != "$old" ] && itest_ok "entropy/seed-consumed-$kind" ||
        itest_fail "entropy/seed-consumed-$kind" "$(cat "$tmp/log-$kind")"
    itest_stop_daemon || itest_fail "entropy/exit-0-$kind" "status $?"
done
itest_done
