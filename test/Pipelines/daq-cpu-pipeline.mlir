// RUN: daq-opt %s --daq-cpu-pipeline | FileCheck %s

// Everything reaches the LLVM dialect; public functions get a C interface
// with results as trailing out-parameters and keep their tensor signature.
// CHECK-NOT:   daq.quantize
// CHECK-NOT:   linalg.
// CHECK-NOT:   func.func
// CHECK-LABEL: llvm.func @_mlir_ciface_step(
// CHECK-SAME:    %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: i64, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr)
// CHECK-SAME:    daq.signature = (tensor<2x3xf32>, tensor<3xf32>, i64) -> (tensor<2x3xi8>, tensor<2x3xf32>)
// CHECK-SAME:    llvm.emit_c_interface
func.func @step(%x: tensor<2x3xf32>, %c: tensor<3xf32>, %t: i64) -> (tensor<2x3xi8>, tensor<2x3xf32>) {
  %q = daq.quantize %x, %c step %t {granularity = #daq.granularity<per_axis = 1>,
                                    rounding = #daq.rounding<stochastic, seed = 1>}
      : (tensor<2x3xf32>, tensor<3xf32>, i64) -> tensor<2x3xi8>
  %d = daq.dequantize %q, %c {granularity = #daq.granularity<per_axis = 1>}
      : (tensor<2x3xi8>, tensor<3xf32>) -> tensor<2x3xf32>
  return %q, %d : tensor<2x3xi8>, tensor<2x3xf32>
}

// Private functions are not entry points.
// CHECK-NOT: _mlir_ciface_helper
func.func private @helper(%x: tensor<2xf32>) -> tensor<2xf32> {
  return %x : tensor<2xf32>
}

// A value returned twice (here after CSE merges two results) gets two
// out-parameters.
// CHECK-LABEL: llvm.func @_mlir_ciface_same_value_twice(
// CHECK-SAME:    %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr)
func.func @same_value_twice(%x: tensor<4x3xf32>) -> (tensor<3xf32>, tensor<3xf32>) {
  %a = daq.max_abs %x {granularity = #daq.granularity<per_axis = 1>} : tensor<4x3xf32> -> tensor<3xf32>
  %b = daq.max_abs %x {granularity = #daq.granularity<per_axis = 1>} : tensor<4x3xf32> -> tensor<3xf32>
  return %a, %b : tensor<3xf32>, tensor<3xf32>
}
