# REQUIRES: cuda-gpu
# RUN: %python %s --daq-run daq-run
"""The INT8 tensor-core kernels (daq-nvvm-pipeline, exported with
daq-gpu-export and run with daq-cuda-run) against the reference lowering on
the CPU (daq-run), bit for bit, on the geometries of the CPU tiled check
(test/numerics/test_conv_igemm.py): strides, padding, dilation, groups, both
layouts, channel counts that are not tile multiples, i8 operands and
quantize-on-load. Runs only where a CUDA driver and a GPU are present, or
in two steps: --stage DIR here, --replay DIR on a GPU host without LLVM
(test/numerics/lib/gpu_runs.py)."""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "numerics"))
sys.path.insert(0, os.path.join(HERE, "..", "numerics", "lib"))

import numpy as np  # noqa: E402

from conv_cases import GEOMETRIES  # noqa: E402
import gpu_runs  # noqa: E402
from harness import Checker, Runner, parse_args  # noqa: E402
from test_conv_igemm import build, random_geometry, run_lowered  # noqa: E402

# (label, daq-nvvm-pipeline options): the default tiles, and small tiles so
# that the grids have several blocks on these small shapes, as PTX (the
# driver compiles it for the GPU at hand); --cubin-chip adds the default tiles
# as a cubin for the GPU's chip.
CONFIGS = [
    ("sm_80 default tiles", "chip=sm_80 features=+ptx80 format=isa"),
    ("sm_80 32x32x32 warps 16x16", "chip=sm_80 features=+ptx80 format=isa tile-m=32 "
     "tile-n=32 tile-k=32 warp-m=16 warp-n=16"),
]


def add_arguments(p):
    gpu_runs.add_arguments(p)
    p.add_argument("--cubin-chip", metavar="sm_XY",
                   help="also run every third geometry as a cubin for this chip "
                        "(the GPU's own; ptxas assembles it ahead of time)")


def check(ck, outputs, payload):
    """The GPU's outputs against the reference lowering and numpy."""
    what, labels, reference, expects = payload
    for name, got, r, e in zip(labels, outputs, reference, expects):
        ck.exact("%s %s: GPU == reference lowering" % (what, name), got, r)
        ck.exact("%s %s: GPU == numpy" % (what, name), got, e)


def main():
    args = parse_args(__doc__, add_arguments)
    if args.replay:
        gpu_runs.replay(args, check)
    rng = np.random.default_rng(args.seed)
    ck = Checker(args.seed)
    runner = Runner(args)
    runs = gpu_runs.GpuRuns(args, runner)
    geometries = list(GEOMETRIES) + [random_geometry(rng) for _ in range(4)]
    count = 0
    for gi, geometry in enumerate(geometries):
        configs = list(CONFIGS)
        if args.cubin_chip and gi % 3 == 0:
            configs.append(("%s cubin" % args.cubin_chip,
                            "chip=%s features=+ptx80 format=bin" % args.cubin_chip))
        for ci, (label, options) in enumerate(configs):
            module, labels, expects = build(rng, geometry, (gi + ci) % 2 == 1)
            count += 1
            d = os.path.join(runner.tmp, "%02d" % count)
            os.makedirs(d)
            path = os.path.join(d, "module.mlir")
            with open(path, "w") as f:
                f.write(module.text())
            reference = run_lowered(runner, module, path, "ref", opt_level=0)
            kdir = os.path.join(d, "kernels")
            gpu_runs.export(runner.daq_run, path, kdir, options)
            inputs = [os.path.join(d, "in%d.npy" % i) for i in range(len(module.inputs))]
            runs.add(kdir, "main", inputs, len(labels),
                     ("%s [%s]" % (geometry[0], label), labels, reference, expects))
    runs.finish(ck, check)


if __name__ == "__main__":
    main()
