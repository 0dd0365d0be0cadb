# Shared by the benchmark scripts; source it from the repository root.

# The newest JDK under /usr/lib/jvm (by major version), else empty.
newest_java() {
  ls -d /usr/lib/jvm/*/bin/java 2>/dev/null | while read -r j; do
    v=$("$j" -version 2>&1 | sed -nE '1s/.*version "([0-9]+).*/\1/p'); echo "$v $j"; done | sort -n | tail -1 | cut -d' ' -f2- || true
}

# Compiles main and test classes (the benchmark mains live in the tests), snapshots them so that a concurrent
# rebuild cannot pull them from under a running benchmark, and sets CP. Removes the snapshot on exit.
bench_classpath() {
  ./mvnw -q -o test-compile 2>/dev/null || ./mvnw -q test-compile
  if [ ! -s target/bench-cp.txt ] || [ pom.xml -nt target/bench-cp.txt ]; then
    ./mvnw -q -o dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench-cp.txt 2>/dev/null \
      || ./mvnw -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench-cp.txt
  fi
  SNAP=$(mktemp -d /tmp/bnserve-bench.XXXXXX)
  trap 'rm -rf "$SNAP"' EXIT
  cp -r target/classes target/test-classes "$SNAP"/
  CP="$SNAP/classes:$SNAP/test-classes:$(cat target/bench-cp.txt)"
}

# The service jar (built if missing), in JAR; a JAR set by the caller is used as it is (e.g. an older build, to
# compare two versions in one run).
service_jar() {
  if [ -n "${JAR:-}" ]; then return; fi
  ls target/bnserve-*.jar >/dev/null 2>&1 || ./mvnw -q -B -DskipTests package
  JAR=$(ls target/bnserve-*.jar | head -1)
}

# Starts the service jar ($JAVA, $JAR, $HEAP, $PORT) on an empty data dir in DATA, SerialGC, and waits up to $1
# seconds (default 60) for /ping; PID is the server's, which an EXIT trap stops (removing DATA).
start_service() {
  DATA=$(mktemp -d)
  "$JAVA" --add-modules jdk.incubator.vector -Xmx"$HEAP" -XX:+UseSerialGC -jar "$JAR" --server.port="$PORT" \
    --bnserve.data-dir="$DATA" --logging.level.root=warn > "$DATA/server.log" 2>&1 &
  PID=$!
  trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null; rm -rf "$DATA"' EXIT
  for _ in $(seq 1 $(( ${1:-60} * 2 ))); do curl -fs "localhost:$PORT/ping" >/dev/null 2>&1 && break; sleep 0.5; done
}

# Uploads the CSV $1 and trains the benchmarks' 32 -> [256, 256] -> 5 model on it (2 epochs), waiting until it is
# ready; MODEL is its id.
train_bench_model() {
  local ds
  ds=$(curl -sS -X POST "localhost:$PORT/datasets?name=train" -H 'Content-Type: text/csv' --data-binary @"$1" \
    | sed -nE 's/.*"id":"([^"]+)".*/\1/p' | head -c 40)
  MODEL=$(curl -sS -X POST "localhost:$PORT/models" -H 'Content-Type: application/json' \
    -d "{\"dataset\":\"$ds\",\"label\":\"label\",\"hidden\":[256,256],\"batchSize\":256,\"epochs\":2}" \
    | sed -nE 's/.*"id":"(m-[^"]+)".*/\1/p' | head -c 40)
  for _ in $(seq 1 600); do curl -fs "localhost:$PORT/models/$MODEL" | grep -q '"status":"ready"' && break; sleep 0.5; done
}
