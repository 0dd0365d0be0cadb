#!/usr/bin/env bash
# Accuracy on a real-world table: bnserve's defaults on examples/cars.csv (label Origin; Name ignored by the
# service as too many levels; Horsepower and Miles_per_Gallon have empty cells; Year is an ISO date) over
# seeds 0..4, beside the same recipe in PyTorch + scikit-learn (bench/cars_ref.py) in the same run.
# Usage: bench/cars.sh   (SEEDS="0 1 2 3 4" PORT=18090 JAVA=... JAR=... also honoured)
# The splits differ between the two (bnserve's seeded permutation vs sklearn's train_test_split with the same
# seed), so compare the means and spreads, not seed by seed.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
SEEDS=${SEEDS:-"0 1 2 3 4"}
JAVA=${JAVA:-$(newest_java)}
JAVA=${JAVA:-java}
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
# A free port: the one asked for, else the first free one from 18090 up.
port_free() { ! (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null; }
if [ -z "${PORT:-}" ]; then PORT=18090; while ! port_free $PORT; do PORT=$((PORT + 1)); done; fi

service_jar
DATA=$(mktemp -d)
"$JAVA" --add-modules jdk.incubator.vector -jar "$JAR" --server.port=$PORT --bnserve.data-dir="$DATA" \
  --logging.level.root=warn > "$DATA/server.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null || true; wait $PID 2>/dev/null || true; rm -rf "$DATA"' EXIT
for _ in $(seq 1 120); do curl -fs localhost:$PORT/ping >/dev/null 2>&1 && break; sleep 0.5; done
curl -fs localhost:$PORT/ping >/dev/null || { echo "bnserve did not start:" >&2; cat "$DATA/server.log" >&2; exit 1; }

# json FILE EXPR: evaluates a Python expression over the parsed document j.
json() { "$PY" -c 'import json, sys; j = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }

curl -fs -X POST "localhost:$PORT/datasets?name=cars" -H 'Content-Type: text/csv' --data-binary @examples/cars.csv \
  > "$DATA/dataset.json"
DS=$(json "$DATA/dataset.json" 'j["id"]')
echo "server: $("$JAVA" -version 2>&1 | head -1), $(basename "$JAR"), dataset $DS"
RESULTS=""
for s in $SEEDS; do
  curl -fs -X POST localhost:$PORT/models -H 'Content-Type: application/json' \
    -d "{\"dataset\":\"$DS\",\"label\":\"Origin\",\"seed\":$s}" > "$DATA/model.json"
  M=$(json "$DATA/model.json" 'j["id"]')
  for _ in $(seq 1 600); do
    curl -fs localhost:$PORT/models/$M > "$DATA/model.json"
    st=$(json "$DATA/model.json" 'j["status"]')
    [ "$st" = ready ] || [ "$st" = failed ] && break; sleep 0.5
  done
  [ "$st" = ready ] || { echo "model $M for seed $s: $st $(json "$DATA/model.json" 'j.get("error")')" >&2; exit 1; }
  # metrics.validation.{accuracy,logLoss}; older builds only have metrics.validationAccuracy / validationLoss.
  r=$(json "$DATA/model.json" '" ".join(map(str, (lambda m, v: (v.get("accuracy", m.get("validationAccuracy")),
      v.get("logLoss", m.get("validationLoss")), m.get("trainRows"), m.get("validationRows"),
      len(j.get("encodedInputs") or j.get("inputs") or [])))(j["metrics"], j["metrics"].get("validation") or {})))')
  read -r acc ll ntr nva nin <<< "$r"
  printf 'bnserve seed=%s accuracy=%.4f logLoss=%.4f train=%s validation=%s inputs=%s\n' "$s" "$acc" "$ll" "$ntr" "$nva" "$nin"
  RESULTS="$RESULTS $acc,$ll"
done
SUMMARY=$("$PY" -c '
import statistics as st, sys
r = [tuple(map(float, x.split(","))) for x in sys.argv[1:]]
a, l = [x[0] for x in r], [x[1] for x in r]
sd = lambda v: st.stdev(v) if len(v) > 1 else 0.0   # sample std over seeds, as in cars_ref.py
print(f"bnserve: accuracy mean={st.mean(a):.4f} std={sd(a):.4f} logLoss mean={st.mean(l):.4f} std={sd(l):.4f} ({len(r)} seeds)")
' $RESULTS)
echo "$SUMMARY"
kill $PID 2>/dev/null; wait $PID 2>/dev/null || true   # the machine to itself for the reference

if "$PY" -c 'import torch, sklearn, pandas' 2>/dev/null; then
  # OpenBLAS misdetects some AVX-512 virtual CPUs; pin its kernel where the CPU has avx512f.
  grep -qw avx512f /proc/cpuinfo && export OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-SkylakeX}
  "$PY" bench/cars_ref.py examples/cars.csv --label Origin --ignore Name --seeds "$(echo $SEEDS | tr ' ' ,)" \
    | tee "$DATA/ref.txt"
  echo
  echo "$SUMMARY"
  grep '^torch+sklearn:' "$DATA/ref.txt"
else
  echo "bench/cars_ref.py skipped: needs python3-torch, python3-sklearn, python3-pandas (Debian packages)" >&2
fi
