//===- QConvMicrokernels.h - INT8 GEMM microkernels -------------*- C++ -*-===//
//
// Register-blocked microkernels of the CPU INT8 convolutions, one per x86
// variant, behind one interface. Internal to the runtime.
//
// Operand layouts (K is the reduction, consumed in pairs of int16 codes so
// that one 32-bit lane holds two consecutive K elements, the operand of
// vpmaddwd / vpdpwssd):
//
//   A (broadcast side): MR row base pointers. K is split into `numTaps`
//   runs of `pairsPerTap` pairs; run t of row r starts at
//   rows[r] + tapOffsets[t], its pairs `pairStride` int16 apart (2: the run
//   is contiguous):
//
//     rows[r] + tapOffsets[t]: | a(k0) a(k1) | a(k2) a(k3) | ...
//                                 pair 0        pair 1
//
//   (convolution taps over a channels-last buffer, or images of a
//   gradient). A larger stride reads A packed in pairs of rows side by side,
//   [K / 2][rows][2], with rows[r] = base + 2 r and pairStride = 2 x rows.
//
//   B (vector side), packed: for each pair p of the whole K, NR columns of
//   two int16:
//
//     b + p * 2 * NR: | b(2p,0) b(2p+1,0) | b(2p,1) b(2p+1,1) | ... | col NR-1
//     |
//
//   C: MR x NR int32, row-major, written (or added to when `accumulate`).
//
// Operands are int16: int8 codes, or Winograd's transformed values (at most
// 9 * 128 in magnitude, QConvKernels.cpp), so a pair's product sum fits
// int32 exactly (the AMX microkernel narrows its operands to int8 and takes
// codes only); int32 accumulation wraps like the reference's arith.addi.
//
//===----------------------------------------------------------------------===//

#ifndef DAQ_LIB_CPUKERNELS_QCONVMICROKERNELS_H
#define DAQ_LIB_CPUKERNELS_QCONVMICROKERNELS_H

#include <cstdint>
#include <cstring>

namespace mlir::daq::cpu {

struct MicroTile {
  const int16_t *const *rows;
  const int64_t *tapOffsets;
  int64_t numTaps;
  int64_t pairsPerTap;
  const int16_t *b;
  int32_t *c;
  bool accumulate;
  /// Distance in int16 between consecutive pairs of an A run.
  int64_t pairStride = 2;
};

using MicrokernelFn = void (*)(const MicroTile &tile);

/// A tile of the u8 x s8 form (vpdpbusd), for operands that are int8 codes:
/// K consumed in quads, one 32-bit lane holding four consecutive K elements.
///
///   A (broadcast side): like MicroTile's, bytes, quads contiguous: run t of
///   row r is `quadsPerTap` quads at rows[r] + tapOffsets[t], each code
///   stored as code + 128 (u8).
///   B (vector side), packed: for each quad q of the whole K, NR columns of
///   four int8 codes:
///
///     b + q * 4 * NR: | b(4q,0) .. b(4q+3,0) | b(4q,1) .. b(4q+3,1) | ...
///
///   bias: NR int32, -128 x the sum of each column of B over the whole K,
///   so that C = bias + sum (a + 128) b = sum a b modulo 2^32 (oneDNN's
///   "s8s8 compensation").
///   C: MR x NR int32, row-major, written (or added to when `accumulate`).
struct ByteTile {
  const uint8_t *const *rows;
  const int64_t *tapOffsets;
  int64_t numTaps;
  int64_t quadsPerTap;
  const int8_t *b;
  const int32_t *bias;
  int32_t *c;
  bool accumulate;
};

using ByteMicrokernelFn = void (*)(const ByteTile &tile);

/// The int16 pair at p as one 32-bit lane. Internal linkage: each
/// microkernel file gets its own copy, inlined into its target-attributed
/// functions.
static inline int32_t loadPair(const int16_t *p) {
  int32_t value;
  std::memcpy(&value, p, sizeof(value));
  return value;
}

struct Microkernel {
  int64_t mr, nr;
  MicrokernelFn run;
  /// Whether A and B may hold any int16 values, not only int8 codes (AMX
  /// narrows its operands to int8): Winograd's transformed operands need it.
  bool int16Operands;
  /// The u8 x s8 form of the same MR x NR tile (nullptr: none), twice the
  /// multiply-adds per instruction of the int16 pairs where both operands
  /// are codes.
  ByteMicrokernelFn runBytes = nullptr;
};

/// Scalar C++ (any CPU): MR = 4, NR = 16.
void microkernelPortable(const MicroTile &tile);
/// AVX2 vpmaddwd + vpaddd: MR = 6, NR = 16 (12 ymm accumulators).
void microkernelAVX2(const MicroTile &tile);
/// AVX512-VNNI vpdpwssd (the int16 form of the dot-product instruction):
/// MR = 12, NR = 32 (24 zmm accumulators).
void microkernelAVX512VNNI(const MicroTile &tile);
/// AVX512-VNNI vpdpbusd (u8 x s8, four multiply-adds per lane): MR = 12,
/// NR = 32, operands as ByteTile describes.
void microkernelAVX512VNNIBytes(const ByteTile &tile);
/// AMX-INT8 tdpbssd on four 16x16 int32 tiles: MR = 32, NR = 32. The int16
/// pairs are narrowed back to int8 and regrouped in fours (B in the VNNI
/// layout) per 64-deep K chunk.
void microkernelAMX(const MicroTile &tile);
/// AMX-INT8 tdpbusd (u8 x s8), MR = 32, NR = 32, operands as ByteTile
/// describes: B's packing is the tiles' VNNI layout, loaded in place.
void microkernelAMXBytes(const ByteTile &tile);
/// The AMX microkernels load their tile configuration on a thread's first
/// call and keep it (ldtilecfg and tilerelease measured ~3000 cycles a call
/// on the one AMX machine tried, more than a 3x3 layer's products of a
/// call); this releases it, if loaded. The thread pool calls it after every
/// chunk and the entry points before they return.
void releaseAMXTiles();

namespace isa_model {
/// The AVX512-VNNI and AMX microkernels above, the same source
/// (QConvMicrokernelsWide.inc) compiled against the software model of their
/// intrinsics (IsaModel.h): the test-only variants avx512-vnni-model and
/// amx-model, which run on any x86-64 CPU.
void microkernelAVX512VNNI(const MicroTile &tile);
void microkernelAVX512VNNIBytes(const ByteTile &tile);
void microkernelAMX(const MicroTile &tile);
void microkernelAMXBytes(const ByteTile &tile);
void releaseAMXTiles();
} // namespace isa_model

/// dst[j][0] = p0[j], dst[j][1] = p1[j] for j < 16 (one packed B pair row of
/// 16 columns from two K rows). AVX2 version, and the scalar one.
void interleave16AVX2(const int16_t *p0, const int16_t *p1, int16_t *dst);

/// Quantizes `count` contiguous f32 values with one clip into int16 codes
/// (daq.quantize, nearest-even), 8 at a time with AVX2.
void quantizeRowAVX2(const float *src, int64_t count, float clip, int16_t *dst);

/// dst[x * pixelStride + c] = rows[c * rowStride + x] for c < channels and
/// x < width: channel rows to channels-last pixels.
void transposeToPixels(const int16_t *rows, int64_t channels, int64_t width,
                       int64_t rowStride, int16_t *dst, int64_t pixelStride);

/// transposeToPixels for bytes. Reads up to 15 bytes past the last pixel
/// of a row narrower than 16 (`rows` must have them).
void transposeBytesToPixels(const uint8_t *rows, int64_t channels,
                            int64_t width, int64_t rowStride, uint8_t *dst,
                            int64_t pixelStride);

} // namespace mlir::daq::cpu

#endif // DAQ_LIB_CPUKERNELS_QCONVMICROKERNELS_H
