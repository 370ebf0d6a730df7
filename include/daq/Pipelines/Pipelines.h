//===- Pipelines.h - daq pass pipelines -------------------------*- C++ -*-===//

#ifndef DAQ_PIPELINES_PIPELINES_H
#define DAQ_PIPELINES_PIPELINES_H

#include "daq/Transforms/Passes.h"

#include "mlir/Pass/PassOptions.h"

namespace mlir {
class OpPassManager;
namespace daq {

/// Options of `daq-training-pipeline`: the policy of daq-quantize-training.
struct TrainingPipelineOptions
    : public PassPipelineOptions<TrainingPipelineOptions> {
  Option<std::string> layers{
      *this, "layers",
      llvm::cl::desc("Convolution layers that run in INT8: 'all', "
                     "'all-but-first', 'none', or a comma-separated list"),
      llvm::cl::init("all-but-first")};
  Option<std::string> backwardData{
      *this, "backward-data",
      llvm::cl::desc("Backward-data quantization: 'per-tensor' or 'folded'"),
      llvm::cl::init("per-tensor")};
  Option<std::string> clip{*this, "clip",
                           llvm::cl::desc("'mcs', 'max' or 'dsgc'"),
                           llvm::cl::init("mcs")};
  Option<std::string> rounding{*this, "rounding",
                               llvm::cl::desc("'nearest' or 'stochastic'"),
                               llvm::cl::init("nearest")};
  Option<int64_t> seed{*this, "seed",
                       llvm::cl::desc("Seed of stochastic rounding"),
                       llvm::cl::init(0)};

  DaqQuantizeTrainingOptions getQuantizeTrainingOptions() const;
};

/// Torch-MLIR's linalg-on-tensors training step to a quantized daq one:
/// daq-raise-convolutions, daq-quantize-training (with `options`),
/// canonicalization, daq-fuse-quantized-convolutions.
void buildDaqTrainingPipeline(OpPassManager &pm,
                              const TrainingPipelineOptions &options);

/// Options of `daq-cpu-pipeline`.
struct CpuPipelineOptions : public PassPipelineOptions<CpuPipelineOptions> {
  Option<std::string> qconvKernel{
      *this, "qconv-kernel",
      llvm::cl::desc("INT8 convolutions: 'reference' (convert-daq-to-linalg's "
                     "loops) or a CPU kernel variant of "
                     "convert-daq-qconv-to-cpu-kernels: 'auto', 'portable', "
                     "'avx2', 'avx512-vnni', 'amx'"),
      llvm::cl::init("auto")};
  Option<std::string> statsKernel{
      *this, "stats-kernel",
      llvm::cl::desc("Gradient statistics and quantization (quantize_grad, "
                     "max_abs, mcs_clip, quantize): 'reference' "
                     "(convert-daq-to-linalg's loops) or a kernel variant of "
                     "convert-daq-stats-to-cpu-kernels: 'auto', 'portable', "
                     "'avx2', 'avx512-vnni', 'amx'"),
      llvm::cl::init("auto")};
};

/// daq (and linalg) on tensors to the LLVM dialect for the CPU JIT:
/// entry-point annotation, convert-daq-to-linalg, one-shot bufferization
/// with results turned into out-parameters, loops, LLVM lowering.
///
/// Calling convention of every public function `@f` afterwards:
/// `_mlir_ciface_f(args..., outs...)` where each tensor argument and result
/// is a pointer to a memref descriptor (results become trailing
/// caller-allocated out-parameters) and scalars are passed by value; the
/// original signature is in the `daq.signature` attribute.
///
/// INT8 convolutions go to the CPU kernels
/// (convert-daq-qconv-to-cpu-kernels, variant `auto`) unless
/// `options.qconvKernel` is `reference`; gradient statistics and
/// quantization go to the statistics kernels
/// (convert-daq-stats-to-cpu-kernels) unless `options.statsKernel` is
/// `reference`.
void buildDaqCpuPipeline(OpPassManager &pm, const CpuPipelineOptions &options);
void buildDaqCpuPipeline(OpPassManager &pm);

/// Registers `daq-cpu-pipeline` and `daq-training-pipeline`.
void registerDaqPipelines();

} // namespace daq
} // namespace mlir

#endif // DAQ_PIPELINES_PIPELINES_H
