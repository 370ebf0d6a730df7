# REQUIRES: cpu-avx512-vnni
# RUN: %python %S/Inputs/check_stats_kernels.py --daq-run daq-run --daq-opt daq-opt --kernel avx512-vnni --cases 9
"""The AVX-512 statistics and quantization kernels (the avx512-vnni and amx
variants, forced with daq-cpu-pipeline=stats-kernel=avx512-vnni) equal the
reference lowering bit for bit on random gradients
(Inputs/check_stats_kernels.py); the ninth case, 8.4 MB of f32, has its
codes written with non-temporal stores."""
