// A module lowered to AMX tiles on a CPU without AMX-INT8: a clear error
// before any code is generated (LLVM would abort selecting the tile
// intrinsics), pointing at the lowering that runs anywhere.
// UNSUPPORTED: cpu-amx-int8
// RUN: daq-opt %s --daq-igemm-cpu-pipeline="mma=amx tile-m=16 tile-n=16 tile-k=64 warp-m=16 warp-n=16 amx-tiles=true" -o %t.mlir
// RUN: not daq-run %t.mlir -e forward 2>&1 | FileCheck %s
// CHECK: error: '{{.*}}' uses AMX tile instructions (daq-igemm-cpu-pipeline amx-tiles=true), and this CPU cannot run them: it has no AMX-INT8, or the OS did not grant the tile state (arch_prctl ARCH_REQ_XCOMP_PERM); lower it without amx-tiles to run the same algorithm on any CPU
// CHECK-NOT: LLVM ERROR
func.func @forward(%qx: tensor<1x3x9x9xi8>, %sx: tensor<f32>, %qw: tensor<17x3x3x3xi8>, %sw: tensor<17xf32>) -> tensor<1x17x9x9xf32> {
  %y = daq.qconv2d %qx[%sx], %qw[%sw] {conv = #daq.conv<layout = nchw, padding = [1, 1, 1, 1]>}
      : (tensor<1x3x9x9xi8>, tensor<f32>, tensor<17x3x3x3xi8>, tensor<17xf32>) -> tensor<1x17x9x9xf32>
  return %y : tensor<1x17x9x9xf32>
}
