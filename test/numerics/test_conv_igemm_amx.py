# RUN: %python %s --daq-run daq-run
"""The AMX form of the tiled implicit GEMM (convert-daq-conv-to-igemm
mma=amx: 16x16 i32 tiles over 64-deep K slices, B staged in the VNNI layout
of tdpbssd) against the reference lowering (convert-daq-to-linalg through
daq-cpu-pipeline), bit for bit, and both against the numpy reference.

By default the AMX-form contractions are flattened for any CPU
(daq-flatten-vnni-contractions); with --amx-tiles they run as AMX tiles
(convert-vector-to-amx: tileloadd, tdpbssd, tilestored), which needs a CPU
with AMX-INT8 (test_conv_igemm_amx_tiles.py); with --amx-model the same
tiles run on the software model of the AMX instructions
(convert-amx-to-isa-model, any CPU: test_conv_igemm_amx_model.py). The cases are a selection of
test_conv_igemm.py's (--all: all of them, about four minutes here; the
flattened contractions are large straight-line code): odd channels, both
layouts, groups, dilation, asymmetric padding, a random geometry, i8
operands and quantize-on-load, and contiguous K runs (W's runs go to the
VNNI B tile in 4-byte pieces); under two configurations whose tiles divide
none of the GEMM sizes, the second with 3 stages, two 64-deep slices per K
tile and split-K."""

import numpy as np

import test_conv_igemm as igemm
from conv_cases import GEOMETRIES
from harness import Checker, Runner, parse_args

CONFIGS = [
    ("amx 32x32x64 warps 16x16 2 stages",
     "tile-m=32 tile-n=32 tile-k=64 warp-m=16 warp-n=16 mma=amx stages=2"),
    ("amx 16x32x128 warps 16x16 3 stages split-k 2",
     "tile-m=16 tile-n=32 tile-k=128 warp-m=16 warp-n=16 mma=amx stages=3 split-k=2"),
]


def main():
    def add_arguments(parser):
        parser.add_argument("--amx-tiles", action="store_true",
                            help="lower to AMX tiles (needs a CPU with AMX-INT8)")
        parser.add_argument("--amx-model", action="store_true",
                            help="lower to AMX tiles and run them on the software "
                                 "model of the AMX instructions (any CPU)")
        parser.add_argument("--all", action="store_true",
                            help="every geometry of test_conv_igemm.py, not a selection")
    args = parse_args(__doc__, add_arguments)
    if args.mock:
        print("--mock has nothing to check here: both sides are compiled code")
        return
    rng = np.random.default_rng(args.seed)
    ck = Checker(args.seed)
    runner = Runner(args)
    tiles = ""
    if args.amx_model:
        tiles = " amx-model=true"
    elif args.amx_tiles:
        tiles = " amx-tiles=true"
    # (geometry, configuration, quantize-on-load; None: accumulating module)
    if args.all:
        plan = [(g, CONFIGS[gi % 2], gi % 3 == 1) for gi, g in enumerate(GEOMETRIES)]
        for geometry in [igemm.random_geometry(rng) for _ in range(2)]:
            plan += [(geometry, CONFIGS[0], False), (geometry, CONFIGS[1], True)]
        plan += [(g, CONFIGS[gi % 2], False) for gi, g in enumerate(igemm.RUN_GEOMETRIES)]
        plan.append((GEOMETRIES[2], CONFIGS[1], None))
    else:
        # Element-wise staging of both layouts, groups, dilation, asymmetric
        # padding and quantize-on-load (GEOMETRIES[1]'s K = 153: two K tiles
        # of 128, so split-K and the 3-stage pipeline run); a random
        # geometry; contiguous runs (forward X and W in NHWC,
        # backward-filter GY in NCHW).
        plan = [(GEOMETRIES[0], CONFIGS[0], False),
                (GEOMETRIES[1], CONFIGS[1], True),
                (GEOMETRIES[8], CONFIGS[0], True),
                (igemm.random_geometry(rng), CONFIGS[1], False),
                (igemm.RUN_GEOMETRIES[0], CONFIGS[0], False),
                (igemm.RUN_GEOMETRIES[2], CONFIGS[1], False)]
    for index, (geometry, config, load) in enumerate(plan):
        igemm.check_module(runner, ck, rng, index, geometry, config, load, tiles)
    ck.finish(runner)


if __name__ == "__main__":
    main()
