// RUN: daq-opt %s -split-input-file --convert-daq-to-linalg -verify-diagnostics

// Convolutions need static shapes.
func.func @dynamic_conv(%x: tensor<?x3x5x5xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<?x4x3x3xf32> {
  // expected-error @+2 {{lowering to linalg needs static shapes}}
  // expected-error @+1 {{failed to legalize operation 'daq.conv2d' that was explicitly marked illegal}}
  %y = daq.conv2d %x, %w {conv = #daq.conv<layout = nchw>}
      : (tensor<?x3x5x5xf32>, tensor<4x3x3x3xf32>) -> tensor<?x4x3x3xf32>
  return %y : tensor<?x4x3x3xf32>
}
