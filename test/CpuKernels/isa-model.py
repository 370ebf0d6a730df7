# RUN: daq-isa-model-check | FileCheck %s
# CHECK: ok: vpdpwssd model equals the scalar definition
# CHECK: ok: vpdpbusd, vpaddd and masked vmovdqu8 models equal the scalar definitions
# CHECK: ok: tdpbssd model {{.*}} equals the scalar definition
# CHECK: ok: tdpbusd model {{.*}} equals the scalar definition
# CHECK: ok: avx512-vnni microkernel on the model equals the scalar GEMM
# CHECK: ok: avx512-vnni u8 x s8 microkernel on the model equals the scalar GEMM
# CHECK: ok: amx microkernel on the model equals the scalar GEMM
# CHECK: ok: amx u8 x s8 microkernel on the model equals the scalar GEMM
# CHECK: ok: AVX-512 statistics rows
# CHECK: ok: sigma from pass 0's sums
# CHECK: PASS
"""The software model of the AVX-512 and AMX intrinsics (lib/CpuKernels/
IsaModel.h), on which the avx512-vnni-model and amx-model kernel variants
run, equals scalar definitions of vpdpwssd and tdpbssd (written separately in
test/lib/CpuKernels/IsaModelCheck.cpp) on random operands, and the
microkernels compiled against it equal a scalar GEMM on random tiles; where
the CPU has AVX512-VNNI / AMX, both are also compared with the hardware. So a
wrong model cannot hide a wrong kernel.

The model faults loudly on the misuses below (the hardware raises #UD or #GP
on the first ones and the invalid configurations; a stride shorter than
colsb, legal on hardware, and a tile with only one of rows/colsb zero are
rejected by the model as packing or configuration bugs)."""
# RUN: not --crash daq-isa-model-check --fault=no-config 2>&1 | FileCheck %s --check-prefix=NOCONFIG
# NOCONFIG: daq ISA model: tileloadd: no tile configuration is loaded
# RUN: not --crash daq-isa-model-check --fault=after-release 2>&1 | FileCheck %s --check-prefix=RELEASED
# RELEASED: daq ISA model: tilezero: no tile configuration is loaded
# RUN: not --crash daq-isa-model-check --fault=unconfigured-tile 2>&1 | FileCheck %s --check-prefix=TILE
# TILE: daq ISA model: tileloadd: tmm3 is not configured (rows 0, colsb 0)
# RUN: not --crash daq-isa-model-check --fault=short-stride 2>&1 | FileCheck %s --check-prefix=STRIDE
# STRIDE: daq ISA model: tileloadd: stride 32 is smaller than colsb 64 of tmm1: the rows overlap
# RUN: not --crash daq-isa-model-check --fault=k-mismatch 2>&1 | FileCheck %s --check-prefix=SHAPE
# SHAPE: daq ISA model: tdpbssd: K mismatch: colsb 64 of A (tmm1) / 4 != rows of B (8)
# RUN: not --crash daq-isa-model-check --fault=same-tiles 2>&1 | FileCheck %s --check-prefix=SAME
# SAME: daq ISA model: tdpbssd: tmm0, tmm0, tmm2: the three tiles must differ
# RUN: not --crash daq-isa-model-check --fault=rows 2>&1 | FileCheck %s --check-prefix=ROWS
# ROWS: daq ISA model: ldtilecfg: tmm1: rows 17 > 16
# RUN: not --crash daq-isa-model-check --fault=colsb 2>&1 | FileCheck %s --check-prefix=COLSB
# COLSB: daq ISA model: ldtilecfg: tmm1: colsb 128 > 64
# RUN: not --crash daq-isa-model-check --fault=palette 2>&1 | FileCheck %s --check-prefix=PALETTE
# PALETTE: daq ISA model: ldtilecfg: palette 2 is not supported (0 or 1)
# RUN: not --crash daq-isa-model-check --fault=half-configured 2>&1 | FileCheck %s --check-prefix=HALF
# HALF: daq ISA model: ldtilecfg: tmm4: rows 0 and colsb 64 (both or neither must be 0)
