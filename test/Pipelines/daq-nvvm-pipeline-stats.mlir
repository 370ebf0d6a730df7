// RUN: daq-opt %s --daq-nvvm-pipeline="chip=sm_80 features=+ptx80" | FileCheck %s --check-prefixes=CHECK,SM80
// RUN: daq-opt %s --daq-nvvm-pipeline="chip=sm_75 features=+ptx80" | FileCheck %s --check-prefixes=CHECK,SM75

// One backward step: MCS per channel of the f32 output gradient, max-abs per
// tensor, and the INT8 backward-filter convolution quantizing GY on load
// with the new clips, all in one function (the statistics kernels use no
// arith op that convert-vector-to-gpu would take into its warp-matrix
// slice). The host keeps seven launches in program order; the partials
// pass from kernel to kernel through host-allocated buffers.
// CHECK-LABEL: func.func @step
// CHECK-SAME: %[[GY:[a-z0-9]+]]: memref<2x40x10x10xf32>, %[[PREV:[a-z0-9]+]]: memref<40xf32>
// CHECK-DAG: %[[PMAX:.*]] = memref.alloc() : memref<40xf32>
// CHECK-DAG: %[[PSUM:.*]] = memref.alloc() : memref<40xf64>
// CHECK-DAG: %[[PSQ:.*]] = memref.alloc() : memref<40xf64>
// CHECK-DAG: %[[PCNT:.*]] = memref.alloc() : memref<40xi64>
// CHECK-DAG: %[[CLIP:.*]] = memref.alloc() : memref<40xf32>
// CHECK-DAG: %[[BELL:.*]] = memref.alloc() : memref<40xi1>
// CHECK: gpu.launch_func @[[K0:step_kernel]]::@step_kernel blocks in (%idx40, %idx1, %idx1) threads in (%idx256, %idx1, %idx1) args(%[[GY]] : memref<2x40x10x10xf32>, %[[PMAX]] : memref<40xf32>, %[[PSUM]] : memref<40xf64>)
// CHECK: gpu.launch_func @[[K1:step_kernel_0]]::@step_kernel blocks in (%idx40, %idx1, %idx1) threads in (%idx256, %idx1, %idx1) args(%[[GY]] : memref<2x40x10x10xf32>, %[[PSUM]] : memref<40xf64>, %[[PSQ]] : memref<40xf64>)
// CHECK: gpu.launch_func @[[K2:step_kernel_1]]::@step_kernel blocks in (%idx40, %idx1, %idx1) threads in (%idx256, %idx1, %idx1) args(%[[GY]] : memref<2x40x10x10xf32>, %[[PSQ]] : memref<40xf64>, %[[PCNT]] : memref<40xi64>)
// CHECK: gpu.launch_func @[[K3:step_kernel_2]]::@step_kernel blocks in (%idx1, %idx1, %idx1) threads in (%idx256, %idx1, %idx1) args(%[[PMAX]] : memref<40xf32>, %[[PCNT]] : memref<40xi64>, %[[PREV]] : memref<40xf32>, %[[CLIP]] : memref<40xf32>, %[[BELL]] : memref<40xi1>)
// 8000 elements per tensor: 32 slices of 250.
// CHECK: gpu.launch_func @step_kernel_3::@step_kernel blocks in (%idx1, %idx32, %idx1)
// CHECK: gpu.launch_func @step_kernel_4::@step_kernel blocks in (%idx1, %idx1, %idx1)
// CHECK: gpu.launch_func @step_kernel_5::@step_kernel blocks in (%idx1, %idx4, %idx1) threads in (%idx128, %idx1, %idx1) args(%[[GY]] : memref<2x40x10x10xf32>, %[[CLIP]] : memref<40xf32>
// CHECK: return %{{.*}}, %[[CLIP]], %[[BELL]], %{{.*}} :

// Moments: the per-thread loop (abs, NaN-propagating max, f64 add), shared
// f32 and f64 arrays of 256 and the barriers of the tree (one after the
// thread loop, one per level: 1 + 8).
// CHECK: gpu.binary @[[K0]]
// CHECK-SAME: .shared .align 4 .b8 __wg_step_kernel_0[1024]
// CHECK-SAME: .shared .align 8 .b8 __wg_step_kernel_1[2048]
// CHECK-SAME: abs.f32
// SM80-SAME: max.NaN.f32
// SM75-NOT: max.NaN.f32
// CHECK-SAME: cvt.f64.f32
// CHECK-SAME: add.rn.f64
// CHECK-SAME: st.shared.b32
// CHECK-SAME: st.shared.b64
// CHECK-SAME: bar.sync
// CHECK-SAME: ld.shared.b64
// CHECK-SAME: add.rn.f64
// CHECK-SAME: bar.sync
// Squares: mean = sum / 100, then (g - mean)^2 in f64.
// CHECK: gpu.binary @[[K1]]
// CHECK-SAME: div.rn.f64
// CHECK-SAME: mul.rn.f64
// CHECK-SAME: bar.sync
// Count: the correctly rounded f64 square root, |g| > sigma.
// CHECK: gpu.binary @[[K2]]
// CHECK-SAME: sqrt.rn.f64
// CHECK-SAME: setp.{{lt|gt}}.f64
// CHECK-SAME: bar.sync
// Update: r = count / 100 > 0.3, the f32 recursion (no FMA: checked on
// the whole kernel in test/daq-gpu-export/export-stats.mlir).
// CHECK: gpu.binary @[[K3]]
// CHECK-SAME: cvt.rn.f64.s64
// CHECK-SAME: div.rn.f64
// CHECK-SAME: setp.gt.f64
// CHECK-SAME: mul.rn.f32
// CHECK-SAME: mul.rn.f32
// CHECK-SAME: add.rn.f32
// CHECK-SAME: st.global.b8
// CHECK: gpu.binary @step_kernel_3
// CHECK: gpu.binary @step_kernel_4
// CHECK: gpu.binary @step_kernel_5
// SM80-SAME: mma.sync.aligned.m16n8k32.row.col.satfinite.s32.s8.s8.s32
func.func @step(%x: tensor<2x24x10x10xi8>, %sx: tensor<f32>, %gy: tensor<2x40x10x10xf32>, %prev: tensor<40xf32>) -> (tensor<40x24x3x3xf32>, tensor<40xf32>, tensor<40xi1>, tensor<f32>) {
  %clip, %bell = daq.mcs_clip %gy, %prev {granularity = #daq.granularity<per_axis = 1>, params = #daq.mcs}
      : (tensor<2x40x10x10xf32>, tensor<40xf32>) -> (tensor<40xf32>, tensor<40xi1>)
  %m = daq.max_abs %gy {granularity = #daq.granularity<per_tensor>} : tensor<2x40x10x10xf32> -> tensor<f32>
  %gw = daq.qconv2d_backward_filter %x[%sx], %gy[%clip] {conv = #daq.conv<layout = nchw, padding = [1, 1, 1, 1]>, rounding = #daq.rounding<nearest_even>}
      : (tensor<2x24x10x10xi8>, tensor<f32>, tensor<2x40x10x10xf32>, tensor<40xf32>) -> tensor<40x24x3x3xf32>
  return %gw, %clip, %bell, %m : tensor<40x24x3x3xf32>, tensor<40xf32>, tensor<40xi1>, tensor<f32>
}
