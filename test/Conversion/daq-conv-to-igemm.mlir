// RUN: daq-opt %s -split-input-file --convert-daq-conv-to-igemm --cse | FileCheck %s --check-prefix=GPU
// RUN: daq-opt %s -split-input-file --convert-daq-conv-to-igemm="target=cpu tile-m=32 tile-n=16 tile-k=32 warp-m=16 warp-n=8" --cse | FileCheck %s --check-prefix=CPU
// RUN: daq-opt %s -split-input-file --convert-daq-conv-to-igemm="mma=m8n8k16" --cse | FileCheck %s --check-prefix=TURING

// Forward, NCHW, 3 -> 17 channels, 3x3, pad 1: M = 81 pixels (2 tiles of 64),
// N = 17 output channels (1 tile), K = 27 (1 K tile). The per-channel filter
// clip is read at the output channel in the epilogue.
// GPU-LABEL: func.func @forward
// GPU: bufferization.to_buffer %{{.*}} read_only : tensor<1x3x9x9xi8> to memref<1x3x9x9xi8>
// GPU: %[[OUT:.*]] = memref.alloc() : memref<1x17x9x9xf32>
// GPU: gpu.launch blocks({{.*}}) in ({{.*}} = %idx2, {{.*}} = %idx1, {{.*}} = %idx1) threads({{.*}}) in ({{.*}} = %idx128, {{.*}} = %idx1, {{.*}} = %idx1)
// GPU-DAG: %[[A:.*]] = memref.alloc() : memref<64x64xi8, #gpu.address_space<workgroup>>
// GPU-DAG: %[[B:.*]] = memref.alloc() : memref<64x64xi8, #gpu.address_space<workgroup>>
// GPU-DAG: %[[C:.*]] = memref.alloc() : memref<64x64xi32, #gpu.address_space<workgroup>>
// GPU: %[[TID:.*]] = gpu.thread_id x
// The i32 tile is zeroed, then one iteration per K tile stages A and B with
// the threads of the block, and every warp accumulates its 2x4 m16n8k32
// fragments over the two k32 slices of the tile.
// GPU: scf.for %{{.*}} = %[[TID]] to %idx4096 step %idx128
// GPU: memref.store {{.*}}, %[[C]]
// GPU: scf.for %{{.*}} = %idx0 to %idx1 step %idx1
// GPU: scf.for %{{.*}} = %[[TID]] to %idx4096 step %idx128
// GPU: scf.if
// GPU: memref.load {{.*}} : memref<1x3x9x9xi8>
// GPU: memref.store {{.*}}, %[[A]]
// GPU: memref.store {{.*}}, %[[B]]
// GPU: gpu.barrier
// GPU: index.divu %[[TID]], %idx32
// GPU-COUNT-8: vector.transfer_read %[[C]]{{.*}} : memref<64x64xi32, #gpu.address_space<workgroup>>, vector<16x8xi32>
// GPU: vector.transfer_read %[[A]]{{.*}} {in_bounds = [true, true]} : memref<64x64xi8, #gpu.address_space<workgroup>>, vector<16x32xi8>
// GPU: vector.transfer_read %[[B]]{{.*}} {in_bounds = [true, true]} : memref<64x64xi8, #gpu.address_space<workgroup>>, vector<8x32xi8>
// GPU-COUNT-16: vector.contract {indexing_maps = [#map, #map1, #map2], iterator_types = ["parallel", "parallel", "reduction"], kind = #vector.kind<add>} {{.*}} : vector<16x32xi8>, vector<8x32xi8> into vector<16x8xi32>
// GPU-COUNT-8: vector.transfer_write {{.*}}, %[[C]]{{.*}} : vector<16x8xi32>, memref<64x64xi32, #gpu.address_space<workgroup>>
// GPU: gpu.barrier
// The epilogue: float(acc) * (clip_x * clip_w[o] / 16129).
// GPU: scf.for %{{.*}} = %[[TID]] to %idx4096 step %idx128
// GPU: memref.load %[[C]]
// GPU: memref.load %{{.*}} : memref<f32>
// GPU: memref.load %{{.*}} : memref<17xf32>
// GPU: llvm.fmul
// GPU: llvm.fdiv %{{.*}}, %{{.*}} : f32
// GPU: arith.sitofp
// GPU: llvm.fmul
// GPU: memref.store {{.*}}, %[[OUT]]
// GPU: gpu.terminator
// GPU: bufferization.to_tensor %[[OUT]] restrict writable

// CPU-LABEL: func.func @forward
// CPU-NOT: gpu.launch
// CPU-DAG: memref.alloca() : memref<32x32xi8>
// CPU-DAG: memref.alloca() : memref<16x32xi8>
// CPU-DAG: memref.alloca() : memref<32x16xi32>
// CPU: scf.for {{.*}} to %idx1
// CPU: scf.for {{.*}} to %idx2
// CPU: scf.for {{.*}} to %idx3
// The four warps run one after the other.
// CPU: scf.for {{.*}} to %idx4 step %idx1
// CPU: vector.transfer_read {{.*}} : memref<32x16xi32>, vector<16x8xi32>
// CPU: vector.contract {{.*}} : vector<16x32xi8>, vector<8x32xi8> into vector<16x8xi32>
// CPU: vector.transfer_write {{.*}} : vector<16x8xi32>, memref<32x16xi32>
// CPU-NOT: gpu.barrier

// TURING-LABEL: func.func @forward
// TURING: vector.contract {{.*}} : vector<8x16xi8>, vector<8x16xi8> into vector<8x8xi32>
func.func @forward(%x: tensor<1x3x9x9xi8>, %sx: tensor<f32>, %w: tensor<17x3x3x3xi8>, %sw: tensor<17xf32>) -> tensor<1x17x9x9xf32> {
  %y = daq.qconv2d %x[%sx], %w[%sw] {conv = #daq.conv<layout = nchw, padding = [1, 1, 1, 1]>}
      : (tensor<1x3x9x9xi8>, tensor<f32>, tensor<17x3x3x3xi8>, tensor<17xf32>) -> tensor<1x17x9x9xf32>
  return %y : tensor<1x17x9x9xf32>
}

// -----

// Backward-filter with an f32 output gradient quantized on load with
// per-channel clips (nearest-even, daq.quantize's formula): K = 8*7*7 = 392
// gives 7 K tiles; the groups are the grid's z dimension.
// GPU-LABEL: func.func @backward_filter_quantize_on_load
// GPU: gpu.launch blocks({{.*}}) in ({{.*}} = %idx1, {{.*}} = %idx1, {{.*}} = %idx2)
// GPU: scf.for {{.*}} = %idx0 to %idx7 step %idx1
// GPU: memref.load %{{.*}} : memref<8x8x7x7xf32>
// GPU: memref.load %{{.*}} : memref<8xf32>
// GPU: arith.cmpf oeq
// GPU: llvm.fdiv
// GPU: llvm.fneg
// GPU: llvm.intr.maximum
// GPU: llvm.intr.minimum
// GPU: llvm.fmul
// GPU: llvm.call_intrinsic "llvm.roundeven.f32"
// GPU: arith.fptosi {{.*}} : f32 to i8
// GPU: arith.cmpf uno
// GPU: vector.contract
func.func @backward_filter_quantize_on_load(%x: tensor<8x6x14x14xi8>, %sx: tensor<f32>, %gy: tensor<8x8x7x7xf32>, %sgy: tensor<8xf32>) -> tensor<8x3x3x3xf32> {
  %gw = daq.qconv2d_backward_filter %x[%sx], %gy[%sgy] {conv = #daq.conv<layout = nchw, strides = [2, 2], padding = [1, 1, 1, 1], groups = 2>, rounding = #daq.rounding<nearest_even>}
      : (tensor<8x6x14x14xi8>, tensor<f32>, tensor<8x8x7x7xf32>, tensor<8xf32>) -> tensor<8x3x3x3xf32>
  return %gw : tensor<8x3x3x3xf32>
}

// -----

// Backward-data keeps only gradient elements on the stride grid.
// GPU-LABEL: func.func @backward_data
// GPU: gpu.launch
// GPU: index.remu %{{.*}}, %idx2
// GPU: vector.contract
func.func @backward_data(%gy: tensor<2x7x7x16xi8>, %sgy: tensor<f32>, %w: tensor<16x3x3x8xi8>, %sw: tensor<f32>) -> tensor<2x14x14x8xf32> {
  %gx = daq.qconv2d_backward_data %gy[%sgy], %w[%sw] {conv = #daq.conv<layout = nhwc, strides = [2, 2], padding = [1, 1, 0, 0]>}
      : (tensor<2x7x7x16xi8>, tensor<f32>, tensor<16x3x3x8xi8>, tensor<f32>) -> tensor<2x14x14x8xf32>
  return %gx : tensor<2x14x14x8xf32>
}
