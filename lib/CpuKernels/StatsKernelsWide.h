//===- StatsKernelsWide.h - AVX-512 rows of the stats kernels ---*- C++ -*-===//
//
// The table of the AVX-512 hot loops of the statistics kernels
// (StatsKernelsWide.inc), once with the real instructions and once on the
// software ISA model (IsaModel.h). Internal to the runtime.
//
//===----------------------------------------------------------------------===//

#ifndef DAQ_LIB_CPUKERNELS_STATSKERNELSWIDE_H
#define DAQ_LIB_CPUKERNELS_STATSKERNELSWIDE_H

#include <algorithm>
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

/// An interval that holds the reference's sum of squared deviations M2 of n
/// elements (the sum of fl((x - mean)^2) in its order, mean = fl(S / n) of
/// its sum S), from the sum `sum` and the sum of squares `sumSquares` of
/// the elements in any order (the squares of floats are exact in f64):
/// T = sumSquares - sum * (sum / n) -+ 8 (n + 2) u sumSquares, u = 2^-53.
/// A sum of n terms in any order is within (n - 1) u of its terms' absolute
/// sum (first order), which bounds the error of the sum of squares, of the
/// sum (|S| <= sqrt(n sumSquares)) and of the reference's own sum of
/// squares; with the roundings of T and of the squares it is under
/// (4 n + 3) u sumSquares, and the bound doubles that. {NaN, NaN} when a
/// sum is not finite.
struct DeviationsInterval {
  double low, high;
};
inline DeviationsInterval deviationsInterval(double sum, double sumSquares,
                                             double n) {
  double t = sumSquares - sum * (sum / n);
  double bound = 8.0 * (n + 2.0) * 0x1p-53 * sumSquares;
  if (!std::isfinite(t) || !std::isfinite(bound))
    return {std::nan(""), std::nan("")};
  return {std::max(t - bound, 0.0), t + bound};
}

/// Sigma for the count above it without a second pass over the elements,
/// when their sums prove which threshold the reference compares with: the
/// count compares |x| > largestFloatAtMost(sqrt(M2 / n)), and the rounded
/// sqrt(. / n) and largestFloatAtMost are non-decreasing, so when both ends
/// of deviationsInterval give the same threshold, it is the reference's
/// (`sigma` gets the upper end's sigma). Otherwise returns false: a float
/// boundary inside the interval (about 10^-3 of zero-mean channels at
/// n = 10^5, every channel whose |x| all equal its sigma), a mean so far
/// from zero that sumSquares dwarfs M2, NaN or infinities.
inline bool sigmaFromSumOfSquares(double sum, double sumSquares, double n,
                                  double &sigma) {
  DeviationsInterval m2 = deviationsInterval(sum, sumSquares, n);
  if (std::isnan(m2.low))
    return false;
  sigma = std::sqrt(m2.high / n);
  return largestFloatAtMost(std::sqrt(m2.low / n)) == largestFloatAtMost(sigma);
}

/// Rows of an NCHW channel are a channel stride apart, which the hardware
/// prefetchers do not follow: the count, the first pass to read them,
/// fetches the first 4 KiB of the row 4 KiB ahead of the one it counts
/// (in this channel's rows, then `next`'s; which starts the prefetchers on
/// it, whose reads waited on most of the loads without).
struct RowPrefetch {
  static constexpr int64_t kAheadBytes = 4096;
  int64_t ahead, bytes;
  explicit RowPrefetch(int64_t n)
      : ahead(n > 0 ? (kAheadBytes + 4 * n - 1) / (4 * n) : 0),
        bytes(std::min<int64_t>(4 * n, kAheadBytes)) {}
  /// Fetches row `row` + ahead of the rows of x, then of next (or none).
  void fetch(const float *x, int64_t rows, int64_t rowStride, const float *next,
             int64_t row) const {
    int64_t at = row + ahead;
    const float *p = at < rows               ? x + at * rowStride
                     : next && at < 2 * rows ? next + (at - rows) * rowStride
                                             : nullptr;
    if (!p)
      return;
    for (int64_t byte = 0; byte < bytes; byte += 64)
      __builtin_prefetch(reinterpret_cast<const char *>(p) + byte);
  }
};

/// The row functions of StatsKernelsWide.inc (see there).
struct StatsRows {
  void (*moments)(const float *x, int64_t m, double *acc, float *mx,
                  int32_t *bad);
  void (*squares)(const float *x, int64_t m, const double *mu, double *acc);
  void (*count)(const float *x, int64_t m, const float *below, int64_t *cnt,
                float belowT, int64_t *cntT);
  void (*countAbove)(const float *x, int64_t rows, int64_t rowStride,
                     const float *next, int64_t n, const float *below,
                     int thresholds, int32_t *lanes);
  void (*quantize)(const float *x, int64_t rows, int64_t xRowStride, int8_t *q1,
                   int8_t *q2, int64_t qRowStride, int64_t n,
                   const float *clip1, const float *inv1, int64_t clipPeriod,
                   float clip2, float inv2, bool stream);
};

/// The real AVX-512F rows (callers check CPUID).
extern const StatsRows statsRowsAVX512;

namespace isa_model {
/// The same source on the software model: any x86-64 CPU.
extern const StatsRows statsRowsAVX512;
} // namespace isa_model

} // namespace mlir::daq::cpu

#endif // DAQ_LIB_CPUKERNELS_STATSKERNELSWIDE_H
