//===- DaqPlugin.cpp - daq as an mlir-opt plugin
//---------------------------===//
//
// `mlir-opt --load-dialect-plugin=DaqPlugin.so` registers the daq dialect and
// passes; `--load-pass-plugin=DaqPlugin.so` registers the passes alone.
//
//===----------------------------------------------------------------------===//

#include "daq/Conversion/Passes.h"
#include "daq/IR/Daq.h"
#include "daq/Pipelines/Pipelines.h"
#include "daq/Transforms/Passes.h"

#include "mlir/Tools/Plugins/DialectPlugin.h"
#include "mlir/Tools/Plugins/PassPlugin.h"
#include "llvm/Config/llvm-config.h"
#include "llvm/Support/Compiler.h"

using namespace mlir;

static void registerAllDaqPasses() {
  daq::registerDaqPasses();
  daq::registerDaqConversionPasses();
  daq::registerDaqPipelines();
}

extern "C" LLVM_ATTRIBUTE_WEAK DialectPluginLibraryInfo
mlirGetDialectPluginInfo() {
  return {MLIR_PLUGIN_API_VERSION, "Daq", LLVM_VERSION_STRING,
          [](DialectRegistry *registry) {
            registry->insert<daq::DaqDialect>();
            registerAllDaqPasses();
          }};
}

extern "C" LLVM_ATTRIBUTE_WEAK PassPluginLibraryInfo mlirGetPassPluginInfo() {
  return {MLIR_PLUGIN_API_VERSION, "DaqPasses", LLVM_VERSION_STRING,
          registerAllDaqPasses};
}
