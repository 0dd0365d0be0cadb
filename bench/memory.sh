#!/usr/bin/env bash
# Memory: the service, in a 1 GiB heap, takes a 1,000,000-row x 32-feature CSV upload and trains on it (hidden
# [256, 256] with BatchNorm, batch 256), through the same HTTP path a user takes. Prints the upload and training
# figures, the JVM's peak RSS (VmHWM) and its heap after training.
# Usage: bench/memory.sh [rows, default 1000000] [epochs, default 1]. Env: JAVA, HEAP (default 1g), PORT.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
ROWS=${1:-1000000}
EPOCHS=${2:-1}
HEAP=${HEAP:-1g}
PORT=${PORT:-18082}
JAVA=${JAVA:-$(newest_java)}
JAVA=${JAVA:-java}

mkdir -p target/bench
CSV=target/bench/synthetic-${ROWS}x32.csv
if [ ! -s "$CSV" ]; then
  echo "generating $CSV (python3, standard library; about a minute per million rows) ..."
  python3 bench/make_synthetic.py "$ROWS" 32 "$CSV.tmp" && mv "$CSV.tmp" "$CSV"
fi
service_jar
DATA=$(mktemp -d)
"$JAVA" --add-modules jdk.incubator.vector -Xmx"$HEAP" -XX:+UseSerialGC -jar "$JAR" --server.port="$PORT" \
  --bnserve.data-dir="$DATA" --logging.level.root=warn > "$DATA/server.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null; rm -rf "$DATA"' EXIT
for _ in $(seq 1 120); do curl -fs "localhost:$PORT/ping" >/dev/null 2>&1 && break; sleep 0.5; done
rss() { awk '/VmHWM/ {printf "%.0f MiB", $2 / 1024}' /proc/$PID/status; }
echo "server: $("$JAVA" -version 2>&1 | head -1), -Xmx$HEAP, serial GC; peak RSS after start: $(rss)"

t0=$(date +%s.%N)
UP=$(curl -sS -X POST "localhost:$PORT/datasets?name=synthetic" -H 'Content-Type: text/csv' --data-binary @"$CSV")
t1=$(date +%s.%N)
DS=$(echo "$UP" | sed -nE 's/.*"id":"([^"]+)".*/\1/p' | head -c 40)
[ -n "$DS" ] || { echo "upload failed: ${UP:0:500}"; tail -20 "$DATA/server.log"; exit 1; }
printf 'upload: %s bytes, %s rows in %.1f s; peak RSS so far: %s\n' "$(stat -c %s "$CSV")" \
  "$(echo "$UP" | sed -nE 's/.*"rows":([0-9]+).*/\1/p')" "$(awk -v a="$t0" -v b="$t1" 'BEGIN{print b - a}')" "$(rss)"

MODEL=$(curl -sS -X POST "localhost:$PORT/models" -H 'Content-Type: application/json' -d "{\"dataset\":\"$DS\",\"label\":\"label\",
  \"task\":\"classification\",\"hidden\":[256,256],\"batchSize\":256,\"epochs\":$EPOCHS,\"validationSplit\":0.1}" \
  | sed -nE 's/.*"id":"(m-[^"]+)".*/\1/p' | head -c 40)
while true; do
  M=$(curl -fs "localhost:$PORT/models/$MODEL")
  S=$(echo "$M" | sed -nE 's/.*"status":"([a-z]+)".*/\1/p')
  [ "$S" = ready ] || [ "$S" = failed ] || [ "$S" = cancelled ] && break
  sleep 1
done
echo "training: status $S, $(echo "$M" | grep -oE '"(trainRows|samplesPerSecond|trainingSeconds)":[0-9.e+-]+' | tr '\n' ' ')"
echo "$M" | grep -oE '"validationAccuracy":[0-9.]+' | tail -1 || true
[ "$S" = ready ] || echo "error: $(echo "$M" | sed -nE 's/.*"error":"([^"]*)".*/\1/p')"
JCMD=$(dirname "$(readlink -f "$(command -v "$JAVA")")")/jcmd
HEAP_USED=$("$JCMD" "$PID" GC.heap_info 2>/dev/null | sed -nE 's/.*total ([0-9]+K), used ([0-9]+K).*/used \2 of \1/p' | head -1 || true)
echo "peak RSS (VmHWM) of the JVM: $(rss); heap now: ${HEAP_USED:-n/a}"
[ "$S" = ready ]
