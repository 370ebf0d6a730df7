//===- StatsKernels.cpp - gradient statistics and quantization ------------===//
//
// Kernels of --convert-daq-stats-to-cpu-kernels (include/daq/Runtime/
// StatsKernels.h). They reproduce convert-daq-to-linalg bit for bit:
//
// * pass 0 takes, in any order, each channel's f64 sum and sum of squares
//   and its max-abs (on the bits of |x|, order-independent, NaN included);
//   where those sums prove which threshold the reference's sigma gives the
//   count (sigmaFromSumOfSquares, StatsKernelsWide.h), the reference's
//   squares pass is skipped. Elsewhere passes 1 and 2 run as the reference
//   does: per channel, the f64 sum and the f64 sum of squared deviations
//   add the elements of a channel in the reference's order (row-major over
//   the other dimensions); channels run in parallel (threads, and vector
//   lanes: rows of unit stride eight channels at a time, transposed in
//   registers so that lanes are channels; other loops over channels are
//   what the SLP vectorizer turns into <4 x double> adds) so every
//   channel's chain is the reference's;
// * per tensor in passes 1 and 2, the elements are split into contiguous
//   parts summed in parallel and the partial sums added in a fixed order
//   (with the per-channel statistics, the tensor's squared deviations are
//   combined from the channels'), so the f64 sums can differ from the
//   reference's sequential sum in the last bits; the classification
//   r > lambda can then differ only for an element within an ulp of sigma
//   (a near tie, which the numerics tests treat as ambiguous);
// * the count above sigma is order-independent (it compares in f32 against
//   the largest float at most sigma, which is exact);
// * the MCS update and the quantizer are the reference's f32 expressions;
//   quantize_grad with #daq.mcs counts and quantizes each channel in one
//   pass (daq_cpu_quantize_grad_mcs), its per-tensor codes with a guessed
//   clip that is checked afterwards.
//
// The file is compiled with -ffp-contract=off: no FMA may fuse the
// reference's separate multiplies and adds. Each kernel body is an
// always-inline template instantiated for the baseline x86-64, inside
// target("avx2,fma") functions, and inside target("avx512f") functions
// whose hot rows (NHWC rows of the three passes, the count over a
// contiguous channel, contiguous quantization) are the explicit AVX-512
// loops of StatsKernelsWide.inc (the avx2 variant quantizes contiguous rows
// with quantizeRowAVX2); the CPU variant chooses. The test-only
// model variants instantiate the baseline bodies with those rows compiled
// against the software ISA model (StatsKernelsModel.cpp).
//
//===----------------------------------------------------------------------===//

#include "daq/Runtime/StatsKernels.h"

#include "Parallel.h"
#include "Philox.h"
#include "StatsKernelsWide.h"
#include "Streaming.h"

#include <immintrin.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <optional>
#include <thread>
#include <vector>

using namespace mlir::daq::cpu;

#define DAQ_INLINE inline __attribute__((always_inline))
#define DAQ_AVX2 __attribute__((target("avx2,fma")))

namespace mlir::daq::cpu {
#define DAQ_TARGET_AVX512 __attribute__((target("avx512f")))
#include "StatsKernelsWide.inc"
#undef DAQ_TARGET_AVX512
} // namespace mlir::daq::cpu

namespace {

/// A rank-3 strided f32 view [outer, channels, inner].
struct View {
  const float *data;
  int64_t n[3], s[3];
  const float *at(int64_t o, int64_t c) const {
    return data + o * s[0] + c * s[1];
  }
};

View makeView(DaqMemRef<float, 3> *m) {
  View v{m->aligned + m->offset, {}, {}};
  for (int d = 0; d < 3; ++d) {
    v.n[d] = m->sizes[d];
    v.s[d] = m->strides[d];
  }
  return v;
}

/// Per-channel partial statistics.
struct Stats {
  // Pass 0: the sum, the sum of squares and the sum of |x| in any order
  // (sumAbs only guides a guess, so in f32 lanes); pass 1: the sum in the
  // reference's order; pass 2: the squared deviations from the mean.
  double sum = 0, sumSquares = 0, sumAbs = 0, squares = 0;
  int64_t above = 0;
  // With the per-tensor statistics in the same pass (Both): the count above
  // the tensor's sigma.
  int64_t aboveT = 0;
  float max = 0;
  int32_t nan = 0;
};

DAQ_INLINE float maxAbs(float m, float x) {
  float a = std::fabs(x);
  return a > m ? a : m;
}

//===----------------------------------------------------------------------===//
// Pass bodies over channels [c0, c1) of a view, in the reference's order.
//===----------------------------------------------------------------------===//

/// Calls `step(k, x)` for the elements x of rows k = 0..K-1 of channels
/// [c, c + K) at outer index o, each row in order, the rows side by side.
/// Rows a multiple of 4 KiB apart (32x32 or 64x64 images, per-tensor parts)
/// would all fall into the same L1 sets, K streams against 8 ways: every
/// line is evicted before it is used up (2x slower). Then row k runs
/// k * kSkew elements behind row 0, which spreads the streams over K sets
/// and keeps each row's order (so the sums' bits):
///
///   row k:  [0, (K-1-k) kSkew) alone | side by side | [n - k kSkew, n) alone
constexpr int64_t kSkew = 16; // 64 bytes
constexpr int64_t kRowsAhead = 16;

/// Whether K rows side by side take the skewed walk below.
template <int K> DAQ_INLINE bool rowsAliased(const View &v) {
  return K > 1 && v.s[2] == 1 && v.s[1] % 1024 == 0 &&
         v.n[2] >= (K - 1) * kSkew;
}

template <int K, typename Step>
DAQ_INLINE void forRowsSideBySide(const View &v, int64_t o, int64_t c,
                                  Step step) {
  const float *rows[K];
  for (int k = 0; k < K; ++k)
    rows[k] = v.at(o, c + k);
  int64_t n = v.n[2], s = v.s[2];
  if (!rowsAliased<K>(v)) {
    for (int64_t i = 0; i < n; ++i)
      for (int k = 0; k < K; ++k)
        step(k, rows[k][i * s]);
    return;
  }
  const float *behind[K];
  for (int k = 0; k < K; ++k) {
    for (int64_t e = 0; e < (K - 1 - k) * kSkew; ++e)
      step(k, rows[k][e]);
    behind[k] = rows[k] - k * kSkew;
  }
  for (int64_t t = (K - 1) * kSkew; t < n; ++t)
    for (int k = 0; k < K; ++k)
      step(k, behind[k][t]);
  for (int k = 0; k < K; ++k)
    for (int64_t e = n - k * kSkew; e < n; ++e)
      step(k, rows[k][e]);
}

/// Pass 1 (sum, max, NaN) on K channels from c at once, inner dim > 1.
template <int K>
DAQ_INLINE void momentsBlock(const View &v, int64_t c, Stats *st) {
  double sum[K] = {};
  float max[K] = {};
  int32_t nan[K] = {};
  for (int64_t o = 0; o < v.n[0]; ++o)
    forRowsSideBySide<K>(v, o, c, [&](int k, float x) {
      sum[k] += static_cast<double>(x);
      max[k] = maxAbs(max[k], x);
      nan[k] |= x != x;
    });
  for (int k = 0; k < K; ++k) {
    st[c + k].sum = sum[k];
    st[c + k].max = max[k];
    st[c + k].nan = nan[k];
  }
}

template <int K>
DAQ_INLINE void squaresBlock(const View &v, int64_t c, Stats *st,
                             const double *mean) {
  double sq[K] = {}, mu[K];
  for (int k = 0; k < K; ++k)
    mu[k] = mean[c + k];
  for (int64_t o = 0; o < v.n[0]; ++o)
    forRowsSideBySide<K>(v, o, c, [&](int k, float value) {
      double d = static_cast<double>(value) - mu[k];
      sq[k] += d * d;
    });
  for (int k = 0; k < K; ++k)
    st[c + k].squares = sq[k];
}

/// Adds to counts[k] the number of elements above below[k] (k < thresholds,
/// at most 3) in `rows` rows of n contiguous elements, rowStride apart (a
/// channel of unit inner stride; `next` as in Rows->countAbove). The rows
/// go to Rows->countAbove in runs whose counts fit its 32-bit lanes.
template <const StatsRows *Rows>
DAQ_INLINE void countRowsAbove(const float *x, int64_t rows, int64_t rowStride,
                               const float *next, int64_t n, const float *below,
                               int thresholds, int64_t *counts) {
  // A lane counts at most one element of each 16 of a row; a row of 2^35
  // elements or more (in no memory) would still go alone.
  int64_t vectors = (n + 15) / 16;
  int64_t rowsPerRun = std::max<int64_t>(
      1, std::numeric_limits<int32_t>::max() / std::max<int64_t>(vectors, 1));
  for (int64_t r0 = 0; r0 < rows; r0 += rowsPerRun) {
    int64_t count = std::min(rowsPerRun, rows - r0);
    const float *first = x + r0 * rowStride;
    int32_t lanes[3 * 16] = {};
    Rows->countAbove(first, count, rowStride,
                     r0 + count < rows ? first + count * rowStride : next, n,
                     below, thresholds, lanes);
    for (int k = 0; k < thresholds; ++k)
      for (int j = 0; j < 16; ++j)
        counts[k] += lanes[16 * k + j];
  }
}

/// Pass 3 on one row of channel c (not of unit stride, or without Rows).
template <bool Both>
DAQ_INLINE void countAboveRow(const float *x, int64_t n, int64_t stride,
                              float below, float belowT, Stats &st) {
  int64_t count = 0, countT = 0;
  for (int64_t i = 0; i < n; ++i) {
    float a = std::fabs(x[i * stride]);
    count += a > below;
    if constexpr (Both)
      countT += a > belowT;
  }
  st.above += count;
  st.aboveT += countT;
}

typedef float Floats8 __attribute__((vector_size(32)));
typedef int32_t Ints8 __attribute__((vector_size(32)));

/// Pass 3 on channel c of unit inner stride (fewer than 2^31 elements),
/// counted in 32-bit lanes across the channel's rows.
template <bool Both>
DAQ_INLINE void countAboveChannel(const View &v, int64_t c, float below,
                                  float belowT, Stats &st) {
  Ints8 lanes = {}, lanesT = {};
  int64_t count = 0, countT = 0;
  for (int64_t o = 0; o < v.n[0]; ++o) {
    const float *x = v.at(o, c);
    int64_t i = 0;
    for (; i + 8 <= v.n[2]; i += 8) {
      Ints8 bits;
      std::memcpy(&bits, x + i, sizeof(bits));
      Floats8 a = (Floats8)(bits & 0x7fffffff);
      lanes -= a > below; // -1 where true
      if constexpr (Both)
        lanesT -= a > belowT;
    }
    for (; i < v.n[2]; ++i) {
      float a = std::fabs(x[i]);
      count += a > below;
      if constexpr (Both)
        countT += a > belowT;
    }
  }
  for (int k = 0; k < 8; ++k) {
    count += lanes[k];
    countT += lanesT[k];
  }
  st.above += count;
  st.aboveT += countT;
}

//===----------------------------------------------------------------------===//
// Blocks of eight channels of unit inner stride, transposed in registers
//===----------------------------------------------------------------------===//

typedef double Doubles4 __attribute__((vector_size(32)));
typedef uint64_t Words4 __attribute__((vector_size(32)));
typedef float Floats4 __attribute__((vector_size(16)));
typedef int32_t Ints4 __attribute__((vector_size(16)));
typedef uint32_t Words4Low __attribute__((vector_size(16)));

/// Walks the rows of channels [c, c + 8) at outer index o in the order of
/// forRowsSideBySide<8> (each row in order, skewed when aliased). The
/// side-by-side part goes eight elements of four rows at a time: lanes must
/// be channels (each channel's f64 chain adds its elements in order), so the
/// 4 x 8 block is transposed in registers by the first two stages of the
/// usual 8 x 8 transpose (unpack, shuffle), which leave
///
///   u[j] = [ element j of rows 0..3 | element j + 4 of rows 0..3 ]  (j < 4)
///
/// for `together(h, u)`, h = 0 for rows 0..3 and 1 for rows 4..7. The rows'
/// other elements go one at a time through `alone(k, value)`. Written with
/// vector extensions: AVX registers in the avx2 variant, SSE2 pairs in the
/// baseline ones.
template <typename Alone, typename Together>
DAQ_INLINE void forBlockOf8(const View &v, int64_t o, int64_t c, Alone alone,
                            Together together) {
  int64_t n = v.n[2], skew = rowsAliased<8>(v) ? kSkew : 0;
  const float *rows[8];
#pragma clang loop unroll(full)
  for (int k = 0; k < 8; ++k) {
    rows[k] = v.at(o, c + k);
    for (int64_t e = 0; e < (7 - k) * skew; ++e)
      alone(k, rows[k][e]);
  }
  int64_t t = 7 * skew;
  for (; t + 8 <= n; t += 8) {
    for (int h = 0; h < 2; ++h) {
      Floats8 r[4], u[4];
      for (int k = 0; k < 4; ++k)
        std::memcpy(&r[k], rows[4 * h + k] + t - (4 * h + k) * skew,
                    sizeof(Floats8));
      Floats8 lo01 =
          __builtin_shufflevector(r[0], r[1], 0, 8, 1, 9, 4, 12, 5, 13);
      Floats8 hi01 =
          __builtin_shufflevector(r[0], r[1], 2, 10, 3, 11, 6, 14, 7, 15);
      Floats8 lo23 =
          __builtin_shufflevector(r[2], r[3], 0, 8, 1, 9, 4, 12, 5, 13);
      Floats8 hi23 =
          __builtin_shufflevector(r[2], r[3], 2, 10, 3, 11, 6, 14, 7, 15);
      u[0] = __builtin_shufflevector(lo01, lo23, 0, 1, 8, 9, 4, 5, 12, 13);
      u[1] = __builtin_shufflevector(lo01, lo23, 2, 3, 10, 11, 6, 7, 14, 15);
      u[2] = __builtin_shufflevector(hi01, hi23, 0, 1, 8, 9, 4, 5, 12, 13);
      u[3] = __builtin_shufflevector(hi01, hi23, 2, 3, 10, 11, 6, 7, 14, 15);
      together(h, u);
    }
  }
#pragma clang loop unroll(full)
  for (int k = 0; k < 8; ++k)
    for (int64_t e = t - k * skew; e < n; ++e)
      alone(k, rows[k][e]);
}

/// Calls `add(x)` with elements 0..7 of the rows of a transposed block (see
/// forBlockOf8) as f64, in order.
template <typename Add>
DAQ_INLINE void forElementsInOrder(const Floats8 *u, Add add) {
  for (int j = 0; j < 4; ++j)
    add(__builtin_convertvector(__builtin_shufflevector(u[j], u[j], 0, 1, 2, 3),
                                Doubles4));
  for (int j = 0; j < 4; ++j)
    add(__builtin_convertvector(__builtin_shufflevector(u[j], u[j], 4, 5, 6, 7),
                                Doubles4));
}

/// Whether channel c holds a NaN (its f64 sum is NaN exactly when it holds a
/// NaN or infinities of both signs, so only then is this asked).
bool channelHasNaN(const View &v, int64_t c) {
  for (int64_t o = 0; o < v.n[0]; ++o)
    for (int64_t i = 0; i < v.n[2]; ++i)
      if (std::isnan(v.at(o, c)[i * v.s[2]]))
        return true;
  return false;
}

/// Pass 1 on channels [c, c + 8): momentsBlock<8> with lanes as channels.
DAQ_INLINE void momentsBlockOf8(const View &v, int64_t c, Stats *st) {
  Doubles4 sum[2] = {};
  // Lane k and 4 + k of max[h]: maxima of row 4h + k.
  Floats8 max[2] = {};
  for (int64_t o = 0; o < v.n[0]; ++o)
    forBlockOf8(
        v, o, c,
        [&](int k, float x) {
          sum[k / 4][k % 4] += static_cast<double>(x);
          max[k / 4][k % 4] = maxAbs(max[k / 4][k % 4], x);
        },
        [&](int h, const Floats8 *u) {
          forElementsInOrder(u, [&](Doubles4 x) { sum[h] += x; });
          for (int j = 0; j < 4; ++j) {
            // a > m ? a : m, lane by lane: maxAbs (vmaxps).
            Floats8 a = (Floats8)((Ints8)u[j] & 0x7fffffff);
            max[h] = a > max[h] ? a : max[h];
          }
        });
  for (int k = 0; k < 8; ++k) {
    Stats &s = st[c + k];
    s.sum = sum[k / 4][k % 4];
    s.max = std::max(max[k / 4][k % 4], max[k / 4][k % 4 + 4]);
    s.nan = std::isnan(s.sum) && channelHasNaN(v, c + k);
  }
}

/// Pass 2 on channels [c, c + 8): squaresBlock<8>, lanes as channels.
DAQ_INLINE void squaresBlockOf8(const View &v, int64_t c, Stats *st,
                                const double *mean) {
  Doubles4 sq[2] = {}, mu[2];
  for (int k = 0; k < 8; ++k)
    mu[k / 4][k % 4] = mean[c + k];
  for (int64_t o = 0; o < v.n[0]; ++o)
    forBlockOf8(
        v, o, c,
        [&](int k, float value) {
          double d = static_cast<double>(value) - mu[k / 4][k % 4];
          sq[k / 4][k % 4] += d * d;
        },
        [&](int h, const Floats8 *u) {
          forElementsInOrder(u, [&](Doubles4 x) {
            Doubles4 d = x - mu[h];
            sq[h] += d * d;
          });
        });
  for (int k = 0; k < 8; ++k)
    st[c + k].squares = sq[k / 4][k % 4];
}

//===----------------------------------------------------------------------===//
// Pass 0: sums, sums of squares, max-abs and NaN in any order
//===----------------------------------------------------------------------===//

typedef float Floats16 __attribute__((vector_size(64)));
typedef int32_t Ints16 __attribute__((vector_size(64)));
typedef double Doubles8 __attribute__((vector_size(64)));

/// Pass 0 takes the max-abs on the bit patterns of |x| as integers: they
/// order non-negative floats as the floats do, and every NaN above +inf.
constexpr int32_t kInfinityBits = 0x7f800000;

DAQ_INLINE int32_t absBits(float x) {
  int32_t bits;
  std::memcpy(&bits, &x, 4);
  return bits & 0x7fffffff;
}

/// Pass 0's statistics of one channel (or part).
struct Moments {
  double sum = 0, sumSquares = 0, sumAbs = 0;
  int32_t maxBits = 0;
  DAQ_INLINE void add(float x) {
    double d = static_cast<double>(x);
    sum += d;
    sumSquares += d * d;
    sumAbs += std::fabs(d);
    int32_t a = absBits(x);
    maxBits = a > maxBits ? a : maxBits;
  }
  void addTo(Stats &s) const {
    s.sum += sum;
    s.sumSquares += sumSquares;
    s.sumAbs += sumAbs;
    // A NaN pattern only flags the channel: computeStats makes its max NaN.
    if (maxBits > kInfinityBits) {
      s.nan = 1;
      return;
    }
    float max;
    std::memcpy(&max, &maxBits, 4);
    s.max = std::max(s.max, max);
  }
};

/// Pass 0's vector accumulators, kept across a channel's runs (rows of a
/// few vectors would otherwise spend more on reducing them than on adding).
struct MomentLanes {
  Doubles8 sum = {}, sumSquares = {};
  Floats16 sumAbs = {};
  Ints16 maxBits = {};
  /// Adds n contiguous elements: 16 at a time here, the rest to `tail`.
  DAQ_INLINE void addRun(const float *x, int64_t n, Moments &tail) {
    // In locals: the stores through x's float type may alias the members.
    Doubles8 sum = this->sum, sumSquares = this->sumSquares;
    Floats16 sumAbs = this->sumAbs;
    Ints16 maxBits = this->maxBits;
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
      Ints16 bits;
      std::memcpy(&bits, x + i, sizeof(bits));
      Floats16 v = (Floats16)bits;
      bits &= 0x7fffffff;
      maxBits = bits > maxBits ? bits : maxBits;
      sumAbs += (Floats16)bits;
      Doubles8 lo = __builtin_convertvector(
          __builtin_shufflevector(v, v, 0, 1, 2, 3, 4, 5, 6, 7), Doubles8);
      Doubles8 hi = __builtin_convertvector(
          __builtin_shufflevector(v, v, 8, 9, 10, 11, 12, 13, 14, 15),
          Doubles8);
      sum += lo + hi;
      sumSquares += lo * lo + hi * hi;
    }
    this->sum = sum;
    this->sumSquares = sumSquares;
    this->sumAbs = sumAbs;
    this->maxBits = maxBits;
    for (; i < n; ++i)
      tail.add(x[i]);
  }
  DAQ_INLINE void addTo(Moments &m) const {
    for (int k = 0; k < 8; ++k) {
      m.sum += sum[k];
      m.sumSquares += sumSquares[k];
    }
    for (int k = 0; k < 16; ++k) {
      m.sumAbs += sumAbs[k];
      m.maxBits = maxBits[k] > m.maxBits ? maxBits[k] : m.maxBits;
    }
  }
};

/// Pass 0 on channels [c0, c1) of the view, added to st.
DAQ_INLINE void momentsAnyOrder(const View &v, int64_t c0, int64_t c1,
                                Stats *st) {
  if (v.n[2] > 1) {
    // Outer index outside: the rows of consecutive channels at one outer
    // index are one run in memory (NCHW), which the prefetchers follow.
    std::vector<Moments> m(c1 - c0);
    std::vector<MomentLanes> lanes(c1 - c0);
    for (int64_t o = 0; o < v.n[0]; ++o)
      for (int64_t c = c0; c < c1; ++c) {
        const float *x = v.at(o, c);
        if (v.s[2] == 1) {
          lanes[c - c0].addRun(x, v.n[2], m[c - c0]);
          continue;
        }
        for (int64_t i = 0; i < v.n[2]; ++i)
          m[c - c0].add(x[i * v.s[2]]);
      }
    for (int64_t c = c0; c < c1; ++c) {
      lanes[c - c0].addTo(m[c - c0]);
      m[c - c0].addTo(st[c]);
    }
    return;
  }
  // Channels along the rows: structure of arrays across the channels.
  int64_t m = c1 - c0, sc = v.s[1];
  std::vector<double> sum(m, 0.0), sumSquares(m, 0.0);
  std::vector<float> sumAbs(m, 0.0f);
  std::vector<int32_t> maxBits(m, 0);
  double *__restrict sumP = sum.data();
  double *__restrict sumSquaresP = sumSquares.data();
  float *__restrict sumAbsP = sumAbs.data();
  int32_t *__restrict maxBitsP = maxBits.data();
#define DAQ_ROW_BODY(STRIDE)                                                   \
  for (int64_t c = 0; c < m; ++c) {                                            \
    float x = row[c * (STRIDE)];                                               \
    double d = static_cast<double>(x);                                         \
    sumP[c] += d;                                                              \
    sumSquaresP[c] += d * d;                                                   \
    sumAbsP[c] += std::fabs(x);                                                \
    int32_t a = absBits(x);                                                    \
    maxBitsP[c] = a > maxBitsP[c] ? a : maxBitsP[c];                           \
  }
  int64_t o = 0;
  // Four rows per sweep over the channels: each channel's accumulators are
  // loaded and stored once per four elements (64 channels x 100352 rows:
  // mcs_clip2 0.96-0.99 -> 0.51-0.63 ms on Zen 5).
  for (; sc == 1 && o + 4 <= v.n[0]; o += 4) {
    const float *rows[4] = {v.at(o, c0), v.at(o + 1, c0), v.at(o + 2, c0),
                            v.at(o + 3, c0)};
    for (int64_t c = 0; c < m; ++c) {
      double sum = sumP[c], sumSquares = sumSquaresP[c];
      float sumAbs = sumAbsP[c];
      int32_t max = maxBitsP[c];
      for (const float *row : rows) {
        double d = static_cast<double>(row[c]);
        sum += d;
        sumSquares += d * d;
        sumAbs += std::fabs(row[c]);
        int32_t a = absBits(row[c]);
        max = a > max ? a : max;
      }
      sumP[c] = sum;
      sumSquaresP[c] = sumSquares;
      sumAbsP[c] = sumAbs;
      maxBitsP[c] = max;
    }
  }
  for (; o < v.n[0]; ++o) {
    const float *row = v.at(o, c0);
    if (sc == 1) {
      DAQ_ROW_BODY(1)
    } else {
      DAQ_ROW_BODY(sc)
    }
  }
#undef DAQ_ROW_BODY
  for (int64_t c = 0; c < m; ++c) {
    Moments part;
    part.sum = sum[c];
    part.sumSquares = sumSquares[c];
    part.sumAbs = sumAbs[c];
    part.maxBits = maxBits[c];
    part.addTo(st[c0 + c]);
  }
}

/// Pass `pass` (0 moments in any order, 1 moments, 2 squares, 3 count) on
/// channels [c0, c1). Passes 1 and 2 add in the reference's order.
/// With Both (pass 3 only), `tensor` is {mean, sigma} of the whole tensor
/// and the pass also counts aboveT. `Rows`, when not null, runs
/// the rows of unit stride.
template <int Pass, bool Both, const StatsRows *Rows>
DAQ_INLINE void statsPass(const View &v, int64_t c0, int64_t c1, Stats *st,
                          const double *mean, const double *sigma,
                          const double *tensor) {
  if constexpr (Pass == 0) {
    momentsAnyOrder(v, c0, c1, st);
    return;
  }
  if (v.n[2] == 1) {
    // Channels along the innermost data (NHWC): one row of channels per
    // outer index, vectorized across channels, on local arrays of
    // accumulators (structure of arrays).
    int64_t sc = v.s[1], m = c1 - c0;
    std::vector<double> acc(m, 0.0), mu(m);
    std::vector<float> mx(m, 0.0f), below(m);
    std::vector<int64_t> cnt(m, 0), cntT(m, 0);
    std::vector<int32_t> bad(m, 0);
    for (int64_t c = 0; c < m; ++c) {
      if constexpr (Pass == 2)
        mu[c] = mean[c0 + c];
      if constexpr (Pass == 3) {
        below[c] = largestFloatAtMost(sigma[c0 + c]);
      }
    }
    float belowT = largestFloatAtMost(Both ? tensor[1] : 0.0);
    double *__restrict accP = acc.data();
    const double *__restrict muP = mu.data();
    const float *__restrict belowP = below.data();
    float *__restrict mxP = mx.data();
    int64_t *__restrict cntP = cnt.data();
    int64_t *__restrict cntTP = cntT.data();
    int32_t *__restrict badP = bad.data();
    // Unit channel stride (the usual NHWC) gets its own loop so that it
    // vectorizes.
#define DAQ_ROW_BODY(STRIDE)                                                   \
  for (int64_t c = 0; c < m; ++c) {                                            \
    float x = row[c * (STRIDE)];                                               \
    if constexpr (Pass == 1) {                                                 \
      accP[c] += static_cast<double>(x);                                       \
      mxP[c] = maxAbs(mxP[c], x);                                              \
      badP[c] |= x != x;                                                       \
    } else if constexpr (Pass == 2) {                                          \
      double d = static_cast<double>(x) - muP[c];                              \
      accP[c] += d * d;                                                        \
    } else {                                                                   \
      float a = std::fabs(x);                                                  \
      cntP[c] += a > belowP[c];                                                \
      if constexpr (Both)                                                      \
        cntTP[c] += a > belowT;                                                \
    }                                                                          \
  }
    int64_t o = 0;
    if constexpr (Rows == nullptr || Pass == 3) {
      // Four rows per sweep over the channels: a channel's accumulators are
      // loaded and stored once per four elements, which still add in row
      // order (the reference's). The count takes this loop with Rows too:
      // a call of Rows->count per row, loading and storing the 64-bit
      // counts for each, measured slower (64 channels x 100352 rows:
      // mcs_clip2 1.33 ms against 1.03-1.12).
      if (sc == 1) {
        for (; o + 4 <= v.n[0]; o += 4) {
          const float *rows[4] = {v.at(o, c0), v.at(o + 1, c0), v.at(o + 2, c0),
                                  v.at(o + 3, c0)};
          // Each thread reads a slice of every row (its channels), a stride
          // the hardware prefetchers follow poorly: fetch 16 rows ahead.
          if (o + kRowsAhead + 4 <= v.n[0])
            for (int64_t k = 0; k < 4; ++k)
              for (int64_t b = 0; b < m; b += 16)
                __builtin_prefetch(v.at(o + kRowsAhead + k, c0 + b));
          for (int64_t c = 0; c < m; ++c) {
            if constexpr (Pass == 1) {
              double a = accP[c];
              float mxv = mxP[c];
              int32_t nan = badP[c];
              for (const float *row : rows) {
                float x = row[c];
                a += static_cast<double>(x);
                mxv = maxAbs(mxv, x);
                nan |= x != x;
              }
              accP[c] = a;
              mxP[c] = mxv;
              badP[c] = nan;
            } else if constexpr (Pass == 2) {
              double a = accP[c];
              for (const float *row : rows) {
                double d = static_cast<double>(row[c]) - muP[c];
                a += d * d;
              }
              accP[c] = a;
            } else {
              int64_t n = cntP[c], nT = cntTP[c];
              for (const float *row : rows) {
                float a = std::fabs(row[c]);
                n += a > belowP[c];
                if constexpr (Both)
                  nT += a > belowT;
              }
              cntP[c] = n;
              cntTP[c] = nT;
            }
          }
        }
      }
    }
    for (; o < v.n[0]; ++o) {
      const float *row = v.at(o, c0);
      if constexpr (Rows != nullptr) {
        if (sc == 1) {
          if constexpr (Pass == 1)
            Rows->moments(row, m, accP, mxP, badP);
          else if constexpr (Pass == 2)
            Rows->squares(row, m, muP, accP);
          else
            Rows->count(row, m, belowP, cntP, belowT, Both ? cntTP : nullptr);
          continue;
        }
      }
      if (sc == 1) {
        DAQ_ROW_BODY(1)
      } else {
        DAQ_ROW_BODY(sc)
      }
    }
#undef DAQ_ROW_BODY
    for (int64_t c = 0; c < m; ++c) {
      Stats &s = st[c0 + c];
      if constexpr (Pass == 1) {
        s.sum = acc[c];
        s.max = mx[c];
        s.nan = bad[c];
      } else if constexpr (Pass == 2) {
        s.squares = acc[c];
      } else {
        s.above = cnt[c];
        s.aboveT = cntT[c];
      }
    }
    return;
  }
  if constexpr (Pass == 3) {
    // Counts compare in f32: |x| > sigma exactly when |x| > below.
    bool byChannel =
        Rows == nullptr && v.s[2] == 1 && v.n[0] * v.n[2] < (int64_t(1) << 31);
    float belowT = largestFloatAtMost(Both ? tensor[1] : 0.0);
    for (int64_t c = c0; c < c1; ++c) {
      float below = largestFloatAtMost(sigma[c]);
      if (byChannel) {
        countAboveChannel<Both>(v, c, below, belowT, st[c]);
        continue;
      }
      if constexpr (Rows != nullptr) {
        if (v.s[2] == 1) {
          float thresholds[2] = {below, belowT};
          int64_t counts[2] = {0, 0};
          countRowsAbove<Rows>(v.at(0, c), v.n[0], v.s[0],
                               c + 1 < c1 ? v.at(0, c + 1) : nullptr, v.n[2],
                               thresholds, Both ? 2 : 1, counts);
          st[c].above += counts[0];
          st[c].aboveT += counts[1];
          continue;
        }
      }
      for (int64_t o = 0; o < v.n[0]; ++o)
        countAboveRow<Both>(v.at(o, c), v.n[2], v.s[2], below, belowT, st[c]);
    }
    return;
  }
  // Independent chains of 16 channels (four <4 x double> accumulators)
  // hide the latency of the adds; then 4, then 1. Rows of unit stride go
  // eight channels at a time, transposed.
  int64_t c = c0;
  if (v.s[2] == 1) {
    for (; c + 8 <= c1; c += 8) {
      if constexpr (Pass == 1)
        momentsBlockOf8(v, c, st);
      else
        squaresBlockOf8(v, c, st, mean);
    }
  }
  for (; c + 16 <= c1; c += 16) {
    if constexpr (Pass == 1)
      momentsBlock<16>(v, c, st);
    else
      squaresBlock<16>(v, c, st, mean);
  }
  for (; c + 4 <= c1; c += 4) {
    if constexpr (Pass == 1)
      momentsBlock<4>(v, c, st);
    else
      squaresBlock<4>(v, c, st, mean);
  }
  for (; c < c1; ++c) {
    if constexpr (Pass == 1)
      momentsBlock<1>(v, c, st);
    else
      squaresBlock<1>(v, c, st, mean);
  }
}

#define DAQ_STATS_ARGS                                                         \
  const View &v, int64_t c0, int64_t c1, Stats *st, const double *m,           \
      const double *s, const double *t
#define DAQ_STATS_WRAPPER(NAME, ATTR, PASS, BOTH, ROWS)                        \
  ATTR void NAME(DAQ_STATS_ARGS) {                                             \
    statsPass<PASS, BOTH, ROWS>(v, c0, c1, st, m, s, t);                       \
  }
/// The five passes of one variant: NAME0, NAME1, NAME2, NAME3, NAME3Both.
#define DAQ_STATS_WRAPPERS(NAME, ATTR, ROWS)                                   \
  DAQ_STATS_WRAPPER(NAME##0, ATTR, 0, false, ROWS)                             \
  DAQ_STATS_WRAPPER(NAME##1, ATTR, 1, false, ROWS)                             \
  DAQ_STATS_WRAPPER(NAME##2, ATTR, 2, false, ROWS)                             \
  DAQ_STATS_WRAPPER(NAME##3, ATTR, 3, false, ROWS)                             \
  DAQ_STATS_WRAPPER(NAME##3Both, ATTR, 3, true, ROWS)
#define DAQ_AVX512 __attribute__((target("avx512f")))
DAQ_STATS_WRAPPERS(statsPortable, , nullptr)
DAQ_STATS_WRAPPERS(statsAVX2_, DAQ_AVX2, nullptr)
DAQ_STATS_WRAPPERS(statsAVX512_, DAQ_AVX512, &mlir::daq::cpu::statsRowsAVX512)
DAQ_STATS_WRAPPERS(statsModel, , &mlir::daq::cpu::isa_model::statsRowsAVX512)

using StatsPassFn = void (*)(const View &, int64_t, int64_t, Stats *,
                             const double *, const double *, const double *);

//===----------------------------------------------------------------------===//
// Quantization rows
//===----------------------------------------------------------------------===//

/// The reference quantizer: clamps that keep a NaN x, a NaN v (NaN x or
/// clip, inf * 0) gives code 0.
DAQ_INLINE int8_t quantizeValue(float x, float clip, float inverse) {
  float c = x < -clip ? -clip : x;
  c = c > clip ? clip : c;
  float v = c * inverse;
  float r = __builtin_roundevenf(v);
  r = r < -127.0f ? -127.0f : r;
  r = r > 127.0f ? 127.0f : r;
  r = v != v ? 0.0f : r;
  return static_cast<int8_t>(static_cast<int32_t>(r));
}

int8_t quantizeValueOutOfLine(float x, float clip, float inverse) {
  return quantizeValue(x, clip, inverse);
}

/// quantizeValue on eight lanes, the codes as i32: vmaxps/vminps take their
/// operands in the order that reproduces the scalar clamps' NaN handling,
/// and a NaN scaled value gives code 0 (as quantize16AVX512).
DAQ_AVX2 inline __m256i quantize8AVX2(__m256 x, __m256 clip, __m256 inverse) {
  __m256 low = _mm256_mul_ps(clip, _mm256_set1_ps(-1.0f)); // -clip exactly
  __m256 c = _mm256_min_ps(clip, _mm256_max_ps(low, x));
  __m256 v = _mm256_mul_ps(c, inverse);
  __m256 r = _mm256_round_ps(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  r = _mm256_min_ps(_mm256_set1_ps(127.0f),
                    _mm256_max_ps(_mm256_set1_ps(-127.0f), r));
  r = _mm256_and_ps(r, _mm256_cmp_ps(v, v, _CMP_ORD_Q));
  return _mm256_cvttps_epi32(r);
}

/// Four vectors of i32 codes in [-127, 127] as 32 bytes in order: the packs
/// work within 128-bit halves, so a byte vector holds dwords
/// [a0-3 b0-3 c0-3 d0-3 | a4-7 b4-7 c4-7 d4-7], put in order by vpermd.
DAQ_AVX2 inline __m256i packCodesAVX2(__m256i a, __m256i b, __m256i c,
                                      __m256i d) {
  __m256i bytes =
      _mm256_packs_epi16(_mm256_packs_epi32(a, b), _mm256_packs_epi32(c, d));
  return _mm256_permutevar8x32_epi32(bytes,
                                     _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
}

/// Elements j..j+7 of p (step 1) or p[0] eight times (step 0).
DAQ_AVX2 inline __m256 lanesAt(const float *p, int64_t step, int64_t j) {
  return step ? _mm256_loadu_ps(p + j) : _mm256_set1_ps(p[0]);
}

/// The AVX2 form of quantizeRowAVX512 (same arguments): 32 codes per store,
/// then 8, then the scalar tail.
DAQ_AVX2 void quantizeRowAVX2(const float *x, int8_t *q1, int8_t *q2, int64_t n,
                              const float *clip1, const float *inv1,
                              int64_t clipStep, float clip2, float inv2,
                              int8_t (*scalar)(float, float, float)) {
  __m256 c2 = _mm256_set1_ps(clip2), i2 = _mm256_set1_ps(inv2);
  int64_t j = 0;
  for (; j + 32 <= n; j += 32) {
    __m256i a[4], b[4];
    for (int k = 0; k < 4; ++k) {
      __m256 v = _mm256_loadu_ps(x + j + 8 * k);
      a[k] = quantize8AVX2(v, lanesAt(clip1, clipStep, j + 8 * k),
                           lanesAt(inv1, clipStep, j + 8 * k));
      if (q2)
        b[k] = quantize8AVX2(v, c2, i2);
    }
    _mm256_storeu_si256(reinterpret_cast<__m256i *>(q1 + j),
                        packCodesAVX2(a[0], a[1], a[2], a[3]));
    if (q2)
      _mm256_storeu_si256(reinterpret_cast<__m256i *>(q2 + j),
                          packCodesAVX2(b[0], b[1], b[2], b[3]));
  }
  for (; j + 8 <= n; j += 8) {
    __m256 v = _mm256_loadu_ps(x + j);
    __m256i a = quantize8AVX2(v, lanesAt(clip1, clipStep, j),
                              lanesAt(inv1, clipStep, j));
    _mm_storel_epi64(reinterpret_cast<__m128i *>(q1 + j),
                     _mm256_castsi256_si128(packCodesAVX2(a, a, a, a)));
    if (q2) {
      __m256i b = quantize8AVX2(v, c2, i2);
      _mm_storel_epi64(reinterpret_cast<__m128i *>(q2 + j),
                       _mm256_castsi256_si128(packCodesAVX2(b, b, b, b)));
    }
  }
  for (; j < n; ++j) {
    q1[j] = scalar(x[j], clip1[j * clipStep], inv1[j * clipStep]);
    if (q2)
      q2[j] = scalar(x[j], clip2, inv2);
  }
}

using QuantizeRowFn = decltype(&quantizeRowAVX2);

/// Quantizes n elements: q1 with clip1[j * clipStep] (inverse inv1[...]),
/// and when Two, q2 with the scalar clip2. Contiguous rows go to
/// Rows->quantize (streamed with `stream`) or, without Rows, to `Fast` when
/// not null.
template <bool Two, const StatsRows *Rows, QuantizeRowFn Fast>
DAQ_INLINE void quantizeRow(const float *x, int64_t sx, int8_t *q1, int8_t *q2,
                            int64_t sq, int64_t n, const float *clip1,
                            const float *inv1, int64_t clipStep, float clip2,
                            float inv2, bool stream) {
  if (sx == 1 && sq == 1) {
    if constexpr (Rows != nullptr) {
      Rows->quantize(x, 1, 0, q1, Two ? q2 : nullptr, 0, n, clip1, inv1,
                     clipStep ? n : 0, clip2, inv2, stream);
      return;
    } else if constexpr (Fast != nullptr) {
      Fast(x, q1, Two ? q2 : nullptr, n, clip1, inv1, clipStep, clip2, inv2,
           quantizeValueOutOfLine);
      return;
    }
  }
  if (sx == 1 && sq == 1 && clipStep == 1) {
    for (int64_t j = 0; j < n; ++j) {
      q1[j] = quantizeValue(x[j], clip1[j], inv1[j]);
      if constexpr (Two)
        q2[j] = quantizeValue(x[j], clip2, inv2);
    }
  } else if (sx == 1 && sq == 1 && clipStep == 0) {
    float c = clip1[0], inv = inv1[0];
    for (int64_t j = 0; j < n; ++j) {
      q1[j] = quantizeValue(x[j], c, inv);
      if constexpr (Two)
        q2[j] = quantizeValue(x[j], clip2, inv2);
    }
  } else {
    for (int64_t j = 0; j < n; ++j) {
      float value = x[j * sx];
      q1[j * sq] =
          quantizeValue(value, clip1[j * clipStep], inv1[j * clipStep]);
      if constexpr (Two)
        q2[j * sq] = quantizeValue(value, clip2, inv2);
    }
  }
}

/// Output i8 views. `stream`: the AVX-512 rows write whole lines of codes
/// with non-temporal stores (streamedCodes).
struct OutView {
  int8_t *data[2];
  int64_t s[3];
  bool stream = false;
};

/// Ends a thread's part of a quantization: its non-temporal stores of
/// codes (`stream`) are weakly ordered, so they are fenced before the
/// threads that read the codes next can see the part done.
void fenceStreamedCodes(const OutView &out) {
  if (out.stream)
    _mm_sfence();
}

/// Whether the codes of the gradient `v` are streamed: from kStreamBytes of
/// f32 the gradient and its codes pass the L3 share measured here, so cached
/// stores of the codes first read their lines and evicted the gradient
/// between the two passes that read it (a 12.8 MB GY from memory:
/// quantize_grad 1.16-1.36 ms streamed against 1.52-1.55).
bool streamedCodes(const View &v) {
  return isStreamed(v.n[0] * v.n[1] * v.n[2]);
}

/// Quantizes the view: per-channel clips `clip` (count == channels) or one
/// clip (count 1); with `two`, also the second output with `clip2`.
template <bool Two, const StatsRows *Rows, QuantizeRowFn Fast>
DAQ_INLINE void quantizeRange(const View &v, const OutView &out,
                              const float *clip, const float *inv,
                              int64_t clipCount, float clip2, float inv2,
                              int64_t begin, int64_t end, int64_t pieces) {
  int64_t perChannel = clipCount == 1 ? 0 : 1;
  if (v.n[2] == 1) {
    // Units: (outer row, piece of the channels).
    if constexpr (Rows != nullptr) {
      // Whole rows of unit stride (NHWC): the units' rows in one call, not
      // one per row of a few dozen codes. Rows that follow each other in
      // the gradient and in the codes are one run of codes, the clips
      // repeating with the channels: its lines, not each row's, are whole
      // (a row of 64 codes 16 bytes into a line has none).
      if (pieces == 1 && v.s[1] == 1 && out.s[1] == 1) {
        int64_t m = v.n[1], rows = end - begin, off = begin * out.s[0];
        bool run = v.s[0] == m && out.s[0] == m;
        const float *runClip = clip, *runInv = inv;
        std::vector<float> repeatedClip, repeatedInv;
        if (run && perChannel && rows > 1) {
          for (int64_t c = 0; c < m + 64; ++c) {
            repeatedClip.push_back(clip[c % m]);
            repeatedInv.push_back(inv[c % m]);
          }
          runClip = repeatedClip.data();
          runInv = repeatedInv.data();
        }
        Rows->quantize(v.at(begin, 0), run ? 1 : rows, v.s[0],
                       out.data[0] + off, Two ? out.data[1] + off : nullptr,
                       out.s[0], run ? rows * m : m, runClip, runInv,
                       perChannel ? m : 0, clip2, inv2, out.stream);
        return;
      }
    }
    int64_t len = (v.n[1] + pieces - 1) / pieces;
    for (int64_t u = begin; u < end; ++u) {
      int64_t o = u / pieces, c0 = (u % pieces) * len;
      int64_t c1 = std::min(v.n[1], c0 + len);
      if (c0 >= c1)
        continue;
      int64_t off = o * out.s[0] + c0 * out.s[1];
      quantizeRow<Two, Rows, Fast>(v.at(o, c0), v.s[1], out.data[0] + off,
                                   Two ? out.data[1] + off : nullptr, out.s[1],
                                   c1 - c0, clip + c0 * perChannel,
                                   inv + c0 * perChannel, perChannel, clip2,
                                   inv2, out.stream);
    }
    return;
  }
  // Units: (outer, channel, piece of the inner row).
  int64_t len = (v.n[2] + pieces - 1) / pieces;
  for (int64_t u = begin; u < end; ++u) {
    int64_t row = u / pieces, i0 = (u % pieces) * len;
    int64_t i1 = std::min(v.n[2], i0 + len);
    if (i0 >= i1)
      continue;
    int64_t o = row / v.n[1], c = row % v.n[1];
    int64_t off = o * out.s[0] + c * out.s[1] + i0 * out.s[2];
    quantizeRow<Two, Rows, Fast>(
        v.at(o, c) + i0 * v.s[2], v.s[2], out.data[0] + off,
        Two ? out.data[1] + off : nullptr, out.s[2], i1 - i0,
        clip + c * perChannel, inv + c * perChannel, 0, clip2, inv2,
        out.stream);
  }
}

/// quantizeValue rounding floor(v + u) instead of to nearest-even.
DAQ_INLINE int8_t quantizeStochastic(float x, float clip, float inverse,
                                     float u) {
  float c = x < -clip ? -clip : x;
  c = c > clip ? clip : c;
  float v = c * inverse;
  float r = std::floor(v + u);
  r = r < -127.0f ? -127.0f : r;
  r = r > 127.0f ? 127.0f : r;
  r = v != v ? 0.0f : r;
  return static_cast<int8_t>(static_cast<int32_t>(r));
}

/// quantizeStochastic on four lanes (the same clamps, lane by lane).
DAQ_INLINE Ints4 quantizeStochastic4(Floats4 x, float clip, float inverse,
                                     Floats4 u) {
  Floats4 c = x < -clip ? -clip : x;
  c = c > clip ? clip : c;
  Floats4 v = c * inverse;
  Floats4 r = __builtin_elementwise_floor(v + u);
  r = r < -127.0f ? -127.0f : r;
  r = r > 127.0f ? 127.0f : r;
  r = v != v ? 0.0f : r;
  return __builtin_convertvector(r, Ints4);
}

/// Stochastic rounding: the seed and the step of the op.
struct Stochastic {
  uint64_t seed, step;
};

/// Quantization with stochastic rounding of the (outer, channel) rows
/// [begin, end): element (o, c, i) has index (o n1 + c) n2 + i, its
/// row-major index in the tensor of which the view is a reshape. Philox runs
/// four elements at a time, the quantizer one.
DAQ_INLINE void quantizeStochasticRows(const View &v, const OutView &out,
                                       const float *clip, const float *inv,
                                       int64_t clipCount, bool two, float clip2,
                                       float inv2, Stochastic random,
                                       int64_t begin, int64_t end) {
  uint64_t stepLow = random.step & 0xFFFFFFFF, stepHigh = random.step >> 32;
  for (int64_t row = begin; row < end; ++row) {
    int64_t o = row / v.n[1], c = row % v.n[1];
    int64_t k = clipCount == 1 ? 0 : c;
    const float *x = v.at(o, c);
    int64_t at = o * out.s[0] + c * out.s[1];
    auto put = [&](int64_t i, float u) {
      float value = x[i * v.s[2]];
      int64_t q = at + i * out.s[2];
      out.data[0][q] = quantizeStochastic(value, clip[k], inv[k], u);
      if (two)
        out.data[1][q] = quantizeStochastic(value, clip2, inv2, u);
    };
    uint64_t first = static_cast<uint64_t>(row * v.n[2]);
    int64_t i = 0;
    for (; i + 4 <= v.n[2]; i += 4) {
      Words4 index = first + i + Words4{0, 1, 2, 3};
      Words4 words = philoxFirst<Words4>(index & 0xFFFFFFFF, index >> 32,
                                         Words4{} + stepLow,
                                         Words4{} + stepHigh, random.seed);
      // u = (word >> 8) 2^-24 (philoxUniform); word >> 8 < 2^24 is exact
      // as a signed integer and as a float.
      Ints4 top = (Ints4)(__builtin_convertvector(words, Words4Low) >> 8);
      Floats4 u = __builtin_convertvector(top, Floats4) * 0x1p-24f;
      if (v.s[2] != 1 || out.s[2] != 1) {
        for (int l = 0; l < 4; ++l)
          put(i + l, u[l]);
        continue;
      }
      Floats4 value;
      std::memcpy(&value, x + i, sizeof(value));
      Ints4 codes = quantizeStochastic4(value, clip[k], inv[k], u);
      Ints4 codes2 = two ? quantizeStochastic4(value, clip2, inv2, u) : codes;
      for (int l = 0; l < 4; ++l) {
        out.data[0][at + i + l] = static_cast<int8_t>(codes[l]);
        if (two)
          out.data[1][at + i + l] = static_cast<int8_t>(codes2[l]);
      }
    }
    for (; i < v.n[2]; ++i)
      put(i, philoxUniform(first + i, random.step, random.seed));
  }
}

#define DAQ_QUANTIZE_ARGS                                                      \
  const View &v, const OutView &out, const float *clip, const float *inv,      \
      int64_t clipCount, float clip2, float inv2, int64_t begin, int64_t end,  \
      int64_t pieces
#define DAQ_QUANTIZE_PASS                                                      \
  v, out, clip, inv, clipCount, clip2, inv2, begin, end, pieces
#define DAQ_COUNT_QUANTIZE_ARGS                                                \
  const View &v, const OutView &out, const float *below, float belowT,         \
      float belowTLow, const ChannelUpdate &update, float clipT, float invT,   \
      int64_t c0, int64_t c1, int64_t *cnt, int64_t *cntT, int64_t *cntTLow,   \
      float *clip
#define DAQ_COUNT_QUANTIZE_PASS                                                \
  v, out, below, belowT, belowTLow, update, clipT, invT, c0, c1, cnt, cntT,    \
      cntTLow, clip
#define DAQ_QUANTIZE_STOCHASTIC_ARGS                                           \
  const View &v, const OutView &out, const float *clip, const float *inv,      \
      int64_t clipCount, bool two, float clip2, float inv2, Stochastic random, \
      int64_t begin, int64_t end
#define DAQ_QUANTIZE_STOCHASTIC_PASS                                           \
  v, out, clip, inv, clipCount, two, clip2, inv2, random, begin, end
/// The quantizer's scale for a clip (the reference's 127 / s, 0 for s = 0).
DAQ_INLINE float inverseOf(float clip) {
  return clip == 0.0f ? 0.0f : 127.0f / clip;
}

/// The reference's f32 update of one MCS clip, given its classification.
DAQ_INLINE float mcsClip(bool bell, float prev, float max, float keep,
                         float take) {
  bool first = prev < 0.0f;
  float a = keep * prev;
  float b = take * max;
  float recursive = a + b;
  return (bell || first) ? max : recursive;
}

/// The reference's classification: bell-shaped if the fraction above sigma
/// exceeds lambda (in f64).
DAQ_INLINE bool mcsBell(int64_t above, double n, double lambda) {
  return static_cast<double>(above) / n > lambda;
}

/// What the per-channel MCS update needs besides a channel's count.
struct ChannelUpdate {
  const float *max, *prev;
  int64_t prevStride;
  double n, lambda;
  float keep, take;
  DAQ_INLINE float clip(int64_t c, int64_t above) const {
    return mcsClip(mcsBell(above, n, lambda), prev[c * prevStride], max[c],
                   keep, take);
  }
};

/// Pass 3 fused with both quantizations (daq_cpu_quantize_grad_mcs) on
/// channels [c0, c1) of a view whose inner dimension is > 1: a channel's
/// rows are counted above below[c] and belowT (into cnt[c], cntT[c]), which
/// gives its clip (into clip[c]); then, while they are in L1 or L2, they
/// are quantized with it and with the tensor's clip clipT, which the caller
/// guessed (the tensor's count is known only when every channel's is).
/// With cntTLow (not null), also counted above belowTLow, the other end of
/// the tensor's bracket (into cntTLow[c]).
template <const StatsRows *Rows, QuantizeRowFn Fast>
DAQ_INLINE void
countQuantizeRange(const View &v, const OutView &out, const float *below,
                   float belowT, float belowTLow, const ChannelUpdate &update,
                   float clipT, float invT, int64_t c0, int64_t c1,
                   int64_t *cnt, int64_t *cntT, int64_t *cntTLow, float *clip) {
  int64_t n = v.n[2], si = v.s[2], outer = v.n[0];
  // Contiguous rows: with Rows, a channel's rows in one call of each row
  // function. The count prefetches the rows ahead (RowPrefetch; the first
  // rows of channel c0 here).
  bool rows = Rows != nullptr && si == 1;
  RowPrefetch prefetch(n);
  auto nextChannel = [&](int64_t c) {
    return c + 1 < c1 ? v.at(0, c + 1) : nullptr;
  };
  for (int64_t row = -prefetch.ahead; si == 1 && row < 0; ++row)
    prefetch.fetch(v.at(0, c0), outer, v.s[0], nextChannel(c0), row);
  for (int64_t c = c0; c < c1; ++c) {
    if constexpr (Rows != nullptr) {
      if (rows) {
        float thresholds[3] = {below[c], belowT, belowTLow};
        int64_t counts[3] = {0, 0, 0};
        countRowsAbove<Rows>(v.at(0, c), outer, v.s[0], nextChannel(c), n,
                             thresholds, cntTLow ? 3 : 2, counts);
        cnt[c] += counts[0];
        cntT[c] += counts[1];
        if (cntTLow)
          cntTLow[c] += counts[2];
      }
    }
    if (!rows) {
      for (int64_t o = 0; o < outer; ++o) {
        if (si == 1)
          prefetch.fetch(v.at(0, c), outer, v.s[0], nextChannel(c), o);
        const float *x = v.at(o, c);
        int64_t above = 0, aboveT = 0, aboveTLow = 0;
        for (int64_t i = 0; i < n; ++i) {
          float a = std::fabs(x[i * si]);
          above += a > below[c];
          aboveT += a > belowT;
          aboveTLow += a > belowTLow;
        }
        cnt[c] += above;
        cntT[c] += aboveT;
        if (cntTLow)
          cntTLow[c] += aboveTLow;
      }
    }
    clip[c] = update.clip(c, cnt[c]);
    float inv = inverseOf(clip[c]);
    int8_t *q1 = out.data[0] + c * out.s[1], *q2 = out.data[1] + c * out.s[1];
    if constexpr (Rows != nullptr) {
      if (rows && out.s[2] == 1) {
        Rows->quantize(v.at(0, c), outer, v.s[0], q1, q2, out.s[0], n, &clip[c],
                       &inv, 0, clipT, invT, out.stream);
        continue;
      }
    }
    for (int64_t o = 0; o < outer; ++o)
      quantizeRow<true, Rows, Fast>(v.at(o, c), si, q1 + o * out.s[0],
                                    q2 + o * out.s[0], out.s[2], n, &clip[c],
                                    &inv, 0, clipT, invT, out.stream);
  }
}

#define DAQ_QUANTIZE_WRAPPERS(NAME, ATTR, ROWS, FAST)                          \
  ATTR void NAME##1(DAQ_QUANTIZE_ARGS) {                                       \
    quantizeRange<false, ROWS, FAST>(DAQ_QUANTIZE_PASS);                       \
  }                                                                            \
  ATTR void NAME##CountQuantize(DAQ_COUNT_QUANTIZE_ARGS) {                     \
    countQuantizeRange<ROWS, FAST>(DAQ_COUNT_QUANTIZE_PASS);                   \
  }                                                                            \
  ATTR void NAME##2(DAQ_QUANTIZE_ARGS) {                                       \
    quantizeRange<true, ROWS, FAST>(DAQ_QUANTIZE_PASS);                        \
  }                                                                            \
  ATTR void NAME##Stochastic(DAQ_QUANTIZE_STOCHASTIC_ARGS) {                   \
    quantizeStochasticRows(DAQ_QUANTIZE_STOCHASTIC_PASS);                      \
  }
DAQ_QUANTIZE_WRAPPERS(quantizePortable, , nullptr, nullptr)
DAQ_QUANTIZE_WRAPPERS(quantizeAVX2_, DAQ_AVX2, nullptr, quantizeRowAVX2)
DAQ_QUANTIZE_WRAPPERS(quantizeAVX512_, DAQ_AVX512,
                      &mlir::daq::cpu::statsRowsAVX512, nullptr)
DAQ_QUANTIZE_WRAPPERS(quantizeModel, ,
                      &mlir::daq::cpu::isa_model::statsRowsAVX512, nullptr)

using QuantizeFn = void (*)(DAQ_QUANTIZE_ARGS);
using CountQuantizeFn = void (*)(DAQ_COUNT_QUANTIZE_ARGS);
using QuantizeStochasticFn = void (*)(DAQ_QUANTIZE_STOCHASTIC_ARGS);

struct Isa {
  /// Passes 0-3, and pass 3 with the per-tensor count too.
  StatsPassFn pass[4], passBoth;
  /// One output, two outputs.
  QuantizeFn quantize[2];
  QuantizeStochasticFn quantizeStochastic;
  /// Pass 3 fused with both quantizations.
  CountQuantizeFn countQuantize;
};

#define DAQ_ISA(NAME, QUANTIZE)                                                \
  Isa {                                                                        \
    {NAME##0, NAME##1, NAME##2, NAME##3}, NAME##3Both,                         \
        {QUANTIZE##1, QUANTIZE##2}, QUANTIZE##Stochastic,                      \
        QUANTIZE##CountQuantize                                                \
  }

//===----------------------------------------------------------------------===//
// Drivers
//===----------------------------------------------------------------------===//

/// The variant this call runs, or false after reporting an error.
bool selectIsa(int64_t kernel, Isa &isa) {
  std::string error;
  KernelVariant variant = resolveVariant(static_cast<KernelVariant>(kernel),
                                         "statistics kernel", error);
  if (!error.empty()) {
    reportKernelError(error);
    return false;
  }
  switch (variant) {
  case KernelVariant::AVX512VNNI:
  case KernelVariant::AMX:
    // AVX512F comes with AVX512-VNNI; an AMX CPU without it (none is
    // known) takes the AVX2 code.
    if (isVariantSupported(KernelVariant::AVX512VNNI)) {
      isa = DAQ_ISA(statsAVX512_, quantizeAVX512_);
      return true;
    }
    [[fallthrough]];
  case KernelVariant::AVX2:
    isa = DAQ_ISA(statsAVX2_, quantizeAVX2_);
    return true;
  case KernelVariant::AVX512VNNIModel:
  case KernelVariant::AMXModel:
    isa = DAQ_ISA(statsModel, quantizeModel);
    return true;
  default:
    isa = DAQ_ISA(statsPortable, quantizePortable);
    return true;
  }
}

/// Threads split the channels of the view; per tensor (one channel) the
/// elements are first split into contiguous parts that act as channels.
/// Returns the per-channel statistics up to `upTo` (1 max-abs and sums,
/// 2 sigma, 3 count above sigma). With `both` (per-channel views only),
/// `tensor` also gets the statistics of the whole tensor from the same passes:
/// sums of the channels' partial sums in channel order (so, as per tensor, the
/// f64 sums may differ from the reference's sequential ones in the last bits).
/// With `bracketTensor` (and upTo 2), a tensor sigma that pass 0's sums leave
/// open does not rerun passes 1 and 2: `tensor` gets the two ends of its
/// interval instead (sigmaLow, sigma), whose thresholds bracket the
/// reference's.
struct StatsResult {
  std::vector<double> sum, sumAbs, squares, sigma, sigmaLow;
  std::vector<int64_t> above;
  std::vector<float> max;
};

constexpr int64_t kMinPerPart = 1 << 14;
constexpr int64_t kBlock = 16;

StatsResult computeStats(const View &input, const Isa &isa, int upTo,
                         bool both = false, StatsResult *tensor = nullptr,
                         bool bracketTensor = false) {
  View v = input;
  bool perTensor = v.n[1] == 1 && !both;
  int64_t count = v.n[0] * v.n[2];
  // Per tensor: [1, parts, len] plus a tail view [1, 1, rest]. Threads take
  // blocks of kBlock parts (one f64 chain each), so a block per thread.
  View tail{nullptr, {0, 0, 0}, {0, 0, 0}};
  if (perTensor && v.n[0] == 1 && count >= 2 * kMinPerPart) {
    int64_t parts =
        std::min<int64_t>(getNumThreads() * kBlock, count / kMinPerPart);
    int64_t len = count / parts;
    tail = View{v.data + parts * len * v.s[2],
                {1, 1, count - parts * len},
                {0, 0, v.s[2]}};
    v = View{v.data, {1, parts, len}, {0, len * v.s[2], v.s[2]}};
  }
  int64_t channels = v.n[1] + (tail.data ? 1 : 0);
  std::vector<Stats> st(channels);
  int64_t outChannels = perTensor ? 1 : v.n[1];
  std::vector<double> mean(channels), sigma(channels);
  double tensorMS[2] = {0, 0};
  auto runPass = [&](int pass) {
    StatsPassFn fn = both && pass == 3 ? isa.passBoth : isa.pass[pass];
    if ((pass == 0 || pass == 3) && v.n[2] == 1 && v.n[1] > 1) {
      // Channels along the rows (NHWC): passes 0 and 3 do not depend on the
      // order, so the threads split the rows and read them whole (split by
      // channels, each would read a slice of every row).
      int64_t parts = std::min<int64_t>(getNumThreads(), v.n[0]);
      std::vector<std::vector<Stats>> counts(parts, std::vector<Stats>(v.n[1]));
      parallelFor(parts, [&](int64_t p0, int64_t p1) {
        for (int64_t p = p0; p < p1; ++p) {
          int64_t o0 = v.n[0] * p / parts, o1 = v.n[0] * (p + 1) / parts;
          View rows{
              v.at(o0, 0), {o1 - o0, v.n[1], 1}, {v.s[0], v.s[1], v.s[2]}};
          fn(rows, 0, v.n[1], counts[p].data(), mean.data(), sigma.data(),
             tensorMS);
        }
      });
      for (const std::vector<Stats> &part : counts)
        for (int64_t c = 0; c < v.n[1]; ++c) {
          st[c].sum += part[c].sum;
          st[c].sumSquares += part[c].sumSquares;
          st[c].sumAbs += part[c].sumAbs;
          st[c].max = std::max(st[c].max, part[c].max);
          st[c].nan |= part[c].nan;
          st[c].above += part[c].above;
          st[c].aboveT += part[c].aboveT;
        }
      return;
    }
    // Blocks of kBlock channels per thread unit.
    int64_t blocks = (v.n[1] + kBlock - 1) / kBlock;
    parallelFor(blocks, [&](int64_t b0, int64_t b1) {
      fn(v, b0 * kBlock, std::min(v.n[1], b1 * kBlock), st.data(), mean.data(),
         sigma.data(), tensorMS);
    });
    if (tail.data && tail.n[2] > 0)
      fn(tail, 0, 1, st.data() + v.n[1], mean.data() + v.n[1],
         sigma.data() + v.n[1], tensorMS);
  };
  StatsResult r;
  r.sum.assign(outChannels, 0);
  r.sumAbs.assign(outChannels, 0);
  r.squares.assign(outChannels, 0);
  r.above.assign(outChannels, 0);
  r.max.assign(outChannels, 0);
  if (both) {
    tensor->sum.assign(1, 0);
    tensor->sumAbs.assign(1, 0);
    tensor->squares.assign(1, 0);
    tensor->above.assign(1, 0);
    tensor->max.assign(1, 0);
  }
  auto outOf = [&](int64_t c) { return perTensor ? 0 : c; };
  double n = static_cast<double>(count);
  double nT = n * static_cast<double>(v.n[1]);
  // The sums per channel and of the tensor, from the passes' st.sum.
  auto gatherSums = [&] {
    std::fill(r.sum.begin(), r.sum.end(), 0.0);
    for (int64_t c = 0; c < channels; ++c)
      r.sum[outOf(c)] += st[c].sum;
    if (both) {
      tensor->sum[0] = 0;
      for (double sum : r.sum)
        tensor->sum[0] += sum;
    }
  };
  runPass(0);
  gatherSums();
  std::vector<int32_t> nan(outChannels, 0);
  int32_t nanT = 0;
  for (int64_t c = 0; c < channels; ++c) {
    int64_t o = outOf(c);
    r.sumAbs[o] += st[c].sumAbs;
    r.max[o] = std::max(r.max[o], st[c].max);
    nan[o] |= st[c].nan;
  }
  for (int64_t o = 0; o < outChannels; ++o) {
    if (both) {
      tensor->sumAbs[0] += r.sumAbs[o];
      tensor->max[0] = std::max(tensor->max[0], r.max[o]);
      nanT |= nan[o];
    }
    if (nan[o])
      r.max[o] = std::numeric_limits<float>::quiet_NaN();
  }
  if (both && nanT)
    tensor->max[0] = std::numeric_limits<float>::quiet_NaN();
  if (upTo < 2)
    return r;
  // Sigma from pass 0's sums where they pin down the reference's threshold
  // (sigmaFromSumOfSquares); where they do not, the reference's two passes:
  // pass 1 (its sums, so its means) and pass 2, on the open channels only,
  // or on all when the tensor's sigma (or, per tensor, the one sigma) is
  // open, as it adds every channel's squares.
  std::vector<double> sumSquares(outChannels, 0.0);
  for (int64_t c = 0; c < channels; ++c)
    sumSquares[outOf(c)] += st[c].sumSquares;
  std::vector<double> sigmaOut(outChannels);
  std::vector<int64_t> open;
  for (int64_t o = 0; o < outChannels; ++o)
    if (!sigmaFromSumOfSquares(r.sum[o], sumSquares[o], n, sigmaOut[o]))
      open.push_back(o);
  bool allOpen = perTensor && !open.empty();
  if (both) {
    double sumSquaresT = 0;
    for (double q : sumSquares)
      sumSquaresT += q;
    allOpen =
        !sigmaFromSumOfSquares(tensor->sum[0], sumSquaresT, nT, tensorMS[1]);
    DeviationsInterval m2 = deviationsInterval(tensor->sum[0], sumSquaresT, nT);
    if (allOpen && bracketTensor && upTo == 2 && !std::isnan(m2.low)) {
      allOpen = false;
      tensor->sigmaLow.assign(1, std::sqrt(m2.low / nT));
    }
  }
  if (allOpen) {
    runPass(1);
    gatherSums();
    for (int64_t c = 0; c < channels; ++c)
      mean[c] = r.sum[outOf(c)] / n;
    if (both)
      tensorMS[0] = tensor->sum[0] / nT;
    runPass(2);
    for (int64_t c = 0; c < channels; ++c) {
      r.squares[outOf(c)] += st[c].squares;
      // The tensor's squared deviations from the channels' (about their own
      // means), in channel order: sum over c of S2_c + n (mean_c - mean)^2.
      if (both) {
        double d = mean[c] - tensorMS[0];
        tensor->squares[0] += st[c].squares + n * (d * d);
      }
    }
    for (int64_t o = 0; o < outChannels; ++o)
      sigmaOut[o] = std::sqrt(r.squares[o] / n);
    if (both)
      tensorMS[1] = std::sqrt(tensor->squares[0] / nT);
  } else {
    parallelFor(static_cast<int64_t>(open.size()), [&](int64_t i0, int64_t i1) {
      for (int64_t i = i0; i < i1; ++i) {
        int64_t c = open[i];
        isa.pass[1](v, c, c + 1, st.data(), mean.data(), sigma.data(),
                    tensorMS);
        mean[c] = st[c].sum / n;
        isa.pass[2](v, c, c + 1, st.data(), mean.data(), sigma.data(),
                    tensorMS);
      }
    });
    for (int64_t c : open)
      sigmaOut[c] = std::sqrt(st[c].squares / n);
  }
  for (int64_t c = 0; c < channels; ++c)
    sigma[c] = sigmaOut[outOf(c)];
  r.sigma = std::move(sigmaOut);
  if (both)
    tensor->sigma.assign(1, tensorMS[1]);
  if (upTo < 3)
    return r;
  runPass(3);
  for (int64_t c = 0; c < channels; ++c) {
    r.above[outOf(c)] += st[c].above;
    if (both)
      tensor->above[0] += st[c].aboveT;
  }
  return r;
}

template <typename T> T fromBits(int64_t bits) {
  T value;
  if constexpr (sizeof(T) == 4) {
    uint32_t b = static_cast<uint32_t>(bits);
    std::memcpy(&value, &b, 4);
  } else {
    std::memcpy(&value, &bits, 8);
  }
  return value;
}

void runQuantize(const View &v, const OutView &out, const float *clipData,
                 int64_t clipStride, int64_t clipCount, bool two, float clip2,
                 const Isa &isa,
                 std::optional<Stochastic> random = std::nullopt) {
  std::vector<float> clip(clipCount), inv(clipCount);
  for (int64_t c = 0; c < clipCount; ++c) {
    clip[c] = clipData[c * clipStride];
    inv[c] = inverseOf(clip[c]);
  }
  float inv2 = inverseOf(clip2);
  if (random) {
    // One (outer, channel) row per unit.
    parallelFor(v.n[0] * v.n[1], [&](int64_t begin, int64_t end) {
      isa.quantizeStochastic(v, out, clip.data(), inv.data(), clipCount, two,
                             clip2, inv2, *random, begin, end);
    });
    return;
  }
  int64_t rows = v.n[2] == 1 ? v.n[0] : v.n[0] * v.n[1];
  int64_t rowLen = v.n[2] == 1 ? v.n[1] : v.n[2];
  // Pieces per row so that there are enough units for the threads.
  int64_t want = getNumThreads() * 4;
  int64_t pieces = 1;
  if (rows < want)
    pieces = std::max<int64_t>(
        1, std::min<int64_t>((want + rows - 1) / rows, rowLen / 4096));
  QuantizeFn fn = isa.quantize[two ? 1 : 0];
  parallelFor(rows * pieces, [&](int64_t begin, int64_t end) {
    fn(v, out, clip.data(), inv.data(), clipCount, clip2, inv2, begin, end,
       pieces);
    fenceStreamedCodes(out);
  });
}

} // namespace

extern "C" void _mlir_ciface_daq_cpu_max_abs(DaqMemRef<float, 3> *x,
                                             DaqMemRef<float, 1> *out,
                                             int64_t kernel) {
  float *dst = out->aligned + out->offset;
  Isa isa;
  if (!selectIsa(kernel, isa)) {
    for (int64_t c = 0; c < out->sizes[0]; ++c)
      dst[c * out->strides[0]] = 0;
    return;
  }
  StatsResult r = computeStats(makeView(x), isa, 1);
  for (int64_t c = 0; c < out->sizes[0]; ++c)
    dst[c * out->strides[0]] = r.max[c];
}

namespace {
/// The reference's classification and f32 update of one clip.
float mcsUpdate(const StatsResult &r, int64_t c, double n, float prev,
                double lambda, float keep, float take, bool &bell) {
  bell = mcsBell(r.above[c], n, lambda);
  return mcsClip(bell, prev, r.max[c], keep, take);
}
} // namespace

extern "C" void _mlir_ciface_daq_cpu_mcs_clip(
    DaqMemRef<float, 3> *x, DaqMemRef<float, 1> *prevClip,
    DaqMemRef<float, 2> *out, int64_t lambdaBits, int64_t keepBits,
    int64_t takeBits, int64_t kernel) {
  float *dst = out->aligned + out->offset;
  int64_t channels = out->sizes[1];
  auto put = [&](int64_t row, int64_t c, float value) {
    dst[row * out->strides[0] + c * out->strides[1]] = value;
  };
  Isa isa;
  if (!selectIsa(kernel, isa)) {
    for (int64_t c = 0; c < channels; ++c)
      put(0, c, 0), put(1, c, 0);
    return;
  }
  View v = makeView(x);
  StatsResult r = computeStats(v, isa, 3);
  double n = static_cast<double>(v.n[0] * v.n[2]);
  double lambda = fromBits<double>(lambdaBits);
  float keep = fromBits<float>(keepBits), take = fromBits<float>(takeBits);
  const float *prev = prevClip->aligned + prevClip->offset;
  for (int64_t c = 0; c < channels; ++c) {
    bool bell;
    put(0, c,
        mcsUpdate(r, c, n, prev[c * prevClip->strides[0]], lambda, keep, take,
                  bell));
    put(1, c, bell ? 1.0f : 0.0f);
  }
}

extern "C" void _mlir_ciface_daq_cpu_mcs_clip2(
    DaqMemRef<float, 3> *x, DaqMemRef<float, 1> *prevChannel,
    DaqMemRef<float, 1> *prevTensor, DaqMemRef<float, 1> *out,
    int64_t lambdaBits, int64_t keepBits, int64_t takeBits, int64_t kernel) {
  float *dst = out->aligned + out->offset;
  int64_t channels = out->sizes[0] - 1;
  Isa isa;
  if (!selectIsa(kernel, isa)) {
    for (int64_t c = 0; c <= channels; ++c)
      dst[c * out->strides[0]] = 0;
    return;
  }
  View v = makeView(x);
  StatsResult tensor;
  StatsResult r = computeStats(v, isa, 3, /*both=*/true, &tensor);
  double n = static_cast<double>(v.n[0] * v.n[2]);
  double lambda = fromBits<double>(lambdaBits);
  float keep = fromBits<float>(keepBits), take = fromBits<float>(takeBits);
  const float *prev = prevChannel->aligned + prevChannel->offset;
  bool bell;
  for (int64_t c = 0; c < channels; ++c)
    dst[c * out->strides[0]] = mcsUpdate(
        r, c, n, prev[c * prevChannel->strides[0]], lambda, keep, take, bell);
  dst[channels * out->strides[0]] = mcsUpdate(
      tensor, 0, n * static_cast<double>(channels),
      prevTensor->aligned[prevTensor->offset], lambda, keep, take, bell);
}

namespace {
/// Sets every element of an int8 view to 0 (after a reported error).
void zeroCodes(DaqMemRef<int8_t, 3> *out) {
  for (int64_t a = 0; a < out->sizes[0]; ++a)
    for (int64_t b = 0; b < out->sizes[1]; ++b)
      for (int64_t c = 0; c < out->sizes[2]; ++c)
        out->aligned[out->offset + a * out->strides[0] + b * out->strides[1] +
                     c * out->strides[2]] = 0;
}

void quantize(DaqMemRef<float, 3> *x, DaqMemRef<float, 1> *clip,
              DaqMemRef<int8_t, 3> *out, int64_t kernel,
              std::optional<Stochastic> random) {
  View v = makeView(x);
  OutView o{{out->aligned + out->offset, nullptr},
            {out->strides[0], out->strides[1], out->strides[2]},
            streamedCodes(v)};
  Isa isa;
  if (!selectIsa(kernel, isa))
    return zeroCodes(out);
  runQuantize(v, o, clip->aligned + clip->offset, clip->strides[0],
              clip->sizes[0], false, 0.0f, isa, random);
}

void quantize2(DaqMemRef<float, 3> *x, DaqMemRef<float, 1> *channelClip,
               DaqMemRef<float, 1> *tensorClip,
               DaqMemRef<int8_t, 3> *channelCodes,
               DaqMemRef<int8_t, 3> *tensorCodes, int64_t kernel,
               std::optional<Stochastic> random) {
  int8_t *channelData = channelCodes->aligned + channelCodes->offset;
  int8_t *tensorData = tensorCodes->aligned + tensorCodes->offset;
  const int64_t *s = channelCodes->strides;
  // quantizeRange addresses both outputs with the same strides.
  bool sameStrides = std::equal(s, s + 3, tensorCodes->strides);
  Isa isa;
  if (!sameStrides || !selectIsa(kernel, isa)) {
    if (!sameStrides)
      reportKernelError("quantize2: the two code buffers have different "
                        "strides");
    zeroCodes(channelCodes);
    zeroCodes(tensorCodes);
    return;
  }
  View v = makeView(x);
  OutView o{{channelData, tensorData}, {s[0], s[1], s[2]}, streamedCodes(v)};
  runQuantize(v, o, channelClip->aligned + channelClip->offset,
              channelClip->strides[0], channelClip->sizes[0], true,
              tensorClip->aligned[tensorClip->offset], isa, random);
}

Stochastic stochastic(int64_t seed, DaqMemRef<int64_t, 1> *step) {
  return {static_cast<uint64_t>(seed),
          static_cast<uint64_t>(step->aligned[step->offset])};
}
} // namespace

extern "C" void _mlir_ciface_daq_cpu_quantize(DaqMemRef<float, 3> *x,
                                              DaqMemRef<float, 1> *clip,
                                              DaqMemRef<int8_t, 3> *out,
                                              int64_t kernel) {
  quantize(x, clip, out, kernel, std::nullopt);
}

extern "C" void _mlir_ciface_daq_cpu_quantize2(
    DaqMemRef<float, 3> *x, DaqMemRef<float, 1> *channelClip,
    DaqMemRef<float, 1> *tensorClip, DaqMemRef<int8_t, 3> *channelCodes,
    DaqMemRef<int8_t, 3> *tensorCodes, int64_t kernel) {
  quantize2(x, channelClip, tensorClip, channelCodes, tensorCodes, kernel,
            std::nullopt);
}

extern "C" void _mlir_ciface_daq_cpu_quantize_stochastic(
    DaqMemRef<float, 3> *x, DaqMemRef<float, 1> *clip,
    DaqMemRef<int64_t, 1> *step, DaqMemRef<int8_t, 3> *out, int64_t seed,
    int64_t kernel) {
  quantize(x, clip, out, kernel, stochastic(seed, step));
}

extern "C" void _mlir_ciface_daq_cpu_quantize2_stochastic(
    DaqMemRef<float, 3> *x, DaqMemRef<float, 1> *channelClip,
    DaqMemRef<float, 1> *tensorClip, DaqMemRef<int64_t, 1> *step,
    DaqMemRef<int8_t, 3> *channelCodes, DaqMemRef<int8_t, 3> *tensorCodes,
    int64_t seed, int64_t kernel) {
  quantize2(x, channelClip, tensorClip, channelCodes, tensorCodes, kernel,
            stochastic(seed, step));
}

namespace {
/// The tensor's classification guessed before its count, from pass 0: the
/// mean |x| over sigma is sqrt(2 / pi) = 0.80 for a Gaussian (r = 0.317)
/// and 1 / sqrt(2) = 0.71 for a Laplace (r = 0.243); 0.78 lies near
/// r = 0.3. Only the speed depends on it.
bool guessBell(const StatsResult &r, double n) {
  return r.sumAbs[0] > 0.78 * n * r.sigma[0];
}

bool sameBits(float a, float b) { return std::memcmp(&a, &b, 4) == 0; }
} // namespace

extern "C" void _mlir_ciface_daq_cpu_quantize_grad_mcs(
    DaqMemRef<float, 3> *x, DaqMemRef<float, 1> *prevChannel,
    DaqMemRef<float, 1> *prevTensor, DaqMemRef<float, 1> *out,
    DaqMemRef<int8_t, 3> *channelCodes, DaqMemRef<int8_t, 3> *tensorCodes,
    int64_t lambdaBits, int64_t keepBits, int64_t takeBits, int64_t kernel) {
  float *dst = out->aligned + out->offset;
  int64_t channels = out->sizes[0] - 1;
  const int64_t *s = channelCodes->strides;
  bool sameStrides = std::equal(s, s + 3, tensorCodes->strides);
  Isa isa;
  if (!sameStrides || !selectIsa(kernel, isa)) {
    if (!sameStrides)
      reportKernelError("quantize_grad_mcs: the two code buffers have "
                        "different strides");
    for (int64_t c = 0; c <= channels; ++c)
      dst[c * out->strides[0]] = 0;
    zeroCodes(channelCodes);
    zeroCodes(tensorCodes);
    return;
  }
  View v = makeView(x);
  OutView codes{{channelCodes->aligned + channelCodes->offset,
                 tensorCodes->aligned + tensorCodes->offset},
                {s[0], s[1], s[2]},
                streamedCodes(v)};
  // Channels along the rows (NHWC): no channel's count is known before
  // the last row, so the count and the quantization stay two passes.
  bool fused = v.n[2] > 1;
  StatsResult tensor;
  StatsResult r = computeStats(v, isa, fused ? 2 : 3, /*both=*/true, &tensor,
                               /*bracketTensor=*/fused);
  double n = static_cast<double>(v.n[0] * v.n[2]);
  double nT = n * static_cast<double>(channels);
  double lambda = fromBits<double>(lambdaBits);
  float keep = fromBits<float>(keepBits), take = fromBits<float>(takeBits);
  const float *prev = prevChannel->aligned + prevChannel->offset;
  float prevT = prevTensor->aligned[prevTensor->offset];
  std::vector<float> clip(channels);
  float clipT;
  bool bell;
  if (!fused) {
    for (int64_t c = 0; c < channels; ++c)
      clip[c] = mcsUpdate(r, c, n, prev[c * prevChannel->strides[0]], lambda,
                          keep, take, bell);
    clipT = mcsUpdate(tensor, 0, nT, prevT, lambda, keep, take, bell);
    runQuantize(v, codes, clip.data(), 1, channels, true, clipT, isa);
  } else {
    std::vector<float> below(channels);
    for (int64_t c = 0; c < channels; ++c)
      below[c] = largestFloatAtMost(r.sigma[c]);
    float belowT = largestFloatAtMost(tensor.sigma[0]);
    // An open tensor sigma: its count is bracketed by the counts above the
    // thresholds of its interval's two ends (the count falls as the
    // threshold rises, and the reference's threshold lies between them).
    bool bracket = !tensor.sigmaLow.empty();
    float belowTLow = bracket ? largestFloatAtMost(tensor.sigmaLow[0]) : belowT;
    float guessT =
        mcsClip(guessBell(tensor, nT), prevT, tensor.max[0], keep, take);
    ChannelUpdate update{r.max.data(), prev, prevChannel->strides[0], n, lambda,
                         keep,         take};
    r.above.assign(channels, 0);
    std::vector<int64_t> aboveT(channels, 0), aboveTLow(channels, 0);
    parallelFor(channels, [&](int64_t c0, int64_t c1) {
      isa.countQuantize(v, codes, below.data(), belowT, belowTLow, update,
                        guessT, inverseOf(guessT), c0, c1, r.above.data(),
                        aboveT.data(), bracket ? aboveTLow.data() : nullptr,
                        clip.data());
      fenceStreamedCodes(codes);
    });
    int64_t countT = 0, countTLow = 0;
    for (int64_t c = 0; c < channels; ++c) {
      countT += aboveT[c];
      countTLow += aboveTLow[c];
    }
    tensor.above.assign(1, countT);
    if (bracket &&
        mcsBell(countT, nT, lambda) != mcsBell(countTLow, nT, lambda)) {
      // The bracket holds the classification's edge: the reference's
      // passes for the tensor's sigma, then its count, again (rare: an
      // element within the interval and r on lambda).
      StatsResult exact;
      computeStats(v, isa, 3, /*both=*/true, &exact);
      tensor.above = exact.above;
    }
    clipT = mcsUpdate(tensor, 0, nT, prevT, lambda, keep, take, bell);
    // A wrong guess: the tensor's codes again.
    if (!sameBits(clipT, guessT))
      runQuantize(
          v,
          OutView{{codes.data[1], nullptr}, {s[0], s[1], s[2]}, codes.stream},
          &clipT, 1, 1, false, 0.0f, isa);
  }
  for (int64_t c = 0; c < channels; ++c)
    dst[c * out->strides[0]] = clip[c];
  dst[channels * out->strides[0]] = clipT;
}
