# REQUIRES: cuda-gpu
# RUN: %python %s --daq-run daq-run
"""The MCS / max-abs statistics kernels (convert-daq-stats-to-gpu through
daq-nvvm-pipeline, exported with daq-gpu-export and run with daq-cuda-run)
against the same algorithm on the CPU (target=cpu through
daq-igemm-cpu-pipeline and daq-run) bit for bit (the sums have a fixed order,
so the GPU must give the same f64 statistics), and against the reference
lowering and numpy (max-abs exact, MCS up to near ties of sigma), on the
cases of test/numerics/test_stats_gpu.py. Runs only where a CUDA driver and a
GPU are present."""

import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "numerics"))
sys.path.insert(0, os.path.join(HERE, "..", "numerics", "lib"))

import numpy as np  # noqa: E402

from cuda_conv import tool  # noqa: E402
from harness import Checker, RunError, Runner, parse_args  # noqa: E402
from test_stats_gpu import build, check_all, lower_and_run, write_module  # noqa: E402

# (label, shared options of daq-igemm-cpu-pipeline and daq-nvvm-pipeline)
CONFIGS = [
    ("default blocks", ""),
    ("32 threads, 64 blocks", "stats-block-size=32 stats-blocks=64"),
]


def main():
    args = parse_args(__doc__)
    rng = np.random.default_rng(args.seed)
    ck = Checker(args.seed)
    runner = Runner(args)
    module, checks = build(rng)
    d = write_module(runner, module)
    path = os.path.join(d, "module.mlir")
    for ci, (label, options) in enumerate(CONFIGS):
        cpu = lower_and_run(runner, module, d, "cpu%d" % ci,
                            "daq-igemm-cpu-pipeline=%s" % options if options
                            else "daq-igemm-cpu-pipeline")
        kdir = os.path.join(d, "kernels%d" % ci)
        cmd = [tool(runner, "daq-gpu-export"), path, "-o", kdir, "--name", "k",
               "--pipeline-options=chip=sm_90 features=+ptx80 format=isa " + options]
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              universal_newlines=True)
        if proc.returncode != 0:
            raise RunError("daq-gpu-export failed: %s\n%s" % (" ".join(cmd), proc.stderr))
        cmd = [tool(runner, "daq-cuda-run"), os.path.join(kdir, "k.kernels"), "-e", "main"]
        cmd += ["--input=%s" % os.path.join(d, "in%d.npy" % i) for i in range(len(module.inputs))]
        outs = [os.path.join(d, "gpu%d-%d.npy" % (ci, i)) for i in range(len(module.results))]
        cmd += ["--output=%s" % p for p in outs]
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              universal_newlines=True)
        if proc.returncode != 0:
            raise RunError("daq-cuda-run failed: %s\n%s" % (" ".join(cmd), proc.stderr))
        gpu = [np.load(p) for p in outs]
        for (value, name), g, c in zip(module.results, gpu, cpu):
            ck.exact("%s [%s]: GPU == CPU form" % (name, label), g, c)
        check_all(ck, "GPU, " + label, gpu, checks)
    ck.finish(runner)


if __name__ == "__main__":
    main()
