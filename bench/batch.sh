#!/usr/bin/env bash
# Batch prediction: JSON predict of 10,000-row requests and CSV scoring of 1,000,000 rows through HTTP, for a
# 32 -> [256, 256] -> 5 model (BatchNorm, trained 2 epochs on 20,000 rows), beside a Python peer doing the same work
# in process (bench/batch_ref.py: json + PyTorch eval; pandas read_csv + eval + to_csv), and the machine's float64
# FMA peak (bench/fma_peak.c) measured in the same run. The machine may be shared: the load average is printed with
# every figure; compare ratios from one run.
# Usage: bench/batch.sh. Env: JAVA, HEAP (default 2g), PORT, JAR, RUNS (JSON requests timed, default 20),
# CSV_ROWS (default 1000000), PY (default /usr/bin/python3).
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
HEAP=${HEAP:-2g}
PORT=${PORT:-18085}
RUNS=${RUNS:-20}
CSV_ROWS=${CSV_ROWS:-1000000}
PY=${PY:-/usr/bin/python3}
JAVA=${JAVA:-$(newest_java)}
JAVA=${JAVA:-java}
load() { cut -d' ' -f1-3 /proc/loadavg; }

mkdir -p target/bench
CSV=target/bench/synthetic-${CSV_ROWS}x32.csv
TRAIN=target/bench/synthetic-20000x32.csv
for f in "$CSV:$CSV_ROWS" "$TRAIN:20000"; do
  file=${f%%:*}; n=${f##*:}
  if [ ! -s "$file" ]; then
    echo "generating $file (python3, standard library; about a minute per million rows) ..."
    python3 bench/make_synthetic.py "$n" 32 "$file.tmp" && mv "$file.tmp" "$file"
  fi
done
REQ=target/bench/instances-10000.json
if [ ! -s "$REQ" ]; then
  python3 - "$CSV" "$REQ" <<'PYEOF'
import csv, json, sys
rows = []
with open(sys.argv[1]) as f:
    r = csv.reader(f); next(r)
    for row in r:
        rows.append([float(v) for v in row[:32]])
        if len(rows) == 10000: break
open(sys.argv[2], "w").write(json.dumps({"instances": rows}))
PYEOF
fi
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load average $(load)"
OPENBLAS=
grep -q avx512f /proc/cpuinfo && OPENBLAS=SkylakeX
if gcc -O2 -march=native -pthread bench/fma_peak.c -o target/bench/fma_peak 2>/dev/null; then
  echo "float64 FMA peak (bench/fma_peak.c): $(target/bench/fma_peak 1); $(target/bench/fma_peak "$(nproc)"); load $(load)"
fi

service_jar
start_service 240
echo "server: $("$JAVA" -version 2>&1 | head -1), -Xmx$HEAP, serial GC, jar $JAR"
train_bench_model "$TRAIN"

# JSON: 10,000 rows per request; warm-up, then RUNS requests one after another, median and best
post() { curl -sS -o "$1" -w '%{time_total}\n' -X POST "localhost:$PORT/models/$MODEL/predict" -H "Content-Type: $2" --data-binary @"$3"; }
for _ in $(seq 1 30); do post /dev/null application/json "$REQ" >/dev/null; done
TIMES=$(for _ in $(seq 1 "$RUNS"); do post /dev/null application/json "$REQ"; done | sort -n)
MED=$(echo "$TIMES" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
BEST=$(echo "$TIMES" | head -1)
post target/bench/answer.json application/json "$REQ" >/dev/null
grep -q '"predictions"' target/bench/answer.json || { echo "bad answer: $(head -c 300 target/bench/answer.json)"; exit 1; }
JROWS=$(awk -v t="$MED" 'BEGIN{printf "%.0f", 10000 / t}')
printf 'bnserve JSON predict, 10,000 rows (%s bytes) per request over HTTP: median %.1f ms (best %.1f) = %s rows/s; load %s\n' \
  "$(stat -c %s "$REQ")" "$(awk -v t="$MED" 'BEGIN{print t * 1000}')" "$(awk -v t="$BEST" 'BEGIN{print t * 1000}')" "$JROWS" "$(load)"

# CSV scoring: warm-up on 50,000 rows, then the whole file twice
head -50001 "$CSV" > target/bench/warmup.csv
for _ in 1 2 3; do post /dev/null text/csv target/bench/warmup.csv >/dev/null; done
CBEST=1e9
for run in 1 2; do
  t=$(post target/bench/scored.csv text/csv "$CSV")
  lines=$(($(wc -l < target/bench/scored.csv) - 1))
  [ "$lines" = "$CSV_ROWS" ] || { echo "scoring answered $lines rows: $(head -c 300 target/bench/scored.csv)"; exit 1; }
  printf 'bnserve CSV scoring %d: %s rows in %.2f s = %.0f rows/s (%s MB in, %s MB out); load %s\n' "$run" "$lines" "$t" \
    "$(awk -v n="$lines" -v t="$t" 'BEGIN{print n / t}')" "$(($(stat -c %s "$CSV") / 1000000))" \
    "$(($(stat -c %s target/bench/scored.csv) / 1000000))" "$(load)"
  CBEST=$(awk -v a="$CBEST" -v b="$t" 'BEGIN{print (b < a) ? b : a}')
done
echo "bnserve peak RSS (VmHWM): $(awk '/VmHWM/ {printf "%.0f MiB", $2 / 1024}' /proc/$PID/status)"
kill $PID 2>/dev/null; wait $PID 2>/dev/null || true
CROWS=$(awk -v n="$CSV_ROWS" -v t="$CBEST" 'BEGIN{printf "%.0f", n / t}')

if "$PY" -c 'import torch, pandas' 2>/dev/null; then
  set -- $(OPENBLAS_CORETYPE=$OPENBLAS "$PY" bench/batch_ref.py json "$REQ" "$RUNS")
  PJ=$2
  echo "python peer, JSON (json.loads + torch eval + json.dumps, in process, best of $RUNS): $(awk -v t="$1" 'BEGIN{printf "%.1f", t * 1000}') ms = $PJ rows/s (${*:3}); load $(load)"
  set -- $(OPENBLAS_CORETYPE=$OPENBLAS "$PY" bench/batch_ref.py csv "$CSV" target/bench/scored-ref.csv 1)
  PC=$2
  echo "python peer, CSV (read_csv + torch eval + to_csv, in process): $1 s = $PC rows/s (${*:3}); load $(load)"
  printf 'SUMMARY JSON batch: bnserve %s rows/s (HTTP) vs peer %s rows/s (in process) = %.2fx (target >= 5x)\n' "$JROWS" "$PJ" \
    "$(awk -v a="$JROWS" -v b="$PJ" 'BEGIN{print a / b}')"
  printf 'SUMMARY CSV scoring: bnserve %s rows/s vs peer %s rows/s = %.2fx (targets >= 5x and >= 500,000 rows/s); load %s\n' \
    "$CROWS" "$PC" "$(awk -v a="$CROWS" -v b="$PC" 'BEGIN{print a / b}')" "$(load)"
else
  echo "no torch/pandas under $PY: bnserve alone (JSON $JROWS rows/s, CSV $CROWS rows/s)"
fi
