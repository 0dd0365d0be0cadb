#!/usr/bin/env bash
# Start-up time: from `java -jar` to the first 200 of /actuator/health, the median of 5 starts, on an empty data
# directory and on one holding 100 stored models, on each JDK. See bench/README.md.
# Usage: bench/startup.sh
# Env: JAVAS="java /usr/lib/jvm/temurin-25-jdk-amd64/bin/java" (default: the system java and the newest JDK under
#      /usr/lib/jvm), RUNS=5, MODELS=100, JAR=target/bnserve-*.jar (built if missing), JAVA_OPTS (extra JVM flags),
#      AOT=1 (default) also measures each JDK on the extracted jar with its start-up cache: JDK 25 an AOT cache
#      (-XX:AOTCache, written by one run with -XX:AOTCacheOutput), JDK 17 a CDS archive (-XX:SharedArchiveFile, from
#      -XX:ArchiveClassesAtExit); KEEP=DIR keeps a copy of the 100-model data dir.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh

RUNS=${RUNS:-5}
MODELS=${MODELS:-100}
AOT=${AOT:-1}
JAVAS=${JAVAS:-"$(command -v java) $(newest_java)"}
service_jar
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
port_free() { ! (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null; }
free_port() { local p=18190; while ! port_free $p; do p=$((p + 1)); done; echo $p; }
WORK=$(mktemp -d /tmp/bnserve-startup.XXXXXX)
PID=""
trap '[ -n "$PID" ] && kill $PID 2>/dev/null; rm -rf "$WORK"' EXIT
FLAGS="--add-modules jdk.incubator.vector ${JAVA_OPTS:-}"

# start JAVA DATA_DIR LOG [extra flags...]: launches the service (the jar in RUNJAR, default the fat jar), sets
# PID and PORT
start() {
  local java=$1 data=$2 log=$3; shift 3
  PORT=$(free_port)
  # shellcheck disable=SC2086
  "$java" $FLAGS "$@" -jar "${RUNJAR:-$JAR}" --server.port=$PORT --bnserve.data-dir="$data" > "$log" 2>&1 &
  PID=$!
}
stop() { kill $PID 2>/dev/null || true; wait $PID 2>/dev/null || true; PID=""; }
# one_start JAVA DATA_DIR [flags]: "WALL CPU": milliseconds from launch to a 200 from /actuator/health, and the
# CPU time (user + system, all threads) the JVM had used by then. On a loaded machine the wall time grows with the
# load; the CPU time much less, so it is printed beside it.
TICK_MS=$((1000 / $(getconf CLK_TCK)))
one_start() {
  local java=$1 data=$2; shift 2
  local t0 t1 cpu s
  t0=$(date +%s%N)
  start "$java" "$data" "$WORK/server.log" "$@"
  until curl -fs -o /dev/null "localhost:$PORT/actuator/health" 2>/dev/null; do
    kill -0 $PID 2>/dev/null || { echo "the service died:" >&2; cat "$WORK/server.log" >&2; exit 1; }
    sleep 0.005
  done
  t1=$(date +%s%N)
  s=$(sed -E 's/.*\) //' /proc/$PID/stat); set -- $s; cpu=$(( (${12} + ${13}) * TICK_MS ))
  stop
  echo "$(( (t1 - t0) / 1000000 )) $cpu"
}
median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

# --- a data directory with MODELS stored models: one digits model trained through the API, stored MODELS times
# under fresh ids (the store loads and compiles every one at start-up)
EMPTY=$WORK/empty
FULL=$WORK/full
mkdir -p "$EMPTY" "$FULL"
J0=$(echo $JAVAS | cut -d' ' -f1)
start "$J0" "$FULL" "$WORK/seed.log"
for _ in $(seq 1 240); do curl -fs -o /dev/null "localhost:$PORT/actuator/health" 2>/dev/null && break; sleep 0.25; done
DS=$(curl -fs -X POST "localhost:$PORT/datasets?name=digits" -H 'Content-Type: text/csv' --data-binary @examples/digits.csv \
  | "$PY" -c 'import json, sys; print(json.load(sys.stdin)["id"])')
M=$(curl -fs -X POST "localhost:$PORT/models" -H 'Content-Type: application/json' \
  -d "{\"dataset\":\"$DS\",\"label\":\"digit\",\"epochs\":2}" | "$PY" -c 'import json, sys; print(json.load(sys.stdin)["id"])')
for _ in $(seq 1 600); do
  st=$(curl -fs "localhost:$PORT/models/$M" | "$PY" -c 'import json, sys; print(json.load(sys.stdin)["status"])')
  [ "$st" = ready ] && break
  [ "$st" = failed ] && { echo "seed model failed" >&2; exit 1; }
  sleep 0.25
done
stop
"$PY" - "$FULL/models" "$M" "$MODELS" <<'EOF'
import json, os, random, sys
d, seed_id, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
doc = json.load(open(os.path.join(d, seed_id + ".json")))
rng = random.Random(0)
for i in range(n - 1):
    mid = seed_id[:14] + "".join(rng.choice("0123456789abcdefghijklmnopqrstuv") for _ in range(10))
    doc["id"] = mid
    json.dump(doc, open(os.path.join(d, mid + ".json"), "w"))
EOF
COUNT=$(ls "$FULL/models" | grep -c '\.json$')
[ -n "${KEEP:-}" ] && cp -r "$FULL" "$KEEP"  # keep a copy of the 100-model data dir
echo "# $(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg) (a machine shared with other sessions)"
echo "# $(basename "$JAR"); $COUNT stored models of $(du -sh "$FULL/models" | cut -f1) in the full data dir; median of $RUNS starts"

# The extracted layout Spring Boot recommends for CDS and AOT caches (classes inside the fat jar's nested jars
# cannot be archived): java -Djarmode=tools -jar JAR extract, the same as the Docker image runs.
java -Djarmode=tools -jar "$JAR" extract --destination "$WORK/app" > /dev/null
XJAR=$WORK/app/$(basename "$JAR")

declare -a ROWS
for j in $JAVAS; do
  v=$("$j" -version 2>&1 | head -1)
  major=$("$j" -version 2>&1 | sed -nE '1s/.*version "([0-9]+).*/\1/p')
  variants=("fat-jar|$JAR|")
  if [ "$AOT" = 1 ]; then
    if [ "$major" -ge 25 ]; then
      # JDK 25 (JEP 483/514/515): one training run writes the AOT cache (classes loaded and linked, method
      # profiles); Spring's spring.context.exit=onRefresh ends that run once the context is up
      # shellcheck disable=SC2086
      "$j" $FLAGS -XX:AOTCacheOutput="$WORK/app-$major.aot" -Dspring.context.exit=onRefresh -jar "$XJAR" \
        --bnserve.data-dir="$WORK/train-$major" > "$WORK/aot.log" 2>&1 || { cat "$WORK/aot.log" >&2; exit 1; }
      variants+=("aot-cache|$XJAR|-XX:AOTCache=$WORK/app-$major.aot")
    else
      # JDK 17: an application CDS archive of the classes loaded up to the context refresh
      # shellcheck disable=SC2086
      "$j" $FLAGS -XX:ArchiveClassesAtExit="$WORK/app-$major.jsa" -Dspring.context.exit=onRefresh -jar "$XJAR" \
        --bnserve.data-dir="$WORK/train-$major" > "$WORK/cds.log" 2>&1 || { cat "$WORK/cds.log" >&2; exit 1; }
      variants+=("cds|$XJAR|-XX:SharedArchiveFile=$WORK/app-$major.jsa")
    fi
  fi
  for var in "${variants[@]}"; do
    IFS='|' read -r name RUNJAR extra <<< "$var"
    for dir in empty full; do
      data=$EMPTY; [ $dir = full ] && data=$FULL
      ts=""; cs=""
      for _ in $(seq 1 "$RUNS"); do
        # shellcheck disable=SC2086
        r=$(one_start "$j" "$data" $extra); ts="$ts ${r% *}"; cs="$cs ${r#* }"
      done
      med=$(echo "$ts" | median); cmed=$(echo "$cs" | median)
      echo "$v | $name | $dir | median ${med} ms (cpu ${cmed} ms) | wall:$ts | cpu:$cs | load $(cut -d' ' -f1 /proc/loadavg)"
      ROWS+=("$(printf '%-40s | %-9s | %-5s | %6s ms | %6s ms | %s' "${v:0:40}" "$name" "$dir" "$med" "$cmed" "$ts")")
    done
  done
  RUNJAR=""
done
echo
echo "== summary: java -jar to a healthy /actuator/health, median of $RUNS (target: <= 1500 ms on JDK 25)"
printf '%-40s | %-9s | %-5s | %9s | %9s | %s\n' java variant data wall "cpu used" "wall of each run"
printf '%s\n' "${ROWS[@]}"
echo "# load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
