//===- DaqAttrs.td - daq attributes ------------------------*- tablegen -*-===//

#ifndef DAQ_IR_DAQATTRS_TD
#define DAQ_IR_DAQATTRS_TD

include "daq/IR/DaqDialect.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

class Daq_Attr<string name, string attrMnemonic, list<Trait> traits = []>
    : AttrDef<Daq_Dialect, name, traits> {
  let mnemonic = attrMnemonic;
}

//===----------------------------------------------------------------------===//
// Clip strategies
//===----------------------------------------------------------------------===//

def Daq_ClipStrategyAttrInterface
    : AttrInterface<"ClipStrategyAttrInterface"> {
  let cppNamespace = "::mlir::daq";
  let description = [{
    A rule that chooses the clip value `s` of a gradient tensor, per channel
    and per tensor. `daq.quantize_grad` carries one of these as its `strategy`.
  }];
  let methods = [
    InterfaceMethod<
      "Whether the strategy carries clip state from one training step to the "
      "next (the state operands of `daq.quantize_grad`).",
      "bool", "isStateful", (ins), "", "return false;">,
    InterfaceMethod<
      "Checks that the strategy can clip a gradient with `channels` channels.",
      "::llvm::LogicalResult", "verifyChannelCount",
      (ins "::llvm::function_ref<::mlir::InFlightDiagnostic()>":$emitError,
           "int64_t":$channels),
      "", "return ::mlir::success();">,
  ];
}

def Daq_MaxClipAttr : Daq_Attr<"MaxClip", "max",
    [DeclareAttrInterfaceMethods<Daq_ClipStrategyAttrInterface>]> {
  let summary = "clip at the maximum absolute value";
  let description = [{
    `s = max |g|` over the channel (or the tensor). This is the optimal clip of
    the paper for bell-shaped channels and the plain "global quantization"
    baseline when used per tensor.

    Example:

    ```mlir
    #daq.max
    ```
  }];
}

def Daq_McsClipAttr : Daq_Attr<"McsClip", "mcs",
    [DeclareAttrInterfaceMethods<Daq_ClipStrategyAttrInterface,
                                 ["isStateful"]>]> {
  let summary = "Magnitude-aware Clipping Strategy (MCS)";
  let description = [{
    Per channel `c`, every step:

    ```
    sigma_c = std(g_c)                       (population std)
    r_c     = #{ |g| > sigma_c } / #g_c
    bell-shaped  if r_c >  lambda   ->  s_c(t) = max |g_c|
    inverted-T   if r_c <= lambda   ->  s_c(t) = (1 - k*A) * s_c(t-1) + A * max |g_c|
    ```

    On the first step (no previous clip, encoded as a negative state value)
    `s_c = max |g_c|`. Defaults are the paper's: `lambda = 0.3`, `k = 1`,
    `A = 0.8`. Parameters must satisfy `0 < lambda < 1`, `0 < A <= 1`,
    `k >= 0` and `k * A <= 1`, so the update is a non-negative combination
    of the previous clip and the current maximum. Omitted parameters take
    their defaults and are not printed.

    Example:

    ```mlir
    #daq.mcs
    #daq.mcs<lambda = 0.25, k = 1.0, a = 0.9>
    ```
  }];
  let parameters = (ins APFloatParameter<"classification threshold">:$lambda,
                        APFloatParameter<"recursion coefficient k">:$k,
                        APFloatParameter<"recursion coefficient A">:$a);
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let builders = [
    AttrBuilder<(ins CArg<"double", "0.3">:$lambda, CArg<"double", "1.0">:$k,
                     CArg<"double", "0.8">:$a), [{
      return $_get($_ctxt, ::llvm::APFloat(lambda), ::llvm::APFloat(k),
                   ::llvm::APFloat(a));
    }]>
  ];
  let extraClassDeclaration = [{
    static constexpr double kDefaultLambda = 0.3;
    static constexpr double kDefaultK = 1.0;
    static constexpr double kDefaultA = 0.8;
    double getLambdaValue() const { return getLambda().convertToDouble(); }
    double getKValue() const { return getK().convertToDouble(); }
    double getAValue() const { return getA().convertToDouble(); }
  }];
}

// A list of f32 values written `[a, b, ...]`, printed so that every value
// parses back to the same bits.
class Daq_F32ListParameter<string desc>
    : AttrOrTypeParameter<"::mlir::DenseF32ArrayAttr", desc> {
  let parser = [{ ::mlir::daq::parseF32List($_parser) }];
  let printer = [{ ::mlir::daq::printF32List($_printer, $_self) }];
}

def Daq_StaticClipAttr : Daq_Attr<"StaticClip", "static",
    [DeclareAttrInterfaceMethods<Daq_ClipStrategyAttrInterface,
                                 ["verifyChannelCount"]>]> {
  let summary = "fixed clip values, one per channel and one per tensor";
  let description = [{
    Clip values known at compile time (for example calibrated offline): one
    positive finite value per channel for the per-channel copy and one for the
    per-tensor copy. The number of channel values must equal the channel count
    of the gradient it is applied to.

    Example:

    ```mlir
    #daq.static<channels = [0.5, 0.25, 1.0], tensor = 1.0 : f32>
    ```
  }];
  let parameters = (ins Daq_F32ListParameter<"one clip per channel">:$channels,
                        "::mlir::FloatAttr":$tensor);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}

def Daq_DsgcClipAttr : Daq_Attr<"DsgcClip", "dsgc",
    [DeclareAttrInterfaceMethods<Daq_ClipStrategyAttrInterface>]> {
  let summary = "Direction-Sensitive Gradient Clipping (the UI8 baseline)";
  let description = [{
    The clip of Unified INT8 Training (Zhu et al., CVPR 2020): the value that
    minimises the cosine distance `1 - cos(g, g_hat)` between a gradient and
    its quantized version. daq searches `candidates` evenly spaced clips
    `s_j = max|g| * (min_ratio + (1 - min_ratio) * j / (candidates - 1))`,
    `j = 0 .. candidates-1`, quantizing with round-to-nearest-even, and keeps
    the one with the smallest distance (the largest on ties). Requires
    `2 <= candidates <= 4096` and `0 < min_ratio < 1`. Defaults: 32 candidates from
    `0.1 * max`.

    Example:

    ```mlir
    #daq.dsgc
    #daq.dsgc<candidates = 64, min_ratio = 0.05>
    ```
  }];
  let parameters = (ins "int64_t":$candidates,
                        APFloatParameter<"smallest candidate / max">:$minRatio);
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let builders = [
    AttrBuilder<(ins CArg<"int64_t", "32">:$candidates,
                     CArg<"double", "0.1">:$minRatio), [{
      return $_get($_ctxt, candidates, ::llvm::APFloat(minRatio));
    }]>
  ];
  let extraClassDeclaration = [{
    static constexpr int64_t kDefaultCandidates = 32;
    static constexpr double kDefaultMinRatio = 0.1;
    double getMinRatioValue() const { return getMinRatio().convertToDouble(); }
  }];
}

//===----------------------------------------------------------------------===//
// Rounding and granularity
//===----------------------------------------------------------------------===//

def Daq_RoundingKind : I32EnumAttr<"RoundingKind", "rounding mode", [
    I32EnumAttrCase<"NearestEven", 0, "nearest_even">,
    I32EnumAttrCase<"Stochastic", 1, "stochastic">]> {
  let cppNamespace = "::mlir::daq";
  let genSpecializedAttr = 0;
}

def Daq_RoundingAttr : Daq_Attr<"Rounding", "rounding"> {
  let summary = "how a clipped value is rounded to an integer";
  let description = [{
    `nearest_even` rounds half to even (`cvt.rni`, `math.roundeven`).
    `stochastic` rounds `v` to `floor(v + u)` with `u` uniform in `[0, 1)`
    drawn from a Philox-4x32-10 counter-based generator keyed by
    (`seed`, training step, element index), so every target produces the same
    bits and a run is reproducible. The step is an operand of the op that
    rounds; the seed (non-negative) is required for `stochastic` and not
    allowed otherwise.

    Example:

    ```mlir
    #daq.rounding<nearest_even>
    #daq.rounding<stochastic, seed = 42>
    ```
  }];
  let parameters = (ins EnumParameter<Daq_RoundingKind>:$kind,
                        OptionalParameter<"std::optional<int64_t>">:$seed);
  let assemblyFormat = "`<` $kind (`,` `seed` `=` $seed^)? `>`";
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    bool isStochastic() const { return getKind() == RoundingKind::Stochastic; }
  }];
}

def Daq_GranularityAttr : Daq_Attr<"Granularity", "granularity"> {
  let summary = "per-tensor or per-axis quantization";
  let description = [{
    Which elements share a clip value. `per_tensor`: one clip for the whole
    tensor (a `tensor<f32>`); `per_axis = d`: one clip per index along
    dimension `d` (a `tensor<Nxf32>` with `N` the size of dimension `d`), as
    the `axis` of the `quant` dialect's per-axis uniform types.

    Example:

    ```mlir
    #daq.granularity<per_tensor>
    #daq.granularity<per_axis = 1>
    ```
  }];
  let parameters = (ins OptionalParameter<"std::optional<int64_t>">:$axis);
  let hasCustomAssemblyFormat = 1;
  let builders = [
    AttrBuilder<(ins), [{ return $_get($_ctxt, std::nullopt); }]>
  ];
  let extraClassDeclaration = [{
    bool isPerTensor() const { return !getAxis().has_value(); }
  }];
}

//===----------------------------------------------------------------------===//
// Convolution configuration
//===----------------------------------------------------------------------===//

def Daq_ConvLayout : I32EnumAttr<"ConvLayout", "convolution data layout", [
    I32EnumAttrCase<"NCHW", 0, "nchw">,
    I32EnumAttrCase<"NHWC", 1, "nhwc">]> {
  let cppNamespace = "::mlir::daq";
  let genSpecializedAttr = 0;
}

// A list of integers written `[a, b, ...]`; empty (omitted) means "default".
class Daq_IntListParameter<string desc>
    : OptionalArrayRefParameter<"int64_t", desc> {
  let parser = [{ ::mlir::daq::parseIntList($_parser) }];
  let printer = [{ ::mlir::daq::printIntList($_printer, $_self) }];
}

def Daq_ConvAttr : Daq_Attr<"Conv", "conv"> {
  let summary = "geometry and layout of a 2-D convolution";
  let description = [{
    Shared by the six convolution ops so that forward, backward-data and
    backward-filter of one layer carry the same description.

    * `layout`: `nchw` (activations `[N, C, H, W]`, filters `[O, C/G, KH, KW]`,
      PyTorch's default) or `nhwc` (activations `[N, H, W, C]`, filters
      `[O, KH, KW, C/G]`, channels-last).
    * `strides = [sh, sw]` (default `[1, 1]`), `dilations = [dh, dw]`
      (default `[1, 1]`), `padding = [top, left, bottom, right]` of zeros
      (default none), `groups` (default 1; `groups = C` with a `[C*m, 1, KH,
      KW]` filter is a depthwise convolution).

    Strides, dilations and padding are at most `2^24`. The output size along
    each spatial dimension is
    `(in + pad_lo + pad_hi - dilation * (kernel - 1) - 1) / stride + 1`,
    which every convolution op verifies. Omitted fields take their defaults.

    Example:

    ```mlir
    #daq.conv<layout = nchw>
    #daq.conv<layout = nhwc, strides = [2, 2], padding = [1, 1, 1, 1], groups = 32>
    ```
  }];
  let parameters = (ins EnumParameter<Daq_ConvLayout>:$layout,
                        Daq_IntListParameter<"[sh, sw]">:$strides,
                        Daq_IntListParameter<"[top, left, bottom, right]">:$padding,
                        Daq_IntListParameter<"[dh, dw]">:$dilations,
                        DefaultValuedParameter<"int64_t", "1">:$groups);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// Stride, dilation and padding with defaults filled in; `dim` is 0 for
    /// height and 1 for width.
    int64_t getStride(unsigned dim) const;
    int64_t getDilation(unsigned dim) const;
    int64_t getPadLow(unsigned dim) const;
    int64_t getPadHigh(unsigned dim) const;
    bool isNHWC() const { return getLayout() == ConvLayout::NHWC; }
    /// Dimension of the channel axis in activation tensors.
    int64_t getChannelDim() const { return isNHWC() ? 3 : 1; }
  }];
}

#endif // DAQ_IR_DAQATTRS_TD
