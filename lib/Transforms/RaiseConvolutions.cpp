//===- RaiseConvolutions.cpp - linalg convolutions to daq
//------------------===//
//
// Recognizes the forward, backward-data and backward-filter convolutions of a
// training step in the linalg-on-tensors form Torch-MLIR emits and rewrites
// them to daq float convolutions. Every matcher accepts one exact form; what
// does not match stays as it is.
//
//===----------------------------------------------------------------------===//

#include "daq/Transforms/Passes.h"
#include "daq/Transforms/Utils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::daq {
#define GEN_PASS_DEF_DAQRAISECONVOLUTIONS
#include "daq/Transforms/Passes.h.inc"

namespace {

//===----------------------------------------------------------------------===//
// Matching helpers
//===----------------------------------------------------------------------===//

/// `value` is a `linalg.fill` of floating-point zero.
bool isZeroFill(Value value) {
  auto fill = value.getDefiningOp<linalg::FillOp>();
  return fill && matchPattern(fill.getDpsInputs()[0], m_AnyZeroFloat());
}

/// Both entries of a 2-element convolution attribute (strides, dilations).
std::optional<std::array<int64_t, 2>> getPair(DenseIntElementsAttr attr) {
  if (!attr || attr.getNumElements() != 2)
    return std::nullopt;
  auto values = attr.getValues<int64_t>();
  return std::array<int64_t, 2>{values[0], values[1]};
}

/// Zero padding of the two spatial (last) dimensions of a tensor.
struct SpatialPadding {
  Value source;
  std::array<int64_t, 2> low = {0, 0}, high = {0, 0};
};

/// Looks through a `tensor.pad` with a zero constant that pads only the two
/// last (spatial) dimensions; anything else is returned unpadded.
std::optional<SpatialPadding> matchSpatialZeroPad(Value value) {
  auto pad = value.getDefiningOp<tensor::PadOp>();
  if (!pad)
    return SpatialPadding{value};
  Value padValue = pad.getConstantPaddingValue();
  if (!padValue || !matchPattern(padValue, m_AnyZeroFloat()) ||
      !pad.getLow().empty() || !pad.getHigh().empty())
    return std::nullopt;
  ArrayRef<int64_t> low = pad.getStaticLow(), high = pad.getStaticHigh();
  size_t rank = low.size();
  for (size_t dim = 0; dim + 2 < rank; ++dim)
    if (low[dim] || high[dim])
      return std::nullopt;
  return SpatialPadding{pad.getSource(),
                        {low[rank - 2], low[rank - 1]},
                        {high[rank - 2], high[rank - 1]}};
}

/// An output gradient dilated by the forward stride and offset by
/// `dilation * (K - 1) - padding`: `tensor.insert_slice` into zeros,
/// `tensor.pad` with zeros, or the gradient itself.
struct ScatteredGradient {
  Value source;
  std::array<int64_t, 2> offsets = {0, 0}, strides = {1, 1};
};

std::optional<ScatteredGradient> matchScatteredGradient(Value value) {
  if (auto insert = value.getDefiningOp<tensor::InsertSliceOp>()) {
    ArrayRef<int64_t> offsets = insert.getStaticOffsets();
    ArrayRef<int64_t> strides = insert.getStaticStrides();
    size_t rank = offsets.size();
    if (!isZeroFill(insert.getDest()) || !insert.getOffsets().empty() ||
        !insert.getStrides().empty() || !insert.getSizes().empty() ||
        insert.getSourceType().getShape() != insert.getStaticSizes())
      return std::nullopt;
    for (size_t dim = 0; dim + 2 < rank; ++dim)
      if (offsets[dim] || strides[dim] != 1)
        return std::nullopt;
    return ScatteredGradient{insert.getSource(),
                             {offsets[rank - 2], offsets[rank - 1]},
                             {strides[rank - 2], strides[rank - 1]}};
  }
  std::optional<SpatialPadding> padding = matchSpatialZeroPad(value);
  if (!padding)
    return std::nullopt;
  return ScatteredGradient{padding->source, padding->low, {1, 1}};
}

/// `value` is `linalg.transpose(source)` with `permutation`.
Value matchTranspose(Value value, ArrayRef<int64_t> permutation) {
  auto transpose = value.getDefiningOp<linalg::TransposeOp>();
  if (!transpose || transpose.getPermutation() != permutation)
    return {};
  return transpose.getInput();
}

/// `value` is `tensor.expand_shape(source)` with `reassociation`.
Value matchExpand(Value value, ArrayRef<ReassociationIndices> reassociation) {
  auto expand = value.getDefiningOp<tensor::ExpandShapeOp>();
  if (!expand || expand.getReassociationIndices() != reassociation)
    return {};
  return expand.getSrc();
}

/// Index value `index` is `linalg.index dim` (or the constant 0 when the
/// dimension has size 1).
bool isLinalgIndex(Value index, int64_t dim, int64_t size = 0) {
  if (size == 1 && matchPattern(index, m_Zero()))
    return true;
  auto op = index.getDefiningOp<linalg::IndexOp>();
  return op && static_cast<int64_t>(op.getDim()) == dim;
}

/// Index value `index` is `size - 1 - linalg.index dim` (folded to the
/// constant 0 when size is 1).
bool isFlippedIndex(Value index, int64_t dim, int64_t size) {
  if (size == 1)
    return matchPattern(index, m_Zero());
  auto sub = index.getDefiningOp<arith::SubIOp>();
  APInt constant;
  return sub && matchPattern(sub.getLhs(), m_ConstantInt(&constant)) &&
         constant == size - 1 && isLinalgIndex(sub.getRhs(), dim);
}

/// Matches a spatially flipped filter built by a `linalg.generic` of
/// `tensor.extract`s (with its input, if any, unused):
///   direct:      F[i0, .., kh, kw] = W[i0, .., KH-1-kh, KW-1-kw]
///   transposed:  F[c, o, kh, kw]   = W[o, c, KH-1-kh, KW-1-kw]   (rank 4)
/// Returns W.
Value matchFlippedFilter(Value value, bool transposed) {
  auto generic = value.getDefiningOp<linalg::GenericOp>();
  if (!generic || generic.getNumDpsInputs() > 1 ||
      generic.getNumDpsInits() != 1 || generic.getNumReductionLoops() != 0 ||
      !llvm::all_of(generic.getIndexingMapsArray(),
                    [](AffineMap map) { return map.isIdentity(); }))
    return {};
  Block &body = generic.getRegion().front();
  if (llvm::any_of(body.getArguments(),
                   [](BlockArgument arg) { return !arg.use_empty(); }))
    return {};
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  auto extract = yield.getValues()[0].getDefiningOp<tensor::ExtractOp>();
  if (!extract)
    return {};
  auto sourceType = cast<RankedTensorType>(extract.getTensor().getType());
  auto resultType = cast<RankedTensorType>(value.getType());
  int64_t rank = sourceType.getRank();
  if (rank < 4 || rank != resultType.getRank() || (transposed && rank != 4))
    return {};
  ValueRange indices = extract.getIndices();
  for (int64_t dim = 0; dim + 2 < rank; ++dim) {
    int64_t resultDim = transposed ? 1 - dim : dim;
    if (!isLinalgIndex(indices[dim], resultDim, sourceType.getDimSize(dim)) ||
        resultType.getDimSize(resultDim) != sourceType.getDimSize(dim))
      return {};
  }
  for (int64_t dim = rank - 2; dim < rank; ++dim)
    if (!isFlippedIndex(indices[dim], dim, sourceType.getDimSize(dim)))
      return {};
  for (Operation &op : body.without_terminator())
    if (!isa<linalg::IndexOp, arith::SubIOp, arith::ConstantOp,
             tensor::ExtractOp>(op))
      return {};
  return extract.getTensor();
}

/// The body `out + in0 * in1` (in either order of the addition).
bool isMultiplyAccumulate(linalg::GenericOp op) {
  Block &body = op.getRegion().front();
  if (body.getNumArguments() != 3 || !llvm::hasNItems(body, 3))
    return false;
  auto mul = dyn_cast<arith::MulFOp>(&body.front());
  auto add = dyn_cast<arith::AddFOp>(mul ? mul->getNextNode() : nullptr);
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  if (!mul || !add || yield.getValues()[0] != add.getResult())
    return false;
  bool mulOk = (mul.getLhs() == body.getArgument(0) &&
                mul.getRhs() == body.getArgument(1)) ||
               (mul.getLhs() == body.getArgument(1) &&
                mul.getRhs() == body.getArgument(0));
  bool addOk =
      (add.getLhs() == mul.getResult() &&
       add.getRhs() == body.getArgument(2)) ||
      (add.getLhs() == body.getArgument(2) && add.getRhs() == mul.getResult());
  return mulOk && addOk;
}

/// Coefficient of dimension `dim` in a pure affine, constant-free `expr`.
std::optional<int64_t> getCoefficient(AffineExpr expr, unsigned numDims,
                                      unsigned dim) {
  if (!expr.isPureAffine())
    return std::nullopt;
  MLIRContext *ctx = expr.getContext();
  SmallVector<AffineExpr> values(numDims, getAffineConstantExpr(0, ctx));
  values[dim] = getAffineConstantExpr(1, ctx);
  auto constant = dyn_cast<AffineConstantExpr>(expr.replaceDims(values));
  if (!constant)
    return std::nullopt;
  return constant.getValue();
}

/// `actual` and `expected` compute the same results (the printed order of
/// the terms of an affine sum is not canonical).
bool isSameMap(AffineMap actual, AffineMap expected) {
  if (actual.getNumDims() != expected.getNumDims() ||
      actual.getNumSymbols() != 0 ||
      actual.getNumResults() != expected.getNumResults())
    return false;
  for (auto [a, b] : llvm::zip(actual.getResults(), expected.getResults())) {
    auto difference = dyn_cast<AffineConstantExpr>(
        simplifyAffineExpr(a - b, actual.getNumDims(), 0));
    if (!difference || difference.getValue() != 0)
      return false;
  }
  return true;
}

/// A `linalg.generic` convolution on NCHW tensors, 4-D or with groups split
/// into their own dimension (5-D, [N, G, C/G, H, W] and [G, O/G, C/G, KH,
/// KW]): zero-filled output, `out += in0 * in1`, the given iterator kinds.
bool isConvolutionGeneric(linalg::GenericOp op, unsigned numParallel) {
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  if (op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1 ||
      iterators.size() != numParallel + 3 || !isMultiplyAccumulate(op) ||
      !isZeroFill(op.getDpsInits()[0]) ||
      !cast<RankedTensorType>(op.getResult(0).getType()).hasStaticShape())
    return false;
  for (auto [index, iterator] : llvm::enumerate(iterators))
    if ((iterator == utils::IteratorType::parallel) != (index < numParallel))
      return false;
  return true;
}

/// A convolution op of `OpTy` with zero-filled output and static shapes.
template <typename OpTy> OpTy matchZeroInitConv(Value value) {
  auto conv = value.getDefiningOp<OpTy>();
  if (!conv || !isZeroFill(conv.getDpsInits()[0]) ||
      !cast<RankedTensorType>(value.getType()).hasStaticShape())
    return {};
  return conv;
}

/// Builds the `#daq.conv` attribute of an NCHW convolution, or null unless
/// the output-size arithmetic the daq ops verify holds for the spatial sizes
/// of `input`, `kernel` and `output`.
ConvAttr buildConvAttr(MLIRContext *ctx, std::array<int64_t, 2> strides,
                       std::array<int64_t, 2> padLow,
                       std::array<int64_t, 2> padHigh,
                       std::array<int64_t, 2> dilations, int64_t groups,
                       std::array<int64_t, 2> input,
                       std::array<int64_t, 2> kernel,
                       std::array<int64_t, 2> output) {
  for (unsigned d = 0; d < 2; ++d) {
    if (padLow[d] < 0 || padHigh[d] < 0 || strides[d] < 1 || dilations[d] < 1)
      return {};
    int64_t padded = input[d] + padLow[d] + padHigh[d];
    int64_t dilatedKernel = dilations[d] * (kernel[d] - 1) + 1;
    if (padded < dilatedKernel ||
        (padded - dilatedKernel) / strides[d] + 1 != output[d])
      return {};
  }
  auto orEmpty = [](ArrayRef<int64_t> values, int64_t neutral) {
    return llvm::all_of(values, [&](int64_t v) { return v == neutral; })
               ? SmallVector<int64_t>()
               : SmallVector<int64_t>(values);
  };
  SmallVector<int64_t> padding = {padLow[0], padLow[1], padHigh[0], padHigh[1]};
  return ConvAttr::get(ctx, ConvLayout::NCHW, orEmpty(strides, 1),
                       orEmpty(padding, 0), orEmpty(dilations, 1), groups);
}

/// The spatial (last two) sizes of a shaped type.
std::array<int64_t, 2> spatial(Type type) {
  ArrayRef<int64_t> shape = cast<ShapedType>(type).getShape();
  return {shape[shape.size() - 2], shape[shape.size() - 1]};
}

/// The forward convolution whose backward-data is the stride-1 correlation
/// of `gradient` (scattered with the forward stride and offset) with the
/// flipped filter: low padding `dilation * (K - 1) - offset`, and the
/// smallest high padding that gives the output size (rows past the last one
/// an output reads are padding or input that no output reads, alike for the
/// gradient).
ConvAttr buildBackwardDataConvAttr(MLIRContext *ctx,
                                   const ScatteredGradient &gradient,
                                   std::array<int64_t, 2> dilations,
                                   int64_t groups, std::array<int64_t, 2> input,
                                   std::array<int64_t, 2> kernel) {
  std::array<int64_t, 2> output = spatial(gradient.source.getType());
  std::array<int64_t, 2> padLow, padHigh;
  for (unsigned d = 0; d < 2; ++d) {
    int64_t dilatedKernel = dilations[d] * (kernel[d] - 1) + 1;
    padLow[d] = dilatedKernel - 1 - gradient.offsets[d];
    padHigh[d] = std::max<int64_t>(0, (output[d] - 1) * gradient.strides[d] +
                                          dilatedKernel - input[d] - padLow[d]);
  }
  return buildConvAttr(ctx, gradient.strides, padLow, padHigh, dilations,
                       groups, input, kernel, output);
}

/// Replaces the result of a grouped (5-D) generic convolution, which must be
/// used only by a `tensor.collapse_shape` with `reassociation`, or of a 4-D
/// one, with `replacement` built by `build(resultType)`.
template <typename BuildFn>
LogicalResult replaceConvolutionResult(linalg::GenericOp op, bool grouped,
                                       ArrayRef<ReassociationIndices> collapse,
                                       PatternRewriter &rewriter,
                                       BuildFn build) {
  Operation *root = op;
  if (grouped) {
    if (!op->hasOneUse())
      return failure();
    auto collapseOp = dyn_cast<tensor::CollapseShapeOp>(*op->user_begin());
    if (!collapseOp || collapseOp.getReassociationIndices() != collapse)
      return failure();
    root = collapseOp;
  }
  Operation *replacement = build(root->getResult(0).getType());
  if (!replacement)
    return failure();
  rewriter.replaceOp(root, replacement->getResults());
  if (grouped)
    rewriter.eraseOp(op);
  return success();
}

//===----------------------------------------------------------------------===//
// Forward
//===----------------------------------------------------------------------===//

/// The bias of a convolution whose output is initialized with it:
/// `linalg.broadcast` of a `[O]` tensor over dimensions [0, 2, 3].
Value matchBiasInit(Value init) {
  auto broadcast = init.getDefiningOp<linalg::BroadcastOp>();
  if (!broadcast || broadcast.getDimensions() != ArrayRef<int64_t>{0, 2, 3})
    return {};
  return broadcast.getInput();
}

/// Y = conv_2d_nchw_fchw(pad(X), W) into a zero fill, or into the broadcast
/// bias (then Y = daq.conv2d(X, W) + bias).
struct RaiseForward : OpRewritePattern<linalg::Conv2DNchwFchwOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(linalg::Conv2DNchwFchwOp op,
                                PatternRewriter &rewriter) const override {
    Value init = op.getDpsInits()[0];
    Value bias = matchBiasInit(init);
    if ((!bias && !isZeroFill(init)) ||
        !cast<RankedTensorType>(op.getResult(0).getType()).hasStaticShape())
      return rewriter.notifyMatchFailure(op, "unsupported output init");
    auto strides = getPair(op.getStrides());
    auto dilations = getPair(op.getDilations());
    std::optional<SpatialPadding> input =
        matchSpatialZeroPad(op.getInputs()[0]);
    if (!strides || !dilations || !input)
      return rewriter.notifyMatchFailure(op, "unsupported attributes or pad");
    Value filter = op.getInputs()[1];
    Type resultType = op.getResult(0).getType();
    ConvAttr conv = buildConvAttr(
        getContext(), *strides, input->low, input->high, *dilations,
        /*groups=*/1, spatial(input->source.getType()),
        spatial(filter.getType()), spatial(resultType));
    if (!conv)
      return rewriter.notifyMatchFailure(op, "inconsistent sizes");
    Value result = Conv2DOp::create(rewriter, op.getLoc(), resultType,
                                    input->source, filter, conv);
    if (bias)
      result = buildChannelwise<arith::AddFOp>(rewriter, op.getLoc(), result,
                                               bias, /*dim=*/1);
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// Y = depthwise_conv_2d_nchw_chw(pad(X), collapse(W)) into a zero fill,
/// with W [C, 1, KH, KW] collapsed to [C, KH, KW]: groups = C.
struct RaiseDepthwiseForward
    : OpRewritePattern<linalg::DepthwiseConv2DNchwChwOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(linalg::DepthwiseConv2DNchwChwOp op,
                                PatternRewriter &rewriter) const override {
    if (!matchZeroInitConv<linalg::DepthwiseConv2DNchwChwOp>(op.getResult(0)))
      return rewriter.notifyMatchFailure(op, "not a zero-initialized conv");
    auto strides = getPair(op.getStrides());
    auto dilations = getPair(op.getDilations());
    std::optional<SpatialPadding> input =
        matchSpatialZeroPad(op.getInputs()[0]);
    auto collapse = op.getInputs()[1].getDefiningOp<tensor::CollapseShapeOp>();
    if (!strides || !dilations || !input || !collapse ||
        collapse.getReassociationIndices() !=
            ArrayRef<ReassociationIndices>{{0, 1}, {2}, {3}})
      return rewriter.notifyMatchFailure(op, "unsupported form");
    Value filter = collapse.getSrc();
    Type resultType = op.getResult(0).getType();
    int64_t channels = cast<ShapedType>(resultType).getDimSize(1);
    ConvAttr conv =
        buildConvAttr(getContext(), *strides, input->low, input->high,
                      *dilations, channels, spatial(input->source.getType()),
                      spatial(filter.getType()), spatial(resultType));
    if (!conv)
      return rewriter.notifyMatchFailure(op, "inconsistent sizes");
    rewriter.replaceOpWithNewOp<Conv2DOp>(op, resultType, input->source, filter,
                                          conv);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Backward-data
//===----------------------------------------------------------------------===//

/// Decomposed form: GX = conv_2d_nchw_fchw(scatter(GY), flip_transpose(W)),
/// stride 1, dilation d.
struct RaiseBackwardDataConv : OpRewritePattern<linalg::Conv2DNchwFchwOp> {
  RaiseBackwardDataConv(MLIRContext *ctx)
      : OpRewritePattern(ctx, /*benefit=*/2) {}

  LogicalResult matchAndRewrite(linalg::Conv2DNchwFchwOp op,
                                PatternRewriter &rewriter) const override {
    if (!matchZeroInitConv<linalg::Conv2DNchwFchwOp>(op.getResult(0)))
      return rewriter.notifyMatchFailure(op, "not a zero-initialized conv");
    auto convStrides = getPair(op.getStrides());
    auto dilations = getPair(op.getDilations());
    if (!convStrides || *convStrides != std::array<int64_t, 2>{1, 1} ||
        !dilations)
      return rewriter.notifyMatchFailure(op, "not a stride-1 conv");
    Value filter = matchFlippedFilter(op.getInputs()[1], /*transposed=*/true);
    std::optional<ScatteredGradient> gradient =
        matchScatteredGradient(op.getInputs()[0]);
    if (!filter || !gradient)
      return rewriter.notifyMatchFailure(op, "not a transposed convolution");
    Type resultType = op.getResult(0).getType();
    ConvAttr conv = buildBackwardDataConvAttr(
        getContext(), *gradient, *dilations, /*groups=*/1, spatial(resultType),
        spatial(filter.getType()));
    if (!conv)
      return rewriter.notifyMatchFailure(op, "inconsistent sizes");
    rewriter.replaceOpWithNewOp<Conv2DBackwardDataOp>(
        op, resultType, gradient->source, filter, conv);
    return success();
  }
};

/// Direct form (Torch-MLIR's lowering of aten.convolution_backward):
///   4-D  dims (n, c, h, w, o, kh, kw):
///        GX[n, c, h, w] += GYs[n, o, h + kh*dh, w + kw*dw] * Wf[o, c, kh, kw]
///   5-D  dims (n, g, c, h, w, o, kh, kw), groups split, then collapsed:
///        GX[n, g, c, h, w] += GYs[n, g, o, h + kh*dh, ..]
///                             * Wf[g, o, c, kh, kw]
/// with GYs the scattered gradient and Wf the flipped filter (W itself for
/// a 1x1 kernel).
struct RaiseBackwardDataGeneric : OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(linalg::GenericOp op,
                                PatternRewriter &rewriter) const override {
    auto resultType = cast<RankedTensorType>(op.getResult(0).getType());
    int64_t rank = resultType.getRank();
    bool grouped = rank == 5;
    if ((rank != 4 && !grouped) || !isConvolutionGeneric(op, rank))
      return rewriter.notifyMatchFailure(op, "not a convolution generic");
    MLIRContext *ctx = getContext();
    unsigned numLoops = rank + 3;
    auto dim = [&](unsigned d) { return getAffineDimExpr(d, ctx); };
    AffineExpr o = dim(rank), kh = dim(rank + 1), kw = dim(rank + 2);
    SmallVector<AffineMap> maps = op.getIndexingMapsArray();
    AffineExpr heightExpr =
        maps[0].getNumResults() == static_cast<unsigned>(rank)
            ? maps[0].getResult(rank - 2)
            : AffineExpr();
    AffineExpr widthExpr =
        heightExpr ? maps[0].getResult(rank - 1) : AffineExpr();
    std::optional<int64_t> dh, dw;
    if (heightExpr) {
      dh = getCoefficient(heightExpr, numLoops, rank + 1);
      dw = getCoefficient(widthExpr, numLoops, rank + 2);
    }
    if (!dh || !dw)
      return rewriter.notifyMatchFailure(op, "unsupported gradient map");
    SmallVector<AffineExpr> gradientExprs = {dim(0)};
    if (grouped)
      gradientExprs.push_back(dim(1));
    gradientExprs.append(
        {o, dim(rank - 2) + kh * *dh, dim(rank - 1) + kw * *dw});
    SmallVector<AffineExpr> filterExprs;
    if (grouped)
      filterExprs = {dim(1), o, dim(2), kh, kw};
    else
      filterExprs = {o, dim(1), kh, kw};
    if (!isSameMap(maps[0], AffineMap::get(numLoops, 0, gradientExprs, ctx)) ||
        !isSameMap(maps[1], AffineMap::get(numLoops, 0, filterExprs, ctx)) ||
        !isSameMap(maps[2], AffineMap::getMultiDimIdentityMap(numLoops, ctx)
                                .getMajorSubMap(rank)))
      return rewriter.notifyMatchFailure(op, "not backward-data maps");

    std::optional<ScatteredGradient> gradient =
        matchScatteredGradient(op.getDpsInputs()[0]);
    Value flipped = op.getDpsInputs()[1];
    std::array<int64_t, 2> kernel = spatial(flipped.getType());
    Value filter = matchFlippedFilter(flipped, /*transposed=*/false);
    if (!filter && kernel == std::array<int64_t, 2>{1, 1})
      filter = flipped;
    if (!gradient || !filter)
      return rewriter.notifyMatchFailure(op, "operands not recognized");
    int64_t groups = 1;
    if (grouped) {
      gradient->source = matchExpand(gradient->source, {{0}, {1, 2}, {3}, {4}});
      filter = matchExpand(filter, {{0, 1}, {2}, {3}, {4}});
      groups = resultType.getDimSize(1);
      if (!gradient->source || !filter)
        return rewriter.notifyMatchFailure(op, "groups not split");
    }
    ConvAttr conv = buildBackwardDataConvAttr(
        ctx, *gradient, {*dh, *dw}, groups, spatial(resultType), kernel);
    if (!conv)
      return rewriter.notifyMatchFailure(op, "inconsistent sizes");
    return replaceConvolutionResult(
        op, grouped, {{0}, {1, 2}, {3}, {4}}, rewriter, [&](Type type) {
          return Conv2DBackwardDataOp::create(rewriter, op.getLoc(), type,
                                              gradient->source, filter, conv)
              .getOperation();
        });
  }
};

//===----------------------------------------------------------------------===//
// Backward-filter
//===----------------------------------------------------------------------===//

static constexpr int64_t kSwap01[] = {1, 0, 2, 3};

/// Decomposed form, stride 1: GW = transpose(conv_2d_nchw_fchw(
/// pad(transpose(X)), transpose(GY))) with [1, 0, 2, 3] transposes. The
/// inner convolution's dilation is the forward stride and its stride the
/// forward dilation.
struct RaiseBackwardFilterTransposed : OpRewritePattern<linalg::TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(linalg::TransposeOp op,
                                PatternRewriter &rewriter) const override {
    if (op.getPermutation() != ArrayRef<int64_t>(kSwap01))
      return rewriter.notifyMatchFailure(op, "not a [1, 0, 2, 3] transpose");
    auto inner = matchZeroInitConv<linalg::Conv2DNchwFchwOp>(op.getInput());
    if (!inner)
      return rewriter.notifyMatchFailure(op, "not a transposed conv result");
    auto innerStrides = getPair(inner.getStrides());
    auto innerDilations = getPair(inner.getDilations());
    std::optional<SpatialPadding> input =
        matchSpatialZeroPad(inner.getInputs()[0]);
    if (!innerStrides || !innerDilations || !input)
      return rewriter.notifyMatchFailure(op, "unsupported inner conv");
    Value activations = matchTranspose(input->source, kSwap01);
    Value gradOutput = matchTranspose(inner.getInputs()[1], kSwap01);
    if (!activations || !gradOutput)
      return rewriter.notifyMatchFailure(op, "operands are not transposed");
    Type resultType = op->getResult(0).getType();
    ConvAttr conv = buildConvAttr(
        getContext(), *innerDilations, input->low, input->high, *innerStrides,
        /*groups=*/1, spatial(activations.getType()), spatial(resultType),
        spatial(gradOutput.getType()));
    if (!conv)
      return rewriter.notifyMatchFailure(op, "inconsistent sizes");
    rewriter.replaceOpWithNewOp<Conv2DBackwardFilterOp>(
        op, resultType, activations, gradOutput, conv);
    return success();
  }
};

/// Decomposed form, strided: GW = sum_n transpose(expand(slice(collapse(
/// conv_2d_ngchw_gfchw(expand(pad(transpose(X))), expand(GY)))))), the batch
/// as the groups of a grouped convolution whose dilation is the forward
/// stride, cut to the kernel size and summed over the batch.
struct RaiseBackwardFilterBatchSum : OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(linalg::GenericOp op,
                                PatternRewriter &rewriter) const override {
    // out[o, c, kh, kw] += in[n, o, c, kh, kw] over n.
    MLIRContext *ctx = getContext();
    if (op.getNumDpsInputs() != 1 || op.getNumDpsInits() != 1 ||
        op.getNumLoops() != 5 || !isZeroFill(op.getDpsInits()[0]))
      return rewriter.notifyMatchFailure(op, "not a batch sum");
    SmallVector<AffineMap> maps = op.getIndexingMapsArray();
    AffineMap dropFirst =
        AffineMap::getMultiDimIdentityMap(5, ctx).dropResult(0);
    SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
    if (!maps[0].isIdentity() || maps[1] != dropFirst ||
        iterators[0] != utils::IteratorType::reduction ||
        llvm::any_of(ArrayRef(iterators).drop_front(), [](auto it) {
          return it != utils::IteratorType::parallel;
        }))
      return rewriter.notifyMatchFailure(op, "not a batch sum");
    Block &body = op.getRegion().front();
    auto add = dyn_cast<arith::AddFOp>(&body.front());
    auto yield = cast<linalg::YieldOp>(body.getTerminator());
    if (!add || add->getNextNode() != yield ||
        yield.getValues()[0] != add.getResult() ||
        !((add.getLhs() == body.getArgument(0) &&
           add.getRhs() == body.getArgument(1)) ||
          (add.getLhs() == body.getArgument(1) &&
           add.getRhs() == body.getArgument(0))))
      return rewriter.notifyMatchFailure(op, "not a batch sum");

    // [N, O, C, KH, KW] <- transpose [1, 2, 0, 3, 4] of [C, N, O, KH, KW].
    static constexpr int64_t kBatchToFront[] = {1, 2, 0, 3, 4};
    Value perChannel = matchTranspose(op.getDpsInputs()[0], kBatchToFront);
    if (!perChannel)
      return rewriter.notifyMatchFailure(op, "no batch transpose");
    // When the grouped result is larger than the kernel, it is merged,
    // cut down to the kernel size from the leading corner, and split again.
    SmallVector<ReassociationIndices> splitGroups = {{0}, {1, 2}, {3}, {4}};
    Value convResult = perChannel;
    if (Value sliced = matchExpand(perChannel, splitGroups)) {
      while (auto slice = sliced.getDefiningOp<tensor::ExtractSliceOp>()) {
        if (!slice.hasZeroOffset() || !slice.hasUnitStride() ||
            !slice.getSizes().empty())
          return rewriter.notifyMatchFailure(op, "unsupported slice");
        sliced = slice.getSource();
      }
      auto collapse = sliced.getDefiningOp<tensor::CollapseShapeOp>();
      if (!collapse || collapse.getReassociationIndices() != splitGroups)
        return rewriter.notifyMatchFailure(op, "no group merge");
      convResult = collapse.getSrc();
    }
    auto grouped = matchZeroInitConv<linalg::Conv2DNgchwGfchwOp>(convResult);
    if (!grouped)
      return rewriter.notifyMatchFailure(op, "no grouped conv");
    auto groupedStrides = getPair(grouped.getStrides());
    auto groupedDilations = getPair(grouped.getDilations());
    // Input: expand [C, N, Hp, Wp] -> [C, N, 1, Hp, Wp] of pad(transpose(X)).
    Value paddedInput = matchExpand(grouped.getInputs()[0], splitGroups);
    // Filter: expand GY [N, O, OH, OW] -> [N, O, 1, OH, OW].
    Value gradOutput =
        matchExpand(grouped.getInputs()[1], {{0}, {1}, {2, 3}, {4}});
    if (!groupedStrides || !groupedDilations || !paddedInput || !gradOutput)
      return rewriter.notifyMatchFailure(op, "unsupported grouped conv");
    std::optional<SpatialPadding> padding = matchSpatialZeroPad(paddedInput);
    if (!padding)
      return rewriter.notifyMatchFailure(op, "unsupported pad");
    Value activations = matchTranspose(padding->source, kSwap01);
    if (!activations)
      return rewriter.notifyMatchFailure(op, "input is not transposed");

    Type resultType = op.getResult(0).getType();
    ConvAttr conv = buildConvAttr(
        ctx, *groupedDilations, padding->low, padding->high, *groupedStrides,
        /*groups=*/1, spatial(activations.getType()), spatial(resultType),
        spatial(gradOutput.getType()));
    if (!conv)
      return rewriter.notifyMatchFailure(op, "inconsistent sizes");
    rewriter.replaceOpWithNewOp<Conv2DBackwardFilterOp>(
        op, resultType, activations, gradOutput, conv);
    return success();
  }
};

/// Direct form (Torch-MLIR's lowering of aten.convolution_backward):
///   4-D  dims (o, c, kh, kw, n, oh, ow):
///        GW[o, c, kh, kw] += Xp[n, c, kh*dh + oh*sh, ..] * GY[n, o, oh, ow]
///   5-D  dims (g, o, c, kh, kw, n, oh, ow), groups split, then collapsed:
///        GW[g, o, c, kh, kw] += Xp[n, g, c, kh*dh + oh*sh, ..]
///                               * GY[n, g, o, oh, ow]
struct RaiseBackwardFilterGeneric : OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(linalg::GenericOp op,
                                PatternRewriter &rewriter) const override {
    auto resultType = cast<RankedTensorType>(op.getResult(0).getType());
    int64_t rank = resultType.getRank();
    bool grouped = rank == 5;
    if ((rank != 4 && !grouped) || !isConvolutionGeneric(op, rank))
      return rewriter.notifyMatchFailure(op, "not a convolution generic");
    MLIRContext *ctx = getContext();
    unsigned numLoops = rank + 3;
    auto dim = [&](unsigned d) { return getAffineDimExpr(d, ctx); };
    AffineExpr n = dim(rank), oh = dim(rank + 1), ow = dim(rank + 2);
    AffineExpr kh = dim(rank - 2), kw = dim(rank - 1);
    SmallVector<AffineMap> maps = op.getIndexingMapsArray();
    if (maps[0].getNumResults() != static_cast<unsigned>(rank))
      return rewriter.notifyMatchFailure(op, "unsupported input map");
    AffineExpr heightExpr = maps[0].getResult(rank - 2);
    AffineExpr widthExpr = maps[0].getResult(rank - 1);
    std::optional<int64_t> dh = getCoefficient(heightExpr, numLoops, rank - 2);
    std::optional<int64_t> sh = getCoefficient(heightExpr, numLoops, rank + 1);
    std::optional<int64_t> dw = getCoefficient(widthExpr, numLoops, rank - 1);
    std::optional<int64_t> sw = getCoefficient(widthExpr, numLoops, rank + 2);
    if (!dh || !sh || !dw || !sw)
      return rewriter.notifyMatchFailure(op, "unsupported input map");
    SmallVector<AffineExpr> inputExprs = {n}, gradientExprs = {n};
    if (grouped) {
      inputExprs.append({dim(0), dim(2)});
      gradientExprs.append({dim(0), dim(1)});
    } else {
      inputExprs.push_back(dim(1));
      gradientExprs.push_back(dim(0));
    }
    inputExprs.append({kh * *dh + oh * *sh, kw * *dw + ow * *sw});
    gradientExprs.append({oh, ow});
    if (!isSameMap(maps[0], AffineMap::get(numLoops, 0, inputExprs, ctx)) ||
        !isSameMap(maps[1], AffineMap::get(numLoops, 0, gradientExprs, ctx)) ||
        !isSameMap(maps[2], AffineMap::getMultiDimIdentityMap(numLoops, ctx)
                                .getMajorSubMap(rank)))
      return rewriter.notifyMatchFailure(op, "not backward-filter maps");

    std::optional<SpatialPadding> padding =
        matchSpatialZeroPad(op.getDpsInputs()[0]);
    Value gradOutput = op.getDpsInputs()[1];
    if (!padding)
      return rewriter.notifyMatchFailure(op, "unsupported pad");
    Value activations = padding->source;
    int64_t groups = 1;
    if (grouped) {
      activations = matchExpand(activations, {{0}, {1, 2}, {3}, {4}});
      gradOutput = matchExpand(gradOutput, {{0}, {1, 2}, {3}, {4}});
      groups = resultType.getDimSize(0);
      if (!activations || !gradOutput)
        return rewriter.notifyMatchFailure(op, "groups not split");
    }
    ConvAttr conv =
        buildConvAttr(ctx, {*sh, *sw}, padding->low, padding->high, {*dh, *dw},
                      groups, spatial(activations.getType()),
                      spatial(resultType), spatial(gradOutput.getType()));
    if (!conv)
      return rewriter.notifyMatchFailure(op, "inconsistent sizes");
    return replaceConvolutionResult(
        op, grouped, {{0, 1}, {2}, {3}, {4}}, rewriter, [&](Type type) {
          return Conv2DBackwardFilterOp::create(rewriter, op.getLoc(), type,
                                                activations, gradOutput, conv)
              .getOperation();
        });
  }
};

struct DaqRaiseConvolutionsPass
    : impl::DaqRaiseConvolutionsBase<DaqRaiseConvolutionsPass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    // Backward forms first: each of them contains a linalg convolution that
    // the forward pattern would otherwise take as a forward convolution.
    RewritePatternSet backward(ctx);
    backward.add<RaiseBackwardDataConv, RaiseBackwardDataGeneric,
                 RaiseBackwardFilterTransposed, RaiseBackwardFilterBatchSum,
                 RaiseBackwardFilterGeneric>(ctx);
    RewritePatternSet forward(ctx);
    forward.add<RaiseForward, RaiseDepthwiseForward>(ctx);
    if (failed(applyPatternsGreedily(getOperation(), std::move(backward))) ||
        failed(applyPatternsGreedily(getOperation(), std::move(forward))))
      signalPassFailure();
  }
};
} // namespace
} // namespace mlir::daq
