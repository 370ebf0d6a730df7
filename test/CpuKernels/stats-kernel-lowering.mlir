// --convert-daq-stats-to-cpu-kernels: what becomes a kernel call, what is
// left to convert-daq-to-linalg, and the strict mode's diagnostics.

// RUN: daq-opt %s --convert-daq-stats-to-cpu-kernels=kernel=avx2 -split-input-file | FileCheck %s
// RUN: daq-opt %s --convert-daq-stats-to-cpu-kernels="strict=1" -split-input-file -verify-diagnostics -o /dev/null
// RUN: not daq-opt %s --convert-daq-stats-to-cpu-kernels=kernel=sse 2>&1 | FileCheck %s --check-prefix=UNKNOWN
// UNKNOWN: error: unknown statistics kernel variant 'sse' (expected auto, portable, avx2, avx512-vnni, amx; for tests: avx512-vnni-model, amx-model)

// CHECK-LABEL: func.func @mcs_grad
// CHECK: tensor.collapse_shape %{{.*}} {{\[\[}}0, 1, 2, 3]] : tensor<2x5x3x4xf32> into tensor<120xf32>
// CHECK: tensor.expand_shape %{{.*}} {{\[\[}}0, 1, 2]] output_shape [2, 5, 12] : tensor<120xf32> into tensor<2x5x12xf32>
// The statistics, the clips (C + 1 values, sliced) and both codes in one
// call, each code into a buffer of its own, reshaped back.
// CHECK: %[[K:.*]]:3 = daq.kernel_call @daq_cpu_quantize_grad_mcs(%{{.*}}, %[[SC:.*]], %{{.*}}) outs(%{{.*}}, %{{.*}}, %{{.*}}) scalars([4599075939470750515, 1045220557, 1061997773, 2]) : (tensor<2x5x12xf32>, tensor<5xf32>, tensor<1xf32>), tensor<6xf32>, tensor<2x5x12xi8>, tensor<2x5x12xi8> -> tensor<6xf32>, tensor<2x5x12xi8>, tensor<2x5x12xi8>
// CHECK-DAG: tensor.extract_slice %[[K]]#0[0] [5] [1] : tensor<6xf32> to tensor<5xf32>
// CHECK-DAG: tensor.extract_slice %[[K]]#0[5] [1] [1] : tensor<6xf32> to tensor<f32>
// CHECK-DAG: tensor.collapse_shape %[[K]]#1
// CHECK-DAG: tensor.collapse_shape %[[K]]#2
// CHECK-NOT: daq.quantize_grad
// CHECK-NOT: daq.kernel_call
// CHECK: func.func private @daq_cpu_quantize_grad_mcs(memref<?x?x?xf32, strided<[?, ?, ?], offset: ?>>, memref<?xf32, strided<[?], offset: ?>>, memref<?xf32, strided<[?], offset: ?>>, memref<?xf32, strided<[?], offset: ?>>, memref<?x?x?xi8, strided<[?, ?, ?], offset: ?>>, memref<?x?x?xi8, strided<[?, ?, ?], offset: ?>>, i64, i64, i64, i64) attributes {llvm.emit_c_interface}
func.func @mcs_grad(%g: tensor<2x5x3x4xf32>, %sc: tensor<5xf32>, %st: tensor<f32>)
    -> (tensor<2x5x3x4xi8>, tensor<5xf32>, tensor<2x5x3x4xi8>, tensor<f32>) {
  %qc, %cc, %qt, %ct = daq.quantize_grad %g state(%sc, %st) {axis = 1 : i64, strategy = #daq.mcs}
      : (tensor<2x5x3x4xf32>, tensor<5xf32>, tensor<f32>)
        -> (tensor<2x5x3x4xi8>, tensor<5xf32>, tensor<2x5x3x4xi8>, tensor<f32>)
  return %qc, %cc, %qt, %ct : tensor<2x5x3x4xi8>, tensor<5xf32>, tensor<2x5x3x4xi8>, tensor<f32>
}

// -----

// NHWC per channel: the view is [N*H*W, C, 1]; per tensor [1, 1, n].
// CHECK-LABEL: func.func @nhwc
// CHECK: daq.kernel_call @daq_cpu_mcs_clip({{.*}}) : (tensor<24x5x1xf32>, tensor<5xf32>), tensor<2x5xf32> -> tensor<2x5xf32>
// CHECK: linalg.generic
// CHECK: arith.cmpf one
// CHECK: daq.kernel_call @daq_cpu_max_abs({{.*}}) scalars([2]) : (tensor<1x1x120xf32>), tensor<1xf32> -> tensor<1xf32>
// CHECK: daq.kernel_call @daq_cpu_quantize({{.*}}) scalars([2]) : (tensor<24x5x1xf32>, tensor<5xf32>), tensor<24x5x1xi8>
func.func @nhwc(%g: tensor<2x3x4x5xf32>, %prev: tensor<5xf32>)
    -> (tensor<5xf32>, tensor<5xi1>, tensor<f32>, tensor<2x3x4x5xi8>) {
  %c, %b = daq.mcs_clip %g, %prev {granularity = #daq.granularity<per_axis = 3>, params = #daq.mcs}
      : (tensor<2x3x4x5xf32>, tensor<5xf32>) -> (tensor<5xf32>, tensor<5xi1>)
  %m = daq.max_abs %g {granularity = #daq.granularity<per_tensor>} : tensor<2x3x4x5xf32> -> tensor<f32>
  %q = daq.quantize %g, %c {granularity = #daq.granularity<per_axis = 3>}
      : (tensor<2x3x4x5xf32>, tensor<5xf32>) -> tensor<2x3x4x5xi8>
  return %c, %b, %m, %q : tensor<5xf32>, tensor<5xi1>, tensor<f32>, tensor<2x3x4x5xi8>
}

// -----

// The per-channel and per-tensor MCS steps of one gradient (what
// --daq-quantize-training emits per layer) share one mcs_clip2 call, also
// with the per-tensor step first; steps whose classification is used, or
// with other parameters, or on another gradient are lowered alone.
// CHECK-LABEL: func.func @mcs_pairs
// CHECK-SAME:    (%[[G:[^:]*]]: tensor<2x5x3x4xf32>, %[[H:[^:]*]]: tensor<2x5x3x4xf32>, %[[SC:[^:]*]]: tensor<5xf32>, %[[ST:[^:]*]]: tensor<f32>
// CHECK:         %[[ST1:.*]] = tensor.expand_shape %[[ST]] [] output_shape [1]
// CHECK:         %[[P1:.*]] = daq.kernel_call @daq_cpu_mcs_clip2(%{{.*}}, %[[SC]], %[[ST1]]) outs(%{{.*}}) scalars([4599075939470750515, 1045220557, 1061997773, 2]) : ({{.*}}), tensor<6xf32> -> tensor<6xf32>
// CHECK-DAG:     %[[C1:.*]] = tensor.extract_slice %[[P1]][0] [5] [1]
// CHECK-DAG:     %[[T1:.*]] = tensor.extract_slice %[[P1]][5] [1] [1] : tensor<6xf32> to tensor<f32>
// CHECK:         daq.kernel_call @daq_cpu_mcs_clip2(
// CHECK-NOT:     daq.kernel_call @daq_cpu_mcs_clip2(
// CHECK:         daq.kernel_call @daq_cpu_mcs_clip({{.*}}) : (tensor<2x5x12xf32>, tensor<5xf32>), tensor<2x5xf32>
// CHECK:         daq.kernel_call @daq_cpu_mcs_clip({{.*}}) : (tensor<1x1x120xf32>, tensor<1xf32>), tensor<2x1xf32>
// CHECK:         daq.kernel_call @daq_cpu_mcs_clip({{.*}}) : (tensor<2x5x12xf32>, tensor<5xf32>), tensor<2x5xf32>
// CHECK:         daq.kernel_call @daq_cpu_mcs_clip({{.*}}) : (tensor<1x1x120xf32>, tensor<1xf32>), tensor<2x1xf32>
// CHECK-NOT:     daq.mcs_clip
// CHECK:         return %[[C1]], %[[T1]],
func.func @mcs_pairs(%g: tensor<2x5x3x4xf32>, %h: tensor<2x5x3x4xf32>, %sc: tensor<5xf32>, %st: tensor<f32>)
    -> (tensor<5xf32>, tensor<f32>, tensor<5xf32>, tensor<f32>, tensor<5xf32>, tensor<5xi1>, tensor<f32>, tensor<5xf32>, tensor<f32>) {
  %c1, %b1 = daq.mcs_clip %g, %sc {granularity = #daq.granularity<per_axis = 1>, params = #daq.mcs}
      : (tensor<2x5x3x4xf32>, tensor<5xf32>) -> (tensor<5xf32>, tensor<5xi1>)
  %t1, %u1 = daq.mcs_clip %g, %st {granularity = #daq.granularity<per_tensor>, params = #daq.mcs}
      : (tensor<2x5x3x4xf32>, tensor<f32>) -> (tensor<f32>, tensor<i1>)
  %t2, %u2 = daq.mcs_clip %g, %st {granularity = #daq.granularity<per_tensor>, params = #daq.mcs}
      : (tensor<2x5x3x4xf32>, tensor<f32>) -> (tensor<f32>, tensor<i1>)
  %c2, %b2 = daq.mcs_clip %g, %sc {granularity = #daq.granularity<per_axis = 1>, params = #daq.mcs}
      : (tensor<2x5x3x4xf32>, tensor<5xf32>) -> (tensor<5xf32>, tensor<5xi1>)
  %c3, %b3 = daq.mcs_clip %g, %sc {granularity = #daq.granularity<per_axis = 1>, params = #daq.mcs}
      : (tensor<2x5x3x4xf32>, tensor<5xf32>) -> (tensor<5xf32>, tensor<5xi1>)
  %t3, %u3 = daq.mcs_clip %g, %st {granularity = #daq.granularity<per_tensor>, params = #daq.mcs<lambda = 0.25>}
      : (tensor<2x5x3x4xf32>, tensor<f32>) -> (tensor<f32>, tensor<i1>)
  %c4, %b4 = daq.mcs_clip %g, %sc {granularity = #daq.granularity<per_axis = 1>, params = #daq.mcs}
      : (tensor<2x5x3x4xf32>, tensor<5xf32>) -> (tensor<5xf32>, tensor<5xi1>)
  %t4, %u4 = daq.mcs_clip %h, %st {granularity = #daq.granularity<per_tensor>, params = #daq.mcs}
      : (tensor<2x5x3x4xf32>, tensor<f32>) -> (tensor<f32>, tensor<i1>)
  return %c1, %t1, %c2, %t2, %c3, %b3, %t3, %c4, %t4
      : tensor<5xf32>, tensor<f32>, tensor<5xf32>, tensor<f32>, tensor<5xf32>, tensor<5xi1>, tensor<f32>, tensor<5xf32>, tensor<f32>
}

// -----

// Stochastic rounding: the _stochastic kernels take the step as a
// tensor<1xi64> input and the seed as a scalar.
// CHECK-LABEL: func.func @stochastic
// CHECK-SAME: %[[T:[a-z0-9]+]]: i64
// CHECK: %[[S:.*]] = tensor.from_elements %[[T]] : tensor<1xi64>
// CHECK: daq.kernel_call @daq_cpu_quantize_stochastic(%{{.*}}, %{{.*}}, %[[S]]) outs(%{{.*}}) scalars([3, 2]) : (tensor<1x1x10xf32>, tensor<1xf32>, tensor<1xi64>), tensor<1x1x10xi8>
// CHECK: daq.kernel_call @daq_cpu_quantize2_stochastic(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}) outs(%{{.*}}, %{{.*}}) scalars([5, 2]) : (tensor<2x5x1xf32>, tensor<5xf32>, tensor<1xf32>, tensor<1xi64>), tensor<2x5x1xi8>, tensor<2x5x1xi8>
// With #daq.mcs (no fused kernel for stochastic rounding): the clips, then
// both codes.
// CHECK: %[[CLIPS:.*]] = daq.kernel_call @daq_cpu_mcs_clip2({{.*}}) outs({{.*}}) scalars([4599075939470750515, 1045220557, 1061997773, 2]) : ({{.*}}), tensor<6xf32> -> tensor<6xf32>
// CHECK: daq.kernel_call @daq_cpu_quantize2_stochastic({{.*}}) outs(%{{.*}}, %{{.*}}) scalars([9, 2])
// CHECK-NOT: daq.quantize
// CHECK: func.func private @daq_cpu_quantize_stochastic(memref<?x?x?xf32, strided<[?, ?, ?], offset: ?>>, memref<?xf32, strided<[?], offset: ?>>, memref<?xi64, strided<[?], offset: ?>>, memref<?x?x?xi8, strided<[?, ?, ?], offset: ?>>, i64, i64) attributes {llvm.emit_c_interface}
func.func @stochastic(%g: tensor<2x5xf32>, %c: tensor<f32>, %t: i64,
                      %sc: tensor<5xf32>, %st: tensor<f32>)
    -> (tensor<2x5xi8>, tensor<2x5xi8>, tensor<5xf32>, tensor<2x5xi8>, tensor<f32>,
        tensor<2x5xi8>, tensor<5xf32>, tensor<2x5xi8>, tensor<f32>) {
  %q = daq.quantize %g, %c step %t {granularity = #daq.granularity<per_tensor>, rounding = #daq.rounding<stochastic, seed = 3>}
      : (tensor<2x5xf32>, tensor<f32>, i64) -> tensor<2x5xi8>
  %qc, %cc, %qt, %ct = daq.quantize_grad %g step %t {axis = 1 : i64, strategy = #daq.max, rounding = #daq.rounding<stochastic, seed = 5>}
      : (tensor<2x5xf32>, i64) -> (tensor<2x5xi8>, tensor<5xf32>, tensor<2x5xi8>, tensor<f32>)
  %mc, %mcc, %mt, %mct = daq.quantize_grad %g state(%sc, %st) step %t {axis = 1 : i64, strategy = #daq.mcs, rounding = #daq.rounding<stochastic, seed = 9>}
      : (tensor<2x5xf32>, tensor<5xf32>, tensor<f32>, i64) -> (tensor<2x5xi8>, tensor<5xf32>, tensor<2x5xi8>, tensor<f32>)
  return %q, %qc, %cc, %qt, %ct, %mc, %mcc, %mt, %mct
      : tensor<2x5xi8>, tensor<2x5xi8>, tensor<5xf32>, tensor<2x5xi8>, tensor<f32>,
        tensor<2x5xi8>, tensor<5xf32>, tensor<2x5xi8>, tensor<f32>
}

// -----

// Dynamic shapes stay with convert-daq-to-linalg (rejected with strict).
// CHECK-LABEL: func.func @left_alone
// CHECK: daq.max_abs
// CHECK-NOT: daq.kernel_call
func.func @left_alone(%d: tensor<?x5xf32>) -> tensor<f32> {
  // expected-error @+1 {{'daq.max_abs' op cannot use the CPU statistics kernels: the kernels need static shapes}}
  %m = daq.max_abs %d {granularity = #daq.granularity<per_tensor>} : tensor<?x5xf32> -> tensor<f32>
  return %m : tensor<f32>
}
