//===- GpuPipelines.cpp - daq-nvvm-pipeline and daq-igemm-cpu-pipeline ----===//
//
// The tiled implicit GEMM (convert-daq-conv-to-igemm) and the statistics
// reductions (convert-daq-stats-to-gpu) taken to NVVM and a GPU binary, and
// the same algorithms taken to the CPU JIT.
//
//===----------------------------------------------------------------------===//

#include "daq/Pipelines/Pipelines.h"

#include "daq/Conversion/Passes.h"
#include "daq/Transforms/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Conversion/VectorToGPU/VectorToGPU.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/NVGPU/Transforms/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

namespace {

daq::ConvertDaqConvToIgemmOptions
igemmOptions(const daq::IgemmTileOptions &options, StringRef target,
             StringRef mma) {
  daq::ConvertDaqConvToIgemmOptions result;
  result.target = target.str();
  result.tileM = options.tileM;
  result.tileN = options.tileN;
  result.tileK = options.tileK;
  result.warpM = options.warpM;
  result.warpN = options.warpN;
  result.mma = mma.str();
  result.stages = options.stages;
  result.splitK = options.splitK;
  return result;
}

daq::ConvertDaqStatsToGpuOptions
statsOptions(const daq::IgemmTileOptions &options, StringRef target) {
  daq::ConvertDaqStatsToGpuOptions result;
  result.target = target.str();
  result.blockSize = options.statsBlockSize;
  result.blocks = options.statsBlocks;
  return result;
}

} // namespace

/// The compute capability of an `sm_XY[a]` chip as XY, or 0.
static unsigned computeCapability(StringRef chip) {
  unsigned capability = 0;
  if (!chip.consume_front("sm_") ||
      chip.take_while(llvm::isDigit).getAsInteger(10, capability))
    return 0;
  return capability;
}

std::string daq::mmaShapeForChip(StringRef chip) {
  unsigned capability = computeCapability(chip);
  if (capability >= 80)
    return "m16n8k32";
  if (capability >= 75)
    return "m8n8k16";
  return "";
}

void daq::buildDaqIgemmCpuPipeline(OpPassManager &pm,
                                   const IgemmCpuPipelineOptions &options) {
  pm.addPass(createDaqAnnotateEntryPoints());
  pm.addPass(createConvertDaqConvToIgemm(
      igemmOptions(options, "cpu", options.mma.getValue())));
  pm.addPass(createConvertDaqStatsToGpu(statsOptions(options, "cpu")));
  pm.addPass(createConvertDaqToLinalg());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());

  // From here on as daq-cpu-pipeline, with the vector lowering added.
  addCpuBufferizationPasses(pm);

  pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  // The AMX form's contractions read and write their tiles straight from
  // the bufferized shared tiles.
  bool amxTiles = options.amxTiles || options.amxModel;
  if (amxTiles) {
    pm.addPass(createConvertVectorToAMX());
    if (options.amxModel)
      pm.addPass(daq::createConvertAmxToIsaModel());
  } else {
    pm.addPass(daq::createDaqFlattenVnniContractions());
  }
  VectorTransferToSCFOptions vectorToScf;
  vectorToScf.enableFullUnroll();
  pm.addNestedPass<func::FuncOp>(createConvertVectorToSCFPass(vectorToScf));
  // Before lower-affine: the AMX tiles' subviews expand into affine.apply.
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createSCFToControlFlowPass());
  ConvertVectorToLLVMPassOptions vectorToLLVM;
  // The default (dot) strategy leaves i8 x i8 -> i32 contractions
  // unlowered in MLIR 22; outer products sign-extend and accumulate in i32.
  vectorToLLVM.vectorContractLowering =
      vector::VectorContractLowering::OuterProduct;
  vectorToLLVM.amx = amxTiles && !options.amxModel;
  pm.addPass(createConvertVectorToLLVMPass(vectorToLLVM));
  pm.addPass(createConvertToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createCanonicalizerPass());
}

void daq::buildDaqNvvmPipeline(OpPassManager &pm,
                               const NvvmPipelineOptions &options,
                               bool serialize) {
  std::string mma = options.mma.getValue() == "auto"
                        ? mmaShapeForChip(options.chip)
                        : options.mma.getValue();
  // An unknown or pre-Turing chip leaves `mma` empty, which the tiling pass
  // reports as an invalid mma shape.
  daq::ConvertDaqConvToIgemmOptions igemm = igemmOptions(
      options, "gpu",
      mma.empty() ? "no INT8 mma.sync on " + options.chip : StringRef(mma));
  // cp.async exists from sm_80 on.
  igemm.asyncCopy = computeCapability(options.chip) >= 80;
  pm.addPass(createConvertDaqConvToIgemm(igemm));
  // daq.quantize_grad as its clip computations and quantizes, so that its
  // max-abs and MCS strategies (nearest-even) become the GPU kernels of
  // convert-daq-stats-to-gpu.
  pm.addPass(createDaqDecomposeQuantizeGrad());
  daq::ConvertDaqStatsToGpuOptions stats = statsOptions(options, "gpu");
  stats.strict = true;
  pm.addPass(createConvertDaqStatsToGpu(stats));
  // Bufferize first: canonicalization would fold the kernels' loads from
  // bufferization.to_buffer back into tensor.extract, and tensors cannot be
  // kernel arguments.
  bufferization::OneShotBufferizePassOptions bufferizeOptions;
  bufferizeOptions.bufferizeFunctionBoundaries = true;
  bufferizeOptions.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferizeOptions));
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  // Warp-level vector.contract -> nvgpu.ldmatrix + nvgpu.mma.sync.
  pm.addNestedPass<func::FuncOp>(
      createConvertVectorToGPUPass(/*useNvGpu=*/true));
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  // Constants and index computations back into the launch bodies, so that
  // the kernels take only the convolution's buffers as arguments.
  pm.addPass(createGpuLaunchSinkIndexComputationsPass());
  pm.addPass(createGpuKernelOutliningPass());

  OpPassManager &kernels = pm.nest<gpu::GPUModuleOp>();
  OpPassManager &kernelFuncs = kernels.nest<gpu::GPUFuncOp>();
  kernelFuncs.addPass(nvgpu::createOptimizeSharedMemoryPass());
  kernelFuncs.addPass(createDaqPromoteSharedAllocs());
  kernels.addPass(createConvertNVGPUToNVVMPass());
  kernels.addPass(createLowerAffinePass());
  kernels.addPass(createSCFToControlFlowPass());
  kernels.addPass(memref::createExpandStridedMetadataPass());
  kernels.addPass(createConvertIndexToLLVMPass());
  ConvertGpuOpsToNVVMOpsOptions toNvvm;
  // Every kernel argument a plain pointer (or scalar): the launch ABI the
  // export header and the CUDA runtime use.
  toNvvm.useBarePtrCallConv = true;
  kernels.addPass(createConvertGpuOpsToNVVMOps(toNvvm));
  // What the mma.sync fragments leave in the vector dialect (the
  // vector.broadcast of m8n8k16's one-register fragments).
  kernels.addPass(createConvertVectorToLLVMPass());
  kernels.addPass(createCanonicalizerPass());
  kernels.addPass(createCSEPass());
  kernels.addPass(createReconcileUnrealizedCastsPass());

  GpuNVVMAttachTargetOptions target;
  target.chip = options.chip;
  target.features = options.features;
  target.optLevel = 3;
  pm.addPass(createGpuNVVMAttachTarget(target));
  if (!serialize)
    return;
  GpuModuleToBinaryPassOptions binary;
  binary.compilationTarget = options.format;
  pm.addPass(createGpuModuleToBinaryPass(binary));
}

void daq::registerDaqGpuPipelines() {
  PassPipelineRegistration<IgemmCpuPipelineOptions>(
      "daq-igemm-cpu-pipeline",
      "Like daq-cpu-pipeline, but the INT8 convolutions run the tiled "
      "implicit GEMM of convert-daq-conv-to-igemm and daq.mcs_clip / "
      "daq.max_abs the reductions of convert-daq-stats-to-gpu (target=cpu)",
      buildDaqIgemmCpuPipeline);
  PassPipelineRegistration<NvvmPipelineOptions>(
      "daq-nvvm-pipeline",
      "INT8 convolutions and MCS / max-abs statistics to NVIDIA kernels: "
      "tiled implicit GEMM, grid reductions, "
      "kernel outlining, nvgpu.mma.sync / ldmatrix, shared-memory swizzle, "
      "NVVM and a GPU binary (host code stays at gpu.launch_func)",
      [](OpPassManager &pm, const NvvmPipelineOptions &options) {
        buildDaqNvvmPipeline(pm, options);
      });
}
