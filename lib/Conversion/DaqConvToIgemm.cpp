//===- DaqConvToIgemm.cpp - INT8 convolutions as tiled implicit GEMM ------===//
//
// One GEMM generator for the three INT8 convolutions. Each direction is only
// an index mapping from (M, N, K) onto the convolution's tensors (CUTLASS's
// Fprop / Dgrad / Wgrad):
//
//   direction   A (M x K)          B (N x K)          C (M x N)    M, N, K
//   forward     X  im2col          W                  Y            NPQ, O/G,
//   C/G*R*S bwd-data    GY strided-gather  W                  GX           NHW,
//   C/G, O/G*R*S bwd-filter  GY                 X  im2col          GW O/G,
//   C/G*R*S, NPQ
//
// with one GEMM per group (grid z). The tiled algorithm, for every thread
// block tile (tileM x tileN) of C:
//
//   for every K tile:
//     stage A[tileM x tileK] and B[tileN x tileK] as i8 in shared memory,
//       K contiguous for both (ldmatrix transposes only 16-bit elements),
//       zeros outside the GEMM or the padded image, f32 operands quantized
//       as they are loaded;
//     barrier
//     every warp: for its (warpM x warpN) tile, mma-sized vector.contract
//       (i8 x i8 -> i32, A (m, k), B (n, k)) from the shared tiles;
//     barrier
//   the i32 tile (in shared memory, where the warps accumulate) goes to
//   the f32 epilogue float(acc) * (clip_a * clip_b / 16129) with
//   per-channel clips.
//
// The GPU form is a gpu.launch (one block per tile, 32 threads per warp);
// the CPU form is the same algorithm with the block, thread and warp loops
// as scf.for (the barriers then fall between loops), so the lowering of
// the vector.contract tiles can be checked bit for bit on a machine without
// a GPU. On the CPU, mma=amx gives the contractions the VNNI form of AMX's
// tdpbssd (warpTileProductsAmx), for convert-vector-to-amx.
//
//===----------------------------------------------------------------------===//

#include "daq/Conversion/Passes.h"

#include "KernelArith.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Index/IR/IndexDialect.h"
#include "mlir/Dialect/Index/IR/IndexOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Dominance.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "llvm/ADT/TypeSwitch.h"

namespace mlir::daq {
#define GEN_PASS_DEF_CONVERTDAQCONVTOIGEMM
#include "daq/Conversion/Passes.h.inc"
} // namespace mlir::daq

using namespace mlir;
using namespace mlir::daq;

namespace {

enum class Direction { Forward, BackwardData, BackwardFilter };

/// Tile sizes and the mma shape, checked once per pass run.
struct TileConfig {
  int64_t tileM, tileN, tileK, warpM, warpN;
  int64_t mmaM, mmaN, mmaK;
  /// Shared-memory buffers of the A and B tiles (the K-loop pipeline depth).
  int64_t stages;
  /// Blocks sharing one C tile's K range (0: automatic on the GPU, none on
  /// the CPU).
  int64_t splitK;
  bool gpu;
  /// Copy contiguous K runs of i8 operands with cp.async (GPU only).
  bool asyncCopy;
  /// mma=amx (CPU): 16x16 i32 tiles over 64-deep K slices in the VNNI
  /// layout of AMX's tdpbssd, B staged as [tileK / 4][tileN][4].
  bool amx = false;

  int64_t warpsM() const { return tileM / warpM; }
  int64_t warpsN() const { return tileN / warpN; }
  int64_t numWarps() const { return warpsM() * warpsN(); }
  int64_t numThreads() const { return 32 * numWarps(); }
  /// Bytes of the shared A, B (i8, `stages` buffers each) and C (i32) tiles.
  int64_t sharedBytes() const {
    return stages * (tileM + tileN) * tileK + 4 * tileM * tileN;
  }
};

/// Sizes of one convolution, whatever its direction.
struct Geometry {
  int64_t n, c, h, w, o, kh, kw, oh, ow, groups;
  int64_t sh, sw, dh, dw, padTop, padLeft;
  bool nhwc;
  int64_t cg() const { return c / groups; }
  int64_t og() const { return o / groups; }
};

/// One operand of the GEMM as loaded: the tensor's buffer, its clip, whether
/// it is f32 (quantized on load) and whether its clip is per channel.
struct Operand {
  Value buffer, clip;
  bool quantize = false, perChannel = false;
};

/// How an operand's K slices are staged: element by element (a gather with
/// zero fill, quantizing f32 on load), or, where runs of K are contiguous
/// in memory, as copies of `bytes` bytes (cp.async on the GPU) from `view`,
/// the operand's buffer reshaped so that a run lies in its last dimension.
struct Staging {
  int64_t bytes = 0;
  Value view;
};

/// The coordinates of one element of a convolution tensor for a GEMM
/// coordinate: whether it exists (padding, strides, tile edges), its indices
/// and the global output-channel index its per-channel clip uses.
struct Element {
  Value valid;
  SmallVector<Value, 4> indices;
  Value channel;
};

class IgemmEmitter : KernelArith {
public:
  IgemmEmitter(ImplicitLocOpBuilder &b, const TileConfig &config,
               const Geometry &geo, Direction direction)
      : KernelArith(b, config.gpu), cfg(config), geo(geo),
        direction(direction) {}

  /// GEMM sizes of the direction (per group).
  int64_t gemmM() const {
    switch (direction) {
    case Direction::Forward:
      return geo.n * geo.oh * geo.ow;
    case Direction::BackwardData:
      return geo.n * geo.h * geo.w;
    case Direction::BackwardFilter:
      return geo.og();
    }
    llvm_unreachable("direction");
  }
  int64_t gemmN() const {
    switch (direction) {
    case Direction::Forward:
      return geo.og();
    case Direction::BackwardData:
      return geo.cg();
    case Direction::BackwardFilter:
      return geo.cg() * geo.kh * geo.kw;
    }
    llvm_unreachable("direction");
  }
  int64_t gemmK() const {
    switch (direction) {
    case Direction::Forward:
      return geo.cg() * geo.kh * geo.kw;
    case Direction::BackwardData:
      return geo.og() * geo.kh * geo.kw;
    case Direction::BackwardFilter:
      return geo.n * geo.oh * geo.ow;
    }
    llvm_unreachable("direction");
  }

  /// Emits the whole convolution writing `out`; `a` and `bOp` are the GEMM's
  /// A and B operands, `clipLhs`/`clipRhs` the op's two clips in operand
  /// order (their product is the epilogue scale).
  void emit(const Operand &a, const Operand &bOp, Operand lhsClip,
            Operand rhsClip, Value result);

  /// The gradient the epilogue adds the result to (null: none), and whether
  /// it is the add's first operand.
  Value addend;
  bool addendFirst = false;

private:
  const TileConfig &cfg;
  const Geometry &geo;
  Direction direction;

  // Index and float arithmetic: KernelArith (lib/Conversion/KernelArith.h).

  SmallVector<Value, 4> activation(Value n, Value c, Value h, Value w) {
    if (geo.nhwc)
      return {n, h, w, c};
    return {n, c, h, w};
  }
  SmallVector<Value, 4> filter(Value o, Value c, Value kh, Value kw) {
    if (geo.nhwc)
      return {o, kh, kw, c};
    return {o, c, kh, kw};
  }
  /// Splits a filter-window index into (channel, kh, kw), channel slowest
  /// for NCHW and fastest for NHWC (the contiguous order of each layout).
  std::array<Value, 3> splitWindow(Value k, int64_t channels) {
    int64_t kh = geo.kh, kw = geo.kw;
    if (geo.nhwc)
      return {rem(k, channels), div(k, kw * channels),
              rem(div(k, channels), kw)};
    return {div(k, kh * kw), rem(div(k, kw), kh), rem(k, kw)};
  }
  /// Splits an (n, y, x) pixel index of an image of `rows` x `cols`.
  std::array<Value, 3> splitPixel(Value m, int64_t rows, int64_t cols) {
    return {div(m, rows * cols), rem(div(m, cols), rows), rem(m, cols)};
  }
  /// In-image input coordinates of output pixel (y, x) under window (r, s).
  std::pair<Value, Value> inputCoords(Value y, Value x, Value r, Value s) {
    Value ih = sub(add(mul(y, geo.sh), mul(r, geo.dh)), idx(geo.padTop));
    Value iw = sub(add(mul(x, geo.sw), mul(s, geo.dw)), idx(geo.padLeft));
    return {ih, iw};
  }
  Value inImage(Value ih, Value iw) {
    return both(both(ge0(ih), lt(ih, geo.h)), both(ge0(iw), lt(iw, geo.w)));
  }

  Element elementA(Value g, Value m, Value k);
  Element elementB(Value g, Value n, Value k);
  Element elementC(Value g, Value m, Value n);

  Value loadCode(const Operand &operand, const Element &element);
  Value clipValue(const Operand &clip, Value channel);

  /// Loops `body(e)` over `[0, total)` distributed over the threads of the
  /// block (GPU: from the thread id with the block size as step; CPU: one
  /// loop, the serialized threads).
  void forEachThread(Value tid, int64_t total, function_ref<void(Value)> body);
  void barrier() {
    if (cfg.gpu)
      gpu::BarrierOp::create(b);
  }
  Staging staging(const Operand &operand, bool isA);
  Element runStart(bool isA, Value g, Value row, Value k);
  SmallVector<Value, 4> tileIndices(bool isA, Value buffer, Value r, Value kk);
  void copyRun(const Staging &runs, const Element &element, Value tile,
               ValueRange tileIndices);
  void stage(const Operand &operand, const Staging &runs, bool isA, Value tile,
             Value buffer, Value g, Value base, Value k0, Value tid);
  Value sharedTile(ArrayRef<int64_t> shape, Type type);
  SmallVector<Value> warpTileProducts(Value sharedA, Value sharedB,
                                      Value buffer, Value warpRow,
                                      Value warpCol, ValueRange accumulators);
  void warpTileProductsAmx(Value sharedA, Value sharedB, Value sharedC,
                           Value buffer, Value warpRow, Value warpCol);
  void emitBlock(const Operand &a, const Operand &bOp, Value g, Value split,
                 Value bm, Value bn, Value tid, Value sharedA, Value sharedB,
                 Value sharedC);
  void epilogue(Value g, Value m, Value n, function_ref<Value()> accumulator);
  Value sumSplits(Value g, Value m, Value n);
  void emitSplitReduction();
  int64_t chooseSplits(int64_t blocks, int64_t numKTiles) const;

  /// The op's two clips in operand order (their product is the epilogue
  /// scale) and the result buffer.
  Operand clipLhs, clipRhs;
  Value out;
  /// Split-K: `splits` blocks share each C tile, each multiplying
  /// `tilesPerSplit` consecutive K tiles and writing its i32 partial tile
  /// to `workspace` [groups, splits, M, N]; a second kernel adds the
  /// partials in split order (exact: i32 addition wraps and is associative)
  /// and applies the epilogue.
  int64_t splits = 1, tilesPerSplit = 0;
  Value workspace;

  /// How A and B are staged (set by `emit`, inside the kernel on the GPU).
  Staging runsA, runsB;
};

Element IgemmEmitter::elementA(Value g, Value m, Value k) {
  Element e;
  Value bounds = both(lt(m, gemmM()), lt(k, gemmK()));
  switch (direction) {
  case Direction::Forward: {
    auto [n, y, x] = splitPixel(m, geo.oh, geo.ow);
    auto [c, r, s] = splitWindow(k, geo.cg());
    auto [ih, iw] = inputCoords(y, x, r, s);
    e.valid = both(bounds, inImage(ih, iw));
    e.indices = activation(n, add(mul(g, geo.cg()), c), ih, iw);
    e.channel = idx(0);
    return e;
  }
  case Direction::BackwardData: {
    // GX[n, c, h, w] gathers GY[n, o, (h + pad - r*dh) / sh, ...] where the
    // division is exact and the result is inside the output image.
    auto [n, h, w] = splitPixel(m, geo.h, geo.w);
    auto [o, r, s] = splitWindow(k, geo.og());
    Value th = sub(add(h, idx(geo.padTop)), mul(r, geo.dh));
    Value tw = sub(add(w, idx(geo.padLeft)), mul(s, geo.dw));
    Value thNonNeg = ge0(th), twNonNeg = ge0(tw);
    // Negative values are rejected by the conditions above; divide their
    // clamped version so every index stays in range.
    Value zero = idx(0);
    th = arith::SelectOp::create(b, thNonNeg, th, zero);
    tw = arith::SelectOp::create(b, twNonNeg, tw, zero);
    Value y = div(th, geo.sh), x = div(tw, geo.sw);
    Value exact =
        both(cmp(index::IndexCmpPredicate::EQ, rem(th, geo.sh), zero),
             cmp(index::IndexCmpPredicate::EQ, rem(tw, geo.sw), zero));
    Value inside = both(lt(y, geo.oh), lt(x, geo.ow));
    e.valid = both(both(bounds, both(thNonNeg, twNonNeg)), both(exact, inside));
    Value channel = add(mul(g, geo.og()), o);
    e.indices = activation(n, channel, y, x);
    e.channel = channel;
    return e;
  }
  case Direction::BackwardFilter: {
    auto [n, y, x] = splitPixel(k, geo.oh, geo.ow);
    Value channel = add(mul(g, geo.og()), m);
    e.valid = bounds;
    e.indices = activation(n, channel, y, x);
    e.channel = channel;
    return e;
  }
  }
  llvm_unreachable("direction");
}

Element IgemmEmitter::elementB(Value g, Value nn, Value k) {
  Element e;
  Value bounds = both(lt(nn, gemmN()), lt(k, gemmK()));
  switch (direction) {
  case Direction::Forward: {
    auto [c, r, s] = splitWindow(k, geo.cg());
    Value channel = add(mul(g, geo.og()), nn);
    e.valid = bounds;
    e.indices = filter(channel, c, r, s);
    e.channel = channel;
    return e;
  }
  case Direction::BackwardData: {
    auto [o, r, s] = splitWindow(k, geo.og());
    Value channel = add(mul(g, geo.og()), o);
    e.valid = bounds;
    e.indices = filter(channel, nn, r, s);
    e.channel = channel;
    return e;
  }
  case Direction::BackwardFilter: {
    auto [n, y, x] = splitPixel(k, geo.oh, geo.ow);
    auto [c, r, s] = splitWindow(nn, geo.cg());
    auto [ih, iw] = inputCoords(y, x, r, s);
    e.valid = both(bounds, inImage(ih, iw));
    e.indices = activation(n, add(mul(g, geo.cg()), c), ih, iw);
    e.channel = idx(0);
    return e;
  }
  }
  llvm_unreachable("direction");
}

Element IgemmEmitter::elementC(Value g, Value m, Value nn) {
  Element e;
  e.valid = both(lt(m, gemmM()), lt(nn, gemmN()));
  switch (direction) {
  case Direction::Forward: {
    auto [n, y, x] = splitPixel(m, geo.oh, geo.ow);
    e.channel = add(mul(g, geo.og()), nn);
    e.indices = activation(n, e.channel, y, x);
    return e;
  }
  case Direction::BackwardData: {
    auto [n, h, w] = splitPixel(m, geo.h, geo.w);
    e.channel = add(mul(g, geo.cg()), nn);
    e.indices = activation(n, e.channel, h, w);
    return e;
  }
  case Direction::BackwardFilter: {
    auto [c, r, s] = splitWindow(nn, geo.cg());
    e.channel = add(mul(g, geo.og()), m);
    e.indices = filter(e.channel, c, r, s);
    return e;
  }
  }
  llvm_unreachable("direction");
}

Value IgemmEmitter::clipValue(const Operand &clip, Value channel) {
  if (clip.perChannel)
    return memref::LoadOp::create(b, clip.clip, ValueRange{channel});
  return memref::LoadOp::create(b, clip.clip, ValueRange{});
}

Value IgemmEmitter::loadCode(const Operand &operand, const Element &element) {
  Value loaded = memref::LoadOp::create(b, operand.buffer, element.indices);
  if (!operand.quantize)
    return loaded;
  return quantize(loaded, clipValue(operand, element.channel));
}

void IgemmEmitter::forEachThread(Value tid, int64_t total,
                                 function_ref<void(Value)> body) {
  Value lower = cfg.gpu ? tid : idx(0);
  Value step = idx(cfg.gpu ? cfg.numThreads() : 1);
  scf::ForOp::create(b, lower, idx(total), step, ValueRange{},
                     [&](OpBuilder &nested, Location loc, Value e, ValueRange) {
                       OpBuilder::InsertionGuard guard(b);
                       b.setInsertionPoint(nested.getInsertionBlock(),
                                           nested.getInsertionPoint());
                       body(e);
                       scf::YieldOp::create(b);
                     });
}

/// Contiguous K runs exist for i8 operands where K's fastest part is the
/// fastest dimension of the tensor:
///
///   forward         A = X (NHWC): K = (kh, kw, c), runs of C/G channels
///                   B = W:        K is a whole filter row, runs of K
///   backward-data   A = GY (NHWC): K = (kh, kw, o), runs of O/G channels
///                   (the stride grid keeps or drops a pixel's channels
///                   together)
///   backward-filter A = GY (NCHW): K = (n, oh, ow), runs of OH*OW
///
/// A run is copied in pieces of 16, 8 or 4 bytes (cp.async sizes) that
/// divide both the run and tile-k, so every piece is aligned in memory (for
/// buffers aligned to 16 bytes, as cuMemAlloc's are) and lies within one
/// run and one K tile. Backward-data's B (W, K = (o, kh, kw) across
/// filters) and backward-filter's B (X im2col over pixels) have no runs.
Staging IgemmEmitter::staging(const Operand &operand, bool isA) {
  Staging runs;
  if (operand.quantize)
    return runs;
  int64_t run = 0;
  SmallVector<ReassociationIndices> collapse;
  switch (direction) {
  case Direction::Forward:
    if (!isA) {
      run = gemmK();
      collapse = {{0}, {1, 2, 3}};
    } else if (geo.nhwc) {
      run = geo.cg();
    }
    break;
  case Direction::BackwardData:
    if (isA && geo.nhwc)
      run = geo.og();
    break;
  case Direction::BackwardFilter:
    if (isA && !geo.nhwc) {
      run = geo.oh * geo.ow;
      collapse = {{0}, {1}, {2, 3}};
    }
    break;
  }
  // A VNNI B tile keeps only 4 consecutive K of one row together.
  for (int64_t bytes : {16, 8, 4})
    if (run > 0 && run % bytes == 0 && cfg.tileK % bytes == 0 &&
        (isA || !cfg.amx || bytes == 4)) {
      runs.bytes = bytes;
      break;
    }
  if (!runs.bytes)
    return runs;
  runs.view =
      collapse.empty()
          ? operand.buffer
          : Value(memref::CollapseShapeOp::create(b, operand.buffer, collapse));
  return runs;
}

/// The first element, in the run view, of the run piece at GEMM row `row`
/// (of A or B) and reduction index `k`.
Element IgemmEmitter::runStart(bool isA, Value g, Value row, Value k) {
  if (direction == Direction::Forward && !isA) {
    Element e;
    e.valid = both(lt(row, gemmN()), lt(k, gemmK()));
    e.indices = {add(mul(g, geo.og()), row), k};
    return e;
  }
  if (direction == Direction::BackwardFilter) {
    Element e;
    int64_t pixels = geo.oh * geo.ow;
    e.valid = both(lt(row, gemmM()), lt(k, gemmK()));
    e.indices = {div(k, pixels), add(mul(g, geo.og()), row), rem(k, pixels)};
    return e;
  }
  return elementA(g, row, k);
}

/// Copies one run piece into the shared tile, zeros where it does not
/// exist. GPU with async copies: `nvgpu.device_async_copy` (cp.async) whose
/// source size is 0 for a missing piece (the hardware zero-fills; the
/// indices are clamped to 0 so the address stays in the buffer). Otherwise
/// a vector load and store of the piece.
void IgemmEmitter::copyRun(const Staging &runs, const Element &element,
                           Value tile, ValueRange tileIndices) {
  if (cfg.gpu && cfg.asyncCopy) {
    Value zero = idx(0);
    SmallVector<Value> source;
    for (Value index : element.indices)
      source.push_back(arith::SelectOp::create(b, element.valid, index, zero));
    Value size =
        arith::SelectOp::create(b, element.valid, idx(runs.bytes), zero);
    nvgpu::DeviceAsyncCopyOp::create(
        b, nvgpu::DeviceAsyncTokenType::get(b.getContext()), tile, tileIndices,
        runs.view, source, b.getIndexAttr(runs.bytes), size,
        // cp.async.cg (L2 only) exists for 16-byte copies.
        runs.bytes == 16 ? b.getUnitAttr() : UnitAttr());
    return;
  }
  auto type = VectorType::get({runs.bytes}, b.getI8Type());
  // Alignment only on the GPU, where it makes one 4/8/16-byte access per
  // piece; the CPU JIT's buffers are not promised to be 16-byte aligned.
  llvm::MaybeAlign align =
      cfg.gpu ? llvm::MaybeAlign(runs.bytes) : llvm::MaybeAlign();
  auto ifOp = scf::IfOp::create(
      b, element.valid,
      [&](OpBuilder &nested, Location loc) {
        Value piece = vector::LoadOp::create(nested, loc, type, runs.view,
                                             element.indices,
                                             /*nontemporal=*/false, align);
        scf::YieldOp::create(nested, loc, piece);
      },
      [&](OpBuilder &nested, Location loc) {
        Value zero = arith::ConstantOp::create(
            nested, loc,
            DenseElementsAttr::get(type, nested.getI8IntegerAttr(0)));
        scf::YieldOp::create(nested, loc, zero);
      });
  vector::StoreOp::create(b, ifOp.getResult(0), tile, tileIndices,
                          /*nontemporal=*/false, align);
}

/// Stages one K tile of A (`isA`) or B into shared buffer `buffer` of
/// `tile` ([stages, rows, tile-k]).
void IgemmEmitter::stage(const Operand &operand, const Staging &runs, bool isA,
                         Value tile, Value buffer, Value g, Value base,
                         Value k0, Value tid) {
  int64_t rows = isA ? cfg.tileM : cfg.tileN;
  if (runs.bytes) {
    int64_t piecesPerRow = cfg.tileK / runs.bytes;
    forEachThread(tid, rows * piecesPerRow, [&](Value e) {
      Value r = div(e, piecesPerRow),
            kk = mul(rem(e, piecesPerRow), runs.bytes);
      copyRun(runs, runStart(isA, g, add(base, r), add(k0, kk)), tile,
              tileIndices(isA, buffer, r, kk));
    });
    return;
  }
  forEachThread(tid, rows * cfg.tileK, [&](Value e) {
    Value r = div(e, cfg.tileK), kk = rem(e, cfg.tileK);
    Value row = add(base, r), k = add(k0, kk);
    Element element = isA ? elementA(g, row, k) : elementB(g, row, k);
    auto ifOp = scf::IfOp::create(
        b, element.valid,
        [&](OpBuilder &nested, Location loc) {
          OpBuilder::InsertionGuard guard(b);
          b.setInsertionPoint(nested.getInsertionBlock(),
                              nested.getInsertionPoint());
          scf::YieldOp::create(b, loadCode(operand, element));
        },
        [&](OpBuilder &nested, Location loc) {
          Value zero = arith::ConstantOp::create(nested, loc,
                                                 nested.getI8IntegerAttr(0));
          scf::YieldOp::create(nested, loc, zero);
        });
    memref::StoreOp::create(b, ifOp.getResult(0), tile,
                            tileIndices(isA, buffer, r, kk));
  });
}

/// Where element (row r, depth kk) of a K tile lies in its shared tile:
/// [buffer][r][kk], or for the VNNI B tile of mma=amx
/// [buffer][kk / 4][r][kk % 4].
SmallVector<Value, 4> IgemmEmitter::tileIndices(bool isA, Value buffer, Value r,
                                                Value kk) {
  if (isA || !cfg.amx)
    return {buffer, r, kk};
  return {buffer, div(kk, 4), r, rem(kk, 4)};
}

Value IgemmEmitter::sharedTile(ArrayRef<int64_t> shape, Type type) {
  if (!cfg.gpu)
    return memref::AllocaOp::create(b, MemRefType::get(shape, type));
  // Allocated inside the kernel and turned into workgroup attributions after
  // nvgpu-optimize-shared-memory has swizzled them (that pass works on
  // memref.alloc).
  auto space =
      gpu::AddressSpaceAttr::get(b.getContext(), gpu::AddressSpace::Workgroup);
  return memref::AllocOp::create(
      b, MemRefType::get(shape, type, MemRefLayoutAttrInterface{}, space));
}

/// The mma-sized products of one warp for one K tile. Layout of the warp's
/// tile (warpM x warpN) in mma tiles, i down, j across:
///
///      j=0    j=1   ...
///   +------+------+
///   | mmaM |      |  i=0     acc[i * (warpN/mmaN) + j] : vector<mmaM x mmaN x
///   i32> | xmmaN|      |
///   +------+------+
///   |      |      |  i=1
///
/// each accumulated over tileK / mmaK slices of A[i] (mmaM x mmaK, rows of
/// the shared A tile) and B[j] (mmaN x mmaK, rows of the shared B tile).
SmallVector<Value> IgemmEmitter::warpTileProducts(Value sharedA, Value sharedB,
                                                  Value buffer, Value warpRow,
                                                  Value warpCol,
                                                  ValueRange accumulators) {
  MLIRContext *ctx = b.getContext();
  Type i8 = b.getI8Type();
  auto aType = VectorType::get({cfg.mmaM, cfg.mmaK}, i8);
  auto bType = VectorType::get({cfg.mmaN, cfg.mmaK}, i8);
  AffineExpr m, n, k;
  bindDims(ctx, m, n, k);
  Value pad = arith::ConstantOp::create(b, b.getI8IntegerAttr(0));
  int64_t fragmentsN = cfg.warpN / cfg.mmaN;
  SmallVector<Value> result(accumulators);
  for (int64_t kk = 0; kk < cfg.tileK / cfg.mmaK; ++kk) {
    Value kOffset = idx(kk * cfg.mmaK);
    SmallVector<Value> aFragments, bFragments;
    for (int64_t i = 0; i < cfg.warpM / cfg.mmaM; ++i)
      aFragments.push_back(vector::TransferReadOp::create(
          b, aType, sharedA,
          ValueRange{buffer, add(warpRow, idx(i * cfg.mmaM)), kOffset}, pad,
          ArrayRef<bool>{true, true}));
    for (int64_t j = 0; j < fragmentsN; ++j)
      bFragments.push_back(vector::TransferReadOp::create(
          b, bType, sharedB,
          ValueRange{buffer, add(warpCol, idx(j * cfg.mmaN)), kOffset}, pad,
          ArrayRef<bool>{true, true}));
    for (auto [i, aFragment] : llvm::enumerate(aFragments))
      for (auto [j, bFragment] : llvm::enumerate(bFragments)) {
        Value &acc = result[i * fragmentsN + j];
        acc = vector::ContractionOp::create(
            b, aFragment, bFragment, acc,
            ArrayRef<ArrayRef<AffineExpr>>{{m, k}, {n, k}, {m, n}},
            ArrayRef<vector::IteratorType>{vector::IteratorType::parallel,
                                           vector::IteratorType::parallel,
                                           vector::IteratorType::reduction});
      }
  }
  return result;
}

/// The products of one warp for one K tile under mma=amx: for every 64-deep
/// K slice and 16x16 tile of the warp's C, one contraction in the VNNI form
/// that `convert-vector-to-amx` turns into tileloadd (A, B, C) + tdpbssd +
/// tilestored:
///
///   A [16 rows][16 k/4][4]   rows of the shared A tile, viewed 4-D
///   B [16 k/4][16 cols][4]   the VNNI shared B tile
///   C [16][16] i32           read from and written back to the C tile
///
/// Each contraction reads its accumulator from the C tile and writes it
/// back (rather than chaining results through K), so that every operand is
/// a transfer of a buffer: the conversion then loads and stores tiles in
/// place, with no temporary buffer per contraction.
void IgemmEmitter::warpTileProductsAmx(Value sharedA, Value sharedB,
                                       Value sharedC, Value buffer,
                                       Value warpRow, Value warpCol) {
  MLIRContext *ctx = b.getContext();
  Type i8 = b.getI8Type(), i32 = b.getI32Type();
  auto packedType = VectorType::get({16, 16, 4}, i8);
  auto accType = VectorType::get({16, 16}, i32);
  Value viewA = memref::ExpandShapeOp::create(
      b, MemRefType::get({cfg.stages, cfg.tileM, cfg.tileK / 4, 4}, i8),
      sharedA, ArrayRef<ReassociationIndices>{{0}, {1}, {2, 3}});
  AffineExpr m, n, k, vnni;
  bindDims(ctx, m, n, k, vnni);
  Value padI8 = arith::ConstantOp::create(b, b.getI8IntegerAttr(0));
  Value padI32 = arith::ConstantOp::create(b, b.getI32IntegerAttr(0));
  auto inBounds = [](int64_t rank) { return SmallVector<bool>(rank, true); };
  auto reduction = vector::IteratorType::reduction;
  auto parallel = vector::IteratorType::parallel;
  for (int64_t kk = 0; kk < cfg.tileK / 64; ++kk) {
    Value k4 = idx(kk * 16), zero = idx(0);
    for (int64_t i = 0; i < cfg.warpM / 16; ++i)
      for (int64_t j = 0; j < cfg.warpN / 16; ++j) {
        Value row = add(warpRow, idx(i * 16)), col = add(warpCol, idx(j * 16));
        Value aTile = vector::TransferReadOp::create(
            b, packedType, viewA, ValueRange{buffer, row, k4, zero}, padI8,
            inBounds(3));
        Value bTile = vector::TransferReadOp::create(
            b, packedType, sharedB, ValueRange{buffer, k4, col, zero}, padI8,
            inBounds(3));
        Value acc = vector::TransferReadOp::create(
            b, accType, sharedC, ValueRange{row, col}, padI32, inBounds(2));
        acc = vector::ContractionOp::create(
            b, aTile, bTile, acc,
            ArrayRef<ArrayRef<AffineExpr>>{{m, k, vnni}, {k, n, vnni}, {m, n}},
            ArrayRef<vector::IteratorType>{parallel, parallel, reduction,
                                           reduction});
        vector::TransferWriteOp::create(b, acc, sharedC, ValueRange{row, col},
                                        inBounds(2));
      }
  }
}

void IgemmEmitter::emitBlock(const Operand &a, const Operand &bOp, Value g,
                             Value split, Value bm, Value bn, Value tid,
                             Value sharedA, Value sharedB, Value sharedC) {
  Type i32 = b.getI32Type();
  auto accType = VectorType::get({cfg.mmaM, cfg.mmaN}, i32);
  int64_t fragmentsN = cfg.warpN / cfg.mmaN;
  int64_t fragments = (cfg.warpM / cfg.mmaM) * fragmentsN;
  int64_t numKTiles = llvm::divideCeil(gemmK(), cfg.tileK);
  auto baseM = [&] { return mul(bm, cfg.tileM); };
  auto baseN = [&] { return mul(bn, cfg.tileN); };
  auto fragmentOrigin = [&](Value warpRow, Value warpCol, int64_t f) {
    return SmallVector<Value>{add(warpRow, idx((f / fragmentsN) * cfg.mmaM)),
                              add(warpCol, idx((f % fragmentsN) * cfg.mmaN))};
  };
  auto warpOrigin = [&](Value warp) {
    return std::make_pair(mul(div(warp, cfg.warpsN()), cfg.warpM),
                          mul(rem(warp, cfg.warpsN()), cfg.warpN));
  };
  Value zeroI32 = arith::ConstantOp::create(b, b.getI32IntegerAttr(0));

  // The warps' accumulators live in the i32 C tile between K tiles (each
  // warp owns its warp-m x warp-n part). Carrying them in registers as
  // vector iter_args of the K loop would be faster on the GPU, but MLIR 22's
  // convert-vector-to-gpu then takes every scalar arith op of the loop body
  // (the staging and quantization) into the warp-matrix slice and fails.
  forEachThread(tid, cfg.tileM * cfg.tileN, [&](Value e) {
    memref::StoreOp::create(b, zeroI32, sharedC,
                            ValueRange{div(e, cfg.tileN), rem(e, cfg.tileN)});
  });
  auto warpStep = [&](Value warp, Value buffer) {
    auto [warpRow, warpCol] = warpOrigin(warp);
    if (cfg.amx) {
      warpTileProductsAmx(sharedA, sharedB, sharedC, buffer, warpRow, warpCol);
      return;
    }
    SmallVector<Value> accs;
    for (int64_t f = 0; f < fragments; ++f)
      accs.push_back(vector::TransferReadOp::create(
          b, accType, sharedC, fragmentOrigin(warpRow, warpCol, f), zeroI32,
          ArrayRef<bool>{true, true}));
    SmallVector<Value> next =
        warpTileProducts(sharedA, sharedB, buffer, warpRow, warpCol, accs);
    for (auto [f, acc] : llvm::enumerate(next))
      vector::TransferWriteOp::create(b, acc, sharedC,
                                      fragmentOrigin(warpRow, warpCol, f),
                                      ArrayRef<bool>{true, true});
  };
  auto stageTile = [&](Value kt) {
    Value k0 = mul(kt, cfg.tileK), buffer = rem(kt, cfg.stages);
    stage(a, runsA, /*isA=*/true, sharedA, buffer, g, baseM(), k0, tid);
    stage(bOp, runsB, /*isA=*/false, sharedB, buffer, g, baseN(), k0, tid);
  };
  // cp.async groups: one per staged K tile (empty past the last one, so that
  // "tile kt has landed" is always "at most stages - 2 groups pending").
  bool async = cfg.gpu && cfg.asyncCopy && (runsA.bytes || runsB.bytes);
  Type tokenType = nvgpu::DeviceAsyncTokenType::get(b.getContext());
  auto commit = [&]() -> Value {
    if (!async)
      return Value();
    return nvgpu::DeviceAsyncCreateGroupOp::create(b, tokenType, ValueRange{});
  };

  // The K loop as a software pipeline over `stages` shared buffers: K tile
  // kt lives in buffer kt % stages; while tile kt is multiplied, tiles
  // kt+1 .. kt+stages-1 are in flight.
  //
  //   prologue: stage tiles 0 .. stages-2
  //   for kt:   wait for tile kt; barrier (tile kt visible, every warp done
  //             with tile kt-1, whose buffer is free); stage tile
  //             kt+stages-1 into it; multiply tile kt
  //
  // f32 operands (quantized on load) and gathers are staged by plain loads
  // and stores at the same place in the pipeline; the next barrier
  // publishes them.
  //
  // Under split-K the block's K range is [ktBegin, ktEnd).
  Value ktBegin = idx(0), ktEnd = idx(numKTiles);
  if (split) {
    ktBegin = mul(split, tilesPerSplit);
    ktEnd = index::MinUOp::create(b, add(ktBegin, idx(tilesPerSplit)),
                                  idx(numKTiles));
  }
  auto stageIfBefore = [&](Value kt, Value end) {
    scf::IfOp::create(b, cmp(index::IndexCmpPredicate::SLT, kt, end),
                      [&](OpBuilder &nested, Location) {
                        OpBuilder::InsertionGuard guard(b);
                        b.setInsertionPoint(nested.getInsertionBlock(),
                                            nested.getInsertionPoint());
                        stageTile(kt);
                        scf::YieldOp::create(b);
                      });
  };
  Value token;
  for (int64_t p = 0; p + 1 < cfg.stages; ++p) {
    if (split)
      stageIfBefore(add(ktBegin, idx(p)), ktEnd);
    else if (p < numKTiles)
      stageTile(idx(p));
    token = commit();
  }
  SmallVector<Value> carried;
  if (async)
    carried.push_back(token);
  scf::ForOp::create(
      b, ktBegin, ktEnd, idx(1), carried,
      [&](OpBuilder &nested, Location loc, Value kt, ValueRange iterArgs) {
        OpBuilder::InsertionGuard guard(b);
        b.setInsertionPoint(nested.getInsertionBlock(),
                            nested.getInsertionPoint());
        if (async)
          nvgpu::DeviceAsyncWaitOp::create(b, iterArgs[0],
                                           b.getI32IntegerAttr(cfg.stages - 2));
        barrier();
        stageIfBefore(add(kt, idx(cfg.stages - 1)), ktEnd);
        Value group = commit();
        Value buffer = rem(kt, cfg.stages);
        if (cfg.gpu) {
          warpStep(div(tid, 32), buffer);
        } else {
          // The serialized warps.
          scf::ForOp::create(
              b, idx(0), idx(cfg.numWarps()), idx(1), ValueRange{},
              [&](OpBuilder &nested2, Location, Value warp, ValueRange) {
                OpBuilder::InsertionGuard guard2(b);
                b.setInsertionPoint(nested2.getInsertionBlock(),
                                    nested2.getInsertionPoint());
                warpStep(warp, buffer);
                scf::YieldOp::create(b);
              });
        }
        if (async)
          scf::YieldOp::create(b, group);
        else
          scf::YieldOp::create(b);
      });
  // Every warp's accumulators are in the C tile before the epilogue reads
  // it across warps.
  barrier();

  forEachThread(tid, cfg.tileM * cfg.tileN, [&](Value e) {
    Value r = div(e, cfg.tileN), col = rem(e, cfg.tileN);
    Value m = add(baseM(), r), n = add(baseN(), col);
    auto partial = [&] {
      return memref::LoadOp::create(b, sharedC, ValueRange{r, col});
    };
    if (!workspace) {
      epilogue(g, m, n, partial);
      return;
    }
    scf::IfOp::create(b, both(lt(m, gemmM()), lt(n, gemmN())),
                      [&](OpBuilder &nested, Location) {
                        OpBuilder::InsertionGuard guard(b);
                        b.setInsertionPoint(nested.getInsertionBlock(),
                                            nested.getInsertionPoint());
                        memref::StoreOp::create(b, partial(), workspace,
                                                ValueRange{g, split, m, n});
                        scf::YieldOp::create(b);
                      });
  });
}

/// out = float(acc) * (clip_lhs * clip_rhs / 16129), the reference's
/// operation order, at GEMM coordinates (m, n) of group g, if they are in
/// the result.
void IgemmEmitter::epilogue(Value g, Value m, Value n,
                            function_ref<Value()> accumulator) {
  Element element = elementC(g, m, n);
  scf::IfOp::create(b, element.valid, [&](OpBuilder &nested, Location) {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(nested.getInsertionBlock(), nested.getInsertionPoint());
    Value acc = accumulator();
    Value product = fmul(clipValue(clipLhs, element.channel),
                         clipValue(clipRhs, element.channel));
    Value alpha =
        fdiv(product,
             arith::ConstantOp::create(b, b.getF32FloatAttr(127.0 * 127.0)));
    Value value = fmul(arith::SIToFPOp::create(b, b.getF32Type(), acc), alpha);
    if (addend) {
      // The fused elementwise add, in its operand order.
      Value earlier = memref::LoadOp::create(b, addend, element.indices);
      value = addendFirst ? fadd(earlier, value) : fadd(value, earlier);
    }
    memref::StoreOp::create(b, value, out, element.indices);
    scf::YieldOp::create(b);
  });
}

/// The sum of the split partials of (g, m, n), in split order. i32 adds as
/// LLVM ops (wrapping, as the reference's accumulation): see KernelArith.h.
Value IgemmEmitter::sumSplits(Value g, Value m, Value n) {
  Value zero = arith::ConstantOp::create(b, b.getI32IntegerAttr(0));
  auto loop = scf::ForOp::create(
      b, idx(0), idx(splits), idx(1), ValueRange{zero},
      [&](OpBuilder &nested, Location, Value split, ValueRange sum) {
        OpBuilder::InsertionGuard guard(b);
        b.setInsertionPoint(nested.getInsertionBlock(),
                            nested.getInsertionPoint());
        Value partial =
            memref::LoadOp::create(b, workspace, ValueRange{g, split, m, n});
        scf::YieldOp::create(
            b, ValueRange{LLVM::AddOp::create(b, sum[0], partial)});
      });
  return loop.getResult(0);
}

/// Split-K on the GPU when the C tiles alone would leave the machine idle:
/// enough splits for `kTargetBlocks` blocks (two per SM of a 132-SM
/// H100/H200), each split keeping at least 8 K tiles for its pipeline.
int64_t IgemmEmitter::chooseSplits(int64_t blocks, int64_t numKTiles) const {
  constexpr int64_t kTargetBlocks = 264, kMinTilesPerSplit = 8;
  int64_t wanted = cfg.splitK;
  if (wanted == 0)
    wanted = !cfg.gpu || blocks >= kTargetBlocks
                 ? 1
                 : std::min<int64_t>(llvm::divideCeil(kTargetBlocks, blocks),
                                     numKTiles / kMinTilesPerSplit);
  return std::clamp<int64_t>(wanted, 1, numKTiles);
}

/// The second kernel of split-K: one thread per element of C.
void IgemmEmitter::emitSplitReduction() {
  int64_t total = gemmM() * gemmN();
  auto element = [&](Value g, Value e) {
    Value m = div(e, gemmN()), n = rem(e, gemmN());
    epilogue(g, m, n, [&] { return sumSplits(g, m, n); });
  };
  if (!cfg.gpu) {
    scf::ForOp::create(b, idx(0), idx(geo.groups), idx(1), ValueRange{},
                       [&](OpBuilder &nested, Location, Value g, ValueRange) {
                         OpBuilder::InsertionGuard guard(b);
                         b.setInsertionPoint(nested.getInsertionBlock(),
                                             nested.getInsertionPoint());
                         forEachThread(Value(), total,
                                       [&](Value e) { element(g, e); });
                         scf::YieldOp::create(b);
                       });
    return;
  }
  constexpr int64_t kThreads = 256;
  auto launch =
      gpu::LaunchOp::create(b, idx(llvm::divideCeil(total, kThreads)), idx(1),
                            idx(geo.groups), idx(kThreads), idx(1), idx(1));
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(&launch.getBody().front());
  Value g = gpu::BlockIdOp::create(b, gpu::Dimension::z);
  Value e = add(mul(gpu::BlockIdOp::create(b, gpu::Dimension::x), kThreads),
                gpu::ThreadIdOp::create(b, gpu::Dimension::x));
  scf::IfOp::create(b, lt(e, total), [&](OpBuilder &nested, Location) {
    OpBuilder::InsertionGuard guard2(b);
    b.setInsertionPoint(nested.getInsertionBlock(), nested.getInsertionPoint());
    element(g, e);
    scf::YieldOp::create(b);
  });
  gpu::TerminatorOp::create(b);
}

void IgemmEmitter::emit(const Operand &a, const Operand &bOp, Operand lhsClip,
                        Operand rhsClip, Value result) {
  clipLhs = lhsClip, clipRhs = rhsClip, out = result;
  int64_t tilesM = llvm::divideCeil(gemmM(), cfg.tileM);
  int64_t tilesN = llvm::divideCeil(gemmN(), cfg.tileN);
  int64_t numKTiles = llvm::divideCeil(gemmK(), cfg.tileK);
  splits = chooseSplits(tilesM * tilesN * geo.groups, numKTiles);
  tilesPerSplit = llvm::divideCeil(numKTiles, splits);
  splits = llvm::divideCeil(numKTiles, tilesPerSplit); // none empty
  if (splits > 1)
    workspace = memref::AllocOp::create(
        b, MemRefType::get({geo.groups, splits, gemmM(), gemmN()},
                           b.getI32Type()));
  // The shared tiles, then the run views (inside the kernel on the GPU).
  auto setUpBlocks = [&] {
    Type i8 = b.getI8Type();
    std::array<Value, 3> tiles = {
        sharedTile({cfg.stages, cfg.tileM, cfg.tileK}, i8),
        cfg.amx ? sharedTile({cfg.stages, cfg.tileK / 4, cfg.tileN, 4}, i8)
                : sharedTile({cfg.stages, cfg.tileN, cfg.tileK}, i8),
        sharedTile({cfg.tileM, cfg.tileN}, b.getI32Type())};
    runsA = staging(a, /*isA=*/true);
    runsB = staging(bOp, /*isA=*/false);
    return tiles;
  };
  if (cfg.gpu) {
    auto launch = gpu::LaunchOp::create(b, idx(tilesM), idx(tilesN),
                                        idx(geo.groups * splits),
                                        idx(cfg.numThreads()), idx(1), idx(1));
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(&launch.getBody().front());
      std::array<Value, 3> tiles = setUpBlocks();
      // Ids from gpu.block_id / gpu.thread_id rather than the launch's block
      // arguments: convert-vector-to-gpu (MLIR 22) follows a block argument
      // used by a warp-matrix transfer to the gpu.launch and then takes the
      // whole kernel body into its slice.
      auto blockId = [&](gpu::Dimension d) {
        return gpu::BlockIdOp::create(b, d).getResult();
      };
      // Grid z enumerates (group, split), split fastest.
      Value z = blockId(gpu::Dimension::z);
      Value split = splits > 1 ? rem(z, splits) : Value();
      emitBlock(a, bOp, div(z, splits), split, blockId(gpu::Dimension::x),
                blockId(gpu::Dimension::y),
                gpu::ThreadIdOp::create(b, gpu::Dimension::x), tiles[0],
                tiles[1], tiles[2]);
      gpu::TerminatorOp::create(b);
    }
    if (workspace)
      emitSplitReduction();
    return;
  }
  std::array<Value, 3> tiles = setUpBlocks();
  auto loopOver = [&](int64_t count, function_ref<void(Value)> body) {
    scf::ForOp::create(b, idx(0), idx(count), idx(1), ValueRange{},
                       [&](OpBuilder &nested, Location, Value iv, ValueRange) {
                         OpBuilder::InsertionGuard guard(b);
                         b.setInsertionPoint(nested.getInsertionBlock(),
                                             nested.getInsertionPoint());
                         body(iv);
                         scf::YieldOp::create(b);
                       });
  };
  loopOver(geo.groups, [&](Value g) {
    loopOver(splits, [&](Value split) {
      loopOver(tilesN, [&](Value bn) {
        loopOver(tilesM, [&](Value bm) {
          emitBlock(a, bOp, g, workspace ? split : Value(), bm, bn,
                    /*tid=*/Value(), tiles[0], tiles[1], tiles[2]);
        });
      });
    });
  });
  if (workspace)
    emitSplitReduction();
}

/// Reads the geometry of `op` from its operand and result shapes.
Geometry readGeometry(Operation *op, ConvAttr conv, Direction direction) {
  auto shapeOf = [](Value v) {
    return cast<RankedTensorType>(v.getType()).getShape();
  };
  ArrayRef<int64_t> lhs = shapeOf(op->getOperand(0));
  ArrayRef<int64_t> rhs = shapeOf(op->getOperand(2));
  ArrayRef<int64_t> result = shapeOf(op->getResult(0));
  ArrayRef<int64_t> x, y, w;
  switch (direction) {
  case Direction::Forward:
    x = lhs, w = rhs, y = result;
    break;
  case Direction::BackwardData:
    y = lhs, w = rhs, x = result;
    break;
  case Direction::BackwardFilter:
    x = lhs, y = rhs, w = result;
    break;
  }
  Geometry geo;
  geo.nhwc = conv.isNHWC();
  auto act = [&](ArrayRef<int64_t> s, int64_t &n, int64_t &c, int64_t &h,
                 int64_t &wd) {
    n = s[0];
    c = geo.nhwc ? s[3] : s[1];
    h = geo.nhwc ? s[1] : s[2];
    wd = geo.nhwc ? s[2] : s[3];
  };
  int64_t n2, o2;
  act(x, geo.n, geo.c, geo.h, geo.w);
  act(y, n2, o2, geo.oh, geo.ow);
  geo.o = w[0];
  geo.kh = geo.nhwc ? w[1] : w[2];
  geo.kw = geo.nhwc ? w[2] : w[3];
  geo.groups = conv.getGroups();
  geo.sh = conv.getStride(0);
  geo.sw = conv.getStride(1);
  geo.dh = conv.getDilation(0);
  geo.dw = conv.getDilation(1);
  geo.padTop = conv.getPadLow(0);
  geo.padLeft = conv.getPadLow(1);
  return geo;
}

/// An elementwise add `a + b` (`linalg.generic`, identity maps, a body of
/// one `arith.addf` without fast-math flags) that is the only use of the
/// convolution's result and whose other operand is defined before the
/// convolution: the gradient of a tensor with two consumers, as Torch-MLIR
/// writes it (a residual block's backward-data). The epilogue then
/// accumulates into that earlier gradient.
struct Accumulation {
  linalg::GenericOp add;
  /// Which input of `add` is the earlier gradient (read when the
  /// convolution is lowered: an earlier convolution may have been replaced).
  unsigned addendInput;
  bool addendFirst = false;
};

std::optional<Accumulation> findAccumulation(Operation *conv,
                                             DominanceInfo &dominance) {
  Value result = conv->getResult(0);
  if (!result.hasOneUse())
    return std::nullopt;
  auto add = dyn_cast<linalg::GenericOp>(*result.user_begin());
  if (!add || add.getNumDpsInputs() != 2 || add.getNumDpsInits() != 1 ||
      add.getNumParallelLoops() != add.getNumLoops() ||
      !llvm::all_of(add.getIndexingMapsArray(),
                    [](AffineMap map) { return map.isIdentity(); }))
    return std::nullopt;
  Block &body = add.getRegion().front();
  auto addf = dyn_cast<arith::AddFOp>(body.front());
  if (!addf || addf.getFastmath() != arith::FastMathFlags::none ||
      body.getTerminator()->getOperands() != addf->getResults())
    return std::nullopt;
  Value in0 = body.getArgument(0), in1 = body.getArgument(1);
  bool straight = addf.getLhs() == in0 && addf.getRhs() == in1;
  if (!straight && !(addf.getLhs() == in1 && addf.getRhs() == in0))
    return std::nullopt;
  Accumulation acc;
  acc.add = add;
  acc.addendInput = add.getDpsInputs()[0] == result ? 1 : 0;
  Value addend = add.getDpsInputs()[acc.addendInput];
  // Input 0 is the addf's lhs when `straight`.
  acc.addendFirst = (acc.addendInput == 0) == straight;
  if (addend == result || addend.getType() != result.getType() ||
      add->getResult(0).getType() != result.getType() ||
      !dominance.properlyDominates(addend, conv))
    return std::nullopt;
  return acc;
}

template <typename QConvOp>
LogicalResult lowerConvolution(QConvOp op, Direction direction,
                               const TileConfig &cfg,
                               std::optional<Accumulation> accumulation) {
  for (Value v :
       {op->getOperand(0), op->getOperand(2), Value(op->getResult(0))})
    if (!cast<RankedTensorType>(v.getType()).hasStaticShape())
      return op.emitOpError("tiled implicit GEMM needs static shapes");
  if (op.getRounding() && op.getRounding()->isStochastic())
    return op.emitOpError(
        "stochastic rounding is not supported by the tiled implicit GEMM "
        "(convert-daq-conv-to-igemm); lower this convolution with "
        "convert-daq-to-linalg or use nearest_even rounding");

  ConvAttr conv = op.getConv();
  Geometry geo = readGeometry(op, conv, direction);
  ImplicitLocOpBuilder b(op.getLoc(), op);

  auto bufferOf = [&](Value tensor) -> Value {
    auto type = cast<RankedTensorType>(tensor.getType());
    return bufferization::ToBufferOp::create(
        b, MemRefType::get(type.getShape(), type.getElementType()), tensor,
        /*read_only=*/true);
  };
  auto operandAt = [&](unsigned index) {
    Operand operand;
    Value tensor = op->getOperand(index), clip = op->getOperand(index + 1);
    operand.buffer = bufferOf(tensor);
    operand.clip = bufferOf(clip);
    operand.quantize =
        !cast<RankedTensorType>(tensor.getType()).getElementType().isInteger(8);
    operand.perChannel = cast<RankedTensorType>(clip.getType()).getRank() == 1;
    return operand;
  };
  Operand lhs = operandAt(0), rhs = operandAt(2);
  auto resultType = cast<RankedTensorType>(op.getResult().getType());
  Value out = memref::AllocOp::create(
      b, MemRefType::get(resultType.getShape(), resultType.getElementType()));

  IgemmEmitter emitter(b, cfg, geo, direction);
  if (accumulation) {
    emitter.addend =
        bufferOf(accumulation->add.getDpsInputs()[accumulation->addendInput]);
    emitter.addendFirst = accumulation->addendFirst;
  }
  // Backward-filter's A operand is the output gradient (the op's rhs).
  if (direction == Direction::BackwardFilter)
    emitter.emit(rhs, lhs, lhs, rhs, out);
  else
    emitter.emit(lhs, rhs, lhs, rhs, out);

  Value result = bufferization::ToTensorOp::create(
      b, resultType, out, /*restrict=*/b.getUnitAttr(),
      /*writable=*/b.getUnitAttr());
  if (accumulation) {
    accumulation->add->getResult(0).replaceAllUsesWith(result);
    accumulation->add.erase();
  }
  op.getResult().replaceAllUsesWith(result);
  op.erase();
  return success();
}

struct ConvertDaqConvToIgemmPass
    : daq::impl::ConvertDaqConvToIgemmBase<ConvertDaqConvToIgemmPass> {
  using Base::Base;

  LogicalResult parseConfig(TileConfig &cfg) {
    cfg.gpu = target == "gpu";
    if (!cfg.gpu && target != "cpu")
      return emitError(getOperation()->getLoc())
             << "convert-daq-conv-to-igemm: target must be 'gpu' or 'cpu', "
                "not '"
             << target << "'";
    if (mma == "m16n8k32") {
      cfg.mmaM = 16, cfg.mmaN = 8, cfg.mmaK = 32;
    } else if (mma == "m8n8k16") {
      cfg.mmaM = 8, cfg.mmaN = 8, cfg.mmaK = 16;
    } else if (mma == "amx" && !cfg.gpu) {
      cfg.mmaM = 16, cfg.mmaN = 16, cfg.mmaK = 64;
      cfg.amx = true;
    } else {
      return emitError(getOperation()->getLoc())
             << "convert-daq-conv-to-igemm: mma must be 'm16n8k32' (sm_80+), "
                "'m8n8k16' (sm_75) or, with target=cpu, 'amx', not '"
             << mma << "'";
    }
    cfg.tileM = tileM, cfg.tileN = tileN, cfg.tileK = tileK;
    cfg.stages = stages;
    cfg.asyncCopy = asyncCopy;
    cfg.splitK = splitK;
    cfg.warpM = warpM, cfg.warpN = warpN;
    auto fail = [&](const Twine &what) {
      return emitError(getOperation()->getLoc())
             << "convert-daq-conv-to-igemm: " << what;
    };
    if (cfg.tileM <= 0 || cfg.tileN <= 0 || cfg.tileK <= 0 || cfg.warpM <= 0 ||
        cfg.warpN <= 0)
      return fail("tile sizes must be positive");
    if (cfg.splitK < 0)
      return fail("split-k must be 0 (automatic) or positive");
    if (cfg.stages < 2)
      return fail("stages must be at least 2 (the K loop stages tile k+1 "
                  "while it multiplies tile k)");
    if (cfg.warpM % cfg.mmaM || cfg.warpN % cfg.mmaN || cfg.tileK % cfg.mmaK)
      return fail("warp-m, warp-n and tile-k must be multiples of the mma "
                  "shape (" +
                  mma + ")");
    if (cfg.tileM % cfg.warpM || cfg.tileN % cfg.warpN)
      return fail("tile-m and tile-n must be multiples of warp-m and warp-n");
    if (cfg.numThreads() > 1024)
      return fail("the block tile needs " + Twine(cfg.numThreads()) +
                  " threads, more than 1024");
    if (cfg.gpu && cfg.sharedBytes() > 48 * 1024)
      return fail("the block tile needs " + Twine(cfg.sharedBytes()) +
                  " bytes of shared memory (" + Twine(cfg.stages) +
                  " stages of A and B, and the i32 C tile), more than the 48 "
                  "KiB of static shared memory");
    return success();
  }

  void runOnOperation() override {
    TileConfig cfg;
    if (failed(parseConfig(cfg)))
      return signalPassFailure();
    // Which convolutions accumulate is decided before any is rewritten.
    DominanceInfo &dominance = getAnalysis<DominanceInfo>();
    SmallVector<std::pair<Operation *, std::optional<Accumulation>>>
        convolutions;
    getOperation()->walk([&](Operation *op) {
      if (!isa<QConv2DOp, QConv2DBackwardDataOp, QConv2DBackwardFilterOp>(op))
        return;
      std::optional<Accumulation> accumulation;
      if (accumulate)
        accumulation = findAccumulation(op, dominance);
      convolutions.emplace_back(op, accumulation);
    });
    for (auto &entry : convolutions) {
      Operation *op = entry.first;
      std::optional<Accumulation> accumulation = entry.second;
      LogicalResult result =
          TypeSwitch<Operation *, LogicalResult>(op)
              .Case([&](QConv2DOp conv) {
                return lowerConvolution(conv, Direction::Forward, cfg,
                                        accumulation);
              })
              .Case([&](QConv2DBackwardDataOp conv) {
                return lowerConvolution(conv, Direction::BackwardData, cfg,
                                        accumulation);
              })
              .Case([&](QConv2DBackwardFilterOp conv) {
                return lowerConvolution(conv, Direction::BackwardFilter, cfg,
                                        accumulation);
              });
      if (failed(result))
        return signalPassFailure();
    }
  }
};

} // namespace
