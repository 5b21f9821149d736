#!/bin/bash
# haproxy-healthcheck - front's HEALTHCHECK: GET /healthz on HAProxy's admin frontend
# (monitor-uri), spoken over bash's /dev/tcp since the image has no HTTP client.
set -eu

exec 3<>/dev/tcp/127.0.0.1/9100
printf 'GET /healthz HTTP/1.0\r\nHost: localhost\r\n\r\n' >&3
IFS= read -r -t 3 status <&3
case "$status" in
"HTTP/1."?" 200 "*) exit 0 ;;
*) echo "front: /healthz answered: ${status:-nothing}" >&2; exit 1 ;;
esac
