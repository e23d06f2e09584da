#!/usr/bin/env bash
# Every ratio of the allocator's speed and footprint bars (issues 14 and 15) in one command, measured in this run:
# the untraced ratios (`--ratios`: one thread, the claim, interception and its floor, sites, threads, memory given
# back), then the traced mixed-size loop (untraced vs `leakscope trace --stacks none` and `sampled`, the default).
#   bench/run-allocator-ratios.sh [--rounds N] [--scale X] [--traced-runs N]
# See bench/README.md, "Every untraced ratio in one command".
set -euo pipefail
cd "$(dirname "$0")/.."
traced_runs=5
ratio_args=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --traced-runs) traced_runs="$2"; shift 2 ;;
    *) ratio_args+=("$1"); shift ;;
  esac
done
dotnet build bench/LeakScope.Benchmarks/LeakScope.Benchmarks.csproj -c Release -nologo -v quiet
dotnet bench/LeakScope.Benchmarks/bin/Release/net10.0/LeakScope.Benchmarks.dll --ratios "${ratio_args[@]}"
dotnet build bench/LeakScope.BenchRunner/LeakScope.BenchRunner.csproj -c Release -nologo -v quiet
dotnet bench/LeakScope.BenchRunner/bin/Release/net10.0/LeakScope.BenchRunner.dll --mixed-only --no-native --runs "$traced_runs"
