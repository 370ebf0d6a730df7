//===- SeparateReturnedBuffers.cpp - One buffer per returned memref -------===//
//
// buffer-results-to-out-params{hoist-static-allocs} makes a function write its
// results straight into its caller's buffers by replacing each returned
// memref.alloc with the matching out-parameter. A buffer returned twice would
// have to become two out-parameters at once (MLIR 22 crashes on it), so every
// repetition gets a buffer of its own first.
//
//===----------------------------------------------------------------------===//

#include "daq/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "llvm/ADT/SmallPtrSet.h"

namespace mlir::daq {
#define GEN_PASS_DEF_DAQSEPARATERETURNEDBUFFERS
#include "daq/Transforms/Passes.h.inc"

namespace {
struct DaqSeparateReturnedBuffersPass
    : impl::DaqSeparateReturnedBuffersBase<DaqSeparateReturnedBuffersPass> {
  void runOnOperation() override {
    getOperation().walk([](func::ReturnOp returnOp) {
      llvm::SmallPtrSet<Value, 4> returned;
      OpBuilder builder(returnOp);
      for (OpOperand &operand : returnOp->getOpOperands()) {
        Value value = operand.get();
        auto type = dyn_cast<MemRefType>(value.getType());
        if (!type || returned.insert(value).second ||
            !type.getLayout().isIdentity())
          continue;
        Location loc = returnOp.getLoc();
        SmallVector<Value> dynamicSizes;
        for (auto [dim, size] : llvm::enumerate(type.getShape()))
          if (ShapedType::isDynamic(size))
            dynamicSizes.push_back(
                memref::DimOp::create(builder, loc, value, dim));
        Value copy = memref::AllocOp::create(builder, loc, type, dynamicSizes);
        memref::CopyOp::create(builder, loc, value, copy);
        operand.set(copy);
      }
    });
  }
};
} // namespace
} // namespace mlir::daq
