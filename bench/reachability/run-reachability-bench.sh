#!/bin/bash
# Snapshot cost against managed heap size (bench/README.md, "Reachability snapshots"):
#   leakscope trace --reachability on samples/Reachability --managed-mb N, for each N given (e.g. 10 100 1024), and
#   MODE=snapshot: leakscope snapshot <pid> of the same sample running with --wait.
# Build first: dotnet build src/Cli -c Release && dotnet build samples/Reachability -c Release
# Prints the report's "reachability" member (dump and analysis seconds), the tracer's peak RSS, the wall time, the
# read:dump ratio (both measured in the same run, on the same heap) and the load average at the start.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${OUT:-/tmp/leakscope-reach-bench}
MODE=${MODE:-trace}
CLI=$ROOT/src/Cli/bin/Release/net10.0/leakscope.dll
SAMPLE=$ROOT/samples/Reachability/bin/Release/net10.0/Reachability.dll
mkdir -p "$OUT"
for mb in "$@"; do
  load=$(cut -d' ' -f1 /proc/loadavg)
  if [ "$MODE" = snapshot ]; then
    fifo=$OUT/stdin-$mb; rm -f "$fifo"; mkfifo "$fifo"
    dotnet "$SAMPLE" --managed-mb "$mb" --wait < "$fifo" > "$OUT/sample-$mb.txt" 2>&1 &
    pid=$!
    exec 9> "$fifo"
    for _ in $(seq 1 600); do grep -q planted "$OUT/sample-$mb.txt" && break; sleep 0.5; done
    /usr/bin/time -v -o "$OUT/time-$mb.txt" timeout 900 dotnet "$CLI" snapshot "$pid" --quiet --format json="$OUT/bench-$mb.json" > /dev/null 2>&1
    rc=$?
    echo >&9; exec 9>&-; wait "$pid"; rm -f "$fifo"
  else
    /usr/bin/time -v -o "$OUT/time-$mb.txt" timeout 900 dotnet "$CLI" trace --reachability --quiet --format json="$OUT/bench-$mb.json" -- dotnet "$SAMPLE" --managed-mb "$mb" > /dev/null 2>&1
    rc=$?
  fi
  echo "mode=$MODE mb=$mb rc=$rc load=$load $(python3 -c "import json;r=json.load(open('$OUT/bench-$mb.json'))['reachability'];print(r, 'read:dump=%.2f' % (r['analysisSeconds']/r['dumpSeconds']))") tracer-maxrss-kb=$(grep 'Maximum resident' "$OUT/time-$mb.txt" | awk '{print $NF}') wall=$(grep 'Elapsed' "$OUT/time-$mb.txt" | awk '{print $NF}')"
done
