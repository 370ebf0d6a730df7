// Two results of different dtypes (f64 and bool), and a bool input.

// RUN: rm -rf %t && mkdir -p %t
// RUN: %python %S/Inputs/gen_npy.py %t/x.npy f64 3x4 11
// RUN: daq-run %s -e double_and_sign --input=%t/x.npy --output=%t/twice.npy --output=%t/positive.npy
// RUN: %python %S/Inputs/check_npy.py %t/twice.npy "2 * x" x=%t/x.npy | FileCheck %s --check-prefix=TWICE
// RUN: %python %S/Inputs/check_npy.py %t/positive.npy "x > 0" x=%t/x.npy | FileCheck %s --check-prefix=POSITIVE
// TWICE: OK twice.npy float64 (3, 4)
// POSITIVE: OK positive.npy bool (3, 4)

// RUN: %python %S/Inputs/gen_npy.py %t/c.npy i1 5 12
// RUN: %python %S/Inputs/gen_npy.py %t/a.npy f32 5 13
// RUN: %python %S/Inputs/gen_npy.py %t/b.npy f32 5 14
// RUN: daq-run %s -e select --input=%t/c.npy --input=%t/a.npy --input=%t/b.npy --output=%t/s.npy
// RUN: %python %S/Inputs/check_npy.py %t/s.npy "np.where(c, a, b)" c=%t/c.npy a=%t/a.npy b=%t/b.npy | FileCheck %s --check-prefix=SELECT
// SELECT: OK s.npy float32 (5,)

#id2 = affine_map<(i, j) -> (i, j)>
func.func @double_and_sign(%x: tensor<3x4xf64>) -> (tensor<3x4xf64>, tensor<3x4xi1>) {
  %f = tensor.empty() : tensor<3x4xf64>
  %b = tensor.empty() : tensor<3x4xi1>
  %twice, %positive = linalg.generic {
      indexing_maps = [#id2, #id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<3x4xf64>) outs(%f, %b : tensor<3x4xf64>, tensor<3x4xi1>) {
  ^bb0(%in: f64, %o0: f64, %o1: i1):
    %two = arith.constant 2.0 : f64
    %zero = arith.constant 0.0 : f64
    %d = arith.mulf %in, %two : f64
    %p = arith.cmpf ogt, %in, %zero : f64
    linalg.yield %d, %p : f64, i1
  } -> (tensor<3x4xf64>, tensor<3x4xi1>)
  return %twice, %positive : tensor<3x4xf64>, tensor<3x4xi1>
}

#id1 = affine_map<(i) -> (i)>
func.func @select(%c: tensor<5xi1>, %a: tensor<5xf32>, %b: tensor<5xf32>) -> tensor<5xf32> {
  %init = tensor.empty() : tensor<5xf32>
  %r = linalg.generic {indexing_maps = [#id1, #id1, #id1, #id1], iterator_types = ["parallel"]}
      ins(%c, %a, %b : tensor<5xi1>, tensor<5xf32>, tensor<5xf32>) outs(%init : tensor<5xf32>) {
  ^bb0(%ci: i1, %ai: f32, %bi: f32, %o: f32):
    %s = arith.select %ci, %ai, %bi : f32
    linalg.yield %s : f32
  } -> tensor<5xf32>
  return %r : tensor<5xf32>
}
