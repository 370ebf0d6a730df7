// Modules already in the LLVM dialect run as they are, whichever way their
// results are passed.

// RUN: rm -rf %t && mkdir -p %t
// RUN: %python %S/Inputs/gen_npy.py %t/x.npy i32 3 41 --range -1000 1000
// RUN: %python %S/Inputs/gen_npy.py %t/n.npy i64 scalar 42 --range -1000 1000

// daq-cpu-pipeline output: tensor results are caller-allocated out-params, the
// scalar result is returned by value, and the signature survives lowering.
// RUN: daq-opt --daq-cpu-pipeline %s -o %t/lowered.mlir
// RUN: FileCheck %s --check-prefix=LOWERED --input-file=%t/lowered.mlir
// LOWERED: llvm.func @_mlir_ciface_mixed(%{{.*}}: !llvm.ptr, %{{.*}}: i64, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr) -> i64
// LOWERED-SAME: daq.signature = (tensor<3xi32>, i64) -> (tensor<3xi32>, i64, tensor<i32>)
// RUN: daq-run %t/lowered.mlir -e mixed --input=%t/x.npy --input=%t/n.npy --output=%t/a0.npy --output=%t/a1.npy --output=%t/a2.npy
// RUN: %python %S/Inputs/check_npy.py %t/a0.npy "x + x" x=%t/x.npy | FileCheck %s --check-prefix=R0
// RUN: %python %S/Inputs/check_npy.py %t/a1.npy "n" n=%t/n.npy | FileCheck %s --check-prefix=R1
// RUN: %python %S/Inputs/check_npy.py %t/a2.npy "x.sum(dtype=np.int32)" x=%t/x.npy | FileCheck %s --check-prefix=R2
// R0: OK a0.npy int32 (3,)
// R1: OK a1.npy int64 ()
// R2: OK a2.npy int32 ()

// Without buffer-results-to-out-params the results are returned: memrefs the
// callee allocates and the runner frees, in a struct with the scalar.
// RUN: daq-opt %s --daq-annotate-entry-points \
// RUN:   --one-shot-bufferize="bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map" \
// RUN:   --ownership-based-buffer-deallocation --buffer-deallocation-simplification \
// RUN:   --bufferization-lower-deallocations --convert-linalg-to-loops \
// RUN:   --convert-scf-to-cf --expand-strided-metadata --convert-to-llvm \
// RUN:   --reconcile-unrealized-casts -o %t/returned.mlir
// RUN: FileCheck %s --check-prefix=RETURNED --input-file=%t/returned.mlir
// RETURNED: llvm.func @_mlir_ciface_mixed(%{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: i64) attributes
// RUN: daq-run %t/returned.mlir -e mixed --input=%t/x.npy --input=%t/n.npy --output=%t/b0.npy --output=%t/b1.npy --output=%t/b2.npy
// RUN: %python %S/Inputs/check_npy.py %t/b0.npy "x + x" x=%t/x.npy | FileCheck %s --check-prefix=S0
// RUN: %python %S/Inputs/check_npy.py %t/b1.npy "n" n=%t/n.npy | FileCheck %s --check-prefix=S1
// RUN: %python %S/Inputs/check_npy.py %t/b2.npy "x.sum(dtype=np.int32)" x=%t/x.npy | FileCheck %s --check-prefix=S2
// S0: OK b0.npy int32 (3,)
// S1: OK b1.npy int64 ()
// S2: OK b2.npy int32 ()

func.func @mixed(%x: tensor<3xi32>, %n: i64) -> (tensor<3xi32>, i64, tensor<i32>) {
  %empty = tensor.empty() : tensor<3xi32>
  %twice = linalg.add ins(%x, %x : tensor<3xi32>, tensor<3xi32>)
                      outs(%empty : tensor<3xi32>) -> tensor<3xi32>
  %c0 = arith.constant 0 : i32
  %scalar = tensor.empty() : tensor<i32>
  %init = linalg.fill ins(%c0 : i32) outs(%scalar : tensor<i32>) -> tensor<i32>
  %sum = linalg.reduce ins(%x : tensor<3xi32>) outs(%init : tensor<i32>) dimensions = [0]
    (%in: i32, %acc: i32) {
      %next = arith.addi %in, %acc : i32
      linalg.yield %next : i32
    }
  return %twice, %n, %sum : tensor<3xi32>, i64, tensor<i32>
}
