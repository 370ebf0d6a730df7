# RUN: %python %s --daq-run daq-run
"""Clip computations against the numpy reference: daq.max_abs (per tensor,
per axis, NaN / inf propagation), daq.mcs_clip (Gaussian channels classified
bell-shaped, Laplace-like channels inverted-T, first step with a negative
state, the recursive update from a previous state chained over two steps,
channel counts 3 and 17, per tensor, non-default parameters, all-zero, NaN
and inf channels) and daq.dsgc_clip (per tensor and per axis, default and
non-default candidates, exact ties resolved toward the larger clip, all-zero
and non-finite channels).

Clips and classifications are compared bit for bit. The statistics (mean,
variance, cosine distances) are f64 sums whose order the spec leaves open, so
where an element lies within 1e-12 relative of sigma (MCS) or two DSGC
candidates lie within 1e-12 of each other in distance, either choice is
accepted (and reported); everything downstream of the choice is exact."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))

import numpy as np  # noqa: E402

import daq_reference as ref  # noqa: E402
from clip_checks import (check_dsgc, check_mcs, gaussian_channel,  # noqa: E402
                         laplace_channel, mixed_tensor)
from harness import Case, Checker, Runner, parse_args, rand_clip, randn, run_cases  # noqa: E402

F32 = np.float32


def max_abs_case(name, x, axis, ck):
    def build(m):
        n = None if axis is None else x.shape[axis]
        e = ref.max_abs(x, axis)
        m.result(m.max_abs(m.arg(x), axis, n), "clip", e)
        return lambda outs: ck.exact("%s: max_abs" % name, outs[0], e)
    return Case(name, build)


def mcs_case(name, x, prev, axis, ck, params=(0.3, 1.0, 0.8), expect_bell=None, steps=1,
             x2=None):
    """mcs_clip; with steps=2 the clip of the first call is the state of a
    second call on x2 (the recursive update across training steps)."""
    def build(m):
        vx, vp = m.arg(x), m.arg(prev)
        c1, b1 = m.mcs_clip(vx, vp, axis, *params)
        e1 = ref.mcs_clip(x, prev, axis, *params)
        m.result(c1, "clip", e1[0])
        m.result(b1, "bell", e1[1])
        if steps == 2:
            c2, b2 = m.mcs_clip(m.arg(x2), c1, axis, *params)
            e2 = ref.mcs_clip(x2, e1[0], axis, *params)
            m.result(c2, "clip2", e2[0])
            m.result(b2, "bell2", e2[1])

        def check(outs):
            clip1 = check_mcs(ck, name, outs[0], outs[1], x, prev, axis, params, expect_bell)
            if steps == 2:
                check_mcs(ck, name + " (second step)", outs[2], outs[3], x2, clip1, axis, params)
        return check
    return Case(name, build)


def dsgc_case(name, x, axis, ck, candidates=32, min_ratio=0.1, expect_clip=None):
    def build(m):
        n = None if axis is None else x.shape[axis]
        c, d = m.dsgc_clip(m.arg(x), axis, n, candidates, min_ratio)
        e = ref.dsgc_clip(x, axis, candidates, min_ratio)
        m.result(c, "clip", e[0])
        m.result(d, "distance", e[1])
        return lambda outs: check_dsgc(ck, name, outs[0], outs[1], x, axis, candidates,
                                       min_ratio, expect_clip)
    return Case(name, build)


def main():
    args = parse_args(__doc__)
    rng = np.random.default_rng(args.seed)
    ck = Checker(args.seed)
    runner = Runner(args)
    cases = []

    # ---- max_abs
    x = randn(rng, (8, 17, 4, 3)) * np.exp(rng.uniform(-4, 4, (1, 17, 1, 1))).astype(F32)
    x = x.astype(F32)
    for axis in (None, 0, 1, 3):
        cases.append(max_abs_case("max_abs axis %s" % axis, x, axis, ck))
    xn = randn(rng, (2, 5, 3, 3))
    xn[:, 0] = 0.0
    xn[1, 1, 2, 2] = np.nan
    xn[0, 2, 0, 1] = np.inf
    xn[1, 3, 1, 0] = -np.inf
    xn[0, 4, 0, 0] = np.nan
    xn[1, 4, 0, 0] = np.inf
    for axis in (None, 1):
        cases.append(max_abs_case("max_abs zero/NaN/inf axis %s" % axis, xn, axis, ck))

    # ---- mcs_clip
    kinds17 = "gl"
    shape17 = (4, 17, 12, 12)  # 576 elements per channel
    g17 = mixed_tensor(rng, shape17, 1, kinds17)
    expect17 = np.array([i % 2 == 0 for i in range(17)])
    first = np.full((17,), -1.0, F32)
    cases.append(mcs_case("mcs 17 channels first step", g17, first, 1, ck, expect_bell=expect17))
    prev17 = (ref.max_abs(g17, 1) * rng.uniform(0.3, 2.0, 17)).astype(F32)
    g17b = mixed_tensor(rng, shape17, 1, kinds17)
    cases.append(mcs_case("mcs 17 channels with state, two steps", g17, prev17, 1, ck,
                          expect_bell=expect17, steps=2, x2=g17b))
    g3 = mixed_tensor(rng, (8, 9, 10, 3), 3, "lgl")  # nhwc-like: channels last
    cases.append(mcs_case("mcs 3 channels axis 3 first step, then recursive", g3,
                          np.full((3,), -1.0, F32), 3, ck,
                          expect_bell=np.array([False, True, False]), steps=2,
                          x2=mixed_tensor(rng, (8, 9, 10, 3), 3, "lgl")))
    cases.append(mcs_case("mcs 3 channels axis 0 mixed state", g3.transpose(3, 0, 1, 2).copy(),
                          np.array([-1.0, 0.5, 2.0], F32), 0, ck,
                          expect_bell=np.array([False, True, False])))
    lap = laplace_channel(rng, 2000, 0.01).reshape(8, 250)
    cases.append(mcs_case("mcs per tensor Laplace, state", lap, np.array(0.05, F32), None, ck,
                          expect_bell=np.array(False)))
    gau = gaussian_channel(rng, 2000, 3.0).reshape(2, 10, 100)
    cases.append(mcs_case("mcs per tensor Gaussian, state", gau, np.array(5.0, F32), None, ck,
                          expect_bell=np.array(True)))
    cases.append(mcs_case("mcs per tensor Laplace first step", lap, np.array(-1.0, F32), None, ck))
    for params in ((0.25, 1.0, 0.9), (0.35, 0.5, 0.6), (0.3, 0.0, 1.0)):
        cases.append(mcs_case("mcs params lambda=%r k=%r A=%r" % params, g17, prev17, 1, ck,
                              params=params))
    # Zero / NaN / inf channels, first step and with state.
    zn = mixed_tensor(rng, (3, 6, 8, 8), 1, "gl")
    zn[:, 0] = 0.0
    zn[1, 2, 3, 4] = np.nan
    zn[2, 3, 0, 0] = np.inf
    zn[0, 4, 7, 7] = -np.inf
    cases.append(mcs_case("mcs zero/NaN/inf channels first step", zn, np.full((6,), -1.0, F32),
                          1, ck))
    cases.append(mcs_case("mcs zero/NaN/inf channels with state", zn, rand_clip(rng, (6,)),
                          1, ck))
    cases.append(mcs_case("mcs NaN per tensor with state", zn, np.array(1.0, F32), None, ck))

    # ---- dsgc_clip
    d = randn(rng, (4, 17, 5, 5))
    d[:, 3] *= F32(1e-3)
    d[0, 5, 0, 0] = F32(40.0)  # outliers: a small clip wins
    d[1, 6, :, :] = laplace_channel(rng, 25, 1.0).reshape(5, 5)
    d = d.astype(F32)
    cases.append(dsgc_case("dsgc per axis 1", d, 1, ck))
    cases.append(dsgc_case("dsgc per tensor", d, None, ck))
    cases.append(dsgc_case("dsgc per axis 3, 8 candidates from 0.05", d, 3, ck, 8, 0.05))
    cases.append(dsgc_case("dsgc per axis 0, 2 candidates from 0.5", d, 0, ck, 2, 0.5))
    # Exact ties: 16 values +-2^-k per channel give cos = 1 exactly for every
    # candidate under any summation order (ghat^2 has at most 48 significant
    # bits, so sums of 16 of them are exact, and sqrt(64 ghat^2) = 8 |ghat|),
    # so the largest clip (= max) must win; a zero channel gives clip 0,
    # distance 0; non-finite channels give clip = max and a NaN distance.
    t = np.where(rng.random((3, 2, 8)) < 0.5, -1.0, 1.0).astype(F32)
    t = (t * np.array([0.5, 0.125, 4.0], F32)[:, None, None]).astype(F32)
    cases.append(dsgc_case("dsgc exact ties -> largest clip", t, 0, ck,
                           expect_clip=np.array([0.5, 0.125, 4.0], F32)))
    z = randn(rng, (5, 3, 4))
    z[1] = 0.0
    z[2, 1, 1] = np.nan
    z[3, 0, 2] = np.inf
    cases.append(dsgc_case("dsgc zero/NaN/inf channels", z, 0, ck,
                           expect_clip=None))

    run_cases(runner, ck, cases, "clips", per_module=6)
    ck.finish(runner)


if __name__ == "__main__":
    main()
