# RUN: %python %S/Inputs/check_qconv_kernels.py --daq-run daq-run --daq-opt daq-opt --kernel portable --extra
# RUN: env DAQ_CPU_FEATURES=sse2 %python %S/Inputs/check_qconv_kernels.py --daq-run daq-run --daq-opt daq-opt --kernel portable --extra
"""The portable INT8 convolution kernels (forced with
daq-cpu-pipeline=qconv-kernel=portable) equal the reference lowering bit for bit
on random geometries, and on one with outputs large enough to be written
with non-temporal stores, one whose backward-filter splits K, one whose
backward-data interleaves stride phases, and NCHW 1x1 convolutions at the
edges of their pointwise form (Inputs/check_qconv_kernels.py, --extra).
Again with DAQ_CPU_FEATURES=sse2: the helpers' baseline (SSE2) forms, as on
a CPU without AVX2."""
