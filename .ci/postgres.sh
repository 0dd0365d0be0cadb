#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests, in DIR, on a free loopback port.
#   .ci/postgres.sh DIR          initdb (if needed) and start (again on the same port, for a DIR used before);
#                                prints the JDBC URL on stdout
#   .ci/postgres.sh --stop DIR   stop it (fast shutdown)
# The server refuses to run as root, so everything runs as the postgres user (which owns DIR/data). Trust
# authentication on 127.0.0.1 only: a cluster for tests, never for data anyone keeps.
set -euo pipefail

bin=""
for v in 17 16 15 14 13; do
  if [ -x "/usr/lib/postgresql/$v/bin/pg_ctl" ]; then bin="/usr/lib/postgresql/$v/bin"; break; fi
done
if [ -z "$bin" ]; then
  echo "postgres.sh: no PostgreSQL server under /usr/lib/postgresql/*/bin (apt-get install postgresql)" >&2
  exit 1
fi

as_postgres() {
  if [ "$(id -un)" = postgres ]; then sh -c "$1"; else su postgres -s /bin/sh -c "$1"; fi
}

if [ "${1:-}" = "--stop" ]; then
  dir="$(cd "${2:?usage: postgres.sh --stop DIR}" && pwd)"
  as_postgres "'$bin/pg_ctl' -D '$dir/data' -m fast -w stop" >&2 || true
  exit 0
fi

dir="${1:?usage: postgres.sh DIR | --stop DIR}"
mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"
chown postgres "$dir" 2>/dev/null || true
if [ ! -f "$dir/data/PG_VERSION" ]; then
  as_postgres "'$bin/initdb' -D '$dir/data' -A trust -U postgres -E UTF8 --locale=C.UTF-8 >'$dir/initdb.log' 2>&1" \
    || { cat "$dir/initdb.log" >&2; exit 1; }
fi
# a cluster started before comes back on its port (the tests stop and restart it)
if [ -f "$dir/port" ]; then port="$(cat "$dir/port")"; else port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null \
  || shuf -i 20000-60000 -n 1); fi
# max_connections: every test service JVM holds a small pool plus one listening connection.
as_postgres "'$bin/pg_ctl' -D '$dir/data' -l '$dir/server.log' -w -t 60 \
  -o \"-c listen_addresses=127.0.0.1 -p $port -k '$dir' -c max_connections=300 -c fsync=on\" start" >&2 \
  || { tail -20 "$dir/server.log" >&2; exit 1; }
echo "$port" >"$dir/port"
echo "jdbc:postgresql://127.0.0.1:$port/postgres?user=postgres"
