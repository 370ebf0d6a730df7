# RUN: %python %s --daq-run daq-run
"""daq.quantize_grad for every clip strategy (#daq.max, #daq.mcs with first
step and carried state, #daq.static, #daq.dsgc), nearest-even and
stochastic rounding, channel axis 1 (NCHW) and 3 (NHWC) with 17 and 3
channels, against the reference decomposition of
include/daq/Transforms/Passes.td: per-channel and per-tensor clips, then two
daq.quantize, and #daq.static clips after a daq-opt print/parse round
trip. Codes and clips are compared bit for bit (DSGC / MCS choices
that depend on f64 summation order are accepted as in test_clips.py, and the
codes are then checked against the clip actually chosen)."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))

import numpy as np  # noqa: E402

import daq_reference as ref  # noqa: E402
from harness import (Case, Checker, Runner, dsgc_attr, mcs_attr, parse_args,  # noqa: E402
                     rand_clip, randn, run_cases)
from clip_checks import check_dsgc, mixed_tensor  # noqa: E402

F32 = np.float32


def static_attr(chans, tensor):
    return "#daq.static<channels = [%s], tensor = %r : f32>" % (
        ", ".join(repr(float(c)) for c in chans), float(tensor))


def qgrad_case(name, g, axis, strategy, ck, rounding="nearest_even", seed=None, step=None,
               state=None):
    kind = strategy[0]
    nchan = g.shape[axis]
    if kind == "max":
        attr = "#daq.max"
    elif kind == "mcs":
        attr = mcs_attr(*strategy[1:])
    elif kind == "static":
        attr = static_attr(*strategy[1:])
    else:
        attr = dsgc_attr(*strategy[1:])

    def build(m):
        vg = m.arg(g)
        vstate = None
        if state is not None:
            vstate = (m.arg(state[0]), m.arg(state[1]))
        vstep = m.const_i64(step) if rounding == "stochastic" else None
        outs = m.quantize_grad(vg, axis, nchan, attr, vstate, rounding, seed, vstep)
        e = ref.quantize_grad(g, axis, strategy, rounding, seed, step or 0,
                              *(state if state is not None else (None, None)))
        for v, key in zip(outs, ("channel_codes", "channel_clip", "tensor_codes",
                                 "tensor_clip")):
            m.result(v, key, e[key])

        def check(o):
            qc, cc, qt, ct = o
            if kind == "mcs":
                # Exact; an order-dependent classification (never seen with
                # random data) would be reported in the failure's context.
                ex = e["extra"]
                ck.exact(name + ": channel clip", cc, e["channel_clip"],
                         lambda idx: "ambiguous classification: %s" % bool(
                             ex["channel_ambiguous"][idx]))
                ck.exact(name + ": tensor clip", ct, e["tensor_clip"],
                         lambda idx: "ambiguous classification: %s" % bool(
                             ex["tensor_ambiguous"]))
            elif kind == "dsgc":
                # The distance is not a result of quantize_grad: check the clip only.
                _check_dsgc_clip(ck, name + " channel clip", cc, g, axis, strategy)
                _check_dsgc_clip(ck, name + " tensor clip", ct, g, None, strategy)
            else:
                ck.exact(name + ": channel clip", cc, e["channel_clip"])
                ck.exact(name + ": tensor clip", ct, e["tensor_clip"])
            # Codes: exact, with the clips the op produced (identical to the
            # reference's unless an order-dependent choice was accepted above).
            ck.exact(name + ": channel codes", qc,
                     ref.quantize(g, np.asarray(cc, F32), axis, rounding, seed, step or 0))
            ck.exact(name + ": tensor codes", qt,
                     ref.quantize(g, np.asarray(ct, F32), None, rounding, seed, step or 0))
            if kind in ("max", "static"):
                ck.exact(name + ": channel codes (reference clips)", qc, e["channel_codes"])
                ck.exact(name + ": tensor codes (reference clips)", qt, e["tensor_codes"])
        return check
    return Case(name, build)


def _check_dsgc_clip(ck, name, got_clip, g, axis, strategy):
    """Clip among the allowed candidates; the distance is not returned by
    quantize_grad, so it is recomputed for the chosen clip and accepted."""
    _, n, mr = strategy
    _, _, tables = ref.dsgc_clip(g, axis, n, mr)
    chans = ref._channels(g, axis)
    dist = []
    for c, table, s in zip(chans, tables, np.asarray(got_clip).reshape(-1)):
        match = [d for cs, d in table if cs == s]
        dist.append(match[0] if match else np.nan)
    dist = np.array(dist, F32).reshape(np.shape(got_clip))
    check_dsgc(ck, name, got_clip, dist, g, axis, n, mr)


def main():
    args = parse_args(__doc__)
    rng = np.random.default_rng(args.seed)
    ck = Checker(args.seed)
    runner = Runner(args)
    cases = []

    g17 = mixed_tensor(rng, (4, 17, 6, 6), 1, "gl")
    g3 = mixed_tensor(rng, (2, 7, 7, 3), 3, "glg")
    for rounding, seed, step in (("nearest_even", None, None),
                                 ("stochastic", int(rng.integers(0, 1 << 40)),
                                  int(rng.integers(0, 1 << 40)))):
        tag = rounding if seed is None else "stochastic seed=%d step=%d" % (seed, step)
        for g, axis in ((g17, 1), (g3, 3)):
            c = g.shape[axis]
            pre = "%s axis %d C=%d" % (tag, axis, c)
            cases.append(qgrad_case(pre + " #daq.max", g, axis, ("max",), ck, rounding, seed, step))
            cases.append(qgrad_case(pre + " #daq.mcs first step", g, axis,
                                    ("mcs", 0.3, 1.0, 0.8), ck, rounding, seed, step,
                                    (np.full((c,), -1.0, F32), np.array(-1.0, F32))))
            cases.append(qgrad_case(pre + " #daq.mcs with state", g, axis,
                                    ("mcs", 0.3, 1.0, 0.8), ck, rounding, seed, step,
                                    ((ref.max_abs(g, axis) * rng.uniform(0.5, 1.5, c)).astype(F32),
                                     (ref.max_abs(g) * F32(0.7)).astype(F32))))
            cases.append(qgrad_case(pre + " #daq.mcs<0.25,0.5,0.9> with state", g, axis,
                                    ("mcs", 0.25, 0.5, 0.9), ck, rounding, seed, step,
                                    (rand_clip(rng, (c,)), rand_clip(rng))))
            cases.append(qgrad_case(pre + " #daq.static", g, axis,
                                    ("static", rand_clip(rng, (c,)), rand_clip(rng)), ck,
                                    rounding, seed, step))
            cases.append(qgrad_case(pre + " #daq.dsgc", g, axis, ("dsgc", 32, 0.1), ck,
                                    rounding, seed, step))
    cases.append(qgrad_case("#daq.dsgc<8, 0.05>", g17, 1, ("dsgc", 8, 0.05), ck))
    # Non-finite and zero channels through the whole op.
    gz = randn(rng, (2, 5, 4, 4))
    gz[:, 1] = 0.0
    gz[1, 3, 2, 2] = np.nan
    cases.append(qgrad_case("#daq.max zero/NaN channels", gz, 1, ("max",), ck))
    cases.append(qgrad_case("#daq.mcs zero/NaN channels", gz, 1, ("mcs", 0.3, 1.0, 0.8), ck,
                            state=(np.full((5,), 0.5, F32), np.array(0.5, F32))))

    run_cases(runner, ck, cases, "quantize_grad", per_module=4)
    # Static clips are compile-time constants: they must survive the module
    # being printed and parsed again (daq-opt, then daq-run on its output).
    rt = [qgrad_case("printed by daq-opt: #daq.static axis %d" % axis, g, axis,
                     ("static", rand_clip(rng, (g.shape[axis],)), rand_clip(rng)), ck)
          for g, axis in ((g17, 1), (g3, 3))]
    run_cases(runner, ck, rt, "quantize_grad_roundtrip", roundtrip=True)
    ck.finish(runner)


if __name__ == "__main__":
    main()
