// RUN: daq-opt %s -split-input-file -verify-diagnostics --convert-daq-conv-to-igemm
// RUN: not daq-opt %s --convert-daq-conv-to-igemm="tile-m=48 warp-m=32" 2>&1 | FileCheck %s --check-prefix=TILE
// RUN: not daq-opt %s --convert-daq-conv-to-igemm="warp-n=12" 2>&1 | FileCheck %s --check-prefix=MMA
// RUN: not daq-opt %s --convert-daq-conv-to-igemm="mma=m16n8k16" 2>&1 | FileCheck %s --check-prefix=SHAPE
// RUN: not daq-opt %s --convert-daq-conv-to-igemm="target=tpu" 2>&1 | FileCheck %s --check-prefix=TARGET
// RUN: not daq-opt %s --convert-daq-conv-to-igemm="tile-m=128 tile-n=128" 2>&1 | FileCheck %s --check-prefix=SMEM
// RUN: not daq-opt %s --convert-daq-conv-to-igemm="tile-m=256 tile-n=128 warp-m=16 warp-n=16 target=cpu" 2>&1 | FileCheck %s --check-prefix=THREADS
// RUN: not daq-opt %s --convert-daq-conv-to-igemm="stages=1" 2>&1 | FileCheck %s --check-prefix=STAGES
// RUN: not daq-opt %s --convert-daq-conv-to-igemm="split-k=-1" 2>&1 | FileCheck %s --check-prefix=SPLIT
// RUN: not daq-opt %s --convert-daq-conv-to-igemm="mma=amx" 2>&1 | FileCheck %s --check-prefix=AMXGPU
// RUN: not daq-opt %s --convert-daq-conv-to-igemm="target=cpu mma=amx tile-k=32" 2>&1 | FileCheck %s --check-prefix=AMXK
// RUN: not daq-opt %s --convert-daq-conv-to-igemm="target=cpu mma=amx warp-n=8 tile-n=32" 2>&1 | FileCheck %s --check-prefix=AMXN

// TILE: tile-m and tile-n must be multiples of warp-m and warp-n
// MMA: warp-m, warp-n and tile-k must be multiples of the mma shape (m16n8k32)
// SHAPE: mma must be 'm16n8k32' (sm_80+), 'm8n8k16' (sm_75) or, with target=cpu, 'amx', not 'm16n8k16'
// AMXGPU: mma must be 'm16n8k32' (sm_80+), 'm8n8k16' (sm_75) or, with target=cpu, 'amx', not 'amx'
// AMXK: warp-m, warp-n and tile-k must be multiples of the mma shape (amx)
// AMXN: warp-m, warp-n and tile-k must be multiples of the mma shape (amx)
// TARGET: target must be 'gpu' or 'cpu', not 'tpu'
// SMEM: the block tile needs 114688 bytes of shared memory (3 stages of A and B, and the i32 C tile), more than the 48 KiB of static shared memory
// THREADS: the block tile needs 4096 threads, more than 1024
// SPLIT: split-k must be 0 (automatic) or positive
// STAGES: stages must be at least 2 (the K loop stages tile k+1 while it multiplies tile k)

func.func @stochastic(%x: tensor<1x3x9x9xf32>, %sx: tensor<f32>, %w: tensor<17x3x3x3xi8>, %sw: tensor<f32>, %t: i64) -> tensor<1x17x7x7xf32> {
  // expected-error @+1 {{stochastic rounding is not supported by the tiled implicit GEMM (convert-daq-conv-to-igemm); lower this convolution with convert-daq-to-linalg or use nearest_even rounding}}
  %y = daq.qconv2d %x[%sx], %w[%sw] step %t {conv = #daq.conv<layout = nchw>, rounding = #daq.rounding<stochastic, seed = 7>}
      : (tensor<1x3x9x9xf32>, tensor<f32>, tensor<17x3x3x3xi8>, tensor<f32>, i64) -> tensor<1x17x7x7xf32>
  return %y : tensor<1x17x7x7xf32>
}

// -----

func.func @dynamic(%x: tensor<?x3x9x9xi8>, %sx: tensor<f32>, %w: tensor<17x3x3x3xi8>, %sw: tensor<f32>) -> tensor<?x17x7x7xf32> {
  // expected-error @+1 {{tiled implicit GEMM needs static shapes}}
  %y = daq.qconv2d %x[%sx], %w[%sw] {conv = #daq.conv<layout = nchw>}
      : (tensor<?x3x9x9xi8>, tensor<f32>, tensor<17x3x3x3xi8>, tensor<f32>) -> tensor<?x17x7x7xf32>
  return %y : tensor<?x17x7x7xf32>
}
