#!/usr/bin/env bash
# GPU check, for a machine with an NVIDIA GPU and driver (written for an
# H200, sm_90): builds daq, runs the GPU tests (lit feature cuda-gpu: the
# tensor-core kernels and the MCS / max-abs statistics kernels against the
# CPU, bit for bit; and the ptxas resource checks), then benchmarks daq INT8
# forward / backward-data / backward-filter against cuDNN FP32 / FP16 / BF16
# (PyTorch) on ResNet-50 layer shapes with N=64, and the statistics kernels
# in GB/s (bench/gpu_stats.py). Logs and results go to $OUT (default
# build/gpu-check).
#
#   OUT=/tmp/out bash scripts/gpu-check.sh [--no-bench] [--chip sm_90]
#
# Without a GPU it stops at once with "gpu-check: no GPU ..." (exit 2).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${DAQ_BUILD_DIR:-$root/build}"
out="${OUT:-$build/gpu-check}"
bench=1
chip=""
while [ $# -gt 0 ]; do
  case "$1" in
    --no-bench) bench=0 ;;
    --chip) chip="$2"; shift ;;
    *) echo "gpu-check: unknown option $1" >&2; exit 64 ;;
  esac
  shift
done
mkdir -p "$out"

# 1. A GPU and its driver, or a clear error.
if ! command -v nvidia-smi >/dev/null 2>&1 || ! nvidia-smi -L >"$out/gpus.txt" 2>&1; then
  echo "gpu-check: no GPU (nvidia-smi missing or failing; see $out/gpus.txt)" >&2
  exit 2
fi
if ! /usr/bin/python3 -c 'import ctypes; ctypes.CDLL("libcuda.so.1")' 2>/dev/null; then
  echo "gpu-check: no CUDA driver found (libcuda.so.1)" >&2
  exit 2
fi
cat "$out/gpus.txt"
if [ -z "$chip" ]; then
  cap="$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader | head -1 | tr -d ' .')"
  chip="sm_${cap}"
fi
echo "gpu-check: chip $chip, logs in $out"

# 2. Build (the CPU test suite is scripts/test.sh; here only what needs a GPU).
bash "$root/scripts/build.sh" 2>&1 | tee "$out/build.log" | tail -3

# 3. GPU tests: cuda-gpu must be detected, or the kernels did not run.
status=0
/usr/lib/llvm-22/bin/lit -v "$build/test/GPU" "$build/test/daq-cuda-run" \
  2>&1 | tee "$out/lit-gpu.log" || status=$?
if grep -q "UNSUPPORTED: DAQ :: GPU/cuda_\(conv\|stats\).py" "$out/lit-gpu.log"; then
  echo "gpu-check: lit did not detect the GPU (feature cuda-gpu); see test/lit.cfg.py" >&2
  status=1
fi

# 4. Benchmark.
if [ "$bench" = 1 ]; then
  /usr/bin/python3 "$root/bench/gpu_conv.py" --build "$build" --out "$out" --chip "$chip" \
    --batch 64 2>&1 | tee "$out/bench.log" || status=$?
  /usr/bin/python3 "$root/bench/gpu_stats.py" --build "$build" --out "$out" --chip "$chip" \
    --batch 64 2>&1 | tee "$out/bench-stats.log" || status=$?
fi
echo "gpu-check: $( [ $status = 0 ] && echo passed || echo FAILED ), logs in $out"
exit "$status"
