"""Shared helpers of the Torch-MLIR training-step tests (test/torch/*.py).

The tests take the Torch-MLIR training steps of test/Inputs/torch (see the
README there), run them with `daq-run` before and after the daq passes, and
compare. This module provides:

  * the command line (`--daq-run`, `--daq-opt`, `--inputs`, `--seed`,
    `--keep`) and a fresh, printed seed per run;
  * `parse_signature`: the signature of the only public `func.func` of a
    module, parsed from its text (types, shapes, `daq.state` attributes);
  * `Tools`: `daq-opt` and `daq-run` on modules and numpy arrays;
  * op counting in MLIR text;
  * random inputs of a training step (never all zeros);
  * comparisons on top of test/numerics/lib/harness.py's `Checker`
    (bit-exact, within N ulp, and a normwise fp32 tolerance).

The numpy reference of every daq op is test/numerics/lib/daq_reference.py,
importable as `ref` from here.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
NUMERICS_LIB = os.path.normpath(os.path.join(HERE, "..", "..", "numerics", "lib"))
for _p in (HERE, NUMERICS_LIB):
    if _p not in sys.path:
        sys.path.insert(0, _p)

import daq_reference as ref  # noqa: E402,F401  (re-exported)
from harness import Checker  # noqa: E402,F401  (re-exported)

F32 = np.float32

INPUT_FILES = [
    "resnet_basic_block.mlir",
    "resnet_basic_block_decomposed.mlir",
    "resnet_basic_block_bn.mlir",
    "mobilenetv2_inverted_residual.mlir",
    "conv_bias_dilated.mlir",
    "conv_bias_dilated_decomposed.mlir",
]


# ---------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------
def parse_args(description=""):
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--daq-run", default="daq-run", help="path of daq-run")
    p.add_argument("--daq-opt", default="daq-opt", help="path of daq-opt")
    p.add_argument("--inputs", default=os.path.normpath(
        os.path.join(HERE, "..", "..", "Inputs", "torch")),
        help="directory of the Torch-MLIR training steps")
    p.add_argument("--seed", type=int, default=None,
                   help="random seed (default: fresh each run)")
    p.add_argument("--keep", action="store_true",
                   help="keep the modules and .npy files in a temporary directory")
    args = p.parse_args()
    if args.seed is None:
        args.seed = int.from_bytes(os.urandom(4), "little")
    print("seed = %d (reproduce with --seed %d)" % (args.seed, args.seed))
    sys.stdout.flush()
    return args


# ---------------------------------------------------------------------------
# Function signatures
# ---------------------------------------------------------------------------
_DTYPES = {"f32": np.float32, "f64": np.float64, "i64": np.int64,
           "i32": np.int32, "i8": np.int8, "i1": np.bool_}


class TensorType:
    """`tensor<AxBxf32>` (or a scalar such as `i64`, shape ())."""

    def __init__(self, text):
        self.text = text.strip()
        m = re.fullmatch(r"tensor<((?:\d+x)*)(\w+)>", self.text)
        if m:
            self.shape = tuple(int(d) for d in m.group(1).split("x") if d)
            elem = m.group(2)
        elif self.text in _DTYPES:
            self.shape, elem = (), self.text
        else:
            raise ValueError("unsupported type %r" % self.text)
        self.elem = elem
        self.dtype = np.dtype(_DTYPES[elem])

    def __repr__(self):
        return self.text


class Value:
    """One argument or result: its type and its attribute dictionary text."""

    def __init__(self, type_, attrs):
        self.type = type_
        self.attrs = attrs  # {} or {'daq.state': '...'}

    @property
    def state(self):
        return self.attrs.get("daq.state")


class Signature:
    def __init__(self, name, args, results):
        self.name = name
        self.args = args
        self.results = results


def _split_top(text):
    """Splits on commas outside (), <>, [], {} and string literals."""
    parts, depth, cur, i, quoted = [], 0, [], 0, False
    while i < len(text):
        c = text[i]
        if quoted:
            cur.append(c)
            if c == "\\":
                cur.append(text[i + 1])
                i += 1
            elif c == '"':
                quoted = False
        elif c == '"':
            quoted = True
            cur.append(c)
        elif text.startswith("->", i):
            cur.append("->")
            i += 1
        elif c in "(<[{":
            depth += 1
            cur.append(c)
        elif c in ")>]}":
            depth -= 1
            cur.append(c)
        elif c == "," and depth == 0:
            parts.append("".join(cur).strip())
            cur = []
        else:
            cur.append(c)
        i += 1
    if "".join(cur).strip():
        parts.append("".join(cur).strip())
    return parts


def _matching(text, start):
    """Index of the bracket closing the one at text[start]."""
    open_c = text[start]
    close_c = {"(": ")", "{": "}", "<": ">", "[": "]"}[open_c]
    depth, quoted, i = 0, False, start
    while i < len(text):
        c = text[i]
        if quoted:
            if c == "\\":
                i += 1
            elif c == '"':
                quoted = False
        elif c == '"':
            quoted = True
        elif text.startswith("->", i):
            i += 1
        elif c == open_c:
            depth += 1
        elif c == close_c:
            depth -= 1
            if depth == 0:
                return i
        i += 1
    raise ValueError("unbalanced %r" % open_c)


def _parse_attrs(text):
    """`{daq.state = "..."}` -> dict of string-valued attributes."""
    text = text.strip()
    if not text:
        return {}
    assert text[0] == "{" and text[-1] == "}", text
    attrs = {}
    for item in _split_top(text[1:-1]):
        key, _, val = item.partition("=")
        val = val.strip()
        if val.startswith('"') and val.endswith('"'):
            val = val[1:-1]
        attrs[key.strip()] = val
    return attrs


def _parse_value(text, named):
    """`%arg0: tensor<...> {attrs}` (named) or `tensor<...> {attrs}`."""
    if named:
        name, _, text = text.partition(":")
        assert name.strip().startswith("%"), name
    text = text.strip()
    brace = text.find("{")
    if brace < 0:
        return Value(TensorType(text), {})
    return Value(TensorType(text[:brace]), _parse_attrs(text[brace:]))


def public_functions(text):
    """Names of the public func.func definitions of a module."""
    return [m.group(1) for m in re.finditer(r"func\.func\s+@([\w$.]+)\s*\(", text)]


def parse_signature(text):
    """The signature of the only public func.func of `text`."""
    names = public_functions(text)
    if len(names) != 1:
        raise ValueError("expected exactly one public func.func, found %s" % names)
    m = re.search(r"func\.func\s+@([\w$.]+)\s*\(", text)
    name = m.group(1)
    lp = m.end() - 1
    rp = _matching(text, lp)
    args = [_parse_value(a, True) for a in _split_top(text[lp + 1:rp])]
    rest = text[rp + 1:].lstrip()
    results = []
    if rest.startswith("->"):
        rest = rest[2:].lstrip()
        if rest.startswith("("):
            end = _matching(rest, 0)
            results = [_parse_value(r, False) for r in _split_top(rest[1:end])]
        else:
            tm = re.match(r"(tensor<[^>]*>|\w+)(\s*\{[^}]*\})?", rest)
            results = [Value(TensorType(tm.group(1)), _parse_attrs(tm.group(2) or ""))]
    return Signature(name, args, results)


# ---------------------------------------------------------------------------
# Op counting
# ---------------------------------------------------------------------------
def count_ops(text, opname):
    """Occurrences of the op `opname` (e.g. 'daq.conv2d') in `text`."""
    return len(re.findall(r"(?<![\w.])%s(?![\w.])" % re.escape(opname), text))


def linalg_conv_ops(text):
    """Names of the linalg named convolution ops left in `text`."""
    return re.findall(r"\blinalg\.((?:depthwise_)?conv_\w+)", text)


def convolution_generics(text):
    """linalg.generic ops that look like a direct-form convolution: at least
    seven loops, three of them reductions."""
    found = 0
    for m in re.finditer(r"linalg\.generic\s*\{[^}]*iterator_types\s*=\s*\[([^\]]*)\]", text):
        its = [s.strip().strip('"') for s in m.group(1).split(",")]
        if len(its) >= 7 and its.count("reduction") >= 3:
            found += 1
    return found


# ---------------------------------------------------------------------------
# Running the tools
# ---------------------------------------------------------------------------
class ToolError(Exception):
    pass


class Tools:
    def __init__(self, args):
        self.daq_run_path = args.daq_run
        self.daq_opt_path = args.daq_opt
        self.keep = args.keep
        self.seed = args.seed
        self.tmp = tempfile.mkdtemp(prefix="daq-torch-")
        self.count = 0
        self.runs = 0
        self.run_seconds = 0.0
        self.opt_seconds = 0.0

    def _dir(self, name):
        self.count += 1
        d = os.path.join(self.tmp, "%02d-%s" % (self.count, re.sub(r"[^\w.-]", "_", name)))
        os.makedirs(d)
        return d

    def close(self):
        if self.keep:
            print("kept files in %s" % self.tmp)
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)

    def daq_opt(self, path, *options):
        """daq-opt PATH OPTIONS... -> the printed module."""
        cmd = [self.daq_opt_path, path] + list(options)
        t0 = time.time()
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              universal_newlines=True)
        self.opt_seconds += time.time() - t0
        if proc.returncode != 0:
            raise ToolError("daq-opt failed (exit %d): %s\n%s" % (
                proc.returncode, " ".join(cmd), proc.stderr[-4000:]))
        return proc.stdout

    def daq_run(self, module_text, func, inputs, nresults, name="run"):
        """Runs `func` of `module_text` on the numpy arrays `inputs`."""
        d = self._dir(name)
        path = os.path.join(d, "module.mlir")
        with open(path, "w") as f:
            f.write(module_text)
        cmd = [self.daq_run_path, path, "-e", func]
        for i, a in enumerate(inputs):
            p = os.path.join(d, "in%d.npy" % i)
            np.save(p, np.array(a, order="C"))
            cmd.append("--input=%s" % p)
        outs = [os.path.join(d, "out%d.npy" % i) for i in range(nresults)]
        cmd += ["--output=%s" % p for p in outs]
        t0 = time.time()
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              universal_newlines=True)
        self.run_seconds += time.time() - t0
        self.runs += 1
        if proc.returncode != 0:
            raise ToolError("daq-run failed (exit %d) [seed %d]\ncommand: %s\n%s" % (
                proc.returncode, self.seed, " ".join(cmd), proc.stderr[-4000:]))
        return [np.load(p) for p in outs]

    def summary(self):
        return "daq-run: %d runs, %.1f s; daq-opt %.1f s" % (
            self.runs, self.run_seconds, self.opt_seconds)


# ---------------------------------------------------------------------------
# Random inputs
# ---------------------------------------------------------------------------
def nonzero(a, eps=1e-3):
    a = np.asarray(a)
    return np.where(a == 0, np.asarray(eps, dtype=a.dtype), a)


def dyadic(rng, shape, scale, bits=5):
    """Random numbers k * 2^e, 0 < |k| < 2^bits, about N(0, scale^2) (never
    zero). Products and sums of a few hundred of them are exact in f32, so
    a convolution of dyadic operands gives the same f32 result in every
    summation order."""
    e = int(np.round(np.log2(scale))) - (bits - 2)
    k = np.clip(np.round(rng.standard_normal(shape) * 2.0 ** (bits - 2)),
                -(2 ** bits - 1), 2 ** bits - 1)
    k = np.where(k == 0, 1.0, k)
    return (k * 2.0 ** e).astype(F32)


def random_step_inputs(rng, sig, forward="dyadic", x_scale=1.0):
    """Random arguments of a training step `step(x, params..., gy)`.

    x ~ N(0, x_scale^2); 4-D filters ~ N(0, 2 / fan_in) (He initialization, so
    activations stay O(1) through the block); 1-D parameters (biases,
    BatchNorm weight and bias) ~ N(0, 1/4); gy (the last argument) ~ N(0, 1)
    in full f32 precision. With forward="dyadic" everything but gy is dyadic
    (see `dyadic`), so the forward pass is exact in f32 and any two correct
    implementations see the same relu masks; forward="full" draws full f32
    precision everywhere. No input is ever all zeros."""
    inputs = []
    last = len(sig.args) - 1
    for i, a in enumerate(sig.args):
        shape = a.type.shape
        if a.type.dtype != np.float32:
            raise ValueError("unexpected argument type %s" % a.type)
        if len(shape) == 4 and 0 < i < last:
            scale = float(np.sqrt(2.0 / np.prod(shape[1:])))
        elif len(shape) == 1:
            scale = 0.5
        else:
            scale = x_scale if i == 0 else 1.0
        if i == last or forward == "full":
            inputs.append(nonzero((rng.standard_normal(shape) * scale).astype(F32)))
        else:
            inputs.append(dyadic(rng, shape, scale))
    return inputs


# ---------------------------------------------------------------------------
# Comparisons (on a harness.Checker)
# ---------------------------------------------------------------------------
def ulp_distance(a, b):
    """|a - b| in units in the last place of float32 (same sign-magnitude
    ordering as the bit patterns; +0 and -0 are 0 apart)."""
    def ordered(x):
        i = np.asarray(x, dtype=F32).view(np.int32).astype(np.int64)
        return np.where(i < 0, -(i & 0x7FFFFFFF), i)
    return np.abs(ordered(a) - ordered(b))


def check_ulps(checker, what, got, exp, max_ulps=0):
    """Every element within `max_ulps` ulp of the expected f32 value
    (max_ulps = 0: bit for bit up to the sign of zero); NaN matches NaN."""
    got = np.asarray(got)
    exp = np.asarray(exp)
    if got.shape != exp.shape or got.dtype != exp.dtype:
        checker.fail("%s: got %s %s, expected %s %s" % (
            what, got.dtype, got.shape, exp.dtype, exp.shape))
        return False
    nan = np.isnan(got) & np.isnan(exp)
    d = np.where(nan, 0, ulp_distance(np.where(np.isnan(got), 0, got),
                                      np.where(np.isnan(exp), 0, exp)))
    d = np.where(np.isnan(got) != np.isnan(exp), np.iinfo(np.int64).max, d)
    worst = int(np.max(d)) if d.size else 0
    if worst <= max_ulps:
        checker.ok("%s (max %d ulp, allowed %d)" % (what, worst, max_ulps))
        return True
    bad = np.argwhere(d > max_ulps)
    lines = ["%s: %d of %d elements more than %d ulp off (worst %d ulp)" % (
        what, len(bad), exp.size, max_ulps, worst)]
    for idx in bad[:8]:
        idx = tuple(int(i) for i in idx)
        lines.append("  at %s: got %r, expected %r" % (idx, float(got[idx]), float(exp[idx])))
    checker.fail("\n".join(lines))
    return False


def check_normwise(checker, what, got, exp, rtol):
    """max |got - exp| <= rtol * max |exp| (elementwise against the largest
    magnitude of the expected output)."""
    got = np.asarray(got)
    exp = np.asarray(exp)
    if got.shape != exp.shape or got.dtype != exp.dtype:
        checker.fail("%s: got %s %s, expected %s %s" % (
            what, got.dtype, got.shape, exp.dtype, exp.shape))
        return None
    scale = float(np.max(np.abs(exp.astype(np.float64))))
    err = np.abs(got.astype(np.float64) - exp.astype(np.float64))
    tol = rtol * scale
    rel = float(np.max(err)) / scale if scale > 0 else float(np.max(err))
    if np.all(err <= tol) and np.isfinite(scale):
        checker.ok("%s (max |err| / max |ref| = %.2e, allowed %.0e)" % (what, rel, rtol))
        return rel
    bad = np.argwhere(~(err <= tol))
    lines = ["%s: %d of %d elements off by more than %.0e * max|ref| = %.3g "
             "(max |err| / max |ref| = %.3g)" % (what, len(bad), exp.size, rtol, tol, rel)]
    for idx in bad[:8]:
        idx = tuple(int(i) for i in idx)
        lines.append("  at %s: got %r, expected %r" % (idx, float(got[idx]), float(exp[idx])))
    checker.fail("\n".join(lines))
    return rel
