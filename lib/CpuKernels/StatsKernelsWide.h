//===- StatsKernelsWide.h - AVX-512 rows of the stats kernels ---*- C++ -*-===//
//
// The table of the AVX-512 hot loops of the statistics kernels
// (StatsKernelsWide.inc), once with the real instructions and once on the
// software ISA model (IsaModel.h). Internal to the runtime.
//
//===----------------------------------------------------------------------===//

#ifndef DAQ_LIB_CPUKERNELS_STATSKERNELSWIDE_H
#define DAQ_LIB_CPUKERNELS_STATSKERNELSWIDE_H

#include <cmath>
#include <cstdint>
#include <limits>

namespace mlir::daq::cpu {

/// The largest float at most s: for a float a, a > s exactly when
/// a > largestFloatAtMost(s) (the next float above it is above s), NaN and
/// infinities included. The counts above sigma compare in f32 against it:
/// twice the lanes of f64, and no conversions.
inline float largestFloatAtMost(double s) {
  float f = static_cast<float>(s);
  return static_cast<double>(f) > s
             ? std::nextafter(f, -std::numeric_limits<float>::infinity())
             : f;
}

/// The row functions of StatsKernelsWide.inc (see there).
struct StatsRows {
  void (*moments)(const float *x, int64_t m, double *acc, float *mx,
                  int32_t *bad);
  void (*squares)(const float *x, int64_t m, const double *mu, double *acc);
  void (*count)(const float *x, int64_t m, const float *below, int64_t *cnt,
                float belowT, int64_t *cntT);
  void (*countAbove)(const float *x, int64_t n, float below, float belowT,
                     int64_t *count, int64_t *countT);
  void (*quantize)(const float *x, int8_t *q1, int8_t *q2, int64_t n,
                   const float *clip1, const float *inv1, int64_t clipStep,
                   float clip2, float inv2,
                   int8_t (*scalar)(float, float, float));
};

/// The real AVX-512F rows (callers check CPUID).
extern const StatsRows statsRowsAVX512;

namespace isa_model {
/// The same source on the software model: any x86-64 CPU.
extern const StatsRows statsRowsAVX512;
} // namespace isa_model

} // namespace mlir::daq::cpu

#endif // DAQ_LIB_CPUKERNELS_STATSKERNELSWIDE_H
