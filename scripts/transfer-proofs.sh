#!/usr/bin/env bash
# transfer-proofs.sh — the README's "Transfer learning" figures: LeNet-5 learning from 100 images per
# class, fine-tuned from a network trained on another data set versus trained from scratch.
#   (a) pretrained on Fashion-MNIST (60,000), fine-tuned on 100 shipped digits per class; tested on the 2,000 shipped test digits
#   (b) pretrained on the 8,000 shipped digits, fine-tuned on 100 Fashion-MNIST images per class; tested on all 10,000 test images
# Needs Fashion-MNIST (scripts/install-fashion-mnist.sh). Prints one "name seed accuracy" line per run.
# Usage: [PER_CLASS=100] scripts/transfer-proofs.sh [OUT_DIR] [SEEDS...]   (default: runs/transfer, seeds 1 2 3)
set -euo pipefail
out=${1:-runs/transfer}
shift || true
seeds=("$@")
[[ ${#seeds[@]} -gt 0 ]] || seeds=(1 2 3)
mkdir -p "$out"
cortex() { dotnet run -c Release --no-build --project "$(dirname "$0")/../src/Cortex.Cli" -- "$@"; }
accuracy() { tail -n 1 | sed -E 's/^test accuracy: ([0-9.]+)%.*/\1/'; }

# the two base networks
[[ -f "$out/lenet5-fashion.safetensors" ]] || cortex train --data fashion-mnist --epochs 3 --augment none --out "$out/lenet5-fashion.safetensors" --history "$out/lenet5-fashion.csv" | tail -n 1
[[ -f "$out/lenet5-digits.safetensors" ]] || cortex train --data digits --out "$out/lenet5-digits.safetensors" --history "$out/lenet5-digits.csv" | tail -n 1

small=(--per-class "${PER_CLASS:-100}" --validation 0 --epochs 30 --history "$out/run-history.csv")
for task in "digits lenet5-fashion" "fashion-mnist lenet5-digits"; do
    read -r data base <<<"$task"
    for seed in "${seeds[@]}"; do
        echo "$data ${PER_CLASS:-100} scratch $seed $(cortex train --data "$data" "${small[@]}" --augment none --seed "$seed" --out "$out/scratch.safetensors" | accuracy)"
        echo "$data ${PER_CLASS:-100} head-only $seed $(cortex finetune "$out/$base.safetensors" --data "$data" "${small[@]}" --freeze-body --lr-head 0.01 --seed "$seed" --out "$out/ft.safetensors" | accuracy)"
        echo "$data ${PER_CLASS:-100} frozen-convs $seed $(cortex finetune "$out/$base.safetensors" --data "$data" "${small[@]}" --freeze features --seed "$seed" --out "$out/ft.safetensors" | accuracy)"
        echo "$data ${PER_CLASS:-100} all-layers $seed $(cortex finetune "$out/$base.safetensors" --data "$data" "${small[@]}" --lr-body 0.0005 --seed "$seed" --out "$out/ft.safetensors" | accuracy)"
    done
done
