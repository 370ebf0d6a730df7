#!/usr/bin/env python3
"""GPU benchmark of the MCS / max-abs statistics kernels
(convert-daq-stats-to-gpu through daq-nvvm-pipeline, run with daq-cuda-run)
on ResNet-50 output-gradient shapes.

    bench/gpu_stats.py --build build --out DIR [--batch 64] [--chip sm_90]
    bench/gpu_stats.py --stage DIR ... / --kernels DIR ...   # see gpu_kernels.py

Prints milliseconds per op and the effective bandwidth: bytes of GY the
algorithm reads (daq.mcs_clip 3 passes, daq.max_abs 1; daq.quantize 1 read
and a quarter for the i8 codes written) divided by the time,
against the H200's ~4.8 TB/s, and writes DIR/gpu-stats-bench.json. The
per-channel partial buffers and the tiny update kernel are included in the
time.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "GPU"))

import gpu_kernels  # noqa: E402
from ptxas_stats import module  # noqa: E402  (the @mcs, @maxabs, @quant functions)

PEAK_GBS = 4800.0
# (name, C, H, W, axis): output gradients of ResNet-50 layers (NCHW), one
# NHWC and one per tensor.
SHAPES = [
    ("stem GY 64x112x112", 64, 112, 112, 1),
    ("res2 GY 256x56x56", 256, 56, 56, 1),
    ("res3 GY 512x28x28", 512, 28, 28, 1),
    ("res4 GY 1024x14x14", 1024, 14, 14, 1),
    ("res5 GY 2048x7x7", 2048, 7, 7, 1),
    ("res2 GY 256x56x56 nhwc", 256, 56, 56, 3),
    ("res2 GY 256x56x56 per tensor", 256, 56, 56, None),
]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--build", default="build")
    ap.add_argument("--out", default="build/gpu-check")
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--chip", default="sm_90")
    ap.add_argument("--repeat", type=int, default=20)
    gpu_kernels.add_arguments(ap)
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    rows = []
    if not args.stage:
        os.makedirs(args.out, exist_ok=True)
        print("%-30s %-8s %10s %9s %7s" % ("gradient", "op", "ms", "GB/s", "% peak"))
    for name, c, h, w, axis in SHAPES:
        shape = (args.batch, c, h, w) if axis != 3 else (args.batch, h, w, c)
        with tempfile.TemporaryDirectory() as tmp:
            kdir = gpu_kernels.kernels(args, tmp, "%s n%d %s" % (name, args.batch, args.chip),
                                       module(shape, axis))
            if args.stage:
                continue
            g = os.path.join(tmp, "g.npy")
            np.save(g, rng.laplace(0.0, 1e-3, shape).astype(np.float32))
            prev = os.path.join(tmp, "prev.npy")
            np.save(prev, np.full(() if axis is None else (shape[axis],), -1.0, np.float32))
            clip = os.path.join(tmp, "clip.npy")
            np.save(clip, np.full(() if axis is None else (shape[axis],), 5e-3, np.float32))
            # quantize: GY read once, 1 byte per element written.
            for op, inputs, outputs, passes in [
                    ("mcs", [g, prev], 2, 3), ("maxabs", [g], 1, 1),
                    ("quant", [g, clip], 1, 1.25)]:
                cmd = [os.path.join(args.build, "bin", "daq-cuda-run"),
                       os.path.join(kdir, "k.kernels"), "-e", op, "--repeat=%d" % args.repeat]
                cmd += ["--input=" + p for p in inputs]
                cmd += ["--output=" + os.path.join(tmp, "%s%d.npy" % (op, i))
                        for i in range(outputs)]
                proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                      universal_newlines=True)
                if proc.returncode != 0:
                    sys.exit("gpu_stats: daq-cuda-run failed on %s %s:\n%s"
                             % (name, op, proc.stderr))
                ms = float(proc.stdout.split("time-ms:")[1].split()[0])
                gbs = passes * 4.0 * np.prod(shape) / (ms * 1e-3) / 1e9
                rows.append({"gradient": name, "shape": list(shape), "op": op, "ms": ms,
                             "gy_passes": passes, "gbs": gbs, "peak_fraction": gbs / PEAK_GBS})
                print("%-30s %-8s %10.3f %9.1f %6.1f%%" % (name, op, ms, gbs,
                                                           100 * gbs / PEAK_GBS))
                sys.stdout.flush()
    if args.stage:
        print("gpu_stats: kernels of %d gradients in %s" % (len(SHAPES), args.stage))
        return
    with open(os.path.join(args.out, "gpu-stats-bench.json"), "w") as f:
        json.dump({"batch": args.batch, "chip": args.chip, "repeat": args.repeat,
                   "peak_gbs": PEAK_GBS, "rows": rows}, f, indent=1)


if __name__ == "__main__":
    main()
