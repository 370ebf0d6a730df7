// The kernel variant of the CPU INT8 convolutions is chosen at run time:
// DAQ_CPU_KERNEL overrides the compiled choice, every variant gives the same
// bits, and a variant name the runtime does not know is a clear error.

// RUN: rm -rf %t && mkdir -p %t
// RUN: %python %S/../daq-run/Inputs/gen_npy.py %t/x.npy i8 2x5x7x6 1 --range -127 127
// RUN: %python %S/../daq-run/Inputs/gen_npy.py %t/w.npy i8 9x5x3x3 2 --range -127 127
// RUN: %python %S/../daq-run/Inputs/gen_npy.py %t/c.npy f32 scalar 3 --values 0.5
// RUN: %python %S/../daq-run/Inputs/gen_npy.py %t/cw.npy f32 9 4 --range 1 3
// RUN: daq-opt %s --daq-cpu-pipeline -o %t/auto.mlir
// RUN: FileCheck %s --input-file=%t/auto.mlir --check-prefix=LOWERED
// LOWERED: llvm.call @_mlir_ciface_daq_cpu_qconv2d_i8_i8

// RUN: env DAQ_CPU_KERNEL=portable daq-run %t/auto.mlir -e main --input=%t/x.npy --input=%t/c.npy --input=%t/w.npy --input=%t/cw.npy --output=%t/portable.npy
// RUN: daq-run %t/auto.mlir -e main --input=%t/x.npy --input=%t/c.npy --input=%t/w.npy --input=%t/cw.npy --output=%t/auto.npy
// RUN: cmp %t/portable.npy %t/auto.npy

// The test-only software-model variants are accepted by DAQ_CPU_KERNEL too
// (auto never picks them) and give the same bits.
// RUN: env DAQ_CPU_KERNEL=avx512-vnni-model daq-run %t/auto.mlir -e main --input=%t/x.npy --input=%t/c.npy --input=%t/w.npy --input=%t/cw.npy --output=%t/vnni-model.npy
// RUN: cmp %t/portable.npy %t/vnni-model.npy
// RUN: env DAQ_CPU_KERNEL=amx-model daq-run %t/auto.mlir -e main --input=%t/x.npy --input=%t/c.npy --input=%t/w.npy --input=%t/cw.npy --output=%t/amx-model.npy
// RUN: cmp %t/portable.npy %t/amx-model.npy

// DAQ_CPU_CONV_ALGORITHM picks Winograd or the direct form (this 3x3
// stride-2 convolution has the stride-2 Winograd form; auto takes the direct
// one for its 5 channels, whose 4 x 3 outputs skip the taps that read
// padding only); both give the same bits.
// RUN: env DAQ_CPU_CONV_ALGORITHM=winograd DAQ_CPU_KERNEL=portable DAQ_KERNEL_PROFILE=1 daq-run %t/auto.mlir -e main --input=%t/x.npy --input=%t/c.npy --input=%t/w.npy --input=%t/cw.npy --output=%t/winograd.npy 2>&1 | FileCheck %s --check-prefix=WINOGRAD
// WINOGRAD: daq-kernel winograd stride-2:
// RUN: cmp %t/portable.npy %t/winograd.npy
// RUN: env DAQ_CPU_CONV_ALGORITHM=direct DAQ_KERNEL_PROFILE=1 daq-run %t/auto.mlir -e main --input=%t/x.npy --input=%t/c.npy --input=%t/w.npy --input=%t/cw.npy --output=%t/direct.npy 2>&1 | FileCheck %s --check-prefix=DIRECT
// DIRECT-NOT: daq-kernel winograd
// DIRECT: daq-kernel gemm, padding skipped:
// RUN: cmp %t/portable.npy %t/direct.npy
// RUN: env DAQ_CPU_CONV_ALGORITHM=fft not daq-run %t/auto.mlir -e main --input=%t/x.npy --input=%t/c.npy --input=%t/w.npy --input=%t/cw.npy --output=%t/o.npy 2>&1 | FileCheck %s --check-prefix=ALGORITHM
// ALGORITHM: daq-run: error: function 'main': DAQ_CPU_CONV_ALGORITHM='fft' is not a convolution algorithm (auto, direct, winograd)

// DAQ_CPU_FEATURES caps the instruction sets the kernels use (auto's choice
// and the helpers): sse2 leaves the portable microkernel and the SSE2
// helpers, the same bits; a cap it does not know is a clear error.
// RUN: env DAQ_CPU_FEATURES=sse2 daq-run %t/auto.mlir -e main --input=%t/x.npy --input=%t/c.npy --input=%t/w.npy --input=%t/cw.npy --output=%t/sse2.npy
// RUN: cmp %t/portable.npy %t/sse2.npy
// RUN: env DAQ_CPU_FEATURES=sse2 DAQ_CPU_KERNEL=avx2 not daq-run %t/auto.mlir -e main --input=%t/x.npy --input=%t/c.npy --input=%t/w.npy --input=%t/cw.npy --output=%t/o.npy 2>&1 | FileCheck %s --check-prefix=CAPPED
// CAPPED: daq-run: error: function 'main': INT8 convolution kernel 'avx2' (forced by DAQ_CPU_KERNEL=avx2) cannot run on this CPU: it needs AVX2 and FMA (DAQ_CPU_FEATURES=sse2 caps the instruction sets used)
// RUN: env DAQ_CPU_FEATURES=avx3 not daq-run %t/auto.mlir -e main --input=%t/x.npy --input=%t/c.npy --input=%t/w.npy --input=%t/cw.npy --output=%t/o.npy 2>&1 | FileCheck %s --check-prefix=CAP
// CAP: daq-run: error: function 'main': DAQ_CPU_FEATURES='avx3' is not a feature cap (sse2, avx2, avx512)

// RUN: env DAQ_CPU_KERNEL=vnni not daq-run %t/auto.mlir -e main --input=%t/x.npy --input=%t/c.npy --input=%t/w.npy --input=%t/cw.npy --output=%t/o.npy 2>&1 | FileCheck %s --check-prefix=UNKNOWN
// UNKNOWN: daq-run: error: function 'main': DAQ_CPU_KERNEL='vnni' is not a kernel variant (auto, portable, avx2, avx512-vnni, amx; for tests: avx512-vnni-model, amx-model)

func.func @main(%x: tensor<2x5x7x6xi8>, %sx: tensor<f32>, %w: tensor<9x5x3x3xi8>,
                %sw: tensor<9xf32>) -> tensor<2x9x4x3xf32> {
  %y = daq.qconv2d %x[%sx], %w[%sw] {conv = #daq.conv<layout = nchw, strides = [2, 2], padding = [1, 0, 1, 1]>}
      : (tensor<2x5x7x6xi8>, tensor<f32>, tensor<9x5x3x3xi8>, tensor<9xf32>) -> tensor<2x9x4x3xf32>
  return %y : tensor<2x9x4x3xf32>
}
