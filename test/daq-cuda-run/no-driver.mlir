// The CUDA runner loads the driver at run time and reports a missing driver
// or GPU as an error message (never a crash, never a link-time dependency).
// It needs no LLVM or MLIR either: scripts/gpu-check.sh --stage copies it
// alone to a GPU host (only libc, libstdc++ and the like in ldd's list).
// UNSUPPORTED: cuda-gpu
// RUN: ldd %daq_tools/daq-cuda-run | FileCheck %s --check-prefix=LIBS --implicit-check-not=libLLVM --implicit-check-not=libMLIR
// RUN: rm -rf %t && daq-gpu-export %s -o %t --name k --pipeline-options="chip=sm_80 format=isa"
// RUN: not daq-cuda-run %t/k.kernels -e f 2>&1 | FileCheck %s --check-prefix=DEFAULT
// RUN: env DAQ_CUDA_DRIVER=%t/missing/libcuda.so.1 not daq-cuda-run %t/k.kernels -e f 2>&1 | FileCheck %s --check-prefix=MISSING
// RUN: env DAQ_CUDA_DRIVER=%shlibdir_libm not daq-cuda-run %t/k.kernels -e f 2>&1 | FileCheck %s --check-prefix=NOTCUDA
// RUN: not daq-cuda-run %t/k.kernels -e nosuchfunction 2>&1 | FileCheck %s --check-prefix=NOFUNC
// RUN: not daq-cuda-run %t/missing.kernels -e f 2>&1 | FileCheck %s --check-prefix=NOFILE

// LIBS: libc.so
// DEFAULT: daq-cuda-run: error: {{no CUDA driver found \(libcuda.so.1\): .*|no GPU: .*}}
// MISSING: daq-cuda-run: error: no CUDA driver found ({{.*}}/missing/libcuda.so.1): {{.*}}No such file or directory
// NOTCUDA: daq-cuda-run: error: no CUDA driver found ({{.*}}libm.so.6): the library lacks driver API entry points
// NOFUNC: daq-cuda-run: error: no kernels of function 'nosuchfunction' in {{.*}}k.kernels
// NOFILE: daq-cuda-run: error: cannot read {{.*}}missing.kernels: No such file or directory
func.func @f(%x: tensor<1x8x6x6xi8>, %sx: tensor<f32>, %w: tensor<8x8x3x3xi8>, %sw: tensor<f32>) -> tensor<1x8x4x4xf32> {
  %y = daq.qconv2d %x[%sx], %w[%sw] {conv = #daq.conv<layout = nchw>}
      : (tensor<1x8x6x6xi8>, tensor<f32>, tensor<8x8x3x3xi8>, tensor<f32>) -> tensor<1x8x4x4xf32>
  return %y : tensor<1x8x4x4xf32>
}
