// RUN: daq-opt %s --split-input-file --daq-separate-returned-buffers | FileCheck %s

// Each repetition of a returned buffer gets its own copy; the first
// occurrence, other buffers and non-memref values are left alone.
// CHECK-LABEL: func @repeated
// CHECK-SAME:    (%[[A:.*]]: memref<4xf32>, %[[B:.*]]: memref<2xi8>, %[[S:.*]]: f32)
// CHECK:         %[[C1:.*]] = memref.alloc() : memref<4xf32>
// CHECK:         memref.copy %[[A]], %[[C1]]
// CHECK:         %[[C2:.*]] = memref.alloc() : memref<4xf32>
// CHECK:         memref.copy %[[A]], %[[C2]]
// CHECK:         return %[[A]], %[[B]], %[[C1]], %[[S]], %[[S]], %[[C2]]
func.func @repeated(%a: memref<4xf32>, %b: memref<2xi8>, %s: f32)
    -> (memref<4xf32>, memref<2xi8>, memref<4xf32>, f32, f32, memref<4xf32>) {
  return %a, %b, %a, %s, %s, %a
      : memref<4xf32>, memref<2xi8>, memref<4xf32>, f32, f32, memref<4xf32>
}

// -----

// Dynamic sizes come from the returned buffer.
// CHECK-LABEL: func @dynamic
// CHECK-SAME:    (%[[A:.*]]: memref<?x3xf32>)
// CHECK:         %[[C0:.*]] = arith.constant 0 : index
// CHECK:         %[[D:.*]] = memref.dim %[[A]], %[[C0]]
// CHECK:         %[[C:.*]] = memref.alloc(%[[D]]) : memref<?x3xf32>
// CHECK:         memref.copy %[[A]], %[[C]]
// CHECK:         return %[[A]], %[[C]]
func.func @dynamic(%a: memref<?x3xf32>) -> (memref<?x3xf32>, memref<?x3xf32>) {
  return %a, %a : memref<?x3xf32>, memref<?x3xf32>
}

// -----

// Distinct buffers: nothing to do.
// CHECK-LABEL: func @distinct
// CHECK-NOT:     memref.alloc
// CHECK:         return %arg0, %arg1
func.func @distinct(%a: memref<4xf32>, %b: memref<4xf32>) -> (memref<4xf32>, memref<4xf32>) {
  return %a, %b : memref<4xf32>, memref<4xf32>
}
