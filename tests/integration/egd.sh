#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# egd.sh BUILD - the real daemon's EGD service: socket mode and owner, every command with a
# Python client, OpenSSL's and libgcrypt's sequences, a client that stays connected and silent
# longer than the daemon's longest EGD time limit (and the 30 s that once cut such clients),
# a flood of garbage and hanging connections (others still served, memory flat), the socket
# removed at SIGTERM, exit 0.
set -u
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
itest_init egd "${1:-}"
sock=$tmp/state/egd
itest_base_conf "$tmp/tlsmgr.conf" "tls_random_egd_socket = $sock" "tls_session_cache_database ="

if ! itest_start_daemon "$tmp/tlsmgr.conf" "$tmp/log" || [ ! -S "$sock" ]; then
    itest_fail "egd/start" "no socket at $sock: $(cat "$tmp/log")"
    exit 1
fi
itest_ok "egd/start"

# Created with its mode and group (root keeps the owner: nothing is changed by name).
perm=$(stat -c '%a %U %G' "$sock")
owner=$user
[ "$(id -u)" -ne 0 ] || owner=root
[ "$perm" = "660 $owner $group" ] && itest_ok "egd/socket-mode" ||
    itest_fail "egd/socket-mode" "$perm"

# Postfix's tlsmgr keeps one connection for its whole life: silent for 35 s, then answered.
# It runs alongside the other cases.
python3 "$here/egd_client.py" idle "$sock" 35 >"$tmp/idle.out" 2>&1 &
idle_pid=$!
timeout 60 python3 "$here/egd_client.py" conformance "$sock" "$daemon_pid" || failed=1
ulimit -n 4096 2>/dev/null
timeout 90 python3 "$here/egd_client.py" flood "$sock" "$daemon_pid" 1000 || failed=1

# libtlsmgr's tlsmgr_seed against the same daemon: its EGD requests show in the statistics.
itest_usr1 "$tmp/log" 'egd: .* requests'
n1=$(grep 'egd: .* requests' "$tmp/log" | tail -1 | sed -n 's/.*, requests \([0-9]*\),.*/\1/p')
if [ -e "$build/libtlsmgr.so" ]; then
    timeout 30 python3 "$here/egd_client.py" libseed "$build/libtlsmgr.so" "$tmp/tlsmgr.conf" ||
        failed=1
fi
wait "$idle_pid" || failed=1
cat "$tmp/idle.out"
kill -0 "$daemon_pid" 2>/dev/null && itest_ok "egd/daemon-alive" ||
    itest_fail "egd/daemon-alive" "daemon died"
itest_usr1 "$tmp/log" 'egd: .* requests'
n2=$(grep 'egd: .* requests' "$tmp/log" | tail -1 | sed -n 's/.*, requests \([0-9]*\),.*/\1/p')
# the library made 6 requests (4 calls, parent and child) between the two SIGUSR1
[ -n "$n1" ] && [ -n "$n2" ] && [ "$n2" -ge $((n1 + 6)) ] && itest_ok "egd/statistics" ||
    itest_fail "egd/statistics" "EGD requests in SIGUSR1 statistics: '$n1' then '$n2'"
itest_stop_daemon
status=$?
[ "$status" -eq 0 ] && itest_ok "egd/sigterm-exit-0" ||
    itest_fail "egd/sigterm-exit-0" "exit $status"
[ ! -e "$sock" ] && itest_ok "egd/socket-removed" ||
    itest_fail "egd/socket-removed" "still there"
if grep -qiE 'sanitizer|runtime error' "$tmp/log"; then
    itest_fail "egd/clean-log" "$(grep -iE 'sanitizer|runtime error' "$tmp/log" | head -3)"
fi
itest_done
