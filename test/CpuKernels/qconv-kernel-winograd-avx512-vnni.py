# REQUIRES: cpu-avx512-vnni
# RUN: %python %S/Inputs/check_qconv_kernels.py --daq-run daq-run --daq-opt daq-opt --kernel avx512-vnni --algorithm winograd --cases 6 --extra
"""Winograd forward, backward-data and backward-filter on the avx512-vnni
kernels (vpdpwssd, MR x NR = 12 x 32) on their hardware: the random 3x3
stride-1 and stride-2 geometries and the fixed cases of
qconv-kernel-winograd-avx2.py (Inputs/check_qconv_kernels.py,
winograd_cases) equal the reference lowering bit for bit."""
