# REQUIRES: cpu-avx512-vnni
# RUN: %python %S/Inputs/check_qconv_kernels.py --daq-run daq-run --daq-opt daq-opt --kernel avx512-vnni --extra
"""The avx512-vnni INT8 convolution kernels (forced with
daq-cpu-pipeline=qconv-kernel=avx512-vnni) equal the reference lowering bit for bit
on random geometries and on the fixed cases of the kernels' special paths,
among them the u8 x s8 forms only this variant and its model take
(Inputs/check_qconv_kernels.py, --extra)."""
