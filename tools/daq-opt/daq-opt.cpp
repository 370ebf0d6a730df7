//===- daq-opt.cpp - The daq optimizer driver
//------------------------------===//
//
// mlir-opt with every upstream dialect, extension and pass plus daq's.
//
//===----------------------------------------------------------------------===//

#include "daq/Conversion/Passes.h"
#include "daq/IR/Daq.h"
#include "daq/Pipelines/Pipelines.h"
#include "daq/Transforms/Passes.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::registerAllPasses();
  mlir::daq::registerDaqPasses();
  mlir::daq::registerDaqConversionPasses();
  mlir::daq::registerDaqPipelines();
  mlir::daq::registerDaqGpuPipelines();

  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  // gpu-module-to-binary (daq-nvvm-pipeline) translates kernels to LLVM IR.
  mlir::registerAllToLLVMIRTranslations(registry);
  registry.insert<mlir::daq::DaqDialect>();

  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "daq optimizer driver\n", registry));
}
