//===- QConvKernels.cpp - CPU INT8 convolution kernels
//---------------------===//
//
// Implicit-GEMM INT8 convolutions called by the code that
// --daq-lower-qconv-to-cpu-kernels emits. One call runs, on all cores:
//
//   1. quantize-on-load: each operand becomes dense int16 codes (f32 operands
//      are quantized with daq.quantize's arithmetic, 8 lanes at a time with
//      AVX2; i8 operands are widened);
//   2. packing: activations go to a zero-padded channels-last buffer
//      [G][N][Hb][Wb][CP] (CP = channels per group rounded up to even), so
//      that the K run of every convolution tap is contiguous and no bounds
//      are checked in the inner loop; filters (or, for backward-filter, the
//      im2col columns of the input) are packed into the microkernel's B
//      layout (QConvMicrokernels.h);
//   3. a register-blocked microkernel per MR x NR output tile, with cache
//      blocking over row tiles;
//   4. the f32 epilogue float(acc) * (clip_a * clip_b / 16129), written to
//      the output in its layout.
//
// The three directions are three mappings onto (rows M, columns N, K):
//
//   forward        rows (n, oh, ow)  cols o (per group)  K (kh, kw, c)
//   backward-data  rows (n, ih, iw)  cols c              K (kh', kw', o) over
//                  of a stride phase                     the taps reaching
//                  the phase, the filter flipped (per phase a stride-1
//                  forward convolution over an undilated GY)
//   backward-filter rows o           cols (kh, kw, c)    K (n, oh, ow)
//   (im2col)
//   backward-filter rows (kh, kw, c) cols o              K (n, oh, ow), X
//   (planar, width stride 1)                             read in place
//
// The i32 accumulation is exact and the epilogue is the reference's, so the
// results equal convert-daq-to-linalg's bit for bit.
//
//===----------------------------------------------------------------------===//

#include "daq/Runtime/QConvKernels.h"

#include "Parallel.h"
#include "QConvMicrokernels.h"
#include "QConvQuantize.h"
#include "Streaming.h"
#include "WinogradTransforms.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <cassert>
#include <chrono>
#include <cpuid.h>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <immintrin.h>
#include <memory>
#include <mutex>
#include <numeric>
#include <sys/syscall.h>
#include <thread>
#include <tuple>
#include <type_traits>
#include <unistd.h>
#include <vector>

using namespace mlir::daq::cpu;

//===----------------------------------------------------------------------===//
// Errors, variants, CPU features
//===----------------------------------------------------------------------===//

namespace {
std::mutex errorMutex;
std::string pendingError;

void reportError(const std::string &message) {
  std::lock_guard<std::mutex> lock(errorMutex);
  if (pendingError.empty())
    pendingError = message;
}

struct CpuFeatures {
  bool avx2 = false, avx512f = false, avx512bw = false, avx512vnni = false,
       amx = false;
};

uint64_t readXcr0() {
  uint32_t eax, edx;
  __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
  return (static_cast<uint64_t>(edx) << 32) | eax;
}

CpuFeatures detectFeatures() {
  CpuFeatures f;
  unsigned eax, ebx, ecx, edx;
  if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx))
    return f;
  bool osxsave = ecx & (1u << 27), avx = ecx & (1u << 28),
       fma = ecx & (1u << 12);
  if (!osxsave || !avx)
    return f;
  uint64_t xcr0 = readXcr0();
  bool ymmState = (xcr0 & 0x6) == 0x6;
  bool zmmState = (xcr0 & 0xe6) == 0xe6;
  bool tileState = (xcr0 & 0x60000) == 0x60000;
  if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx))
    return f;
  f.avx2 = ymmState && fma && (ebx & (1u << 5));
  bool avx512f = ebx & (1u << 16), avx512bw = ebx & (1u << 30),
       vnni = ecx & (1u << 11);
  f.avx512f = zmmState && avx512f;
  f.avx512bw = f.avx512f && avx512bw;
  f.avx512vnni = f.avx512bw && vnni;
  bool amxTile = edx & (1u << 24), amxInt8 = edx & (1u << 25);
  if (tileState && amxTile && amxInt8 && f.avx512vnni) {
    // Linux gives a process the AMX tile state only on request
    // (ARCH_REQ_XCOMP_PERM for XFEATURE_XTILEDATA); without it tile
    // instructions fault.
    constexpr long kArchReqXcompPerm = 0x1023, kXfeatureXtiledata = 18;
    f.amx = syscall(SYS_arch_prctl, kArchReqXcompPerm, kXfeatureXtiledata) == 0;
  }
  return f;
}

/// DAQ_CPU_FEATURES, a cap on what the kernels use (tests run the SSE2 and
/// AVX2 forms of the helpers on any CPU): sse2, avx2 or avx512 (no AMX).
const char *const kFeatureCaps[] = {"sse2", "avx2", "avx512"};

const char *getFeatureCap() {
  const char *cap = std::getenv("DAQ_CPU_FEATURES");
  return cap && *cap ? cap : nullptr;
}

bool isFeatureCap(const char *cap) {
  return std::any_of(std::begin(kFeatureCaps), std::end(kFeatureCaps),
                     [&](const char *name) { return !std::strcmp(cap, name); });
}

CpuFeatures capFeatures(CpuFeatures f) {
  const char *cap = getFeatureCap();
  if (!cap || !isFeatureCap(cap))
    return f;
  f.amx = false;
  if (!std::strcmp(cap, "avx512"))
    return f;
  f.avx512f = f.avx512bw = f.avx512vnni = false;
  if (!std::strcmp(cap, "sse2"))
    f.avx2 = false;
  return f;
}

const CpuFeatures &getFeatures() {
  static const CpuFeatures features = capFeatures(detectFeatures());
  return features;
}

/// The Winograd transforms' AVX2 form where the CPU has it (like the other
/// packing helpers, whatever the microkernel variant).
const WinogradTransforms &getWinogradTransforms() {
  return getFeatures().avx2 ? winogradTransformsAVX2 : winogradTransformsSSE2;
}

Microkernel getMicrokernel(KernelVariant variant) {
  switch (variant) {
  case KernelVariant::AVX2:
    return {6, 16, microkernelAVX2, true};
  case KernelVariant::AVX512VNNI:
    return {12, 32, microkernelAVX512VNNI, true, microkernelAVX512VNNIBytes};
  case KernelVariant::AMX:
    return {32, 32, microkernelAMX, false, microkernelAMXBytes};
  case KernelVariant::AVX512VNNIModel:
    return {12, 32, isa_model::microkernelAVX512VNNI, true,
            isa_model::microkernelAVX512VNNIBytes};
  case KernelVariant::AMXModel:
    return {32, 32, isa_model::microkernelAMX, false,
            isa_model::microkernelAMXBytes};
  default:
    return {4, 16, microkernelPortable, true};
  }
}

/// Phase times on stderr when DAQ_KERNEL_PROFILE is set.
struct PhaseTimer {
  const char *name;
  std::chrono::steady_clock::time_point start =
      std::chrono::steady_clock::now();
  static bool enabled() {
    static const bool on = std::getenv("DAQ_KERNEL_PROFILE") != nullptr;
    return on;
  }
  /// Reports the phase now (once).
  void stop() {
    if (name && enabled())
      std::fprintf(stderr, "daq-kernel %s: %.3f ms\n", name,
                   std::chrono::duration<double, std::milli>(
                       std::chrono::steady_clock::now() - start)
                       .count());
    name = nullptr;
  }
  ~PhaseTimer() { stop(); }
};

int64_t roundUp(int64_t value, int64_t multiple) {
  return (value + multiple - 1) / multiple * multiple;
}
} // namespace

const char *mlir::daq::cpu::getVariantName(KernelVariant variant) {
  switch (variant) {
  case KernelVariant::Auto:
    return "auto";
  case KernelVariant::Portable:
    return "portable";
  case KernelVariant::AVX2:
    return "avx2";
  case KernelVariant::AVX512VNNI:
    return "avx512-vnni";
  case KernelVariant::AMX:
    return "amx";
  case KernelVariant::AVX512VNNIModel:
    return "avx512-vnni-model";
  case KernelVariant::AMXModel:
    return "amx-model";
  }
  return "unknown";
}

bool mlir::daq::cpu::parseVariantName(const std::string &name,
                                      KernelVariant &variant) {
  for (KernelVariant v :
       {KernelVariant::Auto, KernelVariant::Portable, KernelVariant::AVX2,
        KernelVariant::AVX512VNNI, KernelVariant::AMX,
        KernelVariant::AVX512VNNIModel, KernelVariant::AMXModel})
    if (name == getVariantName(v)) {
      variant = v;
      return true;
    }
  return false;
}

bool mlir::daq::cpu::isVariantSupported(KernelVariant variant) {
  const CpuFeatures &f = getFeatures();
  switch (variant) {
  case KernelVariant::Auto:
  case KernelVariant::Portable:
  // The models are baseline x86-64 code.
  case KernelVariant::AVX512VNNIModel:
  case KernelVariant::AMXModel:
    return true;
  case KernelVariant::AVX2:
    return f.avx2;
  case KernelVariant::AVX512VNNI:
    return f.avx512vnni;
  case KernelVariant::AMX:
    return f.amx;
  }
  return false;
}

KernelVariant mlir::daq::cpu::resolveVariant(KernelVariant requested,
                                             const char *kernelKind,
                                             std::string &error) {
  KernelVariant variant = requested;
  std::string origin = "the compiled kernel option";
  if (const char *cap = getFeatureCap(); cap && !isFeatureCap(cap)) {
    error = std::string("DAQ_CPU_FEATURES='") + cap +
            "' is not a feature cap (sse2, avx2, avx512)";
    return KernelVariant::Auto;
  }
  if (const char *env = std::getenv("DAQ_CPU_KERNEL"); env && *env) {
    if (!parseVariantName(env, variant)) {
      error = std::string("DAQ_CPU_KERNEL='") + env +
              "' is not a kernel variant (" + kVariantNameList + ")";
      return KernelVariant::Auto;
    }
    origin = std::string("DAQ_CPU_KERNEL=") + env;
  }
  if (variant == KernelVariant::Auto) {
    for (KernelVariant v :
         {KernelVariant::AMX, KernelVariant::AVX512VNNI, KernelVariant::AVX2})
      if (isVariantSupported(v))
        return v;
    return KernelVariant::Portable;
  }
  if (static_cast<int64_t>(variant) < 0 ||
      static_cast<int64_t>(variant) >
          static_cast<int64_t>(KernelVariant::AMXModel)) {
    error = std::string("unknown ") + kernelKind + " variant " +
            std::to_string(static_cast<int64_t>(variant));
    return KernelVariant::Auto;
  }
  if (!isVariantSupported(variant)) {
    static const char *needs[] = {"", "", "AVX2 and FMA",
                                  "AVX512F, AVX512BW and AVX512-VNNI",
                                  ("AMX-TILE and AMX-INT8 (and the Linux "
                                   "ARCH_REQ_XCOMP_PERM permission)")};
    error = std::string(kernelKind) + " '" + getVariantName(variant) +
            "' (forced by " + origin + ") cannot run on this CPU: it needs " +
            needs[static_cast<int64_t>(variant)];
    if (const char *cap = getFeatureCap())
      error += std::string(" (DAQ_CPU_FEATURES=") + cap +
               " caps the instruction sets used)";
    return KernelVariant::Auto;
  }
  return variant;
}

void mlir::daq::cpu::reportKernelError(const std::string &message) {
  reportError(message);
}

std::string mlir::daq::cpu::takeKernelError() {
  std::lock_guard<std::mutex> lock(errorMutex);
  std::string error;
  std::swap(error, pendingError);
  return error;
}

//===----------------------------------------------------------------------===//
// Operands: quantize-on-load into dense int16 codes
//===----------------------------------------------------------------------===//

namespace {
/// A rank-4 strided operand, f32 (quantized with `clip`) or int8.
struct Operand {
  const float *f32 = nullptr;
  const int8_t *i8 = nullptr;
  int64_t sizes[4], strides[4];
  const float *clip = nullptr;
  int64_t clipStride = 1, clipCount = 1;
  /// The dimension a per-channel clip runs along.
  int clipAxis = 0;

  int64_t numElements() const {
    return sizes[0] * sizes[1] * sizes[2] * sizes[3];
  }
  float clipAt(int64_t index) const {
    return clip[clipCount == 1 ? 0 : index * clipStride];
  }
};

/// Quantizes (f32) or widens (i8) `count` elements of `op` from `offset`
/// with element stride `stride` into contiguous int16 codes. Element i is in
/// channel `channel + i * channelStep`, which picks its clip when the clip
/// is per channel.
void loadRun(const Operand &op, int64_t offset, int64_t stride, int64_t count,
             int64_t channel, int64_t channelStep, bool avx2, int16_t *dst) {
  if (op.i8) {
    const int8_t *src = op.i8 + offset;
    int64_t i = 0;
    if (stride == 1) {
      for (; i < count; ++i)
        dst[i] = src[i];
    } else if (stride == 2) {
      // Every other byte, 8 at a time: the even bytes are the low halves of
      // 16-bit lanes, sign-extended by the shifts. The last vector's load
      // would read one byte past the run's last element, so it is left to
      // the scalar loop.
      for (; i + 8 < count; i += 8) {
        __m128i v =
            _mm_loadu_si128(reinterpret_cast<const __m128i *>(src + 2 * i));
        _mm_storeu_si128(reinterpret_cast<__m128i *>(dst + i),
                         _mm_srai_epi16(_mm_slli_epi16(v, 8), 8));
      }
    }
    for (; i < count; ++i)
      dst[i] = src[i * stride];
    return;
  }
  const float *src = op.f32 + offset;
  if (op.clipCount > 1 && channelStep != 0) {
    for (int64_t i = 0; i < count; ++i) {
      float clip = op.clipAt(channel + i * channelStep);
      dst[i] = quantizeOne(src[i * stride], clip, quantizeInverse(clip));
    }
    return;
  }
  float clip = op.clipAt(op.clipCount > 1 ? channel : 0);
  if (avx2 && stride == 1) {
    quantizeRowAVX2(src, count, clip, dst);
    return;
  }
  float inverse = quantizeInverse(clip);
  for (int64_t i = 0; i < count; ++i)
    dst[i] = quantizeOne(src[i * stride], clip, inverse);
}

/// Prefetches the cache lines of elements [offset, offset + count) of `op`.
void prefetchSpan(const Operand &op, int64_t offset, int64_t count) {
  if (count <= 0)
    return;
  const char *begin = op.i8 ? reinterpret_cast<const char *>(op.i8 + offset)
                            : reinterpret_cast<const char *>(op.f32 + offset);
  int64_t bytes = count * (op.i8 ? 1 : 4);
  for (int64_t byte = 0; byte < bytes; byte += 64)
    __builtin_prefetch(begin + byte);
  __builtin_prefetch(begin + bytes - 1);
}

/// Dense row-major int16 codes of `op` in its own dimension order (not
/// value-initialized: every element is written, on all threads).
std::unique_ptr<int16_t[]> toCodes(const Operand &op) {
  PhaseTimer timer{"quantize"};
  std::unique_ptr<int16_t[]> codes(new int16_t[op.numElements()]);
  const int64_t *s = op.sizes, *st = op.strides;
  int64_t rows = s[0] * s[1] * s[2];
  bool avx2 = getFeatures().avx2;
  // A dense operand with a clip per tensor or along dimension 0 (filters):
  // one run per slice of dimension 0, not one per innermost row (a filter's
  // rows are KW, e.g. 3, elements long).
  bool dense = st[3] == 1 && st[2] == s[3] && st[1] == s[2] * s[3] &&
               st[0] == s[1] * st[1];
  if (dense && (op.clipCount == 1 || op.clipAxis == 0)) {
    parallelFor(s[0], [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i)
        loadRun(op, i * st[0], 1, st[0], i, 0, avx2, codes.get() + i * st[0]);
    });
    return codes;
  }
  parallelFor(rows, [&](int64_t begin, int64_t end) {
    for (int64_t row = begin; row < end; ++row) {
      int64_t index[3] = {row / (s[1] * s[2]), (row / s[2]) % s[1], row % s[2]};
      int64_t base = index[0] * st[0] + index[1] * st[1] + index[2] * st[2];
      bool alongRow = op.clipAxis == 3;
      loadRun(op, base, st[3], s[3], alongRow ? 0 : index[op.clipAxis],
              alongRow ? 1 : 0, avx2, codes.get() + row * s[3]);
    }
  });
  return codes;
}

/// A filter operand's codes. An int8 filter stored densely is read in
/// place by the packers that take bytes (packFilter for a u8 x s8
/// microkernel); the forms that need int16 codes (the pairs
/// microkernels, Winograd, the pointwise form's A) get toCodes' copy, made
/// on first use. (For 512 x 512 x 3 x 3 the int16 copy took 0.3 ms and its
/// staging as int16 another 0.5-1 ms of a 9 ms forward.)
class FilterCodes {
public:
  explicit FilterCodes(const Operand &op) : op(op) {}

  /// The operand's int8 codes in its dimension order where it is int8 and
  /// dense, else null.
  const int8_t *bytes() const {
    const int64_t *s = op.sizes, *st = op.strides;
    bool dense = st[3] == 1 && st[2] == s[3] && st[1] == s[2] * s[3] &&
                 st[0] == s[1] * st[1];
    return dense ? op.i8 : nullptr;
  }
  /// Dense int16 codes in the operand's dimension order.
  const int16_t *int16() {
    if (!codes)
      codes = toCodes(op);
    return codes.get();
  }
  int64_t numElements() const { return op.numElements(); }

private:
  Operand op;
  std::unique_ptr<int16_t[]> codes;
};

/// Element strides of an activation's channel, row and column dimensions
/// (dimension 0 is the batch in both layouts).
struct ActivationStrides {
  int64_t channel, row, col;
  ActivationStrides(const int64_t *st, bool nhwc)
      : channel(nhwc ? st[3] : st[1]), row(nhwc ? st[1] : st[2]),
        col(nhwc ? st[2] : st[3]) {}
};

/// Convolution geometry in NCHW terms (the layout only changes strides).
struct Geometry {
  bool nhwc;
  int64_t n, c, h, w; // input
  int64_t o, kh, kw;  // filter (o output channels)
  int64_t oh, ow;     // output
  int64_t sh, sw, pt, pl, dh, dw, groups;
  int64_t cg() const { return c / groups; }
  int64_t og() const { return o / groups; }
  int64_t taps() const { return kh * kw; }
};

/// Index of filter element (o, c, ky, kx) (c within the group).
inline int64_t filterIndex(const Geometry &g, int64_t o, int64_t c, int64_t ky,
                           int64_t kx) {
  return g.nhwc ? ((o * g.kh + ky) * g.kw + kx) * g.cg() + c
                : ((o * g.cg() + c) * g.kh + ky) * g.kw + kx;
}

/// filterIndex as strides: filter element (o, c, ky, kx) is at
/// o * this->o + c * this->c + tap[ky * KW + kx] (no divisions per element
/// where packing reads millions of them).
struct FilterStrides {
  int64_t o, c;
  std::vector<int64_t> tap;
  explicit FilterStrides(const Geometry &g)
      : o(filterIndex(g, 1, 0, 0, 0)), c(filterIndex(g, 0, 1, 0, 0)) {
    for (int64_t ky = 0; ky < g.kh; ++ky)
      for (int64_t kx = 0; kx < g.kw; ++kx)
        tap.push_back(filterIndex(g, 0, 0, ky, kx));
  }
};

/// Which input rows (or columns) a buffer holds, and where: input index
/// first + i * every lands at buffer index at + i, for i < count.
struct Placement {
  int64_t first, count, every, at;
};

/// One axis of a buffer of convolution input windows (forward, and
/// backward-filter's im2col): its size, the placement of the input, and the
/// buffer step of one output position and of one tap. When every tap lands
/// on a multiple of the stride (k = 1, or a dilation the stride divides,
/// e.g. a 1x1 stride-2 downsampling), only those input positions are kept.
struct WindowAxis {
  Placement placement;
  int64_t size, outputStep, tapStep;
};

WindowAxis getWindowAxis(int64_t in, int64_t out, int64_t k, int64_t stride,
                         int64_t dilation, int64_t pad) {
  if (stride > 1 && (k == 1 || dilation % stride == 0)) {
    // Padded position r = index + pad is kept when stride divides it, at r /
    // stride; output o, tap t reads r = o*stride + t*dilation.
    int64_t first = (stride - pad % stride) % stride;
    int64_t count = first < in ? (in - first + stride - 1) / stride : 0;
    int64_t at = (first + pad) / stride, tapStep = dilation / stride;
    return {{first, count, stride, at},
            std::max(at + count, out + (k - 1) * tapStep),
            1,
            tapStep};
  }
  return {{0, in, 1, pad},
          std::max(pad + in, (out - 1) * stride + (k - 1) * dilation + 1),
          stride,
          dilation};
}

/// dst[i] = src[i] + offset (128: ByteTile's u8; 0: int8) for i < count,
/// int8 codes as bytes (SSE2).
void toBytes(const int16_t *src, int64_t count, void *dstBytes,
             uint8_t offset = 128) {
  auto *dst = static_cast<uint8_t *>(dstBytes);
  // Codes fit int8, so the saturating pack is exact; x ^ 0x80 = x + 128.
  const __m128i flip = _mm_set1_epi8(static_cast<char>(offset));
  int64_t i = 0;
  for (; i + 16 <= count; i += 16) {
    __m128i lo = _mm_loadu_si128(reinterpret_cast<const __m128i *>(src + i));
    __m128i hi =
        _mm_loadu_si128(reinterpret_cast<const __m128i *>(src + i + 8));
    _mm_storeu_si128(reinterpret_cast<__m128i *>(dst + i),
                     _mm_xor_si128(_mm_packs_epi16(lo, hi), flip));
  }
  for (; i < count; ++i)
    dst[i] = static_cast<uint8_t>(src[i] ^ offset);
}

/// dst[r * dstRowStride + i] = src[r * srcRowStride + i * stride] ^ flip
/// for r < rows and i < count, stride 1 or 2, reading no byte past a row's
/// src[(count - 1) * stride] (masked loads): 64 or 32 codes at a time, the
/// even bytes of 32 16-bit lanes by vpmovwb.
__attribute__((target("avx512f,avx512bw"))) void
copyBytesAVX512(const uint8_t *src, int64_t stride, int64_t count, uint8_t flip,
                uint8_t *dst, int64_t rows, int64_t srcRowStride,
                int64_t dstRowStride) {
  const __m512i flips = _mm512_set1_epi8(static_cast<char>(flip));
  auto firstBits = [](int64_t n) {
    return n >= 64 ? ~__mmask64{0} : (__mmask64{1} << n) - 1;
  };
  int64_t step = stride == 1 ? 64 : 32;
  for (int64_t r = 0; r < rows; ++r, src += srcRowStride, dst += dstRowStride)
    for (int64_t i = 0; i < count; i += step) {
      int64_t n = std::min(step, count - i);
      __m512i v = _mm512_xor_si512(
          _mm512_maskz_loadu_epi8(firstBits((n - 1) * stride + 1),
                                  src + i * stride),
          flips);
      if (stride == 1)
        _mm512_mask_storeu_epi8(dst + i, firstBits(n), v);
      else
        _mm512_mask_cvtepi16_storeu_epi8(
            dst + i, static_cast<__mmask32>(firstBits(n)), v);
    }
}

/// loadByteRows' (below) runs in one call where the operand is int8 codes
/// of stride 1 or 2 on AVX-512BW (the rows of planes are a few dozen bytes,
/// thousands per image: a call each cost more than the copy); returns
/// false, having done nothing, otherwise.
bool copyByteRows(const Operand &op, int64_t offset, int64_t stride,
                  int64_t count, int64_t rows, int64_t rowStride, uint8_t flip,
                  void *dst, int64_t dstRowStride) {
  if (!op.i8 || (stride != 1 && stride != 2) || !getFeatures().avx512bw)
    return false;
  copyBytesAVX512(reinterpret_cast<const uint8_t *>(op.i8 + offset), stride,
                  count, flip, static_cast<uint8_t *>(dst), rows, rowStride,
                  dstRowStride);
  return true;
}

/// loadRun into bytes, each code XOR `flip` (128: code + 128 as u8, the A
/// operand of the u8 x s8 microkernel; 0: the code as s8, its B). An int8
/// operand of stride 1 or 2 is copied straight (no int16 copy for toBytes
/// to narrow); the others go through `scratch` (`count` int16).
void loadByteRun(const Operand &op, int64_t offset, int64_t stride,
                 int64_t count, int64_t channel, bool avx2, uint8_t flip,
                 void *dstBytes, int16_t *scratch) {
  auto *dst = static_cast<uint8_t *>(dstBytes);
  if (copyByteRows(op, offset, stride, count, 1, 0, flip, dst, 0))
    return;
  if (op.i8 && stride == 1) {
    const auto *src = reinterpret_cast<const uint8_t *>(op.i8 + offset);
    for (int64_t i = 0; i < count; ++i)
      dst[i] = src[i] ^ flip;
    return;
  }
  if (op.i8 && stride == 2) {
    // 16 even bytes from 32: the low halves of 16-bit lanes, packed (no
    // value saturates). The loads end at src[2 i + 31], which must not pass
    // the run's last element, src[2 count - 2].
    const auto *src = reinterpret_cast<const uint8_t *>(op.i8 + offset);
    const __m128i lowBytes = _mm_set1_epi16(0xff),
                  flips = _mm_set1_epi8(static_cast<char>(flip));
    int64_t i = 0;
    for (; i + 16 < count; i += 16) {
      auto *pairs = reinterpret_cast<const __m128i *>(src + 2 * i);
      __m128i even =
          _mm_packus_epi16(_mm_and_si128(_mm_loadu_si128(pairs), lowBytes),
                           _mm_and_si128(_mm_loadu_si128(pairs + 1), lowBytes));
      _mm_storeu_si128(reinterpret_cast<__m128i *>(dst + i),
                       _mm_xor_si128(even, flips));
    }
    // Then 8 from 16 (a 56-wide row's 28 even bytes: 16 + 8 + 4).
    for (; i + 8 < count; i += 8) {
      __m128i pairs =
          _mm_loadu_si128(reinterpret_cast<const __m128i *>(src + 2 * i));
      __m128i even = _mm_packus_epi16(_mm_and_si128(pairs, lowBytes), pairs);
      _mm_storel_epi64(reinterpret_cast<__m128i *>(dst + i),
                       _mm_xor_si128(even, flips));
    }
    for (; i < count; ++i)
      dst[i] = src[2 * i] ^ flip;
    return;
  }
  loadRun(op, offset, stride, count, channel, 0, avx2, scratch);
  toBytes(scratch, count, dst, flip);
}

/// loadByteRun of `rows` runs, `rowStride` apart in the operand and
/// `dstRowStride` in dst: one copyByteRows where it applies, else run by
/// run.
void loadByteRows(const Operand &op, int64_t offset, int64_t stride,
                  int64_t count, int64_t rows, int64_t rowStride,
                  int64_t channel, bool avx2, uint8_t flip, void *dst,
                  int64_t dstRowStride, int16_t *scratch) {
  if (copyByteRows(op, offset, stride, count, rows, rowStride, flip, dst,
                   dstRowStride))
    return;
  for (int64_t r = 0; r < rows; ++r)
    loadByteRun(op, offset + r * rowStride, stride, count, channel, avx2, flip,
                static_cast<uint8_t *>(dst) + r * dstRowStride, scratch);
}

/// `rows` runs of codes (as loadByteRows) by the destination's type: int16
/// (loadRun), or the codes' s8 bytes (loadByteRows, `scratch` a run's count
/// int16).
void loadCodeRows(const Operand &op, int64_t offset, int64_t stride,
                  int64_t count, int64_t rows, int64_t rowStride,
                  int64_t channel, bool avx2, int16_t *dst,
                  int64_t dstRowStride, int16_t * /*scratch*/) {
  for (int64_t r = 0; r < rows; ++r)
    loadRun(op, offset + r * rowStride, stride, count, channel, 0, avx2,
            dst + r * dstRowStride);
}
void loadCodeRows(const Operand &op, int64_t offset, int64_t stride,
                  int64_t count, int64_t rows, int64_t rowStride,
                  int64_t channel, bool avx2, int8_t *dst, int64_t dstRowStride,
                  int16_t *scratch) {
  loadByteRows(op, offset, stride, count, rows, rowStride, channel, avx2, 0,
               dst, dstRowStride, scratch);
}

/// A zero-padded channels-last copy [G][N][Hb][Wb][CP] of activation codes
/// with C channels: element (n, g*CG + c, y, x) of the input positions the
/// placements select lands at their buffer pixel. As int16 codes (CP = CG
/// rounded up to 2), or as bytes for the u8 x s8 microkernel (ByteTile; CP
/// = CG rounded up to 4): code + 128 for its A operand, the code for its
/// B. Offsets are in elements either way.
enum class CodeForm { Int16, U8, S8 };

struct ChannelsLast {
  /// Not value-initialized: buildChannelsLast fills them on all threads.
  std::unique_ptr<int16_t[]> data;
  std::unique_ptr<uint8_t[]> bytes;
  int64_t n, hb, wb, cp;
  int64_t groupSize() const { return n * hb * wb * cp; }
  int64_t index(int64_t g, int64_t img, int64_t y, int64_t x) const {
    return g * groupSize() + ((img * hb + y) * wb + x) * cp;
  }
  const int16_t *pixel(int64_t g, int64_t img, int64_t y, int64_t x) const {
    return data.get() + index(g, img, y, x);
  }
  const uint8_t *bytePixel(int64_t g, int64_t img, int64_t y, int64_t x) const {
    return bytes.get() + index(g, img, y, x);
  }
};

/// Quantize-on-load straight into the channels-last buffer, in `form`: one
/// pass over the activation operand `op` (NCHW or NHWC, any strides).
ChannelsLast buildChannelsLast(const Operand &op, bool nhwc, int64_t N,
                               int64_t C, int64_t groups, int64_t hb,
                               int64_t wb, const Placement &rows,
                               const Placement &cols,
                               CodeForm form = CodeForm::Int16) {
  bool bytes = form != CodeForm::Int16;
  uint8_t offset = form == CodeForm::U8 ? 128 : 0;
  PhaseTimer timer{form == CodeForm::U8   ? "channels-last, u8"
                   : form == CodeForm::S8 ? "channels-last, s8"
                                          : "channels-last"};
  ChannelsLast buf;
  int64_t cg = C / groups;
  buf.n = N;
  buf.hb = hb;
  buf.wb = wb;
  buf.cp = roundUp(cg, bytes ? 4 : 2);
  int64_t bufferRows = groups * N * hb, rowSize = buf.wb * buf.cp;
  if (bytes)
    buf.bytes.reset(new uint8_t[bufferRows * rowSize]);
  else
    buf.data.reset(new int16_t[bufferRows * rowSize]);
  // The padding rows are zeroed here, each placed row by the task that
  // fills it, just before (its zeros are then still in cache when
  // overwritten, not written to memory twice; zeroing only the padding
  // columns measured slower: the fill's stores then miss).
  auto zeroRows = [&](int64_t g, int64_t img, int64_t first, int64_t count) {
    if (count <= 0)
      return;
    if (bytes)
      std::memset(const_cast<uint8_t *>(buf.bytePixel(g, img, first, 0)),
                  offset, count * rowSize);
    else
      std::memset(const_cast<int16_t *>(buf.pixel(g, img, first, 0)), 0,
                  count * rowSize * sizeof(int16_t));
  };
  parallelFor(groups * N, [&](int64_t begin, int64_t end) {
    for (int64_t image = begin; image < end; ++image) {
      zeroRows(image / N, image % N, 0, rows.at);
      zeroRows(image / N, image % N, rows.at + rows.count,
               hb - rows.at - rows.count);
    }
  });
  bool avx2 = getFeatures().avx2;
  const int64_t *st = op.strides;
  int64_t width = cols.count;
  const ActivationStrides strideOf(st, nhwc);
  int64_t colBase = cols.first * strideOf.col,
          colStride = cols.every * strideOf.col;
  // Tasks of a few rows: an NCHW channel's rows are then one contiguous run
  // when all are kept (prefetcher-friendly; a row at a time was latency
  // bound), loaded for every channel and transposed into the pixels.
  constexpr int64_t kRowsPerTask = 8;
  int64_t rowBlocks = (rows.count + kRowsPerTask - 1) / kRowsPerTask;
  bool denseRows = !nhwc && rows.every == 1 && colStride == 1 &&
                   width == op.sizes[3] && strideOf.row == width;
  parallelFor(groups * N * rowBlocks, [&](int64_t begin, int64_t end) {
    std::vector<int16_t> runs(nhwc || bytes ? 0 : cg * kRowsPerTask * width);
    // Bytes from NCHW: the channels' runs as bytes (16 spare for
    // transposeBytesToPixels), through int16 codes where they are not int8
    // of unit stride. From NHWC: a pixel's codes as int16 first (its pad
    // channels stay 0).
    bool channelRuns = bytes && !nhwc;
    std::vector<uint8_t> byteRuns(channelRuns ? cg * kRowsPerTask * width + 16
                                              : 0);
    std::vector<int16_t> codes(channelRuns ? kRowsPerTask * width : 0);
    std::vector<int16_t> pixels(bytes && nhwc ? buf.cp : 0, 0);
    for (int64_t task = begin; task < end; ++task) {
      int64_t block = task % rowBlocks, img = (task / rowBlocks) % N,
              g = task / (rowBlocks * N);
      int64_t iBegin = block * kRowsPerTask;
      int64_t numRows = std::min(kRowsPerTask, rows.count - iBegin);
      zeroRows(g, img, rows.at + iBegin, numRows);
      auto pixel = [&](int64_t i, int64_t j) {
        return const_cast<int16_t *>(
            buf.pixel(g, img, rows.at + iBegin + i, cols.at + j));
      };
      auto bytePixel = [&](int64_t i, int64_t j) {
        return const_cast<uint8_t *>(
            buf.bytePixel(g, img, rows.at + iBegin + i, cols.at + j));
      };
      auto rowBase = [&](int64_t i) {
        return img * st[0] +
               (rows.first + (iBegin + i) * rows.every) * strideOf.row +
               colBase;
      };
      if (nhwc) {
        for (int64_t i = 0; i < numRows; ++i)
          for (int64_t j = 0; j < width; ++j) {
            int16_t *dst = bytes ? pixels.data() : pixel(i, j);
            loadRun(op, rowBase(i) + j * colStride + g * cg * strideOf.channel,
                    strideOf.channel, cg, g * cg, 1, avx2, dst);
            if (bytes)
              toBytes(dst, cg, bytePixel(i, j), offset);
          }
        continue;
      }
      int64_t runLength = numRows * width;
      // The rows of one channel are a few lines far from the next
      // channel's: without the prefetcher's help (a stride-2 layer reads
      // every other row, ~60 bytes each) every load waited on memory.
      auto prefetchChannel = [&](int64_t ch) {
        for (int64_t i = 0; i < numRows; ++i)
          prefetchSpan(op, rowBase(i) + ch * strideOf.channel,
                       (width - 1) * colStride + 1);
      };
      constexpr int64_t kChannelsAhead = 4;
      for (int64_t c = 0; c < std::min(kChannelsAhead, cg); ++c)
        prefetchChannel(g * cg + c);
      for (int64_t c = 0; c < cg; ++c) {
        int64_t ch = g * cg + c;
        if (c + kChannelsAhead < cg)
          prefetchChannel(ch + kChannelsAhead);
        if (bytes) {
          uint8_t *dst = byteRuns.data() + c * runLength;
          if (denseRows) {
            loadByteRun(op, rowBase(0) + ch * strideOf.channel, 1, runLength,
                        ch, avx2, offset, dst, codes.data());
            continue;
          }
          loadByteRows(op, rowBase(0) + ch * strideOf.channel, colStride, width,
                       numRows, rows.every * strideOf.row, ch, avx2, offset,
                       dst, width, codes.data());
          continue;
        }
        int16_t *dst = runs.data() + c * runLength;
        if (denseRows) {
          loadRun(op, rowBase(0) + ch * strideOf.channel, 1, runLength, ch, 0,
                  avx2, dst);
          continue;
        }
        loadCodeRows(op, rowBase(0) + ch * strideOf.channel, colStride, width,
                     numRows, rows.every * strideOf.row, ch, avx2, dst, width,
                     nullptr);
      }
      for (int64_t i = 0; i < numRows; ++i) {
        if (bytes)
          transposeBytesToPixels(byteRuns.data() + i * width, cg, width,
                                 runLength, bytePixel(i, 0), buf.cp);
        else
          transposeToPixels(runs.data() + i * width, cg, width, runLength,
                            pixel(i, 0), buf.cp);
      }
    }
  });
  return buf;
}

/// Writes float(acc) * alpha to the output; alpha = lhs_clip * rhs_clip /
/// 16129 in f32, per output channel when the rhs clip is.
struct Epilogue {
  float *out;
  int64_t strides[4];
  float lhsClip;
  const float *rhsClip;
  int64_t rhsClipStride, rhsClipCount;

  float alpha(int64_t channel) const {
    float rhs = rhsClip[rhsClipCount == 1 ? 0 : channel * rhsClipStride];
    return (lhsClip * rhs) / 16129.0f;
  }
  void store(int64_t i0, int64_t i1, int64_t i2, int64_t i3, int32_t acc,
             float alpha) const {
    out[i0 * strides[0] + i1 * strides[1] + i2 * strides[2] + i3 * strides[3]] =
        static_cast<float>(acc) * alpha;
  }
};

/// ByteTile's bias of a column of B whose codes sum to `sum`: -128 x sum,
/// modulo 2^32 like the accumulators.
int32_t byteBias(int32_t sum) {
  return static_cast<int32_t>(static_cast<uint32_t>(sum) * 0xffffff80u);
}

/// sum += value modulo 2^32 (a column's sum of codes over a long K may pass
/// int32; only its residue matters to byteBias).
void addWrapping(int32_t &sum, int32_t value) {
  sum = static_cast<int32_t>(static_cast<uint32_t>(sum) +
                             static_cast<uint32_t>(value));
}

/// The sum of count int8 codes modulo 2^32, as addWrapping adds (SSE2:
/// psadbw of the codes + 128, less 128 per code).
int32_t sumBytes(const int8_t *codes, int64_t count) {
  const __m128i flip = _mm_set1_epi8(static_cast<char>(0x80));
  __m128i sums = _mm_setzero_si128();
  int64_t i = 0;
  for (; i + 16 <= count; i += 16)
    sums = _mm_add_epi64(
        sums,
        _mm_sad_epu8(
            _mm_xor_si128(
                _mm_loadu_si128(reinterpret_cast<const __m128i *>(codes + i)),
                flip),
            _mm_setzero_si128()));
  int64_t sum = _mm_cvtsi128_si64(sums) +
                _mm_cvtsi128_si64(_mm_unpackhi_epi64(sums, sums)) - 128 * i;
  for (; i < count; ++i)
    sum += codes[i];
  return static_cast<int32_t>(sum);
}

/// sums[j] += sum16[j] for j < 8: int16 lanes sign-extended to int32 by
/// shifts (SSE2).
void addSums16(__m128i sum16, int32_t *sums) {
  __m128i lo = _mm_srai_epi32(_mm_unpacklo_epi16(sum16, sum16), 16);
  __m128i hi = _mm_srai_epi32(_mm_unpackhi_epi16(sum16, sum16), 16);
  __m128i *s = reinterpret_cast<__m128i *>(sums);
  _mm_storeu_si128(s, _mm_add_epi32(_mm_loadu_si128(s), lo));
  _mm_storeu_si128(s + 1, _mm_add_epi32(_mm_loadu_si128(s + 1), hi));
}

/// Four pixels' `count` (a multiple of 8) consecutive channel codes, p[i][j]
/// for i < 4, as ByteTile's B quads: dst[4 j + i] = p[i][j], and
/// sums[j] += p[0][j] + ... + p[3][j] (SSE2).
void interleaveQuads(const int16_t *const p[4], int64_t count, int8_t *dst,
                     int32_t *sums) {
  for (int64_t j = 0; j < count; j += 8) {
    __m128i v[4];
    for (int i = 0; i < 4; ++i)
      v[i] = _mm_loadu_si128(reinterpret_cast<const __m128i *>(p[i] + j));
    // Codes fit int8: the saturating packs are exact.
    __m128i b01 = _mm_packs_epi16(v[0], v[1]),
            b23 = _mm_packs_epi16(v[2], v[3]);
    // Bytes (p0, p1) then (p2, p3) of each channel, then all four.
    __m128i t01 = _mm_unpacklo_epi8(b01, _mm_srli_si128(b01, 8));
    __m128i t23 = _mm_unpacklo_epi8(b23, _mm_srli_si128(b23, 8));
    _mm_storeu_si128(reinterpret_cast<__m128i *>(dst + 4 * j),
                     _mm_unpacklo_epi16(t01, t23));
    _mm_storeu_si128(reinterpret_cast<__m128i *>(dst + 4 * j + 16),
                     _mm_unpackhi_epi16(t01, t23));
    // |sum| <= 512 fits int16.
    addSums16(
        _mm_add_epi16(_mm_add_epi16(v[0], v[1]), _mm_add_epi16(v[2], v[3])),
        sums + j);
  }
}

/// interleaveQuads from int8 codes: dst[4 j + i] = p[i][j], sums[j] +=
/// p[0][j] + ... + p[3][j], `count` a multiple of 16 (SSE2).
void interleaveByteQuads(const int8_t *const p[4], int64_t count, int8_t *dst,
                         int32_t *sums) {
  auto widen = [](__m128i halves) { return _mm_srai_epi16(halves, 8); };
  for (int64_t j = 0; j < count; j += 16) {
    __m128i v[4];
    for (int i = 0; i < 4; ++i)
      v[i] = _mm_loadu_si128(reinterpret_cast<const __m128i *>(p[i] + j));
    // Bytes (p0, p1) and (p2, p3) of each channel, then all four.
    __m128i lo01 = _mm_unpacklo_epi8(v[0], v[1]),
            hi01 = _mm_unpackhi_epi8(v[0], v[1]);
    __m128i lo23 = _mm_unpacklo_epi8(v[2], v[3]),
            hi23 = _mm_unpackhi_epi8(v[2], v[3]);
    __m128i *out = reinterpret_cast<__m128i *>(dst + 4 * j);
    _mm_storeu_si128(out, _mm_unpacklo_epi16(lo01, lo23));
    _mm_storeu_si128(out + 1, _mm_unpackhi_epi16(lo01, lo23));
    _mm_storeu_si128(out + 2, _mm_unpacklo_epi16(hi01, hi23));
    _mm_storeu_si128(out + 3, _mm_unpackhi_epi16(hi01, hi23));
    // Each code sign-extended to 16 bits (the high byte of a lane holding
    // it twice, shifted down); |sum| <= 512 fits int16.
    __m128i sumLo = _mm_setzero_si128(), sumHi = _mm_setzero_si128();
    for (int i = 0; i < 4; ++i) {
      sumLo = _mm_add_epi16(sumLo, widen(_mm_unpacklo_epi8(v[i], v[i])));
      sumHi = _mm_add_epi16(sumHi, widen(_mm_unpackhi_epi8(v[i], v[i])));
    }
    addSums16(sumLo, sums + j);
    addSums16(sumHi, sums + j + 8);
  }
}

/// ByteTile's B quads of 32-pixel tiles straight from four runs of `count`
/// int8 codes (one per K element; null: past K, zeros): for tile t and its
/// pixel j, dst[t * tileStride + 4 j + i] = runs[i][32 t + j], zero past
/// `count`, and sums[32 t + j] += the four codes. Two tiles per step, the
/// bytes interleaved within 128-bit lanes and the lanes transposed; the
/// sums are one vpdpbusd of the quads with bytes of 1.
__attribute__((target("avx512f,avx512bw,avx512vnni"))) void
packQuadTilesAVX512VNNI(const int8_t *const runs[4], int64_t count,
                        int64_t tiles, int64_t tileStride, int8_t *dst,
                        int32_t *sums) {
  const __m512i ones = _mm512_set1_epi8(1);
  for (int64_t t = 0; t < tiles; t += 2) {
    int64_t first = 32 * t, valid = std::clamp<int64_t>(count - first, 0, 64);
    __mmask64 mask = valid == 64 ? ~__mmask64{0} : (__mmask64{1} << valid) - 1;
    __m512i v[4];
    for (int i = 0; i < 4; ++i)
      v[i] = runs[i] ? _mm512_maskz_loadu_epi8(mask, runs[i] + first)
                     : _mm512_setzero_si512();
    __m512i lo01 = _mm512_unpacklo_epi8(v[0], v[1]),
            hi01 = _mm512_unpackhi_epi8(v[0], v[1]);
    __m512i lo23 = _mm512_unpacklo_epi8(v[2], v[3]),
            hi23 = _mm512_unpackhi_epi8(v[2], v[3]);
    // Lane L of a, b, c, d: the quads of pixels 16 L + [0, 4), [4, 8),
    // [8, 12), [12, 16).
    __m512i a = _mm512_unpacklo_epi16(lo01, lo23),
            b = _mm512_unpackhi_epi16(lo01, lo23);
    __m512i c = _mm512_unpacklo_epi16(hi01, hi23),
            d = _mm512_unpackhi_epi16(hi01, hi23);
    // Sixteen pixels L: (a.L, b.L, c.L, d.L).
    __m512i ab02 = _mm512_shuffle_i64x2(a, b, _MM_SHUFFLE(2, 0, 2, 0)),
            ab13 = _mm512_shuffle_i64x2(a, b, _MM_SHUFFLE(3, 1, 3, 1));
    __m512i cd02 = _mm512_shuffle_i64x2(c, d, _MM_SHUFFLE(2, 0, 2, 0)),
            cd13 = _mm512_shuffle_i64x2(c, d, _MM_SHUFFLE(3, 1, 3, 1));
    const __m512i sixteens[4] = {
        _mm512_shuffle_i64x2(ab02, cd02, _MM_SHUFFLE(2, 0, 2, 0)),
        _mm512_shuffle_i64x2(ab13, cd13, _MM_SHUFFLE(2, 0, 2, 0)),
        _mm512_shuffle_i64x2(ab02, cd02, _MM_SHUFFLE(3, 1, 3, 1)),
        _mm512_shuffle_i64x2(ab13, cd13, _MM_SHUFFLE(3, 1, 3, 1))};
    for (int64_t s = 0; s < (t + 1 < tiles ? 4 : 2); ++s) {
      _mm512_storeu_si512(dst + (t + s / 2) * tileStride + (s % 2) * 64,
                          sixteens[s]);
      int32_t *sum = sums + first + 16 * s;
      _mm512_storeu_si512(
          sum, _mm512_dpbusd_epi32(_mm512_loadu_si512(sum), ones, sixteens[s]));
    }
  }
}

/// A filter read as (group, column, tap, k): element
/// data[group * groupStride + column * columnStride + k * kStride +
/// tapOffsets[tap]], of int16 codes (`data`) or, for packFilter's quads
/// only, the int8 filter itself (`bytes`, `size` codes).
struct FilterView {
  const int16_t *data;
  const int8_t *bytes;
  int64_t size;
  int64_t groupStride, columnStride, kStride;
  std::vector<int64_t> tapOffsets;
};

/// The view of `w` (OIHW or OHWI codes) with filter (o, c) at column `col`
/// and K index `k`, every tap: the forward's (column o, k = c) or, flipped
/// in both axes, backward-data's (column c, k = o). Of `w`'s int8 codes in
/// place where `bytes` asks for them and `w` has them, else of its int16
/// codes.
FilterView getFilterView(const Geometry &g, FilterCodes &w, bool backwardData,
                         bool bytes = false) {
  const FilterStrides fs(g);
  const int8_t *inPlace = bytes ? w.bytes() : nullptr;
  FilterView view{inPlace ? nullptr : w.int16(),
                  inPlace,
                  w.numElements(),
                  g.og() * fs.o,
                  backwardData ? fs.c : fs.o,
                  backwardData ? fs.o : fs.c,
                  {}};
  // Flipped in both axes, tap (ky, kx) reads (KH - 1 - ky, KW - 1 - kx):
  // row-major, tap KH KW - 1 - tap.
  int64_t taps = g.taps();
  for (int64_t tap = 0; tap < taps; ++tap)
    view.tapOffsets.push_back(fs.tap[backwardData ? taps - 1 - tap : tap]);
  return view;
}

/// B of a direct GEMM, packed per group and NR-column tile for the
/// variant's microkernel: int16 pairs, [taps][KP / 2][NR][2] (MicroTile),
/// or, where the variant has a u8 x s8 microkernel, int8 quads,
/// [taps][KQ / 4][NR][4] with each tile's column bias (ByteTile) over all
/// taps and per tap; KP is K rounded up to 2, KQ to 4, the values past K
/// are 0.
struct PackedFilter {
  std::unique_ptr<int16_t[]> pairs;
  std::unique_ptr<int8_t[]> quads;
  std::unique_ptr<int32_t[]> bias, tapBias;
  int64_t taps = 0, quadsPerTap = 0, tileSize = 0, nr = 0;

  bool bytes() const { return quads != nullptr; }
  const int16_t *pairTile(int64_t t) const {
    return pairs.get() + t * tileSize;
  }
  const int8_t *quadTile(int64_t t) const { return quads.get() + t * tileSize; }
  const int32_t *biasOf(int64_t t) const { return bias.get() + t * nr; }
  /// Tile t's bias over tap `tap` alone ([tile][tap][NR]): byteBias is
  /// linear modulo 2^32, so a range of taps' bias is their sum.
  const int32_t *tapBiasOf(int64_t t, int64_t tap) const {
    return tapBias.get() + (t * taps + tap) * nr;
  }
};

/// Channel rows to channels-last pixels (transposeToPixels) for either
/// kind of code.
void transposeCodesToPixels(const int16_t *rows, int64_t channels,
                            int64_t width, int64_t rowStride, int16_t *dst,
                            int64_t pixelStride) {
  transposeToPixels(rows, channels, width, rowStride, dst, pixelStride);
}
void transposeCodesToPixels(const int8_t *rows, int64_t channels, int64_t width,
                            int64_t rowStride, int8_t *dst,
                            int64_t pixelStride) {
  transposeBytesToPixels(reinterpret_cast<const uint8_t *>(rows), channels,
                         width, rowStride, reinterpret_cast<uint8_t *>(dst),
                         pixelStride);
}

/// ByteTile's quads of four K rows of `count` columns (interleaveQuads) for
/// either kind of code.
void interleaveCodeQuads(const int16_t *const p[4], int64_t count, int8_t *dst,
                         int32_t *sums) {
  interleaveQuads(p, count, dst, sums);
}
void interleaveCodeQuads(const int8_t *const p[4], int64_t count, int8_t *dst,
                         int32_t *sums) {
  interleaveByteQuads(p, count, dst, sums);
}

/// packFilter's tiles from the codes `data` (int16, or int8 for quads).
template <typename Code>
void packFilterTiles(const Code *data, const FilterView &view, int64_t groups,
                     int64_t cols, int64_t kTap, int64_t kReal,
                     PackedFilter &packed) {
  int64_t taps = packed.taps, nr = packed.nr;
  int64_t colTiles = (cols + nr - 1) / nr;
  bool bytes = packed.bytes();
  // K elements per lane: pairs or quads.
  int64_t lane = bytes ? 4 : 2;
  // K a block at a time: the block's values of every tap and column are
  // staged as rows [tap][k][NR] (9 KiB of int16 for 9 taps, NR 32: in L1),
  // read in the filter's memory order (a forward's column is a run of K x
  // taps, a backward-data's K index a run of columns x taps), then
  // interleaved a lane of rows at a time. (Written straight to the packed
  // layout, each value was a scalar store a lane apart: 2.3 ms for 512 x
  // 512 x 3 x 3.)
  constexpr int64_t kBlock = 16;
  bool columnsInner = view.columnStride < view.kStride;
  const int64_t *tapOffsets = view.tapOffsets.data();
  // An NCHW (OIHW) filter's taps are runs of `taps` codes, in order or
  // reversed (step 1 or -1): a K index's values of the tile are then
  // staged by transposeCodesToPixels, the columns as its channels and the
  // taps as its pixels (8 x 8 or 16 x 16 transposes, not a scalar copy per
  // value: backward-data's 1.1-1.3 ms for 512 x 512 x 3 x 3 -> 0.4-0.6 ms
  // as int16).
  int64_t tapStep = taps > 1 ? tapOffsets[1] - tapOffsets[0] : 1;
  bool tapRuns = tapStep == 1 || tapStep == -1;
  for (int64_t tap = 0; tapRuns && tap < taps; ++tap)
    tapRuns = tapOffsets[tap] == tapOffsets[0] + tap * tapStep &&
              tapOffsets[tap] >= 0 && tapOffsets[tap] < taps;
  // Where the transpose writes offset 0 of the run (its tap) and the stage
  // step between consecutive offsets.
  int64_t firstTap = tapRuns ? -tapOffsets[0] / tapStep : 0;
  int64_t offsetStep = tapStep * kBlock * nr;
  // The byte transpose reads rows of fewer than 16 pixels 16 bytes wide:
  // where that would pass the filter's end, the values are staged one by
  // one.
  int64_t overRead = sizeof(Code) == 1 && taps < 16 ? 16 : taps;
  parallelFor(groups * colTiles, [&](int64_t begin, int64_t last) {
    std::vector<Code> stage(taps * kBlock * nr);
    // Per tap (quads only): each column's sum of codes.
    std::vector<int32_t> sums(taps * nr);
    for (int64_t task = begin; task < last; ++task) {
      int64_t grp = task / colTiles, tile = task % colTiles;
      int64_t numCols = std::min(nr, cols - tile * nr);
      const Code *first =
          data + grp * view.groupStride + tile * nr * view.columnStride;
      std::fill(sums.begin(), sums.end(), 0);
      for (int64_t k0 = 0; k0 < kTap; k0 += kBlock) {
        int64_t kCount = std::min(kBlock, kTap - k0);
        int64_t kValid = std::clamp<int64_t>(kReal - k0, 0, kCount);
        if (numCols < nr || kValid < kCount)
          std::fill(stage.begin(), stage.end(), 0);
        auto stageValues = [&](int64_t k, int64_t j) {
          const Code *src =
              first + (k0 + k) * view.kStride + j * view.columnStride;
          Code *dst = stage.data() + k * nr + j;
          for (int64_t tap = 0; tap < taps; ++tap)
            dst[tap * kBlock * nr] = src[tapOffsets[tap]];
        };
        if (tapRuns) {
          for (int64_t k = 0; k < kValid; ++k) {
            const Code *rows = first + (k0 + k) * view.kStride;
            int64_t lastRead =
                (rows - data) + (numCols - 1) * view.columnStride + overRead;
            if (lastRead <= view.size) {
              transposeCodesToPixels(
                  rows, numCols, taps, view.columnStride,
                  stage.data() + firstTap * kBlock * nr + k * nr, offsetStep);
              continue;
            }
            for (int64_t j = 0; j < numCols; ++j)
              stageValues(k, j);
          }
        } else if (columnsInner) {
          for (int64_t k = 0; k < kValid; ++k)
            for (int64_t j = 0; j < numCols; ++j)
              stageValues(k, j);
        } else {
          for (int64_t j = 0; j < numCols; ++j)
            for (int64_t k = 0; k < kValid; ++k)
              stageValues(k, j);
        }
        for (int64_t tap = 0; tap < taps; ++tap)
          for (int64_t k = 0; k < kCount; k += lane) {
            const Code *row = stage.data() + (tap * kBlock + k) * nr;
            int64_t at = task * packed.tileSize + (tap * kTap + k0 + k) * nr;
            if constexpr (sizeof(Code) == 2) {
              if (!bytes) {
                int16_t *dst = packed.pairs.get() + at;
                for (int64_t j = 0; j < nr; ++j) {
                  dst[2 * j] = row[j];
                  dst[2 * j + 1] = row[nr + j];
                }
                continue;
              }
            }
            const Code *const rows[4] = {row, row + nr, row + 2 * nr,
                                         row + 3 * nr};
            interleaveCodeQuads(rows, nr, packed.quads.get() + at,
                                sums.data() + tap * nr);
          }
      }
      for (int64_t j = 0; bytes && j < nr; ++j) {
        int32_t total = 0;
        for (int64_t tap = 0; tap < taps; ++tap) {
          packed.tapBias[(task * taps + tap) * nr + j] =
              byteBias(sums[tap * nr + j]);
          addWrapping(total, sums[tap * nr + j]);
        }
        packed.bias[task * nr + j] = byteBias(total);
      }
    }
  });
}

/// Packs B from `view` for k < kReal, 0 beyond and for columns >= cols (see
/// PackedFilter); quads (`bytes`) from the view's int8 codes where it has
/// them.
PackedFilter packFilter(const FilterView &view, int64_t groups, int64_t cols,
                        int64_t kPadded, int64_t kReal, int64_t nr,
                        bool bytes) {
  PhaseTimer timer{"pack-filter"};
  assert((!bytes || nr % 16 == 0) &&
         "interleaveByteQuads takes 16 columns a step");
  assert((bytes || !view.bytes) && "int16 pairs from int16 codes only");
  PackedFilter packed;
  int64_t taps = view.tapOffsets.size();
  int64_t colTiles = (cols + nr - 1) / nr;
  int64_t kTap = roundUp(kPadded, bytes ? 4 : 2);
  packed.tileSize = taps * kTap * nr;
  packed.taps = taps;
  packed.nr = nr;
  packed.quadsPerTap = kTap / 4;
  // Every element is written by packFilterTiles: no zero fill.
  int64_t size = groups * colTiles * packed.tileSize;
  if (bytes) {
    packed.quads.reset(new int8_t[size]);
    packed.bias.reset(new int32_t[groups * colTiles * nr]);
    packed.tapBias.reset(new int32_t[groups * colTiles * taps * nr]);
  } else {
    packed.pairs.reset(new int16_t[size]);
  }
  if (view.bytes)
    packFilterTiles(view.bytes, view, groups, cols, kTap, kReal, packed);
  else
    packFilterTiles(view.data, view, groups, cols, kTap, kReal, packed);
  return packed;
}

/// The output columns of a block: column j goes to offset colOffsets[j]
/// of a row's output, scaled by colAlpha[j].
struct BlockColumns {
  const int64_t *colOffsets;
  const float *colAlpha;
  int64_t count;
};

/// Where a convolution GEMM's results go: that of output position (img, y,
/// x) and column (g, col) to out[rowOffset(img, y, x) + colOffsets[g * cols
/// + col]], scaled by colAlpha[g * cols + col].
struct GemmOutput {
  float *out;
  std::vector<int64_t> colOffsets;
  std::vector<float> colAlpha;
  /// Elements of the whole output (of all stride phases of a
  /// backward-data), which decides streaming.
  int64_t outputElements;

  bool streamed() const { return isStreamed(outputElements); }
  /// Columns [colTile * NR, (colTile + 1) * NR) of group g, of `cols`.
  BlockColumns columns(int64_t g, int64_t cols, int64_t colTile,
                       int64_t nr) const {
    int64_t first = g * cols + colTile * nr;
    return {colOffsets.data() + first, colAlpha.data() + first,
            std::min(nr, cols - colTile * nr)};
  }
};

/// A GemmOutput for `channels` output channels `channelStride` apart, each
/// scaled by `alpha(channel)`.
template <typename AlphaFn>
GemmOutput makeGemmOutput(float *out, int64_t channels, int64_t channelStride,
                          const AlphaFn &alpha, int64_t outputElements) {
  GemmOutput output{out, {}, {}, outputElements};
  for (int64_t ch = 0; ch < channels; ++ch) {
    output.colOffsets.push_back(ch * channelStride);
    output.colAlpha.push_back(alpha(ch));
  }
  return output;
}

/// Rows (img, y, x) over `buf` at pixel (y0 + y*ry, x0 + x*rx), K over
/// `taps` with all CP channels of each, columns (`cols` per group) from a
/// packed filter.
struct DirectGemm {
  const ChannelsLast *buf;
  int64_t n, rowsY, rowsX, ry, rx, y0, x0;
  std::vector<int64_t> tapOffsets;
  const PackedFilter *packed;
  int64_t cols, groups;
  const GemmOutput *output;
  /// Where set, output pixels skip the taps that read padding only.
  struct Reach {
    /// The buffer row and column each tap reads, relative to the output
    /// pixel's (y0 + y ry, x0 + x rx).
    std::vector<int64_t> rows, cols;
    /// The buffer rows and columns [first, last) that hold input.
    int64_t inputRows[2] = {0, 0}, inputCols[2] = {0, 0};
  } reach;
};

/// The direct GEMM's rows (output pixels) grouped by the taps that read
/// input for them, the others reading padding only: a 7 x 7 layer's edge
/// pixels skip a third of the taps, its corners five ninths (the padding's
/// multiply-adds, 18 % of all, are not done). `rows` lists the GEMM's rows
/// (flattened (image, y, x)) class by class, each class padded to whole MR
/// tiles with repeats of its last row (whose values are written twice);
/// row tile t runs the tap runs (first tap, count) classTaps[tileClass[t]],
/// one microkernel call each.
struct RowClasses {
  std::vector<int64_t> rows;
  std::vector<int64_t> tileClass;
  std::vector<std::vector<std::pair<int64_t, int64_t>>> classTaps;
};

/// Output heights up to which the direct GEMM's rows are classified: a
/// taller image has few pixels that skip taps (2 rows of 56 at 56 x 56),
/// and the classes cut its output's runs short (see runDirect).
constexpr int64_t kMaxClassifiedRows = 16;

RowClasses classifyRows(const DirectGemm &p, int64_t mr) {
  int64_t numTaps = p.tapOffsets.size();
  auto inside = [](int64_t at, const int64_t range[2]) {
    return at >= range[0] && at < range[1];
  };
  RowClasses classes;
  // Per class: its pixels (y * rowsX + x).
  std::vector<std::vector<int64_t>> pixels;
  for (int64_t y = 0; y < p.rowsY; ++y)
    for (int64_t x = 0; x < p.rowsX; ++x) {
      int64_t row = p.y0 + y * p.ry, col = p.x0 + x * p.rx;
      std::vector<std::pair<int64_t, int64_t>> taps;
      for (int64_t t = 0; t < numTaps; ++t) {
        if (!inside(row + p.reach.rows[t], p.reach.inputRows) ||
            !inside(col + p.reach.cols[t], p.reach.inputCols))
          continue;
        if (!taps.empty() && taps.back().first + taps.back().second == t)
          ++taps.back().second;
        else
          taps.push_back({t, 1});
      }
      // None (the pixel's output is 0 * alpha): it runs them all.
      if (taps.empty())
        taps.push_back({0, numTaps});
      auto found =
          std::find(classes.classTaps.begin(), classes.classTaps.end(), taps);
      if (found == classes.classTaps.end()) {
        classes.classTaps.push_back(taps);
        pixels.emplace_back();
        found = classes.classTaps.end() - 1;
      }
      pixels[found - classes.classTaps.begin()].push_back(y * p.rowsX + x);
    }
  for (size_t k = 0; k < pixels.size(); ++k) {
    size_t begin = classes.rows.size();
    for (int64_t img = 0; img < p.n; ++img)
      for (int64_t pixel : pixels[k])
        classes.rows.push_back(img * p.rowsY * p.rowsX + pixel);
    while ((classes.rows.size() - begin) % mr != 0)
      classes.rows.push_back(classes.rows.back());
    classes.tileClass.insert(classes.tileClass.end(),
                             (classes.rows.size() - begin) / mr, k);
  }
  return classes;
}

/// Rows of a block whose outputs are consecutive in memory: offsets
/// rowOffsets[first + i] = rowOffsets[first] + i for i < length.
struct RowRun {
  int64_t first, length;
};

/// Splits rows [0, count) into runs of consecutive output offsets.
void findRowRuns(const int64_t *rowOffsets, int64_t count,
                 std::vector<RowRun> &runs) {
  runs.clear();
  for (int64_t r = 0; r < count; ++r) {
    if (!runs.empty() && rowOffsets[r] == rowOffsets[r - 1] + 1)
      ++runs.back().length;
    else
      runs.push_back({r, 1});
  }
}

/// out[i] lane k = in[k] lane i: a 16 x 16 transpose of floats in
/// registers (AVX-512: two in-lane shuffle stages, two of 128-bit lanes).
__attribute__((target("avx512f"))) inline void
transpose16x16(const __m512 in[16], __m512 out[16]) {
  // In each 128-bit lane L, u[4 k + c] holds element 4 L + c of in[4 k],
  // ..., in[4 k + 3].
  __m512 u[16];
  for (int k = 0; k < 4; ++k) {
    __m512 t0 = _mm512_unpacklo_ps(in[4 * k], in[4 * k + 1]),
           t1 = _mm512_unpackhi_ps(in[4 * k], in[4 * k + 1]),
           t2 = _mm512_unpacklo_ps(in[4 * k + 2], in[4 * k + 3]),
           t3 = _mm512_unpackhi_ps(in[4 * k + 2], in[4 * k + 3]);
    u[4 * k] = _mm512_shuffle_ps(t0, t2, _MM_SHUFFLE(1, 0, 1, 0));
    u[4 * k + 1] = _mm512_shuffle_ps(t0, t2, _MM_SHUFFLE(3, 2, 3, 2));
    u[4 * k + 2] = _mm512_shuffle_ps(t1, t3, _MM_SHUFFLE(1, 0, 1, 0));
    u[4 * k + 3] = _mm512_shuffle_ps(t1, t3, _MM_SHUFFLE(3, 2, 3, 2));
  }
  // Element 4 L + c: lane L of u[c], u[4 + c], u[8 + c], u[12 + c].
  for (int c = 0; c < 4; ++c) {
    __m512 s0 = _mm512_shuffle_f32x4(u[c], u[4 + c], _MM_SHUFFLE(1, 0, 1, 0)),
           s1 = _mm512_shuffle_f32x4(u[c], u[4 + c], _MM_SHUFFLE(3, 2, 3, 2)),
           s2 = _mm512_shuffle_f32x4(u[8 + c], u[12 + c],
                                     _MM_SHUFFLE(1, 0, 1, 0)),
           s3 = _mm512_shuffle_f32x4(u[8 + c], u[12 + c],
                                     _MM_SHUFFLE(3, 2, 3, 2));
    out[c] = _mm512_shuffle_f32x4(s0, s2, _MM_SHUFFLE(2, 0, 2, 0));
    out[4 + c] = _mm512_shuffle_f32x4(s0, s2, _MM_SHUFFLE(3, 1, 3, 1));
    out[8 + c] = _mm512_shuffle_f32x4(s1, s3, _MM_SHUFFLE(2, 0, 2, 0));
    out[12 + c] = _mm512_shuffle_f32x4(s1, s3, _MM_SHUFFLE(3, 1, 3, 1));
  }
}

/// float(acc[i]) * alpha for lanes i < 16 (AVX-512).
__attribute__((target("avx512f"))) inline __m512 scale16(const int32_t *acc,
                                                         __m512 alphas) {
  return _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_loadu_si512(acc)), alphas);
}

/// transpose32 on AVX-512: 16 x 16 blocks in registers, those at the
/// edges with masked loads and stores.
__attribute__((target("avx512f"))) void
transpose32AVX512(const float *src, int64_t rows, int64_t cols,
                  int64_t srcStride, float *dst, int64_t dstStride) {
  auto firstLanes = [](int64_t n) {
    return static_cast<__mmask16>(n >= 16 ? 0xffff : (1u << n) - 1);
  };
  for (int64_t r = 0; r < rows; r += 16) {
    int64_t blockRows = std::min<int64_t>(16, rows - r);
    __mmask16 rowMask = firstLanes(blockRows);
    for (int64_t c = 0; c < cols; c += 16) {
      int64_t blockCols = std::min<int64_t>(16, cols - c);
      __mmask16 colMask = firstLanes(blockCols);
      __m512 in[16], out[16];
      for (int i = 0; i < 16; ++i)
        in[i] =
            i < blockRows
                ? _mm512_maskz_loadu_ps(colMask, src + (r + i) * srcStride + c)
                : _mm512_setzero_ps();
      transpose16x16(in, out);
      for (int i = 0; i < blockCols; ++i)
        _mm512_mask_storeu_ps(dst + (c + i) * dstStride + r, rowMask, out[i]);
    }
  }
}

/// dst[c * dstStride + r] = src[r * srcStride + c] for r < rows, c < cols,
/// of 32-bit elements (int32, or pairs of int16): 16 x 16 blocks in
/// registers on AVX-512, SSE2 4 x 4 transposes elsewhere where both are 4
/// or more.
void transpose32(const void *srcData, int64_t rows, int64_t cols,
                 int64_t srcStride, void *dstData, int64_t dstStride) {
  if (getFeatures().avx512f) {
    transpose32AVX512(static_cast<const float *>(srcData), rows, cols,
                      srcStride, static_cast<float *>(dstData), dstStride);
    return;
  }
  const char *src = static_cast<const char *>(srcData);
  char *dst = static_cast<char *>(dstData);
  auto at = [](int64_t row, int64_t col, int64_t stride) {
    return (row * stride + col) * 4;
  };
  auto copy = [&](int64_t r, int64_t c) {
    std::memcpy(dst + at(c, r, dstStride), src + at(r, c, srcStride), 4);
  };
  int64_t r = 0;
  for (; r + 4 <= rows; r += 4) {
    int64_t c = 0;
    for (; c + 4 <= cols; c += 4) {
      __m128 v[4];
      for (int i = 0; i < 4; ++i)
        v[i] = _mm_loadu_ps(
            reinterpret_cast<const float *>(src + at(r + i, c, srcStride)));
      _MM_TRANSPOSE4_PS(v[0], v[1], v[2], v[3]);
      for (int i = 0; i < 4; ++i)
        _mm_storeu_ps(reinterpret_cast<float *>(dst + at(c + i, r, dstStride)),
                      v[i]);
    }
    for (; c < cols; ++c)
      for (int64_t i = r; i < r + 4; ++i)
        copy(i, c);
  }
  for (; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c)
      copy(r, c);
}

/// The values scaleRun writes: float(acc[i]) * alpha[perElement ? i : 0]
/// (cvtdq2ps and mulps round like the scalar form), one, 4 or 16 at a time.
struct ScaledAccumulators {
  const int32_t *acc;
  const float *alpha;
  bool perElement;

  float one(int64_t i) const {
    return static_cast<float>(acc[i]) * alpha[perElement ? i : 0];
  }
  __m128 four(int64_t i) const {
    __m128 scale = perElement ? _mm_loadu_ps(alpha + i) : _mm_set1_ps(alpha[0]);
    return _mm_mul_ps(_mm_cvtepi32_ps(_mm_loadu_si128(
                          reinterpret_cast<const __m128i *>(acc + i))),
                      scale);
  }
  __attribute__((target("avx512f"))) __m512 sixteen(int64_t i) const {
    return scale16(acc + i, perElement ? _mm512_loadu_ps(alpha + i)
                                       : _mm512_set1_ps(alpha[0]));
  }
};

/// The values storeRun writes: src[i].
struct FloatRun {
  const float *src;

  float one(int64_t i) const { return src[i]; }
  __m128 four(int64_t i) const { return _mm_loadu_ps(src + i); }
  __attribute__((target("avx512f"))) __m512 sixteen(int64_t i) const {
    return _mm512_loadu_ps(src + i);
  }
};

/// The streamed middle of a run on AVX-512 (where the CPU has it, whatever
/// the microkernel variant, like the other helpers): one 512-bit
/// non-temporal store per whole cache line, 128-bit ones from the first
/// 16-byte aligned element up to it and after the last whole line. A Zen 4
/// core streams 16-19 GB/s of 512-bit stores, 13.5 GB/s of 128-bit ones;
/// partial lines stay non-temporal (stored with plain stores, a line shared
/// by two runs, e.g. the 224-byte rows of a 56-wide plane, was read from
/// memory first: 3x3s2-64-128-56 backward-data 7 -> 10 ms). Returns the
/// first element not written (fewer than 4 remain).
template <typename Values>
__attribute__((target("avx512f"))) int64_t
streamAVX512(const Values &values, int64_t count, float *dst) {
  auto lineOffset = [&](int64_t i) {
    return reinterpret_cast<uintptr_t>(dst + i) % 64;
  };
  int64_t i = 0;
  for (; i < count && lineOffset(i) % 16 != 0; ++i)
    dst[i] = values.one(i);
  for (; i + 4 <= count && lineOffset(i) != 0; i += 4)
    _mm_stream_ps(dst + i, values.four(i));
  for (; i + 16 <= count; i += 16)
    _mm512_stream_ps(dst + i, values.sixteen(i));
  for (; i + 4 <= count; i += 4)
    _mm_stream_ps(dst + i, values.four(i));
  return i;
}

/// The first (count rounded down to 16) values of a run, stored 16 at a
/// time (AVX-512). Returns the first element not written.
template <typename Values>
__attribute__((target("avx512f"))) int64_t
storeAVX512(const Values &values, int64_t count, float *dst) {
  int64_t i = 0;
  for (; i + 16 <= count; i += 16)
    _mm512_storeu_ps(dst + i, values.sixteen(i));
  return i;
}

/// Writes values[0, count) to dst. With `stream`, the aligned middle is
/// written with non-temporal stores: an output much larger than the caches
/// is then not read in before it is overwritten. Otherwise 16 or 4 values
/// a store (the short runs of a direct GEMM's classified rows, e.g. 12 of
/// a 14 x 14 image's inner pixels, were a scalar store per value: a tenth
/// of 3x3-256-14's backward-data).
template <typename Values>
void writeRun(const Values &values, int64_t count, float *dst, bool stream) {
  int64_t i = 0;
  bool avx512 = getFeatures().avx512f;
  if (stream && avx512) {
    i = streamAVX512(values, count, dst);
  } else if (stream) {
    for (; i < count && reinterpret_cast<uintptr_t>(dst + i) % 16 != 0; ++i)
      dst[i] = values.one(i);
    for (; i + 4 <= count; i += 4)
      _mm_stream_ps(dst + i, values.four(i));
  } else {
    if (avx512)
      i = storeAVX512(values, count, dst);
    for (; i + 4 <= count; i += 4)
      _mm_storeu_ps(dst + i, values.four(i));
  }
  for (; i < count; ++i)
    dst[i] = values.one(i);
}

/// dst[i] = float(acc[i]) * alpha[perElement ? i : 0] for i < count,
/// streamed as writeRun.
void scaleRun(const int32_t *acc, const float *alpha, bool perElement,
              int64_t count, float *dst, bool stream) {
  writeRun(ScaledAccumulators{acc, alpha, perElement}, count, dst, stream);
}

/// writeBlock where every run is whole groups of 16 rows and the columns
/// whole groups of 16 (AVX-512): 16 rows of 16 columns scaled and
/// transposed in registers, each column's 16 values stored straight into
/// its run (a whole line non-temporally where `stream`), with no staged
/// transpose and no second pass over it.
__attribute__((target("avx512f"))) void
writeRunsAVX512(const int32_t *acc, int64_t nr, const int64_t *rowOffsets,
                const std::vector<RowRun> &runs, const BlockColumns &cols,
                float *out, bool stream) {
  for (int64_t j0 = 0; j0 < cols.count; j0 += 16) {
    const __m512 alphas = _mm512_loadu_ps(cols.colAlpha + j0);
    for (const RowRun &run : runs)
      for (int64_t r = run.first; r < run.first + run.length; r += 16) {
        __m512 byRow[16], byColumn[16];
        for (int i = 0; i < 16; ++i)
          byRow[i] = scale16(acc + (r + i) * nr + j0, alphas);
        transpose16x16(byRow, byColumn);
        for (int i = 0; i < 16; ++i) {
          float *dst = out + rowOffsets[r] + cols.colOffsets[j0 + i];
          uintptr_t line = reinterpret_cast<uintptr_t>(dst) % 64;
          if (stream && line == 0) {
            _mm512_stream_ps(dst, byColumn[i]);
          } else if (stream && line % 16 == 0) {
            _mm_stream_ps(dst, _mm512_extractf32x4_ps(byColumn[i], 0));
            _mm_stream_ps(dst + 4, _mm512_extractf32x4_ps(byColumn[i], 1));
            _mm_stream_ps(dst + 8, _mm512_extractf32x4_ps(byColumn[i], 2));
            _mm_stream_ps(dst + 12, _mm512_extractf32x4_ps(byColumn[i], 3));
          } else {
            _mm512_storeu_ps(dst, byColumn[i]);
          }
        }
      }
  }
}

/// Writes a block of accumulators, `acc` [rows][NR] row-major, to the
/// output: row r at out + rowOffsets[r], whose runs of consecutive offsets
/// are `runs`. Where the output's columns are not contiguous (the channels
/// of NCHW, whose rows, the pixels, are), one store per value went to NR
/// cache lines per tile: on a short-K layer (a 1x1 downsampling) that took
/// longer than the GEMM. The block is then transposed to `stage` [NR]
/// [stageStride] and each column written as runs of consecutive output
/// positions, streamed for outputs of kStreamBytes or more.
void writeBlock(const int32_t *acc, int64_t rows, int64_t nr,
                const int64_t *rowOffsets, const std::vector<RowRun> &runs,
                const BlockColumns &cols, float *out, bool stream,
                int32_t *stage, int64_t stageStride) {
  const int64_t *colOffsets = cols.colOffsets;
  const float *colAlpha = cols.colAlpha;
  bool contiguousCols = true;
  for (int64_t j = 1; j < cols.count; ++j)
    contiguousCols &= colOffsets[j] == colOffsets[0] + j;
  if (contiguousCols) {
    // Row-major: a row's columns are one run (NHWC).
    for (int64_t r = 0; r < rows; ++r)
      scaleRun(acc + r * nr, colAlpha, true, cols.count,
               out + rowOffsets[r] + colOffsets[0], stream);
    return;
  }
  if (static_cast<int64_t>(runs.size()) == rows) {
    // No two values of the block are neighbours.
    for (int64_t r = 0; r < rows; ++r) {
      float *row = out + rowOffsets[r];
      for (int64_t j = 0; j < cols.count; ++j)
        row[colOffsets[j]] = static_cast<float>(acc[r * nr + j]) * colAlpha[j];
    }
    return;
  }
  bool wholeGroups = getFeatures().avx512f && cols.count % 16 == 0;
  for (const RowRun &run : runs)
    wholeGroups &= run.length % 16 == 0;
  if (wholeGroups) {
    writeRunsAVX512(acc, nr, rowOffsets, runs, cols, out, stream);
    return;
  }
  transpose32(acc, rows, cols.count, nr, stage, stageStride);
  for (int64_t j = 0; j < cols.count; ++j)
    for (const RowRun &run : runs)
      scaleRun(stage + j * stageStride + run.first, colAlpha + j, false,
               run.length, out + rowOffsets[run.first] + colOffsets[j], stream);
}

/// Prefetches the output lines writeBlock will write for a block (rows'
/// runs `runs`, columns `cols`), so that reading them for ownership
/// overlaps the block's GEMM instead of stalling its stores: the short runs
/// of classified rows (the inner 12 pixels of a 14 x 14 row, each written
/// in a different block from its row's first and last pixel) missed in
/// cache store after store.
void prefetchBlockOutput(const int64_t *rowOffsets,
                         const std::vector<RowRun> &runs,
                         const BlockColumns &cols, const float *out) {
  for (int64_t j = 0; j < cols.count; ++j)
    for (const RowRun &run : runs) {
      const char *first = reinterpret_cast<const char *>(
          out + rowOffsets[run.first] + cols.colOffsets[j]);
      int64_t bytes = run.length * sizeof(float);
      for (int64_t byte = 0; byte < bytes; byte += 64)
        __builtin_prefetch(first + byte, 1);
      __builtin_prefetch(first + bytes - 1, 1);
    }
}

/// Runs the direct GEMM with its epilogue. The microkernel writes a
/// block's tiles of one column tile row-major into `blockC` [block rows]
/// [NR], and writeBlock writes them all at once. A filter packed as quads
/// runs the u8 x s8 microkernel on the buffer's bytes.
template <typename RowOffsetFn>
void runDirect(const DirectGemm &p, const Microkernel &uk,
               const RowOffsetFn &rowOffset) {
  bool stream = p.output->streamed();
  // Not where the output is streamed: the classes cut its runs short, and
  // non-temporal stores of partial lines took 3x the time (28 x 28).
  bool classified = !p.reach.rows.empty() && !stream;
  PhaseTimer timer{classified ? "gemm, padding skipped"
                   : stream   ? "gemm, streamed"
                              : "gemm"};
  int64_t mr = uk.mr, nr = uk.nr;
  RowClasses classes;
  // Each classified row's output pixel (img, y, x).
  std::vector<std::tuple<int64_t, int64_t, int64_t>> classPixels;
  if (classified) {
    classes = classifyRows(p, mr);
    for (int64_t m : classes.rows)
      classPixels.emplace_back(m / (p.rowsX * p.rowsY), (m / p.rowsX) % p.rowsY,
                               m % p.rowsX);
  }
  int64_t rows = classified ? classes.rows.size() : p.n * p.rowsY * p.rowsX;
  int64_t rowTiles = (rows + mr - 1) / mr;
  int64_t colTiles = (p.cols + nr - 1) / nr;
  int64_t pairsPerTap = p.buf->cp / 2;
  int64_t numTaps = p.tapOffsets.size();
  const std::vector<std::pair<int64_t, int64_t>> allTaps{{0, numTaps}};
  // A block of row tiles shares each B tile while it is in L2: 8 tiles,
  // or 4 where that leaves under 16 blocks a thread (the threads take
  // equal runs of blocks, and 3x3-512-7's 17 blocks of 8 left one thread a
  // block, a ninth of the GEMM, with nothing to do; with 4 its forward
  // and backward-data took 4-7 % less, while 3x3-256-14's and
  // 3x3-64-56's, 66 and 1046 blocks of 8, took 7 % more).
  int64_t tilesPerBlock =
      p.groups * ((rowTiles + 7) / 8) < 16 * getNumThreads() ? 4 : 8;
  int64_t blockRows = tilesPerBlock * mr;
  int64_t blocks = (rowTiles + tilesPerBlock - 1) / tilesPerBlock;
  bool u8 = p.packed->bytes();
  assert(u8 == (p.buf->bytes != nullptr) && "quads run on a byte buffer");
  parallelFor(p.groups * blocks, [&](int64_t begin, int64_t end) {
    std::vector<int32_t> blockC(blockRows * nr), stage(nr * blockRows);
    std::vector<const int16_t *> rowPointers(blockRows);
    std::vector<const uint8_t *> byteRows(u8 ? blockRows : 0);
    std::vector<int64_t> rowOffsets(blockRows);
    std::vector<RowRun> runs;
    std::vector<int32_t> bias(u8 ? nr : 0);
    for (int64_t task = begin; task < end; ++task) {
      int64_t g = task / blocks, block = task % blocks;
      int64_t firstTile = block * tilesPerBlock;
      int64_t numTiles = std::min(tilesPerBlock, rowTiles - firstTile);
      int64_t validRows = std::min(numTiles * mr, rows - firstTile * mr);
      // Output pixel (img, y, x) of each row, walked in order (unclassified:
      // three divisions per row were 4 % of 3x3-64-56's backward-data).
      int64_t first = firstTile * mr;
      int64_t x = first % p.rowsX, y = (first / p.rowsX) % p.rowsY,
              img = first / (p.rowsX * p.rowsY);
      for (int64_t r = 0; r < numTiles * mr; ++r) {
        // Rows past the end repeat the last row; their results are dropped.
        if (classified) {
          std::tie(img, y, x) = classPixels[std::min(first + r, rows - 1)];
        } else if (r > 0 && first + r < rows && ++x == p.rowsX) {
          x = 0;
          if (++y == p.rowsY) {
            y = 0;
            ++img;
          }
        }
        rowOffsets[r] = rowOffset(img, y, x);
        int64_t py = p.y0 + y * p.ry, px = p.x0 + x * p.rx;
        if (u8)
          byteRows[r] = p.buf->bytePixel(g, img, py, px);
        else
          rowPointers[r] = p.buf->pixel(g, img, py, px);
      }
      findRowRuns(rowOffsets.data(), validRows, runs);
      for (int64_t colTile = 0; colTile < colTiles; ++colTile) {
        int64_t bTile = g * colTiles + colTile;
        BlockColumns columns = p.output->columns(g, p.cols, colTile, nr);
        if (!stream)
          prefetchBlockOutput(rowOffsets.data(), runs, columns, p.output->out);
        for (int64_t t = 0; t < numTiles; ++t) {
          const std::vector<std::pair<int64_t, int64_t>> &tapRuns =
              classified ? classes.classTaps[classes.tileClass[firstTile + t]]
                         : allTaps;
          for (size_t k = 0; k < tapRuns.size(); ++k) {
            auto [firstTap, taps] = tapRuns[k];
            bool accumulate = k > 0;
            if (u8) {
              const int32_t *tileBias = p.packed->biasOf(bTile);
              if (taps < numTaps) {
                // The bias of the taps run (PackedFilter::tapBiasOf).
                std::fill(bias.begin(), bias.end(), 0);
                for (int64_t tap = firstTap; tap < firstTap + taps; ++tap)
                  for (int64_t j = 0; j < nr; ++j)
                    addWrapping(bias[j], p.packed->tapBiasOf(bTile, tap)[j]);
                tileBias = bias.data();
              }
              uk.runBytes({byteRows.data() + t * mr,
                           p.tapOffsets.data() + firstTap, taps,
                           p.packed->quadsPerTap,
                           p.packed->quadTile(bTile) +
                               firstTap * p.packed->quadsPerTap * 4 * nr,
                           tileBias, blockC.data() + t * mr * nr, accumulate});
              continue;
            }
            MicroTile tile{rowPointers.data() + t * mr,
                           p.tapOffsets.data() + firstTap,
                           taps,
                           pairsPerTap,
                           p.packed->pairTile(bTile) +
                               firstTap * pairsPerTap * 2 * nr,
                           blockC.data() + t * mr * nr,
                           accumulate};
            uk.run(tile);
          }
        }
        writeBlock(blockC.data(), validRows, nr, rowOffsets.data(), runs,
                   columns, p.output->out, stream, stage.data(), blockRows);
      }
    }
    // Non-temporal stores are weakly ordered: visible before the loop ends.
    if (stream)
      _mm_sfence();
  });
}

//===----------------------------------------------------------------------===//
// Winograd F(2x2, 3x3) for 3x3 stride-1 convolutions
//===----------------------------------------------------------------------===//

/// Where a Winograd F(2x2, 3x3) runs instead of the direct GEMM:
///
///   Y = A^T [ sum_c (G g G^T) . (B^T d B) ] A       (. elementwise)
///
/// for each 2x2 output tile, d its 4x4 input window of one channel c, g the
/// 3x3 filter of (column, c): 16 multiplies per tile and K element where
/// the direct form does 36, as 16 GEMMs (one per position xi of the 4x4
/// transformed tile) of K = the channels. Exactly, in integers: B^T and A^T
/// hold 0 and +-1, and G's halves are scaled out (G2 = 2G, integer), so the
/// transformed operands are integers (|B^T d B| <= 4 * 128, |G2 g G2^T| <=
/// 9 * 128: int16, the microkernels' operands) and the int32 sums give 4Y
/// modulo 2^32. 4Y is recovered, and Y = 4Y >> 2, when |Y| < 2^29, which
/// the codes' range guarantees for K <= kWinogradMaxK channels; beyond, the
/// direct form runs. The result is then the direct form's, bit for bit.
///
/// The GEMMs run a block of tiles at a time (the transformed inputs of a
/// block stay in L2), with the microkernel of the variant (AMX narrows its
/// operands to int8, so it keeps the direct form).
constexpr int64_t kWinogradMaxK = (int64_t(1) << 29) / (9 * 128 * 128);

/// DAQ_CPU_CONV_ALGORITHM: auto (Winograd where it applies), direct, or
/// winograd (where it applies; the direct form elsewhere). Empty `error`
/// when the value is valid.
enum class ConvAlgorithm { Auto, Direct, Winograd };

ConvAlgorithm readConvAlgorithm(std::string &error) {
  const char *env = std::getenv("DAQ_CPU_CONV_ALGORITHM");
  if (!env || !*env || std::string(env) == "auto")
    return ConvAlgorithm::Auto;
  if (std::string(env) == "direct")
    return ConvAlgorithm::Direct;
  if (std::string(env) == "winograd")
    return ConvAlgorithm::Winograd;
  error = std::string("DAQ_CPU_CONV_ALGORITHM='") + env +
          "' is not a convolution algorithm (auto, direct, winograd)";
  return ConvAlgorithm::Auto;
}

/// Whether the convolution of `g` runs as Winograd (F(2x2, 3x3), or the
/// stride-2 form where the caller has it, `stride2Form`): `exact`
/// whether the transformed sums recover the result, `faster` whether `auto`
/// takes it (the caller's measured rule, docs/performance.md).
bool useWinograd(const Geometry &g, const Microkernel &uk,
                 ConvAlgorithm algorithm, bool exact, bool faster,
                 bool stride2Form = false) {
  if (algorithm == ConvAlgorithm::Direct || !uk.int16Operands || !exact)
    return false;
  bool stride1 = g.sh == 1 && g.sw == 1,
       stride2 = stride2Form && g.sh == 2 && g.sw == 2;
  if (g.kh != 3 || g.kw != 3 || !(stride1 || stride2) || g.dh != 1 || g.dw != 1)
    return false;
  return algorithm == ConvAlgorithm::Winograd || faster;
}

/// The forward's and backward-data's rule: with fewer channels in K the
/// transforms cost more than the multiplies saved (AVX2: 32 channels break
/// even).
constexpr int64_t kWinogradMinK = 40;
/// The stride-2 forms (forward and backward-data) measured faster with 64
/// and 128 channels in K, slower with 256 (the 25 positions' packed filter,
/// streamed from L3 once per block of tiles, is 1.6 MiB at 256 x 128).
constexpr int64_t kWinogradStride2MaxK = 128;

/// useWinograd for forward and backward-data, whose GEMMs sum `k` channels.
bool useWinogradOverChannels(const Geometry &g, const Microkernel &uk,
                             ConvAlgorithm algorithm, int64_t k) {
  // Stride 2 has no K bound (exact modulo 2^32, WinogradTransforms.h).
  // A u8 x s8 microkernel does twice the multiply-adds per instruction of
  // the int16 one Winograd's transformed operands need: its direct form
  // measured faster at both strides (docs/performance.md).
  bool stride2 = g.sh == 2;
  return useWinograd(g, uk, algorithm, stride2 || k <= kWinogradMaxK,
                     !uk.runBytes && k >= kWinogradMinK &&
                         (!stride2 || k <= kWinogradStride2MaxK),
                     /*stride2Form=*/true);
}

/// A Winograd algorithm for 3x3 filters, as runWinograd runs it: tiles of
/// tile x tile outputs, each computed from a window x window input window
/// (windows of neighbouring tiles `step` buffer pixels apart) through
/// `positions` transformed values and one GEMM per position.
struct WinogradScheme {
  int64_t positions, window, step, tile;
  /// WinogradTransforms' functions for the scheme.
  void (*input)(const int16_t *const *window, int64_t cp, int16_t *v,
                int64_t xiStride);
  void (*output)(const int32_t *m, int64_t xiStride, int64_t nr,
                 int32_t *const *y);
  void (*filter)(const int16_t *const taps[2], int64_t nr, int16_t *dst,
                 int64_t xiStride);
  /// Its DAQ_KERNEL_PROFILE phase (", streamed" appended when it streams).
  const char *phase;
};

/// F(2x2, 3x3) for stride 1, and for stride 2 the polyphase F(2x2, 3x3)
/// (forward: 5x5 windows 4 apart) or its transpose (backward-data: 4x4
/// tiles of GX from 3x3 windows of GY, 2 apart; the filter flipped). See
/// WinogradTransforms.h for the matrices.
WinogradScheme getWinogradScheme(int64_t stride, bool backwardData) {
  const WinogradTransforms &t = getWinogradTransforms();
  // clang-format off
  if (stride == 1)
    return {16, 4, 2, 2, t.input, t.output, t.filter,
            backwardData ? "winograd backward-data" : "winograd"};
  if (!backwardData)
    return {25, 5, 4, 2, t.inputStride2, t.outputStride2, t.filterStride2,
            "winograd stride-2"};
  return {25, 3, 2, 4, t.inputStride2Data, t.outputStride2Data,
          t.filterStride2, "winograd stride-2 backward-data"};
  // clang-format on
}

/// The filter transform of a scheme (U = G2 g G2^T for F(2x2, 3x3)) of
/// every (group, column, k), packed like packFilter's taps (position xi the
/// tap): the B operand of position xi of a column tile starts at xi *
/// kPadded * NR. Per column tile, the taps are gathered into a scratch
/// [K][tap][NR] (L2), then transformed a pair of K rows at a time, NR
/// columns in vectors, straight into the packed order.
std::unique_ptr<int16_t[]> packWinogradFilter(const WinogradScheme &scheme,
                                              int64_t groups, int64_t cols,
                                              int64_t kPadded, int64_t kReal,
                                              int64_t nr,
                                              const FilterView &view) {
  PhaseTimer timer{"pack-filter"};
  int64_t colTiles = (cols + nr - 1) / nr;
  int64_t tileSize = scheme.positions * kPadded * nr;
  // Every element is written below: no zero fill (8 MiB at 512 x 512).
  std::unique_ptr<int16_t[]> packed(new int16_t[groups * colTiles * tileSize]);
  parallelFor(groups * colTiles, [&](int64_t begin, int64_t end) {
    // Zero for the padding k and columns.
    std::vector<int16_t> taps(kPadded * 9 * nr, 0);
    for (int64_t task = begin; task < end; ++task) {
      int64_t grp = task / colTiles, tile = task % colTiles;
      int64_t tileCols = std::min(nr, cols - tile * nr);
      if (tileCols < nr)
        std::fill(taps.begin(), taps.end(), 0);
      for (int64_t j = 0; j < tileCols; ++j) {
        const int16_t *column = view.data + grp * view.groupStride +
                                (tile * nr + j) * view.columnStride;
        for (int64_t k = 0; k < kReal; ++k) {
          const int16_t *src = column + k * view.kStride;
          int16_t *dst = taps.data() + k * 9 * nr + j;
          for (int t = 0; t < 9; ++t)
            dst[t * nr] = src[view.tapOffsets[t]];
        }
      }
      int16_t *out = packed.get() + task * tileSize;
      for (int64_t k = 0; k < kPadded; k += 2) {
        const int16_t *rows[2] = {taps.data() + k * 9 * nr,
                                  taps.data() + (k + 1) * 9 * nr};
        scheme.filter(rows, nr, out + k * nr, kPadded * nr);
      }
    }
  });
  return packed;
}

/// The tile x tile output tiles of a Winograd convolution over `rowsY` x
/// `rowsX` outputs per image, numbered (image, ty, tx) row-major, and their
/// input windows in a channels-last buffer, `step` pixels apart from
/// (y0, x0) (WinogradScheme).
struct WinogradTiles {
  const ChannelsLast *buf;
  int64_t y0, x0, tilesY, tilesX, step;
  WinogradTiles(const ChannelsLast *buf, int64_t rowsY, int64_t rowsX,
                int64_t y0, int64_t x0, int64_t step, int64_t tile = 2)
      : buf(buf), y0(y0), x0(x0), tilesY((rowsY + tile - 1) / tile),
        tilesX((rowsX + tile - 1) / tile), step(step) {}

  int64_t count() const { return buf->n * tilesY * tilesX; }
  /// (image, ty, tx) of tile `index`.
  std::array<int64_t, 3> at(int64_t index) const {
    return {index / (tilesY * tilesX), (index / tilesX) % tilesY,
            index % tilesX};
  }
  /// Row i of the window of tile `index` in group g.
  const int16_t *windowRow(int64_t g, int64_t index, int i) const {
    auto [img, ty, tx] = at(index);
    return buf->pixel(g, img, y0 + step * ty + i, x0 + step * tx);
  }
  /// Prefetches the size x size window of tile `index` (its buffer rows
  /// come from memory: the transforms stalled on them).
  void prefetchWindow(int64_t g, int64_t index, int size = 4) const {
    for (int i = 0; i < size; ++i) {
      const char *row = reinterpret_cast<const char *>(windowRow(g, index, i));
      for (int64_t byte = 0; byte < size * buf->cp * 2; byte += 64)
        __builtin_prefetch(row + byte);
    }
  }
};

/// A 3x3 convolution as a Winograd scheme: output (img, y, x) for 0 <= y <
/// rowsY, 0 <= x < rowsX of column (g, col) is output (firstY + y, firstX +
/// x) of the tile grid, tile (ty, tx) reading the window at buffer pixel
/// (y0 + step ty, x0 + step tx). The buffer must hold the pixels up to the
/// last tiles' windows (winogradExtent).
struct WinogradConv {
  const ChannelsLast *buf;
  int64_t rowsY, rowsX, y0, x0;
  /// packWinogradFilter's.
  const int16_t *packed;
  int64_t cols, groups;
  const GemmOutput *output;
  const WinogradScheme *scheme;
  int64_t firstY = 0, firstX = 0;
};

/// Rows (or columns) of channels-last buffer that a scheme over `rows`
/// outputs, `first` of them dropped, reads from buffer position `start`.
int64_t winogradExtent(const WinogradScheme &scheme, int64_t start,
                       int64_t rows, int64_t first = 0) {
  int64_t tiles = (first + rows + scheme.tile - 1) / scheme.tile;
  return start + (tiles - 1) * scheme.step + scheme.window;
}

template <typename RowOffsetFn>
void runWinograd(const WinogradConv &p, const Microkernel &uk,
                 const RowOffsetFn &rowOffset) {
  bool stream = p.output->streamed();
  const WinogradScheme &scheme = *p.scheme;
  std::string phase = std::string(scheme.phase) + (stream ? ", streamed" : "");
  PhaseTimer timer{phase.c_str()};
  int64_t positions = scheme.positions, size = scheme.window,
          tile = scheme.tile, outputs = tile * tile;
  int64_t mr = uk.mr, nr = uk.nr, cp = p.buf->cp;
  const WinogradTiles grid(p.buf, p.firstY + p.rowsY, p.firstX + p.rowsX, p.y0,
                           p.x0, scheme.step, tile);
  int64_t tiles = grid.count(), tilesX = grid.tilesX;
  int64_t colTiles = (p.cols + nr - 1) / nr;
  // A block's transformed inputs, P x blockTiles x CP int16, and its M, P x
  // blockTiles x NR int32, take at most 192 and 256 KiB (L2 holds them while
  // every column tile reads them).
  int64_t blockTiles =
      roundUp(std::max<int64_t>(std::min((96 << 10) / (positions * cp),
                                         (64 << 10) / (positions * nr)),
                                1),
              mr);
  int64_t blocks = (tiles + blockTiles - 1) / blockTiles;
  int64_t maxPixels = outputs * blockTiles;
  const int64_t zeroOffset = 0;
  parallelFor(p.groups * blocks, [&](int64_t begin, int64_t end) {
    std::vector<int16_t> v(positions * blockTiles * cp);
    std::vector<int32_t> m(positions * blockTiles * nr), y(maxPixels * nr),
        stage(nr * maxPixels), dropped(outputs * nr);
    std::vector<const int16_t *> rowPointers(positions * blockTiles);
    std::vector<int64_t> rowOffsets(maxPixels);
    // Per tile of the block, the stage row of each of its outputs (-1: past
    // the output's edges).
    std::vector<std::array<int64_t, 16>> pixelOf(blockTiles);
    std::vector<RowRun> runs;
    for (int64_t task = begin; task < end; ++task) {
      int64_t g = task / blocks, first = (task % blocks) * blockTiles;
      int64_t count = std::min(blockTiles, tiles - first);
      // Windows prefetched a few tiles ahead.
      constexpr int64_t kPrefetchTiles = 4;
      for (int64_t t = 0; t < std::min(kPrefetchTiles, count); ++t)
        grid.prefetchWindow(g, first + t, size);
      for (int64_t t = 0; t < count; ++t) {
        if (t + kPrefetchTiles < count)
          grid.prefetchWindow(g, first + t + kPrefetchTiles, size);
        const int16_t *window[5];
        for (int i = 0; i < size; ++i)
          window[i] = grid.windowRow(g, first + t, i);
        scheme.input(window, cp, v.data() + t * cp, blockTiles * cp);
      }
      int64_t rowTiles = (count + mr - 1) / mr;
      for (int64_t xi = 0; xi < positions; ++xi)
        for (int64_t t = 0; t < rowTiles * mr; ++t)
          // Rows past the end repeat the last row; their results are
          // dropped.
          rowPointers[xi * blockTiles + t] =
              v.data() + (xi * blockTiles + std::min(t, count - 1)) * cp;
      // Output positions in the order of the output's rows: the tiles of
      // one tile row are consecutive, their first output rows, then their
      // second rows, ... (runs of `tile` x tiles pixels where rows are
      // contiguous).
      int64_t pixels = 0;
      for (int64_t segment = 0; segment < count;) {
        auto [img, ty, tx] = grid.at(first + segment);
        int64_t segmentEnd = std::min(count, segment + tilesX - tx);
        for (int64_t dy = 0; dy < tile; ++dy)
          for (int64_t t = segment; t < segmentEnd; ++t)
            for (int64_t dx = 0; dx < tile; ++dx) {
              int64_t oy = tile * ty + dy - p.firstY,
                      ox = tile * (tx + t - segment) + dx - p.firstX;
              bool valid = oy >= 0 && oy < p.rowsY && ox >= 0 && ox < p.rowsX;
              pixelOf[t][tile * dy + dx] = valid ? pixels : -1;
              if (valid)
                rowOffsets[pixels++] = rowOffset(img, oy, ox);
            }
        segment = segmentEnd;
      }
      findRowRuns(rowOffsets.data(), pixels, runs);
      for (int64_t colTile = 0; colTile < colTiles; ++colTile) {
        const int16_t *b =
            p.packed + (g * colTiles + colTile) * positions * cp * nr;
        for (int64_t xi = 0; xi < positions; ++xi)
          for (int64_t t = 0; t < rowTiles; ++t) {
            MicroTile tile{rowPointers.data() + xi * blockTiles + t * mr,
                           &zeroOffset,
                           1,
                           cp / 2,
                           b + xi * cp * nr,
                           m.data() + (xi * blockTiles + t * mr) * nr,
                           false};
            uk.run(tile);
          }
        for (int64_t t = 0; t < count; ++t) {
          int32_t *rows[16];
          for (int64_t q = 0; q < outputs; ++q)
            rows[q] = pixelOf[t][q] < 0 ? dropped.data() + q * nr
                                        : y.data() + pixelOf[t][q] * nr;
          scheme.output(m.data() + t * nr, blockTiles * nr, nr, rows);
        }
        writeBlock(y.data(), pixels, nr, rowOffsets.data(), runs,
                   p.output->columns(g, p.cols, colTile, nr), p.output->out,
                   stream, stage.data(), maxPixels);
      }
    }
    if (stream)
      _mm_sfence();
  });
}

/// Writes src[0, count) to dst, streamed as writeRun.
void storeRun(const float *src, int64_t count, float *dst, bool stream) {
  writeRun(FloatRun{src}, count, dst, stream);
}

//===----------------------------------------------------------------------===//
// 1x1 convolutions in NCHW: the filter as A, the planes as B
//===----------------------------------------------------------------------===//

/// The first 2 x (count rounded down to 16) floats of a row whose two
/// width phases alternate, 16 pairs at a time on AVX-512: row[2x] =
/// float(acc0[x]) * alpha, row[2x + 1] = float(acc1[x]) * alpha, a phase
/// without taps (null) contributing `zero`. Returns the pairs written.
__attribute__((target("avx512f"))) int64_t
interleavePhasesAVX512(const int32_t *acc0, const int32_t *acc1, float alpha,
                       float zero, int64_t count, float *row) {
  const __m512 alphas = _mm512_set1_ps(alpha), zeros = _mm512_set1_ps(zero);
  // Lanes 0-15 of the permutes' first operand, 16-31 of the second.
  const __m512i low =
      _mm512_setr_epi32(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
  const __m512i high = _mm512_add_epi32(low, _mm512_set1_epi32(8));
  int64_t x = 0;
  for (; x + 16 <= count; x += 16) {
    __m512 a = acc0 ? scale16(acc0 + x, alphas) : zeros;
    __m512 b = acc1 ? scale16(acc1 + x, alphas) : zeros;
    _mm512_storeu_ps(row + 2 * x, _mm512_permutex2var_ps(a, low, b));
    _mm512_storeu_ps(row + 2 * x + 16, _mm512_permutex2var_ps(a, high, b));
  }
  return x;
}

/// One output row of 16 channels whose two width phases alternate, from
/// accumulators not transposed: for channel i < 16 and x,
/// rows[i * channelStride + 2 x] = float(acc0[x * nr + i]) * alpha and
/// rows[i * channelStride + 2 x + 1] = float(acc1[x * nr + i]) * alpha, for
/// x < count0 and count1 (a phase without taps, null, and the positions
/// past a count contribute `zero`), in chunks of 16 floats: up to 15 floats
/// past `width` are written. Per chunk, eight pixels of both phases are
/// 16 vectors of 16 channels, transposed in registers (instead of
/// transpose32, then a row of pairs per channel: two more passes).
__attribute__((target("avx512f"))) void
interleaveChannelsAVX512(const int32_t *acc0, int64_t count0,
                         const int32_t *acc1, int64_t count1, int64_t nr,
                         float alpha, float zero, int64_t width, float *rows,
                         int64_t channelStride) {
  const __m512 alphas = _mm512_set1_ps(alpha), zeros = _mm512_set1_ps(zero);
  for (int64_t x0 = 0; 2 * x0 < width; x0 += 8) {
    // pixels[2 m], pixels[2 m + 1]: pixel x0 + m of each phase, its 16
    // channels.
    __m512 pixels[16], channels[16];
    for (int m = 0; m < 8; ++m) {
      int64_t x = x0 + m;
      pixels[2 * m] =
          acc0 && x < count0 ? scale16(acc0 + x * nr, alphas) : zeros;
      pixels[2 * m + 1] =
          acc1 && x < count1 ? scale16(acc1 + x * nr, alphas) : zeros;
    }
    transpose16x16(pixels, channels);
    for (int i = 0; i < 16; ++i)
      _mm512_storeu_ps(rows + i * channelStride + 2 * x0, channels[i]);
  }
}

/// The taps of 16 filters, `taps` (at most 16) consecutive floats each,
/// from the accumulators of each tap: rows[i * rowStride + t] =
/// float(acc[t * tapStride + i]) * alpha[i] for i < 16, t < taps
/// (AVX-512: the taps as vectors of the 16 filters, transposed in
/// registers, a masked store per filter instead of a scalar store per
/// value).
__attribute__((target("avx512f"))) void
gatherFilterTapsAVX512(const int32_t *acc, int64_t tapStride, int64_t taps,
                       const float *alpha, float *rows, int64_t rowStride) {
  const __m512 alphas = _mm512_loadu_ps(alpha);
  __m512 byTap[16], byFilter[16];
  for (int64_t t = 0; t < 16; ++t)
    byTap[t] =
        t < taps ? scale16(acc + t * tapStride, alphas) : _mm512_setzero_ps();
  transpose16x16(byTap, byFilter);
  __mmask16 valid = static_cast<__mmask16>((1u << taps) - 1);
  for (int i = 0; i < 16; ++i)
    _mm512_mask_storeu_ps(rows + i * rowStride, valid, byFilter[i]);
}

/// row[x * step] = float(values[x]) * alpha for x < count, 0 * alpha at
/// the other positions of row[0, width); step 2 (a stride-2 backward-data's
/// even columns) 16 pairs at a time on AVX-512, then four.
void spreadRow(const int32_t *values, int64_t count, int64_t step, float alpha,
               int64_t width, float *row) {
  float zero = 0.0f * alpha;
  int64_t x = 0;
  if (step == 1) {
    scaleRun(values, &alpha, false, count, row, false);
    x = count;
  } else if (step == 2) {
    // Pairs (value, zero); the last float must still be inside the row (an
    // odd width ends on a value).
    if (getFeatures().avx512f)
      x = interleavePhasesAVX512(values, nullptr, alpha, zero,
                                 std::min(count, width / 2), row);
    __m128 alphas = _mm_set1_ps(alpha), zeros = _mm_set1_ps(zero);
    for (; x + 4 <= count && 2 * x + 8 <= width; x += 4) {
      __m128 scaled =
          _mm_mul_ps(_mm_cvtepi32_ps(_mm_loadu_si128(
                         reinterpret_cast<const __m128i *>(values + x))),
                     alphas);
      _mm_storeu_ps(row + 2 * x, _mm_unpacklo_ps(scaled, zeros));
      _mm_storeu_ps(row + 2 * x + 4, _mm_unpackhi_ps(scaled, zeros));
    }
    x *= 2;
  }
  for (; x < width; ++x)
    row[x] = x % step == 0 && x / step < count
                 ? static_cast<float>(values[x / step]) * alpha
                 : zero;
}

/// Where runPointwise's backward-data takes position e of a channel's run
/// of GX rows from row y0 SH (e = row * W + x): the index of its GY pixel
/// in the task's accumulators (rows of rowsX), or -1 where no pixel lands
/// (0 * alpha).
int64_t spreadSource(const Geometry &g, int64_t rowsX, int64_t validX,
                     int64_t e) {
  int64_t row = e / g.w, x = e % g.w;
  if (row % g.sh != 0 || x % g.sw != 0 || x / g.sw >= validX)
    return -1;
  return row / g.sh * rowsX + x / g.sw;
}

/// That run generated 16 floats at a time, straight into the output
/// (AVX-512): no staging copy, no masked stores, whole cache lines for
/// non-temporal stores. The pattern repeats every `group` GY rows (group x
/// SH x W floats, a multiple of 16), so chunk k of a period reads 16
/// consecutive accumulators from base[k] of the period's and permutes
/// them into place, the lanes no pixel reaches zeroed:
///
///   chunk k of period j = float(maskz_permute(lanes[k], index[k], A)) * alpha
///   A = acc[j * group * rowsX + base[k] + i], i < 16
struct SpreadPlan {
  int64_t group = 0, chunks = 0, accPerGroup = 0;
  std::vector<int64_t> base;
  std::vector<std::array<int32_t, 16>> index;
  std::vector<uint16_t> lanes;
};

/// The plan of a geometry; none (group 0) where a chunk would read
/// accumulators 16 or more apart.
SpreadPlan planSpread(const Geometry &g, int64_t rowsX, int64_t validX) {
  SpreadPlan plan;
  int64_t period = g.sh * g.w;
  plan.group = 16 / std::gcd<int64_t>(period, 16);
  plan.chunks = plan.group * period / 16;
  plan.accPerGroup = plan.group * rowsX;
  for (int64_t k = 0; k < plan.chunks; ++k) {
    int64_t first = -1;
    std::array<int32_t, 16> index{};
    uint16_t lanes = 0;
    for (int64_t l = 0; l < 16; ++l) {
      int64_t source = spreadSource(g, rowsX, validX, 16 * k + l);
      if (source < 0)
        continue;
      if (first < 0)
        first = source;
      if (source - first >= 16)
        return SpreadPlan{};
      index[l] = static_cast<int32_t>(source - first);
      lanes |= static_cast<uint16_t>(1u << l);
    }
    plan.base.push_back(std::max<int64_t>(first, 0));
    plan.index.push_back(index);
    plan.lanes.push_back(lanes);
  }
  return plan;
}

/// Writes the whole chunks of out[0, count) by `plan` (out 64-byte aligned
/// when streamed); returns the floats written. `acc` must have 16 elements
/// past the last period's accumulators that count reaches.
__attribute__((target("avx512f"))) int64_t
writeSpreadAVX512(const SpreadPlan &plan, const int32_t *acc, float alpha,
                  int64_t count, float *out, bool stream) {
  const __m512 alphas = _mm512_set1_ps(alpha);
  int64_t written = 0;
  for (const int32_t *period = acc;; period += plan.accPerGroup)
    for (int64_t k = 0; k < plan.chunks; ++k, written += 16) {
      if (written + 16 > count)
        return written;
      __m512i values = _mm512_maskz_permutexvar_epi32(
          plan.lanes[k], _mm512_loadu_si512(plan.index[k].data()),
          _mm512_loadu_si512(period + plan.base[k]));
      __m512 scaled = _mm512_mul_ps(_mm512_cvtepi32_ps(values), alphas);
      if (stream)
        _mm512_stream_ps(out + written, scaled);
      else
        _mm512_storeu_ps(out + written, scaled);
    }
}

/// A 1x1 filter in NCHW without top or left padding (one tap, so dilation
/// does not matter): output pixel (y, x) reads input pixel (y SH, x SW).
bool isPlanePointwise(const Geometry &g) {
  return !g.nhwc && g.kh == 1 && g.kw == 1 && g.pt == 0 && g.pl == 0;
}

/// Whether a forward or backward-data runs as runPointwise: the output's
/// planes must be dense too (as the JIT allocates them), and a group's
/// filter, A, at most 128 KiB of int16 codes: every task reads all of it
/// for ~64 KiB of B, which measured slower than the direct form with a
/// 256 x 512 filter (1x1s2-256-512-14 backward-data), faster up to
/// 128 x 256.
bool usePointwise(const Geometry &g, const Epilogue &epi, bool backwardData) {
  constexpr int64_t kMaxFilterCodes = 64 << 10;
  return isPlanePointwise(g) && g.cg() * g.og() <= kMaxFilterCodes &&
         epi.strides[3] == 1 && epi.strides[2] == (backwardData ? g.w : g.ow);
}

/// A 1x1 convolution in NCHW as the GEMM that layout already holds:
///
///   forward        Y[n][o][p]        = sum_c W[o][c] X[n][c][at(p)]
///   backward-data  GX[n][c][at(p)]   = sum_o W[o][c] GY[n][o][p]
///
/// for the pixels p = (y, x) of the output (forward) or of GY (backward),
/// at(p) = (y SH, x SW). A (rows MR at a time) is the filter, K its input
/// channels (forward) or output channels (backward-data, W read
/// transposed); B's columns are pixels, packed per task straight from the
/// planes, channel pairs interleaved:
///
///   task (group, image, rows y0..y0+R):  B [pixel tile][K / 2][NR][2]
///   C tile [MR][NR]: MR channels x NR consecutive pixels of a plane
///
/// so a C row is a run of one output plane. The channels-last copy, its
/// transpose and the transpose of every output block of the direct form
/// are not needed. Backward-data writes every GX row the task's GY rows
/// reach (rows y SH .. y SH + SH - 1), the positions no pixel lands on as
/// 0 * alpha (NaN for a NaN clip), whole rows at a time.
void runPointwise(const Geometry &g, const Operand &act, FilterCodes &filter,
                  const Epilogue &epi, const Microkernel &uk,
                  bool backwardData) {
  // GEMM rows (output channels) and K per group; pixels rowsY x rowsX.
  int64_t rowsM = backwardData ? g.cg() : g.og();
  int64_t k = backwardData ? g.og() : g.cg();
  int64_t kPadded = roundUp(k, 2);
  // Pixels that exist on both sides: x SW < W and y SH < H. Backward-data
  // runs over GY's rows that reach GX (with a bottom padding of SH or more
  // the last ones do not), which cover all of GX's rows.
  int64_t validX = std::min(g.ow, (g.w - 1) / g.sw + 1);
  int64_t validY = std::min(g.oh, (g.h - 1) / g.sh + 1);
  int64_t rowsY = backwardData ? validY : g.oh, rowsX = g.ow;
  int64_t outputElements =
      g.n * (backwardData ? g.c * g.h * g.w : g.o * g.oh * g.ow);
  bool stream = isStreamed(outputElements);
  // A: rows of K codes, pairs contiguous. The forward's W rows [O][CG] are
  // that already when CG is even.
  std::vector<int16_t> packedA;
  const int16_t *w = filter.int16(), *a = w;
  if (backwardData || k != kPadded) {
    packedA.assign(g.groups * rowsM * kPadded, 0);
    for (int64_t grp = 0; grp < g.groups; ++grp)
      for (int64_t m = 0; m < rowsM; ++m)
        for (int64_t j = 0; j < k; ++j)
          packedA[(grp * rowsM + m) * kPadded + j] =
              backwardData ? w[(grp * g.og() + j) * g.cg() + m]
                           : w[(grp * g.og() + m) * g.cg() + j];
    a = packedA.data();
  }
  // The u8 x s8 microkernel where the variant has one: A's rows as bytes
  // (code + 128), K in quads, B's pixels' channel quads with each pixel's
  // bias (ByteTile).
  bool u8 = uk.runBytes != nullptr;
  int64_t kQuads = roundUp(k, 4);
  std::vector<uint8_t> a8(u8 ? g.groups * rowsM * kQuads : 0, 128);
  for (int64_t row = 0; u8 && row < g.groups * rowsM; ++row)
    toBytes(a + row * kPadded, k, a8.data() + row * kQuads);
  assert((!u8 || uk.nr % 16 == 0) && "interleaveByteQuads takes 16 columns");
  PhaseTimer timer{stream ? "pointwise, streamed" : "pointwise"};
  int64_t mr = uk.mr, nr = uk.nr;
  // About 64 KiB of packed B per task (it stays in L2 while every row tile
  // of A runs over it), at least four pixel tiles; of the row counts up to
  // twice that, the one that wastes the least of its last pixel tile (14
  // pixels a row: 8 rows fill 7 tiles, 4 rows waste 8 of 64 columns).
  int64_t pixels = std::max<int64_t>(4 * nr, (32 << 10) / kPadded);
  int64_t rowsPerTask = std::clamp<int64_t>(pixels / rowsX, 1, rowsY);
  auto waste = [&](int64_t rows) {
    int64_t count = rows * rowsX;
    return double(roundUp(count, nr) - count) / double(count);
  };
  for (int64_t rows = rowsPerTask + 1; rows <= std::min(2 * rowsPerTask, rowsY);
       ++rows)
    if (waste(rows) < waste(rowsPerTask))
      rowsPerTask = rows;
  int64_t yBlocks = (rowsY + rowsPerTask - 1) / rowsPerTask;
  int64_t maxTiles = (rowsPerTask * rowsX + nr - 1) / nr;
  int64_t rowTiles = (rowsM + mr - 1) / mr;
  const WinogradTransforms &transforms = getWinogradTransforms();
  bool avx2 = getFeatures().avx2, avx512vnni = getFeatures().avx512vnni;
  SpreadPlan spread = backwardData && getFeatures().avx512f
                          ? planSpread(g, rowsX, validX)
                          : SpreadPlan{};
  const int64_t *src = act.strides, *dst = epi.strides;
  parallelFor(g.groups * g.n * yBlocks, [&](int64_t begin, int64_t end) {
    std::vector<int16_t> b(u8 ? 0 : maxTiles * kPadded * nr);
    std::vector<int8_t> quads(u8 ? maxTiles * kQuads * nr : 0);
    std::vector<int32_t> bias(u8 ? maxTiles * nr : 0);
    std::vector<const uint8_t *> byteRows(u8 ? mr : 0);
    // A group's channel runs: int16 codes, or (u8) bytes.
    std::vector<int16_t> runs[4];
    std::vector<int8_t> byteRuns[4];
    for (int i = 0; i < 4; ++i) {
      if (u8)
        byteRuns[i].resize(maxTiles * nr);
      else
        runs[i].resize(maxTiles * nr);
    }
    std::vector<int16_t> scratch(u8 ? maxTiles * nr : 0);
    std::vector<int32_t> c(maxTiles * mr * nr);
    // (writeSpreadAVX512 reads up to a period and 16 elements past them.)
    std::vector<int32_t> acc(
        backwardData ? maxTiles * nr + spread.accPerGroup + 16 : 0);
    // Backward-data's GX rows of one channel, from a row y0 SH: the rows no
    // GY row lands on (i % SH != 0) hold 0 * alpha (alpha is per tensor),
    // written once.
    std::vector<float> rows(backwardData ? rowsPerTask * g.sh * g.w : 0);
    for (int64_t i = 0; backwardData && i < rowsPerTask * g.sh; ++i)
      if (i % g.sh != 0)
        std::fill_n(rows.data() + i * g.w, g.w, 0.0f * epi.alpha(0));
    std::vector<const int16_t *> rowPointers(mr);
    const int64_t tapOffset = 0;
    for (int64_t task = begin; task < end; ++task) {
      int64_t yBlock = task % yBlocks, img = (task / yBlocks) % g.n,
              grp = task / (yBlocks * g.n);
      int64_t y0 = yBlock * rowsPerTask;
      int64_t numRows = std::min(rowsPerTask, rowsY - y0);
      int64_t count = numRows * rowsX, tiles = (count + nr - 1) / nr;
      // B: channel pairs of the task's pixels, zero where a forward pixel
      // reads past the input and past the last pixel.
      int64_t stepY = backwardData ? 1 : g.sh, stepX = backwardData ? 1 : g.sw;
      int64_t loadedRows = std::clamp<int64_t>(validY - y0, 0, numRows);
      auto rowStart = [&](int64_t channel, int64_t y) {
        return img * src[0] + channel * src[1] + (y0 + y) * stepY * src[2];
      };
      // The task's rows of a channel are one run when they are whole and
      // adjacent (backward-data's dense GY): one call, not one per row of
      // a few dozen codes.
      bool oneRun =
          stepX * src[3] == 1 && stepY * src[2] == rowsX && validX == rowsX;
      // B's quads on AVX512-VNNI, from the runs loaded as bytes, or from
      // the operand itself where its int8 codes are such runs.
      bool packQuads = u8 && nr == 32 && avx512vnni;
      bool quadsInPlace = packQuads && oneRun && act.i8;
      auto loadChannel = [&](int64_t j, auto *dstRun) {
        bool whole = oneRun && j < k;
        std::fill(dstRun + (whole ? loadedRows * rowsX : 0),
                  dstRun + tiles * nr, 0);
        if (j >= k)
          return;
        int64_t channel = grp * k + j;
        if (whole)
          loadCodeRows(act, rowStart(channel, 0), 1, loadedRows * rowsX, 1, 0,
                       channel, avx2, dstRun, 0, scratch.data());
        else
          loadCodeRows(act, rowStart(channel, 0), stepX * src[3], validX,
                       loadedRows, stepY * src[2], channel, avx2, dstRun, rowsX,
                       scratch.data());
      };
      // Each channel's rows are a plane apart from the next channel's: the
      // prefetcher does not follow, so the loads are prefetched a few
      // channels ahead (as in buildChannelsLast).
      constexpr int64_t kChannelsAhead = 4;
      auto prefetchChannel = [&](int64_t j) {
        if (j >= k)
          return;
        if (oneRun)
          prefetchSpan(act, rowStart(grp * k + j, 0), loadedRows * rowsX);
        else
          for (int64_t y = 0; y < loadedRows; ++y)
            prefetchSpan(act, rowStart(grp * k + j, y),
                         (validX - 1) * stepX * src[3] + 1);
      };
      for (int64_t j = 0; j < kChannelsAhead; ++j)
        prefetchChannel(j);
      // K in groups of `lane` channels: pairs (int16) or quads (u8).
      int64_t lane = u8 ? 4 : 2;
      if (u8)
        std::fill(bias.begin(), bias.begin() + tiles * nr, 0);
      for (int64_t group = 0; group < (u8 ? kQuads : kPadded) / lane; ++group) {
        if (packQuads) {
          const int8_t *channelRuns[4];
          for (int64_t i = 0; i < 4; ++i) {
            int64_t j = 4 * group + i;
            prefetchChannel(j + kChannelsAhead);
            if (quadsInPlace) {
              channelRuns[i] =
                  j < k ? act.i8 + rowStart(grp * k + j, 0) : nullptr;
              continue;
            }
            loadChannel(j, byteRuns[i].data());
            channelRuns[i] = byteRuns[i].data();
          }
          packQuadTilesAVX512VNNI(
              channelRuns, quadsInPlace ? loadedRows * rowsX : tiles * nr,
              tiles, kQuads * nr, quads.data() + 4 * group * nr, bias.data());
          continue;
        }
        for (int64_t i = 0; i < lane; ++i) {
          prefetchChannel(lane * group + i + kChannelsAhead);
          if (u8)
            loadChannel(lane * group + i, byteRuns[i].data());
          else
            loadChannel(lane * group + i, runs[i].data());
        }
        if (!u8) {
          transforms.interleavePairs(runs[0].data(), runs[1].data(), tiles * nr,
                                     nr, kPadded * nr,
                                     b.data() + group * 2 * nr);
          continue;
        }
        for (int64_t t = 0; t < tiles; ++t) {
          const int8_t *const tileRuns[4] = {
              byteRuns[0].data() + t * nr, byteRuns[1].data() + t * nr,
              byteRuns[2].data() + t * nr, byteRuns[3].data() + t * nr};
          interleaveByteQuads(tileRuns, nr,
                              quads.data() + (t * kQuads + 4 * group) * nr,
                              bias.data() + t * nr);
        }
      }
      for (int64_t i = 0; u8 && i < tiles * nr; ++i)
        bias[i] = byteBias(bias[i]);
      for (int64_t rowTile = 0; rowTile < rowTiles; ++rowTile) {
        int64_t validM = std::min(mr, rowsM - rowTile * mr);
        // Rows past the end repeat the last row; their results are dropped.
        for (int64_t r = 0; r < mr; ++r) {
          int64_t row = grp * rowsM + rowTile * mr + std::min(r, validM - 1);
          rowPointers[r] = a + row * kPadded;
          if (u8)
            byteRows[r] = a8.data() + row * kQuads;
        }
        for (int64_t t = 0; t < tiles; ++t) {
          if (u8) {
            uk.runBytes({byteRows.data(), &tapOffset, 1, kQuads / 4,
                         quads.data() + t * kQuads * nr, bias.data() + t * nr,
                         c.data() + t * mr * nr, false});
            continue;
          }
          MicroTile tile{rowPointers.data(),
                         &tapOffset,
                         1,
                         kPadded / 2,
                         b.data() + t * kPadded * nr,
                         c.data() + t * mr * nr,
                         false};
          uk.run(tile);
        }
        for (int64_t r = 0; r < validM; ++r) {
          int64_t ch = grp * rowsM + rowTile * mr + r;
          float alpha = epi.alpha(backwardData ? 0 : ch);
          float *plane = epi.out + img * dst[0] + ch * dst[1];
          if (!backwardData) {
            // The task's pixels are one run of the plane, NR per tile.
            for (int64_t t = 0; t < tiles; ++t)
              scaleRun(c.data() + (t * mr + r) * nr, &alpha, false,
                       std::min(nr, count - t * nr), plane + y0 * g.ow + t * nr,
                       stream);
            continue;
          }
          // The pixel run of channel `ch`.
          for (int64_t t = 0; t < tiles; ++t)
            std::memcpy(acc.data() + t * nr, c.data() + (t * mr + r) * nr,
                        nr * sizeof(int32_t));
          // GX rows [y0 SH, y1), one run: values at (y SH, x SW), 0 * alpha
          // elsewhere.
          int64_t firstRow = y0 * g.sh;
          int64_t numOut = std::min(g.h, (y0 + numRows) * g.sh) - firstRow;
          float *run = plane + firstRow * g.w;
          int64_t total = numOut * g.w;
          if (spread.group &&
              (!stream || reinterpret_cast<uintptr_t>(run) % 64 == 0)) {
            for (int64_t e = writeSpreadAVX512(spread, acc.data(), alpha, total,
                                               run, stream);
                 e < total; ++e) {
              int64_t source = spreadSource(g, rowsX, validX, e);
              run[e] = source < 0 ? 0.0f * alpha
                                  : static_cast<float>(acc[source]) * alpha;
            }
            continue;
          }
          // Every GY row of the task reaches GX (rowsY = validY).
          for (int64_t i = 0, y = 0; i < numOut; i += g.sh, ++y)
            spreadRow(acc.data() + y * rowsX, validX, g.sw, alpha, g.w,
                      rows.data() + i * g.w);
          storeRun(rows.data(), total, run, stream);
        }
      }
    }
    if (stream)
      _mm_sfence();
  });
}

void runForward(const Geometry &g, const Operand &x, FilterCodes &w,
                const Epilogue &epi, const Microkernel &uk,
                ConvAlgorithm algorithm) {
  if (usePointwise(g, epi, /*backwardData=*/false)) {
    runPointwise(g, x, w, epi, uk, /*backwardData=*/false);
    return;
  }
  WindowAxis ay = getWindowAxis(g.h, g.oh, g.kh, g.sh, g.dh, g.pt);
  WindowAxis ax = getWindowAxis(g.w, g.ow, g.kw, g.sw, g.dw, g.pl);
  int64_t cg = g.cg(), og = g.og();
  bool winograd = useWinogradOverChannels(g, uk, algorithm, cg);
  WinogradScheme scheme = getWinogradScheme(g.sh, /*backwardData=*/false);
  int64_t hb = ay.size, wb = ax.size;
  if (winograd) {
    // Output (y, x) reads buffer pixels (sh y + ky, sw x + kx).
    hb = std::max(hb, winogradExtent(scheme, 0, g.oh));
    wb = std::max(wb, winogradExtent(scheme, 0, g.ow));
  }
  // Bytes for the u8 x s8 microkernel (the direct form).
  ChannelsLast buf = buildChannelsLast(
      x, g.nhwc, g.n, g.c, g.groups, hb, wb, ay.placement, ax.placement,
      !winograd && uk.runBytes ? CodeForm::U8 : CodeForm::Int16);
  // Output [N, O, OH, OW] or [N, OH, OW, O]; column (grp, col) is channel
  // grp * og + col.
  const int64_t *st = epi.strides;
  const ActivationStrides strideOf(st, g.nhwc);
  GemmOutput output = makeGemmOutput(
      epi.out, g.o, strideOf.channel, [&](int64_t ch) { return epi.alpha(ch); },
      g.n * g.o * g.oh * g.ow);
  auto rowOffset = [&](int64_t img, int64_t y, int64_t x) {
    return img * st[0] + y * strideOf.row + x * strideOf.col;
  };
  if (winograd) {
    std::unique_ptr<int16_t[]> packed =
        packWinogradFilter(scheme, g.groups, og, buf.cp, cg, uk.nr,
                           getFilterView(g, w, /*backwardData=*/false));
    runWinograd(
        {&buf, g.oh, g.ow, 0, 0, packed.get(), og, g.groups, &output, &scheme},
        uk, rowOffset);
    return;
  }
  bool bytes = uk.runBytes != nullptr;
  PackedFilter packed =
      packFilter(getFilterView(g, w, /*backwardData=*/false, bytes), g.groups,
                 og, buf.cp, cg, uk.nr, bytes);
  DirectGemm p{&buf, g.n, g.oh,    g.ow, ay.outputStep, ax.outputStep, 0,
               0,    {},  &packed, og,   g.groups,      &output,       {}};
  for (int64_t ky = 0; ky < g.kh; ++ky)
    for (int64_t kx = 0; kx < g.kw; ++kx)
      p.tapOffsets.push_back((ky * ay.tapStep * ax.size + kx * ax.tapStep) *
                             buf.cp);
  if (g.taps() > 1 && g.oh <= kMaxClassifiedRows) {
    for (int64_t ky = 0; ky < g.kh; ++ky)
      for (int64_t kx = 0; kx < g.kw; ++kx) {
        p.reach.rows.push_back(ky * ay.tapStep);
        p.reach.cols.push_back(kx * ax.tapStep);
      }
    p.reach.inputRows[0] = ay.placement.at;
    p.reach.inputRows[1] = ay.placement.at + ay.placement.count;
    p.reach.inputCols[0] = ax.placement.at;
    p.reach.inputCols[1] = ax.placement.at + ax.placement.count;
  }
  runDirect(p, uk, rowOffset);
}

/// One stride phase of a backward-data: output positions (ih0 + y * SH,
/// iw0 + x * SW) for y < rowsY, x < rowsX, with the taps that reach them
/// (none: the positions hold 0 * alpha).
struct StridePhase {
  int64_t ih0, rowsY, iw0, rowsX;
  std::vector<int64_t> tapOffsets;
  PackedFilter packed;
};

/// The stride phases of a backward-data with an NCHW output and a width
/// stride, interleaved: a task computes R rows y of every phase (output
/// rows y * SH + ih0 of one image, for each height phase) and writes each
/// channel's output rows whole, in order. Run phase by phase, each phase
/// wrote every SW-th float of its rows (one store per value, every line
/// read again by the next phase); now each row is one run, and a line that
/// two rows share is completed by the same thread right away.
///
///   per phase k: GEMM rows (y, x), y < R, x < rowsX_k, tiled by MR
///   output row of channel ch:  | k0 x0 | k1 x0 | k0 x1 | k1 x1 | ...
///                              (SW = 2; k0, k1 the width phases of the
///                              row's height phase)
struct InterleavedPhases {
  const ChannelsLast *buf;
  std::vector<StridePhase> phases; // by ih0, then iw0
  int64_t n, sh, sw, padY, padX, width;
  int64_t cols, groups; // channels per group
  float alpha;
  float *out;
  int64_t imageStride, channelStride, rowStride;
  int64_t outputElements;
};

void runInterleaved(const InterleavedPhases &p, const Microkernel &uk) {
  bool stream = isStreamed(p.outputElements);
  PhaseTimer timer{stream ? "gemm, streamed" : "gemm"};
  int64_t mr = uk.mr, nr = uk.nr;
  int64_t colTiles = (p.cols + nr - 1) / nr;
  int64_t pairsPerTap = p.buf->cp / 2;
  int64_t numPhases = p.phases.size();
  int64_t maxRowsX = 1, maxRowsY = 1;
  for (const StridePhase &phase : p.phases) {
    maxRowsX = std::max(maxRowsX, phase.rowsX);
    maxRowsY = std::max(maxRowsY, phase.rowsY);
  }
  // About 8 row tiles per phase and task, as in runDirect.
  int64_t rowsPerTask = std::clamp<int64_t>(8 * mr / maxRowsX, 1, maxRowsY);
  int64_t yBlocks = (maxRowsY + rowsPerTask - 1) / rowsPerTask;
  const float alpha = p.alpha, zero = 0.0f * alpha;
  const __m128 alphas = _mm_set1_ps(alpha), zeroVector = _mm_set1_ps(zero);
  bool avx512 = getFeatures().avx512f;
  // 0 * alpha, NaN for a non-finite clip like every other output.
  const std::vector<float> zeroRow(p.width, zero);
  // Rows of a phase's accumulators per task, a multiple of MR.
  std::vector<int64_t> tileRows(numPhases);
  for (int64_t k = 0; k < numPhases; ++k) {
    int64_t rows = rowsPerTask * p.phases[k].rowsX;
    tileRows[k] = (rows + mr - 1) / mr * mr;
  }
  // The phases [first, second) of each height phase, in output row order.
  std::vector<std::pair<int64_t, int64_t>> heightPhases;
  for (int64_t k = 0; k < numPhases; ++k) {
    if (k == 0 || p.phases[k].ih0 != p.phases[k - 1].ih0)
      heightPhases.push_back({k, k});
    ++heightPhases.back().second;
  }
  bool u8 = p.buf->bytes != nullptr;
  // Every height phase with both width phases of SW = 2: on AVX-512, 16
  // channels' rows at a time straight from the accumulators
  // (interleaveChannelsAVX512), staged in output order, each channel's
  // rows of a task then written as one run.
  bool pairedWidths = avx512 && p.sw == 2;
  for (auto [k, kEnd] : heightPhases)
    pairedWidths &= kEnd - k == 2;
  int64_t maxStagedRows = rowsPerTask * heightPhases.size();
  int64_t channelRowsStride = maxStagedRows * p.width + 16;
  parallelFor(p.groups * p.n * yBlocks, [&](int64_t begin, int64_t end) {
    std::vector<float> channelRows(pairedWidths ? 16 * channelRowsStride : 0);
    std::vector<int64_t> stagedRows(maxStagedRows);
    std::vector<std::vector<int32_t>> blockC(numPhases), stage(numPhases);
    std::vector<std::vector<const int16_t *>> rowPointers(numPhases);
    std::vector<std::vector<const uint8_t *>> byteRows(numPhases);
    for (int64_t k = 0; k < numPhases; ++k) {
      blockC[k].resize(tileRows[k] * nr);
      stage[k].resize(nr * tileRows[k]);
      rowPointers[k].resize(tileRows[k]);
      byteRows[k].resize(u8 ? tileRows[k] : 0);
    }
    std::vector<float> row(p.width);
    std::vector<int64_t> tiles(numPhases);
    for (int64_t task = begin; task < end; ++task) {
      int64_t yBlock = task % yBlocks, img = (task / yBlocks) % p.n,
              g = task / (yBlocks * p.n);
      int64_t yBegin = yBlock * rowsPerTask;
      auto rowsOf = [&](const StridePhase &phase) {
        return std::clamp<int64_t>(phase.rowsY - yBegin, 0, rowsPerTask);
      };
      for (int64_t k = 0; k < numPhases; ++k) {
        const StridePhase &phase = p.phases[k];
        int64_t rows = rowsOf(phase) * phase.rowsX;
        tiles[k] = phase.tapOffsets.empty() ? 0 : (rows + mr - 1) / mr;
        // Rows past the end repeat the last row; their results are
        // dropped.
        for (int64_t r = 0, y = yBegin, x = 0; r < tiles[k] * mr; ++r) {
          if (r > 0 && r < rows && ++x == phase.rowsX) {
            x = 0;
            ++y;
          }
          if (u8)
            byteRows[k][r] = p.buf->bytePixel(g, img, p.padY + y, p.padX + x);
          else
            rowPointers[k][r] = p.buf->pixel(g, img, p.padY + y, p.padX + x);
        }
      }
      for (int64_t colTile = 0; colTile < colTiles; ++colTile) {
        int64_t validCols = std::min(nr, p.cols - colTile * nr);
        bool fused = pairedWidths && validCols % 16 == 0;
        for (int64_t k = 0; k < numPhases; ++k) {
          const StridePhase &phase = p.phases[k];
          int64_t bTile = g * colTiles + colTile;
          for (int64_t t = 0; t < tiles[k]; ++t) {
            if (u8) {
              uk.runBytes({byteRows[k].data() + t * mr, phase.tapOffsets.data(),
                           static_cast<int64_t>(phase.tapOffsets.size()),
                           phase.packed.quadsPerTap,
                           phase.packed.quadTile(bTile),
                           phase.packed.biasOf(bTile),
                           blockC[k].data() + t * mr * nr, false});
              continue;
            }
            MicroTile tile{rowPointers[k].data() + t * mr,
                           phase.tapOffsets.data(),
                           static_cast<int64_t>(phase.tapOffsets.size()),
                           pairsPerTap,
                           phase.packed.pairTile(bTile),
                           blockC[k].data() + t * mr * nr,
                           false};
            uk.run(tile);
          }
          if (tiles[k] && !fused)
            transpose32(blockC[k].data(), rowsOf(phase) * phase.rowsX,
                        validCols, nr, stage[k].data(), tileRows[k]);
        }
        for (int64_t j0 = 0; fused && j0 < validCols; j0 += 16) {
          int64_t staged = 0;
          for (int64_t y = 0; y < rowsPerTask; ++y)
            for (auto [k, kEnd] : heightPhases) {
              if (y >= rowsOf(p.phases[k]))
                continue;
              auto accOf = [&](int64_t w) -> const int32_t * {
                if (!tiles[w])
                  return nullptr;
                return blockC[w].data() + y * p.phases[w].rowsX * nr + j0;
              };
              interleaveChannelsAVX512(
                  accOf(k), p.phases[k].rowsX, accOf(k + 1),
                  p.phases[k + 1].rowsX, nr, alpha, zero, p.width,
                  channelRows.data() + staged * p.width, channelRowsStride);
              stagedRows[staged++] = p.phases[k].ih0 + (yBegin + y) * p.sh;
            }
          for (int64_t i = 0; i < 16; ++i) {
            float *plane =
                p.out + img * p.imageStride +
                (g * p.cols + colTile * nr + j0 + i) * p.channelStride;
            const float *rows = channelRows.data() + i * channelRowsStride;
            for (int64_t r = 0, run = 1; r < staged; r += run) {
              // Consecutive output rows of a dense plane: one run.
              for (run = 1; r + run < staged && p.rowStride == p.width &&
                            stagedRows[r + run] == stagedRows[r] + run;
                   ++run)
                ;
              storeRun(rows + r * p.width, run * p.width,
                       plane + stagedRows[r] * p.rowStride, stream);
            }
          }
        }
        if (fused)
          continue;
        for (int64_t j = 0; j < validCols; ++j) {
          float *plane = p.out + img * p.imageStride +
                         (g * p.cols + colTile * nr + j) * p.channelStride;
          for (int64_t y = 0; y < rowsPerTask; ++y) {
            // The output rows of this y, one per height phase, in order.
            for (auto [k, kEnd] : heightPhases) {
              if (y >= rowsOf(p.phases[k]))
                continue;
              auto accOf = [&](int64_t w) {
                return stage[w].data() + j * tileRows[w] +
                       y * p.phases[w].rowsX;
              };
              int64_t ih = p.phases[k].ih0 + (yBegin + y) * p.sh;
              float *dstRow = plane + ih * p.rowStride;
              bool anyTaps = false;
              for (int64_t w = k; w < kEnd; ++w)
                anyTaps |= tiles[w] != 0;
              if (!anyTaps) {
                // A row no tap reaches (a 1x1 stride-2 layer's odd rows).
                storeRun(zeroRow.data(), p.width, dstRow, stream);
                continue;
              }
              int64_t w = k;
              if (kEnd - k == 2 && p.sw == 2) {
                // Two width phases (iw0 = 0 and 1): their values alternate
                // along the row, four pairs at a time (cvtdq2ps and mulps
                // round like the scalar forms); a phase without taps
                // contributes `zero`.
                const int32_t *acc0 = tiles[k] ? accOf(k) : nullptr,
                              *acc1 = tiles[k + 1] ? accOf(k + 1) : nullptr;
                auto value = [&](const int32_t *acc, int64_t x) {
                  return acc ? static_cast<float>(acc[x]) * alpha : zero;
                };
                int64_t x = 0;
                if (avx512)
                  x = interleavePhasesAVX512(acc0, acc1, alpha, zero,
                                             p.phases[k + 1].rowsX, row.data());
                for (; x + 4 <= p.phases[k + 1].rowsX; x += 4) {
                  auto scaled = [&](const int32_t *acc) {
                    if (!acc)
                      return zeroVector;
                    return _mm_mul_ps(
                        _mm_cvtepi32_ps(_mm_loadu_si128(
                            reinterpret_cast<const __m128i *>(acc + x))),
                        alphas);
                  };
                  __m128 a = scaled(acc0), b = scaled(acc1);
                  _mm_storeu_ps(row.data() + 2 * x, _mm_unpacklo_ps(a, b));
                  _mm_storeu_ps(row.data() + 2 * x + 4, _mm_unpackhi_ps(a, b));
                }
                for (; 2 * x < p.width; ++x) {
                  row[2 * x] = value(acc0, x);
                  if (2 * x + 1 < p.width)
                    row[2 * x + 1] = value(acc1, x);
                }
                w = kEnd;
              }
              for (; w < kEnd; ++w) {
                const StridePhase &phase = p.phases[w];
                float *dst = row.data() + phase.iw0;
                if (!tiles[w]) {
                  for (int64_t x = 0; x < phase.rowsX; ++x)
                    dst[x * p.sw] = zero;
                  continue;
                }
                const int32_t *acc = accOf(w);
                for (int64_t x = 0; x < phase.rowsX; ++x)
                  dst[x * p.sw] = static_cast<float>(acc[x]) * alpha;
              }
              storeRun(row.data(), p.width, dstRow, stream);
            }
          }
        }
      }
    }
    if (stream)
      _mm_sfence();
  });
}

void runBackwardData(const Geometry &g, const Operand &gy, FilterCodes &w,
                     const Epilogue &epi, const Microkernel &uk,
                     ConvAlgorithm algorithm) {
  if (usePointwise(g, epi, /*backwardData=*/true)) {
    runPointwise(g, gy, w, epi, uk, /*backwardData=*/true);
    return;
  }
  // GX[ih] takes GY[oh] * W[kh] where ih + pt = oh*sh + kh*dh. With the
  // flipped tap kh' = KH-1-kh and P = (KH-1)*dh, that is
  //   oh = (ih + pt + kh'*dh - P) / sh    when sh divides it.
  // The rows of one stride phase (ih = ih0 + y*sh) and one tap kh' of that
  // phase (the taps that divide) read oh = base(kh') + y: stride 1 in GY.
  // So GY is stored undilated, padded by floor(P/sh) >= -base rows before
  // and up to the largest base + rows after, and each tap is an offset.
  int64_t py = (g.kh - 1) * g.dh, px = (g.kw - 1) * g.dw;
  int64_t padY = py / g.sh, padX = px / g.sw;
  int64_t hb = padY + std::max(g.oh, (g.pt + g.h - 1) / g.sh + 1);
  int64_t wb = padX + std::max(g.ow, (g.pl + g.w - 1) / g.sw + 1);
  int64_t cg = g.cg(), og = g.og();
  bool stride2 = g.sh == 2;
  bool winograd = useWinogradOverChannels(g, uk, algorithm, og);
  WinogradScheme scheme = getWinogradScheme(g.sh, /*backwardData=*/true);
  // Stride 1, P = 2: output (ih, iw) reads buffer pixels (ih + pt + ky',
  // iw + pl + kx') for the flipped taps (ky', kx'). Stride 2 (padY = 1):
  // the outputs of tile row m are padded rows 4 m .. 4 m + 3 (ih + pt), from
  // GY rows 2 m - 1 .. 2 m + 1, at buffer rows 2 m .. 2 m + 2.
  int64_t y0 = stride2 ? 0 : g.pt, x0 = stride2 ? 0 : g.pl;
  int64_t firstY = stride2 ? g.pt : 0, firstX = stride2 ? g.pl : 0;
  if (winograd) {
    hb = std::max(hb, winogradExtent(scheme, y0, g.h, firstY));
    wb = std::max(wb, winogradExtent(scheme, x0, g.w, firstX));
  }
  // Bytes for the u8 x s8 microkernel (every form here but Winograd).
  ChannelsLast buf = buildChannelsLast(
      gy, g.nhwc, g.n, g.o, g.groups, hb, wb, {0, g.oh, 1, padY},
      {0, g.ow, 1, padX},
      !winograd && uk.runBytes ? CodeForm::U8 : CodeForm::Int16);
  float alpha = epi.alpha(0);
  const int64_t *st = epi.strides;
  const ActivationStrides strideOf(st, g.nhwc);
  GemmOutput output = makeGemmOutput(
      epi.out, g.c, strideOf.channel, [&](int64_t) { return alpha; },
      g.n * g.c * g.h * g.w);
  if (winograd) {
    std::unique_ptr<int16_t[]> packed =
        packWinogradFilter(scheme, g.groups, cg, buf.cp, og, uk.nr,
                           getFilterView(g, w, /*backwardData=*/true));
    runWinograd({&buf, g.h, g.w, y0, x0, packed.get(), cg, g.groups, &output,
                 &scheme, firstY, firstX},
                uk, [&](int64_t img, int64_t y, int64_t x) {
                  return img * st[0] + y * strideOf.row + x * strideOf.col;
                });
    return;
  }
  // NCHW with a width stride: all stride phases are computed together and
  // the output written row by row, in order (runInterleaved).
  bool interleave = !g.nhwc && g.sw > 1 && strideOf.col == 1;
  // Otherwise, with a phase that no tap reaches (a 1x1 stride-2 layer has
  // three), a dense output is first filled with that phase's value, 0 *
  // alpha (NaN or -0 with a NaN or negative alpha, as in the reference), in
  // one streaming pass; the phases with taps then overwrite their positions.
  float zero = 0.0f * alpha;
  auto missesAPhase = [](int64_t k, int64_t dilation, int64_t stride) {
    std::vector<bool> reached(stride, false);
    for (int64_t t = 0; t < k; ++t)
      reached[t * dilation % stride] = true;
    return std::find(reached.begin(), reached.end(), false) != reached.end();
  };
  bool emptyPhase =
      missesAPhase(g.kh, g.dh, g.sh) || missesAPhase(g.kw, g.dw, g.sw);
  int64_t dims[4] = {g.n, g.nhwc ? g.h : g.c, g.nhwc ? g.w : g.h,
                     g.nhwc ? g.c : g.w};
  bool dense = st[3] == 1 && st[2] == dims[3] && st[1] == dims[2] * st[2] &&
               st[0] == dims[1] * st[1];
  bool filled = emptyPhase && dense && !interleave;
  if (filled) {
    int64_t chunk = 1 << 16, total = dims[0] * st[0];
    parallelFor((total + chunk - 1) / chunk, [&](int64_t begin, int64_t end) {
      std::fill(epi.out + begin * chunk, epi.out + std::min(total, end * chunk),
                zero);
    });
  }
  // The taps (ky, kx) that reach the phase whose first output position is
  // (ih0, iw0), the filter packed for them, and their buffer offsets.
  auto phaseTaps = [&](int64_t ih0, int64_t iw0) {
    std::vector<std::pair<int64_t, int64_t>> taps;
    for (int64_t ky = 0; ky < g.kh; ++ky)
      for (int64_t kx = 0; kx < g.kw; ++kx)
        if ((ih0 + g.pt + ky * g.dh - py) % g.sh == 0 &&
            (iw0 + g.pl + kx * g.dw - px) % g.sw == 0)
          taps.push_back({ky, kx});
    return taps;
  };
  bool bytes = uk.runBytes != nullptr;
  const FilterView flipped = getFilterView(g, w, /*backwardData=*/true, bytes);
  auto packTaps = [&](const std::vector<std::pair<int64_t, int64_t>> &taps) {
    FilterView view = flipped;
    view.tapOffsets.clear();
    for (auto [ky, kx] : taps)
      view.tapOffsets.push_back(flipped.tapOffsets[ky * g.kw + kx]);
    return packFilter(view, g.groups, cg, buf.cp, og, uk.nr, bytes);
  };
  auto tapOffsets = [&](int64_t ih0, int64_t iw0,
                        const std::vector<std::pair<int64_t, int64_t>> &taps) {
    std::vector<int64_t> offsets;
    for (auto [ky, kx] : taps) {
      int64_t baseY = (g.pt + ih0 + ky * g.dh - py) / g.sh;
      int64_t baseX = (g.pl + iw0 + kx * g.dw - px) / g.sw;
      offsets.push_back((baseY * wb + baseX) * buf.cp);
    }
    return offsets;
  };
  InterleavedPhases interleaved;
  interleaved.buf = &buf;
  interleaved.n = g.n;
  interleaved.sh = g.sh;
  interleaved.sw = g.sw;
  interleaved.padY = padY;
  interleaved.padX = padX;
  interleaved.width = g.w;
  interleaved.cols = cg;
  interleaved.groups = g.groups;
  interleaved.alpha = alpha;
  interleaved.out = epi.out;
  interleaved.imageStride = st[0];
  interleaved.channelStride = strideOf.channel;
  interleaved.rowStride = strideOf.row;
  interleaved.outputElements = g.n * g.c * g.h * g.w;
  // Each phase is its own GEMM over its taps only: no multiply-add is spent
  // on the zeros a dilated GY would hold.
  for (int64_t phaseY = 0; phaseY < g.sh; ++phaseY) {
    // First row of the phase and the number of its rows.
    int64_t ih0 = (((phaseY - g.pt) % g.sh) + g.sh) % g.sh;
    if (ih0 >= g.h)
      continue;
    int64_t rowsY = (g.h - 1 - ih0) / g.sh + 1;
    for (int64_t phaseX = 0; phaseX < g.sw; ++phaseX) {
      int64_t iw0 = (((phaseX - g.pl) % g.sw) + g.sw) % g.sw;
      if (iw0 >= g.w)
        continue;
      int64_t rowsX = (g.w - 1 - iw0) / g.sw + 1;
      auto taps = phaseTaps(ih0, iw0);
      if (interleave) {
        interleaved.phases.push_back(
            {ih0, rowsY, iw0, rowsX, tapOffsets(ih0, iw0, taps),
             taps.empty() ? PackedFilter() : packTaps(taps)});
        continue;
      }
      if (taps.empty()) {
        // No contribution: the epilogue of a zero accumulator.
        if (filled)
          continue;
        parallelFor(g.n * rowsY, [&](int64_t begin, int64_t end) {
          for (int64_t task = begin; task < end; ++task) {
            int64_t img = task / rowsY, y = ih0 + (task % rowsY) * g.sh;
            float *row = epi.out + img * st[0] + y * strideOf.row;
            // Innermost along the output's fastest dimension.
            if (g.nhwc) {
              for (int64_t x = 0; x < rowsX; ++x)
                for (int64_t ch = 0; ch < g.c; ++ch)
                  row[(iw0 + x * g.sw) * strideOf.col + ch * strideOf.channel] =
                      zero;
              continue;
            }
            for (int64_t ch = 0; ch < g.c; ++ch)
              for (int64_t x = 0; x < rowsX; ++x)
                row[ch * strideOf.channel + (iw0 + x * g.sw) * strideOf.col] =
                    zero;
          }
        });
        continue;
      }
      PackedFilter packed = packTaps(taps);
      DirectGemm p{&buf,    g.n,  rowsY,
                   rowsX,   1,    1,
                   padY,    padX, tapOffsets(ih0, iw0, taps),
                   &packed, cg,   g.groups,
                   &output, {}};
      if (taps.size() > 1 && rowsY <= kMaxClassifiedRows) {
        // The pixel of GY each tap reads (tapOffsets' baseY, baseX); GY is
        // at [padY, padY + OH) x [padX, padX + OW) of the buffer.
        for (auto [ky, kx] : taps) {
          p.reach.rows.push_back((g.pt + ih0 + ky * g.dh - py) / g.sh);
          p.reach.cols.push_back((g.pl + iw0 + kx * g.dw - px) / g.sw);
        }
        p.reach.inputRows[0] = padY;
        p.reach.inputRows[1] = padY + g.oh;
        p.reach.inputCols[0] = padX;
        p.reach.inputCols[1] = padX + g.ow;
      }
      runDirect(p, uk, [&](int64_t img, int64_t y, int64_t x) {
        return img * st[0] + (ih0 + y * g.sh) * strideOf.row +
               (iw0 + x * g.sw) * strideOf.col;
      });
    }
  }
  if (interleave) {
    std::sort(interleaved.phases.begin(), interleaved.phases.end(),
              [](const StridePhase &a, const StridePhase &b) {
                return std::make_pair(a.ih0, a.iw0) <
                       std::make_pair(b.ih0, b.iw0);
              });
    runInterleaved(interleaved, uk);
  }
}

/// Where backward-filter's GEMM left the accumulator of output channel ch
/// (of group grp, ch % OG within it), tap (ky, kx) and input channel c of
/// the group: data[grp * group + (ch % OG) * channel + tap * tapStride +
/// c * cStride], int32 or its bits as uint32 (Winograd's sums).
template <typename T> struct FilterAccumulators {
  const T *data;
  int64_t group, channel, tapStride, cStride;
};

/// Whether GW (strides `st`) is dense in its memory order: NCHW
/// [O][CG][KH][KW], NHWC [O][KH][KW][CG].
bool isDenseFilter(const Geometry &g, const int64_t *st) {
  int64_t dense[3] = {g.nhwc ? g.kw * g.cg() : g.taps(), g.nhwc ? g.cg() : g.kw,
                      1};
  return std::equal(dense, dense + 3, st + 1);
}

/// Backward-filter's epilogue, after the GEMM. A dense GW is written one
/// output channel's filter at a time, in its memory order (NCHW [CG][KH][KW],
/// NHWC [KH][KW][CG]): the values are scaled into a row in that order and
/// the row is stored as one run (streamed past kStreamBytes); stored from
/// the GEMM's tile order instead, each value was a store to another cache
/// line of a GW larger than the caches (9.4 MB for 512 channels, 3x3). The
/// accumulators are read in their own order (tap, then c). Where they have
/// the channels innermost (the planar form), a cache line holds 16
/// channels' values: a block of 16 filters is then filled at once (read a
/// channel at a time, each line came from L3 16 times: 0.64 ms for GW of
/// 256 x 256 x 3x3).
template <typename T>
void storeFilterGradient(const Geometry &g, const Epilogue &epi,
                         const FilterAccumulators<T> &acc) {
  int64_t cg = g.cg(), og = g.og(), taps = g.taps(), size = cg * taps;
  const int64_t *st = epi.strides;
  auto at = [&](int64_t ch, int64_t tap, int64_t c) {
    return acc.data + (ch / og) * acc.group + (ch % og) * acc.channel +
           tap * acc.tapStride + c * acc.cStride;
  };
  bool denseFilter = isDenseFilter(g, st);
  PhaseTimer timer{denseFilter ? "store" : "store, strided"};
  if (!denseFilter) {
    parallelFor(g.o, [&](int64_t begin, int64_t end) {
      for (int64_t ch = begin; ch < end; ++ch) {
        float alpha = epi.alpha(ch);
        for (int64_t c = 0; c < cg; ++c)
          for (int64_t ky = 0; ky < g.kh; ++ky)
            for (int64_t kx = 0; kx < g.kw; ++kx) {
              auto value = static_cast<int32_t>(*at(ch, ky * g.kw + kx, c));
              if (g.nhwc)
                epi.store(ch, ky, kx, c, value, alpha);
              else
                epi.store(ch, c, ky, kx, value, alpha);
            }
      }
    });
    return;
  }
  bool stream = isStreamed(g.o * size);
  // A row's position of (tap, c).
  int64_t tapStep = g.nhwc ? cg : 1, cStep = g.nhwc ? 1 : taps;
  // Blocks of 16 OIHW filters whose accumulators have the filters
  // innermost: each c's taps transposed in registers (with a scalar store
  // per value, GW of 256 x 256 x 3 x 3 took 0.26-0.28 ms, now 0.16-0.18).
  bool vectorTaps =
      !g.nhwc && taps <= 16 && acc.channel == 1 && getFeatures().avx512f;
  auto run = [&](auto blockSize) {
    int64_t blocksPerGroup = (og + blockSize - 1) / blockSize;
    parallelFor(g.groups * blocksPerGroup, [&](int64_t begin, int64_t end) {
      std::vector<float> rows(blockSize * size);
      float alpha[blockSize];
      for (int64_t block = begin; block < end; ++block) {
        int64_t offset = (block % blocksPerGroup) * blockSize;
        int64_t first = (block / blocksPerGroup) * og + offset;
        int64_t width = std::min<int64_t>(blockSize, og - offset);
        for (int64_t j = 0; j < width; ++j)
          alpha[j] = epi.alpha(first + j);
        const T *base = at(first, 0, 0);
        if constexpr (std::is_same_v<T, int32_t>) {
          if (vectorTaps && blockSize == 16 && width == 16) {
            // 16 filters' taps of each c at once: rows[j][c taps + tap].
            for (int64_t c = 0; c < cg; ++c)
              gatherFilterTapsAVX512(base + c * acc.cStride, acc.tapStride,
                                     taps, alpha, rows.data() + c * taps, size);
            for (int64_t j = 0; j < width; ++j)
              storeRun(rows.data() + j * size, size,
                       epi.out + (first + j) * st[0], stream);
            continue;
          }
        }
        for (int64_t tap = 0; tap < taps; ++tap)
          for (int64_t c = 0; c < cg; ++c) {
            const T *src = base + tap * acc.tapStride + c * acc.cStride;
            float *dst = rows.data() + tap * tapStep + c * cStep;
            for (int64_t j = 0; j < width; ++j)
              dst[j * size] =
                  static_cast<float>(static_cast<int32_t>(src[j])) * alpha[j];
          }
        for (int64_t j = 0; j < width; ++j)
          storeRun(rows.data() + j * size, size, epi.out + (first + j) * st[0],
                   stream);
      }
      if (stream)
        _mm_sfence();
    });
  };
  if (acc.channel == 1)
    run(std::integral_constant<int64_t, 16>());
  else
    run(std::integral_constant<int64_t, 1>());
}

void runBackwardFilter(const Geometry &g, const Operand &x, const Operand &gy,
                       const Epilogue &epi, const Microkernel &uk) {
  int64_t mr = uk.mr, nr = uk.nr;
  int64_t cg = g.cg(), og = g.og();
  WindowAxis ay = getWindowAxis(g.h, g.oh, g.kh, g.sh, g.dh, g.pt);
  WindowAxis ax = getWindowAxis(g.w, g.ow, g.kw, g.sw, g.dw, g.pl);
  // A 1x1 NCHW convolution without top or left padding packs B straight
  // from X's planes (see below); the others from a channels-last copy.
  bool fromPlanes = isPlanePointwise(g);
  // The u8 x s8 microkernel where the variant has one: A (GY) as bytes,
  // B packed as quads.
  bool u8 = uk.runBytes != nullptr;
  // X's codes as int8 bytes for the u8 x s8 microkernel (its B).
  assert((!u8 || nr % 16 == 0) && "interleaveByteQuads takes 16 columns");
  ChannelsLast buf{};
  if (!fromPlanes)
    buf = buildChannelsLast(x, g.nhwc, g.n, g.c, g.groups, ay.size, ax.size,
                            ay.placement, ax.placement,
                            u8 ? CodeForm::S8 : CodeForm::Int16);
  int64_t wb = ax.size;
  // A: GY codes as [G][O/G][N][P2] (P2 = pixels rounded up to even), so
  // that the K run of one image is contiguous for every output channel, or
  // for the u8 microkernel as bytes [G][O/G][N][P4] (P4 = pixels rounded up
  // to 4), each code + 128 (ByteTile), the pad code 0; quantized (or
  // widened) straight from the operand, one pass.
  int64_t pixels = g.oh * g.ow, p2 = roundUp(pixels, 2),
          p4 = roundUp(pixels, 4);
  // Every element is written below, the pads too: no zero fill (it was a
  // single-threaded memset of 6.4 MB on the 1x1 stride-2 layer).
  std::unique_ptr<int16_t[]> a(u8 ? nullptr : new int16_t[g.o * g.n * p2]);
  std::unique_ptr<uint8_t[]> a8(u8 ? new uint8_t[g.o * g.n * p4] : nullptr);
  bool avx2 = getFeatures().avx2;
  {
    PhaseTimer timer{"pack-gy"};
    const int64_t *st = gy.strides;
    const ActivationStrides strideOf(st, g.nhwc);
    // An NCHW plane is one run. The planes are read in GY's order (image,
    // then channel) and written to their rows of A (channel, then image):
    // in A's order consecutive reads were planes of different images, a
    // 7 x 7 plane of 49 bytes every 25 KB at 512 channels, each waiting on
    // memory (3x3-512-7: 0.45-1.0 ms).
    bool densePlane = strideOf.col == 1 && strideOf.row == g.ow;
    auto planeStart = [&](int64_t row) {
      return (row % g.n) * st[0] + (row / g.n) * strideOf.channel;
    };
    parallelFor(g.o * g.n, [&](int64_t begin, int64_t end) {
      // u8: loadByteRun's scratch (an f32 or strided GY).
      std::vector<int16_t> codes(u8 ? pixels : 0);
      for (int64_t plane = begin; plane < end; ++plane) {
        // (grp, o) flattened is the channel.
        int64_t ch = plane % g.o, row = ch * g.n + plane / g.o;
        if (u8) {
          uint8_t *bytes = a8.get() + row * p4;
          if (densePlane)
            loadByteRun(gy, planeStart(row), 1, pixels, ch, avx2, 128, bytes,
                        codes.data());
          else
            loadByteRows(gy, planeStart(row), strideOf.col, g.ow, g.oh,
                         strideOf.row, ch, avx2, 128, bytes, g.ow,
                         codes.data());
          std::fill(bytes + pixels, bytes + p4, uint8_t{128});
          continue;
        }
        int16_t *dst = a.get() + row * p2;
        if (densePlane)
          loadRun(gy, planeStart(row), 1, pixels, ch, 0, avx2, dst);
        else
          loadCodeRows(gy, planeStart(row), strideOf.col, g.ow, g.oh,
                       strideOf.row, ch, avx2, dst, g.ow, nullptr);
        if (p2 > pixels)
          dst[pixels] = 0;
      }
    });
  }
  // Columns (tap, c): the offset of column col from a pixel of the buffer.
  int64_t taps = g.taps(), cols = taps * cg;
  int64_t colTiles = (cols + nr - 1) / nr;
  std::vector<int64_t> colOffset(colTiles * nr, -1);
  for (int64_t col = 0; col < cols; ++col) {
    int64_t tap = col / cg, c = col % cg;
    colOffset[col] =
        ((tap / g.kw) * ay.tapStep * wb + (tap % g.kw) * ax.tapStep) * buf.cp +
        c;
  }
  // From planes: output pixel (y, x) reads X at (y SH, x SW) while that is
  // inside the image (zero past it: bottom or right padding).
  int64_t validX = std::min(g.ow, (g.w - 1) / g.sw + 1);
  int64_t validY = std::min(g.oh, (g.h - 1) / g.sh + 1);
  // Tiles of one tap and consecutive channels: a vector copy per pixel pair.
  // (interleave16AVX2 needs AVX2; interleaveByteQuads is SSE2.)
  std::vector<bool> contiguousTile(colTiles, getFeatures().avx2 || u8);
  for (int64_t tile = 0; tile < colTiles; ++tile) {
    const int64_t *offsets = colOffset.data() + tile * nr;
    for (int64_t j = 1; j < nr && contiguousTile[tile]; ++j)
      contiguousTile[tile] = offsets[j] == offsets[0] + j;
  }
  // The buffer offset of the window of each output pixel (tap 0).
  std::vector<int64_t> pixelOffsets(pixels);
  for (int64_t p = 0; p < pixels; ++p)
    pixelOffsets[p] =
        ((p / g.ow) * ay.outputStep * wb + (p % g.ow) * ax.outputStep) * buf.cp;
  // The quads [first, last) of each image's pixels that a column tile's
  // K runs over (u8 from the channels-last buffer): where the tile's
  // columns share one tap, the output rows whose tap row is padding are
  // left out (whole quads of them; their B is zero), e.g. a quad of 13 at
  // the top or two at the bottom of a 7 x 7 layer padded by 1.
  std::vector<std::pair<int64_t, int64_t>> tileQuads(colTiles, {0, p4 / 4});
  for (int64_t tile = 0; u8 && !fromPlanes && tile < colTiles; ++tile) {
    int64_t first = tile * nr, last = std::min(cols, first + nr) - 1;
    int64_t ky = first / cg / g.kw;
    if (first / cg != last / cg)
      continue;
    // Output rows y whose tap row y OutputStep + ky TapStep holds input.
    int64_t y0 = 0, y1 = g.oh;
    auto inside = [&](int64_t y) {
      int64_t row = y * ay.outputStep + ky * ay.tapStep;
      return row >= ay.placement.at &&
             row < ay.placement.at + ay.placement.count;
    };
    while (y0 < y1 && !inside(y0))
      ++y0;
    while (y1 > y0 && !inside(y1 - 1))
      --y1;
    if (y0 < y1)
      tileQuads[tile] = {y0 * g.ow / 4, (y1 * g.ow + 3) / 4};
  }
  int64_t rowTiles = (og + mr - 1) / mr;
  // Column tiles are processed in blocks that share each A row tile while
  // it is in L1 (A, all of GY, is re-read once per block), and K in blocks
  // of images that keep the block's packed B within ~192 KiB of L2. Where
  // the accumulators of all column blocks of a group fit in L2 (up to
  // kMaxImageOuterAccBytes; 288 KiB at 3x3s2-64-128-56), a task runs all of
  // them for each block of images ("images outer"): an image's X
  // (channels-last) and GY rows then come from memory once and from L2 for
  // the other column blocks, not from L3 for each (its GEMM phase 6.4 ->
  // 5.9 ms there).
  //
  // Where they do not (3x3-512-7: 9.4 MB), a task instead runs the tiles
  // of one tile of input channels at every tap, in blocks of a few taps,
  // images outer ("per channel tile"), if their accumulators fit in L2 (up
  // to kMaxChannelTileAccBytes; 594 KiB at 3x3-512-7): it then holds whole
  // filters of those channels and writes them to GW itself, each output
  // channel's as a contiguous run of NR x taps floats (NCHW), not through
  // an int32 copy of all of GW written, read and stored again (1.1-1.5 ms
  // of that layer's 13 ms).
  constexpr int64_t kColTilesPerBlock = 4;
  constexpr int64_t kMaxImageOuterAccBytes = 384 << 10,
                    kMaxChannelTileAccBytes = 640 << 10;
  int64_t accBytes = og * cols * static_cast<int64_t>(sizeof(int32_t));
  int64_t threads = getNumThreads();
  auto balanced = [&](int64_t tasks) {
    int64_t perThread = (tasks + threads - 1) / threads;
    return 8 * perThread * threads <= 9 * tasks;
  };
  int64_t channelTiles = cg / nr;
  int64_t wholeFilterAccBytes =
      taps * rowTiles * mr * nr * static_cast<int64_t>(sizeof(int32_t));
  // (At least 3 taps: with fewer, a block would hold fewer tiles than the
  // column blocks' 4 over the same A rows.)
  bool perChannelTile =
      accBytes > kMaxImageOuterAccBytes && taps >= 3 && cg % nr == 0 &&
      wholeFilterAccBytes <= kMaxChannelTileAccBytes &&
      balanced(g.groups * channelTiles) && isDenseFilter(g, epi.strides);
  // perChannelTile: a channel tile's taps in even blocks of at most
  // kColTilesPerBlock (9 taps: 3 blocks of 3).
  int64_t blocksPerChannelTile =
      (taps + kColTilesPerBlock - 1) / kColTilesPerBlock;
  int64_t tilesPerBlock =
      perChannelTile ? (taps + blocksPerChannelTile - 1) / blocksPerChannelTile
                     : kColTilesPerBlock;
  int64_t colBlocks = perChannelTile
                          ? channelTiles * blocksPerChannelTile
                          : (colTiles + tilesPerBlock - 1) / tilesPerBlock;
  // Column tile tb of block `block` of a group, and the block's tiles: its
  // own, or under perChannelTile, its channel tile's at taps
  // (block % blocksPerChannelTile) * tilesPerBlock + tb.
  auto tileOf = [&](int64_t block, int64_t tb) {
    if (!perChannelTile)
      return block * tilesPerBlock + tb;
    int64_t tap = (block % blocksPerChannelTile) * tilesPerBlock + tb;
    return tap * channelTiles + block / blocksPerChannelTile;
  };
  auto tilesIn = [&](int64_t block) {
    return perChannelTile
               ? std::min(tilesPerBlock,
                          taps - (block % blocksPerChannelTile) * tilesPerBlock)
               : std::min(tilesPerBlock, colTiles - block * tilesPerBlock);
  };
  // Elements of a packed B tile per image: int16 pairs, or int8 quads.
  int64_t tileImageSize = (u8 ? p4 : p2) * nr;
  int64_t imagesPerBlock =
      std::max<int64_t>(1, (192 * 1024) / (tilesPerBlock * tileImageSize * 2));
  imagesPerBlock = std::min(imagesPerBlock, g.n);
  // Few column tasks (a 1x1 layer with 64 input channels has one) left
  // threads idle or unevenly loaded: K (the images) is then split too,
  // into as few parts as keep the busiest thread within 1/8 of the mean,
  // each part's accumulators within kMaxPartBytes. Each part accumulates
  // on its own; the parts are summed below (int32 sums wrap, so the order
  // does not change the bits).
  bool imageOuter = colBlocks > 1 && accBytes <= kMaxImageOuterAccBytes;
  int64_t blocksPerTask = imageOuter       ? colBlocks
                          : perChannelTile ? blocksPerChannelTile
                                           : 1;
  int64_t tasksPerGroup = (colBlocks + blocksPerTask - 1) / blocksPerTask;
  int64_t columnTasks = g.groups * tasksPerGroup;
  int64_t kParts = 1;
  constexpr int64_t kMaxPartBytes = 64 << 20;
  while (kParts < g.n && !balanced(columnTasks * kParts) &&
         (kParts + 1) * g.o * cols * static_cast<int64_t>(sizeof(int32_t)) <=
             kMaxPartBytes)
    ++kParts;
  // The accumulators of every output channel, [O][taps][CG] (= [O][cols]),
  // per K part; every element is written by the tasks (no zero fill, 9.4
  // MB on one thread at 512 channels).
  std::unique_ptr<int32_t[]> staged(
      perChannelTile ? nullptr : new int32_t[kParts * g.o * cols]);
  bool stream = isStreamed(g.o * cols);

  std::string phase = std::string(fromPlanes ? "gemm from planes" : "gemm") +
                      (kParts > 1 ? ", K split" : "") +
                      (imageOuter ? ", images outer" : "") +
                      (perChannelTile ? ", per channel tile" : "");
  PhaseTimer timer{phase.c_str()};
  int64_t blockAccSize = tilesPerBlock * rowTiles * mr * nr;
  // perChannelTile's epilogue: the filters of input channels [c0, c0 + NR)
  // of group grp from the task's accumulators ([tap][row tile][MR][NR]:
  // its blocks' in order), each output channel's as one run of GW (NCHW
  // [CG][KH][KW]) or a run per tap (NHWC [KH][KW][CG]).
  auto storeChannelTile = [&](int64_t grp, int64_t c0, const int32_t *tiles) {
    std::vector<float> run(nr * taps);
    int64_t tapStep = g.nhwc ? nr : 1, cStep = g.nhwc ? 1 : taps;
    // OIHW: each channel's taps are a run (a 3 x 3 layer's 9 floats).
    bool vectorTaps =
        !g.nhwc && taps <= 16 && nr % 16 == 0 && getFeatures().avx512f;
    for (int64_t o = 0; o < og; ++o) {
      int64_t ch = grp * og + o;
      float alpha = epi.alpha(ch);
      const int32_t *values = tiles + ((o / mr) * mr + o % mr) * nr;
      int64_t tapStride = rowTiles * mr * nr;
      if (vectorTaps) {
        float alphas[16];
        std::fill_n(alphas, 16, alpha);
        for (int64_t j0 = 0; j0 < nr; j0 += 16)
          gatherFilterTapsAVX512(values + j0, tapStride, taps, alphas,
                                 run.data() + j0 * taps, taps);
      } else {
        for (int64_t tap = 0; tap < taps; ++tap)
          for (int64_t j = 0; j < nr; ++j)
            run[tap * tapStep + j * cStep] =
                static_cast<float>(values[tap * tapStride + j]) * alpha;
      }
      float *filter = epi.out + ch * epi.strides[0];
      if (!g.nhwc) {
        storeRun(run.data(), nr * taps, filter + c0 * taps, stream);
        continue;
      }
      for (int64_t tap = 0; tap < taps; ++tap)
        storeRun(run.data() + tap * nr, nr, filter + tap * cg + c0, stream);
    }
  };
  parallelFor(columnTasks * kParts, [&](int64_t begin, int64_t end) {
    std::vector<int32_t> acc(blocksPerTask * blockAccSize);
    std::vector<int16_t> packed(
        u8 ? 0 : tilesPerBlock * imagesPerBlock * tileImageSize);
    std::vector<int8_t> quads(
        u8 ? tilesPerBlock * imagesPerBlock * tileImageSize : 0);
    // Per column of the block: its sum over the images of the block, then
    // the bias -128 x that sum.
    std::vector<int32_t> bias(u8 ? tilesPerBlock * nr : 0);
    std::vector<const int16_t *> rowPointers(rowTiles * mr);
    std::vector<const uint8_t *> byteRows(u8 ? rowTiles * mr : 0);
    std::vector<int64_t> tapOffsets(imagesPerBlock);
    // u8: each tile's K runs, from its first quad (tileQuads).
    std::vector<int64_t> tileOffsets(u8 ? tilesPerBlock * imagesPerBlock : 0);
    // (u8: loadByteRun's scratch.)
    std::vector<int16_t> planeRuns(fromPlanes ? nr * p4 : 0);
    std::vector<int8_t> planeBytes(fromPlanes && u8 ? nr * p4 : 0);
    const std::vector<int8_t> zeroRun(nr, 0);
    // From planes: the NR channels of column tile `colTile` of group `grp`
    // in image `img` as runs of its pixels at `runs` (int16 codes, or u8
    // bytes), `length` apart, zero past the pixels. Each channel's rows are
    // a plane apart: the next channel's are prefetched while one is loaded.
    auto loadPlaneRuns = [&](int64_t grp, int64_t img, int64_t colTile,
                             int64_t length, auto *runs) {
      const int64_t *st = x.strides;
      const int64_t *offsets = colOffset.data() + colTile * nr;
      int64_t first = grp * cg + colTile * nr;
      auto rowStart = [&](int64_t j, int64_t y) {
        return img * st[0] + (first + j) * st[1] + y * g.sh * st[2];
      };
      int64_t step = g.sw * st[3];
      for (int64_t j = 0; j < nr; ++j) {
        auto *run = runs + j * length;
        std::fill(run + (validX == g.ow ? validY * g.ow : 0), run + length, 0);
        if (offsets[j] < 0) {
          std::fill(run, run + length, 0);
          continue;
        }
        if (j + 1 < nr && offsets[j + 1] >= 0)
          for (int64_t y = 0; y < validY; ++y)
            prefetchSpan(x, rowStart(j + 1, y), (validX - 1) * step + 1);
        loadCodeRows(x, rowStart(j, 0), step, validX, validY, g.sh * st[2],
                     first + j, avx2, run, g.ow, planeRuns.data());
      }
    };
    // Packs B of column tile `colTile` (tile tb of its block) for images
    // [img0, img0 + images) of group `grp`: u8 quads with the columns'
    // sums in `bias` (and each image's K offset in tileOffsets), or int16
    // pairs.
    auto packTile = [&](int64_t grp, int64_t img0, int64_t images,
                        int64_t colTile, int64_t tb) {
      const int64_t *offsets = colOffset.data() + colTile * nr;
      bool contiguous = contiguousTile[colTile];
      auto [firstQuad, lastQuad] = tileQuads[colTile];
      for (int64_t i = 0; u8 && i < images; ++i) {
        // Quads of four pixels, [quads][NR][4], and the columns' sums.
        tileOffsets[tb * imagesPerBlock + i] = tapOffsets[i] + 4 * firstQuad;
        int8_t *dst = quads.data() + tb * imagesPerBlock * tileImageSize +
                      i * (lastQuad - firstQuad) * 4 * nr;
        int32_t *sums = bias.data() + tb * nr;
        if (fromPlanes) {
          // The runs as bytes, transposed as 32-bit quads.
          loadPlaneRuns(grp, img0 + i, colTile, p4, planeBytes.data());
          for (int64_t j = 0; j < nr; ++j)
            addWrapping(sums[j], sumBytes(planeBytes.data() + j * p4, p4));
          transpose32(planeBytes.data(), nr, p4 / 4, p4 / 4, dst, nr);
          continue;
        }
        const int8_t *image = reinterpret_cast<const int8_t *>(
            buf.bytePixel(grp, img0 + i, 0, 0));
        // Prefetched ahead as in the int16 packing below.
        constexpr int64_t kPrefetchPixels = 16;
        int64_t firstPixel = 4 * firstQuad,
                endPixel = std::min(pixels, 4 * lastQuad);
        for (int64_t p = firstPixel;
             p < std::min(firstPixel + kPrefetchPixels, endPixel); ++p)
          __builtin_prefetch(image + pixelOffsets[p] + offsets[0]);
        for (int64_t p = firstPixel; p < endPixel; p += 4, dst += 4 * nr) {
          for (int64_t q = p + kPrefetchPixels;
               q < std::min(p + kPrefetchPixels + 4, pixels); ++q)
            __builtin_prefetch(image + pixelOffsets[q] + offsets[0]);
          const int8_t *src[4];
          for (int q = 0; q < 4; ++q)
            src[q] = p + q < pixels ? image + pixelOffsets[p + q] : nullptr;
          if (contiguous) {
            // Pixels past the last (the quad's padding) read zeros.
            const int8_t *runs[4];
            for (int q = 0; q < 4; ++q)
              runs[q] = src[q] ? src[q] + offsets[0] : zeroRun.data();
            interleaveByteQuads(runs, nr, dst, sums);
            continue;
          }
          for (int64_t j = 0; j < nr; ++j)
            for (int q = 0; q < 4; ++q) {
              int8_t v = offsets[j] >= 0 && src[q] ? src[q][offsets[j]] : 0;
              dst[4 * j + q] = static_cast<int8_t>(v);
              addWrapping(sums[j], v);
            }
        }
      }
      for (int64_t i = 0; !u8 && i < images; ++i) {
        int16_t *dst =
            packed.data() + (tb * imagesPerBlock + i) * tileImageSize;
        if (fromPlanes) {
          // [P2 / 2][NR][2]: the runs transposed as 32-bit pairs.
          loadPlaneRuns(grp, img0 + i, colTile, p2, planeRuns.data());
          transpose32(planeRuns.data(), nr, p2 / 2, p2 / 2, dst, nr);
          continue;
        }
        const int16_t *image = buf.pixel(grp, img0 + i, 0, 0);
        // The pixels' lines come from L3 or memory (a column block
        // reads every pixel of the buffer once): prefetched a few
        // pairs ahead, the loads stalled a third of the time.
        constexpr int64_t kPrefetchPixels = 16;
        for (int64_t p = 0; p < std::min(kPrefetchPixels, pixels); ++p)
          __builtin_prefetch(image + pixelOffsets[p] + offsets[0]);
        for (int64_t p = 0; p < pixels; p += 2, dst += 2 * nr) {
          for (int64_t q = p + kPrefetchPixels;
               q < std::min(p + kPrefetchPixels + 2, pixels); ++q)
            __builtin_prefetch(image + pixelOffsets[q] + offsets[0]);
          const int16_t *src0 = image + pixelOffsets[p];
          const int16_t *src1 =
              p + 1 < pixels ? image + pixelOffsets[p + 1] : nullptr;
          if (contiguous && src1) {
            for (int64_t j = 0; j < nr; j += 16)
              interleave16AVX2(src0 + offsets[j], src1 + offsets[j],
                               dst + 2 * j);
            continue;
          }
          for (int64_t j = 0; j < nr; ++j) {
            bool valid = offsets[j] >= 0;
            dst[2 * j] = valid ? src0[offsets[j]] : 0;
            dst[2 * j + 1] = valid && src1 ? src1[offsets[j]] : 0;
          }
        }
      }
    };
    for (int64_t task = begin; task < end; ++task) {
      int64_t part = task % kParts, columnTask = task / kParts;
      int64_t grp = columnTask / tasksPerGroup,
              firstBlock = (columnTask % tasksPerGroup) * blocksPerTask;
      int64_t numBlocks = std::min(blocksPerTask, colBlocks - firstBlock);
      int64_t imgBegin = part * g.n / kParts,
              imgEnd = (part + 1) * g.n / kParts;
      for (int64_t r = 0; r < rowTiles * mr; ++r) {
        int64_t row = (grp * og + std::min(r, og - 1)) * g.n;
        if (u8)
          byteRows[r] = a8.get() + row * p4;
        else
          rowPointers[r] = a.get() + row * p2;
      }
      for (int64_t img0 = imgBegin; img0 < imgEnd; img0 += imagesPerBlock) {
        int64_t images = std::min(imagesPerBlock, imgEnd - img0);
        for (int64_t i = 0; i < images; ++i)
          tapOffsets[i] = (img0 + i) * (u8 ? p4 : p2);
        for (int64_t blockIndex = 0; blockIndex < numBlocks; ++blockIndex) {
          int64_t block = firstBlock + blockIndex;
          int64_t numTiles = tilesIn(block);
          int32_t *blockAcc = acc.data() + blockIndex * blockAccSize;
          std::fill(bias.begin(), bias.end(), 0);
          for (int64_t tb = 0; tb < numTiles; ++tb)
            packTile(grp, img0, images, tileOf(block, tb), tb);
          for (int32_t &sum : bias)
            sum = byteBias(sum);
          for (int64_t t = 0; t < rowTiles; ++t)
            for (int64_t tb = 0; tb < numTiles; ++tb) {
              if (u8) {
                auto [firstQuad, lastQuad] = tileQuads[tileOf(block, tb)];
                uk.runBytes({byteRows.data() + t * mr,
                             tileOffsets.data() + tb * imagesPerBlock, images,
                             lastQuad - firstQuad,
                             quads.data() + tb * imagesPerBlock * tileImageSize,
                             bias.data() + tb * nr,
                             blockAcc + (tb * rowTiles + t) * mr * nr,
                             img0 > imgBegin});
                continue;
              }
              MicroTile tile{rowPointers.data() + t * mr,
                             tapOffsets.data(),
                             images,
                             p2 / 2,
                             packed.data() +
                                 tb * imagesPerBlock * tileImageSize,
                             blockAcc + (tb * rowTiles + t) * mr * nr,
                             img0 > imgBegin};
              uk.run(tile);
            }
        }
      }
      if (perChannelTile) {
        storeChannelTile(grp, firstBlock / blocksPerChannelTile * nr,
                         acc.data());
        continue;
      }
      int64_t taskTiles = std::min(numBlocks * tilesPerBlock,
                                   colTiles - firstBlock * tilesPerBlock);
      for (int64_t tile = 0; tile < taskTiles; ++tile) {
        int64_t colTile =
            tileOf(firstBlock + tile / tilesPerBlock, tile % tilesPerBlock);
        int64_t validCols = std::min(nr, cols - colTile * nr);
        // The task's blocks' accumulators are its tiles' in order.
        const int32_t *tileAcc = acc.data() + tile * rowTiles * mr * nr;
        for (int64_t o = 0; o < og; ++o)
          std::copy(tileAcc + o * nr, tileAcc + o * nr + validCols,
                    staged.get() + ((part * g.o) + grp * og + o) * cols +
                        colTile * nr);
      }
    }
    if (perChannelTile && stream)
      _mm_sfence();
  });
  if (kParts > 1) {
    int64_t size = g.o * cols;
    parallelFor(size, [&](int64_t begin, int64_t end) {
      for (int64_t part = 1; part < kParts; ++part)
        for (int64_t i = begin; i < end; ++i)
          staged[i] = static_cast<int32_t>(
              static_cast<uint32_t>(staged[i]) +
              static_cast<uint32_t>(staged[part * size + i]));
    });
  }
  timer.stop();
  if (!perChannelTile)
    storeFilterGradient(
        g, epi,
        FilterAccumulators<int32_t>{staged.get(), og * cols, cols, cg, 1});
}

/// Tiles of one part of a Winograd backward-filter: |GW| of a part is below
/// 4 * 8191 * 128^2 < 2^29, so it is recovered from its 4 GW modulo 2^32.
constexpr int64_t kWinogradPartTiles = 8191;
/// The largest MR and NR of the microkernels.
constexpr int64_t kMaxMR = 16, kMaxNR = 32;

/// Backward-filter of a 3x3 stride-1 convolution as the transpose of the
/// forward's Winograd F(2x2, 3x3):
///
///   GW = G^T [ sum_t (A GY_t A^T) . (B^T X_t B) ] G
///
/// over the 2x2 tiles t of GY (zero past its edges) and the 4x4 windows of
/// X they read. Per position xi a GEMM M_xi[o][c] = sum_t gHat_xi[t][o]
/// V_xi[t][c], K = the tiles, and 4 GW = G2^T M G2 in integers. Tiles are
/// taken a chunk at a time, transformed a pair of tiles at a time into both
/// operands packed in pairs of K (A [xi][t / 2][O][2], read with a pair
/// stride of 2 O; B [xi][column tile][t / 2][NR][2]), and multiplied into
/// M. The chunks of one part (at most kWinogradPartTiles
/// tiles) accumulate in M, whose GW is then recovered and added, wrapping
/// like the direct form's int32 sums, to the result.
///
/// Stride 2 is the transpose of the forward's polyphase F(2x2, 3x3) (the
/// even and odd taps of each axis as F(2, 2) and a plain product): 25
/// positions, 5x5 windows of X, gHat = A2 GY A2^T and GW = G2s^T M G2s, no
/// division, so exact modulo 2^32 without parts (WinogradTransforms.h).
///
/// Two ways to share the work: with M small (up to 2 MiB, about 180
/// channels) each
/// thread takes its own chunks, small enough for its transformed operands to
/// stay in cache, into its own M; otherwise every stage of a (larger) chunk
/// is split over the threads, M shared (at 512 channels it is 16 MiB).
void runBackwardFilterWinograd(const Geometry &g, const Operand &x,
                               const Operand &gy, const Epilogue &epi,
                               const Microkernel &uk) {
  int64_t mr = uk.mr, nr = uk.nr, cg = g.cg(), og = g.og();
  assert(mr <= kMaxMR && nr <= kMaxNR && "a tile past the stage buffers");
  const WinogradTransforms &transforms = getWinogradTransforms();
  bool stride2 = g.sh == 2;
  // The forward's scheme: its positions, X's windows and their transform.
  const WinogradScheme scheme = getWinogradScheme(g.sh, /*backwardData=*/false);
  auto gradient = stride2 ? transforms.gradientStride2 : transforms.gradient;
  int64_t positions = scheme.positions, size = scheme.window;
  WindowAxis ay = getWindowAxis(g.h, g.oh, 3, g.sh, 1, g.pt);
  WindowAxis ax = getWindowAxis(g.w, g.ow, 3, g.sw, 1, g.pl);
  ChannelsLast bufX =
      buildChannelsLast(x, g.nhwc, g.n, g.c, g.groups,
                        std::max(ay.size, winogradExtent(scheme, 0, g.oh)),
                        std::max(ax.size, winogradExtent(scheme, 0, g.ow)),
                        ay.placement, ax.placement);
  // X's windows; GY's 2x2 tiles are rows 0 and 1 of the same tiles' windows
  // (2 apart) in a buffer of whole tiles.
  const WinogradTiles grid(&bufX, g.oh, g.ow, 0, 0, scheme.step);
  int64_t tiles = grid.count();
  ChannelsLast bufY =
      buildChannelsLast(gy, g.nhwc, g.n, g.o, g.groups, 2 * grid.tilesY,
                        2 * grid.tilesX, {0, g.oh, 1, 0}, {0, g.ow, 1, 0});
  const WinogradTiles gyGrid(&bufY, g.oh, g.ow, 0, 0, 2);
  int64_t cpX = bufX.cp, cpY = bufY.cp;
  int64_t rowTiles = (og + mr - 1) / mr, colTiles = (cg + nr - 1) / nr;
  // M per group and position, in tiles: [rowTiles][colTiles][MR][NR].
  int64_t mSize = rowTiles * colTiles * mr * nr;
  bool perThread = g.groups * positions * mSize * 4 <= (2 << 20);
  // Tiles per chunk, a multiple of 64 (B's K pairs): transformed operands of
  // about 256 KiB per thread (per-thread M), else of about 8 MiB but at
  // least 256 tiles, since every chunk reads and writes all of M.
  int64_t tileBytes = g.groups * positions * 2 * (og + colTiles * nr);
  int64_t chunk =
      perThread
          ? std::max<int64_t>((256 << 10) / tileBytes / 64 * 64, 64)
          : std::clamp<int64_t>((8 << 20) / tileBytes / 64 * 64, 256, 1024);
  // Stride 2 has no parts: its GW is exact modulo 2^32 like the sums.
  int64_t chunksPerPart =
      stride2 ? INT64_MAX : std::max<int64_t>(kWinogradPartTiles / chunk, 1);
  int64_t chunks = (tiles + chunk - 1) / chunk;
  int64_t bTileSize = chunk * nr;
  const int64_t zeroOffset = 0;

  struct Buffers {
    std::vector<int16_t> a, b;
    std::vector<int32_t> m;
  };
  auto makeBuffers = [&] {
    return Buffers{
        std::vector<int16_t>(g.groups * positions * og * chunk),
        // B's columns past CG stay zero.
        std::vector<int16_t>(g.groups * positions * colTiles * bTileSize),
        std::vector<int32_t>(g.groups * positions * mSize)};
  };
  // The stages of chunk [first, first + count), each over a range of its
  // tasks: pairs of tiles per group, (group, xi, row tile).
  auto pairsOf = [](int64_t count) { return (count + 1) / 2; };
  auto transform = [&](Buffers &buf, int64_t first, int64_t count,
                       int64_t begin, int64_t end) {
    // The pair's transformed tiles, [tile][xi][channel].
    std::vector<int16_t> v(2 * positions * cpX), gHat(2 * positions * cpY);
    int64_t pairs = pairsOf(count);
    for (int64_t task = begin; task < end; ++task) {
      int64_t grp = task / pairs, pair = task % pairs;
      for (int64_t k = 0; k < 2; ++k) {
        int64_t t = 2 * pair + k;
        int16_t *vk = v.data() + k * positions * cpX;
        int16_t *gk = gHat.data() + k * positions * cpY;
        if (t >= count) {
          // The odd tile of K's last pair: zeros.
          std::fill(vk, vk + positions * cpX, 0);
          std::fill(gk, gk + positions * cpY, 0);
          continue;
        }
        if (t + 2 < count) {
          grid.prefetchWindow(grp, first + t + 2, size);
          gyGrid.prefetchWindow(grp, first + t + 2, 2);
        }
        const int16_t *windowX[5], *windowY[2];
        for (int i = 0; i < size; ++i)
          windowX[i] = grid.windowRow(grp, first + t, i);
        for (int i = 0; i < 2; ++i)
          windowY[i] = gyGrid.windowRow(grp, first + t, i);
        scheme.input(windowX, cpX, vk, cpX);
        gradient(windowY, cpY, gk, cpY);
      }
      for (int64_t xi = 0; xi < positions; ++xi) {
        transforms.interleavePairs(
            v.data() + xi * cpX, v.data() + (positions + xi) * cpX, cg, nr,
            bTileSize,
            buf.b.data() + (grp * positions + xi) * colTiles * bTileSize +
                pair * 2 * nr);
        // A: one "column tile" of all O.
        transforms.interleavePairs(
            gHat.data() + xi * cpY, gHat.data() + (positions + xi) * cpY, og,
            og, 0,
            buf.a.data() + (grp * positions + xi) * og * chunk + pair * 2 * og);
      }
    }
  };
  auto multiply = [&](Buffers &buf, int64_t count, bool accumulate,
                      int64_t begin, int64_t end) {
    const int16_t *rows[kMaxMR];
    for (int64_t task = begin; task < end; ++task) {
      int64_t gx = task / rowTiles, rowTile = task % rowTiles;
      for (int64_t r = 0; r < mr; ++r)
        // Rows past the end repeat the last row; their results are dropped.
        rows[r] = buf.a.data() + gx * og * chunk +
                  2 * std::min(rowTile * mr + r, og - 1);
      for (int64_t colTile = 0; colTile < colTiles; ++colTile)
        uk.run({rows, &zeroOffset, 1, pairsOf(count),
                buf.b.data() + (gx * colTiles + colTile) * bTileSize,
                buf.m.data() + gx * mSize +
                    (rowTile * colTiles + colTile) * mr * nr,
                accumulate, 2 * og});
    }
  };
  // The part's GW = (G2^T M G2) >> 2, added to `sums` [O][9][CG]. G2^T
  // rows: (2, 1, 1, 0), (0, 1, -1, 0), (0, 1, 1, 2). Stride 2: GW = G2s^T M
  // G2s, G2s^T rows (1, 1, 0, 0, 0), (0, 0, 0, 1, 1), (0, 1, 1, 0, 0). A
  // row of a column tile per task (the innermost loops run over its
  // columns).
  auto recover = [&](const Buffers &buf, uint32_t *sums, int64_t begin,
                     int64_t end) {
    for (int64_t task = begin; task < end; ++task) {
      int64_t ch = task / colTiles, colTile = task % colTiles;
      int64_t grp = ch / og, o = ch % og;
      int64_t cols = std::min(nr, cg - colTile * nr);
      const int32_t *mp[25];
      for (int xi = 0; xi < positions; ++xi)
        mp[xi] = buf.m.data() + (grp * positions + xi) * mSize +
                 ((o / mr) * colTiles + colTile) * mr * nr + (o % mr) * nr;
      uint32_t *gw = sums + ch * 9 * cg + colTile * nr;
      if (stride2) {
        uint32_t t[3][5][kMaxNR];
        for (int l = 0; l < 5; ++l)
          for (int64_t c = 0; c < cols; ++c) {
            uint32_t m0 = mp[l][c], m1 = mp[5 + l][c], m2 = mp[10 + l][c],
                     m3 = mp[15 + l][c], m4 = mp[20 + l][c];
            t[0][l][c] = m0 + m1;
            t[1][l][c] = m3 + m4;
            t[2][l][c] = m1 + m2;
          }
        for (int ky = 0; ky < 3; ++ky) {
          const uint32_t(*r)[kMaxNR] = t[ky];
          uint32_t *g0 = gw + (3 * ky) * cg, *g1 = g0 + cg, *g2 = g1 + cg;
          for (int64_t c = 0; c < cols; ++c) {
            g0[c] += r[0][c] + r[1][c];
            g1[c] += r[3][c] + r[4][c];
            g2[c] += r[1][c] + r[2][c];
          }
        }
        continue;
      }
      uint32_t t[3][4][kMaxNR];
      for (int j = 0; j < 4; ++j)
        for (int64_t c = 0; c < cols; ++c) {
          uint32_t m0 = mp[j][c], m1 = mp[4 + j][c], m2 = mp[8 + j][c],
                   m3 = mp[12 + j][c];
          t[0][j][c] = 2 * m0 + m1 + m2;
          t[1][j][c] = m1 - m2;
          t[2][j][c] = m1 + m2 + 2 * m3;
        }
      for (int ky = 0; ky < 3; ++ky) {
        const uint32_t *r0 = t[ky][0], *r1 = t[ky][1], *r2 = t[ky][2],
                       *r3 = t[ky][3];
        uint32_t *g0 = gw + (3 * ky) * cg, *g1 = g0 + cg, *g2 = g1 + cg;
        for (int64_t c = 0; c < cols; ++c) {
          // 4 GW modulo 2^32 to GW: an arithmetic shift of the int32.
          auto recoverOne = [](uint32_t value) {
            return static_cast<uint32_t>(static_cast<int32_t>(value) >> 2);
          };
          g0[c] += recoverOne(2 * r0[c] + r1[c] + r2[c]);
          g1[c] += recoverOne(r1[c] - r2[c]);
          g2[c] += recoverOne(r1[c] + r2[c] + 2 * r3[c]);
        }
      }
    }
  };

  std::vector<uint32_t> sums(g.o * 9 * cg, 0);
  PhaseTimer timer{
      stride2 ? (perThread ? "winograd stride-2 backward-filter"
                           : "winograd stride-2 backward-filter, shared M")
              : (perThread ? "winograd backward-filter"
                           : "winograd backward-filter, shared M")};
  int64_t gemmTasks = g.groups * positions * rowTiles,
          sumTasks = g.o * colTiles;
  if (perThread) {
    std::mutex mutex;
    parallelFor(chunks, [&](int64_t begin, int64_t end) {
      Buffers own = makeBuffers();
      std::vector<uint32_t> ownSums(sums.size(), 0);
      for (int64_t ci = begin; ci < end; ++ci) {
        int64_t first = ci * chunk, count = std::min(chunk, tiles - first);
        transform(own, first, count, 0, g.groups * pairsOf(count));
        multiply(own, count, (ci - begin) % chunksPerPart != 0, 0, gemmTasks);
        if ((ci - begin) % chunksPerPart == chunksPerPart - 1 || ci == end - 1)
          recover(own, ownSums.data(), 0, sumTasks);
      }
      std::lock_guard<std::mutex> lock(mutex);
      for (size_t i = 0; i < sums.size(); ++i)
        sums[i] += ownSums[i];
    });
  } else {
    Buffers shared = makeBuffers();
    for (int64_t ci = 0; ci < chunks; ++ci) {
      int64_t first = ci * chunk, count = std::min(chunk, tiles - first);
      parallelFor(g.groups * pairsOf(count), [&](int64_t begin, int64_t end) {
        transform(shared, first, count, begin, end);
      });
      parallelFor(gemmTasks, [&](int64_t begin, int64_t end) {
        multiply(shared, count, ci % chunksPerPart != 0, begin, end);
      });
      if (ci % chunksPerPart == chunksPerPart - 1 || ci == chunks - 1)
        parallelFor(sumTasks, [&](int64_t begin, int64_t end) {
          recover(shared, sums.data(), begin, end);
        });
    }
  }
  timer.stop();
  storeFilterGradient(
      g, epi,
      FilterAccumulators<uint32_t>{sums.data(), og * 9 * cg, 9 * cg, cg, 1});
}

/// Backward-filter with the input read in place:
///
///   rows M    (tap, c)        from X as zero-padded planes [C][images][Hp][Wp]
///                             (a block of images; with a width stride, each
///                             plane row split into column phases, below);
///                             row (tap, c) starts at plane c shifted by the
///                             tap, and its K run over one output row (n, oh)
///                             is contiguous in the Wp-row at oh*sh
///   columns N o (per group)   GY packed as B, [G][O tiles][images * OH]
///                             [OW2 / lane][NR][lane]
///   K         (n, oh, ow)     a "tap" of the microkernel per output row
///                             (n, oh), OW2 = OW rounded up to the lane (the
///                             extra elements meet zeros in B)
///
/// Unlike runBackwardFilter, no im2col copy of X is built: only GY (the
/// smaller operand of a 3x3 layer by the taps factor) is packed. Both are
/// packed a block of images at a time by the thread that multiplies them,
/// into buffers that stay in its L2: packed for the whole batch first, the
/// planes and GY (13 MB on 3x3-64-56) went to memory and back, a quarter of
/// the time. K (the images) is split between the threads, each summing into
/// accumulators of its own, which the epilogue adds (int32 sums wrap: the
/// order does not change the bits); with fewer images than threads the row
/// tiles are split too (those tasks pack the same images).
void runBackwardFilterPlanar(const Geometry &g, const Operand &x,
                             const Operand &gy, const Epilogue &epi,
                             const Microkernel &uk) {
  int64_t mr = uk.mr, nr = uk.nr;
  int64_t cg = g.cg(), og = g.og();
  bool avx2 = getFeatures().avx2;
  // The u8 x s8 microkernel where the variant has one: K in quads, the
  // planes as bytes (code + 128), GY as int8 quads with a bias per column.
  bool u8 = uk.runBytes != nullptr;
  int64_t lane = u8 ? 4 : 2, elementBytes = u8 ? 1 : 2;
  int64_t hp = std::max(g.pt + g.h, (g.oh - 1) * g.sh + (g.kh - 1) * g.dh + 1);
  // K's segments (the microkernel's "taps"): one per output row, OW
  // rounded up to the lane (the plane rows wide enough for the pad
  // elements, which meet zeros of B); or, at stride 1 where that is less K,
  // one per image, its rows flattened with the plane's pitch (the columns
  // past OW meet zeros of B). A window past a row's right edge then reads
  // the next row's left padding: no right padding of its own is needed.
  // A 14 x 14 image padded by 1 at pitch 15:
  //
  //   p p p ... p     row 0: top padding           p: the pad code
  //   p x x ... x     rows 1-14: the image         x: X's codes
  //   p p p ... p     row 15: bottom padding
  //   p p p           past it: the last windows' reads
  //
  // K per image 14 x 15 = 210 -> 212 (as segments 14 rows of 16 = 224).
  //
  // With a width stride SW, each plane row holds its padded columns as SW
  // column phases of wq positions, column xp at phase xp % SW, position
  // xp / SW: output column ox of tap column kx reads padded column ox SW +
  // kx DW, position ox + (kx DW) / SW of phase (kx DW) % SW, so the K run
  // of an output row is again contiguous. A row of 3x3 stride 2 padded
  // by 1 over 56 columns (wq 29):
  //
  //   | p x1 x3 ... x55 | x0 x2 ... x54 p |     (phase 0 | phase 1)
  int64_t ow2 = roundUp(g.ow, lane);
  int64_t flatPitch = std::max(g.pl + g.w, g.ow + (g.kw - 1) * g.dw - g.pl);
  bool flat =
      g.sh == 1 && g.sw == 1 && roundUp(g.oh * flatPitch, lane) < g.oh * ow2;
  int64_t wq =
      std::max((g.pl + g.w + g.sw - 1) / g.sw, ow2 + (g.kw - 1) * g.dw / g.sw);
  int64_t wp = flat ? flatPitch : g.sw * wq;
  // Where padded column xp is in a plane row.
  auto columnAt = [&](int64_t xp) {
    return flat ? xp : (xp % g.sw) * wq + xp / g.sw;
  };
  // Elements of K per segment, segments per image; rowPitch is an output
  // row's in K.
  int64_t segmentLength = flat ? roundUp(g.oh * wp, lane) : ow2;
  int64_t segmentsPerImage = flat ? 1 : g.oh, rowPitch = flat ? wp : ow2;
  int64_t lanesPerSegment = segmentLength / lane;
  // A flattened segment reads up to segmentLength past its tap's offset.
  int64_t plane = std::max(hp * wp, (g.kh - 1) * g.dh * wp + (g.kw - 1) * g.dw +
                                        (flat ? segmentLength : 0));
  int64_t colTiles = (og + nr - 1) / nr;
  int64_t rows = g.taps() * cg, rowTiles = (rows + mr - 1) / mr;
  int64_t segmentSize = segmentLength * nr; // elements of a B tile per segment
  // Elements of a GY channel, rows padded.
  int64_t imageSize = segmentsPerImage * segmentLength;
  // Images per block: their planes and packed GY within ~512 KiB of L2.
  int64_t bytesPerImage =
      (g.c * plane + g.groups * colTiles * imageSize * nr) * elementBytes;
  int64_t imagesPerBlock =
      std::clamp<int64_t>((512 << 10) / bytesPerImage, 1, g.n);
  int64_t blockSegments = imagesPerBlock * segmentsPerImage;
  int64_t threads = getNumThreads();
  int64_t imageParts = std::min<int64_t>(threads, g.n);
  int64_t rowParts =
      std::clamp<int64_t>(threads / imageParts, 1, g.groups * rowTiles);
  // Accumulators per image part, [G][row tile][column tile][MR][NR], every
  // tile written by the part's first block (no zero fill).
  int64_t tileSize = mr * nr;
  int64_t accSize = g.groups * rowTiles * colTiles * tileSize;
  std::unique_ptr<int32_t[]> acc(new int32_t[imageParts * accSize]);
  const int64_t *xs = x.strides, *ys = gy.strides;
  const ActivationStrides xOf(xs, g.nhwc), yOf(ys, g.nhwc);
  bool densePlane = yOf.col == 1 && yOf.row == g.ow;

  PhaseTimer timer{flat ? "gemm over planes, rows flattened"
                        : "gemm over planes"};
  parallelFor(imageParts * rowParts, [&](int64_t begin, int64_t end) {
    int64_t blockPlanes = g.c * imagesPerBlock * plane;
    int64_t blockTiles = g.groups * colTiles * blockSegments * segmentSize;
    std::vector<int16_t> planes(u8 ? 0 : blockPlanes);
    std::vector<uint8_t> planes8(u8 ? blockPlanes : 0);
    std::vector<int16_t> packed(u8 ? 0 : blockTiles);
    std::vector<int8_t> quads(u8 ? blockTiles : 0);
    std::vector<int32_t> bias(u8 ? g.groups * colTiles * nr : 0);
    std::vector<int16_t> image(u8 ? 0 : nr * imageSize);
    std::vector<int8_t> imageBytes(u8 ? nr * imageSize : 0);
    std::vector<int16_t> scratch(std::max(g.w, g.oh * g.ow));
    std::vector<int64_t> segmentOffsets(blockSegments);
    for (int64_t seg = 0; seg < blockSegments; ++seg)
      segmentOffsets[seg] = (seg / segmentsPerImage) * plane +
                            (seg % segmentsPerImage) * g.sh * wp;
    std::vector<const int16_t *> rowPointers(mr);
    std::vector<const uint8_t *> byteRows(u8 ? mr : 0);

    // Plane (ch, i) of the block from image img.
    auto packPlane = [&](int64_t ch, int64_t i, int64_t img) {
      int64_t first = (ch * imagesPerBlock + i) * plane;
      if (u8)
        std::memset(planes8.data() + first, 128, plane);
      else
        std::fill_n(planes.data() + first, plane, 0);
      // Column phase by column phase: X's columns x0, x0 + SW, ... of the
      // phase, (pl + x0) % SW, from position (pl + x0) / SW on.
      for (int64_t x0 = 0; x0 < std::min(g.sw, g.w); ++x0) {
        int64_t xp = g.pl + x0, count = (g.w - x0 + g.sw - 1) / g.sw;
        int64_t start = first + g.pt * wp + columnAt(xp);
        int64_t offset = img * xs[0] + ch * xOf.channel + x0 * xOf.col;
        int64_t stride = g.sw * xOf.col;
        if (u8)
          loadByteRows(x, offset, stride, count, g.h, xOf.row, ch, avx2, 128,
                       planes8.data() + start, wp, scratch.data());
        else
          loadCodeRows(x, offset, stride, count, g.h, xOf.row, ch, avx2,
                       planes.data() + start, wp, nullptr);
      }
    };
    // Column tile `tile` of group grp of image img as the block's image i:
    // each column's rows are loaded into [NR][OH][rowPitch] (one run where
    // GY's plane is dense and unpadded), then each segment's
    // [NR][segmentLength] is transposed.
    auto packColumns = [&](int64_t grp, int64_t tile, int64_t i, int64_t img) {
      int64_t validCols = std::min(nr, og - tile * nr);
      // Zeros where no code lands: pad lanes and missing columns.
      if (!u8)
        std::fill(image.begin(), image.end(), 0);
      else
        std::fill(imageBytes.begin() +
                      (rowPitch == g.ow ? validCols * imageSize : 0),
                  imageBytes.end(), 0);
      for (int64_t j = 0; j < validCols; ++j) {
        int64_t ch = grp * og + tile * nr + j;
        int64_t offset = img * ys[0] + ch * yOf.channel;
        // u8: the codes as s8, straight from an int8 GY.
        auto load = [&](auto *dst) {
          if (densePlane && rowPitch == g.ow)
            loadCodeRows(gy, offset, 1, g.oh * g.ow, 1, 0, ch, avx2, dst, 0,
                         scratch.data());
          else
            loadCodeRows(gy, offset, yOf.col, g.ow, g.oh, yOf.row, ch, avx2,
                         dst, rowPitch, scratch.data());
        };
        if (u8)
          load(imageBytes.data() + j * imageSize);
        else
          load(image.data() + j * imageSize);
      }
      // Each segment's [NR][lanes] (rows imageSize apart) to [lanes][NR]:
      // a 32-bit transpose of int16 pairs or int8 quads.
      int64_t bTile = grp * colTiles + tile;
      for (int64_t j = 0; u8 && j < nr; ++j)
        addWrapping(bias[bTile * nr + j],
                    sumBytes(imageBytes.data() + j * imageSize, imageSize));
      for (int64_t seg = 0; seg < segmentsPerImage; ++seg) {
        int64_t at =
            (bTile * blockSegments + i * segmentsPerImage + seg) * segmentSize;
        if (u8)
          transpose32(imageBytes.data() + seg * segmentLength, nr,
                      lanesPerSegment, imageSize / 4, quads.data() + at, nr);
        else
          transpose32(image.data() + seg * segmentLength, nr, lanesPerSegment,
                      imageSize / 2, packed.data() + at, nr);
      }
    };

    for (int64_t task = begin; task < end; ++task) {
      int64_t part = task / rowParts, rowPart = task % rowParts;
      int64_t imgBegin = part * g.n / imageParts,
              imgEnd = (part + 1) * g.n / imageParts;
      int64_t allRowTiles = g.groups * rowTiles;
      int64_t firstTile = rowPart * allRowTiles / rowParts,
              lastTile = (rowPart + 1) * allRowTiles / rowParts;
      int32_t *partAcc = acc.get() + part * accSize;
      for (int64_t img0 = imgBegin; img0 < imgEnd; img0 += imagesPerBlock) {
        int64_t images = std::min(imagesPerBlock, imgEnd - img0);
        // Image by image, in X's and GY's memory order (NCHW).
        std::fill(bias.begin(), bias.end(), 0);
        for (int64_t i = 0; i < images; ++i) {
          for (int64_t ch = 0; ch < g.c; ++ch)
            packPlane(ch, i, img0 + i);
          for (int64_t grp = 0; grp < g.groups; ++grp)
            for (int64_t tile = 0; tile < colTiles; ++tile)
              packColumns(grp, tile, i, img0 + i);
        }
        for (int32_t &sum : bias)
          sum = byteBias(sum);
        for (int64_t t = firstTile; t < lastTile; ++t) {
          int64_t grp = t / rowTiles;
          for (int64_t r = 0; r < mr; ++r) {
            // Rows past the end repeat the last row; their results are
            // dropped.
            int64_t row = std::min((t % rowTiles) * mr + r, rows - 1);
            int64_t tap = row / cg, c = row % cg;
            int64_t offset = (grp * cg + c) * imagesPerBlock * plane +
                             (tap / g.kw) * g.dh * wp +
                             columnAt(tap % g.kw * g.dw);
            if (u8)
              byteRows[r] = planes8.data() + offset;
            else
              rowPointers[r] = planes.data() + offset;
          }
          for (int64_t tile = 0; tile < colTiles; ++tile) {
            int64_t bTile = grp * colTiles + tile;
            int64_t at = bTile * blockSegments * segmentSize;
            int32_t *tileAcc = partAcc + (t * colTiles + tile) * tileSize;
            bool accumulate = img0 > imgBegin;
            if (u8)
              uk.runBytes({byteRows.data(), segmentOffsets.data(),
                           images * segmentsPerImage, lanesPerSegment,
                           quads.data() + at, bias.data() + bTile * nr, tileAcc,
                           accumulate});
            else
              uk.run({rowPointers.data(), segmentOffsets.data(),
                      images * segmentsPerImage, lanesPerSegment,
                      packed.data() + at, tileAcc, accumulate});
          }
        }
      }
    }
  });
  // The tiles' rows, summed over the image parts (wrapping), as [G][rows]
  // [O/G] (all written): contiguous runs both ways, on all threads.
  std::unique_ptr<int32_t[]> staged(new int32_t[g.groups * rows * og]);
  parallelFor(g.groups * rows, [&](int64_t begin, int64_t end) {
    for (int64_t index = begin; index < end; ++index) {
      int64_t grp = index / rows, row = index % rows;
      const int32_t *tileRow =
          acc.get() + ((grp * rowTiles + row / mr) * colTiles) * tileSize +
          (row % mr) * nr;
      int32_t *dst = staged.get() + index * og;
      for (int64_t tile = 0; tile < colTiles; ++tile) {
        int64_t width = std::min(nr, og - tile * nr);
        const int32_t *src = tileRow + tile * tileSize;
        std::copy_n(src, width, dst + tile * nr);
        for (int64_t part = 1; part < imageParts; ++part)
          for (int64_t j = 0; j < width; ++j)
            addWrapping(dst[tile * nr + j], src[part * accSize + j]);
      }
    }
  });
  timer.stop();
  // Reading an output channel's column: consecutive channels share the
  // lines of the rows * 64 bytes (<= 295 KiB at 512 channels) in L2.
  storeFilterGradient(
      g, epi,
      FilterAccumulators<int32_t>{staged.get(), rows * og, 1, cg * og, og});
}

template <typename T>
Operand makeOperand(DaqMemRef<T, 4> *m, DaqMemRef<float, 1> *clip,
                    int clipAxis) {
  Operand op;
  if constexpr (std::is_same_v<T, float>)
    op.f32 = m->aligned + m->offset;
  else
    op.i8 = m->aligned + m->offset;
  for (int i = 0; i < 4; ++i) {
    op.sizes[i] = m->sizes[i];
    op.strides[i] = m->strides[i];
  }
  op.clip = clip->aligned + clip->offset;
  op.clipCount = clip->sizes[0];
  op.clipStride = clip->strides[0];
  op.clipAxis = clipAxis;
  return op;
}

void zeroOutput(DaqMemRef<float, 4> *out) {
  const int64_t *s = out->sizes, *st = out->strides;
  float *base = out->aligned + out->offset;
  for (int64_t a = 0; a < s[0]; ++a)
    for (int64_t b = 0; b < s[1]; ++b)
      for (int64_t c = 0; c < s[2]; ++c)
        for (int64_t d = 0; d < s[3]; ++d)
          base[a * st[0] + b * st[1] + c * st[2] + d * st[3]] = 0.0f;
}

template <typename L, typename R>
void qconvEntry(DaqMemRef<L, 4> *lhs, DaqMemRef<float, 1> *lhsClip,
                DaqMemRef<R, 4> *rhs, DaqMemRef<float, 1> *rhsClip,
                DaqMemRef<float, 4> *out, int64_t direction, int64_t layout,
                int64_t sh, int64_t sw, int64_t pt, int64_t pl, int64_t dh,
                int64_t dw, int64_t groups, int64_t kernel) {
  std::string error;
  KernelVariant variant = resolveVariant(static_cast<KernelVariant>(kernel),
                                         "INT8 convolution kernel", error);
  if (!error.empty()) {
    reportError(error);
    zeroOutput(out);
    return;
  }
  ConvAlgorithm algorithm = readConvAlgorithm(error);
  if (!error.empty()) {
    reportError(error);
    zeroOutput(out);
    return;
  }
  Microkernel uk = getMicrokernel(variant);
  // This thread's AMX tile state ends with the call (the pool's threads
  // end theirs with each chunk).
  struct ReleaseTiles {
    ~ReleaseTiles() {
      releaseAMXTiles();
      isa_model::releaseAMXTiles();
    }
  } releaseTiles;
  PhaseTimer total{"total"};
  bool nhwc = layout == 1;
  auto act = [&](const int64_t *s, int64_t &n, int64_t &c, int64_t &h,
                 int64_t &w) {
    n = s[0];
    c = nhwc ? s[3] : s[1];
    h = nhwc ? s[1] : s[2];
    w = nhwc ? s[2] : s[3];
  };
  int chanAxis = nhwc ? 3 : 1;
  Geometry g{};
  g.nhwc = nhwc;
  g.sh = sh;
  g.sw = sw;
  g.pt = pt;
  g.pl = pl;
  g.dh = dh;
  g.dw = dw;
  g.groups = groups;
  int64_t unused;
  const int64_t *filterSizes =
      direction == static_cast<int64_t>(Direction::BackwardFilter) ? out->sizes
                                                                   : rhs->sizes;
  g.o = filterSizes[0];
  g.kh = nhwc ? filterSizes[1] : filterSizes[2];
  g.kw = nhwc ? filterSizes[2] : filterSizes[3];

  Epilogue epi{out->aligned + out->offset,
               {},
               lhsClip->aligned[lhsClip->offset],
               rhsClip->aligned + rhsClip->offset,
               rhsClip->strides[0],
               rhsClip->sizes[0]};
  for (int i = 0; i < 4; ++i)
    epi.strides[i] = out->strides[i];

  switch (static_cast<Direction>(direction)) {
  case Direction::Forward: {
    act(lhs->sizes, g.n, g.c, g.h, g.w);
    act(out->sizes, unused, unused, g.oh, g.ow);
    FilterCodes w(makeOperand(rhs, rhsClip, 0));
    runForward(g, makeOperand(lhs, lhsClip, chanAxis), w, epi, uk, algorithm);
    return;
  }
  case Direction::BackwardData: {
    act(out->sizes, g.n, g.c, g.h, g.w);
    act(lhs->sizes, unused, unused, g.oh, g.ow);
    FilterCodes w(makeOperand(rhs, rhsClip, 0));
    runBackwardData(g, makeOperand(lhs, lhsClip, chanAxis), w, epi, uk,
                    algorithm);
    return;
  }
  case Direction::BackwardFilter: {
    act(lhs->sizes, g.n, g.c, g.h, g.w);
    act(rhs->sizes, unused, unused, g.oh, g.ow);
    Operand x = makeOperand(lhs, lhsClip, chanAxis);
    Operand gy = makeOperand(rhs, rhsClip, chanAxis);
    // Winograd's backward-filter pays two transforms per tile and reads and
    // writes M (16 x O x C int32) once per chunk: on AVX2 it measured
    // faster from 64 channels on (slower with 32). It is kept to M <= 4
    // MiB: at 512 channels M (16 MiB) and the chunks (8 MiB) would add
    // about 25 MiB to the backward's peak memory for 10 % less time. With
    // stride 2 (25 positions) it was faster only with M per thread, up to
    // 2 MiB (64 -> 128 channels: 25 against 36 ms; 128 -> 256: 27-35
    // against 24-27 ms). With a u8 x s8 microkernel (AVX512-VNNI on Zen
    // 4) the planar and im2col forms run at twice the multiply-adds per
    // instruction and measured faster than Winograd at both strides (64
    // channels 11.4-13.6 against 15.4-15.7 ms, 128: 11.8-12.0 against
    // 15.1-15.5, 256: 15.5-17.2 against 18.7-19.2; stride 2, 64 -> 128:
    // 10.8-11.4 against 11.2-12.1).
    int64_t fewer = std::min(g.cg(), g.og());
    int64_t filterSize = g.groups * g.cg() * g.og();
    bool faster = !uk.runBytes && fewer >= 64 &&
                  filterSize <= (g.sh == 1 ? 256 * 256 : 128 * 128);
    // With a width stride the planar form reads column phases (see
    // runBackwardFilterPlanar): measured faster with the u8 x s8
    // microkernel where the output rows fill whole quads of K (3x3 stride
    // 2, 64 -> 128 at 56 x 56, OW 28: 5.0-5.5 against 6.0-6.2 ms on
    // AVX512-VNNI), slower where they are padded (128 -> 256 at 28 x 28,
    // OW 14 in runs of 16: 6.4-7.4 against 6.3-6.4 ms) and with one tap
    // (1x1 stride 2: 1.0-1.3 against 0.7-0.8 ms, the im2col form packs X's
    // kept pixels alone).
    bool planarStrided = uk.runBytes && g.taps() > 1 && g.ow % 4 == 0;
    if (useWinograd(g, uk, algorithm, true, faster, /*stride2Form=*/true))
      runBackwardFilterWinograd(g, x, gy, epi, uk);
    // The planar form pads each K run of OW to even: with odd OW below 16
    // that waste outweighs what it saves.
    else if ((sw == 1 || planarStrided) && (g.ow % 2 == 0 || g.ow >= 16))
      runBackwardFilterPlanar(g, x, gy, epi, uk);
    else
      runBackwardFilter(g, x, gy, epi, uk);
    return;
  }
  }
  reportError("unknown INT8 convolution direction " +
              std::to_string(direction));
  zeroOutput(out);
}
} // namespace

#define DAQ_QCONV_DEFINE(NAME, LHS_T, RHS_T)                                   \
  extern "C" void NAME(DaqMemRef<LHS_T, 4> *lhs, DaqMemRef<float, 1> *lhsClip, \
                       DaqMemRef<RHS_T, 4> *rhs, DaqMemRef<float, 1> *rhsClip, \
                       DaqMemRef<float, 4> *out, int64_t direction,            \
                       int64_t layout, int64_t strideH, int64_t strideW,       \
                       int64_t padTop, int64_t padLeft, int64_t dilationH,     \
                       int64_t dilationW, int64_t groups, int64_t kernel) {    \
    qconvEntry(lhs, lhsClip, rhs, rhsClip, out, direction, layout, strideH,    \
               strideW, padTop, padLeft, dilationH, dilationW, groups,         \
               kernel);                                                        \
  }
DAQ_QCONV_DEFINE(_mlir_ciface_daq_cpu_qconv2d_i8_i8, int8_t, int8_t)
DAQ_QCONV_DEFINE(_mlir_ciface_daq_cpu_qconv2d_i8_f32, int8_t, float)
DAQ_QCONV_DEFINE(_mlir_ciface_daq_cpu_qconv2d_f32_i8, float, int8_t)
DAQ_QCONV_DEFINE(_mlir_ciface_daq_cpu_qconv2d_f32_f32, float, float)
#undef DAQ_QCONV_DEFINE
