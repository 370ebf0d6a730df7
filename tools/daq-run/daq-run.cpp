//===- daq-run.cpp - Run a daq entry point on .npy files ------------------===//
//
//   daq-run FILE.mlir -e FUNC --input=a.npy --input=b.npy --output=out.npy
//
// Compiles FILE.mlir for the host CPU (lowering it with daq-cpu-pipeline
// unless it already is in the LLVM dialect), calls FUNC on the inputs, one
// .npy file per argument in order (scalars as 0-d arrays), and writes one
// .npy file per result. Every failure is reported as `daq-run: error: ...`
// with exit code 1.
//
//===----------------------------------------------------------------------===//

#include "daq/Runtime/JitRunner.h"
#include "daq/Runtime/Npy.h"

#include "mlir/Support/FileUtilities.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir::daq;

// libLLVM.so and libMLIR.so register hundreds of global options; --help
// shows only these (--help-hidden shows all).
static llvm::cl::OptionCategory daqRunCategory("daq-run options");

static llvm::cl::opt<std::string> inputFilename(llvm::cl::Positional,
                                                llvm::cl::Required,
                                                llvm::cl::desc("<module.mlir>"),
                                                llvm::cl::cat(daqRunCategory));

static llvm::cl::opt<std::string>
    entryPoint("e", llvm::cl::Required, llvm::cl::desc("The function to call"),
               llvm::cl::value_desc("function"), llvm::cl::cat(daqRunCategory));

static llvm::cl::list<std::string>
    inputFiles("input",
               llvm::cl::desc("A .npy file for the next argument of the "
                              "function (give one per argument, in order; "
                              "scalars are 0-d arrays)"),
               llvm::cl::value_desc("file.npy"), llvm::cl::cat(daqRunCategory));

static llvm::cl::list<std::string>
    outputFiles("output",
                llvm::cl::desc("The .npy file for the next result of the "
                               "function (give one per result, in order)"),
                llvm::cl::value_desc("file.npy"),
                llvm::cl::cat(daqRunCategory));

static llvm::cl::opt<unsigned>
    optLevel("O",
             llvm::cl::desc("LLVM optimization level of the JIT, 0 to 3 "
                            "(default 2)"),
             llvm::cl::init(2), llvm::cl::Prefix,
             llvm::cl::cat(daqRunCategory));

static int fail(const llvm::Twine &message) {
  llvm::WithColor::error(llvm::errs(), "daq-run") << message << "\n";
  return 1;
}

static int fail(llvm::Error error) {
  return fail(llvm::toString(std::move(error)));
}

static int run() {
  std::string errorMessage;
  std::unique_ptr<llvm::MemoryBuffer> source =
      mlir::openInputFile(inputFilename, &errorMessage);
  if (!source)
    return fail(errorMessage);

  if (optLevel > 3)
    return fail("-O" + llvm::Twine(optLevel) + ": the level is 0 to 3");
  JitOptions options;
  options.optLevel = optLevel;
  llvm::Expected<std::shared_ptr<const JitModule>> module = JitModule::get(
      source->getBuffer(), options, source->getBufferIdentifier());
  if (!module)
    return fail(module.takeError());

  llvm::Expected<const FunctionSignature &> signature =
      (*module)->getSignature(entryPoint);
  if (!signature)
    return fail(signature.takeError());
  size_t numResults = signature->results.size();
  if (outputFiles.size() != numResults)
    return fail("function '" + entryPoint + "' has " + llvm::Twine(numResults) +
                " result" + (numResults == 1 ? "" : "s") + " but " +
                llvm::Twine(outputFiles.size()) + " --output file" +
                (outputFiles.size() == 1 ? " was" : "s were") + " given");

  std::vector<NpyArray> inputs;
  for (const std::string &path : inputFiles) {
    llvm::Expected<NpyArray> array = readNpyFile(path);
    if (!array)
      return fail(array.takeError());
    inputs.push_back(std::move(*array));
  }

  llvm::Expected<std::vector<NpyArray>> results =
      (*module)->invoke(entryPoint, inputs);
  if (!results)
    return fail(results.takeError());
  for (auto [array, path] : llvm::zip_equal(*results, outputFiles))
    if (llvm::Error error = writeNpyFile(array, path))
      return fail(std::move(error));
  return 0;
}

int main(int argc, char **argv) {
  llvm::InitLLVM initLLVM(argc, argv);
  llvm::cl::HideUnrelatedOptions(daqRunCategory);
  llvm::cl::ParseCommandLineOptions(
      argc, argv,
      "daq CPU runner: calls a function of an MLIR module on .npy inputs\n");
  return run();
}
