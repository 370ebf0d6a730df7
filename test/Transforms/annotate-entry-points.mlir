// RUN: daq-opt %s --daq-annotate-entry-points | FileCheck %s

// Tensor arguments become read-only buffers, and the function promises not to
// write into its arguments.
// CHECK-LABEL: func @public
// CHECK-SAME:  (%{{.*}}: tensor<4xf32> {bufferization.writable = false}, %{{.*}}: i64)
// CHECK-SAME:  attributes {daq.inputs_read_only, daq.signature = (tensor<4xf32>, i64) -> tensor<4xi8>, llvm.emit_c_interface}
func.func @public(%x: tensor<4xf32>, %t: i64) -> tensor<4xi8> {
  %0 = arith.fptosi %x : tensor<4xf32> to tensor<4xi8>
  return %0 : tensor<4xi8>
}

// A memref argument may be written, and so may a tensor the source marks
// writable: no promise.
// CHECK-LABEL: func @writes_memref
// CHECK-SAME:  (%{{.*}}: tensor<4xf32> {bufferization.writable = false}, %{{.*}}: memref<4xf32>)
// CHECK-SAME:  attributes {daq.signature
// CHECK-LABEL: func @writable_tensor
// CHECK-SAME:  (%{{.*}}: tensor<4xf32> {bufferization.writable = true})
// CHECK-SAME:  attributes {daq.signature
func.func @writes_memref(%x: tensor<4xf32>, %m: memref<4xf32>) {
  return
}
func.func @writable_tensor(%x: tensor<4xf32> {bufferization.writable = true}) {
  return
}

// CHECK-LABEL: func private @private
// CHECK-NOT:   daq.signature
// CHECK-NOT:   bufferization.writable
func.func private @private(%x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}

// CHECK-LABEL: func private @external
// CHECK-NOT:   daq.signature
func.func private @external(%x: tensor<4xf32>) -> tensor<4xf32>
