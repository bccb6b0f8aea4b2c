#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# egd.sh BUILD - the real daemon's EGD service: socket mode and owner, every command with a
# Python client, OpenSSL's and libgcrypt's sequences, a flood of garbage and hanging
# connections (others still served, memory flat), the socket removed at SIGTERM, exit 0.
set -u
build=$(cd "${1:-build}" && pwd)
bin=$build/tlsmgr
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d /tmp/tlsmgr-egd.XXXXXX)
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
sock=$tmp/state/egd
cat >"$tmp/tlsmgr.conf" <<CONF
state_directory = $tmp/state
tls_random_seed_file = $tmp/seed/seed
tls_random_egd_socket = $sock
tls_session_cache_database =
tlsmgr_user = $user
tlsmgr_group = $group
CONF

"$bin" -f -c "$tmp/tlsmgr.conf" 2>"$tmp/log" &
pid=$!
for _ in $(seq 100); do
    [ -S "$sock" ] && break
    sleep 0.05
done
if [ ! -S "$sock" ]; then
    nok "egd/start" "no socket at $sock: $(cat "$tmp/log")"
    exit 1
fi
ok "egd/start"

perm=$(stat -c '%a %U %G' "$sock")
[ "$perm" = "660 $user $group" ] && ok "egd/socket-mode" || nok "egd/socket-mode" "$perm"

timeout 60 python3 "$here/egd_client.py" conformance "$sock" "$pid" || bad=1
ulimit -n 4096 2>/dev/null
timeout 90 python3 "$here/egd_client.py" flood "$sock" "$pid" 1000 || bad=1

# libtlsmgr's tlsmgr_seed against the same daemon: its EGD requests show in the statistics.
kill -USR1 "$pid"
sleep 0.2
if [ -e "$build/libtlsmgr.so" ]; then
    timeout 30 python3 "$here/egd_client.py" libseed "$build/libtlsmgr.so" "$tmp/tlsmgr.conf" || bad=1
fi
kill -0 "$pid" 2>/dev/null && ok "egd/daemon-alive" || nok "egd/daemon-alive" "daemon died"
kill -USR1 "$pid"
sleep 0.2
grep 'egd: .* requests' "$tmp/log" >"$tmp/stats"
n1=$(sed -n 1p "$tmp/stats" | sed -n 's/.* accepted, \([0-9]*\) requests.*/\1/p')
n2=$(tail -1 "$tmp/stats" | sed -n 's/.* accepted, \([0-9]*\) requests.*/\1/p')
# the library made 6 requests (4 calls, parent and child) between the two SIGUSR1
[ -n "$n1" ] && [ -n "$n2" ] && [ "$n2" -ge $((n1 + 6)) ] && ok "egd/statistics" ||
    nok "egd/statistics" "EGD requests in SIGUSR1 statistics: '$n1' then '$n2'"
kill -TERM "$pid"
status=124
for _ in $(seq 100); do
    if ! kill -0 "$pid" 2>/dev/null; then
        wait "$pid"
        status=$?
        break
    fi
    sleep 0.05
done
[ "$status" -eq 124 ] || pid=
[ "$status" -eq 0 ] && ok "egd/sigterm-exit-0" || nok "egd/sigterm-exit-0" "exit $status"
[ ! -e "$sock" ] && ok "egd/socket-removed" || nok "egd/socket-removed" "still there"
if grep -qiE 'sanitizer|runtime error' "$tmp/log"; then
    nok "egd/clean-log" "$(grep -iE 'sanitizer|runtime error' "$tmp/log" | head -3)"
fi
exit $bad
