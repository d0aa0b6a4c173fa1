#!/usr/bin/env bash
# scripts/package-smoke.sh — Cortex used from outside its repository, as a package user would:
#   1. dotnet pack every library and the tool into artifacts/packages (a unique prerelease version,
#      so NuGet's global cache never serves an older build of the same number);
#   2. install the `cortex` tool from that folder into a temporary tool path and run `cortex info`
#      and a one-epoch `cortex train` from an empty folder (the digits come inside the tool);
#   3. copy samples/QuickStart to a temporary folder and run it against the packages (not the
#      projects): it trains LeNet-5 one epoch on the Cortex.Data.Digits package's digits;
#   4. the same for the samples that build against the projects inside the repository (LeNet5,
#      CustomModel, SimpleConvNet): copied out of it, they switch to the packages, and run briefly.
# Prints every package's size. Exits non-zero if any step fails.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

version="0.1.0-local.$(date -u +%Y%m%d%H%M%S)"
feed="$root/artifacts/packages"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "== dotnet pack ($version)"
rm -rf "$feed"
# The src projects only (packing the solution would also build every test project in Release).
for project in src/*/*.csproj; do
  dotnet pack "$project" -c Release -o "$feed" -p:Version="$version" -v quiet -nologo
done
echo "packages (bytes):"
for package in "$feed"/*.nupkg; do
  printf '  %-40s %10d\n' "$(basename "$package")" "$(stat -c %s "$package")"
done

echo "== dotnet tool install Cortex.Cli"
dotnet tool install --tool-path "$work/tools" --add-source "$feed" --version "$version" Cortex.Cli > /dev/null
mkdir "$work/elsewhere"
cd "$work/elsewhere"
"$work/tools/cortex" info | head -n 5
"$work/tools/cortex" train --epochs 1 --out "$work/elsewhere/lenet5.safetensors" | tail -n 2
test -s "$work/elsewhere/lenet5.safetensors"

echo "== samples/QuickStart against the packages"
cp -r "$root/samples/QuickStart" "$work/quickstart"
cp "$root/samples/Directory.Build.props" "$root/samples/Directory.Packages.props" "$work/"
cat > "$work/quickstart/nuget.config" <<CONFIG
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="cortex-local" value="$feed" />
  </packageSources>
</configuration>
CONFIG
cd "$work/quickstart"
dotnet run -c Release -p:CortexVersion="$version" -- 1

echo "== samples/LeNet5, CustomModel, SimpleConvNet against the packages"
cp "$work/quickstart/nuget.config" "$work/nuget.config"
declare -A brief=([LeNet5]="1 2000" [CustomModel]="1 1000" [SimpleConvNet]="1 4000")   # as scripts/run-samples.sh
for sample in LeNet5 CustomModel SimpleConvNet; do
  cp -r "$root/samples/$sample" "$work/$sample"
  rm -rf "$work/$sample/bin" "$work/$sample/obj"
  # shellcheck disable=SC2086  # two numbers, split on purpose
  (cd "$work/$sample" && dotnet run -c Release -p:CortexVersion="$version" -- ${brief[$sample]} | tail -n 1)
done
