//===- AmxTileModel.h - AMX dialect tiles on the ISA model ----*- C++ -*-===//
//
// The runtime side of --convert-amx-to-isa-model (tests): each `amx` dialect
// operation becomes one call that runs it on the software model of the AMX
// instructions (lib/CpuKernels/IsaModel.h), with its own tile configuration
// and the model's checks. A tile value lives in a 1 KiB buffer of the
// generated code, 16 rows of 64 bytes; `rows` and `colsb` are the tile
// type's. Addresses and strides are in bytes.
//
//===----------------------------------------------------------------------===//

#ifndef DAQ_RUNTIME_AMXTILEMODEL_H
#define DAQ_RUNTIME_AMXTILEMODEL_H

#include <cstdint>

/// tilezero: `tile` = 0.
extern "C" void daq_amx_model_tile_zero(int64_t tile, int64_t rows,
                                        int64_t colsb);
/// tileloadd: `tile` = rows x colsb bytes from address + r * stride.
extern "C" void daq_amx_model_tile_load(int64_t tile, int64_t address,
                                        int64_t stride, int64_t rows,
                                        int64_t colsb);
/// tilestored: rows x colsb bytes of `tile` to address + r * stride.
extern "C" void daq_amx_model_tile_store(int64_t address, int64_t stride,
                                         int64_t tile, int64_t rows,
                                         int64_t colsb);
/// tdpbssd: result = acc + lhs (s8) x rhs (s8, VNNI), in s32; each tile
/// with its own type's (rows, colsb), so the model checks that they agree.
extern "C" void daq_amx_model_tdpbssd(int64_t result, int64_t acc, int64_t lhs,
                                      int64_t rhs, int64_t accRows,
                                      int64_t accColsb, int64_t lhsRows,
                                      int64_t lhsColsb, int64_t rhsRows,
                                      int64_t rhsColsb);

#endif // DAQ_RUNTIME_AMXTILEMODEL_H
