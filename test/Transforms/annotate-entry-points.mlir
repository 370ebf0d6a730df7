// RUN: daq-opt %s --daq-annotate-entry-points | FileCheck %s

// CHECK-LABEL: func @public
// CHECK-SAME:  attributes {daq.signature = (tensor<4xf32>, i64) -> tensor<4xi8>, llvm.emit_c_interface}
func.func @public(%x: tensor<4xf32>, %t: i64) -> tensor<4xi8> {
  %0 = arith.fptosi %x : tensor<4xf32> to tensor<4xi8>
  return %0 : tensor<4xi8>
}

// CHECK-LABEL: func private @private
// CHECK-NOT:   daq.signature
func.func private @private(%x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}

// CHECK-LABEL: func private @external
// CHECK-NOT:   daq.signature
func.func private @external(%x: tensor<4xf32>) -> tensor<4xf32>
