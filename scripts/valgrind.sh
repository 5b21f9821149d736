#!/bin/bash
# valgrind.sh - the unit tests under valgrind (`make valgrind`; part of `make test`).
#
#   scripts/valgrind.sh [BUILD_DIR]
#
# Any memory error or leak fails the test (--error-exitcode=1). Only the unit suite runs
# here: the fuzz replays already run under AddressSanitizer, and valgrind is slow.
# Results: BUILD_DIR/meson-logs/unit-valgrind.json (and .txt; meson appends the wrapper's name).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
dir=${1:-build}

exec meson test -C "$dir" --suite unit --num-processes 2 --print-errorlogs \
	--logbase unit --timeout-multiplier 10 \
	--wrapper "valgrind --quiet --leak-check=full --error-exitcode=1 --track-origins=yes"
