#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# resume.sh BUILD - TLS 1.2 session-ID resumption across processes, seen from real clients.
#
# The real daemon keeps the cache env in a temporary state directory; the example server runs
# 4 pre-forked workers with tickets off. openssl s_client makes a session (-sess_out) and
# reconnects 12 times (-sess_in):
#   --cache tlsmgr   every reconnection resumes, also on workers other than the session's;
#   --cache mbedtls  (per-process cache) resumptions happen only on the session's worker;
#   restarted with --cache none, the session no longer resumes; restarted with --cache tlsmgr,
#   it resumes again (the cache outlives the server).
# gnutls-cli --resume resumes through the tlsmgr cache too. On an mbedTLS 3.6 build a plain
# TLS 1.3 handshake must also work. As root, the daemon drops to nobody:nogroup and the example
# server runs as nobody, the way a TLS server shares the env through tlsmgr_group.
set -u

BUILD=${1:-build}
N=12
WORKERS=4
fails=0

ok() { echo "ok - $1"; }
notok() {
	echo "not ok - $1: $2"
	fails=$((fails + 1))
}

if ! command -v openssl >/dev/null; then
	echo "skip - resume: openssl is not installed"
	exit 0
fi
for bin in tlsmgr example-server; do
	if [ ! -x "$BUILD/$bin" ]; then
		echo "not ok - setup: $BUILD/$bin missing (run make)"
		exit 1
	fi
done

T=$(mktemp -d "${TMPDIR:-/tmp}/tlsmgr-resume.XXXXXX") || exit 1
DPID=
SPID=
cleanup() {
	[ -n "$SPID" ] && kill "$SPID" 2>/dev/null && wait "$SPID" 2>/dev/null
	[ -n "$DPID" ] && kill "$DPID" 2>/dev/null && wait "$DPID" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

RUNAS=()
if [ "$(id -u)" = 0 ]; then
	# The daemon drops to nobody:nogroup; the TLS server must be able to open the env.
	chmod 0755 "$T"
	RUNAS=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
	ids="tlsmgr_user = nobody
tlsmgr_group = nogroup"
else
	ids="tlsmgr_user = $(id -un)
tlsmgr_group = $(id -gn)"
fi

cat >"$T/tlsmgr.conf" <<EOF
state_directory = $T/state
tls_random_seed_file = $T/seed/seed
tls_session_cache_database = lmdb:$T/state/cache
tls_session_cache_timeout = 1h
$ids
EOF

# A throw-away P-256 certificate; the key is readable by the server's user (test only).
if ! openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
	-subj /CN=localhost -keyout "$T/key.pem" -out "$T/crt.pem" >"$T/req.log" 2>&1; then
	echo "not ok - setup: openssl req failed: $(tail -1 "$T/req.log")"
	exit 1
fi
chmod 0644 "$T/key.pem" "$T/crt.pem"

"$BUILD/tlsmgr" -f -c "$T/tlsmgr.conf" 2>"$T/daemon.log" &
DPID=$!
for _ in $(seq 100); do
	[ -f "$T/state/cache/data.mdb" ] && break
	kill -0 "$DPID" 2>/dev/null || break
	sleep 0.05
done
if [ ! -f "$T/state/cache/data.mdb" ]; then
	echo "not ok - setup: the daemon created no cache env: $(tail -2 "$T/daemon.log" | tr '\n' ' ')"
	exit 1
fi

# A port free now, from a range that depends on our pid.
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
PORT=$((20000 + $$ % 20000))
while ! port_free "$PORT"; do PORT=$((PORT + 1)); done

# start_server CACHE: starts the example server and waits until it accepts.
SLOG=$T/server.log
start_server() {
	: >"$SLOG"
	"${RUNAS[@]}" "$BUILD/example-server" -c "$T/tlsmgr.conf" -p "$PORT" -w "$WORKERS" \
		--cert "$T/crt.pem" --key "$T/key.pem" --cache "$1" --tickets off 2>"$SLOG" &
	SPID=$!
	for _ in $(seq 100); do
		grep -q "workers on" "$SLOG" && ! port_free "$PORT" && return 0
		kill -0 "$SPID" 2>/dev/null || break
		sleep 0.05
	done
	echo "not ok - setup: example-server --cache $1 did not start: $(tail -1 "$SLOG")"
	exit 1
}

stop_server() {
	kill "$SPID" 2>/dev/null
	wait "$SPID" 2>/dev/null
	SPID=
	cat "$SLOG" >>"$T/servers.log"
}

# sclient OUT SESSFILE ARGS...: one s_client connection. Its standard input stays open until
# it printed its New/Reused line (and, with -sess_out, wrote the session), then gets EOF.
sclient() {
	local out=$1 sess=$2
	shift 2
	: >"$out"
	{
		for _ in $(seq 200); do
			if grep -qE '^(New|Reused),' "$out" 2>/dev/null &&
				{ [ -z "$sess" ] || [ -s "$sess" ]; }; then
				break
			fi
			sleep 0.05
		done
	} | timeout 15 openssl s_client -connect "127.0.0.1:$PORT" -servername localhost "$@" \
		>"$out" 2>&1
}

# The worker that served a connection says so in its reply line.
served_by() { sed -n 's/^hello from worker \([0-9]*\).*/\1/p' "$1" | head -1; }

# round CACHE NAME: session on one worker, N reconnections. Sets FIRST (pid), REUSED (count),
# ELSEWHERE (resumed on another worker), WRONG (a connection failed), PIDS (distinct workers).
round() {
	local cache=$1 i pid
	start_server "$cache"
	rm -f "$T/sess"
	sclient "$T/c0" "$T/sess" -tls1_2 -no_ticket -sess_out "$T/sess"
	FIRST=$(served_by "$T/c0")
	REUSED=0 ELSEWHERE=0 WRONG='' PIDS=''
	if ! grep -q '^New,' "$T/c0" || [ -z "$FIRST" ] || [ ! -s "$T/sess" ]; then
		WRONG="first connection failed: $(grep -m1 -E 'New,|error|errno' "$T/c0")"
		stop_server
		return
	fi
	for i in $(seq "$N"); do
		sclient "$T/c$i" "" -tls1_2 -no_ticket -sess_in "$T/sess"
		pid=$(served_by "$T/c$i")
		if [ -z "$pid" ] || ! grep -qE '^(New|Reused),' "$T/c$i"; then
			WRONG="reconnection $i failed: $(grep -m1 -E 'error|errno' "$T/c$i")"
			continue
		fi
		case " $PIDS " in *" $pid "*) ;; *) PIDS="$PIDS $pid" ;; esac
		if grep -q '^Reused,' "$T/c$i"; then
			REUSED=$((REUSED + 1))
			[ "$pid" != "$FIRST" ] && ELSEWHERE=$((ELSEWHERE + 1))
		fi
	done
	SERVER_RESUMED=$(grep -c ': TLSv1.2 resumed$' "$SLOG")
	SERVER_RESUMED_ELSEWHERE=$(grep ': TLSv1.2 resumed$' "$SLOG" | grep -vc "^worker $FIRST:")
	stop_server
}

# --- shared cache: every reconnection resumes, on any worker ---------------------------------
round tlsmgr
t_reused=$REUSED
if [ -n "$WRONG" ]; then
	notok tlsmgr_cache_resumes_every_time "$WRONG"
elif [ "$REUSED" -ne "$N" ]; then
	notok tlsmgr_cache_resumes_every_time "only $REUSED/$N reconnections said Reused"
else
	ok tlsmgr_cache_resumes_every_time
fi
if [ -z "$WRONG" ] && [ "$ELSEWHERE" -gt 0 ] && [ "$SERVER_RESUMED_ELSEWHERE" -gt 0 ] &&
	[ "$SERVER_RESUMED" -eq "$REUSED" ]; then
	ok tlsmgr_cache_resumes_on_other_workers
else
	notok tlsmgr_cache_resumes_on_other_workers "session from worker $FIRST; resumed elsewhere" \
		"$ELSEWHERE (client) / $SERVER_RESUMED_ELSEWHERE (server log), workers seen:$PIDS"
fi
t_elsewhere=$ELSEWHERE

# --- per-process cache: resumes only where the session was made ------------------------------
round mbedtls
m_reused=$REUSED
if [ -n "$WRONG" ]; then
	notok mbedtls_cache_resumes_only_on_its_worker "$WRONG"
elif [ "$ELSEWHERE" -ne 0 ] || [ "$SERVER_RESUMED_ELSEWHERE" -ne 0 ]; then
	notok mbedtls_cache_resumes_only_on_its_worker "resumed on another worker: $ELSEWHERE"
elif [ "$REUSED" -eq "$N" ] && [ "$(echo $PIDS | wc -w)" -gt 1 ]; then
	notok mbedtls_cache_resumes_only_on_its_worker "all $N resumed over workers$PIDS"
else
	ok mbedtls_cache_resumes_only_on_its_worker
fi
echo "# resumed tlsmgr $t_reused/$N ($t_elsewhere on other workers) mbedtls $m_reused/$N" \
	"($WORKERS workers)"

# --- negative control, and the cache outliving the server ------------------------------------
start_server tlsmgr
rm -f "$T/sess"
sclient "$T/n0" "$T/sess" -tls1_2 -no_ticket -sess_out "$T/sess"
stop_server
start_server none
sclient "$T/n1" "" -tls1_2 -no_ticket -sess_in "$T/sess"
stop_server
if grep -q '^New,' "$T/n0" && grep -q '^New,' "$T/n1"; then
	ok restarted_without_cache_does_not_resume
else
	notok restarted_without_cache_does_not_resume \
		"$(grep -hE -m1 '^(New|Reused),|error' "$T/n0" "$T/n1" | tr '\n' ' ')"
fi
start_server tlsmgr
sclient "$T/n2" "" -tls1_2 -no_ticket -sess_in "$T/sess"
if grep -q '^Reused,' "$T/n2"; then
	ok tlsmgr_cache_outlives_server_restart
else
	notok tlsmgr_cache_outlives_server_restart "$(grep -m1 -E '^(New|Reused),|error' "$T/n2")"
fi

# --- gnutls-cli, both connections in one process ---------------------------------------------
g_ok=0
command -v gnutls-cli >/dev/null || g_ok=skip
for i in 1 2 3 4; do
	[ "$g_ok" = skip ] && break
	timeout 15 gnutls-cli --insecure --resume -p "$PORT" \
		--priority 'NORMAL:-VERS-ALL:+VERS-TLS1.2:%NO_TICKETS' 127.0.0.1 \
		</dev/null >"$T/g$i" 2>&1
	grep -q 'This is a resumed session' "$T/g$i" && g_ok=$((g_ok + 1))
done
if [ "$g_ok" = skip ]; then
	echo "skip - gnutls_cli_resumes_with_tlsmgr_cache: gnutls-cli is not installed"
elif [ "$g_ok" -eq 4 ]; then
	ok gnutls_cli_resumes_with_tlsmgr_cache
else
	notok gnutls_cli_resumes_with_tlsmgr_cache "$g_ok/4 resumed: $(grep -m1 -iE 'error|fail' "$T/g1")"
fi

# --- TLS 1.3 on mbedTLS 3.x builds: a plain handshake ----------------------------------------
if "$BUILD/tlsmgr" --version | grep -q 'mbedTLS 3\.'; then
	sclient "$T/t13" "" -tls1_3
	if grep -q '^New, TLSv1.3' "$T/t13" && [ -n "$(served_by "$T/t13")" ]; then
		ok tls13_handshake
	else
		notok tls13_handshake "$(grep -m1 -E '^(New|Reused),|error' "$T/t13")"
	fi
else
	echo "# no TLS 1.3 check: this build uses mbedTLS 2.28"
fi
stop_server

# Nothing in the server's log may look like key material.
if grep -qiE 'master|secret|[0-9a-f]{32}' "$T/servers.log" "$T/daemon.log"; then
	notok logs_hold_no_secrets "$(grep -m1 -iE 'master|secret|[0-9a-f]{32}' "$T/servers.log" "$T/daemon.log")"
else
	ok logs_hold_no_secrets
fi

exit $((fails > 0))
