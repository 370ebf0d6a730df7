//===- daq-cuda-run.cpp - Run exported daq kernels on a GPU ---------------===//
//
//   daq-cuda-run DIR/PREFIX.kernels -e FUNC --input=a.npy ... --output=y.npy
//       [--repeat N]
//
// Runs the kernels daq-gpu-export wrote for function FUNC, in order, on the
// inputs (one .npy per function argument) and writes one .npy per result.
// With --repeat N the launches run N more times and the mean time per run is
// printed ("time-ms: ..."). The CUDA driver is loaded at run time; without
// one the tool fails with "no CUDA driver found (libcuda.so.1): ...".
//
//===----------------------------------------------------------------------===//

#include "daq/Runtime/CudaDriver.h"
#include "daq/Runtime/Npy.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

#include <map>
#include <sstream>

using namespace mlir::daq;

static llvm::cl::OptionCategory category("daq-cuda-run options");
static llvm::cl::opt<std::string>
    manifestFile(llvm::cl::Positional, llvm::cl::Required,
                 llvm::cl::desc("<PREFIX.kernels>"), llvm::cl::cat(category));
static llvm::cl::opt<std::string> entryPoint("e", llvm::cl::Required,
                                             llvm::cl::desc("Function"),
                                             llvm::cl::cat(category));
static llvm::cl::list<std::string>
    inputFiles("input", llvm::cl::desc("A .npy file per function argument"),
               llvm::cl::cat(category));
static llvm::cl::list<std::string>
    outputFiles("output", llvm::cl::desc("A .npy file per function result"),
                llvm::cl::cat(category));
static llvm::cl::opt<unsigned>
    repeat("repeat",
           llvm::cl::desc("Run the launches N more times and print the mean "
                          "time in ms"),
           llvm::cl::init(0), llvm::cl::cat(category));

static int fail(const llvm::Twine &message) {
  llvm::WithColor::error(llvm::errs(), "daq-cuda-run") << message << "\n";
  return 1;
}

static int fail(llvm::Error error) {
  return fail(llvm::toString(std::move(error)));
}

namespace {
struct Arg {
  std::string kind; // in, out, tmp
  int index = -1;
  std::string cType, shape;
  size_t bytes = 0;
};
struct Kernel {
  std::string name, image;
  std::array<unsigned, 3> grid, block;
  unsigned smem = 0;
  std::vector<Arg> args;
};

DType dtypeOf(llvm::StringRef cType) {
  if (cType == "int8_t")
    return DType::I8;
  if (cType == "int32_t")
    return DType::I32;
  if (cType == "int64_t")
    return DType::I64;
  if (cType == "double")
    return DType::F64;
  if (cType == "bool")
    return DType::I1;
  return DType::F32;
}
} // namespace

static int run() {
  auto manifest = llvm::MemoryBuffer::getFile(manifestFile);
  if (!manifest)
    return fail("cannot read " + manifestFile + ": " +
                manifest.getError().message());
  llvm::StringRef dir = llvm::sys::path::parent_path(manifestFile);
  std::vector<Kernel> kernels;
  std::istringstream lines((*manifest)->getBuffer().str());
  std::string line;
  bool selected = false;
  while (std::getline(lines, line)) {
    std::istringstream words(line);
    std::string tag, skip;
    words >> tag;
    if (tag == "kernel") {
      Kernel k;
      std::string function;
      words >> function >> k.name >> k.image >> skip >> k.grid[0] >>
          k.grid[1] >> k.grid[2] >> skip >> k.block[0] >> k.block[1] >>
          k.block[2] >> skip >> k.smem;
      selected = function == entryPoint;
      if (selected)
        kernels.push_back(k);
    } else if (tag == "arg" && selected) {
      Arg a;
      words >> a.kind >> a.index >> a.cType >> a.bytes >> a.shape;
      kernels.back().args.push_back(a);
    }
  }
  if (kernels.empty())
    return fail("no kernels of function '" + entryPoint + "' in " +
                manifestFile);

  std::vector<NpyArray> inputs;
  for (const std::string &path : inputFiles) {
    auto array = readNpyFile(path);
    if (!array)
      return fail(array.takeError());
    inputs.push_back(std::move(*array));
  }

  auto driver = CudaDriver::get();
  if (!driver)
    return fail(driver.takeError());

  std::map<std::string, uint64_t> buffers; // "in 0", "out 1", "tmp 2" -> device
  std::map<int, Arg> outputs;
  std::vector<std::pair<void *, std::vector<uint64_t>>> launches;
  for (const Kernel &k : kernels) {
    auto image = llvm::MemoryBuffer::getFile((dir + "/" + k.image).str(),
                                             /*IsText=*/false,
                                             /*RequiresNullTerminator=*/true);
    if (!image)
      return fail("cannot read kernel image " + k.image);
    auto function = driver->getFunction((*image)->getBuffer(), k.name);
    if (!function)
      return fail(function.takeError());
    std::vector<uint64_t> pointers;
    for (const Arg &a : k.args) {
      std::string key = a.kind + " " + std::to_string(a.index);
      if (buffers.count(key)) {
        pointers.push_back(buffers[key]);
        continue;
      }
      auto pointer = driver->allocate(a.bytes);
      if (!pointer)
        return fail(pointer.takeError());
      if (a.kind == "in") {
        if (a.index >= (int)inputs.size())
          return fail("kernel " + k.name + " reads argument " +
                      llvm::Twine(a.index) + " but only " +
                      llvm::Twine(inputs.size()) + " --input files were given");
        const NpyArray &in = inputs[a.index];
        if (in.data.size() != a.bytes || in.dtype != dtypeOf(a.cType))
          return fail("input " + llvm::Twine(a.index) + " must be " + a.cType +
                      " " + a.shape + " (" + llvm::Twine(a.bytes) + " bytes)");
        if (llvm::Error error =
                driver->copyToDevice(*pointer, in.data.data(), a.bytes))
          return fail(std::move(error));
      }
      if (a.kind == "out")
        outputs[a.index] = a;
      // Intermediate buffers ("tmp N") too: the kernels that name one share
      // it.
      buffers[key] = *pointer;
      pointers.push_back(*pointer);
    }
    launches.emplace_back(*function, std::move(pointers));
  }
  if (outputs.size() != outputFiles.size())
    return fail("function '" + entryPoint + "' has " +
                llvm::Twine(outputs.size()) + " results but " +
                llvm::Twine(outputFiles.size()) + " --output files were given");

  auto launchAll = [&]() -> llvm::Error {
    for (auto [k, launch] : llvm::zip_equal(kernels, launches)) {
      std::vector<void *> args;
      for (uint64_t &p : launch.second)
        args.push_back(&p);
      if (llvm::Error error =
              driver->launch(launch.first, k.grid, k.block, 0, args))
        return error;
    }
    return llvm::Error::success();
  };
  if (llvm::Error error = launchAll())
    return fail(std::move(error));
  if (llvm::Error error = driver->synchronize())
    return fail(std::move(error));
  if (repeat > 0) {
    auto ms = driver->timeLaunches([&]() -> llvm::Error {
      for (unsigned i = 0; i < repeat; ++i)
        if (llvm::Error error = launchAll())
          return error;
      return llvm::Error::success();
    });
    if (!ms)
      return fail(ms.takeError());
    llvm::outs() << "time-ms: " << *ms / repeat << "\n";
  }
  for (auto &[index, a] : outputs) {
    std::vector<int64_t> shape;
    if (a.shape != "scalar") {
      llvm::SmallVector<llvm::StringRef> dims;
      llvm::StringRef(a.shape).split(dims, 'x');
      for (llvm::StringRef d : dims)
        shape.push_back(std::stoll(d.str()));
    }
    NpyArray array(dtypeOf(a.cType), shape);
    if (llvm::Error error = driver->copyToHost(
            array.data.data(), buffers["out " + std::to_string(index)],
            a.bytes))
      return fail(std::move(error));
    if (llvm::Error error = writeNpyFile(array, outputFiles[index]))
      return fail(std::move(error));
  }
  for (auto &[key, p] : buffers)
    (void)driver->free(p);
  return 0;
}

int main(int argc, char **argv) {
  llvm::InitLLVM initLLVM(argc, argv);
  llvm::cl::HideUnrelatedOptions(category);
  llvm::cl::ParseCommandLineOptions(argc, argv,
                                    "daq CUDA runner for daq-gpu-export "
                                    "kernels\n");
  return run();
}
