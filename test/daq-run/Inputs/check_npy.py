"""Checks a daq-run output against a NumPy reference, exactly.

usage: check_npy.py OUT.npy EXPR NAME=FILE.npy...

Loads every FILE.npy as NAME, evaluates EXPR with NumPy as `np`, and requires
the output to have the same dtype, the same shape and bit-identical values
(NaNs included). Prints "OK <file> <dtype> <shape>" on success; otherwise
prints what differs and exits with 1.
"""

import sys

import numpy as np


def main():
    out_path, expr, *bindings = sys.argv[1:]
    env = {"np": np}
    for binding in bindings:
        name, path = binding.split("=", 1)
        env[name] = np.load(path)
    expected = np.asarray(eval(expr, env))
    actual = np.load(out_path)
    problems = []
    if actual.dtype != expected.dtype:
        problems.append(f"dtype {actual.dtype}, expected {expected.dtype}")
    if actual.shape != expected.shape:
        problems.append(f"shape {actual.shape}, expected {expected.shape}")
    if not problems and actual.tobytes() != expected.tobytes():
        bad = np.argwhere(actual != expected)
        where = tuple(bad[0]) if len(bad) else "?"
        problems.append(
            f"{len(bad)} values differ, first at {where}: "
            f"{actual[where] if len(bad) else ''} vs "
            f"{expected[where] if len(bad) else ''}")
    if problems:
        print(f"MISMATCH {out_path}: " + "; ".join(problems))
        sys.exit(1)
    print(f"OK {out_path.rsplit('/', 1)[-1]} {actual.dtype} {actual.shape}")


if __name__ == "__main__":
    main()
