"""PyTorch integration: convolutions that train with the daq INT8 kernels.

:class:`Conv2d` is a drop-in :class:`torch.nn.Conv2d` whose forward and
backward passes run the method of Zhao et al. (docs/design.md, "Dataflow of
one convolution layer"):

* forward: ``X`` and ``W`` quantized per tensor with max-abs clips,
  ``Y = qconv2d(qX, qW)`` (INT32 accumulation, f32 epilogue);
* backward: ``GY`` goes through ``daq.quantize_grad`` with the clip
  strategy: per-channel codes (Gradient Vectorized Quantization) for
  ``GW = qconv2d_backward_filter(qX, qGY_c)``, and per-tensor codes for
  ``GX = qconv2d_backward_data(qGY_t, qW)`` (``backward_data='per-tensor'``)
  or, with ``backward_data='folded'``, the per-channel codes with the
  channel clips multiplied into the filter
  (``GX = qconv2d_backward_data(qGY_c[1.0], quantize(W * s_o))``);
* the bias stays FP32 (added to ``Y``; its gradient is ``sum(GY)``).

Clip strategy ``'mcs'`` keeps the Magnitude-aware Clipping state of each
layer in the buffers ``mcs_channel_clip`` (one per output channel) and
``mcs_tensor_clip``, initialised to -1 ("no history": the first backward
clips at the max) and replaced by the clips each backward pass used, and
records each channel's classification in ``mcs_bell_shaped``; ``'max'``
clips at the max-abs and ``'dsgc'`` by direction-sensitive clipping (the UI8
baseline) every step (the buffers then record the clips used).
``granularity='per-tensor'`` quantizes GY per tensor for backward-filter too
(plain per-tensor INT8). Gradient ``rounding`` is ``'nearest'`` or
``'stochastic'`` (seeded by ``seed`` and the ``step`` buffer, which every
backward pass increments); forward tensors always round to nearest.

:func:`convert` swaps a model's ``nn.Conv2d`` layers for this one by policy.
``backend='jit'`` (the default) runs the daq ops compiled by the CPU JIT
(reference loops: correct, not yet fast); ``backend='torch'`` computes the
same codes and clips with PyTorch operations and the INT8 sums as float32
convolutions of the codes (exact where daq._kernels says), for long
training runs.
"""

import copy
from collections import namedtuple
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from . import ops
from ._kernels import BACKENDS

__all__ = ["Conv2d", "QuantConfig", "conv2d", "convert"]

CLIPS = ("mcs", "max", "dsgc")
GRANULARITIES = ("per-channel", "per-tensor")
BACKWARD_DATA_MODES = ("per-tensor", "folded")
ROUNDINGS = ("nearest", "stochastic")


@dataclass(frozen=True)
class QuantConfig:
    """How a layer's INT8 training step is quantized (method.md options).

    ``clip``: 'mcs' (Magnitude-aware Clipping, parameters `lam`, `k`, `a`),
    'max' (max-abs) or 'dsgc' (direction-sensitive clipping, the UI8
    baseline: `candidates` clips from `min_ratio` * max to max).
    ``granularity``: the gradient codes of backward-filter, 'per-channel'
    (Gradient Vectorized Quantization) or 'per-tensor'. ``backward_data``:
    'per-tensor' or 'folded' (per-channel clips folded into the filter).
    ``rounding`` of the gradient: 'nearest' or 'stochastic' (seeded by
    `seed` and the step). ``backend``: 'jit' (the compiled daq kernels) or
    'torch' (the same arithmetic in PyTorch operations, see daq._kernels).
    """

    clip: str = "mcs"
    granularity: str = "per-channel"
    backward_data: str = "per-tensor"
    rounding: str = "nearest"
    seed: int = 0
    lam: float = 0.3
    k: float = 1.0
    a: float = 0.8
    candidates: int = 32
    min_ratio: float = 0.1
    backend: str = "jit"

    def __post_init__(self):
        def one_of(name, value, allowed):
            if value not in allowed:
                raise ValueError("unknown %s %r (expected one of %s)" % (
                    name, value, ", ".join(map(repr, allowed))))

        one_of("clip strategy", self.clip, CLIPS)
        one_of("gradient granularity", self.granularity, GRANULARITIES)
        one_of("backward-data mode", self.backward_data, BACKWARD_DATA_MODES)
        one_of("rounding", self.rounding, ROUNDINGS)
        one_of("backend", self.backend, tuple(BACKENDS))
        if self.backward_data == "folded" and \
                self.granularity != "per-channel":
            raise ValueError("backward_data='folded' folds per-channel "
                             "gradient clips into the filter: it needs "
                             "granularity='per-channel'")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) \
                or self.seed < 0:
            raise ValueError("seed must be a non-negative int, got %r"
                             % (self.seed,))
        lam, k, a = float(self.lam), float(self.k), float(self.a)
        if not (0 < lam < 1 and 0 < a <= 1 and k >= 0 and k * a <= 1):
            raise ValueError(
                "invalid MCS parameters lam=%r, k=%r, a=%r: need 0 < lam < 1,"
                " 0 < a <= 1, k >= 0 and k * a <= 1" % (lam, k, a))
        if isinstance(self.candidates, bool) or not isinstance(
                self.candidates, int) or not 2 <= self.candidates <= 4096 \
                or not 0 < float(self.min_ratio) < 1:
            raise ValueError(
                "invalid DSGC parameters candidates=%r, min_ratio=%r: need "
                "an int 2 <= candidates <= 4096 and 0 < min_ratio < 1"
                % (self.candidates, self.min_ratio))


# The tensors a layer's backward pass reads and updates (None: absent).
_State = namedtuple("_State", "channel_clip tensor_clip bell_shaped step")


class _DaqConv2dFunction(torch.autograd.Function):
    """The INT8 forward and backward of one convolution (no bias)."""

    @staticmethod
    def forward(ctx, x, weight, geometry, config, state):
        kernels = BACKENDS[config.backend]
        y, operands, clips = kernels.forward(
            kernels.prepare(x), kernels.prepare(weight), geometry)
        # The backend's forward operands (f32 tensors quantized on load, or
        # their codes) serve the backward pass; the f32 weight is needed
        # only to fold the channel clips into it.
        ctx.operands, ctx.clips = operands, clips
        ctx.save_for_backward(weight if config.backward_data == "folded"
                              else None)
        ctx.geometry, ctx.config, ctx.state = geometry, config, state
        ctx.x_shape = tuple(x.shape)
        return kernels.result(y, x)

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, grad_output):
        geometry, config, state = ctx.geometry, ctx.config, ctx.state
        kernels = BACKENDS[config.backend]
        (x_op, w_op), (sx, sw) = ctx.operands, ctx.clips
        need_x, need_w = ctx.needs_input_grad[0], ctx.needs_input_grad[1]
        if not (need_x or need_w):
            return (None,) * 5

        gy = kernels.prepare(grad_output)
        mcs = config.clip == "mcs"
        step = int(state.step.item()) if state.step is not None else 0
        # Without state tensors (the functional form) every step is a first
        # step: the MCS state is -1.
        channel_state = tensor_state = None
        if mcs and state.channel_clip is not None:
            channel_state = kernels.state(state.channel_clip)
        if mcs and state.tensor_clip is not None:
            tensor_state = kernels.state(state.tensor_clip)
        qc, cc, qt, ct, bell = kernels.gradient(gy, config, channel_state,
                                                tensor_state, step)
        # The state advances once per backward pass (a training step).
        with torch.no_grad():
            for buffer, value in ((state.channel_clip, cc),
                                  (state.tensor_clip, ct),
                                  (state.bell_shaped, bell)):
                if buffer is not None and value is not None:
                    buffer.copy_(torch.as_tensor(value))
            if state.step is not None:
                state.step.add_(1)

        per_channel = config.granularity == "per-channel"
        grad_x = grad_w = None
        if need_x:
            input_size = ctx.x_shape[2:]
            if config.backward_data == "folded":
                # W'[o] = W[o] * s_o in f32, as daq-quantize-training folds
                # it; GY's per-channel codes then count with clip 1.
                weight, = ctx.saved_tensors
                folded = kernels.prepare(weight) * (
                    cc.reshape(-1, 1, 1, 1))
                gx = kernels.backward_data(
                    qc, kernels.prepare(torch.ones(())), folded,
                    kernels.max_abs(folded), input_size, geometry)
            else:
                gx = kernels.backward_data(qt, ct, w_op, sw, input_size,
                                           geometry)
            grad_x = kernels.result(gx, grad_output)
        if need_w:
            gw = kernels.backward_filter(
                x_op, sx, qc if per_channel else qt, cc if per_channel else ct,
                tuple(w_op.shape[2:]), geometry)
            grad_w = kernels.result(gw, grad_output)
        return grad_x, grad_w, None, None, None


def _padding4(padding, kernel_size, dilation):
    """nn.Conv2d padding (int, pair, 'valid' or 'same') as (top, left,
    bottom, right)."""
    if isinstance(padding, str):
        if padding == "valid":
            return (0, 0, 0, 0)
        if padding == "same":
            # As PyTorch: the total d (k - 1) split with the extra row or
            # column at the end.
            total = [d * (k - 1) for d, k in zip(dilation, kernel_size)]
            lo = [t // 2 for t in total]
            return (lo[0], lo[1], total[0] - lo[0], total[1] - lo[1])
        raise ValueError("unknown padding %r" % padding)
    ph, pw = ops._pair(padding, "padding")
    return (ph, pw, ph, pw)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1,
           groups=1, config=None, channel_clip=None, tensor_clip=None,
           step=None, bell_shaped=None):
    """Functional form of :class:`Conv2d`: ``F.conv2d`` with the daq INT8
    forward and backward.

    `config` is a :class:`QuantConfig` (default: MCS, per-tensor
    backward-data, nearest rounding). The MCS state is `channel_clip`
    (``[O]`` float32) and `tensor_clip` (0-d) tensors, updated in place by
    the backward pass; when they are None every call is a first step (clip
    at the max). `step` is a 0-d int64 tensor, incremented by the backward
    pass, for stochastic rounding (None: step 0 every time). With the MCS
    clip, `bell_shaped` (``[O]`` bool) receives each output channel's
    classification of the last backward pass.
    """
    config = config or QuantConfig()
    if not isinstance(config, QuantConfig):
        raise TypeError("config must be a daq.torch.QuantConfig, got %s"
                        % type(config).__name__)
    if input.dim() not in (3, 4):
        raise ValueError("expected a 3-D (unbatched) or 4-D input, got shape "
                         "%s" % (tuple(input.shape),))
    if weight.dim() != 4:
        raise ValueError("expected a 4-D weight [O, C/groups, KH, KW], got "
                         "shape %s" % (tuple(weight.shape),))
    unbatched = input.dim() == 3
    if unbatched:
        input = input.unsqueeze(0)
    channels, out_channels = input.shape[1], weight.shape[0]
    if groups < 1 or channels % groups or out_channels % groups \
            or weight.shape[1] * groups != channels:
        raise ValueError(
            "groups=%d does not match: input has %d channels and the weight "
            "is %s (it needs input channels / groups = weight.shape[1] and "
            "groups dividing the %d output channels)"
            % (groups, channels, tuple(weight.shape), out_channels))
    dilation = ops._pair(dilation, "dilation")
    geometry = dict(stride=ops._pair(stride, "stride"),
                    padding=_padding4(padding, weight.shape[2:], dilation),
                    dilation=dilation, groups=int(groups))
    if config.clip == "mcs" and channel_clip is not None and tuple(
            channel_clip.shape) != (out_channels,):
        raise ValueError("channel_clip must have shape (%d,), got %s"
                         % (out_channels, tuple(channel_clip.shape)))
    y = _DaqConv2dFunction.apply(
        input, weight, geometry, config,
        _State(channel_clip, tensor_clip, bell_shaped, step))
    if bias is not None:
        y = y + bias.reshape(1, -1, 1, 1)
    return y.squeeze(0) if unbatched else y


class Conv2d(nn.Conv2d):
    """``nn.Conv2d`` trained with daq's INT8 kernels (see the module doc).

    Takes nn.Conv2d's arguments plus the keyword arguments of
    :class:`QuantConfig` (``clip``, ``granularity``, ``backward_data``,
    ``rounding``, ``seed``, ``lam``, ``k``, ``a``, ``candidates``,
    ``min_ratio``, ``backend``). Only ``padding_mode='zeros'`` is supported.

    Buffers: ``mcs_channel_clip`` ``[out_channels]`` and ``mcs_tensor_clip``
    (the MCS state, -1 initially; with other clip strategies, the clips of
    the last step), ``mcs_bell_shaped`` ``[out_channels]`` (each channel's
    MCS classification at the last step), ``step`` (backward passes so far).
    """

    def __init__(self, in_channels, out_channels, kernel_size, stride=1,
                 padding=0, dilation=1, groups=1, bias=True,
                 padding_mode="zeros", device=None, dtype=None,
                 **config):
        if padding_mode != "zeros":
            raise ValueError("daq.torch.Conv2d supports padding_mode='zeros' "
                             "only, got %r" % (padding_mode,))
        config = QuantConfig(**config)
        super().__init__(in_channels, out_channels, kernel_size, stride,
                         padding, dilation, groups, bias, padding_mode,
                         device=device, dtype=dtype)
        self.config = config
        self.register_buffer("mcs_channel_clip", torch.full(
            (out_channels,), -1.0, dtype=torch.float32, device=device))
        self.register_buffer("mcs_tensor_clip", torch.full(
            (), -1.0, dtype=torch.float32, device=device))
        self.register_buffer("mcs_bell_shaped", torch.zeros(
            (out_channels,), dtype=torch.bool, device=device))
        self.register_buffer("step", torch.zeros(
            (), dtype=torch.int64, device=device))

    @classmethod
    def from_float(cls, conv, **config):
        """A daq Conv2d with the geometry of `conv` that shares its weight and
        bias Parameters (so an optimizer built on `conv` keeps working)."""
        if not isinstance(conv, nn.Conv2d):
            raise TypeError("expected an nn.Conv2d, got %s"
                            % type(conv).__name__)
        new = cls(conv.in_channels, conv.out_channels, conv.kernel_size,
                  conv.stride, conv.padding, conv.dilation, conv.groups,
                  conv.bias is not None, conv.padding_mode,
                  device=conv.weight.device, dtype=conv.weight.dtype,
                  **config)
        new.weight = conv.weight
        new.bias = conv.bias
        new.train(conv.training)
        return new

    def reset_mcs_state(self):
        """Back to "no history": the next backward clips at the max."""
        with torch.no_grad():
            self.mcs_channel_clip.fill_(-1.0)
            self.mcs_tensor_clip.fill_(-1.0)

    def extra_repr(self):
        c = self.config
        return super().extra_repr() + (
            ", clip=%s, granularity=%s, backward_data=%s, rounding=%s, "
            "backend=%s" % (c.clip, c.granularity, c.backward_data,
                            c.rounding, c.backend))

    def forward(self, input):
        if input.dim() in (3, 4) and input.shape[-3] != self.in_channels:
            raise ValueError("%s expects %d input channels, got input of "
                             "shape %s" % (type(self).__name__,
                                           self.in_channels,
                                           tuple(input.shape)))
        return conv2d(input, self.weight, self.bias, self.stride,
                      self.padding, self.dilation, self.groups, self.config,
                      self.mcs_channel_clip, self.mcs_tensor_clip, self.step,
                      self.mcs_bell_shaped)


def _selector(policy, names):
    """A predicate over the index and name of the model's convolutions."""
    if policy == "all":
        return lambda i, name, m: True
    if policy == "none":
        return lambda i, name, m: False
    if policy == "all-but-first":
        return lambda i, name, m: i > 0
    if callable(policy):
        return lambda i, name, m: bool(policy(name, m))
    if isinstance(policy, str):
        raise ValueError("unknown policy %r (expected 'all', 'all-but-first',"
                         " 'none', a list of indices or names, or a callable "
                         "(name, module) -> bool)" % (policy,))
    chosen = list(policy)
    for item in chosen:
        if isinstance(item, bool) or not isinstance(item, (int, str)):
            raise TypeError("policy entries must be layer indices or names, "
                            "got %r" % (item,))
        if isinstance(item, int) and not 0 <= item < len(names):
            raise ValueError("policy index %d is out of range: the model has "
                             "%d convolutions" % (item, len(names)))
        if isinstance(item, str) and item not in names:
            raise ValueError("policy names %r, which is not an FP32 "
                             "convolution of the model (%s)" % (
                                 item, "they are: " + ", ".join(names)
                                 if names else "it has none left"))
    return lambda i, name, m: i in chosen or name in chosen


def convert(model, policy="all-but-first", inplace=True, **config):
    """Replaces the ``nn.Conv2d`` layers `policy` selects by daq
    :class:`Conv2d` layers with the same geometry and parameters.

    Layers are numbered in ``model.named_modules()`` order. `policy` is
    ``'all-but-first'`` (the default: the first layer stays FP32, as the
    paper and daq-training-pipeline do), ``'all'``, ``'none'``, a list of
    indices and/or qualified names, or a callable ``(name, module) ->
    bool``. Layers not selected stay FP32 ``nn.Conv2d``. `config` is passed
    to Conv2d (``clip``, ``backward_data``, ``rounding``, ...).

    With ``inplace=True`` the model is modified and the new layers share its
    Parameters, so an optimizer built before keeps working; with
    ``inplace=False`` a deep copy is converted. Returns the model.
    """
    QuantConfig(**config)  # reject a bad configuration before any change
    if not inplace:
        model = copy.deepcopy(model)
    convs = [(name, m) for name, m in model.named_modules()
             if isinstance(m, nn.Conv2d) and not isinstance(m, Conv2d)]
    select = _selector(policy, [name for name, _ in convs])
    for index, (name, module) in enumerate(convs):
        if not select(index, name, module):
            continue
        new = Conv2d.from_float(module, **config)
        if name == "":
            return new  # the model itself is the convolution
        parent_name, _, child = name.rpartition(".")
        parent = model.get_submodule(parent_name) if parent_name else model
        setattr(parent, child, new)
    return model
