// The second case fails (stochastic rounding), so daq-opt exits non-zero;
// the first case's output and the diagnostic are checked separately.
// RUN: not daq-opt %s --split-input-file --daq-nvvm-pipeline="chip=sm_80 features=+ptx80" > %t.out 2> %t.err
// RUN: FileCheck %s --input-file=%t.out
// RUN: FileCheck %s --check-prefix=STOCH --input-file=%t.err

// daq.quantize_grad with #daq.mcs on the GPU: daq-decompose-quantize-grad
// gives a per-channel and a per-tensor daq.mcs_clip and two daq.quantize;
// convert-daq-stats-to-gpu makes 4 + 4 + 1 + 1 kernels (6 channels of 50
// elements: grid (6, 1); per tensor 300 elements: (1, 2) slices of 256
// threads; the quantizations ceil(300 / 256) = 2 blocks).
// CHECK-LABEL: func.func @quantize_grad_mcs
// CHECK-COUNT-3: gpu.launch_func @{{.*}} blocks in (%idx6, %idx1, %idx1) threads in (%idx256, %idx1, %idx1)
// CHECK-NEXT: gpu.launch_func @{{.*}} blocks in (%idx1, %idx1, %idx1)
// CHECK-COUNT-3: gpu.launch_func @{{.*}} blocks in (%idx1, %idx2, %idx1)
// CHECK-NEXT: gpu.launch_func @{{.*}} blocks in (%idx1, %idx1, %idx1)
// CHECK-COUNT-2: gpu.launch_func @{{.*}} blocks in (%idx2, %idx1, %idx1)
// CHECK-NOT: gpu.launch_func
// CHECK: return
// CHECK: gpu.binary @quantize_grad_mcs_kernel_7
// CHECK-SAME: cvt.rni.f32.f32
func.func @quantize_grad_mcs(%g: tensor<2x6x5x5xf32>, %sc: tensor<6xf32>, %st: tensor<f32>) -> (tensor<2x6x5x5xi8>, tensor<6xf32>, tensor<2x6x5x5xi8>, tensor<f32>) {
  %qc, %cc, %qt, %ct = daq.quantize_grad %g state(%sc, %st) {axis = 1 : i64, strategy = #daq.mcs}
      : (tensor<2x6x5x5xf32>, tensor<6xf32>, tensor<f32>) -> (tensor<2x6x5x5xi8>, tensor<6xf32>, tensor<2x6x5x5xi8>, tensor<f32>)
  return %qc, %cc, %qt, %ct : tensor<2x6x5x5xi8>, tensor<6xf32>, tensor<2x6x5x5xi8>, tensor<f32>
}

// -----

// Stochastic rounding is rejected with a diagnostic at the decomposed op.
// STOCH: error: 'daq.quantize' op stochastic rounding is not supported by convert-daq-stats-to-gpu
func.func @quantize_grad_stochastic(%g: tensor<2x6x5x5xf32>, %sc: tensor<6xf32>, %st: tensor<f32>, %t: i64) -> (tensor<2x6x5x5xi8>, tensor<6xf32>, tensor<2x6x5x5xi8>, tensor<f32>) {
  %qc, %cc, %qt, %ct = daq.quantize_grad %g state(%sc, %st) step %t {axis = 1 : i64, strategy = #daq.mcs, rounding = #daq.rounding<stochastic, seed = 3>}
      : (tensor<2x6x5x5xf32>, tensor<6xf32>, tensor<f32>, i64) -> (tensor<2x6x5x5xi8>, tensor<6xf32>, tensor<2x6x5x5xi8>, tensor<f32>)
  return %qc, %cc, %qt, %ct : tensor<2x6x5x5xi8>, tensor<6xf32>, tensor<2x6x5x5xi8>, tensor<f32>
}
