// One convolution layer of a CNN (3x3, 16 -> 32 channels, 14x14, batch 8),
// one training step in the daq dialect: the FP32 step, and the
// Distribution-Adaptive INT8 step of Zhao et al. (AAAI 2021).
//
// Run:  daq-opt examples/conv_layer.mlir --daq-decompose-quantize-grad --canonicalize

// FP32 reference step: Y = conv(X, W), GX = dL/dX, GW = dL/dW.
func.func @layer_fp32(%x: tensor<8x16x14x14xf32>, %w: tensor<32x16x3x3xf32>,
                      %gy: tensor<8x32x14x14xf32>)
    -> (tensor<8x32x14x14xf32>, tensor<8x16x14x14xf32>, tensor<32x16x3x3xf32>) {
  %y = daq.conv2d %x, %w {conv = #daq.conv<layout = nchw, padding = [1, 1, 1, 1]>}
      : (tensor<8x16x14x14xf32>, tensor<32x16x3x3xf32>) -> tensor<8x32x14x14xf32>
  %gx = daq.conv2d_backward_data %gy, %w {conv = #daq.conv<layout = nchw, padding = [1, 1, 1, 1]>}
      : (tensor<8x32x14x14xf32>, tensor<32x16x3x3xf32>) -> tensor<8x16x14x14xf32>
  %gw = daq.conv2d_backward_filter %x, %gy {conv = #daq.conv<layout = nchw, padding = [1, 1, 1, 1]>}
      : (tensor<8x16x14x14xf32>, tensor<8x32x14x14xf32>) -> tensor<32x16x3x3xf32>
  return %y, %gx, %gw : tensor<8x32x14x14xf32>, tensor<8x16x14x14xf32>, tensor<32x16x3x3xf32>
}

// INT8 step. Forward: X and W per tensor, max-abs clips; X is quantized once
// and reused by backward-filter. Backward: GY through daq.quantize_grad with
// the Magnitude-aware Clipping Strategy; its clip state (one value per output
// channel, one for the tensor) comes in from the previous step and goes out
// to the next (-1 on the first step).
func.func @layer_int8(%x: tensor<8x16x14x14xf32>, %w: tensor<32x16x3x3xf32>,
                      %gy: tensor<8x32x14x14xf32>, %gy_state_c: tensor<32xf32>,
                      %gy_state_t: tensor<f32>)
    -> (tensor<8x32x14x14xf32>, tensor<8x16x14x14xf32>, tensor<32x16x3x3xf32>,
        tensor<32xf32>, tensor<f32>) {
  %sx = daq.max_abs %x {granularity = #daq.granularity<per_tensor>}
      : tensor<8x16x14x14xf32> -> tensor<f32>
  %qx = daq.quantize %x, %sx {granularity = #daq.granularity<per_tensor>}
      : (tensor<8x16x14x14xf32>, tensor<f32>) -> tensor<8x16x14x14xi8>
  %sw = daq.max_abs %w {granularity = #daq.granularity<per_tensor>}
      : tensor<32x16x3x3xf32> -> tensor<f32>
  %qw = daq.quantize %w, %sw {granularity = #daq.granularity<per_tensor>}
      : (tensor<32x16x3x3xf32>, tensor<f32>) -> tensor<32x16x3x3xi8>
  %y = daq.qconv2d %qx[%sx], %qw[%sw] {conv = #daq.conv<layout = nchw, padding = [1, 1, 1, 1]>}
      : (tensor<8x16x14x14xi8>, tensor<f32>, tensor<32x16x3x3xi8>, tensor<f32>)
        -> tensor<8x32x14x14xf32>

  %qgy_c, %sgy_c, %qgy_t, %sgy_t = daq.quantize_grad %gy state(%gy_state_c, %gy_state_t)
      {axis = 1 : i64, strategy = #daq.mcs}
      : (tensor<8x32x14x14xf32>, tensor<32xf32>, tensor<f32>)
        -> (tensor<8x32x14x14xi8>, tensor<32xf32>, tensor<8x32x14x14xi8>, tensor<f32>)
  %gx = daq.qconv2d_backward_data %qgy_t[%sgy_t], %qw[%sw]
      {conv = #daq.conv<layout = nchw, padding = [1, 1, 1, 1]>}
      : (tensor<8x32x14x14xi8>, tensor<f32>, tensor<32x16x3x3xi8>, tensor<f32>)
        -> tensor<8x16x14x14xf32>
  %gw = daq.qconv2d_backward_filter %qx[%sx], %qgy_c[%sgy_c]
      {conv = #daq.conv<layout = nchw, padding = [1, 1, 1, 1]>}
      : (tensor<8x16x14x14xi8>, tensor<f32>, tensor<8x32x14x14xi8>, tensor<32xf32>)
        -> tensor<32x16x3x3xf32>
  return %y, %gx, %gw, %sgy_c, %sgy_t
      : tensor<8x32x14x14xf32>, tensor<8x16x14x14xf32>, tensor<32x16x3x3xf32>,
        tensor<32xf32>, tensor<f32>
}
