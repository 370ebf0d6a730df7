//===- WinogradTransforms.h - Per-tile Winograd arithmetic ------*- C++ -*-===//
//
// The per-tile transforms of the exact integer Winograd F(2x2, 3x3)
// convolutions in QConvKernels.cpp (forward, backward-data and
// backward-filter), and the interleave that packs two K rows into the
// microkernels' pairs. One source, two forms: SSE2 (baseline x86-64, 16-byte
// vectors) and AVX2 (32-byte vectors, in target-attributed functions), with
// the same results. Internal to the runtime.
//
// Layouts: a window row is `cp` channels of each of its pixels (channels-last,
// cp even); transformed values are int16 (the ranges are in QConvKernels.cpp)
// stored per position xi = 4 i + j of the 4x4 transformed tile, xiStride
// apart. All arithmetic wraps.
//
//===----------------------------------------------------------------------===//

#ifndef DAQ_LIB_CPUKERNELS_WINOGRADTRANSFORMS_H
#define DAQ_LIB_CPUKERNELS_WINOGRADTRANSFORMS_H

#include <cstdint>

namespace mlir::daq::cpu {

struct WinogradTransforms {
  /// v[xi * xiStride + c] = (B^T d B)[xi] for c < cp, d the 4x4 window whose
  /// row i starts at window[i]. B^T rows: (1, 0, -1, 0), (0, 1, 1, 0),
  /// (0, -1, 1, 0), (0, 1, 0, -1).
  void (*input)(const int16_t *const window[4], int64_t cp, int16_t *v,
                int64_t xiStride);
  /// gHat[xi * xiStride + o] = (A g A^T)[xi] for o < cp, g the 2x2 window
  /// whose row i starts at window[i]. A rows: (1, 0), (1, 1), (1, -1),
  /// (0, -1).
  void (*gradient)(const int16_t *const window[2], int64_t cp, int16_t *gHat,
                   int64_t xiStride);
  /// y[q][j] = (A^T M A)[q] >> 2 for the 2x2 outputs q = 2 dy + dx and the
  /// NR columns j, position xi of M at m + xi * xiStride (NR int32 each).
  /// The sums wrap (4 Y modulo 2^32) and the arithmetic shift recovers Y
  /// while |Y| < 2^29.
  void (*output)(const int32_t *m, int64_t xiStride, int64_t nr,
                 int32_t *const y[4]);
  /// The filter transform U = G2 g G2^T of two consecutive K rows e = 0, 1,
  /// interleaved into B's pairs: dst[xi * xiStride + 2 j + e] = U_e[xi] of
  /// column j < nr, g_e's tap t = 3 ky + kx of column j at
  /// taps[e][t * nr + j]. G2 rows: (2, 0, 0), (1, 1, 1), (1, -1, 1),
  /// (0, 0, 2).
  void (*filter)(const int16_t *const taps[2], int64_t nr, int16_t *dst,
                 int64_t xiStride);
  /// Stride 2 (the polyphase F(2x2, 3x3) of QConvKernels.cpp, 25
  /// positions xi = 5 i + j): v[xi * xiStride + c] = (B2^T d B2)[xi] for
  /// c < cp, d the 5x5 window whose row i starts at window[i]. B2^T rows:
  /// (1, 0, -1, 0, 0), (0, 0, 1, 0, 0), (0, 0, -1, 0, 1), (0, 1, 0, 0, 0),
  /// (0, 0, 0, 1, 0).
  void (*inputStride2)(const int16_t *const window[5], int64_t cp, int16_t *v,
                       int64_t xiStride);
  /// Stride 2: gHat[xi * xiStride + o] = (A2 g A2^T)[xi] for o < cp, g the
  /// 2x2 window whose row i starts at window[i]. A2 rows: (1, 0), (1, 1),
  /// (0, 1), (1, 0), (0, 1).
  void (*gradientStride2)(const int16_t *const window[2], int64_t cp,
                          int16_t *gHat, int64_t xiStride);
  /// Stride 2, forward: y[q][j] = (A2^T M A2)[q] for the 2x2 outputs q and
  /// the NR columns j, position xi of M (25) at m + xi * xiStride. A2^T
  /// rows: (1, 1, 0, 1, 0), (0, 1, 1, 0, 1). Exact modulo 2^32 (no shift).
  void (*outputStride2)(const int32_t *m, int64_t xiStride, int64_t nr,
                        int32_t *const y[4]);
  /// Stride 2: the filter transform U = G2s g G2s^T (25 positions), packed
  /// like `filter`. G2s rows: (1, 0, 0), (1, 0, 1), (0, 0, 1), (0, 1, 0),
  /// (0, 1, 0).
  void (*filterStride2)(const int16_t *const taps[2], int64_t nr, int16_t *dst,
                        int64_t xiStride);
  /// Stride 2, backward-data (the transpose): v[xi * xiStride + c] =
  /// (B2d^T d B2d)[xi], d GY's 3x3 window. B2d^T rows: (1, -1, 0),
  /// (0, 1, 0), (0, -1, 1), (0, 1, 0), (0, 0, 1).
  void (*inputStride2Data)(const int16_t *const window[3], int64_t cp,
                           int16_t *v, int64_t xiStride);
  /// Stride 2, backward-data: y[q][j] = (A2d^T M A2d)[q] for the 4x4
  /// outputs q = 4 dy + dx. A2d^T rows: (1, 1, 0, 0, 0), (0, 0, 0, 1, 0),
  /// (0, 1, 1, 0, 0), (0, 0, 0, 0, 1).
  void (*outputStride2Data)(const int32_t *m, int64_t xiStride, int64_t nr,
                            int32_t *const y[16]);
  /// dst[(c / NR) * tileStride + (c % NR) * 2 + k] = row_k[c] for c < count,
  /// k = 0, 1: two K rows interleaved into B's pairs (QConvMicrokernels.h).
  /// With NR >= count, one tile: A packed in pairs of rows.
  void (*interleavePairs)(const int16_t *row0, const int16_t *row1,
                          int64_t count, int64_t nr, int64_t tileStride,
                          int16_t *dst);
};

/// The SSE2 form (any x86-64) and the AVX2 form (needs AVX2).
extern const WinogradTransforms winogradTransformsSSE2;
extern const WinogradTransforms winogradTransformsAVX2;

} // namespace mlir::daq::cpu

#endif // DAQ_LIB_CPUKERNELS_WINOGRADTRANSFORMS_H
