#!/usr/bin/env bash
# CSV scoring: POST /models/{id}/predict with a 1,000,000-row x 32-feature text/csv body, answered as text/csv
# (prediction and five class probabilities per row), timed end to end with curl on loopback.
# The model: hidden [256, 256] with BatchNorm, trained for 2 epochs on 20,000 rows of the same distribution.
# Usage: bench/score.sh [rows, default 1000000]. Env: JAVA, HEAP (default 2g), PORT.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
ROWS=${1:-1000000}
HEAP=${HEAP:-2g}
PORT=${PORT:-18083}
JAVA=${JAVA:-$(newest_java)}
JAVA=${JAVA:-java}

mkdir -p target/bench
CSV=target/bench/synthetic-${ROWS}x32.csv
TRAIN=target/bench/synthetic-20000x32.csv
for f in "$CSV:$ROWS" "$TRAIN:20000"; do
  file=${f%%:*}; n=${f##*:}
  if [ ! -s "$file" ]; then
    echo "generating $file (python3, standard library; about a minute per million rows) ..."
    python3 bench/make_synthetic.py "$n" 32 "$file.tmp" && mv "$file.tmp" "$file"
  fi
done
service_jar
start_service 60
echo "server: $("$JAVA" -version 2>&1 | head -1), -Xmx$HEAP, serial GC"
train_bench_model "$TRAIN"
# warm-up: the JIT compiles the scoring path on a first, smaller file
head -50001 "$CSV" > target/bench/warmup.csv
for _ in 1 2 3; do
  curl -sS -o /dev/null -X POST "localhost:$PORT/models/$MODEL/predict" -H 'Content-Type: text/csv' \
    --data-binary @target/bench/warmup.csv
done
for run in 1 2; do
  t0=$(date +%s.%N)
  code=$(curl -sS -o target/bench/scored.csv -w '%{http_code}' -X POST "localhost:$PORT/models/$MODEL/predict" \
    -H 'Content-Type: text/csv' --data-binary @"$CSV")
  t1=$(date +%s.%N)
  lines=$(($(wc -l < target/bench/scored.csv) - 1))
  awk -v a="$t0" -v b="$t1" -v n="$lines" -v c="$code" -v s="$(stat -c %s "$CSV")" -v o="$(stat -c %s target/bench/scored.csv)" \
    'BEGIN{printf "score run %d: HTTP %s, %d rows (%.0f MB in, %.0f MB out) in %.2f s = %.0f rows/s\n", '"$run"', c, n, s/1e6, o/1e6, b-a, n/(b-a)}'
done
