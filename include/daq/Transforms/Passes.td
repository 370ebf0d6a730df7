//===- Passes.td - daq transformation passes ---------------*- tablegen -*-===//

#ifndef DAQ_TRANSFORMS_PASSES_TD
#define DAQ_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def DaqDecomposeQuantizeGrad : Pass<"daq-decompose-quantize-grad"> {
  let summary = "Expand daq.quantize_grad into clip computations and quantizes";
  let description = [{
    Rewrites every `daq.quantize_grad` into the ops that compute its two clips
    and its two INT8 copies, so that later lowerings handle one primitive at a
    time:

    * `#daq.max`: `daq.max_abs` per channel, and the per-tensor clip as the
      `daq.max_abs` of the per-channel clips (one read of the gradient);
    * `#daq.mcs`: `daq.mcs_clip` per channel and per tensor, each with its
      state operand;
    * `#daq.static`: `arith.constant` clips;
    * `#daq.dsgc`: `daq.dsgc_clip` per channel and per tensor;

    followed by two `daq.quantize` with the op's rounding and step.

    Example:

    ```mlir
    %qc, %cc, %qt, %ct = daq.quantize_grad %gy {axis = 1 : i64, strategy = #daq.max}
        : (tensor<8x16x4x4xf32>) -> (tensor<8x16x4x4xi8>, tensor<16xf32>,
                                     tensor<8x16x4x4xi8>, tensor<f32>)
    ```

    becomes

    ```mlir
    %cc = daq.max_abs %gy {granularity = #daq.granularity<per_axis = 1>}
        : tensor<8x16x4x4xf32> -> tensor<16xf32>
    %ct = daq.max_abs %cc {granularity = #daq.granularity<per_tensor>}
        : tensor<16xf32> -> tensor<f32>
    %qc = daq.quantize %gy, %cc {granularity = #daq.granularity<per_axis = 1>}
        : (tensor<8x16x4x4xf32>, tensor<16xf32>) -> tensor<8x16x4x4xi8>
    %qt = daq.quantize %gy, %ct {granularity = #daq.granularity<per_tensor>}
        : (tensor<8x16x4x4xf32>, tensor<f32>) -> tensor<8x16x4x4xi8>
    ```
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::daq::DaqDialect"];
}

def DaqAnnotateEntryPoints : Pass<"daq-annotate-entry-points", "ModuleOp"> {
  let summary = "Mark public functions as JIT entry points with their signature";
  let description = [{
    Gives every public `func.func` with a body the `llvm.emit_c_interface`
    unit attribute (so LLVM lowering emits a `_mlir_ciface_<name>` wrapper
    taking memref descriptors by pointer) and a `daq.signature` attribute
    holding its original function type. The attribute survives bufferization
    and LLVM lowering, so a runner can check the shapes and element types of
    its inputs and allocate its outputs from an already lowered module.

    Example: `func.func @f(%x: tensor<4xf32>) -> tensor<4xi8>` gains
    `attributes {daq.signature = (tensor<4xf32>) -> tensor<4xi8>,
    llvm.emit_c_interface}`.
  }];
}

#endif // DAQ_TRANSFORMS_PASSES_TD
