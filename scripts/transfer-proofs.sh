#!/usr/bin/env bash
# transfer-proofs.sh — the README's "Transfer learning" figures: LeNet-5 learning from 100 images per
# class, fine-tuned from a network trained on another data set versus trained from scratch.
#   (a) pretrained on Fashion-MNIST (60,000), fine-tuned on 100 shipped digits per class; tested on the 2,000 shipped test digits
#   (b) pretrained on the 8,000 shipped digits, fine-tuned on 100 Fashion-MNIST images per class; tested on all 10,000 test images
#   (c) the ImageNet-pretrained ResNet-18 (resnet18-imagenet), body frozen, a new Dense(512, 10) head trained on
#       cached features of 100 Fashion-MNIST images per class, against the same network (same graph, same
#       preprocessing, --random-weights) trained from scratch on the same images; tested on all 10,000 test images
# Needs Fashion-MNIST (scripts/install-fashion-mnist.sh) and, for (c), the restored NuGet package
# Microsoft.ML.DnnImageFeaturizer.ResNet18 (`dotnet build src/Cortex.Cli` restores it). Prints one
# "data per-class method seed accuracy" line per run.
# Usage: [PER_CLASS=100] [PARTS="lenet resnet"] [RESNET_SIZE=64] [SCRATCH_EPOCHS=15] scripts/transfer-proofs.sh [OUT_DIR] [SEEDS...]
#        (default: runs/transfer, seeds 1 2 3; part (c) runs the first seed only: ResNet-18 from scratch is the slow run)
set -euo pipefail
out=${1:-runs/transfer}
shift || true
seeds=("$@")
[[ ${#seeds[@]} -gt 0 ]] || seeds=(1 2 3)
mkdir -p "$out"
cortex() { dotnet run -c Release --no-build --project "$(dirname "$0")/../src/Cortex.Cli" -- "$@"; }
accuracy() { tail -n 1 | sed -E 's/^test accuracy: ([0-9.]+)%.*/\1/'; }

parts=${PARTS:-lenet resnet}
if [[ " $parts " == *" lenet "* ]]; then
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
fi

if [[ " $parts " == *" resnet "* ]]; then
    size=${RESNET_SIZE:-64}
    seed=${seeds[0]}
    resnet=(--data fashion-mnist --per-class "${PER_CLASS:-100}" --validation 0 --size "$size" --head 10 --seed "$seed" --history "$out/run-history.csv")
    echo "fashion-mnist ${PER_CLASS:-100} resnet18-imagenet-frozen@$size $seed $(cortex finetune resnet18-imagenet "${resnet[@]}" --freeze body --epochs 30 --lr-head 0.01 --out "$out/resnet18-frozen.safetensors" | accuracy)"
    echo "fashion-mnist ${PER_CLASS:-100} resnet18-scratch@$size $seed $(cortex finetune resnet18-imagenet "${resnet[@]}" --random-weights --epochs "${SCRATCH_EPOCHS:-15}" --out "$out/resnet18-scratch.safetensors" | accuracy)"
fi
