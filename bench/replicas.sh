#!/usr/bin/env bash
# Two replicas on one PostgreSQL vs one replica: single-row digits predictions with wrk on loopback.
# Usage: bench/replicas.sh [seconds per run, default 20]   (CONNS=16 PORT=18090 JAVA=... also honoured)
# Starts a throwaway PostgreSQL (.ci/postgres.sh, as the postgres user) and two service JVMs on it, trains the
# digits model through replica A, warms both up, then measures (1) wrk against A alone with CONNS connections (B
# idle) and (2) wrk against both replicas at once (CONNS/2 connections each, req/s summed, the worse p99), then (1)
# again, so that JIT warm-up or a neighbour's load shows as a difference between the two single-replica runs.
# Caveat: everything shares this machine's cores (2 here): two replicas and two wrk processes split the same CPUs as
# one, so the figure shows that the replicas serve together without errors, not the scale-out a second machine gives.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
DURATION=${1:-${DURATION:-20}}
CONNS=${CONNS:-16}
PORT=${PORT:-18090}
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
JAVA=${JAVA:-$(newest_java)}
JAVA=${JAVA:-java}
service_jar

WORK=$(mktemp -d /tmp/bnserve-replicas.XXXXXX)
chmod 755 "$WORK"   # the postgres user must reach the cluster directory inside
PIDS=""
cleanup() {
  for p in $PIDS; do kill "$p" 2>/dev/null || true; done
  for p in $PIDS; do wait "$p" 2>/dev/null || true; done
  .ci/postgres.sh --stop "$WORK/pg" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
URL=$(.ci/postgres.sh "$WORK/pg")

start() { # name port
  "$JAVA" --add-modules jdk.incubator.vector -Xms512m -Xmx512m -XX:+UseSerialGC -jar "$JAR" --server.port="$2" \
    --bnserve.store=postgres --spring.datasource.url="$URL" --bnserve.instance-name="$1" \
    --logging.level.root=warn > "$WORK/$1.log" 2>&1 &
  PIDS="$PIDS $!"
  eval "PID_$1=$!"
}
start a $PORT
start b $((PORT + 1))
for p in $PORT $((PORT + 1)); do
  for _ in $(seq 1 240); do curl -fs localhost:$p/actuator/health/readiness >/dev/null 2>&1 && break; sleep 0.5; done
done

DS=$(curl -fs -X POST "localhost:$PORT/datasets?name=digits" -H 'Content-Type: text/csv' --data-binary @examples/digits.csv | sed -E 's/.*"id":"([^"]+)".*/\1/' | head -c 40)
MODEL=$(curl -fs -X POST localhost:$PORT/models -H 'Content-Type: application/json' \
  -d "{\"dataset\":\"$DS\",\"label\":\"digit\",\"task\":\"classification\"}" | sed -E 's/.*"id":"(m-[^"]+)".*/\1/' | head -c 40)
for p in $PORT $((PORT + 1)); do
  for _ in $(seq 1 600); do
    curl -fs -o /dev/null -X POST localhost:$p/models/$MODEL/predict -H 'Content-Type: application/json' \
      -d "$(sed -nE "s/^wrk.body = '(.*)'$/\1/p" bench/predict.lua)" && break
    sleep 0.5
  done
done
echo "server: $("$JAVA" -version 2>&1 | head -1), model $MODEL, trained by $(curl -fs localhost:$((PORT + 1))/models/$MODEL | sed -E 's/.*"trainedBy":"([^"]+)".*/\1/'), $(nproc) cores"

wrk_run() { # conns url -> RESULT line
  wrk -t1 -c"$1" -d"${DURATION}s" --latency -s bench/predict.lua "$2" | grep RESULT
}
field() { sed -E "s/.*$1=([0-9.]+).*/\1/" <<< "$2"; }

# warm-up of both
wrk -t1 -c4 -d5s -s bench/predict.lua "http://localhost:$PORT/models/$MODEL/predict" >/dev/null 2>&1 &
W=$!
wrk -t1 -c4 -d5s -s bench/predict.lua "http://localhost:$((PORT + 1))/models/$MODEL/predict" >/dev/null 2>&1
wait "$W"

one() {
  local r; r=$(wrk -t2 -c"$CONNS" -d"${DURATION}s" --latency -s bench/predict.lua "http://localhost:$PORT/models/$MODEL/predict" | grep RESULT)
  echo "$r"
}
ONE=$(one); echo "one replica, c=$CONNS: ${ONE#RESULT }"
half=$((CONNS / 2))
wrk_run $half "http://localhost:$PORT/models/$MODEL/predict" > "$WORK/ra" &
W=$!
wrk_run $half "http://localhost:$((PORT + 1))/models/$MODEL/predict" > "$WORK/rb"
wait "$W"
RA=$(cat "$WORK/ra"); RB=$(cat "$WORK/rb")
echo "two replicas, A c=$half: ${RA#RESULT }"
echo "two replicas, B c=$half: ${RB#RESULT }"
BOTH=$(awk -v a="$(field req_per_s "$RA")" -v b="$(field req_per_s "$RB")" 'BEGIN{printf "%.0f", a+b}')
P99=$(awk -v a="$(field p99_ms "$RA")" -v b="$(field p99_ms "$RB")" 'BEGIN{printf "%.3f", (a>b?a:b)}')
ERR=$(( $(field errors "$RA") + $(field errors "$RB") ))
ONE2=$(one); echo "one replica again, c=$CONNS: ${ONE2#RESULT }"
echo
printf '| setup | connections | req/s | p99 | errors |\n|---|---|---|---|---|\n'
printf '| two replicas (wrk against each) | %d | %s | %s ms | %s |\n' "$CONNS" "$BOTH" "$P99" "$ERR"
printf '| one replica (B idle), before | %d | %s | %s ms | %s |\n' "$CONNS" "$(field req_per_s "$ONE")" "$(field p99_ms "$ONE")" "$(field errors "$ONE")"
printf '| one replica (B idle), after | %d | %s | %s ms | %s |\n' "$CONNS" "$(field req_per_s "$ONE2")" "$(field p99_ms "$ONE2")" "$(field errors "$ONE2")"
echo "caveat: all on $(nproc) cores (load average $(cut -d' ' -f1-3 /proc/loadavg)); a second machine's replica would"
echo "add its cores, here the replicas and both wrk processes split the same ones."
