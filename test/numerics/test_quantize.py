# RUN: %python %s --daq-run daq-run
"""daq.quantize and daq.dequantize against the numpy reference, bit for bit:
per tensor and per axis (axes 0, 1 and the last), nearest-even (with exact
ties) and stochastic rounding (several seeds and steps, including words above
32 bits, and an unbiasedness check), clips smaller than the data (clamping),
an all-zero channel (codes 0, dequantized 0, no NaN) and NaN / +inf / -inf in
a channel (that channel's clip non-finite and its dequantized values NaN, the
other channels finite and exact)."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))

import numpy as np  # noqa: E402

import daq_reference as ref  # noqa: E402
from harness import (Case, Checker, Runner, parse_args, rand_clip, rand_codes,  # noqa: E402
                     randn, run_cases)

F32 = np.float32


def quantize_case(name, x, clip, axis, rounding="nearest_even", seed=None, step=None,
                  ck=None):
    """quantize then dequantize; checks codes and values."""
    def build(m):
        vx, vc = m.arg(x), m.arg(clip)
        vs = m.const_i64(step) if rounding == "stochastic" else None
        q = m.quantize(vx, vc, axis, rounding, seed, vs)
        d = m.dequantize(q, vc, axis)
        eq = ref.quantize(x, clip, axis, rounding, seed, step or 0)
        ed = ref.dequantize(eq, clip, axis)
        m.result(q, "codes", eq)
        m.result(d, "dequantized", ed)
        v = ref.quantize_values(x, clip, axis)

        def ctx(idx):
            return "x=%r v=%r" % (float(x[idx]), float(v[idx]))

        def check(outs):
            ck.exact("%s: codes" % name, outs[0], eq, ctx)
            ck.exact("%s: dequantized" % name, outs[1], ed, ctx)
        return check
    return Case(name, build)


def dequantize_case(name, q, clip, axis, ck):
    def build(m):
        d = m.dequantize(m.arg(q), m.arg(clip), axis)
        ed = ref.dequantize(q, clip, axis)
        m.result(d, "dequantized", ed)
        return lambda outs: ck.exact("%s: dequantized" % name, outs[0], ed)
    return Case(name, build)


def nonfinite_case(name, x, axis, ck):
    """max_abs -> quantize -> dequantize on a tensor whose channels along
    `axis` are: finite, all-zero, NaN, +inf, -inf, finite..."""
    def build(m):
        vx = m.arg(x)
        n = x.shape[axis] if axis is not None else None
        c = m.max_abs(vx, axis, n)
        q = m.quantize(vx, c, axis)
        d = m.dequantize(q, c, axis)
        ec = ref.max_abs(x, axis)
        eq = ref.quantize(x, ec, axis)
        ed = ref.dequantize(eq, ec, axis)
        for v, label, e in ((c, "clip", ec), (q, "codes", eq), (d, "dequantized", ed)):
            m.result(v, label, e)

        def check(outs):
            ck.exact("%s: clip" % name, outs[0], ec)
            ck.exact("%s: codes" % name, outs[1], eq)
            ck.exact("%s: dequantized" % name, outs[2], ed)
            # The spec's promises, stated directly.
            got_c, got_d = outs[0], outs[2]
            if axis is None:
                ck.true("%s: non-finite tensor gives a non-finite clip and NaN values" % name,
                        not np.isfinite(got_c) and np.all(np.isnan(got_d)))
                return
            for ch in range(x.shape[axis]):
                xs = np.take(x, ch, axis=axis)
                ds = np.take(got_d, ch, axis=axis)
                qs = np.take(outs[1], ch, axis=axis)
                if np.all(xs == 0):
                    ck.true("%s: all-zero channel %d: clip 0, codes 0, values 0" % (name, ch),
                            got_c[ch] == 0 and np.all(qs == 0) and np.all(ds == 0))
                elif not np.all(np.isfinite(xs)):
                    ck.true("%s: non-finite channel %d: clip %r non-finite, values NaN"
                            % (name, ch, float(got_c[ch])),
                            not np.isfinite(got_c[ch]) and np.all(np.isnan(ds)))
                else:
                    ck.true("%s: finite channel %d stays finite" % (name, ch),
                            np.isfinite(got_c[ch]) and np.all(np.isfinite(ds)))
        return check
    return Case(name, build)


def main():
    args = parse_args(__doc__)
    rng = np.random.default_rng(args.seed)
    ck = Checker(args.seed)
    runner = Runner(args)
    cases = []

    # Per tensor and per axis, nearest-even; channels of different scales.
    x = randn(rng, (8, 17, 5, 3)) * np.exp(rng.uniform(-3, 3, (1, 17, 1, 1))).astype(F32)
    x = x.astype(F32)
    cases.append(quantize_case("per-tensor max clip", x, ref.max_abs(x), None, ck=ck))
    cases.append(quantize_case("per-tensor small clip (clamping)", x,
                               F32(0.3) * ref.max_abs(x), None, ck=ck))
    cases.append(quantize_case("per-axis 1, max clips", x, ref.max_abs(x, 1), 1, ck=ck))
    clip1 = (ref.max_abs(x, 1) * rng.uniform(0.2, 1.2, 17)).astype(F32)
    cases.append(quantize_case("per-axis 1, clamping clips", x, clip1, 1, ck=ck))
    y = randn(rng, (3, 4, 6, 5), 2.0)
    cases.append(quantize_case("per-axis 0", y, rand_clip(rng, (3,)), 0, ck=ck))
    cases.append(quantize_case("per-axis 3 (last)", y, rand_clip(rng, (5,)), 3, ck=ck))
    cases.append(quantize_case("rank-1 tensor per axis 0", randn(rng, (17,)),
                               rand_clip(rng, (17,)), 0, ck=ck))
    # Exact ties: clip 127 gives inv = 1 (v = x), clip 63.5 gives inv = 2.
    ties = np.array([0.5, 1.5, 2.5, 3.5, -0.5, -1.5, -2.5, 125.5, 126.5, 127.5, -126.5,
                     1e-8, -1e-8, 300.0, -300.0, 42.0], dtype=F32)
    cases.append(quantize_case("ties to even (inv = 1)", ties, np.array(127.0, F32), None, ck=ck))
    cases.append(quantize_case("ties to even (inv = 2)", (ties / F32(2)).astype(F32),
                               np.array(63.5, F32), None, ck=ck))
    # Direct dequantize of random codes.
    q = rand_codes(rng, (4, 17, 3, 2))
    cases.append(dequantize_case("dequantize per tensor", q, rand_clip(rng), None, ck))
    cases.append(dequantize_case("dequantize per axis 1", q, rand_clip(rng, (17,)), 1, ck))
    cases.append(dequantize_case("dequantize per axis 3", q, rand_clip(rng, (2,)), 3, ck))

    # Stochastic rounding: seeds and steps (including > 32-bit words).
    z = randn(rng, (4, 3, 7, 5))
    for seed, step in ((0, 0), (7, 1), (42, 123456789), ((1 << 40) + 3, (1 << 33) + 5),
                       (int(rng.integers(0, 1 << 62)), int(rng.integers(0, 1 << 62)))):
        cases.append(quantize_case("stochastic per tensor seed=%d step=%d" % (seed, step), z,
                                   F32(0.7) * ref.max_abs(z), None, "stochastic", seed,
                                   step, ck=ck))
        cases.append(quantize_case("stochastic per axis 1 seed=%d step=%d" % (seed, step), z,
                                   ref.max_abs(z, 1), 1, "stochastic", seed, step, ck=ck))
    # Unbiasedness: 8192 copies of values with known fractional parts.
    fr = np.repeat(np.array([0.1, 0.5, 0.75, -0.3], F32), 2048).reshape(4, 2048)
    fr = (fr + np.array([[3], [-7], [0], [100]], F32)).astype(F32)
    unbiased_seed, unbiased_step = int(rng.integers(0, 1 << 31)), int(rng.integers(0, 1 << 31))

    def build_unbiased(m):
        vx, vc = m.arg(fr), m.arg(np.array(127.0, F32))
        qv = m.quantize(vx, vc, None, "stochastic", unbiased_seed, m.const_i64(unbiased_step))
        eq = ref.quantize(fr, np.array(127.0, F32), None, "stochastic", unbiased_seed,
                          unbiased_step)
        m.result(qv, "codes", eq)

        def check(outs):
            ck.exact("stochastic unbiasedness codes", outs[0], eq)
            for row in range(4):
                v = float(fr[row, 0])
                codes = outs[0][row].astype(np.float64)
                p = v - np.floor(v)
                tol = 5 * np.sqrt(max(p * (1 - p), 1e-4) / codes.size)
                ck.true("stochastic rounding of %r: mean %r within %.3f, codes in "
                        "{floor, floor+1}" % (v, codes.mean(), tol),
                        abs(codes.mean() - v) <= tol and
                        set(np.unique(codes)) <= {np.floor(v), np.floor(v) + 1})
        return check
    cases.append(Case("stochastic unbiasedness", build_unbiased))

    # Zero / NaN / inf channels, per axis 1 and per tensor.
    nf = randn(rng, (3, 6, 4, 4))
    nf[:, 1] = 0.0
    nf[1, 2, 2, 3] = np.nan
    nf[0, 3, 1, 1] = np.inf
    nf[2, 4, 3, 0] = -np.inf
    cases.append(nonfinite_case("zero/NaN/inf channels per axis 1", nf, 1, ck))
    nft = randn(rng, (2, 3, 4))
    nft[1, 1, 1] = np.nan
    cases.append(nonfinite_case("NaN per tensor", nft, None, ck))
    nfi = randn(rng, (2, 3, 4))
    nfi[0, 2, 3] = -np.inf
    cases.append(nonfinite_case("-inf per tensor", nfi, None, ck))
    zt = np.zeros((2, 3, 4), F32)
    cases.append(quantize_case("all-zero tensor, zero clip", zt, np.array(0.0, F32), None, ck=ck))
    cases.append(quantize_case("zero clip on non-zero data", randn(rng, (5, 4)),
                               np.array([1.0, 0.0, 2.0, 0.0], F32), 1, ck=ck))
    cases.append(quantize_case("stochastic with zero/NaN/inf channels", nf, ref.max_abs(nf, 1), 1,
                               "stochastic", 11, 5, ck=ck))

    run_cases(runner, ck, cases, "quantize", per_module=6)
    ck.finish(runner)


if __name__ == "__main__":
    main()
