#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# mk/run-smoke.sh [SECONDS] - `make run-smoke`: `make run` as a user at a terminal uses it.
# make run starts in a process group of its own; SECONDS (default 10) after the daemon said
# it started, the whole group gets SIGINT, as a terminal's Ctrl-C sends it. Passes when the
# daemon logged its start and its clean exit and exited 0 (mk/run.sh prints its status); make's
# own status after Ctrl-C is make's business. The whole output is in build/run-smoke.log;
# its last lines are printed. Like make run, it installs missing build dependencies as root.
set -u
secs=${1:-10}
log=build/run-smoke.log
mkdir -p build
: >"$log"

# A background job of a shell without job control is no process group leader, so setsid
# does not fork: make's pid names the new group.
setsid make --no-print-directory run >"$log" 2>&1 </dev/null &
pid=$!
result=

# Start-up may install packages and build first: up to 15 minutes.
waited=0
until grep -q ' started (config ' "$log"; do
    if ! kill -0 "$pid" 2>/dev/null; then
        result="make run ended before the daemon started"
        break
    fi
    if [ "$waited" -ge 900 ]; then
        result="the daemon did not start within 900 s"
        break
    fi
    sleep 1
    waited=$((waited + 1))
done

if [ -z "$result" ]; then
    started=$waited
    sleep "$secs"
    if ! kill -0 "$pid" 2>/dev/null; then
        result="make run ended by itself within $secs s of the start"
    elif ! kill -INT "-$pid"; then
        result="cannot send SIGINT to process group $pid"
    fi
fi

# make, mk/run.sh and the daemon must be gone soon after; anything left is killed.
waited=0
while kill -0 "$pid" 2>/dev/null && [ "$waited" -lt 60 ]; do
    sleep 1
    waited=$((waited + 1))
done
if kill -0 "-$pid" 2>/dev/null; then
    kill -KILL "-$pid" 2>/dev/null
    result=${result:-"make run still ran 60 s after Ctrl-C (killed)"}
fi
wait "$pid" 2>/dev/null

if [ -z "$result" ]; then
    if ! grep -qx 'tlsmgr: stopped' "$log"; then
        result="the daemon did not log its clean exit (tlsmgr: stopped)"
    elif ! grep -qx 'make run: tlsmgr exited with status 0' "$log"; then
        result="the daemon did not exit 0: $(grep 'tlsmgr exited with status' "$log")"
    fi
fi

echo "--- $log: what make run installed, and its last lines"
grep -m 1 'installing missing' "$log"
grep -e '^make run: ' -e '^tlsmgr: ' "$log" | grep -v -e '^tlsmgr: cache' -e '^tlsmgr: egd' \
    -e '^tlsmgr: entropy' -e '^tlsmgr: random source' -e '^tlsmgr: statistics' \
    -e '^tlsmgr: exchange file' | tail -n 12
if [ -n "$result" ]; then
    echo "make run-smoke: FAILED: $result"
    exit 1
fi
echo "make run-smoke: ok: the daemon started (${started} s after make run began), stopped on" \
    "Ctrl-C ${secs} s later and exited 0"
