//===- CpuKernelVariant.h - Kernel variant pass option ----------*- C++ -*-===//
//
// The `kernel` option shared by the passes that lower daq ops to the CPU
// runtime kernels.
//
//===----------------------------------------------------------------------===//

#ifndef DAQ_LIB_CONVERSION_CPUKERNELVARIANT_H
#define DAQ_LIB_CONVERSION_CPUKERNELVARIANT_H

#include "daq/Runtime/QConvKernels.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/ADT/StringSwitch.h"

#include <optional>

namespace mlir::daq {

/// The variant a pass option names, or nullopt for an unknown name.
inline std::optional<cpu::KernelVariant> parseKernelVariant(StringRef name) {
  using cpu::KernelVariant;
  return llvm::StringSwitch<std::optional<KernelVariant>>(name)
      .Case("auto", KernelVariant::Auto)
      .Case("portable", KernelVariant::Portable)
      .Case("avx2", KernelVariant::AVX2)
      .Case("avx512-vnni", KernelVariant::AVX512VNNI)
      .Case("amx", KernelVariant::AMX)
      .Case("avx512-vnni-model", KernelVariant::AVX512VNNIModel)
      .Case("amx-model", KernelVariant::AMXModel)
      .Default(std::nullopt);
}

} // namespace mlir::daq

#endif // DAQ_LIB_CONVERSION_CPUKERNELVARIANT_H
