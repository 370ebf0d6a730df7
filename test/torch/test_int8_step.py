# RUN: %python %s --daq-run daq-run --daq-opt daq-opt --inputs %daq_src_root/test/Inputs/torch
"""The INT8 training step that daq-training-pipeline makes of a Torch-MLIR
step equals a hand-built quantized computation of the same step.

Files: resnet_basic_block.mlir (direct form), resnet_basic_block_decomposed.mlir
and mobilenetv2_inverted_residual.mlir (depthwise). Policies (all layers
INT8):

  max     --daq-training-pipeline="layers=all clip=max"
  mcs     --daq-training-pipeline="layers=all clip=mcs": clip-state
          arguments and results appended, found by their `daq.state`
          attributes ("layer L grad_output per-channel|per-tensor clip");
          previous clips are -1 ("no history") for some channels and layers
          and positive for the others, so the first-step, bell-shaped and
          inverted-T branches of MCS all run (the test counts them)
  folded  --daq-training-pipeline="layers=all backward-data=folded clip=max"

The hand-built step (`Int8Step`) follows docs/design.md and the
documentation of daq-quantize-training, with the numpy reference of
test/numerics/lib/daq_reference.py for every daq op:

  forward of layer L:  X and W per tensor with max-abs clips,
                       Y = qconv2d(qX, qW) (exact integer sum, f32 epilogue);
  backward of layer L: GY -> quantize_grad with the policy's strategy
                       (max: per-channel max-abs, per-tensor = max of those;
                       mcs: mcs_clip per channel and per tensor with the
                       previous clips);
                       GW = qconv2d_backward_filter(qX [forward codes],
                            GY per output channel);
                       GX = qconv2d_backward_data(GY per tensor, qW [forward
                            codes]), or, folded: W' = W * s_o (f32 product),
                            per-tensor max-abs codes of W', GY's per-channel
                            codes with clip 1.

The rest of the step is written in numpy float32 exactly as the Torch-MLIR
IR computes it (one IEEE operation per numpy ufunc, no FMA):
  relu(z)      = select(z > 0, z, 0)
  relu6(z)     = select(6 < t, 6, t) with t = select(z > 0, z, 0)
  relu'        : select(out <= 0, 0, g)       (mask from the relu *output*)
  relu6'       : select(z <= 0 or z >= 6, 0, g) (mask from the *input*)
  sums         : one f32 addition each (residual, shortcut + conv2, d_x).

Every convolution is INT8 (exact integer accumulation and the documented f32
epilogue) and everything else is elementwise f32 with one rounding per
operation, and every f32 addition in the graph has exactly two operands (so
its order does not matter), so the compiled step must equal the numpy step
bit for bit: every result is compared with 0 ulp allowed, and the returned
MCS states must equal the reference mcs_clip clips bit for bit (the MCS
statistics are computed exactly in the reference; a channel whose
classification depends on the summation order, |g| within 1e-12 of sigma,
is never seen in practice: the inputs are redrawn if one occurs).

Model self-check: the same numpy graph with float convolutions (float64,
rounded to f32) is compared with the *original* Torch-MLIR module run by
daq-run (max |err| <= 1e-5 * max |ref| per result, the fp32 tolerance of
test_raise_and_fp32_policy.py; x and the filters are dyadic there, so the
forward pass is exact and both see the same relu masks). It shows that the
numpy graph is the Torch-MLIR graph, so a mismatch in the INT8 checks is the
compiler's, not the model's.

The pipeline output is also checked structurally: every layer is INT8 (3
qconv2d, 3 qconv2d_backward_data, 3 qconv2d_backward_filter, no float
daq.conv2d* left) and, for mcs, the state arguments and results are those of
the documentation (per layer in order: per-channel then per-tensor).
"""

import os
import re
import sys
from collections import Counter

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))

import numpy as np  # noqa: E402

import torch_step as ts  # noqa: E402
from torch_step import ref  # noqa: E402

F32 = np.float32
ZERO = F32(0.0)
SIX = F32(6.0)
RTOL_FP32 = 1e-5

POLICIES = [
    ("max", "layers=all clip=max"),
    ("mcs", "layers=all clip=mcs"),
    ("folded", "layers=all backward-data=folded clip=max"),
]

# MCS parameters: the defaults of #daq.mcs (docs/design.md); the pipeline
# prints `#daq.mcs` when they are the defaults, else `#daq.mcs<...>`, which
# `mcs_params` reads.
MCS_DEFAULT = (0.3, 1.0, 0.8)


class Ambiguous(Exception):
    """An MCS classification that depends on the summation order."""


# ---------------------------------------------------------------------------
# Convolution implementations of the numpy graphs
# ---------------------------------------------------------------------------
class FloatStep:
    """Float convolutions (float64, rounded to f32): the original graph."""

    def __init__(self):
        self.saved = {}
        self.stats = Counter()

    def fwd(self, layer, x, w, conv):
        self.saved[layer] = (x, w, conv)
        return ref.conv2d(x, w, conv).astype(F32)

    def bwd(self, layer, g):
        x, w, conv = self.saved[layer]
        gx = ref.conv2d_backward_data(g, w, x.shape[2:], conv).astype(F32)
        gw = ref.conv2d_backward_filter(x, g, w.shape[2:], conv).astype(F32)
        return gx, gw


class Int8Step:
    """The INT8 layer of daq-quantize-training (see the module docstring)."""

    def __init__(self, clip="max", folded=False, state=None, mcs=MCS_DEFAULT):
        self.clip = clip
        self.folded = folded
        self.state = state or {}  # layer -> (previous per-channel, per-tensor)
        self.mcs = mcs
        self.saved = {}
        self.new_state = {}  # layer -> (per-channel clip, per-tensor clip)
        self.branches = Counter()
        self.stats = Counter()

    def fwd(self, layer, x, w, conv):
        sx, sw = ref.max_abs(x), ref.max_abs(w)
        y, _, qx, qw = ref.qconv2d(x, sx, w, sw, conv)
        self.saved[layer] = (x.shape, w, qx, sx, qw, sw, conv)
        return y

    def _mcs(self, g, prev, axis):
        clip, bell, amb = ref.mcs_clip(g, prev, axis, *self.mcs)
        if np.any(amb):
            raise Ambiguous()
        for p, b in zip(np.atleast_1d(prev), np.atleast_1d(bell)):
            self.branches["first step" if p < 0 else
                          "bell-shaped" if b else "inverted-T update"] += 1
        return clip

    def bwd(self, layer, g):
        x_shape, w, qx, sx, qw, sw, conv = self.saved[layer]
        if self.clip == "max":
            cc = ref.max_abs(g, 1)
            ct = ref.max_abs(cc)
        else:
            prev_c, prev_t = self.state[layer]
            cc = self._mcs(g, prev_c, 1)
            ct = self._mcs(g, prev_t, None)
            self.new_state[layer] = (cc, ct)
        gw = ref.qconv2d_backward_filter(qx, sx, g, cc, w.shape[2:], conv)[0]
        if not self.folded:
            gx = ref.qconv2d_backward_data(g, ct, qw, sw, x_shape[2:], conv)[0]
        else:
            w_scaled = (w * cc.reshape(-1, 1, 1, 1)).astype(F32)
            s_scaled = ref.max_abs(w_scaled)
            q_scaled = ref.quantize(w_scaled, s_scaled)
            q_g = ref.quantize(g, cc, axis=1)
            gx = ref.qconv2d_backward_data(q_g, np.array(1.0, dtype=F32), q_scaled,
                                           s_scaled, x_shape[2:], conv)[0]
        return gx, gw


# ---------------------------------------------------------------------------
# The two graphs, as the Torch-MLIR IR computes them
# ---------------------------------------------------------------------------
def relu(z):
    return np.where(z > ZERO, z, ZERO).astype(F32)


def relu6(z):
    t = relu(z)
    return np.where(SIX < t, SIX, t).astype(F32)


def mask(cond, g):
    return np.where(cond, ZERO, g).astype(F32)


def resnet_step(q, x, w1, w2, ws, gy):
    """h = relu(conv(x, w1, s2 p1)); y = relu(conv(h, w2, p1) + conv(x, ws, s2)).
    Layers in program order: 0 conv1, 1 conv2, 2 shortcut."""
    c1 = ref.Conv(strides=(2, 2), padding=(1, 1, 1, 1))
    c2 = ref.Conv(padding=(1, 1, 1, 1))
    cs = ref.Conv(strides=(2, 2))
    h = relu(q.fwd(0, x, w1, c1))
    z2 = q.fwd(1, h, w2, c2)
    zs = q.fwd(2, x, ws, cs)
    y = relu((z2 + zs).astype(F32))
    g = mask(y <= ZERO, gy)                # %10: the gradient at the sum
    gx_s, gws = q.bwd(2, g)
    gh, gw2 = q.bwd(1, g)
    g1 = mask(h <= ZERO, gh)               # %25
    gx_1, gw1 = q.bwd(0, g1)
    dx = (gx_s + gx_1).astype(F32)         # %33
    return [y, dx, gw1, gw2, gws]


def mobilenet_step(q, x, we, wd, wp, gy):
    """h0 = relu6(conv(x, we)); h1 = relu6(dwconv(h0, wd, p1)); y = x + conv(h1, wp).
    Layers: 0 expand, 1 depthwise, 2 project."""
    c0 = ref.Conv()
    c1 = ref.Conv(padding=(1, 1, 1, 1), groups=wd.shape[0])
    c2 = ref.Conv()
    z0 = q.fwd(0, x, we, c0)
    z1 = q.fwd(1, relu6(z0), wd, c1)
    z2 = q.fwd(2, relu6(z1), wp, c2)
    y = (x + z2).astype(F32)               # %11
    q.stats["relu6 inputs >= 6"] += int(np.sum(z0 >= SIX) + np.sum(z1 >= SIX))
    q.stats["relu6 inputs <= 0"] += int(np.sum(z0 <= ZERO) + np.sum(z1 <= ZERO))
    gh1, gwp = q.bwd(2, gy)
    g1 = mask((z1 <= ZERO) | (z1 >= SIX), gh1)   # %20 (hardtanh backward)
    gh0, gwd = q.bwd(1, g1)
    g0 = mask((z0 <= ZERO) | (z0 >= SIX), gh0)   # %31
    gx0, gwe = q.bwd(0, g0)
    dx = (gy + gx0).astype(F32)            # %36
    return [y, dx, gwe, gwd, gwp]


# (file, graph, standard deviation of x). MobileNetV2's x is scaled so that
# both relu6 saturate at 6 for a few percent of the elements (the test
# checks that some do).
RESNET_RESULTS = ["y", "d_x", "d_w1", "d_w2", "d_ws"]
MOBILENET_RESULTS = ["y", "d_x", "d_we", "d_wd", "d_wp"]
FILES = [
    ("resnet_basic_block.mlir", resnet_step, 1.0, RESNET_RESULTS),
    ("resnet_basic_block_decomposed.mlir", resnet_step, 1.0, RESNET_RESULTS),
    ("mobilenetv2_inverted_residual.mlir", mobilenet_step, 3.0, MOBILENET_RESULTS),
]
LAYERS = 3


# ---------------------------------------------------------------------------
# The pipeline output
# ---------------------------------------------------------------------------
EXPECTED_SLOTS = [(layer, kind) for layer in range(LAYERS)
                  for kind in ("per-channel", "per-tensor")]
STATE_RE = re.compile(r"layer (\d+) grad_output (per-channel|per-tensor) clip")


def mcs_params(text):
    """(lambda, k, a) of the daq.mcs_clip ops of `text` (all alike)."""
    found = set()
    for m in re.finditer(r"#daq\.mcs(<[^>]*>)?", text):
        if not m.group(1):
            found.add(MCS_DEFAULT)
            continue
        kv = dict((k.strip(), float(v)) for k, v in
                  (item.split("=") for item in m.group(1)[1:-1].split(",")))
        found.add((kv.get("lambda", MCS_DEFAULT[0]), kv.get("k", MCS_DEFAULT[1]),
                   kv.get("a", MCS_DEFAULT[2])))
    assert len(found) == 1, "MCS parameters differ between ops: %s" % found
    return found.pop()


def state_slots(values):
    """[(layer, 'per-channel'|'per-tensor')] of the values with daq.state."""
    slots = []
    for v in values:
        m = STATE_RE.fullmatch(v.state or "")
        if m:
            slots.append((int(m.group(1)), m.group(2)))
        elif v.state is not None:
            raise ValueError("unexpected daq.state %r" % v.state)
    return slots


def check_pipeline_structure(checker, what, text, sig0, policy):
    counts = {op: ts.count_ops(text, op) for op in (
        "daq.qconv2d", "daq.qconv2d_backward_data", "daq.qconv2d_backward_filter",
        "daq.conv2d", "daq.conv2d_backward_data", "daq.conv2d_backward_filter")}
    expected = {op: (LAYERS if op.startswith("daq.q") else 0) for op in counts}
    diff = {op: (counts[op], expected[op]) for op in counts if counts[op] != expected[op]}
    checker.true("%s: every layer INT8 (%d qconv2d / _backward_data / _backward_filter, "
                 "no float daq convolution)" % (what, LAYERS), not diff,
                 "(op: (got, expected)) %s" % diff)
    sig = ts.parse_signature(text)
    n0, r0 = len(sig0.args), len(sig0.results)
    ok = ([a.type.text for a in sig.args[:n0]] == [a.type.text for a in sig0.args] and
          [r.type.text for r in sig.results[:r0]] == [r.type.text for r in sig0.results])
    checker.true("%s: original arguments and results come first" % what, ok)
    if policy != "mcs":
        checker.true("%s: no state arguments or results" % what,
                     len(sig.args) == n0 and len(sig.results) == r0)
        return sig, [], []
    arg_slots = state_slots(sig.args[n0:])
    res_slots = state_slots(sig.results[r0:])
    checker.true("%s: state arguments, per layer per-channel then per-tensor" % what,
                 arg_slots == EXPECTED_SLOTS and len(sig.args) == n0 + len(arg_slots),
                 "got %s" % arg_slots)
    checker.true("%s: state results in the same order as the state arguments" % what,
                 res_slots == arg_slots and len(sig.results) == r0 + len(res_slots),
                 "got %s" % res_slots)
    return sig, arg_slots, res_slots


# ---------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------
def first_step_state(sig, n0, slots):
    state = {}
    for (layer, kind), v in zip(slots, sig.args[n0:]):
        pc, pt = state.get(layer, (None, None))
        minus1 = np.full(v.type.shape, -1, dtype=F32)
        state[layer] = (minus1, pt) if kind == "per-channel" else (pc, minus1)
    return state


def draw_states(rng, sig, n0, slots, scale):
    """Previous clips: per channel -1 with probability 1/3, else a positive
    value around the channel's current max-abs (`scale`: layer -> (per-channel
    clips, per-tensor clip) of a first step); per tensor -1 for layer 1 and
    positive for the others."""
    state, arrays = {}, []
    for (layer, kind), v in zip(slots, sig.args[n0:]):
        cur = scale[layer][0 if kind == "per-channel" else 1]
        factor = rng.uniform(0.5, 1.5, size=v.type.shape).astype(F32)
        prev = (cur * factor).astype(F32)
        if kind == "per-channel":
            prev = np.where(rng.uniform(size=v.type.shape) < 1 / 3, F32(-1), prev)
        elif layer == 1:
            prev = np.array(-1, dtype=F32)
        prev = np.array(prev, dtype=F32).reshape(v.type.shape)
        arrays.append(prev)
        pc, pt = state.get(layer, (None, None))
        state[layer] = (prev, pt) if kind == "per-channel" else (pc, prev)
    return state, arrays


def main():
    args = ts.parse_args(__doc__)
    rng = np.random.default_rng(args.seed)
    tools = ts.Tools(args)
    checker = ts.Checker(args.seed)
    branches, stats = Counter(), Counter()
    try:
        for fname, step, x_scale, result_names in FILES:
            path = os.path.join(args.inputs, fname)
            with open(path) as f:
                text = f.read()
            sig0 = ts.parse_signature(text)
            n0, r0 = len(sig0.args), len(sig0.results)

            # Model self-check against the original module.
            inputs = ts.random_step_inputs(rng, sig0, forward="dyadic",
                                             x_scale=x_scale)
            try:
                orig = tools.daq_run(text, sig0.name, inputs, r0, fname + "-original")
                model = step(FloatStep(), *inputs)
                for i in range(r0):
                    ts.check_normwise(checker, "%s: numpy graph (float convolutions) "
                                      "result %d (%s) vs the original module"
                                      % (fname, i, result_names[i]),
                                      model[i], orig[i], RTOL_FP32)
            except ts.ToolError as e:
                checker.fail("%s original: %s" % (fname, e))

            for policy, options in POLICIES:
                what = '%s --daq-training-pipeline="%s"' % (fname, options)
                try:
                    qtext = tools.daq_opt(path, "--daq-training-pipeline=" + options)
                except ts.ToolError as e:
                    checker.fail("%s: %s" % (what, e))
                    continue
                sig, arg_slots, res_slots = check_pipeline_structure(
                    checker, what, qtext, sig0, policy)
                if policy == "mcs" and arg_slots != EXPECTED_SLOTS:
                    continue  # reported by the structure check
                mcs = mcs_params(qtext) if policy == "mcs" else MCS_DEFAULT

                for attempt in range(5):
                    inputs = ts.random_step_inputs(rng, sig0, forward="full",
                                                 x_scale=x_scale)
                    try:
                        state, state_arrays = {}, []
                        if policy == "mcs":
                            # A first step (every previous clip -1) gives each
                            # layer's current clips, around which the previous
                            # clips are drawn.
                            first = Int8Step("mcs", state=first_step_state(
                                sig, n0, arg_slots), mcs=mcs)
                            step(first, *inputs)
                            state, state_arrays = draw_states(rng, sig, n0, arg_slots,
                                                              first.new_state)
                        q = Int8Step("mcs" if policy == "mcs" else "max",
                                     folded=(policy == "folded"), state=state, mcs=mcs)
                        expected = step(q, *inputs)
                        break
                    except Ambiguous:
                        print("note: an MCS classification depends on the summation "
                              "order; drawing new inputs")
                else:
                    checker.fail("%s: ambiguous MCS classifications 5 times" % what)
                    continue
                branches.update(q.branches)
                stats.update(q.stats)
                try:
                    got = tools.daq_run(qtext, sig.name, list(inputs) + state_arrays,
                                        len(sig.results), "%s-%s" % (fname, policy))
                except ts.ToolError as e:
                    checker.fail("%s: %s" % (what, e))
                    continue
                for i in range(r0):
                    ts.check_ulps(checker, "%s: result %d (%s)" % (what, i, result_names[i]),
                                  got[i], expected[i], 0)
                for j, (layer, kind) in enumerate(res_slots):
                    exp = q.new_state[layer][0 if kind == "per-channel" else 1]
                    ts.check_ulps(checker, "%s: result %d (new layer %d %s clip) vs "
                                  "reference mcs_clip" % (what, r0 + j, layer, kind),
                                  got[r0 + j], np.asarray(exp, dtype=F32), 0)
    finally:
        print(tools.summary())
        tools.close()
    print("MCS branches taken (channels and tensors): %s" % dict(branches))
    print("activations (INT8 steps): %s" % dict(stats))
    for k in ("relu6 inputs >= 6", "relu6 inputs <= 0"):
        checker.true("%s: some" % k, stats[k] > 0, "(counts %s)" % dict(stats))
    for b in ("first step", "bell-shaped", "inverted-T update"):
        checker.true("MCS branch '%s' exercised" % b, branches[b] > 0,
                     "(counts %s)" % dict(branches))
    checker.finish()


if __name__ == "__main__":
    main()
