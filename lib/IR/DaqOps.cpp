//===- DaqOps.cpp - daq operations
//-----------------------------------------===//

#include "daq/IR/Daq.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::daq;

#define GET_OP_CLASSES
#include "daq/IR/DaqOps.cpp.inc"

//===----------------------------------------------------------------------===//
// Shared verification
//===----------------------------------------------------------------------===//

/// Checks that `clipType` holds one clip per slice of `inputType` as
/// `granularity` says: rank 0 per tensor, `[dim(axis)]` per axis.
static LogicalResult verifyClipShape(Operation *op, GranularityAttr granularity,
                                     ShapedType inputType, ShapedType clipType,
                                     StringRef clipName,
                                     StringRef inputName = "input") {
  std::optional<int64_t> axis = granularity.getAxis();
  if (!axis) {
    if (clipType.getRank() != 0)
      return op->emitOpError() << "per-tensor granularity needs a rank-0 '"
                               << clipName << "', got " << clipType;
    return success();
  }
  if (*axis < 0 || *axis >= inputType.getRank())
    return op->emitOpError()
           << "axis " << *axis << " is out of range for a tensor of rank "
           << inputType.getRank();
  if (clipType.getRank() != 1)
    return op->emitOpError() << "per-axis granularity needs a rank-1 '"
                             << clipName << "', got " << clipType;
  int64_t expected = inputType.getDimSize(*axis);
  int64_t actual = clipType.getDimSize(0);
  if (!ShapedType::isDynamic(expected) && !ShapedType::isDynamic(actual) &&
      expected != actual)
    return op->emitOpError()
           << "'" << clipName << "' has " << actual << " values but dimension "
           << *axis << " of '" << inputName << "' has size " << expected;
  return success();
}

/// Checks the pairing of a rounding mode and a step operand: stochastic
/// rounding needs the training step as the generator's counter, and a step
/// without stochastic rounding is meaningless.
static LogicalResult verifyRounding(Operation *op,
                                    std::optional<RoundingAttr> rounding,
                                    Value step) {
  bool stochastic = rounding && rounding->isStochastic();
  if (stochastic && !step)
    return op->emitOpError("stochastic rounding needs a 'step' operand");
  if (!stochastic && step)
    return op->emitOpError(
        "a 'step' operand is only allowed with stochastic rounding");
  return success();
}

static LogicalResult verifySameShape(Operation *op, ShapedType lhs,
                                     StringRef lhsName, ShapedType rhs,
                                     StringRef rhsName) {
  if (failed(verifyCompatibleShape(lhs, rhs)))
    return op->emitOpError()
           << "'" << lhsName << "' (" << lhs << ") and '" << rhsName << "' ("
           << rhs << ") must have the same shape";
  return success();
}

//===----------------------------------------------------------------------===//
// Clip computation
//===----------------------------------------------------------------------===//

LogicalResult MaxAbsOp::verify() {
  return verifyClipShape(*this, getGranularity(), getInput().getType(),
                         getClip().getType(), "clip");
}

LogicalResult McsClipOp::verify() {
  if (failed(verifyClipShape(*this, getGranularity(), getInput().getType(),
                             getPrevClip().getType(), "prev_clip")) ||
      failed(verifySameShape(*this, getPrevClip().getType(), "prev_clip",
                             getClip().getType(), "clip")) ||
      failed(verifySameShape(*this, getClip().getType(), "clip",
                             getBellShaped().getType(), "bell_shaped")))
    return failure();
  return success();
}

LogicalResult DsgcClipOp::verify() {
  if (failed(verifyClipShape(*this, getGranularity(), getInput().getType(),
                             getClip().getType(), "clip")) ||
      failed(verifySameShape(*this, getClip().getType(), "clip",
                             getDistance().getType(), "distance")))
    return failure();
  return success();
}

//===----------------------------------------------------------------------===//
// Quantization
//===----------------------------------------------------------------------===//

LogicalResult QuantizeOp::verify() {
  if (failed(verifyClipShape(*this, getGranularity(), getInput().getType(),
                             getClip().getType(), "clip")))
    return failure();
  return verifyRounding(*this, getRounding(), getStep());
}

LogicalResult DequantizeOp::verify() {
  return verifyClipShape(*this, getGranularity(), getInput().getType(),
                         getClip().getType(), "clip");
}

LogicalResult QuantizeGradOp::verify() {
  RankedTensorType gradType = getGrad().getType();
  int64_t axis = getAxis();
  if (axis < 0 || axis >= gradType.getRank())
    return emitOpError() << "axis " << axis
                         << " is out of range for a gradient of rank "
                         << gradType.getRank();
  for (auto [codes, name] : {std::pair(getChannelCodes(), "channel_codes"),
                             std::pair(getTensorCodes(), "tensor_codes")})
    if (failed(verifySameShape(*this, gradType, "grad", codes.getType(), name)))
      return failure();
  if (failed(verifyClipShape(*this, getGranularity(/*perChannel=*/true),
                             gradType, getChannelClip().getType(),
                             "channel_clip", "grad")) ||
      failed(verifyClipShape(*this, getGranularity(/*perChannel=*/false),
                             gradType, getTensorClip().getType(), "tensor_clip",
                             "grad")))
    return failure();

  ClipStrategyAttrInterface strategy = getStrategy();
  bool hasState = getChannelState() || getTensorState();
  if (strategy.isStateful() && !(getChannelState() && getTensorState()))
    return emitOpError() << "strategy " << strategy
                         << " carries clip state from step to step and needs "
                            "'state(%channel_state, %tensor_state)' operands";
  if (!strategy.isStateful() && hasState)
    return emitOpError() << "strategy " << strategy
                         << " is stateless and takes no state operands";
  if (hasState &&
      (failed(verifySameShape(*this, getChannelState().getType(),
                              "channel_state", getChannelClip().getType(),
                              "channel_clip")) ||
       failed(verifySameShape(*this, getTensorState().getType(), "tensor_state",
                              getTensorClip().getType(), "tensor_clip"))))
    return failure();
  if (failed(strategy.verifyChannelCount([&] { return emitOpError(); },
                                         getChannelCount())))
    return failure();
  return verifyRounding(*this, getRounding(), getStep());
}

Value QuantizeGradOp::buildClip(OpBuilder &builder, bool perChannel) {
  Location loc = getLoc();
  Value grad = getGrad();
  GranularityAttr granularity = getGranularity(perChannel);
  Type clipType =
      perChannel ? getChannelClip().getType() : getTensorClip().getType();
  return llvm::TypeSwitch<Attribute, Value>(getStrategy())
      .Case([&](MaxClipAttr) {
        return MaxAbsOp::create(builder, loc, clipType, grad, granularity);
      })
      .Case([&](McsClipAttr params) {
        Value state = perChannel ? getChannelState() : getTensorState();
        auto bellType = RankedTensorType::get(
            cast<ShapedType>(clipType).getShape(), builder.getI1Type());
        return McsClipOp::create(builder, loc, clipType, bellType, grad, state,
                                 granularity, params)
            .getClip();
      })
      .Case([&](DsgcClipAttr params) {
        return DsgcClipOp::create(builder, loc, clipType, clipType, grad,
                                  granularity, params)
            .getClip();
      })
      .Case([&](StaticClipAttr clips) -> Value {
        auto type = cast<RankedTensorType>(clipType);
        DenseElementsAttr values =
            perChannel
                ? DenseElementsAttr::get(type, clips.getChannels().asArrayRef())
                : DenseElementsAttr::get(
                      type,
                      static_cast<float>(clips.getTensor().getValueAsDouble()));
        return arith::ConstantOp::create(builder, loc, type, values);
      })
      .Default([](Attribute) -> Value {
        llvm_unreachable("clip strategy without a decomposition");
      });
}

Value QuantizeGradOp::buildQuantize(OpBuilder &builder, Value clip,
                                    bool perChannel) {
  return QuantizeOp::create(builder, getLoc(), getChannelCodes().getType(),
                            getGrad(), clip, getStep(),
                            getGranularity(perChannel), getRoundingAttr());
}

namespace {
/// Replaces a `daq.quantize_grad` of which only one half (per-channel or
/// per-tensor) is used by the clip and quantize of that half alone, so the
/// other half is neither computed nor kept as state.
struct DropUnusedQuantizeGradHalf : OpRewritePattern<QuantizeGradOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(QuantizeGradOp op,
                                PatternRewriter &rewriter) const override {
    bool channelUsed =
        !op.getChannelCodes().use_empty() || !op.getChannelClip().use_empty();
    bool tensorUsed =
        !op.getTensorCodes().use_empty() || !op.getTensorClip().use_empty();
    if (channelUsed == tensorUsed)
      return rewriter.notifyMatchFailure(op, "both or neither half used");
    bool perChannel = channelUsed;
    Value clip = op.buildClip(rewriter, perChannel);
    Value codes = op.buildQuantize(rewriter, clip, perChannel);
    if (perChannel) {
      rewriter.replaceAllUsesWith(op.getChannelCodes(), codes);
      rewriter.replaceAllUsesWith(op.getChannelClip(), clip);
    } else {
      rewriter.replaceAllUsesWith(op.getTensorCodes(), codes);
      rewriter.replaceAllUsesWith(op.getTensorClip(), clip);
    }
    rewriter.eraseOp(op);
    return success();
  }
};
} // namespace

void QuantizeGradOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                                 MLIRContext *context) {
  results.add<DropUnusedQuantizeGradHalf>(context);
}

//===----------------------------------------------------------------------===//
// Convolutions
//===----------------------------------------------------------------------===//

namespace {
/// The three tensors of one convolution, whichever op they belong to:
/// activations `[N, C, H, W]`, filter `[O, C/G, KH, KW]` and output
/// `[N, O, OH, OW]` (NCHW; NHWC moves channels last).
struct ConvTensors {
  ShapedType input, filter, output;
  StringRef inputName, filterName, outputName;
};
} // namespace

/// Verifies ranks, channel and group arithmetic and the output-size formula of
/// a convolution. Dynamic sizes are accepted and skipped.
static LogicalResult verifyConvGeometry(Operation *op, ConvAttr conv,
                                        const ConvTensors &t) {
  for (auto [type, name] :
       {std::pair(t.input, t.inputName), std::pair(t.filter, t.filterName),
        std::pair(t.output, t.outputName)})
    if (type.getRank() != 4)
      return op->emitOpError()
             << "'" << name << "' must be a 4-D tensor, got " << type;

  auto known = [](int64_t size) { return !ShapedType::isDynamic(size); };
  bool nhwc = conv.isNHWC();
  int64_t chanDim = conv.getChannelDim();
  // Spatial dimensions of activations, and of filters.
  int64_t spatialDims[2] = {nhwc ? 1 : 2, nhwc ? 2 : 3};
  int64_t kernelDims[2] = {nhwc ? 1 : 2, nhwc ? 2 : 3};
  int64_t filterChanDim = nhwc ? 3 : 1;

  int64_t batch = t.input.getDimSize(0), outBatch = t.output.getDimSize(0);
  if (known(batch) && known(outBatch) && batch != outBatch)
    return op->emitOpError()
           << "batch size of '" << t.inputName << "' (" << batch << ") and '"
           << t.outputName << "' (" << outBatch << ") differ";

  int64_t groups = conv.getGroups();
  int64_t channels = t.input.getDimSize(chanDim);
  int64_t outChannels = t.output.getDimSize(chanDim);
  if (known(channels) && channels % groups != 0)
    return op->emitOpError()
           << "groups (" << groups << ") must divide the input channels ("
           << channels << ")";
  if (known(outChannels) && outChannels % groups != 0)
    return op->emitOpError()
           << "groups (" << groups << ") must divide the output channels ("
           << outChannels << ")";
  int64_t filterOut = t.filter.getDimSize(0);
  if (known(filterOut) && known(outChannels) && filterOut != outChannels)
    return op->emitOpError() << "'" << t.filterName << "' has " << filterOut
                             << " output channels but '" << t.outputName
                             << "' has " << outChannels;
  int64_t filterIn = t.filter.getDimSize(filterChanDim);
  if (known(filterIn) && known(channels) && filterIn * groups != channels)
    return op->emitOpError()
           << "'" << t.filterName << "' has " << filterIn
           << " input channels per group but '" << t.inputName << "' has "
           << channels << " channels in " << groups << " group(s)";

  static constexpr StringLiteral spatialNames[2] = {"height", "width"};
  for (unsigned d = 0; d < 2; ++d) {
    int64_t in = t.input.getDimSize(spatialDims[d]);
    int64_t kernel = t.filter.getDimSize(kernelDims[d]);
    int64_t out = t.output.getDimSize(spatialDims[d]);
    if (known(kernel) && kernel < 1)
      return op->emitOpError() << "kernel " << spatialNames[d] << " of '"
                               << t.filterName << "' must be positive";
    if (!known(in) || !known(kernel))
      continue;
    int64_t padded = in + conv.getPadLow(d) + conv.getPadHigh(d);
    int64_t dilatedKernel = conv.getDilation(d) * (kernel - 1) + 1;
    if (dilatedKernel > padded)
      return op->emitOpError()
             << "dilated kernel " << spatialNames[d] << " of '" << t.filterName
             << "' (" << dilatedKernel << ") exceeds the padded "
             << spatialNames[d] << " of '" << t.inputName << "' (" << padded
             << ")";
    int64_t expected = (padded - dilatedKernel) / conv.getStride(d) + 1;
    if (known(out) && out != expected)
      return op->emitOpError()
             << spatialNames[d] << " of '" << t.outputName << "' is " << out
             << " but '" << t.inputName << "' and '" << t.filterName
             << "' give (" << in << " + " << conv.getPadLow(d) << " + "
             << conv.getPadHigh(d) << " - " << dilatedKernel << ") / "
             << conv.getStride(d) << " + 1 = " << expected;
  }
  return success();
}

static LogicalResult verifyFloatConv(Operation *op, ConvAttr conv,
                                     const ConvTensors &t) {
  if (t.input.getElementType() != t.filter.getElementType() ||
      t.input.getElementType() != t.output.getElementType())
    return op->emitOpError()
           << "element types of '" << t.inputName << "', '" << t.filterName
           << "' and '" << t.outputName << "' must agree";
  return verifyConvGeometry(op, conv, t);
}

LogicalResult Conv2DOp::verify() {
  return verifyFloatConv(*this, getConv(),
                         {getInput().getType(), getFilter().getType(),
                          getOutput().getType(), "input", "filter", "output"});
}

LogicalResult Conv2DBackwardDataOp::verify() {
  return verifyFloatConv(*this, getConv(),
                         {getGradInput().getType(), getFilter().getType(),
                          getGradOutput().getType(), "grad_input", "filter",
                          "grad_output"});
}

LogicalResult Conv2DBackwardFilterOp::verify() {
  return verifyFloatConv(*this, getConv(),
                         {getInput().getType(), getGradFilter().getType(),
                          getGradOutput().getType(), "input", "grad_filter",
                          "grad_output"});
}

/// Checks the clip of an INT8 convolution operand: a rank-0 clip is always
/// valid; a per-output-channel clip (`[O]`) only where `outChannels` is given,
/// that is where the convolution's sum leaves the output channel fixed so the
/// channel's scale factors out of the INT32 accumulation.
static LogicalResult verifyConvClip(Operation *op, Value clip,
                                    StringRef clipName,
                                    std::optional<int64_t> outChannels,
                                    StringRef perTensorReason) {
  auto type = cast<ShapedType>(clip.getType());
  if (type.getRank() == 0)
    return success();
  if (!outChannels)
    return op->emitOpError()
           << "'" << clipName
           << "' must be a per-tensor clip (tensor<f32>): " << perTensorReason
           << ", got " << type;
  if (type.getRank() != 1)
    return op->emitOpError()
           << "'" << clipName
           << "' must be per tensor (tensor<f32>) or per output channel "
              "(tensor<Oxf32>), got "
           << type;
  int64_t size = type.getDimSize(0);
  if (!ShapedType::isDynamic(size) && !ShapedType::isDynamic(*outChannels) &&
      size != *outChannels)
    return op->emitOpError() << "'" << clipName << "' has " << size
                             << " values but the convolution has "
                             << *outChannels << " output channels";
  return success();
}

/// Verifies what all INT8 convolutions share: geometry, rounding and step.
template <typename QConvOp>
static LogicalResult verifyQuantizedConv(QConvOp op, const ConvTensors &t) {
  if (failed(verifyConvGeometry(op, op.getConv(), t)))
    return failure();
  if (op.getRounding() && !op.quantizesOnLoad())
    return op.emitOpError("'rounding' only applies to f32 operands quantized "
                          "on load, and both operands are i8");
  return verifyRounding(op, op.getRounding(), op.getStep());
}

LogicalResult QConv2DOp::verify() {
  ConvTensors t{getInput().getType(),
                getFilter().getType(),
                getOutput().getType(),
                "input",
                "filter",
                "output"};
  if (failed(verifyQuantizedConv(*this, t)) ||
      failed(verifyConvClip(*this, getInputClip(), "input_clip", std::nullopt,
                            "activations are quantized per tensor")) ||
      failed(verifyConvClip(*this, getFilterClip(), "filter_clip",
                            t.output.getDimSize(getConv().getChannelDim()),
                            "")))
    return failure();
  return success();
}

LogicalResult QConv2DBackwardDataOp::verify() {
  ConvTensors t{getGradInput().getType(),
                getFilter().getType(),
                getGradOutput().getType(),
                "grad_input",
                "filter",
                "grad_output"};
  StringRef reason = "backward-data sums over output channels, so "
                     "per-channel scales do not factor out";
  if (failed(verifyQuantizedConv(*this, t)) ||
      failed(verifyConvClip(*this, getGradOutputClip(), "grad_output_clip",
                            std::nullopt, reason)) ||
      failed(verifyConvClip(*this, getFilterClip(), "filter_clip", std::nullopt,
                            reason)))
    return failure();
  return success();
}

LogicalResult QConv2DBackwardFilterOp::verify() {
  ConvTensors t{getInput().getType(),
                getGradFilter().getType(),
                getGradOutput().getType(),
                "input",
                "grad_filter",
                "grad_output"};
  if (failed(verifyQuantizedConv(*this, t)) ||
      failed(verifyConvClip(*this, getInputClip(), "input_clip", std::nullopt,
                            "activations are quantized per tensor")) ||
      failed(verifyConvClip(*this, getGradOutputClip(), "grad_output_clip",
                            t.output.getDimSize(getConv().getChannelDim()),
                            "")))
    return failure();
  return success();
}

//===----------------------------------------------------------------------===//
// KernelCallOp
//===----------------------------------------------------------------------===//

LogicalResult KernelCallOp::verify() {
  if (getInits().empty())
    return emitOpError() << "needs at least one init (an output buffer)";
  if (getInits().size() != getResults().size())
    return emitOpError() << "has " << getInits().size() << " inits but "
                         << getResults().size() << " results";
  for (auto [index, init, result] :
       llvm::enumerate(getInits().getTypes(), getResults().getTypes()))
    if (init != result)
      return emitOpError() << "result " << index << " type " << result
                           << " differs from the init type " << init;
  return success();
}

/// Whether `operand` is one of the op's inits.
static bool isInit(KernelCallOp op, OpOperand &operand) {
  return op.getInits().getBeginOperandIndex() <= operand.getOperandNumber() &&
         operand.getOperandNumber() <
             op.getInits().getBeginOperandIndex() + op.getInits().size();
}

bool KernelCallOp::bufferizesToMemoryRead(
    OpOperand &operand, const bufferization::AnalysisState &) {
  // The inits are overwritten entirely.
  return !isInit(*this, operand);
}

bool KernelCallOp::bufferizesToMemoryWrite(
    OpOperand &operand, const bufferization::AnalysisState &) {
  return isInit(*this, operand);
}

bufferization::AliasingValueList
KernelCallOp::getAliasingValues(OpOperand &operand,
                                const bufferization::AnalysisState &) {
  if (!isInit(*this, operand))
    return {};
  unsigned index =
      operand.getOperandNumber() - getInits().getBeginOperandIndex();
  return {{getResult(index), bufferization::BufferRelation::Equivalent,
           /*isDefinite=*/true}};
}

/// memref<?x...x?xT, strided<[?, ...], offset: ?>>, the callee's view of a
/// buffer of any layout.
static MemRefType getFullyDynamicType(MemRefType type) {
  int64_t rank = type.getRank();
  auto layout =
      StridedLayoutAttr::get(type.getContext(), ShapedType::kDynamic,
                             SmallVector<int64_t>(rank, ShapedType::kDynamic));
  return MemRefType::get(SmallVector<int64_t>(rank, ShapedType::kDynamic),
                         type.getElementType(), layout, type.getMemorySpace());
}

LogicalResult
KernelCallOp::bufferize(RewriterBase &rewriter,
                        const bufferization::BufferizationOptions &options,
                        bufferization::BufferizationState &state) {
  Location loc = getLoc();
  rewriter.setInsertionPoint(*this);
  SmallVector<Value> args;
  auto addBuffer = [&](Value tensor) -> FailureOr<Value> {
    FailureOr<Value> buffer =
        bufferization::getBuffer(rewriter, tensor, options, state);
    if (failed(buffer))
      return failure();
    auto type = cast<MemRefType>(buffer->getType());
    args.push_back(memref::CastOp::create(rewriter, loc,
                                          getFullyDynamicType(type), *buffer));
    return buffer;
  };
  for (Value input : getInputs())
    if (failed(addBuffer(input)))
      return failure();
  SmallVector<Value> outs;
  for (Value init : getInits()) {
    FailureOr<Value> out = addBuffer(init);
    if (failed(out))
      return failure();
    outs.push_back(*out);
  }
  for (int64_t value : getScalars())
    args.push_back(arith::ConstantIntOp::create(rewriter, loc, value, 64));
  func::CallOp::create(rewriter, loc, getCallee(), TypeRange{}, args);
  bufferization::replaceOpWithBufferizedValues(rewriter, *this, outs);
  return success();
}
