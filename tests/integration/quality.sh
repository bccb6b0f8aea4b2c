#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# quality.sh BUILD - statistical checks of 1 MiB read from the real daemon's EGD socket (02
# requests): ent (>= 7.99 bits/byte, chi-square p between 0.01% and 99.99%) and rngtest (at most
# 3 failed blocks per 1000). The same checks run on 1 MiB of zeros must fail, so a broken
# generator cannot pass. EGD throughput is printed for information only.
set -u
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
itest_init quality "${1:-}"

for tool in ent rngtest; do
    if ! command -v "$tool" >/dev/null; then
        itest_fail "quality/$tool" "not installed (make check-deps installs it as root)"
    fi
done

# ent: prints "Entropy = E bits per byte." and "...would exceed this value P percent" (or
# "less than 0.01" / "more than 99.99", which are failures).
check_ent() {
    local name=$1 file=$2 out e p
    out=$(ent "$file") || { itest_fail "$name" "ent failed"; return 1; }
    e=$(printf '%s\n' "$out" | sed -n 's/^Entropy = \([0-9.]*\) bits per byte.*/\1/p')
    p=$(printf '%s\n' "$out" | tr '\n' ' ' | sed -n 's/.*would exceed this value \([0-9.]*\) percent.*/\1/p')
    if [ -z "$e" ]; then
        itest_fail "$name" "cannot parse ent output"
        return 1
    fi
    if awk -v e="$e" -v p="$p" 'BEGIN { exit !(e >= 7.99 && p != "" && p >= 0.01 && p <= 99.99) }'; then
        echo "# $name: entropy $e bits/byte, chi-square p ${p}%"
        return 0
    fi
    echo "# $name: entropy $e bits/byte, chi-square p ${p:-extreme}%"
    return 1
}

# rngtest exits 1 on any failed block: count them instead.
check_rngtest() {
    local name=$1 file=$2 out s f
    out=$(rngtest <"$file" 2>&1)
    s=$(printf '%s\n' "$out" | sed -n 's/.*FIPS 140-2 successes: \([0-9]*\).*/\1/p')
    f=$(printf '%s\n' "$out" | sed -n 's/.*FIPS 140-2 failures: \([0-9]*\).*/\1/p')
    if [ -z "$s" ] || [ -z "$f" ]; then
        itest_fail "$name" "cannot parse rngtest output"
        return 1
    fi
    echo "# $name: rngtest $s blocks passed, $f failed"
    # At most 3 per 1000 blocks, and never fewer than 5 allowed: FIPS 140-2 fails about one
    # good block in a thousand, so a smaller allowance would fail a good generator by chance.
    awk -v s="$s" -v f="$f" 'BEGIN { n = s + f; lim = 3 * n / 1000; if (lim < 5) lim = 5;
        exit !(n > 0 && f <= lim) }'
}

sock=$tmp/state/egd
itest_base_conf "$tmp/tlsmgr.conf" "tls_random_egd_socket = $sock" "tls_session_cache_database ="
itest_start_daemon "$tmp/tlsmgr.conf" "$tmp/log"
if ! timeout 60 python3 "$here/egd_client.py" read "$sock" 1048576 "$tmp/egd.bin" ||
    [ "$(stat -c %s "$tmp/egd.bin" 2>/dev/null)" != 1048576 ]; then
    itest_fail "quality/egd-read" "could not read 1 MiB: $(tail -3 "$tmp/log")"
    exit 1
fi
itest_ok "quality/egd-read"
head -c 1048576 /dev/zero >"$tmp/zero.bin"

if command -v ent >/dev/null; then
    check_ent quality/ent-egd "$tmp/egd.bin" && itest_ok "quality/ent-egd" ||
        itest_fail "quality/ent-egd" "below 7.99 bits/byte or chi-square p outside 0.01..99.99%"
    check_ent quality/ent-zeros "$tmp/zero.bin" &&
        itest_fail "quality/ent-zeros-fail" "zeros passed" || itest_ok "quality/ent-zeros-fail"
fi
if command -v rngtest >/dev/null; then
    check_rngtest quality/rngtest-egd "$tmp/egd.bin" && itest_ok "quality/rngtest-egd" ||
        itest_fail "quality/rngtest-egd" "more than 3 failed blocks per 1000 (5 at least allowed)"
    check_rngtest quality/rngtest-zeros "$tmp/zero.bin" &&
        itest_fail "quality/rngtest-zeros-fail" "zeros passed" || itest_ok "quality/rngtest-zeros-fail"
fi

itest_stop_daemon
status=$?
[ "$status" -eq 0 ] && itest_ok "quality/sigterm-exit-0" ||
    itest_fail "quality/sigterm-exit-0" "exit $status"
itest_done
