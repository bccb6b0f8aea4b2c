#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# export_lighttpd.sh BUILD - ticket keys exported to the real Debian lighttpd (mod_mbedtls,
# ssl.stek-file, 4 workers), and taken by a second host from the first one's key file.
#
#   restart    openssl s_client makes a TLS 1.2 session with a ticket, lighttpd restarts, and
#              the ticket resumes on 19 of 20 reconnections; the same lighttpd without a
#              stek-file is measured alongside (its keys die with it: 0 of 20)
#   two hosts  two daemons with their own state directories, each feeding a lighttpd on its
#              own port; the second daemon takes its keys from the first one's tlsmgr: export
#              (tls_ticket_key_source): a ticket from host A resumes on host B 19 of 20 times,
#              against none while B makes keys of its own
#   rotation   with a 128 s key lifetime (a new key every 64 s, lighttpd's own pace): a ticket
#              made before lighttpd took the next key from the file still resumes after it,
#              while new tickets name the new key
# lighttpd and its mbedTLS do not depend on the mbedTLS tlsmgr is built with: the script runs
# in the mbedTLS 2.28 pass only.
set -u
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
itest_init export_lighttpd "${1:-}"
N=20

itest_debian_server export_lighttpd lighttpd openssl
moddir=$(lighttpd -V 2>/dev/null | sed -n 's/.*module directory: *//p')
[ -n "$moddir" ] || moddir=/usr/lib/lighttpd
if [ ! -f "$moddir/mod_mbedtls.so" ]; then
	itest_skip export_lighttpd "lighttpd-mod-mbedtls is not installed"
	exit 0
fi
itest_cert "$tmp"
mkdir -p "$tmp/www" "$tmp/lt" && echo hello >"$tmp/www/index.html"
chown "$user:$group" "$tmp/lt" # lighttpd opens its error log as the user it runs as
declare -A port # each lighttpd's port, by name

# daemon NAME LIFETIME [LINE...]: (re)starts daemon NAME on $shm/NAME, its exports in
# $shm/NAME/out (owned by the daemon's user), verbose; pid in dpid_NAME.
daemon() {
	local name=$1 life=$2 conf=$tmp/$1.conf from pid
	shift 2
	eval "pid=\${dpid_$name:-}"
	if [ -n "$pid" ]; then
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	fi
	mkdir -p "$shm/$name/out"
	chown "$user:$group" "$shm/$name/out"
	itest_base_conf "$conf" "tls_ticket_key_lifetime = $life" "$@"
	sed -i "s|^state_directory = .*|state_directory = $shm/$name/state|" "$conf"
	from=$(stat -c %s "$tmp/$name.log" 2>/dev/null || echo 0)
	"$bin" -f -v -c "$conf" >>"$tmp/$name.log" 2>&1 &
	eval "dpid_$name=$!"
	if ! itest_wait_log "$tmp/$name.log" ' started ' 100 "$from"; then
		echo "not ok - setup: daemon $name did not start: $(tail -2 "$tmp/$name.log" | tr '\n' ' ')"
		exit 1
	fi
}

# lighttpd_start NAME [STEK]: (re)starts lighttpd NAME (4 workers) on a free port, with
# ssl.stek-file STEK when given; sets port[NAME].
lighttpd_start() {
	lighttpd_stop "$1"
	if ! itest_listen lighttpd_spawn "$@"; then
		echo "not ok - setup: lighttpd $1 did not start: $(cat "$tmp/lt/$1.log" "$tmp/lighttpd-$1.out" 2>&1 | tail -n 3 | tr '\n' ' ')"
		exit 1
	fi
	port[$1]=$listen_port
}

# lighttpd_spawn NAME [STEK]: starts lighttpd NAME on listen_port (see itest_listen). It runs
# in a session of its own: lighttpd signals its whole process group when it stops.
lighttpd_spawn() {
	local name=$1 stek=${2:-} conf=$tmp/lighttpd-$1.conf
	{
		echo "server.modules = (\"mod_mbedtls\")"
		echo "server.module-directory = \"$moddir\""
		echo "server.document-root = \"$tmp/www\""
		echo "server.bind = \"127.0.0.1\""
		echo "server.port = $listen_port"
		echo "server.max-worker = 4"
		echo "server.pid-file = \"$tmp/lighttpd-$name.pid\""
		echo "server.errorlog = \"$tmp/lt/$name.log\""
		[ "$(id -u)" = 0 ] && echo "server.username = \"$user\"" &&
			echo "server.groupname = \"$group\""
		echo "ssl.engine = \"enable\""
		echo "ssl.pemfile = \"$tmp/crt.pem\""
		echo "ssl.privkey = \"$tmp/key.pem\""
		[ -z "$stek" ] || echo "ssl.stek-file = \"$stek\""
	} >"$conf"
	setsid lighttpd -D -f "$conf" >>"$tmp/lighttpd-$name.out" 2>&1 &
	listen_pid=$!
	eval "lpid_$name=$!"
}

# lighttpd_stop NAME: stops lighttpd NAME, through its pid file (setsid may have forked), and
# waits until it has gone.
lighttpd_stop() {
	local pid
	eval "pid=\${lpid_$1:-}"
	[ -n "$pid" ] || return 0
	pid=$(cat "$tmp/lighttpd-$1.pid" 2>/dev/null) && kill "$pid" 2>/dev/null
	for _ in $(seq 100); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	eval "lpid_$1="
}

# session PORT FILE: a new TLS 1.2 session with a ticket, saved in FILE; 1 if none came.
session() {
	rm -f "$2"
	itest_get "$tmp/s.out" "$2" "$1" -tls1_2 -sess_out "$2"
	grep -q '^New,' "$tmp/s.out" && [ -s "$2" ] && ticket_name "$2" >/dev/null
}

# ticket_name FILE: the first 4 bytes of the ticket in session FILE, which mbedTLS uses as the
# key's name (libtlsmgr too).
ticket_name() {
	openssl sess_id -in "$1" -noout -text 2>/dev/null |
		sed -n '/TLS session ticket:/{n;s/^ *0000 - \([0-9a-f][0-9a-f]\) \([0-9a-f][0-9a-f]\) \([0-9a-f][0-9a-f]\) \([0-9a-f][0-9a-f]\).*/\1\2\3\4/p}' | grep .
}

# resumes PORT FILE: how many of N reconnections with session FILE resume.
resumes() {
	local n=0
	for _ in $(seq "$N"); do
		itest_get "$tmp/r.out" "" "$1" -tls1_2 -sess_in "$2"
		grep -q '^Reused,' "$tmp/r.out" && n=$((n + 1))
	done
	echo "$n"
}

# --- one host: a ticket survives a restart of lighttpd --------------------------------------
daemon a 1h "tls_ticket_key_export = lighttpd:$shm/a/out/stek tlsmgr:$shm/a/out/keys"
if ! grep -q "wrote 1 key(s) to $shm/a/out/stek" "$tmp/a.log" || [ ! -s "$shm/a/out/keys" ]; then
	echo "not ok - setup: no key files: $(grep -E 'export|wrote' "$tmp/a.log" | tail -2)"
	exit 1
fi
lighttpd_start a "$shm/a/out/stek"
lighttpd_start peer
restart_share() { # restart_share NAME [STEK]: sets resumed (of N) after a restart
	if ! session "${port[$1]}" "$tmp/$1.sess"; then
		resumed="no session: $(grep -m1 -iE 'error|errno' "$tmp/s.out")"
		return
	fi
	lighttpd_start "$@"
	resumed=$(resumes "${port[$1]}" "$tmp/$1.sess")
}
restart_share a "$shm/a/out/stek"
with=$resumed
restart_share peer
without=$resumed
if [ "$with" -ge $((N - 1)) ] 2>/dev/null; then
	itest_ok lighttpd_ticket_survives_restart
else
	itest_fail lighttpd_ticket_survives_restart "$with/$N resumed"
fi
if [ "$without" -le 1 ] 2>/dev/null; then
	itest_ok lighttpd_without_stek_file_forgets_tickets
else
	itest_fail lighttpd_without_stek_file_forgets_tickets "$without/$N resumed without a stek-file"
fi
echo "# lighttpd restart: resumed $with/$N with tlsmgr's stek-file, $without/$N without"

# --- two hosts: B takes A's keys ---------------------------------------------------------------
daemon b 1h "tls_ticket_key_export = lighttpd:$shm/b/out/stek"
lighttpd_start b "$shm/b/out/stek"
session "${port[a]}" "$tmp/ab.sess" || echo "# no session from host A"
alone=$(resumes "${port[b]}" "$tmp/ab.sess")
daemon b 1h "tls_ticket_key_export = lighttpd:$shm/b/out/stek" \
	"tls_ticket_key_source = file:$shm/a/out/keys"
if grep -q "took 2 keys from $shm/a/out/keys" "$tmp/b.log" &&
	cmp -s "$shm/a/out/stek" "$shm/b/out/stek"; then
	itest_ok second_host_imports_the_first_hosts_keys
else
	itest_fail second_host_imports_the_first_hosts_keys "$(grep -m1 'ticket key' "$tmp/b.log")"
fi
lighttpd_start b "$shm/b/out/stek"
shared=$(resumes "${port[b]}" "$tmp/ab.sess")
if [ "$shared" -ge $((N - 1)) ] 2>/dev/null && [ "$alone" -le 1 ] 2>/dev/null; then
	itest_ok ticket_from_host_a_resumes_on_host_b
else
	itest_fail ticket_from_host_a_resumes_on_host_b "$shared/$N with the import, $alone/$N without"
fi
echo "# two hosts: a ticket of host A resumed $shared/$N on host B importing A's keys," \
	"$alone/$N while B made its own"
lighttpd_stop b
lighttpd_stop peer

# --- rotation: lighttpd takes the next key at a multiple of 64 s ------------------------------
rm -rf "$shm/r"
daemon r 128s "tls_ticket_key_export = lighttpd:$shm/r/out/stek"
lighttpd_start r "$shm/r/out/stek"
session "${port[r]}" "$tmp/r1.sess"
first=$(ticket_name "$tmp/r1.sess")
# The daemon writes the next key TICKET_LIGHTTPD_LEAD (4) s before the multiple of 64 s at which
# lighttpd takes it: wait for that write, then for lighttpd's turn.
writes=$(grep -c "wrote 1 key(s) to $shm/r/out/stek" "$tmp/r.log")
for _ in $(seq 1400); do
	[ "$(grep -c "wrote 1 key(s) to $shm/r/out/stek" "$tmp/r.log")" -gt "$writes" ] && break
	sleep 0.1
done
# Any second from 2 to 31 of the cycle: a loaded machine may not wake within second 2 itself.
until [ $(($(date +%s) % 64)) -ge 2 ] && [ $(($(date +%s) % 64)) -lt 32 ]; do sleep 0.2; done
session "${port[r]}" "$tmp/r2.sess"
second=$(ticket_name "$tmp/r2.sess")
after=$(resumes "${port[r]}" "$tmp/r1.sess")
if [ -n "$first" ] && [ -n "$second" ] && [ "$first" != "$second" ] &&
	[ "$after" -ge $((N - 1)) ]; then
	itest_ok lighttpd_ticket_survives_a_rotation
else
	itest_fail lighttpd_ticket_survives_a_rotation "key $first then $second; old ticket resumed $after/$N"
fi
echo "# rotation: a ticket of the previous key resumed $after/$N after lighttpd took the next one"
lighttpd_stop r
lighttpd_stop a

if grep -qiE '[0-9a-f]{32}|[A-Za-z0-9+/]{40}' "$tmp"/a.log "$tmp"/b.log "$tmp"/r.log; then
	itest_fail logs_hold_no_keys "$(grep -m1 -hiE '[0-9a-f]{32}|[A-Za-z0-9+/]{40}' "$tmp"/?.log)"
else
	itest_ok logs_hold_no_keys
fi
itest_done
