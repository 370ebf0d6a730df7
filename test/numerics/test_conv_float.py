# RUN: %python %s --daq-run daq-run
"""Float convolutions (daq.conv2d, daq.conv2d_backward_data,
daq.conv2d_backward_filter) in f32 against a float64 reference, for the
geometries of lib/conv_cases.py (odd channels, stride 2, asymmetric padding,
dilation 2, groups, depthwise, batch 1 and 8, NCHW and NHWC), plus one f64
case.

Bound: every output element is a sum of at most K products; an f32 result in
any summation order (with or without FMA) is within
gamma_{K+1} * (|x| conv |w|) of the exact value (see lib/harness.py)."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))

import numpy as np  # noqa: E402

import daq_reference as ref  # noqa: E402
from conv_cases import GEOMETRIES, shapes  # noqa: E402
from harness import Case, Checker, Runner, parse_args, randn, run_cases, type_of  # noqa: E402


def conv_case(name, conv, dims, rng, ck, dtype=np.float32):
    n, c, h, w, o, kh, kw = dims
    xs, ws, ys = shapes(conv, *dims)
    x = randn(rng, xs).astype(dtype)
    wt = randn(rng, ws).astype(dtype)
    gy = randn(rng, ys).astype(dtype)
    unit = 2.0 ** -24 if dtype == np.float32 else 2.0 ** -53
    G = conv.groups
    oh, ow = conv.out_size((h, w), (kh, kw))

    def build(m):
        vx, vw, vgy = m.arg(x), m.arg(wt), m.arg(gy)
        y = m.conv("conv2d", vx, vw, type_of(np.zeros(ys, dtype)), conv)
        gx = m.conv("conv2d_backward_data", vgy, vw, type_of(x), conv)
        gw = m.conv("conv2d_backward_filter", vx, vgy, type_of(wt), conv)
        ey = ref.conv2d(x, wt, conv)
        egx = ref.conv2d_backward_data(gy, wt, (h, w), conv)
        egw = ref.conv2d_backward_filter(x, gy, (kh, kw), conv)
        m.result(y, "y", ey.astype(dtype))
        m.result(gx, "gx", egx.astype(dtype))
        m.result(gw, "gw", egw.astype(dtype))
        ax, aw, agy = np.abs(x), np.abs(wt), np.abs(gy)
        my = ref.conv2d(ax, aw, conv)
        mgx = ref.conv2d_backward_data(agy, aw, (h, w), conv)
        mgw = ref.conv2d_backward_filter(ax, agy, (kh, kw), conv)

        def check(outs):
            ck.conv_close("%s: conv2d" % name, outs[0], ey, my, (c // G) * kh * kw, unit)
            ck.conv_close("%s: conv2d_backward_data" % name, outs[1], egx, mgx,
                          (o // G) * kh * kw, unit)
            ck.conv_close("%s: conv2d_backward_filter" % name, outs[2], egw, mgw, n * oh * ow,
                          unit)
            # Rows/columns of the input that no output reads get exactly 0.
            uncovered = (mgx == 0)
            if np.any(uncovered):
                ck.true("%s: unread input positions have zero gradient (%d)" % (
                    name, int(uncovered.sum())), np.all(outs[1][uncovered] == 0))
        return check
    return Case(name, build)


def main():
    args = parse_args(__doc__)
    rng = np.random.default_rng(args.seed)
    ck = Checker(args.seed)
    runner = Runner(args)
    cases = [conv_case(name, conv, dims, rng, ck) for name, conv, *dims in GEOMETRIES]
    # Float convolutions accept any float element type: one f64 case.
    name, conv, *dims = GEOMETRIES[1]
    cases.append(conv_case(name + " f64", conv, dims, rng, ck, np.float64))
    run_cases(runner, ck, cases, "conv_float", per_module=2)
    ck.finish(runner)


if __name__ == "__main__":
    main()
