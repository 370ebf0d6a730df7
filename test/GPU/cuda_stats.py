# REQUIRES: cuda-gpu
# RUN: %python %s --daq-run daq-run
"""The MCS / max-abs statistics kernels (convert-daq-stats-to-gpu through
daq-nvvm-pipeline, exported with daq-gpu-export and run with daq-cuda-run)
against the same algorithm on the CPU (target=cpu through
daq-igemm-cpu-pipeline and daq-run) bit for bit (the sums have a fixed order,
so the GPU must give the same f64 statistics), and against the reference
lowering and numpy (max-abs exact, MCS up to near ties of sigma), on the
cases of test/numerics/test_stats_gpu.py. Runs only where a CUDA driver and a
GPU are present, or in two steps (--stage here, --replay on a GPU host; see
test/numerics/lib/gpu_runs.py)."""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "numerics"))
sys.path.insert(0, os.path.join(HERE, "..", "numerics", "lib"))

import numpy as np  # noqa: E402

import gpu_runs  # noqa: E402
from harness import Checker, Runner, parse_args  # noqa: E402
from test_stats_gpu import build, check_all, lower_and_run, write_module  # noqa: E402

# (label, shared options of daq-igemm-cpu-pipeline and daq-nvvm-pipeline)
CONFIGS = [
    ("default blocks", ""),
    ("32 threads, 64 blocks", "stats-block-size=32 stats-blocks=64"),
]


def check(ck, outputs, payload):
    """The GPU's outputs against the CPU form, bit for bit, and numpy."""
    label, names, cpu, checks = payload
    for name, g, c in zip(names, outputs, cpu):
        ck.exact("%s [%s]: GPU == CPU form" % (name, label), g, c)
    check_all(ck, "GPU, " + label, outputs, checks)


def main():
    args = parse_args(__doc__, gpu_runs.add_arguments)
    if args.replay:
        gpu_runs.replay(args, check)
    rng = np.random.default_rng(args.seed)
    ck = Checker(args.seed)
    runner = Runner(args)
    runs = gpu_runs.GpuRuns(args, runner)
    module, checks = build(rng)
    d = write_module(runner, module)
    path = os.path.join(d, "module.mlir")
    names = [name for _, name in module.results]
    inputs = [os.path.join(d, "in%d.npy" % i) for i in range(len(module.inputs))]
    for ci, (label, options) in enumerate(CONFIGS):
        cpu = lower_and_run(runner, module, d, "cpu%d" % ci,
                            "daq-igemm-cpu-pipeline=%s" % options if options
                            else "daq-igemm-cpu-pipeline")
        kdir = os.path.join(d, "kernels%d" % ci)
        gpu_runs.export(runner.daq_run, path, kdir,
                        "chip=sm_90 features=+ptx80 format=isa " + options)
        runs.add(kdir, "main", inputs, len(names), (label, names, cpu, checks))
    runs.finish(ck, check)


if __name__ == "__main__":
    main()
