// RUN: daq-opt %s -split-input-file -verify-diagnostics --convert-daq-stats-to-gpu
// RUN: daq-opt %s -split-input-file -verify-diagnostics --convert-daq-stats-to-gpu=target=cpu
// RUN: not daq-opt %s --convert-daq-stats-to-gpu="target=tpu" 2>&1 | FileCheck %s --check-prefix=TARGET
// RUN: not daq-opt %s --convert-daq-stats-to-gpu="block-size=96" 2>&1 | FileCheck %s --check-prefix=BLOCK
// RUN: not daq-opt %s --convert-daq-stats-to-gpu="block-size=2048" 2>&1 | FileCheck %s --check-prefix=BLOCK2
// RUN: not daq-opt %s --convert-daq-stats-to-gpu="blocks=0" 2>&1 | FileCheck %s --check-prefix=BLOCKS

// TARGET: convert-daq-stats-to-gpu: target must be 'gpu' or 'cpu', not 'tpu'
// BLOCK: convert-daq-stats-to-gpu: block-size must be a power of two in [2, 1024], not 96
// BLOCK2: convert-daq-stats-to-gpu: block-size must be a power of two in [2, 1024], not 2048
// BLOCKS: convert-daq-stats-to-gpu: blocks must be positive

func.func @dynamic_mcs(%g: tensor<?x16x7x7xf32>, %prev: tensor<16xf32>) -> tensor<16xf32> {
  // expected-error @+1 {{'daq.mcs_clip' op convert-daq-stats-to-gpu: needs a static shape}}
  %clip, %bell = daq.mcs_clip %g, %prev {granularity = #daq.granularity<per_axis = 1>, params = #daq.mcs}
      : (tensor<?x16x7x7xf32>, tensor<16xf32>) -> (tensor<16xf32>, tensor<16xi1>)
  return %clip : tensor<16xf32>
}

// -----

func.func @dynamic_max_abs(%g: tensor<8x?xf32>) -> tensor<f32> {
  // expected-error @+1 {{'daq.max_abs' op convert-daq-stats-to-gpu: needs a static shape}}
  %c = daq.max_abs %g {granularity = #daq.granularity<per_tensor>} : tensor<8x?xf32> -> tensor<f32>
  return %c : tensor<f32>
}

// -----

func.func @empty(%g: tensor<0x4xf32>, %prev: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'daq.mcs_clip' op convert-daq-stats-to-gpu: needs a non-empty tensor}}
  %clip, %bell = daq.mcs_clip %g, %prev {granularity = #daq.granularity<per_axis = 1>, params = #daq.mcs}
      : (tensor<0x4xf32>, tensor<4xf32>) -> (tensor<4xf32>, tensor<4xi1>)
  return %clip : tensor<4xf32>
}

// -----

func.func @stochastic(%g: tensor<4x8xf32>, %s: tensor<f32>, %t: i64) -> tensor<4x8xi8> {
  // expected-error @+1 {{stochastic rounding is not supported by convert-daq-stats-to-gpu; lower this op with convert-daq-to-linalg or use nearest_even rounding}}
  %q = daq.quantize %g, %s step %t {granularity = #daq.granularity<per_tensor>, rounding = #daq.rounding<stochastic, seed = 7>}
      : (tensor<4x8xf32>, tensor<f32>, i64) -> tensor<4x8xi8>
  return %q : tensor<4x8xi8>
}

// -----

func.func @dynamic_quantize(%g: tensor<?x8xf32>, %s: tensor<8xf32>) -> tensor<?x8xi8> {
  // expected-error @+1 {{'daq.quantize' op convert-daq-stats-to-gpu: needs a static shape}}
  %q = daq.quantize %g, %s {granularity = #daq.granularity<per_axis = 1>}
      : (tensor<?x8xf32>, tensor<8xf32>) -> tensor<?x8xi8>
  return %q : tensor<?x8xi8>
}
