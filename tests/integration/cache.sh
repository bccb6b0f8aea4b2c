#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# cache.sh - the session cache with the real daemon and the real LMDB tools: the env's modes,
# a sweep that keeps every survivor byte for byte, a stale reader of a killed process cleared
# by the next sweep, kill -9 of the daemon in the middle of a big sweep, corrupt files planted
# before start, and tlsmgr -s.
# Usage: bash tests/integration/cache.sh BUILD   (from the repository top)
set -u
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
itest_init cache "${1:-}"
PY="python3 $here/cache_entries.py"

for tool in mdb_stat mdb_dump mdb_load python3; do
    if ! command -v $tool >/dev/null; then
        itest_skip cache "$tool not installed (lmdb-utils, python3)"
        exit 0
    fi
done

STATE=$tmp/state
ENV=$STATE/cache
CONF=$tmp/tlsmgr.conf
LOG=$tmp/daemon.log
itest_base_conf "$CONF" "tls_random_egd_socket =" "tls_session_cache_database = lmdb:cache" \
    "tls_session_cache_map_size = 256m" "tls_session_cache_max_entries = 1000000" \
    "tls_session_cache_sweep_period = 1s"

# start: the daemon, up with its cache env
start() { itest_start_daemon "$CONF" "$LOG" && [ -f "$ENV/data.mdb" ]; }
crash() {
    kill -9 "$daemon_pid" 2>/dev/null
    wait "$daemon_pid" 2>/dev/null
    daemon_pid=
}
# Waits until tlsmgr -s shows FIELD >= VALUE.
wait_stat() {
    for _ in $(seq 200); do
        v=$("$bin" -c "$CONF" -s 2>/dev/null | awk -v f="$1:" '$1 == f { print $2 }')
        [ -n "$v" ] && [ "$v" -ge "$2" ] && return 0
        sleep 0.05
    done
    return 1
}
stat_of() {
    "$bin" -c "$CONF" -s 2>/dev/null | awk -v f="$1:" '$1 == f { print $2 }'
}
load() { # PREFIX: the generated entries into the env (daemon stopped or running)
    timeout 60 mdb_load -s session -f "$1.session" "$ENV" &&
        timeout 60 mdb_load -s expiry -f "$1.expiry" "$ENV"
}
header() {
    timeout 10 mdb_dump -s meta "$ENV" >"$tmp/meta.dump" && $PY header "$tmp/meta.dump"
}

# --- 1. the daemon creates the env: modes, owner, tools, tlsmgr -s ----------------------------
if start; then
    m=$(stat -c '%a %U:%G' "$ENV" "$ENV/data.mdb" "$ENV/lock.mdb" | tr '\n' ' ')
    want="750 $user:$group 660 $user:$group 660 $user:$group "
    if [ "$m" != "$want" ]; then
        itest_fail env_created "modes/owners '$m', expected '$want'"
    elif ! timeout 10 mdb_stat -a "$ENV" | grep -q 'Status of session'; then
        itest_fail env_created "mdb_stat sees no session DB"
    elif ! timeout 10 mdb_stat -a "$ENV" | grep -q 'Status of ticket'; then
        itest_fail env_created "no ticket DB"
    else
        itest_ok env_created
    fi
    out=$("$bin" -c "$CONF" -s 2>&1)
    rc=$?
    if [ $rc = 0 ] && echo "$out" | grep -q '^entries: *0$' && echo "$out" | grep -q '^longest_txn_us:'; then
        itest_ok status_prints_stats
    else
        itest_fail status_prints_stats "rc $rc: $out"
    fi
else
    itest_fail env_created "daemon did not start: $(tail -3 "$LOG")"
fi

# --- 2. a sweep deletes expired, incompatible and malformed; survivors unchanged ---------------
HDR=$(header)
itest_stop_daemon
if [ -z "$HDR" ]; then
    itest_fail sweep_keeps_survivors "no format record in meta"
else
    NOW=$(date +%s)
    $PY gen "$HDR" "$NOW" 3000 1000 1 "$tmp/s1" && load "$tmp/s1"
    timeout 20 mdb_dump -s session "$ENV" >"$tmp/before.dump"
    start
    # Start-up scan, then the expiry walk.
    if ! wait_stat incompatible 2 || ! wait_stat expired 1000; then
        itest_fail sweep_keeps_survivors "no sweep seen: $("$bin" -c "$CONF" -s 2>&1 | tr "\n" " ") $(tail -5 "$LOG" | tr "\n" " ")"
    else
        timeout 20 mdb_dump -s session "$ENV" >"$tmp/after.dump"
        if ! r=$($PY survivors "$tmp/before.dump" "$tmp/after.dump" "$(date +%s)" "$HDR"); then
            itest_fail sweep_keeps_survivors "$r"
        elif [ "$(stat_of entries)" != 3000 ] || [ "$(stat_of expired)" != 1000 ] ||
            [ "$(stat_of incompatible)" != 2 ] || [ "$(stat_of malformed)" != 3 ]; then
            itest_fail sweep_keeps_survivors "counts: $("$bin" -c "$CONF" -s | tr '\n' ' ')"
        elif [ "$(timeout 10 mdb_stat -s expiry "$ENV" | awk '/Entries/ {print $2}')" != 3000 ]; then
            itest_fail sweep_keeps_survivors "expiry index not 3000 entries"
        else
            itest_ok sweep_keeps_survivors
        fi
    fi
fi

# --- SIGUSR1 logs the cache statistics -------------------------------------------------------
# The sweep's line comes after the cache's.
if itest_usr1 "$LOG" 'cache sweep: sweeps' && grep -q 'cache: entries 3000' "$LOG"; then
    itest_ok sigusr1_logs_cache_stats
else
    itest_fail sigusr1_logs_cache_stats "no statistics line: $(tail -3 "$LOG" | tr '\n' ' ')"
fi

# --- 3. kill -9 of a client holding a read txn: the next sweep clears its slot ----------------
mkfifo "$tmp/fifo"
# The sleeper only holds the FIFO open for reading and never reads: the reader blocks full.
# shellcheck disable=SC2217
sleep 30 <"$tmp/fifo" &
SLEEPER=$!
# No timeout wrapper: $! must be mdb_dump itself; the sleeper bounds it (SIGPIPE).
mdb_dump -s session "$ENV" >"$tmp/fifo" &
READER=$!
seen=""
for _ in $(seq 100); do
    if timeout 5 mdb_stat -r "$ENV" | awk '{print $1}' | grep -qx "$READER"; then
        seen=1
        break
    fi
    sleep 0.05
done
if [ -z "$seen" ]; then
    itest_fail stale_reader_cleared "the blocked mdb_dump never showed in mdb_stat -r"
else
    kill -9 "$READER"
    wait "$READER" 2>/dev/null
    kill "$SLEEPER" 2>/dev/null
    gone=""
    for _ in $(seq 60); do
        if ! timeout 5 mdb_stat -r "$ENV" | awk '{print $1}' | grep -qx "$READER"; then
            gone=1
            break
        fi
        sleep 0.1
    done
    if [ -z "$gone" ]; then
        itest_fail stale_reader_cleared "pid $READER still in the reader table after sweeps"
    elif ! grep -q 'stale reader' "$LOG"; then
        itest_fail stale_reader_cleared "slot vanished but the daemon did not clear it"
    else
        itest_ok stale_reader_cleared
    fi
fi
wait "$SLEEPER" 2>/dev/null

# --- 4. kill -9 of the daemon in the middle of a big sweep, then restart ---------------------
itest_stop_daemon
rm -rf "$ENV"
start && itest_stop_daemon
HDR=$(header)
NOW=$(date +%s)
$PY gen "$HDR" "$NOW" 60000 40000 0 "$tmp/big" && load "$tmp/big"
# kill_in_sweep: runs the daemon with -v, its output read here through a FIFO line by line, and
# kills it with SIGKILL right after the line of a step that deleted entries and has more to do,
# with no polling. The expiry walk of 40000 entries takes about 40 such steps; the daemon runs
# at the lowest CPU priority, so that on a loaded machine this reader, woken by the line, runs
# before the daemon goes on. Sets step to that line; 1 if the daemon ended without one.
kill_in_sweep() {
    local line
    step=
    rm -f "$tmp/v.fifo"
    mkfifo "$tmp/v.fifo"
    nice -n 19 "$bin" -f -v -c "$CONF" >"$tmp/v.fifo" 2>&1 &
    daemon_pid=$!
    exec 3<"$tmp/v.fifo" 4>>"$tmp/v.log"
    while IFS= read -r -t 120 line <&3; do
        printf '%s\n' "$line" >&4
        case $line in *"cache sweep: step "*" done, "[1-9]*" deleted "*"more to do"*)
            step=${line#*cache sweep: }
            step=${step%% in *}
            break
            ;;
        esac
    done
    crash
    exec 3<&- 4>&-
    [ -n "$step" ]
}
lost=""
for try in 1 2 3; do
    if ! kill_in_sweep; then
        lost="try $try: no sweep step that deleted entries: $(tail -3 "$tmp/v.log" | tr '\n' ' ')"
        break
    fi
    if ! timeout 10 mdb_stat -a "$ENV" >/dev/null; then
        lost="mdb_stat failed after kill -9 $try (after \"$step\")"
        break
    fi
    timeout 30 mdb_dump -s session "$ENV" >"$tmp/k.dump"
    if ! r=$($PY has "$tmp/k.dump" "$tmp/big.live"); then
        lost="after kill -9 $try (after \"$step\"): $r"
        break
    fi
    # In the middle of the sweep: some expired entries gone (by this kill or an earlier one),
    # some still there. A kill after the end proves nothing: the case fails.
    n=$($PY count "$tmp/k.dump")
    if [ "$n" -le 60000 ] || [ "$n" -ge 100000 ]; then
        lost="kill -9 $try (after \"$step\") did not land in the middle of a sweep: $n entries"
        break
    fi
    echo "# kill -9 $try right after \"$step\": $n entries left"
done
if [ -z "$lost" ]; then
    # A clean start: its sweep ends the expiry walk, and -v logs that end.
    from=$(stat -c %s "$LOG")
    if ! itest_start_daemon "$CONF" "$LOG" -v ||
        ! itest_wait_log "$LOG" "cache sweep: [0-9]* expired, .* deleted in" 400 "$from"; then
        lost="no sweep ended after the restarts: $(tail -3 "$LOG" | tr '\n' ' ')"
    else
        timeout 30 mdb_dump -s session "$ENV" >"$tmp/k.dump"
        n=$($PY count "$tmp/k.dump")
        if ! r=$($PY has "$tmp/k.dump" "$tmp/big.live"); then
            lost="after the sweep: $r"
        elif [ "$n" != 60000 ] || [ "$(stat_of entries)" != 60000 ]; then
            lost="$n entries ($(stat_of entries) counted) after the sweep, expected 60000"
        fi
    fi
fi
if [ -n "$lost" ]; then
    itest_fail kill9_mid_sweep_loses_nothing "$lost"
else
    itest_ok kill9_mid_sweep_loses_nothing
fi
itest_stop_daemon

# --- 5. corrupt files planted before start: moved aside, recreated, one log line --------------
corrupt_case() { # NAME, then a command that damages $ENV/data.mdb
    local name=$1
    shift
    itest_stop_daemon
    "$@"
    : >"$LOG"
    if ! start; then
        itest_fail "$name" "daemon did not start: $(tail -3 "$LOG")"
        return
    fi
    n=$(grep -c 'moved aside' "$LOG")
    if [ "$n" != 1 ]; then
        itest_fail "$name" "$n 'moved aside' lines: $(cat "$LOG")"
    elif [ ! -f "$STATE/cache.bad/data.mdb" ]; then
        itest_fail "$name" "no cache.bad"
    elif ! timeout 10 mdb_stat -s session "$ENV" >/dev/null; then
        itest_fail "$name" "mdb_stat fails on the new env"
    elif ! "$bin" -c "$CONF" -s >/dev/null 2>&1; then
        itest_fail "$name" "tlsmgr -s fails on the new env"
    else
        itest_ok "$name"
    fi
}
plant_random() { head -c 65536 /dev/urandom >"$ENV/data.mdb"; }
plant_truncated() { truncate -s 20000 "$ENV/data.mdb"; }
plant_format() {
    printf 'VERSION=3\nformat=bytevalue\ntype=btree\nHEADER=END\n %s\n %s\nDATA=END\n' \
        "$(printf format | od -An -tx1 | tr -d ' \n')" 584d4743010801007878787878000000 \
        >"$tmp/fmt.load"
    timeout 10 mdb_load -s meta -f "$tmp/fmt.load" "$ENV"
}
corrupt_case corrupt_random_recreated plant_random
$PY gen "$(header)" "$(date +%s)" 3000 0 0 "$tmp/c" && load "$tmp/c" # big enough to truncate
corrupt_case corrupt_truncated_recreated plant_truncated
corrupt_case corrupt_format_recreated plant_format
itest_stop_daemon

# --- 6. tlsmgr -s without a cache ------------------------------------------------------------
sed 's/^tls_session_cache_database.*/tls_session_cache_database = lmdb:nothere/' "$CONF" >"$tmp/no.conf"
out=$("$bin" -c "$tmp/no.conf" -s 2>&1)
rc=$?
if [ $rc = 1 ] && echo "$out" | grep -q 'cache .*nothere unreadable: '; then
    itest_ok status_without_cache
else
    itest_fail status_without_cache "rc $rc: $out"
fi

itest_done
