// i8 -> i32 sign extension over the whole i8 range, plus the extremes.

// RUN: rm -rf %t && mkdir -p %t
// RUN: %python %S/Inputs/gen_npy.py %t/x.npy i8 16x16 7
// RUN: daq-run %s -e extend --input=%t/x.npy --output=%t/y.npy
// RUN: %python %S/Inputs/check_npy.py %t/y.npy "x.astype(np.int32)" x=%t/x.npy | FileCheck %s
// RUN: %python %S/Inputs/gen_npy.py %t/edge.npy i8 6 0 --values=-128,-127,-1,0,1,127
// RUN: daq-run %s -e extend6 --input=%t/edge.npy --output=%t/edge-out.npy
// RUN: %python %S/Inputs/check_npy.py %t/edge-out.npy "x.astype(np.int32)" x=%t/edge.npy | FileCheck %s --check-prefix=EDGE
// CHECK: OK y.npy int32 (16, 16)
// EDGE: OK edge-out.npy int32 (6,)

#id = affine_map<(i, j) -> (i, j)>
func.func @extend(%x: tensor<16x16xi8>) -> tensor<16x16xi32> {
  %init = tensor.empty() : tensor<16x16xi32>
  %y = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<16x16xi8>) outs(%init : tensor<16x16xi32>) {
  ^bb0(%in: i8, %out: i32):
    %wide = arith.extsi %in : i8 to i32
    linalg.yield %wide : i32
  } -> tensor<16x16xi32>
  return %y : tensor<16x16xi32>
}

#id1 = affine_map<(i) -> (i)>
func.func @extend6(%x: tensor<6xi8>) -> tensor<6xi32> {
  %init = tensor.empty() : tensor<6xi32>
  %y = linalg.generic {indexing_maps = [#id1, #id1], iterator_types = ["parallel"]}
      ins(%x : tensor<6xi8>) outs(%init : tensor<6xi32>) {
  ^bb0(%in: i8, %out: i32):
    %wide = arith.extsi %in : i8 to i32
    linalg.yield %wide : i32
  } -> tensor<6xi32>
  return %y : tensor<6xi32>
}
