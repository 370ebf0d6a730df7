// The ResNet basic block's training step from Torch-MLIR through the whole
// training pipeline, default policy: layer 0 (the first 3x3 convolution)
// stays FP32; layers 1 (3x3) and 2 (1x1 shortcut) run in INT8 with MCS.
// RUN: daq-opt %daq_src_root/test/Inputs/torch/resnet_basic_block.mlir --daq-training-pipeline | FileCheck %s
// With INT8 disabled only the raised float convolutions remain.
// RUN: daq-opt %daq_src_root/test/Inputs/torch/resnet_basic_block.mlir --daq-training-pipeline="layers=none" | FileCheck %s --check-prefix=NONE
// Every layer, folded backward-data, stochastic rounding.
// RUN: daq-opt %daq_src_root/test/Inputs/torch/resnet_basic_block.mlir --daq-training-pipeline="layers=all backward-data=folded rounding=stochastic seed=5" | FileCheck %s --check-prefix=FOLDED
// The MobileNetV2 block: the depthwise layer is INT8 too.
// RUN: daq-opt %daq_src_root/test/Inputs/torch/mobilenetv2_inverted_residual.mlir --daq-training-pipeline="clip=max" | FileCheck %s --check-prefix=MOBILENET

// CHECK-LABEL: func.func @resnet_basic_block_step
// CHECK-SAME:    %[[SC1:[^:]*]]: tensor<32xf32> {daq.state = "layer 1 grad_output per-channel clip"}, %[[ST1:[^:]*]]: tensor<f32> {daq.state = "layer 1 grad_output per-tensor clip"}
// CHECK-SAME:    %[[SC2:[^:]*]]: tensor<32xf32> {daq.state = "layer 2 grad_output per-channel clip"}, %[[ST2:[^:]*]]: tensor<f32> {daq.state = "layer 2 grad_output per-tensor clip"}
// CHECK:         daq.conv2d %{{.*}} {conv = #daq.conv<layout = nchw, strides = [2, 2], padding = [1, 1, 1, 1]>}
// CHECK:         daq.qconv2d {{.*}} {conv = #daq.conv<layout = nchw, padding = [1, 1, 1, 1]>}
// CHECK:         daq.qconv2d {{.*}} {conv = #daq.conv<layout = nchw, strides = [2, 2]>}
// The gradient is read for statistics, then by the convolutions directly
// (quantize-on-load): no daq.quantize of it remains.
// CHECK:         %[[C2:.*]], %{{.*}} = daq.mcs_clip %[[GY:[^,]*]], %[[SC2]]
// CHECK:         %[[T2:.*]], %{{.*}} = daq.mcs_clip %[[GY]], %[[ST2]]
// CHECK:         daq.qconv2d_backward_data %[[GY]][%[[T2]]], %{{.*}}
// CHECK:         daq.qconv2d_backward_filter %{{.*}}, %[[GY]][%[[C2]]]
// CHECK:         %[[C1:.*]], %{{.*}} = daq.mcs_clip %[[GY]], %[[SC1]]
// CHECK:         %[[T1:.*]], %{{.*}} = daq.mcs_clip %[[GY]], %[[ST1]]
// CHECK:         daq.qconv2d_backward_data %[[GY]][%[[T1]]], %{{.*}}
// CHECK:         daq.qconv2d_backward_filter %{{.*}}, %[[GY]][%[[C1]]]
// CHECK:         daq.conv2d_backward_data
// CHECK:         daq.conv2d_backward_filter
// CHECK:         return {{.*}}, %[[C1]], %[[T1]], %[[C2]], %[[T2]] :

// NONE-LABEL: func.func @resnet_basic_block_step
// NONE-NOT:     daq.state
// NONE-NOT:     daq.q
// NONE-COUNT-3: daq.conv2d %
// NONE-NOT:     daq.q

// FOLDED-LABEL: func.func @resnet_basic_block_step
// FOLDED-SAME:    {daq.state = "training step"}
// FOLDED-NOT:     daq.conv2d
// FOLDED-NOT:     per-tensor clip
// FOLDED:         daq.quantize %{{.*}} step %{{.*}} {granularity = #daq.granularity<per_axis = 1>, rounding = #daq.rounding<stochastic, seed = 5>}
// FOLDED:         daq.qconv2d_backward_data %{{.*}}[%cst{{.*}}], %{{.*}}
// FOLDED-NOT:     daq.conv2d

// MOBILENET-LABEL: func.func @mobilenetv2_inverted_residual_step
// MOBILENET:         daq.conv2d %{{.*}} : (tensor<2x8x8x8xf32>, tensor<24x8x1x1xf32>) -> tensor<2x24x8x8xf32>
// MOBILENET:         daq.qconv2d {{.*}} {conv = #daq.conv<layout = nchw, padding = [1, 1, 1, 1], groups = 24>}
// MOBILENET:         daq.qconv2d {{.*}} {conv = #daq.conv<layout = nchw>}
// MOBILENET-COUNT-2: daq.qconv2d_backward_data
// MOBILENET:         daq.conv2d_backward_data
