#!/bin/bash
# build.sh - configure a Meson build folder if needed and build it with Ninja.
#
#   scripts/build.sh DIR [--link] [meson setup options...]
#
# --link makes ./merpati point at DIR/admin/merpati once that binary exists, so the admin
# command is reachable from the repo root. Options only apply when DIR is first set up.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
dir=${1:?usage: build.sh DIR [--link] [meson options]}
shift
link=no
if [ "${1:-}" = "--link" ]; then
	link=yes
	shift
fi
jobs=${JOBS:-$(nproc)}

if [ ! -f "$dir/build.ninja" ]; then
	if [ -d "$dir/meson-private" ]; then
		meson setup --wipe "$dir" "$@"
	else
		meson setup "$dir" "$@"
	fi
fi
ninja -C "$dir" -j "$jobs"

if [ "$link" = yes ] && [ -x "$dir/admin/merpati" ]; then
	ln -sfn "$dir/admin/merpati" merpati
fi
