#!/usr/bin/python3
"""CPU convolution benchmark of issue 6: daq INT8 and FP32 against PyTorch.

One command (from the repository root, after scripts/build.sh):

    /usr/bin/python3 bench/cpu_conv.py

times, for the ResNet-18 convolution shapes at N=32 (SHAPES below), every
pass of every implementation:

  daq-int8     daq.qconv2d / qconv2d_backward_data / qconv2d_backward_filter
               on int8 codes (the dequantizing epilogue included, f32 out),
               and the whole backward from an f32 GY: daq.quantize_grad
               (MCS statistics + GVQ per-channel and per-tensor codes) + both
               INT8 convolutions, one compiled module per shape;
  daq-fp32     daq.conv2d / conv2d_backward_data / conv2d_backward_filter,
               and backward = both in one module;
  torch-fp32   F.conv2d and aten.convolution_backward (what autograd calls;
               oneDNN where PyTorch dispatches to it), NCHW;
  torch-bf16   the same in bfloat16, channels-last;
  onednn-int8  torch.ao.nn.quantized.Conv2d forward, quint8 activations,
               qint8 per-tensor weights, channels-last, on the 'onednn'
               quantized engine (fbgemm if onednn is missing).

daq-int8's convolutions run the CPU INT8 kernels that daq-cpu-pipeline
calls (--convert-daq-qconv-to-cpu-kernels: implicit GEMM, the CPU's
microkernel variant, all cores) and are timed at the full N; its backward's
quantize_grad runs the runtime's statistics kernels
(--convert-daq-stats-to-cpu-kernels). daq-fp32 is the reference lowering
(scalar loops, one thread): seconds per call at N=32. With --daq-batch auto
(default) the script times daq-fp32 at the largest batch that fits its
share of the time budget and scales the time by N / batch (linear in N
for these loops); every such record says so (`batch`, `scaled_from_batch`,
`ms_measured`) and the table marks it. Nothing is scaled silently.
--daq-batch B times both daq impls at batch B.

Timing: one warm-up call, then --reps calls (fewer once a measurement has
used --max-time seconds, at least 3), the median reported. The calls of a
shape's torch-fp32, torch-bf16, onednn-int8 and daq-int8 passes are timed
in rounds, each round timing every one of them once (right after an
untimed call of it), an implementation's passes in a row, 20 ms between
implementations (their threads' spinning settles), so that a slow stretch
of a shared machine falls on all of them alike instead of on whichever was
running then (daq-fp32, seconds a call, is timed after them).
Inputs are built
once and reused; glibc malloc is told (mallopt) to keep freed memory instead
of returning large blocks to the kernel, so that repeated calls reuse pages
(--allocator default keeps glibc's defaults; the JSON records which).

Output: a table on stdout and a JSON list of records (--json, default
bench/results/cpu-conv.json), one per (shape, pass, impl), with keys
shape, pass (fwd|dgrad|wgrad|backward), impl, ms, and extra keys: batch,
reps, times_ms, gops (GFLOP/s or GOP/s), pct_peak_here, pct_peak_targets,
speedup_vs_torch_fp32, speedup_vs_torch_bf16, backend, check_rel_l2 (the
output's relative L2 distance from the FP32 result on the same data), timing
("interleaved": in the rounds above; "alone": daq-fp32), and on
backward records peak memory and the statistics + quantization time. A
final record with impl "machine" (pass "info") holds the machine, the
measured ceilings and the settings.

--smoke runs one tiny shape, two rounds (seconds), for the lit test.
"""

import argparse
import ctypes
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(BENCH_DIR)
sys.path.insert(0, os.path.join(REPO, "python"))
DEFAULT_JSON = os.path.join(BENCH_DIR, "results", "cpu-conv.json")

IMPLS = ("daq-int8", "daq-fp32", "torch-fp32", "torch-bf16", "onednn-int8")
PASSES = ("fwd", "dgrad", "wgrad", "backward")

# Ceilings quoted in ../shared/docs/targets.md (Sapphire Rapids class, two
# threads). The AMX-BF16 figure is not in targets.md: it is derived as half
# the AMX-INT8 rate (TDPBF16PS does half the MACs of TDPBSSD per tile op).
TARGETS_PEAKS = {
    "fp32_gflops": 480.0,
    "vnni_int8_gops": 1900.0,
    "amx_int8_gops": 14500.0,
    "amx_bf16_gflops_derived": 7250.0,
    "bandwidth_gbs": 29.5,
}


class Shape:
    def __init__(self, name, cin, cout, hw, k, stride, pad, where):
        self.name, self.cin, self.cout, self.hw = name, cin, cout, hw
        self.k, self.stride, self.pad, self.where = k, stride, pad, where
        self.ohw = (hw + 2 * pad - k) // stride + 1

    def flops(self, n):
        """Multiply-adds x 2 of one pass (fwd, dgrad and wgrad are equal)."""
        return 2.0 * n * self.cout * self.cin * self.k * self.k * \
            self.ohw * self.ohw

    def describe(self):
        return ("%d->%d %dx%d k%d s%d p%d -> %dx%d" % (
            self.cin, self.cout, self.hw, self.hw, self.k, self.stride,
            self.pad, self.ohw, self.ohw))


# ResNet-18 on 224x224 images. The four stride-1 3x3 shapes are the body of
# each stage; the two stride-2 shapes are the first downsampling block's
# (layer2.0); layer3.0 and layer4.0 have the same kinds at 128->256 28x28 and
# 256->512 14x14 (not timed by default).
SHAPES = [
    Shape("3x3-64-56", 64, 64, 56, 3, 1, 1,
          "layer1.{0,1}.conv{1,2}"),
    Shape("3x3-128-28", 128, 128, 28, 3, 1, 1,
          "layer2.0.conv2, layer2.1.conv{1,2}"),
    Shape("3x3-256-14", 256, 256, 14, 3, 1, 1,
          "layer3.0.conv2, layer3.1.conv{1,2}"),
    Shape("3x3-512-7", 512, 512, 7, 3, 1, 1,
          "layer4.0.conv2, layer4.1.conv{1,2}"),
    Shape("3x3s2-64-128-56", 64, 128, 56, 3, 2, 1,
          "layer2.0.conv1 (stride-2 3x3)"),
    Shape("1x1s2-64-128-56", 64, 128, 56, 1, 2, 0,
          "layer2.0.downsample.0 (stride-2 1x1)"),
]
EXTRA_SHAPES = [
    Shape("3x3s2-128-256-28", 128, 256, 28, 3, 2, 1, "layer3.0.conv1"),
    Shape("1x1s2-128-256-28", 128, 256, 28, 1, 2, 0,
          "layer3.0.downsample.0"),
    Shape("3x3s2-256-512-14", 256, 512, 14, 3, 2, 1, "layer4.0.conv1"),
    Shape("1x1s2-256-512-14", 256, 512, 14, 1, 2, 0,
          "layer4.0.downsample.0"),
]
SMOKE_SHAPE = Shape("smoke-6-8-9s2", 6, 8, 9, 3, 2, 1,
                    "smoke test only (odd sizes, stride 2)")
ALL_SHAPES = {s.name: s for s in SHAPES + EXTRA_SHAPES + [SMOKE_SHAPE]}


# ---------------------------------------------------------------------------
# Process setup
# ---------------------------------------------------------------------------
def configure_allocator(mode):
    """'reuse': glibc keeps freed blocks (no mmap for large blocks, no trim),
    so buffers freed by one call are reused by the next without page faults.
    'default': glibc's dynamic mmap threshold (large blocks come fresh from
    the kernel each call)."""
    if mode != "reuse":
        return "glibc malloc, default settings"
    try:
        libc = ctypes.CDLL("libc.so.6")
        M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3
        ok = libc.mallopt(M_MMAP_THRESHOLD, 1 << 30) == 1 and \
            libc.mallopt(M_TRIM_THRESHOLD, 2 ** 31 - 1) == 1
    except OSError:
        ok = False
    if not ok:
        return "glibc malloc, default settings (mallopt failed)"
    return ("glibc malloc with mallopt(M_MMAP_THRESHOLD=1 GiB, "
            "M_TRIM_THRESHOLD=2 GiB): freed memory is kept and reused")


def cpu_info():
    model, flags = platform.processor() or "unknown", set()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                key, _, value = line.partition(":")
                key = key.strip()
                if key == "model name":
                    model = value.strip()
                elif key == "flags":
                    flags = set(value.split())
    except OSError:
        pass
    wanted = ["avx2", "fma", "avx512f", "avx512bw", "avx512_vnni",
              "avx512_bf16", "avx_vnni", "amx_tile", "amx_int8", "amx_bf16"]
    return {"model": model, "logical_cpus": os.cpu_count(),
            "isa": [f for f in wanted if f in flags]}


def measure_peaks(threads):
    """Compiles bench/peak.c with the first C compiler found and runs it;
    None if that fails."""
    source = os.path.join(BENCH_DIR, "peak.c")
    for cc in ("clang-22", "clang", "cc", "gcc"):
        path = shutil.which(cc)
        if not path:
            continue
        with tempfile.TemporaryDirectory() as tmp:
            exe = os.path.join(tmp, "peak")
            try:
                subprocess.run([path, "-O2", "-march=native", "-pthread",
                                source, "-o", exe], check=True,
                               capture_output=True, timeout=60)
                out = subprocess.run([exe, str(threads), "0.2"], check=True,
                                     capture_output=True, timeout=60,
                                     text=True).stdout
                result = json.loads(out)
                result["compiler"] = cc
                return result
            except (subprocess.SubprocessError, ValueError, OSError):
                continue
    return None


def onednn_backends(torch, engine):
    """Which implementation oneDNN picks (from DNNL_VERBOSE in a child
    process on a small shape), per impl; 'native' where oneDNN does not run
    at all (PyTorch's own kernels)."""
    code = r"""
import torch, torch.nn.functional as F, sys
torch.set_num_threads(1)
cb = torch.ops.aten.convolution_backward
which = sys.argv[1]
x = torch.randn(2, 16, 10, 10); w = torch.randn(16, 16, 3, 3)
gy = torch.randn(2, 16, 10, 10)
if which == "torch-bf16":
    cl = torch.channels_last
    x, w, gy = [t.bfloat16().contiguous(memory_format=cl) for t in (x, w, gy)]
print("@@fwd", flush=True); F.conv2d(x, w, padding=1)
print("@@dgrad", flush=True)
cb(gy, x, w, None, [1, 1], [1, 1], [1, 1], False, [0, 0], 1,
   (True, False, False))
print("@@wgrad", flush=True)
cb(gy, x, w, None, [1, 1], [1, 1], [1, 1], False, [0, 0], 1,
   (False, True, False))
if which == "onednn-int8":
    import torch.ao.nn.quantized as nnq
    torch.backends.quantized.engine = sys.argv[2]
    m = nnq.Conv2d(16, 16, 3, padding=1)
    m.set_weight_bias(torch.quantize_per_tensor(w, 0.02, 0, torch.qint8), None)
    q = torch.quantize_per_tensor(x.relu(), 0.05, 0, torch.quint8)
    q = q.contiguous(memory_format=torch.channels_last)
    print("@@int8", flush=True); m(q)
print("@@end", flush=True)
"""
    result = {}
    env = dict(os.environ, DNNL_VERBOSE="1", ONEDNN_VERBOSE="1")
    for impl in ("torch-fp32", "torch-bf16", "onednn-int8"):
        try:
            out = subprocess.run([sys.executable, "-c", code, impl, engine],
                                 capture_output=True, text=True, env=env,
                                 timeout=120).stdout
        except subprocess.SubprocessError:
            continue
        current, seen = None, {}
        for line in out.splitlines():
            if line.startswith("@@"):
                current = line[2:]
                continue
            parts = line.split(",")
            if "exec" in parts[:2] and len(parts) > 4 and \
                    parts[3] == "convolution":
                seen.setdefault(current, parts[4])
        if impl == "onednn-int8":
            result[impl] = {"fwd": seen.get("int8", "native")}
        else:
            result[impl] = {p: seen.get(p, "native")
                            for p in ("fwd", "dgrad", "wgrad")}
            result[impl]["backward"] = "%s + %s" % (result[impl]["dgrad"],
                                                    result[impl]["wgrad"])
    return result


# ---------------------------------------------------------------------------
# Timing
# ---------------------------------------------------------------------------
class Timer:
    def __init__(self, reps, max_time, budget, start):
        self.reps, self.max_time, self.budget = reps, max_time, budget
        self.start = start
        self.over_budget = False

    def reps_now(self):
        """--reps, or 1 once past the time budget."""
        if time.perf_counter() - self.start <= self.budget:
            return self.reps
        if not self.over_budget:
            print("!! time budget (%.0f s) exceeded: one repetition per "
                  "measurement from here on" % self.budget, file=sys.stderr)
        self.over_budget = True
        return 1

    def __call__(self, fn):
        """(median ms, list of ms, result of the last call)."""
        result = fn()  # warm-up (also primitive creation, page faults)
        reps = self.reps_now()
        times, spent = [], 0.0
        for i in range(reps):
            t0 = time.perf_counter()
            result = fn()
            dt = time.perf_counter() - t0
            times.append(dt * 1e3)
            spent += dt
            if i + 1 >= min(3, reps) and spent > self.max_time:
                break
        return statistics.median(times), times, result

    # Between two implementations' calls: the threads of the one that ran
    # last spin for a few ms before they sleep (PyTorch's libgomp threads,
    # daq's pool) and on two cores take one from the next one's threads
    # (daq's 1x1s2 forward measured 7.9 ms right after a PyTorch call, 2.4
    # back to back). A pause lets them stop, then an untimed call of the
    # same function wakes the next one's threads and caches, as back to
    # back calls find them.
    SETTLE_S = 0.02

    def interleaved(self, fns):
        """{(impl, pass): (median ms, list of ms, result of the last call)}
        for the callables of the dict `fns`, warmed up, then timed in
        rounds (up to --reps; fewer, at least 3, once they took --max-time
        seconds per callable) that run each implementation's calls in turn,
        SETTLE_S apart, each timed call right after an untimed one."""
        results = {key: fn() for key, fn in fns.items()}  # warm-up
        reps = self.reps_now()
        times = {key: [] for key in fns}
        impls = list(dict.fromkeys(impl for impl, _ in fns))
        spent = 0.0
        for i in range(reps):
            for impl in impls:
                time.sleep(self.SETTLE_S)
                for key in (k for k in fns if k[0] == impl):
                    fns[key]()
                    t0 = time.perf_counter()
                    results[key] = fns[key]()
                    dt = time.perf_counter() - t0
                    times[key].append(dt * 1e3)
                    spent += dt
            if i + 1 >= min(3, reps) and spent > self.max_time * len(fns):
                break
        return {key: (statistics.median(times[key]), times[key],
                      results[key]) for key in fns}


def rel_l2(a, b):
    import numpy as np
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    denom = float(np.linalg.norm(b))
    return float(np.linalg.norm(a - b)) / denom if denom else float("nan")


# ---------------------------------------------------------------------------
# daq modules
# ---------------------------------------------------------------------------
def ttype(shape, element):
    return "tensor<%s%s>" % ("".join("%dx" % d for d in shape), element)


def conv_attr(s):
    return ("#daq.conv<layout = nchw, strides = [%d, %d], padding = "
            "[%d, %d, %d, %d], dilations = [1, 1], groups = 1>"
            % (s.stride, s.stride, s.pad, s.pad, s.pad, s.pad))


MCS = "#daq.mcs<lambda = 0.3, k = 1.0, a = 0.8>"


def daq_modules(s, n):
    """MLIR text of every daq entry point for shape `s` at batch `n`."""
    xs = (n, s.cin, s.hw, s.hw)
    ws = (s.cout, s.cin, s.k, s.k)
    ys = (n, s.cout, s.ohw, s.ohw)
    conv = "{conv = %s}" % conv_attr(s)
    x8, w8, y8 = ttype(xs, "i8"), ttype(ws, "i8"), ttype(ys, "i8")
    x32, w32, y32 = ttype(xs, "f32"), ttype(ws, "f32"), ttype(ys, "f32")
    sc, cc = "tensor<f32>", ttype((s.cout,), "f32")
    qg = ("%%qc, %%cc, %%qt, %%ct = daq.quantize_grad %%g state(%%sc, %%st) "
          "{axis = 1 : i64, strategy = %s} : (%s, %s, %s) -> (%s, %s, %s, %s)"
          % (MCS, y32, cc, sc, y8, cc, y8, sc))
    dgrad8 = ("%%gx = daq.qconv2d_backward_data %%qt[%%ct], %%w[%%sw] %s : "
              "(%s, %s, %s, %s) -> %s" % (conv, y8, sc, w8, sc, x32))
    wgrad8 = ("%%gw = daq.qconv2d_backward_filter %%x[%%sx], %%qc[%%cc] %s : "
              "(%s, %s, %s, %s) -> %s" % (conv, x8, sc, y8, cc, w32))
    # What daq-training-pipeline emits per INT8 layer instead of
    # quantize_grad: both MCS steps as daq.mcs_clip, the quantization fused
    # into the convolutions' loading of the f32 GY.
    bc, bs = cc.replace("xf32>", "xi1>"), "tensor<i1>"
    mcs_pair = [
        "%%cc, %%bc = daq.mcs_clip %%g, %%sc {granularity = "
        "#daq.granularity<per_axis = 1>, params = %s} : (%s, %s) -> (%s, %s)"
        % (MCS, y32, cc, cc, bc),
        "%%ct, %%bt = daq.mcs_clip %%g, %%st {granularity = "
        "#daq.granularity<per_tensor>, params = %s} : (%s, %s) -> (%s, %s)"
        % (MCS, y32, sc, sc, bs)]
    dgrad_fused = ("%%gx = daq.qconv2d_backward_data %%g[%%ct], %%w[%%sw] %s : "
                   "(%s, %s, %s, %s) -> %s" % (conv, y32, sc, w8, sc, x32))
    wgrad_fused = ("%%gw = daq.qconv2d_backward_filter %%x[%%sx], %%g[%%cc] %s "
                   ": (%s, %s, %s, %s) -> %s" % (conv, x8, sc, y32, cc, w32))
    dgrad32 = ("%%gx = daq.conv2d_backward_data %%gy, %%w %s : (%s, %s) -> %s"
               % (conv, y32, w32, x32))
    wgrad32 = ("%%gw = daq.conv2d_backward_filter %%x, %%gy %s : (%s, %s) -> "
               "%s" % (conv, x32, y32, w32))

    def func(args, body, results):
        return ("func.func @main(%s) -> (%s) {\n  %s\n  return %s : %s\n}\n"
                % (", ".join("%%%s: %s" % a for a in args),
                   ", ".join(t for _, t in results), "\n  ".join(body),
                   ", ".join("%" + r for r, _ in results),
                   ", ".join(t for _, t in results)))

    return {
        ("daq-int8", "fwd"): func(
            [("x", x8), ("sx", sc), ("w", w8), ("sw", sc)],
            ["%%y = daq.qconv2d %%x[%%sx], %%w[%%sw] %s : (%s, %s, %s, %s) "
             "-> %s" % (conv, x8, sc, w8, sc, y32)], [("y", y32)]),
        ("daq-int8", "dgrad"): func(
            [("qt", y8), ("ct", sc), ("w", w8), ("sw", sc)], [dgrad8],
            [("gx", x32)]),
        ("daq-int8", "wgrad"): func(
            [("x", x8), ("sx", sc), ("qc", y8), ("cc", cc)], [wgrad8],
            [("gw", w32)]),
        ("daq-int8", "backward"): func(
            [("g", y32), ("sc", cc), ("st", sc), ("x", x8), ("sx", sc),
             ("w", w8), ("sw", sc)], [qg, dgrad8, wgrad8],
            [("gx", x32), ("gw", w32), ("cc", cc), ("ct", sc)]),
        ("daq-int8", "quant"): func(
            [("g", y32), ("sc", cc), ("st", sc)], [qg],
            [("qc", y8), ("cc", cc), ("qt", y8), ("ct", sc)]),
        ("daq-int8", "pipeline"): func(
            [("g", y32), ("sc", cc), ("st", sc), ("x", x8), ("sx", sc),
             ("w", w8), ("sw", sc)], mcs_pair + [dgrad_fused, wgrad_fused],
            [("gx", x32), ("gw", w32), ("cc", cc), ("ct", sc)]),
        ("daq-fp32", "fwd"): func(
            [("x", x32), ("w", w32)],
            ["%%y = daq.conv2d %%x, %%w %s : (%s, %s) -> %s"
             % (conv, x32, w32, y32)], [("y", y32)]),
        ("daq-fp32", "dgrad"): func([("gy", y32), ("w", w32)], [dgrad32],
                                    [("gx", x32)]),
        ("daq-fp32", "wgrad"): func([("x", x32), ("gy", y32)], [wgrad32],
                                    [("gw", w32)]),
        ("daq-fp32", "backward"): func(
            [("x", x32), ("w", w32), ("gy", y32)], [dgrad32, wgrad32],
            [("gx", x32), ("gw", w32)]),
    }


class DaqInputs:
    """Codes and clips for the daq INT8 entry points, from f32 data."""

    def __init__(self, daq, x, w, gy):
        import numpy as np
        ops = daq.ops
        self.x, self.w, self.gy = x, w, gy
        self.sx, self.sw = ops.max_abs(x), ops.max_abs(w)
        self.qx, self.qw = ops.quantize(x, self.sx), ops.quantize(w, self.sw)
        # The MCS state of a second step: the first step's clips.
        first = ops.quantize_grad(gy, axis=1, strategy="mcs")
        self.state_c, self.state_t = first[1], first[3]
        qc, cc, qt, ct = ops.quantize_grad(
            gy, axis=1, strategy="mcs", channel_state=self.state_c,
            tensor_state=self.state_t)
        self.qc, self.cc, self.qt, self.ct = qc, cc, qt, ct
        self.np = np


DAQ_KEYS = [(i, p) for i in ("daq-int8", "daq-fp32") for p in PASSES] + [
    ("daq-int8", "quant"), ("daq-int8", "pipeline")]


def daq_kernel_variant():
    """The INT8 kernel variant `auto` picks on this CPU (the DAQ_CPU_KERNEL
    environment variable overrides it)."""
    forced = os.environ.get("DAQ_CPU_KERNEL")
    if forced and forced != "auto":
        return forced + " (DAQ_CPU_KERNEL)"
    flags = set(cpu_info()["isa"])
    if "amx_int8" in flags:
        return "amx"
    if "avx512_vnni" in flags:
        return "avx512-vnni"
    return "avx2" if "avx2" in flags else "portable"


def daq_calls(daq, s, n, x, w, gy, keys=None):
    """{(impl, pass): zero-argument callable} for batch n; compiles the
    modules of `keys` (default all) now."""
    d = DaqInputs(daq, x, w, gy)
    texts = daq_modules(s, n)
    m = {key: daq.Module(text, name="bench:%s:%s" % key)
         for key, text in texts.items() if keys is None or key in keys}
    quant_out = None
    if ("daq-int8", "quant") in m:
        quant_out = m["daq-int8", "quant"](gy, d.state_c, d.state_t)
    calls = {
        ("daq-int8", "fwd"): lambda: m["daq-int8", "fwd"](
            d.qx, d.sx, d.qw, d.sw),
        ("daq-int8", "dgrad"): lambda: m["daq-int8", "dgrad"](
            d.qt, d.ct, d.qw, d.sw),
        ("daq-int8", "wgrad"): lambda: m["daq-int8", "wgrad"](
            d.qx, d.sx, d.qc, d.cc),
        ("daq-int8", "backward"): lambda: m["daq-int8", "backward"](
            gy, d.state_c, d.state_t, d.qx, d.sx, d.qw, d.sw),
        ("daq-int8", "pipeline"): lambda: m["daq-int8", "pipeline"](
            gy, d.state_c, d.state_t, d.qx, d.sx, d.qw, d.sw),
        # Statistics + quantization write into buffers kept across calls
        # (out=), as a training step that keeps its gradient buffers would:
        # the bandwidth figure is the kernels', not fresh pages' faults. The
        # convolutions allocate their results per call, as PyTorch's do.
        ("daq-int8", "quant"): lambda: m["daq-int8", "quant"](
            gy, d.state_c, d.state_t, out=quant_out),
        ("daq-fp32", "fwd"): lambda: m["daq-fp32", "fwd"](x, w),
        ("daq-fp32", "dgrad"): lambda: m["daq-fp32", "dgrad"](gy, w),
        ("daq-fp32", "wgrad"): lambda: m["daq-fp32", "wgrad"](x, gy),
        ("daq-fp32", "backward"): lambda: m["daq-fp32", "backward"](
            x, w, gy),
    }
    return {key: call for key, call in calls.items() if key in m}


# ---------------------------------------------------------------------------
# PyTorch
# ---------------------------------------------------------------------------
def torch_calls(torch, s, x, w, gy, impls, engine):
    """{(impl, pass): callable} on torch tensors (f32 NCHW inputs)."""
    F = torch.nn.functional
    cb = torch.ops.aten.convolution_backward
    st, pd = [s.stride] * 2, [s.pad] * 2
    calls = {}

    def add(impl, x, w, gy):
        calls[impl, "fwd"] = lambda: F.conv2d(x, w, stride=s.stride,
                                              padding=s.pad)
        calls[impl, "dgrad"] = lambda: cb(
            gy, x, w, None, st, pd, [1, 1], False, [0, 0], 1,
            (True, False, False))[0]
        calls[impl, "wgrad"] = lambda: cb(
            gy, x, w, None, st, pd, [1, 1], False, [0, 0], 1,
            (False, True, False))[1]
        calls[impl, "backward"] = lambda: cb(
            gy, x, w, None, st, pd, [1, 1], False, [0, 0], 1,
            (True, True, False))[:2]

    if "torch-fp32" in impls:
        add("torch-fp32", x, w, gy)
    if "torch-bf16" in impls:
        cl = torch.channels_last
        add("torch-bf16", *[t.bfloat16().contiguous(memory_format=cl)
                            for t in (x, w, gy)])
    if "onednn-int8" in impls:
        import torch.ao.nn.quantized as nnq
        torch.backends.quantized.engine = engine
        xr = x.relu()  # ResNet convolutions read post-ReLU activations
        m = nnq.Conv2d(s.cin, s.cout, s.k, stride=s.stride, padding=s.pad,
                       bias=False)
        sw = float(w.abs().max()) / 127
        m.set_weight_bias(torch.quantize_per_tensor(w, sw, 0, torch.qint8),
                          None)
        sx = float(xr.max()) / 255
        y = F.conv2d(xr, w, stride=s.stride, padding=s.pad)
        m.scale, m.zero_point = float(y.abs().max()) / 127, 128
        qx = torch.quantize_per_tensor(xr, sx, 0, torch.quint8).contiguous(
            memory_format=torch.channels_last)
        calls["onednn-int8", "fwd"] = lambda: m(qx)
        calls["onednn-int8", "fwd-ref"] = lambda: y  # for the check
    return calls


# ---------------------------------------------------------------------------
# Peak memory (child process per measurement)
# ---------------------------------------------------------------------------
def _status_kb(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return -1


def memory_child(impl, shape_name, n, threads):
    """Runs in a child process. After the imports (and, for daq, compiling
    the backward module) it records the RSS, creates only what a training
    step holds when its backward starts (daq-int8: X and W as int8 codes
    with their clips, GY in f32, the MCS state; torch-fp32: X, W and GY in
    f32), records the RSS again, resets the high-water mark
    (/proc/self/clear_refs) and runs one backward (dgrad + wgrad; for daq
    also GY's statistics and quantization). Prints the three figures in
    MiB."""
    import gc
    import numpy as np
    s = ALL_SHAPES[shape_name]
    xs, ws = (n, s.cin, s.hw, s.hw), (s.cout, s.cin, s.k, s.k)
    ys = (n, s.cout, s.ohw, s.ohw)
    rng = np.random.default_rng(0)
    if impl == "daq-int8":
        import daq
        module = daq.Module(daq_modules(s, n)["daq-int8", "backward"])
        gc.collect()
        before = _status_kb("VmRSS")

        def codes(shape):
            return rng.integers(-127, 128, size=shape, dtype=np.int8)
        qx, qw, gy = codes(xs), codes(ws), rng.standard_normal(
            ys, dtype=np.float32)
        sx = sw = st = np.float32(1.0)
        sc = np.ones(s.cout, dtype=np.float32)

        def call():
            return module(gy, sc, st, qx, sx, qw, sw)
    else:
        import torch
        torch.set_num_threads(threads)
        gc.collect()
        before = _status_kb("VmRSS")
        x, w, gy = (torch.randn(shape) for shape in (xs, ws, ys))
        cb = torch.ops.aten.convolution_backward

        def call():
            return cb(gy, x, w, None, [s.stride] * 2, [s.pad] * 2, [1, 1],
                      False, [0, 0], 1, (True, True, False))[:2]
    gc.collect()
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # reset VmHWM to the current RSS
    base = _status_kb("VmRSS")
    out = call()
    peak = _status_kb("VmHWM")
    del out
    print(json.dumps({"before_inputs_mib": before / 1024,
                      "base_mib": base / 1024, "peak_mib": peak / 1024}))


def measure_memory(impl, shape, n, threads):
    try:
        out = subprocess.run(
            [sys.executable, os.path.abspath(__file__), "--_memory", impl,
             shape.name, str(n), "--threads", str(threads)],
            capture_output=True, text=True, timeout=600)
        line = out.stdout.strip().splitlines()[-1]
        result = json.loads(line)
        result["delta_mib"] = result["peak_mib"] - result["base_mib"]
        result["step_mib"] = result["peak_mib"] - result["before_inputs_mib"]
        return result
    except (subprocess.SubprocessError, ValueError, IndexError) as e:
        return {"error": str(e)}


# ---------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------
def parse_args(argv):
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Shapes: " + "; ".join("%s (%s, %s)" % (
            s.name, s.describe(), s.where) for s in SHAPES + EXTRA_SHAPES))
    p.add_argument("--shapes", default=",".join(s.name for s in SHAPES),
                   help="comma-separated shape names (default: the six "
                   "issue-6 shapes); 'all' adds layer3/4 downsampling")
    p.add_argument("--batch", type=int, default=32, help="N (default 32)")
    p.add_argument("--daq-batch", default="auto",
                   help="batch at which the daq reference kernels are timed "
                   "(times scaled to --batch); 'auto' (default): the largest "
                   "divisor of N by powers of two that fits the daq share "
                   "of --budget")
    p.add_argument("--reps", type=int, default=7,
                   help="timed calls per measurement (median; default 7)")
    p.add_argument("--max-time", type=float, default=4.0,
                   help="stop repeating a measurement after this many "
                   "seconds, once 3 calls are timed (default 4)")
    p.add_argument("--budget", type=float, default=780.0,
                   help="time budget in seconds (default 780): sizes the "
                   "daq batch, and past it every measurement is timed once")
    p.add_argument("--impls", default=",".join(IMPLS),
                   help="comma-separated subset of " + ", ".join(IMPLS))
    p.add_argument("--skip-daq", action="store_true",
                   help="leave out daq-int8 and daq-fp32")
    p.add_argument("--no-memory", action="store_true",
                   help="do not measure peak memory of the backward")
    p.add_argument("--no-peak", action="store_true",
                   help="do not measure the machine's ceilings (bench/peak.c)")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--allocator", choices=("reuse", "default"),
                   default="reuse")
    p.add_argument("--engine", default=None,
                   help="torch quantized engine (default onednn, else "
                   "fbgemm)")
    p.add_argument("--json", default=None,
                   help="output JSON (default bench/results/cpu-conv.json); "
                   "the machine, ceilings and settings go next to it in "
                   "<name>.meta.json")
    p.add_argument("--smoke", action="store_true",
                   help="one tiny shape, one repetition, no ceilings or "
                   "memory (seconds; for the lit test)")
    p.add_argument("--_memory", nargs=3, help=argparse.SUPPRESS)
    return p.parse_args(argv)


def fmt_rate(gops):
    if gops is None:
        return "-"
    return "%.2fT" % (gops / 1e3) if gops >= 1000 else "%.1fG" % gops


def main(argv=None):
    args = parse_args(argv)
    allocator = configure_allocator(args.allocator)
    if args._memory:
        impl, name, n = args._memory
        memory_child(impl, name, int(n), args.threads)
        return 0

    t_start = time.perf_counter()
    import numpy as np
    import torch
    torch.set_num_threads(args.threads)

    impls = [i.strip() for i in args.impls.split(",") if i.strip()]
    for i in impls:
        if i not in IMPLS:
            sys.exit("unknown impl %r (known: %s)" % (i, ", ".join(IMPLS)))
    if args.skip_daq:
        impls = [i for i in impls if not i.startswith("daq-")]
    if args.smoke:
        shapes = [SMOKE_SHAPE]
        n = min(args.batch, 2)
        # Two rounds: the interleaved timing runs as it does in full.
        args.reps, args.no_memory, args.no_peak = 2, True, True
    else:
        names = args.shapes.split(",")
        if names == ["all"]:
            names = [s.name for s in SHAPES + EXTRA_SHAPES]
        unknown = [x for x in names if x not in ALL_SHAPES]
        if unknown:
            sys.exit("unknown shape(s) %s; known: %s" % (
                ", ".join(unknown), ", ".join(ALL_SHAPES)))
        shapes = [ALL_SHAPES[x] for x in names]
        n = args.batch
    engine = args.engine or (
        "onednn" if "onednn" in torch.backends.quantized.supported_engines
        else "fbgemm")

    use_daq = any(i.startswith("daq-") for i in impls)
    if use_daq:
        import daq
        lib = daq.library_path() if callable(getattr(daq, "library_path",
                                                     None)) else None

    cpu = cpu_info()
    print("== machine: %s, %s logical CPUs, ISA: %s; torch %s, %d threads"
          % (cpu["model"], cpu["logical_cpus"], " ".join(cpu["isa"]),
             torch.__version__, args.threads))
    print("== allocator: %s" % allocator)
    peaks = None if args.no_peak else measure_peaks(args.threads)
    if peaks:
        print("== measured here (bench/peak.c, %d threads): FP32 %.0f "
              "GFLOP/s (%s), INT8 %.0f GOP/s (%s), read %.1f GB/s, triad "
              "%.1f GB/s" % (args.threads, peaks["fp32_gflops"],
                             peaks["fp32_isa"], peaks["int8_gops"],
                             peaks["int8_isa"], peaks["read_gbs"],
                             peaks["triad_gbs"]))
    if "amx_int8" not in cpu["isa"] or "avx512f" not in cpu["isa"]:
        print("!! this CPU has no %s: the targets.md ceilings (Sapphire "
              "Rapids class, AMX, AVX-512) are not this machine's; "
              "%%peak(t.md) is against them, %%peak(here) against "
              "bench/peak.c" % " / ".join(
                  f for f in ("avx512f", "amx_int8") if f not in cpu["isa"]))
    backends = {}
    if not args.smoke:
        backends = onednn_backends(torch, engine)
    if use_daq:
        backends["daq-fp32"] = {p: "daq reference lowering (daq-cpu-pipeline, "
                                "scalar loops, LLVM O2, 1 thread)"
                                for p in PASSES}
        backends["daq-int8"] = {p: "daq CPU INT8 kernels (daq-cpu-pipeline, "
                                "variant auto: %s, %d threads)" % (
                                    daq_kernel_variant(), args.threads)
                                for p in ("fwd", "dgrad", "wgrad")}
        backends["daq-int8"]["backward"] = (
            "quantize_grad: daq statistics kernels; dgrad and wgrad: daq CPU "
            "INT8 kernels (daq-cpu-pipeline, variant auto: %s, %d threads)" % (
                daq_kernel_variant(), args.threads))

    # The daq batch.
    if use_daq:
        if args.smoke:
            daq_n = n
        elif args.daq_batch == "auto":
            daq_n = pick_daq_batch(daq, shapes, n, args, impls,
                                   not args.no_memory)
        else:
            daq_n = int(args.daq_batch)
        if daq_n < 1 or daq_n > n:
            sys.exit("--daq-batch must be in [1, N]")
        # The INT8 kernels are fast enough for the full batch.
        int8_n = n if args.daq_batch == "auto" else daq_n
        if daq_n != n:
            print("== daq reference kernels (daq-fp32) timed at batch %d, "
                  "times scaled by N/batch = %g (marked '*')" % (
                      daq_n, n / daq_n))
    else:
        daq_n = int8_n = None

    timer = Timer(args.reps, args.max_time, args.budget, t_start)
    records = []
    mem_rows = []
    for s in shapes:
        print("-- %s: %s (%s), N=%d" % (s.name, s.describe(), s.where, n),
              flush=True)
        rng = np.random.default_rng(0)
        x = rng.standard_normal((n, s.cin, s.hw, s.hw), dtype=np.float32)
        w = rng.standard_normal((s.cout, s.cin, s.k, s.k), dtype=np.float32)
        w *= 1.0 / math.sqrt(s.cin * s.k * s.k)
        gy = rng.standard_normal((n, s.cout, s.ohw, s.ohw), dtype=np.float32)
        tx, tw, tgy = (torch.from_numpy(a) for a in (x, w, gy))

        def compile_daq(impl, bn):
            """(calls, compile seconds) of impl's daq modules at batch bn."""
            t0 = time.perf_counter()
            inputs = (np.ascontiguousarray(a) for a in (x[:bn], w, gy[:bn]))
            dcalls = daq_calls(daq, s, bn, *inputs,
                               [k for k in DAQ_KEYS if k[0] == impl])
            return dcalls, time.perf_counter() - t0

        results = {}
        # daq-int8's calls are timed in the same rounds as PyTorch's.
        daq8 = (compile_daq("daq-int8", int8_n)
                if daq_n is not None and "daq-int8" in impls else None)
        with torch.no_grad():
            calls = torch_calls(torch, s, tx, tw, tgy, impls, engine)
            # FP32 references on the daq batches for the checks.
            refs = {}
            for bn in {daq_n, int8_n} - {None}:
                ref = refs[bn] = {}
                cb = torch.ops.aten.convolution_backward
                bx, bgy = tx[:bn], tgy[:bn]
                ref["fwd"] = torch.nn.functional.conv2d(
                    bx, tw, stride=s.stride, padding=s.pad).numpy()
                gx, gw = cb(bgy, bx, tw, None, [s.stride] * 2, [s.pad] * 2,
                            [1, 1], False, [0, 0], 1, (True, True, False))[:2]
                ref["dgrad"], ref["wgrad"] = gx.numpy(), gw.numpy()
                ref["backward"] = (ref["dgrad"], ref["wgrad"])
            torch_keys = [(impl, ps) for impl in impls for ps in PASSES
                          if not impl.startswith("daq-") and
                          (impl, ps) in calls]
            fns = {key: calls[key] for key in torch_keys}
            if daq8 is not None:
                fns.update(daq8[0])
            timed = timer.interleaved(fns)
            for impl, ps in torch_keys:
                ms, times, out = timed[impl, ps]
                rec = record(s, ps, impl, n, ms, times, backends)
                rec["timing"] = "interleaved"
                if impl == "torch-fp32":
                    results[ps] = out
                else:
                    fp32 = (calls["onednn-int8", "fwd-ref"]()
                            if impl == "onednn-int8" else
                            results.get(ps))
                    if fp32 is not None:
                        if impl == "onednn-int8":
                            out = out.dequantize()
                        rec["check_rel_l2"] = check(out, fp32)
                records.append(rec)
                print_progress(rec)
        del calls, results
        for impl in ("daq-int8", "daq-fp32"):
            if daq_n is None or impl not in impls:
                continue
            bn = int8_n if impl == "daq-int8" else daq_n
            ref = refs[bn]
            dcalls, compile_s = (daq8 if impl == "daq-int8" else
                                 compile_daq(impl, bn))

            def measure(key):
                return timed[key] if key in timed else timer(dcalls[key])

            quant = None
            for ps in PASSES:
                ms, times, out = measure((impl, ps))
                rec = record(s, ps, impl, n, ms * n / bn,
                             [t * n / bn for t in times], backends)
                rec["timing"] = ("interleaved" if (impl, ps) in timed else
                                 "alone")
                rec["ms_measured"] = ms
                rec["times_ms_measured"] = times
                rec["batch"] = bn
                rec["scaled_from_batch"] = bn != n
                rec["compile_s_all_modules"] = compile_s
                got = out[:2] if ps == "backward" else out
                rec["check_rel_l2"] = check(got, ref[ps])
                if impl == "daq-int8" and ps == "backward":
                    if quant is None:
                        qms, qtimes, _ = measure(("daq-int8", "quant"))
                        quant = (qms, qtimes)
                    elems = bn * s.cout * s.ohw * s.ohw
                    # Least traffic: read GY f32, write two i8 codes.
                    gbs = 6.0 * elems / (quant[0] * 1e-3) / 1e9
                    parts = [r for r in records
                             if r["shape"] == s.name and
                             r["impl"] == "daq-int8" and
                             r["pass"] in ("dgrad", "wgrad")]
                    rec["parts_ms"] = (quant[0] * n / bn +
                                       sum(r["ms"] for r in parts))
                    rec["parts_note"] = (
                        "quantize_grad + dgrad + wgrad compiled as three "
                        "modules (the backward record is one module)")
                    pms, ptimes, pout = measure(("daq-int8", "pipeline"))
                    rec["pipeline_form_ms"] = pms * n / bn
                    rec["pipeline_form_ms_measured"] = pms
                    rec["pipeline_form_times_ms_measured"] = ptimes
                    rec["pipeline_form_check_rel_l2"] = check(pout[:2],
                                                              ref[ps])
                    rec["pipeline_form_note"] = (
                        "the backward as daq-training-pipeline emits it: a "
                        "per-channel and a per-tensor daq.mcs_clip, then "
                        "both INT8 convolutions quantizing the f32 GY on "
                        "load (one module)")
                    rec["stats_quant_ms"] = quant[0] * n / bn
                    rec["stats_quant_ms_measured"] = quant[0]
                    rec["stats_quant_gbs_min_traffic"] = gbs
                    rec["stats_quant_pct_bandwidth_targets"] = \
                        100 * gbs / TARGETS_PEAKS["bandwidth_gbs"]
                    if peaks and peaks.get("triad_gbs"):
                        rec["stats_quant_pct_bandwidth_here"] = \
                            100 * gbs / peaks["triad_gbs"]
                records.append(rec)
                print_progress(rec)
            del dcalls
        del daq8, timed
        if not args.no_memory and "torch-fp32" in impls and \
                "daq-int8" in impls:
            mem_n = int8_n
            mem = {impl: measure_memory(impl, s, mem_n, args.threads)
                   for impl in ("daq-int8", "torch-fp32")}
            for rec in records:
                if rec["shape"] == s.name and rec["pass"] == "backward" and \
                        rec["impl"] in mem:
                    m = mem[rec["impl"]]
                    rec["memory_batch"] = mem_n
                    rec["peak_rss_mib"] = m.get("peak_mib")
                    rec["peak_rss_inputs_and_work_mib"] = m.get("step_mib")
                    rec["peak_rss_above_inputs_mib"] = m.get("delta_mib")
                    if "error" in m:
                        rec["memory_error"] = m["error"]
            mem_rows.append((s.name, mem_n, mem))

    add_ratios_and_peaks(records, peaks)
    total_s = time.perf_counter() - t_start
    print_table(records, n, daq_n)
    if mem_rows:
        print_memory(mem_rows)
    print_summary(records, shapes, impls)

    for r in records:
        r.update(cpu=cpu["model"], threads=args.threads,
                 allocator=args.allocator)
    info = {
        "cpu": cpu, "threads": args.threads, "torch": torch.__version__,
        "quantized_engine": engine, "allocator": allocator,
        "peaks_here": peaks, "peaks_targets_md": TARGETS_PEAKS,
        "batch": n, "daq_batch": daq_n, "daq_int8_batch": int8_n, "reps": args.reps,
        "max_time_s": args.max_time, "budget_s": args.budget,
        "over_budget": timer.over_budget, "total_s": total_s,
        "backends": backends, "smoke": args.smoke,
        "command": " ".join([sys.executable] +
                            [os.path.relpath(os.path.abspath(__file__),
                                             os.getcwd())] +
                            list(sys.argv[1:] if argv is None else argv)),
        "shapes": {s.name: {"cin": s.cin, "cout": s.cout, "hw": s.hw,
                            "k": s.k, "stride": s.stride, "pad": s.pad,
                            "out_hw": s.ohw, "resnet18": s.where}
                   for s in shapes},
    }
    if use_daq:
        info["daq_library"] = lib
    path = args.json or DEFAULT_JSON
    meta = os.path.splitext(path)[0] + ".meta.json"
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w") as f:
        json.dump(records, f, indent=1)
    with open(meta, "w") as f:
        json.dump(info, f, indent=1)
    print("== %d records written to %s (machine and settings: %s); total "
          "%.0f s%s" % (
        len(records), path, os.path.basename(meta), total_s,
        " (over budget: later measurements timed once)"
        if timer.over_budget else ""))
    return 0


def check(out, ref):
    import numpy as np

    def arr(t):
        if hasattr(t, "detach"):
            t = t.detach().float().contiguous().numpy()
        return np.asarray(t)
    if isinstance(out, (tuple, list)):
        # Relative L2 over the results together, each normalized.
        return max(rel_l2(arr(o), arr(r)) for o, r in zip(out, ref))
    return rel_l2(arr(out), arr(ref))


def pick_daq_batch(daq, shapes, n, args, impls, memory):
    """Largest n / 2^k whose estimated daq time fits half the budget. The
    estimate times every daq entry point once at batch 1 on the first shape
    and scales by FLOPs to the others (it came out about 1.3x high on the
    default run: the other shapes run a little faster per FLOP)."""
    import numpy as np
    s = shapes[0]
    rng = np.random.default_rng(1)
    x = rng.standard_normal((1, s.cin, s.hw, s.hw), dtype=np.float32)
    w = rng.standard_normal((s.cout, s.cin, s.k, s.k), dtype=np.float32)
    gy = rng.standard_normal((1, s.cout, s.ohw, s.ohw), dtype=np.float32)
    t0 = time.perf_counter()
    calls = daq_calls(daq, s, 1, x, w, gy)
    compile_s = time.perf_counter() - t0
    per_flop = {}
    for key, call in calls.items():
        call()
        t0 = time.perf_counter()
        call()
        per_flop[key] = (time.perf_counter() - t0) / s.flops(1)

    def estimate(b):
        total = 0.0
        for sh in shapes:
            total += compile_s + 1.0
            for (impl, ps), rate in per_flop.items():
                if impl not in impls:
                    continue
                call = rate * sh.flops(b)
                reps = min(args.reps, max(3, math.ceil(
                    args.max_time / max(call, 1e-9))))
                # daq-int8 is timed in the interleaved rounds: an untimed
                # call before each timed one.
                total += call * (1 + reps * (2 if impl == "daq-int8" else 1))
                if memory and (impl, ps) == ("daq-int8", "backward"):
                    total += 2 * call + compile_s / 4 + 2.0
        return total

    b = n
    while b > 1 and b % 2 == 0 and estimate(b) > 0.5 * args.budget:
        b //= 2
    print("== daq probe on %s at batch 1: INT8 fwd %.2f GOP/s, FP32 fwd "
          "%.2f GFLOP/s; estimated daq time at batch %d: %.0f s (at N=%d: "
          "%.0f s; budget %.0f s)" % (
              s.name, 1e-9 / per_flop["daq-int8", "fwd"],
              1e-9 / per_flop["daq-fp32", "fwd"], b, estimate(b), n,
              estimate(n), args.budget))
    return b


def record(s, ps, impl, n, ms, times, backends):
    ops = s.flops(n) * (2 if ps == "backward" else 1)
    return {"shape": s.name, "pass": ps, "impl": impl, "ms": ms,
            "batch": n, "scaled_from_batch": False, "reps": len(times),
            "times_ms": times, "gops": ops / (ms * 1e-3) / 1e9,
            "gop": ops / 1e9,
            "backend": backends.get(impl, {}).get(ps, "")}


def peak_for(impl, peaks):
    """(peak here in GOP/s or None, peak from targets.md, its name)."""
    if impl in ("daq-int8", "onednn-int8"):
        return (peaks or {}).get("int8_gops"), \
            TARGETS_PEAKS["amx_int8_gops"], "AMX-INT8"
    if impl == "torch-bf16":
        # No BF16 units on an AVX2 machine: its ceiling is the FP32 FMA one.
        return (peaks or {}).get("fp32_gflops"), \
            TARGETS_PEAKS["amx_bf16_gflops_derived"], "AMX-BF16 (derived)"
    return (peaks or {}).get("fp32_gflops"), TARGETS_PEAKS["fp32_gflops"], \
        "FP32 AVX-512"


def add_ratios_and_peaks(records, peaks):
    by = {(r["shape"], r["pass"], r["impl"]): r for r in records}
    for r in records:
        here, target, _ = peak_for(r["impl"], peaks)
        r["pct_peak_here"] = 100 * r["gops"] / here if here else None
        r["pct_peak_targets"] = 100 * r["gops"] / target
        for base in ("torch-fp32", "torch-bf16"):
            b = by.get((r["shape"], r["pass"], base))
            r["speedup_vs_" + base.replace("-", "_")] = (
                b["ms"] / r["ms"] if b else None)


def print_progress(r):
    print("   %-9s %-11s %10.2f ms%s  %s" % (
        r["pass"], r["impl"], r["ms"],
        " (batch %d, scaled)" % r["batch"] if r.get("scaled_from_batch")
        else "", fmt_rate(r["gops"])), flush=True)


def print_table(records, n, daq_n):
    print()
    print("Times at N=%d, medians; rate = GFLOP/s (G) or TFLOP/s (T), INT8 "
          "ops counted like FLOPs; %%pk = percent of the ceiling measured "
          "here / of targets.md's; xFP32, xBF16 = speed-up over torch-fp32 "
          "/ torch-bf16 on the same pass (>1: faster)." % n)
    if daq_n is not None and daq_n != n:
        print("* daq-fp32 (reference lowering) timed at batch %d and scaled "
              "by %g." % (daq_n, n / daq_n))
    order = {}
    for r in records:
        order.setdefault(r["shape"], len(order))
    records = sorted(records, key=lambda r: (
        order[r["shape"]], PASSES.index(r["pass"]), IMPLS.index(r["impl"])))
    head = "%-16s %-8s %-12s %11s %8s %7s %7s %8s %8s %8s" % (
        "shape", "pass", "impl", "ms", "rate", "%pk", "%pk.md", "xFP32",
        "xBF16", "rel.err")
    print(head)
    print("-" * len(head))
    last = None
    for r in records:
        if last is not None and (r["shape"], r["pass"]) != last:
            print()
        last = (r["shape"], r["pass"])

        def pct(v):
            return "-" if v is None else ("%.1f" % v if v < 10 else
                                          "%.0f" % v)

        def ratio(v):
            return "-" if v is None else ("%.3g" % v)
        err = r.get("check_rel_l2")
        print("%-16s %-8s %-12s %10.2f%s %8s %7s %7s %8s %8s %8s" % (
            r["shape"], r["pass"], r["impl"], r["ms"],
            "*" if r.get("scaled_from_batch") else " ", fmt_rate(r["gops"]),
            pct(r["pct_peak_here"]), pct(r["pct_peak_targets"]),
            ratio(r["speedup_vs_torch_fp32"]),
            ratio(r["speedup_vs_torch_bf16"]),
            "-" if err is None else "%.1e" % err))
    print()
    quant = [r for r in records if "stats_quant_ms" in r]
    if quant:
        print("daq-int8 statistics + quantization (daq.quantize_grad, MCS, "
              "from f32 GY) alone, and the backward's three parts compiled "
              "separately (quantize_grad + dgrad + wgrad) and the backward "
              "as daq-training-pipeline emits it (mcs_clip pair, "
              "quantize-on-load) against the one-module backward:")
        for r in quant:
            print("  %-16s %9.2f ms%s  %.2f GB/s at 6 B/element (%.1f%% of "
                  "targets.md bandwidth%s); parts %.0f ms, pipeline form "
                  "%.0f ms vs one module %.0f ms" % (
                      r["shape"], r["stats_quant_ms"],
                      "*" if r.get("scaled_from_batch") else " ",
                      r["stats_quant_gbs_min_traffic"],
                      r["stats_quant_pct_bandwidth_targets"],
                      ", %.1f%% of triad here"
                      % r["stats_quant_pct_bandwidth_here"]
                      if "stats_quant_pct_bandwidth_here" in r else "",
                      r["parts_ms"], r["pipeline_form_ms"], r["ms"]))
        print()


def print_memory(rows):
    print("Peak memory of one backward (dgrad + wgrad; daq-int8 also GY "
          "statistics + quantization), one child process per measurement "
          "(VmRSS / VmHWM, MiB): the backward's inputs as a training step "
          "holds them (daq: X, W codes, f32 GY; torch: f32 X, W, GY) plus "
          "its working memory and outputs = peak - RSS before the inputs; "
          "in brackets the part above the inputs; then the whole process "
          "(runtime libraries differ).")
    print("  %-16s %5s %20s %20s %7s %16s" % (
        "shape", "batch", "daq-int8 in+work", "torch-fp32 in+work",
        "ratio", "process daq/torch"))
    for name, b, mem in rows:
        d, t = mem["daq-int8"], mem["torch-fp32"]
        if "error" in d or "error" in t:
            print("  %-16s %5d error" % (name, b))
            continue
        print("  %-16s %5d %13.1f (+%4.1f) %13.1f (+%4.1f) %7.2f %8.0f/%.0f" % (
            name, b, d["step_mib"], d["delta_mib"], t["step_mib"],
            t["delta_mib"], d["step_mib"] / t["step_mib"], d["peak_mib"],
            t["peak_mib"]))
    print()


def print_summary(records, shapes, impls):
    by = {(r["shape"], r["pass"], r["impl"]): r for r in records}

    def geomean(values):
        values = [v for v in values if v]
        return math.exp(sum(map(math.log, values)) / len(values)) \
            if values else None

    lines = []
    if "daq-int8" in impls and "torch-bf16" in impls:
        g = geomean([by[s.name, "backward", "torch-bf16"]["ms"] /
                     by[s.name, "backward", "daq-int8"]["ms"]
                     for s in shapes
                     if (s.name, "backward", "daq-int8") in by and
                     (s.name, "backward", "torch-bf16") in by])
        if g:
            lines.append("whole INT8 backward vs torch-bf16 backward "
                         "(geomean speed-up, target >= 1.5): %.3g" % g)
    if "daq-int8" in impls and "torch-bf16" in impls:
        g = geomean([by[s.name, "backward", "torch-bf16"]["ms"] /
                     by[s.name, "backward", "daq-int8"]["parts_ms"]
                     for s in shapes
                     if "parts_ms" in by.get((s.name, "backward", "daq-int8"),
                                             {}) and
                     (s.name, "backward", "torch-bf16") in by])
        if g:
            lines.append("  (the same with the backward's parts compiled "
                         "separately: %.3g)" % g)
    if "daq-int8" in impls and "torch-fp32" in impls:
        g = geomean([by[s.name, "backward", "torch-fp32"]["ms"] /
                     by[s.name, "backward", "daq-int8"]["ms"]
                     for s in shapes
                     if (s.name, "backward", "daq-int8") in by and
                     (s.name, "backward", "torch-fp32") in by])
        if g:
            lines.append("whole INT8 backward vs torch-fp32 backward "
                         "(geomean speed-up): %.3g" % g)
    if "daq-int8" in impls and "onednn-int8" in impls:
        for ps in ("dgrad", "wgrad"):
            g = geomean([by[s.name, ps, "daq-int8"]["gops"] /
                         by[s.name, "fwd", "onednn-int8"]["gops"]
                         for s in shapes
                         if (s.name, ps, "daq-int8") in by and
                         (s.name, "fwd", "onednn-int8") in by])
            if g:
                lines.append("daq-int8 %s throughput / onednn-int8 fwd "
                             "throughput (geomean, target >= 1): %.3g"
                             % (ps, g))
    quant = [r["stats_quant_pct_bandwidth_targets"] for r in records
             if "stats_quant_pct_bandwidth_targets" in r]
    if quant:
        lines.append("statistics + quantization, %% of targets.md bandwidth "
                     "at 6 B/element (target >= 60): %.2g to %.2g"
                     % (min(quant), max(quant)))
    key = "peak_rss_inputs_and_work_mib"
    mem = [(r["shape"], r[key], by[r["shape"], "backward",
                                    "torch-fp32"].get(key))
           for r in records if r["impl"] == "daq-int8" and
           r.get(key) and (r["shape"], "backward", "torch-fp32") in by]
    mem = [m for m in mem if m[2]]
    if mem:
        lines.append("peak memory of the backward (inputs + work), "
                     "daq-int8 / torch-fp32 at batch %d (target <= 1): %s"
                     % (records[0].get("memory_batch", 0) or
                        [r for r in records if "memory_batch" in r][0][
                            "memory_batch"], ", ".join(
                         "%s %.2f" % (name, a / b) for name, a, b in mem)))
    if lines:
        print("Issue-6 targets:")
        for line in lines:
            print("  " + line)
        print()


if __name__ == "__main__":
    sys.exit(main())
