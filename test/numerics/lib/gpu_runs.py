"""Runs of exported GPU kernels with daq-cuda-run, here or on another host.

The GPU tests build everything on a machine with LLVM (the modules, the CPU
results to compare with, daq-gpu-export's kernels), then run the kernels. A
GPU host need not have LLVM: with `--stage DIR` a test writes each run (its
kernels, inputs and what to check the outputs against) under DIR instead of
running it, and `--replay DIR` on the GPU host runs them there with
daq-cuda-run alone (which links no LLVM) and checks them, with the same
check function. scripts/gpu-check.sh --stage / --from drives both.

    runs = GpuRuns(args, runner)
    runs.add(kernels_dir, "main", input_paths, len(outputs), payload)
    ...
    runs.finish(ck, check)      # check(ck, outputs, payload)
"""

import os
import pickle
import shutil
import subprocess

import numpy as np

from harness import Checker, RunError

MANIFEST = "runs.pkl"


def add_arguments(p):
    """The options of a test that runs kernels on a GPU."""
    g = p.add_mutually_exclusive_group()
    g.add_argument("--stage", metavar="DIR",
                   help="write the kernels, inputs and expected results under DIR "
                        "instead of running them (for a GPU host without LLVM)")
    g.add_argument("--replay", metavar="DIR",
                   help="run and check the runs --stage wrote under DIR (needs only "
                        "daq-cuda-run and numpy)")
    p.add_argument("--daq-cuda-run", default=None,
                   help="path of daq-cuda-run (default: beside daq-run, or PATH)")


def tool(daq_run, name):
    """The daq tool `name` beside daq-run (or on PATH when daq-run is)."""
    d = os.path.dirname(daq_run)
    return os.path.join(d, name) if d else name


def daq_cuda_run(args):
    return args.daq_cuda_run or tool(args.daq_run, "daq-cuda-run")


def export(daq_run, path, kdir, options):
    """daq-gpu-export of the module at `path` into `kdir` (prefix k)."""
    cmd = [tool(daq_run, "daq-gpu-export"), path, "-o", kdir, "--name", "k",
           "--pipeline-options=" + options]
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True)
    if proc.returncode != 0:
        raise RunError("daq-gpu-export failed: %s\n%s" % (" ".join(cmd), proc.stderr))


def run_kernels(tool, manifest, entry, inputs, outputs):
    """daq-cuda-run MANIFEST -e ENTRY on .npy inputs; returns the outputs."""
    cmd = [tool, manifest, "-e", entry] + ["--input=%s" % p for p in inputs]
    cmd += ["--output=%s" % p for p in outputs]
    limit = float(os.environ.get("DAQ_CUDA_RUN_TIMEOUT", "600"))
    try:
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              universal_newlines=True, timeout=limit)
    except subprocess.TimeoutExpired:
        raise RunError("daq-cuda-run on %s -e %s: no result after %g s (a hung kernel?); "
                       "DAQ_CUDA_RUN_TIMEOUT sets the limit" % (manifest, entry, limit))
    if proc.returncode != 0:
        raise RunError("daq-cuda-run failed on %s -e %s:\n%s" % (manifest, entry,
                                                                  proc.stderr[-4000:]))
    return [np.load(p) for p in outputs]


def run_and_check(ck, tool, runs, check):
    """Every run, each checked by `check`; a failing run is a failed check
    (the others still run: one GPU session should show all failures)."""
    for kdir, entry, inputs, n, payload in runs:
        outs = [os.path.join(kdir, "gpu%d.npy" % j) for j in range(n)]
        try:
            outputs = run_kernels(tool, os.path.join(kdir, "k.kernels"), entry, inputs, outs)
        except RunError as e:
            ck.fail(str(e))
            continue
        check(ck, outputs, payload)


class GpuRuns:
    """The kernel runs of one test, run at `finish` or staged for another host."""

    def __init__(self, args, runner):
        self.args = args
        self.runner = runner
        self.runs = []  # (kernels dir, entry, inputs, number of outputs, payload)

    def add(self, kernels_dir, entry, inputs, num_outputs, payload):
        """`payload` (picklable) is what `check` compares the outputs with."""
        self.runs.append((kernels_dir, entry, list(inputs), num_outputs, payload))

    def finish(self, ck, check):
        if self.args.stage:
            self._stage(self.args.stage)
            print("staged %d runs in %s (run them with --replay %s)" % (
                len(self.runs), self.args.stage, self.args.stage))
            self.runner.close()
            return
        run_and_check(ck, daq_cuda_run(self.args), self.runs, check)
        ck.finish(self.runner)

    def _stage(self, root):
        """Copies every run into root/NN/ (kernels/ and in*.npy) and pickles
        the list with paths relative to root."""
        if os.path.exists(root):
            shutil.rmtree(root)
        staged = []
        for i, (kdir, entry, inputs, n, payload) in enumerate(self.runs):
            d = "%02d" % i
            shutil.copytree(kdir, os.path.join(root, d, "kernels"))
            names = []
            for j, p in enumerate(inputs):
                names.append(os.path.join(d, "in%d.npy" % j))
                shutil.copy(p, os.path.join(root, names[-1]))
            staged.append((os.path.join(d, "kernels"), entry, names, n, payload))
        with open(os.path.join(root, MANIFEST), "wb") as f:
            pickle.dump({"seed": self.args.seed, "runs": staged}, f)


def replay(args, check):
    """Runs and checks what --stage wrote under args.replay; exits."""
    root = args.replay
    with open(os.path.join(root, MANIFEST), "rb") as f:
        staged = pickle.load(f)
    print("replaying %d runs staged with seed %d" % (len(staged["runs"]), staged["seed"]))
    ck = Checker(staged["seed"])
    runs = [(os.path.join(root, kdir), entry, [os.path.join(root, p) for p in inputs], n,
             payload) for kdir, entry, inputs, n, payload in staged["runs"]]
    run_and_check(ck, daq_cuda_run(args), runs, check)
    ck.finish()
