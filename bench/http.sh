#!/usr/bin/env bash
# HTTP benchmark: single-row digits predictions vs the same server's no-op endpoint, with wrk on loopback.
# Usage: bench/http.sh [seconds per run, default 30]   (DURATION=30 CONNS="1 16" NOOP=true JAVA=... also honoured)
# Runs on the newest JDK under /usr/lib/jvm (virtual threads need 21+), else the default java, with the serial
# collector: on two cores it leaves both to request threads (G1's concurrent threads cost ~15% and 1-2 ms of p99).
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
DURATION=${1:-${DURATION:-30}}
CONNS=${CONNS:-"1 16"}
PORT=${PORT:-18080}
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
JAVA=${JAVA:-$(newest_java)}
JAVA=${JAVA:-java}
VIRTUAL=false
"$JAVA" -version 2>&1 | grep -qE 'version "(2[1-9]|[3-9][0-9])' && VIRTUAL=true

service_jar
DATA=$(mktemp -d)
"$JAVA" --add-modules jdk.incubator.vector -Xms1g -Xmx1g -XX:+UseSerialGC -jar "$JAR" --server.port=$PORT --bnserve.data-dir="$DATA" \
  --spring.threads.virtual.enabled=$VIRTUAL --logging.level.root=warn > "$DATA/server.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null; rm -rf "$DATA"' EXIT
for _ in $(seq 1 120); do curl -fs localhost:$PORT/ping >/dev/null 2>&1 && break; sleep 0.5; done

DS=$(curl -fs -X POST "localhost:$PORT/datasets?name=digits" -H 'Content-Type: text/csv' --data-binary @examples/digits.csv | sed -E 's/.*"id":"([^"]+)".*/\1/' | head -c 40)
MODEL=$(curl -fs -X POST localhost:$PORT/models -H 'Content-Type: application/json' \
  -d "{\"dataset\":\"$DS\",\"label\":\"digit\",\"task\":\"classification\"}" | sed -E 's/.*"id":"(m-[^"]+)".*/\1/' | head -c 40)
for _ in $(seq 1 300); do curl -fs localhost:$PORT/models/$MODEL | grep -q '"status":"ready"' && break; sleep 0.5; done
echo "server: $("$JAVA" -version 2>&1 | head -1), virtual threads: $VIRTUAL, model $MODEL"

run() { # name conns script url
  wrk -t"$([ "$2" -ge 2 ] && echo 2 || echo 1)" -c"$2" -d5s -s "$3" "$4" >/dev/null 2>&1   # warm-up
  local r; r=$(wrk -t"$([ "$2" -ge 2 ] && echo 2 || echo 1)" -c"$2" -d"${DURATION}s" --latency -s "$3" "$4" | grep RESULT)
  echo "$1 c=$2 ${r#RESULT }"
}
ALL=""
for c in $CONNS; do
  p=$(run predict "$c" bench/predict.lua "http://localhost:$PORT/models/$MODEL/predict"); echo "$p"; ALL="$ALL
$p"
  [ "${NOOP:-true}" = true ] || continue
  n=$(run noop "$c" bench/noop.lua "http://localhost:$PORT/ping"); echo "$n"
  pr=$(echo "$p" | sed -E 's/.*req_per_s=([0-9]+).*/\1/'); nr=$(echo "$n" | sed -E 's/.*req_per_s=([0-9]+).*/\1/')
  echo "ratio predict/noop c=$c: $(awk -v a="$pr" -v b="$nr" 'BEGIN{printf "%.2f", a/b}')"
done

# FastAPI + PyTorch doing the same job (bench/fastapi_ref.py), where Debian's python3-torch, python3-fastapi and
# python3-uvicorn are installed (python3-httptools and python3-uvloop make it ~10x faster; uvicorn picks them up).
if [ "${FASTAPI:-auto}" != false ] && /usr/bin/python3 -c 'import torch, fastapi, uvicorn' 2>/dev/null; then
  FPORT=$((PORT + 10))
  kill $PID 2>/dev/null; wait $PID 2>/dev/null || true   # the machine to itself
  /usr/bin/python3 bench/fastapi_ref.py $FPORT "${FASTAPI_WORKERS:-$(nproc)}" > "$DATA/fastapi.log" 2>&1 &
  FPID=$!
  trap 'kill $PID $FPID 2>/dev/null; wait $PID 2>/dev/null; pkill -f "fastapi_ref.py $FPORT" 2>/dev/null; rm -rf "$DATA"' EXIT
  for _ in $(seq 1 120); do curl -fs -o /dev/null -X POST localhost:$FPORT/predict -H 'Content-Type: application/json' \
    -d "{\"features\":[$(seq -s, 0 63 | sed 's/[0-9]\+/0/g')]}" 2>/dev/null && break; sleep 0.5; done
  echo "fastapi: $(/usr/bin/python3 -c 'import fastapi, uvicorn, torch; print("fastapi", fastapi.__version__, "uvicorn", uvicorn.__version__, "torch", torch.__version__)'), ${FASTAPI_WORKERS:-$(nproc)} workers"
  for c in $CONNS; do
    f=$(run fastapi "$c" bench/predict.lua "http://127.0.0.1:$FPORT/predict"); echo "$f"
    pr=$(grep -o "predict c=$c req_per_s=[0-9]*" <<< "$ALL" | sed -E 's/.*=//' || true)
    fr=$(echo "$f" | sed -E 's/.*req_per_s=([0-9]+).*/\1/')
    [ -n "$pr" ] && echo "ratio bnserve/fastapi c=$c: $(awk -v a="$pr" -v b="$fr" 'BEGIN{printf "%.1f", a/b}')"
  done
  pkill -f "fastapi_ref.py $FPORT" 2>/dev/null || true
fi
