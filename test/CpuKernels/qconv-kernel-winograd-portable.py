# RUN: %python %S/Inputs/check_qconv_kernels.py --daq-run daq-run --daq-opt daq-opt --kernel portable --algorithm winograd --cases 4 --extra
"""Winograd forward, backward-data and backward-filter (F(2x2, 3x3) at
stride 1, the polyphase forms at stride 2) on the portable kernels (any
x86-64 CPU) equal the reference lowering bit for bit: random 3x3 stride-1
and stride-2 geometries (all three directions) and the fixed cases of
qconv-kernel-winograd-avx2.py (Inputs/check_qconv_kernels.py,
winograd_cases)."""
