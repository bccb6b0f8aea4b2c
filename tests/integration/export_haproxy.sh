#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# export_haproxy.sh BUILD - ticket keys exported to the real Debian HAProxy (OpenSSL):
#
#   restart   tls-ticket-keys from the daemon's export: a TLS 1.2 and a TLS 1.3 ticket made
#             before HAProxy restarts resume after it (19 of 20); the same HAProxy without the
#             file is measured alongside (its keys die with it)
#   socket    with a 40 s key lifetime the daemon pushes its keys at each rotation over
#             HAProxy's runtime socket (set ssl tls-key): after it HAProxy lists the keys of the file
#             (show tls-keys), encrypts under the new current key, and a ticket of the key
#             before still resumes, all without a restart
# HAProxy does not depend on the mbedTLS tlsmgr is built with: the mbedTLS 2.28 pass only.
set -u
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
itest_init export_haproxy "${1:-}"
N=20

itest_debian_server export_haproxy haproxy openssl python3
itest_cert "$tmp"
cat "$tmp/crt.pem" "$tmp/key.pem" >"$tmp/both.pem"
mkdir -p "$tmp/hs" && chown "$user:$group" "$tmp/hs" # the sockets, reachable by the daemon
declare -A port # each HAProxy's port, by name

# daemon NAME LIFETIME [LINE...]: (re)starts the daemon on $shm/NAME, verbose; exports go to
# $shm/NAME/out.
daemon() {
	local name=$1 life=$2 conf=$tmp/$1.conf
	shift 2
	itest_stop_daemon
	mkdir -p "$shm/$name/out"
	chown "$user:$group" "$shm/$name/out"
	itest_base_conf "$conf" "tls_ticket_key_lifetime = $life" "$@"
	sed -i "s|^state_directory = .*|state_directory = $shm/$name/state|" "$conf"
	if ! itest_start_daemon "$conf" "$tmp/$name.log" -v; then
		echo "not ok - setup: daemon $name did not start: $(tail -2 "$tmp/$name.log" | tr '\n' ' ')"
		exit 1
	fi
}

# haproxy_start NAME [KEYS]: (re)starts HAProxy NAME on a free port, with tls-ticket-keys KEYS
# when given, and its admin socket $tmp/hs/NAME.sock (owned by the daemon's user); sets
# port[NAME]. A port that connections in TIME-WAIT still hold is one HAProxy cannot bind:
# itest_listen takes another.
haproxy_start() {
	haproxy_stop "$1"
	if ! itest_listen haproxy_spawn "$@"; then
		echo "not ok - setup: haproxy $1 did not start: $(tail -n 3 "$tmp/haproxy-$1.log" | tr '\n' ' ')"
		exit 1
	fi
	port[$1]=$listen_port
}

# haproxy_spawn NAME [KEYS]: starts HAProxy NAME on listen_port (see itest_listen).
haproxy_spawn() {
	local name=$1 keys=${2:-} conf=$tmp/haproxy-$1.cfg
	cat >"$conf" <<-EOF
		global
		    stats socket $tmp/hs/$name.sock mode 600 user $user level admin
		defaults
		    mode http
		    timeout connect 5s
		    timeout client 10s
		    timeout server 10s
		frontend fe
		    bind 127.0.0.1:$listen_port ssl crt $tmp/both.pem${keys:+ tls-ticket-keys $keys}
		    http-request return status 200 content-type text/plain string ok
	EOF
	haproxy -db -f "$conf" >>"$tmp/haproxy-$name.log" 2>&1 &
	listen_pid=$!
	eval "hpid_$name=$!"
}

haproxy_stop() {
	local pid
	eval "pid=\${hpid_$1:-}"
	[ -n "$pid" ] || return 0
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	eval "hpid_$1="
}

# cli NAME COMMAND: COMMAND's answer on HAProxy NAME's socket.
cli() {
	python3 -c 'import socket,sys
s = socket.socket(socket.AF_UNIX); s.settimeout(5); s.connect(sys.argv[1])
s.sendall(sys.argv[2].encode() + b"\n"); out = b""
while True:
    d = s.recv(4096)
    if not d: break
    out += d
sys.stdout.write(out.decode())' "$tmp/hs/$1.sock" "$2"
}

# session PORT FILE VERSION: a new session with a ticket in FILE; 1 if none came.
session() {
	rm -f "$2"
	itest_get "$tmp/s.out" "$2" "$1" "$3" -sess_out "$2"
	grep -q '^New,' "$tmp/s.out" && [ -s "$2" ]
}

# ticket_name FILE: the 16-byte key name that starts the ticket in session FILE (hex).
ticket_name() {
	openssl sess_id -in "$1" -noout -text 2>/dev/null |
		sed -n '/TLS session ticket:/{n;s/^ *0000 - //;s/   .*//;s/[ -]//gp}' | head -1
}

# resumes PORT FILE VERSION: how many of N reconnections with session FILE resume.
resumes() {
	local n=0
	for _ in $(seq "$N"); do
		itest_get "$tmp/r.out" "" "$1" "$3" -sess_in "$2"
		grep -q '^Reused,' "$tmp/r.out" && n=$((n + 1))
	done
	echo "$n"
}

# --- restart -------------------------------------------------------------------------------------
daemon h 1h "tls_ticket_key_export = haproxy:$shm/h/out/keys"
haproxy_start h "$shm/h/out/keys"
haproxy_start peer
for v in tls1_2 tls1_3; do
	with=x without=x
	if session "${port[h]}" "$tmp/h.sess" "-$v" && session "${port[peer]}" "$tmp/p.sess" "-$v"; then
		haproxy_start h "$shm/h/out/keys"
		haproxy_start peer
		with=$(resumes "${port[h]}" "$tmp/h.sess" "-$v")
		without=$(resumes "${port[peer]}" "$tmp/p.sess" "-$v")
	fi
	if [ "$with" -ge $((N - 1)) ] 2>/dev/null && [ "$without" -le 1 ] 2>/dev/null; then
		itest_ok "haproxy_${v}_ticket_survives_restart"
	else
		itest_fail "haproxy_${v}_ticket_survives_restart" "$with/$N with the export, $without/$N without"
	fi
	echo "# HAProxy restart, $v: resumed $with/$N with tlsmgr's tls-ticket-keys, $without/$N without"
done
haproxy_stop peer
haproxy_stop h

# --- rotation over the runtime socket ----------------------------------------------------------
# A new key every 20 s: the checks after one rotation (20 connections) must end before the next
# one, which retires the first ticket's key, even on a loaded machine.
daemon s 40s "tls_ticket_key_export = haproxy:$shm/s/out/keys,socket=$tmp/hs/s.sock"
haproxy_start s "$shm/s/out/keys"
session "${port[s]}" "$tmp/s1.sess" -tls1_2
before=$(ticket_name "$tmp/s1.sess")
from=$(stat -c %s "$tmp/s.log")
if itest_wait_log "$tmp/s.log" "wrote 3 key(s) to $tmp/hs/s.sock" 600 "$from"; then
	listed=$(cli s "show tls-keys $shm/s/out/keys" | sed -n 's/^[0-9]*\.[0-9] //p')
	session "${port[s]}" "$tmp/s2.sess" -tls1_2
	after=$(ticket_name "$tmp/s2.sess")
	current=$(sed -n 2p "$shm/s/out/keys" | base64 -d | head -c 16 | od -An -tx1 | tr -d ' \n')
	old=$(resumes "${port[s]}" "$tmp/s1.sess" -tls1_2)
	if [ "$listed" = "$(cat "$shm/s/out/keys")" ] && [ "$after" = "$current" ] &&
		[ "$after" != "$before" ] && [ "$old" -ge $((N - 1)) ]; then
		itest_ok haproxy_socket_rotation_keeps_tickets
	else
		itest_fail haproxy_socket_rotation_keeps_tickets "key $before then $after (file: $current);" \
			"old ticket resumed $old/$N; HAProxy lists the file's keys: $([ "$listed" = "$(cat "$shm/s/out/keys")" ] && echo yes || echo no)"
	fi
	echo "# HAProxy socket rotation: a ticket of the previous key resumed $old/$N without a restart"
else
	itest_fail haproxy_socket_rotation_keeps_tickets "no key sent: $(grep -m1 's.sock' "$tmp/s.log")"
fi
# A socket that went away is logged once, then works again once it is back.
haproxy_stop s
from=$(stat -c %s "$tmp/s.log")
itest_wait_log "$tmp/s.log" "ticket export $tmp/hs/s.sock: " 600 "$from"
haproxy_start s "$shm/s/out/keys"
if itest_wait_log "$tmp/s.log" "$tmp/hs/s.sock works again" 600 "$from" &&
	[ "$(tail -c +$((from + 1)) "$tmp/s.log" | grep -c 's.sock: .*retry in')" -eq 1 ]; then
	itest_ok haproxy_socket_failure_logged_once_and_recovered
else
	itest_fail haproxy_socket_failure_logged_once_and_recovered "$(tail -c +$((from + 1)) "$tmp/s.log" | grep -m2 s.sock | tr '\n' ' ')"
fi
haproxy_stop s
itest_stop_daemon

if grep -qE '[A-Za-z0-9+/]{40}' "$tmp"/h.log "$tmp"/s.log; then
	itest_fail logs_hold_no_keys "$(grep -m1 -hE '[A-Za-z0-9+/]{40}' "$tmp"/h.log "$tmp"/s.log)"
else
	itest_ok logs_hold_no_keys
fi
itest_done
