# RUN: %python %S/Inputs/check_qconv_kernels.py --daq-run daq-run --daq-opt daq-opt --kernel portable
"""The portable INT8 convolution kernels (forced with
daq-cpu-pipeline=qconv-kernel=portable) equal the reference lowering bit for bit
on random geometries (Inputs/check_qconv_kernels.py)."""
