// RUN: daq-opt %s -split-input-file --convert-daq-qconv-to-cpu-kernels --cse | FileCheck %s
// RUN: daq-opt %s -split-input-file --convert-daq-qconv-to-cpu-kernels=kernel=avx512-vnni --cse | FileCheck %s --check-prefix=VNNI

// Forward, i8 operands, per-channel filter clip: a daq.kernel_call in
// destination-passing style on a tensor.empty, the rank-0 clip expanded to one
// element; scalars are direction, layout, strides, top/left padding,
// dilations, groups, variant.
// CHECK-LABEL: func.func @forward(
// CHECK-SAME:    %[[X:.*]]: tensor<2x5x9x9xi8>, %[[SX:.*]]: tensor<f32>, %[[W:.*]]: tensor<7x5x3x3xi8>, %[[SW:.*]]: tensor<7xf32>)
// CHECK-NOT:     daq.qconv2d
// CHECK:         %[[SXE:.*]] = tensor.expand_shape %[[SX]] [] output_shape [1] : tensor<f32> into tensor<1xf32>
// CHECK:         %[[INIT:.*]] = tensor.empty() : tensor<2x7x5x4xf32>
// CHECK:         %[[Y:.*]] = daq.kernel_call @daq_cpu_qconv2d_i8_i8(%[[X]], %[[SXE]], %[[W]], %[[SW]]) outs(%[[INIT]]) scalars([0, 0, 2, 2, 1, 1, 1, 1, 1, 0])
// CHECK:         return %[[Y]]
// CHECK:       func.func private @daq_cpu_qconv2d_i8_i8(memref<?x?x?x?xi8, strided<[?, ?, ?, ?], offset: ?>>, memref<?xf32, strided<[?], offset: ?>>, memref<?x?x?x?xi8, strided<[?, ?, ?, ?], offset: ?>>, memref<?xf32, strided<[?], offset: ?>>, memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>>, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64) attributes {llvm.emit_c_interface}
// VNNI-LABEL:  func.func @forward(
// VNNI:          daq.kernel_call @daq_cpu_qconv2d_i8_i8({{.*}}) scalars([0, 0, 2, 2, 1, 1, 1, 1, 1, 3])
func.func @forward(%x: tensor<2x5x9x9xi8>, %sx: tensor<f32>, %w: tensor<7x5x3x3xi8>,
                   %sw: tensor<7xf32>) -> tensor<2x7x5x4xf32> {
  %y = daq.qconv2d %x[%sx], %w[%sw] {conv = #daq.conv<layout = nchw, strides = [2, 2], padding = [1, 1, 1, 0]>}
      : (tensor<2x5x9x9xi8>, tensor<f32>, tensor<7x5x3x3xi8>, tensor<7xf32>) -> tensor<2x7x5x4xf32>
  return %y : tensor<2x7x5x4xf32>
}

// -----

// Backward-data with an f32 gradient quantized on load (NHWC, groups,
// dilation): the f32 x i8 entry point, direction 1, layout 1.
// CHECK-LABEL: func.func @backward_data(
// CHECK:         daq.kernel_call @daq_cpu_qconv2d_f32_i8({{.*}}) scalars([1, 1, 1, 1, 2, 0, 2, 1, 3, 0]) : (tensor<2x6x5x9xf32>, tensor<1xf32>, tensor<9x3x3x2xi8>, tensor<1xf32>), tensor<2x6x7x6xf32> -> tensor<2x6x7x6xf32>
// CHECK:       func.func private @daq_cpu_qconv2d_f32_i8(memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>>,
func.func @backward_data(%gy: tensor<2x6x5x9xf32>, %sgy: tensor<f32>, %w: tensor<9x3x3x2xi8>,
                         %sw: tensor<f32>) -> tensor<2x6x7x6xf32> {
  %gx = daq.qconv2d_backward_data %gy[%sgy], %w[%sw] {conv = #daq.conv<layout = nhwc, padding = [2, 0, 2, 0], dilations = [2, 1], groups = 3>, rounding = #daq.rounding<nearest_even>}
      : (tensor<2x6x5x9xf32>, tensor<f32>, tensor<9x3x3x2xi8>, tensor<f32>) -> tensor<2x6x7x6xf32>
  return %gx : tensor<2x6x7x6xf32>
}

// -----

// Two backward-filter ops share one declaration; direction 2.
// CHECK-LABEL: func.func @backward_filter_twice(
// CHECK:         daq.kernel_call @daq_cpu_qconv2d_i8_f32({{.*}}) scalars([2, 0, 1, 1, 0, 0, 1, 1, 1, 0])
// CHECK:         daq.kernel_call @daq_cpu_qconv2d_i8_f32(
// CHECK:       func.func private @daq_cpu_qconv2d_i8_f32(
// CHECK-NOT:   func.func private @daq_cpu_qconv2d_i8_f32(
func.func @backward_filter_twice(%x: tensor<2x3x5x5xi8>, %sx: tensor<f32>, %gy: tensor<2x4x3x3xf32>,
                                 %sgy: tensor<4xf32>) -> (tensor<4x3x3x3xf32>, tensor<4x3x3x3xf32>) {
  %a = daq.qconv2d_backward_filter %x[%sx], %gy[%sgy] {conv = #daq.conv<layout = nchw>, rounding = #daq.rounding<nearest_even>}
      : (tensor<2x3x5x5xi8>, tensor<f32>, tensor<2x4x3x3xf32>, tensor<4xf32>) -> tensor<4x3x3x3xf32>
  %b = daq.qconv2d_backward_filter %x[%sx], %gy[%sgy] {conv = #daq.conv<layout = nchw>}
      : (tensor<2x3x5x5xi8>, tensor<f32>, tensor<2x4x3x3xf32>, tensor<4xf32>) -> tensor<4x3x3x3xf32>
  return %a, %b : tensor<4x3x3x3xf32>, tensor<4x3x3x3xf32>
}

// -----

// Stochastic rounding on load: each f32 operand is quantized first by a
// daq.quantize with the op's rounding and step (per tensor, or along the
// output channels: the channel dimension of GY), then the kernel runs on
// codes. Dynamic shapes stay for convert-daq-to-linalg.
// CHECK-LABEL: func.func @stochastic_and_dynamic(
// CHECK-SAME:    %[[X:[a-z0-9]+]]: tensor<1x3x5x5xf32>, %[[SX:[a-z0-9]+]]: tensor<f32>, %[[W:[a-z0-9]+]]: tensor<4x3x3x3xi8>, %[[SW:[a-z0-9]+]]: tensor<f32>, %[[T:[a-z0-9]+]]: i64
// CHECK:         %[[QX:.*]] = daq.quantize %[[X]], %[[SX]] step %[[T]] {granularity = #daq.granularity<per_tensor>, rounding = #daq.rounding<stochastic, seed = 7>}
// CHECK:         daq.kernel_call @daq_cpu_qconv2d_i8_i8(%[[QX]], %{{.*}}, %[[W]], %{{.*}})
// CHECK:         %[[QGY:.*]] = daq.quantize %{{.*}}, %{{.*}} step %[[T]] {granularity = #daq.granularity<per_axis = 1>, rounding = #daq.rounding<stochastic, seed = 9>}
// CHECK:         daq.kernel_call @daq_cpu_qconv2d_i8_i8(%{{.*}}, %{{.*}}, %[[QGY]], %{{.*}})
// CHECK:         daq.qconv2d_backward_filter
// CHECK-NOT:     kernel_call
func.func @stochastic_and_dynamic(%x: tensor<1x3x5x5xf32>, %sx: tensor<f32>, %w: tensor<4x3x3x3xi8>, %sw: tensor<f32>,
                      %t: i64, %xd: tensor<?x3x5x5xi8>, %gy: tensor<?x4x3x3xi8>, %x8: tensor<1x3x5x5xi8>,
                      %gyf: tensor<1x4x3x3xf32>, %sgy: tensor<4xf32>)
    -> (tensor<1x4x3x3xf32>, tensor<4x3x3x3xf32>, tensor<4x3x3x3xf32>) {
  %y = daq.qconv2d %x[%sx], %w[%sw] step %t {conv = #daq.conv<layout = nchw>, rounding = #daq.rounding<stochastic, seed = 7>}
      : (tensor<1x3x5x5xf32>, tensor<f32>, tensor<4x3x3x3xi8>, tensor<f32>, i64) -> tensor<1x4x3x3xf32>
  %gws = daq.qconv2d_backward_filter %x8[%sx], %gyf[%sgy] step %t {conv = #daq.conv<layout = nchw>, rounding = #daq.rounding<stochastic, seed = 9>}
      : (tensor<1x3x5x5xi8>, tensor<f32>, tensor<1x4x3x3xf32>, tensor<4xf32>, i64) -> tensor<4x3x3x3xf32>
  %gw = daq.qconv2d_backward_filter %xd[%sx], %gy[%sw] {conv = #daq.conv<layout = nchw>}
      : (tensor<?x3x5x5xi8>, tensor<f32>, tensor<?x4x3x3xi8>, tensor<f32>) -> tensor<4x3x3x3xf32>
  return %y, %gws, %gw : tensor<1x4x3x3xf32>, tensor<4x3x3x3xf32>, tensor<4x3x3x3xf32>
}
