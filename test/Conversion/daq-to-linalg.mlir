// RUN: daq-opt %s -split-input-file --convert-daq-to-linalg | FileCheck %s

// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[AXIS1:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func @quantize_nearest_even
// CHECK:       linalg.generic {indexing_maps = [#[[ID]], #[[AXIS1]], #[[ID]]], iterator_types = ["parallel", "parallel"]}
// CHECK:         %[[ZERO_CLIP:.*]] = arith.cmpf oeq, %[[S:.*]], %{{.*}} : f32
// CHECK:         %[[INV:.*]] = arith.divf %{{.*}}, %[[S]] : f32
// CHECK:         %[[SAFE_INV:.*]] = arith.select %[[ZERO_CLIP]], %{{.*}}, %[[INV]] : f32
// CHECK:         arith.maximumf
// CHECK:         arith.minimumf
// CHECK:         %[[V:.*]] = arith.mulf %{{.*}}, %[[SAFE_INV]] : f32
// CHECK:         math.roundeven %[[V]] : f32
// CHECK:         arith.fptosi %{{.*}} : f32 to i8
// CHECK:         %[[NAN:.*]] = arith.cmpf uno, %[[V]], %[[V]] : f32
// CHECK:         arith.select %[[NAN]], %{{.*}}, %{{.*}} : i8
// CHECK-NOT:   daq.
func.func @quantize_nearest_even(%x: tensor<4x3xf32>, %c: tensor<3xf32>) -> tensor<4x3xi8> {
  %q = daq.quantize %x, %c {granularity = #daq.granularity<per_axis = 1>}
      : (tensor<4x3xf32>, tensor<3xf32>) -> tensor<4x3xi8>
  return %q : tensor<4x3xi8>
}

// -----

// Stochastic rounding: Philox-4x32-10 (ten rounds of two widening multiplies)
// on the element's linear index and the step, keyed by the seed.
// CHECK-LABEL: func @quantize_stochastic
// CHECK:       linalg.generic
// CHECK-COUNT-2: linalg.index
// CHECK-COUNT-20: arith.mului_extended
// CHECK-NOT:   arith.mului_extended
// CHECK:       arith.shrui
// CHECK:       arith.uitofp
// CHECK:       math.floor
// CHECK-NOT:   math.roundeven
func.func @quantize_stochastic(%x: tensor<4x3xf32>, %c: tensor<f32>, %step: i64) -> tensor<4x3xi8> {
  %q = daq.quantize %x, %c step %step {granularity = #daq.granularity<per_tensor>,
                                       rounding = #daq.rounding<stochastic, seed = 11>}
      : (tensor<4x3xf32>, tensor<f32>, i64) -> tensor<4x3xi8>
  return %q : tensor<4x3xi8>
}

// -----

// CHECK-LABEL: func @dequantize
// CHECK:       linalg.generic
// CHECK:         arith.sitofp %{{.*}} : i8 to f32
// CHECK:         arith.divf %{{.*}}, %{{.*}} : f32
// CHECK:         arith.mulf
func.func @dequantize(%q: tensor<4x3xi8>, %c: tensor<f32>) -> tensor<4x3xf32> {
  %x = daq.dequantize %q, %c {granularity = #daq.granularity<per_tensor>}
      : (tensor<4x3xi8>, tensor<f32>) -> tensor<4x3xf32>
  return %x : tensor<4x3xf32>
}

// -----

// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ALL:.*]] = affine_map<(d0, d1) -> ()>
// CHECK-LABEL: func @max_abs_per_tensor
// CHECK:       linalg.generic {indexing_maps = [#[[ID]], #[[ALL]]], iterator_types = ["reduction", "reduction"]}
// CHECK:         math.absf
// CHECK:         arith.maximumf
func.func @max_abs_per_tensor(%x: tensor<4x3xf32>) -> tensor<f32> {
  %c = daq.max_abs %x {granularity = #daq.granularity<per_tensor>} : tensor<4x3xf32> -> tensor<f32>
  return %c : tensor<f32>
}

// -----

// MCS: moments in f64, count above sigma, then classification and update.
// CHECK-LABEL: func @mcs_clip
// CHECK:       linalg.generic {{.*}}iterator_types = ["reduction", "parallel", "reduction", "reduction"]
// CHECK:         arith.extf %{{.*}} : f32 to f64
// CHECK:         arith.addf %{{.*}} : f64
// CHECK:         arith.maximumf
// CHECK:       linalg.generic {{.*}}iterator_types = ["reduction", "parallel", "reduction", "reduction"]
// CHECK:         arith.subf %{{.*}} : f64
// CHECK:       linalg.generic {{.*}}iterator_types = ["reduction", "parallel", "reduction", "reduction"]
// CHECK:         math.sqrt %{{.*}} : f64
// CHECK:         arith.cmpf ogt, %{{.*}} : f64
// CHECK:       linalg.generic {{.*}}iterator_types = ["parallel"]
// CHECK:         %[[BELL:.*]] = arith.cmpf ogt, %{{.*}}, %{{.*}} : f64
// CHECK:         %[[FIRST:.*]] = arith.cmpf olt, %{{.*}}, %{{.*}} : f32
// CHECK:         arith.constant 2.000000e-01 : f32
// CHECK:         arith.constant 8.000000e-01 : f32
// CHECK:         %[[USE_MAX:.*]] = arith.ori %[[BELL]], %[[FIRST]] : i1
// CHECK:         arith.select %[[USE_MAX]]
func.func @mcs_clip(%g: tensor<2x5x3x3xf32>, %s: tensor<5xf32>) -> (tensor<5xf32>, tensor<5xi1>) {
  %c, %b = daq.mcs_clip %g, %s {granularity = #daq.granularity<per_axis = 1>, params = #daq.mcs}
      : (tensor<2x5x3x3xf32>, tensor<5xf32>) -> (tensor<5xf32>, tensor<5xi1>)
  return %c, %b : tensor<5xf32>, tensor<5xi1>
}

// -----

// DSGC: one candidate dimension in front, then a reduction over it.
// CHECK-LABEL: func @dsgc_clip
// CHECK:       arith.constant dense<[1.000000e-01, 5.500000e-01, 1.000000e+00]> : tensor<3xf32>
// CHECK:       linalg.generic {{.*}}iterator_types = ["parallel", "reduction", "parallel"]
// CHECK:         math.roundeven
// CHECK:       linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]
// CHECK:         math.sqrt
// CHECK:       linalg.generic {{.*}}iterator_types = ["parallel"]
func.func @dsgc_clip(%g: tensor<4x2xf32>) -> (tensor<2xf32>, tensor<2xf32>) {
  %c, %d = daq.dsgc_clip %g {granularity = #daq.granularity<per_axis = 1>, params = #daq.dsgc<candidates = 3>}
      : tensor<4x2xf32> -> (tensor<2xf32>, tensor<2xf32>)
  return %c, %d : tensor<2xf32>, tensor<2xf32>
}

// -----

// quantize_grad is decomposed first, then each piece is lowered.
// CHECK-LABEL: func @quantize_grad
// CHECK-NOT:   daq.
// CHECK:       return
func.func @quantize_grad(%g: tensor<2x5x3x3xf32>) -> (tensor<2x5x3x3xi8>, tensor<5xf32>, tensor<2x5x3x3xi8>, tensor<f32>) {
  %a, %b, %c, %d = daq.quantize_grad %g {axis = 1 : i64, strategy = #daq.max}
      : (tensor<2x5x3x3xf32>) -> (tensor<2x5x3x3xi8>, tensor<5xf32>, tensor<2x5x3x3xi8>, tensor<f32>)
  return %a, %b, %c, %d : tensor<2x5x3x3xi8>, tensor<5xf32>, tensor<2x5x3x3xi8>, tensor<f32>
}

// -----

// Forward, NCHW, stride 2, padding, dilation 2, 2 groups: pad, split the
// channels into (groups, channels per group), one contraction, collapse.
// CHECK-DAG: #[[IN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d5, d3 * 2 + d6 * 2, d4 * 2 + d7 * 2)>
// CHECK-DAG: #[[FILTER:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d1, d2, d5, d6, d7)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d2, d3, d4)>
// CHECK-LABEL: func @conv2d_nchw
// CHECK:       tensor.pad %{{.*}} low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK:       tensor.expand_shape %{{.*}} {{\[}}[0], [1, 2], [3], [4]] output_shape [1, 2, 2, 11, 11]
// CHECK:       tensor.expand_shape %{{.*}} {{\[}}[0, 1], [2], [3], [4]] output_shape [2, 2, 2, 3, 3]
// CHECK:       linalg.generic {indexing_maps = [#[[IN]], #[[FILTER]], #[[OUT]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
// CHECK:         arith.mulf
// CHECK:         arith.addf
// CHECK:       tensor.collapse_shape %{{.*}} {{\[}}[0], [1, 2], [3], [4]] : tensor<1x2x2x4x4xf32> into tensor<1x4x4x4xf32>
func.func @conv2d_nchw(%x: tensor<1x4x9x9xf32>, %w: tensor<4x2x3x3xf32>) -> tensor<1x4x4x4xf32> {
  %y = daq.conv2d %x, %w {conv = #daq.conv<layout = nchw, strides = [2, 2], padding = [1, 1, 1, 1], dilations = [2, 2], groups = 2>}
      : (tensor<1x4x9x9xf32>, tensor<4x2x3x3xf32>) -> tensor<1x4x4x4xf32>
  return %y : tensor<1x4x4x4xf32>
}

// -----

// Backward-data, NHWC, stride 2: dilate GY with a strided insert, pad by
// dilation * (kernel - 1), flip the filter, convolve, pad the tail and cut
// the input padding off.
// CHECK-LABEL: func @conv2d_backward_data_nhwc
// CHECK:       tensor.insert_slice %{{.*}} into %{{.*}}[0, 0, 0, 0] [1, 4, 4, 2] [1, 2, 2, 1] : tensor<1x4x4x2xf32> into tensor<1x7x7x2xf32>
// CHECK:       tensor.pad %{{.*}} low[0, 2, 2, 0] high[0, 2, 2, 0]
// CHECK:       linalg.generic {indexing_maps = [#{{.*}}, #{{.*}}], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]}
// CHECK:       linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]
// CHECK:       tensor.pad %{{.*}} low[0, 0, 0, 0] high[0, 1, 1, 0]
// CHECK:       tensor.extract_slice %{{.*}}[0, 1, 1, 0] [1, 8, 8, 3] [1, 1, 1, 1] : tensor<1x10x10x3xf32> to tensor<1x8x8x3xf32>
func.func @conv2d_backward_data_nhwc(%gy: tensor<1x4x4x2xf32>, %w: tensor<2x3x3x3xf32>) -> tensor<1x8x8x3xf32> {
  %gx = daq.conv2d_backward_data %gy, %w {conv = #daq.conv<layout = nhwc, strides = [2, 2], padding = [1, 1, 1, 1]>}
      : (tensor<1x4x4x2xf32>, tensor<2x3x3x3xf32>) -> tensor<1x8x8x3xf32>
  return %gx : tensor<1x8x8x3xf32>
}

// -----

// Backward-filter reduces over (n, oh, ow) and keeps the filter dimensions.
// CHECK-LABEL: func @conv2d_backward_filter
// CHECK:       linalg.generic {{.*}}iterator_types = ["reduction", "parallel", "parallel", "reduction", "reduction", "parallel", "parallel", "parallel"]
// CHECK:       tensor.collapse_shape %{{.*}} {{\[}}[0, 1], [2], [3], [4]] : tensor<1x3x2x3x3xf32> into tensor<3x2x3x3xf32>
func.func @conv2d_backward_filter(%x: tensor<2x2x5x5xf32>, %gy: tensor<2x3x5x5xf32>) -> tensor<3x2x3x3xf32> {
  %gw = daq.conv2d_backward_filter %x, %gy {conv = #daq.conv<layout = nchw, padding = [1, 1, 1, 1]>}
      : (tensor<2x2x5x5xf32>, tensor<2x3x5x5xf32>) -> tensor<3x2x3x3xf32>
  return %gw : tensor<3x2x3x3xf32>
}

// -----

// INT8: i8 x i8 -> i32 contraction, then the f32 epilogue with the
// per-output-channel filter clip along the channel dimension of Y.
// CHECK-DAG: #[[ID4:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[SCALAR:.*]] = affine_map<(d0, d1, d2, d3) -> ()>
// CHECK-DAG: #[[CHAN:.*]] = affine_map<(d0, d1, d2, d3) -> (d1)>
// CHECK-LABEL: func @qconv2d
// CHECK:       linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<2x1x3x5x5xi8>, tensor<1x4x3x3x3xi8>) outs(%{{.*}} : tensor<2x1x4x3x3xi32>)
// CHECK:         arith.extsi %{{.*}} : i8 to i32
// CHECK:         arith.extsi %{{.*}} : i8 to i32
// CHECK:         arith.muli
// CHECK:         arith.addi
// CHECK:       linalg.generic {indexing_maps = [#[[ID4]], #[[SCALAR]], #[[CHAN]], #[[ID4]]]
// CHECK:         arith.constant 1.612900e+04 : f32
// CHECK:         arith.sitofp %{{.*}} : i32 to f32
func.func @qconv2d(%x: tensor<2x3x5x5xi8>, %sx: tensor<f32>, %w: tensor<4x3x3x3xi8>, %sw: tensor<4xf32>) -> tensor<2x4x3x3xf32> {
  %y = daq.qconv2d %x[%sx], %w[%sw] {conv = #daq.conv<layout = nchw>}
      : (tensor<2x3x5x5xi8>, tensor<f32>, tensor<4x3x3x3xi8>, tensor<4xf32>) -> tensor<2x4x3x3xf32>
  return %y : tensor<2x4x3x3xf32>
}

// -----

// Quantize-on-load lowers to the unfused form: quantize GY per channel along
// its channel dimension with the op's rounding, then the i32 contraction;
// the per-channel clip of GW runs along GW's dimension 0.
// CHECK-DAG: #[[GY_CHAN:.*]] = affine_map<(d0, d1, d2, d3) -> (d1)>
// CHECK-DAG: #[[GW_CHAN:.*]] = affine_map<(d0, d1, d2, d3) -> (d0)>
// CHECK-LABEL: func @qconv2d_backward_filter_on_load
// CHECK:       linalg.generic {indexing_maps = [#{{.*}}, #[[GY_CHAN]], #{{.*}}]
// CHECK:         math.floor
// CHECK:         arith.fptosi %{{.*}} : f32 to i8
// CHECK:       linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<2x1x3x5x5xi8>, tensor<2x1x4x3x3xi8>) outs(%{{.*}} : tensor<1x4x3x3x3xi32>)
// CHECK:       linalg.generic {indexing_maps = [#{{.*}}, #{{.*}}, #[[GW_CHAN]], #{{.*}}]
func.func @qconv2d_backward_filter_on_load(%x: tensor<2x3x5x5xi8>, %sx: tensor<f32>, %gy: tensor<2x4x3x3xf32>, %sgy: tensor<4xf32>, %step: i64) -> tensor<4x3x3x3xf32> {
  %gw = daq.qconv2d_backward_filter %x[%sx], %gy[%sgy] step %step {conv = #daq.conv<layout = nchw>, rounding = #daq.rounding<stochastic, seed = 2>}
      : (tensor<2x3x5x5xi8>, tensor<f32>, tensor<2x4x3x3xf32>, tensor<4xf32>, i64) -> tensor<4x3x3x3xf32>
  return %gw : tensor<4x3x3x3xf32>
}
