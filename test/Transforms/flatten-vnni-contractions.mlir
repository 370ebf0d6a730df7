// RUN: daq-opt %s -split-input-file --daq-flatten-vnni-contractions | FileCheck %s

// The VNNI form (the operands of AMX's tdpbssd): A [m][k][4] is [m][4k],
// B [k][n][4] becomes [n][k][4] and then [n][4k], and the contraction is
// (m, K) x (n, K) -> (m, n) with one reduction.
// CHECK-DAG: #[[MAPA:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[MAPB:.*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG: #[[MAPC:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func.func @vnni
// CHECK-SAME: (%[[A:.*]]: vector<16x16x4xi8>, %[[B:.*]]: vector<16x8x4xi8>, %[[C:.*]]: vector<16x8xi32>)
// CHECK: %[[A2:.*]] = vector.shape_cast %[[A]] : vector<16x16x4xi8> to vector<16x64xi8>
// CHECK: %[[BT:.*]] = vector.transpose %[[B]], [1, 0, 2] : vector<16x8x4xi8> to vector<8x16x4xi8>
// CHECK: %[[B2:.*]] = vector.shape_cast %[[BT]] : vector<8x16x4xi8> to vector<8x64xi8>
// CHECK: %[[R:.*]] = vector.contract {indexing_maps = [#[[MAPA]], #[[MAPB]], #[[MAPC]]], iterator_types = ["parallel", "parallel", "reduction"], kind = #vector.kind<add>} %[[A2]], %[[B2]], %[[C]] : vector<16x64xi8>, vector<8x64xi8> into vector<16x8xi32>
// CHECK: return %[[R]]
#a = affine_map<(m, n, k, v) -> (m, k, v)>
#b = affine_map<(m, n, k, v) -> (k, n, v)>
#c = affine_map<(m, n, k, v) -> (m, n)>
func.func @vnni(%a: vector<16x16x4xi8>, %b: vector<16x8x4xi8>, %c: vector<16x8xi32>) -> vector<16x8xi32> {
  %r = vector.contract {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction", "reduction"], kind = #vector.kind<add>}
      %a, %b, %c : vector<16x16x4xi8>, vector<16x8x4xi8> into vector<16x8xi32>
  return %r : vector<16x8xi32>
}

// -----

// Other contractions are left alone, each its own function: a plain
// matmul, a VNNI-shaped one with the B operand transposed ((n, k, v)), a
// max-combining one, a masked one, a floating-point one (flattening would
// reorder its sums) and a scalable one.
// CHECK-LABEL: func.func @matmul
// CHECK-NOT: vector.shape_cast
// CHECK-NOT: vector.transpose
// CHECK: return
#mk = affine_map<(m, n, k) -> (m, k)>
#nk = affine_map<(m, n, k) -> (n, k)>
#mn = affine_map<(m, n, k) -> (m, n)>
func.func @matmul(%a: vector<16x64xi8>, %b: vector<8x64xi8>, %c: vector<16x8xi32>) -> vector<16x8xi32> {
  %r = vector.contract {indexing_maps = [#mk, #nk, #mn], iterator_types = ["parallel", "parallel", "reduction"], kind = #vector.kind<add>}
      %a, %b, %c : vector<16x64xi8>, vector<8x64xi8> into vector<16x8xi32>
  return %r : vector<16x8xi32>
}

// -----

// CHECK-LABEL: func.func @transposed_b
// CHECK-NOT: vector.shape_cast
// CHECK-NOT: vector.transpose
// CHECK: return
#a = affine_map<(m, n, k, v) -> (m, k, v)>
#bt = affine_map<(m, n, k, v) -> (n, k, v)>
#c = affine_map<(m, n, k, v) -> (m, n)>
func.func @transposed_b(%a: vector<16x16x4xi8>, %b: vector<8x16x4xi8>, %c: vector<16x8xi32>) -> vector<16x8xi32> {
  %r = vector.contract {indexing_maps = [#a, #bt, #c], iterator_types = ["parallel", "parallel", "reduction", "reduction"], kind = #vector.kind<add>}
      %a, %b, %c : vector<16x16x4xi8>, vector<8x16x4xi8> into vector<16x8xi32>
  return %r : vector<16x8xi32>
}

// -----

// CHECK-LABEL: func.func @max
// CHECK-NOT: vector.shape_cast
// CHECK-NOT: vector.transpose
// CHECK: return
#a = affine_map<(m, n, k, v) -> (m, k, v)>
#b = affine_map<(m, n, k, v) -> (k, n, v)>
#c = affine_map<(m, n, k, v) -> (m, n)>
func.func @max(%a: vector<16x16x4xi8>, %b: vector<16x8x4xi8>, %c: vector<16x8xi32>) -> vector<16x8xi32> {
  %r = vector.contract {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction", "reduction"], kind = #vector.kind<maxsi>}
      %a, %b, %c : vector<16x16x4xi8>, vector<16x8x4xi8> into vector<16x8xi32>
  return %r : vector<16x8xi32>
}

// -----

// CHECK-LABEL: func.func @masked
// CHECK-NOT: vector.shape_cast
// CHECK-NOT: vector.transpose
// CHECK: return
#a = affine_map<(m, n, k, v) -> (m, k, v)>
#b = affine_map<(m, n, k, v) -> (k, n, v)>
#c = affine_map<(m, n, k, v) -> (m, n)>
func.func @masked(%a: vector<16x16x4xi8>, %b: vector<16x8x4xi8>, %c: vector<16x8xi32>, %mask: vector<16x8x16x4xi1>) -> vector<16x8xi32> {
  %r = vector.mask %mask {
    vector.contract {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction", "reduction"], kind = #vector.kind<add>}
      %a, %b, %c : vector<16x16x4xi8>, vector<16x8x4xi8> into vector<16x8xi32>
  } : vector<16x8x16x4xi1> -> vector<16x8xi32>
  return %r : vector<16x8xi32>
}

// -----

// CHECK-LABEL: func.func @bf16
// CHECK-NOT: vector.shape_cast
// CHECK-NOT: vector.transpose
// CHECK: return
#a = affine_map<(m, n, k, v) -> (m, k, v)>
#b = affine_map<(m, n, k, v) -> (k, n, v)>
#c = affine_map<(m, n, k, v) -> (m, n)>
func.func @bf16(%a: vector<16x16x2xbf16>, %b: vector<16x8x2xbf16>, %c: vector<16x8xf32>) -> vector<16x8xf32> {
  %r = vector.contract {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction", "reduction"], kind = #vector.kind<add>}
      %a, %b, %c : vector<16x16x2xbf16>, vector<16x8x2xbf16> into vector<16x8xf32>
  return %r : vector<16x8xf32>
}

// -----

// CHECK-LABEL: func.func @scalable
// CHECK-NOT: vector.shape_cast
// CHECK-NOT: vector.transpose
// CHECK: return
#a = affine_map<(m, n, k, v) -> (m, k, v)>
#b = affine_map<(m, n, k, v) -> (k, n, v)>
#c = affine_map<(m, n, k, v) -> (m, n)>
func.func @scalable(%a: vector<16x[16]x4xi8>, %b: vector<[16]x8x4xi8>, %c: vector<16x8xi32>) -> vector<16x8xi32> {
  %r = vector.contract {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction", "reduction"], kind = #vector.kind<add>}
      %a, %b, %c : vector<16x[16]x4xi8>, vector<[16]x8x4xi8> into vector<16x8xi32>
  return %r : vector<16x8xi32>
}
