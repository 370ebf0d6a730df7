//===- CudaDriver.h - CUDA driver API loaded at run time --------*- C++ -*-===//
//
// A minimal CUDA runner for the kernels of daq-nvvm-pipeline: loads
// libcuda.so.1 with dlopen (nothing links against the driver, so every build
// and the CPU tests work on machines without one), loads cubin / PTX /
// fatbin images (cached per image), allocates and copies buffers, and
// launches kernels with a grid, a block and dynamic shared memory. Every
// failure is an llvm::Error whose message says what is missing ("no CUDA
// driver found (libcuda.so.1): ...", "no GPU: ...").
//
//===----------------------------------------------------------------------===//

#ifndef DAQ_RUNTIME_CUDADRIVER_H
#define DAQ_RUNTIME_CUDADRIVER_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

namespace mlir::daq {

class CudaDriver {
public:
  /// The process-wide driver: loads libcuda.so.1 (or the library named by
  /// $DAQ_CUDA_DRIVER), initializes it and makes the primary context of
  /// device 0 current. Fails without a driver or without a GPU.
  static llvm::Expected<CudaDriver &> get();

  /// A device allocation of `bytes` bytes.
  llvm::Expected<uint64_t> allocate(size_t bytes);
  llvm::Error free(uint64_t pointer);
  llvm::Error copyToDevice(uint64_t device, const void *host, size_t bytes);
  llvm::Error copyToHost(void *host, uint64_t device, size_t bytes);
  llvm::Error synchronize();

  /// The function `name` of `image` (cubin, fatbin or PTX text); modules are
  /// loaded once per distinct image.
  llvm::Expected<void *> getFunction(llvm::StringRef image,
                                     llvm::StringRef name);

  /// Launches `function`; `arguments` points at each kernel argument.
  llvm::Error launch(void *function, std::array<unsigned, 3> grid,
                     std::array<unsigned, 3> block, unsigned sharedBytes,
                     llvm::ArrayRef<void *> arguments);

  /// Milliseconds between two points of the stream, measured with events.
  llvm::Expected<float> timeLaunches(llvm::function_ref<llvm::Error()> body);

  struct Api;

private:
  CudaDriver() = default;
  llvm::Error check(int status, llvm::StringRef what);

  std::unique_ptr<Api> api;
  void *context = nullptr;
  std::map<std::string, void *> modules;
};

} // namespace mlir::daq

#endif // DAQ_RUNTIME_CUDADRIVER_H
