# UNSUPPORTED: cuda-gpu
# RUN: rm -rf %t && %python %S/cuda_stats.py --daq-run daq-run --stage %t/stats --seed 7 | FileCheck %s --check-prefix=STAGE
# RUN: not %python %S/cuda_stats.py --replay %t/stats --daq-cuda-run daq-cuda-run 2>&1 | FileCheck %s --check-prefix=REPLAY
# RUN: %python %daq_src_root/bench/gpu_stats.py --build %daq_tools/.. --stage %t/bench --batch 2 | FileCheck %s --check-prefix=BENCH
# RUN: ls %t/bench/res5-GY-2048x7x7-n2-sm-90 | FileCheck %s --check-prefix=KERNELS
# RUN: not %python %daq_src_root/bench/gpu_stats.py --build %daq_tools/.. --kernels %t/bench --batch 4 2>&1 | FileCheck %s --check-prefix=MISSING
"""The two-step GPU check (scripts/gpu-check.sh --stage / --from) without a
GPU: a test's runs staged under a folder (kernels, inputs, what to compare
with) are found again by --replay, which reports each run's daq-cuda-run
failure (here: no driver) as a failed check of that run, never a crash; a
benchmark's staged kernels are found by name, and a benchmark asked for
kernels that were not staged says so."""

# STAGE: staged 2 runs in {{.*}}stats
# REPLAY: replaying 2 runs staged with seed 7
# REPLAY: FAIL: daq-cuda-run failed on {{.*}}00/kernels/k.kernels -e main:
# REPLAY-NEXT: daq-cuda-run: error: {{no CUDA driver found|no GPU}}
# REPLAY: FAIL: daq-cuda-run failed on {{.*}}01/kernels/k.kernels -e main:
# REPLAY: 2 check(s) FAILED of 2 (seed 7
# BENCH: gpu_stats: kernels of 7 gradients in {{.*}}bench
# KERNELS: k.kernels
# KERNELS: k_mcs_kernel.ptx
# MISSING: no staged kernels for stem GY 64x112x112 n4 sm_90 in {{.*}}stem-GY-64x112x112-n4-sm-90: run --stage with the same options first
