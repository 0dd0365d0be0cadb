#!/usr/bin/env bash
# Prediction latency/throughput of bnserve's compiled InferencePlan (dev.bnserve.bench.PredictBenchmark) on the
# digits model, next to PyTorch's single-row eval latency (bench/torch_ref.py's predict1_us) on the same model recipe.
# Usage: bench/predict.sh [extra PredictBenchmark args, e.g. --calls 500000]
# Env: JAVAS="java /usr/lib/jvm/temurin-25-jdk-amd64/bin/java" (JVMs to measure; default: system `java` and the
#      newest JDK under /usr/lib/jvm if different), TORCH=0 (skip PyTorch).
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh

if [ -z "${JAVAS:-}" ]; then
  NEWEST=$(newest_java)
  JAVAS=$(command -v java || true)
  if [ -n "$NEWEST" ] && [ "$(readlink -f "$NEWEST")" != "$(readlink -f "${JAVAS:-/nonexistent}")" ]; then JAVAS="$JAVAS $NEWEST"; fi
fi

bench_classpath

echo "# $(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) cores; $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
declare -a SUMMARY
for J in $JAVAS; do
  echo; echo "== bnserve on $("$J" -version 2>&1 | head -1)"
  out=$("$J" --add-modules jdk.incubator.vector -cp "$CP" dev.bnserve.bench.PredictBenchmark "$@" 2>&1) \
    || { echo "$out" >&2; exit 1; }
  echo "$out" | grep -v '^WARNING'
  SUMMARY+=("$(echo "$out" | grep '^bnserve predict1_us') java=$("$J" -version 2>&1 | sed -nE '1s/.*version "([^"]+)".*/\1/p')")
done

PY=/usr/bin/python3
if [ "${TORCH:-1}" != 0 ] && [ -x "$PY" ] && "$PY" -c 'import torch' 2>/dev/null; then
  grep -qw avx512f /proc/cpuinfo && export OPENBLAS_CORETYPE=SkylakeX
  echo; echo "== PyTorch: torch_ref.py on the digits model (30 epochs; predict1_us = mean eval latency of one row, 2000 calls)"
  for dt in float32 float64; do
    line=$("$PY" bench/torch_ref.py examples/digits.csv --label digit --hidden 64,64 --batch 32 --epochs 30 --threads 2 --dtype $dt)
    echo "$line"
    SUMMARY+=("$(echo "$line" | sed -E 's/.*(dtype=[a-z0-9]+).*(predict1_us=[0-9.]+).*/torch \2 \1/')")
  done
  # Same with 1 intra-op thread (PyTorch's usual advice for single-row serving).
  line=$("$PY" bench/torch_ref.py examples/digits.csv --label digit --hidden 64,64 --batch 32 --epochs 30 --threads 1 --dtype float32)
  echo "$line"
  SUMMARY+=("$(echo "$line" | sed -E 's/.*(dtype=[a-z0-9]+).*(predict1_us=[0-9.]+).*/torch \2 \1 threads=1/')")
else
  echo; echo "(PyTorch not available: bnserve figures only)"
fi
echo; echo "== summary: single-row prediction, digits model (mean latency per row, lower is better)"
printf '  %s\n' "${SUMMARY[@]}"
