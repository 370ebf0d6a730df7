//===- stats_kernels.cpp - time the CPU statistics/quantization kernels ---===//
//
// Times the runtime kernels of --convert-daq-stats-to-cpu-kernels alone (no
// JIT, no copies) on a random f32 GY of N=32 and the given channels and
// spatial size: daq_cpu_quantize_grad_mcs (quantize_grad with #daq.mcs: both
// MCS steps and both INT8 copies, two passes over GY), and for comparison
// the two calls it replaces, daq_cpu_mcs_clip2 (the clips, two passes) and
// daq_cpu_quantize2 (both copies, one pass), and a per-tensor
// daq_cpu_mcs_clip alone (the tensor split into parts, see
// StatsKernels.cpp).
//
//   clang++-22 -O2 -std=c++20 -Iinclude bench/stats_kernels.cpp \
//       build/lib/CpuKernels/libDaqCpuKernels.a -lpthread -o /tmp/stats_kernels
//   /tmp/stats_kernels C HW [nhwc]
//
// Each time is the lowest of DAQ_BENCH_REPS calls (default 7).
//
//===----------------------------------------------------------------------===//
#include "daq/Runtime/StatsKernels.h"
#include <algorithm>
#include <bit>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <vector>
int main(int argc, char **argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s C HW [nhwc]\n", argv[0]);
    return 1;
  }
  bool nhwc = argc > 3 && std::strcmp(argv[3], "nhwc") == 0;
  int64_t C = std::atoll(argv[1]), HW = std::atoll(argv[2]);
  // The [outer, channels, inner] view: NCHW [N, C, HW], NHWC [N*HW, C, 1].
  int64_t O = nhwc ? 32 * HW : 32, I = nhwc ? 1 : HW;
  int64_t n = O * C * I;
  std::vector<float> x(n);
  std::mt19937 g(1);
  std::normal_distribution<float> d;
  for (auto &v : x)
    v = d(g);
  DaqMemRef<float, 3> xm{x.data(), x.data(), 0, {O, C, I}, {C * I, I, 1}};
  std::vector<float> pc(C, 1.0f), pt(1, 1.0f), out(C + 1);
  DaqMemRef<float, 1> pcm{pc.data(), pc.data(), 0, {C}, {1}};
  DaqMemRef<float, 1> ptm{pt.data(), pt.data(), 0, {1}, {1}};
  DaqMemRef<float, 1> om{out.data(), out.data(), 0, {C + 1}, {1}};
  std::vector<int8_t> qc(n), qt(n);
  DaqMemRef<int8_t, 3> qcm{qc.data(), qc.data(), 0, {O, C, I}, {C * I, I, 1}};
  DaqMemRef<int8_t, 3> qtm{qt.data(), qt.data(), 0, {O, C, I}, {C * I, I, 1}};
  int64_t lam = std::bit_cast<int64_t>(0.3),
          keep = std::bit_cast<uint32_t>(0.2f),
          take = std::bit_cast<uint32_t>(0.8f);
  DaqMemRef<float, 3> flat{x.data(), x.data(), 0, {1, 1, n}, {n, n, 1}};
  std::vector<float> tensorOut(2);
  DaqMemRef<float, 2> tom{
      tensorOut.data(), tensorOut.data(), 0, {2, 1}, {1, 1}};
  double best[4] = {1e30, 1e30, 1e30, 1e30};
  const char *repsText = std::getenv("DAQ_BENCH_REPS");
  int reps = repsText ? std::max(1, std::atoi(repsText)) : 7;
  for (int rep = 0; rep < reps; ++rep) {
    auto t0 = std::chrono::steady_clock::now();
    _mlir_ciface_daq_cpu_mcs_clip2(&xm, &pcm, &ptm, &om, lam, keep, take, 0);
    auto t1 = std::chrono::steady_clock::now();
    DaqMemRef<float, 1> cm{out.data(), out.data(), 0, {C}, {1}};
    DaqMemRef<float, 1> tm{out.data() + C, out.data() + C, 0, {1}, {1}};
    _mlir_ciface_daq_cpu_quantize2(&xm, &cm, &tm, &qcm, &qtm, 0);
    auto t2 = std::chrono::steady_clock::now();
    _mlir_ciface_daq_cpu_mcs_clip(&flat, &ptm, &tom, lam, keep, take, 0);
    auto t3 = std::chrono::steady_clock::now();
    _mlir_ciface_daq_cpu_quantize_grad_mcs(&xm, &pcm, &ptm, &om, &qcm, &qtm,
                                           lam, keep, take, 0);
    auto t4 = std::chrono::steady_clock::now();
    best[3] = std::min(
        best[3], std::chrono::duration<double, std::milli>(t4 - t3).count());
    best[2] = std::min(
        best[2], std::chrono::duration<double, std::milli>(t3 - t2).count());
    best[0] = std::min(
        best[0], std::chrono::duration<double, std::milli>(t1 - t0).count());
    best[1] = std::min(
        best[1], std::chrono::duration<double, std::milli>(t2 - t1).count());
  }
  double ms = best[3];
  std::printf(
      "C=%lld HW=%lld %s: quantize_grad_mcs %.2f ms, %.2f GB/s at 6 B/element "
      "(%.2f GB/s of actual traffic: 2 reads + 2 B written per element); "
      "mcs_clip2 %.2f ms + quantize2 %.2f ms = %.2f ms; per-tensor mcs_clip "
      "alone %.2f ms\n",
      (long long)C, (long long)HW, nhwc ? "NHWC" : "NCHW", ms,
      6.0 * n / (ms * 1e-3) / 1e9, 10.0 * n / (ms * 1e-3) / 1e9, best[0],
      best[1], best[0] + best[1], best[2]);
}
