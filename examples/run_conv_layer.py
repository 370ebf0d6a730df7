#!/usr/bin/env python3
"""Runs examples/conv_layer.mlir on the CPU JIT (daq-run) for a few training
steps and compares the INT8 step with the FP32 step.

Inputs are random: activations after a ReLU, He-initialised weights, and an
output gradient whose channels mix bell-shaped (Gaussian) and inverted-T
(Laplace-like, sparse) distributions at scales spread over two orders of
magnitude, as the paper observes for ResNet-50. The MCS clip state returned
by one INT8 step is passed to the next.

Usage: run_conv_layer.py [--daq-run PATH] [--steps N] [--seed S]
"""

import argparse
import os
import sys
import tempfile

import numpy as np

from daqrun import compare, run

HERE = os.path.dirname(os.path.abspath(__file__))
MODULE = os.path.join(HERE, "conv_layer.mlir")


def gradient(rng, shape, scales):
    n, c, h, w = shape
    g = np.empty(shape, np.float32)
    for ch in range(c):
        if ch % 2 == 0:
            values = rng.normal(size=(n, h, w))
        else:  # inverted-T: mostly near zero, a long tail
            values = rng.laplace(size=(n, h, w)) * (rng.random((n, h, w)) < 0.2)
        g[:, ch] = scales[ch] * values
    return g


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--daq-run", default=os.path.join(HERE, "..", "build", "bin", "daq-run"))
    parser.add_argument("--steps", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)

    x = np.maximum(rng.normal(size=(8, 16, 14, 14)), 0).astype(np.float32)
    w = (rng.normal(size=(32, 16, 3, 3)) * np.sqrt(2 / (16 * 9))).astype(np.float32)
    state_c = np.full((32,), -1.0, np.float32)  # no history: first step uses max
    state_t = np.array(-1.0, np.float32)
    # Per-channel gradient scales, drifting slowly from step to step.
    scales = np.exp(rng.uniform(np.log(1e-4), np.log(1e-2), size=32))
    with tempfile.TemporaryDirectory() as workdir:
        for step in range(args.steps):
            gy = gradient(rng, (8, 32, 14, 14), scales)
            scales *= np.exp(rng.normal(scale=0.1, size=scales.shape))
            y, gx, gw = run(args.daq_run, MODULE, "layer_fp32", [x, w, gy], 3, workdir)
            qy, qgx, qgw, state_c, state_t = run(
                args.daq_run, MODULE, "layer_int8", [x, w, gy, state_c, state_t], 5,
                workdir)
            print(f"step {step}: INT8 (DAQ: GVQ + MCS) against FP32")
            compare("Y", qy, y)
            compare("GX", qgx, gx)
            compare("GW", qgw, gw)
            print(f"  MCS clip state: per-tensor {float(state_t):.3e}, "
                  f"per-channel {state_c.min():.3e} .. {state_c.max():.3e}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
