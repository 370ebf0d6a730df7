//===- JitRunner.cpp - CPU JIT for daq entry points -----------------------===//
//
// The calling convention. For every annotated entry point `@f`,
// daq-cpu-pipeline emits a C wrapper `_mlir_ciface_f`; the runner calls it
// through ExecutionEngine::invokePacked, whose packed form takes an array of
// pointers, one per wrapper parameter (plus one for a by-value return):
//
//   * a tensor argument is a pointer to a memref descriptor
//       { T *allocated; T *aligned; int64_t offset;
//         int64_t sizes[rank]; int64_t strides[rank]; }   (rank 0: no arrays)
//     so its packed slot points at a variable holding the descriptor address;
//   * a scalar argument is passed by value; its slot points at the value.
//
// Results come back in one of two ways, and the runner recognizes which one a
// function uses by matching the LLVM types of `@f` and `_mlir_ciface_f`
// against both:
//
//   out-params  buffer-results-to-out-params rewrote the function: every
//               tensor result is a trailing caller-allocated descriptor
//               pointer, and only scalar results are returned. With
//               daq-cpu-pipeline the results are computed in these buffers
//               (hoist-static-allocs), which are the caller's own.
//   returned    the function still returns its tensor results (MLIR 22's
//               buffer-results-to-out-params leaves public functions alone
//               unless `modify-public-functions` is set). The callee
//               allocates them with malloc and, by the function-boundary
//               rule of ownership-based buffer deallocation, hands their
//               ownership to the caller, which copies and frees them.
//
// Array arguments are the caller's own buffers when the function carries
// `daq.inputs_read_only` (daq-annotate-entry-points: bufferization never
// writes into them), copies otherwise.
//
// In both, the values still returned follow func-to-llvm's C-interface rule:
// none: the wrapper returns void; a single scalar: returned by value (the
// packed form stores it through the slot after the parameters); a memref or
// several values: an LLVM struct, returned through a pointer that is the
// wrapper's first parameter.
//
//===----------------------------------------------------------------------===//

#include "daq/Runtime/JitRunner.h"

#include "daq/IR/Daq.h"
#include "daq/Pipelines/Pipelines.h"
#include "daq/Runtime/AmxTileModel.h"
#include "daq/Runtime/QConvKernels.h"
#include "daq/Runtime/StatsKernels.h"
#include "daq/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMTypes.h"
#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"

#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h"
#include "llvm/Support/CodeGen.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SHA256.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/ThreadPool.h"

#include <cstdlib>
#include <mutex>

using namespace mlir;
using namespace mlir::daq;
using llvm::Error;
using llvm::Expected;

// The descriptors are built as arrays of int64_t, pointers included.
static_assert(sizeof(void *) == sizeof(int64_t),
              "the JIT runner assumes a 64-bit target");

static constexpr llvm::StringLiteral kCInterfacePrefix = "_mlir_ciface_";

static Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

std::vector<std::string> JitOptions::getDefaultSharedLibPaths() {
  return {DAQ_MLIR_C_RUNNER_UTILS};
}

//===----------------------------------------------------------------------===//
// Signatures and calling convention
//===----------------------------------------------------------------------===//

namespace {
/// How the arguments and results of one entry point map onto the packed
/// argument array of its C wrapper.
struct CallLayout {
  /// The wrapper's first parameter points to a struct of returned values.
  bool resultStruct = false;
  /// Results the function returns (in the struct, or a single scalar by
  /// value), in order, and their byte offsets in the struct.
  std::vector<unsigned> returned;
  std::vector<size_t> returnedOffsets;
  size_t structSize = 0;
  /// Results passed as trailing out-param descriptors, in order.
  std::vector<unsigned> outParams;
  /// The compiled code never writes into its array arguments
  /// (`daq.inputs_read_only`), so callers' arrays are passed uncopied.
  bool inputsReadOnly = false;
};
} // namespace

struct JitModule::Impl {
  std::unique_ptr<ExecutionEngine> engine;
  std::vector<FunctionSignature> signatures;
  std::vector<CallLayout> layouts;
  llvm::StringMap<unsigned> indices;
  /// Defined public functions without `daq.signature`, and private ones, to
  /// tell a user who names one why it is not an entry point.
  llvm::StringSet<> unannotated;
  llvm::StringSet<> privateFunctions;
};

static std::optional<DType> getDType(Type type) {
  if (type.isF32())
    return DType::F32;
  if (type.isF64())
    return DType::F64;
  // index lowers to i64 on the 64-bit targets the runner supports.
  if (type.isIndex())
    return DType::I64;
  auto intType = dyn_cast<IntegerType>(type);
  if (!intType || intType.isUnsigned())
    return std::nullopt;
  switch (intType.getWidth()) {
  case 1:
    return DType::I1;
  case 8:
    return DType::I8;
  case 32:
    return DType::I32;
  case 64:
    return DType::I64;
  default:
    return std::nullopt;
  }
}

static std::string printType(Type type) {
  std::string result;
  llvm::raw_string_ostream os(result);
  type.print(os);
  return result;
}

/// Describes one argument or result type; returns why it is unsupported on
/// failure.
static std::optional<std::string> describeValue(Type type,
                                                ValueSignature &value) {
  value.typeName = printType(type);
  Type elementType = type;
  if (auto tensorType = dyn_cast<RankedTensorType>(type)) {
    if (tensorType.getEncoding())
      return "tensors with an encoding are not supported";
    elementType = tensorType.getElementType();
    value.shape.assign(tensorType.getShape().begin(),
                       tensorType.getShape().end());
  } else if (auto memrefType = dyn_cast<MemRefType>(type)) {
    if (!memrefType.getLayout().isIdentity() || memrefType.getMemorySpace())
      return "only memrefs with the identity layout in the default memory "
             "space are supported";
    elementType = memrefType.getElementType();
    value.shape.assign(memrefType.getShape().begin(),
                       memrefType.getShape().end());
  } else if (isa<ShapedType>(type)) {
    return "only ranked tensors and memrefs are supported";
  } else {
    value.isScalar = true;
  }
  std::optional<DType> dtype = getDType(elementType);
  if (!dtype)
    return "element type " + printType(elementType) +
           " is not supported (supported: f32, f64, i8, i32, i64, i1, index)";
  value.dtype = *dtype;
  return std::nullopt;
}

/// The LLVM type of `value` as func-to-llvm lowers it.
static Type getLLVMType(MLIRContext *context, const ValueSignature &value) {
  auto i64 = IntegerType::get(context, 64);
  if (!value.isScalar) {
    auto ptr = LLVM::LLVMPointerType::get(context);
    SmallVector<Type> fields = {ptr, ptr, i64};
    if (!value.shape.empty()) {
      auto array = LLVM::LLVMArrayType::get(i64, value.shape.size());
      fields.append({array, array});
    }
    return LLVM::LLVMStructType::getLiteral(context, fields);
  }
  switch (value.dtype) {
  case DType::F32:
    return Float32Type::get(context);
  case DType::F64:
    return Float64Type::get(context);
  case DType::I8:
    return IntegerType::get(context, 8);
  case DType::I32:
    return IntegerType::get(context, 32);
  case DType::I64:
    return i64;
  case DType::I1:
    return IntegerType::get(context, 1);
  }
  llvm_unreachable("unknown dtype");
}

/// Size and alignment of `value` in a returned struct (natural alignment, as
/// in the x86-64 and AArch64 data layouts).
static std::pair<size_t, size_t> getSizeAndAlign(const ValueSignature &value) {
  if (value.isScalar) {
    size_t size = getDTypeSize(value.dtype);
    return {size, size};
  }
  return {sizeof(int64_t) * (3 + 2 * value.shape.size()), alignof(int64_t)};
}

/// Builds the layout for one of the two result conventions and checks it
/// against the LLVM types of the lowered function and its C wrapper.
static std::optional<CallLayout> matchLayout(const FunctionSignature &signature,
                                             bool outParams,
                                             LLVM::LLVMFuncOp func,
                                             LLVM::LLVMFuncOp wrapper) {
  MLIRContext *context = func.getContext();
  CallLayout layout;
  for (auto [index, result] : llvm::enumerate(signature.results)) {
    if (outParams && !result.isScalar)
      layout.outParams.push_back(index);
    else
      layout.returned.push_back(index);
  }

  SmallVector<Type> returnedTypes;
  for (unsigned index : layout.returned)
    returnedTypes.push_back(getLLVMType(context, signature.results[index]));
  Type voidType = LLVM::LLVMVoidType::get(context);
  Type funcResult = voidType;
  if (returnedTypes.size() == 1)
    funcResult = returnedTypes.front();
  else if (returnedTypes.size() > 1)
    funcResult = LLVM::LLVMStructType::getLiteral(context, returnedTypes);
  layout.resultStruct = isa<LLVM::LLVMStructType>(funcResult);

  auto ptr = LLVM::LLVMPointerType::get(context);
  SmallVector<Type> wrapperParams;
  if (layout.resultStruct)
    wrapperParams.push_back(ptr);
  for (const ValueSignature &input : signature.inputs)
    wrapperParams.push_back(input.isScalar ? getLLVMType(context, input) : ptr);
  wrapperParams.append(layout.outParams.size(), ptr);
  Type wrapperResult = layout.resultStruct ? voidType : funcResult;

  LLVM::LLVMFunctionType funcType = func.getFunctionType();
  LLVM::LLVMFunctionType wrapperType = wrapper.getFunctionType();
  if (funcType.getReturnType() != funcResult ||
      wrapperType.getReturnType() != wrapperResult ||
      wrapperType.getParams() != ArrayRef<Type>(wrapperParams) ||
      wrapperType.isVarArg())
    return std::nullopt;

  size_t offset = 0, maxAlign = 1;
  for (unsigned index : layout.returned) {
    auto [size, align] = getSizeAndAlign(signature.results[index]);
    offset = llvm::alignTo(offset, align);
    layout.returnedOffsets.push_back(offset);
    offset += size;
    maxAlign = std::max(maxAlign, align);
  }
  layout.structSize = llvm::alignTo(offset, maxAlign);
  return layout;
}

/// Reads the entry points of a lowered module.
static void collectEntryPoints(ModuleOp module, JitModule::Impl &impl) {
  for (auto func : module.getOps<LLVM::LLVMFuncOp>()) {
    StringRef name = func.getSymName();
    if (func.isExternal() || name.starts_with(kCInterfacePrefix))
      continue;
    if (func.isPrivate()) {
      impl.privateFunctions.insert(name);
      continue;
    }
    auto signatureAttr = func->getAttrOfType<TypeAttr>(kSignatureAttrName);
    if (!signatureAttr) {
      impl.unannotated.insert(name);
      continue;
    }

    FunctionSignature signature;
    signature.name = name.str();
    CallLayout layout;
    auto setUnsupported = [&](const llvm::Twine &reason) {
      if (signature.unsupportedReason.empty())
        signature.unsupportedReason = reason.str();
    };
    auto type = dyn_cast<FunctionType>(signatureAttr.getValue());
    if (!type) {
      setUnsupported("its '" + kSignatureAttrName +
                     "' attribute is not a function type");
    } else {
      for (auto [index, input] : llvm::enumerate(type.getInputs())) {
        ValueSignature &value = signature.inputs.emplace_back();
        if (std::optional<std::string> reason = describeValue(input, value))
          setUnsupported("input " + llvm::Twine(index) + " (" + value.typeName +
                         "): " + *reason);
      }
      for (auto [index, result] : llvm::enumerate(type.getResults())) {
        ValueSignature &value = signature.results.emplace_back();
        if (std::optional<std::string> reason = describeValue(result, value))
          setUnsupported("result " + llvm::Twine(index) + " (" +
                         value.typeName + "): " + *reason);
        else if (llvm::any_of(value.shape, [](int64_t dim) { return dim < 0; }))
          setUnsupported("result " + llvm::Twine(index) + " (" +
                         value.typeName +
                         ") has a dynamic shape; dynamic result shapes are "
                         "not supported");
        else if (!computeNumElements(value.shape, value.dtype))
          setUnsupported("result " + llvm::Twine(index) + " (" +
                         value.typeName + ") is too large");
      }
    }

    std::string wrapperName = (kCInterfacePrefix + name).str();
    auto wrapper = module.lookupSymbol<LLVM::LLVMFuncOp>(wrapperName);
    if (signature.unsupportedReason.empty() && !wrapper)
      setUnsupported("there is no C interface wrapper '" + wrapperName +
                     "' (the function needs 'llvm.emit_c_interface'; lower "
                     "the module with daq-cpu-pipeline)");
    if (signature.unsupportedReason.empty()) {
      // Out-params first: that is the convention daq-cpu-pipeline intends.
      std::optional<CallLayout> matched =
          matchLayout(signature, /*outParams=*/true, func, wrapper);
      if (!matched)
        matched = matchLayout(signature, /*outParams=*/false, func, wrapper);
      if (matched)
        layout = std::move(*matched);
      else
        setUnsupported("its C interface '" + wrapperName + "' has type " +
                       printType(wrapper.getFunctionType()) +
                       ", which is not a daq-cpu-pipeline calling convention "
                       "for " +
                       printType(type));
    }

    layout.inputsReadOnly = func->hasAttr(kInputsReadOnlyAttrName);
    impl.indices[name] = impl.signatures.size();
    impl.signatures.push_back(std::move(signature));
    impl.layouts.push_back(std::move(layout));
  }
}

//===----------------------------------------------------------------------===//
// Compilation
//===----------------------------------------------------------------------===//

static const DialectRegistry &getRegistry() {
  // Built once: registering every dialect and extension is not free, and the
  // registry is only read afterwards.
  static const DialectRegistry *registry = [] {
    auto *result = new DialectRegistry();
    registerAllDialects(*result);
    registerAllExtensions(*result);
    result->insert<DaqDialect>();
    registerBuiltinDialectTranslation(*result);
    registerLLVMDialectTranslation(*result);
    return result;
  }();
  return *registry;
}

/// One thread pool for every compilation instead of one per MLIRContext.
/// Leaked like the cache below, so nothing runs during static destruction.
static llvm::ThreadPoolInterface &getThreadPool() {
  static auto *pool = new llvm::DefaultThreadPool();
  return *pool;
}

static void initializeNativeTarget() {
  static std::once_flag flag;
  std::call_once(flag, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
  });
}

/// Whether the lowered module holds AMX tiles (`!llvm.x86_amx` values, the
/// operands and results of the tile intrinsics).
static bool usesAmxTiles(ModuleOp module) {
  auto isTile = [](Type type) { return isa<LLVM::LLVMX86AMXType>(type); };
  WalkResult result = module.walk([&](Operation *op) {
    if (llvm::any_of(op->getResultTypes(), isTile) ||
        llvm::any_of(op->getOperandTypes(), isTile))
      return WalkResult::interrupt();
    return WalkResult::advance();
  });
  return result.wasInterrupted();
}

/// Binds the CPU INT8 convolution kernels that
/// --convert-daq-qconv-to-cpu-kernels calls and the AMX model of
/// --convert-amx-to-isa-model (linked into this library).
static void registerKernelSymbols(ExecutionEngine &engine) {
  engine.registerSymbols([](llvm::orc::MangleAndInterner interner) {
    llvm::orc::SymbolMap symbols;
    auto add = [&](StringRef name, auto *function) {
      symbols[interner(name)] = {llvm::orc::ExecutorAddr::fromPtr(function),
                                 llvm::JITSymbolFlags::Exported};
    };
    add("_mlir_ciface_daq_cpu_qconv2d_i8_i8",
        &_mlir_ciface_daq_cpu_qconv2d_i8_i8);
    add("_mlir_ciface_daq_cpu_qconv2d_i8_f32",
        &_mlir_ciface_daq_cpu_qconv2d_i8_f32);
    add("_mlir_ciface_daq_cpu_qconv2d_f32_i8",
        &_mlir_ciface_daq_cpu_qconv2d_f32_i8);
    add("_mlir_ciface_daq_cpu_qconv2d_f32_f32",
        &_mlir_ciface_daq_cpu_qconv2d_f32_f32);
    add("_mlir_ciface_daq_cpu_max_abs", &_mlir_ciface_daq_cpu_max_abs);
    add("_mlir_ciface_daq_cpu_mcs_clip", &_mlir_ciface_daq_cpu_mcs_clip);
    add("_mlir_ciface_daq_cpu_mcs_clip2", &_mlir_ciface_daq_cpu_mcs_clip2);
    add("_mlir_ciface_daq_cpu_quantize_grad_mcs",
        &_mlir_ciface_daq_cpu_quantize_grad_mcs);
    add("_mlir_ciface_daq_cpu_quantize", &_mlir_ciface_daq_cpu_quantize);
    add("_mlir_ciface_daq_cpu_quantize2", &_mlir_ciface_daq_cpu_quantize2);
    add("_mlir_ciface_daq_cpu_quantize_stochastic",
        &_mlir_ciface_daq_cpu_quantize_stochastic);
    add("_mlir_ciface_daq_cpu_quantize2_stochastic",
        &_mlir_ciface_daq_cpu_quantize2_stochastic);
    add("daq_amx_model_tile_zero", &daq_amx_model_tile_zero);
    add("daq_amx_model_tile_load", &daq_amx_model_tile_load);
    add("daq_amx_model_tile_store", &daq_amx_model_tile_store);
    add("daq_amx_model_tdpbssd", &daq_amx_model_tdpbssd);
    return symbols;
  });
}

static Expected<std::unique_ptr<JitModule::Impl>>
compileModule(StringRef source, const JitOptions &options,
              StringRef bufferName) {
  if (options.optLevel > 3)
    return makeError("invalid optimization level " +
                     llvm::Twine(options.optLevel) + " (expected 0 to 3)");
  // ExecutionEngine only prints a warning for a library it cannot load, and
  // the code then fails to link at its first call; fail early and clearly.
  for (const std::string &path : options.sharedLibPaths)
    if (!llvm::sys::fs::exists(path))
      return makeError("shared library '" + path + "' does not exist");
  initializeNativeTarget();

  MLIRContext context(getRegistry(), MLIRContext::Threading::DISABLED);
  context.setThreadPool(getThreadPool());
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(
      llvm::MemoryBuffer::getMemBuffer(source, bufferName,
                                       /*RequiresNullTerminator=*/false),
      llvm::SMLoc());
  std::string diagnostics;
  llvm::raw_string_ostream diagnosticStream(diagnostics);
  SourceMgrDiagnosticHandler handler(sourceMgr, &context, diagnosticStream);
  auto fail = [&](const llvm::Twine &message) {
    std::string text = message.str();
    StringRef captured = StringRef(diagnostics).rtrim();
    if (!captured.empty())
      text += ":\n" + captured.str();
    return makeError(text);
  };

  OwningOpRef<ModuleOp> module =
      parseSourceFile<ModuleOp>(sourceMgr, ParserConfig(&context));
  if (!module)
    return fail("'" + bufferName + "' is not a valid module");

  // A module that still has func.func is on tensors (or memrefs) and gets
  // the whole pipeline; one without is taken to be lowered already.
  if (!module->getOps<func::FuncOp>().empty()) {
    PassManager pm = PassManager::on<ModuleOp>(&context);
    buildDaqCpuPipeline(pm);
    if (failed(pm.run(*module)))
      return fail("lowering '" + bufferName + "' with daq-cpu-pipeline failed");
  }

  // LLVM cannot even compile AMX tile intrinsics for a host without AMX
  // (it aborts in instruction selection), and they fault without the OS's
  // tile permission, which isVariantSupported requests.
  if (usesAmxTiles(*module) &&
      !cpu::isVariantSupported(cpu::KernelVariant::AMX))
    return fail("'" + bufferName +
                "' uses AMX tile instructions (daq-igemm-cpu-pipeline "
                "amx-tiles=true), and this CPU cannot run them: it has no "
                "AMX-INT8, or the OS did not grant the tile state "
                "(arch_prctl ARCH_REQ_XCOMP_PERM); lower it without "
                "amx-tiles to run the same algorithm on any CPU");

  auto impl = std::make_unique<JitModule::Impl>();
  collectEntryPoints(*module, *impl);

  llvm::CodeGenOptLevel codeGenOptLevel =
      *llvm::CodeGenOpt::getLevel(static_cast<int>(options.optLevel));
  Expected<llvm::orc::JITTargetMachineBuilder> machineBuilder =
      llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!machineBuilder)
    return fail("cannot target the host: " +
                llvm::toString(machineBuilder.takeError()));
  machineBuilder->setCodeGenOptLevel(codeGenOptLevel);
  Expected<std::unique_ptr<llvm::TargetMachine>> targetMachine =
      machineBuilder->createTargetMachine();
  if (!targetMachine)
    return fail("cannot target the host: " +
                llvm::toString(targetMachine.takeError()));
  // The transformer runs inside ExecutionEngine::create, while the target
  // machine (moved into the engine) is still alive.
  std::function<Error(llvm::Module *)> transformer = makeOptimizingTransformer(
      options.optLevel, /*sizeLevel=*/0, targetMachine->get());
  SmallVector<StringRef> sharedLibPaths(options.sharedLibPaths.begin(),
                                        options.sharedLibPaths.end());
  ExecutionEngineOptions engineOptions;
  engineOptions.transformer = transformer;
  engineOptions.jitCodeGenOptLevel = codeGenOptLevel;
  engineOptions.sharedLibPaths = sharedLibPaths;
  Expected<std::unique_ptr<ExecutionEngine>> engine = ExecutionEngine::create(
      *module, engineOptions, std::move(*targetMachine));
  if (!engine)
    return fail("cannot compile '" + bufferName +
                "': " + llvm::toString(engine.takeError()));
  impl->engine = std::move(*engine);
  registerKernelSymbols(*impl->engine);
  // Runs global constructors now, once; invokePacked would otherwise do it
  // on the first call, which is not thread-safe.
  impl->engine->initialize();

  // Looking up the wrappers materializes (compiles) the module now rather
  // than on the first call, so calls measure only the computation.
  for (FunctionSignature &signature : impl->signatures) {
    if (!signature.unsupportedReason.empty())
      continue;
    Expected<void (*)(void **)> entry =
        impl->engine->lookupPacked(kCInterfacePrefix.str() + signature.name);
    if (!entry)
      signature.unsupportedReason = "cannot find its compiled C wrapper: " +
                                    llvm::toString(entry.takeError());
  }
  return impl;
}

//===----------------------------------------------------------------------===//
// Cache
//===----------------------------------------------------------------------===//

namespace {
struct Cache {
  std::mutex mutex;
  llvm::StringMap<std::shared_ptr<const JitModule>> modules;
};
} // namespace

/// Leaked on purpose: destroying ExecutionEngines during static destruction
/// would run their teardown after parts of LLVM are already gone.
static Cache &getCache() {
  static Cache *cache = new Cache();
  return *cache;
}

static std::string getCacheKey(StringRef source, const JitOptions &options) {
  llvm::SHA256 hash;
  hash.update("daq-jit-module-v1\n");
  hash.update("opt=" + std::to_string(options.optLevel) + "\n");
  for (const std::string &path : options.sharedLibPaths) {
    hash.update("lib=");
    hash.update(path);
    hash.update(StringRef("\0", 1));
  }
  hash.update(source);
  return llvm::toHex(hash.final(), /*LowerCase=*/true);
}

JitModule::JitModule(std::unique_ptr<Impl> impl) : impl(std::move(impl)) {}

JitModule::~JitModule() = default;

Expected<std::shared_ptr<const JitModule>>
JitModule::compile(StringRef source, const JitOptions &options,
                   StringRef bufferName) {
  Expected<std::unique_ptr<Impl>> impl =
      compileModule(source, options, bufferName);
  if (!impl)
    return impl.takeError();
  return std::shared_ptr<const JitModule>(new JitModule(std::move(*impl)));
}

Expected<std::shared_ptr<const JitModule>>
JitModule::get(StringRef source, const JitOptions &options,
               StringRef bufferName) {
  std::string key = getCacheKey(source, options);
  Cache &cache = getCache();
  {
    std::lock_guard<std::mutex> lock(cache.mutex);
    auto it = cache.modules.find(key);
    if (it != cache.modules.end())
      return it->second;
  }
  // Compile without the lock so that different modules compile in parallel;
  // two threads racing on the same module both compile, the first one wins.
  Expected<std::shared_ptr<const JitModule>> module =
      compile(source, options, bufferName);
  if (!module)
    return module.takeError();
  std::lock_guard<std::mutex> lock(cache.mutex);
  return cache.modules.try_emplace(key, std::move(*module)).first->second;
}

Expected<std::shared_ptr<const JitModule>>
JitModule::get(ModuleOp module, const JitOptions &options) {
  std::string source;
  llvm::raw_string_ostream os(source);
  module->print(os, OpPrintingFlags().enableDebugInfo(/*enable=*/true,
                                                      /*prettyForm=*/false));
  return get(source, options, "<module>");
}

void JitModule::clearCache() {
  Cache &cache = getCache();
  std::lock_guard<std::mutex> lock(cache.mutex);
  cache.modules.clear();
}

size_t JitModule::getCacheSize() {
  Cache &cache = getCache();
  std::lock_guard<std::mutex> lock(cache.mutex);
  return cache.modules.size();
}

//===----------------------------------------------------------------------===//
// Invocation
//===----------------------------------------------------------------------===//

llvm::ArrayRef<FunctionSignature> JitModule::getSignatures() const {
  return impl->signatures;
}

Expected<const FunctionSignature &>
JitModule::getSignature(StringRef function) const {
  auto it = impl->indices.find(function);
  if (it != impl->indices.end())
    return impl->signatures[it->second];
  if (impl->unannotated.contains(function))
    return makeError("function '" + function + "' has no '" +
                     kSignatureAttrName +
                     "' attribute: the module must be lowered with "
                     "daq-cpu-pipeline (daq-opt --daq-cpu-pipeline), which "
                     "annotates every public function");
  if (impl->privateFunctions.contains(function))
    return makeError("function '" + function +
                     "' is private; only public functions are entry points");
  std::string names;
  for (const FunctionSignature &signature : impl->signatures)
    names += (names.empty() ? "" : ", ") + signature.name;
  return makeError("no function named '" + function + "' in the module" +
                   (names.empty() ? std::string(" (it has no entry points)")
                                  : " (entry points: " + names + ")"));
}

/// A memref descriptor for a contiguous row-major buffer.
static SmallVector<int64_t, 8> makeDescriptor(const void *data,
                                              ArrayRef<int64_t> shape) {
  auto address = static_cast<int64_t>(reinterpret_cast<intptr_t>(data));
  SmallVector<int64_t, 8> descriptor = {address, address, /*offset=*/0};
  descriptor.append(shape.begin(), shape.end());
  SmallVector<int64_t, 4> strides(shape.size(), 1);
  for (int64_t i = static_cast<int64_t>(shape.size()) - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * shape[i + 1];
  descriptor.append(strides.begin(), strides.end());
  return descriptor;
}

/// Copies the elements a (possibly strided) memref describes into `dst` in
/// row-major order.
static void copyFromStrided(const uint8_t *base, ArrayRef<int64_t> sizes,
                            ArrayRef<int64_t> strides, size_t elementSize,
                            uint8_t *dst) {
  int64_t count = 1;
  for (int64_t size : sizes)
    count *= size;
  if (count == 0)
    return;
  bool contiguous = true;
  int64_t expected = 1;
  for (int64_t i = static_cast<int64_t>(sizes.size()) - 1; i >= 0; --i) {
    if (sizes[i] != 1 && strides[i] != expected)
      contiguous = false;
    expected *= sizes[i];
  }
  if (contiguous) {
    std::memcpy(dst, base, count * elementSize);
    return;
  }
  SmallVector<int64_t, 4> index(sizes.size(), 0);
  for (int64_t n = 0; n < count; ++n) {
    int64_t offset = 0;
    for (size_t d = 0; d < sizes.size(); ++d)
      offset += index[d] * strides[d];
    std::memcpy(dst + n * elementSize, base + offset * elementSize,
                elementSize);
    for (int64_t d = static_cast<int64_t>(sizes.size()) - 1; d >= 0; --d) {
      if (++index[d] < sizes[d])
        break;
      index[d] = 0;
    }
  }
}

/// Checks one input against its declared type.
static Error checkInput(StringRef function, size_t index,
                        const ValueSignature &expected,
                        const ArrayView &input) {
  auto error = [&](const llvm::Twine &message) {
    return makeError("function '" + function + "': input " +
                     llvm::Twine(index) + " (" + expected.typeName +
                     "): " + message);
  };
  if (input.dtype != expected.dtype)
    return error("expected dtype " + getDTypeName(expected.dtype) + ", got " +
                 getDTypeName(input.dtype));
  if (expected.isScalar) {
    if (!input.shape.empty())
      return error("expected a 0-d array for the scalar, got shape " +
                   formatShape(input.shape));
    return Error::success();
  }
  bool matches = input.shape.size() == expected.shape.size();
  for (size_t d = 0; matches && d < input.shape.size(); ++d)
    matches = expected.shape[d] < 0 || expected.shape[d] == input.shape[d];
  if (!matches)
    return error("expected shape " + formatShape(expected.shape) + ", got " +
                 formatShape(input.shape));
  if (!computeNumElements(input.shape, input.dtype))
    return error("invalid shape " + formatShape(input.shape));
  return Error::success();
}

/// Checks one output buffer against its result's type.
static Error checkOutput(StringRef function, size_t index,
                         const ValueSignature &expected,
                         const MutableArrayView &output) {
  ArrayRef<int64_t> shape =
      expected.isScalar ? ArrayRef<int64_t>() : ArrayRef(expected.shape);
  if (output.dtype == expected.dtype && output.shape == shape)
    return Error::success();
  return makeError("function '" + function + "': output " + llvm::Twine(index) +
                   " (" + expected.typeName + "): expected a buffer of dtype " +
                   getDTypeName(expected.dtype) + " and shape " +
                   formatShape(shape) + ", got dtype " +
                   getDTypeName(output.dtype) + " and shape " +
                   formatShape(output.shape));
}

Expected<std::vector<NpyArray>>
JitModule::invoke(StringRef function, ArrayRef<NpyArray> inputs) const {
  Expected<const FunctionSignature &> found = getSignature(function);
  if (!found)
    return found.takeError();
  const FunctionSignature &signature = *found;
  SmallVector<ArrayView> inputViews;
  for (auto [index, input] : llvm::enumerate(inputs)) {
    std::optional<int64_t> count = computeNumElements(input.shape, input.dtype);
    if (!count || static_cast<uint64_t>(*count) * getDTypeSize(input.dtype) !=
                      input.data.size())
      return makeError("function '" + function + "': input " +
                       llvm::Twine(index) + ": the array has " +
                       llvm::Twine(input.data.size()) +
                       " bytes of data, which does not match its shape " +
                       formatShape(input.shape));
    inputViews.push_back({input.dtype, input.shape, input.data.data()});
  }
  std::vector<NpyArray> results;
  SmallVector<MutableArrayView> outputViews;
  if (signature.unsupportedReason.empty()) {
    for (const ValueSignature &result : signature.results)
      results.emplace_back(result.dtype, result.isScalar
                                             ? ArrayRef<int64_t>()
                                             : ArrayRef(result.shape));
    for (NpyArray &result : results)
      outputViews.push_back({result.dtype, result.shape, result.data.data()});
  }
  if (Error error = invoke(function, inputViews, outputViews))
    return std::move(error);
  return results;
}

Error JitModule::invoke(StringRef function, ArrayRef<ArrayView> inputs,
                        ArrayRef<MutableArrayView> outputs) const {
  Expected<const FunctionSignature &> found = getSignature(function);
  if (!found)
    return found.takeError();
  const FunctionSignature &signature = *found;
  const CallLayout &layout = impl->layouts[impl->indices.lookup(function)];
  if (!signature.unsupportedReason.empty())
    return makeError("function '" + function +
                     "' cannot be invoked: " + signature.unsupportedReason);
  if (outputs.size() != signature.results.size())
    return makeError("function '" + function + "' returns " +
                     llvm::Twine(signature.results.size()) + " result" +
                     (signature.results.size() == 1 ? "" : "s") + ", got " +
                     llvm::Twine(outputs.size()) + " output buffers");
  if (inputs.size() != signature.inputs.size())
    return makeError("function '" + function + "' takes " +
                     llvm::Twine(signature.inputs.size()) + " input" +
                     (signature.inputs.size() == 1 ? "" : "s") + ", got " +
                     llvm::Twine(inputs.size()));
  for (auto [index, input] : llvm::enumerate(inputs))
    if (Error error =
            checkInput(function, index, signature.inputs[index], input))
      return error;
  for (auto [index, output] : llvm::enumerate(outputs))
    if (Error error =
            checkOutput(function, index, signature.results[index], output))
      return error;

  // Everything the packed arguments point into is sized up front, so that no
  // pointer taken below is invalidated.
  size_t numInputs = inputs.size();
  size_t numDescriptors = numInputs + layout.outParams.size();
  std::vector<std::vector<uint8_t>> inputCopies(numInputs);
  std::vector<SmallVector<int64_t, 8>> descriptors(numDescriptors);
  std::vector<void *> descriptorPointers(numDescriptors, nullptr);
  // int64_t words keep the returned struct 8-byte aligned.
  std::vector<int64_t> resultStruct(
      llvm::divideCeil(layout.structSize, sizeof(int64_t)), 0);
  void *resultStructPointer = resultStruct.data();
  SmallVector<void *> packed;

  if (layout.resultStruct)
    packed.push_back(&resultStructPointer);
  for (auto [index, input] : llvm::enumerate(inputs)) {
    // The compiled code reads scalars and read-only arrays; it may write into
    // other arrays, which therefore get a copy.
    void *data = const_cast<void *>(input.data);
    if (!signature.inputs[index].isScalar && !layout.inputsReadOnly) {
      size_t bytes =
          static_cast<size_t>(*computeNumElements(input.shape, input.dtype)) *
          getDTypeSize(input.dtype);
      const auto *begin = static_cast<const uint8_t *>(input.data);
      inputCopies[index].assign(begin, begin + bytes);
      data = inputCopies[index].data();
    }
    if (signature.inputs[index].isScalar) {
      packed.push_back(data);
      continue;
    }
    descriptors[index] = makeDescriptor(data, input.shape);
    descriptorPointers[index] = descriptors[index].data();
    packed.push_back(&descriptorPointers[index]);
  }
  for (auto [position, resultIndex] : llvm::enumerate(layout.outParams)) {
    size_t slot = numInputs + position;
    descriptors[slot] = makeDescriptor(outputs[resultIndex].data,
                                       signature.results[resultIndex].shape);
    descriptorPointers[slot] = descriptors[slot].data();
    packed.push_back(&descriptorPointers[slot]);
  }
  if (!layout.resultStruct && !layout.returned.empty())
    packed.push_back(outputs[layout.returned.front()].data);

  if (Error error = impl->engine->invokePacked(
          kCInterfacePrefix.str() + function.str(), packed))
    return makeError("function '" + function +
                     "': call failed: " + llvm::toString(std::move(error)));
  // The INT8 convolution kernels report what they could not do here (a
  // forced variant this CPU lacks).
  if (std::string kernelError = cpu::takeKernelError(); !kernelError.empty())
    return makeError("function '" + function + "': " + kernelError);
  if (!layout.resultStruct)
    return Error::success();

  // Unpack the returned struct. Returned memrefs belong to the caller now;
  // free each allocation once (two results may share one).
  const auto *base = reinterpret_cast<const uint8_t *>(resultStruct.data());
  llvm::SmallPtrSet<void *, 4> allocations;
  std::string mismatch;
  for (auto [position, resultIndex] : llvm::enumerate(layout.returned)) {
    const ValueSignature &result = signature.results[resultIndex];
    const uint8_t *field = base + layout.returnedOffsets[position];
    auto *output = static_cast<uint8_t *>(outputs[resultIndex].data);
    if (result.isScalar) {
      std::memcpy(output, field, getDTypeSize(result.dtype));
      continue;
    }
    size_t rank = result.shape.size();
    SmallVector<int64_t, 8> descriptor(3 + 2 * rank);
    std::memcpy(descriptor.data(), field, descriptor.size() * sizeof(int64_t));
    auto *allocated = reinterpret_cast<void *>(descriptor[0]);
    auto *aligned = reinterpret_cast<const uint8_t *>(descriptor[1]);
    ArrayRef<int64_t> sizes = ArrayRef(descriptor).slice(3, rank);
    ArrayRef<int64_t> strides = ArrayRef(descriptor).slice(3 + rank, rank);
    if (allocated)
      allocations.insert(allocated);
    if (sizes != ArrayRef(result.shape)) {
      if (mismatch.empty())
        mismatch = "function '" + function.str() + "' returned result " +
                   std::to_string(resultIndex) + " with shape " +
                   formatShape(sizes) + ", but its type is " + result.typeName;
      continue;
    }
    size_t elementSize = getDTypeSize(result.dtype);
    copyFromStrided(aligned + descriptor[2] * elementSize, sizes, strides,
                    elementSize, output);
  }
  for (void *allocation : allocations)
    std::free(allocation);
  if (!mismatch.empty())
    return makeError(mismatch);
  return Error::success();
}
