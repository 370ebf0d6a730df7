//===- QConvVariantsCheck.cpp - INT8 convolution kernel variants compared -===//
//
// daq-qconv-variants-check [--variants=a,b,...] [--cases=N] [--seed=N]
//                          [--require]
//
// Calls the CPU INT8 convolution kernels' entry points (QConvKernels.h)
// directly, with each variant forced, on random geometries (odd channel
// counts, groups and depthwise, strides, dilations, asymmetric padding, both
// layouts, 67 channels per group for partial 64-byte AMX rows, images large
// enough to split K), all three directions with random operand types (i8
// or f32 quantized on load) and clips (per tensor or per output channel),
// and compares every output bit for bit with the portable variant's (which
// must have written every element of its poisoned output), and the
// portable variant's with a reference written here (f32 operands quantized
// element by element, int64 sums over the convolution's definition,
// wrapped to int32, and the epilogue's two f32 operations).
//
// test/CpuKernels/Inputs/check_qconv_kernels.py compares each variant with
// the reference lowering through daq-opt and daq-run; this check needs no
// LLVM at run time (it links only the kernels), so it runs the kernels on a
// machine where daq is not built, e.g. an AMX host reached with
// `scripts/gpu-check.sh`'s staged copy. Variants this CPU cannot run are
// skipped with a message, or fail with --require. Default variants: every
// non-model variant this CPU runs.
//
//===----------------------------------------------------------------------===//

#include "daq/Runtime/QConvKernels.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

using namespace mlir::daq::cpu;

namespace {

struct Geometry {
  bool nhwc;
  int64_t n, c, h, w, o, kh, kw, sh, sw, pt, pb, pl, pr, dh, dw, groups;
  int64_t oh() const { return (h + pt + pb - dh * (kh - 1) - 1) / sh + 1; }
  int64_t ow() const { return (w + pl + pr - dw * (kw - 1) - 1) / sw + 1; }
  std::string str() const {
    std::ostringstream s;
    s << (nhwc ? "nhwc" : "nchw") << " n" << n << " " << c << "->" << o << " "
      << h << "x" << w << " k" << kh << "x" << kw << " s" << sh << "," << sw
      << " d" << dh << "," << dw << " pad " << pt << "," << pb << "," << pl
      << "," << pr << " g" << groups;
    return s.str();
  }
};

/// A tensor in the kernels' descriptor form, dense in its physical layout.
template <typename T> struct Tensor {
  std::vector<T> data;
  DaqMemRef<T, 4> ref;
  explicit Tensor(const int64_t (&sizes)[4]) {
    data.resize(sizes[0] * sizes[1] * sizes[2] * sizes[3]);
    ref = {data.data(), data.data(), 0, {}, {}};
    int64_t stride = 1;
    for (int i = 3; i >= 0; --i) {
      ref.sizes[i] = sizes[i];
      ref.strides[i] = stride;
      stride *= sizes[i];
    }
  }
};

struct Clip {
  std::vector<float> data;
  DaqMemRef<float, 1> ref;
  explicit Clip(std::vector<float> values) : data(std::move(values)) {
    ref = {data.data(), data.data(), 0, {(int64_t)data.size()}, {1}};
  }
};

struct Random {
  std::mt19937_64 engine;
  int64_t uniform(int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(engine);
  }
  template <typename T> T pick(std::initializer_list<T> values) {
    return values.begin()[uniform(0, values.size() - 1)];
  }
  float normal(float scale) {
    return std::normal_distribution<float>(0.0f, scale)(engine);
  }
  float clip() { return std::exp(std::normal_distribution<float>()(engine)); }
};

/// Random geometries as check_qconv_kernels.py draws them: case 0 has 16
/// channels per group (the vector packing path of backward-filter), case 1
/// large images (K split in blocks), case 2 67 channels per group and 37
/// outputs, case 3 depthwise, and every fifth case from case 4 on NCHW 1x1
/// without top/left padding (the pointwise form, whose B packing and
/// backward-data epilogue have paths of their own).
Geometry randomGeometry(Random &rng, int index) {
  while (true) {
    Geometry g{};
    g.nhwc = rng.uniform(0, 1);
    g.groups = rng.pick<int64_t>({1, 1, 1, 2, 3});
    int64_t cg = index == 0 ? 16 : rng.pick<int64_t>({1, 3, 5, 7, 17});
    int64_t og = rng.pick<int64_t>({1, 2, 5, 9, 19});
    if (index == 2)
      g.groups = rng.uniform(1, 2), cg = 67, og = 37;
    if (index == 3)
      g.groups = rng.pick<int64_t>({3, 5, 13}), cg = og = 1;
    g.kh = rng.uniform(1, 3), g.kw = rng.uniform(1, 3);
    g.sh = rng.uniform(1, 2), g.sw = rng.uniform(1, 2);
    g.dh = rng.uniform(1, 2), g.dw = rng.uniform(1, 2);
    g.pt = rng.uniform(0, 2), g.pb = rng.uniform(0, 2);
    g.pl = rng.uniform(0, 2), g.pr = rng.uniform(0, 2);
    g.n = rng.uniform(1, 3);
    g.h = rng.uniform(3, 11), g.w = rng.uniform(3, 11);
    if (index == 1)
      g.n = 3, g.h = 27, g.w = 26, g.sh = g.sw = g.dh = g.dw = 1;
    if (index == 2)
      g.sw = 2;
    if (index % 5 == 4)
      g.nhwc = false, g.kh = g.kw = 1, g.pt = g.pl = 0;
    g.c = cg * g.groups;
    g.o = og * g.groups;
    if (g.oh() >= 1 && g.ow() >= 1)
      return g;
  }
}

void activationSizes(const Geometry &g, int64_t n, int64_t c, int64_t h,
                     int64_t w, int64_t (&sizes)[4]) {
  int64_t nchw[4] = {n, c, h, w}, nhwc[4] = {n, h, w, c};
  std::memcpy(sizes, g.nhwc ? nhwc : nchw, sizeof(sizes));
}

void filterSizes(const Geometry &g, int64_t (&sizes)[4]) {
  int64_t cg = g.c / g.groups;
  int64_t oihw[4] = {g.o, cg, g.kh, g.kw}, ohwi[4] = {g.o, g.kh, g.kw, cg};
  std::memcpy(sizes, g.nhwc ? ohwi : oihw, sizeof(sizes));
}

/// One call: `lhs` and `rhs` as i8 codes (all of [-128, 127]) or f32
/// (quantized on load), both drawn from `seed`, so every variant sees the
/// same inputs.
struct Call {
  Direction direction;
  bool lhsF32, rhsF32, perChannel;
  uint64_t seed;
};

template <typename T>
Tensor<T> operand(const int64_t (&sizes)[4], Random &rng, float scale) {
  Tensor<T> t(sizes);
  for (T &v : t.data) {
    if constexpr (std::is_same_v<T, float>)
      v = rng.normal(scale);
    else
      v = static_cast<T>(rng.uniform(-128, 127));
  }
  return t;
}

/// What the outputs are filled with before a call: a NaN no kernel writes
/// (the kernels' NaNs come from arithmetic, with the default payload).
float poison() { return std::nanf("0x5a5a"); }

/// A call's operands, clips and output shape, drawn from its seed.
template <typename L, typename R> struct Inputs {
  Tensor<L> lhs;
  Tensor<R> rhs;
  Clip lhsClip, rhsClip;
  int64_t outSizes[4];
};

template <typename L, typename R>
Inputs<L, R> makeInputs(const Geometry &g, const Call &call) {
  int64_t x[4], w[4], y[4];
  activationSizes(g, g.n, g.c, g.h, g.w, x);
  activationSizes(g, g.n, g.o, g.oh(), g.ow(), y);
  filterSizes(g, w);
  const int64_t(*shapes[3][3])[4] = {{&x, &w, &y}, {&y, &w, &x}, {&x, &y, &w}};
  auto &shape = shapes[static_cast<int>(call.direction)];
  Random rng{std::mt19937_64(call.seed)};
  Tensor<L> lhs = operand<L>(*shape[0], rng, 1.0f);
  Tensor<R> rhs = operand<R>(*shape[1], rng, 0.1f);
  Clip lhsClip({rng.clip()});
  std::vector<float> rhsClips(call.perChannel ? g.o : 1);
  for (float &v : rhsClips)
    v = rng.clip();
  Inputs<L, R> in{std::move(lhs),
                  std::move(rhs),
                  std::move(lhsClip),
                  Clip(std::move(rhsClips)),
                  {}};
  std::memcpy(in.outSizes, *shape[2], sizeof(in.outSizes));
  return in;
}

/// daq.quantize of one f32 element with clip s, as convert-daq-to-linalg
/// defines it (nearest-even): inv = (s == 0) ? 0 : 127 / s, v = clamp(x,
/// -s, s) * inv with a NaN x passing the clamp, then 0 where v is NaN,
/// else roundeven(v) clamped to [-127, 127]. An int8 operand is its codes.
int64_t codeOf(float x, float s) {
  float inverse = s == 0.0f ? 0.0f : 127.0f / s;
  float v = (std::isnan(x) ? x : std::clamp(x, -s, s)) * inverse;
  if (std::isnan(v))
    return 0;
  return static_cast<int64_t>(std::clamp(std::nearbyint(v), -127.0f, 127.0f));
}
int64_t codeOf(int8_t code, float) { return code; }

/// The reference output of a call, written here independently of the
/// kernels: f32 operands quantized element by element (codeOf, with the
/// lhs clip, and the rhs clip of the product's output channel where it is
/// per channel), each output's products summed in int64 over the direct
/// definition of the convolution, wrapped to int32 (the kernels' int32 sums
/// wrap), then the epilogue float(sum) * (lhs clip * rhs clip / 16129).
/// Every variant is compared with portable; portable with this, so that a
/// helper all variants share (epilogues, packing, byte copies, quantizing
/// loads) cannot be wrong in all of them unseen.
template <typename L, typename R>
std::vector<float> referenceOutput(const Geometry &g, const Call &call) {
  Inputs<L, R> in = makeInputs<L, R>(g, call);
  int64_t cg = g.c / g.groups, og = g.o / g.groups;
  int64_t oh = g.oh(), ow = g.ow();
  auto act = [&](int64_t n, int64_t ch, int64_t y, int64_t x, int64_t c,
                 int64_t h, int64_t w) {
    return g.nhwc ? ((n * h + y) * w + x) * c + ch
                  : ((n * c + ch) * h + y) * w + x;
  };
  auto filter = [&](int64_t o, int64_t c, int64_t ky, int64_t kx) {
    return g.nhwc ? ((o * g.kh + ky) * g.kw + kx) * cg + c
                  : ((o * cg + c) * g.kh + ky) * g.kw + kx;
  };
  Direction d = call.direction;
  const std::vector<L> &lhs = in.lhs.data;
  const std::vector<R> &rhs = in.rhs.data;
  const std::vector<float> &rhsClips = in.rhsClip.data;
  float lhsClip = in.lhsClip.data[0];
  std::vector<int64_t> sums(in.outSizes[0] * in.outSizes[1] * in.outSizes[2] *
                            in.outSizes[3]);
  // The rhs clip of each output's channel.
  std::vector<float> rhsClipOf(sums.size());
  for (int64_t n = 0; n < g.n; ++n)
    for (int64_t o = 0; o < g.o; ++o)
      for (int64_t c = 0; c < cg; ++c)
        for (int64_t ky = 0; ky < g.kh; ++ky)
          for (int64_t kx = 0; kx < g.kw; ++kx)
            for (int64_t oy = 0; oy < oh; ++oy)
              for (int64_t ox = 0; ox < ow; ++ox) {
                int64_t iy = oy * g.sh - g.pt + ky * g.dh,
                        ix = ox * g.sw - g.pl + kx * g.dw;
                if (iy < 0 || iy >= g.h || ix < 0 || ix >= g.w)
                  continue;
                int64_t ch = o / og * cg + c;
                int64_t xi = act(n, ch, iy, ix, g.c, g.h, g.w),
                        yi = act(n, o, oy, ox, g.o, oh, ow),
                        wi = filter(o, c, ky, kx);
                // (output, lhs, rhs) indices of the direction's product.
                int64_t at = d == Direction::Forward        ? yi
                             : d == Direction::BackwardData ? xi
                                                            : wi;
                int64_t a = d == Direction::BackwardData ? yi : xi;
                int64_t b = d == Direction::BackwardFilter ? yi : wi;
                // The output channel whose clip applies (per-channel clips
                // are along O: forward's W and Y, backward-filter's GY and
                // GW).
                float rhsClip = rhsClips[rhsClips.size() == 1 ? 0 : o];
                sums[at] += codeOf(lhs[a], lhsClip) * codeOf(rhs[b], rhsClip);
                rhsClipOf[at] = rhsClip;
              }
  std::vector<float> out(sums.size());
  for (size_t i = 0; i < sums.size(); ++i) {
    float alpha = (lhsClip * rhsClipOf[i]) / 16129.0f;
    auto wrapped = static_cast<int32_t>(
        static_cast<uint32_t>(static_cast<uint64_t>(sums[i])));
    out[i] = static_cast<float>(wrapped) * alpha;
  }
  return out;
}

template <typename L, typename R>
std::vector<float> runTyped(const Geometry &g, const Call &call,
                            KernelVariant variant, std::string &error) {
  Inputs<L, R> in = makeInputs<L, R>(g, call);
  Tensor<L> &lhs = in.lhs;
  Tensor<R> &rhs = in.rhs;
  Clip &lhsClip = in.lhsClip, &rhsClip = in.rhsClip;
  Tensor<float> out(in.outSizes);
  // Poison the output: every element must be written (checked on the
  // portable variant's; the others must equal it).
  std::fill(out.data.begin(), out.data.end(), poison());

  auto entry = [] {
    if constexpr (std::is_same_v<L, float> && std::is_same_v<R, float>)
      return _mlir_ciface_daq_cpu_qconv2d_f32_f32;
    else if constexpr (std::is_same_v<L, float>)
      return _mlir_ciface_daq_cpu_qconv2d_f32_i8;
    else if constexpr (std::is_same_v<R, float>)
      return _mlir_ciface_daq_cpu_qconv2d_i8_f32;
    else
      return _mlir_ciface_daq_cpu_qconv2d_i8_i8;
  }();
  entry(&lhs.ref, &lhsClip.ref, &rhs.ref, &rhsClip.ref, &out.ref,
        static_cast<int64_t>(call.direction), g.nhwc ? 1 : 0, g.sh, g.sw, g.pt,
        g.pl, g.dh, g.dw, g.groups, static_cast<int64_t>(variant));
  error = takeKernelError();
  return out.data;
}

/// fn(L{}, R{}) with the call's operand types (float or int8_t).
template <typename Fn>
std::vector<float> withOperandTypes(const Call &call, const Fn &fn) {
  if (call.lhsF32)
    return call.rhsF32 ? fn(float{}, float{}) : fn(float{}, int8_t{});
  return call.rhsF32 ? fn(int8_t{}, float{}) : fn(int8_t{}, int8_t{});
}

std::vector<float> run(const Geometry &g, const Call &call,
                       KernelVariant variant, std::string &error) {
  return withOperandTypes(call, [&](auto l, auto r) {
    return runTyped<decltype(l), decltype(r)>(g, call, variant, error);
  });
}

std::vector<float> reference(const Geometry &g, const Call &call) {
  return withOperandTypes(call, [&](auto l, auto r) {
    return referenceOutput<decltype(l), decltype(r)>(g, call);
  });
}

/// The elements of `got` whose bits differ from `expected`'s, the first at
/// *first.
size_t countDifferences(const std::vector<float> &got,
                        const std::vector<float> &expected,
                        size_t *first = nullptr) {
  size_t bad = 0;
  for (size_t i = 0; i < got.size(); ++i)
    if (std::memcmp(&got[i], &expected[i], sizeof(float)) != 0 && bad++ == 0 &&
        first)
      *first = i;
  return bad;
}

const char *directionName(Direction d) {
  return d == Direction::Forward        ? "forward"
         : d == Direction::BackwardData ? "backward-data"
                                        : "backward-filter";
}

} // namespace

int main(int argc, char **argv) {
  uint64_t seed = std::random_device{}();
  int cases = 12;
  bool require = false;
  std::vector<KernelVariant> variants;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.rfind("--seed=", 0) == 0) {
      seed = std::strtoull(arg.c_str() + 7, nullptr, 10);
    } else if (arg.rfind("--cases=", 0) == 0) {
      cases = std::atoi(arg.c_str() + 8);
    } else if (arg == "--require") {
      require = true;
    } else if (arg.rfind("--variants=", 0) == 0) {
      std::stringstream list(arg.substr(11));
      std::string name;
      while (std::getline(list, name, ',')) {
        KernelVariant v;
        if (!parseVariantName(name, v) || v == KernelVariant::Auto) {
          std::fprintf(stderr, "unknown variant '%s' (%s)\n", name.c_str(),
                       kVariantNameList);
          return 2;
        }
        variants.push_back(v);
      }
    } else {
      std::fprintf(stderr, "usage: daq-qconv-variants-check "
                           "[--variants=a,b,...] [--cases=N] [--seed=N] "
                           "[--require]\n");
      return 2;
    }
  }
  // The variable would override the variant each call asks for.
  unsetenv("DAQ_CPU_KERNEL");
  if (variants.empty())
    variants = {KernelVariant::AVX2, KernelVariant::AVX512VNNI,
                KernelVariant::AMX};
  std::printf("seed = %llu (reproduce with --seed=%llu)\n",
              static_cast<unsigned long long>(seed),
              static_cast<unsigned long long>(seed));

  int failures = 0;
  std::vector<KernelVariant> runnable;
  for (KernelVariant v : variants) {
    if (isVariantSupported(v)) {
      runnable.push_back(v);
    } else if (require) {
      std::printf("FAIL: %s cannot run on this CPU (or the OS refused the "
                  "AMX tile permission)\n",
                  getVariantName(v));
      ++failures;
    } else {
      std::printf("skipped: %s (not on this CPU)\n", getVariantName(v));
    }
  }

  std::vector<int> variantFailures(runnable.size(), 0);
  Random rng{std::mt19937_64(seed)};
  int64_t compared = 0, referenceChecks = 0, referenceFailures = 0;
  for (int index = 0; index < cases; ++index) {
    Geometry g = randomGeometry(rng, index);
    for (Direction d : {Direction::Forward, Direction::BackwardData,
                        Direction::BackwardFilter}) {
      Call call{d, rng.uniform(0, 1) == 1, rng.uniform(0, 1) == 1,
                d != Direction::BackwardData && rng.uniform(0, 1) == 1,
                rng.engine()};
      std::string label = g.str() + " " + directionName(d) + " " +
                          (call.lhsF32 ? "f32" : "i8") + " x " +
                          (call.rhsF32 ? "f32" : "i8") +
                          (call.perChannel ? ", clip [O]" : "");
      std::string error;
      std::vector<float> expected =
          run(g, call, KernelVariant::Portable, error);
      if (!error.empty()) {
        std::printf("FAIL: %s: portable: %s\n", label.c_str(), error.c_str());
        ++failures;
        continue;
      }
      const float unset = poison();
      auto unwritten =
          std::count_if(expected.begin(), expected.end(), [&](float v) {
            return std::memcmp(&v, &unset, sizeof(v)) == 0;
          });
      if (unwritten) {
        std::printf("FAIL: %s: portable: %lld of %zu elements not written\n",
                    label.c_str(), static_cast<long long>(unwritten),
                    expected.size());
        ++failures;
      }
      size_t firstWrong = 0,
             wrong =
                 countDifferences(expected, reference(g, call), &firstWrong);
      if (wrong) {
        std::printf("FAIL: %s: portable: %zu of %zu elements differ from "
                    "the reference (first at %zu)\n",
                    label.c_str(), wrong, expected.size(), firstWrong);
        ++failures;
        ++referenceFailures;
      }
      ++referenceChecks;
      for (size_t vi = 0; vi < runnable.size(); ++vi) {
        KernelVariant v = runnable[vi];
        std::vector<float> got = run(g, call, v, error);
        size_t first = 0, bad = countDifferences(got, expected, &first);
        if (!error.empty() || bad) {
          std::printf("FAIL: %s: %s: %s%zu of %zu elements differ from "
                      "portable (first at %zu: %a, expected %a)\n",
                      label.c_str(), getVariantName(v),
                      error.empty() ? "" : (error + "; ").c_str(), bad,
                      got.size(), first, got[first], expected[first]);
          ++failures;
          ++variantFailures[vi];
        }
        ++compared;
      }
    }
  }
  for (size_t vi = 0; vi < runnable.size(); ++vi)
    if (!variantFailures[vi])
      std::printf("ok: %s equals portable bit for bit on %d geometries x 3 "
                  "directions\n",
                  getVariantName(runnable[vi]), cases);
  if (referenceChecks && !referenceFailures)
    std::printf("ok: portable equals the reference (int64 sums) on %lld "
                "calls, i8 and f32 operands\n",
                static_cast<long long>(referenceChecks));
  if (failures) {
    std::printf("%d failures (seed %llu)\n", failures,
                static_cast<unsigned long long>(seed));
    return 1;
  }
  std::printf("PASS (%lld comparisons)\n", static_cast<long long>(compared));
  return 0;
}
