#!/usr/bin/env bash
# README command (1): installs what is missing, builds daq, and runs the main
# job on the example: one CNN layer's FP32 and INT8 training step. It shows
# the INT8 step with daq.quantize_grad expanded into its MCS clip computation
# and quantization, then JIT-compiles both steps for the CPU and runs three
# training steps on random data, comparing INT8 with FP32. Then the
# PyTorch path: a ResNet basic block's training step as Torch-MLIR emits it,
# quantized by daq-training-pipeline and run against the FP32 step.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${DAQ_BUILD_DIR:-$root/build}"

bash "$root/scripts/setup.sh"
bash "$root/scripts/build.sh" daq-opt daq-run
"$build/bin/daq-opt" "$root/examples/conv_layer.mlir" \
  --daq-decompose-quantize-grad --canonicalize
/usr/bin/python3 "$root/examples/run_conv_layer.py" --daq-run "$build/bin/daq-run"
"$build/bin/daq-opt" "$root/test/Inputs/torch/resnet_basic_block.mlir" \
  --daq-training-pipeline
/usr/bin/python3 "$root/examples/run_torch_block.py" \
  --daq-opt "$build/bin/daq-opt" --daq-run "$build/bin/daq-run"
