# REQUIRES: cpu-avx2
# RUN: %python %S/Inputs/check_stats_kernels.py --daq-run daq-run --daq-opt daq-opt --kernel avx2
"""The AVX2 statistics and quantization kernels (forced with
daq-cpu-pipeline=stats-kernel=avx2) equal the reference lowering bit for bit
on random gradients (Inputs/check_stats_kernels.py)."""
