//===- QuantizeTraining.cpp - Insert DAQ quantization into a training step
//-===//

#include "daq/Transforms/Passes.h"
#include "daq/Transforms/Utils.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/StringExtras.h"

namespace mlir::daq {
#define GEN_PASS_DEF_DAQQUANTIZETRAINING
#include "daq/Transforms/Passes.h.inc"

namespace {

/// One convolution layer of a training step: a forward convolution and the
/// backward ops that share its filter (backward-data) or its input
/// (backward-filter) and its geometry.
struct ConvLayer {
  Conv2DOp forward;
  SmallVector<Conv2DBackwardDataOp> backwardData;
  SmallVector<Conv2DBackwardFilterOp> backwardFilter;
};

/// The pass options, parsed and checked once.
struct Policy {
  enum class Layers { All, AllButFirst, None, List } layers;
  llvm::SmallDenseSet<int64_t> layerList;
  bool folded;
  bool stochastic;

  bool isInt8(int64_t layer) const {
    switch (layers) {
    case Layers::All:
      return true;
    case Layers::AllButFirst:
      return layer > 0;
    case Layers::None:
      return false;
    case Layers::List:
      return layerList.contains(layer);
    }
    llvm_unreachable("unknown layer policy");
  }
};

/// Whether a backward op with geometry `other` belongs to a forward
/// convolution with `forward`: everything but the high padding must agree.
/// The high padding of a backward op is not unique (rows past the last one
/// an output reads may count as padding or not), and the op's shapes, which
/// the caller ties to the forward operands, already fix what it computes.
bool isSameGeometry(ConvAttr forward, ConvAttr other) {
  for (unsigned d = 0; d < 2; ++d)
    if (forward.getStride(d) != other.getStride(d) ||
        forward.getDilation(d) != other.getDilation(d) ||
        forward.getPadLow(d) != other.getPadLow(d))
      return false;
  return forward.getLayout() == other.getLayout() &&
         forward.getGroups() == other.getGroups();
}

SmallVector<ConvLayer> collectLayers(func::FuncOp func) {
  SmallVector<ConvLayer> layers;
  func.walk([&](Conv2DOp forward) { layers.push_back({forward, {}, {}}); });
  for (ConvLayer &layer : layers) {
    Value input = layer.forward.getInput();
    Value filter = layer.forward.getFilter();
    ConvAttr conv = layer.forward.getConv();
    for (Operation *user : filter.getUsers())
      if (auto op = dyn_cast<Conv2DBackwardDataOp>(user);
          op && op.getFilter() == filter &&
          op.getGradInput().getType() == input.getType() &&
          isSameGeometry(conv, op.getConv()))
        layer.backwardData.push_back(op);
    for (Operation *user : input.getUsers())
      if (auto op = dyn_cast<Conv2DBackwardFilterOp>(user);
          op && op.getInput() == input &&
          op.getGradFilter().getType() == filter.getType() &&
          isSameGeometry(conv, op.getConv()))
        layer.backwardFilter.push_back(op);
  }
  return layers;
}

struct FunctionRewriter;
struct ForwardCodes;

struct DaqQuantizeTrainingPass
    : impl::DaqQuantizeTrainingBase<DaqQuantizeTrainingPass> {
  using Base::Base;

  void runOnOperation() override {
    FailureOr<Policy> policy = parsePolicy();
    if (failed(policy))
      return signalPassFailure();
    SymbolTableCollection symbolTables;
    SymbolUserMap users(symbolTables, getOperation());
    for (auto func : getOperation().getOps<func::FuncOp>()) {
      if (func.isExternal() || !func.isPublic())
        continue;
      if (failed(quantizeFunction(func, *policy, users)))
        return signalPassFailure();
    }
  }

  FailureOr<Policy> parsePolicy() {
    Policy policy;
    auto fail = [&](const Twine &message) {
      getOperation().emitError("daq-quantize-training: ") << message;
      return failure();
    };
    if (layers == "all") {
      policy.layers = Policy::Layers::All;
    } else if (layers == "all-but-first") {
      policy.layers = Policy::Layers::AllButFirst;
    } else if (layers == "none") {
      policy.layers = Policy::Layers::None;
    } else {
      policy.layers = Policy::Layers::List;
      SmallVector<StringRef> items;
      StringRef(layers).split(items, ',', -1, /*KeepEmpty=*/false);
      for (StringRef item : items) {
        int64_t layer;
        if (item.trim().getAsInteger(10, layer) || layer < 0)
          return fail("'layers' must be 'all', 'all-but-first', 'none' or a "
                      "comma-separated list of layer numbers, got '" +
                      layers + "'");
        policy.layerList.insert(layer);
      }
    }
    if (backwardData != "per-tensor" && backwardData != "folded")
      return fail("'backward-data' must be 'per-tensor' or 'folded', got '" +
                  backwardData + "'");
    policy.folded = backwardData == "folded";
    if (clip != "mcs" && clip != "max" && clip != "dsgc")
      return fail("'clip' must be 'mcs', 'max' or 'dsgc', got '" + clip + "'");
    if (rounding != "nearest" && rounding != "stochastic")
      return fail("'rounding' must be 'nearest' or 'stochastic', got '" +
                  rounding + "'");
    policy.stochastic = rounding == "stochastic";
    if (seed < 0)
      return fail("'seed' must be non-negative");
    if (clip == "mcs" &&
        failed(McsClipAttr::verifyInvariants(
            [&] { return getOperation().emitError("daq-quantize-training: "); },
            APFloat(lambda.getValue()), APFloat(k.getValue()),
            APFloat(a.getValue()))))
      return failure();
    return policy;
  }

  ClipStrategyAttrInterface getStrategy() {
    MLIRContext *ctx = &getContext();
    if (clip == "mcs")
      return McsClipAttr::get(ctx, lambda, k, a);
    if (clip == "dsgc")
      return DsgcClipAttr::get(ctx);
    return MaxClipAttr::get(ctx);
  }

  LogicalResult quantizeFunction(func::FuncOp func, const Policy &policy,
                                 SymbolUserMap &users);
  LogicalResult quantizeGradient(FunctionRewriter &rewriter,
                                 const Policy &policy, int64_t index,
                                 Value gradient,
                                 ArrayRef<Conv2DBackwardDataOp> dataOps,
                                 ArrayRef<Conv2DBackwardFilterOp> filterOps,
                                 const ForwardCodes &codes);
};

/// The per-tensor clips and codes of a layer's forward operands, shared by
/// its backward ops.
struct ForwardCodes {
  Operation *forward;
  Value inputClip, inputCodes, filterClip, filterCodes;
};

/// The state of rewriting one function: new arguments and results are
/// appended at the end.
struct FunctionRewriter {
  func::FuncOp func;
  OpBuilder builder;
  SmallVector<std::pair<Value, std::string>> newResults;
  Value step;

  Value addArgument(Type type, StringRef what) {
    unsigned index = func.getNumArguments();
    (void)func.insertArgument(index, type,
                              builder.getDictionaryAttr(builder.getNamedAttr(
                                  "daq.state", builder.getStringAttr(what))),
                              func.getLoc());
    return func.getArgument(index);
  }

  Value getStep() {
    if (!step)
      step = addArgument(builder.getI64Type(), "training step");
    return step;
  }

  /// Max-abs clip and codes of `value`, per tensor.
  std::pair<Value, Value> quantizePerTensor(Location loc, Value value) {
    auto type = cast<RankedTensorType>(value.getType());
    auto perTensor = GranularityAttr::get(builder.getContext());
    Value clip = MaxAbsOp::create(
        builder, loc, RankedTensorType::get({}, builder.getF32Type()), value,
        perTensor);
    Value codes = QuantizeOp::create(
        builder, loc, type.clone(builder.getI8Type()), value, clip,
        /*step=*/Value(), perTensor, /*rounding=*/nullptr);
    return {clip, codes};
  }
};

/// Quantizes one output gradient of a layer with daq.quantize_grad and
/// rewrites the backward ops reading it into INT8 convolutions.
LogicalResult DaqQuantizeTrainingPass::quantizeGradient(
    FunctionRewriter &rewriter, const Policy &policy, int64_t index,
    Value gradient, ArrayRef<Conv2DBackwardDataOp> dataOps,
    ArrayRef<Conv2DBackwardFilterOp> filterOps, const ForwardCodes &codes) {
  MLIRContext *ctx = &getContext();
  OpBuilder &b = rewriter.builder;
  // Quantize right before the first backward op that reads it; the
  // forward codes precede the backward pass in a training step.
  Operation *first = nullptr;
  for (Operation *op : llvm::concat<Operation *const>(
           llvm::map_range(dataOps, [](auto op) { return op.getOperation(); }),
           llvm::map_range(filterOps,
                           [](auto op) { return op.getOperation(); })))
    if (!first || op->isBeforeInBlock(first))
      first = op;
  if (first->isBeforeInBlock(codes.forward))
    return first->emitError("daq-quantize-training: backward convolution "
                            "precedes its forward convolution");
  b.setInsertionPoint(first);
  Location gradLoc = first->getLoc();

  auto gradType = cast<RankedTensorType>(gradient.getType());
  int64_t axis = first->getAttrOfType<ConvAttr>("conv").getChannelDim();
  auto channelClipType =
      RankedTensorType::get({gradType.getDimSize(axis)}, b.getF32Type());
  auto tensorClipType = RankedTensorType::get({}, b.getF32Type());
  bool needChannel = !filterOps.empty() || (policy.folded && !dataOps.empty());
  bool needTensor = !dataOps.empty() && !policy.folded;
  ClipStrategyAttrInterface strategy = getStrategy();
  Value channelState, tensorState;
  std::string layerName = "layer " + std::to_string(index);
  if (strategy.isStateful()) {
    auto stateFor = [&](bool needed, RankedTensorType type,
                        StringRef what) -> Value {
      if (needed)
        return rewriter.addArgument(type, layerName + " " + what.str());
      // Never returned: the canonicalizer drops the unused half.
      return arith::ConstantOp::create(b, gradLoc, type,
                                       DenseElementsAttr::get(type, -1.0f));
    };
    channelState =
        stateFor(needChannel, channelClipType, "grad_output per-channel clip");
    tensorState =
        stateFor(needTensor, tensorClipType, "grad_output per-tensor clip");
  }
  RoundingAttr roundingAttr;
  Value step;
  if (policy.stochastic) {
    roundingAttr = RoundingAttr::get(ctx, RoundingKind::Stochastic,
                                     std::optional<int64_t>(seed));
    step = rewriter.getStep();
  }
  auto quantized = QuantizeGradOp::create(
      b, gradLoc, gradType.clone(b.getI8Type()), channelClipType,
      gradType.clone(b.getI8Type()), tensorClipType, gradient, channelState,
      tensorState, step, axis, strategy, roundingAttr);
  if (strategy.isStateful()) {
    if (needChannel)
      rewriter.newResults.push_back(
          {quantized.getChannelClip(),
           layerName + " grad_output per-channel clip"});
    if (needTensor)
      rewriter.newResults.push_back(
          {quantized.getTensorClip(),
           layerName + " grad_output per-tensor clip"});
  }

  for (Conv2DBackwardDataOp op : dataOps) {
    b.setInsertionPoint(op);
    Value gradCodes = quantized.getTensorCodes();
    Value gradClip = quantized.getTensorClip();
    Value filterCodesForData = codes.filterCodes;
    Value filterClipForData = codes.filterClip;
    if (policy.folded) {
      // GY ~ qGY * s_o / 127: move s_o into the filter, so GY's codes
      // count with clip 1.
      gradCodes = quantized.getChannelCodes();
      gradClip = arith::ConstantOp::create(
          b, op.getLoc(), tensorClipType,
          DenseElementsAttr::get(tensorClipType, 1.0f));
      // W'[o, ...] = W[o, ...] * clip[o].
      Value scaled = buildChannelwise<arith::MulFOp>(
          b, op.getLoc(), op.getFilter(), quantized.getChannelClip(), 0);
      std::tie(filterClipForData, filterCodesForData) =
          rewriter.quantizePerTensor(op.getLoc(), scaled);
    }
    Value gradInput = QConv2DBackwardDataOp::create(
        b, op.getLoc(), op.getGradInput().getType(), gradCodes, gradClip,
        filterCodesForData, filterClipForData, /*step=*/Value(), op.getConv(),
        /*rounding=*/nullptr);
    op.getGradInput().replaceAllUsesWith(gradInput);
    op.erase();
  }
  for (Conv2DBackwardFilterOp op : filterOps) {
    b.setInsertionPoint(op);
    Value gradFilter = QConv2DBackwardFilterOp::create(
        b, op.getLoc(), op.getGradFilter().getType(), codes.inputCodes,
        codes.inputClip, quantized.getChannelCodes(),
        quantized.getChannelClip(),
        /*step=*/Value(), op.getConv(), /*rounding=*/nullptr);
    op.getGradFilter().replaceAllUsesWith(gradFilter);
    op.erase();
  }
  return success();
}

LogicalResult DaqQuantizeTrainingPass::quantizeFunction(func::FuncOp func,
                                                        const Policy &policy,
                                                        SymbolUserMap &users) {
  SmallVector<ConvLayer> layers = collectLayers(func);
  // A backward op claimed by two layers (weights or activations shared
  // between convolutions) has no single quantization: keep those layers FP32.
  llvm::DenseMap<Operation *, int> claims;
  for (ConvLayer &layer : layers) {
    for (auto op : layer.backwardData)
      ++claims[op];
    for (auto op : layer.backwardFilter)
      ++claims[op];
  }
  auto isShared = [&](const ConvLayer &layer) {
    return llvm::any_of(layer.backwardData,
                        [&](auto op) { return claims[op] > 1; }) ||
           llvm::any_of(layer.backwardFilter,
                        [&](auto op) { return claims[op] > 1; });
  };

  FunctionRewriter rewriter{func, OpBuilder(func.getContext()), {}, {}};
  for (auto [index, layer] : llvm::enumerate(layers)) {
    if (!policy.isInt8(index))
      continue;
    if (isShared(layer)) {
      layer.forward.emitWarning()
          << "layer " << index
          << " shares a backward convolution with another layer; kept FP32";
      continue;
    }
    if (!users.getUsers(func).empty())
      return func.emitError("daq-quantize-training: cannot add clip state to "
                            "a function that is called");
    if (!func.getBody().hasOneBlock())
      return func.emitError(
          "daq-quantize-training: only single-block functions are supported");

    // Forward: X and W per tensor, codes shared with the backward pass.
    Conv2DOp forward = layer.forward;
    Location loc = forward.getLoc();
    ConvAttr conv = forward.getConv();
    OpBuilder &b = rewriter.builder;
    b.setInsertionPoint(forward);
    auto [inputClip, inputCodes] =
        rewriter.quantizePerTensor(loc, forward.getInput());
    auto [filterClip, filterCodes] =
        rewriter.quantizePerTensor(loc, forward.getFilter());
    Value output = QConv2DOp::create(
        b, loc, forward.getOutput().getType(), inputCodes, inputClip,
        filterCodes, filterClip, /*step=*/Value(), conv, /*rounding=*/nullptr);
    forward.getOutput().replaceAllUsesWith(output);
    forward.erase();

    // Backward: one daq.quantize_grad per output gradient.
    llvm::SetVector<Value> gradients;
    for (auto op : layer.backwardData)
      gradients.insert(op.getGradOutput());
    for (auto op : layer.backwardFilter)
      gradients.insert(op.getGradOutput());
    ForwardCodes codes{output.getDefiningOp(), inputClip, inputCodes,
                       filterClip, filterCodes};
    for (Value gradient : gradients) {
      auto usesGradient = [&](auto op) {
        return op.getGradOutput() == gradient;
      };
      SmallVector<Conv2DBackwardDataOp> dataOps;
      SmallVector<Conv2DBackwardFilterOp> filterOps;
      llvm::copy_if(layer.backwardData, std::back_inserter(dataOps),
                    usesGradient);
      llvm::copy_if(layer.backwardFilter, std::back_inserter(filterOps),
                    usesGradient);
      if (failed(quantizeGradient(rewriter, policy, index, gradient, dataOps,
                                  filterOps, codes)))
        return failure();
    }
  }

  if (rewriter.newResults.empty())
    return success();
  auto returnOp = cast<func::ReturnOp>(func.getBody().front().getTerminator());
  for (auto &[value, what] : rewriter.newResults) {
    unsigned index = func.getNumResults();
    (void)func.insertResult(
        index, value.getType(),
        rewriter.builder.getDictionaryAttr(rewriter.builder.getNamedAttr(
            "daq.state", rewriter.builder.getStringAttr(what))));
    returnOp->insertOperands(returnOp->getNumOperands(), value);
  }
  return success();
}

} // namespace
} // namespace mlir::daq
