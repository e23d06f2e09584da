#!/usr/bin/env bash
# The tracing benchmarks (issue 6) in one command; see bench/README.md.
#   bench/run-tracing-bench.sh [--quick] [--runs N] [--scale X] [--no-native] [--no-buffers] [--output results.md]
#   bench/run-tracing-bench.sh --modes [--runs N] [--scale X]   (every --stacks mode beside heaptrack and valgrind, alone)
# Builds the runner and what it runs (Release), then prints every ratio measured in this run.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build bench/LeakScope.BenchRunner/LeakScope.BenchRunner.csproj -c Release -nologo -v quiet
exec dotnet bench/LeakScope.BenchRunner/bin/Release/net10.0/LeakScope.BenchRunner.dll "$@"
