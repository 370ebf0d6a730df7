//===- StatsKernelsModel.cpp - Stats rows on the ISA model ----------------===//
//
// The AVX-512 rows of the statistics kernels (StatsKernelsWide.inc)
// compiled against the software model of their intrinsics (IsaModel.h):
// the rows of the test-only avx512-vnni-model and amx-model variants.
//
//===----------------------------------------------------------------------===//

#include "IsaModel.h"
#include "StatsKernelsWide.h"

namespace mlir::daq::cpu::isa_model {
#define DAQ_TARGET_AVX512
#include "StatsKernelsWide.inc"
#undef DAQ_TARGET_AVX512
} // namespace mlir::daq::cpu::isa_model
