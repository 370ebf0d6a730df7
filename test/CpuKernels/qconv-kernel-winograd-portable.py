# RUN: %python %S/Inputs/check_qconv_kernels.py --daq-run daq-run --daq-opt daq-opt --kernel portable --algorithm winograd --cases 4 --extra
"""Winograd F(2x2, 3x3) forward, backward-data and backward-filter on the
portable kernels (any x86-64 CPU) equal the reference lowering bit for bit:
random 3x3 stride-1 and stride-2 (backward-filter) geometries and the
fixed cases of
qconv-kernel-winograd-avx2.py (Inputs/check_qconv_kernels.py,
winograd_cases)."""
