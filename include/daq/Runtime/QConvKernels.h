//===- QConvKernels.h - CPU INT8 convolution kernels -----------*- C++ -*-===//
//
// The runtime side of --daq-lower-qconv-to-cpu-kernels: implicit-GEMM INT8
// convolutions (forward, backward-data, backward-filter) with quantize-on-load
// packing, register-blocked microkernels per x86 variant, and a dequantizing
// f32 epilogue, on all cores.
//
// Generated code calls one of the four entry points below (one per operand
// element-type pair) through MLIR's C interface: every memref is a pointer to
// its descriptor. The JIT (JitRunner) registers them as symbols.
//
//===----------------------------------------------------------------------===//

#ifndef DAQ_RUNTIME_QCONVKERNELS_H
#define DAQ_RUNTIME_QCONVKERNELS_H

#include <cstdint>
#include <string>

namespace mlir::daq::cpu {

/// Microkernel variants, in the order `auto` prefers them (last first).
/// The values are the `kernel` operand of the generated calls.
///
/// AVX512VNNIModel and AMXModel are for tests only and never chosen by
/// `auto`: the AVX512-VNNI and AMX microkernels compiled against a software
/// model of their intrinsics (lib/CpuKernels/IsaModel.h), so the whole
/// driver (packing, blocking, edge tiles, tile configuration) runs with
/// their MR x NR and layouts on any x86-64 CPU, much slower.
enum class KernelVariant : int64_t {
  Auto = 0,
  Portable = 1,
  AVX2 = 2,
  AVX512VNNI = 3,
  AMX = 4,
  AVX512VNNIModel = 5,
  AMXModel = 6,
};

/// "auto", "portable", "avx2", "avx512-vnni", "amx", "avx512-vnni-model",
/// "amx-model".
const char *getVariantName(KernelVariant variant);
/// The variant names, for messages (the runtime's and the passes').
inline constexpr const char *kVariantNameList =
    "auto, portable, avx2, avx512-vnni, amx; for tests: avx512-vnni-model, "
    "amx-model";
/// Parses a variant name; false when unknown.
bool parseVariantName(const std::string &name, KernelVariant &variant);
/// Whether this CPU (and OS: XSAVE state, the AMX permission) runs `variant`.
bool isVariantSupported(KernelVariant variant);
/// The variant a call with `requested` runs: the DAQ_CPU_KERNEL environment
/// variable overrides `requested`; `Auto` picks the best supported one. Sets
/// `error` and returns Auto when the forced variant cannot run here; the
/// message calls the kernels `kernelKind` ("INT8 convolution kernel",
/// "statistics kernel").
KernelVariant resolveVariant(KernelVariant requested, const char *kernelKind,
                             std::string &error);

/// The first error a kernel call reported since the last call (an unknown or
/// unsupported forced variant, an operand the kernels do not handle), and
/// clears it; empty when none. The kernels cannot return errors through the
/// generated code, so they record them here and leave their output zeroed.
std::string takeKernelError();
/// Records `message` for takeKernelError unless an error is pending.
void reportKernelError(const std::string &message);

/// Convolution directions, the `direction` operand of the generated calls.
enum class Direction : int64_t {
  Forward = 0,
  BackwardData = 1,
  BackwardFilter = 2
};

} // namespace mlir::daq::cpu

/// Memref descriptors as MLIR's LLVM lowering lays them out.
template <typename T, int Rank> struct DaqMemRef {
  T *allocated;
  T *aligned;
  int64_t offset;
  int64_t sizes[Rank];
  int64_t strides[Rank];
};

/// Entry points. `lhs`/`rhs` are the op's operands in order (forward:
/// input, filter; backward-data: grad_output, filter; backward-filter:
/// input, grad_output), clips of size 1 (per tensor) or the number of output
/// channels, `out` the result. Geometry: `layout` 0 = NCHW, 1 = NHWC.
#define DAQ_QCONV_ENTRY(NAME, LHS_T, RHS_T)                                    \
  extern "C" void NAME(DaqMemRef<LHS_T, 4> *lhs, DaqMemRef<float, 1> *lhsClip, \
                       DaqMemRef<RHS_T, 4> *rhs, DaqMemRef<float, 1> *rhsClip, \
                       DaqMemRef<float, 4> *out, int64_t direction,            \
                       int64_t layout, int64_t strideH, int64_t strideW,       \
                       int64_t padTop, int64_t padLeft, int64_t dilationH,     \
                       int64_t dilationW, int64_t groups, int64_t kernel);
DAQ_QCONV_ENTRY(_mlir_ciface_daq_cpu_qconv2d_i8_i8, int8_t, int8_t)
DAQ_QCONV_ENTRY(_mlir_ciface_daq_cpu_qconv2d_i8_f32, int8_t, float)
DAQ_QCONV_ENTRY(_mlir_ciface_daq_cpu_qconv2d_f32_i8, float, int8_t)
DAQ_QCONV_ENTRY(_mlir_ciface_daq_cpu_qconv2d_f32_f32, float, float)
#undef DAQ_QCONV_ENTRY

#endif // DAQ_RUNTIME_QCONVKERNELS_H
