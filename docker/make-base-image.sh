#!/bin/sh
# make-base-image.sh - make the Debian bookworm base images locally, for hosts that reach
# no container registry.
#
# The Dockerfiles start FROM debian:bookworm (build stage) and debian:bookworm-slim (runtime
# stages), the names Docker Hub uses; on a host with a registry nothing here is needed and
# the same Dockerfiles build unchanged. Here we debootstrap a minimal bookworm root file
# system and `docker import` it under both names. An image that already exists is kept.
#
# usage: docker/make-base-image.sh [--force]
# env:   MERPATI_DEBIAN_MIRROR (default http://deb.debian.org/debian)
#        MERPATI_BASE_TAGS     (default "debian:bookworm-slim debian:bookworm")
set -eu

mirror=${MERPATI_DEBIAN_MIRROR:-http://deb.debian.org/debian}
tags=${MERPATI_BASE_TAGS:-"debian:bookworm-slim debian:bookworm"}
force=0
[ "${1:-}" = "--force" ] && force=1

# missing_tags - print the tags that do not exist yet as local images (all with --force)
missing_tags() {
	for t in $tags; do
		if [ "$force" = 1 ] || ! docker image inspect "$t" >/dev/null 2>&1; then
			echo "$t"
		fi
	done
}

# need_debootstrap - install debootstrap from Debian when it is missing
need_debootstrap() {
	command -v debootstrap >/dev/null 2>&1 && return 0
	echo "make-base-image: installing debootstrap" >&2
	apt-get install -y --no-install-recommends debootstrap >&2
}

# slim_rootfs - drop what a container never needs: caches, docs, manuals, apt lists
slim_rootfs() {
	root=$1
	chroot "$root" apt-get clean
	rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin \
		"$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/info/* \
		"$root"/usr/share/locale/* "$root"/usr/share/lintian/* \
		"$root"/var/log/*.log "$root"/var/log/apt/* "$root"/tmp/* "$root"/var/tmp/*
	# Same sources as the official image, so apt-get update works inside builds.
	cat >"$root/etc/apt/sources.list" <<-EOF
	deb $mirror bookworm main
	deb $mirror bookworm-updates main
	deb http://deb.debian.org/debian-security bookworm-security main
	EOF
	# Like the official slim image: never keep docs, manuals or translations installed later.
	cat >"$root/etc/dpkg/dpkg.cfg.d/docker-slim" <<-EOF
	path-exclude /usr/share/doc/*
	path-include /usr/share/doc/*/copyright
	path-exclude /usr/share/man/*
	path-exclude /usr/share/groff/*
	path-exclude /usr/share/info/*
	path-exclude /usr/share/lintian/*
	path-exclude /usr/share/locale/*
	EOF
	cat >"$root/etc/apt/apt.conf.d/docker-no-recommends" <<-EOF
	APT::Install-Recommends "false";
	APT::Install-Suggests "false";
	EOF
}

main() {
	todo=$(missing_tags)
	if [ -z "$todo" ]; then
		echo "make-base-image: $tags already present"
		return 0
	fi
	need_debootstrap
	dir=$(mktemp -d /tmp/merpati-rootfs.XXXXXX)
	trap 'rm -rf "$dir"' EXIT INT TERM
	echo "make-base-image: debootstrap bookworm into $dir" >&2
	debootstrap --variant=minbase bookworm "$dir" "$mirror" >&2
	slim_rootfs "$dir"
	first=""
	for t in $todo; do
		if [ -z "$first" ]; then
			tar -C "$dir" --numeric-owner -c . |
				docker import --change 'CMD ["bash"]' - "$t" >/dev/null
			first=$t
		else
			docker tag "$first" "$t"
		fi
		echo "make-base-image: made $t"
	done
}

main "$@"
