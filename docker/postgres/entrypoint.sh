#!/bin/sh
# merpati-postgres - start PostgreSQL on the data volume, making the cluster at first start.
#
# usage: merpati-postgres [postgres options...]   e.g. -c max_connections=200
# env:   PGDATA (the volume), MERPATI_DB_PASSWORD (password of the role `merpati`)
set -eu

# init_cluster - initdb, then the role, the database and pg_trgm, over the socket only
init_cluster() {
	if [ -z "${MERPATI_DB_PASSWORD:-}" ]; then
		echo "merpati-postgres: set MERPATI_DB_PASSWORD for the first start" >&2
		exit 2
	fi
	initdb --pgdata="$PGDATA" --username=postgres --encoding=UTF8 --locale=C.UTF-8 \
		--auth-local=peer --auth-host=scram-sha-256 >/dev/null
	# Reached only over the compose network; every TCP client needs the password.
	cat >>"$PGDATA/pg_hba.conf" <<-HBA
	host all all 0.0.0.0/0 scram-sha-256
	host all all ::/0 scram-sha-256
	HBA
	pg_ctl --pgdata="$PGDATA" --silent --wait -o "-c listen_addresses=''" start
	psql --quiet --username=postgres --dbname=postgres --set=ON_ERROR_STOP=1 \
		--set=pw="$MERPATI_DB_PASSWORD" <<-SQL
	CREATE ROLE merpati LOGIN PASSWORD :'pw';
	CREATE DATABASE merpati OWNER merpati;
	\connect merpati
	CREATE EXTENSION IF NOT EXISTS pg_trgm;
	SQL
	pg_ctl --pgdata="$PGDATA" --silent --wait stop
	echo "event=cluster_created pgdata=$PGDATA" >&2
}

if [ ! -s "$PGDATA/PG_VERSION" ]; then
	init_cluster
fi
# Logs go to stderr (docker logs); listen on the compose network.
# jit=off: the image leaves LLVM out (docker/postgres/Dockerfile).
exec postgres -D "$PGDATA" -c listen_addresses='*' -c logging_collector=off -c jit=off "$@"
