//===- AmxTileModel.cpp - AMX dialect tiles on the ISA model --------------===//
//
// Each call configures the model's tiles for its one operation (palette 1,
// the shapes it was given), moves the tile buffers of the generated code in
// and out with the model's tileloadd / tilestored, and releases the tiles,
// so every shape, stride and configuration rule of IsaModel.h is checked
// on the generated code's values.
//
//===----------------------------------------------------------------------===//

#include "daq/Runtime/AmxTileModel.h"

#include "IsaModel.h"

#include <initializer_list>
#include <utility>

using namespace mlir::daq::cpu::isa_model;

namespace {
/// The 64-byte operand of ldtilecfg (palette 1).
struct alignas(64) TileConfig {
  uint8_t palette = 1;
  uint8_t startRow = 0;
  uint8_t reserved[14] = {};
  uint16_t bytesPerRow[16] = {};
  uint8_t rows[16] = {};
};

/// Row stride of the generated code's tile buffers.
constexpr int64_t kBufferStride = 64;

void *pointer(int64_t address) { return reinterpret_cast<void *>(address); }

/// Configures tiles 0, 1, ... with the given (rows, colsb).
void configure(std::initializer_list<std::pair<int64_t, int64_t>> shapes) {
  TileConfig config;
  int tile = 0;
  for (auto [rows, colsb] : shapes) {
    config.rows[tile] = static_cast<uint8_t>(rows);
    config.bytesPerRow[tile] = static_cast<uint16_t>(colsb);
    ++tile;
  }
  _tile_loadconfig(&config);
}

/// tileloadd from `from`, tilestored to `to` (strides in bytes).
void moveTile(int64_t from, int64_t fromStride, int64_t to, int64_t toStride,
              int64_t rows, int64_t colsb) {
  configure({{rows, colsb}});
  _tile_loadd(0, pointer(from), fromStride);
  _tile_stored(0, pointer(to), toStride);
  _tile_release();
}
} // namespace

void daq_amx_model_tile_zero(int64_t tile, int64_t rows, int64_t colsb) {
  configure({{rows, colsb}});
  _tile_zero(0);
  _tile_stored(0, pointer(tile), kBufferStride);
  _tile_release();
}

void daq_amx_model_tile_load(int64_t tile, int64_t address, int64_t stride,
                             int64_t rows, int64_t colsb) {
  moveTile(address, stride, tile, kBufferStride, rows, colsb);
}

void daq_amx_model_tile_store(int64_t address, int64_t stride, int64_t tile,
                              int64_t rows, int64_t colsb) {
  moveTile(tile, kBufferStride, address, stride, rows, colsb);
}

void daq_amx_model_tdpbssd(int64_t result, int64_t acc, int64_t lhs,
                           int64_t rhs, int64_t accRows, int64_t accColsb,
                           int64_t lhsRows, int64_t lhsColsb, int64_t rhsRows,
                           int64_t rhsColsb) {
  configure({{accRows, accColsb}, {lhsRows, lhsColsb}, {rhsRows, rhsColsb}});
  _tile_loadd(0, pointer(acc), kBufferStride);
  _tile_loadd(1, pointer(lhs), kBufferStride);
  _tile_loadd(2, pointer(rhs), kBufferStride);
  _tile_dpbssd(0, 1, 2);
  _tile_stored(0, pointer(result), kBufferStride);
  _tile_release();
}
