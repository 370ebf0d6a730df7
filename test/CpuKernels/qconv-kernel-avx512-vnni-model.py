# RUN: %python %S/Inputs/check_qconv_kernels.py --daq-run daq-run --daq-opt daq-opt --kernel avx512-vnni-model --cases 6
"""The avx512-vnni microkernel source compiled against the software model of
its intrinsics (lib/CpuKernels/IsaModel.h; variant avx512-vnni-model, forced
with daq-cpu-pipeline=qconv-kernel=avx512-vnni-model) runs on any x86-64 CPU:
the whole driver with MR x NR = 12 x 32 (packing, cache blocking, edge tiles,
the microkernel's loops) equals the reference lowering bit for bit on random
geometries (Inputs/check_qconv_kernels.py: six cases, among them 67 input and
37 output channels per group, depthwise, and an NCHW 1x1 in the pointwise
form). The real instructions run in
qconv-kernel-avx512-vnni.py where the CPU has them."""
