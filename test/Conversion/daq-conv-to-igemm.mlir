// RUN: daq-opt %s -split-input-file --convert-daq-conv-to-igemm --cse | FileCheck %s --check-prefix=GPU
// RUN: daq-opt %s -split-input-file --convert-daq-conv-to-igemm="target=cpu tile-m=32 tile-n=16 tile-k=32 warp-m=16 warp-n=8" --cse | FileCheck %s --check-prefix=CPU
// RUN: daq-opt %s -split-input-file --convert-daq-conv-to-igemm="mma=m8n8k16 async-copy=false" --cse | FileCheck %s --check-prefix=TURING
// RUN: daq-opt %s -split-input-file --convert-daq-conv-to-igemm="accumulate=false" --cse | FileCheck %s --check-prefix=NOACC
// RUN: daq-opt %s -split-input-file --convert-daq-conv-to-igemm="target=cpu mma=amx tile-m=32 tile-n=32 tile-k=64 warp-m=16 warp-n=32" --cse | FileCheck %s --check-prefix=AMX

// Forward, NCHW, 3 -> 17 channels, 3x3, pad 1: M = 81 pixels (2 tiles of 64),
// N = 17 output channels (1 tile), K = 27 (1 K tile). The per-channel filter
// clip is read at the output channel in the epilogue.
// GPU-LABEL: func.func @forward
// GPU: bufferization.to_buffer %{{.*}} read_only : tensor<1x3x9x9xi8> to memref<1x3x9x9xi8>
// GPU: %[[OUT:.*]] = memref.alloc() : memref<1x17x9x9xf32>
// GPU: gpu.launch blocks({{.*}}) in ({{.*}} = %idx2, {{.*}} = %idx1, {{.*}} = %idx1) threads({{.*}}) in ({{.*}} = %idx128, {{.*}} = %idx1, {{.*}} = %idx1)
// Three shared-memory stages of the A and B tiles (the K loop's pipeline).
// GPU-DAG: %[[A:.*]] = memref.alloc() : memref<3x64x64xi8, #gpu.address_space<workgroup>>
// GPU-DAG: %[[B:.*]] = memref.alloc() : memref<3x64x64xi8, #gpu.address_space<workgroup>>
// GPU-DAG: %[[C:.*]] = memref.alloc() : memref<64x64xi32, #gpu.address_space<workgroup>>
// GPU: %[[TID:.*]] = gpu.thread_id x
// The i32 tile is zeroed; the prologue stages K tile 0 (the only one: the
// prologue's second tile does not exist) element by element (NCHW X and
// K = 27 have no contiguous runs), with the threads of the block.
// GPU: scf.for %{{.*}} = %[[TID]] to %idx4096 step %idx128
// GPU: memref.store {{.*}}, %[[C]]
// GPU: scf.for %{{.*}} = %[[TID]] to %idx4096 step %idx128
// GPU: scf.if
// GPU: memref.load {{.*}} : memref<1x3x9x9xi8>
// GPU: memref.store {{.*}}, %[[A]]
// GPU: memref.store {{.*}}, %[[B]]
// The K loop: barrier, stage tile kt + 2 (if it exists) into buffer
// (kt + 2) % 3, then every warp accumulates its 2x4 m16n8k32 fragments over
// the two k32 slices of buffer kt % 3.
// GPU: scf.for %[[KT:.*]] = %idx0 to %idx1 step %idx1 {
// GPU-NEXT: gpu.barrier
// GPU-NEXT: %[[NEXT:.*]] = index.add %[[KT]], %idx2
// GPU-NEXT: %[[MORE:.*]] = index.cmp slt(%[[NEXT]], %idx1)
// GPU-NEXT: scf.if %[[MORE]] {
// GPU: index.remu %[[NEXT]], %idx3
// GPU: memref.store {{.*}}, %[[A]]
// GPU: memref.store {{.*}}, %[[B]]
// GPU: %[[BUF:.*]] = index.remu %[[KT]], %idx3
// GPU: index.divu %[[TID]], %idx32
// GPU-COUNT-8: vector.transfer_read %[[C]]{{.*}} : memref<64x64xi32, #gpu.address_space<workgroup>>, vector<16x8xi32>
// GPU: vector.transfer_read %[[A]][%[[BUF]], {{.*}}], %{{.*}} {in_bounds = [true, true]} : memref<3x64x64xi8, #gpu.address_space<workgroup>>, vector<16x32xi8>
// GPU: vector.transfer_read %[[B]][%[[BUF]], {{.*}}], %{{.*}} {in_bounds = [true, true]} : memref<3x64x64xi8, #gpu.address_space<workgroup>>, vector<8x32xi8>
// GPU-COUNT-16: vector.contract {indexing_maps = [#map, #map1, #map2], iterator_types = ["parallel", "parallel", "reduction"], kind = #vector.kind<add>} {{.*}} : vector<16x32xi8>, vector<8x32xi8> into vector<16x8xi32>
// GPU-COUNT-8: vector.transfer_write {{.*}}, %[[C]]{{.*}} : vector<16x8xi32>, memref<64x64xi32, #gpu.address_space<workgroup>>
// GPU: }
// GPU-NEXT: gpu.barrier
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
// CPU-DAG: memref.alloca() : memref<3x32x32xi8>
// CPU-DAG: memref.alloca() : memref<3x16x32xi8>
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

// mma=amx: the contractions are AMX-sized (16x16 i32 over 64-deep K) in the
// VNNI layout of tdpbssd. A stays [buffer][m][k] and is read through a
// [buffer][m][k/4][4] view; B is staged as [buffer][k/4][n][k%4]. Each of a
// warp's two 16x16 tiles (warp-n = 32) reads its accumulator from the C tile
// and writes it back, so that convert-vector-to-amx loads and stores the
// tiles in place.
// AMX: #[[MAPA:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d2, d3)>
// AMX: #[[MAPB:.*]] = affine_map<(d0, d1, d2, d3) -> (d2, d1, d3)>
// AMX: #[[MAPC:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1)>
// AMX-LABEL: func.func @forward
// AMX-DAG: %[[A:.*]] = memref.alloca() : memref<3x32x64xi8>
// AMX-DAG: %[[B:.*]] = memref.alloca() : memref<3x16x32x4xi8>
// AMX-DAG: %[[C:.*]] = memref.alloca() : memref<32x32xi32>
// AMX: %[[KQ:.*]] = index.divu %[[KK:.*]], %idx4
// AMX-NEXT: %[[KR:.*]] = index.remu %[[KK]], %idx4
// AMX-NEXT: memref.store %{{.*}}, %[[B]][%{{.*}}, %[[KQ]], %{{.*}}, %[[KR]]] : memref<3x16x32x4xi8>
// AMX: %[[VIEW:.*]] = memref.expand_shape %[[A]] {{\[}}[0], [1], [2, 3]] output_shape [3, 32, 16, 4] : memref<3x32x64xi8> into memref<3x32x16x4xi8>
// AMX: vector.transfer_read %[[VIEW]][%[[BUF:.*]], %[[ROW:.*]], %idx0, %idx0], %c0_i8 {in_bounds = [true, true, true]} : memref<3x32x16x4xi8>, vector<16x16x4xi8>
// AMX-NEXT: vector.transfer_read %[[B]][%[[BUF]], %idx0, %[[COL:.*]], %idx0], %c0_i8 {in_bounds = [true, true, true]} : memref<3x16x32x4xi8>, vector<16x16x4xi8>
// AMX-NEXT: vector.transfer_read %[[C]][%[[ROW]], %[[COL]]], %c0_i32 {in_bounds = [true, true]} : memref<32x32xi32>, vector<16x16xi32>
// AMX-NEXT: %[[SUM:.*]] = vector.contract {indexing_maps = [#[[MAPA]], #[[MAPB]], #[[MAPC]]], iterator_types = ["parallel", "parallel", "reduction", "reduction"], kind = #vector.kind<add>} %{{.*}} : vector<16x16x4xi8>, vector<16x16x4xi8> into vector<16x16xi32>
// AMX-NEXT: vector.transfer_write %[[SUM]], %[[C]][%[[ROW]], %[[COL]]] {in_bounds = [true, true]} : vector<16x16xi32>, memref<32x32xi32>
// AMX-NEXT: %[[COL2:.*]] = index.add %{{.*}}, %idx16
// AMX-NEXT: vector.transfer_read %[[VIEW]][%[[BUF]], %[[ROW]], %idx0, %idx0]
// AMX-NEXT: vector.transfer_read %[[B]][%[[BUF]], %idx0, %[[COL2]], %idx0]
// AMX-NEXT: vector.transfer_read %[[C]][%[[ROW]], %[[COL2]]]
// AMX-NEXT: %[[SUM2:.*]] = vector.contract
// AMX-NEXT: vector.transfer_write %[[SUM2]], %[[C]][%[[ROW]], %[[COL2]]]
// AMX-NOT: vector.contract
// AMX: return

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

// Backward-data keeps only gradient elements on the stride grid. A pixel's
// 16 NHWC channels are kept or dropped together, so i8 GY is copied in
// 16-byte runs through the grid.
// GPU-LABEL: func.func @backward_data
// GPU: gpu.launch
// GPU: index.remu %{{.*}}, %idx2
// GPU: nvgpu.device_async_copy {{.*}}, 16, %{{.*}} {bypassL1} : memref<2x7x7x16xi8> to memref<3x64x64xi8, #gpu.address_space<workgroup>>
// GPU: vector.contract
func.func @backward_data(%gy: tensor<2x7x7x16xi8>, %sgy: tensor<f32>, %w: tensor<16x3x3x8xi8>, %sw: tensor<f32>) -> tensor<2x14x14x8xf32> {
  %gx = daq.qconv2d_backward_data %gy[%sgy], %w[%sw] {conv = #daq.conv<layout = nhwc, strides = [2, 2], padding = [1, 1, 0, 0]>}
      : (tensor<2x7x7x16xi8>, tensor<f32>, tensor<16x3x3x8xi8>, tensor<f32>) -> tensor<2x14x14x8xf32>
  return %gx : tensor<2x14x14x8xf32>
}

// -----

// Contiguous K runs of i8 operands are copied in 16-, 8- or 4-byte pieces:
// here X (NHWC, runs of C = 16 channels: 16 bytes) and W (whole filter rows
// of K = 3*3*16 = 144: 16 bytes). On the GPU each piece is a cp.async
// (`nvgpu.device_async_copy`) whose source size is 0 outside the image or
// the GEMM (zero fill, indices clamped to 0); one async group per K tile,
// and the K loop waits until at most `stages - 2` groups are pending. On the
// CPU the same pieces are vector loads and stores.
// GPU-LABEL: func.func @forward_runs
// GPU: gpu.launch
// GPU: %[[A:.*]] = memref.alloc() : memref<3x64x64xi8, #gpu.address_space<workgroup>>
// GPU: %[[B:.*]] = memref.alloc() : memref<3x64x64xi8, #gpu.address_space<workgroup>>
// GPU: %[[W2:.*]] = memref.collapse_shape %{{.*}} {{\[}}[0], [1, 2, 3]] : memref<8x3x3x16xi8> into memref<8x144xi8>
// Prologue: K tiles 0 and 1 (K = 144: 3 tiles of 64), each its own group.
// GPU: scf.for %{{.*}} = %{{.*}} to %idx256 step %idx128
// GPU: %[[SIZE:.*]] = arith.select %{{.*}}, %idx16, %idx0 : index
// GPU: nvgpu.device_async_copy %{{.*}}[{{.*}}], %[[A]][{{.*}}], 16, %[[SIZE]] {bypassL1} : memref<2x5x6x16xi8> to memref<3x64x64xi8, #gpu.address_space<workgroup>>
// GPU: nvgpu.device_async_copy %[[W2]][{{.*}}], %[[B]][{{.*}}], 16, %{{.*}} {bypassL1} : memref<8x144xi8> to memref<3x64x64xi8, #gpu.address_space<workgroup>>
// GPU: nvgpu.device_async_create_group
// GPU: nvgpu.device_async_copy
// GPU: nvgpu.device_async_copy
// GPU: %[[G1:.*]] = nvgpu.device_async_create_group
// GPU: scf.for %{{.*}} = %idx0 to %idx3 step %idx1 iter_args(%[[PENDING:.*]] = %[[G1]]) -> (!nvgpu.device.async.token) {
// GPU-NEXT: nvgpu.device_async_wait %[[PENDING]] {numGroups = 1 : i32}
// GPU-NEXT: gpu.barrier
// GPU: nvgpu.device_async_copy
// GPU: nvgpu.device_async_copy
// GPU: %[[GROUP:.*]] = nvgpu.device_async_create_group
// GPU: vector.contract
// GPU: scf.yield %[[GROUP]] : !nvgpu.device.async.token

// CPU-LABEL: func.func @forward_runs
// CPU-NOT: nvgpu
// CPU: scf.if %{{.*}} -> (vector<16xi8>) {
// CPU: vector.load %{{.*}} : memref<2x5x6x16xi8>, vector<16xi8>
// CPU: } else {
// CPU: arith.constant dense<0> : vector<16xi8>
// CPU: vector.store %{{.*}} : memref<3x32x32xi8>, vector<16xi8>
// CPU: vector.load %{{.*}} : memref<8x144xi8>, vector<16xi8>
// CPU: vector.store %{{.*}} : memref<3x16x32xi8>, vector<16xi8>

// mma=amx: A's runs are copied in 16-byte pieces as above; W's runs go to
// the VNNI B tile, which keeps only 4 consecutive K of one row together, in
// 4-byte pieces.
// AMX-LABEL: func.func @forward_runs
// AMX: vector.load %{{.*}} : memref<2x5x6x16xi8>, vector<16xi8>
// AMX: vector.store %{{.*}} : memref<3x32x64xi8>, vector<16xi8>
// AMX: vector.load %{{.*}} : memref<8x144xi8>, vector<4xi8>
// AMX: vector.store %{{.*}} : memref<3x16x32x4xi8>, vector<4xi8>

// sm_75 has no cp.async: the pieces are aligned vector loads and stores.
// TURING-LABEL: func.func @forward_runs
// TURING-NOT: nvgpu.device_async
// TURING: vector.load %{{.*}} {alignment = 16 : i64} : memref<2x5x6x16xi8>, vector<16xi8>
// TURING: vector.store %{{.*}} {alignment = 16 : i64} : memref<3x64x64xi8, #gpu.address_space<workgroup>>, vector<16xi8>
func.func @forward_runs(%x: tensor<2x5x6x16xi8>, %sx: tensor<f32>, %w: tensor<8x3x3x16xi8>, %sw: tensor<f32>) -> tensor<2x5x6x8xf32> {
  %y = daq.qconv2d %x[%sx], %w[%sw] {conv = #daq.conv<layout = nhwc, padding = [1, 1, 1, 1]>}
      : (tensor<2x5x6x16xi8>, tensor<f32>, tensor<8x3x3x16xi8>, tensor<f32>) -> tensor<2x5x6x8xf32>
  return %y : tensor<2x5x6x8xf32>
}

// -----

// A residual block's backward-data: the input gradient is the sum of two
// convolutions' (an elementwise linalg.generic add, as Torch-MLIR writes it).
// The later convolution's epilogue reads the earlier gradient and adds it
// (in the add's operand order); the add is gone. The earlier convolution,
// whose add operand is defined after it, is left alone.
// GPU-LABEL: func.func @residual_backward_data
// GPU: %[[GX1:.*]] = bufferization.to_tensor %{{.*}} restrict writable
// GPU: %[[OUT2:.*]] = memref.alloc() : memref<2x8x9x9xf32>
// GPU: %[[EARLIER:.*]] = bufferization.to_buffer %[[GX1]] read_only
// GPU: gpu.launch
// GPU: arith.sitofp
// GPU: %[[VALUE:.*]] = llvm.fmul
// GPU: %[[E:.*]] = memref.load %[[EARLIER]]
// GPU: %[[SUM:.*]] = llvm.fadd %[[E]], %[[VALUE]] : f32
// GPU: memref.store %[[SUM]], %[[OUT2]]
// GPU: %[[GX:.*]] = bufferization.to_tensor %[[OUT2]]
// GPU-NOT: linalg.generic
// GPU: return %[[GX]]

// With accumulate=false the add stays.
// NOACC-LABEL: func.func @residual_backward_data
// NOACC-NOT: llvm.fadd
// NOACC: linalg.generic
// NOACC: arith.addf
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
func.func @residual_backward_data(%gy: tensor<2x4x9x9xi8>, %sgy: tensor<f32>, %w1: tensor<4x8x3x3xi8>, %w2: tensor<4x8x1x1xi8>, %sw: tensor<f32>) -> tensor<2x8x9x9xf32> {
  %gx1 = daq.qconv2d_backward_data %gy[%sgy], %w1[%sw] {conv = #daq.conv<layout = nchw, padding = [1, 1, 1, 1]>}
      : (tensor<2x4x9x9xi8>, tensor<f32>, tensor<4x8x3x3xi8>, tensor<f32>) -> tensor<2x8x9x9xf32>
  %gx2 = daq.qconv2d_backward_data %gy[%sgy], %w2[%sw] {conv = #daq.conv<layout = nchw>}
      : (tensor<2x4x9x9xi8>, tensor<f32>, tensor<4x8x1x1xi8>, tensor<f32>) -> tensor<2x8x9x9xf32>
  %init = tensor.empty() : tensor<2x8x9x9xf32>
  %sum = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%gx1, %gx2 : tensor<2x8x9x9xf32>, tensor<2x8x9x9xf32>) outs(%init : tensor<2x8x9x9xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %s = arith.addf %a, %b : f32
    linalg.yield %s : f32
  } -> tensor<2x8x9x9xf32>
  return %sum : tensor<2x8x9x9xf32>
}

// -----

// Not fused: the convolution's result has another use.
// GPU-LABEL: func.func @two_uses
// GPU-NOT: llvm.fadd
// GPU: linalg.generic
// GPU: arith.addf
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
func.func @two_uses(%gy: tensor<2x4x9x9xi8>, %sgy: tensor<f32>, %w: tensor<4x8x1x1xi8>, %sw: tensor<f32>, %earlier: tensor<2x8x9x9xf32>) -> (tensor<2x8x9x9xf32>, tensor<2x8x9x9xf32>) {
  %gx = daq.qconv2d_backward_data %gy[%sgy], %w[%sw] {conv = #daq.conv<layout = nchw>}
      : (tensor<2x4x9x9xi8>, tensor<f32>, tensor<4x8x1x1xi8>, tensor<f32>) -> tensor<2x8x9x9xf32>
  %init = tensor.empty() : tensor<2x8x9x9xf32>
  %sum = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%earlier, %gx : tensor<2x8x9x9xf32>, tensor<2x8x9x9xf32>) outs(%init : tensor<2x8x9x9xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %s = arith.addf %a, %b : f32
    linalg.yield %s : f32
  } -> tensor<2x8x9x9xf32>
  return %sum, %gx : tensor<2x8x9x9xf32>, tensor<2x8x9x9xf32>
}

// -----

// Split-K. Backward-filter of a 3x3 64 -> 64 layer at batch 32 and 28x28:
// M = 64, N = 576 give 9 blocks, far too few for a GPU, while K = 25088 is
// 392 K tiles. Automatic split-K (GPU only) asks for enough splits for 264
// blocks (30), each keeping at least 8 K tiles: 14 K tiles per split, 28
// splits, 252 blocks. Each block writes its i32 partial tile to a workspace
// [groups, splits, M, N]; a second kernel (256 threads per block, one per
// element of C) adds the partials in split order and applies the epilogue.
// GPU-LABEL: func.func @backward_filter_split_k
// GPU: %[[WS:.*]] = memref.alloc() : memref<1x28x64x576xi32>
// GPU: gpu.launch blocks({{.*}}) in ({{.*}} = %idx1, {{.*}} = %idx9, {{.*}} = %idx28)
// GPU: %[[Z:.*]] = gpu.block_id z
// GPU: %[[SPLIT:.*]] = index.remu %[[Z]], %idx28
// GPU: %[[G:.*]] = index.divu %[[Z]], %idx28
// GPU: %[[BEGIN:.*]] = index.mul %[[SPLIT]], %idx14
// GPU: %[[END:.*]] = index.minu %{{.*}}, %idx392
// GPU: scf.for %{{.*}} = %[[BEGIN]] to %[[END]] step %idx1
// GPU: memref.store %{{.*}}, %[[WS]][%[[G]], %[[SPLIT]], %{{.*}}, %{{.*}}] : memref<1x28x64x576xi32>
// GPU: gpu.terminator
// GPU: gpu.launch blocks({{.*}}) in ({{.*}} = %idx144, {{.*}} = %idx1, {{.*}} = %idx1) threads({{.*}}) in ({{.*}} = %idx256,
// GPU: scf.for %[[S:.*]] = %idx0 to %idx28 step %idx1 iter_args(%[[SUM:.*]] = %c0_i32) -> (i32)
// GPU: %[[P:.*]] = memref.load %[[WS]][%{{.*}}, %[[S]], %{{.*}}, %{{.*}}] : memref<1x28x64x576xi32>
// GPU: llvm.add %[[SUM]], %[[P]] : i32
// GPU: arith.sitofp
// GPU: memref.store {{.*}} : memref<64x64x3x3xf32>

// On the CPU split-K happens only when asked for; not here.
// CPU-LABEL: func.func @backward_filter_split_k
// CPU-NOT: memref.alloc() : memref<{{.*}}xi32>
// CPU-NOT: index.minu
func.func @backward_filter_split_k(%x: tensor<32x64x28x28xi8>, %sx: tensor<f32>, %gy: tensor<32x64x28x28xi8>, %sgy: tensor<64xf32>) -> tensor<64x64x3x3xf32> {
  %gw = daq.qconv2d_backward_filter %x[%sx], %gy[%sgy] {conv = #daq.conv<layout = nchw, padding = [1, 1, 1, 1]>}
      : (tensor<32x64x28x28xi8>, tensor<f32>, tensor<32x64x28x28xi8>, tensor<64xf32>) -> tensor<64x64x3x3xf32>
  return %gw : tensor<64x64x3x3xf32>
}
