"""The two ways daq.torch computes a layer's INT8 step.

Both follow the op documentation (docs/reference/dialect.md) and give the
same quantized codes and clips bit for bit; python/tests/test_backends.py
checks it.

* ``JitKernels`` ('jit'): every step runs the daq ops compiled by the CPU
  JIT (daq.ops): statistics, quantization and the INT8 convolutions with
  INT32 accumulation.
* ``TorchKernels`` ('torch'): the same arithmetic in PyTorch operations,
  for studies that train for hours. Clips, MCS statistics (float64) and
  nearest-even codes are computed with torch; stochastically rounded codes
  come from the compiled ``daq.quantize`` (its Philox stream). The INT8
  sums run as PyTorch float32 convolutions of the integer codes: a sum of
  K products of codes in [-127, 127] is exact in float32 while
  ``K * 127^2 < 2^24`` (K <= 1040), which holds for the forward and
  backward-data sums of layers with up to 115 (3x3) or 1040 (1x1) input
  (resp. output) channels per group; the backward-filter sum runs over
  ``N * OH * OW`` and is float32-rounded (relative error about 1e-7,
  against a quantization error of 1e-3 to 1e-2).
"""

import numpy as np
import torch
import torch.nn.functional as F

from . import ops

# Largest reduction length whose float32 sums of code products are exact.
EXACT_F32_REDUCTION = (1 << 24) // (127 * 127)


def _uses_channel_clips(config):
    """Whether a step needs the per-channel gradient clips (GVQ), which
    then also become the layer's state."""
    return config.granularity == "per-channel"


def _numpy(tensor):
    t = tensor.detach()
    if t.device.type != "cpu":
        t = t.cpu()
    if t.dtype != torch.float32:
        t = t.float()
    return t.contiguous().numpy()


def _channel_dims(ndim):
    return tuple(d for d in range(ndim) if d != 1)


class JitKernels:
    """The compiled daq ops (numpy arrays in and out)."""

    @staticmethod
    def prepare(tensor):
        return _numpy(tensor)

    @staticmethod
    def result(array, like):
        return torch.from_numpy(np.ascontiguousarray(array)).to(
            device=like.device, dtype=like.dtype)

    @staticmethod
    def state(tensor):
        return _numpy(tensor)

    max_abs = staticmethod(ops.max_abs)

    @staticmethod
    def forward(x, w, geometry):
        sx, sw = ops.max_abs(x), ops.max_abs(w)
        # f32 operands are quantized on load (bit for bit daq.quantize), so
        # the backward pass quantizes the saved tensors again.
        return ops.qconv2d(x, sx, w, sw, **geometry), (x, w), (sx, sw)

    @staticmethod
    def gradient(gy, config, channel_state, tensor_state, step):
        """(channel codes, channel clips, tensor codes, tensor clip, channel
        classification or None)."""
        qc, cc, qt, ct = ops.quantize_grad(
            gy, axis=1, strategy=config.clip,
            channel_state=channel_state, tensor_state=tensor_state,
            lam=config.lam, k=config.k, a=config.a,
            candidates=config.candidates, min_ratio=config.min_ratio,
            rounding=config.rounding, seed=config.seed, step=step)
        if not _uses_channel_clips(config):
            return None, None, qt, ct, None
        bell = None
        if config.clip == "mcs":
            _, bell = ops.mcs_clip(gy, channel_state, axis=1, lam=config.lam,
                                   k=config.k, a=config.a)
        return qc, cc, qt, ct, bell

    @staticmethod
    def backward_data(gy_codes, gy_clip, w, w_clip, input_size, geometry):
        return ops.qconv2d_backward_data(gy_codes, gy_clip, w, w_clip,
                                         input_size=input_size, **geometry)

    @staticmethod
    def backward_filter(x, x_clip, gy_codes, gy_clip, kernel_size, geometry):
        return ops.qconv2d_backward_filter(x, x_clip, gy_codes, gy_clip,
                                           kernel_size=kernel_size,
                                           **geometry)


def _f32(value, like):
    return torch.as_tensor(np.asarray(value, dtype=np.float32)).to(like.device)


def _per_channel(clip, ndim):
    """A clip broadcastable along dim 1 of a rank-`ndim` tensor."""
    return clip.reshape((1, -1) + (1,) * (ndim - 2)) if clip.dim() == 1 \
        else clip


def _quantize_values(x, clip):
    """v = clamp(x, -s, s) * (127 / s), as daq.quantize computes it in f32
    (0 for s == 0; maximum/minimum propagate NaN)."""
    s = _per_channel(clip, x.dim())
    inv = torch.where(s == 0, torch.zeros_like(s), 127.0 / s)
    return torch.clamp(x, -s, s).mul_(inv)


def _finish_codes(rounded):
    """Codes in [-127, 127]; NaN (a NaN input or clip) becomes 0."""
    return torch.nan_to_num_(rounded.clamp_(-127.0, 127.0), nan=0.0)


def _nearest_codes(x, clip):
    """Nearest-even codes as float32 values (torch.round rounds half to
    even)."""
    return _finish_codes(torch.round_(_quantize_values(x, clip)))


class TorchKernels:
    """The same arithmetic as the daq ops in PyTorch operations. Codes are
    float32 tensors holding integers."""

    @staticmethod
    def prepare(tensor):
        t = tensor.detach()
        return t if t.dtype == torch.float32 else t.float()

    @staticmethod
    def result(t, like):
        return t.to(dtype=like.dtype)

    @staticmethod
    def state(tensor):
        return tensor.detach().float()

    @staticmethod
    def max_abs(t):
        return t.abs().amax() if t.numel() else t.new_zeros(())

    @staticmethod
    def _padded(x, geometry):
        """(x, padding for aten): symmetric padding goes to the convolution,
        asymmetric padding is applied to x."""
        top, left, bottom, right = geometry["padding"]
        if top == bottom and left == right:
            return x, [top, left]
        return F.pad(x, (left, right, top, bottom)), [0, 0]

    @staticmethod
    def _check_exact(reduction, what):
        if reduction > EXACT_F32_REDUCTION:
            raise ValueError(
                "backend 'torch' computes the %s INT8 sums in float32, "
                "exact only for reductions of at most %d products; this "
                "layer reduces over %d: use backend='jit'"
                % (what, EXACT_F32_REDUCTION, reduction))

    @classmethod
    def forward(cls, x, w, geometry):
        cls._check_exact(w.shape[1] * w.shape[2] * w.shape[3], "forward")
        sx, sw = cls.max_abs(x), cls.max_abs(w)
        qx, qw = _nearest_codes(x, sx), _nearest_codes(w, sw)
        padded, padding = cls._padded(qx, geometry)
        acc = F.conv2d(padded, qw, stride=geometry["stride"], padding=padding,
                       dilation=geometry["dilation"],
                       groups=geometry["groups"])
        y = acc * ((sx * sw) / 16129.0)
        # Codes are saved as int8 (a quarter of the f32 tensors).
        return y, (qx.to(torch.int8), qw.to(torch.int8)), (sx, sw)

    @staticmethod
    def _mcs(magnitude, g, prev, dims, config):
        """daq.mcs_clip over `dims` (all but the channel axis, or all) of
        the gradient `g` (float64) with `magnitude` = |g| (float32):
        (clip, bell-shaped). Statistics in float64, update in float32."""
        mx = magnitude.amax(dim=dims)
        n = magnitude.numel() // mx.numel()
        mean = g.sum(dim=dims, keepdim=True) / n
        sigma = torch.sqrt(
            torch.sub(g, mean).square_().sum(dim=dims, keepdim=True) / n)
        # f32 |g| against the f64 sigma compares in f64, as the op does.
        count = (magnitude > sigma).sum(dim=dims)
        bell = count.double() / n > config.lam
        c1 = float(np.float32(1.0 - config.k * config.a))
        c2 = float(np.float32(config.a))
        update = prev * c1 + mx * c2
        first = bell | (prev < 0)
        return torch.where(first, mx, update), bell

    @staticmethod
    def _dsgc(gy, dims, config):
        """daq.dsgc_clip over `dims`: the candidate clip with the smallest
        cosine distance between g and its nearest-even quantization (the
        largest clip on ties)."""
        mx = gy.abs().amax(dim=dims)
        g = gy.double()
        gg = (g * g).sum(dim=dims)
        n = config.candidates
        best_clip, best_dist = mx.clone(), None
        for j in range(n):
            ratio = float(np.float32(
                config.min_ratio + (1.0 - config.min_ratio) * j / (n - 1)))
            s = mx * ratio
            ghat = _nearest_codes(gy, s).mul_(
                _per_channel(s / 127.0, gy.dim())).double()
            if len(dims) == gy.dim():  # one clip: BLAS dot products
                ghat = ghat.reshape(-1)
                dot = torch.dot(g.reshape(-1), ghat)
                qq = torch.dot(ghat, ghat)
            else:
                dot = (g * ghat).sum(dim=dims)
                qq = ghat.square().sum(dim=dims)
            dist = torch.where(
                gg == 0, torch.zeros_like(gg),
                torch.where(qq == 0, torch.ones_like(qq),
                            1.0 - dot / torch.sqrt(gg * qq)))
            if best_dist is None:
                best_clip, best_dist = s, dist
            else:
                take = dist <= best_dist
                best_clip = torch.where(take, s, best_clip)
                best_dist = torch.where(take, dist, best_dist)
        return torch.where(torch.isfinite(mx), best_clip, mx)

    @classmethod
    def _codes(cls, gy, clip, config, step):
        if config.rounding == "nearest":
            return _nearest_codes(gy, clip)
        codes = ops.quantize(_numpy(gy), _numpy(clip),
                             axis=1 if clip.dim() == 1 else None,
                             rounding="stochastic", seed=config.seed,
                             step=step)
        return torch.from_numpy(codes).to(device=gy.device,
                                          dtype=torch.float32)

    @classmethod
    def gradient(cls, gy, config, channel_state, tensor_state, step):
        channel_dims, all_dims = _channel_dims(gy.dim()), tuple(
            range(gy.dim()))
        per_channel = _uses_channel_clips(config)
        qc = cc = qt = bell = None
        if config.clip == "max":
            magnitude = gy.abs()
            cc = magnitude.amax(dim=channel_dims) if per_channel else None
            ct = magnitude.amax()
        elif config.clip == "mcs":
            magnitude, g = gy.abs(), gy.double()
            if per_channel:
                cc, bell = cls._mcs(
                    magnitude, g, torch.full((gy.shape[1],), -1.0)
                    if channel_state is None else channel_state,
                    channel_dims, config)
            ct, _ = cls._mcs(
                magnitude, g, torch.tensor(-1.0)
                if tensor_state is None else tensor_state, all_dims, config)
        else:
            cc = cls._dsgc(gy, channel_dims, config) if per_channel else None
            ct = cls._dsgc(gy, all_dims, config)
        if per_channel:
            qc = cls._codes(gy, cc, config, step)
        if not per_channel or config.backward_data == "per-tensor":
            qt = cls._codes(gy, ct, config, step)
        return qc, cc, qt, ct, bell

    @classmethod
    def backward_data(cls, gy_codes, gy_clip, w, w_clip, input_size,
                      geometry):
        groups = geometry["groups"]
        cls._check_exact(w.shape[0] // groups * w.shape[2] * w.shape[3],
                         "backward-data")
        qw = w if w.dtype == torch.int8 else _nearest_codes(w, w_clip)
        top, left, bottom, right = geometry["padding"]
        # aten reads only the shape of the (padded) input.
        shape = (gy_codes.shape[0], w.shape[1] * groups,
                 input_size[0] + top + bottom, input_size[1] + left + right)
        symmetric = top == bottom and left == right
        if symmetric:
            shape = shape[:2] + tuple(input_size)
        acc, _, _ = torch.ops.aten.convolution_backward(
            gy_codes, torch.empty(shape, device=gy_codes.device), qw.float(),
            None, list(geometry["stride"]),
            [top, left] if symmetric else [0, 0], list(geometry["dilation"]),
            False, [0, 0], groups, [True, False, False])
        if not symmetric:
            acc = acc[:, :, top:top + input_size[0],
                      left:left + input_size[1]]
        return acc * ((gy_clip * w_clip) / 16129.0)

    @classmethod
    def backward_filter(cls, x_codes, x_clip, gy_codes, gy_clip, kernel_size,
                        geometry):
        groups = geometry["groups"]
        weight_shape = (gy_codes.shape[1], x_codes.shape[1] // groups) + \
            tuple(kernel_size)
        padded, padding = cls._padded(x_codes.float(), geometry)
        _, acc, _ = torch.ops.aten.convolution_backward(
            gy_codes, padded,
            torch.empty(weight_shape, device=gy_codes.device), None,
            list(geometry["stride"]), padding, list(geometry["dilation"]),
            False, [0, 0], groups, [False, True, False])
        scale = (x_clip * gy_clip) / 16129.0
        return acc * (scale.reshape(-1, 1, 1, 1) if scale.dim() else scale)


BACKENDS = {"jit": JitKernels, "torch": TorchKernels}
