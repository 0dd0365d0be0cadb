#!/usr/bin/env bash
# Ingest: a 1,000,000-row x 32-feature CSV (273 MB, bench/make_synthetic.py) uploaded with curl to POST /datasets,
# beside pandas read_csv of the same file in the same run. Prints MB/s for both, the ratio, the JVM's peak RSS
# (VmHWM) and the machine's load average (the machine may be shared: compare ratios from one run).
# Usage: bench/ingest.sh [rows, default 1000000]. Env: JAVA, HEAP (default 2g), PORT, RUNS (default 3), JAR.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
ROWS=${1:-1000000}
HEAP=${HEAP:-2g}
PORT=${PORT:-18084}
RUNS=${RUNS:-3}
JAVA=${JAVA:-$(newest_java)}
JAVA=${JAVA:-java}
PY=${PY:-/usr/bin/python3}

mkdir -p target/bench
CSV=target/bench/synthetic-${ROWS}x32.csv
if [ ! -s "$CSV" ]; then
  echo "generating $CSV (python3, standard library; about a minute per million rows) ..."
  python3 bench/make_synthetic.py "$ROWS" 32 "$CSV.tmp" && mv "$CSV.tmp" "$CSV"
fi
BYTES=$(stat -c %s "$CSV")
MB=$(awk -v b="$BYTES" 'BEGIN{printf "%.1f", b / 1e6}')
service_jar
DATA=$(mktemp -d)
"$JAVA" --add-modules jdk.incubator.vector -Xmx"$HEAP" -XX:+UseSerialGC -jar "$JAR" --server.port="$PORT" \
  --bnserve.data-dir="$DATA" --logging.level.root=warn > "$DATA/server.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null; rm -rf "$DATA"' EXIT
for _ in $(seq 1 480); do curl -fs "localhost:$PORT/ping" >/dev/null 2>&1 && break; sleep 0.5; done
rss() { awk '/VmHWM/ {printf "%.0f MiB", $2 / 1024}' /proc/$PID/status; }
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "file: $CSV, $MB MB; server: $("$JAVA" -version 2>&1 | head -1), -Xmx$HEAP, serial GC, jar $JAR"
best=
for run in $(seq 1 "$RUNS"); do
  t0=$(date +%s.%N)
  UP=$(curl -sS -X POST "localhost:$PORT/datasets?name=ingest$run" -H 'Content-Type: text/csv' --data-binary @"$CSV")
  t1=$(date +%s.%N)
  DS=$(echo "$UP" | sed -nE 's/.*"id":"([^"]+)".*/\1/p' | head -c 40)
  [ -n "$DS" ] || { echo "upload failed: ${UP:0:500}"; tail -20 "$DATA/server.log"; exit 1; }
  s=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.3f", b - a}')
  printf 'bnserve upload %d: %s rows in %s s = %.0f MB/s (stored; load %s)\n' "$run" \
    "$(echo "$UP" | sed -nE 's/.*"rows":([0-9]+).*/\1/p')" "$s" "$(awk -v m="$MB" -v s="$s" 'BEGIN{print m / s}')" \
    "$(cut -d' ' -f1 /proc/loadavg)"
  curl -sS -o /dev/null -X DELETE "localhost:$PORT/datasets/$DS"
  best=$(awk -v a="${best:-1e9}" -v b="$s" 'BEGIN{print (b < a) ? b : a}')
done
echo "bnserve peak RSS (VmHWM): $(rss)"
kill $PID 2>/dev/null; wait $PID 2>/dev/null || true
if "$PY" -c 'import pandas' 2>/dev/null; then
  PD=$("$PY" - "$CSV" "$RUNS" <<'EOF'
import sys, time, resource, pandas as pd
best = 1e9
for i in range(int(sys.argv[2])):
    t0 = time.perf_counter(); df = pd.read_csv(sys.argv[1]); t = time.perf_counter() - t0
    best = min(best, t); del df
print(f"{best:.3f} {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} {pd.__version__}")
EOF
)
  set -- $PD
  printf 'pandas %s read_csv (best of %s): %s s = %.0f MB/s, peak RSS %s MiB\n' "$3" "$RUNS" "$1" \
    "$(awk -v m="$MB" -v s="$1" 'BEGIN{print m / s}')" "$2"
  printf 'SUMMARY ingest %s MB: bnserve %.0f MB/s (best of %s), pandas %.0f MB/s, ratio %.2fx (target >= 2x); load %s\n' \
    "$MB" "$(awk -v m="$MB" -v s="$best" 'BEGIN{print m / s}')" "$RUNS" "$(awk -v m="$MB" -v s="$1" 'BEGIN{print m / s}')" \
    "$(awk -v a="$best" -v b="$1" 'BEGIN{print b / a}')" "$(cut -d' ' -f1-3 /proc/loadavg)"
else
  echo "pandas not importable with $PY: bnserve alone ($(awk -v m="$MB" -v s="$best" 'BEGIN{printf "%.0f", m / s}') MB/s)"
fi
