#!/usr/bin/env bash
# Heap of stored datasets (issue 16): the service in a 1 GiB heap takes N uploads of a 40 MB CSV of one-digit numbers
# (1,000,000 rows x 20 columns: 160 MB of doubles once decoded) and prints, after each, the status, the time and the
# heap used after a full GC (jcmd GC.run, then /actuator/metrics jvm.memory.used area=heap), then the listing and RSS.
# Runs compiled classes, not the jar: CLASSES=dir (default target/classes, built by ./mvnw compile) on the project's
# dependency classpath, so an older build (e.g. `git archive <commit>` compiled elsewhere) is measured the same way.
# Usage: bench/datasets_heap.sh [uploads, default 8]. Env: HEAP (default 1g), CLASSES, PORT.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-8}
HEAP=${HEAP:-1g}
CLASSES=${CLASSES:-target/classes}
PORT=${PORT:-18083}
mkdir -p target/bench
CSV=target/bench/digits-1000000x20.csv
if [ ! -s "$CSV" ]; then
  python3 - "$CSV.tmp" <<'PY'
import random, sys
random.seed(1)
with open(sys.argv[1], "w") as f:
    f.write(",".join(f"c{i}" for i in range(20)) + "\n")
    for _ in range(20):
        f.write("".join(",".join(random.choice("0123456789") for _ in range(20)) + "\n" for _ in range(50_000)))
PY
  mv "$CSV.tmp" "$CSV"
fi
[ -s target/bench/classpath.txt ] || ./mvnw -B -q -o dependency:build-classpath -Dmdep.outputFile=target/bench/classpath.txt
DATA=$(mktemp -d)
java --add-modules jdk.incubator.vector -Xmx"$HEAP" -XX:+UseSerialGC -cp "$CLASSES:$(cat target/bench/classpath.txt)" \
  dev.bnserve.BnserveApplication --server.port="$PORT" --bnserve.data-dir="$DATA" --spring.main.banner-mode=off \
  --bnserve.warmup.http=false --bnserve.training.warmup=false --logging.level.root=warn > "$DATA.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null; rm -rf "$DATA" "$DATA.log"' EXIT
for _ in $(seq 1 120); do curl -fs "localhost:$PORT/ping" >/dev/null 2>&1 && break; sleep 0.5; done
heap() {
  jcmd $PID GC.run >/dev/null
  curl -s "localhost:$PORT/actuator/metrics/jvm.memory.used?tag=area:heap" |
    python3 -c 'import json, sys; print(round(json.load(sys.stdin)["measurements"][0]["value"] / 2**20))'
}
echo "-Xmx$HEAP, $(stat -c %s "$CSV") bytes a CSV; heap after start: $(heap) MiB"
for i in $(seq 1 "$N"); do
  t0=$(date +%s.%N)
  code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: text/csv' --data-binary @"$CSV" \
    "localhost:$PORT/datasets?name=d$i")
  t1=$(date +%s.%N)
  printf 'upload %d -> %s in %.1f s, heap %s MiB\n' "$i" "$code" "$(awk -v a="$t0" -v b="$t1" 'BEGIN{print b - a}')" "$(heap)"
done
echo "listed: $(curl -s "localhost:$PORT/datasets" | python3 -c 'import json, sys; print(len(json.load(sys.stdin)))')" \
  "datasets; RSS $(( $(ps -o rss= -p $PID) / 1024 )) MiB (mapped dataset pages count there: page cache, not heap)"
