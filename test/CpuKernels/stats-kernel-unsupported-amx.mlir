// Forcing a statistics kernel variant this CPU lacks fails with an error
// that names the statistics kernels and the missing features (the message
// is shared with the INT8 convolution kernels, kernel-unsupported-amx.mlir).
// UNSUPPORTED: cpu-amx-int8

// RUN: rm -rf %t && mkdir -p %t
// RUN: %python %S/../daq-run/Inputs/gen_npy.py %t/g.npy f32 2x3x4x4 1
// RUN: daq-opt %s --daq-cpu-pipeline=stats-kernel=amx -o %t/amx.mlir
// RUN: FileCheck %s --input-file=%t/amx.mlir --check-prefix=LOWERED
// LOWERED: llvm.call @_mlir_ciface_daq_cpu_max_abs
// RUN: not daq-run %t/amx.mlir -e main --input=%t/g.npy --output=%t/o.npy 2>&1 | FileCheck %s --check-prefix=COMPILED
// COMPILED: daq-run: error: function 'main': statistics kernel 'amx' (forced by the compiled kernel option) cannot run on this CPU: it needs AMX-TILE and AMX-INT8 (and the Linux ARCH_REQ_XCOMP_PERM permission)
// RUN: daq-opt %s --daq-cpu-pipeline -o %t/auto.mlir
// RUN: env DAQ_CPU_KERNEL=amx not daq-run %t/auto.mlir -e main --input=%t/g.npy --output=%t/o.npy 2>&1 | FileCheck %s --check-prefix=ENV
// ENV: daq-run: error: function 'main': statistics kernel 'amx' (forced by DAQ_CPU_KERNEL=amx) cannot run on this CPU

// The test-only model variants run anywhere (the AVX-512 rows on the
// software ISA model); max-abs is the same whatever the order.
// RUN: env DAQ_CPU_KERNEL=amx-model daq-run %t/auto.mlir -e main --input=%t/g.npy --output=%t/model.npy
// RUN: env DAQ_CPU_KERNEL=portable daq-run %t/auto.mlir -e main --input=%t/g.npy --output=%t/portable.npy
// RUN: cmp %t/model.npy %t/portable.npy

func.func @main(%g: tensor<2x3x4x4xf32>) -> tensor<3xf32> {
  %m = daq.max_abs %g {granularity = #daq.granularity<per_axis = 1>} : tensor<2x3x4x4xf32> -> tensor<3xf32>
  return %m : tensor<3xf32>
}
