//===- qconv_kernels.cpp - time the CPU INT8 convolution kernel variants --===//
//
// Times the INT8 convolution kernels' entry points (QConvKernels.h) alone
// (no JIT, no copies) on cpu_conv.py's ResNet-18 shapes at N=32, NCHW, i8
// operands as the daq-int8 rows of cpu_conv.py have them (forward X x W,
// backward-data GY x W with per-tensor clips, backward-filter X x GY with a
// clip per output channel), once per variant named, the variants alternated
// within each repetition (these machines are shared and noisy): the median
// ms, the lowest, TOPS (2 x multiply-adds, at the median) and the ratio to
// the first variant. Needs no LLVM at run time, so it also runs on a host
// where daq is not built (scripts/gpu-check.sh --stage / --from: the AMX
// numbers of docs/performance.md). Threads: DAQ_NUM_THREADS (issue 6's
// targets: 2). DAQ_BENCH_SHAPES and DAQ_BENCH_PASSES (comma-separated shape
// names and fwd / dgrad / wgrad) select what runs, e.g. to compare two
// builds of the library on one pass, alternated by the caller;
// DAQ_BENCH_SHAPES=all adds cpu_conv.py's layer3/4 downsampling shapes.
// glibc's malloc is told to keep freed memory, as cpu_conv.py tells it, so
// that the kernels' buffers reuse pages instead of faulting fresh ones in
// on every call.
//
//   clang++-22 -O2 -std=c++20 -Iinclude bench/qconv_kernels.cpp \
//       build/lib/CpuKernels/libDaqCpuKernels.a -lpthread -o /tmp/qconv_kernels
//   DAQ_NUM_THREADS=2 /tmp/qconv_kernels avx512-vnni,amx [reps] [out.json]
//   DAQ_BENCH_SHAPES=1x1s2-64-128-56 DAQ_BENCH_PASSES=dgrad \
//       /tmp/qconv_kernels avx512-vnni 20
//
//===----------------------------------------------------------------------===//
#include "daq/Runtime/QConvKernels.h"
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <malloc.h>
#include <new>
#include <random>
#include <sstream>
#include <string>
#include <vector>

using namespace mlir::daq::cpu;

namespace {
struct Shape {
  const char *name;
  int64_t cin, cout, hw, k, stride, pad;
  bool extra = false;
  int64_t ohw() const { return (hw + 2 * pad - k) / stride + 1; }
};
// bench/cpu_conv.py's SHAPES.
const Shape kShapes[] = {
    {"3x3-64-56", 64, 64, 56, 3, 1, 1},
    {"3x3-128-28", 128, 128, 28, 3, 1, 1},
    {"3x3-256-14", 256, 256, 14, 3, 1, 1},
    {"3x3-512-7", 512, 512, 7, 3, 1, 1},
    {"3x3s2-64-128-56", 64, 128, 56, 3, 2, 1},
    {"1x1s2-64-128-56", 64, 128, 56, 1, 2, 0},
    // cpu_conv.py's EXTRA_SHAPES (layer3/4 downsampling): with
    // DAQ_BENCH_SHAPES=all or by name.
    {"3x3s2-128-256-28", 128, 256, 28, 3, 2, 1, true},
    {"1x1s2-128-256-28", 128, 256, 28, 1, 2, 0, true},
    {"3x3s2-256-512-14", 256, 512, 14, 3, 2, 1, true},
    {"1x1s2-256-512-14", 256, 512, 14, 1, 2, 0, true},
};
constexpr int64_t kBatch = 32;

/// Whether `name` is in the comma-separated list of environment variable
/// `variable` (all names when it is unset or "all"; `extra` ones only when
/// "all" or named).
bool selected(const char *variable, const std::string &name,
              bool extra = false) {
  const char *list = std::getenv(variable);
  if (!list)
    return !extra;
  if (std::string(list) == "all")
    return true;
  std::stringstream items(list);
  for (std::string item; std::getline(items, item, ',');)
    if (item == name)
      return true;
  return false;
}

/// 64-byte aligned, as daq-cpu-pipeline's buffers are (one-shot
/// bufferization's default): malloc's large blocks start 16 bytes into a
/// page, which would give every streamed output run a partial first line.
template <typename T> struct AlignedAllocator {
  using value_type = T;
  AlignedAllocator() = default;
  template <typename U> AlignedAllocator(const AlignedAllocator<U> &) {}
  T *allocate(size_t n) {
    return static_cast<T *>(
        ::operator new(n * sizeof(T), std::align_val_t(64)));
  }
  void deallocate(T *p, size_t) { ::operator delete(p, std::align_val_t(64)); }
  bool operator==(const AlignedAllocator &) const { return true; }
};
template <typename T> using Buffer = std::vector<T, AlignedAllocator<T>>;

template <typename T>
DaqMemRef<T, 4> memref(Buffer<T> &v, int64_t a, int64_t b, int64_t c,
                       int64_t d) {
  v.resize(a * b * c * d);
  return {v.data(), v.data(), 0, {a, b, c, d}, {b * c * d, c * d, d, 1}};
}
DaqMemRef<float, 1> clips(std::vector<float> &v, int64_t n) {
  v.assign(n, 3.0f);
  return {v.data(), v.data(), 0, {n}, {1}};
}
} // namespace

int main(int argc, char **argv) {
  mallopt(M_MMAP_THRESHOLD, 1 << 30);
  mallopt(M_TRIM_THRESHOLD, std::numeric_limits<int>::max());
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s VARIANT[,VARIANT...] [reps] [out.json]\n",
                 argv[0]);
    return 2;
  }
  std::vector<KernelVariant> variants;
  std::stringstream list(argv[1]);
  for (std::string name; std::getline(list, name, ',');) {
    KernelVariant v;
    if (!parseVariantName(name, v) || !isVariantSupported(v)) {
      std::fprintf(stderr, "variant '%s' is unknown or cannot run here (%s)\n",
                   name.c_str(), kVariantNameList);
      return 2;
    }
    variants.push_back(v);
  }
  int reps = argc > 2 ? std::max(1, std::atoi(argv[2])) : 7;
  FILE *json = argc > 3 ? std::fopen(argv[3], "w") : nullptr;
  unsetenv("DAQ_CPU_KERNEL"); // it would override the variant asked for

  std::mt19937 rng(1);
  std::uniform_int_distribution<int> code(-127, 127);
  std::printf("threads %s\n%-16s %-6s",
              std::getenv("DAQ_NUM_THREADS") ? std::getenv("DAQ_NUM_THREADS")
                                             : "(all)",
              "shape", "pass");
  for (KernelVariant v : variants)
    std::printf(" %11s ms (lowest) %6s", getVariantName(v), "TOPS");
  std::printf("  ratios to %s\n", getVariantName(variants[0]));
  if (json)
    std::fprintf(json, "[\n");
  bool firstRecord = true;
  for (const Shape &s : kShapes) {
    if (!selected("DAQ_BENCH_SHAPES", s.name, s.extra))
      continue;
    Buffer<int8_t> x, w, y;
    Buffer<float> out;
    std::vector<float> cx, cw, cy;
    auto xm = memref(x, kBatch, s.cin, s.hw, s.hw);
    auto wm = memref(w, s.cout, s.cin, s.k, s.k);
    auto ym = memref(y, kBatch, s.cout, s.ohw(), s.ohw());
    for (auto *v : {&x, &w, &y})
      for (int8_t &e : *v)
        e = static_cast<int8_t>(code(rng));
    auto one = clips(cx, 1);
    auto perChannel = clips(cy, s.cout);
    auto wClip = clips(cw, 1);
    double ops = 2.0 * kBatch * s.cout * s.cin * s.k * s.k * s.ohw() * s.ohw();
    for (Direction d : {Direction::Forward, Direction::BackwardData,
                        Direction::BackwardFilter}) {
      const char *pass = d == Direction::Forward        ? "fwd"
                         : d == Direction::BackwardData ? "dgrad"
                                                        : "wgrad";
      if (!selected("DAQ_BENCH_PASSES", pass))
        continue;
      DaqMemRef<int8_t, 4> *lhs = d == Direction::BackwardData ? &ym : &xm;
      DaqMemRef<int8_t, 4> *rhs = d == Direction::BackwardFilter ? &ym : &wm;
      DaqMemRef<float, 1> *rhsClip =
          d == Direction::BackwardFilter ? &perChannel : &wClip;
      const int64_t *os = d == Direction::Forward        ? ym.sizes
                          : d == Direction::BackwardData ? xm.sizes
                                                         : wm.sizes;
      auto om = memref(out, os[0], os[1], os[2], os[3]);
      std::vector<std::vector<double>> ms(variants.size());
      for (int rep = 0; rep < reps + 1; ++rep)
        for (size_t i = 0; i < variants.size(); ++i) {
          auto t0 = std::chrono::steady_clock::now();
          _mlir_ciface_daq_cpu_qconv2d_i8_i8(
              lhs, &one, rhs, rhsClip, &om, static_cast<int64_t>(d), 0,
              s.stride, s.stride, s.pad, s.pad, 1, 1, 1,
              static_cast<int64_t>(variants[i]));
          auto t1 = std::chrono::steady_clock::now();
          std::string error = takeKernelError();
          if (!error.empty()) {
            std::fprintf(stderr, "%s: %s\n", s.name, error.c_str());
            return 1;
          }
          if (rep > 0) // the first is the warm-up
            ms[i].push_back(
                std::chrono::duration<double, std::milli>(t1 - t0).count());
        }
      std::printf("%-16s %-6s", s.name, pass);
      std::vector<double> median;
      for (size_t i = 0; i < variants.size(); ++i) {
        std::sort(ms[i].begin(), ms[i].end());
        median.push_back(ms[i][ms[i].size() / 2]);
        std::printf(" %8.3f (%7.3f) %6.2f", median[i], ms[i][0],
                    ops / median[i] / 1e9);
        if (json)
          std::fprintf(json,
                       "%s {\"shape\": \"%s\", \"pass\": \"%s\", \"impl\": "
                       "\"daq-int8-%s\", \"ms\": %.4f, \"ms_min\": %.4f}",
                       firstRecord ? "" : ",\n", s.name, pass,
                       getVariantName(variants[i]), median[i], ms[i][0]);
        firstRecord = false;
      }
      std::printf(" ");
      for (size_t i = 1; i < variants.size(); ++i)
        std::printf(" %5.2fx", median[0] / median[i]);
      std::printf("\n");
      std::fflush(stdout);
    }
  }
  if (json) {
    std::fprintf(json, "\n]\n");
    std::fclose(json);
  }
  return 0;
}
