//===- DaqOps.td - daq operations --------------------------*- tablegen -*-===//

#ifndef DAQ_IR_DAQOPS_TD
#define DAQ_IR_DAQOPS_TD

include "daq/IR/DaqAttrs.td"
include "daq/IR/DaqDialect.td"
include "mlir/Dialect/Bufferization/IR/BufferizableOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/IR/OpBase.td"

//===----------------------------------------------------------------------===//
// Type constraints
//===----------------------------------------------------------------------===//

def Daq_F32Tensor : RankedTensorOf<[F32]>;
def Daq_I8Tensor : RankedTensorOf<[I8]>;
def Daq_FloatTensor : RankedTensorOf<[AnyFloat]>;
// Clip values (and MCS clip state): rank 0 per tensor, rank 1 per channel.
def Daq_ClipTensor : RankedTensorOf<[F32]>;
// An operand of an INT8 convolution: already quantized (i8), or f32 that the
// convolution quantizes as it loads it (quantize-on-load) with the given clip.
def Daq_QuantizableTensor : RankedTensorOf<[I8, F32]>;
def Daq_Step : TypeAlias<I64, "training step (64-bit signless integer)">;

//===----------------------------------------------------------------------===//
// Clip computation
//===----------------------------------------------------------------------===//

def Daq_MaxAbsOp : Daq_Op<"max_abs", [Pure]> {
  let summary = "maximum absolute value, per tensor or per axis";
  let description = [{
    Computes `max |x|` over the whole tensor (`per_tensor`, a `tensor<f32>`
    result) or over every slice along `axis` (`per_axis`, one value per index
    of that dimension). NaN anywhere in a slice makes its result NaN; an
    infinity makes it `+inf`, so a non-finite input always yields a
    non-finite clip.

    Example:

    ```mlir
    %c = daq.max_abs %gy {granularity = #daq.granularity<per_axis = 1>}
        : tensor<8x16x14x14xf32> -> tensor<16xf32>
    ```
  }];
  let arguments = (ins Daq_F32Tensor:$input,
                       Daq_GranularityAttr:$granularity);
  let results = (outs Daq_ClipTensor:$clip);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($clip)";
  let hasVerifier = 1;
}

def Daq_McsClipOp : Daq_Op<"mcs_clip", [Pure]> {
  let summary = "Magnitude-aware Clipping: statistics, classification, update";
  let description = [{
    One step of the Magnitude-aware Clipping Strategy (`#daq.mcs`) on a
    gradient. For every channel along the granularity axis (or for the whole
    tensor with `per_tensor`):

    1. statistics: `max |g|`, the population standard deviation `sigma` and
       the fraction `r` of elements with `|g| > sigma`;
    2. classification: bell-shaped if `r > lambda`, inverted-T otherwise
       (`bell_shaped` result);
    3. clip: `max |g|` for bell-shaped channels and on the first step
       (negative `prev_clip`); `(1 - k*A) * prev_clip + A * max |g|` for
       inverted-T channels.

    `prev_clip` is the clip state of the previous training step and the `clip`
    result is the new state; `arith.constant dense<-1.0>` starts the
    recursion. NaN or infinity in a channel makes its clip non-finite.

    Example:

    ```mlir
    %clip, %bell = daq.mcs_clip %gy, %state {
        granularity = #daq.granularity<per_axis = 1>, params = #daq.mcs}
        : (tensor<8x16x14x14xf32>, tensor<16xf32>)
          -> (tensor<16xf32>, tensor<16xi1>)
    ```
  }];
  let arguments = (ins Daq_F32Tensor:$input, Daq_ClipTensor:$prev_clip,
                       Daq_GranularityAttr:$granularity,
                       Daq_McsClipAttr:$params);
  let results = (outs Daq_ClipTensor:$clip,
                      RankedTensorOf<[I1]>:$bell_shaped);
  let assemblyFormat = [{
    $input `,` $prev_clip attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Daq_DsgcClipOp : Daq_Op<"dsgc_clip", [Pure]> {
  let summary = "direction-sensitive gradient clipping (UI8 baseline)";
  let description = [{
    Chooses, per channel along the granularity axis (or for the whole tensor),
    the clip among the candidates of `#daq.dsgc` that minimises the cosine
    distance `1 - cos(g, g_hat)` between the gradient and its nearest-even
    quantization. Also returns that distance, the deviation `d` used by UI8's
    deviation-counteractive learning-rate scaling
    `phi(d) = max(exp(-20 d), 0.1)`.

    Example:

    ```mlir
    %clip, %dist = daq.dsgc_clip %gy {
        granularity = #daq.granularity<per_tensor>, params = #daq.dsgc}
        : tensor<8x16x14x14xf32> -> (tensor<f32>, tensor<f32>)
    ```
  }];
  let arguments = (ins Daq_F32Tensor:$input,
                       Daq_GranularityAttr:$granularity,
                       Daq_DsgcClipAttr:$params);
  let results = (outs Daq_ClipTensor:$clip, Daq_F32Tensor:$distance);
  let assemblyFormat = [{
    $input attr-dict `:` type($input) `->` `(` type($clip) `,` type($distance) `)`
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Quantization
//===----------------------------------------------------------------------===//

def Daq_QuantizeOp : Daq_Op<"quantize", [Pure, AllShapesMatch<["input", "output"]>]> {
  let summary = "symmetric INT8 quantization with a clip value";
  let description = [{
    `q = round(clamp(x, -s, s) * (127 / s))` on `[-127, 127]`, with the clip
    `s` per tensor or per axis as the granularity says (`scale = s / 127`).
    Exact definition, which every target reproduces bit for bit:

    ```
    inv = (s == 0) ? 0 : 127 / s              (f32, once per clip value)
    v   = clamp(x, -s, s) * inv               (f32)
    q   = isnan(v) ? 0 : clamp(round(v), -127, 127)
    ```

    `round` is round-half-to-even, or `floor(v + u)` with `#daq.rounding<
    stochastic, seed = S>`, where `u` comes from Philox-4x32-10 keyed by
    (`S`, `step`, row-major element index); `step` is required exactly when
    the rounding is stochastic. A zero clip gives all-zero codes; a NaN or
    infinite clip gives codes that dequantize to NaN, so non-finite inputs
    never become finite.

    Example:

    ```mlir
    %q = daq.quantize %x, %s {granularity = #daq.granularity<per_tensor>}
        : (tensor<8x16x14x14xf32>, tensor<f32>) -> tensor<8x16x14x14xi8>
    %r = daq.quantize %g, %c step %t {
        granularity = #daq.granularity<per_axis = 1>,
        rounding = #daq.rounding<stochastic, seed = 7>}
        : (tensor<8x16x14x14xf32>, tensor<16xf32>, i64) -> tensor<8x16x14x14xi8>
    ```
  }];
  let arguments = (ins Daq_F32Tensor:$input, Daq_ClipTensor:$clip,
                       Optional<Daq_Step>:$step,
                       Daq_GranularityAttr:$granularity,
                       OptionalAttr<Daq_RoundingAttr>:$rounding);
  let results = (outs Daq_I8Tensor:$output);
  let assemblyFormat = [{
    $input `,` $clip (`step` $step^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Daq_DequantizeOp : Daq_Op<"dequantize", [Pure, AllShapesMatch<["input", "output"]>]> {
  let summary = "INT8 codes back to f32 with a clip value";
  let description = [{
    `x_hat = float(q) * (s / 127)`, the clip `s` per tensor or per axis.

    Example:

    ```mlir
    %x = daq.dequantize %q, %c {granularity = #daq.granularity<per_axis = 0>}
        : (tensor<32x16x3x3xi8>, tensor<32xf32>) -> tensor<32x16x3x3xf32>
    ```
  }];
  let arguments = (ins Daq_I8Tensor:$input, Daq_ClipTensor:$clip,
                       Daq_GranularityAttr:$granularity);
  let results = (outs Daq_F32Tensor:$output);
  let assemblyFormat = [{
    $input `,` $clip attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Daq_QuantizeGradOp : Daq_Op<"quantize_grad",
    [Pure, AttrSizedOperandSegments]> {
  let summary = "quantize an output gradient for backward-filter and backward-data";
  let description = [{
    From one output gradient `GY` yields the two INT8 copies a convolution's
    backward pass needs (paper, Fig. 2):

    * `channel_codes` / `channel_clip`: per-channel quantization along `axis`
      (the layer's output channels) for backward-filter, whose sum over
      `(n, h, w)` lets per-channel scales factor out (Gradient Vectorized
      Quantization);
    * `tensor_codes` / `tensor_clip`: per-tensor quantization for
      backward-data, whose sum runs over the channels.

    `strategy` chooses the clips (`#daq.max`, `#daq.mcs`, `#daq.static`,
    `#daq.dsgc`), applied per channel and to the whole tensor. A stateful
    strategy (`#daq.mcs`) takes the previous step's clips as `state`
    operands (`tensor<Cxf32>` and `tensor<f32>`) and its clip results are the
    next step's state; a stateless one takes none. `rounding` and `step`
    are as for `daq.quantize`.

    `--daq-decompose-quantize-grad` rewrites this op into `daq.max_abs`,
    `daq.mcs_clip`, `daq.dsgc_clip` or constants, and `daq.quantize`.

    Example:

    ```mlir
    %qc, %cc, %qt, %ct = daq.quantize_grad %gy state(%sc, %st) {
        axis = 1 : i64, strategy = #daq.mcs}
        : (tensor<8x16x14x14xf32>, tensor<16xf32>, tensor<f32>)
          -> (tensor<8x16x14x14xi8>, tensor<16xf32>, tensor<8x16x14x14xi8>, tensor<f32>)
    ```
  }];
  let arguments = (ins Daq_F32Tensor:$grad,
                       Optional<Daq_ClipTensor>:$channel_state,
                       Optional<Daq_ClipTensor>:$tensor_state,
                       Optional<Daq_Step>:$step,
                       I64Attr:$axis,
                       Daq_ClipStrategyAttrInterface:$strategy,
                       OptionalAttr<Daq_RoundingAttr>:$rounding);
  let results = (outs Daq_I8Tensor:$channel_codes, Daq_ClipTensor:$channel_clip,
                      Daq_I8Tensor:$tensor_codes, Daq_ClipTensor:$tensor_clip);
  let assemblyFormat = [{
    $grad (`state` `(` $channel_state^ `,` $tensor_state `)`)? (`step` $step^)?
    attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let hasCanonicalizer = 1;
  let extraClassDeclaration = [{
    /// Size of the channel axis of the gradient (may be dynamic).
    int64_t getChannelCount() { return getGrad().getType().getDimSize(getAxis()); }
    GranularityAttr getGranularity(bool perChannel) {
      return perChannel ? GranularityAttr::get(getContext(), getAxis())
                        : GranularityAttr::get(getContext());
    }
    /// Builds the ops computing the per-channel (`perChannel`) or per-tensor
    /// clip of this op's gradient under its strategy, at `builder`'s point.
    ::mlir::Value buildClip(::mlir::OpBuilder &builder, bool perChannel);
    /// Builds the `daq.quantize` of the gradient with `clip`.
    ::mlir::Value buildQuantize(::mlir::OpBuilder &builder, ::mlir::Value clip,
                                bool perChannel);
  }];
}

//===----------------------------------------------------------------------===//
// Convolutions
//===----------------------------------------------------------------------===//

class Daq_ConvBase<string mnemonic> : Daq_Op<mnemonic, [Pure]> {
  let hasVerifier = 1;
  let assemblyFormat = [{
    operands attr-dict `:` functional-type(operands, results)
  }];
}

def Daq_Conv2DOp : Daq_ConvBase<"conv2d"> {
  let summary = "float 2-D convolution, forward";
  let description = [{
    `Y = conv(X, W)`: cross-correlation with the strides, padding, dilations,
    groups and layout of `conv`. Element types of the three tensors agree.

    Example:

    ```mlir
    %y = daq.conv2d %x, %w {conv = #daq.conv<layout = nchw, padding = [1, 1, 1, 1]>}
        : (tensor<8x16x14x14xf32>, tensor<32x16x3x3xf32>) -> tensor<8x32x14x14xf32>
    ```
  }];
  let arguments = (ins Daq_FloatTensor:$input, Daq_FloatTensor:$filter,
                       Daq_ConvAttr:$conv);
  let results = (outs Daq_FloatTensor:$output);
}

def Daq_Conv2DBackwardDataOp : Daq_ConvBase<"conv2d_backward_data"> {
  let summary = "float 2-D convolution, gradient with respect to the input";
  let description = [{
    `GX = dL/dX` of `Y = conv(X, W)` given `GY = dL/dY`: the transposed
    convolution of `GY` with `W`. The result type gives the input size, which
    strides larger than one leave ambiguous.

    Example:

    ```mlir
    %gx = daq.conv2d_backward_data %gy, %w {conv = #daq.conv<layout = nchw, strides = [2, 2], padding = [1, 1, 1, 1]>}
        : (tensor<8x32x7x7xf32>, tensor<32x16x3x3xf32>) -> tensor<8x16x14x14xf32>
    ```
  }];
  let arguments = (ins Daq_FloatTensor:$grad_output, Daq_FloatTensor:$filter,
                       Daq_ConvAttr:$conv);
  let results = (outs Daq_FloatTensor:$grad_input);
}

def Daq_Conv2DBackwardFilterOp : Daq_ConvBase<"conv2d_backward_filter"> {
  let summary = "float 2-D convolution, gradient with respect to the filter";
  let description = [{
    `GW = dL/dW` of `Y = conv(X, W)` given `X` and `GY`: for every filter
    element the sum over batch and output positions. The result type gives
    the kernel size.

    Example:

    ```mlir
    %gw = daq.conv2d_backward_filter %x, %gy {conv = #daq.conv<layout = nchw, padding = [1, 1, 1, 1]>}
        : (tensor<8x16x14x14xf32>, tensor<8x32x14x14xf32>) -> tensor<32x16x3x3xf32>
    ```
  }];
  let arguments = (ins Daq_FloatTensor:$input, Daq_FloatTensor:$grad_output,
                       Daq_ConvAttr:$conv);
  let results = (outs Daq_FloatTensor:$grad_filter);
}

// INT8 convolutions: two quantized operands, each with its clip; products
// accumulate in i32 and the epilogue dequantizes to f32:
//   out = float(acc) * (clip_a * clip_b / 16129)
// with per-channel clips applied where the summation lets them factor out.
// `filterOperand`: the index of the filter operand (2), or -1 without one.
class Daq_QConvBase<string mnemonic, string lhs, string rhs, int filterOperand>
    : Daq_Op<mnemonic, [Pure]> {
  let hasVerifier = 1;
  let assemblyFormat = "$" # lhs # " `[` $" # lhs # "_clip `]` `,` $" # rhs #
      " `[` $" # rhs # "_clip `]` (`step` $step^)? attr-dict"
      " `:` functional-type(operands, results)";
  let extraClassDeclaration = [{
    /// Whether an operand is f32 and quantized as the convolution loads it.
    bool quantizesOnLoad() {
      return !::llvm::isa<::mlir::IntegerType>(
                 ::mlir::getElementTypeOrSelf(getOperand(0).getType())) ||
             !::llvm::isa<::mlir::IntegerType>(
                 ::mlir::getElementTypeOrSelf(getOperand(2).getType()));
    }
    /// How operand 0 or 2 is quantized on load (what a `daq.quantize` of it
    /// would have): per tensor with a rank-0 clip, else along the output
    /// channels, dimension 0 of a filter or the channel dimension of an
    /// activation or a gradient.
    ::mlir::daq::GranularityAttr getOnLoadGranularity(unsigned operand) {
      auto clip = ::llvm::cast<::mlir::RankedTensorType>(
          getOperand(operand + 1).getType());
      if (clip.getRank() == 0)
        return ::mlir::daq::GranularityAttr::get(getContext());
      bool isFilter = static_cast<int>(operand) == }] # filterOperand # [{;
      return ::mlir::daq::GranularityAttr::get(
          getContext(), isFilter ? 0 : getConv().getChannelDim());
    }
  }];
}

def Daq_QConv2DOp : Daq_QConvBase<"qconv2d", "input", "filter", 2> {
  let summary = "INT8 2-D convolution, forward, i32 accumulation, f32 result";
  let description = [{
    `Y = (s_X / 127)(s_W[o] / 127) * conv(qX, qW)`. The activation clip is per tensor; the filter clip is
    per tensor or per output channel (`tensor<Oxf32>`), which factors out of
    the sum over `(c, kh, kw)`. An f32 operand is quantized on load with its
    clip, the op's `rounding` and `step` (as `daq.quantize` would); `rounding`
    is only allowed when an operand is quantized on load.

    Example:

    ```mlir
    %y = daq.qconv2d %qx[%sx], %qw[%sw] {conv = #daq.conv<layout = nchw, padding = [1, 1, 1, 1]>}
        : (tensor<8x16x14x14xi8>, tensor<f32>, tensor<32x16x3x3xi8>, tensor<32xf32>)
          -> tensor<8x32x14x14xf32>
    ```
  }];
  let arguments = (ins Daq_QuantizableTensor:$input, Daq_ClipTensor:$input_clip,
                       Daq_QuantizableTensor:$filter, Daq_ClipTensor:$filter_clip,
                       Optional<Daq_Step>:$step, Daq_ConvAttr:$conv,
                       OptionalAttr<Daq_RoundingAttr>:$rounding);
  let results = (outs Daq_F32Tensor:$output);
}

def Daq_QConv2DBackwardDataOp
    : Daq_QConvBase<"qconv2d_backward_data", "grad_output", "filter", 2> {
  let summary = "INT8 2-D convolution, gradient with respect to the input";
  let description = [{
    `GX = (s_GY / 127)(s_W / 127) * conv_backward_data(qGY, qW)`. Both clips are per tensor: the
    sum runs over output channels, so per-channel scales do not factor out
    (the folded mode of the method instead multiplies the per-channel clips
    into the filter before quantizing it, and passes `1.0` as the gradient
    clip). Quantize-on-load, `rounding` and `step` as for `daq.qconv2d`.

    Example:

    ```mlir
    %gx = daq.qconv2d_backward_data %qgy[%sgy], %qw[%sw] {conv = #daq.conv<layout = nchw, padding = [1, 1, 1, 1]>}
        : (tensor<8x32x14x14xi8>, tensor<f32>, tensor<32x16x3x3xi8>, tensor<f32>)
          -> tensor<8x16x14x14xf32>
    ```
  }];
  let arguments = (ins Daq_QuantizableTensor:$grad_output, Daq_ClipTensor:$grad_output_clip,
                       Daq_QuantizableTensor:$filter, Daq_ClipTensor:$filter_clip,
                       Optional<Daq_Step>:$step, Daq_ConvAttr:$conv,
                       OptionalAttr<Daq_RoundingAttr>:$rounding);
  let results = (outs Daq_F32Tensor:$grad_input);
}

def Daq_QConv2DBackwardFilterOp
    : Daq_QConvBase<"qconv2d_backward_filter", "input", "grad_output", -1> {
  let summary = "INT8 2-D convolution, gradient with respect to the filter";
  let description = [{
    `GW[o] = (s_X / 127)(s_GY[o] / 127) * conv_backward_filter(qX, qGY)[o]`. The activation
    clip is per tensor; the gradient clip is per tensor or per output channel
    (`tensor<Oxf32>`, Gradient Vectorized Quantization), which factors out of
    the sum over `(n, h, w)`. Quantize-on-load, `rounding` and `step` as for
    `daq.qconv2d`.

    Example:

    ```mlir
    %gw = daq.qconv2d_backward_filter %qx[%sx], %qgy[%sgy] {conv = #daq.conv<layout = nchw, padding = [1, 1, 1, 1]>}
        : (tensor<8x16x14x14xi8>, tensor<f32>, tensor<8x32x14x14xi8>, tensor<32xf32>)
          -> tensor<32x16x3x3xf32>
    ```
  }];
  let arguments = (ins Daq_QuantizableTensor:$input, Daq_ClipTensor:$input_clip,
                       Daq_QuantizableTensor:$grad_output, Daq_ClipTensor:$grad_output_clip,
                       Optional<Daq_Step>:$step, Daq_ConvAttr:$conv,
                       OptionalAttr<Daq_RoundingAttr>:$rounding);
  let results = (outs Daq_F32Tensor:$grad_filter);
}

//===----------------------------------------------------------------------===//
// Runtime kernels
//===----------------------------------------------------------------------===//

def Daq_KernelCallOp : Daq_Op<"kernel_call", [AttrSizedOperandSegments,
    DeclareOpInterfaceMethods<BufferizableOpInterface,
        ["bufferizesToMemoryRead", "bufferizesToMemoryWrite",
         "getAliasingValues", "bufferize"]>]> {
  let summary = "call of a runtime kernel in destination-passing style";
  let description = [{
    Calls the function `callee` (a `func.func` declaration taking memrefs)
    on the buffers of `inputs` (read) and of `inits` (each written
    entirely), then the `i64` values of `scalars`; result `i` is the tensor
    of `inits[i]` after the call. It is how `--convert-daq-qconv-to-cpu-kernels`
    and `--convert-daq-stats-to-cpu-kernels` reach the CPU kernels while
    one-shot bufferization stays in charge: the op reads its inputs and
    writes its inits *where it stands*, so the analysis sees every access (a
    `bufferization.to_buffer` of an input would only be a read at the point
    of the `to_buffer`, which canonicalization and CSE may move away from
    the call). A kernel with several outputs takes one init per output, so
    that each output can be a buffer of its own (a result of the function,
    say). Bufferization replaces the op with a `func.call` whose memref
    arguments are cast to fully dynamic strided layouts.

    Example:

    ```mlir
    %init = tensor.empty() : tensor<2x7x5x4xf32>
    %y = daq.kernel_call @daq_cpu_qconv2d_i8_i8(%x, %sx, %w, %sw) outs(%init)
        scalars([0, 0, 2, 2, 1, 1, 1, 1, 1, 0])
        : (tensor<2x5x9x9xi8>, tensor<1xf32>, tensor<7x5x3x3xi8>, tensor<7xf32>),
          tensor<2x7x5x4xf32> -> tensor<2x7x5x4xf32>
    %q1, %q2 = daq.kernel_call @daq_cpu_quantize2(%g, %c1, %c2)
        outs(%init1, %init2) scalars([0])
        : (tensor<2x5x12xf32>, tensor<5xf32>, tensor<1xf32>),
          tensor<2x5x12xi8>, tensor<2x5x12xi8>
          -> tensor<2x5x12xi8>, tensor<2x5x12xi8>
    ```
  }];
  let arguments = (ins FlatSymbolRefAttr:$callee,
                       Variadic<AnyRankedTensor>:$inputs,
                       Variadic<AnyRankedTensor>:$inits,
                       DenseI64ArrayAttr:$scalars);
  let results = (outs Variadic<AnyRankedTensor>:$results);
  let assemblyFormat = [{
    $callee `(` $inputs `)` `outs` `(` $inits `)` `scalars` `(` $scalars `)`
    attr-dict `:` `(` type($inputs) `)` `,` type($inits) `->` type($results)
  }];
  let hasVerifier = 1;
}

#endif // DAQ_IR_DAQOPS_TD
