//===- CpuPipeline.cpp - daq-cpu-pipeline ---------------------------------===//

#include "daq/Pipelines/Pipelines.h"

#include "daq/Conversion/Passes.h"
#include "daq/Transforms/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void daq::addCpuBufferizationPasses(OpPassManager &pm) {
  bufferization::OneShotBufferizePassOptions bufferizeOptions;
  bufferizeOptions.bufferizeFunctionBoundaries = true;
  bufferizeOptions.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferizeOptions));
  // Results are computed in the caller's buffers: each returned allocation
  // of a static shape becomes the out-parameter itself (hoist-static-allocs),
  // once returned views of allocations are allocations and every returned
  // buffer is distinct.
  pm.addNestedPass<func::FuncOp>(createDaqAllocateReturnedReshapes());
  pm.addNestedPass<func::FuncOp>(createDaqSeparateReturnedBuffers());
  bufferization::BufferResultsToOutParamsPassOptions outParamsOptions;
  outParamsOptions.modifyPublicFunctions = true;
  outParamsOptions.hoistStaticAllocs = true;
  pm.addPass(
      bufferization::createBufferResultsToOutParamsPass(outParamsOptions));
  bufferization::BufferDeallocationPipelineOptions deallocOptions;
  bufferization::buildBufferDeallocationPipeline(pm, deallocOptions);
}

void daq::buildDaqCpuPipeline(OpPassManager &pm) {
  buildDaqCpuPipeline(pm, CpuPipelineOptions());
}

void daq::buildDaqCpuPipeline(OpPassManager &pm,
                              const CpuPipelineOptions &options) {
  pm.addPass(createDaqAnnotateEntryPoints());
  if (options.qconvKernel != "reference") {
    ConvertDaqQConvToCpuKernelsOptions kernelOptions;
    kernelOptions.kernel = options.qconvKernel;
    pm.addPass(createConvertDaqQConvToCpuKernels(kernelOptions));
  }
  if (options.statsKernel != "reference") {
    ConvertDaqStatsToCpuKernelsOptions statsOptions;
    statsOptions.kernel = options.statsKernel;
    pm.addPass(createConvertDaqStatsToCpuKernels(statsOptions));
  }
  pm.addPass(createConvertDaqToLinalg());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());

  addCpuBufferizationPasses(pm);

  pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createConvertToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createCanonicalizerPass());
}

void daq::registerDaqPipelines() {
  PassPipelineRegistration<CpuPipelineOptions>(
      "daq-cpu-pipeline",
      "Lower daq and linalg on tensors to the LLVM dialect for the CPU JIT",
      [](OpPassManager &pm, const CpuPipelineOptions &options) {
        buildDaqCpuPipeline(pm, options);
      });
  PassPipelineRegistration<TrainingPipelineOptions>(
      "daq-training-pipeline",
      "Quantize a Torch-MLIR training step: raise convolutions, insert DAQ "
      "quantization, fuse it into the INT8 convolutions",
      buildDaqTrainingPipeline);
}
