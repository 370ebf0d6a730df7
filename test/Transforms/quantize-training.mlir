// RUN: daq-opt %s -split-input-file --daq-quantize-training | FileCheck %s --check-prefixes=CHECK,DEFAULT
// RUN: daq-opt %s -split-input-file --daq-quantize-training="layers=all clip=max" | FileCheck %s --check-prefixes=CHECK,ALLMAX
// RUN: daq-opt %s -split-input-file --daq-quantize-training="layers=none" | FileCheck %s --check-prefix=NONE
// RUN: daq-opt %s -split-input-file --daq-quantize-training="layers=1 backward-data=folded rounding=stochastic seed=7" | FileCheck %s --check-prefix=FOLDED
// RUN: daq-opt %s -split-input-file --daq-quantize-training="layers=0,1 clip=dsgc mcs-lambda=0.25" | FileCheck %s --check-prefix=DSGC
// RUN: daq-opt %s -split-input-file --daq-quantize-training="mcs-lambda=0.25 mcs-k=0.5 mcs-a=0.9" | FileCheck %s --check-prefix=PARAMS

// PARAMS-LABEL: func @two_layers
// PARAMS:         daq.quantize_grad {{.*}}strategy = #daq.mcs<lambda = 2.500000e-01, k = 5.000000e-01, a = 9.000000e-01>

// Two layers; forward order numbers them 0 and 1. The default policy keeps
// layer 0 in FP32 and quantizes layer 1 with MCS clip state as arguments and
// results.

// CHECK-LABEL: func @two_layers
// DEFAULT-SAME:  %[[X:[^:]*]]: tensor<2x3x8x8xf32>, %[[W0:[^:]*]]: tensor<4x3x3x3xf32>, %[[W1:[^:]*]]: tensor<4x4x3x3xf32>, %[[GY1:[^:]*]]: tensor<2x4x8x8xf32>, %[[GY0:[^:]*]]: tensor<2x4x8x8xf32>,
// DEFAULT-SAME:  %[[SC:[^:]*]]: tensor<4xf32> {daq.state = "layer 1 grad_output per-channel clip"}, %[[ST:[^:]*]]: tensor<f32> {daq.state = "layer 1 grad_output per-tensor clip"})
// DEFAULT-SAME:  -> (tensor<2x4x8x8xf32>, tensor<2x4x8x8xf32>, tensor<4x4x3x3xf32>, tensor<4x3x3x3xf32>, tensor<4xf32> {daq.state = "layer 1 grad_output per-channel clip"}, tensor<f32> {daq.state = "layer 1 grad_output per-tensor clip"})
// DEFAULT:       %[[Y0:.*]] = daq.conv2d %[[X]], %[[W0]]
// DEFAULT:       %[[SA:.*]] = daq.max_abs %[[Y0]] {granularity = #daq.granularity<per_tensor>}
// DEFAULT:       %[[QA:.*]] = daq.quantize %[[Y0]], %[[SA]] {granularity = #daq.granularity<per_tensor>}
// DEFAULT:       %[[SW:.*]] = daq.max_abs %[[W1]] {granularity = #daq.granularity<per_tensor>}
// DEFAULT:       %[[QW:.*]] = daq.quantize %[[W1]], %[[SW]]
// DEFAULT:       %[[Y1:.*]] = daq.qconv2d %[[QA]][%[[SA]]], %[[QW]][%[[SW]]]
// DEFAULT:       %[[QC:.*]], %[[CC:.*]], %[[QT:.*]], %[[CT:.*]] = daq.quantize_grad %[[GY1]] state(%[[SC]], %[[ST]]) {axis = 1 : i64, strategy = #daq.mcs}
// DEFAULT:       %[[GX1:.*]] = daq.qconv2d_backward_data %[[QT]][%[[CT]]], %[[QW]][%[[SW]]]
// DEFAULT:       %[[GW1:.*]] = daq.qconv2d_backward_filter %[[QA]][%[[SA]]], %[[QC]][%[[CC]]]
// DEFAULT:       %[[GW0:.*]] = daq.conv2d_backward_filter %[[X]], %[[GY0]]
// DEFAULT:       return %[[Y1]], %[[GX1]], %[[GW1]], %[[GW0]], %[[CC]], %[[CT]]

// ALLMAX-NOT:    daq.conv2d
// ALLMAX:        daq.qconv2d
// ALLMAX:        daq.qconv2d
// ALLMAX:        daq.quantize_grad %{{[^ ]*}} {axis = 1 : i64, strategy = #daq.max}
// ALLMAX:        daq.quantize_grad %{{[^ ]*}} {axis = 1 : i64, strategy = #daq.max}
// ALLMAX-NOT:    daq.conv2d
// ALLMAX:        return

// NONE-LABEL: func @two_layers
// NONE-SAME:    -> (tensor<2x4x8x8xf32>, tensor<2x4x8x8xf32>, tensor<4x4x3x3xf32>, tensor<4x3x3x3xf32>)
// NONE-NOT:     daq.q
// NONE-NOT:     daq.max_abs

// Folded backward-data: only the per-channel state; GY codes with clip 1.0
// and the filter scaled by the per-channel clips; a training-step argument.
// FOLDED-LABEL: func @two_layers
// FOLDED-SAME:  %[[GY1:[^:]*]]: tensor<2x4x8x8xf32>, %{{[^:]*}}: tensor<2x4x8x8xf32>, %[[SC:[^:]*]]: tensor<4xf32> {daq.state = "layer 1 grad_output per-channel clip"}, %[[STEP:[^:]*]]: i64 {daq.state = "training step"})
// FOLDED:       %[[UNUSED:.*]] = arith.constant dense<-1.000000e+00> : tensor<f32>
// FOLDED:       %[[QC:.*]], %[[CC:.*]], %{{.*}}, %{{.*}} = daq.quantize_grad %[[GY1]] state(%[[SC]], %[[UNUSED]]) step %[[STEP]] {axis = 1 : i64, rounding = #daq.rounding<stochastic, seed = 7>, strategy = #daq.mcs}
// FOLDED:       %[[ONE:.*]] = arith.constant dense<1.000000e+00> : tensor<f32>
// FOLDED:       %[[SCALED:.*]] = linalg.generic {{.*}} ins(%{{.*}}, %[[CC]] : tensor<4x4x3x3xf32>, tensor<4xf32>)
// FOLDED:         arith.mulf
// FOLDED:       %[[SS:.*]] = daq.max_abs %[[SCALED]]
// FOLDED:       %[[QS:.*]] = daq.quantize %[[SCALED]], %[[SS]]
// FOLDED:       daq.qconv2d_backward_data %[[QC]][%[[ONE]]], %[[QS]][%[[SS]]]
// FOLDED:       daq.qconv2d_backward_filter %{{.*}}, %[[QC]][%[[CC]]]
// FOLDED:       return {{.*}}, %[[CC]] : {{.*}}, tensor<4xf32>

// DSGC-LABEL: func @two_layers
// DSGC-NOT:     daq.state
// DSGC:         strategy = #daq.dsgc
// DSGC:         strategy = #daq.dsgc
// DSGC-NOT:     daq.conv2d
// DSGC:         return
func.func @two_layers(%x: tensor<2x3x8x8xf32>, %w0: tensor<4x3x3x3xf32>, %w1: tensor<4x4x3x3xf32>,
                      %gy1: tensor<2x4x8x8xf32>, %gy0: tensor<2x4x8x8xf32>)
    -> (tensor<2x4x8x8xf32>, tensor<2x4x8x8xf32>, tensor<4x4x3x3xf32>, tensor<4x3x3x3xf32>) {
  %y0 = daq.conv2d %x, %w0 {conv = #daq.conv<layout = nchw, padding = [1, 1, 1, 1]>}
      : (tensor<2x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<2x4x8x8xf32>
  %y1 = daq.conv2d %y0, %w1 {conv = #daq.conv<layout = nchw, padding = [1, 1, 1, 1]>}
      : (tensor<2x4x8x8xf32>, tensor<4x4x3x3xf32>) -> tensor<2x4x8x8xf32>
  %gx1 = daq.conv2d_backward_data %gy1, %w1 {conv = #daq.conv<layout = nchw, padding = [1, 1, 1, 1]>}
      : (tensor<2x4x8x8xf32>, tensor<4x4x3x3xf32>) -> tensor<2x4x8x8xf32>
  %gw1 = daq.conv2d_backward_filter %y0, %gy1 {conv = #daq.conv<layout = nchw, padding = [1, 1, 1, 1]>}
      : (tensor<2x4x8x8xf32>, tensor<2x4x8x8xf32>) -> tensor<4x4x3x3xf32>
  %gw0 = daq.conv2d_backward_filter %x, %gy0 {conv = #daq.conv<layout = nchw, padding = [1, 1, 1, 1]>}
      : (tensor<2x3x8x8xf32>, tensor<2x4x8x8xf32>) -> tensor<4x3x3x3xf32>
  return %y1, %gx1, %gw1, %gw0 : tensor<2x4x8x8xf32>, tensor<2x4x8x8xf32>, tensor<4x4x3x3xf32>, tensor<4x3x3x3xf32>
}

// -----

// NHWC: the gradient's channel axis is 3. A backward op with another
// geometry than the forward one is not part of the layer and stays FP32.
// CHECK-LABEL: func @nhwc_and_mismatch
// ALLMAX:        daq.quantize_grad %{{.*}} {axis = 3 : i64, strategy = #daq.max}
// ALLMAX:        daq.qconv2d_backward_filter
// ALLMAX:        daq.conv2d_backward_data %{{.*}} {conv = #daq.conv<layout = nhwc, strides = [2, 2], padding = [1, 1, 1, 1]>}
func.func @nhwc_and_mismatch(%x: tensor<1x5x5x2xf32>, %w: tensor<3x3x3x2xf32>, %gy: tensor<1x5x5x3xf32>, %gy2: tensor<1x3x3x3xf32>)
    -> (tensor<1x5x5x3xf32>, tensor<3x3x3x2xf32>, tensor<1x5x5x2xf32>) {
  %y = daq.conv2d %x, %w {conv = #daq.conv<layout = nhwc, padding = [1, 1, 1, 1]>}
      : (tensor<1x5x5x2xf32>, tensor<3x3x3x2xf32>) -> tensor<1x5x5x3xf32>
  %gw = daq.conv2d_backward_filter %x, %gy {conv = #daq.conv<layout = nhwc, padding = [1, 1, 1, 1]>}
      : (tensor<1x5x5x2xf32>, tensor<1x5x5x3xf32>) -> tensor<3x3x3x2xf32>
  %gx = daq.conv2d_backward_data %gy2, %w {conv = #daq.conv<layout = nhwc, strides = [2, 2], padding = [1, 1, 1, 1]>}
      : (tensor<1x3x3x3xf32>, tensor<3x3x3x2xf32>) -> tensor<1x5x5x2xf32>
  return %y, %gw, %gx : tensor<1x5x5x3xf32>, tensor<3x3x3x2xf32>, tensor<1x5x5x2xf32>
}

// -----

// The backward-data op of a strided convolution may carry a smaller high
// padding than its forward op (the rows it drops are never read); it still
// belongs to the layer.
// ALLMAX-LABEL: func @equivalent_high_padding
// ALLMAX:         daq.qconv2d {{.*}}padding = [1, 1, 1, 1]
// ALLMAX:         daq.qconv2d_backward_data {{.*}}padding = [1, 1, 0, 0]
func.func @equivalent_high_padding(%x: tensor<1x2x8x8xf32>, %w: tensor<3x2x3x3xf32>, %gy: tensor<1x3x4x4xf32>)
    -> (tensor<1x3x4x4xf32>, tensor<1x2x8x8xf32>) {
  %y = daq.conv2d %x, %w {conv = #daq.conv<layout = nchw, strides = [2, 2], padding = [1, 1, 1, 1]>}
      : (tensor<1x2x8x8xf32>, tensor<3x2x3x3xf32>) -> tensor<1x3x4x4xf32>
  %gx = daq.conv2d_backward_data %gy, %w {conv = #daq.conv<layout = nchw, strides = [2, 2], padding = [1, 1, 0, 0]>}
      : (tensor<1x3x4x4xf32>, tensor<3x2x3x3xf32>) -> tensor<1x2x8x8xf32>
  return %y, %gx : tensor<1x3x4x4xf32>, tensor<1x2x8x8xf32>
}
