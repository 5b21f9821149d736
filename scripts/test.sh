#!/bin/bash
# test.sh - `make test`: everything that says whether Merpati works, and one summary line.
#
#  1. install what is missing (scripts/deps.sh)
#  2. build normally (build/) and with AddressSanitizer + UndefinedBehaviorSanitizer (build-asan/)
#  3. `meson test` in both: unit tests and the fuzz corpus replays
#  4. the unit tests under valgrind (scripts/valgrind.sh), on the normal build
#  5. the integration tests (pytest, Debian's /usr/bin/python3) against the sanitizer build,
#     so every service they start runs under the sanitizers
#  6. the docker compose tests (tests/integration/compose, images built from the tree), or a
#     message saying why they are skipped (no Docker engine answers)
#
# and ends with one line "N passed, N failed, N skipped" adding up every meson test and every
# pytest test. The exit status is non-zero when anything failed, a build included.
#
# Environment: BUILD, ASAN_BUILD (folders), PYTEST_ARGS (extra pytest arguments, e.g. -k),
# MERPATI_TEST_COMPOSE=0 (skip the compose tests even with a Docker engine),
# MERPATI_TEST_TIMEOUT, MERPATI_COMPOSE_TIMEOUT (seconds for the integration and the compose
# pytest runs, default 1800 and 2700).
set -uo pipefail
shopt -s lastpipe   # `... | add_counts` updates the totals of this shell

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
# runuser, used to run PostgreSQL as the postgres user, lives in /usr/sbin: some
# environments (CI, cron) leave the sbin folders out of PATH
case ":$PATH:" in
*:/usr/sbin:*) ;;
*) PATH="$PATH:/usr/sbin:/sbin" ;;
esac
build=${BUILD:-build}
asan=${ASAN_BUILD:-build-asan}
python=/usr/bin/python3
passed=0
failed=0
skipped=0

# Abort at the first report so nothing goes unnoticed; LeakSanitizer on at exit.
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:halt_on_error=1:detect_leaks=1:detect_stack_use_after_return=1:check_initialization_order=1:strict_string_checks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-abort_on_error=1:halt_on_error=1:print_stacktrace=1}

# section - a visible header between the steps
section() {
	printf '\n==== make test: %s\n' "$*"
}

# add_counts - add "PASSED FAILED SKIPPED" (from scripts/results.py) to the totals; a step
# that exited non-zero without counting a failure counts as one failure itself
add_counts() {
	local rc=$1 p f s
	read -r p f s
	passed=$((passed + p))
	failed=$((failed + f))
	skipped=$((skipped + s))
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "make test: the step exited with status $rc without a failed test: counted as one failure"
		failed=$((failed + 1))
	fi
	echo "make test: step: $p passed, $f failed, $s skipped"
}

# build_step - build one folder; a failed build counts as one failure
build_step() {
	local dir=$1
	shift
	section "build $dir/"
	if scripts/build.sh "$dir" "$@"; then
		return 0
	fi
	echo "make test: the build in $dir/ failed"
	failed=$((failed + 1))
	return 1
}

# meson_step - `meson test` in a build folder, counted from its own log
meson_step() {
	local dir=$1 logbase=$2 rc
	shift 2
	meson test -C "$dir" --num-processes 2 --print-errorlogs --logbase "$logbase" "$@"
	rc=$?
	$python scripts/results.py meson "$dir/meson-logs/$logbase.json" | add_counts "$rc"
}

# docker_answers - true when a Docker engine answers within a few seconds
docker_answers() {
	command -v docker >/dev/null 2>&1 && timeout 20 docker info >/dev/null 2>&1
}

# pytest_step NAME SECONDS ARGS... - one pytest run (Debian's python3) with the services of
# the sanitizer build, stopped after SECONDS, counted from its JUnit XML report
pytest_step() {
	local name=$1 limit=$2 report="$root/$asan/meson-logs/$1.xml" rc
	shift 2
	rm -f "$report"
	# shellcheck disable=SC2086 # PYTEST_ARGS is split on purpose
	MERPATI_BUILD_DIR="$root/$asan" timeout --signal=INT --kill-after=60 "$limit" \
		$python -m pytest -p no:cacheprovider -rfEs --junitxml="$report" "$@" ${PYTEST_ARGS:-}
	rc=$?
	if [ "$rc" -eq 5 ]; then
		echo "make test: pytest collected no $name test"
		echo "0 0 0" | add_counts 0
		return
	fi
	[ "$rc" -ne 124 ] || echo "make test: the $name tests were stopped after ${limit}s"
	$python scripts/results.py junit "$report" | add_counts "$rc"
}

# compose_wanted - true when the docker compose tests should run; says why not otherwise
compose_wanted() {
	if [ ! -d tests/integration/compose ]; then
		return 1
	elif [ "${MERPATI_TEST_COMPOSE:-1}" = 0 ]; then
		echo "make test: skipping the docker compose tests (MERPATI_TEST_COMPOSE=0)"
		return 1
	elif ! docker_answers; then
		echo "make test: skipping the docker compose tests: no Docker engine answers (docker info)"
		return 1
	fi
}

section "dependencies"
if ! scripts/deps.sh; then
	echo "make test: installing the dependencies failed"
	failed=$((failed + 1))
fi

if build_step "$build" --link; then
	section "unit tests and fuzz replays ($build/)"
	meson_step "$build" unit-and-fuzz
	section "unit tests under valgrind ($build/)"
	scripts/valgrind.sh "$build"
	rc=$?
	$python scripts/results.py meson "$build/meson-logs/unit-valgrind.json" | add_counts "$rc"
fi

if build_step "$asan" -Db_sanitize=address,undefined -Db_lundef=false; then
	section "unit tests and fuzz replays under ASan+UBSan ($asan/)"
	meson_step "$asan" unit-and-fuzz
	section "integration tests (services from $asan/)"
	pytest_step integration "${MERPATI_TEST_TIMEOUT:-1800}" tests/integration \
		--ignore=tests/integration/compose
fi

section "docker compose tests"
if compose_wanted; then
	pytest_step compose "${MERPATI_COMPOSE_TIMEOUT:-2700}" tests/integration/compose
fi

section "summary"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
