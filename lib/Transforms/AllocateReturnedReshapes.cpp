//===- AllocateReturnedReshapes.cpp - Allocate in the returned shape ------===//
//
// buffer-results-to-out-params{hoist-static-allocs} turns a returned
// memref.alloc into the caller's out-parameter; a returned reshape of an
// allocation is copied into it instead. Allocating that buffer in the
// returned shape, and handing its other users the old shape as a view, lets
// the kernels that write it write the caller's buffer directly.
//
//===----------------------------------------------------------------------===//

#include "daq/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::daq {
#define GEN_PASS_DEF_DAQALLOCATERETURNEDRESHAPES
#include "daq/Transforms/Passes.h.inc"

namespace {

/// A static shape with the identity layout: every reshape of it to another
/// static shape of as many elements is a view of the same bytes.
bool isContiguousStatic(Type type) {
  auto memref = dyn_cast<MemRefType>(type);
  return memref && memref.hasStaticShape() && memref.getLayout().isIdentity();
}

/// `buffer` (contiguous, static) viewed as `type` through rank 1.
Value reshapeContiguous(OpBuilder &b, Location loc, Value buffer,
                        MemRefType type) {
  auto from = cast<MemRefType>(buffer.getType());
  if (from == type)
    return buffer;
  auto flatType =
      MemRefType::get({from.getNumElements()}, from.getElementType(),
                      MemRefLayoutAttrInterface(), from.getMemorySpace());
  auto allDims = [](int64_t rank) {
    ReassociationIndices dims;
    for (int64_t d = 0; d < rank; ++d)
      dims.push_back(d);
    return dims;
  };
  Value flat = buffer;
  if (from.getRank() == 0)
    flat = memref::ExpandShapeOp::create(b, loc, flatType, buffer,
                                         ArrayRef<ReassociationIndices>{});
  else if (from.getRank() > 1)
    flat = memref::CollapseShapeOp::create(
        b, loc, flatType, buffer,
        ArrayRef<ReassociationIndices>{allDims(from.getRank())});
  if (type.getRank() == 1)
    return flat;
  if (type.getRank() == 0)
    return memref::CollapseShapeOp::create(b, loc, type, flat,
                                           ArrayRef<ReassociationIndices>{});
  return memref::ExpandShapeOp::create(
      b, loc, type, flat,
      ArrayRef<ReassociationIndices>{allDims(type.getRank())});
}

/// The allocation that `value` reshapes (through any chain of expand_shape
/// and collapse_shape), or null. The reshapes are collected in `chain`.
memref::AllocOp reshapedAllocation(Value value,
                                   SmallVectorImpl<Operation *> &chain) {
  while (Operation *op = value.getDefiningOp()) {
    if (auto alloc = dyn_cast<memref::AllocOp>(op))
      return chain.empty() ? memref::AllocOp() : alloc;
    if (!isa<memref::ExpandShapeOp, memref::CollapseShapeOp>(op))
      return {};
    chain.push_back(op);
    value = op->getOperand(0);
  }
  return {};
}

struct DaqAllocateReturnedReshapesPass
    : impl::DaqAllocateReturnedReshapesBase<DaqAllocateReturnedReshapesPass> {
  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    getOperation().walk([&](func::ReturnOp returnOp) {
      for (OpOperand &operand : returnOp->getOpOperands()) {
        SmallVector<Operation *> chain;
        memref::AllocOp alloc = reshapedAllocation(operand.get(), chain);
        // An allocation the function also returns as it is stays the
        // out-parameter of that result.
        if (!alloc || !isContiguousStatic(alloc.getType()) ||
            !isContiguousStatic(operand.get().getType()) ||
            llvm::is_contained(returnOp->getOperands(), alloc.getResult()))
          continue;
        rewriter.setInsertionPoint(alloc);
        auto returnedType = cast<MemRefType>(operand.get().getType());
        auto replacement = memref::AllocOp::create(
            rewriter, alloc.getLoc(), returnedType, alloc.getAlignmentAttr());
        Value view = reshapeContiguous(rewriter, alloc.getLoc(), replacement,
                                       alloc.getType());
        operand.set(replacement);
        rewriter.replaceOp(alloc, view);
        // The reshapes that led to the return may now be unused.
        for (Operation *op : chain)
          if (op->use_empty())
            rewriter.eraseOp(op);
      }
    });
  }
};
} // namespace
} // namespace mlir::daq
