# REQUIRES: cpu-amx-int8
# RUN: %python %S/test_conv_igemm_amx.py --daq-run daq-run --amx-tiles
"""test_conv_igemm_amx.py's cases on AMX tiles (daq-igemm-cpu-pipeline
mma=amx amx-tiles=true: tileloadd, tdpbssd, tilestored), bit for bit against
the reference lowering; only where the CPU has AMX-INT8 (elsewhere
daq-run refuses such a module: test/daq-run/amx-tiles-unsupported.mlir)."""
