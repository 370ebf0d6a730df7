// RUN: daq-opt %s --one-shot-bufferize="bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map" | FileCheck %s

// daq.kernel_call bufferizes to a func.call on the buffers of its operands
// (cast to fully dynamic strided layouts) and of its init, then its scalars.
// The init is written, not read: a tensor.empty init needs no copy.
// CHECK-LABEL: func.func @call(
// CHECK-SAME:    %[[X:.*]]: memref<4x3xi8>, %[[C:.*]]: memref<1xf32>)
// CHECK:         %[[OUT:.*]] = memref.alloc() {{.*}} : memref<4x3xf32>
// CHECK-NOT:     memref.copy
// CHECK-DAG:     %[[XC:.*]] = memref.cast %[[X]] : memref<4x3xi8> to memref<?x?xi8, strided<[?, ?], offset: ?>>
// CHECK-DAG:     %[[CC:.*]] = memref.cast %[[C]] : memref<1xf32> to memref<?xf32, strided<[?], offset: ?>>
// CHECK-DAG:     %[[OC:.*]] = memref.cast %[[OUT]] : memref<4x3xf32> to memref<?x?xf32, strided<[?, ?], offset: ?>>
// CHECK-DAG:     %[[S5:.*]] = arith.constant 5 : i64
// CHECK-DAG:     %[[S7:.*]] = arith.constant 7 : i64
// CHECK:         call @k(%[[XC]], %[[CC]], %[[OC]], %[[S5]], %[[S7]])
// CHECK:         return %[[OUT]]
func.func private @k(memref<?x?xi8, strided<[?, ?], offset: ?>>, memref<?xf32, strided<[?], offset: ?>>,
                     memref<?x?xf32, strided<[?, ?], offset: ?>>, i64, i64)
func.func @call(%x: tensor<4x3xi8>, %c: tensor<1xf32>) -> tensor<4x3xf32> {
  %init = tensor.empty() : tensor<4x3xf32>
  %y = daq.kernel_call @k(%x, %c) outs(%init) scalars([5, 7])
      : (tensor<4x3xi8>, tensor<1xf32>), tensor<4x3xf32> -> tensor<4x3xf32>
  return %y : tensor<4x3xf32>
}

// The inputs are read where the call stands: an update of an input between
// two calls that read it does not happen in place.
// CHECK-LABEL: func.func @read_at_the_call(
// CHECK-SAME:    %[[X:.*]]: memref<4x3xi8>
// CHECK:         call @k(
// CHECK:         %[[NEW:.*]] = memref.alloc() {{.*}} : memref<4x3xi8>
// CHECK:         linalg.fill {{.*}} outs(%[[NEW]]
// CHECK:         memref.cast %[[X]]
// CHECK:         call @k(
func.func @read_at_the_call(%x: tensor<4x3xi8>, %c: tensor<1xf32>) -> (tensor<4x3xf32>, tensor<4x3xi8>, tensor<4x3xf32>) {
  %init = tensor.empty() : tensor<4x3xf32>
  %y = daq.kernel_call @k(%x, %c) outs(%init) scalars([5, 7])
      : (tensor<4x3xi8>, tensor<1xf32>), tensor<4x3xf32> -> tensor<4x3xf32>
  %zero = arith.constant 0 : i8
  %x2 = linalg.fill ins(%zero : i8) outs(%x : tensor<4x3xi8>) -> tensor<4x3xi8>
  %z = daq.kernel_call @k(%x, %c) outs(%init) scalars([5, 7])
      : (tensor<4x3xi8>, tensor<1xf32>), tensor<4x3xf32> -> tensor<4x3xf32>
  return %y, %x2, %z : tensor<4x3xf32>, tensor<4x3xi8>, tensor<4x3xf32>
}

// Each init is a buffer of its own, passed in order after the inputs; each
// result is its init's buffer.
// CHECK-LABEL: func.func @two_outputs(
// CHECK-SAME:    %[[X:.*]]: memref<6xf32>)
// CHECK-DAG:     %[[A:.*]] = memref.alloc() {{.*}} : memref<6xi8>
// CHECK-DAG:     %[[B:.*]] = memref.alloc() {{.*}} : memref<6xi8>
// CHECK-NOT:     memref.copy
// CHECK-DAG:     %[[XC:.*]] = memref.cast %[[X]]
// CHECK-DAG:     %[[AC:.*]] = memref.cast %[[A]]
// CHECK-DAG:     %[[BC:.*]] = memref.cast %[[B]]
// CHECK:         call @k2(%[[XC]], %[[AC]], %[[BC]], %{{.*}})
// CHECK:         return %[[A]], %[[B]]
func.func private @k2(memref<?xf32, strided<[?], offset: ?>>, memref<?xi8, strided<[?], offset: ?>>,
                      memref<?xi8, strided<[?], offset: ?>>, i64)
func.func @two_outputs(%x: tensor<6xf32>) -> (tensor<6xi8>, tensor<6xi8>) {
  %a = tensor.empty() : tensor<6xi8>
  %b = tensor.empty() : tensor<6xi8>
  %q:2 = daq.kernel_call @k2(%x) outs(%a, %b) scalars([3])
      : (tensor<6xf32>), tensor<6xi8>, tensor<6xi8> -> tensor<6xi8>, tensor<6xi8>
  return %q#0, %q#1 : tensor<6xi8>, tensor<6xi8>
}

// One tensor as both destinations (CSE merges identical tensor.empty ops):
// each destination still gets a buffer of its own.
// CHECK-LABEL: func.func @one_tensor_two_outputs(
// CHECK-DAG:     %[[A:.*]] = memref.alloc() {{.*}} : memref<6xi8>
// CHECK-DAG:     %[[B:.*]] = memref.alloc() {{.*}} : memref<6xi8>
// CHECK-DAG:     %[[AC:.*]] = memref.cast %[[A]]
// CHECK-DAG:     %[[BC:.*]] = memref.cast %[[B]]
// CHECK:         call @k2(%{{.*}}, %[[AC]], %[[BC]], %{{.*}})
// CHECK:         return %[[A]], %[[B]]
func.func @one_tensor_two_outputs(%x: tensor<6xf32>) -> (tensor<6xi8>, tensor<6xi8>) {
  %e = tensor.empty() : tensor<6xi8>
  %q:2 = daq.kernel_call @k2(%x) outs(%e, %e) scalars([3])
      : (tensor<6xf32>), tensor<6xi8>, tensor<6xi8> -> tensor<6xi8>, tensor<6xi8>
  return %q#0, %q#1 : tensor<6xi8>, tensor<6xi8>
}
