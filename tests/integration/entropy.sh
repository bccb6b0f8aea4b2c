#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# entropy.sh BUILD - the real daemon's entropy service: the exchange file (1024 bytes, 0644)
# and the persistent seed (1024 bytes, 0600, directory 0700) written at start-up, a line per
# source, statistics on SIGUSR1, a new seed at SIGTERM, the old seed consumed at the next
# start, and planted bad exchange files (symlink, FIFO, short) ignored and replaced.
set -u
build=$(cd "${1:-build}" && pwd)
bin=$build/tlsmgr
tmp=$(mktemp -d /tmp/tlsmgr-entropy.XXXXXX)
pid=
cleanup() {
    [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
bad=0
ok() { echo "ok - $1"; }
nok() { echo "not ok - $1: $2"; bad=1; }

if [ "$(id -u)" -eq 0 ]; then
    user=nobody
    group=$(id -gn nobody)
else
    user=$(id -un)
    group=$(id -gn)
fi
chmod 0755 "$tmp"
exch=$tmp/state/prng_exch
seed=$tmp/seed/seed
cat >"$tmp/tlsmgr.conf" <<CONF
state_directory = $tmp/state
tls_random_seed_file = $seed
tls_random_egd_socket =
tls_session_cache_database =
tls_random_source = getrandom, dev:/dev/urandom, hwrng:$tmp/no-hwrng
tlsmgr_user = $user
tlsmgr_group = $group
CONF

# start LOG: runs the daemon until it has logged "started"
start() {
    "$bin" -f -c "$tmp/tlsmgr.conf" 2>"$1" &
    pid=$!
    for _ in $(seq 100); do
        grep -q ' started ' "$1" 2>/dev/null && return 0
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.05
    done
    return 1
}
# stop: SIGTERM, then the exit status must be 0
stop() {
    kill -TERM "$pid"
    timeout 10 tail --pid="$pid" -f /dev/null
    wait "$pid"
    local rc=$?
    pid=
    return $rc
}

if ! start "$tmp/log1"; then
    nok "entropy/start" "$(cat "$tmp/log1")"
    exit 1
fi
ok "entropy/start"
m=$(stat -c '%s %a %U' "$exch" 2>/dev/null)
[ "$m" = "1024 644 $user" ] && ok "entropy/exchange-file" || nok "entropy/exchange-file" "$m"
m=$(stat -c '%s %a %U' "$seed" 2>/dev/null)
[ "$m" = "1024 600 $user" ] && ok "entropy/seed-file" || nok "entropy/seed-file" "$m"
m=$(stat -c '%a %U' "$tmp/seed" 2>/dev/null)
[ "$m" = "700 $user" ] && ok "entropy/seed-directory" || nok "entropy/seed-directory" "$m"
grep -q "exchange file $exch: wrote 1024 bytes, mode 0644" "$tmp/log1" &&
    grep -q "seed $seed: wrote 1024 bytes, mode 0600" "$tmp/log1" &&
    ok "entropy/write-logged" || nok "entropy/write-logged" "$(cat "$tmp/log1")"
grep -q "random source getrandom: ok" "$tmp/log1" &&
    grep -q "random source hwrng:$tmp/no-hwrng: failing" "$tmp/log1" &&
    ok "entropy/source-states" || nok "entropy/source-states" "$(cat "$tmp/log1")"
kill -USR1 "$pid"
sleep 0.3
# a random reseed or rewrite may already have come: only the seed count is fixed
grep -Eq "entropy: reseeds [1-9][0-9]*, source failures [1-9][0-9]*, health test failures 0, exchange writes [1-9][0-9]*, seed writes 1, credited bits 0, EGD requests 0" \
    "$tmp/log1" && ok "entropy/statistics" || nok "entropy/statistics" "$(grep entropy: "$tmp/log1")"
before=$(sha256sum <"$seed")
if stop; then ok "entropy/exit-0"; else nok "entropy/exit-0" "status $?"; fi
after=$(sha256sum <"$seed" 2>/dev/null)
[ -n "$after" ] && [ "$before" != "$after" ] && [ "$(stat -c %s "$seed")" = 1024 ] &&
    ok "entropy/seed-at-sigterm" || nok "entropy/seed-at-sigterm" "seed not rewritten"
[ ! -e "$seed.tmp" ] && [ ! -e "$exch.tmp" ] && ok "entropy/no-temp-left" ||
    nok "entropy/no-temp-left" "$(ls -a "$tmp/seed" "$tmp/state")"

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
        nok "entropy/bad-exchange-$kind" "did not start: $(cat "$tmp/log-$kind")"
        continue
    fi
    t=$(stat -c '%F %s' "$exch")
    if grep -q "ignored" "$tmp/log-$kind" && [ "$t" = "regular file 1024" ]; then
        ok "entropy/bad-exchange-$kind"
    else
        nok "entropy/bad-exchange-$kind" "$t: $(cat "$tmp/log-$kind")"
    fi
    [ "$kind" != symlink ] || cmp -s "$tmp/target" <(head -c 1024 /dev/zero) ||
        nok "entropy/symlink-target-untouched" "target changed"
    grep -q "seed $seed: mixed into the pool" "$tmp/log-$kind" &&
        [ "$(sha256sum <"$seed")" != "$old" ] && ok "entropy/seed-consumed-$kind" ||
        nok "entropy/seed-consumed-$kind" "$(cat "$tmp/log-$kind")"
    stop || nok "entropy/exit-0-$kind" "status $?"
done
exit $bad
