// RUN: rm -rf %t && daq-gpu-export %s -o %t --name st --pipeline-options="chip=sm_90 format=isa stats-block-size=128"
// RUN: FileCheck %s --check-prefix=HEADER --input-file=%t/st.h
// RUN: FileCheck %s --check-prefix=LIST --input-file=%t/st.kernels
// RUN: FileCheck %s --check-prefix=UPDATE --input-file=%t/st_mcs_kernel_2.ptx

// daq.mcs_clip per channel (C = 5, M = 3*7*9 = 189): with 128 threads,
// S = 2 slices per channel, grid (5, 2); the partials pass from kernel to
// kernel through intermediate buffers, each one "tmp N" with one number
// wherever it appears, so that the runtime allocates it once. The
// classification is an i1 buffer ("bool", one byte per channel).
// HEADER: static const st_kernel_arg_t st_args_0[] = {
// HEADER-NEXT: {"in 0", "float", "memref<3x5x7x9xf32>", 3780u},
// HEADER-NEXT: {"tmp 0", "float", "memref<10xf32>", 40u},
// HEADER-NEXT: {"tmp 1", "double", "memref<10xf64>", 80u},
// HEADER-NEXT: };
// HEADER: static const st_kernel_arg_t st_args_1[] = {
// HEADER-NEXT: {"in 0", "float", "memref<3x5x7x9xf32>", 3780u},
// HEADER-NEXT: {"tmp 1", "double", "memref<10xf64>", 80u},
// HEADER-NEXT: {"tmp 2", "double", "memref<10xf64>", 80u},
// HEADER-NEXT: };
// HEADER: static const st_kernel_arg_t st_args_2[] = {
// HEADER-NEXT: {"in 0", "float", "memref<3x5x7x9xf32>", 3780u},
// HEADER-NEXT: {"tmp 2", "double", "memref<10xf64>", 80u},
// HEADER-NEXT: {"tmp 3", "int64_t", "memref<10xi64>", 80u},
// HEADER-NEXT: };
// HEADER: static const st_kernel_arg_t st_args_3[] = {
// HEADER-NEXT: {"tmp 0", "float", "memref<10xf32>", 40u},
// HEADER-NEXT: {"tmp 3", "int64_t", "memref<10xi64>", 80u},
// HEADER-NEXT: {"in 1", "float", "memref<5xf32>", 20u},
// HEADER-NEXT: {"out 0", "float", "memref<5xf32>", 20u},
// HEADER-NEXT: {"out 1", "bool", "memref<5xi1>", 5u},
// HEADER-NEXT: };
// Shared memory: 128 x (f32 + f64), 128 x f64, 128 x i64, none.
// HEADER: static const st_kernel_t st_kernels[] = {
// HEADER-NEXT: {"mcs", "mcs_kernel", "st_mcs_kernel.ptx", {5, 2, 1}, {128, 1, 1}, 1536, 3, st_args_0},
// HEADER-NEXT: {"mcs", "mcs_kernel", "st_mcs_kernel_0.ptx", {5, 2, 1}, {128, 1, 1}, 1024, 3, st_args_1},
// HEADER-NEXT: {"mcs", "mcs_kernel", "st_mcs_kernel_1.ptx", {5, 2, 1}, {128, 1, 1}, 1024, 3, st_args_2},
// HEADER-NEXT: {"mcs", "mcs_kernel", "st_mcs_kernel_2.ptx", {1, 1, 1}, {128, 1, 1}, 0, 5, st_args_3},
// HEADER-NEXT: };
// HEADER: #define ST_NUM_KERNELS 4

// LIST: kernel mcs mcs_kernel st_mcs_kernel.ptx grid 5 2 1 block 128 1 1 smem 1536 args 3
// LIST-NEXT: arg in 0 float 3780 3x5x7x9
// LIST-NEXT: arg tmp 0 float 40 10
// LIST-NEXT: arg tmp 1 double 80 10
// LIST: kernel mcs mcs_kernel st_mcs_kernel_2.ptx grid 1 1 1 block 128 1 1 smem 0 args 5
// LIST-NEXT: arg tmp 0 float 40 10
// LIST-NEXT: arg tmp 3 int64_t 80 10
// LIST-NEXT: arg in 1 float 20 5
// LIST-NEXT: arg out 0 float 20 5
// LIST-NEXT: arg out 1 bool 5 5

// The update rounds (1 - k*A) * prev and A * max separately, as the
// reference does: no fused multiply-add anywhere in the kernel.
// UPDATE: .visible .entry mcs_kernel(
// UPDATE-NOT: fma
// UPDATE: mul.rn.f32
// UPDATE-NOT: fma
// UPDATE: add.rn.f32
// UPDATE-NOT: fma
func.func @mcs(%g: tensor<3x5x7x9xf32>, %prev: tensor<5xf32>) -> (tensor<5xf32>, tensor<5xi1>) {
  %clip, %bell = daq.mcs_clip %g, %prev {granularity = #daq.granularity<per_axis = 1>, params = #daq.mcs}
      : (tensor<3x5x7x9xf32>, tensor<5xf32>) -> (tensor<5xf32>, tensor<5xi1>)
  return %clip, %bell : tensor<5xf32>, tensor<5xi1>
}
