# REQUIRES: cpu-avx2
# RUN: %python %S/Inputs/check_qconv_kernels.py --daq-run daq-run --daq-opt daq-opt --kernel avx2 --algorithm winograd --cases 6 --extra
"""Winograd forward, backward-data and backward-filter on the avx2 kernels
(DAQ_CPU_CONV_ALGORITHM=winograd), F(2x2, 3x3) at stride 1 and the
polyphase forms at stride 2, equal the reference lowering bit for bit on
random 3x3 stride-1 and stride-2 geometries (odd sizes, asymmetric padding,
groups, depthwise, both layouts; each direction's phase must run), and on
the fixed cases of Inputs/check_qconv_kernels.py's winograd_cases: streamed
outputs with tiles past both edges (a stride-1 forward, a stride-2
backward-data), the largest accumulator F(2x2, 3x3) recovers exactly (3640
channels of codes -128) and one channel past it (where the direct form must
run), a backward-filter summed in two parts whose total passes 2^29,
stride-2 forms with 3700 channels of codes -128 (no bound), with sums that
wrap and with a shared M, tiny images with tile rows outside the output,
strides (2, 1) and (1, 2) (no Winograd form), and the `auto` rule of the
stride-2 forms (67 -> 64 channels take them, 9 -> 9 do not)."""
