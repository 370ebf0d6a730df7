# RUN: %python %s --daq-run daq-run
"""Self-tests of the numpy reference (no daq-run needed): Philox-4x32-10 known
answers, hand-computed quantizer values, the float convolutions against a
scalar-loop forward and the adjoint identities
<conv(x,w), gy> == <x, bwd_data(gy,w)> == <w, bwd_filter(x,gy)>, and the
statistics of the clip computations on hand-made inputs."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))

import numpy as np  # noqa: E402

import daq_reference as ref  # noqa: E402
from harness import Checker, parse_args, randn  # noqa: E402

F32 = np.float32


def main():
    args = parse_args(__doc__)
    rng = np.random.default_rng(args.seed)
    ck = Checker(args.seed)

    # Philox known-answer tests (Random123 kat_vectors, philox4x32_10).
    for ctr, key, expected in ref.PHILOX_KNOWN_ANSWERS:
        got = tuple(int(w) for w in ref.philox4x32_10(ctr, key))
        ck.true("philox4x32_10(%s, %s)" % ([hex(c) for c in ctr], [hex(k) for k in key]),
                got == expected, "got %s expected %s" % (
                    [hex(v) for v in got], [hex(v) for v in expected]))
    ref.selftest_philox()
    # Counter layout: element index in words 0-1, step in 2-3, seed = key.
    u = ref.stochastic_uniform((3,), seed=(5 << 32) | 7, step=(9 << 32) | 11)
    for i in range(3):
        x0 = int(ref.philox4x32_10((i, 0, 11, 9), (7, 5))[0])
        ck.true("stochastic u[%d] = (x0 >> 8) * 2^-24" % i,
                float(u[i]) == (x0 >> 8) / 2.0 ** 24)
    uu = ref.stochastic_uniform((1 << 16,), seed=3, step=1)
    ck.true("u in [0, 1), mean ~ 0.5", np.all((uu >= 0) & (uu < 1)) and
            abs(float(np.mean(uu)) - 0.5) < 0.01, "mean %r" % float(np.mean(uu)))

    # Quantizer on hand-made values: s = 127 gives inv = 1, v = x; ties to even.
    x = np.array([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 126.5, 200.0, -200.0, np.nan,
                  np.inf, -np.inf, 0.49999997], dtype=F32)
    q = ref.quantize(x, np.array(127.0, F32))
    ck.true("nearest-even ties and saturation", q.tolist() ==
            [0, 2, 2, 0, -2, -2, 126, 127, -127, 0, 127, -127, 0], str(q.tolist()))
    ck.true("zero clip gives zero codes",
            np.all(ref.quantize(x, np.array(0.0, F32)) == 0))
    ck.true("zero clip dequantizes to zero without NaN",
            np.all(ref.dequantize(np.array([5, -7], np.int8), np.array(0.0, F32)) == 0))
    ck.true("NaN clip dequantizes to NaN",
            np.all(np.isnan(ref.dequantize(ref.quantize(x[:3], np.array(np.nan, F32)),
                                           np.array(np.nan, F32)))))
    ck.true("inf clip dequantizes to NaN",
            np.all(np.isnan(ref.dequantize(ref.quantize(x[:3], np.array(np.inf, F32)),
                                           np.array(np.inf, F32)))))
    # Stochastic rounding: floor(v + u) is v rounded up with probability frac(v).
    xs = np.full((1 << 14,), 0.3, F32)
    qs = ref.quantize(xs, np.array(127.0, F32), rounding="stochastic", seed=1, step=0)
    ck.true("stochastic rounding is unbiased", abs(qs.mean() - 0.3) < 0.02 and
            set(np.unique(qs).tolist()) == {0, 1}, "mean %r" % qs.mean())

    # Convolutions: scalar-loop forward and adjoint identities.
    configs = [
        (ref.Conv("nchw"), 2, 3, 5, 6, 4, 3, 3),
        (ref.Conv("nchw", (2, 2), (1, 0, 2, 1), (1, 1), 1), 2, 3, 7, 8, 5, 3, 2),
        (ref.Conv("nchw", (1, 2), (0, 2, 1, 0), (2, 2), 3), 1, 6, 9, 8, 9, 3, 3),
        (ref.Conv("nchw", (2, 1), (1, 1, 1, 1), (1, 2), 4), 3, 4, 6, 7, 8, 2, 3),  # depthwise x2
    ]
    for conv, n, c, h, w, o, kh, kw in configs:
        cg = c // conv.groups
        x = rng.standard_normal((n, c, h, w))
        wt = rng.standard_normal((o, cg, kh, kw))
        y = ref.conv_fwd_nchw(x, wt, conv)
        yb = ref.conv_fwd_bruteforce_nchw(x, wt, conv)
        ck.true("forward == scalar loops %s" % conv, np.allclose(y, yb, rtol=1e-12, atol=1e-12))
        gy = rng.standard_normal(y.shape)
        gx = ref.conv_bwd_data_nchw(gy, wt, (h, w), conv)
        gw = ref.conv_bwd_filter_nchw(x, gy, (kh, kw), conv)
        a = np.sum(y * gy)
        b = np.sum(x * gx)
        cc = np.sum(wt * gw)
        ck.true("adjoint identities %s" % conv,
                abs(a - b) <= 1e-10 * (1 + abs(a)) and abs(a - cc) <= 1e-10 * (1 + abs(a)),
                "<y,gy>=%r <x,gx>=%r <w,gw>=%r" % (a, b, cc))
        # Finite differences on one input and one filter element (linear, so exact).
        e = np.zeros_like(x)
        e[0, c - 1, h // 2, w - 1] = 1.0
        ck.true("bwd_data is d<y,gy>/dx %s" % conv, abs(
            np.sum(ref.conv_fwd_nchw(e, wt, conv) * gy) - gx[0, c - 1, h // 2, w - 1]) < 1e-10)
        # nhwc path equals the transposed nchw path.
        cn = ref.Conv("nhwc", conv.strides, conv.padding, conv.dilations, conv.groups)
        y2 = ref.conv2d(x.transpose(0, 2, 3, 1), wt.transpose(0, 2, 3, 1), cn)
        ck.true("nhwc forward %s" % cn, np.allclose(y2.transpose(0, 3, 1, 2), y, rtol=1e-12, atol=1e-12))
        # int64 path is exact.
        qx = rng.integers(-127, 128, x.shape).astype(np.int8)
        qw = rng.integers(-127, 128, wt.shape).astype(np.int8)
        acc = ref.conv_fwd_nchw(qx, qw, conv, dtype=np.int64)
        ck.true("int64 forward exact %s" % conv,
                np.array_equal(acc, ref.conv_fwd_bruteforce_nchw(qx, qw, conv).astype(np.int64)))

    # MCS statistics: Gaussian -> bell-shaped, Laplace -> inverted-T.
    g = np.stack([randn(rng, (4000,)), rng.laplace(0, 1, 4000).astype(F32)], axis=0)
    clip, bell, amb = ref.mcs_clip(g, np.array([2.0, 2.0], F32), axis=0)
    ck.true("MCS classification Gaussian/Laplace", bell.tolist() == [True, False], str(bell))
    mx = ref.max_abs(g, 0)
    ck.true("MCS clips", clip[0] == mx[0] and
            clip[1] == F32(F32(F32(1.0 - 0.8) * F32(2.0)) + F32(F32(0.8) * mx[1])))
    # All-zero channel: sigma 0, r 0 -> inverted-T; clip = max = 0 on first step.
    clip, bell, _ = ref.mcs_clip(np.zeros((1, 8), F32), np.array([-1.0], F32), axis=0)
    ck.true("MCS all-zero channel", clip[0] == 0 and not bell[0])
    # DSGC candidates span min_ratio*max .. max.
    cands = ref.dsgc_candidates(F32(2.0), 32, 0.1)
    ck.true("DSGC candidates", cands[0] == F32(F32(2.0) * F32(0.1)) and cands[-1] == F32(2.0)
            and all(a <= b for a, b in zip(cands, cands[1:])))
    s, d, _ = ref.dsgc_channel(np.zeros(16, F32))
    ck.true("DSGC all-zero channel: clip 0, distance 0", s == 0 and d == 0)
    # Epilogue.
    ck.true("epilogue", ref.epilogue(np.array([16129], np.int64), np.array(2.0, F32),
                                     np.array(3.0, F32))[0] == F32(6.0))
    ck.finish()


if __name__ == "__main__":
    main()
