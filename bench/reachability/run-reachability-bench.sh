#!/bin/bash
# Snapshot cost against managed heap size (bench/README.md, "Reachability snapshots"):
#   leakscope trace --reachability on samples/Reachability --managed-mb N, for each N given (e.g. 10 100 1024).
# Build first: dotnet build src/Cli -c Release && dotnet build samples/Reachability -c Release
# Prints the report's "reachability" member, the tracer's peak RSS and the wall time of the whole trace.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${OUT:-/tmp/leakscope-reach-bench}
mkdir -p "$OUT"
for mb in "$@"; do
  /usr/bin/time -v -o $OUT/time-$mb.txt timeout 900 dotnet $ROOT/src/Cli/bin/Release/net10.0/leakscope.dll trace --reachability --quiet --format json=$OUT/bench-$mb.json -- dotnet $ROOT/samples/Reachability/bin/Release/net10.0/Reachability.dll --managed-mb $mb > /dev/null 2>&1
  echo "mb=$mb rc=$? $(python3 -c "import json;r=json.load(open('$OUT/bench-$mb.json'))['reachability'];print(r)") tracer-maxrss-kb=$(grep 'Maximum resident' $OUT/time-$mb.txt | awk '{print $NF}') wall=$(grep 'Elapsed' $OUT/time-$mb.txt | awk '{print $NF}')"
done
