#!/usr/bin/env bash
# make-torchvision-fixtures.sh — installs Debian's torch/torchvision/onnx (scripts/install-torchvision.sh)
# and exports the random-weight torchvision models of make-torchvision-fixtures.py to ONNX in DIR
# (default: artifacts/torchvision-onnx, where TorchvisionConformanceTests looks; git ignores it).
# Takes about a minute on two cores. Usage: scripts/make-torchvision-fixtures.sh [DIR]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dir=${1:-$here/../artifacts/torchvision-onnx}
"$here/install-torchvision.sh"
# Debian's interpreter: the python3-* packages are installed for it, not for a pyenv or venv python on PATH.
/usr/bin/python3 "$here/make-torchvision-fixtures.py" "$dir"
