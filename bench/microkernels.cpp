//===- microkernels.cpp - the INT8 microkernels alone, one thread ---------===//
//
// The u8 x s8 microkernels (QConvMicrokernels.h: AVX512-VNNI's vpdpbusd and
// AMX's tdpbusd) timed alone on one thread, as the direct convolution forms
// call them: MR rows of a channels-last u8 buffer (pixels `channels` bytes
// apart, so AMX loads A in place when channels >= 64), `taps` runs of
// channels / 4 quads each, B packed for NR columns, over `tiles` row tiles
// whose A and B stay in the caches. Prints multiply-adds per second
// (GMAC/s) per variant: the ceiling the whole convolution
// (bench/qconv_kernels.cpp) is measured against. A second line times the
// smallest call (one tap of 16 quads), where the per-call work (AMX: tile
// configuration, C tiles, bias) dominates.
//
//   clang++-22 -O2 -std=c++20 -Iinclude -Ilib/CpuKernels \
//       bench/microkernels.cpp build/lib/CpuKernels/libDaqCpuKernels.a \
//       -lpthread -o /tmp/microkernels
//   /tmp/microkernels [channels=64] [taps=9]
//
//===----------------------------------------------------------------------===//
#include "QConvMicrokernels.h"
#include "daq/Runtime/QConvKernels.h"
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

using namespace mlir::daq::cpu;

namespace {
/// GMAC/s of `run` over `tiles` row tiles of MR rows, `reps` times each.
double gmacs(ByteMicrokernelFn run, int mr, int nr, int64_t channels,
             int64_t taps, int64_t quadsPerTap, int64_t tiles, int reps) {
  std::mt19937 rng(1);
  int64_t pixels = tiles * mr + taps;
  std::vector<uint8_t> a(pixels * channels + 64);
  for (uint8_t &v : a)
    v = static_cast<uint8_t>(rng());
  std::vector<int8_t> b(taps * quadsPerTap * 4 * nr);
  for (int8_t &v : b)
    v = static_cast<int8_t>(rng());
  std::vector<int32_t> bias(nr, 0), c(mr * nr);
  std::vector<int64_t> tapOffsets(taps);
  for (int64_t t = 0; t < taps; ++t)
    tapOffsets[t] = t * channels; // the next pixel: a 1 x taps filter
  std::vector<const uint8_t *> rows(tiles * mr);
  for (int64_t r = 0; r < tiles * mr; ++r)
    rows[r] = a.data() + r * channels;
  double best = 1e30;
  for (int rep = 0; rep < reps; ++rep) {
    auto t0 = std::chrono::steady_clock::now();
    for (int64_t t = 0; t < tiles; ++t)
      run({rows.data() + t * mr, tapOffsets.data(), taps, quadsPerTap, b.data(),
           bias.data(), c.data(), false});
    auto t1 = std::chrono::steady_clock::now();
    best = std::min(best, std::chrono::duration<double>(t1 - t0).count());
  }
  double macs = double(tiles) * mr * nr * taps * quadsPerTap * 4;
  return macs / best / 1e9;
}
} // namespace

int main(int argc, char **argv) {
  int64_t channels = argc > 1 ? std::atoll(argv[1]) : 64;
  int64_t taps = argc > 2 ? std::atoll(argv[2]) : 9;
  struct Candidate {
    KernelVariant variant;
    ByteMicrokernelFn run;
    int mr, nr;
  } candidates[] = {
      {KernelVariant::AVX512VNNI, microkernelAVX512VNNIBytes, 12, 32},
      {KernelVariant::AMX, microkernelAMXBytes, 32, 32},
  };
  std::printf("channels %lld, taps %lld (K = %lld), one thread\n",
              static_cast<long long>(channels), static_cast<long long>(taps),
              static_cast<long long>(channels * taps));
  for (const Candidate &c : candidates) {
    if (!isVariantSupported(c.variant)) {
      std::printf("%-12s not on this CPU\n", getVariantName(c.variant));
      continue;
    }
    double full = gmacs(c.run, c.mr, c.nr, channels, taps, channels / 4,
                        2048 / c.mr * 8, 7);
    double small = gmacs(c.run, c.mr, c.nr, 64, 1, 16, 2048 / c.mr * 8, 7);
    std::printf("%-12s %dx%d: %8.1f GMAC/s (%.2f TOPS); one 64-deep chunk "
                "per call: %8.1f GMAC/s\n",
                getVariantName(c.variant), c.mr, c.nr, full, 2 * full / 1000,
                small);
  }
  return 0;
}
