#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# services.sh BUILD - one failing service does not take the others down: the session cache
# cannot be opened at start-up (its directory belongs to another user, or is not a directory);
# the daemon starts all the same, says loudly that the cache is down, serves EGD and writes the
# exchange file, retries the cache with backoff and brings it up once the cause is gone.
set -u
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
itest_init services "${1:-}"
cache=$tmp/cache
sock=$tmp/state/egd
if [ "$(id -u)" -eq 0 ]; then
    mkdir -m 0700 "$cache" # root's: the daemon, as $user, cannot use it
    how="a directory of root's, mode 0700"
else
    echo "not a directory" >"$cache"
    how="a plain file"
fi
itest_base_conf "$tmp/tlsmgr.conf" "tls_random_egd_socket = $sock" \
    "tls_session_cache_database = lmdb:$cache"

if ! itest_start_daemon "$tmp/tlsmgr.conf" "$tmp/log"; then
    itest_fail "services/start-without-cache" "the daemon did not start: $(tail -5 "$tmp/log")"
    exit 1
fi
itest_ok "services/start-without-cache"
grep -q "cache service is DOWN" "$tmp/log" && itest_ok "services/cache-down-said" ||
    itest_fail "services/cache-down-said" "$(tail -5 "$tmp/log")"
[ "$(stat -c %s "$tmp/state/prng_exch" 2>/dev/null)" = 1024 ] && itest_ok "services/exchange-file" ||
    itest_fail "services/exchange-file" "no 1024-byte exchange file"
timeout 20 python3 "$here/egd_client.py" read "$sock" 64 "$tmp/egd.bin" >/dev/null &&
    [ "$(stat -c %s "$tmp/egd.bin")" = 64 ] && itest_ok "services/egd-serves" ||
    itest_fail "services/egd-serves" "no EGD answer"
itest_usr1 "$tmp/log" "cache: DOWN for" && itest_ok "services/down-in-statistics" ||
    itest_fail "services/down-in-statistics" "SIGUSR1 statistics do not say the cache is down"

# The cause goes away; the first retry (TLSMGR_SERVICE_RETRY_MIN, 10 s) brings the cache up.
if [ "$(id -u)" -eq 0 ]; then
    chown "$user:$group" "$cache"
else
    rm -f "$cache"
fi
if itest_wait_log "$tmp/log" "cache service is up again" 400; then
    itest_ok "services/cache-up-after-retry"
else
    itest_fail "services/cache-up-after-retry" "cache ($how) still down: $(tail -3 "$tmp/log")"
fi
n=$(grep -c "cache service is DOWN" "$tmp/log")
[ "$n" -le 2 ] && itest_ok "services/retries-back-off" ||
    itest_fail "services/retries-back-off" "$n failures logged in ~10 s"
out=$("$bin" -s -c "$tmp/tlsmgr.conf" 2>&1)
case $out in *"entries:"*) itest_ok "services/cache-status" ;; *) itest_fail "services/cache-status" "$out" ;; esac
itest_stop_daemon
status=$?
[ "$status" -eq 0 ] && itest_ok "services/sigterm-exit-0" ||
    itest_fail "services/sigterm-exit-0" "exit $status"
itest_done
