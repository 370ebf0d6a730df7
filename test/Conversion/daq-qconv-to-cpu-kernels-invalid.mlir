// RUN: daq-opt %s -split-input-file --convert-daq-qconv-to-cpu-kernels=strict=true -verify-diagnostics
// RUN: not daq-opt %s --convert-daq-qconv-to-cpu-kernels=kernel=vnni 2>&1 | FileCheck %s --check-prefix=KERNEL
// KERNEL: error: unknown INT8 convolution kernel variant 'vnni' (expected auto, portable, avx2, avx512-vnni, amx; for tests: avx512-vnni-model, amx-model)

// With strict=true, INT8 convolutions the kernels do not take are errors.
func.func @dynamic(%x: tensor<?x3x5x5xi8>, %sx: tensor<f32>, %gy: tensor<?x4x3x3xi8>,
                   %sgy: tensor<f32>) -> tensor<4x3x3x3xf32> {
  // expected-error @+1 {{'daq.qconv2d_backward_filter' op cannot use the CPU INT8 kernels: the kernels need static shapes}}
  %gw = daq.qconv2d_backward_filter %x[%sx], %gy[%sgy] {conv = #daq.conv<layout = nchw>}
      : (tensor<?x3x5x5xi8>, tensor<f32>, tensor<?x4x3x3xi8>, tensor<f32>) -> tensor<4x3x3x3xf32>
  return %gw : tensor<4x3x3x3xf32>
}
