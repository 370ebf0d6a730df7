// RUN: daq-opt %s --daq-cpu-pipeline | FileCheck %s

// Entry points compute their results in the caller's buffers and never write
// into their tensor arguments, so the JIT runner passes both uncopied.

// A result computed from a fresh tensor is written straight into its
// out-parameter: no allocation, no copy.
// CHECK-LABEL: llvm.func @scale(
// CHECK-SAME:    daq.inputs_read_only
// CHECK-NOT:     llvm.call @malloc
// CHECK-NOT:     llvm.intr.memcpy
// CHECK:         llvm.return

// An in-place update of an argument works on a copy of it (in the first
// out-parameter); the same value returned again, and the argument returned
// itself, are copied into their own out-parameters.
// CHECK-LABEL: llvm.func @double(
// CHECK-SAME:    daq.inputs_read_only
// CHECK-NOT:     llvm.call @malloc
// CHECK-COUNT-3: llvm.intr.memcpy
// CHECK-NOT:     llvm.intr.memcpy
// CHECK:         llvm.return

// quantize_grad's kernels write both codes straight into the out-parameters
// (they see them as [outer, channels, inner] views): the one allocation and
// the two copies are the five clips' buffer and its two returned parts.
// CHECK-LABEL: llvm.func @codes(
// CHECK-COUNT-1: llvm.call @malloc
// CHECK-NOT:     llvm.call @malloc
// CHECK:         llvm.call @daq_cpu_quantize_grad_mcs(
// CHECK-COUNT-2: llvm.intr.memcpy
// CHECK-NOT:     llvm.intr.memcpy
// CHECK:         llvm.return

// Memref arguments may be written: no read-only promise.
// CHECK-LABEL: llvm.func @bump(
// CHECK-NOT:     daq.inputs_read_only
// CHECK-SAME:    daq.signature = (memref<3xf32>) -> f32
#id = affine_map<(i) -> (i)>
func.func @scale(%x: tensor<5xf32>, %s: f32) -> tensor<5xf32> {
  %e = tensor.empty() : tensor<5xf32>
  %y = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
      ins(%x : tensor<5xf32>) outs(%e : tensor<5xf32>) {
  ^bb0(%a: f32, %b: f32):
    %m = arith.mulf %a, %s : f32
    linalg.yield %m : f32
  } -> tensor<5xf32>
  return %y : tensor<5xf32>
}
func.func @double(%x: tensor<5xf32>) -> (tensor<5xf32>, tensor<5xf32>, tensor<5xf32>) {
  %y = linalg.generic {indexing_maps = [#id], iterator_types = ["parallel"]}
      outs(%x : tensor<5xf32>) {
  ^bb0(%b: f32):
    %m = arith.addf %b, %b : f32
    linalg.yield %m : f32
  } -> tensor<5xf32>
  return %y, %y, %x : tensor<5xf32>, tensor<5xf32>, tensor<5xf32>
}
func.func @codes(%g: tensor<2x4x3x5xf32>, %sc: tensor<4xf32>, %st: tensor<f32>)
    -> (tensor<2x4x3x5xi8>, tensor<4xf32>, tensor<2x4x3x5xi8>, tensor<f32>) {
  %qc, %cc, %qt, %ct = daq.quantize_grad %g state(%sc, %st) {axis = 1 : i64, strategy = #daq.mcs}
      : (tensor<2x4x3x5xf32>, tensor<4xf32>, tensor<f32>)
        -> (tensor<2x4x3x5xi8>, tensor<4xf32>, tensor<2x4x3x5xi8>, tensor<f32>)
  return %qc, %cc, %qt, %ct : tensor<2x4x3x5xi8>, tensor<4xf32>, tensor<2x4x3x5xi8>, tensor<f32>
}
func.func @bump(%m: memref<3xf32>) -> f32 {
  %c0 = arith.constant 0 : index
  %one = arith.constant 1.0 : f32
  %v = memref.load %m[%c0] : memref<3xf32>
  %w = arith.addf %v, %one : f32
  memref.store %w, %m[%c0] : memref<3xf32>
  return %w : f32
}
