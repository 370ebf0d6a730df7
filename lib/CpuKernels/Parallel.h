//===- Parallel.h - Threads of the CPU runtime kernels ----------*- C++ -*-===//
//
// One contiguous chunk of an index range per thread, on a pool of
// std::threads that lives as long as the process: the kernels run inside
// JIT-compiled code, where loading an OpenMP runtime into every process would
// be a dependency of its own, and starting threads for every parallel phase
// cost about 35 us each (half the time of a small convolution).
//
//===----------------------------------------------------------------------===//

#ifndef DAQ_LIB_CPUKERNELS_PARALLEL_H
#define DAQ_LIB_CPUKERNELS_PARALLEL_H

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <thread>

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

/// A chunk of a parallel loop: task(context, begin, end).
using ParallelTask = void (*)(const void *context, int64_t begin, int64_t end);

/// Runs `task` over [0, count) split into `threads` contiguous chunks, chunk
/// 0 on the calling thread and the others on the pool's workers (or, when
/// the pool is busy with another caller's loop or this is a nested loop, on
/// threads started for the call). Returns when every chunk is done.
void runParallel(int64_t count, int64_t threads, ParallelTask task,
                 const void *context);

/// Runs fn(begin, end) over [0, count) split into one contiguous chunk per
/// thread; the calling thread takes the first chunk.
template <typename Fn> void parallelFor(int64_t count, const Fn &fn) {
  int64_t threads = std::min<int64_t>(getNumThreads(), count);
  if (threads <= 1) {
    if (count > 0)
      fn(0, count);
    return;
  }
  runParallel(
      count, threads,
      [](const void *context, int64_t begin, int64_t end) {
        (*static_cast<const Fn *>(context))(begin, end);
      },
      &fn);
}

} // namespace mlir::daq::cpu

#endif // DAQ_LIB_CPUKERNELS_PARALLEL_H
