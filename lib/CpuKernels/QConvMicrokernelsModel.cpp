//===- QConvMicrokernelsModel.cpp - Microkernels on the ISA model ---------===//
//
// The AVX512-VNNI and AMX microkernels compiled against the software model
// of their intrinsics (IsaModel.h) instead of <immintrin.h>: the same source
// as the production variants (QConvMicrokernelsWide.inc), so the test-only
// variants avx512-vnni-model and amx-model check the production kernels'
// packing, loop structure and tile configuration on any x86-64 CPU.
//
//===----------------------------------------------------------------------===//

#include "IsaModel.h"
#include "QConvMicrokernels.h"

namespace mlir::daq::cpu::isa_model {
#define DAQ_TARGET_AVX512VNNI
#define DAQ_TARGET_AMX
#include "QConvMicrokernelsWide.inc"
#undef DAQ_TARGET_AVX512VNNI
#undef DAQ_TARGET_AMX
} // namespace mlir::daq::cpu::isa_model
