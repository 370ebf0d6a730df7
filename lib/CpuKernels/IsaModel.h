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

__m512i _mm512_setzero_si512();
__m512i _mm512_set1_epi32(int value);
__m512i _mm512_loadu_si512(const void *address);
void _mm512_storeu_si512(void *address, __m512i value);
__m512i _mm512_dpwssd_epi32(__m512i src, __m512i a, __m512i b);

void _tile_loadconfig(const void *config);
void _tile_storeconfig(void *config);
void _tile_loadd(int tile, const void *base, int64_t stride);
void _tile_stored(int tile, void *base, int64_t stride);
void _tile_zero(int tile);
void _tile_dpbssd(int dst, int src1, int src2);
void _tile_release();

// NOLINTEND(bugprone-reserved-identifier)

/// The model's lanes, for its unit check.
int32_t getLane32(const __m512i &value, int lane);
int16_t getLane16(const __m512i &value, int lane);

} // namespace mlir::daq::cpu::isa_model

#endif // DAQ_LIB_CPUKERNELS_ISAMODEL_H
