# RUN: %python %S/Inputs/check_qconv_kernels.py --daq-run daq-run --daq-opt daq-opt --kernel avx512-vnni-model --algorithm winograd --cases 4
"""Winograd F(2x2, 3x3) with the avx512-vnni microkernel's MR x NR = 12 x
32 (its software model, any x86-64 CPU): random 3x3 stride-1 and
stride-2 geometries (all three directions) equal the reference lowering bit for bit (the block of tiles rounded to 12
rows, 32-column tiles of the transformed filter)."""
