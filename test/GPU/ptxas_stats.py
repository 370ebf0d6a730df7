# REQUIRES: ptxas
# RUN: %python %s --export daq-gpu-export --ptxas %ptxas --out %t
"""Assembles the MCS / max-abs statistics and quantize kernels of
convert-daq-stats-to-gpu (through daq-nvvm-pipeline and daq-gpu-export) for
ResNet-sized output
gradients with ptxas for sm_75, sm_80 and sm_90: every kernel must assemble
with zero spill bytes, and the PTX must contain the block reduction (bar.sync
barriers, shared-memory f64 adds, the NaN-propagating max.NaN.f32 on
sm_80+) and no fused multiply-add in the clip update (the reference rounds
the product and the sum separately), no libdevice call (an unresolved
extern unless libdevice is found at compile time) and cvt.rni in quantize.
Prints one line per kernel; the table in
docs/gpu.md comes from `--all --table`."""

import os
import re

import numpy as np
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from ptxas_resnet import CHIPS, assemble, finish, parse_args  # noqa: E402

# (name, shape, layout, granularity): output gradients GY of ResNet-18/50
# layers at N = 32, NCHW (axis 1), NHWC (axis 3) and per tensor.
LAYERS = [
    ("stem GY 32x64x112x112 nchw", (32, 64, 112, 112), 1),
    ("res2 GY 32x64x56x56 nchw", (32, 64, 56, 56), 1),
    ("res4 GY 32x1024x14x14 nchw", (32, 1024, 14, 14), 1),
    ("res5 GY 32x512x7x7 nchw", (32, 512, 7, 7), 1),
    ("res2 GY 32x56x56x64 nhwc", (32, 56, 56, 64), 3),
    ("odd GY 32x36x13x13 nchw", (32, 36, 13, 13), 1),
    ("res2 GY 32x64x56x56 per tensor", (32, 64, 56, 56), None),
]
LIT_SUBSET = [1, 4, 5, 6]
ROLES = {  # kernels of each function, in launch order
    "mcs": ["mcs moments", "mcs squares", "mcs count", "mcs update"],
    "maxabs": ["max_abs slices", "max_abs final"],
    "quant": ["quantize"],
}


def module(shape, axis):
    t = "tensor<%sxf32>" % "x".join(str(d) for d in shape)
    if axis is None:
        gran, c, b = "#daq.granularity<per_tensor>", "tensor<f32>", "tensor<i1>"
    else:
        gran = "#daq.granularity<per_axis = %d>" % axis
        c, b = "tensor<%dxf32>" % shape[axis], "tensor<%dxi1>" % shape[axis]
    return """
func.func @mcs(%%g: %(t)s, %%prev: %(c)s) -> (%(c)s, %(b)s) {
  %%clip, %%bell = daq.mcs_clip %%g, %%prev {granularity = %(gran)s, params = #daq.mcs}
      : (%(t)s, %(c)s) -> (%(c)s, %(b)s)
  return %%clip, %%bell : %(c)s, %(b)s
}
func.func @maxabs(%%g: %(t)s) -> %(c)s {
  %%m = daq.max_abs %%g {granularity = %(gran)s} : %(t)s -> %(c)s
  return %%m : %(c)s
}
func.func @quant(%%g: %(t)s, %%s: %(c)s) -> %(q)s {
  %%q = daq.quantize %%g, %%s {granularity = %(gran)s} : (%(t)s, %(c)s) -> %(q)s
  return %%q : %(q)s
}
""" % dict(t=t, c=c, b=b, gran=gran, q=t.replace("xf32>", "xi8>"))


def main():
    args = parse_args()
    failures, rows = [], []
    layers = LAYERS if args.all else [LAYERS[i] for i in LIT_SUBSET]
    for li, (name, shape, axis) in enumerate(layers):
        src = os.path.join(args.out, "stats%d.mlir" % li)
        with open(src, "w") as f:
            f.write(module(shape, axis))
        for chip, features in CHIPS:
            d = os.path.join(args.out, "stats%d-%s" % (li, chip))
            proc = subprocess.run(
                [args.export, src, "-o", d, "--name", "k",
                 "--pipeline-options=chip=%s features=%s format=isa" % (chip, features)],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
            if proc.returncode != 0:
                failures.append("%s %s: daq-gpu-export failed:\n%s" % (name, chip, proc.stderr))
                continue
            header = open(os.path.join(d, "k.h")).read()
            # Launches in order, from the manifest: (function, image, grid, block, smem).
            launches = [line.split() for line in open(os.path.join(d, "k.kernels"))
                        if line.startswith("kernel ")]
            found = {f: [l for l in launches if l[1] == f] for f in ROLES}
            for function, roles in ROLES.items():
                if len(found[function]) != len(roles):
                    failures.append("%s %s: %d launches of @%s, expected %d" % (
                        name, chip, len(found[function]), function, len(roles)))
            for function, role, launch in [(f, r, l) for f in ROLES
                                           for r, l in zip(ROLES[f], found[f])]:
                image = launch[3]
                ptx = os.path.join(d, image)
                where = "%s %s %s" % (name, chip, role)
                text = open(ptx).read()
                if role.endswith(("moments", "squares", "count", "slices")):
                    if "bar.sync" not in text:
                        failures.append("%s: no bar.sync in the block reduction" % where)
                    if "st.shared" not in text or "ld.shared" not in text:
                        failures.append("%s: no shared-memory tree" % where)
                if role in ("mcs moments", "mcs squares") and "add.rn.f64" not in text \
                        and "add.f64" not in text:
                    failures.append("%s: no f64 sum" % where)
                if role in ("mcs moments", "max_abs slices") and chip != "sm_75" \
                        and "max.NaN.f32" not in text:
                    failures.append("%s: no NaN-propagating max.NaN.f32" % where)
                if "__nv_" in text:
                    failures.append("%s: libdevice call in the PTX (unresolved without "
                                    "libdevice)" % where)
                if role == "quantize" and "cvt.rni.f32.f32" not in text:
                    failures.append("%s: no cvt.rni (round half to even)" % where)
                if role == "mcs update" and "fma.rn.f32" in text:
                    failures.append("%s: fused multiply-add in the clip update" % where)
                result = assemble(args.ptxas, chip, ptx)
                if isinstance(result, str):
                    failures.append("%s: %s" % (where, result))
                    continue
                regs, smem, spilled = result
                if spilled:
                    failures.append("%s: %d bytes spilled" % (where, spilled))
                # The launch configuration of the header: grid and 256 threads.
                m = re.search(r'"%s", \{(\d+), (\d+), (\d+)\}, \{(\d+), 1, 1\}, (\d+)'
                              % re.escape(image), header)
                grid = "?"
                if not m:
                    failures.append("%s: no launch configuration in k.h" % where)
                else:
                    grid = "%sx%s" % (m.group(1), m.group(2))
                    if [m.group(1), m.group(2), m.group(3)] != launch[5:8]:
                        failures.append("%s: header grid %s, manifest %s" % (
                            where, m.groups()[:3], launch[5:8]))
                    channels = 1 if axis is None else shape[axis]
                    if role.endswith("update") or role.endswith("final"):
                        expect_x = -(-channels // 256)
                    elif role == "quantize":
                        expect_x = min(1024, -(-int(np.prod(shape)) // 256))
                    else:
                        expect_x = channels
                    if int(m.group(1)) != expect_x:
                        failures.append("%s: grid x %s, expected %d" % (
                            where, m.group(1), expect_x))
                    if int(m.group(4)) != 256:
                        failures.append("%s: block of %s threads" % (where, m.group(4)))
                    if int(m.group(5)) != smem:
                        failures.append("%s: header says %s bytes of shared memory, ptxas %d"
                                        % (where, m.group(5), smem))
                rows.append((name, role, chip, grid, regs, smem, spilled))
                print("%s: %s: grid %s, %d registers, %d bytes smem, %d bytes spilled" % (
                    "ok" if not spilled else "SPILLS", where, grid, regs, smem, spilled))
    finish(args, ["gradient", "kernel", "chip", "grid", "registers", "smem (bytes)",
                  "spills (bytes)"], rows, failures)


if __name__ == "__main__":
    main()
