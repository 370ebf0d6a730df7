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
#   OUT=/tmp/out bash scripts/gpu-check.sh [--no-bench] [--chip sm_90] [--sanitize]
#
# The host's CPU is checked on the way: the INT8 convolution kernel
# variants it runs (AMX where it has it) against the portable one, bit for
# bit (daq-qconv-variants-check), and timed (bench/microkernels.cpp,
# bench/qconv_kernels.cpp).
#
# --sanitize runs the tests' kernels once more under compute-sanitizer's
# memcheck (out-of-bounds and misaligned accesses) and racecheck (shared
# memory hazards: a missing barrier), after the benchmarks, into
# $OUT/sanitize.log; each test stops after $DAQ_SANITIZE_TIMEOUT seconds
# (default 300), which counts as a failure.
#
# A GPU host without LLVM runs it in two steps: on a machine with LLVM (no
# GPU needed), --stage DIR builds daq and writes under DIR everything the GPU
# host needs (daq-cuda-run, which links no LLVM; the test runs with their
# inputs and expected results; the benchmarks' kernels); there, --from DIR
# runs the tests and the benchmarks from DIR (needs numpy; PyTorch for the
# cuDNN columns):
#
#   bash scripts/gpu-check.sh --stage gpu-stage [--chip sm_90]    # here
#   OUT=/tmp/out bash scripts/gpu-check.sh --from gpu-stage        # GPU host
#
# Without a GPU, the default and --from stop at once with "gpu-check: no
# GPU ..." (exit 2).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${DAQ_BUILD_DIR:-$root/build}"
out="${OUT:-$build/gpu-check}"
bench=1
sanitize=0
chip=""
stage=""
from=""
while [ $# -gt 0 ]; do
  case "$1" in
    --no-bench) bench=0 ;;
    --sanitize) sanitize=1 ;;
    --chip) chip="$2"; shift ;;
    --stage) stage="$2"; shift ;;
    --from) from="$2"; shift ;;
    *) echo "gpu-check: unknown option $1" >&2; exit 64 ;;
  esac
  shift
done
tests=("$root/test/GPU/cuda_conv.py" "$root/test/GPU/cuda_stats.py")
# The CPU kernel benchmarks (no LLVM at run time), built into $1.
cpu_benches() {
  for b in qconv_kernels microkernels; do
    clang++-22 -O2 -std=c++20 -I"$root/include" -I"$root/lib/CpuKernels" \
      "$root/bench/$b.cpp" "$build/lib/CpuKernels/libDaqCpuKernels.a" -lpthread \
      -o "$1/$b" || return 1
  done
}
benches=(gpu_conv gpu_stats)

if [ -n "$stage" ]; then
  chip="${chip:-sm_90}"
  bash "$root/scripts/build.sh" | tail -1
  rm -rf "$stage" && mkdir -p "$stage/bin"
  cp "$build/bin/daq-cuda-run" "$build/bin/daq-qconv-variants-check" \
    "$build/bin/daq-isa-model-check" "$stage/bin/"
  cpu_benches "$stage/bin"
  for t in "${tests[@]}"; do
    name="$(basename "$t" .py)"
    /usr/bin/python3 "$t" --daq-run "$build/bin/daq-run" --stage "$stage/$name" \
      $([ "$name" = cuda_conv ] && echo --cubin-chip "$chip")
  done
  for b in "${benches[@]}"; do
    /usr/bin/python3 "$root/bench/$b.py" --build "$build" --chip "$chip" --batch 64 \
      --stage "$stage/$b"
  done
  echo "$chip" >"$stage/chip"
  echo "gpu-check: staged for $chip in $stage ($(du -sh "$stage" | cut -f1)); on the GPU host:"
  echo "  bash scripts/gpu-check.sh --from $stage"
  exit 0
fi

mkdir -p "$out"
# 1. A GPU and its driver, or a clear error.
if ! command -v nvidia-smi >/dev/null 2>&1 || ! gpus="$(nvidia-smi -L 2>&1)"; then
  echo "gpu-check: no GPU (nvidia-smi missing or failing: ${gpus:-not found})" >&2
  exit 2
fi
if ! python3 -c 'import ctypes; ctypes.CDLL("libcuda.so.1")' 2>/dev/null; then
  echo "gpu-check: no CUDA driver found (libcuda.so.1)" >&2
  exit 2
fi
echo "$gpus"
cap="$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader | head -1 | tr -d ' .')"
status=0

if [ -n "$from" ]; then
  # 2-3. Staged: no build; the tests replay the staged runs.
  from="$(cd "$from" && pwd)"
  chip="$(cat "$from/chip")"
  if [ "sm_$cap" != "$chip" ]; then
    echo "gpu-check: staged for $chip, but this GPU is sm_$cap: stage again with --chip sm_$cap" >&2
    exit 2
  fi
  build="$from"
  for t in "${tests[@]}"; do
    name="$(basename "$t" .py)"
    echo "== $name (replay)"
    python3 "$t" --replay "$from/$name" --daq-cuda-run "$build/bin/daq-cuda-run" \
      >"$out/$name.log" 2>&1 || status=$?
    grep -E "^(FAIL|all [0-9]+ checks|[0-9]+ check)" "$out/$name.log" | tail -12 || true
  done
  kernels() { echo --kernels "$from/$1"; }
else
  chip="${chip:-sm_$cap}"
  echo "gpu-check: chip $chip, logs in $out"
  # 2. Build (the CPU test suite is scripts/test.sh; here only what needs a GPU).
  bash "$root/scripts/build.sh" 2>&1 | tee "$out/build.log" | tail -3
  # 3. GPU tests: cuda-gpu must be detected, or the kernels did not run.
  /usr/lib/llvm-22/bin/lit -v "$build/test/GPU" "$build/test/daq-cuda-run" \
    2>&1 | tee "$out/lit-gpu.log" || status=$?
  if grep -q "UNSUPPORTED: DAQ :: GPU/cuda_\(conv\|stats\).py" "$out/lit-gpu.log"; then
    echo "gpu-check: lit did not detect the GPU (feature cuda-gpu); see test/lit.cfg.py" >&2
    status=1
  fi
  kernels() { :; }
fi
tools="$build/bin"
daq_cuda_run="$tools/daq-cuda-run"

# 4. The host CPU's INT8 convolution kernels (where it has AMX, the only
# place they run on hardware): the ISA model against the instructions, every
# variant the CPU runs against the portable one, bit for bit, then the AMX
# and AVX512-VNNI kernels timed on two threads (issue 6's setting).
echo "== CPU: $(grep -m1 "model name" /proc/cpuinfo | cut -d: -f2)"
"$tools/daq-isa-model-check" >"$out/cpu-kernels.log" 2>&1 || status=1
# (An AMX CPU has AVX2 and AVX512-VNNI too: every default variant must run.)
cpu_variants=avx512-vnni
require=""
if grep -qw amx_int8 /proc/cpuinfo; then
  cpu_variants=avx512-vnni,amx
  require=--require
else
  echo "no AMX on this CPU" >>"$out/cpu-kernels.log"
fi
"$tools/daq-qconv-variants-check" --cases=60 $require >>"$out/cpu-kernels.log" 2>&1 ||
  status=1
grep -E "^(FAIL|ok|PASS|skipped|hardware)" "$out/cpu-kernels.log" | cut -c1-150 || true
if [ "$bench" = 1 ] && grep -qw avx512_vnni /proc/cpuinfo; then
  # (Staged with --from; built here otherwise.)
  { { [ -n "$from" ] || cpu_benches "$tools"; } &&
    "$tools/microkernels" 64 9 && "$tools/microkernels" 256 9 &&
    DAQ_NUM_THREADS=2 "$tools/qconv_kernels" "$cpu_variants" 7 "$out/cpu-kernels.json"; } \
    2>&1 | tee -a "$out/cpu-kernels.log" || status=1
fi

# 5. Benchmark.
if [ "$bench" = 1 ]; then
  python3 "$root/bench/gpu_conv.py" --build "$build" --out "$out" --chip "$chip" \
    --batch 64 $(kernels gpu_conv) 2>&1 | tee "$out/bench.log" || status=$?
  python3 "$root/bench/gpu_stats.py" --build "$build" --out "$out" --chip "$chip" \
    --batch 64 $(kernels gpu_stats) 2>&1 | tee "$out/bench-stats.log" || status=$?
fi

# 6. The tests' kernels under compute-sanitizer (each tool a wrapper of
# daq-cuda-run that fails on any report).
if [ "$sanitize" = 1 ]; then
  sanitizer="$(command -v compute-sanitizer || echo /usr/local/cuda/bin/compute-sanitizer)"
  wrappers="$(mktemp -d)"
  trap 'rm -rf "$wrappers"' EXIT
  : >"$out/sanitize.log"
  for tool in memcheck racecheck; do
    # The report goes to stderr (into the test's failure message); each
    # run's summary line also goes to the log, as evidence the tool ran.
    cat >"$wrappers/$tool" <<WRAPPER
#!/bin/sh
"$sanitizer" --tool $tool --error-exitcode 9 --print-limit 4 "$daq_cuda_run" "\$@" \
  >"$wrappers/last" 2>&1
rc=\$?
grep -E "(ERROR|RACECHECK) SUMMARY" "$wrappers/last" >>"$out/sanitize.log"
cat "$wrappers/last" >&2
exit \$rc
WRAPPER
    chmod +x "$wrappers/$tool"
    for t in "${tests[@]}"; do
      name="$(basename "$t" .py)"
      if [ -n "$from" ]; then where=(--replay "$from/$name"); else where=(--daq-run "$build/bin/daq-run"); fi
      echo "== compute-sanitizer --tool $tool: $name" | tee -a "$out/sanitize.log"
      timeout "${DAQ_SANITIZE_TIMEOUT:-300}" python3 "$t" "${where[@]}" \
        --daq-cuda-run "$wrappers/$tool" 2>&1 | grep -E -v "^ok: " >>"$out/sanitize.log" ||
        echo "(stopped: failed or timed out)" >>"$out/sanitize.log"
      grep -q "^all [0-9]* checks passed" <(tail -1 "$out/sanitize.log") || status=1
      tail -1 "$out/sanitize.log"
    done
  done
fi
echo "gpu-check: $( [ $status = 0 ] && echo passed || echo FAILED ), logs in $out"
exit "$status"
