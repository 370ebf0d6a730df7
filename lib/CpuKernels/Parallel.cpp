//===- Parallel.cpp - The kernels' thread pool ----------------------------===//
//
// getNumThreads() - 1 workers, started on first use, run one loop at a time
// for whichever thread holds the pool; the caller runs chunk 0 itself. A
// second loop that finds the pool busy (another caller thread, or a loop
// nested in a chunk) starts threads of its own, as every loop did before the
// pool. After fork() the child starts a new pool: the parent's workers do
// not exist there.
//
//===----------------------------------------------------------------------===//

#include "Parallel.h"
#include "QConvMicrokernels.h"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <pthread.h>
#include <vector>

using namespace mlir::daq::cpu;

namespace {

/// Runs chunk `index` of a loop of `count` in chunks of `chunk`. The AMX
/// microkernels keep their tile configuration across calls on a thread; it
/// ends with the chunk, so that no thread holds tile state between kernels.
void runChunk(ParallelTask task, const void *context, int64_t count,
              int64_t chunk, int64_t index) {
  int64_t begin = index * chunk, end = std::min(count, begin + chunk);
  if (begin < end)
    task(context, begin, end);
  releaseAMXTiles();
  isa_model::releaseAMXTiles();
}

/// Set while a thread runs a chunk: a loop started from there is nested.
thread_local bool inChunk = false;

struct ThreadPool {
  explicit ThreadPool(int workers) {
    for (int w = 0; w < workers; ++w)
      threads.emplace_back([this, w] { work(w + 1); });
  }

  /// Held by the thread whose loop the workers run.
  std::mutex owner;
  std::mutex mutex;
  std::condition_variable wake, finished;
  // The current loop, written under `mutex`; `generation` and `pending`
  // are also read without it while spinning.
  std::atomic<uint64_t> generation{0};
  ParallelTask task = nullptr;
  const void *context = nullptr;
  int64_t count = 0, chunk = 0;
  std::atomic<int> pending{0};
  std::vector<std::thread> threads;

  /// Spins for a few microseconds until `ready()`: a kernel's parallel
  /// phases follow each other closely, and waking a sleeping thread costs
  /// more than that.
  template <typename Ready> static bool spinUntil(const Ready &ready) {
    for (int i = 0; i < 4096; ++i) {
      if (ready())
        return true;
      std::this_thread::yield();
    }
    return false;
  }

  void work(int64_t index) {
    inChunk = true;
    uint64_t seen = 0;
    for (;;) {
      spinUntil(
          [&] { return generation.load(std::memory_order_acquire) != seen; });
      std::unique_lock<std::mutex> lock(mutex);
      wake.wait(lock, [&] { return generation.load() != seen; });
      seen = generation.load();
      ParallelTask t = task;
      const void *c = context;
      int64_t n = count, size = chunk;
      lock.unlock();
      runChunk(t, c, n, size, index);
      lock.lock();
      if (--pending == 0)
        finished.notify_one();
    }
  }

  void run(int64_t n, int64_t size, ParallelTask t, const void *c) {
    {
      std::lock_guard<std::mutex> lock(mutex);
      task = t;
      context = c;
      count = n;
      chunk = size;
      pending = static_cast<int>(threads.size());
      ++generation;
    }
    wake.notify_all();
    runChunk(t, c, n, size, 0);
    if (spinUntil([&] { return pending.load(std::memory_order_acquire) == 0; }))
      return;
    std::unique_lock<std::mutex> lock(mutex);
    finished.wait(lock, [&] { return pending.load() == 0; });
  }
};

/// The pool; never destroyed (its workers wait until the process ends, and
/// a static destructor would tear the mutexes down under them).
std::atomic<ThreadPool *> pool{nullptr};
std::mutex poolCreation;

ThreadPool *getPool() {
  ThreadPool *current = pool.load(std::memory_order_acquire);
  if (current)
    return current;
  std::lock_guard<std::mutex> lock(poolCreation);
  current = pool.load(std::memory_order_relaxed);
  if (!current) {
    static bool registered = [] {
      // The child of a fork() has none of the workers: forget the pool
      // there (leaking it) and start another on first use.
      pthread_atfork(nullptr, nullptr,
                     [] { pool.store(nullptr, std::memory_order_relaxed); });
      return true;
    }();
    (void)registered;
    current = new ThreadPool(getNumThreads() - 1);
    pool.store(current, std::memory_order_release);
  }
  return current;
}

/// Runs the loop on threads started for it.
void runOnNewThreads(int64_t count, int64_t threads, int64_t chunk,
                     ParallelTask task, const void *context) {
  std::vector<std::thread> workers;
  for (int64_t index = 1; index < threads; ++index)
    workers.emplace_back([=] {
      inChunk = true;
      runChunk(task, context, count, chunk, index);
    });
  runChunk(task, context, count, chunk, 0);
  for (std::thread &worker : workers)
    worker.join();
}

} // namespace

void mlir::daq::cpu::runParallel(int64_t count, int64_t threads,
                                 ParallelTask task, const void *context) {
  int64_t chunk = (count + threads - 1) / threads;
  // The pool has getNumThreads() - 1 workers; loops of fewer threads leave
  // the last workers' chunks empty.
  ThreadPool *p = inChunk ? nullptr : getPool();
  std::unique_lock<std::mutex> owner;
  if (p)
    owner = std::unique_lock<std::mutex>(p->owner, std::try_to_lock);
  if (!p || !owner.owns_lock()) {
    runOnNewThreads(count, threads, chunk, task, context);
    return;
  }
  inChunk = true;
  p->run(count, chunk, task, context);
  inChunk = false;
}
