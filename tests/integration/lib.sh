#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# lib.sh - what every integration script shares: the build directory, a private temporary
# directory removed at exit, case lines, the daemon's user and group, a base configuration that
# keeps every file the daemon writes inside the temporary directory, and starting, waiting for
# and stopping the real daemon. A script sources it and calls itest_init first:
#
#   # shellcheck source=tests/integration/lib.sh
#   . "$(dirname "$0")/lib.sh"
#   itest_init NAME "${1:-}"
#
# itest_init sets these globals (the scripts use them by these names):
#   build       absolute build directory (argument, default "build"), holding tlsmgr
#   bin         $build/tlsmgr
#   here        absolute directory of the scripts (for the Python helpers)
#   tmp         the temporary directory, mode 0755 so that a daemon that dropped to nobody
#               still reaches its files; removed at exit
#   user group  tlsmgr_user and tlsmgr_group: nobody and its group as root, else the caller's
#   daemon_pid  the daemon started by itest_start_daemon (empty when none runs)
#   failed      0, set to 1 by itest_fail; itest_done exits with it
# At exit (also on SIGINT/SIGTERM), every process the script started that still runs (the
# daemon, other background jobs, their children) gets SIGTERM, SIGKILL if it is still there after
# 5 s, and the temporary directory is removed.
#
# Run directly (tests/run runs every tests/integration/*.sh) it does nothing.

# itest_init NAME [BUILD]: the globals above, the temporary directory and the exit cleanup.
itest_init() {
    build=$(cd "${2:-build}" 2>/dev/null && pwd) || {
        echo "not ok - $1/setup: no build directory ${2:-build} (run make)"
        exit 1
    }
    bin=$build/tlsmgr
    if [ ! -x "$bin" ]; then
        echo "not ok - $1/setup: no $bin (run make)"
        exit 1
    fi
    # shellcheck disable=SC2034 # used by the scripts that run a Python helper
    here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
    daemon_pid=
    failed=0
    tmp=$(mktemp -d "${TMPDIR:-/tmp}/tlsmgr-$1.XXXXXX") || exit 1
    trap itest_cleanup EXIT
    trap 'exit 130' INT TERM
    chmod 0755 "$tmp"
    itest_user_group
}

itest_cleanup() {
    local p pids alive
    pids="$daemon_pid $(jobs -p) $(itest_descendants)"
    for p in $pids; do kill -TERM "$p" 2>/dev/null; done
    for _ in $(seq 100); do
        alive=
        for p in $pids; do kill -0 "$p" 2>/dev/null && alive=1; done
        [ -n "$alive" ] || break
        sleep 0.05
    done
    for p in $pids; do kill -KILL "$p" 2>/dev/null; done
    wait 2>/dev/null
    rm -rf "$tmp"
}

# itest_descendants: every process below this script (background jobs and their children, a
# command still running in a command substitution when a signal came), not the caller's own
# subshell.
itest_descendants() {
    local self=$BASHPID
    ps -e -o pid= -o ppid= 2>/dev/null | awk -v root="$$" -v self="$self" '
        { up[$1] = $2 }
        END {
            for (p in up) {
                q = p
                while (q != root && q != self && (q in up)) q = up[q]
                if (q == root && p != root) print p
            }
        }'
}

# Case lines: "ok - NAME", "not ok - NAME: REASON" (marks the run failed), "skip - NAME: REASON".
itest_ok() { echo "ok - $1"; }
itest_fail() {
    echo "not ok - $1: ${*:2}"
    failed=1
}
itest_skip() { echo "skip - $1: $2"; }
itest_done() { exit "$failed"; }

# itest_user_group: user and group for tlsmgr_user and tlsmgr_group.
itest_user_group() {
    if [ "$(id -u)" -eq 0 ]; then
        user=nobody
        group=$(id -gn nobody)
    else
        user=$(id -un)
        group=$(id -gn)
    fi
}

# itest_base_conf FILE [LINE...]: writes a configuration whose first four lines put the state
# directory and the seed file inside $tmp and name the daemon's user and group, then the LINEs.
itest_base_conf() {
    local file=$1
    shift
    printf '%s\n' "state_directory = $tmp/state" "tls_random_seed_file = $tmp/seed/seed" \
        "tlsmgr_user = $user" "tlsmgr_group = $group" "$@" >"$file"
}

# itest_wait_log FILE PATTERN [TRIES [FROM]]: waits until FILE, from byte FROM on (default 0),
# has a line matching the grep PATTERN; tries every 0.05 s, TRIES times (default 100). Gives up
# at once when the daemon that writes it has exited.
itest_wait_log() {
    local file=$1 pattern=$2 tries=${3:-100} from=${4:-0}
    while :; do
        tail -c +$((from + 1)) "$file" 2>/dev/null | grep -q -- "$pattern" && return 0
        tries=$((tries - 1))
        [ "$tries" -gt 0 ] || return 1
        if [ -n "$daemon_pid" ] && ! kill -0 "$daemon_pid" 2>/dev/null; then
            tail -c +$((from + 1)) "$file" 2>/dev/null | grep -q -- "$pattern"
            return
        fi
        sleep 0.05
    done
}

# itest_spawn_daemon CONF LOG [OPTION...]: runs tlsmgr -f -c CONF OPTIONs in the background,
# its output appended to LOG, and sets daemon_pid; does not wait.
itest_spawn_daemon() {
    "$bin" -f -c "$1" "${@:3}" >>"$2" 2>&1 &
    daemon_pid=$!
}

# itest_start_daemon CONF LOG [OPTION...]: itest_spawn_daemon, then waits until the daemon has
# logged "started" (every service is up) in what it appended to LOG; 1 if it did not.
itest_start_daemon() {
    local from
    from=$(stat -c %s "$2" 2>/dev/null || echo 0)
    itest_spawn_daemon "$@"
    itest_wait_log "$2" ' started ' 100 "$from"
}

# itest_stop_daemon: SIGTERM, then waits up to 10 s for the exit; returns the daemon's exit
# status (0 if none ran), or 124 if it still runs (the exit cleanup kills it).
itest_stop_daemon() {
    local rc
    [ -n "$daemon_pid" ] || return 0
    kill -TERM "$daemon_pid" 2>/dev/null
    for _ in $(seq 200); do
        if ! kill -0 "$daemon_pid" 2>/dev/null; then
            wait "$daemon_pid"
            rc=$?
            daemon_pid=
            return $rc
        fi
        sleep 0.05
    done
    return 124
}

# itest_debian_server NAME CMD...: for the scripts that run Debian's own servers (lighttpd,
# HAProxy), which do not depend on the mbedTLS tlsmgr is built with: they run in the mbedTLS
# 2.28 pass only, need the commands CMD, and keys on tmpfs (itest_tmpfs NAME). Exits the
# script with a skip line otherwise.
itest_debian_server() {
    local name=$1 c
    shift
    if "$bin" --version | grep -q 'mbedTLS 3\.'; then
        itest_skip "$name" "runs in the mbedTLS 2.28 pass (the server has its own TLS library)"
        exit 0
    fi
    for c in "$@"; do
        command -v "$c" >/dev/null || { itest_skip "$name" "$c is not installed"; exit 0; }
    done
    if ! itest_tmpfs "$name"; then
        itest_skip "$name" "no tmpfs directory for the ticket keys"
        exit 0
    fi
}

# itest_tmpfs NAME: sets shm to a new directory (mode 0755) on tmpfs, where the daemon keeps
# ticket keys, whatever the file system of $tmp: in $tmp, /dev/shm, XDG_RUNTIME_DIR or
# /run/shm, or as root a private tmpfs mounted for the script; removed (unmounted) at exit.
# Returns 1 when there is none (not root, no /dev/shm): the caller skips.
itest_tmpfs() {
    local d
    shm=
    shm_mounted=
    for d in "$tmp" /dev/shm "${XDG_RUNTIME_DIR:-}" /run/shm; do
        case $(stat -f -c %T "$d" 2>/dev/null) in tmpfs | ramfs) ;; *) continue ;; esac
        if [ -d "$d" ] && [ -w "$d" ]; then
            shm=$(mktemp -d "$d/tlsmgr-$1.XXXXXX") && break
        fi
    done
    if [ -z "$shm" ] && [ "$(id -u)" = 0 ] && mkdir "$tmp/shm" &&
        mount -t tmpfs -o size=32m,mode=0755 tlsmgr-test "$tmp/shm" 2>/dev/null; then
        shm=$tmp/shm
        shm_mounted=yes
    fi
    [ -n "$shm" ] || return 1
    trap itest_tmpfs_cleanup EXIT
    chmod 0755 "$shm"
}

itest_tmpfs_cleanup() {
    itest_cleanup
    if [ -n "$shm_mounted" ]; then umount "$shm" 2>/dev/null; else rm -rf "$shm"; fi
}

# --- The example server (docs/example/example-server.c), for the scripts that run it ---------

# itest_need_example NAME CMD...: the scripts that run the example server need it built, and
# the client programs CMD: a missing program skips the script (case NAME), a missing server
# fails it. Exits the script in both cases.
itest_need_example() {
    local name=$1 c
    shift
    for c in "$@"; do
        if ! command -v "$c" >/dev/null; then
            itest_skip "$name" "$c is not installed"
            exit 0
        fi
    done
    if [ ! -x "$build/example-server" ]; then
        echo "not ok - setup: $build/example-server missing (run make)"
        exit 1
    fi
}

# itest_free_port [FROM]: prints a port of 127.0.0.1 that nothing listens on now, from FROM on
# (default: a number that depends on the script's pid, so that scripts running at the same time
# start from different ones, below Linux's ephemeral ports, 32768 and up, which the clients'
# own connections take and a server could then not bind).
itest_free_port() {
    local port=${1:-$((20000 + $$ % 12000))}
    while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
    echo "$port"
}

# itest_cert DIR: a throw-away P-256 certificate, DIR/crt.pem and DIR/key.pem, both readable by
# every user (test only), so that a server run as the daemon's user can load them.
itest_cert() {
    if ! openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
        -subj /CN=localhost -keyout "$1/key.pem" -out "$1/crt.pem" >"$1/req.log" 2>&1; then
        echo "not ok - setup: openssl req failed: $(tail -1 "$1/req.log")"
        exit 1
    fi
    chmod 0644 "$1/key.pem" "$1/crt.pem"
}

# itest_start_example LOG PORT ARG...: starts $build/example-server on PORT with the certificate
# of itest_cert "$tmp" and the ARGs, its standard error in LOG, and waits until it accepts; sets
# example_pid. As root it runs as $user:$group, as a TLS server that shares the daemon's env.
# Exits the script with a setup failure when the server does not start.
itest_start_example() {
    local log=$1 port=$2 runas=()
    shift 2
    [ "$(id -u)" = 0 ] && runas=(setpriv --reuid="$user" --regid="$group" --clear-groups)
    : >"$log"
    "${runas[@]}" "$build/example-server" -p "$port" --cert "$tmp/crt.pem" --key "$tmp/key.pem" \
        "$@" 2>"$log" &
    example_pid=$!
    for _ in $(seq 100); do
        grep -q "workers on" "$log" && (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
        kill -0 "$example_pid" 2>/dev/null || break
        sleep 0.05
    done
    echo "not ok - setup: example-server $* did not start: $(tail -1 "$log")"
    exit 1
}

# itest_stop_example: stops the server itest_start_example started.
itest_stop_example() {
    [ -n "${example_pid:-}" ] || return 0
    kill "$example_pid" 2>/dev/null
    wait "$example_pid" 2>/dev/null
    example_pid=
}

# itest_get OUT SESSFILE PORT ARG...: one openssl s_client connection that sends
# "GET / HTTP/1.0"; its output in OUT. Its standard input stays open until it printed its
# New/Reused line and, with a SESSFILE, wrote the session there (a TLS 1.3 ticket comes after
# the handshake), then gets EOF; the server's answer and close_notify normally end it first.
itest_get() {
    local out=$1 sess=$2 port=$3
    shift 3
    : >"$out"
    {
        printf 'GET / HTTP/1.0\r\n\r\n'
        for _ in $(seq 200); do
            if grep -qE '^(New|Reused),' "$out" 2>/dev/null &&
                { [ -z "$sess" ] || [ -s "$sess" ]; }; then
                break
            fi
            sleep 0.05
        done
    } | timeout 15 openssl s_client -connect "127.0.0.1:$port" -servername localhost "$@" \
        >"$out" 2>&1
}

# itest_page_worker FILE: the worker pid that the example server's page in FILE names.
itest_page_worker() { sed -n 's/^worker \([0-9]*\): .*/\1/p' "$1" | head -1; }

# Sourced: defines the functions only. Run as a script: nothing to do.
[ "${BASH_SOURCE[0]}" != "$0" ] || exit 0
