# RUN: %python %S/Inputs/check_qconv_kernels.py --daq-run daq-run --daq-opt daq-opt --kernel amx-model --cases 6
"""The amx microkernel source compiled against the software model of its
intrinsics (lib/CpuKernels/IsaModel.h; variant amx-model, forced with
daq-cpu-pipeline=qconv-kernel=amx-model) runs on any x86-64 CPU: the whole
driver with MR x NR = 16 x 16 (packing, cache blocking, edge tiles, the
int16-pair to int8-quad regrouping per 64-deep K chunk, the ldtilecfg
palette, rows, colsb and strides, which the model checks) equals the
reference lowering bit for bit on random geometries
(Inputs/check_qconv_kernels.py: six cases, among them K runs of 68 int8 per
tap, not a multiple of the 64-byte tile rows, depthwise, and an NCHW 1x1 in
the pointwise form). The real
instructions run in qconv-kernel-amx.py where the CPU has them."""
