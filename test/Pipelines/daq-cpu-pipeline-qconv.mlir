// RUN: daq-opt %s --daq-cpu-pipeline | FileCheck %s
// RUN: daq-opt %s --daq-cpu-pipeline=qconv-kernel=reference | FileCheck %s --check-prefix=REF

// By default INT8 convolutions call the CPU kernels through their C
// interface (variant 0 = auto, chosen at run time); qconv-kernel=reference
// keeps convert-daq-to-linalg's loops.
// CHECK-LABEL: llvm.func @main(
// CHECK:         llvm.call @daq_cpu_qconv2d_i8_f32(
// CHECK-LABEL: llvm.func private @daq_cpu_qconv2d_i8_f32(
// CHECK:         llvm.call @_mlir_ciface_daq_cpu_qconv2d_i8_f32(
// CHECK:       llvm.func @_mlir_ciface_daq_cpu_qconv2d_i8_f32(!llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64)
// REF-NOT:     daq_cpu_qconv2d
func.func @main(%x: tensor<2x3x6x6xi8>, %sx: tensor<f32>, %gy: tensor<2x4x6x6xf32>,
                %sgy: tensor<4xf32>) -> tensor<4x3x3x3xf32> {
  %gw = daq.qconv2d_backward_filter %x[%sx], %gy[%sgy] {conv = #daq.conv<layout = nchw, padding = [1, 1, 1, 1]>, rounding = #daq.rounding<nearest_even>}
      : (tensor<2x3x6x6xi8>, tensor<f32>, tensor<2x4x6x6xf32>, tensor<4xf32>) -> tensor<4x3x3x3xf32>
  return %gw : tensor<4x3x3x3xf32>
}
