#!/bin/sh
# projsync - tests/servers.sh: private PostgreSQL and MariaDB servers for the
# tests, in a temporary folder on 127.0.0.1.
#
#   tests/servers.sh start DIR   start both (each skipped when not installed),
#                                wait until they accept connections, and
#                                write DIR/env with the variables below
#   tests/servers.sh stop DIR    stop both by the PIDs they wrote
#
# DIR/env (sourced by the tests) sets, for each server that is up:
#   PROJSYNC_TEST_PG_DSN     "host=127.0.0.1 port=N user=projsync dbname=projsync"
#   PROJSYNC_TEST_PG_PASSWORD  the password of that role (scram-sha-256)
#   PROJSYNC_TEST_PG_ADMIN   a psql command line that runs as the superuser
#   PROJSYNC_TEST_MY_DSN     "host=127.0.0.1 port=N user=projsync database=projsync"
#   PROJSYNC_TEST_MY_PASSWORD
#   PROJSYNC_TEST_MY_ADMIN   a mariadb command line that runs as root
#
# As root, PostgreSQL runs as the postgres user (runuser) and mariadbd with
# --user=mysql; the folders are handed to them.
set -eu

cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || {
	echo "usage: tests/servers.sh start|stop DIR" >&2
	exit 2
}

PG_PASSWORD=projsync-pg-secret
MY_PASSWORD=projsync-my-secret

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

as_user() {
	# Run "$@" as user $1 when we are root; as ourselves otherwise.
	u=$1
	shift
	if [ "$(id -u)" -eq 0 ]; then
		(cd /tmp && runuser -u "$u" -- "$@")
	else
		"$@"
	fi
}

pg_bin() {
	ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1
}

start_pg() {
	bin=$(pg_bin)
	[ -n "$bin" ] && [ -x "$bin/initdb" ] || {
		echo "servers: PostgreSQL is not installed (apt-get install postgresql)" >&2
		return 1
	}
	d="$dir/pg"
	mkdir -p "$d/data" "$d/sock"
	if [ "$(id -u)" -eq 0 ]; then
		chown -R postgres:postgres "$d"
		chmod 755 "$dir"
	fi
	chmod 700 "$d/data"
	port=$(free_port)
	as_user postgres "$bin/initdb" -D "$d/data" -U postgres \
	    --auth-local=trust --auth-host=trust --encoding=UTF8 --locale=C \
	    >"$d/initdb.log" 2>&1 || {
		cat "$d/initdb.log" >&2
		return 1
	}
	cat >>"$d/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$d/sock'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 50
CONF
	# The test role logs in with a password over TCP.
	{
		echo "host all projsync 127.0.0.1/32 scram-sha-256"
		cat "$d/data/pg_hba.conf"
	} >"$d/data/pg_hba.new"
	mv "$d/data/pg_hba.new" "$d/data/pg_hba.conf"
	[ "$(id -u)" -ne 0 ] || chown postgres:postgres "$d/data/pg_hba.conf"
	as_user postgres "$bin/pg_ctl" -D "$d/data" -l "$d/server.log" -w \
	    -t 60 start >/dev/null || {
		cat "$d/server.log" >&2
		return 1
	}
	psql="psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p $port -U postgres"
	$psql -d postgres -c "CREATE ROLE projsync LOGIN CREATEDB PASSWORD '$PG_PASSWORD'" >/dev/null
	$psql -d postgres -c "CREATE DATABASE projsync OWNER projsync" >/dev/null
	{
		echo "PROJSYNC_TEST_PG_DSN='host=127.0.0.1 port=$port user=projsync dbname=projsync'"
		echo "PROJSYNC_TEST_PG_PASSWORD='$PG_PASSWORD'"
		echo "PROJSYNC_TEST_PG_ADMIN='$psql'"
		echo "PROJSYNC_TEST_PG_PORT=$port"
		echo "export PROJSYNC_TEST_PG_DSN PROJSYNC_TEST_PG_PASSWORD PROJSYNC_TEST_PG_ADMIN PROJSYNC_TEST_PG_PORT"
	} >>"$dir/env"
}

stop_pg() {
	pidfile="$dir/pg/data/postmaster.pid"
	[ -f "$pidfile" ] || return 0
	pid=$(head -1 "$pidfile")
	kill -INT "$pid" 2>/dev/null || return 0
	i=0
	while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}

start_my() {
	command -v mariadbd >/dev/null 2>&1 || [ -x /usr/sbin/mariadbd ] || {
		echo "servers: MariaDB is not installed (apt-get install mariadb-server)" >&2
		return 1
	}
	mysqld=$(command -v mariadbd || echo /usr/sbin/mariadbd)
	d="$dir/my"
	mkdir -p "$d/data"
	user=mysql
	id mysql >/dev/null 2>&1 || user=$(id -un)
	if [ "$(id -u)" -eq 0 ]; then
		chown -R "$user" "$d"
		chmod 755 "$dir"
	fi
	port=$(free_port)
	sock="$d/mysqld.sock"
	mariadb-install-db --no-defaults --user="$user" --datadir="$d/data" \
	    --skip-test-db --auth-root-authentication-method=socket \
	    >"$d/install.log" 2>&1 || {
		cat "$d/install.log" >&2
		return 1
	}
	setsid "$mysqld" --no-defaults --user="$user" --datadir="$d/data" \
	    --port="$port" --bind-address=127.0.0.1 --socket="$sock" \
	    --pid-file="$d/mysqld.pid" --log-error="$d/error.log" \
	    --skip-name-resolve --character-set-server=utf8mb4 \
	    --collation-server=utf8mb4_general_ci --local-infile=1 \
	    --innodb-flush-log-at-trx-commit=0 --innodb-doublewrite=0 \
	    --skip-log-bin </dev/null >/dev/null 2>&1 &
	i=0
	until mariadb-admin --no-defaults --socket="$sock" -uroot ping \
	    >/dev/null 2>&1; do
		i=$((i + 1))
		if [ $i -gt 300 ]; then
			echo "servers: MariaDB did not start" >&2
			cat "$d/error.log" >&2
			return 1
		fi
		sleep 0.1
	done
	admin="mariadb --no-defaults --socket=$sock -uroot"
	$admin <<SQL
CREATE DATABASE projsync CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci;
CREATE USER 'projsync'@'127.0.0.1' IDENTIFIED VIA mysql_native_password USING PASSWORD('$MY_PASSWORD');
CREATE USER 'projsync'@'localhost' IDENTIFIED VIA mysql_native_password USING PASSWORD('$MY_PASSWORD');
GRANT ALL ON *.* TO 'projsync'@'127.0.0.1' WITH GRANT OPTION;
GRANT ALL ON *.* TO 'projsync'@'localhost' WITH GRANT OPTION;
SQL
	{
		echo "PROJSYNC_TEST_MY_DSN='host=127.0.0.1 port=$port user=projsync database=projsync'"
		echo "PROJSYNC_TEST_MY_PASSWORD='$MY_PASSWORD'"
		echo "PROJSYNC_TEST_MY_ADMIN='$admin'"
		echo "PROJSYNC_TEST_MY_PORT=$port"
		echo "PROJSYNC_TEST_MY_SOCKET='$sock'"
		echo "export PROJSYNC_TEST_MY_DSN PROJSYNC_TEST_MY_PASSWORD PROJSYNC_TEST_MY_ADMIN PROJSYNC_TEST_MY_PORT PROJSYNC_TEST_MY_SOCKET"
	} >>"$dir/env"
}

stop_my() {
	pidfile="$dir/my/mysqld.pid"
	[ -f "$pidfile" ] || return 0
	pid=$(cat "$pidfile")
	kill -TERM "$pid" 2>/dev/null || return 0
	i=0
	while kill -0 "$pid" 2>/dev/null && [ $i -lt 300 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}

case "$cmd" in
start)
	mkdir -p "$dir"
	: >"$dir/env"
	rc=0
	start_pg || rc=1
	start_my || rc=1
	exit $rc
	;;
stop)
	stop_pg
	stop_my
	;;
*)
	echo "usage: tests/servers.sh start|stop DIR" >&2
	exit 2
	;;
esac
