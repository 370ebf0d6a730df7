//===- FlattenVnniContractions.cpp - VNNI contractions as matmuls ---------===//
//
// The VNNI form of an i8 contraction (the operand layout of AMX's tdpbssd)
// has two reduction dimensions, which no vector.contract lowering strategy
// of MLIR 22 handles. Flattening the VNNI dword into K makes it the
// (m, K) x (n, K) form that the outer-product lowering takes:
//
//   A [m][k][v] --shape_cast--------------------------> A' [m][k*v]
//   B [k][n][v] --transpose [1,0,2]--> [n][k][v] --> B' [n][k*v]
//
//===----------------------------------------------------------------------===//

#include "daq/Transforms/Passes.h"

#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/AffineMap.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/WalkPatternRewriteDriver.h"

namespace mlir::daq {
#define GEN_PASS_DEF_DAQFLATTENVNNICONTRACTIONS
#include "daq/Transforms/Passes.h.inc"
} // namespace mlir::daq

using namespace mlir;

namespace {

/// Whether `op` is `(m, k, v) x (k, n, v) -> (m, n)` with m, n parallel and
/// k, v reductions, in the iterator order (m, n, k, v).
bool isVnniContraction(vector::ContractionOp op) {
  // A masked contraction is the single op of its vector.mask region, which
  // the rewrite's several ops could not stay in. Integer sums only: the
  // flattened form adds in another order, which floats would notice.
  VectorType lhsType = op.getLhsType(), rhsType = op.getRhsType();
  if (op.isMasked() || op.getKind() != vector::CombiningKind::ADD ||
      lhsType.getRank() != 3 || rhsType.getRank() != 3 ||
      lhsType.isScalable() || rhsType.isScalable() ||
      !lhsType.getElementType().isInteger() ||
      lhsType.getElementType() != rhsType.getElementType())
    return false;
  auto accType = dyn_cast<VectorType>(op.getAccType());
  if (!accType || accType.getRank() != 2)
    return false;
  MLIRContext *ctx = op.getContext();
  AffineExpr m, n, k, v;
  bindDims(ctx, m, n, k, v);
  SmallVector<AffineMap> expected = AffineMap::inferFromExprList(
      ArrayRef<ArrayRef<AffineExpr>>{{m, k, v}, {k, n, v}, {m, n}}, ctx);
  auto parallel = vector::IteratorType::parallel;
  auto reduction = vector::IteratorType::reduction;
  return op.getIndexingMapsArray() == ArrayRef(expected) &&
         op.getIteratorTypesArray() ==
             ArrayRef<vector::IteratorType>{parallel, parallel, reduction,
                                            reduction};
}

struct FlattenVnniContraction : OpRewritePattern<vector::ContractionOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(vector::ContractionOp op,
                                PatternRewriter &rewriter) const override {
    if (!isVnniContraction(op))
      return rewriter.notifyMatchFailure(op, "not in the VNNI form");
    Location loc = op.getLoc();
    VectorType lhsType = op.getLhsType(), rhsType = op.getRhsType();
    Type element = lhsType.getElementType();
    int64_t depth = lhsType.getDimSize(1) * lhsType.getDimSize(2);
    Value lhs = vector::ShapeCastOp::create(
        rewriter, loc, VectorType::get({lhsType.getDimSize(0), depth}, element),
        op.getLhs());
    Value rhsByColumn = vector::TransposeOp::create(rewriter, loc, op.getRhs(),
                                                    ArrayRef<int64_t>{1, 0, 2});
    Value rhs = vector::ShapeCastOp::create(
        rewriter, loc, VectorType::get({rhsType.getDimSize(1), depth}, element),
        rhsByColumn);
    MLIRContext *ctx = op.getContext();
    AffineExpr m, n, k;
    bindDims(ctx, m, n, k);
    auto parallel = vector::IteratorType::parallel;
    rewriter.replaceOpWithNewOp<vector::ContractionOp>(
        op, lhs, rhs, op.getAcc(),
        ArrayRef<ArrayRef<AffineExpr>>{{m, k}, {n, k}, {m, n}},
        ArrayRef<vector::IteratorType>{parallel, parallel,
                                       vector::IteratorType::reduction});
    return success();
  }
};

struct DaqFlattenVnniContractionsPass
    : daq::impl::DaqFlattenVnniContractionsBase<
          DaqFlattenVnniContractionsPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FlattenVnniContraction>(&getContext());
    walkAndApplyPatterns(getOperation(), std::move(patterns));
  }
};

} // namespace
