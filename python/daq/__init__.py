"""daq: Distribution-Adaptive INT8 training of CNNs, from Python.

* :func:`run_pipeline` runs a textual pass pipeline on MLIR text;
* :class:`Module` JIT-compiles a module for the CPU and calls its functions
  on NumPy arrays and torch tensors;
* :mod:`daq.ops` has the method's operations (clips, quantization, the INT8
  convolutions in the three training directions) as functions;
* :mod:`daq.torch` (imported separately, it needs PyTorch) has a drop-in
  ``Conv2d`` that trains with them.

Everything runs on the C API in ``libDaqCAPI.so`` (``include/daq-c``).
"""

from ._capi import DaqError, library_path
from .compiler import (FunctionSignature, Module, ValueInfo, cache_size,
                       clear_cache, run_pipeline)
from . import ops  # numpy only; daq.torch is imported on demand

__version__ = "0.1.0"

__all__ = ["DaqError", "FunctionSignature", "Module", "ValueInfo", "ops",
           "cache_size", "clear_cache", "library_path", "run_pipeline"]
