"""ctypes declarations of libDaqCAPI.so (include/daq-c/Runtime.h).

The library is looked up, in order, at:

1. ``$DAQ_CAPI_LIBRARY`` (a path to the library);
2. the package directory (the copy ``pip install`` puts there);
3. ``<repository>/build/lib`` (``$DAQ_BUILD_DIR/lib`` if set), for a checkout
   used with ``PYTHONPATH=python`` or an editable install.

Everything here is private; :mod:`daq.compiler` is the Python API.
"""

import ctypes
import os
import threading

LIBRARY_NAME = "libDaqCAPI.so"
# Must equal DAQ_CAPI_VERSION of the header: a library from another revision
# could lay out DaqBuffer differently, and ctypes would not notice.
CAPI_VERSION = 2

# dtype codes of the header, by NumPy dtype name.
DTYPE_CODES = {"float32": 0, "float64": 1, "int8": 2, "int32": 3, "int64": 4,
               "bool": 5}
DTYPE_NAMES = {code: name for name, code in DTYPE_CODES.items()}


class DaqError(RuntimeError):
    """An error reported by the daq runtime or compiler (parse errors, pass
    failures, invalid calls); the message carries the MLIR diagnostics."""


class DaqBuffer(ctypes.Structure):
    _fields_ = [("data", ctypes.c_void_p), ("dtype", ctypes.c_int32),
                ("rank", ctypes.c_int64),
                ("shape", ctypes.POINTER(ctypes.c_int64))]


class DaqValueInfo(ctypes.Structure):
    _fields_ = [("dtype", ctypes.c_int32), ("isScalar", ctypes.c_int32),
                ("rank", ctypes.c_int64),
                ("shape", ctypes.POINTER(ctypes.c_int64)),
                ("typeName", ctypes.c_char_p)]


def _candidates():
    env = os.environ.get("DAQ_CAPI_LIBRARY")
    if env:
        return [env]
    package_dir = os.path.dirname(os.path.abspath(__file__))
    repo = os.path.dirname(os.path.dirname(package_dir))
    build = os.environ.get("DAQ_BUILD_DIR") or os.path.join(repo, "build")
    return [os.path.join(package_dir, LIBRARY_NAME),
            os.path.join(build, "lib", LIBRARY_NAME)]


def _declare(lib):
    c = ctypes
    err = c.POINTER(c.c_void_p)  # char **error; read as void* to free it
    decls = {
        "daqGetCApiVersion": (c.c_int32, []),
        "daqStringFree": (None, [c.c_void_p]),
        "daqDTypeGetName": (c.c_char_p, [c.c_int32]),
        "daqModuleCreate": (c.c_int, [c.c_char_p, c.c_size_t, c.c_char_p,
                                      c.c_int32, c.POINTER(c.c_void_p), err]),
        "daqModuleDestroy": (None, [c.c_void_p]),
        "daqModuleGetNumFunctions": (c.c_size_t, [c.c_void_p]),
        "daqModuleGetFunctionName": (c.c_char_p, [c.c_void_p, c.c_size_t]),
        "daqModuleGetSignature": (c.c_int, [
            c.c_void_p, c.c_char_p, c.POINTER(c.c_size_t),
            c.POINTER(c.c_size_t), c.POINTER(c.c_char_p), err]),
        "daqModuleGetValueInfo": (c.c_int, [
            c.c_void_p, c.c_char_p, c.c_int32, c.c_size_t,
            c.POINTER(DaqValueInfo), err]),
        "daqModuleInvoke": (c.c_int, [
            c.c_void_p, c.c_char_p, c.POINTER(DaqBuffer), c.c_size_t,
            c.POINTER(DaqBuffer), c.c_size_t, err]),
        "daqClearCache": (None, []),
        "daqGetCacheSize": (c.c_size_t, []),
        "daqRunPassPipeline": (c.c_int, [
            c.c_char_p, c.c_size_t, c.c_char_p, c.POINTER(c.c_void_p), err]),
    }
    for name, (restype, argtypes) in decls.items():
        function = getattr(lib, name)
        function.restype = restype
        function.argtypes = argtypes


_lib = None
_lock = threading.Lock()


def library_path():
    """The path of the library that is (or would be) loaded."""
    candidates = _candidates()
    for path in candidates:
        if os.path.exists(path):
            return path
    return None


def lib():
    """The loaded library, loaded on first use (importing daq stays cheap and
    works without it, e.g. to read the version)."""
    global _lib
    with _lock:
        if _lib is not None:
            return _lib
        candidates = _candidates()
        path = next((p for p in candidates if os.path.exists(p)), None)
        if path is None:
            raise DaqError(
                "cannot find %s (looked at %s); build it with "
                "scripts/build.sh, reinstall the package, or set "
                "DAQ_CAPI_LIBRARY" % (LIBRARY_NAME, ", ".join(candidates)))
        try:
            loaded = ctypes.CDLL(path)
        except OSError as e:
            raise DaqError("cannot load %s: %s" % (path, e)) from None
        version = loaded.daqGetCApiVersion()
        if version != CAPI_VERSION:
            raise DaqError(
                "%s implements C API version %d, this package needs %d; "
                "rebuild the library or reinstall the package"
                % (path, version, CAPI_VERSION))
        _declare(loaded)
        _lib = loaded
        return _lib


def take_string(pointer):
    """The text of a char* the library returned, freed afterwards."""
    if not pointer:
        return ""
    try:
        return ctypes.string_at(pointer).decode("utf-8", errors="replace")
    finally:
        lib().daqStringFree(pointer)


def check(status, error):
    """Raises DaqError with the library's message when `status` is non-zero."""
    if status != 0:
        raise DaqError(take_string(error.value) or "unknown daq error")
