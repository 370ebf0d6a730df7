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
      llvm::cl::desc(
          "INT8 convolutions: 'reference' (convert-daq-to-linalg's "
          "loops) or a CPU kernel variant of "
          "convert-daq-qconv-to-cpu-kernels: 'auto', 'portable', "
          "'avx2', 'avx512-vnni', 'amx' (tests: 'avx512-vnni-model', "
          "'amx-model')"),
      llvm::cl::init("auto")};
  Option<std::string> statsKernel{
      *this, "stats-kernel",
      llvm::cl::desc(
          "Gradient statistics and quantization (quantize_grad, "
          "max_abs, mcs_clip, quantize): 'reference' "
          "(convert-daq-to-linalg's loops) or a kernel variant of "
          "convert-daq-stats-to-cpu-kernels: 'auto', 'portable', "
          "'avx2', 'avx512-vnni', 'amx' (tests: 'avx512-vnni-model', "
          "'amx-model')"),
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

/// The bufferization of daq-cpu-pipeline (one-shot bufferization across
/// function boundaries with identity layouts, results as out-parameters,
/// deallocation), shared with the other CPU JIT pipelines.
void addCpuBufferizationPasses(OpPassManager &pm);
void buildDaqCpuPipeline(OpPassManager &pm);

/// Registers `daq-cpu-pipeline` and `daq-training-pipeline`.
void registerDaqPipelines();

/// Tile sizes of convert-daq-conv-to-igemm, shared by the GPU pipelines.
template <typename Derived>
struct IgemmTileOptionsBase : public PassPipelineOptions<Derived> {
  using Base = PassPipelineOptions<Derived>;
  typename Base::template Option<int64_t> tileM{
      *this, "tile-m", llvm::cl::desc("Rows of C per thread block"),
      llvm::cl::init(64)};
  typename Base::template Option<int64_t> tileN{
      *this, "tile-n", llvm::cl::desc("Columns of C per thread block"),
      llvm::cl::init(64)};
  typename Base::template Option<int64_t> tileK{
      *this, "tile-k", llvm::cl::desc("Depth of a shared-memory K slice"),
      llvm::cl::init(64)};
  typename Base::template Option<int64_t> warpM{
      *this, "warp-m", llvm::cl::desc("Rows of C per warp"),
      llvm::cl::init(32)};
  typename Base::template Option<int64_t> warpN{
      *this, "warp-n", llvm::cl::desc("Columns of C per warp"),
      llvm::cl::init(32)};
  typename Base::template Option<int64_t> stages{
      *this, "stages",
      llvm::cl::desc("Shared-memory buffers of A and B (K-loop pipeline "
                     "depth)"),
      llvm::cl::init(3)};
  typename Base::template Option<int64_t> splitK{
      *this, "split-k",
      llvm::cl::desc("Blocks sharing one C tile's K range (0: automatic on "
                     "the GPU, none on the CPU)"),
      llvm::cl::init(0)};
  typename Base::template Option<int64_t> statsBlockSize{
      *this, "stats-block-size",
      llvm::cl::desc("Threads per block of the statistics kernels "
                     "(convert-daq-stats-to-gpu block-size)"),
      llvm::cl::init(256)};
  typename Base::template Option<int64_t> statsBlocks{
      *this, "stats-blocks",
      llvm::cl::desc("Target blocks per statistics reduction "
                     "(convert-daq-stats-to-gpu blocks)"),
      llvm::cl::init(1024)};
};

/// The tile sizes as a plain struct.
struct IgemmTileOptions {
  int64_t tileM, tileN, tileK, warpM, warpN, stages, splitK;
  int64_t statsBlockSize, statsBlocks;
  template <typename Derived>
  IgemmTileOptions(const IgemmTileOptionsBase<Derived> &o)
      : tileM(o.tileM), tileN(o.tileN), tileK(o.tileK), warpM(o.warpM),
        warpN(o.warpN), stages(o.stages), splitK(o.splitK),
        statsBlockSize(o.statsBlockSize), statsBlocks(o.statsBlocks) {}
};

/// Options of `daq-igemm-cpu-pipeline`.
struct IgemmCpuPipelineOptions
    : public IgemmTileOptionsBase<IgemmCpuPipelineOptions> {
  Option<std::string> mma{
      *this, "mma",
      llvm::cl::desc("vector.contract shape: 'm16n8k32', 'm8n8k16' or 'amx' "
                     "(16x16x64 in AMX's VNNI layout)"),
      llvm::cl::init("m16n8k32")};
  Option<bool> amxTiles{
      *this, "amx-tiles",
      llvm::cl::desc("With mma=amx, lower the contractions to AMX tiles "
                     "(convert-vector-to-amx: tileloadd / tdpbssd / "
                     "tilestored; runs only on CPUs with AMX-INT8); "
                     "otherwise flatten them for any CPU "
                     "(daq-flatten-vnni-contractions)"),
      llvm::cl::init(false)};
  Option<bool> amxModel{
      *this, "amx-model",
      llvm::cl::desc("Lower to AMX tiles as amx-tiles does, and run them "
                     "on the software model of the AMX instructions instead "
                     "of the hardware (convert-amx-to-isa-model; for tests, "
                     "any CPU)"),
      llvm::cl::init(false)};
};

/// Options of `daq-nvvm-pipeline`.
struct NvvmPipelineOptions : public IgemmTileOptionsBase<NvvmPipelineOptions> {
  Option<std::string> chip{*this, "chip",
                           llvm::cl::desc("Target GPU, e.g. sm_75, sm_80, "
                                          "sm_90"),
                           llvm::cl::init("sm_80")};
  Option<std::string> features{*this, "features",
                               llvm::cl::desc("PTX features, e.g. +ptx80"),
                               llvm::cl::init("+ptx80")};
  Option<std::string> format{
      *this, "format",
      llvm::cl::desc("gpu-module-to-binary format: isa (PTX), bin (cubin, "
                     "needs ptxas), fatbin (needs ptxas and fatbinary), "
                     "offload (LLVM IR)"),
      llvm::cl::init("isa")};
  Option<std::string> mma{
      *this, "mma",
      llvm::cl::desc("'auto' (m8n8k16 on sm_75, m16n8k32 on sm_80 and "
                     "later), 'm16n8k32' or 'm8n8k16'"),
      llvm::cl::init("auto")};
};

/// The INT8 mma.sync shape of an `sm_XY` chip, or "" if it has none.
std::string mmaShapeForChip(llvm::StringRef chip);

/// daq on tensors to the LLVM dialect for the CPU JIT, as
/// buildDaqCpuPipeline, but the INT8 convolutions run the tiled implicit
/// GEMM (convert-daq-conv-to-igemm target=cpu) lowered through vector, and
/// daq.mcs_clip / daq.max_abs the GPU reductions of
/// convert-daq-stats-to-gpu (target=cpu). AMX-form contractions become AMX
/// tiles with `amxTiles`, plain contractions otherwise.
void buildDaqIgemmCpuPipeline(OpPassManager &pm,
                              const IgemmCpuPipelineOptions &options);

/// INT8 convolutions, gradient statistics and quantization to GPU kernels:
/// convert-daq-conv-to-igemm, daq-decompose-quantize-grad and
/// convert-daq-stats-to-gpu (target=gpu),
/// convert-vector-to-gpu{use-nvgpu}, gpu-kernel-outlining,
/// nvgpu-optimize-shared-memory, daq-promote-shared-allocs,
/// convert-nvgpu-to-nvvm, convert-gpu-to-nvvm (bare pointers),
/// nvvm-attach-target and gpu-module-to-binary. Host code is left at
/// `gpu.launch_func` (daq-gpu-export reads it). Without `serialize`, stops
/// before gpu-module-to-binary (the kernels stay in the LLVM dialect).
void buildDaqNvvmPipeline(OpPassManager &pm, const NvvmPipelineOptions &options,
                          bool serialize = true);

/// Registers `daq-igemm-cpu-pipeline` and `daq-nvvm-pipeline`.
void registerDaqGpuPipelines();

} // namespace daq
} // namespace mlir

#endif // DAQ_PIPELINES_PIPELINES_H
