// Scalar arguments (an i64 training step, an f64, an f32) are passed by value
// from 0-d arrays; scalar results come back as 0-d arrays, alone (returned by
// value) or next to tensors (returned in a struct).

// RUN: rm -rf %t && mkdir -p %t
// RUN: %python %S/Inputs/gen_npy.py %t/x.npy i64 4 21 --range -1000 1000
// RUN: %python %S/Inputs/gen_npy.py %t/step.npy i64 scalar 22 --range 0 100000
// RUN: daq-run %s -e add_step --input=%t/x.npy --input=%t/step.npy --output=%t/y.npy
// RUN: %python %S/Inputs/check_npy.py %t/y.npy "x + step" x=%t/x.npy step=%t/step.npy | FileCheck %s --check-prefix=STEP
// STEP: OK y.npy int64 (4,)

// RUN: %python %S/Inputs/gen_npy.py %t/v.npy i32 3 23 --range -1000 1000
// RUN: %python %S/Inputs/gen_npy.py %t/f.npy f64 scalar 24
// RUN: daq-run %s -e mixed --input=%t/v.npy --input=%t/step.npy --input=%t/f.npy --output=%t/m0.npy --output=%t/m1.npy --output=%t/m2.npy
// RUN: %python %S/Inputs/check_npy.py %t/m0.npy "v + v" v=%t/v.npy | FileCheck %s --check-prefix=M0
// RUN: %python %S/Inputs/check_npy.py %t/m1.npy "n * 3" n=%t/step.npy | FileCheck %s --check-prefix=M1
// RUN: %python %S/Inputs/check_npy.py %t/m2.npy "f * f" f=%t/f.npy | FileCheck %s --check-prefix=M2
// M0: OK m0.npy int32 (3,)
// M1: OK m1.npy int64 ()
// M2: OK m2.npy float64 ()

// RUN: %python %S/Inputs/gen_npy.py %t/w.npy f32 4 25
// RUN: %python %S/Inputs/gen_npy.py %t/s.npy f32 scalar 26
// RUN: daq-run %s -e first_plus --input=%t/w.npy --input=%t/s.npy --output=%t/fp.npy
// RUN: %python %S/Inputs/check_npy.py %t/fp.npy "w[0] + s" w=%t/w.npy s=%t/s.npy | FileCheck %s --check-prefix=FP
// FP: OK fp.npy float32 ()

#id = affine_map<(i) -> (i)>
func.func @add_step(%x: tensor<4xi64>, %step: i64) -> tensor<4xi64> {
  %init = tensor.empty() : tensor<4xi64>
  %y = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
      ins(%x : tensor<4xi64>) outs(%init : tensor<4xi64>) {
  ^bb0(%in: i64, %out: i64):
    %s = arith.addi %in, %step : i64
    linalg.yield %s : i64
  } -> tensor<4xi64>
  return %y : tensor<4xi64>
}

func.func @mixed(%v: tensor<3xi32>, %n: i64, %f: f64) -> (tensor<3xi32>, i64, f64) {
  %init = tensor.empty() : tensor<3xi32>
  %vv = linalg.add ins(%v, %v : tensor<3xi32>, tensor<3xi32>)
                   outs(%init : tensor<3xi32>) -> tensor<3xi32>
  %c3 = arith.constant 3 : i64
  %n3 = arith.muli %n, %c3 : i64
  %ff = arith.mulf %f, %f : f64
  return %vv, %n3, %ff : tensor<3xi32>, i64, f64
}

func.func @first_plus(%w: tensor<4xf32>, %s: f32) -> f32 {
  %c0 = arith.constant 0 : index
  %w0 = tensor.extract %w[%c0] : tensor<4xf32>
  %r = arith.addf %w0, %s : f32
  return %r : f32
}
