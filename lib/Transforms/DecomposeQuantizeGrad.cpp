//===- DecomposeQuantizeGrad.cpp - Expand daq.quantize_grad
//----------------===//

#include "daq/Transforms/Passes.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/WalkPatternRewriteDriver.h"

namespace mlir {
namespace daq {
#define GEN_PASS_DEF_DAQDECOMPOSEQUANTIZEGRAD
#include "daq/Transforms/Passes.h.inc"
} // namespace daq
} // namespace mlir

namespace mlir::daq {
namespace {
struct DecomposeQuantizeGrad : OpRewritePattern<QuantizeGradOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(QuantizeGradOp op,
                                PatternRewriter &rewriter) const override {
    Value channelClip = op.buildClip(rewriter, /*perChannel=*/true);
    // The max-abs of a tensor is the max of its channels' max-abs: derive it
    // from the per-channel clips instead of reading the gradient again.
    Value tensorClip =
        isa<MaxClipAttr>(op.getStrategy())
            ? MaxAbsOp::create(rewriter, op.getLoc(),
                               op.getTensorClip().getType(), channelClip,
                               GranularityAttr::get(op.getContext()))
            : op.buildClip(rewriter, /*perChannel=*/false);
    Value channelCodes =
        op.buildQuantize(rewriter, channelClip, /*perChannel=*/true);
    Value tensorCodes =
        op.buildQuantize(rewriter, tensorClip, /*perChannel=*/false);
    rewriter.replaceOp(op,
                       {channelCodes, channelClip, tensorCodes, tensorClip});
    return success();
  }
};

struct DaqDecomposeQuantizeGradPass
    : impl::DaqDecomposeQuantizeGradBase<DaqDecomposeQuantizeGradPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateDecomposeQuantizeGradPatterns(patterns);
    walkAndApplyPatterns(getOperation(), std::move(patterns));
  }
};
} // namespace

void populateDecomposeQuantizeGradPatterns(RewritePatternSet &patterns) {
  patterns.add<DecomposeQuantizeGrad>(patterns.getContext());
}
} // namespace mlir::daq
