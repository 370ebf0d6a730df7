# REQUIRES: cpu-amx-int8
# RUN: %python %S/Inputs/check_qconv_kernels.py --daq-run daq-run --daq-opt daq-opt --kernel amx
# RUN: daq-qconv-variants-check --variants=amx --require --cases=40 | FileCheck %s
# CHECK: ok: amx equals portable bit for bit on 40 geometries x 3 directions
# CHECK: PASS
"""The amx INT8 convolution kernels (forced with
daq-cpu-pipeline=qconv-kernel=amx) equal the reference lowering bit for bit
on random geometries (Inputs/check_qconv_kernels.py)."""
