// RUN: daq-opt %s -split-input-file -daq-decompose-quantize-grad | FileCheck %s

// The per-tensor max-abs is the max of the per-channel ones: one read of GY.
// CHECK-LABEL: func @max
// CHECK-SAME: (%[[GY:.*]]: tensor<8x16x4x4xf32>)
// CHECK:      %[[CC:.*]] = daq.max_abs %[[GY]] {granularity = #daq.granularity<per_axis = 1>} : tensor<8x16x4x4xf32> -> tensor<16xf32>
// CHECK:      %[[CT:.*]] = daq.max_abs %[[CC]] {granularity = #daq.granularity<per_tensor>} : tensor<16xf32> -> tensor<f32>
// CHECK:      %[[QC:.*]] = daq.quantize %[[GY]], %[[CC]] {granularity = #daq.granularity<per_axis = 1>}
// CHECK:      %[[QT:.*]] = daq.quantize %[[GY]], %[[CT]] {granularity = #daq.granularity<per_tensor>}
// CHECK:      return %[[QC]], %[[CC]], %[[QT]], %[[CT]]
// CHECK-NOT:  daq.quantize_grad
func.func @max(%gy: tensor<8x16x4x4xf32>)
    -> (tensor<8x16x4x4xi8>, tensor<16xf32>, tensor<8x16x4x4xi8>, tensor<f32>) {
  %qc, %cc, %qt, %ct = daq.quantize_grad %gy {axis = 1 : i64, strategy = #daq.max}
      : (tensor<8x16x4x4xf32>) -> (tensor<8x16x4x4xi8>, tensor<16xf32>, tensor<8x16x4x4xi8>, tensor<f32>)
  return %qc, %cc, %qt, %ct : tensor<8x16x4x4xi8>, tensor<16xf32>, tensor<8x16x4x4xi8>, tensor<f32>
}

// -----

// MCS: each half has its own state and classification.
// CHECK-LABEL: func @mcs
// CHECK-SAME: (%[[GY:.*]]: tensor<2x4x4x3xf32>, %[[SC:.*]]: tensor<3xf32>, %[[ST:.*]]: tensor<f32>, %[[STEP:.*]]: i64)
// CHECK:      %[[CC:.*]], %{{.*}} = daq.mcs_clip %[[GY]], %[[SC]] {granularity = #daq.granularity<per_axis = 3>, params = #daq.mcs<lambda = 2.500000e-01>} : (tensor<2x4x4x3xf32>, tensor<3xf32>) -> (tensor<3xf32>, tensor<3xi1>)
// CHECK:      %[[CT:.*]], %{{.*}} = daq.mcs_clip %[[GY]], %[[ST]] {granularity = #daq.granularity<per_tensor>, params = #daq.mcs<lambda = 2.500000e-01>} : (tensor<2x4x4x3xf32>, tensor<f32>) -> (tensor<f32>, tensor<i1>)
// CHECK:      daq.quantize %[[GY]], %[[CC]] step %[[STEP]] {granularity = #daq.granularity<per_axis = 3>, rounding = #daq.rounding<stochastic, seed = 5>}
// CHECK:      daq.quantize %[[GY]], %[[CT]] step %[[STEP]] {granularity = #daq.granularity<per_tensor>, rounding = #daq.rounding<stochastic, seed = 5>}
func.func @mcs(%gy: tensor<2x4x4x3xf32>, %sc: tensor<3xf32>, %st: tensor<f32>, %step: i64)
    -> (tensor<2x4x4x3xi8>, tensor<3xf32>, tensor<2x4x4x3xi8>, tensor<f32>) {
  %qc, %cc, %qt, %ct = daq.quantize_grad %gy state(%sc, %st) step %step
      {axis = 3 : i64, strategy = #daq.mcs<lambda = 0.25>, rounding = #daq.rounding<stochastic, seed = 5>}
      : (tensor<2x4x4x3xf32>, tensor<3xf32>, tensor<f32>, i64)
        -> (tensor<2x4x4x3xi8>, tensor<3xf32>, tensor<2x4x4x3xi8>, tensor<f32>)
  return %qc, %cc, %qt, %ct : tensor<2x4x4x3xi8>, tensor<3xf32>, tensor<2x4x4x3xi8>, tensor<f32>
}

// -----

// CHECK-LABEL: func @static
// CHECK-DAG:  %[[CC:.*]] = arith.constant dense<[5.000000e-01, 2.500000e-01]> : tensor<2xf32>
// CHECK-DAG:  %[[CT:.*]] = arith.constant dense<7.500000e-01> : tensor<f32>
// CHECK:      daq.quantize %{{.*}}, %[[CC]] {granularity = #daq.granularity<per_axis = 1>}
// CHECK:      daq.quantize %{{.*}}, %[[CT]] {granularity = #daq.granularity<per_tensor>}
func.func @static(%gy: tensor<3x2xf32>)
    -> (tensor<3x2xi8>, tensor<2xf32>, tensor<3x2xi8>, tensor<f32>) {
  %qc, %cc, %qt, %ct = daq.quantize_grad %gy
      {axis = 1 : i64, strategy = #daq.static<channels = [0.5, 0.25], tensor = 0.75 : f32>}
      : (tensor<3x2xf32>) -> (tensor<3x2xi8>, tensor<2xf32>, tensor<3x2xi8>, tensor<f32>)
  return %qc, %cc, %qt, %ct : tensor<3x2xi8>, tensor<2xf32>, tensor<3x2xi8>, tensor<f32>
}

// -----

// CHECK-LABEL: func @dsgc
// CHECK:      %[[CC:.*]], %{{.*}} = daq.dsgc_clip %{{.*}} {granularity = #daq.granularity<per_axis = 0>, params = #daq.dsgc<candidates = 8>} : tensor<3x2xf32> -> (tensor<3xf32>, tensor<3xf32>)
// CHECK:      %[[CT:.*]], %{{.*}} = daq.dsgc_clip %{{.*}} {granularity = #daq.granularity<per_tensor>, params = #daq.dsgc<candidates = 8>} : tensor<3x2xf32> -> (tensor<f32>, tensor<f32>)
// CHECK:      daq.quantize %{{.*}}, %[[CC]]
// CHECK:      daq.quantize %{{.*}}, %[[CT]]
func.func @dsgc(%gy: tensor<3x2xf32>)
    -> (tensor<3x2xi8>, tensor<3xf32>, tensor<3x2xi8>, tensor<f32>) {
  %qc, %cc, %qt, %ct = daq.quantize_grad %gy {axis = 0 : i64, strategy = #daq.dsgc<candidates = 8>}
      : (tensor<3x2xf32>) -> (tensor<3x2xi8>, tensor<3xf32>, tensor<3x2xi8>, tensor<f32>)
  return %qc, %cc, %qt, %ct : tensor<3x2xi8>, tensor<3xf32>, tensor<3x2xi8>, tensor<f32>
}
