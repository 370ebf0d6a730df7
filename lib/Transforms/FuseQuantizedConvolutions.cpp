//===- FuseQuantizedConvolutions.cpp - Quantize-on-load fusion
//-------------===//

#include "daq/Transforms/Passes.h"

#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::daq {
#define GEN_PASS_DEF_DAQFUSEQUANTIZEDCONVOLUTIONS
#include "daq/Transforms/Passes.h.inc"

namespace {

/// Folds a `daq.quantize` whose only user is an INT8 convolution into that
/// convolution's quantize-on-load operand, when its granularity is the one
/// the convolution quantizes that operand with (`getOnLoadGranularity`).
/// Both fused operands of one convolution share its rounding and step, so a
/// second quantize with different ones stays unfused.
template <typename QConvOp>
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
      if (quantize.getGranularity() != op.getOnLoadGranularity(operand))
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
    patterns.add<FoldQuantizeIntoConvolution<QConv2DOp>,
                 FoldQuantizeIntoConvolution<QConv2DBackwardDataOp>,
                 FoldQuantizeIntoConvolution<QConv2DBackwardFilterOp>>(
        &getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
} // namespace mlir::daq
