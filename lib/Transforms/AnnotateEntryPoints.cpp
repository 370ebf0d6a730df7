//===- AnnotateEntryPoints.cpp - Mark JIT entry points --------------------===//

#include "daq/Transforms/Passes.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"

namespace mlir::daq {
#define GEN_PASS_DEF_DAQANNOTATEENTRYPOINTS
#include "daq/Transforms/Passes.h.inc"

namespace {
struct DaqAnnotateEntryPointsPass
    : impl::DaqAnnotateEntryPointsBase<DaqAnnotateEntryPointsPass> {
  void runOnOperation() override {
    MLIRContext *context = &getContext();
    StringRef writableName =
        bufferization::BufferizationDialect::kWritableAttrName;
    for (auto func : getOperation().getOps<func::FuncOp>()) {
      if (!func.isPublic() || func.isExternal())
        continue;
      func->setAttr(kSignatureAttrName, TypeAttr::get(func.getFunctionType()));
      func->setAttr(LLVM::LLVMDialect::getEmitCWrapperAttrName(),
                    UnitAttr::get(context));

      // Tensor arguments become read-only buffers, so that the runner can
      // pass its callers' arrays without copying them: bufferization copies
      // an argument before an in-place update instead of writing into it.
      // Memref arguments, and tensors explicitly marked writable, may be
      // written, and then the runner must copy.
      bool inputsReadOnly = true;
      for (auto [index, type] : llvm::enumerate(func.getArgumentTypes())) {
        if (isa<TensorType>(type) && !func.getArgAttr(index, writableName)) {
          func.setArgAttr(index, writableName, BoolAttr::get(context, false));
          continue;
        }
        auto writable = func.getArgAttrOfType<BoolAttr>(index, writableName);
        if (isa<ShapedType>(type) && !(writable && !writable.getValue()))
          inputsReadOnly = false;
      }
      if (inputsReadOnly)
        func->setAttr(kInputsReadOnlyAttrName, UnitAttr::get(context));
    }
  }
};
} // namespace
} // namespace mlir::daq
