"""Small helpers shared by the examples: call daq-run on numpy arrays and
compare INT8 results with FP32 ones."""

import os
import subprocess

import numpy as np


def run(daq_run, module, function, inputs, num_outputs, workdir):
    """Calls `function` of the MLIR file `module` on `inputs` with daq-run
    and returns its `num_outputs` results as numpy arrays."""
    args = [daq_run, module, "-e", function]
    for i, array in enumerate(inputs):
        path = os.path.join(workdir, f"{function}_in{i}.npy")
        np.save(path, array)
        args.append(f"--input={path}")
    outputs = [os.path.join(workdir, f"{function}_out{i}.npy") for i in range(num_outputs)]
    args += [f"--output={path}" for path in outputs]
    subprocess.run(args, check=True)
    return [np.load(path) for path in outputs]


def compare(name, int8, fp32):
    """Prints the relative L2 error and the cosine similarity of two results."""
    error = np.linalg.norm(int8 - fp32) / np.linalg.norm(fp32)
    cosine = float(np.sum(int8 * fp32) / (np.linalg.norm(int8) * np.linalg.norm(fp32)))
    print(f"  {name:6s} relative L2 error {error:8.4%}   cosine {cosine:.6f}")
