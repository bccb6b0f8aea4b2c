#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# tickets.sh BUILD - shared session ticket keys, seen from real clients.
#
# The real daemon keeps the cache env, with its ticket keys, on tmpfs; the example server runs
# 8 pre-forked workers. openssl s_client makes a session (-sess_out) and reconnects 20 times
# (-sess_in), once with --tickets tlsmgr (the shared keys: at least 19 of 20 resume) and once
# with --tickets local (mbedTLS's keys per process: about 1 in 8, reported, not bounded), for
# TLS 1.3 (mbedTLS 3.x builds) and TLS 1.2 tickets; gnutls-cli --resume does the same. A TLS
# 1.2 client without tickets still resumes by session ID. Then, with a 10 s key lifetime: a
# ticket resumes after a rotation and is refused once its key has left every slot; a ticket
# survives a restart of the daemon and not a reboot (env gone); a server started before the
# daemon resumes across workers once the keys appear.
set -u
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
itest_init tickets "${1:-}"
N=20
WORKERS=8

itest_need_example tickets openssl
tls13=
"$bin" --version | grep -q 'mbedTLS 3\.' && tls13=yes

# The keys exist only on tmpfs: the state directory goes to a tmpfs directory.
if ! itest_tmpfs tickets; then
	itest_skip tickets "no tmpfs directory to keep the ticket keys in (not root, no /dev/shm)"
	exit 0
fi

conf() { # conf FILE LIFETIME
	itest_base_conf "$1" "tls_session_cache_database = lmdb:$shm/state/cache" \
		"tls_ticket_key_lifetime = $2"
	sed -i "s|^state_directory = .*|state_directory = $shm/state|" "$1"
}
conf "$tmp/tlsmgr.conf" 1h
conf "$tmp/short.conf" 10s
itest_cert "$tmp"
SLOG=$tmp/server.log

server() { # server TICKETS [CONF]: (re)starts the example server, on port PORT
	itest_stop_example
	[ -f "$SLOG" ] && cat "$SLOG" >>"$tmp/servers.log"
	itest_start_example "$SLOG" -c "${2:-$tmp/tlsmgr.conf}" -w "$WORKERS" \
		--cache tlsmgr --tickets "$1"
	PORT=$example_port
}

daemon() { # daemon CONF: (re)starts the daemon, verbose (rotations are debug lines)
	local from
	itest_stop_daemon
	from=$(stat -c %s "$tmp/daemon.log" 2>/dev/null || echo 0)
	"$bin" -f -v -c "$1" >>"$tmp/daemon.log" 2>&1 &
	daemon_pid=$!
	itest_wait_log "$tmp/daemon.log" ' started ' 100 "$from"
}

# resumed FILE: the connection said Reused, and no error or alert came after it.
resumed() { grep -q '^Reused,' "$1" && ! sed -n '/^Reused,/,$p' "$1" | grep -qiE ':error:|alert'; }
said() { grep -qE '^(New|Reused),' "$1"; }

# round OPTS...: one session, then N reconnections; sets REUSED, WORKERS_SEEN and WRONG.
round() {
	local i pids=''
	rm -f "$tmp/sess"
	itest_get "$tmp/c0" "$tmp/sess" "$PORT" "$@" -sess_out "$tmp/sess"
	REUSED=0 WRONG=''
	if ! said "$tmp/c0" || [ ! -s "$tmp/sess" ]; then
		WRONG="first connection: $(grep -m1 -E '^(New|Reused),|error|errno' "$tmp/c0")"
		WORKERS_SEEN=0
		return
	fi
	for i in $(seq "$N"); do
		itest_get "$tmp/c$i" "" "$PORT" "$@" -sess_in "$tmp/sess"
		if ! said "$tmp/c$i"; then
			WRONG="reconnection $i: $(grep -m1 -E 'error|errno' "$tmp/c$i")"
			continue
		fi
		resumed "$tmp/c$i" && REUSED=$((REUSED + 1))
		pids="$pids $(itest_page_worker "$tmp/c$i")"
	done
	WORKERS_SEEN=$(echo "$pids" | tr ' ' '\n' | sort -u | grep -c .)
}

# shared_vs_local NAME OPTS...: the tlsmgr round must resume 19 of 20 over several workers.
shared_vs_local() {
	local name=$1 t_reused
	shift
	local by_server
	server tlsmgr
	round "$@"
	t_reused=$REUSED
	# The server's own account: its log line says how each handshake went.
	by_server=$(grep -c ', resumed by ticket;' "$SLOG")
	if [ -n "$WRONG" ]; then
		itest_fail "${name}_tlsmgr_resumes" "$WRONG"
	elif [ "$REUSED" -lt $((N - 1)) ] || [ "$WORKERS_SEEN" -lt 2 ] || [ "$by_server" -ne "$REUSED" ]; then
		itest_fail "${name}_tlsmgr_resumes" "$REUSED/$N resumed over $WORKERS_SEEN workers" \
			"($by_server by ticket in the server log)"
	else
		itest_ok "${name}_tlsmgr_resumes"
	fi
	server local
	round "$@"
	if [ -n "$WRONG" ]; then
		itest_fail "${name}_local_peer_runs" "$WRONG"
	else
		itest_ok "${name}_local_peer_runs"
	fi
	echo "# $name: resumed with tlsmgr tickets $t_reused/$N, local tickets $REUSED/$N" \
		"($WORKERS workers)"
}

if ! daemon "$tmp/tlsmgr.conf" || [ ! -f "$shm/state/cache/data.mdb" ]; then
	echo "not ok - setup: the daemon did not start: $(tail -2 "$tmp/daemon.log" | tr '\n' ' ')"
	exit 1
fi
if grep -q 'not on tmpfs' "$tmp/daemon.log"; then
	echo "not ok - setup: the daemon refused ticket keys in $shm: $(grep 'tmpfs' "$tmp/daemon.log")"
	exit 1
fi

# --- resumed shares, s_client ---------------------------------------------------------------
if [ -n "$tls13" ]; then
	shared_vs_local tls13 -tls1_3
else
	echo "# no TLS 1.3: this build uses mbedTLS 2.28"
fi
shared_vs_local tls12 -tls1_2

# Both mechanisms at once: a TLS 1.2 client without tickets resumes by session ID.
server tlsmgr
round -tls1_2 -no_ticket
if [ -z "$WRONG" ] && [ "$REUSED" -ge $((N - 1)) ]; then
	itest_ok tls12_session_id_still_resumes
else
	itest_fail tls12_session_id_still_resumes "${WRONG:-$REUSED/$N resumed}"
fi

# --- gnutls-cli --resume: both connections in one process ------------------------------------
gnutls_runs() { # gnutls_runs PRIORITY [--waitresumption]: sets OK, resumed runs of 8
	local prio=$1 i
	shift
	OK=0
	for i in 1 2 3 4 5 6 7 8; do
		timeout 15 gnutls-cli --insecure --resume "$@" -p "$PORT" --priority "$prio" 127.0.0.1 \
			</dev/null >"$tmp/g$i" 2>&1
		grep -q 'This is a resumed session' "$tmp/g$i" && OK=$((OK + 1))
	done
}
gnutls() { # gnutls NAME PRIORITY [--waitresumption]: tlsmgr tickets all resume; local measured
	local name=$1 shared
	shift
	server tlsmgr
	gnutls_runs "$@"
	shared=$OK
	if [ "$OK" -eq 8 ]; then
		itest_ok "$name"
	else
		itest_fail "$name" "$OK/8 resumed: $(grep -m1 -iE 'error|fail' "$tmp/g1")"
	fi
	server local
	gnutls_runs "$@"
	echo "# $name: resumed with tlsmgr tickets $shared/8, local tickets $OK/8"
}
if command -v gnutls-cli >/dev/null; then
	gnutls gnutls_cli_tls12_ticket_resumes 'NORMAL:-VERS-ALL:+VERS-TLS1.2'
	if [ -n "$tls13" ]; then
		gnutls gnutls_cli_tls13_ticket_resumes 'NORMAL:-VERS-ALL:+VERS-TLS1.3' --waitresumption
	fi
else
	itest_skip gnutls_cli_ticket_resumes "gnutls-cli is not installed"
fi

# --- restart and reboot -----------------------------------------------------------------------
server tlsmgr
proto=-tls1_2
[ -n "$tls13" ] && proto=-tls1_3
rm -f "$tmp/sess"
itest_get "$tmp/r0" "$tmp/sess" "$PORT" "$proto" -sess_out "$tmp/sess"
daemon "$tmp/tlsmgr.conf"
server tlsmgr
itest_get "$tmp/r1" "" "$PORT" "$proto" -sess_in "$tmp/sess"
if said "$tmp/r0" && resumed "$tmp/r1"; then
	itest_ok ticket_survives_daemon_and_server_restart
else
	itest_fail ticket_survives_daemon_and_server_restart "$(grep -hm1 -E '^(New|Reused),|error' "$tmp/r0" "$tmp/r1" | tr '\n' ' ')"
fi
# A reboot: tmpfs is cleared, daemon and servers start again.
itest_stop_example
itest_stop_daemon
rm -rf "$shm/state"
daemon "$tmp/tlsmgr.conf"
server tlsmgr
itest_get "$tmp/r2" "" "$PORT" "$proto" -sess_in "$tmp/sess"
if grep -q '^New,' "$tmp/r2"; then
	itest_ok ticket_refused_after_reboot
else
	itest_fail ticket_refused_after_reboot "$(grep -m1 -E '^(New|Reused),|error' "$tmp/r2")"
fi

# --- a server started before the daemon --------------------------------------------------------
itest_stop_example
itest_stop_daemon
rm -rf "$shm/state"
server tlsmgr
round "$proto"
early=$REUSED
daemon "$tmp/tlsmgr.conf"
# The server looks for the env again every TLSMGR_CACHE_CLIENT_RETRY_MS (5 s).
sleep 6
round "$proto"
if [ -z "$WRONG" ] && [ "$REUSED" -ge $((N - 1)) ]; then
	itest_ok shared_keys_used_once_they_appear
else
	itest_fail shared_keys_used_once_they_appear "${WRONG:-$REUSED/$N resumed after the daemon started}"
fi
echo "# before the daemon: $early/$N resumed (keys of each worker); after: $REUSED/$N"

# --- rotation with a 10 s key lifetime: a key encrypts 5 s, decrypts 5 s more -----------------
itest_stop_example
itest_stop_daemon
rm -rf "$shm/state"
daemon "$tmp/short.conf"
server tlsmgr "$tmp/short.conf"
# Right after a rotation, so that the ticket's key has just become current.
from=$(stat -c %s "$tmp/daemon.log")
if ! itest_wait_log "$tmp/daemon.log" 'ticket keys rotated' 200 "$from"; then
	itest_fail rotation_setup "no rotation within 10 s"
fi
# Times count from the rotation, not from the end of the connections: on a loaded machine they
# take a while, and the key is current for 5 s from the rotation whatever they take.
issued=$(date +%s%N)
rm -f "$tmp/sess12" "$tmp/sess13"
itest_get "$tmp/k0" "$tmp/sess12" "$PORT" -tls1_2 -sess_out "$tmp/sess12"
[ -n "$tls13" ] && itest_get "$tmp/k1" "$tmp/sess13" "$PORT" -tls1_3 -sess_out "$tmp/sess13"
wait_until() { while [ $((($(date +%s%N) - issued) / 1000000)) -lt "$1" ]; do sleep 0.1; done; }
wait_until 6500
rotations=$(grep -c 'ticket keys rotated' "$tmp/daemon.log")
itest_get "$tmp/k2" "" "$PORT" -tls1_2 -sess_in "$tmp/sess12"
ok=yes
resumed "$tmp/k2" || ok="TLS 1.2 ticket not resumed after one rotation"
if [ -n "$tls13" ]; then
	itest_get "$tmp/k3" "" "$PORT" -tls1_3 -sess_in "$tmp/sess13"
	resumed "$tmp/k3" || ok="TLS 1.3 ticket not resumed after one rotation"
fi
if [ "$ok" = yes ]; then
	itest_ok ticket_resumes_after_a_rotation
else
	itest_fail ticket_resumes_after_a_rotation "$ok"
fi
wait_until 11500
itest_get "$tmp/k4" "" "$PORT" -tls1_2 -sess_in "$tmp/sess12" -trace
# The client still offers its ticket (its ClientHello carries it: OpenSSL does not age TLS 1.2
# tickets), and the server refuses it: a full handshake.
if grep -q '^New,' "$tmp/k4" && grep -q 'extension_type=session_ticket(35), length=[1-9]' "$tmp/k4" &&
	[ "$(grep -c 'ticket keys rotated' "$tmp/daemon.log")" -gt "$rotations" ]; then
	itest_ok ticket_refused_once_its_key_is_gone
else
	itest_fail ticket_refused_once_its_key_is_gone "$(grep -m1 -E '^(New|Reused),|error' "$tmp/k4")"
fi
itest_stop_example
cat "$SLOG" >>"$tmp/servers.log"

# Nothing in the logs may look like key material.
if grep -qiE 'master|secret|[0-9a-f]{32}' "$tmp/servers.log" "$tmp/daemon.log"; then
	itest_fail logs_hold_no_secrets "$(grep -m1 -iE 'master|secret|[0-9a-f]{32}' "$tmp/servers.log" "$tmp/daemon.log")"
else
	itest_ok logs_hold_no_secrets
fi

itest_done
