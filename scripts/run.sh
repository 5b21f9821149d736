#!/bin/bash
# run.sh - `make run`: install what is missing, build, then run the whole stack in the
# foreground under scripts/supervise.py (PostgreSQL under ./var/pg, migrations, every
# service that is built). Ctrl-C or SIGTERM stops everything cleanly.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
build=${BUILD:-build}

scripts/deps.sh
scripts/build.sh "$build" --link
exec /usr/bin/python3 scripts/supervise.py --build "$build"
