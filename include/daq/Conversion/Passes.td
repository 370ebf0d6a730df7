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

def ConvertDaqStatsToCpuKernels
    : Pass<"convert-daq-stats-to-cpu-kernels", "ModuleOp"> {
  let summary = "Lower gradient statistics and INT8 quantization to CPU kernels";
  let description = [{
    The CPU fast path of the gradient quantization of the backward pass:
    `daq.quantize_grad`, `daq.max_abs`, `daq.mcs_clip` and `daq.quantize`
    on static-shaped f32 tensors of rank 1 or more become `daq.kernel_call`s of the
    daq runtime's vectorized, multithreaded statistics and quantization
    kernels (`include/daq/Runtime/StatsKernels.h`):

    * `daq.quantize_grad` writes both INT8 copies, per-channel and
      per-tensor codes, in one pass over the gradient (`@daq_cpu_quantize2`);
      with `#daq.mcs` its per-channel and per-tensor MCS steps share the same
      three passes (`@daq_cpu_mcs_clip2`), other strategies keep their clip
      ops (built as `--daq-decompose-quantize-grad` builds them, then lowered
      here when they are `daq.max_abs` or `daq.mcs_clip`);
    * `daq.mcs_clip` reads the gradient three times, as the exact two-pass
      definition needs (max-abs and f64 sum; f64 sum of squared deviations;
      count above sigma), and returns the clip and the classification packed
      as a `tensor<2xCxf32>` (`@daq_cpu_mcs_clip`);
    * `daq.max_abs` and `daq.quantize` read it once.
    * Stochastic rounding (`daq.quantize`, `daq.quantize_grad`) calls the
      `_stochastic` forms of the quantization kernels, which also take the
      op's step (a `tensor<1xi64>`) and its seed: the reference's
      Philox-4x32-10 of (element index, step) per element, multithreaded
      but not vectorized.

    Every tensor crosses as a rank-3 view `[outer, channels, inner]`
    (`tensor.collapse_shape`/`expand_shape`; per tensor `[1, 1, n]`), so one
    entry point takes NCHW, NHWC and any other axis. Per channel, the results
    are bit for bit those of `--convert-daq-to-linalg` (each channel's f64
    sums add its elements in the reference's order). Per tensor, the f64 sums
    of `daq.mcs_clip` add parallel partial sums, which may differ from the
    reference's sequential sum in the last bits, so the classification of an
    element within an ulp of sigma (a near tie) may differ.

    Kernel variants (`kernel`) as for `--convert-daq-qconv-to-cpu-kernels`:
    `portable`, `avx2`, or `avx512-vnni`/`amx` that both run the AVX-512
    code (`auto`: the best the CPU has); the test-only
    `avx512-vnni-model`/`amx-model` run the AVX-512 rows on a software
    model of the instructions. `DAQ_CPU_KERNEL` overrides the choice at run
    time. Dynamic shapes, rank-0 and empty tensors are left to
    `--convert-daq-to-linalg`, or rejected with `strict`.

    Example:

    ```mlir
    %q = daq.quantize %x, %s {granularity = #daq.granularity<per_axis = 1>}
        : (tensor<8x16x14x14xf32>, tensor<16xf32>) -> tensor<8x16x14x14xi8>
    ```

    becomes

    ```mlir
    %flat = tensor.collapse_shape %x [[0, 1, 2, 3]]
        : tensor<8x16x14x14xf32> into tensor<25088xf32>
    %v = tensor.expand_shape %flat [[0, 1, 2]] output_shape [8, 16, 196]
        : tensor<25088xf32> into tensor<8x16x196xf32>
    %init = tensor.empty() : tensor<8x16x196xi8>
    %c = daq.kernel_call @daq_cpu_quantize(%v, %s) outs(%init) scalars([0])
        : (tensor<8x16x196xf32>, tensor<16xf32>), tensor<8x16x196xi8>
          -> tensor<8x16x196xi8>
    ```

    followed by the reshape of `%c` back to `tensor<8x16x14x14xi8>`.
  }];
  let options = [
    Option<"kernel", "kernel", "std::string", /*default=*/"\"auto\"",
           "Kernel variant: 'auto', 'portable', 'avx2', 'avx512-vnni' "
           "or 'amx' (tests: 'avx512-vnni-model', 'amx-model')">,
    Option<"strict", "strict", "bool", /*default=*/"false",
           "Fail on ops the kernels do not take instead of leaving them to "
           "convert-daq-to-linalg">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::bufferization::BufferizationDialect",
                           "::mlir::func::FuncDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::tensor::TensorDialect"];
}

def ConvertDaqQConvToCpuKernels
    : Pass<"convert-daq-qconv-to-cpu-kernels", "ModuleOp"> {
  let summary = "Lower INT8 convolutions to calls of the CPU INT8 kernels";
  let description = [{
    The CPU fast path of `daq.qconv2d`, `daq.qconv2d_backward_data` and
    `daq.qconv2d_backward_filter`: each op with static shapes becomes a call of
    the daq runtime's implicit-GEMM INT8 kernels (IREE "ukernel" style: the
    compiler chooses the mapping and the variant, the runtime library holds
    the packing, the register-blocked microkernels, the threading and the
    fused quantize-on-load and dequantizing epilogue; see
    `docs/design.md`). The result is bit for bit what
    `--convert-daq-to-linalg` computes.

    Each op becomes a `daq.kernel_call` in destination-passing style (its
    inputs, rank-0 clips expanded to `tensor<1xf32>`, and a `tensor.empty`
    init), which one-shot bufferization turns into a `func.call` on the
    buffers, so the analysis sees the reads and the write where the call
    stands. The callee is one of four private declarations
    `@daq_cpu_qconv2d_<lhs>_<rhs>` (`<lhs>`, `<rhs>` = `i8` or `f32`) taking
    memrefs with fully dynamic strided layouts, with
    `llvm.emit_c_interface`; the JIT (`daq-run`, the Python package) binds
    their `_mlir_ciface_` symbols. Scalars: direction (0 forward,
    1 backward-data, 2 backward-filter), layout (0 NCHW, 1 NHWC), strides,
    top/left padding, dilations, groups and the kernel variant.

    Kernel variants (`kernel`): `portable` (scalar C++, any CPU), `avx2`
    (`vpmaddwd` on int16 pairs), `avx512-vnni` (`vpdpwssd`), `amx`
    (`tdpbssd` tiles), or `auto` (the best one CPUID reports at run time,
    in the order AMX, AVX512-VNNI, AVX2, portable). The `DAQ_CPU_KERNEL`
    environment variable overrides the compiled choice at run time; a
    forced variant the CPU lacks makes the call fail with an error that
    names the missing features. `DAQ_CPU_FEATURES=sse2|avx2|avx512` caps
    the instruction sets the kernels use (`auto`'s choice and the packing
    and epilogue helpers), as if the CPU had no more: tests run the
    helpers' SSE2 and AVX2 forms with it on any CPU.

    For tests only, `avx512-vnni-model` and `amx-model` run the
    `avx512-vnni` and `amx` microkernels compiled against a software model
    of their intrinsics (`lib/CpuKernels/IsaModel.h`) on any x86-64 CPU:
    the same driver, packing, blocking and tile configuration, checked for
    exact integer results, much slower; `auto` never picks them.

    The kernels quantize on load to nearest-even; with stochastic rounding,
    each f32 operand is first quantized by a `daq.quantize` with the op's
    rounding and step (per tensor, or along the output channels), which
    gives the same codes (on-load quantization uses the operand's own
    element index) and which `--convert-daq-stats-to-cpu-kernels` lowers.
    Ops the kernels do not take (dynamic shapes) are left to
    `--convert-daq-to-linalg`, or rejected with `strict`.

    Example:

    ```mlir
    %y = daq.qconv2d %x[%sx], %w[%sw] {conv = #daq.conv<layout = nchw, padding = [1, 1, 1, 1]>}
        : (tensor<8x16x14x14xi8>, tensor<f32>, tensor<32x16x3x3xi8>, tensor<32xf32>)
          -> tensor<8x32x14x14xf32>
    ```

    becomes

    ```mlir
    %sxe = tensor.expand_shape %sx [] output_shape [1] : tensor<f32> into tensor<1xf32>
    %init = tensor.empty() : tensor<8x32x14x14xf32>
    %y = daq.kernel_call @daq_cpu_qconv2d_i8_i8(%x, %sxe, %w, %sw) outs(%init)
        scalars([0, 0, 1, 1, 1, 1, 1, 1, 1, 0]) : (...), tensor<8x32x14x14xf32>
          -> tensor<8x32x14x14xf32>
    ```
  }];
  let options = [
    Option<"kernel", "kernel", "std::string", /*default=*/"\"auto\"",
           "Microkernel variant: 'auto', 'portable', 'avx2', 'avx512-vnni' "
           "or 'amx' (tests: 'avx512-vnni-model', 'amx-model')">,
    Option<"strict", "strict", "bool", /*default=*/"false",
           "Fail on INT8 convolutions the kernels do not take instead of "
           "leaving them to convert-daq-to-linalg">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::bufferization::BufferizationDialect",
                           "::mlir::func::FuncDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::tensor::TensorDialect"];
}

def ConvertDaqConvToIgemm : Pass<"convert-daq-conv-to-igemm"> {
  let summary = "Lower the INT8 convolutions to a tiled implicit GEMM on vector.contract";
  let description = [{
    Rewrites `daq.qconv2d`, `daq.qconv2d_backward_data` and
    `daq.qconv2d_backward_filter` into one tiled implicit-GEMM algorithm,
    each direction being only an index mapping onto `(M, N, K)`:

    | direction | A (M x K) | B (N x K) | C (M x N) |
    |---|---|---|---|
    | forward | X (im2col), M = N*OH*OW | W, N = O/G | Y |
    | backward-data | GY (stride gather), M = N*H*W | W, N = C/G | GX |
    | backward-filter | GY, M = O/G | X (im2col), N = C/G*KH*KW | GW |

    with `K` the remaining sum (`C/G*KH*KW`, `O/G*KH*KW`, `N*OH*OW`) and one
    GEMM per group. For every `tile-m x tile-n` block of C and every
    `tile-k` slice of K, the i8 operand tiles are staged in shared memory
    (`memref<stages x rows x tile-k x i8, #gpu.address_space<workgroup>>`)
    with K contiguous for both A and B (`nvgpu.ldmatrix` transposes only
    16-bit elements); elements outside the GEMM, the padded image or the
    stride grid are zeros; `f32` operands are quantized as they are loaded
    (per-tensor or per-channel clip, nearest-even, the formula of
    `daq.quantize`). i8 operands whose K runs are contiguous in memory
    (forward X in NHWC and W, backward-data GY in NHWC, backward-filter GY
    in NCHW) are copied in aligned 16-, 8- or 4-byte pieces: on the GPU
    with `nvgpu.device_async_copy` (cp.async, zero fill outside the image)
    when `async-copy` is set, otherwise with vector loads and stores. The
    K loop is software-pipelined over `stages` buffers: K tile `kt + stages
    - 1` is staged (one async group per tile) while tile `kt` is
    multiplied. Each warp computes its `warp-m x warp-n` tile as mma-sized
    `vector.contract`s (`i8 x i8 -> i32`, maps `(m, k), (n, k) -> (m, n)`)
    accumulated in an i32 tile in shared memory, and the f32 epilogue
    `float(acc) * (clip_a * clip_b / 16129)` applies per-channel clips.
    With `accumulate`, an elementwise `linalg.generic` add that is the only
    use of the convolution and adds a gradient computed before it (a
    tensor with two consumers, such as a residual block's input) is fused:
    the epilogue adds the earlier gradient, in the add's operand order.
    (The accumulators stay in shared memory rather than in registers carried
    by the K loop: MLIR 22's `convert-vector-to-gpu` cannot convert a K loop
    that carries them and also contains the scalar staging code.)

    `target=gpu` emits one `gpu.launch` per convolution (grid: M tiles, N
    tiles, groups; `32 * warps` threads). `target=cpu` emits the same
    algorithm with the block, thread and warp loops as `scf.for`, so the
    tiled form runs on the
    CPU and is checked bit for bit against `convert-daq-to-linalg`.

    `mma=amx` (with `target=cpu`) shapes the products for AMX's `tdpbssd`:
    16x16 i32 tiles over 64-deep K slices, B staged in the VNNI layout
    (`memref<stages x tile-k/4 x tile-n x 4 x i8>`, 4-byte pieces for
    contiguous runs), A read through a `[.., tile-k/4, 4]` view of its tile,
    and one `vector.contract` per 16x16 tile and slice with maps
    `(m, k, v), (k, n, v) -> (m, n)` whose accumulator is read from and
    written back to the C tile. `convert-vector-to-amx` turns each into
    `amx.tile_load` x 3, `amx.tile_muli` and `amx.tile_store` on the
    shared tiles; `daq-flatten-vnni-contractions` makes them plain
    contractions for CPUs without AMX.
    Operands are read through `bufferization.to_buffer`, the result is
    written into a new buffer returned by `bufferization.to_tensor`.

    Rejected with a diagnostic: dynamic shapes, stochastic rounding (the
    reference lowering implements it), tile sizes that are not multiples of
    the warp and mma shapes, fewer than 2 stages, more than 1024 threads,
    and on the GPU more than 48 KiB of shared memory.

    Example (`target=cpu tile-m=32 tile-n=16 tile-k=32 warp-m=16 warp-n=8`):

    ```mlir
    %y = daq.qconv2d %qx[%sx], %qw[%sw] {conv = #daq.conv<layout = nchw, padding = [1, 1, 1, 1]>}
        : (tensor<1x3x9x9xi8>, tensor<f32>, tensor<17x3x3x3xi8>, tensor<17xf32>)
          -> tensor<1x17x9x9xf32>
    ```

    becomes loops over `(group, n tile, m tile)` that stage `memref<3x32x32xi8>`
    and `memref<3x16x32xi8>` tiles and accumulate
    `vector.contract ... : vector<16x32xi8>, vector<8x32xi8> into vector<16x8xi32>`.
  }];
  let options = [
    Option<"target", "target", "std::string", /*default=*/"\"gpu\"",
           "'gpu' (gpu.launch) or 'cpu' (scf.for loops)">,
    Option<"tileM", "tile-m", "int64_t", /*default=*/"64",
           "Rows of C per thread block">,
    Option<"tileN", "tile-n", "int64_t", /*default=*/"64",
           "Columns of C per thread block">,
    Option<"tileK", "tile-k", "int64_t", /*default=*/"64",
           "Depth of one shared-memory K slice">,
    Option<"warpM", "warp-m", "int64_t", /*default=*/"32",
           "Rows of C per warp">,
    Option<"warpN", "warp-n", "int64_t", /*default=*/"32",
           "Columns of C per warp">,
    Option<"mma", "mma", "std::string", /*default=*/"\"m16n8k32\"",
           "Shape of one vector.contract: 'm16n8k32' (sm_80+), "
           "'m8n8k16' (sm_75) or, on the CPU, 'amx' (16x16x64 in the VNNI "
           "layout of AMX's tdpbssd)">,
    Option<"stages", "stages", "int64_t", /*default=*/"3",
           "Shared-memory buffers of A and B: the K loop stages tile "
           "k + stages - 1 while it multiplies tile k (at least 2)">,
    Option<"asyncCopy", "async-copy", "bool", /*default=*/"true",
           "On the GPU, copy contiguous i8 runs with nvgpu.device_async_copy "
           "(cp.async, sm_80+); otherwise with vector loads and stores">,
    Option<"splitK", "split-k", "int64_t", /*default=*/"0",
           "Blocks sharing one C tile's K range, their i32 partials summed "
           "by a second kernel; 0: automatic on the GPU (when the C tiles "
           "give fewer than 264 blocks), none on the CPU">,
    Option<"accumulate", "accumulate", "bool", /*default=*/"true",
           "Fuse an elementwise add of an earlier gradient that is the only "
           "use of a convolution into its epilogue">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::bufferization::BufferizationDialect",
                           "::mlir::gpu::GPUDialect",
                           "::mlir::index::IndexDialect",
                           "::mlir::LLVM::LLVMDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::nvgpu::NVGPUDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::vector::VectorDialect"];
}

def ConvertDaqStatsToGpu : Pass<"convert-daq-stats-to-gpu"> {
  let summary = "Lower daq.mcs_clip, daq.max_abs and daq.quantize to GPU kernels";
  let description = [{
    Rewrites `daq.mcs_clip` and `daq.max_abs` (per tensor or per axis) on
    static-shaped, non-empty f32 tensors into a few grid reductions, and
    `daq.quantize` into an elementwise kernel. The
    input is seen as `[outer, channels, inner]` (per tensor `[1, 1, n]`),
    each channel's `M = outer * inner` elements are cut into `S` slices and
    a grid of `(channel, slice)` blocks of `block-size` threads reduces each
    slice: every thread accumulates a strided run of the slice (consecutive
    threads read consecutive elements), then a shared-memory tree with
    barriers combines the threads, and thread 0 writes the slice's partial
    result. `S` is chosen to give about `blocks` blocks, with at least one
    element per thread.

    `daq.mcs_clip` follows the exact two-pass definition and reads the
    gradient three times: (1) per slice `max |g|` (NaN-propagating) and the
    f64 sum; (2) the channel mean from the partial sums, per slice the f64
    sum of squared deviations; (3) `sigma = sqrt(squares / M)`, per slice
    the count of `|g| > sigma`; then one thread per channel computes the
    maximum, `r = count / M`, the classification `r > lambda` and the clip
    update exactly as `--convert-daq-to-linalg` does. `daq.max_abs` reads
    the gradient once (step 1 without the sum, then the maximum of the
    partial maxima).

    All sums have a fixed order (per thread, the tree, the slices in order):
    results do not depend on scheduling, and `target=cpu` (the block and
    thread loops as `scf.for`, barriers between loops) computes the same
    bits as `target=gpu` (`gpu.launch`). Max-abs and the clip arithmetic are
    those of the reference; the f64 sums add in another order than the
    reference's sequential sum, so a channel with an element within an ulp
    of sigma (a near tie) may be classified differently.

    `daq.quantize` with nearest-even rounding (per tensor or per axis)
    reads its input once: a grid of at most `blocks` blocks runs a
    grid-stride loop over the elements, each quantized with its channel's
    clip by the formula of `--convert-daq-to-linalg` (bit for bit).

    Rejected with a diagnostic: dynamic shapes, empty tensors and stochastic
    rounding.

    Example (`target=cpu block-size=32`):

    ```mlir
    %clip, %bell = daq.mcs_clip %gy, %prev {
        granularity = #daq.granularity<per_axis = 1>, params = #daq.mcs}
        : (tensor<2x3x5x7xf32>, tensor<3xf32>) -> (tensor<3xf32>, tensor<3xi1>)
    ```

    becomes four loop nests over `(slice, channel)` blocks of 32 threads:
    each channel's 70 elements in `S = 3` slices of 24, the partials in
    `memref<9xf32>` (max), `memref<9xf64>` (sums, squares) and
    `memref<9xi64>` (counts), then the update into `memref<3xf32>` and
    `memref<3xi1>`, returned through `bufferization.to_tensor`. With
    `target=gpu` each loop nest is a `gpu.launch` (grid `(3, 3)`, 32
    threads, `gpu.barrier` between the tree levels).
  }];
  let options = [
    Option<"target", "target", "std::string", /*default=*/"\"gpu\"",
           "'gpu' (gpu.launch) or 'cpu' (scf.for loops)">,
    Option<"blockSize", "block-size", "int64_t", /*default=*/"256",
           "Threads per block (a power of two, at most 1024)">,
    Option<"blocks", "blocks", "int64_t", /*default=*/"1024",
           "Target number of (channel, slice) blocks per reduction">,
    Option<"strict", "strict", "bool", /*default=*/"false",
           "Fail on any daq op left after the rewrite (daq-nvvm-pipeline: "
           "nothing else lowers daq ops for the GPU)">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::bufferization::BufferizationDialect",
                           "::mlir::gpu::GPUDialect",
                           "::mlir::index::IndexDialect",
                           "::mlir::LLVM::LLVMDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect"];
}

def ConvertAmxToIsaModel : Pass<"convert-amx-to-isa-model", "::mlir::ModuleOp"> {
  let summary = "Run amx dialect tiles on the software ISA model (tests)";
  let description = [{
    Rewrites the `amx` dialect operations of every function into calls of
    the runtime's software model of the AMX instructions
    (`include/daq/Runtime/AmxTileModel.h` on `lib/CpuKernels/IsaModel.h`,
    the model the C++ `amx-model` kernel variant runs on), so that code
    generated for AMX tiles runs, and is checked, on CPUs without AMX:

    | op | call (addresses and strides in bytes) |
    |---|---|
    | `amx.tile_zero` | `daq_amx_model_tile_zero(tile, rows, colsb)` |
    | `amx.tile_load` | `daq_amx_model_tile_load(tile, address, stride, rows, colsb)` |
    | `amx.tile_store` | `daq_amx_model_tile_store(address, stride, tile, rows, colsb)` |
    | `amx.tile_muli` (signed) | `daq_amx_model_tdpbssd(result, acc, lhs, rhs, then (rows, colsb) of acc, lhs and rhs)` |

    Each tile value becomes a 1 KiB stack buffer (16 rows of 64 bytes)
    allocated once in the function's entry block; `address` is the memref's
    aligned pointer plus its offset and the indices times the strides (from
    `memref.extract_strided_metadata`), and `stride` the explicit stride or
    that of the memref's second-innermost dimension, as `amx.tile_load` and
    `amx.tile_store` define them. Each call configures the model's tiles for
    its operation, so the model's checks (palette, shapes, tdpbssd's M / K /
    N agreement, strides) apply to every operation.

    Rejected with a diagnostic: `amx.tile_mulf` and zero-extended
    `amx.tile_muli` operands (only the signed `tdpbssd` is modelled), and
    tiles that enter a function as arguments or leave the amx operations
    (returned, yielded), which have no buffer.

    Example:

    ```mlir
    %t = amx.tile_load %a[%i, %c0] : memref<32x64xi8> into !amx.tile<16x64xi8>
    ```

    becomes (the buffer `%buf` allocated at the function's entry)

    ```mlir
    %base, %offset, %sizes:2, %strides:2 = memref.extract_strided_metadata %a : ...
    %ptr = memref.extract_aligned_pointer_as_index %a : memref<32x64xi8> -> index
    ... address = ptr + (offset + i * strides#0 + c0 * strides#1) * element bytes ...
    func.call @daq_amx_model_tile_load(%tile, %address, %stride, %c16, %c64)
        : (i64, i64, i64, i64, i64) -> ()
    ```
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::func::FuncDialect",
                           "::mlir::memref::MemRefDialect"];
}

def DaqPromoteSharedAllocs : Pass<"daq-promote-shared-allocs", "::mlir::gpu::GPUFuncOp"> {
  let summary = "Turn workgroup-space memref.alloc in a kernel into workgroup attributions";
  let description = [{
    `nvgpu-optimize-shared-memory` swizzles shared-memory buffers that are
    `memref.alloc`s in the workgroup address space, but the NVVM lowering
    only places workgroup attributions of a `gpu.func` in shared memory (an
    alloc would become a `malloc`). This pass runs after the swizzle: every
    `memref.alloc` with a static shape in `#gpu.address_space<workgroup>`
    directly in the body of a kernel becomes a workgroup attribution of the
    kernel, and any `memref.dealloc` of it is dropped.

    Example:

    ```mlir
    gpu.func @k() kernel {
      %a = memref.alloc() : memref<64x64xi8, #gpu.address_space<workgroup>>
      ...
    }
    ```

    becomes

    ```mlir
    gpu.func @k() workgroup(%a : memref<64x64xi8, #gpu.address_space<workgroup>>) kernel {
      ...
    }
    ```
  }];
  let dependentDialects = ["::mlir::gpu::GPUDialect",
                           "::mlir::memref::MemRefDialect"];
}

#endif // DAQ_CONVERSION_PASSES_TD
