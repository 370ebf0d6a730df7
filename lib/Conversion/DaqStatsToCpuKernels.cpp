//===- DaqStatsToCpuKernels.cpp - statistics and quantization kernels -----===//
//
// Rewrites daq.quantize_grad, daq.max_abs, daq.mcs_clip and daq.quantize
// (either rounding) on static-shaped f32 tensors into
// daq.kernel_call ops of the runtime's statistics and quantization kernels
// (include/daq/Runtime/StatsKernels.h). Every tensor crosses as a rank-3 view
// [outer, channels, inner] made with collapse/expand_shape.
//
//===----------------------------------------------------------------------===//

#include "daq/Conversion/Passes.h"

#include "CpuKernelVariant.h"
#include "daq/Runtime/QConvKernels.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dominance.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/bit.h"

namespace mlir::daq {
#define GEN_PASS_DEF_CONVERTDAQSTATSTOCPUKERNELS
#include "daq/Conversion/Passes.h.inc"
} // namespace mlir::daq

using namespace mlir;
using namespace mlir::daq;
using cpu::KernelVariant;

namespace {

/// The seed of an op's stochastic rounding, if it rounds stochastically.
std::optional<int64_t> stochasticSeed(Operation *op) {
  auto rounding = op->getAttrOfType<RoundingAttr>("rounding");
  if (!rounding || !rounding.isStochastic())
    return std::nullopt;
  return *rounding.getSeed();
}

/// Why the kernels do not take an op on `input`, if they do not.
std::optional<std::string> unsupportedInput(Value input) {
  auto type = cast<RankedTensorType>(input.getType());
  if (!type.hasStaticShape())
    return std::string("the kernels need static shapes");
  if (type.getRank() == 0)
    return std::string("the kernels need a tensor of rank 1 or more");
  if (type.getNumElements() == 0)
    return std::string("the kernels need a non-empty tensor");
  return std::nullopt;
}

struct Lowering {
  ModuleOp module;
  ImplicitLocOpBuilder &b;
  KernelVariant variant;

  /// [outer, channels, inner] of `type` for `axis` (per tensor: [1, 1, n]).
  static SmallVector<int64_t> viewShape(RankedTensorType type,
                                        std::optional<int64_t> axis) {
    int64_t n = type.getNumElements();
    if (!axis)
      return {1, 1, n};
    int64_t outer = 1;
    for (int64_t d = 0; d < *axis; ++d)
      outer *= type.getDimSize(d);
    int64_t channels = type.getDimSize(*axis);
    return {outer, channels, n / (outer * channels)};
  }

  /// `value` (static shape) reshaped to `shape` through rank 1.
  Value reshape(Value value, ArrayRef<int64_t> shape) {
    auto type = cast<RankedTensorType>(value.getType());
    if (type.getShape() == shape)
      return value;
    Type element = type.getElementType();
    if (type.getRank() != 1) {
      ReassociationIndices all;
      for (int64_t d = 0; d < type.getRank(); ++d)
        all.push_back(d);
      value = tensor::CollapseShapeOp::create(
          b, RankedTensorType::get({type.getNumElements()}, element), value,
          ArrayRef<ReassociationIndices>{all});
    }
    if (shape.size() == 1)
      return value;
    ReassociationIndices all;
    for (size_t d = 0; d < shape.size(); ++d)
      all.push_back(d);
    return tensor::ExpandShapeOp::create(
        b, RankedTensorType::get(shape, element), value,
        ArrayRef<ReassociationIndices>{all});
  }

  Value asRankOne(Value clip) {
    auto type = cast<RankedTensorType>(clip.getType());
    if (type.getRank() != 0)
      return clip;
    return tensor::ExpandShapeOp::create(
        b, RankedTensorType::get({1}, type.getElementType()), clip,
        ArrayRef<ReassociationIndices>{});
  }

  /// A daq.kernel_call of `name` with one fresh init per result type
  /// (declaring the callee on first use).
  SmallVector<Value> call(StringRef name, ValueRange inputs,
                          ArrayRef<RankedTensorType> resultTypes,
                          ArrayRef<int64_t> scalars) {
    SmallVector<Value> inits;
    for (RankedTensorType type : resultTypes)
      inits.push_back(
          tensor::EmptyOp::create(b, type.getShape(), type.getElementType()));
    auto callee = module.lookupSymbol<func::FuncOp>(name);
    if (!callee) {
      SmallVector<Type> argTypes;
      SmallVector<Value> buffers(inputs);
      buffers.append(inits);
      for (Value value : buffers) {
        auto type = cast<RankedTensorType>(value.getType());
        int64_t rank = type.getRank();
        auto layout = StridedLayoutAttr::get(
            b.getContext(), ShapedType::kDynamic,
            SmallVector<int64_t>(rank, ShapedType::kDynamic));
        argTypes.push_back(
            MemRefType::get(SmallVector<int64_t>(rank, ShapedType::kDynamic),
                            type.getElementType(), layout));
      }
      argTypes.append(scalars.size(), b.getI64Type());
      OpBuilder mb(module.getBodyRegion());
      mb.setInsertionPointToEnd(module.getBody());
      callee = func::FuncOp::create(mb, module.getLoc(), name,
                                    mb.getFunctionType(argTypes, TypeRange{}));
      callee.setPrivate();
      callee->setAttr("llvm.emit_c_interface", mb.getUnitAttr());
    }
    SmallVector<Type> types(resultTypes.begin(), resultTypes.end());
    return KernelCallOp::create(b, types,
                                FlatSymbolRefAttr::get(callee.getSymNameAttr()),
                                inputs, inits, b.getDenseI64ArrayAttr(scalars))
        .getResults();
  }

  Value call(StringRef name, ValueRange inputs, RankedTensorType resultType,
             ArrayRef<int64_t> scalars) {
    return call(name, inputs, ArrayRef<RankedTensorType>{resultType},
                scalars)[0];
  }

  int64_t kernel() const { return static_cast<int64_t>(variant); }

  /// Row `row` of a [2, ...] tensor, reshaped to `type`.
  Value takeRow(Value packed, int64_t row, RankedTensorType type) {
    auto packedType = cast<RankedTensorType>(packed.getType());
    int64_t rank = packedType.getRank();
    SmallVector<int64_t> offsets(rank, 0), sizes(packedType.getShape()),
        strides(rank, 1);
    offsets[0] = row;
    sizes[0] = 1;
    SmallVector<int64_t> rest(packedType.getShape().drop_front());
    auto sliceType = RankedTensorType::get(rest, packedType.getElementType());
    Value slice = tensor::ExtractSliceOp::create(
        b, sliceType, packed, ValueRange{}, ValueRange{}, ValueRange{}, offsets,
        sizes, strides);
    if (type.getRank() == 0)
      return tensor::CollapseShapeOp::create(b, type, slice,
                                             ArrayRef<ReassociationIndices>{});
    return reshape(slice, type.getShape());
  }

  void lowerMaxAbs(MaxAbsOp op) {
    auto inType = op.getInput().getType();
    auto axis = op.getGranularity().getAxis();
    auto view = viewShape(inType, axis);
    Value x = reshape(op.getInput(), view);
    int64_t channels = axis ? view[1] : 1;
    Value out =
        call("daq_cpu_max_abs", {x},
             RankedTensorType::get({channels}, b.getF32Type()), {kernel()});
    auto resultType = cast<RankedTensorType>(op.getType());
    if (resultType.getRank() == 0)
      out = tensor::CollapseShapeOp::create(b, resultType, out,
                                            ArrayRef<ReassociationIndices>{});
    op.replaceAllUsesWith(out);
    op.erase();
  }

  void lowerMcsClip(McsClipOp op) {
    auto inType = op.getInput().getType();
    auto axis = op.getGranularity().getAxis();
    auto view = viewShape(inType, axis);
    Value x = reshape(op.getInput(), view);
    int64_t channels = axis ? view[1] : 1;
    SmallVector<int64_t> scalars = mcsScalars(op.getParams(), kernel());
    Value packed =
        call("daq_cpu_mcs_clip", {x, asRankOne(op.getPrevClip())},
             RankedTensorType::get({2, channels}, b.getF32Type()), scalars);
    auto clipType = cast<RankedTensorType>(op.getClip().getType());
    auto bellType = cast<RankedTensorType>(op.getBellShaped().getType());
    Value clip = takeRow(packed, 0, clipType);
    Value bellF32 = takeRow(packed, 1, clipType);
    // 1.0 / 0.0 back to i1.
    unsigned rank = clipType.getRank();
    Value bellInit = tensor::EmptyOp::create(b, bellType.getShape(),
                                             bellType.getElementType());
    auto id = AffineMap::getMultiDimIdentityMap(rank, b.getContext());
    Value bell =
        linalg::GenericOp::create(
            b, bellType, bellF32, bellInit, ArrayRef<AffineMap>{id, id},
            SmallVector<utils::IteratorType>(rank,
                                             utils::IteratorType::parallel),
            [](OpBuilder &nb, Location loc, ValueRange args) {
              Value zero =
                  arith::ConstantOp::create(nb, loc, nb.getF32FloatAttr(0.0));
              Value isBell = arith::CmpFOp::create(
                  nb, loc, arith::CmpFPredicate::ONE, args[0], zero);
              linalg::YieldOp::create(nb, loc, isBell);
            })
            .getResult(0);
    op.getClip().replaceAllUsesWith(clip);
    op.getBellShaped().replaceAllUsesWith(bell);
    op.erase();
  }

  /// Codes of `x` (a view) with `clips`: `name`, or with stochastic
  /// rounding `name`_stochastic, which also takes the op's step (as a
  /// tensor<1xi64>) and its seed.
  SmallVector<Value> quantizeCall(StringRef name, Operation *op,
                                  SmallVector<Value> inputs,
                                  ArrayRef<RankedTensorType> resultTypes,
                                  Value step) {
    std::optional<int64_t> seed = stochasticSeed(op);
    if (!seed)
      return call(name, inputs, resultTypes, {kernel()});
    inputs.push_back(tensor::FromElementsOp::create(
        b, RankedTensorType::get({1}, b.getI64Type()), ValueRange{step}));
    return call((name + "_stochastic").str(), inputs, resultTypes,
                {*seed, kernel()});
  }

  void lowerQuantize(QuantizeOp op) {
    auto inType = op.getInput().getType();
    auto axis = op.getGranularity().getAxis();
    auto view = viewShape(inType, axis);
    Value x = reshape(op.getInput(), view);
    Value codes = quantizeCall(
        "daq_cpu_quantize", op, {x, asRankOne(op.getClip())},
        RankedTensorType::get(view, b.getI8Type()), op.getStep())[0];
    op.replaceAllUsesWith(reshape(codes, inType.getShape()));
    op.erase();
  }

  static SmallVector<int64_t> mcsScalars(McsClipAttr params, int64_t kernel) {
    // The update runs in f32 with coefficients rounded once from f64, as in
    // the reference lowering.
    float keep =
        static_cast<float>(1.0 - params.getKValue() * params.getAValue());
    float take = static_cast<float>(params.getAValue());
    return {
        static_cast<int64_t>(llvm::bit_cast<uint64_t>(params.getLambdaValue())),
        static_cast<int64_t>(llvm::bit_cast<uint32_t>(keep)),
        static_cast<int64_t>(llvm::bit_cast<uint32_t>(take)), kernel};
  }

  /// Both MCS steps of a gradient viewed as `x` ([outer, channels, inner]),
  /// per channel and per tensor, from the same three passes over it: the
  /// new per-channel clips and the new per-tensor clip (rank 0).
  std::pair<Value, Value> mcsClipsPerChannelAndTensor(Value x,
                                                      Value channelState,
                                                      Value tensorState,
                                                      McsClipAttr params) {
    int64_t channels = cast<RankedTensorType>(x.getType()).getDimSize(1);
    auto f32 = b.getF32Type();
    Value clips =
        call("daq_cpu_mcs_clip2", {x, channelState, asRankOne(tensorState)},
             RankedTensorType::get({channels + 1}, f32),
             mcsScalars(params, kernel()));
    return splitClips(clips, channels);
  }

  /// The per-channel clips (rank 1) and the per-tensor clip (rank 0) of the
  /// C + 1 clips of daq_cpu_mcs_clip2 / daq_cpu_quantize_grad_mcs.
  std::pair<Value, Value> splitClips(Value clips, int64_t channels) {
    auto f32 = b.getF32Type();
    Value channelClip = tensor::ExtractSliceOp::create(
        b, RankedTensorType::get({channels}, f32), clips, ValueRange{},
        ValueRange{}, ValueRange{}, ArrayRef<int64_t>{0},
        ArrayRef<int64_t>{channels}, ArrayRef<int64_t>{1});
    Value tensorClip = tensor::ExtractSliceOp::create(
        b, RankedTensorType::get({}, f32), clips, ValueRange{}, ValueRange{},
        ValueRange{}, ArrayRef<int64_t>{channels}, ArrayRef<int64_t>{1},
        ArrayRef<int64_t>{1});
    return {channelClip, tensorClip};
  }

  /// A per-channel and a per-tensor daq.mcs_clip of one gradient (as
  /// --daq-quantize-training emits them for a layer) as one kernel call.
  void lowerMcsClipPair(McsClipOp perChannel, McsClipOp perTensor) {
    auto view = viewShape(perChannel.getInput().getType(),
                          perChannel.getGranularity().getAxis());
    auto [channelClip, tensorClip] = mcsClipsPerChannelAndTensor(
        reshape(perChannel.getInput(), view), perChannel.getPrevClip(),
        perTensor.getPrevClip(), perChannel.getParams());
    perChannel.getClip().replaceAllUsesWith(channelClip);
    perTensor.getClip().replaceAllUsesWith(tensorClip);
    perChannel.erase();
    perTensor.erase();
  }

  void lowerQuantizeGrad(QuantizeGradOp op) {
    auto inType = op.getGrad().getType();
    auto view = viewShape(inType, op.getAxis());
    Value x = reshape(op.getGrad(), view);
    auto viewType = RankedTensorType::get(view, b.getI8Type());
    Value channelClip, tensorClip;
    SmallVector<Value> codes;
    auto mcs = dyn_cast<McsClipAttr>(op.getStrategy());
    if (mcs && op.getChannelState() && op.getTensorState() &&
        !stochasticSeed(op)) {
      // Statistics and both codes in one kernel (two passes over GY).
      int64_t channels = view[1];
      auto f32 = b.getF32Type();
      codes =
          call("daq_cpu_quantize_grad_mcs",
               {x, op.getChannelState(), asRankOne(op.getTensorState())},
               {RankedTensorType::get({channels + 1}, f32), viewType, viewType},
               mcsScalars(mcs, kernel()));
      std::tie(channelClip, tensorClip) = splitClips(codes[0], channels);
      codes.erase(codes.begin());
    } else if (mcs && op.getChannelState() && op.getTensorState()) {
      std::tie(channelClip, tensorClip) = mcsClipsPerChannelAndTensor(
          x, op.getChannelState(), op.getTensorState(), mcs);
    } else {
      channelClip = op.buildClip(b, /*perChannel=*/true);
      // As in --daq-decompose-quantize-grad: the max-abs of the tensor is
      // the max of the channels' max-abs.
      tensorClip =
          isa<MaxClipAttr>(op.getStrategy())
              ? MaxAbsOp::create(b, op.getTensorClip().getType(), channelClip,
                                 GranularityAttr::get(op.getContext()))
                    .getResult()
              : op.buildClip(b, /*perChannel=*/false);
    }
    // Both codes in one pass, each into a buffer of its own.
    if (codes.empty())
      codes = quantizeCall("daq_cpu_quantize2", op,
                           {x, channelClip, asRankOne(tensorClip)},
                           {viewType, viewType}, op.getStep());
    Value channelCodes = reshape(codes[0], inType.getShape());
    Value tensorCodes = reshape(codes[1], inType.getShape());
    op.getChannelCodes().replaceAllUsesWith(channelCodes);
    op.getChannelClip().replaceAllUsesWith(channelClip);
    op.getTensorCodes().replaceAllUsesWith(tensorCodes);
    op.getTensorClip().replaceAllUsesWith(tensorClip);
    op.erase();
  }
};

/// Pairs of a per-channel and a per-tensor daq.mcs_clip on the same gradient
/// with the same parameters, neither of whose classification results is
/// used (the kernel that computes both returns only the clips), in one block
/// and such that the later one's state is available at the earlier one,
/// where the pair's kernel call goes.
SmallVector<std::pair<McsClipOp, McsClipOp>> findMcsClipPairs(ModuleOp module) {
  SmallVector<McsClipOp> candidates;
  module.walk([&](McsClipOp op) {
    if (op.getBellShaped().use_empty() && !unsupportedInput(op.getInput()))
      candidates.push_back(op);
  });
  DominanceInfo dominance(module);
  llvm::SmallPtrSet<Operation *, 8> paired;
  SmallVector<std::pair<McsClipOp, McsClipOp>> pairs;
  for (McsClipOp perChannel : candidates) {
    if (!perChannel.getGranularity().getAxis())
      continue;
    for (McsClipOp perTensor : candidates) {
      if (perTensor.getGranularity().getAxis() || paired.contains(perTensor) ||
          perTensor.getInput() != perChannel.getInput() ||
          perTensor.getParams() != perChannel.getParams() ||
          perTensor->getBlock() != perChannel->getBlock())
        continue;
      bool channelFirst = perChannel->isBeforeInBlock(perTensor);
      Operation *first = channelFirst ? perChannel : perTensor;
      Value laterState =
          channelFirst ? perTensor.getPrevClip() : perChannel.getPrevClip();
      if (!dominance.properlyDominates(laterState, first))
        continue;
      paired.insert(perTensor);
      pairs.push_back({perChannel, perTensor});
      break;
    }
  }
  return pairs;
}

struct ConvertDaqStatsToCpuKernelsPass
    : daq::impl::ConvertDaqStatsToCpuKernelsBase<
          ConvertDaqStatsToCpuKernelsPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    std::optional<KernelVariant> variant = parseKernelVariant(kernel);
    if (!variant) {
      module.emitError() << "unknown statistics kernel variant '" << kernel
                         << "' (expected " << cpu::kVariantNameList << ")";
      return signalPassFailure();
    }
    bool failed = false;
    auto reject = [&](Operation *op, std::optional<std::string> reason) {
      if (!reason)
        return false;
      if (strict) {
        op->emitOpError() << "cannot use the CPU statistics kernels: "
                          << *reason;
        failed = true;
      }
      return true;
    };
    // quantize_grad first: its clips become max_abs / mcs_clip ops that the
    // second walk lowers.
    SmallVector<QuantizeGradOp> grads;
    module.walk([&](QuantizeGradOp op) { grads.push_back(op); });
    for (QuantizeGradOp op : grads) {
      if (reject(op, unsupportedInput(op.getGrad())))
        continue;
      ImplicitLocOpBuilder b(op.getLoc(), op);
      Lowering{module, b, *variant}.lowerQuantizeGrad(op);
    }

    // Then the per-channel and per-tensor MCS steps of one gradient, the
    // pair --daq-quantize-training emits per layer, share their passes.
    for (auto [perChannel, perTensor] : findMcsClipPairs(module)) {
      Operation *first =
          perChannel->isBeforeInBlock(perTensor) ? perChannel : perTensor;
      ImplicitLocOpBuilder b(first->getLoc(), first);
      Lowering{module, b, *variant}.lowerMcsClipPair(perChannel, perTensor);
    }

    SmallVector<Operation *> ops;
    module.walk([&](Operation *op) {
      if (isa<MaxAbsOp, McsClipOp, QuantizeOp>(op))
        ops.push_back(op);
    });
    for (Operation *op : ops) {
      if (reject(op, unsupportedInput(op->getOperand(0))))
        continue;
      ImplicitLocOpBuilder b(op->getLoc(), op);
      Lowering lowering{module, b, *variant};
      if (auto maxAbs = dyn_cast<MaxAbsOp>(op))
        lowering.lowerMaxAbs(maxAbs);
      else if (auto mcs = dyn_cast<McsClipOp>(op))
        lowering.lowerMcsClip(mcs);
      else
        lowering.lowerQuantize(cast<QuantizeOp>(op));
    }
    if (failed)
      signalPassFailure();
  }
};
} // namespace
