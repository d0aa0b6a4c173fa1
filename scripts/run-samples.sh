#!/usr/bin/env bash
# scripts/run-samples.sh — builds every sample that builds against the repository's projects
# (samples/LeNet5, samples/CustomModel, samples/SimpleConvNet; samples/QuickStart uses the NuGet
# packages and is run by scripts/package-smoke.sh) and runs each briefly: one epoch on the first
# training images, the whole test set. Each program exits non-zero when its test accuracy is at
# chance or (CustomModel) when the model it loaded back predicts differently; so does this script.
#
#   bash scripts/run-samples.sh            # brief runs, as CI does
#   bash scripts/run-samples.sh --full     # the samples' own defaults (minutes)
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

samples=(LeNet5 CustomModel SimpleConvNet)
declare -A brief=([LeNet5]="1 2000" [CustomModel]="1 1000" [SimpleConvNet]="1 4000")

for sample in "${samples[@]}"; do
  echo "== build samples/$sample"
  dotnet build "samples/$sample" -c Release -v quiet -nologo
done
for sample in "${samples[@]}"; do
  arguments=${brief[$sample]}
  [[ "${1:-}" == "--full" ]] && arguments=""
  echo "== samples/$sample $arguments"
  start=$(date +%s%N)
  # shellcheck disable=SC2086  # the arguments are two numbers, split on purpose
  dotnet "samples/$sample/bin/Release/net10.0/$sample.dll" $arguments
  elapsed=$(( ($(date +%s%N) - start) / 100000000 ))
  echo "   ($((elapsed / 10)).$((elapsed % 10)) s)"
done
