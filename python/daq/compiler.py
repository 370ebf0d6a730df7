"""Pass pipelines on MLIR text, and JIT-compiled modules called on arrays.

    >>> import daq, numpy as np
    >>> m = daq.Module('''
    ... func.func @scale(%x: tensor<4xf32>, %s: f32) -> tensor<4xf32> {
    ... ... }''')
    >>> m.signature("scale")
    >>> y = m.invoke("scale", np.ones(4, np.float32), 2.0)

Arrays cross into the runtime without a copy when they are C-contiguous
NumPy arrays (or CPU torch tensors) of exactly the declared dtype: functions
with tensor signatures read them in place and never write into them (an
in-place update inside works on a copy); functions taking memrefs get a copy.
Results are new NumPy arrays, which the compiled code writes directly.
"""

import ctypes
from collections import namedtuple

import numpy as np

from . import _capi
from ._capi import DaqError

ValueInfo = namedtuple("ValueInfo", "dtype shape is_scalar type_name")
ValueInfo.__doc__ = """One argument or result of an entry point.

dtype: numpy.dtype; shape: tuple with None for a dynamic dimension (() for a
scalar); is_scalar: passed by value, as a 0-d array on the Python side;
type_name: the MLIR type, e.g. 'tensor<4x?xf32>'."""


class FunctionSignature(namedtuple("FunctionSignature",
                                   "name inputs results unsupported_reason")):
    """The tensor-level signature of an entry point: lists of ValueInfo, and
    why the function cannot be invoked ('' when it can)."""

    def __str__(self):
        ins = ", ".join(v.type_name for v in self.inputs)
        outs = ", ".join(v.type_name for v in self.results)
        return "%s(%s) -> (%s)" % (self.name, ins, outs)


def _encode(text, what):
    if isinstance(text, bytes):
        return text
    if not isinstance(text, str):
        raise TypeError("%s must be a str, got %s"
                        % (what, type(text).__name__))
    return text.encode("utf-8")


def run_pipeline(ir, pipeline):
    """Runs a textual pass pipeline on the module `ir` and returns the
    resulting IR text.

    `pipeline` is what `mlir-opt --pass-pipeline` takes, e.g.
    ``"builtin.module(daq-training-pipeline{layers=all})"``; a pipeline
    without an anchor (``"canonicalize,cse"``) runs on the module. Every
    upstream pass and every daq pass and pipeline is available. Raises
    DaqError with the MLIR diagnostics if the IR does not parse or verify,
    the pipeline is malformed, or a pass fails.
    """
    source = _encode(ir, "ir")
    if not isinstance(pipeline, str):
        raise TypeError("pipeline must be a str, got %s"
                        % type(pipeline).__name__)
    text = pipeline.strip()
    if "(" not in text:
        text = "builtin.module(%s)" % text
    lib = _capi.lib()
    output = ctypes.c_void_p()
    error = ctypes.c_void_p()
    status = lib.daqRunPassPipeline(source, len(source), text.encode("utf-8"),
                                    ctypes.byref(output), ctypes.byref(error))
    _capi.check(status, error)
    return _capi.take_string(output.value)


def clear_cache():
    """Drops every compiled module from the runtime's process-wide cache."""
    _capi.lib().daqClearCache()


def cache_size():
    """The number of compiled modules in the runtime's cache."""
    return _capi.lib().daqGetCacheSize()


#: Alignment of the result arrays a call allocates: a cache line, as
#: PyTorch's CPU allocator gives its tensors. NumPy's own (16 bytes) left the
#: kernels' non-temporal stores of large outputs a partial line at every
#: run's ends (3x3-64-56 backward-data took 8 % longer, docs/performance.md).
RESULT_ALIGNMENT = 64


def empty_aligned(shape, dtype, alignment=RESULT_ALIGNMENT):
    """An uninitialized C-contiguous array whose data starts on a multiple of
    `alignment` bytes."""
    dtype = np.dtype(dtype)
    size = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    raw = np.empty(size + alignment, dtype=np.uint8)
    start = -raw.ctypes.data % alignment
    return raw[start:start + size].view(dtype).reshape(shape)


def _is_torch_tensor(value):
    # Checked by module name so that daq does not import torch itself.
    return (type(value).__module__.split(".")[0] == "torch"
            and hasattr(value, "detach") and hasattr(value, "numpy"))


def _torch_to_numpy(tensor):
    t = tensor.detach()
    if t.device.type != "cpu":
        t = t.cpu()
    # A view of the tensor's memory (no copy for a CPU tensor).
    return t.resolve_conj().resolve_neg().numpy()


# Which NumPy kinds of a Python value (not an array) may be converted to an
# expected kind: ints to floats is exact enough for scalars and lists, the
# other way round would truncate.
_CONVERTIBLE_KINDS = {"f": "fiu", "i": "iu", "b": "b"}


class Module:
    """A module compiled for the CPU by the daq JIT.

    `ir` is MLIR text: daq and upstream ops on tensors (lowered with
    daq-cpu-pipeline) or a module already in the LLVM dialect. Compilation is
    cached process-wide by text, so constructing the same Module twice is
    cheap. Raises DaqError with the diagnostics if it does not compile.
    """

    def __init__(self, ir, name="<source>", opt_level=2):
        source = _encode(ir, "ir")
        self._lib = _capi.lib()
        handle = ctypes.c_void_p()
        error = ctypes.c_void_p()
        status = self._lib.daqModuleCreate(
            source, len(source), _encode(name, "name"), int(opt_level),
            ctypes.byref(handle), ctypes.byref(error))
        _capi.check(status, error)
        self._handle = handle
        self._signatures = {}
        count = self._lib.daqModuleGetNumFunctions(handle)
        self.functions = tuple(
            self._lib.daqModuleGetFunctionName(handle, i).decode("utf-8")
            for i in range(count))

    def __del__(self):
        handle = getattr(self, "_handle", None)
        if handle and handle.value:
            try:
                self._lib.daqModuleDestroy(handle)
            except Exception:  # interpreter shutdown
                pass
            self._handle = None

    def __repr__(self):
        return "<daq.Module with %s>" % (", ".join(self.functions) or
                                         "no entry points")

    def signature(self, name):
        """The FunctionSignature of the entry point `name`; DaqError if there
        is none by that name (the message lists the entry points)."""
        cached = self._signatures.get(name)
        if cached is not None:
            return cached
        lib, fname = self._lib, _encode(name, "name")
        num_inputs, num_results = ctypes.c_size_t(), ctypes.c_size_t()
        reason = ctypes.c_char_p()
        error = ctypes.c_void_p()
        _capi.check(lib.daqModuleGetSignature(
            self._handle, fname, ctypes.byref(num_inputs),
            ctypes.byref(num_results), ctypes.byref(reason),
            ctypes.byref(error)), error)

        def values(is_result, count):
            result = []
            for i in range(count):
                info = _capi.DaqValueInfo()
                _capi.check(lib.daqModuleGetValueInfo(
                    self._handle, fname, is_result, i, ctypes.byref(info),
                    ctypes.byref(error)), error)
                shape = tuple(None if info.shape[d] < 0 else int(info.shape[d])
                              for d in range(info.rank))
                result.append(ValueInfo(
                    np.dtype(_capi.DTYPE_NAMES[info.dtype]), shape,
                    bool(info.isScalar), info.typeName.decode("utf-8")))
            return result

        signature = FunctionSignature(
            name, values(0, num_inputs.value), values(1, num_results.value),
            (reason.value or b"").decode("utf-8"))
        self._signatures[name] = signature
        return signature

    def __call__(self, *args, function=None, out=None):
        """Calls `function`, by default the module's only entry point (`out`
        as in `invoke`)."""
        if function is None:
            if len(self.functions) != 1:
                raise DaqError(
                    "the module has %d entry points (%s); name one: "
                    "module(..., function=NAME) or module.invoke(NAME, ...)"
                    % (len(self.functions), ", ".join(self.functions)))
            function = self.functions[0]
        return self.invoke(function, *args, out=out)

    def invoke(self, name, *args, out=None):
        """Calls the entry point `name` on `args` (NumPy arrays, torch
        tensors, or Python scalars and lists) and returns its results as
        NumPy arrays: the array itself for one result, a tuple for several
        (scalars as 0-d arrays).

        Arrays and tensors must have exactly the declared dtype (TypeError
        otherwise) and shape (ValueError); Python numbers and lists are
        converted to the declared dtype when that loses nothing.

        `out`, when given, is a sequence of NumPy arrays, one per result, of
        exactly the result's dtype and shape, C-contiguous, writeable and not
        sharing memory with an input: the results are computed straight into
        them (no allocation per call, which saves the page faults of fresh
        memory on large results) and they are returned.
        """
        signature = self.signature(name)
        if signature.unsupported_reason:
            raise DaqError("function '%s' cannot be invoked: %s"
                           % (name, signature.unsupported_reason))
        if len(args) != len(signature.inputs):
            raise TypeError("function '%s' takes %d input%s (%s), got %d" % (
                name, len(signature.inputs),
                "" if len(signature.inputs) == 1 else "s",
                ", ".join(v.type_name for v in signature.inputs), len(args)))
        arrays = [self._convert(name, i, value, expected)
                  for i, (value, expected) in
                  enumerate(zip(args, signature.inputs))]
        input_ranges = [_byte_range(array) for array in arrays]
        if out is None:
            outputs = [empty_aligned(v.shape, v.dtype)
                       for v in signature.results]
            output_ranges = [_byte_range(array) for array in outputs]
        else:
            outputs, output_ranges = self._check_out(
                name, out, signature.results, input_ranges)

        keep = []  # ctypes shape arrays must outlive the call

        def buffers(array_list, ranges):
            # Every array is C-contiguous and of a dtype of _DTYPE_CODES
            # (_convert, _check_out, empty_aligned); ranges are their bytes.
            out = (_capi.DaqBuffer * max(len(array_list), 1))()
            for buffer, array, (begin, _) in zip(out, array_list, ranges):
                shape = (ctypes.c_int64 * max(array.ndim, 1))(*array.shape)
                keep.append(shape)
                buffer.data = begin
                buffer.dtype = _DTYPE_CODES[array.dtype]
                buffer.rank = array.ndim
                buffer.shape = shape
            return out

        error = ctypes.c_void_p()
        status = self._lib.daqModuleInvoke(
            self._handle, _encode(name, "name"), buffers(arrays, input_ranges),
            len(arrays), buffers(outputs, output_ranges), len(outputs),
            ctypes.byref(error))
        _capi.check(status, error)
        if len(outputs) == 1:
            return outputs[0]
        return tuple(outputs)

    @staticmethod
    def _check_out(function, out, results, input_ranges):
        """`out` as the list of output buffers of a call and the list of
        their byte ranges, or raise; input_ranges: the inputs' (all
        C-contiguous)."""
        out = list(out)
        if len(out) != len(results):
            raise TypeError("function '%s' has %d result%s, got %d out "
                            "buffers" % (function, len(results),
                                         "" if len(results) == 1 else "s",
                                         len(out)))
        # Two C-contiguous arrays share memory only if their byte ranges
        # overlap (np.may_share_memory's test, without its dispatch cost on
        # every pair): each out buffer against the inputs and the out
        # buffers before it.
        ranges = list(input_ranges)
        for i, (array, expected) in enumerate(zip(out, results)):
            def where():
                return "function '%s': out buffer %d (%s)" % (
                    function, i, expected.type_name)
            if not isinstance(array, np.ndarray):
                raise TypeError("%s: expected a NumPy array, got %s"
                                % (where(), type(array).__name__))
            if array.dtype != expected.dtype:
                raise TypeError("%s: expected dtype %s, got %s"
                                % (where(), expected.dtype, array.dtype))
            if array.shape != expected.shape:
                raise ValueError("%s: expected shape %s, got %s"
                                 % (where(), expected.shape, array.shape))
            if not (array.flags.c_contiguous and array.flags.writeable):
                raise ValueError("%s: must be C-contiguous and writeable"
                                 % where())
            begin, end = _byte_range(array)
            if any(begin < e and b < end for b, e in ranges):
                raise ValueError("%s: shares memory with an input or "
                                 "another out buffer" % where())
            ranges.append((begin, end))
        return out, ranges[len(input_ranges):]

    @staticmethod
    def _convert(function, index, value, expected):
        """The C-contiguous array of `expected.dtype` to pass for `value`."""
        if (type(value) is np.ndarray and value.dtype == expected.dtype
                and value.flags.c_contiguous and not expected.is_scalar
                and value.shape == expected.shape):
            return value  # the common case, with nothing to convert
        where = "function '%s': input %d (%s)" % (function, index,
                                                  expected.type_name)
        if _is_torch_tensor(value):
            value = _torch_to_numpy(value)
        if isinstance(value, (np.ndarray, np.generic)):
            array = np.asarray(value)
            if array.dtype != expected.dtype:
                raise TypeError("%s: expected dtype %s, got %s"
                                % (where, expected.dtype, array.dtype))
        else:
            try:
                array = np.asarray(value)
            except Exception as e:
                raise TypeError("%s: cannot convert %s to an array: %s"
                                % (where, type(value).__name__, e)) from None
            allowed = _CONVERTIBLE_KINDS.get(expected.dtype.kind, "")
            if array.dtype.kind not in allowed:
                raise TypeError("%s: expected %s values, got %s (%r)" % (
                    where, expected.dtype, array.dtype, value))
            converted = array.astype(expected.dtype)
            if (array.dtype.kind in "iu"
                    and not np.array_equal(converted, array)):
                raise ValueError("%s: %r does not fit in %s"
                                 % (where, value, expected.dtype))
            array = converted
        if expected.is_scalar:
            if array.ndim != 0:
                raise ValueError("%s: expected a scalar (a 0-d array), got "
                                 "shape %s" % (where, array.shape))
        else:
            matches = array.ndim == len(expected.shape) and all(
                e is None or e == d
                for e, d in zip(expected.shape, array.shape))
            if not matches:
                declared = tuple("?" if e is None else e
                                 for e in expected.shape)
                raise ValueError("%s: expected shape %s, got %s" % (
                    where, _format_shape(declared),
                    _format_shape(array.shape)))
        if not array.flags.c_contiguous:
            array = array.copy(order="C")
        return array


def _byte_range(array):
    """[begin, end) of a C-contiguous array's bytes."""
    begin = array.ctypes.data
    return begin, begin + array.nbytes


# The header's dtype codes by NumPy dtype (a dict lookup: dtype.name costs
# more than the rest of a buffer's setup).
_DTYPE_CODES = {np.dtype(name): code
                for name, code in _capi.DTYPE_CODES.items()}


def _format_shape(shape):
    if len(shape) == 1:
        return "(%s,)" % (shape[0],)
    return "(%s)" % ", ".join(str(d) for d in shape)
