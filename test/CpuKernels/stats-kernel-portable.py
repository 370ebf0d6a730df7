# RUN: %python %S/Inputs/check_stats_kernels.py --daq-run daq-run --daq-opt daq-opt --kernel portable --cases 2
"""The portable statistics and quantization kernels (forced with
daq-cpu-pipeline=stats-kernel=portable) equal the reference lowering bit for
bit on random gradients (Inputs/check_stats_kernels.py; two cases: NCHW with
NaN and infinities, and a large NHWC gradient, to keep the suite fast; the
avx2 test runs all four)."""
