#!/usr/bin/env bash
# Training throughput: bnserve's Trainer (dev.bnserve.bench.TrainBenchmark) next to PyTorch (bench/torch_ref.py)
# on the same configurations, on this machine, in one run. See bench/README.md.
# Usage: bench/train.sh                 full run (~3-4 minutes on 2 cores with torch)
#        BENCH_QUICK=1 bench/train.sh   smoke run (fewer epochs, smaller subset)
# Env: JAVA=/path/to/java (default: newest JDK under /usr/lib/jvm, like the Docker image's JRE 25; else `java`),
#      CONFIGS="a b c" (subset), TORCH=0 (skip PyTorch), QUIET_WAIT=60 (max seconds to wait for an idle machine),
#      RETRIES=2 (re-measure a figure disturbed by other processes), JAVA_OPTS (extra JVM flags for bnserve).
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh

QUICK=${BENCH_QUICK:-0}
CONFIGS=${CONFIGS:-"a b c"}
QUIET_WAIT=${QUIET_WAIT:-60}
if [ "$QUICK" = 1 ]; then
  EPOCHS_A=3; EPOCHS_B=1; EPOCHS_C=1; ROWS_C=4000
else
  EPOCHS_A=30; EPOCHS_B=5; EPOCHS_C=1; ROWS_C=20000
fi
JAVA=${JAVA:-$(newest_java)}
JAVA=${JAVA:-java}

# --- build and snapshot the classes
bench_classpath

# --- data
mkdir -p target/bench
SYN=target/bench/synthetic-100000x32.csv
if [ ! -s "$SYN" ]; then
  echo "generating $SYN ..."
  python3 bench/make_synthetic.py 100000 32 "$SYN.tmp" && mv "$SYN.tmp" "$SYN"
fi
SUB=target/bench/synthetic-${ROWS_C}x32.csv
[ -s "$SUB" ] || { head -n $((ROWS_C + 1)) "$SYN" > "$SUB.tmp" && mv "$SUB.tmp" "$SUB"; }

# --- PyTorch (Debian's python3-torch), with OpenBLAS told about AVX-512 where the CPU has it
PY=/usr/bin/python3
HAVE_TORCH=0
if [ "${TORCH:-1}" != 0 ] && [ -x "$PY" ] && "$PY" -c 'import torch' 2>/dev/null; then HAVE_TORCH=1; fi
if grep -qw avx512f /proc/cpuinfo; then export OPENBLAS_CORETYPE=SkylakeX; fi

# Other processes on the machine distort the figures (PyTorch's 2 OpenBLAS threads suffer most). Before each
# measurement we wait (up to QUIET_WAIT s) for the machine to be idle; during it we compare all CPU time spent on
# the machine (/proc/stat) with the CPU time of our own children (/proc/$$/stat cutime+cstime): if others used more
# than 10% of the machine, the figure is flagged and the measurement retried (up to RETRIES times).
RETRIES=${RETRIES:-2}
cpu_busy() { local a; a=($(head -1 /proc/stat)); echo "$((a[1] + a[2] + a[3] + a[6] + a[7] + a[8])) $((a[1] + a[2] + a[3] + a[4] + a[5] + a[6] + a[7] + a[8]))"; }
own_cpu() { local s; s=$(sed -E 's/.*\) //' /proc/$$/stat); set -- $s; echo $(( ${14} + ${15} )); }  # cutime + cstime
busy_pct() { # one-second sample of non-idle CPU over all cores, in %
  local a b; a=($(cpu_busy)); sleep 1; b=($(cpu_busy))
  echo $(( (b[1] - a[1]) > 0 ? 100 * (b[0] - a[0]) / (b[1] - a[1]) : 0 ))
}
wait_quiet() {
  local t=0 p; p=$(busy_pct)
  while [ "$p" -ge 10 ] && [ "$t" -lt "$QUIET_WAIT" ]; do sleep 4; t=$((t + 5)); p=$(busy_pct); done
}
# measured LABEL cmd...: runs cmd (retrying while disturbed); its output goes to OUT, the others' CPU share to OTHER.
measured() {
  local label=$1; shift
  local try=0 a b o0 o1
  while :; do
    wait_quiet
    a=($(cpu_busy)); o0=$(own_cpu)
    OUT=$("$@" 2>&1) || { echo "$OUT" >&2; echo "failed: $*" >&2; exit 1; }
    b=($(cpu_busy)); o1=$(own_cpu)
    OTHER=$(( (b[1] - a[1]) > 0 ? 100 * ((b[0] - a[0]) - (o1 - o0)) / (b[1] - a[1]) : 0 ))
    [ "$OTHER" -lt 0 ] && OTHER=0
    if [ "$OTHER" -lt 10 ] || [ "$try" -ge "$RETRIES" ]; then break; fi
    try=$((try + 1))
    echo "  ! other processes used ${OTHER}% of the CPUs during this measurement: retrying ($try/$RETRIES)" >&2
  done
  [ "$OTHER" -lt 10 ] || NOISY="$NOISY $label(${OTHER}%)"
  return 0
}
NOISY=""

echo "# $(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) cores; $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //');" \
  "avx512f: $(grep -qw avx512f /proc/cpuinfo && echo yes || echo no)"
echo "# java: $("$JAVA" -version 2>&1 | head -1)"
echo "# load average at start: $(cut -d' ' -f1-3 /proc/loadavg) (a machine shared with other sessions: compare ratios from this run only)"
[ "$HAVE_TORCH" = 1 ] && echo "# torch: $("$PY" -c 'import torch; print(torch.__version__)') OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset}" \
  || echo "# torch: $([ "${TORCH:-1}" = 0 ] && echo "skipped (TORCH=0)" || echo "not available ($PY cannot import torch)"): bnserve figures only"
[ "$QUICK" = 1 ] && echo "# BENCH_QUICK=1: smoke run, figures not representative"

declare -A R  # results: R[config,key]

# --- the machine's float64 peak, measured now: a vector FMA loop on 1 thread and on every core (PeakFlops)
measured "peak" "$JAVA" --add-modules jdk.incubator.vector -cp "$CP" dev.bnserve.bench.PeakFlops --threads "$(nproc)"
PEAK_LINE=$(echo "$OUT" | grep '^peak ')
PEAK1=$(echo "$PEAK_LINE" | sed -nE 's/.*gflops_1=([0-9.]+).*/\1/p')
PEAKN=$(echo "$PEAK_LINE" | sed -nE 's/.*gflops_all=([0-9.]+).*/\1/p')
echo "  $PEAK_LINE"
echo "  # other processes during this run: ${OTHER}% of the CPUs"
bn() { # config csv label hidden batch epochs threads
  measured "$1/bnserve-t$7" "$JAVA" --add-modules jdk.incubator.vector ${JAVA_OPTS:-} -cp "$CP" dev.bnserve.bench.TrainBenchmark \
    --csv "$2" --label "$3" --hidden "$4" --batch "$5" --epochs "$6" --threads "$7" --seed 0
  echo "$OUT" | grep -v '^WARNING' | sed 's/^/  /'
  echo "  # other processes during this run: ${OTHER}% of the CPUs"
  local line; line=$(echo "$OUT" | grep '^bnserve ')
  R[$1,bn$7]=$(echo "$line" | sed -nE 's/.*samples_per_s=([0-9]+).*/\1/p')
  R[$1,bnacc$7]=$(echo "$line" | sed -nE 's/.*accuracy=([0-9.]+).*/\1/p')
  R[$1,gf$7]=$(echo "$line" | sed -nE 's/.*gflops=([0-9.]+).*/\1/p')
  R[$1,fpr]=$(echo "$line" | sed -nE 's/.*flops_per_row=([0-9]+).*/\1/p')
}
torch() { # config csv label hidden batch epochs dtype
  [ "$HAVE_TORCH" = 1 ] || return 0
  measured "$1/torch-$7" "$PY" bench/torch_ref.py "$2" --label "$3" --hidden "$4" --batch "$5" --epochs "$6" --threads 2 --seed 0 --dtype "$7"
  local line; line=$(echo "$OUT" | grep '^torch ')
  echo "  $line"
  echo "  # other processes during this run: ${OTHER}% of the CPUs"
  R[$1,$7]=$(echo "$line" | sed -nE 's/.*samples_per_s=([0-9]+).*/\1/p')
  R[$1,${7}acc]=$(echo "$line" | sed -nE 's/.*accuracy=([0-9.]+).*/\1/p')
}
run_config() { # config csv label hidden batch epochs f64?
  echo; echo "== ($1) $(basename "$2") label=$3 hidden=$4 batch=$5 epochs=$6"
  DESC[$1]="($1) $(basename "$2" .csv) h=$4 b=$5 e=$6"
  bn "$1" "$2" "$3" "$4" "$5" "$6" 2
  bn "$1" "$2" "$3" "$4" "$5" "$6" 1
  torch "$1" "$2" "$3" "$4" "$5" "$6" float32
  [ "$7" = f64 ] && torch "$1" "$2" "$3" "$4" "$5" "$6" float64
  return 0
}
declare -A DESC
for c in $CONFIGS; do
  case $c in
    a) run_config a examples/digits.csv digit 64,64 32 "$EPOCHS_A" f64 ;;
    b) run_config b "$SYN" label 256,256 256 "$EPOCHS_B" f64 ;;
    c) run_config c "$SUB" label 1024,1024 256 "$EPOCHS_C" no ;;
    *) echo "unknown config $c" >&2; exit 2 ;;
  esac
done

ratio() { [ -n "${1:-}" ] && [ -n "${2:-}" ] && awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fx", a / b }' || echo "-"; }
pct() { [ -n "${1:-}" ] && [ -n "${2:-}" ] && awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f%%", 100 * a / b }' || echo "-"; }
gflops() { [ -n "${1:-}" ] && [ -n "${2:-}" ] && awk -v r="$1" -v f="$2" 'BEGIN { printf "%.1f", r * f / 1e9 }' || echo "-"; }
echo
echo "== summary: training rows/s (forward+backward+update; higher is better); ratio = bnserve 2 threads / torch"
printf '%-44s | %10s | %10s | %6s | %10s | %7s | %10s | %7s | %s\n' config "bnserve t2" "bnserve t1" "t2/t1" "torch f32" ratio "torch f64" ratio \
  "accuracy bnserve / torch f32 / f64"
for c in $CONFIGS; do
  printf '%-44s | %10s | %10s | %6s | %10s | %7s | %10s | %7s | %s / %s / %s\n' "${DESC[$c]}" "${R[$c,bn2]:--}" "${R[$c,bn1]:--}" \
    "$(ratio "${R[$c,bn2]:-}" "${R[$c,bn1]:-}")" "${R[$c,float32]:--}" "$(ratio "${R[$c,bn2]:-}" "${R[$c,float32]:-}")" \
    "${R[$c,float64]:--}" "$(ratio "${R[$c,bn2]:-}" "${R[$c,float64]:-}")" "${R[$c,bnacc2]:--}" "${R[$c,float32acc]:--}" "${R[$c,float64acc]:--}"
done
echo
echo "== GFLOP/s (matrix-product flops per row x rows/s; TrainBenchmark.flopsPerRow) beside the float64 peak measured in this run:"
echo "   ${PEAK1:-?} GFLOP/s on 1 core, ${PEAKN:-?} on all $(nproc) (PeakFlops); torch computes the same products (float32 or float64)"
printf '%-44s | %11s | %10s | %10s | %10s | %10s | %10s\n' config "flops/row" "bnserve t2" "% of peak" "bnserve t1" "% of 1 core" "torch f32"
for c in $CONFIGS; do
  printf '%-44s | %11s | %10s | %10s | %10s | %10s | %10s\n' "${DESC[$c]}" "${R[$c,fpr]:--}" "${R[$c,gf2]:--}" "$(pct "${R[$c,gf2]:-}" "${PEAKN:-}")" \
    "${R[$c,gf1]:--}" "$(pct "${R[$c,gf1]:-}" "${PEAK1:-}")" "$(gflops "${R[$c,float32]:-}" "${R[$c,fpr]:-}")"
done
echo "# load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
[ -z "$NOISY" ] && echo "(every figure measured with other processes using < 10% of the CPUs)" \
  || echo "! DISTURBED: figures measured while other processes used >= 10% of the CPUs (after $RETRIES retries):$NOISY"
