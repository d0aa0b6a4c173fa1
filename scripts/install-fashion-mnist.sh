#!/usr/bin/env bash
# install-fashion-mnist.sh — installs Fashion-MNIST (60,000 train / 10,000 test) from Debian's
# package dataset-fashion-mnist, which puts four gzip'd IDX files in /usr/share/datasets/fashion-mnist.
# Idempotent: does nothing but report when the files are already there. Runs apt-get as root,
# or through sudo otherwise. Afterwards: `cortex train --data fashion-mnist`.
set -euo pipefail
dir=/usr/share/datasets/fashion-mnist
files=(train-images-idx3-ubyte.gz train-labels-idx1-ubyte.gz t10k-images-idx3-ubyte.gz t10k-labels-idx1-ubyte.gz)

installed() {
    local f
    for f in "${files[@]}"; do [[ -f "$dir/$f" ]] || return 1; done
}

if ! installed; then
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "install-fashion-mnist: expected a Debian/Ubuntu system with apt-get, found none." >&2
        echo "Download the four files from https://github.com/zalandoresearch/fashion-mnist into a folder and pass its path to --data." >&2
        exit 1
    fi
    if [[ $(id -u) -eq 0 ]]; then
        as_root=()
    elif command -v sudo >/dev/null 2>&1; then
        as_root=(sudo)
    else
        echo "install-fashion-mnist: expected to run as root or with sudo available, got neither." >&2
        exit 1
    fi
    "${as_root[@]}" apt-get update
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y dataset-fashion-mnist
    if ! installed; then
        echo "install-fashion-mnist: apt-get finished, but $dir does not hold ${files[*]}." >&2
        exit 1
    fi
fi
echo "Fashion-MNIST is in $dir:"
ls -l "$dir"
