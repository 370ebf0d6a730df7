//===- CudaDriver.cpp - CUDA driver API loaded at run time ----------------===//

#include "daq/Runtime/CudaDriver.h"

#include "llvm/ADT/Twine.h"

#include <cstdlib>
#include <dlfcn.h>

using namespace mlir::daq;

namespace {
// The driver API's types, as the ABI defines them (cuda.h is not needed).
using CUresult = int;
using CUdevice = int;
using CUdeviceptr = unsigned long long;
using CUcontext = void *;
using CUmodule = void *;
using CUfunction = void *;
using CUstream = void *;
using CUevent = void *;
constexpr CUresult kSuccess = 0;
constexpr CUresult kNoDevice = 100;
constexpr CUresult kStubLibrary = 34;
constexpr CUresult kInsufficientDriver = 35;
} // namespace

struct CudaDriver::Api {
  void *library = nullptr;
  CUresult (*cuInit)(unsigned);
  CUresult (*cuDeviceGetCount)(int *);
  CUresult (*cuDeviceGet)(CUdevice *, int);
  CUresult (*cuDevicePrimaryCtxRetain)(CUcontext *, CUdevice);
  CUresult (*cuCtxSetCurrent)(CUcontext);
  CUresult (*cuCtxSynchronize)();
  CUresult (*cuModuleLoadData)(CUmodule *, const void *);
  CUresult (*cuModuleGetFunction)(CUfunction *, CUmodule, const char *);
  CUresult (*cuLaunchKernel)(CUfunction, unsigned, unsigned, unsigned, unsigned,
                             unsigned, unsigned, unsigned, CUstream, void **,
                             void **);
  CUresult (*cuMemAlloc)(CUdeviceptr *, size_t);
  CUresult (*cuMemFree)(CUdeviceptr);
  CUresult (*cuMemcpyHtoD)(CUdeviceptr, const void *, size_t);
  CUresult (*cuMemcpyDtoH)(void *, CUdeviceptr, size_t);
  CUresult (*cuGetErrorString)(CUresult, const char **);
  CUresult (*cuEventCreate)(CUevent *, unsigned);
  CUresult (*cuEventRecord)(CUevent, CUstream);
  CUresult (*cuEventSynchronize)(CUevent);
  CUresult (*cuEventElapsedTime)(float *, CUevent, CUevent);
  CUresult (*cuEventDestroy)(CUevent);
};

template <typename F>
static bool bind(void *library, const char *name, F &function) {
  function = reinterpret_cast<F>(dlsym(library, name));
  return function != nullptr;
}

llvm::Error CudaDriver::check(int status, llvm::StringRef what) {
  if (status == kSuccess)
    return llvm::Error::success();
  const char *message = nullptr;
  if (api->cuGetErrorString)
    api->cuGetErrorString(status, &message);
  return llvm::createStringError(
      llvm::Twine(what) + " failed: CUDA error " + llvm::Twine(status) +
      (message ? llvm::Twine(" (") + message + ")" : llvm::Twine()));
}

llvm::Expected<CudaDriver &> CudaDriver::get() {
  static CudaDriver *driver = nullptr;
  static std::string failure;
  if (driver)
    return *driver;
  if (!failure.empty())
    return llvm::createStringError(failure);

  auto fail = [&](const llvm::Twine &message) -> llvm::Error {
    failure = message.str();
    return llvm::createStringError(failure);
  };
  const char *name = std::getenv("DAQ_CUDA_DRIVER");
  if (!name || !*name)
    name = "libcuda.so.1";
  void *library = dlopen(name, RTLD_NOW | RTLD_LOCAL);
  if (!library) {
    const char *reason = dlerror();
    return fail(llvm::Twine("no CUDA driver found (") + name +
                "): " + (reason ? reason : "dlopen failed"));
  }
  auto api = std::make_unique<Api>();
  api->library = library;
  bool complete =
      bind(library, "cuInit", api->cuInit) &&
      bind(library, "cuDeviceGetCount", api->cuDeviceGetCount) &&
      bind(library, "cuDeviceGet", api->cuDeviceGet) &&
      bind(library, "cuDevicePrimaryCtxRetain",
           api->cuDevicePrimaryCtxRetain) &&
      bind(library, "cuCtxSetCurrent", api->cuCtxSetCurrent) &&
      bind(library, "cuCtxSynchronize", api->cuCtxSynchronize) &&
      bind(library, "cuModuleLoadData", api->cuModuleLoadData) &&
      bind(library, "cuModuleGetFunction", api->cuModuleGetFunction) &&
      bind(library, "cuLaunchKernel", api->cuLaunchKernel) &&
      bind(library, "cuMemAlloc_v2", api->cuMemAlloc) &&
      bind(library, "cuMemFree_v2", api->cuMemFree) &&
      bind(library, "cuMemcpyHtoD_v2", api->cuMemcpyHtoD) &&
      bind(library, "cuMemcpyDtoH_v2", api->cuMemcpyDtoH) &&
      bind(library, "cuGetErrorString", api->cuGetErrorString) &&
      bind(library, "cuEventCreate", api->cuEventCreate) &&
      bind(library, "cuEventRecord", api->cuEventRecord) &&
      bind(library, "cuEventSynchronize", api->cuEventSynchronize) &&
      bind(library, "cuEventElapsedTime", api->cuEventElapsedTime) &&
      bind(library, "cuEventDestroy_v2", api->cuEventDestroy);
  if (!complete)
    return fail(llvm::Twine("no CUDA driver found (") + name +
                "): the library lacks driver API entry points");

  CUresult status = api->cuInit(0);
  int count = 0;
  if (status == kSuccess)
    status = api->cuDeviceGetCount(&count);
  if (status == kStubLibrary)
    return fail(llvm::Twine("no CUDA driver found (") + name +
                "): it is the CUDA toolkit's stub library");
  if (status == kInsufficientDriver)
    return fail(llvm::Twine("no usable CUDA driver (") + name +
                "): the driver is older than the runtime needs");
  if (status == kNoDevice || (status == kSuccess && count == 0))
    return fail("no GPU: the CUDA driver reports no device");
  auto instance = std::unique_ptr<CudaDriver>(new CudaDriver());
  instance->api = std::move(api);
  if (llvm::Error error = instance->check(status, "cuInit"))
    return fail(llvm::toString(std::move(error)));
  CUdevice device;
  CUcontext context;
  if (llvm::Error error = instance->check(
          instance->api->cuDeviceGet(&device, 0), "cuDeviceGet"))
    return fail(llvm::toString(std::move(error)));
  if (llvm::Error error = instance->check(
          instance->api->cuDevicePrimaryCtxRetain(&context, device),
          "cuDevicePrimaryCtxRetain"))
    return fail(llvm::toString(std::move(error)));
  if (llvm::Error error = instance->check(
          instance->api->cuCtxSetCurrent(context), "cuCtxSetCurrent"))
    return fail(llvm::toString(std::move(error)));
  instance->context = context;
  driver = instance.release();
  return *driver;
}

llvm::Expected<uint64_t> CudaDriver::allocate(size_t bytes) {
  CUdeviceptr pointer = 0;
  if (llvm::Error error =
          check(api->cuMemAlloc(&pointer, bytes ? bytes : 1), "cuMemAlloc"))
    return std::move(error);
  return pointer;
}

llvm::Error CudaDriver::free(uint64_t pointer) {
  return check(api->cuMemFree(pointer), "cuMemFree");
}

llvm::Error CudaDriver::copyToDevice(uint64_t device, const void *host,
                                     size_t bytes) {
  return check(api->cuMemcpyHtoD(device, host, bytes), "cuMemcpyHtoD");
}

llvm::Error CudaDriver::copyToHost(void *host, uint64_t device, size_t bytes) {
  return check(api->cuMemcpyDtoH(host, device, bytes), "cuMemcpyDtoH");
}

llvm::Error CudaDriver::synchronize() {
  return check(api->cuCtxSynchronize(), "cuCtxSynchronize");
}

llvm::Expected<void *> CudaDriver::getFunction(llvm::StringRef image,
                                               llvm::StringRef name) {
  std::string key = image.str();
  auto it = modules.find(key);
  if (it == modules.end()) {
    // PTX must be NUL-terminated; std::string's buffer is.
    CUmodule module = nullptr;
    if (llvm::Error error = check(api->cuModuleLoadData(&module, key.c_str()),
                                  "cuModuleLoadData"))
      return std::move(error);
    it = modules.emplace(std::move(key), module).first;
  }
  CUfunction function = nullptr;
  if (llvm::Error error = check(
          api->cuModuleGetFunction(&function, it->second, name.str().c_str()),
          ("cuModuleGetFunction(" + name + ")").str()))
    return std::move(error);
  return function;
}

llvm::Error CudaDriver::launch(void *function, std::array<unsigned, 3> grid,
                               std::array<unsigned, 3> block,
                               unsigned sharedBytes,
                               llvm::ArrayRef<void *> arguments) {
  return check(api->cuLaunchKernel(function, grid[0], grid[1], grid[2],
                                   block[0], block[1], block[2], sharedBytes,
                                   /*stream=*/nullptr,
                                   const_cast<void **>(arguments.data()),
                                   /*extra=*/nullptr),
               "cuLaunchKernel");
}

llvm::Expected<float>
CudaDriver::timeLaunches(llvm::function_ref<llvm::Error()> body) {
  CUevent start = nullptr, stop = nullptr;
  if (llvm::Error error = check(api->cuEventCreate(&start, 0), "cuEventCreate"))
    return std::move(error);
  if (llvm::Error error = check(api->cuEventCreate(&stop, 0), "cuEventCreate"))
    return std::move(error);
  float ms = 0;
  llvm::Error error =
      check(api->cuEventRecord(start, nullptr), "cuEventRecord");
  if (!error)
    error = body();
  if (!error)
    error = check(api->cuEventRecord(stop, nullptr), "cuEventRecord");
  if (!error)
    error = check(api->cuEventSynchronize(stop), "cuEventSynchronize");
  if (!error)
    error =
        check(api->cuEventElapsedTime(&ms, start, stop), "cuEventElapsedTime");
  api->cuEventDestroy(start);
  api->cuEventDestroy(stop);
  if (error)
    return std::move(error);
  return ms;
}
