// RUN: daq-opt %s -split-input-file -canonicalize | FileCheck %s

// Only the per-channel half is used (backward-filter alone, or the folded
// backward-data mode): the per-tensor clip and codes are not computed.
// CHECK-LABEL: func @channel_half_only
// CHECK-SAME: (%[[GY:.*]]: tensor<8x16x4x4xf32>, %[[SC:.*]]: tensor<16xf32>, %[[ST:.*]]: tensor<f32>)
// CHECK:      %[[C:.*]], %{{.*}} = daq.mcs_clip %[[GY]], %[[SC]] {granularity = #daq.granularity<per_axis = 1>, params = #daq.mcs}
// CHECK:      %[[Q:.*]] = daq.quantize %[[GY]], %[[C]] {granularity = #daq.granularity<per_axis = 1>}
// CHECK:      return %[[Q]], %[[C]]
// CHECK-NOT:  daq.quantize_grad
func.func @channel_half_only(%gy: tensor<8x16x4x4xf32>, %sc: tensor<16xf32>, %st: tensor<f32>)
    -> (tensor<8x16x4x4xi8>, tensor<16xf32>) {
  %qc, %cc, %qt, %ct = daq.quantize_grad %gy state(%sc, %st) {axis = 1 : i64, strategy = #daq.mcs}
      : (tensor<8x16x4x4xf32>, tensor<16xf32>, tensor<f32>)
        -> (tensor<8x16x4x4xi8>, tensor<16xf32>, tensor<8x16x4x4xi8>, tensor<f32>)
  return %qc, %cc : tensor<8x16x4x4xi8>, tensor<16xf32>
}

// -----

// Only the per-tensor clip is used: the per-channel half is dropped.
// CHECK-LABEL: func @tensor_half_only
// CHECK:      %[[C:.*]] = daq.max_abs %{{.*}} {granularity = #daq.granularity<per_tensor>} : tensor<8x16x4x4xf32> -> tensor<f32>
// CHECK-NOT:  daq.quantize
// CHECK:      return %[[C]]
func.func @tensor_half_only(%gy: tensor<8x16x4x4xf32>) -> tensor<f32> {
  %qc, %cc, %qt, %ct = daq.quantize_grad %gy {axis = 1 : i64, strategy = #daq.max}
      : (tensor<8x16x4x4xf32>) -> (tensor<8x16x4x4xi8>, tensor<16xf32>, tensor<8x16x4x4xi8>, tensor<f32>)
  return %ct : tensor<f32>
}

// -----

// Both halves used: nothing to simplify.
// CHECK-LABEL: func @both_halves
// CHECK:      daq.quantize_grad
func.func @both_halves(%gy: tensor<8x16x4x4xf32>) -> (tensor<8x16x4x4xi8>, tensor<8x16x4x4xi8>) {
  %qc, %cc, %qt, %ct = daq.quantize_grad %gy {axis = 1 : i64, strategy = #daq.max}
      : (tensor<8x16x4x4xf32>) -> (tensor<8x16x4x4xi8>, tensor<16xf32>, tensor<8x16x4x4xi8>, tensor<f32>)
  return %qc, %qt : tensor<8x16x4x4xi8>, tensor<8x16x4x4xi8>
}

// -----

// Nothing used: the op is pure and disappears.
// CHECK-LABEL: func @unused
// CHECK-NOT:  daq.
func.func @unused(%gy: tensor<8x16x4x4xf32>) {
  %qc, %cc, %qt, %ct = daq.quantize_grad %gy {axis = 1 : i64, strategy = #daq.max}
      : (tensor<8x16x4x4xf32>) -> (tensor<8x16x4x4xi8>, tensor<16xf32>, tensor<8x16x4x4xi8>, tensor<f32>)
  return
}
