# RUN: %python %S/Inputs/check_stats_kernels.py --daq-run daq-run --daq-opt daq-opt --kernel portable
"""The portable statistics and quantization kernels (forced with
daq-cpu-pipeline=stats-kernel=portable) equal the reference lowering bit for
bit on random gradients (Inputs/check_stats_kernels.py)."""
