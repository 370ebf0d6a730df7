//===- DaqToLinalg.cpp - Lower daq ops to linalg on tensors
//----------------===//
//
// The reference semantics of the daq dialect: every op becomes linalg.generic
// on tensors plus tensor/arith/math ops, computing exactly what the op
// documentation fixes (bit for bit for codes and clips).
//
//===----------------------------------------------------------------------===//

#include "daq/Conversion/Passes.h"

#include "daq/Transforms/Passes.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/Transforms/DialectConversion.h"

namespace mlir::daq {
#define GEN_PASS_DEF_CONVERTDAQTOLINALG
#include "daq/Conversion/Passes.h.inc"
} // namespace mlir::daq

using namespace mlir;
using namespace mlir::daq;
using utils::IteratorType;

namespace {

//===----------------------------------------------------------------------===//
// Scalar arithmetic inside linalg.generic bodies
//===----------------------------------------------------------------------===//

/// Builds the scalar arithmetic of the daq ops at one location.
struct ScalarBuilder : ImplicitLocOpBuilder {
  ScalarBuilder(OpBuilder &b, Location loc) : ImplicitLocOpBuilder(loc, b) {}

  Value f32(double value) {
    return arith::ConstantOp::create(*this, getF32FloatAttr(value));
  }
  Value f64(double value) {
    return arith::ConstantOp::create(*this, getF64FloatAttr(value));
  }
  Value integer(Type type, int64_t value) {
    return arith::ConstantOp::create(*this, getIntegerAttr(type, value));
  }
  Value select(Value cond, Value a, Value b) {
    return arith::SelectOp::create(*this, cond, a, b);
  }
  Value cmpf(arith::CmpFPredicate pred, Value a, Value b) {
    return arith::CmpFOp::create(*this, pred, a, b);
  }
  Value addf(Value a, Value b) { return arith::AddFOp::create(*this, a, b); }
  Value subf(Value a, Value b) { return arith::SubFOp::create(*this, a, b); }
  Value mulf(Value a, Value b) { return arith::MulFOp::create(*this, a, b); }
  Value divf(Value a, Value b) { return arith::DivFOp::create(*this, a, b); }
  // NaN-propagating min/max (IEEE 754-2019 minimum/maximum).
  Value maximumf(Value a, Value b) {
    return arith::MaximumFOp::create(*this, a, b);
  }
  Value minimumf(Value a, Value b) {
    return arith::MinimumFOp::create(*this, a, b);
  }
  Value absf(Value a) { return math::AbsFOp::create(*this, a); }
  Value toF64(Value a) { return arith::ExtFOp::create(*this, getF64Type(), a); }
  Value sitofp(Type type, Value a) {
    return arith::SIToFPOp::create(*this, type, a);
  }

  /// The daq quantizer for one element (daq.quantize's documented formula):
  ///   inv = (s == 0) ? 0 : 127 / s;  v = clamp(x, -s, s) * inv
  ///   q   = isnan(v) ? 0 : clamp(round(v), -127, 127)
  /// `round` is nearest-even, or floor(v + uniform) when `uniform` is given.
  Value quantize(Value x, Value clip, Value uniform = {}) {
    Value zero = f32(0.0);
    Value inv = select(cmpf(arith::CmpFPredicate::OEQ, clip, zero), zero,
                       divf(f32(127.0), clip));
    Value negClip = arith::NegFOp::create(*this, clip);
    Value v = mulf(minimumf(maximumf(x, negClip), clip), inv);
    Value rounded = uniform
                        ? Value(math::FloorOp::create(*this, addf(v, uniform)))
                        : Value(math::RoundEvenOp::create(*this, v));
    rounded = minimumf(maximumf(rounded, f32(-127.0)), f32(127.0));
    Value code = arith::FPToSIOp::create(*this, getI8Type(), rounded);
    Value isNan = cmpf(arith::CmpFPredicate::UNO, v, v);
    return select(isNan, integer(getI8Type(), 0), code);
  }

  /// x_hat = float(q) * (s / 127).
  Value dequantize(Value code, Value clip) {
    return mulf(sitofp(getF32Type(), code), divf(clip, f32(127.0)));
  }

  /// First output word of Philox-4x32-10 (Salmon et al., SC'11) for the
  /// 128-bit `counter` and 64-bit `key`, all as i32 words.
  Value philox4x32First(std::array<Value, 4> counter,
                        std::array<Value, 2> key) {
    Type i32 = getI32Type();
    Value m0 = integer(i32, 0xD2511F53), m1 = integer(i32, 0xCD9E8D57);
    Value w0 = integer(i32, 0x9E3779B9), w1 = integer(i32, 0xBB67AE85);
    auto [c0, c1, c2, c3] = counter;
    auto [k0, k1] = key;
    for (int round = 0; round < 10; ++round) {
      if (round > 0) {
        k0 = arith::AddIOp::create(*this, k0, w0);
        k1 = arith::AddIOp::create(*this, k1, w1);
      }
      auto p0 = arith::MulUIExtendedOp::create(*this, c0, m0);
      auto p1 = arith::MulUIExtendedOp::create(*this, c2, m1);
      Value n0 = arith::XOrIOp::create(
          *this, arith::XOrIOp::create(*this, p1.getHigh(), c1), k0);
      Value n2 = arith::XOrIOp::create(
          *this, arith::XOrIOp::create(*this, p0.getHigh(), c3), k1);
      c0 = n0;
      c1 = p1.getLow();
      c2 = n2;
      c3 = p0.getLow();
    }
    return c0;
  }

  /// Low and high 32-bit words of an i64.
  std::pair<Value, Value> split64(Value value) {
    Type i32 = getI32Type();
    Value high =
        arith::ShRUIOp::create(*this, value, integer(value.getType(), 32));
    return {arith::TruncIOp::create(*this, i32, value),
            arith::TruncIOp::create(*this, i32, high)};
  }

  /// Stochastic-rounding offset in [0, 1) for one element:
  /// u = (philox(counter = (index, step), key = seed)[0] >> 8) * 2^-24.
  Value uniform(Value index, Value step, int64_t seed) {
    Type i64 = getI64Type();
    auto [indexLo, indexHi] = split64(index);
    auto [stepLo, stepHi] = split64(step);
    auto [seedLo, seedHi] = split64(integer(i64, seed));
    Value word =
        philox4x32First({indexLo, indexHi, stepLo, stepHi}, {seedLo, seedHi});
    Value top24 = arith::ShRUIOp::create(*this, word, integer(getI32Type(), 8));
    Value asFloat = arith::UIToFPOp::create(*this, getF32Type(), top24);
    return mulf(asFloat, f32(0x1p-24));
  }
};

//===----------------------------------------------------------------------===//
// Tensor helpers
//===----------------------------------------------------------------------===//

/// A tensor of `sizes` filled with `value`.
Value createFilled(OpBuilder &b, Location loc, ArrayRef<OpFoldResult> sizes,
                   TypedAttr value) {
  Value empty = tensor::EmptyOp::create(b, loc, sizes, value.getType());
  Value fill = arith::ConstantOp::create(b, loc, value);
  return linalg::FillOp::create(b, loc, fill, empty).getResult(0);
}

/// Sizes of the clip tensor of `input`: none per tensor, `[dim(axis)]` per
/// axis.
SmallVector<OpFoldResult> clipSizes(OpBuilder &b, Location loc, Value input,
                                    std::optional<int64_t> axis) {
  if (!axis)
    return {};
  return {tensor::getMixedSize(b, loc, input, *axis)};
}

/// Map from an iteration space of `rank` dims to a clip indexed by `axis`.
AffineMap clipMap(MLIRContext *ctx, unsigned rank,
                  std::optional<int64_t> axis) {
  if (!axis)
    return AffineMap::get(rank, 0, ctx);
  return AffineMap::get(rank, 0, getAffineDimExpr(*axis, ctx));
}

/// Iterators reducing every dimension but `axis`.
SmallVector<IteratorType> reduceAllBut(unsigned rank,
                                       std::optional<int64_t> axis) {
  SmallVector<IteratorType> iterators(rank, IteratorType::reduction);
  if (axis)
    iterators[*axis] = IteratorType::parallel;
  return iterators;
}

/// Number of elements that share one clip, as an f64 value.
Value elementsPerClip(OpBuilder &b, Location loc, Value input,
                      std::optional<int64_t> axis) {
  auto type = cast<RankedTensorType>(input.getType());
  Value count = arith::ConstantIndexOp::create(b, loc, 1);
  for (int64_t dim = 0; dim < type.getRank(); ++dim) {
    if (axis && dim == *axis)
      continue;
    Value size = getValueOrCreateConstantIndexOp(
        b, loc, tensor::getMixedSize(b, loc, input, dim));
    count = arith::MulIOp::create(b, loc, count, size);
  }
  Value asInt = arith::IndexCastOp::create(b, loc, b.getI64Type(), count);
  return arith::SIToFPOp::create(b, loc, b.getF64Type(), asInt);
}

SmallVector<AffineMap> identityMaps(MLIRContext *ctx, unsigned rank,
                                    unsigned count) {
  return SmallVector<AffineMap>(count,
                                AffineMap::getMultiDimIdentityMap(rank, ctx));
}

/// max |x| per clip (0 for an empty slice); NaN propagates.
Value buildMaxAbs(OpBuilder &b, Location loc, Value input,
                  std::optional<int64_t> axis) {
  unsigned rank = cast<RankedTensorType>(input.getType()).getRank();
  Value init = createFilled(b, loc, clipSizes(b, loc, input, axis),
                            b.getF32FloatAttr(0.0));
  MLIRContext *ctx = b.getContext();
  return linalg::GenericOp::create(
             b, loc, init.getType(), input, init,
             {AffineMap::getMultiDimIdentityMap(rank, ctx),
              clipMap(ctx, rank, axis)},
             reduceAllBut(rank, axis),
             [](OpBuilder &nb, Location nloc, ValueRange args) {
               ScalarBuilder s(nb, nloc);
               linalg::YieldOp::create(s, s.maximumf(args[1], s.absf(args[0])));
             })
      .getResult(0);
}

//===----------------------------------------------------------------------===//
// Clip computation
//===----------------------------------------------------------------------===//

struct LowerMaxAbs : OpConversionPattern<MaxAbsOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(MaxAbsOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, buildMaxAbs(rewriter, op.getLoc(), op.getInput(),
                                       op.getGranularity().getAxis()));
    return success();
  }
};

/// MCS in four linalg.generics: (1) f64 sum and f32 max-abs, (2) sum of
/// squared deviations from the mean in f64, (3) count of |g| > sigma,
/// (4) classification and recursive update per clip.
struct LowerMcsClip : OpConversionPattern<McsClipOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(McsClipOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value input = op.getInput();
    std::optional<int64_t> axis = op.getGranularity().getAxis();
    unsigned rank = op.getInput().getType().getRank();
    SmallVector<OpFoldResult> sizes = clipSizes(rewriter, loc, input, axis);
    AffineMap id = AffineMap::getMultiDimIdentityMap(rank, ctx);
    AffineMap toClip = clipMap(ctx, rank, axis);
    SmallVector<IteratorType> reduce = reduceAllBut(rank, axis);
    Value count = elementsPerClip(rewriter, loc, input, axis);

    Value sumInit =
        createFilled(rewriter, loc, sizes, rewriter.getF64FloatAttr(0));
    Value maxInit =
        createFilled(rewriter, loc, sizes, rewriter.getF32FloatAttr(0));
    auto moments = linalg::GenericOp::create(
        rewriter, loc, TypeRange{sumInit.getType(), maxInit.getType()}, input,
        ValueRange{sumInit, maxInit}, {id, toClip, toClip}, reduce,
        [](OpBuilder &b, Location l, ValueRange args) {
          ScalarBuilder s(b, l);
          linalg::YieldOp::create(
              s, ValueRange{s.addf(args[1], s.toF64(args[0])),
                            s.maximumf(args[2], s.absf(args[0]))});
        });
    Value sum = moments.getResult(0), maxAbs = moments.getResult(1);

    Value squaresInit =
        createFilled(rewriter, loc, sizes, rewriter.getF64FloatAttr(0));
    Value squares =
        linalg::GenericOp::create(
            rewriter, loc, squaresInit.getType(), ValueRange{input, sum},
            squaresInit, {id, toClip, toClip}, reduce,
            [&](OpBuilder &b, Location l, ValueRange args) {
              ScalarBuilder s(b, l);
              Value deviation =
                  s.subf(s.toF64(args[0]), s.divf(args[1], count));
              linalg::YieldOp::create(
                  s, s.addf(args[2], s.mulf(deviation, deviation)));
            })
            .getResult(0);

    Value aboveInit =
        createFilled(rewriter, loc, sizes, rewriter.getI64IntegerAttr(0));
    Value above =
        linalg::GenericOp::create(
            rewriter, loc, aboveInit.getType(), ValueRange{input, squares},
            aboveInit, {id, toClip, toClip}, reduce,
            [&](OpBuilder &b, Location l, ValueRange args) {
              ScalarBuilder s(b, l);
              Value sigma = math::SqrtOp::create(s, s.divf(args[1], count));
              Value isAbove = s.cmpf(arith::CmpFPredicate::OGT,
                                     s.toF64(s.absf(args[0])), sigma);
              Value one = arith::ExtUIOp::create(s, s.getI64Type(), isAbove);
              linalg::YieldOp::create(
                  s, ValueRange{arith::AddIOp::create(s, args[2], one)});
            })
            .getResult(0);

    McsClipAttr params = op.getParams();
    double lambda = params.getLambdaValue();
    // The update runs in f32 with coefficients rounded once from f64.
    float keep =
        static_cast<float>(1.0 - params.getKValue() * params.getAValue());
    float take = static_cast<float>(params.getAValue());
    unsigned clipRank = axis ? 1 : 0;
    Value clipInit =
        tensor::EmptyOp::create(rewriter, loc, sizes, rewriter.getF32Type());
    Value bellInit =
        tensor::EmptyOp::create(rewriter, loc, sizes, rewriter.getI1Type());
    auto update = linalg::GenericOp::create(
        rewriter, loc, TypeRange{clipInit.getType(), bellInit.getType()},
        ValueRange{op.getPrevClip(), maxAbs, above},
        ValueRange{clipInit, bellInit}, identityMaps(ctx, clipRank, 5),
        SmallVector<IteratorType>(clipRank, IteratorType::parallel),
        [&](OpBuilder &b, Location l, ValueRange args) {
          ScalarBuilder s(b, l);
          Value prev = args[0], max = args[1];
          Value fraction = s.divf(s.sitofp(s.getF64Type(), args[2]), count);
          Value bell =
              s.cmpf(arith::CmpFPredicate::OGT, fraction, s.f64(lambda));
          Value firstStep = s.cmpf(arith::CmpFPredicate::OLT, prev, s.f32(0.0));
          Value recursive =
              s.addf(s.mulf(s.f32(keep), prev), s.mulf(s.f32(take), max));
          Value useMax = arith::OrIOp::create(s, bell, firstStep);
          linalg::YieldOp::create(
              s, ValueRange{s.select(useMax, max, recursive), bell});
        });
    rewriter.replaceOp(op, update.getResults());
    return success();
  }
};

/// DSGC: max-abs and |g|^2 per clip; for every candidate clip the f64 dot
/// products <g, g_hat> and |g_hat|^2; then the candidate with the smallest
/// cosine distance (ties to the larger clip, an order-independent min).
struct LowerDsgcClip : OpConversionPattern<DsgcClipOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(DsgcClipOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value input = op.getInput();
    std::optional<int64_t> axis = op.getGranularity().getAxis();
    unsigned rank = op.getInput().getType().getRank();
    unsigned clipRank = axis ? 1 : 0;
    SmallVector<OpFoldResult> sizes = clipSizes(rewriter, loc, input, axis);
    AffineMap id = AffineMap::getMultiDimIdentityMap(rank, ctx);
    AffineMap toClip = clipMap(ctx, rank, axis);

    Value maxInit =
        createFilled(rewriter, loc, sizes, rewriter.getF32FloatAttr(0));
    Value normInit =
        createFilled(rewriter, loc, sizes, rewriter.getF64FloatAttr(0));
    auto stats = linalg::GenericOp::create(
        rewriter, loc, TypeRange{maxInit.getType(), normInit.getType()}, input,
        ValueRange{maxInit, normInit}, {id, toClip, toClip},
        reduceAllBut(rank, axis),
        [](OpBuilder &b, Location l, ValueRange args) {
          ScalarBuilder s(b, l);
          Value wide = s.toF64(args[0]);
          linalg::YieldOp::create(
              s, ValueRange{s.maximumf(args[1], s.absf(args[0])),
                            s.addf(args[2], s.mulf(wide, wide))});
        });
    Value maxAbs = stats.getResult(0), gradNorm = stats.getResult(1);

    // Candidate ratios, rounded once from f64 to f32.
    DsgcClipAttr params = op.getParams();
    int64_t candidates = params.getCandidates();
    double minRatio = params.getMinRatioValue();
    SmallVector<float> ratios;
    for (int64_t j = 0; j < candidates; ++j)
      ratios.push_back(static_cast<float>(minRatio + (1.0 - minRatio) * j /
                                                         (candidates - 1)));
    auto ratioType = RankedTensorType::get({candidates}, rewriter.getF32Type());
    Value ratioTensor = arith::ConstantOp::create(
        rewriter, loc, DenseElementsAttr::get(ratioType, ArrayRef(ratios)));

    // Iteration space (j, d0 .. d{rank-1}).
    SmallVector<OpFoldResult> perCandidate = {
        rewriter.getIndexAttr(candidates)};
    llvm::append_range(perCandidate, sizes);
    SmallVector<AffineExpr> inputDims;
    for (unsigned d = 0; d < rank; ++d)
      inputDims.push_back(getAffineDimExpr(d + 1, ctx));
    AffineExpr j = getAffineDimExpr(0, ctx);
    SmallVector<AffineExpr> clipExprs;
    if (axis)
      clipExprs.push_back(getAffineDimExpr(*axis + 1, ctx));
    SmallVector<AffineExpr> candidateExprs = {j};
    llvm::append_range(candidateExprs, clipExprs);
    AffineMap xMap = AffineMap::get(rank + 1, 0, inputDims, ctx);
    AffineMap maxMap = AffineMap::get(rank + 1, 0, clipExprs, ctx);
    AffineMap ratioMap = AffineMap::get(rank + 1, 0, {j}, ctx);
    AffineMap candidateMap = AffineMap::get(rank + 1, 0, candidateExprs, ctx);
    SmallVector<IteratorType> iterators = {IteratorType::parallel};
    llvm::append_range(iterators, reduceAllBut(rank, axis));
    Value dotInit =
        createFilled(rewriter, loc, perCandidate, rewriter.getF64FloatAttr(0));
    auto products = linalg::GenericOp::create(
        rewriter, loc, TypeRange{dotInit.getType(), dotInit.getType()},
        ValueRange{input, maxAbs, ratioTensor}, ValueRange{dotInit, dotInit},
        {xMap, maxMap, ratioMap, candidateMap, candidateMap}, iterators,
        [](OpBuilder &b, Location l, ValueRange args) {
          ScalarBuilder s(b, l);
          Value clip = s.mulf(args[1], args[2]);
          Value approx = s.toF64(s.dequantize(s.quantize(args[0], clip), clip));
          Value exact = s.toF64(args[0]);
          linalg::YieldOp::create(
              s, ValueRange{s.addf(args[3], s.mulf(exact, approx)),
                            s.addf(args[4], s.mulf(approx, approx))});
        });

    // Choose per clip, reducing over j (last dimension).
    SmallVector<AffineExpr> outer;
    for (unsigned d = 0; d < clipRank; ++d)
      outer.push_back(getAffineDimExpr(d, ctx));
    AffineExpr jLast = getAffineDimExpr(clipRank, ctx);
    SmallVector<AffineExpr> jOuter = {jLast};
    llvm::append_range(jOuter, outer);
    AffineMap byCandidate = AffineMap::get(clipRank + 1, 0, jOuter, ctx);
    AffineMap byClip = AffineMap::get(clipRank + 1, 0, outer, ctx);
    AffineMap byRatio = AffineMap::get(clipRank + 1, 0, {jLast}, ctx);
    SmallVector<IteratorType> chooseIterators(clipRank, IteratorType::parallel);
    chooseIterators.push_back(IteratorType::reduction);
    Value bestDistanceInit = createFilled(
        rewriter, loc, sizes,
        rewriter.getF64FloatAttr(std::numeric_limits<double>::infinity()));
    Value bestClipInit = createFilled(
        rewriter, loc, sizes,
        rewriter.getF32FloatAttr(-std::numeric_limits<float>::infinity()));
    auto choice = linalg::GenericOp::create(
        rewriter, loc,
        TypeRange{bestDistanceInit.getType(), bestClipInit.getType()},
        ValueRange{products.getResult(0), products.getResult(1), gradNorm,
                   maxAbs, ratioTensor},
        ValueRange{bestDistanceInit, bestClipInit},
        {byCandidate, byCandidate, byClip, byClip, byRatio, byClip, byClip},
        chooseIterators, [](OpBuilder &b, Location l, ValueRange args) {
          ScalarBuilder s(b, l);
          Value dot = args[0], approxNorm = args[1], norm = args[2];
          Value clip = s.mulf(args[3], args[4]);
          Value bestDistance = args[5], bestClip = args[6];
          Value cosine =
              s.divf(dot, math::SqrtOp::create(s, s.mulf(norm, approxNorm)));
          // A zero gradient is matched exactly by any clip; a nonzero one
          // quantized to all zeros has no direction in common with it.
          Value distance = s.select(
              s.cmpf(arith::CmpFPredicate::OEQ, norm, s.f64(0.0)), s.f64(0.0),
              s.select(
                  s.cmpf(arith::CmpFPredicate::OEQ, approxNorm, s.f64(0.0)),
                  s.f64(1.0), s.subf(s.f64(1.0), cosine)));
          Value closer =
              s.cmpf(arith::CmpFPredicate::OLT, distance, bestDistance);
          Value tieLarger = arith::AndIOp::create(
              s, s.cmpf(arith::CmpFPredicate::OEQ, distance, bestDistance),
              s.cmpf(arith::CmpFPredicate::OGT, clip, bestClip));
          Value better = arith::OrIOp::create(s, closer, tieLarger);
          linalg::YieldOp::create(
              s, ValueRange{s.select(better, distance, bestDistance),
                            s.select(better, clip, bestClip)});
        });

    // A non-finite max-abs gives a non-finite clip and a NaN distance.
    Value clipInit =
        tensor::EmptyOp::create(rewriter, loc, sizes, rewriter.getF32Type());
    auto result = linalg::GenericOp::create(
        rewriter, loc, TypeRange{clipInit.getType(), clipInit.getType()},
        ValueRange{maxAbs, choice.getResult(0), choice.getResult(1)},
        ValueRange{clipInit, clipInit}, identityMaps(ctx, clipRank, 5),
        SmallVector<IteratorType>(clipRank, IteratorType::parallel),
        [](OpBuilder &b, Location l, ValueRange args) {
          ScalarBuilder s(b, l);
          Value finite = s.cmpf(arith::CmpFPredicate::OLT, s.absf(args[0]),
                                s.f32(std::numeric_limits<float>::infinity()));
          Value distance = arith::TruncFOp::create(s, s.getF32Type(), args[1]);
          linalg::YieldOp::create(
              s, ValueRange{
                     s.select(finite, args[2], args[0]),
                     s.select(finite, distance,
                              s.f32(std::numeric_limits<float>::quiet_NaN()))});
        });
    rewriter.replaceOp(op, result.getResults());
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Quantization
//===----------------------------------------------------------------------===//

/// Row-major linear index of the current element of a linalg.generic over
/// a tensor with `sizes`, as i64.
Value linearIndex(ScalarBuilder &s, ArrayRef<Value> sizes) {
  Value index = arith::ConstantIndexOp::create(s, 0);
  for (auto [dim, size] : llvm::enumerate(sizes)) {
    index = arith::MulIOp::create(s, index, size);
    index = arith::AddIOp::create(s, index, linalg::IndexOp::create(s, dim));
  }
  return arith::IndexCastOp::create(s, s.getI64Type(), index);
}

/// daq.quantize of `input` by `clip` along `axis` (or per tensor).
Value buildQuantize(OpBuilder &b, Location loc, Value input, Value clip,
                    std::optional<int64_t> axis,
                    std::optional<RoundingAttr> rounding, Value step) {
  auto type = cast<RankedTensorType>(input.getType());
  unsigned rank = type.getRank();
  MLIRContext *ctx = b.getContext();
  SmallVector<OpFoldResult> mixedSizes = tensor::getMixedSizes(b, loc, input);
  Value init = tensor::EmptyOp::create(b, loc, mixedSizes, b.getI8Type());
  bool stochastic = rounding && rounding->isStochastic();
  int64_t seed = stochastic ? *rounding->getSeed() : 0;
  SmallVector<Value> sizes;
  if (stochastic)
    sizes = getValueOrCreateConstantIndexOp(b, loc, mixedSizes);
  AffineMap id = AffineMap::getMultiDimIdentityMap(rank, ctx);
  return linalg::GenericOp::create(
             b, loc, init.getType(), ValueRange{input, clip}, init,
             {id, clipMap(ctx, rank, axis), id},
             SmallVector<IteratorType>(rank, IteratorType::parallel),
             [&](OpBuilder &nb, Location nloc, ValueRange args) {
               ScalarBuilder s(nb, nloc);
               Value uniform =
                   stochastic ? s.uniform(linearIndex(s, sizes), step, seed)
                              : Value();
               linalg::YieldOp::create(s,
                                       s.quantize(args[0], args[1], uniform));
             })
      .getResult(0);
}

struct LowerQuantize : OpConversionPattern<QuantizeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(QuantizeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, buildQuantize(rewriter, op.getLoc(), op.getInput(),
                                         op.getClip(),
                                         op.getGranularity().getAxis(),
                                         op.getRounding(), op.getStep()));
    return success();
  }
};

struct LowerDequantize : OpConversionPattern<DequantizeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(DequantizeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    unsigned rank = op.getInput().getType().getRank();
    Value init = tensor::EmptyOp::create(
        rewriter, loc, tensor::getMixedSizes(rewriter, loc, op.getInput()),
        rewriter.getF32Type());
    AffineMap id = AffineMap::getMultiDimIdentityMap(rank, ctx);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, init.getType(), ValueRange{op.getInput(), op.getClip()},
        init, {id, clipMap(ctx, rank, op.getGranularity().getAxis()), id},
        SmallVector<IteratorType>(rank, IteratorType::parallel),
        [](OpBuilder &b, Location l, ValueRange args) {
          ScalarBuilder s(b, l);
          linalg::YieldOp::create(s, s.dequantize(args[0], args[1]));
        });
    rewriter.replaceOp(op, generic.getResults());
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Convolutions
//===----------------------------------------------------------------------===//

enum class ConvDirection { Forward, BackwardData, BackwardFilter };

/// Grouped convolutions in the expanded layouts
///
///   activations  nchw: [N, G, C/G, H, W]      nhwc: [N, H, W, G, C/G]
///   filters      nchw: [G, O/G, C/G, KH, KW]  nhwc: [G, O/G, KH, KW, C/G]
///
/// so that one linalg.generic covers groups, depthwise and both layouts.
struct ConvLowering {
  OpBuilder &b;
  Location loc;
  ConvAttr conv;
  int64_t groups;

  bool nhwc() const { return conv.isNHWC(); }
  unsigned spatialDim(unsigned d) const { return nhwc() ? 1 + d : 2 + d; }

  SmallVector<AffineExpr> activation(AffineExpr n, AffineExpr g, AffineExpr c,
                                     AffineExpr y, AffineExpr x) const {
    if (nhwc())
      return {n, y, x, g, c};
    return {n, g, c, y, x};
  }
  SmallVector<AffineExpr> filter(AffineExpr g, AffineExpr o, AffineExpr c,
                                 AffineExpr ky, AffineExpr kx) const {
    if (nhwc())
      return {g, o, ky, kx, c};
    return {g, o, c, ky, kx};
  }

  /// Splits the channel dimension of an activation into (G, C/G).
  Value expandActivation(Value value) const {
    auto type = cast<RankedTensorType>(value.getType());
    int64_t chan = conv.getChannelDim();
    SmallVector<int64_t> shape(type.getShape());
    shape[chan] /= groups;
    shape.insert(shape.begin() + chan, groups);
    SmallVector<ReassociationIndices> reassociation;
    for (int64_t dim = 0, next = 0; dim < 4; ++dim) {
      if (dim == chan) {
        reassociation.push_back({next, next + 1});
        next += 2;
      } else {
        reassociation.push_back({next++});
      }
    }
    return tensor::ExpandShapeOp::create(
        b, loc, RankedTensorType::get(shape, type.getElementType()), value,
        reassociation);
  }
  Value collapseActivation(Value value) const {
    int64_t chan = conv.getChannelDim();
    SmallVector<ReassociationIndices> reassociation;
    for (int64_t dim = 0, next = 0; dim < 4; ++dim) {
      if (dim == chan) {
        reassociation.push_back({next, next + 1});
        next += 2;
      } else {
        reassociation.push_back({next++});
      }
    }
    return tensor::CollapseShapeOp::create(b, loc, value, reassociation);
  }
  /// Splits the output-channel dimension of a filter into (G, O/G).
  Value expandFilter(Value value) const {
    auto type = cast<RankedTensorType>(value.getType());
    SmallVector<int64_t> shape(type.getShape());
    shape[0] /= groups;
    shape.insert(shape.begin(), groups);
    return tensor::ExpandShapeOp::create(
        b, loc, RankedTensorType::get(shape, type.getElementType()), value,
        SmallVector<ReassociationIndices>{{0, 1}, {2}, {3}, {4}});
  }
  Value collapseFilter(Value value) const {
    return tensor::CollapseShapeOp::create(
        b, loc, value,
        SmallVector<ReassociationIndices>{{0, 1}, {2}, {3}, {4}});
  }

  Value zeroOf(Type elementType) const {
    return arith::ConstantOp::create(b, loc, b.getZeroAttr(elementType));
  }

  /// Zero-pads the spatial dimensions of an activation.
  Value padSpatial(Value value, std::array<int64_t, 2> low,
                   std::array<int64_t, 2> high) const {
    if (low == std::array<int64_t, 2>{0, 0} &&
        high == std::array<int64_t, 2>{0, 0})
      return value;
    auto type = cast<RankedTensorType>(value.getType());
    SmallVector<int64_t> shape(type.getShape());
    SmallVector<OpFoldResult> lowPad(4, b.getIndexAttr(0));
    SmallVector<OpFoldResult> highPad(4, b.getIndexAttr(0));
    for (unsigned d = 0; d < 2; ++d) {
      shape[spatialDim(d)] += low[d] + high[d];
      lowPad[spatialDim(d)] = b.getIndexAttr(low[d]);
      highPad[spatialDim(d)] = b.getIndexAttr(high[d]);
    }
    return tensor::PadOp::create(
        b, loc, RankedTensorType::get(shape, type.getElementType()), value,
        lowPad, highPad, zeroOf(type.getElementType()));
  }

  /// Inserts stride - 1 zeros between the spatial elements of `value`.
  Value dilateSpatial(Value value) const {
    int64_t sh = conv.getStride(0), sw = conv.getStride(1);
    if (sh == 1 && sw == 1)
      return value;
    auto type = cast<RankedTensorType>(value.getType());
    SmallVector<int64_t> shape(type.getShape());
    SmallVector<OpFoldResult> offsets(4, b.getIndexAttr(0));
    SmallVector<OpFoldResult> sizes, strides(4, b.getIndexAttr(1));
    for (int64_t size : type.getShape())
      sizes.push_back(b.getIndexAttr(size));
    for (unsigned d = 0; d < 2; ++d) {
      int64_t stride = conv.getStride(d);
      shape[spatialDim(d)] = (shape[spatialDim(d)] - 1) * stride + 1;
      strides[spatialDim(d)] = b.getIndexAttr(stride);
    }
    SmallVector<OpFoldResult> fullSizes;
    for (int64_t size : shape)
      fullSizes.push_back(b.getIndexAttr(size));
    Value zeros =
        createFilled(b, loc, fullSizes,
                     cast<TypedAttr>(b.getZeroAttr(type.getElementType())));
    return tensor::InsertSliceOp::create(b, loc, value, zeros, offsets, sizes,
                                         strides);
  }

  /// Wflipped[g, o, c, ky, kx] = W[g, o, c, KH-1-ky, KW-1-kx] (expanded
  /// filter). A separate copy: linalg needs invertible indexing maps, which
  /// a flipped index inside the contraction would not give.
  Value flipSpatial(Value expandedFilter) const {
    auto type = cast<RankedTensorType>(expandedFilter.getType());
    MLIRContext *ctx = b.getContext();
    int64_t kh = type.getDimSize(nhwc() ? 2 : 3);
    int64_t kw = type.getDimSize(nhwc() ? 3 : 4);
    AffineExpr g, o, c, ky, kx;
    bindDims(ctx, g, o, c, ky, kx);
    AffineMap flipped = AffineMap::get(
        5, 0, filter(g, o, c, (kh - 1) - ky, (kw - 1) - kx), ctx);
    AffineMap identity = AffineMap::get(5, 0, filter(g, o, c, ky, kx), ctx);
    Value init =
        tensor::EmptyOp::create(b, loc, type.getShape(), type.getElementType());
    return linalg::GenericOp::create(
               b, loc, type, expandedFilter, init, {flipped, identity},
               SmallVector<IteratorType>(5, IteratorType::parallel),
               [](OpBuilder &nb, Location nloc, ValueRange args) {
                 linalg::YieldOp::create(nb, nloc, args[0]);
               })
        .getResult(0);
  }

  /// One grouped contraction: `init += lhs * rhs` over the reduction
  /// dimensions, with integer operands sign-extended to the accumulator.
  Value contract(Value lhs, Value rhs, Value init, ArrayRef<AffineMap> maps,
                 ArrayRef<IteratorType> iterators) const {
    return linalg::GenericOp::create(
               b, loc, init.getType(), ValueRange{lhs, rhs}, init, maps,
               iterators,
               [](OpBuilder &nb, Location nloc, ValueRange args) {
                 ImplicitLocOpBuilder s(nloc, nb);
                 Type accType = args[2].getType();
                 Value product;
                 if (isa<FloatType>(accType)) {
                   product = arith::MulFOp::create(s, args[0], args[1]);
                   linalg::YieldOp::create(
                       s, Value(arith::AddFOp::create(s, args[2], product)));
                   return;
                 }
                 Value a = arith::ExtSIOp::create(s, accType, args[0]);
                 Value c = arith::ExtSIOp::create(s, accType, args[1]);
                 product = arith::MulIOp::create(s, a, c);
                 linalg::YieldOp::create(
                     s, Value(arith::AddIOp::create(s, args[2], product)));
               })
        .getResult(0);
  }

  /// Lowers one direction. Operands (forward: input, filter; backward-data:
  /// grad_output, filter; backward-filter: input, grad_output) must have
  /// static shapes; the result has `resultType`'s shape and `accType`
  /// elements.
  Value build(ConvDirection direction, Value lhs, Value rhs,
              RankedTensorType resultType, Type accType) const {
    MLIRContext *ctx = b.getContext();
    AffineExpr d[8];
    bindDims(ctx, d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7]);
    int64_t sh = conv.getStride(0), sw = conv.getStride(1);
    int64_t dh = conv.getDilation(0), dw = conv.getDilation(1);
    auto zerosOf = [&](ArrayRef<int64_t> shape) {
      SmallVector<OpFoldResult> sizes;
      for (int64_t size : shape)
        sizes.push_back(b.getIndexAttr(size));
      return createFilled(b, loc, sizes,
                          cast<TypedAttr>(b.getZeroAttr(accType)));
    };
    auto expandedActivationShape = [&](ArrayRef<int64_t> shape) {
      SmallVector<int64_t> expanded(shape);
      int64_t chan = conv.getChannelDim();
      expanded[chan] /= groups;
      expanded.insert(expanded.begin() + chan, groups);
      return expanded;
    };
    auto mapOf = [&](ArrayRef<AffineExpr> exprs) {
      return AffineMap::get(8, 0, exprs, ctx);
    };
    const IteratorType par = IteratorType::parallel;
    const IteratorType red = IteratorType::reduction;

    if (direction == ConvDirection::Forward ||
        direction == ConvDirection::BackwardFilter) {
      // dims (n, g, o, y, x, c, ky, kx):
      //   Y[n,g,o,y,x] / GW[g,o,c,ky,kx] accumulate
      //   X[n, g, c, y*sh + ky*dh, x*sw + kx*dw] * (W[g,o,c,ky,kx] |
      //   GY[n,g,o,y,x])
      Value input = expandActivation(
          padSpatial(lhs, {conv.getPadLow(0), conv.getPadLow(1)},
                     {conv.getPadHigh(0), conv.getPadHigh(1)}));
      AffineMap inputMap = mapOf(activation(
          d[0], d[1], d[5], d[3] * sh + d[6] * dh, d[4] * sw + d[7] * dw));
      AffineMap outputActivationMap =
          mapOf(activation(d[0], d[1], d[2], d[3], d[4]));
      AffineMap filterMap = mapOf(filter(d[1], d[2], d[5], d[6], d[7]));
      if (direction == ConvDirection::Forward) {
        Value init = zerosOf(expandedActivationShape(resultType.getShape()));
        Value result = contract(input, expandFilter(rhs), init,
                                {inputMap, filterMap, outputActivationMap},
                                {par, par, par, par, par, red, red, red});
        return collapseActivation(result);
      }
      SmallVector<int64_t> filterShape(resultType.getShape());
      filterShape[0] /= groups;
      filterShape.insert(filterShape.begin(), groups);
      Value result =
          contract(input, expandActivation(rhs), zerosOf(filterShape),
                   {inputMap, outputActivationMap, filterMap},
                   {red, par, par, red, red, par, par, par});
      return collapseFilter(result);
    }

    // Backward-data: the transposed convolution. Dilate GY by the stride,
    // pad it by dilation * (kernel - 1) on both sides, and convolve with the
    // spatially flipped filter (stride 1, same dilation). That yields the
    // gradient of the padded input over [0, full); rows past `full` received
    // no contribution and the padding rows are cut off.
    //   dims (n, g, c, y, x, o, ky, kx):
    //   GXfull[n,g,c,y,x] += GYdp[n, g, o, y + ky*dh, x + kx*dw]
    //                        * Wflipped[g, o, c, ky, kx]
    auto filterType = cast<RankedTensorType>(rhs.getType());
    int64_t kh = filterType.getDimSize(nhwc() ? 1 : 2);
    int64_t kw = filterType.getDimSize(nhwc() ? 2 : 3);
    Value gradOutput = expandActivation(
        padSpatial(dilateSpatial(lhs), {dh * (kh - 1), dw * (kw - 1)},
                   {dh * (kh - 1), dw * (kw - 1)}));
    auto gradOutputType = cast<RankedTensorType>(lhs.getType());
    SmallVector<int64_t> fullShape(resultType.getShape());
    std::array<int64_t, 2> kernel = {kh, kw}, dilation = {dh, dw};
    std::array<int64_t, 2> stride = {sh, sw};
    std::array<int64_t, 2> extra;
    for (unsigned i = 0; i < 2; ++i) {
      int64_t outSize = gradOutputType.getDimSize(spatialDim(i));
      int64_t full =
          (outSize - 1) * stride[i] + dilation[i] * (kernel[i] - 1) + 1;
      int64_t padded = resultType.getDimSize(spatialDim(i)) +
                       conv.getPadLow(i) + conv.getPadHigh(i);
      fullShape[spatialDim(i)] = full;
      extra[i] = padded - full;
    }
    AffineMap gradOutputMap =
        mapOf(activation(d[0], d[1], d[5], d[3] + d[6] * dh, d[4] + d[7] * dw));
    AffineMap flippedFilterMap = mapOf(filter(d[1], d[5], d[2], d[6], d[7]));
    AffineMap gradInputMap = mapOf(activation(d[0], d[1], d[2], d[3], d[4]));
    Value full = collapseActivation(
        contract(gradOutput, flipSpatial(expandFilter(rhs)),
                 zerosOf(expandedActivationShape(fullShape)),
                 {gradOutputMap, flippedFilterMap, gradInputMap},
                 {par, par, par, par, par, red, red, red}));
    Value padded = padSpatial(full, {0, 0}, extra);
    SmallVector<OpFoldResult> offsets(4, b.getIndexAttr(0));
    SmallVector<OpFoldResult> sizes, strides(4, b.getIndexAttr(1));
    for (int64_t size : resultType.getShape())
      sizes.push_back(b.getIndexAttr(size));
    offsets[spatialDim(0)] = b.getIndexAttr(conv.getPadLow(0));
    offsets[spatialDim(1)] = b.getIndexAttr(conv.getPadLow(1));
    return tensor::ExtractSliceOp::create(
        b, loc, RankedTensorType::get(resultType.getShape(), accType), padded,
        offsets, sizes, strides);
  }
};

bool allStatic(ValueRange values) {
  return llvm::all_of(values, [](Value v) {
    return cast<RankedTensorType>(v.getType()).hasStaticShape();
  });
}

template <typename ConvOp, ConvDirection direction>
struct LowerFloatConv : OpConversionPattern<ConvOp> {
  using OpConversionPattern<ConvOp>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ConvOp op, typename ConvOp::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value lhs = op->getOperand(0), rhs = op->getOperand(1);
    auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
    if (!allStatic({lhs, rhs, op->getResult(0)}))
      return op.emitOpError("lowering to linalg needs static shapes");
    ConvLowering lowering{rewriter, op.getLoc(), op.getConv(),
                          op.getConv().getGroups()};
    rewriter.replaceOp(op, lowering.build(direction, lhs, rhs, resultType,
                                          resultType.getElementType()));
    return success();
  }
};

/// INT8 convolutions: f32 operands are quantized first (the unfused form of
/// quantize-on-load), the contraction accumulates in i32, and the epilogue
/// computes float(acc) * (clip_a * clip_b / 16129).
template <typename QConvOp, ConvDirection direction>
struct LowerQuantizedConv : OpConversionPattern<QConvOp> {
  using OpConversionPattern<QConvOp>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(QConvOp op, typename QConvOp::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    ConvAttr conv = op.getConv();
    Value lhs = op->getOperand(0), lhsClip = op->getOperand(1);
    Value rhs = op->getOperand(2), rhsClip = op->getOperand(3);
    auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
    if (!allStatic({lhs, rhs, op->getResult(0)}))
      return op.emitOpError("lowering to linalg needs static shapes");

    auto quantizeOnLoad = [&](unsigned index) {
      Value operand = op->getOperand(index), clip = op->getOperand(index + 1);
      if (!cast<RankedTensorType>(operand.getType()).getElementType().isF32())
        return operand;
      return buildQuantize(rewriter, loc, operand, clip,
                           op.getOnLoadGranularity(index).getAxis(),
                           op.getRounding(), op.getStep());
    };
    lhs = quantizeOnLoad(0);
    rhs = quantizeOnLoad(2);

    ConvLowering lowering{rewriter, loc, conv, conv.getGroups()};
    Value accumulator =
        lowering.build(direction, lhs, rhs, resultType, rewriter.getI32Type());

    // Per-channel clips index the output channel of the result: the channel
    // dimension of Y, dimension 0 of GW.
    MLIRContext *ctx = rewriter.getContext();
    int64_t outChannelDim =
        direction == ConvDirection::BackwardFilter ? 0 : conv.getChannelDim();
    auto mapFor = [&](Value clip) {
      std::optional<int64_t> axis;
      if (cast<RankedTensorType>(clip.getType()).getRank() == 1)
        axis = outChannelDim;
      return clipMap(ctx, 4, axis);
    };
    AffineMap id = AffineMap::getMultiDimIdentityMap(4, ctx);
    Value init = tensor::EmptyOp::create(rewriter, loc, resultType.getShape(),
                                         rewriter.getF32Type());
    auto epilogue = linalg::GenericOp::create(
        rewriter, loc, resultType, ValueRange{accumulator, lhsClip, rhsClip},
        init, {id, mapFor(lhsClip), mapFor(rhsClip), id},
        SmallVector<IteratorType>(4, IteratorType::parallel),
        [](OpBuilder &b, Location l, ValueRange args) {
          ScalarBuilder s(b, l);
          Value alpha = s.divf(s.mulf(args[1], args[2]), s.f32(127.0 * 127.0));
          linalg::YieldOp::create(
              s, s.mulf(s.sitofp(s.getF32Type(), args[0]), alpha));
        });
    rewriter.replaceOp(op, epilogue.getResults());
    return success();
  }
};

struct ConvertDaqToLinalgPass
    : daq::impl::ConvertDaqToLinalgBase<ConvertDaqToLinalgPass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    ConversionTarget target(*ctx);
    target.addIllegalDialect<DaqDialect>();
    // Runtime kernel calls (the CPU fast path) are already lowered; they go
    // away in bufferization.
    target.addLegalOp<KernelCallOp>();
    target.addLegalDialect<arith::ArithDialect, linalg::LinalgDialect,
                           math::MathDialect, tensor::TensorDialect>();
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    RewritePatternSet patterns(ctx);
    populateDaqToLinalgPatterns(patterns);
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace

void mlir::daq::populateDaqToLinalgPatterns(RewritePatternSet &patterns) {
  populateDecomposeQuantizeGradPatterns(patterns);
  patterns.add<
      LowerMaxAbs, LowerMcsClip, LowerDsgcClip, LowerQuantize, LowerDequantize,
      LowerFloatConv<Conv2DOp, ConvDirection::Forward>,
      LowerFloatConv<Conv2DBackwardDataOp, ConvDirection::BackwardData>,
      LowerFloatConv<Conv2DBackwardFilterOp, ConvDirection::BackwardFilter>,
      LowerQuantizedConv<QConv2DOp, ConvDirection::Forward>,
      LowerQuantizedConv<QConv2DBackwardDataOp, ConvDirection::BackwardData>,
      LowerQuantizedConv<QConv2DBackwardFilterOp,
                         ConvDirection::BackwardFilter>>(patterns.getContext());
}
