// The README's main job on the example, as it runs there.
// RUN: daq-opt %daq_src_root/examples/conv_layer.mlir --daq-decompose-quantize-grad --canonicalize | FileCheck %s

// CHECK-LABEL: func @layer_fp32
// CHECK: daq.conv2d
// CHECK: daq.conv2d_backward_data
// CHECK: daq.conv2d_backward_filter

// CHECK-LABEL: func @layer_int8
// CHECK-SAME: %[[GY:[^:]*]]: tensor<8x32x14x14xf32>, %[[SC:[^:]*]]: tensor<32xf32>, %[[ST:[^:]*]]: tensor<f32>
// CHECK: daq.qconv2d
// CHECK: %[[CC:.*]], %{{.*}} = daq.mcs_clip %[[GY]], %[[SC]] {granularity = #daq.granularity<per_axis = 1>, params = #daq.mcs}
// CHECK: %[[CT:.*]], %{{.*}} = daq.mcs_clip %[[GY]], %[[ST]] {granularity = #daq.granularity<per_tensor>, params = #daq.mcs}
// CHECK: %[[QC:.*]] = daq.quantize %[[GY]], %[[CC]]
// CHECK: %[[QT:.*]] = daq.quantize %[[GY]], %[[CT]]
// CHECK: daq.qconv2d_backward_data %[[QT]][%[[CT]]]
// CHECK: daq.qconv2d_backward_filter %{{.*}}[%{{.*}}], %[[QC]][%[[CC]]]
// CHECK: return {{.*}}, %[[CC]], %[[CT]]
