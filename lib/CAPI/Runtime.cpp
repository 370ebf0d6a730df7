//===- Runtime.cpp - C API of the daq runtime -----------------------------===//
//
// Thin C wrappers over JitModule and the pass pipeline parser. Everything
// that can go wrong, including every argument a foreign caller can get wrong,
// is turned into an error string here, because a binding (ctypes) cannot
// recover from an assertion or a crash in this library.
//
//===----------------------------------------------------------------------===//

#include "daq-c/Runtime.h"

#include "daq/Conversion/Passes.h"
#include "daq/IR/Daq.h"
#include "daq/Pipelines/Pipelines.h"
#include "daq/Runtime/JitRunner.h"
#include "daq/Runtime/Npy.h"
#include "daq/Transforms/Passes.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>

using namespace mlir;
using namespace mlir::daq;

static_assert(DAQ_DTYPE_F32 == static_cast<int>(DType::F32) &&
                  DAQ_DTYPE_F64 == static_cast<int>(DType::F64) &&
                  DAQ_DTYPE_I8 == static_cast<int>(DType::I8) &&
                  DAQ_DTYPE_I32 == static_cast<int>(DType::I32) &&
                  DAQ_DTYPE_I64 == static_cast<int>(DType::I64) &&
                  DAQ_DTYPE_I1 == static_cast<int>(DType::I1),
              "the C dtype codes must match mlir::daq::DType");

struct DaqModule {
  std::shared_ptr<const JitModule> module;
};

/// A malloc'ed copy, because the caller frees it with daqStringFree, which
/// must not depend on which allocator the C++ side used.
static char *copyString(llvm::StringRef text) {
  char *result = static_cast<char *>(std::malloc(text.size() + 1));
  if (!result)
    return nullptr;
  if (!text.empty())
    std::memcpy(result, text.data(), text.size());
  result[text.size()] = '\0';
  return result;
}

static int fail(char **error, const llvm::Twine &message) {
  if (error)
    *error = copyString(message.str());
  return 1;
}

static int fail(char **error, llvm::Error err) {
  return fail(error, llvm::toString(std::move(err)));
}

static int succeed(char **error) {
  if (error)
    *error = nullptr;
  return 0;
}

static std::optional<DType> getDType(int32_t code) {
  if (code < DAQ_DTYPE_F32 || code > DAQ_DTYPE_I1)
    return std::nullopt;
  return static_cast<DType>(code);
}

extern "C" {

int32_t daqGetCApiVersion(void) { return DAQ_CAPI_VERSION; }

void daqStringFree(char *string) { std::free(string); }

const char *daqDTypeGetName(int32_t dtype) {
  std::optional<DType> found = getDType(dtype);
  // The names are string literals, so the pointers stay valid.
  return found ? getDTypeName(*found).data() : nullptr;
}

//===----------------------------------------------------------------------===//
// Modules
//===----------------------------------------------------------------------===//

int daqModuleCreate(const char *source, size_t length, const char *bufferName,
                    int32_t optLevel, DaqModule **module, char **error) {
  if (module)
    *module = nullptr;
  if (!module)
    return fail(error, "daqModuleCreate: 'module' is NULL");
  if (!source && length != 0)
    return fail(error, "daqModuleCreate: 'source' is NULL");
  if (optLevel < 0 || optLevel > 3)
    return fail(error, "invalid optimization level " + llvm::Twine(optLevel) +
                           " (expected 0 to 3)");
  JitOptions options;
  options.optLevel = static_cast<unsigned>(optLevel);
  llvm::Expected<std::shared_ptr<const JitModule>> compiled =
      JitModule::get(llvm::StringRef(source ? source : "", length), options,
                     bufferName ? bufferName : "<source>");
  if (!compiled)
    return fail(error, compiled.takeError());
  *module = new DaqModule{std::move(*compiled)};
  return succeed(error);
}

void daqModuleDestroy(DaqModule *module) { delete module; }

size_t daqModuleGetNumFunctions(const DaqModule *module) {
  return module ? module->module->getSignatures().size() : 0;
}

const char *daqModuleGetFunctionName(const DaqModule *module, size_t index) {
  if (!module || index >= module->module->getSignatures().size())
    return nullptr;
  return module->module->getSignatures()[index].name.c_str();
}

/// The signature of `function`, or an error for a NULL argument or an
/// unknown name.
static llvm::Expected<const FunctionSignature &> lookup(const DaqModule *module,
                                                        const char *function) {
  if (!module)
    return llvm::createStringError("'module' is NULL");
  if (!function)
    return llvm::createStringError("'function' is NULL");
  return module->module->getSignature(function);
}

int daqModuleGetSignature(const DaqModule *module, const char *function,
                          size_t *numInputs, size_t *numResults,
                          const char **unsupportedReason, char **error) {
  llvm::Expected<const FunctionSignature &> signature =
      lookup(module, function);
  if (!signature)
    return fail(error, signature.takeError());
  if (numInputs)
    *numInputs = signature->inputs.size();
  if (numResults)
    *numResults = signature->results.size();
  if (unsupportedReason)
    *unsupportedReason = signature->unsupportedReason.c_str();
  return succeed(error);
}

int daqModuleGetValueInfo(const DaqModule *module, const char *function,
                          int32_t isResult, size_t index, DaqValueInfo *info,
                          char **error) {
  if (!info)
    return fail(error, "daqModuleGetValueInfo: 'info' is NULL");
  llvm::Expected<const FunctionSignature &> signature =
      lookup(module, function);
  if (!signature)
    return fail(error, signature.takeError());
  const std::vector<ValueSignature> &values =
      isResult ? signature->results : signature->inputs;
  if (index >= values.size())
    return fail(error, "function '" + llvm::Twine(function) + "' has " +
                           llvm::Twine(values.size()) +
                           (isResult ? " result" : " input") +
                           (values.size() == 1 ? "" : "s") + ", no number " +
                           llvm::Twine(index));
  const ValueSignature &value = values[index];
  info->dtype = static_cast<int32_t>(value.dtype);
  info->isScalar = value.isScalar;
  info->rank = static_cast<int64_t>(value.shape.size());
  info->shape = value.shape.data();
  info->typeName = value.typeName.c_str();
  return succeed(error);
}

/// Validates a caller's buffer description and returns its element count.
/// `what` ("input 2") prefixes the messages.
static llvm::Expected<int64_t> checkBuffer(const DaqBuffer &buffer,
                                           const llvm::Twine &what) {
  auto error = [&](const llvm::Twine &message) {
    return llvm::createStringError(what + ": " + message);
  };
  std::optional<DType> dtype = getDType(buffer.dtype);
  if (!dtype)
    return error("unknown dtype code " + llvm::Twine(buffer.dtype));
  // A bound on the rank keeps the shape read below from running off into
  // memory when the caller passed garbage.
  if (buffer.rank < 0 || buffer.rank > 64)
    return error("invalid rank " + llvm::Twine(buffer.rank));
  if (buffer.rank > 0 && !buffer.shape)
    return error("the shape is NULL");
  llvm::ArrayRef<int64_t> shape(buffer.shape, buffer.rank);
  std::optional<int64_t> count = computeNumElements(shape, *dtype);
  if (!count) {
    // Printed as given: formatShape would show a negative dimension as "?".
    std::string dims;
    llvm::raw_string_ostream os(dims);
    llvm::interleaveComma(shape, os);
    return error("invalid shape [" + dims +
                 "] (a negative dimension, or too many elements)");
  }
  if (*count > 0 && !buffer.data)
    return error("the data pointer is NULL");
  return *count;
}

int daqModuleInvoke(const DaqModule *module, const char *function,
                    const DaqBuffer *inputs, size_t numInputs,
                    const DaqBuffer *outputs, size_t numOutputs, char **error) {
  llvm::Expected<const FunctionSignature &> found = lookup(module, function);
  if (!found)
    return fail(error, found.takeError());
  const FunctionSignature &signature = *found;
  if (!signature.unsupportedReason.empty())
    return fail(error,
                "function '" + llvm::Twine(function) +
                    "' cannot be invoked: " + signature.unsupportedReason);
  if ((numInputs && !inputs) || (numOutputs && !outputs))
    return fail(error, "function '" + llvm::Twine(function) +
                           "': the inputs or outputs array is NULL");

  // JitModule::invoke checks counts, dtypes and shapes against the signature
  // itself, with messages that name the argument; here only what it cannot
  // see: that each description is sane.
  auto checkAll = [&](const DaqBuffer *buffers, size_t count,
                      const char *role) -> llvm::Error {
    for (size_t i = 0; i < count; ++i)
      if (llvm::Error err =
              checkBuffer(buffers[i], "function '" + llvm::Twine(function) +
                                          "': " + role + " " + llvm::Twine(i))
                  .takeError())
        return err;
    return llvm::Error::success();
  };
  if (llvm::Error err = checkAll(inputs, numInputs, "input"))
    return fail(error, std::move(err));
  if (llvm::Error err = checkAll(outputs, numOutputs, "output"))
    return fail(error, std::move(err));
  auto shapeOf = [](const DaqBuffer &buffer) {
    return llvm::ArrayRef<int64_t>(buffer.shape, buffer.rank);
  };
  std::vector<ArrayView> inputViews;
  for (const DaqBuffer &input : llvm::ArrayRef(inputs, numInputs))
    inputViews.push_back(
        {static_cast<DType>(input.dtype), shapeOf(input), input.data});
  std::vector<MutableArrayView> outputViews;
  for (const DaqBuffer &output : llvm::ArrayRef(outputs, numOutputs))
    outputViews.push_back(
        {static_cast<DType>(output.dtype), shapeOf(output), output.data});
  if (llvm::Error err =
          module->module->invoke(function, inputViews, outputViews))
    return fail(error, std::move(err));
  return succeed(error);
}

void daqClearCache(void) { JitModule::clearCache(); }

size_t daqGetCacheSize(void) { return JitModule::getCacheSize(); }

//===----------------------------------------------------------------------===//
// Pass pipelines
//===----------------------------------------------------------------------===//

} // extern "C"

static const DialectRegistry &getRegistry() {
  // Built once and only read afterwards, so concurrent calls may share it.
  static const DialectRegistry *registry = [] {
    auto *result = new DialectRegistry();
    registerAllDialects(*result);
    registerAllExtensions(*result);
    // gpu-module-to-binary (daq-nvvm-pipeline) translates to LLVM IR.
    registerAllToLLVMIRTranslations(*result);
    result->insert<DaqDialect>();
    return result;
  }();
  return *registry;
}

/// The textual pipeline parser looks passes up in MLIR's global registry,
/// which this library fills once per process.
static void registerPasses() {
  static std::once_flag flag;
  std::call_once(flag, [] {
    registerAllPasses();
    registerDaqPasses();
    registerDaqConversionPasses();
    registerDaqPipelines();
    registerDaqGpuPipelines();
  });
}

extern "C" int daqRunPassPipeline(const char *source, size_t length,
                                  const char *pipeline, char **output,
                                  char **error) {
  if (output)
    *output = nullptr;
  if (!output)
    return fail(error, "daqRunPassPipeline: 'output' is NULL");
  if (!pipeline)
    return fail(error, "daqRunPassPipeline: 'pipeline' is NULL");
  if (!source && length != 0)
    return fail(error, "daqRunPassPipeline: 'source' is NULL");
  registerPasses();

  MLIRContext context(getRegistry(), MLIRContext::Threading::DISABLED);
  // A pass that fails on the module would otherwise attach the whole module,
  // printed generically, to its diagnostic.
  context.printOpOnDiagnostic(false);
  std::string diagnostics;
  llvm::raw_string_ostream diagnosticStream(diagnostics);
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(
      llvm::MemoryBuffer::getMemBufferCopy(
          llvm::StringRef(source ? source : "", length), "<input>"),
      llvm::SMLoc());
  SourceMgrDiagnosticHandler handler(sourceMgr, &context, diagnosticStream);
  auto failWithDiagnostics = [&](const llvm::Twine &message) {
    std::string text = message.str();
    llvm::StringRef captured = llvm::StringRef(diagnostics).rtrim();
    if (!captured.empty())
      text += ":\n" + captured.str();
    return fail(error, text);
  };

  // Parse the pipeline first: a typo in it is the cheaper error to report.
  std::string pipelineErrors;
  llvm::raw_string_ostream pipelineErrorStream(pipelineErrors);
  FailureOr<OpPassManager> parsed =
      parsePassPipeline(pipeline, pipelineErrorStream);
  if (failed(parsed))
    return fail(error, "invalid pass pipeline '" + llvm::Twine(pipeline) +
                           "': " + llvm::StringRef(pipelineErrors).trim());
  if (parsed->getOpAnchorName() != ModuleOp::getOperationName() &&
      parsed->getOpAnchorName() != OpPassManager::getAnyOpAnchorName())
    return fail(error, "invalid pass pipeline '" + llvm::Twine(pipeline) +
                           "': it must be anchored on 'builtin.module' (or "
                           "'any'), e.g. 'builtin.module(canonicalize)'");

  OwningOpRef<ModuleOp> module =
      parseSourceFile<ModuleOp>(sourceMgr, ParserConfig(&context));
  if (!module)
    return failWithDiagnostics("the input is not a valid module");

  PassManager pm(&context, parsed->getOpAnchorName());
  static_cast<OpPassManager &>(pm) = std::move(*parsed);
  if (failed(pm.run(*module)))
    return failWithDiagnostics("pass pipeline '" + llvm::Twine(pipeline) +
                               "' failed");

  std::string printed;
  llvm::raw_string_ostream printedStream(printed);
  module->print(printedStream);
  *output = copyString(printed);
  if (!*output)
    return fail(error, "out of memory");
  return succeed(error);
}
