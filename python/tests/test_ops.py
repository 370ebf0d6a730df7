"""daq.ops against the independent numpy reference of test/numerics
(daq_reference.py, written from the op documentation). Where the dialect
fixes the arithmetic (quantization, clips, the INT8 convolutions' exact
INT32 sums and f32 epilogue) the results must agree bit for bit."""

import numpy as np
import pytest

import daq
import daq.ops as ops
import daq_reference as R

F32 = np.float32


def randn(rng, shape, scale=1.0):
    return (rng.standard_normal(shape) * scale).astype(F32)


def spiky(rng, shape, fraction=0.05):
    """Mostly tiny values with a few large ones: an inverted-T channel."""
    g = randn(rng, shape, 0.01)
    mask = rng.random(shape) < fraction
    g[mask] = rng.choice([-1.0, 1.0], mask.sum()) * rng.uniform(0.5, 2.0,
                                                                mask.sum())
    return g


def eq(got, expected):
    np.testing.assert_array_equal(got, expected)
    assert np.asarray(got).dtype == np.asarray(expected).dtype


@pytest.mark.parametrize("axis", [None, 0, 1, -1])
def test_max_abs(rng, axis):
    x = randn(rng, (3, 4, 5))
    x[1, 2, 3] = -7.5
    eq(ops.max_abs(x, axis), R.max_abs(x, None if axis is None else axis % 3))


def test_max_abs_propagates_nan_and_accepts_torch(rng):
    x = randn(rng, (2, 3))
    x[1, 1] = np.nan
    got = ops.max_abs(x, axis=0)
    assert np.isnan(got[1]) and not np.isnan(got[0])
    torch = pytest.importorskip("torch")
    t = torch.from_numpy(randn(rng, (4, 4)).astype(np.float64))
    eq(ops.max_abs(t), R.max_abs(t.numpy().astype(F32)))


@pytest.mark.parametrize("axis", [None, 1])
@pytest.mark.parametrize("rounding,seed,step", [("nearest", 0, 0),
                                                ("stochastic", 7, 3),
                                                ("stochastic", 7, 4)])
def test_quantize_dequantize(rng, axis, rounding, seed, step):
    x = randn(rng, (2, 3, 4, 4))
    clip = R.max_abs(x, axis) * F32(0.7)  # some values are clipped
    ref_rounding = "nearest_even" if rounding == "nearest" else rounding
    q = ops.quantize(x, clip, axis, rounding=rounding, seed=seed, step=step)
    eq(q, R.quantize(x, clip, axis, ref_rounding, seed, step))
    assert q.min() >= -127 and q.max() <= 127
    eq(ops.dequantize(q, clip, axis), R.dequantize(q, clip, axis))


def test_quantize_zero_clip(rng):
    x = randn(rng, (2, 3))
    eq(ops.quantize(x, np.zeros(3, F32), axis=1), np.zeros((2, 3), np.int8))


def test_mcs_clip_over_steps(rng):
    """Channels 0-1 bell-shaped (uniform), 2-3 inverted-T (spiky): the first
    step clips at the max, later ones recurse for inverted-T channels."""
    prev = np.full(4, -1.0, F32)
    for step in range(4):
        g = np.concatenate([rng.uniform(-1, 1, (8, 2, 5)).astype(F32),
                            spiky(rng, (8, 2, 5), 0.04)], axis=1)
        clip, bell = ops.mcs_clip(g, prev, axis=1)
        ref_clip, ref_bell, ambiguous = R.mcs_clip(g, prev, 1)
        assert not ambiguous.any()
        eq(clip, ref_clip)
        eq(bell, ref_bell)
        eq(bell, np.array([True, True, False, False]))
        mx = R.max_abs(g, 1)
        if step == 0:
            eq(clip, mx)
        else:
            eq(clip[:2], mx[:2])
            expected = (F32(1 - 0.8) * prev[2:] +
                        F32(0.8) * mx[2:]).astype(F32)
            eq(clip[2:], expected)
        prev = clip
    # Per tensor, and other parameters.
    g = spiky(rng, (4, 6))
    clip, bell = ops.mcs_clip(g, F32(0.5), None, lam=0.25, k=0.5, a=0.9)
    ref_clip, ref_bell, _ = R.mcs_clip(g, F32(0.5), None, 0.25, 0.5, 0.9)
    eq(clip, ref_clip)
    eq(bell, ref_bell)


def test_dsgc_clip(rng):
    g = np.concatenate([randn(rng, (3, 1, 40)), spiky(rng, (3, 1, 40))], 1)
    clip, dist = ops.dsgc_clip(g, axis=1, candidates=16, min_ratio=0.2)
    ref_clip, ref_dist, _ = R.dsgc_clip(g, 1, 16, 0.2)
    eq(clip, ref_clip)
    np.testing.assert_allclose(dist, ref_dist, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("strategy", ["max", "mcs", "dsgc", "static"])
def test_quantize_grad(rng, strategy):
    g = np.concatenate([randn(rng, (2, 2, 3, 3)), spiky(rng, (2, 1, 3, 3))],
                       axis=1)
    kwargs, ref_strategy = {}, None
    if strategy == "max":
        ref_strategy = ("max",)
    elif strategy == "mcs":
        kwargs = dict(channel_state=np.array([-1, 1.5, 0.4], F32),
                      tensor_state=F32(2.0))
        ref_strategy = ("mcs", 0.3, 1.0, 0.8)
    elif strategy == "dsgc":
        ref_strategy = ("dsgc", 32, 0.1)
    else:
        kwargs = dict(static_clips=([0.5, 1.25, 0.3], 1.0))
        ref_strategy = ("static", [0.5, 1.25, 0.3], 1.0)
    for rounding in ("nearest", "stochastic"):
        got = ops.quantize_grad(g, 1, strategy, rounding=rounding, seed=5,
                                step=9, **kwargs)
        ref = R.quantize_grad(
            g, 1, ref_strategy,
            "nearest_even" if rounding == "nearest" else rounding, 5, 9,
            kwargs.get("channel_state"), kwargs.get("tensor_state"))
        for value, key in zip(got, ("channel_codes", "channel_clip",
                                    "tensor_codes", "tensor_clip")):
            eq(value, ref[key])


GEOMETRIES = [
    # stride, padding (top, left, bottom, right), dilation, groups, layout
    ((1, 1), (1, 1, 1, 1), (1, 1), 1, "nchw"),
    ((2, 1), (1, 0, 2, 1), (1, 2), 2, "nchw"),
    ((2, 2), (0, 0, 0, 0), (1, 1), 4, "nchw"),  # depthwise
    ((1, 2), (1, 1, 0, 0), (2, 1), 2, "nhwc"),
]


@pytest.mark.parametrize("stride,padding,dilation,groups,layout", GEOMETRIES)
def test_int8_convolutions(rng, stride, padding, dilation, groups, layout):
    conv = R.Conv(layout, stride, padding, dilation, groups)
    geometry = dict(stride=stride, padding=padding, dilation=dilation,
                    groups=groups, layout=layout)
    n, c, h, w, o, kh, kw = 2, 4, 6, 5, 8, 3, 2
    x = randn(rng, conv.act_shape(n, c, h, w))
    wt = randn(rng, conv.filt_shape(o, c // groups, kh, kw))
    sx, sw = R.max_abs(x), R.max_abs(wt, 0)
    qx = R.quantize(x, sx)
    qw = R.quantize(wt, sw, 0)

    # Forward, from codes and quantized on load (same bits).
    y = ops.qconv2d(qx, sx, qw, sw, **geometry)
    ref_y, acc, _, _ = R.qconv2d(qx, sx, qw, sw, conv)
    eq(y, ref_y)
    eq(ops.qconv2d(x, sx, wt, sw, **geometry), ref_y)
    assert np.abs(acc).max() > 127  # the sums really are wider than int8

    gy = randn(rng, y.shape)
    chan = conv.chan_dim
    sgc, sgt = R.max_abs(gy, chan), R.max_abs(gy)
    qgc, qgt = R.quantize(gy, sgc, chan), R.quantize(gy, sgt)
    swt = R.max_abs(wt)
    qwt = R.quantize(wt, swt)

    gx = ops.qconv2d_backward_data(qgt, sgt, qwt, swt, input_size=(h, w),
                                   **geometry)
    eq(gx, R.qconv2d_backward_data(qgt, sgt, qwt, swt, (h, w), conv)[0])
    gw = ops.qconv2d_backward_filter(qx, sx, qgc, sgc, kernel_size=(kh, kw),
                                     **geometry)
    eq(gw, R.qconv2d_backward_filter(qx, sx, qgc, sgc, (kh, kw), conv)[0])

    # Stochastic rounding of operands quantized on load.
    gws = ops.qconv2d_backward_filter(x, sx, gy, sgc, kernel_size=(kh, kw),
                                      rounding="stochastic", seed=3, step=11,
                                      **geometry)
    eq(gws, R.qconv2d_backward_filter(x, sx, gy, sgc, (kh, kw), conv,
                                      "stochastic", 3, 11)[0])


def test_backward_data_default_input_size(rng):
    qgy = rng.integers(-127, 128, (1, 2, 3, 3)).astype(np.int8)
    qw = rng.integers(-127, 128, (2, 1, 3, 3)).astype(np.int8)
    gx = ops.qconv2d_backward_data(qgy, 1.0, qw, 1.0, stride=2, padding=1)
    assert gx.shape == (1, 1, 5, 5)  # the smallest input giving 3x3


def test_op_errors(rng):
    x = randn(rng, (2, 4, 5, 5))
    w = randn(rng, (6, 2, 3, 3))
    with pytest.raises(ValueError, match="groups=3 does not divide the 4 "
                       "input channels"):
        ops.qconv2d(x, 1.0, w, 1.0, groups=3)
    with pytest.raises(ValueError, match="the filter has 2 input channels per "
                       "group, but 4 input channels in 1 group"):
        ops.qconv2d(x, 1.0, w, 1.0)
    with pytest.raises(ValueError, match="w_clip must be per tensor"):
        ops.qconv2d(x, 1.0, w, np.ones(5, F32), groups=2)
    with pytest.raises(ValueError, match="does not fit the padded input"):
        ops.qconv2d(x, 1.0, randn(rng, (6, 2, 7, 7)), 1.0, groups=2)
    with pytest.raises(ValueError, match="rank 4"):
        ops.qconv2d(x[0], 1.0, w, 1.0, groups=2)
    with pytest.raises(ValueError, match="unknown layout"):
        ops.qconv2d(x, 1.0, w, 1.0, groups=2, layout="nchw_vect")
    with pytest.raises(ValueError, match="rounding only applies to f32"):
        ops.qconv2d(x.astype(np.int8), 1.0, w.astype(np.int8), 1.0, groups=2,
                    rounding="stochastic")
    with pytest.raises(ValueError, match=r"gy has spatial size \(4, 4\)"):
        ops.qconv2d_backward_filter(x, 1.0, randn(rng, (2, 6, 4, 4)), 1.0,
                                    kernel_size=3, groups=2)
    with pytest.raises(ValueError, match="unknown clip strategy 'median'"):
        ops.quantize_grad(x, 1, "median")
    with pytest.raises(ValueError, match="stateless"):
        ops.quantize_grad(x, 1, "max", channel_state=np.ones(4, F32))
    with pytest.raises(ValueError, match="channel_state must have shape"):
        ops.quantize_grad(x, 1, "mcs", channel_state=np.ones(3, F32))
    with pytest.raises(ValueError, match="invalid MCS parameters"):
        ops.mcs_clip(x, None, 1, k=2.0)
    with pytest.raises(ValueError, match="unknown rounding 'up'"):
        ops.quantize(x, 1.0, rounding="up")
    with pytest.raises(ValueError, match="seed must be"):
        ops.quantize(x, 1.0, rounding="stochastic", seed=-1)
    with pytest.raises(ValueError, match=r"clip must have shape \(4,\)"):
        ops.quantize(x, np.ones(5, F32), axis=1)
    with pytest.raises(ValueError, match="axis 4 is out of range"):
        ops.max_abs(x, 4)
    with pytest.raises(TypeError, match="must be int8 codes"):
        ops.dequantize(x, 1.0)
    with pytest.raises(TypeError, match="floating-point"):
        ops.max_abs(np.arange(4))


def test_modules_are_cached(rng):
    x = randn(rng, (3, 7))
    ops.max_abs(x)
    before = daq.cache_size()
    for _ in range(3):
        ops.max_abs(randn(rng, (3, 7)))
    assert daq.cache_size() == before
