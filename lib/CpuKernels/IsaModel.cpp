//===- IsaModel.cpp - Software model of AVX-512 and AMX intrinsics --------===//
//
// See IsaModel.h. The semantics follow the Intel SDM's pseudo-code for
// VPDPWSSD, LDTILECFG, TILELOADD, TILESTORED, TILEZERO, TDPBSSD and
// TILERELEASE; integer sums are computed in uint32_t so that they wrap as
// the hardware's do.
//
//===----------------------------------------------------------------------===//

#include "IsaModel.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <initializer_list>

using namespace mlir::daq::cpu::isa_model;

namespace {

[[noreturn]] void fault(const char *instruction, const char *format, int a = 0,
                        int b = 0, int c = 0) {
  std::fprintf(stderr, "daq ISA model: %s: ", instruction);
  std::fprintf(stderr, format, a, b, c);
  std::fprintf(stderr, "\n");
  std::abort();
}

int32_t lane32(const __m512i &v, int lane) {
  int32_t value;
  std::memcpy(&value, v.bytes + 4 * lane, 4);
  return value;
}

int16_t lane16(const __m512i &v, int lane) {
  int16_t value;
  std::memcpy(&value, v.bytes + 2 * lane, 2);
  return value;
}

/// Unaligned vector loads and stores: the register's bytes in memory order.
template <typename V> V loadBytes(const void *address) {
  V v;
  std::memcpy(static_cast<void *>(&v), address, sizeof(V));
  return v;
}

template <typename V> void storeBytes(void *address, const V &v) {
  std::memcpy(address, static_cast<const void *>(&v), sizeof(V));
}

void setLane32(__m512i &v, int lane, uint32_t value) {
  std::memcpy(v.bytes + 4 * lane, &value, 4);
}

//===----------------------------------------------------------------------===//
// AMX tile state (palette 1: 8 tiles of at most 16 rows x 64 bytes)
//===----------------------------------------------------------------------===//

constexpr int kMaxNames = 8, kMaxRows = 16, kBytesPerRow = 64;

/// The 64-byte memory operand of ldtilecfg.
struct TileConfigBytes {
  uint8_t palette;
  uint8_t startRow;
  uint8_t reserved[14];
  uint16_t colsb[16];
  uint8_t rows[16];
};
static_assert(sizeof(TileConfigBytes) == 64, "ldtilecfg takes 64 bytes");

struct TileState {
  bool configured = false;
  TileConfigBytes config = {};
  uint8_t tiles[kMaxNames][kMaxRows][kBytesPerRow] = {};
};

thread_local TileState state;

void zeroTiles() { std::memset(state.tiles, 0, sizeof(state.tiles)); }

/// The tile `tile` after the checks every tile instruction makes.
void checkTile(const char *instruction, int tile) {
  if (!state.configured)
    fault(instruction, "no tile configuration is loaded (ldtilecfg missing, or "
                       "after tilerelease)");
  if (tile < 0 || tile >= kMaxNames)
    fault(instruction, "tmm%d does not exist (palette 1 has tmm0-tmm7)", tile);
  if (state.config.rows[tile] == 0 || state.config.colsb[tile] == 0)
    fault(instruction, "tmm%d is not configured (rows %d, colsb %d)", tile,
          state.config.rows[tile], state.config.colsb[tile]);
}

void checkStride(const char *instruction, int tile, int64_t stride) {
  int64_t magnitude = stride < 0 ? -stride : stride;
  if (magnitude < state.config.colsb[tile])
    fault(instruction,
          "stride %d is smaller than colsb %d of tmm%d: the rows overlap",
          static_cast<int>(stride), state.config.colsb[tile], tile);
}

} // namespace

int32_t mlir::daq::cpu::isa_model::getLane32(const __m512i &value, int lane) {
  return lane32(value, lane);
}

int16_t mlir::daq::cpu::isa_model::getLane16(const __m512i &value, int lane) {
  return lane16(value, lane);
}

//===----------------------------------------------------------------------===//
// AVX-512
//===----------------------------------------------------------------------===//

__m512i mlir::daq::cpu::isa_model::_mm512_setzero_si512() {
  __m512i v;
  std::memset(v.bytes, 0, sizeof(v.bytes));
  return v;
}

__m512i mlir::daq::cpu::isa_model::_mm512_set1_epi32(int value) {
  __m512i v;
  for (int j = 0; j < 16; ++j)
    setLane32(v, j, static_cast<uint32_t>(value));
  return v;
}

__m512i mlir::daq::cpu::isa_model::_mm512_loadu_si512(const void *address) {
  return loadBytes<__m512i>(address);
}

__m512i
mlir::daq::cpu::isa_model::_mm512_maskz_loadu_epi8(__mmask64 k,
                                                   const void *address) {
  __m512i value = {};
  for (int i = 0; i < 64; ++i)
    if (k >> i & 1)
      value.bytes[i] = static_cast<const uint8_t *>(address)[i];
  return value;
}

void mlir::daq::cpu::isa_model::_mm512_storeu_si512(void *address,
                                                    __m512i value) {
  storeBytes(address, value);
}

__m512i mlir::daq::cpu::isa_model::_mm512_dpwssd_epi32(__m512i src, __m512i a,
                                                       __m512i b) {
  __m512i dst;
  for (int j = 0; j < 16; ++j) {
    int32_t p0 = int32_t{lane16(a, 2 * j)} * int32_t{lane16(b, 2 * j)};
    int32_t p1 = int32_t{lane16(a, 2 * j + 1)} * int32_t{lane16(b, 2 * j + 1)};
    setLane32(dst, j,
              static_cast<uint32_t>(lane32(src, j)) +
                  static_cast<uint32_t>(p0) + static_cast<uint32_t>(p1));
  }
  return dst;
}

__m512i mlir::daq::cpu::isa_model::_mm512_dpbusd_epi32(__m512i src, __m512i a,
                                                       __m512i b) {
  __m512i dst;
  for (int j = 0; j < 16; ++j) {
    uint32_t sum = static_cast<uint32_t>(lane32(src, j));
    for (int i = 0; i < 4; ++i)
      sum += static_cast<uint32_t>(
          int32_t{a.bytes[4 * j + i]} *
          int32_t{static_cast<int8_t>(b.bytes[4 * j + i])});
    setLane32(dst, j, sum);
  }
  return dst;
}

__m512i mlir::daq::cpu::isa_model::_mm512_add_epi32(__m512i a, __m512i b) {
  __m512i dst;
  for (int j = 0; j < 16; ++j)
    setLane32(dst, j,
              static_cast<uint32_t>(lane32(a, j)) +
                  static_cast<uint32_t>(lane32(b, j)));
  return dst;
}

//===----------------------------------------------------------------------===//
// AVX-512F floating point
//===----------------------------------------------------------------------===//

namespace {
/// Applies `op` lane by lane.
template <typename V, typename Op> V lanewise(const V &a, const V &b, Op op) {
  V r;
  constexpr int n = sizeof(V::lanes) / sizeof(V::lanes[0]);
  for (int j = 0; j < n; ++j)
    r.lanes[j] = op(a.lanes[j], b.lanes[j]);
  return r;
}

/// The predicates the kernels use, on one lane (quiet: no exceptions).
template <typename T> bool comparePredicate(T a, T b, int predicate) {
  switch (predicate) {
  case _CMP_UNORD_Q:
    return a != a || b != b;
  case _CMP_GT_OQ:
    return a > b;
  default:
    fault("vcmpps/vcmppd", "predicate %d is not modelled", predicate);
  }
}

/// vandps / vandpd with the sign bit cleared (what _mm512_abs_ps/pd are):
/// NaN payloads are kept.
template <typename Bits, typename V> V clearSignBits(V a) {
  constexpr Bits magnitude = ~(Bits{1} << (8 * sizeof(Bits) - 1));
  for (auto &lane : a.lanes) {
    static_assert(sizeof(lane) == sizeof(Bits), "lane and bits differ");
    Bits bits;
    std::memcpy(&bits, &lane, sizeof(Bits));
    bits &= magnitude;
    std::memcpy(&lane, &bits, sizeof(Bits));
  }
  return a;
}

/// vcmpps / vcmppd into a mask register.
template <typename Mask, typename V>
Mask compareLanes(const V &a, const V &b, int predicate) {
  Mask k = 0;
  constexpr int n = sizeof(V::lanes) / sizeof(V::lanes[0]);
  for (int j = 0; j < n; ++j)
    if (comparePredicate(a.lanes[j], b.lanes[j], predicate))
      k |= static_cast<Mask>(1u << j);
  return k;
}

/// vcvtps2dq with MXCSR's default rounding (nearest even).
int32_t convertToInt32(float value) {
  if (value != value || value >= 2147483648.0f || value < -2147483648.0f)
    return INT32_MIN;
  return static_cast<int32_t>(__builtin_roundevenf(value));
}
} // namespace

__m512 mlir::daq::cpu::isa_model::_mm512_loadu_ps(const void *address) {
  return loadBytes<__m512>(address);
}

__m512 mlir::daq::cpu::isa_model::_mm512_maskz_loadu_ps(__mmask16 k,
                                                        const void *address) {
  __m512 value = {};
  for (int j = 0; j < 16; ++j)
    if (k >> j & 1)
      std::memcpy(&value.lanes[j], static_cast<const char *>(address) + 4 * j,
                  4);
  return value;
}

void mlir::daq::cpu::isa_model::_mm512_storeu_ps(void *address, __m512 value) {
  storeBytes(address, value);
}

__m256 mlir::daq::cpu::isa_model::_mm256_loadu_ps(const float *address) {
  return loadBytes<__m256>(address);
}

__m512d mlir::daq::cpu::isa_model::_mm512_loadu_pd(const void *address) {
  return loadBytes<__m512d>(address);
}

void mlir::daq::cpu::isa_model::_mm512_storeu_pd(void *address, __m512d value) {
  storeBytes(address, value);
}

void mlir::daq::cpu::isa_model::_mm_storeu_si128(__m128i *address,
                                                 __m128i value) {
  storeBytes(address, value);
}

__m512 mlir::daq::cpu::isa_model::_mm512_set1_ps(float value) {
  __m512 v;
  for (float &lane : v.lanes)
    lane = value;
  return v;
}

__m512i mlir::daq::cpu::isa_model::_mm512_set1_epi64(long long value) {
  __m512i v;
  for (int j = 0; j < 8; ++j)
    std::memcpy(v.bytes + 8 * j, &value, 8);
  return v;
}

__m512d mlir::daq::cpu::isa_model::_mm512_cvtps_pd(__m256 value) {
  __m512d v;
  for (int j = 0; j < 8; ++j)
    v.lanes[j] = static_cast<double>(value.lanes[j]);
  return v;
}

__m512d mlir::daq::cpu::isa_model::_mm512_add_pd(__m512d a, __m512d b) {
  return lanewise(a, b, [](double x, double y) { return x + y; });
}

__m512d mlir::daq::cpu::isa_model::_mm512_sub_pd(__m512d a, __m512d b) {
  return lanewise(a, b, [](double x, double y) { return x - y; });
}

__m512d mlir::daq::cpu::isa_model::_mm512_mul_pd(__m512d a, __m512d b) {
  return lanewise(a, b, [](double x, double y) { return x * y; });
}

__m512 mlir::daq::cpu::isa_model::_mm512_mul_ps(__m512 a, __m512 b) {
  return lanewise(a, b, [](float x, float y) { return x * y; });
}

__m512 mlir::daq::cpu::isa_model::_mm512_max_ps(__m512 a, __m512 b) {
  return lanewise(a, b, [](float x, float y) { return x > y ? x : y; });
}

__m512 mlir::daq::cpu::isa_model::_mm512_min_ps(__m512 a, __m512 b) {
  return lanewise(a, b, [](float x, float y) { return x < y ? x : y; });
}

__m512 mlir::daq::cpu::isa_model::_mm512_abs_ps(__m512 a) {
  return clearSignBits<uint32_t>(a);
}

__m512 mlir::daq::cpu::isa_model::_mm512_roundscale_ps(__m512 a, int imm) {
  // Scale 0 (imm[7:4]) and round to nearest even (imm[1:0] = 0, imm[2] = 0
  // to use imm rather than MXCSR); imm[3] only suppresses exceptions.
  if ((imm & ~_MM_FROUND_NO_EXC) != _MM_FROUND_TO_NEAREST_INT)
    fault("vrndscaleps", "immediate %d is not modelled", imm);
  for (float &lane : a.lanes)
    lane = __builtin_roundevenf(lane);
  return a;
}

__m512i mlir::daq::cpu::isa_model::_mm512_cvtps_epi32(__m512 a) {
  __m512i v;
  for (int j = 0; j < 16; ++j)
    setLane32(v, j, static_cast<uint32_t>(convertToInt32(a.lanes[j])));
  return v;
}

__m512i mlir::daq::cpu::isa_model::_mm512_cvt_roundps_epi32(__m512 a,
                                                            int rounding) {
  // Only nearest-even with exceptions suppressed ({rn-sae}) is modelled.
  if (rounding != (_MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC))
    fault("vcvtps2dq", "rounding %d is not modelled", rounding);
  return _mm512_cvtps_epi32(a);
}

__mmask16 mlir::daq::cpu::isa_model::_mm512_cmp_ps_mask(__m512 a, __m512 b,
                                                        int predicate) {
  return compareLanes<__mmask16>(a, b, predicate);
}

__m512i mlir::daq::cpu::isa_model::_mm512_mask_mov_epi32(__m512i src,
                                                         __mmask16 k,
                                                         __m512i a) {
  for (int j = 0; j < 16; ++j)
    if (k & (1u << j))
      std::memcpy(src.bytes + 4 * j, a.bytes + 4 * j, 4);
  return src;
}

__m512i mlir::daq::cpu::isa_model::_mm512_mask_add_epi32(__m512i src,
                                                         __mmask16 k, __m512i a,
                                                         __m512i b) {
  for (int j = 0; j < 16; ++j)
    if (k >> j & 1)
      setLane32(src, j,
                static_cast<uint32_t>(lane32(a, j)) +
                    static_cast<uint32_t>(lane32(b, j)));
  return src;
}

__m512i mlir::daq::cpu::isa_model::_mm512_mask_add_epi64(__m512i src,
                                                         __mmask8 k, __m512i a,
                                                         __m512i b) {
  for (int j = 0; j < 8; ++j)
    if (k & (1u << j)) {
      uint64_t x, y;
      std::memcpy(&x, a.bytes + 8 * j, 8);
      std::memcpy(&y, b.bytes + 8 * j, 8);
      x += y;
      std::memcpy(src.bytes + 8 * j, &x, 8);
    }
  return src;
}

__m128i mlir::daq::cpu::isa_model::_mm512_cvtepi32_epi8(__m512i a) {
  // vpmovdb truncates each dword to its low byte.
  __m128i v;
  for (int j = 0; j < 16; ++j)
    v.bytes[j] = a.bytes[4 * j];
  return v;
}

__m512i mlir::daq::cpu::isa_model::_mm512_mask_broadcast_i32x4(__m512i src,
                                                               __mmask16 k,
                                                               __m128i a) {
  for (int j = 0; j < 16; ++j)
    if (k >> j & 1)
      std::memcpy(src.bytes + 4 * j, a.bytes + 4 * (j % 4), 4);
  return src;
}

void mlir::daq::cpu::isa_model::_mm512_stream_si512(void *address,
                                                    __m512i value) {
  _mm512_storeu_si512(address, value);
}

void mlir::daq::cpu::isa_model::_mm512_mask_cvtepi32_storeu_epi8(void *address,
                                                                 __mmask16 k,
                                                                 __m512i a) {
  for (int j = 0; j < 16; ++j)
    if (k >> j & 1)
      static_cast<uint8_t *>(address)[j] = a.bytes[4 * j];
}

//===----------------------------------------------------------------------===//
// AMX
//===----------------------------------------------------------------------===//

void mlir::daq::cpu::isa_model::_tile_loadconfig(const void *config) {
  const char *name = "ldtilecfg";
  TileConfigBytes c;
  std::memcpy(&c, config, sizeof(c));
  if (c.palette == 0) {
    // Palette 0 is the initial state: no tiles.
    state.configured = false;
    state.config = {};
    zeroTiles();
    return;
  }
  if (c.palette != 1)
    fault(name, "palette %d is not supported (0 or 1)", c.palette);
  if (c.startRow != 0)
    fault(name, "start_row %d: the model does not restart tile loads",
          c.startRow);
  for (int i = 0; i < 14; ++i)
    if (c.reserved[i] != 0)
      fault(name, "reserved byte %d is %d, not 0", i + 2, c.reserved[i]);
  for (int t = 0; t < 16; ++t) {
    if (t >= kMaxNames) {
      if (c.rows[t] != 0 || c.colsb[t] != 0)
        fault(name, "tile %d configured (rows %d, colsb %d) beyond tmm7", t,
              c.rows[t], c.colsb[t]);
      continue;
    }
    if (c.rows[t] > kMaxRows)
      fault(name, "tmm%d: rows %d > 16", t, c.rows[t]);
    if (c.colsb[t] > kBytesPerRow)
      fault(name, "tmm%d: colsb %d > 64", t, c.colsb[t]);
    if ((c.rows[t] == 0) != (c.colsb[t] == 0))
      fault(name, "tmm%d: rows %d and colsb %d (both or neither must be 0)", t,
            c.rows[t], c.colsb[t]);
  }
  state.config = c;
  state.configured = true;
  zeroTiles();
}

void mlir::daq::cpu::isa_model::_tile_storeconfig(void *config) {
  TileConfigBytes c = state.configured ? state.config : TileConfigBytes{};
  std::memcpy(config, &c, sizeof(c));
}

void mlir::daq::cpu::isa_model::_tile_loadd(int tile, const void *base,
                                            int64_t stride) {
  const char *name = "tileloadd";
  checkTile(name, tile);
  checkStride(name, tile, stride);
  const auto *src = static_cast<const uint8_t *>(base);
  int rows = state.config.rows[tile], colsb = state.config.colsb[tile];
  std::memset(state.tiles[tile], 0, sizeof(state.tiles[tile]));
  for (int r = 0; r < rows; ++r)
    std::memcpy(state.tiles[tile][r], src + r * stride, colsb);
}

void mlir::daq::cpu::isa_model::_tile_stored(int tile, void *base,
                                             int64_t stride) {
  const char *name = "tilestored";
  checkTile(name, tile);
  checkStride(name, tile, stride);
  auto *dst = static_cast<uint8_t *>(base);
  int rows = state.config.rows[tile], colsb = state.config.colsb[tile];
  for (int r = 0; r < rows; ++r)
    std::memcpy(dst + r * stride, state.tiles[tile][r], colsb);
}

void mlir::daq::cpu::isa_model::_tile_zero(int tile) {
  checkTile("tilezero", tile);
  std::memset(state.tiles[tile], 0, sizeof(state.tiles[tile]));
}

/// tdpbssd (`unsignedA` false) and tdpbusd (true): C[m][n] += sum over the
/// K/4 quads q and i < 4 of A[m][4q+i] * B[q][4n+i], B signed.
static void tileDotProduct(const char *name, int dst, int src1, int src2,
                           bool unsignedA) {
  checkTile(name, dst);
  checkTile(name, src1);
  checkTile(name, src2);
  if (dst == src1 || dst == src2 || src1 == src2)
    fault(name, "tmm%d, tmm%d, tmm%d: the three tiles must differ", dst, src1,
          src2);
  const uint8_t *rows = state.config.rows;
  const uint16_t *colsb = state.config.colsb;
  for (int t : {dst, src1, src2})
    if (colsb[t] % 4 != 0)
      fault(name, "colsb %d of tmm%d is not a multiple of 4", colsb[t], t);
  if (colsb[src1] / 4 != rows[src2])
    fault(name, "K mismatch: colsb %d of A (tmm%d) / 4 != rows of B (%d)",
          colsb[src1], src1, rows[src2]);
  if (rows[dst] != rows[src1])
    fault(name, "M mismatch: rows of C (%d) != rows of A (%d) (tmm%d)",
          rows[dst], rows[src1], src1);
  if (colsb[dst] != colsb[src2])
    fault(name, "N mismatch: colsb of C (%d) != colsb of B (%d) (tmm%d)",
          colsb[dst], colsb[src2], src2);
  int m = rows[dst], n = colsb[dst] / 4, k = colsb[src1] / 4;
  auto &c = state.tiles[dst];
  const auto &a = state.tiles[src1];
  const auto &b = state.tiles[src2];
  for (int i = 0; i < m; ++i)
    for (int j = 0; j < n; ++j) {
      uint32_t acc;
      std::memcpy(&acc, &c[i][4 * j], 4);
      for (int q = 0; q < k; ++q)
        for (int e = 0; e < 4; ++e) {
          int32_t x = unsignedA ? int32_t{a[i][4 * q + e]}
                                : int32_t{static_cast<int8_t>(a[i][4 * q + e])};
          int32_t y = static_cast<int8_t>(b[q][4 * j + e]);
          acc += static_cast<uint32_t>(x * y);
        }
      std::memcpy(&c[i][4 * j], &acc, 4);
    }
  // As the hardware, zero what lies outside C's rows x colsb.
  for (int i = 0; i < kMaxRows; ++i) {
    int kept = i < m ? colsb[dst] : 0;
    std::memset(c[i] + kept, 0, kBytesPerRow - kept);
  }
}

void mlir::daq::cpu::isa_model::_tile_dpbssd(int dst, int src1, int src2) {
  tileDotProduct("tdpbssd", dst, src1, src2, /*unsignedA=*/false);
}

void mlir::daq::cpu::isa_model::_tile_dpbusd(int dst, int src1, int src2) {
  tileDotProduct("tdpbusd", dst, src1, src2, /*unsignedA=*/true);
}

void mlir::daq::cpu::isa_model::_tile_release() {
  state.configured = false;
  state.config = {};
  zeroTiles();
}
