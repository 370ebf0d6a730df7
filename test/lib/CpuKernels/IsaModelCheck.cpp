//===- IsaModelCheck.cpp - Unit check of the software ISA model -----------===//
//
// daq-isa-model-check [--seed N] [--iterations N]: checks the software model
// of the AVX-512 and AMX intrinsics (lib/CpuKernels/IsaModel.h) against
// scalar definitions written here independently (int64 sums truncated to
// 32 bits), on random operands; then the microkernels compiled against the
// model against a scalar GEMM on random tiles; and the proof that lets the
// statistics kernels skip their squares pass (sigmaFromSumOfSquares). Where the
// CPU has AVX512-VNNI or AMX, the model and the model-built microkernels are
// also compared with the real instructions and the production microkernels. So
// a wrong model cannot hide a wrong kernel.
//
// daq-isa-model-check --fault=NAME: misuses the AMX model in one way (see
// runFault); the model must abort with a message (test/CpuKernels/
// isa-model.py checks each).
//
//===----------------------------------------------------------------------===//

#include "IsaModel.h"
#include "IsaModelHardware.h"
#include "QConvMicrokernels.h"
#include "StatsKernelsWide.h"
#include "daq/Runtime/QConvKernels.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

namespace model = mlir::daq::cpu::isa_model;
using mlir::daq::cpu::KernelVariant;
using mlir::daq::cpu::MicroTile;

namespace {

int failures = 0;

void check(bool ok, const std::string &what) {
  if (!ok) {
    ++failures;
    std::printf("FAIL: %s\n", what.c_str());
  }
}

/// Records the mismatches of one check against the scalar definition
/// `reference` and, when `hardwareName` is set, against the hardware; true
/// when there are none.
bool checkCounts(const std::string &what, const char *reference, int mismatches,
                 const char *hardwareName, int hardwareMismatches,
                 const char *unit) {
  int before = failures;
  check(mismatches == 0, what + " differs from " + reference + " in " +
                             std::to_string(mismatches) + " " + unit);
  if (hardwareName)
    check(hardwareMismatches == 0,
          what + " differs from " + hardwareName + " in " +
              std::to_string(hardwareMismatches) + " " + unit);
  return failures == before;
}

/// 32-bit wraparound of an exact sum.
int32_t wrap(int64_t value) {
  return static_cast<int32_t>(static_cast<uint32_t>(value & 0xffffffff));
}

struct Random {
  std::mt19937_64 engine;
  int64_t uniform(int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(engine);
  }
  /// Mostly uniform over [lo, hi], sometimes one of the bounds.
  int64_t edgy(int64_t lo, int64_t hi) {
    int64_t pick = uniform(0, 9);
    return pick == 0 ? lo : pick == 1 ? hi : uniform(lo, hi);
  }
};

//===----------------------------------------------------------------------===//
// vpdpwssd and the 512-bit moves
//===----------------------------------------------------------------------===//

void checkVectors(Random &rng, int iterations, bool hardware) {
  int mismatches = 0, hardwareMismatches = 0;
  for (int it = 0; it < iterations; ++it) {
    int32_t src[16], want[16], got[16];
    int16_t a[32], b[32];
    for (int j = 0; j < 16; ++j)
      src[j] = static_cast<int32_t>(rng.edgy(INT32_MIN, INT32_MAX));
    for (int j = 0; j < 32; ++j) {
      a[j] = static_cast<int16_t>(rng.edgy(INT16_MIN, INT16_MAX));
      b[j] = static_cast<int16_t>(rng.edgy(INT16_MIN, INT16_MAX));
    }
    for (int j = 0; j < 16; ++j)
      want[j] = wrap(int64_t{src[j]} + int64_t{a[2 * j]} * b[2 * j] +
                     int64_t{a[2 * j + 1]} * b[2 * j + 1]);
    // Unaligned addresses: loadu/storeu.
    alignas(64) uint8_t buffer[3][64 + 8];
    int shift = static_cast<int>(rng.uniform(1, 7));
    std::memcpy(buffer[0] + shift, src, 64);
    std::memcpy(buffer[1] + shift, a, 64);
    std::memcpy(buffer[2] + shift, b, 64);
    model::__m512i r = model::_mm512_dpwssd_epi32(
        model::_mm512_loadu_si512(buffer[0] + shift),
        model::_mm512_loadu_si512(buffer[1] + shift),
        model::_mm512_loadu_si512(buffer[2] + shift));
    model::_mm512_storeu_si512(buffer[0] + shift, r);
    std::memcpy(got, buffer[0] + shift, 64);
    for (int j = 0; j < 16; ++j)
      mismatches += got[j] != want[j] || model::getLane32(r, j) != want[j];
    if (hardware) {
      int32_t real[16];
      daq_test::hardwareDpwssd(src, a, b, real);
      hardwareMismatches += std::memcmp(real, got, 64) != 0;
    }
  }
  bool ok = checkCounts("vpdpwssd model", "the scalar definition", mismatches,
                        hardware ? "the hardware" : nullptr, hardwareMismatches,
                        "lanes");
  // The moves.
  model::__m512i zero = model::_mm512_setzero_si512();
  model::__m512i splat = model::_mm512_set1_epi32(-123456789);
  bool moves = true;
  for (int j = 0; j < 16; ++j)
    moves = moves && model::getLane32(zero, j) == 0 &&
            model::getLane32(splat, j) == -123456789 &&
            model::getLane16(splat, 2 * j) ==
                static_cast<int16_t>(-123456789 & 0xffff);
  check(moves, "setzero / set1_epi32 lanes");
  if (ok && moves)
    std::printf("ok: vpdpwssd model equals the scalar definition on %d random "
                "operands (full s16/s32 ranges, wraparound)%s\n",
                iterations, hardware ? ", and the AVX512-VNNI hardware" : "");
}

/// vpdpbusd (u8 x s8 quads) and vpaddd, as the byte microkernel uses them.
void checkByteVectors(Random &rng, int iterations, bool hardware) {
  int mismatches = 0, hardwareMismatches = 0;
  for (int it = 0; it < iterations; ++it) {
    int32_t src[16], want[16], wantSum[16], got[16], gotSum[16];
    uint8_t a[64];
    int8_t b[64];
    for (int j = 0; j < 16; ++j)
      src[j] = static_cast<int32_t>(rng.edgy(INT32_MIN, INT32_MAX));
    for (int j = 0; j < 64; ++j) {
      a[j] = static_cast<uint8_t>(rng.edgy(0, UINT8_MAX));
      b[j] = static_cast<int8_t>(rng.edgy(INT8_MIN, INT8_MAX));
    }
    for (int j = 0; j < 16; ++j) {
      int64_t sum = src[j];
      for (int i = 0; i < 4; ++i)
        sum += int64_t{a[4 * j + i]} * b[4 * j + i];
      want[j] = wrap(sum);
      wantSum[j] = wrap(int64_t{want[j]} + src[j]);
    }
    model::__m512i s = model::_mm512_loadu_si512(src);
    model::__m512i r = model::_mm512_dpbusd_epi32(
        s, model::_mm512_loadu_si512(a), model::_mm512_loadu_si512(b));
    model::_mm512_storeu_si512(got, r);
    model::_mm512_storeu_si512(gotSum, model::_mm512_add_epi32(r, s));
    for (int j = 0; j < 16; ++j)
      mismatches += got[j] != want[j] || gotSum[j] != wantSum[j];
    // A zeroing masked byte load, the mask a prefix (as the AMX kernel's)
    // or random.
    uint64_t mask = rng.uniform(0, 1) ? ~0ull >> rng.uniform(0, 63)
                                      : static_cast<uint64_t>(rng.engine());
    uint8_t masked[64], wantMasked[64];
    model::_mm512_storeu_si512(masked, model::_mm512_maskz_loadu_epi8(mask, a));
    for (int i = 0; i < 64; ++i)
      wantMasked[i] = mask >> i & 1 ? a[i] : 0;
    mismatches += std::memcmp(masked, wantMasked, 64) != 0;
    if (hardware) {
      int32_t real[16], realSum[16];
      uint8_t realMasked[64];
      daq_test::hardwareDpbusd(src, a, b, real, realSum);
      daq_test::hardwareMaskzLoadu8(mask, a, realMasked);
      hardwareMismatches += std::memcmp(real, got, 64) != 0 ||
                            std::memcmp(realSum, gotSum, 64) != 0 ||
                            std::memcmp(realMasked, masked, 64) != 0;
    }
  }
  if (checkCounts("vpdpbusd / vpaddd / vmovdqu8 model", "the scalar definition",
                  mismatches, hardware ? "the hardware" : nullptr,
                  hardwareMismatches, "lanes"))
    std::printf("ok: vpdpbusd, vpaddd and masked vmovdqu8 models equal the "
                "scalar definitions on %d random operands (full u8/s8/s32 "
                "ranges, wraparound)%s\n",
                iterations, hardware ? ", and the AVX512-VNNI hardware" : "");
}

//===----------------------------------------------------------------------===//
// Tiles: ldtilecfg, tileloadd, tdpbssd, tilestored
//===----------------------------------------------------------------------===//

struct alignas(64) Config {
  uint8_t palette = 1, startRow = 0, reserved[14] = {};
  uint16_t colsb[16] = {};
  uint8_t rows[16] = {};
};

/// tdpbssd, or with `unsignedA` tdpbusd (A's bytes unsigned).
void checkTiles(Random &rng, int iterations, bool hardware, bool unsignedA) {
  int mismatches = 0, hardwareMismatches = 0;
  for (int it = 0; it < iterations; ++it) {
    int m = static_cast<int>(rng.uniform(1, 16));
    int n = static_cast<int>(rng.uniform(1, 16));
    int kb = 4 * static_cast<int>(rng.uniform(1, 16));
    // Three distinct tiles (the hardware comparison uses 0, 1, 2).
    int tc = 0, ta = 1, tb = 2;
    if (!hardware) {
      std::vector<int> names = {0, 1, 2, 3, 4, 5, 6, 7};
      std::shuffle(names.begin(), names.end(), rng.engine);
      tc = names[0], ta = names[1], tb = names[2];
    }
    Config config;
    config.rows[tc] = m, config.colsb[tc] = 4 * n;
    config.rows[ta] = m, config.colsb[ta] = kb;
    config.rows[tb] = kb / 4, config.colsb[tb] = 4 * n;
    // Row strides at least colsb; padding bytes must survive the store.
    int64_t sa = kb + rng.uniform(0, 9), sb = 4 * n + rng.uniform(0, 9);
    int64_t sc = 4 * n + 4 * rng.uniform(0, 3);
    std::vector<int8_t> a(m * sa), b((kb / 4) * sb);
    for (int8_t &x : a)
      x = static_cast<int8_t>(rng.edgy(-128, 127));
    for (int8_t &x : b)
      x = static_cast<int8_t>(rng.edgy(-128, 127));
    std::vector<int32_t> c(m * sc / 4), want;
    for (int32_t &x : c)
      x = static_cast<int32_t>(rng.edgy(INT32_MIN, INT32_MAX));
    want = c;
    for (int i = 0; i < m; ++i)
      for (int j = 0; j < n; ++j) {
        int64_t sum = want[i * sc / 4 + j];
        for (int k = 0; k < kb; ++k)
          sum += (unsignedA ? int64_t{static_cast<uint8_t>(a[i * sa + k])}
                            : int64_t{a[i * sa + k]}) *
                 b[(k / 4) * sb + 4 * j + k % 4];
        want[i * sc / 4 + j] = wrap(sum);
      }
    std::vector<int32_t> got = c;
    model::_tile_loadconfig(&config);
    Config stored;
    model::_tile_storeconfig(&stored);
    mismatches += std::memcmp(&stored, &config, sizeof(Config)) != 0;
    model::_tile_loadd(tc, got.data(), sc);
    model::_tile_loadd(ta, a.data(), sa);
    model::_tile_loadd(tb, b.data(), sb);
    if (unsignedA)
      model::_tile_dpbusd(tc, ta, tb);
    else
      model::_tile_dpbssd(tc, ta, tb);
    model::_tile_stored(tc, got.data(), sc);
    model::_tile_release();
    mismatches += got != want;
    if (hardware) {
      std::vector<int32_t> real = c;
      daq_test::hardwareTileDotProduct(&config, a.data(), sa, b.data(), sb,
                                       real.data(), sc, unsignedA);
      hardwareMismatches += real != got;
    }
  }
  const char *name = unsignedA ? "tdpbusd" : "tdpbssd";
  if (checkCounts(std::string(name) + " model", "the scalar definition",
                  mismatches, hardware ? "the hardware" : nullptr,
                  hardwareMismatches, "cases"))
    std::printf("ok: %s model (ldtilecfg, tileloadd, tilestored with "
                "strides) equals the scalar definition on %d random shapes "
                "M x K x N up to 16 x 64 x 16%s\n",
                name, iterations, hardware ? ", and the AMX hardware" : "");
}

//===----------------------------------------------------------------------===//
// The microkernels built on the model
//===----------------------------------------------------------------------===//

/// Random tile: numTaps runs of pairsPerTap pairs per row, rows at random
/// offsets in one buffer, codes in [-127, 127] (the kernels' domain).
struct TileData {
  std::vector<int16_t> a, b;
  std::vector<const int16_t *> rows;
  std::vector<int64_t> tapOffsets;
  std::vector<int32_t> c;
  MicroTile tile;
};

TileData randomTile(Random &rng, int mr, int nr) {
  TileData d;
  int64_t taps = rng.uniform(1, 3), pairs = rng.uniform(1, 70);
  // Contiguous runs, or pairs further apart (A packed in pairs of rows).
  int64_t pairStride = rng.uniform(0, 1) ? 2 : 2 * rng.uniform(2, 5);
  int64_t span = taps * (pairStride * pairs + rng.uniform(0, 5));
  d.a.resize(mr * span + 64);
  for (int16_t &x : d.a)
    x = static_cast<int16_t>(rng.edgy(-127, 127));
  for (int64_t t = 0; t < taps; ++t)
    d.tapOffsets.push_back(t * (span / taps));
  for (int r = 0; r < mr; ++r)
    d.rows.push_back(d.a.data() + rng.uniform(0, (mr - 1) * span));
  d.b.resize(taps * pairs * 2 * nr);
  for (int16_t &x : d.b)
    x = static_cast<int16_t>(rng.edgy(-127, 127));
  d.c.resize(mr * nr);
  for (int32_t &x : d.c)
    x = static_cast<int32_t>(rng.edgy(INT32_MIN, INT32_MAX));
  d.tile = {d.rows.data(), d.tapOffsets.data(),    taps,      pairs, d.b.data(),
            d.c.data(),    rng.uniform(0, 1) == 1, pairStride};
  return d;
}

std::vector<int32_t> scalarTile(const TileData &d, int mr, int nr) {
  std::vector<int32_t> out(mr * nr);
  const MicroTile &t = d.tile;
  for (int r = 0; r < mr; ++r)
    for (int j = 0; j < nr; ++j) {
      int64_t sum = t.accumulate ? t.c[r * nr + j] : 0;
      for (int64_t tap = 0; tap < t.numTaps; ++tap)
        for (int64_t p = 0; p < t.pairsPerTap; ++p)
          for (int e = 0; e < 2; ++e)
            sum +=
                int64_t{t.rows[r][t.tapOffsets[tap] + t.pairStride * p + e]} *
                t.b[((tap * t.pairsPerTap + p) * nr + j) * 2 + e];
      out[r * nr + j] = wrap(sum);
    }
  return out;
}

void checkMicrokernel(Random &rng, int iterations, const char *name, int mr,
                      int nr, mlir::daq::cpu::MicrokernelFn modelled,
                      mlir::daq::cpu::MicrokernelFn real) {
  int mismatches = 0, hardwareMismatches = 0;
  for (int it = 0; it < iterations; ++it) {
    TileData d = randomTile(rng, mr, nr);
    std::vector<int32_t> want = scalarTile(d, mr, nr), input = d.c;
    modelled(d.tile);
    model::releaseAMXTiles(); // as a chunk of the driver ends
    mismatches += d.c != want;
    if (real) {
      std::vector<int32_t> got = d.c;
      d.c = input;
      d.tile.c = d.c.data();
      real(d.tile);
      mlir::daq::cpu::releaseAMXTiles();
      hardwareMismatches += d.c != got;
    }
  }
  if (checkCounts(std::string(name) + " on the model", "the scalar GEMM",
                  mismatches, real ? "the production kernel" : nullptr,
                  hardwareMismatches, "tiles"))
    std::printf("ok: %s microkernel on the model equals the scalar GEMM on "
                "%d random %d x %d tiles (1-3 taps, 1-70 pairs, contiguous "
                "or strided, accumulate or not)%s\n",
                name, iterations, mr, nr,
                real ? ", and the production kernel" : "");
}

//===----------------------------------------------------------------------===//
// The AVX-512 rows of the statistics kernels built on the model
//===----------------------------------------------------------------------===//

/// f32 values with what the statistics kernels must get right: NaN, +-inf,
/// +-0, exact rounding ties (with a clip of 127), large and tiny values.
float specialFloat(Random &rng) {
  switch (rng.uniform(0, 11)) {
  case 0:
    return NAN;
  case 1:
    return rng.uniform(0, 1) ? INFINITY : -INFINITY;
  case 2:
    return rng.uniform(0, 1) ? 0.0f : -0.0f;
  case 3:
    return static_cast<float>(rng.uniform(-300, 300)) + 0.5f;
  case 4:
    return std::ldexp(static_cast<float>(rng.uniform(-1000, 1000)),
                      static_cast<int>(rng.uniform(-140, 100)));
  default:
    return std::ldexp(static_cast<float>(rng.uniform(-(1 << 20), 1 << 20)),
                      -static_cast<int>(rng.uniform(10, 24)));
  }
}

/// The reference quantizer (convert-daq-to-linalg's ScalarBuilder).
int8_t referenceCode(float x, float clip, float inverse) {
  float c = x < -clip ? -clip : x;
  c = c > clip ? clip : c;
  float v = c * inverse;
  if (std::isnan(v))
    return 0;
  float r = std::nearbyint(v);
  r = r < -127.0f ? -127.0f : r;
  r = r > 127.0f ? 127.0f : r;
  return static_cast<int8_t>(r);
}

/// Equal bit for bit, except that any NaN equals any NaN: x86 propagates
/// the payload of one NaN operand, and which one depends on the operand
/// order the compiler picks for a commutative add (the reference lowering
/// makes no promise either).
template <typename T>
bool sameBits(const std::vector<T> &a, const std::vector<T> &b) {
  if (a.size() != b.size())
    return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::memcmp(&a[i], &b[i], sizeof(T)) != 0 &&
        !(std::isnan(a[i]) && std::isnan(b[i])))
      return false;
  return true;
}

/// What the five rows produce from one row of inputs.
struct RowResults {
  std::vector<double> sum, squares;
  std::vector<float> max;
  std::vector<int32_t> nan;
  std::vector<int64_t> count, countT;
  /// countAbove's 16 lanes for each of three thresholds.
  std::vector<int32_t> lanes;
  /// The codes with per-element and one clip, the second codes of each
  /// call (one clip) when it makes them; each with 16 bytes after them that
  /// must keep their value.
  std::vector<int8_t> codes, codesT, codes2, codesT2;
};

bool sameResults(const RowResults &a, const RowResults &b) {
  return sameBits(a.sum, b.sum) && sameBits(a.max, b.max) && a.nan == b.nan &&
         sameBits(a.squares, b.squares) && a.count == b.count &&
         a.countT == b.countT && a.lanes == b.lanes && a.codes == b.codes &&
         a.codesT == b.codesT && a.codes2 == b.codes2 && a.codesT2 == b.codesT2;
}

void checkStatsRows(Random &rng, int iterations, bool hardware) {
  int mismatches = 0, hardwareMismatches = 0;
  for (int it = 0; it < iterations; ++it) {
    // Rows past 128: streamed quantization writes whole lines between its
    // first and last partial ones.
    int64_t m = rng.uniform(1, 200);
    std::vector<float> x(m), clip(m), inv(m);
    std::vector<double> mu(m), sg(m);
    // The accumulators' initial values.
    RowResults init;
    init.sum.resize(m), init.max.resize(m);
    init.nan.resize(m), init.count.resize(m), init.countT.resize(m);
    // countAbove and quantize take `rows` rows of m: x, then random rows,
    // xStride apart (the gaps' values must be left alone), their codes
    // qStride apart.
    int64_t rows = rng.uniform(1, 3), xStride = m + rng.uniform(0, 3),
            qStride = m + rng.uniform(0, 3);
    init.codes.assign(rows * qStride + 16, 99);
    init.codesT = init.codes, init.codes2 = init.codes;
    init.codesT2 = init.codes;
    bool second = rng.uniform(0, 1), secondT = rng.uniform(0, 1);
    // Non-temporal stores of whole lines (where the second codes, if any,
    // lie at the same offset in their lines as the first).
    bool stream = rng.uniform(0, 1);
    // The per-channel codes' clips repeat with a period: m (a row of
    // channels), or shorter (a run of whole NHWC rows), the arrays then
    // holding period + 64 entries.
    int64_t period = rng.uniform(0, 1) ? m : rng.uniform(1, m);
    init.lanes.resize(3 * 16);
    for (int32_t &lane : init.lanes)
      lane = static_cast<int32_t>(rng.uniform(0, 1000));
    // countAbove against 1 to 3 of the thresholds sg[0], sgT, sg[m - 1].
    int thresholds = static_cast<int>(rng.uniform(1, 3));
    for (int64_t c = 0; c < m; ++c) {
      x[c] = specialFloat(rng);
      init.max[c] = std::fabs(specialFloat(rng));
      init.sum[c] = specialFloat(rng);
      mu[c] = specialFloat(rng), sg[c] = std::fabs(specialFloat(rng));
      init.nan[c] = static_cast<int32_t>(rng.uniform(0, 1));
      init.count[c] = rng.uniform(0, 1000);
      init.countT[c] = rng.uniform(0, 1000);
      int pick = static_cast<int>(rng.uniform(0, 9));
      clip[c] = pick == 0   ? 0.0f
                : pick == 1 ? INFINITY
                : pick == 2 ? NAN
                : pick < 6  ? 127.0f
                            : std::fabs(specialFloat(rng));
      inv[c] = clip[c] == 0.0f ? 0.0f : 127.0f / clip[c];
    }
    init.squares = init.sum;
    double sgT = std::fabs(specialFloat(rng));
    // Sigmas that tie with elements (|x| > sigma false, >= true).
    for (int64_t c = 0; c < m; ++c)
      if (rng.uniform(0, 3) == 0)
        sg[c] = std::fabs(x[c]);
    if (rng.uniform(0, 3) == 0)
      sgT = std::fabs(x[rng.uniform(0, m - 1)]);
    std::vector<float> xRows(rows * xStride);
    for (int64_t i = 0; i < rows * xStride; ++i)
      xRows[i] = i < m ? x[i] : specialFloat(rng);
    // Scalar definitions.
    RowResults want = init;
    for (int64_t c = 0; c < m; ++c) {
      float a = std::fabs(x[c]);
      want.sum[c] += static_cast<double>(x[c]);
      want.max[c] = a > want.max[c] ? a : want.max[c];
      want.nan[c] |= std::isnan(x[c]) ? 1 : 0;
      double d = static_cast<double>(x[c]) - mu[c];
      want.squares[c] += d * d;
      want.count[c] += static_cast<double>(a) > sg[c];
      want.countT[c] += static_cast<double>(a) > sgT;
    }
    double sigmas[3] = {sg[0], sgT, sg[m - 1]};
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t c = 0; c < m; ++c) {
        float v = xRows[r * xStride + c];
        for (int k = 0; k < thresholds; ++k)
          want.lanes[16 * k + c % 16] +=
              static_cast<double>(std::fabs(v)) > sigmas[k];
        int64_t at = r * qStride + c;
        want.codes[at] = referenceCode(v, clip[c % period], inv[c % period]);
        want.codesT[at] = referenceCode(v, clip[0], inv[0]);
        int8_t code2 = referenceCode(v, clip[m - 1], inv[m - 1]);
        if (second)
          want.codes2[at] = code2;
        if (secondT)
          want.codesT2[at] = code2;
      }
    auto run = [&](const mlir::daq::cpu::StatsRows &r) {
      RowResults got = init;
      r.moments(x.data(), m, got.sum.data(), got.max.data(), got.nan.data());
      r.squares(x.data(), m, mu.data(), got.squares.data());
      // The counts compare in f32 against the largest float at most each
      // sigma; the definitions above, in f64 against the sigmas.
      std::vector<float> below(m);
      for (int64_t c = 0; c < m; ++c)
        below[c] = mlir::daq::cpu::largestFloatAtMost(sg[c]);
      float belowT = mlir::daq::cpu::largestFloatAtMost(sgT);
      r.count(x.data(), m, below.data(), got.count.data(), belowT,
              got.countT.data());
      float belows[3] = {below[0], belowT, below[m - 1]};
      r.countAbove(xRows.data(), rows, xStride, nullptr, m, belows, thresholds,
                   got.lanes.data());
      std::vector<float> clipRun(period + 64), invRun(period + 64);
      for (int64_t c = 0; c < period + 64; ++c) {
        clipRun[c] = clip[c % period];
        invRun[c] = inv[c % period];
      }
      r.quantize(xRows.data(), rows, xStride, got.codes.data(),
                 second ? got.codes2.data() : nullptr, qStride, m,
                 clipRun.data(), invRun.data(), period, clip[m - 1], inv[m - 1],
                 stream);
      r.quantize(xRows.data(), rows, xStride, got.codesT.data(),
                 secondT ? got.codesT2.data() : nullptr, qStride, m,
                 clip.data(), inv.data(), 0, clip[m - 1], inv[m - 1], stream);
      return got;
    };
    RowResults modelled = run(model::statsRowsAVX512);
    mismatches += !sameResults(modelled, want);
    if (hardware)
      hardwareMismatches +=
          !sameResults(modelled, run(mlir::daq::cpu::statsRowsAVX512));
  }
  if (checkCounts("AVX-512 statistics rows on the model",
                  "the scalar definitions", mismatches,
                  hardware ? "the hardware" : nullptr, hardwareMismatches,
                  "rows"))
    std::printf(
        "ok: AVX-512 statistics rows (moments, squares, counts, "
        "quantization) on the model equal the scalar definitions on "
        "%d random rows with NaN, infinities, signed zeros and ties%s\n",
        iterations, hardware ? ", and the AVX-512 hardware" : "");
}

//===----------------------------------------------------------------------===//
// Sigma from pass 0's sums (StatsKernelsWide.h, sigmaFromSumOfSquares)
//===----------------------------------------------------------------------===//

/// On random channels (zero mean or far from it, light or heavy tails, every
/// |x| equal to sigma; 1 to 200000 elements), the reference's two-pass M2
/// (its sums in order) must lie in deviationsInterval of the sum and the sum
/// of squares (in reverse order, as any order may be), and when
/// sigmaFromSumOfSquares accepts, its threshold must be the reference's. It
/// must decline the tie channels (a threshold in the interval's middle) and
/// accept nearly all zero-mean ones (else the kernels would run pass 2).
void checkSigmaFromSums(Random &rng, int iterations) {
  using mlir::daq::cpu::largestFloatAtMost;
  int outside = 0, wrong = 0, tiesAccepted = 0, zeroMean = 0,
      zeroMeanAccepted = 0;
  std::normal_distribution<float> normal;
  for (int it = 0; it < iterations; ++it) {
    int64_t n = rng.uniform(0, 3) == 0 ? rng.uniform(50000, 200000)
                                       : rng.uniform(1, 3000);
    int kind = static_cast<int>(rng.uniform(0, 3));
    float scale = std::ldexp(1.0f, static_cast<int>(rng.uniform(-40, 40)));
    float offset =
        kind == 1 ? scale * static_cast<float>(rng.edgy(1, 100000)) : 0.0f;
    std::vector<float> x(n);
    for (int64_t i = 0; i < n; ++i) {
      float g = normal(rng.engine);
      x[i] = kind == 2 ? g * g * g * scale : g * scale + offset;
    }
    if (kind == 3 && n % 2 == 0) // +-s: mean 0, sigma s, none above it
      for (int64_t i = 0; i < n; ++i)
        x[i] = (i % 2 ? -1.0f : 1.0f) * scale * (1.0f + 1.0f / 1024);
    // The reference: its sum and squared deviations in order.
    double sum = 0, squares = 0;
    for (float v : x)
      sum += v;
    double mean = sum / static_cast<double>(n);
    for (float v : x) {
      double d = v - mean;
      squares += d * d;
    }
    double anySum = 0, sumSquares = 0;
    for (int64_t i = n - 1; i >= 0; --i) {
      anySum += x[i];
      sumSquares += static_cast<double>(x[i]) * x[i];
    }
    double dn = static_cast<double>(n);
    auto m2 = mlir::daq::cpu::deviationsInterval(anySum, sumSquares, dn);
    outside += !(m2.low <= squares && squares <= m2.high);
    double sigma;
    bool accepted =
        mlir::daq::cpu::sigmaFromSumOfSquares(anySum, sumSquares, dn, sigma);
    wrong += accepted && largestFloatAtMost(sigma) !=
                             largestFloatAtMost(std::sqrt(squares / dn));
    tiesAccepted += kind == 3 && n % 2 == 0 && accepted;
    zeroMean += kind == 0 || kind == 2;
    zeroMeanAccepted += (kind == 0 || kind == 2) && accepted;
  }
  check(outside == 0, "deviationsInterval misses the reference's M2 in " +
                          std::to_string(outside) + " channels");
  check(wrong == 0, "sigmaFromSumOfSquares accepts a wrong threshold in " +
                        std::to_string(wrong) + " channels");
  check(tiesAccepted == 0, "sigmaFromSumOfSquares accepts " +
                               std::to_string(tiesAccepted) +
                               " channels whose |x| all equal sigma");
  check(zeroMeanAccepted * 100 >= zeroMean * 95,
        "sigmaFromSumOfSquares declines " +
            std::to_string(zeroMean - zeroMeanAccepted) + " of " +
            std::to_string(zeroMean) + " zero-mean channels");
  if (outside == 0 && wrong == 0 && tiesAccepted == 0)
    std::printf("ok: sigma from pass 0's sums: the reference's M2 inside the "
                "interval and its threshold whenever accepted on %d random "
                "channels (%d of %d zero-mean ones accepted)\n",
                iterations, zeroMeanAccepted, zeroMean);
}

//===----------------------------------------------------------------------===//
// Faults
//===----------------------------------------------------------------------===//

/// The u8 x s8 microkernel (ByteTile) on a random tile of codes in [-127,
/// 127], A stored as code + 128 and the bias its contract asks for: C must
/// be (C if accumulating) + the s8 x s8 GEMM of the codes, modulo 2^32.
void checkByteMicrokernel(Random &rng, int iterations, const char *name, int mr,
                          int nr, mlir::daq::cpu::ByteMicrokernelFn modelled,
                          mlir::daq::cpu::ByteMicrokernelFn real) {
  int mismatches = 0, hardwareMismatches = 0;
  for (int it = 0; it < iterations; ++it) {
    int64_t taps = rng.uniform(1, 3), quads = rng.uniform(1, 40);
    int64_t span = taps * (4 * quads + 4 * rng.uniform(0, 3));
    std::vector<uint8_t> a(mr * span + 64);
    for (uint8_t &x : a)
      x = static_cast<uint8_t>(rng.edgy(-127, 127) + 128);
    std::vector<int64_t> tapOffsets;
    for (int64_t t = 0; t < taps; ++t)
      tapOffsets.push_back(t * (span / taps));
    // Rows anywhere, or evenly spaced (pixels of one image row: the AMX
    // kernel loads such rows in place when they lie a tile row apart).
    std::vector<const uint8_t *> rows;
    bool even = rng.uniform(0, 1) == 1;
    for (int r = 0; r < mr; ++r)
      rows.push_back(a.data() +
                     (even ? r * span : rng.uniform(0, (mr - 1) * span)));
    std::vector<int8_t> b(taps * quads * 4 * nr);
    for (int8_t &x : b)
      x = static_cast<int8_t>(rng.edgy(-127, 127));
    std::vector<int32_t> bias(nr, 0), c(mr * nr);
    for (int64_t k = 0; k < taps * quads; ++k)
      for (int j = 0; j < nr; ++j)
        for (int i = 0; i < 4; ++i)
          bias[j] -= 128 * b[(k * nr + j) * 4 + i];
    for (int32_t &x : c)
      x = static_cast<int32_t>(rng.edgy(INT32_MIN, INT32_MAX));
    bool accumulate = rng.uniform(0, 1) == 1;
    std::vector<int32_t> want(mr * nr), input = c;
    for (int r = 0; r < mr; ++r)
      for (int j = 0; j < nr; ++j) {
        int64_t sum = accumulate ? c[r * nr + j] : 0;
        for (int64_t tap = 0; tap < taps; ++tap)
          for (int64_t q = 0; q < quads; ++q)
            for (int i = 0; i < 4; ++i)
              sum += (int64_t{rows[r][tapOffsets[tap] + 4 * q + i]} - 128) *
                     b[(((tap * quads) + q) * nr + j) * 4 + i];
        want[r * nr + j] = wrap(sum);
      }
    mlir::daq::cpu::ByteTile tile{rows.data(), tapOffsets.data(), taps,
                                  quads,       b.data(),          bias.data(),
                                  c.data(),    accumulate};
    modelled(tile);
    model::releaseAMXTiles();
    mismatches += c != want;
    if (real) {
      std::vector<int32_t> got = c;
      c = input;
      real(tile);
      mlir::daq::cpu::releaseAMXTiles();
      hardwareMismatches += c != got;
    }
  }
  if (checkCounts(std::string(name) + " u8 x s8 on the model",
                  "the scalar GEMM", mismatches,
                  real ? "the production kernel" : nullptr, hardwareMismatches,
                  "tiles"))
    std::printf("ok: %s u8 x s8 microkernel on the model equals the "
                "scalar GEMM on %d random %d x %d tiles (1-3 taps, 1-40 quads, "
                "accumulate or not)%s\n",
                name, iterations, mr, nr,
                real ? ", and the production kernel" : "");
}

/// Palette 1 with three 16 x 64-byte tiles, tmm0..2 (a test configuration).
Config kernelConfig() {
  Config config;
  for (int t = 0; t < 3; ++t)
    config.rows[t] = 16, config.colsb[t] = 64;
  return config;
}

int runFault(const std::string &name) {
  alignas(64) static int8_t buffer[16 * 128] = {};
  Config config = kernelConfig();
  if (name == "no-config") {
    model::_tile_loadd(1, buffer, 64);
  } else if (name == "after-release") {
    model::_tile_loadconfig(&config);
    model::_tile_release();
    model::_tile_zero(0);
  } else if (name == "unconfigured-tile") {
    model::_tile_loadconfig(&config);
    model::_tile_loadd(3, buffer, 64);
  } else if (name == "short-stride") {
    model::_tile_loadconfig(&config);
    model::_tile_loadd(1, buffer, 32);
  } else if (name == "k-mismatch") {
    config.rows[2] = 8;
    model::_tile_loadconfig(&config);
    model::_tile_dpbssd(0, 1, 2);
  } else if (name == "same-tiles") {
    model::_tile_loadconfig(&config);
    model::_tile_dpbssd(0, 0, 2);
  } else if (name == "rows") {
    config.rows[1] = 17;
    model::_tile_loadconfig(&config);
  } else if (name == "colsb") {
    config.colsb[1] = 128;
    model::_tile_loadconfig(&config);
  } else if (name == "palette") {
    config.palette = 2;
    model::_tile_loadconfig(&config);
  } else if (name == "half-configured") {
    config.colsb[4] = 64;
    model::_tile_loadconfig(&config);
  } else {
    std::fprintf(stderr, "unknown fault '%s'\n", name.c_str());
    return 2;
  }
  std::printf("fault '%s' did not abort\n", name.c_str());
  return 1;
}

} // namespace

int main(int argc, char **argv) {
  uint64_t seed = std::random_device{}();
  int iterations = 2000;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.rfind("--fault=", 0) == 0)
      return runFault(arg.substr(8));
    if (arg.rfind("--seed=", 0) == 0)
      seed = std::strtoull(arg.c_str() + 7, nullptr, 10);
    else if (arg.rfind("--iterations=", 0) == 0)
      iterations = std::atoi(arg.c_str() + 13);
    else {
      std::fprintf(stderr,
                   "usage: daq-isa-model-check [--seed=N] [--iterations=N] "
                   "| --fault=NAME\n");
      return 2;
    }
  }
  std::printf("seed = %llu (reproduce with --seed=%llu)\n",
              static_cast<unsigned long long>(seed),
              static_cast<unsigned long long>(seed));
  Random rng{std::mt19937_64(seed)};
  bool vnni = mlir::daq::cpu::isVariantSupported(KernelVariant::AVX512VNNI);
  bool amx = mlir::daq::cpu::isVariantSupported(KernelVariant::AMX);
  std::printf("hardware comparison: AVX512-VNNI %s, AMX %s\n",
              vnni ? "yes" : "no (not on this CPU)",
              amx ? "yes" : "no (not on this CPU)");
  checkVectors(rng, iterations, vnni);
  checkByteVectors(rng, iterations, vnni);
  checkTiles(rng, iterations, amx, /*unsignedA=*/false);
  checkTiles(rng, iterations, amx, /*unsignedA=*/true);
  checkMicrokernel(rng, iterations / 10, "avx512-vnni", 12, 32,
                   model::microkernelAVX512VNNI,
                   vnni ? mlir::daq::cpu::microkernelAVX512VNNI : nullptr);
  checkByteMicrokernel(rng, iterations / 10, "avx512-vnni", 12, 32,
                       model::microkernelAVX512VNNIBytes,
                       vnni ? mlir::daq::cpu::microkernelAVX512VNNIBytes
                            : nullptr);
  checkMicrokernel(rng, iterations / 10, "amx", 32, 32, model::microkernelAMX,
                   amx ? mlir::daq::cpu::microkernelAMX : nullptr);
  checkByteMicrokernel(rng, iterations / 10, "amx", 32, 32,
                       model::microkernelAMXBytes,
                       amx ? mlir::daq::cpu::microkernelAMXBytes : nullptr);
  checkStatsRows(rng, iterations, vnni);
  checkSigmaFromSums(rng, iterations / 4);
  if (failures) {
    std::printf("%d failures (seed %llu)\n", failures,
                static_cast<unsigned long long>(seed));
    return 1;
  }
  std::printf("PASS\n");
  return 0;
}
