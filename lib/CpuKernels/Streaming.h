//===- Streaming.h - When the CPU kernels bypass the caches -----*- C++ -*-===//
//
// Outputs at least kStreamBytes large are written with non-temporal stores
// where whole lines are: 8 MiB is four times the L2 caches of the machines
// measured in docs/performance.md and about the share of L3 that held data
// on the Zen 4 one (12-16 MiB; with the Zen 5 one's 32 MiB, 16 MiB measured
// slower too); a result this size is not read again from cache anyway,
// and cached stores would first read every line and evict their inputs
// (the statistics kernels' gradient between its two passes). Internal to
// the runtime.
//
//===----------------------------------------------------------------------===//

#ifndef DAQ_LIB_CPUKERNELS_STREAMING_H
#define DAQ_LIB_CPUKERNELS_STREAMING_H

#include <cstdint>

namespace mlir::daq::cpu {

inline constexpr int64_t kStreamBytes = 8 << 20;

/// Whether an output sized by `elements` floats is streamed (kStreamBytes).
inline bool isStreamed(int64_t elements) {
  return elements * static_cast<int64_t>(sizeof(float)) >= kStreamBytes;
}

} // namespace mlir::daq::cpu

#endif // DAQ_LIB_CPUKERNELS_STREAMING_H
