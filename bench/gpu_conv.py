#!/usr/bin/env python3
"""GPU benchmark: daq INT8 convolutions (forward, backward-data,
backward-filter; daq-nvvm-pipeline kernels run with daq-cuda-run) against
cuDNN FP32 / FP16 / BF16 through PyTorch, on ResNet-50 layer shapes.

    bench/gpu_conv.py --build build --out DIR [--batch 64] [--chip sm_90]
    bench/gpu_conv.py --stage DIR ...       # export only, on a machine with LLVM
    bench/gpu_conv.py --kernels DIR ...     # time DIR's kernels, on a GPU host

Prints one row per (layer, direction) with milliseconds and TOPS of every
variant and the ratios INT8 / cuDNN, and writes DIR/gpu-bench.json. FP32 is
true FP32 (TF32 disabled). Without PyTorch with CUDA the cuDNN columns are
left out (said once, clearly); without a GPU the script stops with an error.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

import gpu_kernels

# (name, C, H, W, O, K, stride, pad): ResNet-50 ImageNet layers.
LAYERS = [
    ("conv1 7x7/2", 3, 224, 224, 64, 7, 2, 3),
    ("res2 1x1 64->64", 64, 56, 56, 64, 1, 1, 0),
    ("res2 3x3 64", 64, 56, 56, 64, 3, 1, 1),
    ("res2 1x1 64->256", 64, 56, 56, 256, 1, 1, 0),
    ("res3 3x3/2 128", 128, 56, 56, 128, 3, 2, 1),
    ("res3 1x1 128->512", 128, 28, 28, 512, 1, 1, 0),
    ("res4 3x3 256", 256, 14, 14, 256, 3, 1, 1),
    ("res4 1x1 256->1024", 256, 14, 14, 1024, 1, 1, 0),
    ("res5 3x3 512", 512, 7, 7, 512, 3, 1, 1),
    ("res5 1x1 512->2048", 512, 7, 7, 2048, 1, 1, 0),
]


def out_size(i, k, s, p):
    return (i + 2 * p - k) // s + 1


def layer_module(n, c, h, w, o, k, s, p):
    oh, ow = out_size(h, k, s, p), out_size(w, k, s, p)
    x = "tensor<%dx%dx%dx%dxi8>" % (n, c, h, w)
    wt = "tensor<%dx%dx%dx%dxi8>" % (o, c, k, k)
    y = "tensor<%dx%dx%dx%dxi8>" % (n, o, oh, ow)
    f = lambda t: t.replace("i8>", "f32>")  # noqa: E731
    conv = "#daq.conv<layout = nchw, strides = [%d, %d], padding = [%d, %d, %d, %d]>" % (
        s, s, p, p, p, p)
    text = ""
    for name, op, a, b, r in [("fwd", "qconv2d", x, wt, f(y)),
                              ("dgrad", "qconv2d_backward_data", y, wt, f(x)),
                              ("wgrad", "qconv2d_backward_filter", x, y, f(wt))]:
        text += ("func.func @%s(%%a: %s, %%sa: tensor<f32>, %%b: %s, %%sb: tensor<f32>) -> %s {\n"
                 "  %%r = daq.%s %%a[%%sa], %%b[%%sb] {conv = %s} : (%s, tensor<f32>, %s, "
                 "tensor<f32>) -> %s\n  return %%r : %s\n}\n") % (
                     name, a, b, r, op, conv, a, b, r, r)
    shapes = {"fwd": ((n, c, h, w), (o, c, k, k)), "dgrad": ((n, o, oh, ow), (o, c, k, k)),
              "wgrad": ((n, c, h, w), (n, o, oh, ow))}
    return text, shapes, (oh, ow)


def layer_kernels(args, tmp, layer):
    name, c, h, w, o, k, s, p = layer
    text, shapes, _ = layer_module(args.batch, c, h, w, o, k, s, p)
    return gpu_kernels.kernels(args, tmp, "%s n%d %s" % (name, args.batch, args.chip),
                               text), shapes


def daq_times(args, tmp, layer):
    name = layer[0]
    kdir, shapes = layer_kernels(args, tmp, layer)
    rng = np.random.default_rng(0)
    times = {}
    for direction, (sa, sb) in shapes.items():
        files = []
        for i, arr in enumerate([rng.integers(-127, 128, sa).astype(np.int8),
                                 np.float32(0.5), rng.integers(-127, 128, sb).astype(np.int8),
                                 np.float32(0.5)]):
            path = os.path.join(tmp, "%s%d.npy" % (direction, i))
            np.save(path, np.asarray(arr))
            files.append("--input=" + path)
        proc = subprocess.run(
            [os.path.join(args.build, "bin", "daq-cuda-run"), os.path.join(kdir, "k.kernels"),
             "-e", direction, "--repeat=%d" % args.repeat] + files +
            ["--output=" + os.path.join(tmp, "%s-out.npy" % direction)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
        if proc.returncode != 0:
            sys.exit("gpu_conv: daq-cuda-run failed on %s %s:\n%s" % (name, direction, proc.stderr))
        times[direction] = float(proc.stdout.split("time-ms:")[1].split()[0])
    return times


def cudnn_times(args, layer, torch):
    name, c, h, w, o, k, s, p = layer
    results = {}
    for label, dtype in [("fp32", torch.float32), ("fp16", torch.float16), ("bf16", torch.bfloat16)]:
        fmt = torch.contiguous_format if dtype == torch.float32 else torch.channels_last
        x = torch.randn(args.batch, c, h, w, device="cuda", dtype=dtype).to(memory_format=fmt)
        wt = torch.randn(o, c, k, k, device="cuda", dtype=dtype).to(memory_format=fmt)
        y = torch.nn.functional.conv2d(x, wt, stride=s, padding=p)
        gy = torch.randn_like(y)
        calls = {
            "fwd": lambda: torch.nn.functional.conv2d(x, wt, stride=s, padding=p),
            "dgrad": lambda: torch.ops.aten.convolution_backward(
                gy, x, wt, None, [s, s], [p, p], [1, 1], False, [0, 0], 1, [True, False, False]),
            "wgrad": lambda: torch.ops.aten.convolution_backward(
                gy, x, wt, None, [s, s], [p, p], [1, 1], False, [0, 0], 1, [False, True, False]),
        }
        for direction, call in calls.items():
            for _ in range(3):
                call()
            start, stop = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            start.record()
            for _ in range(args.repeat):
                call()
            stop.record()
            torch.cuda.synchronize()
            results[(label, direction)] = start.elapsed_time(stop) / args.repeat
    return results


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--build", default="build")
    ap.add_argument("--out", default="build/gpu-check")
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--chip", default="sm_90")
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--layers", type=int, default=len(LAYERS))
    gpu_kernels.add_arguments(ap)
    args = ap.parse_args()
    if args.stage:
        for layer in LAYERS[:args.layers]:
            with tempfile.TemporaryDirectory() as tmp:
                layer_kernels(args, tmp, layer)
        print("gpu_conv: kernels of %d layers in %s" % (args.layers, args.stage))
        return
    os.makedirs(args.out, exist_ok=True)
    try:
        import torch
        if not torch.cuda.is_available():
            raise ImportError("torch.cuda.is_available() is False")
        torch.backends.cudnn.benchmark = True
        torch.backends.cudnn.allow_tf32 = False
        torch.backends.cuda.matmul.allow_tf32 = False
    except ImportError as e:
        print("gpu_conv: no PyTorch with CUDA (%s): cuDNN columns left out" % e)
        torch = None
    rows = []
    header = "%-20s %-6s %10s %8s" % ("layer", "dir", "int8 ms", "TOPS")
    if torch:
        header += "".join(" %9s %8s" % (v + " ms", "x" + v) for v in ("fp32", "fp16", "bf16"))
    print(header)
    for layer in LAYERS[:args.layers]:
        name, c, h, w, o, k, s, p = layer
        oh, ow = out_size(h, k, s, p), out_size(w, k, s, p)
        ops = 2.0 * args.batch * o * oh * ow * c * k * k
        with tempfile.TemporaryDirectory() as tmp:
            daq = daq_times(args, tmp, layer)
        base = cudnn_times(args, layer, torch) if torch else {}
        for direction in ("fwd", "dgrad", "wgrad"):
            ms = daq[direction]
            row = {"layer": name, "direction": direction, "int8_ms": ms,
                   "int8_tops": ops / (ms * 1e-3) / 1e12}
            line = "%-20s %-6s %10.3f %8.1f" % (name, direction, ms, row["int8_tops"])
            for v in ("fp32", "fp16", "bf16"):
                if (v, direction) in base:
                    b = base[(v, direction)]
                    row[v + "_ms"] = b
                    row["speedup_vs_" + v] = b / ms
                    line += " %9.3f %8.2f" % (b, b / ms)
            rows.append(row)
            print(line)
            sys.stdout.flush()
    with open(os.path.join(args.out, "gpu-bench.json"), "w") as f:
        json.dump({"batch": args.batch, "chip": args.chip, "repeat": args.repeat,
                   "cudnn_tf32": False, "rows": rows}, f, indent=1)


if __name__ == "__main__":
    main()
