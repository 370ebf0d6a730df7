// RUN: daq-opt %s -split-input-file -verify-diagnostics

// Invalid daq attributes. Errors are reported where the attribute is written,
// so each `expected-error @+1` points at the line holding the attribute.

//===----------------------------------------------------------------------===//
// #daq.mcs
//===----------------------------------------------------------------------===//

func.func @mcs_lambda_zero(%g: tensor<2x3xf32>, %s: tensor<3xf32>) {
  // expected-error @+1 {{MCS lambda must be in (0, 1), got 0.0}}
  %c, %b = daq.mcs_clip %g, %s {granularity = #daq.granularity<per_axis = 1>, params = #daq.mcs<lambda = 0.0>}
      : (tensor<2x3xf32>, tensor<3xf32>) -> (tensor<3xf32>, tensor<3xi1>)
  return
}

// -----

func.func @mcs_lambda_one(%g: tensor<2x3xf32>, %s: tensor<3xf32>) {
  // expected-error @+1 {{MCS lambda must be in (0, 1), got 1.0}}
  %c, %b = daq.mcs_clip %g, %s {granularity = #daq.granularity<per_axis = 1>, params = #daq.mcs<lambda = 1.0>}
      : (tensor<2x3xf32>, tensor<3xf32>) -> (tensor<3xf32>, tensor<3xi1>)
  return
}

// -----

func.func @mcs_lambda_nan(%g: tensor<2x3xf32>, %s: tensor<3xf32>) {
  // expected-error @+1 {{MCS lambda must be in (0, 1), got nan}}
  %c, %b = daq.mcs_clip %g, %s {granularity = #daq.granularity<per_axis = 1>, params = #daq.mcs<lambda = 0x7FF8000000000000>}
      : (tensor<2x3xf32>, tensor<3xf32>) -> (tensor<3xf32>, tensor<3xi1>)
  return
}

// -----

func.func @mcs_a_zero(%g: tensor<2x3xf32>, %s: tensor<3xf32>) {
  // expected-error @+1 {{MCS coefficient A must be in (0, 1], got 0.0}}
  %c, %b = daq.mcs_clip %g, %s {granularity = #daq.granularity<per_axis = 1>, params = #daq.mcs<a = 0.0>}
      : (tensor<2x3xf32>, tensor<3xf32>) -> (tensor<3xf32>, tensor<3xi1>)
  return
}

// -----

func.func @mcs_a_above_one(%g: tensor<2x3xf32>, %s: tensor<3xf32>) {
  // expected-error @+1 {{MCS coefficient A must be in (0, 1], got 1.5}}
  %c, %b = daq.mcs_clip %g, %s {granularity = #daq.granularity<per_axis = 1>, params = #daq.mcs<k = 0.5, a = 1.5>}
      : (tensor<2x3xf32>, tensor<3xf32>) -> (tensor<3xf32>, tensor<3xi1>)
  return
}

// -----

func.func @mcs_k_negative(%g: tensor<2x3xf32>, %s: tensor<3xf32>) {
  // expected-error @+1 {{MCS coefficient k must satisfy k >= 0 and k * A <= 1 (the update may not extrapolate), got k = -1.0}}
  %c, %b = daq.mcs_clip %g, %s {granularity = #daq.granularity<per_axis = 1>, params = #daq.mcs<k = -1.0>}
      : (tensor<2x3xf32>, tensor<3xf32>) -> (tensor<3xf32>, tensor<3xi1>)
  return
}

// -----

// k * A = 2.0 * 0.8 > 1 with the default A.
func.func @mcs_k_times_a_above_one(%g: tensor<2x3xf32>, %s: tensor<3xf32>) {
  // expected-error @+1 {{MCS coefficient k must satisfy k >= 0 and k * A <= 1}}
  %c, %b = daq.mcs_clip %g, %s {granularity = #daq.granularity<per_axis = 1>, params = #daq.mcs<k = 2.0>}
      : (tensor<2x3xf32>, tensor<3xf32>) -> (tensor<3xf32>, tensor<3xi1>)
  return
}

// -----

func.func @mcs_unknown_parameter(%g: tensor<2x3xf32>, %s: tensor<3xf32>) {
  // expected-error @+1 {{unknown MCS parameter 'beta', expected 'lambda', 'k' or 'a'}}
  %c, %b = daq.mcs_clip %g, %s {granularity = #daq.granularity<per_axis = 1>, params = #daq.mcs<beta = 0.5>}
      : (tensor<2x3xf32>, tensor<3xf32>) -> (tensor<3xf32>, tensor<3xi1>)
  return
}

// -----

func.func @mcs_duplicate_parameter(%g: tensor<2x3xf32>, %s: tensor<3xf32>) {
  // expected-error @+1 {{duplicate parameter 'lambda'}}
  %c, %b = daq.mcs_clip %g, %s {granularity = #daq.granularity<per_axis = 1>, params = #daq.mcs<lambda = 0.2, k = 1.0, lambda = 0.4>}
      : (tensor<2x3xf32>, tensor<3xf32>) -> (tensor<3xf32>, tensor<3xi1>)
  return
}

// -----

// The same check applies where #daq.mcs is a quantize_grad strategy.
func.func @mcs_strategy_bad_lambda(%g: tensor<2x3xf32>, %sc: tensor<3xf32>, %st: tensor<f32>) {
  // expected-error @+1 {{MCS lambda must be in (0, 1), got -2.5}}
  %0:4 = daq.quantize_grad %g state(%sc, %st) {axis = 1 : i64, strategy = #daq.mcs<lambda = -2.5>}
      : (tensor<2x3xf32>, tensor<3xf32>, tensor<f32>)
        -> (tensor<2x3xi8>, tensor<3xf32>, tensor<2x3xi8>, tensor<f32>)
  return
}

//===----------------------------------------------------------------------===//
// #daq.static
//===----------------------------------------------------------------------===//

// -----

func.func @static_no_channels(%g: tensor<2x3xf32>) {
  // expected-error @+1 {{static clip needs at least one channel value}}
  %0:4 = daq.quantize_grad %g {axis = 1 : i64, strategy = #daq.static<channels = [], tensor = 1.0 : f32>}
      : (tensor<2x3xf32>) -> (tensor<2x3xi8>, tensor<3xf32>, tensor<2x3xi8>, tensor<f32>)
  return
}

// -----

func.func @static_zero_channel(%g: tensor<2x3xf32>) {
  // expected-error @+1 {{static clip values must be positive and finite, got 0.000000e+00 for channel 1}}
  %0:4 = daq.quantize_grad %g {axis = 1 : i64, strategy = #daq.static<channels = [1.0, 0.0, 2.0], tensor = 1.0 : f32>}
      : (tensor<2x3xf32>) -> (tensor<2x3xi8>, tensor<3xf32>, tensor<2x3xi8>, tensor<f32>)
  return
}

// -----

func.func @static_negative_channel(%g: tensor<2x3xf32>) {
  // expected-error @+1 {{static clip values must be positive and finite, got -1.000000e+00 for channel 2}}
  %0:4 = daq.quantize_grad %g {axis = 1 : i64, strategy = #daq.static<channels = [1.0, 2.0, -1.0], tensor = 1.0 : f32>}
      : (tensor<2x3xf32>) -> (tensor<2x3xi8>, tensor<3xf32>, tensor<2x3xi8>, tensor<f32>)
  return
}

// -----

// 1.0e39 overflows f32 to +inf.
func.func @static_infinite_channel(%g: tensor<2x3xf32>) {
  // expected-error @+1 {{static clip values must be positive and finite, got INF for channel 0}}
  %0:4 = daq.quantize_grad %g {axis = 1 : i64, strategy = #daq.static<channels = [1.0e39, 1.0, 1.0], tensor = 1.0 : f32>}
      : (tensor<2x3xf32>) -> (tensor<2x3xi8>, tensor<3xf32>, tensor<2x3xi8>, tensor<f32>)
  return
}

// -----

func.func @static_zero_tensor(%g: tensor<2x3xf32>) {
  // expected-error @+1 {{static clip values must be positive and finite, got 0.000000e+00 for the tensor}}
  %0:4 = daq.quantize_grad %g {axis = 1 : i64, strategy = #daq.static<channels = [1.0, 1.0, 1.0], tensor = 0.0 : f32>}
      : (tensor<2x3xf32>) -> (tensor<2x3xi8>, tensor<3xf32>, tensor<2x3xi8>, tensor<f32>)
  return
}

// -----

func.func @static_infinite_tensor(%g: tensor<2x3xf32>) {
  // expected-error @+1 {{static clip values must be positive and finite, got INF for the tensor}}
  %0:4 = daq.quantize_grad %g {axis = 1 : i64, strategy = #daq.static<channels = [1.0, 1.0, 1.0], tensor = 0x7F800000 : f32>}
      : (tensor<2x3xf32>) -> (tensor<2x3xi8>, tensor<3xf32>, tensor<2x3xi8>, tensor<f32>)
  return
}

// -----

func.func @static_nan_tensor(%g: tensor<2x3xf32>) {
  // expected-error @+1 {{static clip values must be positive and finite, got nan for the tensor}}
  %0:4 = daq.quantize_grad %g {axis = 1 : i64, strategy = #daq.static<channels = [1.0, 1.0, 1.0], tensor = 0x7FC00000 : f32>}
      : (tensor<2x3xf32>) -> (tensor<2x3xi8>, tensor<3xf32>, tensor<2x3xi8>, tensor<f32>)
  return
}

// -----

func.func @static_f16_tensor(%g: tensor<2x3xf32>) {
  // expected-error @+1 {{static per-tensor clip must be an f32 value}}
  %0:4 = daq.quantize_grad %g {axis = 1 : i64, strategy = #daq.static<channels = [1.0, 1.0, 1.0], tensor = 1.0 : f16>}
      : (tensor<2x3xf32>) -> (tensor<2x3xi8>, tensor<3xf32>, tensor<2x3xi8>, tensor<f32>)
  return
}

// -----

func.func @static_f64_tensor(%g: tensor<2x3xf32>) {
  // expected-error @+1 {{static per-tensor clip must be an f32 value}}
  %0:4 = daq.quantize_grad %g {axis = 1 : i64, strategy = #daq.static<channels = [1.0, 1.0, 1.0], tensor = 1.0 : f64>}
      : (tensor<2x3xf32>) -> (tensor<2x3xi8>, tensor<3xf32>, tensor<2x3xi8>, tensor<f32>)
  return
}

//===----------------------------------------------------------------------===//
// #daq.dsgc
//===----------------------------------------------------------------------===//

// -----

func.func @dsgc_one_candidate(%g: tensor<2x3xf32>) {
  // expected-error @+1 {{DSGC needs between 2 and 4096 candidate clips, got 1}}
  %c, %d = daq.dsgc_clip %g {granularity = #daq.granularity<per_tensor>, params = #daq.dsgc<candidates = 1>}
      : tensor<2x3xf32> -> (tensor<f32>, tensor<f32>)
  return
}

// -----

func.func @dsgc_negative_candidates(%g: tensor<2x3xf32>) {
  // expected-error @+1 {{DSGC needs between 2 and 4096 candidate clips, got -4}}
  %c, %d = daq.dsgc_clip %g {granularity = #daq.granularity<per_tensor>, params = #daq.dsgc<candidates = -4>}
      : tensor<2x3xf32> -> (tensor<f32>, tensor<f32>)
  return
}

// -----

func.func @dsgc_min_ratio_zero(%g: tensor<2x3xf32>) {
  // expected-error @+1 {{DSGC min_ratio must be in (0, 1), got 0.0}}
  %c, %d = daq.dsgc_clip %g {granularity = #daq.granularity<per_tensor>, params = #daq.dsgc<min_ratio = 0.0>}
      : tensor<2x3xf32> -> (tensor<f32>, tensor<f32>)
  return
}

// -----

func.func @dsgc_min_ratio_one(%g: tensor<2x3xf32>) {
  // expected-error @+1 {{DSGC min_ratio must be in (0, 1), got 1.0}}
  %c, %d = daq.dsgc_clip %g {granularity = #daq.granularity<per_tensor>, params = #daq.dsgc<candidates = 8, min_ratio = 1.0>}
      : tensor<2x3xf32> -> (tensor<f32>, tensor<f32>)
  return
}

// -----

func.func @dsgc_unknown_parameter(%g: tensor<2x3xf32>) {
  // expected-error @+1 {{unknown DSGC parameter 'steps', expected 'candidates' or 'min_ratio'}}
  %c, %d = daq.dsgc_clip %g {granularity = #daq.granularity<per_tensor>, params = #daq.dsgc<steps = 8>}
      : tensor<2x3xf32> -> (tensor<f32>, tensor<f32>)
  return
}

// -----

func.func @dsgc_duplicate_parameter(%g: tensor<2x3xf32>) {
  // expected-error @+1 {{duplicate parameter 'candidates'}}
  %c, %d = daq.dsgc_clip %g {granularity = #daq.granularity<per_tensor>, params = #daq.dsgc<candidates = 8, candidates = 16>}
      : tensor<2x3xf32> -> (tensor<f32>, tensor<f32>)
  return
}

// -----

// The same check applies where #daq.dsgc is a quantize_grad strategy.
func.func @dsgc_strategy_one_candidate(%g: tensor<2x3xf32>) {
  // expected-error @+1 {{DSGC needs between 2 and 4096 candidate clips, got 1}}
  %0:4 = daq.quantize_grad %g {axis = 1 : i64, strategy = #daq.dsgc<candidates = 1>}
      : (tensor<2x3xf32>) -> (tensor<2x3xi8>, tensor<3xf32>, tensor<2x3xi8>, tensor<f32>)
  return
}

//===----------------------------------------------------------------------===//
// #daq.rounding
//===----------------------------------------------------------------------===//

// -----

func.func @rounding_stochastic_without_seed(%x: tensor<2x3xf32>, %s: tensor<f32>, %t: i64) {
  // expected-error @+1 {{stochastic rounding needs a seed}}
  %q = daq.quantize %x, %s step %t {granularity = #daq.granularity<per_tensor>, rounding = #daq.rounding<stochastic>}
      : (tensor<2x3xf32>, tensor<f32>, i64) -> tensor<2x3xi8>
  return
}

// -----

func.func @rounding_nearest_even_with_seed(%x: tensor<2x3xf32>, %s: tensor<f32>) {
  // expected-error @+1 {{only stochastic rounding takes a seed}}
  %q = daq.quantize %x, %s {granularity = #daq.granularity<per_tensor>, rounding = #daq.rounding<nearest_even, seed = 7>}
      : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xi8>
  return
}

// -----

func.func @rounding_unknown_kind(%x: tensor<2x3xf32>, %s: tensor<f32>) {
  // expected-error @+2 {{expected ::mlir::daq::RoundingKind to be one of: nearest_even, stochastic}}
  // expected-error @+1 {{failed to parse Daq_RoundingAttr parameter 'kind'}}
  %q = daq.quantize %x, %s {granularity = #daq.granularity<per_tensor>, rounding = #daq.rounding<nearest>}
      : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xi8>
  return
}

//===----------------------------------------------------------------------===//
// #daq.granularity
//===----------------------------------------------------------------------===//

// -----

func.func @granularity_bad_keyword(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{expected 'per_tensor' or 'per_axis = <axis>'}}
  %c = daq.max_abs %x {granularity = #daq.granularity<per_channel>} : tensor<2x3xf32> -> tensor<3xf32>
  return
}

// -----

func.func @granularity_per_axis_without_axis(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{expected '='}}
  %c = daq.max_abs %x {granularity = #daq.granularity<per_axis>} : tensor<2x3xf32> -> tensor<3xf32>
  return
}

//===----------------------------------------------------------------------===//
// #daq.conv
//===----------------------------------------------------------------------===//

// -----

func.func @conv_one_stride(%x: tensor<1x2x4x4xf32>, %w: tensor<3x2x3x3xf32>) {
  // expected-error @+1 {{convolution strides must have 2 values, got 1}}
  %y = daq.conv2d %x, %w {conv = #daq.conv<layout = nchw, strides = [2]>}
      : (tensor<1x2x4x4xf32>, tensor<3x2x3x3xf32>) -> tensor<1x3x1x1xf32>
  return
}

// -----

func.func @conv_three_strides(%x: tensor<1x2x4x4xf32>, %w: tensor<3x2x3x3xf32>) {
  // expected-error @+1 {{convolution strides must have 2 values, got 3}}
  %y = daq.conv2d %x, %w {conv = #daq.conv<layout = nchw, strides = [1, 1, 1]>}
      : (tensor<1x2x4x4xf32>, tensor<3x2x3x3xf32>) -> tensor<1x3x2x2xf32>
  return
}

// -----

func.func @conv_zero_stride(%x: tensor<1x2x4x4xf32>, %w: tensor<3x2x3x3xf32>) {
  // expected-error @+1 {{convolution strides must be positive}}
  %y = daq.conv2d %x, %w {conv = #daq.conv<layout = nchw, strides = [1, 0]>}
      : (tensor<1x2x4x4xf32>, tensor<3x2x3x3xf32>) -> tensor<1x3x2x2xf32>
  return
}

// -----

func.func @conv_negative_stride(%x: tensor<1x2x4x4xf32>, %w: tensor<3x2x3x3xf32>) {
  // expected-error @+1 {{convolution strides must be positive}}
  %y = daq.conv2d %x, %w {conv = #daq.conv<layout = nhwc, strides = [-1, 1]>}
      : (tensor<1x4x4x2xf32>, tensor<3x3x3x2xf32>) -> tensor<1x2x2x3xf32>
  return
}

// -----

func.func @conv_two_padding_values(%x: tensor<1x2x4x4xf32>, %w: tensor<3x2x3x3xf32>) {
  // expected-error @+1 {{convolution padding [top, left, bottom, right] must have 4 values, got 2}}
  %y = daq.conv2d %x, %w {conv = #daq.conv<layout = nchw, padding = [1, 1]>}
      : (tensor<1x2x4x4xf32>, tensor<3x2x3x3xf32>) -> tensor<1x3x4x4xf32>
  return
}

// -----

func.func @conv_negative_padding(%x: tensor<1x2x4x4xf32>, %w: tensor<3x2x3x3xf32>) {
  // expected-error @+1 {{convolution padding [top, left, bottom, right] must be non-negative}}
  %y = daq.conv2d %x, %w {conv = #daq.conv<layout = nchw, padding = [1, 1, 1, -1]>}
      : (tensor<1x2x4x4xf32>, tensor<3x2x3x3xf32>) -> tensor<1x3x4x3xf32>
  return
}

// -----

func.func @conv_one_dilation(%x: tensor<1x2x4x4xf32>, %w: tensor<3x2x3x3xf32>) {
  // expected-error @+1 {{convolution dilations must have 2 values, got 1}}
  %y = daq.conv2d %x, %w {conv = #daq.conv<layout = nchw, dilations = [1]>}
      : (tensor<1x2x4x4xf32>, tensor<3x2x3x3xf32>) -> tensor<1x3x2x2xf32>
  return
}

// -----

func.func @conv_zero_dilation(%x: tensor<1x2x4x4xf32>, %w: tensor<3x2x3x3xf32>) {
  // expected-error @+1 {{convolution dilations must be positive}}
  %y = daq.conv2d %x, %w {conv = #daq.conv<layout = nchw, dilations = [0, 1]>}
      : (tensor<1x2x4x4xf32>, tensor<3x2x3x3xf32>) -> tensor<1x3x2x2xf32>
  return
}

// -----

func.func @conv_zero_groups(%x: tensor<1x2x4x4xf32>, %w: tensor<3x2x3x3xf32>) {
  // expected-error @+1 {{convolution groups must be positive, got 0}}
  %y = daq.conv2d %x, %w {conv = #daq.conv<layout = nchw, groups = 0>}
      : (tensor<1x2x4x4xf32>, tensor<3x2x3x3xf32>) -> tensor<1x3x2x2xf32>
  return
}

// -----

func.func @conv_negative_groups(%x: tensor<1x2x4x4xf32>, %w: tensor<3x2x3x3xf32>) {
  // expected-error @+1 {{convolution groups must be positive, got -2}}
  %y = daq.conv2d %x, %w {conv = #daq.conv<layout = nchw, groups = -2>}
      : (tensor<1x2x4x4xf32>, tensor<3x2x3x3xf32>) -> tensor<1x3x2x2xf32>
  return
}

// -----

// The conv attribute is verified the same way on the INT8 convolutions.
func.func @conv_bad_strides_on_qconv2d(%qx: tensor<1x2x4x4xi8>, %sx: tensor<f32>, %qw: tensor<3x2x3x3xi8>, %sw: tensor<3xf32>) {
  // expected-error @+1 {{convolution strides must be positive}}
  %y = daq.qconv2d %qx[%sx], %qw[%sw] {conv = #daq.conv<layout = nchw, strides = [0, 0]>}
      : (tensor<1x2x4x4xi8>, tensor<f32>, tensor<3x2x3x3xi8>, tensor<3xf32>) -> tensor<1x3x2x2xf32>
  return
}

// -----

func.func @dsgc_too_many_candidates(%g: tensor<2x3xf32>) {
  // expected-error @+1 {{DSGC needs between 2 and 4096 candidate clips, got 4097}}
  %c, %d = daq.dsgc_clip %g {granularity = #daq.granularity<per_tensor>, params = #daq.dsgc<candidates = 4097>}
      : tensor<2x3xf32> -> (tensor<f32>, tensor<f32>)
  return
}

// -----

func.func @rounding_negative_seed(%x: tensor<2x3xf32>, %s: tensor<f32>, %t: i64) {
  // expected-error @+1 {{stochastic rounding seed must be non-negative, got -1}}
  %q = daq.quantize %x, %s step %t {granularity = #daq.granularity<per_tensor>, rounding = #daq.rounding<stochastic, seed = -1>}
      : (tensor<2x3xf32>, tensor<f32>, i64) -> tensor<2x3xi8>
  return
}

// -----

func.func @granularity_not_a_keyword(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{expected 'per_tensor' or 'per_axis = <axis>'}}
  %c = daq.max_abs %x {granularity = #daq.granularity<3>} : tensor<2x3xf32> -> tensor<3xf32>
  return
}

// -----

func.func @conv_huge_dilation(%x: tensor<1x2x4x4xf32>, %w: tensor<3x2x3x3xf32>) {
  // expected-error @+1 {{convolution strides, padding and dilations must be at most 16777216}}
  %y = daq.conv2d %x, %w {conv = #daq.conv<layout = nchw, dilations = [4611686018427387904, 1]>}
      : (tensor<1x2x4x4xf32>, tensor<3x2x3x3xf32>) -> tensor<1x3x2x2xf32>
  return
}
