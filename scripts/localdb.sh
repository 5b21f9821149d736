#!/bin/bash
# localdb.sh - the private PostgreSQL cluster of `make run`, under ./var/pg.
#
#   scripts/localdb.sh start    create it if needed, start it, make role and database merpati
#   scripts/localdb.sh stop     stop it (fast shutdown)
#   scripts/localdb.sh status   exit 0 when it runs
#   scripts/localdb.sh psql     a psql shell as merpati
#
# Data in ./var/pg/data, the Unix socket in ./var/pg, listen_addresses='' so it never
# clashes with another cluster (several checkouts can run side by side). PostgreSQL refuses
# to run as root: as root, the cluster is owned by and run as the `postgres` user; otherwise
# it is the invoking user's. Programs reach it with the compiled-in default
# MERPATI_DB="host=<repo>/var/pg dbname=merpati user=merpati".
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
# runuser, used to run PostgreSQL as the postgres user, lives in /usr/sbin: some
# environments (CI, cron) leave the sbin folders out of PATH
case ":$PATH:" in
*:/usr/sbin:*) ;;
*) PATH="$PATH:/usr/sbin:/sbin" ;;
esac
pgbin=${MERPATI_PGBIN:-/usr/lib/postgresql/15/bin}
sockdir="$root/var/pg"
data="$sockdir/data"
logfile="$sockdir/postgres.log"

if [ "$(id -u)" -eq 0 ]; then
	owner=postgres
	as_owner=(runuser -u postgres --)
else
	owner=$(id -un)
	as_owner=()
fi

# psql_admin - run psql as the cluster's superuser on the postgres database
psql_admin() {
	psql -X -q -A -t -v ON_ERROR_STOP=1 -h "$sockdir" -U postgres -d postgres "$@"
}

# create_cluster - initdb into ./var/pg/data and point it at the socket directory only
create_cluster() {
	echo "localdb: creating the cluster in $data (owner $owner)"
	mkdir -p "$sockdir"
	chmod 755 "$root/var" "$sockdir"
	if [ "$owner" = postgres ]; then
		chown postgres: "$sockdir"
	fi
	"${as_owner[@]}" "$pgbin/initdb" -D "$data" -U postgres -A trust -E UTF8 \
		--locale=C.UTF-8 >"$sockdir/initdb.log"
	"${as_owner[@]}" tee -a "$data/postgresql.conf" >/dev/null <<CONF
# merpati: Unix socket only, never a TCP port another cluster could hold
listen_addresses = ''
unix_socket_directories = '$sockdir'
CONF
}

# running - true when a server runs on the data directory
running() {
	[ -f "$data/PG_VERSION" ] && "${as_owner[@]}" "$pgbin/pg_ctl" -D "$data" status >/dev/null 2>&1
}

# bootstrap - role and database merpati, created once
bootstrap() {
	if [ -z "$(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname = 'merpati'")" ]; then
		psql_admin -c "CREATE ROLE merpati LOGIN"
	fi
	if [ -z "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = 'merpati'")" ]; then
		psql_admin -c "CREATE DATABASE merpati OWNER merpati"
	fi
}

# start - create if needed, start in its own session (Ctrl-C must not reach it), bootstrap
start() {
	[ -f "$data/PG_VERSION" ] || create_cluster
	if ! running; then
		echo "localdb: starting PostgreSQL on $sockdir (log $logfile)"
		"${as_owner[@]}" setsid -w "$pgbin/pg_ctl" -D "$data" -l "$logfile" -w -t 60 start >/dev/null
	fi
	bootstrap
	echo "localdb: PostgreSQL is up: MERPATI_DB=\"host=$sockdir dbname=merpati user=merpati\""
}

# stop - fast shutdown: disconnect clients, checkpoint, exit
stop() {
	if running; then
		"${as_owner[@]}" "$pgbin/pg_ctl" -D "$data" -m fast -w -t 60 stop >/dev/null
		echo "localdb: PostgreSQL stopped"
	fi
}

case "${1:-}" in
start) start ;;
stop) stop ;;
status) running ;;
psql) exec psql -X -h "$sockdir" -U merpati -d merpati ;;
*) echo "usage: localdb.sh start|stop|status|psql" >&2; exit 2 ;;
esac
