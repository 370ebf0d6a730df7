"""Independent numpy reference of every daq op.

Written from the op documentation (include/daq/IR/DaqOps.td, DaqAttrs.td,
include/daq/Transforms/Passes.td) and docs/design.md, not from any lowering.

Arithmetic:
  * Where the documentation fixes f32 arithmetic (quantize, dequantize, the
    MCS update, the DSGC candidates, the INT8 convolution epilogue) this file
    performs exactly those f32 operations with numpy float32 scalars/arrays
    (numpy does one IEEE f32 operation per ufunc call, no FMA contraction), so
    codes and clips are bit-exact.
  * Everything else (statistics, float convolutions) is computed in float64;
    sums whose order the spec leaves open use math.fsum (correctly rounded),
    and the callers compare with tolerances derived from that.
  * INT8 convolutions accumulate int8 codes exactly in int64.

Conventions: a clip is a float32 array of rank 0 (per tensor) or rank 1 (per
axis); `axis=None` means per tensor.
"""

import math

import numpy as np

F32 = np.float32
F64 = np.float64
MASK32 = np.uint64(0xFFFFFFFF)

# ---------------------------------------------------------------------------
# Philox-4x32-10 (Random123), vectorized with uint64 arithmetic.
# ---------------------------------------------------------------------------
PHILOX_M0 = np.uint64(0xD2511F53)
PHILOX_M1 = np.uint64(0xCD9E8D57)
PHILOX_W0 = np.uint64(0x9E3779B9)
PHILOX_W1 = np.uint64(0xBB67AE85)


def philox4x32_10(counter, key):
    """counter: 4 arrays (or ints) of 32-bit words, key: 2 words.

    Returns the 4 output words as uint64 arrays holding 32-bit values."""
    c = [np.asarray(w, dtype=np.uint64) & MASK32 for w in counter]
    k0 = np.asarray(key[0], dtype=np.uint64) & MASK32
    k1 = np.asarray(key[1], dtype=np.uint64) & MASK32
    with np.errstate(over="ignore"):
        for r in range(10):
            if r > 0:
                k0 = (k0 + PHILOX_W0) & MASK32
                k1 = (k1 + PHILOX_W1) & MASK32
            p0 = PHILOX_M0 * c[0]  # < 2^64: exact in uint64
            p1 = PHILOX_M1 * c[2]
            hi0, lo0 = p0 >> np.uint64(32), p0 & MASK32
            hi1, lo1 = p1 >> np.uint64(32), p1 & MASK32
            c = [hi1 ^ c[1] ^ k0, lo1, hi0 ^ c[3] ^ k1, lo0]
    return c


PHILOX_KNOWN_ANSWERS = [
    ((0, 0, 0, 0), (0, 0), (0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8)),
    ((0xFFFFFFFF,) * 4, (0xFFFFFFFF,) * 2,
     (0x408F276D, 0x41C83B0E, 0xA20BC7C6, 0x6D5451FD)),
    ((0x243F6A88, 0x85A308D3, 0x13198A2E, 0x03707344), (0xA4093822, 0x299F31D0),
     (0xD16CFE09, 0x94FDCCEB, 0x5001E420, 0x24126EA1)),
]


def stochastic_uniform(shape, seed, step):
    """u in [0, 1) (float32) for every element of a tensor of `shape`:
    u = float32(x0 >> 8) * 2^-24, x0 = philox(counter = (idx_lo, idx_hi,
    step_lo, step_hi), key = (seed_lo, seed_hi))[0], idx the row-major
    linear index."""
    n = int(np.prod(shape, dtype=np.int64))
    idx = np.arange(n, dtype=np.uint64)
    step_u = np.uint64(np.int64(step).astype(np.uint64))  # two's complement
    seed_u = np.uint64(np.int64(seed).astype(np.uint64))
    s32 = np.uint64(32)
    counter = (idx & MASK32, idx >> s32, step_u & MASK32, step_u >> s32)
    key = (seed_u & MASK32, seed_u >> s32)
    x0 = philox4x32_10(counter, key)[0]
    u = (x0 >> np.uint64(8)).astype(F32) * F32(2.0 ** -24)
    return u.reshape(shape)


# ---------------------------------------------------------------------------
# Quantize / dequantize
# ---------------------------------------------------------------------------
def _bclip(clip, ndim, axis):
    """Clip as float32, broadcastable against a rank-`ndim` tensor."""
    clip = np.asarray(clip, dtype=F32)
    if axis is None:
        assert clip.ndim == 0, "per-tensor clip must be rank 0"
        return clip
    assert clip.ndim == 1, "per-axis clip must be rank 1"
    shape = [1] * ndim
    shape[axis] = clip.shape[0]
    return clip.reshape(shape)


def quantize_values(x, clip, axis=None):
    """The f32 value v = clamp(x, -s, s) * inv of the op, before rounding."""
    x = np.asarray(x, dtype=F32)
    s = _bclip(clip, x.ndim, axis)
    with np.errstate(all="ignore"):
        inv = np.where(s == F32(0), F32(0), F32(127) / s).astype(F32)
        # NaN-propagating clamp (arith.maximumf / arith.minimumf).
        clamped = np.minimum(np.maximum(x, -s), s).astype(F32)
        v = (clamped * inv).astype(F32)
    return v


def quantize(x, clip, axis=None, rounding="nearest_even", seed=None, step=0):
    """daq.quantize: int8 codes."""
    v = quantize_values(x, clip, axis)
    with np.errstate(all="ignore"):
        if rounding == "nearest_even":
            r = np.rint(v)  # round half to even
        elif rounding == "stochastic":
            assert seed is not None
            u = stochastic_uniform(v.shape, seed, step)
            r = np.floor((v + u).astype(F32))
        else:
            raise ValueError(rounding)
        nan = np.isnan(v)
        r = np.where(nan, F32(0), np.clip(r, F32(-127), F32(127)))
    return r.astype(np.int8)


def dequantize(q, clip, axis=None):
    """daq.dequantize: float32(q) * float32(s / 127)."""
    q = np.asarray(q, dtype=np.int8)
    s = _bclip(clip, q.ndim, axis)
    with np.errstate(all="ignore"):
        scale = (s / F32(127)).astype(F32)
        return (q.astype(F32) * scale).astype(F32)


# ---------------------------------------------------------------------------
# Clip computations
# ---------------------------------------------------------------------------
def _channels(x, axis):
    """List of flattened float32 slices: one per index along `axis`, or the
    whole tensor as one slice when axis is None."""
    x = np.asarray(x, dtype=F32)
    if axis is None:
        return [x.reshape(-1)]
    return [np.take(x, i, axis=axis).reshape(-1) for i in range(x.shape[axis])]


def _as_clip(values, axis):
    arr = np.array(values, dtype=F32)
    return arr.reshape(()) if axis is None else arr


def max_abs(x, axis=None):
    """daq.max_abs: NaN-propagating max |x| (np.max propagates NaN)."""
    return _as_clip([np.max(np.abs(c)) if c.size else F32(0)
                     for c in _channels(x, axis)], axis)


def channel_stats(c):
    """(max, sigma, count(|g| > sigma), ambiguous) of one channel in float64.

    Mean and population variance by the two-pass formula with correctly
    rounded sums; `ambiguous` is True when some |g| lies so close to sigma
    that a different (but valid) f64 summation order could change the
    count."""
    n = c.size
    mx = np.max(np.abs(c))
    g = c.astype(F64)
    with np.errstate(all="ignore"):
        if not np.all(np.isfinite(g)):
            # Follow the formula: NaN/inf statistics.
            mean = np.sum(g) / n
            var = np.sum((g - mean) ** 2) / n
        else:
            mean = math.fsum(g.tolist()) / n
            var = math.fsum(((g - mean) ** 2).tolist()) / n
        sigma = np.sqrt(F64(var))
        a = np.abs(g)
        count = int(np.count_nonzero(a > sigma))
        ambiguous = False
        if np.isfinite(sigma):
            tol = 1e-12 * sigma + 1e-300
            ambiguous = bool(np.any(np.abs(a - sigma) <= tol)) and sigma > 0
    return mx, sigma, count, ambiguous


def mcs_clip(x, prev, axis=None, lam=0.3, k=1.0, a=0.8):
    """daq.mcs_clip. Returns (clip f32, bell bool, ambiguous bool) arrays.

    bell = r > lambda with r = count/n in f64; clip = max if bell or prev < 0
    else f32(1 - k*A) * prev + f32(A) * max in f32 (no FMA).
    `ambiguous[i]` marks channels whose classification depends on summation
    order (see channel_stats); the test then accepts either outcome."""
    prev = np.asarray(prev, dtype=F32)
    chans = _channels(x, axis)
    prev_list = [prev.reshape(())] if axis is None else list(prev)
    c1 = F32(1.0 - k * a)
    c2 = F32(a)
    clips, bells, amb = [], [], []
    for c, p in zip(chans, prev_list):
        mx, sigma, count, ambiguous = channel_stats(c)
        r = F64(count) / F64(c.size)
        bell = bool(r > F64(lam))
        p = F32(p)
        if bell or p < F32(0):
            clip = F32(mx)
        else:
            with np.errstate(all="ignore"):
                clip = F32(F32(c1 * p) + F32(c2 * F32(mx)))
        clips.append(clip)
        bells.append(bell)
        amb.append(ambiguous)
    shape = () if axis is None else (len(chans),)
    return (np.array(clips, dtype=F32).reshape(shape),
            np.array(bells, dtype=bool).reshape(shape),
            np.array(amb, dtype=bool).reshape(shape))


def mcs_update_alternative(prev, mx, k=1.0, a=0.8):
    """Clip of an inverted-T channel (used for ambiguous channels)."""
    return F32(F32(F32(1.0 - k * a) * F32(prev)) + F32(F32(a) * F32(mx)))


def dsgc_candidates(mx, candidates=32, min_ratio=0.1):
    """s_j = mx * f32(min_ratio + (1 - min_ratio) * j / (n - 1)) in f32."""
    n = candidates
    ratios = [F32(min_ratio + (1.0 - min_ratio) * j / (n - 1)) for j in range(n)]
    with np.errstate(all="ignore"):
        return [F32(F32(mx) * r) for r in ratios]


def cosine_distance(g, s):
    """Exact-sum f64 cosine distance between channel g and its nearest-even
    quantization with clip s (f32)."""
    ghat = dequantize(quantize(g, np.array(s, dtype=F32)), np.array(s, dtype=F32))
    gd = g.astype(F64)
    hd = ghat.astype(F64)
    dot = math.fsum((gd * hd).tolist())  # products exact in f64
    qq = math.fsum((hd * hd).tolist())
    gg = math.fsum((gd * gd).tolist())
    if gg == 0:
        return 0.0
    if qq == 0:
        return 1.0
    return 1.0 - dot / math.sqrt(gg * qq)


def dsgc_channel(c, candidates=32, min_ratio=0.1):
    """(clip, distance(f64), [(s_j, d_j)]) of one channel."""
    mx = F32(np.max(np.abs(c)))
    if not np.isfinite(mx):
        return mx, float("nan"), []
    table = [(s, cosine_distance(c, s))
             for s in dsgc_candidates(mx, candidates, min_ratio)]
    best = None
    for s, d in table:  # increasing j: '<=' keeps the largest clip on ties
        if best is None or d <= best[1]:
            best = (s, d)
    return best[0], best[1], table


def dsgc_clip(x, axis=None, candidates=32, min_ratio=0.1):
    """daq.dsgc_clip: (clip f32, distance f32, tables) where tables holds
    every candidate (clip, exact distance) of each channel for
    tolerance-aware comparison."""
    clips, dists, tables = [], [], []
    for c in _channels(x, axis):
        s, d, t = dsgc_channel(c, candidates, min_ratio)
        clips.append(s)
        dists.append(F32(d))
        tables.append(t)
    return _as_clip(clips, axis), _as_clip(dists, axis), tables


# ---------------------------------------------------------------------------
# quantize_grad (decomposition of include/daq/Transforms/Passes.td)
# ---------------------------------------------------------------------------
def quantize_grad(g, axis, strategy, rounding="nearest_even", seed=None, step=0,
                  channel_state=None, tensor_state=None):
    """strategy: ('max',), ('mcs', lam, k, a), ('static', channels, tensor),
    ('dsgc', candidates, min_ratio).

    Returns dict with channel_codes, channel_clip, tensor_codes, tensor_clip
    (and 'extra' info for tolerance-aware checks)."""
    kind = strategy[0]
    extra = {}
    if kind == "max":
        cc = max_abs(g, axis)
        ct = max_abs(cc, None)
    elif kind == "mcs":
        _, lam, k, a = strategy
        cc, bc, ac = mcs_clip(g, channel_state, axis, lam, k, a)
        ct, bt, at = mcs_clip(g, tensor_state, None, lam, k, a)
        extra.update(channel_bell=bc, channel_ambiguous=ac,
                     tensor_bell=bt, tensor_ambiguous=at)
    elif kind == "static":
        _, chans, tens = strategy
        cc = np.array(chans, dtype=F32)
        ct = np.array(tens, dtype=F32).reshape(())
    elif kind == "dsgc":
        _, n, mr = strategy
        cc, dc, tc = dsgc_clip(g, axis, n, mr)
        ct, dt, tt = dsgc_clip(g, None, n, mr)
        extra.update(channel_tables=tc, tensor_tables=tt)
    else:
        raise ValueError(kind)
    qc = quantize(g, cc, axis, rounding, seed, step)
    qt = quantize(g, ct, None, rounding, seed, step)
    return dict(channel_codes=qc, channel_clip=cc, tensor_codes=qt,
                tensor_clip=ct, extra=extra)


# ---------------------------------------------------------------------------
# Convolutions. Internally NCHW activations [N, C, H, W] and OIHW filters
# [O, C/G, KH, KW]; nhwc tensors are transposed in and out.
# ---------------------------------------------------------------------------
class Conv:
    def __init__(self, layout="nchw", strides=(1, 1), padding=(0, 0, 0, 0),
                 dilations=(1, 1), groups=1):
        self.layout = layout
        self.strides = tuple(strides)
        self.padding = tuple(padding)  # top, left, bottom, right
        self.dilations = tuple(dilations)
        self.groups = groups

    def attr(self):
        return ("#daq.conv<layout = %s, strides = [%d, %d], padding = [%d, %d, %d, %d], "
                "dilations = [%d, %d], groups = %d>" % (
                    (self.layout,) + self.strides + self.padding +
                    self.dilations + (self.groups,)))

    def __repr__(self):
        return self.attr()

    @property
    def chan_dim(self):
        return 3 if self.layout == "nhwc" else 1

    # layout conversions
    def act_to_nchw(self, a):
        return a if self.layout == "nchw" else np.transpose(a, (0, 3, 1, 2))

    def act_from_nchw(self, a):
        return a if self.layout == "nchw" else np.transpose(a, (0, 2, 3, 1))

    def filt_to_oihw(self, w):
        return w if self.layout == "nchw" else np.transpose(w, (0, 3, 1, 2))

    def filt_from_oihw(self, w):
        return w if self.layout == "nchw" else np.transpose(w, (0, 2, 3, 1))

    def out_size(self, in_hw, k_hw):
        res = []
        for d in range(2):
            lo, hi = self.padding[d], self.padding[d + 2]
            res.append((in_hw[d] + lo + hi - self.dilations[d] * (k_hw[d] - 1) - 1)
                       // self.strides[d] + 1)
        return tuple(res)

    # shapes in the op's layout
    def act_shape(self, n, c, h, w):
        return (n, c, h, w) if self.layout == "nchw" else (n, h, w, c)

    def filt_shape(self, o, cg, kh, kw):
        return (o, cg, kh, kw) if self.layout == "nchw" else (o, kh, kw, cg)


def _tap_slices(conv, kh, kw, oh, ow):
    """Slices of the padded input read by kernel tap (kh, kw)."""
    sh, sw = conv.strides
    dh, dw = conv.dilations
    h0, w0 = kh * dh, kw * dw
    return (slice(h0, h0 + sh * (oh - 1) + 1, sh),
            slice(w0, w0 + sw * (ow - 1) + 1, sw))


def _pad(x, conv):
    t, l, b, r = conv.padding
    return np.pad(x, ((0, 0), (0, 0), (t, b), (l, r)))


def conv_fwd_nchw(x, w, conv, dtype=F64):
    """y[n,o,i,j] = sum_{c,kh,kw} xpad[n, g*Cg+c, i*sh+kh*dh, j*sw+kw*dw] *
    w[o, c, kh, kw], g = o // Og. x: [N,C,H,W], w: [O,Cg,KH,KW]."""
    x = x.astype(dtype)
    w = w.astype(dtype)
    N, C, H, W = x.shape
    O, Cg, KH, KW = w.shape
    G = conv.groups
    Og = O // G
    assert Cg * G == C
    OH, OW = conv.out_size((H, W), (KH, KW))
    xp = _pad(x, conv)
    y = np.zeros((N, G, Og, OH, OW), dtype=dtype)
    wg = w.reshape(G, Og, Cg, KH, KW)
    for kh in range(KH):
        for kw in range(KW):
            sh, sw = _tap_slices(conv, kh, kw, OH, OW)
            xs = xp[:, :, sh, sw].reshape(N, G, Cg, OH, OW)
            y += np.einsum("ngchw,goc->ngohw", xs, wg[:, :, :, kh, kw])
    return y.reshape(N, O, OH, OW)


def conv_bwd_data_nchw(gy, w, in_hw, conv, dtype=F64):
    """Adjoint of conv_fwd_nchw in x: scatter every tap back."""
    gy = gy.astype(dtype)
    w = w.astype(dtype)
    N, O, OH, OW = gy.shape
    _, Cg, KH, KW = w.shape
    G = conv.groups
    Og = O // G
    H, W = in_hw
    t, l, b, r = conv.padding
    gxp = np.zeros((N, G * Cg, H + t + b, W + l + r), dtype=dtype)
    gyg = gy.reshape(N, G, Og, OH, OW)
    wg = w.reshape(G, Og, Cg, KH, KW)
    for kh in range(KH):
        for kw in range(KW):
            sh, sw = _tap_slices(conv, kh, kw, OH, OW)
            contrib = np.einsum("ngohw,goc->ngchw", gyg, wg[:, :, :, kh, kw])
            gxp[:, :, sh, sw] += contrib.reshape(N, G * Cg, OH, OW)
    return gxp[:, :, t:t + H, l:l + W]


def conv_bwd_filter_nchw(x, gy, k_hw, conv, dtype=F64):
    """Adjoint of conv_fwd_nchw in w: gw[o,c,kh,kw] = sum over n, i, j."""
    x = x.astype(dtype)
    gy = gy.astype(dtype)
    N, C, H, W = x.shape
    _, O, OH, OW = gy.shape
    G = conv.groups
    Cg, Og = C // G, O // G
    KH, KW = k_hw
    xp = _pad(x, conv)
    gyg = gy.reshape(N, G, Og, OH, OW)
    gw = np.zeros((G, Og, Cg, KH, KW), dtype=dtype)
    for kh in range(KH):
        for kw in range(KW):
            sh, sw = _tap_slices(conv, kh, kw, OH, OW)
            xs = xp[:, :, sh, sw].reshape(N, G, Cg, OH, OW)
            gw[:, :, :, kh, kw] = np.einsum("ngchw,ngohw->goc", xs, gyg)
    return gw.reshape(O, Cg, KH, KW)


# Layout-aware entry points: tensors in the op's layout.
def conv2d(x, w, conv, dtype=F64):
    y = conv_fwd_nchw(conv.act_to_nchw(x), conv.filt_to_oihw(w), conv, dtype)
    return conv.act_from_nchw(y)


def conv2d_backward_data(gy, w, in_hw, conv, dtype=F64):
    gx = conv_bwd_data_nchw(conv.act_to_nchw(gy), conv.filt_to_oihw(w), in_hw,
                            conv, dtype)
    return conv.act_from_nchw(gx)


def conv2d_backward_filter(x, gy, k_hw, conv, dtype=F64):
    gw = conv_bwd_filter_nchw(conv.act_to_nchw(x), conv.act_to_nchw(gy), k_hw,
                              conv, dtype)
    return conv.filt_from_oihw(gw)


def conv_fwd_bruteforce_nchw(x, w, conv):
    """Scalar-loop forward convolution (only for tiny self-test shapes)."""
    N, C, H, W = x.shape
    O, Cg, KH, KW = w.shape
    G = conv.groups
    Og = O // G
    OH, OW = conv.out_size((H, W), (KH, KW))
    t, l = conv.padding[0], conv.padding[1]
    y = np.zeros((N, O, OH, OW))
    for n in range(N):
        for o in range(O):
            g = o // Og
            for i in range(OH):
                for j in range(OW):
                    acc = 0.0
                    for c in range(Cg):
                        for kh in range(KH):
                            for kw in range(KW):
                                h = i * conv.strides[0] + kh * conv.dilations[0] - t
                                ww = j * conv.strides[1] + kw * conv.dilations[1] - l
                                if 0 <= h < H and 0 <= ww < W:
                                    acc += float(x[n, g * Cg + c, h, ww]) * float(w[o, c, kh, kw])
                    y[n, o, i, j] = acc
    return y


# ---------------------------------------------------------------------------
# INT8 convolutions
# ---------------------------------------------------------------------------
def epilogue(acc, clip_a, clip_b, chan_axis=None):
    """float32(acc) * float32(float32(clip_a * clip_b) / 16129); a rank-1
    clip (at most one) broadcasts along `chan_axis` of acc."""
    acc = np.asarray(acc, dtype=np.int64)
    ca = np.asarray(clip_a, dtype=F32)
    cb = np.asarray(clip_b, dtype=F32)
    with np.errstate(all="ignore"):
        scale = ((ca * cb).astype(F32) / F32(16129)).astype(F32)
        if scale.ndim == 1:
            shape = [1] * acc.ndim
            shape[chan_axis] = scale.shape[0]
            scale = scale.reshape(shape)
        return (acc.astype(F32) * scale).astype(F32)


def load_operand(t, clip, axis, rounding, seed, step):
    """Quantize-on-load: i8 passes through; f32 is quantized with its clip
    (per tensor, or per `axis` when the clip is rank 1) as daq.quantize
    would."""
    t = np.asarray(t)
    if t.dtype == np.int8:
        return t
    clip = np.asarray(clip, dtype=F32)
    return quantize(t, clip, axis if clip.ndim == 1 else None, rounding, seed, step)


def qconv2d(x, x_clip, w, w_clip, conv, rounding="nearest_even", seed=None, step=0):
    """Returns (output f32, exact int64 accumulator, qx, qw)."""
    qx = load_operand(x, x_clip, None, rounding, seed, step)
    qw = load_operand(w, w_clip, 0, rounding, seed, step)
    acc = conv2d(qx, qw, conv, dtype=np.int64)
    return epilogue(acc, x_clip, w_clip, conv.chan_dim), acc, qx, qw


def qconv2d_backward_data(gy, gy_clip, w, w_clip, in_hw, conv,
                          rounding="nearest_even", seed=None, step=0):
    qgy = load_operand(gy, gy_clip, None, rounding, seed, step)
    qw = load_operand(w, w_clip, None, rounding, seed, step)
    acc = conv2d_backward_data(qgy, qw, in_hw, conv, dtype=np.int64)
    return epilogue(acc, gy_clip, w_clip), acc, qgy, qw


def qconv2d_backward_filter(x, x_clip, gy, gy_clip, k_hw, conv,
                            rounding="nearest_even", seed=None, step=0):
    qx = load_operand(x, x_clip, None, rounding, seed, step)
    qgy = load_operand(gy, gy_clip, conv.chan_dim, rounding, seed, step)
    acc = conv2d_backward_filter(qx, qgy, k_hw, conv, dtype=np.int64)
    return epilogue(acc, x_clip, gy_clip, 0), acc, qx, qgy


# ---------------------------------------------------------------------------
# Self-tests of the reference itself.
# ---------------------------------------------------------------------------
def selftest_philox():
    for ctr, key, expected in PHILOX_KNOWN_ANSWERS:
        got = tuple(int(w) for w in philox4x32_10(ctr, key))
        assert got == expected, "philox4x32_10(%s, %s) = %s, expected %s" % (
            [hex(v) for v in ctr], [hex(v) for v in key], [hex(v) for v in got],
            [hex(v) for v in expected])
    # Vectorized evaluation agrees with scalar evaluation.
    ctrs = np.array([[0, 0, 0, 0], [0xFFFFFFFF] * 4,
                     [0x243F6A88, 0x85A308D3, 0x13198A2E, 0x03707344]],
                    dtype=np.uint64)
    keys = np.array([[0, 0], [0xFFFFFFFF] * 2, [0xA4093822, 0x299F31D0]],
                    dtype=np.uint64)
    out = philox4x32_10(ctrs.T, keys.T)
    for i, (_, _, expected) in enumerate(PHILOX_KNOWN_ANSWERS):
        assert tuple(int(w[i]) for w in out) == expected
    return len(PHILOX_KNOWN_ANSWERS)
