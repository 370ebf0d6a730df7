"""Writes a random array to a .npy file for daq-run tests.

usage: gen_npy.py OUT.npy DTYPE SHAPE SEED [--range LO HI] [--values V,...]
                  [--fortran] [--big-endian] [--format-2]

DTYPE is f32, f64, i8, i32, i64 or i1; SHAPE is "2x3", "5", or "scalar" for a
0-d array. Floats are standard normal unless --range asks for integers in
[LO, HI] (exact under any summation order); integers span [LO, HI], by default
the whole range of the type. --values gives the elements instead (for edge
cases), in C order. --fortran and --big-endian write the variants
daq-run must reject; --format-2 writes .npy format version 2.0 (NumPy only
does so by itself for huge headers).
"""

import argparse

import numpy as np

DTYPES = {
    "f32": np.float32,
    "f64": np.float64,
    "i8": np.int8,
    "i32": np.int32,
    "i64": np.int64,
    "i1": np.bool_,
}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("dtype", choices=sorted(DTYPES))
    parser.add_argument("shape")
    parser.add_argument("seed", type=int)
    parser.add_argument("--range", type=int, nargs=2, metavar=("LO", "HI"))
    parser.add_argument("--values")
    parser.add_argument("--fortran", action="store_true")
    parser.add_argument("--big-endian", action="store_true")
    parser.add_argument("--format-2", action="store_true")
    args = parser.parse_args()

    shape = () if args.shape == "scalar" else tuple(
        int(d) for d in args.shape.split("x"))
    dtype = DTYPES[args.dtype]
    rng = np.random.default_rng(args.seed)
    if args.values is not None:
        array = np.array([float(v) for v in args.values.split(",")])
        array = array.astype(dtype).reshape(shape)
    elif dtype == np.bool_:
        array = rng.integers(0, 2, size=shape).astype(np.bool_)
    elif np.issubdtype(dtype, np.integer):
        info = np.iinfo(dtype)
        lo, hi = args.range if args.range else (info.min, info.max)
        array = rng.integers(lo, hi, size=shape, dtype=dtype, endpoint=True)
    elif args.range:
        array = rng.integers(args.range[0], args.range[1], size=shape,
                             endpoint=True).astype(dtype)
    else:
        array = rng.standard_normal(size=shape).astype(dtype)

    array = np.asarray(array)
    if args.fortran:
        array = np.asfortranarray(array)
    if args.big_endian:
        array = array.astype(array.dtype.newbyteorder(">"))
    with open(args.out, "wb") as f:
        np.lib.format.write_array(f, array,
                                  version=(2, 0) if args.format_2 else None)


if __name__ == "__main__":
    main()
