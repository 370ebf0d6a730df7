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

    Every tensor argument is marked `bufferization.writable = false`:
    one-shot bufferization then copies an argument before updating it in
    place instead of writing into the caller's buffer. When no array
    argument can be written (no memref arguments, no tensor explicitly
    marked writable), the function also gets the `daq.inputs_read_only` unit
    attribute, and the JIT runner passes its callers' arrays without copying
    them.

    Example: `func.func @f(%x: tensor<4xf32>) -> tensor<4xi8>` becomes
    `func.func @f(%x: tensor<4xf32> {bufferization.writable = false}) ->
    tensor<4xi8> attributes {daq.inputs_read_only, daq.signature =
    (tensor<4xf32>) -> tensor<4xi8>, llvm.emit_c_interface}`.
  }];
  let dependentDialects = ["::mlir::bufferization::BufferizationDialect"];
}

def DaqSeparateReturnedBuffers
    : Pass<"daq-separate-returned-buffers", "::mlir::func::FuncOp"> {
  let summary = "Give each memref a function returns a buffer of its own";
  let description = [{
    Runs after bufferization, before `buffer-results-to-out-params` with
    `hoist-static-allocs`, which replaces each returned `memref.alloc` by the
    caller's out-parameter so that results are computed in place in the
    caller's buffers. A buffer returned at several positions cannot become
    several out-parameters, so each repetition after the first is replaced by
    a fresh allocation holding a copy.

    Example:

    ```mlir
    return %buf, %buf : memref<4xf32>, memref<4xf32>
    ```

    becomes

    ```mlir
    %copy = memref.alloc() : memref<4xf32>
    memref.copy %buf, %copy : memref<4xf32> to memref<4xf32>
    return %buf, %copy : memref<4xf32>, memref<4xf32>
    ```
  }];
  let dependentDialects = ["::mlir::memref::MemRefDialect"];
}

def DaqAllocateReturnedReshapes
    : Pass<"daq-allocate-returned-reshapes", "::mlir::func::FuncOp"> {
  let summary = "Allocate a returned reshape of a buffer in the returned shape";
  let description = [{
    Runs after bufferization, before `buffer-results-to-out-params` with
    `hoist-static-allocs`, which makes a returned `memref.alloc` the caller's
    out-parameter but copies any other returned value into it. A kernel that
    sees its output through a view of another shape (the statistics kernels
    take `[outer, channels, inner]`) leaves a `memref.expand_shape` or
    `memref.collapse_shape` of the allocation as the returned value. This
    pass allocates such a buffer in the returned shape instead and gives its
    other uses the view of the allocated shape, so the kernel writes straight
    into the caller's buffer. Only static shapes with identity layouts are
    rewritten (their reshapes are free views of the same bytes).

    Example:

    ```mlir
    %buf = memref.alloc() : memref<2x4x15xi8>
    call @kernel(%buf) : (memref<2x4x15xi8>) -> ()
    %codes = memref.expand_shape %buf [[0], [1], [2, 3]] output_shape [2, 4, 3, 5]
        : memref<2x4x15xi8> into memref<2x4x3x5xi8>
    return %codes : memref<2x4x3x5xi8>
    ```

    becomes

    ```mlir
    %codes = memref.alloc() : memref<2x4x3x5xi8>
    %flat = memref.collapse_shape %codes [[0, 1, 2, 3]]
        : memref<2x4x3x5xi8> into memref<120xi8>
    %buf = memref.expand_shape %flat [[0, 1, 2]] output_shape [2, 4, 15]
        : memref<120xi8> into memref<2x4x15xi8>
    call @kernel(%buf) : (memref<2x4x15xi8>) -> ()
    return %codes : memref<2x4x3x5xi8>
    ```
  }];
  let dependentDialects = ["::mlir::memref::MemRefDialect"];
}

def DaqRaiseConvolutions : Pass<"daq-raise-convolutions"> {
  let summary = "Recognize Torch-MLIR's convolution training IR as daq convolutions";
  let description = [{
    Rewrites the linalg-on-tensors convolutions of a training step, in the
    forms Torch-MLIR emits for `aten.convolution` and its backward, into
    `daq.conv2d`, `daq.conv2d_backward_data` and `daq.conv2d_backward_filter`
    (NCHW). Each form is matched exactly, and its geometry must satisfy the
    daq ops' output-size arithmetic; anything else is left alone.

    * forward: `linalg.conv_2d_nchw_fchw` of a zero `tensor.pad`ded input
      into a zero `linalg.fill`;
    * backward-data: `linalg.conv_2d_nchw_fchw` (stride 1) of the output
      gradient scattered into zeros with `tensor.insert_slice` (stride s =
      the forward stride, offset `dilation * (K - 1) - padding`) and the
      flipped, transposed filter built by a `linalg.generic` of
      `tensor.extract`s;
    * backward-filter: `linalg.transpose` [1, 0, 2, 3] of a
      `linalg.conv_2d_nchw_fchw` of the transposed, padded input and the
      transposed output gradient; or, for strided convolutions, the batch sum
      (`linalg.generic`) of the grouped `linalg.conv_2d_ngchw_gfchw` with the
      batch as groups, cut to the kernel size.

    Backward patterns run first, since each contains a linalg convolution
    that would otherwise read as a forward one.
  }];
  let dependentDialects = ["::mlir::daq::DaqDialect"];
}

def DaqQuantizeTraining : Pass<"daq-quantize-training", "ModuleOp"> {
  let summary = "Insert Distribution-Adaptive INT8 quantization into a training step";
  let description = [{
    Turns the daq float convolutions of every public function into INT8
    convolutions, layer by layer, under a policy given as options.

    A layer is a forward `daq.conv2d` (numbered in program order from 0)
    with the backward ops that belong to it: the `daq.conv2d_backward_data`
    with the same filter and the `daq.conv2d_backward_filter` with the same
    input, both with the same geometry (`#daq.conv` up to the high padding,
    which the shapes fix and which is not unique for backward ops). For an
    INT8 layer:

    * forward: X and W are quantized per tensor with max-abs clips; X's codes
      are reused by backward-filter and W's by backward-data;
    * backward: the output gradient goes through `daq.quantize_grad` with
      the chosen clip strategy and rounding; its per-channel copy feeds
      backward-filter, its per-tensor copy feeds backward-data
      (`backward-data=per-tensor`, the paper), or the per-channel clips are
      folded into the filter (`backward-data=folded`: `W'[o] = W[o] * s_o`
      quantized per tensor, gradient clip 1.0).

    With `clip=mcs` the clip state becomes explicit: for each INT8 layer with
    a backward pass, in layer order, two function arguments (the previous
    per-channel clips `tensor<Oxf32>` and per-tensor clip `tensor<f32>`;
    pass `-1` on the first step) and two function results (the new clips,
    to pass to the next step) are appended. With `rounding=stochastic` one
    `i64` training-step argument is appended last. Arguments and results
    carry a `daq.state` attribute naming what they are.

    Example: `--daq-quantize-training="layers=all clip=max"`.
  }];
  let options = [
    Option<"layers", "layers", "std::string", /*default=*/"\"all-but-first\"",
           "Convolution layers that run in INT8 (numbered in forward order "
           "from 0): 'all', 'all-but-first', 'none', or a comma-separated "
           "list of layer numbers">,
    Option<"backwardData", "backward-data", "std::string",
           /*default=*/"\"per-tensor\"",
           "Backward-data quantization: 'per-tensor' (the paper) or "
           "'folded' (per-channel gradient clips folded into the filter)">,
    Option<"clip", "clip", "std::string", /*default=*/"\"mcs\"",
           "Gradient clip strategy: 'mcs', 'max' or 'dsgc'">,
    Option<"rounding", "rounding", "std::string", /*default=*/"\"nearest\"",
           "Gradient rounding: 'nearest' (to even) or 'stochastic'">,
    Option<"seed", "seed", "int64_t", /*default=*/"0",
           "Seed of stochastic rounding">,
    Option<"lambda", "mcs-lambda", "double", /*default=*/"0.3",
           "MCS classification threshold">,
    Option<"k", "mcs-k", "double", /*default=*/"1.0", "MCS coefficient k">,
    Option<"a", "mcs-a", "double", /*default=*/"0.8", "MCS coefficient A">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::daq::DaqDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect"];
}

def DaqFuseQuantizedConvolutions : Pass<"daq-fuse-quantized-convolutions"> {
  let summary = "Quantize convolution operands as they are loaded";
  let description = [{
    Expands `daq.quantize_grad` into its clip computations and quantizes,
    then folds every `daq.quantize` whose only user is an INT8 convolution
    into that convolution: the convolution reads the f32 tensor with its
    precomputed clip and quantizes it on load (with the quantize's rounding
    and step). A quantize used by several convolutions is kept, so a tensor
    is quantized once and its codes shared: in a training step the output
    gradient is read once for its statistics and once by each fused
    convolution, and the activations are quantized once in the forward pass
    and reused by backward-filter.

    Example:

    ```mlir
    %q = daq.quantize %gy, %c {granularity = #daq.granularity<per_axis = 1>} : ...
    %gw = daq.qconv2d_backward_filter %qx[%sx], %q[%c] {conv = ...} : ...
    ```

    becomes

    ```mlir
    %gw = daq.qconv2d_backward_filter %qx[%sx], %gy[%c] {conv = ...} : ...
    ```
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::daq::DaqDialect"];
}

def DaqFlattenVnniContractions : Pass<"daq-flatten-vnni-contractions"> {
  let summary = "Rewrite VNNI-layout i8 contractions as plain matmul contractions";
  let description = [{
    Rewrites every `vector.contract` in the VNNI form that
    `convert-vector-to-amx` maps onto AMX's `tdpbssd` (and that
    `convert-daq-conv-to-igemm{mma=amx}` emits):

    ```
    A [m][k][v] x B [k][n][v] -> C [m][n]     maps (m, k, v), (k, n, v) -> (m, n)
    ```

    (`m`, `n` parallel; `k`, `v` reductions; `v` the 4 bytes of a VNNI dword)
    into the one-reduction form that MLIR's generic vector lowering
    handles (`vector-contract-lowering=outerproduct`; no strategy of MLIR 22
    lowers the four-dimensional form):

    ```
    A' = shape_cast A          : [m][k * v]
    B' = shape_cast (transpose B [1, 0, 2]) : [n][k * v]
    C  = A' (m, K) x B' (n, K) -> (m, n)
    ```

    The sums are the same, over the same products (i32 addition wraps and is
    associative), so the result is bit-identical to `tdpbssd`'s. This is how
    the AMX form of the tiled implicit GEMM runs, and is checked, on CPUs
    without AMX. Contractions in any other form, and masked, scalable or
    floating-point ones (whose sums the flattening would reorder), are left
    unchanged.

    Example:

    ```mlir
    %r = vector.contract {indexing_maps = [affine_map<(m, n, k, v) -> (m, k, v)>,
                                           affine_map<(m, n, k, v) -> (k, n, v)>,
                                           affine_map<(m, n, k, v) -> (m, n)>],
                          iterator_types = ["parallel", "parallel", "reduction", "reduction"],
                          kind = #vector.kind<add>}
        %a, %b, %c : vector<16x16x4xi8>, vector<16x16x4xi8> into vector<16x16xi32>
    ```

    becomes a `vector<16x64xi8>, vector<16x64xi8> into vector<16x16xi32>`
    contraction with maps `(m, K), (n, K) -> (m, n)`.
  }];
  let dependentDialects = ["::mlir::vector::VectorDialect"];
}

#endif // DAQ_TRANSFORMS_PASSES_TD
