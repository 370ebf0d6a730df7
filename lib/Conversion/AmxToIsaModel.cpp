//===- AmxToIsaModel.cpp - amx dialect tiles on the software model --------===//
//
// A tile value of the amx dialect has no memory of its own; here it gets a
// stack buffer (16 rows of 64 bytes, allocated once per function), and each
// operation becomes a call that moves tiles between that buffer, memory and
// the runtime's model of the AMX instructions (AmxTileModel.h).
//
//===----------------------------------------------------------------------===//

#include "daq/Conversion/Passes.h"

#include "mlir/Dialect/AMX/AMXDialect.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "llvm/ADT/TypeSwitch.h"

namespace mlir::daq {
#define GEN_PASS_DEF_CONVERTAMXTOISAMODEL
#include "daq/Conversion/Passes.h.inc"
} // namespace mlir::daq

using namespace mlir;

namespace {

/// Bytes of one tile buffer: 16 rows of 64 bytes, the largest tile.
constexpr int64_t kTileBytes = 16 * 64;

class ModelLowering {
public:
  ModelLowering(ModuleOp module, func::FuncOp func)
      : module(module), func(func) {}

  LogicalResult lower(Operation *op);

private:
  ModuleOp module;
  func::FuncOp func;
  /// The buffer address (i64) of every tile value lowered so far.
  DenseMap<Value, Value> tiles;

  Value constant(ImplicitLocOpBuilder &b, int64_t value) {
    return arith::ConstantOp::create(b, b.getI64IntegerAttr(value));
  }
  /// A new tile buffer in the entry block, and its address.
  Value newTile(Value tile);
  /// Byte address of `memref[indices]` and the byte stride between tile rows
  /// (`stride` elements, or the memref's second-innermost stride).
  std::pair<Value, Value> rowAddressing(ImplicitLocOpBuilder &b, Value memref,
                                        ValueRange indices, Value stride);
  void call(ImplicitLocOpBuilder &b, StringRef name, ArrayRef<Value> args);
  /// (rows, colsb) of a tile type as i64 constants.
  std::pair<Value, Value> shape(ImplicitLocOpBuilder &b, amx::TileType type) {
    int64_t colsb =
        type.getDimSize(1) * type.getElementType().getIntOrFloatBitWidth() / 8;
    return {constant(b, type.getDimSize(0)), constant(b, colsb)};
  }
};

Value ModelLowering::newTile(Value tile) {
  Block &entry = func.getBody().front();
  ImplicitLocOpBuilder b(tile.getLoc(), &entry, entry.begin());
  Value buffer =
      memref::AllocaOp::create(b, MemRefType::get({kTileBytes}, b.getI8Type()),
                               ValueRange{}, b.getI64IntegerAttr(64));
  Value address = arith::IndexCastOp::create(
      b, b.getI64Type(),
      memref::ExtractAlignedPointerAsIndexOp::create(b, buffer));
  tiles[tile] = address;
  return address;
}

std::pair<Value, Value> ModelLowering::rowAddressing(ImplicitLocOpBuilder &b,
                                                     Value memref,
                                                     ValueRange indices,
                                                     Value stride) {
  auto type = cast<MemRefType>(memref.getType());
  auto metadata = memref::ExtractStridedMetadataOp::create(b, memref);
  Value linear = metadata.getOffset();
  for (auto [index, elementStride] :
       llvm::zip_equal(indices, metadata.getStrides()))
    linear = arith::AddIOp::create(
        b, linear, arith::MulIOp::create(b, index, elementStride));
  int64_t elementBytes = type.getElementTypeBitWidth() / 8;
  Value bytes = arith::ConstantIndexOp::create(b, elementBytes);
  Value base = memref::ExtractAlignedPointerAsIndexOp::create(b, memref);
  Value address =
      arith::AddIOp::create(b, base, arith::MulIOp::create(b, linear, bytes));
  Value rowStride = stride ? stride : metadata.getStrides()[type.getRank() - 2];
  Value strideBytes = arith::MulIOp::create(b, rowStride, bytes);
  auto toI64 = [&](Value v) {
    return arith::IndexCastOp::create(b, b.getI64Type(), v).getResult();
  };
  return {toI64(address), toI64(strideBytes)};
}

void ModelLowering::call(ImplicitLocOpBuilder &b, StringRef name,
                         ArrayRef<Value> args) {
  auto type = b.getFunctionType(TypeRange(ValueRange(args)), {});
  if (!module.lookupSymbol<func::FuncOp>(name)) {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(module.getBody());
    func::FuncOp::create(b, name, type).setPrivate();
  }
  func::CallOp::create(b, name, TypeRange{}, args);
}

LogicalResult ModelLowering::lower(Operation *op) {
  // Tiles get their buffers where amx ops define them; one that arrives as a
  // function or block argument has none.
  for (Value operand : op->getOperands())
    if (isa<amx::TileType>(operand.getType()) && !tiles.count(operand))
      return op->emitOpError(
          "uses a tile that no amx operation of this function defines (a "
          "function or block argument); convert-amx-to-isa-model only "
          "models tiles defined and used in one function");
  for (Operation *user : op->getUsers())
    if (!isa_and_present<amx::AMXDialect>(user->getDialect()))
      return op->emitOpError("has a tile result used by '")
             << user->getName()
             << "'; convert-amx-to-isa-model only models tiles used by amx "
                "operations";
  ImplicitLocOpBuilder b(op->getLoc(), op);
  return TypeSwitch<Operation *, LogicalResult>(op)
      .Case([&](amx::TileZeroOp zero) {
        auto [rows, colsb] = shape(b, zero.getTileType());
        call(b, "daq_amx_model_tile_zero",
             {newTile(zero.getRes()), rows, colsb});
        return success();
      })
      .Case([&](amx::TileLoadOp load) {
        auto [address, stride] = rowAddressing(
            b, load.getBase(), load.getIndices(), load.getStride());
        auto [rows, colsb] = shape(b, load.getTileType());
        call(b, "daq_amx_model_tile_load",
             {newTile(load.getRes()), address, stride, rows, colsb});
        return success();
      })
      .Case([&](amx::TileStoreOp store) {
        auto [address, stride] = rowAddressing(
            b, store.getBase(), store.getIndices(), store.getStride());
        auto [rows, colsb] = shape(b, store.getTileType());
        call(b, "daq_amx_model_tile_store",
             {address, stride, tiles.lookup(store.getVal()), rows, colsb});
        return success();
      })
      .Case([&](amx::TileMulIOp mul) -> LogicalResult {
        if (mul.getIsZextLhs() || mul.getIsZextRhs())
          return mul.emitOpError(
              "has zero-extended operands; only the signed tdpbssd is "
              "modelled (convert-amx-to-isa-model)");
        auto [accRows, accColsb] = shape(b, mul.getTileType());
        auto [lhsRows, lhsColsb] = shape(b, mul.getLhsTileType());
        auto [rhsRows, rhsColsb] = shape(b, mul.getRhsTileType());
        call(b, "daq_amx_model_tdpbssd",
             {newTile(mul.getRes()), tiles.lookup(mul.getAcc()),
              tiles.lookup(mul.getLhs()), tiles.lookup(mul.getRhs()), accRows,
              accColsb, lhsRows, lhsColsb, rhsRows, rhsColsb});
        return success();
      })
      .Default([&](Operation *other) -> LogicalResult {
        return other->emitOpError(
            "is not modelled; only the signed tdpbssd, tile loads, stores "
            "and zeroing are (convert-amx-to-isa-model)");
      });
}

struct ConvertAmxToIsaModelPass
    : daq::impl::ConvertAmxToIsaModelBase<ConvertAmxToIsaModelPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    for (auto func : llvm::to_vector(module.getOps<func::FuncOp>())) {
      if (func.isExternal())
        continue;
      // Program order: a tile's definition is lowered before its uses.
      SmallVector<Operation *> amxOps;
      func.walk([&](Operation *op) {
        if (isa_and_present<amx::AMXDialect>(op->getDialect()))
          amxOps.push_back(op);
      });
      ModelLowering lowering(module, func);
      for (Operation *op : amxOps)
        if (failed(lowering.lower(op)))
          return signalPassFailure();
      for (Operation *op : llvm::reverse(amxOps))
        op->erase();
    }
  }
};

} // namespace
