// Elementwise f32 add (one input in .npy format 2.0), and a reduction over a
// dynamic dimension: static input dimensions must match, dynamic ones take
// any size.

// RUN: rm -rf %t && mkdir -p %t
// RUN: %python %S/Inputs/gen_npy.py %t/a.npy f32 4x5 1
// RUN: %python %S/Inputs/gen_npy.py %t/b.npy f32 4x5 2 --format-2
// RUN: daq-run %s -e add --input=%t/a.npy --input=%t/b.npy --output=%t/sum.npy
// RUN: %python %S/Inputs/check_npy.py %t/sum.npy "a + b" a=%t/a.npy b=%t/b.npy | FileCheck %s --check-prefix=ADD
// ADD: OK sum.npy float32 (4, 5)

// Integer-valued floats, so that any summation order gives the same bits.
// RUN: %python %S/Inputs/gen_npy.py %t/rows7.npy f32 7x5 3 --range -1000 1000
// RUN: %python %S/Inputs/gen_npy.py %t/rows1.npy f32 1x5 4 --range -1000 1000
// RUN: daq-run %s -e sum_rows --input=%t/rows7.npy --output=%t/sum7.npy
// RUN: daq-run %s -e sum_rows --input=%t/rows1.npy --output=%t/sum1.npy
// RUN: %python %S/Inputs/check_npy.py %t/sum7.npy "x.sum(axis=0)" x=%t/rows7.npy | FileCheck %s --check-prefix=SUM7
// RUN: %python %S/Inputs/check_npy.py %t/sum1.npy "x.sum(axis=0)" x=%t/rows1.npy | FileCheck %s --check-prefix=SUM1
// SUM7: OK sum7.npy float32 (5,)
// SUM1: OK sum1.npy float32 (5,)

func.func @add(%a: tensor<4x5xf32>, %b: tensor<4x5xf32>) -> tensor<4x5xf32> {
  %init = tensor.empty() : tensor<4x5xf32>
  %sum = linalg.add ins(%a, %b : tensor<4x5xf32>, tensor<4x5xf32>)
                    outs(%init : tensor<4x5xf32>) -> tensor<4x5xf32>
  return %sum : tensor<4x5xf32>
}

func.func @sum_rows(%x: tensor<?x5xf32>) -> tensor<5xf32> {
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<5xf32>
  %init = linalg.fill ins(%zero : f32) outs(%empty : tensor<5xf32>) -> tensor<5xf32>
  %sum = linalg.reduce ins(%x : tensor<?x5xf32>) outs(%init : tensor<5xf32>) dimensions = [0]
    (%in: f32, %acc: f32) {
      %next = arith.addf %in, %acc : f32
      linalg.yield %next : f32
    }
  return %sum : tensor<5xf32>
}
