#!/bin/sh
# merpati-entrypoint - start one Merpati program in its container.
#
# usage: merpati-entrypoint PROGRAM [ARGS...]   e.g. merpati-smtp-in, merpati migrate
#
# The TLS pair named by MERPATI_TLS_CERT/KEY lives on a volume every service mounts;
# when it is absent the programs make one self-signed pair themselves, under a lock on
# that volume, so replicas starting together all serve the same certificate.
set -eu

if [ $# -eq 0 ]; then
	echo "merpati-entrypoint: name a program, e.g. merpati-smtp-in or merpati migrate" >&2
	exit 64
fi
if ! command -v "$1" >/dev/null 2>&1; then
	echo "merpati-entrypoint: no program '$1' in this image;" \
		"it has: $(cd /usr/local/bin && ls merpati* | tr '\n' ' ')" >&2
	exit 127
fi
exec "$@"
