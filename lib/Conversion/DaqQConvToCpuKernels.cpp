//===- DaqQConvToCpuKernels.cpp - INT8 convolutions to CPU kernels --------===//
//
// Rewrites daq INT8 convolutions into calls of the runtime's implicit-GEMM
// kernels (lib/Runtime/QConvKernels.cpp). The op's operands cross into
// memrefs with bufferization.to_buffer and the result comes back with
// bufferization.to_tensor, so the rest of daq-cpu-pipeline (one-shot
// bufferization, ownership-based deallocation) is unchanged.
//
//===----------------------------------------------------------------------===//

#include "daq/Conversion/Passes.h"

#include "CpuKernelVariant.h"
#include "daq/Runtime/QConvKernels.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/ADT/TypeSwitch.h"

namespace mlir::daq {
#define GEN_PASS_DEF_CONVERTDAQQCONVTOCPUKERNELS
#include "daq/Conversion/Passes.h.inc"
} // namespace mlir::daq

using namespace mlir;
using namespace mlir::daq;
using cpu::Direction;
using cpu::KernelVariant;

namespace {

/// memref<?x...x?xT, strided<[?, ...], offset: ?>>: the callee's view of any
/// operand, whatever layout bufferization gives it.
MemRefType dynamicStridedType(MLIRContext *ctx, ArrayRef<int64_t> shape,
                              Type element) {
  int64_t rank = shape.size();
  auto layout =
      StridedLayoutAttr::get(ctx, ShapedType::kDynamic,
                             SmallVector<int64_t>(rank, ShapedType::kDynamic));
  return MemRefType::get(shape, element, layout);
}

struct ConvertDaqQConvToCpuKernelsPass
    : daq::impl::ConvertDaqQConvToCpuKernelsBase<
          ConvertDaqQConvToCpuKernelsPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    std::optional<KernelVariant> variant = parseKernelVariant(kernel);
    if (!variant) {
      module.emitError() << "unknown INT8 convolution kernel variant '"
                         << kernel << "' (expected " << cpu::kVariantNameList
                         << ")";
      return signalPassFailure();
    }
    SmallVector<Operation *> convs;
    module.walk([&](Operation *op) {
      if (isa<QConv2DOp, QConv2DBackwardDataOp, QConv2DBackwardFilterOp>(op))
        convs.push_back(op);
    });
    bool failed = false;
    for (Operation *op : convs) {
      if (std::optional<std::string> reason = unsupportedReason(op)) {
        if (strict) {
          op->emitOpError() << "cannot use the CPU INT8 kernels: " << *reason;
          failed = true;
        }
        continue;
      }
      lower(op, *variant);
    }
    if (failed)
      signalPassFailure();
  }

  static std::optional<std::string> unsupportedReason(Operation *op) {
    for (Value value :
         {op->getOperand(0), op->getOperand(2), Value(op->getResult(0))})
      if (!cast<RankedTensorType>(value.getType()).hasStaticShape())
        return std::string("the kernels need static shapes");
    return std::nullopt;
  }

  /// The private declaration of the kernel entry point for these operand
  /// element types, created on first use.
  func::FuncOp getOrDeclareCallee(ModuleOp module, Type lhsElement,
                                  Type rhsElement, TypeRange argTypes) {
    auto suffix = [](Type type) { return type.isF32() ? "f32" : "i8"; };
    std::string name = std::string("daq_cpu_qconv2d_") + suffix(lhsElement) +
                       "_" + suffix(rhsElement);
    if (auto existing = module.lookupSymbol<func::FuncOp>(name))
      return existing;
    OpBuilder builder(module.getBodyRegion());
    builder.setInsertionPointToEnd(module.getBody());
    auto callee =
        func::FuncOp::create(builder, module.getLoc(), name,
                             builder.getFunctionType(argTypes, TypeRange{}));
    callee.setPrivate();
    callee->setAttr("llvm.emit_c_interface", builder.getUnitAttr());
    return callee;
  }

  void lower(Operation *op, KernelVariant variant) {
    MLIRContext *ctx = op->getContext();
    ImplicitLocOpBuilder b(op->getLoc(), op);
    // Rank-0 clips become one-element tensors, so that one entry point takes
    // per-tensor and per-channel clips.
    auto asRankOne = [&](Value clip) -> Value {
      auto type = cast<RankedTensorType>(clip.getType());
      if (type.getRank() != 0)
        return clip;
      return tensor::ExpandShapeOp::create(
          b, RankedTensorType::get({1}, type.getElementType()), clip,
          ArrayRef<ReassociationIndices>{});
    };
    Direction direction = isa<QConv2DOp>(op) ? Direction::Forward
                          : isa<QConv2DBackwardDataOp>(op)
                              ? Direction::BackwardData
                              : Direction::BackwardFilter;
    auto conv = op->getAttrOfType<ConvAttr>("conv");
    Value lhs = op->getOperand(0), rhs = op->getOperand(2);
    // Stochastic rounding on load: the kernels quantize to nearest-even as
    // they load, so f32 operands are quantized first by a daq.quantize with
    // the op's rounding and step (on-load quantization uses the operand's own
    // element index, so the codes are the same), which
    // convert-daq-stats-to-cpu-kernels then lowers.
    auto rounding = op->getAttrOfType<RoundingAttr>("rounding");
    if (rounding && rounding.isStochastic()) {
      Value step = op->getOperand(op->getNumOperands() - 1);
      auto quantizeFirst = [&](unsigned index) -> Value {
        Value operand = op->getOperand(index);
        auto type = cast<RankedTensorType>(operand.getType());
        if (!type.getElementType().isF32())
          return operand;
        GranularityAttr granularity =
            TypeSwitch<Operation *, GranularityAttr>(op)
                .Case<QConv2DOp, QConv2DBackwardDataOp,
                      QConv2DBackwardFilterOp>([&](auto qconv) {
                  return qconv.getOnLoadGranularity(index);
                });
        return QuantizeOp::create(
            b, RankedTensorType::get(type.getShape(), b.getI8Type()), operand,
            op->getOperand(index + 1), step, granularity, rounding);
      };
      lhs = quantizeFirst(0);
      rhs = quantizeFirst(2);
    }
    SmallVector<Value> inputs = {lhs, asRankOne(op->getOperand(1)), rhs,
                                 asRankOne(op->getOperand(3))};
    auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
    Value init = tensor::EmptyOp::create(b, resultType.getShape(),
                                         resultType.getElementType());

    SmallVector<int64_t> scalars = {static_cast<int64_t>(direction),
                                    conv.isNHWC() ? 1 : 0,
                                    conv.getStride(0),
                                    conv.getStride(1),
                                    conv.getPadLow(0),
                                    conv.getPadLow(1),
                                    conv.getDilation(0),
                                    conv.getDilation(1),
                                    conv.getGroups(),
                                    static_cast<int64_t>(variant)};

    SmallVector<Type> argTypes;
    SmallVector<Value> buffers(inputs);
    buffers.push_back(init);
    for (Value value : buffers) {
      auto type = cast<RankedTensorType>(value.getType());
      argTypes.push_back(dynamicStridedType(
          ctx, SmallVector<int64_t>(type.getRank(), ShapedType::kDynamic),
          type.getElementType()));
    }
    argTypes.append(scalars.size(), b.getI64Type());
    func::FuncOp callee = getOrDeclareCallee(
        op->getParentOfType<ModuleOp>(), getElementTypeOrSelf(lhs.getType()),
        getElementTypeOrSelf(rhs.getType()), argTypes);
    Value result = KernelCallOp::create(
                       b, TypeRange{resultType},
                       FlatSymbolRefAttr::get(callee.getSymNameAttr()), inputs,
                       ValueRange{init}, b.getDenseI64ArrayAttr(scalars))
                       .getResult(0);
    op->getResult(0).replaceAllUsesWith(result);
    op->erase();
  }
};
} // namespace
