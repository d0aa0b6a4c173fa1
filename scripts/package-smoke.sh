#!/usr/bin/env bash
# scripts/package-smoke.sh — Cortex used from outside its repository, as a package user would:
#   1. dotnet pack every library and the tool into artifacts/packages (a unique prerelease version,
#      so NuGet's global cache never serves an older build of the same number);
#   2. install the `cortex` tool from that folder into a temporary tool path and run `cortex info`
#      and a one-epoch `cortex train` from an empty folder (the digits come inside the tool);
#   3. copy samples/QuickStart to a temporary folder and run it against the packages (not the
#      projects): it trains LeNet-5 one epoch on the Cortex.Data.Digits package's digits.
# (The other samples build against the projects; scripts/run-samples.sh runs them. Copied out of the
# repository they switch to the packages the same way: `dotnet run -p:CortexVersion=VERSION`.)
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
# One pack of the src projects (Cortex.Packages.slnf; packing the solution would also build every
# test project). Only the package version is unique: the assemblies keep the version of
# Directory.Build.props, so a Release build that is already there (CI's `dotnet test -c Release`)
# is reused instead of compiled again.
dotnet pack Cortex.Packages.slnf -c Release -o "$feed" -p:PackageVersion="$version" -v quiet -nologo
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

