//===- Philox.h - Philox-4x32-10 for stochastic rounding -------*- C++ -*-===//
//
// The counter-based generator of stochastic rounding (Salmon et al., SC'11;
// the reference lowering's philox4x32First in lib/Conversion/DaqToLinalg.cpp),
// for the CPU quantization kernels. Internal to the runtime; checked against
// Random123's known answers by test/lib/CpuKernels/PhiloxCheck.cpp.
//
//===----------------------------------------------------------------------===//

#ifndef DAQ_LIB_CPUKERNELS_PHILOX_H
#define DAQ_LIB_CPUKERNELS_PHILOX_H

#include <cstdint>

namespace mlir::daq::cpu {

/// First output word of Philox-4x32-10 for the counter (c0, c1, c2, c3) and
/// the key (seed low, seed high), 32-bit words. T is uint64_t or a vector of
/// them (GCC vector extensions), each holding one 32-bit word: the
/// 32 x 32 -> 64-bit products of the rounds are then `vpmuludq`s (`pmuludq`
/// in SSE2), four (two) lanes at a time.
template <typename T>
inline __attribute__((always_inline)) T philoxFirst(T c0, T c1, T c2, T c3,
                                                    uint64_t seed) {
  constexpr uint64_t kLow = 0xFFFFFFFF;
  uint64_t k0 = seed & kLow, k1 = seed >> 32;
  for (int round = 0; round < 10; ++round) {
    if (round > 0) {
      k0 = (k0 + 0x9E3779B9) & kLow;
      k1 = (k1 + 0xBB67AE85) & kLow;
    }
    T p0 = (c0 & kLow) * uint64_t{0xD2511F53};
    T p1 = (c2 & kLow) * uint64_t{0xCD9E8D57};
    c0 = (p1 >> 32) ^ c1 ^ k0;
    c1 = p1 & kLow;
    c2 = (p0 >> 32) ^ c3 ^ k1;
    c3 = p0 & kLow;
  }
  return c0;
}

/// Stochastic rounding's offset for an element: the first Philox word of the
/// counter (index, step) under `seed`, u = (word >> 8) * 2^-24 in [0, 1).
inline float philoxUniform(uint64_t index, uint64_t step, uint64_t seed) {
  uint64_t word = philoxFirst<uint64_t>(index & 0xFFFFFFFF, index >> 32,
                                        step & 0xFFFFFFFF, step >> 32, seed);
  return static_cast<float>(static_cast<uint32_t>(word) >> 8) * 0x1p-24f;
}

} // namespace mlir::daq::cpu

#endif // DAQ_LIB_CPUKERNELS_PHILOX_H
