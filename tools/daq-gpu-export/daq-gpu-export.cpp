//===- daq-gpu-export.cpp - INT8 convolution kernels as files + C header --===//
//
//   daq-gpu-export IN.mlir -o DIR [--name PREFIX] [--chip sm_80]
//       [--features +ptx80] [--format isa|bin|fatbin] [--tile-m ...]
//
// Runs daq-nvvm-pipeline on IN.mlir (daq INT8 convolutions on tensors with
// static shapes) and writes, for every gpu.launch_func of every function:
//
//   DIR/PREFIX_<kernel>.ptx | .cubin | .fatbin   the kernel image
//   DIR/PREFIX.h                                   launch configurations
//   DIR/PREFIX.kernels                             the same, one line per
//                                                  launch (daq-cuda-run)
//
// Kernels take bare pointers (convert-gpu-to-nvvm use-bare-ptr-memref-call-
// conv): one device pointer per buffer, in the order the header lists.
//
//===----------------------------------------------------------------------===//

#include "daq/Conversion/Passes.h"
#include "daq/IR/Daq.h"
#include "daq/Pipelines/Pipelines.h"
#include "daq/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/Matchers.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>

using namespace mlir;

static llvm::cl::OptionCategory category("daq-gpu-export options");
static llvm::cl::opt<std::string> inputFile(llvm::cl::Positional,
                                            llvm::cl::Required,
                                            llvm::cl::desc("<module.mlir>"),
                                            llvm::cl::cat(category));
static llvm::cl::opt<std::string>
    outputDir("o", llvm::cl::Required,
              llvm::cl::desc("Directory for the kernels and the header"),
              llvm::cl::value_desc("dir"), llvm::cl::cat(category));
static llvm::cl::opt<std::string>
    prefix("name", llvm::cl::desc("Prefix of the written files and symbols"),
           llvm::cl::init("daq"), llvm::cl::cat(category));
static llvm::cl::opt<std::string>
    pipelineOptions("pipeline-options",
                    llvm::cl::desc("Options of daq-nvvm-pipeline, e.g. "
                                   "\"chip=sm_90 format=bin tile-m=64\""),
                    llvm::cl::init(""), llvm::cl::cat(category));
static llvm::cl::opt<bool>
    printTime("time", llvm::cl::desc("Print the compile time in seconds"),
              llvm::cl::cat(category));

static int fail(const llvm::Twine &message) {
  llvm::WithColor::error(llvm::errs(), "daq-gpu-export") << message << "\n";
  return 1;
}

namespace {

/// One argument of a kernel launch: a buffer of the host function.
struct KernelArg {
  std::string role; // "in N", "out N" or "tmp N"
  std::string cType, mlirType, shape;
  int64_t bytes = 0;
};

struct Launch {
  std::string function, module, kernel, imageFile;
  int64_t grid[3] = {1, 1, 1}, block[3] = {1, 1, 1};
  int64_t sharedBytes = 0;
  std::vector<KernelArg> args;
};

std::string cTypeOf(Type element) {
  if (element.isInteger(8))
    return "int8_t";
  if (element.isInteger(32))
    return "int32_t";
  if (element.isF32())
    return "float";
  if (element.isInteger(64))
    return "int64_t";
  if (element.isF64())
    return "double";
  if (element.isInteger(1))
    return "bool";
  return "void";
}

int64_t bytesOfLLVMType(Type type) {
  if (auto array = dyn_cast<LLVM::LLVMArrayType>(type))
    return array.getNumElements() * bytesOfLLVMType(array.getElementType());
  if (type.isIntOrFloat())
    return (type.getIntOrFloatBitWidth() + 7) / 8;
  return 0;
}

FailureOr<int64_t> constantOf(Value v) {
  APInt value;
  if (matchPattern(v, m_ConstantInt(&value)))
    return value.getSExtValue();
  return failure();
}

/// Reads every gpu.launch_func before serialization.
FailureOr<std::vector<Launch>> collectLaunches(ModuleOp module) {
  std::vector<Launch> launches;
  bool ok = true;
  module.walk([&](func::FuncOp func) {
    // Intermediate buffers of the function ("tmp N"): one number per
    // buffer, so that the kernels that pass data through it share it.
    llvm::DenseMap<Value, int> temporaries;
    func.walk([&](gpu::LaunchFuncOp launch) {
      Launch l;
      l.function = func.getSymName().str();
      l.module = launch.getKernelModuleName().str();
      l.kernel = launch.getKernelName().str();
      gpu::KernelDim3 grid = launch.getGridSizeOperandValues();
      gpu::KernelDim3 block = launch.getBlockSizeOperandValues();
      Value dims[6] = {grid.x, grid.y, grid.z, block.x, block.y, block.z};
      for (int i = 0; i < 6; ++i) {
        FailureOr<int64_t> c = constantOf(dims[i]);
        if (failed(c)) {
          launch.emitError("daq-gpu-export: launch sizes must be constants");
          ok = false;
          return;
        }
        (i < 3 ? l.grid[i] : l.block[i - 3]) = *c;
      }
      auto gpuModule = module.lookupSymbol<gpu::GPUModuleOp>(l.module);
      if (gpuModule)
        gpuModule.walk([&](LLVM::GlobalOp global) {
          if (global.getAddrSpace() == 3)
            l.sharedBytes += bytesOfLLVMType(global.getGlobalType());
        });
      auto returned = func.getBody().back().getTerminator();
      for (Value operand : launch.getKernelOperands()) {
        KernelArg arg;
        auto type = dyn_cast<MemRefType>(operand.getType());
        if (!type || !type.hasStaticShape()) {
          launch.emitError("daq-gpu-export: kernel operands must be "
                           "statically shaped memrefs");
          ok = false;
          return;
        }
        llvm::raw_string_ostream os(arg.mlirType);
        os << type;
        arg.cType = cTypeOf(type.getElementType());
        for (int64_t d : type.getShape())
          arg.shape += (arg.shape.empty() ? "" : "x") + std::to_string(d);
        if (arg.shape.empty())
          arg.shape = "scalar";
        arg.bytes =
            type.getNumElements() * ((type.getElementTypeBitWidth() + 7) / 8);
        if (auto blockArg = dyn_cast<BlockArgument>(operand)) {
          arg.role = "in " + std::to_string(blockArg.getArgNumber());
        } else {
          for (auto [i, result] : llvm::enumerate(returned->getOperands()))
            if (result == operand)
              arg.role = "out " + std::to_string(i);
          if (arg.role.empty()) {
            auto [it, inserted] =
                temporaries.try_emplace(operand, temporaries.size());
            arg.role = "tmp " + std::to_string(it->second);
          }
        }
        l.args.push_back(arg);
      }
      launches.push_back(std::move(l));
    });
  });
  if (!ok)
    return failure();
  return launches;
}

std::string extensionOf(gpu::CompilationTarget format) {
  switch (format) {
  case gpu::CompilationTarget::Assembly:
    return "ptx";
  case gpu::CompilationTarget::Binary:
    return "cubin";
  case gpu::CompilationTarget::Fatbin:
    return "fatbin";
  case gpu::CompilationTarget::Offload:
    return "ll";
  }
  return "bin";
}

} // namespace

static int run() {
  DialectRegistry registry;
  registerAllDialects(registry);
  registerAllExtensions(registry);
  registerAllToLLVMIRTranslations(registry);
  registry.insert<daq::DaqDialect>();
  MLIRContext context(registry);
  context.loadAllAvailableDialects();

  std::string error;
  auto file = openInputFile(inputFile, &error);
  if (!file)
    return fail(error);
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(std::move(file), llvm::SMLoc());
  OwningOpRef<ModuleOp> module = parseSourceFile<ModuleOp>(sourceMgr, &context);
  if (!module)
    return fail("cannot parse " + inputFile);

  auto options = daq::NvvmPipelineOptions::createFromString(pipelineOptions);
  if (!options)
    return fail("invalid --pipeline-options '" + pipelineOptions + "'");
  if (!llvm::is_contained({"isa", "bin", "fatbin", "offload"},
                          options->format.getValue()))
    return fail("format must be isa, bin, fatbin or offload, not '" +
                options->format.getValue() + "'");
  auto start = std::chrono::steady_clock::now();
  PassManager lower(&context);
  daq::buildDaqNvvmPipeline(lower, *options, /*serialize=*/false);
  if (failed(lower.run(*module)))
    return fail("daq-nvvm-pipeline failed on " + inputFile);
  FailureOr<std::vector<Launch>> launches = collectLaunches(*module);
  if (failed(launches))
    return 1;
  PassManager serialize(&context);
  GpuModuleToBinaryPassOptions binaryOptions;
  binaryOptions.compilationTarget = options->format;
  serialize.addPass(createGpuModuleToBinaryPass(binaryOptions));
  if (failed(serialize.run(*module)))
    return fail("gpu-module-to-binary failed (format " +
                options->format.getValue() + ")");
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();

  if (std::error_code ec = llvm::sys::fs::create_directories(outputDir))
    return fail("cannot create " + outputDir + ": " + ec.message());
  std::map<std::string, std::string> imageOf;
  for (auto binary : module->getOps<gpu::BinaryOp>()) {
    auto object = cast<gpu::ObjectAttr>(binary.getObjects()[0]);
    std::string name = prefix + "_" + binary.getSymName().str() + "." +
                       extensionOf(object.getFormat());
    std::string path = (outputDir + "/" + name);
    std::error_code ec;
    llvm::raw_fd_ostream os(path, ec, llvm::sys::fs::OF_None);
    if (ec)
      return fail("cannot write " + path + ": " + ec.message());
    os << object.getObject().getValue();
    imageOf[binary.getSymName().str()] = name;
  }
  for (Launch &l : *launches)
    l.imageFile = imageOf[l.module];

  // The C header.
  std::string headerPath = outputDir + "/" + prefix + ".h";
  std::error_code ec;
  llvm::raw_fd_ostream h(headerPath, ec, llvm::sys::fs::OF_Text);
  if (ec)
    return fail("cannot write " + headerPath + ": " + ec.message());
  h << "/* Generated by daq-gpu-export from "
    << llvm::sys::path::filename(inputFile) << " (daq-nvvm-pipeline "
    << pipelineOptions << ").\n"
    << " * Launch each kernel in order with cuLaunchKernel; every argument is\n"
    << " * a device pointer (bare-pointer convention), dynamic shared memory "
       "0. */\n"
    << "#ifndef " << llvm::StringRef(prefix).upper() << "_KERNELS_H\n"
    << "#define " << llvm::StringRef(prefix).upper() << "_KERNELS_H\n\n"
    << "#include <stdint.h>\n\n"
    << "typedef struct {\n"
    << "  const char *role;      /* \"in N\" / \"out N\": argument / result N "
       "of the function; \"tmp N\": intermediate buffer N, shared by the "
       "kernels that name it */\n"
    << "  const char *c_type;    /* element type */\n"
    << "  const char *mlir_type; /* the buffer's memref type */\n"
    << "  uint64_t bytes;\n"
    << "} " << prefix << "_kernel_arg_t;\n\n"
    << "typedef struct {\n"
    << "  const char *function; /* the MLIR function it implements a part of "
       "*/\n"
    << "  const char *kernel;   /* entry point in the image */\n"
    << "  const char *image;    /* file written next to this header */\n"
    << "  unsigned grid[3], block[3];\n"
    << "  unsigned shared_bytes; /* static shared memory of the kernel */\n"
    << "  unsigned num_args;\n"
    << "  const " << prefix << "_kernel_arg_t *args;\n"
    << "} " << prefix << "_kernel_t;\n\n";
  for (auto [i, l] : llvm::enumerate(*launches)) {
    h << "static const " << prefix << "_kernel_arg_t " << prefix << "_args_"
      << i << "[] = {\n";
    for (const KernelArg &a : l.args)
      h << "  {\"" << a.role << "\", \"" << a.cType << "\", \"" << a.mlirType
        << "\", " << a.bytes << "u},\n";
    h << "};\n";
  }
  h << "\nstatic const " << prefix << "_kernel_t " << prefix
    << "_kernels[] = {\n";
  for (auto [i, l] : llvm::enumerate(*launches))
    h << "  {\"" << l.function << "\", \"" << l.kernel << "\", \""
      << l.imageFile << "\", {" << l.grid[0] << ", " << l.grid[1] << ", "
      << l.grid[2] << "}, {" << l.block[0] << ", " << l.block[1] << ", "
      << l.block[2] << "}, " << l.sharedBytes << ", " << l.args.size() << ", "
      << prefix << "_args_" << i << "},\n";
  h << "};\n#define " << llvm::StringRef(prefix).upper() << "_NUM_KERNELS "
    << launches->size() << "\n\n#endif\n";

  // The same, line-based, for daq-cuda-run.
  std::string listPath = outputDir + "/" + prefix + ".kernels";
  llvm::raw_fd_ostream list(listPath, ec, llvm::sys::fs::OF_Text);
  if (ec)
    return fail("cannot write " + listPath + ": " + ec.message());
  for (const Launch &l : *launches) {
    list << "kernel " << l.function << " " << l.kernel << " " << l.imageFile
         << " grid " << l.grid[0] << " " << l.grid[1] << " " << l.grid[2]
         << " block " << l.block[0] << " " << l.block[1] << " " << l.block[2]
         << " smem " << l.sharedBytes << " args " << l.args.size() << "\n";
    for (const KernelArg &a : l.args)
      list << "arg " << a.role << " " << a.cType << " " << a.bytes << " "
           << a.shape << "\n";
  }
  if (printTime)
    llvm::outs() << llvm::format("compile time: %.3f s\n", seconds);
  return 0;
}

int main(int argc, char **argv) {
  llvm::InitLLVM initLLVM(argc, argv);
  registerAllPasses();
  daq::registerDaqPasses();
  daq::registerDaqConversionPasses();
  llvm::cl::HideUnrelatedOptions(category);
  llvm::cl::ParseCommandLineOptions(
      argc, argv, "daq GPU kernel export: kernel images and a C header\n");
  return run();
}
