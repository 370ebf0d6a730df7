//===- FuseQuantizedConvolutions.cpp - Quantize-on-load fusion
//-------------===//

#include "daq/Transforms/Passes.h"

#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::daq {
#define GEN_PASS_DEF_DAQFUSEQUANTIZEDCONVOLUTIONS
#include "daq/Transforms/Passes.h.inc"

namespace {

/// Folds a `daq.quantize` whose only user is an INT8 convolution into that
/// convolution's quantize-on-load operand. `filterOperand` is the operand
/// index (0 or 2) holding a filter (-1: none), whose per-channel clips run
/// along dimension 0; other operands are activations or gradients, whose
/// per-channel clips run along the layout's channel dimension. Both fused
/// operands of one convolution share its rounding and step, so a second
/// quantize with different ones stays unfused.
template <typename QConvOp, int filterOperand>
struct FoldQuantizeIntoConvolution : OpRewritePattern<QConvOp> {
  using OpRewritePattern<QConvOp>::OpRewritePattern;

  LogicalResult matchAndRewrite(QConvOp op,
                                PatternRewriter &rewriter) const override {
    for (unsigned operand : {0u, 2u}) {
      auto quantize =
          op->getOperand(operand).template getDefiningOp<QuantizeOp>();
      if (!quantize || !quantize->hasOneUse() ||
          quantize.getClip() != op->getOperand(operand + 1))
        continue;
      std::optional<int64_t> expectedAxis;
      if (quantize.getClip().getType().getRank() == 1)
        expectedAxis = static_cast<int>(operand) == filterOperand
                           ? 0
                           : op.getConv().getChannelDim();
      if (quantize.getGranularity().getAxis() != expectedAxis)
        continue;
      if (op.quantizesOnLoad() &&
          (op.getRoundingAttr() != quantize.getRoundingAttr() ||
           op.getStep() != quantize.getStep()))
        continue;
      SmallVector<Value> operands(op->getOperands().take_front(4));
      operands[operand] = quantize.getInput();
      auto fused = QConvOp::create(
          rewriter, op.getLoc(), op->getResult(0).getType(), operands[0],
          operands[1], operands[2], operands[3], quantize.getStep(),
          op.getConv(), quantize.getRoundingAttr());
      rewriter.replaceOp(op, fused->getResults());
      rewriter.eraseOp(quantize);
      return success();
    }
    return failure();
  }
};

struct DaqFuseQuantizedConvolutionsPass
    : impl::DaqFuseQuantizedConvolutionsBase<DaqFuseQuantizedConvolutionsPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateDecomposeQuantizeGradPatterns(patterns);
    patterns.add<FoldQuantizeIntoConvolution<QConv2DOp, 2>,
                 FoldQuantizeIntoConvolution<QConv2DBackwardDataOp, 2>,
                 FoldQuantizeIntoConvolution<QConv2DBackwardFilterOp, -1>>(
        &getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
} // namespace mlir::daq
