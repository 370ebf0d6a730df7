// RUN: daq-opt %s --pass-pipeline="builtin.module(gpu.module(gpu.func(daq-promote-shared-allocs)))" -split-input-file | FileCheck %s

// CHECK-LABEL: gpu.func @kernel
// CHECK-SAME: workgroup(%[[A:.*]] : memref<64x64xi8, #gpu.address_space<workgroup>>, %[[B:.*]] : memref<16xf32, #gpu.address_space<workgroup>>)
// CHECK-SAME: kernel
// CHECK-NOT: memref.alloc()
// CHECK: memref.store %{{.*}}, %[[A]]
// CHECK: memref.load %[[B]]
// CHECK-NOT: memref.dealloc
// The global-memory alloc stays.
// CHECK: memref.alloc() : memref<4xf32>
gpu.module @m {
  gpu.func @kernel(%i: index, %v: i8) kernel {
    %a = memref.alloc() : memref<64x64xi8, #gpu.address_space<workgroup>>
    %b = memref.alloc() : memref<16xf32, #gpu.address_space<workgroup>>
    memref.store %v, %a[%i, %i] : memref<64x64xi8, #gpu.address_space<workgroup>>
    %f = memref.load %b[%i] : memref<16xf32, #gpu.address_space<workgroup>>
    memref.dealloc %b : memref<16xf32, #gpu.address_space<workgroup>>
    %g = memref.alloc() : memref<4xf32>
    memref.store %f, %g[%i] : memref<4xf32>
    gpu.return
  }
}

// -----

// Non-kernel functions are left alone.
// CHECK-LABEL: gpu.func @helper
// CHECK: memref.alloc() : memref<8xi8, #gpu.address_space<workgroup>>
gpu.module @n {
  gpu.func @helper() {
    %a = memref.alloc() : memref<8xi8, #gpu.address_space<workgroup>>
    gpu.return
  }
}
