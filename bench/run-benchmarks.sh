#!/usr/bin/env bash
# Runs xennet's ring and copy benchmarks (JMH, -prof gc, JSON results), then the C anchor (Xen's ring.h
# round trip built with gcc), then prints the ratio table.
#
#   bench/run-benchmarks.sh                 # full: 5 forks x (5 x 1 s warm-up + 5 x 1 s measurement) per case
#   QUICK=1 bench/run-benchmarks.sh         # first look: 3 forks x (3 x 1 s + 5 x 1 s)
#   FORKS=10 IDLE=busy-spin INCLUDE='Netif|Jctools' bench/run-benchmarks.sh
#   INCLUDE='org\.xennet\.bench\.(throughput|baseline|path)\.' bench/run-benchmarks.sh  # + full tx/rx path, grant ops
#
# Environment: FORKS, WI, I, W, R (JMH -f -wi -i -w -r), IDLE (backoff|busy-spin|yield|park), INCLUDE (JMH regex),
# ANCHOR_REPS (C anchor repetitions, default FORKS), OUT (result directory), SKIP_BUILD=1, EXTRA (more JMH args).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${QUICK:-0}" = 1 ]; then
  FORKS=${FORKS:-3}; WI=${WI:-3}; I=${I:-5}
fi
FORKS=${FORKS:-5}
WI=${WI:-5}
I=${I:-5}
W=${W:-1}
R=${R:-1}
IDLE=${IDLE:-backoff}
INCLUDE=${INCLUDE:-'org\.xennet\.bench\.(throughput|baseline)\.'}
ANCHOR_REPS=${ANCHOR_REPS:-$FORKS}
OUT=${OUT:-bench/target/results}
JAR=bench/target/benchmarks.jar

if [ "${SKIP_BUILD:-0}" != 1 ]; then
  mvn -B -q -ntp -pl bench -am package -DskipTests
fi
mkdir -p "$OUT"

echo "== machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== JMH: -f $FORKS -wi $WI -i $I -w ${W}s -r ${R}s -p idle=$IDLE -prof gc"
# -foe: JMH exits 0 when a benchmark throws unless told to fail on error
# shellcheck disable=SC2086
java -jar "$JAR" "$INCLUDE" -f "$FORKS" -wi "$WI" -i "$I" -w "${W}s" -r "${R}s" -p idle="$IDLE" \
  -foe true -prof gc -rf json -rff "$OUT/jmh.json" ${EXTRA:-} | tee "$OUT/jmh.txt"

echo "== C anchor: $ANCHOR_REPS x ${R}s after ${W}s warm-up per batch, idle=$IDLE"
java -cp "$JAR" org.xennet.bench.harness.CRingAnchor -n "$ANCHOR_REPS" -d "$((R * 1000))" -w "$((W * 1000))" \
  -i "$IDLE" -o "$OUT/anchor.json" | tee "$OUT/anchor.txt"

echo "== load after the run: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
python3 bench/ratio-table.py "$OUT/jmh.json" "$OUT/anchor.json" | tee "$OUT/table.md"
if grep -q 'org.xennet.bench.path.' "$OUT/jmh.json"; then
  echo
  python3 bench/path-table.py "$OUT/jmh.json" | tee "$OUT/path-table.md"
fi
