//===- WinogradTransforms.cpp - Per-tile Winograd arithmetic --------------===//
//
// Every transform is T x T^T for a small integer matrix T (B^T, A, A^T,
// G2 and their stride-2 forms, WinogradTransforms.h): written once from its
// matrix (`separable`), over vectors of GCC's vector extensions (Lanes
// below), and instantiated twice: with 16-byte vectors in baseline
// functions (SSE2) and with 32-byte vectors in functions carrying
// target("avx2"), into which the bodies and every lambda in them are
// force-inlined (also without optimization), so that the
// vectors become single AVX2 registers. With the loops unrolled the
// matrices' entries are constants and the products fold into adds and
// subtracts. Tails narrower than a vector run with 16 bytes, then one lane
// at a time.
//
//===----------------------------------------------------------------------===//

#include "WinogradTransforms.h"

#include <cassert>
#include <cstring>
#include <type_traits>
#include <utility>

using namespace mlir::daq::cpu;

#define DAQ_ALWAYS_INLINE inline __attribute__((always_inline))
#define DAQ_ALWAYS_INLINE_LAMBDA __attribute__((always_inline))

namespace {

/// N lanes of the unsigned integer T with wrapping + and -. The instructions
/// are the enclosing function's: N * sizeof(T) = 16 gives SSE2, 32 one AVX2
/// register in a target("avx2") function, N = 1 scalar code.
template <typename T, int N> struct Lanes {
  static_assert(std::is_unsigned_v<T>, "wrapping arithmetic");
  typedef T Vector __attribute__((vector_size(N * sizeof(T))));
  Vector v;

  static DAQ_ALWAYS_INLINE Lanes load(const void *p) {
    Lanes lanes;
    std::memcpy(&lanes.v, p, sizeof(Vector));
    return lanes;
  }
  DAQ_ALWAYS_INLINE void store(void *p) const {
    std::memcpy(p, &v, sizeof(Vector));
  }
  DAQ_ALWAYS_INLINE Lanes operator+(Lanes o) const { return {v + o.v}; }
  DAQ_ALWAYS_INLINE Lanes operator-(Lanes o) const { return {v - o.v}; }
  /// The lanes as signed integers shifted right (the sign copied in).
  DAQ_ALWAYS_INLINE Lanes shiftRightArithmetic(int bits) const {
    typedef std::make_signed_t<T> Signed
        __attribute__((vector_size(N * sizeof(T))));
    return {(Vector)((Signed)v >> bits)};
  }
};

template <int N> using Int16s = Lanes<uint16_t, N>;
template <int N> using Int32s = Lanes<uint32_t, N>;

/// body(Lanes<T, n>{}, i) over [0, count): vectors of `Bytes`, then of 16
/// bytes, then single lanes.
template <int Bytes, typename T, typename Body>
DAQ_ALWAYS_INLINE void forLanes(int64_t count, const Body &body) {
  constexpr int kWide = Bytes / sizeof(T), kNarrow = 16 / sizeof(T);
  int64_t i = 0;
  for (; i + kWide <= count; i += kWide)
    body(Lanes<T, kWide>{}, i);
  if constexpr (kWide > kNarrow)
    for (; i + kNarrow <= count; i += kNarrow)
      body(Lanes<T, kNarrow>{}, i);
  for (; i < count; ++i)
    body(Lanes<T, 1>{}, i);
}

/// sum_k coefficients[k] * value(k) for coefficients 0, +-1 and 2.
template <typename L, int K, typename Value>
DAQ_ALWAYS_INLINE L combine(const int (&coefficients)[K], const Value &value) {
  L sum{};
#pragma clang loop unroll(full)
  for (int k = 0; k < K; ++k) {
    if (coefficients[k] == 1)
      sum = sum + value(k);
    else if (coefficients[k] == -1)
      sum = sum - value(k);
    else if (coefficients[k] == 2)
      sum = sum + value(k) + value(k);
    else
      assert(coefficients[k] == 0 && "a coefficient other than 0, +-1, 2");
  }
  return sum;
}

/// out(j, (T x T^T)[i][j]) for row i < N of the result, the N x W matrix T
/// and x(k, l).
template <typename L, int N, int W, typename In, typename Out>
DAQ_ALWAYS_INLINE void separableRow(const int (&t)[N][W], int i, const In &x,
                                    const Out &out) {
  L row[W];
#pragma clang loop unroll(full)
  for (int l = 0; l < W; ++l)
    row[l] = combine<L>(t[i], [&](int k)
                                  DAQ_ALWAYS_INLINE_LAMBDA { return x(k, l); });
#pragma clang loop unroll(full)
  for (int j = 0; j < N; ++j)
    out(j, combine<L>(t[j],
                      [&](int l) DAQ_ALWAYS_INLINE_LAMBDA { return row[l]; }));
}

/// out(i, j, (T x T^T)[i][j]) for every row i.
template <typename L, int N, int W, typename In, typename Out>
DAQ_ALWAYS_INLINE void separable(const int (&t)[N][W], const In &x,
                                 const Out &out) {
#pragma clang loop unroll(full)
  for (int i = 0; i < N; ++i)
    separableRow<L>(t, i, x, [&](int j, L value) DAQ_ALWAYS_INLINE_LAMBDA {
      out(i, j, value);
    });
}

template <typename F, int... I>
DAQ_ALWAYS_INLINE void forEachIndex(const F &f,
                                    std::integer_sequence<int, I...>) {
  (f(std::integral_constant<int, I>{}), ...);
}

/// f(std::integral_constant<int, I>{}) for I = 0 .. N - 1 (constants, where
/// a loop around a loop may stay rolled).
template <int N, typename F> DAQ_ALWAYS_INLINE void forEachIndex(const F &f) {
  forEachIndex(f, std::make_integer_sequence<int, N>{});
}

/// out[2 i + k] = row_k[i] for the lanes of a (k = 0) and b (k = 1).
template <int N>
DAQ_ALWAYS_INLINE void storeZipped(Int16s<N> a, Int16s<N> b, int16_t *out) {
  if constexpr (N == 1) {
    a.store(out);
    b.store(out + 1);
  } else if constexpr (N == 8) {
    Int16s<8>{__builtin_shufflevector(a.v, b.v, 0, 8, 1, 9, 2, 10, 3, 11)}
        .store(out);
    Int16s<8>{__builtin_shufflevector(a.v, b.v, 4, 12, 5, 13, 6, 14, 7, 15)}
        .store(out + 8);
  } else {
    static_assert(N == 16, "16 or 32 bytes");
    Int16s<16>{__builtin_shufflevector(a.v, b.v, 0, 16, 1, 17, 2, 18, 3, 19, 4,
                                       20, 5, 21, 6, 22, 7, 23)}
        .store(out);
    Int16s<16>{__builtin_shufflevector(a.v, b.v, 8, 24, 9, 25, 10, 26, 11, 27,
                                       12, 28, 13, 29, 14, 30, 15, 31)}
        .store(out + 16);
  }
}

//===----------------------------------------------------------------------===//
// The three kinds of transform
//===----------------------------------------------------------------------===//

/// Input and gradient transforms: v[(N i + j) * xiStride + c] = (T d
/// T^T)[i][j] for c < cp, d the W x W window whose row k starts at
/// window[k] (pixels cp channels apart). One row i of the result at a time
/// over all channels: every row at once kept N x N output pointers live and
/// spilled them.
template <int Bytes, int N, int W>
DAQ_ALWAYS_INLINE void windowTransform(const int (&t)[N][W],
                                       const int16_t *const *window, int64_t cp,
                                       int16_t *v, int64_t xiStride) {
  forEachIndex<N>([&](auto i) DAQ_ALWAYS_INLINE_LAMBDA {
    forLanes<Bytes, uint16_t>(
        cp, [&](auto lanes, int64_t c) DAQ_ALWAYS_INLINE_LAMBDA {
          using L = decltype(lanes);
          separableRow<L>(
              t, i,
              [&](int k, int l) DAQ_ALWAYS_INLINE_LAMBDA {
                return L::load(window[k] + l * cp + c);
              },
              [&](int j, L value) DAQ_ALWAYS_INLINE_LAMBDA {
                value.store(v + (N * i + j) * xiStride + c);
              });
        });
  });
}

/// Output transforms: y[N i + j][col] = (T M T^T)[i][j] >> Shift for col <
/// nr, M's position W k + l at m + (W k + l) * xiStride.
template <int Bytes, int Shift, int N, int W>
DAQ_ALWAYS_INLINE void outputTransform(const int (&t)[N][W], const int32_t *m,
                                       int64_t xiStride, int64_t nr,
                                       int32_t *const *y) {
  forLanes<Bytes, uint32_t>(
      nr, [&](auto lanes, int64_t col) DAQ_ALWAYS_INLINE_LAMBDA {
        using L = decltype(lanes);
        separable<L>(
            t,
            [&](int k, int l) DAQ_ALWAYS_INLINE_LAMBDA {
              return L::load(m + (W * k + l) * xiStride + col);
            },
            [&](int i, int j, L value) DAQ_ALWAYS_INLINE_LAMBDA {
              value.shiftRightArithmetic(Shift).store(y[N * i + j] + col);
            });
      });
}

/// Filter transforms of two K rows e = 0, 1, interleaved into B's pairs:
/// dst[xi * xiStride + 2 col + e] = (T g_e T^T)[xi] for col < nr, tap 3 ky
/// + kx of g_e's column col at taps[e][(3 ky + kx) * nr + col].
template <int Bytes, int N>
DAQ_ALWAYS_INLINE void filterTransform(const int (&t)[N][3],
                                       const int16_t *const taps[2], int64_t nr,
                                       int16_t *dst, int64_t xiStride) {
  forLanes<Bytes, uint16_t>(
      nr, [&](auto lanes, int64_t col) DAQ_ALWAYS_INLINE_LAMBDA {
        using L = decltype(lanes);
        L u[2][N * N];
        for (int e = 0; e < 2; ++e)
          separable<L>(
              t,
              [&](int k, int l) DAQ_ALWAYS_INLINE_LAMBDA {
                return L::load(taps[e] + (3 * k + l) * nr + col);
              },
              [&](int i, int j, L value)
                  DAQ_ALWAYS_INLINE_LAMBDA { u[e][N * i + j] = value; });
        for (int xi = 0; xi < N * N; ++xi)
          storeZipped(u[0][xi], u[1][xi], dst + xi * xiStride + 2 * col);
      });
}

template <int Bytes>
DAQ_ALWAYS_INLINE void interleaveBody(const int16_t *row0, const int16_t *row1,
                                      int64_t count, int64_t nr,
                                      int64_t tileStride, int16_t *dst) {
  for (int64_t tile = 0; tile * nr < count; ++tile, dst += tileStride) {
    int64_t first = tile * nr;
    int64_t columns = count - first < nr ? count - first : nr;
    forLanes<Bytes, uint16_t>(
        columns, [&](auto lanes, int64_t c) DAQ_ALWAYS_INLINE_LAMBDA {
          using L = decltype(lanes);
          storeZipped(L::load(row0 + first + c), L::load(row1 + first + c),
                      dst + 2 * c);
        });
  }
}

//===----------------------------------------------------------------------===//
// The matrices (WinogradTransforms.h)
//===----------------------------------------------------------------------===//

// Stride 1, F(2x2, 3x3) with G2 = 2 G.
constexpr int kBt[4][4] = {
    {1, 0, -1, 0}, {0, 1, 1, 0}, {0, -1, 1, 0}, {0, 1, 0, -1}};
constexpr int kA[4][2] = {{1, 0}, {1, 1}, {1, -1}, {0, -1}};
constexpr int kAt[2][4] = {{1, 1, 1, 0}, {0, 1, -1, -1}};
constexpr int kG2[4][3] = {{2, 0, 0}, {1, 1, 1}, {1, -1, 1}, {0, 0, 2}};
// Stride 2: the polyphase form and its backward-data transpose.
constexpr int kB2t[5][5] = {{1, 0, -1, 0, 0},
                            {0, 0, 1, 0, 0},
                            {0, 0, -1, 0, 1},
                            {0, 1, 0, 0, 0},
                            {0, 0, 0, 1, 0}};
constexpr int kA2[5][2] = {{1, 0}, {1, 1}, {0, 1}, {1, 0}, {0, 1}};
constexpr int kA2t[2][5] = {{1, 1, 0, 1, 0}, {0, 1, 1, 0, 1}};
constexpr int kG2s[5][3] = {
    {1, 0, 0}, {1, 0, 1}, {0, 0, 1}, {0, 1, 0}, {0, 1, 0}};
constexpr int kB2dt[5][3] = {
    {1, -1, 0}, {0, 1, 0}, {0, -1, 1}, {0, 1, 0}, {0, 0, 1}};
constexpr int kA2dt[4][5] = {
    {1, 1, 0, 0, 0}, {0, 0, 0, 1, 0}, {0, 1, 1, 0, 0}, {0, 0, 0, 0, 1}};

//===----------------------------------------------------------------------===//
// The two forms
//===----------------------------------------------------------------------===//

#define DAQ_TRANSFORMS(SUFFIX, TARGET, BYTES)                                  \
  TARGET void input##SUFFIX(const int16_t *const window[4], int64_t cp,        \
                            int16_t *v, int64_t xiStride) {                    \
    windowTransform<BYTES>(kBt, window, cp, v, xiStride);                      \
  }                                                                            \
  TARGET void gradient##SUFFIX(const int16_t *const window[2], int64_t cp,     \
                               int16_t *gHat, int64_t xiStride) {              \
    windowTransform<BYTES>(kA, window, cp, gHat, xiStride);                    \
  }                                                                            \
  TARGET void output##SUFFIX(const int32_t *m, int64_t xiStride, int64_t nr,   \
                             int32_t *const y[4]) {                            \
    outputTransform<BYTES, 2>(kAt, m, xiStride, nr, y);                        \
  }                                                                            \
  TARGET void filter##SUFFIX(const int16_t *const taps[2], int64_t nr,         \
                             int16_t *dst, int64_t xiStride) {                 \
    filterTransform<BYTES>(kG2, taps, nr, dst, xiStride);                      \
  }                                                                            \
  TARGET void inputStride2##SUFFIX(const int16_t *const window[5], int64_t cp, \
                                   int16_t *v, int64_t xiStride) {             \
    windowTransform<BYTES>(kB2t, window, cp, v, xiStride);                     \
  }                                                                            \
  TARGET void gradientStride2##SUFFIX(const int16_t *const window[2],          \
                                      int64_t cp, int16_t *gHat,               \
                                      int64_t xiStride) {                      \
    windowTransform<BYTES>(kA2, window, cp, gHat, xiStride);                   \
  }                                                                            \
  TARGET void outputStride2##SUFFIX(const int32_t *m, int64_t xiStride,        \
                                    int64_t nr, int32_t *const y[4]) {         \
    outputTransform<BYTES, 0>(kA2t, m, xiStride, nr, y);                       \
  }                                                                            \
  TARGET void filterStride2##SUFFIX(const int16_t *const taps[2], int64_t nr,  \
                                    int16_t *dst, int64_t xiStride) {          \
    filterTransform<BYTES>(kG2s, taps, nr, dst, xiStride);                     \
  }                                                                            \
  TARGET void inputStride2Data##SUFFIX(const int16_t *const window[3],         \
                                       int64_t cp, int16_t *v,                 \
                                       int64_t xiStride) {                     \
    windowTransform<BYTES>(kB2dt, window, cp, v, xiStride);                    \
  }                                                                            \
  TARGET void outputStride2Data##SUFFIX(const int32_t *m, int64_t xiStride,    \
                                        int64_t nr, int32_t *const y[16]) {    \
    outputTransform<BYTES, 0>(kA2dt, m, xiStride, nr, y);                      \
  }                                                                            \
  TARGET void interleave##SUFFIX(const int16_t *row0, const int16_t *row1,     \
                                 int64_t count, int64_t nr,                    \
                                 int64_t tileStride, int16_t *dst) {           \
    interleaveBody<BYTES>(row0, row1, count, nr, tileStride, dst);             \
  }

DAQ_TRANSFORMS(SSE2, , 16)
DAQ_TRANSFORMS(AVX2, __attribute__((target("avx2"))), 32)

} // namespace

const WinogradTransforms mlir::daq::cpu::winogradTransformsSSE2 = {
    inputSSE2,
    gradientSSE2,
    outputSSE2,
    filterSSE2,
    inputStride2SSE2,
    gradientStride2SSE2,
    outputStride2SSE2,
    filterStride2SSE2,
    inputStride2DataSSE2,
    outputStride2DataSSE2,
    interleaveSSE2};
const WinogradTransforms mlir::daq::cpu::winogradTransformsAVX2 = {
    inputAVX2,
    gradientAVX2,
    outputAVX2,
    filterAVX2,
    inputStride2AVX2,
    gradientStride2AVX2,
    outputStride2AVX2,
    filterStride2AVX2,
    inputStride2DataAVX2,
    outputStride2DataAVX2,
    interleaveAVX2};
