# REQUIRES: cpu-avx512-vnni
# RUN: %python %S/Inputs/check_stats_kernels.py --daq-run daq-run --daq-opt daq-opt --kernel avx512-vnni --cases 10
"""The AVX-512 statistics and quantization kernels (the avx512-vnni and amx
variants, forced with daq-cpu-pipeline=stats-kernel=avx512-vnni) equal the
reference lowering bit for bit on random gradients
(Inputs/check_stats_kernels.py); the ninth and tenth cases, 8.4 MB of f32
in NCHW and NHWC, have their codes written with non-temporal stores."""
