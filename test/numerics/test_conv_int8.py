# RUN: %python %s --daq-run daq-run
"""INT8 convolutions (daq.qconv2d, daq.qconv2d_backward_data,
daq.qconv2d_backward_filter) for the geometries of lib/conv_cases.py:
i8 operands with per-tensor clips and per-output-channel clips (qconv2d
filter clip [O]; qconv2d_backward_filter grad_output clip [O], indexing GW's
dim 0), and quantize-on-load of f32 operands (per tensor and per channel,
nearest-even and stochastic rounding, one or both operands), and non-finite
clips (NaN / inf per channel, NaN activations) reaching exactly the outputs
that use them.

Every output must equal, bit for bit, the documented epilogue
float32(acc) * float32(float32(clip_a * clip_b) / 16129) applied to the exact
accumulation of the int8 codes (computed in int64): this checks the i32
accumulator exactly and the dequantization to the last bit."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))

import numpy as np  # noqa: E402

import daq_reference as ref  # noqa: E402
from conv_cases import GEOMETRIES, shapes  # noqa: E402
from harness import (Case, Checker, Runner, parse_args, rand_clip, rand_codes,  # noqa: E402
                     randn, run_cases, tensor_type)

F32 = np.float32


def sub_clip(rng, t, axis=None):
    """A clip at 50-100% of max |t| (so some values are clamped)."""
    mx = ref.max_abs(t, axis)
    return (mx * rng.uniform(0.5, 1.0, np.shape(mx))).astype(F32)


def int8_case(name, conv, dims, rng, ck, variants):
    n, c, h, w, o, kh, kw = dims
    xs, ws, ys = shapes(conv, *dims)
    cd = conv.chan_dim
    x_f, w_f, gy_f = randn(rng, xs), randn(rng, ws, 0.1), randn(rng, ys, 1e-3)
    qx, qw, qgy = rand_codes(rng, xs), rand_codes(rng, ws), rand_codes(rng, ys)
    seed = int(rng.integers(0, 1 << 40))
    step = int(rng.integers(0, 1 << 40))
    # (label, op, operand a, clip a, operand b, clip b, rounding)
    per_channel = "per_channel" in variants
    ops = [
        ("qconv2d i8, filter clip [O]" if per_channel else "qconv2d i8, per-tensor clips",
         "qconv2d", qx, rand_clip(rng), qw, rand_clip(rng, (o,) if per_channel else ()), None),
        ("qconv2d_backward_data i8", "qconv2d_backward_data", qgy, rand_clip(rng), qw,
         rand_clip(rng), None),
        # The other granularity for backward-filter's gradient clip.
        ("qconv2d_backward_filter i8, per-tensor clips" if per_channel else
         "qconv2d_backward_filter i8, grad clip [O]", "qconv2d_backward_filter", qx,
         rand_clip(rng), qgy, rand_clip(rng, () if per_channel else (o,)), None),
    ]
    load_ops = {
        "fwd_ne": ("qconv2d f32 x, f32 w clip [O], nearest", "qconv2d", x_f, sub_clip(rng, x_f),
                   w_f, sub_clip(rng, w_f, 0), "nearest_even"),
        "fwd_sr": ("qconv2d f32 x, f32 w, stochastic", "qconv2d", x_f, sub_clip(rng, x_f), w_f,
                   sub_clip(rng, w_f), "stochastic"),
        "fwd_mixed_sr": ("qconv2d i8 x, f32 w clip [O], stochastic", "qconv2d", qx,
                         rand_clip(rng), w_f, sub_clip(rng, w_f, 0), "stochastic"),
        "bwd_data_ne": ("qconv2d_backward_data f32 gy, i8 w, nearest", "qconv2d_backward_data",
                        gy_f, sub_clip(rng, gy_f), qw, rand_clip(rng), "nearest_even"),
        "bwd_data_sr": ("qconv2d_backward_data f32 gy, f32 w, stochastic",
                        "qconv2d_backward_data", gy_f, sub_clip(rng, gy_f), w_f,
                        sub_clip(rng, w_f), "stochastic"),
        "bwd_filter_ne": ("qconv2d_backward_filter f32 x, f32 gy clip [O], nearest",
                          "qconv2d_backward_filter", x_f, sub_clip(rng, x_f), gy_f,
                          sub_clip(rng, gy_f, cd), "nearest_even"),
        "bwd_filter_mixed_sr": ("qconv2d_backward_filter i8 x, f32 gy clip [O], stochastic",
                                "qconv2d_backward_filter", qx, rand_clip(rng), gy_f,
                                sub_clip(rng, gy_f, cd), "stochastic"),
        "bwd_filter_sr": ("qconv2d_backward_filter f32 x, f32 gy, stochastic",
                          "qconv2d_backward_filter", x_f, sub_clip(rng, x_f), gy_f,
                          sub_clip(rng, gy_f), "stochastic"),
    }
    ops += [load_ops[v] for v in variants if v in load_ops]

    def build(m):
        checks = []
        vstep = None
        for label, op, a, ca, b, cb, rounding in ops:
            va, vca, vb, vcb = m.arg(a), m.arg(ca), m.arg(b), m.arg(cb)
            st = None
            if rounding == "stochastic":
                if vstep is None:
                    vstep = m.const_i64(step)
                st = vstep
            rd = None if rounding is None else rounding
            sd = seed if rounding == "stochastic" else None
            rr = rounding or "nearest_even"
            if op == "qconv2d":
                out_shape = ys
                e, acc, _, _ = ref.qconv2d(a, ca, b, cb, conv, rr, sd, step)
            elif op == "qconv2d_backward_data":
                out_shape = xs
                e, acc, _, _ = ref.qconv2d_backward_data(a, ca, b, cb, (h, w), conv, rr, sd, step)
            else:
                out_shape = ws
                e, acc, _, _ = ref.qconv2d_backward_filter(a, ca, b, cb, (kh, kw), conv, rr, sd, step)
            v = m.qconv(op, va, vca, vb, vcb, tensor_type(out_shape, "f32"), conv, rd, sd, st)
            m.result(v, label, e)
            checks.append((label, e, acc, ca, cb))

        def check(outs):
            for (label, e, acc, ca, cb), got in zip(checks, outs):
                scale = ref.epilogue(np.ones_like(acc), ca, cb,
                                     0 if "backward_filter" in label else conv.chan_dim)

                def ctx(idx, acc=acc, scale=scale, got=got):
                    return "exact acc %d, got / scale = %.6g" % (
                        int(acc[idx]), float(got[idx]) / float(scale[idx]))
                ck.exact("%s [%s seed=%d step=%d]: %s" % (name, conv, seed, step, label),
                         got, e, ctx)
                ck.true("%s: %s: accumulator nonzero somewhere" % (name, label),
                        np.any(acc != 0))
        return check
    return Case(name, build)


def nonfinite_case(rng, ck):
    """Non-finite clips reach the outputs that use them, and only those."""
    name, conv, *dims = GEOMETRIES[0]
    n, c, h, w, o, kh, kw = dims
    xs, ws, ys = shapes(conv, *dims)
    qx, qw = rand_codes(rng, xs), rand_codes(rng, ws)
    wclip = rand_clip(rng, (o,))
    wclip[1], wclip[2] = np.nan, np.inf
    x_nan = randn(rng, xs)
    x_nan[0, 1, 2, 3] = np.nan
    gy = randn(rng, ys)
    gy[0, 1, 0, 0] = np.nan  # output channel 1 of the gradient
    gy[0, 4, 1, 1] = -np.inf  # output channel 4
    gyclip = ref.max_abs(gy, conv.chan_dim)

    def build(m):
        specs = [
            ("qconv2d filter clips [O] with NaN and inf", "qconv2d", qx, rand_clip(rng), qw, wclip,
             ys, None),
            ("qconv2d f32 x with a NaN, its max_abs clip", "qconv2d", x_nan, ref.max_abs(x_nan),
             qw, rand_clip(rng), ys, "nearest_even"),
            ("qconv2d_backward_filter f32 gy with NaN/-inf channels, max_abs clips [O]",
             "qconv2d_backward_filter", qx, rand_clip(rng), gy, gyclip, ws, "nearest_even"),
        ]
        checks = []
        for label, op, a, ca, b, cb, out_shape, rounding in specs:
            v = m.qconv(op, m.arg(a), m.arg(ca), m.arg(b), m.arg(cb),
                        tensor_type(out_shape, "f32"), conv, rounding)
            if op == "qconv2d":
                e = ref.qconv2d(a, ca, b, cb, conv)[0]
            else:
                e = ref.qconv2d_backward_filter(a, ca, b, cb, (kh, kw), conv)[0]
            m.result(v, label, e)
            checks.append((label, e))

        def check(outs):
            for (label, e), got in zip(checks, outs):
                ck.exact("non-finite: %s" % label, got, e)
            y0, y1, gw = outs
            ck.true("non-finite: output channels 1 (NaN clip) and 2 (inf clip) non-finite, "
                    "others finite", not np.any(np.isfinite(y0[:, 1:3])) and
                    np.all(np.isfinite(y0[:, [0] + list(range(3, o))])))
            ck.true("non-finite: NaN activation clip makes every output NaN",
                    np.all(np.isnan(y1)))
            ck.true("non-finite: GW rows 1 and 4 NaN, the others finite",
                    np.all(np.isnan(gw[[1, 4]])) and
                    np.all(np.isfinite(np.delete(gw, [1, 4], axis=0))))
        return check
    return Case("non-finite clips", build)


def main():
    args = parse_args(__doc__)
    rng = np.random.default_rng(args.seed)
    ck = Checker(args.seed)
    runner = Runner(args)
    cases = []
    # Every geometry runs the three directions on i8 operands, alternating
    # per-tensor and per-output-channel clips; the quantize-on-load variants
    # are spread over the geometries (each on an NCHW and an NHWC one) to
    # bound the compile time.
    load = ["fwd_ne", "fwd_sr", "fwd_mixed_sr", "bwd_data_ne", "bwd_data_sr",
            "bwd_filter_ne", "bwd_filter_mixed_sr", "bwd_filter_sr"]
    nchw = [i for i, g in enumerate(GEOMETRIES) if g[1].layout == "nchw"]
    nhwc = [i for i, g in enumerate(GEOMETRIES) if g[1].layout == "nhwc"]
    assigned = {i: set() for i in range(len(GEOMETRIES))}
    for k, v in enumerate(load):
        assigned[nchw[k % len(nchw)]].add(v)
        assigned[nhwc[(k + 1) % len(nhwc)]].add(v)
    for i, (name, conv, *dims) in enumerate(GEOMETRIES):
        variants = assigned[i] | ({"per_channel"} if i % 2 == 0 else set())
        cases.append(int8_case(name, conv, dims, rng, ck, sorted(variants)))
    cases.append(nonfinite_case(rng, ck))
    run_cases(runner, ck, cases, "conv_int8", per_module=1)
    ck.finish(runner)


if __name__ == "__main__":
    main()
