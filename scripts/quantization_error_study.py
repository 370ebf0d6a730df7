#!/usr/bin/env python3
"""Quantization-error study of daq's gradient quantizers on synthetic gradients.

Reproduces, on synthetic data, the comparison behind the ablation of
"Distribution Adaptive INT8 Quantization for Training CNNs" (Zhao et al.,
AAAI 2021): per-tensor max-abs INT8 ("global quantization") against Gradient
Vectorized Quantization (GVQ, per-channel max-abs) and GVQ with the
Magnitude-aware Clipping Strategy (MCS), plus per-tensor MCS and the UI8
direction-sensitive clipping (DSGC) baseline. See docs/quantization-error.md
for the description of the data, the metrics and the results.

Every quantized tensor comes out of the compiler: for each layer shape the
script writes one MLIR module (`func.func @step`) with one
`daq.quantize_grad` per clip strategy (`#daq.max`, `#daq.mcs` with state
operands, `#daq.dsgc`), `daq.dequantize` for every copy used and an explicit
`daq.mcs_clip` (for MCS's per-channel bell-shaped / inverted-T
classification, which quantize_grad does not return), and runs it once per
training step with `daq-run`. The MCS clip state returned by step t is fed to
step t+1 from numpy. The script checks the compiler against an independent
numpy implementation of the quantizer: exact equality of the max-abs
strategies' clips, int8 codes and dequantized values; MCS clips (relative 4e-7)
and classifications; and, for every nearest-even strategy, int8 codes equal
to numpy's quantization at the compiler's clip.

Usage:
  /usr/bin/python3 scripts/quantization_error_study.py \\
      --json build/quantization-error.json --markdown build/quantization-error.md
  /usr/bin/python3 scripts/quantization_error_study.py --smoke      # a few seconds

`--backend numpy` replaces daq-run by this script's own numpy emulation of the
module (development only: it checks nothing about the compiler, and its
results are labelled as such).
"""

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np

F32 = np.float32
F64 = np.float64
HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_DAQ_RUN = os.path.normpath(os.path.join(HERE, "..", "build", "bin", "daq-run"))

# Full study: ResNet-like layer shapes. Four have reduced spatial sizes
# (runtime); the first is ResNet-50's conv2_x at batch 32, where a channel has
# 100k elements, the regime in which MCS's partial clipping of an outlier can
# pay off. It comes first so that it starts first with --jobs 2.
DEFAULT_LAYERS = "32x64x56x56,8x64x28x28,8x128x14x14,8x256x7x7,8x512x4x4"
SMOKE_LAYERS = "4x16x6x6"

# MCS / DSGC parameters: the paper's and daq's defaults.
MCS_LAMBDA, MCS_K, MCS_A = 0.3, 1.0, 0.8
DSGC_CANDIDATES, DSGC_MIN_RATIO = 32, 0.1

GAUSSIAN = "gaussian"
INVT_KINDS = ("laplace", "student_t3", "spike_slab")
FAMILY_GROUPS = ("gaussian", "inverted_t")

# (key, label, quantize_grad instance, half). "channel" is the per-channel
# copy (axis 1, GVQ), "tensor" the per-tensor copy of the same op.
METHODS = [
    ("pt_max", "per-tensor max", "max", "tensor"),
    ("gvq", "GVQ (per-channel max)", "max", "channel"),
    ("gvq_mcs", "GVQ + MCS", "mcs", "channel"),
    ("pt_mcs", "per-tensor MCS", "mcs", "tensor"),
    ("ui8", "UI8: per-tensor DSGC, stochastic", "dsgc_sr", "tensor"),
    ("gvq_dsgc", "GVQ + DSGC (nearest-even)", "dsgc", "channel"),
]
DSGC_METHODS = ("ui8", "gvq_dsgc")


# ---------------------------------------------------------------------------
# Synthetic gradients
# ---------------------------------------------------------------------------
def parse_layers(text):
    layers = []
    for item in text.split(","):
        dims = tuple(int(d) for d in item.strip().lower().split("x"))
        if len(dims) != 4 or min(dims) <= 0:
            raise SystemExit("bad layer shape %r (want NxCxHxW)" % item)
        layers.append(dims)
    return layers


class LayerGenerator:
    """Gradient-like GY tensors [N, C, H, W] for one layer over T steps.

    Channel c has a family (Gaussian, or one of three inverted-T families:
    Laplace, Student-t with 3 degrees of freedom, spike-and-slab) and a scale
    (its standard deviation), log-uniform over `decades` orders of magnitude.
    Between steps every scale follows a multiplicative random walk
    (x exp(N(0, drift^2))); at every step each inverted-T channel, with
    probability `p_outlier`, gets 1 to 3 outliers of magnitude U(2, 6) times
    the channel's max-abs at that step. Deterministic in (seed, layer index).
    """

    def __init__(self, shape, seed, index, bell_fraction, log10_lo, log10_hi, drift,
                 p_outlier):
        self.shape = shape
        n, c, h, w = shape
        self.m = n * h * w
        self.rng = np.random.default_rng([seed, index])
        n_bell = int(round(c * bell_fraction))
        fams = [GAUSSIAN] * n_bell + [INVT_KINDS[i % 3] for i in range(c - n_bell)]
        self.family = np.array(fams, dtype=object)[self.rng.permutation(c)]
        self.invt = self.family != GAUSSIAN
        self.scale = 10.0 ** self.rng.uniform(log10_lo, log10_hi, size=c)
        self.drift = drift
        self.p_outlier = p_outlier
        self.t = 0

    def next(self):
        """Returns (GY float32 [N, C, H, W], boolean outlier mask [C])."""
        rng = self.rng
        c = self.shape[1]
        if self.t > 0:
            self.scale = self.scale * np.exp(rng.normal(0.0, self.drift, size=c))
        self.t += 1
        unit = np.empty((c, self.m), dtype=F64)
        for kind in (GAUSSIAN,) + INVT_KINDS:  # fixed order: deterministic
            rows = np.nonzero(self.family == kind)[0]
            if rows.size == 0:
                continue
            shape = (rows.size, self.m)
            if kind == GAUSSIAN:
                v = rng.standard_normal(shape)
            elif kind == "laplace":  # b = 1/sqrt(2): unit variance
                v = rng.laplace(0.0, 1.0 / math.sqrt(2.0), shape)
            elif kind == "student_t3":  # variance 3
                v = rng.standard_t(3.0, shape) / math.sqrt(3.0)
            else:  # 95% N(0, 0.05^2) spike + 5% N(0, 1) slab, unit variance
                slab = rng.random(shape) < 0.05
                v = np.where(slab, 1.0, 0.05) * rng.standard_normal(shape)
                v /= math.sqrt(0.05 + 0.95 * 0.05 ** 2)
            unit[rows] = v
        outlier = self.invt & (rng.random(c) < self.p_outlier)
        for ch in np.nonzero(outlier)[0]:
            k = int(rng.integers(1, 4))
            idx = rng.choice(self.m, size=k, replace=False)
            mx = np.max(np.abs(unit[ch]))
            unit[ch, idx] = rng.choice([-1.0, 1.0], size=k) * rng.uniform(2.0, 6.0, size=k) * mx
        g = (unit * self.scale[:, None]).astype(F32)
        n, _, h, w = self.shape
        gy = np.ascontiguousarray(g.reshape(c, n, h, w).transpose(1, 0, 2, 3))
        return gy, outlier


def channels_of(gy):
    """[N, C, H, W] -> [C, N*H*W] (a copy)."""
    return np.ascontiguousarray(np.moveaxis(gy, 1, 0).reshape(gy.shape[1], -1))


# ---------------------------------------------------------------------------
# The MLIR module of one step
# ---------------------------------------------------------------------------
def tensor_type(shape, elem):
    return "tensor<%s%s>" % ("".join("%dx" % d for d in shape), elem)


def build_module(shape, with_dsgc, sr_seed):
    """Returns (MLIR text, [(result name, kind)]).

    @step(%gy, %mcs_c: tensor<Cxf32>, %mcs_t: tensor<f32>, %t: i64): the MCS
    state is the previous step's clips (negative: first step); %t is the
    step, which only stochastic rounding uses."""
    c = shape[1]
    g, q = tensor_type(shape, "f32"), tensor_type(shape, "i8")
    cc, ct = tensor_type((c,), "f32"), "tensor<f32>"
    pa, pt = "#daq.granularity<per_axis = 1>", "#daq.granularity<per_tensor>"
    body, results = [], []

    def ret(name, typ):
        results.append((name, typ))

    def quantize_grad(p, strategy, halves, state=False, stochastic=False):
        operands, types = "%gy", [g]
        if state:
            operands += " state(%mcs_c, %mcs_t)"
            types += [cc, ct]
        if stochastic:
            operands += " step %t"
            types.append("i64")
        attrs = "axis = 1 : i64, strategy = %s" % strategy
        if stochastic:
            attrs += ", rounding = #daq.rounding<stochastic, seed = %d>" % sr_seed
        body.append("%%%s_qc, %%%s_cc, %%%s_qt, %%%s_ct = daq.quantize_grad %s {%s}"
                    % (p, p, p, p, operands, attrs))
        body.append("    : (%s) -> (%s, %s, %s, %s)" % (", ".join(types), q, cc, q, ct))
        if "channel" in halves:
            body.append("%%%s_dc = daq.dequantize %%%s_qc, %%%s_cc {granularity = %s} "
                        ": (%s, %s) -> %s" % (p, p, p, pa, q, cc, g))
            ret(p + "_qc", q)
            ret(p + "_cc", cc)
            ret(p + "_dc", g)
        if "tensor" in halves:
            body.append("%%%s_dt = daq.dequantize %%%s_qt, %%%s_ct {granularity = %s} "
                        ": (%s, %s) -> %s" % (p, p, p, pt, q, ct, g))
            ret(p + "_qt", q)
            ret(p + "_ct", ct)
            ret(p + "_dt", g)

    mcs = "#daq.mcs<lambda = %r, k = %r, a = %r>" % (MCS_LAMBDA, MCS_K, MCS_A)
    dsgc = "#daq.dsgc<candidates = %d, min_ratio = %r>" % (DSGC_CANDIDATES, DSGC_MIN_RATIO)
    quantize_grad("max", "#daq.max", ("channel", "tensor"))
    quantize_grad("mcs", mcs, ("channel", "tensor"), state=True)
    if with_dsgc:
        # UI8 is per tensor with stochastic rounding; the per-channel DSGC
        # copy (nearest-even) comes from a second op. Each keeps one half,
        # so the canonicalizer drops the other.
        quantize_grad("dsgc_sr", dsgc, ("tensor",), stochastic=True)
        quantize_grad("dsgc", dsgc, ("channel",))
    # MCS's classification (not a result of quantize_grad), from the same
    # previous state as the #daq.mcs quantize_grad.
    body.append("%%bell_c_clip, %%bell_c = daq.mcs_clip %%gy, %%mcs_c {granularity = %s, "
                "params = %s} : (%s, %s) -> (%s, %s)"
                % (pa, mcs, g, cc, cc, tensor_type((c,), "i1")))
    body.append("%%bell_t_clip, %%bell_t = daq.mcs_clip %%gy, %%mcs_t {granularity = %s, "
                "params = %s} : (%s, %s) -> (%s, tensor<i1>)" % (pt, mcs, g, ct, ct))
    # Only the classifications are returned: after CSE the mcs_clip clips are
    # the very values quantize_grad returns, and a function returning one
    # value twice crashes daq-cpu-pipeline (buffer-results-to-out-params with
    # hoist-static-allocs; see docs/quantization-error.md).
    ret("bell_c", tensor_type((c,), "i1"))
    ret("bell_t", "tensor<i1>")

    rtypes = ", ".join(t for _, t in results)
    lines = ["// Generated by scripts/quantization_error_study.py: one training step of",
             "// the gradient quantizers on GY %s." % "x".join(map(str, shape)),
             "func.func @step(%%gy: %s, %%mcs_c: %s, %%mcs_t: %s, %%t: i64) -> (%s) {"
             % (g, cc, ct, rtypes)]
    lines += ["  " + line for line in body]
    lines.append("  return %s" % ", ".join("%" + n for n, _ in results))
    lines.append("    : %s" % rtypes)
    lines.append("}")
    return "\n".join(lines) + "\n", results


# ---------------------------------------------------------------------------
# Independent numpy implementation of the quantizer and the clips
# ---------------------------------------------------------------------------
def np_quantize(x, s):
    """x: [C, M] f32, s: [C] f32 -> int8 codes (documented f32 arithmetic,
    round half to even)."""
    x = np.asarray(x, dtype=F32)
    s = np.asarray(s, dtype=F32).reshape(-1, 1)
    with np.errstate(all="ignore"):
        inv = np.where(s == 0, F32(0), F32(127) / s).astype(F32)
        v = (np.clip(x, -s, s) * inv).astype(F32)
        r = np.where(np.isnan(v), F32(0), np.clip(np.rint(v), F32(-127), F32(127)))
    return r.astype(np.int8)


def np_dequantize(q, s):
    s = np.asarray(s, dtype=F32).reshape(-1, 1)
    with np.errstate(all="ignore"):
        return (q.astype(F32) * (s / F32(127)).astype(F32)).astype(F32)


def np_mcs(x, prev):
    """MCS on rows of x [C, M] (f64 statistics). Returns (clip f32 [C],
    bell bool [C], r f64 [C], ambiguous bool [C]); `ambiguous` marks rows
    where an element's |g| is within 1e-5 relative of sigma, or r within
    one element of lambda, so f32 vs f64 statistics may classify it
    differently."""
    xd = np.asarray(x, dtype=F64)
    a = np.abs(xd)
    mx = np.max(np.abs(np.asarray(x, dtype=F32)), axis=1)
    sigma = np.std(xd, axis=1)
    count = np.sum(a > sigma[:, None], axis=1)
    near = np.any(np.abs(a - sigma[:, None]) <= 1e-5 * sigma[:, None], axis=1)
    m = x.shape[1]
    r = count / float(m)
    bell = r > MCS_LAMBDA
    ambiguous = near | (np.abs(count - MCS_LAMBDA * m) <= 1.0)
    prev = np.asarray(prev, dtype=F32).reshape(-1)
    upd = (F32(1.0 - MCS_K * MCS_A) * prev).astype(F32) + (F32(MCS_A) * mx).astype(F32)
    clip = np.where(bell | (prev < 0), mx, upd.astype(F32)).astype(F32)
    return clip, bell, r, ambiguous


def np_dsgc(x, quant=None):
    """DSGC clip per row (the search of #daq.dsgc) and its cosine distance."""
    x = np.asarray(x, dtype=F32)
    mx = np.max(np.abs(x), axis=1)
    xd = x.astype(F64)
    gg = np.sum(xd * xd, axis=1)
    best_s = mx.copy()
    best_d = np.full(mx.shape, np.inf)
    n = DSGC_CANDIDATES
    for j in range(n):
        ratio = F32(DSGC_MIN_RATIO + (1.0 - DSGC_MIN_RATIO) * j / (n - 1))
        s = (mx * ratio).astype(F32)
        h = np_dequantize(np_quantize(x, s), s).astype(F64)
        hh = np.sum(h * h, axis=1)
        with np.errstate(all="ignore"):
            d = np.where(gg == 0, 0.0,
                         np.where(hh == 0, 1.0,
                                  1.0 - np.sum(xd * h, axis=1) / np.sqrt(gg * hh)))
        take = d <= best_d  # increasing j: ties keep the largest clip
        best_s = np.where(take, s, best_s)
        best_d = np.where(take, d, best_d)
    return best_s.astype(F32), best_d


def emulate_module(gy, mcs_c, mcs_t, step, with_dsgc, sr_seed):
    """--backend numpy: what the module returns, computed by this script
    (stochastic rounding uses numpy's generator, not Philox)."""
    x = channels_of(gy)
    flat = gy.reshape(1, -1)
    c = x.shape[0]

    def back(codes2d):  # [C, M] -> [N, C, H, W]
        n, _, h, w = gy.shape
        return np.ascontiguousarray(codes2d.reshape(c, n, h, w).transpose(1, 0, 2, 3))

    out = {}

    def add(p, halves, clip_c, clip_t, rounding=None):
        if "channel" in halves:
            qc = np_quantize(x, clip_c)
            out[p + "_qc"], out[p + "_cc"] = back(qc), clip_c
            out[p + "_dc"] = back(np_dequantize(qc, clip_c))
        if "tensor" in halves:
            if rounding is None:
                qt = np_quantize(flat, clip_t.reshape(1))
            else:
                s = clip_t.reshape(1, 1)
                inv = (F32(127) / s).astype(F32)
                v = (np.clip(flat, -s, s) * inv).astype(F32)
                qt = np.clip(np.floor(v + rounding.random(v.shape).astype(F32)), -127, 127)
                qt = qt.astype(np.int8)
            out[p + "_qt"] = qt.reshape(gy.shape)
            out[p + "_ct"] = clip_t.reshape(())
            out[p + "_dt"] = np_dequantize(qt, clip_t.reshape(1)).reshape(gy.shape)

    mx_c = np.max(np.abs(x), axis=1).astype(F32)
    mx_t = np.max(mx_c).astype(F32)
    add("max", ("channel", "tensor"), mx_c, mx_t)
    mc, bc, _, _ = np_mcs(x, mcs_c)
    mt, bt, _, _ = np_mcs(flat, mcs_t.reshape(1))
    add("mcs", ("channel", "tensor"), mc, mt)
    if with_dsgc:
        st, _ = np_dsgc(flat)
        add("dsgc_sr", ("tensor",), None, st, rounding=np.random.default_rng([sr_seed, step]))
        sc, _ = np_dsgc(x)
        add("dsgc", ("channel",), sc, None)
    out["bell_c"], out["bell_t"] = bc, bt.reshape(())
    return out


# ---------------------------------------------------------------------------
# Running the module
# ---------------------------------------------------------------------------
class DaqRunError(RuntimeError):
    pass


def resolve_daq_run(path):
    if os.sep not in path:
        found = shutil.which(path)
        if found:
            return found
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        raise DaqRunError("daq-run not found or not executable: %r (build it with "
                          "scripts/build.sh, or pass --daq-run PATH)" % path)
    return os.path.abspath(path)


class Backend:
    def __init__(self, args, tmp):
        self.kind = args.backend
        self.daq_run = resolve_daq_run(args.daq_run) if self.kind == "daq-run" else None
        self.tmp = tmp
        self.with_dsgc = args.dsgc
        self.sr_seed = args.seed
        self.keep = args.keep
        self.calls = 0
        self.seconds = 0.0

    def run(self, layer_id, module_path, results, gy, mcs_c, mcs_t, step):
        if self.kind == "numpy":
            out = emulate_module(gy, mcs_c, mcs_t, step, self.with_dsgc, self.sr_seed)
            return {name: out[name] for name, _ in results}
        d = os.path.join(self.tmp, "%s-step%d" % (layer_id, step))
        os.makedirs(d, exist_ok=True)
        inputs = [gy, np.asarray(mcs_c, dtype=F32), np.asarray(mcs_t, dtype=F32).reshape(()),
                  np.array(step, dtype=np.int64)]
        cmd = [self.daq_run, module_path, "-e", "step"]
        for i, a in enumerate(inputs):
            p = os.path.join(d, "in%d.npy" % i)
            np.save(p, a)
            cmd.append("--input=" + p)
        outs = [os.path.join(d, "%s.npy" % name) for name, _ in results]
        cmd += ["--output=" + p for p in outs]
        t0 = time.time()
        for attempt in range(4):
            try:
                proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                      universal_newlines=True)
                break
            except OSError as e:  # e.g. the binary is being relinked right now
                if attempt == 3:
                    raise DaqRunError("cannot start daq-run: %s\ncommand: %s"
                                      % (e, " ".join(cmd)))
                time.sleep(3)
        self.seconds += time.time() - t0
        self.calls += 1
        if proc.returncode != 0:
            raise DaqRunError("daq-run failed (exit %d)\ncommand: %s\n--- stderr ---\n%s\n"
                              "--- stdout ---\n%s" % (proc.returncode, " ".join(cmd),
                                                      proc.stderr[-6000:], proc.stdout[-2000:]))
        got = {}
        for (name, typ), p in zip(results, outs):
            if not os.path.exists(p):
                raise DaqRunError("daq-run did not write %s (%s)\ncommand: %s"
                                  % (p, name, " ".join(cmd)))
            got[name] = np.load(p)
        if not self.keep:  # a 32x64x56x56 step writes ~200 MB
            shutil.rmtree(d, ignore_errors=True)
        return got


# ---------------------------------------------------------------------------
# Metrics
# ---------------------------------------------------------------------------
def channel_metrics(g, h, alpha):
    """Per-channel sums of g [C, M] and its dequantized copy h [C, M].

    The magnitude-weighted error uses w = exp(alpha * |g| / max_c |g|), with
    max_c the channel's max-abs at this step (weights in [1, e^alpha])."""
    g = g.astype(F64)
    h = h.astype(F64)
    err = h - g
    a = np.abs(g)
    mref = np.max(a, axis=1, keepdims=True)
    with np.errstate(all="ignore"):
        w = np.exp(alpha * np.where(mref > 0, a / mref, 0.0))
    return {
        "sq": np.sum(err * err, axis=1),
        "wabs": np.sum(np.abs(err) * w, axis=1),
        "dot": np.sum(g * h, axis=1),
        "gg": np.sum(g * g, axis=1),
        "hh": np.sum(h * h, axis=1),
        "absg": np.sum(a, axis=1),
        "m": g.shape[1],
    }


def safe_cos(dot, gg, hh):
    with np.errstate(all="ignore"):
        return np.where((gg > 0) & (hh > 0), dot / np.sqrt(gg * hh), 0.0)


def tensor_summary(cm):
    n = cm["m"] * cm["sq"].size
    return {
        "mse": float(np.sum(cm["sq"]) / n),
        "nmse": float(np.sum(cm["sq"]) / np.sum(cm["gg"])),
        "E": float(np.sum(cm["wabs"]) / n),
        "cos": float(safe_cos(np.sum(cm["dot"]), np.sum(cm["gg"]), np.sum(cm["hh"]))),
    }


def per_channel(cm):
    """Dimensionless per-channel metrics (comparable across scales)."""
    with np.errstate(all="ignore"):
        return {
            "nmse": cm["sq"] / cm["gg"],                 # MSE_c / mean(g_c^2)
            "relE": cm["wabs"] / cm["absg"],             # E_c / mean|g_c|
            "cos": safe_cos(cm["dot"], cm["gg"], cm["hh"]),
        }


# ---------------------------------------------------------------------------
# One layer over T steps
# ---------------------------------------------------------------------------
class Checks:
    def __init__(self):
        self.counts = {}
        self.failures = []

    def record(self, name, ok, detail=""):
        c = self.counts.setdefault(name, [0, 0])
        c[0 if ok else 1] += 1
        if not ok and len(self.failures) < 50:
            self.failures.append("%s: %s" % (name, detail))


def study_layer(index, shape, args, backend, tmp):
    layer_id = "L%d_%s" % (index, "x".join(map(str, shape)))
    text, results = build_module(shape, args.dsgc, args.seed)
    module_path = os.path.join(tmp, layer_id + ".mlir")
    with open(module_path, "w") as f:
        f.write(text)
    gen = LayerGenerator(shape, args.seed, index, args.bell_fraction, args.log10_lo,
                         args.log10_hi, args.drift, args.p_outlier)
    n, c, h, w = shape
    methods = [m for m in METHODS if args.dsgc or m[0] not in DSGC_METHODS]
    checks = Checks()
    state_c = np.full((c,), -1.0, dtype=F32)
    state_t = np.array(-1.0, dtype=F32)
    prev_outlier = np.zeros(c, dtype=bool)
    steps = []
    for t in range(args.steps):
        gy, outlier = gen.next()
        got = backend.run(layer_id, module_path, results, gy, state_c, state_t, t)
        x = channels_of(gy)
        flat = gy.reshape(1, -1)
        check_step(checks, got, x, flat, state_c, state_t, args, t)
        rec = {"t": t, "methods": {}, "outlier": outlier.copy(),
               "post_outlier": prev_outlier & ~outlier}
        for key, _, inst, half in methods:
            tag = "_dc" if half == "channel" else "_dt"
            hq = got[inst + tag]
            cm = channel_metrics(x, channels_of(hq), args.alpha)
            rec["methods"][key] = {"tensor": tensor_summary(cm), "chan": per_channel(cm)}
            clip = got[inst + ("_cc" if half == "channel" else "_ct")]
            checks.record("clips finite and positive",
                          bool(np.all(np.isfinite(clip)) and np.all(clip > 0)),
                          "%s step %d %s: %s" % (layer_id, t, key, clip))
        rec["bell_c"] = got["bell_c"].astype(bool).reshape(-1)
        rec["bell_t"] = bool(got["bell_t"])
        steps.append(rec)
        state_c = np.asarray(got["mcs_cc"], dtype=F32).reshape(c)
        state_t = np.asarray(got["mcs_ct"], dtype=F32).reshape(())
        prev_outlier = outlier
    return summarize_layer(layer_id, shape, gen, steps, methods, checks)


def check_step(checks, got, x, flat, state_c, state_t, args, t):
    c = x.shape[0]
    shape_c = lambda a: channels_of(np.asarray(a))  # noqa: E731
    # max-abs strategy: everything exactly as numpy computes it.
    mx_c = np.max(np.abs(x), axis=1).astype(F32)
    mx_t = np.max(mx_c).reshape(1)
    checks.record("max: per-channel clips == numpy max-abs",
                  np.array_equal(got["max_cc"].reshape(c), mx_c), "step %d" % t)
    checks.record("max: per-tensor clip == numpy max-abs",
                  np.array_equal(got["max_ct"].reshape(1), mx_t), "step %d" % t)
    qc = np_quantize(x, mx_c)
    qt = np_quantize(flat, mx_t)
    bad_c = int(np.sum(shape_c(got["max_qc"]) != qc))
    bad_t = int(np.sum(got["max_qt"].reshape(1, -1) != qt))
    checks.record("max: per-channel int8 codes == numpy (exact)", bad_c == 0,
                  "step %d: %d of %d codes differ" % (t, bad_c, qc.size))
    checks.record("max: per-tensor int8 codes == numpy (exact)", bad_t == 0,
                  "step %d: %d of %d codes differ" % (t, bad_t, qt.size))
    checks.record("max: dequantized == numpy (bitwise)",
                  np.array_equal(shape_c(got["max_dc"]), np_dequantize(qc, mx_c))
                  and np.array_equal(got["max_dt"].reshape(1, -1), np_dequantize(qt, mx_t)),
                  "step %d" % t)
    # MCS: compiler clips vs numpy (classification may differ on ambiguous
    # channels only), codes exact given the compiler's clip.
    for half, xs, prev, clip_name, code_name in (
            ("per-channel", x, state_c.reshape(c), "mcs_cc", "mcs_qc"),
            ("per-tensor", flat, state_t.reshape(1), "mcs_ct", "mcs_qt")):
        clip = np.asarray(got[clip_name], dtype=F32).reshape(-1)
        ref_clip, ref_bell, _, amb = np_mcs(xs, prev)
        bell = np.asarray(got["bell_c" if half == "per-channel" else "bell_t"]).reshape(-1)
        bell = bell.astype(bool)
        agree = (bell == ref_bell) | amb
        checks.record("mcs (%s): classification == numpy (ambiguous excepted)" % half,
                      bool(np.all(agree)), "step %d: %d disagree" % (t, int(np.sum(~agree))))
        ok = bell == ref_bell
        close = np.abs(clip - ref_clip) <= 4e-7 * np.abs(ref_clip)
        checks.record("mcs (%s): clips == numpy (rel. 4e-7)" % half, bool(np.all(close[ok])),
                      "step %d: %s vs %s" % (t, clip[ok & ~close][:4], ref_clip[ok & ~close][:4]))
        codes = np.asarray(got[code_name])
        codes = shape_c(codes) if half == "per-channel" else codes.reshape(1, -1)
        checks.record("mcs (%s): int8 codes == numpy at the compiler's clip" % half,
                      np.array_equal(codes, np_quantize(xs, clip)), "step %d" % t)
    if args.dsgc:
        clip = got["dsgc_cc"].reshape(c)
        checks.record("dsgc: per-channel clip in [min_ratio * max, max]",
                      bool(np.all(clip <= mx_c) and
                           np.all(clip >= F32(DSGC_MIN_RATIO) * mx_c * F32(1 - 1e-6))),
                      "step %d" % t)
        checks.record("dsgc: per-channel int8 codes == numpy at the compiler's clip",
                      np.array_equal(shape_c(got["dsgc_qc"]), np_quantize(x, clip)),
                      "step %d" % t)
        if args.check_dsgc:
            ref_clip, ref_d = np_dsgc(x)
            checks.record("dsgc: per-channel clip == numpy search",
                          np.array_equal(clip, ref_clip), "step %d: %d differ" % (
                              t, int(np.sum(clip != ref_clip))))
        st = float(got["dsgc_sr_ct"])
        checks.record("dsgc (stochastic): per-tensor clip in [min_ratio * max, max]",
                      st <= float(mx_t[0]) and st >= DSGC_MIN_RATIO * float(mx_t[0]) * (1 - 1e-6),
                      "step %d" % t)


def summarize_layer(layer_id, shape, gen, steps, methods, checks):
    fam_rows = {"gaussian": ~gen.invt, "inverted_t": gen.invt}
    for kind in INVT_KINDS:
        fam_rows[kind] = gen.family == kind
    out = {"layer": layer_id, "shape": list(shape), "channels": int(shape[1]),
           "elements_per_channel": int(shape[0] * shape[2] * shape[3]),
           "family_counts": {k: int(np.sum(v)) for k, v in fam_rows.items()},
           "tensor": {}, "family": {}, "events": {}, "per_step": [],
           "checks": {k: {"passed": v[0], "failed": v[1]} for k, v in checks.counts.items()},
           "check_failures": checks.failures}
    for key, _, _, _ in methods:
        ts = [s["methods"][key]["tensor"] for s in steps]
        out["tensor"][key] = {m: float(np.mean([x[m] for x in ts])) for m in ts[0]}
        out["family"][key] = {}
        for fam, rows in fam_rows.items():
            if not np.any(rows):
                continue
            out["family"][key][fam] = {
                m: float(np.mean([np.mean(s["methods"][key]["chan"][m][rows]) for s in steps]))
                for m in ("nmse", "relE", "cos")}
        # Events of inverted-T channels (pooled over steps): a channel at a step
        # with an outlier, right after one, and otherwise.
        ev = {}
        for name, sel in (("outlier", lambda s: s["outlier"]),
                          ("after_outlier", lambda s: s["post_outlier"]),
                          ("quiet", lambda s: gen.invt & ~s["outlier"] & ~s["post_outlier"])):
            vals = {m: [] for m in ("nmse", "relE", "cos")}
            for s in steps[1:]:  # step 0 has no MCS state: MCS == max there
                rows = sel(s)
                for m in vals:
                    vals[m].extend(s["methods"][key]["chan"][m][rows].tolist())
            ev[name] = {"n": len(vals["nmse"]), "sums": {m: float(np.sum(v)) for m, v in vals.items()}}
        out["events"][key] = ev
    out["bell_fraction"] = float(np.mean([np.mean(s["bell_c"]) for s in steps]))
    out["bell_fraction_by_family"] = {
        fam: float(np.mean([np.mean(s["bell_c"][rows]) for s in steps]))
        for fam, rows in fam_rows.items() if np.any(rows)}
    out["tensor_bell_steps"] = float(np.mean([s["bell_t"] for s in steps]))
    out["outlier_events"] = int(sum(int(np.sum(s["outlier"])) for s in steps))
    for s in steps:
        out["per_step"].append({
            "t": s["t"],
            "bell_fraction": float(np.mean(s["bell_c"])),
            "outlier_channels": int(np.sum(s["outlier"])),
            "tensor": {k: s["methods"][k]["tensor"] for k, _, _, _ in methods}})
    return out


# ---------------------------------------------------------------------------
# Reporting
# ---------------------------------------------------------------------------
def fmt(v, kind):
    if kind == "cos":
        return "%.6f" % v
    if kind == "frac":
        return "%.3f" % v
    return "%.3e" % v


def markdown(report):
    a = report["config"]
    labels = {k: lab for k, lab, _, _ in METHODS}
    methods = report["methods"]
    lines = []
    lines.append("Backend: `%s`; seed %d; %d steps; alpha = %g (weights exp(alpha |g| / "
                 "max_c|g|))." % (a["backend"], a["seed"], a["steps"], a["alpha"]))
    lines.append("")
    lines.append("### Whole tensor (mean over steps)")
    lines.append("")
    lines.append("| layer (NxCxHxW) | method | MSE | NMSE | E (alpha=%g) | cosine | "
                 "MCS: channels bell-shaped |" % a["alpha"])
    lines.append("|---|---|---:|---:|---:|---:|---:|")
    for L in report["layers"]:
        for key in methods:
            t = L["tensor"][key]
            bell = ""
            if key == "gvq_mcs":
                bell = fmt(L["bell_fraction"], "frac")
            elif key == "pt_mcs":
                bell = "tensor: %s of steps" % fmt(L["tensor_bell_steps"], "frac")
            lines.append("| %s | %s | %s | %s | %s | %s | %s |" % (
                "x".join(map(str, L["shape"])), labels[key], fmt(t["mse"], "e"),
                fmt(t["nmse"], "e"), fmt(t["E"], "e"), fmt(t["cos"], "cos"), bell))
    lines.append("")
    lines.append("### Per channel family (mean over channels and steps of per-channel, "
                 "scale-free metrics)")
    lines.append("")
    lines.append("| layer | family (channels) | method | NMSE_c | relE_c | cos_c |")
    lines.append("|---|---|---|---:|---:|---:|")
    for L in report["layers"]:
        for fam in FAMILY_GROUPS:
            if fam not in L["family"][methods[0]]:
                continue
            for key in methods:
                f = L["family"][key][fam]
                lines.append("| %s | %s (%d) | %s | %s | %s | %s |" % (
                    "x".join(map(str, L["shape"])), fam.replace("_", "-"),
                    L["family_counts"][fam], labels[key], fmt(f["nmse"], "e"),
                    fmt(f["relE"], "e"), fmt(f["cos"], "cos")))
    lines.append("")
    lines.append("### MCS classification (per-channel `daq.mcs_clip`, fraction of "
                 "channel-steps classified bell-shaped)")
    lines.append("")
    kinds = ("gaussian",) + INVT_KINDS
    lines.append("| layer | elements/channel | all | " + " | ".join(kinds) + " |")
    lines.append("|---|---:|---:|" + "---:|" * len(kinds))
    for L in report["layers"]:
        bf = L["bell_fraction_by_family"]
        lines.append("| %s | %d | %s | %s |" % (
            "x".join(map(str, L["shape"])), L["elements_per_channel"],
            fmt(L["bell_fraction"], "frac"),
            " | ".join(fmt(bf[k], "frac") if k in bf else "-" for k in kinds)))
    lines.append("")
    lines.append("### Inverted-T channels by event (per-channel methods; per-channel means "
                 "over channel-steps)")
    lines.append("")
    lines.append("Steps 1..T-1 (on step 0 MCS has no state and equals max). *outlier*: the "
                 "channel has outliers at this step; *after*: it had them at the previous "
                 "step and not at this one; *quiet*: neither.")
    lines.append("")
    ev_methods = [k for k in methods if k in ("gvq", "gvq_mcs", "gvq_dsgc")]
    lines.append("| layer | event | channel-steps | method | NMSE_c | relE_c | cos_c |")
    lines.append("|---|---|---:|---|---:|---:|---:|")
    for L in report["layers"]:
        for ev in ("quiet", "outlier", "after_outlier"):
            for key in ev_methods:
                e = L["events"][key][ev]
                n = e["n"]
                if n == 0:
                    continue
                lines.append("| %s | %s | %d | %s | %s | %s | %s |" % (
                    "x".join(map(str, L["shape"])), ev.replace("_outlier", ""), n,
                    labels[key], fmt(e["sums"]["nmse"] / n, "e"),
                    fmt(e["sums"]["relE"] / n, "e"), fmt(e["sums"]["cos"] / n, "cos")))
    lines.append("")
    lines.append("### Compiler vs numpy checks (all layers and steps)")
    lines.append("")
    lines.append("| check | passed | failed |")
    lines.append("|---|---:|---:|")
    for name, v in report["checks"].items():
        lines.append("| %s | %d | %d |" % (name, v["passed"], v["failed"]))
    return "\n".join(lines) + "\n"


def plot(report, path):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("note: matplotlib is not installed; no plot (apt-get install python3-matplotlib)")
        return
    labels = {k: lab for k, lab, _, _ in METHODS}
    methods = report["methods"]
    layers = report["layers"]
    fig, axes = plt.subplots(1, 3, figsize=(15, 4))
    xs = np.arange(len(layers))
    width = 0.8 / len(methods)
    for i, key in enumerate(methods):
        axes[0].bar(xs + i * width, [L["tensor"][key]["nmse"] for L in layers], width,
                    label=labels[key])
        for j, fam in enumerate(FAMILY_GROUPS):
            axes[1 + j].bar(xs + i * width, [L["family"][key][fam]["relE"] for L in layers],
                            width, label=labels[key])
    names = ["x".join(map(str, L["shape"])) for L in layers]
    for ax, title in zip(axes, ("whole-tensor NMSE", "Gaussian channels: mean relE_c",
                                "inverted-T channels: mean relE_c")):
        ax.set_yscale("log")
        ax.set_xticks(xs + 0.4 - width / 2)
        ax.set_xticklabels(names, rotation=20, fontsize=8)
        ax.set_title(title)
    axes[0].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    print("wrote %s" % path)


# ---------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------
def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--daq-run", default=DEFAULT_DAQ_RUN,
                   help="daq-run executable (default: %(default)s)")
    p.add_argument("--backend", choices=("daq-run", "numpy"), default="daq-run",
                   help="numpy: emulate the module in numpy (development only)")
    p.add_argument("--smoke", action="store_true",
                   help="tiny shapes, 2 steps, one layer; assert sanity and exit")
    p.add_argument("--seed", type=int, default=2021)
    p.add_argument("--steps", type=int, default=None, help="steps T (default 8; smoke 2)")
    p.add_argument("--layers", default=None,
                   help="comma-separated NxCxHxW (default %s)" % DEFAULT_LAYERS)
    p.add_argument("--alpha", type=float, default=1.0,
                   help="magnitude weight exp(alpha |g| / max_c |g|) (default 1)")
    p.add_argument("--bell-fraction", type=float, default=0.5,
                   help="fraction of Gaussian channels per layer (default 0.5)")
    p.add_argument("--log10-lo", type=float, default=-5.5,
                   help="channel scales are 10^U(lo, hi) (default -5.5 .. -3)")
    p.add_argument("--log10-hi", type=float, default=-3.0)
    p.add_argument("--drift", type=float, default=0.1,
                   help="std of the per-step log-scale random walk (default 0.1)")
    p.add_argument("--p-outlier", type=float, default=0.1,
                   help="per-step outlier probability of an inverted-T channel (default 0.1)")
    p.add_argument("--no-dsgc", dest="dsgc", action="store_false",
                   help="leave out the DSGC (UI8) methods")
    p.add_argument("--check-dsgc", action="store_true",
                   help="also compare the per-channel DSGC clips with a numpy search "
                        "(exact; may differ where two candidates tie to rounding)")
    p.add_argument("--jobs", type=int, default=2, help="layers run in parallel (default 2)")
    p.add_argument("--json", help="write the full results as JSON")
    p.add_argument("--markdown", help="write the result tables as markdown")
    p.add_argument("--plot", help="write a PNG plot (needs matplotlib; optional)")
    p.add_argument("--keep", action="store_true", help="keep the modules and .npy files")
    args = p.parse_args(argv)
    if args.steps is None:
        args.steps = 2 if args.smoke else 8
    if args.layers is None:
        args.layers = SMOKE_LAYERS if args.smoke else DEFAULT_LAYERS
    args.layer_shapes = parse_layers(args.layers)
    if args.steps < 1:
        p.error("--steps must be positive")
    return args


def smoke_asserts(report):
    problems = []
    for L in report["layers"]:
        t = L["tensor"]
        if not t["gvq"]["mse"] <= t["pt_max"]["mse"]:
            problems.append("%s: GVQ MSE %.3e > per-tensor MSE %.3e" % (
                L["layer"], t["gvq"]["mse"], t["pt_max"]["mse"]))
        for key in report["methods"]:
            cos = t[key]["cos"]
            if not (0.0 < cos <= 1.0 + 1e-12):
                problems.append("%s: %s cosine %r not in (0, 1]" % (L["layer"], key, cos))
            for s in L["per_step"]:
                c = s["tensor"][key]["cos"]
                if not (0.0 < c <= 1.0 + 1e-12):
                    problems.append("%s step %d: %s cosine %r not in (0, 1]" % (
                        L["layer"], s["t"], key, c))
    for name, v in report["checks"].items():
        if v["failed"]:
            problems.append("check failed %d time(s): %s" % (v["failed"], name))
    if report["config"]["backend"] != "daq-run":
        problems.append("--smoke checks the compiler: it needs --backend daq-run")
    return problems


def main(argv=None):
    args = parse_args(argv)
    t0 = time.time()
    tmp = tempfile.mkdtemp(prefix="daq-qerr-")
    try:
        backend = Backend(args, tmp)
    except DaqRunError as e:
        print("error: %s" % e, file=sys.stderr)
        return 2
    methods = [k for k, _, _, _ in METHODS if args.dsgc or k not in DSGC_METHODS]
    print("quantization-error study: backend %s%s, seed %d, %d steps, layers %s" % (
        args.backend, " (%s)" % backend.daq_run if backend.daq_run else "", args.seed,
        args.steps, args.layers))
    sys.stdout.flush()
    try:
        with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            futures = [pool.submit(study_layer, i, s, args, backend, tmp)
                       for i, s in enumerate(args.layer_shapes)]
            layers = [f.result() for f in futures]
    except DaqRunError as e:
        print("error: %s" % e, file=sys.stderr)
        print("(modules and inputs kept in %s)" % tmp, file=sys.stderr)
        return 1
    checks = {}
    for L in layers:
        for name, v in L["checks"].items():
            c = checks.setdefault(name, {"passed": 0, "failed": 0})
            c["passed"] += v["passed"]
            c["failed"] += v["failed"]
    config = {k: getattr(args, k) for k in ("seed", "steps", "alpha", "bell_fraction",
                                            "log10_lo", "log10_hi", "drift", "p_outlier",
                                            "backend", "dsgc", "smoke")}
    config["layers"] = [list(s) for s in args.layer_shapes]
    config["mcs"] = {"lambda": MCS_LAMBDA, "k": MCS_K, "a": MCS_A}
    config["dsgc_params"] = {"candidates": DSGC_CANDIDATES, "min_ratio": DSGC_MIN_RATIO}
    config["command"] = " ".join([os.path.relpath(sys.argv[0])] + sys.argv[1:])
    report = {"config": config, "methods": methods, "layers": layers, "checks": checks,
              "daq_run_calls": backend.calls, "daq_run_seconds": round(backend.seconds, 2),
              "wall_seconds": None}
    md = markdown(report)
    report["wall_seconds"] = round(time.time() - t0, 2)
    print(md)
    for L in layers:
        for f in L["check_failures"][:10]:
            print("CHECK FAILED: %s" % f)
    print("daq-run: %d calls, %.1f s; total %.1f s" % (backend.calls, backend.seconds,
                                                       report["wall_seconds"]))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=1)
        print("wrote %s" % args.json)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(md)
        print("wrote %s" % args.markdown)
    if args.plot:
        plot(report, args.plot)
    if args.keep:
        print("kept modules and inputs in %s" % tmp)
    else:
        shutil.rmtree(tmp, ignore_errors=True)
    failed = [n for n, v in checks.items() if v["failed"]]
    if args.smoke:
        problems = smoke_asserts(report)
        if problems:
            print("SMOKE FAILED:\n  " + "\n  ".join(problems))
            return 1
        print("smoke: OK")
        return 0
    if failed:
        print("WARNING: %d compiler-vs-numpy check(s) failed: %s" % (len(failed), failed))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
