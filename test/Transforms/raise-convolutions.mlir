// Every convolution of Torch-MLIR's training steps (test/Inputs/torch, both
// forms of aten.convolution_backward) is raised to a daq convolution with the
// forward geometry.
// RUN: daq-opt %daq_src_root/test/Inputs/torch/resnet_basic_block.mlir --daq-raise-convolutions | FileCheck %s --check-prefix=RESNET
// RUN: daq-opt %daq_src_root/test/Inputs/torch/resnet_basic_block_decomposed.mlir --daq-raise-convolutions | FileCheck %s --check-prefix=RESNET
// RUN: daq-opt %daq_src_root/test/Inputs/torch/resnet_basic_block_bn.mlir --daq-raise-convolutions | FileCheck %s --check-prefix=BN
// RUN: daq-opt %daq_src_root/test/Inputs/torch/mobilenetv2_inverted_residual.mlir --daq-raise-convolutions | FileCheck %s --check-prefix=MOBILENET
// RUN: daq-opt %daq_src_root/test/Inputs/torch/conv_bias_dilated.mlir --daq-raise-convolutions | FileCheck %s --check-prefix=BIAS
// RUN: daq-opt %daq_src_root/test/Inputs/torch/conv_bias_dilated_decomposed.mlir --daq-raise-convolutions | FileCheck %s --check-prefix=BIAS

// ResNet basic block: 3x3 stride 2, 3x3, 1x1 stride-2 shortcut.
// RESNET-LABEL: func.func @resnet_basic_block
// RESNET-SAME:  (%[[X:[^:]*]]: tensor<2x16x8x8xf32>, %[[W1:[^:]*]]: tensor<32x16x3x3xf32>, %[[W2:[^:]*]]: tensor<32x32x3x3xf32>, %[[WS:[^:]*]]: tensor<32x16x1x1xf32>,
// RESNET-NOT:   linalg.conv
// RESNET:       %[[H:.*]] = daq.conv2d %[[X]], %[[W1]] {conv = #daq.conv<layout = nchw, strides = [2, 2], padding = [1, 1, 1, 1]>} : (tensor<2x16x8x8xf32>, tensor<32x16x3x3xf32>) -> tensor<2x32x4x4xf32>
// RESNET:       daq.conv2d %{{.*}}, %[[W2]] {conv = #daq.conv<layout = nchw, padding = [1, 1, 1, 1]>}
// RESNET:       daq.conv2d %[[X]], %[[WS]] {conv = #daq.conv<layout = nchw, strides = [2, 2]>}
// RESNET:       daq.conv2d_backward_data %[[G:.*]], %[[WS]] {conv = #daq.conv<layout = nchw, strides = [2, 2]>} : (tensor<2x32x4x4xf32>, tensor<32x16x1x1xf32>) -> tensor<2x16x8x8xf32>
// RESNET:       daq.conv2d_backward_filter %[[X]], %[[G]] {conv = #daq.conv<layout = nchw, strides = [2, 2]>} : (tensor<2x16x8x8xf32>, tensor<2x32x4x4xf32>) -> tensor<32x16x1x1xf32>
// RESNET:       daq.conv2d_backward_data %[[G]], %[[W2]] {conv = #daq.conv<layout = nchw, padding = [1, 1, 1, 1]>}
// RESNET:       daq.conv2d_backward_filter %{{.*}}, %[[G]] {conv = #daq.conv<layout = nchw, padding = [1, 1, 1, 1]>}
// The transposed convolution does not read the last input row and column:
// the smallest equivalent high padding is 0.
// RESNET:       daq.conv2d_backward_data %[[G1:.*]], %[[W1]] {conv = #daq.conv<layout = nchw, strides = [2, 2], padding = [1, 1, 0, 0]>} : (tensor<2x32x4x4xf32>, tensor<32x16x3x3xf32>) -> tensor<2x16x8x8xf32>
// RESNET:       daq.conv2d_backward_filter %[[X]], %[[G1]] {conv = #daq.conv<layout = nchw, strides = [2, 2], padding = [1, 1, 1, 1]>}
// RESNET-NOT:   linalg.conv

// The same block with BatchNorm: the same nine convolutions.
// BN-LABEL: func.func @resnet_basic_block_bn
// BN-NOT:   linalg.conv
// BN-COUNT-3: daq.conv2d %
// BN:       daq.conv2d_backward_data {{.*}} {conv = #daq.conv<layout = nchw, strides = [2, 2]>}
// BN:       daq.conv2d_backward_filter {{.*}} {conv = #daq.conv<layout = nchw, strides = [2, 2]>}
// BN:       daq.conv2d_backward_data {{.*}} {conv = #daq.conv<layout = nchw, padding = [1, 1, 1, 1]>}
// BN:       daq.conv2d_backward_filter {{.*}} {conv = #daq.conv<layout = nchw, padding = [1, 1, 1, 1]>}
// BN:       daq.conv2d_backward_data {{.*}} {conv = #daq.conv<layout = nchw, strides = [2, 2], padding = [1, 1, 0, 0]>}
// BN:       daq.conv2d_backward_filter {{.*}} {conv = #daq.conv<layout = nchw, strides = [2, 2], padding = [1, 1, 1, 1]>}
// BN-NOT:   linalg.conv

// MobileNetV2 inverted residual: 1x1 expand, 3x3 depthwise, 1x1 project.
// MOBILENET-LABEL: func.func @mobilenetv2_inverted_residual
// MOBILENET-NOT:   linalg.{{(depthwise_)?}}conv
// MOBILENET:       daq.conv2d %{{.*}}, %{{.*}} {conv = #daq.conv<layout = nchw>} : (tensor<2x8x8x8xf32>, tensor<24x8x1x1xf32>) -> tensor<2x24x8x8xf32>
// MOBILENET:       daq.conv2d %{{.*}}, %{{.*}} {conv = #daq.conv<layout = nchw, padding = [1, 1, 1, 1], groups = 24>} : (tensor<2x24x8x8xf32>, tensor<24x1x3x3xf32>) -> tensor<2x24x8x8xf32>
// MOBILENET:       daq.conv2d %{{.*}}, %{{.*}} {conv = #daq.conv<layout = nchw>} : (tensor<2x24x8x8xf32>, tensor<8x24x1x1xf32>) -> tensor<2x8x8x8xf32>
// MOBILENET:       daq.conv2d_backward_data {{.*}} {conv = #daq.conv<layout = nchw>} : (tensor<2x8x8x8xf32>, tensor<8x24x1x1xf32>) -> tensor<2x24x8x8xf32>
// MOBILENET:       daq.conv2d_backward_filter {{.*}} {conv = #daq.conv<layout = nchw>} : (tensor<2x24x8x8xf32>, tensor<2x8x8x8xf32>) -> tensor<8x24x1x1xf32>
// MOBILENET:       daq.conv2d_backward_data {{.*}} {conv = #daq.conv<layout = nchw, padding = [1, 1, 1, 1], groups = 24>} : (tensor<2x24x8x8xf32>, tensor<24x1x3x3xf32>) -> tensor<2x24x8x8xf32>
// MOBILENET:       daq.conv2d_backward_filter {{.*}} {conv = #daq.conv<layout = nchw, padding = [1, 1, 1, 1], groups = 24>} : (tensor<2x24x8x8xf32>, tensor<2x24x8x8xf32>) -> tensor<24x1x3x3xf32>
// MOBILENET:       daq.conv2d_backward_data {{.*}} : (tensor<2x24x8x8xf32>, tensor<24x8x1x1xf32>) -> tensor<2x8x8x8xf32>
// MOBILENET:       daq.conv2d_backward_filter {{.*}} : (tensor<2x8x8x8xf32>, tensor<2x24x8x8xf32>) -> tensor<24x8x1x1xf32>
// MOBILENET-NOT:   linalg.{{(depthwise_)?}}conv

// Convolutions with bias (the bias becomes an add after the convolution)
// and a dilated one.
// BIAS-LABEL: func.func @conv_bias_dilated
// BIAS-SAME:  (%[[X:[^:]*]]: tensor<2x4x9x9xf32>, %[[W1:[^:]*]]: tensor<6x4x3x3xf32>, %[[B1:[^:]*]]: tensor<6xf32>,
// BIAS-NOT:   linalg.conv
// BIAS:       %[[Y1:.*]] = daq.conv2d %[[X]], %[[W1]] {conv = #daq.conv<layout = nchw, strides = [2, 2], padding = [1, 1, 1, 1]>}
// BIAS:       linalg.generic {{.*}} ins(%[[Y1]], %[[B1]] : tensor<2x6x5x5xf32>, tensor<6xf32>)
// BIAS:         arith.addf
// BIAS:       daq.conv2d %{{.*}}, %{{.*}} {conv = #daq.conv<layout = nchw, padding = [2, 2, 2, 2], dilations = [2, 2]>}
// BIAS:       daq.conv2d_backward_data {{.*}} {conv = #daq.conv<layout = nchw, padding = [2, 2, 2, 2], dilations = [2, 2]>}
// BIAS:       daq.conv2d_backward_filter {{.*}} {conv = #daq.conv<layout = nchw, padding = [2, 2, 2, 2], dilations = [2, 2]>}
// BIAS:       daq.conv2d_backward_data {{.*}} {conv = #daq.conv<layout = nchw, strides = [2, 2], padding = [1, 1, 1, 1]>}
// BIAS:       daq.conv2d_backward_filter %[[X]], {{.*}} {conv = #daq.conv<layout = nchw, strides = [2, 2], padding = [1, 1, 1, 1]>}
// BIAS-NOT:   linalg.conv
