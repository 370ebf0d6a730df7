// RUN: daq-opt %s -split-input-file --convert-daq-qconv-to-cpu-kernels=strict=true -verify-diagnostics
// RUN: not daq-opt %s --convert-daq-qconv-to-cpu-kernels=kernel=vnni 2>&1 | FileCheck %s --check-prefix=KERNEL
// KERNEL: error: unknown INT8 convolution kernel variant 'vnni' (expected auto, portable, avx2, avx512-vnni, amx; for tests: avx512-vnni-model, amx-model)

// With strict=true, INT8 convolutions the kernels do not take are errors.
func.func @stochastic(%x: tensor<1x3x5x5xf32>, %sx: tensor<f32>, %w: tensor<4x3x3x3xi8>, %sw: tensor<f32>,
                      %t: i64) -> tensor<1x4x3x3xf32> {
  // expected-error @+1 {{'daq.qconv2d' op cannot use the CPU INT8 kernels: stochastic rounding on load is not implemented by the kernels}}
  %y = daq.qconv2d %x[%sx], %w[%sw] step %t {conv = #daq.conv<layout = nchw>, rounding = #daq.rounding<stochastic, seed = 7>}
      : (tensor<1x3x5x5xf32>, tensor<f32>, tensor<4x3x3x3xi8>, tensor<f32>, i64) -> tensor<1x4x3x3xf32>
  return %y : tensor<1x4x3x3xf32>
}

// -----

func.func @dynamic(%x: tensor<?x3x5x5xi8>, %sx: tensor<f32>, %gy: tensor<?x4x3x3xi8>,
                   %sgy: tensor<f32>) -> tensor<4x3x3x3xf32> {
  // expected-error @+1 {{'daq.qconv2d_backward_filter' op cannot use the CPU INT8 kernels: the kernels need static shapes}}
  %gw = daq.qconv2d_backward_filter %x[%sx], %gy[%sgy] {conv = #daq.conv<layout = nchw>}
      : (tensor<?x3x5x5xi8>, tensor<f32>, tensor<?x4x3x3xi8>, tensor<f32>) -> tensor<4x3x3x3xf32>
  return %gw : tensor<4x3x3x3xf32>
}
