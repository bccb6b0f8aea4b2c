#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# http.sh BUILD - the example server answers real HTTPS clients like a web server: curl,
# openssl s_client, openssl s_time and gnutls-cli get "HTTP/1.0 200 OK" and a page naming the
# worker and how the session was made (new, resumed by session ID, resumed by ticket), anything
# but a GET gets 400, a request that does not end in time gets 400, and every connection ends
# with close_notify both ways, so that a client that sends its own close_notify right after its
# request still reads the whole answer, without a reset.
#
# The real daemon keeps the cache env in a temporary state directory. Server A: 2 workers,
# --cache tlsmgr, tickets off (session IDs shared by the workers). Server B: 1 worker, no cache,
# --tickets local (a ticket resumes only on the process that issued it). TLS 1.3 runs on
# mbedTLS 3.x builds only. s_time runs 2 s per mode; its figures are printed, never checked.
set -u
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
itest_init http "${1:-}"

itest_need_example http openssl curl
tls13=
"$bin" --version | grep -q 'mbedTLS 3\.' && tls13=yes

itest_base_conf "$tmp/tlsmgr.conf" "tls_session_cache_database = lmdb:$tmp/state/cache" \
	"tls_session_cache_timeout = 1h"
itest_cert "$tmp"
if ! itest_start_daemon "$tmp/tlsmgr.conf" "$tmp/daemon.log"; then
	echo "not ok - setup: the daemon did not start: $(tail -2 "$tmp/daemon.log" | tr '\n' ' ')"
	exit 1
fi

itest_start_example "$tmp/a.log" -c "$tmp/tlsmgr.conf" -w 2 --cache tlsmgr --tickets off
A=$example_port a_pid=$example_pid
itest_start_example "$tmp/b.log" -w 1 --cache none --tickets local
B=$example_port b_pid=$example_pid

# served LOG N: waits until the server has logged N connections (it logs one when the
# connection is closed, maybe after the client has exited).
served() {
	for _ in $(seq 100); do
		[ "$(grep -c '^worker [0-9]*: TLS' "$1")" -ge "$2" ] && return 0
		sleep 0.05
	done
	return 1
}

# page FILE: the page line of the example server in FILE.
page() { grep -m1 -E '^worker [0-9]+: ' "$1"; }

# --- a client that sends its headers slowly: cut off at the deadline, not per read ----------
# One header line a second: a timeout per read would never fire. The writer notes at which line
# the server's 400 had come: it must come while the client is still sending.
{
	printf 'GET / HTTP/1.0\r\n'
	for i in $(seq 20); do
		sleep 1
		if grep -q '^HTTP/1.0 400 ' "$tmp/slow" 2>/dev/null; then
			echo "$i" >"$tmp/slow.at"
			break
		fi
		printf 'X-Slow: %d\r\n' "$i"
	done
} | timeout 30 openssl s_client -quiet -connect "127.0.0.1:$A" >"$tmp/slow" 2>&1 &
slow_pid=$!

# --- curl: TLS 1.2, TLS 1.3 (3.x), HTTP/1.1 requests -----------------------------------------
# curl_page NAME VERSION ARG...: curl gets 200 and a page for a new session of that version.
curl_page() {
	local name=$1 version=$2 body
	shift 2
	if ! timeout 15 curl -sS -k "$@" -D "$tmp/$name.h" -o "$tmp/$name.b" \
		"https://127.0.0.1:$A/" 2>"$tmp/$name.err"; then
		itest_fail "$name" "curl failed: $(head -1 "$tmp/$name.err")"
		return
	fi
	body=$(cat "$tmp/$name.b")
	echo "# curl $version: $body"
	if head -1 "$tmp/$name.h" | grep -q '^HTTP/1.0 200 OK' &&
		echo "$body" | grep -qE "^worker [0-9]+: $version, new session\$"; then
		itest_ok "$name"
	else
		itest_fail "$name" "$(head -1 "$tmp/$name.h" | tr -d '\r') / $body"
	fi
}
curl_page curl_tls12_page TLSv1.2 --tlsv1.2 --tls-max 1.2
if [ -n "$tls13" ]; then
	curl_page curl_tls13_page TLSv1.3 --tlsv1.3
else
	echo "# no TLS 1.3 check: this build uses mbedTLS 2.28"
fi
code=$(timeout 15 curl -sS -k -X POST -o /dev/null -w '%{http_code}' "https://127.0.0.1:$A/" 2>&1)
if [ "$code" = 400 ]; then
	itest_ok curl_post_gets_400
else
	itest_fail curl_post_gets_400 "got $code"
fi

# --- raw requests through s_client: what is not a GET gets 400 ------------------------------
# raw NAME REQUEST: sends REQUEST (printf format) and reads until the server closes.
raw() {
	# shellcheck disable=SC2059 # the request is a printf format on purpose (\r\n)
	printf "$2" | timeout 15 openssl s_client -quiet -connect "127.0.0.1:$A" >"$tmp/$1" 2>&1
}
raw r_http10 'GET /index.html HTTP/1.0\r\nHost: x\r\n\r\n'
raw r_http2 'GET / HTTP/2.0\r\n\r\n'
raw r_head 'HEAD / HTTP/1.0\r\n\r\n'
raw r_junk 'hello\r\n\r\n'
raw r_long "GET / HTTP/1.0\\r\\nX-Long: $(head -c 3000 /dev/zero | tr '\0' a)\\r\\n\\r\\n"
bad=
grep -q '^HTTP/1.0 200 OK' "$tmp/r_http10" || bad="$bad GET-HTTP/1.0"
for r in r_http2 r_head r_junk r_long; do
	grep -q '^HTTP/1.0 400 Bad Request' "$tmp/$r" || bad="$bad ${r#r_}"
done
if [ -z "$bad" ]; then
	itest_ok only_get_gets_200
else
	itest_fail only_get_gets_200 "wrong answer to:$bad"
fi

# --- the page says how the session was made, as the client saw it ---------------------------
# resumes NAME PORT EXPECT_NEW EXPECT_RESUMED ARG...: s_client saves a session and comes back
# with it; both pages must say what s_client's New/Reused lines say.
resumes() {
	local name=$1 port=$2 new=$3 resumed=$4
	shift 4
	rm -f "$tmp/$name.sess"
	itest_get "$tmp/$name.0" "$tmp/$name.sess" "$port" "$@" -sess_out "$tmp/$name.sess"
	itest_get "$tmp/$name.1" "" "$port" "$@" -sess_in "$tmp/$name.sess"
	if grep -q '^New,' "$tmp/$name.0" && grep -q '^HTTP/1.0 200 OK' "$tmp/$name.0" &&
		page "$tmp/$name.0" | grep -qE ": $new\$" &&
		grep -q '^Reused,' "$tmp/$name.1" && page "$tmp/$name.1" | grep -qE ": $resumed\$"; then
		itest_ok "$name"
	else
		itest_fail "$name" "$(grep -hE -m1 '^(New|Reused),' "$tmp/$name.0" "$tmp/$name.1" |
			tr '\n' ' ')/ $(page "$tmp/$name.0") / $(page "$tmp/$name.1")"
	fi
}
resumes page_says_resumed_by_session_id "$A" 'TLSv1.2, new session' \
	'TLSv1.2, resumed by session ID' -tls1_2 -no_ticket
resumes page_says_resumed_by_ticket_tls12 "$B" 'TLSv1.2, new session, ticket issued' \
	'TLSv1.2, resumed by ticket' -tls1_2
if [ -n "$tls13" ]; then
	resumes page_says_resumed_by_ticket_tls13 "$B" 'TLSv1.3, new session, ticket issued' \
		'TLSv1.3, resumed by ticket' -tls1_3
fi
# Negative control: server B has no cache, so a session without a ticket does not resume.
rm -f "$tmp/nt.sess"
itest_get "$tmp/nt.0" "$tmp/nt.sess" "$B" -tls1_2 -no_ticket -sess_out "$tmp/nt.sess"
itest_get "$tmp/nt.1" "" "$B" -tls1_2 -no_ticket -sess_in "$tmp/nt.sess"
if grep -q '^New,' "$tmp/nt.1" && page "$tmp/nt.1" | grep -qE ': TLSv1.2, new session$'; then
	itest_ok page_says_new_when_not_resumed
else
	itest_fail page_says_new_when_not_resumed "$(grep -m1 -E '^(New|Reused),' "$tmp/nt.1") /" \
		"$(page "$tmp/nt.1")"
fi

# --- gnutls-cli sends its close_notify right after the request, then reads ------------------
# It must read the whole answer and the server's close_notify, and see no error or reset; the
# server must see its close_notify, or its end of stream when the answer came first.
if command -v gnutls-cli >/dev/null; then
	before=$(grep -c '^worker [0-9]*: TLS' "$tmp/a.log")
	bad=
	for i in 1 2 3 4 5; do
		printf 'GET / HTTP/1.0\r\n\r\n' | timeout 15 gnutls-cli --insecure -p "$A" 127.0.0.1 \
			>"$tmp/g$i" 2>&1
		rc=$?
		if [ "$rc" -ne 0 ] || ! grep -q '^HTTP/1.0 200 OK' "$tmp/g$i" ||
			! grep -q 'Peer has closed the GnuTLS connection' "$tmp/g$i" ||
			grep -qiE 'error|reset|broken pipe' "$tmp/g$i"; then
			bad="$bad #$i (exit $rc: $(grep -m1 -iE 'error|reset|pipe' "$tmp/g$i"))"
		fi
	done
	served "$tmp/a.log" $((before + 5))
	closed=$(grep '^worker [0-9]*: TLS' "$tmp/a.log" | sed -n "$((before + 1)),$((before + 5))p" |
		grep -cE '; answered 200; (close_notify received|no close_notify \(end of stream\))$')
	if [ -z "$bad" ] && [ "$closed" -eq 5 ]; then
		itest_ok close_notify_both_ways_no_reset
	else
		itest_fail close_notify_both_ways_no_reset "clients:${bad:- ok}; server: $closed/5 clean"
	fi
	echo "# gnutls-cli: $(page "$tmp/g1")"
else
	itest_skip close_notify_both_ways_no_reset "gnutls-cli is not installed"
fi

# --- openssl s_time -www / for a short run ---------------------------------------------------
# stime NAME PORT MODE: 2 s of s_time; prints its figures; ok when it ran without error, every
# connection read a page and the server answered at least as many requests.
stime() {
	local name=$1 port=$2 mode=$3 log=$4 before n bytes
	before=$(grep -c '; answered 200;' "$log")
	timeout 30 openssl s_time -connect "127.0.0.1:$port" -www / "$mode" -time 2 \
		>"$tmp/$name" 2>&1
	rc=$?
	n=$(sed -n 's/^\([0-9]*\) connections in [0-9]* real seconds.*/\1/p' "$tmp/$name" | head -1)
	bytes=$(sed -n 's/.* real seconds, \([0-9]*\) bytes read per connection.*/\1/p' "$tmp/$name" |
		head -1)
	echo "# s_time $mode: $(grep -m1 'connections/user sec' "$tmp/$name");" \
		"$(grep -m1 'real seconds' "$tmp/$name")"
	served "$log" "$((before + ${n:-0}))"
	if [ "$rc" -eq 0 ] && [ "${n:-0}" -gt 0 ] && [ "${bytes:-0}" -gt 0 ] &&
		[ "$(grep -c '; answered 200;' "$log")" -ge $((before + n)) ]; then
		itest_ok "$name"
	else
		itest_fail "$name" "exit $rc, ${n:-no} connections, ${bytes:-no} bytes each:" \
			"$(grep -m1 -iE 'error|errno' "$tmp/$name")"
	fi
}
a_clean=$(grep -c '^worker [0-9]*: TLS' "$tmp/a.log")
b_clean=$(grep -c '^worker [0-9]*: TLS' "$tmp/b.log")
stime s_time_new "$A" -new "$tmp/a.log"
stime s_time_reuse "$B" -reuse "$tmp/b.log"
# On server B's one worker, every reconnection resumes by ticket.
marks=$(sed -n '/^starting/{n;p}' "$tmp/s_time_reuse" | head -1)
r=$(printf '%s' "$marks" | tr -cd r | wc -c)
if [ "$r" -gt 0 ] && grep -q ', resumed by ticket; answered 200;' "$tmp/b.log"; then
	itest_ok s_time_reuse_resumes_by_ticket
else
	itest_fail s_time_reuse_resumes_by_ticket "$r resumed of ${#marks}"
fi

# --- the slow client (started first) --------------------------------------------------------
wait "$slow_pid"
if [ -s "$tmp/slow.at" ] && grep -q 'answered 400' "$tmp/a.log"; then
	itest_ok slow_request_cut_off_at_deadline
else
	itest_fail slow_request_cut_off_at_deadline "$(grep -m1 -E '^HTTP|error' "$tmp/slow")"
fi

# Every client before s_time (which closes without close_notify) closed cleanly too: curl and
# s_client answer the server's close_notify.
kill "$a_pid" "$b_pid" 2>/dev/null
wait "$a_pid" "$b_pid" 2>/dev/null
unclean=$({
	grep '^worker [0-9]*: TLS' "$tmp/a.log" | head -n "$a_clean"
	grep '^worker [0-9]*: TLS' "$tmp/b.log" | head -n "$b_clean"
} | grep -vE '(close_notify received|no close_notify \(end of stream\))$')
if [ -z "$unclean" ]; then
	itest_ok clients_close_cleanly
else
	itest_fail clients_close_cleanly "$(echo "$unclean" | head -1)"
fi

itest_done
