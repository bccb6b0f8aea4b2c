#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# cache_damage.sh BUILD - the session cache's env damaged under the running daemon and a
# running example server (4 pre-forked workers, --cache tlsmgr), the way a member of the TLS
# servers' group can damage it (data.mdb and lock.mdb are theirs to write): cut short (to
# 8192 bytes, by one page, lock.mdb to nothing), overwritten (random pages in data.mdb, zeros
# over lock.mdb) and unlinked, round after round, while three loops of openssl s_client make
# and resume TLS 1.2 sessions (two by session ID, one by ticket under the shared keys, which
# the daemon also exports to a key file). Counted: daemon deaths (must be 0), worker deaths
# (reported, with their signal; must be 0 too), repairs. Afterwards a new session must resume
# on every reconnection, by session ID and by ticket, the exported key file must follow the
# repaired env's keys, SIGUSR1 and tlsmgr -s must work; tlsmgr -s on a damaged env must say so.
# The env lives on tmpfs (where the daemon makes the shared ticket keys) whatever /tmp is;
# where no tmpfs can be had, the damage is tested all the same, without the ticket cases.
# Then a record whose overflow page number points past the end of data.mdb (MDB_PAGE_NOTFOUND
# for whoever reads it), planted before a start and under the running daemon: repaired with
# one log line, and the sweeps that follow log no error.
# Usage: bash tests/integration/cache_damage.sh BUILD   (from the repository top)
set -u
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
itest_init cache_damage "${1:-}"
PY="python3 $here/cache_entries.py"
ROUNDS=${CACHE_DAMAGE_ROUNDS:-20}

itest_need_example cache_damage openssl mdb_stat mdb_load mdb_dump python3

state=$tmp/state
KEYS=
if itest_tmpfs cache_damage; then
    state=$shm/state
    KEYS=$shm/out/keys
    mkdir "$shm/out" && chown "$user:$group" "$shm/out"
else
    echo "# no tmpfs directory (not root, no /dev/shm): no shared ticket keys, no export"
fi
ENV=$state/cache
CONF=$tmp/tlsmgr.conf
LOG=$tmp/daemon.log
SLOG=$tmp/server.log
itest_base_conf "$CONF" "tls_random_egd_socket =" "tls_session_cache_database = lmdb:$ENV" \
    "tls_session_cache_timeout = 1h" "tls_session_cache_sweep_period = 1s" \
    "${KEYS:+tls_ticket_key_export = tlsmgr:$KEYS}"
sed -i "s|^state_directory = .*|state_directory = $state|" "$CONF"
itest_cert "$tmp"
if ! itest_start_daemon "$CONF" "$LOG" || [ ! -f "$ENV/data.mdb" ]; then
    echo "not ok - setup: the daemon did not start: $(tail -2 "$LOG" | tr '\n' ' ')"
    exit 1
fi
itest_start_example "$SLOG" -c "$CONF" -w 4 --cache tlsmgr --tickets tlsmgr
PORT=$example_port
deaths=0

# alive: the daemon still runs; if it died, counted and started again.
alive() {
    kill -0 "$daemon_pid" 2>/dev/null && return 0
    wait "$daemon_pid" 2>/dev/null
    echo "# the daemon died (status $?): $(tail -3 "$LOG" | tr '\n' ' ')"
    deaths=$((deaths + 1))
    itest_start_daemon "$CONF" "$LOG"
    return 1
}

# --- handshake load: new sessions (stores) and resumptions (lookups) ------------------------
load() { # ID [s_client options]: until $tmp/stop exists; one line per handshake in $tmp/load.ID
    local id=$1 i=0 sess=$tmp/load$1.sess out=$tmp/load$1.out
    shift
    while [ ! -e "$tmp/stop" ]; do
        if [ $((i % 3)) = 0 ] || [ ! -s "$sess" ]; then
            rm -f "$sess"
            itest_get "$out" "$sess" "$PORT" -tls1_2 "$@" -sess_out "$sess"
        else
            itest_get "$out" "" "$PORT" -tls1_2 "$@" -sess_in "$sess"
        fi
        grep -m1 -oE '^(New|Reused),' "$out" >>"$tmp/load.$id" || echo failed >>"$tmp/load.$id"
        i=$((i + 1))
    done
}
# Two by session ID (the session cache), one by ticket (the shared ticket keys).
load 1 -no_ticket &
load_1=$!
load 2 -no_ticket &
load_2=$!
load 3 &
load_3=$!

# --- the damage, one kind per round -----------------------------------------------------------
psize() { mdb_stat -e "$ENV" 2>/dev/null | awk '/Page size:/ { print $3 }'; }
pages() { mdb_stat -e "$ENV" 2>/dev/null | awk '/Number of pages used:/ { print $5 }'; }
damage() { # KIND
    local ps n
    case $1 in
    cut_data) truncate -s 8192 "$ENV/data.mdb" ;;
    empty_data) truncate -s 0 "$ENV/data.mdb" ;;
    cut_data_one_page)
        ps=$(psize)
        n=$(pages)
        [ -n "$ps" ] && [ -n "$n" ] && truncate -s $(((n - 1) * ps)) "$ENV/data.mdb"
        ;;
    cut_lock) truncate -s 0 "$ENV/lock.mdb" ;;
    zero_pages)
        dd if=/dev/zero of="$ENV/data.mdb" bs=4096 seek=2 count=6 conv=notrunc 2>/dev/null
        ;;
    zero_meta)
        dd if=/dev/zero of="$ENV/data.mdb" bs=4096 count=2 conv=notrunc 2>/dev/null
        ;;
    zero_lock)
        dd if=/dev/zero of="$ENV/lock.mdb" bs="$(stat -c %s "$ENV/lock.mdb")" count=1 \
            conv=notrunc 2>/dev/null
        ;;
    unlink_data) rm -f "$ENV/data.mdb" ;;
    unlink_lock) rm -f "$ENV/lock.mdb" ;;
    cut_data_statistics)
        truncate -s 8192 "$ENV/data.mdb"
        kill -USR1 "$daemon_pid" 2>/dev/null
        # tlsmgr -s, another process, on the damaged env: says so, never dies of it. The signal
        # makes the daemon read its statistics too, find the damage and replace the env: -s
        # may come while the old env is moved aside and the new one not yet made, and then
        # finds no env (or an empty data.mdb), which it reports as such.
        "$bin" -c "$CONF" -s >"$tmp/s.out" 2>&1
        ps=$?
        if [ "$ps" -gt 128 ] || { [ "$ps" -ne 0 ] &&
            ! grep -q -e 'is damaged' -e 'unreadable: No such file or directory' "$tmp/s.out"; }; then
            echo "status $ps: $(tail -2 "$tmp/s.out" | tr '\n' ' ')" >>"$tmp/status.bad"
        fi
        ;;
    esac
}
kinds="cut_data cut_data_one_page empty_data cut_lock zero_pages zero_meta zero_lock
unlink_data unlink_lock cut_data_statistics"
sleep 1
round=0
while [ "$round" -lt "$ROUNDS" ]; do
    for kind in $kinds; do
        [ "$round" -lt "$ROUNDS" ] || break
        round=$((round + 1))
        damage "$kind"
        # One sweep period to find and repair it, and some more handshakes.
        sleep 1.2
        alive || echo "# after round $round ($kind)"
    done
done
touch "$tmp/stop"
wait "$load_1" "$load_2" "$load_3"
alive
repairs=$(grep -c 'moved aside\|; recreated' "$LOG")
worker_deaths=$(grep -c 'worker [0-9]* exited' "$SLOG")
hs=$(cat "$tmp"/load.[123] | wc -l)
reused=$(cat "$tmp"/load.[123] | grep -c Reused)
failed_hs=$(cat "$tmp"/load.[123] | grep -c failed)
echo "# $ROUNDS rounds of damage under $hs handshakes ($reused resumed, $failed_hs failed):" \
    "daemon deaths $deaths, worker deaths $worker_deaths, repairs $repairs"
grep 'worker [0-9]* exited' "$SLOG" | sed 's/^/# /'
if [ "$deaths" -eq 0 ]; then
    itest_ok daemon_never_dies
else
    itest_fail daemon_never_dies "$deaths deaths in $ROUNDS rounds"
fi
if [ "$worker_deaths" -eq 0 ]; then
    itest_ok workers_never_die
else
    itest_fail workers_never_die "$worker_deaths of 4 died: $(grep -m2 'exited' "$SLOG" | tr '\n' ' ')"
fi
if [ -s "$tmp/status.bad" ]; then
    itest_fail status_on_damaged_env "$(head -2 "$tmp/status.bad" | tr '\n' ' ')"
else
    itest_ok status_on_damaged_env
fi
if [ "$repairs" -ge $((ROUNDS / 2)) ]; then
    itest_ok damage_repaired
else
    itest_fail damage_repaired "$repairs repairs for $ROUNDS rounds"
fi

# --- afterwards: the cache works again -------------------------------------------------------
# A server that met damage tries its env again after TLSMGR_CACHE_CLIENT_RETRY_MS (5 s).
sleep 6
# resumes_afterwards CASE S_CLIENT_OPTION...: a new TLS 1.2 session, then 12 reconnections
# that must all resume (any of the 4 workers). On a loaded machine the last repair, and so the
# retry of the worker that met the damage last, may come later: tried again for 30 s at most.
resumes_afterwards() {
    local name=$1 i reused end=$((SECONDS + 30))
    shift
    while :; do
        reused=0
        itest_get "$tmp/c0" "$tmp/sess" "$PORT" -tls1_2 "$@" -sess_out "$tmp/sess"
        for i in $(seq 12); do
            itest_get "$tmp/c$i" "" "$PORT" -tls1_2 "$@" -sess_in "$tmp/sess"
            grep -q '^Reused,' "$tmp/c$i" && reused=$((reused + 1))
        done
        grep -q '^New,' "$tmp/c0" && [ "$reused" -eq 12 ] && break
        [ "$SECONDS" -lt "$end" ] || break
        sleep 1
    done
    if grep -q '^New,' "$tmp/c0" && [ "$reused" -eq 12 ]; then
        itest_ok "$name"
    else
        itest_fail "$name" "$reused/12 reconnections resumed" \
            "$(grep -m1 -E '^(New|Reused),|error' "$tmp/c0")"
    fi
}
resumes_afterwards resumption_works_afterwards -no_ticket
if [ -n "$KEYS" ]; then
    # By ticket: every worker decrypts it with the shared keys of the repaired env.
    resumes_afterwards ticket_resumption_works_afterwards
    # The exported file was written at start and again with the keys of repaired envs, and
    # never failed; it holds the slots of the env now (what tls_ticket_key_source reads).
    writes=$(grep -c "wrote [0-9] key(s) to $KEYS" "$LOG")
    # The records of the ticket DB (values of mdb_dump, in slot order) after the file's header.
    env_keys=$(timeout 10 mdb_dump -s ticket "$ENV" | sed '1,/^HEADER=END/d;/^DATA=END/,$d' |
        awk 'NR % 2 == 0 { printf "%s", $1 }')
    file_keys=$(tail -c +9 "$KEYS" | od -An -v -tx1 | tr -d ' \n')
    if [ "$writes" -ge 2 ] && [ -n "$env_keys" ] && [ "$env_keys" = "$file_keys" ] &&
        ! grep -q 'ticket export.*: ' "$LOG"; then
        itest_ok ticket_export_follows_repairs
    else
        itest_fail ticket_export_follows_repairs "$writes writes of $KEYS" \
            "$([ "$env_keys" = "$file_keys" ] || echo "(not the keys of the env)")" \
            "$(grep -m2 'ticket export' "$LOG" | tr '\n' ' ')"
    fi
fi
from=$(stat -c %s "$LOG")
kill -USR1 "$daemon_pid"
if itest_wait_log "$LOG" 'cache: entries' 100 "$from" &&
    "$bin" -c "$CONF" -s 2>&1 | grep -q '^entries: '; then
    itest_ok statistics_afterwards
else
    itest_fail statistics_afterwards "$(tail -c +$((from + 1)) "$LOG" | tail -3 | tr '\n' ' ')"
fi
itest_stop_example

# --- a record that points past the end of the file -------------------------------------------
HDR=$(timeout 10 mdb_dump -s meta "$ENV" >"$tmp/meta.dump" && $PY header "$tmp/meta.dump")
# far_page_case NAME FROM: checks the repair the daemon logged after byte FROM of its log.
far_page_case() {
    local from=$2 n
    if ! itest_wait_log "$LOG" 'moved aside' 100 "$from"; then
        itest_fail "$1" "no repair: $(tail -c +$((from + 1)) "$LOG" | tail -3 | tr '\n' ' ')"
        return
    fi
    sleep 2.5 # two more sweeps
    n=$(tail -c +$((from + 1)) "$LOG" | grep -c 'moved aside')
    if ! alive; then
        itest_fail "$1" "the daemon died"
    elif ! tail -c +$((from + 1)) "$LOG" | grep 'moved aside' | grep -q MDB_PAGE_NOTFOUND; then
        itest_fail "$1" "repaired for another reason: $(tail -c +$((from + 1)) "$LOG" | grep -m1 'moved aside')"
    elif [ "$n" -ne 1 ] || tail -c +$((from + 1)) "$LOG" | grep -q 'cache sweep: '; then
        itest_fail "$1" "$n repairs, or sweep errors: $(tail -c +$((from + 1)) "$LOG" | tail -4 | tr '\n' ' ')"
    elif ! "$bin" -c "$CONF" -s 2>&1 | grep -q '^entries: 0$'; then
        itest_fail "$1" "tlsmgr -s on the new env: $("$bin" -c "$CONF" -s 2>&1 | head -2 | tr '\n' ' ')"
    else
        itest_ok "$1"
    fi
}
if [ -z "$HDR" ]; then
    itest_fail far_page_at_start "no format record in meta"
else
    itest_stop_daemon
    $PY big "$HDR" "$(date +%s)" 40 $(($(date +%s) + 3600)) "$tmp/big" &&
        timeout 60 mdb_load -s session -f "$tmp/big.session" "$ENV" &&
        timeout 60 mdb_load -s expiry -f "$tmp/big.expiry" "$ENV"
    key=$(sed -n 17p "$tmp/big.live")
    if ! $PY farpage "$ENV/data.mdb" "$key" >/dev/null; then
        itest_fail far_page_at_start "no record of $key found to change"
    else
        from=$(stat -c %s "$LOG")
        itest_start_daemon "$CONF" "$LOG"
        far_page_case far_page_at_start "$from"
    fi
    # Under the running daemon: entries that expire in a few seconds, so that the expiry
    # walk reads them after the change.
    exp=$(($(date +%s) + 4))
    $PY big "$HDR" "$(date +%s)" 40 "$exp" "$tmp/big2" &&
        timeout 60 mdb_load -s session -f "$tmp/big2.session" "$ENV" &&
        timeout 60 mdb_load -s expiry -f "$tmp/big2.expiry" "$ENV"
    key=$(sed -n 17p "$tmp/big2.live")
    from=$(stat -c %s "$LOG")
    if ! $PY farpage "$ENV/data.mdb" "$key" >/dev/null; then
        itest_fail far_page_while_running "no record of $key found to change"
    else
        while [ "$(date +%s)" -le "$exp" ]; do sleep 0.2; done
        far_page_case far_page_while_running "$from"
    fi
fi

itest_stop_daemon
itest_done
