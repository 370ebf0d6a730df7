# RUN: %python %s --daq-run daq-run
"""The GPU statistics reductions and quantization of convert-daq-stats-to-gpu (target=cpu,
through daq-igemm-cpu-pipeline) against the reference lowering
(convert-daq-to-linalg, daq-cpu-pipeline with stats-kernel=reference) and
the float64 numpy reference.

Cases: per channel along NCHW's axis 1, NHWC's axis 3 and axis 0 of a
matrix, per tensor; odd channel counts; channel sizes that are not multiples
of the block size; Gaussian and Laplace channels (both MCS classes, as
constructed); the first step (prev = -1), later steps (prev > 0) and a mix;
NaN and +-inf in some channels (a NaN must reach the clip, never vanish).
daq.quantize (nearest-even, per channel and per tensor) on the same tensors
with clips below max-abs (saturating codes), a zero clip and exact ties,
bit for bit.
Three block configurations: the default (256 threads, 1024 blocks: one
slice per channel here), 32 threads with several slices per channel, and 2
threads with many slices. daq.max_abs must match bit for bit; daq.mcs_clip's
clip and classification too, except that a channel with an element within
1e-12 of sigma (a near tie, which a different f64 summation order can flip)
may take either classification (lib/clip_checks.py, as for the CPU
kernels)."""

import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))

import numpy as np  # noqa: E402

import daq_reference as ref  # noqa: E402
from clip_checks import check_mcs, gaussian_channel, laplace_channel, mixed_tensor  # noqa: E402
from harness import Checker, Module, RunError, Runner, parse_args, rand_clip  # noqa: E402
from test_conv_igemm import run_lowered  # noqa: E402

F32 = np.float32

# (label, daq-igemm-cpu-pipeline options)
CONFIGS = [
    ("default blocks", ""),
    ("32 threads, 64 blocks", "stats-block-size=32 stats-blocks=64"),
    ("2 threads, 5 blocks", "stats-block-size=2 stats-blocks=5"),
]
REFERENCE = "stats-kernel=reference qconv-kernel=reference"


def cases(rng):
    """(name, tensor, axis, expected classification or None)."""
    out = []
    for name, shape, axis, kinds in [
            ("nchw 2x5x7x9 axis 1", (2, 5, 7, 9), 1, "gl"),
            ("nhwc 3x6x5x7 axis 3", (3, 6, 5, 7), 3, "lgl"),
            ("nchw 4x3x11x13 axis 1", (4, 3, 11, 13), 1, "lg"),
            ("37x129 axis 0", (37, 129), 0, "glg"),
    ]:
        x = mixed_tensor(rng, shape, axis, kinds)
        nch = shape[axis]
        expect = np.array([kinds[i % len(kinds)] == "g" for i in range(nch)])
        out.append((name, x, axis, expect))
    out.append(("per tensor gaussian 3x5x17x19",
                gaussian_channel(rng, 3 * 5 * 17 * 19, 0.01).reshape(3, 5, 17, 19),
                None, np.array(True)))
    out.append(("per tensor laplace 1001", laplace_channel(rng, 1001, 3.0), None,
                np.array(False)))
    # Non-finite channels: NaN in channel 1, +inf in 2, -inf and NaN in 4.
    x = mixed_tensor(rng, (2, 6, 4, 5), 1, "gl")
    x[1, 1, 2, 3] = np.nan
    x[0, 2, 0, 0] = np.inf
    x[1, 4, 3, 4] = -np.inf
    x[0, 4, 1, 1] = np.nan
    out.append(("NaN/inf channels nchw 2x6x4x5", x, 1, None))
    y = laplace_channel(rng, 300, 1.0).reshape(3, 100)
    y[2, 17] = np.nan
    out.append(("NaN per tensor 3x100", y, None, None))
    return out


def prevs(rng, x, axis):
    """(label, prev) for the first step, a later step and a mix."""
    shape = () if axis is None else (x.shape[axis],)
    later = rand_clip(rng, shape)
    mixed = later.copy()
    if shape:
        mixed[::2] = -1.0
    out = [("first step", np.full(shape, -1.0, F32)), ("later step", later)]
    if shape:
        out.append(("mixed steps", mixed.astype(F32)))
    return out


def quantize_clip(rng, x, axis):
    """Clips below max-abs (so that codes saturate), with one zero clip per
    axis (all-zero codes) and ties: x / clip * 127 exactly k + 0.5 for some
    elements (nearest-even)."""
    mx = ref.max_abs(x, axis)
    clip = (np.nan_to_num(mx, nan=1.0, posinf=1.0) * rng.uniform(0.5, 1.0, np.shape(mx))
            ).astype(F32)
    if axis is not None:
        clip[0] = 0.0
    return clip


def build(rng):
    m = Module()
    checks = []  # (kind, label, result indices, x, axis, prev or clip, expect)
    for name, x, axis, expect in cases(rng):
        clip = quantize_clip(rng, x, axis)
        if axis is None:  # ties of nearest-even: x = (k + 0.5) * clip / 127
            flat = x.reshape(-1)
            flat[:5] = ((np.arange(5) + 0.5) * np.float64(clip) / 127).astype(F32)
        xv = m.arg(x)
        nclip = None if axis is None else x.shape[axis]
        i = m.result(m.max_abs(xv, axis, nclip), name + ": max_abs")
        checks.append(("max_abs", name, (i,), x, axis, None, None))
        i = m.result(m.quantize(xv, m.arg(clip), axis), name + ": quantize")
        checks.append(("quantize", name, (i,), x, axis, clip, None))
        for plabel, prev in prevs(rng, x, axis):
            clip, bell = m.mcs_clip(xv, m.arg(prev), axis)
            i = m.result(clip, name + " " + plabel + ": clip")
            j = m.result(bell, name + " " + plabel + ": bell")
            checks.append(("mcs", name + " " + plabel, (i, j), x, axis, prev, expect))
    return m, checks


def lower_and_run(runner, module, d, tag, pipeline):
    """daq-opt --PIPELINE on d/module.mlir, then daq-run on the result."""
    path = os.path.join(d, "module.mlir")
    lowered = os.path.join(d, "%s.mlir" % tag)
    cmd = [runner.daq_opt(), path, "--%s" % pipeline, "-o", lowered]
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True)
    if proc.returncode != 0:
        raise RunError("daq-opt failed: %s\n%s" % (" ".join(cmd), proc.stderr))
    return run_lowered(runner, module, lowered, tag)


def write_module(runner, module):
    """The module and its inputs in a fresh folder; returns the folder."""
    d = os.path.join(runner.tmp, "stats")
    os.makedirs(d)
    with open(os.path.join(d, "module.mlir"), "w") as f:
        f.write(module.text())
    return d


def check_all(ck, what, got, checks):
    for kind, name, idx, x, axis, prev, expect in checks:
        label = "%s [%s]" % (name, what)
        if kind == "max_abs":
            ck.exact(label + ": max_abs", got[idx[0]], ref.max_abs(x, axis))
        elif kind == "quantize":
            ck.exact(label + ": quantize", got[idx[0]], ref.quantize(x, prev, axis))
        else:
            check_mcs(ck, label, got[idx[0]], got[idx[1]], x, prev, axis, (0.3, 1.0, 0.8),
                      expect)


def main():
    args = parse_args(__doc__)
    if args.mock:
        print("--mock has nothing to check here: both sides are compiled code")
        return
    rng = np.random.default_rng(args.seed)
    ck = Checker(args.seed)
    runner = Runner(args)
    module, checks = build(rng)
    d = write_module(runner, module)
    reference = lower_and_run(runner, module, d, "ref", "daq-cpu-pipeline=%s" % REFERENCE)
    check_all(ck, "reference lowering", reference, checks)
    for ci, (label, options) in enumerate(CONFIGS):
        got = lower_and_run(runner, module, d, "gpu%d" % ci,
                            "daq-igemm-cpu-pipeline=%s" % options if options
                            else "daq-igemm-cpu-pipeline")
        check_all(ck, "gpu algorithm, " + label, got, checks)
        # Max-abs is order-free and quantize elementwise: identical to the
        # reference lowering's bits.
        for kind, name, idx, *_ in checks:
            if kind in ("max_abs", "quantize"):
                ck.exact("%s [%s]: %s == reference lowering" % (name, label, kind),
                         got[idx[0]], reference[idx[0]])
    ck.finish(runner)


if __name__ == "__main__":
    main()
