//===- WinogradTransforms.cpp - Per-tile Winograd arithmetic --------------===//
//
// Each transform is written once, over a vector of GCC's vector extensions
// (Lanes below), and instantiated twice: with 16-byte vectors in baseline
// functions (SSE2) and with 32-byte vectors in functions carrying
// target("avx2"), into which the bodies are force-inlined, so that the
// vectors become single AVX2 registers. Tails narrower than a vector run
// with 8 lanes, then one lane at a time.
//
//===----------------------------------------------------------------------===//

#include "WinogradTransforms.h"

#include <cstring>
#include <type_traits>

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

//===----------------------------------------------------------------------===//
// Input: v = B^T d B
//===----------------------------------------------------------------------===//

/// Row i of the transform for the channels [c, c + lanes): a and b are the
/// window rows whose sum or difference is row i of B^T d (d0 - d2, d1 + d2,
/// d2 - d1, d1 - d3), then its columns likewise.
template <typename L>
DAQ_ALWAYS_INLINE void inputRow(const int16_t *a, const int16_t *b, bool add,
                                int64_t cp, int64_t c, int16_t *const out[4]) {
  L r[4];
  for (int j = 0; j < 4; ++j) {
    L x = L::load(a + j * cp + c), y = L::load(b + j * cp + c);
    r[j] = add ? x + y : x - y;
  }
  (r[0] - r[2]).store(out[0] + c);
  (r[1] + r[2]).store(out[1] + c);
  (r[2] - r[1]).store(out[2] + c);
  (r[1] - r[3]).store(out[3] + c);
}

/// One row i of the result at a time: all 16 positions at once kept 16
/// output pointers live and spilled them.
template <int Bytes>
DAQ_ALWAYS_INLINE void inputBody(const int16_t *const window[4], int64_t cp,
                                 int16_t *v, int64_t xiStride) {
  static constexpr int kFirst[4] = {0, 1, 2, 1}, kSecond[4] = {2, 2, 1, 3};
  for (int i = 0; i < 4; ++i) {
    const int16_t *a = window[kFirst[i]], *b = window[kSecond[i]];
    bool add = i == 1;
    int16_t *out[4];
    for (int j = 0; j < 4; ++j)
      out[j] = v + (4 * i + j) * xiStride;
    int64_t c = 0;
    for (; c + Bytes / 2 <= cp; c += Bytes / 2)
      inputRow<Int16s<Bytes / 2>>(a, b, add, cp, c, out);
    for (; c + 8 <= cp; c += 8)
      inputRow<Int16s<8>>(a, b, add, cp, c, out);
    for (; c < cp; ++c)
      inputRow<Int16s<1>>(a, b, add, cp, c, out);
  }
}

//===----------------------------------------------------------------------===//
// Gradient: gHat = A g A^T
//===----------------------------------------------------------------------===//

/// h = A g of one column (g0, g1): g0, g0 + g1, g0 - g1, -g1.
template <typename L> DAQ_ALWAYS_INLINE void expandA(L g0, L g1, L h[4]) {
  h[0] = g0;
  h[1] = g0 + g1;
  h[2] = g0 - g1;
  h[3] = L{} - g1;
}

template <typename L>
DAQ_ALWAYS_INLINE void gradientChannels(const int16_t *const window[2],
                                        int64_t cp, int64_t c, int16_t *gHat,
                                        int64_t xiStride) {
  L h[2][4], out[4];
  for (int j = 0; j < 2; ++j)
    expandA(L::load(window[0] + j * cp + c), L::load(window[1] + j * cp + c),
            h[j]);
  for (int i = 0; i < 4; ++i) {
    expandA(h[0][i], h[1][i], out);
    for (int j = 0; j < 4; ++j)
      out[j].store(gHat + (4 * i + j) * xiStride + c);
  }
}

template <int Bytes>
DAQ_ALWAYS_INLINE void gradientBody(const int16_t *const window[2], int64_t cp,
                                    int16_t *gHat, int64_t xiStride) {
  int64_t c = 0;
  for (; c + Bytes / 2 <= cp; c += Bytes / 2)
    gradientChannels<Int16s<Bytes / 2>>(window, cp, c, gHat, xiStride);
  for (; c + 8 <= cp; c += 8)
    gradientChannels<Int16s<8>>(window, cp, c, gHat, xiStride);
  for (; c < cp; ++c)
    gradientChannels<Int16s<1>>(window, cp, c, gHat, xiStride);
}

//===----------------------------------------------------------------------===//
// Output: Y = (A^T M A) >> 2
//===----------------------------------------------------------------------===//

/// A^T rows: (1, 1, 1, 0), (0, 1, -1, -1), on M's columns then rows.
template <typename L>
DAQ_ALWAYS_INLINE void outputColumns(const int32_t *m, int64_t xiStride,
                                     int64_t j, int32_t *const y[4]) {
  L s[2][4];
  for (int col = 0; col < 4; ++col) {
    L m0 = L::load(m + col * xiStride + j),
      m1 = L::load(m + (4 + col) * xiStride + j),
      m2 = L::load(m + (8 + col) * xiStride + j),
      m3 = L::load(m + (12 + col) * xiStride + j);
    s[0][col] = m0 + m1 + m2;
    s[1][col] = m1 - m2 - m3;
  }
  for (int dy = 0; dy < 2; ++dy) {
    L y0 = s[dy][0] + s[dy][1] + s[dy][2];
    L y1 = s[dy][1] - s[dy][2] - s[dy][3];
    y0.shiftRightArithmetic(2).store(y[2 * dy] + j);
    y1.shiftRightArithmetic(2).store(y[2 * dy + 1] + j);
  }
}

template <int Bytes>
DAQ_ALWAYS_INLINE void outputBody(const int32_t *m, int64_t xiStride,
                                  int64_t nr, int32_t *const y[4]) {
  int64_t j = 0;
  for (; j + Bytes / 4 <= nr; j += Bytes / 4)
    outputColumns<Int32s<Bytes / 4>>(m, xiStride, j, y);
  for (; j < nr; ++j)
    outputColumns<Int32s<1>>(m, xiStride, j, y);
}

//===----------------------------------------------------------------------===//
// Interleave: two K rows into pairs
//===----------------------------------------------------------------------===//

/// out[2 i + k] = row_k[i] for the N lanes of a (k = 0) and b (k = 1).
template <int N>
DAQ_ALWAYS_INLINE void storeZipped(Int16s<N> a, Int16s<N> b, int16_t *out) {
  if constexpr (N == 8) {
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

template <int Bytes>
DAQ_ALWAYS_INLINE void interleaveBody(const int16_t *row0, const int16_t *row1,
                                      int64_t count, int64_t nr,
                                      int64_t tileStride, int16_t *dst) {
  constexpr int kLanes = Bytes / 2;
  for (int64_t tile = 0; tile * nr < count; ++tile, dst += tileStride) {
    int64_t c = tile * nr, end = c + nr < count ? c + nr : count;
    int16_t *out = dst;
    for (; c + kLanes <= end; c += kLanes, out += 2 * kLanes)
      storeZipped<kLanes>(Int16s<kLanes>::load(row0 + c),
                          Int16s<kLanes>::load(row1 + c), out);
    for (; c + 8 <= end; c += 8, out += 16)
      storeZipped<8>(Int16s<8>::load(row0 + c), Int16s<8>::load(row1 + c), out);
    for (; c < end; ++c, out += 2) {
      out[0] = row0[c];
      out[1] = row1[c];
    }
  }
}

//===----------------------------------------------------------------------===//
// Filter: U = G2 g G2^T, packed
//===----------------------------------------------------------------------===//

/// t = G2 x of one column (x0, x1, x2): 2 x0, x0 + x1 + x2, x0 - x1 + x2,
/// 2 x2.
template <typename L>
DAQ_ALWAYS_INLINE void expandG2(L x0, L x1, L x2, L t[4]) {
  t[0] = x0 + x0;
  t[1] = x0 + x1 + x2;
  t[2] = x0 - x1 + x2;
  t[3] = x2 + x2;
}

/// u[xi] of the lanes' columns [j, j + lanes).
template <typename L>
DAQ_ALWAYS_INLINE void filterColumns(const int16_t *taps, int64_t nr, int64_t j,
                                     L u[16]) {
  L columns[3][4];
  for (int kx = 0; kx < 3; ++kx)
    expandG2(L::load(taps + kx * nr + j), L::load(taps + (3 + kx) * nr + j),
             L::load(taps + (6 + kx) * nr + j), columns[kx]);
  for (int i = 0; i < 4; ++i)
    expandG2(columns[0][i], columns[1][i], columns[2][i], u + 4 * i);
}

template <int Bytes>
DAQ_ALWAYS_INLINE void filterBody(const int16_t *const taps[2], int64_t nr,
                                  int16_t *dst, int64_t xiStride) {
  constexpr int kLanes = Bytes / 2;
  int64_t j = 0;
  for (; j + kLanes <= nr; j += kLanes) {
    Int16s<kLanes> u0[16], u1[16];
    filterColumns(taps[0], nr, j, u0);
    filterColumns(taps[1], nr, j, u1);
    for (int xi = 0; xi < 16; ++xi)
      storeZipped<kLanes>(u0[xi], u1[xi], dst + xi * xiStride + 2 * j);
  }
  for (; j + 8 <= nr; j += 8) {
    Int16s<8> u0[16], u1[16];
    filterColumns(taps[0], nr, j, u0);
    filterColumns(taps[1], nr, j, u1);
    for (int xi = 0; xi < 16; ++xi)
      storeZipped<8>(u0[xi], u1[xi], dst + xi * xiStride + 2 * j);
  }
  for (; j < nr; ++j) {
    Int16s<1> u0[16], u1[16];
    filterColumns(taps[0], nr, j, u0);
    filterColumns(taps[1], nr, j, u1);
    for (int xi = 0; xi < 16; ++xi) {
      u0[xi].store(dst + xi * xiStride + 2 * j);
      u1[xi].store(dst + xi * xiStride + 2 * j + 1);
    }
  }
}

//===----------------------------------------------------------------------===//
// Stride 2: v = B2^T d B2 and gHat = A2 g A2^T
//===----------------------------------------------------------------------===//

/// Row i of the stride-2 input transform for the channels [c, c + lanes):
/// row i of B2^T d is a - b (`difference`) or a alone, then its columns
/// likewise: d0 - d2, d2, d4 - d2, d1, d3.
template <typename L>
DAQ_ALWAYS_INLINE void inputRowStride2(const int16_t *a, const int16_t *b,
                                       bool difference, int64_t cp, int64_t c,
                                       int16_t *const out[5]) {
  L r[5];
  for (int j = 0; j < 5; ++j) {
    L x = L::load(a + j * cp + c);
    r[j] = difference ? x - L::load(b + j * cp + c) : x;
  }
  (r[0] - r[2]).store(out[0] + c);
  r[2].store(out[1] + c);
  (r[4] - r[2]).store(out[2] + c);
  r[1].store(out[3] + c);
  r[3].store(out[4] + c);
}

template <int Bytes>
DAQ_ALWAYS_INLINE void inputStride2Body(const int16_t *const window[5],
                                        int64_t cp, int16_t *v,
                                        int64_t xiStride) {
  static constexpr int kFirst[5] = {0, 2, 4, 1, 3},
                       kSecond[5] = {2, 2, 2, 1, 3};
  for (int i = 0; i < 5; ++i) {
    const int16_t *a = window[kFirst[i]], *b = window[kSecond[i]];
    bool difference = kFirst[i] != kSecond[i];
    int16_t *out[5];
    for (int j = 0; j < 5; ++j)
      out[j] = v + (5 * i + j) * xiStride;
    int64_t c = 0;
    for (; c + Bytes / 2 <= cp; c += Bytes / 2)
      inputRowStride2<Int16s<Bytes / 2>>(a, b, difference, cp, c, out);
    for (; c + 8 <= cp; c += 8)
      inputRowStride2<Int16s<8>>(a, b, difference, cp, c, out);
    for (; c < cp; ++c)
      inputRowStride2<Int16s<1>>(a, b, difference, cp, c, out);
  }
}

/// h = A2 g of one column (g0, g1): g0, g0 + g1, g1, g0, g1.
template <typename L> DAQ_ALWAYS_INLINE void expandA2(L g0, L g1, L h[5]) {
  h[0] = g0;
  h[1] = g0 + g1;
  h[2] = g1;
  h[3] = g0;
  h[4] = g1;
}

template <typename L>
DAQ_ALWAYS_INLINE void
gradientStride2Channels(const int16_t *const window[2], int64_t cp, int64_t c,
                        int16_t *gHat, int64_t xiStride) {
  L h[2][5], out[5];
  for (int j = 0; j < 2; ++j)
    expandA2(L::load(window[0] + j * cp + c), L::load(window[1] + j * cp + c),
             h[j]);
  for (int i = 0; i < 5; ++i) {
    expandA2(h[0][i], h[1][i], out);
    for (int j = 0; j < 5; ++j)
      out[j].store(gHat + (5 * i + j) * xiStride + c);
  }
}

template <int Bytes>
DAQ_ALWAYS_INLINE void gradientStride2Body(const int16_t *const window[2],
                                           int64_t cp, int16_t *gHat,
                                           int64_t xiStride) {
  int64_t c = 0;
  for (; c + Bytes / 2 <= cp; c += Bytes / 2)
    gradientStride2Channels<Int16s<Bytes / 2>>(window, cp, c, gHat, xiStride);
  for (; c + 8 <= cp; c += 8)
    gradientStride2Channels<Int16s<8>>(window, cp, c, gHat, xiStride);
  for (; c < cp; ++c)
    gradientStride2Channels<Int16s<1>>(window, cp, c, gHat, xiStride);
}

//===----------------------------------------------------------------------===//
// Separable transforms from their matrices: stride 2's forward output and
// filter, backward-data's input and output
//===----------------------------------------------------------------------===//

/// sum_k coefficients[k] * value(k), the coefficients constants of the
/// matrices below (0, +-1) once the loops are unrolled.
template <typename L, int K, typename Value>
DAQ_ALWAYS_INLINE L combine(const int (&coefficients)[K], const Value &value) {
  L sum{};
  for (int k = 0; k < K; ++k) {
    if (coefficients[k] == 1)
      sum = sum + value(k);
    else if (coefficients[k] == -1)
      sum = sum - value(k);
  }
  return sum;
}

/// out(i, j, T x T^T (i, j)) for the N x W matrix T and x(k, l), one row i
/// of the result at a time.
template <typename L, int N, int W, typename In, typename Out>
DAQ_ALWAYS_INLINE void separable(const int (&t)[N][W], const In &x,
                                 const Out &out) {
#pragma clang loop unroll(full)
  for (int i = 0; i < N; ++i) {
    L row[W];
#pragma clang loop unroll(full)
    for (int l = 0; l < W; ++l)
      row[l] = combine<L>(t[i], [&](int k) { return x(k, l); });
#pragma clang loop unroll(full)
    for (int j = 0; j < N; ++j)
      out(i, j, combine<L>(t[j], [&](int l) { return row[l]; }));
  }
}

constexpr int kA2t[2][5] = {{1, 1, 0, 1, 0}, {0, 1, 1, 0, 1}};
constexpr int kG2s[5][3] = {
    {1, 0, 0}, {1, 0, 1}, {0, 0, 1}, {0, 1, 0}, {0, 1, 0}};
constexpr int kB2dt[5][3] = {
    {1, -1, 0}, {0, 1, 0}, {0, -1, 1}, {0, 1, 0}, {0, 0, 1}};
constexpr int kA2dt[4][5] = {
    {1, 1, 0, 0, 0}, {0, 0, 0, 1, 0}, {0, 1, 1, 0, 0}, {0, 0, 0, 0, 1}};

/// y[q][j] = (T M T^T)[q] for the N x 5 matrix T, M's position 5 k + l at
/// m + (5 k + l) * xiStride.
template <int Bytes, int N>
DAQ_ALWAYS_INLINE void outputBody5(const int (&t)[N][5], const int32_t *m,
                                   int64_t xiStride, int64_t nr,
                                   int32_t *const *y) {
  auto columns = [&](auto lanes, int64_t j) DAQ_ALWAYS_INLINE_LAMBDA {
    using L = decltype(lanes);
    separable<L>(
        t,
        [&](int k, int l) { return L::load(m + (5 * k + l) * xiStride + j); },
        [&](int i, int jj, L value) { value.store(y[N * i + jj] + j); });
  };
  int64_t j = 0;
  for (; j + Bytes / 4 <= nr; j += Bytes / 4)
    columns(Int32s<Bytes / 4>{}, j);
  for (; j < nr; ++j)
    columns(Int32s<1>{}, j);
}

/// v[xi * xiStride + c] = (B2d^T d B2d)[xi], d's row k at window[k].
template <int Bytes>
DAQ_ALWAYS_INLINE void inputStride2DataBody(const int16_t *const window[3],
                                            int64_t cp, int16_t *v,
                                            int64_t xiStride) {
  auto channels = [&](auto lanes, int64_t c) DAQ_ALWAYS_INLINE_LAMBDA {
    using L = decltype(lanes);
    separable<L>(
        kB2dt, [&](int k, int l) { return L::load(window[k] + l * cp + c); },
        [&](int i, int j, L value) {
          value.store(v + (5 * i + j) * xiStride + c);
        });
  };
  int64_t c = 0;
  for (; c + Bytes / 2 <= cp; c += Bytes / 2)
    channels(Int16s<Bytes / 2>{}, c);
  for (; c + 8 <= cp; c += 8)
    channels(Int16s<8>{}, c);
  for (; c < cp; ++c)
    channels(Int16s<1>{}, c);
}

/// The stride-2 filter transform of two K rows, interleaved like filterBody.
template <int Bytes>
DAQ_ALWAYS_INLINE void filterStride2Body(const int16_t *const taps[2],
                                         int64_t nr, int16_t *dst,
                                         int64_t xiStride) {
  auto columns = [&](auto lanes, int64_t j) DAQ_ALWAYS_INLINE_LAMBDA {
    using L = decltype(lanes);
    L u[2][25];
    for (int e = 0; e < 2; ++e)
      separable<L>(
          kG2s,
          [&](int k, int l) { return L::load(taps[e] + (3 * k + l) * nr + j); },
          [&](int i, int jj, L value) { u[e][5 * i + jj] = value; });
    for (int xi = 0; xi < 25; ++xi) {
      int16_t *out = dst + xi * xiStride + 2 * j;
      if constexpr (sizeof(L) == sizeof(int16_t)) {
        u[0][xi].store(out);
        u[1][xi].store(out + 1);
      } else {
        storeZipped<sizeof(L) / 2>(u[0][xi], u[1][xi], out);
      }
    }
  };
  int64_t j = 0;
  for (; j + Bytes / 2 <= nr; j += Bytes / 2)
    columns(Int16s<Bytes / 2>{}, j);
  for (; j + 8 <= nr; j += 8)
    columns(Int16s<8>{}, j);
  for (; j < nr; ++j)
    columns(Int16s<1>{}, j);
}

//===----------------------------------------------------------------------===//
// The two forms
//===----------------------------------------------------------------------===//

#define DAQ_TRANSFORMS(SUFFIX, TARGET, BYTES)                                  \
  TARGET void input##SUFFIX(const int16_t *const window[4], int64_t cp,        \
                            int16_t *v, int64_t xiStride) {                    \
    inputBody<BYTES>(window, cp, v, xiStride);                                 \
  }                                                                            \
  TARGET void gradient##SUFFIX(const int16_t *const window[2], int64_t cp,     \
                               int16_t *gHat, int64_t xiStride) {              \
    gradientBody<BYTES>(window, cp, gHat, xiStride);                           \
  }                                                                            \
  TARGET void output##SUFFIX(const int32_t *m, int64_t xiStride, int64_t nr,   \
                             int32_t *const y[4]) {                            \
    outputBody<BYTES>(m, xiStride, nr, y);                                     \
  }                                                                            \
  TARGET void filter##SUFFIX(const int16_t *const taps[2], int64_t nr,         \
                             int16_t *dst, int64_t xiStride) {                 \
    filterBody<BYTES>(taps, nr, dst, xiStride);                                \
  }                                                                            \
  TARGET void inputStride2##SUFFIX(const int16_t *const window[5], int64_t cp, \
                                   int16_t *v, int64_t xiStride) {             \
    inputStride2Body<BYTES>(window, cp, v, xiStride);                          \
  }                                                                            \
  TARGET void gradientStride2##SUFFIX(const int16_t *const window[2],          \
                                      int64_t cp, int16_t *gHat,               \
                                      int64_t xiStride) {                      \
    gradientStride2Body<BYTES>(window, cp, gHat, xiStride);                    \
  }                                                                            \
  TARGET void outputStride2##SUFFIX(const int32_t *m, int64_t xiStride,        \
                                    int64_t nr, int32_t *const y[4]) {         \
    outputBody5<BYTES>(kA2t, m, xiStride, nr, y);                              \
  }                                                                            \
  TARGET void filterStride2##SUFFIX(const int16_t *const taps[2], int64_t nr,  \
                                    int16_t *dst, int64_t xiStride) {          \
    filterStride2Body<BYTES>(taps, nr, dst, xiStride);                         \
  }                                                                            \
  TARGET void inputStride2Data##SUFFIX(const int16_t *const window[3],         \
                                       int64_t cp, int16_t *v,                 \
                                       int64_t xiStride) {                     \
    inputStride2DataBody<BYTES>(window, cp, v, xiStride);                      \
  }                                                                            \
  TARGET void outputStride2Data##SUFFIX(const int32_t *m, int64_t xiStride,    \
                                        int64_t nr, int32_t *const y[16]) {    \
    outputBody5<BYTES>(kA2dt, m, xiStride, nr, y);                             \
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
