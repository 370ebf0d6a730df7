"""Checks one variant of the CPU statistics and quantization kernels against
the reference.

Random gradients in both layouts (NCHW, channel axis 1; NHWC, axis 3; plus a
rank-2 tensor with the channels first), odd channel counts, all-zero channels,
a channel whose sigma lies just below some of its values, one whose values all
tie with its sigma, in two cases NaN and infinities, and (with --cases 10)
gradients of 8 MiB in both layouts whose codes are streamed; each case is one
module with daq.max_abs, daq.mcs_clip (alone, and as a per-channel /
per-tensor pair whose classification is unused, which the kernels compute
together) and daq.quantize (per channel and per tensor, clips including 0, inf
and NaN; exact ties through clips of 127; stochastic rounding, whose Philox
words must match the reference's) and daq.quantize_grad with #daq.mcs over two
steps (the second step's state is the first step's clips) and with #daq.max
(with #daq.mcs and nearest rounding one kernel, which guesses the tensor's
classification before counting; one case ties every element with sigma, so
that guess is wrong). The module is lowered twice with daq-opt:

  --daq-cpu-pipeline=stats-kernel=reference   (convert-daq-to-linalg loops)
  --daq-cpu-pipeline=stats-kernel=VARIANT     (the CPU kernels, forced)

and both run through daq-run on the same inputs. Every output must be equal
bit for bit (a NaN must be a NaN at the same place).
"""

import argparse
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "numerics", "lib"))

import numpy as np  # noqa: E402

from harness import Module, mcs_attr, randn  # noqa: E402

F32 = np.float32


# NCHW 32x32: channel rows (and the per-tensor parts) a multiple of 4 KiB
# apart, which the statistics kernels read skewed (StatsKernels.cpp,
# forRowsSideBySide); 17 channels: a block of 16 and a single one.
ALIASED_SHAPE = (4, 17, 32, 32)


# The case whose elements all tie with sigma, the one far from zero mean,
# and the one whose codes are streamed (random_case).
ALL_TIES = 6
OFFSET = 7
STREAMED = 8
STREAMED_NHWC = 9


def random_case(rng, index):
    """(shape, axis) of the gradient."""
    c = int(rng.choice([1, 3, 5, 7, 13, 17]))
    if index == 0:
        # NaN and infinities (build_case): several channels, random sizes.
        return (int(rng.integers(1, 4)), int(rng.choice([3, 5, 7, 13])),
                int(rng.integers(1, 9)), int(rng.integers(1, 9))), 1
    if index == 1:
        # NHWC, large enough that the per-tensor statistics split into parts.
        return (4, 19, 17, 37), 3
    if index == 2:
        return ALIASED_SHAPE, 1
    if index == 3:
        return (c, 29), 0
    if index == 4:
        # NaN and infinities (build_case) in NCHW blocks of eight channels
        # (StatsKernels.cpp, forBlockOf8): rows of five vector steps and a
        # tail; the infinities of both signs in channel 15 make its f64 sum
        # NaN without a NaN.
        return (2, 16, 5, 9), 1
    if index == 5:
        # Four blocks of eight, one of four, one alone; rows of one vector
        # step and one element.
        return (3, 37, 3, 3), 1
    if index == ALL_TIES:
        # Every element +-s (tie): mean |g| / sigma = 1 makes the fused
        # quantize_grad kernel guess the tensor bell-shaped, and r = 0 makes
        # it inverted-T, so the kernel writes the tensor's codes again.
        return (2, 6, 4, 5), 1
    if index == OFFSET:
        # 1000 + N(0, 1): each channel's and the tensor's sums of squares
        # dwarf their squared deviations, so pass 0's intervals are too
        # wide for a threshold: the channels take the reference's passes,
        # the fused kernel counts the tensor above both ends of its
        # interval (which agree: every |g| is far above sigma).
        return (3, 5, 6, 7), 1
    if index == STREAMED:
        # 8 MiB of f32 and more: the AVX-512 quantizer writes the codes'
        # whole lines with non-temporal stores (StatsKernels.cpp,
        # streamedCodes), rows of 99900 codes from every offset in a line.
        return (3, 7, 300, 333), 1
    if index == STREAMED_NHWC:
        # The same in NHWC: the quantizer takes a thread's rows of 7 codes
        # as one run whose clips repeat every 7 codes (StatsKernels.cpp,
        # quantizeRange), lines of 64 codes across rows.
        return (3, 300, 333, 7), 3
    n = int(rng.integers(1, 4))
    h, w = int(rng.integers(1, 9)), int(rng.integers(1, 9))
    if rng.random() < 0.5:
        return (n, c, h, w), 1
    return (n, h, w, c), 3


def straddle(rng, channel):
    """Fills a channel (of an even size >= 8) with +-v and +-w, w the float
    just below v, three v for each w and as many of each sign: its sigma
    lies strictly between w and v, nearer v, so f32(sigma) = v, and every v
    is above sigma (a count of |g| > sigma against a float rounded to
    nearest would find none)."""
    n = channel.size
    if n < 8 or n % 2:
        return
    v = F32(rng.uniform(0.5, 2.0))
    w = np.nextafter(v, F32(0))
    q = 2 * max(1, n // 8)
    values = np.concatenate([np.tile([v, -v], (n - q) // 2),
                             np.tile([w, -w], q // 2)]).astype(F32)
    rng.shuffle(values)
    channel[...] = values.reshape(channel.shape)


def tie(rng, channel, s=None):
    """Fills a channel (of an even size) with +-s, as many of each sign, s
    with a short mantissa: its mean is 0 and its sigma s, both exactly, so
    every |g| equals sigma and none is above it (a count of |g| >= sigma
    would find them all: r = 1 instead of 0, bell-shaped instead of
    inverted-T)."""
    n = channel.size
    if n % 2:
        return
    if s is None:
        s = F32(int(rng.integers(1, 4096)) / 1024.0)
    values = np.tile([s, -s], n // 2).astype(F32)
    rng.shuffle(values)
    channel[...] = values.reshape(channel.shape)


def gradient(rng, shape, axis, special, edges=False, ties=False,
             offset=0.0):
    g = randn(rng, shape, float(rng.choice([1e-3, 1.0, 30.0])))
    if offset:
        return (randn(rng, shape, 1.0) + F32(offset)).astype(F32)
    if ties:
        # One s for all: the tensor ties with its sigma too.
        moved = np.moveaxis(g, axis, 0)
        s = F32(int(rng.integers(1, 4096)) / 1024.0)
        for j in range(shape[axis]):
            tie(rng, moved[j], s)
        return np.ascontiguousarray(np.moveaxis(moved, 0, axis))
    # Heavy-tailed channels too (inverted-T shapes for MCS).
    if rng.random() < 0.5:
        g = (g * np.abs(randn(rng, shape, 1.0)) ** 3).astype(F32)
    channels = shape[axis]
    moved = np.moveaxis(g, axis, 0)
    if edges:
        # Each channel's maximum at its first or last element, where the
        # kernels' skewed rows are read alone (a lost element shows).
        top = float(np.abs(g).max())
        for j in range(channels):
            moved[j].flat[0 if j % 2 else moved[j].size - 1] = (2 + j) * top
    if channels > 1:
        moved[int(rng.integers(channels))] = 0.0  # an all-zero channel
    straddle(rng, moved[channels // 2])
    if channels > 2:
        tie(rng, moved[channels // 2 + 1])
    if special:
        # .flat writes through the (generally non-contiguous) view; a
        # reshape would write into a copy and leave g without them.
        moved[0].flat[0] = np.nan
        last = moved[-1].size - 1
        moved[int(rng.integers(channels))].flat[int(rng.integers(last + 1))] = np.nan
        if channels > 1:
            moved[-1].flat[last] = np.inf
            moved[-1].flat[0] = -np.inf
    return np.ascontiguousarray(np.moveaxis(moved, 0, axis))


def build_case(rng, shape, axis, special, ties=False, offset=0.0):
    m = Module()
    channels = shape[axis]
    edges = shape == ALIASED_SHAPE
    g1 = m.arg(gradient(rng, shape, axis, special, edges, ties, offset))
    g2 = m.arg(gradient(rng, shape, axis, False, edges, ties, offset))
    # Per-channel state: first step (-1) for some channels, positive clips.
    prev = rng.uniform(0.1, 3.0, size=(channels,)).astype(F32)
    prev[rng.random(channels) < 0.3] = -1.0
    prev_c = m.arg(prev)
    prev_t = m.arg(np.asarray(rng.uniform(0.1, 3.0), dtype=F32))
    clip_c = rng.uniform(0.01, 2.0, size=(channels,)).astype(F32)
    # 1e-40: a subnormal clip whose 127 / s overflows to inf (the
    # quantizers' clamps then matter).
    specials = [0.0, np.inf, np.nan, 1e-40]
    for k in range(min(channels, len(specials))):
        clip_c[k] = specials[k] if rng.random() < 0.7 else clip_c[k]
    clip_c = m.arg(clip_c)
    clip_t = m.arg(np.asarray(rng.uniform(0.01, 2.0), dtype=F32))

    m.result(m.max_abs(g1, axis, channels), "max_abs per channel")
    m.result(m.max_abs(g1, None), "max_abs per tensor")
    lam = float(rng.choice([0.3, 0.25]))
    c, bell = m.mcs_clip(g1, prev_c, axis, lam=lam, k=1.0, a=0.9)
    m.result(c, "mcs_clip per channel: clip")
    m.result(bell, "mcs_clip per channel: bell-shaped")
    c, bell = m.mcs_clip(g1, prev_t, None, lam=lam)
    m.result(c, "mcs_clip per tensor: clip")
    m.result(bell, "mcs_clip per tensor: bell-shaped")
    # The pair --daq-quantize-training emits per layer (classification
    # unused): one mcs_clip2 kernel call computes both.
    c, _ = m.mcs_clip(g2, prev_c, axis, lam=lam)
    m.result(c, "mcs_clip pair: per-channel clip")
    c, _ = m.mcs_clip(g2, prev_t, None, lam=lam)
    m.result(c, "mcs_clip pair: per-tensor clip")
    m.result(m.quantize(g1, clip_c, axis), "quantize per channel")
    m.result(m.quantize(g1, clip_t, None), "quantize per tensor")
    # Stochastic rounding (the _stochastic kernels): a step and a seed past
    # 2^32, so both halves of every Philox counter and key word are used.
    step = m.const_i64(int(rng.integers(1 << 32, 1 << 40)))
    seed = int(rng.integers(1 << 32, 1 << 40))
    m.result(m.quantize(g1, clip_c, axis, rounding="stochastic", seed=seed,
                        step=step), "quantize per channel, stochastic")
    m.result(m.quantize(g1, clip_t, None, rounding="stochastic",
                        seed=seed + 1, step=step),
             "quantize per tensor, stochastic")
    qc, _, qt, _ = m.quantize_grad(g2, axis, channels, mcs_attr(),
                                   state=(prev_c, prev_t),
                                   rounding="stochastic", seed=seed, step=step)
    m.result(qc, "quantize_grad #daq.mcs stochastic: channel codes")
    m.result(qt, "quantize_grad #daq.mcs stochastic: tensor codes")
    # Ties: with clips 127 the scale is exactly 1, so halves must round to
    # even (and values past 127 clamp).
    halves = (rng.integers(-140, 140, size=shape) + 0.5).astype(F32)
    halves[..., 0] = np.round(halves[..., 0])
    g3 = m.arg(halves)
    c127 = m.arg(np.full((channels,), 127.0, dtype=F32))
    t127 = m.arg(np.asarray(127.0, dtype=F32))
    m.result(m.quantize(g3, c127, axis), "quantize ties per channel")
    m.result(m.quantize(g3, t127, None), "quantize ties per tensor")
    # Two MCS steps of quantize_grad, the second on the first's clips.
    state = (prev_c, prev_t)
    for step, g in enumerate((g1, g2)):
        qc, cc, qt, ct = m.quantize_grad(g, axis, channels, mcs_attr(),
                                         state=state)
        for v, what in ((qc, "channel codes"), (cc, "channel clip"),
                        (qt, "tensor codes"), (ct, "tensor clip")):
            m.result(v, "quantize_grad #daq.mcs step %d: %s" % (step, what))
        state = (cc, ct)
    qc, cc, qt, ct = m.quantize_grad(g2, axis, channels, "#daq.max")
    for v, what in ((qc, "channel codes"), (cc, "channel clip"),
                    (qt, "tensor codes"), (ct, "tensor clip")):
        m.result(v, "quantize_grad #daq.max: %s" % what)
    return m


def run(cmd, what):
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True)
    if proc.returncode != 0:
        sys.exit("FAIL: %s failed (exit %d): %s\n%s" % (
            what, proc.returncode, " ".join(cmd), proc.stderr[-4000:]))
    return proc.stdout


def same(got, want):
    if got.shape != want.shape or got.dtype != want.dtype:
        return False
    if got.dtype.kind == "f":
        nan_g, nan_w = np.isnan(got), np.isnan(want)
        if not np.array_equal(nan_g, nan_w):
            return False
        return np.array_equal(got[~nan_g].view(np.uint32),
                              want[~nan_w].view(np.uint32))
    return np.array_equal(got, want)


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--daq-run", default="daq-run")
    p.add_argument("--daq-opt", default="daq-opt")
    p.add_argument("--kernel", required=True)
    p.add_argument("--cases", type=int, default=8)
    p.add_argument("--seed", type=int, default=None)
    args = p.parse_args()
    seed = args.seed if args.seed is not None else \
        int.from_bytes(os.urandom(4), "little")
    print("seed = %d (reproduce with --seed %d)" % (seed, seed))
    rng = np.random.default_rng(seed)
    failures = 0
    with tempfile.TemporaryDirectory(prefix="daq-stats-kernels-") as tmp:
        for index in range(args.cases):
            shape, axis = random_case(rng, index)
            special = index in (0, 4)
            m = build_case(rng, shape, axis, special, index == ALL_TIES,
                           1000.0 if index == OFFSET else 0.0)
            name = "case %d shape %s axis %d%s" % (
                index, shape, axis, " with NaN/inf" if special else "")
            d = os.path.join(tmp, "case%d" % index)
            os.makedirs(d)
            src = os.path.join(d, "module.mlir")
            with open(src, "w") as f:
                f.write(m.text())
            inputs = []
            for k, a in enumerate(m.inputs):
                path = os.path.join(d, "in%d.npy" % k)
                np.save(path, a)
                inputs.append("--input=" + path)
            outputs = {}
            for kernel in ("reference", args.kernel):
                lowered = os.path.join(d, kernel + ".mlir")
                run([args.daq_opt, src,
                     "--daq-cpu-pipeline=stats-kernel=" + kernel, "-o",
                     lowered], "lowering %s with %s" % (name, kernel))
                with open(lowered) as f:
                    text = f.read()
                calls = text.count("call @daq_cpu_")
                if kernel == "reference" and calls:
                    sys.exit("FAIL: %s: kernel calls in the reference" % name)
                # 2 max_abs, 2 mcs_clip, 1 mcs_clip2 for the pair, 4
                # quantize, per MCS quantize_grad 1 quantize_grad_mcs, for
                # #daq.max 2 max_abs + 1 quantize2; stochastic: 2 quantize,
                # 1 mcs_clip2 + 1 quantize2.
                if kernel != "reference" and calls != 18:
                    sys.exit("FAIL: %s: %d kernel calls with stats-kernel=%s, "
                             "expected 18" % (name, calls, kernel))
                outs = [os.path.join(d, "%s-out%d.npy" % (kernel, k))
                        for k in range(len(m.results))]
                env = dict(os.environ)
                env.pop("DAQ_CPU_KERNEL", None)
                proc = subprocess.run(
                    [args.daq_run, lowered, "-e", "main"] + inputs +
                    ["--output=" + o for o in outs],
                    stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                    universal_newlines=True, env=env)
                if proc.returncode != 0:
                    sys.exit("FAIL: %s: daq-run (%s) failed: %s" % (
                        name, kernel, proc.stderr[-4000:]))
                outputs[kernel] = [np.load(o) for o in outs]
            for k, (_, label) in enumerate(m.results):
                got, want = outputs[args.kernel][k], outputs["reference"][k]
                if not same(got, want):
                    failures += 1
                    diff = np.argwhere(~((got == want) |
                                         (np.isnan(got) & np.isnan(want))
                                         if got.dtype.kind == "f"
                                         else got == want))
                    first = tuple(diff[0]) if len(diff) else None
                    print("FAIL: %s: %s: %s differs from the reference at %d "
                          "elements, first %s: %r vs %r" % (
                              name, label, args.kernel, len(diff), first,
                              got[first] if first is not None else got,
                              want[first] if first is not None else want))
                else:
                    print("ok: %s: %s" % (name, label))
    if failures:
        sys.exit("FAIL: %d outputs differ (seed %d)" % (failures, seed))
    print("PASS")


if __name__ == "__main__":
    main()
