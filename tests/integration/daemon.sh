#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# daemon.sh BUILD - the real tlsmgr binary: version, -n on good and bad files, start-up,
# signals (HUP with a bad file, USR1, TERM), refusal of a planted state directory.
set -u
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
itest_init daemon "${1:-}"
itest_base_conf "$tmp/good.conf"

out=$("$bin" --version)
case $out in "tlsmgr $(cat VERSION)"*) itest_ok "version" ;; *) itest_fail "version" "$out" ;; esac

out=$("$bin" -n -c "$tmp/good.conf" 2>&1)
[ $? -eq 0 ] && [ "$out" = "configuration OK" ] && itest_ok "check-good-config" ||
    itest_fail "check-good-config" "$out"

# Each bad file: exit 2, FILE:LINE: NAME: reason, and nothing created.
check_bad() {
    local name=$1 text=$2 want=$3 f=$tmp/$1.conf out status
    { cat "$tmp/good.conf" && printf '%b' "$text"; } >"$f"
    out=$("$bin" -c "$f" -f 2>&1)
    status=$?
    if [ $status -ne 2 ]; then
        itest_fail "bad-config/$name" "exit $status, expected 2: $out"
    elif [ "${out#*"$want"}" = "$out" ]; then
        itest_fail "bad-config/$name" "message '$out' lacks '$want'"
    elif [ -e "$tmp/state" ]; then
        itest_fail "bad-config/$name" "state directory created despite the error"
    else
        itest_ok "bad-config/$name"
    fi
}
check_bad unknown 'tls_no_such = 1\n' "$tmp/unknown.conf:5: tls_no_such: unknown parameter"
check_bad value 'tls_random_bytes = many\n' "$tmp/value.conf:5: tls_random_bytes: not a number"
check_bad range 'tls_random_bytes = 0\n' "$tmp/range.conf:5: tls_random_bytes: 0 out of range"
check_bad unit 'tls_random_reseed_period = 3y\n' "$tmp/unit.conf:5: tls_random_reseed_period: bad unit"
check_bad duplicate 'tls_random_bytes = 8\ntls_random_bytes = 9\n' "$tmp/duplicate.conf:6: tls_random_bytes: duplicate of line 5"
check_bad overlong "tls_random_source = /$(head -c 2000 /dev/zero | tr '\0' a)\n" "$tmp/overlong.conf:5: tls_random_source: line longer than"
check_bad nul 'tls_random_bytes\0 = 8\n' "$tmp/nul.conf:5: NUL byte"
check_bad source 'tls_random_source = smoke-signals\n' "tls_random_source: unknown kind"

out=$("$bin" -n -c "$tmp/missing.conf" 2>&1)
[ $? -eq 2 ] && [ "$out" = "tlsmgr: $tmp/missing.conf: open: No such file or directory" ] &&
    itest_ok "bad-config/missing-file" || itest_fail "bad-config/missing-file" "$out"
# check_refused NAME FILE TEXT: tlsmgr -n -c FILE exits 2 with TEXT in its message.
check_refused() {
    local out
    out=$("$bin" -n -c "$2" 2>&1)
    [ $? -eq 2 ] && [ "${out#*"$3"}" != "$out" ] && itest_ok "$1" || itest_fail "$1" "$out"
}
mkdir "$tmp/dir.conf"
check_refused bad-config/directory "$tmp/dir.conf" "not a regular file"
if [ "$(id -u)" -ne 0 ]; then
    cp "$tmp/good.conf" "$tmp/unreadable.conf"
    chmod 000 "$tmp/unreadable.conf"
    check_refused bad-config/unreadable "$tmp/unreadable.conf" "Permission denied"
else
    ln -s good.conf "$tmp/link.conf"
    check_refused bad-config/symlink "$tmp/link.conf" "symbolic link"
fi
if [ "$(id -u)" -eq 0 ]; then
    cp "$tmp/good.conf" "$tmp/writable.conf"
    chmod 0666 "$tmp/writable.conf"
    check_refused bad-config/writable-by-others-as-root "$tmp/writable.conf" "not root's alone"
fi
out=$("$bin" -x 2>&1)
[ $? -eq 2 ] && itest_ok "bad-option" || itest_fail "bad-option" "$out"

# A planted state directory: a symbolic link is refused before anything is written.
mkdir "$tmp/elsewhere"
ln -s "$tmp/elsewhere" "$tmp/state"
out=$(timeout 10 "$bin" -f -c "$tmp/good.conf" 2>&1)
status=$?
[ $status -eq 1 ] && [ "${out#*symbolic link}" != "$out" ] && [ -z "$(ls -A "$tmp/elsewhere")" ] &&
    itest_ok "refuses-symlinked-state-directory" ||
    itest_fail "refuses-symlinked-state-directory" "exit $status: $out"
rm "$tmp/state"

# Start, signal, stop.
log=$tmp/daemon.log
if itest_start_daemon "$tmp/good.conf" "$log"; then
    itest_ok "starts"
else
    itest_fail "starts" "$(tail -3 "$log")"
fi
mode=$(stat -c '%a %U' "$tmp/state" 2>/dev/null)
[ "$mode" = "750 $user" ] && itest_ok "state-directory-0750-owned-by-daemon-user" ||
    itest_fail "state-directory-0750-owned-by-daemon-user" "$mode"
if [ "$(id -u)" -eq 0 ]; then
    uid=$(awk '/^Uid:/ {print $2}' "/proc/$daemon_pid/status")
    [ "$uid" = "$(id -u "$user")" ] && itest_ok "dropped-privileges" ||
        itest_fail "dropped-privileges" "uid $uid"
fi

itest_usr1 "$log" "statistics: uptime" && itest_ok "sigusr1-logs-statistics" ||
    itest_fail "sigusr1-logs-statistics" "no statistics line"

cp "$tmp/good.conf" "$tmp/good.conf.bak"
printf 'tls_random_bytes = -1\n' >>"$tmp/good.conf"
kill -HUP "$daemon_pid"
if itest_wait_log "$log" \
    "reload refused: $tmp/good.conf:5: tls_random_bytes"; then
    kill -0 "$daemon_pid" 2>/dev/null && itest_ok "sighup-bad-file-keeps-old-config" ||
        itest_fail "sighup-bad-file-keeps-old-config" "daemon died"
else
    itest_fail "sighup-bad-file-keeps-old-config" "$(tail -3 "$log")"
fi
cp "$tmp/good.conf.bak" "$tmp/good.conf"
kill -HUP "$daemon_pid"
itest_wait_log "$log" "reloaded $tmp/good.conf" && itest_ok "sighup-good-file-reloads" ||
    itest_fail "sighup-good-file-reloads" "$(tail -3 "$log")"

# Asleep between signals: no busy loop (CPU time stays near zero over a second).
t0=$(awk '{print $14 + $15}' "/proc/$daemon_pid/stat")
sleep 1
t1=$(awk '{print $14 + $15}' "/proc/$daemon_pid/stat")
[ $((t1 - t0)) -le 2 ] && itest_ok "sleeps-when-idle" ||
    itest_fail "sleeps-when-idle" "$((t1 - t0)) ticks in 1 s"

itest_stop_daemon
status=$?
[ $status -eq 0 ] && grep -q "stopped" "$log" && itest_ok "sigterm-clean-exit" ||
    itest_fail "sigterm-clean-exit" "exit $status"
itest_done
