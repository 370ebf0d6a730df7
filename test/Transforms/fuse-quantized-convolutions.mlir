// RUN: daq-opt %s -split-input-file --daq-fuse-quantized-convolutions | FileCheck %s

// The output gradient's two quantizes each feed one convolution: both are
// done on load. X's codes feed two convolutions: quantized once, shared.
// CHECK-LABEL: func @training_step
// CHECK-SAME:  (%[[X:[^:]*]]: {{.*}}, %[[W:[^:]*]]: {{.*}}, %[[GY:[^:]*]]: {{.*}}, %[[SC:[^:]*]]: {{.*}}, %[[ST:[^:]*]]: {{.*}})
// CHECK:       %[[SX:.*]] = daq.max_abs %[[X]]
// CHECK:       %[[QX:.*]] = daq.quantize %[[X]], %[[SX]]
// CHECK:       %[[SW:.*]] = daq.max_abs %[[W]]
// CHECK:       %[[QW:.*]] = daq.quantize %[[W]], %[[SW]]
// CHECK:       daq.qconv2d %[[QX]][%[[SX]]], %[[QW]][%[[SW]]]
// CHECK:       %[[CC:.*]], %{{.*}} = daq.mcs_clip %[[GY]], %[[SC]] {granularity = #daq.granularity<per_axis = 1>
// CHECK:       %[[CT:.*]], %{{.*}} = daq.mcs_clip %[[GY]], %[[ST]] {granularity = #daq.granularity<per_tensor>
// CHECK-NOT:   daq.quantize %[[GY]]
// CHECK:       daq.qconv2d_backward_data %[[GY]][%[[CT]]], %[[QW]][%[[SW]]]
// CHECK:       daq.qconv2d_backward_filter %[[QX]][%[[SX]]], %[[GY]][%[[CC]]]
func.func @training_step(%x: tensor<2x3x6x6xf32>, %w: tensor<4x3x3x3xf32>, %gy: tensor<2x4x6x6xf32>,
                         %sc: tensor<4xf32>, %st: tensor<f32>)
    -> (tensor<2x4x6x6xf32>, tensor<2x3x6x6xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>, tensor<f32>) {
  %sx = daq.max_abs %x {granularity = #daq.granularity<per_tensor>} : tensor<2x3x6x6xf32> -> tensor<f32>
  %qx = daq.quantize %x, %sx {granularity = #daq.granularity<per_tensor>}
      : (tensor<2x3x6x6xf32>, tensor<f32>) -> tensor<2x3x6x6xi8>
  %sw = daq.max_abs %w {granularity = #daq.granularity<per_tensor>} : tensor<4x3x3x3xf32> -> tensor<f32>
  %qw = daq.quantize %w, %sw {granularity = #daq.granularity<per_tensor>}
      : (tensor<4x3x3x3xf32>, tensor<f32>) -> tensor<4x3x3x3xi8>
  %y = daq.qconv2d %qx[%sx], %qw[%sw] {conv = #daq.conv<layout = nchw, padding = [1, 1, 1, 1]>}
      : (tensor<2x3x6x6xi8>, tensor<f32>, tensor<4x3x3x3xi8>, tensor<f32>) -> tensor<2x4x6x6xf32>
  %qc, %cc, %qt, %ct = daq.quantize_grad %gy state(%sc, %st) {axis = 1 : i64, strategy = #daq.mcs}
      : (tensor<2x4x6x6xf32>, tensor<4xf32>, tensor<f32>)
        -> (tensor<2x4x6x6xi8>, tensor<4xf32>, tensor<2x4x6x6xi8>, tensor<f32>)
  %gx = daq.qconv2d_backward_data %qt[%ct], %qw[%sw] {conv = #daq.conv<layout = nchw, padding = [1, 1, 1, 1]>}
      : (tensor<2x4x6x6xi8>, tensor<f32>, tensor<4x3x3x3xi8>, tensor<f32>) -> tensor<2x3x6x6xf32>
  %gw = daq.qconv2d_backward_filter %qx[%sx], %qc[%cc] {conv = #daq.conv<layout = nchw, padding = [1, 1, 1, 1]>}
      : (tensor<2x3x6x6xi8>, tensor<f32>, tensor<2x4x6x6xi8>, tensor<4xf32>) -> tensor<4x3x3x3xf32>
  return %y, %gx, %gw, %cc, %ct
      : tensor<2x4x6x6xf32>, tensor<2x3x6x6xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>, tensor<f32>
}

// -----

// The rounding and step move onto the convolution; a per-channel filter clip
// is fused along dimension 0.
// CHECK-LABEL: func @rounding_and_filter_axis
// CHECK-SAME:  (%[[X:[^:]*]]: {{.*}}, %[[SX:[^:]*]]: {{.*}}, %[[W:[^:]*]]: {{.*}}, %[[SW:[^:]*]]: {{.*}}, %[[STEP:[^:]*]]: i64)
// CHECK-NOT:   daq.quantize
// CHECK:       daq.qconv2d %[[X]][%[[SX]]], %[[W]][%[[SW]]] step %[[STEP]] {conv = #daq.conv<layout = nchw>, rounding = #daq.rounding<stochastic, seed = 4>}
func.func @rounding_and_filter_axis(%x: tensor<1x2x4x4xf32>, %sx: tensor<f32>, %w: tensor<3x2x3x3xf32>,
                                    %sw: tensor<3xf32>, %step: i64) -> tensor<1x3x2x2xf32> {
  %qx = daq.quantize %x, %sx step %step {granularity = #daq.granularity<per_tensor>,
                                         rounding = #daq.rounding<stochastic, seed = 4>}
      : (tensor<1x2x4x4xf32>, tensor<f32>, i64) -> tensor<1x2x4x4xi8>
  %qw = daq.quantize %w, %sw step %step {granularity = #daq.granularity<per_axis = 0>,
                                         rounding = #daq.rounding<stochastic, seed = 4>}
      : (tensor<3x2x3x3xf32>, tensor<3xf32>, i64) -> tensor<3x2x3x3xi8>
  %y = daq.qconv2d %qx[%sx], %qw[%sw] {conv = #daq.conv<layout = nchw>}
      : (tensor<1x2x4x4xi8>, tensor<f32>, tensor<3x2x3x3xi8>, tensor<3xf32>) -> tensor<1x3x2x2xf32>
  return %y : tensor<1x3x2x2xf32>
}

// -----

// Near misses stay unfused: a quantize with another clip than the
// convolution's, a per-axis quantize along another axis than the output
// channels, and a second operand whose rounding differs from the first one
// fused.
// CHECK-LABEL: func @near_misses
// CHECK:       %[[Q1:.*]] = daq.quantize
// CHECK:       daq.qconv2d %[[Q1]]
// CHECK:       %[[Q2:.*]] = daq.quantize %{{.*}} {granularity = #daq.granularity<per_axis = 2>}
// CHECK:       daq.qconv2d_backward_filter %{{.*}}, %[[Q2]]
// CHECK:       %[[Q3:.*]] = daq.quantize %{{.*}} {granularity = #daq.granularity<per_tensor>}
// CHECK:       daq.qconv2d_backward_data %{{.*}}[%{{.*}}], %[[Q3]][%{{.*}}] step %{{.*}} {conv = #daq.conv<layout = nchw>, rounding = #daq.rounding<stochastic, seed = 1>}
func.func @near_misses(%x: tensor<1x2x4x4xf32>, %sx: tensor<f32>, %other: tensor<f32>,
                       %qw: tensor<3x2x3x3xi8>, %sw: tensor<f32>,
                       %qx5: tensor<1x2x5x5xi8>, %gy: tensor<1x3x3x3xf32>, %sgy: tensor<3xf32>,
                       %w: tensor<3x2x3x3xf32>, %sgyt: tensor<f32>, %step: i64)
    -> (tensor<1x3x2x2xf32>, tensor<3x2x3x3xf32>, tensor<1x2x5x5xf32>) {
  %q1 = daq.quantize %x, %other {granularity = #daq.granularity<per_tensor>}
      : (tensor<1x2x4x4xf32>, tensor<f32>) -> tensor<1x2x4x4xi8>
  %y = daq.qconv2d %q1[%sx], %qw[%sw] {conv = #daq.conv<layout = nchw>}
      : (tensor<1x2x4x4xi8>, tensor<f32>, tensor<3x2x3x3xi8>, tensor<f32>) -> tensor<1x3x2x2xf32>
  %q2 = daq.quantize %gy, %sgy {granularity = #daq.granularity<per_axis = 2>}
      : (tensor<1x3x3x3xf32>, tensor<3xf32>) -> tensor<1x3x3x3xi8>
  %gw = daq.qconv2d_backward_filter %qx5[%sgyt], %q2[%sgy] {conv = #daq.conv<layout = nchw>}
      : (tensor<1x2x5x5xi8>, tensor<f32>, tensor<1x3x3x3xi8>, tensor<3xf32>) -> tensor<3x2x3x3xf32>
  %qg = daq.quantize %gy, %sgyt step %step {granularity = #daq.granularity<per_tensor>,
                                            rounding = #daq.rounding<stochastic, seed = 1>}
      : (tensor<1x3x3x3xf32>, tensor<f32>, i64) -> tensor<1x3x3x3xi8>
  %q3 = daq.quantize %w, %sw {granularity = #daq.granularity<per_tensor>}
      : (tensor<3x2x3x3xf32>, tensor<f32>) -> tensor<3x2x3x3xi8>
  %gx = daq.qconv2d_backward_data %qg[%sgyt], %q3[%sw] {conv = #daq.conv<layout = nchw>}
      : (tensor<1x3x3x3xi8>, tensor<f32>, tensor<3x2x3x3xi8>, tensor<f32>) -> tensor<1x2x5x5xf32>
  return %y, %gw, %gx : tensor<1x3x2x2xf32>, tensor<3x2x3x3xf32>, tensor<1x2x5x5xf32>
}
