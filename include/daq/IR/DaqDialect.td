//===- DaqDialect.td - Distribution-adaptive quantization --*- tablegen -*-===//
//
// The `daq` dialect: INT8 training of convolutional networks with
// Distribution-Adaptive INT8 Quantization (Zhao et al., AAAI 2021).
//
//===----------------------------------------------------------------------===//

#ifndef DAQ_IR_DAQDIALECT_TD
#define DAQ_IR_DAQDIALECT_TD

include "mlir/IR/OpBase.td"

def Daq_Dialect : Dialect {
  let name = "daq";
  let cppNamespace = "::mlir::daq";
  let summary = "Distribution-adaptive INT8 quantization for training CNNs";
  let description = [{
    The `daq` dialect expresses INT8 training of convolutional networks as
    described in "Distribution Adaptive INT8 Quantization for Training CNNs"
    (Zhao et al., AAAI 2021):

    * symmetric INT8 quantization on `[-127, 127]` with a clip value `s`
      (`scale = s / 127`), per tensor or per axis, with round-to-nearest-even
      or counter-based stochastic rounding;
    * clip computation: max-abs, the Magnitude-aware Clipping Strategy (MCS)
      with its per-channel classification and recursive update, and the
      direction-sensitive clipping of the UI8 baseline;
    * `daq.quantize_grad`, which turns an output gradient into the per-channel
      INT8 copy used by backward-filter (Gradient Vectorized Quantization) and
      the per-tensor INT8 copy used by backward-data;
    * float and INT8 2-D convolutions in the three training directions
      (forward, backward-data, backward-filter) with INT32 accumulation and a
      dequantizing f32 epilogue.

    All values are tensors; clip values and clip state are `f32` tensors of
    rank 0 (per tensor) or rank 1 (one value per channel along the quantized
    axis), which is the `axis` of the upstream `quant` dialect's per-axis
    types made a runtime value.
  }];
  let useDefaultAttributePrinterParser = 1;
  let dependentDialects = ["::mlir::arith::ArithDialect"];
  let extraClassDeclaration = [{
  private:
    void registerAttributes();
  }];
}

class Daq_Op<string mnemonic, list<Trait> traits = []>
    : Op<Daq_Dialect, mnemonic, traits>;

#endif // DAQ_IR_DAQDIALECT_TD
