// RUN: daq-opt %s -split-input-file --convert-daq-stats-to-gpu="block-size=32" --cse | FileCheck %s --check-prefix=GPU
// RUN: daq-opt %s -split-input-file --convert-daq-stats-to-gpu="target=cpu block-size=32" --cse | FileCheck %s --check-prefix=CPU

// MCS per channel, NCHW axis 1: 3 channels of M = 2*5*7 = 70 elements; with
// 32 threads S = ceil(70 / 32) = 3 slices of L = 24. Four kernels: moments
// (max and f64 sum), squares, count, update; partials [C * S] = [9].
// GPU-LABEL: func.func @mcs_nchw
// GPU: %[[G:.*]] = bufferization.to_buffer %arg0 read_only : tensor<2x3x5x7xf32> to memref<2x3x5x7xf32>
// GPU: %[[PREV:.*]] = bufferization.to_buffer %arg1 read_only : tensor<3xf32> to memref<3xf32>
// GPU: %[[PMAX:.*]] = memref.alloc() : memref<9xf32>
// GPU: %[[PSUM:.*]] = memref.alloc() : memref<9xf64>
// GPU: %[[PSQ:.*]] = memref.alloc() : memref<9xf64>
// GPU: %[[PCNT:.*]] = memref.alloc() : memref<9xi64>
// GPU: %[[CLIP:.*]] = memref.alloc() : memref<3xf32>
// GPU: %[[BELL:.*]] = memref.alloc() : memref<3xi1>
// Moments: grid (3 channels, 3 slices) of 32 threads; each thread a strided
// run of its slice (j = 24*s + t, step 32, up to min(24*s + 24, 70)), the
// element of channel c at (j / 35) * 105 + 35 * c + j % 35.
// GPU: gpu.launch blocks({{.*}}) in ({{.*}} = %idx3, {{.*}} = %idx3, {{.*}} = %idx1) threads({{.*}}) in ({{.*}} = %idx32, {{.*}} = %idx1, {{.*}} = %idx1)
// GPU: %[[SMAX:.*]] = memref.alloc() : memref<32xf32, #gpu.address_space<workgroup>>
// GPU: %[[SSUM:.*]] = memref.alloc() : memref<32xf64, #gpu.address_space<workgroup>>
// GPU: %[[BX:.*]] = gpu.block_id x
// GPU: %[[BY:.*]] = gpu.block_id y
// GPU: %[[TID:.*]] = gpu.thread_id x
// GPU: %[[FLAT:.*]] = memref.collapse_shape %[[G]] {{\[\[}}0, 1, 2, 3]] : memref<2x3x5x7xf32> into memref<210xf32>
// GPU: %[[START:.*]] = index.mul %[[BY]], %idx24
// GPU: %[[END:.*]] = index.minu %{{.*}}, %idx70
// GPU: %[[FIRST:.*]] = index.add %[[START]], %[[TID]]
// GPU: %[[ACC:.*]]:2 = scf.for %[[J:.*]] = %[[FIRST]] to %[[END]] step %idx32 iter_args(%{{.*}} = %cst, %{{.*}} = %cst{{.*}}) -> (f32, f64)
// GPU: index.divu %[[J]], %idx35
// GPU: index.mul %[[BX]], %idx35
// GPU: index.remu %[[J]], %idx35
// GPU: %[[X:.*]] = memref.load %[[FLAT]]
// GPU: %[[ABS:.*]] = llvm.call_intrinsic "llvm.fabs.f32"(%[[X]])
// GPU: llvm.intr.maximum(%{{.*}}, %[[ABS]]) : (f32, f32) -> f32
// GPU: llvm.fpext %[[X]] : f32 to f64
// GPU: llvm.fadd {{.*}} : f64
// GPU: memref.store %[[ACC]]#0, %[[SMAX]][%[[TID]]]
// GPU: memref.store %[[ACC]]#1, %[[SSUM]][%[[TID]]]
// GPU-NEXT: gpu.barrier
// The tree: 16, 8, 4, 2, 1 active threads, a barrier after each level.
// GPU: index.cmp ult(%[[TID]], %idx16)
// GPU: llvm.intr.maximum
// GPU: llvm.fadd
// GPU: gpu.barrier
// GPU: index.cmp ult(%[[TID]], %idx8)
// GPU: gpu.barrier
// GPU: index.cmp ult(%[[TID]], %idx4)
// GPU: gpu.barrier
// GPU: index.cmp ult(%[[TID]], %idx2)
// GPU: gpu.barrier
// GPU: %[[T0:.*]] = index.cmp ult(%[[TID]], %idx1)
// GPU: gpu.barrier
// Thread 0 writes the slice's partials at c * 3 + s.
// GPU: scf.if %[[T0]]
// GPU: %[[AT:.*]] = index.add %{{.*}}, %[[BY]]
// GPU: memref.store %{{.*}}, %[[PMAX]][%[[AT]]] : memref<9xf32>
// GPU: memref.store %{{.*}}, %[[PSUM]][%[[AT]]] : memref<9xf64>
// GPU: gpu.terminator
// Squares: the mean from the 3 partial sums in slice order, then the f64
// sum of squared deviations.
// GPU: gpu.launch blocks({{.*}}) in ({{.*}} = %idx3, {{.*}} = %idx3, {{.*}} = %idx1)
// GPU: memref.alloc() : memref<32xf64, #gpu.address_space<workgroup>>
// GPU: scf.for {{.*}} = %idx0 to %idx3 step %idx1 iter_args({{.*}}) -> (f64)
// GPU: memref.load %[[PSUM]]
// GPU: %[[MEAN:.*]] = llvm.fdiv %{{.*}}, %{{.*}} : f64
// GPU: %[[DEV:.*]] = llvm.fsub %{{.*}}, %[[MEAN]] : f64
// GPU: llvm.fmul %[[DEV]], %[[DEV]] : f64
// GPU: memref.store %{{.*}}, %[[PSQ]]
// Count: sigma = sqrt(squares / 70), |g| > sigma in f64, i64 counts.
// GPU: gpu.launch blocks({{.*}}) in ({{.*}} = %idx3, {{.*}} = %idx3, {{.*}} = %idx1)
// GPU: memref.alloc() : memref<32xi64, #gpu.address_space<workgroup>>
// GPU: memref.load %[[PSQ]]
// GPU: %[[SIGMA:.*]] = llvm.call_intrinsic "llvm.sqrt.f64"
// GPU: %[[ABS2:.*]] = llvm.call_intrinsic "llvm.fabs.f32"
// GPU: %[[ABS64:.*]] = llvm.fpext %[[ABS2]] : f32 to f64
// GPU: arith.cmpf ogt, %[[ABS64]], %[[SIGMA]] : f64
// GPU: llvm.add {{.*}} : i64
// GPU: memref.store %{{.*}}, %[[PCNT]]
// Update: one block, a thread per channel: the reference's arithmetic.
// GPU: gpu.launch blocks({{.*}}) in ({{.*}} = %idx1, {{.*}} = %idx1, {{.*}} = %idx1) threads({{.*}}) in ({{.*}} = %idx32,
// GPU: %[[C:.*]] = index.add %{{.*}}, %{{.*}}
// GPU: index.cmp ult(%[[C]], %idx3)
// GPU: memref.load %[[PMAX]]
// GPU: llvm.intr.maximum
// GPU: memref.load %[[PCNT]]
// GPU: %[[R:.*]] = llvm.fdiv %{{.*}}, %{{.*}} : f64
// GPU: %[[ISBELL:.*]] = arith.cmpf ogt, %[[R]], %{{.*}} : f64
// GPU: %[[P:.*]] = memref.load %[[PREV]][%[[C]]]
// GPU: %[[FIRSTSTEP:.*]] = arith.cmpf olt, %[[P]], %{{.*}} : f32
// GPU: %[[KEEP:.*]] = llvm.fmul %{{.*}}, %[[P]] : f32
// GPU: %[[TAKE:.*]] = llvm.fmul %{{.*}}, %{{.*}} : f32
// GPU: %[[REC:.*]] = llvm.fadd %[[KEEP]], %[[TAKE]] : f32
// GPU: %[[USEMAX:.*]] = arith.ori %[[ISBELL]], %[[FIRSTSTEP]]
// GPU: %[[NEW:.*]] = arith.select %[[USEMAX]], %{{.*}}, %[[REC]]
// GPU: memref.store %[[NEW]], %[[CLIP]][%[[C]]]
// GPU: memref.store %[[ISBELL]], %[[BELL]][%[[C]]]
// GPU: bufferization.to_tensor %[[CLIP]] restrict writable
// GPU: bufferization.to_tensor %[[BELL]] restrict writable

// The CPU form: the same steps, blocks and threads as loops, no launches
// and no barriers; shared memory is a stack buffer.
// CPU-LABEL: func.func @mcs_nchw
// CPU-NOT: gpu.
// CPU: memref.alloca() : memref<32xf32>
// CPU: memref.alloca() : memref<32xf64>
// CPU: scf.for %[[BY:.*]] = %idx0 to %idx3 step %idx1
// CPU: scf.for %[[BX:.*]] = %idx0 to %idx3 step %idx1
// CPU: scf.for %[[T:.*]] = %idx0 to %idx32 step %idx1
// CPU: scf.for {{.*}} step %idx32 iter_args({{.*}}) -> (f32, f64)
// CPU: scf.for %{{.*}} = %idx0 to %idx16 step %idx1
// CPU: scf.for %{{.*}} = %idx0 to %idx8 step %idx1
// CPU-NOT: gpu.
// CPU: return
func.func @mcs_nchw(%g: tensor<2x3x5x7xf32>, %prev: tensor<3xf32>) -> (tensor<3xf32>, tensor<3xi1>) {
  %clip, %bell = daq.mcs_clip %g, %prev {granularity = #daq.granularity<per_axis = 1>, params = #daq.mcs}
      : (tensor<2x3x5x7xf32>, tensor<3xf32>) -> (tensor<3xf32>, tensor<3xi1>)
  return %clip, %bell : tensor<3xf32>, tensor<3xi1>
}

// -----

// NHWC, axis 3: channel c's elements are j * 5 + c (inner = 1, outer = 36).
// GPU-LABEL: func.func @mcs_nhwc
// GPU: gpu.launch blocks({{.*}}) in ({{.*}} = %idx5, {{.*}} = %idx2, {{.*}} = %idx1) threads({{.*}}) in ({{.*}} = %idx32,
// GPU: scf.for %[[J:.*]] = {{.*}} step %idx32 iter_args
// GPU: %[[ROW:.*]] = index.mul %[[J]], %idx5
// GPU: index.add %[[ROW]], %{{.*}}
// GPU-NOT: index.remu
// GPU: memref.load
func.func @mcs_nhwc(%g: tensor<1x4x9x5xf32>, %prev: tensor<5xf32>) -> (tensor<5xf32>, tensor<5xi1>) {
  %clip, %bell = daq.mcs_clip %g, %prev {granularity = #daq.granularity<per_axis = 3>, params = #daq.mcs<lambda = 0.25, k = 1.0, a = 0.5>}
      : (tensor<1x4x9x5xf32>, tensor<5xf32>) -> (tensor<5xf32>, tensor<5xi1>)
  return %clip, %bell : tensor<5xf32>, tensor<5xi1>
}

// -----

// max_abs per tensor reads GY once: a grid of (1, S) blocks with only the
// maximum, then one thread folds the S = 8 partial maxima into the rank-0
// clip (8 * 32 threads cover the 250 elements).
// GPU-LABEL: func.func @max_abs_per_tensor
// GPU: %[[PMAX:.*]] = memref.alloc() : memref<8xf32>
// GPU: %[[OUT:.*]] = memref.alloc() : memref<f32>
// GPU: gpu.launch blocks({{.*}}) in ({{.*}} = %idx1, {{.*}} = %idx8, {{.*}} = %idx1)
// GPU: memref.alloc() : memref<32xf32, #gpu.address_space<workgroup>>
// GPU-NOT: memref.alloc() : memref<32xf64
// GPU: scf.for {{.*}} iter_args({{.*}}) -> (f32)
// GPU-NOT: llvm.fadd
// GPU: gpu.terminator
// GPU: gpu.launch blocks({{.*}}) in ({{.*}} = %idx1, {{.*}} = %idx1, {{.*}} = %idx1)
// GPU: scf.for {{.*}} = %idx0 to %idx8 step %idx1 iter_args
// GPU: memref.load %[[PMAX]]
// GPU: memref.store %{{.*}}, %[[OUT]][] : memref<f32>
// GPU: bufferization.to_tensor %[[OUT]]
func.func @max_abs_per_tensor(%g: tensor<2x5x25xf32>) -> tensor<f32> {
  %c = daq.max_abs %g {granularity = #daq.granularity<per_tensor>} : tensor<2x5x25xf32> -> tensor<f32>
  return %c : tensor<f32>
}

// -----

// daq.quantize per channel (NCHW axis 1, 3 channels of 2x5x7): one pass,
// 210 elements over ceil(210 / 32) = 7 blocks of 32 threads, a grid-stride
// loop (step 224), the clip of channel (f / 35) % 3, the reference's
// nearest-even formula.
// GPU-LABEL: func.func @quantize_nchw
// GPU: %[[X:.*]] = bufferization.to_buffer %arg0 read_only : tensor<2x3x5x7xf32> to memref<2x3x5x7xf32>
// GPU: %[[S:.*]] = bufferization.to_buffer %arg1 read_only : tensor<3xf32> to memref<3xf32>
// GPU: %[[OUT:.*]] = memref.alloc() : memref<2x3x5x7xi8>
// GPU: gpu.launch blocks({{.*}}) in ({{.*}} = %idx7, {{.*}} = %idx1, {{.*}} = %idx1) threads({{.*}}) in ({{.*}} = %idx32,
// GPU: %[[FOUT:.*]] = memref.collapse_shape %[[OUT]] {{\[\[}}0, 1, 2, 3]] : memref<2x3x5x7xi8> into memref<210xi8>
// GPU: scf.for %[[F:.*]] = %{{.*}} to %idx210 step %idx224
// GPU: %[[ROW:.*]] = index.divu %[[F]], %idx35
// GPU: %[[C:.*]] = index.remu %[[ROW]], %idx3
// GPU: memref.load %[[S]][%[[C]]]
// GPU: llvm.call_intrinsic "llvm.roundeven.f32"
// GPU: arith.fptosi {{.*}} : f32 to i8
// GPU: memref.store %{{.*}}, %[[FOUT]][%[[F]]] : memref<210xi8>
// GPU: bufferization.to_tensor %[[OUT]]
func.func @quantize_nchw(%g: tensor<2x3x5x7xf32>, %s: tensor<3xf32>) -> tensor<2x3x5x7xi8> {
  %q = daq.quantize %g, %s {granularity = #daq.granularity<per_axis = 1>}
      : (tensor<2x3x5x7xf32>, tensor<3xf32>) -> tensor<2x3x5x7xi8>
  return %q : tensor<2x3x5x7xi8>
}
