//===- QConvMicrokernels.cpp - INT8 GEMM microkernels ---------------------===//
//
// Each x86 variant is a function with its own `target` attribute, so this
// file is compiled for the baseline x86-64 and one binary runs anywhere; the
// caller picks a variant after checking CPUID (QConvKernels.cpp). Only
// intrinsics and plain loops appear inside the attributed functions (no
// inline library code, which the linker could merge with a baseline copy).
// The AVX512-VNNI and AMX bodies are in QConvMicrokernelsWide.inc, shared
// with their software-model build (QConvMicrokernelsModel.cpp).
//
//===----------------------------------------------------------------------===//

#include "QConvMicrokernels.h"
#include "QConvQuantize.h"

#include <immintrin.h>

#include <algorithm>

using namespace mlir::daq::cpu;

void mlir::daq::cpu::microkernelPortable(const MicroTile &tile) {
  constexpr int kMR = 4, kNR = 16;
  // Unsigned sums: int32 accumulation wraps (as arith.addi does) without
  // undefined behaviour.
  uint32_t acc[kMR][kNR] = {};
  const int16_t *b = tile.b;
  for (int64_t tap = 0; tap < tile.numTaps; ++tap) {
    const int16_t *a[kMR];
    for (int r = 0; r < kMR; ++r)
      a[r] = tile.rows[r] + tile.tapOffsets[tap];
    for (int64_t p = 0; p < tile.pairsPerTap; ++p, b += 2 * kNR) {
      int64_t at = p * tile.pairStride;
      for (int r = 0; r < kMR; ++r) {
        int32_t a0 = a[r][at], a1 = a[r][at + 1];
        for (int j = 0; j < kNR; ++j)
          acc[r][j] += static_cast<uint32_t>(a0 * b[2 * j] + a1 * b[2 * j + 1]);
      }
    }
  }
  for (int r = 0; r < kMR; ++r)
    for (int j = 0; j < kNR; ++j) {
      uint32_t value = acc[r][j];
      if (tile.accumulate)
        value += static_cast<uint32_t>(tile.c[r * kNR + j]);
      tile.c[r * kNR + j] = static_cast<int32_t>(value);
    }
}

__attribute__((target("avx2,fma"))) void
mlir::daq::cpu::microkernelAVX2(const MicroTile &tile) {
  constexpr int kMR = 6, kNR = 16;
  __m256i acc[kMR][2];
  for (int r = 0; r < kMR; ++r)
    for (int h = 0; h < 2; ++h)
      acc[r][h] = tile.accumulate
                      ? _mm256_loadu_si256(reinterpret_cast<const __m256i *>(
                            tile.c + r * kNR + 8 * h))
                      : _mm256_setzero_si256();
  const int16_t *b = tile.b;
  for (int64_t tap = 0; tap < tile.numTaps; ++tap) {
    const int16_t *a[kMR];
    for (int r = 0; r < kMR; ++r)
      a[r] = tile.rows[r] + tile.tapOffsets[tap];
    int64_t at = 0;
    for (int64_t p = 0; p < tile.pairsPerTap;
         ++p, b += 2 * kNR, at += tile.pairStride) {
      __m256i b0 = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(b));
      __m256i b1 =
          _mm256_loadu_si256(reinterpret_cast<const __m256i *>(b + 16));
#pragma clang loop unroll(full)
      for (int r = 0; r < kMR; ++r) {
        __m256i pair = _mm256_set1_epi32(loadPair(a[r] + at));
        acc[r][0] = _mm256_add_epi32(acc[r][0], _mm256_madd_epi16(pair, b0));
        acc[r][1] = _mm256_add_epi32(acc[r][1], _mm256_madd_epi16(pair, b1));
      }
    }
  }
  for (int r = 0; r < kMR; ++r)
    for (int h = 0; h < 2; ++h)
      _mm256_storeu_si256(reinterpret_cast<__m256i *>(tile.c + r * kNR + 8 * h),
                          acc[r][h]);
}

namespace mlir::daq::cpu {
#define DAQ_TARGET_AVX512VNNI                                                  \
  __attribute__((target("avx512f,avx512bw,avx512vnni")))
// AVX-512BW (every AMX CPU has it) vectorizes the AMX kernels' repacking.
#define DAQ_TARGET_AMX                                                         \
  __attribute__((target("amx-tile,amx-int8,avx512f,avx512bw")))
#include "QConvMicrokernelsWide.inc"
#undef DAQ_TARGET_AVX512VNNI
#undef DAQ_TARGET_AMX
} // namespace mlir::daq::cpu

__attribute__((target("avx2"))) void
mlir::daq::cpu::interleave16AVX2(const int16_t *p0, const int16_t *p1,
                                 int16_t *dst) {
  __m256i v0 = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(p0));
  __m256i v1 = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(p1));
  // unpack works per 128-bit lane: lo = cols 0-3 | 8-11, hi = 4-7 | 12-15.
  __m256i lo = _mm256_unpacklo_epi16(v0, v1);
  __m256i hi = _mm256_unpackhi_epi16(v0, v1);
  _mm256_storeu_si256(reinterpret_cast<__m256i *>(dst),
                      _mm256_permute2x128_si256(lo, hi, 0x20));
  _mm256_storeu_si256(reinterpret_cast<__m256i *>(dst + 16),
                      _mm256_permute2x128_si256(lo, hi, 0x31));
}

// daq.quantize, nearest-even, 8 lanes at a time. vmaxps/vminps return their
// second operand when either is NaN, so ordering the operands as below
// carries a NaN input through; a NaN clip makes `inverse` NaN. Either way the
// scaled value is NaN, which maps to code 0 as in the reference.
__attribute__((target("avx2"))) void
mlir::daq::cpu::quantizeRowAVX2(const float *src, int64_t count, float clip,
                                int16_t *dst) {
  float inverse = quantizeInverse(clip);
  __m256 high = _mm256_set1_ps(clip), low = _mm256_set1_ps(-clip);
  __m256 scale = _mm256_set1_ps(inverse);
  __m256 maxCode = _mm256_set1_ps(127.0f), minCode = _mm256_set1_ps(-127.0f);
  int64_t i = 0;
  for (; i + 8 <= count; i += 8) {
    __m256 x = _mm256_loadu_ps(src + i);
    __m256 clamped = _mm256_min_ps(high, _mm256_max_ps(low, x));
    __m256 v = _mm256_mul_ps(clamped, scale);
    __m256 rounded =
        _mm256_round_ps(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    rounded = _mm256_min_ps(_mm256_max_ps(rounded, minCode), maxCode);
    __m256i codes = _mm256_cvtps_epi32(rounded);
    __m256 isNan = _mm256_cmp_ps(v, v, _CMP_UNORD_Q);
    codes = _mm256_andnot_si256(_mm256_castps_si256(isNan), codes);
    __m128i packed = _mm_packs_epi32(_mm256_castsi256_si128(codes),
                                     _mm256_extracti128_si256(codes, 1));
    _mm_storeu_si128(reinterpret_cast<__m128i *>(dst + i), packed);
  }
  for (; i < count; ++i)
    dst[i] = quantizeOne(src[i], clip, inverse);
}

// 8 x 8 blocks of int16 transposed with SSE2 unpacks (baseline x86-64, so
// every variant uses it): pairs of channels, then quads, then all eight.
void mlir::daq::cpu::transposeToPixels(const int16_t *rows, int64_t channels,
                                       int64_t width, int64_t rowStride,
                                       int16_t *dst, int64_t pixelStride) {
  auto load = [&](int64_t c, int64_t x) {
    return _mm_loadu_si128(
        reinterpret_cast<const __m128i *>(rows + c * rowStride + x));
  };
  int64_t c = 0;
  for (; c + 8 <= channels; c += 8) {
    int64_t x = 0;
    for (; x + 8 <= width; x += 8) {
      // tK: channels (2K, 2K+1) of pixels 0-3 (lo) or 4-7 (hi).
      __m128i r0 = load(c, x), r1 = load(c + 1, x), r2 = load(c + 2, x),
              r3 = load(c + 3, x), r4 = load(c + 4, x), r5 = load(c + 5, x),
              r6 = load(c + 6, x), r7 = load(c + 7, x);
      __m128i t0 = _mm_unpacklo_epi16(r0, r1), t1 = _mm_unpackhi_epi16(r0, r1);
      __m128i t2 = _mm_unpacklo_epi16(r2, r3), t3 = _mm_unpackhi_epi16(r2, r3);
      __m128i t4 = _mm_unpacklo_epi16(r4, r5), t5 = _mm_unpackhi_epi16(r4, r5);
      __m128i t6 = _mm_unpacklo_epi16(r6, r7), t7 = _mm_unpackhi_epi16(r6, r7);
      // Channels 0-3 (u0, u1, u4, u5) and 4-7 (u2, u3, u6, u7) of pixel
      // pairs (0, 1), (2, 3), (4, 5), (6, 7).
      __m128i u0 = _mm_unpacklo_epi32(t0, t2), u1 = _mm_unpackhi_epi32(t0, t2);
      __m128i u2 = _mm_unpacklo_epi32(t4, t6), u3 = _mm_unpackhi_epi32(t4, t6);
      __m128i u4 = _mm_unpacklo_epi32(t1, t3), u5 = _mm_unpackhi_epi32(t1, t3);
      __m128i u6 = _mm_unpacklo_epi32(t5, t7), u7 = _mm_unpackhi_epi32(t5, t7);
      __m128i pixels[8] = {
          _mm_unpacklo_epi64(u0, u2), _mm_unpackhi_epi64(u0, u2),
          _mm_unpacklo_epi64(u1, u3), _mm_unpackhi_epi64(u1, u3),
          _mm_unpacklo_epi64(u4, u6), _mm_unpackhi_epi64(u4, u6),
          _mm_unpacklo_epi64(u5, u7), _mm_unpackhi_epi64(u5, u7)};
      for (int i = 0; i < 8; ++i)
        _mm_storeu_si128(
            reinterpret_cast<__m128i *>(dst + (x + i) * pixelStride + c),
            pixels[i]);
    }
    for (; x < width; ++x)
      for (int64_t k = c; k < c + 8; ++k)
        dst[x * pixelStride + k] = rows[k * rowStride + x];
  }
  for (; c < channels; ++c)
    for (int64_t x = 0; x < width; ++x)
      dst[x * pixelStride + c] = rows[c * rowStride + x];
}

// 16 x 16 blocks of bytes transposed with SSE2 unpacks: channel pairs,
// quads, octets, then all sixteen. A width or channel count past 16 that
// is not a multiple of it ends with a block overlapping the previous one
// (its values written twice, the same); a row narrower than 16 is
// transposed whole into a scratch block and copied.
void mlir::daq::cpu::transposeBytesToPixels(const uint8_t *rows,
                                            int64_t channels, int64_t width,
                                            int64_t rowStride, uint8_t *dst,
                                            int64_t pixelStride) {
  if (channels < 16) {
    for (int64_t x = 0; x < width; ++x)
      for (int64_t c = 0; c < channels; ++c)
        dst[x * pixelStride + c] = rows[c * rowStride + x];
    return;
  }
  // Pixels [x, x + 16) of channels [c, c + 16) to out[i * outStride] (the
  // 16 channels of pixel x + i), the first `pixels` of them.
  auto block = [&](int64_t c, int64_t x, uint8_t *out, int64_t outStride,
                   int64_t pixels) {
    __m128i r[16];
    for (int i = 0; i < 16; ++i)
      r[i] = _mm_loadu_si128(
          reinterpret_cast<const __m128i *>(rows + (c + i) * rowStride + x));
    // pairs[k]: channels (2k, 2k + 1) of pixels 0-7 (lo) and 8-15 (hi).
    __m128i lo[8], hi[8];
    for (int k = 0; k < 8; ++k) {
      lo[k] = _mm_unpacklo_epi8(r[2 * k], r[2 * k + 1]);
      hi[k] = _mm_unpackhi_epi8(r[2 * k], r[2 * k + 1]);
    }
    // quads[q][m]: channels 4q..4q+3 of pixels 4m..4m+3.
    __m128i quads[4][4];
    for (int q = 0; q < 4; ++q) {
      quads[q][0] = _mm_unpacklo_epi16(lo[2 * q], lo[2 * q + 1]);
      quads[q][1] = _mm_unpackhi_epi16(lo[2 * q], lo[2 * q + 1]);
      quads[q][2] = _mm_unpacklo_epi16(hi[2 * q], hi[2 * q + 1]);
      quads[q][3] = _mm_unpackhi_epi16(hi[2 * q], hi[2 * q + 1]);
    }
    // octets[e][n]: channels 8e..8e+7 of pixels 2n, 2n + 1.
    __m128i octets[2][8];
    for (int e = 0; e < 2; ++e)
      for (int m = 0; m < 4; ++m) {
        octets[e][2 * m] =
            _mm_unpacklo_epi32(quads[2 * e][m], quads[2 * e + 1][m]);
        octets[e][2 * m + 1] =
            _mm_unpackhi_epi32(quads[2 * e][m], quads[2 * e + 1][m]);
      }
    for (int n = 0; n < 8 && 2 * n < pixels; ++n) {
      _mm_storeu_si128(reinterpret_cast<__m128i *>(out + 2 * n * outStride),
                       _mm_unpacklo_epi64(octets[0][n], octets[1][n]));
      if (2 * n + 1 < pixels)
        _mm_storeu_si128(
            reinterpret_cast<__m128i *>(out + (2 * n + 1) * outStride),
            _mm_unpackhi_epi64(octets[0][n], octets[1][n]));
    }
  };
  for (int64_t c0 = 0; c0 < channels; c0 += 16) {
    int64_t c = std::min(c0, channels - 16);
    if (width < 16) {
      block(c, 0, dst + c, pixelStride, width);
      continue;
    }
    for (int64_t x0 = 0; x0 < width; x0 += 16) {
      int64_t x = std::min(x0, width - 16);
      block(c, x, dst + x * pixelStride + c, pixelStride, 16);
    }
  }
}
