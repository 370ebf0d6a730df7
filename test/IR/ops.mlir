// RUN: daq-opt %s -split-input-file | FileCheck %s
// Round trip through the generic form must give the same custom form.
// RUN: daq-opt %s -split-input-file -mlir-print-op-generic | daq-opt -split-input-file | FileCheck %s

// CHECK-LABEL: func @max_abs
func.func @max_abs(%g: tensor<4x3x5x5xf32>) -> (tensor<3xf32>, tensor<f32>) {
  // CHECK: daq.max_abs %{{.*}} {granularity = #daq.granularity<per_axis = 1>} : tensor<4x3x5x5xf32> -> tensor<3xf32>
  %c = daq.max_abs %g {granularity = #daq.granularity<per_axis = 1>} : tensor<4x3x5x5xf32> -> tensor<3xf32>
  // CHECK: daq.max_abs %{{.*}} {granularity = #daq.granularity<per_tensor>} : tensor<4x3x5x5xf32> -> tensor<f32>
  %t = daq.max_abs %g {granularity = #daq.granularity<per_tensor>} : tensor<4x3x5x5xf32> -> tensor<f32>
  return %c, %t : tensor<3xf32>, tensor<f32>
}

// -----

// CHECK-LABEL: func @mcs_clip
func.func @mcs_clip(%g: tensor<4x5x5x3xf32>, %s: tensor<3xf32>, %st: tensor<f32>)
    -> (tensor<3xf32>, tensor<3xi1>, tensor<f32>, tensor<i1>) {
  // CHECK: %{{.*}}, %{{.*}} = daq.mcs_clip %{{.*}}, %{{.*}} {granularity = #daq.granularity<per_axis = 3>, params = #daq.mcs} : (tensor<4x5x5x3xf32>, tensor<3xf32>) -> (tensor<3xf32>, tensor<3xi1>)
  %c, %b = daq.mcs_clip %g, %s {granularity = #daq.granularity<per_axis = 3>, params = #daq.mcs}
      : (tensor<4x5x5x3xf32>, tensor<3xf32>) -> (tensor<3xf32>, tensor<3xi1>)
  // CHECK: daq.mcs_clip {{.*}}params = #daq.mcs<lambda = 2.500000e-01, k = 5.000000e-01, a = 9.000000e-01>}
  %t, %tb = daq.mcs_clip %g, %st {granularity = #daq.granularity<per_tensor>,
                                   params = #daq.mcs<a = 0.9, lambda = 0.25, k = 0.5>}
      : (tensor<4x5x5x3xf32>, tensor<f32>) -> (tensor<f32>, tensor<i1>)
  return %c, %b, %t, %tb : tensor<3xf32>, tensor<3xi1>, tensor<f32>, tensor<i1>
}

// -----

// Parameters equal to their defaults are not printed.
// CHECK-LABEL: func @mcs_defaults
func.func @mcs_defaults(%g: tensor<8x2xf32>, %s: tensor<2xf32>) -> tensor<2xf32> {
  // CHECK: params = #daq.mcs}
  %c, %b = daq.mcs_clip %g, %s {granularity = #daq.granularity<per_axis = 1>,
                                 params = #daq.mcs<lambda = 0.3, k = 1.0, a = 0.8>}
      : (tensor<8x2xf32>, tensor<2xf32>) -> (tensor<2xf32>, tensor<2xi1>)
  return %c : tensor<2xf32>
}

// -----

// CHECK-LABEL: func @dsgc_clip
func.func @dsgc_clip(%g: tensor<4x3x5x5xf32>) -> (tensor<3xf32>, tensor<3xf32>, tensor<f32>) {
  // CHECK: daq.dsgc_clip %{{.*}} {granularity = #daq.granularity<per_axis = 1>, params = #daq.dsgc} : tensor<4x3x5x5xf32> -> (tensor<3xf32>, tensor<3xf32>)
  %c, %d = daq.dsgc_clip %g {granularity = #daq.granularity<per_axis = 1>, params = #daq.dsgc}
      : tensor<4x3x5x5xf32> -> (tensor<3xf32>, tensor<3xf32>)
  // CHECK: params = #daq.dsgc<candidates = 64, min_ratio = 5.000000e-02>
  %t, %td = daq.dsgc_clip %g {granularity = #daq.granularity<per_tensor>,
                              params = #daq.dsgc<min_ratio = 0.05, candidates = 64>}
      : tensor<4x3x5x5xf32> -> (tensor<f32>, tensor<f32>)
  return %c, %d, %t : tensor<3xf32>, tensor<3xf32>, tensor<f32>
}

// -----

// CHECK-LABEL: func @quantize_dequantize
func.func @quantize_dequantize(%x: tensor<2x3x4x4xf32>, %s: tensor<f32>, %c: tensor<3xf32>, %step: i64)
    -> (tensor<2x3x4x4xf32>, tensor<2x3x4x4xi8>) {
  // CHECK: %[[Q:.*]] = daq.quantize %{{.*}}, %{{.*}} {granularity = #daq.granularity<per_tensor>} : (tensor<2x3x4x4xf32>, tensor<f32>) -> tensor<2x3x4x4xi8>
  %q = daq.quantize %x, %s {granularity = #daq.granularity<per_tensor>}
      : (tensor<2x3x4x4xf32>, tensor<f32>) -> tensor<2x3x4x4xi8>
  // CHECK: daq.dequantize %[[Q]], %{{.*}} {granularity = #daq.granularity<per_tensor>} : (tensor<2x3x4x4xi8>, tensor<f32>) -> tensor<2x3x4x4xf32>
  %d = daq.dequantize %q, %s {granularity = #daq.granularity<per_tensor>}
      : (tensor<2x3x4x4xi8>, tensor<f32>) -> tensor<2x3x4x4xf32>
  // CHECK: daq.quantize %{{.*}}, %{{.*}} step %{{.*}} {granularity = #daq.granularity<per_axis = 1>, rounding = #daq.rounding<stochastic, seed = 42>} : (tensor<2x3x4x4xf32>, tensor<3xf32>, i64) -> tensor<2x3x4x4xi8>
  %r = daq.quantize %x, %c step %step {granularity = #daq.granularity<per_axis = 1>,
                                       rounding = #daq.rounding<stochastic, seed = 42>}
      : (tensor<2x3x4x4xf32>, tensor<3xf32>, i64) -> tensor<2x3x4x4xi8>
  // CHECK: rounding = #daq.rounding<nearest_even>
  %n = daq.quantize %x, %c {granularity = #daq.granularity<per_axis = 1>,
                            rounding = #daq.rounding<nearest_even>}
      : (tensor<2x3x4x4xf32>, tensor<3xf32>) -> tensor<2x3x4x4xi8>
  return %d, %r : tensor<2x3x4x4xf32>, tensor<2x3x4x4xi8>
}

// -----

// Dynamic sizes are accepted; the verifier checks what is known.
// CHECK-LABEL: func @quantize_dynamic
func.func @quantize_dynamic(%x: tensor<?x?xf32>, %c: tensor<?xf32>) -> tensor<?x?xi8> {
  // CHECK: daq.quantize {{.*}} : (tensor<?x?xf32>, tensor<?xf32>) -> tensor<?x?xi8>
  %q = daq.quantize %x, %c {granularity = #daq.granularity<per_axis = 0>}
      : (tensor<?x?xf32>, tensor<?xf32>) -> tensor<?x?xi8>
  return %q : tensor<?x?xi8>
}

// -----

// CHECK-LABEL: func @quantize_grad_mcs
func.func @quantize_grad_mcs(%gy: tensor<8x16x7x7xf32>, %sc: tensor<16xf32>, %st: tensor<f32>)
    -> (tensor<8x16x7x7xi8>, tensor<16xf32>, tensor<8x16x7x7xi8>, tensor<f32>) {
  // CHECK: daq.quantize_grad %{{.*}} state(%{{.*}}, %{{.*}}) {axis = 1 : i64, strategy = #daq.mcs} : (tensor<8x16x7x7xf32>, tensor<16xf32>, tensor<f32>) -> (tensor<8x16x7x7xi8>, tensor<16xf32>, tensor<8x16x7x7xi8>, tensor<f32>)
  %qc, %cc, %qt, %ct = daq.quantize_grad %gy state(%sc, %st) {axis = 1 : i64, strategy = #daq.mcs}
      : (tensor<8x16x7x7xf32>, tensor<16xf32>, tensor<f32>)
        -> (tensor<8x16x7x7xi8>, tensor<16xf32>, tensor<8x16x7x7xi8>, tensor<f32>)
  return %qc, %cc, %qt, %ct : tensor<8x16x7x7xi8>, tensor<16xf32>, tensor<8x16x7x7xi8>, tensor<f32>
}

// -----

// CHECK-LABEL: func @quantize_grad_stateless
func.func @quantize_grad_stateless(%gy: tensor<2x4x4x3xf32>, %step: i64)
    -> (tensor<3xf32>, tensor<f32>, tensor<3xf32>, tensor<2x4x4x3xi8>) {
  // CHECK: daq.quantize_grad %{{.*}} {axis = 3 : i64, strategy = #daq.max}
  %a:4 = daq.quantize_grad %gy {axis = 3 : i64, strategy = #daq.max}
      : (tensor<2x4x4x3xf32>) -> (tensor<2x4x4x3xi8>, tensor<3xf32>, tensor<2x4x4x3xi8>, tensor<f32>)
  // CHECK: daq.quantize_grad %{{.*}} {axis = 3 : i64, strategy = #daq.static<channels = [5.000000e-01, 2.500000e-01, 1.000000e+00], tensor = 1.000000e+00 : f32>}
  %b:4 = daq.quantize_grad %gy {axis = 3 : i64,
                                strategy = #daq.static<channels = [0.5, 0.25, 1.0], tensor = 1.0 : f32>}
      : (tensor<2x4x4x3xf32>) -> (tensor<2x4x4x3xi8>, tensor<3xf32>, tensor<2x4x4x3xi8>, tensor<f32>)
  // CHECK: daq.quantize_grad %{{.*}} step %{{.*}} {axis = 3 : i64, rounding = #daq.rounding<stochastic, seed = 3>, strategy = #daq.dsgc<candidates = 16>}
  %c:4 = daq.quantize_grad %gy step %step {axis = 3 : i64, strategy = #daq.dsgc<candidates = 16>,
                                           rounding = #daq.rounding<stochastic, seed = 3>}
      : (tensor<2x4x4x3xf32>, i64) -> (tensor<2x4x4x3xi8>, tensor<3xf32>, tensor<2x4x4x3xi8>, tensor<f32>)
  return %a#1, %a#3, %b#1, %c#0 : tensor<3xf32>, tensor<f32>, tensor<3xf32>, tensor<2x4x4x3xi8>
}

// -----

// CHECK-LABEL: func @float_convolutions
func.func @float_convolutions(%x: tensor<2x6x9x9xf32>, %w: tensor<4x3x3x3xf32>, %gy: tensor<2x4x4x4xf32>)
    -> (tensor<2x4x4x4xf32>, tensor<2x6x9x9xf32>, tensor<4x3x3x3xf32>) {
  // Stride 2, asymmetric padding, groups 2: (9 + 1 + 0 - 3) / 2 + 1 = 4.
  // CHECK: daq.conv2d %{{.*}}, %{{.*}} {conv = #daq.conv<layout = nchw, strides = [2, 2], padding = [1, 1, 0, 0], groups = 2>} : (tensor<2x6x9x9xf32>, tensor<4x3x3x3xf32>) -> tensor<2x4x4x4xf32>
  %y = daq.conv2d %x, %w {conv = #daq.conv<layout = nchw, strides = [2, 2], padding = [1, 1, 0, 0], groups = 2>}
      : (tensor<2x6x9x9xf32>, tensor<4x3x3x3xf32>) -> tensor<2x4x4x4xf32>
  // CHECK: daq.conv2d_backward_data %{{.*}}, %{{.*}} {conv = #daq.conv<layout = nchw, strides = [2, 2], padding = [1, 1, 0, 0], groups = 2>} : (tensor<2x4x4x4xf32>, tensor<4x3x3x3xf32>) -> tensor<2x6x9x9xf32>
  %gx = daq.conv2d_backward_data %gy, %w {conv = #daq.conv<layout = nchw, strides = [2, 2], padding = [1, 1, 0, 0], groups = 2>}
      : (tensor<2x4x4x4xf32>, tensor<4x3x3x3xf32>) -> tensor<2x6x9x9xf32>
  // CHECK: daq.conv2d_backward_filter %{{.*}}, %{{.*}} {conv = #daq.conv<layout = nchw, strides = [2, 2], padding = [1, 1, 0, 0], groups = 2>} : (tensor<2x6x9x9xf32>, tensor<2x4x4x4xf32>) -> tensor<4x3x3x3xf32>
  %gw = daq.conv2d_backward_filter %x, %gy {conv = #daq.conv<layout = nchw, strides = [2, 2], padding = [1, 1, 0, 0], groups = 2>}
      : (tensor<2x6x9x9xf32>, tensor<2x4x4x4xf32>) -> tensor<4x3x3x3xf32>
  return %y, %gx, %gw : tensor<2x4x4x4xf32>, tensor<2x6x9x9xf32>, tensor<4x3x3x3xf32>
}

// -----

// Depthwise, channels-last, dilation 2: filters are [O, KH, KW, C/G].
// CHECK-LABEL: func @depthwise_nhwc_dilated
func.func @depthwise_nhwc_dilated(%x: tensor<1x10x10x8xbf16>, %w: tensor<16x3x3x1xbf16>) -> tensor<1x6x6x16xbf16> {
  // CHECK: daq.conv2d {{.*}}{conv = #daq.conv<layout = nhwc, dilations = [2, 2], groups = 8>} : (tensor<1x10x10x8xbf16>, tensor<16x3x3x1xbf16>) -> tensor<1x6x6x16xbf16>
  %y = daq.conv2d %x, %w {conv = #daq.conv<layout = nhwc, dilations = [2, 2], groups = 8>}
      : (tensor<1x10x10x8xbf16>, tensor<16x3x3x1xbf16>) -> tensor<1x6x6x16xbf16>
  return %y : tensor<1x6x6x16xbf16>
}

// -----

// CHECK-LABEL: func @int8_convolutions
func.func @int8_convolutions(%qx: tensor<2x8x5x5xi8>, %sx: tensor<f32>, %qw: tensor<4x8x3x3xi8>,
                             %sw: tensor<f32>, %swc: tensor<4xf32>, %qgy: tensor<2x4x5x5xi8>,
                             %sgy: tensor<f32>, %sgyc: tensor<4xf32>)
    -> (tensor<2x4x5x5xf32>, tensor<2x8x5x5xf32>, tensor<4x8x3x3xf32>) {
  // CHECK: daq.qconv2d %{{.*}}[%{{.*}}], %{{.*}}[%{{.*}}] {conv = #daq.conv<layout = nchw, padding = [1, 1, 1, 1]>} : (tensor<2x8x5x5xi8>, tensor<f32>, tensor<4x8x3x3xi8>, tensor<4xf32>) -> tensor<2x4x5x5xf32>
  %y = daq.qconv2d %qx[%sx], %qw[%swc] {conv = #daq.conv<layout = nchw, padding = [1, 1, 1, 1]>}
      : (tensor<2x8x5x5xi8>, tensor<f32>, tensor<4x8x3x3xi8>, tensor<4xf32>) -> tensor<2x4x5x5xf32>
  // CHECK: daq.qconv2d_backward_data %{{.*}}[%{{.*}}], %{{.*}}[%{{.*}}] {conv = #daq.conv<layout = nchw, padding = [1, 1, 1, 1]>} : (tensor<2x4x5x5xi8>, tensor<f32>, tensor<4x8x3x3xi8>, tensor<f32>) -> tensor<2x8x5x5xf32>
  %gx = daq.qconv2d_backward_data %qgy[%sgy], %qw[%sw] {conv = #daq.conv<layout = nchw, padding = [1, 1, 1, 1]>}
      : (tensor<2x4x5x5xi8>, tensor<f32>, tensor<4x8x3x3xi8>, tensor<f32>) -> tensor<2x8x5x5xf32>
  // CHECK: daq.qconv2d_backward_filter %{{.*}}[%{{.*}}], %{{.*}}[%{{.*}}] {conv = #daq.conv<layout = nchw, padding = [1, 1, 1, 1]>} : (tensor<2x8x5x5xi8>, tensor<f32>, tensor<2x4x5x5xi8>, tensor<4xf32>) -> tensor<4x8x3x3xf32>
  %gw = daq.qconv2d_backward_filter %qx[%sx], %qgy[%sgyc] {conv = #daq.conv<layout = nchw, padding = [1, 1, 1, 1]>}
      : (tensor<2x8x5x5xi8>, tensor<f32>, tensor<2x4x5x5xi8>, tensor<4xf32>) -> tensor<4x8x3x3xf32>
  return %y, %gx, %gw : tensor<2x4x5x5xf32>, tensor<2x8x5x5xf32>, tensor<4x8x3x3xf32>
}

// -----

// f32 operands are quantized on load with their clip, the op's rounding and step.
// CHECK-LABEL: func @int8_quantize_on_load
func.func @int8_quantize_on_load(%x: tensor<2x1x7x7xf32>, %sx: tensor<f32>, %gy: tensor<2x3x3x3xf32>,
                                 %sgy: tensor<3xf32>, %w: tensor<3x1x3x3xf32>, %sw: tensor<f32>,
                                 %sgyt: tensor<f32>, %step: i64)
    -> (tensor<3x1x3x3xf32>, tensor<2x1x7x7xf32>) {
  // CHECK: daq.qconv2d_backward_filter %{{.*}}[%{{.*}}], %{{.*}}[%{{.*}}] step %{{.*}} {conv = #daq.conv<layout = nchw, strides = [2, 2]>, rounding = #daq.rounding<stochastic, seed = 9>} : (tensor<2x1x7x7xf32>, tensor<f32>, tensor<2x3x3x3xf32>, tensor<3xf32>, i64) -> tensor<3x1x3x3xf32>
  %gw = daq.qconv2d_backward_filter %x[%sx], %gy[%sgy] step %step
      {conv = #daq.conv<layout = nchw, strides = [2, 2]>, rounding = #daq.rounding<stochastic, seed = 9>}
      : (tensor<2x1x7x7xf32>, tensor<f32>, tensor<2x3x3x3xf32>, tensor<3xf32>, i64) -> tensor<3x1x3x3xf32>
  // CHECK: daq.qconv2d_backward_data {{.*}} : (tensor<2x3x3x3xf32>, tensor<f32>, tensor<3x1x3x3xf32>, tensor<f32>) -> tensor<2x1x7x7xf32>
  %gx = daq.qconv2d_backward_data %gy[%sgyt], %w[%sw] {conv = #daq.conv<layout = nchw, strides = [2, 2]>}
      : (tensor<2x3x3x3xf32>, tensor<f32>, tensor<3x1x3x3xf32>, tensor<f32>) -> tensor<2x1x7x7xf32>
  return %gw, %gx : tensor<3x1x3x3xf32>, tensor<2x1x7x7xf32>
}

// -----

// Static clips print with as many digits as they need to parse back to the
// same f32 bits; hexadecimal literals are accepted.
// CHECK-LABEL: func @static_clip_precision
// CHECK: #daq.static<channels = [0.403411359, 1.000000e+00], tensor = 0.403411359 : f32>
func.func @static_clip_precision(%g: tensor<2x2xf32>) -> tensor<2xf32> {
  %a:4 = daq.quantize_grad %g {axis = 1 : i64,
      strategy = #daq.static<channels = [0.4034113585948944, 0x3F800000], tensor = 0.4034113585948944 : f32>}
      : (tensor<2x2xf32>) -> (tensor<2x2xi8>, tensor<2xf32>, tensor<2x2xi8>, tensor<f32>)
  return %a#1 : tensor<2xf32>
}

// CHECK-LABEL: func.func @kernel_call(
// CHECK:         daq.kernel_call @k(%{{.*}}, %{{.*}}) outs(%{{.*}}) scalars([0, 7]) : (tensor<4xi8>, tensor<1xf32>), tensor<4xf32> -> tensor<4xf32>
func.func @kernel_call(%x: tensor<4xi8>, %c: tensor<1xf32>, %init: tensor<4xf32>) -> tensor<4xf32> {
  %y = daq.kernel_call @k(%x, %c) outs(%init) scalars([0, 7]) : (tensor<4xi8>, tensor<1xf32>), tensor<4xf32> -> tensor<4xf32>
  return %y : tensor<4xf32>
}

// CHECK-LABEL: func.func @kernel_call_two_outputs(
// CHECK:         daq.kernel_call @k2(%{{.*}}) outs(%{{.*}}, %{{.*}}) scalars([1]) : (tensor<4xf32>), tensor<4xi8>, tensor<2xf32> -> tensor<4xi8>, tensor<2xf32>
func.func @kernel_call_two_outputs(%x: tensor<4xf32>, %a: tensor<4xi8>, %b: tensor<2xf32>) -> (tensor<4xi8>, tensor<2xf32>) {
  %y:2 = daq.kernel_call @k2(%x) outs(%a, %b) scalars([1]) : (tensor<4xf32>), tensor<4xi8>, tensor<2xf32> -> tensor<4xi8>, tensor<2xf32>
  return %y#0, %y#1 : tensor<4xi8>, tensor<2xf32>
}
