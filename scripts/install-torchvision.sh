#!/usr/bin/env bash
# scripts/install-torchvision.sh — installs Debian's python3-torch, python3-torchvision and python3-onnx
# (bookworm: torch 1.13.1, torchvision 0.14.1, onnx 1.12.0), which scripts/make-torchvision-fixtures.py
# needs to export random-weight torchvision models to ONNX for the importer's conformance test
# (tests/Cortex.Onnx.Tests/TorchvisionConformanceTests.cs; it skips with a reason without the fixtures).
# Idempotent: does nothing when the three packages are installed. Runs apt-get as root, or through sudo.
set -euo pipefail
packages=(python3-torch python3-torchvision python3-onnx)
if dpkg -s "${packages[@]}" > /dev/null 2>&1; then
  exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${packages[@]}" > /dev/null
