// RUN: daq-opt %s --split-input-file --daq-allocate-returned-reshapes | FileCheck %s

// A returned expand_shape of an allocation: the buffer is allocated in the
// returned shape, and the kernel gets it as a view of the old shape.
// CHECK-LABEL: func @expanded
// CHECK:         %[[NEW:.*]] = memref.alloc() {alignment = 64 : i64} : memref<2x4x3x5xi8>
// CHECK:         %[[FLAT:.*]] = memref.collapse_shape %[[NEW]] {{\[\[}}0, 1, 2, 3]] : memref<2x4x3x5xi8> into memref<120xi8>
// CHECK:         %[[VIEW:.*]] = memref.expand_shape %[[FLAT]] {{\[\[}}0, 1, 2]] output_shape [2, 4, 15] : memref<120xi8> into memref<2x4x15xi8>
// CHECK:         call @kernel(%[[VIEW]])
// CHECK-NOT:     memref.alloc
// CHECK-NOT:     memref.expand_shape
// CHECK:         return %[[NEW]]
func.func private @kernel(memref<2x4x15xi8>)
func.func @expanded() -> memref<2x4x3x5xi8> {
  %buf = memref.alloc() {alignment = 64 : i64} : memref<2x4x15xi8>
  call @kernel(%buf) : (memref<2x4x15xi8>) -> ()
  %codes = memref.expand_shape %buf [[0], [1], [2, 3]] output_shape [2, 4, 3, 5]
      : memref<2x4x15xi8> into memref<2x4x3x5xi8>
  return %codes : memref<2x4x3x5xi8>
}

// -----

// Chains of reshapes down to rank 0; a reshape with other users stays for
// them.
// CHECK-LABEL: func @scalar_chain
// CHECK:         %[[NEW:.*]] = memref.alloc() : memref<f32>
// CHECK:         %[[ONE:.*]] = memref.expand_shape %[[NEW]] [] output_shape [1] : memref<f32> into memref<1xf32>
// CHECK:         %[[VIEW:.*]] = memref.expand_shape %[[ONE]] {{\[\[}}0, 1]] output_shape [1, 1] : memref<1xf32> into memref<1x1xf32>
// CHECK:         call @fill(%[[VIEW]])
// CHECK:         %[[KEPT:.*]] = memref.collapse_shape %[[VIEW]] {{\[\[}}0, 1]]
// CHECK:         call @read(%[[KEPT]])
// CHECK:         return %[[NEW]]
func.func private @fill(memref<1x1xf32>)
func.func private @read(memref<1xf32>)
func.func @scalar_chain() -> memref<f32> {
  %buf = memref.alloc() : memref<1x1xf32>
  call @fill(%buf) : (memref<1x1xf32>) -> ()
  %flat = memref.collapse_shape %buf [[0, 1]] : memref<1x1xf32> into memref<1xf32>
  call @read(%flat) : (memref<1xf32>) -> ()
  %s = memref.collapse_shape %flat [] : memref<1xf32> into memref<f32>
  return %s : memref<f32>
}

// -----

// Left alone: an allocation returned as it is, a view of an argument, a
// dynamic shape, and an allocation also returned directly.
// CHECK-LABEL: func @untouched
// CHECK-SAME:    (%[[ARG:.*]]: memref<6xf32>, %[[N:.*]]: index)
// CHECK:         %[[A:.*]] = memref.alloc() : memref<6xf32>
// CHECK:         %[[D:.*]] = memref.alloc(%[[N]]) : memref<?x2xf32>
// CHECK:         %[[B:.*]] = memref.alloc() : memref<2x3xf32>
// CHECK:         %[[VA:.*]] = memref.expand_shape %[[ARG]]
// CHECK:         %[[VD:.*]] = memref.collapse_shape %[[D]]
// CHECK:         %[[VB:.*]] = memref.collapse_shape %[[B]]
// CHECK:         return %[[A]], %[[VA]], %[[VD]], %[[B]], %[[VB]]
func.func @untouched(%arg: memref<6xf32>, %n: index)
    -> (memref<6xf32>, memref<2x3xf32>, memref<?xf32>, memref<2x3xf32>, memref<6xf32>) {
  %a = memref.alloc() : memref<6xf32>
  %d = memref.alloc(%n) : memref<?x2xf32>
  %b = memref.alloc() : memref<2x3xf32>
  %va = memref.expand_shape %arg [[0, 1]] output_shape [2, 3] : memref<6xf32> into memref<2x3xf32>
  %vd = memref.collapse_shape %d [[0, 1]] : memref<?x2xf32> into memref<?xf32>
  %vb = memref.collapse_shape %b [[0, 1]] : memref<2x3xf32> into memref<6xf32>
  return %a, %va, %vd, %b, %vb
      : memref<6xf32>, memref<2x3xf32>, memref<?xf32>, memref<2x3xf32>, memref<6xf32>
}
