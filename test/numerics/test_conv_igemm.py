# RUN: %python %s --daq-run daq-run
"""The tiled implicit GEMM of convert-daq-conv-to-igemm (target=cpu, through
daq-igemm-cpu-pipeline) against the reference lowering (convert-daq-to-linalg,
through daq-cpu-pipeline), bit for bit, and both against the numpy reference.

Every geometry of lib/conv_cases.py (odd channel counts, strides, asymmetric
padding, dilation, groups, depthwise, both layouts, 1x1 and non-square
kernels) plus random geometries drawn from the seed run the three INT8
convolutions with i8 operands (per-tensor and per-output-channel clips) and
with quantize-on-load of f32 operands (per tensor and per channel,
nearest-even), under two tile configurations whose tiles divide none of the
GEMM sizes (m16n8k32 as on sm_80+, m8n8k16 as on sm_75) and 2 or 3
shared-memory stages, the second with split-K (3 blocks per C tile, their
i32 partials summed by the second kernel). Geometries whose i8 operands have contiguous K runs
(staged with cp.async on the GPU, here with the same run arithmetic as
vector copies) also run with 4 stages and split-K 2. The results are
compared as f32 bit patterns: the i32 accumulation and the epilogue must be
identical."""

import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))

import numpy as np  # noqa: E402

import daq_reference as ref  # noqa: E402
from conv_cases import GEOMETRIES, shapes  # noqa: E402
from harness import (Checker, Module, RunError, Runner, parse_args, rand_clip,  # noqa: E402
                     rand_codes, randn, tensor_type)

# (label, daq-igemm-cpu-pipeline options)
CONFIGS = [
    ("m16n8k32 32x16x32 warps 16x8 3 stages",
     "tile-m=32 tile-n=16 tile-k=32 warp-m=16 warp-n=8 mma=m16n8k32 stages=3"),
    ("m8n8k16 16x16x16 warps 8x8 2 stages split-k 3",
     "tile-m=16 tile-n=16 tile-k=16 warp-m=8 warp-n=8 mma=m8n8k16 stages=2 split-k=3"),
]

# Geometries whose i8 operands have contiguous K runs, staged as 16-, 8- and
# 4-byte copies (cp.async on the GPU): forward X (NHWC, runs of C/G) and W
# (runs of C/G*KH*KW), backward-data GY (NHWC, runs of O/G, through the
# stride-2 grid), backward-filter GY (NCHW, runs of OH*OW). Each runs under
# both configurations and a 4-stage one.
RUN_GEOMETRIES = [
    ("nhwc 16->8 3x3 pad 1 (runs of 16, 144, 8)",
     ref.Conv("nhwc", (1, 1), (1, 1, 1, 1)), 2, 16, 6, 5, 8, 3, 3),
    ("nhwc groups 2 8->8 stride 2 pad (1,0,1,0) (runs of 4, 36, 4)",
     ref.Conv("nhwc", (2, 2), (1, 0, 1, 0), (1, 1), 2), 2, 8, 9, 7, 8, 3, 3),
    ("nchw 5->7 3x3 pad 1 8x8 (runs of 64 in backward-filter)",
     ref.Conv("nchw", (1, 1), (1, 1, 1, 1)), 2, 5, 8, 8, 7, 3, 3),
    ("nchw 4->6 1x1 6x6 (runs of 36 and 4)", ref.Conv("nchw"), 3, 4, 6, 6, 6, 1, 1),
]
RUN_CONFIGS = CONFIGS + [
    ("m16n8k32 16x8x64 warps 16x8 4 stages split-k 2",
     "tile-m=16 tile-n=8 tile-k=64 warp-m=16 warp-n=8 mma=m16n8k32 stages=4 split-k=2"),
]


def random_geometry(rng):
    """A small random convolution: stride, dilation, asymmetric padding,
    groups, either layout."""
    layout = "nchw" if rng.integers(2) == 0 else "nhwc"
    groups = int(rng.choice([1, 1, 2, 3]))
    c = groups * int(rng.integers(1, 6))
    o = groups * int(rng.integers(1, 7))
    kh, kw = int(rng.integers(1, 4)), int(rng.integers(1, 4))
    sh, sw = int(rng.integers(1, 3)), int(rng.integers(1, 3))
    dh, dw = int(rng.integers(1, 3)), int(rng.integers(1, 3))
    pad = tuple(int(p) for p in rng.integers(0, 3, 4))
    h = dh * (kh - 1) + 1 + int(rng.integers(0, 7))
    w = dw * (kw - 1) + 1 + int(rng.integers(0, 7))
    n = int(rng.integers(1, 4))
    conv = ref.Conv(layout, (sh, sw), pad, (dh, dw), groups)
    name = "random %s g%d %dx%d s(%d,%d) d(%d,%d) pad %s" % (
        layout, groups, kh, kw, sh, sw, dh, dw, pad)
    return (name, conv, n, c, h, w, o, kh, kw)


def sub_clip(rng, t, axis=None):
    mx = ref.max_abs(t, axis)
    return (mx * rng.uniform(0.5, 1.0, np.shape(mx))).astype(np.float32)


def build(rng, geometry, quantize_on_load):
    """One module with the three directions; returns (module, labels,
    numpy expectations)."""
    name, conv, *dims = geometry
    n, c, h, w, o, kh, kw = dims
    xs, ws, ys = shapes(conv, *dims)
    cd = conv.chan_dim
    m = Module()
    labels, expects = [], []
    if quantize_on_load:
        x, wt, gy = randn(rng, xs), randn(rng, ws, 0.1), randn(rng, ys, 1e-3)
        specs = [
            ("qconv2d f32 x, f32 w clip [O]", "qconv2d", x, sub_clip(rng, x), wt,
             sub_clip(rng, wt, 0), ys),
            ("qconv2d_backward_data f32 gy, i8 w", "qconv2d_backward_data", gy,
             sub_clip(rng, gy), rand_codes(rng, ws), rand_clip(rng), xs),
            ("qconv2d_backward_filter i8 x, f32 gy clip [O]", "qconv2d_backward_filter",
             rand_codes(rng, xs), rand_clip(rng), gy, sub_clip(rng, gy, cd), ws),
        ]
    else:
        qx, qw, qgy = rand_codes(rng, xs), rand_codes(rng, ws), rand_codes(rng, ys)
        specs = [
            ("qconv2d i8, filter clip [O]", "qconv2d", qx, rand_clip(rng), qw,
             rand_clip(rng, (o,)), ys),
            ("qconv2d_backward_data i8", "qconv2d_backward_data", qgy, rand_clip(rng), qw,
             rand_clip(rng), xs),
            ("qconv2d_backward_filter i8, per-tensor clips", "qconv2d_backward_filter", qx,
             rand_clip(rng), qgy, rand_clip(rng), ws),
        ]
    rounding = "nearest_even" if quantize_on_load else None
    for label, op, a, ca, b, cb, out_shape in specs:
        v = m.qconv(op, m.arg(a), m.arg(ca), m.arg(b), m.arg(cb),
                    tensor_type(out_shape, "f32"), conv, rounding)
        m.result(v, label)
        labels.append(label)
        if op == "qconv2d":
            expects.append(ref.qconv2d(a, ca, b, cb, conv)[0])
        elif op == "qconv2d_backward_data":
            expects.append(ref.qconv2d_backward_data(a, ca, b, cb, (h, w), conv)[0])
        else:
            expects.append(ref.qconv2d_backward_filter(a, ca, b, cb, (kh, kw), conv)[0])
    return m, labels, expects


def add(m, first, second):
    """`first + second` as Torch-MLIR writes it: an elementwise
    linalg.generic with one arith.addf."""
    t = first.type
    rank = t.count("x")
    dims = ", ".join("d%d" % i for i in range(rank))
    identity = "affine_map<(%s) -> (%s)>" % (dims, dims)
    init = m.op("tensor.empty() : %s" % t, [t])[0]
    return m.op(
        "linalg.generic {indexing_maps = [%s, %s, %s], iterator_types = [%s]} "
        "ins(%s, %s : %s, %s) outs(%s : %s) {\n"
        "  ^bb0(%%a: f32, %%b: f32, %%out: f32):\n"
        "    %%sum = arith.addf %%a, %%b : f32\n"
        "    linalg.yield %%sum : f32\n"
        "  } -> %s" % (identity, identity, identity,
                       ", ".join(['"parallel"'] * rank), first, second, t, t, init, t, t),
        [t])[0]


def build_accumulating(rng, geometry):
    """Gradients accumulated by an elementwise add, which the tiled form fuses
    into the epilogue of the later convolution: a residual block's
    backward-data (the second convolution's GX added to the first's), and a
    backward-filter added to an earlier gradient given as an argument (the
    addend first)."""
    name, conv, *dims = geometry
    n, c, h, w, o, kh, kw = dims
    xs, ws, ys = shapes(conv, *dims)
    m = Module()
    gy1, gy2 = rand_codes(rng, ys), rand_codes(rng, ys)
    w1, w2 = rand_codes(rng, ws), rand_codes(rng, ws)
    c1, c2, cw1, cw2 = rand_clip(rng), rand_clip(rng), rand_clip(rng), rand_clip(rng)
    x, cx, earlier = rand_codes(rng, xs), rand_clip(rng), randn(rng, ws, 1e-2)
    xt, wt = tensor_type(xs, "f32"), tensor_type(ws, "f32")
    gx1 = m.qconv("qconv2d_backward_data", m.arg(gy1), m.arg(c1), m.arg(w1), m.arg(cw1), xt, conv)
    gx2 = m.qconv("qconv2d_backward_data", m.arg(gy2), m.arg(c2), m.arg(w2), m.arg(cw2), xt, conv)
    m.result(add(m, gx1, gx2), "gx1 + gx2")
    gw = m.qconv("qconv2d_backward_filter", m.arg(x), m.arg(cx), m.arg(gy1), m.arg(c1), wt, conv)
    m.result(add(m, m.arg(earlier), gw), "earlier + gw")
    expects = [
        ref.qconv2d_backward_data(gy1, c1, w1, cw1, (h, w), conv)[0]
        + ref.qconv2d_backward_data(gy2, c2, w2, cw2, (h, w), conv)[0],
        earlier + ref.qconv2d_backward_filter(x, cx, gy1, c1, (kh, kw), conv)[0],
    ]
    return m, ["gx1 + gx2", "earlier + gw"], expects


def lower(runner, module_path, options):
    """daq-opt --daq-igemm-cpu-pipeline; returns the lowered module's path."""
    out = module_path.replace(".mlir", ".igemm.mlir")
    cmd = [runner.daq_opt(), module_path, "--daq-igemm-cpu-pipeline=%s" % options, "-o", out]
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True)
    if proc.returncode != 0:
        raise RunError("daq-opt failed: %s\n%s" % (" ".join(cmd), proc.stderr))
    return out


def run_lowered(runner, module, path, tag, opt_level=None):
    cmd = [runner.daq_run, path, "-e", "main"]
    if opt_level is not None:
        cmd.append("-O%d" % opt_level)
    d = os.path.dirname(path)
    for i, a in enumerate(module.inputs):
        p = os.path.join(d, "in%d.npy" % i)
        np.save(p, a)
        cmd.append("--input=%s" % p)
    outs = [os.path.join(d, "%s%d.npy" % (tag, i)) for i in range(len(module.results))]
    cmd += ["--output=%s" % p for p in outs]
    runner.count += 1
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True)
    if proc.returncode != 0:
        raise RunError("daq-run failed: %s\n%s" % (" ".join(cmd), proc.stderr))
    return [np.load(p) for p in outs]


def check_module(runner, ck, rng, index, geometry, config, load, options_suffix=""):
    """Builds module `index` of `geometry` (i8 operands, quantize-on-load if
    `load`, or gradient accumulation if `load` is None), runs it through the
    reference lowering and through daq-igemm-cpu-pipeline with `config`'s
    options (plus `options_suffix`), and checks both results bit for bit
    against each other and numpy."""
    config_label, options = config
    if load is None:
        module, labels, expects = build_accumulating(rng, geometry)
    else:
        module, labels, expects = build(rng, geometry, load)
    d = os.path.join(runner.tmp, "%02d" % index)
    os.makedirs(d)
    path = os.path.join(d, "module.mlir")
    with open(path, "w") as f:
        f.write(module.text())
    reference = run_lowered(runner, module, path, "ref", opt_level=0)
    # Both at -O0: the tiled form's unrolled outer products take LLVM
    # seconds to optimize, and the arithmetic is the same at every level (no
    # fast-math).
    tiled = run_lowered(runner, module, lower(runner, path, options + options_suffix),
                        "tiled", opt_level=0)
    for label, r, t, e in zip(labels, reference, tiled, expects):
        what = "%s [%s] %s" % (geometry[0], config_label, label)
        ck.exact(what + ": tiled == reference lowering", t, r)
        ck.exact(what + ": tiled == numpy", t, e)


def main():
    args = parse_args(__doc__)
    if args.mock:
        print("--mock has nothing to check here: both sides are compiled code")
        return
    rng = np.random.default_rng(args.seed)
    ck = Checker(args.seed)
    runner = Runner(args)
    geometries = list(GEOMETRIES) + [random_geometry(rng) for _ in range(2)]
    # (geometry, configurations, quantize-on-load per configuration)
    plan = []
    for gi, geometry in enumerate(geometries):
        # The configurations alternate over the fixed geometries, the random
        # ones run both; i8 operands and quantize-on-load alternate.
        chosen = CONFIGS if gi >= len(GEOMETRIES) else [CONFIGS[gi % 2]]
        plan.append((geometry, chosen, [(gi + ci) % 2 == 1 for ci in range(len(chosen))]))
    for geometry in RUN_GEOMETRIES:
        plan.append((geometry, RUN_CONFIGS, [False] * len(RUN_CONFIGS)))
    # Accumulating modules (None in place of quantize-on-load).
    for gi in (1, 2):
        plan.append((GEOMETRIES[gi], CONFIGS, [None, None]))
    count = 0
    for geometry, chosen, loads in plan:
        for config, load in zip(chosen, loads):
            count += 1
            check_module(runner, ck, rng, count, geometry, config, load)
    ck.finish(runner)


if __name__ == "__main__":
    main()
