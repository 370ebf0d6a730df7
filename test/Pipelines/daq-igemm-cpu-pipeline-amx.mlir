// The AMX form of the tiled implicit GEMM (mma=amx), three ways.
//
// As AMX dialect tiles: convert-vector-to-amx loads A, B and the i32
// accumulator straight from the shared tiles (rows 64 bytes apart in A, 128 in
// the VNNI B tile of tile-n = 32, 32 i32 in C) and stores the sum back in
// place: no temporary buffer besides the three shared tiles.
// RUN: daq-opt %s --convert-daq-conv-to-igemm="target=cpu mma=amx tile-m=32 tile-n=32 tile-k=64 warp-m=16 warp-n=32" --convert-vector-to-amx --cse | FileCheck %s --check-prefix=TILES
//
// Through daq-igemm-cpu-pipeline with amx-tiles=true, to the LLVM dialect's
// tile intrinsics and, through llc for a CPU with AMX-INT8, to the
// instructions (tile configuration, loads, tdpbssd, stores, release).
// RUN: daq-opt %s --daq-igemm-cpu-pipeline="mma=amx tile-m=32 tile-n=32 tile-k=64 warp-m=16 warp-n=32 amx-tiles=true" | FileCheck %s --check-prefix=LLVM
// RUN: daq-opt %s --daq-igemm-cpu-pipeline="mma=amx tile-m=32 tile-n=32 tile-k=64 warp-m=16 warp-n=32 amx-tiles=true" | mlir-translate --mlir-to-llvmir | llc -O2 -mattr=+amx-tile,+amx-int8 | FileCheck %s --check-prefix=ASM
//
// With amx-model, the tiles as calls of the software model of the AMX
// instructions (convert-amx-to-isa-model), which any CPU runs.
// RUN: daq-opt %s --daq-igemm-cpu-pipeline="mma=amx tile-m=32 tile-n=32 tile-k=64 warp-m=16 warp-n=32 amx-model=true" | FileCheck %s --check-prefix=MODEL
//
// Without amx-tiles, the same contractions flattened
// (daq-flatten-vnni-contractions) for any CPU: no tile, no contraction left.
// RUN: daq-opt %s --daq-igemm-cpu-pipeline="mma=amx tile-m=32 tile-n=32 tile-k=64 warp-m=16 warp-n=32" | FileCheck %s --check-prefix=FLAT

// TILES-LABEL: func.func @forward
// TILES-DAG: %[[A:.*]] = memref.alloca() : memref<3x32x64xi8>
// TILES-DAG: %[[B:.*]] = memref.alloca() : memref<3x16x32x4xi8>
// TILES-DAG: %[[C:.*]] = memref.alloca() : memref<32x32xi32>
// TILES: %[[VIEW:.*]] = memref.expand_shape %[[A]]
// TILES: %[[AROWS:.*]] = memref.collapse_shape %{{.*}} : memref<1x16x16x4xi8, strided<[2048, 64, 4, 1], offset: ?>> into memref<1x16x64xi8, strided<[2048, 64, 1], offset: ?>>
// TILES: %[[AT:.*]] = amx.tile_load %[[AROWS]][{{.*}}] : memref<1x16x64xi8, strided<[2048, 64, 1], offset: ?>> into !amx.tile<16x64xi8>
// TILES: memref.subview %[[B]]
// TILES: %[[BT:.*]] = amx.tile_load %{{.*}} : memref<1x16x64xi8, strided<[2048, 128, 1], offset: ?>> into !amx.tile<16x64xi8>
// TILES: %[[CV:.*]] = memref.subview %[[C]]{{.*}} to memref<16x16xi32, strided<[32, 1], offset: ?>>
// TILES: %[[CT:.*]] = amx.tile_load %[[CV]]{{.*}} into !amx.tile<16x16xi32>
// TILES: %[[SUM:.*]] = amx.tile_muli %[[AT]], %[[BT]], %[[CT]] : !amx.tile<16x64xi8>, !amx.tile<16x64xi8>, !amx.tile<16x16xi32>
// TILES: amx.tile_store %[[CV]][{{.*}}], %[[SUM]]
// TILES: amx.tile_muli
// TILES: amx.tile_store
// TILES-NOT: memref.alloca
// TILES-NOT: vector.contract
// TILES: return

// LLVM-LABEL: llvm.func @forward
// LLVM-COUNT-3: llvm.alloca
// LLVM-NOT: llvm.alloca
// LLVM-COUNT-3: llvm.call_intrinsic "llvm.x86.tileloadd64.internal"
// LLVM: llvm.call_intrinsic "llvm.x86.tdpbssd.internal"
// LLVM: llvm.call_intrinsic "llvm.x86.tilestored64.internal"
// LLVM-COUNT-3: llvm.call_intrinsic "llvm.x86.tileloadd64.internal"
// LLVM: llvm.call_intrinsic "llvm.x86.tdpbssd.internal"
// LLVM: llvm.call_intrinsic "llvm.x86.tilestored64.internal"
// LLVM-NOT: vector.contract
// LLVM-NOT: llvm.alloca

// ASM-LABEL: forward:
// ASM: ldtilecfg
// ASM-COUNT-3: tileloadd
// ASM-NEXT: tdpbssd
// ASM-NEXT: tilestored
// ASM: tdpbssd
// ASM: tilerelease

// MODEL-LABEL: llvm.func @forward
// MODEL-NOT: x86_amx
// MODEL-COUNT-3: llvm.call @daq_amx_model_tile_load
// MODEL-NEXT: llvm.call @daq_amx_model_tdpbssd
// MODEL: llvm.call @daq_amx_model_tile_store
// MODEL-NOT: x86_amx
// MODEL: llvm.return

// FLAT-LABEL: llvm.func @forward
// FLAT-NOT: x86_amx
// FLAT-NOT: vector.contract
// FLAT: llvm.return
func.func @forward(%qx: tensor<1x3x9x9xi8>, %sx: tensor<f32>, %qw: tensor<17x3x3x3xi8>, %sw: tensor<17xf32>) -> tensor<1x17x9x9xf32> {
  %y = daq.qconv2d %qx[%sx], %qw[%sw] {conv = #daq.conv<layout = nchw, padding = [1, 1, 1, 1]>}
      : (tensor<1x3x9x9xi8>, tensor<f32>, tensor<17x3x3x3xi8>, tensor<17xf32>) -> tensor<1x17x9x9xf32>
  return %y : tensor<1x17x9x9xf32>
}
