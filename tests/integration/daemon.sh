#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# daemon.sh BUILD - the real tlsmgr binary: version, -n on good and bad files, start-up,
# signals (HUP with a bad file, USR1, TERM), refusal of a planted state directory.
set -u
build=$(cd "${1:-build}" && pwd)
bin=$build/tlsmgr
tmp=$(mktemp -d /tmp/tlsmgr-daemon.XXXXXX)
pid=
cleanup() {
    [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
bad=0
ok() { echo "ok - $1"; }
nok() { echo "not ok - $1: $2"; bad=1; }

if [ "$(id -u)" -eq 0 ]; then
    user=nobody
    group=$(id -gn nobody)
else
    user=$(id -un)
    group=$(id -gn)
fi
# Every file the daemon may write stays inside the temporary directory.
base="state_directory = $tmp/state
tls_random_seed_file = $tmp/seed/seed
tlsmgr_user = $user
tlsmgr_group = $group"
printf '%s\n' "$base" >"$tmp/good.conf"
chmod 0755 "$tmp"

out=$("$bin" --version)
case $out in "tlsmgr $(cat VERSION)"*) ok "version" ;; *) nok "version" "$out" ;; esac

out=$("$bin" -n -c "$tmp/good.conf" 2>&1)
[ $? -eq 0 ] && [ "$out" = "configuration OK" ] && ok "check-good-config" || nok "check-good-config" "$out"

# Each bad file: exit 2, FILE:LINE: parameter NAME: reason, and nothing created.
check_bad() {
    local name=$1 text=$2 want=$3 f=$tmp/$1.conf out status
    printf '%s\n%b' "$base" "$text" >"$f"
    out=$("$bin" -c "$f" -f 2>&1)
    status=$?
    if [ $status -ne 2 ]; then
        nok "bad-config/$name" "exit $status, expected 2: $out"
    elif [ "${out#*"$want"}" = "$out" ]; then
        nok "bad-config/$name" "message '$out' lacks '$want'"
    elif [ -e "$tmp/state" ]; then
        nok "bad-config/$name" "state directory created despite the error"
    else
        ok "bad-config/$name"
    fi
}
check_bad unknown 'tls_no_such = 1\n' "$tmp/unknown.conf:5: parameter tls_no_such: unknown parameter"
check_bad value 'tls_random_bytes = many\n' "$tmp/value.conf:5: parameter tls_random_bytes: not a number"
check_bad range 'tls_random_bytes = 0\n' "$tmp/range.conf:5: parameter tls_random_bytes: 0 out of range"
check_bad unit 'tls_random_reseed_period = 3y\n' "$tmp/unit.conf:5: parameter tls_random_reseed_period: bad time unit"
check_bad duplicate 'tls_random_bytes = 8\ntls_random_bytes = 9\n' "$tmp/duplicate.conf:6: parameter tls_random_bytes: duplicate (first set at line 5)"
check_bad overlong "tls_random_source = /$(head -c 2000 /dev/zero | tr '\0' a)\n" "$tmp/overlong.conf:5: parameter tls_random_source: line longer than"
check_bad nul 'tls_random_bytes\0 = 8\n' "$tmp/nul.conf:5: NUL byte in line"
check_bad source 'tls_random_source = smoke-signals\n' "parameter tls_random_source: unknown source"

out=$("$bin" -n -c "$tmp/missing.conf" 2>&1)
[ $? -eq 2 ] && [ "$out" = "tlsmgr: $tmp/missing.conf: cannot open: No such file or directory" ] &&
    ok "bad-config/missing-file" || nok "bad-config/missing-file" "$out"
mkdir "$tmp/dir.conf"
out=$("$bin" -n -c "$tmp/dir.conf" 2>&1)
[ $? -eq 2 ] && [ "${out#*not a regular file}" != "$out" ] && ok "bad-config/directory" ||
    nok "bad-config/directory" "$out"
if [ "$(id -u)" -ne 0 ]; then
    cp "$tmp/good.conf" "$tmp/unreadable.conf"
    chmod 000 "$tmp/unreadable.conf"
    out=$("$bin" -n -c "$tmp/unreadable.conf" 2>&1)
    [ $? -eq 2 ] && [ "${out#*Permission denied}" != "$out" ] && ok "bad-config/unreadable" ||
        nok "bad-config/unreadable" "$out"
else
    ln -s good.conf "$tmp/link.conf"
    out=$("$bin" -n -c "$tmp/link.conf" 2>&1)
    [ $? -eq 2 ] && [ "${out#*symbolic link}" != "$out" ] && ok "bad-config/symlink" ||
        nok "bad-config/symlink" "$out"
fi
if [ "$(id -u)" -eq 0 ]; then
    cp "$tmp/good.conf" "$tmp/writable.conf"
    chmod 0666 "$tmp/writable.conf"
    out=$("$bin" -n -c "$tmp/writable.conf" 2>&1)
    [ $? -eq 2 ] && [ "${out#*must be owned by root}" != "$out" ] && ok "bad-config/writable-by-others-as-root" ||
        nok "bad-config/writable-by-others-as-root" "$out"
fi
out=$("$bin" -x 2>&1)
[ $? -eq 2 ] && ok "bad-option" || nok "bad-option" "$out"

# A planted state directory: a symbolic link is refused before anything is written.
mkdir "$tmp/elsewhere"
ln -s "$tmp/elsewhere" "$tmp/state"
out=$(timeout 10 "$bin" -f -c "$tmp/good.conf" 2>&1)
status=$?
[ $status -eq 1 ] && [ "${out#*symbolic link}" != "$out" ] && [ -z "$(ls -A "$tmp/elsewhere")" ] &&
    ok "refuses-symlinked-state-directory" || nok "refuses-symlinked-state-directory" "exit $status: $out"
rm "$tmp/state"

# Start, signal, stop.
log=$tmp/daemon.log
"$bin" -f -c "$tmp/good.conf" 2>"$log" &
pid=$!
wait_for() {
    local tries=100
    while [ $tries -gt 0 ]; do
        tries=$((tries - 1))
        grep -q "$1" "$log" 2>/dev/null && return 0
        sleep 0.05
    done
    return 1
}
if wait_for "started"; then ok "starts"; else nok "starts" "$(tail -3 "$log")"; fi
mode=$(stat -c '%a %U' "$tmp/state" 2>/dev/null)
[ "$mode" = "750 $user" ] && ok "state-directory-0750-owned-by-daemon-user" ||
    nok "state-directory-0750-owned-by-daemon-user" "$mode"
if [ "$(id -u)" -eq 0 ]; then
    uid=$(awk '/^Uid:/ {print $2}' "/proc/$pid/status")
    [ "$uid" = "$(id -u "$user")" ] && ok "dropped-privileges" || nok "dropped-privileges" "uid $uid"
fi

kill -USR1 "$pid"
wait_for "statistics: uptime" && ok "sigusr1-logs-statistics" || nok "sigusr1-logs-statistics" "no statistics line"

cp "$tmp/good.conf" "$tmp/good.conf.bak"
printf 'tls_random_bytes = -1\n' >>"$tmp/good.conf"
kill -HUP "$pid"
if wait_for "reload refused, keeping the old configuration: $tmp/good.conf:5: parameter tls_random_bytes"; then
    kill -0 "$pid" 2>/dev/null && ok "sighup-bad-file-keeps-old-config" ||
        nok "sighup-bad-file-keeps-old-config" "daemon died"
else
    nok "sighup-bad-file-keeps-old-config" "$(tail -3 "$log")"
fi
cp "$tmp/good.conf.bak" "$tmp/good.conf"
kill -HUP "$pid"
wait_for "configuration reloaded" && ok "sighup-good-file-reloads" || nok "sighup-good-file-reloads" "$(tail -3 "$log")"

# Asleep between signals: no busy loop (CPU time stays near zero over a second).
t0=$(awk '{print $14 + $15}' "/proc/$pid/stat")
sleep 1
t1=$(awk '{print $14 + $15}' "/proc/$pid/stat")
[ $((t1 - t0)) -le 2 ] && ok "sleeps-when-idle" || nok "sleeps-when-idle" "$((t1 - t0)) ticks in 1 s"

kill -TERM "$pid"
wait "$pid"
status=$?
pid=
[ $status -eq 0 ] && grep -q "stopped" "$log" && ok "sigterm-clean-exit" || nok "sigterm-clean-exit" "exit $status"
exit $bad
