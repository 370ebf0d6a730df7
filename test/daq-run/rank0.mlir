// Rank-0 tensors in and out: descriptors without sizes and strides.

// RUN: rm -rf %t && mkdir -p %t
// RUN: %python %S/Inputs/gen_npy.py %t/x.npy f32 scalar 31
// RUN: daq-run %s -e square_plus_one --input=%t/x.npy --output=%t/y.npy
// RUN: %python %S/Inputs/check_npy.py %t/y.npy "x * x + np.float32(1)" x=%t/x.npy | FileCheck %s --check-prefix=SQUARE
// SQUARE: OK y.npy float32 ()

// RUN: %python %S/Inputs/gen_npy.py %t/v.npy f32 6 32 --range -100 100
// RUN: daq-run %s -e total --input=%t/v.npy --output=%t/t.npy
// RUN: %python %S/Inputs/check_npy.py %t/t.npy "v.sum()" v=%t/v.npy | FileCheck %s --check-prefix=TOTAL
// TOTAL: OK t.npy float32 ()

func.func @square_plus_one(%x: tensor<f32>) -> tensor<f32> {
  %init = tensor.empty() : tensor<f32>
  %y = linalg.generic {indexing_maps = [affine_map<() -> ()>, affine_map<() -> ()>],
                       iterator_types = []}
      ins(%x : tensor<f32>) outs(%init : tensor<f32>) {
  ^bb0(%in: f32, %out: f32):
    %one = arith.constant 1.0 : f32
    %sq = arith.mulf %in, %in : f32
    %r = arith.addf %sq, %one : f32
    linalg.yield %r : f32
  } -> tensor<f32>
  return %y : tensor<f32>
}

func.func @total(%v: tensor<6xf32>) -> tensor<f32> {
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<f32>
  %init = linalg.fill ins(%zero : f32) outs(%empty : tensor<f32>) -> tensor<f32>
  %sum = linalg.reduce ins(%v : tensor<6xf32>) outs(%init : tensor<f32>) dimensions = [0]
    (%in: f32, %acc: f32) {
      %next = arith.addf %in, %acc : f32
      linalg.yield %next : f32
    }
  return %sum : tensor<f32>
}
