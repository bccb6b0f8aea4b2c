#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# resume.sh BUILD - TLS 1.2 session-ID resumption across processes, seen from real clients.
#
# The real daemon keeps the cache env in a temporary state directory; the example server runs
# 4 pre-forked workers with tickets off. openssl s_client makes a session (-sess_out) and
# reconnects 12 times (-sess_in), each time asking for the page that names the worker:
#   --cache tlsmgr   every reconnection resumes, also on workers other than the session's;
#   --cache mbedtls  (per-process cache) resumptions happen only on the session's worker;
#   restarted with --cache none, the session no longer resumes; restarted with --cache tlsmgr,
#   it resumes again (the cache outlives the server).
# gnutls-cli --resume resumes through the tlsmgr cache too (on one worker: see there). On an
# mbedTLS 3.6 build a plain TLS 1.3 handshake must also work. As root, the daemon drops to
# nobody:nogroup and the example server runs as nobody, the way a TLS server shares the env
# through tlsmgr_group.
set -u
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
itest_init resume "${1:-}"
N=12
WORKERS=4

itest_need_example resume openssl

itest_base_conf "$tmp/tlsmgr.conf" "tls_session_cache_database = lmdb:$tmp/state/cache" \
	"tls_session_cache_timeout = 1h"

itest_cert "$tmp"

if ! itest_start_daemon "$tmp/tlsmgr.conf" "$tmp/daemon.log" ||
	[ ! -f "$tmp/state/cache/data.mdb" ]; then
	echo "not ok - setup: the daemon created no cache env: $(tail -2 "$tmp/daemon.log" | tr '\n' ' ')"
	exit 1
fi

SLOG=$tmp/server.log

# start_server CACHE [N]: the example server with that cache, tickets off, N workers (default
# WORKERS), on port PORT; stop_server keeps its log.
start_server() {
	itest_start_example "$SLOG" -c "$tmp/tlsmgr.conf" -w "${2:-$WORKERS}" \
		--cache "$1" --tickets off
	PORT=$example_port
}
stop_server() {
	itest_stop_example
	cat "$SLOG" >>"$tmp/servers.log"
}
sclient() { itest_get "$1" "$2" "$PORT" "${@:3}"; }
served_by() { itest_page_worker "$1"; }

# round CACHE NAME: session on one worker, N reconnections. Sets FIRST (pid), REUSED (count),
# ELSEWHERE (resumed on another worker), WRONG (a connection failed), PIDS (distinct workers).
round() {
	local cache=$1 i pid
	start_server "$cache"
	rm -f "$tmp/sess"
	sclient "$tmp/c0" "$tmp/sess" -tls1_2 -no_ticket -sess_out "$tmp/sess"
	FIRST=$(served_by "$tmp/c0")
	REUSED=0 ELSEWHERE=0 WRONG='' PIDS=''
	if ! grep -q '^New,' "$tmp/c0" || [ -z "$FIRST" ] || [ ! -s "$tmp/sess" ]; then
		WRONG="first connection failed: $(grep -m1 -E 'New,|error|errno' "$tmp/c0")"
		stop_server
		return
	fi
	for i in $(seq "$N"); do
		sclient "$tmp/c$i" "" -tls1_2 -no_ticket -sess_in "$tmp/sess"
		pid=$(served_by "$tmp/c$i")
		if [ -z "$pid" ] || ! grep -qE '^(New|Reused),' "$tmp/c$i"; then
			WRONG="reconnection $i failed: $(grep -m1 -E 'error|errno' "$tmp/c$i")"
			continue
		fi
		case " $PIDS " in *" $pid "*) ;; *) PIDS="$PIDS $pid" ;; esac
		if grep -q '^Reused,' "$tmp/c$i"; then
			REUSED=$((REUSED + 1))
			[ "$pid" != "$FIRST" ] && ELSEWHERE=$((ELSEWHERE + 1))
		fi
	done
	SERVER_RESUMED=$(grep -c ': TLSv1.2, resumed by session ID;' "$SLOG")
	SERVER_RESUMED_ELSEWHERE=$(grep ': TLSv1.2, resumed by session ID;' "$SLOG" |
		grep -vc "^worker $FIRST:")
	stop_server
}

# --- shared cache: every reconnection resumes, on any worker ---------------------------------
round tlsmgr
t_reused=$REUSED
if [ -n "$WRONG" ]; then
	itest_fail tlsmgr_cache_resumes_every_time "$WRONG"
elif [ "$REUSED" -ne "$N" ]; then
	itest_fail tlsmgr_cache_resumes_every_time "only $REUSED/$N reconnections said Reused"
else
	itest_ok tlsmgr_cache_resumes_every_time
fi
if [ -z "$WRONG" ] && [ "$ELSEWHERE" -gt 0 ] && [ "$SERVER_RESUMED_ELSEWHERE" -gt 0 ] &&
	[ "$SERVER_RESUMED" -eq "$REUSED" ]; then
	itest_ok tlsmgr_cache_resumes_on_other_workers
else
	itest_fail tlsmgr_cache_resumes_on_other_workers "session from worker $FIRST; resumed elsewhere" \
		"$ELSEWHERE (client) / $SERVER_RESUMED_ELSEWHERE (server log), workers seen:$PIDS"
fi
t_elsewhere=$ELSEWHERE

# --- per-process cache: resumes only where the session was made ------------------------------
round mbedtls
m_reused=$REUSED
if [ -n "$WRONG" ]; then
	itest_fail mbedtls_cache_resumes_only_on_its_worker "$WRONG"
elif [ "$ELSEWHERE" -ne 0 ] || [ "$SERVER_RESUMED_ELSEWHERE" -ne 0 ]; then
	itest_fail mbedtls_cache_resumes_only_on_its_worker "resumed on another worker: $ELSEWHERE"
elif [ "$REUSED" -eq "$N" ] && [ "$(echo $PIDS | wc -w)" -gt 1 ]; then
	itest_fail mbedtls_cache_resumes_only_on_its_worker "all $N resumed over workers$PIDS"
else
	itest_ok mbedtls_cache_resumes_only_on_its_worker
fi
echo "# resumed tlsmgr $t_reused/$N ($t_elsewhere on other workers) mbedtls $m_reused/$N" \
	"($WORKERS workers)"

# --- negative control, and the cache outliving the server ------------------------------------
start_server tlsmgr
rm -f "$tmp/sess"
sclient "$tmp/n0" "$tmp/sess" -tls1_2 -no_ticket -sess_out "$tmp/sess"
stop_server
start_server none
sclient "$tmp/n1" "" -tls1_2 -no_ticket -sess_in "$tmp/sess"
stop_server
if grep -q '^New,' "$tmp/n0" && grep -q '^New,' "$tmp/n1"; then
	itest_ok restarted_without_cache_does_not_resume
else
	itest_fail restarted_without_cache_does_not_resume \
		"$(grep -hE -m1 '^(New|Reused),|error' "$tmp/n0" "$tmp/n1" | tr '\n' ' ')"
fi
start_server tlsmgr
sclient "$tmp/n2" "" -tls1_2 -no_ticket -sess_in "$tmp/sess"
if grep -q '^Reused,' "$tmp/n2"; then
	itest_ok tlsmgr_cache_outlives_server_restart
else
	itest_fail tlsmgr_cache_outlives_server_restart "$(grep -m1 -E '^(New|Reused),|error' "$tmp/n2")"
fi

# --- gnutls-cli, both connections in one process ---------------------------------------------
# It reconnects within a fraction of a millisecond of the server's Finished, and mbedTLS stores
# a new session in the cache only after sending its Finished: another worker may look it up
# before it is there. One worker stores it before it accepts the next connection.
stop_server
start_server tlsmgr 1
g_ok=0
command -v gnutls-cli >/dev/null || g_ok=skip
for i in 1 2 3 4; do
	[ "$g_ok" = skip ] && break
	timeout 15 gnutls-cli --insecure --resume -p "$PORT" \
		--priority 'NORMAL:-VERS-ALL:+VERS-TLS1.2:%NO_TICKETS' 127.0.0.1 \
		</dev/null >"$tmp/g$i" 2>&1
	grep -q 'This is a resumed session' "$tmp/g$i" && g_ok=$((g_ok + 1))
done
if [ "$g_ok" = skip ]; then
	itest_skip gnutls_cli_resumes_with_tlsmgr_cache "gnutls-cli is not installed"
elif [ "$g_ok" -eq 4 ]; then
	itest_ok gnutls_cli_resumes_with_tlsmgr_cache
else
	itest_fail gnutls_cli_resumes_with_tlsmgr_cache "$g_ok/4 resumed: $(grep -m1 -iE 'error|fail' "$tmp/g1")"
fi

# --- TLS 1.3 on mbedTLS 3.x builds: a plain handshake ----------------------------------------
if "$bin" --version | grep -q 'mbedTLS 3\.'; then
	sclient "$tmp/t13" "" -tls1_3
	if grep -q '^New, TLSv1.3' "$tmp/t13" && [ -n "$(served_by "$tmp/t13")" ]; then
		itest_ok tls13_handshake
	else
		itest_fail tls13_handshake "$(grep -m1 -E '^(New|Reused),|error' "$tmp/t13")"
	fi
else
	echo "# no TLS 1.3 check: this build uses mbedTLS 2.28"
fi
stop_server

# Nothing in the server's log may look like key material.
if grep -qiE 'master|secret|[0-9a-f]{32}' "$tmp/servers.log" "$tmp/daemon.log"; then
	itest_fail logs_hold_no_secrets "$(grep -m1 -iE 'master|secret|[0-9a-f]{32}' "$tmp/servers.log" "$tmp/daemon.log")"
else
	itest_ok logs_hold_no_secrets
fi

itest_done
