//===- Utils.h - Helpers shared by daq transformations ----------*- C++ -*-===//

#ifndef DAQ_TRANSFORMS_UTILS_H
#define DAQ_TRANSFORMS_UTILS_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

namespace mlir::daq {

/// out[..., i_dim, ...] = ArithOp(tensor[..., i_dim, ...], perChannel[i_dim]):
/// an elementwise `linalg.generic` broadcasting a 1-D tensor along `dim`
/// (a bias add, a per-channel scale).
template <typename ArithOp>
Value buildChannelwise(OpBuilder &builder, Location loc, Value tensor,
                       Value perChannel, int64_t dim) {
  auto type = cast<RankedTensorType>(tensor.getType());
  unsigned rank = type.getRank();
  MLIRContext *ctx = builder.getContext();
  AffineMap identity = AffineMap::getMultiDimIdentityMap(rank, ctx);
  AffineMap channel = AffineMap::get(rank, 0, getAffineDimExpr(dim, ctx));
  Value init = tensor::EmptyOp::create(builder, loc, type.getShape(),
                                       type.getElementType());
  return linalg::GenericOp::create(
             builder, loc, type, ValueRange{tensor, perChannel}, init,
             {identity, channel, identity},
             SmallVector<utils::IteratorType>(rank,
                                              utils::IteratorType::parallel),
             [](OpBuilder &b, Location l, ValueRange args) {
               linalg::YieldOp::create(
                   b, l, ValueRange{ArithOp::create(b, l, args[0], args[1])});
             })
      .getResult(0);
}

} // namespace mlir::daq

#endif // DAQ_TRANSFORMS_UTILS_H
