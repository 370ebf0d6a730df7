//===- JitRunner.h - CPU JIT for daq entry points ---------------*- C++ -*-===//
//
// Compiles a module (daq and upstream ops on tensors, or a module already
// lowered by daq-cpu-pipeline) with the MLIR ExecutionEngine and calls its
// public functions on NpyArrays. This is the API behind daq-run, and the one
// the Python package and the benchmarks build on.
//
// Example:
//
//   auto module = JitModule::get(source);
//   if (!module) ...
//   auto outputs = (*module)->invoke("step", {x, w, NpyArray::getScalar(t)});
//
//===----------------------------------------------------------------------===//

#ifndef DAQ_RUNTIME_JITRUNNER_H
#define DAQ_RUNTIME_JITRUNNER_H

#include "daq/Runtime/Npy.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <memory>
#include <string>
#include <vector>

namespace mlir {
class ExecutionEngine;
class ModuleOp;

namespace daq {

/// How a module is compiled. Part of the cache key of JitModule::get.
struct JitOptions {
  /// LLVM optimization level (0 to 3) of both the IR optimizer and the code
  /// generator.
  unsigned optLevel = 2;
  /// Shared libraries the compiled code may call into; the default is MLIR's
  /// C runner utils (memrefCopy and friends, which lowered memref.copy of
  /// non-contiguous memrefs calls).
  std::vector<std::string> sharedLibPaths = getDefaultSharedLibPaths();

  static std::vector<std::string> getDefaultSharedLibPaths();
};

/// The type of one argument or result of an entry point, as the original
/// tensor-level signature (the `daq.signature` attribute) declares it.
struct ValueSignature {
  /// Tensors (and memrefs) are passed as memref descriptors, scalars by
  /// value. On the NpyArray side a scalar is a rank-0 array.
  bool isScalar = false;
  DType dtype = DType::F32;
  /// Tensor dimensions; a negative entry (ShapedType::kDynamic) is dynamic.
  /// Empty for scalars.
  std::vector<int64_t> shape;
  /// The MLIR type, for messages: "tensor<4x?xf32>", "i64".
  std::string typeName;
};

/// The signature of an entry point.
struct FunctionSignature {
  std::string name;
  std::vector<ValueSignature> inputs;
  std::vector<ValueSignature> results;
  /// Why the function cannot be invoked (an element type the runtime does not
  /// exchange, a dynamic result shape, a C interface that does not match the
  /// signature); empty when it can.
  std::string unsupportedReason;
};

/// An array the caller owns, read by JitModule::invoke in place: contiguous,
/// row-major, `dtype` elements of `shape` (a scalar is a rank-0 array).
struct ArrayView {
  DType dtype = DType::F32;
  llvm::ArrayRef<int64_t> shape;
  const void *data = nullptr;
};

/// An array the caller owns that JitModule::invoke writes a result into.
struct MutableArrayView {
  DType dtype = DType::F32;
  llvm::ArrayRef<int64_t> shape;
  void *data = nullptr;
};

/// A compiled module. Create with get() (cached) or compile(); both return a
/// shared, immutable object whose invoke() may be called from several
/// threads at once.
class JitModule {
public:
  /// Compiles MLIR source text, or returns the module compiled earlier in this
  /// process from the same text and options. `bufferName` names the source in
  /// diagnostics.
  ///
  /// The text is parsed with the daq dialect and every upstream dialect
  /// registered and verified. If it still has `func.func` ops it is lowered
  /// with daq-cpu-pipeline (mlir::daq::buildDaqCpuPipeline); otherwise it must
  /// already be in the LLVM dialect (the output of `daq-opt
  /// --daq-cpu-pipeline`). Parse, verification, lowering and translation
  /// failures are returned as an Error carrying the MLIR diagnostics.
  static llvm::Expected<std::shared_ptr<const JitModule>>
  get(llvm::StringRef source, const JitOptions &options = {},
      llvm::StringRef bufferName = "<source>");
  /// As above for a module in memory. The module is printed and compiled
  /// from its text (the text is also the cache key); it is not modified.
  static llvm::Expected<std::shared_ptr<const JitModule>>
  get(ModuleOp module, const JitOptions &options = {});

  /// Compiles without looking at or filling the cache.
  static llvm::Expected<std::shared_ptr<const JitModule>>
  compile(llvm::StringRef source, const JitOptions &options = {},
          llvm::StringRef bufferName = "<source>");

  /// Drops every cached module (modules still referenced stay alive).
  static void clearCache();
  /// The number of modules in the cache.
  static size_t getCacheSize();

  ~JitModule();

  /// Calls the entry point `function` on `inputs` and returns its results.
  ///
  /// `inputs` must match the function's `daq.signature` one to one: the same
  /// dtype, the same rank, and the same size in every static dimension
  /// (dynamic dimensions take any size); a scalar argument takes a rank-0
  /// array. Results come back in signature order, scalars as rank-0
  /// arrays. Errors name the function, the argument and what was expected.
  llvm::Expected<std::vector<NpyArray>>
  invoke(llvm::StringRef function, llvm::ArrayRef<NpyArray> inputs) const;

  /// As above on arrays the caller owns, without copies where the module
  /// allows: inputs are read in place when the entry point cannot write into
  /// its arguments (`daq.inputs_read_only`, set by daq-cpu-pipeline on
  /// tensor signatures) and copied otherwise; results are computed into
  /// `outputs` directly when the function was lowered with out-parameters.
  /// `outputs` must match the results one to one in dtype and shape, and
  /// must not overlap the inputs or each other. On failure their contents
  /// are unspecified.
  llvm::Error invoke(llvm::StringRef function, llvm::ArrayRef<ArrayView> inputs,
                     llvm::ArrayRef<MutableArrayView> outputs) const;

  /// The signature of an entry point, or an error if there is none by that
  /// name (including functions that were not annotated by daq-cpu-pipeline).
  llvm::Expected<const FunctionSignature &>
  getSignature(llvm::StringRef function) const;
  /// Every entry point, in module order.
  llvm::ArrayRef<FunctionSignature> getSignatures() const;

  struct Impl;

private:
  explicit JitModule(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl;
};

} // namespace daq
} // namespace mlir

#endif // DAQ_RUNTIME_JITRUNNER_H
