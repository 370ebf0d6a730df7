"""The kernels of the GPU benchmarks: exported now with daq-gpu-export, or
ahead of time on another machine.

A GPU host need not have LLVM: `--stage DIR` exports every kernel of a
benchmark under DIR and stops; `--kernels DIR` on the GPU host times the
kernels found there with daq-cuda-run (which links no LLVM), taken from
`--build`'s bin/ as always. scripts/gpu-check.sh --stage / --from drives both.
"""

import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test",
                                "numerics", "lib"))
import gpu_runs  # noqa: E402


def add_arguments(ap):
    g = ap.add_mutually_exclusive_group()
    g.add_argument("--stage", metavar="DIR",
                   help="export the kernels under DIR and stop (no GPU needed)")
    g.add_argument("--kernels", metavar="DIR",
                   help="time the kernels --stage exported under DIR (no LLVM needed)")


def slug(name):
    return re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-")


def kernels(args, tmp, name, text):
    """The directory of `name`'s kernels (manifest k.kernels) for module `text`."""
    if args.kernels:
        kdir = os.path.join(args.kernels, slug(name))
        if not os.path.exists(os.path.join(kdir, "k.kernels")):
            raise SystemExit("no staged kernels for %s in %s: run --stage with the same "
                             "options first" % (name, kdir))
        return kdir
    kdir = os.path.join(args.stage or tmp, slug(name))
    src = os.path.join(tmp, slug(name) + ".mlir")
    with open(src, "w") as f:
        f.write(text)
    gpu_runs.export(os.path.join(args.build, "bin", "daq-run"), src, kdir,
                    "chip=%s features=+ptx80 format=isa" % args.chip)
    return kdir
