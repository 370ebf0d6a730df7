//===- DaqStatsToGpu.cpp - MCS statistics and max-abs as GPU kernels ------===//
//
// daq.mcs_clip and daq.max_abs on static-shaped f32 tensors as a few
// gpu.launch kernels (target=gpu) or the same algorithm with the block and
// thread loops as scf.for (target=cpu), so that the GPU algorithm runs, and
// is checked, on a machine without a GPU.
//
// The input is seen as a view [outer, channels, inner] (per tensor: [1, 1,
// n]); channel c owns the M = outer * inner elements
//   j -> flat[(j / inner) * channels * inner + c * inner + j % inner].
// Each channel is cut into S slices of L = ceil(M / S) consecutive j, and
// the statistics kernels run a grid of (channel, slice) blocks of T threads:
//
//   grid x = channels, grid y = S         one block per (c, s)
//   thread t reads j = s*L + t, s*L + t + T, ... < min((s+1)*L, M)
//        (consecutive threads read consecutive j: coalesced when inner > 1)
//   private accumulators -> shared[t]; barrier
//   tree: for h = T/2 .. 1: t < h: shared[t] = op(shared[t], shared[t+h]);
//         barrier
//   thread 0: partial[c * S + s] = shared[0]
//
// daq.mcs_clip (the exact two-pass definition, GY read three times):
//   1. moments: per slice max|g| (f32, NaN-propagating) and the f64 sum;
//   2. squares: every thread adds the channel's S partial sums in slice
//      order, mean = sum / M; per slice the f64 sum of (g - mean)^2;
//   3. count:   sigma = sqrt(sum of the S partial squares / M); per slice
//      the number of |g| > sigma (compared in f64, as the reference);
//   4. update:  one thread per channel: max over the partial maxima, the
//      count, r = count / M, bell = r > lambda, and the clip (max for bell
//      channels and on the first step, else (1 - k*A) * prev + A * max in
//      f32 without FMA, the reference's operation order).
// daq.max_abs reads GY once: kernel 1 without the sum, then the maximum of
// the S partial maxima per channel.
//
// Every sum has a fixed order (thread-sequential, then the tree, then the
// slices in order): the result does not depend on scheduling, and the CPU
// form (serialized threads, the barriers between loops) computes the same
// bits. The order differs from the reference's sequential sum, so sigma may
// differ in its last bits: the classification of a channel with an element
// within an ulp of sigma (a near tie) may differ; max-abs and everything
// else is exact.
//
//===----------------------------------------------------------------------===//

#include "daq/Conversion/Passes.h"

#include "KernelArith.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Index/IR/IndexDialect.h"
#include "mlir/Dialect/Index/IR/IndexOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "llvm/Support/MathExtras.h"

namespace mlir::daq {
#define GEN_PASS_DEF_CONVERTDAQSTATSTOGPU
#include "daq/Conversion/Passes.h.inc"
} // namespace mlir::daq

using namespace mlir;
using namespace mlir::daq;

namespace {

struct StatsConfig {
  int64_t blockSize; // threads per block, a power of two
  int64_t targetBlocks;
  bool gpu;
};

/// The [outer, channels, inner] view of an input and its slicing.
struct ChannelView {
  int64_t outer, channels, inner;
  int64_t slices, sliceLength;
  int64_t perChannel() const { return outer * inner; }
};

ChannelView viewOf(RankedTensorType type, std::optional<int64_t> axis,
                   const StatsConfig &cfg) {
  ChannelView view;
  int64_t n = type.getNumElements();
  view.outer = 1, view.channels = 1, view.inner = n;
  if (axis) {
    for (int64_t d = 0; d < *axis; ++d)
      view.outer *= type.getDimSize(d);
    view.channels = type.getDimSize(*axis);
    view.inner = n / (view.outer * view.channels);
  }
  // Enough slices for about `targetBlocks` blocks, but no slice shorter than
  // one element per thread.
  int64_t m = view.perChannel();
  int64_t slices = std::max<int64_t>(
      1, std::min(llvm::divideCeil(cfg.targetBlocks, view.channels),
                  llvm::divideCeil(m, cfg.blockSize)));
  view.sliceLength = llvm::divideCeil(m, slices);
  view.slices = llvm::divideCeil(m, view.sliceLength);
  return view;
}

/// A shared-memory array of the block: its element type.
using SharedArrays = SmallVector<Value, 3>;

class StatsEmitter : KernelArith {
public:
  StatsEmitter(ImplicitLocOpBuilder &b, const StatsConfig &cfg,
               const ChannelView &view, Value input)
      : KernelArith(b, cfg.gpu), cfg(cfg), view(view), input(input) {}

  /// Per slice partial maxima (and with `withSum` the f64 sums).
  void emitMoments(Value partialMax, Value partialSum);
  /// Per slice f64 sums of squared deviations from the channel mean.
  void emitSquares(Value partialSum, Value partialSquares);
  /// Per slice counts of |g| > sigma.
  void emitCount(Value partialSquares, Value partialCount);
  /// daq.quantize with nearest-even rounding: one read of the input, a
  /// grid-stride loop over its elements, the clip of each element's channel.
  void emitQuantize(Value clip, bool perChannel, Value out);
  /// One thread per channel: the clip (and for MCS the classification).
  void emitUpdate(Value partialMax, Value partialCount, Value prevClip,
                  McsClipAttr params, Value clip, Value bell);

  Value buffer(Type element) {
    return memref::AllocOp::create(
        b, MemRefType::get({view.channels * view.slices}, element));
  }

private:
  const StatsConfig &cfg;
  const ChannelView &view;
  Value input;

  // Index and float arithmetic: KernelArith (lib/Conversion/KernelArith.h),
  // as for the convolutions: these kernels may share a function with them.
  Value ult(Value x, int64_t y) {
    return cmp(index::IndexCmpPredicate::ULT, x, idx(y));
  }
  Value f32(double v) {
    return arith::ConstantOp::create(b, b.getF32FloatAttr(v));
  }
  Value f64(double v) {
    return arith::ConstantOp::create(b, b.getF64FloatAttr(v));
  }
  Value toF64(Value x) { return LLVM::FPExtOp::create(b, b.getF64Type(), x); }
  Value load(Value memref, ValueRange indices) {
    return memref::LoadOp::create(b, memref, indices);
  }
  void store(Value value, Value memref, ValueRange indices) {
    memref::StoreOp::create(b, value, memref, indices);
  }

  /// Runs `body` inside a new block of `b` at the insertion point of
  /// `nested` (the body builders of scf.for / scf.if).
  void inside(OpBuilder &nested, function_ref<void()> body) {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(nested.getInsertionBlock(), nested.getInsertionPoint());
    body();
  }
  void loop(Value lower, Value upper, int64_t step,
            function_ref<void(Value)> body) {
    scf::ForOp::create(b, lower, upper, idx(step), ValueRange{},
                       [&](OpBuilder &nested, Location, Value iv, ValueRange) {
                         inside(nested, [&] {
                           body(iv);
                           scf::YieldOp::create(b);
                         });
                       });
  }
  void when(Value condition, function_ref<void()> body) {
    scf::IfOp::create(b, condition, [&](OpBuilder &nested, Location) {
      inside(nested, [&] {
        body();
        scf::YieldOp::create(b);
      });
    });
  }

  /// A grid of gridX x gridY blocks of `cfg.blockSize` threads running
  /// `body(bx, by, tid, shared)`; `tid` is null on the CPU, where the
  /// threads are loops inside the body (forEachThread).
  void grid(int64_t gridX, int64_t gridY, ArrayRef<Type> sharedTypes,
            function_ref<void(Value, Value, Value, ArrayRef<Value>)> body);
  /// `body(t)` for every thread of the block.
  void forEachThread(Value tid, function_ref<void(Value)> body) {
    if (cfg.gpu)
      return body(tid);
    loop(idx(0), idx(cfg.blockSize), 1, body);
  }
  /// `body(t)` for the threads t < count.
  void forThreadsBelow(Value tid, int64_t count,
                       function_ref<void(Value)> body) {
    if (cfg.gpu)
      return when(ult(tid, count), [&] { body(tid); });
    loop(idx(0), idx(count), 1, body);
  }
  void barrier() {
    if (cfg.gpu)
      gpu::BarrierOp::create(b);
  }
  /// The tree reduction of the shared arrays into element 0, then thread 0
  /// stores element 0 of each array at `partials[i][c * S + s]`.
  void reduceBlock(Value tid, ArrayRef<Value> shared,
                   ArrayRef<function_ref<Value(Value, Value)>> combine,
                   ArrayRef<Value> partials, Value channel, Value slice);
  /// A buffer as a flat memref (a view, made inside the kernel so that the
  /// kernel's argument is the function's own buffer).
  Value flatten(Value buffer);
  /// Loops over the thread's elements of (channel, slice), carrying `inits`.
  SmallVector<Value>
  forEachElement(Value flat, Value channel, Value slice, Value thread,
                 ValueRange inits,
                 function_ref<SmallVector<Value>(Value, ValueRange)> body);
  /// A (channel, slice) grid reduction with one accumulator:
  /// `prologue(c)` once per channel (by every thread), `acc = step(acc, x,
  /// prologue)` per element from `init()`, `toShared(acc)` into shared
  /// memory of `sharedType`, the tree with `combine`, the partials into
  /// `partial`.
  void reduceSlices(Type sharedType, function_ref<Value(Value)> prologue,
                    function_ref<Value()> init,
                    function_ref<Value(Value, Value, Value)> step,
                    function_ref<Value(Value)> toShared,
                    function_ref<Value(Value, Value)> combine, Value partial);
  /// The S partials of `channel` folded in slice order from `init`.
  Value foldSlices(Value partials, Value channel, Value init,
                   function_ref<Value(Value, Value)> combine);
};

void StatsEmitter::grid(
    int64_t gridX, int64_t gridY, ArrayRef<Type> sharedTypes,
    function_ref<void(Value, Value, Value, ArrayRef<Value>)> body) {
  SmallVector<Value> shared;
  if (cfg.gpu) {
    auto launch = gpu::LaunchOp::create(b, idx(gridX), idx(gridY), idx(1),
                                        idx(cfg.blockSize), idx(1), idx(1));
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&launch.getBody().front());
    // memref.alloc in the workgroup space: daq-promote-shared-allocs turns
    // them into workgroup attributions of the outlined kernel.
    auto space = gpu::AddressSpaceAttr::get(b.getContext(),
                                            gpu::AddressSpace::Workgroup);
    for (Type type : sharedTypes)
      shared.push_back(memref::AllocOp::create(
          b, MemRefType::get({cfg.blockSize}, type, MemRefLayoutAttrInterface{},
                             space)));
    body(gpu::BlockIdOp::create(b, gpu::Dimension::x),
         gpu::BlockIdOp::create(b, gpu::Dimension::y),
         gpu::ThreadIdOp::create(b, gpu::Dimension::x), shared);
    gpu::TerminatorOp::create(b);
    return;
  }
  for (Type type : sharedTypes)
    shared.push_back(
        memref::AllocaOp::create(b, MemRefType::get({cfg.blockSize}, type)));
  loop(idx(0), idx(gridY), 1, [&](Value by) {
    loop(idx(0), idx(gridX), 1,
         [&](Value bx) { body(bx, by, /*tid=*/Value(), shared); });
  });
}

void StatsEmitter::reduceBlock(
    Value tid, ArrayRef<Value> shared,
    ArrayRef<function_ref<Value(Value, Value)>> combine,
    ArrayRef<Value> partials, Value channel, Value slice) {
  barrier();
  for (int64_t half = cfg.blockSize / 2; half >= 1; half /= 2) {
    forThreadsBelow(tid, half, [&](Value t) {
      Value other = add(t, idx(half));
      for (auto [array, op] : llvm::zip_equal(shared, combine))
        store(op(load(array, t), load(array, other)), array, t);
    });
    barrier();
  }
  forThreadsBelow(tid, 1, [&](Value) {
    Value at = add(mul(channel, view.slices), slice);
    for (auto [array, partial] : llvm::zip_equal(shared, partials))
      store(load(array, idx(0)), partial, at);
  });
}

Value StatsEmitter::flatten(Value input) {
  auto type = cast<MemRefType>(input.getType());
  int64_t n = type.getNumElements();
  auto flatType = MemRefType::get({n}, type.getElementType());
  if (type.getRank() == 1)
    return input;
  if (type.getRank() == 0)
    return memref::ExpandShapeOp::create(b, flatType, input,
                                         ArrayRef<ReassociationIndices>{},
                                         ArrayRef<OpFoldResult>{});
  ReassociationIndices all;
  for (int64_t d = 0; d < type.getRank(); ++d)
    all.push_back(d);
  return memref::CollapseShapeOp::create(b, flatType, input,
                                         ArrayRef<ReassociationIndices>{all});
}

SmallVector<Value> StatsEmitter::forEachElement(
    Value flat, Value channel, Value slice, Value thread, ValueRange inits,
    function_ref<SmallVector<Value>(Value, ValueRange)> body) {
  Value start = mul(slice, view.sliceLength);
  Value end = index::MinUOp::create(b, add(start, idx(view.sliceLength)),
                                    idx(view.perChannel()));
  auto loopOp = scf::ForOp::create(
      b, add(start, thread), end, idx(cfg.blockSize), inits,
      [&](OpBuilder &nested, Location, Value j, ValueRange acc) {
        inside(nested, [&] {
          Value at =
              add(add(mul(div(j, view.inner), view.channels * view.inner),
                      mul(channel, view.inner)),
                  rem(j, view.inner));
          scf::YieldOp::create(b, body(load(flat, at), acc));
        });
      });
  return loopOp.getResults();
}

Value StatsEmitter::foldSlices(Value partials, Value channel, Value init,
                               function_ref<Value(Value, Value)> combine) {
  Value base = mul(channel, view.slices);
  auto loopOp = scf::ForOp::create(
      b, idx(0), idx(view.slices), idx(1), ValueRange{init},
      [&](OpBuilder &nested, Location, Value s, ValueRange acc) {
        inside(nested, [&] {
          scf::YieldOp::create(b,
                               combine(acc[0], load(partials, add(base, s))));
        });
      });
  return loopOp.getResult(0);
}

void StatsEmitter::emitMoments(Value partialMax, Value partialSum) {
  bool withSum = static_cast<bool>(partialSum);
  SmallVector<Type> sharedTypes{b.getF32Type()};
  if (withSum)
    sharedTypes.push_back(b.getF64Type());
  grid(view.channels, view.slices, sharedTypes,
       [&](Value c, Value s, Value tid, ArrayRef<Value> shared) {
         Value flat = flatten(input);
         forEachThread(tid, [&](Value t) {
           SmallVector<Value> inits{f32(0.0)};
           if (withSum)
             inits.push_back(f64(0.0));
           SmallVector<Value> acc = forEachElement(
               flat, c, s, t, inits, [&](Value x, ValueRange acc) {
                 SmallVector<Value> next{fmaximum(acc[0], fabs(x))};
                 if (withSum)
                   next.push_back(fadd(acc[1], toF64(x)));
                 return next;
               });
           for (auto [array, value] : llvm::zip(shared, acc))
             store(value, array, t);
         });
         auto maximum = [&](Value x, Value y) { return fmaximum(x, y); };
         auto sum = [&](Value x, Value y) { return fadd(x, y); };
         SmallVector<function_ref<Value(Value, Value)>> combine{maximum};
         SmallVector<Value> partials{partialMax};
         if (withSum) {
           combine.push_back(sum);
           partials.push_back(partialSum);
         }
         reduceBlock(tid, shared, combine, partials, c, s);
       });
}

void StatsEmitter::reduceSlices(Type sharedType,
                                function_ref<Value(Value)> prologue,
                                function_ref<Value()> init,
                                function_ref<Value(Value, Value, Value)> step,
                                function_ref<Value(Value)> toShared,
                                function_ref<Value(Value, Value)> combine,
                                Value partial) {
  grid(view.channels, view.slices, {sharedType},
       [&](Value c, Value s, Value tid, ArrayRef<Value> shared) {
         Value flat = flatten(input);
         // Every thread folds the channel's partials itself (the same order
         // everywhere): no broadcast through shared memory.
         Value perChannel = prologue(c);
         forEachThread(tid, [&](Value t) {
           SmallVector<Value> acc = forEachElement(
               flat, c, s, t, ValueRange{init()}, [&](Value x, ValueRange acc) {
                 return SmallVector<Value>{step(acc[0], x, perChannel)};
               });
           store(toShared(acc[0]), shared[0], t);
         });
         reduceBlock(tid, shared, {combine}, {partial}, c, s);
       });
}

void StatsEmitter::emitSquares(Value partialSum, Value partialSquares) {
  auto sum = [&](Value x, Value y) { return fadd(x, y); };
  reduceSlices(
      b.getF64Type(),
      [&](Value c) {
        return fdiv(foldSlices(partialSum, c, f64(0.0), sum),
                    f64(static_cast<double>(view.perChannel())));
      },
      [&] { return f64(0.0); },
      [&](Value acc, Value x, Value mean) {
        Value deviation = fsub(toF64(x), mean);
        return fadd(acc, fmul(deviation, deviation));
      },
      [](Value acc) { return acc; }, sum, partialSquares);
}

void StatsEmitter::emitCount(Value partialSquares, Value partialCount) {
  auto sum = [&](Value x, Value y) { return fadd(x, y); };
  // Counted in `index`, then i64 in shared memory:
  // nvgpu-optimize-shared-memory (MLIR 22) crashes on a workgroup buffer of
  // `index`.
  reduceSlices(
      b.getI64Type(),
      [&](Value c) {
        return sqrt(fdiv(foldSlices(partialSquares, c, f64(0.0), sum),
                         f64(static_cast<double>(view.perChannel()))));
      },
      [&] { return idx(0); },
      [&](Value acc, Value x, Value sigma) {
        Value above = arith::CmpFOp::create(b, arith::CmpFPredicate::OGT,
                                            toF64(fabs(x)), sigma);
        return add(acc, arith::SelectOp::create(b, above, idx(1), idx(0)));
      },
      [&](Value acc) {
        return arith::IndexCastOp::create(b, b.getI64Type(), acc);
      },
      [&](Value x, Value y) { return LLVM::AddOp::create(b, x, y); },
      partialCount);
}

void StatsEmitter::emitUpdate(Value partialMax, Value partialCount,
                              Value prevClip, McsClipAttr params, Value clip,
                              Value bell) {
  bool perChannel = cast<MemRefType>(clip.getType()).getRank() == 1;
  int64_t blocks = llvm::divideCeil(view.channels, cfg.blockSize);
  grid(blocks, 1, {}, [&](Value bx, Value, Value tid, ArrayRef<Value>) {
    forEachThread(tid, [&](Value t) {
      Value c = add(mul(bx, cfg.blockSize), t);
      when(ult(c, view.channels), [&] {
        SmallVector<Value, 1> at;
        if (perChannel)
          at.push_back(c);
        Value max = foldSlices(partialMax, c, f32(0.0), [&](Value x, Value y) {
          return fmaximum(x, y);
        });
        if (!partialCount) {
          store(max, clip, at);
          return;
        }
        Value count = foldSlices(
            partialCount, c,
            arith::ConstantOp::create(b, b.getI64IntegerAttr(0)),
            [&](Value x, Value y) { return LLVM::AddOp::create(b, x, y); });
        // The reference's update (convert-daq-to-linalg), op for op.
        Value fraction = fdiv(arith::SIToFPOp::create(b, b.getF64Type(), count),
                              f64(static_cast<double>(view.perChannel())));
        Value isBell =
            arith::CmpFOp::create(b, arith::CmpFPredicate::OGT, fraction,
                                  f64(params.getLambdaValue()));
        Value prev = load(prevClip, at);
        Value firstStep =
            arith::CmpFOp::create(b, arith::CmpFPredicate::OLT, prev, f32(0.0));
        float keep =
            static_cast<float>(1.0 - params.getKValue() * params.getAValue());
        float take = static_cast<float>(params.getAValue());
        Value recursive = fadd(fmul(f32(keep), prev), fmul(f32(take), max));
        Value useMax = arith::OrIOp::create(b, isBell, firstStep);
        store(arith::SelectOp::create(b, useMax, max, recursive), clip, at);
        store(isBell, bell, at);
      });
    });
  });
}

void StatsEmitter::emitQuantize(Value clip, bool perChannel, Value out) {
  int64_t n = cast<MemRefType>(input.getType()).getNumElements();
  int64_t blocks = std::clamp<int64_t>(llvm::divideCeil(n, cfg.blockSize), 1,
                                       cfg.targetBlocks);
  grid(blocks, 1, {}, [&](Value bx, Value, Value tid, ArrayRef<Value>) {
    Value flat = flatten(input), flatOut = flatten(out);
    forEachThread(tid, [&](Value t) {
      loop(add(mul(bx, cfg.blockSize), t), idx(n), blocks * cfg.blockSize,
           [&](Value f) {
             SmallVector<Value, 1> channel;
             if (perChannel)
               channel.push_back(rem(div(f, view.inner), view.channels));
             store(quantize(load(flat, f), load(clip, channel)), flatOut, f);
           });
    });
  });
}

std::optional<std::string> unsupported(Value input) {
  auto type = cast<RankedTensorType>(input.getType());
  if (!type.hasStaticShape())
    return std::string("needs a static shape");
  if (type.getNumElements() == 0)
    return std::string("needs a non-empty tensor");
  return std::nullopt;
}

Value bufferOf(ImplicitLocOpBuilder &b, Value tensor) {
  auto type = cast<RankedTensorType>(tensor.getType());
  return bufferization::ToBufferOp::create(
      b, MemRefType::get(type.getShape(), type.getElementType()), tensor,
      /*read_only=*/true);
}

Value newBuffer(ImplicitLocOpBuilder &b, Value result) {
  auto type = cast<RankedTensorType>(result.getType());
  return memref::AllocOp::create(
      b, MemRefType::get(type.getShape(), type.getElementType()));
}

Value asTensor(ImplicitLocOpBuilder &b, Value buffer, Type type) {
  return bufferization::ToTensorOp::create(b, type, buffer,
                                           /*restrict=*/b.getUnitAttr(),
                                           /*writable=*/b.getUnitAttr());
}

/// Lowers a daq.max_abs (1 pass over the input), daq.mcs_clip (3 passes)
/// or daq.quantize (1 pass).
LogicalResult lowerStatistics(Operation *op, const StatsConfig &cfg) {
  auto mcs = dyn_cast<McsClipOp>(op);
  auto quantizeOp = dyn_cast<QuantizeOp>(op);
  Value input = op->getOperand(0);
  auto granularity = op->getAttrOfType<GranularityAttr>("granularity");
  std::optional<int64_t> axis = granularity.getAxis();
  if (auto why = unsupported(input))
    return op->emitOpError("convert-daq-stats-to-gpu: ") << *why;
  if (quantizeOp && quantizeOp.getRounding() &&
      quantizeOp.getRounding()->isStochastic())
    return op->emitOpError(
        "stochastic rounding is not supported by convert-daq-stats-to-gpu; "
        "lower this op with convert-daq-to-linalg or use nearest_even "
        "rounding");
  ImplicitLocOpBuilder b(op->getLoc(), op);
  ChannelView view = viewOf(cast<RankedTensorType>(input.getType()), axis, cfg);
  StatsEmitter emitter(b, cfg, view, bufferOf(b, input));
  if (quantizeOp) {
    Value clip = bufferOf(b, quantizeOp.getClip());
    Value out = newBuffer(b, quantizeOp.getOutput());
    emitter.emitQuantize(clip, axis.has_value(), out);
    quantizeOp.getOutput().replaceAllUsesWith(
        asTensor(b, out, quantizeOp.getOutput().getType()));
    op->erase();
    return success();
  }
  Value prev = mcs ? bufferOf(b, mcs.getPrevClip()) : Value();
  Value partialMax = emitter.buffer(b.getF32Type());
  Value partialSum, partialSquares, partialCount;
  if (mcs) {
    partialSum = emitter.buffer(b.getF64Type());
    partialSquares = emitter.buffer(b.getF64Type());
    partialCount = emitter.buffer(b.getI64Type());
  }
  SmallVector<Value> results;
  for (Value result : op->getResults())
    results.push_back(newBuffer(b, result));
  emitter.emitMoments(partialMax, partialSum);
  if (mcs) {
    emitter.emitSquares(partialSum, partialSquares);
    emitter.emitCount(partialSquares, partialCount);
  }
  emitter.emitUpdate(partialMax, partialCount, prev,
                     mcs ? mcs.getParams() : McsClipAttr(), results[0],
                     mcs ? results[1] : Value());
  for (auto [result, buffer] : llvm::zip_equal(op->getResults(), results))
    result.replaceAllUsesWith(asTensor(b, buffer, result.getType()));
  op->erase();
  return success();
}

struct ConvertDaqStatsToGpuPass
    : daq::impl::ConvertDaqStatsToGpuBase<ConvertDaqStatsToGpuPass> {
  using Base::Base;

  void runOnOperation() override {
    StatsConfig cfg;
    cfg.gpu = target == "gpu";
    cfg.blockSize = blockSize;
    cfg.targetBlocks = blocks;
    auto fail = [&](const Twine &what) {
      emitError(getOperation()->getLoc())
          << "convert-daq-stats-to-gpu: " << what;
      signalPassFailure();
    };
    if (!cfg.gpu && target != "cpu")
      return fail("target must be 'gpu' or 'cpu', not '" + target + "'");
    if (cfg.blockSize < 2 || cfg.blockSize > 1024 ||
        !llvm::isPowerOf2_64(cfg.blockSize))
      return fail("block-size must be a power of two in [2, 1024], not " +
                  Twine(cfg.blockSize));
    if (cfg.targetBlocks < 1)
      return fail("blocks must be positive");
    SmallVector<Operation *> ops;
    getOperation()->walk([&](Operation *op) {
      if (isa<MaxAbsOp, McsClipOp, QuantizeOp>(op))
        ops.push_back(op);
    });
    for (Operation *op : ops) {
      if (failed(lowerStatistics(op, cfg)))
        return signalPassFailure();
    }
    if (!strict)
      return;
    // Anything else of the dialect would fail later as "op was not
    // bufferized".
    WalkResult left = getOperation()->walk([](Operation *op) {
      if (!isa<DaqDialect>(op->getDialect()))
        return WalkResult::advance();
      op->emitOpError("has no GPU lowering: the GPU pipeline lowers the INT8 "
                      "convolutions, daq.mcs_clip, daq.max_abs, nearest-even "
                      "daq.quantize and daq.quantize_grad with #daq.mcs, "
                      "#daq.max or #daq.static clips; run this op on the CPU "
                      "(daq-cpu-pipeline)");
      return WalkResult::interrupt();
    });
    if (left.wasInterrupted())
      signalPassFailure();
  }
};

} // namespace
