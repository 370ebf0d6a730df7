//===- WinogradTransformsCheck.cpp - Unit check of the Winograd transforms ===//
//
// daq-winograd-transforms-check [--seed=N] [--iterations=N]: checks the
// per-tile Winograd transforms and the pair interleave
// (lib/CpuKernels/WinogradTransforms.h), both forms (SSE2 always, AVX2
// where the CPU has it), against scalar definitions written here from the
// matrices B^T, A and A^T (int64 arithmetic, then truncated like the
// kernels' wrapping int16 / int32), on random operands: channel counts that
// are not multiples of the vector widths (the 8-lane and one-lane tails),
// values at the ends of the int16 range (wrapping), strided outputs.
//
//===----------------------------------------------------------------------===//

#include "WinogradTransforms.h"

#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

using mlir::daq::cpu::WinogradTransforms;

namespace {

int failures = 0;

struct Random {
  std::mt19937_64 engine;
  int64_t uniform(int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(engine);
  }
  /// Mostly small (transformed codes), sometimes anywhere in int16.
  int16_t value() {
    int64_t pick = uniform(0, 9);
    return static_cast<int16_t>(pick == 0   ? uniform(-32768, 32767)
                                : pick == 1 ? (uniform(0, 1) ? -32768 : 32767)
                                            : uniform(-128, 127));
  }
};

constexpr int kBt[4][4] = {
    {1, 0, -1, 0}, {0, 1, 1, 0}, {0, -1, 1, 0}, {0, 1, 0, -1}};
constexpr int kA[4][2] = {{1, 0}, {1, 1}, {1, -1}, {0, -1}};
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
constexpr int kAt[2][4] = {{1, 1, 1, 0}, {0, 1, -1, -1}};
constexpr int kG2[4][3] = {{2, 0, 0}, {1, 1, 1}, {1, -1, 1}, {0, 0, 2}};

/// Runs `run` on copies of `init` and compares with `want`; counts
/// mismatching elements.
template <typename T, typename Run>
int64_t mismatches(const std::vector<T> &init, const std::vector<T> &want,
                   const Run &run) {
  std::vector<T> got = init;
  run(got.data());
  int64_t count = 0;
  for (size_t i = 0; i < got.size(); ++i)
    count += got[i] != want[i];
  return count;
}

void report(int64_t bad, const std::string &what) {
  if (bad) {
    ++failures;
    std::printf("FAIL: %s: %lld elements differ\n", what.c_str(),
                static_cast<long long>(bad));
  }
}

/// An input-side transform: out[(n i + j) * stride + c] = (T d T^T)[i][j]
/// for c < cp, T the n x w matrix `t` and d the w x w window of cp channels
/// per pixel whose row k starts at window[k]: the input transforms (d the
/// input window) and the gradient transforms (d GY's 2x2 tile).
template <typename Transform>
void checkTransform(Random &rng, const int *t, int n, int w,
                    const Transform &transform, const std::string &what) {
  int64_t cp = 2 * rng.uniform(1, 60), stride = cp + 2 * rng.uniform(0, 4);
  // The window's rows somewhere in one buffer.
  int64_t rowSpan = w * cp + 16;
  std::vector<int16_t> data(w * rowSpan);
  for (int16_t &x : data)
    x = rng.value();
  std::vector<const int16_t *> window(w);
  for (int k = 0; k < w; ++k)
    window[k] = data.data() + k * rowSpan + rng.uniform(0, 16);
  std::vector<int16_t> init(n * n * stride), want;
  for (int16_t &x : init)
    x = rng.value();
  want = init;
  for (int64_t c = 0; c < cp; ++c)
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < n; ++j) {
        int64_t sum = 0;
        for (int k = 0; k < w; ++k)
          for (int l = 0; l < w; ++l)
            sum += int64_t{t[i * w + k]} * window[k][l * cp + c] * t[j * w + l];
        want[(n * i + j) * stride + c] = static_cast<int16_t>(sum);
      }
  report(mismatches(
             init, want,
             [&](int16_t *out) { transform(window.data(), cp, out, stride); }),
         what + ", cp " + std::to_string(cp));
}

/// An output transform: y[q][j] = (T M T^T)[q] >> shift for the n x n
/// outputs q and the nr columns j, T the n x w matrix `t`, M's position
/// w k + l at m + (w k + l) * stride.
template <typename Transform>
void checkOutput(Random &rng, const int *t, int n, int w, int shift,
                 const Transform &transform, const std::string &what) {
  int64_t nr = 4 * rng.uniform(1, 8) + rng.uniform(0, 3);
  int64_t stride = nr + rng.uniform(0, 5);
  std::vector<int32_t> m(w * w * stride);
  for (int32_t &x : m)
    x = static_cast<int32_t>(rng.uniform(INT32_MIN, INT32_MAX));
  // n x n output rows of nr, with gaps that must stay untouched.
  std::vector<int32_t> init(n * n * (nr + 2)), want;
  for (int32_t &x : init)
    x = static_cast<int32_t>(rng.uniform(INT32_MIN, INT32_MAX));
  want = init;
  for (int64_t j = 0; j < nr; ++j)
    for (int q = 0; q < n * n; ++q) {
      int64_t sum = 0;
      for (int k = 0; k < w; ++k)
        for (int l = 0; l < w; ++l)
          sum += int64_t{t[(q / n) * w + k]} * m[(w * k + l) * stride + j] *
                 t[(q % n) * w + l];
      // The sum modulo 2^32, then the arithmetic shift.
      int32_t wrapped = static_cast<int32_t>(static_cast<uint32_t>(sum));
      want[q * (nr + 2) + j] = wrapped >> shift;
    }
  report(mismatches(init, want,
                    [&](int32_t *y) {
                      std::vector<int32_t *> rows(n * n);
                      for (int q = 0; q < n * n; ++q)
                        rows[q] = y + q * (nr + 2);
                      transform(m.data(), stride, nr, rows.data());
                    }),
         what + ", nr " + std::to_string(nr));
}

/// A filter transform: dst[xi * xiStride + 2 j + e] = (G g_e G^T)[xi] for
/// the n x 3 matrix G = `g`, two K rows e of nr columns whose tap t is at
/// taps[e][t * nr + j].
template <typename Transform>
void checkFilter(Random &rng, const int *g, int n, const Transform &transform,
                 const std::string &what) {
  // NR as the microkernels have it (16, 32) or any other (the tails).
  int64_t nr = rng.uniform(0, 1) ? 16 * rng.uniform(1, 2) : rng.uniform(1, 40),
          xiStride = 2 * nr + 2 * rng.uniform(0, 3);
  std::vector<int16_t> taps(2 * 9 * nr);
  for (int16_t &x : taps)
    x = rng.value();
  const int16_t *rows[2] = {taps.data(), taps.data() + 9 * nr};
  std::vector<int16_t> init(n * n * xiStride), want;
  for (int16_t &x : init)
    x = rng.value();
  want = init;
  for (int e = 0; e < 2; ++e)
    for (int64_t j = 0; j < nr; ++j)
      for (int i = 0; i < n; ++i)
        for (int l = 0; l < n; ++l) {
          int64_t sum = 0;
          for (int ky = 0; ky < 3; ++ky)
            for (int kx = 0; kx < 3; ++kx)
              sum += int64_t{g[i * 3 + ky]} * rows[e][(3 * ky + kx) * nr + j] *
                     g[l * 3 + kx];
          want[(n * i + l) * xiStride + 2 * j + e] = static_cast<int16_t>(sum);
        }
  report(mismatches(init, want,
                    [&](int16_t *dst) { transform(rows, nr, dst, xiStride); }),
         what + ", nr " + std::to_string(nr));
}

void checkInterleave(Random &rng, const WinogradTransforms &t,
                     const char *form) {
  int64_t count = rng.uniform(1, 150), nr = rng.uniform(0, 1)
                                                ? 8 * rng.uniform(1, 4)
                                                : count + rng.uniform(0, 3);
  int64_t tiles = (count + nr - 1) / nr, tileStride = 2 * nr + 10;
  std::vector<int16_t> row0(count), row1(count);
  for (int64_t c = 0; c < count; ++c) {
    row0[c] = rng.value();
    row1[c] = rng.value();
  }
  std::vector<int16_t> init(tiles * tileStride), want;
  for (int16_t &x : init)
    x = rng.value();
  want = init;
  for (int64_t c = 0; c < count; ++c) {
    want[(c / nr) * tileStride + (c % nr) * 2] = row0[c];
    want[(c / nr) * tileStride + (c % nr) * 2 + 1] = row1[c];
  }
  report(mismatches(init, want,
                    [&](int16_t *dst) {
                      t.interleavePairs(row0.data(), row1.data(), count, nr,
                                        tileStride, dst);
                    }),
         std::string(form) + " interleave, count " + std::to_string(count) +
             ", nr " + std::to_string(nr));
}

void checkForm(Random &rng, int iterations, const WinogradTransforms &t,
               const char *form) {
  int before = failures;
  for (int it = 0; it < iterations; ++it) {
    std::string name = form;
    checkTransform(rng, &kBt[0][0], 4, 4, t.input, name + " input transform");
    checkTransform(rng, &kA[0][0], 4, 2, t.gradient,
                   name + " gradient transform");
    checkTransform(rng, &kB2t[0][0], 5, 5, t.inputStride2,
                   name + " stride-2 input transform");
    checkTransform(rng, &kA2[0][0], 5, 2, t.gradientStride2,
                   name + " stride-2 gradient transform");
    checkTransform(rng, &kB2dt[0][0], 5, 3, t.inputStride2Data,
                   name + " stride-2 backward-data input transform");
    checkOutput(rng, &kAt[0][0], 2, 4, 2, t.output, name + " output transform");
    checkOutput(rng, &kA2t[0][0], 2, 5, 0, t.outputStride2,
                name + " stride-2 output transform");
    checkOutput(rng, &kA2dt[0][0], 4, 5, 0, t.outputStride2Data,
                name + " stride-2 backward-data output transform");
    checkFilter(rng, &kG2[0][0], 4, t.filter, name + " filter transform");
    checkFilter(rng, &kG2s[0][0], 5, t.filterStride2,
                name + " stride-2 filter transform");
    checkInterleave(rng, t, form);
  }
  if (failures == before)
    std::printf(
        "ok: %s Winograd transforms (stride 1: input, gradient, output, "
        "filter; stride 2: input, gradient, output, filter, backward-data "
        "input and output; pair interleave) equal their scalar definitions "
        "on %d random cases each\n",
        form, iterations);
}

} // namespace

int main(int argc, char **argv) {
  uint64_t seed = std::random_device{}();
  int iterations = 300;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.rfind("--seed=", 0) == 0)
      seed = std::strtoull(arg.c_str() + 7, nullptr, 10);
    else if (arg.rfind("--iterations=", 0) == 0)
      iterations = std::atoi(arg.c_str() + 13);
    else {
      std::fprintf(stderr, "usage: daq-winograd-transforms-check [--seed=N] "
                           "[--iterations=N]\n");
      return 2;
    }
  }
  std::printf("seed = %llu (reproduce with --seed=%llu)\n",
              static_cast<unsigned long long>(seed),
              static_cast<unsigned long long>(seed));
  Random rng{std::mt19937_64(seed)};
  checkForm(rng, iterations, mlir::daq::cpu::winogradTransformsSSE2, "SSE2");
  if (__builtin_cpu_supports("avx2"))
    checkForm(rng, iterations, mlir::daq::cpu::winogradTransformsAVX2, "AVX2");
  else
    std::printf("AVX2 form not checked: not on this CPU\n");
  if (failures) {
    std::printf("%d failures (seed %llu)\n", failures,
                static_cast<unsigned long long>(seed));
    return 1;
  }
  std::printf("PASS\n");
  return 0;
}
