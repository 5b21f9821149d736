#!/bin/sh
# collect-binaries.sh - gather Merpati's programs from a build folder for the runtime image,
# and name the Debian packages that hold the shared libraries they link.
#
# usage: collect-binaries.sh BUILD_DIR OUT_DIR
#   OUT_DIR/bin/                  merpati and every merpati-* service, stripped
#   OUT_DIR/runtime-packages.txt  one Debian package a line (what the runtime stage installs)
#
# Deriving the package list from the binaries keeps the runtime image to exactly the
# libraries in use, also when a service starts linking a new one.
set -eu

build=$1
out=$2
mkdir -p "$out/bin"

# copy_programs - the admin CLI and the service programs; tests and benchmarks stay behind
copy_programs() {
	find "$build/admin" "$build/services" -maxdepth 2 -type f -perm -u+x \
		\( -name merpati -o -name 'merpati-*' \) |
	while read -r f; do
		install -m 0755 "$f" "$out/bin/"
		strip --strip-unneeded "$out/bin/$(basename "$f")"
	done
	if [ ! -x "$out/bin/merpati" ]; then
		echo "collect-binaries: no merpati CLI in $build" >&2
		exit 1
	fi
}

# library_packages - the package owning each shared library the programs load
library_packages() {
	for f in "$out"/bin/*; do
		ldd "$f" | awk '/=> \// { print $3 }'
	done | sort -u |
	while read -r lib; do
		# bookworm merged /lib into /usr/lib: dpkg knows a file under one of the names.
		real=$(readlink -f "$lib")
		for p in "$lib" "$real" "/usr$lib" "/usr$real" "${real#/usr}"; do
			if pkg=$(dpkg-query -S "$p" 2>/dev/null); then
				echo "${pkg%%:*}"
				break
			fi
		done
	done | sort -u
}

copy_programs
library_packages >"$out/runtime-packages.txt"
if [ ! -s "$out/runtime-packages.txt" ]; then
	echo "collect-binaries: found no library packages" >&2
	exit 1
fi
echo "collect-binaries: $(ls "$out/bin" | tr '\n' ' ')" >&2
echo "collect-binaries: runtime packages: $(tr '\n' ' ' <"$out/runtime-packages.txt")" >&2
