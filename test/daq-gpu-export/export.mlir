// RUN: rm -rf %t && daq-gpu-export %s -o %t --name layer --pipeline-options="chip=sm_80 format=isa tile-m=64 tile-n=64"
// RUN: FileCheck %s --check-prefix=HEADER --input-file=%t/layer.h
// RUN: FileCheck %s --check-prefix=LIST --input-file=%t/layer.kernels
// RUN: FileCheck %s --check-prefix=PTX --input-file=%t/layer_fwd_kernel.ptx
// RUN: not daq-gpu-export %s -o %t/bad --pipeline-options="chip=sm_80 format=nonsense" 2>&1 | FileCheck %s --check-prefix=BADFORMAT
// RUN: not daq-gpu-export %s -o %t/bad --pipeline-options="tile-m=48" 2>&1 | FileCheck %s --check-prefix=BADTILE

// One launch per convolution, in program order; arguments are the function's
// inputs ("in N") and results ("out N") as device pointers, in the order the
// kernel first uses them (here W first: its row view for the 16-byte
// cp.async runs is made at the top of the kernel).
// HEADER: #include <stdint.h>
// HEADER: static const layer_kernel_arg_t layer_args_0[] = {
// HEADER-NEXT: {"in 2", "int8_t", "memref<24x16x3x3xi8>", 3456u},
// HEADER-NEXT: {"in 0", "int8_t", "memref<2x16x9x9xi8>", 2592u},
// HEADER-NEXT: {"in 1", "float", "memref<f32>", 4u},
// HEADER-NEXT: {"in 3", "float", "memref<24xf32>", 96u},
// HEADER-NEXT: {"out 0", "float", "memref<2x24x5x5xf32>", 4800u},
// HEADER: static const layer_kernel_t layer_kernels[] = {
// M = 2*5*5 = 50 -> 1 tile, N = 24 -> 1 tile; 4 warps; 3 stages of the A and
// B tiles (3 * 8 KiB) and the C tile (16 KiB).
// HEADER-NEXT: {"fwd", "fwd_kernel", "layer_fwd_kernel.ptx", {1, 1, 1}, {128, 1, 1}, 40960, 5, layer_args_0},
// K = 2*5*5 = 50 for backward-filter: M = 24, N = 16*9 = 144 -> 3 tiles.
// HEADER-NEXT: {"wgrad", "wgrad_kernel", "layer_wgrad_kernel.ptx", {1, 3, 1}, {128, 1, 1}, 40960, 5, layer_args_1},
// HEADER: #define LAYER_NUM_KERNELS 2

// LIST: kernel fwd fwd_kernel layer_fwd_kernel.ptx grid 1 1 1 block 128 1 1 smem 40960 args 5
// LIST-NEXT: arg in 2 int8_t 3456 24x16x3x3
// LIST-NEXT: arg in 0 int8_t 2592 2x16x9x9
// LIST: arg in 1 float 4 scalar
// LIST: arg out 0 float 4800 2x24x5x5
// LIST: kernel wgrad wgrad_kernel layer_wgrad_kernel.ptx grid 1 3 1 block 128 1 1 smem 40960 args 5
// LIST: arg out 0 float 13824 24x16x3x3

// PTX: .target sm_80
// PTX: .visible .entry fwd_kernel(
// PTX: .param .u64 .ptr .align 1 fwd_kernel_param_0,
// PTX: .param .u64 .ptr .align 1 fwd_kernel_param_4
// PTX: cp.async.cg.shared.global
// PTX: mma.sync.aligned.m16n8k32.row.col.satfinite.s32.s8.s8.s32

// BADFORMAT: daq-gpu-export: error: format must be isa, bin, fatbin or offload, not 'nonsense'
// BADTILE: tile-m and tile-n must be multiples of warp-m and warp-n
func.func @fwd(%x: tensor<2x16x9x9xi8>, %sx: tensor<f32>, %w: tensor<24x16x3x3xi8>, %sw: tensor<24xf32>) -> tensor<2x24x5x5xf32> {
  %y = daq.qconv2d %x[%sx], %w[%sw] {conv = #daq.conv<layout = nchw, strides = [2, 2], padding = [1, 1, 1, 1]>}
      : (tensor<2x16x9x9xi8>, tensor<f32>, tensor<24x16x3x3xi8>, tensor<24xf32>) -> tensor<2x24x5x5xf32>
  return %y : tensor<2x24x5x5xf32>
}
func.func @wgrad(%x: tensor<2x16x9x9xi8>, %sx: tensor<f32>, %gy: tensor<2x24x5x5xi8>, %sgy: tensor<24xf32>) -> tensor<24x16x3x3xf32> {
  %gw = daq.qconv2d_backward_filter %x[%sx], %gy[%sgy] {conv = #daq.conv<layout = nchw, strides = [2, 2], padding = [1, 1, 1, 1]>}
      : (tensor<2x16x9x9xi8>, tensor<f32>, tensor<2x24x5x5xi8>, tensor<24xf32>) -> tensor<24x16x3x3xf32>
  return %gw : tensor<24x16x3x3xf32>
}
