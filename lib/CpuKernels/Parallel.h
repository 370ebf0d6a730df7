//===- Parallel.h - Threads of the CPU runtime kernels ----------*- C++ -*-===//
//
// One contiguous chunk of an index range per thread, with std::thread: the
// kernels run inside JIT-compiled code, where loading an OpenMP runtime into
// every process would be a dependency of its own.
//
//===----------------------------------------------------------------------===//

#ifndef DAQ_LIB_CPUKERNELS_PARALLEL_H
#define DAQ_LIB_CPUKERNELS_PARALLEL_H

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <thread>
#include <vector>

namespace mlir::daq::cpu {

/// DAQ_NUM_THREADS if set to a positive number, else the hardware threads.
inline int getNumThreads() {
  static const int threads = [] {
    if (const char *env = std::getenv("DAQ_NUM_THREADS")) {
      int value = std::atoi(env);
      if (value > 0)
        return value;
    }
    unsigned hw = std::thread::hardware_concurrency();
    return hw ? static_cast<int>(hw) : 1;
  }();
  return threads;
}

/// Runs fn(begin, end) over [0, count) split into one contiguous chunk per
/// thread; the calling thread takes the first chunk.
template <typename Fn> void parallelFor(int64_t count, const Fn &fn) {
  int64_t threads = std::min<int64_t>(getNumThreads(), count);
  if (threads <= 1) {
    if (count > 0)
      fn(0, count);
    return;
  }
  int64_t chunk = (count + threads - 1) / threads;
  std::vector<std::thread> workers;
  for (int64_t t = 1; t < threads; ++t) {
    int64_t begin = t * chunk, end = std::min(count, begin + chunk);
    if (begin < end)
      workers.emplace_back([&fn, begin, end] { fn(begin, end); });
  }
  fn(0, std::min(count, chunk));
  for (std::thread &worker : workers)
    worker.join();
}

} // namespace mlir::daq::cpu

#endif // DAQ_LIB_CPUKERNELS_PARALLEL_H
