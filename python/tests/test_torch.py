"""daq.torch.Conv2d against PyTorch's FP32 convolution, within an error
bound derived from the quantization scales, and against the independent
numpy reference bit for bit; MCS state over steps; convert(); bad
configurations.

The bound. A tensor `a` quantized with clip `s` (scale s/127) has, per
element, the error

    E_a = max(|a| - s, 0) + r * s / 127 * (1 + 2e-4)

where the first term is clipping (zero with max-abs clips) and r = 1/2 for
round-to-nearest, r = 1 for stochastic rounding (floor(v + u), u in [0, 1));
the factor covers the f32 rounding of 127/s, of the scale and of the
product. Every convolution direction B(a, b) is bilinear, so

    B(a^, b^) - B(a, b) = B(a^ - a, b) + B(a, b^ - b) + B(a^ - a, b^ - b)

and, term by term with the triangle inequality,

    |B(a^, b^) - B(a, b)| <= B(E_a, |b|) + B(|a|, E_b) + B(E_a, E_b)

with B applied to the non-negative magnitudes (padding contributes no
error: zeros are exact). The INT32 sums are exact, so the only other errors
are the f32 epilogue and the FP32 reference's own accumulation, both below
1e-5 * B(|a| + E_a, |b| + E_b) for these sizes. The tests evaluate the
bound element-wise in float64 with the clips the layer actually used (read
from its MCS buffers), for forward (X, W per tensor), backward-filter (X per
tensor, GY per channel) and backward-data (GY and W per tensor; folded:
GY / s_o per channel against W * s_o per tensor).
"""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
F = torch.nn.functional

import daq.torch as dt  # noqa: E402
import daq_reference as R  # noqa: E402

F64 = torch.float64


# ---------------------------------------------------------------------------
# Float64 convolutions in the three directions, and the bound
# ---------------------------------------------------------------------------
class Geometry:
    def __init__(self, conv):
        self.stride, self.dilation, self.groups = (conv.stride, conv.dilation,
                                                   conv.groups)
        k = conv.kernel_size
        if conv.padding == "same":
            total = [d * (kk - 1) for d, kk in zip(conv.dilation, k)]
            self.pad = (total[0] // 2, total[1] // 2, total[0] - total[0] // 2,
                        total[1] - total[1] // 2)
        elif conv.padding == "valid":
            self.pad = (0, 0, 0, 0)
        else:
            self.pad = tuple(conv.padding) * 2

    def fwd(self, x, w):
        t, l, b, r = self.pad
        return F.conv2d(F.pad(x, (l, r, t, b)), w, stride=self.stride,
                        dilation=self.dilation, groups=self.groups)

    def data(self, gy, w, x_shape):
        x = torch.zeros(x_shape, dtype=F64, requires_grad=True)
        return torch.autograd.grad(self.fwd(x, w), x, gy)[0]

    def filt(self, x, gy, w_shape):
        w = torch.zeros(w_shape, dtype=F64, requires_grad=True)
        return torch.autograd.grad(self.fwd(x, w), w, gy)[0]


def elem_error(a, clip, r=0.5, channel_dim=None):
    """E_a for clip (scalar or per channel along channel_dim)."""
    s = torch.as_tensor(clip, dtype=F64)
    if s.dim() == 1:
        shape = [1] * a.dim()
        shape[channel_dim] = -1
        s = s.reshape(shape)
    return (a.abs() - s).clamp(min=0) + r * s / 127 * (1 + 2e-4)


def bilinear_bound(op, a, ea, b, eb):
    a, b = a.abs(), b.abs()
    return (op(ea, b) + op(a, eb) + op(ea, eb) +
            1e-5 * op(a + ea, b + eb))


def check_within(got, ref, bound, what):
    err = (got.double() - ref.double()).abs()
    worst = (err - bound).max().item()
    assert worst <= 0, "%s exceeds its bound by %g" % (what, worst)
    assert err.max() > 0, what  # INT8 was really used
    # A worst-case bound (all errors aligned) is loose, but it must still
    # be well below the magnitude it bounds (observed: at most ~0.5 of the
    # mean magnitude, with mean errors 5-15% of the bound).
    assert bound.mean() < 0.75 * ref.double().abs().mean(), what


def make_pair(conv_args, torch_seed, **config):
    torch.manual_seed(torch_seed)
    ref = torch.nn.Conv2d(*conv_args[:3], **conv_args[3])
    return ref, dt.Conv2d.from_float(ref, **config)


def spiky(shape, spikes=3, generator=None):
    """Tiny noise plus `spikes` large values in every channel (dim 1): an
    inverted-T distribution (few elements above the standard deviation)."""
    g = torch.randn(shape, generator=generator) * 0.01
    flat = g.transpose(0, 1).reshape(shape[1], -1)  # a copy, per channel
    for channel in flat:
        where = torch.randperm(channel.numel(), generator=generator)[:spikes]
        channel[where] = (torch.rand(spikes, generator=generator) + 0.5) * \
            torch.sign(torch.randn(spikes, generator=generator))
    rest = (shape[0],) + tuple(shape[2:])
    return flat.reshape(shape[1], *rest).transpose(0, 1).contiguous()


def mixed_gradient(shape, step):
    """Half the channels bell-shaped (uniform), half inverted-T (spiky),
    with magnitudes changing from step to step."""
    gen = torch.Generator().manual_seed(100 + step)
    o = shape[1]
    bell = (torch.rand(shape, generator=gen) * 2 - 1)[:, : o // 2]
    inv = spiky(shape, 3, gen)[:, o // 2:] * (1 + step)
    return torch.cat([bell, inv], 1)


CASES = [
    # (in, out, kernel, nn.Conv2d kwargs)
    (4, 6, 3, dict(padding=1)),
    (4, 6, 3, dict(stride=2, padding=2, dilation=2, groups=2)),
    (3, 4, (2, 4), dict(padding="same")),  # asymmetric padding
]


@pytest.mark.filterwarnings("ignore:Using padding='same'")
@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("backward_data", ["per-tensor", "folded"])
@pytest.mark.parametrize("rounding", ["nearest", "stochastic"])
def test_gradients_within_the_quantization_bound(case, backward_data,
                                                 rounding):
    ref, layer = make_pair(case, 0, backward_data=backward_data,
                           rounding=rounding, seed=3)
    geo = Geometry(ref)
    r_grad = 0.5 if rounding == "nearest" else 1.0
    for step in range(3):  # later MCS steps may clip inverted-T channels
        x = torch.randn(2, case[0], 7, 6, generator=torch.Generator()
                        .manual_seed(step), requires_grad=True)
        y, y_ref = layer(x), ref(x)
        g = mixed_gradient(y.shape, step)
        gx, gw, gb = torch.autograd.grad(y, (x, layer.weight, layer.bias), g)
        rx, rw, rb = torch.autograd.grad(y_ref, (x, ref.weight, ref.bias), g)

        xd, wd, gd = x.detach().double(), ref.weight.detach().double(), \
            g.double()
        sx, sw = xd.abs().max(), wd.abs().max()
        ex, ew = elem_error(xd, sx), elem_error(wd, sw)
        check_within(y, y_ref, bilinear_bound(geo.fwd, xd, ex, wd, ew),
                     "forward, step %d" % step)

        s_c = layer.mcs_channel_clip.double()  # the clips this step used
        s_t = layer.mcs_tensor_clip.double()
        e_gc = elem_error(gd, s_c, r_grad, channel_dim=1)
        check_within(gw, rw, bilinear_bound(
            lambda a, b: geo.filt(a, b, wd.shape), xd, ex, gd, e_gc),
            "backward-filter, step %d" % step)

        def data(a, b):
            return geo.data(a, b, xd.shape)

        if backward_data == "per-tensor":
            e_gt = elem_error(gd, s_t, r_grad)
            bound = bilinear_bound(data, gd, e_gt, wd, ew)
        else:
            scale = torch.where(s_c > 0, 1 / s_c, torch.zeros_like(s_c))
            scale = scale.reshape(1, -1, 1, 1)
            u, e_u = gd * scale, e_gc * scale
            wf = wd * s_c.reshape(-1, 1, 1, 1)
            bound = bilinear_bound(data, u, e_u, wf,
                                   elem_error(wf, wf.abs().max()))
        check_within(gx, rx, bound, "backward-data, step %d" % step)
        torch.testing.assert_close(gb, rb)  # the bias is FP32


@pytest.mark.parametrize("backward_data", ["per-tensor", "folded"])
def test_bit_exact_against_the_numpy_reference(backward_data):
    """Forward and both gradients are exactly the reference composition of
    the method (daq_reference.py), over two MCS steps."""
    case = (4, 6, 3, dict(stride=2, padding=1, groups=2))
    ref, layer = make_pair(case, 1, backward_data=backward_data)
    conv = R.Conv("nchw", (2, 2), (1, 1, 1, 1), (1, 1), 2)
    w = ref.weight.detach().numpy()
    state_c, state_t = np.full(6, -1, np.float32), np.float32(-1)
    for step in range(2):
        x = torch.randn(2, 4, 6, 6, requires_grad=True)
        y = layer(x)
        g = mixed_gradient(y.shape, step)
        gx, gw = torch.autograd.grad(y, (x, layer.weight), g)

        xn, gn = x.detach().numpy(), g.numpy()
        sx, sw = R.max_abs(xn), R.max_abs(w)
        y_ref = R.qconv2d(xn, sx, w, sw, conv)[0]
        bias = layer.bias.detach().numpy().reshape(1, -1, 1, 1)
        np.testing.assert_array_equal(y.detach().numpy(), y_ref + bias)

        q = R.quantize_grad(gn, 1, ("mcs", 0.3, 1.0, 0.8),
                            channel_state=state_c, tensor_state=state_t)
        state_c, state_t = q["channel_clip"], q["tensor_clip"]
        np.testing.assert_array_equal(layer.mcs_channel_clip.numpy(), state_c)
        np.testing.assert_array_equal(layer.mcs_tensor_clip.numpy(), state_t)
        gw_ref = R.qconv2d_backward_filter(xn, sx, q["channel_codes"],
                                           state_c, (3, 3), conv)[0]
        np.testing.assert_array_equal(gw.numpy(), gw_ref)
        if backward_data == "per-tensor":
            gx_ref = R.qconv2d_backward_data(q["tensor_codes"], state_t, w,
                                             sw, (6, 6), conv)[0]
        else:
            wf = w * state_c.reshape(-1, 1, 1, 1)
            gx_ref = R.qconv2d_backward_data(q["channel_codes"],
                                             np.float32(1), wf,
                                             R.max_abs(wf), (6, 6), conv)[0]
        np.testing.assert_array_equal(gx.numpy(), gx_ref)


def test_mcs_state_evolves_as_specified():
    ref, layer = make_pair((2, 4, 3, dict(padding=1)), 2)
    assert (layer.mcs_channel_clip == -1).all() and layer.mcs_tensor_clip == -1
    x = torch.randn(2, 2, 5, 5)
    prev_c, prev_t = np.full(4, -1, np.float32), np.float32(-1)
    for step in range(4):
        y = layer(x)
        g = mixed_gradient(y.shape, step)
        y.backward(g)
        gn = g.numpy()
        clip_c, bell_c, amb_c = R.mcs_clip(gn, prev_c, 1)
        clip_t, _, amb_t = R.mcs_clip(gn, prev_t, None)
        assert not amb_c.any() and not amb_t.any()
        np.testing.assert_array_equal(bell_c, [True, True, False, False])
        got_c = layer.mcs_channel_clip.numpy()
        np.testing.assert_array_equal(got_c, clip_c)
        np.testing.assert_array_equal(layer.mcs_tensor_clip.numpy(), clip_t)
        mx = R.max_abs(gn, 1)
        if step == 0:  # no history: the max
            np.testing.assert_array_equal(got_c, mx)
        else:  # bell-shaped: the max; inverted-T: (1 - kA) prev + A max
            np.testing.assert_array_equal(got_c[:2], mx[:2])
            np.testing.assert_array_equal(
                got_c[2:], np.float32(0.2) * prev_c[2:] +
                np.float32(0.8) * mx[2:])
            assert (got_c[2:] < mx[2:]).all()  # the recursion lags the max
        assert layer.step.item() == step + 1
        prev_c, prev_t = clip_c, clip_t
    layer.reset_mcs_state()
    assert (layer.mcs_channel_clip == -1).all()


def test_max_clip_and_stochastic_rounding():
    case = (2, 4, 3, dict(padding=1))
    _, layer = make_pair(case, 3, clip="max", rounding="stochastic", seed=9)
    x = torch.randn(1, 2, 5, 5, requires_grad=True)
    g = mixed_gradient((1, 4, 5, 5), 0)
    grads = []
    for step in range(2):
        y = layer(x)
        grads.append(torch.autograd.grad(y, (x, layer.weight), g))
        np.testing.assert_array_equal(layer.mcs_channel_clip.numpy(),
                                      R.max_abs(g.numpy(), 1))
    assert layer.step.item() == 2
    # A new training step draws new random numbers ...
    assert not torch.equal(grads[0][1], grads[1][1])
    # ... and replaying step 0 reproduces its bits.
    _, again = make_pair(case, 3, clip="max", rounding="stochastic", seed=9)
    replay = torch.autograd.grad(again(x), (x, again.weight), g)
    assert all(torch.equal(a, b) for a, b in zip(grads[0], replay))


def test_functional_form_and_unbatched_input():
    torch.manual_seed(4)
    w = torch.randn(4, 2, 3, 3, requires_grad=True)
    x = torch.randn(2, 5, 5, requires_grad=True)  # unbatched
    state_c, state_t = torch.full((4,), -1.0), torch.tensor(-1.0)
    y = dt.conv2d(x, w, padding=1, channel_clip=state_c, tensor_clip=state_t)
    assert y.shape == (4, 5, 5)
    y.sum().backward()
    assert x.grad.shape == x.shape and w.grad.shape == w.shape
    assert (state_c == 1).all() and state_t == 1  # max |GY| of ones
    # Without state every call is a first step; nothing is written back.
    x2 = torch.randn(1, 2, 5, 5, requires_grad=True)
    dt.conv2d(x2, w, stride=2, config=dt.QuantConfig(rounding="stochastic")) \
        .sum().backward()
    assert x2.grad.abs().sum() > 0


def small_model():
    torch.manual_seed(5)
    return torch.nn.Sequential(
        torch.nn.Conv2d(1, 4, 3, padding=1), torch.nn.ReLU(),
        torch.nn.Sequential(torch.nn.Conv2d(4, 4, 3, padding=1, groups=2),
                            torch.nn.ReLU()),
        torch.nn.Conv2d(4, 2, 3, stride=2), torch.nn.Flatten(),
        torch.nn.Linear(2 * 3 * 3, 3))


def test_convert_by_policy():
    fp32 = small_model()
    model = dt.convert(small_model())
    assert type(model[0]) is torch.nn.Conv2d  # the first layer stays FP32
    assert isinstance(model[2][0], dt.Conv2d) and isinstance(model[3],
                                                             dt.Conv2d)
    torch.testing.assert_close(model[3].weight, fp32[3].weight)

    x = torch.randn(4, 1, 8, 8)
    target = torch.tensor([0, 1, 2, 1])
    loss_ref = F.cross_entropy(fp32(x), target)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    loss = F.cross_entropy(model(x), target)
    assert abs(loss.item() - loss_ref.item()) < 0.05 * loss_ref.item()
    loss.backward()
    opt.step()
    assert model[3].step.item() == 1 and (model[3].mcs_channel_clip > 0).all()
    assert not torch.equal(model[3].weight, fp32[3].weight)  # it trained

    # Parameters are shared in place (an optimizer built before still
    # works), copied with inplace=False.
    original = small_model()
    weight = original[3].weight
    copied = dt.convert(original, "all", inplace=False)
    assert type(original[3]) is torch.nn.Conv2d
    assert copied[3].weight is not weight
    dt.convert(original, "all")
    assert original[3].weight is weight and isinstance(original[0], dt.Conv2d)

    assert not any(isinstance(m, dt.Conv2d) for m in
                   dt.convert(small_model(), "none").modules())
    by_name = dt.convert(small_model(), ["2.0"], clip="max")
    assert isinstance(by_name[2][0], dt.Conv2d) and by_name[2][0].config \
        .clip == "max"
    assert type(by_name[3]) is torch.nn.Conv2d
    by_index = dt.convert(small_model(), [2])
    assert isinstance(by_index[3], dt.Conv2d)
    by_call = dt.convert(small_model(), lambda name, m: m.groups > 1)
    assert [n for n, m in by_call.named_modules()
            if isinstance(m, dt.Conv2d)] == ["2.0"]


def test_bad_configurations_are_clear_errors():
    with pytest.raises(ValueError, match="unknown clip strategy 'median'"):
        dt.Conv2d(2, 2, 3, clip="median")
    with pytest.raises(ValueError, match="unknown backward-data mode 'fold'"):
        dt.Conv2d(2, 2, 3, backward_data="fold")
    with pytest.raises(ValueError, match="unknown rounding 'up'"):
        dt.Conv2d(2, 2, 3, rounding="up")
    with pytest.raises(ValueError, match="invalid MCS parameters"):
        dt.Conv2d(2, 2, 3, lam=1.5)
    with pytest.raises(ValueError, match="padding_mode='zeros' only"):
        dt.Conv2d(2, 2, 3, padding_mode="reflect")
    with pytest.raises(ValueError, match="groups=2 does not match"):
        dt.conv2d(torch.randn(1, 4, 5, 5), torch.randn(6, 3, 3, 3), groups=2)
    with pytest.raises(ValueError, match="groups=4 does not match"):
        dt.conv2d(torch.randn(1, 4, 5, 5), torch.randn(6, 1, 3, 3), groups=4)
    with pytest.raises(ValueError, match="expects 2 input channels"):
        dt.Conv2d(2, 2, 3)(torch.randn(1, 3, 5, 5))
    with pytest.raises(ValueError, match="does not fit the padded input"):
        dt.Conv2d(2, 2, 5)(torch.randn(1, 2, 3, 3))
    with pytest.raises(ValueError, match="unknown policy 'most'"):
        dt.convert(small_model(), "most")
    with pytest.raises(ValueError, match="index 7 is out of range"):
        dt.convert(small_model(), [7])
    with pytest.raises(ValueError, match="'conv9', which is not an "
                       "FP32 convolution"):
        dt.convert(small_model(), ["conv9"])
    model = small_model()
    with pytest.raises(ValueError, match="unknown clip strategy"):
        dt.convert(model, clip="median")
    assert not any(isinstance(m, dt.Conv2d) for m in model.modules())
    with pytest.raises(TypeError):
        dt.convert(model, clipping="mcs")
