# REQUIRES: cpu-avx2
# RUN: %python %S/Inputs/check_qconv_kernels.py --daq-run daq-run --daq-opt daq-opt --kernel avx2 --extra
# RUN: env DAQ_CPU_FEATURES=avx2 %python %S/Inputs/check_qconv_kernels.py --daq-run daq-run --daq-opt daq-opt --kernel avx2 --extra
"""The avx2 INT8 convolution kernels (forced with
daq-cpu-pipeline=qconv-kernel=avx2) equal the reference lowering bit for bit
on random geometries, and on one with outputs large enough to be written
with non-temporal stores, one whose backward-filter splits K, one whose
backward-data interleaves stride phases, and NCHW 1x1 convolutions at the
edges of their pointwise form (Inputs/check_qconv_kernels.py, --extra).
Again with DAQ_CPU_FEATURES=avx2, so that on an AVX-512 CPU the packing and
epilogue helpers take their AVX2 / SSE2 forms too, as on an AVX2-only
machine."""
