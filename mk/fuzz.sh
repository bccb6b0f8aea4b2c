#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# mk/fuzz.sh BUILD SECONDS - `make fuzz`: every fuzz target under libFuzzer for SECONDS each,
# starting from its committed corpus. New interesting inputs land in BUILD/corpus/<target>;
# crashes in BUILD/crashes/. Copy a crash into tests/fuzz/corpus/<target>/ once it is fixed,
# so make check replays it for good.
set -eu
build=$1
seconds=$2
status=0
mkdir -p "$build/crashes"
for t in "$build"/tests/fuzz_*; do
    [ -x "$t" ] || continue
    name=${t##*/fuzz_}
    mkdir -p "$build/corpus/$name"
    echo "fuzz $name for ${seconds}s"
    if ! "$t" -max_total_time="$seconds" -print_final_stats=0 \
        -artifact_prefix="$build/crashes/$name-" "$build/corpus/$name" \
        "tests/fuzz/corpus/$name" >"$build/$name.log" 2>&1; then
        echo "fuzz $name: FAILED, see $build/$name.log and $build/crashes/"
        status=1
    fi
done
exit $status
