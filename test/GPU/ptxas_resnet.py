# REQUIRES: ptxas
# RUN: %python %s --export daq-gpu-export --ptxas %ptxas --out %t
"""Assembles the INT8 tensor-core kernels of a ResNet-18/50 shape matrix with
ptxas for sm_75 (m8n8k16), sm_80 and sm_90 (m16n8k32): every kernel
(forward, backward-data, backward-filter of every layer) must assemble with
zero spill stores and loads, within the register and shared-memory limits,
with s8 mma.sync and ldmatrix, and with cp.async exactly where an operand
has contiguous K runs on sm_80 and later; the kernels that sum split-K
partials (automatic for small grids) are checked for spills too.
Prints one line per kernel; the table in docs/gpu.md comes from
`--all --table`."""

import argparse
import os
import re
import subprocess
import sys
import time

# (name, N, C, H, W, O, KH, KW, stride, pad, layout): ResNet-18/50 ImageNet
# layers with a small batch (the kernel code depends on the sizes only
# through constants): the 7x7 stride-2 stem with 3 input channels, 3x3, 1x1,
# stride 2 downsampling, channel counts that are not tile multiples, and a
# channels-last layer (whose backward-data copies GY with cp.async).
LAYERS = [
    ("conv1 7x7/2 3->64", 2, 3, 224, 224, 64, 7, 7, 2, 3, "nchw"),
    ("res2 3x3 64->64", 2, 64, 56, 56, 64, 3, 3, 1, 1, "nchw"),
    ("res2 1x1 64->256", 2, 64, 56, 56, 256, 1, 1, 1, 0, "nchw"),
    ("res3 3x3/2 128->128", 2, 128, 56, 56, 128, 3, 3, 2, 1, "nchw"),
    ("res4 1x1/2 512->1024", 2, 512, 28, 28, 1024, 1, 1, 2, 0, "nchw"),
    ("res5 3x3 512->512", 2, 512, 7, 7, 512, 3, 3, 1, 1, "nchw"),
    ("odd 3x3 100->36", 2, 100, 13, 13, 36, 3, 3, 1, 1, "nchw"),
    ("res4 3x3/2 256->256 nhwc", 2, 256, 28, 28, 256, 3, 3, 2, 1, "nhwc"),
]
# What lit runs: the stem, a 3x3, a strided 1x1, the odd channel counts and
# the channels-last layer.
LIT_SUBSET = [0, 1, 4, 6, 7]
CHIPS = [("sm_75", "+ptx80"), ("sm_80", "+ptx80"), ("sm_90", "+ptx80")]


def out_size(i, k, s, p):
    return (i + 2 * p - (k - 1) - 1) // s + 1


def has_runs(layer, direction):
    """Whether the kernel has an i8 operand with contiguous K runs (a
    multiple of 4 bytes), which sm_80 and later copy with cp.async: forward
    X (NHWC, runs of C) or W (runs of C*KH*KW), backward-data GY (NHWC, runs
    of O), backward-filter GY (NCHW, runs of OH*OW)."""
    _, n, c, h, w, o, kh, kw, s, p, layout = layer
    oh, ow = out_size(h, kh, s, p), out_size(w, kw, s, p)
    nhwc = layout == "nhwc"
    if direction == "fwd":
        return (nhwc and c % 4 == 0) or (c * kh * kw) % 4 == 0
    if direction == "dgrad":
        return nhwc and o % 4 == 0
    return not nhwc and (oh * ow) % 4 == 0


def module(layer):
    _, n, c, h, w, o, kh, kw, s, p, layout = layer
    oh, ow = out_size(h, kh, s, p), out_size(w, kw, s, p)

    def act(n, c, h, w):
        dims = (n, h, w, c) if layout == "nhwc" else (n, c, h, w)
        return "tensor<%dx%dx%dx%dxi8>" % dims

    x = act(n, c, h, w)
    wt = ("tensor<%dx%dx%dx%dxi8>" % (o, kh, kw, c) if layout == "nhwc" else
          "tensor<%dx%dx%dx%dxi8>" % (o, c, kh, kw))
    y = act(n, o, oh, ow)
    yf = y.replace("i8>", "f32>")
    xf = x.replace("i8>", "f32>")
    wf = wt.replace("i8>", "f32>")
    conv = "#daq.conv<layout = %s, strides = [%d, %d], padding = [%d, %d, %d, %d]>" % (
        layout, s, s, p, p, p, p)
    return """
func.func @fwd(%%x: %(x)s, %%sx: tensor<f32>, %%w: %(wt)s, %%sw: tensor<%(o)dxf32>) -> %(yf)s {
  %%y = daq.qconv2d %%x[%%sx], %%w[%%sw] {conv = %(conv)s}
      : (%(x)s, tensor<f32>, %(wt)s, tensor<%(o)dxf32>) -> %(yf)s
  return %%y : %(yf)s
}
func.func @dgrad(%%gy: %(y)s, %%sgy: tensor<f32>, %%w: %(wt)s, %%sw: tensor<f32>) -> %(xf)s {
  %%gx = daq.qconv2d_backward_data %%gy[%%sgy], %%w[%%sw] {conv = %(conv)s}
      : (%(y)s, tensor<f32>, %(wt)s, tensor<f32>) -> %(xf)s
  return %%gx : %(xf)s
}
func.func @wgrad(%%x: %(x)s, %%sx: tensor<f32>, %%gy: %(y)s, %%sgy: tensor<%(o)dxf32>) -> %(wf)s {
  %%gw = daq.qconv2d_backward_filter %%x[%%sx], %%gy[%%sgy] {conv = %(conv)s}
      : (%(x)s, tensor<f32>, %(y)s, tensor<%(o)dxf32>) -> %(wf)s
  return %%gw : %(wf)s
}
""" % dict(x=x, wt=wt, y=y, yf=yf, xf=xf, wf=wf, o=o, conv=conv)


REGS = re.compile(r"Used (\d+) registers")
SMEM = re.compile(r"(\d+) bytes smem")  # absent when a kernel has none
SPILL = re.compile(r"(\d+) bytes spill stores, (\d+) bytes spill loads")


def parse_args():
    """The options of the ptxas checks (also test/GPU/ptxas_stats.py)."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--export", default="daq-gpu-export")
    ap.add_argument("--ptxas", default="/usr/local/cuda/bin/ptxas")
    ap.add_argument("--out", required=True)
    ap.add_argument("--table", action="store_true", help="print a markdown table")
    ap.add_argument("--all", action="store_true",
                    help="every layer (lit runs a subset to bound its time)")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    return args


def assemble(ptxas, chip, ptx):
    """`ptxas -v` on one PTX file: (registers, shared-memory bytes, spill
    store + load bytes), or an error message."""
    p = subprocess.run([ptxas, "-arch=%s" % chip, "-v", ptx, "-o", os.devnull],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       universal_newlines=True)
    if p.returncode != 0:
        return "ptxas failed:\n%s" % p.stdout
    regs, smem, spill = REGS.search(p.stdout), SMEM.search(p.stdout), SPILL.search(p.stdout)
    if not regs or not spill:
        return "unexpected ptxas output:\n%s" % p.stdout
    return (int(regs.group(1)), int(smem.group(1)) if smem else 0,
            int(spill.group(1)) + int(spill.group(2)))


def main():
    args = parse_args()
    failures = []
    rows = []
    layers = LAYERS if args.all else [LAYERS[i] for i in LIT_SUBSET]
    for li, layer in enumerate(layers):
        src = os.path.join(args.out, "layer%d.mlir" % li)
        with open(src, "w") as f:
            f.write(module(layer))
        for chip, features in CHIPS:
            d = os.path.join(args.out, "layer%d-%s" % (li, chip))
            t0 = time.time()
            proc = subprocess.run(
                [args.export, src, "-o", d, "--name", "k",
                 "--pipeline-options=chip=%s features=%s format=isa" % (chip, features)],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
            compile_s = time.time() - t0
            if proc.returncode != 0:
                failures.append("%s %s: daq-gpu-export failed:\n%s" % (layer[0], chip, proc.stderr))
                continue
            # Every kernel of each direction: the GEMM, and under split-K
            # (small grids, e.g. backward-filter) the kernel that sums the
            # partials.
            kernels = []
            for direction in ("fwd", "dgrad", "wgrad"):
                kernels.append((direction, "k_%s_kernel.ptx" % direction))
                kernels += [("%s split-K sum" % direction, f)
                            for f in sorted(os.listdir(d))
                            if f.startswith("k_%s_kernel_" % direction) and f.endswith(".ptx")]
            for direction, name in kernels:
                ptx = os.path.join(d, name)
                text = open(ptx).read()
                gemm = "split-K" not in direction
                mma = "m8n8k16" if chip == "sm_75" else "m16n8k32"
                if gemm and "mma.sync.aligned.%s.row.col.satfinite.s32.s8.s8.s32" % mma not in text:
                    failures.append("%s %s %s: no s8 %s mma.sync in the PTX" % (
                        layer[0], chip, direction, mma))
                if gemm and "ldmatrix.sync.aligned" not in text:
                    failures.append("%s %s %s: no ldmatrix in the PTX" % (layer[0], chip, direction))
                want_async = gemm and chip != "sm_75" and has_runs(layer, direction)
                if ("cp.async.commit_group" in text) != want_async:
                    failures.append("%s %s %s: cp.async %s expected" % (
                        layer[0], chip, direction, "is" if want_async else "is not"))
                result = assemble(args.ptxas, chip, ptx)
                if isinstance(result, str):
                    failures.append("%s %s %s: %s" % (layer[0], chip, direction, result))
                    continue
                regs, smem, spilled = result
                status = "ok" if spilled == 0 else "SPILLS"
                if status != "ok":
                    failures.append("%s %s %s: %d bytes spilled" % (
                        layer[0], chip, direction, spilled))
                rows.append((layer[0], direction, chip, regs, smem, spilled, compile_s))
                print("%s: %s %s %s: %d registers, %d bytes smem, %d bytes spilled" % (
                    status, layer[0], direction, chip, regs, smem, spilled))
    finish(args, ["layer", "kernel", "chip", "registers", "smem (bytes)", "spills (bytes)"],
           [r[:6] for r in rows], failures)


def finish(args, columns, rows, failures):
    """Prints the table (with --table) and the failures; exits."""
    if args.table:
        print("\n| %s |" % " | ".join(columns))
        print("|%s" % ("---|" * len(columns)))
        for r in rows:
            print("| %s |" % " | ".join(str(c) for c in r))
    for f in failures:
        print("FAIL: " + f)
    print("%d kernels assembled, %d failures" % (len(rows), len(failures)))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
