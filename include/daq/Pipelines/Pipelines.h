//===- Pipelines.h - daq pass pipelines -------------------------*- C++ -*-===//

#ifndef DAQ_PIPELINES_PIPELINES_H
#define DAQ_PIPELINES_PIPELINES_H

namespace mlir {
class OpPassManager;
namespace daq {

/// daq (and linalg) on tensors to the LLVM dialect for the CPU JIT:
/// entry-point annotation, convert-daq-to-linalg, one-shot bufferization
/// with results turned into out-parameters, loops, LLVM lowering.
///
/// Calling convention of every public function `@f` afterwards:
/// `_mlir_ciface_f(args..., outs...)` where each tensor argument and result
/// is a pointer to a memref descriptor (results become trailing
/// caller-allocated out-parameters) and scalars are passed by value; the
/// original signature is in the `daq.signature` attribute.
void buildDaqCpuPipeline(OpPassManager &pm);

/// Registers `daq-cpu-pipeline`.
void registerDaqPipelines();

} // namespace daq
} // namespace mlir

#endif // DAQ_PIPELINES_PIPELINES_H
