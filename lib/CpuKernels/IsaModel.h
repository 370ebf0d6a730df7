//===- IsaModel.h - Software model of the AVX-512 and AMX ISA ---*- C++ -*-===//
//
// A scalar C++ model of the x86 intrinsics that the AVX512-VNNI and AMX
// microkernels use, so that the same microkernel source
// (QConvMicrokernelsWide.inc) compiled inside `namespace isa_model` runs on
// any x86-64 CPU: unqualified intrinsic names in that namespace resolve to
// the declarations below instead of <immintrin.h>'s. Test-only: the
// `avx512-vnni-model` and `amx-model` kernel variants (never picked by
// `auto`) run the whole INT8 convolution driver on these microkernels.
//
// What is modelled, with the exact integer semantics of the Intel SDM:
//
//   __m512i                 64 bytes, little-endian lanes
//   _mm512_setzero_si512, _mm512_set1_epi32, _mm512_loadu_si512,
//   _mm512_storeu_si512     as the instructions (no alignment needed)
//   _mm512_dpwssd_epi32     vpdpwssd: per dword lane j,
//                           src[j] + a.w[2j]*b.w[2j] + a.w[2j+1]*b.w[2j+1]
//                           (s16 x s16 -> s32 products, wrapping adds)
//   _mm512_dpbusd_epi32     vpdpbusd: per dword lane j, src[j] + sum over
//                           i < 4 of a.u8[4j+i] * b.s8[4j+i] (wrapping)
//   _mm512_add_epi32        vpaddd (wrapping)
//   _mm512_maskz_loadu_epi8 vmovdqu8 with a zeroing mask (reads only the
//                           masked bytes)
//   the AVX-512F floating-point subset of the statistics kernels (below)
//
//   _tile_loadconfig        ldtilecfg of the 64-byte operand: palette 0
//                           (release) or 1 (8 tiles, <= 16 rows, <= 64
//                           bytes a row); reserved bytes, unused tiles and
//                           start_row must be zero; all tiles zeroed
//   _tile_loadd/_stored     rows x colsb bytes from/to base + r * stride;
//                           a load zeroes the rest of the tile
//   _tile_zero, _tile_release
//   _tile_dpbssd            tdpbssd: C[m][n] += sum_q sum_i
//                           A[m][4q+i] * B[q][4n+i] (s8 x s8, wrapping s32)
//                           with the SDM's shape checks: three different
//                           tiles, colsb multiples of 4, A.colsb / 4 ==
//                           B.rows, C.rows == A.rows, C.colsb == B.colsb
//   _tile_dpbusd            tdpbusd: the same with A unsigned (u8 x s8)
//
// Misuse aborts with a message naming the instruction: a tile instruction
// with no configuration loaded (#UD on hardware), a tile whose rows or colsb
// are 0 in the configuration, an invalid configuration (#GP), and, stricter
// than hardware, a load or store whose |stride| is smaller than the tile's
// colsb (overlapping rows: always a packing bug in these kernels). The tile
// state is per thread, as the hardware's is per logical CPU.
//
// What the model does not show: real-hardware behaviour (AMX permission
// from the kernel, XSAVE state, timing, alignment penalties).
//
//===----------------------------------------------------------------------===//

#ifndef DAQ_LIB_CPUKERNELS_ISAMODEL_H
#define DAQ_LIB_CPUKERNELS_ISAMODEL_H

#if defined(__IMMINTRIN_H) || defined(_IMMINTRIN_H_INCLUDED)
#error "IsaModel.h and <immintrin.h> in one file: the intrinsic macros of " \
       "<immintrin.h> would replace the model's functions"
#endif

#include <cstdint>

namespace mlir::daq::cpu::isa_model {

// The model uses the intrinsics' own spellings (reserved identifiers) so
// that the shared microkernel source compiles unchanged against it.
// NOLINTBEGIN(bugprone-reserved-identifier)

/// A 512-bit vector register.
struct __m512i {
  alignas(64) uint8_t bytes[64];
};
using __mmask64 = uint64_t;
using __mmask16 = uint16_t;
using __mmask8 = uint8_t;

__m512i _mm512_setzero_si512();
__m512i _mm512_set1_epi32(int value);
__m512i _mm512_loadu_si512(const void *address);
void _mm512_storeu_si512(void *address, __m512i value);
__m512i _mm512_dpwssd_epi32(__m512i src, __m512i a, __m512i b);
__m512i _mm512_dpbusd_epi32(__m512i src, __m512i a, __m512i b);
__m512i _mm512_add_epi32(__m512i a, __m512i b);
/// vmovdqu8 with a zeroing mask: byte i from address + i where bit i of k
/// is set (no other byte is read), else 0.
__m512i _mm512_maskz_loadu_epi8(__mmask64 k, const void *address);

// AVX-512F floating point, for the statistics kernels
// (StatsKernelsWide.inc). Lanes are IEEE f32/f64 operations in C++ (the
// model is compiled with -ffp-contract=off); vmaxps/vminps are the SDM's
// `src1 > src2 ? src1 : src2` / `src1 < src2 ? src1 : src2`, NaNs and
// signed zeros included; conversions round to nearest even (MXCSR's
// default) and give 0x80000000 for NaN or out of range. Only the
// predicates and rounding controls below are modelled (others abort).
struct __m512 {
  float lanes[16];
};
struct __m512d {
  double lanes[8];
};
struct __m256 {
  float lanes[8];
};
struct __m128i {
  uint8_t bytes[16];
};
constexpr int _CMP_UNORD_Q = 0x03;
constexpr int _CMP_GT_OQ = 0x1e;
constexpr int _MM_FROUND_TO_NEAREST_INT = 0x00;
constexpr int _MM_FROUND_NO_EXC = 0x08;

__m512 _mm512_loadu_ps(const void *address);
/// vmovups with a zeroing mask: lane j from address where bit j of k is set
/// (no other lane is read), else 0.
__m512 _mm512_maskz_loadu_ps(__mmask16 k, const void *address);
void _mm512_storeu_ps(void *address, __m512 value);
__m256 _mm256_loadu_ps(const float *address);
__m512d _mm512_loadu_pd(const void *address);
void _mm512_storeu_pd(void *address, __m512d value);
void _mm_storeu_si128(__m128i *address, __m128i value);
__m512 _mm512_set1_ps(float value);
__m512i _mm512_set1_epi64(long long value);
__m512d _mm512_cvtps_pd(__m256 value);
__m512d _mm512_add_pd(__m512d a, __m512d b);
__m512d _mm512_sub_pd(__m512d a, __m512d b);
__m512d _mm512_mul_pd(__m512d a, __m512d b);
__m512 _mm512_mul_ps(__m512 a, __m512 b);
__m512 _mm512_max_ps(__m512 a, __m512 b);
__m512 _mm512_min_ps(__m512 a, __m512 b);
__m512 _mm512_abs_ps(__m512 a);
__m512 _mm512_roundscale_ps(__m512 a, int imm);
__m512i _mm512_cvtps_epi32(__m512 a);
__m512i _mm512_cvt_roundps_epi32(__m512 a, int rounding);
__mmask16 _mm512_cmp_ps_mask(__m512 a, __m512 b, int predicate);
__m512i _mm512_mask_mov_epi32(__m512i src, __mmask16 k, __m512i a);
__m512i _mm512_mask_add_epi32(__m512i src, __mmask16 k, __m512i a, __m512i b);
__m512i _mm512_mask_add_epi64(__m512i src, __mmask8 k, __m512i a, __m512i b);
__m128i _mm512_cvtepi32_epi8(__m512i a);
/// vbroadcasti32x4 with a merging mask: dword j from a's dword j % 4 where
/// bit j of k is set, else src's.
__m512i _mm512_mask_broadcast_i32x4(__m512i src, __mmask16 k, __m128i a);
/// vmovntdq: a 64-byte store (the model has no caches to bypass).
void _mm512_stream_si512(void *address, __m512i value);
/// sfence: orders nothing in the model.
inline void _mm_sfence() {}
/// vpmovdb to memory with a mask: byte j (the low byte of dword j) where
/// bit j of k is set, no other byte written.
void _mm512_mask_cvtepi32_storeu_epi8(void *address, __mmask16 k, __m512i a);

void _tile_loadconfig(const void *config);
void _tile_storeconfig(void *config);
void _tile_loadd(int tile, const void *base, int64_t stride);
void _tile_stored(int tile, void *base, int64_t stride);
void _tile_zero(int tile);
void _tile_dpbssd(int dst, int src1, int src2);
void _tile_dpbusd(int dst, int src1, int src2);
void _tile_release();

// NOLINTEND(bugprone-reserved-identifier)

/// The model's lanes, for its unit check.
int32_t getLane32(const __m512i &value, int lane);
int16_t getLane16(const __m512i &value, int lane);

} // namespace mlir::daq::cpu::isa_model

#endif // DAQ_LIB_CPUKERNELS_ISAMODEL_H
