// RUN: daq-opt %s -split-input-file -verify-diagnostics

// Invalid daq operations: one case per verifier error, plus the type
// constraints a user is most likely to get wrong.

//===----------------------------------------------------------------------===//
// daq.max_abs
//===----------------------------------------------------------------------===//

func.func @max_abs_per_tensor_rank1_clip(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'daq.max_abs' op per-tensor granularity needs a rank-0 'clip', got 'tensor<3xf32>'}}
  %c = daq.max_abs %x {granularity = #daq.granularity<per_tensor>} : tensor<2x3xf32> -> tensor<3xf32>
  return
}

// -----

func.func @max_abs_axis_out_of_range(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'daq.max_abs' op axis 2 is out of range for a tensor of rank 2}}
  %c = daq.max_abs %x {granularity = #daq.granularity<per_axis = 2>} : tensor<2x3xf32> -> tensor<3xf32>
  return
}

// -----

func.func @max_abs_negative_axis(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'daq.max_abs' op axis -1 is out of range for a tensor of rank 2}}
  %c = daq.max_abs %x {granularity = #daq.granularity<per_axis = -1>} : tensor<2x3xf32> -> tensor<3xf32>
  return
}

// -----

func.func @max_abs_per_axis_rank0_clip(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'daq.max_abs' op per-axis granularity needs a rank-1 'clip', got 'tensor<f32>'}}
  %c = daq.max_abs %x {granularity = #daq.granularity<per_axis = 1>} : tensor<2x3xf32> -> tensor<f32>
  return
}

// -----

func.func @max_abs_per_axis_clip_size(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'daq.max_abs' op 'clip' has 2 values but dimension 1 of 'input' has size 3}}
  %c = daq.max_abs %x {granularity = #daq.granularity<per_axis = 1>} : tensor<2x3xf32> -> tensor<2xf32>
  return
}

// -----

func.func @max_abs_f16_input(%x: tensor<2x3xf16>) {
  // expected-error @+1 {{'daq.max_abs' op operand #0 must be ranked tensor of 32-bit float values}}
  %c = daq.max_abs %x {granularity = #daq.granularity<per_tensor>} : tensor<2x3xf16> -> tensor<f32>
  return
}

// -----

func.func @max_abs_f16_clip(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'daq.max_abs' op result #0 must be ranked tensor of 32-bit float values}}
  %c = daq.max_abs %x {granularity = #daq.granularity<per_tensor>} : tensor<2x3xf32> -> tensor<f16>
  return
}

//===----------------------------------------------------------------------===//
// daq.mcs_clip
//===----------------------------------------------------------------------===//

// -----

func.func @mcs_clip_per_tensor_rank1_state(%g: tensor<2x3xf32>, %s: tensor<3xf32>) {
  // expected-error @+1 {{'daq.mcs_clip' op per-tensor granularity needs a rank-0 'prev_clip', got 'tensor<3xf32>'}}
  %c, %b = daq.mcs_clip %g, %s {granularity = #daq.granularity<per_tensor>, params = #daq.mcs}
      : (tensor<2x3xf32>, tensor<3xf32>) -> (tensor<3xf32>, tensor<3xi1>)
  return
}

// -----

func.func @mcs_clip_axis_out_of_range(%g: tensor<2x3xf32>, %s: tensor<3xf32>) {
  // expected-error @+1 {{'daq.mcs_clip' op axis 2 is out of range for a tensor of rank 2}}
  %c, %b = daq.mcs_clip %g, %s {granularity = #daq.granularity<per_axis = 2>, params = #daq.mcs}
      : (tensor<2x3xf32>, tensor<3xf32>) -> (tensor<3xf32>, tensor<3xi1>)
  return
}

// -----

func.func @mcs_clip_per_axis_rank0_state(%g: tensor<2x3xf32>, %s: tensor<f32>) {
  // expected-error @+1 {{'daq.mcs_clip' op per-axis granularity needs a rank-1 'prev_clip', got 'tensor<f32>'}}
  %c, %b = daq.mcs_clip %g, %s {granularity = #daq.granularity<per_axis = 1>, params = #daq.mcs}
      : (tensor<2x3xf32>, tensor<f32>) -> (tensor<f32>, tensor<i1>)
  return
}

// -----

func.func @mcs_clip_state_size(%g: tensor<2x3xf32>, %s: tensor<2xf32>) {
  // expected-error @+1 {{'daq.mcs_clip' op 'prev_clip' has 2 values but dimension 1 of 'input' has size 3}}
  %c, %b = daq.mcs_clip %g, %s {granularity = #daq.granularity<per_axis = 1>, params = #daq.mcs}
      : (tensor<2x3xf32>, tensor<2xf32>) -> (tensor<2xf32>, tensor<2xi1>)
  return
}

// -----

func.func @mcs_clip_state_and_clip_differ(%g: tensor<2x3xf32>, %s: tensor<3xf32>) {
  // expected-error @+1 {{'daq.mcs_clip' op 'prev_clip' ('tensor<3xf32>') and 'clip' ('tensor<2xf32>') must have the same shape}}
  %c, %b = daq.mcs_clip %g, %s {granularity = #daq.granularity<per_axis = 1>, params = #daq.mcs}
      : (tensor<2x3xf32>, tensor<3xf32>) -> (tensor<2xf32>, tensor<3xi1>)
  return
}

// -----

func.func @mcs_clip_clip_and_bell_differ(%g: tensor<2x3xf32>, %s: tensor<3xf32>) {
  // expected-error @+1 {{'daq.mcs_clip' op 'clip' ('tensor<3xf32>') and 'bell_shaped' ('tensor<i1>') must have the same shape}}
  %c, %b = daq.mcs_clip %g, %s {granularity = #daq.granularity<per_axis = 1>, params = #daq.mcs}
      : (tensor<2x3xf32>, tensor<3xf32>) -> (tensor<3xf32>, tensor<i1>)
  return
}

// -----

func.func @mcs_clip_f32_bell_shaped(%g: tensor<2x3xf32>, %s: tensor<3xf32>) {
  // expected-error @+1 {{'daq.mcs_clip' op result #1 must be ranked tensor of 1-bit signless integer values}}
  %c, %b = daq.mcs_clip %g, %s {granularity = #daq.granularity<per_axis = 1>, params = #daq.mcs}
      : (tensor<2x3xf32>, tensor<3xf32>) -> (tensor<3xf32>, tensor<3xf32>)
  return
}

// -----

func.func @mcs_clip_dsgc_params(%g: tensor<2x3xf32>, %s: tensor<3xf32>) {
  // expected-error @+1 {{'daq.mcs_clip' op attribute 'params' failed to satisfy constraint}}
  %c, %b = daq.mcs_clip %g, %s {granularity = #daq.granularity<per_axis = 1>, params = #daq.dsgc}
      : (tensor<2x3xf32>, tensor<3xf32>) -> (tensor<3xf32>, tensor<3xi1>)
  return
}

//===----------------------------------------------------------------------===//
// daq.dsgc_clip
//===----------------------------------------------------------------------===//

// -----

func.func @dsgc_clip_per_tensor_rank1_clip(%g: tensor<2x3xf32>) {
  // expected-error @+1 {{'daq.dsgc_clip' op per-tensor granularity needs a rank-0 'clip', got 'tensor<3xf32>'}}
  %c, %d = daq.dsgc_clip %g {granularity = #daq.granularity<per_tensor>, params = #daq.dsgc}
      : tensor<2x3xf32> -> (tensor<3xf32>, tensor<3xf32>)
  return
}

// -----

func.func @dsgc_clip_axis_out_of_range(%g: tensor<2x3xf32>) {
  // expected-error @+1 {{'daq.dsgc_clip' op axis 5 is out of range for a tensor of rank 2}}
  %c, %d = daq.dsgc_clip %g {granularity = #daq.granularity<per_axis = 5>, params = #daq.dsgc}
      : tensor<2x3xf32> -> (tensor<3xf32>, tensor<3xf32>)
  return
}

// -----

func.func @dsgc_clip_per_axis_rank0_clip(%g: tensor<2x3xf32>) {
  // expected-error @+1 {{'daq.dsgc_clip' op per-axis granularity needs a rank-1 'clip', got 'tensor<f32>'}}
  %c, %d = daq.dsgc_clip %g {granularity = #daq.granularity<per_axis = 0>, params = #daq.dsgc}
      : tensor<2x3xf32> -> (tensor<f32>, tensor<f32>)
  return
}

// -----

func.func @dsgc_clip_per_axis_clip_size(%g: tensor<2x3xf32>) {
  // expected-error @+1 {{'daq.dsgc_clip' op 'clip' has 3 values but dimension 0 of 'input' has size 2}}
  %c, %d = daq.dsgc_clip %g {granularity = #daq.granularity<per_axis = 0>, params = #daq.dsgc}
      : tensor<2x3xf32> -> (tensor<3xf32>, tensor<3xf32>)
  return
}

// -----

func.func @dsgc_clip_clip_and_distance_differ(%g: tensor<2x3xf32>) {
  // expected-error @+1 {{'daq.dsgc_clip' op 'clip' ('tensor<3xf32>') and 'distance' ('tensor<f32>') must have the same shape}}
  %c, %d = daq.dsgc_clip %g {granularity = #daq.granularity<per_axis = 1>, params = #daq.dsgc}
      : tensor<2x3xf32> -> (tensor<3xf32>, tensor<f32>)
  return
}

//===----------------------------------------------------------------------===//
// daq.quantize
//===----------------------------------------------------------------------===//

// -----

func.func @quantize_per_tensor_rank1_clip(%x: tensor<2x3xf32>, %s: tensor<3xf32>) {
  // expected-error @+1 {{'daq.quantize' op per-tensor granularity needs a rank-0 'clip', got 'tensor<3xf32>'}}
  %q = daq.quantize %x, %s {granularity = #daq.granularity<per_tensor>}
      : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi8>
  return
}

// -----

func.func @quantize_axis_out_of_range(%x: tensor<2x3xf32>, %s: tensor<3xf32>) {
  // expected-error @+1 {{'daq.quantize' op axis 2 is out of range for a tensor of rank 2}}
  %q = daq.quantize %x, %s {granularity = #daq.granularity<per_axis = 2>}
      : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi8>
  return
}

// -----

func.func @quantize_per_axis_rank0_clip(%x: tensor<2x3xf32>, %s: tensor<f32>) {
  // expected-error @+1 {{'daq.quantize' op per-axis granularity needs a rank-1 'clip', got 'tensor<f32>'}}
  %q = daq.quantize %x, %s {granularity = #daq.granularity<per_axis = 1>}
      : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xi8>
  return
}

// -----

func.func @quantize_per_axis_clip_size(%x: tensor<2x3xf32>, %s: tensor<2xf32>) {
  // expected-error @+1 {{'daq.quantize' op 'clip' has 2 values but dimension 1 of 'input' has size 3}}
  %q = daq.quantize %x, %s {granularity = #daq.granularity<per_axis = 1>}
      : (tensor<2x3xf32>, tensor<2xf32>) -> tensor<2x3xi8>
  return
}

// -----

func.func @quantize_stochastic_without_step(%x: tensor<2x3xf32>, %s: tensor<f32>) {
  // expected-error @+1 {{'daq.quantize' op stochastic rounding needs a 'step' operand}}
  %q = daq.quantize %x, %s {granularity = #daq.granularity<per_tensor>, rounding = #daq.rounding<stochastic, seed = 7>}
      : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xi8>
  return
}

// -----

func.func @quantize_step_without_stochastic(%x: tensor<2x3xf32>, %s: tensor<f32>, %t: i64) {
  // expected-error @+1 {{'daq.quantize' op a 'step' operand is only allowed with stochastic rounding}}
  %q = daq.quantize %x, %s step %t {granularity = #daq.granularity<per_tensor>}
      : (tensor<2x3xf32>, tensor<f32>, i64) -> tensor<2x3xi8>
  return
}

// -----

func.func @quantize_step_with_nearest_even(%x: tensor<2x3xf32>, %s: tensor<f32>, %t: i64) {
  // expected-error @+1 {{'daq.quantize' op a 'step' operand is only allowed with stochastic rounding}}
  %q = daq.quantize %x, %s step %t {granularity = #daq.granularity<per_tensor>, rounding = #daq.rounding<nearest_even>}
      : (tensor<2x3xf32>, tensor<f32>, i64) -> tensor<2x3xi8>
  return
}

// -----

func.func @quantize_i32_step(%x: tensor<2x3xf32>, %s: tensor<f32>, %t: i32) {
  // expected-error @+1 {{'daq.quantize' op operand #2 must be training step (64-bit signless integer)}}
  %q = daq.quantize %x, %s step %t {granularity = #daq.granularity<per_tensor>, rounding = #daq.rounding<stochastic, seed = 7>}
      : (tensor<2x3xf32>, tensor<f32>, i32) -> tensor<2x3xi8>
  return
}

// -----

func.func @quantize_shape_mismatch(%x: tensor<2x3xf32>, %s: tensor<f32>) {
  // expected-error @+1 {{'daq.quantize' op failed to verify that all of {input, output} have same shape}}
  %q = daq.quantize %x, %s {granularity = #daq.granularity<per_tensor>}
      : (tensor<2x3xf32>, tensor<f32>) -> tensor<3x2xi8>
  return
}

// -----

func.func @quantize_i32_result(%x: tensor<2x3xf32>, %s: tensor<f32>) {
  // expected-error @+1 {{'daq.quantize' op result #0 must be ranked tensor of 8-bit signless integer values}}
  %q = daq.quantize %x, %s {granularity = #daq.granularity<per_tensor>}
      : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xi32>
  return
}

// -----

func.func @quantize_ui8_result(%x: tensor<2x3xf32>, %s: tensor<f32>) {
  // expected-error @+1 {{'daq.quantize' op result #0 must be ranked tensor of 8-bit signless integer values}}
  %q = daq.quantize %x, %s {granularity = #daq.granularity<per_tensor>}
      : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xui8>
  return
}

// -----

func.func @quantize_f16_input(%x: tensor<2x3xf16>, %s: tensor<f32>) {
  // expected-error @+1 {{'daq.quantize' op operand #0 must be ranked tensor of 32-bit float values}}
  %q = daq.quantize %x, %s {granularity = #daq.granularity<per_tensor>}
      : (tensor<2x3xf16>, tensor<f32>) -> tensor<2x3xi8>
  return
}

// -----

func.func @quantize_f16_clip(%x: tensor<2x3xf32>, %s: tensor<f16>) {
  // expected-error @+1 {{'daq.quantize' op operand #1 must be ranked tensor of 32-bit float values}}
  %q = daq.quantize %x, %s {granularity = #daq.granularity<per_tensor>}
      : (tensor<2x3xf32>, tensor<f16>) -> tensor<2x3xi8>
  return
}

// -----

func.func @quantize_missing_granularity(%x: tensor<2x3xf32>, %s: tensor<f32>) {
  // expected-error @+1 {{'daq.quantize' op requires attribute 'granularity'}}
  %q = daq.quantize %x, %s : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xi8>
  return
}

//===----------------------------------------------------------------------===//
// daq.dequantize
//===----------------------------------------------------------------------===//

// -----

func.func @dequantize_per_tensor_rank1_clip(%q: tensor<2x3xi8>, %s: tensor<3xf32>) {
  // expected-error @+1 {{'daq.dequantize' op per-tensor granularity needs a rank-0 'clip', got 'tensor<3xf32>'}}
  %x = daq.dequantize %q, %s {granularity = #daq.granularity<per_tensor>}
      : (tensor<2x3xi8>, tensor<3xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @dequantize_axis_out_of_range(%q: tensor<2x3xi8>, %s: tensor<3xf32>) {
  // expected-error @+1 {{'daq.dequantize' op axis 2 is out of range for a tensor of rank 2}}
  %x = daq.dequantize %q, %s {granularity = #daq.granularity<per_axis = 2>}
      : (tensor<2x3xi8>, tensor<3xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @dequantize_per_axis_rank0_clip(%q: tensor<2x3xi8>, %s: tensor<f32>) {
  // expected-error @+1 {{'daq.dequantize' op per-axis granularity needs a rank-1 'clip', got 'tensor<f32>'}}
  %x = daq.dequantize %q, %s {granularity = #daq.granularity<per_axis = 0>}
      : (tensor<2x3xi8>, tensor<f32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @dequantize_per_axis_clip_size(%q: tensor<2x3xi8>, %s: tensor<3xf32>) {
  // expected-error @+1 {{'daq.dequantize' op 'clip' has 3 values but dimension 0 of 'input' has size 2}}
  %x = daq.dequantize %q, %s {granularity = #daq.granularity<per_axis = 0>}
      : (tensor<2x3xi8>, tensor<3xf32>) -> tensor<2x3xf32>
  return
}

// -----

// An INT32 accumulator cannot be dequantized with daq.dequantize.
func.func @dequantize_i32_input(%q: tensor<2x3xi32>, %s: tensor<f32>) {
  // expected-error @+1 {{'daq.dequantize' op operand #0 must be ranked tensor of 8-bit signless integer values}}
  %x = daq.dequantize %q, %s {granularity = #daq.granularity<per_tensor>}
      : (tensor<2x3xi32>, tensor<f32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @dequantize_f16_result(%q: tensor<2x3xi8>, %s: tensor<f32>) {
  // expected-error @+1 {{'daq.dequantize' op result #0 must be ranked tensor of 32-bit float values}}
  %x = daq.dequantize %q, %s {granularity = #daq.granularity<per_tensor>}
      : (tensor<2x3xi8>, tensor<f32>) -> tensor<2x3xf16>
  return
}

// -----

func.func @dequantize_shape_mismatch(%q: tensor<2x3xi8>, %s: tensor<f32>) {
  // expected-error @+1 {{'daq.dequantize' op failed to verify that all of {input, output} have same shape}}
  %x = daq.dequantize %q, %s {granularity = #daq.granularity<per_tensor>}
      : (tensor<2x3xi8>, tensor<f32>) -> tensor<6xf32>
  return
}

//===----------------------------------------------------------------------===//
// daq.quantize_grad
//===----------------------------------------------------------------------===//

// -----

func.func @quantize_grad_axis_out_of_range(%g: tensor<2x3xf32>) {
  // expected-error @+1 {{'daq.quantize_grad' op axis 2 is out of range for a gradient of rank 2}}
  %0:4 = daq.quantize_grad %g {axis = 2 : i64, strategy = #daq.max}
      : (tensor<2x3xf32>) -> (tensor<2x3xi8>, tensor<3xf32>, tensor<2x3xi8>, tensor<f32>)
  return
}

// -----

func.func @quantize_grad_negative_axis(%g: tensor<2x3xf32>) {
  // expected-error @+1 {{'daq.quantize_grad' op axis -1 is out of range for a gradient of rank 2}}
  %0:4 = daq.quantize_grad %g {axis = -1 : i64, strategy = #daq.max}
      : (tensor<2x3xf32>) -> (tensor<2x3xi8>, tensor<3xf32>, tensor<2x3xi8>, tensor<f32>)
  return
}

// -----

func.func @quantize_grad_channel_codes_shape(%g: tensor<2x3xf32>) {
  // expected-error @+1 {{'daq.quantize_grad' op 'grad' ('tensor<2x3xf32>') and 'channel_codes' ('tensor<3x2xi8>') must have the same shape}}
  %0:4 = daq.quantize_grad %g {axis = 1 : i64, strategy = #daq.max}
      : (tensor<2x3xf32>) -> (tensor<3x2xi8>, tensor<3xf32>, tensor<2x3xi8>, tensor<f32>)
  return
}

// -----

func.func @quantize_grad_tensor_codes_shape(%g: tensor<2x3xf32>) {
  // expected-error @+1 {{'daq.quantize_grad' op 'grad' ('tensor<2x3xf32>') and 'tensor_codes' ('tensor<6xi8>') must have the same shape}}
  %0:4 = daq.quantize_grad %g {axis = 1 : i64, strategy = #daq.max}
      : (tensor<2x3xf32>) -> (tensor<2x3xi8>, tensor<3xf32>, tensor<6xi8>, tensor<f32>)
  return
}

// -----

func.func @quantize_grad_rank0_channel_clip(%g: tensor<2x3xf32>) {
  // expected-error @+1 {{'daq.quantize_grad' op per-axis granularity needs a rank-1 'channel_clip', got 'tensor<f32>'}}
  %0:4 = daq.quantize_grad %g {axis = 1 : i64, strategy = #daq.max}
      : (tensor<2x3xf32>) -> (tensor<2x3xi8>, tensor<f32>, tensor<2x3xi8>, tensor<f32>)
  return
}

// -----

func.func @quantize_grad_channel_clip_size(%g: tensor<2x3xf32>) {
  // expected-error @+1 {{'daq.quantize_grad' op 'channel_clip' has 2 values but dimension 1 of 'grad' has size 3}}
  %0:4 = daq.quantize_grad %g {axis = 1 : i64, strategy = #daq.max}
      : (tensor<2x3xf32>) -> (tensor<2x3xi8>, tensor<2xf32>, tensor<2x3xi8>, tensor<f32>)
  return
}

// -----

func.func @quantize_grad_rank1_tensor_clip(%g: tensor<2x3xf32>) {
  // expected-error @+1 {{'daq.quantize_grad' op per-tensor granularity needs a rank-0 'tensor_clip', got 'tensor<1xf32>'}}
  %0:4 = daq.quantize_grad %g {axis = 1 : i64, strategy = #daq.max}
      : (tensor<2x3xf32>) -> (tensor<2x3xi8>, tensor<3xf32>, tensor<2x3xi8>, tensor<1xf32>)
  return
}

// -----

func.func @quantize_grad_mcs_without_state(%g: tensor<2x3xf32>) {
  // expected-error @+1 {{'daq.quantize_grad' op strategy #daq.mcs carries clip state from step to step and needs 'state(%channel_state, %tensor_state)' operands}}
  %0:4 = daq.quantize_grad %g {axis = 1 : i64, strategy = #daq.mcs}
      : (tensor<2x3xf32>) -> (tensor<2x3xi8>, tensor<3xf32>, tensor<2x3xi8>, tensor<f32>)
  return
}

// -----

func.func @quantize_grad_max_with_state(%g: tensor<2x3xf32>, %sc: tensor<3xf32>, %st: tensor<f32>) {
  // expected-error @+1 {{'daq.quantize_grad' op strategy #daq.max is stateless and takes no state operands}}
  %0:4 = daq.quantize_grad %g state(%sc, %st) {axis = 1 : i64, strategy = #daq.max}
      : (tensor<2x3xf32>, tensor<3xf32>, tensor<f32>)
        -> (tensor<2x3xi8>, tensor<3xf32>, tensor<2x3xi8>, tensor<f32>)
  return
}

// -----

func.func @quantize_grad_dsgc_with_state(%g: tensor<2x3xf32>, %sc: tensor<3xf32>, %st: tensor<f32>) {
  // expected-error @+1 {{'daq.quantize_grad' op strategy #daq.dsgc<candidates = 8> is stateless and takes no state operands}}
  %0:4 = daq.quantize_grad %g state(%sc, %st) {axis = 1 : i64, strategy = #daq.dsgc<candidates = 8>}
      : (tensor<2x3xf32>, tensor<3xf32>, tensor<f32>)
        -> (tensor<2x3xi8>, tensor<3xf32>, tensor<2x3xi8>, tensor<f32>)
  return
}

// -----

func.func @quantize_grad_channel_state_shape(%g: tensor<2x3xf32>, %sc: tensor<2xf32>, %st: tensor<f32>) {
  // expected-error @+1 {{'daq.quantize_grad' op 'channel_state' ('tensor<2xf32>') and 'channel_clip' ('tensor<3xf32>') must have the same shape}}
  %0:4 = daq.quantize_grad %g state(%sc, %st) {axis = 1 : i64, strategy = #daq.mcs}
      : (tensor<2x3xf32>, tensor<2xf32>, tensor<f32>)
        -> (tensor<2x3xi8>, tensor<3xf32>, tensor<2x3xi8>, tensor<f32>)
  return
}

// -----

func.func @quantize_grad_tensor_state_shape(%g: tensor<2x3xf32>, %sc: tensor<3xf32>, %st: tensor<3xf32>) {
  // expected-error @+1 {{'daq.quantize_grad' op 'tensor_state' ('tensor<3xf32>') and 'tensor_clip' ('tensor<f32>') must have the same shape}}
  %0:4 = daq.quantize_grad %g state(%sc, %st) {axis = 1 : i64, strategy = #daq.mcs}
      : (tensor<2x3xf32>, tensor<3xf32>, tensor<3xf32>)
        -> (tensor<2x3xi8>, tensor<3xf32>, tensor<2x3xi8>, tensor<f32>)
  return
}

// -----

func.func @quantize_grad_static_channel_count(%g: tensor<2x3xf32>) {
  // expected-error @+1 {{'daq.quantize_grad' op static clip has 2 channel values but the gradient has 3 channels}}
  %0:4 = daq.quantize_grad %g {axis = 1 : i64, strategy = #daq.static<channels = [1.0, 2.0], tensor = 1.0 : f32>}
      : (tensor<2x3xf32>) -> (tensor<2x3xi8>, tensor<3xf32>, tensor<2x3xi8>, tensor<f32>)
  return
}

// -----

func.func @quantize_grad_stochastic_without_step(%g: tensor<2x3xf32>) {
  // expected-error @+1 {{'daq.quantize_grad' op stochastic rounding needs a 'step' operand}}
  %0:4 = daq.quantize_grad %g {axis = 1 : i64, strategy = #daq.max, rounding = #daq.rounding<stochastic, seed = 1>}
      : (tensor<2x3xf32>) -> (tensor<2x3xi8>, tensor<3xf32>, tensor<2x3xi8>, tensor<f32>)
  return
}

// -----

func.func @quantize_grad_step_without_stochastic(%g: tensor<2x3xf32>, %t: i64) {
  // expected-error @+1 {{'daq.quantize_grad' op a 'step' operand is only allowed with stochastic rounding}}
  %0:4 = daq.quantize_grad %g step %t {axis = 1 : i64, strategy = #daq.max}
      : (tensor<2x3xf32>, i64) -> (tensor<2x3xi8>, tensor<3xf32>, tensor<2x3xi8>, tensor<f32>)
  return
}

// -----

func.func @quantize_grad_not_a_strategy(%g: tensor<2x3xf32>) {
  // expected-error @+1 {{'daq.quantize_grad' op attribute 'strategy' failed to satisfy constraint}}
  %0:4 = daq.quantize_grad %g {axis = 1 : i64, strategy = #daq.rounding<nearest_even>}
      : (tensor<2x3xf32>) -> (tensor<2x3xi8>, tensor<3xf32>, tensor<2x3xi8>, tensor<f32>)
  return
}

// -----

func.func @quantize_grad_i32_codes(%g: tensor<2x3xf32>) {
  // expected-error @+1 {{'daq.quantize_grad' op result #0 must be ranked tensor of 8-bit signless integer values}}
  %0:4 = daq.quantize_grad %g {axis = 1 : i64, strategy = #daq.max}
      : (tensor<2x3xf32>) -> (tensor<2x3xi32>, tensor<3xf32>, tensor<2x3xi8>, tensor<f32>)
  return
}

// -----

func.func @quantize_grad_f16_grad(%g: tensor<2x3xf16>) {
  // expected-error @+1 {{'daq.quantize_grad' op operand #0 must be ranked tensor of 32-bit float values}}
  %0:4 = daq.quantize_grad %g {axis = 1 : i64, strategy = #daq.max}
      : (tensor<2x3xf16>) -> (tensor<2x3xi8>, tensor<3xf32>, tensor<2x3xi8>, tensor<f32>)
  return
}

//===----------------------------------------------------------------------===//
// daq.conv2d
//===----------------------------------------------------------------------===//

// -----

func.func @conv2d_element_types_differ(%x: tensor<1x2x4x4xf32>, %w: tensor<3x2x3x3xf16>) {
  // expected-error @+1 {{'daq.conv2d' op element types of 'input', 'filter' and 'output' must agree}}
  %y = daq.conv2d %x, %w {conv = #daq.conv<layout = nchw>}
      : (tensor<1x2x4x4xf32>, tensor<3x2x3x3xf16>) -> tensor<1x3x2x2xf32>
  return
}

// -----

func.func @conv2d_result_type_differs(%x: tensor<1x2x4x4xf16>, %w: tensor<3x2x3x3xf16>) {
  // expected-error @+1 {{'daq.conv2d' op element types of 'input', 'filter' and 'output' must agree}}
  %y = daq.conv2d %x, %w {conv = #daq.conv<layout = nchw>}
      : (tensor<1x2x4x4xf16>, tensor<3x2x3x3xf16>) -> tensor<1x3x2x2xf32>
  return
}

// -----

func.func @conv2d_rank3_input(%x: tensor<2x4x4xf32>, %w: tensor<3x2x3x3xf32>) {
  // expected-error @+1 {{'daq.conv2d' op 'input' must be a 4-D tensor, got 'tensor<2x4x4xf32>'}}
  %y = daq.conv2d %x, %w {conv = #daq.conv<layout = nchw>}
      : (tensor<2x4x4xf32>, tensor<3x2x3x3xf32>) -> tensor<1x3x2x2xf32>
  return
}

// -----

func.func @conv2d_rank2_filter(%x: tensor<1x2x4x4xf32>, %w: tensor<3x2xf32>) {
  // expected-error @+1 {{'daq.conv2d' op 'filter' must be a 4-D tensor, got 'tensor<3x2xf32>'}}
  %y = daq.conv2d %x, %w {conv = #daq.conv<layout = nchw>}
      : (tensor<1x2x4x4xf32>, tensor<3x2xf32>) -> tensor<1x3x2x2xf32>
  return
}

// -----

func.func @conv2d_rank5_output(%x: tensor<1x2x4x4xf32>, %w: tensor<3x2x3x3xf32>) {
  // expected-error @+1 {{'daq.conv2d' op 'output' must be a 4-D tensor, got 'tensor<1x1x3x2x2xf32>'}}
  %y = daq.conv2d %x, %w {conv = #daq.conv<layout = nchw>}
      : (tensor<1x2x4x4xf32>, tensor<3x2x3x3xf32>) -> tensor<1x1x3x2x2xf32>
  return
}

// -----

func.func @conv2d_batch_differs(%x: tensor<1x2x4x4xf32>, %w: tensor<3x2x3x3xf32>) {
  // expected-error @+1 {{'daq.conv2d' op batch size of 'input' (1) and 'output' (2) differ}}
  %y = daq.conv2d %x, %w {conv = #daq.conv<layout = nchw>}
      : (tensor<1x2x4x4xf32>, tensor<3x2x3x3xf32>) -> tensor<2x3x2x2xf32>
  return
}

// -----

func.func @conv2d_groups_do_not_divide_input(%x: tensor<1x3x4x4xf32>, %w: tensor<4x1x3x3xf32>) {
  // expected-error @+1 {{'daq.conv2d' op groups (2) must divide the input channels (3)}}
  %y = daq.conv2d %x, %w {conv = #daq.conv<layout = nchw, groups = 2>}
      : (tensor<1x3x4x4xf32>, tensor<4x1x3x3xf32>) -> tensor<1x4x2x2xf32>
  return
}

// -----

func.func @conv2d_groups_do_not_divide_output(%x: tensor<1x2x4x4xf32>, %w: tensor<3x1x3x3xf32>) {
  // expected-error @+1 {{'daq.conv2d' op groups (2) must divide the output channels (3)}}
  %y = daq.conv2d %x, %w {conv = #daq.conv<layout = nchw, groups = 2>}
      : (tensor<1x2x4x4xf32>, tensor<3x1x3x3xf32>) -> tensor<1x3x2x2xf32>
  return
}

// -----

func.func @conv2d_filter_output_channels(%x: tensor<1x2x4x4xf32>, %w: tensor<4x2x3x3xf32>) {
  // expected-error @+1 {{'daq.conv2d' op 'filter' has 4 output channels but 'output' has 3}}
  %y = daq.conv2d %x, %w {conv = #daq.conv<layout = nchw>}
      : (tensor<1x2x4x4xf32>, tensor<4x2x3x3xf32>) -> tensor<1x3x2x2xf32>
  return
}

// -----

func.func @conv2d_filter_input_channels(%x: tensor<1x2x4x4xf32>, %w: tensor<3x1x3x3xf32>) {
  // expected-error @+1 {{'daq.conv2d' op 'filter' has 1 input channels per group but 'input' has 2 channels in 1 group(s)}}
  %y = daq.conv2d %x, %w {conv = #daq.conv<layout = nchw>}
      : (tensor<1x2x4x4xf32>, tensor<3x1x3x3xf32>) -> tensor<1x3x2x2xf32>
  return
}

// -----

// A depthwise filter ([C, 1, KH, KW]) needs groups = C.
func.func @conv2d_depthwise_wrong_groups(%x: tensor<1x4x4x4xf32>, %w: tensor<4x1x3x3xf32>) {
  // expected-error @+1 {{'daq.conv2d' op 'filter' has 1 input channels per group but 'input' has 4 channels in 2 group(s)}}
  %y = daq.conv2d %x, %w {conv = #daq.conv<layout = nchw, groups = 2>}
      : (tensor<1x4x4x4xf32>, tensor<4x1x3x3xf32>) -> tensor<1x4x2x2xf32>
  return
}

// -----

func.func @conv2d_nhwc_filter_input_channels(%x: tensor<1x4x4x2xf32>, %w: tensor<3x2x3x3xf32>) {
  // expected-error @+1 {{'daq.conv2d' op 'filter' has 3 input channels per group but 'input' has 2 channels in 1 group(s)}}
  %y = daq.conv2d %x, %w {conv = #daq.conv<layout = nhwc>}
      : (tensor<1x4x4x2xf32>, tensor<3x2x3x3xf32>) -> tensor<1x2x2x3xf32>
  return
}

// -----

func.func @conv2d_dilated_kernel_too_large(%x: tensor<1x2x4x4xf32>, %w: tensor<3x2x3x3xf32>) {
  // expected-error @+1 {{'daq.conv2d' op dilated kernel height of 'filter' (5) exceeds the padded height of 'input' (4)}}
  %y = daq.conv2d %x, %w {conv = #daq.conv<layout = nchw, dilations = [2, 2]>}
      : (tensor<1x2x4x4xf32>, tensor<3x2x3x3xf32>) -> tensor<1x3x0x0xf32>
  return
}

// -----

func.func @conv2d_kernel_wider_than_input(%x: tensor<1x2x4x4xf32>, %w: tensor<3x2x3x7xf32>) {
  // expected-error @+1 {{'daq.conv2d' op dilated kernel width of 'filter' (7) exceeds the padded width of 'input' (6)}}
  %y = daq.conv2d %x, %w {conv = #daq.conv<layout = nchw, padding = [0, 1, 0, 1]>}
      : (tensor<1x2x4x4xf32>, tensor<3x2x3x7xf32>) -> tensor<1x3x2x0xf32>
  return
}

// -----

func.func @conv2d_output_height(%x: tensor<1x2x4x4xf32>, %w: tensor<3x2x3x3xf32>) {
  // expected-error @+1 {{'daq.conv2d' op height of 'output' is 4 but 'input' and 'filter' give (4 + 0 + 0 - 3) / 1 + 1 = 2}}
  %y = daq.conv2d %x, %w {conv = #daq.conv<layout = nchw>}
      : (tensor<1x2x4x4xf32>, tensor<3x2x3x3xf32>) -> tensor<1x3x4x2xf32>
  return
}

// -----

// Forgotten padding: [1, 1, 1, 1] would give 4x4.
func.func @conv2d_output_width(%x: tensor<1x2x4x4xf32>, %w: tensor<3x2x3x3xf32>) {
  // expected-error @+1 {{'daq.conv2d' op width of 'output' is 4 but 'input' and 'filter' give (4 + 1 + 0 - 3) / 1 + 1 = 3}}
  %y = daq.conv2d %x, %w {conv = #daq.conv<layout = nchw, padding = [1, 1, 1, 0]>}
      : (tensor<1x2x4x4xf32>, tensor<3x2x3x3xf32>) -> tensor<1x3x4x4xf32>
  return
}

// -----

func.func @conv2d_strided_output(%x: tensor<1x2x4x4xf32>, %w: tensor<3x2x3x3xf32>) {
  // expected-error @+1 {{'daq.conv2d' op height of 'output' is 4 but 'input' and 'filter' give (4 + 1 + 1 - 3) / 2 + 1 = 2}}
  %y = daq.conv2d %x, %w {conv = #daq.conv<layout = nchw, strides = [2, 2], padding = [1, 1, 1, 1]>}
      : (tensor<1x2x4x4xf32>, tensor<3x2x3x3xf32>) -> tensor<1x3x4x4xf32>
  return
}

// -----

func.func @conv2d_i8_input(%x: tensor<1x2x4x4xi8>, %w: tensor<3x2x3x3xi8>) {
  // expected-error @+1 {{'daq.conv2d' op operand #0 must be ranked tensor of floating-point values}}
  %y = daq.conv2d %x, %w {conv = #daq.conv<layout = nchw>}
      : (tensor<1x2x4x4xi8>, tensor<3x2x3x3xi8>) -> tensor<1x3x2x2xf32>
  return
}

// -----

func.func @conv2d_missing_conv(%x: tensor<1x2x4x4xf32>, %w: tensor<3x2x3x3xf32>) {
  // expected-error @+1 {{'daq.conv2d' op requires attribute 'conv'}}
  %y = daq.conv2d %x, %w : (tensor<1x2x4x4xf32>, tensor<3x2x3x3xf32>) -> tensor<1x3x2x2xf32>
  return
}

//===----------------------------------------------------------------------===//
// daq.conv2d_backward_data
//===----------------------------------------------------------------------===//

// -----

func.func @conv2d_backward_data_element_types_differ(%gy: tensor<1x3x2x2xf32>, %w: tensor<3x2x3x3xbf16>) {
  // expected-error @+1 {{'daq.conv2d_backward_data' op element types of 'grad_input', 'filter' and 'grad_output' must agree}}
  %gx = daq.conv2d_backward_data %gy, %w {conv = #daq.conv<layout = nchw>}
      : (tensor<1x3x2x2xf32>, tensor<3x2x3x3xbf16>) -> tensor<1x2x4x4xf32>
  return
}

// -----

func.func @conv2d_backward_data_rank3_grad_input(%gy: tensor<1x3x2x2xf32>, %w: tensor<3x2x3x3xf32>) {
  // expected-error @+1 {{'daq.conv2d_backward_data' op 'grad_input' must be a 4-D tensor, got 'tensor<2x4x4xf32>'}}
  %gx = daq.conv2d_backward_data %gy, %w {conv = #daq.conv<layout = nchw>}
      : (tensor<1x3x2x2xf32>, tensor<3x2x3x3xf32>) -> tensor<2x4x4xf32>
  return
}

// -----

func.func @conv2d_backward_data_rank3_grad_output(%gy: tensor<3x2x2xf32>, %w: tensor<3x2x3x3xf32>) {
  // expected-error @+1 {{'daq.conv2d_backward_data' op 'grad_output' must be a 4-D tensor, got 'tensor<3x2x2xf32>'}}
  %gx = daq.conv2d_backward_data %gy, %w {conv = #daq.conv<layout = nchw>}
      : (tensor<3x2x2xf32>, tensor<3x2x3x3xf32>) -> tensor<1x2x4x4xf32>
  return
}

// -----

func.func @conv2d_backward_data_batch_differs(%gy: tensor<2x3x2x2xf32>, %w: tensor<3x2x3x3xf32>) {
  // expected-error @+1 {{'daq.conv2d_backward_data' op batch size of 'grad_input' (1) and 'grad_output' (2) differ}}
  %gx = daq.conv2d_backward_data %gy, %w {conv = #daq.conv<layout = nchw>}
      : (tensor<2x3x2x2xf32>, tensor<3x2x3x3xf32>) -> tensor<1x2x4x4xf32>
  return
}

// -----

func.func @conv2d_backward_data_groups(%gy: tensor<1x3x2x2xf32>, %w: tensor<3x1x3x3xf32>) {
  // expected-error @+1 {{'daq.conv2d_backward_data' op groups (2) must divide the output channels (3)}}
  %gx = daq.conv2d_backward_data %gy, %w {conv = #daq.conv<layout = nchw, groups = 2>}
      : (tensor<1x3x2x2xf32>, tensor<3x1x3x3xf32>) -> tensor<1x2x4x4xf32>
  return
}

// -----

func.func @conv2d_backward_data_filter_output_channels(%gy: tensor<1x3x2x2xf32>, %w: tensor<4x2x3x3xf32>) {
  // expected-error @+1 {{'daq.conv2d_backward_data' op 'filter' has 4 output channels but 'grad_output' has 3}}
  %gx = daq.conv2d_backward_data %gy, %w {conv = #daq.conv<layout = nchw>}
      : (tensor<1x3x2x2xf32>, tensor<4x2x3x3xf32>) -> tensor<1x2x4x4xf32>
  return
}

// -----

func.func @conv2d_backward_data_filter_input_channels(%gy: tensor<1x3x2x2xf32>, %w: tensor<3x2x3x3xf32>) {
  // expected-error @+1 {{'daq.conv2d_backward_data' op 'filter' has 2 input channels per group but 'grad_input' has 5 channels in 1 group(s)}}
  %gx = daq.conv2d_backward_data %gy, %w {conv = #daq.conv<layout = nchw>}
      : (tensor<1x3x2x2xf32>, tensor<3x2x3x3xf32>) -> tensor<1x5x4x4xf32>
  return
}

// -----

// The result type is checked through the forward size formula.
func.func @conv2d_backward_data_grad_input_size(%gy: tensor<1x3x2x2xf32>, %w: tensor<3x2x3x3xf32>) {
  // expected-error @+1 {{'daq.conv2d_backward_data' op height of 'grad_output' is 2 but 'grad_input' and 'filter' give (5 + 0 + 0 - 3) / 1 + 1 = 3}}
  %gx = daq.conv2d_backward_data %gy, %w {conv = #daq.conv<layout = nchw>}
      : (tensor<1x3x2x2xf32>, tensor<3x2x3x3xf32>) -> tensor<1x2x5x4xf32>
  return
}

// -----

func.func @conv2d_backward_data_dilated_kernel_too_large(%gy: tensor<1x3x1x1xf32>, %w: tensor<3x2x3x3xf32>) {
  // expected-error @+1 {{'daq.conv2d_backward_data' op dilated kernel height of 'filter' (5) exceeds the padded height of 'grad_input' (4)}}
  %gx = daq.conv2d_backward_data %gy, %w {conv = #daq.conv<layout = nchw, dilations = [2, 2]>}
      : (tensor<1x3x1x1xf32>, tensor<3x2x3x3xf32>) -> tensor<1x2x4x4xf32>
  return
}

// -----

func.func @conv2d_backward_data_i8_filter(%gy: tensor<1x3x2x2xf32>, %w: tensor<3x2x3x3xi8>) {
  // expected-error @+1 {{'daq.conv2d_backward_data' op operand #1 must be ranked tensor of floating-point values}}
  %gx = daq.conv2d_backward_data %gy, %w {conv = #daq.conv<layout = nchw>}
      : (tensor<1x3x2x2xf32>, tensor<3x2x3x3xi8>) -> tensor<1x2x4x4xf32>
  return
}

//===----------------------------------------------------------------------===//
// daq.conv2d_backward_filter
//===----------------------------------------------------------------------===//

// -----

func.func @conv2d_backward_filter_element_types_differ(%x: tensor<1x2x4x4xf16>, %gy: tensor<1x3x2x2xf32>) {
  // expected-error @+1 {{'daq.conv2d_backward_filter' op element types of 'input', 'grad_filter' and 'grad_output' must agree}}
  %gw = daq.conv2d_backward_filter %x, %gy {conv = #daq.conv<layout = nchw>}
      : (tensor<1x2x4x4xf16>, tensor<1x3x2x2xf32>) -> tensor<3x2x3x3xf32>
  return
}

// -----

func.func @conv2d_backward_filter_rank2_grad_filter(%x: tensor<1x2x4x4xf32>, %gy: tensor<1x3x2x2xf32>) {
  // expected-error @+1 {{'daq.conv2d_backward_filter' op 'grad_filter' must be a 4-D tensor, got 'tensor<3x2xf32>'}}
  %gw = daq.conv2d_backward_filter %x, %gy {conv = #daq.conv<layout = nchw>}
      : (tensor<1x2x4x4xf32>, tensor<1x3x2x2xf32>) -> tensor<3x2xf32>
  return
}

// -----

func.func @conv2d_backward_filter_batch_differs(%x: tensor<2x2x4x4xf32>, %gy: tensor<1x3x2x2xf32>) {
  // expected-error @+1 {{'daq.conv2d_backward_filter' op batch size of 'input' (2) and 'grad_output' (1) differ}}
  %gw = daq.conv2d_backward_filter %x, %gy {conv = #daq.conv<layout = nchw>}
      : (tensor<2x2x4x4xf32>, tensor<1x3x2x2xf32>) -> tensor<3x2x3x3xf32>
  return
}

// -----

func.func @conv2d_backward_filter_groups(%x: tensor<1x3x4x4xf32>, %gy: tensor<1x4x2x2xf32>) {
  // expected-error @+1 {{'daq.conv2d_backward_filter' op groups (2) must divide the input channels (3)}}
  %gw = daq.conv2d_backward_filter %x, %gy {conv = #daq.conv<layout = nchw, groups = 2>}
      : (tensor<1x3x4x4xf32>, tensor<1x4x2x2xf32>) -> tensor<4x1x3x3xf32>
  return
}

// -----

func.func @conv2d_backward_filter_output_channels(%x: tensor<1x2x4x4xf32>, %gy: tensor<1x3x2x2xf32>) {
  // expected-error @+1 {{'daq.conv2d_backward_filter' op 'grad_filter' has 4 output channels but 'grad_output' has 3}}
  %gw = daq.conv2d_backward_filter %x, %gy {conv = #daq.conv<layout = nchw>}
      : (tensor<1x2x4x4xf32>, tensor<1x3x2x2xf32>) -> tensor<4x2x3x3xf32>
  return
}

// -----

func.func @conv2d_backward_filter_input_channels(%x: tensor<1x2x4x4xf32>, %gy: tensor<1x3x2x2xf32>) {
  // expected-error @+1 {{'daq.conv2d_backward_filter' op 'grad_filter' has 1 input channels per group but 'input' has 2 channels in 1 group(s)}}
  %gw = daq.conv2d_backward_filter %x, %gy {conv = #daq.conv<layout = nchw>}
      : (tensor<1x2x4x4xf32>, tensor<1x3x2x2xf32>) -> tensor<3x1x3x3xf32>
  return
}

// -----

// The result type gives the kernel size, checked through the size formula.
func.func @conv2d_backward_filter_kernel_size(%x: tensor<1x2x4x4xf32>, %gy: tensor<1x3x2x2xf32>) {
  // expected-error @+1 {{'daq.conv2d_backward_filter' op width of 'grad_output' is 2 but 'input' and 'grad_filter' give (4 + 0 + 0 - 2) / 1 + 1 = 3}}
  %gw = daq.conv2d_backward_filter %x, %gy {conv = #daq.conv<layout = nchw>}
      : (tensor<1x2x4x4xf32>, tensor<1x3x2x2xf32>) -> tensor<3x2x3x2xf32>
  return
}

// -----

func.func @conv2d_backward_filter_kernel_too_large(%x: tensor<1x2x4x4xf32>, %gy: tensor<1x3x1x1xf32>) {
  // expected-error @+1 {{'daq.conv2d_backward_filter' op dilated kernel height of 'grad_filter' (5) exceeds the padded height of 'input' (4)}}
  %gw = daq.conv2d_backward_filter %x, %gy {conv = #daq.conv<layout = nchw>}
      : (tensor<1x2x4x4xf32>, tensor<1x3x1x1xf32>) -> tensor<3x2x5x5xf32>
  return
}

// -----

func.func @conv2d_backward_filter_i32_grad_output(%x: tensor<1x2x4x4xf32>, %gy: tensor<1x3x2x2xi32>) {
  // expected-error @+1 {{'daq.conv2d_backward_filter' op operand #1 must be ranked tensor of floating-point values}}
  %gw = daq.conv2d_backward_filter %x, %gy {conv = #daq.conv<layout = nchw>}
      : (tensor<1x2x4x4xf32>, tensor<1x3x2x2xi32>) -> tensor<3x2x3x3xf32>
  return
}

//===----------------------------------------------------------------------===//
// daq.qconv2d
//===----------------------------------------------------------------------===//

// -----

func.func @qconv2d_output_size(%qx: tensor<1x2x4x4xi8>, %sx: tensor<f32>, %qw: tensor<3x2x3x3xi8>, %sw: tensor<3xf32>) {
  // expected-error @+1 {{'daq.qconv2d' op height of 'output' is 4 but 'input' and 'filter' give (4 + 0 + 0 - 3) / 1 + 1 = 2}}
  %y = daq.qconv2d %qx[%sx], %qw[%sw] {conv = #daq.conv<layout = nchw>}
      : (tensor<1x2x4x4xi8>, tensor<f32>, tensor<3x2x3x3xi8>, tensor<3xf32>) -> tensor<1x3x4x4xf32>
  return
}

// -----

func.func @qconv2d_rank3_input(%qx: tensor<2x4x4xi8>, %sx: tensor<f32>, %qw: tensor<3x2x3x3xi8>, %sw: tensor<f32>) {
  // expected-error @+1 {{'daq.qconv2d' op 'input' must be a 4-D tensor, got 'tensor<2x4x4xi8>'}}
  %y = daq.qconv2d %qx[%sx], %qw[%sw] {conv = #daq.conv<layout = nchw>}
      : (tensor<2x4x4xi8>, tensor<f32>, tensor<3x2x3x3xi8>, tensor<f32>) -> tensor<1x3x2x2xf32>
  return
}

// -----

func.func @qconv2d_filter_output_channels(%qx: tensor<1x2x4x4xi8>, %sx: tensor<f32>, %qw: tensor<4x2x3x3xi8>, %sw: tensor<f32>) {
  // expected-error @+1 {{'daq.qconv2d' op 'filter' has 4 output channels but 'output' has 3}}
  %y = daq.qconv2d %qx[%sx], %qw[%sw] {conv = #daq.conv<layout = nchw>}
      : (tensor<1x2x4x4xi8>, tensor<f32>, tensor<4x2x3x3xi8>, tensor<f32>) -> tensor<1x3x2x2xf32>
  return
}

// -----

func.func @qconv2d_rounding_with_i8_operands(%qx: tensor<1x2x4x4xi8>, %sx: tensor<f32>, %qw: tensor<3x2x3x3xi8>, %sw: tensor<3xf32>) {
  // expected-error @+1 {{'daq.qconv2d' op 'rounding' only applies to f32 operands quantized on load, and both operands are i8}}
  %y = daq.qconv2d %qx[%sx], %qw[%sw] {conv = #daq.conv<layout = nchw>, rounding = #daq.rounding<nearest_even>}
      : (tensor<1x2x4x4xi8>, tensor<f32>, tensor<3x2x3x3xi8>, tensor<3xf32>) -> tensor<1x3x2x2xf32>
  return
}

// -----

func.func @qconv2d_stochastic_without_step(%x: tensor<1x2x4x4xf32>, %sx: tensor<f32>, %qw: tensor<3x2x3x3xi8>, %sw: tensor<3xf32>) {
  // expected-error @+1 {{'daq.qconv2d' op stochastic rounding needs a 'step' operand}}
  %y = daq.qconv2d %x[%sx], %qw[%sw] {conv = #daq.conv<layout = nchw>, rounding = #daq.rounding<stochastic, seed = 3>}
      : (tensor<1x2x4x4xf32>, tensor<f32>, tensor<3x2x3x3xi8>, tensor<3xf32>) -> tensor<1x3x2x2xf32>
  return
}

// -----

func.func @qconv2d_step_without_stochastic(%x: tensor<1x2x4x4xf32>, %sx: tensor<f32>, %qw: tensor<3x2x3x3xi8>, %sw: tensor<3xf32>, %t: i64) {
  // expected-error @+1 {{'daq.qconv2d' op a 'step' operand is only allowed with stochastic rounding}}
  %y = daq.qconv2d %x[%sx], %qw[%sw] step %t {conv = #daq.conv<layout = nchw>}
      : (tensor<1x2x4x4xf32>, tensor<f32>, tensor<3x2x3x3xi8>, tensor<3xf32>, i64) -> tensor<1x3x2x2xf32>
  return
}

// -----

func.func @qconv2d_per_channel_input_clip(%qx: tensor<1x2x4x4xi8>, %sx: tensor<2xf32>, %qw: tensor<3x2x3x3xi8>, %sw: tensor<3xf32>) {
  // expected-error @+1 {{'daq.qconv2d' op 'input_clip' must be a per-tensor clip (tensor<f32>): activations are quantized per tensor, got 'tensor<2xf32>'}}
  %y = daq.qconv2d %qx[%sx], %qw[%sw] {conv = #daq.conv<layout = nchw>}
      : (tensor<1x2x4x4xi8>, tensor<2xf32>, tensor<3x2x3x3xi8>, tensor<3xf32>) -> tensor<1x3x2x2xf32>
  return
}

// -----

func.func @qconv2d_rank2_filter_clip(%qx: tensor<1x2x4x4xi8>, %sx: tensor<f32>, %qw: tensor<3x2x3x3xi8>, %sw: tensor<3x2xf32>) {
  // expected-error @+1 {{'daq.qconv2d' op 'filter_clip' must be per tensor (tensor<f32>) or per output channel (tensor<Oxf32>), got 'tensor<3x2xf32>'}}
  %y = daq.qconv2d %qx[%sx], %qw[%sw] {conv = #daq.conv<layout = nchw>}
      : (tensor<1x2x4x4xi8>, tensor<f32>, tensor<3x2x3x3xi8>, tensor<3x2xf32>) -> tensor<1x3x2x2xf32>
  return
}

// -----

// A per-channel filter clip is along the output channels, not the input ones.
func.func @qconv2d_filter_clip_size(%qx: tensor<1x2x4x4xi8>, %sx: tensor<f32>, %qw: tensor<3x2x3x3xi8>, %sw: tensor<2xf32>) {
  // expected-error @+1 {{'daq.qconv2d' op 'filter_clip' has 2 values but the convolution has 3 output channels}}
  %y = daq.qconv2d %qx[%sx], %qw[%sw] {conv = #daq.conv<layout = nchw>}
      : (tensor<1x2x4x4xi8>, tensor<f32>, tensor<3x2x3x3xi8>, tensor<2xf32>) -> tensor<1x3x2x2xf32>
  return
}

// -----

func.func @qconv2d_nhwc_filter_clip_size(%qx: tensor<1x4x4x2xi8>, %sx: tensor<f32>, %qw: tensor<3x3x3x2xi8>, %sw: tensor<2xf32>) {
  // expected-error @+1 {{'daq.qconv2d' op 'filter_clip' has 2 values but the convolution has 3 output channels}}
  %y = daq.qconv2d %qx[%sx], %qw[%sw] {conv = #daq.conv<layout = nhwc>}
      : (tensor<1x4x4x2xi8>, tensor<f32>, tensor<3x3x3x2xi8>, tensor<2xf32>) -> tensor<1x2x2x3xf32>
  return
}

// -----

func.func @qconv2d_i32_input(%qx: tensor<1x2x4x4xi32>, %sx: tensor<f32>, %qw: tensor<3x2x3x3xi8>, %sw: tensor<3xf32>) {
  // expected-error @+1 {{'daq.qconv2d' op operand #0 must be ranked tensor of 8-bit signless integer or 32-bit float values}}
  %y = daq.qconv2d %qx[%sx], %qw[%sw] {conv = #daq.conv<layout = nchw>}
      : (tensor<1x2x4x4xi32>, tensor<f32>, tensor<3x2x3x3xi8>, tensor<3xf32>) -> tensor<1x3x2x2xf32>
  return
}

// -----

func.func @qconv2d_f16_filter(%qx: tensor<1x2x4x4xi8>, %sx: tensor<f32>, %w: tensor<3x2x3x3xf16>, %sw: tensor<3xf32>) {
  // expected-error @+1 {{'daq.qconv2d' op operand #2 must be ranked tensor of 8-bit signless integer or 32-bit float values}}
  %y = daq.qconv2d %qx[%sx], %w[%sw] {conv = #daq.conv<layout = nchw>}
      : (tensor<1x2x4x4xi8>, tensor<f32>, tensor<3x2x3x3xf16>, tensor<3xf32>) -> tensor<1x3x2x2xf32>
  return
}

// -----

func.func @qconv2d_f16_clip(%qx: tensor<1x2x4x4xi8>, %sx: tensor<f16>, %qw: tensor<3x2x3x3xi8>, %sw: tensor<3xf32>) {
  // expected-error @+1 {{'daq.qconv2d' op operand #1 must be ranked tensor of 32-bit float values}}
  %y = daq.qconv2d %qx[%sx], %qw[%sw] {conv = #daq.conv<layout = nchw>}
      : (tensor<1x2x4x4xi8>, tensor<f16>, tensor<3x2x3x3xi8>, tensor<3xf32>) -> tensor<1x3x2x2xf32>
  return
}

// -----

// The i32 accumulator is internal; the result is dequantized f32.
func.func @qconv2d_i32_result(%qx: tensor<1x2x4x4xi8>, %sx: tensor<f32>, %qw: tensor<3x2x3x3xi8>, %sw: tensor<3xf32>) {
  // expected-error @+1 {{'daq.qconv2d' op result #0 must be ranked tensor of 32-bit float values}}
  %y = daq.qconv2d %qx[%sx], %qw[%sw] {conv = #daq.conv<layout = nchw>}
      : (tensor<1x2x4x4xi8>, tensor<f32>, tensor<3x2x3x3xi8>, tensor<3xf32>) -> tensor<1x3x2x2xi32>
  return
}

//===----------------------------------------------------------------------===//
// daq.qconv2d_backward_data
//===----------------------------------------------------------------------===//

// -----

func.func @qconv2d_backward_data_grad_input_size(%qgy: tensor<1x3x2x2xi8>, %sgy: tensor<f32>, %qw: tensor<3x2x3x3xi8>, %sw: tensor<f32>) {
  // expected-error @+1 {{'daq.qconv2d_backward_data' op width of 'grad_output' is 2 but 'grad_input' and 'filter' give (6 + 0 + 0 - 3) / 1 + 1 = 4}}
  %gx = daq.qconv2d_backward_data %qgy[%sgy], %qw[%sw] {conv = #daq.conv<layout = nchw>}
      : (tensor<1x3x2x2xi8>, tensor<f32>, tensor<3x2x3x3xi8>, tensor<f32>) -> tensor<1x2x4x6xf32>
  return
}

// -----

func.func @qconv2d_backward_data_filter_output_channels(%qgy: tensor<1x3x2x2xi8>, %sgy: tensor<f32>, %qw: tensor<2x3x3x3xi8>, %sw: tensor<f32>) {
  // expected-error @+1 {{'daq.qconv2d_backward_data' op 'filter' has 2 output channels but 'grad_output' has 3}}
  %gx = daq.qconv2d_backward_data %qgy[%sgy], %qw[%sw] {conv = #daq.conv<layout = nchw>}
      : (tensor<1x3x2x2xi8>, tensor<f32>, tensor<2x3x3x3xi8>, tensor<f32>) -> tensor<1x2x4x4xf32>
  return
}

// -----

func.func @qconv2d_backward_data_rounding_with_i8_operands(%qgy: tensor<1x3x2x2xi8>, %sgy: tensor<f32>, %qw: tensor<3x2x3x3xi8>, %sw: tensor<f32>) {
  // expected-error @+1 {{'daq.qconv2d_backward_data' op 'rounding' only applies to f32 operands quantized on load, and both operands are i8}}
  %gx = daq.qconv2d_backward_data %qgy[%sgy], %qw[%sw] {conv = #daq.conv<layout = nchw>, rounding = #daq.rounding<stochastic, seed = 1>}
      : (tensor<1x3x2x2xi8>, tensor<f32>, tensor<3x2x3x3xi8>, tensor<f32>) -> tensor<1x2x4x4xf32>
  return
}

// -----

func.func @qconv2d_backward_data_stochastic_without_step(%gy: tensor<1x3x2x2xf32>, %sgy: tensor<f32>, %qw: tensor<3x2x3x3xi8>, %sw: tensor<f32>) {
  // expected-error @+1 {{'daq.qconv2d_backward_data' op stochastic rounding needs a 'step' operand}}
  %gx = daq.qconv2d_backward_data %gy[%sgy], %qw[%sw] {conv = #daq.conv<layout = nchw>, rounding = #daq.rounding<stochastic, seed = 1>}
      : (tensor<1x3x2x2xf32>, tensor<f32>, tensor<3x2x3x3xi8>, tensor<f32>) -> tensor<1x2x4x4xf32>
  return
}

// -----

func.func @qconv2d_backward_data_step_without_stochastic(%gy: tensor<1x3x2x2xf32>, %sgy: tensor<f32>, %qw: tensor<3x2x3x3xi8>, %sw: tensor<f32>, %t: i64) {
  // expected-error @+1 {{'daq.qconv2d_backward_data' op a 'step' operand is only allowed with stochastic rounding}}
  %gx = daq.qconv2d_backward_data %gy[%sgy], %qw[%sw] step %t {conv = #daq.conv<layout = nchw>, rounding = #daq.rounding<nearest_even>}
      : (tensor<1x3x2x2xf32>, tensor<f32>, tensor<3x2x3x3xi8>, tensor<f32>, i64) -> tensor<1x2x4x4xf32>
  return
}

// -----

func.func @qconv2d_backward_data_per_channel_grad_clip(%qgy: tensor<1x3x2x2xi8>, %sgy: tensor<3xf32>, %qw: tensor<3x2x3x3xi8>, %sw: tensor<f32>) {
  // expected-error @+1 {{'daq.qconv2d_backward_data' op 'grad_output_clip' must be a per-tensor clip (tensor<f32>): backward-data sums over output channels, so per-channel scales do not factor out, got 'tensor<3xf32>'}}
  %gx = daq.qconv2d_backward_data %qgy[%sgy], %qw[%sw] {conv = #daq.conv<layout = nchw>}
      : (tensor<1x3x2x2xi8>, tensor<3xf32>, tensor<3x2x3x3xi8>, tensor<f32>) -> tensor<1x2x4x4xf32>
  return
}

// -----

func.func @qconv2d_backward_data_per_channel_filter_clip(%qgy: tensor<1x3x2x2xi8>, %sgy: tensor<f32>, %qw: tensor<3x2x3x3xi8>, %sw: tensor<3xf32>) {
  // expected-error @+1 {{'daq.qconv2d_backward_data' op 'filter_clip' must be a per-tensor clip (tensor<f32>): backward-data sums over output channels, so per-channel scales do not factor out, got 'tensor<3xf32>'}}
  %gx = daq.qconv2d_backward_data %qgy[%sgy], %qw[%sw] {conv = #daq.conv<layout = nchw>}
      : (tensor<1x3x2x2xi8>, tensor<f32>, tensor<3x2x3x3xi8>, tensor<3xf32>) -> tensor<1x2x4x4xf32>
  return
}

// -----

func.func @qconv2d_backward_data_i32_grad_output(%qgy: tensor<1x3x2x2xi32>, %sgy: tensor<f32>, %qw: tensor<3x2x3x3xi8>, %sw: tensor<f32>) {
  // expected-error @+1 {{'daq.qconv2d_backward_data' op operand #0 must be ranked tensor of 8-bit signless integer or 32-bit float values}}
  %gx = daq.qconv2d_backward_data %qgy[%sgy], %qw[%sw] {conv = #daq.conv<layout = nchw>}
      : (tensor<1x3x2x2xi32>, tensor<f32>, tensor<3x2x3x3xi8>, tensor<f32>) -> tensor<1x2x4x4xf32>
  return
}

//===----------------------------------------------------------------------===//
// daq.qconv2d_backward_filter
//===----------------------------------------------------------------------===//

// -----

func.func @qconv2d_backward_filter_kernel_size(%qx: tensor<1x2x4x4xi8>, %sx: tensor<f32>, %qgy: tensor<1x3x2x2xi8>, %sgy: tensor<3xf32>) {
  // expected-error @+1 {{'daq.qconv2d_backward_filter' op height of 'grad_output' is 2 but 'input' and 'grad_filter' give (4 + 0 + 0 - 1) / 1 + 1 = 4}}
  %gw = daq.qconv2d_backward_filter %qx[%sx], %qgy[%sgy] {conv = #daq.conv<layout = nchw>}
      : (tensor<1x2x4x4xi8>, tensor<f32>, tensor<1x3x2x2xi8>, tensor<3xf32>) -> tensor<3x2x1x1xf32>
  return
}

// -----

func.func @qconv2d_backward_filter_output_channels(%qx: tensor<1x2x4x4xi8>, %sx: tensor<f32>, %qgy: tensor<1x3x2x2xi8>, %sgy: tensor<3xf32>) {
  // expected-error @+1 {{'daq.qconv2d_backward_filter' op 'grad_filter' has 2 output channels but 'grad_output' has 3}}
  %gw = daq.qconv2d_backward_filter %qx[%sx], %qgy[%sgy] {conv = #daq.conv<layout = nchw>}
      : (tensor<1x2x4x4xi8>, tensor<f32>, tensor<1x3x2x2xi8>, tensor<3xf32>) -> tensor<2x2x3x3xf32>
  return
}

// -----

func.func @qconv2d_backward_filter_rounding_with_i8_operands(%qx: tensor<1x2x4x4xi8>, %sx: tensor<f32>, %qgy: tensor<1x3x2x2xi8>, %sgy: tensor<3xf32>) {
  // expected-error @+1 {{'daq.qconv2d_backward_filter' op 'rounding' only applies to f32 operands quantized on load, and both operands are i8}}
  %gw = daq.qconv2d_backward_filter %qx[%sx], %qgy[%sgy] {conv = #daq.conv<layout = nchw>, rounding = #daq.rounding<nearest_even>}
      : (tensor<1x2x4x4xi8>, tensor<f32>, tensor<1x3x2x2xi8>, tensor<3xf32>) -> tensor<3x2x3x3xf32>
  return
}

// -----

func.func @qconv2d_backward_filter_stochastic_without_step(%qx: tensor<1x2x4x4xi8>, %sx: tensor<f32>, %gy: tensor<1x3x2x2xf32>, %sgy: tensor<3xf32>) {
  // expected-error @+1 {{'daq.qconv2d_backward_filter' op stochastic rounding needs a 'step' operand}}
  %gw = daq.qconv2d_backward_filter %qx[%sx], %gy[%sgy] {conv = #daq.conv<layout = nchw>, rounding = #daq.rounding<stochastic, seed = 5>}
      : (tensor<1x2x4x4xi8>, tensor<f32>, tensor<1x3x2x2xf32>, tensor<3xf32>) -> tensor<3x2x3x3xf32>
  return
}

// -----

func.func @qconv2d_backward_filter_step_without_stochastic(%qx: tensor<1x2x4x4xi8>, %sx: tensor<f32>, %gy: tensor<1x3x2x2xf32>, %sgy: tensor<3xf32>, %t: i64) {
  // expected-error @+1 {{'daq.qconv2d_backward_filter' op a 'step' operand is only allowed with stochastic rounding}}
  %gw = daq.qconv2d_backward_filter %qx[%sx], %gy[%sgy] step %t {conv = #daq.conv<layout = nchw>}
      : (tensor<1x2x4x4xi8>, tensor<f32>, tensor<1x3x2x2xf32>, tensor<3xf32>, i64) -> tensor<3x2x3x3xf32>
  return
}

// -----

func.func @qconv2d_backward_filter_per_channel_input_clip(%qx: tensor<1x2x4x4xi8>, %sx: tensor<2xf32>, %qgy: tensor<1x3x2x2xi8>, %sgy: tensor<3xf32>) {
  // expected-error @+1 {{'daq.qconv2d_backward_filter' op 'input_clip' must be a per-tensor clip (tensor<f32>): activations are quantized per tensor, got 'tensor<2xf32>'}}
  %gw = daq.qconv2d_backward_filter %qx[%sx], %qgy[%sgy] {conv = #daq.conv<layout = nchw>}
      : (tensor<1x2x4x4xi8>, tensor<2xf32>, tensor<1x3x2x2xi8>, tensor<3xf32>) -> tensor<3x2x3x3xf32>
  return
}

// -----

func.func @qconv2d_backward_filter_rank2_grad_clip(%qx: tensor<1x2x4x4xi8>, %sx: tensor<f32>, %qgy: tensor<1x3x2x2xi8>, %sgy: tensor<1x3xf32>) {
  // expected-error @+1 {{'daq.qconv2d_backward_filter' op 'grad_output_clip' must be per tensor (tensor<f32>) or per output channel (tensor<Oxf32>), got 'tensor<1x3xf32>'}}
  %gw = daq.qconv2d_backward_filter %qx[%sx], %qgy[%sgy] {conv = #daq.conv<layout = nchw>}
      : (tensor<1x2x4x4xi8>, tensor<f32>, tensor<1x3x2x2xi8>, tensor<1x3xf32>) -> tensor<3x2x3x3xf32>
  return
}

// -----

func.func @qconv2d_backward_filter_grad_clip_size(%qx: tensor<1x2x4x4xi8>, %sx: tensor<f32>, %qgy: tensor<1x3x2x2xi8>, %sgy: tensor<2xf32>) {
  // expected-error @+1 {{'daq.qconv2d_backward_filter' op 'grad_output_clip' has 2 values but the convolution has 3 output channels}}
  %gw = daq.qconv2d_backward_filter %qx[%sx], %qgy[%sgy] {conv = #daq.conv<layout = nchw>}
      : (tensor<1x2x4x4xi8>, tensor<f32>, tensor<1x3x2x2xi8>, tensor<2xf32>) -> tensor<3x2x3x3xf32>
  return
}

// -----

func.func @qconv2d_backward_filter_i32_input(%qx: tensor<1x2x4x4xi32>, %sx: tensor<f32>, %qgy: tensor<1x3x2x2xi8>, %sgy: tensor<3xf32>) {
  // expected-error @+1 {{'daq.qconv2d_backward_filter' op operand #0 must be ranked tensor of 8-bit signless integer or 32-bit float values}}
  %gw = daq.qconv2d_backward_filter %qx[%sx], %qgy[%sgy] {conv = #daq.conv<layout = nchw>}
      : (tensor<1x2x4x4xi32>, tensor<f32>, tensor<1x3x2x2xi8>, tensor<3xf32>) -> tensor<3x2x3x3xf32>
  return
}

// -----

func.func @qconv2d_backward_filter_f16_grad_clip(%qx: tensor<1x2x4x4xi8>, %sx: tensor<f32>, %qgy: tensor<1x3x2x2xi8>, %sgy: tensor<3xf16>) {
  // expected-error @+1 {{'daq.qconv2d_backward_filter' op operand #3 must be ranked tensor of 32-bit float values}}
  %gw = daq.qconv2d_backward_filter %qx[%sx], %qgy[%sgy] {conv = #daq.conv<layout = nchw>}
      : (tensor<1x2x4x4xi8>, tensor<f32>, tensor<1x3x2x2xi8>, tensor<3xf16>) -> tensor<3x2x3x3xf32>
  return
}

// -----

func.func @conv2d_zero_kernel(%x: tensor<1x2x4x4xf32>, %w: tensor<3x2x0x3xf32>) {
  // expected-error @+1 {{'daq.conv2d' op kernel height of 'filter' must be positive}}
  %y = daq.conv2d %x, %w {conv = #daq.conv<layout = nchw>}
      : (tensor<1x2x4x4xf32>, tensor<3x2x0x3xf32>) -> tensor<1x3x5x2xf32>
  return
}

// -----

func.func @kernel_call_result_type(%x: tensor<4xi8>, %init: tensor<4xf32>) {
  // expected-error @+1 {{'daq.kernel_call' op result 0 type 'tensor<5xf32>' differs from the init type 'tensor<4xf32>'}}
  %y = daq.kernel_call @k(%x) outs(%init) scalars([1]) : (tensor<4xi8>), tensor<4xf32> -> tensor<5xf32>
  return
}

// -----

func.func @kernel_call_second_result_type(%x: tensor<4xi8>, %a: tensor<4xf32>, %b: tensor<4xi8>) {
  // expected-error @+1 {{'daq.kernel_call' op result 1 type 'tensor<4xf32>' differs from the init type 'tensor<4xi8>'}}
  %y:2 = daq.kernel_call @k(%x) outs(%a, %b) scalars([1]) : (tensor<4xi8>), tensor<4xf32>, tensor<4xi8> -> tensor<4xf32>, tensor<4xf32>
  return
}

// -----

func.func @kernel_call_result_count(%x: tensor<4xi8>, %a: tensor<4xf32>, %b: tensor<4xf32>) {
  // expected-error @+1 {{'daq.kernel_call' op has 2 inits but 1 results}}
  %y = daq.kernel_call @k(%x) outs(%a, %b) scalars([1]) : (tensor<4xi8>), tensor<4xf32>, tensor<4xf32> -> tensor<4xf32>
  return
}

// -----

func.func @kernel_call_no_init(%x: tensor<4xi8>) {
  // expected-error @+1 {{'daq.kernel_call' op needs at least one init (an output buffer)}}
  "daq.kernel_call"(%x) <{callee = @k, scalars = array<i64: 1>, operandSegmentSizes = array<i32: 1, 0>}> : (tensor<4xi8>) -> ()
  return
}
