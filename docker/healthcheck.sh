#!/bin/sh
# merpati-healthcheck - the image's HEALTHCHECK: GET /healthz on the service's admin port.
#
# The port comes from MERPATI_ADMIN_LISTEN (the image sets :9100; every container has its
# own network namespace, so each service may use the same port). The service answers
# 200 only when it can do its work (docs/ARCHITECTURE.md, lib/metrics).
set -eu

listen=${MERPATI_ADMIN_LISTEN:-:9100}
port=${listen##*:}
host=${listen%:*}
case "$host" in
""|"*"|0.0.0.0) host=127.0.0.1 ;;
"[::]") host="[::1]" ;;
esac
exec curl --fail --silent --show-error --max-time 3 --output /dev/null "http://$host:$port/healthz"
