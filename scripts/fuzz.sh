#!/bin/bash
# fuzz.sh - `make fuzz`: build every fuzz target with clang + libFuzzer and run each one for
# a bounded time.
#
#   FUZZ_SECONDS=60 scripts/fuzz.sh [TARGET...]
#
# All code is built with coverage instrumentation (-fsanitize=fuzzer-no-link) and the
# sanitizers, so the fuzzer sees into lib/ and services/, not only into target.c. New
# inputs go to BUILD/fuzz-corpus/<target>/ (the seed corpus in tests/fuzz/<target>/corpus is
# only read); a crash is saved under BUILD/fuzz-artifacts/<target>/: copy it into the seed
# corpus so `meson test` replays it from then on. Each run's output (targets may log a lot)
# goes to BUILD/fuzz-logs/<target>.log; its last lines are shown.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
dir=${FUZZ_BUILD:-build-fuzz}
seconds=${FUZZ_SECONDS:-60}

CC=clang scripts/build.sh "$dir" -Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false \
	-Dc_args=-fsanitize=fuzzer-no-link

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
	for exe in "$dir"/tests/fuzz/fuzz-*; do
		[ -f "$exe" ] && [ -x "$exe" ] && targets+=("${exe##*/fuzz-}")
	done
fi
if [ ${#targets[@]} -eq 0 ]; then
	echo "fuzz: no fuzz target is built"
	exit 1
fi

export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:abort_on_error=1:print_stacktrace=1}
crashed=()
for name in "${targets[@]}"; do
	work="$dir/fuzz-corpus/$name"
	artifacts="$dir/fuzz-artifacts/$name/"
	log="$dir/fuzz-logs/$name.log"
	mkdir -p "$work" "$artifacts" "$dir/fuzz-logs"
	echo "== fuzz $name for ${seconds}s (log $log)"
	if "$dir/tests/fuzz/fuzz-$name" "$work" "tests/fuzz/$name/corpus" \
		-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix="$artifacts" -print_final_stats=1 >"$log" 2>&1; then
		grep -E '^(Done|stat::(number_of_executed_units|new_units_added))' "$log" || true
	else
		crashed+=("$name")
		grep -E -B2 -A12 '^==[0-9]+==ERROR|^SUMMARY|deadly signal|Test unit written' "$log" | tail -n 40
		echo "fuzz: $name failed; inputs in $artifacts (copy them into tests/fuzz/$name/corpus)"
	fi
done

if [ ${#crashed[@]} -gt 0 ]; then
	echo "fuzz: ${#crashed[@]} of ${#targets[@]} target(s) failed: ${crashed[*]}"
	exit 1
fi
echo "fuzz: ${#targets[@]} target(s) ran ${seconds}s each without a failure"
