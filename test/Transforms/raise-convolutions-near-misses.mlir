// RUN: daq-opt %s -split-input-file --daq-raise-convolutions | FileCheck %s

// Forms close to Torch-MLIR's convolutions that compute something else are
// left alone.

// The output starts from ones, not zeros: conv + 1 is not a convolution.
// CHECK-LABEL: func @nonzero_init
// CHECK-NOT:   daq.
// CHECK:       linalg.conv_2d_nchw_fchw
func.func @nonzero_init(%x: tensor<1x2x5x5xf32>, %w: tensor<3x2x3x3xf32>) -> tensor<1x3x3x3xf32> {
  %one = arith.constant 1.0 : f32
  %e = tensor.empty() : tensor<1x3x3x3xf32>
  %init = linalg.fill ins(%one : f32) outs(%e : tensor<1x3x3x3xf32>) -> tensor<1x3x3x3xf32>
  %y = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>}
      ins(%x, %w : tensor<1x2x5x5xf32>, tensor<3x2x3x3xf32>) outs(%init : tensor<1x3x3x3xf32>) -> tensor<1x3x3x3xf32>
  return %y : tensor<1x3x3x3xf32>
}

// -----

// Padding with ones, and padding of the channel dimension.
// CHECK-LABEL: func @nonzero_and_channel_padding
// CHECK-NOT:   daq.
// CHECK:       linalg.conv_2d_nchw_fchw
// CHECK:       linalg.conv_2d_nchw_fchw
func.func @nonzero_and_channel_padding(%x: tensor<1x2x3x3xf32>, %w: tensor<3x2x3x3xf32>, %w4: tensor<3x4x3x3xf32>)
    -> (tensor<1x3x3x3xf32>, tensor<1x3x1x1xf32>) {
  %zero = arith.constant 0.0 : f32
  %one = arith.constant 1.0 : f32
  %padded = tensor.pad %x low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %one : f32
  } : tensor<1x2x3x3xf32> to tensor<1x2x5x5xf32>
  %e = tensor.empty() : tensor<1x3x3x3xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<1x3x3x3xf32>) -> tensor<1x3x3x3xf32>
  %y = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>}
      ins(%padded, %w : tensor<1x2x5x5xf32>, tensor<3x2x3x3xf32>) outs(%init : tensor<1x3x3x3xf32>) -> tensor<1x3x3x3xf32>
  %cpad = tensor.pad %x low[0, 1, 0, 0] high[0, 1, 0, 0] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<1x2x3x3xf32> to tensor<1x4x3x3xf32>
  %e1 = tensor.empty() : tensor<1x3x1x1xf32>
  %init1 = linalg.fill ins(%zero : f32) outs(%e1 : tensor<1x3x1x1xf32>) -> tensor<1x3x1x1xf32>
  %y1 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>}
      ins(%cpad, %w4 : tensor<1x4x3x3xf32>, tensor<3x4x3x3xf32>) outs(%init1 : tensor<1x3x1x1xf32>) -> tensor<1x3x1x1xf32>
  return %y, %y1 : tensor<1x3x3x3xf32>, tensor<1x3x1x1xf32>
}

// -----

#gy = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d4, d2 + d5, d3 + d6)>
#w = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d4, d1, d5, d6)>
#out = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2, d3)>
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>

// The direct backward-data form, but the 3x3 filter is not flipped: a
// correlation, not the gradient of a convolution.
// CHECK-LABEL: func @unflipped_filter
// CHECK-NOT:   daq.
// CHECK:       linalg.generic
func.func @unflipped_filter(%gy: tensor<1x3x5x5xf32>, %w: tensor<3x2x3x3xf32>) -> tensor<1x2x3x3xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x2x3x3xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
  %gx = linalg.generic {indexing_maps = [#gy, #w, #out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%gy, %w : tensor<1x3x5x5xf32>, tensor<3x2x3x3xf32>) outs(%init : tensor<1x2x3x3xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %m, %acc : f32
    linalg.yield %s : f32
  } -> tensor<1x2x3x3xf32>
  return %gx : tensor<1x2x3x3xf32>
}

// -----

#gy = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d4, d2 + d5, d3 + d6)>
#w = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d4, d1, d5, d6)>
#out = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2, d3)>
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>

// A flipped filter, but the body subtracts: not a convolution.
// CHECK-LABEL: func @subtracting_body
// CHECK-NOT:   daq.
// CHECK:       arith.subf
func.func @subtracting_body(%gy: tensor<1x3x5x5xf32>, %w: tensor<3x2x3x3xf32>) -> tensor<1x2x3x3xf32> {
  %zero = arith.constant 0.0 : f32
  %c2 = arith.constant 2 : index
  %fe = tensor.empty() : tensor<3x2x3x3xf32>
  %flipped = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%w : tensor<3x2x3x3xf32>) outs(%fe : tensor<3x2x3x3xf32>) {
  ^bb0(%in: f32, %out: f32):
    %i0 = linalg.index 0 : index
    %i1 = linalg.index 1 : index
    %i2 = linalg.index 2 : index
    %i3 = linalg.index 3 : index
    %r2 = arith.subi %c2, %i2 : index
    %r3 = arith.subi %c2, %i3 : index
    %v = tensor.extract %w[%i0, %i1, %r2, %r3] : tensor<3x2x3x3xf32>
    linalg.yield %v : f32
  } -> tensor<3x2x3x3xf32>
  %e = tensor.empty() : tensor<1x2x3x3xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
  %gx = linalg.generic {indexing_maps = [#gy, #w, #out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%gy, %flipped : tensor<1x3x5x5xf32>, tensor<3x2x3x3xf32>) outs(%init : tensor<1x2x3x3xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.subf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<1x2x3x3xf32>
  return %gx : tensor<1x2x3x3xf32>
}

// -----

#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>

// The same generic with a correctly flipped filter is raised: the positive
// control for the two cases above. A flip that also swaps the first two
// indices is not the direct form's flip and is left alone.
// CHECK-LABEL: func @flipped_filter
// CHECK:       daq.conv2d_backward_data %{{.*}}, %{{.*}} {conv = #daq.conv<layout = nchw, padding = [1, 1, 1, 1]>} : (tensor<1x3x3x3xf32>, tensor<3x2x3x3xf32>) -> tensor<1x2x3x3xf32>
// CHECK-LABEL: func @swapped_flip
// CHECK-NOT:   daq.
func.func @flipped_filter(%gy: tensor<1x3x3x3xf32>, %w: tensor<3x2x3x3xf32>) -> tensor<1x2x3x3xf32> {
  %zero = arith.constant 0.0 : f32
  %c2 = arith.constant 2 : index
  %fe = tensor.empty() : tensor<3x2x3x3xf32>
  %flipped = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%w : tensor<3x2x3x3xf32>) outs(%fe : tensor<3x2x3x3xf32>) {
  ^bb0(%in: f32, %out: f32):
    %i0 = linalg.index 0 : index
    %i1 = linalg.index 1 : index
    %i2 = linalg.index 2 : index
    %i3 = linalg.index 3 : index
    %r2 = arith.subi %c2, %i2 : index
    %r3 = arith.subi %c2, %i3 : index
    %v = tensor.extract %w[%i0, %i1, %r2, %r3] : tensor<3x2x3x3xf32>
    linalg.yield %v : f32
  } -> tensor<3x2x3x3xf32>
  %padded = tensor.pad %gy low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<1x3x3x3xf32> to tensor<1x3x5x5xf32>
  %e = tensor.empty() : tensor<1x2x3x3xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
  %gx = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d4, d2 + d5, d3 + d6)>,
                                         affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d4, d1, d5, d6)>,
                                         affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2, d3)>],
                        iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%padded, %flipped : tensor<1x3x5x5xf32>, tensor<3x2x3x3xf32>) outs(%init : tensor<1x2x3x3xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %m, %acc : f32
    linalg.yield %s : f32
  } -> tensor<1x2x3x3xf32>
  return %gx : tensor<1x2x3x3xf32>
}

func.func @swapped_flip(%gy: tensor<1x3x3x3xf32>, %w: tensor<3x3x3x3xf32>) -> tensor<1x3x3x3xf32> {
  %zero = arith.constant 0.0 : f32
  %c2 = arith.constant 2 : index
  %fe = tensor.empty() : tensor<3x3x3x3xf32>
  %flipped = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%w : tensor<3x3x3x3xf32>) outs(%fe : tensor<3x3x3x3xf32>) {
  ^bb0(%in: f32, %out: f32):
    %i0 = linalg.index 0 : index
    %i1 = linalg.index 1 : index
    %i2 = linalg.index 2 : index
    %i3 = linalg.index 3 : index
    %r2 = arith.subi %c2, %i2 : index
    %r3 = arith.subi %c2, %i3 : index
    %v = tensor.extract %w[%i1, %i0, %r2, %r3] : tensor<3x3x3x3xf32>
    linalg.yield %v : f32
  } -> tensor<3x3x3x3xf32>
  %padded = tensor.pad %gy low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<1x3x3x3xf32> to tensor<1x3x5x5xf32>
  %e = tensor.empty() : tensor<1x3x3x3xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<1x3x3x3xf32>) -> tensor<1x3x3x3xf32>
  %gx = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d4, d2 + d5, d3 + d6)>,
                                         affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d4, d1, d5, d6)>,
                                         affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2, d3)>],
                        iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%padded, %flipped : tensor<1x3x5x5xf32>, tensor<3x3x3x3xf32>) outs(%init : tensor<1x3x3x3xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %m, %acc : f32
    linalg.yield %s : f32
  } -> tensor<1x3x3x3xf32>
  return %gx : tensor<1x3x3x3xf32>
}

// -----

// The direct backward-filter form with the gradient indexed by the input
// channel instead of the output channel.
// CHECK-LABEL: func @wrong_gradient_map
// CHECK-NOT:   daq.
// CHECK:       linalg.generic
func.func @wrong_gradient_map(%x: tensor<1x3x5x5xf32>, %gy: tensor<1x3x3x3xf32>) -> tensor<3x3x3x3xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<3x3x3x3xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<3x3x3x3xf32>) -> tensor<3x3x3x3xf32>
  %gw = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d4, d1, d2 + d5, d3 + d6)>,
                                         affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d4, d1, d5, d6)>,
                                         affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2, d3)>],
                        iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%x, %gy : tensor<1x3x5x5xf32>, tensor<1x3x3x3xf32>) outs(%init : tensor<3x3x3x3xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %m, %acc : f32
    linalg.yield %s : f32
  } -> tensor<3x3x3x3xf32>
  return %gw : tensor<3x3x3x3xf32>
}
