"""daq.torch's two backends compute the same INT8 step: backend='torch'
(PyTorch operations, daq._kernels) against backend='jit' (the compiled daq
ops), bit for bit, over several training steps, for every clip strategy,
granularity, backward-data mode and rounding, on geometries with strides,
asymmetric padding, dilation and groups.

The shapes keep every reduction at most 1040 products long, where the
torch backend's float32 sums of codes are exact, so outputs, gradients,
clips and classifications must all be identical. Longer backward-filter
reductions are float32-rounded; test_long_reduction bounds that error.
"""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import daq.torch as dt  # noqa: E402
from daq import _kernels  # noqa: E402

CONFIGS = [
    dict(clip="mcs"),
    dict(clip="mcs", backward_data="folded"),
    dict(clip="mcs", rounding="stochastic", seed=7),
    dict(clip="max"),
    dict(clip="max", granularity="per-tensor"),
    dict(clip="dsgc", granularity="per-tensor", rounding="stochastic",
         candidates=9, min_ratio=0.2),
    dict(clip="dsgc", candidates=5),
]

GEOMETRIES = [
    # (N, C, H, W, O, kernel, nn.Conv2d keyword arguments)
    (2, 5, 9, 7, 6, 3, dict(stride=2, padding=1)),
    (1, 6, 8, 8, 4, 3, dict(padding="same", dilation=2, groups=2)),
    (3, 4, 6, 5, 4, 3, dict(padding=1, groups=4)),  # depthwise
    (2, 3, 7, 9, 5, (2, 3), dict(padding="same")),  # asymmetric padding
]


def _layers(geometry, config):
    n, c, h, w, o, k, kwargs = geometry
    torch.manual_seed(0)
    jit = dt.Conv2d(c, o, k, **kwargs, **config, backend="jit")
    fast = dt.Conv2d(c, o, k, **kwargs, **config, backend="torch")
    fast.load_state_dict(jit.state_dict())
    return jit, fast, (n, c, h, w)


def _step(layer, x, gy):
    x = x.clone().requires_grad_(True)
    layer.zero_grad()
    y = layer(x)
    y.backward(gy)
    return y.detach(), x.grad, layer.weight.grad


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: "-".join(
    str(v) for v in c.values()))
@pytest.mark.parametrize("geometry", GEOMETRIES, ids=lambda g: "x".join(
    map(str, g[:5])))
def test_backends_agree_bit_for_bit(geometry, config):
    jit, fast, x_shape = _layers(geometry, config)
    rng = np.random.default_rng(42)
    for step in range(3):
        x = torch.from_numpy(rng.standard_normal(x_shape, np.float32))
        y_shape = jit(x).shape
        # Alternate bell-shaped and heavy-tailed (inverted-T) gradients so
        # MCS takes both branches.
        draw = rng.standard_normal if step % 2 else rng.laplace
        gy = torch.from_numpy(
            (draw(size=y_shape) ** (3 if step % 2 == 0 else 1)).astype(
                np.float32))
        for got, want, what in zip(_step(fast, x, gy), _step(jit, x, gy),
                                   ("Y", "GX", "GW")):
            assert torch.equal(got, want), "%s differs at step %d" % (what,
                                                                      step)
        for name, buffer in jit.named_buffers():
            assert torch.equal(getattr(fast, name), buffer), name


def test_nonfinite_gradients_propagate():
    jit, fast, x_shape = _layers(GEOMETRIES[0], dict(clip="mcs"))
    x = torch.randn(x_shape)
    gy = torch.randn(jit(x).shape)
    gy[0, 1, 0, 0] = float("nan")
    gy[1, 2, 1, 1] = float("inf")
    for layer in (jit, fast):
        _, gx, gw = _step(layer, x, gy)
        assert torch.isnan(gx).all()  # the per-tensor clip is NaN
        assert torch.isnan(gw[1]).all() and not torch.isfinite(gw[2]).all()
        assert torch.isfinite(gw[0]).all()
    assert torch.equal(torch.isnan(fast.mcs_channel_clip),
                       torch.isnan(jit.mcs_channel_clip))


def test_long_reduction_within_float32_rounding():
    """N * OH * OW = 4 * 24 * 24 > 1040: GW is the exact INT32 sum up to
    float32 rounding, |error| <= K * 2^-24 * sum |qX| |qGY| * scale."""
    config = dict(clip="max")
    jit, fast, _ = _layers((4, 3, 24, 24, 4, 3, dict(padding=1)), config)
    x = torch.randn(4, 3, 24, 24)
    gy = torch.randn(4, 4, 24, 24)
    _, gx_fast, gw_fast = _step(fast, x, gy)
    _, gx_jit, gw_jit = _step(jit, x, gy)
    assert torch.equal(gx_fast, gx_jit)
    k = 4 * 24 * 24
    sx = x.abs().max()
    qx = torch.round(x * (127 / sx)).abs()
    sc = gy.abs().amax(dim=(0, 2, 3))
    qg = torch.round(gy * (127 / sc).reshape(1, -1, 1, 1)).abs()
    magnitude = torch.nn.grad.conv2d_weight(qx.double(), gw_jit.shape,
                                            qg.double(), padding=1)
    scale = (sx * sc / 16129).double().reshape(-1, 1, 1, 1)
    bound = k * 2.0 ** -24 * magnitude * scale + 1e-30
    err = (gw_fast.double() - gw_jit.double()).abs()
    assert (err <= bound).all()


def test_torch_backend_rejects_inexact_reductions():
    layer = dt.Conv2d(120, 4, 3, padding=1, backend="torch")
    with pytest.raises(ValueError, match="at most 1040 products.*"
                       "backend='jit'"):
        layer(torch.randn(1, 120, 4, 4))
    assert _kernels.EXACT_F32_REDUCTION == 1040


@pytest.mark.parametrize("config, message", [
    (dict(backend="cuda"), "unknown backend 'cuda'"),
    (dict(granularity="per-row"), "unknown gradient granularity"),
    (dict(granularity="per-tensor", backward_data="folded"),
     "needs granularity='per-channel'"),
    (dict(clip="dsgc", candidates=1), "invalid DSGC parameters"),
    (dict(clip="dsgc", min_ratio=1.5), "invalid DSGC parameters"),
])
def test_bad_configurations(config, message):
    with pytest.raises(ValueError, match=message):
        dt.QuantConfig(**config)
