# REQUIRES: cpu-amx-int8
# RUN: %python %S/Inputs/check_qconv_kernels.py --daq-run daq-run --daq-opt daq-opt --kernel amx
"""The amx INT8 convolution kernels (forced with
daq-cpu-pipeline=qconv-kernel=amx) equal the reference lowering bit for bit
on random geometries (Inputs/check_qconv_kernels.py)."""
