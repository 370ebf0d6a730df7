//===- AnnotateEntryPoints.cpp - Mark JIT entry points
//---------------------===//

#include "daq/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"

namespace mlir::daq {
#define GEN_PASS_DEF_DAQANNOTATEENTRYPOINTS
#include "daq/Transforms/Passes.h.inc"

namespace {
struct DaqAnnotateEntryPointsPass
    : impl::DaqAnnotateEntryPointsBase<DaqAnnotateEntryPointsPass> {
  void runOnOperation() override {
    for (auto func : getOperation().getOps<func::FuncOp>()) {
      if (!func.isPublic() || func.isExternal())
        continue;
      func->setAttr(kSignatureAttrName, TypeAttr::get(func.getFunctionType()));
      func->setAttr(LLVM::LLVMDialect::getEmitCWrapperAttrName(),
                    UnitAttr::get(&getContext()));
    }
  }
};
} // namespace
} // namespace mlir::daq
