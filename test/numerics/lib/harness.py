"""Harness of the daq numerics tests.

A test builds a small MLIR module whose `func.func @main` calls daq ops on its
arguments (`Module`), runs it with `daq-run MODULE -e main --input=X.npy ...
--output=Y.npy ...` (`Runner`), and compares every result with the float64
numpy reference in daq_reference.py (`Checker`).

Comparisons:
  * exact (`Checker.exact`): integer codes, i1 classifications and every f32
    value whose arithmetic the op documentation fixes (clips, dequantized
    values, the INT8 convolution epilogue). Floats are compared bit for bit,
    except that any NaN matches any NaN (payloads are not specified).
  * float convolutions (`Checker.conv_close`): every output element is a sum
    of K products of f32 values. Whatever the summation order (and with or
    without FMA), an f32 computation satisfies the classical bound
        |got - exact| <= gamma_{K+1} * sum_k |x_k| |w_k|,
        gamma_m = m u / (1 - m u), u = 2^-24,
    where sum_k |x_k||w_k| is the same convolution applied to |x| and |w|
    (the "magnitude bound"), and the +1 accounts for rounding the result to
    f32. The reference is computed in float64 (its own error is ~1e-16
    relative, negligible). Any indexing error produces errors of the order of
    the magnitude bound itself, far above gamma.
  * INT8 convolutions (`Checker.exact` on the output): the reference
    accumulates the int8 codes exactly in int64 and applies the documented f32
    epilogue; the compiler's result must match bit for bit, which checks the
    i32 accumulator exactly and the dequantization to the last bit.

Randomness: every test takes `--seed N` (default: a fresh seed each run, which
is printed) so a failure can be reproduced.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)


F32 = np.float32
U = 2.0 ** -24


# ---------------------------------------------------------------------------
# Command line and random inputs
# ---------------------------------------------------------------------------
def parse_args(description="", add_arguments=None):
    """The common options; `add_arguments(parser)` adds a test's own."""
    p = argparse.ArgumentParser(description=description)
    if add_arguments:
        add_arguments(p)
    p.add_argument("--daq-run", default="daq-run", help="path of daq-run")
    p.add_argument("--seed", type=int, default=None,
                   help="random seed (default: fresh each run)")
    p.add_argument("--keep", action="store_true",
                   help="keep the temporary modules and .npy files")
    p.add_argument("--mock", action="store_true",
                   help="do not run daq-run: feed the reference's own results to the "
                        "checks (tests the harness, not the compiler)")
    args = p.parse_args()
    if getattr(args, "replay", None):
        return args  # the staged runs carry their own seed
    if args.seed is None:
        args.seed = int.from_bytes(os.urandom(4), "little")
    print("seed = %d (reproduce with --seed %d)" % (args.seed, args.seed))
    sys.stdout.flush()
    return args


def nonzero(a, eps=1e-3):
    """Pushes exact zeros (vanishingly rare) away from zero."""
    a = np.asarray(a)
    return np.where(a == 0, np.asarray(eps, dtype=a.dtype), a)


def randn(rng, shape, scale=1.0):
    return nonzero((rng.standard_normal(shape) * scale).astype(F32))


def laplace(rng, shape, scale=1.0):
    return nonzero(rng.laplace(0.0, scale, shape).astype(F32))


def rand_codes(rng, shape):
    return rng.integers(-127, 128, size=shape).astype(np.int8)


def rand_clip(rng, shape=()):
    """Positive clips between 0.25 and 4, as float32."""
    return np.exp(rng.uniform(np.log(0.25), np.log(4.0), size=shape)).astype(F32)


# ---------------------------------------------------------------------------
# MLIR module construction
# ---------------------------------------------------------------------------
_ELEM = {
    np.dtype(np.float32): "f32",
    np.dtype(np.float64): "f64",
    np.dtype(np.int8): "i8",
    np.dtype(np.int32): "i32",
    np.dtype(np.int64): "i64",
    np.dtype(np.bool_): "i1",
}


def tensor_type(shape, elem):
    dims = "".join("%dx" % d for d in shape)
    return "tensor<%s%s>" % (dims, elem)


def type_of(array):
    array = np.asarray(array)
    return tensor_type(array.shape, _ELEM[array.dtype])


class Value:
    def __init__(self, name, type_):
        self.name = name
        self.type = type_

    def __str__(self):
        return self.name


def granularity(axis):
    return ("#daq.granularity<per_tensor>" if axis is None
            else "#daq.granularity<per_axis = %d>" % axis)


def rounding_attr(rounding, seed=None):
    if rounding == "stochastic":
        return "#daq.rounding<stochastic, seed = %d>" % seed
    return "#daq.rounding<%s>" % rounding


def mcs_attr(lam=0.3, k=1.0, a=0.8):
    return "#daq.mcs<lambda = %r, k = %r, a = %r>" % (float(lam), float(k), float(a))


def dsgc_attr(candidates=32, min_ratio=0.1):
    return "#daq.dsgc<candidates = %d, min_ratio = %r>" % (candidates, float(min_ratio))


class Module:
    """One `func.func @main` whose arguments are numpy arrays and whose body
    is a sequence of daq ops; every value passed to `result` is returned."""

    def __init__(self):
        self.inputs = []  # numpy arrays, in argument order
        self.arg_values = []
        self.body = []
        self.results = []  # (Value, label)
        self.expects = []
        self._n = 0

    def _fresh(self):
        self._n += 1
        return "%%v%d" % self._n

    def arg(self, array):
        array = np.array(array, order="C")  # keeps rank 0 (ascontiguousarray does not)
        v = Value("%%arg%d" % len(self.inputs), type_of(array))
        self.inputs.append(array)
        self.arg_values.append(v)
        return v

    def const_i64(self, value):
        v = Value(self._fresh(), "i64")
        self.body.append("%s = arith.constant %d : i64" % (v.name, value))
        return v

    def op(self, text, result_types):
        """`text` is the op without its results; returns the result Values."""
        results = [Value(self._fresh(), t) for t in result_types]
        self.body.append("%s = %s" % (", ".join(r.name for r in results), text))
        return results

    def result(self, value, label, expect=None):
        """Returns `value` from @main; `expect` (the reference) is only used
        by --mock."""
        self.results.append((value, label))
        self.expects.append(expect)
        return len(self.results) - 1

    def text(self):
        args = ", ".join("%s: %s" % (v.name, v.type) for v in self.arg_values)
        rtypes = ", ".join(v.type for v, _ in self.results)
        lines = ["func.func @main(%s) -> (%s) {" % (args, rtypes)]
        lines += ["  " + line for line in self.body]
        lines.append("  return %s : %s" % (
            ", ".join(v.name for v, _ in self.results), rtypes))
        lines.append("}")
        return "\n".join(lines) + "\n"

    # --- daq ops ------------------------------------------------------------
    def max_abs(self, x, axis, nclip=None):
        ct = tensor_type(() if axis is None else (nclip,), "f32")
        return self.op("daq.max_abs %s {granularity = %s} : %s -> %s" % (
            x, granularity(axis), x.type, ct), [ct])[0]

    def quantize(self, x, clip, axis, rounding="nearest_even", seed=None, step=None):
        out = x.type.replace("xf32>", "xi8>").replace("<f32>", "<i8>")
        attrs = "granularity = %s" % granularity(axis)
        operands, types = "%s, %s" % (x, clip), "%s, %s" % (x.type, clip.type)
        if rounding != "nearest_even":
            attrs += ", rounding = %s" % rounding_attr(rounding, seed)
        if step is not None:  # exactly when the rounding is stochastic
            operands += " step %s" % step
            types += ", i64"
        return self.op("daq.quantize %s {%s} : (%s) -> %s" % (
            operands, attrs, types, out), [out])[0]

    def dequantize(self, q, clip, axis):
        out = q.type.replace("xi8>", "xf32>").replace("<i8>", "<f32>")
        return self.op("daq.dequantize %s, %s {granularity = %s} : (%s, %s) -> %s" % (
            q, clip, granularity(axis), q.type, clip.type, out), [out])[0]

    def mcs_clip(self, x, prev, axis, lam=0.3, k=1.0, a=0.8):
        bt = prev.type.replace("xf32>", "xi1>").replace("<f32>", "<i1>")
        return self.op("daq.mcs_clip %s, %s {granularity = %s, params = %s} : (%s, %s) -> (%s, %s)" % (
            x, prev, granularity(axis), mcs_attr(lam, k, a), x.type, prev.type,
            prev.type, bt), [prev.type, bt])

    def dsgc_clip(self, x, axis, nclip=None, candidates=32, min_ratio=0.1):
        ct = tensor_type(() if axis is None else (nclip,), "f32")
        return self.op("daq.dsgc_clip %s {granularity = %s, params = %s} : %s -> (%s, %s)" % (
            x, granularity(axis), dsgc_attr(candidates, min_ratio), x.type, ct, ct),
            [ct, ct])

    def quantize_grad(self, g, axis, nchan, strategy_attr, state=None,
                      rounding="nearest_even", seed=None, step=None):
        codes = g.type.replace("xf32>", "xi8>")
        cc, ct = tensor_type((nchan,), "f32"), tensor_type((), "f32")
        operands, types = str(g), [g.type]
        if state is not None:
            operands += " state(%s, %s)" % state
            types += [state[0].type, state[1].type]
        if step is not None:
            operands += " step %s" % step
            types.append("i64")
        attrs = "axis = %d : i64, strategy = %s" % (axis, strategy_attr)
        if rounding != "nearest_even":
            attrs += ", rounding = %s" % rounding_attr(rounding, seed)
        return self.op("daq.quantize_grad %s {%s} : (%s) -> (%s, %s, %s, %s)" % (
            operands, attrs, ", ".join(types), codes, cc, codes, ct),
            [codes, cc, codes, ct])

    def conv(self, opname, a, b, out_type, conv):
        return self.op("daq.%s %s, %s {conv = %s} : (%s, %s) -> %s" % (
            opname, a, b, conv.attr(), a.type, b.type, out_type), [out_type])[0]

    def qconv(self, opname, a, ca, b, cb, out_type, conv, rounding=None,
              seed=None, step=None):
        attrs = "conv = %s" % conv.attr()
        if rounding is not None:
            attrs += ", rounding = %s" % rounding_attr(rounding, seed)
        operands = "%s[%s], %s[%s]" % (a, ca, b, cb)
        types = [a.type, ca.type, b.type, cb.type]
        if step is not None:
            operands += " step %s" % step
            types.append("i64")
        return self.op("daq.%s %s {%s} : (%s) -> %s" % (
            opname, operands, attrs, ", ".join(types), out_type), [out_type])[0]


# ---------------------------------------------------------------------------
# Running daq-run
# ---------------------------------------------------------------------------
class RunError(Exception):
    pass


class Runner:
    def __init__(self, args):
        self.daq_run = args.daq_run
        self.keep = args.keep
        self.mock = args.mock
        self.seed = args.seed
        self.tmp = tempfile.mkdtemp(prefix="daq-numerics-")
        self.count = 0
        self.seconds = 0.0

    def close(self):
        if self.keep:
            print("kept files in %s" % self.tmp)
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)

    def daq_opt(self):
        """daq-opt from daq-run's directory (or PATH), or None."""
        cand = os.path.join(os.path.dirname(self.daq_run), "daq-opt")
        if os.path.dirname(self.daq_run) and os.access(cand, os.X_OK):
            return cand
        return shutil.which("daq-opt")

    def run(self, module, name="case", roundtrip=False):
        """Runs `module`; returns the list of output arrays. With
        `roundtrip`, the module is first printed by daq-opt (no passes) and
        the printed form is what runs: attributes must survive printing."""
        self.count += 1
        d = os.path.join(self.tmp, "%02d-%s" % (self.count, name))
        os.makedirs(d)
        path = os.path.join(d, "module.mlir")
        with open(path, "w") as f:
            f.write(module.text())
        if roundtrip and not self.mock:
            tool = self.daq_opt()
            if tool is None:
                raise RunError("round trip requested but daq-opt not found")
            printed = os.path.join(d, "printed.mlir")
            proc = subprocess.run([tool, path, "-o", printed], stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, universal_newlines=True)
            if proc.returncode != 0:
                raise RunError("daq-opt failed to print %s:\n%s" % (path, proc.stderr))
            path = printed
        if self.mock:
            if any(e is None for e in module.expects):
                raise RunError("--mock: a result of %s has no expectation" % name)
            return [np.asarray(e) for e in module.expects]
        cmd = [self.daq_run, path, "-e", "main"]
        for i, a in enumerate(module.inputs):
            p = os.path.join(d, "in%d.npy" % i)
            np.save(p, a)
            cmd.append("--input=%s" % p)
        outs = [os.path.join(d, "out%d.npy" % i) for i in range(len(module.results))]
        cmd += ["--output=%s" % p for p in outs]
        t0 = time.time()
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              universal_newlines=True)
        self.seconds += time.time() - t0
        if proc.returncode != 0:
            raise RunError(
                "daq-run failed (exit %d) on %s [seed %d]\ncommand: %s\n"
                "--- module ---\n%s--- stderr ---\n%s\n--- stdout ---\n%s" % (
                    proc.returncode, name, self.seed, " ".join(cmd),
                    module.text(), proc.stderr[-6000:], proc.stdout[-2000:]))
        return [np.load(p) for p in outs]


# ---------------------------------------------------------------------------
# Comparisons
# ---------------------------------------------------------------------------
def _fmt(v):
    v = np.asarray(v)
    if v.dtype == np.float32:
        return "%r (0x%08x)" % (float(v), int(v.view(np.uint32)))
    if v.dtype.kind == "f":
        return "%r" % float(v)
    return "%r" % (v.item(),)


class Checker:
    """Accumulates failures; `finish()` prints a summary and exits."""

    def __init__(self, seed, max_report=8):
        self.seed = seed
        self.failures = []
        self.checks = 0
        self.max_report = max_report

    def fail(self, msg):
        self.failures.append(msg)
        print("FAIL: %s [seed %d]" % (msg, self.seed))
        sys.stdout.flush()

    def ok(self, what):
        self.checks += 1
        print("ok: %s" % what)

    def _shape(self, what, got, exp):
        if got.shape != exp.shape:
            self.fail("%s: shape %s, expected %s" % (what, got.shape, exp.shape))
            return False
        return True

    def exact(self, what, got, exp, context=None):
        """Bitwise equality (any NaN matches any NaN)."""
        got = np.asarray(got)
        exp = np.asarray(exp)
        if exp.dtype == np.bool_:
            got = got.astype(bool)
        elif got.dtype != exp.dtype:
            self.fail("%s: element type %s, expected %s" % (what, got.dtype, exp.dtype))
            return False
        if not self._shape(what, got, exp):
            return False
        if exp.dtype.kind == "f":
            same = (got == exp) & (np.signbit(got) == np.signbit(exp))
            same |= np.isnan(got) & np.isnan(exp)
        else:
            same = got == exp
        if np.all(same):
            self.ok(what)
            return True
        bad = np.argwhere(~same)
        lines = ["%s: %d of %d elements differ" % (what, len(bad), exp.size)]
        for idx in bad[: self.max_report]:
            idx = tuple(int(i) for i in idx)
            line = "  at %s: got %s, expected %s" % (idx, _fmt(got[idx]), _fmt(exp[idx]))
            if context is not None:
                line += "; " + context(idx)
            lines.append(line)
        self.fail("\n".join(lines))
        return False

    def conv_close(self, what, got, exp64, magnitude, k_terms, unit=U):
        """|got - exp| <= gamma_{K+1} * magnitude (see module docstring).

        For f64 results (`unit` = 2^-53) the float64 reference has an error
        of the same kind, so the allowance is doubled."""
        got = np.asarray(got)
        if not self._shape(what, got, exp64):
            return False
        m = k_terms + 1
        gamma = m * unit / (1 - m * unit) * (2 if unit < U else 1)
        tol = gamma * magnitude + 1e-37
        err = np.abs(got.astype(np.float64) - exp64)
        bad = ~(err <= tol)  # NaN counts as bad
        if not np.any(bad):
            worst = float(np.max(err / np.maximum(magnitude, 1e-300))) if err.size else 0.0
            self.ok("%s (max |err| / magnitude = %.2e, allowed %.2e)" % (what, worst, gamma))
            return True
        idxs = np.argwhere(bad)
        lines = ["%s: %d of %d elements outside gamma_%d * magnitude" % (
            what, len(idxs), got.size, m)]
        for idx in idxs[: self.max_report]:
            idx = tuple(int(i) for i in idx)
            lines.append("  at %s: got %r, expected %r, |err| %.3g > tol %.3g (magnitude %.3g)"
                         % (idx, float(got[idx]), float(exp64[idx]), float(err[idx]),
                            float(tol[idx]), float(magnitude[idx])))
        self.fail("\n".join(lines))
        return False

    def true(self, what, cond, detail=""):
        if cond:
            self.ok(what)
        else:
            self.fail("%s %s" % (what, detail))
        return cond

    def finish(self, runner=None):
        if runner is not None:
            print("daq-run: %d runs, %.1f s" % (runner.count, runner.seconds))
            runner.close()
        if self.failures:
            print("%d check(s) FAILED of %d (seed %d; rerun with --seed %d)" % (
                len(self.failures), self.checks + len(self.failures), self.seed, self.seed))
            sys.exit(1)
        print("all %d checks passed (seed %d)" % (self.checks, self.seed))
        sys.exit(0)


def run_checked(runner, checker, module, name):
    """Runs a module; on a daq-run error records a failure and returns None."""
    try:
        return runner.run(module, name)
    except RunError as e:
        checker.fail(str(e))
        return None
    except FileNotFoundError as e:
        checker.fail("cannot run daq-run: %s" % e)
        return None


# ---------------------------------------------------------------------------
# Batches of cases
# ---------------------------------------------------------------------------
class Case:
    """A named test case: `build(m)` adds its arguments, ops and results to
    Module `m` and returns `check(outputs)`, which receives this case's
    outputs (in the order it registered them) and runs its comparisons."""

    def __init__(self, name, build):
        self.name = name
        self.build = build


def run_cases(runner, checker, cases, group="batch", per_module=None, roundtrip=False):
    """Runs the cases in modules of `per_module` cases (default: all in one),
    one daq-run process per module; if a module fails, reruns each of its
    cases alone so the failure points at the ops responsible. (LLVM's
    optimizer is superlinear in function size, so several small modules
    compile faster than one large one.)"""
    if per_module is not None and len(cases) > per_module:
        for i in range(0, len(cases), per_module):
            run_cases(runner, checker, cases[i:i + per_module],
                      "%s%d" % (group, i // per_module), roundtrip=roundtrip)
        return
    m = Module()
    spans = []
    for case in cases:
        start = len(m.results)
        check = case.build(m)
        spans.append((case, check, start, len(m.results)))
    try:
        outs = runner.run(m, group, roundtrip)
    except (FileNotFoundError, PermissionError) as e:
        checker.fail("cannot run daq-run (%s); %d cases not run" % (e, len(cases)))
        return
    except RunError as e:
        if len(cases) == 1:
            checker.fail("%s: %s" % (cases[0].name, e))
            return
        print("note: the batched module %s failed; rerunning its %d cases one by one"
              % (group, len(cases)))
        for case in cases:
            run_cases(runner, checker, [case], case.name.replace(" ", "_")[:40],
                      roundtrip=roundtrip)
        return
    for case, check, a, b in spans:
        try:
            check(outs[a:b])
        except Exception as e:  # a bug in a check must not hide the others
            import traceback
            checker.fail("%s: checking raised %r\n%s" % (case.name, e, traceback.format_exc()))
