// Outputs that are views into a larger buffer (a slice: strided, not dense)
// get the same bits as outputs of their own, in every direction, on the
// variants that run on any x86-64 (portable and the two models).
// Backward-filter's epilogue writes a dense filter gradient as runs and a
// strided one element by element (phase "store, strided").

// RUN: rm -rf %t && mkdir -p %t
// RUN: %python %S/../daq-run/Inputs/gen_npy.py %t/x.npy i8 2x5x7x6 1 --range -127 127
// RUN: %python %S/../daq-run/Inputs/gen_npy.py %t/c.npy f32 1 2 --values 0.5
// RUN: %python %S/../daq-run/Inputs/gen_npy.py %t/w.npy i8 9x5x3x3 3 --range -127 127
// RUN: %python %S/../daq-run/Inputs/gen_npy.py %t/gy.npy i8 2x9x4x3 4 --range -127 127
// RUN: daq-opt %s --daq-cpu-pipeline -o %t/lowered.mlir
// RUN: for k in portable avx512-vnni-model amx-model; do \
// RUN:   env DAQ_CPU_KERNEL=$k DAQ_KERNEL_PROFILE=1 daq-run %t/lowered.mlir -e main \
// RUN:     --input=%t/x.npy --input=%t/c.npy --input=%t/w.npy --input=%t/gy.npy \
// RUN:     --output=%t/$k-y.npy --output=%t/$k-ys.npy --output=%t/$k-gx.npy \
// RUN:     --output=%t/$k-gxs.npy --output=%t/$k-gw.npy --output=%t/$k-gws.npy \
// RUN:     2> %t/$k.log || exit 1; \
// RUN:   for o in y gx gw; do \
// RUN:     cmp %t/$k-$o.npy %t/$k-${o}s.npy || exit 1; \
// RUN:     cmp %t/portable-$o.npy %t/$k-$o.npy || exit 1; \
// RUN:   done; \
// RUN: done
// RUN: FileCheck %s --input-file=%t/portable.log

// CHECK: daq-kernel store:
// CHECK: daq-kernel store, strided:

func.func private @daq_cpu_qconv2d_i8_i8(
    memref<?x?x?x?xi8, strided<[?, ?, ?, ?], offset: ?>>,
    memref<?xf32, strided<[?], offset: ?>>,
    memref<?x?x?x?xi8, strided<[?, ?, ?, ?], offset: ?>>,
    memref<?xf32, strided<[?], offset: ?>>,
    memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>>,
    i64, i64, i64, i64, i64, i64, i64, i64, i64, i64)
    attributes {llvm.emit_c_interface}

// Stride 2, padding 1 (scalars: direction, layout NCHW, strides, top/left
// padding, dilations, groups, variant auto): Y and GY are 2x9x4x3.
func.func @main(%x: tensor<2x5x7x6xi8>, %c: tensor<1xf32>,
                %w: tensor<9x5x3x3xi8>, %gy: tensor<2x9x4x3xi8>)
    -> (tensor<2x9x4x3xf32>, tensor<2x9x4x3xf32>, tensor<2x5x7x6xf32>,
        tensor<2x5x7x6xf32>, tensor<9x5x3x3xf32>, tensor<9x5x3x3xf32>) {
  %zero = arith.constant 0.0 : f32

  %e0 = tensor.empty() : tensor<2x9x4x3xf32>
  %y = daq.kernel_call @daq_cpu_qconv2d_i8_i8(%x, %c, %w, %c) outs(%e0)
      scalars([0, 0, 2, 2, 1, 1, 1, 1, 1, 0])
      : (tensor<2x5x7x6xi8>, tensor<1xf32>, tensor<9x5x3x3xi8>, tensor<1xf32>),
        tensor<2x9x4x3xf32> -> tensor<2x9x4x3xf32>
  %b0 = tensor.empty() : tensor<3x11x6x5xf32>
  %f0 = linalg.fill ins(%zero : f32) outs(%b0 : tensor<3x11x6x5xf32>) -> tensor<3x11x6x5xf32>
  %s0 = tensor.extract_slice %f0[1, 2, 1, 2] [2, 9, 4, 3] [1, 1, 1, 1]
      : tensor<3x11x6x5xf32> to tensor<2x9x4x3xf32>
  %ys = daq.kernel_call @daq_cpu_qconv2d_i8_i8(%x, %c, %w, %c) outs(%s0)
      scalars([0, 0, 2, 2, 1, 1, 1, 1, 1, 0])
      : (tensor<2x5x7x6xi8>, tensor<1xf32>, tensor<9x5x3x3xi8>, tensor<1xf32>),
        tensor<2x9x4x3xf32> -> tensor<2x9x4x3xf32>
  %i0 = tensor.insert_slice %ys into %f0[1, 2, 1, 2] [2, 9, 4, 3] [1, 1, 1, 1]
      : tensor<2x9x4x3xf32> into tensor<3x11x6x5xf32>
  %yv = tensor.extract_slice %i0[1, 2, 1, 2] [2, 9, 4, 3] [1, 1, 1, 1]
      : tensor<3x11x6x5xf32> to tensor<2x9x4x3xf32>

  %e1 = tensor.empty() : tensor<2x5x7x6xf32>
  %gx = daq.kernel_call @daq_cpu_qconv2d_i8_i8(%gy, %c, %w, %c) outs(%e1)
      scalars([1, 0, 2, 2, 1, 1, 1, 1, 1, 0])
      : (tensor<2x9x4x3xi8>, tensor<1xf32>, tensor<9x5x3x3xi8>, tensor<1xf32>),
        tensor<2x5x7x6xf32> -> tensor<2x5x7x6xf32>
  %b1 = tensor.empty() : tensor<2x7x9x8xf32>
  %f1 = linalg.fill ins(%zero : f32) outs(%b1 : tensor<2x7x9x8xf32>) -> tensor<2x7x9x8xf32>
  %s1 = tensor.extract_slice %f1[0, 1, 2, 1] [2, 5, 7, 6] [1, 1, 1, 1]
      : tensor<2x7x9x8xf32> to tensor<2x5x7x6xf32>
  %gxs = daq.kernel_call @daq_cpu_qconv2d_i8_i8(%gy, %c, %w, %c) outs(%s1)
      scalars([1, 0, 2, 2, 1, 1, 1, 1, 1, 0])
      : (tensor<2x9x4x3xi8>, tensor<1xf32>, tensor<9x5x3x3xi8>, tensor<1xf32>),
        tensor<2x5x7x6xf32> -> tensor<2x5x7x6xf32>
  %i1 = tensor.insert_slice %gxs into %f1[0, 1, 2, 1] [2, 5, 7, 6] [1, 1, 1, 1]
      : tensor<2x5x7x6xf32> into tensor<2x7x9x8xf32>
  %gxv = tensor.extract_slice %i1[0, 1, 2, 1] [2, 5, 7, 6] [1, 1, 1, 1]
      : tensor<2x7x9x8xf32> to tensor<2x5x7x6xf32>

  %e2 = tensor.empty() : tensor<9x5x3x3xf32>
  %gw = daq.kernel_call @daq_cpu_qconv2d_i8_i8(%x, %c, %gy, %c) outs(%e2)
      scalars([2, 0, 2, 2, 1, 1, 1, 1, 1, 0])
      : (tensor<2x5x7x6xi8>, tensor<1xf32>, tensor<2x9x4x3xi8>, tensor<1xf32>),
        tensor<9x5x3x3xf32> -> tensor<9x5x3x3xf32>
  %b2 = tensor.empty() : tensor<10x7x4x5xf32>
  %f2 = linalg.fill ins(%zero : f32) outs(%b2 : tensor<10x7x4x5xf32>) -> tensor<10x7x4x5xf32>
  %s2 = tensor.extract_slice %f2[1, 1, 0, 2] [9, 5, 3, 3] [1, 1, 1, 1]
      : tensor<10x7x4x5xf32> to tensor<9x5x3x3xf32>
  %gws = daq.kernel_call @daq_cpu_qconv2d_i8_i8(%x, %c, %gy, %c) outs(%s2)
      scalars([2, 0, 2, 2, 1, 1, 1, 1, 1, 0])
      : (tensor<2x5x7x6xi8>, tensor<1xf32>, tensor<2x9x4x3xi8>, tensor<1xf32>),
        tensor<9x5x3x3xf32> -> tensor<9x5x3x3xf32>
  %i2 = tensor.insert_slice %gws into %f2[1, 1, 0, 2] [9, 5, 3, 3] [1, 1, 1, 1]
      : tensor<9x5x3x3xf32> into tensor<10x7x4x5xf32>
  %gwv = tensor.extract_slice %i2[1, 1, 0, 2] [9, 5, 3, 3] [1, 1, 1, 1]
      : tensor<10x7x4x5xf32> to tensor<9x5x3x3xf32>

  return %y, %yv, %gx, %gxv, %gw, %gwv
      : tensor<2x9x4x3xf32>, tensor<2x9x4x3xf32>, tensor<2x5x7x6xf32>,
        tensor<2x5x7x6xf32>, tensor<9x5x3x3xf32>, tensor<9x5x3x3xf32>
}
