# RUN: %python %S/Inputs/check_stats_kernels.py --daq-run daq-run --daq-opt daq-opt --kernel avx512-vnni-model
# RUN: %python %S/Inputs/check_stats_kernels.py --daq-run daq-run --daq-opt daq-opt --kernel amx-model --cases 2
"""The AVX-512 rows of the statistics and quantization kernels
(lib/CpuKernels/StatsKernelsWide.inc: NHWC rows of the three statistics
passes, the count over a contiguous channel, contiguous quantization)
compiled against the software ISA model (variants avx512-vnni-model and
amx-model, forced with daq-cpu-pipeline=stats-kernel=...) equal the
reference lowering bit for bit on random gradients
(Inputs/check_stats_kernels.py: both layouts, odd channel counts, NaN and
infinities, MCS state over two steps). The real instructions run in
stats-kernel-avx512-vnni.py where the CPU has them."""
