#!/usr/bin/env bash
# README command (1): installs what is missing, builds daq, and runs the main
# job on the example: one CNN layer's FP32 and INT8 training step. It shows
# the INT8 step with daq.quantize_grad expanded into its MCS clip computation
# and quantization, then JIT-compiles both steps for the CPU and runs three
# training steps on random data, comparing INT8 with FP32.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${DAQ_BUILD_DIR:-$root/build}"

bash "$root/scripts/setup.sh"
bash "$root/scripts/build.sh" daq-opt daq-run
"$build/bin/daq-opt" "$root/examples/conv_layer.mlir" \
  --daq-decompose-quantize-grad --canonicalize
/usr/bin/python3 "$root/examples/run_conv_layer.py" --daq-run "$build/bin/daq-run"
