// Upstream mlir-opt loads daq as a dialect plugin, round-trips daq IR and runs
// daq passes; as a pass plugin it registers the passes.
// RUN: mlir-opt %s --load-dialect-plugin=%daq_libs/DaqPlugin%shlibext | FileCheck %s --check-prefix=ROUNDTRIP
// RUN: mlir-opt %s --load-dialect-plugin=%daq_libs/DaqPlugin%shlibext -mlir-print-op-generic \
// RUN:   | mlir-opt --load-dialect-plugin=%daq_libs/DaqPlugin%shlibext | FileCheck %s --check-prefix=ROUNDTRIP
// RUN: mlir-opt %s --load-dialect-plugin=%daq_libs/DaqPlugin%shlibext \
// RUN:   --load-pass-plugin=%daq_libs/DaqPlugin%shlibext \
// RUN:   --pass-pipeline="builtin.module(daq-decompose-quantize-grad)" | FileCheck %s --check-prefix=PASS
// RUN: mlir-opt --load-pass-plugin=%daq_libs/DaqPlugin%shlibext --help | FileCheck %s --check-prefix=HELP
// Without the plugin, upstream mlir-opt does not know the dialect.
// RUN: not mlir-opt %s 2>&1 | FileCheck %s --check-prefix=NOPLUGIN

// ROUNDTRIP-LABEL: func @layer
// ROUNDTRIP: daq.quantize_grad %{{.*}} {axis = 1 : i64, strategy = #daq.max}
// ROUNDTRIP: daq.qconv2d_backward_filter %{{.*}}[%{{.*}}], %{{.*}}[%{{.*}}] {conv = #daq.conv<layout = nchw, padding = [1, 1, 1, 1]>}

// PASS-LABEL: func @layer
// PASS: daq.max_abs
// PASS-NOT: daq.quantize_grad

// HELP: --daq-decompose-quantize-grad

// NOPLUGIN: Dialect `daq' not found
func.func @layer(%x: tensor<2x3x5x5xf32>, %sx: tensor<f32>, %gy: tensor<2x4x5x5xf32>) -> tensor<4x3x3x3xf32> {
  %qc, %cc, %qt, %ct = daq.quantize_grad %gy {axis = 1 : i64, strategy = #daq.max}
      : (tensor<2x4x5x5xf32>) -> (tensor<2x4x5x5xi8>, tensor<4xf32>, tensor<2x4x5x5xi8>, tensor<f32>)
  %gw = daq.qconv2d_backward_filter %x[%sx], %qc[%cc] {conv = #daq.conv<layout = nchw, padding = [1, 1, 1, 1]>}
      : (tensor<2x3x5x5xf32>, tensor<f32>, tensor<2x4x5x5xi8>, tensor<4xf32>) -> tensor<4x3x3x3xf32>
  return %gw : tensor<4x3x3x3xf32>
}
