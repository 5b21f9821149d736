#!/bin/bash
# deps.sh - install the Debian packages Merpati needs to build, run and test (`make deps`).
#
# Reads scripts/debian-packages.txt, installs only what is missing, says what it installs,
# and runs `apt-get update` at most once. Safe to run again: with nothing missing it only
# prints one line. Needs root (or sudo) when something is missing.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
list="$here/debian-packages.txt"

# wanted_packages - the package names of the list, without comments and blank lines
wanted_packages() {
	sed -e 's/#.*//' -e 's/[[:space:]]//g' "$list" | grep -v '^$'
}

# is_installed - true when dpkg knows PACKAGE as installed
is_installed() {
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

# as_root - run a command as root, through sudo when we are not root
as_root() {
	if [ "$(id -u)" -eq 0 ]; then
		"$@"
	elif command -v sudo >/dev/null 2>&1; then
		sudo "$@"
	else
		echo "deps: need root to run: $*" >&2
		exit 1
	fi
}

missing=()
for pkg in $(wanted_packages); do
	is_installed "$pkg" || missing+=("$pkg")
done

if [ ${#missing[@]} -eq 0 ]; then
	echo "deps: all $(wanted_packages | wc -l) packages are installed"
	exit 0
fi

echo "deps: installing ${#missing[@]} missing package(s): ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# Postfix is only a peer for the tests and benchmarks (a private instance each time):
# "No configuration" installs it without configuring or starting a system-wide MTA.
if printf '%s\n' "${missing[@]}" | grep -qx postfix; then
	echo "postfix postfix/main_mailer_type select No configuration" |
		as_root debconf-set-selections
fi
# install_missing - apt-get install the missing packages, without recommends
install_missing() {
	as_root env DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# Update the package lists at most once: first when a missing package is unknown to apt,
# otherwise only when installing from the lists we have fails (stale lists give 404s).
updated=no
if ! apt-cache show "${missing[@]}" >/dev/null 2>&1; then
	echo "deps: apt-get update"
	as_root apt-get update -q
	updated=yes
fi
if ! install_missing; then
	[ "$updated" = no ] || exit 1
	echo "deps: install failed; apt-get update and one more try"
	as_root apt-get update -q
	install_missing
fi
# Dovecot is only a benchmark peer started privately on loopback; a system-wide Dovecot that
# the package may have started would hold 110/143/993/995, which Merpati wants.
if printf '%s\n' "${missing[@]}" | grep -q '^dovecot-' && command -v systemctl >/dev/null &&
	systemctl is-active --quiet dovecot 2>/dev/null; then
	echo "deps: stopping and disabling the system Dovecot service (only a benchmark peer)"
	as_root systemctl disable --now dovecot
fi
echo "deps: installed ${missing[*]}"
