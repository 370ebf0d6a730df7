# -*- Python -*-
# Configuration of the daq lit test suite.

import os
import sys

import lit.formats
from lit.llvm import llvm_config

config.name = "DAQ"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".py"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.daq_obj_root, "test")
config.excludes = ["Inputs", "CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py", "lib"]

llvm_config.with_system_environment(["HOME", "INCLUDE", "LIB", "TMP", "TEMP"])
llvm_config.use_default_substitutions()

config.daq_tools_dir = os.path.join(config.daq_obj_root, "bin")
config.daq_libs_dir = os.path.join(config.daq_obj_root, "lib")
config.substitutions.append(("%daq_libs", config.daq_libs_dir))
config.substitutions.append(("%daq_tools", config.daq_tools_dir))
config.substitutions.append(("%shlibext", config.llvm_shlib_ext))
config.substitutions.append(("%daq_src_root", config.daq_src_root))
# Python for numerics tests (numpy references); Debian's python3 has numpy.
config.substitutions.append(("%python", "/usr/bin/python3"))

llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
llvm_config.add_tool_substitutions(
    ["daq-cuda-run", "daq-gpu-export", "daq-isa-model-check", "daq-opt",
     "daq-qconv-variants-check",
     "daq-philox-check",
     "daq-run", "daq-winograd-transforms-check", "llc", "mlir-opt",
     "mlir-translate"],
    [config.daq_tools_dir, config.llvm_tools_dir],
)

# CPU features of this machine, for the INT8 convolution kernel variants that
# only run where the hardware has them (test/CpuKernels): cpu-avx2,
# cpu-avx512-vnni, cpu-amx-int8 (with the OS permission for the tiles).
def _cpu_flags():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def _amx_permitted():
    """Linux gives a process the AMX tile state only on request
    (arch_prctl ARCH_REQ_XCOMP_PERM for XFEATURE_XTILEDATA, as the kernels'
    CPUID check does); a kernel that refuses it makes the AMX tests fail, so
    they are reported UNSUPPORTED instead."""
    import ctypes
    import platform
    if platform.machine() != "x86_64":
        return False
    sys_arch_prctl, arch_req_xcomp_perm, xfeature_xtiledata = 158, 0x1023, 18
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.syscall(sys_arch_prctl, arch_req_xcomp_perm,
                            xfeature_xtiledata) == 0
    except (OSError, AttributeError):
        return False


_flags = _cpu_flags()
if {"avx2", "fma"} <= _flags:
    config.available_features.add("cpu-avx2")
if {"avx512f", "avx512bw", "avx512_vnni"} <= _flags:
    config.available_features.add("cpu-avx512-vnni")
if {"amx_tile", "amx_int8"} <= _flags and _amx_permitted():
    config.available_features.add("cpu-amx-int8")
# GPU checks. `ptxas`: the CUDA toolkit's PTX assembler is installed (kernels
# are assembled and their resource use checked, no GPU needed). `cuda-gpu`:
# a CUDA driver and a GPU are present (tests that run kernels).
cuda_home = os.environ.get("CUDA_HOME", "/usr/local/cuda")
ptxas = os.path.join(cuda_home, "bin", "ptxas")
if os.access(ptxas, os.X_OK):
    config.available_features.add("ptxas")
    config.substitutions.append(("%ptxas", ptxas))
def _has_cuda_gpu():
    import ctypes
    try:
        cuda = ctypes.CDLL("libcuda.so.1")
    except OSError:
        return False
    count = ctypes.c_int(0)
    if cuda.cuInit(0) != 0 or cuda.cuDeviceGetCount(ctypes.byref(count)) != 0:
        return False
    return count.value > 0
# A shared library that exists everywhere but is no CUDA driver.
config.substitutions.append(("%shlibdir_libm", "libm.so.6"))
if _has_cuda_gpu():
    config.available_features.add("cuda-gpu")
