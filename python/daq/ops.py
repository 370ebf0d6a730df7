"""The method's operations as functions on arrays, run by the daq kernels.

Each function builds a small MLIR module with the corresponding daq op for
the shapes and attributes of its arguments, JIT-compiles it once (modules
are cached by their text, so a shape seen before costs a dictionary lookup)
and calls it. Semantics, bit for bit, are those of the ops in
docs/reference/dialect.md:

* clips are float32 arrays of rank 0 (per tensor, ``axis=None``) or rank 1
  (one per index of ``axis``); codes are int8 on [-127, 127];
* ``rounding`` is ``'nearest'`` (half to even) or ``'stochastic'``
  (Philox-4x32-10 keyed by ``seed``, ``step`` and the element index);
* convolutions take ``layout='nchw'`` (activations ``[N, C, H, W]``,
  filters ``[O, C/G, KH, KW]``) or ``'nhwc'`` (``[N, H, W, C]``,
  ``[O, KH, KW, C/G]``); ``stride`` and ``dilation`` are an int or a pair,
  ``padding`` an int, a pair ``(ph, pw)`` or ``(top, left, bottom, right)``.

Float operands may be any floating NumPy dtype or torch tensor (converted to
float32); code operands must be int8. Results are NumPy arrays.
"""

import math
import threading

import numpy as np

from .compiler import Module, _is_torch_tensor, _torch_to_numpy

__all__ = ["max_abs", "mcs_clip", "dsgc_clip", "quantize", "dequantize",
           "quantize_grad", "qconv2d", "qconv2d_backward_data",
           "qconv2d_backward_filter", "conv_output_size", "clear_cache"]

ROUNDINGS = ("nearest", "stochastic")
STRATEGIES = ("max", "mcs", "dsgc", "static")

# ---------------------------------------------------------------------------
# Module cache
# ---------------------------------------------------------------------------
_modules = {}
_modules_lock = threading.Lock()


def _module(text):
    with _modules_lock:
        module = _modules.get(text)
    if module is None:
        module = Module(text, name="<daq.ops>")
        with _modules_lock:
            module = _modules.setdefault(text, module)
    return module


def clear_cache():
    """Forgets the modules built by this module (the runtime's own cache is
    daq.clear_cache())."""
    with _modules_lock:
        _modules.clear()


# ---------------------------------------------------------------------------
# Argument handling
# ---------------------------------------------------------------------------
def _array(value):
    if _is_torch_tensor(value):
        return _torch_to_numpy(value)
    return np.asarray(value)


def _f32(value, name):
    """`value` as a float32 array (floats of any width are converted)."""
    array = _array(value)
    if array.dtype.kind != "f":
        if array.dtype.kind in "iu" and array.ndim == 0 and not isinstance(
                value, np.ndarray):
            return array.astype(np.float32)  # a plain Python int
        raise TypeError("%s must hold floating-point values, got dtype %s"
                        % (name, array.dtype))
    return array.astype(np.float32, copy=False)


def _i8(value, name):
    array = _array(value)
    if array.dtype != np.int8:
        raise TypeError("%s must be int8 codes, got dtype %s"
                        % (name, array.dtype))
    return array


def _codes_or_f32(value, name):
    """INT8 convolution operands: int8 codes, or floats quantized on load."""
    array = _array(value)
    if array.dtype == np.int8:
        return array
    return _f32(array, name)


def _axis(axis, ndim, name="axis"):
    if axis is None:
        return None
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
        raise TypeError("%s must be an int or None, got %r" % (name, axis))
    if not -ndim <= axis < ndim:
        raise ValueError("%s %d is out of range for a rank-%d tensor"
                         % (name, axis, ndim))
    return int(axis) % ndim


def _clip(value, name, shape, axis_text):
    clip = _f32(value, name)
    if clip.shape != shape:
        raise ValueError("%s must have shape %s (%s), got %s"
                         % (name, shape, axis_text, clip.shape))
    return clip


def _clip_for(value, name, x, axis):
    if axis is None:
        return _clip(value, name, (), "a per-tensor clip")
    return _clip(value, name, (x.shape[axis],),
                 "one clip per index of axis %d" % axis)


def _output_channel_clip(value, name, channels):
    """A clip per tensor or one per output channel (where the convolution's
    sum lets per-channel scales factor out)."""
    clip = _f32(value, name)
    if clip.shape not in ((), (channels,)):
        raise ValueError("%s must be per tensor (shape ()) or one per "
                         "output channel (shape (%d,)), got %s"
                         % (name, channels, clip.shape))
    return clip


def _float_literal(value, name):
    value = float(value)
    if not math.isfinite(value):
        raise ValueError("%s must be finite, got %r" % (name, value))
    text = repr(value)
    mantissa, _, exponent = text.partition("e")
    # MLIR float literals need a '.' in the mantissa ("1e-05" is not one).
    if "." not in mantissa:
        mantissa += ".0"
    return mantissa + ("e" + exponent if exponent else "")


def _rounding(rounding, seed, step):
    """(attribute text or None, step array or None)."""
    if rounding in ("nearest", "nearest_even"):
        return None, None
    if rounding != "stochastic":
        raise ValueError("unknown rounding %r (expected one of %s)"
                         % (rounding, ", ".join(map(repr, ROUNDINGS))))
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) \
            or seed < 0 or seed >= 2 ** 63:
        raise ValueError("seed must be a non-negative 64-bit int, got %r"
                         % (seed,))
    step = _array(step)
    if step.ndim != 0 or step.dtype.kind not in "iu":
        raise TypeError("step must be an integer scalar, got %r" % (step,))
    return ("#daq.rounding<stochastic, seed = %d>" % int(seed),
            np.asarray(step, dtype=np.int64))


def _ttype(shape, element):
    return "tensor<%s%s>" % ("".join("%dx" % d for d in shape), element)


def _elem(array):
    return {np.dtype(np.float32): "f32", np.dtype(np.int8): "i8"}[array.dtype]


def _granularity(axis):
    return ("#daq.granularity<per_tensor>" if axis is None
            else "#daq.granularity<per_axis = %d>" % axis)


def _func(args, body, results):
    """A module with `func.func @main`: args are (name, type) pairs, body
    lines, results (name, type) pairs."""
    lines = ["func.func @main(%s) -> (%s) {" % (
        ", ".join("%%%s: %s" % a for a in args),
        ", ".join(t for _, t in results))]
    lines += ["  " + line for line in body]
    lines.append("  return %s : %s" % (", ".join("%" + n for n, _ in results),
                                       ", ".join(t for _, t in results)))
    lines.append("}")
    return "\n".join(lines) + "\n"


def _as_tuple(result):
    return result if isinstance(result, tuple) else (result,)


# ---------------------------------------------------------------------------
# Clips and quantization
# ---------------------------------------------------------------------------
def max_abs(x, axis=None):
    """``max |x|`` over the tensor (a rank-0 clip) or per index of `axis`
    (rank 1). NaN anywhere in a slice gives NaN."""
    x = _f32(x, "x")
    axis = _axis(axis, x.ndim)
    ctype = _ttype(() if axis is None else (x.shape[axis],), "f32")
    text = _func([("x", _ttype(x.shape, "f32"))], [
        "%%c = daq.max_abs %%x {granularity = %s} : %s -> %s"
        % (_granularity(axis), _ttype(x.shape, "f32"), ctype)],
        [("c", ctype)])
    return _module(text)(x)


def _mcs_attr(lam, k, a):
    # Checked here too, so that a bad value is a ValueError naming the
    # parameter rather than a verifier diagnostic on generated IR.
    lam, k, a = float(lam), float(k), float(a)
    if not (0 < lam < 1 and 0 < a <= 1 and k >= 0 and k * a <= 1):
        raise ValueError(
            "invalid MCS parameters lam=%r, k=%r, a=%r: need 0 < lam < 1, "
            "0 < a <= 1, k >= 0 and k * a <= 1" % (lam, k, a))
    return "#daq.mcs<lambda = %s, k = %s, a = %s>" % (
        _float_literal(lam, "lam"), _float_literal(k, "k"),
        _float_literal(a, "a"))


def _dsgc_attr(candidates, min_ratio):
    if isinstance(candidates, bool) or not isinstance(
            candidates, (int, np.integer)) or not 2 <= candidates <= 4096:
        raise ValueError("candidates must be an int in [2, 4096], got %r"
                         % (candidates,))
    if not 0 < float(min_ratio) < 1:
        raise ValueError("min_ratio must be in (0, 1), got %r" % (min_ratio,))
    return "#daq.dsgc<candidates = %d, min_ratio = %s>" % (
        int(candidates), _float_literal(min_ratio, "min_ratio"))


def mcs_clip(g, prev_clip=None, axis=None, lam=0.3, k=1.0, a=0.8):
    """One step of the Magnitude-aware Clipping Strategy on gradient `g`.

    Per channel along `axis` (or for the whole tensor with ``axis=None``):
    bell-shaped if the fraction of ``|g| > std(g)`` exceeds `lam` (clip =
    ``max |g|``), inverted-T otherwise (clip = ``(1 - k a) prev + a max``).
    A negative `prev_clip` (the default, -1) means "first step": clip =
    max. Returns ``(clip, bell_shaped)``; the clip is the next step's
    `prev_clip`.
    """
    g = _f32(g, "g")
    axis = _axis(axis, g.ndim)
    shape = () if axis is None else (g.shape[axis],)
    if prev_clip is None:
        prev_clip = np.full(shape, -1.0, dtype=np.float32)
    prev = _clip_for(prev_clip, "prev_clip", g, axis)
    gtype, ctype = _ttype(g.shape, "f32"), _ttype(shape, "f32")
    btype = _ttype(shape, "i1")
    text = _func([("g", gtype), ("prev", ctype)], [
        "%%c, %%b = daq.mcs_clip %%g, %%prev {granularity = %s, params = %s} "
        ": (%s, %s) -> (%s, %s)" % (_granularity(axis), _mcs_attr(lam, k, a),
                                    gtype, ctype, ctype, btype)],
        [("c", ctype), ("b", btype)])
    return _module(text)(g, prev)


def dsgc_clip(g, axis=None, candidates=32, min_ratio=0.1):
    """Direction-sensitive clipping (the UI8 baseline): per channel (or for
    the tensor) the candidate clip with the smallest cosine distance between
    `g` and its quantization. Returns ``(clip, distance)``."""
    g = _f32(g, "g")
    axis = _axis(axis, g.ndim)
    shape = () if axis is None else (g.shape[axis],)
    gtype, ctype = _ttype(g.shape, "f32"), _ttype(shape, "f32")
    text = _func([("g", gtype)], [
        "%%c, %%d = daq.dsgc_clip %%g {granularity = %s, params = %s} "
        ": %s -> (%s, %s)" % (_granularity(axis),
                              _dsgc_attr(candidates, min_ratio), gtype,
                              ctype, ctype)],
        [("c", ctype), ("d", ctype)])
    return _module(text)(g)


def quantize(x, clip, axis=None, rounding="nearest", seed=0, step=0):
    """INT8 codes ``round(clamp(x, -s, s) * 127 / s)`` with the clip `s`
    per tensor (``axis=None``, a scalar clip) or per index of `axis`."""
    x = _f32(x, "x")
    axis = _axis(axis, x.ndim)
    clip = _clip_for(clip, "clip", x, axis)
    rounding_attr, step = _rounding(rounding, seed, step)
    xtype, ctype = _ttype(x.shape, "f32"), _ttype(clip.shape, "f32")
    qtype = _ttype(x.shape, "i8")
    args = [("x", xtype), ("c", ctype)]
    attrs = "granularity = %s" % _granularity(axis)
    operands, types = "%x, %c", "%s, %s" % (xtype, ctype)
    if rounding_attr:
        args.append(("t", "i64"))
        attrs += ", rounding = " + rounding_attr
        operands += " step %t"
        types += ", i64"
    text = _func(args, ["%%q = daq.quantize %s {%s} : (%s) -> %s"
                        % (operands, attrs, types, qtype)], [("q", qtype)])
    inputs = (x, clip) + ((step,) if rounding_attr else ())
    return _module(text)(*inputs)


def dequantize(q, clip, axis=None):
    """``float(q) * (s / 127)`` with the clip per tensor or per `axis`."""
    q = _i8(q, "q")
    axis = _axis(axis, q.ndim)
    clip = _clip_for(clip, "clip", q, axis)
    qtype, ctype = _ttype(q.shape, "i8"), _ttype(clip.shape, "f32")
    xtype = _ttype(q.shape, "f32")
    text = _func([("q", qtype), ("c", ctype)], [
        "%%x = daq.dequantize %%q, %%c {granularity = %s} : (%s, %s) -> %s"
        % (_granularity(axis), qtype, ctype, xtype)], [("x", xtype)])
    return _module(text)(q, clip)


def quantize_grad(g, axis=1, strategy="mcs", channel_state=None,
                  tensor_state=None, lam=0.3, k=1.0, a=0.8,
                  rounding="nearest", seed=0, step=0, candidates=32,
                  min_ratio=0.1, static_clips=None):
    """Quantizes an output gradient for backward-filter and backward-data.

    Returns ``(channel_codes, channel_clip, tensor_codes, tensor_clip)``:
    per-channel codes along `axis` (Gradient Vectorized Quantization) and
    per-tensor codes. `strategy` chooses both clips:

    * ``'max'``: max-abs;
    * ``'mcs'``: the Magnitude-aware Clipping Strategy (`lam`, `k`, `a`),
      stateful: `channel_state` (one per channel) and `tensor_state` are the
      previous step's clips (None: -1, the first step), and the returned
      clips are the next step's state;
    * ``'dsgc'``: direction-sensitive clipping (`candidates`, `min_ratio`);
    * ``'static'``: ``static_clips = (channel_clips, tensor_clip)``, fixed.
    """
    g = _f32(g, "g")
    axis = _axis(axis, g.ndim)
    if axis is None:
        raise ValueError("quantize_grad needs a channel axis")
    channels = g.shape[axis]
    gtype, qtype = _ttype(g.shape, "f32"), _ttype(g.shape, "i8")
    cctype, tctype = _ttype((channels,), "f32"), _ttype((), "f32")
    if strategy == "max":
        strategy_attr = "#daq.max"
    elif strategy == "mcs":
        strategy_attr = _mcs_attr(lam, k, a)
    elif strategy == "dsgc":
        strategy_attr = _dsgc_attr(candidates, min_ratio)
    elif strategy == "static":
        if static_clips is None or len(static_clips) != 2:
            raise ValueError("strategy 'static' needs static_clips = "
                             "(channel_clips, tensor_clip)")
        chan = np.asarray(static_clips[0], dtype=np.float64).reshape(-1)
        if chan.shape != (channels,):
            raise ValueError("static_clips[0] must have %d values (one per "
                             "channel of axis %d), got %d"
                             % (channels, axis, chan.size))
        values = [float(np.float32(v)) for v in chan] + [
            float(np.float32(static_clips[1]))]
        if not all(math.isfinite(v) and v > 0 for v in values):
            raise ValueError("static clips must be positive and finite")
        strategy_attr = "#daq.static<channels = [%s], tensor = %s : f32>" % (
            ", ".join(_float_literal(v, "clip") for v in values[:-1]),
            _float_literal(values[-1], "clip"))
    else:
        raise ValueError("unknown clip strategy %r (expected one of %s)"
                         % (strategy, ", ".join(map(repr, STRATEGIES))))
    rounding_attr, step = _rounding(rounding, seed, step)

    args = [("g", gtype)]
    inputs = [g]
    operands, types = "%g", gtype
    if strategy == "mcs":
        if channel_state is None:
            channel_state = np.full((channels,), -1.0, dtype=np.float32)
        if tensor_state is None:
            tensor_state = np.float32(-1.0)
        inputs += [_clip(channel_state, "channel_state", (channels,),
                         "one clip per channel of axis %d" % axis),
                   _clip(tensor_state, "tensor_state", (), "a scalar clip")]
        args += [("sc", cctype), ("st", tctype)]
        operands += " state(%sc, %st)"
        types += ", %s, %s" % (cctype, tctype)
    elif channel_state is not None or tensor_state is not None:
        raise ValueError("clip strategy %r is stateless; channel_state and "
                         "tensor_state only apply to 'mcs'" % strategy)
    attrs = "axis = %d : i64, strategy = %s" % (axis, strategy_attr)
    if rounding_attr:
        args.append(("t", "i64"))
        inputs.append(step)
        operands += " step %t"
        types += ", i64"
        attrs += ", rounding = " + rounding_attr
    text = _func(args, [
        "%%qc, %%cc, %%qt, %%ct = daq.quantize_grad %s {%s} : (%s) -> "
        "(%s, %s, %s, %s)" % (operands, attrs, types, qtype, cctype, qtype,
                              tctype)],
        [("qc", qtype), ("cc", cctype), ("qt", qtype), ("ct", tctype)])
    return _module(text)(*inputs)


# ---------------------------------------------------------------------------
# Convolutions
# ---------------------------------------------------------------------------
def _pair(value, name):
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        value = (value, value)
    value = tuple(value)
    if len(value) != 2 or not all(
            isinstance(v, (int, np.integer)) and not isinstance(v, bool)
            for v in value):
        raise ValueError("%s must be an int or a pair of ints, got %r"
                         % (name, value))
    return tuple(int(v) for v in value)


class _Geometry:
    """Normalized convolution attributes and the shapes they imply."""

    def __init__(self, stride, padding, dilation, groups, layout):
        if layout not in ("nchw", "nhwc"):
            raise ValueError("unknown layout %r (expected 'nchw' or 'nhwc')"
                             % (layout,))
        self.layout = layout
        self.strides = _pair(stride, "stride")
        self.dilations = _pair(dilation, "dilation")
        if isinstance(padding, (int, np.integer)) and not isinstance(
                padding, bool):
            padding = (padding,) * 4
        padding = tuple(padding)
        if len(padding) == 2:
            padding = padding + padding
        if len(padding) != 4 or not all(
                isinstance(p, (int, np.integer)) for p in padding):
            raise ValueError("padding must be an int, (ph, pw) or (top, left, "
                             "bottom, right), got %r" % (padding,))
        self.padding = tuple(int(p) for p in padding)
        if min(self.strides) < 1 or min(self.dilations) < 1:
            raise ValueError("strides and dilations must be positive, got "
                             "stride=%r, dilation=%r"
                             % (self.strides, self.dilations))
        if min(self.padding) < 0:
            raise ValueError("padding must be non-negative, got %r"
                             % (self.padding,))
        if isinstance(groups, bool) or not isinstance(
                groups, (int, np.integer)) or groups < 1:
            raise ValueError("groups must be a positive int, got %r"
                             % (groups,))
        self.groups = int(groups)

    def attr(self):
        return ("#daq.conv<layout = %s, strides = [%d, %d], padding = "
                "[%d, %d, %d, %d], dilations = [%d, %d], groups = %d>"
                % ((self.layout,) + self.strides + self.padding +
                   self.dilations + (self.groups,)))

    # Shapes in the layout, as (N, C, H, W) and (O, Cg, KH, KW).
    def act(self, shape, name):
        if len(shape) != 4:
            raise ValueError("%s must have rank 4 (%s), got shape %s"
                             % (name, self.layout.upper(), tuple(shape)))
        if self.layout == "nchw":
            return tuple(shape)
        n, h, w, c = shape
        return (n, c, h, w)

    def filt(self, shape, name):
        if len(shape) != 4:
            raise ValueError("%s must have rank 4, got shape %s"
                             % (name, tuple(shape)))
        if self.layout == "nchw":
            return tuple(shape)
        o, kh, kw, cg = shape
        return (o, cg, kh, kw)

    def act_shape(self, n, c, h, w):
        return (n, c, h, w) if self.layout == "nchw" else (n, h, w, c)

    def filt_shape(self, o, cg, kh, kw):
        return (o, cg, kh, kw) if self.layout == "nchw" else (o, kh, kw, cg)

    def out_hw(self, in_hw, k_hw):
        return tuple(conv_output_size(in_hw[d], k_hw[d], self.strides[d],
                                      self.padding[d], self.padding[d + 2],
                                      self.dilations[d]) for d in range(2))

    def check_channels(self, c, o, cg):
        """Raises ValueError unless C, O and C/G fit `groups`."""
        g = self.groups
        if c % g:
            raise ValueError("groups=%d does not divide the %d input channels"
                             % (g, c))
        if o % g:
            raise ValueError("groups=%d does not divide the %d output channels"
                             % (g, o))
        if cg * g != c:
            raise ValueError(
                "the filter has %d input channels per group, but %d input "
                "channels in %d group(s) need %d" % (cg, c, g, c // g))

    def check_out(self, in_hw, k_hw, out_hw, what):
        expected = self.out_hw(in_hw, k_hw)
        if min(expected) < 1:
            raise ValueError("the kernel %s (dilation %s) does not fit the "
                             "padded input %s" % (k_hw, self.dilations, in_hw))
        if tuple(out_hw) != expected:
            raise ValueError(
                "%s has spatial size %s, but input %s, kernel %s, stride %s, "
                "padding %s and dilation %s give %s" % (
                    what, tuple(out_hw), tuple(in_hw), tuple(k_hw),
                    self.strides, self.padding, self.dilations, expected))


def conv_output_size(size, kernel, stride=1, pad_lo=0, pad_hi=0, dilation=1):
    """``(size + pad_lo + pad_hi - dilation (kernel - 1) - 1) // stride + 1``
    (0 or less when the kernel does not fit)."""
    span = size + pad_lo + pad_hi - dilation * (kernel - 1) - 1
    return span // stride + 1 if span >= 0 else 0


def _qconv(op, a, a_clip, b, b_clip, out_shape, geometry, rounding, seed,
           step):
    on_load = a.dtype == np.float32 or b.dtype == np.float32
    rounding_attr, step = _rounding(rounding, seed, step)
    if rounding_attr and not on_load:
        raise ValueError("rounding only applies to f32 operands quantized on "
                         "load; both operands are int8 codes")
    atype, btype = _ttype(a.shape, _elem(a)), _ttype(b.shape, _elem(b))
    actype, bctype = _ttype(a_clip.shape, "f32"), _ttype(b_clip.shape, "f32")
    otype = _ttype(out_shape, "f32")
    args = [("a", atype), ("ac", actype), ("b", btype), ("bc", bctype)]
    inputs = [a, a_clip, b, b_clip]
    operands = "%a[%ac], %b[%bc]"
    types = "%s, %s, %s, %s" % (atype, actype, btype, bctype)
    attrs = "conv = " + geometry.attr()
    if rounding_attr:
        args.append(("t", "i64"))
        inputs.append(step)
        operands += " step %t"
        types += ", i64"
        attrs += ", rounding = " + rounding_attr
    text = _func(args, ["%%y = daq.%s %s {%s} : (%s) -> %s"
                        % (op, operands, attrs, types, otype)],
                 [("y", otype)])
    return _module(text)(*inputs)


def qconv2d(x, x_clip, w, w_clip, stride=1, padding=0, dilation=1, groups=1,
            layout="nchw", rounding="nearest", seed=0, step=0):
    """INT8 forward convolution ``Y = (s_x/127)(s_w/127) conv(qX, qW)`` with
    INT32 accumulation. `x` and `w` are int8 codes or floats quantized on
    load (with `rounding`); `x_clip` is per tensor, `w_clip` per tensor or
    one per output channel."""
    geometry = _Geometry(stride, padding, dilation, groups, layout)
    x = _codes_or_f32(x, "x")
    w = _codes_or_f32(w, "w")
    n, c, h, wd = geometry.act(x.shape, "x")
    o, cg, kh, kw = geometry.filt(w.shape, "w")
    geometry.check_channels(c, o, cg)
    oh, ow = geometry.out_hw((h, wd), (kh, kw))
    geometry.check_out((h, wd), (kh, kw), (oh, ow), "the output")
    x_clip = _clip(x_clip, "x_clip", (), "a per-tensor clip")
    w_clip = _output_channel_clip(w_clip, "w_clip", o)
    return _qconv("qconv2d", x, x_clip, w, w_clip,
                  geometry.act_shape(n, o, oh, ow), geometry, rounding, seed,
                  step)


def qconv2d_backward_data(gy, gy_clip, w, w_clip, input_size=None, stride=1,
                          padding=0, dilation=1, groups=1, layout="nchw",
                          rounding="nearest", seed=0, step=0):
    """INT8 gradient of the input, ``GX = (s_gy/127)(s_w/127)
    conv_backward_data(qGY, qW)``; both clips per tensor. `input_size` is
    the forward input's ``(H, W)`` (strides above one make it ambiguous);
    by default the smallest that fits."""
    geometry = _Geometry(stride, padding, dilation, groups, layout)
    gy = _codes_or_f32(gy, "gy")
    w = _codes_or_f32(w, "w")
    n, o, oh, ow = geometry.act(gy.shape, "gy")
    o_w, cg, kh, kw = geometry.filt(w.shape, "w")
    if o_w != o:
        raise ValueError("gy has %d channels but the filter has %d output "
                         "channels" % (o, o_w))
    c = cg * geometry.groups
    geometry.check_channels(c, o, cg)
    if input_size is None:
        input_size = tuple(
            (out - 1) * s - geometry.padding[d] - geometry.padding[d + 2] +
            geometry.dilations[d] * (k - 1) + 1
            for d, (out, s, k) in enumerate(zip((oh, ow), geometry.strides,
                                                (kh, kw))))
    input_size = _pair(input_size, "input_size")
    geometry.check_out(input_size, (kh, kw), (oh, ow), "gy")
    gy_clip = _clip(gy_clip, "gy_clip", (), "backward-data clips are per "
                    "tensor")
    w_clip = _clip(w_clip, "w_clip", (), "backward-data clips are per tensor")
    return _qconv("qconv2d_backward_data", gy, gy_clip, w, w_clip,
                  geometry.act_shape(n, c, *input_size), geometry, rounding,
                  seed, step)


def qconv2d_backward_filter(x, x_clip, gy, gy_clip, kernel_size, stride=1,
                            padding=0, dilation=1, groups=1, layout="nchw",
                            rounding="nearest", seed=0, step=0):
    """INT8 gradient of the filter, ``GW[o] = (s_x/127)(s_gy[o]/127)
    conv_backward_filter(qX, qGY)[o]``; `x_clip` per tensor, `gy_clip` per
    tensor or one per output channel (GVQ). `kernel_size` is ``(KH, KW)``."""
    geometry = _Geometry(stride, padding, dilation, groups, layout)
    x = _codes_or_f32(x, "x")
    gy = _codes_or_f32(gy, "gy")
    n, c, h, wd = geometry.act(x.shape, "x")
    n_gy, o, oh, ow = geometry.act(gy.shape, "gy")
    if n_gy != n:
        raise ValueError("x has batch %d but gy has batch %d" % (n, n_gy))
    kh, kw = _pair(kernel_size, "kernel_size")
    if geometry.groups < 1 or c % geometry.groups:
        raise ValueError("groups=%d does not divide the %d input channels"
                         % (geometry.groups, c))
    cg = c // geometry.groups
    geometry.check_channels(c, o, cg)
    geometry.check_out((h, wd), (kh, kw), (oh, ow), "gy")
    x_clip = _clip(x_clip, "x_clip", (), "a per-tensor clip")
    gy_clip = _output_channel_clip(gy_clip, "gy_clip", o)
    return _qconv("qconv2d_backward_filter", x, x_clip, gy, gy_clip,
                  geometry.filt_shape(o, cg, kh, kw), geometry, rounding,
                  seed, step)
