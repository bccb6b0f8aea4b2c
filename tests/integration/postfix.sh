#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# postfix.sh BUILD [SECONDS] - Postfix's own tlsmgr(8) (Debian's postfix package) takes its
# entropy from our EGD socket (tls_random_source = egd:...) and keeps that one connection for
# its whole life, reseeding at random within tls_random_reseed_period (POSTFIX_RESEED, 5 s by
# default, so that SECONDS, 20 by default, hold several reseeds). Halfway, it is stopped for
# POSTFIX_PAUSE seconds (35 by default: longer than any time limit the daemon has, and than the
# 30 s after which it once cut idle clients), then goes on with an overdue reseed. It must
# never log "lost connection to EGD server" nor exit to reconnect: one Postfix tlsmgr process,
# one accepted EGD connection. POSTFIX_RESEED=60s POSTFIX_PAUSE=0 and 600 s is the long run.
# A private Postfix instance: its own config, queue and data directories and log file in the
# test's temporary directory, master(8) in the foreground, only tlsmgr and postlogd in
# master.cf. Needs root (master runs as root and drops to the postfix user).
set -u
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
itest_init postfix "${1:-}"
seconds=${2:-20}
reseed=${POSTFIX_RESEED:-5s}
pause=${POSTFIX_PAUSE:-35}
if [ "$(id -u)" -ne 0 ] || ! command -v postfix >/dev/null 2>&1 || ! id postfix >/dev/null 2>&1; then
    itest_skip "postfix/tlsmgr-keeps-egd" "needs root and Debian's postfix package (make check installs it)"
    itest_done
fi
pf=$tmp/postfix
sock=$tmp/state/egd
mkdir -p "$pf/etc" "$pf/queue" "$pf/data"
chown postfix "$pf/data"
# Postfix's tlsmgr runs as the postfix user: the socket's group must be its.
group=postfix
itest_base_conf "$tmp/tlsmgr.conf" "tls_random_egd_socket = $sock" "tls_session_cache_database ="
if ! itest_start_daemon "$tmp/tlsmgr.conf" "$tmp/log"; then
    itest_fail "postfix/daemon-start" "$(tail -5 "$tmp/log")"
    itest_done
fi
cat >"$pf/etc/main.cf" <<CONF
compatibility_level = 3.6
queue_directory = $pf/queue
data_directory = $pf/data
mail_owner = postfix
setgid_group = postdrop
inet_interfaces = loopback-only
inet_protocols = ipv4
maillog_file_prefixes = $pf
maillog_file = $pf/maillog
tls_random_source = egd:$sock
tls_random_reseed_period = $reseed
tls_random_prng_update_period = 60s
CONF
# tlsmgr woken every second by master, so that it starts without a TLS client.
cat >"$pf/etc/master.cf" <<'CONF'
tlsmgr    unix  -       -       n       1       1       tlsmgr
postlog   unix-dgram n  -       n       -       1       postlogd
CONF
postfix -c "$pf/etc" start-fg >"$tmp/postfix.out" 2>&1 &
master_shell=$!
# master daemonises nothing with start-fg, but is stopped explicitly all the same.
trap 'postfix -c "$pf/etc" stop >/dev/null 2>&1; itest_cleanup' EXIT
# Postfix's tlsmgr of this instance: the child of its master.
pf_tlsmgr() {
    local master
    master=$({ tr -d ' ' <"$pf/queue/pid/master.pid"; } 2>/dev/null)
    [ -n "$master" ] && pgrep -x -P "$master" tlsmgr | head -1
}
first=
for _ in $(seq 100); do
    first=$(pf_tlsmgr)
    [ -n "$first" ] && break
    sleep 0.1
done
if [ -z "$first" ]; then
    itest_fail "postfix/tlsmgr-started" "$(cat "$tmp/postfix.out" "$pf/maillog" 2>/dev/null | tail -5)"
    itest_done
fi
itest_ok "postfix/tlsmgr-started"
sleep $((seconds / 2))
if [ "$pause" -gt 0 ]; then
    kill -STOP "$first"
    sleep "$pause"
    kill -CONT "$first"
fi
sleep $((seconds - seconds / 2))
itest_usr1 "$tmp/log" "egd: .* requests"
stats=$(grep "egd: .* requests" "$tmp/log" | tail -1)
accepted=$(echo "$stats" | sed -n 's/.*, accepted \([0-9]*\),.*/\1/p')
requests=$(echo "$stats" | sed -n 's/.*, requests \([0-9]*\),.*/\1/p')
procs=$(grep -c "postfix/tlsmgr\[" "$pf/maillog" 2>/dev/null)
lost=$(grep -c "lost connection to EGD server" "$pf/maillog" 2>/dev/null)
now=$(pf_tlsmgr)
echo "# postfix: ${seconds}s + ${pause}s stopped, reseed period $reseed: Postfix tlsmgr pid $first then $now," \
    "$lost 'lost connection' lines; our EGD: $accepted accepted, $requests requests"
[ "$lost" = 0 ] && itest_ok "postfix/no-lost-connection" ||
    itest_fail "postfix/no-lost-connection" "$(grep -m3 'lost connection' "$pf/maillog")"
[ "$now" = "$first" ] && [ "$accepted" = 1 ] && itest_ok "postfix/one-tlsmgr-one-connection" ||
    itest_fail "postfix/one-tlsmgr-one-connection" "pids $first/$now, $accepted EGD connections, $procs log lines"
[ -n "$requests" ] && [ "$requests" -ge 3 ] && itest_ok "postfix/reseeds-served" ||
    itest_fail "postfix/reseeds-served" "only '$requests' EGD requests in ${seconds}s"
postfix -c "$pf/etc" stop >/dev/null 2>&1
wait "$master_shell" 2>/dev/null
itest_stop_daemon
status=$?
[ "$status" -eq 0 ] && itest_ok "postfix/daemon-exit-0" || itest_fail "postfix/daemon-exit-0" "exit $status"
itest_done
