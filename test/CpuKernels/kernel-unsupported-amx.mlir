// Forcing a kernel variant this CPU lacks fails with an error naming the
// missing features (one build runs on any x86-64; nothing faults).
// UNSUPPORTED: cpu-amx-int8

// RUN: rm -rf %t && mkdir -p %t
// RUN: %python %S/../daq-run/Inputs/gen_npy.py %t/x.npy i8 1x3x4x4 1 --range -127 127
// RUN: %python %S/../daq-run/Inputs/gen_npy.py %t/w.npy i8 2x3x3x3 2 --range -127 127
// RUN: %python %S/../daq-run/Inputs/gen_npy.py %t/c.npy f32 scalar 3 --values 0.5
// RUN: daq-opt %s --daq-cpu-pipeline=qconv-kernel=amx -o %t/amx.mlir
// RUN: not daq-run %t/amx.mlir -e main --input=%t/x.npy --input=%t/c.npy --input=%t/w.npy --input=%t/c.npy --output=%t/o.npy 2>&1 | FileCheck %s --check-prefix=COMPILED
// COMPILED: daq-run: error: function 'main': INT8 convolution kernel 'amx' (forced by the compiled kernel option) cannot run on this CPU: it needs AMX-TILE and AMX-INT8 (and the Linux ARCH_REQ_XCOMP_PERM permission)
// RUN: daq-opt %s --daq-cpu-pipeline -o %t/auto.mlir
// RUN: env DAQ_CPU_KERNEL=amx not daq-run %t/auto.mlir -e main --input=%t/x.npy --input=%t/c.npy --input=%t/w.npy --input=%t/c.npy --output=%t/o.npy 2>&1 | FileCheck %s --check-prefix=ENV
// ENV: daq-run: error: function 'main': INT8 convolution kernel 'amx' (forced by DAQ_CPU_KERNEL=amx) cannot run on this CPU

func.func @main(%x: tensor<1x3x4x4xi8>, %sx: tensor<f32>, %w: tensor<2x3x3x3xi8>,
                %sw: tensor<f32>) -> tensor<1x2x2x2xf32> {
  %y = daq.qconv2d %x[%sx], %w[%sw] {conv = #daq.conv<layout = nchw>}
      : (tensor<1x3x4x4xi8>, tensor<f32>, tensor<2x3x3x3xi8>, tensor<f32>) -> tensor<1x2x2x2xf32>
  return %y : tensor<1x2x2x2xf32>
}
