#!/usr/bin/env bash
# scripts/install-onnx-testdata.sh — installs Debian's libonnx-testdata (ONNX's own operator test
# cases: one model.onnx per node test with input_*.pb and output_*.pb) for the ONNX conformance
# test (tests/Cortex.Onnx.Tests/OnnxConformanceTests.cs), which skips with a reason without it.
# The node tests land in /usr/share/libonnx-testdata/data/node (dpkg -L libonnx-testdata).
set -euo pipefail
if dpkg -s libonnx-testdata > /dev/null 2>&1; then
  dpkg -L libonnx-testdata | grep -m1 '/node$' || true
  exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends libonnx-testdata > /dev/null
dpkg -L libonnx-testdata | grep -m1 '/node$' || true
