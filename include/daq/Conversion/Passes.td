//===- Passes.td - daq conversion passes -------------------*- tablegen -*-===//

#ifndef DAQ_CONVERSION_PASSES_TD
#define DAQ_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertDaqToLinalg : Pass<"convert-daq-to-linalg"> {
  let summary = "Lower every daq op to linalg, tensor, arith and math";
  let description = [{
    The reference semantics of the dialect, in the portable form other MLIR
    flows consume: every daq op becomes `linalg.generic`s on tensors plus
    `tensor`, `arith` and `math` ops, computing exactly (bit for bit where the
    dialect documentation fixes the arithmetic) what the op documents.

    * `daq.quantize_grad` is first decomposed (as
      `--daq-decompose-quantize-grad` does).
    * Clip statistics: `daq.max_abs` is a max-reduction of `|x|`
      (`arith.maximumf`, so NaN propagates). `daq.mcs_clip` accumulates the
      sum and the sum of squared deviations in f64 (two passes), counts the
      elements with `|g| > sigma` in a third, and classifies and updates
      elementwise in f32 with coefficients `f32(1 - k*A)` and `f32(A)`.
      `daq.dsgc_clip` evaluates every candidate clip with f64 dot products.
    * `daq.quantize` follows the op's formula; stochastic rounding draws
      `u = (philox4x32_10(counter = (index, step), key = seed)[0] >> 8) * 2^-24`.
    * Convolutions become implicit loops over
      `(n, g, o, c, oh, ow, kh, kw)` in `linalg.generic` form with zero
      padding from `tensor.pad`; backward-data convolves the stride-dilated,
      padded output gradient with the spatially flipped filter. INT8
      convolutions sign-extend to i32, accumulate in i32 and dequantize in an
      f32 epilogue; f32 operands are quantized first (the unfused form of
      quantize-on-load).

    Convolutions need static shapes; other ops accept dynamic sizes.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::tensor::TensorDialect"];
}

#endif // DAQ_CONVERSION_PASSES_TD
