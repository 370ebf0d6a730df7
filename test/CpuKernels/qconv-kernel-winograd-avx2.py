# REQUIRES: cpu-avx2
# RUN: %python %S/Inputs/check_qconv_kernels.py --daq-run daq-run --daq-opt daq-opt --kernel avx2 --algorithm winograd --cases 6 --extra
"""Winograd F(2x2, 3x3) forward, backward-data and backward-filter, and
the stride-2 backward-filter, on the avx2 kernels
(DAQ_CPU_CONV_ALGORITHM=winograd) equal the reference lowering bit for bit
on random 3x3 stride-1 and stride-2 geometries (odd sizes, asymmetric
padding, groups, depthwise, both layouts), on a streamed NCHW output with
tiles past both edges, at the largest accumulator the transform recovers
exactly (3640 channels of codes -128), one channel past it (where the direct
form must run), on a backward-filter summed in two parts whose total passes
2^29, and on stride-2 backward-filters with codes -128 (sums wrapping) and
with a shared M (Inputs/check_qconv_kernels.py, winograd_cases)."""
