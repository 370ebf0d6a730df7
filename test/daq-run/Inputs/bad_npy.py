"""Writes a malformed .npy file for daq-run error tests.

usage: bad_npy.py KIND OUT.npy

KIND: magic (not a .npy file), truncated-data, truncated-header, dtype (an
unsupported float16 array), version (format 3.0), trailing (extra bytes after
the data), header (a header that is not a dict).
"""

import io
import struct
import sys

import numpy as np


def npy_bytes(array, **kwargs):
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, array, **kwargs)
    return buffer.getvalue()


def with_header(header, data=b"", version=(1, 0)):
    header = header.encode("latin1") + b"\n"
    if version[0] == 1:
        length = struct.pack("<H", len(header))
    else:
        length = struct.pack("<I", len(header))
    return b"\x93NUMPY" + bytes(version) + length + header + data


def main():
    kind, out = sys.argv[1:]
    good = npy_bytes(np.arange(6, dtype=np.float32).reshape(2, 3))
    if kind == "magic":
        content = b"this is not a numpy file\n"
    elif kind == "truncated-data":
        content = good[:-5]
    elif kind == "truncated-header":
        content = good[:20]
    elif kind == "dtype":
        content = npy_bytes(np.zeros(3, dtype=np.float16))
    elif kind == "version":
        content = with_header(
            "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }",
            b"\0" * 4, version=(3, 0))
    elif kind == "trailing":
        content = good + b"extra"
    elif kind == "header":
        content = with_header("[1, 2, 3]")
    else:
        sys.exit(f"unknown kind {kind}")
    with open(out, "wb") as f:
        f.write(content)


if __name__ == "__main__":
    main()
