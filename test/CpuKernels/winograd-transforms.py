# RUN: daq-winograd-transforms-check | FileCheck %s
# CHECK: ok: SSE2 Winograd transforms {{.*}} equal their scalar definitions
# CHECK: {{ok: AVX2 Winograd transforms .* equal their scalar definitions|AVX2 form not checked: not on this CPU}}
# CHECK: PASS
"""The per-tile transforms of the integer Winograd F(2x2, 3x3) convolutions
and the pair interleave (lib/CpuKernels/WinogradTransforms.h), in both their
forms (SSE2, and AVX2 where the CPU has it), equal scalar definitions written
from the matrices B^T, A and A^T in the check (int64 arithmetic truncated
like the kernels' wrapping int16 / int32) on random operands with channel
counts off the vector widths, values at the ends of the int16 range and
strided outputs with gaps that must stay untouched."""
