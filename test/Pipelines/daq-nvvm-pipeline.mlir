// RUN: daq-opt %s --daq-nvvm-pipeline="chip=sm_80 features=+ptx80" | FileCheck %s --check-prefixes=CHECK,SM80
// RUN: daq-opt %s --daq-nvvm-pipeline="chip=sm_75 features=+ptx80" | FileCheck %s --check-prefixes=CHECK,SM75
// RUN: not daq-opt %s --daq-nvvm-pipeline="chip=sm_70" 2>&1 | FileCheck %s --check-prefix=VOLTA

// The host keeps one gpu.launch_func per convolution whose arguments are
// only the convolution's buffers; the kernel is PTX with INT8 tensor-core
// instructions fed by ldmatrix from XOR-swizzled shared memory.
// CHECK-LABEL: func.func @layer
// CHECK-SAME: (%[[X:.*]]: memref<2x24x10x10xi8>, %[[SX:.*]]: memref<f32>, %[[W:.*]]: memref<40x24x3x3xi8>, %[[SW:.*]]: memref<40xf32>) -> memref<2x40x10x10xf32>
// CHECK: %[[Y:.*]] = memref.alloc() : memref<2x40x10x10xf32>
// CHECK: gpu.launch_func @layer_kernel::@layer_kernel blocks in (%{{.*}}, %{{.*}}, %{{.*}}) threads in (%{{.*}}, %{{.*}}, %{{.*}}) args(%[[W]] : memref<40x24x3x3xi8>, %[[X]] : memref<2x24x10x10xi8>, %[[SX]] : memref<f32>, %[[SW]] : memref<40xf32>, %[[Y]] : memref<2x40x10x10xf32>)
// CHECK: return %[[Y]]
// CHECK: gpu.binary @layer_kernel
// SM80-SAME: chip = "sm_80", features = "+ptx80"
// SM75-SAME: chip = "sm_75", features = "+ptx80"
// SM80-SAME: .target sm_80
// SM75-SAME: .target sm_75
// CHECK-SAME: .visible .entry layer_kernel(
// Shared tiles: 3 stages of A and B 64x64 i8, C 64x64 i32.
// CHECK-SAME: .shared .align 1 .b8 __wg_layer_kernel_0[12288]
// CHECK-SAME: .shared .align 1 .b8 __wg_layer_kernel_1[12288]
// CHECK-SAME: .shared .align 4 .b8 __wg_layer_kernel_2[16384]
// The swizzle (a row-dependent XOR of the 16-byte column) on the staging
// stores. W's rows (K = 216) are staged in 8-byte pieces: cp.async with
// zero fill on sm_80 (one group per K tile, the prologue's two first),
// 8-byte global loads and shared stores on sm_75. Then ldmatrix from the
// swizzled tiles and mma. The K loop (placed after its body by LLVM) waits
// until at most one group is pending, then the barrier.
// CHECK-SAME: xor.b64
// SM80-SAME: cp.async.ca.shared.global {{[^;]*}}, 8, %r{{[0-9]+}};
// SM80-SAME: cp.async.commit_group;
// SM80-SAME: cp.async.commit_group;
// SM75-NOT: cp.async
// SM75-SAME: ld.global.v2.b32
// SM75-SAME: st.shared.v2.b32
// CHECK-SAME: ldmatrix.sync.aligned.m8n8
// SM80-SAME: mma.sync.aligned.m16n8k32.row.col.satfinite.s32.s8.s8.s32
// SM75-SAME: mma.sync.aligned.m8n8k16.row.col.satfinite.s32.s8.s8.s32
// SM80-SAME: cp.async.wait_group {{[^;]*}}1;
// CHECK-SAME: bar.sync

// VOLTA: mma must be 'm16n8k32' (sm_80+), 'm8n8k16' (sm_75) or, with target=cpu, 'amx', not 'no INT8 mma.sync on sm_70'
func.func @layer(%x: tensor<2x24x10x10xi8>, %sx: tensor<f32>, %w: tensor<40x24x3x3xi8>, %sw: tensor<40xf32>) -> tensor<2x40x10x10xf32> {
  %y = daq.qconv2d %x[%sx], %w[%sw] {conv = #daq.conv<layout = nchw, padding = [1, 1, 1, 1]>}
      : (tensor<2x24x10x10xi8>, tensor<f32>, tensor<40x24x3x3xi8>, tensor<40xf32>) -> tensor<2x40x10x10xf32>
  return %y : tensor<2x40x10x10xf32>
}
