"""daq.Module, daq.run_pipeline and the C API underneath: results, and clear
errors (never a crash) for bad IR, bad pipelines and bad arguments."""

import ctypes
import os
import subprocess
import sys

import numpy as np
import pytest

import daq
from daq import _capi

from conftest import PACKAGE_ROOT, REPOSITORY

SCALE = """
func.func @scale(%x: tensor<2x3xf32>, %s: f32) -> tensor<2x3xf32> {
  %e = tensor.empty() : tensor<2x3xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>,
                                        affine_map<(i, j) -> (i, j)>],
                       iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<2x3xf32>) outs(%e : tensor<2x3xf32>) {
  ^bb0(%a: f32, %b: f32):
    %m = arith.mulf %a, %s : f32
    linalg.yield %m : f32
  } -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

func.func @quant(%x: tensor<?x4xf32>) -> (tensor<f32>, i64) {
  %c = daq.max_abs %x {granularity = #daq.granularity<per_tensor>}
      : tensor<?x4xf32> -> tensor<f32>
  %k = arith.constant 7 : i64
  return %c, %k : tensor<f32>, i64
}
"""


@pytest.fixture(scope="module")
def module():
    return daq.Module(SCALE)


def test_signature(module):
    assert module.functions == ("scale", "quant")
    sig = module.signature("scale")
    assert [v.type_name for v in sig.inputs] == ["tensor<2x3xf32>", "f32"]
    assert sig.inputs[1].is_scalar and sig.inputs[1].shape == ()
    assert sig.results[0].dtype == np.float32
    assert sig.results[0].shape == (2, 3)
    assert module.signature("quant").inputs[0].shape == (None, 4)
    assert str(sig) == "scale(tensor<2x3xf32>, f32) -> (tensor<2x3xf32>)"


def test_invoke_numpy_torch_and_scalars(module):
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    np.testing.assert_array_equal(module.invoke("scale", x, 2.0), 2 * x)
    # Non-contiguous views are copied; Python ints convert to f32 exactly.
    xt = np.arange(6, dtype=np.float32).reshape(3, 2).T
    np.testing.assert_array_equal(module.invoke("scale", xt, 3), 3 * xt)
    # A dynamic dimension takes any size; several results come as a tuple.
    clip, k = module.invoke("quant", -np.arange(20, dtype=np.float32)
                            .reshape(5, 4))
    assert clip.shape == () and clip == 19 and k == 7 and k.dtype == np.int64


def test_invoke_torch():
    torch = pytest.importorskip("torch")
    module = daq.Module(SCALE)
    x = torch.arange(6, dtype=torch.float32).reshape(2, 3).requires_grad_()
    y = module.invoke("scale", x, torch.tensor(0.5))
    np.testing.assert_array_equal(y, 0.5 * x.detach().numpy())
    with pytest.raises(TypeError, match="expected dtype float32, got float64"):
        module.invoke("scale", x.double(), 1.0)


def test_call_needs_a_name_when_ambiguous(module):
    with pytest.raises(daq.DaqError, match="2 entry points"):
        module(np.zeros((2, 3), np.float32), 1.0)
    single = daq.Module("func.func @f(%x: tensor<2xi8>) -> tensor<2xi8> {"
                        " return %x : tensor<2xi8> }")
    np.testing.assert_array_equal(single(np.array([1, -2], np.int8)), [1, -2])


def test_wrong_inputs_are_clear_errors(module):
    x = np.zeros((2, 3), np.float32)
    with pytest.raises(TypeError, match=r"input 0 \(tensor<2x3xf32>\): "
                       r"expected dtype float32, got float64"):
        module.invoke("scale", x.astype(np.float64), 1.0)
    with pytest.raises(ValueError, match=r"expected shape \(2, 3\), got "
                       r"\(3, 2\)"):
        module.invoke("scale", x.T.copy(), 1.0)
    with pytest.raises(ValueError, match=r"expected shape \(\?, 4\)"):
        module.invoke("quant", np.zeros((4, 3), np.float32))
    with pytest.raises(TypeError, match="takes 2 inputs"):
        module.invoke("scale", x)
    with pytest.raises(ValueError, match="expected a scalar"):
        module.invoke("scale", x, np.ones(2, np.float32))
    with pytest.raises(TypeError, match="expected float32 values"):
        module.invoke("scale", x, "two")
    with pytest.raises(daq.DaqError, match=r"no function named 'nope'.*"
                       r"entry points: scale, quant"):
        module.invoke("nope")


def test_bad_ir_is_a_clear_error():
    with pytest.raises(daq.DaqError, match="expected non-function type"):
        daq.Module("func.func @f(")
    # A verifier error of a daq op, with its location and message.
    with pytest.raises(daq.DaqError, match=r"'daq.quantize' op"):
        daq.Module("""
func.func @f(%x: tensor<4xf32>, %c: tensor<3xf32>) -> tensor<4xi8> {
  %q = daq.quantize %x, %c {granularity = #daq.granularity<per_axis = 0>}
      : (tensor<4xf32>, tensor<3xf32>) -> tensor<4xi8>
  return %q : tensor<4xi8>
}""")


def test_run_pipeline():
    out = daq.run_pipeline(SCALE, "builtin.module(canonicalize)")
    assert "func.func @scale" in out and "daq.max_abs" in out
    # Without an anchor the pipeline runs on the module.
    assert daq.run_pipeline(SCALE, "cse") == daq.run_pipeline(
        SCALE, "builtin.module(cse)")


def test_training_pipeline_end_to_end():
    """Torch-MLIR's training step through daq-training-pipeline, compiled
    and run: the INT8 step stays close to the FP32 one."""
    path = os.path.join(REPOSITORY, "test", "Inputs", "torch",
                        "conv_bias_dilated.mlir")
    with open(path) as f:
        fp32_ir = f.read()
    int8_ir = daq.run_pipeline(
        fp32_ir, "builtin.module(daq-training-pipeline{layers=all})")
    assert "daq.qconv2d_backward_filter" in int8_ir
    fp32, int8 = daq.Module(fp32_ir), daq.Module(int8_ir)
    name = fp32.functions[0]
    rng = np.random.default_rng(0)
    args = [rng.standard_normal(v.shape).astype(np.float32)
            for v in fp32.signature(name).inputs]
    ref = fp32.invoke(name, *args)
    state = [np.full(v.shape, -1.0, np.float32)
             for v in int8.signature(name).inputs[len(args):]]
    got = int8.invoke(name, *args, *state)
    assert len(got) == len(ref) + len(state)
    # Two layers with a ReLU between them: the errors of both compound, and
    # a sign flip of the quantized forward changes the ReLU's mask. This is
    # a smoke test; tests/test_torch.py checks one layer against a bound.
    for r, g in zip(ref, got):
        assert np.linalg.norm(g - r) <= 0.25 * np.linalg.norm(r)


def test_pipeline_errors():
    with pytest.raises(daq.DaqError, match="'no-such-pass' does not refer to "
                       "a registered pass"):
        daq.run_pipeline(SCALE, "builtin.module(no-such-pass)")
    with pytest.raises(daq.DaqError, match="must be anchored on "
                       "'builtin.module'"):
        daq.run_pipeline(SCALE, "func.func(canonicalize)")
    with pytest.raises(daq.DaqError, match="failed to add "
                       "`daq-training-pipeline` with options `layerz=all`"):
        daq.run_pipeline(SCALE, "daq-training-pipeline{layerz=all}")
    with pytest.raises(daq.DaqError, match="'clip' must be 'mcs', 'max' or "
                       "'dsgc', got 'bogus'"):
        daq.run_pipeline(SCALE, "daq-training-pipeline{clip=bogus}")
    with pytest.raises(daq.DaqError, match="the input is not a valid module"):
        daq.run_pipeline("func.func @f(", "canonicalize")
    with pytest.raises(TypeError):
        daq.run_pipeline(SCALE, None)


QCONV_NHWC = """
func.func @gx(%gy: tensor<2x4x4x7xi8>, %sgy: tensor<f32>, %w: tensor<7x3x3x5xi8>,
              %sw: tensor<f32>) -> tensor<2x7x7x5xf32> {
  %gx = daq.qconv2d_backward_data %gy[%sgy], %w[%sw]
      {conv = #daq.conv<layout = nhwc, strides = [2, 2], padding = [1, 1, 1, 1]>}
      : (tensor<2x4x4x7xi8>, tensor<f32>, tensor<7x3x3x5xi8>, tensor<f32>)
        -> tensor<2x7x7x5xf32>
  return %gx : tensor<2x7x7x5xf32>
}
"""


def _cpu_has_amx():
    """AMX-INT8 in /proc/cpuinfo and the OS's permission for the tile state
    (arch_prctl ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA), as the JIT checks."""
    with open("/proc/cpuinfo") as f:
        if not any(line.startswith("flags") and {"amx_tile", "amx_int8"} <=
                   set(line.split(":", 1)[1].split()) for line in f):
            return False
    libc = ctypes.CDLL(None, use_errno=True)
    return libc.syscall(158, 0x1023, 18) == 0


def test_amx_tiles_through_run_pipeline():
    """The AMX form of the tiled implicit GEMM from Python: run_pipeline to
    AMX tiles on the software model (any CPU) equals the default CPU
    kernels bit for bit; AMX tiles for the hardware run where the CPU has
    AMX-INT8 and are a clear error elsewhere."""
    rng = np.random.default_rng(7)
    gy = rng.integers(-127, 128, (2, 4, 4, 7), dtype=np.int8)
    w = rng.integers(-127, 128, (7, 3, 3, 5), dtype=np.int8)
    args = (gy, np.float32(0.37), w, np.float32(0.011))
    ref = daq.Module(QCONV_NHWC).invoke("gx", *args)
    tiles = ("mma=amx tile-m=16 tile-n=16 tile-k=64 warp-m=16 warp-n=16 "
             "stages=2")
    model_ir = daq.run_pipeline(
        QCONV_NHWC,
        "builtin.module(daq-igemm-cpu-pipeline{%s amx-model=true})" % tiles)
    assert "daq_amx_model_tdpbssd" in model_ir
    got = daq.Module(model_ir).invoke("gx", *args)
    np.testing.assert_array_equal(got.view(np.int32), ref.view(np.int32))
    tiles_ir = daq.run_pipeline(
        QCONV_NHWC,
        "builtin.module(daq-igemm-cpu-pipeline{%s amx-tiles=true})" % tiles)
    assert "llvm.x86.tdpbssd.internal" in tiles_ir
    if _cpu_has_amx():
        got = daq.Module(tiles_ir).invoke("gx", *args)
        np.testing.assert_array_equal(got.view(np.int32), ref.view(np.int32))
    else:
        with pytest.raises(daq.DaqError, match="uses AMX tile instructions"):
            daq.Module(tiles_ir)


def test_gpu_pipeline_through_run_pipeline():
    """daq-nvvm-pipeline from Python (no GPU needed): the convolution becomes
    a GPU binary whose PTX multiplies with INT8 mma.sync."""
    out = daq.run_pipeline(
        QCONV_NHWC, "builtin.module(daq-nvvm-pipeline{chip=sm_80 format=isa})")
    assert "gpu.binary" in out
    assert "mma.sync.aligned.m16n8k32.row.col.satfinite.s32.s8.s8.s32" in out


def test_c_api_rejects_bad_arguments(module):
    """Arguments a foreign caller gets wrong are errors, not crashes."""
    lib = _capi.lib()
    error = ctypes.c_void_p()

    def message(status):
        assert status != 0
        return _capi.take_string(error.value)

    handle = ctypes.c_void_p()
    assert "optimization level" in message(lib.daqModuleCreate(
        b"", 0, None, 7, ctypes.byref(handle), ctypes.byref(error)))
    assert "'module' is NULL" in message(lib.daqModuleCreate(
        b"", 0, None, 2, None, ctypes.byref(error)))
    assert "'module' is NULL" in message(lib.daqModuleGetSignature(
        None, b"f", None, None, None, ctypes.byref(error)))
    assert "'function' is NULL" in message(lib.daqModuleGetSignature(
        module._handle, None, None, None, None, ctypes.byref(error)))
    assert "has 2 inputs, no number 5" in message(lib.daqModuleGetValueInfo(
        module._handle, b"scale", 0, 5, ctypes.byref(_capi.DaqValueInfo()),
        ctypes.byref(error)))
    assert "output buffers" in message(lib.daqModuleInvoke(
        module._handle, b"scale", None, 0, None, 0, ctypes.byref(error)))

    out = np.zeros((2, 3), np.float32)
    x = np.zeros((2, 3), np.float32)
    s = np.zeros((), np.float32)
    shape = (ctypes.c_int64 * 2)(2, 3)
    bad_shape = (ctypes.c_int64 * 2)(-2, 3)

    def buf(array, dtype=0, rank=None, dims=shape):
        b = _capi.DaqBuffer()
        b.data = array.ctypes.data if array is not None else None
        b.dtype = dtype
        b.rank = array.ndim if rank is None else rank
        b.shape = ctypes.cast(dims, ctypes.POINTER(ctypes.c_int64))
        return b

    def invoke(inputs, outputs):
        ins = (_capi.DaqBuffer * 2)(*inputs)
        outs = (_capi.DaqBuffer * 1)(*outputs)
        return message(lib.daqModuleInvoke(module._handle, b"scale", ins, 2,
                                           outs, 1, ctypes.byref(error)))

    good_s = buf(s, rank=0)
    assert "unknown dtype code 9" in invoke([buf(x, dtype=9), good_s],
                                            [buf(out)])
    assert "invalid shape [-2, 3]" in invoke([buf(x, dims=bad_shape), good_s],
                                             [buf(out)])
    assert "invalid rank -1" in invoke([buf(x, rank=-1), good_s], [buf(out)])
    assert "data pointer is NULL" in invoke([buf(None, rank=2), good_s],
                                            [buf(out)])
    assert "expected a buffer of dtype f32 and shape (2, 3)" in invoke(
        [buf(x), good_s], [buf(out, dtype=1)])
    assert "expected dtype f32, got i8" in invoke([buf(x, dtype=2), good_s],
                                                  [buf(out)])


def test_missing_library_is_a_clear_error():
    env = dict(os.environ, DAQ_CAPI_LIBRARY="/nonexistent/libDaqCAPI.so",
               PYTHONPATH=PACKAGE_ROOT)
    run = subprocess.run(
        [sys.executable, "-c", "import daq; daq.run_pipeline('', 'cse')"],
        env=env, capture_output=True, text=True, timeout=60)
    assert run.returncode != 0
    assert "cannot find libDaqCAPI.so" in run.stderr
    assert "DAQ_CAPI_LIBRARY" in run.stderr


def test_cache():
    before = daq.cache_size()
    daq.Module(SCALE + "\n// another text\n")
    assert daq.cache_size() == before + 1


IN_PLACE = """
#id = affine_map<(i) -> (i)>
func.func @double(%x: tensor<5xf32>)
    -> (tensor<5xf32>, tensor<5xf32>, tensor<5xf32>) {
  %y = linalg.generic {indexing_maps = [#id], iterator_types = ["parallel"]}
      outs(%x : tensor<5xf32>) {
  ^bb0(%b: f32):
    %m = arith.addf %b, %b : f32
    linalg.yield %m : f32
  } -> tensor<5xf32>
  return %y, %y, %x : tensor<5xf32>, tensor<5xf32>, tensor<5xf32>
}
func.func @twice(%x: tensor<5xf32>) -> tensor<5xf32> {
  %y = linalg.generic {indexing_maps = [#id], iterator_types = ["parallel"]}
      outs(%x : tensor<5xf32>) {
  ^bb0(%b: f32):
    %m = arith.addf %b, %b : f32
    linalg.yield %m : f32
  } -> tensor<5xf32>
  return %y : tensor<5xf32>
}
func.func @bump(%m: memref<3xf32>) -> f32 {
  %c0 = arith.constant 0 : index
  %one = arith.constant 1.0 : f32
  %v = memref.load %m[%c0] : memref<3xf32>
  %w = arith.addf %v, %one : f32
  memref.store %w, %m[%c0] : memref<3xf32>
  return %w : f32
}
"""


def test_inputs_are_read_in_place_and_never_written():
    """Tensor arguments are passed uncopied (daq.inputs_read_only) yet an
    in-place update inside the function leaves the caller's array alone;
    results computed into the caller's buffers stay distinct when one value
    is returned twice; memref arguments, which may be written, are copied."""
    module = daq.Module(IN_PLACE)
    x = np.arange(1, 6, dtype=np.float32)
    np.testing.assert_array_equal(module.invoke("twice", x), 2 * x)
    np.testing.assert_array_equal(module.invoke("twice", x), 2 * x)
    y1, y2, x_back = module.invoke("double", x)
    np.testing.assert_array_equal(x, np.arange(1, 6, dtype=np.float32))
    np.testing.assert_array_equal(y1, 2 * x)
    np.testing.assert_array_equal(y2, 2 * x)
    np.testing.assert_array_equal(x_back, x)
    assert len({a.ctypes.data for a in (x, y1, y2, x_back)}) == 4
    m = np.array([1, 2, 3], dtype=np.float32)
    assert module.invoke("bump", m) == 2.0
    assert module.invoke("bump", m) == 2.0
    np.testing.assert_array_equal(m, [1, 2, 3])


def test_results_are_cache_line_aligned():
    """The arrays a call allocates for its results start on a 64-byte line
    (the kernels stream large outputs in whole lines); so do
    empty_aligned's arrays of any shape and type."""
    module = daq.Module(IN_PLACE)
    x = np.arange(1, 6, dtype=np.float32)
    kept = []  # live results, so that later ones land at other addresses
    for _ in range(8):
        results = [module.invoke("twice", x)] + list(
            module.invoke("double", x))
        for result in results:
            assert result.ctypes.data % daq.compiler.RESULT_ALIGNMENT == 0
            assert result.flags.c_contiguous and result.flags.writeable
        np.testing.assert_array_equal(results[0], 2 * x)
        kept += results
    for shape, dtype in (((), np.float32), ((0, 3), np.int8),
                         ((2, 3, 5), np.int8), ((7,), np.float64)):
        a = daq.compiler.empty_aligned(shape, dtype)
        assert a.shape == shape and a.dtype == dtype and a.flags.c_contiguous
        # (an empty array has no data to place)
        assert a.size == 0 or a.ctypes.data % 64 == 0


def test_out_buffers_are_written_and_returned():
    """`out=` gives the results' buffers: they are written in place, returned,
    reused across calls, and checked before the call."""
    module = daq.Module(IN_PLACE)
    x = np.arange(1, 6, dtype=np.float32)
    out = np.full(5, np.nan, dtype=np.float32)
    for _ in range(2):
        assert module.invoke("twice", x, out=[out]) is out
        np.testing.assert_array_equal(out, 2 * x)
    outs = [np.zeros(5, dtype=np.float32) for _ in range(3)]
    got = module.invoke("double", x, out=outs)
    assert all(a is b for a, b in zip(got, outs))
    for array, want in zip(outs, (2 * x, 2 * x, x)):
        np.testing.assert_array_equal(array, want)
    scalar = np.zeros((), dtype=np.float32)
    assert module.invoke("bump", np.ones(3, np.float32), out=[scalar]) \
        is scalar
    assert scalar == 2.0

    bad = [
        (TypeError, "has 1 result, got 2 out buffers",
         [out, np.zeros(5, np.float32)]),
        (TypeError, "expected dtype float32, got float64",
         [np.zeros(5)]),
        (ValueError, r"expected shape \(5,\), got \(4,\)",
         [np.zeros(4, np.float32)]),
        (ValueError, "must be C-contiguous and writeable",
         [np.zeros(10, np.float32)[::2]]),
        (ValueError, "shares memory with an input", [x]),
        (TypeError, "expected a NumPy array, got list", [[0.0] * 5]),
    ]
    for error, message, buffers in bad:
        with pytest.raises(error, match=message):
            module(x, function="twice", out=buffers)
    with pytest.raises(ValueError, match="another out buffer"):
        module.invoke("double", x, out=[outs[0], outs[0], outs[1]])
    # Views of one array: overlapping ranges are refused, neighbours not.
    whole = np.arange(12, dtype=np.float32)
    with pytest.raises(ValueError, match="shares memory with an input"):
        module(whole[:5], function="twice", out=[whole[4:9]])
    got = module(whole[:5], function="twice", out=[whole[5:10]])
    np.testing.assert_array_equal(got, 2 * np.arange(5, dtype=np.float32))
