// RUN: daq-opt %s -split-input-file -verify-diagnostics --convert-daq-stats-to-gpu=strict
// RUN: not daq-opt %s -split-input-file --daq-nvvm-pipeline 2>&1 | FileCheck %s --check-prefix=PIPELINE

// With `strict` (as in daq-nvvm-pipeline, where nothing else lowers daq ops
// for the GPU), a daq op the pass does not lower is an error at the op, not
// a later "op was not bufferized".

// PIPELINE: error: 'daq.dsgc_clip' op has no GPU lowering
func.func @dsgc(%g: tensor<4x8x5x5xf32>) -> (tensor<8xf32>, tensor<8xf32>) {
  // expected-error @+1 {{'daq.dsgc_clip' op has no GPU lowering: the GPU pipeline lowers the INT8 convolutions, daq.mcs_clip, daq.max_abs, nearest-even daq.quantize and daq.quantize_grad with #daq.mcs, #daq.max or #daq.static clips; run this op on the CPU (daq-cpu-pipeline)}}
  %c:2 = daq.dsgc_clip %g {granularity = #daq.granularity<per_axis = 1>, params = #daq.dsgc} : tensor<4x8x5x5xf32> -> (tensor<8xf32>, tensor<8xf32>)
  return %c#0, %c#1 : tensor<8xf32>, tensor<8xf32>
}

// -----

// The ops the pass lowers leave nothing behind: no error.
func.func @lowered(%g: tensor<4x8x5x5xf32>) -> tensor<8xf32> {
  %m = daq.max_abs %g {granularity = #daq.granularity<per_axis = 1>} : tensor<4x8x5x5xf32> -> tensor<8xf32>
  return %m : tensor<8xf32>
}
