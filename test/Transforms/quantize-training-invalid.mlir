// RUN: not daq-opt %s --daq-quantize-training="layers=first" 2>&1 | FileCheck %s --check-prefix=LAYERS
// RUN: not daq-opt %s --daq-quantize-training="backward-data=channel" 2>&1 | FileCheck %s --check-prefix=BWD
// RUN: not daq-opt %s --daq-quantize-training="clip=percentile" 2>&1 | FileCheck %s --check-prefix=CLIP
// RUN: not daq-opt %s --daq-quantize-training="rounding=up" 2>&1 | FileCheck %s --check-prefix=ROUNDING
// RUN: not daq-opt %s --daq-quantize-training="mcs-lambda=1.5" 2>&1 | FileCheck %s --check-prefix=LAMBDA
// RUN: not daq-opt %s --daq-quantize-training="layers=all" 2>&1 | FileCheck %s --check-prefix=CALLED

// LAYERS: error: daq-quantize-training: 'layers' must be 'all', 'all-but-first', 'none' or a comma-separated list of layer numbers, got 'first'
// BWD: error: daq-quantize-training: 'backward-data' must be 'per-tensor' or 'folded', got 'channel'
// CLIP: error: daq-quantize-training: 'clip' must be 'mcs', 'max' or 'dsgc', got 'percentile'
// ROUNDING: error: daq-quantize-training: 'rounding' must be 'nearest' or 'stochastic', got 'up'
// LAMBDA: error: daq-quantize-training: MCS lambda must be in (0, 1), got 1.5
// CALLED: error: daq-quantize-training: cannot add clip state to a function that is called

func.func @step(%x: tensor<1x2x4x4xf32>, %w: tensor<2x2x3x3xf32>, %gy: tensor<1x2x2x2xf32>)
    -> (tensor<1x2x2x2xf32>, tensor<2x2x3x3xf32>) {
  %y = daq.conv2d %x, %w {conv = #daq.conv<layout = nchw>}
      : (tensor<1x2x4x4xf32>, tensor<2x2x3x3xf32>) -> tensor<1x2x2x2xf32>
  %gw = daq.conv2d_backward_filter %x, %gy {conv = #daq.conv<layout = nchw>}
      : (tensor<1x2x4x4xf32>, tensor<1x2x2x2xf32>) -> tensor<2x2x3x3xf32>
  return %y, %gw : tensor<1x2x2x2xf32>, tensor<2x2x3x3xf32>
}

func.func private @caller(%x: tensor<1x2x4x4xf32>, %w: tensor<2x2x3x3xf32>, %gy: tensor<1x2x2x2xf32>) {
  %0:2 = func.call @step(%x, %w, %gy) : (tensor<1x2x4x4xf32>, tensor<2x2x3x3xf32>, tensor<1x2x2x2xf32>) -> (tensor<1x2x2x2xf32>, tensor<2x2x3x3xf32>)
  return
}
