# RUN: %python %S/test_conv_igemm_amx.py --daq-run daq-run --amx-model --all
"""Every case of test_conv_igemm_amx.py (--all) with the AMX-form
contractions lowered to amx dialect tiles (convert-vector-to-amx) and the
tiles run on the software model of the AMX instructions
(convert-amx-to-isa-model, lib/CpuKernels/IsaModel.h: per operation its own
tile configuration, the SDM's tdpbssd and its shape checks), bit for bit
against the reference lowering and numpy. The AMX dialect code that
amx-tiles=true compiles for the hardware thus runs here, through the model,
up to the last conversion (amx ops to LLVM intrinsics)."""
